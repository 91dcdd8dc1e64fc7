//! What the files of each bundle's and system's feed are made from: one
//! fingerprint of every input of its `.ics`, its `.atom` and its page. A
//! build keeps a published file whose fingerprint is the one recorded when
//! it was published, and which nobody has touched since
//! ([`crate::publish::Reuse`]), without rendering or reading it: an edit
//! costs about what it changes.
//!
//! The fingerprint covers nedetid's version, the settings, systems and
//! bundles; the feed; every occurrence the feed shows with all its fields,
//! its details, the view the feed has of it, its revision and, for a
//! repeating event, the series' master; the series the page describes, with
//! their dates and skipped dates (and the horizon, for open-ended ones); and
//! where `now` lies among the moments at which these files change by
//! themselves (an event starting or ending, coming within
//! [`crate::limits::NOW_AHEAD_DAYS`], leaving the retention window).
//! Feeds and the schedule are taken apart field by field here, occurrences
//! in [`crate::render::Prints::occurrence`], so a field added to them does
//! not compile until it is added to the print. The feed
//! with everything, the index, `feeds.json` and the state file depend on
//! every event: they are rendered on every build that is not a no-op.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::expand::{Expansion, Form, Master, Occurrence};
use crate::hash::FastMap;
use crate::hash::Print;
use crate::render::{Feed, FeedOf, Prints, revision};
use crate::schedule::{Extra, Move, Schedule, Series, Settings, Skip, SkipMonth};
use crate::state::Revisions;

/// Each feed's fingerprint, in the order of `feeds`; `None` for the feed
/// with everything.
pub fn of_feeds(
    expansion: &Expansion,
    feeds: &[Feed],
    prints: &Prints,
    revisions: &Revisions,
    now: DateTime<Utc>,
) -> Vec<Option<String>> {
    let Schedule {
        settings,
        systems,
        outages: _,
        series: _,
        bundles,
        dependants,
        needs,
    } = expansion.schedule;
    let mut common = Print::new();
    let _ = write!(
        common,
        "{}|{settings:?}|{systems:?}|{bundles:?}|{dependants:?}|{needs:?}|",
        env!("CARGO_PKG_VERSION")
    );
    let common = common.value();

    let masters: FastMap<&str, u64> = expansion
        .masters
        .iter()
        .map(|m| (m.series.id.as_str(), master_print(m)))
        .collect();
    let series_prints: FastMap<&str, u64> = expansion
        .schedule
        .series
        .iter()
        .map(|s| (s.id.as_str(), series_print(s)))
        .collect();

    let settings = &expansion.schedule.settings;
    let occurrences = crate::par::map(&expansion.occurrences, |o| {
        let master =
            (o.form != Form::Single).then(|| masters.get(o.source_id).copied().unwrap_or_default());
        let print = Print::of_hash(&(
            prints.occurrence(o),
            (revision(revisions, &o.key()), revision(revisions, &o.uid)),
            master,
        ));
        (print, moments(settings, o))
    });
    let skipped_prints: Vec<u64> = expansion
        .skipped
        .iter()
        .map(|s| Print::of_debug(&(s.date, &s.reason, &s.time)))
        .collect();
    let series_index = crate::page::SeriesIndex::new(expansion);
    crate::par::map(feeds, |feed| {
        let Feed {
            id,
            name,
            file_name,
            atom_name,
            page_name,
            events,
            of,
            occurrences: shown,
        } = feed;
        if *of == FeedOf::Everyone {
            return None;
        }
        let mut h = Print::new();
        h.update_u64(common);
        let _ = write!(
            h,
            "{id:?}|{name:?}|{file_name:?}|{atom_name:?}|{page_name:?}|{events:?}|{of:?}|"
        );
        let mut window = Window::default();
        let mut see = |i: usize, h: &mut Print| {
            let Some((print, moments)) = occurrences.get(i) else {
                return;
            };
            h.update_u64(*print);
            for m in moments.iter().flatten() {
                window.see(*m, now);
            }
        };
        for (i, v) in shown {
            see(*i, &mut h);
            h.update_u64(prints.view(*v));
        }
        for s in crate::page::series_shown(expansion, feed, &series_index) {
            let _ = write!(h, "series {:?}|", s.id);
            h.update_u64(
                series_prints
                    .get(s.id.as_str())
                    .copied()
                    .unwrap_or_default(),
            );
            if let Some(entries) = series_index.entries(s.id.as_str()) {
                for i in &entries.dates {
                    see(*i, &mut h);
                }
                for i in &entries.skipped {
                    h.update_u64(skipped_prints.get(*i).copied().unwrap_or_default());
                }
            }
            if s.until.is_none() {
                let _ = write!(h, "{:?}|", expansion.horizon);
            }
        }
        let _ = write!(h, "{window:?}");
        Some(h.hex())
    })
}

/// The moments at which the files showing `o` change by themselves: its
/// start and end, a week before the start (the page lists it for "Pågår
/// nå"), and the end plus the retention (it is dropped).
pub fn moments(settings: &Settings, o: &Occurrence) -> [Option<DateTime<Utc>>; 4] {
    let (start, end) = o.time.instants(settings.zone);
    let ahead = chrono::Duration::days(crate::limits::NOW_AHEAD_DAYS);
    let keep = settings
        .retention_days
        .map(|d| chrono::Duration::days(i64::from(d)));
    [
        Some(start),
        Some(end),
        start.checked_sub_signed(ahead),
        keep.and_then(|k| end.checked_add_signed(k)),
    ]
}

/// Where `now` lies among moments: the last at or before it and the first
/// after it. Output that changes only at the moments seen is the same
/// throughout `from..until`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl Window {
    pub fn see(&mut self, moment: DateTime<Utc>, now: DateTime<Utc>) {
        if moment <= now {
            self.from = self.from.max(Some(moment));
        } else if self.until.is_none_or(|u| moment < u) {
            self.until = Some(moment);
        }
    }
}

/// A series' print without where it is written (its line moves with every
/// edit above it in the file, and the files change nothing).
fn series_print(series: &Series) -> u64 {
    let Series {
        id,
        details,
        rule_text,
        rule,
        week_start_written,
        from,
        until,
        window,
        recurrence,
        skips,
        skip_months,
        moves,
        extras,
        at: _,
        rule_at: _,
        window_at: _,
    } = series;
    let mut h = Print::new();
    let _ = write!(
        h,
        "{id:?}|{details:?}|{rule_text:?}|{rule:?}|{week_start_written:?}|{from:?}|{until:?}|{window:?}|{recurrence:?}|"
    );
    for Skip {
        date,
        reason,
        at: _,
    } in skips
    {
        let _ = write!(h, "skip {date:?} {reason:?}|");
    }
    for SkipMonth {
        month,
        reason,
        at: _,
    } in skip_months
    {
        let _ = write!(h, "skip month {month:?} {reason:?}|");
    }
    for Move {
        from,
        to,
        window,
        reason,
        at: _,
    } in moves
    {
        let _ = write!(h, "move {from:?} {to:?} {window:?} {reason:?}|");
    }
    for Extra {
        date,
        window,
        reason,
        at: _,
    } in extras
    {
        let _ = write!(h, "extra {date:?} {window:?} {reason:?}|");
    }
    h.value()
}

/// A repeating event's print: its series' ([`series_print`]) and the rule
/// it is published with.
fn master_print(master: &Master) -> u64 {
    let Master {
        series,
        uid,
        details,
        time,
        rrule,
        exdates,
    } = master;
    let mut h = Print::new();
    h.update_u64(series_print(series));
    let _ = write!(h, "{uid:?}|{details:?}|{time:?}|{rrule:?}|{exdates:?}");
    h.value()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use crate::pipeline::{expansion, load_memory, render};
    use crate::state::Manifest;

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        crate::cli::parse_now(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn default_files() -> Vec<(PathBuf, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir("schedules")
            .expect("the default schedules")
            .map(|e| {
                let path = e.expect("entry").path();
                let bytes = std::fs::read(&path).expect("read");
                (path, bytes)
            })
            .collect();
        files.sort();
        files
    }

    /// `files` with `from` replaced by `to` in the file named `name`.
    fn edited(
        files: &[(PathBuf, Vec<u8>)],
        name: &str,
        from: &str,
        to: &str,
    ) -> Vec<(PathBuf, Vec<u8>)> {
        files
            .iter()
            .map(|(path, bytes)| {
                if path.ends_with(name) {
                    let text = String::from_utf8(bytes.clone()).expect("utf-8");
                    assert!(text.contains(from), "{from:?} not in {name}");
                    (path.clone(), text.replacen(from, to, 1).into_bytes())
                } else {
                    (path.clone(), bytes.clone())
                }
            })
            .collect()
    }

    /// Every output with a fingerprint: name -> (fingerprint, bytes).
    type Made = BTreeMap<String, (String, Vec<u8>)>;

    fn build(files: &[(PathBuf, Vec<u8>)], previous: &Manifest, now: &str) -> (Made, Manifest) {
        let checked = load_memory(files).unwrap_or_else(|e| panic!("{e}"));
        let exp = expansion(&checked, at(now)).unwrap_or_else(|e| panic!("{e}"));
        let rendered = render(&exp, previous, at(now));
        let made = rendered
            .outputs
            .into_iter()
            .filter_map(|o| {
                let bytes = o.content.to_vec().expect("rendered in memory");
                Some((o.name, (o.source?, bytes)))
            })
            .collect();
        (made, rendered.manifest)
    }

    /// The soundness of keeping files: wherever a feed's fingerprint is the
    /// same after an edit or later, so are the bytes of its files. And the
    /// fingerprints are worth having: some stay, and what changes moves
    /// them.
    #[test]
    fn the_same_fingerprint_means_the_same_bytes() {
        let files = default_files();
        let first = "2019-10-01T08:00:00Z";
        let (before, state) = build(&files, &Manifest::default(), first);
        assert_eq!(
            before.len(),
            3 * 13,
            "12 systems and a bundle, 3 files each"
        );
        type Change = (
            &'static str,
            Vec<(PathBuf, Vec<u8>)>,
            &'static str,
            &'static [&'static str],
        );
        let changes: Vec<Change> = vec![
            (
                "nothing, an hour later",
                files.clone(),
                "2019-10-01T09:00:00Z",
                &[],
            ),
            (
                "a comment on top (every location moves)",
                edited(
                    &files,
                    "vedlikehold.yaml",
                    "# Monthly",
                    "# Ny kommentar\n# Monthly",
                ),
                first,
                &[],
            ),
            (
                "an outage's title",
                edited(
                    &files,
                    "nedetid-2019.yaml",
                    "versjon 2019.2\n",
                    "versjon 2019.2 (utsatt)\n",
                ),
                first,
                &["visma"],
            ),
            (
                "a series' rule",
                edited(
                    &files,
                    "vedlikehold.yaml",
                    "start-time: \"16:00\"",
                    "start-time: \"15:00\"",
                ),
                first,
                &["visma", "gat"],
            ),
            (
                "a system's name",
                edited(
                    &files,
                    "innstillinger.yaml",
                    "name: GAT",
                    "name: GAT og MinGat",
                ),
                first,
                &["visma", "gat", "e-post", "hjemmeside"],
            ),
            (
                "time passing over events",
                files.clone(),
                "2019-11-20T08:00:00Z",
                &["visma", "gat"],
            ),
        ];
        // Without the state, revisions do not tell an edit: the event's
        // own fields must.
        let title = edited(
            &files,
            "nedetid-2019.yaml",
            "versjon 2019.2\n",
            "versjon 2019.2 (utsatt)\n",
        );
        let (stateless, _) = build(&title, &Manifest::default(), first);
        let (fresh, _) = build(&files, &Manifest::default(), first);
        for (name, (print, bytes)) in &stateless {
            if *print == fresh[name].0 {
                assert!(
                    *bytes == fresh[name].1,
                    "{name} changed with the same fingerprint"
                );
            }
        }
        assert_ne!(stateless["visma.ics"].0, fresh["visma.ics"].0);
        for (what, changed, now, must_change) in changes {
            let (after, _) = build(&changed, &state, now);
            let mut same = 0;
            for (name, (print, bytes)) in &after {
                let Some((old_print, old_bytes)) = before.get(name) else {
                    continue;
                };
                if print == old_print {
                    same += 1;
                    assert!(
                        bytes == old_bytes,
                        "{what}: {name} changed with the same fingerprint"
                    );
                }
            }
            for id in must_change {
                let name = format!("{id}.ics");
                assert_ne!(
                    after[&name].0, before[&name].0,
                    "{what}: {name} kept its fingerprint"
                );
            }
            match must_change.len() {
                0 => assert_eq!(same, before.len(), "{what}: every fingerprint stays"),
                // An edit of one event: the feeds without it stay.
                1 => assert!(same >= 3 * 8, "{what}: {same} stay"),
                _ => {}
            }
        }
    }

    /// At a moment itself (a week before the start, the end plus the
    /// retention), the files already look as they do until the next one:
    /// a build at that instant and one a second later have the same
    /// fingerprint, so they must have the same bytes.
    #[test]
    fn at_a_moment_the_files_already_are_what_they_stay_until_the_next() {
        let yaml = "settings:\n  retention-days: 2\nsystems:\n  - id: s\n    name: S\noutages:\n  - id: o\n    title: O\n    systems: [s]\n    start: 2026-03-10 10:00\n    end: 2026-03-10 12:00\n  - id: d\n    title: D\n    systems: [s]\n    first-day: 2026-03-20\n    last-day: 2026-03-20\n";
        let files = vec![(PathBuf::from("t.yaml"), yaml.as_bytes().to_vec())];
        // 10:00 in Oslo is 09:00Z: a week before; the timed outage's end
        // plus 2 days; the all-day one's end (midnight after it) plus 2 days.
        for moment in [
            "2026-03-03T09:00:00Z",
            "2026-03-12T11:00:00Z",
            "2026-03-22T23:00:00Z",
        ] {
            let (at, state) = build(&files, &Manifest::default(), moment);
            let later = at_plus_a_second(moment);
            let (after, _) = build(&files, &state, &later);
            for (name, (print, bytes)) in &after {
                let (old_print, old_bytes) = &at[name];
                if print == old_print {
                    assert!(
                        bytes == old_bytes,
                        "{moment}: {name} changed with the same fingerprint"
                    );
                }
            }
        }
    }

    fn at_plus_a_second(t: &str) -> String {
        (at(t) + chrono::Duration::seconds(1)).to_rfc3339()
    }
}
