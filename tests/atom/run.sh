#!/usr/bin/env bash
# Atom suite: the .atom feeds nedetid writes beside each .ics.
#
# Builds the 2019 page (tests/fixtures/page-2019), the three language
# fixtures (tests/fixtures/valid/language-{nb,nn,en}) and the bundles one
# (tests/fixtures/valid/bundles-and-dependencies) and reads every .atom
# with Python's feedparser (pinned; no `bozo` flag allowed) and with the
# RFC 4287 checks of check.py. Planted faults (an entry without `updated`,
# a date that is not RFC 3339, a repeated id, two alternate links of one
# type, a feed without author) must each be found. Then the change story:
# the 2019 page built on 1 November 2019, then again on 10 November after an
# edit, a move and a cancellation: exactly those three entries come first,
# as "Endret", "Endret" and "AVLYST", with the second build's time, and
# every other entry keeps "Ny" and the first build's time. The entries
# before and after are printed (tests/atom/.deps/story.txt keeps them).
#
# usage: bash tests/atom/run.sh        (from any directory)
# env:   NEDETID_BIN=path  use this binary instead of `cargo build` + target/debug/nedetid
#        ATOM_KEEP=1       keep the work folder (it is kept anyway on failure)
#
# feedparser and its one dependency are installed, pinned
# (requirements.txt), into tests/atom/.deps/venv (git-ignored), once; a
# stamp file keyed on the pins skips the install on later runs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
deps="$here/.deps"

say() { printf 'atom: %s\n' "$*" >&2; }
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$root/tests/lib.sh"

for tool in python3 sha256sum; do
    command -v "$tool" > /dev/null || { say "needs $tool on PATH"; exit 2; }
done

# --- 1. the oracle -------------------------------------------------------------
key="$(sha256sum < "$here/requirements.txt" | cut -d' ' -f1) $(python3 --version 2>&1)"
if [[ ! -f "$deps/stamp" || "$(cat "$deps/stamp")" != "$key" || ! -x "$deps/venv/bin/python" ]]; then
    say "installing feedparser into ${deps#"$root"/}"
    rm -rf "$deps"
    python3 -m venv "$deps/venv"
    "$deps/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: -r "$here/requirements.txt" >&2
    "$deps/venv/bin/pip" check >&2
    printf '%s\n' "$key" > "$deps/stamp"
fi
py="$deps/venv/bin/python"
export PYTHONDONTWRITEBYTECODE=1

# --- 2. the feeds ----------------------------------------------------------------
find_nedetid
make_work atom ATOM_KEEP

build() { # schedules out now
    (cd "$root" && "$bin" build --schedules "$1" --out "$2" --now "$3") > "$2.log" 2>&1 || {
        cat "$2.log" >&2
        say "nedetid build of $1 failed"
        exit 1
    }
}
build tests/fixtures/page-2019 "$work/page-2019" 2019-11-01T00:00:00Z
for lang in nb nn en; do
    build "tests/fixtures/valid/language-$lang" "$work/language-$lang" 2019-11-30T12:00:00Z
done
# Bundles, a dependency's outage in its dependants' feeds, impact levels.
build tests/fixtures/valid/bundles-and-dependencies "$work/bundles" "$(cat "$root/tests/interop/fixtures/bundles-and-dependencies/now")"

shopt -s nullglob
feeds=("$work"/*/*.atom)
(( ${#feeds[@]} >= 16 )) || { say "only ${#feeds[@]} .atom files were written"; exit 1; }
"$py" "$here/check.py" "${feeds[@]}"

# --- 3. the checks find planted faults ---------------------------------------------
plant() { # name, python replacing text in `s`
    local bad="$work/planted-$1.atom"
    "$py" - "$work/page-2019/all.atom" "$bad" "$2" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
exec(sys.argv[3])
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
    if "$py" "$here/check.py" "$bad" 2> "$bad.err"; then
        say "the planted fault '$1' was not found"
        exit 1
    fi
}
plant no-entry-updated 's = s.replace("<updated>", "<published>", 2).replace("</updated>", "</published>", 2).replace("<published>", "<updated>", 1).replace("</published>", "</updated>", 1)'
plant bad-date 's = s.replace("Z</updated>", "</updated>", 1)'
plant repeated-id 'import re; ids = re.findall(r"<entry>\n<id>([^<]*)</id>", s); s = s.replace(ids[1], ids[0])'
plant two-alternates 's = s.replace("<link rel=\"related\" type=\"text/calendar\"", "<link rel=\"alternate\" type=\"text/html\"", 1)'
plant no-author 'import re; s = re.sub(r"<author>.*?</author>\n", "", s, count=1)'
plant not-xml 's = s.replace("</title>", "</titel>", 1)'
say "6 planted faults found"

# --- 4. an edit, a move and a cancellation ----------------------------------------------
story="$work/story"
cp -r "$root/tests/fixtures/page-2019" "$story"
build "$story" "$work/story-out" 2019-11-01T00:00:00Z
cp "$work/story-out/all.atom" "$work/before.atom"
"$py" - "$story/nedetid-2019.yaml" <<'PY'
import sys
path = sys.argv[1]
s = open(path, encoding="utf-8").read()
edits = [
    # an edit: a new title
    ("title: Vedlikehold på nettverksinfrastruktur i Gjøvik kommune",
     "title: Vedlikehold på nettverk i Gjøvik kommune (utvidet)"),
    # a move: two days later
    ("first-day: 2019-12-16\n    last-day: 2019-12-17",
     "first-day: 2019-12-18\n    last-day: 2019-12-19"),
    # a cancellation
    ("    title: Gjøvikregionens datautstyr flyttes til ny datahall\n",
     "    title: Gjøvikregionens datautstyr flyttes til ny datahall\n    status: cancelled\n"),
]
for old, new in edits:
    assert s.count(old) == 1, old
    s = s.replace(old, new)
open(path, "w", encoding="utf-8").write(s)
PY
build "$story" "$work/story-out" 2019-11-10T08:00:00Z
cp "$work/story-out/all.atom" "$work/after.atom"
"$py" "$here/check.py" "$work/before.atom" "$work/after.atom"
"$py" - "$work/before.atom" "$work/after.atom" <<'PY' | tee "$deps/story.txt" >&2
import sys
import feedparser

before, after = (feedparser.parse(p) for p in sys.argv[1:3])
def show(name, feed, n):
    print(f"{name} ({len(feed.entries)} entries; feed updated {feed.feed.updated}):")
    for e in feed.entries[:n]:
        print(f"  {e.updated}  {e.title}\n      {e.id}\n      {e.content[0].value.splitlines()[0]}")
show("before", before, 4)
show("after", after, 4)

uid = "tag:nedetid.vestre-toten.kommune.no,2000:"
changed = {
    uid + "2019-11-14-nettverk-gjovik": "Endret: Internett, Telefoni: Vedlikehold på nettverk i Gjøvik kommune (utvidet)",
    uid + "2019-12-visma-2019-3": "Endret: Visma: Oppgradering av Visma Enterprise til versjon 2019.3",
    uid + "2019-11-29-flytting-datahall": "AVLYST: Alle systemer: Gjøvikregionens datautstyr flyttes til ny datahall",
}
print("the three changed entries, before -> after:")
for eid in changed:
    for name, feed in (("before", before), ("after", after)):
        e = next((e for e in feed.entries if e.id == eid), None)
        if e is not None:
            print(f"  {name:6} {e.updated}  {e.title}\n         {e.content[0].value.splitlines()[0]}")
problems = []
top = {e.id: e for e in after.entries[:3]}
if set(top) != set(changed):
    problems.append(f"the first three entries are {sorted(top)}, not the changed ones")
for eid, title in changed.items():
    e = next((e for e in after.entries if e.id == eid), None)
    if e is None:
        problems.append(f"{eid} is missing after the change")
        continue
    if e.title != title:
        problems.append(f"{eid}: title {e.title!r}, expected {title!r}")
    if e.updated != "2019-11-10T08:00:00Z":
        problems.append(f"{eid}: updated {e.updated}, expected the second build's time")
if "18. desember 2019" not in next(e for e in after.entries if e.id.endswith("visma-2019-3")).content[0].value:
    problems.append("the moved entry does not say its new date")
for e in after.entries:
    if e.id in changed:
        continue
    old = next((b for b in before.entries if b.id == e.id), None)
    if old is None or (e.title, e.updated) != (old.title, old.updated) or not e.title.startswith("Ny: "):
        problems.append(f"{e.id}: an unchanged entry changed: {e.title!r} {e.updated}")
if len(after.entries) != len(before.entries):
    problems.append(f"{len(before.entries)} entries before, {len(after.entries)} after")
if after.feed.updated != "2019-11-10T08:00:00Z":
    problems.append(f"feed updated {after.feed.updated}")
for p in problems:
    print("atom: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
# A rebuild of the same schedules at a later time writes nothing.
(cd "$root" && "$bin" build --schedules "$story" --out "$work/story-out" --now 2019-11-10T09:00:00Z) > "$work/noop.log" 2>&1
cmp "$work/after.atom" "$work/story-out/all.atom" || { say "a rebuild changed all.atom"; exit 1; }
say "passed: the edit, the move and the cancellation are the three newest entries"
