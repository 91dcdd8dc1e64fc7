//! `nedetid init`: a starter folder that checks without errors, builds,
//! and has its dates ahead; it never writes into a folder that holds files.

mod common;

use std::path::Path;

use common::*;

fn run(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = nedetid().args(args).arg(dir).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn init_then_check_and_build() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("kommune");
    let now = "2026-11-30T10:00:00Z";
    let (code, said, err) = run(&["init", "--now", now], &dir);
    assert_eq!(code, 0, "{err}");
    assert!(
        said.contains("innstillinger.yaml") && said.contains("nedetid.yaml"),
        "{said}"
    );
    // Valid; the two warnings say what to set before publishing.
    let (code, said, err) = run(&["check", "--now", now, "--schedules"], &dir);
    assert_eq!(code, 0, "{err}");
    assert!(
        said.ends_with("2 systems, 1 outages, 1 maintenance series, 13 occurrences\n"),
        "{said}"
    );
    assert!(err.ends_with("0 errors, 2 warnings\n"), "{err}");
    assert!(
        err.contains("no `uid-domain`") && err.contains("no `base-url`"),
        "{err}"
    );
    // The outage is next month; the skipped date is a real occurrence (or
    // check would have failed), in the month after.
    let text = std::fs::read_to_string(dir.join("nedetid.yaml")).expect("read");
    assert!(text.contains("start: 2026-12-10 18:00"), "{text}");
    assert!(text.contains("- date: 2027-01-12"), "{text}");
    let out = tmp.path().join("web");
    let built = nedetid()
        .args(["build", "--now", now, "--schedules"])
        .arg(&dir)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    for feed in ["all.ics", "e-post.ics", "fagsystem.ics", "index.html"] {
        assert!(out.join(feed).is_file(), "{feed}");
    }
    // Set the two keys as the comments say: no warnings left.
    let settings = dir.join("innstillinger.yaml");
    let text = std::fs::read_to_string(&settings).expect("read");
    let text = text
        .replace("  # uid-domain: ", "  uid-domain: ")
        .replace("  # base-url: ", "  base-url: ");
    std::fs::write(&settings, text).expect("write");
    let (code, _, err) = run(
        &["check", "--deny-warnings", "--now", now, "--schedules"],
        &dir,
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn init_with_the_clock_puts_every_date_ahead() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("ny");
    assert_eq!(run(&["init"], &dir).0, 0);
    let (code, json, err) = run(&["list", "--format", "json", "--schedules"], &dir);
    assert_eq!(code, 0, "{err}");
    let listed: Vec<serde_json::Value> = serde_json::from_str(&json).expect("json");
    assert!(
        listed.len() > 10,
        "the outage and a year of the rule: {json}"
    );
    let today = chrono::Utc::now().date_naive().to_string();
    assert!(!listed.is_empty());
    for item in &listed {
        let start = item["start"].as_str().unwrap_or_default();
        assert!(
            start[..10] > *today.as_str(),
            "{start} is not after {today}"
        );
    }
}

#[test]
fn init_refuses_a_folder_that_holds_anything() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("mine.yaml"), "systems: []\n").expect("write");
    let (code, _, err) = run(&["init"], tmp.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not empty (it holds `mine.yaml`)"), "{err}");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("mine.yaml"))
            .ok()
            .as_deref(),
        Some("systems: []\n")
    );
    assert!(!tmp.path().join("nedetid.yaml").exists());
    // An empty folder is fine.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    assert_eq!(run(&["init"], &empty).0, 0);
    assert!(empty.join("nedetid.yaml").is_file());
    // A file is refused.
    let (code, _, err) = run(&["init"], &tmp.path().join("mine.yaml"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is a file, not a folder"), "{err}");
}

#[test]
fn the_starter_is_valid_whatever_the_month() {
    // Every month of ten years, in process: no errors, and no warnings but
    // the two settings to fill in (no holiday, overlap or other warning).
    use chrono::{Datelike as _, TimeZone as _};
    for months in 0..120i32 {
        let (year, month) = (
            2026 + months / 12,
            1 + u32::try_from(months % 12).expect("month"),
        );
        for day in [1, 15, 28] {
            let now = chrono::Utc
                .with_ymd_and_hms(year, month, day, 23, 30, 0)
                .single()
                .expect("time");
            // The schedule files, as `check` reads the folder (not schema.json).
            let files: Vec<(std::path::PathBuf, Vec<u8>)> = nedetid::init::files(now)
                .into_iter()
                .filter(|(n, _)| n.ends_with(".yaml"))
                .map(|(n, t)| (n.into(), t.into_bytes()))
                .collect();
            let checked =
                nedetid::pipeline::load_memory(&files).unwrap_or_else(|e| panic!("{now}: {e}"));
            let expansion = nedetid::pipeline::expansion(&checked, now)
                .unwrap_or_else(|e| panic!("{now}: {e}"));
            let warnings = nedetid::pipeline::warnings(&checked, &expansion, now);
            let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
            assert_eq!(messages.len(), 2, "{now}: {messages:?}");
            assert!(
                expansion.occurrences.iter().all(|o| o
                    .time
                    .instants(expansion.schedule.settings.zone)
                    .0
                    > now),
                "{now}: a date not ahead"
            );
            assert!(now.year() >= 2026);
        }
    }
}
