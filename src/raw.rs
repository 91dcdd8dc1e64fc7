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
    pub consequences: Vec<Spanned<String>>,
    #[serde(default)]
    pub still_works: Vec<Spanned<String>>,
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
    pub consequences: Vec<Spanned<String>>,
    #[serde(default)]
    pub still_works: Vec<Spanned<String>>,
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
