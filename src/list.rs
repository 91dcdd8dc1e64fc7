//! `nedetid list`: the occurrences as nedetid computes them, as a table for
//! people or as JSON for tests and other tools.

use chrono::NaiveDate;
use serde::Serialize;

use crate::cache::{Entry, Piece};
use crate::expand::{Expansion, Kind, Occurrence, Time};
use crate::render::{FeedOf, Prints, summary};
use crate::schedule::{Impact, Schedule, Status, SystemNames};
use crate::stamp;
use crate::view::{Audience, View};
use crate::wording::Wording;

/// Which occurrences to show.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A system or bundle id: the occurrences its feed has.
    pub system: Option<String>,
    /// Inclusive local dates; an occurrence is shown when it overlaps.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// One occurrence in the JSON form. Timed events have UTC instants in
/// `start`/`end` (RFC 3339, `Z`); all-day events have dates, `end`
/// exclusive as in iCalendar.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Item {
    /// The UID of the VEVENT that shows it (a series' UID in RRULE form).
    pub uid: String,
    /// Unique per occurrence and stable across builds.
    pub occurrence: String,
    pub id: String,
    pub kind: Kind,
    pub summary: String,
    pub title: String,
    pub systems: Vec<String>,
    /// How badly (the worst for the feed's systems).
    pub impact: Impact,
    /// The systems hit that bring it into a feed through `depends-on`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
    pub status: Status,
    pub all_day: bool,
    pub start: String,
    pub end: String,
    pub start_local: String,
    pub end_local: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub fn items(expansion: &Expansion, filter: &Filter) -> Vec<Item> {
    let schedule = expansion.schedule;
    let w = schedule.settings.wording();
    let names = schedule.system_names();
    let audience = filter.system.as_deref().map(|id| audience_of(schedule, id));
    expansion
        .occurrences
        .iter()
        .filter(|o| in_dates(o, filter))
        .filter_map(|o| {
            let view = match &audience {
                None => View::everyone(o.details),
                Some(ids) => View::of(schedule, o.details, Audience::Systems(ids))?,
            };
            Some(item(w, o, &view, &names))
        })
        .collect()
}

/// The systems of a feed: the system itself, or the bundle's; none when
/// the id names neither.
fn audience_of(schedule: &Schedule, id: &str) -> Vec<String> {
    match schedule.bundles.iter().find(|b| b.id == id) {
        Some(b) => b.systems.clone(),
        None if schedule.system_index(id).is_some() => vec![id.to_string()],
        None => Vec::new(),
    }
}

fn in_dates(o: &Occurrence, f: &Filter) -> bool {
    let (first, last) = o.time.local_days();
    f.from.is_none_or(|from| last >= from) && f.to.is_none_or(|to| first <= to)
}

/// One occurrence, its summary and note in the words of `w`.
fn item(w: &Wording, o: &Occurrence, view: &View, names: &SystemNames) -> Item {
    let (all_day, start, end, start_local, end_local) = match o.time {
        Time::Timed {
            start,
            end,
            start_local,
            end_local,
        } => (
            false,
            stamp::utc(start, "-"),
            stamp::utc(end, "-"),
            stamp::date_time(start_local, "-"),
            stamp::date_time(end_local, "-"),
        ),
        Time::AllDay { start, end } => {
            let (s, e) = (start.to_string(), end.to_string());
            (true, s.clone(), e.clone(), s, e)
        }
    };
    Item {
        uid: o.uid.clone(),
        occurrence: o.occurrence.clone(),
        id: o.source_id.to_string(),
        kind: o.kind,
        summary: summary(w, o, view, names),
        title: o.details.title.clone(),
        systems: o.details.systems.to_vec(),
        impact: view.impact,
        via: view.via.clone(),
        status: o.status(),
        all_day,
        start,
        end,
        start_local,
        end_local,
        rule_date: o.rule_date.map(|d| d.to_string()),
        note: o.change.map(|c| crate::render::change_note(w, &c)),
    }
}

pub fn to_json(items: &[Item]) -> String {
    let mut s = serde_json::to_string_pretty(items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// A fixed-width table: local start and end (in `zone`), UTC start,
/// systems, title; then the time zone and the count.
pub fn to_table(items: &[Item], zone: &str) -> String {
    let mut out = format!(
        "{:<18}  {:<18}  {:<17}  {:<40}  {}\n",
        "start (local)", "end", "start (UTC)", "systems", "title"
    );
    for i in items {
        let show = |s: &str| s.replace('T', " ").chars().take(16).collect::<String>();
        let utc = if i.all_day {
            "(all day)".to_string()
        } else {
            show(&i.start) + "Z"
        };
        let (start, end) = if i.all_day {
            (i.start_local.clone(), format!("{} excl.", i.end_local))
        } else {
            (show(&i.start_local), show(&i.end_local))
        };
        let systems = i.systems.join(",");
        let systems = if systems.chars().count() > 40 {
            format!("{}…", systems.chars().take(39).collect::<String>())
        } else {
            systems
        };
        let mut notes = String::new();
        if i.impact != Impact::Down {
            notes.push_str(&format!(" [{}]", i.impact.code()));
        }
        if !i.via.is_empty() {
            notes.push_str(&format!(" [via {}]", i.via.join(",")));
        }
        out.push_str(&format!(
            "{start:<18}  {end:<18}  {utc:<17}  {systems:<40}  {}{notes}\n",
            i.title
        ));
    }
    out.push_str(&format!(
        "{} occurrences; local times in {zone}\n",
        items.len()
    ));
    out
}

/// `feeds.json`: every feed (id, name, URL, event count) and the upcoming
/// occurrences, for intranet widgets; in pieces, as the calendar feeds
/// are: the list of feeds, then each occurrence's text. An occurrence's
/// text is taken from `cache` when it has it (by [`item_key`]: rendered
/// from the same inputs it is the same), else rendered; the second part
/// is every item's cache entry, for the next build.
pub fn feeds_json(
    expansion: &Expansion,
    feeds: &[crate::render::Feed],
    now: chrono::DateTime<chrono::Utc>,
    prints: &Prints,
    cache: &crate::cache::Events,
) -> (Vec<Piece>, Vec<(u64, Entry)>) {
    #[derive(Serialize)]
    struct FeedInfo<'a> {
        id: &'a str,
        /// `all`, `bundle` or `system`.
        kind: &'static str,
        /// A bundle's systems.
        #[serde(skip_serializing_if = "Option::is_none")]
        systems: Option<&'a [String]>,
        name: &'a str,
        file: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        /// The Atom feed of the same events.
        atom: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        atom_url: Option<String>,
        events: usize,
    }
    /// All but `upcoming`, which comes last and is written item by item.
    #[derive(Serialize)]
    struct Doc<'a> {
        calendar: &'a str,
        time_zone: &'a str,
        feeds: Vec<FeedInfo<'a>>,
    }
    let settings = &expansion.schedule.settings;
    let today = now.with_timezone(&settings.zone).date_naive();
    let filter = Filter {
        from: Some(today),
        ..Filter::default()
    };
    let w = settings.wording();
    let names = expansion.schedule.system_names();
    let upcoming_occurrences: Vec<&Occurrence> = expansion
        .occurrences
        .iter()
        .filter(|o| in_dates(o, &filter))
        .filter(|o| match o.time {
            Time::Timed { end, .. } => end > now,
            Time::AllDay { .. } => true,
        })
        .collect();
    // Each item as `serde_json` writes it at the depth of `upcoming`'s
    // members (4 spaces): its lines moved in by that much.
    let upcoming = crate::par::map(&upcoming_occurrences, |o| {
        let key = item_key(prints, o);
        if let Some(entry) = cache.get(key) {
            return (key, entry.clone());
        }
        let item = item(w, o, &View::everyone(o.details), &names);
        let text = serde_json::to_string_pretty(&item).unwrap_or_default();
        let text = format!("    {}", text.replace('\n', "\n    "));
        let entry = Entry {
            hash: "".into(),
            head: Piece::from(text),
            body: Piece::from(String::new()),
        };
        (key, entry)
    });
    let doc = Doc {
        calendar: settings.calendar_name(w),
        time_zone: settings.zone.name(),
        feeds: feeds
            .iter()
            .map(|f| FeedInfo {
                id: &f.id,
                kind: match f.of {
                    FeedOf::Everyone => "all",
                    FeedOf::Bundle(_) => "bundle",
                    FeedOf::System(_) => "system",
                },
                systems: match f.of {
                    FeedOf::Bundle(n) => expansion
                        .schedule
                        .bundles
                        .get(n)
                        .map(|b| b.systems.as_slice()),
                    _ => None,
                },
                name: &f.name,
                file: &f.file_name,
                url: settings
                    .base_url
                    .as_ref()
                    .map(|b| format!("{b}{}", f.file_name)),
                atom: &f.atom_name,
                atom_url: settings
                    .base_url
                    .as_ref()
                    .map(|b| format!("{b}{}", f.atom_name)),
                events: f.events,
            })
            .collect(),
    };
    let doc = serde_json::to_string_pretty(&doc).unwrap_or_default();
    let mut head = doc.strip_suffix("\n}").unwrap_or(&doc).to_string();
    head.push_str(",\n  \"upcoming\": ");
    if upcoming.is_empty() {
        head.push_str("[]\n}\n");
        return (vec![Piece::from(head)], upcoming);
    }
    head.push_str("[\n");
    let between = Piece::from(",\n".to_string());
    let mut pieces = Vec::with_capacity(2 * upcoming.len() + 1);
    pieces.push(Piece::from(head));
    for (n, (_, entry)) in upcoming.iter().enumerate() {
        if n > 0 {
            pieces.push(between.clone());
        }
        pieces.push(entry.head.clone());
    }
    pieces.push(Piece::from("\n  ]\n}\n".to_string()));
    (pieces, upcoming)
}

/// The key in the cache of events of an occurrence's text in
/// `feeds.json`: everything the text is made from (the settings and the
/// systems' names are in the cache's common print, [`Prints::common`]);
/// marked so that it is never the key of a VEVENT.
fn item_key(prints: &Prints, o: &Occurrence) -> u64 {
    crate::hash::Print::of_hash(&("feeds.json item", prints.common(), prints.occurrence(o)))
}
