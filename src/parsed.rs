//! The parsed form of each schedule file of the last build, with every
//! location, and its outages and maintenance as validation left them: a
//! build reads a file whose bytes are exactly those it parsed last time
//! from here instead of parsing its YAML again, and takes its validated
//! items instead of validating them again when what validating them reads
//! from the other files is what it was. Kept in `.nedetid.parsed` beside
//! the output (a dot file: never served).
//!
//! A shortcut, never a source of truth: a record is used only for a file
//! of the same name whose bytes are equal, byte for byte, to the bytes it
//! was parsed from (kept in the record), and only when its CRC-32 holds and
//! its parsed form reads back; anything else is parsed from the YAML. Its
//! validated items are used only under the same key ([`items_key`]): a
//! print of every file's settings, systems and bundles as parsed (with
//! their locations) and of the file's name; else the file's items are
//! validated from its parsed form. They are kept only for a file validated
//! without an error. A cache that is missing, from another version or too
//! large is ignored and written anew; `build --check` neither reads nor
//! writes it.
//!
//! The format: [`MAGIC`], the version of nedetid, a fingerprint of the code
//! it is built from (`build.rs`) and a newline, then one
//! record per file: the lengths of its name, its bytes and its parsed form
//! (4 bytes each), a CRC-32 of those and the three (4 bytes), then the
//! three. The parsed form ([`form`]) is the file's settings, systems and
//! bundles, then its outages and maintenance, each after its length (4
//! bytes), then, if kept, the key of its validated items (8 bytes) and the
//! items ([`FileItems`]). Numbers are little-endian; the parts are
//! MessagePack (`rmp-serde`), each parsed value with its location
//! ([`crate::raw::Spanned`]). The records of new and edited files are
//! appended (the last record of a name stands for it); the file is written
//! anew when fewer than half of its bytes are still in use.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::error::{Location, Problem};
use crate::raw::{RawBundle, RawFile, RawMaintenance, RawOutage, RawSettings, RawSystem, Spanned};
use crate::schedule::{Outage, Series};

/// The first bytes of the file; the number is the format's.
pub const MAGIC: &[u8] = b"nedetid parsed cache 2\n";

/// The records of a cache file, borrowed from its bytes.
#[derive(Debug, Default)]
pub struct Files<'a> {
    /// By name: the bytes parsed and their parsed form (of the last record
    /// of that name).
    records: HashMap<&'a str, (&'a [u8], &'a [u8])>,
    /// The bytes of the records in the file, in use or not.
    size: usize,
    /// Whether the file was read to its end with every record sound: only
    /// then can new records be appended to it.
    whole: bool,
}

/// One file for the cache: its name, bytes and parsed form ([`form`]).
pub type Record<'a> = (&'a str, &'a [u8], &'a [u8]);

/// A file's parsed form for the next build's cache.
#[derive(Debug)]
pub struct Parts<'c> {
    /// The record's whole form when it stays as it is (the file's
    /// validated items were taken from it).
    pub unchanged: Option<&'c [u8]>,
    /// Its settings, systems and bundles, encoded.
    pub head: Cow<'c, [u8]>,
    /// Its outages and maintenance, encoded.
    pub items: Cow<'c, [u8]>,
    /// The key its validated items are kept under ([`items_key`]); `None`
    /// when they are not to be kept.
    pub key: Option<u64>,
}

impl<'c> Parts<'c> {
    /// The file's parsed form for the cache ([`form`]): as it was, or with
    /// `items`, its items validated by this build ([`encode_items`]), when
    /// it had no errors.
    pub fn form(&self, items: Option<&[u8]>) -> Option<Cow<'c, [u8]>> {
        if let Some(unchanged) = self.unchanged {
            return Some(Cow::Borrowed(unchanged));
        }
        form(&self.head, &self.items, self.key.zip(items)).map(Cow::Owned)
    }
}

/// A file found in the cache.
#[derive(Debug)]
pub struct Hit<'a> {
    /// Its settings, systems and bundles; no outages or maintenance.
    pub raw: RawFile,
    /// Its whole parsed form, as in the cache.
    pub form: &'a [u8],
    /// The settings, systems and bundles as encoded.
    pub head: &'a [u8],
    /// Its outages and maintenance as encoded ([`Hit::items`]).
    pub items: &'a [u8],
    /// When the build that wrote the record validated the file without an
    /// error: the key ([`items_key`]) and encoded [`FileItems`].
    pub checked: Option<(u64, &'a [u8])>,
}

impl Hit<'_> {
    /// Its outages and maintenance, read back.
    pub fn items(&self) -> Option<Items> {
        from_bytes(self.items)
    }
}

/// What validation made of one file's outages and maintenance, each with
/// the problems it had (only a file without errors is kept, and validating
/// an item reports no warning today: kept so that one would be shown
/// alike): what a build whose files' settings, systems and bundles are the
/// same takes instead of validating the file again.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FileItems {
    pub outages: Vec<(Outage, Vec<Problem>)>,
    pub series: Vec<(Series, Vec<Problem>)>,
}

impl FileItems {
    /// Read back from [`encode_items`]'s bytes, every location in `file`;
    /// `None` when they do not read back, or a rule does not parse.
    pub fn decode(bytes: &[u8], file: &std::path::Path) -> Option<Self> {
        let mut items: Self = from_bytes(bytes)?;
        for (series, _) in &mut items.series {
            series.rule = series.rule_text.parse().ok()?;
        }
        if !items.plausible() {
            return None;
        }
        items.for_each_location(|at| at.file = file.to_path_buf());
        Some(items)
    }

    /// The bytes the cache keeps ([`encode_items`]).
    pub fn encode(&self) -> Option<Vec<u8>> {
        encode_items(
            self.outages.iter().map(|(o, p)| (o, p.as_slice())),
            self.series.iter().map(|(s, p)| (s, p.as_slice())),
        )
    }

    /// What validation makes sure of and later stages rely on to neither
    /// panic nor run long, checked again: the cache is never trusted, and
    /// a record changed with a sound CRC is taken as parsed instead. (The
    /// feeds each item reaches are not kept but made again.)
    fn plausible(&self) -> bool {
        use crate::limits::MAX_WINDOW_DAYS;
        use crate::schedule::{When, in_years, is_slug};
        let outage = |o: &Outage| {
            let when = match o.when {
                When::Timed { start, end, .. } => {
                    in_years(start.date())
                        && in_years(end.date())
                        && start < end
                        && end - start <= chrono::Duration::days(MAX_WINDOW_DAYS)
                }
                When::AllDay { first, last } => {
                    in_years(first)
                        && in_years(last)
                        && first <= last
                        && (last - first).num_days() < MAX_WINDOW_DAYS
                }
            };
            when && is_slug(&o.id)
        };
        let series = |s: &Series| {
            use rrule::Frequency::{Daily, Monthly, Weekly, Yearly};
            is_slug(&s.id)
                && in_years(s.from)
                && s.until.is_none_or(|u| in_years(u) && u >= s.from)
                && matches!(s.rule.get_freq(), Daily | Weekly | Monthly | Yearly)
                && s.skips.iter().all(|k| in_years(k.date))
                && s.skip_months.iter().all(|m| (1..=12).contains(&m.month))
                && s.moves.iter().all(|m| in_years(m.from) && in_years(m.to))
                && s.extras.iter().all(|e| in_years(e.date))
        };
        self.outages.iter().all(|(o, _)| outage(o)) && self.series.iter().all(|(s, _)| series(s))
    }

    /// Calls `f` with every location the items and their problems hold.
    fn for_each_location(&mut self, mut f: impl FnMut(&mut Location)) {
        for (outage, problems) in &mut self.outages {
            [&mut outage.at, &mut outage.when_at, &mut outage.end_at]
                .into_iter()
                .for_each(&mut f);
            problems.iter_mut().for_each(|p| f(&mut p.location));
        }
        for (series, problems) in &mut self.series {
            [&mut series.at, &mut series.rule_at, &mut series.window_at]
                .into_iter()
                .for_each(&mut f);
            series.skips.iter_mut().for_each(|s| f(&mut s.at));
            series.skip_months.iter_mut().for_each(|s| f(&mut s.at));
            series.moves.iter_mut().for_each(|m| f(&mut m.at));
            series.extras.iter_mut().for_each(|e| f(&mut e.at));
            problems.iter_mut().for_each(|p| f(&mut p.location));
        }
    }
}

/// A file's validated outages and series, each with its problems, encoded
/// as [`FileItems`] for the cache; `None` when they cannot be written.
pub fn encode_items<'i>(
    outages: impl Iterator<Item = (&'i Outage, &'i [Problem])>,
    series: impl Iterator<Item = (&'i Series, &'i [Problem])>,
) -> Option<Vec<u8>> {
    /// [`FileItems`] borrowed: encoded alike.
    #[derive(serde::Serialize)]
    struct Borrowed<'i> {
        outages: Vec<(&'i Outage, &'i [Problem])>,
        series: Vec<(&'i Series, &'i [Problem])>,
    }
    to_bytes(&Borrowed {
        outages: outages.collect(),
        series: series.collect(),
    })
}

/// The settings, systems and bundles of a file, as encoded.
#[derive(serde::Deserialize)]
struct Head {
    settings: Option<Spanned<RawSettings>>,
    systems: Vec<Spanned<RawSystem>>,
    bundles: Vec<Spanned<RawBundle>>,
}

/// [`Head`] borrowed from a file, to be encoded.
#[derive(serde::Serialize)]
struct HeadRef<'r> {
    settings: &'r Option<Spanned<RawSettings>>,
    systems: &'r [Spanned<RawSystem>],
    bundles: &'r [Spanned<RawBundle>],
}

/// A file's outages and maintenance, as encoded.
pub type Items = (Vec<Spanned<RawOutage>>, Vec<Spanned<RawMaintenance>>);

/// The key of a file's validated items: a print of what validating them
/// read besides the file, every file's settings, systems and bundles as
/// encoded with their locations (`heads`, [`heads_print`]), and of the
/// file's name. Validated items are taken from the cache only under the
/// same key. The folder's path is not in it: locations are read back
/// naming the file where it is now ([`FileItems::decode`]).
pub fn items_key(heads: u64, name: &str) -> u64 {
    let mut print = crate::hash::Print::new();
    print.update_u64(heads);
    print.update(name.as_bytes());
    print.value()
}

/// A print of every file's name ([`name_of`]) and encoded head (its
/// settings, systems and bundles), in the order the files are validated:
/// the part of [`items_key`] all files share.
pub fn heads_print<'h>(heads: impl Iterator<Item = (&'h str, &'h [u8])>) -> u64 {
    let mut print = crate::hash::Print::new();
    for (name, head) in heads {
        print.update_u64(name.len() as u64);
        print.update(name.as_bytes());
        print.update_u64(head.len() as u64);
        print.update(head);
    }
    print.value()
}

/// The length-prefixed part at the start of `bytes`, and what follows.
fn part(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = bytes.split_first_chunk::<4>()?;
    let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
    (len <= rest.len()).then(|| rest.split_at(len))
}

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
        while !rest.is_empty() {
            let Some(((name, source, parsed), after)) = record(rest) else {
                return files;
            };
            files.records.insert(name, (source, parsed));
            files.size += rest.len() - after.len();
            rest = after;
        }
        files.whole = true;
        files
    }

    /// The record of file `name` if it was parsed from exactly `bytes`
    /// and its settings, systems and bundles read back (its outages and
    /// maintenance are read by [`Hit::items`] or taken validated).
    pub fn get(&self, name: &str, bytes: &[u8]) -> Option<Hit<'a>> {
        let (source, form) = self.records.get(name)?;
        if *source != bytes {
            return None;
        }
        let (head_bytes, rest) = part(form)?;
        let (items, checked) = part(rest)?;
        let checked = checked
            .split_first_chunk::<8>()
            .map(|(key, checked)| (u64::from_le_bytes(*key), checked));
        let head: Head = from_bytes(head_bytes)?;
        let raw = RawFile {
            settings: head.settings,
            systems: head.systems,
            bundles: head.bundles,
            ..RawFile::default()
        };
        Some(Hit {
            raw,
            form,
            head: head_bytes,
            items,
            checked,
        })
    }

    /// What to write so that the cache holds `records`, the files of a
    /// build: the changed and new ones appended (a later record of a name
    /// stands for it), or the file written anew when more than half of its
    /// bytes would be stale ([`crate::cache::Save`]).
    pub fn save<'r>(&self, records: &[Record<'r>]) -> crate::cache::Save<Record<'r>> {
        let new: Vec<Record> = records
            .iter()
            .filter(|(name, source, parsed)| self.records.get(name) != Some(&(*source, *parsed)))
            .copied()
            .collect();
        let sizes = (self.size.saturating_add(size(&new)), size(records));
        crate::cache::Save::plan(self.whole, true, sizes, records.to_vec(), new)
    }
}

/// The bytes `records` take in a cache file.
fn size(records: &[Record]) -> usize {
    let frame = 16;
    records
        .iter()
        .map(|(name, source, parsed)| frame + name.len() + source.len() + parsed.len())
        .sum()
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

/// A file's head and items, encoded ([`encode`]).
pub type Encoded = (Vec<u8>, Vec<u8>);

/// A file's settings, systems and bundles (its head) and its outages and
/// maintenance, encoded for the cache; `None` when they cannot be written
/// (then the file is not cached).
pub fn encode(raw: &RawFile) -> Option<Encoded> {
    let head = HeadRef {
        settings: &raw.settings,
        systems: &raw.systems,
        bundles: &raw.bundles,
    };
    let items = (&raw.outages, &raw.maintenance);
    Some((to_bytes(&head)?, to_bytes(&items)?))
}

/// `bytes` ([`to_bytes`]) read back.
fn from_bytes<'de, T: serde::Deserialize<'de>>(bytes: &'de [u8]) -> Option<T> {
    let mut de = rmp_serde::Deserializer::from_read_ref(bytes).with_binary();
    T::deserialize(&mut de).ok()
}

/// `value` as the cache keeps it: MessagePack, which a value's location
/// ([`crate::raw::Spanned`]) knows is not human-readable.
fn to_bytes(value: &impl serde::Serialize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut ser = rmp_serde::Serializer::new(&mut out).with_binary();
    value.serialize(&mut ser).ok()?;
    Some(out)
}

/// The parsed form of a file as the cache keeps it: its encoded head and
/// items ([`encode`]), each after its length (4 bytes, little-endian),
/// then, if given, the key of its validated items (8 bytes) and their
/// bytes ([`encode_items`]).
pub fn form(head: &[u8], items: &[u8], checked: Option<(u64, &[u8])>) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(8 + head.len() + items.len());
    for part in [head, items] {
        out.extend_from_slice(&u32::try_from(part.len()).ok()?.to_le_bytes());
        out.extend_from_slice(part);
    }
    if let Some((key, checked)) = checked {
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(checked);
    }
    Some(out)
}

/// Writes `records`, after the header of a new file when `header`.
pub fn write(
    out: &mut impl std::io::Write,
    records: &[Record],
    header: bool,
) -> std::io::Result<()> {
    if header {
        out.write_all(&self::header())?;
    }
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
    use crate::cache::Save;
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
                let (head, items) = encode(&raw)?;
                let encoded = form(&head, &items, None)?;
                Some((path.display().to_string(), bytes, raw, encoded))
            })
            .collect();
        assert!(parsed.len() >= 5, "{} files", parsed.len());
        let records: Vec<Record> = parsed
            .iter()
            .map(|(n, b, _, e)| (n.as_str(), b.as_slice(), e.as_slice()))
            .collect();
        let mut file = Vec::new();
        write(&mut file, &records, true).expect("in memory");
        let cache = Files::parse(&file);
        assert_eq!(cache.save(&records), Save::Keep);
        for (name, bytes, raw, _) in &parsed {
            let hit = cache.get(name, bytes).expect("read back");
            assert!(hit.checked.is_none());
            let (outages, maintenance) = hit.items().expect("items read back");
            let back = RawFile {
                outages,
                maintenance,
                ..hit.raw
            };
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
        assert!(matches!(damaged.save(&records), Save::Replace(r) if r == records));
    }

    /// Validated items read back are checked again for what later stages
    /// rely on: a record changed with a sound CRC that breaks it is not
    /// taken (the file's items are then validated from its parsed form).
    #[test]
    fn items_read_back_are_checked_again() {
        let text = "systems:\n  - id: a\n    name: A\noutages:\n  - id: x\n    title: T\n    systems: [a]\n    start: 2030-01-01 10:00\n    end: 2030-01-01 11:00\n  - id: y\n    title: D\n    systems: all\n    first-day: 2030-02-01\nmaintenance:\n  - id: m\n    title: M\n    systems: [a]\n    rule: FREQ=MONTHLY;BYDAY=1MO\n    from: 2030-01-01\n    until: 2030-12-31\n    start-time: '08:00'\n    end-time: '09:00'\n    skip:\n      - date: 2030-03-04\n";
        let path = Path::new("f.yaml");
        let raw = crate::load::parse_str(path, text).expect("parses");
        let files = [crate::load::SourceFile {
            path: path.into(),
            raw,
        }];
        let (validated, forms) = crate::validate::validate_with(&files, Vec::new(), true);
        assert!(
            validated
                .problems
                .iter()
                .all(|p| p.severity != crate::error::Severity::Error)
        );
        let form = forms[0].as_deref().expect("kept");
        let sound = FileItems::decode(form, path).expect("reads back");
        assert_eq!((sound.outages.len(), sound.series.len()), (2, 1));
        let encode = |items: &FileItems| items.encode().expect("encodes");
        assert!(FileItems::decode(&encode(&sound), path).is_some());
        fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
            chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date")
        }
        type Break = (&'static str, fn(&mut FileItems));
        let breaks: [Break; 9] = [
            ("an id that is not one", |i| {
                i.outages[0].0.id = "X\r\nY".into()
            }),
            ("a year past the zone data", |i| {
                i.outages[1].0.when = crate::schedule::When::AllDay {
                    first: chrono::NaiveDate::MAX,
                    last: chrono::NaiveDate::MAX,
                }
            }),
            ("an end before the start", |i| {
                if let crate::schedule::When::Timed { start, end, .. } = &mut i.outages[0].0.when {
                    std::mem::swap(start, end);
                }
            }),
            ("a window of a year", |i| {
                i.outages[1].0.when = crate::schedule::When::AllDay {
                    first: date(2030, 1, 1),
                    last: date(2030, 12, 31),
                }
            }),
            ("an hourly rule", |i| {
                i.series[0].0.rule_text = "FREQ=HOURLY".into()
            }),
            ("a rule that does not parse", |i| {
                i.series[0].0.rule_text = "FREQ=".into()
            }),
            ("until before from", |i| {
                i.series[0].0.until = Some(date(2029, 1, 1))
            }),
            ("a month 13", |i| {
                i.series[0].0.skip_months.push(crate::schedule::SkipMonth {
                    month: 13,
                    reason: None,
                    at: Location::default(),
                })
            }),
            ("a skipped date in year 1", |i| {
                i.series[0].0.skips[0].date = date(1, 1, 1)
            }),
        ];
        for (what, change) in breaks {
            let mut items = FileItems::decode(form, path).expect("reads back");
            change(&mut items);
            assert!(FileItems::decode(&encode(&items), path).is_none(), "{what}");
        }
    }

    /// An edited file's record is appended and stands for the file; once
    /// most records are stale, or a record is damaged, the file is written
    /// anew with only the records in use.
    #[test]
    fn edited_files_are_appended_until_most_records_are_stale() {
        let forms = [b"form a".as_slice(), b"form b", b"form c"];
        let records: Vec<Record> = ["a.yaml", "b.yaml", "c.yaml"]
            .into_iter()
            .zip(forms)
            .map(|(name, form)| (name, name.as_bytes(), form))
            .collect();
        let mut file = Vec::new();
        write(&mut file, &records, true).expect("in memory");
        assert_eq!(Files::parse(&file).save(&records), Save::Keep);

        // b.yaml edited: only its record is written, and read back last.
        let mut edited = records.clone();
        edited[1] = ("b.yaml", b"b.yaml edited", b"form b edited");
        let Save::Append(new) = Files::parse(&file).save(&edited) else {
            panic!("not appended");
        };
        assert_eq!(new, vec![edited[1]]);
        write(&mut file, &new, false).expect("in memory");
        let cache = Files::parse(&file);
        assert_eq!(cache.save(&edited), Save::Keep);
        assert_eq!(
            cache.records.get("b.yaml"),
            Some(&(edited[1].1, edited[1].2))
        );
        assert_eq!(
            cache.records.get("a.yaml"),
            Some(&(records[0].1, records[0].2))
        );

        // b.yaml edited again and again: appended while the file holds at
        // most twice the bytes in use, then written anew with what is.
        for n in 0..10 {
            let form = format!("form b {n}");
            let mut again = edited.clone();
            again[1] = ("b.yaml", b"b.yaml again", form.as_bytes());
            let in_file = file.len() - header().len() + size(&again[1..2]);
            match Files::parse(&file).save(&again) {
                Save::Append(new) => {
                    assert!(in_file <= 2 * size(&again), "appended at {in_file} bytes");
                    write(&mut file, &new, false).expect("in memory");
                }
                other => {
                    assert!(
                        matches!(&other, Save::Replace(all) if *all == again),
                        "{other:?}"
                    );
                    assert!(
                        in_file > 2 * size(&again),
                        "written anew at {in_file} bytes"
                    );
                    assert!(n > 0, "appended at least once");
                    return;
                }
            }
        }
        panic!("never written anew");
    }
}
