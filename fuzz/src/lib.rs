//! Shared code of the fuzz targets: running schedule bytes through the whole
//! pipeline (load, validate, expand, render) and checking every output, and
//! the structured schedule generator of the `schedule` target.
//!
//! Every check here panics on a violation, so libFuzzer records the input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use nedetid::list::{self, Filter};
use nedetid::pipeline::{self, Rendered};
pub use nedetid::schedule::Recurrence;
use nedetid::state::Manifest;

pub mod structured;

/// The `now` of the byte-level targets: the tests' `2019-01-01T00:00:00Z`.
pub fn fixed_now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_546_300_800, 0).expect("2019-01-01 is in range")
}

fn lap(what: &str, since: &mut std::time::Instant) {
    if std::env::var_os("NEDETID_FUZZ_TIMES").is_some() {
        eprintln!("{what}: {:?}", since.elapsed());
    }
    *since = std::time::Instant::now();
}

/// Schedules up to this many occurrences get the more expensive checks.
pub const SMALL: usize = 200;

/// Schedules with more occurrences are expanded but not rendered: a render
/// of 3,000 events takes 0.2 s in a release build but more than the 5 s
/// timeout in the instrumented one, and the fuzzer is after content, not
/// size (`tests/properties.rs` builds two such schedules).
pub const RENDER_LIMIT: usize = 1_000;

/// How far one input got.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Loaded and validated.
    pub checked: bool,
    /// Expanded.
    pub expanded: bool,
    /// Expanded and rendered.
    pub rendered: bool,
    /// Per series id: the rule dates that were published.
    pub rule_dates: BTreeMap<String, Vec<NaiveDate>>,
}

/// Runs schedule files through everything `check`, `list` and `build` do in
/// memory, and checks every output. Errors are rendered the way the CLI
/// prints them (snippets included), since that code runs on bad input.
pub fn run(files: &[(PathBuf, Vec<u8>)], now: DateTime<Utc>) -> Outcome {
    run_as(files, now, Recurrence::Expand)
}

/// [`run`] with series published in `recurrence` form unless they say.
pub fn run_as(files: &[(PathBuf, Vec<u8>)], now: DateTime<Utc>, recurrence: Recurrence) -> Outcome {
    let mut outcome = Outcome::default();
    let mut t = std::time::Instant::now();
    let checked = match pipeline::load_memory(files) {
        Ok(c) => c,
        Err(e) => {
            let shown = e.to_string();
            assert!(!shown.is_empty(), "an error that says nothing");
            return outcome;
        }
    };
    outcome.checked = true;
    lap("load", &mut t);
    let expansion = match pipeline::expansion_as(&checked, now, recurrence) {
        Ok(x) => x,
        Err(e) => {
            let shown = e.to_string();
            assert!(!shown.is_empty(), "an error that says nothing");
            return outcome;
        }
    };
    lap("expand", &mut t);
    // Rendering a snippet per warning is the slow part of a big schedule
    // (one warning per public holiday hit); a few of them cover the code.
    outcome.expanded = true;
    let mut warnings = pipeline::warnings(&checked, &expansion, now);
    warnings.truncate(8);
    if !warnings.is_empty() {
        let _ = checked.report(warnings).render();
    }
    lap("warnings", &mut t);
    let items = list::items(&expansion, &Filter::default());
    for item in &items {
        if let Some(date) = item.rule_date.as_deref().and_then(|d| d.parse().ok()) {
            outcome
                .rule_dates
                .entry(item.id.clone())
                .or_default()
                .push(date);
        }
    }
    for dates in outcome.rule_dates.values_mut() {
        dates.sort();
        dates.dedup();
    }
    let small = expansion.occurrences.len() <= SMALL;
    if small {
        let json: serde_json::Value =
            serde_json::from_str(&list::to_json(&items)).expect("`list --format json` is JSON");
        assert_eq!(json.as_array().map(Vec::len), Some(items.len()));
        let zone = checked.schedule.settings.zone.name();
        let _ = list::to_table(&items, zone);
    }
    lap("list", &mut t);
    if expansion.occurrences.len() > RENDER_LIMIT {
        return outcome;
    }
    let rendered = pipeline::render(&expansion, &Manifest::default(), now);
    lap("render", &mut t);
    check_rendered(
        &rendered,
        expansion.occurrences.len(),
        !expansion.masters.is_empty(),
    );
    lap("check", &mut t);
    // A second build on top of the first one's state, at the same now,
    // changes no byte of any file
    // (checked on small schedules only: it doubles the time of an input).
    if small {
        let again = pipeline::render(&expansion, &rendered.manifest, now);
        assert_eq!(rendered.outputs.len(), again.outputs.len());
        for (a, b) in rendered.outputs.iter().zip(&again.outputs) {
            assert!(
                a.name == b.name && a.content.to_vec() == b.content.to_vec(),
                "{}: a rebuild on its own state changed it",
                a.name
            );
        }
    }
    outcome.rendered = true;
    outcome
}

/// Checks every output file of one build. With series in RRULE form
/// (`masters`) a feed has fewer VEVENTs than occurrences.
pub fn check_rendered(rendered: &Rendered, occurrences: usize, masters: bool) {
    let mut names = BTreeSet::new();
    for output in &rendered.outputs {
        let bytes = output
            .content
            .to_vec()
            .expect("rendered in memory, not kept");
        assert!(
            names.insert(output.name.as_str()),
            "two outputs named {}",
            output.name
        );
        if output.name.ends_with(".ics") {
            let feed = rendered
                .feeds
                .iter()
                .find(|f| f.file_name == output.name)
                .expect("every .ics output is a feed");
            let events = check_ics(&output.name, &bytes);
            if !masters {
                assert_eq!(events, feed.events, "{}: VEVENT count", output.name);
            }
        } else if output.name.ends_with(".json") {
            let _: serde_json::Value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", output.name));
        } else if output.name.ends_with(".html") {
            let html = std::str::from_utf8(&bytes).expect("index.html is UTF-8");
            assert!(
                !html.contains(structured::HTML_MARKER),
                "text from the schedule reached index.html unescaped"
            );
        }
    }
    let all = rendered
        .feeds
        .iter()
        .find(|f| f.id == "all")
        .expect("all.ics is always rendered");
    assert_eq!(all.events, occurrences, "all.ics has every occurrence once");
}

/// The byte-level invariants of a feed: CRLF only, every physical line at
/// most 75 octets and valid UTF-8 on its own, no escape sequence split by
/// folding, TEXT values escaped, BEGIN/END balanced and properly nested,
/// UIDs unique. Returns the number of VEVENTs.
pub fn check_ics(name: &str, bytes: &[u8]) -> usize {
    assert!(bytes.ends_with(b"\r\n"), "{name}: does not end with CRLF");
    let body = &bytes[..bytes.len() - 2];
    let physical: Vec<&[u8]> = split_crlf(body);
    for (n, line) in physical.iter().enumerate() {
        let n = n + 1;
        assert!(
            !line.contains(&b'\r') && !line.contains(&b'\n'),
            "{name}: line {n}: bare CR or LF: {:?}",
            String::from_utf8_lossy(line)
        );
        assert!(
            line.len() <= 75,
            "{name}: line {n}: {} octets: {:?}",
            line.len(),
            String::from_utf8_lossy(line)
        );
        assert!(
            std::str::from_utf8(line).is_ok(),
            "{name}: line {n}: not valid UTF-8 on its own: {line:?}"
        );
        assert!(!line.is_empty(), "{name}: line {n}: empty line");
        let continued = physical.get(n).is_some_and(|next| next.starts_with(b" "));
        let trailing = line.iter().rev().take_while(|b| **b == b'\\').count();
        assert!(
            !continued || trailing % 2 == 0,
            "{name}: line {n}: folded inside an escape sequence: {:?}",
            String::from_utf8_lossy(line)
        );
        if n == 1 {
            assert!(
                !line.starts_with(b" "),
                "{name}: starts with a continuation"
            );
        }
    }
    let text = std::str::from_utf8(bytes).expect("checked per line");
    let unfolded = text.replace("\r\n ", "");
    let mut stack: Vec<&str> = Vec::new();
    let mut calendars = 0;
    let mut events = 0;
    let mut uids = BTreeSet::new();
    let mut in_event: BTreeMap<&str, &str> = BTreeMap::new();
    for line in unfolded.split("\r\n").filter(|l| !l.is_empty()) {
        let (prop, value) = split_property(line)
            .unwrap_or_else(|| panic!("{name}: content line without a colon: {line:?}"));
        assert!(
            !prop.is_empty()
                && prop
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'),
            "{name}: bad property name in {line:?}"
        );
        match prop {
            "BEGIN" => {
                if stack.is_empty() {
                    assert_eq!(value, "VCALENDAR", "{name}: top level is not VCALENDAR");
                    calendars += 1;
                }
                if value == "VEVENT" {
                    events += 1;
                    in_event.clear();
                }
                stack.push(value);
            }
            "END" => {
                let open = stack.pop();
                assert_eq!(open, Some(value), "{name}: END:{value} does not match");
                if value == "VEVENT" {
                    check_event(name, &in_event, &mut uids);
                }
            }
            _ => {
                assert!(!stack.is_empty(), "{name}: property outside VCALENDAR");
                if stack.last() == Some(&"VEVENT") {
                    in_event.insert(prop, value);
                }
            }
        }
        if matches!(
            prop,
            "SUMMARY" | "DESCRIPTION" | "LOCATION" | "NAME" | "X-WR-CALNAME" | "X-WR-CALDESC"
        ) {
            check_text(name, prop, value, false);
        } else if prop == "CATEGORIES" {
            check_text(name, prop, value, true);
        }
    }
    assert!(stack.is_empty(), "{name}: unclosed {stack:?}");
    assert_eq!(calendars, 1, "{name}: {calendars} VCALENDARs");
    events
}

fn split_crlf(body: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < body.len() {
        if body[i] == b'\r' && body[i + 1] == b'\n' {
            out.push(&body[start..i]);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    out.push(&body[start..]);
    out
}

/// Name (without parameters) and value of an unfolded content line.
fn split_property(line: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                let name = line[..i].split(';').next().unwrap_or("");
                return Some((name, &line[i + 1..]));
            }
            _ => {}
        }
    }
    None
}

/// A TEXT value: only `\\`, `\;`, `\,`, `\n` escapes, no bare `;` (nor `,`
/// unless it separates list items), no control characters but TAB.
fn check_text(name: &str, prop: &str, value: &str, list: bool) {
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\\' | ';' | ',' | 'n' | 'N') => {}
                other => panic!("{name}: {prop}: bad escape `\\{other:?}` in {value:?}"),
            },
            ';' => panic!("{name}: {prop}: unescaped `;` in {value:?}"),
            ',' if !list => panic!("{name}: {prop}: unescaped `,` in {value:?}"),
            c if c.is_control() && c != '\t' => {
                panic!("{name}: {prop}: control character {c:?} in {value:?}")
            }
            _ => {}
        }
    }
}

fn check_event(name: &str, props: &BTreeMap<&str, &str>, uids: &mut BTreeSet<String>) {
    for required in ["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"] {
        assert!(
            props.contains_key(required),
            "{name}: VEVENT without {required}"
        );
    }
    let uid = props["UID"];
    let instance = props.get("RECURRENCE-ID").copied().unwrap_or_default();
    assert!(
        uids.insert(format!("{uid} {instance}")),
        "{name}: duplicate UID {uid} {instance}"
    );
    for key in ["RECURRENCE-ID", "EXDATE"] {
        if let Some(v) = props.get(key) {
            assert!(
                v.split(',')
                    .all(|v| is_stamp(v, false) || is_stamp(v, true) || is_date(v)),
                "{name}: {uid}: {key} {v:?} is not a DATE or DATE-TIME list"
            );
        }
    }
    let stamp = props["DTSTAMP"];
    assert!(
        is_stamp(stamp, true),
        "{name}: DTSTAMP {stamp:?} is not a UTC DATE-TIME"
    );
    let (start, end) = (props["DTSTART"], props["DTEND"]);
    for v in [start, end] {
        assert!(
            is_stamp(v, false) || is_stamp(v, true) || is_date(v),
            "{name}: {uid}: DTSTART/DTEND {v:?} is not an RFC 5545 DATE or DATE-TIME"
        );
    }
    assert_eq!(
        is_date(start),
        is_date(end),
        "{name}: {uid}: DTSTART {start} and DTEND {end} are not both dates"
    );
    // Same form (both dates, both UTC, or both local in one zone): the
    // digits compare like the instants.
    if start.len() == end.len() {
        assert!(
            start < end,
            "{name}: {uid}: DTEND {end} is not after DTSTART {start}"
        );
    }
}

fn is_date(v: &str) -> bool {
    v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit())
}

fn is_stamp(v: &str, utc: bool) -> bool {
    let v = if utc {
        match v.strip_suffix('Z') {
            Some(v) => v,
            None => return false,
        }
    } else {
        v
    };
    v.len() == 15
        && v.as_bytes()[8] == b'T'
        && v.bytes()
            .enumerate()
            .all(|(i, b)| i == 8 || b.is_ascii_digit())
}
