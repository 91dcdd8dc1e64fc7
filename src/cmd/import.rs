//! `nedetid import FEED.ics`: a schedule file from a calendar; the report
//! of what could not be expressed on stderr.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{complain, exit, say};
use crate::error::Error;
use crate::import::{self, Options};

pub fn run(
    feed: &Path,
    systems: &[String],
    time_zone: Option<&str>,
    output: Option<&Path>,
    now: Option<DateTime<Utc>>,
) -> Result<u8, Error> {
    let bytes = std::fs::read(feed).map_err(|e| Error::io(feed, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::Usage(format!(
            "{}: the file is not UTF-8 (byte {} at offset {}); save it as UTF-8",
            feed.display(),
            e.as_bytes()
                .get(e.utf8_error().valid_up_to())
                .map_or(String::from("?"), |b| format!("0x{b:02X}")),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let mut pairs = Vec::new();
    for s in systems.iter().filter(|s| !s.trim().is_empty()) {
        let (id, name) = s.split_once('=').unwrap_or((s, s));
        pairs.push((id.trim().to_string(), name.trim().to_string()));
    }
    let zone = match time_zone {
        Some(z) => Some(z.parse().map_err(|_| {
            Error::Usage(format!(
                "unknown time zone `{z}`; write an IANA name such as `Europe/Oslo`"
            ))
        })?),
        None => None,
    };
    let opts = Options {
        systems: pairs,
        time_zone: zone,
        source: feed.file_name().map_or_else(
            || feed.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
    };
    let imported = import::import(&text, &opts)
        .map_err(|e| Error::Usage(format!("{}: {e}", feed.display())))?;
    // The result must pass `check` as it is: a failure here is nedetid's
    // mistake, shown with the generated text's locations.
    let name = output.map_or_else(|| PathBuf::from("imported.yaml"), Path::to_path_buf);
    let checked = crate::pipeline::load_memory(&[(name, imported.yaml.clone().into_bytes())])?;
    crate::pipeline::expansion(&checked, now.unwrap_or_else(Utc::now))?;
    complain!("{}", imported.report());
    match output {
        None => say!("{}", imported.yaml.trim_end()),
        Some(path) => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(|e| Error::io(path, e))?;
            file.write_all(imported.yaml.as_bytes())
                .map_err(|e| Error::io(path, e))?;
            complain!("wrote {}\n", path.display());
        }
    }
    Ok(exit::OK)
}
