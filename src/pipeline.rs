//! The one load-validate-expand-render pipeline that `check`, `list` and
//! `build` share, so that they cannot drift apart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::{Error, Problem, Report};
use crate::expand::{Expansion, expand};
use crate::par;
use crate::publish::{Content, Output, Reuse};
use crate::render::{self, Feed, FeedOf};
use crate::schedule::{Recurrence, Schedule};
use crate::state::{EventTexts, FEEDS_JSON, MANIFEST, Manifest, SCHEMA};
use crate::validate::Validated;

/// Schedules that loaded, validated as far as they are valid, with their
/// problems and the source text for showing them. [`expansion_as`] is the
/// gate: it fails when validation found errors, and then reports them with
/// the expansion's own, so that one run shows every problem.
#[derive(Debug)]
pub struct Checked {
    /// With validation errors: only the items that passed.
    pub schedule: Schedule,
    /// Validation's warnings.
    pub warnings: Vec<Problem>,
    /// Validation's errors.
    errors: Vec<Problem>,
    /// Expanding the valid items can find more problems.
    expandable: bool,
    sources: BTreeMap<PathBuf, String>,
}

impl Checked {
    /// A report of `problems` that can show snippets of these schedules.
    pub fn report(&self, problems: Vec<Problem>) -> Report {
        Report::new(problems, self.sources.clone())
    }
}

/// Loads and validates every schedule file in `dir`.
pub fn load(dir: &Path) -> Result<Checked, Error> {
    check_loaded(crate::load::load_dir(dir)?)
}

/// Validates schedule files given as (name, bytes), without touching the
/// file system: for fuzzing, property tests and benchmarks.
pub fn load_memory(files: &[(PathBuf, Vec<u8>)]) -> Result<Checked, Error> {
    check_loaded(crate::load::parse_files(files, Vec::new()))
}

/// Validates files read by [`crate::load::read_dir`].
pub fn load_files(files: &[(PathBuf, Vec<u8>)], problems: Vec<Problem>) -> Result<Checked, Error> {
    check_loaded(crate::load::parse_files(files, problems))
}

/// A fingerprint of everything a build's output depends on besides the
/// time: the schedule files (names and bytes), the recurrence form, the
/// version of nedetid and the schema it publishes (which changes with the
/// format, also between builds of one version).
pub fn input_fingerprint(files: &[(PathBuf, Vec<u8>)], recurrence: Recurrence) -> String {
    let mut text = format!(
        "{}\n{recurrence:?}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        crate::state::fingerprint(&crate::schema::json())
    );
    let mut contents = crate::hash::Print::new();
    for (path, content) in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        text.push_str(&format!("{name}\n{}\n", content.len()));
        contents.update(content);
    }
    format!("{}-{}", crate::state::fingerprint(&text), contents.hex())
}

/// When the output last changed, and next changes, with no edit: the last
/// such moment at or before `now` (a build with an earlier `now`, from an
/// older `--now` or `SOURCE_DATE_EPOCH` or a clock set back, must not reuse
/// the output) and the first after it. Such moments: an event starting or
/// ending (the page and `feeds.json` move it from upcoming to past, the
/// Atom feeds drop it when cancelled), an event coming within
/// [`crate::limits::NOW_AHEAD_DAYS`] (the page lists it for "Pågår nå"), an
/// event leaving the retention window, and with open-ended series each
/// midnight (the horizon moves). `None`: no such moment.
fn validity(
    expansion: &Expansion,
    now: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let mut window = crate::sources::Window::default();
    for m in change_moments(expansion, now) {
        window.see(m, now);
    }
    (window.from, window.until)
}

/// The moments around `now` at which the output changes by itself.
fn change_moments(expansion: &Expansion, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let settings = &expansion.schedule.settings;
    let zone = settings.zone;
    let midnight = |d| crate::expand::local_midnight(zone, d);
    let mut moments: Vec<DateTime<Utc>> = expansion
        .occurrences
        .iter()
        .flat_map(|o| crate::sources::moments(settings, o))
        .flatten()
        .collect();
    if expansion.schedule.series.iter().any(|s| s.until.is_none()) {
        let today = now.with_timezone(&zone).date_naive();
        moments.push(midnight(today));
        moments.extend(today.succ_opt().map(midnight));
    }
    moments
}

/// Validates parsed schedule files ([`crate::load::parse_files`]).
pub fn check_loaded(loaded: crate::load::Loaded) -> Result<Checked, Error> {
    check_loaded_keeping(loaded, false).map(|(checked, _)| checked)
}

/// [`check_loaded`], with each file's validated items encoded for the
/// cache when `keep` ([`crate::validate::validate_with`]).
pub fn check_loaded_keeping(
    loaded: crate::load::Loaded,
    keep: bool,
) -> Result<(Checked, crate::validate::ItemForms), Error> {
    // A file that did not parse leaves its systems undefined and its
    // settings unknown: checking the rest would only report echoes of it.
    if !loaded.problems.is_empty() {
        return Err(Error::Invalid(Report::new(loaded.problems, loaded.sources)));
    }
    let (
        Validated {
            schedule,
            problems,
            settings_valid,
        },
        forms,
    ) = crate::validate::validate_with(&loaded.files, loaded.checked, keep);
    // The parsed files are not needed again: freed on the side (21,000
    // outages' strings take 10 ms to free at national size).
    let files = loaded.files;
    // When no thread can be had, the failed spawn drops them here.
    let _detached = std::thread::Builder::new().spawn(move || drop(files));
    let (errors, warnings) = problems
        .into_iter()
        .partition(|p| p.severity == crate::error::Severity::Error);
    let checked = Checked {
        schedule,
        warnings,
        errors,
        expandable: settings_valid,
        sources: loaded.sources,
    };
    Ok((checked, forms))
}

/// Expands the checked schedules as of `now`; series are published
/// expanded unless they say otherwise.
pub fn expansion(checked: &Checked, now: DateTime<Utc>) -> Result<Expansion<'_>, Error> {
    expansion_as(checked, now, Recurrence::Expand)
}

/// Expands the checked schedules as of `now`, and shapes the series that
/// are published in RRULE form (`recurrence` unless a series says).
pub fn expansion_as(
    checked: &Checked,
    now: DateTime<Utc>,
    recurrence: Recurrence,
) -> Result<Expansion<'_>, Error> {
    let invalid = |mut problems: Vec<Problem>| {
        problems.extend(checked.errors.iter().cloned());
        problems.extend(checked.warnings.iter().cloned());
        Error::Invalid(checked.report(problems))
    };
    if !checked.errors.is_empty() && !checked.expandable {
        return Err(invalid(Vec::new()));
    }
    let mut expansion = expand(&checked.schedule, now).map_err(invalid)?;
    if !checked.errors.is_empty() {
        return Err(invalid(Vec::new()));
    }
    expansion.notes = crate::series::shape(&mut expansion, recurrence);
    let over_budget = crate::budget::check(&expansion);
    if !over_budget.is_empty() {
        return Err(invalid(over_budget));
    }
    Ok(expansion)
}

/// Adds the outages `previous` published that are no longer in the
/// schedules and have not ended, as cancelled ([`crate::cancel`]), before
/// [`expansion_over`] expands them with the rest.
pub fn keep_removed(checked: &mut Checked, previous: &Manifest, now: DateTime<Utc>) {
    crate::cancel::restore_removed(&mut checked.schedule, previous, now);
}

/// [`expansion_as`] for a build that publishes over `previous`: dates
/// skipped since it published them are kept as cancelled until they have
/// ended ([`crate::cancel`]).
pub fn expansion_over<'c>(
    checked: &'c Checked,
    previous: &Manifest,
    now: DateTime<Utc>,
    recurrence: Recurrence,
) -> Result<Expansion<'c>, Error> {
    let mut expansion = expansion_as(checked, now, recurrence)?;
    crate::cancel::cancel_skipped(&mut expansion, previous, now);
    Ok(expansion)
}

/// The warnings of validation and of the expansion as of `now`.
pub fn warnings(checked: &Checked, expansion: &Expansion, now: DateTime<Utc>) -> Vec<Problem> {
    let mut all = checked.warnings.clone();
    all.extend(crate::warn::warnings(expansion, now));
    all.extend(expansion.notes.iter().cloned());
    all
}

/// Feeds larger than this are refused by Google Calendar.
pub const FEED_WARN_BYTES: usize = 1_000_000;

/// Everything `build` publishes, rendered in memory.
#[derive(Debug)]
pub struct Rendered {
    /// The feeds, without their text (it is in `outputs`).
    pub feeds: Vec<Feed>,
    /// Calendar feeds, Atom feeds, `index.html` and the systems' pages,
    /// `feeds.json`, `schema.json`, then `manifest.json`.
    pub outputs: Vec<Output>,
    pub manifest: Manifest,
    /// Every VEVENT and `feeds.json` item rendered or taken from the cache,
    /// by the fingerprint of what it is rendered from: the cache of the
    /// next build.
    pub events: Vec<(u64, crate::cache::Entry)>,
    /// The print those fingerprints start from ([`render::Prints::common`]).
    pub events_common: u64,
}

/// Renders every output file. `previous` is the state of the last build:
/// events whose content changed since get the next SEQUENCE and `now` as
/// their DTSTAMP.
pub fn render(expansion: &Expansion, previous: &Manifest, now: DateTime<Utc>) -> Rendered {
    render_recording(
        expansion,
        (previous, &EventTexts::default()),
        now,
        None,
        &Reuse::none(),
        &mut crate::cache::Events::none(),
    )
}

/// [`render`], recording in the state file what the build was made from
/// (the input's [`input_fingerprint`]), so that a later build of the same
/// input before `valid_until` can stop early. The files of a bundle or
/// system that `reuse` may keep, because they are made from the same
/// sources as when they were published ([`crate::sources`]), are kept as
/// they are ([`Content::Kept`]) instead of rendered; so are the events
/// `cache` has. A cache of events rendered with other settings or systems'
/// names has none of this build's: it is emptied (and its memory freed)
/// before the events are rendered.
pub fn render_recording(
    expansion: &Expansion,
    (previous, previous_texts): (&Manifest, &EventTexts),
    now: DateTime<Utc>,
    fingerprint: Option<String>,
    reuse: &Reuse,
    cache: &mut crate::cache::Events,
) -> Rendered {
    let (feeds, views) = render::feed_list(expansion);
    crate::timing::mark("feed list");
    let mut files: Vec<String> = feeds
        .iter()
        .flat_map(|f| [&f.file_name, &f.atom_name, &f.page_name])
        .cloned()
        .chain([FEEDS_JSON, SCHEMA, MANIFEST].map(String::from))
        .collect();
    files.sort();
    files.dedup();
    let prints = render::Prints::new(expansion, &views);
    crate::timing::mark("prints");
    if cache.common() != Some(prints.common()) {
        *cache = crate::cache::Events::none();
    }
    let cache = &*cache;
    // feeds.json needs only the list of feeds and the prints: it is made on
    // its own thread while the events are rendered and revised. The pages
    // and the Atom feeds need the revisions (when each event last changed);
    // they are made while the calendar feeds are put together.
    let (texts, atoms, page, feeds_json, made, state, (events, events_common)) =
        std::thread::scope(|scope| {
            let json = scope.spawn(|| {
                let json = crate::list::feeds_json(expansion, &feeds, now, &prints, cache);
                crate::timing::mark("feeds.json");
                json
            });
            let mut events = render::Events::render(expansion, &feeds, &views, &prints, cache);
            crate::timing::mark("events rendered");
            let (revisions, mut manifest) = previous.revise(events.hashes(), now, files);
            crate::timing::mark("revised");
            // The outages go into the state, and its text is written, while
            // the feeds are put together; the input goes in at the end.
            let state_json = scope.spawn(move || {
                crate::cancel::record_outages(&mut manifest, expansion, now);
                let json = manifest.to_json_reusing(previous, previous_texts);
                crate::timing::mark("state text");
                (manifest, json)
            });
            let (texts, atoms, page, made) = std::thread::scope(|inner| {
                let (feeds, views, revisions) = (&feeds, &views, &revisions);
                // `all.atom` and the index show every event and are made on
                // every build: while the events are revised and the sources
                // worked out.
                let everyone = inner.spawn(move || {
                    let only: Vec<bool> = feeds.iter().map(|f| f.of == FeedOf::Everyone).collect();
                    let atom = crate::atom::feeds(expansion, feeds, views, revisions, now, &only);
                    let index = crate::page::render_pages(expansion, feeds, now, revisions, &only);
                    crate::timing::mark("all.atom, index");
                    (atom, index)
                });
                events.revise(revisions);
                crate::timing::mark("events revised");
                let sources = crate::sources::of_feeds(expansion, feeds, &prints, revisions, now);
                crate::timing::mark("sources");
                let made: Vec<Made> = feeds
                    .iter()
                    .zip(sources)
                    .map(|(f, source)| Made::of(f, source, reuse))
                    .collect();
                let wanted = |k: usize| -> Vec<bool> {
                    let rest = feeds.iter().zip(&made);
                    rest.map(|(f, m)| f.of != FeedOf::Everyone && m.kept[k].is_none())
                        .collect()
                };
                let (atom_wanted, page_wanted) = (wanted(1), wanted(2));
                let ics_wanted: Vec<bool> = made.iter().map(|m| m.kept[0].is_none()).collect();
                let pages = inner.spawn(move || {
                    let pages =
                        crate::page::render_pages(expansion, feeds, now, revisions, &page_wanted);
                    crate::timing::mark("pages");
                    pages
                });
                let atoms = inner.spawn(move || {
                    let atoms =
                        crate::atom::feeds(expansion, feeds, views, revisions, now, &atom_wanted);
                    crate::timing::mark("atoms");
                    atoms
                });
                let texts = render::feed_pieces(expansion, feeds, &events, &ics_wanted);
                crate::timing::mark("feed pieces");
                let (all_atom, mut index) = par::join(everyone);
                let atoms: Vec<Option<String>> = par::join(atoms)
                    .into_iter()
                    .zip(all_atom)
                    .map(|(rest, all)| rest.or(all))
                    .collect();
                index.extend(par::join(pages));
                (texts, atoms, index, made)
            });
            // The cache keeps the events' texts and feeds.json's items.
            let (json, items) = par::join(json);
            let mut entries = events.cache_entries();
            entries.extend(items);
            (
                texts,
                atoms,
                page,
                json,
                made,
                par::join(state_json),
                (entries, prints.common()),
            )
        });
    // Each feed's three files, rendered or kept, in the order of the feeds.
    let mut outputs: Vec<Output> = Vec::with_capacity(feeds.len() * 3 + 3);
    for ((f, pieces), m) in feeds.iter().zip(texts).zip(&made) {
        outputs.push(m.output(0, &f.file_name, pieces.map(Content::Pieces)));
    }
    for ((f, text), m) in feeds.iter().zip(atoms).zip(&made) {
        outputs.push(m.output(1, &f.atom_name, text.map(Content::from)));
    }
    let mut pages = page.into_iter().peekable();
    if let Some(index) = pages.next_if(|p| p.name == crate::state::PAGE) {
        outputs.push(Output::new(index.name, index.html));
    }
    for (f, m) in feeds.iter().zip(&made) {
        if f.of == render::FeedOf::Everyone {
            continue;
        }
        let rendered = pages
            .next_if(|p| p.name == f.page_name)
            .map(|p| Content::from(p.html));
        outputs.push(m.output(2, &f.page_name, rendered));
    }
    outputs.push(Output {
        name: FEEDS_JSON.to_string(),
        content: Content::Pieces(feeds_json),
        source: None,
    });
    outputs.push(Output::new(SCHEMA, crate::schema::json()));
    let (mut manifest, mut state_json) = state;
    if let Some(fingerprint) = fingerprint {
        let sizes = outputs
            .iter()
            .map(|o| (o.name.clone(), o.content.len() as u64))
            .collect();
        let (valid_from, valid_until) = validity(expansion, now);
        let input = crate::state::InputState {
            fingerprint,
            valid_from,
            valid_until,
            sizes,
        };
        state_json = Manifest::json_with_input(state_json, &input);
        manifest.input = Some(input);
    }
    outputs.push(Output::new(MANIFEST, state_json));
    crate::timing::mark("outputs");
    Rendered {
        feeds,
        outputs,
        manifest,
        events,
        events_common,
    }
}

/// What a feed's three files (`.ics`, `.atom`, page) are made from, and
/// those of them the last publish left that the build keeps.
struct Made {
    source: Option<String>,
    kept: [Option<Content>; 3],
}

impl Made {
    fn of(feed: &Feed, source: Option<String>, reuse: &Reuse) -> Self {
        let kept = [&feed.file_name, &feed.atom_name, &feed.page_name]
            .map(|name| source.as_deref().and_then(|s| reuse.kept(name, s)));
        Self { source, kept }
    }

    /// File `k` of the three: what was rendered, else the published file
    /// kept (a file is rendered exactly when it is not kept).
    fn output(&self, k: usize, name: &str, rendered: Option<Content>) -> Output {
        Output {
            name: name.to_string(),
            content: rendered
                .or_else(|| self.kept[k].clone())
                .unwrap_or(Content::Bytes(Vec::new())),
            source: self.source.clone(),
        }
    }
}

/// `all.ics` (unfolded) of a schedule given as YAML text, built at `now`
/// (RFC 3339) in `recurrence` form with no earlier state: for unit tests.
#[cfg(test)]
pub(crate) fn all_ics_of(yaml: &str, now: &str, recurrence: Recurrence) -> String {
    let files = [(PathBuf::from("t.yaml"), yaml.as_bytes().to_vec())];
    let checked = load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
    let now = crate::cli::parse_now(now).unwrap_or_else(|e| panic!("{e}"));
    let expansion = expansion_as(&checked, now, recurrence).unwrap_or_else(|e| panic!("{e}"));
    let rendered = render(&expansion, &Manifest::default(), now);
    let all = rendered
        .outputs
        .iter()
        .find(|o| o.name == "all.ics")
        .and_then(|o| o.content.to_vec());
    crate::ical::unfold(&String::from_utf8(all.unwrap_or_default()).unwrap_or_default())
}

/// The `error:` lines of the report when a schedule given as YAML text is
/// expanded at the Unix epoch (none when it expands): for unit tests.
#[cfg(test)]
pub(crate) fn error_lines_of(yaml: &str) -> Vec<String> {
    let files = [(PathBuf::from("t.yaml"), yaml.as_bytes().to_vec())];
    let checked = load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
    match expansion(&checked, DateTime::<Utc>::UNIX_EPOCH) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .to_string()
            .lines()
            .map(str::trim_start)
            .filter(|l| l.starts_with("error: "))
            .map(String::from)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "systems:\n  - id: s\n    name: S\noutages:\n  - id: o\n    title: O\n    systems: [s]\n    start: 2026-03-10 10:00\n    end: 2026-03-10 12:00\n";

    fn at(s: &str) -> DateTime<Utc> {
        crate::cli::parse_now(s).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every output but the state file, as text, rendered at `now` over
    /// the state `previous`; and the state it leaves.
    fn outputs_at(
        checked: &Checked,
        now: &str,
        previous: &Manifest,
    ) -> (Vec<(String, String)>, Manifest) {
        let now = at(now);
        let exp = expansion(checked, now).unwrap_or_else(|e| panic!("{e}"));
        let rendered = render(&exp, previous, now);
        let texts = rendered
            .outputs
            .into_iter()
            .filter(|o| o.name != MANIFEST)
            .map(|o| {
                (
                    o.name,
                    String::from_utf8_lossy(&o.content.to_vec().unwrap_or_default()).into_owned(),
                )
            })
            .collect();
        (texts, rendered.manifest)
    }

    #[test]
    fn the_output_changes_only_at_the_moments_the_no_op_check_knows() {
        let files = [(PathBuf::from("t.yaml"), YAML.as_bytes().to_vec())];
        let checked = load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
        // A week before the start (11:00 in Oslo is 09:00 UTC) the page
        // starts listing it for "Pågår nå": that is when the output is
        // valid until.
        let now = at("2026-01-01T00:00:00Z");
        let exp = expansion(&checked, now).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            validity(&exp, now),
            (None, Some(at("2026-03-03T09:00:00Z")))
        );
        let (early, state) = outputs_at(&checked, "2026-01-01T00:00:00Z", &Manifest::default());
        let (before, _) = outputs_at(&checked, "2026-03-03T08:59:00Z", &state);
        let (after, _) = outputs_at(&checked, "2026-03-03T09:01:00Z", &state);
        assert!(
            early == before,
            "no moment between them, yet the output changed"
        );
        let page = |o: &[(String, String)]| {
            o.iter()
                .find(|(n, _)| n == "index.html")
                .map(|(_, text)| text.clone())
                .unwrap_or_default()
        };
        assert!(!page(&before).contains("data-start=\"2026-03-10T09:00:00Z\""));
        assert!(page(&after).contains("data-start=\"2026-03-10T09:00:00Z\""));
    }

    /// The output valid from a moment is already the one at that moment: a
    /// build at the instant a week before a start, or at an end plus the
    /// retention (timed, and all-day), writes what a build a second later
    /// writes (the no-op check counts a moment as passed when it comes).
    #[test]
    fn at_a_moment_the_output_already_is_what_it_stays() {
        let yaml = "settings:\n  retention-days: 2\nsystems:\n  - id: s\n    name: S\noutages:\n  - id: o\n    title: O\n    systems: [s]\n    start: 2026-03-10 10:00\n    end: 2026-03-10 12:00\n  - id: d\n    title: D\n    systems: [s]\n    first-day: 2026-03-20\n    last-day: 2026-03-20\n";
        let files = [(PathBuf::from("t.yaml"), yaml.as_bytes().to_vec())];
        let checked = load_memory(&files).unwrap_or_else(|e| panic!("{e}"));
        for (moment, second) in [
            ("2026-03-03T09:00:00Z", "2026-03-03T09:00:01Z"),
            ("2026-03-12T11:00:00Z", "2026-03-12T11:00:01Z"),
            ("2026-03-22T23:00:00Z", "2026-03-22T23:00:01Z"),
        ] {
            let (first, state) = outputs_at(&checked, moment, &Manifest::default());
            let (then, _) = outputs_at(&checked, second, &state);
            assert!(first == then, "{moment}: the output changed a second later");
        }
    }
}
