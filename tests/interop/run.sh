#!/usr/bin/env bash
# Interop suite: the parsers real calendar clients use are the oracles.
#
# For the default schedules and every tests/interop/fixtures/*/ it builds the
# feeds with nedetid, reads every .ics with ical.js (Thunderbird) and with
# Python icalendar + recurring-ical-events, and checks that both see exactly
# the occurrences `nedetid list --format json` gives for that feed. It also
# lints the files (floating times, TZIDs without VTIMEZONE, TRANSP, RDATE).
#
# Fixtures: tests/interop/fixtures/<name>/*.yaml, built with --now
# 2019-01-01T00:00:00Z or with the value in tests/interop/fixtures/<name>/now.
#
# usage: bash tests/interop/run.sh        (from any directory)
# env:   NEDETID_BIN=path  use this binary instead of `cargo build` + target/debug/nedetid
#        INTEROP_KEEP=1    keep the work folder (it is kept anyway on failure)
#        INTEROP_VERBOSE=1 list the notes (events an RRULE expansion would misread)
#
# The oracles are installed, pinned, into tests/interop/.deps/ (git-ignored)
# from the npm registry and PyPI, once; a stamp file keyed on the pins
# skips the install on later runs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
deps="$here/.deps"
default_now="2019-01-01T00:00:00Z"

say() { printf 'interop: %s\n' "$*" >&2; }
# shellcheck source=../lib.sh
source "$root/tests/lib.sh"

for tool in node npm python3 cargo sha256sum; do
    command -v "$tool" > /dev/null || { say "needs $tool on PATH"; exit 2; }
done

# --- 1. oracles ---------------------------------------------------------------
install_oracles() {
    local stamp="$deps/stamp" key
    # The stamp is keyed on every pin (and the interpreters' versions).
    key="$(cat "$here/package.json" "$here/package-lock.json" "$here/requirements.txt" \
        | sha256sum | cut -d' ' -f1) node $(node --version) $(python3 --version 2>&1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$key" && -x "$deps/venv/bin/python" \
          && -f "$deps/node/node_modules/ical.js/package.json" ]]; then
        return
    fi
    say "installing the oracles into ${deps#"$root"/}"
    rm -rf "$deps"
    mkdir -p "$deps/node"
    # npm ci wants package.json and the lock file where it installs.
    cp "$here/package.json" "$here/package-lock.json" "$deps/node/"
    npm ci --prefix "$deps/node" --no-audit --no-fund --ignore-scripts --loglevel=error >&2
    python3 -m venv "$deps/venv"
    "$deps/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: -r "$here/requirements.txt" >&2
    "$deps/venv/bin/pip" check >&2
    printf '%s\n' "$key" > "$stamp"
}
install_oracles
py="$deps/venv/bin/python"
# Python's zoneinfo would prefer the system's tz files; use the pinned tzdata.
export PYTHONTZPATH=""
# No __pycache__ beside the scripts (selftest.py imports verify.py).
export PYTHONDONTWRITEBYTECODE=1
# ical.js must not fall back to the machine's zone for anything.
export TZ=UTC

# --- 2. the binary ------------------------------------------------------------
find_nedetid

make_work interop INTEROP_KEEP

# --- 3. build and list every dataset ------------------------------------------
# run_dataset NAME SCHEDULE_DIR NOW FORM: writes $work/NAME-FORM/{out,expected,...}.
# FORM is the --recurrence form: expand (one VEVENT per occurrence) or rrule
# (one VEVENT per series with EXDATE and RECURRENCE-ID overrides).
run_dataset() {
    local name="$1" dir="$2" now="$3" form="$4" d="$work/$1-$4" ics id until
    local args=(--schedules "$dir" --now "$now" --recurrence "$form")
    mkdir -p "$d/expected"
    printf '%s\n' "$name [$form]" > "$d/name"
    printf '%s\n' "$now" > "$d/now"
    # Warnings (overlaps the fixtures make on purpose) go to the log.
    "$bin" build "${args[@]}" --out "$d/out" > "$d/build.log" 2>&1
    "$bin" list "${args[@]}" --format json > "$d/expected/all.json" 2>> "$d/build.log"
    for ics in "$d"/out/*.ics; do
        id="$(basename "$ics" .ics)"
        [[ "$id" == all ]] && continue
        "$bin" list "${args[@]}" --system "$id" --format json > "$d/expected/$id.json" 2>> "$d/build.log"
    done
    # Expand up to two years past the last occurrence (or --now): far enough
    # to see any occurrence a rule in a feed would add after nedetid's last.
    until="$("$py" - "$d/expected/all.json" "$now" <<'EOF'
import datetime as dt, json, sys
ends = [i["end"] for i in json.load(open(sys.argv[1]))] + [sys.argv[2]]
def at(s):  # "2019-01-03T15:00:00Z", "2019-05-28" or another --now form
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)
print((max(map(at, ends)) + dt.timedelta(days=731)).strftime("%Y-%m-%dT%H:%M:%SZ"))
EOF
)"
    # --- 4. the oracles read every feed -------------------------------------
    node "$here/check.mjs" --until "$until" "$d"/out/*.ics > "$d/ical.js.json"
    "$py" "$here/check.py" --until "$until" "$d"/out/*.ics > "$d/icalendar.json"
}

datasets=()
for form in expand rrule; do
    run_dataset default "$root/schedules" "$default_now" "$form"
    datasets+=("$work/default-$form")
    for fixture in "$here"/fixtures/*/; do
        name="$(basename "$fixture")"
        now="$default_now"
        [[ -f "$fixture/now" ]] && now="$(tr -d '[:space:]' < "$fixture/now")"
        run_dataset "$name" "${fixture%/}" "$now" "$form"
        datasets+=("$work/$name-$form")
    done
done

# --- 5/6. lint, compare, summarise --------------------------------------------
# First plant known faults in the oslo fixture's feed: the suite must see them.
"$py" "$here/selftest.py" "$work/oslo-expand"
"$py" "$here/verify.py" "${datasets[@]}"
# Both forms must give the same occurrences in both parsers (UIDs differ:
# a series shares one UID in the RRULE form).
"$py" "$here/forms.py" "$work"
