//! Criterion benchmarks of each stage of `nedetid build`, per data size:
//! load + validate, expand, render, publish into an empty folder (a full
//! write, flushed to disk) and publish when nothing changed (no-op); and,
//! as the floor under load, the YAML parser alone on one core.
//!
//! ```sh
//! cargo bench --bench pipeline                  # small, medium, national*
//! NEDETID_BENCH_SIZES=medium cargo bench --bench pipeline
//! cargo bench --bench pipeline -- render        # one stage
//! ```
//!
//! *A stage is benchmarked at a size only when one iteration of it takes
//! less than 10 s there (probed once before measuring); criterion runs at
//! least 10 samples. The data are generated once per size into a temporary
//! folder by `bench/gen.rs`, the generator `examples/generate.rs` uses too.
//! Throughput is in events (published occurrences), so sizes compare.

#[path = "../bench/gen.rs"]
mod datagen;

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use nedetid::pipeline::{self, Checked};
use nedetid::publish::{self, Output};
use nedetid::state::Manifest;

use datagen::Size;

/// A stage runs at a size only when one iteration is faster than this.
const PROBE_LIMIT: Duration = Duration::from_secs(10);

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(datagen::NOW)
        .expect("valid NOW")
        .with_timezone(&Utc)
}

/// `NEDETID_BENCH_SIZES=small,medium` (default: all three).
fn sizes() -> Vec<Size> {
    match std::env::var("NEDETID_BENCH_SIZES") {
        Ok(list) => list
            .split(',')
            .filter_map(|s| Size::parse(s.trim()))
            .collect(),
        Err(_) => Size::ALL.to_vec(),
    }
}

/// One size's data, generated and taken through the pipeline once.
struct Data {
    size: Size,
    /// Keeps the generated schedules folder alive.
    _dir: tempfile::TempDir,
    schedules: std::path::PathBuf,
    checked: Checked,
    outputs: Vec<Output>,
    events: u64,
}

fn prepare(size: Size) -> Data {
    let dir = tempfile::tempdir().expect("temporary folder");
    let schedules = dir.path().join("schedules");
    let summary = datagen::write(size, 1, &schedules).expect("generate");
    let checked = pipeline::load(&schedules).expect("generated schedules are valid");
    let expansion = pipeline::expansion(&checked, now()).expect("expands");
    if let Some(expected) = summary.occurrences {
        assert_eq!(
            expansion.occurrences.len(),
            expected,
            "the generator and nedetid disagree on the occurrences"
        );
    }
    let events = expansion.occurrences.len() as u64;
    let outputs = pipeline::render(&expansion, &Manifest::default(), now()).outputs;
    drop(expansion);
    let bytes: usize = outputs.iter().map(|o| o.content.len()).sum();
    eprintln!(
        "{}: {} schedule files ({} bytes), {} events, {} output files ({:.1} MB)",
        size.name(),
        summary.files,
        summary.bytes,
        events,
        outputs.len(),
        bytes as f64 / 1e6
    );
    Data {
        size,
        _dir: dir,
        schedules,
        checked,
        outputs,
        events,
    }
}

/// Runs `f` once and says whether it is fast enough to benchmark.
fn probe(stage: &str, size: Size, f: impl FnOnce()) -> bool {
    let start = Instant::now();
    f();
    let took = start.elapsed();
    let ok = took < PROBE_LIMIT;
    if !ok {
        eprintln!(
            "{stage}/{}: one iteration took {:.1} s (limit {} s); not benchmarked",
            size.name(),
            took.as_secs_f64(),
            PROBE_LIMIT.as_secs()
        );
    }
    ok
}

fn full_publish(dir: &Path, outputs: &[Output]) {
    let changes =
        publish::publish(dir, outputs, &[], &publish::no_faults).expect("publish into a folder");
    assert_eq!(changes.created.len(), outputs.len());
}

fn stages(c: &mut Criterion) {
    let now = now();
    for size in sizes() {
        let data = prepare(size);
        let name = data.size.name();
        let mut group = c.benchmark_group(name);
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5))
            .throughput(Throughput::Elements(data.events));

        if probe("load", size, || {
            black_box(pipeline::load(&data.schedules).expect("valid"));
        }) {
            group.bench_function("load", |b| {
                b.iter_with_large_drop(|| {
                    pipeline::load(black_box(&data.schedules)).expect("valid")
                })
            });
        }

        // The floor under `load`: serde-saphyr reading every file into
        // `IgnoredAny` (no spans, no validation), on one core.
        let texts: Vec<String> = std::fs::read_dir(&data.schedules)
            .expect("schedules folder")
            .filter_map(Result::ok)
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        group.bench_function("yaml-only-1-core", |b| {
            b.iter(|| {
                for text in &texts {
                    let parsed: serde::de::IgnoredAny =
                        serde_saphyr::from_str(black_box(text)).expect("YAML");
                    black_box(parsed);
                }
            })
        });

        if probe("expand", size, || {
            black_box(pipeline::expansion(&data.checked, now).expect("expands"));
        }) {
            group.bench_function("expand", |b| {
                b.iter_with_large_drop(|| {
                    pipeline::expansion(black_box(&data.checked), now).expect("expands")
                })
            });
        }

        let expansion = pipeline::expansion(&data.checked, now).expect("expands");
        let empty = Manifest::default();
        if probe("render", size, || {
            black_box(pipeline::render(&expansion, &empty, now));
        }) {
            group.bench_function("render", |b| {
                b.iter_with_large_drop(|| pipeline::render(black_box(&expansion), &empty, now))
            });
        }
        drop(expansion);

        // Publishing: into a fresh folder beside the schedules (same file
        // system as a real output folder), and again when nothing changed.
        let parent = data.schedules.parent().expect("temporary folder");
        // The folders are removed only after the last sample: on ext4,
        // creating files right after thousands were removed is several times
        // slower, which would be measured instead.
        let mut written = Vec::new();
        if probe("publish-full", size, || {
            let dir = tempfile::tempdir_in(parent).expect("temporary folder");
            full_publish(dir.path(), &data.outputs);
            written.push(dir);
        }) {
            group.bench_function("publish-full", |b| {
                b.iter_batched(
                    || tempfile::tempdir_in(parent).expect("temporary folder"),
                    |dir| {
                        full_publish(dir.path(), &data.outputs);
                        written.push(dir);
                    },
                    BatchSize::PerIteration,
                )
            });
        }

        let published = tempfile::tempdir_in(parent).expect("temporary folder");
        full_publish(published.path(), &data.outputs);
        let noop = || {
            let changes =
                publish::publish(published.path(), &data.outputs, &[], &publish::no_faults)
                    .expect("publish");
            assert!(changes.is_empty(), "a second publish changed files");
            changes
        };
        if probe("publish-noop", size, || {
            black_box(noop());
        }) {
            group.bench_function("publish-noop", |b| b.iter(noop));
        }
        group.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
