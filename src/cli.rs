//! The command line: raw argument types (clap) and their conversion into the
//! values the pipeline takes. Nothing here reaches the core.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};

use crate::limits::{MAX_YEAR, MIN_YEAR};

#[derive(Debug, Parser)]
#[command(
    name = "nedetid",
    version,
    about = "Planned-downtime schedules (YAML) to iCalendar feeds"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per run: the size of `add outage`'s flags does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the schedules and write one feed per system plus `all.ics`
    Build {
        #[command(flatten)]
        common: Common,
        /// Output folder
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Write nothing; exit 4 when a build would change the output folder
        #[arg(long)]
        check: bool,
    },
    /// Validate the schedules only; print every problem
    Check {
        #[command(flatten)]
        common: Common,
        /// Exit 1 on warnings too
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Write a starter schedules folder for a new organisation
    Init {
        /// The folder to write (new, or empty)
        dir: PathBuf,
        /// The time the dates are computed from (the outage is next
        /// month): as for `build`. Default: now.
        #[arg(long, value_parser = parse_now)]
        now: Option<DateTime<Utc>>,
    },
    /// Report when a build last ran against an output folder, as a
    /// Nagios/Icinga plugin: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
    Status {
        /// Output folder the nightly build publishes into
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// CRITICAL when the last successful run is older than this (an
        /// ISO 8601 duration such as `PT26H`)
        #[arg(long, default_value = "PT26H")]
        max_age: String,
        /// WARNING when the last successful run is older than this
        #[arg(long)]
        warn_age: Option<String>,
        /// The time to judge the age at (as for `build`). Default: now.
        #[arg(long, value_parser = parse_now)]
        now: Option<DateTime<Utc>>,
    },
    /// Turn an iCalendar feed (an Outlook or Google export, a feed) into a
    /// schedule file; report on stderr what could not be expressed
    Import {
        /// The .ics file to read
        feed: PathBuf,
        /// The schedule's systems, comma-separated, each `id` or
        /// `id=Name`; every event is on all of them. Default: one system,
        /// `imported`
        #[arg(long, value_delimiter = ',')]
        systems: Vec<String>,
        /// The schedule's time zone (IANA). Default: the feed's
        /// X-WR-TIMEZONE, else Europe/Oslo
        #[arg(long)]
        time_zone: Option<String>,
        /// Write the schedule into this file (new) instead of stdout
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The time the result is checked at (open-ended rules): as for
        /// `build`. Default: now.
        #[arg(long, value_parser = parse_now)]
        now: Option<DateTime<Utc>>,
    },
    /// Add an outage, or a skipped or moved date of a maintenance rule, to
    /// a schedule file, keeping its comments and layout; the whole schedule
    /// is checked first, and nothing is written if it would be invalid
    Add {
        #[command(subcommand)]
        what: AddWhat,
        /// Folder with the schedule files (*.yaml)
        #[arg(long, default_value = "schedules", global = true)]
        schedules: PathBuf,
        /// The file to add to (default: the one that holds the outages, or
        /// the rule)
        #[arg(long, global = true)]
        file: Option<PathBuf>,
        /// The time the schedule is checked at: as for `build`
        #[arg(long, value_parser = parse_now, global = true)]
        now: Option<DateTime<Utc>>,
    },
    /// Print the JSON Schema (draft 2020-12) of a schedule file, for
    /// editors that check YAML as it is typed
    Schema,
    /// Show the occurrences nedetid computes, sorted
    List {
        #[command(flatten)]
        common: Common,
        /// Only the occurrences in the feed of this system or bundle (with
        /// those of the systems it depends on)
        #[arg(long)]
        system: Option<String>,
        /// First local date to show (YYYY-MM-DD)
        #[arg(long, value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// Last local date to show (YYYY-MM-DD)
        #[arg(long, value_parser = parse_date)]
        to: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// What `add` adds. Missing required values are asked for when run in a
/// terminal; otherwise they are errors.
#[derive(Debug, Subcommand)]
pub enum AddWhat {
    /// A one-off outage
    Outage {
        /// Its id: a-z, 0-9 and `-`; part of the UID, never reused (asked for in a terminal)
        #[arg(long)]
        id: Option<String>,
        /// What happens, as people read it (asked for in a terminal)
        #[arg(long)]
        title: Option<String>,
        /// `all`, or system ids separated by commas
        #[arg(long, value_delimiter = ',')]
        systems: Vec<String>,
        /// Local start, `YYYY-MM-DD HH:MM` (timed)
        #[arg(long)]
        start: Option<String>,
        /// Local end, `YYYY-MM-DD HH:MM` (`24:00` for midnight)
        #[arg(long)]
        end: Option<String>,
        /// First day, `YYYY-MM-DD` (all day)
        #[arg(long)]
        first_day: Option<String>,
        /// Last day, `YYYY-MM-DD` (all day; default: the first day)
        #[arg(long)]
        last_day: Option<String>,
        /// A longer text
        #[arg(long)]
        description: Option<String>,
        /// One consequence (repeat the flag for more)
        #[arg(long)]
        consequence: Vec<String>,
        /// One thing that still works (repeat the flag for more)
        #[arg(long)]
        still_works: Vec<String>,
        /// down (the default), degraded or at-risk
        #[arg(long)]
        impact: Option<String>,
        /// Where the work is done
        #[arg(long)]
        location: Option<String>,
        /// confirmed, tentative or cancelled
        #[arg(long)]
        status: Option<String>,
        /// A web address with more information (https://...)
        #[arg(long)]
        link: Option<String>,
    },
    /// A date a maintenance rule gives that is left out
    Skip {
        /// The maintenance item's id
        #[arg(long)]
        series: Option<String>,
        /// The rule date to leave out, `YYYY-MM-DD`
        #[arg(long)]
        date: Option<String>,
        /// Why, shown to people
        #[arg(long)]
        reason: Option<String>,
    },
    /// An occurrence of a maintenance rule moved to another day (and times)
    Move {
        /// The maintenance item's id
        #[arg(long)]
        series: Option<String>,
        /// The rule date it is moved from, `YYYY-MM-DD`
        #[arg(long)]
        from: Option<String>,
        /// The date it is moved to, `YYYY-MM-DD`
        #[arg(long)]
        to: Option<String>,
        /// Its own start, `HH:MM` (default: the rule's)
        #[arg(long)]
        start_time: Option<String>,
        /// Its own end, `HH:MM` (default: the rule's)
        #[arg(long)]
        end_time: Option<String>,
        /// Why, shown to people
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct Common {
    /// Folder with the schedule files (*.yaml)
    #[arg(long, default_value = "schedules")]
    pub schedules: PathBuf,
    /// The time the run pretends it is (open-ended rules are expanded
    /// `horizon-months` past it): RFC 3339, `YYYY-MM-DD HH:MM` (UTC) or
    /// `YYYY-MM-DD`. Default: now.
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// How maintenance series are published, unless a series says
    /// (`recurrence:`): one event per occurrence, or one repeating event
    #[arg(long, value_enum, default_value_t = RecurrenceArg::Expand)]
    pub recurrence: RecurrenceArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecurrenceArg {
    Expand,
    Rrule,
}

impl From<RecurrenceArg> for crate::schedule::Recurrence {
    fn from(r: RecurrenceArg) -> Self {
        match r {
            RecurrenceArg::Expand => Self::Expand,
            RecurrenceArg::Rrule => Self::Rrule,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date; write YYYY-MM-DD"))
}

pub fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    let parsed = DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                .map(|t| t.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        });
    match parsed {
        // chrono reads `:60` as a leap second, which iCalendar cannot write.
        Some(t) if t.timestamp_subsec_nanos() >= 1_000_000_000 => Err(format!(
            "`{s}` is a leap second; write the minute's `:59` or the next minute"
        )),
        Some(t) if in_range(&t) => Ok(t),
        Some(_) => Err(format!(
            "`{s}` is outside the years {MIN_YEAR} to {MAX_YEAR}, the only ones nedetid's time-zone data is right for"
        )),
        None => Err(format!(
            "`{s}` is not a time; write e.g. `2019-06-01T12:00:00Z` or `2019-06-01`"
        )),
    }
}

/// The times nedetid runs at: the years schedules may have, in UTC.
pub fn in_range(t: &DateTime<Utc>) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&chrono::Datelike::year(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_refused_outside_the_range_and_on_a_leap_second() {
        assert!(parse_now("2026-06-30T12:59:59Z").is_ok());
        assert!(parse_now("2026-06-30T12:59:60Z").is_err_and(|e| e.contains("leap second")));
        assert!(parse_now("2026-06-30 12:59:60").is_err());
        assert!(parse_now("1969-12-31").is_err());
        assert!(parse_now("1970-01-01").is_ok());
        assert!(parse_now("2099-12-31T23:59:59Z").is_ok());
        assert!(parse_now("2100-01-01").is_err_and(|e| e.contains("1970 to 2099")));
        assert!(parse_now("9001-01-01").is_err());
    }
}
