//! The page people open, `index.html`: upcoming and past downtime, the
//! maintenance dates, and how to subscribe to each feed. Rendered from the
//! same expansion as the feeds, in the words of a [`Wording`].
//!
//! This module owns what the page shows and in which order; the HTML is in
//! `templates/page.html` (with `parts.html`, `page.css` and `page.js`),
//! compiled in by askama, which escapes every value. It also owns the HTML
//! escapers the templates use ([`Html`], [`JsString`]).
//!
//! One static HTML5 file: no external assets, inline CSS, and a small inline
//! script that only adds the "copy" buttons (the page works without it).
//! Pure: `now` comes in as a value and is not printed, so that a rebuild on
//! another day gives the same bytes until an event passes.

use std::borrow::Cow;
use std::collections::HashMap;

use askama::Template;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::expand::{Change, Expansion, Kind, Occurrence, Skipped, Time};
use crate::html::render;
use crate::render::{Feed, FeedOf, systems_label};
use crate::schedule::{Details, Impact, Series, Status, SystemNames};
use crate::view::View;
use crate::wording::{Rich, Span, Wording};

/// Renders `index.html` from the same expansion as the feeds, in the
/// settings' language.
pub fn render_page(expansion: &Expansion, feeds: &[Feed], now: DateTime<Utc>) -> String {
    render_in(expansion.schedule.settings.wording(), expansion, feeds, now)
}

/// [`render_page`] in the words of `w`.
fn render_in(w: &Wording, expansion: &Expansion, feeds: &[Feed], now: DateTime<Utc>) -> String {
    let schedule = expansion.schedule;
    let settings = &schedule.settings;
    let names = schedule.system_names();
    // Each series' dates and skipped dates, found once.
    let mut by_series: HashMap<&str, SeriesEntries> = HashMap::new();
    for o in &expansion.occurrences {
        if o.kind == Kind::Maintenance {
            by_series.entry(o.source_id).or_default().dates.push(o);
        }
    }
    for skipped in &expansion.skipped {
        by_series
            .entry(skipped.series.id.as_str())
            .or_default()
            .skipped
            .push(skipped);
    }
    let ctx = Ctx {
        w,
        zone: settings.zone,
        names: &names,
        now,
        by_series,
    };

    let mut upcoming = Vec::new();
    let mut past = Vec::new();
    for o in &expansion.occurrences {
        let (_, end) = o.time.instants(ctx.zone);
        if end > now {
            upcoming.push(match o.kind {
                Kind::Outage => Upcoming::Outage(ctx.outage(o)),
                Kind::Maintenance => Upcoming::Maintenance(ctx.maintenance_item(o)),
            });
        } else if o.kind == Kind::Outage {
            past.push(ctx.outage(o));
        }
    }
    // Occurrences come sorted by start, then UID: reversed, most recent first.
    past.reverse();

    let series_heading = (!schedule.series.is_empty()).then(|| {
        let monthly = schedule
            .series
            .iter()
            .all(|s| s.rule_text.to_ascii_uppercase().contains("FREQ=MONTHLY"));
        if monthly {
            w.monthly_maintenance
        } else {
            w.regular_maintenance
        }
    });
    let past_hint = series_heading.map_or_else(Vec::new, |heading| {
        fill(
            w.past_maintenance_hint,
            [Bit::to_id(w.ids.maintenance, heading)],
        )
    });
    let zone_note = (w.zone_note)(settings.zone.name());
    let page = Page {
        w,
        title: (w.page_title)(settings.calendar_name(w)),
        description: settings.description.as_deref(),
        intro: fill(
            w.intro,
            [
                Bit::Text(Cow::Owned(zone_note.clone())),
                Bit::to_id(w.ids.subscribe, w.subscribe),
            ],
        ),
        zone_note,
        upcoming,
        past,
        series_heading,
        past_hint,
        series: schedule
            .series
            .iter()
            .map(|s| ctx.series(s, expansion.horizon))
            .collect(),
        subscribe: subscribe(w, expansion, feeds),
    };
    render(&page)
}

/// The page, as `templates/page.html` shows it.
#[derive(Template)]
#[template(path = "page.html", config = "templates/askama.toml")]
struct Page<'a> {
    w: &'a Wording,
    title: String,
    description: Option<&'a str>,
    intro: Vec<Bit<'a>>,
    zone_note: String,
    /// Soonest first.
    upcoming: Vec<Upcoming<'a>>,
    /// Past outages, most recent first.
    past: Vec<Outage<'a>>,
    /// `None` without series.
    series_heading: Option<&'a str>,
    /// Where past maintenance dates are; empty without series.
    past_hint: Vec<Bit<'a>>,
    series: Vec<SeriesView<'a>>,
    subscribe: Subscribe<'a>,
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
    cancelled: bool,
    /// Happening now (and not cancelled).
    ongoing: bool,
    when: When,
    systems: String,
    /// How badly, when less than down.
    impact: Option<&'static str>,
    paragraphs: Vec<Vec<String>>,
    lists: Lists,
    more: Option<More<'a>>,
}

/// Consequences and what still works, each with its heading, as lines.
type Lists = [(&'static str, Vec<String>); 2];

/// One upcoming maintenance date, short: the series has the rest.
struct MaintenanceItem<'a> {
    d: &'a Details,
    status: Status,
    cancelled: bool,
    ongoing: bool,
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
    systems: Vec<SystemFeed<'a>>,
}

struct SystemFeed<'a> {
    label: &'a str,
    count: String,
    feed: FeedBlock<'a>,
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
}

/// The links that add a feed to a calendar, with an absolute address.
struct Links<'a> {
    outlook_work: String,
    outlook_personal: String,
    webcal: Option<String>,
    google: Vec<Bit<'a>>,
}

/// A series' dates and skipped dates, in order.
#[derive(Default)]
struct SeriesEntries<'e, 'a> {
    dates: Vec<&'e Occurrence<'a>>,
    skipped: Vec<&'e Skipped<'a>>,
}

struct Ctx<'a> {
    w: &'a Wording,
    zone: Tz,
    names: &'a SystemNames<'a>,
    now: DateTime<Utc>,
    by_series: HashMap<&'a str, SeriesEntries<'a, 'a>>,
}

impl<'a> Ctx<'a> {
    fn outage(&self, o: &Occurrence<'a>) -> Outage<'a> {
        let d = o.details;
        Outage {
            d,
            anchor: anchor(o.source_id),
            status: o.status(),
            cancelled: o.status() == Status::Cancelled,
            ongoing: self.ongoing(o),
            when: self.when(&o.time, true),
            systems: systems_label(self.w, d, self.names),
            impact: impact(self.w, d),
            paragraphs: paragraphs(d),
            lists: self.lists(d),
            more: self.more(d),
        }
    }

    fn maintenance_item(&self, o: &Occurrence<'a>) -> MaintenanceItem<'a> {
        let d = o.details;
        MaintenanceItem {
            d,
            status: o.status(),
            cancelled: o.status() == Status::Cancelled,
            ongoing: self.ongoing(o),
            when: self.when(&o.time, true),
            systems: systems_label(self.w, d, self.names),
            impact: impact(self.w, d),
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

    /// Every consequence and still-works item, named by system where
    /// they are about some.
    fn lists(&self, d: &Details) -> Lists {
        let view = View::everyone(d);
        let text = crate::render::Text {
            w: self.w,
            view: &view,
            names: self.names,
            label: "",
        };
        crate::render::lists(&text, d)
            .map(|(heading, items)| (heading, items.into_iter().map(String::from).collect()))
    }

    /// Happening now, and not cancelled.
    fn ongoing(&self, o: &Occurrence) -> bool {
        let (start, end) = o.time.instants(self.zone);
        start <= self.now && self.now < end && o.status() != Status::Cancelled
    }

    /// A series with its dates and skipped dates or months, by year.
    fn series(&self, series: &'a Series, horizon: NaiveDate) -> SeriesView<'a> {
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
        let found = self.by_series.get(series.id.as_str());
        let dates = found.map_or(&[][..], |f| f.dates.as_slice());
        let skipped = found.map_or(&[][..], |f| f.skipped.as_slice());
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

        SeriesView {
            d,
            anchor: anchor(&series.id),
            cancelled: d.status == Status::Cancelled,
            systems: systems_label(w, d, self.names),
            window_start: (w.time)(window.start),
            window_end,
            period,
            impact: impact(w, d),
            paragraphs: paragraphs(d),
            lists: self.lists(d),
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
    // A bundle's or a system's own name and description.
    let about = |feed: &'a Feed| match feed.of {
        FeedOf::Bundle(n) => schedule
            .bundles
            .get(n)
            .map(|b| (b.name.as_str(), b.description.as_deref())),
        FeedOf::System(n) => schedule
            .systems
            .get(n)
            .map(|s| (s.name.as_str(), s.description.as_deref())),
        FeedOf::Everyone => None,
    };
    Subscribe {
        refresh_note: fill(w.refresh_note, []),
        howto: howto.iter().map(|item| fill(item, [])).collect(),
        howto_google: fill(w.howto_google, []),
        download_warning: fill(w.download_warning, []),
        all: feeds
            .iter()
            .filter(|f| f.of == FeedOf::Everyone)
            .map(|f| feed_block(w, expansion, f, Some(w.all_in_one)))
            .collect(),
        // Bundles first: a department finds its calendar before its systems.
        systems: feeds
            .iter()
            .filter(|f| f.of != FeedOf::Everyone)
            .map(|f| {
                let (label, description) = about(f).unwrap_or((f.name.as_str(), None));
                SystemFeed {
                    label,
                    count: (w.events)(f.events),
                    feed: feed_block(w, expansion, f, description),
                }
            })
            .collect(),
    }
}

fn feed_block<'a>(
    w: &'a Wording,
    expansion: &Expansion,
    feed: &'a Feed,
    description: Option<&'a str>,
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
                    Bit::to_id(w.ids.google, w.google_steps),
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
    }
}

/// The impact as a tag, when less than down.
fn impact(w: &Wording, d: &Details) -> Option<&'static str> {
    let worst = View::everyone(d).impact;
    (worst != Impact::Down).then(|| crate::render::impact_name(w, worst))
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
fn anchor(id: &str) -> String {
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

    fn page_for(checked: &Checked, now: DateTime<Utc>) -> String {
        let exp = expansion(checked, now).expect("default schedules expand");
        let (feeds, _) = feed_list(&exp);
        render_page(&exp, &feeds, now)
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
        let (feeds, _) = feed_list(&exp);
        let html = render_page(&exp, &feeds, now);
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
        let html = page_for(&checked(), at("2019-11-01T12:00:00Z"));
        assert!(html.contains(
            "href=\"https://outlook.office.com/calendar/0/addfromweb?url=https%3A%2F%2Fwww.vestre-toten.kommune.no%2Fnedetid%2Fall.ics&amp;name=Planlagt%20nedetid%3A%20alle%20systemer\""
        ));
        assert!(html.contains(
            "href=\"https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2Fwww.vestre-toten.kommune.no%2Fnedetid%2Fe-post.ics&amp;name=Planlagt%20nedetid%3A%20E-post\""
        ));
        assert!(html.contains("href=\"webcal://www.vestre-toten.kommune.no/nedetid/visma.ics\""));
        assert!(html.contains(
            "href=\"https://calendar.google.com/calendar/r?cid=https%3A%2F%2Fwww.vestre-toten.kommune.no%2Fnedetid%2Fgat.ics\""
        ));
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
        let (feeds, _) = feed_list(&exp);
        let html = render_page(&exp, &feeds, now);
        assert!(html.contains("spellcheck=\"false\" data-relative>all.ics</textarea>"));
        assert!(!html.contains("outlook.office.com"));
        assert!(!html.contains("webcal://"));
        assert!(!html.contains("calendar.google.com"));
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
            names: &SystemNames::new(),
            now: at("2019-01-01T00:00:00Z"),
            by_series: HashMap::new(),
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
        let (feeds, _) = feed_list(&exp);
        let html = render_page(&exp, &feeds, now);
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
        // Every feed has its section, `all` first.
        let exp = expansion(&checked, now).expect("expands");
        let (feeds, _) = feed_list(&exp);
        let mut last = 0;
        for f in &feeds {
            let p = a
                .find(&format!("id=\"url-{}\"", f.id))
                .unwrap_or_else(|| panic!("{}", f.id));
            assert!(p > last, "{} out of order", f.id);
            last = p;
        }
    }
}
