"""Self-test: the oracles and the lint must catch known faults.

usage: python selftest.py DATASET_DIR     (the `oslo` dataset of a run)

Takes the fixture's all.ics, which verify.py has just passed, writes
variants with one known fault each and one in the series form nedetid will
publish later (RRULE + EXDATE + a RECURRENCE-ID override), reads them all
with all four engines (check.mjs, check.py, libical_expand, check_ical.py),
and checks that each fault is reported and the series form is read as the
same occurrences by every engine. A suite whose
oracles stopped seeing anything (say, ical.js no longer registering the
VTIMEZONE) fails here instead of passing everything.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import verify

HERE = Path(__file__).resolve().parent
CRLF = "\r\n"

# --- the series form: `sondagsnatt-var` (Sundays 01:00-04:00 Europe/Oslo,
# 2019-03-03 to 2019-04-14, across the skipped hour on 2019-03-31) as one
# VEVENT with a rule, one date excluded and one occurrence moved.
SERIES_ID = "sondagsnatt-var"
SERIES_UID = "sondagsnatt-var@oslo.interop.invalid"
SERIES = """BEGIN:VEVENT
UID:{uid}
DTSTAMP:20190101T000000Z
DTSTART;TZID=Europe/Oslo:20190303T010000
DTEND;TZID=Europe/Oslo:20190303T040000
RRULE:FREQ=WEEKLY;BYDAY=SU;UNTIL=20190413T230000Z
EXDATE;TZID=Europe/Oslo:20190317T010000
SUMMARY:{summary}
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
UID:{uid}
DTSTAMP:20190101T000000Z
RECURRENCE-ID;TZID=Europe/Oslo:20190324T010000
DTSTART;TZID=Europe/Oslo:20190323T220000
DTEND;TZID=Europe/Oslo:20190324T000000
SUMMARY:Flyttet: {summary}
TRANSP:TRANSPARENT
END:VEVENT
"""


def escape(text):
    return re.sub(r"([\\;,])", r"\\\1", text).replace("\n", "\\n")


def series_case(text, expected):
    """all.ics and the expected list with the series in RRULE form.

    The expected list is what ical.js, icalendar and ical read: each
    instance ends at its DTEND's wall-clock time. libical gives every
    instance the master's DTEND - DTSTART in real time (RFC 5545 3.8.5.3,
    quirks/dst-spanning-instance.ics): 2019-03-31 01:00-04:00 across the
    skipped hour lasts 3 h there, not 2 (libical_want)."""
    blocks = re.split(r"(?=BEGIN:VEVENT\r\n)", text.split("END:VCALENDAR")[0])
    ours = [b for b in blocks if f"UID:{SERIES_ID}.2" in b]
    assert len(ours) == 7, f"the fixture changed: {len(ours)} VEVENTs of {SERIES_ID}"
    summary = next(o["summary"] for o in expected if o["uid"].startswith(SERIES_ID + ".2"))
    series = SERIES.format(uid=SERIES_UID, summary=escape(summary)).replace("\n", CRLF)
    text = "".join(b for b in blocks if b not in ours) + series + "END:VCALENDAR" + CRLF
    want = []
    for o in expected:
        if not o["uid"].startswith(SERIES_ID + ".2"):
            want.append(o)
        elif "20190317" in o["uid"]:
            continue  # the EXDATE
        elif "20190324" in o["uid"]:
            want.append(dict(o, uid=SERIES_UID, summary="Flyttet: " + summary,
                             start="2019-03-23T21:00:00Z", end="2019-03-23T23:00:00Z"))
        else:
            want.append(dict(o, uid=SERIES_UID))
    return text, want


def libical_want(want):
    """The series form as libical reads it (see series_case)."""
    out = []
    for o in want:
        if o["uid"] == SERIES_UID and o["start"] == "2019-03-31T00:00:00Z":
            o = dict(o, end="2019-03-31T03:00:00Z")
        out.append(o)
    return out


def sub(old, new, count=1):
    """A fault: replace `old` (a regular expression) in the file."""
    def apply(text):
        changed, n = re.subn(old, new, text, count=count)
        assert n, f"the fixture changed: no {old!r} in all.ics"
        return changed
    return apply


# (name, fault, what the report must say)
FAULTS = [
    ("wrong-dst-rule", sub(r"BYMONTH=3;BYDAY=-1SU", "BYMONTH=3;BYDAY=2SU"),
     "VTIMEZONE gives UTC"),
    ("floating-time", sub(r"DTSTART;TZID=Europe/Oslo:(\d{8}T\d{6})", r"DTSTART:\1"),
     "floating time DTSTART"),
    ("undeclared-zone", sub(r"DTEND;TZID=Europe/Oslo:", "DTEND;TZID=Europe/Olso:"),
     "TZID=Europe/Olso has no VTIMEZONE"),
    ("opaque", sub(r"TRANSP:TRANSPARENT\r\n", ""), "VEVENT without TRANSP:TRANSPARENT"),
    ("rdate", sub(r"END:DAYLIGHT", "RDATE:20190331T020000\r\nEND:DAYLIGHT"), "RDATE"),
    ("escaping", sub(r"SUMMARY:(.*?)\\,", r"SUMMARY:\1\\\\,"), "disagrees with `nedetid list`"),
    ("utc-shift", sub(r"DTSTART;TZID=Europe/Oslo:(\d{8})T03", r"DTSTART;TZID=Europe/Oslo:\1T04"),
     "disagrees with `nedetid list`"),
    ("lost-event", sub(r"BEGIN:VEVENT\r\n(?:(?!END:VEVENT).*\r\n)*?END:VEVENT\r\n", ""),
     "missing in parser"),
]


def main(dataset):
    dataset = Path(dataset)
    with open(dataset / "out" / "all.ics", encoding="utf-8", newline="") as f:
        original = f.read()
    expected = verify.expected_occurrences(dataset / "expected" / "all.json")
    until = "2023-01-01T00:00:00Z"
    with tempfile.TemporaryDirectory(prefix="nedetid-selftest.") as tmp:
        tmp = Path(tmp)
        cases = {}
        for name, fault, _ in FAULTS:
            cases[name] = (fault(original), expected)
        cases["series-form"] = series_case(original, expected)
        files = []
        for name, (text, _) in cases.items():
            path = tmp / f"{name}.ics"
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            files.append(str(path))
        libical = os.environ.get("INTEROP_LIBICAL", str(HERE / ".deps" / "libical_expand"))
        commands = {
            "ical.js": ["node", str(HERE / "check.mjs")],
            "icalendar+recurring-ical-events": [sys.executable, str(HERE / "check.py")],
            "libical": [libical],
            "ical": [sys.executable, str(HERE / "check_ical.py")],
        }
        read = {}
        for engine, file in verify.PARSERS:
            out = subprocess.run([*commands[engine], "--until", until, *files],
                                 check=True, capture_output=True, text=True, timeout=600).stdout
            (tmp / file).write_text(out, encoding="utf-8")
            read[engine] = verify.read_results(tmp / file)
        failed = []
        for name, (_, want) in cases.items():
            path = str(tmp / f"{name}.ics")
            by_parser = {"libical": libical_want(want)} if name == "series-form" else None
            problems, _, _, _ = verify.check_feed(
                Path(path), want, {p: r.get(path) for p, r in read.items()}, f"selftest/{name}.ics",
                by_parser)
            must = next((m for n, _, m in FAULTS if n == name), None)
            if must is None and problems:
                failed.append(f"{name}: expected no problem, got:\n" + "\n".join(problems))
            elif must is not None and not any(must in p for p in problems):
                failed.append(f"{name}: the fault was not reported as {must!r}; got: {problems}")
    if failed:
        print("interop: selftest FAILED:\n" + "\n".join(f"- {f}" for f in failed))
        return 1
    print(f"interop: selftest: {len(FAULTS)} planted faults caught, "
          f"series form (RRULE + EXDATE + RECURRENCE-ID) read alike by all {len(verify.PARSERS)} engines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
