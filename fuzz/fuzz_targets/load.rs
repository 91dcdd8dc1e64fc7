//! Arbitrary bytes as one schedule file through the parser: never a panic,
//! and a failure always comes with a problem that can be shown.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("f.yaml");
    match nedetid::load::parse_bytes(path, data) {
        Ok((text, _raw)) => assert!(std::str::from_utf8(data).is_ok() && !text.is_empty()),
        Err((_text, problem)) => {
            let shown = problem.to_string();
            assert!(!shown.is_empty(), "a problem that says nothing");
        }
    }
});
