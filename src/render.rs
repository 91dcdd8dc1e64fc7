//! Rendering of the expanded occurrences into iCalendar feeds: one per system
//! and `all.ics` with every event once; the list of feeds and their file
//! names (`.ics`, `.atom`, `.html`), which the Atom feeds and the pages
//! share. Decides the content and order of
//! every property; [`crate::ical`] makes the lines well formed. Each VEVENT
//! is rendered once and shared, as pieces of text, by every feed showing it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use askama::Template;
use chrono::{DateTime, Datelike, NaiveDateTime, Utc};

use crate::cache::Piece;
use crate::expand::{Change, Expansion, Form, Kind, Master, Occurrence, Time};
use crate::hash::FastMap;
use crate::ical::Writer;
use crate::limits::MAX_YEAR;
use crate::schedule::{ALL_FEED, Details, Impact, Schedule, Status, SystemNames};
use crate::stamp;
use crate::state::{Revision, Revisions};
use crate::view::{Audience, View};
use crate::wording::Wording;

pub const PRODID: &str = concat!("-//nedetid//nedetid ", env!("CARGO_PKG_VERSION"), "//NO");

/// One feed: what the page and `feeds.json` say of it, and which
/// occurrences it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// `visma`, or `all` for the feed with everything.
    pub id: String,
    /// Shown to people.
    pub name: String,
    pub file_name: String,
    /// Its Atom feed of the same events.
    pub atom_name: String,
    /// The page that shows its events: `index.html` for `all` (which lists
    /// the systems), else [`page_file`].
    pub page_name: String,
    /// Occurrences shown.
    pub events: usize,
    pub of: FeedOf,
    /// Their indexes in the expansion, in order, each with the index of its
    /// [`View`] in [`Views`].
    pub(crate) occurrences: Vec<(usize, u32)>,
}

impl Feed {
    /// The bundle's or system's own name and description; `None` for
    /// the feed with everything.
    pub fn about<'s>(&self, schedule: &'s Schedule) -> Option<(&'s str, Option<&'s str>)> {
        match self.of {
            FeedOf::Bundle(n) => schedule
                .bundles
                .get(n)
                .map(|b| (b.name.as_str(), b.description.as_deref())),
            FeedOf::System(n) => schedule
                .systems
                .get(n)
                .map(|s| (s.name.as_str(), s.description.as_deref())),
            FeedOf::Everyone => None,
        }
    }

    /// What the feed is about, in a sentence: its bundle's or system's
    /// description, else the calendar's.
    pub fn description<'s>(&self, schedule: &'s Schedule) -> Option<&'s str> {
        let own = self.about(schedule).and_then(|(_, d)| d);
        own.or(schedule.settings.description.as_deref())
    }
}

/// Whose events a feed has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedOf {
    Everyone,
    /// By index in the schedule's bundles.
    Bundle(usize),
    /// By index in the schedule's systems.
    System(usize),
}

/// Every [`View`] some feed has of some event, each once.
#[derive(Debug, Default)]
pub struct Views {
    table: Vec<View>,
}

/// Every VEVENT of an expansion, each rendered once: the occurrences that
/// are their own VEVENT, and the master of each RRULE series.
pub struct Events<'e> {
    /// By occurrence index, one per view of it that a feed shows; empty
    /// when its series' master shows it.
    occurrences: Vec<Vec<(u32, Event)>>,
    /// Each RRULE series' master, by series id, one per view.
    masters: BTreeMap<&'e str, Vec<(u32, Event)>>,
}

/// One VEVENT's text in three pieces, shared by every feed that shows it:
/// the revision lines in the middle change without the rest.
struct Event {
    /// UID, plus RECURRENCE-ID for an override: the state file's key.
    key: String,
    /// The fingerprint of what it is rendered from ([`Prints`]): its key in
    /// the cache.
    print: u64,
    /// [`crate::state::fingerprint`] of the text with the zero revision.
    hash: std::sync::Arc<str>,
    /// `BEGIN:VEVENT` and `UID`.
    head: Piece,
    /// `DTSTAMP`, `LAST-MODIFIED` and `SEQUENCE`.
    revision: Piece,
    /// The rest, to `END:VEVENT`.
    body: Piece,
}

impl Event {
    fn pieces(&self) -> [&Piece; 3] {
        [&self.head, &self.revision, &self.body]
    }
}

impl Feed {
    /// The occurrences it shows, in order: each one's index in the
    /// expansion and the index of the view it shows of it ([`Views::get`]).
    pub fn occurrences(&self) -> &[(usize, u32)] {
        &self.occurrences
    }
}

impl Views {
    /// A view by its index in a feed's [`Feed::occurrences`].
    pub fn get(&self, view: u32) -> Option<&View> {
        self.table.get(view as usize)
    }

    /// Every view, by index.
    pub fn all(&self) -> &[View] {
        &self.table
    }
}

impl<'e> Events<'e> {
    /// Renders every VEVENT (on all cores) in every view a feed has of it,
    /// with the zero revision; an event `cache` has, by the fingerprint of
    /// what it is rendered from, is taken from there instead.
    pub fn render(
        expansion: &'e Expansion,
        feeds: &[Feed],
        views: &Views,
        prints: &Prints,
        cache: &crate::cache::Events,
    ) -> Self {
        let w = expansion.schedule.settings.wording();
        let names = expansion.schedule.system_names();
        // The views each occurrence is shown in (a series' master: those of
        // its occurrences).
        let mut wanted: Vec<Vec<u32>> = vec![Vec::new(); expansion.occurrences.len()];
        for feed in feeds {
            for &(i, v) in &feed.occurrences {
                if let Some(list) = wanted.get_mut(i)
                    && !list.contains(&v)
                {
                    list.push(v);
                }
            }
        }
        for list in &mut wanted {
            list.sort_unstable();
        }
        let work: Vec<(usize, &Occurrence, &Vec<u32>)> = expansion
            .occurrences
            .iter()
            .zip(&wanted)
            .enumerate()
            .filter(|(_, (o, _))| o.form != Form::Covered)
            .map(|(i, (o, list))| (i, o, list))
            .collect();
        let mut master_views: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (o, list) in expansion.occurrences.iter().zip(&wanted) {
            if o.form != Form::Single {
                let views = master_views.entry(o.source_id).or_default();
                for v in list {
                    if !views.contains(v) {
                        views.push(*v);
                    }
                }
            }
        }
        let masters: Vec<(&Master, Vec<u32>)> = expansion
            .masters
            .iter()
            .map(|m| {
                let mut list = master_views
                    .remove(m.series.id.as_str())
                    .unwrap_or_default();
                list.sort_unstable();
                (m, list)
            })
            .collect();
        // Each VEVENT's fingerprint in each of its views, then which of
        // them the cache has.
        let keyed = |v: &Vevent, list: &[u32]| -> Vec<(u32, u64)> {
            let print = prints.vevent(v);
            list.iter()
                .map(|view| (*view, prints.key(print, *view)))
                .collect()
        };
        let occurrence_keys =
            crate::par::map(&work, |(_, o, list)| keyed(&Vevent::occurrence(o), list));
        let master_keys: Vec<Vec<(u32, u64)>> = masters
            .iter()
            .map(|(m, list)| keyed(&Vevent::master(m), list))
            .collect();
        // The systems label once per details and view (a series'
        // occurrences share them), by address; only for what is rendered.
        let mut labels: FastMap<(usize, u32), String> = FastMap::default();
        let mut label_of = |d: &Details, keys: &[(u32, u64)]| {
            for (v, key) in keys {
                if cache.get(*key).is_none() {
                    labels
                        .entry((std::ptr::from_ref(d).addr(), *v))
                        .or_insert_with(|| label(w, d, &views.table[*v as usize], &names));
                }
            }
        };
        for ((_, o, _), keys) in work.iter().zip(&occurrence_keys) {
            label_of(o.details, keys);
        }
        for ((m, _), keys) in masters.iter().zip(&master_keys) {
            label_of(m.details, keys);
        }
        // What the zero revision looks like; the fingerprint covers it.
        let mut zero = String::new();
        push_revision(&mut zero, Revision::default());
        let zero_text = zero.clone();
        let zero = Piece::from(zero);
        let render = |key: String, v: &Vevent, (view, print): (u32, u64)| {
            if let Some(cached) = cache.get(print) {
                return Event {
                    key,
                    print,
                    hash: cached.hash.clone(),
                    head: cached.head.clone(),
                    revision: zero.clone(),
                    body: cached.body.clone(),
                };
            }
            let shown = &views.table[view as usize];
            let label = labels
                .get(&(std::ptr::from_ref(v.details).addr(), view))
                .map_or_else(|| label(w, v.details, shown, &names).into(), Cow::from);
            let mut head = Writer::with_capacity(128);
            let mut body = Writer::with_capacity(2048);
            let text = Text {
                w,
                view: shown,
                names: &names,
                label: &label,
            };
            write_vevent(&text, &mut head, &mut body, v, expansion);
            let (head, body) = (head.finish(), body.finish());
            let mut hash = crate::state::Fingerprint::new();
            for piece in [&head, &zero_text, &body] {
                hash.update(piece.as_bytes());
            }
            Event {
                key,
                print,
                hash: hash.hex().into(),
                head: Piece::from(head),
                revision: zero.clone(),
                body: Piece::from(body),
            }
        };
        let rendered = crate::par::map(
            &work.iter().zip(&occurrence_keys).collect::<Vec<_>>(),
            |((_, o, _), keys)| {
                let vevent = Vevent::occurrence(o);
                keys.iter()
                    .map(|k| (k.0, render(o.key().into_owned(), &vevent, *k)))
                    .collect::<Vec<_>>()
            },
        );
        // Back in the places of the expansion's occurrences (a covered one
        // has none: its series' master shows it).
        let mut occurrences: Vec<Vec<(u32, Event)>> = Vec::new();
        occurrences.resize_with(expansion.occurrences.len(), Vec::new);
        for ((i, _, _), events) in work.iter().zip(rendered) {
            if let Some(slot) = occurrences.get_mut(*i) {
                *slot = events;
            }
        }
        let masters = masters
            .iter()
            .zip(&master_keys)
            .map(|((m, _), keys)| {
                let vevent = Vevent::master(m);
                let events = keys
                    .iter()
                    .map(|k| (k.0, render(m.uid.clone(), &vevent, *k)))
                    .collect();
                (m.series.id.as_str(), events)
            })
            .collect();
        Self {
            occurrences,
            masters,
        }
    }

    /// Each VEVENT's views, together.
    fn all(&self) -> impl Iterator<Item = &[(u32, Event)]> {
        self.masters
            .values()
            .chain(self.occurrences.iter())
            .map(Vec::as_slice)
            .filter(|views| !views.is_empty())
    }

    /// Every VEVENT in every view by the fingerprint of what it is rendered
    /// from, for the cache of the next build.
    pub fn cache_entries(&self) -> Vec<(u64, crate::cache::Entry)> {
        self.all()
            .flatten()
            .map(|(_, e)| {
                let entry = crate::cache::Entry {
                    hash: e.hash.clone(),
                    head: e.head.clone(),
                    body: e.body.clone(),
                };
                (e.print, entry)
            })
            .collect()
    }

    /// A fingerprint of every VEVENT's content in every view (everything
    /// but its revision), in the order of the keys, for change tracking: a
    /// change a feed shows revises the event in every feed.
    pub fn hashes(&self) -> Vec<(&str, std::borrow::Cow<'_, str>)> {
        let mut all: Vec<(&str, std::borrow::Cow<'_, str>)> = self
            .all()
            .map(|views| {
                let key = views[0].1.key.as_str();
                if let [(_, only)] = views {
                    return (key, std::borrow::Cow::Borrowed(&*only.hash));
                }
                let mut hash = crate::state::Fingerprint::new();
                for (_, e) in views {
                    hash.update(e.hash.as_bytes());
                }
                (key, std::borrow::Cow::Owned(hash.hex()))
            })
            .collect();
        // By key, each once (the last, as a map would keep it).
        all.sort_by(|a, b| a.0.cmp(b.0));
        let mut unique: Vec<(&str, std::borrow::Cow<'_, str>)> = Vec::with_capacity(all.len());
        for (key, hash) in all {
            match unique.last_mut() {
                Some(last) if last.0 == key => last.1 = hash,
                _ => unique.push((key, hash)),
            }
        }
        unique
    }

    /// Sets each event's revision (SEQUENCE, DTSTAMP, LAST-MODIFIED); an
    /// event without one keeps the zero revision.
    pub fn revise(&mut self, revisions: &Revisions) {
        let events = self
            .masters
            .values_mut()
            .chain(self.occurrences.iter_mut())
            .flatten();
        // Most events share a revision (those of one build): its lines are
        // written once and shared.
        let mut texts: FastMap<Revision, Piece> = FastMap::default();
        for (_, event) in events {
            let rev = revision(revisions, &event.key);
            event.revision = texts
                .entry(rev)
                .or_insert_with(|| {
                    let mut lines = String::with_capacity(80);
                    push_revision(&mut lines, rev);
                    Piece::from(lines)
                })
                .clone();
        }
    }

    fn occurrence(&self, i: usize, view: u32) -> Option<&Event> {
        let views = self.occurrences.get(i)?;
        views.iter().find(|(v, _)| *v == view).map(|(_, e)| e)
    }

    fn master(&self, series: &str, view: u32) -> Option<&Event> {
        let views = self.masters.get(series)?;
        views.iter().find(|(v, _)| *v == view).map(|(_, e)| e)
    }
}

/// The page of the system or bundle with this id, beside its feeds.
pub fn page_file(id: &str) -> String {
    format!("{id}.html")
}

/// The feeds, `all` first, then one per bundle and one per system, each in
/// id order; with the views they have of their events.
pub fn feed_list(expansion: &Expansion) -> (Vec<Feed>, Views) {
    let schedule = expansion.schedule;
    let settings = &schedule.settings;
    let w = settings.wording();
    let mut feeds: Vec<Feed> = Vec::new();
    let calendar = settings.calendar_name(w);
    let feed = |id: &str, name: String, of| Feed {
        id: id.to_string(),
        name,
        file_name: format!("{id}.ics"),
        atom_name: format!("{id}.atom"),
        page_name: match of {
            FeedOf::Everyone => crate::state::PAGE.to_string(),
            FeedOf::Bundle(_) | FeedOf::System(_) => page_file(id),
        },
        events: 0,
        of,
        occurrences: Vec::new(),
    };
    feeds.push(feed(
        ALL_FEED,
        (w.feed_name)(calendar, w.all_feed),
        FeedOf::Everyone,
    ));
    for (n, b) in schedule.bundles.iter().enumerate() {
        feeds.push(feed(
            &b.id,
            (w.feed_name)(calendar, &b.name),
            FeedOf::Bundle(n),
        ));
    }
    let first_system = feeds.len();
    for (n, s) in schedule.systems.iter().enumerate() {
        feeds.push(feed(
            &s.id,
            (w.feed_name)(calendar, &s.name),
            FeedOf::System(n),
        ));
    }
    // The bundles holding each system.
    let mut bundles_of: Vec<Vec<usize>> = vec![Vec::new(); schedule.systems.len()];
    for (n, b) in schedule.bundles.iter().enumerate() {
        for s in &b.systems {
            if let Some(i) = schedule.system_index(s) {
                bundles_of[i].push(1 + n);
            }
        }
    }
    let audience = |f: &Feed| match f.of {
        FeedOf::Everyone => Audience::Everyone,
        FeedOf::Bundle(n) => Audience::Systems(&schedule.bundles[n].systems),
        FeedOf::System(n) => Audience::Systems(std::slice::from_ref(&schedule.systems[n].id)),
    };
    let mut views = Views::default();
    let mut index: FastMap<View, u32> = FastMap::default();
    // The feeds of each details and their views, worked out once.
    let mut cache: FastMap<usize, Vec<(usize, u32)>> = FastMap::default();
    for (i, o) in expansion.occurrences.iter().enumerate() {
        let d = o.details;
        let targets = cache
            .entry(std::ptr::from_ref(d).addr())
            .or_insert_with(|| {
                let mut targets: std::collections::BTreeSet<usize> = [0].into();
                for &n in d.reach.systems.iter() {
                    targets.insert(first_system + n);
                    targets.extend(bundles_of[n].iter().copied());
                }
                targets
                    .into_iter()
                    .filter_map(|f| {
                        let view = View::of(schedule, d, audience(&feeds[f]))?;
                        // Most views are one already seen: not copied then.
                        if let Some(v) = index.get(&view) {
                            return Some((f, *v));
                        }
                        let v = views.table.len() as u32;
                        index.insert(view.clone(), v);
                        views.table.push(view);
                        Some((f, v))
                    })
                    .collect()
            });
        for &(f, v) in targets.iter() {
            feeds[f].occurrences.push((i, v));
        }
    }
    for f in &mut feeds {
        f.events = f.occurrences.len();
    }
    (feeds, views)
}

/// The systems label of an event in a view: the systems hit, or the
/// dependency that brings it into the feed.
pub fn label(w: &Wording, d: &Details, view: &View, names: &SystemNames) -> String {
    if view.via.is_empty() {
        systems_label(w, d, names)
    } else {
        (w.via)(&names_of(&view.via, names))
    }
}

/// The names of systems given by id, joined.
fn names_of(ids: &[String], names: &SystemNames) -> String {
    let named: Vec<&str> = ids
        .iter()
        .map(|s| names.get(s.as_str()).copied().unwrap_or(s))
        .collect();
    named.join(", ")
}

/// The text of every feed in `feeds` as the pieces it is made of: its own
/// header and footer, and the VEVENT texts it shares with other feeds (put
/// together only as they are written out). On all cores; the output does
/// not depend on how the work is split.
///
/// `wanted` says, per feed, whether it is put together: a feed not wanted
/// is kept as published and gets `None`.
pub fn feed_pieces(
    expansion: &Expansion,
    feeds: &[Feed],
    events: &Events,
    wanted: &[bool],
) -> Vec<Option<Vec<Piece>>> {
    let occurrences = &expansion.occurrences;
    let wanted = |i: usize| wanted.get(i).copied().unwrap_or(true);
    // Feeds spanning the same years share one VTIMEZONE text.
    let spans: Vec<Option<(i32, i32)>> = feeds
        .iter()
        .enumerate()
        .map(|(i, f)| {
            wanted(i)
                .then(|| years(f.occurrences.iter().map(|(i, _)| &occurrences[*i])))
                .flatten()
        })
        .collect();
    let zone = expansion.schedule.settings.zone;
    let unique: std::collections::BTreeSet<(i32, i32)> = spans.iter().flatten().copied().collect();
    let timezones: BTreeMap<(i32, i32), Piece> = unique
        .into_iter()
        .map(|(first, last)| {
            let mut w = Writer::new();
            crate::tz::write_vtimezone(&mut w, zone, first, last);
            ((first, last), Piece::from(w.finish()))
        })
        .collect();
    let ctx = Context {
        expansion,
        events,
        timezones: &timezones,
    };
    let work: Vec<_> = feeds.iter().zip(spans).enumerate().collect();
    crate::par::map(&work, |(i, (feed, span))| {
        wanted(*i).then(|| ctx.feed(feed, *span))
    })
}

/// The first and last year of the timed events, which the VTIMEZONE covers;
/// `None` when all are all-day. The one local time past the last year a
/// schedule may have, an end at `24:00` on its last day, is in force with
/// that year's last observance: covering the year after, with no rules in
/// the tz data, would end the yearly rules with an `UNTIL`.
fn years<'a>(events: impl Iterator<Item = &'a Occurrence<'a>>) -> Option<(i32, i32)> {
    events
        .filter_map(|o| match o.time {
            Time::Timed {
                start_local,
                end_local,
                ..
            } => Some((start_local.year(), end_local.year().min(MAX_YEAR))),
            Time::AllDay { .. } => None,
        })
        .reduce(|(lo, hi), (s, e)| (lo.min(s), hi.max(e)))
}

pub fn revision(revisions: &Revisions, key: &str) -> Revision {
    revisions.get(key).copied().unwrap_or_default()
}

struct Context<'a> {
    expansion: &'a Expansion<'a>,
    events: &'a Events<'a>,
    /// VTIMEZONE texts by first and last year.
    timezones: &'a BTreeMap<(i32, i32), Piece>,
}

impl Context<'_> {
    fn feed(&self, feed: &Feed, span: Option<(i32, i32)>) -> Vec<Piece> {
        let occurrences = &self.expansion.occurrences;
        let schedule = self.expansion.schedule;
        let settings = &schedule.settings;
        let description = feed.description(schedule);
        let mut w = Writer::new();
        w.begin("VCALENDAR");
        w.raw("VERSION", &[], "2.0");
        w.raw("PRODID", &[], PRODID);
        w.raw("CALSCALE", &[], "GREGORIAN");
        w.raw("METHOD", &[], "PUBLISH");
        w.text("NAME", &[], &feed.name);
        w.text("X-WR-CALNAME", &[], &feed.name);
        if let Some(d) = description {
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
            w.raw(
                "SOURCE",
                &[("VALUE", "URI")],
                &format!("{base}{}", feed.file_name),
            );
        }
        let mut pieces: Vec<Piece> = Vec::with_capacity(3 * feed.occurrences.len() + 3);
        pieces.push(Piece::from(std::mem::take(&mut w).finish()));
        if let Some(timezone) = span.and_then(|s| self.timezones.get(&s)) {
            pieces.push(timezone.clone());
        }
        // A series' master comes before its first occurrence in this feed.
        let mut masters_written = Vec::new();
        for &(i, view) in &feed.occurrences {
            let o = &occurrences[i];
            if o.form != Form::Single && !masters_written.contains(&o.source_id) {
                masters_written.push(o.source_id);
                if let Some(master) = self.events.master(o.source_id, view) {
                    pieces.extend(master.pieces().map(Piece::clone));
                }
            }
            if let Some(event) = self.events.occurrence(i, view) {
                pieces.extend(event.pieces().map(Piece::clone));
            }
        }
        w.end("VCALENDAR");
        pieces.push(Piece::from(w.finish()));
        pieces
    }
}

/// Fingerprints of everything a VEVENT is rendered from: the version of
/// nedetid, the settings (words, zone, reminder), the systems' names, the
/// feed's view of it and every field of its [`Vevent`]; the keys of
/// [`crate::cache::Events`]. The details are printed once each (a series'
/// occurrences share theirs).
pub struct Prints {
    common: u64,
    views: Vec<u64>,
    details: FastMap<usize, u64>,
}

impl Prints {
    pub fn new(expansion: &Expansion, views: &Views) -> Self {
        use std::fmt::Write as _;
        let schedule = expansion.schedule;
        let mut common = crate::hash::Print::new();
        let _ = write!(
            common,
            "{}|{:?}|",
            env!("CARGO_PKG_VERSION"),
            schedule.settings
        );
        for s in &schedule.systems {
            let _ = write!(common, "{:?}|{:?}|", s.id, s.name);
        }
        let mut unique: Vec<&Details> = Vec::new();
        let mut seen = crate::hash::FastSet::default();
        let all = expansion.occurrences.iter().map(|o| o.details);
        for d in all.chain(expansion.masters.iter().map(|m| m.details)) {
            if seen.insert(std::ptr::from_ref(d).addr()) {
                unique.push(d);
            }
        }
        let prints = crate::par::map(&unique, crate::hash::Print::of_hash);
        Self {
            common: common.value(),
            views: views
                .table
                .iter()
                .map(crate::hash::Print::of_hash)
                .collect(),
            details: unique
                .iter()
                .map(|d| std::ptr::from_ref(*d).addr())
                .zip(prints)
                .collect(),
        }
    }

    /// The print every event's starts from: nedetid's version, the
    /// settings and the systems' names.
    pub fn common(&self) -> u64 {
        self.common
    }

    /// The print of an event, in any view.
    fn vevent(&self, v: &Vevent) -> u64 {
        let Vevent {
            uid,
            kind,
            details,
            status,
            cancellation,
            time,
            change,
            recurrence_id,
            rrule,
            exdates,
        } = v;
        crate::hash::Print::of_hash(&(
            self.common,
            (uid, kind, status, cancellation, time, change),
            (recurrence_id, rrule, exdates),
            self.details(details),
        ))
    }

    /// The print of an occurrence: every field of it, its details by
    /// their print (a field added to [`Occurrence`] does not compile until
    /// it is added here). Not its revision, nor its series' master.
    pub fn occurrence(&self, o: &Occurrence) -> u64 {
        let Occurrence {
            uid,
            occurrence,
            source_id,
            kind,
            details,
            time,
            rule_date,
            change,
            moved,
            form,
            cancellation,
        } = o;
        crate::hash::Print::of_hash(&(
            (uid, occurrence, source_id, kind, time, rule_date),
            (change, moved, form, cancellation),
            self.details(details),
        ))
    }

    /// The print of an event's details.
    pub fn details(&self, details: &Details) -> u64 {
        let address = std::ptr::from_ref(details).addr();
        self.details
            .get(&address)
            .copied()
            .unwrap_or_else(|| crate::hash::Print::of_hash(details))
    }

    /// The print of a view, by its index in [`Views`].
    pub fn view(&self, view: u32) -> u64 {
        self.views.get(view as usize).copied().unwrap_or_default()
    }

    /// The print of an event ([`Prints::vevent`]) in a view.
    fn key(&self, vevent: u64, view: u32) -> u64 {
        let mut h = crate::hash::Print::new();
        h.update_u64(vevent);
        h.update_u64(self.view(view));
        h.value()
    }
}

/// What one VEVENT says: an occurrence, or a series' master.
struct Vevent<'a> {
    uid: &'a str,
    kind: Kind,
    details: &'a Details,
    status: Status,
    cancellation: Option<&'a crate::expand::Cancellation>,
    time: Time,
    change: Option<Change<'a>>,
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
            status: o.status(),
            cancellation: o.cancellation.as_ref(),
            time: o.time,
            change: o.change,
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
            status: m.details.status,
            cancellation: None,
            time: m.time,
            change: None,
            recurrence_id: None,
            rrule: Some(&m.rrule),
            exdates: &m.exdates,
        }
    }
}

/// What a VEVENT's texts are made from: the words, the feed's view of the
/// event, the systems' names and the [`label`].
pub struct Text<'t> {
    pub w: &'t Wording,
    pub view: &'t View,
    pub names: &'t SystemNames<'t>,
    pub label: &'t str,
}

/// Writes a VEVENT without its revision lines: `BEGIN` and `UID` to
/// `head`, the rest to `w`.
fn write_vevent(text: &Text, head: &mut Writer, w: &mut Writer, v: &Vevent, expansion: &Expansion) {
    let wording = text.w;
    let zone = expansion.schedule.settings.zone;
    let tzid = zone.name();
    let local = |w: &mut Writer, name: &str, t: NaiveDateTime| {
        w.raw(name, &[("TZID", tzid)], &stamp::date_time(t, ""))
    };
    // Local time only where it names one instant. A local time that
    // happens twice means its first reading in RFC 5545 (3.3.5), but
    // ical.js (Thunderbird) and libical (Evolution) read the second: both
    // readings are written in UTC, which every engine reads alike; so is a
    // time that does not exist (the end of a day whose midnight is skipped).
    let instant = |w: &mut Writer, name: &str, t: NaiveDateTime, utc: DateTime<Utc>| {
        use chrono::TimeZone as _;
        if matches!(zone.from_local_datetime(&t), chrono::LocalResult::Single(e) if e == utc) {
            local(w, name, t);
        } else {
            w.raw(name, &[], &stamp::utc(utc, ""));
        }
    };
    head.begin("VEVENT");
    head.raw("UID", &[], v.uid);
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
            w.raw("DTSTART", &[("VALUE", "DATE")], &stamp::date(start, ""));
            w.raw("DTEND", &[("VALUE", "DATE")], &stamp::date(end, ""));
        }
    }
    if let Some(rrule) = v.rrule {
        w.raw("RRULE", &[], rrule);
    }
    for exdate in v.exdates {
        local(w, "EXDATE", *exdate);
    }
    let summary = summary_for(wording, v.status, &v.details.title, text.view, text.label);
    w.text("SUMMARY", &[], &summary);
    let note = note(wording, v.cancellation, v.change);
    w.text(
        "DESCRIPTION",
        &[],
        &description(text, v.details, note.as_deref()),
    );
    w.text(
        "X-ALT-DESC",
        &[("FMTTYPE", "text/html")],
        &html_description(text, v.details, note.as_deref()),
    );
    if let Some(location) = &v.details.location {
        w.text("LOCATION", &[], location);
    }
    let mut categories = vec![match v.kind {
        Kind::Outage => wording.outage_category,
        Kind::Maintenance => wording.maintenance_category,
    }];
    if v.details.all_systems {
        categories.push(wording.all_systems);
    } else {
        categories.extend(system_names(v.details, text.names));
    }
    categories.extend(impact_tag(wording, text.view.impact));
    w.text_list("CATEGORIES", &categories);
    w.raw("STATUS", &[], v.status.ical());
    w.raw("TRANSP", &[], "TRANSPARENT");
    w.raw("X-MICROSOFT-CDO-BUSYSTATUS", &[], "FREE");
    if let Some(link) = &v.details.link {
        w.raw("URL", &[("VALUE", "URI")], link);
    }
    // Last: new Outlook drops LOCATION when a VALARM precedes it.
    if let Some(before) = &expansion.schedule.settings.reminder {
        w.begin("VALARM");
        w.raw("ACTION", &[], "DISPLAY");
        w.text("DESCRIPTION", &[], &summary);
        w.raw("TRIGGER", &[], &format!("-{before}"));
        w.end("VALARM");
    }
    w.end("VEVENT");
}

/// DTSTAMP, LAST-MODIFIED and SEQUENCE: the lines that change when an event
/// is revised (plain ASCII, each shorter than a fold).
fn push_revision(out: &mut String, rev: Revision) {
    use std::fmt::Write as _;
    let at = stamp::utc(rev.stamp, "");
    let _ = write!(
        out,
        "DTSTAMP:{at}\r\nLAST-MODIFIED:{at}\r\nSEQUENCE:{}\r\n",
        rev.sequence
    );
}

/// Which systems, then what: "Visma Enterprise: Oppgradering til 2019.1",
/// as `view` sees it.
pub fn summary(w: &Wording, o: &Occurrence, view: &View, names: &SystemNames) -> String {
    let label = label(w, o.details, view, names);
    summary_for(w, o.status(), &o.details.title, view, &label)
}

/// [`summary`] given the [`label`].
fn summary_for(w: &Wording, status: Status, title: &str, view: &View, label: &str) -> String {
    let cancelled = status == Status::Cancelled;
    (w.summary)(cancelled, label, title, impact_tag(w, view.impact))
}

/// An impact level in `w`'s words.
pub fn impact_name(w: &Wording, impact: Impact) -> &'static str {
    match impact {
        Impact::AtRisk => w.impacts[0],
        Impact::Degraded => w.impacts[1],
        Impact::Down => w.impacts[2],
    }
}

/// The impact in `w`'s words where it is worth saying: below down.
pub fn impact_tag(w: &Wording, impact: Impact) -> Option<&'static str> {
    (impact != Impact::Down).then(|| impact_name(w, impact))
}

/// The lists `view` shows of `d` (consequences, what still works), each
/// with its heading, as lines: "GAT: Gat og MinGat vil være nede".
pub fn lists<'d>(
    w: &Wording,
    view: &View,
    names: &SystemNames,
    d: &'d Details,
) -> [(&'static str, Vec<Cow<'d, str>>); 2] {
    let lines = |items, which: &[usize]| -> Vec<Cow<'d, str>> {
        view.shown(items, which, names)
            .into_iter()
            .map(|(about, item)| match about {
                Some(about) => Cow::Owned(format!("{about}: {item}")),
                None => Cow::Borrowed(item),
            })
            .collect()
    };
    [
        (w.consequences, lines(&d.consequences, &view.consequences)),
        (w.still_works, lines(&d.still_works, &view.still_works)),
    ]
}

/// Why an event a feed has through a dependency is there.
fn via_note(text: &Text) -> Option<String> {
    if text.view.via.is_empty() {
        return None;
    }
    Some((text.w.via_note)(
        &names_of(&text.view.dependants, text.names),
        &names_of(&text.view.via, text.names),
    ))
}

/// "Alle systemer", or the names of the systems hit.
pub fn systems_label(w: &Wording, details: &Details, names: &SystemNames) -> String {
    if details.all_systems {
        return w.all_systems.to_string();
    }
    system_names(details, names).collect::<Vec<_>>().join(", ")
}

/// The names of the systems hit, in id order.
fn system_names<'a>(
    details: &'a Details,
    names: &'a SystemNames<'a>,
) -> impl Iterator<Item = &'a str> {
    details
        .systems
        .iter()
        .map(|s| names.get(s.as_str()).copied().unwrap_or(s))
}

/// The plain-text body: the note on a moved or extra occurrence, why a
/// feed has it through a dependency, description, consequences, what still
/// works, the systems hit and the link.
pub fn description(text: &Text, d: &Details, note: Option<&str>) -> String {
    let w = text.w;
    let mut parts: Vec<String> = Vec::new();
    parts.extend(note.map(str::to_string));
    parts.extend(via_note(text));
    if d.status == Status::Tentative {
        parts.push(w.tentative_note.to_string());
    }
    if let Some(text) = &d.description {
        parts.push(text.clone());
    }
    for (heading, items) in lists(text.w, text.view, text.names, d) {
        if !items.is_empty() {
            let mut s = format!("{heading}:");
            for item in items {
                s.push_str("\n- ");
                s.push_str(&item);
            }
            parts.push(s);
        }
    }
    parts.push(affected(text, d));
    if let Some(link) = &d.link {
        parts.push(format!("{}: {link}", w.more_information));
    }
    parts.join("\n\n")
}

/// "Berørte systemer: Internett, Visma (redusert drift)": the systems hit,
/// each with how badly when less than down.
fn affected(text: &Text, d: &Details) -> String {
    let w = text.w;
    let level = |i: Impact| format!(" ({})", impact_name(w, i).to_lowercase());
    let names = if d.impact.per_system.is_empty() || d.all_systems {
        let all = systems_label(w, d, text.names);
        match d.impact.default {
            Impact::Down => all,
            i => all + &level(i),
        }
    } else {
        let each: Vec<String> = d
            .systems
            .iter()
            .map(|s| {
                let name = text.names.get(s.as_str()).copied().unwrap_or(s);
                match d.impact.of(s) {
                    Impact::Down => name.to_string(),
                    i => format!("{name}{}", level(i)),
                }
            })
            .collect();
        each.join(", ")
    };
    format!("{}: {names}", w.affected_systems)
}

/// The same content as [`description`] as HTML, for `X-ALT-DESC` (Outlook
/// shows it as rich text; its value is TEXT, escaped like DESCRIPTION).
pub fn html_description(text: &Text, d: &Details, note: Option<&str>) -> String {
    let w = text.w;
    let affected = affected(text, d);
    let via = via_note(text);
    let lead = [
        note,
        via.as_deref(),
        (d.status == Status::Tentative).then_some(w.tentative_note),
        d.description.as_deref(),
    ];
    let html = AltDescription {
        w,
        lead: lead.into_iter().flatten().map(lines).collect(),
        lists: lists(text.w, text.view, text.names, d),
        affected: lines(&affected),
        link: d.link.as_deref(),
    };
    crate::html::render(&html)
}

/// `templates/alt-description.html`. Paragraphs come as their lines, which
/// the template joins with `<br>`.
#[derive(Template)]
#[template(path = "alt-description.html", config = "templates/askama.toml")]
struct AltDescription<'a> {
    w: &'a Wording,
    /// The note, the tentative status and the description.
    lead: Vec<Vec<&'a str>>,
    /// Consequences and what still works, each with its heading.
    lists: [(&'static str, Vec<Cow<'a, str>>); 2],
    affected: Vec<&'a str>,
    link: Option<&'a str>,
}

/// A paragraph's lines: split at every line feed, as the text has them.
fn lines(text: &str) -> Vec<&str> {
    text.split('\n').collect()
}

/// The first line of an occurrence's text: why it was cancelled after it
/// was published, or how it was moved or added.
pub fn note(
    w: &Wording,
    cancellation: Option<&crate::expand::Cancellation>,
    change: Option<Change>,
) -> Option<String> {
    match cancellation {
        Some(c) => Some((w.cancelled_note)(c.reason.as_deref())),
        None => change.map(|c| change_note(w, &c)),
    }
}

/// The note on a moved or extra occurrence, in `w`'s words.
pub fn change_note(w: &Wording, change: &Change) -> String {
    match *change {
        Change::Moved { from, reason } => (w.moved_note)(from, reason),
        Change::Extra { reason } => (w.extra_note)(reason),
    }
}

/// When an occurrence happens, in plain words (the Atom entries, the
/// index's list of systems): "fredag 29. november 2019 kl.
/// 15.30–24.00".
pub fn when_text(w: &Wording, time: &Time) -> String {
    match *time {
        Time::Timed {
            start_local,
            end_local,
            ..
        } => {
            let date = |d| (w.date)(d, true);
            let midnight_after = end_local.time() == chrono::NaiveTime::MIN
                && start_local.date().succ_opt() == Some(end_local.date());
            let start = (w.time)(start_local.time());
            if midnight_after || end_local.date() == start_local.date() {
                let end = if midnight_after {
                    w.end_of_day.to_string()
                } else {
                    (w.time)(end_local.time())
                };
                format!("{} {}{start}–{end}", date(start_local.date()), w.at_time)
            } else {
                format!(
                    "{} {}{start} – {} {}{}",
                    date(start_local.date()),
                    w.at_time,
                    date(end_local.date()),
                    w.at_time,
                    (w.time)(end_local.time())
                )
            }
        }
        Time::AllDay { start, end } => {
            let last = end.pred_opt().filter(|l| *l > start).unwrap_or(start);
            if last == start {
                (w.date)(start, true)
            } else {
                format!("{} – {}", (w.date)(start, true), (w.date)(last, true))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schedule::Recurrence;

    fn all_ics(yaml: &str, now: &str, recurrence: Recurrence) -> String {
        crate::pipeline::all_ics_of(yaml, now, recurrence)
    }
    #[test]
    fn both_readings_of_a_repeated_hour_are_written_in_utc() {
        // 02:00 to 03:00 happens twice in Oslo on 25 October 2026.
        let yaml = "systems:\n  - id: s\n    name: S\noutages:\n  - id: first\n    title: F\n    systems: [s]\n    start: 2026-10-25 02:30+02:00\n    end: 2026-10-25 03:30\n  - id: first-end\n    title: E\n    systems: [s]\n    start: 2026-10-25 01:30\n    end: 2026-10-25 02:45+02:00\n  - id: second\n    title: S\n    systems: [s]\n    start: 2026-10-25 02:30+01:00\n    end: 2026-10-25 04:00\n";
        for recurrence in [Recurrence::Expand, Recurrence::Rrule] {
            let ics = all_ics(yaml, "2026-01-01", recurrence);
            for (uid, lines) in [
                (
                    "first",
                    "DTSTART:20261025T003000Z\r\nDTEND;TZID=Europe/Oslo:20261025T033000\r\n",
                ),
                (
                    "first-end",
                    "DTSTART;TZID=Europe/Oslo:20261025T013000\r\nDTEND:20261025T004500Z\r\n",
                ),
                (
                    "second",
                    "DTSTART:20261025T013000Z\r\nDTEND;TZID=Europe/Oslo:20261025T040000\r\n",
                ),
            ] {
                let event = ics
                    .split("BEGIN:VEVENT\r\n")
                    .find(|v| v.starts_with(&format!("UID:{uid}@")))
                    .unwrap_or_else(|| panic!("no {uid} in {ics}"));
                assert!(event.contains(lines), "{uid}: {event}");
            }
        }
    }

    #[test]
    fn an_end_at_24_00_on_the_last_day_keeps_the_yearly_time_zone_rules() {
        // Ends at 2100-01-01 00:00, past the years the tz data has rules
        // for: the VTIMEZONE still covers 2099 only (no UNTIL).
        let yaml = "systems:\n  - id: s\n    name: S\noutages:\n  - id: o\n    title: O\n    systems: [s]\n    start: 2099-12-31 22:00\n    end: 2099-12-31 24:00\n";
        let ics = all_ics(yaml, "2099-01-01", Recurrence::Expand);
        assert!(!ics.contains("UNTIL"), "{ics}");
        assert!(
            ics.contains("DTSTART;TZID=Europe/Oslo:20991231T220000\r\nDTEND;TZID=Europe/Oslo:21000101T000000\r\n"),
            "{ics}"
        );
        assert!(
            ics.contains("DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"),
            "{ics}"
        );
    }
}
