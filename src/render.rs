//! Rendering of the expanded occurrences into iCalendar feeds: one per system
//! and `all.ics` with every event once. Decides the content and order of
//! every property; [`crate::ical`] makes the lines well formed.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};

use crate::expand::{Expansion, Kind, Occurrence, Time};
use crate::ical::Writer;
use crate::schedule::{ALL_FEED, Details, Status, System};

pub const PRODID: &str = concat!("-//nedetid//nedetid ", env!("CARGO_PKG_VERSION"), "//NO");

/// One rendered feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// `visma`, or `all` for the feed with everything.
    pub id: String,
    /// Shown to people.
    pub name: String,
    pub file_name: String,
    pub events: usize,
    pub content: String,
}

/// What a client needs to recognise an update: the revision counter and the
/// time of the last change of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    pub sequence: u32,
    pub stamp: DateTime<Utc>,
}

impl Default for Revision {
    fn default() -> Self {
        Self {
            sequence: 0,
            stamp: DateTime::UNIX_EPOCH,
        }
    }
}

/// Renders every feed: `all` first, then one per system in id order.
pub fn render_feeds(expansion: &Expansion, revisions: &BTreeMap<String, Revision>) -> Vec<Feed> {
    let schedule = expansion.schedule;
    let names: BTreeMap<&str, &str> = schedule
        .systems
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    let ctx = Context {
        expansion,
        revisions,
        names: &names,
    };
    let all: Vec<&Occurrence> = expansion.occurrences.iter().collect();
    let mut feeds = vec![ctx.feed(None, &all)];
    for system in &schedule.systems {
        let hits: Vec<&Occurrence> = expansion
            .occurrences
            .iter()
            .filter(|o| o.details.systems.contains(&system.id))
            .collect();
        feeds.push(ctx.feed(Some(system), &hits));
    }
    feeds
}

struct Context<'a> {
    expansion: &'a Expansion<'a>,
    revisions: &'a BTreeMap<String, Revision>,
    names: &'a BTreeMap<&'a str, &'a str>,
}

impl Context<'_> {
    fn feed(&self, system: Option<&System>, events: &[&Occurrence]) -> Feed {
        let settings = &self.expansion.schedule.settings;
        let (id, name) = match system {
            Some(s) => (
                s.id.as_str(),
                format!("{}: {}", settings.calendar_name, s.name),
            ),
            None => (
                ALL_FEED,
                format!("{}: alle systemer", settings.calendar_name),
            ),
        };
        let description = system
            .and_then(|s| s.description.clone())
            .or_else(|| settings.description.clone());
        let mut w = Writer::new();
        w.begin("VCALENDAR");
        w.raw("VERSION", &[], "2.0");
        w.raw("PRODID", &[], PRODID);
        w.raw("CALSCALE", &[], "GREGORIAN");
        w.raw("METHOD", &[], "PUBLISH");
        w.text("NAME", &[], &name);
        w.text("X-WR-CALNAME", &[], &name);
        if let Some(d) = &description {
            w.text("DESCRIPTION", &[], d);
            w.text("X-WR-CALDESC", &[], d);
        }
        w.text("X-WR-TIMEZONE", &[], settings.zone.name());
        w.raw(
            "REFRESH-INTERVAL",
            &[("VALUE", "DURATION")],
            &settings.refresh_interval,
        );
        w.raw("X-PUBLISHED-TTL", &[], &settings.refresh_interval);
        if let Some(base) = &settings.base_url {
            w.raw("SOURCE", &[("VALUE", "URI")], &format!("{base}{id}.ics"));
        }
        let years = events.iter().filter_map(|o| match o.time {
            Time::Timed {
                start_local,
                end_local,
                ..
            } => Some((start_local.year(), end_local.year())),
            Time::AllDay { .. } => None,
        });
        let (first, last) = years.fold(
            (None, None),
            |(lo, hi): (Option<i32>, Option<i32>), (s, e)| {
                (
                    Some(lo.map_or(s, |l| l.min(s))),
                    Some(hi.map_or(e, |h| h.max(e))),
                )
            },
        );
        if let (Some(first), Some(last)) = (first, last) {
            crate::tz::write_vtimezone(&mut w, settings.zone, first, last);
        }
        for o in events {
            let rev = self.revisions.get(&o.uid).copied().unwrap_or_default();
            event(&mut w, o, rev, self.expansion, self.names);
        }
        w.end("VCALENDAR");
        Feed {
            id: id.to_string(),
            name,
            file_name: format!("{id}.ics"),
            events: events.len(),
            content: w.finish(),
        }
    }
}

fn event(
    w: &mut Writer,
    o: &Occurrence,
    rev: Revision,
    expansion: &Expansion,
    names: &BTreeMap<&str, &str>,
) {
    let tzid = expansion.schedule.settings.zone.name();
    w.begin("VEVENT");
    w.raw("UID", &[], &o.uid);
    w.raw("DTSTAMP", &[], &utc_stamp(rev.stamp));
    w.raw("LAST-MODIFIED", &[], &utc_stamp(rev.stamp));
    w.raw("SEQUENCE", &[], &rev.sequence.to_string());
    match o.time {
        Time::Timed {
            start_local,
            end_local,
            ..
        } => {
            w.raw("DTSTART", &[("TZID", tzid)], &local_stamp(start_local));
            w.raw("DTEND", &[("TZID", tzid)], &local_stamp(end_local));
        }
        Time::AllDay { start, end } => {
            w.raw("DTSTART", &[("VALUE", "DATE")], &date_stamp(start));
            w.raw("DTEND", &[("VALUE", "DATE")], &date_stamp(end));
        }
    }
    w.text("SUMMARY", &[], &summary(o.details, names));
    w.text("DESCRIPTION", &[], &description(o, names));
    if let Some(location) = &o.details.location {
        w.text("LOCATION", &[], location);
    }
    let mut categories = vec![match o.kind {
        Kind::Outage => "Nedetid",
        Kind::Maintenance => "Vedlikehold",
    }];
    categories.extend(
        o.details
            .systems
            .iter()
            .map(|s| names.get(s.as_str()).copied().unwrap_or(s)),
    );
    w.text_list("CATEGORIES", &categories);
    w.raw("STATUS", &[], o.details.status.ical());
    w.raw("TRANSP", &[], "TRANSPARENT");
    w.raw("X-MICROSOFT-CDO-BUSYSTATUS", &[], "FREE");
    if let Some(link) = &o.details.link {
        w.raw("URL", &[("VALUE", "URI")], link);
    }
    w.end("VEVENT");
}

/// A fingerprint of every event's content (everything but its revision),
/// by UID, for change tracking.
pub fn event_hashes(expansion: &Expansion) -> BTreeMap<String, String> {
    let schedule = expansion.schedule;
    let names: BTreeMap<&str, &str> = schedule
        .systems
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    expansion
        .occurrences
        .iter()
        .map(|o| {
            let mut w = Writer::new();
            event(&mut w, o, Revision::default(), expansion, &names);
            (o.uid.clone(), crate::state::fingerprint(&w.finish()))
        })
        .collect()
}

/// Which systems, then what: "Visma Enterprise: Oppgradering til 2019.1".
pub fn summary(details: &Details, names: &BTreeMap<&str, &str>) -> String {
    let systems = systems_label(details, names);
    let prefix = match details.status {
        Status::Cancelled => "AVLYST: ",
        Status::Tentative | Status::Confirmed => "",
    };
    format!("{prefix}{systems}: {}", details.title)
}

/// "Alle systemer", or the names of the systems hit.
pub fn systems_label(details: &Details, names: &BTreeMap<&str, &str>) -> String {
    if details.all_systems {
        return "Alle systemer".to_string();
    }
    details
        .systems
        .iter()
        .map(|s| names.get(s.as_str()).copied().unwrap_or(s))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plain-text body: description, consequences, what still works, the
/// reason for an exception, the systems hit and the link.
pub fn description(o: &Occurrence, names: &BTreeMap<&str, &str>) -> String {
    let d = o.details;
    let mut parts: Vec<String> = Vec::new();
    if let Some(note) = &o.note {
        parts.push(note.clone());
    }
    if d.status == Status::Tentative {
        parts.push("Tidspunktet er foreløpig.".to_string());
    }
    if let Some(text) = &d.description {
        parts.push(text.clone());
    }
    let list = |heading: &str, items: &[String]| {
        let mut s = heading.to_string();
        for item in items {
            s.push_str("\n- ");
            s.push_str(item);
        }
        s
    };
    if !d.consequences.is_empty() {
        parts.push(list("Konsekvenser:", &d.consequences));
    }
    if !d.still_works.is_empty() {
        parts.push(list("Dette vil fungere:", &d.still_works));
    }
    let full_names: Vec<&str> = d
        .systems
        .iter()
        .map(|s| names.get(s.as_str()).copied().unwrap_or(s))
        .collect();
    parts.push(format!("Berørte systemer: {}", full_names.join(", ")));
    if let Some(link) = &d.link {
        parts.push(format!("Mer informasjon: {link}"));
    }
    parts.join("\n\n")
}

fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local_stamp(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn date_stamp(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}
