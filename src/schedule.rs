//! The checked schedule model: settings, systems, outages and maintenance
//! series as validation leaves them. Every value here
//! has been checked; nothing here reads files or knows YAML.

use std::sync::Arc;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;

use crate::error::Location;
use crate::limits::{MAX_YEAR, MIN_YEAR};
use crate::wording::{self, Wording};

/// Whether `date` is in [`MIN_YEAR`]..=[`MAX_YEAR`].
pub fn in_years(date: NaiveDate) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&chrono::Datelike::year(&date))
}

/// What to do about a date outside [`in_years`].
pub fn years_help() -> String {
    format!(
        "nedetid's time-zone data is right only for the years {MIN_YEAR} to {MAX_YEAR}: write a date from {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31"
    )
}
/// The longest id: ids name files and UIDs.
pub const MAX_ID_LEN: usize = 64;

/// Whether `id` can be an id: lower-case ASCII letters, digits and inner
/// hyphens, at most [`MAX_ID_LEN`] bytes.
pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// The id reserved for the feed with every event.
pub const ALL_FEED: &str = "all";

/// The validated schedules.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub settings: Settings,
    /// Sorted by id.
    pub systems: Vec<System>,
    pub outages: Vec<Outage>,
    pub series: Vec<Series>,
    /// Sorted by id.
    pub bundles: Vec<Bundle>,
    /// For each system (by index in `systems`), the indexes of the systems
    /// that depend on it directly or not, in order.
    pub dependants: Vec<Vec<usize>>,
    /// For each system, the indexes of the systems it depends on directly
    /// or not, in order: [`Schedule::dependants`] the other way round.
    pub needs: Vec<Vec<usize>>,
}

/// System names by id (looked up for every label of every event).
pub type SystemNames<'a> = crate::hash::FastMap<&'a str, &'a str>;

impl Schedule {
    /// The index of a system in `systems`.
    pub fn system_index(&self, id: &str) -> Option<usize> {
        self.systems
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()
    }

    /// What works out the [`Reach`] of details in this schedule.
    pub fn reacher(&self) -> Reacher {
        Reacher::new(
            self.systems.iter().map(|s| s.id.as_str()),
            &self.dependants,
            &self.bundles,
        )
    }

    /// The ids of the systems `id` depends on, directly or not.
    pub fn needs_of(&self, id: &str) -> impl Iterator<Item = &str> {
        let found = self.system_index(id).and_then(|i| self.needs.get(i));
        found
            .into_iter()
            .flatten()
            .map(|d| self.systems[*d].id.as_str())
    }

    /// System names by id, for labels.
    pub fn system_names(&self) -> SystemNames<'_> {
        self.systems
            .iter()
            .map(|s| (s.id.as_str(), s.name.as_str()))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The language of every text nedetid writes for readers.
    pub language: Language,
    /// `None`: the wording's name for it.
    pub calendar_name: Option<String>,
    pub description: Option<String>,
    pub zone: Tz,
    pub uid_domain: String,
    /// With a trailing slash.
    pub base_url: Option<String>,
    /// An RFC 5545 DURATION such as `PT12H`.
    pub refresh_interval: String,
    pub horizon_months: u32,
    /// Drop events that ended more than this many days before `now`;
    /// `None` keeps every event.
    pub retention_days: Option<u32>,
    /// A VALARM this long before each event (an RFC 5545 DURATION); none
    /// by default.
    pub reminder: Option<String>,
}

impl Settings {
    /// The words of the settings' language.
    pub fn wording(&self) -> &'static Wording {
        self.language.wording()
    }

    /// The calendar's name, in `w`'s words when the settings give none.
    pub fn calendar_name<'s>(&'s self, w: &'s Wording) -> &'s str {
        self.calendar_name.as_deref().unwrap_or(w.calendar_name)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Language::default(),
            calendar_name: None,
            description: None,
            zone: chrono_tz::Europe::Oslo,
            uid_domain: "nedetid.invalid".into(),
            base_url: None,
            refresh_interval: "PT12H".into(),
            horizon_months: 13,
            retention_days: None,
            reminder: None,
        }
    }
}

/// The language readers are addressed in (`settings: language:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// Norwegian bokmål.
    #[default]
    Nb,
    /// Norwegian nynorsk.
    Nn,
    /// British English.
    En,
}

impl Language {
    /// Every language, with its code in the schedules.
    pub const ALL: [(&'static str, Language); 3] = [
        ("nb", Language::Nb),
        ("nn", Language::Nn),
        ("en", Language::En),
    ];

    /// The language of a code in the schedules (`nb`, `nn`, `en`).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
    }

    /// Its code in the schedules, which is also the page's `lang`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Nb => "nb",
            Language::Nn => "nn",
            Language::En => "en",
        }
    }

    /// Its table of words.
    pub fn wording(self) -> &'static Wording {
        match self {
            Language::Nb => &wording::NB,
            Language::Nn => &wording::NN,
            Language::En => &wording::EN,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// The systems it needs, as written (checked, without repeats).
    pub depends_on: Vec<String>,
}

/// A department's calendar: the events of several systems in one feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// The systems it holds, bundles resolved, sorted.
    pub systems: Vec<String>,
}

/// How badly a system is hit, least first.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// Works, but may be unstable.
    AtRisk,
    /// Works, with less capacity or some functions missing.
    Degraded,
    /// Does not work.
    #[default]
    Down,
}

impl Impact {
    /// Every level, with its name in the schedules.
    pub const ALL: [(&'static str, Impact); 3] = [
        ("down", Impact::Down),
        ("degraded", Impact::Degraded),
        ("at-risk", Impact::AtRisk),
    ];

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
    }

    pub fn code(self) -> &'static str {
        match self {
            Impact::Down => "down",
            Impact::Degraded => "degraded",
            Impact::AtRisk => "at-risk",
        }
    }
}

/// An item of `consequences` or `still-works`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Item {
    pub text: String,
    /// The systems it is about, sorted; empty: every system hit.
    pub systems: Vec<String>,
}

/// How badly each system of an outage or series is hit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash, serde::Serialize, serde::Deserialize)]
pub struct Impacts {
    /// For the systems not in `per_system`.
    pub default: Impact,
    pub per_system: std::collections::BTreeMap<String, Impact>,
}

impl Impacts {
    pub fn of(&self, system: &str) -> Impact {
        self.per_system.get(system).copied().unwrap_or(self.default)
    }

    /// The worst impact on any of `systems`; the default when there is
    /// none.
    pub fn worst<'s>(&self, systems: impl IntoIterator<Item = &'s str>) -> Impact {
        systems
            .into_iter()
            .map(|s| self.of(s))
            .max()
            .unwrap_or(self.default)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Confirmed,
    Tentative,
    Cancelled,
}

impl Status {
    pub fn ical(self) -> &'static str {
        match self {
            Status::Confirmed => "CONFIRMED",
            Status::Tentative => "TENTATIVE",
            Status::Cancelled => "CANCELLED",
        }
    }
}

/// Which feeds show the events of some details: worked out once, when the
/// details are made, and looked up for every event of every build.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Reach {
    /// The systems (by index in [`Schedule::systems`], sorted) whose feeds
    /// show them: those hit and those that depend on them.
    pub systems: Arc<[usize]>,
    /// How many feeds show them: `all.ics`, those systems' feeds and the
    /// bundles holding any of those systems.
    pub feeds: usize,
}

/// Works out the [`Reach`] of details from a schedule's systems, their
/// dependencies and its bundles.
#[derive(Debug, Default)]
pub struct Reacher {
    /// Every system's index by id.
    index: crate::hash::FastMap<String, usize>,
    /// [`Schedule::dependants`].
    dependants: Vec<Vec<usize>>,
    /// For each system, the bundles (by index) holding it.
    bundles_of: Vec<Vec<usize>>,
    /// The reach of `systems: all`, shared by all such details.
    every: Reach,
}

impl Reacher {
    /// `ids`: the systems' ids in the order of [`Schedule::systems`].
    pub fn new<'a>(
        ids: impl Iterator<Item = &'a str>,
        dependants: &[Vec<usize>],
        bundles: &[Bundle],
    ) -> Self {
        let index: crate::hash::FastMap<String, usize> =
            ids.enumerate().map(|(n, id)| (id.to_string(), n)).collect();
        let mut bundles_of = vec![Vec::new(); index.len()];
        for (b, bundle) in bundles.iter().enumerate() {
            for n in bundle.systems.iter().filter_map(|s| index.get(s)) {
                bundles_of[*n].push(b);
            }
        }
        let every = Reach {
            systems: (0..index.len()).collect(),
            feeds: 1 + index.len() + bundles.len(),
        };
        Self {
            index,
            dependants: dependants.to_vec(),
            bundles_of,
            every,
        }
    }

    /// The reach of details that hit `hit` (ids; unknown ones are passed
    /// over), or every system when `all`.
    pub fn of(&self, hit: &[String], all: bool) -> Reach {
        if all {
            return self.every.clone();
        }
        let mut systems: Vec<usize> = Vec::with_capacity(hit.len());
        for &n in hit.iter().filter_map(|h| self.index.get(h)) {
            systems.push(n);
            systems.extend(self.dependants.get(n).into_iter().flatten().copied());
        }
        systems.sort_unstable();
        systems.dedup();
        let mut bundles: Vec<usize> = systems
            .iter()
            .flat_map(|n| self.bundles_of.get(*n).into_iter().flatten().copied())
            .collect();
        bundles.sort_unstable();
        bundles.dedup();
        Reach {
            feeds: 1 + systems.len() + bundles.len(),
            systems: systems.into(),
        }
    }
}

/// What people read about an outage or a maintenance series.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Details {
    pub title: String,
    pub description: Option<String>,
    pub consequences: Vec<Item>,
    pub still_works: Vec<Item>,
    pub impact: Impacts,
    pub location: Option<String>,
    pub status: Status,
    pub link: Option<String>,
    /// Ids of the systems hit, sorted; every system when `all` was written.
    /// Shared: with `systems: all`, every item holds the same list.
    pub systems: std::sync::Arc<[String]>,
    /// `systems: all` was written.
    pub all_systems: bool,
    /// The feeds that show them. Not kept in the cache of validated items:
    /// made again from `systems` when they are read back.
    #[serde(skip)]
    pub reach: Reach,
}

/// When a one-off outage happens, in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum When {
    /// An explicit UTC offset picks one reading of a local time that
    /// happens twice (the hour the clocks go back).
    Timed {
        start: NaiveDateTime,
        end: NaiveDateTime,
        #[serde(with = "offset_seconds")]
        start_offset: Option<FixedOffset>,
        #[serde(with = "offset_seconds")]
        end_offset: Option<FixedOffset>,
    },
    /// Inclusive, as people write them.
    AllDay { first: NaiveDate, last: NaiveDate },
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Outage {
    pub id: String,
    pub details: Details,
    pub when: When,
    /// Where the id is written.
    pub at: Location,
    /// Where the start (or first day) is written.
    pub when_at: Location,
    /// Where the end (or last day) is written.
    pub end_at: Location,
    /// No longer in the schedules: published before, kept as cancelled
    /// until it has ended (the state file records what was published).
    pub removed: bool,
}

/// A local time window on one day; `end_next_day` when the end was `24:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Window {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub end_next_day: bool,
}

impl Window {
    pub fn on(&self, date: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
        let end_date = if self.end_next_day {
            date.succ_opt().unwrap_or(date)
        } else {
            date
        };
        (date.and_time(self.start), end_date.and_time(self.end))
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Skip {
    pub date: NaiveDate,
    pub reason: Option<String>,
    pub at: Location,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SkipMonth {
    pub month: u32,
    pub reason: Option<String>,
    pub at: Location,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Move {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub window: Window,
    pub reason: Option<String>,
    pub at: Location,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Extra {
    pub date: NaiveDate,
    pub window: Window,
    pub reason: Option<String>,
    pub at: Location,
}

/// How a maintenance series is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Recurrence {
    /// One VEVENT per occurrence (the safest form for every client).
    #[default]
    Expand,
    /// One VEVENT with an RRULE, EXDATEs and RECURRENCE-ID overrides.
    Rrule,
}

/// A recurring maintenance window.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Series {
    pub id: String,
    pub details: Details,
    /// The rule as written (without `RRULE:`), already checked.
    pub rule_text: String,
    /// Not kept in the cache of validated items: parsed again from
    /// `rule_text` when read from there.
    #[serde(skip)]
    pub rule: rrule::RRule<rrule::Unvalidated>,
    /// The rule names its week start (`WKST`), which the parsed rule
    /// cannot tell from the default; the RRULE form keeps it as written.
    pub week_start_written: bool,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    pub window: Window,
    /// `recurrence:` as written; `None` follows `--recurrence`.
    pub recurrence: Option<Recurrence>,
    pub skips: Vec<Skip>,
    pub skip_months: Vec<SkipMonth>,
    pub moves: Vec<Move>,
    pub extras: Vec<Extra>,
    pub at: Location,
    pub rule_at: Location,
    /// Where `start-time` is written.
    pub window_at: Location,
}

/// A UTC offset as its seconds east of UTC (chrono has no serde for
/// [`FixedOffset`]).
mod offset_seconds {
    use chrono::FixedOffset;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(offset: &Option<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&offset.map(|o| o.local_minus_utc()), s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<FixedOffset>, D::Error> {
        match Option::<i32>::deserialize(d)? {
            None => Ok(None),
            Some(seconds) => FixedOffset::east_opt(seconds)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("no such UTC offset")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(id: &str, systems: &[&str]) -> Bundle {
        Bundle {
            id: id.into(),
            name: id.into(),
            description: None,
            systems: systems.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Systems `a`, `b`, `c`, `d`; `c` depends on `a`, `d` on `c`; bundle
    /// `x` holds `d`, bundle `y` holds `b` and `c`.
    #[test]
    fn a_reach_takes_in_dependants_and_the_bundles_holding_any_of_them() {
        let dependants = vec![vec![2, 3], vec![], vec![3], vec![]];
        let bundles = [bundle("x", &["d"]), bundle("y", &["b", "c"])];
        let reacher = Reacher::new(["a", "b", "c", "d"].into_iter(), &dependants, &bundles);
        let hit = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();

        let a = reacher.of(&hit(&["a"]), false);
        assert_eq!(&*a.systems, &[0, 2, 3]);
        // all.ics, three systems' feeds, both bundles.
        assert_eq!(a.feeds, 1 + 3 + 2);

        let b = reacher.of(&hit(&["b", "gone"]), false);
        assert_eq!(&*b.systems, &[1]);
        assert_eq!(b.feeds, 1 + 1 + 1);

        // Hitting a system and one that depends on it counts each feed once.
        let ac = reacher.of(&hit(&["c", "a"]), false);
        assert_eq!(ac, a);

        let every = reacher.of(&[], true);
        assert_eq!(&*every.systems, &[0, 1, 2, 3]);
        assert_eq!(every.feeds, 1 + 4 + 2);
        assert_eq!(reacher.of(&[], false).feeds, 1);
    }
}
