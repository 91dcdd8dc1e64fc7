//! Validation: builds the [`Schedule`] from the [`RawFile`]s of every
//! schedule file together (ids, references between files, dates, times,
//! rules and their exceptions) and reports every problem it finds, not only
//! the first.
//!
//! [`RawFile`]: crate::raw::RawFile

mod graph;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _};
use chrono_tz::Tz;

use crate::error::{Location, Problem, suggest};
use crate::hash::FastMap;
use crate::limits::{
    MAX_ID_LEN, MAX_ITEM_CHARS, MAX_ITEMS, MAX_LINK_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS,
    MAX_WINDOW_DAYS, MAX_YEAR, MIN_YEAR,
};
use crate::load::SourceFile;
use crate::parsed::FileItems;
use crate::raw::{
    RawExtra, RawImpact, RawItem, RawMaintenance, RawMove, RawOutage, RawSettings, RawSkip,
    RawSkipMonth, RawSystem, RawSystems, Spanned,
};
use crate::rules::{check_exceptions, rrule_message};
use crate::schedule::*;

/// The schedule of what is valid, and every problem found.
#[derive(Debug)]
pub struct Validated {
    /// With errors, only the items that passed.
    pub schedule: Schedule,
    /// Errors and warnings, in the order found.
    pub problems: Vec<Problem>,
    /// The settings passed: the items can be expanded in their zone, so that
    /// later stages can report their own problems in the same run.
    pub settings_valid: bool,
}

/// For each file validated, its validated items encoded for the cache
/// ([`crate::parsed::FileItems`]), where they are kept.
pub type ItemForms = Vec<Option<Vec<u8>>>;

/// Checks every loaded file together and builds the schedule.
pub fn validate(files: &[SourceFile]) -> Validated {
    validate_with(files, Vec::new(), false).0
}

/// [`validate`], taking the outages and maintenance of a file from
/// `checked` (by index in `files`) where it has them, as a build that had
/// the same systems and bundles left them ([`crate::parsed`]); with, when
/// `keep`, each file's validated items encoded for the next build's cache
/// where it has no errors (and was validated here).
pub fn validate_with(
    files: &[SourceFile],
    mut checked: Vec<Option<FileItems>>,
    keep: bool,
) -> (Validated, ItemForms) {
    let mut v = Validator::default();
    let settings = v.settings(files);
    // Warnings about publishing (no `base-url`, ...) do not stop expansion.
    let settings_valid = !v
        .problems
        .iter()
        .any(|p| p.severity == crate::error::Severity::Error);
    let systems = v.systems(files);
    v.all_systems = systems.iter().map(|s| s.id.clone()).collect();
    let known: BTreeMap<&str, &System> = systems.iter().map(|s| (s.id.as_str(), s)).collect();
    v.dependants = Arc::new(v.dependants(files, &known));
    let bundles = v.bundles(files, &known);
    v.reacher = Arc::new(crate::schedule::Reacher::new(
        systems.iter().map(|s| s.id.as_str()),
        &v.dependants,
        &bundles,
    ));
    checked.resize_with(files.len(), || None);
    // Ids are unique across files: checked in file order first. Then the
    // files' outages and series are checked on every core; the problems come
    // out in the same order as one by one.
    let mut event_ids: FastMap<&str, IdAt> = FastMap::default();
    let mut duplicates: Vec<Vec<Option<Problem>>> = Vec::with_capacity(files.len());
    for (file, checked) in files.iter().zip(&checked) {
        let found = match checked {
            Some(items) => {
                let ids = items.outages.iter().map(|(o, _)| (&o.id, &o.at));
                let ids = ids.chain(items.series.iter().map(|(s, _)| (&s.id, &s.at)));
                ids.map(|(id, at)| duplicate_id(&mut event_ids, id, IdAt::Checked(at)))
                    .collect()
            }
            None => {
                let ids = file.raw.outages.iter().map(|r| &r.value.id);
                let ids = ids.chain(file.raw.maintenance.iter().map(|r| &r.value.id));
                ids.map(|id| duplicate_id(&mut event_ids, &id.value, IdAt::Raw(&file.path, id)))
                    .collect()
            }
        };
        duplicates.push(found);
    }
    let work: Vec<_> = files
        .iter()
        .zip(duplicates)
        .zip(checked)
        .map(|((file, duplicates), checked)| (file, duplicates, std::sync::Mutex::new(checked)))
        .collect();
    let (rejected, known, all_systems) = (&v.rejected, &known, &v.all_systems);
    let (dependants, reacher) = (&v.dependants, &v.reacher);
    let checked = crate::par::map_from(&work, 2, |(file, duplicates, checked)| {
        let mut duplicates = duplicates.iter().cloned();
        let taken = checked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(items) = taken {
            return taken_items(items, &mut duplicates, all_systems, reacher);
        }
        let mut fv = Validator {
            path: file.path.clone(),
            problems: Vec::new(),
            rejected: rejected.clone(),
            all_systems: all_systems.clone(),
            dependants: dependants.clone(),
            reacher: reacher.clone(),
        };
        // Each item's own problems, for the cache.
        let mut spans = Vec::new();
        let mut whole = true;
        let mut outages = Vec::new();
        for raw in &file.raw.outages {
            fv.problems.extend(duplicates.next().flatten());
            let start = fv.problems.len();
            let outage = fv.outage(&raw.value, known);
            whole &= outage.is_some();
            spans.push(start..fv.problems.len());
            outages.extend(outage);
        }
        let mut series = Vec::new();
        for raw in &file.raw.maintenance {
            fv.problems.extend(duplicates.next().flatten());
            let start = fv.problems.len();
            let one = fv.series(&raw.value, known);
            whole &= one.is_some();
            spans.push(start..fv.problems.len());
            series.extend(one);
        }
        let sound = !fv
            .problems
            .iter()
            .any(|p| p.severity == crate::error::Severity::Error);
        let form = (keep && whole && sound)
            .then(|| {
                let of = |n: usize| &fv.problems[spans[n].clone()];
                crate::parsed::encode_items(
                    outages.iter().enumerate().map(|(n, o)| (o, of(n))),
                    series
                        .iter()
                        .enumerate()
                        .map(|(n, s)| (s, of(outages.len() + n))),
                )
            })
            .flatten();
        (outages, series, fv.problems, form)
    });
    let (outage_count, series_count) = checked
        .iter()
        .fold((0, 0), |(o, s), c| (o + c.0.len(), s + c.1.len()));
    let mut outages = Vec::with_capacity(outage_count);
    let mut series = Vec::with_capacity(series_count);
    let mut forms = Vec::with_capacity(checked.len());
    for (o, s, problems, form) in checked {
        outages.extend(o);
        series.extend(s);
        v.problems.extend(problems);
        forms.push(form);
    }
    let outages = sorted_by_id(outages, |o| &o.id);
    let series = sorted_by_id(series, |s| &s.id);
    let validated = Validated {
        schedule: Schedule {
            settings,
            systems,
            outages,
            series,
            bundles,
            needs: needs(&v.dependants),
            dependants: Arc::unwrap_or_clone(v.dependants),
        },
        problems: v.problems,
        settings_valid,
    };
    (validated, forms)
}

/// A file's items as the cache holds them, with this build's duplicate
/// ids (`duplicates`, one per item) before each item's own problems, as
/// validating them gives; the feeds each reaches made again (the cache is
/// not trusted with indexes into this build's systems), and details
/// hitting every system sharing this build's list and reach of them, as
/// validated ones do.
fn taken_items(
    items: FileItems,
    duplicates: &mut impl Iterator<Item = Option<Problem>>,
    all_systems: &Arc<[String]>,
    reacher: &crate::schedule::Reacher,
) -> (Vec<Outage>, Vec<Series>, Vec<Problem>, Option<Vec<u8>>) {
    let mut problems = Vec::new();
    let mut share = |details: &mut Details, own: Vec<Problem>| {
        problems.extend(duplicates.next().flatten());
        problems.extend(own);
        if details.all_systems {
            details.systems = all_systems.clone();
        }
        details.reach = reacher.of(&details.systems, details.all_systems);
    };
    let mut outages = Vec::with_capacity(items.outages.len());
    for (mut outage, own) in items.outages {
        share(&mut outage.details, own);
        outages.push(outage);
    }
    let mut series = Vec::with_capacity(items.series.len());
    for (mut one, own) in items.series {
        share(&mut one.details, own);
        series.push(one);
    }
    (outages, series, problems, None)
}

/// Where an outage or maintenance id is written: in a file's parsed form,
/// or in its items taken validated from the cache.
#[derive(Clone, Copy)]
enum IdAt<'a> {
    Raw(&'a Path, &'a Spanned<String>),
    Checked(&'a Location),
}

impl IdAt<'_> {
    fn location(self) -> Location {
        match self {
            IdAt::Raw(path, id) => id.referenced.location(path),
            IdAt::Checked(at) => at.clone(),
        }
    }
}

/// A problem when `name` (written at `at`) is an outage or maintenance id
/// already in `seen`, else `None` and `name` is noted there.
fn duplicate_id<'a>(
    seen: &mut FastMap<&'a str, IdAt<'a>>,
    name: &'a str,
    at: IdAt<'a>,
) -> Option<Problem> {
    match seen.entry(name) {
        std::collections::hash_map::Entry::Occupied(first) => {
            let first = first.get().location();
            Some(
                Problem::error(at.location(), format!("duplicate id `{name}`"))
                    .help(format!("outage and maintenance ids must be unique (they make the calendar UIDs); `{name}` is first used at {first}")),
            )
        }
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(at);
            None
        }
    }
}

/// `items` in the order of their ids, equal ids in the order given. Each
/// item is moved once (validated outages are large; a sort of them moved
/// each many times).
fn sorted_by_id<T>(items: Vec<T>, id: impl Fn(&T) -> &str) -> Vec<T> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| id(&items[a]).cmp(id(&items[b])));
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

#[derive(Default)]
struct Validator {
    path: std::path::PathBuf,
    problems: Vec<Problem>,
    /// System ids reported as invalid.
    rejected: BTreeSet<String>,
    /// Every valid system's id, sorted: what `systems: all` means.
    all_systems: Arc<[String]>,
    /// [`Schedule::dependants`].
    dependants: Arc<Vec<Vec<usize>>>,
    /// The reach of details in the valid systems and bundles.
    reacher: Arc<crate::schedule::Reacher>,
}

impl Validator {
    fn at<T>(&self, s: &Spanned<T>) -> Location {
        s.referenced.location(&self.path)
    }

    fn err<T>(&mut self, s: &Spanned<T>, message: impl Into<String>, help: Option<String>) {
        let mut p = Problem::error(self.at(s), message);
        p.help = help;
        self.problems.push(p);
    }

    fn settings(&mut self, files: &[SourceFile]) -> Settings {
        let mut found: Option<(&Path, &Spanned<RawSettings>)> = None;
        for file in files {
            if let Some(s) = &file.raw.settings {
                if let Some((first, _)) = found {
                    self.path = file.path.clone();
                    self.err(
                        s,
                        "`settings` is given in more than one file",
                        Some(format!(
                            "keep one `settings:` section (the first is in {})",
                            first.display()
                        )),
                    );
                } else {
                    found = Some((&file.path, s));
                }
            }
        }
        let mut settings = Settings::default();
        let Some((path, spanned)) = found else {
            // Without settings, the publishing warnings point at the first file.
            if let Some(first) = files.first() {
                let at = Location::file(&first.path);
                self.problems.push(no_uid_domain(at.clone()));
                self.problems.push(no_base_url(at));
            }
            return settings;
        };
        self.path = path.to_path_buf();
        let raw = &spanned.value;
        if let Some(language) = raw.language.as_ref().and_then(|l| self.language(l)) {
            settings.language = language;
        }
        if let Some(name) = self.text(raw.calendar_name.as_ref(), "calendar-name", MAX_NAME_CHARS) {
            settings.calendar_name = Some(name);
        }
        settings.description = self.text(raw.description.as_ref(), "description", MAX_TEXT_CHARS);
        if let Some(zone) = raw.time_zone.as_ref().and_then(|z| self.zone(z)) {
            settings.zone = zone;
        }
        match &raw.uid_domain {
            Some(d) => {
                if let Some(domain) = self.uid_domain(d) {
                    settings.uid_domain = domain;
                }
            }
            None => self.problems.push(no_uid_domain(self.at(spanned))),
        }
        match &raw.base_url {
            Some(u) => {
                settings.base_url = self.base_url(u);
                let parsed = settings.base_url.as_deref().map(url::Url::parse);
                if let Some(Ok(parsed)) = parsed
                    && let Some(why) = unreachable_from_the_cloud(&parsed)
                {
                    self.problems.push(
                        Problem::warning(
                            self.at(u),
                            format!("base-url `{}` {why}", parsed.as_str()),
                        )
                        .help(
                            "Microsoft 365, Outlook.com and Google Calendar fetch feeds from their own servers on the internet: publish the feeds at a public `https://` address and set it here (if only clients inside the network subscribe, this warning can be ignored)",
                        ),
                    );
                }
            }
            None => self.problems.push(no_base_url(self.at(spanned))),
        }
        if let Some(refresh) = &raw.refresh_interval
            && let Some(d) = self.duration(refresh, &REFRESH_INTERVAL)
        {
            settings.refresh_interval = d;
        }
        if let Some(months) = &raw.horizon_months
            && let Some(m) = self.count(months, "horizon-months", 1..=120, "use 1 to 120 months")
        {
            settings.horizon_months = m;
        }
        settings.reminder = raw
            .reminder
            .as_ref()
            .and_then(|r| self.duration(r, &REMINDER));
        settings.retention_days = raw.retention_days.as_ref().and_then(|d| {
            self.count(
                d,
                "retention-days",
                1..=36_500,
                "use 1 to 36500 days, or leave the key out to keep every event",
            )
        });
        settings
    }

    fn language(&mut self, language: &Spanned<String>) -> Option<Language> {
        let code = language.value.trim();
        if let Some(l) = Language::from_code(code) {
            return Some(l);
        }
        let lower = code.to_lowercase();
        // What people write for the three languages, then typos of the codes.
        let named = [
            ("bokmål", "nb"),
            ("bokmal", "nb"),
            ("norsk", "nb"),
            ("norwegian", "nb"),
            ("no", "nb"),
            ("nb-no", "nb"),
            ("nob", "nb"),
            ("nynorsk", "nn"),
            ("nn-no", "nn"),
            ("nno", "nn"),
            ("english", "en"),
            ("engelsk", "en"),
            ("en-gb", "en"),
            ("eng", "en"),
        ];
        let codes = Language::ALL.map(|(c, _)| c);
        let guess = Language::from_code(&lower)
            .map(Language::code)
            .or_else(|| named.iter().find(|(n, _)| *n == lower).map(|(_, c)| *c))
            .or_else(|| {
                suggest(&lower, named.iter().map(|(n, _)| *n))
                    .and_then(|n| named.iter().find(|(m, _)| *m == n).map(|(_, c)| *c))
            })
            .or_else(|| suggest(&lower, codes));
        let list = "use `nb` (bokmål), `nn` (nynorsk) or `en` (English)";
        let help = match guess {
            Some(c) => format!("did you mean `{c}`? {list}"),
            None => list.to_string(),
        };
        self.err(
            language,
            format!("unknown language `{}`", language.value),
            Some(help),
        );
        None
    }

    fn zone(&mut self, zone: &Spanned<String>) -> Option<Tz> {
        let name = zone.value.trim();
        match Tz::from_str(name) {
            Ok(tz) => Some(tz),
            Err(_) => {
                let names = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name());
                let help = suggest(name, names)
                    .map(|n| format!("did you mean `{n}`?"))
                    .unwrap_or_else(|| "use an IANA name such as `Europe/Oslo`".into());
                self.err(
                    zone,
                    format!("unknown time zone `{}`", zone.value),
                    Some(help),
                );
                None
            }
        }
    }

    fn uid_domain(&mut self, domain: &Spanned<String>) -> Option<String> {
        let d = domain.value.trim();
        let ok = !d.is_empty()
            && d.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if ok {
            return Some(d.to_ascii_lowercase());
        }
        self.err(
            domain,
            format!("`{d}` is not a domain name"),
            Some("write a DNS name you own, e.g. `it.example.kommune.no`".into()),
        );
        None
    }

    /// The public folder of the feeds: an absolute http(s) URL with a host
    /// and no query or fragment, ending in `/`.
    fn base_url(&mut self, url: &Spanned<String>) -> Option<String> {
        let help = "write the public folder of the feeds, e.g. `https://www.example.no/nedetid/`";
        let parsed = match web_url(&url.value) {
            Ok(u) if u.query().is_none() && u.fragment().is_none() => u,
            Ok(_) => {
                let message = format!("base-url `{}` has a query or a fragment", url.value.trim());
                self.err(url, message, Some(help.into()));
                return None;
            }
            Err(why) => {
                let message = format!("base-url `{}` {why}", shown(&url.value));
                self.err(url, message, Some(help.into()));
                return None;
            }
        };
        let mut text = parsed.to_string();
        if !text.ends_with('/') {
            text.push('/');
        }
        Some(text)
    }

    fn duration(&mut self, raw: &Spanned<String>, bounds: &DurationBounds) -> Option<String> {
        let text = raw.value.trim();
        match parse_duration(text) {
            Some((d, seconds)) if (bounds.min..=bounds.max).contains(&seconds) => Some(d),
            Some(_) => {
                self.err(
                    raw,
                    format!("`{}: {text}` is out of range", bounds.key),
                    Some(bounds.range.into()),
                );
                None
            }
            None => {
                self.err(
                    raw,
                    format!("`{}` is not a duration", shown(&raw.value)),
                    Some(bounds.example.into()),
                );
                None
            }
        }
    }

    fn count(
        &mut self,
        raw: &Spanned<i64>,
        key: &str,
        range: std::ops::RangeInclusive<u32>,
        help: &str,
    ) -> Option<u32> {
        match u32::try_from(raw.value) {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                self.err(
                    raw,
                    format!("`{key}: {}` is out of range", raw.value),
                    Some(help.into()),
                );
                None
            }
        }
    }

    /// Optional text, cleaned; `None` when empty or over `max` characters
    /// (an error).
    fn text(&mut self, s: Option<&Spanned<String>>, key: &str, max: usize) -> Option<String> {
        let s = s?;
        let t = clean_text(&s.value);
        if t.is_empty() || !self.short_enough(s, &t, key, max) {
            None
        } else {
            Some(t)
        }
    }

    fn short_enough<T>(&mut self, s: &Spanned<T>, text: &str, key: &str, max: usize) -> bool {
        let n = text.chars().count();
        if n <= max {
            return true;
        }
        self.err(
            s,
            format!("`{key}` is {n} characters long; the limit is {max}"),
            Some("shorten it: put the details in `description`, or behind `link`".into()),
        );
        false
    }

    /// A list of items (`consequences`, `still-works`), each cleaned; the
    /// systems an item is about must be hit, or depend on one hit
    /// (`reach`, when the systems hit are known).
    fn list(
        &mut self,
        items: &[Spanned<RawItem>],
        key: &str,
        known: &BTreeMap<&str, &System>,
        reach: Option<&BTreeSet<String>>,
    ) -> Option<Vec<Item>> {
        if let Some(first_extra) = items.get(MAX_ITEMS) {
            self.err(
                first_extra,
                format!(
                    "`{key}` has {} items; the limit is {MAX_ITEMS}",
                    items.len()
                ),
                Some("merge items, or put the details in `description`".into()),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            let (text, systems) = match &item.value {
                RawItem::Text(text) => {
                    let t = clean_text(text);
                    ok &= self.short_enough(item, &t, key, MAX_ITEM_CHARS);
                    (t, Vec::new())
                }
                RawItem::About { text, systems } => {
                    let t = clean_text(&text.value);
                    ok &= self.short_enough(text, &t, key, MAX_ITEM_CHARS);
                    match self.about(systems, known, reach) {
                        Some(ids) => (t, ids),
                        None => {
                            ok = false;
                            continue;
                        }
                    }
                }
            };
            if !text.is_empty() {
                out.push(Item { text, systems });
            }
        }
        ok.then_some(out)
    }

    /// The systems a consequence or impact is about: known, not repeated,
    /// and hit or depending on a system hit.
    fn about(
        &mut self,
        systems: &Spanned<Vec<Spanned<String>>>,
        known: &BTreeMap<&str, &System>,
        reach: Option<&BTreeSet<String>>,
    ) -> Option<Vec<String>> {
        if systems.value.is_empty() {
            self.err(
                systems,
                "`systems` is empty",
                Some("name the systems it is about, or write the item as plain text".into()),
            );
            return None;
        }
        let mut out = BTreeSet::new();
        let mut ok = true;
        for id in &systems.value {
            if self.rejected.contains(&id.value) {
                ok = false;
            } else if !known.contains_key(id.value.as_str()) {
                self.unknown_system(id, known);
                ok = false;
            } else if reach.is_some_and(|r| !r.contains(&id.value)) {
                self.err(
                    id,
                    format!("`{}` is not among the systems this hits", id.value),
                    Some(format!(
                        "add `{}` to `systems`, or let it `depends-on` one of them",
                        id.value
                    )),
                );
                ok = false;
            } else if !out.insert(id.value.clone()) {
                self.err(
                    id,
                    format!("system `{}` is listed twice", id.value),
                    Some("remove one".into()),
                );
                ok = false;
            }
        }
        ok.then(|| out.into_iter().collect())
    }

    /// The systems hit and those that depend on them.
    fn reach(&self, hit: &Arc<[String]>) -> BTreeSet<String> {
        let mut reach: BTreeSet<String> = hit.iter().cloned().collect();
        for h in hit.iter() {
            let Ok(i) = self.all_systems.binary_search(h) else {
                continue;
            };
            let dependants = self.dependants.get(i).into_iter().flatten();
            reach.extend(dependants.filter_map(|d| self.all_systems.get(*d)).cloned());
        }
        reach
    }

    /// `impact:` as a word for every system hit, or per system (the rest
    /// down).
    fn impact(
        &mut self,
        impact: Option<&Spanned<RawImpact>>,
        known: &BTreeMap<&str, &System>,
        reach: Option<&BTreeSet<String>>,
    ) -> Option<Impacts> {
        let Some(impact) = impact else {
            return Some(Impacts::default());
        };
        match &impact.value {
            RawImpact::Word(word) => Some(Impacts {
                default: self.level(impact, word)?,
                per_system: BTreeMap::new(),
            }),
            RawImpact::List(items) => {
                let mut per_system = BTreeMap::new();
                let mut ok = true;
                for item in items {
                    let level = self.level(&item.value.level, &item.value.level.value);
                    let systems = self.about(&item.value.systems, known, reach);
                    let (Some(level), Some(systems)) = (level, systems) else {
                        ok = false;
                        continue;
                    };
                    for (id, s) in systems.into_iter().zip(&item.value.systems.value) {
                        if per_system.insert(id.clone(), level).is_some() {
                            self.err(
                                s,
                                format!("the impact on `{id}` is given twice"),
                                Some("name each system in one item".into()),
                            );
                            ok = false;
                        }
                    }
                }
                ok.then_some(Impacts {
                    default: Impact::Down,
                    per_system,
                })
            }
        }
    }

    fn level<T>(&mut self, at: &Spanned<T>, word: &str) -> Option<Impact> {
        let word = word.trim();
        let found = Impact::from_code(word);
        if found.is_none() {
            let codes = Impact::ALL.map(|(c, _)| c);
            let guess = suggest(word, codes)
                .map(|c| format!("did you mean `{c}`? "))
                .unwrap_or_default();
            self.err(
                at,
                format!("unknown impact `{word}`"),
                Some(format!(
                    "{guess}use `down` (does not work), `degraded` (works, with less) or `at-risk` (works, may be unstable)"
                )),
            );
        }
        found
    }

    /// Reports an id that names no system, with the likeliest meant.
    fn unknown_system(&mut self, id: &Spanned<String>, known: &BTreeMap<&str, &System>) {
        let help = unknown_system_help(&id.value, known.keys().copied(), "`systems:`");
        self.err(id, format!("unknown system `{}`", id.value), Some(help));
    }

    fn systems(&mut self, files: &[SourceFile]) -> Vec<System> {
        let mut seen: BTreeMap<String, Location> = BTreeMap::new();
        let mut out = Vec::new();
        for file in files {
            self.path = file.path.clone();
            for raw in &file.raw.systems {
                let RawSystem {
                    id,
                    name,
                    description,
                    depends_on,
                } = &raw.value;
                if !self.slug(id, "system") {
                    // Already reported; references to it are not errors too.
                    self.rejected.insert(id.value.clone());
                    continue;
                }
                if id.value == ALL_FEED {
                    self.err(
                        id,
                        "`all` is reserved for the feed with every system",
                        Some("choose another id".into()),
                    );
                    continue;
                }
                if id.value == "index" {
                    self.err(
                        id,
                        "`index` is reserved: the page `index.html` lists every system",
                        Some("choose another id".into()),
                    );
                    continue;
                }
                if let Some(first) = seen.get(&id.value) {
                    let help = format!(
                        "ids must be unique; `{}` is first defined at {first}",
                        id.value
                    );
                    self.err(
                        id,
                        format!("duplicate system id `{}`", id.value),
                        Some(help),
                    );
                    continue;
                }
                seen.insert(id.value.clone(), self.at(id));
                let Some(name) = self.required_text(name, "name") else {
                    // Reported; the system exists, so uses of it are not
                    // errors too.
                    self.rejected.insert(id.value.clone());
                    continue;
                };
                out.push(System {
                    id: id.value.clone(),
                    name,
                    description: self.text(description.as_ref(), "description", MAX_TEXT_CHARS),
                    // Checked with every system known (crate::graph).
                    depends_on: depends_on.iter().map(|d| d.value.clone()).collect(),
                });
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    fn required_text(&mut self, s: &Spanned<String>, key: &str) -> Option<String> {
        let t = clean_text(&s.value);
        if !self.short_enough(s, &t, key, MAX_NAME_CHARS) {
            None
        } else if t.is_empty() {
            self.err(
                s,
                format!("`{key}` is empty"),
                Some(format!("write the {key}")),
            );
            None
        } else {
            Some(t)
        }
    }

    /// Ids name files and UIDs: lowercase ASCII letters, digits and `-`.
    fn slug(&mut self, id: &Spanned<String>, what: &str) -> bool {
        let v = &id.value;
        let lower = v.to_ascii_lowercase();
        let windows_reserved = is_reserved(&lower);
        let valid = is_slug(v);
        if !valid {
            let fixed: String = lower
                .chars()
                .map(|c| match c {
                    'æ' => 'e',
                    'ø' => 'o',
                    'å' => 'a',
                    c if c.is_ascii_alphanumeric() => c,
                    _ => '-',
                })
                .collect::<String>()
                .split('-')
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("-");
            let fixed = fixed
                .get(..MAX_ID_LEN)
                .unwrap_or(&fixed)
                .trim_end_matches('-')
                .to_string();
            let fixed = if is_reserved(&fixed) {
                format!("{fixed}-system")
            } else {
                fixed
            };
            let help = if fixed.is_empty() {
                format!(
                    "use lowercase letters a-z, digits and `-`, at most {MAX_ID_LEN} characters"
                )
            } else {
                let most = if v.chars().count() > MAX_ID_LEN {
                    format!(", at most {MAX_ID_LEN} characters")
                } else {
                    String::new()
                };
                format!("use lowercase letters a-z, digits and `-`{most}, e.g. `{fixed}`")
            };
            self.err(id, format!("{what} id `{v}` is not a valid id"), Some(help));
            return false;
        }
        if windows_reserved {
            self.err(
                id,
                format!("{what} id `{v}` is a reserved file name on Windows"),
                Some(format!("choose another id, e.g. `{v}-system`")),
            );
            return false;
        }
        true
    }

    /// The problem of an id used before (`seen`), else `None` (and it is
    /// recorded).
    fn details(&mut self, raw: RawDetails, known: &BTreeMap<&str, &System>) -> Option<Details> {
        let RawDetails {
            title,
            systems,
            description,
            consequences,
            still_works,
            impact,
            location,
            status,
            link,
        } = raw;
        // Any problem here leaves the details out, not only a missing value.
        let problems_before = self.problems.len();
        let title = self.required_text(title, "title");
        let hits = self.hits(systems, known);
        let status = match status {
            None => Some(Status::Confirmed),
            Some(s) => match s.value.trim() {
                "confirmed" => Some(Status::Confirmed),
                "tentative" => Some(Status::Tentative),
                "cancelled" => Some(Status::Cancelled),
                other => {
                    self.err(
                        s,
                        format!("unknown status `{other}`"),
                        Some("use `confirmed`, `tentative` or `cancelled`".into()),
                    );
                    None
                }
            },
        };
        let link = link.filter(|l| {
            let text = l.value.trim();
            self.short_enough(l, text, "link", MAX_LINK_CHARS)
        });
        let link = link.and_then(|l| match web_url(&l.value) {
            Ok(url) => Some(url.to_string()),
            Err(why) => {
                self.err(
                    l,
                    format!("link `{}` {why}", shown(&l.value)),
                    Some("write the full address, starting with `https://`".into()),
                );
                None
            }
        });
        let description_text = self.text(description, "description", MAX_TEXT_CHARS);
        let location = self.text(location, "location", MAX_NAME_CHARS);
        let reach = hits.as_ref().map(|(hit, _)| self.reach(hit));
        let consequences = self.list(consequences, "consequences", known, reach.as_ref());
        let still_works = self.list(still_works, "still-works", known, reach.as_ref());
        let impact = self.impact(impact, known, reach.as_ref());
        let (systems, all_systems) = hits?;
        if self.problems.len() > problems_before {
            return None;
        }
        let reach = self.reacher.of(&systems, all_systems);
        Some(Details {
            title: title?,
            description: description_text,
            consequences: consequences?,
            still_works: still_works?,
            impact: impact?,
            location,
            status: status?,
            link,
            systems,
            all_systems,
            reach,
        })
    }

    fn hits(
        &mut self,
        systems: &Spanned<RawSystems>,
        known: &BTreeMap<&str, &System>,
    ) -> Option<(Arc<[String]>, bool)> {
        match &systems.value {
            RawSystems::Word(w) if w.trim() == ALL_FEED => Some((self.all_systems.clone(), true)),
            RawSystems::Word(w) => {
                let help = if known.contains_key(w.trim()) {
                    format!("write a list: `systems: [{}]`", w.trim())
                } else {
                    "write `all` or a list of system ids, e.g. `systems: [visma, gat]`".into()
                };
                self.err(
                    systems,
                    format!("`systems: {w}` is neither `all` nor a list"),
                    Some(help),
                );
                None
            }
            RawSystems::List(ids) => {
                if ids.is_empty() {
                    self.err(
                        systems,
                        "`systems` is empty",
                        Some("list the systems hit, or write `all`".into()),
                    );
                    return None;
                }
                let mut out = BTreeSet::new();
                let mut ok = true;
                for id in ids {
                    if id.value == ALL_FEED {
                        self.err(
                            id,
                            "`all` cannot be mixed with system ids",
                            Some("write `systems: all` alone, or list the ids".into()),
                        );
                        ok = false;
                    } else if self.rejected.contains(&id.value) {
                        ok = false;
                    } else if known.contains_key(id.value.as_str()) {
                        if !out.insert(id.value.clone()) {
                            self.err(
                                id,
                                format!("system `{}` is listed twice", id.value),
                                Some("remove one".into()),
                            );
                        }
                    } else {
                        self.unknown_system(id, known);
                        ok = false;
                    }
                }
                ok.then(|| (out.into_iter().collect::<Vec<_>>().into(), false))
            }
        }
    }

    fn outage(&mut self, raw: &RawOutage, known: &BTreeMap<&str, &System>) -> Option<Outage> {
        let id_ok = self.slug(&raw.id, "outage");
        let details = self.details(raw.into(), known);
        let when = match (&raw.start, &raw.end, &raw.first_day, &raw.last_day) {
            (Some(start), Some(end), None, None) => {
                let s = self.datetime(start, false);
                let e = self.datetime(end, true);
                let ((s, start_offset), (e, end_offset)) = (s?, e?);
                self.window_length(end, s, e).then_some(When::Timed {
                    start: s,
                    end: e,
                    start_offset,
                    end_offset,
                })
            }
            (None, None, Some(first), last) => {
                let f = self.date(first);
                let l = match last {
                    Some(l) => self.date(l),
                    None => f,
                };
                let (f, l) = (f?, l?);
                if let Some(last) = last.as_ref().filter(|_| l < f) {
                    self.err(
                        last,
                        format!("`last-day` {l} is before `first-day` {f}"),
                        Some("swap them, or fix the date".into()),
                    );
                    None
                } else if (l - f).num_days() + 1 > MAX_WINDOW_DAYS {
                    self.err(
                        first,
                        format!(
                            "the outage lasts {} days; the limit is {MAX_WINDOW_DAYS}",
                            (l - f).num_days() + 1
                        ),
                        Some("check the dates; split a longer outage into several".into()),
                    );
                    None
                } else {
                    Some(When::AllDay { first: f, last: l })
                }
            }
            _ => {
                self.err(
                    &raw.id,
                    format!("outage `{}` needs either `start` and `end`, or `first-day` (and `last-day`)", raw.id.value),
                    Some("timed: `start: 2019-11-29 15:30` and `end: 2019-12-02 06:00`; all day: `first-day: 2019-05-28` and `last-day: 2019-05-29`".into()),
                );
                None
            }
        };
        let (details, when) = (details?, when?);
        let when_at = match (&raw.start, &raw.first_day) {
            (Some(s), _) | (None, Some(s)) => self.at(s),
            (None, None) => self.at(&raw.id),
        };
        let end_at = match (&raw.end, &raw.last_day) {
            (Some(e), _) | (None, Some(e)) => self.at(e),
            (None, None) => when_at.clone(),
        };
        id_ok.then(|| Outage {
            id: raw.id.value.clone(),
            details,
            when,
            at: self.at(&raw.id),
            when_at,
            end_at,
            removed: false,
        })
    }

    fn window_length(&mut self, end: &Spanned<String>, s: NaiveDateTime, e: NaiveDateTime) -> bool {
        if e <= s {
            let what = if e == s {
                "is the same as"
            } else {
                "is before"
            };
            self.err(
                end,
                format!("the end {} {what} the start {}", fmt_dt(e), fmt_dt(s)),
                Some(
                    "the end must be after the start; for a window to midnight write `24:00`"
                        .into(),
                ),
            );
            false
        } else if e - s > chrono::Duration::days(MAX_WINDOW_DAYS) {
            self.err(
                end,
                format!(
                    "the window lasts {} days; the limit is {MAX_WINDOW_DAYS}",
                    (e - s).num_days()
                ),
                Some("check the dates; split a longer outage into several".into()),
            );
            false
        } else {
            true
        }
    }

    fn series(&mut self, raw: &RawMaintenance, known: &BTreeMap<&str, &System>) -> Option<Series> {
        let id_ok = self.slug(&raw.id, "maintenance");
        let details = self.details(raw.into(), known);
        let rule = self.rule(&raw.rule);
        let from = self.date(&raw.from);
        let until = raw.until.as_ref().map(|u| self.date(u));
        let window = self.window(&raw.start_time, &raw.end_time);
        let recurrence = match &raw.recurrence {
            None => Some(None),
            Some(r) => match r.value.trim() {
                "expand" => Some(Some(Recurrence::Expand)),
                "rrule" => Some(Some(Recurrence::Rrule)),
                other => {
                    self.err(r, format!("unknown recurrence form `{other}`"), Some("use `expand` (one event per occurrence) or `rrule` (one repeating event)".into()));
                    None
                }
            },
        };
        if let (Some(f), Some(Some(u)), Some(until)) = (from, until, raw.until.as_ref())
            && u < f
        {
            self.err(
                until,
                format!("`until` {u} is before `from` {f}"),
                Some("swap them, or fix the date".into()),
            );
        }
        let skips = raw.skip.iter().filter_map(|s| self.skip(s)).collect();
        let skip_months = raw
            .skip_months
            .iter()
            .filter_map(|s| self.skip_month(s))
            .collect();
        let moves = raw
            .moves
            .iter()
            .filter_map(|m| self.mv(m, window))
            .collect::<Vec<_>>();
        let extras = raw
            .extra
            .iter()
            .filter_map(|e| self.extra(e, window))
            .collect::<Vec<_>>();
        let until = match until {
            Some(None) => return None,
            Some(Some(u)) if u < from? => return None,
            Some(Some(u)) => Some(u),
            None => None,
        };
        let ((rule, week_start_written), from, window) = (rule?, from?, window?);
        let series = Series {
            id: raw.id.value.clone(),
            // The exceptions are checked against the rule even when the
            // details have mistakes of their own.
            details: unchecked_details(),
            rule_text: rule_text(&raw.rule.value).to_string(),
            week_start_written,
            rule,
            from,
            until,
            window,
            recurrence: None,
            skips,
            skip_months,
            moves,
            extras,
            at: self.at(&raw.id),
            rule_at: self.at(&raw.rule),
            window_at: self.at(&raw.start_time),
        };
        let exceptions = check_exceptions(&series);
        let fits = exceptions.is_empty();
        self.problems.extend(exceptions);
        let (details, recurrence) = (details?, recurrence?);
        (id_ok && fits).then_some(Series {
            details,
            recurrence,
            ..series
        })
    }

    /// The rule, checked, and whether it names its week start.
    fn rule(&mut self, raw: &Spanned<String>) -> Option<(rrule::RRule<rrule::Unvalidated>, bool)> {
        let text = rule_text(&raw.value);
        let upper = text.to_ascii_uppercase();
        let parts: Vec<&str> = upper.split(';').collect();
        for part in &parts {
            let key = part.split('=').next().unwrap_or("");
            let problem = match key {
                "UNTIL" => Some("`UNTIL` belongs in the `until` key, as a date"),
                "DTSTART" => Some("the first date belongs in the `from` key"),
                "BYHOUR" | "BYMINUTE" | "BYSECOND" => {
                    Some("times of day belong in `start-time` and `end-time`")
                }
                _ => None,
            };
            if let Some(problem) = problem {
                self.err(
                    raw,
                    format!("rule `{text}` has `{key}`"),
                    Some(format!("{problem}; remove `{key}` from the rule")),
                );
                return None;
            }
        }
        let week_start_written = parts.iter().any(|p| p.trim_start().starts_with("WKST"));
        let freq = parts.iter().find_map(|p| p.strip_prefix("FREQ="));
        match freq {
            Some("DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY") => {}
            Some(f @ ("HOURLY" | "MINUTELY" | "SECONDLY")) => {
                self.err(raw, format!("rule `{text}` repeats {}; nedetid allows DAILY to YEARLY", f.to_ascii_lowercase()), Some("maintenance windows repeat at most daily; the window's times go in `start-time` and `end-time`".into()));
                return None;
            }
            _ => {}
        }
        match rrule::RRule::<rrule::Unvalidated>::from_str(text) {
            Ok(rule) => {
                let nth = rule
                    .get_by_weekday()
                    .iter()
                    .any(|d| matches!(d, rrule::NWeekday::Nth(..)));
                if nth
                    && matches!(
                        rule.get_freq(),
                        rrule::Frequency::Daily | rrule::Frequency::Weekly
                    )
                {
                    self.err(raw, format!("rule `{text}` numbers a weekday (like `3WE`) in a {} rule", rule.get_freq().to_string().to_ascii_lowercase()), Some("the nth weekday needs FREQ=MONTHLY or FREQ=YEARLY, e.g. `FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3`".into()));
                    return None;
                }
                // Structural checks (RFC 5545) now, so that every rule
                // problem is found here, with one kind of message.
                let start = rrule::Tz::UTC
                    .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
                    .single()?;
                if let Err(e) = rule.clone().validate(start) {
                    self.err(
                        raw,
                        format!("invalid rule `{text}`: {}", rrule_message(&e)),
                        Some(
                            "write an RFC 5545 RRULE, e.g. `FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3`"
                                .into(),
                        ),
                    );
                    return None;
                }
                Some((rule, week_start_written))
            }
            Err(e) => {
                self.err(
                    raw,
                    format!("invalid rule `{text}`: {}", rrule_message(&e)),
                    Some("write an RFC 5545 RRULE, e.g. `FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3`".into()),
                );
                None
            }
        }
    }

    fn window(&mut self, start: &Spanned<String>, end: &Spanned<String>) -> Option<Window> {
        let s = self.time(start, false);
        let e = self.time(end, true);
        let ((s, _), (e, next)) = (s?, e?);
        self.ordered_window(
            (s, e, next),
            end,
            ("`start-time`", "`end-time`"),
            "a window ends on the day it starts; write `24:00` for midnight",
        )
    }

    /// A window whose end is after its start, or an error at `at`.
    fn ordered_window(
        &mut self,
        (start, end, end_next_day): (NaiveTime, NaiveTime, bool),
        at: &Spanned<String>,
        (start_name, end_name): (&str, &str),
        help: &str,
    ) -> Option<Window> {
        if !end_next_day && end <= start {
            self.err(
                at,
                format!(
                    "{end_name} {} is not after {start_name} {}",
                    end.format("%H:%M"),
                    start.format("%H:%M")
                ),
                Some(help.into()),
            );
            return None;
        }
        Some(Window {
            start,
            end,
            end_next_day,
        })
    }

    fn skip(&mut self, raw: &Spanned<RawSkip>) -> Option<Skip> {
        Some(Skip {
            date: self.date(&raw.value.date)?,
            reason: self.text(raw.value.reason.as_ref(), "reason", MAX_TEXT_CHARS),
            at: self.at(&raw.value.date),
        })
    }

    fn skip_month(&mut self, raw: &Spanned<RawSkipMonth>) -> Option<SkipMonth> {
        let m = &raw.value.month;
        let Some(month) = u32::try_from(m.value).ok().filter(|m| (1..=12).contains(m)) else {
            self.err(
                m,
                format!("month {} does not exist", m.value),
                Some("write the month as a number from 1 (January) to 12 (December)".into()),
            );
            return None;
        };
        Some(SkipMonth {
            month,
            reason: self.text(raw.value.reason.as_ref(), "reason", MAX_TEXT_CHARS),
            at: self.at(m),
        })
    }

    fn mv(&mut self, raw: &Spanned<RawMove>, series: Option<Window>) -> Option<Move> {
        let RawMove {
            from,
            to,
            start_time,
            end_time,
            reason,
        } = &raw.value;
        let f = self.date(from);
        let t = self.date(to);
        let window = self.override_window(series, start_time.as_ref(), end_time.as_ref(), to);
        Some(Move {
            from: f?,
            to: t?,
            window: window?,
            reason: self.text(reason.as_ref(), "reason", MAX_TEXT_CHARS),
            at: self.at(from),
        })
    }

    fn extra(&mut self, raw: &Spanned<RawExtra>, series: Option<Window>) -> Option<Extra> {
        let RawExtra {
            date,
            start_time,
            end_time,
            reason,
        } = &raw.value;
        let d = self.date(date);
        let window = self.override_window(series, start_time.as_ref(), end_time.as_ref(), date);
        Some(Extra {
            date: d?,
            window: window?,
            reason: self.text(reason.as_ref(), "reason", MAX_TEXT_CHARS),
            at: self.at(date),
        })
    }

    fn override_window(
        &mut self,
        series: Option<Window>,
        start: Option<&Spanned<String>>,
        end: Option<&Spanned<String>>,
        at: &Spanned<String>,
    ) -> Option<Window> {
        let series = series?;
        let s = match start {
            Some(s) => self.time(s, false)?.0,
            None => series.start,
        };
        let (e, next) = match end {
            Some(e) => self.time(e, true)?,
            None => (series.end, series.end_next_day),
        };
        self.ordered_window(
            (s, e, next),
            end.or(start).unwrap_or(at),
            ("start time", "end time"),
            "give both `start-time` and `end-time`; write `24:00` for midnight",
        )
    }

    fn date(&mut self, raw: &Spanned<String>) -> Option<NaiveDate> {
        match parse_date(raw.value.trim()) {
            Ok(d) if in_years(d) => Some(d),
            Ok(_) => {
                self.outside_years(raw);
                None
            }
            Err(help) => {
                self.err(
                    raw,
                    format!("`{}` is not a date", raw.value.trim()),
                    Some(help),
                );
                None
            }
        }
    }

    fn outside_years(&mut self, raw: &Spanned<String>) {
        self.err(
            raw,
            format!(
                "`{}` is outside the years {MIN_YEAR} to {MAX_YEAR}",
                raw.value.trim()
            ),
            Some(years_help()),
        );
    }

    /// `end` allows `24:00`, meaning midnight at the end of the day.
    fn time(&mut self, raw: &Spanned<String>, end: bool) -> Option<(NaiveTime, bool)> {
        match parse_time(raw.value.trim(), end) {
            Ok(t) => Some(t),
            Err(help) => {
                self.err(
                    raw,
                    format!("`{}` is not a time of day", raw.value.trim()),
                    Some(help),
                );
                None
            }
        }
    }

    /// `2019-11-29 15:30`, optionally with a UTC offset (`+01:00`) that
    /// says which reading of an ambiguous local time is meant.
    fn datetime(
        &mut self,
        raw: &Spanned<String>,
        end: bool,
    ) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
        let text = raw.value.trim();
        let result = match text.split_once(['T', ' ']) {
            Some((d, rest)) => parse_date(d).and_then(|d| {
                let rest = rest.trim();
                let cut = rest.find(['+', '-', 'Z']).unwrap_or(rest.len());
                let (t, offset) = rest.split_at(cut);
                let (time, next) = parse_time(t.trim(), end)?;
                let offset = parse_offset(offset.trim())?;
                if !in_years(d) {
                    return Ok(None);
                }
                // `24:00` on the last day of the years is the first instant
                // after them, which the tz data still gives right.
                let date = if next {
                    d.succ_opt().ok_or("date out of range")?
                } else {
                    d
                };
                Ok(Some((date.and_time(time), offset)))
            }),
            None => Err(match parse_date(text) {
                Ok(_) => format!(
                    "add the time, e.g. `{text} 15:30`; for a whole day use `first-day` and `last-day`"
                ),
                Err(e) => e,
            }),
        };
        // `29.11.2019 15:30`: suggest the whole ISO form, time included.
        let day_first = text
            .split_once(['T', ' '])
            .and_then(|(d, _)| day_first_date(d))
            .zip(text.split_once(' '));
        let result = match (result, day_first) {
            (Err(_), Some((date, (_, time)))) => Err(format!(
                "write dates as year-month-day: `{} {}`",
                date.format("%Y-%m-%d"),
                time.trim()
            )),
            (result, _) => result,
        };
        match result {
            Ok(Some(dt)) => Some(dt),
            Ok(None) => {
                self.outside_years(raw);
                None
            }
            Err(help) => {
                self.err(raw, format!("`{text}` is not a date and time"), Some(help));
                None
            }
        }
    }
}

/// `+02:00`, `-0330`, `Z`, or nothing.
/// [`Schedule::needs`] from [`Schedule::dependants`].
fn needs(dependants: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut needs = vec![Vec::new(); dependants.len()];
    for (t, ds) in dependants.iter().enumerate() {
        for &s in ds {
            if let Some(n) = needs.get_mut(s) {
                n.push(t);
            }
        }
    }
    needs
}

/// What help to give for `id`, which names none of `known`, defined
/// under `sections` (e.g. "`systems:`").
pub fn unknown_system_help<'a>(
    id: &str,
    known: impl Iterator<Item = &'a str> + Clone,
    sections: &str,
) -> String {
    if let Some(s) = suggest(id, known.clone()) {
        return format!("did you mean `{s}`? (systems are defined under {sections})");
    }
    let all: Vec<&str> = known.collect();
    if all.is_empty() {
        return format!("define it under {sections}");
    }
    let more = if all.len() > 10 {
        format!(" and {} more", all.len() - 10)
    } else {
        String::new()
    };
    format!(
        "define it under {sections} or use one of: {}{more}",
        all[..all.len().min(10)].join(", ")
    )
}

/// The keys outages and maintenance share.
struct RawDetails<'r> {
    title: &'r Spanned<String>,
    systems: &'r Spanned<RawSystems>,
    description: Option<&'r Spanned<String>>,
    consequences: &'r [Spanned<RawItem>],
    still_works: &'r [Spanned<RawItem>],
    impact: Option<&'r Spanned<RawImpact>>,
    location: Option<&'r Spanned<String>>,
    status: Option<&'r Spanned<String>>,
    link: Option<&'r Spanned<String>>,
}

macro_rules! raw_details {
    ($raw:ty) => {
        impl<'r> From<&'r $raw> for RawDetails<'r> {
            fn from(raw: &'r $raw) -> Self {
                Self {
                    title: &raw.title,
                    systems: &raw.systems,
                    description: raw.description.as_ref(),
                    consequences: &raw.consequences,
                    still_works: &raw.still_works,
                    impact: raw.impact.as_ref(),
                    location: raw.location.as_ref(),
                    status: raw.status.as_ref(),
                    link: raw.link.as_ref(),
                }
            }
        }
    };
}
raw_details!(RawOutage);
raw_details!(RawMaintenance);

fn parse_offset(text: &str) -> Result<Option<FixedOffset>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if text == "Z" {
        return Ok(FixedOffset::east_opt(0));
    }
    let bad = || format!("`{text}` is not a UTC offset; write it like `+01:00`");
    let (sign, digits) = text.split_at(1);
    let digits = digits.replace(':', "");
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i32 = digits[2..].parse().map_err(|_| bad())?;
    let secs = (hours * 60 + minutes) * 60 * if sign == "-" { -1 } else { 1 };
    FixedOffset::east_opt(secs).map(Some).ok_or_else(bad)
}

/// Text as it is published: trimmed, line breaks as `\n`, and no control
/// characters other than `\n` and TAB (they would break or garble feeds and
/// terminals).
pub fn clean_text(text: &str) -> String {
    // Most text has no CR and no control characters: nothing to drop.
    let plain = !text
        .bytes()
        .any(|b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f || b == 0xc2);
    if plain {
        return text.trim().to_string();
    }
    let kept: String = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    kept.trim().to_string()
}

/// A name Windows reserves for a device (`CON`, `NUL`, `COM1`, ...): a
/// file with it cannot be created on the region's Windows servers.
pub fn is_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("").to_ascii_lowercase();
    matches!(stem.as_str(), "con" | "prn" | "aux" | "nul")
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
}

/// The rule as written, without an `RRULE:` prefix in any case.
fn rule_text(raw: &str) -> &str {
    let text = raw.trim();
    match text.get(..6) {
        Some(p) if p.eq_ignore_ascii_case("RRULE:") => text[6..].trim(),
        _ => text,
    }
}

/// Stands in for details that did not validate, while the rest of a series
/// is checked; such a series is never kept.
fn unchecked_details() -> Details {
    Details {
        title: String::new(),
        description: None,
        consequences: Vec::new(),
        still_works: Vec::new(),
        location: None,
        status: Status::Confirmed,
        link: None,
        systems: Arc::from([]),
        all_systems: false,
        impact: Impacts::default(),
        reach: crate::schedule::Reach::default(),
    }
}

fn fmt_dt(dt: NaiveDateTime) -> String {
    dt.format("%Y-%m-%d %H:%M").to_string()
}

/// `2019-11-29`. People also write `29.11.2019`: the error suggests the
/// ISO form rather than guessing the order.
/// A date as people write it here, day first (`29.11.2019`, `29/11/2019`).
fn day_first_date(text: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = text.split(['.', '/']).collect();
    let [d, m, y] = parts[..] else {
        return None;
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Any year: the callers refuse one outside [`in_years`] with a message of
/// its own.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && text.len() == 10
    {
        return Ok(d);
    }
    if let Some(date) = day_first_date(text) {
        return Err(format!(
            "write dates as year-month-day: `{}`",
            date.format("%Y-%m-%d")
        ));
    }
    if let [y, m, d] = text.split('-').collect::<Vec<_>>()[..]
        && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
    {
        return Err(if (1..=12).contains(&m) {
            format!("{y}-{m:02} has no day {d}")
        } else {
            format!("there is no month {m}")
        });
    }
    Err("write dates as year-month-day, e.g. `2019-11-29`".into())
}

/// `16:00`; for an end also `24:00` (returned as 00:00 and `true`).
pub fn parse_time(text: &str, end: bool) -> Result<(NaiveTime, bool), String> {
    let normal = text.replace('.', ":");
    if normal == "24:00" {
        return if end {
            Ok((NaiveTime::MIN, true))
        } else {
            Err("a start cannot be `24:00`; write `00:00` on the next day".into())
        };
    }
    match NaiveTime::parse_from_str(&normal, "%H:%M") {
        Ok(t) if normal.len() == 5 && text.contains(':') => Ok((t, false)),
        Ok(t) => Err(format!(
            "write times as hours:minutes, `{}`",
            t.format("%H:%M")
        )),
        Err(_) => Err("write times as hours:minutes on a 24-hour clock, e.g. `16:00`".into()),
    }
}

/// Accepts an RFC 5545 DURATION (`PT12H`, `P1D`, `P2W`, `P1DT12H`) and
/// returns it in upper case; `None` for anything else (RFC 5545 3.3.6: weeks
/// stand alone, time parts come in H, M, S order, nothing may be empty).
/// An ISO 8601 duration in the forms iCalendar allows (`P2W`, `P1DT12H`,
/// `PT30M`), normalised to upper case, with its length in seconds.
pub fn parse_duration(text: &str) -> Option<(String, u64)> {
    let upper = text.to_ascii_uppercase();
    let rest = upper.strip_prefix('P')?;
    // Splits `12H30M` into [(12, 'H'), (30, 'M')].
    let parts = |s: &str| -> Option<Vec<(u64, char)>> {
        let mut out = Vec::new();
        let mut num = String::new();
        for c in s.chars() {
            if c.is_ascii_digit() {
                num.push(c);
            } else {
                out.push((num.parse().ok()?, c));
                num.clear();
            }
        }
        num.is_empty().then_some(out)
    };
    let in_order = |p: &[(u64, char)], units: &[char]| {
        let idx: Option<Vec<usize>> = p
            .iter()
            .map(|(_, u)| units.iter().position(|x| x == u))
            .collect();
        idx.is_some_and(|i| i.windows(2).all(|w| w[0] < w[1]))
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let date = parts(date)?;
    let time = match time {
        Some(t) => Some(parts(t)?).filter(|p| !p.is_empty())?,
        None => Vec::new(),
    };
    let weeks_alone = date.len() == 1 && date[0].1 == 'W' && time.is_empty();
    let shape = weeks_alone
        || (date.len() <= 1 && in_order(&date, &['D']) && in_order(&time, &['H', 'M', 'S']));
    let unit = |c: char| match c {
        'W' => 604_800,
        'D' => 86_400,
        'H' => 3_600,
        'M' => 60,
        _ => 1,
    };
    let seconds = date.iter().chain(&time).try_fold(0u64, |sum, (n, u)| {
        sum.checked_add(n.checked_mul(unit(*u))?)
    })?;
    (shape && seconds > 0).then_some((upper, seconds))
}

/// The range and wording of a duration setting.
struct DurationBounds {
    key: &'static str,
    min: u64,
    max: u64,
    range: &'static str,
    example: &'static str,
}

/// How often clients should reload: from 15 minutes (more often only loads
/// the server) to a week (Outlook's own published calendars use at most that).
const REFRESH_INTERVAL: DurationBounds = DurationBounds {
    key: "refresh-interval",
    min: 15 * 60,
    max: 7 * 86_400,
    range: "use 15 minutes (`PT15M`) to a week (`P1W`)",
    example: "write an ISO 8601 duration such as `PT12H` or `P1D`",
};

/// A reminder before each event: up to two weeks, Outlook's longest.
const REMINDER: DurationBounds = DurationBounds {
    key: "reminder",
    min: 60,
    max: 14 * 86_400,
    range: "use one minute (`PT1M`) to two weeks (`P2W`)",
    example: "write an ISO 8601 duration such as `PT1H` (one hour before) or `P1D`",
};

/// An absolute http(s) URL with a host, parsed by the WHATWG rules, or why
/// not. Characters a URL parser would silently drop or encode (control
/// characters, spaces, quotes) are refused first.
fn web_url(text: &str) -> Result<url::Url, &'static str> {
    let text = text.trim();
    if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("contains a space, a line break or a control character");
    }
    if text.contains(['"', '<', '>', '\\', '`', '{', '}', '|', '^']) {
        return Err("contains a character that must be percent-encoded");
    }
    let url = url::Url::parse(text).map_err(|_| "is not an absolute http(s) URL")?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("is not an http(s) URL");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("has no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("carries a user name or password");
    }
    Ok(url)
}

/// The warning for schedules without `uid-domain`.
fn no_uid_domain(at: Location) -> Problem {
    Problem::warning(
        at,
        "no `uid-domain` in the settings: every event's UID ends in `@nedetid.invalid`",
    )
    .help(
        "set `uid-domain` to a DNS name your organisation owns (e.g. `nedetid.example.kommune.no`) before the feeds are published: setting it later changes every UID, so subscribers see every event deleted and created again",
    )
}

/// The warning for schedules without `base-url`.
fn no_base_url(at: Location) -> Problem {
    Problem::warning(
        at,
        "no `base-url` in the settings: index.html has no subscribe buttons or feed addresses, and the feeds no SOURCE",
    )
    .help(
        "set `base-url` to the public https folder the feeds are served from, e.g. `https://www.example.no/nedetid/`",
    )
}

/// Why calendars in the cloud (Microsoft 365, Outlook.com and Google fetch
/// subscribed feeds from their own servers) cannot fetch feeds from `url`,
/// or `None` if they can as far as the address shows: plain http, a name
/// for a local network (`.local`, `.lan`, `.internal`, `.intranet`,
/// `.home.arpa`, or one label), a private (RFC 1918, fc00::/7), loopback or
/// link-local address.
pub fn unreachable_from_the_cloud(url: &url::Url) -> Option<String> {
    use std::net::IpAddr;
    let ip = match url.host()? {
        url::Host::Ipv4(a) => Some(IpAddr::V4(a)),
        url::Host::Ipv6(a) => Some(a.to_ipv4_mapped().map_or(IpAddr::V6(a), IpAddr::V4)),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            const LOCAL: [&str; 5] = [".local", ".lan", ".internal", ".intranet", ".home.arpa"];
            if let Some(suffix) = LOCAL.iter().find(|s| name.ends_with(*s)) {
                return Some(format!(
                    "is on a local network (`{suffix}` names are not on the internet), so calendars in the cloud cannot fetch the feeds"
                ));
            }
            if !name.contains('.') {
                return Some(format!(
                    "has a one-label host `{name}` that only resolves inside the local network, so calendars in the cloud cannot fetch the feeds"
                ));
            }
            None
        }
    };
    let what = match ip {
        Some(IpAddr::V4(a)) if a.is_private() => Some("a private (RFC 1918) address"),
        Some(IpAddr::V4(a)) if a.is_loopback() => Some("a loopback address"),
        Some(IpAddr::V4(a)) if a.is_link_local() => Some("a link-local address"),
        Some(IpAddr::V6(a)) if a.segments()[0] & 0xfe00 == 0xfc00 => {
            Some("a private (unique local, fc00::/7) address")
        }
        Some(IpAddr::V6(a)) if a.is_loopback() => Some("a loopback address"),
        Some(IpAddr::V6(a)) if a.segments()[0] & 0xffc0 == 0xfe80 => Some("a link-local address"),
        _ => None,
    };
    if let Some(what) = what {
        return Some(format!(
            "has {what} as its host, so calendars in the cloud cannot fetch the feeds"
        ));
    }
    (url.scheme() == "http").then(|| {
        "is plain `http`: Microsoft 365 and Outlook.com subscribe only to `https` addresses"
            .to_string()
    })
}

/// A value as a message may show it: control characters escaped.
fn shown(text: &str) -> String {
    text.trim().escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_people_write_get_the_iso_suggestion() {
        assert_eq!(
            parse_date("2019-11-29"),
            NaiveDate::from_ymd_opt(2019, 11, 29).ok_or_else(String::new)
        );
        assert_eq!(
            parse_date("29.11.2019").unwrap_err(),
            "write dates as year-month-day: `2019-11-29`"
        );
        assert_eq!(
            parse_date("2019-02-31").unwrap_err(),
            "2019-02 has no day 31"
        );
        assert_eq!(
            parse_date("2019-13-01").unwrap_err(),
            "there is no month 13"
        );
    }

    #[test]
    fn midnight_as_24_00_only_for_ends() {
        assert_eq!(parse_time("24:00", true), Ok((NaiveTime::MIN, true)));
        assert!(parse_time("24:00", false).is_err());
        assert_eq!(
            parse_time("16.00", false).unwrap_err(),
            "write times as hours:minutes, `16:00`"
        );
        assert!(parse_time("25:00", true).is_err());
        assert!(parse_time("4pm", false).is_err());
    }

    #[test]
    fn all_and_index_are_not_system_ids() {
        // `all.ics` and `index.html` would be overwritten by the system's
        // feed and page.
        for (id, what) in [
            ("all", "`all` is reserved"),
            ("index", "`index` is reserved"),
        ] {
            let yaml = format!(
                "systems:\n  - id: {id}\n    name: A\noutages:\n  - id: o\n    title: O\n    systems: [{id}]\n    start: 2026-01-01 10:00\n    end: 2026-01-01 11:00\n"
            );
            let errors = crate::pipeline::error_lines_of(&yaml);
            assert!(errors.iter().any(|e| e.contains(what)), "{id}: {errors:?}");
        }
        // Nor bundle ids: a bundle has its page too.
        let yaml = "systems:\n  - id: a\n    name: A\nbundles:\n  - id: index\n    name: I\n    systems: [a]\n";
        let errors = crate::pipeline::error_lines_of(yaml);
        assert!(
            errors
                .iter()
                .any(|e| e.contains("bundle id `index` is taken")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_long_id_gets_a_valid_suggestion() {
        let id = "a".repeat(60) + "-bbbbbbbbbb";
        let text = format!("systems:\n  - id: {id}\n    name: A\n");
        let raw = crate::load::parse_str(Path::new("s.yaml"), &text).expect("parses");
        let file = SourceFile {
            path: "s.yaml".into(),
            raw,
        };
        let problems = validate(&[file]).problems;
        let problems: Vec<_> = problems
            .into_iter()
            .filter(|p| p.severity == crate::error::Severity::Error)
            .collect();
        let help = problems[0].help.clone().unwrap_or_default();
        let suggested = help.split('`').nth(3).unwrap_or_default();
        assert!(help.contains("at most 64 characters"), "{help}");
        assert_eq!(suggested, format!("{}-bbb", "a".repeat(60)), "{help}");
    }

    #[test]
    fn texts_and_lists_are_bounded() {
        let outage = |extra: &str| {
            let text = format!(
                "systems:\n  - id: a\n    name: A\noutages:\n  - id: o\n    systems: [a]\n    first-day: 2026-01-01\n{extra}"
            );
            let raw = crate::load::parse_str(Path::new("s.yaml"), &text).expect("parses");
            let file = SourceFile {
                path: "s.yaml".into(),
                raw,
            };
            let v = validate(&[file]);
            (
                v.schedule.outages.len(),
                v.problems
                    .into_iter()
                    .filter(|p| p.severity == crate::error::Severity::Error)
                    .map(|p| p.message)
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(outage(&format!("    title: {}\n", "t".repeat(300))).0, 1);
        assert_eq!(
            outage(&format!("    title: {}\n", "t".repeat(301))),
            (
                0,
                vec!["`title` is 301 characters long; the limit is 300".to_string()]
            )
        );
        let items: String = (0..31).map(|i| format!("      - c{i}\n")).collect();
        assert_eq!(
            outage(&format!("    title: T\n    consequences:\n{items}")),
            (
                0,
                vec!["`consequences` has 31 items; the limit is 30".to_string()]
            )
        );
        assert_eq!(
            outage(&format!(
                "    title: T\n    description: {}\n",
                "d".repeat(5_001)
            )),
            (
                0,
                vec!["`description` is 5001 characters long; the limit is 5000".to_string()]
            )
        );
    }

    #[test]
    fn a_system_with_a_bad_name_is_not_unknown_where_it_is_used() {
        let text = "systems:\n  - id: b\n    name: \"\"\noutages:\n  - id: o\n    title: T\n    systems: [b]\n    first-day: 2026-01-01\n";
        let raw = crate::load::parse_str(Path::new("s.yaml"), text).expect("parses");
        let file = SourceFile {
            path: "s.yaml".into(),
            raw,
        };
        let messages: Vec<String> = validate(&[file])
            .problems
            .into_iter()
            .filter(|p| p.severity == crate::error::Severity::Error)
            .map(|p| p.message)
            .collect();
        assert_eq!(messages, ["`name` is empty"]);
    }

    #[test]
    fn urls_must_be_absolute_http_with_a_host() {
        let ok = |t: &str| web_url(t).map(|u| u.to_string());
        assert_eq!(
            ok("https://www.example.no/nedetid/").as_deref(),
            Ok("https://www.example.no/nedetid/")
        );
        assert_eq!(
            ok(" http://intranett/ ").as_deref(),
            Ok("http://intranett/")
        );
        assert!(web_url("https://").is_err());
        assert!(web_url("http://x y/").is_err());
        assert!(web_url("https://a/b\r\nX-Injected: 1").is_err());
        assert!(web_url("https://a/\0").is_err());
        assert!(web_url("https://a/\"onmouseover=x").is_err());
        assert!(web_url("ftp://a/").is_err());
        assert!(web_url("javascript:alert(1)").is_err());
        assert!(web_url("https://user:pw@a/").is_err());
        assert!(web_url("/relative/").is_err());
    }

    #[test]
    fn the_language_is_one_of_three_with_a_guess_when_it_is_not() {
        let check = |value: &str| {
            let text = format!("settings:\n  language: {value}\n");
            let raw = crate::load::parse_str(Path::new("s.yaml"), &text).expect("parses");
            let file = SourceFile {
                path: "s.yaml".into(),
                raw,
            };
            let validated = validate(&[file]);
            let language = validated.schedule.settings.language;
            let errors: Vec<(String, Option<String>)> = validated
                .problems
                .into_iter()
                .filter(|p| p.severity == crate::error::Severity::Error)
                .map(|p| (p.message, p.help))
                .collect();
            (language, errors)
        };
        for (code, language) in Language::ALL {
            assert_eq!(check(code), (language, Vec::new()));
        }
        for (value, guess) in [
            ("nynorsk", "nn"),
            ("nynorks", "nn"),
            ("NN", "nn"),
            ("bokmål", "nb"),
            ("no", "nb"),
            ("English", "en"),
            ("eng", "en"),
            ("ne", "nb"),
        ] {
            let (_, errors) = check(value);
            assert_eq!(errors.len(), 1, "{value}: {errors:?}");
            assert_eq!(errors[0].0, format!("unknown language `{value}`"));
            let help = errors[0].1.as_deref().unwrap_or_default();
            assert!(
                help.starts_with(&format!("did you mean `{guess}`?")),
                "{value}: {help}"
            );
        }
        let (_, errors) = check("deutsch");
        assert_eq!(
            errors[0].1.as_deref(),
            Some("use `nb` (bokmål), `nn` (nynorsk) or `en` (English)")
        );
    }

    #[test]
    fn settings_refuse_urls_and_durations_clients_cannot_use() {
        let problems = |settings: &str| {
            let text = format!("settings:\n{settings}");
            let raw = crate::load::parse_str(Path::new("s.yaml"), &text).expect("parses");
            let file = SourceFile {
                path: "s.yaml".into(),
                raw,
            };
            validate(&[file])
                .problems
                .into_iter()
                .filter(|p| p.severity == crate::error::Severity::Error)
                .map(|p| p.message)
                .collect::<Vec<_>>()
        };
        assert!(problems("  base-url: https://www.example.no/nedetid/\n  reminder: PT1H\n  refresh-interval: PT12H\n").is_empty());
        assert_eq!(
            problems("  base-url: \"https://\"\n"),
            ["base-url `https://` is not an absolute http(s) URL"]
        );
        assert_eq!(
            problems("  base-url: \"https://a/?q=1#frag\"\n"),
            ["base-url `https://a/?q=1#frag` has a query or a fragment"]
        );
        assert_eq!(
            problems("  base-url: \"https://a/\\r\\nb\"\n"),
            ["base-url `https://a/\\r\\nb` contains a space, a line break or a control character"]
        );
        assert_eq!(
            problems("  reminder: P999999999W\n"),
            ["`reminder: P999999999W` is out of range"]
        );
        assert_eq!(
            problems("  refresh-interval: P99999999999W\n"),
            ["`refresh-interval: P99999999999W` is out of range"]
        );
        assert_eq!(
            problems("  refresh-interval: P99999999999999999999W\n"),
            ["`P99999999999999999999W` is not a duration"]
        );
    }

    /// Validating `files` with the items of those at `taken` (by index)
    /// taken from what validating `from` left for the cache: the same
    /// schedule and problems, in the same order, as validating `files`.
    fn taken_validate_alike(files: &[SourceFile], from: &[SourceFile], taken: &[usize]) {
        let (_, forms) = validate_with(from, Vec::new(), true);
        let checked: Vec<Option<FileItems>> = (0..files.len())
            .map(|n| {
                let form = forms.get(n)?.as_deref().filter(|_| taken.contains(&n))?;
                Some(FileItems::decode(form, &files[n].path).expect("reads back"))
            })
            .collect();
        let from_cache = checked.iter().flatten().count();
        assert_eq!(from_cache, taken.len(), "every file asked for is kept");
        let (cached, _) = validate_with(files, checked, false);
        let fresh = validate(files);
        assert_eq!(cached.problems, fresh.problems);
        assert_eq!(
            format!("{:?}", cached.schedule),
            format!("{:?}", fresh.schedule)
        );
    }

    #[test]
    fn items_taken_from_the_cache_validate_as_their_files_do() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![
            root.join("schedules"),
            root.join("tests/fixtures/page-2019"),
        ];
        let valid = std::fs::read_dir(root.join("tests/fixtures/valid")).expect("fixtures");
        dirs.extend(valid.filter_map(Result::ok).map(|e| e.path()));
        assert!(dirs.len() >= 9, "{dirs:?}");
        for dir in dirs {
            let files = crate::load::load_dir(&dir).expect("fixture").files;
            let with_items: Vec<usize> = (0..files.len())
                .filter(|&n| {
                    !files[n].raw.outages.is_empty() || !files[n].raw.maintenance.is_empty()
                })
                .collect();
            assert!(!with_items.is_empty(), "{}", dir.display());
            taken_validate_alike(&files, &files, &with_items);
            // Items kept by a build of the folder where it was before: their
            // locations name the files where they are now.
            let moved: Vec<SourceFile> = files
                .iter()
                .map(|f| SourceFile {
                    path: Path::new("elsewhere").join(&f.path),
                    raw: crate::load::parse_str(
                        &f.path,
                        &std::fs::read_to_string(&f.path).expect("read"),
                    )
                    .expect("parses"),
                })
                .collect();
            taken_validate_alike(&moved, &files, &with_items);
        }
        // An id used twice, the second time in a file taken from the cache:
        // its error names the first use as validating the file does.
        let file = |name: &str, text: &str| SourceFile {
            path: name.into(),
            raw: crate::load::parse_str(Path::new(name), text).expect("parses"),
        };
        let systems = "systems:\n  - id: a\n    name: A\n";
        let outage = |id: &str| {
            format!(
                "outages:\n  - id: {id}\n    title: T\n    systems: all\n    start: 2030-01-01 10:00\n    end: 2030-01-01 11:00\nmaintenance:\n  - id: {id}-m\n    title: M\n    systems: [a]\n    rule: FREQ=MONTHLY;BYDAY=1MO\n    from: 2030-01-01\n    start-time: '08:00'\n    end-time: '09:00'\n"
            )
        };
        let files = [
            file("s.yaml", systems),
            file("a.yaml", &outage("x")),
            file("b.yaml", &outage("x")),
        ];
        let alone = [
            file("s.yaml", systems),
            file("z.yaml", &outage("y")),
            file("b.yaml", &outage("x")),
        ];
        let (fresh, _) = validate_with(&files, Vec::new(), true);
        assert_eq!(
            fresh
                .problems
                .iter()
                .filter(|p| p.message == "duplicate id `x`")
                .count(),
            1
        );
        taken_validate_alike(&files, &alone, &[2]);
    }

    #[test]
    fn publishing_warnings_point_at_the_key_the_settings_or_the_first_file() {
        let warnings = |files: &[(&str, &str)]| {
            let files: Vec<SourceFile> = files
                .iter()
                .map(|(name, text)| SourceFile {
                    path: name.into(),
                    raw: crate::load::parse_str(Path::new(name), text).expect("parses"),
                })
                .collect();
            validate(&files)
                .problems
                .into_iter()
                .map(|p| {
                    assert_eq!(p.severity, crate::error::Severity::Warning, "{p}");
                    (p.location.to_string(), p.message)
                })
                .collect::<Vec<_>>()
        };
        let good = "settings:\n  uid-domain: nedetid.example.no\n  base-url: https://www.example.no/nedetid/\n";
        assert_eq!(warnings(&[("a.yaml", good)]), []);
        let w = warnings(&[("a.yaml", "settings:\n  time-zone: Europe/Oslo\n")]);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].0.starts_with("a.yaml:2:") && w[0].1.contains("no `uid-domain`"));
        assert!(w[1].0.starts_with("a.yaml:2:") && w[1].1.contains("no `base-url`"));
        let w = warnings(&[(
            "a.yaml",
            "settings:\n  uid-domain: x.example.no\n  base-url: http://web01/nedetid/\n",
        )]);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].0, "a.yaml:3:13");
        assert!(w[0].1.contains("one-label host `web01`"), "{w:?}");
        let w = warnings(&[
            ("a.yaml", "systems:\n  - id: a\n    name: A\n"),
            ("b.yaml", "systems:\n  - id: b\n    name: B\n"),
        ]);
        let at: Vec<&str> = w.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(at, ["a.yaml", "a.yaml"]);
    }

    #[test]
    fn base_urls_calendars_in_the_cloud_cannot_reach() {
        let why = |u: &str| unreachable_from_the_cloud(&url::Url::parse(u).expect("url"));
        for ok in [
            "https://www.example.no/nedetid/",
            "https://193.69.1.2/nedetid/",
            "https://[2001:db8::1]/",
            "https://intranet.example.no/",
            "https://172.32.0.1/",
        ] {
            assert_eq!(why(ok), None, "{ok}");
        }
        for (bad, says) in [
            ("http://www.example.no/nedetid/", "plain `http`"),
            ("https://server.local/", "`.local`"),
            ("https://nedetid.kommune.lan/", "`.lan`"),
            ("https://web.corp.internal/", "`.internal`"),
            ("https://web.intranet/", "`.intranet`"),
            ("https://nas.home.arpa/", "`.home.arpa`"),
            ("https://WEB01/", "one-label host `web01`"),
            ("https://localhost/", "one-label host"),
            ("https://10.1.2.3/", "private (RFC 1918)"),
            ("https://172.16.0.9/", "private (RFC 1918)"),
            ("https://192.168.1.10/", "private (RFC 1918)"),
            ("https://127.0.0.1/", "loopback"),
            ("https://169.254.1.1/", "link-local"),
            ("https://[fd12:3456::1]/", "fc00::/7"),
            ("https://[::1]/", "loopback"),
            ("https://[fe80::1]/", "link-local"),
            ("https://[::ffff:10.0.0.1]/", "RFC 1918"),
            ("http://10.0.0.1/", "RFC 1918"),
        ] {
            let got = why(bad).unwrap_or_default();
            assert!(got.contains(says), "{bad}: {got}");
        }
    }

    #[test]
    fn durations() {
        let text = |t: &str| parse_duration(t).map(|(d, _)| d);
        assert_eq!(text("PT12H").as_deref(), Some("PT12H"));
        assert_eq!(text("p1d").as_deref(), Some("P1D"));
        assert_eq!(parse_duration("P1DT12H").map(|(_, s)| s), Some(129_600));
        assert_eq!(parse_duration("P99999999999999999W"), None);
        assert_eq!(parse_duration("12h"), None);
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("P0D"), None);
        assert_eq!(text("P2W").as_deref(), Some("P2W"));
        assert_eq!(text("P1DT12H").as_deref(), Some("P1DT12H"));
        assert_eq!(text("PT1H30M").as_deref(), Some("PT1H30M"));
        assert_eq!(parse_duration("P1W2D"), None);
        assert_eq!(parse_duration("PT30M1H"), None);
        assert_eq!(parse_duration("P1H"), None);
    }
}
