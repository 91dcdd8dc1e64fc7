//! `nedetid init`: a starter schedules folder for a new organisation. The
//! files are YAML templates with comments (`templates/init/`), compiled in;
//! the dates are computed from "now" so that the outage and the rule's
//! dates lie ahead. Nothing here prints.

use std::path::{Path, PathBuf};

use askama::Template;
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use crate::error::Error;

/// The zone the starter schedules are in.
const ZONE: Tz = chrono_tz::Europe::Oslo;

#[derive(Template)]
#[template(
    path = "init/innstillinger.yaml",
    escape = "none",
    config = "templates/askama.toml"
)]
struct SettingsFile {
    today: NaiveDate,
    zone: &'static str,
}

#[derive(Template)]
#[template(
    path = "init/nedetid.yaml",
    escape = "none",
    config = "templates/askama.toml"
)]
struct DowntimeFile {
    today: NaiveDate,
    outage_id: String,
    outage_start: String,
    outage_end: String,
    series_from: NaiveDate,
    skip_date: NaiveDate,
}

/// The first day of the month `months` after the one `d` is in.
fn month_start(d: NaiveDate, months: u32) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    first
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(first)
}

/// The second Tuesday of the month that starts on `first`.
fn second_tuesday(first: NaiveDate) -> NaiveDate {
    let ahead =
        (7 + Weekday::Tue.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    first + Duration::days(i64::from(ahead) + 7)
}

/// The starter files, by name, as of `now`: an outage on the 10th of next
/// month, 18:00-21:00; a series from the first of next month on the second
/// Tuesday of every month, with the month after's date skipped; and the
/// schema the two name on their first line.
pub fn files(now: DateTime<Utc>) -> Vec<(&'static str, String)> {
    let today = now.with_timezone(&ZONE).date_naive();
    let next = month_start(today, 1);
    let outage_day = next.with_day(10).unwrap_or(next);
    let settings = SettingsFile {
        today,
        zone: ZONE.name(),
    };
    let downtime = DowntimeFile {
        today,
        outage_id: format!("{}-oppgradering-e-post", outage_day.format("%Y-%m-%d")),
        outage_start: format!("{outage_day} 18:00"),
        outage_end: format!("{outage_day} 21:00"),
        series_from: next,
        skip_date: second_tuesday(month_start(today, 2)),
    };
    vec![
        ("innstillinger.yaml", render(&settings)),
        ("nedetid.yaml", render(&downtime)),
        // Beside the YAML files, which name it on their first line for the
        // editors' YAML extension (nedetid reads only *.yaml and *.yml).
        (crate::schema::FILE_NAME, crate::schema::json()),
    ]
}

fn render(t: &impl Template) -> String {
    // Rendering into a String fails only if a value's Display fails.
    let mut text = t.render().unwrap_or_default();
    // askama drops a template file's last line break; a text file ends in
    // one, so that what an editor or `cat >>` adds starts on a line of its
    // own.
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Writes the starter files into `dir`, which must not exist or be empty:
/// into a new folder beside it first, renamed into place when `dir` does
/// not exist yet (or is an empty folder, where the system allows), so that
/// a failure leaves nothing half-written.
pub fn write(dir: &Path, files: &[(&str, String)]) -> Result<(), Error> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if let Some(entry) = entries.next() {
                let name = entry
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .unwrap_or_default();
                return Err(Error::Usage(format!(
                    "{} is not empty (it holds `{name}`); `init` writes only into a new or empty folder, so that it never overwrites schedules: name a new folder",
                    dir.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory || dir.is_file() => {
            return Err(Error::Usage(format!(
                "{} is a file, not a folder; name a new folder for the schedules",
                dir.display()
            )));
        }
        Err(e) => return Err(Error::io(dir, e)),
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let staged = tempfile::Builder::new()
        .prefix(".nedetid-init-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    for (name, text) in files {
        let path = staged.path().join(name);
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(staged.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(staged.path(), e))?;
    }
    let staged = staged.keep();
    if std::fs::rename(&staged, dir).is_ok() {
        return Ok(());
    }
    // An existing empty folder that the system will not replace: the files
    // one by one.
    let result = files.iter().try_for_each(|(name, _)| {
        let (from, to) = (staged.join(name), dir.join(name));
        std::fs::rename(&from, &to).map_err(|e| Error::io(&to, e))
    });
    let _ = std::fs::remove_dir_all(&staged);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_lie_ahead_and_every_placeholder_is_filled() {
        let now = "2026-11-30T23:30:00Z".parse().expect("now");
        let files = files(now);
        let text: String = files.iter().map(|(_, t)| t.as_str()).collect();
        assert!(!text.contains("{{") && !text.contains("{%"), "{text}");
        assert!(
            files
                .iter()
                .filter(|(n, _)| n.ends_with(".yaml"))
                .all(|(_, t)| t.ends_with(".\n") || t.ends_with(":\n")),
            "{text}"
        );
        // The YAML files name the schema written beside them.
        for (name, t) in &files {
            if name.ends_with(".yaml") {
                assert!(
                    t.starts_with("# yaml-language-server: $schema=schema.json\n"),
                    "{name}"
                );
            }
        }
        assert!(
            files
                .iter()
                .any(|(n, t)| *n == "schema.json" && *t == crate::schema::json())
        );
        // 00:30 on 1 December in Oslo: next month is January.
        assert!(text.contains("start: 2027-01-10 18:00"), "{text}");
        assert!(text.contains("from: 2027-01-01"), "{text}");
        // The second Tuesday of February 2027.
        assert!(text.contains("- date: 2027-02-09"), "{text}");
        assert_eq!(
            second_tuesday(NaiveDate::from_ymd_opt(2026, 12, 1).expect("d")).to_string(),
            "2026-12-08"
        );
        assert_eq!(
            second_tuesday(NaiveDate::from_ymd_opt(2027, 6, 1).expect("d")).to_string(),
            "2027-06-08"
        );
    }
}
