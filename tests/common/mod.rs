//! Helpers shared by the integration tests: running the binary, a byte-level
//! lint of feeds, and reading feeds back with the `icalendar` crate's parser.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};

pub const NOW: &str = "2019-01-01T00:00:00Z";

/// The 2019 page ("Informasjon om planlagt nedetid IKT-systemer"), a copy
/// of what `schedules/` held when it was the default data: the tests that
/// need real data use this, so that editing `schedules/` (a municipality
/// putting its own data there) leaves them green.
pub const PAGE_2019: &str = "tests/fixtures/page-2019";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real binary, run from the repository root.
pub fn nedetid() -> Command {
    let mut cmd = Command::cargo_bin("nedetid").expect("binary built by cargo");
    cmd.current_dir(root());
    cmd
}

/// Runs the binary from the repository root with `args`, and kills it
/// after `limit`: a hang fails the test instead of stalling the run.
pub fn run_within(limit: std::time::Duration, args: &[&std::ffi::OsStr]) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nedetid"))
        .args(args)
        .current_dir(root())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start nedetid");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nedetid {args:?} still running after {limit:?}: killed");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

pub fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run nedetid");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// Builds `schedules` into a fresh temporary folder.
pub fn build(schedules: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tempdir");
    stdout(
        nedetid()
            .args(["build", "--now", NOW, "--schedules"])
            .arg(schedules)
            .arg("--out")
            .arg(out.path()),
    );
    out
}

/// `list --format json` for a folder, optionally for one system.
pub fn list(schedules: &Path, system: Option<&str>) -> Vec<serde_json::Value> {
    let mut cmd = nedetid();
    cmd.args(["list", "--format", "json", "--now", NOW, "--schedules"])
        .arg(schedules);
    if let Some(s) = system {
        cmd.args(["--system", s]);
    }
    serde_json::from_str(&stdout(&mut cmd)).expect("list prints JSON")
}

/// Every `.ics` file in a folder, by name.
pub fn feeds(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("read output")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ics"))
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).expect("read feed"))
        })
        .collect();
    out.sort();
    out
}

/// Byte-level checks every published feed must pass; returns what is wrong.
pub fn lint(bytes: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    if !bytes.ends_with(b"\r\n") {
        problems.push("does not end with CRLF".to_string());
    }
    let mut uids = BTreeSet::new();
    let mut event = (String::new(), String::new());
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let body = &lines[..lines.len().saturating_sub(1)];
    for (n, line) in body.iter().enumerate() {
        let n = n + 1;
        let Some(line) = line.strip_suffix(b"\r") else {
            problems.push(format!("line {n}: LF without CR"));
            continue;
        };
        if line.contains(&b'\r') {
            problems.push(format!("line {n}: bare CR"));
        }
        if line.len() > 75 {
            problems.push(format!("line {n}: {} octets", line.len()));
        }
        if std::str::from_utf8(line).is_err() {
            problems.push(format!(
                "line {n}: not valid UTF-8 on its own (a character split by folding)"
            ));
        }
        if line.ends_with(b"\\") && !line.ends_with(b"\\\\") {
            problems.push(format!("line {n}: ends inside an escape sequence"));
        }
    }
    let text = String::from_utf8_lossy(bytes);
    let unfolded = text.replace("\r\n ", "");
    for line in unfolded.split("\r\n") {
        let (name, value) = split_property(line);
        match name {
            "RDATE" => problems.push("RDATE present".into()),
            "DTSTAMP" if !value.ends_with('Z') => {
                problems.push(format!("DTSTAMP not in UTC: {line}"))
            }
            // A UID may repeat only as an override (RECURRENCE-ID) of its series.
            "BEGIN" if value == "VEVENT" => event = (String::new(), String::new()),
            "UID" => event.0 = value.to_string(),
            "RECURRENCE-ID" => event.1 = value.to_string(),
            "END" if value == "VEVENT" && !uids.insert(event.clone()) => {
                problems.push(format!("duplicate UID {} {}", event.0, event.1))
            }
            "SUMMARY" | "DESCRIPTION" | "LOCATION" | "NAME" | "X-WR-CALNAME" => {
                if let Some(bad) = unescaped(value) {
                    problems.push(format!("{name}: unescaped `{bad}` in {value:?}"));
                }
            }
            _ => {}
        }
    }
    problems
}

/// The property name (without parameters) and value of an unfolded line.
pub fn split_property(line: &str) -> (&str, &str) {
    let mut in_quotes = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                let name = line[..i].split(';').next().unwrap_or("");
                return (name, &line[i + 1..]);
            }
            _ => {}
        }
    }
    (line, "")
}

/// A TEXT value may not hold a bare `,` or `;` or a lone backslash.
fn unescaped(value: &str) -> Option<char> {
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\\' | ';' | ',' | 'n' | 'N') => {}
                _ => return Some('\\'),
            },
            ';' | ',' => return Some(c),
            _ => {}
        }
    }
    None
}

/// An event as the `icalendar` crate's parser reads it back.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Parsed {
    pub uid: String,
    pub summary: String,
    /// UTC `YYYY-MM-DDTHH:MM:SSZ`, or a date for all-day events.
    pub start: String,
    pub end: String,
}

/// Reads every VEVENT with the `icalendar` crate's parser; TZID times are
/// turned into UTC with the zone the parameter names.
pub fn parse_feed(bytes: &[u8]) -> Vec<Parsed> {
    let text = std::str::from_utf8(bytes).expect("feed is UTF-8");
    let unfolded = icalendar::parser::unfold(text);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("icalendar crate parses the feed");
    let mut out = Vec::new();
    let nested = cal.components.iter().flat_map(|c| c.components.iter());
    for c in cal
        .components
        .iter()
        .chain(nested)
        .filter(|c| c.name.as_str() == "VEVENT")
    {
        {
            let prop = |name: &str| c.find_prop(name).expect("property present");
            let uid = prop("UID").val.as_str().to_string();
            // The parser has already unescaped TEXT values.
            let summary = prop("SUMMARY").val.as_str().to_string();
            out.push(Parsed {
                uid,
                summary,
                start: instant(prop("DTSTART")),
                end: instant(prop("DTEND")),
            });
        }
    }
    out.sort();
    out
}

fn instant(p: &icalendar::parser::Property) -> String {
    let value = p.val.as_str();
    let param = |k: &str| {
        p.params
            .iter()
            .find(|x| x.key.as_str() == k)
            .and_then(|x| x.val.as_ref())
            .map(|v| v.as_str().to_string())
    };
    if param("VALUE").as_deref() == Some("DATE") {
        return NaiveDate::parse_from_str(value, "%Y%m%d")
            .expect("DATE value")
            .to_string();
    }
    if let Some(utc) = value.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").expect("UTC DATE-TIME");
        return t.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    let tzid = param("TZID").expect("timed values carry a TZID or are UTC");
    let zone: chrono_tz::Tz = tzid.parse().expect("IANA TZID");
    let local = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").expect("local DATE-TIME");
    // RFC 5545 3.3.5: a local time that happens twice means the first.
    let utc = zone
        .from_local_datetime(&local)
        .earliest()
        .expect("exists")
        .with_timezone(&Utc);
    utc.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The same four fields from `list --format json` items.
pub fn expected(items: &[serde_json::Value]) -> Vec<Parsed> {
    let s = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    let mut out: Vec<Parsed> = items
        .iter()
        .map(|i| Parsed {
            uid: s(i, "uid"),
            summary: s(i, "summary"),
            start: s(i, "start"),
            end: s(i, "end"),
        })
        .collect();
    out.sort();
    out
}
