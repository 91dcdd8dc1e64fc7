"""Oracle 4: `ical`, the calendar engine of Home Assistant.

usage: python check_ical.py --until <UTC instant> FILE.ics...

Parses every file with ical's IcsCalendarStream.calendar_from_ics and lists
its timeline (Calendar.timeline_tz, which expands RRULE, EXDATE and
RECURRENCE-ID overrides) from 1900 up to --until with
Timeline.overlapping(), and prints the same JSON as check.mjs: { "<file>":
{ events, uids, occurrences: [{uid, summary, start, end}], errors: [...] } }.

For an IANA TZID ical uses its own zone data (here the pinned `tzdata`
package; run.sh sets PYTHONTZPATH=) and reads a VTIMEZONE only for a TZID it
does not know; see quirks/ for what it does with such a VTIMEZONE.
"""

import datetime as dt
import json
import sys

from ical.calendar_stream import IcsCalendarStream

UTC = dt.timezone.utc
FROM = dt.datetime(1900, 1, 1, tzinfo=UTC)


def norm(value):
    """UTC `...Z` for a timed value, `YYYY-MM-DD` for a date."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%dT%H:%M:%S") + " (floating)"
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def check_file(path, until):
    result = {"events": 0, "uids": 0, "occurrences": [], "errors": []}
    with open(path, encoding="utf-8") as f:
        cal = IcsCalendarStream.calendar_from_ics(f.read())
    result["events"] = len(cal.events)
    result["uids"] = len({e.uid for e in cal.events})
    for ev in cal.timeline_tz(UTC).overlapping(FROM, until):
        result["occurrences"].append(
            {"uid": ev.uid or "", "summary": ev.summary or "", "start": norm(ev.start), "end": norm(ev.end)}
        )
    return result


def main(argv):
    if len(argv) < 2 or argv[0] != "--until":
        sys.exit("usage: check_ical.py --until <UTC instant> FILE.ics...")
    until = dt.datetime.fromisoformat(argv[1].replace("Z", "+00:00"))
    out = {}
    for path in argv[2:]:
        try:
            out[path] = check_file(path, until)
        except Exception as e:  # report, do not stop: the other files still count
            out[path] = {"events": 0, "uids": 0, "occurrences": [], "errors": [f"ical failed: {e!r}"[:2000]]}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
