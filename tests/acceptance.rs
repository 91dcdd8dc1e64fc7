//! The acceptance test: the 2019 page (`tests/fixtures/page-2019`) gives
//! exactly the published evenings and outages, and the committed `out/` is
//! what `build` makes of the default schedules (`schedules/`).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;

fn default_list() -> Vec<serde_json::Value> {
    list(Path::new(PAGE_2019), None)
}

fn field<'a>(v: &'a serde_json::Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_default()
}

#[test]
fn maintenance_gives_exactly_the_eleven_published_evenings() {
    let items = default_list();
    let maintenance: Vec<(&str, &str, &str)> = items
        .iter()
        .filter(|i| field(i, "kind") == "maintenance")
        .map(|i| (field(i, "start_local"), field(i, "start"), field(i, "end")))
        .collect();
    // 16:00-19:00 local: 15:00-18:00 UTC in winter (CET), 14:00-17:00 in summer (CEST).
    let expected = [
        (
            "2019-02-20T16:00:00",
            "2019-02-20T15:00:00Z",
            "2019-02-20T18:00:00Z",
        ),
        (
            "2019-03-20T16:00:00",
            "2019-03-20T15:00:00Z",
            "2019-03-20T18:00:00Z",
        ),
        (
            "2019-04-24T16:00:00",
            "2019-04-24T14:00:00Z",
            "2019-04-24T17:00:00Z",
        ),
        (
            "2019-05-22T16:00:00",
            "2019-05-22T14:00:00Z",
            "2019-05-22T17:00:00Z",
        ),
        (
            "2019-05-23T16:00:00",
            "2019-05-23T14:00:00Z",
            "2019-05-23T17:00:00Z",
        ),
        (
            "2019-06-19T16:00:00",
            "2019-06-19T14:00:00Z",
            "2019-06-19T17:00:00Z",
        ),
        (
            "2019-08-21T16:00:00",
            "2019-08-21T14:00:00Z",
            "2019-08-21T17:00:00Z",
        ),
        (
            "2019-09-18T16:00:00",
            "2019-09-18T14:00:00Z",
            "2019-09-18T17:00:00Z",
        ),
        (
            "2019-10-16T16:00:00",
            "2019-10-16T14:00:00Z",
            "2019-10-16T17:00:00Z",
        ),
        (
            "2019-11-20T16:00:00",
            "2019-11-20T15:00:00Z",
            "2019-11-20T18:00:00Z",
        ),
        (
            "2019-12-11T16:00:00",
            "2019-12-11T15:00:00Z",
            "2019-12-11T18:00:00Z",
        ),
    ];
    assert_eq!(maintenance, expected);
}

#[test]
fn moves_and_the_extra_day_come_from_the_rule_and_its_exceptions() {
    let items = default_list();
    let by_start = |d: &str| {
        items
            .iter()
            .find(|i| field(i, "kind") == "maintenance" && field(i, "start_local").starts_with(d))
            .unwrap_or_else(|| panic!("no maintenance on {d}"))
    };
    // A move keeps the UID of the rule's date, so subscribers see it move.
    let april = by_start("2019-04-24");
    assert_eq!(field(april, "rule_date"), "2019-04-17");
    assert!(field(april, "uid").starts_with("manedlig-vedlikehold.20190417@"));
    assert!(field(april, "note").contains("påsken"));
    let december = by_start("2019-12-11");
    assert_eq!(field(december, "rule_date"), "2019-12-18");
    let extra = by_start("2019-05-23");
    assert!(extra["rule_date"].is_null());
    assert!(field(extra, "uid").starts_with("manedlig-vedlikehold.extra.20190523@"));
    assert!(
        !items
            .iter()
            .any(|i| field(i, "start_local").starts_with("2019-07")),
        "July has no maintenance"
    );
}

#[test]
fn the_eight_outages_at_the_right_instants() {
    let items = default_list();
    let outages: Vec<(&str, bool, &str, &str)> = items
        .iter()
        .filter(|i| field(i, "kind") == "outage")
        .map(|i| {
            (
                field(i, "id"),
                i["all_day"].as_bool().unwrap_or(false),
                field(i, "start"),
                field(i, "end"),
            )
        })
        .collect();
    let expected = [
        (
            "2019-01-03-cachebatteri",
            false,
            "2019-01-03T15:00:00Z",
            "2019-01-03T16:30:00Z",
        ),
        (
            "2019-04-10-fiberomlegging",
            false,
            "2019-04-09T22:00:00Z",
            "2019-04-10T04:00:00Z",
        ),
        ("2019-05-visma-2019-1", true, "2019-05-28", "2019-05-30"),
        ("2019-10-visma-2019-2", true, "2019-10-21", "2019-10-23"),
        ("2019-11-03-nodstromstest", true, "2019-11-03", "2019-11-04"),
        // "21.00 - 24.00": 24:00 is midnight at the end of the 14th.
        (
            "2019-11-14-nettverk-gjovik",
            false,
            "2019-11-14T20:00:00Z",
            "2019-11-14T23:00:00Z",
        ),
        (
            "2019-11-29-flytting-datahall",
            false,
            "2019-11-29T14:30:00Z",
            "2019-12-02T05:00:00Z",
        ),
        ("2019-12-visma-2019-3", true, "2019-12-16", "2019-12-18"),
    ];
    assert_eq!(outages, expected);
    let move_ = items
        .iter()
        .find(|i| field(i, "id") == "2019-11-29-flytting-datahall");
    let systems = move_.map(|m| m["systems"].as_array().map_or(0, Vec::len));
    assert_eq!(systems, Some(12), "the data-centre move hits every system");
}

#[test]
fn every_feed_holds_exactly_its_systems_events() {
    let out = build(Path::new(PAGE_2019));
    let feeds = feeds(out.path());
    let names: Vec<&str> = feeds.iter().map(|(n, _)| n.as_str()).collect();
    for required in [
        "all.ics",
        "visma.ics",
        "gat.ics",
        "e-post.ics",
        "telefoni.ics",
        "internett.ics",
    ] {
        assert!(
            names.contains(&required),
            "{required} missing from {names:?}"
        );
    }
    let mut total = 0;
    for (name, bytes) in &feeds {
        let system = name.trim_end_matches(".ics");
        let want = expected(&list(
            Path::new(PAGE_2019),
            (system != "all").then_some(system),
        ));
        let got = parse_feed(bytes);
        assert_eq!(got, want, "{name}");
        total += got.len();
    }
    let all = parse_feed(
        &feeds
            .iter()
            .find(|(n, _)| n == "all.ics")
            .map(|(_, b)| b.clone())
            .unwrap_or_default(),
    );
    let uids: BTreeSet<&str> = all.iter().map(|e| e.uid.as_str()).collect();
    assert_eq!(
        (all.len(), uids.len()),
        (19, 19),
        "all.ics has every event exactly once"
    );
    let count = |n: &str| {
        feeds
            .iter()
            .find(|(f, _)| f == n)
            .map(|(_, b)| parse_feed(b).len())
    };
    assert_eq!(
        count("visma.ics"),
        Some(16),
        "11 evenings, 3 upgrades, power test, data-centre move"
    );
    assert_eq!(count("gat.ics"), Some(13));
    assert_eq!(count("e-post.ics"), Some(3));
    assert!(total > 19);
}

#[test]
fn every_default_feed_passes_the_lint() {
    let out = build(Path::new(PAGE_2019));
    for (name, bytes) in feeds(out.path()) {
        assert_eq!(lint(&bytes), Vec::<String>::new(), "{name}");
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(
            text.matches("BEGIN:VEVENT").count(),
            text.matches("TRANSP:TRANSPARENT").count(),
            "{name}"
        );
        assert_eq!(
            text.matches("BEGIN:VEVENT").count(),
            text.matches("X-MICROSOFT-CDO-BUSYSTATUS:FREE").count()
        );
        assert!(
            text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Oslo\r\n"),
            "{name}"
        );
    }
}

#[test]
fn committed_out_is_what_build_makes() {
    // As the README's command runs it: the real clock (the 2019 data is all
    // past, so the page does not change from day to day).
    let out = nedetid().args(["build", "--check"]).output().expect("run");
    assert!(
        out.status.success(),
        "out/ is stale; run `cargo run --release -- build` and commit out/\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
