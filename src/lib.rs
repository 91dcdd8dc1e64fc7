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
pub mod pipeline;
pub mod publish;
pub mod raw;
pub mod render;
pub mod schedule;
pub mod tz;

use std::collections::BTreeMap;
use std::process::ExitCode;

use chrono::Utc;

use cli::{Cli, Command, Common, Format};
use error::{Error, Severity};

/// Exit codes, documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    /// The schedules are invalid (or have warnings under `--deny-warnings`).
    pub const INVALID: u8 = 1;
    /// Bad command-line arguments (clap's own code).
    pub const USAGE: u8 = 2;
    /// A file or folder could not be read or written.
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
                Error::Io { .. } => exit::IO,
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
            print_warnings(&checked);
            let expansion = pipeline::expansion(&checked, now(&common))?;
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

fn now(common: &Common) -> chrono::DateTime<Utc> {
    common.now.unwrap_or_else(Utc::now)
}

fn print_warnings(checked: &pipeline::Checked) {
    if !checked.warnings.is_empty() {
        eprint!("{}", checked.report(checked.warnings.clone()).render());
    }
}

fn check(common: &Common, deny_warnings: bool) -> Result<u8, Error> {
    let checked = pipeline::load(&common.schedules)?;
    let expansion = pipeline::expansion(&checked, now(common))?;
    print_warnings(&checked);
    let s = &checked.schedule;
    let failed = deny_warnings
        && checked
            .warnings
            .iter()
            .any(|w| w.severity == Severity::Warning);
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
    let expansion = pipeline::expansion(&checked, now(common))?;
    print_warnings(&checked);
    let (feeds, outputs) = pipeline::render(&expansion, &BTreeMap::new());
    if check_only {
        let changes = publish::plan(out, &outputs)?;
        if !changes.is_empty() {
            return Err(Error::Stale(changes.describe()));
        }
        println!("{}: up to date ({} files)", out.display(), outputs.len());
        return Ok(exit::OK);
    }
    let changes = publish::publish(out, &outputs)?;
    for feed in &feeds {
        let state = if changes.created.contains(&feed.file_name) {
            "created"
        } else if changes.updated.contains(&feed.file_name) {
            "updated"
        } else {
            "unchanged"
        };
        println!(
            "{:<10} {} ({} events)",
            state,
            out.join(&feed.file_name).display(),
            feed.events
        );
    }
    println!(
        "{} created, {} updated, {} unchanged",
        changes.created.len(),
        changes.updated.len(),
        changes.unchanged.len()
    );
    Ok(exit::OK)
}
