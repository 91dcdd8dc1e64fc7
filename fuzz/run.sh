#!/usr/bin/env bash
# Runs every fuzz target one after another (never in parallel: the machine
# has two cores) for FUZZ_SECONDS each (default 120), seeding the corpora
# from schedules/*.yaml and tests/fixtures/**/*.yaml, and prints the
# executions and the result of each target.
#
#   bash fuzz/run.sh                       # all targets, 120 s each
#   FUZZ_SECONDS=600 bash fuzz/run.sh pipeline schedule caches
#
# The byte-level targets run under AddressSanitizer; the structured one,
# whose inputs render whole feeds, without it (`-s none`, three times the
# executions; nedetid has no unsafe code). FUZZ_SANITIZER=address|none
# overrides both.
#
# Needs `cargo install cargo-fuzz --locked`. There is only a stable
# toolchain here, so the nightly-only flags cargo-fuzz passes to rustc are
# unlocked with RUSTC_BOOTSTRAP=1. Crashes land in fuzz/artifacts/<target>/.
set -uo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-120}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(load pipeline schedule caches)
fi
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz missing: cargo install cargo-fuzz --locked" >&2; exit 2; }

# Seed corpus: the real schedules and every fixture (the corpus folders are
# git-ignored). The structured target reads its own encoding and the caches
# target arbitrary records, so their corpora start empty.
for target in load pipeline; do
    mkdir -p "corpus/$target"
    while IFS= read -r -d '' f; do
        name="seed-$(echo "$f" | tr '/' '_')"
        cp "$f" "corpus/$target/$name"
    done < <(find ../schedules ../tests/fixtures -name '*.yaml' -print0 -o -name '*.yml' -print0)
done
mkdir -p corpus/schedule corpus/caches

# Logs go under target/ (git-ignored).
logs=target/fuzz-logs
status=0
summary=()
for target in "${targets[@]}"; do
    mkdir -p "artifacts/$target" "$logs"
    log="$logs/$target.log"
    dict=()
    if [ "$target" != schedule ]; then
        dict=(-dict=schedule.dict)
    fi
    sanitizer="${FUZZ_SANITIZER:-address}"
    if [ -z "${FUZZ_SANITIZER:-}" ] && [ "$target" = schedule ]; then
        sanitizer=none
    fi
    if ! cargo fuzz build -s "$sanitizer" --release --debug-assertions "$target" >"$logs/$target.build.log" 2>&1; then
        echo "$target: build failed (see fuzz/$logs/$target.build.log)"
        summary+=("$target: build failed")
        status=1
        continue
    fi
    echo "== $target: ${seconds}s, sanitizer $sanitizer"
    start=$(date +%s)
    marker="$logs/$target.start"
    touch "$marker"
    cargo fuzz run -s "$sanitizer" --release --debug-assertions "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 \
        -max_len=8192 -print_final_stats=1 "${dict[@]}" >"$log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    corpus=$(find "corpus/$target" -type f | wc -l)
    crashes=$(find "artifacts/$target" -type f -newer "$marker" | wc -l)
    if [ "$rc" -eq 0 ]; then result=ok; else result="FAILED (exit $rc; see fuzz/$log)"; status=1; fi
    line="$target: ${execs:-?} executions, ${speed:-?} exec/s, ${took}s, corpus $corpus, new artifacts $crashes, $result"
    echo "$line"
    find "artifacts/$target" -type f -newer "$marker" -printf '    %p\n'
    summary+=("$line")
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $status
