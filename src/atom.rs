//! The Atom feeds (RFC 4287): beside each `.ics` feed an `.atom` of the
//! same events, as announcements: one entry per occurrence, titled with its
//! status (new, changed, cancelled), newest change first, so that a feed
//! reader shows what moved since it last looked.
//!
//! This module owns which entries a feed has, their order, ids and text;
//! the XML is in `templates/feed.atom`. Every time in it comes from the
//! state file's revisions ([`crate::state`]), never from the build's clock:
//! a rebuild of the same schedules writes the same bytes.

use askama::Template;
use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::expand::{Expansion, Kind, Occurrence};
use crate::render::{Feed, FeedOf, Views, page_file, revision};
use crate::schedule::{Status, SystemNames};
use crate::state::{PAGE, Revision, Revisions};
use crate::view::View;
use crate::wording::Wording;

/// The date in every tag URI (RFC 4151) nedetid makes: a tag's date says
/// when its authority held the name, and a fixed one keeps every id the
/// same for as long as the UID is (a date from the event would change the
/// id when the event moves).
const TAG_DATE: &str = "2000";

/// Every Atom feed's text, in the order of `feeds`, on all cores; `None`
/// for a feed not `wanted` (its published file is kept).
pub fn feeds(
    expansion: &Expansion,
    feeds: &[Feed],
    views: &Views,
    revisions: &Revisions,
    now: DateTime<Utc>,
    wanted: &[bool],
) -> Vec<Option<String>> {
    let w = expansion.schedule.settings.wording();
    let names = expansion.schedule.system_names();
    let ctx = Ctx {
        w,
        expansion,
        names: &names,
        views,
        revisions,
        now,
    };
    let work: Vec<(usize, &Feed)> = feeds.iter().enumerate().collect();
    crate::par::map(&work, |(i, f)| {
        let wanted = wanted.get(*i).copied().unwrap_or(true);
        wanted.then(|| crate::html::render(&ctx.feed(f)))
    })
}

/// When the data last changed: the latest revision stamp of any event;
/// `None` without events.
pub fn last_change(revisions: &Revisions) -> Option<DateTime<Utc>> {
    revisions.values().map(|r| r.stamp).max()
}

/// An RFC 3339 time in UTC, to the second, as Atom's date constructs have it.
fn rfc3339(t: DateTime<Utc>) -> String {
    crate::stamp::utc(t, "-")
}

/// `templates/feed.atom`.
#[derive(Template)]
#[template(path = "feed.atom", config = "templates/askama.toml")]
struct AtomFeed<'a> {
    lang: &'a str,
    id: String,
    title: &'a str,
    subtitle: Option<&'a str>,
    updated: String,
    author: &'a str,
    version: &'a str,
    self_href: Option<String>,
    page: String,
    ics: String,
    /// Newest change first.
    entries: Vec<Entry>,
}

struct Entry {
    id: String,
    title: String,
    updated: String,
    link: String,
    categories: Vec<&'static str>,
    content: String,
}

/// An entry to be: its revision, whether it has ended and its start (for
/// the order), the occurrence and the feed's view of it.
type Shown<'o> = (Revision, (bool, DateTime<Utc>), &'o Occurrence<'o>, u32);

struct Ctx<'a> {
    w: &'a Wording,
    expansion: &'a Expansion<'a>,
    names: &'a SystemNames<'a>,
    views: &'a Views,
    revisions: &'a Revisions,
    now: DateTime<Utc>,
}

impl<'a> Ctx<'a> {
    fn feed(&self, feed: &'a Feed) -> AtomFeed<'a> {
        let schedule = self.expansion.schedule;
        let settings = &schedule.settings;
        let zone = settings.zone;
        let base = settings.base_url.as_deref();
        let address = |file: &str| format!("{}{file}", base.unwrap_or(""));
        // A cancelled event is news until it has ended, then gone.
        let mut shown: Vec<Shown> = feed
            .occurrences()
            .iter()
            .filter_map(|(i, v)| Some((self.expansion.occurrences.get(*i)?, *v)))
            .filter(|(o, _)| o.status() != Status::Cancelled || o.time.instants(zone).1 > self.now)
            .map(|(o, v)| {
                let (start, end) = o.time.instants(zone);
                (
                    revision(self.revisions, &o.key()),
                    (end <= self.now, start),
                    o,
                    v,
                )
            })
            .collect();
        // Newest change first; among changes at one time (every event of a
        // first build) what has not ended, soonest first, then the rest.
        shown.sort_by(|a, b| {
            b.0.stamp
                .cmp(&a.0.stamp)
                .then(a.1.cmp(&b.1))
                .then_with(|| a.2.occurrence.cmp(&b.2.occurrence))
        });
        shown.truncate(crate::limits::MAX_ATOM_ENTRIES);
        let updated = shown
            .iter()
            .map(|(r, ..)| r.stamp)
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH);
        let description = feed.description(schedule);
        AtomFeed {
            lang: self.w.lang,
            id: tag_uri(&settings.uid_domain, &format!("feed/{}", feed.id)),
            title: &feed.name,
            subtitle: description,
            updated: rfc3339(updated),
            author: settings.calendar_name(self.w),
            version: env!("CARGO_PKG_VERSION"),
            self_href: base.map(|b| format!("{b}{}", feed.atom_name)),
            page: address(PAGE),
            ics: address(&feed.file_name),
            entries: shown
                .into_iter()
                .filter_map(|(rev, _, o, v)| {
                    // Its details are on the feed's page; the feed with
                    // everything has none: the page of its first system.
                    let page = match feed.of {
                        FeedOf::System(_) | FeedOf::Bundle(_) => feed.page_name.clone(),
                        FeedOf::Everyone => o
                            .details
                            .systems
                            .first()
                            .map_or_else(|| PAGE.to_string(), |s| page_file(s)),
                    };
                    Some(self.entry(o, self.views.get(v)?, rev, &address(&page)))
                })
                .collect(),
        }
    }

    fn entry(&self, o: &Occurrence, view: &View, rev: Revision, page: &str) -> Entry {
        let w = self.w;
        let d = o.details;
        let status = if o.status() == Status::Cancelled {
            w.cancelled
        } else if rev.sequence == 0 {
            w.atom_new
        } else {
            w.atom_changed
        };
        // In this feed's view: the systems hit, or the dependency that
        // brings it in; the impact when less than down.
        let label = crate::render::label(w, d, view, self.names);
        let impact = crate::render::impact_tag(w, view.impact);
        let (local, domain) = o
            .occurrence
            .rsplit_once('@')
            .unwrap_or((&o.occurrence, &self.expansion.schedule.settings.uid_domain));
        let fragment = match o.kind {
            Kind::Outage => format!("{}{}", w.ids.outage, crate::page::anchor(o.source_id)),
            Kind::Maintenance => format!("{}{}", w.ids.series, crate::page::anchor(o.source_id)),
        };
        let note = crate::render::note(w, o.cancellation.as_ref(), o.change);
        let text = crate::render::Text {
            w,
            view,
            names: self.names,
            label: &label,
        };
        let text = crate::render::description(&text, d, note.as_deref());
        let when = crate::render::when_text(w, &o.time);
        Entry {
            id: tag_uri(domain, local),
            title: (w.atom_title)(status, &(w.summary)(false, &label, &d.title, impact)),
            updated: rfc3339(rev.stamp),
            link: format!("{page}#{fragment}"),
            categories: vec![match o.kind {
                Kind::Outage => w.outage_category,
                Kind::Maintenance => w.maintenance_category,
            }],
            content: format!("{status}. {}: {when}\n\n{text}", w.when_term),
        }
    }
}

/// The characters a tag URI's specific part may not hold as they are
/// (RFC 4151: pchar, `/` and `?`).
const TAG_ESCAPE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// `tag:<domain>,<date>:<specific>` (RFC 4151), from a UID's two halves.
fn tag_uri(domain: &str, specific: &str) -> String {
    let domain: String = domain
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        .collect::<String>()
        .to_ascii_lowercase();
    format!(
        "tag:{domain},{TAG_DATE}:{}",
        utf8_percent_encode(specific, TAG_ESCAPE)
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::pipeline::{expansion, load_memory};
    use crate::render::feed_list;

    fn at(s: &str) -> DateTime<Utc> {
        crate::cli::parse_now(s).unwrap_or_else(|e| panic!("{e}"))
    }

    const YAML: &str = r#"settings:
  uid-domain: example.no
  base-url: https://example.no/n/
systems:
  - id: a
    name: A & <B>
  - id: b
    name: B
outages:
  - id: one
    title: "One \"quoted\" \u0007bell"
    systems: [a]
    start: 2026-03-02 10:00
    end: 2026-03-02 12:00
  - id: two
    title: Two
    systems: [a, b]
    start: 2026-03-05 10:00
    end: 2026-03-05 12:00
  - id: gone
    title: Gone
    status: cancelled
    systems: [b]
    start: 2026-02-01 10:00
    end: 2026-02-01 12:00
  - id: off
    title: Off
    status: cancelled
    systems: [b]
    start: 2026-04-01 10:00
    end: 2026-04-01 12:00
"#;

    /// Every Atom feed of [`YAML`] at `now`, given each event's revision.
    fn atom_feeds(now: &str, revs: &[(&str, u32, &str)]) -> Vec<(String, String)> {
        let files = [(PathBuf::from("t.yaml"), YAML.as_bytes().to_vec())];
        let checked = load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
        let now = at(now);
        let exp = expansion(&checked, now).unwrap_or_else(|e| panic!("{e}"));
        let revisions: Revisions = revs
            .iter()
            .map(|(id, sequence, stamp)| {
                (
                    format!("{id}@example.no"),
                    Revision {
                        sequence: *sequence,
                        stamp: at(stamp),
                    },
                )
            })
            .collect();
        let (list, views) = feed_list(&exp);
        let texts = feeds(&exp, &list, &views, &revisions, now, &[]);
        list.into_iter()
            .map(|f| f.atom_name)
            .zip(texts.into_iter().flatten())
            .collect()
    }

    fn titles(atom: &str) -> Vec<&str> {
        atom.split("<entry>\n<id>")
            .skip(1)
            .filter_map(|e| e.split("<title>").nth(1)?.split("</title>").next())
            .collect()
    }

    fn feed<'f>(feeds: &'f [(String, String)], name: &str) -> &'f str {
        &feeds.iter().find(|(n, _)| n == name).expect(name).1
    }

    const REVS: [(&str, u32, &str); 4] = [
        ("one", 0, "2026-01-10T08:00:00Z"),
        ("two", 2, "2026-02-20T08:00:00Z"),
        ("gone", 1, "2026-01-20T08:00:00Z"),
        ("off", 1, "2026-02-25T08:00:00Z"),
    ];

    #[test]
    fn entries_say_new_changed_or_cancelled_newest_change_first() {
        let feeds = atom_feeds("2026-03-01T00:00:00Z", &REVS);
        let all = feed(&feeds, "all.atom");
        // "gone" ended on 1 February: no longer news.
        assert_eq!(
            titles(all),
            [
                "AVLYST: B: Off",
                "Endret: A &amp; &lt;B&gt;, B: Two",
                "Ny: A &amp; &lt;B&gt;: One &quot;quoted&quot; bell",
            ]
        );
        // The feed's time is its newest entry's, not the build's.
        assert!(all.contains("<updated>2026-02-25T08:00:00Z</updated>\n<author>"));
        assert!(all.contains("<id>tag:example.no,2000:two</id>"));
        assert!(all.contains("<id>tag:example.no,2000:feed/all</id>"));
        assert!(!all.contains('\u{7}'), "a control character XML forbids");
        // In the feed with everything: the first system's page.
        assert!(all.contains("href=\"https://example.no/n/a.html#nedetid-two\""));
        let b = feed(&feeds, "b.atom");
        assert_eq!(
            titles(b),
            ["AVLYST: B: Off", "Endret: A &amp; &lt;B&gt;, B: Two"]
        );
        assert!(b.contains("href=\"https://example.no/n/b.html#nedetid-two\""));
        assert!(b.contains(
            "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://example.no/n/b.atom\"/>"
        ));
        // Before "gone" ended it was there, as cancelled.
        let earlier = atom_feeds("2026-01-31T00:00:00Z", &REVS);
        assert!(titles(feed(&earlier, "b.atom")).contains(&"AVLYST: B: Gone"));
    }

    #[test]
    fn the_same_state_gives_the_same_bytes_whenever_it_is_built() {
        let a = atom_feeds("2026-03-01T00:00:00Z", &REVS);
        assert_eq!(a, atom_feeds("2026-03-01T00:00:00Z", &REVS));
        // A later build that passes no start or end: the same bytes.
        assert_eq!(a, atom_feeds("2026-03-02T08:00:00Z", &REVS));
    }

    #[test]
    fn a_feed_without_news_is_still_a_feed() {
        // Every event past; without revisions every stamp is the epoch.
        let feeds = atom_feeds("2027-01-01T00:00:00Z", &[]);
        let b = feed(&feeds, "b.atom");
        assert!(b.contains("<updated>1970-01-01T00:00:00Z</updated>"));
        assert!(b.contains("<author><name>"));
        // Ended events stay unless cancelled.
        assert_eq!(titles(b), ["Ny: A &amp; &lt;B&gt;, B: Two"]);
    }

    #[test]
    fn tag_uris_escape_what_a_tag_may_not_hold() {
        assert_eq!(
            tag_uri("Example.NO", "a b#c"),
            "tag:example.no,2000:a%20b%23c"
        );
    }
}
