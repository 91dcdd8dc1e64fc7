//! nedetid turns planned-downtime schedules written in YAML into iCalendar
//! feeds, one per system plus one with everything.
//!
//! Pipeline: [`load`] (read files) -> [`schedule`] (validate) -> [`expand`]
//! (recurrence, time zones) -> [`render`] (+ [`ical`], [`tz`]) ->
//! [`publish`] (atomic writes). [`pipeline`] chains them for every command.

pub mod cli;
pub mod error;
pub mod expand;
pub mod ical;
pub mod list;
pub mod load;
pub mod page;
pub mod pipeline;
pub mod publish;
pub mod raw;
pub mod render;
pub mod schedule;
pub mod series;
pub mod state;
pub mod tz;
pub mod warn;

use std::process::ExitCode;

use chrono::Utc;

use cli::{Cli, Command, Common, Format};
use error::Error;

/// Exit codes, documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    /// The schedules are invalid (or have warnings under `--deny-warnings`).
    pub const INVALID: u8 = 1;
    /// Bad command-line arguments (clap's own code).
    pub const USAGE: u8 = 2;
    /// A file or folder could not be read or written, or the state file
    /// in the output folder is corrupt.
    pub const IO: u8 = 3;
    /// `build --check`: publishing would change the output folder.
    pub const STALE: u8 = 4;
}

/// Runs one command and prints its result; the binary's whole body.
pub fn run(cli: Cli) -> ExitCode {
    match execute(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(match e {
                Error::Invalid(_) => exit::INVALID,
                Error::Usage(_) => exit::USAGE,
                Error::Io { .. } | Error::State { .. } => exit::IO,
                Error::Stale(_) => exit::STALE,
            })
        }
    }
}

fn execute(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Check {
            common,
            deny_warnings,
        } => check(&common, deny_warnings),
        Command::Build { common, out, check } => build(&common, &out, check),
        Command::List {
            common,
            system,
            from,
            to,
            format,
        } => {
            let checked = pipeline::load(&common.schedules)?;
            let expansion =
                pipeline::expansion_as(&checked, now(&common), common.recurrence.into())?;
            print_warnings(&checked, &expansion, now(&common));
            if let Some(s) = &system
                && !checked.schedule.systems.iter().any(|x| &x.id == s)
            {
                return Err(Error::Usage(format!(
                    "unknown system `{s}` (see `systems:` in the schedules)"
                )));
            }
            let items = list::items(&expansion, &list::Filter { system, from, to });
            match format {
                Format::Json => print!("{}", list::to_json(&items)),
                Format::Table => print!(
                    "{}",
                    list::to_table(&items, checked.schedule.settings.zone.name())
                ),
            }
            Ok(exit::OK)
        }
    }
}

/// `--now`, else `SOURCE_DATE_EPOCH` (reproducible builds), else the clock.
fn now(common: &Common) -> chrono::DateTime<Utc> {
    common
        .now
        .or_else(|| {
            let secs = std::env::var("SOURCE_DATE_EPOCH")
                .ok()?
                .trim()
                .parse::<i64>()
                .ok()?;
            chrono::DateTime::from_timestamp(secs, 0)
        })
        .unwrap_or_else(Utc::now)
}

/// Prints the warnings of validation and expansion; returns how many.
fn print_warnings(
    checked: &pipeline::Checked,
    expansion: &expand::Expansion,
    now: chrono::DateTime<Utc>,
) -> usize {
    let warnings = pipeline::warnings(checked, expansion, now);
    if !warnings.is_empty() {
        eprint!("{}", checked.report(warnings.clone()).render());
    }
    warnings
        .iter()
        .filter(|w| w.severity == error::Severity::Warning)
        .count()
}

fn check(common: &Common, deny_warnings: bool) -> Result<u8, Error> {
    let checked = pipeline::load(&common.schedules)?;
    let now = now(common);
    let expansion = pipeline::expansion_as(&checked, now, common.recurrence.into())?;
    let warnings = print_warnings(&checked, &expansion, now);
    let s = &checked.schedule;
    let failed = deny_warnings && warnings > 0;
    println!(
        "{}: {} systems, {} outages, {} maintenance series, {} occurrences{}",
        common.schedules.display(),
        s.systems.len(),
        s.outages.len(),
        s.series.len(),
        expansion.occurrences.len(),
        if failed { " (warnings denied)" } else { "" }
    );
    Ok(if failed { exit::INVALID } else { exit::OK })
}

fn build(common: &Common, out: &std::path::Path, check_only: bool) -> Result<u8, Error> {
    let checked = pipeline::load(&common.schedules)?;
    let now = now(common);
    let expansion = pipeline::expansion_as(&checked, now, common.recurrence.into())?;
    print_warnings(&checked, &expansion, now);
    let previous = state::Manifest::read(out)?;
    let rendered = pipeline::render(&expansion, &previous, now);
    for feed in rendered
        .feeds
        .iter()
        .filter(|f| f.content.len() > pipeline::FEED_WARN_BYTES)
    {
        eprintln!(
            "warning: {} is {} bytes; Google Calendar refuses feeds over about 1 MB (set `retention-days` to drop old events)",
            feed.file_name,
            feed.content.len()
        );
    }
    let dropped = previous.dropped_files(&rendered.manifest);
    if check_only {
        let changes = publish::plan(out, &rendered.outputs, &dropped)?;
        if !changes.is_empty() {
            return Err(Error::Stale(changes.describe()));
        }
        println!(
            "{}: up to date ({} files)",
            out.display(),
            rendered.outputs.len()
        );
        return Ok(exit::OK);
    }
    let changes = publish::publish(out, &rendered.outputs, &dropped, &publish::no_faults)?;
    for output in &rendered.outputs {
        let name = &output.name;
        let state = if changes.created.contains(name) {
            "created"
        } else if changes.updated.contains(name) {
            "updated"
        } else {
            "unchanged"
        };
        let events = rendered
            .feeds
            .iter()
            .find(|f| &f.file_name == name)
            .map(|f| format!(" ({} events)", f.events))
            .unwrap_or_default();
        println!("{state:<10} {}{events}", out.join(name).display());
    }
    for name in &changes.removed {
        println!("{:<10} {}", "removed", out.join(name).display());
    }
    println!(
        "{} created, {} updated, {} unchanged, {} removed",
        changes.created.len(),
        changes.updated.len(),
        changes.unchanged.len(),
        changes.removed.len()
    );
    Ok(exit::OK)
}
