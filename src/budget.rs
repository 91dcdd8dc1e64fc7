//! The output budget: how many events all feeds of a build hold together,
//! and about how many bytes they take, worked out from the expansion before
//! anything is rendered. A build over either limit stops with an error at
//! the outage or series that puts the most into the feeds, so that no input
//! can make a build allocate or publish without bound.

use crate::error::{Location, Problem};
use crate::expand::{Expansion, Form, too_many_feed_events};
use crate::hash::FastMap;
use crate::limits::{MAX_FEED_EVENTS, MAX_OUTPUT_BYTES};
use crate::schedule::Details;

/// The bytes of a VEVENT besides its text: UID, stamps, times, status,
/// transparency, the property names and the HTML around the text (the
/// national benchmark's feeds come to about this per event).
const EVENT_OVERHEAD: u64 = 1_000;

/// What one outage or series puts into the feeds.
#[derive(Default)]
struct Share {
    events: usize,
    bytes: u64,
}

/// The problems of a build over budget (none when within it).
pub fn check(expansion: &Expansion) -> Vec<Problem> {
    let mut shares: FastMap<&str, Share> = FastMap::default();
    for o in &expansion.occurrences {
        if o.form == Form::Covered {
            continue;
        }
        let feeds = o.details.reach.feeds;
        let share = shares.entry(o.source_id).or_default();
        share.events += feeds;
        share.bytes += event_bytes(o.details) * feeds as u64;
    }
    let events: usize = shares.values().map(|s| s.events).sum();
    let bytes: u64 = shares.values().map(|s| s.bytes).sum();
    let largest = |key: fn(&Share) -> u64| {
        shares
            .iter()
            .max_by_key(|(id, s)| (key(s), std::cmp::Reverse(**id)))
            .map(|(id, s)| (*id, key(s)))
    };
    let mut problems = Vec::new();
    if events > MAX_FEED_EVENTS
        && let Some((id, most)) = largest(|s| s.events as u64)
    {
        problems.push(too_many_feed_events(
            place(expansion, id),
            (events, true),
            id,
            most as usize,
        ));
    }
    if bytes > MAX_OUTPUT_BYTES
        && let Some((id, most)) = largest(|s| s.bytes)
    {
        problems.push(
            Problem::error(
                place(expansion, id),
                format!(
                    "the feeds would take about {} MB; the limit for one build is {} MB",
                    bytes / 1_000_000,
                    MAX_OUTPUT_BYTES / 1_000_000
                ),
            )
            .help(format!(
                "`{id}` alone takes about {} MB: shorten its text, set `until`, or list fewer systems",
                most / 1_000_000
            )),
        );
    }
    problems
}

/// About how many bytes one VEVENT of these details takes: its text twice
/// (DESCRIPTION and the HTML one), the systems it names, and the rest.
fn event_bytes(d: &Details) -> u64 {
    let text = d.title.len()
        + d.description.as_ref().map_or(0, String::len)
        + d.location.as_ref().map_or(0, String::len)
        + d.link.as_ref().map_or(0, String::len)
        + d.consequences.iter().map(|i| i.text.len()).sum::<usize>()
        + d.still_works.iter().map(|i| i.text.len()).sum::<usize>()
        + if d.all_systems {
            0
        } else {
            d.systems.iter().map(String::len).sum::<usize>()
        };
    2 * text as u64 + EVENT_OVERHEAD
}

/// Where an outage's or series' id is written.
fn place(expansion: &Expansion, id: &str) -> Location {
    let schedule = expansion.schedule;
    let outage = schedule.outages.iter().find(|o| o.id == id).map(|o| &o.at);
    let series = || schedule.series.iter().find(|s| s.id == id).map(|s| &s.at);
    outage.or_else(series).cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use crate::pipeline::{expansion, load_memory};

    /// A schedule of `systems` systems and one daily rule on all of them
    /// for `years` years, with a description of `text_len` characters.
    fn problems(systems: usize, years: u32, text_len: usize) -> Vec<String> {
        let mut yaml = String::from("systems:\n");
        for i in 0..systems {
            yaml.push_str(&format!("  - id: s{i}\n    name: S{i}\n"));
        }
        yaml.push_str(&format!(
            "maintenance:\n  - id: m\n    title: M\n    description: {}\n    systems: all\n    rule: FREQ=DAILY\n    from: 2020-01-01\n    until: {}-12-31\n    start-time: \"10:00\"\n    end-time: \"11:00\"\n",
            "x".repeat(text_len),
            2019 + years
        ));
        crate::pipeline::error_lines_of(&yaml)
    }

    #[test]
    fn a_build_within_budget_passes() {
        assert!(problems(10, 1, 20).is_empty());
    }

    #[test]
    fn too_many_events_in_all_feeds_are_refused_at_the_largest_source() {
        let p = problems(150, 13, 1);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("t.yaml:"), "{p:?}");
        assert!(
            p[0].contains(
                "the feeds would hold 717099 events in all; the limit for one build is 500000"
            ),
            "{p:?}"
        );
    }

    #[test]
    fn expansion_stops_at_the_series_that_goes_over() {
        let mut yaml = String::from("systems:\n");
        for i in 0..150 {
            yaml.push_str(&format!("  - id: s{i}\n    name: S{i}\n"));
        }
        yaml.push_str("maintenance:\n");
        for id in ["m1", "m2", "m3"] {
            yaml.push_str(&format!(
                "  - id: {id}\n    title: M\n    systems: all\n    rule: FREQ=DAILY\n    from: 2020-01-01\n    until: 2028-12-31\n    start-time: \"10:00\"\n    end-time: \"11:00\"\n"
            ));
        }
        let files = [(std::path::PathBuf::from("t.yaml"), yaml.into_bytes())];
        let checked = load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
        let error = expansion(&checked, DateTime::<Utc>::UNIX_EPOCH)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        // 3,288 days x 151 feeds each: the second series goes over.
        assert!(error.contains("`m2` alone puts 496488 in them"), "{error}");
        assert!(
            error.contains("would hold at least 992976 events"),
            "{error}"
        );
    }

    #[test]
    fn too_many_bytes_are_refused_before_rendering() {
        // Descriptions within the text limit, but 4,749 days x 21 feeds
        // of them (under the event limit) are over the byte budget.
        let p = problems(20, 13, 5_000);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p.iter().any(|l| l.contains("the feeds would take about")),
            "{p:?}"
        );
    }
}
