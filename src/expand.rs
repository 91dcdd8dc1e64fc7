//! Recurrence expansion and local-time resolution: turns the schedule into
//! the concrete occurrences that are published, each with its stable UID and
//! its instants in UTC. Pure: `now` comes in as a value.
//!
//! A rule decides dates only; times of day come from the series' window and
//! are resolved in the configured zone here, so that a time that does not
//! exist or happens twice (daylight saving) is reported, never guessed.

use chrono::Offset as _;
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime,
    TimeZone, Utc,
};
use chrono_tz::Tz;

use crate::error::{Location, Problem};
use crate::limits::MAX_FEED_EVENTS;
use crate::rules::rule_dates;
use crate::schedule::{Details, Outage, Schedule, Series, Status, When, Window};

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
    /// How it is published; decided by the series stage, which runs after
    /// expansion.
    pub form: Form,
    /// Published before, and since skipped or removed from the schedules:
    /// kept as cancelled until it has ended.
    pub cancellation: Option<Cancellation>,
}

/// Why a published occurrence is now cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cancellation {
    /// The skip's reason; `None` for an outage removed from the schedules.
    pub reason: Option<String>,
}

/// How a series occurrence differs from its rule, with the schedule's
/// reason; the renderers put it in words ([`crate::wording`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Its status: the schedule's, or cancelled since it was published.
    pub fn status(&self) -> Status {
        if self.cancellation.is_some() {
            Status::Cancelled
        } else {
            self.details.status
        }
    }

    /// The key of its VEVENT: the UID, plus the RECURRENCE-ID of an override.
    pub fn key(&self) -> std::borrow::Cow<'_, str> {
        match self.form {
            Form::Override(rid) => format!("{}#{}", self.uid, rid.format("%Y%m%dT%H%M%S")).into(),
            Form::Single | Form::Covered => self.uid.as_str().into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Outage,
    Maintenance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

impl Time {
    /// The instants it spans; an all-day event from local midnight to local
    /// midnight in `zone`.
    pub fn instants(&self, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        match *self {
            Time::Timed { start, end, .. } => (start, end),
            Time::AllDay { start, end } => (local_midnight(zone, start), local_midnight(zone, end)),
        }
    }

    /// The first and last local day it covers, inclusive; an end at
    /// midnight (`24:00`) belongs to the day before.
    pub fn local_days(&self) -> (NaiveDate, NaiveDate) {
        match *self {
            Time::Timed {
                start_local,
                end_local,
                ..
            } if end_local.time() == NaiveTime::MIN && end_local > start_local => (
                start_local.date(),
                end_local
                    .date()
                    .pred_opt()
                    .unwrap_or(end_local.date())
                    .max(start_local.date()),
            ),
            Time::Timed {
                start_local,
                end_local,
                ..
            } => (start_local.date(), end_local.date()),
            Time::AllDay { start, end } => (start, end.pred_opt().unwrap_or(end)),
        }
    }
}

/// The instant a local day begins in `zone`: its midnight, the first one
/// where midnight happens twice, and where the clocks skip midnight the
/// moment they do (Santiago 2026-09-06: 00:00 -04 becomes 01:00 -03, 04:00Z).
pub fn local_midnight(zone: Tz, d: NaiveDate) -> DateTime<Utc> {
    let local = d.and_time(NaiveTime::MIN);
    if let Some(t) = zone.from_local_datetime(&local).earliest() {
        return t.with_timezone(&Utc);
    }
    // Midnight read in the offset after the gap is an instant of the day
    // before; read in the offset before it, an instant of this day. The
    // day begins at the change between them (on a whole second).
    let offset =
        |t: NaiveDateTime| i64::from(zone.offset_from_utc_datetime(&t).fix().local_minus_utc());
    let stamp = local.and_utc().timestamp();
    let day = Duration::days(1);
    let mut lo = stamp - offset(local + day);
    let mut hi = stamp - offset(local - day);
    let is_this_day = |ts: i64| {
        DateTime::from_timestamp(ts, 0).is_some_and(|t| t.with_timezone(&zone).date_naive() >= d)
    };
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if is_this_day(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0).unwrap_or_else(|| local.and_utc())
}

/// A rule date left out, kept for the page and `list`.
#[derive(Debug, Clone)]
pub struct Skipped<'a> {
    pub series: &'a Series,
    pub date: NaiveDate,
    pub reason: Option<String>,
    /// When it would have been (`None` where the window does not fit the
    /// day, a reason to skip it), for a cancellation.
    pub time: Option<Time>,
}

/// A series published as one repeating VEVENT.
#[derive(Debug, Clone)]
pub struct Master<'a> {
    pub series: &'a Series,
    pub uid: String,
    pub details: &'a Details,
    /// The first published occurrence of the rule that it shows as itself
    /// or as an override (DTSTART, DTEND).
    pub time: Time,
    /// The RRULE value, in Outlook's template shape, bounded by UNTIL.
    pub rrule: String,
    /// Local starts the rule gives that are not published (skipped, or
    /// moved too far to be an override).
    pub exdates: Vec<NaiveDateTime>,
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
    /// Series published in RRULE form (the series stage chooses them).
    pub masters: Vec<Master<'a>>,
    /// Why series asked for in RRULE form stay expanded.
    pub notes: Vec<Problem>,
}

/// Expands every outage and series. Collects every problem.
pub fn expand(schedule: &Schedule, now: DateTime<Utc>) -> Result<Expansion<'_>, Vec<Problem>> {
    let zone = schedule.settings.zone;
    let today = now.with_timezone(&zone).date_naive();
    let last_day =
        NaiveDate::from_ymd_opt(crate::limits::MAX_YEAR, 12, 31).unwrap_or(NaiveDate::MAX);
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
            Ok(time) => occurrences.push({
                let uid = outage_uid(&outage.id, domain);
                Occurrence {
                    occurrence: uid.clone(),
                    uid,
                    source_id: &outage.id,
                    kind: Kind::Outage,
                    details: &outage.details,
                    time,
                    rule_date: None,
                    change: None,
                    moved: false,
                    form: Form::Single,
                    cancellation: outage.removed.then_some(Cancellation { reason: None }),
                }
            }),
            Err(p) => problems.push(p),
        }
    }
    // Events in all feeds together (each once in `all.ics` and once per
    // system), counted as they are made, so that no input can make the
    // expansion itself grow without bound.
    let feed_events = |o: &[Occurrence]| -> usize { o.iter().map(|o| o.details.reach.feeds).sum() };
    let mut events = feed_events(&occurrences);
    for series in &schedule.series {
        let before = occurrences.len();
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
        let added = feed_events(&occurrences[before..]);
        events += added;
        if events > MAX_FEED_EVENTS {
            problems.push(too_many_feed_events(
                series.at.clone(),
                (
                    events,
                    schedule
                        .series
                        .last()
                        .is_some_and(|l| std::ptr::eq(l, series)),
                ),
                &series.id,
                added,
            ));
            return Err(problems);
        }
    }
    if events > MAX_FEED_EVENTS
        && let Some(outage) = schedule
            .outages
            .iter()
            .max_by_key(|o| o.details.reach.feeds)
    {
        let most = outage.details.reach.feeds;
        problems.push(too_many_feed_events(
            outage.at.clone(),
            (events, true),
            &outage.id,
            most,
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if let Some(days) = schedule.settings.retention_days {
        let cutoff = now
            .checked_sub_signed(Duration::days(i64::from(days)))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        // Dropped at the instant its end is `days` behind: the moment the
        // no-op check and the kept files' fingerprints expect it.
        occurrences.retain(|o| o.time.instants(zone).1 > cutoff);
    }
    let occurrences = sorted(zone, occurrences);
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

/// The UID of an outage.
pub fn outage_uid(id: &str, domain: &str) -> String {
    format!("{id}@{domain}")
}

/// The UID of a series' occurrence on its rule date (or extra date) in
/// expanded form. `.` cannot occur in an id, so these never clash with
/// another id's UID.
pub fn series_uid(id: &str, date: NaiveDate, extra: bool, domain: &str) -> String {
    let tag = if extra { ".extra" } else { "" };
    format!("{id}{tag}.{}@{domain}", date.format("%Y%m%d"))
}

/// `occurrences` in the published order: by start, then UID (each start
/// worked out once).
pub fn sorted<'a>(zone: Tz, occurrences: Vec<Occurrence<'a>>) -> Vec<Occurrence<'a>> {
    // Starts and places are sorted, not the occurrences themselves (192
    // bytes each, a start and place 24), which are moved once, in order.
    let mut order: Vec<(DateTime<Utc>, usize)> = occurrences
        .iter()
        .enumerate()
        .map(|(i, o)| (o.time.instants(zone).0, i))
        .collect();
    order.sort_by(|(a, i), (b, j)| {
        a.cmp(b)
            .then_with(|| occurrences[*i].uid.cmp(&occurrences[*j].uid))
    });
    let mut taken: Vec<Option<Occurrence>> = occurrences.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(_, i)| taken.get_mut(i).and_then(Option::take))
        .collect()
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
            end: resolve_end(zone, end, end_offset, &outage.end_at)?,
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
        end: resolve_end(zone, end, None, at)?,
        start_local: start,
        end_local: end,
    })
}

/// [`resolve_as`] for an end: an end at midnight (`24:00`) is the end of
/// the day before, the first instant of its day ([`local_midnight`]), which
/// exists even where the clocks skip midnight or go back over it.
pub fn resolve_end(
    zone: Tz,
    local: NaiveDateTime,
    offset: Option<FixedOffset>,
    at: &Location,
) -> Result<DateTime<Utc>, Problem> {
    if offset.is_none() && local.time() == NaiveTime::MIN {
        Ok(local_midnight(zone, local.date()))
    } else {
        resolve_as(zone, local, offset, at)
    }
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

fn expand_series<'a>(
    zone: Tz,
    series: &'a Series,
    horizon: NaiveDate,
    domain: &str,
    out: &mut Vec<Occurrence<'a>>,
    skipped: &mut Vec<Skipped<'a>>,
    notes: &mut Vec<Problem>,
) -> Result<(), Vec<Problem>> {
    // Validation has checked the exceptions against the rule. An occurrence
    // of an open-ended rule past the horizon may be moved into it.
    let last = series.until.unwrap_or(horizon);
    let latest_move = series.moves.iter().map(|m| m.from).max();
    let read_to = match (series.until, latest_move) {
        (None, Some(m)) => m.max(last),
        _ => last,
    };
    let dates = rule_dates(series, read_to).map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let publish = |d: NaiveDate| d <= last;
    let uid = |d: NaiveDate, extra: bool| series_uid(&series.id, d, extra, domain);
    // An open-ended series is published up to the horizon by the date an
    // occurrence actually happens (a move can bring one in from past it).
    let shown = |d: NaiveDate| match series.moves.iter().find(|m| m.from == d) {
        Some(m) if series.until.is_none() => m.to,
        _ => d,
    };
    let occurrence = |uid: String, time, rule_date, change| Occurrence {
        occurrence: uid.clone(),
        uid,
        source_id: &series.id,
        kind: Kind::Maintenance,
        details: &series.details,
        time,
        rule_date,
        moved: matches!(change, Some(Change::Moved { .. })),
        change,
        form: Form::Single,
        cancellation: None,
    };
    for &date in dates.iter().filter(|d| publish(shown(**d))) {
        if let Some(reason) = skip_reason(series, date) {
            skipped.push(Skipped {
                series,
                date,
                reason,
                time: timed_on(zone, date, series.window, &series.window_at).ok(),
            });
            continue;
        }
        let moved = series.moves.iter().find(|m| m.from == date);
        let (actual, window, at) = match moved {
            Some(m) => (m.to, m.window, &m.at),
            None => (date, series.window, &series.window_at),
        };
        let change = moved.map(|m| Change::Moved {
            from: date,
            reason: m.reason.as_deref(),
        });
        match timed_on(zone, actual, window, at) {
            Ok(time) => out.push(occurrence(uid(date, false), time, Some(date), change)),
            Err(p) => problems.push(p),
        }
    }
    for e in series.extras.iter().filter(|e| publish(e.date)) {
        let change = Change::Extra {
            reason: e.reason.as_deref(),
        };
        match timed_on(zone, e.date, e.window, &e.at) {
            Ok(time) => out.push(occurrence(uid(e.date, true), time, None, Some(change))),
            Err(p) => problems.push(p),
        }
    }
    // Validation made sure the rule gives dates: an open-ended series has
    // simply not started yet.
    if dates.iter().all(|d| !publish(shown(*d))) && series.extras.is_empty() {
        notes.push(Problem::note(
            series.rule_at.clone(),
            format!("`{}` has no occurrence up to {last} (`horizon-months` past now); nothing is published for it yet", series.id),
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(once_per_place(problems))
    }
}

/// A build whose feeds would hold more than [`MAX_FEED_EVENTS`] events,
/// located at the outage or series `id` that puts `most` of them in.
/// `counted_all`: `events` is the whole build's count, not the count when
/// expansion stopped.
pub fn too_many_feed_events(
    at: Location,
    (events, counted_all): (usize, bool),
    id: &str,
    most: usize,
) -> Problem {
    let so_far = if counted_all { "" } else { "at least " };
    Problem::error(
        at,
        format!("the feeds would hold {so_far}{events} events in all; the limit for one build is {MAX_FEED_EVENTS}"),
    )
    .help(format!(
        "`{id}` alone puts {most} in them (each occurrence once in `all.ics` and once per system): set `until`, list fewer systems than `all`, or split the schedules into several builds"
    ))
}

/// The first problem at each place, its help saying how many more dates
/// have the same one: a window time in the hour the clocks change is the
/// same mistake on every such date.
fn once_per_place(problems: Vec<Problem>) -> Vec<Problem> {
    let mut kept: Vec<(Problem, usize)> = Vec::new();
    for p in problems {
        match kept.iter_mut().find(|(k, _)| k.location == p.location) {
            Some((_, more)) => *more += 1,
            None => kept.push((p, 0)),
        }
    }
    kept.into_iter()
        .map(|(mut p, more)| {
            if more > 0 {
                let also = format!(
                    "the same on {more} more date{}",
                    if more == 1 { "" } else { "s" }
                );
                p.help = Some(match p.help {
                    Some(h) => format!("{h} ({also})"),
                    None => also,
                });
            }
            p
        })
        .collect()
}

/// Why a rule date is left out (`Some(None)`: skipped without a reason),
/// or `None` when it is not.
fn skip_reason(series: &Series, date: NaiveDate) -> Option<Option<String>> {
    let skip = series
        .skips
        .iter()
        .find(|s| s.date == date)
        .map(|s| &s.reason);
    let month = || {
        series
            .skip_months
            .iter()
            .find(|s| s.month == date.month())
            .map(|s| &s.reason)
    };
    skip.or_else(month).cloned()
}

fn timed_on(zone: Tz, date: NaiveDate, window: Window, at: &Location) -> Result<Time, Problem> {
    let (start, end) = window.on(date);
    timed(zone, start, end, at)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use chrono::{DateTime, NaiveDate, Utc};

    use super::{Location, Problem, local_midnight, once_per_place};
    use crate::pipeline::{expansion_as, load_memory};

    #[test]
    fn one_mistake_on_many_dates_is_one_problem_with_a_count() {
        let at = Location::default();
        let p = |d: &str| Problem::error(at.clone(), format!("{d} does not exist")).help("move it");
        let other = Problem::error(
            Location {
                line: 9,
                ..Location::default()
            },
            "other",
        );
        let kept = once_per_place(vec![p("a"), other, p("b"), p("c")]);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].message, "a does not exist");
        assert_eq!(
            kept[0].help.as_deref(),
            Some("move it (the same on 2 more dates)")
        );
        assert_eq!(kept[1].message, "other");
        assert_eq!(kept[1].help, None);
    }
    use crate::schedule::Recurrence;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// Each occurrence's id (UID before `@`) with its instants, built at
    /// the start of 2026 in `recurrence` form.
    fn instants(yaml: &str, recurrence: Recurrence) -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
        instants_at(yaml, "2026-01-01T00:00:00Z", recurrence)
    }

    fn instants_at(
        yaml: &str,
        now: &str,
        recurrence: Recurrence,
    ) -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
        let files = [(PathBuf::from("t.yaml"), yaml.as_bytes().to_vec())];
        let checked = load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
        let expansion =
            expansion_as(&checked, utc(now), recurrence).unwrap_or_else(|e| panic!("{e}"));
        let zone = expansion.schedule.settings.zone;
        expansion
            .occurrences
            .iter()
            .map(|o| {
                let (start, end) = o.time.instants(zone);
                let id = o.occurrence.split('@').next().unwrap_or_default();
                (id.to_string(), start, end)
            })
            .collect()
    }

    #[test]
    fn a_day_begins_where_its_midnight_is_skipped_or_repeated() {
        // Santiago skips from 00:00 -04 to 01:00 -03 on 6 September 2026.
        let santiago = chrono_tz::America::Santiago;
        assert_eq!(
            local_midnight(santiago, day("2026-09-06")),
            utc("2026-09-06T04:00:00Z")
        );
        assert_eq!(
            local_midnight(santiago, day("2026-09-05")),
            utc("2026-09-05T04:00:00Z")
        );
        // Havana goes back from 01:00 -04 to 00:00 -05 on 1 November 2026.
        assert_eq!(
            local_midnight(chrono_tz::America::Havana, day("2026-11-01")),
            utc("2026-11-01T04:00:00Z")
        );
    }

    #[test]
    fn an_end_at_24_00_before_a_skipped_midnight_is_the_first_instant_of_the_next_day() {
        let yaml = "settings:\n  time-zone: America/Santiago\nsystems:\n  - id: s\n    name: S\noutages:\n  - id: o\n    title: O\n    systems: [s]\n    start: 2026-09-05 21:00\n    end: 2026-09-05 24:00\n  - id: written-00-00\n    title: H\n    systems: [s]\n    start: 2026-09-05 23:00\n    end: 2026-09-06 00:00\nmaintenance:\n  - id: m\n    title: M\n    systems: [s]\n    rule: FREQ=WEEKLY;BYDAY=SA\n    from: 2026-08-29\n    until: 2026-09-12\n    start-time: \"22:00\"\n    end-time: \"24:00\"\n";
        for recurrence in [Recurrence::Expand, Recurrence::Rrule] {
            let got = instants(yaml, recurrence);
            let find = |id: &str| {
                got.iter()
                    .find(|(i, ..)| i == id)
                    .map(|(_, s, e)| (*s, *e))
                    .unwrap_or_else(|| panic!("no {id} in {got:?}"))
            };
            assert_eq!(
                find("o"),
                (utc("2026-09-06T01:00:00Z"), utc("2026-09-06T04:00:00Z"))
            );
            assert_eq!(
                find("written-00-00"),
                (utc("2026-09-06T03:00:00Z"), utc("2026-09-06T04:00:00Z"))
            );
            assert_eq!(
                find("m.20260905"),
                (utc("2026-09-06T02:00:00Z"), utc("2026-09-06T04:00:00Z"))
            );
            assert_eq!(
                find("m.20260912"),
                (utc("2026-09-13T01:00:00Z"), utc("2026-09-13T03:00:00Z"))
            );
        }
    }

    #[test]
    fn an_end_at_24_00_before_a_repeated_midnight_is_its_first_reading() {
        let yaml = "settings:\n  time-zone: America/Havana\nsystems:\n  - id: s\n    name: S\noutages:\n  - id: o\n    title: O\n    systems: [s]\n    start: 2026-10-31 21:00\n    end: 2026-10-31 24:00\n";
        let got = instants(yaml, Recurrence::Expand);
        assert_eq!(
            got.iter().map(|(_, s, e)| (*s, *e)).collect::<Vec<_>>(),
            [(utc("2026-11-01T01:00:00Z"), utc("2026-11-01T04:00:00Z"))]
        );
    }

    #[test]
    fn an_open_ended_rule_stops_at_the_last_year_it_can_be_right_in() {
        // 13 months past June 2099 reach into 2100, which nedetid's tz data
        // does not know: the horizon stops at the end of 2099.
        let yaml = "systems:\n  - id: s\n    name: S\nmaintenance:\n  - id: m\n    title: M\n    systems: [s]\n    rule: FREQ=MONTHLY;BYMONTHDAY=1\n    from: 2099-06-01\n    start-time: \"12:00\"\n    end-time: \"24:00\"\n    moves:\n      - from: 2099-12-01\n        to: 2099-12-31\n";
        for recurrence in [Recurrence::Expand, Recurrence::Rrule] {
            let got = instants_at(yaml, "2099-06-01T00:00:00Z", recurrence);
            let ids: Vec<&str> = got.iter().map(|(id, ..)| id.as_str()).collect();
            assert_eq!(
                ids,
                [
                    "m.20990601",
                    "m.20990701",
                    "m.20990801",
                    "m.20990901",
                    "m.20991001",
                    "m.20991101",
                    "m.20991201"
                ]
            );
            // The last one, moved to the last day, ends at its end (CET).
            assert_eq!(
                got.last().map(|(_, s, e)| (*s, *e)),
                Some((utc("2099-12-31T11:00:00Z"), utc("2099-12-31T23:00:00Z")))
            );
        }
    }
}
