//! Arbitrary bytes as the caches a build reads from the output folder
//! (`.nedetid.cache`, `.nedetid.parsed`), after a sound header: never a
//! panic, whatever the records say.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A cache of no events is its header.
    let mut events = Vec::new();
    if nedetid::cache::write(&mut events, &[], Some(0)).is_err() {
        return;
    }
    events.extend_from_slice(data);
    let cache = nedetid::cache::Events::parse(events);
    let used: Vec<_> = cache.entries().collect();
    let _ = cache.save(0, &used);

    // One record of a parsed file whose form is the fuzzer's bytes.
    let mut parsed = Vec::new();
    let record = [("f.yaml", b"x".as_slice(), data)];
    if nedetid::parsed::write(&mut parsed, &record, true).is_ok() {
        let files = nedetid::parsed::Files::parse(&parsed);
        let _ = files.get("f.yaml", b"x");
        let _ = files.save(&record);
    }
    let _ = nedetid::parsed::Files::parse(data).save(&record);
});
