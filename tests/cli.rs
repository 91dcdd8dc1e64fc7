//! The binary run on fixture folders: `tests/fixtures/valid/*` must build and
//! pass the lint, `tests/fixtures/invalid/*` must fail with the error text in
//! `tests/snapshots/` (refresh with `INSTA_UPDATE=always cargo test`) and
//! leave the output folder untouched.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn cases(kind: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures").join(kind))
        .expect("fixture folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    dirs
}

fn relative(p: &Path) -> PathBuf {
    p.strip_prefix(root())
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

fn name(p: &Path) -> String {
    p.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn invalid_fixtures_fail_check_with_located_errors() {
    for dir in cases("invalid") {
        let out = nedetid()
            .args(["check", "--now", NOW, "--schedules"])
            .arg(relative(&dir))
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{}", dir.display());
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        // Every problem names file:line:col.
        for line in stderr
            .lines()
            .map(str::trim_start)
            .filter(|l| l.starts_with("error: "))
        {
            let located = line
                .split(": ")
                .nth(1)
                .is_some_and(|loc| loc.matches(':').count() >= 2 || !loc.contains(".yaml"));
            assert!(located, "no line and column in {line:?}");
        }
        insta::assert_snapshot!(format!("invalid-{}", name(&dir)), stderr);
    }
}

#[test]
fn invalid_fixtures_write_nothing() {
    for dir in cases("invalid") {
        let out = tempfile::tempdir().expect("tempdir");
        let published = out.path().join("visma.ics");
        std::fs::write(&published, b"previously published\r\n").expect("seed output");
        let status = nedetid()
            .args(["build", "--now", NOW, "--schedules"])
            .arg(&dir)
            .arg("--out")
            .arg(out.path())
            .output()
            .expect("run")
            .status;
        assert_eq!(status.code(), Some(1), "{}", dir.display());
        let left: Vec<String> = std::fs::read_dir(out.path())
            .expect("read")
            .filter_map(Result::ok)
            .map(|e| name(&e.path()))
            .collect();
        assert_eq!(left, ["visma.ics"], "{}", dir.display());
        assert_eq!(
            std::fs::read(&published).ok().as_deref(),
            Some(&b"previously published\r\n"[..])
        );
    }
}

#[test]
fn valid_fixtures_build_lint_clean_feeds_that_parse_back_to_list() {
    for dir in cases("valid") {
        let out = build(&dir);
        let feeds = feeds(out.path());
        assert!(feeds.iter().any(|(n, _)| n == "all.ics"));
        for (file, bytes) in &feeds {
            assert_eq!(
                lint(bytes),
                Vec::<String>::new(),
                "{}/{file}",
                dir.display()
            );
            let system = file.trim_end_matches(".ics");
            let want = expected(&list(&dir, (system != "all").then_some(system)));
            assert_eq!(parse_feed(bytes), want, "{}/{file}", dir.display());
        }
        let all = feeds
            .iter()
            .find(|(n, _)| n == "all.ics")
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned());
        insta::assert_snapshot!(
            format!("valid-{}-all.ics", name(&dir)),
            all.unwrap_or_default()
        );
    }
}

#[test]
fn minimal_fixture_covers_dst_both_ways_and_every_exception() {
    let items = list(Path::new("tests/fixtures/valid/minimal"), None);
    let get = |uid_prefix: &str| {
        items
            .iter()
            .find(|i| i["uid"].as_str().is_some_and(|u| u.starts_with(uid_prefix)))
            .map(|i| {
                (
                    i["start"].as_str().unwrap_or_default().to_string(),
                    i["end"].as_str().unwrap_or_default().to_string(),
                )
            })
    };
    // 22:00 CET to 04:00 CEST: the night is one hour shorter.
    assert_eq!(
        get("sommertid@"),
        Some(("2019-03-30T21:00:00Z".into(), "2019-03-31T02:00:00Z".into()))
    );
    // 23:00 CEST to 05:00 CET: one hour longer.
    assert_eq!(
        get("vintertid@"),
        Some(("2019-10-26T21:00:00Z".into(), "2019-10-27T04:00:00Z".into()))
    );
    assert_eq!(get("vedlikehold.20190220@"), None, "skipped date");
    assert_eq!(get("vedlikehold.20190717@"), None, "skipped month");
    // Moved a week, with its own start time, keeping the rule date's UID.
    assert_eq!(
        get("vedlikehold.20190417@"),
        Some(("2019-04-24T15:00:00Z".into(), "2019-04-24T17:00:00Z".into()))
    );
    assert_eq!(
        get("vedlikehold.extra.20190516@"),
        Some(("2019-05-16T14:00:00Z".into(), "2019-05-16T17:00:00Z".into()))
    );
    assert_eq!(
        get("heldag@"),
        Some(("2019-06-03".into(), "2019-06-04".into()))
    );
    let maintenance = items.iter().filter(|i| i["kind"] == "maintenance").count();
    assert_eq!(
        maintenance,
        12 - 2 + 1,
        "12 rule dates, a skipped date and July left out, one extra"
    );
}

#[test]
fn list_filters_by_system_and_dates() {
    let all = list(Path::new(PAGE_2019), None);
    let visma = list(Path::new(PAGE_2019), Some("visma"));
    assert!(visma.len() < all.len());
    assert!(visma.iter().all(|i| {
        i["systems"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x == "visma"))
    }));
    let november = stdout(nedetid().args([
        "list",
        "--format",
        "json",
        "--from",
        "2019-11-01",
        "--to",
        "2019-11-30",
        "--now",
        NOW,
        "--schedules",
        PAGE_2019,
    ]));
    let november: Vec<serde_json::Value> = serde_json::from_str(&november).expect("json");
    let ids: Vec<&str> = november.iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "2019-11-03-nodstromstest",
            "2019-11-14-nettverk-gjovik",
            "manedlig-vedlikehold",
            "2019-11-29-flytting-datahall"
        ]
    );
    let table = stdout(nedetid().args(["list", "--now", NOW, "--schedules", PAGE_2019]));
    assert!(
        table.contains("2019-11-29 15:30")
            && table.ends_with("19 occurrences; local times in Europe/Oslo\n"),
        "{table}"
    );
}

#[test]
fn unknown_system_in_list_is_a_usage_error() {
    let out = nedetid()
        .args([
            "list",
            "--system",
            "vismaa",
            "--now",
            NOW,
            "--schedules",
            PAGE_2019,
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown system or bundle `vismaa`"));
}

#[test]
fn a_second_build_touches_no_file() {
    let out = build(Path::new(PAGE_2019));
    let times = |dir: &Path| -> Vec<(String, std::time::SystemTime)> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .expect("read")
            .filter_map(Result::ok)
            .map(|e| {
                (
                    name(&e.path()),
                    e.metadata().and_then(|m| m.modified()).expect("mtime"),
                )
            })
            .collect();
        v.sort();
        v
    };
    // The run record (for `nedetid status`) is the one file a no-op run
    // writes; every published file stays as it was.
    let run = out.path().join(".nedetid-run.json");
    let record = std::fs::read(&run).expect("the first build writes a run record");
    let published = |dir: &Path| {
        let mut v = times(dir);
        v.retain(|(n, _)| n != ".nedetid-run.json");
        v
    };
    let before = published(out.path());
    assert!(before.iter().any(|(n, _)| n == "manifest.json"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = stdout(
        nedetid()
            .args(["build", "--now", NOW, "--schedules", PAGE_2019, "--out"])
            .arg(out.path()),
    );
    assert!(
        second.ends_with(
            "unchanged (same schedules, nothing due before the next change); nothing written but the run record\n"
        ),
        "{second}"
    );
    assert_eq!(published(out.path()), before);
    assert_eq!(
        std::fs::read(&run).expect("run record"),
        record,
        "the same --now: the same record"
    );
}

#[test]
fn timings_are_printed_only_when_asked_for() {
    let out = tempfile::tempdir().expect("tempdir");
    let run = |timings: bool| {
        let mut cmd = nedetid();
        cmd.args(["build", "--now", NOW, "--schedules", PAGE_2019, "--out"])
            .arg(out.path());
        if timings {
            cmd.env("NEDETID_TIMINGS", "1");
        } else {
            cmd.env_remove("NEDETID_TIMINGS");
        }
        let output = cmd.output().expect("run nedetid");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stderr).expect("UTF-8")
    };
    let quiet = run(false);
    assert!(!quiet.contains("timing "), "{quiet}");
    // Into a fresh folder: every stage of a build runs.
    std::fs::remove_dir_all(out.path()).expect("empty the folder");
    let timed = run(true);
    // `timing <ms since start> ms <ms since the thread's last mark> ms <thread> <stage>`
    let marks: Vec<(f64, &str)> = timed
        .lines()
        .filter_map(|l| l.strip_prefix("timing "))
        .map(|l| {
            let at = l.split_whitespace().next().expect("a time");
            (at.parse().expect("milliseconds"), l.trim_end())
        })
        .collect();
    for stage in [
        "schedules read",
        "validated",
        "expanded",
        "feed list",
        "published",
    ] {
        assert!(
            marks.iter().any(|(_, l)| l.ends_with(stage)),
            "{stage} in {timed}"
        );
    }
    assert!(
        marks.windows(2).all(|w| w[0].0 <= w[1].0),
        "in the order of time: {timed}"
    );
}

#[cfg(unix)]
#[test]
fn published_files_are_world_readable() {
    use std::os::unix::fs::PermissionsExt as _;
    let out = build(Path::new(PAGE_2019));
    for (file, _) in feeds(out.path()) {
        let mode = std::fs::metadata(out.path().join(&file))
            .expect("stat")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o644, "{file}");
    }
}

#[test]
fn check_counts_what_it_validated() {
    let out = stdout(nedetid().args(["check", "--now", NOW, "--schedules", PAGE_2019]));
    assert_eq!(
        out,
        "tests/fixtures/page-2019: 12 systems, 8 outages, 1 maintenance series, 19 occurrences\n"
    );
}

#[test]
fn warnings_print_and_pass_unless_denied() {
    for dir in cases("warnings") {
        let args = ["check", "--now", "2019-06-01T00:00:00Z", "--schedules"];
        let out = nedetid()
            .args(args)
            .arg(relative(&dir))
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{}", dir.display());
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(stderr.starts_with("  warning: "), "{stderr}");
        insta::assert_snapshot!(format!("warnings-{}", name(&dir)), stderr);
        let denied = nedetid()
            .args(args)
            .arg(relative(&dir))
            .arg("--deny-warnings")
            .output()
            .expect("run");
        assert_eq!(denied.status.code(), Some(1));
    }
}

#[test]
fn the_default_schedules_have_no_warnings() {
    let out = nedetid()
        .args(["check", "--deny-warnings"])
        .output()
        .expect("run");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_50_mb_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.yaml");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(50 * 1024 * 1024).expect("50 MB");
    let out = nedetid()
        .args(["check", "--schedules"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("huge.yaml: the file is 52428800 bytes; the limit is 16777216 bytes"),
        "{stderr}"
    );
}

#[test]
fn hostile_text_never_breaks_a_feed() {
    let out = build(Path::new("tests/fixtures/valid/hostile-text"));
    let bytes = std::fs::read(out.path().join("all.ics")).expect("feed");
    assert_eq!(lint(&bytes), Vec::<String>::new());
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    assert!(!text.contains('\u{7}') && !text.contains('\u{0}') && !text.contains('\u{1b}'));
    let events = parse_feed(&bytes);
    assert_eq!(events.len(), 1);
    assert!(
        events[0]
            .summary
            .contains("Linje én\nlinje to\nlinje tre 🛠️🔥"),
        "{:?}",
        events[0].summary
    );
    assert!(
        events[0]
            .summary
            .ends_with("; komma, semikolon; \\backslash"),
        "{:?}",
        events[0].summary
    );
    let page = std::fs::read_to_string(out.path().join("index.html")).expect("page");
    assert!(
        !page.contains("<script>alert(1)</script>"),
        "the page escapes schedule text"
    );
}

#[test]
fn check_reports_problems_of_every_file_and_stage_in_one_run() {
    let dir = Path::new("tests/fixtures/invalid/problems-in-two-files");
    let out = nedetid()
        .args(["check", "--now", NOW, "--schedules"])
        .arg(dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("error: "))
        .collect();
    // Validation of one file (an unknown system), validation of a rule's
    // exceptions in another, and expansion (a window in the skipped hour).
    assert!(
        errors[0].contains("a-outages.yaml:10:22: unknown system `gatt`"),
        "{stderr}"
    );
    assert!(
        errors[1].contains("b-maintenance.yaml:11:15: moved date 2019-04-18 is not an occurrence"),
        "{stderr}"
    );
    assert!(
        errors[2].contains("b-maintenance.yaml:19:17: 2019-03-31 02:30 does not exist"),
        "{stderr}"
    );
    assert_eq!(errors.len(), 3, "{stderr}");
    // The two warnings: no `uid-domain`, no `base-url` (no settings at all).
    assert!(stderr.ends_with("3 errors, 2 warnings\n"), "{stderr}");
}

/// A copy of the 2019 page with `extra` added, for `check`.
#[cfg(unix)]
fn check_with(extra: impl Fn(&Path)) -> std::process::Output {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(root().join(PAGE_2019))
        .expect("the 2019 fixture")
        .filter_map(Result::ok)
    {
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
    }
    extra(dir.path());
    run_within(
        std::time::Duration::from_secs(20),
        &[
            std::ffi::OsStr::new("check"),
            std::ffi::OsStr::new("--schedules"),
            dir.path().as_os_str(),
        ],
    )
}

#[cfg(unix)]
#[test]
fn a_schedule_that_is_not_a_regular_file_is_an_error_not_skipped() {
    let link = |target: &'static str| {
        move |dir: &Path| {
            std::os::unix::fs::symlink(target, dir.join("x.yaml")).expect("ln");
        }
    };
    let fifo = |dir: &Path| {
        let made = std::process::Command::new("mkfifo")
            .arg(dir.join("x.yaml"))
            .status()
            .expect("mkfifo");
        assert!(made.success());
    };
    let folder = |dir: &Path| std::fs::create_dir(dir.join("x.yml")).expect("mkdir");
    type Setup = Box<dyn Fn(&Path)>;
    let cases: [(&str, Setup, &str); 4] = [
        (
            "dangling link",
            Box::new(link("gone.yaml")),
            "x.yaml: is a symbolic link to `gone.yaml`, which does not exist; fix the link or remove it",
        ),
        (
            "fifo",
            Box::new(fifo),
            "x.yaml: it is a named pipe (FIFO), not a regular file, so it cannot be read as a schedule",
        ),
        (
            "device",
            Box::new(link("/dev/zero")),
            "x.yaml: it is a device, not a regular file",
        ),
        (
            "folder",
            Box::new(folder),
            "x.yml: it is a folder, not a regular file",
        ),
    ];
    for (case, setup, says) in cases {
        let out = check_with(setup);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{case}: {stderr}");
        assert!(stderr.contains(says), "{case}: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn an_editors_lock_file_is_not_a_schedule() {
    // Emacs marks a file being edited with `.#name.yaml`, a link to nothing.
    let out = check_with(|dir: &Path| {
        std::os::unix::fs::symlink("user@host.1234:1700000000", dir.join(".#nedetid-2019.yaml"))
            .expect("ln");
    });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn the_size_limit_holds_for_files_that_claim_to_be_empty() {
    // /proc files say they are 0 bytes; this one is gigabytes long.
    if !Path::new("/proc/self/pagemap").exists() {
        return;
    }
    let out = check_with(|dir| {
        std::os::unix::fs::symlink("/proc/self/pagemap", dir.join("x.yaml")).expect("ln");
    });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("x.yaml: the file is over 16777216 bytes, the limit"),
        "{stderr}"
    );
}

#[test]
fn feeds_show_their_systems_items_dependencies_and_bundles() {
    let dir = Path::new("tests/fixtures/valid/bundles-and-dependencies");
    let out = build(&root().join(dir));
    let feeds = feeds(out.path());
    let text = |name: &str| -> String {
        let bytes = feeds
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| panic!("no {name}"));
        String::from_utf8_lossy(&bytes).replace("\r\n ", "")
    };
    let event = |feed: &str, uid: &str| -> Option<String> {
        let t = text(feed);
        let start = t.find(&format!("UID:{uid}@"))?;
        t[start..].split("END:VEVENT").next().map(str::to_string)
    };
    let summary = |feed: &str, uid: &str| -> Option<String> {
        let e = event(feed, uid)?;
        e.lines()
            .find(|l| l.starts_with("SUMMARY:"))
            .map(str::to_string)
    };
    // Hit: the system's own items and the general ones; its impact.
    let visma = event("visma.ics", "flytting").expect("visma has it");
    assert!(
        visma.contains("- Alt på nettet er nede.\\n- Visma er tregt."),
        "{visma}"
    );
    assert!(!visma.contains("Telefonene"), "{visma}");
    assert_eq!(
        summary("visma.ics", "flytting").as_deref(),
        Some("SUMMARY:Internett\\, Visma: Flytting av datasenter (redusert drift)")
    );
    // Through two dependencies: marked, with the dependant's items.
    assert_eq!(
        summary("sentralbord.ics", "flytting").as_deref(),
        Some("SUMMARY:Følge av nedetid på Internett: Flytting av datasenter")
    );
    let sentralbord = event("sentralbord.ics", "flytting").unwrap_or_default();
    assert!(
        sentralbord.contains("Sentralbord er avhengig av Internett"),
        "{sentralbord}"
    );
    assert!(
        sentralbord.contains("- Telefonene virker ikke."),
        "{sentralbord}"
    );
    assert!(!sentralbord.contains("Visma er tregt"), "{sentralbord}");
    assert!(event("gat.ics", "flytting").is_none());
    // The series' dates in the dependants' feeds too.
    assert!(event("telefoni.ics", "ruter.20261201").is_some());
    // A bundle of a bundle: every event of its systems, each once.
    let kontor = text("kontor.ics");
    for uid in ["flytting", "nettverk", "gat-oppgradering", "ruter.20261201"] {
        assert_eq!(
            kontor.matches(&format!("UID:{uid}@")).count(),
            1,
            "{uid} in kontor.ics"
        );
    }
    // All: everything, items named by system, no dependency marking.
    let all = event("all.ics", "flytting").unwrap_or_default();
    assert!(
        all.contains(
            "- Sentralbord\\, Telefoni: Telefonene virker ikke.\\n- Visma: Visma er tregt."
        ),
        "{all}"
    );
    insta::assert_snapshot!("bundles-sentralbord.ics", text("sentralbord.ics"));
    insta::assert_snapshot!("bundles-kontor.ics", text("kontor.ics"));
}
