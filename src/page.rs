//! The pages people open: `index.html` (when the data last changed, what
//! is down now, every bundle and system with its next event, how to
//! subscribe and the feed with everything) and one page per bundle and per
//! system (its feed, then its upcoming and past downtime and its
//! maintenance dates). Rendered from the same expansion as the feeds, in
//! the words of a [`Wording`].
//!
//! This module owns what the pages show and in which order; the HTML is in
//! `templates/page.html` (with `parts.html`, `page.css` and `page.js`),
//! compiled in by askama, which escapes every value (the escapers are in
//! [`crate::html`]).
//!
//! Static HTML5 files: no external assets, inline CSS, and a small inline
//! script that adds the "copy" buttons and the system filter and shows what
//! is down now by the reader's clock (the pages work without it, showing
//! what was down when they were built). No page lists every event, so that
//! none grows with systems times events. Pure: `now` comes in as a value
//! and is not printed, so that a rebuild on another day gives the same
//! bytes until an event starts, ends or comes within
//! [`crate::limits::NOW_AHEAD_DAYS`].

use std::borrow::Cow;

use askama::Template;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::expand::{Change, Expansion, Kind, Occurrence, Skipped, Time};
use crate::hash::FastMap;
use crate::html::render;
use crate::render::{Feed, FeedOf, systems_label};
use crate::schedule::{Details, Series, Status, SystemNames};
use crate::state::{PAGE, Revisions};
use crate::view::View;
use crate::wording::{Rich, Span, Wording};

/// One page to publish: its file name and its HTML.
pub struct PageFile {
    pub name: String,
    pub html: String,
}

/// Renders the pages from the same expansion as the feeds, in the
/// settings' language: `index.html` (what is down now, every system with
/// its next event, the feed with everything), then one page per system
/// feed ([`Feed::page_name`]) with that system's events in full and its
/// feed. No page holds every event, so that none grows with the number of
/// systems times their events.
///
/// When a page's data last changed is the latest revision of an event it
/// shows (of any, on the index), not the build's time, so that a rebuild
/// of the same data writes the same bytes, and a page changes only with
/// its own events. `wanted` says, per feed, whether its page is rendered
/// (the feed with everything's: the index): those not wanted are kept as
/// published.
pub fn render_pages(
    expansion: &Expansion,
    feeds: &[Feed],
    now: DateTime<Utc>,
    revisions: &Revisions,
    wanted: &[bool],
) -> Vec<PageFile> {
    let w = expansion.schedule.settings.wording();
    let names = expansion.schedule.system_names();
    let ctx = Ctx::new(w, expansion, &names, now);
    let wanted = feeds
        .iter()
        .zip(wanted.iter().chain(std::iter::repeat(&true)))
        .filter(|(_, wanted)| **wanted)
        .map(|(f, _)| f);
    let (everyone, systems): (Vec<&Feed>, Vec<&Feed>) =
        wanted.partition(|f| f.of == FeedOf::Everyone);
    let mut pages = Vec::new();
    if !everyone.is_empty() {
        let last_change = revisions.values().map(|r| r.stamp).max();
        pages.push(PageFile {
            name: PAGE.to_string(),
            html: render(&ctx.index(expansion, feeds, last_change)),
        });
    }
    pages.extend(crate::par::map(&systems, |feed| {
        let last_change = shown(expansion, feed)
            .filter_map(|o| revisions.get(o.key().as_ref()).map(|r| r.stamp))
            .max();
        PageFile {
            name: feed.page_name.clone(),
            html: render(&ctx.feed_page(expansion, feed, last_change)),
        }
    }));
    pages
}

/// The page of one feed, with every event it shows in full: what
/// [`render_pages`] writes for each system (and what the tests read for
/// the feed with everything).
#[cfg(test)]
fn feed_page_html(
    expansion: &Expansion,
    feed: &Feed,
    now: DateTime<Utc>,
    last_change: Option<DateTime<Utc>>,
) -> String {
    let w = expansion.schedule.settings.wording();
    let names = expansion.schedule.system_names();
    let ctx = Ctx::new(w, expansion, &names, now);
    render(&ctx.feed_page(expansion, feed, last_change))
}

impl<'a> Ctx<'a> {
    fn new(
        w: &'a Wording,
        expansion: &'a Expansion,
        names: &'a SystemNames<'a>,
        now: DateTime<Utc>,
    ) -> Self {
        Ctx {
            w,
            zone: expansion.schedule.settings.zone,
            names,
            now,
            series_index: SeriesIndex::new(expansion),
        }
    }

    /// What every page has: title, intro, the time of the last change, and
    /// "Pågår nå" of `occurrences`.
    fn frame<'o>(
        &self,
        expansion: &'a Expansion,
        title: String,
        description: Option<&'a str>,
        occurrences: impl Iterator<Item = &'o Occurrence<'a>>,
        on_index: bool,
        last_change: Option<DateTime<Utc>>,
    ) -> Page<'a>
    where
        'a: 'o,
    {
        let w = self.w;
        let settings = &expansion.schedule.settings;
        let now_items: Vec<NowItem> = occurrences
            .filter_map(|o| self.now_item(o, on_index))
            .collect();
        let updated = last_change.map(|t| UpdatedView {
            datetime: self.stamp(t),
            text: (w.date_time)(t.with_timezone(&self.zone).naive_local()),
        });
        let zone_note = (w.zone_note)(settings.zone.name());
        Page {
            w,
            title,
            description,
            home: None,
            intro: fill(
                w.intro,
                [
                    Bit::Text(Cow::Owned(zone_note.clone())),
                    Bit::to_id(w.ids.subscribe, w.subscribe),
                ],
            ),
            zone_note,
            updated,
            any_ongoing: now_items.iter().any(|n| n.ongoing),
            now_items,
            toc: Vec::new(),
            systems: Vec::new(),
            feed: None,
            details: false,
            upcoming: Vec::new(),
            past: Vec::new(),
            series_heading: None,
            past_hint: Vec::new(),
            series: Vec::new(),
            subscribe: None,
        }
    }

    /// `index.html`.
    fn index(
        &self,
        expansion: &'a Expansion,
        feeds: &'a [Feed],
        last_change: Option<DateTime<Utc>>,
    ) -> Page<'a> {
        let w = self.w;
        let schedule = expansion.schedule;
        let settings = &schedule.settings;
        let mut page = self.frame(
            expansion,
            (w.page_title)(settings.calendar_name(w)),
            settings.description.as_deref(),
            expansion.occurrences.iter(),
            true,
            last_change,
        );
        page.systems = feeds
            .iter()
            .filter(|f| f.of != FeedOf::Everyone)
            .map(|f| self.system_row(expansion, f))
            .collect();
        let mut toc = vec![(format!("#{}", w.ids.now), w.now_heading.to_string())];
        if !page.systems.is_empty() {
            toc.push((format!("#{}", w.ids.systems), w.systems_heading.to_string()));
        }
        toc.push((format!("#{}", w.ids.subscribe), w.subscribe.to_string()));
        page.toc = toc;
        page.subscribe = Some(subscribe(w, expansion, feeds));
        page
    }

    /// A system in the index: its page, its next event, its feeds.
    fn system_row(&self, expansion: &'a Expansion, feed: &'a Feed) -> SystemRow<'a> {
        let name = feed
            .about(expansion.schedule)
            .map_or(feed.name.as_str(), |(name, _)| name);
        let next = shown(expansion, feed)
            .find(|o| o.status() != Status::Cancelled && o.time.instants(self.zone).1 > self.now);
        let next = next.map(|o| NextView {
            title: o.details.title.as_str(),
            datetime: self.stamp(o.time.instants(self.zone).0),
            when: crate::render::when_text(self.w, &o.time),
            ongoing: self.ongoing(o),
            window: self.window(o),
        });
        // Beside the page: relative, short (the list has every system).
        SystemRow {
            page: &feed.page_name,
            name,
            count: (self.w.events)(feed.events),
            next,
            ics: &feed.file_name,
            atom: &feed.atom_name,
        }
    }

    /// The page of one feed: its events in full and how to subscribe to it.
    fn feed_page(
        &self,
        expansion: &'a Expansion,
        feed: &'a Feed,
        last_change: Option<DateTime<Utc>>,
    ) -> Page<'a> {
        let w = self.w;
        let schedule = expansion.schedule;
        let shown = || shown(expansion, feed);
        let mut page = self.frame(
            expansion,
            feed.name.clone(),
            feed.description(schedule),
            shown(),
            false,
            last_change,
        );
        page.home = Some(PAGE);
        page.details = true;
        for o in shown() {
            let (_, end) = o.time.instants(self.zone);
            if end > self.now {
                page.upcoming.push(match o.kind {
                    Kind::Outage => Upcoming::Outage(self.outage(o)),
                    Kind::Maintenance => Upcoming::Maintenance(self.maintenance_item(o)),
                });
            } else if o.kind == Kind::Outage {
                page.past.push(self.outage(o));
            }
        }
        // Occurrences come sorted by start, then UID: reversed, most recent first.
        page.past.reverse();
        let series = series_shown(expansion, feed, &self.series_index);
        page.series_heading = (!series.is_empty()).then(|| {
            let monthly = series
                .iter()
                .all(|s| s.rule_text.to_ascii_uppercase().contains("FREQ=MONTHLY"));
            if monthly {
                w.monthly_maintenance
            } else {
                w.regular_maintenance
            }
        });
        page.past_hint = page.series_heading.map_or_else(Vec::new, |heading| {
            fill(
                w.past_maintenance_hint,
                [Bit::to_id(w.ids.maintenance, heading)],
            )
        });
        page.series = series
            .into_iter()
            .map(|s| self.series(expansion, s))
            .collect();
        let mut toc = vec![
            (format!("#{}", w.ids.now), w.now_heading.to_string()),
            (format!("#{}", w.ids.subscribe), w.subscribe.to_string()),
            (
                format!("#{}", w.ids.upcoming),
                format!("{} ({})", w.upcoming, page.upcoming.len()),
            ),
            (
                format!("#{}", w.ids.past),
                format!("{} ({})", w.past, page.past.len()),
            ),
        ];
        if let Some(heading) = page.series_heading {
            toc.push((format!("#{}", w.ids.maintenance), heading.to_string()));
        }
        page.toc = toc;
        let own = feed
            .about(schedule)
            .and_then(|(_, description)| description);
        page.feed = Some(feed_block(w, expansion, feed, own, PAGE));
        page
    }
}

/// Where each series is in the schedule, which hit each system, and each
/// one's dates and skipped dates: found once per build, for every page's
/// [`series_shown`] and its maintenance section.
pub struct SeriesIndex<'a> {
    by_id: FastMap<&'a str, usize>,
    by_system: FastMap<&'a str, Vec<usize>>,
    entries: FastMap<&'a str, SeriesEntries>,
}

/// A series' dates (indexes in the expansion's occurrences) and skipped
/// dates (in its `skipped`), in order.
#[derive(Default)]
pub struct SeriesEntries {
    pub dates: Vec<usize>,
    pub skipped: Vec<usize>,
}

impl<'a> SeriesIndex<'a> {
    pub fn new(expansion: &Expansion<'a>) -> Self {
        let mut by_id = FastMap::default();
        let mut by_system: FastMap<&str, Vec<usize>> = FastMap::default();
        for (i, s) in expansion.schedule.series.iter().enumerate() {
            by_id.insert(s.id.as_str(), i);
            for system in s.details.systems.iter() {
                by_system.entry(system.as_str()).or_default().push(i);
            }
        }
        let mut entries: FastMap<&str, SeriesEntries> = FastMap::default();
        for (i, o) in expansion.occurrences.iter().enumerate() {
            if o.kind == Kind::Maintenance {
                entries.entry(o.source_id).or_default().dates.push(i);
            }
        }
        for (i, skipped) in expansion.skipped.iter().enumerate() {
            let id = skipped.series.id.as_str();
            entries.entry(id).or_default().skipped.push(i);
        }
        Self {
            by_id,
            by_system,
            entries,
        }
    }

    /// The dates and skipped dates of the series `id`.
    pub fn entries(&self, id: &str) -> Option<&SeriesEntries> {
        self.entries.get(id)
    }
}

/// The series a feed's page describes, in the schedule's order: those with
/// a date in the feed (a dependency's too), or hitting its systems (with no
/// date in the feed's years).
pub fn series_shown<'a>(
    expansion: &Expansion<'a>,
    feed: &Feed,
    index: &SeriesIndex,
) -> Vec<&'a Series> {
    let schedule = expansion.schedule;
    let all = &schedule.series;
    let mut found: Vec<usize> = shown(expansion, feed)
        .filter(|o| o.kind == Kind::Maintenance)
        .filter_map(|o| index.by_id.get(o.source_id).copied())
        .collect();
    let hitting = |id: &str| index.by_system.get(id).into_iter().flatten().copied();
    match feed.of {
        FeedOf::Everyone => found.extend(0..all.len()),
        FeedOf::Bundle(n) => {
            for id in schedule.bundles.get(n).into_iter().flat_map(|b| &b.systems) {
                found.extend(hitting(id));
            }
        }
        FeedOf::System(n) => {
            if let Some(system) = schedule.systems.get(n) {
                found.extend(hitting(&system.id));
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found.into_iter().filter_map(|i| all.get(i)).collect()
}

/// The occurrences a feed shows, in order.
fn shown<'e, 'a>(
    expansion: &'e Expansion<'a>,
    feed: &'e Feed,
) -> impl Iterator<Item = &'e Occurrence<'a>> {
    feed.occurrences()
        .iter()
        .filter_map(|(i, _)| expansion.occurrences.get(*i))
}

/// A page, as `templates/page.html` shows it: `index.html` (with
/// `systems` and `subscribe`) or a feed's page (with `feed` and the events
/// in full).
#[derive(Template)]
#[template(path = "page.html", config = "templates/askama.toml")]
struct Page<'a> {
    w: &'a Wording,
    title: String,
    description: Option<&'a str>,
    /// The index's address, on every other page.
    home: Option<&'a str>,
    intro: Vec<Bit<'a>>,
    zone_note: String,
    /// When the data last changed; `None` without events.
    updated: Option<UpdatedView>,
    /// What may be down now or soon, for the script to show when it is.
    now_items: Vec<NowItem<'a>>,
    /// Any of `now_items` happening at build time.
    any_ongoing: bool,
    /// The contents: link and text.
    toc: Vec<(String, String)>,
    /// The index: every system with its next event.
    systems: Vec<SystemRow<'a>>,
    /// A feed's page: its address and links, near the top.
    feed: Option<FeedBlock<'a>>,
    /// A feed's page: upcoming, past and the series.
    details: bool,
    /// Soonest first.
    upcoming: Vec<Upcoming<'a>>,
    /// Past outages, most recent first.
    past: Vec<Outage<'a>>,
    /// `None` without series.
    series_heading: Option<&'a str>,
    /// Where past maintenance dates are; empty without series.
    past_hint: Vec<Bit<'a>>,
    series: Vec<SeriesView<'a>>,
    /// The index: how to subscribe, and the feed with everything.
    subscribe: Option<Subscribe<'a>>,
}

/// A system in the index.
struct SystemRow<'a> {
    /// Its page.
    page: &'a str,
    name: &'a str,
    count: String,
    /// Its next event that is not cancelled.
    next: Option<NextView<'a>>,
    ics: &'a str,
    atom: &'a str,
}

/// Short: one `<time>` of the start, the times in words.
struct NextView<'a> {
    title: &'a str,
    datetime: String,
    when: String,
    ongoing: bool,
    /// For the script, as on the events themselves.
    window: Option<(String, String)>,
}

/// A piece of rich text: [`Rich`] from the wording with its slots filled.
enum Bit<'a> {
    Text(Cow<'a, str>),
    Strong(&'a str),
    Time(DateTag),
    /// `feed` is said, hidden, after the link's text: which feed it is for.
    Link {
        href: Cow<'a, str>,
        text: &'a str,
        feed: Option<&'a str>,
    },
}

impl<'a> Bit<'a> {
    /// A link to the element with this id on the page.
    fn to_id(id: &str, text: &'a str) -> Self {
        Bit::Link {
            href: Cow::Owned(format!("#{id}")),
            text,
            feed: None,
        }
    }
}

/// `rich` with its slots filled by `values`, in their order.
fn fill<'a, const N: usize>(rich: Rich, values: [Bit<'a>; N]) -> Vec<Bit<'a>> {
    let mut values = values.map(Some);
    rich.iter()
        .filter_map(|span| match *span {
            Span::Text(t) => Some(Bit::Text(Cow::Borrowed(t))),
            Span::Strong(t) => Some(Bit::Strong(t)),
            Span::Slot(n) => values.get_mut(n).and_then(Option::take),
        })
        .collect()
}

/// A date for a `<time>` element: the machine's form and the reader's.
struct DateTag {
    datetime: String,
    text: String,
}

impl DateTag {
    fn new(d: NaiveDate, text: String) -> Self {
        Self {
            datetime: crate::stamp::date(d, "-"),
            text,
        }
    }
}

/// When the data last changed.
struct UpdatedView {
    datetime: String,
    text: String,
}

/// An event under "Pågår nå": shown when it is happening at build time;
/// the page's script shows each one between its `start` and `end` (UTC,
/// RFC 3339) by the reader's clock.
struct NowItem<'a> {
    d: &'a Details,
    start: String,
    end: String,
    ongoing: bool,
    href: String,
    systems: String,
    when: When,
}

/// When something happens, as the `when` macro in `parts.html` shows it.
enum When {
    /// Two times on one day (the end may be midnight after it).
    Times {
        date: DateTag,
        start: Moment,
        end: Moment,
    },
    /// From a time on one day to a time on another.
    Span { start: Moment, end: Moment },
    /// All of one day.
    Day(DateTag),
    /// All of several days.
    Days {
        first: DateTag,
        last: DateTag,
        consecutive: bool,
    },
}

/// An instant: the global date and time, and the local date and time in
/// words.
struct Moment {
    datetime: String,
    date: String,
    time: String,
}

enum Upcoming<'a> {
    Outage(Outage<'a>),
    Maintenance(MaintenanceItem<'a>),
}

/// One outage in full: title, when, systems, place, status, text, lists.
struct Outage<'a> {
    d: &'a Details,
    anchor: String,
    status: Status,
    /// Happening now (and not cancelled).
    ongoing: bool,
    /// Within the days the page's script looks at: its start and end.
    window: Option<(String, String)>,
    when: When,
    systems: String,
    /// How badly, when less than down.
    impact: Option<&'static str>,
    paragraphs: Vec<Vec<String>>,
    lists: Lists,
    more: Option<More<'a>>,
}

impl Outage<'_> {
    fn cancelled(&self) -> bool {
        self.status == Status::Cancelled
    }
}

impl MaintenanceItem<'_> {
    fn cancelled(&self) -> bool {
        self.status == Status::Cancelled
    }
}

/// Consequences and what still works, each with its heading, as lines.
type Lists = [(&'static str, Vec<String>); 2];

/// One upcoming maintenance date, short: the series has the rest.
struct MaintenanceItem<'a> {
    d: &'a Details,
    status: Status,
    ongoing: bool,
    window: Option<(String, String)>,
    when: When,
    systems: String,
    impact: Option<&'static str>,
    /// Capitalised: it stands alone.
    change: Option<ChangeView<'a>>,
    series_anchor: String,
    all_dates: String,
}

/// How a date differs from its series' rule, in words.
struct ChangeView<'a> {
    bits: Vec<Bit<'a>>,
    reason: Option<&'a str>,
}

/// A series: what, which systems, the window, then the dates per year.
struct SeriesView<'a> {
    d: &'a Details,
    anchor: String,
    cancelled: bool,
    systems: String,
    window_start: String,
    window_end: String,
    period: Vec<Bit<'a>>,
    impact: Option<&'static str>,
    paragraphs: Vec<Vec<String>>,
    lists: Lists,
    years: Vec<Year<'a>>,
    more: Option<More<'a>>,
}

/// A series' dates and skipped dates or months in one year.
struct Year<'a> {
    heading: String,
    entries: Vec<Entry<'a>>,
}

enum Entry<'a> {
    Date {
        when: When,
        next: bool,
        change: Option<ChangeView<'a>>,
    },
    SkipDate {
        date: DateTag,
        reason: Option<&'a str>,
    },
    SkipMonth {
        /// `2019-07`.
        datetime: String,
        name: String,
        reason: Option<&'a str>,
    },
}

/// The schedule's link for more information, and what it is about.
struct More<'a> {
    href: &'a str,
    about: String,
}

/// The subscribe section: how-to, then the feed with everything, then one
/// per system.
struct Subscribe<'a> {
    refresh_note: Vec<Bit<'a>>,
    howto: Vec<Vec<Bit<'a>>>,
    howto_google: Vec<Bit<'a>>,
    download_warning: Vec<Bit<'a>>,
    /// The feed with everything (there is one).
    all: Vec<FeedBlock<'a>>,
}

/// The address with its copy button and the links for one feed.
struct FeedBlock<'a> {
    /// For `id` attributes.
    id: String,
    name: &'a str,
    description: Option<&'a str>,
    events: String,
    /// The absolute address, else the file name.
    address: String,
    relative: bool,
    address_for: String,
    copy_for: String,
    links: Option<Links<'a>>,
    file: &'a str,
    download: String,
    /// The Atom feed of the same events: its address, absolute when it can be.
    atom: String,
}

/// The links that add a feed to a calendar, with an absolute address.
struct Links<'a> {
    outlook_work: String,
    outlook_personal: String,
    webcal: Option<String>,
    google: Vec<Bit<'a>>,
}

struct Ctx<'a> {
    w: &'a Wording,
    zone: Tz,
    names: &'a SystemNames<'a>,
    now: DateTime<Utc>,
    series_index: SeriesIndex<'a>,
}

impl<'a> Ctx<'a> {
    fn outage(&self, o: &Occurrence<'a>) -> Outage<'a> {
        let d = o.details;
        let (impact, lists) = self.everything(d);
        Outage {
            d,
            anchor: anchor(o.source_id),
            status: o.status(),
            ongoing: self.ongoing(o),
            window: self.window(o),
            when: self.when(&o.time, true),
            systems: systems_label(self.w, d, self.names),
            impact,
            paragraphs: paragraphs(d),
            lists,
            more: self.more(d),
        }
    }

    fn maintenance_item(&self, o: &Occurrence<'a>) -> MaintenanceItem<'a> {
        let d = o.details;
        MaintenanceItem {
            d,
            status: o.status(),
            ongoing: self.ongoing(o),
            window: self.window(o),
            when: self.when(&o.time, true),
            systems: systems_label(self.w, d, self.names),
            impact: crate::render::impact_tag(
                self.w,
                d.impact.worst(d.systems.iter().map(String::as_str)),
            ),
            change: self.change(o).map(|mut c| {
                if let Some(Bit::Text(first)) = c.bits.first_mut() {
                    *first = Cow::Owned(capitalise(first));
                }
                c
            }),
            series_anchor: anchor(o.source_id),
            all_dates: (self.w.all_dates_for)(&d.title),
        }
    }

    /// An event for "Pågår nå": not cancelled, not ended, and starting
    /// within [`crate::limits::NOW_AHEAD_DAYS`].
    /// On the index, the link goes to the page of its first system, which
    /// has it in full.
    fn now_item(&self, o: &Occurrence<'a>, on_index: bool) -> Option<NowItem<'a>> {
        let (start, end) = self.window(o)?;
        let page = match o.details.systems.first() {
            Some(first) if on_index => crate::render::page_file(first),
            _ => String::new(),
        };
        let href = match o.kind {
            Kind::Outage => format!("{page}#{}{}", self.w.ids.outage, anchor(o.source_id)),
            Kind::Maintenance => format!("{page}#{}{}", self.w.ids.series, anchor(o.source_id)),
        };
        Some(NowItem {
            d: o.details,
            start,
            end,
            ongoing: self.ongoing(o),
            href,
            systems: systems_label(self.w, o.details, self.names),
            when: self.when(&o.time, true),
        })
    }

    /// The impact tag of `d`, and every consequence and still-works item,
    /// named by system where they are about some.
    fn everything(&self, d: &Details) -> (Option<&'static str>, Lists) {
        let view = View::everyone(d);
        let lists = crate::render::lists(self.w, &view, self.names, d)
            .map(|(heading, items)| (heading, items.into_iter().map(String::from).collect()));
        (crate::render::impact_tag(self.w, view.impact), lists)
    }

    /// Start and end (UTC, RFC 3339) of an event the page's script shows
    /// when it is under way: not cancelled, not ended, and starting within
    /// [`crate::limits::NOW_AHEAD_DAYS`].
    fn window(&self, o: &Occurrence) -> Option<(String, String)> {
        let (start, end) = o.time.instants(self.zone);
        let ahead = chrono::Duration::days(crate::limits::NOW_AHEAD_DAYS);
        let soon = self.now.checked_add_signed(ahead).unwrap_or(self.now);
        // Listed from the moment a week before the start, inclusive: the
        // moments at which the output changes are closed on the left.
        if o.status() == Status::Cancelled || end <= self.now || start > soon {
            return None;
        }
        Some((crate::stamp::utc(start, "-"), crate::stamp::utc(end, "-")))
    }

    /// Happening now, and not cancelled.
    fn ongoing(&self, o: &Occurrence) -> bool {
        let (start, end) = o.time.instants(self.zone);
        start <= self.now && self.now < end && o.status() != Status::Cancelled
    }

    /// A series with its dates and skipped dates or months, by year.
    fn series(&self, expansion: &'a Expansion, series: &'a Series) -> SeriesView<'a> {
        let horizon = expansion.horizon;
        let w = self.w;
        let d = &series.details;
        let window = series.window;
        let window_end = if window.end_next_day && window.end == NaiveTime::MIN {
            w.end_of_day.to_string()
        } else {
            (w.time)(window.end)
        };
        let period = match series.until {
            Some(u) => fill(
                w.period,
                [
                    Bit::Time(DateTag::new(
                        series.from,
                        (w.day_month)(series.from, series.from.year() != u.year()),
                    )),
                    Bit::Time(DateTag::new(u, (w.day_month)(u, true))),
                ],
            ),
            None => fill(
                w.open_period,
                [
                    Bit::Time(DateTag::new(series.from, (w.day_month)(series.from, true))),
                    Bit::Time(DateTag::new(horizon, (w.day_month)(horizon, true))),
                ],
            ),
        };

        // Dates and skipped dates, merged and grouped by year.
        let mut entries: Vec<(NaiveDate, Entry)> = Vec::new();
        let found = self.series_index.entries(series.id.as_str());
        let dates: Vec<&Occurrence> = found
            .into_iter()
            .flat_map(|f| &f.dates)
            .filter_map(|i| expansion.occurrences.get(*i))
            .collect();
        let skipped: Vec<&Skipped> = found
            .into_iter()
            .flat_map(|f| &f.skipped)
            .filter_map(|i| expansion.skipped.get(*i))
            .collect();
        let next = dates
            .iter()
            .find(|o| o.time.instants(self.zone).1 > self.now)
            .map(|o| o.uid.as_str());
        for o in dates {
            let entry = Entry::Date {
                when: self.when(&o.time, false),
                next: next == Some(o.uid.as_str()),
                change: self.change(o),
            };
            entries.push((o.time.local_days().0, entry));
        }
        let mut months_seen: Vec<(i32, u32)> = Vec::new();
        for s in skipped {
            let reason = s.reason.as_deref();
            if series.skips.iter().any(|k| k.date == s.date) {
                let date = DateTag::new(s.date, (w.date)(s.date, false));
                entries.push((s.date, Entry::SkipDate { date, reason }));
            } else if !months_seen.contains(&(s.date.year(), s.date.month())) {
                months_seen.push((s.date.year(), s.date.month()));
                let entry = Entry::SkipMonth {
                    datetime: format!("{:04}-{:02}", s.date.year(), s.date.month()),
                    name: capitalise(w.month(s.date)),
                    reason,
                };
                entries.push((s.date, entry));
            }
        }
        entries.sort_by_key(|(date, _)| *date);
        let mut years: Vec<Year> = Vec::new();
        let mut year = None;
        for (date, entry) in entries {
            if year != Some(date.year()) {
                year = Some(date.year());
                years.push(Year {
                    heading: (w.dates_in_year)(date.year()),
                    entries: Vec::new(),
                });
            }
            if let Some(y) = years.last_mut() {
                y.entries.push(entry);
            }
        }

        let (impact, lists) = self.everything(d);
        SeriesView {
            d,
            anchor: anchor(&series.id),
            cancelled: d.status == Status::Cancelled,
            systems: systems_label(w, d, self.names),
            window_start: (w.time)(window.start),
            window_end,
            period,
            impact,
            paragraphs: paragraphs(d),
            lists,
            years,
            more: self.more(d),
        }
    }

    /// How a series occurrence differs from its rule: moved to another
    /// date, or extra. A move to other times on the rule's own date is not
    /// told apart here: the times say it.
    fn change(&self, o: &Occurrence<'a>) -> Option<ChangeView<'a>> {
        match o.change? {
            Change::Moved { from, reason } if from != o.time.local_days().0 => {
                let tag = DateTag::new(from, (self.w.numeric_date)(from));
                Some(ChangeView {
                    bits: fill(self.w.moved_from, [Bit::Time(tag)]),
                    reason,
                })
            }
            Change::Moved { .. } => None,
            Change::Extra { reason } => Some(ChangeView {
                bits: fill(self.w.extra_date, []),
                reason,
            }),
        }
    }

    fn more(&self, d: &'a Details) -> Option<More<'a>> {
        d.link
            .as_deref()
            .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
            .map(|href| More {
                href,
                about: (self.w.more_about)(&d.title),
            })
    }

    /// When an occurrence happens.
    fn when(&self, time: &Time, with_year: bool) -> When {
        let w = self.w;
        match *time {
            Time::Timed {
                start,
                end,
                start_local,
                end_local,
            } => {
                let midnight_after = end_local.time() == NaiveTime::MIN
                    && start_local.date().succ_opt() == Some(end_local.date());
                let moment = |t: DateTime<Utc>, local: NaiveDateTime| Moment {
                    datetime: self.stamp(t),
                    date: (w.date)(local.date(), with_year),
                    time: (w.time)(local.time()),
                };
                if end_local.date() == start_local.date() || midnight_after {
                    let date = start_local.date();
                    let mut end = moment(end, end_local);
                    if midnight_after {
                        end.time = w.end_of_day.to_string();
                    }
                    When::Times {
                        date: DateTag::new(date, (w.date)(date, with_year)),
                        start: moment(start, start_local),
                        end,
                    }
                } else {
                    When::Span {
                        start: moment(start, start_local),
                        end: moment(end, end_local),
                    }
                }
            }
            Time::AllDay { start, end } => {
                let last = end.pred_opt().filter(|l| *l > start).unwrap_or(start);
                if last == start {
                    return When::Day(DateTag::new(start, (w.date)(start, with_year)));
                }
                let first = if start.year() != last.year() {
                    (w.date)(start, with_year)
                } else if start.month() != last.month() {
                    (w.date)(start, false)
                } else {
                    (w.weekday_day)(start)
                };
                When::Days {
                    first: DateTag::new(start, first),
                    last: DateTag::new(last, (w.date)(last, with_year)),
                    consecutive: start.succ_opt() == Some(last),
                }
            }
        }
    }

    /// A valid global date and time string, with the local offset.
    fn stamp(&self, t: DateTime<Utc>) -> String {
        use chrono::Offset as _;
        use std::fmt::Write as _;
        let local = t.with_timezone(&self.zone);
        let offset = local.offset().fix().local_minus_utc();
        let mut s = crate::stamp::date_time(local.naive_local(), "-");
        s.truncate(s.len() - 3); // no seconds
        let sign = if offset < 0 { '-' } else { '+' };
        let minutes = (offset.unsigned_abs() + 30) / 60; // rounded, as chrono does
        let _ = write!(s, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
        s
    }
}

fn subscribe<'a>(w: &'a Wording, expansion: &'a Expansion, feeds: &'a [Feed]) -> Subscribe<'a> {
    let schedule = expansion.schedule;
    let with_links = schedule.settings.base_url.is_some();
    let howto = if with_links {
        w.howto_with_links
    } else {
        w.howto_without_links
    };
    Subscribe {
        refresh_note: fill(w.refresh_note, []),
        howto: howto.iter().map(|item| fill(item, [])).collect(),
        howto_google: fill(w.howto_google, []),
        download_warning: fill(w.download_warning, []),
        all: feeds
            .iter()
            .filter(|f| f.of == FeedOf::Everyone)
            .map(|f| feed_block(w, expansion, f, Some(w.all_in_one), ""))
            .collect(),
    }
}

fn feed_block<'a>(
    w: &'a Wording,
    expansion: &Expansion,
    feed: &'a Feed,
    description: Option<&'a str>,
    howto_page: &str,
) -> FeedBlock<'a> {
    let absolute = expansion
        .schedule
        .settings
        .base_url
        .as_ref()
        .map(|b| format!("{b}{}", feed.file_name));
    let links = absolute.as_ref().map(|url| {
        let query = format!(
            "url={}&name={}",
            percent_encode(url),
            percent_encode(&feed.name)
        );
        let google = format!(
            "https://calendar.google.com/calendar/r?cid={}",
            percent_encode(url)
        );
        Links {
            outlook_work: format!("https://outlook.office.com/calendar/0/addfromweb?{query}"),
            outlook_personal: format!("https://outlook.live.com/calendar/0/addfromweb?{query}"),
            webcal: webcal(url),
            google: fill(
                w.google_item,
                [
                    Bit::Link {
                        href: Cow::Owned(format!("{howto_page}#{}", w.ids.google)),
                        text: w.google_steps,
                        feed: None,
                    },
                    Bit::Link {
                        href: Cow::Owned(google),
                        text: w.open_google,
                        feed: Some(&feed.name),
                    },
                ],
            ),
        }
    });
    FeedBlock {
        id: anchor(&feed.id),
        name: &feed.name,
        description,
        events: capitalise(&(w.events)(feed.events)),
        relative: absolute.is_none(),
        address: absolute.unwrap_or_else(|| feed.file_name.clone()),
        address_for: (w.address_for)(&feed.name),
        copy_for: (w.copy_address_for)(&feed.name),
        links,
        file: &feed.file_name,
        download: (w.download)(&feed.file_name),
        atom: format!(
            "{}{}",
            expansion
                .schedule
                .settings
                .base_url
                .as_deref()
                .unwrap_or(""),
            feed.atom_name
        ),
    }
}

/// Paragraphs from the schedule's description, each as its lines: blank
/// lines split paragraphs, single line breaks are kept.
fn paragraphs(d: &Details) -> Vec<Vec<String>> {
    let Some(text) = &d.description else {
        return Vec::new();
    };
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.lines().map(str::to_string).collect())
        .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `webcal://` for an http(s) URL.
fn webcal(url: &str) -> Option<String> {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| format!("webcal://{rest}"))
}

/// An id usable in `id` and in a `#fragment`.
pub fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Every byte but the unreserved characters of RFC 3986
/// (`A-Z a-z 0-9 - . _ ~`): what a query value may hold as it is.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a value for a URL's query.
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;

    use chrono::TimeZone as _;

    use super::*;
    use crate::pipeline::{Checked, expansion, load};
    use crate::render::feed_list;
    use crate::wording::NB;

    /// HTML as the templates escape it.
    fn esc(s: &str) -> String {
        askama::filters::escape(s, crate::html::Html)
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    /// The `when` macro alone.
    #[derive(Template)]
    #[template(
        source = "{% import \"parts.html\" as parts %}{% call parts::when(w, when) %}{% endcall %}",
        ext = "html",
        config = "templates/askama.toml"
    )]
    struct WhenHtml<'a> {
        w: &'a Wording,
        when: When,
    }

    /// When an occurrence happens, as the page writes it.
    fn when(ctx: &Ctx, time: &Time, with_year: bool) -> String {
        render(&WhenHtml {
            w: ctx.w,
            when: ctx.when(time, with_year),
        })
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test instant")
            .with_timezone(&Utc)
    }

    fn checked() -> Checked {
        load(Path::new("schedules")).expect("default schedules load")
    }

    /// The page of the feed with everything: every event in full (never
    /// published: [`render_pages`] writes one per system).
    fn page_for(checked: &Checked, now: DateTime<Utc>) -> String {
        let exp = expansion(checked, now).expect("default schedules expand");
        all_page(&exp, now)
    }

    fn all_page(exp: &Expansion, now: DateTime<Utc>) -> String {
        let (feeds, _) = feed_list(exp);
        feed_page_html(exp, &feeds[0], now, None)
    }

    /// The published pages by name.
    fn pages(checked: &Checked, now: DateTime<Utc>) -> HashMap<String, String> {
        let exp = expansion(checked, now).expect("default schedules expand");
        let (feeds, _) = feed_list(&exp);
        render_pages(&exp, &feeds, now, &Revisions::default(), &[])
            .into_iter()
            .map(|p| (p.name, p.html))
            .collect()
    }

    /// The text of some HTML, tags removed and entities decoded.
    fn text(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    /// The HTML of the section whose heading has `id`.
    fn section<'h>(html: &'h str, id: &str) -> &'h str {
        let start = html
            .find(&format!("<h2 id=\"{id}\">"))
            .unwrap_or_else(|| panic!("section {id}"));
        let end = html[start..]
            .find("</section>")
            .map_or(html.len(), |e| start + e);
        &html[start..end]
    }

    #[test]
    fn schedule_text_is_escaped() {
        let checked = checked();
        let mut schedule = checked.schedule.clone();
        schedule.outages[0].details.title = "<script>alert('x')</script> & \"co\"".into();
        schedule.outages[0].details.consequences = vec![crate::schedule::Item {
            text: "a < b > c".into(),
            systems: Vec::new(),
        }];
        schedule.outages[0].details.location = Some("Rom \"A\" & B".into());
        let now = at("2019-11-01T12:00:00Z");
        let exp = crate::expand::expand(&schedule, now).expect("expands");
        let html = all_page(&exp, now);
        assert!(!html.contains("<script>alert"), "raw script tag in page");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;")
        );
        assert!(html.contains("a &lt; b &gt; c"));
        assert!(html.contains("Rom &quot;A&quot; &amp; B"));
        // The only script element is the page's own.
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn upcoming_and_past_split_at_now() {
        let checked = checked();
        let html = page_for(&checked, at("2019-11-01T12:00:00Z"));
        let upcoming = text(section(&html, "kommende"));
        let past = text(section(&html, "tidligere"));
        for title in [
            "Test av nødstrømsaggregat i Rådhuskvartalet",
            "Vedlikehold på nettverksinfrastruktur i Gjøvik kommune",
            "Gjøvikregionens datautstyr flyttes til ny datahall",
            "Oppgradering av Visma Enterprise til versjon 2019.3",
        ] {
            assert!(upcoming.contains(title), "{title} should be upcoming");
            assert!(!past.contains(title), "{title} should not be past");
        }
        for title in [
            "Bytte av cachebatteri",
            "Omlegging av fiber",
            "versjon 2019.1",
            "versjon 2019.2",
        ] {
            assert!(past.contains(title), "{title} should be past");
            assert!(!upcoming.contains(title), "{title} should not be upcoming");
        }
        // Soonest first; most recent first.
        let pos = |s: &str, t: &str| s.find(t).unwrap_or_else(|| panic!("{t}"));
        assert!(pos(&upcoming, "nødstrømsaggregat") < pos(&upcoming, "nettverksinfrastruktur"));
        assert!(pos(&upcoming, "nettverksinfrastruktur") < pos(&upcoming, "ny datahall"));
        assert!(pos(&upcoming, "ny datahall") < pos(&upcoming, "versjon 2019.3"));
        assert!(pos(&past, "versjon 2019.2") < pos(&past, "versjon 2019.1"));
        assert!(pos(&past, "versjon 2019.1") < pos(&past, "Omlegging av fiber"));
        assert!(pos(&past, "Omlegging av fiber") < pos(&past, "cachebatteri"));
        // Upcoming maintenance is listed briefly, the moved one with its reason.
        assert!(upcoming.contains("onsdag 20. november 2019 kl. 16.00–19.00"));
        assert!(upcoming.contains("onsdag 11. desember 2019 kl. 16.00–19.00"));
        assert!(upcoming.contains("Flyttet fra 18.12.2019"));

        // During the move to the new data hall: it is ongoing, so upcoming.
        let html = page_for(&checked, at("2019-11-30T12:00:00Z"));
        let upcoming = text(section(&html, "kommende"));
        let past = text(section(&html, "tidligere"));
        assert!(upcoming.contains("ny datahall Pågår nå"));
        assert!(past.contains("nettverksinfrastruktur"));
        assert!(!upcoming.contains("nettverksinfrastruktur"));
    }

    #[test]
    fn outlook_links_are_percent_encoded() {
        let pages = pages(&checked(), at("2019-11-01T12:00:00Z"));
        let html = &pages["index.html"];
        assert!(html.contains(
            "href=\"https://outlook.office.com/calendar/0/addfromweb?url=https%3A%2F%2Fwww.vestre-toten.kommune.no%2Fnedetid%2Fall.ics&amp;name=Planlagt%20nedetid%3A%20alle%20systemer\""
        ));
        assert!(pages["e-post.html"].contains(
            "href=\"https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2Fwww.vestre-toten.kommune.no%2Fnedetid%2Fe-post.ics&amp;name=Planlagt%20nedetid%3A%20E-post\""
        ));
        assert!(
            pages["visma.html"]
                .contains("href=\"webcal://www.vestre-toten.kommune.no/nedetid/visma.ics\"")
        );
        assert!(pages["gat.html"].contains(
            "href=\"https://calendar.google.com/calendar/r?cid=https%3A%2F%2Fwww.vestre-toten.kommune.no%2Fnedetid%2Fgat.ics\""
        ));
        // A system's page sends to the index for the Google steps.
        assert!(pages["gat.html"].contains("<a href=\"index.html#google\">"));
        assert!(html.contains("<a class=\"btn btn-plain\" href=\"all.ics\" download>"));
        assert!(html.contains(
            "spellcheck=\"false\">https://www.vestre-toten.kommune.no/nedetid/all.ics</textarea>"
        ));
        assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(
            percent_encode("Omsorgs-PDA og Gerica: æ/ø?&=+"),
            "Omsorgs-PDA%20og%20Gerica%3A%20%C3%A6%2F%C3%B8%3F%26%3D%2B"
        );
    }

    #[test]
    fn without_base_url_links_are_relative_and_web_links_left_out() {
        let checked = checked();
        let mut schedule = checked.schedule.clone();
        schedule.settings.base_url = None;
        let now = at("2019-11-01T12:00:00Z");
        let exp = crate::expand::expand(&schedule, now).expect("expands");
        let html = all_page(&exp, now);
        assert!(html.contains("spellcheck=\"false\" data-relative>all.ics</textarea>"));
        assert!(!html.contains("outlook.office.com"));
        assert!(!html.contains("webcal://"));
        assert!(!html.contains("calendar.google.com"));
        let (feeds, _) = feed_list(&exp);
        let visma = feeds.iter().find(|f| f.id == "visma").expect("visma");
        let html = feed_page_html(&exp, visma, now, None);
        assert!(html.contains("href=\"visma.ics\" download"));
    }

    #[test]
    fn dates_are_norwegian() {
        let checked = checked();
        let html = page_for(&checked, at("2019-11-01T12:00:00Z"));
        let t = text(&html);
        for expected in [
            "fredag 29. november 2019 kl. 15.30 – mandag 2. desember 2019 kl. 06.00",
            "mandag 16. og tirsdag 17. desember 2019",
            "torsdag 14. november 2019 kl. 21.00–24.00",
            "torsdag 3. januar 2019 kl. 16.00–17.30",
            "søndag 3. november 2019",
            "Vedlikeholdsdatoer for 2019",
            "onsdag 24. april kl. 16.00–19.00 – flyttet fra 17.04.2019: Flyttet en uke på grunn av påsken",
            "torsdag 23. mai kl. 16.00–19.00 – ekstra dato: Ekstra vedlikeholdskveld",
            "Juli: Ingen vedlikehold i juli grunnet sommerferie.",
            "onsdag 20. november kl. 16.00–19.00 Neste",
        ] {
            assert!(t.contains(expected), "missing {expected:?}");
        }
        assert!(html.contains(
            "<time datetime=\"2019-11-29T15:30+01:00\">fredag 29. november 2019 <span class=\"nw\">kl. 15.30</span></time>"
        ));
        assert!(html.contains("<time datetime=\"2019-11-15T00:00+01:00\">24.00</time>"));
        assert!(html.contains("<time datetime=\"2019-06-19T16:00+02:00\">"));
        assert!(html.contains(
            "<li class=\"skipped\"><strong><time datetime=\"2019-07\">Juli</time>:</strong>"
        ));
        assert!(t.contains("Periode1. februar – 31. desember 2019"));

        let d = NaiveDate::from_ymd_opt(2019, 12, 31).expect("date");
        assert_eq!((NB.date)(d, true), "tirsdag 31. desember 2019");
        let zone = chrono_tz::Europe::Oslo;
        let ctx = Ctx {
            w: &NB,
            zone,
            names: &SystemNames::default(),
            now: at("2019-01-01T00:00:00Z"),
            series_index: SeriesIndex {
                by_id: FastMap::default(),
                by_system: FastMap::default(),
                entries: FastMap::default(),
            },
        };
        let span = |a: (i32, u32, u32), b: (i32, u32, u32)| {
            let day = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).expect("date");
            text(&when(
                &ctx,
                &Time::AllDay {
                    start: day(a),
                    end: day(b),
                },
                true,
            ))
        };
        assert_eq!(
            span((2019, 11, 30), (2019, 12, 2)),
            "lørdag 30. november og søndag 1. desember 2019"
        );
        assert_eq!(
            span((2019, 12, 31), (2020, 1, 3)),
            "tirsdag 31. desember 2019 – torsdag 2. januar 2020"
        );
        assert_eq!(
            span((2019, 12, 16), (2019, 12, 21)),
            "mandag 16. – fredag 20. desember 2019"
        );
        let local = |y, m, d, hh, mm| {
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|d| d.and_hms_opt(hh, mm, 0))
                .expect("time")
        };
        let (s, e) = (local(2019, 3, 31, 1, 0), local(2019, 3, 31, 4, 0));
        let timed = Time::Timed {
            start: zone
                .from_local_datetime(&s)
                .single()
                .expect("s")
                .with_timezone(&Utc),
            end: zone
                .from_local_datetime(&e)
                .single()
                .expect("e")
                .with_timezone(&Utc),
            start_local: s,
            end_local: e,
        };
        assert_eq!(
            when(&ctx, &timed, true),
            "<time datetime=\"2019-03-31\">søndag 31. mars 2019</time> <span class=\"nw\">kl. <time datetime=\"2019-03-31T01:00+01:00\">01.00</time>–<time datetime=\"2019-03-31T04:00+02:00\">04.00</time></span>"
        );
    }

    #[test]
    fn cancelled_and_tentative_are_said_in_words() {
        let checked = checked();
        let mut schedule = checked.schedule.clone();
        schedule.outages[5].details.status = Status::Cancelled;
        schedule.outages[6].details.status = Status::Tentative;
        let now = at("2019-11-01T12:00:00Z");
        let exp = crate::expand::expand(&schedule, now).expect("expands");
        let html = all_page(&exp, now);
        let t = text(section(&html, "kommende"));
        let cancelled = &schedule.outages[5].details.title;
        let tentative = &schedule.outages[6].details.title;
        assert!(t.contains(&format!("AVLYST {cancelled}")), "{t}");
        assert!(html.contains(&format!("<s>{}</s>", esc(cancelled))));
        assert!(t.contains(&format!("{tentative} Foreløpig")));
        assert!(t.contains("Foreløpig – tidspunktet kan endres"));
    }

    #[test]
    fn page_is_deterministic_and_does_not_print_now() {
        let checked = checked();
        let now = at("2019-11-01T12:00:00Z");
        let a = page_for(&checked, now);
        let b = page_for(&checked, now);
        assert_eq!(a, b);
        // A later `now` that passes no event gives the same bytes.
        assert_eq!(a, page_for(&checked, at("2019-11-02T08:00:00Z")));
        assert!(a.starts_with("<!DOCTYPE html>\n<html lang=\"nb\">"));
        assert!(a.ends_with("</html>\n"));
        // No external assets: the only absolute URLs are the subscribe links.
        for attr in ["src=\"http", "rel=\"stylesheet", "@import", "url(", "<img"] {
            assert!(!a.contains(attr), "{attr}");
        }
        // Every system has its page, with its own feed and no other.
        let pages = pages(&checked, now);
        let exp = expansion(&checked, now).expect("expands");
        let (feeds, _) = feed_list(&exp);
        assert_eq!(pages.len(), feeds.len(), "index.html and one per system");
        for f in feeds.iter().filter(|f| f.of != FeedOf::Everyone) {
            let page = &pages[&f.page_name];
            assert!(page.contains(&format!("id=\"url-{}\"", f.id)), "{}", f.id);
            assert_eq!(page.matches("<textarea id=\"url-").count(), 1, "{}", f.id);
            assert!(page.contains(&format!("<h1>{}</h1>", esc(&f.name))));
        }
    }

    #[test]
    fn the_index_lists_every_system_with_its_next_event_and_no_details() {
        let now = at("2019-11-01T12:00:00Z");
        let checked = checked();
        let pages = pages(&checked, now);
        let index = &pages["index.html"];
        let systems = section(index, "systemer");
        let exp = expansion(&checked, now).expect("expands");
        let mut last = 0;
        for f in feed_list(&exp)
            .0
            .iter()
            .filter(|f| f.of != FeedOf::Everyone)
        {
            let link = format!("<a class=\"sys\" href=\"{}\">", f.page_name);
            let p = systems.find(&link).unwrap_or_else(|| panic!("{}", f.id));
            assert!(p > last, "{} out of order", f.id);
            last = p;
            assert!(systems.contains(&format!("<a href=\"{}.ics\">", f.id)));
            assert!(systems.contains(&format!(
                "<a href=\"{}.atom\" type=\"application/atom+xml\">",
                f.id
            )));
        }
        // Visma's next event is the emergency power test (all systems) on
        // 3 November; e-post has no more of its own but that one too.
        let visma = text(
            &systems[systems
                .find("<a class=\"sys\" href=\"visma.html")
                .expect("visma")..],
        );
        assert!(
            visma.starts_with(
                "Visma (16 hendelser)Neste: søndag 3. november 2019 – Test av nødstrømsaggregat"
            ),
            "{visma}"
        );
        // The details are on the systems' pages only.
        assert!(!index.contains("class=\"event"));
        assert!(!index.contains("id=\"kommende\""));
        assert!(
            pages["visma.html"].contains("Oppgradering av Visma Enterprise til versjon 2019.3")
        );
        assert!(!pages["e-post.html"].contains("versjon 2019.3"));
        // After the last event: nothing ahead.
        let later = pages_at_end();
        assert!(
            text(section(&later, "systemer"))
                .contains("VPN (2 hendelser)Ingen planlagt nedetid fremover")
        );
    }

    fn pages_at_end() -> String {
        pages(&checked(), at("2020-06-01T00:00:00Z"))["index.html"].clone()
    }

    #[test]
    fn what_is_down_now_is_listed_for_the_script_and_shown_at_build_time() {
        // During the move to the new data hall (29 November 15.30 to
        // 2 December 06.00), with December's maintenance within the week.
        let during = pages(&checked(), at("2019-11-30T12:00:00Z"));
        let now = section(&during["index.html"], "pagar-na");
        assert!(now.contains(
            "<li data-start=\"2019-11-29T14:30:00Z\" data-end=\"2019-12-02T05:00:00Z\"><a href=\"e-post.html#nedetid-2019-11-29-flytting-datahall\">"
        ), "{now}");
        // December's maintenance (the 11th) is more than a week ahead.
        assert!(!now.contains("2019-12-11"), "{now}");
        assert!(now.contains("<p class=\"empty\" id=\"pagar-na-none\" hidden>"));
        // On a system's page its own events, linked within the page.
        let visma = section(&during["visma.html"], "pagar-na");
        assert!(visma.contains("<a href=\"#nedetid-2019-11-29-flytting-datahall\">"));
        // Nothing within the week: the empty note shows.
        let idle = pages_at_end();
        let now = section(&idle, "pagar-na");
        assert!(!now.contains("data-start"));
        assert!(now.contains("<p class=\"empty\" id=\"pagar-na-none\">"));
        // Events more than a week ahead are not listed.
        let early = pages(&checked(), at("2019-10-01T12:00:00Z"));
        assert!(!section(&early["index.html"], "pagar-na").contains("data-start"));
    }
}
