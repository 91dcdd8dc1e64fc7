//! `nedetid status` against output folders, with fake clocks (`--now`):
//! OK after a build, OK after a no-op run weeks later (the run record is
//! the trace), CRITICAL after a missed night or with no state, UNKNOWN when
//! it cannot tell, WARNING when the last build printed warnings.

mod common;

use std::path::Path;

use common::*;

fn build_at(schedules: &str, out: &Path, now: &str) -> String {
    stdout(
        nedetid()
            .args(["build", "--now", now, "--schedules", schedules, "--out"])
            .arg(out),
    )
}

/// Exit code and stdout of `status`.
fn status(out: &Path, now: &str, extra: &[&str]) -> (i32, String) {
    let run = nedetid()
        .args(["status", "--now", now, "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("run");
    (
        run.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&run.stdout).into_owned(),
    )
}

#[test]
fn ok_after_builds_and_no_op_runs_critical_after_a_missed_night() {
    let out = tempfile::tempdir().expect("tempdir");
    build_at(PAGE_2019, out.path(), "2026-11-01T02:15:00Z");
    let (code, text) = status(out.path(), "2026-11-01T08:00:00Z", &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.starts_with(
            "NEDETID OK - last run 2026-11-01T02:15:00Z (5h 45m ago), content changed 2026-11-01T02:15:00Z, 13 feeds, 19 events, nedetid "
        ),
        "{text}"
    );
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.ends_with("| age=20700s;;93600;0 feeds=13 events=19 warnings=0")),
        "{text}"
    );
    // Four weeks of nightly runs on unchanged schedules: nothing published
    // is written, but each run leaves its trace.
    let said = build_at(PAGE_2019, out.path(), "2026-11-29T02:15:00Z");
    assert!(
        said.contains("nothing written but the run record"),
        "{said}"
    );
    let (code, text) = status(out.path(), "2026-11-29T08:00:00Z", &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.starts_with("NEDETID OK - last run 2026-11-29T02:15:00Z (5h 45m ago), content changed 2026-11-01T02:15:00Z,"),
        "{text}"
    );
    // The night of the 30th was missed: that morning the last run is
    // nearly 30 hours old.
    let (code, text) = status(out.path(), "2026-11-30T08:00:00Z", &[]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.starts_with("NEDETID CRITICAL - last successful run 2026-11-29T02:15:00Z is 1d 5h old, over the 1d 2h allowed"),
        "{text}"
    );
    // A longer limit, and a warning limit.
    assert_eq!(
        status(out.path(), "2026-12-01T08:15:00Z", &["--max-age", "P4D"]).0,
        0
    );
    let (code, text) = status(
        out.path(),
        "2026-11-30T08:00:00Z",
        &["--max-age", "P2D", "--warn-age", "P1D"],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.starts_with("NEDETID WARNING - "), "{text}");
}

#[test]
fn critical_without_state_unknown_when_it_cannot_tell() {
    let empty = tempfile::tempdir().expect("tempdir");
    let (code, text) = status(empty.path(), "2026-11-01T08:00:00Z", &[]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.starts_with("NEDETID CRITICAL - no build has published into"),
        "{text}"
    );
    assert!(text.contains("it has no `manifest.json`"), "{text}");
    let (code, text) = status(&empty.path().join("gone"), "2026-11-01T08:00:00Z", &[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("the folder does not exist"), "{text}");

    let out = tempfile::tempdir().expect("tempdir");
    build_at(PAGE_2019, out.path(), "2026-11-01T02:15:00Z");
    let run = out.path().join(".nedetid-run.json");
    std::fs::write(&run, "{not json").expect("write");
    let (code, text) = status(out.path(), "2026-11-01T08:00:00Z", &[]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("the run record is not one nedetid wrote"),
        "{text}"
    );
    std::fs::remove_file(&run).expect("rm");
    let (code, text) = status(out.path(), "2026-11-01T08:00:00Z", &[]);
    assert_eq!(code, 3, "{text}");
    assert!(text.starts_with("NEDETID UNKNOWN - "), "{text}");
    let (code, text) = status(out.path(), "2026-11-01T08:00:00Z", &["--max-age", "26h"]);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("--max-age `26h` is not a duration"), "{text}");
    std::fs::write(out.path().join("manifest.json"), "{").expect("corrupt");
    assert_eq!(status(out.path(), "2026-11-01T08:00:00Z", &[]).0, 2);
}

#[test]
fn warning_when_the_last_build_printed_warnings() {
    let out = tempfile::tempdir().expect("tempdir");
    build_at(
        "tests/fixtures/warnings/unreachable-base-url",
        out.path(),
        "2026-11-01T02:15:00Z",
    );
    let (code, text) = status(out.path(), "2026-11-01T03:00:00Z", &[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("printed 2 warnings"), "{text}");
    // A no-op run keeps the count: the schedules are the same.
    build_at(
        "tests/fixtures/warnings/unreachable-base-url",
        out.path(),
        "2026-11-02T02:15:00Z",
    );
    assert_eq!(status(out.path(), "2026-11-02T03:00:00Z", &[]).0, 1);
}

#[cfg(unix)]
#[test]
fn the_run_record_is_a_dot_file_0644_and_the_only_file_a_no_op_run_writes() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let out = tempfile::tempdir().expect("tempdir");
    build_at(PAGE_2019, out.path(), "2026-11-01T02:15:00Z");
    let stats = |dir: &Path| {
        let mut v: Vec<(String, u64, i64, i64)> = std::fs::read_dir(dir)
            .expect("read")
            .flatten()
            .map(|e| {
                let m = e.metadata().expect("stat");
                (
                    e.file_name().to_string_lossy().into_owned(),
                    m.ino(),
                    m.mtime_nsec(),
                    m.ctime_nsec(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = stats(out.path());
    std::thread::sleep(std::time::Duration::from_millis(20));
    build_at(PAGE_2019, out.path(), "2026-11-02T02:15:00Z");
    let after = stats(out.path());
    let changed: Vec<&str> = after
        .iter()
        .filter(|a| !before.contains(a))
        .map(|a| a.0.as_str())
        .collect();
    assert_eq!(changed, [".nedetid-run.json"]);
    let mode = std::fs::metadata(out.path().join(".nedetid-run.json"))
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}
