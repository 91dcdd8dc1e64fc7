//! Change tracking between builds: the state file `manifest.json` in the
//! output folder records, per UID, a hash of the event's content, its
//! `SEQUENCE` and the time it last changed, and which files nedetid owns.
//! When an event's content changes its SEQUENCE goes up by one and its
//! DTSTAMP/LAST-MODIFIED take the build time; unchanged events keep theirs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The state file's name in the output folder.
pub const MANIFEST: &str = "manifest.json";
/// The page people open.
pub const PAGE: &str = "index.html";
/// The feeds and upcoming events, for intranet widgets.
pub const FEEDS_JSON: &str = "feeds.json";
/// The JSON Schema of the schedule files, for the editors' YAML extension.
pub const SCHEMA: &str = crate::schema::FILE_NAME;

/// The run record in the output folder: when a build last ran successfully
/// against it, no-op runs included (the only file such a run writes), for
/// `nedetid status`. A dot-file like the other build files, so that it is
/// not among what a web server lists.
pub const RUN: &str = ".nedetid-run.json";

/// What [`RUN`] holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The version of nedetid that ran.
    pub version: String,
    /// The run's "now" (`--now`, `SOURCE_DATE_EPOCH` or the clock).
    pub last_run: DateTime<Utc>,
    /// The "now" of the last run that created, updated or removed a
    /// file; `None` when not known (the folder was published before runs
    /// were recorded).
    pub last_change: Option<DateTime<Utc>>,
    /// Feeds published (`all.ics` included).
    pub feeds: usize,
    /// Events, each counted once.
    pub events: usize,
    /// Warnings the last build that validated printed.
    pub warnings: usize,
}

impl RunRecord {
    /// `Err` with why when the bytes are not a run record.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

impl Manifest {
    /// The feeds the state file lists (`all.ics` included).
    pub fn feed_count(&self) -> usize {
        feed_count(&self.files)
    }
}

/// What a client needs to recognise an update: the revision counter and the
/// time of the last change of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Revision {
    pub sequence: u32,
    pub stamp: DateTime<Utc>,
}

/// The revision of every event of a build, by its key.
pub type Revisions = crate::hash::FastMap<String, Revision>;

impl Default for Revision {
    fn default() -> Self {
        Self {
            sequence: 0,
            stamp: DateTime::UNIX_EPOCH,
        }
    }
}

/// The record of how each published file looked on disk when the last
/// build was done with it ([`Seen`]), beside the state file. Apart from
/// it: the state file's bytes depend only on the schedules and the build
/// time (a copy, a checkout or `build --check` elsewhere sees the same),
/// while inodes and times belong to one folder on one disk.
pub const SEEN: &str = ".nedetid.stat";
/// The rendered events of the last build ([`crate::cache`]).
pub const CACHE: &str = ".nedetid.cache";
/// The parsed schedule files of the last build (`crate::parsed`).
pub const PARSED: &str = ".nedetid.parsed";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Files in the output folder that nedetid wrote (and may remove).
    pub files: Vec<String>,
    #[serde(deserialize_with = "sorted_map")]
    pub events: BTreeMap<String, EventState>,
    /// What the last build was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<InputState>,
}

/// The state file a [`Manifest`] was read from, and where the text of each
/// of its events is in it ([`Manifest::parse_keeping_texts`]).
#[derive(Debug, Default)]
pub struct EventTexts {
    bytes: Vec<u8>,
    /// In the order of the manifest's events; none when the file's keys
    /// were not in that order.
    values: Vec<std::ops::Range<usize>>,
}

/// The input of the last build, for the no-op check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputState {
    /// The fingerprint of the schedules the build read.
    pub fingerprint: String,
    /// When the output last changed without an edit, at or before the
    /// build's `now`; a build with an earlier `now` renders again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTime<Utc>>,
    /// When the output would change without an edit; `None`: never.
    pub valid_until: Option<DateTime<Utc>>,
    /// The size of every file written, but the state file itself.
    #[serde(deserialize_with = "sorted_map")]
    pub sizes: BTreeMap<String, u64>,
}

/// How a published file looks on disk: what changes when anyone writes,
/// replaces or touches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileStat {
    pub size: u64,
    /// Modification time, nanoseconds since 1970.
    pub modified: i128,
    /// Inode number (Unix; 0 elsewhere).
    pub inode: u64,
    /// Status change time, nanoseconds since 1970 (Unix; 0 elsewhere):
    /// set by the kernel on every write, rename or change of times.
    pub changed: i128,
}

/// The files of the last build as it left them on disk, by name (the state
/// file included): written after the state file, so that it is only ever
/// the record of a publish that completed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seen {
    #[serde(deserialize_with = "sorted_map")]
    pub files: BTreeMap<String, FileStat>,
    /// A fingerprint of what each file was made from, where a build
    /// knows it without rendering the file: a later build with the same
    /// fingerprint keeps the file as it is on disk, unrendered and unread.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "sorted_map"
    )]
    pub sources: BTreeMap<String, String>,
}

/// A JSON object into a map built at once from its entries, which is
/// quick when they come in order (as nedetid writes them): a state file's
/// 42,091 events read in 42 ms where inserting them one by one took 50.
/// Any order is taken; of a key given twice the last stands, as with
/// inserting.
fn sorted_map<'de, D, K, V>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    K: Deserialize<'de> + Ord,
    V: Deserialize<'de>,
{
    map_entries(deserializer).map(|entries: Vec<(K, V)>| entries.into_iter().collect())
}

/// A JSON object's entries, in the order they are written.
fn map_entries<'de, D, K, V>(deserializer: D) -> Result<Vec<(K, V)>, D::Error>
where
    D: serde::Deserializer<'de>,
    K: Deserialize<'de>,
    V: Deserialize<'de>,
{
    struct Entries<K, V>(std::marker::PhantomData<(K, V)>);
    impl<'de, K, V> serde::de::Visitor<'de> for Entries<K, V>
    where
        K: Deserialize<'de>,
        V: Deserialize<'de>,
    {
        type Value = Vec<(K, V)>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
            while let Some(entry) = map.next_entry()? {
                entries.push(entry);
            }
            Ok(entries)
        }
    }
    deserializer.deserialize_map(Entries(std::marker::PhantomData))
}

impl Seen {
    /// `None` when the bytes are not a record (a torn write: then the next
    /// build compares every byte).
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventState {
    pub hash: String,
    pub sequence: u32,
    pub modified: DateTime<Utc>,
    /// An outage that has not ended: what it takes to publish it as
    /// cancelled if it is removed from the schedules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage: Option<Published>,
}

/// What subscribers were shown of an outage, kept in the state file while
/// it has not ended: when it goes from the schedules, it stays in the feeds
/// as cancelled until its end, so that those who imported it learn of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Published {
    pub id: String,
    pub title: String,
    /// Ids; `all` alone for every system.
    pub systems: Vec<String>,
    /// Local date-times with their UTC offset (`2019-11-29T15:30:00+01:00`),
    /// or for all-day outages the first and the last day.
    pub start: String,
    pub end: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_day: bool,
}

impl Manifest {
    /// Parses a state file's bytes. A name in `files` that nedetid would
    /// never write (a path, a hidden file, another kind of file) makes it
    /// corrupt: removing it could delete something else.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        check_names(&manifest.files)?;
        Ok(manifest)
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// [`Manifest::parse`], keeping the bytes and where each event's entry
    /// is in them, for [`Manifest::to_json_reusing`]. Errors are those of
    /// [`Manifest::parse`].
    pub fn parse_keeping_texts(bytes: Vec<u8>) -> Result<(Self, EventTexts), String> {
        /// The state file with each event's value as its text.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Texts<'a> {
            files: Vec<String>,
            #[serde(borrow, deserialize_with = "map_entries")]
            events: Vec<(String, &'a serde_json::value::RawValue)>,
            #[serde(default)]
            input: Option<InputState>,
        }
        let read = || -> Option<(Self, Vec<std::ops::Range<usize>>)> {
            let texts: Texts = serde_json::from_slice(&bytes).ok()?;
            check_names(&texts.files).ok()?;
            let base = bytes.as_ptr().addr();
            let mut values = Vec::with_capacity(texts.events.len());
            let mut events = Vec::with_capacity(texts.events.len());
            for (key, raw) in texts.events {
                let text = raw.get();
                let start = text.as_ptr().addr().checked_sub(base)?;
                values.push(start..start + text.len());
                events.push((key, serde_json::from_str::<EventState>(text).ok()?));
            }
            // The texts line up with the map's entries only when the keys
            // come in order, each once (as nedetid writes them).
            if !events.windows(2).all(|w| w[0].0 < w[1].0) {
                values.clear();
            }
            let manifest = Manifest {
                files: texts.files,
                events: events.into_iter().collect(),
                input: texts.input,
            };
            Some((manifest, values))
        };
        match read() {
            Some((manifest, values)) => Ok((manifest, EventTexts { bytes, values })),
            // The error as a whole read gives it, with its line and column.
            None => Manifest::parse(&bytes).map(|m| (m, EventTexts::default())),
        }
    }

    /// [`Manifest::to_json`], the same text, with the entry of each event
    /// whose state is the same as in `previous` copied from the state file
    /// `previous` was read from (`texts`) instead of written again: an
    /// edit's state file is mostly the last one's.
    pub fn to_json_reusing(&self, previous: &Manifest, texts: &EventTexts) -> String {
        let head = Manifest {
            files: self.files.clone(),
            events: BTreeMap::new(),
            input: self.input.clone(),
        }
        .to_json();
        const EMPTY: &str = "\n  \"events\": {}";
        let Some(at) = head.find(EMPTY) else {
            return self.to_json();
        };
        let mut out = String::with_capacity(texts.bytes.len() + head.len());
        out.push_str(&head[..at]);
        out.push_str("\n  \"events\": {");
        let old_text = |i: usize| -> Option<&str> {
            let range = texts.values.get(i)?.clone();
            let text = std::str::from_utf8(texts.bytes.get(range)?).ok()?;
            // As nedetid writes an entry at this depth.
            (text.starts_with("{\n      \"") && text.ends_with("\n    }")).then_some(text)
        };
        // Both in key order: one pass through the two.
        let mut old = previous.events.iter().enumerate().peekable();
        for (n, (key, state)) in self.events.iter().enumerate() {
            out.push_str(if n == 0 { "\n    " } else { ",\n    " });
            out.push_str(&serde_json::to_string(key).unwrap_or_default());
            out.push_str(": ");
            while old.next_if(|(_, (k, _))| *k < key).is_some() {}
            match old
                .next_if(|(_, (k, s))| *k == key && *s == state)
                .and_then(|(i, _)| old_text(i))
            {
                Some(text) => out.push_str(text),
                None => {
                    let text = serde_json::to_string_pretty(state).unwrap_or_default();
                    out.push_str(&text.replace('\n', "\n    "));
                }
            }
        }
        out.push_str(if self.events.is_empty() { "}" } else { "\n  }" });
        out.push_str(&head[at + EMPTY.len()..]);
        out
    }

    /// [`Manifest::to_json`] of this manifest with `input` set, given the
    /// text of it without (`json`, from `to_json`): a build writes the
    /// events' part while it renders, and adds the input (the outputs'
    /// sizes) once everything is rendered.
    pub fn json_with_input(mut json: String, input: &InputState) -> String {
        #[derive(Serialize)]
        struct Tail<'a> {
            input: &'a InputState,
        }
        let tail = serde_json::to_string_pretty(&Tail { input }).unwrap_or_default();
        // `{\n  "input": {...}\n}`: its one member goes in as the last.
        let member = tail
            .strip_prefix("{\n")
            .and_then(|t| t.strip_suffix("\n}"))
            .unwrap_or_default();
        if json.ends_with("\n}\n") {
            json.truncate(json.len() - 3);
            json.push_str(",\n");
            json.push_str(member);
            json.push_str("\n}\n");
        }
        json
    }

    /// The revision of every event given its current content hash (by key,
    /// in the order of the keys, each once), and the manifest that records
    /// them. `files` are the names this build writes.
    pub fn revise<K: AsRef<str>, V: AsRef<str>>(
        &self,
        hashes: impl IntoIterator<Item = (K, V)>,
        now: DateTime<Utc>,
        files: Vec<String>,
    ) -> (Revisions, Manifest) {
        // Both are in key order: one pass through the two, not a lookup
        // (of keys with long common prefixes) per event.
        let mut old = self.events.iter().peekable();
        let hashes = hashes.into_iter();
        let mut revisions = Vec::with_capacity(hashes.size_hint().0);
        let mut events = Vec::with_capacity(hashes.size_hint().0);
        let mut last: Option<String> = None;
        for (uid, hash) in hashes {
            let (uid, hash) = (uid.as_ref(), hash.as_ref());
            debug_assert!(
                last.as_deref().is_none_or(|l| l < uid),
                "hashes not in key order, or a key twice: {uid}"
            );
            if cfg!(debug_assertions) {
                last = Some(uid.to_string());
            }
            while old.next_if(|(k, _)| k.as_str() < uid).is_some() {}
            let state = match old.next_if(|(k, _)| k.as_str() == uid).map(|(_, s)| s) {
                // A build records the outages afresh after revising.
                Some(old) if old.hash == hash => EventState {
                    hash: old.hash.clone(),
                    sequence: old.sequence,
                    modified: old.modified,
                    outage: None,
                },
                Some(old) => EventState {
                    hash: hash.to_string(),
                    sequence: old.sequence.saturating_add(1),
                    modified: now.max(old.modified),
                    outage: None,
                },
                None => EventState {
                    hash: hash.to_string(),
                    sequence: 0,
                    modified: now,
                    outage: None,
                },
            };
            let uid = uid.to_string();
            revisions.push((
                uid.clone(),
                Revision {
                    sequence: state.sequence,
                    stamp: state.modified,
                },
            ));
            events.push((uid, state));
        }
        (
            revisions.into_iter().collect(),
            Manifest {
                files,
                events: events.into_iter().collect(),
                input: None,
            },
        )
    }

    /// Files this manifest owns that `next` no longer writes.
    pub fn dropped_files<'a>(&'a self, next: &Manifest) -> Vec<&'a str> {
        let kept: std::collections::HashSet<&str> = next.files.iter().map(String::as_str).collect();
        self.files
            .iter()
            .filter(|f| !kept.contains(f.as_str()))
            .map(String::as_str)
            .collect()
    }
}

/// The state file as far as the no-op check needs it: the files and the
/// input of the last build, and how many events it lists (their entries are
/// read over, not kept). Reading it is a fraction of reading the events,
/// which a build then does on another thread ([`Manifest::parse`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub files: Vec<String>,
    #[serde(rename = "events")]
    event_count: EventCount,
    #[serde(default)]
    pub input: Option<InputState>,
}

impl Head {
    /// Parses a state file's bytes as [`Manifest::parse`] does, but for the
    /// events' entries (a map is all they must be).
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let head: Head = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        check_names(&head.files)?;
        Ok(head)
    }

    /// How many events the state file lists.
    pub fn event_count(&self) -> usize {
        self.event_count.0
    }

    /// The feeds the state file lists (`all.ics` included).
    pub fn feed_count(&self) -> usize {
        feed_count(&self.files)
    }

    /// Whether a build of input `fingerprint` at `now` would publish what
    /// is already there: same input, within `valid_from`..`valid_until`,
    /// and every file (the state file too) still on disk as the last build
    /// left it: `stat_of` a published file (`None` when it is missing or
    /// not a regular file) is what `seen` recorded, and the size the file
    /// was written with. Sizes alone do not do: an edit of the same length
    /// would never be repaired.
    pub fn is_current(
        &self,
        fingerprint: &str,
        now: DateTime<Utc>,
        seen: &Seen,
        stat_of: impl Fn(&str) -> Option<FileStat>,
    ) -> bool {
        let Some(input) = &self.input else {
            return false;
        };
        let state = std::iter::once(MANIFEST);
        input.fingerprint == fingerprint
            && input.valid_from.is_none_or(|f| f <= now)
            && input.valid_until.is_none_or(|v| now < v)
            && self.files.iter().map(String::as_str).chain(state).all(|f| {
                let Some(stat) = stat_of(f) else {
                    return false;
                };
                seen.files.get(f) == Some(&stat)
                    && (f == MANIFEST || input.sizes.get(f) == Some(&stat.size))
            })
    }
}

/// The number of entries of a JSON map, read over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct EventCount(usize);

impl<'de> Deserialize<'de> for EventCount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Counter;
        impl<'de> serde::de::Visitor<'de> for Counter {
            type Value = EventCount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of events")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<EventCount, A::Error> {
                let mut n = 0;
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {
                    n += 1;
                }
                Ok(EventCount(n))
            }
        }
        d.deserialize_map(Counter)
    }
}

/// A name in a state file's `files` that nedetid would never write (a
/// path, a hidden file, another kind of file) makes it corrupt: removing it
/// could delete something else.
fn check_names(files: &[String]) -> Result<(), String> {
    match files.iter().find(|f| !owned_name(f)) {
        Some(bad) => Err(format!(
            "it lists `{bad}`, which is not a file nedetid writes"
        )),
        None => Ok(()),
    }
}

fn feed_count(files: &[String]) -> usize {
    files.iter().filter(|f| f.ends_with(".ics")).count()
}

/// A name nedetid writes into the output folder: a plain file name (no
/// folder, not hidden) of a calendar or Atom feed or of a page,
/// `feeds.json`, `schema.json` or the state.
pub fn owned_name(name: &str) -> bool {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':'])
        && std::path::Path::new(name)
            .file_name()
            .is_some_and(|f| f == name);
    plain
        && (name.ends_with(".ics")
            || name.ends_with(".atom")
            || name.ends_with(".html")
            || [PAGE, FEEDS_JSON, SCHEMA, MANIFEST].contains(&name))
}

/// 64-bit FNV-1a: a stable, dependency-free content fingerprint (not a
/// security measure; it only has to change when the content does). What
/// the state file keeps of each event is made with it, so that the same
/// event has the same hash in every version of nedetid.
pub fn fingerprint(text: &str) -> String {
    let mut hash = Fingerprint::new();
    hash.update(text.as_bytes());
    hash.hex()
}

/// [`fingerprint`] of bytes given in pieces.
#[derive(Debug, Clone, Copy)]
pub struct Fingerprint(u64);

impl Fingerprint {
    pub fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    pub fn update(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

impl Default for Fingerprint {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn only_changed_events_get_a_new_sequence_and_stamp() {
        let first_build = t("2019-10-16T10:05:00Z");
        let hashes = BTreeMap::from([
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string()),
        ]);
        let (revs, m1) = Manifest::default().revise(&hashes, first_build, vec!["all.ics".into()]);
        assert_eq!(
            revs["a"],
            Revision {
                sequence: 0,
                stamp: first_build
            }
        );

        let later = t("2019-11-01T00:00:00Z");
        let edited = BTreeMap::from([
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "3".to_string()),
        ]);
        let (revs, m2) = m1.revise(&edited, later, vec!["all.ics".into()]);
        assert_eq!(
            revs["a"],
            Revision {
                sequence: 0,
                stamp: first_build
            }
        );
        assert_eq!(
            revs["b"],
            Revision {
                sequence: 1,
                stamp: later
            }
        );

        let (_, m3) = m2.revise(&edited, t("2019-12-01T00:00:00Z"), vec!["all.ics".into()]);
        assert_eq!(m3, m2, "an unchanged schedule changes nothing");
    }

    #[test]
    fn dropped_files_are_the_ones_no_longer_written() {
        let old = Manifest {
            files: vec!["all.ics".into(), "fax.ics".into()],
            ..Manifest::default()
        };
        let new = Manifest {
            files: vec!["all.ics".into()],
            ..Manifest::default()
        };
        assert_eq!(old.dropped_files(&new), ["fax.ics"]);
    }

    #[test]
    fn a_manifest_that_names_other_files_is_refused() {
        for bad in [
            "../victim.txt",
            "/tmp/abs.ics",
            "sub/x.ics",
            ".hidden.ics",
            "notes.txt",
            "C:x.ics",
        ] {
            let json = format!("{{\"files\": [\"all.ics\", {bad:?}], \"events\": {{}}}}");
            assert!(Manifest::parse(json.as_bytes()).is_err(), "{bad}");
        }
        let ok =
            br#"{"files": ["all.ics", "index.html", "feeds.json", "manifest.json"], "events": {}}"#;
        assert!(Manifest::parse(ok).is_ok());
        // The head is read by the same rules.
        for bad in ["../victim.txt", ".hidden.ics"] {
            let json = format!("{{\"files\": [{bad:?}], \"events\": {{}}}}");
            assert!(Head::parse(json.as_bytes()).is_err(), "{bad}");
        }
    }

    /// A state file written with the entries of unchanged events copied
    /// from the last one is the state file written anew, byte for byte:
    /// events changed, added and removed, keys that need escaping, a last
    /// state file in another layout or order, or none.
    #[test]
    fn a_state_file_reusing_the_last_ones_entries_is_the_same_text() {
        let state = |hash: &str, sequence: u32, outage: bool| EventState {
            hash: hash.into(),
            sequence,
            modified: t("2019-11-01T00:00:00Z"),
            outage: outage.then(|| Published {
                id: "flytting".into(),
                title: "Flytting av \"datasenter\" æøå\nlinje 2".into(),
                systems: vec!["all".into()],
                start: "2019-11-29T15:30:00+01:00".into(),
                end: "2019-12-02T06:00:00+01:00".into(),
                all_day: false,
            }),
        };
        let manifest = |events: Vec<(&str, EventState)>| Manifest {
            files: vec!["all.ics".into(), "index.html".into()],
            events: events
                .into_iter()
                .map(|(k, e)| (k.to_string(), e))
                .collect(),
            input: Some(InputState {
                fingerprint: "f".into(),
                valid_from: None,
                valid_until: None,
                sizes: BTreeMap::from([("all.ics".to_string(), 10)]),
            }),
        };
        let last = manifest(vec![
            ("a@x", state("1", 0, true)),
            ("b@x", state("2", 1, false)),
            ("c \"quoted\"@x", state("3", 0, false)),
            ("d@x", state("4", 0, true)),
        ]);
        let next = manifest(vec![
            ("a@x", state("1", 0, true)),
            ("b@x", state("2b", 2, false)),
            ("c \"quoted\"@x", state("3", 0, false)),
            ("e@x", state("5", 0, false)),
        ]);
        let text = last.to_json();
        let (read, texts) = Manifest::parse_keeping_texts(text.clone().into_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read, last);
        assert_eq!(texts.values.len(), 4, "every entry's text found");
        assert_eq!(next.to_json_reusing(&read, &texts), next.to_json());
        assert_eq!(last.to_json_reusing(&read, &texts), text);
        let empty = Manifest::default();
        assert_eq!(empty.to_json_reusing(&read, &texts), empty.to_json());
        // The unchanged entries are copied, not written again: `"1"`
        // spelled `"\u0031"` reads the same and stays as it was.
        let spelled = text.replacen("\"hash\": \"1\"", "\"hash\": \"\\u0031\"", 1);
        assert_ne!(spelled, text);
        let (read, texts) = Manifest::parse_keeping_texts(spelled.clone().into_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read, last);
        assert_eq!(last.to_json_reusing(&read, &texts), spelled);
        assert_eq!(
            next.to_json_reusing(&read, &texts),
            next.to_json()
                .replacen("\"hash\": \"1\"", "\"hash\": \"\\u0031\"", 1)
        );
        assert_eq!(
            next.to_json_reusing(&empty, &EventTexts::default()),
            next.to_json()
        );

        // Compact, and in another order: read the same, written anew.
        let compact = serde_json::to_string(&last).unwrap_or_default();
        let reordered = compact.replacen("\"a@x\"", "\"z@x\"", 1);
        for other in [compact, reordered] {
            let (read, texts) = Manifest::parse_keeping_texts(other.clone().into_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(Ok(&read), Manifest::parse(other.as_bytes()).as_ref());
            assert_eq!(next.to_json_reusing(&read, &texts), next.to_json());
        }
        // What cannot be read fails as a whole read does.
        for bad in [
            r#"{"files": [], "events": []}"#,
            r#"{"files": [], "events": {"a": 1}}"#,
            r#"{"files": ["../x"], "events": {}}"#,
        ] {
            let error = Manifest::parse_keeping_texts(bad.as_bytes().to_vec()).err();
            assert_eq!(error, Manifest::parse(bad.as_bytes()).err(), "{bad}");
            assert!(error.is_some(), "{bad}");
        }
    }

    /// The maps of the state file and the record of the files on disk are
    /// built at once from their entries: as inserting them one by one
    /// would, whatever their order, the last of a key given twice standing.
    #[test]
    fn maps_read_from_the_state_are_what_inserting_their_entries_makes() {
        let event = |seq: u32| {
            format!(
                r#"{{"hash": "h{seq}", "sequence": {seq}, "modified": "2019-11-01T00:00:00Z"}}"#
            )
        };
        let json = format!(
            r#"{{"files": [], "events": {{"c@x": {}, "a@x": {}, "b@x": {}, "a@x": {}}}}}"#,
            event(1),
            event(2),
            event(3),
            event(4)
        );
        let parsed = Manifest::parse(json.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let sequences: Vec<(&str, u32)> = parsed
            .events
            .iter()
            .map(|(k, e)| (k.as_str(), e.sequence))
            .collect();
        assert_eq!(sequences, [("a@x", 4), ("b@x", 3), ("c@x", 1)]);
        let by_serde: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(by_serde["events"]["a@x"]["sequence"], 4);

        let stat = r#"{"size": 1, "modified": 2, "inode": 3, "changed": 4}"#;
        let seen = format!(
            r#"{{"files": {{"b.ics": {stat}, "a.ics": {stat}}}, "sources": {{"b.ics": "2", "a.ics": "1", "b.ics": "3"}}}}"#
        );
        let seen = Seen::parse(seen.as_bytes()).unwrap_or_default();
        assert_eq!(seen.files.keys().collect::<Vec<_>>(), ["a.ics", "b.ics"]);
        let sources: Vec<(&str, &str)> = seen
            .sources
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(sources, [("a.ics", "1"), ("b.ics", "3")]);
        assert!(Seen::parse(br#"{"files": []}"#).is_none(), "not a map");
    }

    /// The head of a state file is its files, input and the number of its
    /// events, as the whole file read says; events that are not a map, or
    /// a field the state file does not have, make it unreadable too.
    #[test]
    fn the_head_of_a_state_file_agrees_with_the_whole() {
        let state = |sequence| EventState {
            hash: "0123456789abcdef".into(),
            sequence,
            modified: t("2019-11-01T00:00:00Z"),
            outage: None,
        };
        let manifest = Manifest {
            files: vec!["a.ics".into(), "all.ics".into(), "index.html".into()],
            events: BTreeMap::from([("a@x".to_string(), state(0)), ("b@x".to_string(), state(3))]),
            input: Some(InputState {
                fingerprint: "f".into(),
                valid_from: None,
                valid_until: Some(t("2019-12-01T00:00:00Z")),
                sizes: BTreeMap::from([("all.ics".to_string(), 10)]),
            }),
        };
        let json = manifest.to_json();
        let without = Manifest {
            input: None,
            ..manifest.clone()
        };
        let input = manifest.input.as_ref().unwrap_or_else(|| panic!("input"));
        assert_eq!(Manifest::json_with_input(without.to_json(), input), json);
        let empty = Manifest {
            input: manifest.input.clone(),
            ..Manifest::default()
        };
        assert_eq!(
            Manifest::json_with_input(Manifest::default().to_json(), input),
            empty.to_json()
        );
        let head = Head::parse(json.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(head.files, manifest.files);
        assert_eq!(head.input, manifest.input);
        assert_eq!(head.event_count(), 2);
        assert_eq!(head.feed_count(), manifest.feed_count());
        assert_eq!(
            Head::parse(br#"{"files": [], "events": {}}"#).map(|h| h.event_count()),
            Ok(0)
        );
        for bad in [
            r#"{"files": [], "events": []}"#,
            r#"{"files": [], "events": {"a": 1,}}"#,
            r#"{"files": []}"#,
            r#"{"files": [], "events": {}, "extra": 1}"#,
        ] {
            assert!(Head::parse(bad.as_bytes()).is_err(), "{bad}");
            assert!(Manifest::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn fingerprint_is_stable() {
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_ne!(fingerprint("a"), fingerprint("b"));
        let mut pieces = Fingerprint::new();
        pieces.update(b"BEGIN:");
        pieces.update(b"");
        pieces.update(b"VEVENT");
        assert_eq!(pieces.hex(), fingerprint("BEGIN:VEVENT"));
    }

    #[test]
    fn the_no_op_check_wants_every_file_as_it_was_left_not_only_its_size() {
        let now = t("2019-11-01T00:00:00Z");
        let manifest = Head {
            files: vec!["all.ics".into(), MANIFEST.into()],
            event_count: EventCount(0),
            input: Some(InputState {
                fingerprint: "f".into(),
                valid_from: None,
                valid_until: None,
                sizes: BTreeMap::from([("all.ics".to_string(), 10)]),
            }),
        };
        let stat = |size, inode, changed| FileStat {
            size,
            modified: 1_572_566_400_000_000_000,
            inode,
            changed,
        };
        let seen = Seen {
            files: BTreeMap::from([
                ("all.ics".to_string(), stat(10, 7, 5)),
                (MANIFEST.to_string(), stat(300, 8, 5)),
            ]),
            sources: BTreeMap::new(),
        };
        let on_disk = |all: FileStat| {
            move |name: &str| match name {
                "all.ics" => Some(all),
                MANIFEST => Some(stat(300, 8, 5)),
                _ => None,
            }
        };
        assert!(manifest.is_current("f", now, &seen, on_disk(stat(10, 7, 5))));
        assert!(!manifest.is_current("g", now, &seen, on_disk(stat(10, 7, 5))));
        // Same size: replaced (another inode), written in place (the
        // status change time moves even when the times are set back).
        assert!(!manifest.is_current("f", now, &seen, on_disk(stat(10, 9, 5))));
        assert!(!manifest.is_current("f", now, &seen, on_disk(stat(10, 7, 6))));
        assert!(!manifest.is_current("f", now, &seen, |_| None));
        // No record of the state file itself: not the record of this one.
        let mut partial = seen.clone();
        partial.files.remove(MANIFEST);
        assert!(!manifest.is_current("f", now, &partial, on_disk(stat(10, 7, 5))));
        assert!(!manifest.is_current("f", now, &Seen::default(), on_disk(stat(10, 7, 5))));
        // The record reads back; a torn one is no record.
        assert_eq!(Seen::parse(seen.to_json().as_bytes()), Some(seen.clone()));
        let json = seen.to_json();
        assert_eq!(Seen::parse(&json.as_bytes()[..json.len() / 2]), None);
    }
}
