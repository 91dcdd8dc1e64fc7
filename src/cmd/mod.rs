//! The commands: each file runs one (`add`, `build`, `check`, `import`, `init`, `list`, `status`) on top of the
//! pipeline; this module dispatches, decides "now", prints problems and maps
//! every result to an exit code in one place.

mod add;
mod build;
mod check;
mod import;
mod init;
mod list;
mod status;

use std::process::ExitCode;

use chrono::{DateTime, Utc};

use crate::cli::{self, Cli, Command, Common};
use crate::error::{Error, Problem, Severity};
use crate::limits::{MAX_YEAR, MIN_YEAR};
use crate::pipeline::Checked;

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

pub(crate) use {complain, say};

/// Runs one command and prints its result; the binary's whole body.
pub fn run(cli: Cli) -> ExitCode {
    crate::timing::start();
    let result = match cli.command {
        Command::Check {
            common,
            deny_warnings,
        } => check::run(&common, deny_warnings),
        Command::Build { common, out, check } => build::run(&common, &out, check),
        Command::List {
            common,
            system,
            from,
            to,
            format,
        } => list::run(&common, system, from, to, format),
        Command::Init { dir, now } => init::run(&dir, now),
        Command::Schema => {
            say!("{}", crate::schema::json().trim_end());
            Ok(exit::OK)
        }
        Command::Add {
            what,
            schedules,
            file,
            now,
        } => add::run(what, &schedules, file.as_deref(), now),
        Command::Import {
            feed,
            systems,
            time_zone,
            output,
            now,
        } => import::run(
            &feed,
            &systems,
            time_zone.as_deref(),
            output.as_deref(),
            now,
        ),
        Command::Status {
            out,
            max_age,
            warn_age,
            now,
        } => Ok(status::run(&out, &max_age, warn_age.as_deref(), now)),
    };
    print_timings();
    match result {
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

/// The stages' timings (`NEDETID_TIMINGS`), to stderr.
fn print_timings() {
    for (mark, took) in crate::timing::take() {
        complain!(
            "timing {:>8.1} ms {:>7.1} ms  {:<12} {}\n",
            mark.at.as_secs_f64() * 1e3,
            took.as_secs_f64() * 1e3,
            mark.thread,
            mark.stage
        );
    }
}

/// `--now`, else `SOURCE_DATE_EPOCH` (reproducible builds), else the clock.
fn now(common: &Common) -> Result<DateTime<Utc>, Error> {
    if let Some(now) = common.now {
        return Ok(now);
    }
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .filter(cli::in_range)
            .ok_or_else(|| Error::Usage(format!("SOURCE_DATE_EPOCH=`{v}` is not a time in seconds since 1970, in the years {MIN_YEAR} to {MAX_YEAR} (the only ones nedetid's time-zone data is right for)"))),
        Err(_) => Some(Utc::now()).filter(cli::in_range).ok_or_else(|| {
            Error::Usage(format!(
                "the clock is outside the years {MIN_YEAR} to {MAX_YEAR}; give `--now`"
            ))
        }),
    }
}

/// Prints the warnings of validation and expansion; returns how many.
fn print_warnings(checked: &Checked, warnings: Vec<Problem>) -> usize {
    if !warnings.is_empty() {
        complain!("{}", checked.report(warnings.clone()).render());
    }
    warnings
        .iter()
        .filter(|w| w.severity == Severity::Warning)
        .count()
}
