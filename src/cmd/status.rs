//! `nedetid status`: when a build last ran against an output folder, as a
//! Nagios/Icinga plugin (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).

use std::path::Path;

use chrono::{DateTime, Utc};

use super::say;
use crate::error::Error;
use crate::state::MANIFEST;
use crate::status::{self, Found, Level, Limits};
use crate::{publish, validate};

pub fn run(out: &Path, max_age: &str, warn_age: Option<&str>, now: Option<DateTime<Utc>>) -> u8 {
    let folder = out.display().to_string();
    let unknown = |why: String| {
        say!("NEDETID UNKNOWN - {why}");
        Level::Unknown.code()
    };
    let seconds = |flag: &str, text: &str| {
        validate::parse_duration(text.trim()).map(|(_, s)| s).ok_or(format!(
            "{flag} `{text}` is not a duration; write an ISO 8601 duration such as `PT26H` or `P2D`"
        ))
    };
    let max_age = match seconds("--max-age", max_age) {
        Ok(s) => s,
        Err(why) => return unknown(why),
    };
    let warn_age = match warn_age.map(|w| seconds("--warn-age", w)).transpose() {
        Ok(w) => w,
        Err(why) => return unknown(why),
    };
    let now = now.unwrap_or_else(Utc::now);
    let status = status::evaluate(&folder, found(out), now, Limits { max_age, warn_age });
    say!("{}", status.render());
    status.level.code()
}

/// Reads the state file and the run record of `out`.
fn found(out: &Path) -> Found {
    match std::fs::symlink_metadata(out.join(MANIFEST)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let why = if out.is_dir() {
                format!("it has no `{MANIFEST}`")
            } else {
                "the folder does not exist".to_string()
            };
            return Found::NoState(why);
        }
        Err(e) => return Found::Unreadable(format!("{}: {e}", out.join(MANIFEST).display())),
        Ok(_) => {}
    }
    let judge = |e: Error| match e {
        Error::State { .. } => Found::Corrupt(e.to_string().trim().to_string()),
        Error::Io { ref source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => {
            Found::Unreadable(e.to_string().trim().to_string())
        }
        _ => Found::Corrupt(e.to_string().trim().to_string()),
    };
    let manifest = match publish::read_manifest(out) {
        Ok(m) => m,
        Err(e) => return judge(e),
    };
    match publish::read_run(out) {
        Ok(Some(run)) => Found::Both(manifest, run),
        Ok(None) => Found::NoRunRecord(manifest),
        Err(e) => judge(e),
    }
}
