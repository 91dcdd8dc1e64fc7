"""The engines' known quirks, each shown by a minimal hand-written feed.

usage: python quirks.py QUIRKS_DIR            (tests/interop/quirks)
       python quirks.py --record QUIRKS_DIR   (print what the engines read now)

QUIRKS_DIR/expected.json records, per feed, what RFC 5545 says the feed
means (`rfc`), which engines have the quirk (`quirk_in`) and what every one
of the four engines reads (`read`: [uid, start, end] per occurrence, sorted;
or {"error": text} when the engine refuses the file). This script reads each
feed with all four engines (the same programs as the main comparison) and
fails when an engine no longer reads it as recorded, or when an engine said
to have the quirk now reads what the RFC says: a new engine version then
changed behaviour, and verify.py's accounting (QUIRKS, named after these
feeds) and calendar-clients.md need a look.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import verify

HERE = Path(__file__).resolve().parent
UNTIL = "2030-01-01T00:00:00Z"


def read_all(files):
    libical = os.environ.get("INTEROP_LIBICAL", str(HERE / ".deps" / "libical_expand"))
    commands = {
        "ical.js": ["node", str(HERE / "check.mjs")],
        "icalendar+recurring-ical-events": [sys.executable, str(HERE / "check.py")],
        "libical": [libical],
        "ical": [sys.executable, str(HERE / "check_ical.py")],
    }
    read = {}
    with tempfile.TemporaryDirectory(prefix="nedetid-quirks.") as tmp:
        for engine, file in verify.PARSERS:
            out = subprocess.run([*commands[engine], "--until", UNTIL, *map(str, files)],
                                 check=True, capture_output=True, text=True, timeout=600).stdout
            (Path(tmp) / file).write_text(out, encoding="utf-8")
            read[engine] = {Path(k).name: v for k, v in verify.read_results(Path(tmp) / file).items()}
    return read


def reading(result):
    """An engine's reading of one file, in expected.json's form."""
    if result is None:
        return {"error": "no result"}
    fatal = [e for e in result["errors"] if "failed" in e]
    if fatal and not result["occurrences"]:
        return {"error": fatal[0]}
    return sorted([o["uid"].split("@")[0], o["start"], o["end"]] for o in result["occurrences"])


def matches(recorded, now):
    if isinstance(recorded, dict):
        return isinstance(now, dict) and recorded["error"] in now["error"]
    return recorded == now


def main(argv):
    record = argv[:1] == ["--record"]
    folder = Path(argv[-1])
    files = sorted(folder.glob("*.ics"))
    read = read_all(files)
    if record:
        out = {f.name: {e: reading(read[e].get(f.name)) for e, _ in verify.PARSERS} for f in files}
        json.dump(out, sys.stdout, indent=1)
        print()
        return 0
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    failed = []
    if sorted(expected) != [f.name for f in files]:
        failed.append(f"expected.json lists {sorted(expected)}, the folder has {[f.name for f in files]}")
    shown, accounted = [], []
    for f in files:
        want = expected.get(f.name)
        if want is None:
            continue
        for engine, _ in verify.PARSERS:
            now = reading(read[engine].get(f.name))
            if not matches(want["read"][engine], now):
                failed.append(f"{f.name}: {engine} now reads {now}, recorded {want['read'][engine]}")
            elif engine in want["quirk_in"] and matches(want["rfc"], now):
                failed.append(f"{f.name}: {engine} now reads what RFC 5545 says: the quirk is gone")
        shown.append(f"{want['quirk']} ({', '.join(want['quirk_in'])})")
        # verify.py's accounting for a quirk named after this feed must
        # explain the whole difference between the engine and the RFC.
        for name, engine, feed, _ in verify.QUIRKS:
            if Path(feed).name != f.name:
                continue
            got = read[engine][f.name]["occurrences"]
            # The RFC list has no summaries: an occurrence's is the engine's
            # at the same start, else its series' (the first one read).
            series = {}
            for o in got:
                series.setdefault(o["uid"], o["summary"])
            at = {(o["uid"], o["start"]): o["summary"] for o in got}
            rfc = []
            for u, s, e in want["rfc"]:
                uid = f"{u}@quirks.invalid"
                rfc.append({"uid": uid, "summary": at.get((uid, s), series.get(uid, "")), "start": s, "end": e})
            exp, act, counted = verify.account_quirks(engine, f, rfc, got)
            left = verify.diff(exp, act)
            if left or not counted[name]:
                failed.append(f"{f.name}: verify.py's {name} does not explain {engine}'s reading: "
                              f"{left or 'nothing counted'}")
            else:
                accounted.append(f"{name} {counted[name]}")
    if failed:
        print("interop: quirks CHANGED (update quirks/expected.json, verify.QUIRKS and "
              "calendar-clients.md if the new reading is right):")
        print("\n".join(f"- {x}" for x in failed))
        return 1
    print(f"interop: quirks: {len(files)} minimal feeds read by {len(verify.PARSERS)} engines as recorded; "
          f"still there: {'; '.join(shown)}")
    print(f"interop: quirks: verify.py's accounting explains them on their feeds ({', '.join(accounted)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
