//! `nedetid list`: the occurrences as nedetid computes them.

use chrono::NaiveDate;

use super::{exit, now, print_warnings, say};
use crate::cli::{Common, Format};
use crate::error::Error;
use crate::{list, pipeline};

pub fn run(
    common: &Common,
    system: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    format: Format,
) -> Result<u8, Error> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Error::Usage(format!("--from {f} is after --to {t}")));
    }
    let now = now(common)?;
    let checked = pipeline::load(&common.schedules)?;
    let expansion = pipeline::expansion_as(&checked, now, common.recurrence.into())?;
    print_warnings(&checked, pipeline::warnings(&checked, &expansion, now));
    let schedule = &checked.schedule;
    if let Some(s) = &system
        && schedule.system_index(s).is_none()
        && !schedule.bundles.iter().any(|b| &b.id == s)
    {
        return Err(Error::Usage(format!(
            "unknown system or bundle `{s}` (see `systems:` and `bundles:` in the schedules)"
        )));
    }
    let items = list::items(&expansion, &list::Filter { system, from, to });
    match format {
        Format::Json => say!("{}", list::to_json(&items).trim_end()),
        Format::Table => say!(
            "{}",
            list::to_table(&items, checked.schedule.settings.zone.name()).trim_end()
        ),
    }
    Ok(exit::OK)
}
