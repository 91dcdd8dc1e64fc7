//! The series (RRULE) form of maintenance: decides, per series, whether it
//! can be published as one repeating VEVENT that every client reads alike,
//! and if so turns its occurrences into a master (RRULE + EXDATE), covered
//! occurrences and RECURRENCE-ID overrides. Otherwise it stays expanded, and
//! a note says why.
//!
//! What Outlook can show limits the form (MS-OXCICAL 2.1.3.2.2): one
//! template-shaped rule, EXDATEs at the exact local start, and moves that do
//! not pass a neighbouring occurrence or land on its day.

use std::collections::BTreeMap;

use chrono::{LocalResult, NaiveDate, NaiveDateTime, TimeZone as _, Weekday};
use chrono_tz::Tz;
use rrule::{Frequency, NWeekday, RRule, Unvalidated};

use crate::error::Problem;
use crate::expand::{Expansion, Form, Master, Occurrence, Time};
use crate::schedule::{Recurrence, Series};
use crate::tz::weekday_code;

/// Chooses the form of every series and rewrites the expansion accordingly.
/// Returns notes for series that were asked for in RRULE form but stay
/// expanded.
pub fn shape(expansion: &mut Expansion, default: Recurrence) -> Vec<Problem> {
    let schedule = expansion.schedule;
    let mut notes = Vec::new();
    let mut masters = Vec::new();
    for series in &schedule.series {
        if series.recurrence.unwrap_or(default) != Recurrence::Rrule {
            continue;
        }
        match plan(expansion, series) {
            Ok((master, forms)) => {
                for o in expansion.occurrences.iter_mut() {
                    if let Some(form) = forms.get(&o.occurrence) {
                        o.form = *form;
                        // A move too far for an override stays a separate
                        // event under its own UID.
                        if *form != Form::Single {
                            o.uid.clone_from(&master.uid);
                        }
                    }
                }
                masters.push(master);
            }
            Err(why) => notes.push(
                Problem::note(series.rule_at.clone(), format!("`{}` is published expanded: {why}", series.id))
                    .help("every client shows the expanded form the same; nothing to do unless you need one repeating event"),
            ),
        }
    }
    expansion.masters = masters;
    notes
}

/// The master and each rule occurrence's form (by its `occurrence` id).
fn plan<'a>(
    expansion: &Expansion<'a>,
    series: &'a Series,
) -> Result<(Master<'a>, BTreeMap<String, Form>), String> {
    let rrule = outlook_rule(&series.rule, &series.rule_text, series.week_start_written)?;
    // The rule's own range: a move may bring in an occurrence from past
    // the horizon, which stays an event of its own.
    let last_allowed = series.until.unwrap_or(expansion.horizon);
    let all_dates = crate::rules::rule_dates(series, last_allowed).map_err(|p| p.message)?;
    let mine: Vec<&Occurrence> = expansion
        .occurrences
        .iter()
        .filter(|o| o.source_id == series.id && o.rule_date.is_some_and(|d| d <= last_allowed))
        .collect();
    if mine.is_empty() {
        return Err("no occurrence of the rule is published".into());
    }
    let last = *all_dates.last().ok_or("the rule has no occurrences")?;
    let zone = expansion.schedule.settings.zone;
    let shown = shown_dates(series, zone, &mine)?;
    let own = own_events(&all_dates, &shown, &mine);
    let forms = forms(series, &mine, &own);
    // DTSTART: the first rule date the master shows (as itself or as an
    // override), so that it is an occurrence of the rule (Google shows an
    // extra event otherwise) that no EXDATE has to take back; the rule
    // dates before it are not the master's.
    let first = mine
        .iter()
        .filter_map(|o| o.rule_date)
        .filter(|d| !own.contains(d))
        .min()
        .ok_or("every occurrence is moved past a neighbour")?;
    let (start, end) = series.window.on(first);
    // Every rule date after the first that the master does not show as
    // itself or an override: skipped, moved too far, or dropped by retention.
    let exdates: Vec<NaiveDateTime> = all_dates
        .iter()
        .filter(|d| **d > first && (!shown.contains_key(d) || own.contains(d)))
        .map(|d| series.window.on(*d).0)
        .collect();
    no_instance_named_twice(zone, &exdates, &forms)?;
    let until = crate::expand::resolve(zone, series.window.on(last).0, &series.rule_at)
        .map_err(|p| p.message)?;
    let at = &series.window_at;
    let time = Time::Timed {
        start: crate::expand::resolve(zone, start, at).map_err(|p| p.message)?,
        end: crate::expand::resolve_end(zone, end, None, at).map_err(|p| p.message)?,
        start_local: start,
        end_local: end,
    };
    let master = Master {
        series,
        uid: format!("{}@{}", series.id, expansion.schedule.settings.uid_domain),
        details: &series.details,
        time,
        rrule: format!("{rrule};UNTIL={}", until.format("%Y%m%dT%H%M%SZ")),
        exdates,
    };
    Ok((master, forms))
}

/// Where each published occurrence is shown (its local start date and its
/// key), by rule date; or why the series cannot be one repeating event.
fn shown_dates<'o>(
    series: &Series,
    zone: Tz,
    mine: &[&'o Occurrence],
) -> Result<BTreeMap<NaiveDate, (NaiveDate, &'o str)>, String> {
    // The window's length on the wall clock (the same on every date).
    let nominal = {
        let (start, end) = series.window.on(series.from);
        end - start
    };
    let mut shown = BTreeMap::new();
    for o in mine {
        let (
            Some(rule_date),
            Time::Timed {
                start: s,
                end: e,
                start_local,
                end_local,
            },
        ) = (o.rule_date, o.time)
        else {
            return Err("all-day windows".into());
        };
        if !o.moved && e - s != nominal {
            return Err(format!(
                "the window on {rule_date} spans a daylight-saving change"
            ));
        }
        // Engines end an instance on the wall clock, DTSTART's length after
        // its start: at a midnight (`24:00`) that does not exist or happens
        // twice, ical.js reads another instant than the one that ends the day.
        if !o.moved {
            match zone.from_local_datetime(&end_local) {
                LocalResult::Single(_) => {}
                LocalResult::None => {
                    return Err(format!(
                        "the window on {rule_date} ends at a midnight the clocks skip in {zone}"
                    ));
                }
                LocalResult::Ambiguous(..) => {
                    return Err(format!(
                        "the window on {rule_date} ends at a midnight that happens twice in {zone}"
                    ));
                }
            }
        }
        shown.insert(rule_date, (start_local.date(), o.occurrence.as_str()));
    }
    Ok(shown)
}

/// The rule dates whose moved occurrence must be an event of its own: a
/// moved occurrence is an override only while it stays strictly between the
/// occurrences around it, as shown (Outlook cannot show a move past a
/// neighbour or onto its day). Demoting one can expose another, so this
/// repeats until stable.
fn own_events(
    all_dates: &[NaiveDate],
    shown: &BTreeMap<NaiveDate, (NaiveDate, &str)>,
    mine: &[&Occurrence],
) -> Vec<NaiveDate> {
    let mut own: Vec<NaiveDate> = Vec::new();
    loop {
        let kept: Vec<(NaiveDate, NaiveDate)> = all_dates
            .iter()
            .filter(|d| !own.contains(d))
            .map(|d| (*d, shown.get(d).map_or(*d, |(to, _)| *to)))
            .collect();
        let bad = kept.iter().enumerate().find_map(|(i, (rule_date, to))| {
            let moved = mine
                .iter()
                .any(|o| o.rule_date == Some(*rule_date) && o.moved);
            let prev = i.checked_sub(1).and_then(|j| kept.get(j)).map(|p| p.1);
            let next = kept.get(i + 1).map(|n| n.1);
            let between = prev.is_none_or(|p| p < *to) && next.is_none_or(|n| *to < n);
            (moved && !between).then_some(*rule_date)
        });
        match bad {
            Some(d) => own.push(d),
            None => return own,
        }
    }
}

/// How each occurrence of the series is published, by its key.
fn forms(series: &Series, mine: &[&Occurrence], own: &[NaiveDate]) -> BTreeMap<String, Form> {
    let mut forms = BTreeMap::new();
    for o in mine {
        let Some(rule_date) = o.rule_date else {
            continue;
        };
        let form = if own.contains(&rule_date) {
            Form::Single
        } else if o.moved {
            Form::Override(series.window.on(rule_date).0)
        } else {
            Form::Covered
        };
        forms.insert(o.occurrence.clone(), form);
    }
    forms
}

/// EXDATE and RECURRENCE-ID name an instance by its local start: one that
/// happens twice is the first reading in RFC 5545 and the second in ical.js
/// and libical, so the engines would not agree on which instance is taken
/// out or moved (and UTC is no choice: clients want the TZID of DTSTART
/// there).
fn no_instance_named_twice(
    zone: Tz,
    exdates: &[NaiveDateTime],
    forms: &BTreeMap<String, Form>,
) -> Result<(), String> {
    let overrides = forms.values().filter_map(|f| match f {
        Form::Override(rid) => Some(*rid),
        Form::Single | Form::Covered => None,
    });
    let twice = exdates
        .iter()
        .copied()
        .chain(overrides)
        .find(|t| matches!(zone.from_local_datetime(t), LocalResult::Ambiguous(..)));
    match twice {
        Some(t) => Err(format!(
            "its start on {} ({}) happens twice in {zone}, and a repeating event can name only one reading of it",
            t.date(),
            t.format("%H:%M")
        )),
        None => Ok(()),
    }
}

/// The rule in a shape Outlook's templates accept (`BYDAY=3WE` is written
/// `BYDAY=WE;BYSETPOS=3`, old Outlook refused the first), or why it has none.
/// Read from the parsed rule, never from its text.
pub fn outlook_rule(
    rule: &RRule<Unvalidated>,
    text: &str,
    week_start_written: bool,
) -> Result<String, String> {
    let unsupported = [
        ("BYHOUR", !rule.get_by_hour().is_empty()),
        ("BYMINUTE", !rule.get_by_minute().is_empty()),
        ("BYSECOND", !rule.get_by_second().is_empty()),
        ("BYWEEKNO", !rule.get_by_week_no().is_empty()),
        ("BYYEARDAY", !rule.get_by_year_day().is_empty()),
    ];
    if let Some((k, _)) = unsupported.iter().find(|(_, written)| *written) {
        return Err(format!("Outlook cannot show rules with `{k}`"));
    }
    let join = |values: &[String]| (!values.is_empty()).then(|| values.join(","));
    let numbers = |values: &[i32]| join(&values.iter().map(i32::to_string).collect::<Vec<_>>());
    let mut days = rule.get_by_weekday().to_vec();
    let mut setpos: Vec<i32> = rule.get_by_set_pos().to_vec();
    if let ([NWeekday::Nth(n, day)], []) = (days.as_slice(), setpos.as_slice()) {
        setpos = vec![i32::from(*n)];
        days = vec![NWeekday::Every(*day)];
    }
    let plain_days = days.iter().all(|d| matches!(d, NWeekday::Every(_)));
    let byday = join(
        &days
            .iter()
            .map(|d| match d {
                NWeekday::Every(day) => weekday_code(*day).to_string(),
                NWeekday::Nth(n, day) => format!("{n}{}", weekday_code(*day)),
            })
            .collect::<Vec<_>>(),
    );
    let monthdays: Vec<i32> = rule
        .get_by_month_day()
        .iter()
        .map(|d| i32::from(*d))
        .collect();
    let months: Vec<i32> = rule.get_by_month().iter().map(|m| i32::from(*m)).collect();
    let setpos_ok = setpos.iter().all(|p| matches!(p, 1..=4 | -1));
    let freq = rule.get_freq();
    let shape_ok = match freq {
        Frequency::Daily => {
            days.is_empty() && monthdays.is_empty() && months.is_empty() && setpos.is_empty()
        }
        Frequency::Weekly => {
            plain_days && monthdays.is_empty() && months.is_empty() && setpos.is_empty()
        }
        Frequency::Monthly | Frequency::Yearly => {
            let by_day = days.len() == 1
                && setpos.len() == 1
                && plain_days
                && setpos_ok
                && monthdays.is_empty();
            // Outlook moves day 29-31 to the last day of shorter months.
            let by_monthday =
                matches!(monthdays.as_slice(), [1..=28]) && days.is_empty() && setpos.is_empty();
            let month_ok = if freq == Frequency::Yearly {
                months.len() == 1
            } else {
                months.is_empty()
            };
            (by_day || by_monthday) && month_ok
        }
        _ => false,
    };
    if !shape_ok {
        return Err(format!(
            "Outlook cannot show the rule `{text}` as one repeating event"
        ));
    }
    let interval = rule.get_interval();
    let week_start = rule.get_week_start();
    let mut out = format!("FREQ={}", freq.to_string().to_ascii_uppercase());
    for (k, v) in [
        ("INTERVAL", (interval != 1).then(|| interval.to_string())),
        ("BYMONTH", numbers(&months)),
        ("BYMONTHDAY", numbers(&monthdays)),
        ("BYDAY", byday),
        ("BYSETPOS", numbers(&setpos)),
        (
            "WKST",
            (week_start_written || week_start != Weekday::Mon)
                .then(|| weekday_code(week_start).to_string()),
        ),
    ] {
        if let Some(v) = v {
            out.push_str(&format!(";{k}={v}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr as _;

    use super::*;

    fn outlook(text: &str) -> Result<String, String> {
        let rule = RRule::<Unvalidated>::from_str(text).map_err(|e| e.to_string())?;
        outlook_rule(&rule, text, text.contains("WKST"))
    }

    #[test]
    fn template_shapes_pass_and_others_are_refused() {
        assert_eq!(
            outlook("FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3").as_deref(),
            Ok("FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3")
        );
        assert_eq!(
            outlook("FREQ=MONTHLY;BYDAY=3WE").as_deref(),
            Ok("FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3")
        );
        assert_eq!(
            outlook("FREQ=MONTHLY;BYDAY=-1FR;COUNT=5").as_deref(),
            Ok("FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1")
        );
        assert_eq!(
            outlook("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH").as_deref(),
            Ok("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH")
        );
        assert_eq!(
            outlook("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1").as_deref(),
            Ok("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1")
        );
        // The week start is kept as written.
        assert_eq!(
            outlook("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=MO").as_deref(),
            Ok("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=MO")
        );
        assert_eq!(
            outlook("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;WKST=SU").as_deref(),
            Ok("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;WKST=SU")
        );
        assert!(outlook("FREQ=MONTHLY;BYDAY=WE;BYMONTHDAY=16,17,18,19,20,21,22").is_err());
        assert!(outlook("FREQ=MONTHLY;BYMONTHDAY=1,15").is_err());
        assert!(outlook("FREQ=MONTHLY;BYMONTHDAY=31").is_err());
        assert!(outlook("FREQ=MONTHLY;BYMONTHDAY=-1").is_err());
        assert!(outlook("FREQ=MONTHLY;BYMONTHDAY=28").is_ok());
        assert!(outlook("FREQ=YEARLY;BYWEEKNO=20").is_err());
        assert!(outlook("FREQ=MONTHLY;BYDAY=WE;BYSETPOS=5").is_err());
    }
}

#[cfg(test)]
mod plan_tests {
    use std::path::PathBuf;

    use chrono::{DateTime, Utc};

    use crate::pipeline::{expansion_as, load_memory};
    use crate::schedule::Recurrence;

    use super::plan_tests_support::{feed_at, schedule};

    /// `all.ics` (unfolded) with `extra` series keys, built at the epoch.
    fn feed(extra: &str) -> String {
        feed_at("", extra, "1970-01-01T00:00:00Z")
    }

    #[test]
    fn a_rule_written_with_a_lowercase_rrule_prefix_is_published_as_one() {
        let yaml = super::plan_tests_support::schedule("", "")
            .replace("rule: FREQ=MONTHLY", "rule: rrule:FREQ=MONTHLY");
        assert!(yaml.contains("rule: rrule:FREQ=MONTHLY;BYDAY=3WE"));
        let ics = super::plan_tests_support::feed_of(&yaml, "2019-01-01");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "{ics}");
        assert!(
            ics.contains("RRULE:FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3;UNTIL=20190619T140000Z\r\n"),
            "{ics}"
        );
    }

    #[test]
    fn skips_become_exdates_and_a_short_move_an_override() {
        let ics = feed(
            "    skip:\n      - date: 2019-02-20\n    moves:\n      - from: 2019-04-17\n        to: 2019-04-24\n        start-time: \"17:00\"\n    extra:\n      - date: 2019-05-16\n",
        );
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 3, "{ics}");
        assert!(ics.contains("UID:m@t.example\r\nDTSTAMP"), "{ics}");
        assert!(ics.contains("DTSTART;TZID=Europe/Oslo:20190116T160000\r\n"));
        // BYDAY=3WE in Outlook's template shape, bounded by the last date's start (CEST).
        assert!(
            ics.contains("RRULE:FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3;UNTIL=20190619T140000Z\r\n"),
            "{ics}"
        );
        assert!(ics.contains("EXDATE;TZID=Europe/Oslo:20190220T160000\r\n"));
        assert!(ics.contains("RECURRENCE-ID;TZID=Europe/Oslo:20190417T160000\r\nDTSTART;TZID=Europe/Oslo:20190424T170000\r\n"), "{ics}");
        assert!(ics.contains("UID:m.extra.20190516@t.example\r\n"));
        assert!(!ics.contains("RDATE"));
    }

    #[test]
    fn a_move_past_a_neighbour_is_an_exdate_and_a_separate_event() {
        let ics = feed("    moves:\n      - from: 2019-03-20\n        to: 2019-04-18\n");
        assert!(
            ics.contains("EXDATE;TZID=Europe/Oslo:20190320T160000\r\n"),
            "{ics}"
        );
        assert!(!ics.contains("RECURRENCE-ID"));
        assert!(ics.contains("UID:m.20190320@t.example\r\n"));
    }

    #[test]
    fn a_move_onto_a_neighbours_day_is_not_an_override() {
        // Onto a skipped neighbour's day: Outlook cannot show that as an override.
        let ics = feed(
            "    skip:\n      - date: 2019-02-20\n    moves:\n      - from: 2019-03-20\n        to: 2019-02-20\n",
        );
        assert!(!ics.contains("RECURRENCE-ID"), "{ics}");
        assert!(ics.contains("EXDATE;TZID=Europe/Oslo:20190320T160000\r\n"));
    }

    #[test]
    fn a_rule_outlook_cannot_show_stays_expanded() {
        let files = [(
            PathBuf::from("t.yaml"),
            schedule("", "")
                .replace("BYDAY=3WE", "BYDAY=WE;BYMONTHDAY=16,17,18,19,20,21,22")
                .into_bytes(),
        )];
        let checked = load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
        let expansion = expansion_as(&checked, DateTime::<Utc>::UNIX_EPOCH, Recurrence::Rrule)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(expansion.masters.is_empty());
        assert_eq!(expansion.notes.len(), 1);
        assert!(
            expansion.notes[0].message.contains("published expanded"),
            "{:?}",
            expansion.notes
        );
    }
}

#[cfg(test)]
mod moves_and_retention {
    use super::plan_tests_support::feed_at;

    #[test]
    fn a_move_dropped_by_retention_leaves_an_exdate() {
        // The occurrence of 15 May moved to 2 January is past retention on
        // 1 March; the master must not show 15 May again.
        let ics = feed_at(
            "  retention-days: 30\n",
            "    moves:\n      - from: 2019-05-15\n        to: 2019-01-02\n",
            "2019-03-01T00:00:00Z",
        );
        assert!(
            ics.contains("EXDATE;TZID=Europe/Oslo:20190515T160000\r\n"),
            "{ics}"
        );
    }

    #[test]
    fn crossing_moves_do_not_stay_overrides() {
        // 20 Feb goes to 19 Mar, past 20 Mar (shown on 21 Feb): it becomes an
        // event of its own; with it gone, 20 Mar -> 21 Feb lies between its
        // neighbours (16 Jan, 17 Apr) and stays an override.
        let ics = feed_at(
            "",
            "    moves:\n      - from: 2019-02-20\n        to: 2019-03-19\n      - from: 2019-03-20\n        to: 2019-02-21\n",
            "2019-01-01T00:00:00Z",
        );
        assert!(
            ics.contains("EXDATE;TZID=Europe/Oslo:20190220T160000\r\n"),
            "{ics}"
        );
        assert!(ics.contains("UID:m.20190220@t.example\r\nDTSTAMP"));
        assert_eq!(ics.matches("RECURRENCE-ID").count(), 1);
        assert!(ics.contains("RECURRENCE-ID;TZID=Europe/Oslo:20190320T160000\r\nDTSTART;TZID=Europe/Oslo:20190221T160000"));
    }
}

#[cfg(test)]
mod first_date {
    use super::plan_tests_support::{feed_of, master_starts, own_uids};

    /// Mondays 5 to 26 January 2026 at 10:00 in Oslo (12 to 26 January
    /// with `until: 2026-02-23`), with extra settings and series keys.
    fn mondays(settings: &str, until: &str, series: &str) -> String {
        format!(
            "settings:\n  uid-domain: t.example\n{settings}systems:\n  - id: s\n    name: S\nmaintenance:\n  - id: m\n    title: M\n    systems: [s]\n    rule: FREQ=WEEKLY;BYDAY=MO\n    from: 2026-01-05\n    until: {until}\n    start-time: \"10:00\"\n    end-time: \"11:00\"\n{series}"
        )
    }

    #[test]
    fn a_first_date_moved_past_its_neighbour_is_not_also_shown_by_the_master() {
        let ics = feed_of(
            &mondays(
                "",
                "2026-01-26",
                "    moves:\n      - from: 2026-01-05\n        to: 2026-01-14\n",
            ),
            "2026-01-01",
        );
        assert_eq!(own_uids(&ics), ["m.20260105@t.example"], "{ics}");
        assert_eq!(
            master_starts(&ics, "m@t.example"),
            ["2026-01-12 10:00", "2026-01-19 10:00", "2026-01-26 10:00"],
            "{ics}"
        );
    }

    #[test]
    fn a_first_kept_date_moved_past_its_neighbour_is_not_also_shown_by_the_master() {
        // Retention drops 5 and 12 January on the 20th; 19 January, the
        // first one kept, goes to Wednesday the 28th, past the 26th.
        let ics = feed_of(
            &mondays(
                "  retention-days: 7\n",
                "2026-02-23",
                "    moves:\n      - from: 2026-01-19\n        to: 2026-01-28\n",
            ),
            "2026-01-20T12:00:00Z",
        );
        assert_eq!(own_uids(&ics), ["m.20260119@t.example"], "{ics}");
        assert_eq!(
            master_starts(&ics, "m@t.example"),
            [
                "2026-01-26 10:00",
                "2026-02-02 10:00",
                "2026-02-09 10:00",
                "2026-02-16 10:00",
                "2026-02-23 10:00"
            ],
            "{ics}"
        );
    }

    #[test]
    fn a_first_date_moved_between_its_neighbours_overrides_the_masters_first() {
        let ics = feed_of(
            &mondays(
                "",
                "2026-01-26",
                "    moves:\n      - from: 2026-01-05\n        to: 2026-01-06\n",
            ),
            "2026-01-01",
        );
        assert!(own_uids(&ics).is_empty(), "{ics}");
        assert_eq!(
            master_starts(&ics, "m@t.example"),
            [
                "2026-01-05 10:00",
                "2026-01-12 10:00",
                "2026-01-19 10:00",
                "2026-01-26 10:00"
            ],
            "{ics}"
        );
        assert!(ics.contains("RECURRENCE-ID;TZID=Europe/Oslo:20260105T100000\r\nDTSTART;TZID=Europe/Oslo:20260106T100000\r\n"), "{ics}");
    }

    #[test]
    fn a_series_whose_every_date_is_its_own_event_stays_expanded() {
        let ics = feed_of(
            &mondays(
                "",
                "2026-01-12",
                "    skip:\n      - date: 2026-01-12\n    moves:\n      - from: 2026-01-05\n        to: 2026-01-14\n",
            ),
            "2026-01-01",
        );
        assert!(!ics.contains("RRULE:FREQ=WEEKLY"), "{ics}");
        assert_eq!(own_uids(&ics), ["m.20260105@t.example"], "{ics}");
    }
}

#[cfg(test)]
mod repeated_hour {
    use std::path::PathBuf;

    use chrono::{DateTime, Utc};

    use crate::pipeline::{expansion_as, load_memory};
    use crate::schedule::Recurrence;

    /// Notes of a daily 02:30 series in Oslo around the night the clocks go
    /// back (25 October 2026, when 02:30 happens twice), with `exception`.
    fn notes(exception: &str) -> Vec<String> {
        let yaml = format!(
            "systems:\n  - id: s\n    name: S\nmaintenance:\n  - id: m\n    title: M\n    systems: [s]\n    rule: FREQ=DAILY\n    from: 2026-10-23\n    until: 2026-10-27\n    start-time: \"02:30\"\n    end-time: \"02:45\"\n{exception}"
        );
        let files = [(PathBuf::from("t.yaml"), yaml.into_bytes())];
        let checked = load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
        let expansion = expansion_as(&checked, DateTime::<Utc>::UNIX_EPOCH, Recurrence::Rrule)
            .unwrap_or_else(|e| panic!("{e}"));
        let notes = expansion.notes.iter().map(|n| n.message.clone()).collect();
        assert_eq!(expansion.masters.is_empty(), !expansion.notes.is_empty());
        notes
    }

    #[test]
    fn an_exdate_at_a_repeated_local_time_keeps_the_series_expanded() {
        let notes = notes("    skip:\n      - date: 2026-10-25\n");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("2026-10-25 (02:30) happens twice in Europe/Oslo"),
            "{notes:?}"
        );
    }

    #[test]
    fn a_recurrence_id_at_a_repeated_local_time_keeps_the_series_expanded() {
        let notes = notes(
            "    moves:\n      - from: 2026-10-25\n        to: 2026-10-25\n        start-time: \"04:00\"\n        end-time: \"04:15\"\n",
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("happens twice"), "{notes:?}");
    }
}

#[cfg(test)]
mod midnight_ends {
    use std::path::PathBuf;

    use chrono::{DateTime, Utc};

    use crate::pipeline::{expansion_as, load_memory};
    use crate::schedule::Recurrence;

    /// Notes of Saturday windows to midnight in `zone` from `from` to `until`.
    fn notes(zone: &str, from: &str, until: &str) -> Vec<String> {
        let yaml = format!(
            "settings:\n  time-zone: {zone}\nsystems:\n  - id: s\n    name: S\nmaintenance:\n  - id: m\n    title: M\n    systems: [s]\n    rule: FREQ=WEEKLY;BYDAY=SA\n    from: {from}\n    until: {until}\n    start-time: \"22:00\"\n    end-time: \"24:00\"\n"
        );
        let files = [(PathBuf::from("t.yaml"), yaml.into_bytes())];
        let checked = load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
        let expansion = expansion_as(&checked, DateTime::<Utc>::UNIX_EPOCH, Recurrence::Rrule)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(expansion.masters.is_empty(), !expansion.notes.is_empty());
        expansion.notes.iter().map(|n| n.message.clone()).collect()
    }

    #[test]
    fn a_window_to_a_skipped_or_repeated_midnight_keeps_the_series_expanded() {
        // Santiago skips midnight after Saturday 2026-09-05; the Azores go
        // back from 01:00 to 00:00 after Saturday 2026-10-24.
        let santiago = notes("America/Santiago", "2026-08-29", "2026-09-12");
        assert_eq!(santiago.len(), 1);
        assert!(
            santiago[0].contains("the window on 2026-09-05 ends at a midnight the clocks skip"),
            "{santiago:?}"
        );
        let azores = notes("Atlantic/Azores", "2026-10-17", "2026-10-31");
        assert_eq!(azores.len(), 1);
        assert!(
            azores[0].contains("the window on 2026-10-24 ends at a midnight that happens twice"),
            "{azores:?}"
        );
        assert!(notes("America/Santiago", "2026-09-12", "2026-09-26").is_empty());
    }
}

#[cfg(test)]
mod plan_tests_support {
    use crate::schedule::Recurrence;

    /// A one-series schedule (third Wednesday, January to June 2019), with
    /// extra settings and series keys.
    pub fn schedule(settings: &str, series: &str) -> String {
        format!(
            "settings:\n  uid-domain: t.example\n{settings}systems:\n  - id: s\n    name: S\nmaintenance:\n  - id: m\n    title: M\n    systems: [s]\n    rule: FREQ=MONTHLY;BYDAY=3WE\n    from: 2019-01-01\n    until: 2019-06-30\n    start-time: \"16:00\"\n    end-time: \"19:00\"\n{series}"
        )
    }

    /// `all.ics` (unfolded) of [`schedule`] in RRULE form, built at `now`.
    pub fn feed_at(settings: &str, series: &str, now: &str) -> String {
        feed_of(&schedule(settings, series), now)
    }

    /// The UIDs of the events of a feed that are neither a master nor an
    /// override, in order.
    pub fn own_uids(ics: &str) -> Vec<String> {
        vevents(ics)
            .filter(|v| !v.contains("\r\nRRULE:") && !v.contains("\r\nRECURRENCE-ID"))
            .filter_map(|v| property(v, "UID:").map(str::to_string))
            .collect()
    }

    /// The local starts (`YYYY-MM-DD HH:MM`) the master with `uid` gives,
    /// as a recurrence engine reads its DTSTART, RRULE and EXDATEs.
    pub fn master_starts(ics: &str, uid: &str) -> Vec<String> {
        let Some(master) =
            vevents(ics).find(|v| property(v, "UID:") == Some(uid) && v.contains("\r\nRRULE:"))
        else {
            panic!("no master {uid} in {ics}");
        };
        let set: String = master
            .split("\r\n")
            .filter(|l| {
                ["DTSTART", "RRULE:", "EXDATE"]
                    .iter()
                    .any(|p| l.starts_with(p))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let set: rrule::RRuleSet = set.parse().unwrap_or_else(|e| panic!("{e}: {set}"));
        set.all(1000)
            .dates
            .iter()
            .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
            .collect()
    }

    fn vevents(ics: &str) -> impl Iterator<Item = &str> {
        ics.split("BEGIN:VEVENT\r\n").skip(1)
    }

    fn property<'a>(vevent: &'a str, name: &str) -> Option<&'a str> {
        vevent.split("\r\n").find_map(|l| l.strip_prefix(name))
    }

    /// `all.ics` (unfolded) of a schedule in RRULE form, built at `now`.
    pub fn feed_of(yaml: &str, now: &str) -> String {
        crate::pipeline::all_ics_of(yaml, now, Recurrence::Rrule)
    }
}
