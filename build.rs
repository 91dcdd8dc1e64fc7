//! The identity of the code a binary is built from, for the caches a
//! build keeps beside its output (`src/cache.rs`, `src/parsed.rs`): a
//! fingerprint of every source file, template and the manifest and lock
//! files, so that a binary built from other code (an edited template, an
//! updated dependency) never takes what another one cached, whatever its
//! version number says.

use std::path::{Path, PathBuf};

fn main() {
    let mut files: Vec<PathBuf> = ["Cargo.toml", "Cargo.lock"].map(PathBuf::from).into();
    for dir in ["src", "templates"] {
        collect(Path::new(dir), &mut files);
        println!("cargo:rerun-if-changed={dir}");
    }
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=Cargo.lock");
    files.sort();
    // FNV-1a over each file's path and bytes.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut update = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for file in &files {
        update(file.to_string_lossy().as_bytes());
        update(&std::fs::read(file).unwrap_or_default());
    }
    println!("cargo:rustc-env=NEDETID_CODE={hash:016x}");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
