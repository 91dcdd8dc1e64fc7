//! The only writer of output. Publishing is all or nothing as far as a file
//! system allows: every changed file is first written in full to a temporary
//! file beside its target and flushed (where a full disk or a read-only
//! folder fails, with nothing published touched); only then are they renamed
//! over the old files, and if a rename fails the ones already renamed are put
//! back. Files whose bytes would not change are not touched, so their
//! modification time (and a web server's ETag) stays.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;
use crate::load::{Links, Opened, io_error, open_regular, read_limited};
use crate::state::{MANIFEST, Manifest};

/// The largest state file read (the national benchmark's is 7 MB).
pub const MAX_STATE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads the state file of `dir`; a missing file (or folder) starts fresh,
/// a corrupt one is an error that names it. It must be a regular file (a
/// link is not followed) of at most [`MAX_STATE_BYTES`].
pub fn read_manifest(dir: &Path) -> Result<Manifest, Error> {
    let path = dir.join(MANIFEST);
    let (file, size) = match open_regular(&path, Links::Refuse) {
        Ok(Opened::File(file, size)) => (file, size),
        Ok(Opened::Missing) => return Ok(Manifest::default()),
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
    Manifest::parse(&bytes).map_err(|e| Error::State {
        path,
        message: format!(
            "cannot read the state file: {e}; restore it from the last good copy, or delete it to start fresh (every event then gets SEQUENCE 0 again)"
        ),
    })
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

/// The size of the published file `name` in `dir`; `None` when it is
/// missing (or cannot be read).
pub fn published_size(dir: &Path, name: &str) -> Option<u64> {
    std::fs::metadata(dir.join(name)).map(|m| m.len()).ok()
}

/// A file to publish: name inside the output folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    pub content: Content,
}

/// A file's bytes, whole or as the pieces it is made of (a feed shares its
/// VEVENT texts with other feeds; they are put together only as the file is
/// written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Bytes(Vec<u8>),
    Pieces(Vec<Arc<str>>),
}

impl Content {
    pub fn len(&self) -> usize {
        match self {
            Content::Bytes(b) => b.len(),
            Content::Pieces(p) => p.iter().map(|p| p.len()).sum(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes in one piece.
    pub fn to_vec(&self) -> Vec<u8> {
        match self {
            Content::Bytes(b) => b.clone(),
            Content::Pieces(p) => p.concat().into_bytes(),
        }
    }

    /// Whether these are exactly `bytes`.
    pub fn is(&self, bytes: &[u8]) -> bool {
        match self {
            Content::Bytes(b) => b == bytes,
            Content::Pieces(pieces) => {
                let mut rest = bytes;
                for piece in pieces {
                    match rest.split_at_checked(piece.len()) {
                        Some((head, tail)) if head == piece.as_bytes() => rest = tail,
                        _ => return false,
                    }
                }
                rest.is_empty()
            }
        }
    }

    fn write_to(&self, file: &mut impl std::io::Write) -> std::io::Result<()> {
        match self {
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

/// A published file's previous bytes, kept to put it back.
struct Previous {
    name: String,
    bytes: Option<Content>,
}

/// Compares `outputs` with the files in `dir`, and lists which of `owned`
/// (files an earlier build wrote that this one does not) exist and would go.
pub fn plan(dir: &Path, outputs: &[Output], dropped: &[&str]) -> Result<Changes, Error> {
    Ok(compare(dir, outputs, dropped)?.0)
}

fn compare(
    dir: &Path,
    outputs: &[Output],
    dropped: &[&str],
) -> Result<(Changes, Vec<Previous>), Error> {
    let mut changes = Changes::default();
    let mut previous = Vec::new();
    for output in outputs {
        let path = dir.join(&output.name);
        match std::fs::read(&path) {
            Ok(old) if output.content.is(&old) => changes.unchanged.push(output.name.clone()),
            Ok(old) => {
                changes.updated.push(output.name.clone());
                previous.push(Previous {
                    name: output.name.clone(),
                    bytes: Some(Content::Bytes(old)),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                changes.created.push(output.name.clone());
                previous.push(Previous {
                    name: output.name.clone(),
                    bytes: None,
                });
            }
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    for name in dropped {
        if dir.join(name).is_file() && !outputs.iter().any(|o| o.name == *name) {
            changes.removed.push((*name).to_string());
        }
    }
    Ok((changes, previous))
}

/// A point in publishing where tests inject failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// Before the temporary file for this name is written.
    Write(&'a str),
    /// Before the temporary file is renamed over this name.
    Rename(&'a str),
    /// Before this dropped file is removed.
    Remove(&'a str),
}

/// Publishes `outputs` into `dir` and removes `dropped` files (ones an
/// earlier build wrote and this one does not). `fault` is called at each
/// [`Step`]; tests use it to inject failures, the binary passes [`no_faults`].
pub fn publish(
    dir: &Path,
    outputs: &[Output],
    dropped: &[&str],
    fault: &(dyn Fn(Step) -> std::io::Result<()> + Sync),
) -> Result<Changes, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let (changes, previous) = compare(dir, outputs, dropped)?;
    // Stage: write every changed file beside its target. Dropping the
    // temporary files on an error removes them again.
    let by_name: std::collections::HashMap<&str, &Output> =
        outputs.iter().map(|o| (o.name.as_str(), o)).collect();
    let staged = stage_all(dir, &previous, &by_name, fault)?;
    // Every staged file on disk before any is renamed over a published one.
    crate::par::try_map_on(FLUSH_THREADS, &staged, |(tmp, _)| {
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::io(tmp.path(), e))
    })?;
    // Commit: rename each over its target and remove the dropped files,
    // the last output (the state file) last of all; on any failure put back
    // what was already done.
    let mut removals = Vec::new();
    for name in &changes.removed {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        removals.push(Previous {
            name: name.clone(),
            bytes: Some(Content::Bytes(bytes)),
        });
    }
    let last = outputs.last().map(|o| o.name.as_str());
    let (tail, head): (Vec<_>, Vec<_>) = staged
        .into_iter()
        .partition(|(_, prev)| Some(prev.name.as_str()) == last);
    let mut done: Vec<&Previous> = Vec::new();
    let fail = |done: &[&Previous], path: &Path, e: std::io::Error| {
        rollback(dir, done);
        Error::io(path, e)
    };
    for (tmp, prev) in head {
        let target = dir.join(&prev.name);
        let renamed = fault(Step::Rename(&prev.name))
            .and_then(|()| tmp.persist(&target).map(drop).map_err(|e| e.error));
        renamed.map_err(|e| fail(&done, &target, e))?;
        done.push(prev);
    }
    for prev in &removals {
        let path = dir.join(&prev.name);
        let removed = fault(Step::Remove(&prev.name)).and_then(|()| std::fs::remove_file(&path));
        removed.map_err(|e| fail(&done, &path, e))?;
        done.push(prev);
    }
    for (tmp, prev) in tail {
        let target = dir.join(&prev.name);
        let renamed = fault(Step::Rename(&prev.name))
            .and_then(|()| tmp.persist(&target).map(drop).map_err(|e| e.error));
        renamed.map_err(|e| fail(&done, &target, e))?;
    }
    sync_dir(dir);
    Ok(changes)
}

/// Writes the temporary file of every changed output, on all cores (and,
/// but on Linux, waits for each to reach the disk: there one syncfs(2) of
/// the output's file system after all are written costs a single journal
/// commit instead of one per file).
fn stage_all<'p>(
    dir: &Path,
    previous: &'p [Previous],
    by_name: &std::collections::HashMap<&str, &Output>,
    fault: &(dyn Fn(Step) -> std::io::Result<()> + Sync),
) -> Result<Vec<(tempfile::NamedTempFile, &'p Previous)>, Error> {
    let one =
        |prev: &'p Previous| -> Result<Option<(tempfile::NamedTempFile, &'p Previous)>, Error> {
            let Some(output) = by_name.get(prev.name.as_str()) else {
                return Ok(None);
            };
            fault(Step::Write(&output.name)).map_err(|e| Error::io(&dir.join(&output.name), e))?;
            Ok(Some((stage(dir, &output.content, false)?, prev)))
        };
    let staged = crate::par::try_map_on(STAGE_THREADS, previous, one)?;
    Ok(staged.into_iter().flatten().collect())
}

/// Writing temporary files is copying into the page cache: one thread per
/// core. Flushing them is waiting for the disk: more threads than cores let
/// the file system group the flushes.
const STAGE_THREADS: usize = 2;
const FLUSH_THREADS: usize = 16;

/// The `fault` of a real run: none.
pub fn no_faults(_: Step) -> std::io::Result<()> {
    Ok(())
}

/// Writes `content` to a world-readable temporary file in `dir` (tempfile
/// creates 0600, which a web server cannot read), and flushes it to disk
/// if `sync` (else [`publish`] does, once all are written).
fn stage(dir: &Path, content: &Content, sync: bool) -> Result<tempfile::NamedTempFile, Error> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".nedetid-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    content
        .write_to(tmp.as_file_mut())
        .map_err(|e| Error::io(tmp.path(), e))?;
    if sync {
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::io(tmp.path(), e))?;
    } else {
        // Starts writing the file to disk now, while the next ones are
        // staged, so that flushing it later has little left to wait for
        // (on Linux DONTNEED starts write-back of the dirty pages and
        // drops only clean ones: these stay cached). Only a hint.
        #[cfg(target_os = "linux")]
        let _ = rustix::fs::fadvise(tmp.as_file(), 0, None, rustix::fs::Advice::DontNeed);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    Ok(tmp)
}

/// Best effort: restores the previous bytes of files already replaced or
/// removed, and removes files that did not exist before.
fn rollback(dir: &Path, done: &[&Previous]) {
    for prev in done.iter().rev() {
        let path: PathBuf = dir.join(&prev.name);
        let _ = match &prev.bytes {
            Some(bytes) => stage(dir, bytes, true).and_then(|tmp| {
                tmp.persist(&path)
                    .map(drop)
                    .map_err(|e| Error::io(&path, e.error))
            }),
            None => std::fs::remove_file(&path).map_err(|e| Error::io(&path, e)),
        };
    }
}

/// Makes the renames durable (the directory entry), where the platform can.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(name: &str, bytes: &str) -> Output {
        Output {
            name: name.into(),
            content: Content::from(bytes.to_string()),
        }
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
        Content::Pieces(parts.iter().map(|p| Arc::from(*p)).collect())
    }

    #[test]
    fn pieces_are_the_bytes_they_make_up() {
        let content = pieces(&["BEGIN", ":", "", "VCALENDAR\r\n"]);
        assert_eq!(content.len(), 17);
        assert_eq!(content.to_vec(), b"BEGIN:VCALENDAR\r\n");
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
        let feed = Output {
            name: "all.ics".into(),
            content: pieces(&refs),
        };
        let changes =
            publish(dir.path(), std::slice::from_ref(&feed), &[], &no_faults).expect("publish");
        assert_eq!(changes.created, ["all.ics"]);
        let written = std::fs::read(dir.path().join("all.ics")).expect("read");
        assert_eq!(written, parts.concat().into_bytes());
        let again = publish(dir.path(), std::slice::from_ref(&feed), &[], &no_faults)
            .expect("publish again");
        assert_eq!(again.unchanged, ["all.ics"]);
    }

    #[test]
    fn a_write_error_half_way_changes_nothing() {
        let dir = published();
        let before = snapshot(dir.path());
        let fail_on_c = |step: Step| {
            if step == Step::Write("c.ics") {
                Err(std::io::Error::other("disk full"))
            } else {
                Ok(())
            }
        };
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
    fn a_failed_rename_puts_back_the_files_already_replaced() {
        let dir = published();
        let before = snapshot(dir.path());
        let crash = |step: Step| {
            if step == Step::Rename("z.ics") {
                Err(std::io::Error::other("killed"))
            } else {
                Ok(())
            }
        };
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
        let fail = |step: Step| {
            if step == Step::Remove("c.ics") {
                Err(std::io::Error::other("busy"))
            } else {
                Ok(())
            }
        };
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
}
