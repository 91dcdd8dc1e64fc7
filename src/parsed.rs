//! The parsed form of each schedule file of the last build, with every
//! location: a build reads a file whose bytes are exactly those it parsed
//! last time from here instead of parsing its YAML again. Kept in
//! `.nedetid.parsed` beside the output (a dot file: never served).
//!
//! A shortcut, never a source of truth: a record is used only for a file
//! of the same name whose bytes are equal, byte for byte, to the bytes it
//! was parsed from (kept in the record), and only when its CRC-32 holds and
//! its parsed form reads back; anything else is parsed from the YAML. A
//! cache that is missing, from another version or too large is ignored and
//! written anew; `build --check` neither reads nor writes it.
//!
//! The format: [`MAGIC`], the version of nedetid, a fingerprint of the code
//! it is built from (`build.rs`) and a newline, then one
//! record per file: the lengths of its name, its bytes and its parsed form
//! (4 bytes each), a CRC-32 of those and the three (4 bytes), then the
//! three. Numbers are little-endian; the parsed form is MessagePack
//! (`rmp-serde`), each value with its location ([`crate::raw::Spanned`]).

use std::collections::HashMap;

use serde::Deserialize as _;

use crate::raw::RawFile;

/// The first bytes of the file; the number is the format's.
pub const MAGIC: &[u8] = b"nedetid parsed cache 1\n";

/// The records of a cache file, borrowed from its bytes.
#[derive(Debug, Default)]
pub struct Files<'a> {
    /// By name: the bytes parsed and their parsed form.
    records: HashMap<&'a str, (&'a [u8], &'a [u8])>,
}

/// One file for the cache: its name, bytes and parsed form ([`encode`]).
pub type Record<'a> = (&'a str, &'a [u8], &'a [u8]);

impl<'a> Files<'a> {
    /// An empty cache: every file is parsed.
    pub fn none() -> Self {
        Self::default()
    }

    /// The records of a cache file's bytes, up to the first that is cut
    /// short or fails its CRC; none when the header is not this version's.
    pub fn parse(bytes: &'a [u8]) -> Self {
        let mut files = Self::none();
        let Some(mut rest) = bytes.strip_prefix(header().as_slice()) else {
            return files;
        };
        while let Some(((name, source, parsed), after)) = record(rest) {
            files.records.insert(name, (source, parsed));
            rest = after;
        }
        files
    }

    /// The parsed form of file `name` if it was parsed from exactly
    /// `bytes` and reads back.
    pub fn get(&self, name: &str, bytes: &[u8]) -> Option<(RawFile, &'a [u8])> {
        let (source, parsed) = self.records.get(name)?;
        if *source != bytes {
            return None;
        }
        let mut de = rmp_serde::Deserializer::from_read_ref(*parsed).with_binary();
        let raw = RawFile::deserialize(&mut de).ok()?;
        Some((raw, parsed))
    }

    /// Whether it holds exactly `records` (no file more or less, each with
    /// the same bytes and parsed form): then there is nothing to write.
    pub fn holds(&self, records: &[Record]) -> bool {
        self.records.len() == records.len()
            && records
                .iter()
                .all(|(name, source, parsed)| self.records.get(name) == Some(&(*source, *parsed)))
    }
}

/// The name a schedule file is cached under: its file name, so that a
/// schedules folder moved or copied elsewhere still finds its files (the
/// bytes decide whether a record is used, not the name).
pub fn name_of(path: &std::path::Path) -> String {
    path.file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}

/// The parsed form of a file, for the cache; `None` when it cannot be
/// written (then the file is not cached).
pub fn encode(raw: &RawFile) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut ser = rmp_serde::Serializer::new(&mut out).with_binary();
    serde::Serialize::serialize(raw, &mut ser).ok()?;
    Some(out)
}

/// Writes a cache file of `records`.
pub fn write(out: &mut impl std::io::Write, records: &[Record]) -> std::io::Result<()> {
    out.write_all(&header())?;
    for (name, source, parsed) in records {
        crate::cache::write_frame(out, &[], [name.as_bytes(), source, parsed])?;
    }
    Ok(())
}

fn header() -> Vec<u8> {
    crate::cache::header_of(MAGIC)
}

/// The record at the start of `bytes` and what follows it; `None` when it
/// is cut short, fails its CRC or its name is not UTF-8.
fn record(bytes: &[u8]) -> Option<(Record<'_>, &[u8])> {
    let (_, [name, source, parsed], end) = crate::cache::read_frame(bytes, 0, 0)?;
    let name = std::str::from_utf8(bytes.get(name)?).ok()?;
    let record = (name, bytes.get(source)?, bytes.get(parsed)?);
    Some((record, bytes.get(end..)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every fixture that parses, parsed, written to a cache and read back:
    /// the same values with the same locations, for the same bytes only.
    #[test]
    fn a_file_read_back_from_the_cache_is_the_file_parsed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [
            "schedules",
            "tests/fixtures/page-2019",
            "tests/fixtures/valid",
        ] {
            let (found, _) = crate::load::read_dir(&root.join(dir)).expect("fixtures");
            files.extend(found);
        }
        let parsed: Vec<(String, Vec<u8>, RawFile, Vec<u8>)> = files
            .into_iter()
            .filter_map(|(path, bytes)| {
                let (_, raw) = crate::load::parse_bytes(&path, &bytes).ok()?;
                let encoded = encode(&raw)?;
                Some((path.display().to_string(), bytes, raw, encoded))
            })
            .collect();
        assert!(parsed.len() >= 5, "{} files", parsed.len());
        let records: Vec<Record> = parsed
            .iter()
            .map(|(n, b, _, e)| (n.as_str(), b.as_slice(), e.as_slice()))
            .collect();
        let mut file = Vec::new();
        write(&mut file, &records).expect("in memory");
        let cache = Files::parse(&file);
        assert!(cache.holds(&records));
        for (name, bytes, raw, _) in &parsed {
            let (back, _) = cache.get(name, bytes).expect("read back");
            assert!(back == *raw, "{name} differs when read back");
            let mut other = bytes.clone();
            other.push(b'\n');
            assert!(cache.get(name, &other).is_none(), "{name}: other bytes");
        }
        // Any byte flipped in a record's parsed form: that record and the
        // ones after it are not used.
        let last = file.len() - 3;
        file[last] ^= 1;
        let damaged = Files::parse(&file);
        let (name, bytes, _, _) = parsed.last().expect("files");
        assert!(damaged.get(name, bytes).is_none());
        assert!(!damaged.holds(&records));
    }
}
