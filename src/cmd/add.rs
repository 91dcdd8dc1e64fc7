//! `nedetid add outage|skip|move`: asks for what is missing (in a terminal
//! only), inserts the text, checks the whole schedule with it in memory and
//! replaces the file atomically, keeping its mode.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{exit, say};
use crate::add::{NewException, NewOutage};
use crate::cli::AddWhat;
use crate::error::Error;

/// The value of a flag, else asked for in a terminal, else an error
/// naming the flag.
fn required(value: Option<String>, flag: &str, question: &str) -> Result<String, Error> {
    if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
        return Ok(v);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage(format!(
            "`--{flag}` is missing (it is asked for only when run in a terminal)"
        )));
    }
    optional_prompt(question)?.ok_or_else(|| Error::Usage(format!("`--{flag}` is required")))
}

fn optional_prompt(question: &str) -> Result<Option<String>, Error> {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{question}: ");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io(Path::new("<stdin>"), e))?;
    Ok(Some(line.trim().to_string()).filter(|l| !l.is_empty()))
}

fn ask_if_terminal(value: Option<String>, question: &str) -> Result<Option<String>, Error> {
    if value.is_some() || !std::io::stdin().is_terminal() {
        return Ok(value);
    }
    optional_prompt(question)
}

pub fn run(
    what: AddWhat,
    schedules: &Path,
    file: Option<&Path>,
    now: Option<DateTime<Utc>>,
) -> Result<u8, Error> {
    let (inputs, problems) = crate::load::read_dir(schedules)?;
    // A file that does not parse is reported as `check` would, alone.
    let loaded = crate::load::parse_files(&inputs, problems);
    if !loaded.problems.is_empty() {
        return Err(Error::Invalid(crate::error::Report::new(
            loaded.problems,
            loaded.sources,
        )));
    }
    let pick =
        |want: &dyn Fn(&crate::raw::RawFile) -> bool, what: &str| -> Result<PathBuf, Error> {
            if let Some(f) = file {
                return Ok(
                    match inputs
                        .iter()
                        .find(|(p, _)| p.file_name() == f.file_name() || p == f)
                    {
                        Some((p, _)) => p.clone(),
                        None => {
                            return Err(Error::Usage(format!(
                                "`{}` is not a schedule file in {}",
                                f.display(),
                                schedules.display()
                            )));
                        }
                    },
                );
            }
            let holding: Vec<&PathBuf> = loaded
                .files
                .iter()
                .filter(|f| want(&f.raw))
                .map(|f| &f.path)
                .collect();
            match holding[..] {
                [one] => Ok(one.clone()),
                [] => Err(Error::Usage(format!(
                    "no file holds {what}; name one with `--file`"
                ))),
                _ => Err(Error::Usage(format!(
                    "{} files hold {what} ({}); name one with `--file`",
                    holding.len(),
                    holding
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            }
        };
    let (path, describe) = match what {
        AddWhat::Outage {
            id,
            title,
            systems,
            start,
            end,
            first_day,
            last_day,
            description,
            consequence,
            still_works,
            impact,
            location,
            status,
            link,
        } => {
            let id = required(id, "id", "id (a-z, 0-9 and -, e.g. 2026-03-10-e-post)")?;
            let title = required(title, "title", "title")?;
            let systems = if systems.is_empty() {
                required(
                    None,
                    "systems",
                    "systems (`all`, or ids separated by commas)",
                )?
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
            } else {
                systems
            };
            let (mut start, mut end, mut first_day) = (start, end, first_day);
            if start.is_none() && first_day.is_none() {
                if !std::io::stdin().is_terminal() {
                    return Err(Error::Usage(
                        "`--start` and `--end` (timed) or `--first-day` (all day) are missing"
                            .into(),
                    ));
                }
                start = optional_prompt("start, YYYY-MM-DD HH:MM (empty for an all-day outage)")?;
                if start.is_none() {
                    first_day = Some(required(None, "first-day", "first day, YYYY-MM-DD")?);
                }
            }
            if start.is_some() {
                end = Some(required(end, "end", "end, YYYY-MM-DD HH:MM")?);
            }
            let description = ask_if_terminal(description, "description (optional)")?;
            let outage = NewOutage {
                id: id.clone(),
                title,
                systems,
                start,
                end,
                first_day,
                last_day,
                description,
                consequences: consequence,
                still_works,
                impact,
                location,
                status,
                link,
            };
            // The file with the outages; in a folder without any, the one
            // with the maintenance (never when several hold outages).
            let path = if file.is_none() && loaded.files.iter().all(|f| f.raw.outages.is_empty()) {
                pick(&|r| !r.maintenance.is_empty(), "outages or maintenance")?
            } else {
                pick(&|r| !r.outages.is_empty(), "outages")?
            };
            (path, (format!("outage `{id}`"), Edit::Outage(outage)))
        }
        AddWhat::Skip {
            series,
            date,
            reason,
        } => {
            let series = required(series, "series", "maintenance id")?;
            let date = required(date, "date", "date to skip, YYYY-MM-DD")?;
            let reason = ask_if_terminal(reason, "reason (optional)")?;
            let path = pick(
                &|r| r.maintenance.iter().any(|m| m.value.id.value == series),
                &format!("maintenance `{series}`"),
            )?;
            (
                path,
                (
                    format!("skip of {date} in `{series}`"),
                    Edit::Exception(series, NewException::Skip { date, reason }),
                ),
            )
        }
        AddWhat::Move {
            series,
            from,
            to,
            start_time,
            end_time,
            reason,
        } => {
            let series = required(series, "series", "maintenance id")?;
            let from = required(from, "from", "the rule's date to move, YYYY-MM-DD")?;
            let to = required(to, "to", "the new date, YYYY-MM-DD")?;
            let start_time =
                ask_if_terminal(start_time, "start time, HH:MM (empty: the series' own)")?;
            let end_time = ask_if_terminal(end_time, "end time, HH:MM (empty: the series' own)")?;
            let reason = ask_if_terminal(reason, "reason (optional)")?;
            let path = pick(
                &|r| r.maintenance.iter().any(|m| m.value.id.value == series),
                &format!("maintenance `{series}`"),
            )?;
            (
                path,
                (
                    format!("move of {from} to {to} in `{series}`"),
                    Edit::Exception(
                        series,
                        NewException::Move {
                            from,
                            to,
                            start_time,
                            end_time,
                            reason,
                        },
                    ),
                ),
            )
        }
    };
    let (label, edit) = describe;
    let source = loaded.sources.get(&path).cloned().unwrap_or_default();
    let raw = &loaded
        .files
        .iter()
        .find(|f| f.path == path)
        .ok_or_else(|| Error::Usage(format!("{} did not parse", path.display())))?
        .raw;
    let new_text = match &edit {
        Edit::Outage(o) => crate::add::add_outage(&source, raw, o),
        Edit::Exception(series, e) => crate::add::add_exception(&source, raw, series, e),
    }
    .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    // The whole schedule with the new text, as `check` would see it.
    let changed: Vec<(PathBuf, Vec<u8>)> = inputs
        .iter()
        .map(|(p, b)| {
            if *p == path {
                (p.clone(), new_text.clone().into_bytes())
            } else {
                (p.clone(), b.clone())
            }
        })
        .collect();
    let checked = crate::pipeline::load_files(&changed, Vec::new())?;
    crate::pipeline::expansion(&checked, now.unwrap_or_else(Utc::now))?;
    let permissions = std::fs::metadata(&path)
        .map(|m| m.permissions())
        .map_err(|e| Error::io(&path, e))?;
    crate::publish::replace_file(&path, new_text.as_bytes(), Some(permissions))?;
    say!("added {label} to {}", path.display());
    Ok(exit::OK)
}

enum Edit {
    Outage(NewOutage),
    Exception(String, NewException),
}
