#!/usr/bin/env bash
# Interop suite: the parsers real calendar clients use are the oracles.
#
# For the 2019 page (tests/fixtures/page-2019) and every tests/interop/fixtures/*/ it builds the
# feeds with nedetid, reads every .ics with four engines: ical.js
# (Thunderbird), Python icalendar + recurring-ical-events, libical 3
# (Evolution; libical_expand.c) and Python `ical` (Home Assistant), and checks
# that each sees exactly the occurrences `nedetid list --format json` gives
# for that feed, in both --recurrence forms. Known engine quirks are shown by
# minimal feeds in quirks/ (asserted by quirks.py) and, where one shows up in
# a feed nedetid writes correctly, counted by name in verify.py. It also
# lints the files (floating times, TZIDs without VTIMEZONE, TRANSP, RDATE),
# and checks nedetid's own expansion of every maintenance rule (above all
# those it keeps expanded, whose RRULE no parser ever reads) against the RRULE
# engines of ical.js and libical (rulecheck.py).
#
# Fixtures: tests/interop/fixtures/<name>/*.yaml, built with --now
# 2019-01-01T00:00:00Z or with the value in tests/interop/fixtures/<name>/now.
#
# usage: bash tests/interop/run.sh        (from any directory)
# env:   NEDETID_BIN=path  use this binary instead of `cargo build` + target/debug/nedetid
#        INTEROP_KEEP=1    keep the work folder (it is kept anyway on failure)
#        INTEROP_VERBOSE=1 list the notes (events an RRULE expansion would misread)
#        INTEROP_FIXTURES=dir  run the fixtures in dir instead of tests/interop/fixtures
#
# The oracles are installed, pinned, into tests/interop/.deps/ (git-ignored)
# from the npm registry and PyPI, once; a stamp file keyed on the pins
# skips the install on later runs. libical comes from Debian (apt-get, once,
# as root, like the browser suite's Chromium); libical_expand.c is compiled
# with gcc into .deps on every run (a second).
#
# fixtures-pending/ holds fixtures for known nedetid defects; they are not
# run by default (INTEROP_FIXTURES=tests/interop/fixtures-pending runs them).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
deps="$here/.deps"
default_now="2019-01-01T00:00:00Z"

say() { printf 'interop: %s\n' "$*" >&2; }
# shellcheck source=../lib.sh
source "$root/tests/lib.sh"

tools=(node npm python3 gcc sha256sum)
[[ -n "${NEDETID_BIN:-}" ]] || tools+=(cargo)
for tool in "${tools[@]}"; do
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
# libical 3 from Debian: the library and its headers (libical-dev).
install_libical() {
    local as_root=()
    [[ -f /usr/include/libical/ical.h ]] && return
    if [[ "$(id -u)" -ne 0 ]]; then
        command -v sudo > /dev/null 2>&1 || { say "libical-dev is missing and this user can not install it (not root, no sudo)"; exit 2; }
        as_root=(sudo)
    fi
    say "installing Debian's libical-dev"
    "${as_root[@]}" apt-get update -q >&2
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends libical-dev >&2
    [[ -f /usr/include/libical/ical.h ]] || { say "no libical headers after the install"; exit 2; }
}
started=$SECONDS
install_libical
install_oracles
libical="$deps/libical_expand"
gcc -std=c11 -O2 -Wall -Wextra -Werror -o "$libical" "$here/libical_expand.c" -lical
(( SECONDS - started < 2 )) || say "oracles ready in $((SECONDS - started)) s"
export INTEROP_LIBICAL="$libical"
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
    # A schedule nedetid refuses is reported and left out (the others still
    # run); the run then fails.
    if ! "$bin" build "${args[@]}" --out "$d/out" > "$d/build.log" 2>&1; then
        grep -E '^error' "$d/build.log" >&2 || cat "$d/build.log" >&2
        say "nedetid build refused $name [$form] (log: $d/build.log)"
        return 1
    fi
    "$bin" list "${args[@]}" --format json > "$d/expected/all.json" 2>> "$d/build.log" || exit 1
    for ics in "$d"/out/*.ics; do
        id="$(basename "$ics" .ics)"
        [[ "$id" == all ]] && continue
        "$bin" list "${args[@]}" --system "$id" --format json > "$d/expected/$id.json" \
            2>> "$d/build.log" || exit 1
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
)" || exit 1
    # --- 4. the oracles read every feed -------------------------------------
    node "$here/check.mjs" --until "$until" "$d"/out/*.ics > "$d/ical.js.json" || exit 1
    "$py" "$here/check.py" --until "$until" "$d"/out/*.ics > "$d/icalendar.json" || exit 1
    "$libical" --until "$until" "$d"/out/*.ics > "$d/libical.jsonl" || exit 1
    "$py" "$here/check_ical.py" --until "$until" "$d"/out/*.ics > "$d/ical.json" || exit 1
}

fixtures="${INTEROP_FIXTURES:-$here/fixtures}"
datasets=()
sources=("default=$root/tests/fixtures/page-2019=$default_now")
for fixture in "$fixtures"/*/; do
    now="$default_now"
    [[ -f "$fixture/now" ]] && now="$(tr -d '[:space:]' < "$fixture/now")"
    sources+=("$(basename "$fixture")=${fixture%/}=$now")
done
refused=()
for form in expand rrule; do
    for source in "${sources[@]}"; do
        IFS='=' read -r name dir now <<< "$source"
        # (errexit does not reach into a function called as a condition:
        # run_dataset exits by itself on any other error.)
        if run_dataset "$name" "$dir" "$now" "$form"; then
            datasets+=("$work/$name-$form")
        else
            refused+=("$name [$form]")
        fi
    done
done

# --- 5/6. lint, compare, summarise --------------------------------------------
# The engines' known quirks, each on its minimal feed: still as recorded?
"$py" "$here/quirks.py" "$here/quirks"
# Plant known faults in the oslo fixture's feed: the suite must see them.
if [[ -d "$work/oslo-expand" ]]; then
    "$py" "$here/selftest.py" "$work/oslo-expand"
else
    say "selftest skipped: no oslo fixture in ${fixtures#"$root"/}"
fi
status=0
"$py" "$here/verify.py" "${datasets[@]}" || status=1
# Both forms must give the same occurrences in every engine (UIDs differ:
# a series shares one UID in the RRULE form).
"$py" "$here/forms.py" "$work" || status=1
# nedetid's expansion of every rule against the RRULE engines of ical.js and
# libical (the dates do not depend on the form: run on the rrule datasets,
# which also tell which series stay expanded).
rule_args=()
for source in "${sources[@]}"; do
    IFS='=' read -r name dir now <<< "$source"
    [[ -d "$work/$name-rrule/out" ]] && rule_args+=("$dir" "$work/$name-rrule")
done
if [[ -d "$work/default-rrule/out" ]]; then
    "$py" "$here/rulecheck.py" --selftest "$root/tests/fixtures/page-2019" "$work/default-rrule" || status=1
fi
"$py" "$here/rulecheck.py" "${rule_args[@]}" || status=1
if (( ${#refused[@]} )); then
    say "FAILED: nedetid refused ${#refused[@]} dataset(s): ${refused[*]}"
    status=1
fi
exit "$status"
