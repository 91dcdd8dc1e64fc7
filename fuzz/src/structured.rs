//! A schedule built from fuzzer-chosen pieces rather than raw bytes: valid
//! ids, dates around daylight-saving transitions, rules from a list of
//! FREQ/BY* parts, exceptions picked among the rule's real occurrences, and
//! text full of control characters, emoji, CR/LF and iCalendar specials,
//! always quoted so the YAML parses. Most inputs therefore reach expansion
//! and rendering; a few pieces are deliberately wrong to keep the error
//! paths covered too.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use arbitrary::Arbitrary;
use chrono::{DateTime, Days, NaiveDate, Utc};

/// Text the generator may put in titles; it must never reach `index.html`
/// as markup.
pub const HTML_MARKER: &str = "<fuzz-inject";

const ZONES: &[&str] = &[
    "Europe/Oslo",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Europe/Dublin",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Antarctica/Troll",
    "Africa/Casablanca",
    "America/St_Johns",
    "Europe/Moscow",
    "America/Sao_Paulo",
    "Pacific/Kiritimati",
    "UTC",
    "Etc/GMT+12",
    "europe/oslo",
];

/// Dates on or next to offset changes of the zones above.
const DST_DATES: &[&str] = &[
    "2019-03-31",
    "2019-10-27",
    "2020-03-29",
    "2020-10-25",
    "2024-03-31",
    "2024-10-27",
    "2019-03-10",
    "2019-11-03",
    "2024-03-10",
    "2024-11-03",
    "2019-04-07",
    "2019-10-06",
    "2024-04-07",
    "2024-10-06",
    "2011-12-29",
    "2011-12-30",
    "2011-12-31",
    "2019-05-05",
    "2019-06-09",
    "2011-03-27",
    "2014-10-26",
    "2018-11-04",
    "1970-01-01",
    "1969-12-31",
    "2038-01-19",
    "2099-12-31",
    "2100-01-01",
    "1900-01-01",
    "2000-02-29",
    "2024-02-29",
];

const YEARS: &[i32] = &[
    2019, 2019, 2020, 2024, 2025, 2037, 2038, 1970, 1900, 1899, 2099, 2100, 2200, 2201, 1, 9999,
];

const BAD_DATES: &[&str] = &[
    "2019-02-29",
    "29.11.2019",
    "2019-1-1",
    "12345-01-1",
    "-001-01-01",
    "+2019-01-01",
    "2019-13-01",
    "",
    "2019-03-31T02:30",
    "0000-01-01",
    "262143-12-31",
    "2019-11-29 15:30",
];

const TIMES: &[&str] = &[
    "00:00", "00:30", "01:00", "01:30", "01:59", "02:00", "02:15", "02:30", "02:59", "03:00",
    "03:30", "04:00", "08:00", "12:00", "16:00", "19:00", "21:00", "23:00", "23:59", "24:00",
];

const BAD_TIMES: &[&str] = &[
    "25:00", "7:00", "16.00", "24:01", "-1:00", "", "12:60", "4pm", "16:00:00", "24.00",
];

const FREQS: &[&str] = &[
    "FREQ=DAILY",
    "FREQ=WEEKLY",
    "FREQ=MONTHLY",
    "FREQ=YEARLY",
    "FREQ=WEEKLY",
    "FREQ=MONTHLY",
    "RRULE:FREQ=MONTHLY",
    "freq=weekly",
    "FREQ=HOURLY",
    "",
];

const RULE_PARTS: &[&str] = &[
    "INTERVAL=2",
    "INTERVAL=3",
    "INTERVAL=400",
    "COUNT=3",
    "COUNT=1",
    "COUNT=6000",
    "BYDAY=WE",
    "BYDAY=MO,FR",
    "BYDAY=SU",
    "BYDAY=-1SU",
    "BYDAY=2TU",
    "BYDAY=5FR",
    "BYDAY=+1MO",
    "BYSETPOS=3",
    "BYSETPOS=-1",
    "BYSETPOS=1,-1",
    "BYMONTHDAY=16,17,18,19,20,21,22",
    "BYMONTHDAY=31",
    "BYMONTHDAY=-1",
    "BYMONTHDAY=29",
    "BYMONTHDAY=30;BYMONTH=2",
    "BYMONTH=3",
    "BYMONTH=3,10",
    "BYMONTH=2",
    "BYYEARDAY=60",
    "BYYEARDAY=-1",
    "BYYEARDAY=366",
    "BYWEEKNO=1",
    "BYWEEKNO=53",
    "BYWEEKNO=-1",
    "WKST=SU",
    "WKST=MO",
    "BYDAY=WE;BYMONTHDAY=16,17,18,19,20,21,22",
    "BYHOUR=3",
    "UNTIL=20191231",
    "X-NEDETID=1",
    "BYDAY=XX",
    "",
];

const TEXT_PIECES: &[&str] = &[
    "Vedlikehold",
    "Oppgradering av Visma Enterprise til versjon 2019.1",
    "æøå ÆØÅ",
    "🛠️",
    "👩‍👩‍👧‍👦",
    "🇳🇴",
    "\r\n",
    "\r",
    "\n",
    ",",
    ";",
    "\\",
    "\\n",
    "\\,",
    ":",
    "\"",
    "'",
    "#",
    "- ",
    "&",
    "<fuzz-inject>",
    "</td><fuzz-inject x=\"",
    "\t",
    "\u{7}",
    "\u{0}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "\u{200d}",
    "\u{fffd}",
    "e\u{301}",
    "ﷺ",
    "𒐫",
    " ",
    "   ",
    "BEGIN:VEVENT",
    "END:VCALENDAR",
    "\r\n ",
    "\r\nEND:VEVENT\r\n",
    "http://x/?a=1&b=2",
];

const SYSTEM_IDS: &[&str] = &[
    "visma",
    "gat",
    "e-post",
    "telefoni",
    "a",
    "x1",
    "sys-2",
    "internett",
    "0",
    "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z-0123456789",
    "all",
    "con",
    "Visma",
    "-x",
    "lpt1",
];

const DOMAINS: &[&str] = &[
    "test.example",
    "nedetid.example.kommune.no",
    "EXAMPLE.NO",
    "a",
    "bad domain",
    "",
];

const URLS: &[&str] = &[
    "https://www.example.no/nedetid/",
    "https://www.example.no/nedetid",
    "http://x",
    "https://example.no/a b/?q=1&r=\"x\"",
    "ftp://example.no/",
    "https://example.no/\\",
];

const REFRESH: &[&str] = &["PT12H", "P1D", "pt1h", "PT0S", "P1W", "12h", "P"];

const NOWS: &[i64] = &[
    1_546_300_800,  // 2019-01-01T00:00:00Z
    1_560_600_000,  // 2019-06-15
    1_711_848_600,  // 2024-03-31T01:30:00Z
    1_762_063_200,  // 2025-11-02T06:00:00Z
    0,              // 1970-01-01
    4_102_444_800,  // 2100-01-01
    -2_208_988_800, // 1900-01-01
];

/// A piece of text.
#[derive(Debug, Arbitrary)]
pub enum Atom {
    Piece(u8),
    Char(char),
    Repeat(u8, u8),
}

#[derive(Debug, Arbitrary)]
pub struct Text {
    atoms: Vec<Atom>,
    style: u8,
}

impl Text {
    fn value(&self) -> String {
        let mut s = String::new();
        for atom in self.atoms.iter().take(16) {
            match atom {
                Atom::Piece(i) => s.push_str(pick(TEXT_PIECES, *i)),
                Atom::Char(c) => s.push(*c),
                Atom::Repeat(i, n) => {
                    for _ in 0..*n {
                        s.push_str(pick(TEXT_PIECES, *i));
                    }
                }
            }
        }
        s
    }

    fn yaml(&self) -> String {
        scalar(&self.value(), self.style)
    }
}

#[derive(Debug, Arbitrary)]
pub enum DatePick {
    Dst(u8, i8),
    Plain(u8, u8, u8),
    Bad(u8),
}

impl DatePick {
    fn date(&self) -> Result<NaiveDate, String> {
        match *self {
            DatePick::Dst(i, delta) => {
                let d: NaiveDate = pick(DST_DATES, i).parse().map_err(|_| String::new())?;
                Ok(shift(d, i64::from(delta % 4)))
            }
            DatePick::Plain(y, m, d) => {
                let year = YEARS[usize::from(y) % YEARS.len()];
                let month = u32::from(m % 12) + 1;
                let day = u32::from(d % 31) + 1;
                NaiveDate::from_ymd_opt(year, month, day)
                    .ok_or_else(|| format!("{year:04}-{month:02}-{day:02}"))
            }
            DatePick::Bad(i) => Err(pick(BAD_DATES, i).to_string()),
        }
    }

    fn text(&self) -> String {
        match self.date() {
            Ok(d) => d.format("%Y-%m-%d").to_string(),
            Err(s) => s,
        }
    }
}

#[derive(Debug, Arbitrary)]
pub enum TimePick {
    Listed(u8),
    Any(u8, u8),
    Bad(u8),
}

impl TimePick {
    fn text(&self) -> String {
        match *self {
            TimePick::Listed(i) => pick(TIMES, i).to_string(),
            TimePick::Any(h, m) => format!("{:02}:{:02}", h % 24, m % 60),
            TimePick::Bad(i) => pick(BAD_TIMES, i).to_string(),
        }
    }
}

#[derive(Debug, Arbitrary)]
pub enum Systems {
    All,
    Mask(u8),
    Unknown,
    Word,
    Empty,
}

#[derive(Debug, Arbitrary)]
pub struct SettingsPick {
    calendar_name: Option<Text>,
    description: Option<Text>,
    domain: Option<u8>,
    base_url: Option<u8>,
    refresh: Option<u8>,
    horizon: Option<u8>,
    retention: Option<u32>,
}

#[derive(Debug, Arbitrary)]
pub struct SystemPick {
    id: u8,
    name: Text,
    description: Option<Text>,
}

#[derive(Debug, Arbitrary)]
pub enum When {
    Timed {
        day: DatePick,
        start: TimePick,
        days: u8,
        end: TimePick,
    },
    AllDay {
        first: DatePick,
        days: Option<u8>,
    },
}

#[derive(Debug, Arbitrary)]
pub struct DetailsPick {
    title: Text,
    systems: Systems,
    description: Option<Text>,
    consequences: Vec<Text>,
    still_works: Vec<Text>,
    location: Option<Text>,
    status: u8,
    link: Option<u8>,
}

#[derive(Debug, Arbitrary)]
pub struct OutagePick {
    details: DetailsPick,
    when: When,
}

#[derive(Debug, Arbitrary)]
pub struct MovePick {
    from: u8,
    delta: i8,
    start: Option<TimePick>,
    end: Option<TimePick>,
    reason: Option<Text>,
}

#[derive(Debug, Arbitrary)]
pub struct ExtraPick {
    near: u8,
    delta: i8,
    start: Option<TimePick>,
    end: Option<TimePick>,
    reason: Option<Text>,
}

#[derive(Debug, Arbitrary)]
pub struct SeriesPick {
    details: DetailsPick,
    freq: u8,
    parts: Vec<u8>,
    from: DatePick,
    /// Days after `from`; open-ended when absent.
    until: Option<u16>,
    start: TimePick,
    end: TimePick,
    /// `recurrence:` on the series: none, expand, rrule, or a bad word.
    recurrence: Option<u8>,
    skips: Vec<(u8, Option<Text>)>,
    skip_months: Vec<u8>,
    moves: Vec<MovePick>,
    extras: Vec<ExtraPick>,
}

/// The whole generated input.
#[derive(Debug, Arbitrary)]
pub struct Input {
    zone: u8,
    settings: Option<SettingsPick>,
    systems: Vec<SystemPick>,
    outages: Vec<OutagePick>,
    series: Vec<SeriesPick>,
    now: u8,
    /// Seconds added to the chosen `now`.
    now_shift: i32,
    /// Spread the sections over three files.
    split: bool,
    /// `--recurrence rrule` rather than the default `expand`.
    rrule: bool,
}

fn pick<T: Copy>(list: &[T], i: u8) -> T {
    list[usize::from(i) % list.len()]
}

fn shift(d: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        d.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
    .unwrap_or(d)
}

/// A YAML scalar holding exactly `s`: plain when that is safe, single-quoted
/// or double-quoted (with escapes for everything YAML cannot hold raw).
pub fn scalar(s: &str, style: u8) -> String {
    let plain_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() && !c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '(' | ')'))
        && !s.ends_with(' ')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "nan" | "inf"
        );
    let printable = |c: char| {
        matches!(c, '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
            && !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
    };
    match style % 4 {
        0 if plain_ok => s.to_string(),
        1 if s.chars().all(printable) => format!("'{}'", s.replace('\'', "''")),
        _ => {
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if printable(c) => out.push(c),
                    c if u32::from(c) <= 0xff => {
                        let _ = write!(out, "\\x{:02x}", u32::from(c));
                    }
                    c if u32::from(c) <= 0xffff => {
                        let _ = write!(out, "\\u{:04x}", u32::from(c));
                    }
                    c => {
                        let _ = write!(out, "\\U{:08x}", u32::from(c));
                    }
                }
            }
            out.push('"');
            out
        }
    }
}

impl Input {
    pub fn now(&self) -> DateTime<Utc> {
        let base = pick(NOWS, self.now);
        let secs = base.saturating_add(i64::from(self.now_shift % 40_000_000));
        DateTime::from_timestamp(secs, 0).unwrap_or_else(crate::fixed_now)
    }

    /// The form series are published in unless they say.
    pub fn recurrence(&self) -> crate::Recurrence {
        if self.rrule {
            crate::Recurrence::Rrule
        } else {
            crate::Recurrence::Expand
        }
    }

    /// Whether any series has skips, skipped months, moves or extra dates.
    pub fn has_exceptions(&self) -> bool {
        self.series.iter().take(3).any(|s| {
            !(s.skips.is_empty()
                && s.skip_months.is_empty()
                && s.moves.is_empty()
                && s.extras.is_empty())
        })
    }

    fn system_ids(&self) -> Vec<&'static str> {
        let mut ids: Vec<&'static str> = Vec::new();
        for s in self.systems.iter().take(5) {
            let id = pick(SYSTEM_IDS, s.id);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// The schedule files. Without `exceptions` the series have no skips,
    /// moves or extra dates; with them, those are chosen among the rule
    /// dates a first build published (per series id) where there are any.
    pub fn files(
        &self,
        exceptions: Option<&BTreeMap<String, Vec<NaiveDate>>>,
    ) -> Vec<(PathBuf, Vec<u8>)> {
        let ids = self.system_ids();
        let mut head = String::new();
        head.push_str("settings:\n");
        let _ = writeln!(head, "  time-zone: {}", pick(ZONES, self.zone));
        if let Some(s) = &self.settings {
            if let Some(t) = &s.calendar_name {
                let _ = writeln!(head, "  calendar-name: {}", t.yaml());
            }
            if let Some(t) = &s.description {
                let _ = writeln!(head, "  description: {}", t.yaml());
            }
            if let Some(i) = s.domain {
                let _ = writeln!(head, "  uid-domain: {}", scalar(pick(DOMAINS, i), 2));
            }
            if let Some(i) = s.base_url {
                let _ = writeln!(head, "  base-url: {}", scalar(pick(URLS, i), 2));
            }
            if let Some(i) = s.refresh {
                let _ = writeln!(head, "  refresh-interval: {}", scalar(pick(REFRESH, i), 2));
            }
            if let Some(h) = s.horizon {
                let _ = writeln!(head, "  horizon-months: {}", u32::from(h) % 130);
            }
            if let Some(r) = s.retention {
                let _ = writeln!(head, "  retention-days: {r}");
            }
        }
        let mut systems = String::new();
        if !self.systems.is_empty() {
            systems.push_str("systems:\n");
        }
        let mut seen = BTreeSet::new();
        for s in self.systems.iter().take(5) {
            let id = pick(SYSTEM_IDS, s.id);
            if !seen.insert(id) {
                continue;
            }
            let _ = writeln!(systems, "  - id: {}", scalar(id, 2));
            let _ = writeln!(systems, "    name: {}", s.name.yaml());
            if let Some(d) = &s.description {
                let _ = writeln!(systems, "    description: {}", d.yaml());
            }
        }
        let mut events = String::new();
        if !self.outages.is_empty() {
            events.push_str("outages:\n");
        }
        for (n, o) in self.outages.iter().take(6).enumerate() {
            let _ = writeln!(events, "  - id: o{n}");
            o.details.write(&mut events, &ids);
            match &o.when {
                When::Timed {
                    day,
                    start,
                    days,
                    end,
                } => {
                    let first = day.text();
                    let last = match day.date() {
                        Ok(d) => shift(d, i64::from(days % 3)).format("%Y-%m-%d").to_string(),
                        Err(s) => s,
                    };
                    let _ = writeln!(
                        events,
                        "    start: {}",
                        scalar(&format!("{first} {}", start.text()), 1)
                    );
                    let _ = writeln!(
                        events,
                        "    end: {}",
                        scalar(&format!("{last} {}", end.text()), 1)
                    );
                }
                When::AllDay { first, days } => {
                    let _ = writeln!(events, "    first-day: {}", scalar(&first.text(), 1));
                    if let Some(days) = days {
                        let last = match first.date() {
                            Ok(d) => shift(d, i64::from(*days % 40))
                                .format("%Y-%m-%d")
                                .to_string(),
                            Err(s) => s,
                        };
                        let _ = writeln!(events, "    last-day: {}", scalar(&last, 1));
                    }
                }
            }
        }
        if !self.series.is_empty() {
            events.push_str("maintenance:\n");
        }
        for (n, s) in self.series.iter().take(3).enumerate() {
            let id = format!("s{n}");
            let known = exceptions.map(|e| e.get(&id).map(Vec::as_slice).unwrap_or_default());
            s.write(&mut events, &id, &ids, known);
        }
        if self.split {
            vec![
                (PathBuf::from("innstillinger.yaml"), head.into_bytes()),
                (PathBuf::from("systemer.yml"), systems.into_bytes()),
                (PathBuf::from("nedetid.yaml"), events.into_bytes()),
            ]
            .into_iter()
            .filter(|(_, b)| !b.is_empty())
            .collect()
        } else {
            vec![(
                PathBuf::from("schedule.yaml"),
                format!("{head}{systems}{events}").into_bytes(),
            )]
        }
    }
}

impl DetailsPick {
    fn write(&self, out: &mut String, ids: &[&str]) {
        let _ = writeln!(out, "    title: {}", self.title.yaml());
        let systems = match self.systems {
            Systems::All => "all".to_string(),
            Systems::Mask(m) => {
                let chosen: Vec<String> = ids
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| m & (1 << i) != 0)
                    .map(|(_, id)| scalar(id, 2))
                    .collect();
                if chosen.is_empty() {
                    match ids.first() {
                        Some(id) => format!("[{}]", scalar(id, 2)),
                        None => "all".to_string(),
                    }
                } else {
                    format!("[{}]", chosen.join(", "))
                }
            }
            Systems::Unknown => "[ukjent]".to_string(),
            Systems::Word => ids.first().copied().unwrap_or("visma").to_string(),
            Systems::Empty => "[]".to_string(),
        };
        let _ = writeln!(out, "    systems: {systems}");
        if let Some(d) = &self.description {
            let _ = writeln!(out, "    description: {}", d.yaml());
        }
        if !self.consequences.is_empty() {
            out.push_str("    consequences:\n");
            for c in self.consequences.iter().take(4) {
                let _ = writeln!(out, "      - {}", c.yaml());
            }
        }
        if !self.still_works.is_empty() {
            out.push_str("    still-works:\n");
            for c in self.still_works.iter().take(4) {
                let _ = writeln!(out, "      - {}", c.yaml());
            }
        }
        if let Some(l) = &self.location {
            let _ = writeln!(out, "    location: {}", l.yaml());
        }
        match self.status % 8 {
            1 => out.push_str("    status: tentative\n"),
            2 => out.push_str("    status: cancelled\n"),
            3 => out.push_str("    status: confirmed\n"),
            4 => out.push_str("    status: Cancelled\n"),
            _ => {}
        }
        if let Some(i) = self.link {
            let _ = writeln!(out, "    link: {}", scalar(pick(URLS, i), 2));
        }
    }
}

impl SeriesPick {
    fn write(&self, out: &mut String, id: &str, ids: &[&str], known: Option<&[NaiveDate]>) {
        let _ = writeln!(out, "  - id: {id}");
        self.details.write(out, ids);
        let mut rule = pick(FREQS, self.freq).to_string();
        for p in self.parts.iter().take(3) {
            let part = pick(RULE_PARTS, *p);
            if !part.is_empty() {
                rule.push(';');
                rule.push_str(part);
            }
        }
        let _ = writeln!(out, "    rule: {}", scalar(&rule, 2));
        let _ = writeln!(out, "    from: {}", scalar(&self.from.text(), 1));
        let from = self.from.date().ok();
        if let Some(days) = self.until {
            let until = match from {
                Some(f) => shift(f, i64::from(days % 1200))
                    .format("%Y-%m-%d")
                    .to_string(),
                None => "2019-12-31".to_string(),
            };
            let _ = writeln!(out, "    until: {}", scalar(&until, 1));
        }
        let _ = writeln!(out, "    start-time: {}", scalar(&self.start.text(), 1));
        let _ = writeln!(out, "    end-time: {}", scalar(&self.end.text(), 1));
        match self.recurrence.map(|r| r % 8) {
            Some(0..=2) => out.push_str("    recurrence: rrule\n"),
            Some(3..=5) => out.push_str("    recurrence: expand\n"),
            Some(6) => out.push_str("    recurrence: RRULE\n"),
            _ => {}
        }
        // Exceptions: among the real occurrences when a first build found
        // some, else days after `from` (mostly errors, which is fine).
        let Some(known) = known else {
            return;
        };
        let occurrence = |i: u8| -> NaiveDate {
            if known.is_empty() {
                shift(from.unwrap_or_default(), i64::from(i))
            } else {
                known[usize::from(i) % known.len()]
            }
        };
        let is_rule_date = |d: &NaiveDate| known.binary_search(d).is_ok();
        let mut used = BTreeSet::new();
        let free = |near: NaiveDate, delta: i8, used: &mut BTreeSet<NaiveDate>| {
            let step = if delta < 0 { -1 } else { 1 };
            let mut d = shift(near, i64::from(delta % 15).max(1) * step);
            for _ in 0..400 {
                if !is_rule_date(&d) && !used.contains(&d) {
                    break;
                }
                d = shift(d, step);
            }
            used.insert(d);
            d
        };
        if !self.skips.is_empty() {
            out.push_str("    skip:\n");
            for (i, reason) in self.skips.iter().take(3) {
                let d = occurrence(*i);
                used.insert(d);
                let _ = writeln!(out, "      - date: {d}");
                if let Some(r) = reason {
                    let _ = writeln!(out, "        reason: {}", r.yaml());
                }
            }
        }
        if !self.skip_months.is_empty() {
            out.push_str("    skip-months:\n");
            for m in self.skip_months.iter().take(2) {
                let month = if known.is_empty() || m % 8 == 7 {
                    u32::from(*m % 14)
                } else {
                    chrono::Datelike::month(&occurrence(*m))
                };
                let _ = writeln!(out, "      - month: {month}");
            }
        }
        if !self.moves.is_empty() {
            out.push_str("    moves:\n");
            for m in self.moves.iter().take(3) {
                let from = occurrence(m.from);
                used.insert(from);
                let to = free(from, m.delta, &mut used);
                let _ = writeln!(out, "      - from: {from}");
                let _ = writeln!(out, "        to: {to}");
                if let Some(t) = &m.start {
                    let _ = writeln!(out, "        start-time: {}", scalar(&t.text(), 1));
                }
                if let Some(t) = &m.end {
                    let _ = writeln!(out, "        end-time: {}", scalar(&t.text(), 1));
                }
                if let Some(r) = &m.reason {
                    let _ = writeln!(out, "        reason: {}", r.yaml());
                }
            }
        }
        if !self.extras.is_empty() {
            out.push_str("    extra:\n");
            for e in self.extras.iter().take(3) {
                let d = free(occurrence(e.near), e.delta, &mut used);
                let _ = writeln!(out, "      - date: {d}");
                if let Some(t) = &e.start {
                    let _ = writeln!(out, "        start-time: {}", scalar(&t.text(), 1));
                }
                if let Some(t) = &e.end {
                    let _ = writeln!(out, "        end-time: {}", scalar(&t.text(), 1));
                }
                if let Some(r) = &e.reason {
                    let _ = writeln!(out, "        reason: {}", r.yaml());
                }
            }
        }
    }
}
