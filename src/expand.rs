//! Recurrence expansion and local-time resolution: turns the schedule into
//! the concrete occurrences that are published, each with its stable UID and
//! its instants in UTC. Pure: `now` comes in as a value.
//!
//! A rule decides dates only; times of day come from the series' window and
//! are resolved in the configured zone here, so that a time that does not
//! exist or happens twice (daylight saving) is reported, never guessed.

use chrono::Offset as _;
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc,
};
use chrono_tz::Tz;

use crate::error::{Location, Problem};
use crate::schedule::{Details, Outage, Schedule, Series, When, Window};

/// Most occurrences one rule may produce within its range.
pub const MAX_OCCURRENCES: u16 = 5_000;

/// One published event.
#[derive(Debug, Clone)]
pub struct Occurrence<'a> {
    /// The UID of the VEVENT it is published in (its series' UID when it
    /// is part of a repeating event).
    pub uid: String,
    /// Unique per occurrence and stable: the UID it has in expanded form.
    pub occurrence: String,
    /// The outage or series id.
    pub source_id: &'a str,
    pub kind: Kind,
    pub details: &'a Details,
    pub time: Time,
    /// For a series occurrence: the date the rule gave (it stays the same
    /// when the occurrence is moved, and so does the UID).
    pub rule_date: Option<NaiveDate>,
    /// How this occurrence differs from its rule: moved or extra.
    pub change: Option<Change<'a>>,
    /// Moved away from its rule date or times.
    pub moved: bool,
    /// How it is published; decided by [`crate::series`].
    pub form: Form,
}

/// How a series occurrence differs from its rule, with the schedule's
/// reason; the renderers put it in words ([`crate::wording`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change<'a> {
    /// Moved from the date the rule gave (to another date, or to other
    /// times on the same date).
    Moved {
        from: NaiveDate,
        reason: Option<&'a str>,
    },
    /// A date the rule does not give.
    Extra { reason: Option<&'a str> },
}

/// How an occurrence appears in a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A VEVENT of its own.
    Single,
    /// Produced by its series' RRULE: no VEVENT of its own.
    Covered,
    /// A RECURRENCE-ID override of its series (a moved occurrence); the
    /// value is the local start the rule gave it.
    Override(NaiveDateTime),
}

impl Occurrence<'_> {
    /// The key of its VEVENT: the UID, plus the RECURRENCE-ID of an override.
    pub fn key(&self) -> String {
        match self.form {
            Form::Override(rid) => format!("{}#{}", self.uid, rid.format("%Y%m%dT%H%M%S")),
            Form::Single | Form::Covered => self.uid.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Outage,
    Maintenance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Time {
    Timed {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        start_local: NaiveDateTime,
        end_local: NaiveDateTime,
    },
    /// `end` is exclusive, as in iCalendar.
    AllDay { start: NaiveDate, end: NaiveDate },
}

/// A rule date left out, kept for the page and `list`.
#[derive(Debug, Clone)]
pub struct Skipped<'a> {
    pub series: &'a Series,
    pub date: NaiveDate,
    pub reason: Option<String>,
}

/// Everything the rendering stages need.
#[derive(Debug, Clone)]
pub struct Expansion<'a> {
    pub schedule: &'a Schedule,
    /// Sorted by start, then UID.
    pub occurrences: Vec<Occurrence<'a>>,
    pub skipped: Vec<Skipped<'a>>,
    /// The last date open-ended rules are expanded to.
    pub horizon: NaiveDate,
    /// Series published in RRULE form.
    pub masters: Vec<crate::series::Master<'a>>,
    /// Why series asked for in RRULE form stay expanded.
    pub notes: Vec<Problem>,
}

/// Expands every outage and series. Collects every problem.
pub fn expand(schedule: &Schedule, now: DateTime<Utc>) -> Result<Expansion<'_>, Vec<Problem>> {
    let zone = schedule.settings.zone;
    let today = now.with_timezone(&zone).date_naive();
    let last_day =
        NaiveDate::from_ymd_opt(crate::schedule::MAX_YEAR, 12, 31).unwrap_or(NaiveDate::MAX);
    let horizon = today
        .checked_add_months(chrono::Months::new(schedule.settings.horizon_months))
        .map_or(last_day, |h| h.min(last_day));
    let mut problems = Vec::new();
    let mut occurrences = Vec::new();
    let mut skipped = Vec::new();
    let mut notes = Vec::new();
    let domain = &schedule.settings.uid_domain;
    for outage in &schedule.outages {
        match outage_time(zone, outage) {
            Ok(time) => occurrences.push(Occurrence {
                occurrence: format!("{}@{domain}", outage.id),
                uid: format!("{}@{domain}", outage.id),
                source_id: &outage.id,
                kind: Kind::Outage,
                details: &outage.details,
                time,
                rule_date: None,
                change: None,
                moved: false,
                form: Form::Single,
            }),
            Err(p) => problems.push(p),
        }
    }
    for series in &schedule.series {
        if let Err(mut p) = expand_series(
            zone,
            series,
            horizon,
            domain,
            &mut occurrences,
            &mut skipped,
            &mut notes,
        ) {
            problems.append(&mut p);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if let Some(days) = schedule.settings.retention_days {
        let cutoff = now
            .checked_sub_signed(Duration::days(i64::from(days)))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        occurrences.retain(|o| match o.time {
            Time::Timed { end, .. } => end >= cutoff,
            Time::AllDay { end, .. } => end >= cutoff.with_timezone(&zone).date_naive(),
        });
    }
    // By start, then UID; each start worked out once.
    let mut keyed: Vec<(DateTime<Utc>, Occurrence)> = occurrences
        .into_iter()
        .map(|o| (start_instant(zone, &o), o))
        .collect();
    keyed.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.uid.cmp(&y.uid)));
    let occurrences: Vec<Occurrence> = keyed.into_iter().map(|(_, o)| o).collect();
    skipped.sort_by(|a, b| (a.date, &a.series.id).cmp(&(b.date, &b.series.id)));
    Ok(Expansion {
        schedule,
        occurrences,
        skipped,
        horizon,
        masters: Vec::new(),
        notes,
    })
}

/// When an occurrence starts; an all-day one at local midnight.
fn start_instant(zone: Tz, o: &Occurrence) -> DateTime<Utc> {
    match o.time {
        Time::Timed { start, .. } => start,
        Time::AllDay { start, .. } => zone
            .from_local_datetime(&start.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map_or_else(
                || start.and_time(chrono::NaiveTime::MIN).and_utc(),
                |d| d.with_timezone(&Utc),
            ),
    }
}

fn outage_time(zone: Tz, outage: &Outage) -> Result<Time, Problem> {
    match outage.when {
        When::Timed {
            start,
            end,
            start_offset,
            end_offset,
        } => Ok(Time::Timed {
            start: resolve_as(zone, start, start_offset, &outage.when_at)?,
            end: resolve_as(zone, end, end_offset, &outage.end_at)?,
            start_local: start,
            end_local: end,
        }),
        When::AllDay { first, last } => Ok(Time::AllDay {
            start: first,
            end: last.succ_opt().unwrap_or(last),
        }),
    }
}

fn timed(
    zone: Tz,
    start: NaiveDateTime,
    end: NaiveDateTime,
    at: &Location,
) -> Result<Time, Problem> {
    Ok(Time::Timed {
        start: resolve(zone, start, at)?,
        end: resolve(zone, end, at)?,
        start_local: start,
        end_local: end,
    })
}

/// The UTC instant of a local time, or an error that names both readings
/// when daylight saving makes it non-existent or ambiguous.
pub fn resolve(zone: Tz, local: NaiveDateTime, at: &Location) -> Result<DateTime<Utc>, Problem> {
    resolve_as(zone, local, None, at)
}

/// [`resolve`], where an explicit UTC offset picks one of two readings.
pub fn resolve_as(
    zone: Tz,
    local: NaiveDateTime,
    offset: Option<FixedOffset>,
    at: &Location,
) -> Result<DateTime<Utc>, Problem> {
    let shown = local.format("%Y-%m-%d %H:%M");
    let with_offset = |t: &DateTime<Tz>| format!("`{shown}{}`", t.offset().fix());
    match (zone.from_local_datetime(&local), offset) {
        (LocalResult::Single(t), None) => Ok(t.with_timezone(&Utc)),
        (LocalResult::Single(t), Some(o)) if t.offset().fix() == o => Ok(t.with_timezone(&Utc)),
        (LocalResult::Single(t), Some(o)) => Err(Problem::error(
            at.clone(),
            format!("{shown} in {zone} is at offset {}, not {o}", t.offset().fix()),
        )
        .help(format!("write {} or leave the offset out", with_offset(&t)))),
        (LocalResult::Ambiguous(a, b), Some(o)) if a.offset().fix() == o || b.offset().fix() == o => {
            let t = if a.offset().fix() == o { a } else { b };
            Ok(t.with_timezone(&Utc))
        }
        (LocalResult::Ambiguous(a, b), Some(o)) => Err(Problem::error(
            at.clone(),
            format!("{shown} in {zone} is at offset {} or {}, not {o}", a.offset().fix(), b.offset().fix()),
        )
        .help(format!("write {} for the first, {} for the second", with_offset(&a), with_offset(&b)))),
        (LocalResult::Ambiguous(a, b), None) => Err(Problem::error(
            at.clone(),
            format!(
                "{shown} happens twice in {zone} (clocks go back): {} or {}",
                reading(&a),
                reading(&b)
            ),
        )
        .help(format!(
            "say which: {} for the first, {} for the second; in a maintenance window, move or skip that date",
            with_offset(&a),
            with_offset(&b)
        ))),
        (LocalResult::None, _) => {
            // A day either side is past any transition and within the same rules.
            let before = zone.from_utc_datetime(&(local - Duration::days(1)));
            let after = zone.from_utc_datetime(&(local + Duration::days(1)));
            let early = (local - before.offset().fix()).and_utc().with_timezone(&zone);
            let late = (local - after.offset().fix()).and_utc().with_timezone(&zone);
            Err(Problem::error(
                at.clone(),
                format!(
                    "{shown} does not exist in {zone} (clocks go forward): it would be {} or {}",
                    reading(&early),
                    reading(&late)
                ),
            )
            .help("move the window out of the hour the clocks skip"))
        }
    }
}

fn reading(t: &DateTime<Tz>) -> String {
    format!(
        "{} {} ({} UTC)",
        t.format("%H:%M"),
        t.format("%Z"),
        t.with_timezone(&Utc).format("%H:%M")
    )
}

/// The dates a rule gives from `from` to `last`, inclusive.
pub fn rule_dates(series: &Series, last: NaiveDate) -> Result<Vec<NaiveDate>, Problem> {
    let utc = rrule::Tz::UTC;
    let at = |d: NaiveDate| utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN));
    let bad_rule = |e: rrule::RRuleError| {
        Problem::error(
            series.rule_at.clone(),
            format!(
                "invalid rule `{}`: {}",
                series.rule_text,
                crate::schedule::rrule_message(&e)
            ),
        )
        .help("write an RFC 5545 RRULE, e.g. `FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3`")
    };
    let set = series
        .rule
        .clone()
        .build(at(series.from))
        .map_err(bad_rule)?;
    let stop = last.succ_opt().unwrap_or(last);
    let result = set.before(at(stop)).all(MAX_OCCURRENCES + 1);
    if result.dates.len() > usize::from(MAX_OCCURRENCES) {
        return Err(Problem::error(
            series.rule_at.clone(),
            format!(
                "rule `{}` gives more than {MAX_OCCURRENCES} occurrences before {last}",
                series.rule_text
            ),
        )
        .help("set `until`, or check the rule's frequency"));
    }
    let mut dates: Vec<NaiveDate> = result
        .dates
        .iter()
        .map(|d| d.date_naive())
        .filter(|d| *d >= series.from && *d <= last)
        .collect();
    dates.dedup();
    Ok(dates)
}

fn expand_series<'a>(
    zone: Tz,
    series: &'a Series,
    horizon: NaiveDate,
    domain: &str,
    out: &mut Vec<Occurrence<'a>>,
    skipped: &mut Vec<Skipped<'a>>,
    notes: &mut Vec<Problem>,
) -> Result<(), Vec<Problem>> {
    // Exceptions are checked against the rule even beyond the horizon.
    let latest_exception = series
        .skips
        .iter()
        .map(|s| s.date)
        .chain(series.moves.iter().flat_map(|m| [m.from, m.to]))
        .chain(series.extras.iter().map(|e| e.date))
        .max();
    let last = series.until.unwrap_or(horizon);
    // Exceptions of an open-ended rule may lie past the horizon; a rule with
    // `until` has no occurrences after it.
    let check_to = match (series.until, latest_exception) {
        (None, Some(e)) => e.max(last),
        _ => last,
    };
    let dates = rule_dates(series, check_to).map_err(|p| vec![p])?;
    let is_occurrence = |d: NaiveDate| dates.binary_search(&d).is_ok();
    let mut problems = Vec::new();
    let range = match series.until {
        Some(u) => format!("{} to {u}", series.from),
        None => format!("from {}", series.from),
    };
    let nearest = |d: NaiveDate| -> String {
        let i = dates.partition_point(|x| *x < d);
        let near: Vec<String> = dates[i.saturating_sub(1)..(i + 1).min(dates.len())]
            .iter()
            .map(|x| format!("{x} ({})", crate::wording::NB.weekday(*x)))
            .collect();
        if near.is_empty() {
            "the rule has no occurrences near it".into()
        } else {
            format!("the nearest occurrences are {}", near.join(" and "))
        }
    };
    let not_occurrence = |d: NaiveDate, at: &Location, what: &str| {
        Problem::error(
            at.clone(),
            format!(
                "{what} {d} is not an occurrence of rule `{}` ({range})",
                series.rule_text
            ),
        )
        .help(nearest(d))
    };
    let mut used = std::collections::BTreeMap::<NaiveDate, &Location>::new();
    let mut claim = |d: NaiveDate, at: &'a Location, problems: &mut Vec<Problem>| {
        if let Some(first) = used.insert(d, at) {
            problems.push(
                Problem::error(at.clone(), format!("{d} already has an exception"))
                    .help(format!("the first one is at {first}; keep one")),
            );
        }
    };
    for skip in &series.skips {
        if !is_occurrence(skip.date) {
            problems.push(not_occurrence(skip.date, &skip.at, "skipped date"));
        }
        claim(skip.date, &skip.at, &mut problems);
    }
    for m in &series.moves {
        if !is_occurrence(m.from) {
            problems.push(not_occurrence(m.from, &m.at, "moved date"));
        }
        claim(m.from, &m.at, &mut problems);
        let skipped_day = series.skips.iter().any(|s| s.date == m.to)
            || series.skip_months.iter().any(|s| s.month == m.to.month());
        if m.to != m.from && is_occurrence(m.to) && !skipped_day {
            problems.push(
                Problem::error(
                    m.at.clone(),
                    format!(
                        "{} is moved onto {}, which is itself an occurrence",
                        m.from, m.to
                    ),
                )
                .help("skip one of them instead, or move it to a free day"),
            );
        }
    }
    for e in &series.extras {
        if is_occurrence(e.date) {
            problems.push(
                Problem::error(
                    e.at.clone(),
                    format!(
                        "extra date {} is already an occurrence of rule `{}`",
                        e.date, series.rule_text
                    ),
                )
                .help("remove the extra date"),
            );
        }
    }
    // Every published date that is not the rule's own: at most one each.
    let mut targets = std::collections::BTreeMap::<NaiveDate, &Location>::new();
    let moved = series
        .moves
        .iter()
        .filter(|m| m.to != m.from)
        .map(|m| (m.to, &m.at));
    for (date, at) in moved.chain(series.extras.iter().map(|e| (e.date, &e.at))) {
        if let Some(first) = targets.insert(date, at) {
            problems.push(
                Problem::error(
                    at.clone(),
                    format!("{date} is already the date of another move or extra date"),
                )
                .help(format!("the other one is at {first}; keep one")),
            );
        }
    }
    for sm in &series.skip_months {
        if !dates.iter().any(|d| d.month() == sm.month) {
            problems.push(
                Problem::error(
                    sm.at.clone(),
                    format!(
                        "rule `{}` has no occurrence in month {} ({range})",
                        series.rule_text, sm.month
                    ),
                )
                .help("remove the skipped month"),
            );
        }
    }
    let publish = |d: NaiveDate| d <= last;
    // `.` cannot occur in an id, so these never clash with another id's UID.
    let uid = |d: NaiveDate, extra: bool| {
        let tag = if extra { ".extra" } else { "" };
        format!("{}{tag}.{}@{domain}", series.id, d.format("%Y%m%d"))
    };
    // An open-ended series is published up to the horizon by the date an
    // occurrence actually happens (a move can bring one in from past it).
    let shown = |d: NaiveDate| match series.moves.iter().find(|m| m.from == d) {
        Some(m) if series.until.is_none() => m.to,
        _ => d,
    };
    for &date in dates.iter().filter(|d| publish(shown(**d))) {
        if let Some(skip) = series.skips.iter().find(|s| s.date == date) {
            skipped.push(Skipped {
                series,
                date,
                reason: skip.reason.clone(),
            });
            continue;
        }
        if let Some(sm) = series.skip_months.iter().find(|s| s.month == date.month()) {
            skipped.push(Skipped {
                series,
                date,
                reason: sm.reason.clone(),
            });
            continue;
        }
        let (actual, window, change) = match series.moves.iter().find(|m| m.from == date) {
            Some(m) => (
                m.to,
                m.window,
                Some((
                    Change::Moved {
                        from: date,
                        reason: m.reason.as_deref(),
                    },
                    &m.at,
                )),
            ),
            None => (date, series.window, None),
        };
        let at = change.as_ref().map_or(&series.window_at, |(_, at)| at);
        let change = change.map(|(c, _)| c);
        match timed_on(zone, actual, window, at) {
            Ok(time) => out.push(Occurrence {
                occurrence: uid(date, false),
                uid: uid(date, false),
                source_id: &series.id,
                kind: Kind::Maintenance,
                details: &series.details,
                time,
                rule_date: Some(date),
                moved: change.is_some(),
                change,
                form: Form::Single,
            }),
            Err(p) => problems.push(p),
        }
    }
    for e in series.extras.iter().filter(|e| publish(e.date)) {
        match timed_on(zone, e.date, e.window, &e.at) {
            Ok(time) => out.push(Occurrence {
                occurrence: uid(e.date, true),
                uid: uid(e.date, true),
                source_id: &series.id,
                kind: Kind::Maintenance,
                details: &series.details,
                time,
                rule_date: None,
                change: Some(Change::Extra {
                    reason: e.reason.as_deref(),
                }),
                moved: false,
                form: Form::Single,
            }),
            Err(p) => problems.push(p),
        }
    }
    if dates.iter().all(|d| !publish(shown(*d))) && series.extras.is_empty() {
        // An open-ended series may simply not have started yet; it is an
        // error only when the rule gives nothing in a whole horizon from
        // its first date.
        let from_first = series
            .from
            .checked_add_months(chrono::Months::new(13))
            .unwrap_or(series.from);
        let never = series.until.is_some()
            || rule_dates(series, from_first)
                .map(|d| d.is_empty())
                .unwrap_or(true);
        if never {
            problems.push(
                Problem::error(
                    series.rule_at.clone(),
                    format!("rule `{}` has no occurrences {range}", series.rule_text),
                )
                .help(match series.until {
                    Some(_) => "check the rule, `from` and `until`".to_string(),
                    None => "check the rule and `from`".to_string(),
                }),
            );
        } else {
            notes.push(Problem::note(
                series.rule_at.clone(),
                format!("`{}` has no occurrence up to {last} (`horizon-months` past now); nothing is published for it yet", series.id),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn timed_on(zone: Tz, date: NaiveDate, window: Window, at: &Location) -> Result<Time, Problem> {
    let (start, end) = window.on(date);
    timed(zone, start, end, at)
}
