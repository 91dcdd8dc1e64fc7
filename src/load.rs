//! The only reader of schedule files: finds every `*.yaml` / `*.yml` in the
//! schedules folder, enforces the input limits, and parses each file into
//! [`RawFile`] with locations. Problems are collected, never thrown.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Problem, suggest};
use crate::limits::{MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES};
use crate::raw::RawFile;

/// One parsed schedule file.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub raw: RawFile,
}

/// What loading a folder produced: the files that parsed, the problems of
/// those that did not, and every file's text for error snippets.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<SourceFile>,
    pub problems: Vec<Problem>,
    pub sources: BTreeMap<PathBuf, String>,
    /// For each of `files` (missing at the end: `None`), its outages and
    /// maintenance as the last build validated them, when they were taken
    /// from the cache instead of its parsed form (then `raw` has none).
    pub checked: Vec<Option<crate::parsed::FileItems>>,
}

impl Loaded {
    /// Takes in what loading another file produced.
    fn merge(&mut self, one: Loaded) {
        self.files.extend(one.files);
        self.problems.extend(one.problems);
        self.sources.extend(one.sources);
    }

    /// Records a file found in the cache (`text`: as reports show it);
    /// its parts for the next build's cache, the record kept as it is when
    /// its validated items were `taken`.
    fn add_found<'c>(
        &mut self,
        path: &Path,
        hit: crate::parsed::Hit<'c>,
        text: String,
        key: Option<u64>,
        taken: bool,
    ) -> crate::parsed::Parts<'c> {
        self.sources.insert(path.to_path_buf(), text);
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            raw: hit.raw,
        });
        crate::parsed::Parts {
            unchanged: taken.then_some(hit.form),
            head: Cow::Borrowed(hit.head),
            items: Cow::Borrowed(hit.items),
            key,
        }
    }

    /// Parses one file's bytes and records the result.
    pub fn add(&mut self, path: PathBuf, bytes: &[u8]) {
        if bytes.len() as u64 > MAX_FILE_BYTES {
            self.problems.push(too_large(&path, bytes.len() as u64));
            return;
        }
        match parse_bytes(&path, bytes) {
            Ok((text, raw)) => {
                self.sources.insert(path.clone(), text);
                self.files.push(SourceFile { path, raw });
            }
            Err((text, problem)) => {
                if let Some(text) = text {
                    self.sources.insert(path.clone(), text);
                }
                self.problems.push(*problem);
            }
        }
    }
}

fn too_large(path: &Path, size: u64) -> Problem {
    Problem::error(
        Location::file(path),
        format!("the file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes"),
    )
    .help("split the schedules over several files, or drop outages long past")
}

/// A schedule file as read: its path and bytes.
pub type RawInput = (PathBuf, Vec<u8>);

/// Every schedule file in `dir` as (path, bytes), in name order, and the
/// problems found on the way (no files, a file over the size limit).
/// Anything named `*.yaml` / `*.yml` that is not a regular file (a folder,
/// a named pipe, a device, a symbolic link to nothing) is an error that
/// names it: skipping it would publish feeds without its events. Editors'
/// lock files (`.#name.yaml`) are not schedules.
pub fn read_dir(dir: &Path) -> Result<(Vec<RawInput>, Vec<Problem>), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yaml" || e == "yml");
        // Emacs marks a file open for editing with a lock `.#name.yaml`
        // (a symbolic link to nothing): not a schedule.
        let editor_lock = entry.file_name().to_string_lossy().starts_with(".#");
        if is_yaml && !editor_lock {
            paths.push(path);
        }
    }
    paths.sort();
    let mut problems = Vec::new();
    if paths.is_empty() {
        problems.push(
            Problem::error(
                Location::file(dir),
                "no schedule files (`*.yaml`) in this folder",
            )
            .help("pass the folder that holds the schedules with `--schedules DIR`"),
        );
    }
    let mut files = Vec::new();
    for path in paths {
        let (file, size) = match open_regular(&path, Links::Follow) {
            Ok(Opened::File(file, size)) => (file, size),
            Ok(Opened::Missing) => return Err(missing_schedule(&path)),
            Ok(Opened::Not(what)) => {
                return Err(io_error(
                    &path,
                    format!(
                        "{what}, not a regular file, so it cannot be read as a schedule; replace it with the schedule file, or rename it so that its name does not end in `.yaml` or `.yml`"
                    ),
                ));
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        if size > MAX_FILE_BYTES {
            problems.push(too_large(&path, size));
            continue;
        }
        match read_limited(file, MAX_FILE_BYTES, size) {
            Ok(Some(bytes)) => files.push((path, bytes)),
            // It grew while being read, or it is a file whose size the
            // file system does not know (under /proc).
            Ok(None) => problems.push(
                Problem::error(
                    Location::file(&path),
                    format!("the file is over {MAX_FILE_BYTES} bytes, the limit"),
                )
                .help("split the schedules over several files, or drop outages long past"),
            ),
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Ok((files, problems))
}

/// A schedule named in the folder that is gone when opened: a symbolic
/// link to nothing, or a file removed meanwhile.
fn missing_schedule(path: &Path) -> Error {
    let message = match std::fs::read_link(path) {
        Ok(target) => format!(
            "is a symbolic link to `{}`, which does not exist; fix the link or remove it",
            target.display()
        ),
        Err(_) => "was removed while the folder was read; run again".to_string(),
    };
    io_error(path, message)
}

/// An I/O error about `path` with nedetid's own words.
pub(crate) fn io_error(path: &Path, message: String) -> Error {
    Error::io(
        path,
        std::io::Error::new(std::io::ErrorKind::InvalidInput, message),
    )
}

/// Whether [`open_regular`] follows a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Links {
    /// Opens what the link points at (schedules may be links).
    Follow,
    /// A link is not a regular file (published files, the state file).
    Refuse,
}

/// What [`open_regular`] found.
#[derive(Debug)]
pub(crate) enum Opened {
    /// A regular file, open for reading, and its size.
    File(std::fs::File, u64),
    /// Nothing there (or a symbolic link to nothing).
    Missing,
    /// Something else: "a folder", "a named pipe (FIFO)", ...
    Not(&'static str),
}

/// Opens `path` for reading if it is a regular file. A named pipe cannot
/// block the open (on Unix it is opened non-blocking) and is never read:
/// the kind of file is checked on the opened handle, not on the name.
pub(crate) fn open_regular(path: &Path, links: Links) -> std::io::Result<Opened> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut flags = OFlags::NONBLOCK;
        if links == Links::Refuse {
            flags |= OFlags::NOFOLLOW;
        }
        options.custom_flags(flags.bits() as i32);
    }
    #[cfg(not(unix))]
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_symlink() && links == Links::Refuse => return Ok(Opened::Not(kind(&m))),
        Ok(m) if m.is_dir() => return Ok(Opened::Not(kind(&m))),
        _ => {}
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) => {
            // With NOFOLLOW a link fails to open (ELOOP, or EMLINK on
            // some systems): say what it is.
            if links == Links::Refuse
                && let Ok(m) = std::fs::symlink_metadata(path)
                && m.is_symlink()
            {
                return Ok(Opened::Not(kind(&m)));
            }
            return match e.kind() {
                std::io::ErrorKind::NotFound => Ok(Opened::Missing),
                _ => Err(e),
            };
        }
    };
    let meta = file.metadata()?;
    if meta.is_file() {
        Ok(Opened::File(file, meta.len()))
    } else {
        Ok(Opened::Not(kind(&meta)))
    }
}

/// What a file that is not a regular file is, in words.
pub(crate) fn kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "it is a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "it is a device";
        }
        if t.is_socket() {
            return "it is a socket";
        }
    }
    if t.is_symlink() {
        "it is a symbolic link"
    } else if t.is_dir() {
        "it is a folder"
    } else {
        "it is a special file"
    }
}

/// Reads the whole file if it is at most `limit` bytes; `None` when there
/// are more. The limit is enforced while reading (at most `limit` + 64 KiB
/// are read), not trusted to the size the file system gives, which is 0
/// for files under /proc. `size` is the expected size, a hint.
pub(crate) fn read_limited(
    mut file: impl std::io::Read,
    limit: u64,
    size: u64,
) -> std::io::Result<Option<Vec<u8>>> {
    // Reads of whole blocks: some files refuse others (/proc/*/pagemap).
    const CHUNK: usize = 64 * 1024;
    let hint = usize::try_from(size.min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(hint.saturating_add(CHUNK));
    loop {
        if bytes.len() as u64 > limit {
            return Ok(None);
        }
        let len = bytes.len();
        bytes.resize(len + CHUNK, 0);
        match file.read(&mut bytes[len..]) {
            Ok(0) => {
                bytes.truncate(len);
                return Ok(Some(bytes));
            }
            Ok(n) => bytes.truncate(len + n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => bytes.truncate(len),
            Err(e) => return Err(e),
        }
    }
}

/// Parses files read by [`read_dir`].
pub fn parse_files(files: &[RawInput], problems: Vec<Problem>) -> Loaded {
    let mut out = Loaded {
        problems,
        ..Loaded::default()
    };
    // Files parse independently: on every core, results in name order.
    let parsed = crate::par::map_from(files, 2, |(path, bytes)| {
        let mut one = Loaded::default();
        one.add(path.clone(), bytes);
        one
    });
    for one in parsed {
        out.merge(one);
    }
    out
}

/// [`parse_files`], taking the parsed form of each file that `cache` holds
/// for exactly its bytes from there, and its validated items too
/// ([`Loaded::checked`]) when what validating them read from the other
/// files is what it was ([`crate::parsed::items_key`]); with each file's
/// parts for the next build's cache when `keep` is set (`None` where a file
/// did not parse, or its form cannot be written).
pub fn parse_files_cached<'c>(
    files: &[RawInput],
    problems: Vec<Problem>,
    cache: &crate::parsed::Files<'c>,
    keep: bool,
) -> (Loaded, Vec<Option<crate::parsed::Parts<'c>>>) {
    use crate::parsed::{FileItems, Hit, Items};
    enum Found<'c> {
        Hit(Box<Hit<'c>>, String, PathBuf),
        Parsed(Loaded, Option<crate::parsed::Encoded>),
    }
    let found = crate::par::map_from(files, 2, |(path, bytes)| {
        let name = crate::parsed::name_of(path);
        // Bytes over the limit never parsed, whatever a cache says.
        let cached = std::str::from_utf8(bytes)
            .ok()
            .filter(|_| bytes.len() as u64 <= MAX_FILE_BYTES)
            .and_then(|text| Some((text, cache.get(&name, bytes)?)));
        if let Some((text, hit)) = cached {
            // The text shown in reports, as `parse_bytes` keeps it.
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            return Found::Hit(Box::new(hit), text.to_string(), path.clone());
        }
        let (one, parts) = parse_one(path, bytes, keep);
        Found::Parsed(one, parts)
    });
    // The print of every file's head, when each has one: a file whose
    // head is unknown could change what the others' items validate to.
    let names: Vec<String> = files
        .iter()
        .map(|(path, _)| crate::parsed::name_of(path))
        .collect();
    let heads = keep.then(|| {
        let heads = names.iter().zip(&found).map(|(name, found)| match found {
            Found::Hit(hit, ..) => Some((name.as_str(), hit.head)),
            Found::Parsed(_, parts) => parts.as_ref().map(|(h, _)| (name.as_str(), h.as_slice())),
        });
        heads.collect::<Option<Vec<_>>>()
    });
    let heads = heads
        .flatten()
        .map(|h| crate::parsed::heads_print(h.into_iter()));
    // The items of the files found: validated ones under the same key,
    // else as parsed.
    enum Decoded {
        Checked(FileItems),
        Items(Items),
        Neither,
    }
    let keys: Vec<Option<u64>> = names
        .iter()
        .map(|name| heads.map(|h| crate::parsed::items_key(h, name)))
        .collect();
    let with_keys: Vec<(&Found, Option<u64>)> = found.iter().zip(keys.iter().copied()).collect();
    let decoded = crate::par::map_from(&with_keys, 2, |(found, key)| {
        let Found::Hit(hit, _, path) = found else {
            return Decoded::Neither;
        };
        let checked = hit
            .checked
            .filter(|(k, _)| Some(*k) == *key)
            .and_then(|(_, bytes)| FileItems::decode(bytes, path));
        match checked {
            Some(items) => Decoded::Checked(items),
            None => hit.items().map_or(Decoded::Neither, Decoded::Items),
        }
    });
    let mut out = Loaded {
        problems,
        ..Loaded::default()
    };
    let mut parts = Vec::with_capacity(files.len());
    for ((((path, bytes), found), decoded), key) in files.iter().zip(found).zip(decoded).zip(keys) {
        let (one, encoded, key) = match (found, decoded) {
            (Found::Hit(hit, text, _), Decoded::Checked(items)) => {
                out.checked.resize_with(out.files.len(), || None);
                out.checked.push(Some(items));
                parts.push(Some(out.add_found(path, *hit, text, key, true)));
                continue;
            }
            (Found::Hit(mut hit, text, _), Decoded::Items((outages, maintenance))) => {
                hit.raw.outages = outages;
                hit.raw.maintenance = maintenance;
                parts.push(Some(out.add_found(path, *hit, text, key, false)));
                continue;
            }
            // A record whose items do not read back: parsed anew, its items
            // not kept this time.
            (Found::Hit(..), _) => {
                let (one, encoded) = parse_one(path, bytes, keep);
                (one, encoded, None)
            }
            (Found::Parsed(one, encoded), _) => (one, encoded, key),
        };
        parts.push(encoded.map(|(head, items)| crate::parsed::Parts {
            unchanged: None,
            head: Cow::Owned(head),
            items: Cow::Owned(items),
            key,
        }));
        out.merge(one);
    }
    (out, parts)
}

/// One file parsed, with its head and items encoded for the cache when
/// `keep` ([`crate::parsed::encode`]).
fn parse_one(path: &Path, bytes: &[u8], keep: bool) -> (Loaded, Option<crate::parsed::Encoded>) {
    let mut one = Loaded::default();
    one.add(path.to_path_buf(), bytes);
    let encoded = one
        .files
        .last()
        .filter(|_| keep)
        .and_then(|f| crate::parsed::encode(&f.raw));
    (one, encoded)
}

/// Reads and parses every schedule file in `dir`, in name order.
pub fn load_dir(dir: &Path) -> Result<Loaded, Error> {
    let (files, problems) = read_dir(dir)?;
    Ok(parse_files(&files, problems))
}

type ParseFailure = (Option<String>, Box<Problem>);

/// Parses one file's bytes. On failure returns the text (when it was UTF-8)
/// so the error can show a snippet.
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<(String, RawFile), ParseFailure> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = 1 + good.iter().filter(|b| **b == b'\n').count();
            let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let column = 1 + String::from_utf8_lossy(&good[line_start..]).chars().count();
            let location = Location {
                file: path.to_path_buf(),
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
                offset: 0,
                len: 0,
            };
            let problem = Problem::error(
                location,
                format!(
                    "the file is not UTF-8 (byte 0x{:02X})",
                    bytes[e.valid_up_to()]
                ),
            )
            .help("save the file as UTF-8 (in Notepad: Save as, Encoding: UTF-8)");
            return Err((None, Box::new(problem)));
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        let start = Location {
            line: 1,
            column: 1,
            ..Location::file(path)
        };
        let problem = Problem::error(start, "the file is empty")
            .help("add `systems:`, `outages:` or `maintenance:`, or delete the file");
        return Err((Some(text), Box::new(problem)));
    }
    match parse_str(path, &text) {
        Ok(raw) => Ok((text, raw)),
        Err(problem) => Err((Some(text), problem)),
    }
}

/// Parses YAML text with nedetid's options: YAML 1.2 booleans only, values
/// that YAML would read as numbers or booleans must be quoted where text is
/// expected, and budgets against alias bombs and deep nesting.
pub fn parse_str(path: &Path, text: &str) -> Result<RawFile, Box<Problem>> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        no_schema: true,
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_aliases: MAX_ALIASES,
        },
    };
    serde_saphyr::from_str_with_options::<RawFile>(text, options)
        .map_err(|e| Box::new(yaml_problem(path, text, &e)))
}

fn yaml_problem(path: &Path, text: &str, err: &serde_saphyr::Error) -> Problem {
    let location = err.location().filter(|l| l.line() > 0).map_or_else(
        || Location::file(path),
        |l| crate::raw::At::from(l).location(path),
    );
    let kind = YamlKind::of(err);
    let problem = Problem::error(location.clone(), kind.message(err));
    match kind.help(text, &location) {
        Some(help) => problem.help(help),
        None => problem,
    }
}

/// What serde-saphyr (or the YAML scanner under it) found wrong, read from
/// its error values; the message and the help are chosen from this.
enum YamlKind<'e> {
    UnknownField {
        field: &'e str,
        expected: &'e [&'static str],
    },
    MissingField(&'static str),
    DuplicateKey(Option<&'e str>),
    TooManyAliases,
    TooDeep,
    TooComplex(&'e serde_saphyr::budget::BudgetBreach),
    NotText,
    NotAList,
    NotAMapping,
    NotANumber,
    Empty,
    ManyDocuments,
    MustBeQuoted,
    UnclosedQuote,
    TabInValue,
    Other,
}

impl<'e> YamlKind<'e> {
    fn of(err: &'e serde_saphyr::Error) -> Self {
        use serde_saphyr::budget::BudgetBreach;
        use serde_saphyr::granit_parser::ErrorKind as Scan;
        use serde_saphyr::{Error as E, ExternalMessageSource};
        match err.without_snippet() {
            E::SerdeUnknownField {
                field, expected, ..
            } => Self::UnknownField { field, expected },
            E::SerdeMissingField { field, .. } => Self::MissingField(field),
            E::DuplicateMappingKey { key, .. } => Self::DuplicateKey(key.as_deref()),
            E::Budget { breach, .. } => match breach {
                BudgetBreach::Aliases { .. } => Self::TooManyAliases,
                BudgetBreach::Depth { .. } => Self::TooDeep,
                other => Self::TooComplex(other),
            },
            E::Unexpected { expected, .. } => match *expected {
                "sequence start" => Self::NotAList,
                "mapping start" | "empty mapping start" => Self::NotAMapping,
                _ => Self::NotText,
            },
            E::SerdeInvalidType { .. } => Self::NotText,
            E::InvalidScalar { ty, .. } if ty.starts_with(['i', 'u']) => Self::NotANumber,
            E::NullIntoString { .. } => Self::Empty,
            E::MultipleDocuments { .. } => Self::ManyDocuments,
            E::QuotingRequired { .. } => Self::MustBeQuoted,
            E::AliasError { error, .. } => Self::of(error),
            E::ExternalMessage { source, .. } => match source.as_ref() {
                ExternalMessageSource::Parser(scan) => match scan.kind() {
                    Scan::RecursionLimitExceeded => Self::TooDeep,
                    Scan::UnclosedQuotedScalar => Self::UnclosedQuote,
                    Scan::TabInPlainScalar => Self::TabInValue,
                    _ => Self::Other,
                },
                _ => Self::Other,
            },
            _ => Self::Other,
        }
    }

    /// serde-saphyr's message in the project's form (lowercase, no
    /// location: that is shown for every kind of problem alike), or the
    /// project's own words where its message names internals.
    fn message(&self, err: &serde_saphyr::Error) -> String {
        match self {
            Self::DuplicateKey(key) => {
                format!("`{}` is given twice in this item", key.unwrap_or("a key"))
            }
            Self::TooManyAliases => {
                format!("the file uses more than {MAX_ALIASES} aliases (`*name`)")
            }
            Self::TooDeep
                if matches!(err.without_snippet(), serde_saphyr::Error::Budget { .. }) =>
            {
                format!("the file nests deeper than {MAX_DEPTH} levels")
            }
            Self::TooComplex(breach) => {
                format!("the file is too large or complex to be a schedule ({breach:?})")
            }
            Self::NotText => "expected a single value here, not a list or a mapping".into(),
            Self::NotAList => "expected a list here".into(),
            Self::NotAMapping => "expected keys and values here (`key: value`)".into(),
            Self::NotANumber => "expected a whole number here".into(),
            Self::Empty => "the value is empty".into(),
            Self::ManyDocuments => {
                "the file holds more than one YAML document (`---` starts another)".into()
            }
            _ => plain_message(err),
        }
    }

    /// A way to fix it.
    fn help(&self, text: &str, location: &Location) -> Option<String> {
        let first = location.line.saturating_sub(2) as usize;
        let tab_near = || text.lines().skip(first).take(3).any(|l| l.contains('\t'));
        Some(match self {
            Self::UnknownField { field, expected } => {
                match suggest(field, expected.iter().copied()) {
                    Some(key) => format!("did you mean `{key}`?"),
                    None if expected.is_empty() => "remove this key".to_string(),
                    None => format!("the keys allowed here are: {}", expected.join(", ")),
                }
            }
            Self::MissingField(key) => format!(
                "add `{key}:` to this item; if it is there, check its indentation: every key of an item lines up under the first one"
            ),
            Self::TooManyAliases => format!(
                "a file may use at most {MAX_ALIASES} aliases (`*name`); write the values out instead"
            ),
            Self::TooDeep | Self::TooComplex(_) => format!(
                "the schedule format nests 4 levels deep; this file nests deeper than {MAX_DEPTH} levels or is far larger than a schedule"
            ),
            Self::NotText => "write the value as text on one line, in quotes if it starts with `[`, `{` or contains `: `".into(),
            Self::NotAList => "write a list: `[visma, gat]`, or one `- item` per line".into(),
            Self::NotAMapping => "write `key: value` lines, indented under this key".into(),
            Self::NotANumber => "write a number such as `13`, without quotes".into(),
            Self::Empty => "write a value after the colon, or remove the key".into(),
            Self::ManyDocuments => {
                "keep one document per file: put the rest in a file of its own".into()
            }
            _ if tab_near() => "YAML does not allow tabs for indentation; use spaces".into(),
            Self::TabInValue => "YAML does not allow tabs for indentation; use spaces".into(),
            Self::DuplicateKey(_) => "keep one of them".into(),
            Self::MustBeQuoted => "put the value in quotes, e.g. `\"1.10\"`".into(),
            Self::UnclosedQuote => "end the value with the same quote it starts with".into(),
            Self::Other => return None,
        })
    }
}

/// serde-saphyr's message without its own location and snippet.
fn plain_message(err: &serde_saphyr::Error) -> String {
    let rendered = err.without_snippet().render();
    let first = rendered.lines().next().unwrap_or("invalid YAML").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let first = match first.rfind(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    let first = first.trim_end_matches('.');
    let mut chars = first.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "invalid YAML".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> Problem {
        match parse_bytes(Path::new("t.yaml"), text.as_bytes()) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err((_, p)) => *p,
        }
    }

    #[test]
    fn unknown_key_suggests_the_right_one() {
        let p = problem("outages:\n  - id: a\n    titel: x\n");
        assert_eq!((p.location.line, p.location.column), (3, 5), "{p}");
        assert!(p.message.contains("titel"), "{p}");
        assert_eq!(p.help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn not_utf8_names_line_and_column() {
        let p = match parse_bytes(Path::new("t.yaml"), b"systems:\n  - id: v\xe6\n") {
            Ok(_) => panic!("latin-1 accepted"),
            Err((_, p)) => *p,
        };
        assert_eq!((p.location.line, p.location.column), (2, 10), "{p}");
        assert!(p.message.contains("not UTF-8"));
    }

    #[test]
    fn empty_and_comment_only_files_are_errors() {
        assert!(problem("").message.contains("empty"));
        assert!(problem("# nothing\n\n").message.contains("empty"));
    }

    #[test]
    fn yaml_1_1_booleans_stay_text_and_numbers_need_quotes() {
        let ok = parse_bytes(
            Path::new("t.yaml"),
            b"systems:\n  - id: visma\n    name: NO\n",
        );
        let name = ok.map(|(_, raw)| raw.systems[0].value.name.value.clone());
        assert_eq!(name.ok().as_deref(), Some("NO"));
        let p = problem("systems:\n  - id: visma\n    name: 1.10\n");
        assert_eq!((p.location.line, p.location.column), (3, 11), "{p}");
        assert!(p.message.contains("must be quoted"), "{p}");
    }

    #[test]
    fn messages_are_in_the_projects_words() {
        let cases = [
            (
                "systems:\n  - id: a\n    name: A\n---\nsystems: []\n",
                "more than one YAML document",
                "one document per file",
            ),
            (
                "systems:\n  - id: a\n    name:\n",
                "the value is empty",
                "write a value",
            ),
            (
                "settings:\n  horizon-months: x\n",
                "expected a whole number here",
                "write a number",
            ),
            ("systems: {a: 1}\n", "expected a list here", "write a list"),
        ];
        for (text, message, help) in cases {
            let p = problem(text);
            assert!(p.message.contains(message), "{p}");
            assert!(p.help.as_deref().is_some_and(|h| h.contains(help)), "{p}");
            for leak in ["from_str", "Option<", "span-aware", "scalar", "i64"] {
                assert!(!p.message.contains(leak), "{p}");
            }
        }
    }

    #[test]
    fn alias_bomb_is_refused() {
        let aliases = vec!["*a"; MAX_ALIASES + 1].join(", ");
        let text = format!(
            "outages:\n  - id: x\n    title: &a boom\n    systems: all\n    consequences: [{aliases}]\n"
        );
        let p = problem(&text);
        assert!(p.message.contains("alias"), "{p}");
    }

    #[test]
    fn reading_stops_soon_after_the_limit_whatever_the_size_says() {
        let endless = std::io::repeat(b'a');
        assert_eq!(read_limited(endless, 1000, 0).ok(), Some(None));
        let counted = std::io::Read::take(std::io::repeat(b'a'), 1000);
        let read = read_limited(counted, 1000, 0).ok().flatten();
        assert_eq!(
            read.map(|b| b.len()),
            Some(1000),
            "exactly the limit is fine"
        );
        let over = std::io::Read::take(std::io::repeat(b'a'), 1001);
        assert_eq!(read_limited(over, 1000, 5000).ok(), Some(None));
        assert_eq!(read_limited(&b""[..], 0, 0).ok(), Some(Some(Vec::new())));
    }
}
