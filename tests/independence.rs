//! The suite does not depend on the data in `schedules/`: a municipality
//! that replaces it with its own keeps a green suite. Only two tests are
//! about the default data: that the committed `out/` is its build, and that
//! it has no warnings. Every other test names its folder (the 2019 page is
//! `tests/fixtures/page-2019`).

mod common;

use std::path::Path;

use common::*;

/// The tests that are about `schedules/` and `out/` themselves.
const ABOUT_THE_DEFAULT_DATA: [&str; 2] = [
    "committed_out_is_what_build_makes",
    "the_default_schedules_have_no_warnings",
];

/// Every `*.rs` under `tests/` (this file excepted), with its text.
fn test_sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join("tests")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read tests").flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with("fixtures") && !path.ends_with("snapshots") {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("independence.rs")
            {
                let text = std::fs::read_to_string(&path).expect("read source");
                out.push((path.display().to_string(), text));
            }
        }
    }
    assert!(out.len() > 3);
    out
}

#[test]
fn no_test_reads_schedules_except_the_ones_about_the_default_data() {
    let mut found = Vec::new();
    for (file, text) in test_sources() {
        let mut current_fn = "";
        for (n, line) in text.lines().enumerate() {
            if let Some(rest) = line.trim_start().strip_prefix("fn ") {
                current_fn = rest.split('(').next().unwrap_or("");
            }
            if ABOUT_THE_DEFAULT_DATA.contains(&current_fn) {
                continue;
            }
            if line.contains("\"schedules\"") || line.contains("\"schedules/") {
                found.push(format!("{file}:{}: names schedules/: {line}", n + 1));
            }
            // A command without `--schedules` reads the default folder:
            // `.args(["build", ...])` or `OsStr::new("build"), ...` up to
            // the end of its list.
            let starts = ["build", "check", "list"].iter().any(|c| {
                line.contains(&format!(".args([\"{c}\""))
                    || line.contains(&format!("OsStr::new(\"{c}\")"))
            });
            if starts {
                let args: Vec<&str> = text
                    .lines()
                    .skip(n)
                    .take_while(|l| !l.contains(']'))
                    .chain(text.lines().skip(n).find(|l| l.contains(']')))
                    .collect();
                if !args.join(" ").contains("\"--schedules\"") {
                    found.push(format!("{file}:{}: no --schedules: {line}", n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn next_months_outage_in_a_copy_of_schedules_is_an_ordinary_edit() {
    // What a municipality does with its copy of `schedules/`: add an outage
    // next month. The copy still checks without errors and builds; the tests
    // above make sure no other test sees the edit.
    let copy = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(root().join("schedules"))
        .expect("the default schedules")
        .flatten()
    {
        std::fs::copy(entry.path(), copy.path().join(entry.file_name())).expect("copy");
    }
    let next_month = chrono::Utc::now().date_naive() + chrono::Duration::days(31);
    std::fs::write(
        copy.path().join("neste-maned.yaml"),
        format!(
            "systems:\n  - id: test-neste-maned\n    name: Test\noutages:\n  - id: test-neste-maned\n    title: Oppgradering\n    systems: [test-neste-maned]\n    first-day: {next_month}\n"
        ),
    )
    .expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    let run = nedetid()
        .args(["build", "--schedules"])
        .arg(copy.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let feed = std::fs::read_to_string(out.path().join("test-neste-maned.ics")).expect("feed");
    assert!(feed.contains("UID:test-neste-maned@"));
    assert!(
        Path::new(&root().join(PAGE_2019))
            .join("nedetid-2019.yaml")
            .is_file()
    );
}
