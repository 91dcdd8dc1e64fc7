//! Warnings: schedules that are valid but probably not what was meant. They
//! are printed and pass, unless `check --deny-warnings`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::error::Problem;
use crate::expand::{Expansion, Kind, Occurrence};
use crate::schedule::Status;

/// Every warning for an expansion, as of `now`.
pub fn warnings(expansion: &Expansion, now: DateTime<Utc>) -> Vec<Problem> {
    let mut out = Vec::new();
    overlaps(expansion, &mut out);
    holidays(expansion, &mut out);
    stale_tentative(expansion, now, &mut out);
    out
}

fn where_(expansion: &Expansion, o: &Occurrence) -> crate::error::Location {
    let schedule = expansion.schedule;
    schedule
        .outages
        .iter()
        .find(|x| x.id == o.source_id)
        .map(|x| x.when_at.clone())
        .or_else(|| {
            schedule
                .series
                .iter()
                .find(|x| x.id == o.source_id)
                .map(|x| x.window_at.clone())
        })
        .unwrap_or_default()
}

fn label(o: &Occurrence) -> String {
    match o.rule_date {
        Some(d) => format!("`{}` on {d}", o.source_id),
        None => format!("`{}`", o.source_id),
    }
}

/// Two windows of different outages or series overlapping on one system.
fn overlaps(expansion: &Expansion, out: &mut Vec<Problem>) {
    // Occurrences are sorted by start; compare each with the ones that
    // start before it ends.
    let spans: Vec<_> = expansion
        .occurrences
        .iter()
        .map(|o| (o, o.time.instants(expansion.schedule.settings.zone)))
        .collect();
    for (i, (a, (_, a_end))) in spans.iter().enumerate() {
        for (b, (b_start, _)) in spans[i + 1..].iter() {
            if b_start >= a_end {
                break;
            }
            if a.source_id == b.source_id
                || a.details.status == Status::Cancelled
                || b.details.status == Status::Cancelled
            {
                continue;
            }
            let shared: Vec<&str> = a
                .details
                .systems
                .iter()
                .filter(|s| b.details.systems.contains(s))
                .map(String::as_str)
                .collect();
            if !shared.is_empty() {
                out.push(
                    Problem::warning(where_(expansion, b), format!("{} overlaps {} on {}", label(b), label(a), shared.join(", ")))
                        .help("if both are meant, ignore this; otherwise move one, or merge them into one outage"),
                );
            }
        }
    }
}

/// Maintenance on a Norwegian public holiday (for schedules kept in
/// Norwegian time).
fn holidays(expansion: &Expansion, out: &mut Vec<Problem>) {
    if expansion.schedule.settings.zone != chrono_tz::Europe::Oslo {
        return;
    }
    for o in expansion
        .occurrences
        .iter()
        .filter(|o| o.kind == Kind::Maintenance)
    {
        let (day, _) = o.time.local_days();
        if let Some(name) = norwegian_holiday(day) {
            out.push(
                Problem::warning(
                    where_(expansion, o),
                    format!("{} falls on {name} ({day})", label(o)),
                )
                .help("move or skip it, with a reason, if nobody will be at work"),
            );
        }
    }
}

/// A tentative outage that has already ended should have been confirmed or
/// cancelled.
fn stale_tentative(expansion: &Expansion, now: DateTime<Utc>, out: &mut Vec<Problem>) {
    for o in &expansion.occurrences {
        if o.kind == Kind::Outage
            && o.details.status == Status::Tentative
            && o.time.instants(expansion.schedule.settings.zone).1 < now - Duration::days(1)
        {
            out.push(
                Problem::warning(
                    where_(expansion, o),
                    format!("{} ended in the past but is still `tentative`", label(o)),
                )
                .help("set `status: confirmed` if it happened, or `cancelled` if not"),
            );
        }
    }
}

/// The name of the Norwegian public holiday on `d`, if any.
pub fn norwegian_holiday(d: NaiveDate) -> Option<&'static str> {
    let fixed = match (d.month(), d.day()) {
        (1, 1) => Some("første nyttårsdag"),
        (5, 1) => Some("arbeidernes dag"),
        (5, 17) => Some("grunnlovsdag"),
        (12, 25) => Some("første juledag"),
        (12, 26) => Some("andre juledag"),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    let easter = easter_sunday(d.year())?;
    match (d - easter).num_days() {
        -3 => Some("skjærtorsdag"),
        -2 => Some("langfredag"),
        0 => Some("første påskedag"),
        1 => Some("andre påskedag"),
        39 => Some("Kristi himmelfartsdag"),
        49 => Some("første pinsedag"),
        50 => Some("andre pinsedag"),
        _ => None,
    }
}

/// Gregorian Easter Sunday (the anonymous algorithm).
fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn easter_and_the_holidays_that_follow_it() {
        assert_eq!(easter_sunday(2019), Some(date("2019-04-21")));
        assert_eq!(easter_sunday(2024), Some(date("2024-03-31")));
        assert_eq!(norwegian_holiday(date("2019-04-18")), Some("skjærtorsdag"));
        assert_eq!(
            norwegian_holiday(date("2019-05-30")),
            Some("Kristi himmelfartsdag")
        );
        assert_eq!(
            norwegian_holiday(date("2019-06-10")),
            Some("andre pinsedag")
        );
        assert_eq!(norwegian_holiday(date("2019-05-17")), Some("grunnlovsdag"));
        assert_eq!(norwegian_holiday(date("2019-04-17")), None);
    }
}
