//! Writes a deterministic synthetic schedules folder for benchmarks.
//!
//! ```sh
//! cargo run --release --example generate -- --size national --seed 1 --out /tmp/national
//! ```
//!
//! Sizes: `small` (a copy of `schedules/`), `medium` (20 organisations, 600
//! systems, 4,000 outages, 200 rules), `national` (100 organisations, 3,000
//! systems, 20,000 outages, 1,000 rules). The generator is `bench/gen.rs`,
//! shared with `benches/pipeline.rs`.

#[path = "../bench/gen.rs"]
mod datagen;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: generate --size small|medium|national [--seed N] --out DIR";

fn main() -> ExitCode {
    let mut size = None;
    let mut seed = 1u64;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        match (arg.as_str(), value) {
            ("--size", Some(v)) => match datagen::Size::parse(&v) {
                Some(s) => size = Some(s),
                None => return fail(&format!("unknown size `{v}`")),
            },
            ("--seed", Some(v)) => match v.parse() {
                Ok(n) => seed = n,
                Err(_) => return fail(&format!("`{v}` is not a number")),
            },
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            (other, _) => return fail(&format!("unexpected argument `{other}`")),
        }
    }
    let (Some(size), Some(out)) = (size, out) else {
        return fail("--size and --out are required");
    };
    match datagen::write(size, seed, &out) {
        Ok(s) => {
            let occurrences = s
                .occurrences
                .map_or_else(|| "see `nedetid check`".to_string(), |n| n.to_string());
            println!(
                "{}: {} files, {} bytes, {} systems, {} outages, {} maintenance rules, occurrences: {occurrences}",
                out.display(),
                s.files,
                s.bytes,
                s.systems,
                s.outages,
                s.rules,
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", out.display());
            ExitCode::from(3)
        }
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}\n{USAGE}");
    ExitCode::from(2)
}
