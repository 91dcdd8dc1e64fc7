#!/usr/bin/env bash
# End-to-end timing of the release binary on synthetic data (bench/gen.rs):
# for each size, a full build into an empty folder (wall time, peak RSS),
# a no-op rebuild (wall time, and proof that no file was written), and
# `cp -r` of the output folder (the floor a build is compared with). Every
# timing is the median of $RUNS runs. Prints a Markdown table and writes it,
# with the machine and the date, to bench/results.md.
#
#   bash bench/run.sh                      # small, medium, national
#   SIZES="small medium" RUNS=5 bash bench/run.sh
#   NEDETID_BIN=/path/to/nedetid bash bench/run.sh   # another build (no cargo)
#   RESULTS=/tmp/r.md KEEP=1 bash bench/run.sh       # elsewhere; keep the data
#
# Needs about 3.5 GB of scratch space ($TMPDIR) for national: every run's
# output and copies are kept until the end, then removed. On ext4, creating
# files is slower for some minutes after many files were removed (the
# allocator skips recently freed inodes), so let a few minutes pass between
# two runs of this script.
#
# Needs /usr/bin/time (GNU time), jq and bc: installed with apt-get when
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"small medium national"}
RUNS=${RUNS:-3}
SEED=${SEED:-1}
NOW=${NOW:-2025-06-01T08:00:00Z} # the same as bench/gen.rs's NOW
RESULTS=${RESULTS:-bench/results.md}

need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "== installing $2" >&2
        apt-get update -qq >/dev/null && apt-get install -y -qq "$2" >/dev/null
    fi
}
need /usr/bin/time time
need jq jq
need bc bc

if [[ -n "${NEDETID_BIN:-}" ]]; then
    BIN=$NEDETID_BIN
    GEN=${NEDETID_GEN:-target/release/examples/generate}
    [[ -x $GEN ]] || cargo build --release --example generate >&2
else
    echo "== cargo build --release (nedetid and the generator)" >&2
    cargo build --release --bin nedetid --example generate >&2
    BIN=target/release/nedetid
    GEN=target/release/examples/generate
fi
BIN=$(realpath "$BIN")
GEN=$(realpath "$GEN")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nedetid-bench.XXXXXX")
if [[ -z "${KEEP:-}" ]]; then
    trap 'rm -rf "$WORK"' EXIT
else
    echo "== data kept in $WORK" >&2
fi

# Seconds (ns resolution) that "$@" takes; its output goes to $WORK/last.*
# through pipes, so that the command itself writes no file (GNU time's %O
# then counts only what it writes to the file system).
wall() {
    local t0 t1
    t0=$(date +%s%N)
    if ! "$@" 2> >(cat >"$WORK/last.err") | cat >"$WORK/last.out"; then
        echo "failed: $*" >&2
        cat "$WORK/last.err" >&2
        return 1
    fi
    t1=$(date +%s%N)
    echo "scale=3; ($t1 - $t0) / 1000000000" | bc -l | sed 's/^\./0./'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { echo "scale=2; $1 / $2" | bc -l | sed 's/^\./0./'; }

# Every file in the folder with inode, size and mtime (ns): identical before
# and after a rebuild means nothing was written, replaced or removed.
listing() { find "$1" -printf '%i %s %T@ %P\n' | sort -k4; }

rows=()
proofs=()
for size in $SIZES; do
    echo "== $size" >&2
    dir=$WORK/$size
    mkdir -p "$dir"
    "$GEN" --size "$size" --seed "$SEED" --out "$dir/schedules" >&2
    check=$("$BIN" check --schedules "$dir/schedules" --now "$NOW" 2>/dev/null)
    systems=$(sed -E 's/.*: ([0-9]+) systems.*/\1/' <<<"$check")
    occurrences=$("$BIN" list --format json --schedules "$dir/schedules" --now "$NOW" 2>/dev/null | jq length)

    # Per run: a full build into a new folder, a no-op rebuild of it, and
    # `cp -r` of it into another new folder. Nothing is deleted until the
    # end: ext4 scans past inodes freed in the last minutes when it creates
    # files (recently_deleted()), which made both the build and cp -r up to
    # 5x slower when a folder had just been removed.
    builds=() rss=() noops=() written=() copies=() synced=()
    same="identical"
    for run in $(seq "$RUNS"); do
        out=$dir/out.$run
        sync
        builds+=("$(wall /usr/bin/time -f '%M' -o "$dir/time.$run" \
            "$BIN" build --schedules "$dir/schedules" --out "$out" --now "$NOW")")
        rss+=("$(tail -1 "$dir/time.$run")")

        # No-op rebuild: nothing may be written. (The first read of a new
        # file updates its atime; a web server has done that long before
        # the nightly rebuild, so read them once first.)
        cat "$out"/* >/dev/null
        before=$(listing "$out")
        sync
        noops+=("$(wall /usr/bin/time -f '%O' -o "$dir/noop.$run" \
            "$BIN" build --schedules "$dir/schedules" --out "$out" --now "$NOW")")
        written+=("$(tail -1 "$dir/noop.$run")")
        noop_said=$(tail -1 "$WORK/last.out")
        after=$(listing "$out")
        if [[ "$before" != "$after" ]]; then
            same="CHANGED"
            diff <(echo "$before") <(echo "$after") | head -5 >&2 || true
        fi

        # cp -r of the output folder (page cache warm, as for the build).
        sync
        copies+=("$(wall cp -r "$out" "$dir/copy.$run")")
        sync
        synced+=("$(wall sh -c 'cp -r "$1" "$2" && sync' sh "$out" "$dir/synced.$run")")
    done
    build_s=$(printf '%s\n' "${builds[@]}" | median)
    rss_mb=$(printf '%s\n' "${rss[@]}" | median | awk '{ printf "%.1f", $1 * 1024 / 1e6 }')
    noop_s=$(printf '%s\n' "${noops[@]}" | median)
    cp_s=$(printf '%s\n' "${copies[@]}" | median)
    cp_min=$(printf '%s\n' "${copies[@]}" | sort -g | head -1)
    cp_sync_s=$(printf '%s\n' "${synced[@]}" | median)
    out=$dir/out.1
    out_bytes=$(find "$out" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
    out_mb=$(awk -v b="$out_bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
    feeds=$(find "$out" -maxdepth 1 -name '*.ics' | wc -l)
    events=$(grep -c '^BEGIN:VEVENT' "$out/all.ics" || true)
    proofs+=("- $size: no-op rebuild reported \`$noop_said\`; the list of $(wc -l <<<"$after") paths with inode, size and mtime is $same before and after each rebuild; blocks written per rebuild (GNU time %O): ${written[*]}")

    rows+=("| $size | $systems | $events | $occurrences | $feeds | $out_mb | $build_s | $rss_mb | $noop_s | $cp_s | $(ratio "$build_s" "$cp_s") | $cp_min | $(ratio "$build_s" "$cp_min") | $cp_sync_s | $(ratio "$build_s" "$cp_sync_s") | $(ratio "$rss_mb" "$out_mb") |")
    proofs+=("- $size: runs (s): full build ${builds[*]}; no-op ${noops[*]}; cp -r ${copies[*]}")
    proofs+=("- $size: \`cp -r\` followed by \`sync\` (a durable copy, as the build's fsyncs make it): ${cp_sync_s} s; no-op rebuild / full build: $(ratio "$noop_s" "$build_s")")
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
fs=$(df -T "$WORK" | awk 'NR == 2 { print $2 }')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- src 2>/dev/null | grep -q . && echo " (src/ modified)" || true)
version=$("$BIN" --version 2>/dev/null || echo nedetid)
table=$(
    cat <<EOF
# nedetid: end-to-end benchmark

Made by \`bash bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); $version, commit $commit$dirty.
Machine: $(nproc) CPUs ($cpu), $(free -g | awk '/^Mem:/ { print $2 }') GiB memory, $fs file system.
Data: \`bench/gen.rs\` seed $SEED, \`--now $NOW\`. Times are wall-clock seconds, the median of $RUNS runs; MB = 10^6 bytes.

| size | systems | events | occurrences | feeds | output MB | full build s | peak RSS MB | no-op rebuild s | cp -r s | build/cp ratio | fastest cp -r s | build/fastest cp | cp -r + sync s | build/durable copy | RSS/output ratio |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$(printf '%s\n' "${rows[@]}")

- events: \`BEGIN:VEVENT\` lines in \`all.ics\`; occurrences: \`nedetid list --format json | jq length\`; feeds: \`*.ics\` files.
- full build: \`nedetid build\` into an empty folder; peak RSS from GNU time (\`%M\`).
- cp -r: median and fastest of the runs (a copy disturbed by the machine is slower, which flatters the ratio); cp -r + sync: median, a durable copy as the build's fsyncs make its output.
$(printf '%s\n' "${proofs[@]}")

Targets (issue "Performance: a national-scale benchmark"): full build <= 3x \`cp -r\`; peak RSS <= 2x the output; no-op rebuild < 10% of a full build and writes nothing; costs linear in events.
EOF
)
echo "$table"
echo "$table" >"$RESULTS"
echo "== written to $RESULTS" >&2
