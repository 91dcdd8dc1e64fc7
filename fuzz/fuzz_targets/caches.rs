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

    // One record of a parsed file whose form is the fuzzer's bytes, and
    // one whose head and items are sound and whose validated items are
    // the fuzzer's bytes.
    let sound = nedetid::parsed::encode(&nedetid::raw::RawFile::default())
        .and_then(|(head, items)| nedetid::parsed::form(&head, &items, Some((0, data))));
    for form in [Some(data), sound.as_deref()].into_iter().flatten() {
        let mut parsed = Vec::new();
        let record = [("f.yaml", b"x".as_slice(), form)];
        if nedetid::parsed::write(&mut parsed, &record, true).is_ok() {
            let files = nedetid::parsed::Files::parse(&parsed);
            if let Some(hit) = files.get("f.yaml", b"x") {
                let _ = hit.items();
                if let Some((_, checked)) = hit.checked {
                    let _ =
                        nedetid::parsed::FileItems::decode(checked, std::path::Path::new("f.yaml"));
                }
            }
            let _ = files.save(&record);
        }
    }
    let record = [("f.yaml", b"x".as_slice(), data)];
    let _ = nedetid::parsed::Files::parse(data).save(&record);
});
