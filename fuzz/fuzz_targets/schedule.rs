//! A schedule assembled from fuzzer-chosen pieces (see
//! `nedetid_fuzz::structured`), so that most inputs get past YAML parsing and
//! validation into expansion and rendering. Built twice: a first build
//! without exceptions finds the rule's real dates, the second picks its
//! skips, moves and extra dates among them.
//!
//! `NEDETID_FUZZ_STATS=1` prints how far each input got (`-runs=0` over a
//! corpus tells how often the target reaches rendering).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nedetid_fuzz::structured::Input;

fn stats() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("NEDETID_FUZZ_STATS").is_some())
}

fn dump() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("NEDETID_FUZZ_DUMP").is_some())
}

fn show(files: &[(std::path::PathBuf, Vec<u8>)]) {
    for (path, bytes) in files {
        eprintln!("--- {}\n{}", path.display(), String::from_utf8_lossy(bytes));
    }
}

fuzz_target!(|input: Input| {
    let now = input.now();
    let form = input.recurrence();
    let files = input.files(None);
    if dump() {
        eprintln!("now: {now}, recurrence: {form:?}");
        show(&files);
    }
    let mut outcome = nedetid_fuzz::run_as(&files, now, form);
    if input.has_exceptions() {
        let files = input.files(Some(&outcome.rule_dates));
        if dump() {
            show(&files);
        }
        outcome = nedetid_fuzz::run_as(&files, now, form);
    }
    if stats() {
        let stage = if outcome.rendered {
            "rendered"
        } else if outcome.expanded {
            "expanded, too big to render"
        } else if outcome.checked {
            "expansion error"
        } else {
            "invalid"
        };
        eprintln!("nedetid-stage: {stage}");
    }
});
