//! The only writer of output: compares rendered files with what is
//! published, and replaces each changed file atomically (temporary file in
//! the same folder, flushed, renamed over the old one), mode 0644. A file
//! whose bytes would not change is not touched.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// A file to publish: name inside the output folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What publishing did, or would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.updated.is_empty()
    }

    /// One line per file that changes, for `build --check`.
    pub fn describe(&self) -> Vec<String> {
        let created = self.created.iter().map(|n| format!("create {n}"));
        let updated = self.updated.iter().map(|n| format!("update {n}"));
        created.chain(updated).collect()
    }
}

/// Compares `outputs` with the files in `dir` without writing anything.
pub fn plan(dir: &Path, outputs: &[Output]) -> Result<Changes, Error> {
    let mut changes = Changes::default();
    for output in outputs {
        let path = dir.join(&output.name);
        match std::fs::read(&path) {
            Ok(old) if old == output.bytes => changes.unchanged.push(output.name.clone()),
            Ok(_) => changes.updated.push(output.name.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                changes.created.push(output.name.clone())
            }
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Ok(changes)
}

/// Writes every changed file. Each replacement is atomic; files whose bytes
/// are unchanged keep their modification time.
pub fn publish(dir: &Path, outputs: &[Output]) -> Result<Changes, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let changes = plan(dir, outputs)?;
    for output in outputs {
        if changes.unchanged.contains(&output.name) {
            continue;
        }
        write_atomic(&dir.join(&output.name), &output.bytes)?;
    }
    Ok(changes)
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk,
/// makes it world-readable (tempfile creates 0600, which a web server
/// cannot read) and renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut tmp = tempfile::Builder::new()
        .prefix(".nedetid-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp.path(), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
