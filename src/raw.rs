//! The schedule files as written: serde types that mirror the YAML, every
//! value kept with its source location. Nothing here is validated beyond its
//! YAML shape; `schedule` turns these into checked types.

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

pub use serde_saphyr::Spanned;

/// One schedule file. Every section is optional so the data can be split
/// over files however the editors like.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawFile {
    #[serde(default)]
    pub settings: Option<Spanned<RawSettings>>,
    #[serde(default)]
    pub systems: Vec<Spanned<RawSystem>>,
    #[serde(default)]
    pub outages: Vec<Spanned<RawOutage>>,
    #[serde(default)]
    pub maintenance: Vec<Spanned<RawMaintenance>>,
    /// Department calendars: several systems in one feed.
    #[serde(default)]
    pub bundles: Vec<Spanned<RawBundle>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSettings {
    /// `nb`, `nn` or `en`; bokmål when absent.
    pub language: Option<Spanned<String>>,
    pub calendar_name: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub time_zone: Option<Spanned<String>>,
    pub uid_domain: Option<Spanned<String>>,
    pub base_url: Option<Spanned<String>>,
    pub refresh_interval: Option<Spanned<String>>,
    pub horizon_months: Option<Spanned<i64>>,
    pub retention_days: Option<Spanned<i64>>,
    /// An ISO 8601 duration before each event; no reminder when absent.
    pub reminder: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSystem {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    pub description: Option<Spanned<String>>,
    /// Systems this one needs: their outages show in its feed too.
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
}

/// A feed of several systems (and other bundles), each event once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBundle {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    pub description: Option<Spanned<String>>,
    /// System ids and bundle ids.
    pub systems: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawOutage {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub systems: Spanned<RawSystems>,
    /// Timed: local start and end date-times.
    pub start: Option<Spanned<String>>,
    pub end: Option<Spanned<String>>,
    /// All day: first and last day, inclusive.
    pub first_day: Option<Spanned<String>>,
    pub last_day: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    #[serde(default)]
    pub consequences: Vec<Spanned<RawItem>>,
    #[serde(default)]
    pub still_works: Vec<Spanned<RawItem>>,
    /// `down` (the default), `degraded` or `at-risk`, for every system hit
    /// or per system.
    pub impact: Option<Spanned<RawImpact>>,
    pub location: Option<Spanned<String>>,
    pub status: Option<Spanned<String>>,
    pub link: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMaintenance {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub systems: Spanned<RawSystems>,
    /// An RFC 5545 RRULE value, without `DTSTART`, `UNTIL` or times of day.
    pub rule: Spanned<String>,
    /// The first date the rule may produce.
    pub from: Spanned<String>,
    /// The last date the rule may produce; open-ended when absent.
    pub until: Option<Spanned<String>>,
    pub start_time: Spanned<String>,
    pub end_time: Spanned<String>,
    /// `expand` or `rrule`; overrides `--recurrence`.
    pub recurrence: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    #[serde(default)]
    pub consequences: Vec<Spanned<RawItem>>,
    #[serde(default)]
    pub still_works: Vec<Spanned<RawItem>>,
    /// `down` (the default), `degraded` or `at-risk`, for every system hit
    /// or per system.
    pub impact: Option<Spanned<RawImpact>>,
    pub location: Option<Spanned<String>>,
    pub status: Option<Spanned<String>>,
    pub link: Option<Spanned<String>>,
    #[serde(default)]
    pub skip: Vec<Spanned<RawSkip>>,
    #[serde(default)]
    pub skip_months: Vec<Spanned<RawSkipMonth>>,
    #[serde(default)]
    pub moves: Vec<Spanned<RawMove>>,
    #[serde(default)]
    pub extra: Vec<Spanned<RawExtra>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSkip {
    pub date: Spanned<String>,
    pub reason: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSkipMonth {
    pub month: Spanned<i64>,
    pub reason: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMove {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub start_time: Option<Spanned<String>>,
    pub end_time: Option<Spanned<String>>,
    pub reason: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawExtra {
    pub date: Spanned<String>,
    pub start_time: Option<Spanned<String>>,
    pub end_time: Option<Spanned<String>>,
    pub reason: Option<Spanned<String>>,
}

/// `systems: all` or `systems: [visma, gat]`.
#[derive(Debug)]
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
#[derive(Debug)]
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
#[derive(Debug)]
pub enum RawImpact {
    Word(String),
    List(Vec<Spanned<RawImpactItem>>),
}

#[derive(Debug, Deserialize)]
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
