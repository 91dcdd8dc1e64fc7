//! `nedetid build`: everything `check` does, then render every output and
//! publish the ones that changed.

use std::path::Path;

use super::{complain, exit, now, print_warnings, say};
use crate::cli::Common;
use crate::error::Error;
use crate::state::{CACHE, PARSED, RunRecord};
use crate::{cache, load, par, parsed, pipeline, publish, timing};

pub fn run(common: &Common, out: &Path, check_only: bool) -> Result<u8, Error> {
    let now = now(common)?;
    let (files, problems) = load::read_dir(&common.schedules)?;
    timing::mark("schedules read");
    let _lock = publish::lock_for_build(out, check_only)?;
    timing::mark("locked");
    // The cache of parsed files (below) is read while the state file is;
    // a build that stops early does not wait for it.
    let parsed_read = (!check_only).then(|| {
        let out = out.to_path_buf();
        std::thread::spawn(move || {
            let read = publish::read_parsed(&out);
            timing::mark("parsed cache read");
            read
        })
    });
    // The state file's files and input decide whether anything is to be
    // done; its events are read on another thread while the schedules are.
    let state = publish::read_state(out)?;
    let fingerprint = pipeline::input_fingerprint(&files, common.recurrence.into());
    timing::mark("input fingerprint");
    // Nothing changed since the last build and nothing is due to change:
    // the published files are what a build would write. (`--check` always
    // compares every byte.)
    let current = if !check_only && problems.is_empty() {
        publish::current(out, &state, &fingerprint, now)?
    } else {
        None
    };
    timing::mark("state head");
    if let Some(head) = current {
        // The run record is the one file a no-op run writes.
        let last = publish::read_run(out).ok().flatten();
        record(
            out,
            now,
            last.as_ref().and_then(|r| r.last_change),
            (head.feed_count(), head.event_count()),
            last.map_or(0, |r| r.warnings),
        )?;
        say!(
            "{}: unchanged (same schedules, nothing due before the next change); nothing written but the run record",
            out.display()
        );
        return Ok(exit::OK);
    }
    let previous = std::thread::spawn(move || {
        let manifest = state.manifest_keeping_texts();
        timing::mark("state events");
        manifest
    });
    // A file with the bytes it had at the last build is not parsed again:
    // its parsed form is in the cache that build left. `--check` parses
    // every file and leaves the cache alone.
    let parsed_bytes = parsed_read
        .map(|read| read.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
        .unwrap_or_default();
    let parsed_cache = parsed::Files::parse(&parsed_bytes);
    timing::mark("parsed cache decoded");
    let (loaded, parts) = load::parse_files_cached(&files, problems, &parsed_cache, !check_only);
    timing::mark("files parsed");
    // What the last build left to keep (files and rendered events) is read
    // on another thread while the schedules are validated and expanded
    // (on one core). `--check` compares every byte: it keeps nothing.
    let kept = std::thread::spawn({
        let out = out.to_path_buf();
        move || {
            if check_only {
                (publish::Reuse::none(), cache::Events::none())
            } else {
                let reuse = publish::Reuse::of(&out);
                timing::mark("kept files stat'ed");
                let cache = publish::read_cache(&out);
                timing::mark("event cache read");
                (reuse, cache)
            }
        }
    });
    let checked = pipeline::check_loaded_keeping(loaded, !check_only);
    timing::mark("validated");
    // A state file that cannot be read is reported first, as when it was
    // read before the schedules.
    let (previous, previous_texts) = previous
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))?;
    let (mut checked, item_forms) = checked?;
    timing::mark("state joined");
    pipeline::keep_removed(&mut checked, &previous, now);
    timing::mark("removed kept");
    let expansion = pipeline::expansion_over(&checked, &previous, now, common.recurrence.into())?;
    timing::mark("expanded");
    // Warnings are found while the outputs are rendered.
    let (warnings, rendered, cache) = std::thread::scope(|scope| {
        let warnings = scope.spawn(|| {
            let warnings = pipeline::warnings(&checked, &expansion, now);
            timing::mark("warnings");
            warnings
        });
        // `--check` compares every byte; a build keeps what it may.
        let (reuse, mut cache) = kept.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        let rendered = pipeline::render_recording(
            &expansion,
            (&previous, &previous_texts),
            now,
            Some(fingerprint),
            &reuse,
            &mut cache,
        );
        (par::join(warnings), rendered, cache)
    });
    let warned = print_warnings(&checked, warnings) + warn_large_feeds(&rendered);
    let dropped = previous.dropped_files(&rendered.manifest);
    timing::mark("rendered, dropped");
    if check_only {
        let changes = publish::plan(out, &rendered.outputs, &dropped)?;
        if !changes.is_empty() {
            return Err(Error::Stale(changes.describe()));
        }
        say!(
            "{}: up to date ({} files)",
            out.display(),
            rendered.outputs.len()
        );
        return Ok(exit::OK);
    }
    let names: Vec<String> = files
        .iter()
        .map(|(path, _)| parsed::name_of(path))
        .collect();
    // Every file parsed (else the build stopped): one validated form for
    // each, where it had no errors.
    let item_forms = if item_forms.len() == files.len() {
        item_forms
    } else {
        Vec::new()
    };
    let forms: Vec<Option<std::borrow::Cow<[u8]>>> = parts
        .iter()
        .enumerate()
        .map(|(n, parts)| {
            parts
                .as_ref()?
                .form(item_forms.get(n).and_then(Option::as_deref))
        })
        .collect();
    let records: Vec<parsed::Record> = files
        .iter()
        .zip(&names)
        .zip(&forms)
        .filter_map(|(((_, bytes), name), form)| {
            Some((name.as_str(), bytes.as_slice(), form.as_deref()?))
        })
        .collect();
    let common = rendered.events_common;
    let write_events =
        |out: &mut std::io::BufWriter<&std::fs::File>,
         events: &[(u64, &cache::Entry)],
         header: bool| { cache::write(out, events, header.then_some(common)) };
    let write_parsed = |out: &mut std::io::BufWriter<&std::fs::File>,
                        records: &[parsed::Record],
                        header: bool| parsed::write(out, records, header);
    // What the caches need is worked out while the outputs are published
    // (mostly waiting for the disk).
    let (changes, (events_plan, parsed_plan)) = std::thread::scope(|scope| {
        let planning = scope.spawn(|| {
            let used: Vec<(u64, &cache::Entry)> =
                rendered.events.iter().map(|(k, e)| (*k, e)).collect();
            let events_plan = cache.save(common, &used);
            let parsed_plan = parsed_cache.save(&records);
            // The map goes; the old cache's texts stay where this build's
            // events share them.
            drop(cache);
            timing::mark("caches planned");
            (events_plan, parsed_plan)
        });
        let changes = publish::publish(out, &rendered.outputs, &dropped, &publish::no_faults);
        (changes, par::join(planning))
    });
    let changes = changes?;
    timing::mark("published");
    let changed =
        !(changes.created.is_empty() && changes.updated.is_empty() && changes.removed.is_empty());
    let last_change = if changed {
        Some(now)
    } else {
        publish::read_run(out)
            .ok()
            .flatten()
            .and_then(|r| r.last_change)
    };
    let counts = (rendered.feeds.len(), rendered.manifest.events.len());
    // The caches for the next build once the outputs are out (a build that
    // fails leaves the folder as it was, and its space to the outputs),
    // while the run record is written and the report printed.
    std::thread::scope(|scope| {
        let saving = scope.spawn(|| {
            publish::save_cache(out, CACHE, events_plan, &write_events);
            timing::mark("event cache saved");
            publish::save_cache(out, PARSED, parsed_plan, &write_parsed);
            timing::mark("parsed cache saved");
        });
        let recorded = record(out, now, last_change, counts, warned);
        timing::mark("run recorded");
        report(out, &rendered, &changes);
        timing::mark("reported");
        par::join(saving);
        recorded
    })?;
    // The process ends with this command: its memory goes back to the
    // system at once. Freeing the outputs, the expansion and the schedules
    // piece by piece first cost 75 ms of a national build (from the last
    // line of the report to the exit).
    std::mem::forget(rendered);
    std::mem::forget(expansion);
    std::mem::forget(checked);
    std::mem::forget(records);
    std::mem::forget(forms);
    std::mem::forget(parts);
    Ok(exit::OK)
}

/// Warns of feeds larger than Google Calendar takes; returns how many.
fn warn_large_feeds(rendered: &pipeline::Rendered) -> usize {
    let large = rendered
        .outputs
        .iter()
        .filter(|o| o.name.ends_with(".ics") && o.content.len() > pipeline::FEED_WARN_BYTES);
    let mut warned = 0;
    for feed in large {
        warned += 1;
        complain!(
            "warning: {} is {} bytes; Google Calendar refuses feeds over about 1 MB (set `retention-days` to drop old events)\n",
            feed.name,
            feed.content.len()
        );
    }
    warned
}

/// Leaves the trace of a successful run that `status` reads.
fn record(
    out: &Path,
    now: chrono::DateTime<chrono::Utc>,
    last_change: Option<chrono::DateTime<chrono::Utc>>,
    (feeds, events): (usize, usize),
    warnings: usize,
) -> Result<(), Error> {
    publish::record_run(
        out,
        &RunRecord {
            version: env!("CARGO_PKG_VERSION").into(),
            last_run: now,
            last_change,
            feeds,
            events,
            warnings,
        },
    )
}

/// Says what happened to every file.
fn report(out: &Path, rendered: &pipeline::Rendered, changes: &publish::Changes) {
    let events: std::collections::HashMap<&str, usize> = rendered
        .feeds
        .iter()
        .map(|f| (f.file_name.as_str(), f.events))
        .collect();
    let created: std::collections::HashSet<&str> =
        changes.created.iter().map(String::as_str).collect();
    let updated: std::collections::HashSet<&str> =
        changes.updated.iter().map(String::as_str).collect();
    for output in &rendered.outputs {
        let name = &output.name;
        let state = if created.contains(name.as_str()) {
            "created"
        } else if updated.contains(name.as_str()) {
            "updated"
        } else {
            "unchanged"
        };
        let events = events
            .get(name.as_str())
            .map(|n| format!(" ({n} events)"))
            .unwrap_or_default();
        say!("{state:<10} {}{events}", out.join(name).display());
    }
    for name in &changes.removed {
        say!("{:<10} {}", "removed", out.join(name).display());
    }
    say!(
        "{} created, {} updated, {} unchanged, {} removed",
        changes.created.len(),
        changes.updated.len(),
        changes.unchanged.len(),
        changes.removed.len()
    );
}
