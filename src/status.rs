//! `nedetid status`: whether the nightly build keeps running against an
//! output folder, judged from its state file and run record, in the form
//! of a Nagios/Icinga plugin (a status line, long output, exit 0-3).
//! Nothing here reads files: the command hands over what it read.

use chrono::{DateTime, Utc};

use crate::state::{Manifest, RunRecord};

/// The plugin's states, with their exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

impl Level {
    pub fn word(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Warning => "WARNING",
            Level::Critical => "CRITICAL",
            Level::Unknown => "UNKNOWN",
        }
    }

    pub fn code(self) -> u8 {
        self as u8
    }
}

/// What `status` found in the output folder.
#[derive(Debug)]
pub enum Found {
    /// The folder or its state file is missing: nothing was ever published.
    NoState(String),
    /// The state file or the run record is corrupt (or not a regular file).
    Corrupt(String),
    /// The folder or a file could not be read (permissions, I/O).
    Unreadable(String),
    /// A state file, but no run record.
    NoRunRecord(Manifest),
    Both(Manifest, RunRecord),
}

/// The age limits, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// CRITICAL when the last run is older (`--max-age`).
    pub max_age: u64,
    /// WARNING when the last run is older (`--warn-age`).
    pub warn_age: Option<u64>,
}

/// How far in the future a last run may lie (clocks a little apart)
/// before it is a warning.
const FUTURE_TOLERANCE_SECS: i64 = 300;

/// The report: the status line's parts and the long output.
#[derive(Debug)]
pub struct Status {
    pub level: Level,
    /// After `NEDETID <LEVEL> - `.
    pub summary: String,
    /// After ` | `; empty when nothing was measured.
    pub perfdata: String,
    /// Lines after the status line.
    pub details: Vec<String>,
}

impl Status {
    /// The status line, then the details.
    pub fn render(&self) -> String {
        let mut out = format!("NEDETID {} - {}", self.level.word(), self.summary);
        if !self.perfdata.is_empty() {
            out.push_str(" | ");
            out.push_str(&self.perfdata);
        }
        for line in &self.details {
            out.push('\n');
            out.push_str(line);
        }
        out
    }
}

fn at(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A length of time as people say it: `2d 3h`, `5h 4m`, `42s`.
pub fn span(secs: i64) -> String {
    let s = secs.unsigned_abs();
    let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// Judges what was found as of `now`.
pub fn evaluate(folder: &str, found: Found, now: DateTime<Utc>, limits: Limits) -> Status {
    let (manifest, run) = match records(folder, found) {
        Ok(both) => both,
        Err(status) => return status,
    };
    let age = (now - run.last_run).num_seconds();
    let max_age = i64::try_from(limits.max_age).unwrap_or(i64::MAX);
    let warn_age = limits
        .warn_age
        .map(|w| i64::try_from(w).unwrap_or(i64::MAX));
    let changed = run.last_change.map_or_else(|| "not known".to_string(), at);
    let counts = format!("{} feeds, {} events", run.feeds, run.events);
    let (level, summary) = judge(&run, (age, max_age, warn_age), &changed, &counts);
    let warn = warn_age.map(|w| w.to_string()).unwrap_or_default();
    Status {
        level,
        summary,
        perfdata: format!(
            "age={age}s;{warn};{max_age};0 feeds={} events={} warnings={}",
            run.feeds, run.events, run.warnings
        ),
        details: vec![
            format!("output folder: {folder}"),
            format!(
                "last successful run: {} (by nedetid {})",
                at(run.last_run),
                run.version
            ),
            format!("content last changed: {changed}"),
            format!(
                "{counts} (the state file lists {} feeds and {} events), {} warnings in the last build",
                manifest.feed_count(),
                manifest.events.len(),
                run.warnings
            ),
            format!("stale after: {}", span(max_age)),
        ],
    }
}

/// The state file and the run record, or the status when either is
/// missing or unreadable.
fn records(folder: &str, found: Found) -> Result<(Manifest, RunRecord), Status> {
    let plain = |level, summary: String, detail: &str| Status {
        level,
        summary,
        perfdata: String::new(),
        details: vec![detail.to_string()],
    };
    match found {
        Found::NoState(why) => Err(plain(
            Level::Critical,
            format!("no build has published into {folder}: {why}"),
            "run `nedetid build --out` into this folder (or check the nightly job's log: its first run failed)",
        )),
        Found::Corrupt(why) => Err(plain(
            Level::Critical,
            format!("the build state in {folder} is corrupt: {why}"),
            "the next build stops too; restore the file or delete it, then run the build",
        )),
        Found::Unreadable(why) => Err(plain(
            Level::Unknown,
            format!("cannot read {folder}: {why}"),
            "run the check as a user that may read the output folder",
        )),
        Found::NoRunRecord(manifest) => Err(Status {
            level: Level::Unknown,
            summary: format!(
                "{folder} has a state file but no run record (`.nedetid-run.json`): cannot tell when a build last ran"
            ),
            perfdata: format!(
                "feeds={} events={}",
                manifest.feed_count(),
                manifest.events.len()
            ),
            details: vec![
                "builds by nedetid before `status` existed do not write it; the next build does"
                    .into(),
            ],
        }),
        Found::Both(manifest, run) => Ok((manifest, run)),
    }
}

/// The level and the summary for a run `age` seconds old.
fn judge(
    run: &RunRecord,
    (age, max_age, warn_age): (i64, i64, Option<i64>),
    changed: &str,
    counts: &str,
) -> (Level, String) {
    if age > max_age {
        (
            Level::Critical,
            format!(
                "last successful run {} is {} old, over the {} allowed: the build has not run or has failed since (see its log)",
                at(run.last_run),
                span(age),
                span(max_age)
            ),
        )
    } else if age < -FUTURE_TOLERANCE_SECS {
        (
            Level::Warning,
            format!(
                "last run {} is {} in the future: the build's clock (or its --now or SOURCE_DATE_EPOCH) and this one disagree",
                at(run.last_run),
                span(age)
            ),
        )
    } else if warn_age.is_some_and(|w| age > w) {
        (
            Level::Warning,
            format!(
                "last successful run {} is {} old, over the {} of --warn-age",
                at(run.last_run),
                span(age),
                span(warn_age.unwrap_or_default())
            ),
        )
    } else if run.warnings > 0 {
        (
            Level::Warning,
            format!(
                "last run {} ({} ago) printed {} warning{}: run `nedetid check` on the schedules",
                at(run.last_run),
                span(age),
                run.warnings,
                if run.warnings == 1 { "" } else { "s" }
            ),
        )
    } else {
        (
            Level::Ok,
            format!(
                "last run {} ({} ago), content changed {changed}, {counts}, nedetid {}",
                at(run.last_run),
                span(age),
                run.version
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(last: &str, warnings: usize) -> RunRecord {
        RunRecord {
            version: "0.1.0".into(),
            last_run: last.parse().expect("time"),
            last_change: Some("2026-11-01T02:15:00Z".parse().expect("time")),
            feeds: 3,
            events: 5,
            warnings,
        }
    }

    fn judge(found: Found, now: &str, warn_age: Option<u64>) -> Status {
        let limits = Limits {
            max_age: 26 * 3600,
            warn_age,
        };
        evaluate("out", found, now.parse().expect("now"), limits)
    }

    #[test]
    fn levels() {
        let both = |last, w| Found::Both(Manifest::default(), run(last, w));
        let now = "2026-11-30T08:00:00Z";
        let ok = judge(both("2026-11-30T02:15:00Z", 0), now, None);
        assert_eq!(ok.level, Level::Ok, "{}", ok.render());
        assert!(
            ok.render().starts_with(
                "NEDETID OK - last run 2026-11-30T02:15:00Z (5h 45m ago), content changed 2026-11-01T02:15:00Z, 3 feeds, 5 events, nedetid 0.1.0 | age=20700s;;93600;0 feeds=3 events=5 warnings=0\n"
            ),
            "{}",
            ok.render()
        );
        let stale = judge(both("2026-11-28T02:15:00Z", 0), now, None);
        assert_eq!(stale.level, Level::Critical);
        assert!(stale.summary.contains("2d 5h old, over the 1d 2h allowed"));
        let warned = judge(both("2026-11-30T02:15:00Z", 2), now, None);
        assert_eq!(warned.level, Level::Warning);
        assert!(warned.summary.contains("printed 2 warnings"));
        let late = judge(both("2026-11-29T10:00:00Z", 0), now, Some(20 * 3600));
        assert_eq!(late.level, Level::Warning);
        let future = judge(both("2026-12-01T02:15:00Z", 0), now, None);
        assert_eq!(future.level, Level::Warning);
        assert!(future.summary.contains("in the future"));
        assert_eq!(
            judge(Found::NoState("x".into()), now, None).level,
            Level::Critical
        );
        assert_eq!(
            judge(Found::Corrupt("x".into()), now, None).level,
            Level::Critical
        );
        assert_eq!(
            judge(Found::Unreadable("x".into()), now, None).level,
            Level::Unknown
        );
        assert_eq!(
            judge(Found::NoRunRecord(Manifest::default()), now, None).level,
            Level::Unknown
        );
    }

    #[test]
    fn spans() {
        assert_eq!(span(42), "42s");
        assert_eq!(span(120), "2m");
        assert_eq!(span(3 * 3600 + 60), "3h 1m");
        assert_eq!(span(2 * 86_400 + 3 * 3600 + 59), "2d 3h");
    }
}
