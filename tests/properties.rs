//! Property tests over generated schedules, in process (no binary, no files):
//!
//! - valid schedules (five zones, three languages, timed and all-day outages, maintenance
//!   with skips, skipped months, moves and extra dates chosen among the
//!   rule's real occurrences, hostile Unicode text): every feed reads back
//!   with the `icalendar` crate's parser to exactly what `list` reports for
//!   it, passes the byte-level lint, and the occurrences are the ones the
//!   exceptions say;
//! - determinism: the same schedule gives the same bytes, and an
//!   `until`-bounded schedule gives the same feeds whatever `now` is (with
//!   the state of the first build);
//! - the same schedules with every series in RRULE form pass the lint and
//!   parse;
//! - any title survives escaping and folding through a whole feed;
//! - YAML-ish garbage never panics anywhere in the pipeline.
//!
//! Also the regression inputs the fuzzers found (`tests/fixtures/fuzz/`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use nedetid::list::{self, Filter};
use nedetid::pipeline::{self, Rendered};
use nedetid::schedule::Recurrence;
use nedetid::state::Manifest;
use proptest::prelude::*;

const ZONES: [&str; 5] = [
    "Europe/Oslo",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Europe/Dublin",
];

const SYSTEM_IDS: [&str; 4] = ["visma", "gat", "e-post", "telefoni"];

/// Rules whose every 45-day range (400 for the yearly ones) has an
/// occurrence, so a generated series is never empty.
const RULES: [(&str, bool); 12] = [
    ("FREQ=WEEKLY;BYDAY=WE", false),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", false),
    ("FREQ=WEEKLY;BYDAY=SU", false),
    ("FREQ=DAILY;INTERVAL=10", false),
    ("FREQ=DAILY", false),
    (
        "FREQ=MONTHLY;BYDAY=WE;BYMONTHDAY=16,17,18,19,20,21,22",
        false,
    ),
    ("FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3", false),
    ("FREQ=MONTHLY;BYDAY=2TU", false),
    ("FREQ=MONTHLY;BYDAY=-1FR", false),
    ("FREQ=MONTHLY;BYMONTHDAY=1", false),
    ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", true),
    ("FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", true),
];

/// `PROPTEST_CASES` (for a deeper run), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn base_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2019, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn shift(d: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        d.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
    .unwrap_or(d)
}

// ---------------------------------------------------------------------------
// Text

/// What the README promises for text: line breaks become `\n`, other
/// control characters are dropped, and the result is trimmed.
fn cleaned(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string()
}

/// A YAML double-quoted scalar holding exactly `s`.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0xa0 || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const HOSTILE: [&str; 24] = [
    ",",
    ";",
    "\\",
    "\\n",
    "\\,",
    "\r\n",
    "\r",
    "\n",
    "\t",
    ":",
    "\"",
    "'",
    "#",
    "  ",
    "🛠️",
    "👩‍👩‍👧‍👦",
    "🇳🇴",
    "e\u{301}",
    "\u{0}",
    "\u{7}",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "æøå ÆØÅ",
];

/// Arbitrary Unicode with iCalendar specials, line breaks, control
/// characters and emoji mixed in.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => any::<char>().prop_map(String::from),
            3 => "[a-zA-ZæøåÆØÅ0-9 .-]{1,12}",
            3 => prop::sample::select(HOSTILE.to_vec()).prop_map(String::from),
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

/// Text that is not empty once cleaned (a title or a name).
fn title(max: usize) -> impl Strategy<Value = String> {
    (text(max), "[A-Za-zÆØÅæøå]{1,6}").prop_map(|(t, word)| {
        if cleaned(&t).is_empty() {
            format!("{word}{t}")
        } else {
            t
        }
    })
}

// ---------------------------------------------------------------------------
// Generated schedules

#[derive(Debug, Clone)]
enum When {
    /// Local start `minutes` after midnight of `day` days after 2019-01-01.
    Timed {
        day: u16,
        start: u16,
        minutes: u16,
        as_24: bool,
    },
    AllDay {
        day: u16,
        days: u8,
    },
}

#[derive(Debug, Clone)]
struct Outage {
    title: String,
    /// A bit mask over the systems; `None` is `systems: all`.
    systems: Option<u8>,
    when: When,
    description: Option<String>,
    consequences: Vec<String>,
    location: Option<String>,
    status: u8,
}

#[derive(Debug, Clone)]
struct Series {
    title: String,
    systems: Option<u8>,
    rule: usize,
    from_day: u16,
    span: u16,
    /// Start hour 6..=20 and quarter, and the length in hours; `None`
    /// length ends at `24:00`.
    start: (u8, u8),
    hours: Option<u8>,
    skips: Vec<u8>,
    skip_month: Option<u8>,
    moves: Vec<(u8, i8, Option<u8>)>,
    extras: Vec<(u8, i8)>,
    description: Option<String>,
}

#[derive(Debug, Clone)]
struct Spec {
    zone: &'static str,
    /// `nb`, `nn` or `en`.
    language: &'static str,
    calendar_name: String,
    /// Names of `SYSTEM_IDS[..n]`.
    systems: Vec<(String, Option<String>)>,
    outages: Vec<Outage>,
    series: Vec<Series>,
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        3 => (0u16..2900, 0u16..96, 1u16..288, any::<bool>()).prop_map(|(day, q, n, as_24)| {
            When::Timed { day, start: q * 15, minutes: n * 15, as_24 }
        }),
        1 => (0u16..2900, 0u8..5).prop_map(|(day, days)| When::AllDay { day, days }),
    ]
}

fn outage() -> impl Strategy<Value = Outage> {
    (
        title(16),
        prop::option::weighted(0.8, any::<u8>()),
        when(),
        prop::option::of(text(24)),
        prop::collection::vec(text(8), 0..3),
        prop::option::of(text(8)),
        0u8..4,
    )
        .prop_map(
            |(title, systems, when, description, consequences, location, status)| Outage {
                title,
                systems,
                when,
                description,
                consequences,
                location,
                status,
            },
        )
}

fn series() -> impl Strategy<Value = Series> {
    (
        (
            title(12),
            prop::option::weighted(0.8, any::<u8>()),
            0..RULES.len(),
            0u16..2500,
            45u16..400,
            (6u8..=20, 0u8..4),
            prop::option::weighted(0.85, 1u8..=3),
        ),
        (
            prop::collection::vec(any::<u8>(), 0..3),
            prop::option::weighted(0.3, any::<u8>()),
            prop::collection::vec((any::<u8>(), -6i8..=6, prop::option::of(6u8..=20)), 0..3),
            prop::collection::vec((any::<u8>(), -6i8..=6), 0..3),
            prop::option::of(text(16)),
        ),
    )
        .prop_map(
            |(
                (title, systems, rule, from_day, span, start, hours),
                (skips, skip_month, moves, extras, description),
            )| Series {
                title,
                systems,
                rule,
                from_day,
                span: if RULES[rule].1 { span + 400 } else { span },
                start,
                hours,
                skips,
                skip_month,
                moves,
                extras,
                description,
            },
        )
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::sample::select(ZONES.to_vec()),
        prop::sample::select(vec!["nb", "nn", "en"]),
        title(8),
        prop::collection::vec((title(8), prop::option::of(text(12))), 1..=4),
        prop::collection::vec(outage(), 0..=6),
        prop::collection::vec(series(), 0..=2),
    )
        .prop_map(
            |(zone, language, calendar_name, systems, outages, series)| Spec {
                zone,
                language,
                calendar_name,
                systems,
                outages,
                series,
            },
        )
}

/// The exceptions of one series, chosen among its rule dates.
#[derive(Debug, Default, Clone)]
struct Exceptions {
    skips: Vec<NaiveDate>,
    skip_month: Option<u32>,
    /// From, to, and the moved start hour if it changes.
    moves: Vec<(NaiveDate, NaiveDate, Option<u8>)>,
    extras: Vec<NaiveDate>,
}

impl Series {
    fn from(&self) -> NaiveDate {
        shift(base_date(), i64::from(self.from_day))
    }

    fn until(&self) -> NaiveDate {
        shift(self.from(), i64::from(self.span))
    }

    /// Picks the exceptions among `dates`, the rule's dates.
    fn exceptions(&self, dates: &[NaiveDate]) -> Exceptions {
        let mut e = Exceptions::default();
        if dates.is_empty() {
            return e;
        }
        let at = |i: u8| dates[usize::from(i) % dates.len()];
        let is_rule_date = |d: &NaiveDate| dates.binary_search(d).is_ok();
        e.skip_month = self.skip_month.map(|i| at(i).month());
        let in_skipped_month = |d: NaiveDate| e.skip_month == Some(d.month());
        let mut used = BTreeSet::new();
        for &i in &self.skips {
            let d = at(i);
            if !in_skipped_month(d) && used.insert(d) {
                e.skips.push(d);
            }
        }
        let free = |near: NaiveDate, delta: i8, used: &BTreeSet<NaiveDate>| {
            let step = if delta < 0 { -1 } else { 1 };
            let mut d = shift(near, i64::from(delta.max(1)) * step);
            while is_rule_date(&d) || used.contains(&d) {
                d = shift(d, step);
            }
            d
        };
        for &(i, delta, hour) in &self.moves {
            let from = at(i);
            if in_skipped_month(from) || used.contains(&from) {
                continue;
            }
            used.insert(from);
            let to = free(from, delta, &used);
            used.insert(to);
            e.moves.push((from, to, hour));
        }
        for &(i, delta) in &self.extras {
            let d = free(at(i), delta, &used);
            used.insert(d);
            e.extras.push(d);
        }
        e
    }
}

fn systems_yaml(mask: Option<u8>, n: usize) -> String {
    match mask {
        None => "all".to_string(),
        Some(m) => {
            let ids: Vec<&str> = (0..n)
                .filter(|i| m & (1 << i) != 0)
                .map(|i| SYSTEM_IDS[i])
                .collect();
            if ids.is_empty() {
                format!("[{}]", SYSTEM_IDS[usize::from(m) % n])
            } else {
                format!("[{}]", ids.join(", "))
            }
        }
    }
}

/// Moves a local time out of a daylight-saving gap or overlap.
fn unambiguous(zone: Tz, mut t: NaiveDateTime) -> NaiveDateTime {
    for _ in 0..8 {
        if zone.from_local_datetime(&t).single().is_some() {
            break;
        }
        t += chrono::Duration::minutes(30);
    }
    t
}

impl Spec {
    fn tz(&self) -> Tz {
        self.zone.parse().unwrap_or(Tz::UTC)
    }

    /// The schedule as YAML; series get the exceptions in `exceptions` (by
    /// series index).
    fn yaml(&self, exceptions: &[Exceptions]) -> String {
        let zone = self.tz();
        let n = self.systems.len();
        let mut y = String::new();
        let _ = writeln!(y, "settings:\n  time-zone: {}", self.zone);
        let _ = writeln!(y, "  language: {}", self.language);
        let _ = writeln!(y, "  calendar-name: {}", q(&self.calendar_name));
        y.push_str("  uid-domain: test.example\nsystems:\n");
        for (i, (name, description)) in self.systems.iter().enumerate() {
            let _ = writeln!(y, "  - id: {}\n    name: {}", SYSTEM_IDS[i], q(name));
            if let Some(d) = description {
                let _ = writeln!(y, "    description: {}", q(d));
            }
        }
        if !self.outages.is_empty() {
            y.push_str("outages:\n");
        }
        for (i, o) in self.outages.iter().enumerate() {
            let _ = writeln!(y, "  - id: o{i}\n    title: {}", q(&o.title));
            let _ = writeln!(y, "    systems: {}", systems_yaml(o.systems, n));
            match o.when {
                When::Timed {
                    day,
                    start,
                    minutes,
                    as_24,
                } => {
                    let date = shift(base_date(), i64::from(day));
                    let s = unambiguous(
                        zone,
                        date.and_time(NaiveTime::MIN) + chrono::Duration::minutes(start.into()),
                    );
                    let e = unambiguous(zone, s + chrono::Duration::minutes(minutes.into()));
                    let end = if as_24 && e.time() == NaiveTime::MIN {
                        format!("{} 24:00", shift(e.date(), -1))
                    } else {
                        e.format("%Y-%m-%d %H:%M").to_string()
                    };
                    let _ = writeln!(
                        y,
                        "    start: {}\n    end: {end}",
                        s.format("%Y-%m-%d %H:%M")
                    );
                }
                When::AllDay { day, days } => {
                    let first = shift(base_date(), i64::from(day));
                    let _ = writeln!(y, "    first-day: {first}");
                    if days > 0 {
                        let _ = writeln!(y, "    last-day: {}", shift(first, days.into()));
                    }
                }
            }
            if let Some(d) = &o.description {
                let _ = writeln!(y, "    description: {}", q(d));
            }
            if !o.consequences.is_empty() {
                y.push_str("    consequences:\n");
                for c in &o.consequences {
                    let _ = writeln!(y, "      - {}", q(c));
                }
            }
            if let Some(l) = &o.location {
                let _ = writeln!(y, "    location: {}", q(l));
            }
            match o.status {
                1 => y.push_str("    status: tentative\n"),
                2 => y.push_str("    status: cancelled\n"),
                _ => {}
            }
        }
        if !self.series.is_empty() {
            y.push_str("maintenance:\n");
        }
        for (i, s) in self.series.iter().enumerate() {
            let _ = writeln!(y, "  - id: s{i}\n    title: {}", q(&s.title));
            let _ = writeln!(y, "    systems: {}", systems_yaml(s.systems, n));
            let _ = writeln!(y, "    rule: {}", RULES[s.rule].0);
            let _ = writeln!(y, "    from: {}\n    until: {}", s.from(), s.until());
            let (hour, quarter) = s.start;
            let _ = writeln!(y, "    start-time: \"{hour:02}:{:02}\"", quarter * 15);
            match s.hours {
                Some(h) => {
                    let _ = writeln!(y, "    end-time: \"{:02}:{:02}\"", hour + h, quarter * 15);
                }
                None => y.push_str("    end-time: \"24:00\"\n"),
            }
            if let Some(d) = &s.description {
                let _ = writeln!(y, "    description: {}", q(d));
            }
            let Some(e) = exceptions.get(i) else {
                continue;
            };
            if !e.skips.is_empty() {
                y.push_str("    skip:\n");
                for d in &e.skips {
                    let _ = writeln!(y, "      - date: {d}\n        reason: \"Hopp; over, {d}\"");
                }
            }
            if let Some(m) = e.skip_month {
                let _ = writeln!(y, "    skip-months:\n      - month: {m}");
            }
            if !e.moves.is_empty() {
                y.push_str("    moves:\n");
                for (from, to, hour) in &e.moves {
                    let _ = writeln!(y, "      - from: {from}\n        to: {to}");
                    if let Some(h) = hour {
                        let _ = writeln!(y, "        start-time: \"{h:02}:00\"");
                        let _ = writeln!(y, "        end-time: \"{:02}:30\"", h + 1);
                    }
                }
            }
            if !e.extras.is_empty() {
                y.push_str("    extra:\n");
                for d in &e.extras {
                    let _ = writeln!(y, "      - date: {d}\n        reason: Ekstra");
                }
            }
        }
        y
    }
}

// ---------------------------------------------------------------------------
// Running the pipeline in process

fn files(yaml: &str) -> Vec<(PathBuf, Vec<u8>)> {
    vec![(PathBuf::from("schedule.yaml"), yaml.as_bytes().to_vec())]
}

/// `list --format json` items, in process, as JSON values.
fn listed(expansion: &nedetid::expand::Expansion, system: Option<&str>) -> Vec<serde_json::Value> {
    let items = list::items(
        expansion,
        &Filter {
            system: system.map(str::to_string),
            ..Filter::default()
        },
    );
    match serde_json::to_value(&items) {
        Ok(serde_json::Value::Array(values)) => values,
        other => panic!("items serialise to an array: {other:?}"),
    }
}

/// Loads and expands `yaml`, or fails the property with the rendered error.
macro_rules! expand_or_fail {
    ($checked:ident, $expansion:ident, $yaml:expr, $now:expr) => {
        let $checked = match pipeline::load_memory(&files($yaml)) {
            Ok(c) => c,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n---\n{}", $yaml))),
        };
        let $expansion = match pipeline::expansion(&$checked, $now) {
            Ok(x) => x,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n---\n{}", $yaml))),
        };
    };
}

/// The full schedule of `spec`: a first pass without exceptions finds each
/// series' rule dates, among which the exceptions are then chosen.
fn full_yaml(spec: &Spec) -> Result<(String, Vec<Exceptions>), TestCaseError> {
    let plain = spec.yaml(&[]);
    expand_or_fail!(checked, expansion, &plain, now());
    let items = list::items(&expansion, &Filter::default());
    let exceptions: Vec<Exceptions> = (0..spec.series.len())
        .map(|i| {
            let id = format!("s{i}");
            let mut dates: Vec<NaiveDate> = items
                .iter()
                .filter(|it| it.id == id)
                .filter_map(|it| it.rule_date.as_deref()?.parse().ok())
                .collect();
            dates.sort();
            spec.series[i].exceptions(&dates)
        })
        .collect();
    Ok((spec.yaml(&exceptions), exceptions))
}

/// (feed id, file name, bytes) of every feed. `pipeline::render` moves the
/// feeds' text into `outputs`, so the bytes are read from there.
fn feed_bytes(rendered: &Rendered) -> Vec<(String, String, Vec<u8>)> {
    rendered
        .feeds
        .iter()
        .map(|f| {
            let bytes = rendered
                .outputs
                .iter()
                .find(|o| o.name == f.file_name)
                .and_then(|o| o.content.to_vec())
                .unwrap_or_else(|| panic!("no output {}", f.file_name));
            (f.id.clone(), f.file_name.clone(), bytes)
        })
        .collect()
}

fn all_outputs(rendered: &Rendered) -> Vec<(String, Vec<u8>)> {
    rendered
        .outputs
        .iter()
        .map(|o| {
            let bytes = o.content.to_vec();
            (o.name.clone(), bytes.expect("rendered in memory, not kept"))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The properties

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(64),
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    })]

    /// Every feed of a generated valid schedule reads back with the
    /// `icalendar` crate's parser to exactly what `list` reports for it,
    /// passes the lint, and the maintenance occurrences are the rule dates
    /// less the skips and skipped months, moved where moved, plus the
    /// extra dates.
    #[test]
    fn generated_feeds_read_back_as_listed(spec in spec()) {
        let (yaml, exceptions) = full_yaml(&spec)?;
        let first = spec.yaml(&[]);
        expand_or_fail!(plain_checked, plain, &first, now());
        expand_or_fail!(checked, expansion, &yaml, now());
        let rendered = pipeline::render(&expansion, &Manifest::default(), now());
        for (id, name, bytes) in feed_bytes(&rendered) {
            let problems = common::lint(&bytes);
            prop_assert!(problems.is_empty(), "{name}: {problems:?}\n---\n{yaml}");
            let system = (id != "all").then_some(id.as_str());
            let parsed = common::parse_feed(&bytes);
            let expected = common::expected(&listed(&expansion, system));
            prop_assert_eq!(parsed, expected, "{}\n---\n{}", name, yaml);
        }
        // The model of the exceptions.
        let items = list::items(&expansion, &Filter::default());
        let plain_items = list::items(&plain, &Filter::default());
        for (i, e) in exceptions.iter().enumerate() {
            let id = format!("s{i}");
            let until = spec.series[i].until();
            // Rule occurrences by rule date, at their (moved) date; extra
            // dates (no rule date) by date.
            let mut want: BTreeMap<Option<NaiveDate>, BTreeSet<NaiveDate>> = BTreeMap::new();
            for it in plain_items.iter().filter(|it| it.id == id) {
                let Some(rule_date) = it
                    .rule_date
                    .as_deref()
                    .and_then(|d| d.parse::<NaiveDate>().ok())
                else {
                    continue;
                };
                if e.skips.contains(&rule_date) || e.skip_month == Some(rule_date.month()) {
                    continue;
                }
                let actual = e
                    .moves
                    .iter()
                    .find(|m| m.0 == rule_date)
                    .map_or(rule_date, |m| m.1);
                want.entry(Some(rule_date)).or_default().insert(actual);
            }
            for d in e.extras.iter().filter(|d| **d <= until) {
                want.entry(None).or_default().insert(*d);
            }
            let mut got: BTreeMap<Option<NaiveDate>, BTreeSet<NaiveDate>> = BTreeMap::new();
            for it in items.iter().filter(|it| it.id == id) {
                let rule_date = it.rule_date.as_deref().and_then(|d| d.parse().ok());
                let date: Option<NaiveDate> = it.start_local.get(..10).and_then(|d| d.parse().ok());
                prop_assert!(date.is_some(), "{:?}", it);
                got.entry(rule_date).or_default().extend(date);
            }
            prop_assert_eq!(got, want, "series s{}: {:?}\n---\n{}", i, e, yaml);
        }
        let outages: BTreeSet<String> = items
            .iter()
            .filter(|it| it.id.starts_with('o'))
            .map(|it| it.id.clone())
            .collect();
        let want: BTreeSet<String> = (0..spec.outages.len()).map(|i| format!("o{i}")).collect();
        prop_assert_eq!(outages, want);
    }

    /// A title (and a system name, a description, a location) of arbitrary
    /// Unicode survives escaping and folding through a whole feed: the
    /// parser's unescaped SUMMARY is `<system name>: <title>` as cleaned.
    #[test]
    fn any_title_survives_escaping_and_folding(
        title in title(64),
        name in title(8),
        description in text(40),
        location in title(16),
        long in prop::sample::select(vec![0usize, 1, 37, 80]),
    ) {
        // At most the 300 characters a title may have (the generated text
        // can be longer: its pieces are up to 12 characters each).
        let title: String = format!("{}{title}", "ø".repeat(long)).chars().take(300).collect();
        let yaml = format!(
            "systems:\n  - id: visma\n    name: {}\noutages:\n  - id: o\n    title: {}\n    systems: [visma]\n    start: 2019-06-03 08:00\n    end: 2019-06-03 09:00\n    description: {}\n    location: {}\n",
            q(&name), q(&title), q(&description), q(&location)
        );
        expand_or_fail!(checked, expansion, &yaml, now());
        let rendered = pipeline::render(&expansion, &Manifest::default(), now());
        for (_, file, bytes) in feed_bytes(&rendered) {
            let problems = common::lint(&bytes);
            prop_assert!(problems.is_empty(), "{file}: {problems:?}\n---\n{yaml}");
            let parsed = common::parse_feed(&bytes);
            prop_assert_eq!(parsed.len(), 1);
            // Exactly the cleaned text comes back.
            let want = format!("{}: {}", cleaned(&name), cleaned(&title));
            prop_assert_eq!(&parsed[0].summary, &want, "{}\n---\n{}", file, yaml);
            let props = event_text(&bytes);
            prop_assert_eq!(props.get("LOCATION"), Some(&cleaned(&location)), "{}", yaml);
            let body = props.get("DESCRIPTION").cloned().unwrap_or_default();
            prop_assert!(body.starts_with(&cleaned(&description)), "{body:?}\n---\n{yaml}");
        }
    }

    /// Text assembled from YAML-significant fragments: loading, expanding
    /// and rendering never panic; an error always says something, and
    /// whatever renders passes the lint.
    #[test]
    fn yaml_ish_text_never_panics(
        parts in prop::collection::vec(prop::sample::select(FRAGMENTS.to_vec()), 0..48),
        noise in prop::collection::vec(any::<char>(), 0..3),
    ) {
        let mut yaml = parts.concat();
        for (i, c) in noise.into_iter().enumerate() {
            let at = (i * 37) % (yaml.len() + 1);
            let at = (0..=at).rev().find(|i| yaml.is_char_boundary(*i)).unwrap_or(0);
            yaml.insert(at, c);
        }
        match pipeline::load_memory(&files(&yaml)) {
            Err(e) => prop_assert!(!e.to_string().trim().is_empty()),
            Ok(checked) => match pipeline::expansion(&checked, now()) {
                Err(e) => prop_assert!(!e.to_string().trim().is_empty()),
                Ok(expansion) => {
                    let rendered = pipeline::render(&expansion, &Manifest::default(), now());
                    for (_, file, bytes) in feed_bytes(&rendered) {
                        let problems = common::lint(&bytes);
                        prop_assert!(problems.is_empty(), "{file}: {problems:?}\n---\n{yaml}");
                    }
                }
            },
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(32),
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    })]

    /// The same schedule, loaded and rendered twice, gives the same bytes
    /// in every output file.
    #[test]
    fn same_schedule_same_bytes(spec in spec()) {
        let (yaml, _) = full_yaml(&spec)?;
        expand_or_fail!(checked_a, a, &yaml, now());
        expand_or_fail!(checked_b, b, &yaml, now());
        let ra = pipeline::render(&a, &Manifest::default(), now());
        let rb = pipeline::render(&b, &Manifest::default(), now());
        prop_assert!(all_outputs(&ra) == all_outputs(&rb), "two renders differ\n---\n{}", yaml);
        prop_assert_eq!(ra.manifest, rb.manifest);
    }

    /// Every series is bounded by `until`, so a later "now" changes no feed:
    /// built on the state of the first build, every byte stays. (Built
    /// without that state, only DTSTAMP and LAST-MODIFIED, the time of the
    /// change, may differ.)
    #[test]
    fn until_bounded_feeds_do_not_depend_on_now(spec in spec(), later in 1i64..4000) {
        let (yaml, _) = full_yaml(&spec)?;
        let then = now() + chrono::Duration::days(later);
        expand_or_fail!(checked_a, a, &yaml, now());
        expand_or_fail!(checked_b, b, &yaml, then);
        let first = pipeline::render(&a, &Manifest::default(), now());
        let second = pipeline::render(&b, &first.manifest, then);
        prop_assert!(feed_bytes(&first) == feed_bytes(&second), "feeds differ at {}\n---\n{}", then, yaml);
        let fresh = pipeline::render(&b, &Manifest::default(), then);
        let stable = |r: &Rendered| -> Vec<String> {
            feed_bytes(r)
                .into_iter()
                .flat_map(|(_, _, bytes)| {
                    String::from_utf8_lossy(&bytes)
                        .split("\r\n")
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .filter(|l| !l.starts_with("DTSTAMP:") && !l.starts_with("LAST-MODIFIED:"))
                .collect()
        };
        prop_assert!(stable(&first) == stable(&fresh), "feeds differ beyond DTSTAMP at {}\n---\n{}", then, yaml);
    }

    /// The same schedules with every series asked for in RRULE form (masters,
    /// EXDATEs, RECURRENCE-ID overrides, or expanded with a note): every
    /// feed passes the lint and reads back with the `icalendar` parser.
    #[test]
    fn rrule_form_feeds_pass_the_lint(spec in spec()) {
        let (yaml, _) = full_yaml(&spec)?;
        let checked = match pipeline::load_memory(&files(&yaml)) {
            Ok(c) => c,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n---\n{yaml}"))),
        };
        let expansion = match pipeline::expansion_as(&checked, now(), Recurrence::Rrule) {
            Ok(x) => x,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n---\n{yaml}"))),
        };
        let rendered = pipeline::render(&expansion, &Manifest::default(), now());
        for (_, file, bytes) in feed_bytes(&rendered) {
            // The lint also checks that UID and RECURRENCE-ID together are
            // unique (an override shares its master's UID).
            let problems = common::lint(&bytes);
            prop_assert!(problems.is_empty(), "{file}: {problems:?}\n---\n{yaml}");
            let text = String::from_utf8_lossy(&bytes);
            let unfolded = icalendar::parser::unfold(&text);
            prop_assert!(icalendar::parser::read_calendar(&unfolded).is_ok(), "{file}\n---\n{yaml}");
        }
    }
}

const FRAGMENTS: [&str; 56] = [
    "settings:\n",
    "systems:\n",
    "outages:\n",
    "maintenance:\n",
    "  - id: visma\n    name: Visma\n",
    "  - id: o1\n    title: T\n    systems: all\n",
    "  - id: s1\n    title: S\n    systems: [visma]\n    rule: FREQ=WEEKLY;BYDAY=WE\n    from: 2019-01-01\n    start-time: \"16:00\"\n    end-time: \"19:00\"\n",
    "    start: 2019-03-31 02:30\n    end: 2019-03-31 04:00\n",
    "    start: 2019-10-27 02:30\n    end: 2019-10-27 03:00\n",
    "    first-day: 2019-05-28\n",
    "    last-day: 2019-05-27\n",
    "    until: 2019-12-31\n",
    "    skip:\n      - date: 2019-01-02\n",
    "    skip-months:\n      - month: 13\n",
    "    moves:\n      - from: 2019-01-09\n        to: 2019-01-10\n",
    "    extra:\n      - date: 2019-01-09\n",
    "  time-zone: Australia/Sydney\n",
    "  horizon-months: 120\n",
    "  retention-days: 1\n",
    "  uid-domain: test.example\n",
    "    status: cancelled\n",
    "    recurrence: rrule\n",
    "- ",
    "  ",
    "\n",
    ": ",
    "id",
    "title",
    "&a ",
    "*a",
    "<<: *a\n",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    "\"",
    "#",
    "|\n",
    ">-\n",
    "---\n",
    "...\n",
    "!!str ",
    "!!binary ",
    "? ",
    "\t",
    "\r\n",
    "\u{feff}",
    "🛠️",
    "24:00",
    "2019-02-29",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "~",
    "null",
    "1.10",
];

/// The TEXT properties of the first VEVENT, as the `icalendar` crate's
/// parser reads them (unescaped).
fn event_text(bytes: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(bytes);
    let unfolded = icalendar::parser::unfold(&text);
    let Ok(cal) = icalendar::parser::read_calendar(&unfolded) else {
        return BTreeMap::new();
    };
    let nested = cal.components.iter().flat_map(|c| c.components.iter());
    let Some(event) = cal
        .components
        .iter()
        .chain(nested)
        .find(|c| c.name.as_str() == "VEVENT")
    else {
        return BTreeMap::new();
    };
    event
        .properties
        .iter()
        .filter(|p| matches!(p.name.as_str(), "SUMMARY" | "DESCRIPTION" | "LOCATION"))
        .map(|p| (p.name.as_str().to_string(), p.val.as_str().to_string()))
        .collect()
}

/// The README: "Text (titles, descriptions, lists) is trimmed, line breaks
/// become `\n`, and other control characters are dropped". A control
/// character next to the surrounding whitespace must not keep it.
#[test]
fn cleaned_text_is_trimmed() {
    let yaml = "systems:\n  - id: visma\n    name: \"Visma\\u007f \"\noutages:\n  - id: o\n    title: \"\\u0007\\r\\nA \\u0001\"\n    systems: [visma]\n    start: 2019-06-03 08:00\n    end: 2019-06-03 09:00\n    location: \"\\u007f\\r\\nRom 1\"\n";
    let checked = pipeline::load_memory(&files(yaml)).expect("valid");
    let expansion = pipeline::expansion(&checked, now()).expect("expands");
    let items = list::items(&expansion, &Filter::default());
    assert_eq!(items[0].title, "A");
    assert_eq!(items[0].summary, "Visma: A");
    let rendered = pipeline::render(&expansion, &Manifest::default(), now());
    let props = event_text(&feed_bytes(&rendered)[0].2);
    assert_eq!(props.get("LOCATION").map(String::as_str), Some("Rom 1"));
}

// ---------------------------------------------------------------------------
// Inputs the fuzzers found (`fuzz/`), kept as fixtures

fn fuzz_fixture(name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    vec![(PathBuf::from(name), bytes)]
}

/// Runs a fixture through load, expansion and render; returns the error
/// text, or `None` when it rendered (with every feed lint-clean).
fn run_fixture(name: &str) -> Option<String> {
    let checked = match pipeline::load_memory(&fuzz_fixture(name)) {
        Ok(c) => c,
        Err(e) => return Some(e.to_string()),
    };
    let expansion = match pipeline::expansion(&checked, now()) {
        Ok(x) => x,
        Err(e) => return Some(e.to_string()),
    };
    let rendered = pipeline::render(&expansion, &Manifest::default(), now());
    for (_, file, bytes) in feed_bytes(&rendered) {
        let problems = common::lint(&bytes);
        assert!(problems.is_empty(), "{file}: {problems:?}");
    }
    None
}

/// The `schedule` fuzzer's findings, two timeouts (5 s, instrumented
/// build): open-ended daily series from 2011 and 2012 are some 3,000
/// occurrences up to the horizon, one of them with an 816-character title.
/// The first builds, every feed lint-clean, and in good time; the second is
/// refused by the title limit, with its location.
#[test]
fn fuzz_long_daily_series_build_in_time() {
    let started = std::time::Instant::now();
    let name = "daily-series-seven-years.yaml";
    assert_eq!(run_fixture(name), None, "{name}");
    let checked = pipeline::load_memory(&fuzz_fixture(name)).expect("valid");
    let expansion = pipeline::expansion(&checked, now()).expect("expands");
    assert!(
        (2900..5000).contains(&expansion.occurrences.len()),
        "{name}: {}",
        expansion.occurrences.len()
    );
    let refused = run_fixture("daily-series-long-title.yaml").unwrap_or_default();
    assert!(
        // (After the warnings about its settings: no uid-domain, no base-url.)
        refused.contains("  error: daily-series-long-title.yaml:11:12: `title` is 816 characters long; the limit is 300"),
        "{refused}"
    );
    // A debug build takes a second or two; a quadratic slowdown, minutes.
    let took = started.elapsed();
    assert!(took.as_secs() < 60, "{took:?}");
}
