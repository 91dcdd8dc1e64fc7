//! The only writer of output. Publishing is all or nothing as far as a file
//! system allows: every changed file is first written in full to a temporary
//! file beside its target and flushed (where a full disk or a read-only
//! folder fails, with nothing published touched); only then are they renamed
//! over the old files, and if a rename fails the ones already renamed are put
//! back. The old version of a file being replaced or removed is kept on disk
//! until the publish is done, as a hard link under a temporary name (a copy
//! where the file system has no hard links), never in memory. Files whose
//! bytes would not change are not touched, so their modification time (and
//! a web server's `ETag`) stays.
//!
//! A build holds the output folder's lock ([`lock`]) from reading the state
//! file until it has published, so two builds cannot interleave.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cache;
use crate::error::Error;
use crate::limits::{MAX_CACHE_BYTES, MAX_STATE_BYTES};
use crate::load::{Links, Opened, io_error, open_regular, read_limited};
use crate::state::{
    CACHE, EventTexts, FileStat, Head, MANIFEST, Manifest, PARSED, RUN, RunRecord, SEEN, Seen,
};

/// The lock file in the output folder (see [`lock`]).
pub const LOCK: &str = ".nedetid.lock";

/// How long a build waits for another one to release the output folder.
pub const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Temporary files (staged files, backups of replaced ones, the record of
/// what was published) are named `.nedetid-` + 6 letters or digits +
/// `.tmp`; [`lock`] removes such files that a killed build left.
const TEMP_PREFIX: &str = ".nedetid-";
const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RANDOM: usize = 6;

fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RANDOM);
    builder
}

/// Whether `name` is one of nedetid's temporary names, exactly.
fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|random| {
            random.len() == TEMP_RANDOM && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Reads the state file of `dir`; a missing file (or folder) starts fresh,
/// a corrupt one is an error that names it. It must be a regular file (a
/// link is not followed) of at most [`MAX_STATE_BYTES`].
pub fn read_manifest(dir: &Path) -> Result<Manifest, Error> {
    read_state(dir)?.manifest()
}

/// The state file of the last build in `dir` as read, to be parsed in two
/// steps: [`State::head`] for the no-op check, [`State::manifest`] for the
/// events.
pub struct State {
    path: PathBuf,
    /// `None` when there is no state file.
    bytes: Option<Vec<u8>>,
}

/// Reads the state file in `dir` (not a link, within [`MAX_STATE_BYTES`]).
pub fn read_state(dir: &Path) -> Result<State, Error> {
    let path = dir.join(MANIFEST);
    let (file, size) = match open_regular(&path, Links::Refuse) {
        Ok(Opened::File(file, size)) => (file, size),
        Ok(Opened::Missing) => return Ok(State { path, bytes: None }),
        Ok(Opened::Not(what)) => return Err(not_regular(&path, what)),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let bytes = read_limited(file, MAX_STATE_BYTES, size)
        .map_err(|e| Error::io(&path, e))?
        .ok_or_else(|| Error::State {
            path: path.clone(),
            message: format!(
                "the state file is over {MAX_STATE_BYTES} bytes, far more than nedetid writes; restore it from the last good copy, or delete it to start fresh (every event then gets SEQUENCE 0 again)"
            ),
        })?;
    Ok(State {
        path,
        bytes: Some(bytes),
    })
}

impl State {
    /// Its files, input and number of events ([`Head`]).
    pub fn head(&self) -> Result<Head, Error> {
        self.bytes
            .as_deref()
            .map_or(Ok(Head::default()), Head::parse)
            .map_err(|e| self.unreadable(&e))
    }

    /// Whether `text` is anywhere in it: a millisecond at national size,
    /// where reading the [`Head`] takes 18.
    fn mentions(&self, text: &str) -> bool {
        self.bytes
            .as_deref()
            .is_some_and(|bytes| memchr::memmem::find(bytes, text.as_bytes()).is_some())
    }

    /// All of it, and the text of each event ([`Manifest::parse_keeping_texts`]).
    pub fn manifest_keeping_texts(mut self) -> Result<(Manifest, EventTexts), Error> {
        let Some(bytes) = self.bytes.take() else {
            return Ok((Manifest::default(), EventTexts::default()));
        };
        Manifest::parse_keeping_texts(bytes).map_err(|e| self.unreadable(&e))
    }

    /// All of it.
    pub fn manifest(&self) -> Result<Manifest, Error> {
        self.bytes
            .as_deref()
            .map_or(Ok(Manifest::default()), Manifest::parse)
            .map_err(|e| self.unreadable(&e))
    }

    fn unreadable(&self, why: &str) -> Error {
        Error::State {
            path: self.path.clone(),
            message: format!(
                "cannot read the state file: {why}; restore it from the last good copy, or delete it to start fresh (every event then gets SEQUENCE 0 again)"
            ),
        }
    }
}

/// A published file (or the state file) that is not a regular file.
fn not_regular(path: &Path, what: &str) -> Error {
    io_error(
        path,
        format!(
            "{what}, not a regular file; nedetid publishes only regular files and does not follow links: remove it, and the next build writes the file"
        ),
    )
}

/// The head of the state file `state` of `dir` when a build of input
/// `fingerprint` at `now` would publish what is already there
/// ([`Head::is_current`], with every published file as the last build left
/// it on disk, by the record [`publish`] made); `None` when it would not.
/// A state file that does not hold the fingerprint is not of this input:
/// its head is not read (an unreadable one is reported when it is read
/// whole).
pub fn current(
    dir: &Path,
    state: &State,
    fingerprint: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Head>, Error> {
    if !state.mentions(fingerprint) {
        return Ok(None);
    }
    let head = state.head()?;
    let Some(seen) = read_seen(dir) else {
        return Ok(None);
    };
    Ok(head
        .is_current(fingerprint, now, &seen, |name| stat(dir, name))
        .then_some(head))
}

/// How the regular file `name` in `dir` looks on disk; `None` when it is
/// missing or not a regular file.
fn stat(dir: &Path, name: &str) -> Option<FileStat> {
    let meta = std::fs::symlink_metadata(dir.join(name)).ok()?;
    meta.is_file().then(|| file_stat(&meta))
}

/// Size, modification time, and on Unix the inode and the status change
/// time: the kernel sets the last on every write, rename or change of
/// times, so no edit keeps all of them.
fn file_stat(meta: &std::fs::Metadata) -> FileStat {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let ns = |secs: i64, nanos: i64| i128::from(secs) * 1_000_000_000 + i128::from(nanos);
        FileStat {
            size: meta.len(),
            modified: ns(meta.mtime(), meta.mtime_nsec()),
            inode: meta.ino(),
            changed: ns(meta.ctime(), meta.ctime_nsec()),
        }
    }
    #[cfg(not(unix))]
    {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        FileStat {
            size: meta.len(),
            modified,
            inode: 0,
            changed: 0,
        }
    }
}

/// The record of the last publish; `None` when there is none, or it is
/// not a regular file or cannot be read (the build then compares bytes).
fn read_seen(dir: &Path) -> Option<Seen> {
    Seen::parse(&read_seen_bytes(dir)?)
}

/// The bytes of the record of the last publish, as [`read_seen`] reads it.
fn read_seen_bytes(dir: &Path) -> Option<Vec<u8>> {
    let Ok(Opened::File(file, size)) = open_regular(&dir.join(SEEN), Links::Refuse) else {
        return None;
    };
    read_limited(file, MAX_STATE_BYTES, size).ok()?
}

/// Which published files a build may keep as they are: those the last
/// publish recorded with a source fingerprint and whose stat is still what
/// it recorded (a file edited, replaced or touched by hand since is rendered
/// and compared again), each with that fingerprint. Found when the build
/// starts; asking is then a lookup.
#[derive(Debug, Default)]
pub struct Reuse {
    files: std::collections::BTreeMap<String, (String, FileStat)>,
}

impl Reuse {
    /// What the last publish into `dir` left; nothing to reuse without its
    /// record. Only where a file's stat has its inode and status change
    /// time (Unix): size and modification time alone would keep a file
    /// edited by hand with its time set back.
    pub fn of(dir: &Path) -> Self {
        let Some(seen) = read_seen(dir).filter(|_| cfg!(unix)) else {
            return Self::none();
        };
        let files = seen
            .sources
            .into_iter()
            .filter_map(|(name, source)| {
                let now = stat(dir, &name)?;
                (seen.files.get(&name) == Some(&now)).then_some((name, (source, now)))
            })
            .collect();
        Self { files }
    }

    /// Nothing is kept: every file is rendered and compared byte for byte.
    pub fn none() -> Self {
        Self::default()
    }

    /// The file `name` as it is on disk, if it was made from `source` and
    /// has not been touched since.
    pub fn kept(&self, name: &str, source: &str) -> Option<Content> {
        let (made_from, stat) = self.files.get(name)?;
        (made_from == source).then_some(Content::Kept(*stat))
    }
}

/// Records how every output looks on disk now that it is published, for
/// [`is_current`]. Best effort: without a record the next build compares
/// every byte, which is slower but as right.
fn record(dir: &Path, outputs: &[Output]) {
    let mut seen = Seen::default();
    for output in outputs {
        // A kept file was not written: its stat is the one checked when
        // the build started (under the build's lock).
        let stat = match &output.content {
            Content::Kept(kept) => Some(*kept),
            Content::Bytes(_) | Content::Pieces(_) => stat(dir, &output.name),
        };
        match stat {
            Some(stat) => seen.files.insert(output.name.clone(), stat),
            None => return,
        };
        if let Some(source) = &output.source {
            seen.sources.insert(output.name.clone(), source.clone());
        }
    }
    // The record is written the same way every time: the same record, the
    // same bytes.
    let json = seen.to_json();
    if read_seen_bytes(dir).is_some_and(|old| old == json.as_bytes()) {
        return;
    }
    // Mode 0600: nothing for the web server. Not flushed: lost in a crash,
    // it only costs a build that compares bytes.
    let written = temp_builder().tempfile_in(dir).and_then(|mut tmp| {
        tmp.write_all(json.as_bytes())?;
        tmp.persist(dir.join(SEEN)).map(drop).map_err(|e| e.error)
    });
    drop(written);
}

/// The cache of rendered events in `dir` ([`crate::cache`]); empty when
/// there is none, it is not a regular file or cannot be read.
pub fn read_cache(dir: &Path) -> cache::Events {
    read_whole(&dir.join(CACHE)).map_or_else(cache::Events::none, |bytes| {
        cache::Events::parse_shared(std::sync::Arc::new(bytes))
    })
}

/// The bytes of the cache of parsed schedule files in `dir`
/// ([`crate::parsed`]); empty when there is none, it is not a regular file
/// or cannot be read.
pub fn read_parsed(dir: &Path) -> cache::Bytes {
    read_whole(&dir.join(PARSED)).unwrap_or_default()
}

/// A cache file's bytes, if it is a regular file of at most
/// [`MAX_CACHE_BYTES`] that can be read.
///
/// Mapped on Unix: read into memory, the 86 MB of the event cache at
/// national size took a tenth of an edit's CPU (page faults on new memory,
/// then the copy). The file is nedetid's own, in a folder this build holds
/// the lock of, and no build rewrites a cache in place: new records go
/// after its end, a new file is renamed over it, and the mapping keeps the
/// old one. What a mapping cannot do is report a failed read: a disk error
/// under the mapped pages, or another program cutting the file short
/// while the build runs, ends the process with SIGBUS (as it would git,
/// which maps its pack files), where a read would have ignored the cache.
/// That is a build killed at that moment: the published files are each
/// the old or the new version, and the next build removes what it left
/// and publishes over it.
fn read_whole(path: &Path) -> Option<cache::Bytes> {
    let Ok(Opened::File(file, size)) = open_regular(path, Links::Refuse) else {
        return None;
    };
    if size > MAX_CACHE_BYTES {
        return None;
    }
    // SAFETY: see above: no build changes the mapped bytes. The size
    // checked is the size mapped.
    #[cfg(unix)]
    if let Ok(len) = usize::try_from(size)
        && let Ok(map) = unsafe { memmap2::MmapOptions::new().len(len).map(&file) }
    {
        return Some(cache::Bytes::Mapped(map));
    }
    read_limited(file, MAX_CACHE_BYTES, size)
        .ok()
        .flatten()
        .map(cache::Bytes::Read)
}

/// How a cache's records are written ([`crate::cache::write`],
/// [`crate::parsed::write`]): after the file's header when the flag says so.
pub type WriteRecords<'w, T> =
    &'w dyn Fn(&mut std::io::BufWriter<&std::fs::File>, &[T], bool) -> std::io::Result<()>;

/// Leaves the cache `name` ([`CACHE`], [`PARSED`]) in `dir` for the next
/// build as `save` says: new records appended, or the file written anew
/// (to a temporary file, then renamed over it). Best effort: a cache not
/// written only costs the next build the time to parse or render again.
/// Mode 0600 and not flushed, like the record of what was published (a
/// record cut short fails its CRC, and the cache is read up to it).
pub fn save_cache<T>(dir: &Path, name: &str, save: cache::Save<T>, write: WriteRecords<T>) {
    let path = dir.join(name);
    let written = match save {
        cache::Save::Keep => Ok(()),
        cache::Save::Append(new) => {
            let mut options = std::fs::OpenOptions::new();
            options.append(true);
            #[cfg(unix)]
            {
                use rustix::fs::OFlags;
                use std::os::unix::fs::OpenOptionsExt as _;
                // A link or a FIFO put there is not followed or waited on.
                options.custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32);
            }
            options.open(&path).and_then(|file| {
                if !file.metadata()?.is_file() {
                    return Err(std::io::Error::other("not a regular file"));
                }
                let mut out = std::io::BufWriter::new(&file);
                write(&mut out, &new, false)?;
                out.flush()
            })
        }
        cache::Save::Replace(all) => temp_builder().tempfile_in(dir).and_then(|tmp| {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file());
            write(&mut out, &all, true)?;
            out.flush()?;
            drop(out);
            tmp.persist(&path).map(drop).map_err(|e| e.error)
        }),
    };
    drop(written);
}

/// Reads the run record of `dir`: `Ok(None)` when there is none, `Err`
/// with why when it is not a regular file, cannot be read or is not a run
/// record.
pub fn read_run(dir: &Path) -> Result<Option<RunRecord>, Error> {
    let path = dir.join(RUN);
    let (file, size) = match open_regular(&path, Links::Refuse) {
        Ok(Opened::File(file, size)) => (file, size),
        Ok(Opened::Missing) => return Ok(None),
        Ok(Opened::Not(what)) => return Err(not_regular(&path, what)),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let bytes = read_limited(file, MAX_STATE_BYTES, size)
        .map_err(|e| Error::io(&path, e))?
        .unwrap_or_default();
    RunRecord::parse(&bytes)
        .map(Some)
        .map_err(|e| Error::State {
            path,
            message: format!(
                "the run record is not one nedetid wrote ({e}); delete it, and the next build writes it again"
            ),
        })
}

/// Writes the run record of a successful build into `dir` (which the
/// caller has locked): in full to a temporary file, then renamed over the
/// old one. Mode 0644: it holds nothing secret, and monitoring usually
/// runs as another user than the build.
pub fn record_run(dir: &Path, run: &RunRecord) -> Result<(), Error> {
    replace_file(&dir.join(RUN), run.to_json().as_bytes(), None)
}

/// Replaces the file at `path` with `bytes` as one step: written in full
/// to a temporary file beside it and flushed, given `permissions` (0644 on
/// Unix when `None`), then renamed over it.
pub fn replace_file(
    path: &Path,
    bytes: &[u8],
    permissions: Option<std::fs::Permissions>,
) -> Result<(), Error> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = temp_builder()
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    #[cfg(unix)]
    let permissions = permissions.or_else(|| {
        use std::os::unix::fs::PermissionsExt as _;
        Some(std::fs::Permissions::from_mode(0o644))
    });
    if let Some(permissions) = permissions {
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(path)
        .map(drop)
        .map_err(|e| Error::io(path, e.error))
}

/// Whether [`lock`] is for publishing or for reading only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `build`: one at a time, and no `build --check` meanwhile.
    Exclusive,
    /// `build --check`: any number at once, but not during a build.
    Shared,
}

/// The output folder's lock, held until dropped.
#[derive(Debug)]
pub struct Lock {
    file: Option<std::fs::File>,
    path: PathBuf,
    access: Access,
    /// Folders this build created, innermost last (removed again if the
    /// build leaves them empty).
    created: Vec<PathBuf>,
}

/// Locks the output folder `dir`, waiting up to [`LOCK_WAIT`] for another
/// build. [`Access::Exclusive`] creates the folder (mode 0755) if missing,
/// and then removes the temporary files that a killed build left.
/// [`Access::Shared`] writes nothing but the lock file, and takes no lock
/// where there is nothing to lock (no folder; a read-only folder without a
/// lock file, where no build has started).
pub fn lock(dir: &Path, access: Access) -> Result<Lock, Error> {
    lock_waiting(dir, access, LOCK_WAIT)
}

/// The lock `build` takes: shared for `build --check` (it only reads, and
/// several may run at once, but never during a build), else exclusive.
pub fn lock_for_build(dir: &Path, check_only: bool) -> Result<Lock, Error> {
    lock(
        dir,
        if check_only {
            Access::Shared
        } else {
            Access::Exclusive
        },
    )
}

fn lock_waiting(dir: &Path, access: Access, wait: Duration) -> Result<Lock, Error> {
    let path = dir.join(LOCK);
    let deadline = Instant::now() + wait;
    let mut lock = Lock {
        file: None,
        path: path.clone(),
        access,
        created: Vec::new(),
    };
    let mut said = false;
    // A build that finishes removes the lock file; one that waited for
    // it then holds a lock on a file no longer there, and starts over.
    for _ in 0..1000 {
        if access == Access::Exclusive {
            lock.created.extend(create_folder(dir)?);
        }
        let Some(file) = open_lock(&path, access)? else {
            match access {
                // The folder went (a build that created it failed, and
                // removed it again): made again above.
                Access::Exclusive => continue,
                Access::Shared => return Ok(lock),
            }
        };
        loop {
            let got = match access {
                Access::Exclusive => file.try_lock(),
                Access::Shared => file.try_lock_shared(),
            };
            match got {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    if Instant::now() >= deadline {
                        return Err(io_error(
                            dir,
                            format!(
                                "another nedetid build (or `build --check`) has kept this folder locked (`{LOCK}`) for the {} s this one waited; run again when it is done, or stop it",
                                wait.as_secs()
                            ),
                        ));
                    }
                    if !said {
                        said = true;
                        let _ = writeln!(
                            std::io::stderr().lock(),
                            "waiting for another nedetid build (or `build --check`) in {} to finish (at most {} s)",
                            dir.display(),
                            wait.as_secs()
                        );
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(io_error(
                        &path,
                        format!(
                            "cannot lock the output folder ({e}); nedetid locks it so that two builds cannot publish into it at once: put the output folder on a file system that supports file locks"
                        ),
                    ));
                }
            }
        }
        if still_there(&file, &path) {
            lock.file = Some(file);
            if access == Access::Exclusive {
                remove_leftovers(dir)?;
            }
            return Ok(lock);
        }
    }
    Err(io_error(
        &path,
        "the lock file keeps being replaced; is something else removing it?".to_string(),
    ))
}

/// Opens the lock file, creating it; `None` where the folder is missing,
/// and for [`Access::Shared`] where there is nothing to lock.
fn open_lock(path: &Path, access: Access) -> Result<Option<std::fs::File>, Error> {
    let open = |write: bool| {
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(write).create(write);
        #[cfg(unix)]
        {
            use rustix::fs::OFlags;
            use std::os::unix::fs::OpenOptionsExt as _;
            options
                .mode(0o644)
                .custom_flags((OFlags::NONBLOCK | OFlags::NOFOLLOW).bits() as i32);
        }
        options.open(path)
    };
    use std::io::ErrorKind;
    let file = match (open(true), access) {
        (Ok(file), _) => file,
        (Err(e), Access::Shared) => match e.kind() {
            ErrorKind::NotFound => return Ok(None),
            ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => match open(false) {
                Ok(file) => file,
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(lock_error(path, e)),
            },
            _ => return Err(lock_error(path, e)),
        },
        (Err(e), Access::Exclusive) if e.kind() == ErrorKind::NotFound => return Ok(None),
        (Err(e), Access::Exclusive) => return Err(lock_error(path, e)),
    };
    match file.metadata() {
        Ok(m) if m.is_file() => Ok(Some(file)),
        Ok(m) => Err(io_error(
            path,
            format!(
                "{}, not the lock file nedetid makes; remove it",
                crate::load::kind(&m)
            ),
        )),
        Err(e) => Err(lock_error(path, e)),
    }
}

fn lock_error(path: &Path, e: std::io::Error) -> Error {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.is_file() => io_error(
            path,
            format!(
                "{}, not the lock file nedetid makes; remove it",
                crate::load::kind(&m)
            ),
        ),
        _ => Error::io(path, e),
    }
}

/// Whether `file` is still the file at `path` (Unix: the lock file is
/// removed when a build finishes; elsewhere it stays).
fn still_there(file: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked: whoever waits on it then sees that
        // it is gone. A shared holder removes it only if it is the last.
        // (Windows cannot remove an open file: there it stays.)
        if let Some(file) = self.file.take() {
            let last = self.access == Access::Exclusive || file.try_lock().is_ok();
            if last && cfg!(unix) {
                let _ = std::fs::remove_file(&self.path);
            }
            drop(file);
        }
        // A folder this build created and left empty (it failed before
        // publishing) goes again.
        for dir in self.created.iter().rev() {
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
}

/// Creates `dir` and any missing parent folders with mode 0755 (not as the
/// umask says: a web server must read them); returns those it created,
/// outermost first.
fn create_folder(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.is_dir())
        .collect();
    let mut created = Vec::new();
    for folder in missing.into_iter().rev() {
        match std::fs::create_dir(folder) {
            Ok(()) => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755))
                        .map_err(|e| Error::io(folder, e))?;
                }
                created.push(folder.to_path_buf());
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && folder.is_dir() => {}
            Err(e) => return Err(Error::io(folder, e)),
        }
    }
    Ok(created)
}

/// Removes the temporary files of earlier builds that were killed: regular
/// files named exactly as nedetid names them, nothing else. Only under an
/// exclusive lock, where no other build has any.
fn remove_leftovers(dir: &Path) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_temp_name) {
            continue;
        }
        let path = entry.path();
        // file_type does not follow links.
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
    }
    Ok(())
}

/// A file to publish: name inside the output folder, its bytes, and what
/// it was made from where that is known without rendering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    pub content: Content,
    /// A fingerprint of what it is made from, recorded after publishing.
    pub source: Option<String>,
}

impl Output {
    /// An output whose source is not tracked: rendered on every build.
    pub fn new(name: impl Into<String>, content: impl Into<Content>) -> Self {
        Self {
            name: name.into(),
            content: content.into(),
            source: None,
        }
    }
}

/// A file's bytes, whole or as the pieces it is made of (a feed shares its
/// VEVENT texts with other feeds; they are put together only as the file is
/// written), or the published file kept as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Bytes(Vec<u8>),
    Pieces(Vec<cache::Piece>),
    /// The published file, made from the same sources as this build's
    /// and, as this stat says, untouched since the last build published it
    /// ([`Reuse`]): neither rendered nor read.
    Kept(FileStat),
}

impl Content {
    pub fn len(&self) -> usize {
        match self {
            Content::Bytes(b) => b.len(),
            Content::Pieces(p) => p.iter().map(|p| p.len()).sum(),
            Content::Kept(stat) => usize::try_from(stat.size).unwrap_or(usize::MAX),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes in one piece; `None` for a kept file (they are on disk).
    pub fn to_vec(&self) -> Option<Vec<u8>> {
        match self {
            Content::Bytes(b) => Some(b.clone()),
            Content::Pieces(p) => {
                Some(p.iter().flat_map(cache::Piece::as_bytes).copied().collect())
            }
            Content::Kept(_) => None,
        }
    }

    /// The bytes, in pieces (none for a kept file).
    fn parts(&self) -> impl Iterator<Item = &[u8]> {
        let (whole, pieces): (&[u8], &[cache::Piece]) = match self {
            Content::Bytes(b) => (b, &[]),
            Content::Pieces(p) => (&[], p),
            Content::Kept(_) => (&[], &[]),
        };
        std::iter::once(whole).chain(pieces.iter().map(cache::Piece::as_bytes))
    }

    /// Whether these are exactly `bytes`.
    pub fn is(&self, bytes: &[u8]) -> bool {
        self.matches(bytes, &mut [0; 4096]).unwrap_or(false)
    }

    /// Whether these are exactly what `file` reads, read through `buf`
    /// (reading stops at the first difference).
    fn matches(&self, mut file: impl std::io::Read, buf: &mut [u8]) -> std::io::Result<bool> {
        let mut parts = self.parts();
        let mut part: &[u8] = &[];
        loop {
            let n = match file.read(buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let mut chunk = &buf[..n];
            while !chunk.is_empty() {
                if part.is_empty() {
                    match parts.next() {
                        Some(next) => part = next,
                        // The file is longer.
                        None => return Ok(false),
                    }
                    continue;
                }
                let k = part.len().min(chunk.len());
                if part[..k] != chunk[..k] {
                    return Ok(false);
                }
                part = &part[k..];
                chunk = &chunk[k..];
            }
        }
        Ok(part.is_empty() && parts.all(<[u8]>::is_empty))
    }

    fn write_to(&self, file: &mut impl std::io::Write) -> std::io::Result<()> {
        match self {
            // Never staged: [`compare`] finds it unchanged or fails.
            Content::Kept(_) => Err(std::io::Error::other("a kept file has no bytes to write")),
            Content::Bytes(b) => file.write_all(b),
            Content::Pieces(pieces) => {
                let mut w = std::io::BufWriter::with_capacity(256 * 1024, file);
                for piece in pieces {
                    w.write_all(piece.as_bytes())?;
                }
                w.flush()
            }
        }
    }
}

impl From<String> for Content {
    fn from(text: String) -> Self {
        Content::Bytes(text.into_bytes())
    }
}

/// What publishing did, or would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    pub removed: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.updated.is_empty() && self.removed.is_empty()
    }

    /// One line per file that changes, for `build --check`.
    pub fn describe(&self) -> Vec<String> {
        let created = self.created.iter().map(|n| format!("create {n}"));
        let updated = self.updated.iter().map(|n| format!("update {n}"));
        let removed = self.removed.iter().map(|n| format!("remove {n}"));
        created.chain(updated).chain(removed).collect()
    }
}

/// An output to write, and whether it replaces a published file.
struct Change<'a> {
    output: &'a Output,
    replaces: bool,
}

/// Compares `outputs` with the files in `dir`, and lists which of `owned`
/// (files an earlier build wrote that this one does not) exist and would go.
pub fn plan(dir: &Path, outputs: &[Output], dropped: &[&str]) -> Result<Changes, Error> {
    Ok(compare(dir, outputs, dropped)?.0)
}

fn compare<'a>(
    dir: &Path,
    outputs: &'a [Output],
    dropped: &[&str],
) -> Result<(Changes, Vec<Change<'a>>), Error> {
    let mut changes = Changes::default();
    let mut writes = Vec::new();
    let mut buf = vec![0; 256 * 1024];
    for output in outputs {
        let path = dir.join(&output.name);
        // A kept file was as the last publish left it when the build
        // started (its stat, checked then, is what is recorded for it): not
        // looked at again. The folder is locked since; a hand that changes
        // it meanwhile leaves a stat other than the recorded one, and the
        // next build renders and compares it again.
        if let Content::Kept(_) = &output.content {
            changes.unchanged.push(output.name.clone());
            continue;
        }
        let same = match open_regular(&path, Links::Refuse) {
            Ok(Opened::File(file, size)) => {
                size == output.content.len() as u64
                    && output
                        .content
                        .matches(file, &mut buf)
                        .map_err(|e| Error::io(&path, e))?
            }
            Ok(Opened::Missing) => {
                changes.created.push(output.name.clone());
                writes.push(Change {
                    output,
                    replaces: false,
                });
                continue;
            }
            Ok(Opened::Not(what)) => return Err(not_regular(&path, what)),
            Err(e) => return Err(Error::io(&path, e)),
        };
        if same {
            changes.unchanged.push(output.name.clone());
        } else {
            changes.updated.push(output.name.clone());
            writes.push(Change {
                output,
                replaces: true,
            });
        }
    }
    for name in dropped {
        if outputs.iter().any(|o| o.name == *name) {
            continue;
        }
        let path = dir.join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => changes.removed.push((*name).to_string()),
            Ok(m) => {
                return Err(io_error(
                    &path,
                    format!(
                        "{}, not the regular file an earlier build wrote here and this one would remove; remove it",
                        crate::load::kind(&m)
                    ),
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Ok((changes, writes))
}

/// A point in publishing where tests inject failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// Before the temporary file for this name is made.
    Write(&'a str),
    /// Before the bytes are copied into this name's temporary file (on a
    /// writer thread, while the next names are made).
    Fill(&'a str),
    /// Before the published file of this name is hard-linked to its backup
    /// (a failure here stands for a file system without hard links: the
    /// file is then copied).
    Link(&'a str),
    /// Before the temporary file is renamed over this name.
    Rename(&'a str),
    /// Before this dropped file is removed.
    Remove(&'a str),
}

/// A staged file: the output's new bytes under a temporary name, and the
/// published file's old version when it replaces one.
struct Staged<'a> {
    tmp: tempfile::NamedTempFile,
    backup: Option<tempfile::TempPath>,
    name: &'a str,
}

/// What to do to undo one step of the commit.
enum Undo {
    /// Put the old version back.
    Restore(tempfile::TempPath, PathBuf),
    /// Remove a file that did not exist before.
    Remove(PathBuf),
}

/// Publishes `outputs` into `dir` and removes `dropped` files (ones an
/// earlier build wrote and this one does not). `fault` is called at each
/// [`Step`]; tests use it to inject failures, the binary passes [`no_faults`].
/// The caller holds the folder's [`lock`].
pub fn publish(
    dir: &Path,
    outputs: &[Output],
    dropped: &[&str],
    fault: &(dyn Fn(Step) -> std::io::Result<()> + Sync),
) -> Result<Changes, Error> {
    create_folder(dir)?;
    let (changes, writes) = compare(dir, outputs, dropped)?;
    crate::timing::mark("p compared");
    // Stage: write every changed file beside its target, and keep the old
    // version of each one it replaces. Dropping them on an error removes
    // the temporary files again.
    let staged = stage_all(dir, &writes, fault)?;
    crate::timing::mark("p staged");
    // Every staged file complete and on disk (and only now readable by
    // the web server) before any is renamed over a published one.
    crate::par::try_map_on(FLUSH_THREADS, &staged, |s| {
        let file = s.tmp.as_file();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            file.set_permissions(std::fs::Permissions::from_mode(0o644))
                .map_err(|e| Error::io(s.tmp.path(), e))?;
        }
        file.sync_all().map_err(|e| Error::io(s.tmp.path(), e))
    })?;
    crate::timing::mark("p flushed");
    let mut removals = Vec::new();
    for name in &changes.removed {
        removals.push((name.as_str(), backup(dir, name, fault)?));
    }
    // Commit: rename each over its target and remove the dropped files,
    // the last output (the state file) last of all; on any failure put back
    // what was already done.
    let last = outputs.last().map(|o| o.name.as_str());
    let (tail, head): (Vec<_>, Vec<_>) = staged.into_iter().partition(|s| Some(s.name) == last);
    let mut done: Vec<Undo> = Vec::new();
    for s in head.into_iter().chain(tail) {
        let target = dir.join(s.name);
        if Some(s.name) == last {
            // The dropped files go before the state file.
            for (name, backup) in removals.drain(..) {
                let path = dir.join(name);
                let removed = fault(Step::Remove(name)).and_then(|()| remove(&path));
                if let Err(e) = removed {
                    rollback(done);
                    return Err(Error::io(&path, e));
                }
                done.push(Undo::Restore(backup, path));
            }
        }
        let renamed = fault(Step::Rename(s.name)).and_then(|()| rename(s.tmp, &target));
        if let Err(e) = renamed {
            rollback(done);
            return Err(Error::io(&target, e));
        }
        done.push(match s.backup {
            Some(backup) => Undo::Restore(backup, target),
            None => Undo::Remove(target),
        });
    }
    // The state file unchanged, or none among the outputs (tests): the
    // dropped files last.
    for (name, backup) in removals {
        let path = dir.join(name);
        let removed = fault(Step::Remove(name)).and_then(|()| remove(&path));
        if let Err(e) = removed {
            rollback(done);
            return Err(Error::io(&path, e));
        }
        done.push(Undo::Restore(backup, path));
    }
    sync_dir(dir);
    // The old versions go while the record is made: neither needs the
    // other, and removing them is mostly waiting for the disk.
    std::thread::scope(|scope| {
        let removing = scope.spawn(|| {
            remove_backups(done);
            crate::timing::mark("p backups");
        });
        record(dir, outputs);
        crate::timing::mark("p recorded");
        crate::par::join(removing);
    });
    Ok(changes)
}

/// Writes every change to a temporary file beside its target, and keeps
/// the old version of each file it replaces; in `writes` order. The names
/// are made on this thread, one after the other: making a name holds the
/// folder's lock in the kernel (on ext4 without a journal, while it skips
/// every inode freed in the last minutes), and a second thread making
/// names only spins on that lock, as system time. Each temporary file goes
/// to [`STAGE_THREADS`] writers as soon as it exists, so that copying the
/// bytes in overlaps making the next names. After a failure no more work
/// is started, and the first error in `writes` order is returned.
fn stage_all<'a>(
    dir: &Path,
    writes: &[Change<'a>],
    fault: &(dyn Fn(Step) -> std::io::Result<()> + Sync),
) -> Result<Vec<Staged<'a>>, Error> {
    use std::sync::atomic::{AtomicBool, Ordering};
    type Job<'c> = (usize, tempfile::NamedTempFile, &'c Output);
    let failed = AtomicBool::new(false);
    let (send, receive) = std::sync::mpsc::channel::<Job<'a>>();
    let receive = std::sync::Mutex::new(receive);
    let (backups, named_error, mut written) = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..STAGE_THREADS)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    // Files are taken in order, and each one taken is
                    // filled: every file before a failed one was tried.
                    while !failed.load(Ordering::Relaxed) {
                        let next = match receive.lock() {
                            Ok(receive) => receive.recv(),
                            Err(_) => break,
                        };
                        let Ok((i, tmp, output)) = next else { break };
                        let result = fault(Step::Fill(&output.name))
                            .map_err(|e| Error::io(tmp.path(), e))
                            .and_then(|()| stage(&tmp, &output.content));
                        failed.fetch_or(result.is_err(), Ordering::Relaxed);
                        done.push((i, tmp, result));
                    }
                    done
                })
            })
            .collect();
        let mut backups = Vec::with_capacity(writes.len());
        let mut error = None;
        for (i, change) in writes.iter().enumerate() {
            if failed.load(Ordering::Relaxed) {
                break;
            }
            match name_one(dir, change, fault) {
                Ok((tmp, backup)) => {
                    backups.push(backup);
                    if send.send((i, tmp, change.output)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    failed.store(true, Ordering::Relaxed);
                    error = Some((i, e));
                    break;
                }
            }
        }
        drop(send);
        let written: Vec<_> = writers.into_iter().flat_map(crate::par::join).collect();
        (backups, error, written)
    });
    written.sort_unstable_by_key(|(i, _, _)| *i);
    let write_error = written
        .iter_mut()
        .find_map(|(i, _, result)| std::mem::replace(result, Ok(())).err().map(|e| (*i, e)));
    let first = [named_error, write_error]
        .into_iter()
        .flatten()
        .min_by_key(|(i, _)| *i);
    if let Some((_, e)) = first {
        return Err(e);
    }
    Ok(written
        .into_iter()
        .zip(backups)
        .zip(writes)
        .map(|(((_, tmp, _), backup), change)| Staged {
            tmp,
            backup,
            name: change.output.name.as_str(),
        })
        .collect())
}

/// Makes the temporary file for `change`, and keeps the file it replaces.
fn name_one(
    dir: &Path,
    change: &Change,
    fault: &(dyn Fn(Step) -> std::io::Result<()> + Sync),
) -> Result<(tempfile::NamedTempFile, Option<tempfile::TempPath>), Error> {
    let name = change.output.name.as_str();
    fault(Step::Write(name)).map_err(|e| Error::io(&dir.join(name), e))?;
    let tmp = temp_builder()
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    let backup = if change.replaces {
        Some(backup(dir, name, fault)?)
    } else {
        None
    };
    Ok((tmp, backup))
}

/// Publishing is done: the old versions go, on [`FLUSH_THREADS`]. Removing
/// a file's last name frees its blocks, which waits for the disk (with the
/// `discard` mount option, a command to the device per file: 2 ms each,
/// 1.4 s for 600 replaced feeds one after the other); the waits overlap.
/// A backup that cannot be removed is left, as a temporary file the next
/// build's [`lock`] removes.
fn remove_backups(done: Vec<Undo>) {
    let backups: Vec<tempfile::TempPath> = done
        .into_iter()
        .filter_map(|undo| match undo {
            Undo::Restore(backup, _) => Some(backup),
            Undo::Remove(_) => None,
        })
        .collect();
    let removed = crate::par::try_map_on(FLUSH_THREADS, &backups, |backup| {
        Ok::<_, std::convert::Infallible>(std::fs::remove_file(backup).is_ok())
    });
    for (backup, removed) in backups.into_iter().zip(removed.unwrap_or_default()) {
        if removed {
            // Removed already: nothing left for the drop to remove.
            drop(backup.keep());
        }
    }
}

/// Writing temporary files (made beforehand, on one thread) is copying
/// into the page cache: one thread per core. Flushing them is waiting for the disk: more threads than cores let
/// the file system group the flushes.
const STAGE_THREADS: usize = 2;
const FLUSH_THREADS: usize = 16;

/// The `fault` of a real run: none.
pub fn no_faults(_: Step) -> std::io::Result<()> {
    Ok(())
}

/// Writes `content` to the temporary file `tmp` (mode 0600 until
/// [`publish`] makes it world-readable once it is complete and flushed).
fn stage(tmp: &tempfile::NamedTempFile, content: &Content) -> Result<(), Error> {
    content
        .write_to(&mut tmp.as_file())
        .map_err(|e| Error::io(tmp.path(), e))?;
    // Starts writing the file to disk now, while the next ones are
    // staged, so that flushing it later has little left to wait for (on
    // Linux DONTNEED starts write-back of the dirty pages and drops only
    // clean ones: these stay cached). Only a hint.
    #[cfg(target_os = "linux")]
    let _ = rustix::fs::fadvise(tmp.as_file(), 0, None, rustix::fs::Advice::DontNeed);
    Ok(())
}

/// Keeps the published file `name` under a temporary name, to put back if
/// publishing fails: a hard link to it (no bytes copied), or where the file
/// system has none, a copy with the same permissions and times.
fn backup(
    dir: &Path,
    name: &str,
    fault: &(dyn Fn(Step) -> std::io::Result<()> + Sync),
) -> Result<tempfile::TempPath, Error> {
    let target = dir.join(name);
    let made = temp_builder().make_in(dir, |path| {
        match fault(Step::Link(name)).and_then(|()| std::fs::hard_link(&target, path)) {
            Ok(()) => Ok(()),
            // Another name is tried.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
            Err(_) => copy_new(&target, path),
        }
    });
    made.map(tempfile::NamedTempFile::into_temp_path)
        .map_err(|e| Error::io(&target, e))
}

/// Copies `from` to the new file `to` (never over an existing one), with
/// its permissions and modification time.
fn copy_new(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut source = std::fs::File::open(from)?;
    let meta = source.metadata()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut copy = options.open(to)?;
    let copied = std::io::copy(&mut source, &mut copy)
        .and_then(|_| copy.set_permissions(meta.permissions()))
        .and_then(|()| match meta.modified() {
            Ok(t) => copy.set_modified(t),
            Err(_) => Ok(()),
        })
        .and_then(|()| copy.sync_all());
    if copied.is_err() {
        let _ = std::fs::remove_file(to);
    }
    copied
}

/// Best effort: puts back the old versions of files already replaced or
/// removed, and removes files that did not exist before. An old version
/// that cannot be put back stays under its temporary name.
fn rollback(done: Vec<Undo>) {
    for undo in done.into_iter().rev() {
        match undo {
            Undo::Restore(backup, path) => {
                let restored = retry_busy(
                    backup,
                    |b| b.persist(&path).map_err(|e| (e.error, e.path)),
                    busy,
                    std::thread::sleep,
                );
                if let Err((_, backup)) = restored {
                    let _ = backup.keep();
                }
            }
            Undo::Remove(path) => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// Makes the renames durable (the directory entry), where the platform can.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Renames the staged file over `target`, replacing it if it exists
/// (tempfile renames with `rename(2)` on Unix and with `MoveFileExW` and
/// `MOVEFILE_REPLACE_EXISTING` on Windows), retrying while another process
/// holds the target open ([`busy`]).
fn rename(tmp: tempfile::NamedTempFile, target: &Path) -> std::io::Result<()> {
    retry_busy(
        tmp,
        |t| t.persist(target).map(drop).map_err(|e| (e.error, e.file)),
        busy,
        std::thread::sleep,
    )
    .map_err(|(e, _)| e)
}

/// Removes a dropped file, retrying while another process holds it open.
fn remove(path: &Path) -> std::io::Result<()> {
    retry_busy(
        (),
        |()| std::fs::remove_file(path).map_err(|e| (e, ())),
        busy,
        std::thread::sleep,
    )
    .map_err(|(e, ())| e)
}

/// How many times a rename or removal that another process blocks is
/// tried again, and the first pause, doubled each time (0.1, 0.2, 0.4,
/// 0.8 and 1.6 s: at most 3.1 s in all); then the build fails (exit 3)
/// and puts back what it had renamed.
const BUSY_RETRIES: u32 = 5;
const BUSY_PAUSE: Duration = Duration::from_millis(100);

/// Whether `e` is Windows refusing a rename or removal because another
/// process has the file open without sharing deletion (a web server
/// sending it, a virus scanner reading it): `ERROR_ACCESS_DENIED` (5),
/// `ERROR_SHARING_VIOLATION` (32) or `ERROR_LOCK_VIOLATION` (33). An open
/// file never blocks a rename on Unix.
fn busy(e: &std::io::Error) -> bool {
    cfg!(windows) && matches!(e.raw_os_error(), Some(5 | 32 | 33))
}

/// Runs `attempt` on `item`; while it fails with an error `is_busy`
/// accepts, runs it again (at most [`BUSY_RETRIES`] more times) on what the
/// failed attempt gave back, after `pause`. Any other error, or the last
/// one, is returned with the item.
fn retry_busy<T, R>(
    mut item: T,
    mut attempt: impl FnMut(T) -> Result<R, (std::io::Error, T)>,
    is_busy: impl Fn(&std::io::Error) -> bool,
    pause: impl Fn(Duration),
) -> Result<R, (std::io::Error, T)> {
    let mut wait = BUSY_PAUSE;
    for _ in 0..BUSY_RETRIES {
        match attempt(item) {
            Ok(r) => return Ok(r),
            Err((e, back)) if is_busy(&e) => {
                item = back;
                pause(wait);
                wait *= 2;
            }
            Err(failed) => return Err(failed),
        }
    }
    attempt(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(name: &str, bytes: &str) -> Output {
        Output::new(name, bytes.to_string())
    }

    fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .map(|r| {
                r.filter_map(Result::ok)
                    .map(|e| {
                        (
                            e.file_name().to_string_lossy().into_owned(),
                            std::fs::read(e.path()).unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    fn published() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        publish(
            dir.path(),
            &[
                out("a.ics", "old a"),
                out("b.ics", "old b"),
                out("c.ics", "old c"),
            ],
            &[],
            &no_faults,
        )
        .expect("first publish");
        dir
    }

    fn pieces(parts: &[&str]) -> Content {
        Content::Pieces(
            parts
                .iter()
                .map(|p| cache::Piece::from(p.to_string()))
                .collect(),
        )
    }

    #[test]
    fn pieces_are_the_bytes_they_make_up() {
        let content = pieces(&["BEGIN", ":", "", "VCALENDAR\r\n"]);
        assert_eq!(content.len(), 17);
        assert_eq!(
            content.to_vec().as_deref(),
            Some(&b"BEGIN:VCALENDAR\r\n"[..])
        );
        assert!(content.is(b"BEGIN:VCALENDAR\r\n"));
        for other in [
            &b"BEGIN:VCALENDAR"[..],
            b"BEGIN:VCALENDAR\r\nX",
            b"",
            b"BEGIN;VCALENDAR\r\n",
        ] {
            assert!(!content.is(other), "{other:?}");
        }
        assert!(pieces(&[]).is(b""));
    }

    #[test]
    fn pieces_are_written_whole_and_compared_with_what_is_published() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Larger than the write buffer, in uneven pieces.
        let parts: Vec<String> = (0..40_000).map(|i| format!("line {i}\r\n")).collect();
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let feed = Output::new("all.ics", pieces(&refs));
        let changes =
            publish(dir.path(), std::slice::from_ref(&feed), &[], &no_faults).expect("publish");
        assert_eq!(changes.created, ["all.ics"]);
        let written = std::fs::read(dir.path().join("all.ics")).expect("read");
        assert_eq!(written, parts.concat().into_bytes());
        let again = publish(dir.path(), std::slice::from_ref(&feed), &[], &no_faults)
            .expect("publish again");
        assert_eq!(again.unchanged, ["all.ics"]);
    }

    /// A fault injector that fails `target` with `message`, and nothing else.
    fn fail_at(
        target: Step<'static>,
        message: &'static str,
    ) -> impl Fn(Step) -> std::io::Result<()> {
        move |step| {
            if step == target {
                Err(std::io::Error::other(message))
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn a_write_error_half_way_changes_nothing() {
        let dir = published();
        let before = snapshot(dir.path());
        let fail_on_c = fail_at(Step::Write("c.ics"), "disk full");
        let next = [
            out("a.ics", "new a"),
            out("b.ics", "new b"),
            out("c.ics", "new c"),
            out("d.ics", "new d"),
        ];
        let err = publish(dir.path(), &next, &[], &fail_on_c).expect_err("injected failure");
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(
            snapshot(dir.path()),
            before,
            "no file changed and no temporary file left"
        );
    }

    #[test]
    fn a_failure_while_filling_files_changes_nothing_and_the_first_in_order_is_reported() {
        let next = [
            out("a.ics", "new a"),
            out("b.ics", "new b"),
            out("c.ics", "new c"),
            out("new.ics", "new"),
        ];
        // One failure; then two, whichever writer meets its own first.
        let fail_c = fail_at(Step::Fill("c.ics"), "disk full at c");
        let fail_b_and_new = |step: Step| match step {
            Step::Fill("b.ics") => Err(std::io::Error::other("disk full at b")),
            Step::Fill("new.ics") => Err(std::io::Error::other("disk full at new")),
            _ => Ok(()),
        };
        type Fault<'f> = &'f (dyn Fn(Step) -> std::io::Result<()> + Sync);
        let faults: [(Fault, &str); 2] = [
            (&fail_c, "disk full at c"),
            (&fail_b_and_new, "disk full at b"),
        ];
        for (fault, said) in faults {
            let dir = published();
            let before = snapshot(dir.path());
            let err = publish(dir.path(), &next, &[], fault).expect_err("injected failure");
            assert!(err.to_string().contains(said), "{err}");
            assert_eq!(
                snapshot(dir.path()),
                before,
                "no file changed and no temporary file left"
            );
        }
    }

    #[test]
    fn a_failed_rename_puts_back_the_files_already_replaced() {
        let dir = published();
        let before = snapshot(dir.path());
        let crash = fail_at(Step::Rename("z.ics"), "killed");
        let next = [
            out("a.ics", "new a"),
            out("b.ics", "new b"),
            out("new.ics", "new"),
            out("z.ics", "new z"),
        ];
        assert!(publish(dir.path(), &next, &[], &crash).is_err());
        assert_eq!(
            snapshot(dir.path()),
            before,
            "a.ics and b.ics restored, new.ics removed"
        );
    }

    #[test]
    fn a_failed_removal_puts_everything_back() {
        let dir = published();
        let before = snapshot(dir.path());
        let fail = fail_at(Step::Remove("c.ics"), "busy");
        let next = [out("a.ics", "new a"), out("manifest.json", "new state")];
        assert!(publish(dir.path(), &next, &["b.ics", "c.ics"], &fail).is_err());
        assert_eq!(
            snapshot(dir.path()),
            before,
            "b.ics restored, a.ics restored, no state file"
        );
    }

    #[test]
    fn unchanged_files_are_not_rewritten_and_dropped_ones_are_removed() {
        let dir = published();
        let mtime = |n: &str| {
            std::fs::metadata(dir.path().join(n))
                .and_then(|m| m.modified())
                .ok()
        };
        let a_before = mtime("a.ics");
        std::fs::write(dir.path().join("other.txt"), "not ours").expect("write");
        std::thread::sleep(std::time::Duration::from_millis(20));
        let changes = publish(
            dir.path(),
            &[out("a.ics", "old a"), out("b.ics", "new b")],
            &["c.ics"],
            &no_faults,
        )
        .expect("publish");
        assert_eq!(changes.unchanged, ["a.ics"]);
        assert_eq!(changes.updated, ["b.ics"]);
        assert_eq!(changes.removed, ["c.ics"]);
        assert_eq!(mtime("a.ics"), a_before);
        assert!(
            dir.path().join("other.txt").exists(),
            "files nedetid did not write stay"
        );
        assert!(!dir.path().join("c.ics").exists());
    }

    fn temp_files(dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|r| {
                r.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_str().is_some_and(is_temp_name))
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(path).map(|m| m.ino()).unwrap_or_default()
    }

    #[cfg(unix)]
    #[test]
    fn old_versions_wait_on_disk_as_hard_links_and_are_renamed_back() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = published();
        let before = snapshot(dir.path());
        let inodes: Vec<u64> = ["a.ics", "b.ics"]
            .map(|n| inode(&dir.path().join(n)))
            .to_vec();
        let links = std::sync::Mutex::new(Vec::new());
        let crash = |step: Step| {
            if let Step::Rename(name) = step {
                // The published file has a second name: its backup.
                let nlink = std::fs::metadata(dir.path().join(name)).map(|m| m.nlink());
                links.lock().map(|mut l| l.push(nlink.ok())).ok();
            }
            if step == Step::Rename("z.ics") {
                Err(std::io::Error::other("killed"))
            } else {
                Ok(())
            }
        };
        let next = [
            out("a.ics", "new a"),
            out("b.ics", "new b"),
            out("z.ics", "new z"),
        ];
        assert!(publish(dir.path(), &next, &[], &crash).is_err());
        assert_eq!(
            links.into_inner().unwrap_or_default(),
            [Some(2), Some(2), None],
            "a.ics and b.ics linked to a backup, z.ics new"
        );
        assert_eq!(snapshot(dir.path()), before);
        assert_eq!(
            ["a.ics", "b.ics"]
                .map(|n| inode(&dir.path().join(n)))
                .to_vec(),
            inodes,
            "the very files are back (same inode, same times)"
        );
    }

    #[test]
    fn without_hard_links_the_old_versions_are_copied() {
        let dir = published();
        let before = snapshot(dir.path());
        let no_links_then_crash = |step: Step| match step {
            Step::Link(_) => Err(std::io::Error::from(std::io::ErrorKind::Unsupported)),
            Step::Remove("c.ics") => Err(std::io::Error::other("killed")),
            _ => Ok(()),
        };
        let next = [
            out("a.ics", "new a"),
            out("new.ics", "new"),
            out("manifest.json", "state"),
        ];
        let err = publish(dir.path(), &next, &["b.ics", "c.ics"], &no_links_then_crash)
            .expect_err("injected failure");
        assert!(err.to_string().contains("killed"), "{err}");
        assert_eq!(snapshot(dir.path()), before);
        // And when nothing fails, the copies go.
        let no_links = |step: Step| match step {
            Step::Link(_) => Err(std::io::Error::from(std::io::ErrorKind::Unsupported)),
            _ => Ok(()),
        };
        publish(dir.path(), &next, &["b.ics", "c.ics"], &no_links).expect("publish");
        assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new());
        assert_eq!(
            std::fs::read(dir.path().join("a.ics")).ok().as_deref(),
            Some(&b"new a"[..])
        );
    }

    #[test]
    fn a_published_file_is_compared_without_reading_it_whole() {
        // Read through a small buffer: equal, longer, shorter, different.
        let content = pieces(&["BEGIN:", "VCALENDAR\r\n", "", "END:VCALENDAR\r\n"]);
        let bytes = content.to_vec().unwrap_or_default();
        let mut buf = [0; 3];
        assert_eq!(content.matches(&bytes[..], &mut buf).ok(), Some(true));
        let longer = [&bytes[..], b"X"].concat();
        assert_eq!(content.matches(&longer[..], &mut buf).ok(), Some(false));
        assert_eq!(
            content.matches(&bytes[..bytes.len() - 1], &mut buf).ok(),
            Some(false)
        );
        let mut other = bytes.clone();
        other[7] = b'v';
        assert_eq!(content.matches(&other[..], &mut buf).ok(), Some(false));
        // An endless reader stops at the first byte past the content.
        let endless = std::io::Read::chain(&bytes[..], std::io::repeat(b'x'));
        assert_eq!(content.matches(endless, &mut buf).ok(), Some(false));
    }

    #[cfg(unix)]
    #[test]
    fn staged_files_are_private_until_complete() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let modes = |dir: &Path| -> Vec<u32> {
            temp_files(dir)
                .iter()
                .filter_map(|p| std::fs::metadata(p).ok())
                .map(|m| m.permissions().mode() & 0o777)
                .collect()
        };
        let staging = std::sync::Mutex::new(Vec::new());
        let renaming = std::sync::Mutex::new(Vec::new());
        let watch = |step: Step| {
            let seen = match step {
                Step::Write(_) => &staging,
                Step::Rename(_) => &renaming,
                _ => return Ok(()),
            };
            seen.lock()
                .map(|mut s| s.extend(modes(dir.path())))
                .map_err(|_| std::io::Error::other("poisoned"))
        };
        let next: Vec<Output> = (0..8)
            .map(|i| out(&format!("{i}.ics"), &format!("feed {i}")))
            .collect();
        publish(dir.path(), &next, &[], &watch).expect("publish");
        let staging = staging.into_inner().unwrap_or_default();
        assert!(!staging.is_empty(), "some were staged before others");
        assert!(staging.iter().all(|m| *m == 0o600), "{staging:?}");
        let renaming = renaming.into_inner().unwrap_or_default();
        assert!(renaming.iter().all(|m| *m == 0o644), "{renaming:?}");
    }

    /// An error as Windows reports a file another process holds open.
    fn sharing_violation() -> std::io::Error {
        std::io::Error::from_raw_os_error(32)
    }

    fn is_sharing_violation(e: &std::io::Error) -> bool {
        e.raw_os_error() == Some(32)
    }

    #[test]
    fn only_windows_sharing_errors_count_as_busy() {
        for code in [5, 32, 33] {
            assert_eq!(
                busy(&std::io::Error::from_raw_os_error(code)),
                cfg!(windows)
            );
        }
        assert!(!busy(&std::io::Error::from(std::io::ErrorKind::NotFound)));
    }

    #[test]
    fn a_busy_rename_is_retried_with_growing_pauses_then_succeeds() {
        let tries = std::cell::Cell::new(0);
        let pauses = std::cell::RefCell::new(Vec::new());
        let got = retry_busy(
            "item",
            |item| {
                tries.set(tries.get() + 1);
                if tries.get() < 3 {
                    Err((sharing_violation(), item))
                } else {
                    Ok(item.len())
                }
            },
            is_sharing_violation,
            |d| pauses.borrow_mut().push(d),
        );
        assert_eq!(got.map_err(|(e, _)| e.to_string()), Ok(4));
        assert_eq!(tries.get(), 3);
        assert_eq!(
            *pauses.borrow(),
            [Duration::from_millis(100), Duration::from_millis(200)]
        );
    }

    #[test]
    fn a_rename_that_stays_busy_fails_after_a_bounded_wait() {
        let tries = std::cell::Cell::new(0);
        let pauses = std::cell::RefCell::new(Vec::new());
        let got: Result<(), _> = retry_busy(
            7,
            |item| {
                tries.set(tries.get() + 1);
                Err((sharing_violation(), item))
            },
            is_sharing_violation,
            |d| pauses.borrow_mut().push(d),
        );
        let (e, item) = got.expect_err("stays busy");
        assert!(is_sharing_violation(&e));
        assert_eq!(item, 7, "the item comes back for the caller");
        assert_eq!(tries.get(), 1 + BUSY_RETRIES);
        let waited: Duration = pauses.borrow().iter().sum();
        assert_eq!(pauses.borrow().len(), BUSY_RETRIES as usize);
        assert!(waited <= Duration::from_millis(3100), "{waited:?}");
    }

    #[test]
    fn other_errors_are_not_retried() {
        let tries = std::cell::Cell::new(0);
        let got: Result<(), _> = retry_busy(
            (),
            |()| {
                tries.set(tries.get() + 1);
                Err((std::io::Error::from(std::io::ErrorKind::NotFound), ()))
            },
            is_sharing_violation,
            |_| panic!("no pause"),
        );
        assert!(got.is_err());
        assert_eq!(tries.get(), 1);
    }

    #[test]
    fn a_staged_file_given_back_by_a_busy_rename_replaces_the_target_on_retry() {
        let dir = published();
        let target = dir.path().join("a.ics");
        let mut tmp = temp_builder().tempfile_in(dir.path()).expect("tmp");
        tmp.write_all(b"new").expect("write");
        let tries = std::cell::Cell::new(0);
        retry_busy(
            tmp,
            |t| {
                tries.set(tries.get() + 1);
                if tries.get() == 1 {
                    // As a web server holding a.ics open makes Windows answer.
                    return Err((sharing_violation(), t));
                }
                t.persist(&target).map(drop).map_err(|e| (e.error, e.file))
            },
            is_sharing_violation,
            |_| {},
        )
        .map_err(|(e, _)| e)
        .expect("renamed on the second try");
        assert_eq!(std::fs::read(&target).expect("read"), b"new");
        assert_eq!(tries.get(), 2);
        assert!(temp_files(dir.path()).is_empty());
    }

    #[test]
    fn temporary_names_are_recognised_exactly() {
        for name in [
            ".nedetid-abc123.tmp",
            ".nedetid-ABCxyz.tmp",
            ".nedetid-000000.tmp",
        ] {
            assert!(is_temp_name(name), "{name}");
        }
        for name in [
            ".nedetid-abc12.tmp",
            ".nedetid-abc1234.tmp",
            ".nedetid-abc12_.tmp",
            ".nedetid-abc12é.tmp",
            "x.nedetid-abc123.tmp",
            ".nedetid-abc123.tmp.bak",
            "nedetid-abc123.tmp",
            ".nedetid.lock",
            ".nedetid.stat",
        ] {
            assert!(!is_temp_name(name), "{name}");
        }
        let tmp = temp_builder()
            .tempfile_in(std::env::temp_dir())
            .expect("tempfile");
        let name = tmp.path().file_name().and_then(|n| n.to_str());
        assert!(name.is_some_and(is_temp_name), "{name:?}");
    }

    #[test]
    fn the_exclusive_lock_removes_only_its_own_leftovers() {
        let dir = published();
        let ours = [".nedetid-abc123.tmp", ".nedetid-ZZZZZZ.tmp"];
        let others = [
            ".nedetid-abc12.tmp",
            ".nedetid-abc123.tmp.bak",
            "nedetid-abc123.tmp",
            "x.tmp",
        ];
        for name in ours.iter().chain(&others) {
            std::fs::write(dir.path().join(name), "left").expect("write");
        }
        std::fs::create_dir(dir.path().join(".nedetid-folder.tmp")).expect("mkdir");
        #[cfg(unix)]
        std::os::unix::fs::symlink("a.ics", dir.path().join(".nedetid-link00.tmp")).expect("ln");
        // Shared (build --check) writes nothing and removes nothing.
        drop(lock(dir.path(), Access::Shared).expect("shared"));
        assert!(ours.iter().all(|n| dir.path().join(n).exists()));
        let held = lock(dir.path(), Access::Exclusive).expect("lock");
        assert!(ours.iter().all(|n| !dir.path().join(n).exists()));
        assert!(others.iter().all(|n| dir.path().join(n).exists()));
        assert!(dir.path().join(".nedetid-folder.tmp").is_dir());
        #[cfg(unix)]
        assert!(dir.path().join(".nedetid-link00.tmp").is_symlink());
        assert_eq!(
            std::fs::read(dir.path().join("a.ics")).ok().as_deref(),
            Some(&b"old a"[..])
        );
        drop(held);
        assert!(!dir.path().join(LOCK).exists(), "the lock file goes");
    }

    #[test]
    fn a_second_build_waits_for_the_lock_then_fails_naming_the_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        std::fs::create_dir(&out).expect("mkdir");
        let held = lock(&out, Access::Exclusive).expect("lock");
        let start = Instant::now();
        let err = lock_waiting(&out, Access::Exclusive, Duration::from_millis(300))
            .expect_err("held by another");
        assert!(start.elapsed() >= Duration::from_millis(300));
        let text = err.to_string();
        assert!(
            text.contains(&out.display().to_string()) && text.contains("another nedetid build"),
            "{text}"
        );
        assert!(matches!(err, Error::Io { .. }), "exit 3");
        // `build --check` waits too.
        assert!(lock_waiting(&out, Access::Shared, Duration::from_millis(100)).is_err());
        drop(held);
        // Checks share; a build waits for them.
        let one = lock_waiting(&out, Access::Shared, Duration::ZERO).expect("shared");
        let two = lock_waiting(&out, Access::Shared, Duration::ZERO).expect("shared too");
        assert!(lock_waiting(&out, Access::Exclusive, Duration::from_millis(100)).is_err());
        drop((one, two));
        let again = lock_waiting(&out, Access::Exclusive, Duration::ZERO).expect("free again");
        drop(again);
    }

    #[test]
    fn a_waiting_build_gets_the_lock_when_the_first_is_done() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("new").join("out");
        let first = lock(&out, Access::Exclusive).expect("lock");
        let second = std::thread::scope(|scope| {
            let waiter =
                scope.spawn(|| lock_waiting(&out, Access::Exclusive, Duration::from_secs(10)));
            std::thread::sleep(Duration::from_millis(200));
            // The first build fails and removes the folders it made (empty).
            drop(first);
            waiter.join().ok()
        });
        let second = second.and_then(Result::ok).expect("the second gets it");
        assert!(out.join(LOCK).is_file(), "on the folder made again");
        drop(second);
        assert!(!dir.path().join("new").exists(), "left empty: removed");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_output_folder_is_world_readable_whatever_the_umask() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("www").join("nedetid");
        // The umask is per process: instead, a folder made 0700 by hand
        // stays as it is, and those created are 0755.
        std::fs::create_dir(dir.path().join("www")).expect("mkdir");
        std::fs::set_permissions(
            dir.path().join("www"),
            std::fs::Permissions::from_mode(0o700),
        )
        .expect("chmod");
        publish(&out, &[out_file()], &[], &no_faults).expect("publish");
        let mode = |p: &Path| {
            std::fs::metadata(p)
                .map(|m| m.permissions().mode() & 0o777)
                .ok()
        };
        assert_eq!(mode(&out), Some(0o755));
        assert_eq!(mode(&dir.path().join("www")), Some(0o700), "not ours");
    }

    #[cfg(unix)]
    fn out_file() -> Output {
        out("a.ics", "a")
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_never_read_or_followed() {
        let dir = published();
        // A named pipe would block the open and the read for ever.
        let fifo = dir.path().join("b.ics");
        std::fs::remove_file(&fifo).expect("rm");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .expect("mkfifo");
        let next = [out("a.ics", "new a"), out("b.ics", "new b")];
        let err = plan(dir.path(), &next, &[]).expect_err("a fifo");
        assert!(
            err.to_string()
                .contains("b.ics: it is a named pipe (FIFO), not a regular file"),
            "{err}"
        );
        std::fs::remove_file(&fifo).expect("rm");
        // A link to an endless device is not followed.
        std::os::unix::fs::symlink("/dev/zero", &fifo).expect("ln");
        let err = publish(dir.path(), &next, &[], &no_faults).expect_err("a link");
        assert!(
            err.to_string().contains("b.ics: it is a symbolic link"),
            "{err}"
        );
        assert_eq!(
            std::fs::read(dir.path().join("a.ics")).ok().as_deref(),
            Some(&b"old a"[..]),
            "nothing published"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_state_file_is_never_followed_and_read_with_a_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink("/dev/zero", dir.path().join(MANIFEST)).expect("ln");
        let err = read_manifest(dir.path()).expect_err("a link");
        assert!(
            err.to_string()
                .contains("manifest.json: it is a symbolic link"),
            "{err}"
        );
        std::fs::remove_file(dir.path().join(MANIFEST)).expect("rm");
        let huge = std::fs::File::create(dir.path().join(MANIFEST)).expect("create");
        huge.set_len(MAX_STATE_BYTES + 1).expect("sparse");
        let err = read_manifest(dir.path()).expect_err("too large");
        assert!(err.to_string().contains("over 268435456 bytes"), "{err}");
    }

    #[test]
    fn a_mapped_cache_reads_as_its_bytes_while_builds_append_and_replace_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let entry = crate::cache::tests::entry;
        let write: WriteRecords<(u64, &cache::Entry)> =
            &|out, events, header| cache::write(out, events, header.then_some(7));
        let entries: Vec<(u64, cache::Entry)> = (0..6).map(|n| (u64::from(n), entry(n))).collect();
        let used: Vec<(u64, &cache::Entry)> = entries.iter().map(|(k, e)| (*k, e)).collect();
        save_cache(
            dir.path(),
            CACHE,
            cache::Save::Replace(used[..4].to_vec()),
            write,
        );
        let bytes = || std::fs::read(dir.path().join(CACHE)).expect("the cache");
        let first = read_cache(dir.path());
        let first_bytes = bytes();
        let same = |read: &cache::Events, of: &[u8]| {
            let parsed = cache::Events::parse(of.to_vec());
            read.len() == parsed.len() && parsed.entries().all(|(k, e)| read.get(k) == Some(e))
        };
        assert_eq!(first.len(), 4);
        assert!(same(&first, &first_bytes));
        // A later build appends: the first read still holds what it read.
        save_cache(dir.path(), CACHE, first.save(7, &used), write);
        assert!(same(&first, &first_bytes));
        let second = read_cache(dir.path());
        assert_eq!(second.len(), 6);
        assert!(same(&second, &bytes()));
        // A build writes it anew (renamed over it): the same.
        save_cache(
            dir.path(),
            CACHE,
            cache::Save::Replace(used[4..].to_vec()),
            write,
        );
        assert!(same(&first, &first_bytes));
        assert_eq!(read_cache(dir.path()).len(), 2);
        // The parsed files' cache is read the same way; none: empty.
        std::fs::write(dir.path().join(PARSED), b"parsed").expect("write");
        assert_eq!(&*read_parsed(dir.path()), b"parsed");
        std::fs::remove_file(dir.path().join(PARSED)).expect("remove");
        assert!(read_parsed(dir.path()).is_empty());
        #[cfg(unix)]
        assert!(first.is_mapped() && !first.is_empty());
        // Over the limit: not read at all.
        let huge = std::fs::File::create(dir.path().join(CACHE)).expect("create");
        huge.set_len(MAX_CACHE_BYTES + 1).expect("sparse");
        assert!(read_cache(dir.path()).is_empty());
    }
}
