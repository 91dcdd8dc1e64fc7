//! Warnings: schedules that are valid but probably not what was meant. They
//! are printed and pass, unless `check --deny-warnings`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use std::collections::BTreeMap;

use crate::error::{Location, Problem};
use crate::expand::{Expansion, Kind, Occurrence};
use crate::hash::FastMap;
use crate::schedule::Status;

/// Every warning for an expansion, as of `now`.
pub fn warnings(expansion: &Expansion, now: DateTime<Utc>) -> Vec<Problem> {
    let mut out = Vec::new();
    overlaps(expansion, &mut out);
    holidays(expansion, &mut out);
    stale_tentative(expansion, now, &mut out);
    out
}

fn label(o: &Occurrence) -> String {
    match o.rule_date {
        Some(d) => format!("`{}` on {d}", o.source_id),
        None => format!("`{}`", o.source_id),
    }
}

/// Most events a cluster warning names; the rest are counted.
const NAMED_IN_CLUSTER: usize = 5;

/// One warning per cluster of events that overlap on a system (events
/// chained by overlapping one another), naming the systems where the same
/// cluster occurs. Each system's events are swept once in start order, so
/// the cost stays n log n however many events share a day.
fn overlaps(expansion: &Expansion, out: &mut Vec<Problem>) {
    let zone = expansion.schedule.settings.zone;
    let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = expansion
        .occurrences
        .iter()
        .map(|o| o.time.instants(zone))
        .collect();
    // Per system, its events in the order of the expansion (by start);
    // the systems in order.
    let mut by_system: FastMap<&str, Vec<usize>> = FastMap::default();
    for (i, o) in expansion.occurrences.iter().enumerate() {
        if o.status() != Status::Cancelled {
            for system in o.details.systems.iter() {
                by_system.entry(system).or_default().push(i);
            }
        }
    }
    let mut by_system: Vec<(&str, Vec<usize>)> = by_system.into_iter().collect();
    by_system.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut clusters: BTreeMap<Vec<usize>, Vec<&str>> = BTreeMap::new();
    for (system, events) in &by_system {
        let system = *system;
        let mut cluster: Vec<usize> = Vec::new();
        let mut cluster_end = None;
        for &i in events {
            let (start, end) = spans[i];
            if cluster_end.is_some_and(|e| start < e) {
                cluster.push(i);
                cluster_end = cluster_end.max(Some(end));
                continue;
            }
            if cluster.len() > 1 {
                clusters
                    .entry(std::mem::take(&mut cluster))
                    .or_default()
                    .push(system);
            }
            cluster = vec![i];
            cluster_end = Some(end);
        }
        if cluster.len() > 1 {
            clusters.entry(cluster).or_default().push(system);
        }
    }
    let places = Places::new(expansion);
    for (members, systems) in clusters {
        let events: Vec<&Occurrence> = members.iter().map(|&i| &expansion.occurrences[i]).collect();
        if events.iter().all(|o| o.source_id == events[0].source_id) {
            continue;
        }
        let message = match events.as_slice() {
            [a, b] => format!(
                "{} overlaps {} on {}",
                label(b),
                label(a),
                systems.join(", ")
            ),
            _ => {
                let named: Vec<String> = events
                    .iter()
                    .take(NAMED_IN_CLUSTER)
                    .map(|o| label(o))
                    .collect();
                let more = match events.len().saturating_sub(NAMED_IN_CLUSTER) {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                format!(
                    "{} events overlap on {}: {}{more}",
                    events.len(),
                    systems.join(", "),
                    named.join(", ")
                )
            }
        };
        // Located at the first event that overlaps an earlier one.
        out.push(Problem::warning(places.of(events[1]), message).help(
            "if both are meant, ignore this; otherwise move one, or merge them into one outage",
        ));
    }
}

/// Where each outage's or series' time is written, by id.
struct Places<'e>(FastMap<&'e str, &'e Location>);

impl<'e> Places<'e> {
    fn new(expansion: &'e Expansion) -> Self {
        let schedule = expansion.schedule;
        let outages = schedule.outages.iter().map(|o| (o.id.as_str(), &o.when_at));
        let series = schedule
            .series
            .iter()
            .map(|s| (s.id.as_str(), &s.window_at));
        Self(outages.chain(series).collect())
    }

    fn of(&self, o: &Occurrence) -> Location {
        self.0
            .get(o.source_id)
            .map(|l| (*l).clone())
            .unwrap_or_default()
    }
}

/// Maintenance on a Norwegian public holiday (for schedules kept in
/// Norwegian time).
fn holidays(expansion: &Expansion, out: &mut Vec<Problem>) {
    if expansion.schedule.settings.zone != chrono_tz::Europe::Oslo {
        return;
    }
    let places = Places::new(expansion);
    for o in expansion
        .occurrences
        .iter()
        .filter(|o| o.kind == Kind::Maintenance)
    {
        let (day, _) = o.time.local_days();
        if let Some(name) = norwegian_holiday(day) {
            out.push(
                Problem::warning(
                    places.of(o),
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
    let places = Places::new(expansion);
    for o in &expansion.occurrences {
        if o.kind == Kind::Outage
            && o.status() == Status::Tentative
            && o.time.instants(expansion.schedule.settings.zone).1 < now - Duration::days(1)
        {
            out.push(
                Problem::warning(
                    places.of(o),
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

    /// The overlap warnings of outages given as (id, systems, start, end).
    fn overlap_warnings(outages: &[(&str, &str, &str, &str)]) -> Vec<String> {
        let mut yaml = String::from(
            "settings:\n  time-zone: UTC\nsystems:\n  - id: a\n    name: A\n  - id: b\n    name: B\noutages:\n",
        );
        for (id, systems, start, end) in outages {
            yaml.push_str(&format!(
                "  - id: {id}\n    title: T\n    systems: [{systems}]\n    start: 2026-06-01 {start}\n    end: 2026-06-01 {end}\n"
            ));
        }
        let files = [(std::path::PathBuf::from("t.yaml"), yaml.into_bytes())];
        let checked = crate::pipeline::load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let expansion = crate::pipeline::expansion(&checked, now).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        overlaps(&expansion, &mut out);
        out.into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn overlaps_are_one_warning_per_cluster_with_a_count() {
        // A pair on two systems: one warning naming both.
        assert_eq!(
            overlap_warnings(&[
                ("x", "a, b", "10:00", "12:00"),
                ("y", "a, b", "11:00", "13:00")
            ]),
            ["`y` overlaps `x` on a, b"]
        );
        // Touching is not overlapping.
        assert!(
            overlap_warnings(&[("x", "a", "10:00", "11:00"), ("y", "a", "11:00", "12:00")])
                .is_empty()
        );
        // A chain x-y-z (x and z apart) is one cluster; w alone is none.
        assert_eq!(
            overlap_warnings(&[
                ("x", "a", "10:00", "11:00"),
                ("y", "a", "10:30", "12:00"),
                ("z", "a", "11:30", "13:00"),
                ("w", "a", "14:00", "15:00"),
            ]),
            ["3 events overlap on a: `x`, `y`, `z`"]
        );
        // Many at once: one warning, five named, the rest counted.
        let many: Vec<(String, String)> = (0..40)
            .map(|i| (format!("e{i:02}"), format!("10:{i:02}")))
            .collect();
        let many: Vec<(&str, &str, &str, &str)> = many
            .iter()
            .map(|(id, start)| (id.as_str(), "b", start.as_str(), "12:00"))
            .collect();
        assert_eq!(
            overlap_warnings(&many),
            ["40 events overlap on b: `e00`, `e01`, `e02`, `e03`, `e04` and 35 more"]
        );
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
