//! The one load-validate-expand-render pipeline that `check`, `list` and
//! `build` share, so that they cannot drift apart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::{Error, Problem, Report};
use crate::expand::{Expansion, expand};
use crate::publish::Output;
use crate::render::{Feed, Revision, render_feeds};
use crate::schedule::{Schedule, validate};

/// Schedules that loaded and validated, with their warnings and the source
/// text for showing them.
#[derive(Debug)]
pub struct Checked {
    pub schedule: Schedule,
    pub warnings: Vec<Problem>,
    sources: BTreeMap<PathBuf, String>,
}

impl Checked {
    /// A report of `problems` that can show snippets of these schedules.
    pub fn report(&self, problems: Vec<Problem>) -> Report {
        Report::new(problems, self.sources.clone())
    }
}

/// Loads and validates every schedule file in `dir`.
pub fn load(dir: &Path) -> Result<Checked, Error> {
    let loaded = crate::load::load_dir(dir)?;
    let mut problems = loaded.problems;
    match validate(&loaded.files) {
        Ok((schedule, warnings)) if problems.is_empty() => Ok(Checked {
            schedule,
            warnings,
            sources: loaded.sources,
        }),
        Ok((_, mut more)) | Err(mut more) => {
            problems.append(&mut more);
            Err(Error::Invalid(Report::new(problems, loaded.sources)))
        }
    }
}

/// Expands the checked schedules as of `now`.
pub fn expansion(checked: &Checked, now: DateTime<Utc>) -> Result<Expansion<'_>, Error> {
    expand(&checked.schedule, now).map_err(|mut problems| {
        problems.extend(checked.warnings.iter().cloned());
        Error::Invalid(checked.report(problems))
    })
}

/// Every file `build` publishes, rendered in memory.
pub fn render(
    expansion: &Expansion,
    revisions: &BTreeMap<String, Revision>,
) -> (Vec<Feed>, Vec<Output>) {
    let feeds = render_feeds(expansion, revisions);
    let outputs = feeds
        .iter()
        .map(|f| Output {
            name: f.file_name.clone(),
            bytes: f.content.as_bytes().to_vec(),
        })
        .collect();
    (feeds, outputs)
}
