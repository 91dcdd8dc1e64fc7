//! `nedetid import`: nedetid's own feeds (both recurrence forms) imported
//! and built again give the same occurrences (times and titles, as `list
//! --format json` reports them); an Outlook-style and a Google-style export
//! (hand-written fixtures) import with every event accounted for, to the
//! occurrences worked out by hand.

mod common;

use std::path::Path;

use common::{PAGE_2019, nedetid, stdout};
use serde_json::Value;

const ROUNDTRIP: &str = "tests/fixtures/import/roundtrip";

/// (start, end, all day, title) of every occurrence in `dir`, sorted;
/// `summary` takes the feed's SUMMARY (with its systems prefix), which is
/// what an import keeps as the title.
fn occurrences(dir: &Path, now: &str, summary: bool) -> Vec<(String, String, bool, String)> {
    let json = stdout(nedetid().args([
        "list",
        "--schedules",
        dir.to_str().unwrap(),
        "--now",
        now,
        "--format",
        "json",
    ]));
    let items: Vec<Value> = serde_json::from_str(&json).unwrap();
    let mut out: Vec<_> = items
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or_default().to_string();
            (
                s("start"),
                s("end"),
                i["all_day"].as_bool().unwrap(),
                s(if summary { "summary" } else { "title" }),
            )
        })
        .collect();
    out.sort();
    out
}

/// Builds `schedules` in `form`, imports its `all.ics`, and returns the
/// folder holding the import and the import's stderr.
fn build_and_import(
    schedules: &str,
    form: &str,
    now: &str,
    tmp: &Path,
) -> (std::path::PathBuf, String) {
    let out = tmp.join(format!("out-{form}"));
    nedetid()
        .args(["build", "--schedules", schedules, "--out"])
        .arg(&out)
        .args(["--now", now, "--recurrence", form])
        .assert()
        .success();
    let imported = tmp.join(format!("imported-{form}"));
    std::fs::create_dir(&imported).unwrap();
    let result = nedetid()
        .arg("import")
        .arg(out.join("all.ics"))
        .args(["--now", now, "-o"])
        .arg(imported.join("imported.yaml"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(result.stderr).unwrap();
    assert!(result.status.success(), "{stderr}");
    (imported, stderr)
}

fn round_trip(schedules: &str, now: &str) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let want = occurrences(Path::new(schedules), now, true);
    assert!(want.len() >= 19, "{want:?}");
    let mut reports = Vec::new();
    for form in ["expand", "rrule"] {
        let (dir, report) = build_and_import(schedules, form, now, tmp.path());
        nedetid()
            .args(["check", "--schedules"])
            .arg(&dir)
            .args(["--now", now])
            .assert()
            .success();
        let got = occurrences(&dir, now, false);
        assert_eq!(got, want, "{form}: {report}");
        reports.push(report);
    }
    reports
}

#[test]
fn the_2019_page_survives_a_round_trip_in_both_forms() {
    let reports = round_trip(PAGE_2019, common::NOW);
    // The default rule stays expanded in RRULE form: 19 events either way.
    for r in reports {
        assert!(
            r.starts_with("imported 19 events: 19 outages, 0 maintenance series"),
            "{r}"
        );
        assert!(!r.contains("not imported"), "{r}");
    }
}

#[test]
fn a_series_in_rrule_form_comes_back_as_maintenance_with_its_skip_and_move() {
    let reports = round_trip(ROUNDTRIP, "2026-01-01T00:00:00Z");
    assert!(
        reports[0].starts_with("imported 21 events: 21 outages, 0 maintenance series"),
        "{}",
        reports[0]
    );
    // The monthly series is a rule with an EXDATE and a RECURRENCE-ID
    // override; the weekly one crosses the spring change and stays expanded.
    assert!(
        reports[1].starts_with(
            "imported 12 events: 10 outages, 1 maintenance series (1 skipped dates, 1 moves, 0 extra dates)"
        ),
        "{}",
        reports[1]
    );
}

fn import(feed: &str) -> (String, String) {
    let out = nedetid()
        .args(["import", feed, "--now", "2026-01-01"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// Imports `feed` into a folder and returns its occurrences in UTC.
fn imported_occurrences(feed: &str) -> (Vec<(String, String, bool, String)>, String) {
    let (yaml, report) = import(feed);
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("imported.yaml"), &yaml).unwrap();
    (
        occurrences(tmp.path(), "2026-01-01T00:00:00Z", false),
        report,
    )
}

/// Every VEVENT of `feed` (by its SUMMARY) is an occurrence of the import
/// or named in the report's "not imported" part.
fn assert_accounted_for(feed: &str, got: &[(String, String, bool, String)], report: &str) {
    let text = std::fs::read_to_string(feed).unwrap();
    let unfolded = text.replace("\r\n ", "");
    let dropped = report
        .split("changed to fit the format")
        .next()
        .unwrap()
        .split("not imported (")
        .nth(1)
        .unwrap_or("");
    let mut events = 0;
    for summary in unfolded.lines().filter_map(|l| {
        l.strip_prefix("SUMMARY:")
            .or_else(|| l.strip_prefix("SUMMARY;LANGUAGE=nb-no:"))
    }) {
        events += 1;
        assert!(
            got.iter().any(|o| o.3 == summary) || dropped.contains(&format!("`{summary}`")),
            "{summary} is neither imported nor reported: {report}"
        );
    }
    assert_eq!(events, text.matches("BEGIN:VEVENT").count());
}

fn occ(start: &str, end: &str, all_day: bool, title: &str) -> (String, String, bool, String) {
    (start.into(), end.into(), all_day, title.into())
}

#[test]
fn an_outlook_export_imports_with_every_event_accounted_for() {
    let feed = "tests/fixtures/import/outlook-export.ics";
    let text = std::fs::read_to_string(feed).unwrap();
    let (got, report) = imported_occurrences(feed);
    assert_accounted_for(feed, &got, &report);
    let patch = "Månedlig patching";
    let mut want = vec![
        // Second Tuesdays 18:00-21:00 Oslo, less the EXDATEs (14 July, 11
        // August), 14 April moved to the 15th 17:00-20:00, and 13 October an
        // override with its own title.
        occ("2026-01-13T17:00:00Z", "2026-01-13T20:00:00Z", false, patch),
        occ("2026-02-10T17:00:00Z", "2026-02-10T20:00:00Z", false, patch),
        occ("2026-03-10T17:00:00Z", "2026-03-10T20:00:00Z", false, patch),
        occ("2026-04-15T15:00:00Z", "2026-04-15T18:00:00Z", false, patch),
        occ("2026-05-12T16:00:00Z", "2026-05-12T19:00:00Z", false, patch),
        occ("2026-06-09T16:00:00Z", "2026-06-09T19:00:00Z", false, patch),
        occ("2026-09-08T16:00:00Z", "2026-09-08T19:00:00Z", false, patch),
        occ(
            "2026-10-13T16:00:00Z",
            "2026-10-13T21:00:00Z",
            false,
            "Månedlig patching og databaseoppgradering",
        ),
        occ("2026-11-10T17:00:00Z", "2026-11-10T20:00:00Z", false, patch),
        occ("2026-12-08T17:00:00Z", "2026-12-08T20:00:00Z", false, patch),
        // 09:00 London (GMT) is 10:00 in Oslo.
        occ(
            "2026-03-12T09:00:00Z",
            "2026-03-12T11:00:00Z",
            false,
            "Oppgradering av sakssystemet",
        ),
        // All day, the 20th to the 22nd (`list` gives the exclusive end).
        occ(
            "2026-04-20",
            "2026-04-23",
            true,
            "Visma flyttes til ny server",
        ),
        // DTSTART and its RDATE.
        occ(
            "2026-06-03T13:00:00Z",
            "2026-06-03T15:00:00Z",
            false,
            "Bytte av telefonsentral",
        ),
        occ(
            "2026-06-10T13:00:00Z",
            "2026-06-10T15:00:00Z",
            false,
            "Bytte av telefonsentral",
        ),
    ];
    // Fridays 22:00-02:00 Oslo, COUNT=10: a window across midnight cannot be
    // maintenance, so one outage each; CET to 27 March, then CEST.
    let backup = "Sikkerhetskopi av filserverne";
    for (day, next) in [
        ("03-06", "03-07"),
        ("03-13", "03-14"),
        ("03-20", "03-21"),
        ("03-27", "03-28"),
    ] {
        want.push(occ(
            &format!("2026-{day}T21:00:00Z"),
            &format!("2026-{next}T01:00:00Z"),
            false,
            backup,
        ));
    }
    for (day, next) in [
        ("04-03", "04-04"),
        ("04-10", "04-11"),
        ("04-17", "04-18"),
        ("04-24", "04-25"),
        ("05-01", "05-02"),
        ("05-08", "05-09"),
    ] {
        want.push(occ(
            &format!("2026-{day}T20:00:00Z"),
            &format!("2026-{next}T00:00:00Z"),
            false,
            backup,
        ));
    }
    want.sort();
    assert_eq!(got, want, "{report}");
    assert!(report.starts_with("imported 9 events: 15 outages, 1 maintenance series (3 skipped dates, 1 moves, 0 extra dates), times in Europe/Oslo"), "{report}");
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 9);
    // The three that cannot be expressed, each named.
    for (summary, why) in [
        (
            "Test av reservestrøm",
            "unknown time zone `Customized Time Zone`",
        ),
        (
            "Sikkerhetskopi av filserverne",
            "its window crosses midnight",
        ),
        ("Skyflytting", "it lasts more than 31 days"),
    ] {
        assert!(
            report
                .lines()
                .any(|l| l.contains(summary) && l.contains(why)),
            "{summary}: {report}"
        );
    }
    assert!(
        report
            .contains("time zone `Customized Time Zone`: neither an IANA nor a Windows zone name")
    );
    assert!(
        report.contains("the override of 2026-10-13 cannot be a move (it changes SUMMARY too)")
    );
    assert!(report.contains("RDATE 2026-06-10 15:00 imported as an outage of its own"));
    assert!(report.contains("the series cannot be maintenance: its window crosses midnight (a maintenance window ends on the day it starts); its 10 occurrences imported as outages"), "{report}");
    assert!(report.contains("VALARM component (1)"), "{report}");
    assert!(report.contains("X-MS-OLK-CONFTYPE (8)"), "{report}");
}

#[test]
fn a_google_export_imports_with_every_event_accounted_for() {
    let feed = "tests/fixtures/import/google-export.ics";
    let (got, report) = imported_occurrences(feed);
    assert_accounted_for(feed, &got, &report);
    let printers = "Oppdatering av skrivere";
    let restart = "Omstart av terminalservere";
    let mut want = vec![
        // Weekly on Wednesdays to UNTIL 2026-03-31T21:59:59Z (the 31st in
        // Oslo), the 18th cancelled by its override.
        occ(
            "2026-03-04T06:00:00Z",
            "2026-03-04T07:00:00Z",
            false,
            printers,
        ),
        occ(
            "2026-03-11T06:00:00Z",
            "2026-03-11T07:00:00Z",
            false,
            printers,
        ),
        occ(
            "2026-03-25T06:00:00Z",
            "2026-03-25T07:00:00Z",
            false,
            printers,
        ),
        // UTC times as written.
        occ(
            "2026-03-10T17:00:00Z",
            "2026-03-10T19:00:00Z",
            false,
            "Nettverksarbeid",
        ),
        occ(
            "2026-04-01",
            "2026-04-02",
            true,
            "Lønnskjøring – Visma stengt",
        ),
        // COUNT=3, daily, in summer time.
        occ(
            "2026-05-04T04:00:00Z",
            "2026-05-04T04:30:00Z",
            false,
            restart,
        ),
        occ(
            "2026-05-05T04:00:00Z",
            "2026-05-05T04:30:00Z",
            false,
            restart,
        ),
        occ(
            "2026-05-06T04:00:00Z",
            "2026-05-06T04:30:00Z",
            false,
            restart,
        ),
    ];
    // BYHOUR=8,14 daily to UNTIL 2026-06-05T22:00:00Z: one outage each.
    for day in 1..=5 {
        for hour in [6, 12] {
            want.push(occ(
                &format!("2026-06-0{day}T{hour:02}:00:00Z"),
                &format!("2026-06-0{day}T{:02}:00:00Z", hour + 1),
                false,
                "Overvåking av replikering",
            ));
        }
    }
    want.sort();
    assert_eq!(got, want, "{report}");
    assert!(report.starts_with("imported 6 events: 12 outages, 2 maintenance series (1 skipped dates, 0 moves, 0 extra dates), times in Europe/Oslo"), "{report}");
    assert!(report.contains("`Overvåking av replikering` (5g6h7j8k9l0z1x2c3v4b5n6m7q@google.com): the series cannot be maintenance: its RRULE has BYHOUR (times come from the window); its 10 occurrences imported as outages"), "{report}");
    assert!(report.contains("the cancelled occurrence 2026-03-18 imported as a skipped date"));
    assert!(report.contains("ATTENDEE (1)"), "{report}");
    // The text as written: escapes undone, the tentative status kept.
    let (yaml, _) = import(feed);
    assert!(
        yaml.contains("location: \"Rådhuset, serverrommet\""),
        "{yaml}"
    );
    assert!(
        yaml.contains("kjernenettet; internett og telefoni"),
        "{yaml}"
    );
    assert!(yaml.contains("status: tentative"), "{yaml}");
}

#[test]
fn import_names_the_systems_and_refuses_what_is_not_a_calendar() {
    let out = stdout(nedetid().args([
        "import",
        "tests/fixtures/import/google-export.ics",
        "--systems",
        "skrivere=Skrivere,nett",
        "--now",
        "2026-01-01",
    ]));
    assert!(
        out.contains(
            "systems:\n  - id: skrivere\n    name: \"Skrivere\"\n  - id: nett\n    name: \"nett\"\n"
        ),
        "{out}"
    );
    nedetid()
        .args(["import", "tests/fixtures/page-2019/innstillinger.yaml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not an iCalendar file"));
    // An existing file is never overwritten.
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("x.yaml");
    std::fs::write(&target, "keep").unwrap();
    nedetid()
        .args(["import", "tests/fixtures/import/google-export.ics", "-o"])
        .arg(&target)
        .assert()
        .code(3);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
}
