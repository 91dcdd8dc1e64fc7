"""Oracle 2: Python icalendar + recurring-ical-events.

usage: python check.py --until <UTC instant> FILE.ics...

Parses every file with icalendar.Calendar.from_ical and expands it with
recurring_ical_events.of(cal).between(...) (RRULE, EXDATE, RECURRENCE-ID),
and prints the same JSON as check.mjs: { "<file>": { events, occurrences:
[{uid, summary, start, end}], errors: [...] } }.

icalendar resolves an IANA TZID with the tz database (the pinned `tzdata`
package; run.sh sets PYTHONTZPATH= so that the system's copy is not used),
not with the file's VTIMEZONE. So this oracle checks the local times against
the tz database, and ical.js checks them against the VTIMEZONE. As a third
view it also reads each VTIMEZONE itself (icalendar's Timezone.to_tz, which
builds a zone from the observances as Outlook does) and reports every local
time in the file whose UTC offset differs between the two. Two kinds are
left out, by name and counted: local times in a spring-forward gap (they do
not exist; no offset is right) and the ones to_tz gets wrong only because it
compares a UTC UNTIL with local times (until_as_local).
"""

import datetime as dt
import json
import sys

import icalendar
import recurring_ical_events

UTC = dt.timezone.utc
FROM = dt.datetime(1900, 1, 1, tzinfo=UTC)


def norm(value):
    """UTC `...Z` for a timed value, `YYYY-MM-DD` for a date."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%dT%H:%M:%S") + " (floating)"
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def until_as_local(vtz):
    """The VTIMEZONE with every observance's UTC UNTIL moved 14 hours later.

    icalendar's Timezone.to_tz compares an observance's local DTSTART times
    with a UTC UNTIL as if both were local, so east of UTC it drops the
    transition at UNTIL itself (quirks/east-utc-until.ics). A yearly
    observance has no other transition within 14 hours, so this copy means
    the same and to_tz reads it right."""
    copy = icalendar.Timezone.from_ical(vtz.to_ical())
    for sub in copy.subcomponents:
        rule = sub.get("RRULE")
        if rule and rule.get("UNTIL"):
            rule["UNTIL"] = [u + dt.timedelta(hours=14) if isinstance(u, dt.datetime) else u
                             for u in rule["UNTIL"]]
    return copy


def vtimezone_mismatches(cal):
    """Local times whose offset in the file's VTIMEZONE differs from tzdata.

    Returns (checked, gaps, quirk, problems): quirk counts the local times
    that agree only once to_tz's UTC UNTIL quirk is put right (until_as_local)."""
    zones, fixed = {}, {}
    for vtz in cal.walk("VTIMEZONE"):
        zones[str(vtz["TZID"])] = vtz.to_tz(lookup_tzid=False)
        fixed[str(vtz["TZID"])] = until_as_local(vtz).to_tz(lookup_tzid=False)
    checked, gaps, quirk, problems = 0, 0, 0, []
    for ev in cal.walk("VEVENT"):
        for name in ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE"):
            props = ev.get(name)
            if props is None:
                continue
            for prop in props if isinstance(props, list) else [props]:
                tzid = prop.params.get("TZID")
                if not tzid or tzid not in zones:
                    continue
                values = [d.dt for d in prop.dts] if hasattr(prop, "dts") else [prop.dt]
                for value in values:
                    if not isinstance(value, dt.datetime) or value.tzinfo is None:
                        continue
                    local = value.replace(tzinfo=None)
                    if value.astimezone(UTC).astimezone(value.tzinfo).replace(tzinfo=None) != local:
                        # A local time in a spring-forward gap (an EXDATE or
                        # RECURRENCE-ID of a series can be one): it does not
                        # exist, so no offset is right; Timezone.to_tz and
                        # tzdata pick different ones. Counted, not compared.
                        gaps += 1
                        continue
                    checked += 1
                    ours = local.replace(tzinfo=zones[tzid]).utcoffset()
                    theirs = value.utcoffset()
                    if ours != theirs and local.replace(tzinfo=fixed[tzid]).utcoffset() == theirs:
                        quirk += 1
                    elif ours != theirs:
                        problems.append(
                            f"{ev.get('UID')}: {name} {local.isoformat()} {tzid}: "
                            f"VTIMEZONE gives UTC{ours}, tzdata gives UTC{theirs}"
                        )
    return checked, gaps, quirk, problems


def check_file(path, until):
    result = {"events": 0, "uids": 0, "occurrences": [], "errors": [], "vtimezone_checked": 0}
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    events = cal.walk("VEVENT")
    result["events"] = len(events)
    result["uids"] = len({str(e.get("UID")) for e in events})
    for ev in recurring_ical_events.of(cal).between(FROM, until):
        result["occurrences"].append(
            {
                "uid": str(ev.get("UID")),
                "summary": str(ev.get("SUMMARY", "")),
                "start": norm(ev.start),
                "end": norm(ev.end),
            }
        )
    checked, gaps, quirk, problems = vtimezone_mismatches(cal)
    result["vtimezone_checked"] = checked
    result["vtimezone_gap"] = gaps
    result["vtimezone_until_quirk"] = quirk
    result["errors"].extend(problems)
    return result


def main(argv):
    if len(argv) < 2 or argv[0] != "--until":
        sys.exit("usage: check.py --until <UTC instant> FILE.ics...")
    until = dt.datetime.fromisoformat(argv[1].replace("Z", "+00:00"))
    out = {}
    for path in argv[2:]:
        try:
            out[path] = check_file(path, until)
        except Exception as e:  # report, do not stop: the other files still count
            out[path] = {"events": 0, "uids": 0, "occurrences": [], "errors": [f"icalendar failed: {e!r}"]}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
