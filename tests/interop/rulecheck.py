"""nedetid's own expansion of each maintenance rule against real RRULE engines.

usage: python rulecheck.py SCHEDULE_DIR DATASET_DIR [SCHEDULE_DIR DATASET_DIR...]

DATASET_DIR is a `--recurrence rrule` dataset of run.sh. A series nedetid
keeps expanded in that form (a rule Outlook cannot represent, like the default
schedules' `FREQ=MONTHLY;BYDAY=WE;BYMONTHDAY=16,...,22`, or a window across a
DST change) is published as single events: no parser ever reads its rule, so
the main comparison cannot catch a wrong date. Here every maintenance series
(kept expanded or not) becomes one synthetic VEVENT:

  DTSTART;TZID=<zone>:<the first date the rule gives from `from`>T<start-time>
  RRULE:<the rule>;UNTIL=<the end of `until` (or of the horizon) in UTC>

with the feed's own VTIMEZONE, expanded by ical.js (check.mjs) and libical
(libical_expand). The local dates each engine gives must be exactly the rule
dates nedetid lists (`rule_date` in `list --format json`) plus the dates the
schedule skips (`skip`, and every date in a `skip-months` month): anything
else fails, by series and date. The first date of the rule is taken from
python-dateutil's rrule (the reference the `rrule` crate follows), and
checked against nedetid's first listed date.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from dateutil.rrule import rrulestr

import verify

HERE = Path(__file__).resolve().parent
UTC = dt.timezone.utc
# The last day nedetid accepts (schedule.rs MAX_YEAR: its tz data stops there).
LAST_DAY = dt.date(2099, 12, 31)
ENGINES = [("ical.js", "ical.js.json"), ("libical", "libical.jsonl")]


def load_schedules(folder):
    """settings and maintenance from every *.yaml/*.yml in the folder (all
    values as text: YAML 1.2 is what nedetid reads; BaseLoader guesses no
    types)."""
    settings, series = {}, []
    for path in sorted(Path(folder).iterdir()):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
        settings.update(doc.get("settings") or {})
        series += doc.get("maintenance") or []
    return settings, series


def add_months(day, months):
    """chrono's checked_add_months: the day clamped to the month's end."""
    y, m = divmod(day.month - 1 + months, 12)
    y, m = day.year + y, m + 1
    for d in range(day.day, 27, -1):
        try:
            return dt.date(y, m, d)
        except ValueError:
            continue
    return dt.date(y, m, day.day)


def parse_now(text):
    text = text.strip()
    if len(text) == 10:
        return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def hm(text):
    h, m = map(int, text.split(":"))
    return h, m


def vtimezone(all_ics, tzid):
    lines, keep = [], False
    for line in all_ics.splitlines():
        if line == "BEGIN:VTIMEZONE":
            keep, block = True, []
        if keep:
            block.append(line)
        if line == "END:VTIMEZONE":
            keep = False
            if f"TZID:{tzid}" in block:
                lines = block
    return "\r\n".join(lines)


def plan(schedule_dir, dataset):
    """The synthetic series of one dataset: [(series, facts)] and the .ics."""
    settings, series = load_schedules(schedule_dir)
    tzid = settings.get("time-zone", "Europe/Oslo")
    zone = ZoneInfo(tzid)
    if settings.get("retention-days"):
        raise SystemExit(f"rulecheck: {schedule_dir}: retention-days drops old occurrences; not supported here")
    now = parse_now((dataset / "now").read_text())
    # nedetid stops open-ended rules at the end of the last year it accepts.
    horizon = min(add_months(now.astimezone(zone).date(), int(settings.get("horizon-months", "13"))),
                  LAST_DAY)
    listed = json.loads((dataset / "expected" / "all.json").read_text(encoding="utf-8"))
    all_ics = (dataset / "out" / "all.ics").read_text(encoding="utf-8")
    domain = settings.get("uid-domain")
    events, facts = [], []
    for s in series:
        sid = s["id"]
        mine = [o for o in listed if o.get("id") == sid and o["kind"] == "maintenance"]
        rule_dates = sorted({dt.date.fromisoformat(o["rule_date"]) for o in mine if o.get("rule_date")})
        kept = not any(o["uid"].split("@")[0] == sid for o in mine)
        rule = s["rule"].strip()
        if rule.upper().startswith("RRULE:"):
            rule = rule[6:]
        start = dt.date.fromisoformat(s["from"])
        until = dt.date.fromisoformat(s["until"]) if s.get("until") else None
        last = until or horizon
        h, m = hm(s["start-time"])
        at = dt.time(h, m)
        naive_rule = rrulestr(rule, dtstart=dt.datetime.combine(start, dt.time()))
        first = naive_rule.after(dt.datetime.combine(start, dt.time()), inc=True)
        skips = {dt.date.fromisoformat(x["date"]) for x in s.get("skip") or []}
        skip_months = {int(x["month"]) for x in s.get("skip-months") or []}
        moves = {dt.date.fromisoformat(x["from"]): dt.date.fromisoformat(x["to"]) for x in s.get("moves") or []}
        fact = dict(id=sid, kept=kept, rule=rule, from_=start, last=last, open=until is None,
                    listed=rule_dates, skips=skips, skip_months=skip_months, moves=moves, first=None)
        facts.append(fact)
        if first is None or first.date() > last:
            continue
        fact["first"] = first.date()
        eh, em = hm(s["end-time"]) if s["end-time"] != "24:00" else (24, 0)
        end_day = first.date() + dt.timedelta(days=1 if (eh, em) <= (h, m) or eh == 24 else 0)
        end = dt.datetime.combine(end_day, dt.time(eh % 24, em))
        # UNTIL: the end of the last day, local, in UTC (RFC 5545: UTC when
        # DTSTART has a TZID). A rule with COUNT keeps its COUNT instead.
        limit = dt.datetime.combine(last, dt.time(23, 59, 59)).replace(tzinfo=zone).astimezone(UTC)
        full = rule if "COUNT=" in rule.upper() else f"{rule};UNTIL={limit:%Y%m%dT%H%M%SZ}"
        events.append("\r\n".join([
            "BEGIN:VEVENT",
            f"UID:{sid}@rulecheck.invalid",
            "DTSTAMP:20190101T000000Z",
            f"DTSTART;TZID={tzid}:{dt.datetime.combine(first.date(), at):%Y%m%dT%H%M%S}",
            f"DTEND;TZID={tzid}:{end:%Y%m%dT%H%M%S}",
            f"RRULE:{full}",
            f"SUMMARY:{sid}",
            "END:VEVENT",
        ]))
    ics = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//nedetid//interop rulecheck//EN",
        vtimezone(all_ics, tzid), *events, "END:VCALENDAR", "",
    ])
    return tzid, zone, facts, ics, domain


def expand(name, facts, ics, commands):
    """What ical.js and libical read from the synthetic feed."""
    with tempfile.TemporaryDirectory(prefix="nedetid-rulecheck.") as tmp:
        path = Path(tmp) / f"{name}-rules.ics"
        path.write_text(ics, encoding="utf-8", newline="")
        latest = max(f["last"] for f in facts) + dt.timedelta(days=2)
        read = {}
        for engine, file in ENGINES:
            out = subprocess.run([*commands[engine], "--until", f"{latest:%Y-%m-%d}T00:00:00Z", str(path)],
                                 check=True, capture_output=True, text=True, timeout=600).stdout
            (Path(tmp) / file).write_text(out, encoding="utf-8")
            read[engine] = verify.read_results(Path(tmp) / file).get(str(path))
    return read


def compare(name, zone, facts, read):
    """The problems, and per engine a Counter of the dates it gave by kind."""
    failures = []
    counts = {e: Counter() for e, _ in ENGINES}
    for f in facts:
        sid = f["id"]
        listed = set(f["listed"])
        if f["first"] is not None and listed and min(listed) < f["first"]:
            failures.append(f"{name}/{sid}: nedetid lists rule date {min(listed)} before the rule's "
                            f"first date {f['first']} (python-dateutil)")
        for engine, _ in ENGINES:
            r = read[engine] or {"occurrences": [], "errors": ["no result"]}
            for e in r["errors"]:
                failures.append(f"{name}/{sid}: {engine} reports: {e}")
            days = Counter()
            for o in r["occurrences"]:
                if o["uid"] != f"{sid}@rulecheck.invalid":
                    continue
                # The date the engine's RRULE iterator gives (its local wall
                # time: a start in a gap may be read at another instant, on
                # another side of midnight).
                if "rid" in o:
                    local = dt.date.fromisoformat(o["rid"][:10])
                else:
                    local = verify.instant(o["start"]).astimezone(zone).date()
                days[local] += 1
            got = {d for d in days if f["from_"] <= d <= f["last"]}
            for d in sorted(d for d, n in days.items() if n > 1):
                failures.append(f"{name}/{sid}: {engine} gives {d} {days[d]} times")
            for d in sorted(d for d in days if d not in got):
                failures.append(f"{name}/{sid}: {engine} gives {d}, outside {f['from_']}..{f['last']}")
            for d in sorted(listed - got):
                if f["open"] and d > f["last"]:
                    continue  # moved in from past the horizon: not a rule date up to it
                failures.append(f"{name}/{sid} ({f['rule']}): nedetid lists rule date {d}, "
                                f"{engine} does not give it")
            c = counts[engine]
            for d in sorted(got):
                if d in listed:
                    c["listed"] += 1
                elif d in f["skips"]:
                    c["skipped"] += 1
                elif d.month in f["skip_months"]:
                    c["skipped month"] += 1
                elif f["open"] and d in f["moves"] and f["moves"][d] > f["last"]:
                    c["moved past the horizon"] += 1
                else:
                    failures.append(f"{name}/{sid} ({f['rule']}): {engine} gives {d}, which nedetid "
                                    f"neither lists nor skips")
            for d in sorted(f["skips"] - got):
                failures.append(f"{name}/{sid}: the schedule skips {d}, {engine} does not give it")
    return failures, counts


def selftest(schedule_dir, dataset, commands):
    """Plants two faults in nedetid's list of one series (a rule date left
    out, a date the rule does not give put in): both must be reported by
    both engines."""
    name = (dataset / "name").read_text().strip().split(" [")[0]
    _, zone, facts, ics, _ = plan(schedule_dir, dataset)
    f = next(f for f in facts if len(f["listed"]) > 2)
    dropped = f["listed"][1]
    fake = f["listed"][0] + dt.timedelta(days=1)
    f["listed"] = [fake] + [d for d in f["listed"] if d != dropped]
    failures, _ = compare(name, zone, facts, expand(name, facts, ics, commands))
    want = [f"nedetid lists rule date {fake}, ical.js does not give it",
            f"nedetid lists rule date {fake}, libical does not give it",
            f"ical.js gives {dropped}, which nedetid neither lists nor skips",
            f"libical gives {dropped}, which nedetid neither lists nor skips"]
    missed = [w for w in want if not any(w in x for x in failures)]
    if missed or len(failures) != len(want):
        print(f"interop: rules: selftest FAILED: missed {missed}; reported {failures}")
        return 1
    print(f"interop: rules: selftest: a dropped and a made-up rule date of {name}/{f['id']} "
          f"caught by both engines")
    return 0


def main(argv):
    do_selftest = argv[:1] == ["--selftest"]
    argv = argv[1:] if do_selftest else argv
    if len(argv) < 2 or len(argv) % 2:
        sys.exit("usage: rulecheck.py [--selftest] SCHEDULE_DIR DATASET_DIR [...]")
    libical = os.environ.get("INTEROP_LIBICAL", str(HERE / ".deps" / "libical_expand"))
    commands = {"ical.js": ["node", str(HERE / "check.mjs")], "libical": [libical]}
    if do_selftest:
        return selftest(argv[0], Path(argv[1]), commands)
    failures, totals = [], Counter()
    print("interop: rules: every maintenance rule expanded by ical.js and libical vs nedetid's rule dates")
    for schedule_dir, dataset in zip(argv[::2], map(Path, argv[1::2])):
        name = (dataset / "name").read_text().strip().split(" [")[0]
        tzid, zone, facts, ics, _ = plan(schedule_dir, dataset)
        if not facts:
            continue
        found, counts = compare(name, zone, facts, expand(name, facts, ics, commands))
        failures += found
        kept = sum(f["kept"] for f in facts)
        parts = []
        for engine, _ in ENGINES:
            c = counts[engine]
            n = sum(c.values())
            totals[engine] += n
            extra = ", ".join(f"{v} {k}" for k, v in sorted(c.items()) if k != "listed")
            parts.append(f"{engine} {n} dates ({c['listed']} listed{', ' + extra if extra else ''})")
        totals["series"] += len(facts)
        totals["kept"] += kept
        print(f"  {name:<22} {len(facts)} series ({kept} kept expanded in rrule form, {tzid}): "
              + "; ".join(parts))
    if failures:
        print(f"interop: rules: {len(failures)} problem(s):")
        print("\n".join(f"- {x}" for x in failures[:60]))
        if len(failures) > 60:
            print(f"- ... and {len(failures) - 60} more")
        print("interop: rules: FAILED")
        return 1
    print(f"interop: rules: OK: {totals['series']} series ({totals['kept']} kept expanded), "
          + ", ".join(f"{totals[e]} rule dates from {e}" for e, _ in ENGINES)
          + " agree with nedetid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
