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
pub mod par;
pub mod pipeline;
pub mod publish;
pub mod raw;
pub mod render;
pub mod schedule;
pub mod series;
pub mod stamp;
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

/// Writes to stdout; a closed pipe (`nedetid list | head`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Writes to stderr, ignoring a closed pipe.
macro_rules! complain {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// Runs one command and prints its result; the binary's whole body.
pub fn run(cli: Cli) -> ExitCode {
    match execute(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            complain!("{e}\n");
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
            if let (Some(f), Some(t)) = (from, to)
                && f > t
            {
                return Err(Error::Usage(format!("--from {f} is after --to {t}")));
            }
            let now = now(&common)?;
            let checked = pipeline::load(&common.schedules)?;
            let expansion = pipeline::expansion_as(&checked, now, common.recurrence.into())?;
            print_warnings(&checked, pipeline::warnings(&checked, &expansion, now));
            if let Some(s) = &system
                && !checked.schedule.systems.iter().any(|x| &x.id == s)
            {
                return Err(Error::Usage(format!(
                    "unknown system `{s}` (see `systems:` in the schedules)"
                )));
            }
            let items = list::items(&expansion, &list::Filter { system, from, to });
            match format {
                Format::Json => say!("{}", list::to_json(&items).trim_end()),
                Format::Table => say!(
                    "{}",
                    list::to_table(&items, checked.schedule.settings.zone.name()).trim_end()
                ),
            }
            Ok(exit::OK)
        }
    }
}

/// `--now`, else `SOURCE_DATE_EPOCH` (reproducible builds), else the clock.
fn now(common: &Common) -> Result<chrono::DateTime<Utc>, Error> {
    if let Some(now) = common.now {
        return Ok(now);
    }
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .filter(cli::in_range)
            .ok_or_else(|| Error::Usage(format!("SOURCE_DATE_EPOCH=`{v}` is not a time in seconds since 1970 (up to the year 9000)"))),
        Err(_) => Ok(Utc::now()),
    }
}

/// Prints the warnings of validation and expansion; returns how many.
fn print_warnings(checked: &pipeline::Checked, warnings: Vec<error::Problem>) -> usize {
    if !warnings.is_empty() {
        complain!("{}", checked.report(warnings.clone()).render());
    }
    warnings
        .iter()
        .filter(|w| w.severity == error::Severity::Warning)
        .count()
}

fn check(common: &Common, deny_warnings: bool) -> Result<u8, Error> {
    let checked = pipeline::load(&common.schedules)?;
    let now = now(common)?;
    let expansion = pipeline::expansion_as(&checked, now, common.recurrence.into())?;
    let warnings = print_warnings(&checked, pipeline::warnings(&checked, &expansion, now));
    let s = &checked.schedule;
    let failed = deny_warnings && warnings > 0;
    say!(
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
    let now = now(common)?;
    let (files, problems) = load::read_dir(&common.schedules)?;
    let _lock = publish::lock_for_build(out, check_only)?;
    let previous = publish::read_manifest(out)?;
    let fingerprint = pipeline::input_fingerprint(&files, common.recurrence.into());
    // Nothing changed since the last build and nothing is due to change:
    // the published files are what a build would write. (`--check` always
    // compares every byte.)
    if !check_only && problems.is_empty() && publish::is_current(out, &previous, &fingerprint, now)
    {
        say!(
            "{}: unchanged (same schedules, nothing due before the next change); nothing written",
            out.display()
        );
        return Ok(exit::OK);
    }
    let checked = pipeline::load_files(&files, problems)?;
    let expansion = pipeline::expansion_as(&checked, now, common.recurrence.into())?;
    // Warnings are found while the outputs are rendered.
    let (warnings, rendered) = std::thread::scope(|scope| {
        let warnings = scope.spawn(|| pipeline::warnings(&checked, &expansion, now));
        let rendered = pipeline::render_recording(&expansion, &previous, now, Some(fingerprint));
        (par::join(warnings), rendered)
    });
    print_warnings(&checked, warnings);
    let large = rendered
        .outputs
        .iter()
        .filter(|o| o.name.ends_with(".ics") && o.content.len() > pipeline::FEED_WARN_BYTES);
    for feed in large {
        complain!(
            "warning: {} is {} bytes; Google Calendar refuses feeds over about 1 MB (set `retention-days` to drop old events)\n",
            feed.name,
            feed.content.len()
        );
    }
    let dropped = previous.dropped_files(&rendered.manifest);
    if check_only {
        let changes = publish::plan(out, &rendered.outputs, &dropped)?;
        if !changes.is_empty() {
            return Err(Error::Stale(changes.describe()));
        }
        say!(
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
        say!("{state:<10} {}{events}", out.join(name).display());
    }
    for name in &changes.removed {
        say!("{:<10} {}", "removed", out.join(name).display());
    }
    say!(
        "{} created, {} updated, {} unchanged, {} removed",
        changes.created.len(),
        changes.updated.len(),
        changes.unchanged.len(),
        changes.removed.len()
    );
    Ok(exit::OK)
}
