//! `nedetid init DIR`: a starter schedules folder.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{exit, say};
use crate::error::Error;

pub fn run(dir: &Path, now: Option<DateTime<Utc>>) -> Result<u8, Error> {
    let files = crate::init::files(now.unwrap_or_else(Utc::now));
    crate::init::write(dir, &files)?;
    for (name, _) in &files {
        say!("created    {}", dir.join(name).display());
    }
    let d = dir.display();
    say!(
        "next: set `uid-domain` and `base-url` in {d}/innstillinger.yaml, replace the examples, then `nedetid check --schedules {d}` and `nedetid build --schedules {d} --out <web folder>`"
    );
    Ok(exit::OK)
}
