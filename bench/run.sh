#!/usr/bin/env bash
# End-to-end timing of the release binary on synthetic data (bench/gen.rs).
# For each size: $RUNS runs of the full build and the copy, interleaved so
# that each pair sees the same machine; then $RUNS runs of the rebuilds:
#
#   full build    `nedetid build` into a new, empty folder (wall, peak RSS)
#   durable copy  `cp -r` of that output into another new folder, then `sync`
#                 (the floor a build is compared with: the build fsyncs too)
#   edit          one outage's title changed in one schedule file, rebuilt
#                 into the folder of the full build (wall, files written)
#   no-op         the same again: nothing may be written (checked)
#   every file    the calendar name changed in the settings: every output
#                 file changes (wall, peak RSS: the memory worst case)
#
# Every column gives min, median and max over the runs. Prints the README
# "Performance" table and writes it, with the details of every run, to
# bench/results.md.
#
#   bash bench/run.sh                                # small, medium, national; 5 runs
#   SIZES="small medium" RUNS=3 bash bench/run.sh
#   NEDETID_BIN=/path/to/nedetid bash bench/run.sh   # another build (no cargo)
#   RESULTS=/tmp/r.md KEEP=1 bash bench/run.sh       # elsewhere; keep the data
#
# Needs about 13 GB of scratch space ($TMPDIR) for the three sizes with 5
# runs: every run's output and copies are kept until the end, then removed.
# On ext4 without a journal, creating files is slower for minutes after many
# files were removed (the inode allocator skips every inode freed recently,
# holding the folder's lock): this disturbs the build and the copy alike,
# which is why they are interleaved and compared run by run, why the full
# builds and copies of all runs come before the rebuilds that replace files,
# and why nothing is removed before the end. Let a few minutes pass between
# two runs of this script.
#
# The disk of a virtual machine is often rate-limited by a token bucket:
# on this project's machine the first 0.8-1 GB written after a pause go at
# 1.1-2 GB/s and the rest at 0.35-0.42 GB/s (`dd bs=1M count=600
# conv=fsync` four times in a row: 0.55 s, then 1.6, 1.7, 1.8 s; after 20 s
# idle, 0.3 s again). A national build writes 0.65 GB and its copy as much,
# so back to back the first full build would be timed on a full bucket
# and every later one on an empty one. At the sizes whose output is over
# $PAUSE_FROM_MB MB, every timed step that writes (full build, copy, edit,
# every file) starts after `sync` and $PAUSE seconds idle (default 20),
# as the nightly build on an idle server does; PAUSE=0 for a quick run.
#
# Needs /usr/bin/time (GNU time), jq and bc: installed with apt-get when
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"small medium national"}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
NOW=${NOW:-2025-06-01T08:00:00Z} # the same as bench/gen.rs's NOW
RESULTS=${RESULTS:-bench/results.md}
PAUSE=${PAUSE:-20}
PAUSE_FROM_MB=${PAUSE_FROM_MB:-200}
for n in PAUSE PAUSE_FROM_MB RUNS; do
    [[ ${!n} =~ ^[0-9]+$ ]] || { echo "$n must be a whole number, not '${!n}'" >&2; exit 2; }
done

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

# A build of "$1" (schedules) into "$2" (output), timed; GNU time's peak
# RSS (KB) goes to "$3".
build() {
    sync
    wall /usr/bin/time -f '%M' -o "$3" "$BIN" build --schedules "$1" --out "$2" --now "$NOW"
}

# Lets the disk's burst allowance refill (see above) when this size needs
# it ($pause set per size).
settle() {
    if [[ ${pause:-0} != 0 ]]; then
        sync
        sleep "$pause"
    fi
}

# Bytes of the published files in folder "$1": not the build's own (state
# of the folder, caches).
published_bytes() {
    find "$1" -type f ! -name '.nedetid*' -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { echo "scale=2; $1 / $2" | bc -l | sed 's/^\./0./'; }
# "min / median / max" of the arguments.
spread() {
    local sorted
    sorted=$(printf '%s\n' "$@" | sort -g)
    echo "$(head -1 <<<"$sorted") / $(median <<<"$sorted") / $(tail -1 <<<"$sorted")"
}
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k * 1024 / 1e6 }'; }

# Every file in the folder with inode, size and mtime (ns), but the run
# record (the one file a no-op run writes, for `nedetid status`, which also
# moves the folder's own mtime): identical
# before and after a rebuild means nothing else was written, replaced or
# removed.
listing() { find "$1" -mindepth 1 ! -name .nedetid-run.json -printf '%i %s %T@ %P\n' | sort -k4; }

# A copy of schedules "$1" in "$2" with the first title of the first file
# that has one changed: an edit of one outage (or rule) in one file.
edit_one() {
    cp -r "$1" "$2"
    local file
    file=$(grep -l -m1 '^ *title:' "$2"/*.yaml | head -1)
    awk '!done && /^ *title:/ { sub(/"?$/, " (endret)&"); done = 1 } { print }' "$file" >"$file.new"
    mv "$file.new" "$file"
    basename "$file"
}

# A copy of schedules "$1" in "$2" with another calendar name (every feed's
# name, the page and feeds.json change: every output file does).
rename_calendar() {
    cp -r "$1" "$2"
    local file
    file=$(grep -l -m1 '^ *calendar-name:' "$2"/*.yaml | head -1)
    sed -i -E 's/^( *calendar-name:) *"?([^"]*)"?$/\1 "\2 (ny)"/' "$file"
}

rows=()
notes=()
for size in $SIZES; do
    echo "== $size" >&2
    dir=$WORK/$size
    mkdir -p "$dir"
    "$GEN" --size "$size" --seed "$SEED" --out "$dir/schedules" >&2
    edited=$(edit_one "$dir/schedules" "$dir/edited")
    rename_calendar "$dir/schedules" "$dir/renamed"
    check=$("$BIN" check --schedules "$dir/schedules" --now "$NOW" 2>/dev/null)
    systems=$(sed -E 's/.*: ([0-9]+) systems.*/\1/' <<<"$check")

    fulls=() copies=() edits=() noops=() alls=() ratios=()
    full_rss=() edit_rss=() all_rss=() edit_written=()
    same="identical"
    # An untimed build first: the binary and the schedules in memory, and
    # its output's size says whether this size needs the pauses.
    build "$dir/schedules" "$dir/warm-up" "$dir/rss.warm-up" >/dev/null
    pause=0
    if ((PAUSE > 0 && $(published_bytes "$dir/warm-up") > PAUSE_FROM_MB * 1000000)); then
        pause=$PAUSE
        echo "== $size: output over $PAUSE_FROM_MB MB: sync and ${PAUSE}s idle before each timed write" >&2
    fi
    # First every run's full build and copy, which only create files; then
    # the rebuilds, which replace them (the build that changes every file
    # frees 9,000 inodes at national size, and ext4 then creates files
    # slower for minutes: a full build or copy right after it would measure
    # that, not itself).
    for run in $(seq "$RUNS"); do
        out=$dir/out.$run
        settle
        full=$(build "$dir/schedules" "$out" "$dir/rss.full")
        fulls+=("$full")
        full_rss+=("$(tail -1 "$dir/rss.full")")
        sync
        settle
        # shellcheck disable=SC2016 # the inner shell expands them
        copy=$(wall sh -c 'cp -r "$1" "$2" && sync' sh "$out" "$dir/copy.$run")
        copies+=("$copy")
        ratios+=("$(ratio "$full" "$copy")")
    done
    for run in $(seq "$RUNS"); do
        out=$dir/out.$run
        settle
        edits+=("$(build "$dir/edited" "$out" "$dir/rss.edit")")
        edit_rss+=("$(tail -1 "$dir/rss.edit")")
        edit_written+=("$(grep -E '^[0-9]+ created, [0-9]+ updated' "$WORK/last.out" |
            awk '{ print $1 + $3 }')")

        # No-op rebuild: nothing may be written. (The first read of a new
        # file updates its atime; a web server has done that long before
        # the nightly rebuild, so read them once first.)
        cat "$out"/* >/dev/null
        before=$(listing "$out")
        noops+=("$(build "$dir/edited" "$out" "$dir/rss.noop")")
        after=$(listing "$out")
        noop_said=$(tail -1 "$WORK/last.out")
        if [[ "$before" != "$after" ]]; then
            same="CHANGED"
            diff <(echo "$before") <(echo "$after") | head -5 >&2 || true
        fi

        settle
        alls+=("$(build "$dir/renamed" "$out" "$dir/rss.all")")
        all_rss+=("$(tail -1 "$dir/rss.all")")
        all_written=$(grep -E '^[0-9]+ created, [0-9]+ updated' "$WORK/last.out")
    done
    out=$dir/out.1
    out_bytes=$(published_bytes "$dir/copy.1")
    out_mb=$(awk -v b="$out_bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
    feeds=$(find "$out" -maxdepth 1 -name '*.ics' | wc -l)
    files=$(find "$dir/copy.1" -type f ! -name '.nedetid*' | wc -l)
    events=$(grep -c '^BEGIN:VEVENT' "$dir/copy.1/all.ics" || true)

    full_med=$(printf '%s\n' "${fulls[@]}" | median)
    full_min=$(printf '%s\n' "${fulls[@]}" | sort -g | head -1)
    copy_med=$(printf '%s\n' "${copies[@]}" | median)
    edit_med=$(printf '%s\n' "${edits[@]}" | median)
    noop_med=$(printf '%s\n' "${noops[@]}" | median)
    rss_max=$(printf '%s\n' "${full_rss[@]}" "${edit_rss[@]}" "${all_rss[@]}" | sort -g | tail -1)
    rows+=("| $size | $systems | $events | $feeds | $out_mb | $(spread "${fulls[@]}") | $(spread "${copies[@]}") | $(ratio "$full_med" "$copy_med") ($(spread "${ratios[@]}")) | $(ratio "$full_med" "$full_min") | $(spread "${edits[@]}") | $(ratio "$edit_med" "$full_med") | $(printf '%s\n' "${edit_written[@]}" | median) of $files | $(spread "${noops[@]}") | $(ratio "$noop_med" "$full_med") | $(spread "${alls[@]}") | $(mb "$rss_max") | $(ratio "$(mb "$rss_max")" "$out_mb") |")
    notes+=("- $size: edit: \`$edited\`, first title + \` (endret)\`; every file: \`calendar-name\` + \` (ny)\` (\`$all_written\`); no-op rebuild said \`$noop_said\`; the list of $(wc -l <<<"$after") paths with inode, size and mtime is $same before and after each no-op rebuild")
    notes+=("- $size: peak RSS MB, full build: $(for k in "${full_rss[@]}"; do printf '%s ' "$(mb "$k")"; done)| edit: $(for k in "${edit_rss[@]}"; do printf '%s ' "$(mb "$k")"; done)| every file: $(for k in "${all_rss[@]}"; do printf '%s ' "$(mb "$k")"; done)")
    notes+=("- $size: runs in order (s): full ${fulls[*]} | durable copy ${copies[*]} | edit ${edits[*]} | no-op ${noops[*]} | every file ${alls[*]}")
    # Kept until the end: removing them now would slow the next size's
    # builds and copies alike (see above).
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
fs=$(df -T "$WORK" | awk 'NR == 2 { print $2 }')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- src 2>/dev/null | grep -q . && echo " (src/ modified)" || true)
version=$("$BIN" --version 2>/dev/null || echo nedetid)
load=$(cut -d' ' -f1-3 /proc/loadavg)
table=$(
    cat <<EOF
# nedetid: end-to-end benchmark

Made by \`RUNS=$RUNS bash bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); $version, commit $commit$dirty.
Machine: $(nproc) CPUs ($cpu), $(free -g | awk '/^Mem:/ { print $2 }') GiB memory, $fs file system; load average at the end $load.
Data: \`bench/gen.rs\` seed $SEED, \`--now $NOW\`. Times are wall-clock seconds as min / median / max of $RUNS runs; ratios are of medians; MB = 10^6 bytes. At sizes whose output is over $PAUSE_FROM_MB MB, each timed full build, copy, edit and every-file build started after \`sync\` and ${PAUSE} s idle (the disk's burst allowance refilled; see the script).

| size | systems | events | feeds | output MB | full build s | durable copy s | full / durable (per run) | full median / best | edit of one file s | edit / full | files written by the edit | no-op s | no-op / full | every file changes s | peak RSS MB | RSS / output |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$(printf '%s\n' "${rows[@]}")

- full build: \`nedetid build\` into an empty folder; durable copy: \`cp -r\` of its output into an empty folder, then \`sync\`, right after it; full / durable: of the medians, and (min / median / max) of each run's own ratio.
- edit: one title in one schedule file changed, rebuilt into the full build's folder; files written: created + updated, of all files in the folder (the feeds, \`index.html\`, \`feeds.json\`, \`manifest.json\`).
- no-op: the edited schedules again; every file's inode, size and mtime checked unchanged but the run record's.
- every file changes: the calendar name changed in the settings, rebuilt into the same folder.
- peak RSS: GNU time (\`%M\`), the largest of the full, edit and every-file builds.
$(printf '%s\n' "${notes[@]}")

Targets (issue 16): full build median <= 4x the durable copy, and <= 1.3x the best full build; edit of one file <= 25% of a full build; peak RSS <= 1.5x the output, also when every file changes; no-op < 10% of a full build and writes nothing.
EOF
)
echo "$table"
echo "$table" >"$RESULTS"
echo "== written to $RESULTS" >&2
