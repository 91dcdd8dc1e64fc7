//! Cancellations that say why: an outage removed from the schedules and an
//! occurrence skipped after they were published stay in the feeds as
//! cancelled until they have ended, so that subscribers (and those who
//! imported a feed once) learn of it. What was published comes from the
//! state file: its keys, and for outages the [`Published`] record.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset as _, Utc};

use crate::error::Location;
use crate::expand::{
    Cancellation, Expansion, Form, Kind, Occurrence, Time, outage_uid, series_uid, sorted,
};
use crate::schedule::{Details, Impacts, Outage, Schedule, Status, When};
use crate::state::{Manifest, Published};

/// Adds to `schedule`, as removed outages, every outage the last build
/// published that has not ended by `now` and is no longer in it. A record
/// that does not read back (a hand-edited state file) is left out.
pub fn restore_removed(schedule: &mut Schedule, previous: &Manifest, now: DateTime<Utc>) {
    let zone = schedule.settings.zone;
    let domain = schedule.settings.uid_domain.clone();
    let mut ids: std::collections::BTreeSet<&str> =
        schedule.outages.iter().map(|o| o.id.as_str()).collect();
    ids.extend(schedule.series.iter().map(|s| s.id.as_str()));
    let mut restored = Vec::new();
    // Worked out only when an outage is restored (seldom).
    let reacher = std::cell::OnceCell::new();
    for (key, state) in &previous.events {
        let Some(p) = &state.outage else { continue };
        if ids.contains(p.id.as_str()) || *key != outage_uid(&p.id, &domain) {
            continue;
        }
        let Some(when) = when_of(p, zone) else {
            continue;
        };
        let end = match when {
            When::Timed {
                end, end_offset, ..
            } => end_offset
                .and_then(|o| end.and_local_timezone(o).single())
                .map(|e| e.to_utc()),
            When::AllDay { last, .. } => last
                .succ_opt()
                .map(|d| crate::expand::local_midnight(zone, d)),
        };
        if end.is_none_or(|e| e <= now) {
            continue;
        }
        let all = p.systems.iter().any(|s| s == crate::schedule::ALL_FEED);
        let systems: Arc<[String]> = if all {
            schedule.systems.iter().map(|s| s.id.clone()).collect()
        } else {
            // Only the systems that still exist have feeds to show it in.
            p.systems
                .iter()
                .filter(|s| schedule.system_index(s).is_some())
                .cloned()
                .collect()
        };
        if systems.is_empty() && !all {
            continue;
        }
        restored.push(Outage {
            id: p.id.clone(),
            details: Details {
                title: p.title.clone(),
                description: None,
                consequences: Vec::new(),
                still_works: Vec::new(),
                impact: Impacts::default(),
                location: None,
                status: Status::Cancelled,
                link: None,
                reach: reacher.get_or_init(|| schedule.reacher()).of(&systems, all),
                systems,
                all_systems: all,
            },
            when,
            at: Location::default(),
            when_at: Location::default(),
            end_at: Location::default(),
            removed: true,
        });
    }
    schedule.outages.extend(restored);
    schedule.outages.sort_by(|a, b| a.id.cmp(&b.id));
}

/// When a recorded outage was, as local times in `zone` with their
/// offsets: read from the instants, so that it is the same event even when
/// the time zone of the settings has changed since.
fn when_of(p: &Published, zone: chrono_tz::Tz) -> Option<When> {
    if p.all_day {
        let first = p.start.parse::<NaiveDate>().ok()?;
        let last = p.end.parse::<NaiveDate>().ok()?;
        return (first <= last).then_some(When::AllDay { first, last });
    }
    let local = |text: &str| {
        let t = DateTime::<FixedOffset>::parse_from_rfc3339(text)
            .ok()?
            .with_timezone(&zone);
        Some((t.naive_local(), t.offset().fix()))
    };
    let ((start, start_offset), (end, end_offset)) = (local(&p.start)?, local(&p.end)?);
    (start < end).then_some(When::Timed {
        start,
        end,
        start_offset: Some(start_offset),
        end_offset: Some(end_offset),
    })
}

/// Adds a cancelled occurrence for every skipped date whose occurrence the
/// last build published and that has not ended by `now`. Only for series
/// published expanded: in RRULE form the skip is an EXDATE of the series,
/// which clients apply to the series they have.
pub fn cancel_skipped(expansion: &mut Expansion, previous: &Manifest, now: DateTime<Utc>) {
    let zone = expansion.schedule.settings.zone;
    let domain = &expansion.schedule.settings.uid_domain;
    let rrule: std::collections::BTreeSet<&str> = expansion
        .masters
        .iter()
        .map(|m| m.series.id.as_str())
        .collect();
    let mut added = Vec::new();
    for s in &expansion.skipped {
        let Some(time) = s.time else { continue };
        if rrule.contains(s.series.id.as_str()) || time.instants(zone).1 <= now {
            continue;
        }
        let uid = series_uid(&s.series.id, s.date, false, domain);
        if !previous.events.contains_key(&uid) {
            continue;
        }
        added.push(Occurrence {
            occurrence: uid.clone(),
            uid,
            source_id: &s.series.id,
            kind: Kind::Maintenance,
            details: &s.series.details,
            time,
            rule_date: Some(s.date),
            change: None,
            moved: false,
            form: Form::Single,
            cancellation: Some(Cancellation {
                reason: s.reason.clone(),
            }),
        });
    }
    if added.is_empty() {
        return;
    }
    expansion.occurrences.extend(added);
    expansion.occurrences = sorted(zone, std::mem::take(&mut expansion.occurrences));
}

/// Records in `manifest` what each outage that has not ended looks like,
/// for [`restore_removed`] in a later build.
pub fn record_outages(manifest: &mut Manifest, expansion: &Expansion, now: DateTime<Utc>) {
    let zone = expansion.schedule.settings.zone;
    for state in manifest.events.values_mut() {
        state.outage = None;
    }
    for o in &expansion.occurrences {
        if o.kind != Kind::Outage || o.time.instants(zone).1 <= now {
            continue;
        }
        let Some(state) = manifest.events.get_mut(&o.uid) else {
            continue;
        };
        let d = o.details;
        let (start, end, all_day) = match o.time {
            Time::Timed { start, end, .. } => {
                let local = |t: DateTime<Utc>| t.with_timezone(&zone).fixed_offset().to_rfc3339();
                (local(start), local(end), false)
            }
            Time::AllDay { start, end } => (
                start.to_string(),
                end.pred_opt().unwrap_or(end).to_string(),
                true,
            ),
        };
        state.outage = Some(Published {
            id: o.source_id.to_string(),
            title: d.title.clone(),
            systems: if d.all_systems {
                vec![crate::schedule::ALL_FEED.to_string()]
            } else {
                d.systems.to_vec()
            },
            start,
            end,
            all_day,
        });
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::pipeline::{expansion_over, keep_removed, load_memory, render};
    use crate::schedule::Recurrence;
    use crate::state::Manifest;

    const BEFORE: &str = "settings:\n  uid-domain: t.example\nsystems:\n  - id: visma\n    name: Visma\noutages:\n  - id: borte\n    title: Skal bort\n    systems: [visma]\n    start: 2026-12-12 16:00\n    end: 2026-12-12 18:00\nmaintenance:\n  - id: patch\n    title: Patching\n    systems: [visma]\n    rule: FREQ=WEEKLY;BYDAY=TU\n    from: 2026-12-01\n    until: 2026-12-31\n    start-time: \"18:00\"\n    end-time: \"20:00\"\n";

    /// `visma.ics` (unfolded) and the state a build at `now` over `previous`
    /// leaves.
    fn build(yaml: &str, previous: &Manifest, now: &str, form: Recurrence) -> (String, Manifest) {
        let files = [(PathBuf::from("t.yaml"), yaml.as_bytes().to_vec())];
        let mut checked = load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
        let now = crate::cli::parse_now(now).unwrap_or_else(|e| panic!("{e}"));
        keep_removed(&mut checked, previous, now);
        let expansion =
            expansion_over(&checked, previous, now, form).unwrap_or_else(|e| panic!("{e}"));
        let rendered = render(&expansion, previous, now);
        let feed = rendered
            .outputs
            .iter()
            .find(|o| o.name == "visma.ics")
            .and_then(|o| o.content.to_vec());
        let text = String::from_utf8(feed.unwrap_or_default()).unwrap_or_default();
        (crate::ical::unfold(&text), rendered.manifest)
    }

    fn event<'a>(ics: &'a str, uid: &str) -> Option<&'a str> {
        let start = ics.find(&format!("UID:{uid}@"))?;
        ics[start..].split("END:VEVENT").next()
    }

    #[test]
    fn removed_outages_and_skipped_dates_stay_cancelled_until_they_end() {
        let (first, state) = build(
            BEFORE,
            &Manifest::default(),
            "2026-12-01T08:00:00Z",
            Recurrence::Expand,
        );
        assert!(event(&first, "borte").is_some_and(|e| e.contains("STATUS:CONFIRMED")));
        assert!(state.events["borte@t.example"].outage.is_some());
        let after = BEFORE.replace("outages:\n  - id: borte\n    title: Skal bort\n    systems: [visma]\n    start: 2026-12-12 16:00\n    end: 2026-12-12 18:00\n", "")
            + "    skip:\n      - date: 2026-12-08\n        reason: Julebord\n";
        let (second, state2) = build(&after, &state, "2026-12-02T08:00:00Z", Recurrence::Expand);
        let removed = event(&second, "borte").expect("the removed outage is still in the feed");
        for line in [
            "STATUS:CANCELLED",
            "SEQUENCE:1",
            "SUMMARY:AVLYST: Visma: Skal bort",
            "DESCRIPTION:Avlyst.",
            "DTSTAMP:20261202T080000Z",
        ] {
            assert!(removed.contains(line), "{line}: {removed}");
        }
        let skipped =
            event(&second, "patch.20261208").expect("the skipped date is still in the feed");
        for line in [
            "STATUS:CANCELLED",
            "SEQUENCE:1",
            "SUMMARY:AVLYST: Visma: Patching",
            "DESCRIPTION:Avlyst: Julebord",
        ] {
            assert!(skipped.contains(line), "{line}: {skipped}");
        }
        // The same again: nothing changes.
        let (third, _) = build(&after, &state2, "2026-12-03T08:00:00Z", Recurrence::Expand);
        assert_eq!(second, third);
        // Once they have ended, they go.
        let (late, _) = build(&after, &state2, "2026-12-12T18:00:00Z", Recurrence::Expand);
        assert!(
            event(&late, "borte").is_none() && event(&late, "patch.20261208").is_none(),
            "{late}"
        );
        // A date skipped before it was ever published is simply not there.
        let (fresh, _) = build(
            &after,
            &Manifest::default(),
            "2026-12-02T08:00:00Z",
            Recurrence::Expand,
        );
        assert!(event(&fresh, "borte").is_none() && event(&fresh, "patch.20261208").is_none());
    }

    #[test]
    fn a_removed_outage_keeps_its_instants_when_the_time_zone_changes() {
        let (_, state) = build(
            BEFORE,
            &Manifest::default(),
            "2026-12-01T08:00:00Z",
            Recurrence::Expand,
        );
        let after = BEFORE
            .replace("outages:\n  - id: borte\n    title: Skal bort\n    systems: [visma]\n    start: 2026-12-12 16:00\n    end: 2026-12-12 18:00\n", "")
            .replace("settings:\n", "settings:\n  time-zone: America/New_York\n");
        let (ics, _) = build(&after, &state, "2026-12-02T08:00:00Z", Recurrence::Expand);
        let removed = event(&ics, "borte").expect("still there");
        // 16:00-18:00 in Oslo is 10:00-12:00 in New York.
        assert!(
            removed.contains("DTSTART;TZID=America/New_York:20261212T100000"),
            "{removed}"
        );
        assert!(
            removed.contains("DTEND;TZID=America/New_York:20261212T120000"),
            "{removed}"
        );
    }

    #[test]
    fn in_rrule_form_a_skip_is_an_exdate_of_the_series() {
        let (_, state) = build(
            BEFORE,
            &Manifest::default(),
            "2026-12-01T08:00:00Z",
            Recurrence::Expand,
        );
        let after = BEFORE.to_string() + "    skip:\n      - date: 2026-12-08\n";
        let (ics, _) = build(&after, &state, "2026-12-02T08:00:00Z", Recurrence::Rrule);
        assert!(
            ics.contains("EXDATE;TZID=Europe/Oslo:20261208T180000"),
            "{ics}"
        );
        assert!(event(&ics, "patch.20261208").is_none(), "{ics}");
    }
}
