//! The rendered VEVENTs of the last build, and the items of its
//! `feeds.json`, by a fingerprint of everything each is rendered from (the
//! render and list modules make them): a build renders only the texts whose
//! fingerprint is not here, so that an edit of one outage renders one
//! event, not all of them. Kept in `.nedetid.cache` beside the
//! output (a dot file: the web server configurations never serve those).
//!
//! A shortcut, never a source of truth: a cache that is missing, from
//! another version of nedetid, too large, or that fails its checks is
//! ignored (from the first record that fails) and written anew, and
//! `build --check` neither reads nor writes it.
//!
//! The format: [`MAGIC`], the version of nedetid, a fingerprint of the code
//! it is built from (`build.rs`) and a newline, the print
//! every event's fingerprint starts from (8 bytes), then one record per
//! event or item: its fingerprint (8 bytes), the lengths of its hash,
//! head and body (4 bytes each), a CRC-32 of all of that and the texts (4
//! bytes), then the three texts. Numbers are little-endian. New events are
//! appended; the file is written anew when fewer than half of its records
//! are still in use.

use crate::hash::{FastMap, FastSet};
use std::sync::Arc;

/// The first bytes of the file; the number is the format's.
pub const MAGIC: &[u8] = b"nedetid event cache 1\n";

/// A piece of an output file's text, shared by every file that shows it
/// and never copied: a string of its own, or a part of a cache file as it
/// was read.
#[derive(Clone)]
pub enum Piece {
    Own(Arc<str>),
    Cached(Arc<Bytes>, std::ops::Range<usize>),
}

/// A cache file's bytes: read into memory, or mapped (Unix; the publish
/// module says when).
pub enum Bytes {
    Read(Vec<u8>),
    #[cfg(unix)]
    Mapped(memmap2::Mmap),
}

impl Default for Bytes {
    fn default() -> Self {
        Bytes::Read(Vec::new())
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Read(bytes) => bytes,
            #[cfg(unix)]
            Bytes::Mapped(map) => map,
        }
    }
}

impl Piece {
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Piece::Own(text) => text.as_bytes(),
            Piece::Cached(bytes, range) => bytes.get(range.clone()).unwrap_or_default(),
        }
    }

    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<String> for Piece {
    fn from(text: String) -> Self {
        Piece::Own(Arc::from(text))
    }
}

impl PartialEq for Piece {
    fn eq(&self, other: &Self) -> bool {
        // The same part of the same cache file read (what a build compares
        // most: every event it took from the cache) needs no comparing.
        if let (Piece::Cached(a, x), Piece::Cached(b, y)) = (self, other)
            && Arc::ptr_eq(a, b)
            && x == y
        {
            return true;
        }
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Piece {}

/// The text, not the cache file it may be part of.
impl std::fmt::Debug for Piece {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

/// One event's text in the pieces the render module keeps (the revision
/// lines between head and body are not cached: they change alone), or one
/// `feeds.json` item's (all in `head`; no hash, an empty body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The fingerprint of the text with the zero revision.
    pub hash: Arc<str>,
    pub head: Piece,
    pub body: Piece,
}

/// The events read from a cache file.
#[derive(Debug, Default)]
pub struct Events {
    /// The print every event's fingerprint starts from (nedetid's version,
    /// the settings, the systems' names): when it changed, no event is
    /// the same.
    common: Option<u64>,
    entries: FastMap<u64, Entry>,
    /// Records in the file, in use or not.
    records: usize,
    /// Whether the file was read to its end with every record sound: only
    /// then can new records be appended to it.
    whole: bool,
}

/// What to do with a cache file (this one or the parsed files') after a
/// build, with records of type `T`.
#[derive(Debug, PartialEq, Eq)]
pub enum Save<T> {
    /// It holds every record the build used: leave it.
    Keep,
    /// Append these records (written without the header).
    Append(Vec<T>),
    /// Write the file anew with these records (after the header).
    Replace(Vec<T>),
}

impl<T> Save<T> {
    /// The plan for a file read `whole` (to its end, every record sound)
    /// and of this build's kind (`same`), that is to hold `used`, of which
    /// `new` are not in it yet: the new ones appended, or, when the file
    /// cannot be appended to or would hold more than twice what is in use
    /// (`in_file` after appending against `in_use`, in records or bytes),
    /// only `used`.
    pub fn plan(
        whole: bool,
        same: bool,
        (in_file, in_use): (usize, usize),
        used: Vec<T>,
        new: Vec<T>,
    ) -> Self {
        if !whole || !same || in_file > in_use.saturating_mul(2) {
            Save::Replace(used)
        } else if new.is_empty() {
            Save::Keep
        } else {
            Save::Append(new)
        }
    }
}

impl Events {
    /// An empty cache: every event is rendered.
    pub fn none() -> Self {
        Self::default()
    }

    /// The events of a cache file's bytes: those of every sound record
    /// before the first that is not; none when the header is not this
    /// version's. The texts stay in `bytes`, which the entries share.
    pub fn parse(bytes: Vec<u8>) -> Self {
        Self::parse_shared(Arc::new(Bytes::Read(bytes)))
    }

    /// [`Events::parse`] of bytes read or mapped.
    pub fn parse_shared(bytes: Arc<Bytes>) -> Self {
        let mut events = Self::none();
        let start = header().len();
        let Some(common) = bytes
            .strip_prefix(header().as_slice())
            .and_then(|rest| rest.get(..8))
            .and_then(|b| b.try_into().ok())
        else {
            return events;
        };
        events.common = Some(u64::from_le_bytes(common));
        // The map made once at its size: growing it rehashed 84,000 keys.
        let mut count = 0;
        let mut at = start + 8;
        while let Some((_, _, end)) = frame_lengths(&bytes, at, 8) {
            count += 1;
            at = end;
        }
        events.entries.reserve(count);
        let mut at = start + 8;
        while at < bytes.len() {
            let Some((key, entry, end)) = record(&bytes, at) else {
                return events;
            };
            events.entries.insert(key, entry);
            events.records += 1;
            at = end;
        }
        events.whole = true;
        events
    }

    /// The print its events were rendered with ([`Events::save`]).
    pub fn common(&self) -> Option<u64> {
        self.common
    }

    /// The cached event with this fingerprint.
    pub fn get(&self, key: u64) -> Option<&Entry> {
        self.entries.get(&key)
    }

    /// Every event it holds, by fingerprint, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = (u64, &Entry)> {
        self.entries.iter().map(|(k, e)| (*k, e))
    }

    /// Whether its texts are in a mapped file.
    #[cfg(all(test, unix))]
    pub fn is_mapped(&self) -> bool {
        let mapped =
            |p: &Piece| matches!(p, Piece::Cached(b, _) if matches!(**b, Bytes::Mapped(_)));
        self.entries
            .values()
            .all(|e| mapped(&e.head) && mapped(&e.body))
    }

    /// How many events it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What to write so that the cache holds `used`, the events of a build
    /// (by fingerprint) whose fingerprints start from `common`: the new ones
    /// appended, or, when most records would no longer be in use, the file
    /// was not sound or its events started from another print, only
    /// `used`.
    pub fn save<'a>(&self, common: u64, used: &[(u64, &'a Entry)]) -> Save<(u64, &'a Entry)> {
        let mut seen = FastSet::with_capacity_and_hasher(used.len(), Default::default());
        let used: Vec<(u64, &Entry)> = used
            .iter()
            .filter(|(k, _)| seen.insert(*k))
            .copied()
            .collect();
        let new: Vec<(u64, &Entry)> = used
            .iter()
            .filter(|(k, e)| self.entries.get(k) != Some(*e))
            .copied()
            .collect();
        let counts = (self.records.saturating_add(new.len()), used.len());
        Save::plan(self.whole, self.common == Some(common), counts, used, new)
    }
}

/// Writes the records of `events`, after the header of a new file when
/// `header` has its events' common print.
pub fn write(
    out: &mut impl std::io::Write,
    events: &[(u64, &Entry)],
    header: Option<u64>,
) -> std::io::Result<()> {
    if let Some(common) = header {
        out.write_all(&self::header())?;
        out.write_all(&common.to_le_bytes())?;
    }
    for (key, entry) in events {
        write_record(out, *key, entry)?;
    }
    Ok(())
}

fn header() -> Vec<u8> {
    header_of(MAGIC)
}

/// A cache file's first line: `magic` (the format), the version and the
/// code (`build.rs`) the cache is of.
pub(crate) fn header_of(magic: &[u8]) -> Vec<u8> {
    let mut h = magic.to_vec();
    h.extend_from_slice(env!("CARGO_PKG_VERSION").as_bytes());
    h.push(b' ');
    h.extend_from_slice(env!("NEDETID_CODE").as_bytes());
    h.push(b'\n');
    h
}

fn write_record(out: &mut impl std::io::Write, key: u64, entry: &Entry) -> std::io::Result<()> {
    let texts = [
        entry.hash.as_bytes(),
        entry.head.as_bytes(),
        entry.body.as_bytes(),
    ];
    write_frame(out, &key.to_le_bytes(), texts)
}

/// Writes one record of either cache: `prefix`, the lengths of the three
/// texts (4 bytes each), a CRC-32 of all of that and the texts (4 bytes),
/// then the texts. A text of 4 GiB or more is not written (nor its record).
pub(crate) fn write_frame(
    out: &mut impl std::io::Write,
    prefix: &[u8],
    texts: [&[u8]; 3],
) -> std::io::Result<()> {
    let mut fixed = prefix.to_vec();
    for text in texts {
        let Ok(len) = u32::try_from(text.len()) else {
            return Ok(());
        };
        fixed.extend_from_slice(&len.to_le_bytes());
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(&fixed);
    texts.iter().for_each(|t| crc.update(t));
    out.write_all(&fixed)?;
    out.write_all(&crc.finalize().to_le_bytes())?;
    for text in texts {
        out.write_all(text)?;
    }
    Ok(())
}

/// Where the lengths of the record ([`write_frame`]) at offset `at` of
/// `bytes` start, the lengths of its three texts, and where it ends, by
/// those lengths alone (unchecked); `None` when it is cut short.
fn frame_lengths(bytes: &[u8], at: usize, prefix: usize) -> Option<(usize, [usize; 3], usize)> {
    let lens = at.checked_add(prefix)?;
    let len = |i: usize| -> Option<usize> {
        let b: [u8; 4] = bytes.get(lens + 4 * i..lens + 4 * i + 4)?.try_into().ok()?;
        usize::try_from(u32::from_le_bytes(b)).ok()
    };
    let texts = [len(0)?, len(1)?, len(2)?];
    let end = texts
        .iter()
        .try_fold(lens.checked_add(16)?, |end, len| end.checked_add(*len))?;
    (end <= bytes.len()).then_some((lens, texts, end))
}

/// Where a record's three texts are in the bytes it was read from.
pub(crate) type Texts = [std::ops::Range<usize>; 3];

/// The record ([`write_frame`]) at offset `at` of `bytes` whose prefix is
/// `prefix` bytes long: the prefix, where its three texts are, and where it
/// ends; `None` when it is cut short or fails its CRC.
pub(crate) fn read_frame(bytes: &[u8], at: usize, prefix: usize) -> Option<(&[u8], Texts, usize)> {
    let (lens, [a, b, _], end) = frame_lengths(bytes, at, prefix)?;
    let fixed = bytes.get(at..lens.checked_add(12)?)?;
    let crc = u32::from_le_bytes(bytes.get(lens + 12..lens + 16)?.try_into().ok()?);
    let texts = lens + 16;
    let mut check = crc32fast::Hasher::new();
    check.update(fixed);
    check.update(bytes.get(texts..end)?);
    if check.finalize() != crc {
        return None;
    }
    let ranges = [
        texts..texts + a,
        texts + a..texts + a + b,
        texts + a + b..end,
    ];
    Some((fixed.get(..prefix)?, ranges, end))
}

/// The record at offset `at` of `bytes`, and where it ends; `None` when it
/// is cut short or fails its CRC, or its hash is not UTF-8. Its head and
/// body are parts of `bytes`, not copies (they were written from text and
/// the CRC holds, so they are the text they were).
fn record(bytes: &Arc<Bytes>, at: usize) -> Option<(u64, Entry, usize)> {
    let (key, [hash, head, body], end) = read_frame(bytes, at, 8)?;
    let key = u64::from_le_bytes(key.try_into().ok()?);
    let hash = std::str::from_utf8(bytes.get(hash)?).ok()?;
    let entry = Entry {
        hash: Arc::from(hash),
        head: Piece::Cached(Arc::clone(bytes), head),
        body: Piece::Cached(Arc::clone(bytes), body),
    };
    Some((key, entry, end))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const COMMON: u64 = 7;

    /// An event's entry, the `n`th.
    pub(crate) fn entry(n: u32) -> Entry {
        Entry {
            hash: Arc::from(format!("{n:016x}")),
            head: Piece::from(format!("BEGIN:VEVENT\r\nUID:{n}\r\n")),
            body: Piece::from(format!("SUMMARY:Nedetid æøå {n}\r\nEND:VEVENT\r\n")),
        }
    }

    fn bytes_of(save: Save<(u64, &Entry)>) -> Vec<u8> {
        let mut out = Vec::new();
        match save {
            Save::Replace(events) => write(&mut out, &events, Some(COMMON)).expect("in memory"),
            other => panic!("expected a new file, got {other:?}"),
        }
        out
    }

    #[test]
    fn what_is_saved_reads_back() {
        let entries: Vec<(u64, Entry)> = (0..5).map(|n| (u64::from(n) * 7, entry(n))).collect();
        let used: Vec<(u64, &Entry)> = entries.iter().map(|(k, e)| (*k, e)).collect();
        let bytes = bytes_of(Events::none().save(COMMON, &used));
        let read = Events::parse(bytes.to_vec());
        assert_eq!(read.len(), 5);
        for (k, e) in &entries {
            assert_eq!(read.get(*k), Some(e));
        }
        assert_eq!(read.save(COMMON, &used), Save::Keep);
        // Events of another print (the settings changed): written anew.
        assert!(matches!(read.save(COMMON + 1, &used), Save::Replace(_)));
    }

    #[test]
    fn new_events_are_appended_until_most_records_are_stale() {
        let entries: Vec<(u64, Entry)> = (0..10).map(|n| (u64::from(n), entry(n))).collect();
        let used: Vec<(u64, &Entry)> = entries.iter().map(|(k, e)| (*k, e)).collect();
        let mut file = bytes_of(Events::none().save(COMMON, &used));
        // One event edited: its record is appended, and the later one wins.
        let edited = Entry {
            body: Piece::from("SUMMARY:Endret\r\nEND:VEVENT\r\n".to_string()),
            ..entry(3)
        };
        let mut now = used.clone();
        now[3] = (3, &edited);
        match Events::parse(file.to_vec()).save(COMMON, &now) {
            Save::Append(more) => {
                assert_eq!(more.len(), 1);
                write(&mut file, &more, None).expect("in memory");
            }
            other => panic!("expected an append, got {other:?}"),
        }
        let read = Events::parse(file.to_vec());
        assert_eq!(read.get(3), Some(&edited));
        assert_eq!(read.records, 11);
        // Only two of the eleven records still in use: written anew.
        let few = &now[..2];
        let fresh = Events::parse(bytes_of(read.save(COMMON, few)));
        assert_eq!((fresh.len(), fresh.records), (2, 2));
    }

    #[test]
    fn a_damaged_file_keeps_only_the_sound_records_before_the_damage() {
        let entries: Vec<(u64, Entry)> = (0..4).map(|n| (u64::from(n), entry(n))).collect();
        let used: Vec<(u64, &Entry)> = entries.iter().map(|(k, e)| (*k, e)).collect();
        let file = bytes_of(Events::none().save(COMMON, &used));
        let third = file.len() - 2 * (file.len() - header().len() - 8) / 4;
        // A flipped byte in the third record's text, and the file cut short
        // inside it: the first two are kept, the file is written anew.
        let mut flipped = file.clone();
        if let Some(b) = flipped.get_mut(third + 30) {
            *b ^= 1;
        }
        for damaged in [flipped, file[..third + 30].to_vec()] {
            let read = Events::parse(damaged.to_vec());
            assert_eq!(read.len(), 2);
            assert!(read.get(2).is_none() && read.get(3).is_none());
            assert!(matches!(read.save(COMMON, &used), Save::Replace(_)));
        }
        // Another version's or format's file is not read at all.
        let mut other = file.clone();
        other[MAGIC.len() - 2] = b'2';
        assert!(Events::parse(other.to_vec()).is_empty());
        assert!(Events::parse(Vec::new()).is_empty());
    }
}
