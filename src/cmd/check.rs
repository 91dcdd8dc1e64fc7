//! `nedetid check`: load, validate and expand; write nothing.

use super::{exit, now, print_warnings, say};
use crate::cli::Common;
use crate::error::Error;
use crate::pipeline;

pub fn run(common: &Common, deny_warnings: bool) -> Result<u8, Error> {
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
