//! nedetid turns planned-downtime schedules written in YAML into iCalendar
//! feeds, one per system plus one with everything.
//!
//! Pipeline: [`load`] (read files) -> [`validate`] (into a [`schedule`]) -> [`expand`]
//! (recurrence, time zones) -> [`render`] (+ [`ical`], [`tz`]) ->
//! [`publish`] (atomic writes). [`pipeline`] chains them for every command.

pub mod add;
pub mod atom;
pub mod budget;
pub mod cache;
pub mod cancel;
pub mod cli;
pub mod cmd;
pub mod error;
pub mod expand;
pub mod formats;
pub mod hash;
pub mod html;
pub mod ical;
pub mod import;
pub mod init;
pub mod limits;
pub mod list;
pub mod load;
pub mod page;
pub mod par;
pub mod parsed;
pub mod pipeline;
pub mod publish;
pub mod raw;
pub mod render;
pub mod rules;
pub mod schedule;
pub mod schema;
pub mod series;
pub mod sources;
pub mod stamp;
pub mod state;
pub mod status;
pub mod timing;
pub mod tz;
pub mod validate;
pub mod view;
pub mod warn;
pub mod wording;
