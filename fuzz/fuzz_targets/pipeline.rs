//! Arbitrary bytes as one schedule file through load, validation,
//! expansion and rendering (at a fixed `now`); every feed must pass the
//! byte-level checks of `nedetid_fuzz::check_ics`. Never a panic.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let files = [(PathBuf::from("f.yaml"), data.to_vec())];
    nedetid_fuzz::run(&files, nedetid_fuzz::fixed_now());
});
