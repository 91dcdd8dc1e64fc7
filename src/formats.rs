//! The shapes of the schedule format's text values (ids, dates, times,
//! enums) as JSON Schema, for the schema of the YAML (`nedetid schema`):
//! each type here stands in for a `String` of `raw` in the schema only
//! (`#[schemars(with = ...)]`). The checks themselves are `validate`'s;
//! these say the same to an editor while the file is typed.
//! `patternErrorMessage` is the message VS Code's YAML extension shows
//! instead of the bare pattern (other validators ignore the keyword).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

/// Lowercase a-z, 0-9 and `-`, not starting or ending with `-`, at most 64
/// characters ([`crate::limits::MAX_ID_LEN`]).
pub const ID_PATTERN: &str = "^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$";
/// Names Windows reserves for devices: no file can have them.
const RESERVED: &str = "^(con|prn|aux|nul|com[0-9]|lpt[0-9])$";
pub const DATE_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
pub const TIME_PATTERN: &str = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";
pub const DATE_TIME_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ](([01][0-9]|2[0-3]):[0-5][0-9]|24:00)(Z|[+-][0-9]{2}:?[0-9]{2})?$";

macro_rules! text_format {
    ($name:ident, $schema:expr) => {
        pub struct $name;
        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                $schema
            }
        }
    };
}

text_format!(
    Id,
    json_schema!({
        "type": "string",
        "pattern": ID_PATTERN,
        "not": { "pattern": RESERVED },
        "patternErrorMessage": "an id is lowercase letters a-z, digits and `-` (not first or last), at most 64 characters, e.g. `2026-03-10-e-post`",
        "description": "lowercase letters a-z, digits and `-`, at most 64 characters; not a Windows device name (con, nul, com1, ...)"
    })
);
text_format!(
    SystemId,
    json_schema!({
        "type": "string",
        "pattern": ID_PATTERN,
        "not": { "pattern": "^(all|con|prn|aux|nul|com[0-9]|lpt[0-9])$" },
        "patternErrorMessage": "an id is lowercase letters a-z, digits and `-` (not first or last), at most 64 characters, e.g. `e-post`",
        "description": "lowercase letters a-z, digits and `-`, at most 64 characters; not `all`, not a Windows device name"
    })
);
text_format!(
    Date,
    json_schema!({
        "type": "string",
        "pattern": DATE_PATTERN,
        "patternErrorMessage": "write the date as year-month-day, e.g. `2019-11-29`",
        "description": "a date, year-month-day: `2019-11-29`"
    })
);
text_format!(
    Time,
    json_schema!({
        "type": "string",
        "pattern": TIME_PATTERN,
        "patternErrorMessage": "write the time as hours:minutes on a 24-hour clock, quoted, e.g. `\"16:00\"`",
        "description": "a time of day, hours:minutes on a 24-hour clock, quoted: `\"16:00\"`; an end may be `\"24:00\"` (midnight at the end of the day)"
    })
);
text_format!(
    DateTime,
    json_schema!({
        "type": "string",
        "pattern": DATE_TIME_PATTERN,
        "patternErrorMessage": "write the date and time as year-month-day hours:minutes, e.g. `2019-11-29 15:30`",
        "description": "a local date and time in the settings' time zone: `2019-11-29 15:30`; a time the clocks go back over takes its UTC offset: `2019-10-27 02:30+01:00`"
    })
);
text_format!(
    Status,
    json_schema!({
        "type": "string",
        "enum": ["confirmed", "tentative", "cancelled"],
        "description": "confirmed (the default), tentative or cancelled"
    })
);
text_format!(
    Recurrence,
    json_schema!({
        "type": "string",
        "enum": ["expand", "rrule"],
        "description": "how the series is published: one event per occurrence (`expand`) or one repeating event (`rrule`); overrides `--recurrence`"
    })
);
text_format!(
    Language,
    json_schema!({
        "type": "string",
        "enum": ["nb", "nn", "en"],
        "description": "nb (bokmål, the default), nn (nynorsk) or en (British English)"
    })
);
text_format!(
    Rule,
    json_schema!({
        "type": "string",
        "pattern": "^(RRULE:)?(?=(.*;)?FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(;|$))(?!(.*;)?(DTSTART|UNTIL|BYHOUR|BYMINUTE|BYSECOND)=)[A-Z]+=[^;]+(;[A-Z]+=[^;]+)*$",
        "patternErrorMessage": "write an RRULE with FREQ=DAILY, WEEKLY, MONTHLY or YEARLY and no DTSTART, UNTIL, BYHOUR, BYMINUTE or BYSECOND, e.g. `FREQ=MONTHLY;BYDAY=2TU`",
        "description": "an RFC 5545 RRULE that decides the dates: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, e.g. `FREQ=MONTHLY;BYDAY=2TU`; no DTSTART, UNTIL (use `until`) or BYHOUR/BYMINUTE/BYSECOND (times come from `start-time` and `end-time`)"
    })
);
text_format!(
    Duration,
    json_schema!({
        "type": "string",
        "pattern": "^P([0-9]+W|[0-9]+D(T([0-9]+H)?([0-9]+M)?([0-9]+S)?)?|T([0-9]+H)?([0-9]+M)?([0-9]+S)?)$",
        "patternErrorMessage": "write an ISO 8601 duration, e.g. `PT12H`, `P1D` or `P2W`",
        "description": "an ISO 8601 duration: `PT12H`, `P1D`, `P2W`"
    })
);
text_format!(
    Url,
    json_schema!({
        "type": "string",
        "pattern": "^[hH][tT][tT][pP][sS]?://[^\\s\"<>]+$",
        "maxLength": 2000,
        "patternErrorMessage": "write an absolute http(s) address, e.g. `https://www.example.no/nedetid/`",
        "description": "an absolute http(s) address"
    })
);
text_format!(
    Month,
    json_schema!({
        "type": "integer",
        "minimum": 1,
        "maximum": 12,
        "description": "a month, 1 (January) to 12 (December)"
    })
);
text_format!(
    Systems,
    json_schema!({
        "description": "`all`, or a list of the ids of the systems hit: `[visma, gat]`",
        "oneOf": [
            { "const": "all" },
            {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "string",
                    "pattern": ID_PATTERN,
                    "not": { "const": "all" }
                }
            }
        ]
    })
);
text_format!(
    Name,
    json_schema!({
        "type": "string",
        "minLength": 1,
        "maxLength": crate::limits::MAX_NAME_CHARS,
        "description": "text shown to people, at most 300 characters"
    })
);
text_format!(
    Text,
    json_schema!({
        "type": "string",
        "maxLength": crate::limits::MAX_TEXT_CHARS,
        "description": "text shown to people, at most 5,000 characters"
    })
);
text_format!(
    Item,
    json_schema!({
        "description": "one item, at most 1,000 characters: text about every system hit, or `{text: ..., systems: [ids]}` about some of them",
        "oneOf": [
            { "type": "string", "maxLength": crate::limits::MAX_ITEM_CHARS },
            {
                "type": "object",
                "properties": {
                    "text": {
                        "description": "the item, at most 1,000 characters",
                        "type": "string",
                        "maxLength": crate::limits::MAX_ITEM_CHARS
                    },
                    "systems": {
                        "description": "the ids of the systems it is about (among those hit)",
                        "type": "array",
                        "minItems": 1,
                        "items": { "type": "string", "pattern": ID_PATTERN }
                    }
                },
                "required": ["text", "systems"],
                "additionalProperties": false
            }
        ]
    })
);
text_format!(
    Impact,
    json_schema!({
        "description": "how hard the systems are hit: `down` (the default), `degraded` or `at-risk` for every system, or a list of `{level, systems}` (the systems not named are down)",
        "oneOf": [
            { "type": "string", "enum": ["down", "degraded", "at-risk"] },
            {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "level": {
                            "description": "down, degraded or at-risk",
                            "type": "string",
                            "enum": ["down", "degraded", "at-risk"]
                        },
                        "systems": {
                            "description": "the ids of the systems at this level (among those hit)",
                            "type": "array",
                            "minItems": 1,
                            "items": { "type": "string", "pattern": ID_PATTERN }
                        }
                    },
                    "required": ["level", "systems"],
                    "additionalProperties": false
                }
            }
        ]
    })
);
text_format!(
    ZoneName,
    json_schema!({
        "type": "string",
        "pattern": "^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$",
        "patternErrorMessage": "write an IANA time zone name, e.g. `Europe/Oslo`",
        "description": "an IANA time zone name: `Europe/Oslo`"
    })
);
