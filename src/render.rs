//! Rendering of the expanded occurrences into iCalendar feeds: one per system
//! and `all.ics` with every event once. Decides the content and order of
//! every property; [`crate::ical`] makes the lines well formed.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};

use crate::expand::{Expansion, Form, Kind, Occurrence, Time};
use crate::ical::Writer;
use crate::schedule::{ALL_FEED, Details, Status, System};
use crate::series::Master;

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
///
/// Each VEVENT is rendered once and copied into every feed that shows it;
/// events and feeds are rendered on all cores (the output does not depend
/// on how the work is split).
pub fn render_feeds(expansion: &Expansion, revisions: &BTreeMap<String, Revision>) -> Vec<Feed> {
    let schedule = expansion.schedule;
    let names = schedule.system_names();
    let texts: Vec<Option<String>> = crate::par::map(&expansion.occurrences, |o| {
        (o.form != Form::Covered).then(|| {
            let mut w = Writer::new();
            write_vevent(
                &mut w,
                &Vevent::occurrence(o),
                revision(revisions, &o.key()),
                expansion,
                &names,
            );
            w.finish()
        })
    });
    let masters: BTreeMap<&str, String> = expansion
        .masters
        .iter()
        .map(|m| {
            let mut w = Writer::new();
            write_vevent(
                &mut w,
                &Vevent::master(m),
                revision(revisions, &m.uid),
                expansion,
                &names,
            );
            (m.series.id.as_str(), w.finish())
        })
        .collect();
    let mut by_system: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, o) in expansion.occurrences.iter().enumerate() {
        for s in &o.details.systems {
            by_system.entry(s.as_str()).or_default().push(i);
        }
    }
    let ctx = Context {
        expansion,
        texts: &texts,
        masters: &masters,
    };
    let all: Vec<usize> = (0..expansion.occurrences.len()).collect();
    let feeds: Vec<Option<&System>> = std::iter::once(None)
        .chain(schedule.systems.iter().map(Some))
        .collect();
    crate::par::map(&feeds, |system| {
        let hits = match system {
            Some(s) => by_system.get(s.id.as_str()).map_or(&[][..], Vec::as_slice),
            None => &all,
        };
        ctx.feed(*system, hits)
    })
}

fn revision(revisions: &BTreeMap<String, Revision>, key: &str) -> Revision {
    revisions.get(key).copied().unwrap_or_default()
}

struct Context<'a> {
    expansion: &'a Expansion<'a>,
    /// Each occurrence's VEVENT, by index; `None` when its master shows it.
    texts: &'a [Option<String>],
    /// Each RRULE series' master VEVENT, by series id.
    masters: &'a BTreeMap<&'a str, String>,
}

impl Context<'_> {
    fn feed(&self, system: Option<&System>, indexes: &[usize]) -> Feed {
        let events: Vec<&Occurrence> = indexes
            .iter()
            .map(|i| &self.expansion.occurrences[*i])
            .collect();
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
        let mut masters_written = Vec::new();
        for (o, i) in events.iter().zip(indexes) {
            if o.form != Form::Single && !masters_written.contains(&o.source_id) {
                masters_written.push(o.source_id);
                if let Some(text) = self.masters.get(o.source_id) {
                    w.append(text);
                }
            }
            if let Some(Some(text)) = self.texts.get(*i) {
                w.append(text);
            }
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

/// What one VEVENT says: an occurrence, or a series' master.
struct Vevent<'a> {
    uid: &'a str,
    kind: Kind,
    details: &'a Details,
    time: Time,
    note: Option<&'a str>,
    recurrence_id: Option<NaiveDateTime>,
    rrule: Option<&'a str>,
    exdates: &'a [NaiveDateTime],
}

impl<'a> Vevent<'a> {
    fn occurrence(o: &'a Occurrence) -> Self {
        Self {
            uid: &o.uid,
            kind: o.kind,
            details: o.details,
            time: o.time,
            note: o.note.as_deref(),
            recurrence_id: match o.form {
                Form::Override(rid) => Some(rid),
                Form::Single | Form::Covered => None,
            },
            rrule: None,
            exdates: &[],
        }
    }

    fn master(m: &'a Master) -> Self {
        Self {
            uid: &m.uid,
            kind: Kind::Maintenance,
            details: m.details,
            time: m.time,
            note: None,
            recurrence_id: None,
            rrule: Some(&m.rrule),
            exdates: &m.exdates,
        }
    }
}

fn write_vevent(
    w: &mut Writer,
    v: &Vevent,
    rev: Revision,
    expansion: &Expansion,
    names: &BTreeMap<&str, &str>,
) {
    let zone = expansion.schedule.settings.zone;
    let tzid = zone.name();
    let local = |w: &mut Writer, name: &str, t: NaiveDateTime| {
        w.raw(name, &[("TZID", tzid)], &local_stamp(t))
    };
    // A local time that happens twice means its first reading (RFC 5545
    // 3.3.5); the second one can only be written in UTC.
    let instant = |w: &mut Writer, name: &str, t: NaiveDateTime, utc: DateTime<Utc>| {
        use chrono::TimeZone as _;
        if zone
            .from_local_datetime(&t)
            .earliest()
            .is_some_and(|e| e == utc)
        {
            local(w, name, t);
        } else {
            w.raw(name, &[], &utc_stamp(utc));
        }
    };
    w.begin("VEVENT");
    w.raw("UID", &[], v.uid);
    w.raw("DTSTAMP", &[], &utc_stamp(rev.stamp));
    w.raw("LAST-MODIFIED", &[], &utc_stamp(rev.stamp));
    w.raw("SEQUENCE", &[], &rev.sequence.to_string());
    if let Some(rid) = v.recurrence_id {
        local(w, "RECURRENCE-ID", rid);
    }
    match v.time {
        Time::Timed {
            start,
            end,
            start_local,
            end_local,
        } => {
            instant(w, "DTSTART", start_local, start);
            instant(w, "DTEND", end_local, end);
        }
        Time::AllDay { start, end } => {
            w.raw("DTSTART", &[("VALUE", "DATE")], &date_stamp(start));
            w.raw("DTEND", &[("VALUE", "DATE")], &date_stamp(end));
        }
    }
    if let Some(rrule) = v.rrule {
        w.raw("RRULE", &[], rrule);
    }
    for exdate in v.exdates {
        local(w, "EXDATE", *exdate);
    }
    w.text("SUMMARY", &[], &summary(v.details, names));
    let text = description(v.details, v.note, names);
    w.text("DESCRIPTION", &[], &text);
    w.text(
        "X-ALT-DESC",
        &[("FMTTYPE", "text/html")],
        &html_description(v.details, v.note, names),
    );
    if let Some(location) = &v.details.location {
        w.text("LOCATION", &[], location);
    }
    let mut categories = vec![match v.kind {
        Kind::Outage => "Nedetid",
        Kind::Maintenance => "Vedlikehold",
    }];
    if v.details.all_systems {
        categories.push("Alle systemer");
    } else {
        categories.extend(system_names(v.details, names));
    }
    w.text_list("CATEGORIES", &categories);
    w.raw("STATUS", &[], v.details.status.ical());
    w.raw("TRANSP", &[], "TRANSPARENT");
    w.raw("X-MICROSOFT-CDO-BUSYSTATUS", &[], "FREE");
    if let Some(link) = &v.details.link {
        w.raw("URL", &[("VALUE", "URI")], link);
    }
    // Last: new Outlook drops LOCATION when a VALARM precedes it.
    if let Some(before) = &expansion.schedule.settings.reminder {
        w.begin("VALARM");
        w.raw("ACTION", &[], "DISPLAY");
        w.text("DESCRIPTION", &[], &summary(v.details, names));
        w.raw("TRIGGER", &[], &format!("-{before}"));
        w.end("VALARM");
    }
    w.end("VEVENT");
}

/// A fingerprint of every VEVENT's content (everything but its revision),
/// by key (UID, plus RECURRENCE-ID for overrides), for change tracking.
pub fn event_hashes(expansion: &Expansion) -> BTreeMap<String, String> {
    let schedule = expansion.schedule;
    let names = schedule.system_names();
    let hash = |v: &Vevent| {
        let mut w = Writer::new();
        write_vevent(&mut w, v, Revision::default(), expansion, &names);
        crate::state::fingerprint(&w.finish())
    };
    let masters = expansion
        .masters
        .iter()
        .map(|m| (m.uid.clone(), hash(&Vevent::master(m))));
    let singles = expansion
        .occurrences
        .iter()
        .filter(|o| o.form != Form::Covered)
        .map(|o| (o.key(), hash(&Vevent::occurrence(o))));
    masters.chain(singles).collect()
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
    system_names(details, names).collect::<Vec<_>>().join(", ")
}

/// The names of the systems hit, in id order.
fn system_names<'a>(
    details: &'a Details,
    names: &'a BTreeMap<&str, &str>,
) -> impl Iterator<Item = &'a str> {
    details
        .systems
        .iter()
        .map(|s| names.get(s.as_str()).copied().unwrap_or(s))
}

/// The plain-text body: description, consequences, what still works, the
/// reason for an exception, the systems hit and the link.
pub fn description(d: &Details, note: Option<&str>, names: &BTreeMap<&str, &str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(note) = note {
        parts.push(note.to_string());
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
    parts.push(format!("Berørte systemer: {}", systems_label(d, names)));
    if let Some(link) = &d.link {
        parts.push(format!("Mer informasjon: {link}"));
    }
    parts.join("\n\n")
}

/// The same content as [`description`] as HTML, for `X-ALT-DESC` (Outlook
/// shows it as rich text; its value is TEXT, escaped like DESCRIPTION).
pub fn html_description(d: &Details, note: Option<&str>, names: &BTreeMap<&str, &str>) -> String {
    let esc = crate::page::esc;
    let mut html = String::from("<html><body>");
    let para = |html: &mut String, text: &str| {
        html.push_str("<p>");
        html.push_str(&esc(text).replace('\n', "<br>"));
        html.push_str("</p>");
    };
    if let Some(note) = note {
        para(&mut html, note);
    }
    if d.status == Status::Tentative {
        para(&mut html, "Tidspunktet er foreløpig.");
    }
    if let Some(text) = &d.description {
        para(&mut html, text);
    }
    for (heading, items) in [
        ("Konsekvenser", &d.consequences),
        ("Dette vil fungere", &d.still_works),
    ] {
        if !items.is_empty() {
            html.push_str(&format!("<p><b>{heading}:</b></p><ul>"));
            for item in items.iter() {
                html.push_str(&format!("<li>{}</li>", esc(item)));
            }
            html.push_str("</ul>");
        }
    }
    para(
        &mut html,
        &format!("Berørte systemer: {}", systems_label(d, names)),
    );
    if let Some(link) = &d.link {
        html.push_str(&format!(
            "<p><a href=\"{0}\">Mer informasjon</a></p>",
            esc(link)
        ));
    }
    html.push_str("</body></html>");
    html
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
