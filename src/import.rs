//! `nedetid import`: an existing iCalendar feed (an Outlook or Google
//! export, another generator's feed, or nedetid's own) turned into schedule
//! YAML text. Single events become outages (timed or all day), `RRULE`
//! series maintenance (their `EXDATE`s skips, their `RECURRENCE-ID`
//! overrides moves, their `RDATE`s extra dates), every time resolved to the
//! schedule's zone. Whatever the format cannot say is counted in the
//! returned notes, naming the event; nothing is dropped without a note.
//! Nothing here prints or touches files.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{
    DateTime, Datelike as _, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime,
    Offset as _, TimeZone as _, Utc,
};
use chrono_tz::Tz;
use icalendar::parser::{Component, Property};

use crate::limits::{MAX_ID_LEN, MAX_NAME_CHARS, MAX_OCCURRENCES, MAX_TEXT_CHARS, MAX_WINDOW_DAYS};
use crate::limits::{MAX_LINK_CHARS, MAX_YEAR, MIN_YEAR};

/// The system every imported event is on when `--systems` names none.
pub const DEFAULT_SYSTEM: (&str, &str) = ("imported", "Imported");

/// What the caller decides.
#[derive(Debug, Clone)]
pub struct Options {
    /// The systems of the schedule, (id, name); every event hits all of
    /// them. Empty: [`DEFAULT_SYSTEM`].
    pub systems: Vec<(String, String)>,
    /// The schedule's zone; else the feed's `X-WR-TIMEZONE`, else
    /// Europe/Oslo.
    pub time_zone: Option<Tz>,
    /// The feed's file name, for the YAML's first comment.
    pub source: String,
}

/// The YAML and the account of what was and was not imported.
#[derive(Debug, Default)]
pub struct Imported {
    pub yaml: String,
    pub zone: String,
    /// `VEVENT`s read (overrides included).
    pub events: usize,
    pub outages: usize,
    pub series: usize,
    pub skips: usize,
    pub moves: usize,
    pub extras: usize,
    /// Events (or parts of events) that could not be expressed, each
    /// naming the event.
    pub not_imported: Vec<String>,
    /// Changes made to fit the format (a truncated title, an all-day
    /// series as 00:00-24:00), each naming the event.
    pub adjusted: Vec<String>,
    /// Properties and components with no place in the format, with how
    /// many events had them.
    pub ignored: BTreeMap<String, usize>,
}

/// A date or date-time value as the feed wrote it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum When {
    Date(NaiveDate),
    Instant(DateTime<Utc>),
}

/// An event's times, resolved to the schedule's zone.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Span {
    /// First and last day, inclusive.
    Days(NaiveDate, NaiveDate),
    Timed(DateTime<Utc>, DateTime<Utc>),
}

/// One VEVENT, read.
#[derive(Debug, Clone)]
struct Event {
    uid: String,
    summary: String,
    description: Option<String>,
    location: Option<String>,
    status: Option<String>,
    url: Option<String>,
    span: Option<Span>,
    /// The zone DTSTART was written in (the schedule's for floating and
    /// date values, UTC for UTC): recurrence is computed in it.
    start_zone: Tz,
    rrules: Vec<String>,
    exdates: Vec<When>,
    rdates: Vec<When>,
    recurrence_id: Option<When>,
}

impl Event {
    fn name(&self) -> String {
        format!("`{}` ({})", self.summary, self.uid)
    }
}

/// Resolves TZIDs: IANA names, Windows names (CLDR), and the
/// `/vendor/.../Europe/Oslo` prefixes some generators write.
fn zone_of(tzid: &str) -> Option<Tz> {
    let tzid = tzid.trim().trim_matches('"');
    if let Ok(z) = tzid.parse::<Tz>() {
        return Some(z);
    }
    if let Some(iana) = localzone::win_zone_to_iana(tzid, None)
        && let Ok(z) = iana.parse::<Tz>()
    {
        return Some(z);
    }
    // `/mozilla.org/20050126_1/Europe/Oslo`, `/citadel.org/.../Europe/Oslo`
    let parts: Vec<&str> = tzid.split('/').collect();
    (1..parts.len()).find_map(|i| parts[i..].join("/").parse::<Tz>().ok())
}

fn param<'a>(p: &'a Property, key: &str) -> Option<&'a str> {
    p.params
        .iter()
        .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|x| x.val.as_ref())
        .map(|v| v.as_str().trim_matches('"'))
}

fn text(p: &Property) -> String {
    p.val.clone().unescape_text().as_str().to_string()
}

/// The years a date or time in a feed may have (the schedule's own are
/// narrower); with durations of at most [`MAX_DURATION_DAYS`] no sum of
/// them can leave chrono's range.
const READ_YEARS: std::ops::RangeInclusive<i32> = 1000..=9000;
const MAX_DURATION_DAYS: i64 = 3_660;

/// Reads one DATE or DATE-TIME value; a local time is resolved in its TZID
/// (or, floating, in `zone`) as RFC 5545 says: the first of two readings, a
/// time the clocks skip moved forward by the gap.
fn when(value: &str, tzid: Option<&str>, zone: Tz) -> Result<When, String> {
    let v = value.trim();
    if v.len() == 8 {
        return NaiveDate::parse_from_str(v, "%Y%m%d")
            .ok()
            .filter(|d| READ_YEARS.contains(&d.year()))
            .map(When::Date)
            .ok_or_else(|| format!("`{v}` is not a date in the years {READ_YEARS:?}"));
    }
    let (body, utc) = match v.strip_suffix(['Z', 'z']) {
        Some(b) => (b, true),
        None => (v, false),
    };
    let local = NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S")
        .map_err(|_| format!("`{v}` is not a date-time"))?;
    // Far from chrono's limits, so that no sum below can overflow; the
    // schedule's own years are checked where an event is written.
    if !(READ_YEARS).contains(&local.year()) {
        return Err(format!("`{v}` is outside the years {READ_YEARS:?}"));
    }
    if utc {
        return Ok(When::Instant(local.and_utc()));
    }
    let tz = match tzid {
        Some(t) => zone_of(t).ok_or_else(|| format!("unknown time zone `{t}`"))?,
        None => zone,
    };
    let resolved = match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t),
        LocalResult::None => tz
            .from_local_datetime(&(local + Duration::hours(1)))
            .earliest(),
    };
    resolved
        .map(|t| When::Instant(t.with_timezone(&Utc)))
        .ok_or_else(|| format!("`{v}` does not exist in {tz}"))
}

/// Every value of a property that may hold a comma-separated list.
fn whens(p: &Property, zone: Tz) -> Result<Vec<When>, String> {
    if param(p, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("PERIOD")) {
        return Err("a PERIOD value".into());
    }
    p.val
        .as_str()
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| when(s, param(p, "TZID"), zone))
        .collect()
}

/// An RFC 5545 DURATION in seconds (`P1D`, `PT1H30M`, `P1W`).
fn duration(text: &str) -> Option<i64> {
    let t = text.trim();
    let (sign, t) = match t.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let t = t.strip_prefix('P')?;
    let mut total: i64 = 0;
    let mut num = String::new();
    let mut in_time = false;
    for c in t.chars() {
        match c {
            'T' => in_time = true,
            d if d.is_ascii_digit() => num.push(d),
            u => {
                let n: i64 = num.parse().ok()?;
                num.clear();
                let secs = match (u, in_time) {
                    ('W', false) => 604_800,
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                total = total.checked_add(n.checked_mul(secs)?)?;
            }
        }
    }
    (num.is_empty() && total <= MAX_DURATION_DAYS * 86_400).then_some(sign * total)
}

fn read_event(c: &Component, zone: Tz, index: usize, out: &mut Imported) -> Result<Event, String> {
    let mut ev = Event {
        uid: format!("event-{}", index + 1),
        summary: String::new(),
        description: None,
        location: None,
        status: None,
        url: None,
        span: None,
        rrules: Vec::new(),
        exdates: Vec::new(),
        rdates: Vec::new(),
        recurrence_id: None,
        start_zone: zone,
    };
    let mut start = None;
    let mut end = None;
    let mut dur = None;
    for p in &c.properties {
        let name = p.name.as_str().to_ascii_uppercase();
        match name.as_str() {
            "UID" => ev.uid = p.val.as_str().trim().to_string(),
            "SUMMARY" => ev.summary = text(p),
            "DESCRIPTION" => ev.description = Some(text(p)).filter(|t| !t.trim().is_empty()),
            "LOCATION" => ev.location = Some(text(p)).filter(|t| !t.trim().is_empty()),
            "STATUS" => ev.status = Some(p.val.as_str().trim().to_ascii_lowercase()),
            "URL" => ev.url = Some(p.val.as_str().trim().to_string()),
            "RRULE" => ev.rrules.push(p.val.as_str().trim().to_string()),
            "DTSTART" => {
                start = Some(when(p.val.as_str(), param(p, "TZID"), zone)?);
                if let Some(t) = param(p, "TZID").and_then(zone_of) {
                    ev.start_zone = t;
                } else if p.val.as_str().trim().ends_with(['Z', 'z']) {
                    ev.start_zone = chrono_tz::UTC;
                }
            }
            "DTEND" => end = Some(when(p.val.as_str(), param(p, "TZID"), zone)?),
            "DURATION" => {
                dur = Some(
                    duration(p.val.as_str())
                        .ok_or_else(|| format!("DURATION `{}` is not a duration", p.val))?,
                )
            }
            "EXDATE" => ev
                .exdates
                .extend(whens(p, zone).map_err(|e| format!("EXDATE: {e}"))?),
            "RDATE" => ev
                .rdates
                .extend(whens(p, zone).map_err(|e| format!("RDATE: {e}"))?),
            "RECURRENCE-ID" => {
                ev.recurrence_id = Some(when(p.val.as_str(), param(p, "TZID"), zone)?)
            }
            other => *out.ignored.entry(other.to_string()).or_default() += 1,
        }
    }
    for sub in &c.components {
        *out.ignored
            .entry(format!("{} component", sub.name.as_str()))
            .or_default() += 1;
    }
    if ev.summary.trim().is_empty() {
        ev.summary = "(no title)".into();
    }
    ev.span = match (start, end, dur) {
        (None, _, _) => return Err("no DTSTART".into()),
        (Some(When::Date(s)), Some(When::Date(e)), _) => {
            Some(Span::Days(s, e.pred_opt().unwrap_or(e).max(s)))
        }
        (Some(When::Date(s)), None, Some(secs)) => {
            let days = (secs / 86_400).max(1);
            Some(Span::Days(s, s + Duration::days(days - 1)))
        }
        (Some(When::Date(s)), None, None) => Some(Span::Days(s, s)),
        (Some(When::Instant(s)), Some(When::Instant(e)), _) => Some(Span::Timed(s, e)),
        (Some(When::Instant(s)), None, Some(secs)) => {
            Some(Span::Timed(s, s + Duration::seconds(secs)))
        }
        (Some(When::Instant(_)), None, None) => {
            return Err("no DTEND or DURATION (an instant, not a window)".into());
        }
        _ => return Err("DTSTART and DTEND of different types (date and date-time)".into()),
    };
    Ok(ev)
}

/// The local date-time text of `t` in `zone`: `YYYY-MM-DD HH:MM`, with the
/// UTC offset when the local time happens twice (the schedule format asks
/// for it there).
fn local_text(t: DateTime<Utc>, zone: Tz) -> String {
    let local = t.with_timezone(&zone);
    let naive = local.naive_local();
    let mut s = naive.format("%Y-%m-%d %H:%M").to_string();
    if matches!(
        zone.from_local_datetime(&naive),
        LocalResult::Ambiguous(_, _)
    ) {
        let secs = local.offset().fix().local_minus_utc();
        let sign = if secs < 0 { '-' } else { '+' };
        let secs = secs.abs();
        let _ = write!(s, "{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60);
    }
    s
}

/// A YAML double-quoted scalar: safe for any text.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An id from an event's UID (the part before `@`), else its title:
/// lowercase a-z, 0-9 and `-`, at most 64 characters, unique in `taken`.
fn make_id(ev: &Event, date: NaiveDate, taken: &mut BTreeSet<String>) -> String {
    let local = ev.uid.split('@').next().unwrap_or("");
    let from_uid = slug(local);
    // Outlook's UIDs are 112 hex digits: no name for a person.
    let hexish = from_uid.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let base = if !from_uid.is_empty() && from_uid.len() <= 48 && !hexish {
        from_uid
    } else {
        let title = slug(&ev.summary);
        let title = cut(&title, MAX_ID_LEN - 11);
        if title.is_empty() {
            format!("{}", date.format("%Y-%m-%d"))
        } else {
            format!("{}-{title}", date.format("%Y-%m-%d"))
        }
    };
    let base = if crate::validate::is_reserved(&base) || base == "all" {
        format!("{base}-event")
    } else {
        base
    };
    let mut id = base.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        let suffix = format!("-{n}");
        id = format!("{}{suffix}", cut(&base, MAX_ID_LEN - suffix.len()));
        n += 1;
    }
    id
}

fn cut(s: &str, max: usize) -> String {
    s.get(..max.min(s.len()))
        .unwrap_or(s)
        .trim_end_matches('-')
        .to_string()
}

fn slug(s: &str) -> String {
    let mapped: String = s
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            'æ' => "ae".chars().collect::<Vec<_>>(),
            'ø' | 'ö' | 'ó' | 'ò' => vec!['o'],
            'å' | 'ä' | 'á' | 'à' => vec!['a'],
            'é' | 'è' | 'ê' => vec!['e'],
            'ü' | 'ú' => vec!['u'],
            c if c.is_ascii_alphanumeric() => vec![c],
            _ => vec!['-'],
        })
        .collect();
    let joined = mapped
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    cut(&joined, MAX_ID_LEN)
}

/// Text cut to `max` characters, with a note when it was longer.
fn limited(text: &str, max: usize, what: &str, ev: &Event, out: &mut Imported) -> String {
    let text = crate::validate::clean_text(text);
    if text.chars().count() <= max {
        return text;
    }
    out.adjusted.push(format!(
        "{}: {what} cut to {max} characters (the limit)",
        ev.name()
    ));
    text.chars().take(max).collect()
}

/// The keys every imported outage and series has after its times.
fn write_common(y: &mut String, ev: &Event, out: &mut Imported) {
    if let Some(d) = &ev.description {
        let d = limited(d, MAX_TEXT_CHARS, "DESCRIPTION", ev, out);
        if !d.is_empty() {
            let _ = writeln!(y, "    description: {}", quote(&d));
        }
    }
    if let Some(l) = &ev.location {
        let l = limited(l, MAX_NAME_CHARS, "LOCATION", ev, out);
        if !l.is_empty() {
            let _ = writeln!(y, "    location: {}", quote(&l));
        }
    }
    match ev.status.as_deref() {
        None | Some("confirmed") => {}
        Some(s @ ("tentative" | "cancelled")) => {
            let _ = writeln!(y, "    status: {s}");
        }
        Some(other) => out
            .adjusted
            .push(format!("{}: STATUS `{other}` read as confirmed", ev.name())),
    }
    if let Some(u) = &ev.url {
        let ok = u.len() <= MAX_LINK_CHARS
            && url::Url::parse(u)
                .is_ok_and(|p| matches!(p.scheme(), "http" | "https") && p.host().is_some())
            && !u
                .chars()
                .any(|c| c.is_whitespace() || c == '"' || c.is_control());
        if ok {
            let _ = writeln!(y, "    link: {}", quote(u));
        } else {
            out.not_imported
                .push(format!("{}: URL `{u}` is not an http(s) link", ev.name()));
        }
    }
}

/// Why a span cannot be an outage, if it cannot.
fn outage_problem(span: Span) -> Option<String> {
    let (first, last) = match span {
        Span::Days(a, b) => (a, b),
        Span::Timed(s, e) => {
            if e <= s {
                return Some("it ends when or before it starts".into());
            }
            if e - s > Duration::days(MAX_WINDOW_DAYS) {
                return Some(format!(
                    "it lasts more than {MAX_WINDOW_DAYS} days, the longest window"
                ));
            }
            (s.date_naive(), e.date_naive())
        }
    };
    if (last - first).num_days() >= MAX_WINDOW_DAYS {
        return Some(format!(
            "it lasts more than {MAX_WINDOW_DAYS} days, the longest window"
        ));
    }
    if first.year() < MIN_YEAR || last.year() > MAX_YEAR {
        return Some(format!("it is outside the years {MIN_YEAR} to {MAX_YEAR}"));
    }
    None
}

fn write_outage(
    y: &mut String,
    ev: &Event,
    span: Span,
    zone: Tz,
    taken: &mut BTreeSet<String>,
    out: &mut Imported,
) {
    if let Some(why) = outage_problem(span) {
        out.not_imported
            .push(format!("{}: not imported: {why}", ev.name()));
        return;
    }
    let date = match span {
        Span::Days(a, _) => a,
        Span::Timed(s, _) => s.with_timezone(&zone).date_naive(),
    };
    let id = make_id(ev, date, taken);
    let title = limited(&ev.summary, MAX_NAME_CHARS, "SUMMARY", ev, out);
    let _ = writeln!(y, "  - id: {id}");
    let _ = writeln!(y, "    title: {}", quote(&title));
    let _ = writeln!(y, "    systems: all");
    match span {
        Span::Days(a, b) => {
            let _ = writeln!(y, "    first-day: {a}");
            if b != a {
                let _ = writeln!(y, "    last-day: {b}");
            }
        }
        Span::Timed(s, e) => {
            for (key, t) in [("start", s), ("end", e)] {
                if t.timestamp() % 60 != 0 {
                    out.adjusted.push(format!(
                        "{}: {key} at {t} has seconds; the format has minutes (cut)",
                        ev.name()
                    ));
                }
                let _ = writeln!(y, "    {key}: {}", local_text(t, zone));
            }
        }
    }
    write_common(y, ev, out);
    out.outages += 1;
}

/// A start and an end time, `HH:MM`.
type Times = (String, String);

/// The parts of an RRULE value, upper-cased names, in order.
fn rule_parts(rule: &str) -> Vec<(String, String)> {
    rule.trim()
        .trim_start_matches("RRULE:")
        .split(';')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.trim().to_ascii_uppercase(), v.trim().to_string())
        })
        .collect()
}

/// The dates a rule gives from `from`, up to `last` (inclusive), at most
/// [`MAX_OCCURRENCES`] + 1 of them.
fn dates_of(rule: &str, from: NaiveDate, last: NaiveDate) -> Result<Vec<NaiveDate>, String> {
    let text = format!("DTSTART:{}T000000Z\nRRULE:{rule}", from.format("%Y%m%d"));
    let set: rrule::RRuleSet = text
        .parse()
        .map_err(|e: rrule::RRuleError| crate::rules::rrule_message(&e))?;
    let bound = rrule::Tz::UTC
        .with_ymd_and_hms(last.year(), last.month(), last.day(), 0, 0, 0)
        .single()
        .ok_or("bad bound")?;
    let result = set.before(bound).all(MAX_OCCURRENCES + 1);
    Ok(result.dates.iter().map(|d| d.date_naive()).collect())
}

/// A series as a maintenance item, or why it cannot be one.
#[allow(clippy::too_many_lines)]
fn write_series(
    y: &mut String,
    master: &Event,
    overrides: &[Event],
    zone: Tz,
    taken: &mut BTreeSet<String>,
    loose: &mut Vec<(Event, Span)>,
    out: &mut Imported,
) -> Result<(), String> {
    if master.rrules.len() > 1 {
        return Err("it has more than one RRULE".into());
    }
    let span = master.span.ok_or("no times")?;
    // The window as local times on the first date.
    let (from, start_t, end_t, all_day) = match span {
        Span::Days(a, b) => {
            if a != b {
                return Err("an all-day series of several days".into());
            }
            (a, NaiveTime::MIN, "24:00".to_string(), true)
        }
        Span::Timed(s, e) => {
            let ls = s.with_timezone(&zone).naive_local();
            let le = e.with_timezone(&zone).naive_local();
            if e <= s {
                return Err("it ends when or before it starts".into());
            }
            let end = end_time(ls, le).ok_or(
                "its window crosses midnight (a maintenance window ends on the day it starts)",
            )?;
            (ls.date(), ls.time(), end, false)
        }
    };
    let mut parts = rule_parts(&master.rrules[0]);
    for (k, _) in &parts {
        if matches!(k.as_str(), "BYHOUR" | "BYMINUTE" | "BYSECOND") {
            return Err(format!("its RRULE has {k} (times come from the window)"));
        }
    }
    if let Some((_, f)) = parts.iter().find(|(k, _)| k == "FREQ")
        && !matches!(f.as_str(), "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY")
    {
        return Err(format!(
            "its RRULE repeats {f}; nedetid allows DAILY to YEARLY"
        ));
    }
    let until_raw = parts
        .iter()
        .find(|(k, _)| k == "UNTIL")
        .map(|(_, v)| v.clone());
    let count = parts
        .iter()
        .find(|(k, _)| k == "COUNT")
        .map(|(_, v)| v.clone());
    parts.retain(|(k, _)| k != "UNTIL" && k != "COUNT");
    let rule = parts
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";");
    // The last date: UNTIL's local date (the day before when UNTIL is before
    // that day's start), or the COUNT-th date.
    let mut until = match until_raw {
        Some(u) => Some(match when(&u, None, zone)? {
            When::Date(d) => d,
            When::Instant(t) => {
                let local = t.with_timezone(&zone).naive_local();
                if local.time() < start_t {
                    local.date().pred_opt().unwrap_or(local.date())
                } else {
                    local.date()
                }
            }
        }),
        None => None,
    };
    let horizon = NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31).unwrap_or(from);
    if let Some(c) = &count {
        let with_count = format!("{rule};COUNT={c}");
        let dates = dates_of(&with_count, from, horizon)?;
        until = dates.last().copied();
    }
    let last = until.unwrap_or(horizon);
    let dates: BTreeSet<NaiveDate> = dates_of(&rule, from, last)?.into_iter().collect();
    if dates.len() > usize::from(MAX_OCCURRENCES) {
        return Err(format!(
            "its rule gives more than {MAX_OCCURRENCES} dates (the limit of one rule)"
        ));
    }
    let id = make_id(master, from, taken);
    let title = limited(&master.summary, MAX_NAME_CHARS, "SUMMARY", master, out);
    let mut skips: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut extras: BTreeMap<NaiveDate, Option<Times>> = BTreeMap::new();
    let mut moves: Vec<(NaiveDate, NaiveDate, Option<Times>)> = Vec::new();
    // RFC 5545: DTSTART is an occurrence even when the rule does not give it.
    if !dates.contains(&from) {
        extras.insert(from, None);
        out.adjusted.push(format!(
            "{}: DTSTART {from} is not a date of its RRULE; kept as an extra date",
            master.name()
        ));
    }
    let local_date = |w: &When| match w {
        When::Date(d) => *d,
        When::Instant(t) => t.with_timezone(&zone).date_naive(),
    };
    for ex in &master.exdates {
        let d = local_date(ex);
        if dates.contains(&d) {
            skips.insert(d);
        } else if extras.remove(&d).is_none() {
            out.adjusted.push(format!(
                "{}: EXDATE {d} is not a date of the series (it removes nothing); left out",
                master.name()
            ));
        }
    }
    for rd in &master.rdates {
        let d = local_date(rd);
        let times = match rd {
            When::Instant(t) => {
                let lt = t.with_timezone(&zone).time();
                (lt != start_t).then(|| {
                    let dur = match span {
                        Span::Timed(s, e) => e - s,
                        Span::Days(..) => Duration::days(1),
                    };
                    let e = *t + dur;
                    (
                        lt.format("%H:%M").to_string(),
                        e.with_timezone(&zone).time().format("%H:%M").to_string(),
                    )
                })
            }
            When::Date(_) => None,
        };
        if dates.contains(&d) {
            out.adjusted.push(format!(
                "{}: RDATE {d} is already a date of the rule; left out",
                master.name()
            ));
        } else {
            extras.insert(d, times);
        }
    }
    // Overrides: moves, cancellations; anything else as an event of its own.
    let mut targets: BTreeSet<NaiveDate> = BTreeSet::new();
    for o in overrides {
        let Some(rid) = &o.recurrence_id else {
            continue;
        };
        let rd = local_date(rid);
        if !dates.contains(&rd) || skips.contains(&rd) {
            out.adjusted.push(format!(
                "{}: the override of {rd} is not of a date of the rule; imported as an outage",
                o.name()
            ));
            if let Some(s) = o.span {
                loose.push((o.clone(), s));
            }
            continue;
        }
        if o.status.as_deref() == Some("cancelled") {
            skips.insert(rd);
            out.adjusted.push(format!(
                "{}: the cancelled occurrence {rd} imported as a skipped date",
                o.name()
            ));
            continue;
        }
        let status = |e: &Event| e.status.clone().unwrap_or_else(|| "confirmed".into());
        // A changed title or status is what people see: such an override
        // stays an event of its own. A changed text is lost (and said).
        let changed: Vec<&str> = [
            ("SUMMARY", o.summary != master.summary),
            ("STATUS", status(o) != status(master)),
        ]
        .into_iter()
        .filter(|(_, c)| *c)
        .map(|(n, _)| n)
        .collect();
        let lost: Vec<&str> = [
            ("DESCRIPTION", o.description != master.description),
            ("LOCATION", o.location != master.location),
        ]
        .into_iter()
        .filter(|(_, c)| *c)
        .map(|(n, _)| n)
        .collect();
        let Some(Span::Timed(s, e)) = o.span else {
            out.adjusted.push(format!(
                "{}: the override of {rd} is all day; imported as an outage and the date skipped",
                o.name()
            ));
            skips.insert(rd);
            if let Some(s) = o.span {
                loose.push((o.clone(), s));
            }
            continue;
        };
        let ls = s.with_timezone(&zone).naive_local();
        let le = e.with_timezone(&zone).naive_local();
        let end = end_time(ls, le);
        let onto_other =
            ls.date() != rd && (dates.contains(&ls.date()) || extras.contains_key(&ls.date()));
        if !changed.is_empty()
            || end.is_none()
            || onto_other
            || !targets.insert(ls.date())
            || all_day
        {
            let why = if !changed.is_empty() {
                format!("it changes {} too", changed.join(", "))
            } else if end.is_none() {
                "its window crosses midnight".into()
            } else {
                "it lands on another occurrence's day".into()
            };
            out.adjusted.push(format!(
                "{}: the override of {rd} cannot be a move ({why}); the date skipped and the override imported as an outage",
                o.name()
            ));
            skips.insert(rd);
            loose.push((o.clone(), Span::Timed(s, e)));
            continue;
        }
        let new_start = ls.time().format("%H:%M").to_string();
        let end = end.unwrap_or_default();
        let times = (ls.time() != start_t || end != end_t).then_some((new_start, end));
        if ls.date() == rd && times.is_none() {
            out.adjusted.push(format!(
                "{}: the override of {rd} changes nothing nedetid keeps; left out",
                o.name()
            ));
            continue;
        }
        if !lost.is_empty() {
            out.adjusted.push(format!(
                "{}: the move of {rd} imported; its own {} is not (a move has the series' text)",
                o.name(),
                lost.join(" and ")
            ));
        }
        moves.push((rd, ls.date(), times));
    }
    if all_day {
        out.adjusted.push(format!(
            "{}: an all-day series; imported as 00:00-24:00 (maintenance has times)",
            master.name()
        ));
    }
    let _ = writeln!(y, "  - id: {id}");
    let _ = writeln!(y, "    title: {}", quote(&title));
    let _ = writeln!(y, "    systems: all");
    let _ = writeln!(y, "    rule: {}", quote(&rule));
    let _ = writeln!(y, "    from: {from}");
    if let Some(u) = until {
        let _ = writeln!(y, "    until: {u}");
    }
    let _ = writeln!(y, "    start-time: \"{}\"", start_t.format("%H:%M"));
    let _ = writeln!(y, "    end-time: \"{end_t}\"");
    write_common(y, master, out);
    if !skips.is_empty() {
        let _ = writeln!(y, "    skip:");
        for d in &skips {
            let _ = writeln!(y, "      - date: {d}");
        }
    }
    if !moves.is_empty() {
        moves.sort();
        let _ = writeln!(y, "    moves:");
        for (f, t, times) in &moves {
            let _ = writeln!(y, "      - from: {f}");
            let _ = writeln!(y, "        to: {t}");
            if let Some((s, e)) = times {
                let _ = writeln!(y, "        start-time: \"{s}\"");
                let _ = writeln!(y, "        end-time: \"{e}\"");
            }
        }
    }
    if !extras.is_empty() {
        let _ = writeln!(y, "    extra:");
        for (d, times) in &extras {
            let _ = writeln!(y, "      - date: {d}");
            if let Some((s, e)) = times {
                let _ = writeln!(y, "        start-time: \"{s}\"");
                let _ = writeln!(y, "        end-time: \"{e}\"");
            }
        }
    }
    out.series += 1;
    out.skips += skips.len();
    out.moves += moves.len();
    out.extras += extras.len();
    Ok(())
}

/// Most occurrences of a series that cannot be maintenance imported one
/// by one as outages.
const MAX_EXPANDED: u16 = 1_000;

/// A finite series that cannot be a maintenance item (its window crosses
/// midnight, it has BYHOUR, it lasts days), as one outage per occurrence:
/// computed in its DTSTART's zone, less its EXDATEs, its overrides in place
/// of the occurrences they replace (cancelled ones left out).
fn expand_series(master: &Event, overrides: &[Event]) -> Result<Vec<(Event, Span)>, String> {
    let span = master.span.ok_or("it has no times")?;
    let parts = rule_parts(&master.rrules[0]);
    if master.rrules.len() > 1 {
        return Err("it has more than one RRULE".into());
    }
    if !parts.iter().any(|(k, _)| k == "UNTIL" || k == "COUNT") {
        return Err("it has no end (UNTIL or COUNT) to expand it to".into());
    }
    let tz = master.start_zone;
    let (start, length) = match span {
        Span::Timed(s, e) => (s, e - s),
        Span::Days(a, b) => {
            let s = tz
                .from_local_datetime(&a.and_time(NaiveTime::MIN))
                .earliest()
                .ok_or("its first day has no midnight")?
                .with_timezone(&Utc);
            (s, Duration::days((b - a).num_days() + 1))
        }
    };
    let local = start.with_timezone(&tz).naive_local();
    let text = format!(
        "DTSTART;TZID={}:{}\nRRULE:{}",
        tz.name(),
        local.format("%Y%m%dT%H%M%S"),
        master.rrules[0].trim().trim_start_matches("RRULE:")
    );
    let set: rrule::RRuleSet = text.parse().map_err(|e: rrule::RRuleError| {
        format!(
            "its RRULE cannot be read ({})",
            crate::rules::rrule_message(&e)
        )
    })?;
    let result = set.all(MAX_EXPANDED);
    if result.limited {
        return Err(format!(
            "it has more than {MAX_EXPANDED} occurrences to import one by one"
        ));
    }
    let date_of = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
    let matches = |w: &When, t: DateTime<Utc>| match (w, span) {
        (When::Instant(i), _) => *i == t,
        (When::Date(d), _) => *d == date_of(t),
    };
    let mut list = Vec::new();
    for t in result.dates {
        let t = t.with_timezone(&Utc);
        if master.exdates.iter().any(|x| matches(x, t)) {
            continue;
        }
        let replaced = overrides
            .iter()
            .find(|o| o.recurrence_id.as_ref().is_some_and(|r| matches(r, t)));
        let mut ev = match replaced {
            Some(o) if o.status.as_deref() == Some("cancelled") => continue,
            Some(o) => o.clone(),
            None => master.clone(),
        };
        let own_span = match (replaced.and_then(|o| o.span), span) {
            (Some(s), _) => s,
            (None, Span::Days(a, b)) => {
                let d = date_of(t);
                Span::Days(d, d + (b - a))
            }
            (None, Span::Timed(..)) => Span::Timed(t, t + length),
        };
        let (local_uid, domain) = master.uid.split_once('@').unwrap_or((&master.uid, ""));
        ev.uid = format!("{local_uid}-{}@{domain}", date_of(t).format("%Y%m%d"));
        list.push((ev, own_span));
    }
    Ok(list)
}

/// The schedule's zone: the option, else the feed's `X-WR-TIMEZONE`,
/// else Europe/Oslo (the format's default). The zone an event was written
/// in does not decide it: Outlook writes Oslo's times as "W. Europe
/// Standard Time", which CLDR maps to Berlin.
/// A window's end as a schedule writes it: `HH:MM` on the day it starts,
/// `24:00` at the next midnight; `None` when it ends on a later day.
fn end_time(start: NaiveDateTime, end: NaiveDateTime) -> Option<String> {
    if end.date() == start.date() {
        Some(end.time().format("%H:%M").to_string())
    } else if end.date() == start.date() + Duration::days(1) && end.time() == NaiveTime::MIN {
        Some("24:00".to_string())
    } else {
        None
    }
}

/// Overrides with no series to go in, imported as outages of their own,
/// each named in the report with `why`.
fn loose_overrides(
    overrides: Vec<Event>,
    why: &str,
    adjusted: &mut Vec<String>,
    outages: &mut Vec<(Event, Span)>,
) {
    for o in overrides {
        adjusted.push(format!("{}: {why}; imported as an outage", o.name()));
        if let Some(s) = o.span {
            outages.push((o, s));
        }
    }
}

fn schedule_zone(cal: &[Component], opts: &Options) -> Tz {
    opts.time_zone
        .or_else(|| {
            cal.iter().find_map(|c| {
                c.find_prop("X-WR-TIMEZONE")
                    .and_then(|p| zone_of(p.val.as_str()))
            })
        })
        .unwrap_or(chrono_tz::Europe::Oslo)
}

/// Turns an iCalendar text into a complete schedule (settings, systems,
/// outages, maintenance). `Err` only when the text is not iCalendar.
pub fn import(ics: &str, opts: &Options) -> Result<Imported, String> {
    let unfolded = icalendar::parser::unfold(ics);
    let cal = icalendar::parser::read_calendar_simple(&unfolded)
        .map_err(|e| format!("not an iCalendar file: {}", e.code.description()))?;
    if !cal
        .iter()
        .any(|c| c.name.as_str().eq_ignore_ascii_case("VCALENDAR"))
    {
        return Err("not an iCalendar file: no BEGIN:VCALENDAR".into());
    }
    let zone = schedule_zone(&cal, opts);
    let mut out = Imported {
        zone: zone.name().to_string(),
        ..Imported::default()
    };
    // Time zones a feed defines that no rule here can map are named.
    let mut events: Vec<Event> = Vec::new();
    let mut index = 0;
    for calendar in &cal {
        for c in &calendar.components {
            let kind = c.name.as_str().to_ascii_uppercase();
            match kind.as_str() {
                "VEVENT" => {
                    out.events += 1;
                    match read_event(c, zone, index, &mut out) {
                        Ok(ev) => events.push(ev),
                        Err(why) => {
                            let uid = c
                                .find_prop("UID")
                                .map_or(String::from("?"), |p| p.val.as_str().to_string());
                            let summary = c.find_prop("SUMMARY").map_or(String::new(), text);
                            out.not_imported
                                .push(format!("`{summary}` ({uid}): not imported: {why}"));
                        }
                    }
                    index += 1;
                }
                "VTIMEZONE" => {
                    if let Some(id) = c.find_prop("TZID")
                        && zone_of(id.val.as_str()).is_none()
                    {
                        out.not_imported.push(format!(
                            "time zone `{}`: neither an IANA nor a Windows zone name; events in it are not imported",
                            id.val.as_str()
                        ));
                    }
                }
                other => *out.ignored.entry(format!("{other} component")).or_default() += 1,
            }
        }
    }
    // Group by UID: the master and its overrides.
    let mut by_uid: BTreeMap<String, (Option<Event>, Vec<Event>)> = BTreeMap::new();
    for ev in events {
        let entry = by_uid.entry(ev.uid.clone()).or_default();
        if ev.recurrence_id.is_some() {
            entry.1.push(ev);
        } else if entry.0.is_some() {
            out.not_imported.push(format!(
                "{}: a second event with the same UID and no RECURRENCE-ID; not imported",
                ev.name()
            ));
        } else {
            entry.0 = Some(ev);
        }
    }
    let mut taken = BTreeSet::new();
    let mut outages: Vec<(Event, Span)> = Vec::new();
    let mut series_text: Vec<(NaiveDate, String)> = Vec::new();
    for (_, (master, overrides)) in by_uid {
        match master {
            Some(m) if !m.rrules.is_empty() => {
                let mut y = String::new();
                let mut loose = Vec::new();
                let from = match m.span {
                    Some(Span::Days(a, _)) => a,
                    Some(Span::Timed(s, _)) => s.with_timezone(&zone).date_naive(),
                    None => NaiveDate::MIN,
                };
                match write_series(
                    &mut y, &m, &overrides, zone, &mut taken, &mut loose, &mut out,
                ) {
                    Ok(()) => {
                        series_text.push((from, y));
                        outages.extend(loose);
                    }
                    Err(why) => match expand_series(&m, &overrides) {
                        Ok(list) => {
                            out.adjusted.push(format!(
                                "{}: the series cannot be maintenance: {why}; its {} occurrences imported as outages",
                                m.name(),
                                list.len()
                            ));
                            outages.extend(list);
                        }
                        Err(also) => out.not_imported.push(format!(
                            "{}: the series is not imported: {why}, and {also}{}",
                            m.name(),
                            if overrides.is_empty() {
                                String::new()
                            } else {
                                format!(" (nor its {} overrides)", overrides.len())
                            }
                        )),
                    },
                }
            }
            Some(m) => {
                if let Some(s) = m.span {
                    // RDATEs of an event that does not repeat: more
                    // windows of the same length, each an outage.
                    for rd in &m.rdates {
                        let extra = match (s, rd) {
                            (Span::Timed(a, b), When::Instant(t)) => {
                                Some(Span::Timed(*t, *t + (b - a)))
                            }
                            (Span::Days(a, b), When::Date(d)) => Some(Span::Days(*d, *d + (b - a))),
                            _ => None,
                        };
                        match extra {
                            Some(span) => {
                                out.adjusted.push(format!(
                                    "{}: RDATE {} imported as an outage of its own",
                                    m.name(),
                                    match rd {
                                        When::Date(d) => d.to_string(),
                                        When::Instant(t) => local_text(*t, zone),
                                    }
                                ));
                                outages.push((m.clone(), span));
                            }
                            None => out.not_imported.push(format!(
                                "{}: an RDATE of another type than DTSTART; not imported",
                                m.name()
                            )),
                        }
                    }
                    outages.push((m, s));
                }
                loose_overrides(
                    overrides,
                    "an override of an event that does not repeat",
                    &mut out.adjusted,
                    &mut outages,
                );
            }
            None => {
                loose_overrides(
                    overrides,
                    "an override whose series is not in the feed",
                    &mut out.adjusted,
                    &mut outages,
                );
            }
        }
    }
    let start_of = |s: &Span| match s {
        Span::Days(a, _) => zone
            .from_local_datetime(&a.and_time(NaiveTime::MIN))
            .earliest()
            .map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc)),
        Span::Timed(s, _) => *s,
    };
    outages.sort_by(|a, b| {
        (start_of(&a.1), &a.0.summary, &a.0.uid).cmp(&(start_of(&b.1), &b.0.summary, &b.0.uid))
    });
    series_text.sort();
    let systems = if opts.systems.is_empty() {
        vec![(DEFAULT_SYSTEM.0.to_string(), DEFAULT_SYSTEM.1.to_string())]
    } else {
        opts.systems.clone()
    };
    let mut body = String::new();
    if !outages.is_empty() {
        body.push_str("\noutages:\n");
        for (ev, span) in &outages {
            write_outage(&mut body, ev, *span, zone, &mut taken, &mut out);
        }
    }
    if !series_text.is_empty() {
        body.push_str("\nmaintenance:\n");
        for (_, t) in &series_text {
            body.push_str(t);
        }
    }
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Imported by `nedetid import` from {}: {} outages, {} maintenance series.",
        opts.source, out.outages, out.series
    );
    let _ = writeln!(
        y,
        "# Every event is on every system (`systems: all`): name the right ones,\n# set `uid-domain` and `base-url`, then run `nedetid check`.\n"
    );
    let _ = writeln!(y, "settings:\n  time-zone: {}", zone.name());
    if let Some(name) = cal
        .iter()
        .find_map(|c| c.find_prop("X-WR-CALNAME").map(text))
        .map(|n| crate::validate::clean_text(&n))
        .filter(|n| !n.is_empty() && n.chars().count() <= MAX_NAME_CHARS)
    {
        let _ = writeln!(y, "  calendar-name: {}", quote(&name));
    }
    y.push_str("\nsystems:\n");
    for (id, name) in &systems {
        let _ = writeln!(y, "  - id: {id}\n    name: {}", quote(name));
    }
    y.push_str(&body);
    out.yaml = y;
    Ok(out)
}

impl Imported {
    /// The report for stderr: counts, then every event not (or not
    /// wholly) imported, then the properties with no place in the format.
    pub fn report(&self) -> String {
        let mut r = String::new();
        let _ = writeln!(
            r,
            "imported {} events: {} outages, {} maintenance series ({} skipped dates, {} moves, {} extra dates), times in {}",
            self.events, self.outages, self.series, self.skips, self.moves, self.extras, self.zone
        );
        if !self.not_imported.is_empty() {
            let _ = writeln!(r, "not imported ({}):", self.not_imported.len());
            for n in &self.not_imported {
                let _ = writeln!(r, "  - {n}");
            }
        }
        if !self.adjusted.is_empty() {
            let _ = writeln!(r, "changed to fit the format ({}):", self.adjusted.len());
            for n in &self.adjusted {
                let _ = writeln!(r, "  - {n}");
            }
        }
        if !self.ignored.is_empty() {
            let list = self
                .ignored
                .iter()
                .map(|(k, n)| format!("{k} ({n})"))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                r,
                "properties with no place in a schedule, left out (events that had them): {list}"
            );
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            systems: Vec::new(),
            time_zone: None,
            source: "t.ics".into(),
        }
    }

    fn feed(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n")
    }

    #[test]
    fn hostile_values_are_reported_not_panicked_on() {
        let events = [
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:99991231T235959Z\r\nDURATION:P99999999W\r\nSUMMARY:far\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:i\r\nDTSTART:20260101T100000Z\r\nDURATION:P99999999W\r\nSUMMARY:huge\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:b\r\nDTSTART;VALUE=DATE:00010101\r\nSUMMARY:early\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20260101T100000Z\r\nDURATION:P3000D\r\nSUMMARY:long\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:d\r\nDTSTART:20260101T100000Z\r\nDTEND:20260101T090000Z\r\nSUMMARY:backwards\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:e\r\nDTSTART:20260101T100000Z\r\nDTEND:20260101T110000Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:every second\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:f\r\nDTSTART;TZID=Mars/Olympus:20260101T100000\r\nDTEND:20260101T110000Z\r\nSUMMARY:mars\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:g\r\nDTSTART:20260101T100000Z\r\nDTEND:20260101T110000Z\r\nRRULE:FREQ=DAILY;COUNT=5;BYHOUR=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23\r\nSUMMARY:hourly\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:h\r\nDTSTART:20260101T100000Z\r\nDTEND:20260101T110000Z\r\nRRULE:FREQ=DAILY\r\nEXDATE;VALUE=PERIOD:20260102T100000Z/PT1H\r\nSUMMARY:period\r\nEND:VEVENT\r\n",
        ];
        let text = feed(&events.concat());
        let imported = import(&text, &opts()).expect("a calendar");
        assert_eq!(imported.events, events.len());
        let report = imported.report();
        // Every event but the BYHOUR one (expanded into outages) is named.
        for (uid, why) in [
            ("(a)", "outside the years"),
            ("(b)", "is not a date in the years"),
            ("(c)", "lasts more than 31 days"),
            ("(d)", "ends when or before it starts"),
            ("(e)", "nedetid allows DAILY to YEARLY"),
            ("(f)", "unknown time zone `Mars/Olympus`"),
            ("(h)", "PERIOD"),
            ("(i)", "is not a duration"),
        ] {
            assert!(
                report.lines().any(|l| l.contains(uid) && l.contains(why)),
                "{uid} {why}: {report}"
            );
        }
        assert!(
            report.contains("`hourly` (g): the series cannot be maintenance"),
            "{report}"
        );
        // Not an iCalendar text at all.
        assert!(import("hello", &opts()).is_err());
        assert!(import("", &opts()).is_err());
    }

    #[test]
    fn windows_and_vendor_zone_names_resolve() {
        assert_eq!(
            zone_of("W. Europe Standard Time"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(
            zone_of("\"Romance Standard Time\""),
            Some(chrono_tz::Europe::Paris)
        );
        assert_eq!(
            zone_of("GMT Standard Time"),
            Some(chrono_tz::Europe::London)
        );
        assert_eq!(
            zone_of("/mozilla.org/20050126_1/Europe/Oslo"),
            Some(chrono_tz::Europe::Oslo)
        );
        assert_eq!(zone_of("Europe/Oslo"), Some(chrono_tz::Europe::Oslo));
        assert_eq!(zone_of("Customized Time Zone"), None);
    }

    #[test]
    fn quoting_survives_any_text() {
        for text in [
            "a: b",
            "\"q\" \\ back",
            "line\nbreak\ttab",
            "\u{7}bell \u{2028}",
            "# not a comment",
            "- not a list",
            "NO",
            "1.10",
        ] {
            let yaml = format!(
                "outages:\n  - id: a\n    title: {}\n    systems: all\n    first-day: 2026-01-01\n",
                quote(text)
            );
            let raw = crate::load::parse_str(std::path::Path::new("t.yaml"), &yaml)
                .unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(raw.outages[0].value.title.value, text);
        }
    }
}
