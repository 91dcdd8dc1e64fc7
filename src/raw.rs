//! The schedule files as written: serde types that mirror the YAML, every
//! value kept with its source location. Nothing here is validated beyond its
//! YAML shape; `schedule` turns these into checked types.

use schemars::JsonSchema;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::formats;

/// One schedule file. Every section is optional so the data can be split
/// over files however the editors like.
#[derive(Debug, PartialEq, Deserialize, Serialize, Default, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "nedetid schedule file")]
pub struct RawFile {
    /// Settings for all the feeds; in one file only, every key optional.
    #[serde(default)]
    #[schemars(with = "Option<RawSettings>")]
    pub settings: Option<Spanned<RawSettings>>,
    /// The systems; each gets a feed `<id>.ics`.
    #[serde(default)]
    #[schemars(with = "Vec<RawSystem>")]
    pub systems: Vec<Spanned<RawSystem>>,
    /// One-off planned downtime.
    #[serde(default)]
    #[schemars(with = "Vec<RawOutage>")]
    pub outages: Vec<Spanned<RawOutage>>,
    /// Recurring maintenance windows, each decided by a rule.
    #[serde(default)]
    #[schemars(with = "Vec<RawMaintenance>")]
    pub maintenance: Vec<Spanned<RawMaintenance>>,
    /// Department calendars: several systems in one feed, `<id>.ics`.
    #[serde(default)]
    #[schemars(with = "Vec<RawBundle>")]
    pub bundles: Vec<Spanned<RawBundle>>,
}

/// Settings for all the feeds and the page.
#[derive(Debug, PartialEq, Deserialize, Serialize, Default, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Settings")]
pub struct RawSettings {
    /// The language of every word nedetid adds: `nb`, `nn` or `en`;
    /// bokmål when absent.
    #[schemars(with = "Option<formats::Language>")]
    pub language: Option<Spanned<String>>,
    /// The feeds' name; a system's feed is "<calendar-name>: <system name>".
    #[schemars(with = "Option<formats::Name>")]
    pub calendar_name: Option<Spanned<String>>,
    /// The feeds' description.
    #[schemars(with = "Option<formats::Text>")]
    pub description: Option<Spanned<String>>,
    /// The IANA time zone every date and time is local to (default
    /// Europe/Oslo).
    #[schemars(with = "Option<formats::ZoneName>")]
    pub time_zone: Option<Spanned<String>>,
    /// The right-hand side of every UID: a DNS name the organisation owns.
    /// Set it before the first publish.
    #[schemars(with = "Option<String>")]
    pub uid_domain: Option<Spanned<String>>,
    /// The public https folder the feeds are served from.
    #[schemars(with = "Option<formats::Url>")]
    pub base_url: Option<Spanned<String>>,
    /// How often calendar clients should reload (ISO 8601, `PT15M` to
    /// `P1W`; default `PT12H`).
    #[schemars(with = "Option<formats::Duration>")]
    pub refresh_interval: Option<Spanned<String>>,
    /// How far past now open-ended rules are expanded, in months (1 to 120).
    #[schemars(with = "Option<i64>", range(min = 1, max = 120))]
    pub horizon_months: Option<Spanned<i64>>,
    /// Events that ended longer ago than this many days are dropped
    /// (1 to 36,500; default: keep all).
    #[schemars(with = "Option<i64>", range(min = 1, max = 36500))]
    pub retention_days: Option<Spanned<i64>>,
    /// An ISO 8601 duration before each event (`PT1H`); no reminder when
    /// absent.
    #[schemars(with = "Option<formats::Duration>")]
    pub reminder: Option<Spanned<String>>,
}

/// A system: it gets a feed of its own.
#[derive(Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "System")]
pub struct RawSystem {
    /// The feed's file name (`<id>.ics`); stable once published.
    #[schemars(with = "formats::SystemId")]
    pub id: Spanned<String>,
    /// The name shown to people.
    #[schemars(with = "formats::Name")]
    pub name: Spanned<String>,
    /// What the system is, shown on the page.
    #[schemars(with = "Option<formats::Text>")]
    pub description: Option<Spanned<String>>,
    /// Systems this one needs: their outages show in its feed too.
    #[serde(default)]
    #[schemars(with = "Vec<formats::SystemId>")]
    pub depends_on: Vec<Spanned<String>>,
}

/// A feed of several systems (and other bundles), each event once.
#[derive(Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Bundle")]
pub struct RawBundle {
    /// The feed's file name (`<id>.ics`), not the id of a system.
    #[schemars(with = "formats::SystemId")]
    pub id: Spanned<String>,
    /// The name shown to people.
    #[schemars(with = "formats::Name")]
    pub name: Spanned<String>,
    /// Who it is for, shown on the page.
    #[schemars(with = "Option<formats::Text>")]
    pub description: Option<Spanned<String>>,
    /// System ids and bundle ids.
    #[schemars(with = "Vec<formats::SystemId>")]
    pub systems: Vec<Spanned<String>>,
}

/// A one-off outage: timed (`start`, `end`) or all day (`first-day`,
/// `last-day`).
#[derive(Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Outage")]
pub struct RawOutage {
    /// Part of the event's UID: never change or reuse it.
    #[schemars(with = "formats::Id")]
    pub id: Spanned<String>,
    /// The event's title.
    #[schemars(with = "formats::Name")]
    pub title: Spanned<String>,
    /// The systems hit.
    #[schemars(with = "formats::Systems")]
    pub systems: Spanned<RawSystems>,
    /// Timed: the local start.
    #[schemars(with = "Option<formats::DateTime>")]
    pub start: Option<Spanned<String>>,
    /// Timed: the local end.
    #[schemars(with = "Option<formats::DateTime>")]
    pub end: Option<Spanned<String>>,
    /// All day: the first day.
    #[schemars(with = "Option<formats::Date>")]
    pub first_day: Option<Spanned<String>>,
    /// All day: the last day, inclusive (default: the first day).
    #[schemars(with = "Option<formats::Date>")]
    pub last_day: Option<Spanned<String>>,
    /// What happens and why.
    #[schemars(with = "Option<formats::Text>")]
    pub description: Option<Spanned<String>>,
    /// What will not work while it lasts, at most 30 items.
    #[serde(default)]
    #[schemars(with = "Vec<formats::Item>", length(max = 30))]
    pub consequences: Vec<Spanned<RawItem>>,
    /// What still works while it lasts, at most 30 items.
    #[serde(default)]
    #[schemars(with = "Vec<formats::Item>", length(max = 30))]
    pub still_works: Vec<Spanned<RawItem>>,
    /// `down` (the default), `degraded` or `at-risk`, for every system hit
    /// or per system.
    #[schemars(with = "Option<formats::Impact>")]
    pub impact: Option<Spanned<RawImpact>>,
    /// Where the work is done.
    #[schemars(with = "Option<formats::Name>")]
    pub location: Option<Spanned<String>>,
    /// `confirmed` (default), `tentative` or `cancelled`.
    #[schemars(with = "Option<formats::Status>")]
    pub status: Option<Spanned<String>>,
    /// A page with more about it.
    #[schemars(with = "Option<formats::Url>")]
    pub link: Option<Spanned<String>>,
}

/// Recurring maintenance: the rule decides the dates, `start-time` and
/// `end-time` the window; exceptions by date.
#[derive(Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Maintenance")]
pub struct RawMaintenance {
    /// Part of every occurrence's UID: never change or reuse it.
    #[schemars(with = "formats::Id")]
    pub id: Spanned<String>,
    /// The events' title.
    #[schemars(with = "formats::Name")]
    pub title: Spanned<String>,
    /// The systems hit.
    #[schemars(with = "formats::Systems")]
    pub systems: Spanned<RawSystems>,
    /// An RFC 5545 RRULE value, without `DTSTART`, `UNTIL` or times of day.
    #[schemars(with = "formats::Rule")]
    pub rule: Spanned<String>,
    /// The first date the rule may produce.
    #[schemars(with = "formats::Date")]
    pub from: Spanned<String>,
    /// The last date the rule may produce; open-ended when absent.
    #[schemars(with = "Option<formats::Date>")]
    pub until: Option<Spanned<String>>,
    /// The window's local start on each date.
    #[schemars(with = "formats::Time")]
    pub start_time: Spanned<String>,
    /// The window's local end on the same date (`"24:00"`: midnight).
    #[schemars(with = "formats::Time")]
    pub end_time: Spanned<String>,
    /// `expand` or `rrule`; overrides `--recurrence`.
    #[schemars(with = "Option<formats::Recurrence>")]
    pub recurrence: Option<Spanned<String>>,
    /// What happens and why.
    #[schemars(with = "Option<formats::Text>")]
    pub description: Option<Spanned<String>>,
    /// What will not work, at most 30 items.
    #[serde(default)]
    #[schemars(with = "Vec<formats::Item>", length(max = 30))]
    pub consequences: Vec<Spanned<RawItem>>,
    /// What still works, at most 30 items.
    #[serde(default)]
    #[schemars(with = "Vec<formats::Item>", length(max = 30))]
    pub still_works: Vec<Spanned<RawItem>>,
    /// `down` (the default), `degraded` or `at-risk`, for every system hit
    /// or per system.
    #[schemars(with = "Option<formats::Impact>")]
    pub impact: Option<Spanned<RawImpact>>,
    /// Where the work is done.
    #[schemars(with = "Option<formats::Name>")]
    pub location: Option<Spanned<String>>,
    /// `confirmed` (default), `tentative` or `cancelled`.
    #[schemars(with = "Option<formats::Status>")]
    pub status: Option<Spanned<String>>,
    /// A page with more about it.
    #[schemars(with = "Option<formats::Url>")]
    pub link: Option<Spanned<String>>,
    /// Dates the rule gives that are left out.
    #[serde(default)]
    #[schemars(with = "Vec<RawSkip>")]
    pub skip: Vec<Spanned<RawSkip>>,
    /// Months that never have it.
    #[serde(default)]
    #[schemars(with = "Vec<RawSkipMonth>")]
    pub skip_months: Vec<Spanned<RawSkipMonth>>,
    /// Occurrences moved to another day (and times).
    #[serde(default)]
    #[schemars(with = "Vec<RawMove>")]
    pub moves: Vec<Spanned<RawMove>>,
    /// Dates the rule does not give.
    #[serde(default)]
    #[schemars(with = "Vec<RawExtra>")]
    pub extra: Vec<Spanned<RawExtra>>,
}

/// A date the rule gives that is left out.
#[derive(Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Skip")]
pub struct RawSkip {
    /// One of the rule's dates.
    #[schemars(with = "formats::Date")]
    pub date: Spanned<String>,
    /// Why, shown on the page.
    #[schemars(with = "Option<formats::Text>")]
    pub reason: Option<Spanned<String>>,
}

/// A month that never has the maintenance.
#[derive(Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "SkipMonth")]
pub struct RawSkipMonth {
    /// 1 (January) to 12 (December).
    #[schemars(with = "formats::Month")]
    pub month: Spanned<i64>,
    /// Why, shown on the page.
    #[schemars(with = "Option<formats::Text>")]
    pub reason: Option<Spanned<String>>,
}

/// An occurrence moved to another day, and optionally other times.
#[derive(Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Move")]
pub struct RawMove {
    /// The rule's date that moves (its UID stays).
    #[schemars(with = "formats::Date")]
    pub from: Spanned<String>,
    /// The day it moves to.
    #[schemars(with = "formats::Date")]
    pub to: Spanned<String>,
    /// The new start (default: the series' `start-time`).
    #[schemars(with = "Option<formats::Time>")]
    pub start_time: Option<Spanned<String>>,
    /// The new end (default: the series' `end-time`).
    #[schemars(with = "Option<formats::Time>")]
    pub end_time: Option<Spanned<String>>,
    /// Why, shown on the page and in the event.
    #[schemars(with = "Option<formats::Text>")]
    pub reason: Option<Spanned<String>>,
}

/// A date the rule does not give, with the series' (or its own) times.
#[derive(Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Extra")]
pub struct RawExtra {
    /// The extra date.
    #[schemars(with = "formats::Date")]
    pub date: Spanned<String>,
    /// Its start (default: the series' `start-time`).
    #[schemars(with = "Option<formats::Time>")]
    pub start_time: Option<Spanned<String>>,
    /// Its end (default: the series' `end-time`).
    #[schemars(with = "Option<formats::Time>")]
    pub end_time: Option<Spanned<String>>,
    /// Why, shown on the page and in the event.
    #[schemars(with = "Option<formats::Text>")]
    pub reason: Option<Spanned<String>>,
}

/// `systems: all` or `systems: [visma, gat]`.
#[derive(Debug, PartialEq)]
pub enum RawSystems {
    /// Any plain word; `schedule` checks that it is `all`.
    Word(String),
    List(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for RawSystems {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawSystems;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`all` or a list of system ids")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawSystems, E> {
                Ok(RawSystems::Word(v.to_string()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawSystems, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<Spanned<String>>()? {
                    ids.push(id);
                }
                Ok(RawSystems::List(ids))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// An item of `consequences` or `still-works`: text about every system
/// hit, or `{text: ..., systems: [ids]}` about some of them.
#[derive(Debug, PartialEq)]
pub enum RawItem {
    Text(String),
    About {
        text: Spanned<String>,
        systems: Spanned<Vec<Spanned<String>>>,
    },
}

impl<'de> Deserialize<'de> for RawItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct About {
            text: Spanned<String>,
            systems: Spanned<Vec<Spanned<String>>>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawItem;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a text, or `text:` with `systems:`")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawItem, E> {
                Ok(RawItem::Text(v.to_string()))
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<RawItem, A::Error> {
                let About { text, systems } =
                    About::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawItem::About { text, systems })
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `impact: degraded`, or per system:
/// `impact: [{level: degraded, systems: [telefoni]}]` (the systems not
/// named are down).
#[derive(Debug, PartialEq)]
pub enum RawImpact {
    Word(String),
    List(Vec<Spanned<RawImpactItem>>),
}

#[derive(Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawImpactItem {
    pub level: Spanned<String>,
    pub systems: Spanned<Vec<Spanned<String>>>,
}

impl<'de> Deserialize<'de> for RawImpact {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawImpact;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`down`, `degraded`, `at-risk` or a list of `level:` with `systems:`")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawImpact, E> {
                Ok(RawImpact::Word(v.to_string()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawImpact, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<RawImpactItem>>()? {
                    items.push(item);
                }
                Ok(RawImpact::List(items))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A value with where it is written: the YAML location serde-saphyr gives
/// (`referenced`: where it is used, for an alias the alias), kept as plain
/// numbers so that the parsed form of a file can be cached (in
/// `.nedetid.parsed`) and read back with every location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub referenced: At,
}

/// Where a value is written: 1-based line and column (in characters), and
/// the byte offset and length of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct At {
    pub line: u64,
    pub column: u64,
    pub offset: u64,
    pub len: u64,
}

impl At {
    pub fn line(&self) -> u64 {
        self.line
    }

    pub fn column(&self) -> u64 {
        self.column
    }

    /// The location in `file` that problems are reported at.
    pub fn location(self, file: &std::path::Path) -> crate::error::Location {
        crate::error::Location {
            file: file.to_path_buf(),
            line: u32::try_from(self.line).unwrap_or(u32::MAX),
            column: u32::try_from(self.column).unwrap_or(u32::MAX),
            offset: usize::try_from(self.offset).unwrap_or(0),
            len: usize::try_from(self.len).unwrap_or(0),
        }
    }
}

impl From<serde_saphyr::Location> for At {
    fn from(loc: serde_saphyr::Location) -> Self {
        let span = loc.span();
        Self {
            line: loc.line(),
            column: loc.column(),
            offset: span.byte_offset().unwrap_or(0),
            len: span.byte_len().unwrap_or(0),
        }
    }
}

/// From YAML (a human-readable format) through serde-saphyr's `Spanned`,
/// which has the parser's location; from the cache's binary form as the
/// value with its [`At`].
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let s = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
            Ok(Self {
                value: s.value,
                referenced: At::from(s.referenced),
            })
        } else {
            let (value, referenced) = <(T, At)>::deserialize(deserializer)?;
            Ok(Self { value, referenced })
        }
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (&self.value, &self.referenced).serialize(serializer)
    }
}

/// The schema of the value: locations are not written.
impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// The forms these are read in: a word, or a list.
impl Serialize for RawSystems {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RawSystems::Word(w) => serializer.serialize_str(w),
            RawSystems::List(ids) => ids.serialize(serializer),
        }
    }
}

/// The forms these are read in: a text, or `text:` with `systems:`.
impl Serialize for RawItem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        match self {
            RawItem::Text(t) => serializer.serialize_str(t),
            RawItem::About { text, systems } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("text", text)?;
                map.serialize_entry("systems", systems)?;
                map.end()
            }
        }
    }
}

/// The forms these are read in: a word, or a list.
impl Serialize for RawImpact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RawImpact::Word(w) => serializer.serialize_str(w),
            RawImpact::List(items) => items.serialize(serializer),
        }
    }
}
