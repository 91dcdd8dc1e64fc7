"""Lints the feeds and compares nedetid's occurrences with the oracles'.

usage: python verify.py DATASET_DIR...

Each DATASET_DIR (made by run.sh) holds:
  name, now         the dataset's name and the --now it was built with
  out/*.ics         the feeds `nedetid build` wrote
  expected/*.json   `nedetid list --format json` per feed: all.json is the
                    unfiltered list, <id>.json is `list --system <id>`
  ical.js.json, icalendar.json, libical.jsonl, ical.json
                    what check.mjs, check.py, libical_expand and
                    check_ical.py read

Prints a summary per feed and per dataset, every lint error with file and
line, the first mismatches per feed and parser, and exits 1 on any problem.

Known quirks: where an engine misreads a feed that nedetid wrote correctly,
and the misreading is one of the quirks shown by a minimal feed in quirks/
(asserted by quirks.py), the difference is taken out of the comparison by
name and counted (QUIRKS below); the summary prints every count. A quirk that
nedetid can avoid is not excused: the later reading ical.js and libical give
a TZID local time that happens twice is nedetid's to avoid (by writing such a
time so that every engine reads the same instant), so it fails here.
Standard library only.
"""

import datetime as dt
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

try:  # zoneinfo with the pinned tzdata (run.sh sets PYTHONTZPATH=)
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover
    ZoneInfo = None

PARSERS = [
    ("ical.js", "ical.js.json"),
    ("icalendar+recurring-ical-events", "icalendar.json"),
    ("libical", "libical.jsonl"),
    ("ical", "ical.json"),
]


def read_results(path):
    """An oracle's output as {file: {events, uids, occurrences, errors}}.

    check.mjs, check.py and check_ical.py write one JSON object;
    libical_expand writes JSON lines (see libical_expand.c)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".jsonl":
        return json.loads(text)
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        o = json.loads(line)
        r = out.setdefault(o["file"], {"events": 0, "uids": 0, "occurrences": [], "errors": []})
        if "error" in o:
            r["errors"].append(o["error"])
        elif "uid" in o:
            r["occurrences"].append({k: o[k] for k in ("uid", "summary", "start", "end", "rid") if k in o})
        else:
            r["events"], r["uids"] = o["events"], o["uids"]
    return out
SHOW = 8  # mismatches (and errors) shown per feed and parser
VERBOSE = bool(os.environ.get("INTEROP_VERBOSE"))


# --- lint -------------------------------------------------------------------

def unfold(text):
    """Yields (line number, content line) with folded lines joined."""
    current, start = None, 0
    for number, line in enumerate(re.split(r"\r\n|\n|\r", text), 1):
        if line[:1] in (" ", "\t") and current is not None:
            current += line[1:]
            continue
        if current:
            yield start, current
        current, start = line, number
    if current:
        yield start, current


def split_line(line):
    """`NAME;P=V;Q="x:y":value` -> (NAME, {P: V, Q: x:y}, value)."""
    i, quoted = 0, False
    while i < len(line) and (quoted or line[i] != ":"):
        if line[i] == '"':
            quoted = not quoted
        i += 1
    head, value = line[:i], line[i + 1:]
    parts = re.findall(r'(?:[^;"]|"[^"]*")+', head)
    params = {}
    for p in parts[1:]:
        key, _, val = p.partition("=")
        params[key.upper()] = val.strip('"')
    return (parts[0].upper() if parts else ""), params, value


def lint(path, shown):
    """The rule breaches of one file, each as `shown:line: message`."""
    errors = []
    lines = list(unfold(path.read_text(encoding="utf-8")))
    zones = {split_line(l)[2] for _, l in lines if split_line(l)[0] == "TZID"}
    stack, event_at, transparent = [], 0, False
    for number, line in lines:
        name, params, value = split_line(line)
        where = f"{shown}:{number}"
        if name == "BEGIN":
            stack.append(value.upper())
            if value.upper() == "VEVENT":
                event_at, transparent = number, False
        elif name == "END":
            if stack[-1:] != [value.upper()]:
                errors.append(f"{where}: END:{value} closes {stack[-1] if stack else 'nothing'}")
            else:
                stack.pop()
            if value.upper() == "VEVENT" and not transparent:
                errors.append(f"{shown}:{event_at}: VEVENT without TRANSP:TRANSPARENT")
        elif name == "RDATE":
            errors.append(f"{where}: RDATE (Outlook ignores it, and drops an event with RDATE and no RRULE)")
        elif name == "TRANSP" and value.upper() == "TRANSPARENT":
            transparent = True
        if "TZID" in params and params["TZID"] not in zones:
            errors.append(f"{where}: TZID={params['TZID']} has no VTIMEZONE in this file")
        if (
            stack[-1:] == ["VEVENT"]
            and name in ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE")
            and params.get("VALUE", "DATE-TIME").upper() != "DATE"
            and "TZID" not in params
            and any("T" in v and not v.upper().endswith("Z") for v in value.split(","))
        ):
            errors.append(f"{where}: floating time {name}:{value} (no TZID, no Z)")
    if stack:
        errors.append(f"{shown}: not closed: {', '.join(stack)}")
    return errors


# --- comparison -------------------------------------------------------------

FIELDS = ("start", "end", "uid", "summary")


def key(o):
    return tuple(o[f] for f in FIELDS)


def show(k):
    start, end, uid, summary = k
    return f'{start} -> {end}  {uid}  "{summary}"'


def expected_occurrences(path):
    return [{f: i[f] for f in FIELDS} for i in json.loads(path.read_text(encoding="utf-8"))]


def diff(expected, actual):
    """The differences between two occurrence multisets, as text lines."""
    exp, act = Counter(map(key, expected)), Counter(map(key, actual))
    missing, extra = sorted((exp - act).elements()), sorted((act - exp).elements())
    lines = []
    if len(expected) != len(actual):
        lines.append(f"  nedetid lists {len(expected)} occurrences, the parser reads {len(actual)}")
    for k in missing:
        # Pair it with an extra occurrence of the same UID, if there is one.
        twin = next((e for e in extra if e[2] == k[2]), None)
        if twin:
            extra.remove(twin)
            lines.append(f"  differs: nedetid {show(k)}")
            lines.append(f"           parser  {show(twin)}")
        else:
            lines.append(f"  missing in parser: {show(k)}")
    lines += [f"  only in parser:    {show(k)}" for k in extra]
    return lines


def capped(title, lines, limit=SHOW * 2):
    more = f"\n  ... and {len(lines) - limit} more" if len(lines) > limit else ""
    return title + "\n" + "\n".join(lines[:limit]) + more


# --- known quirks -------------------------------------------------------------
# Each: (name, parser, quirks/ feed that shows it, explain). explain(feed,
# missing, extra, expected) takes the occurrences nedetid lists that the
# parser lacks and those only the parser has, all of one UID (and all that
# nedetid lists), and returns the pairs (missing, extra) and singles (None,
# extra) the quirk explains. Only what a quirk explains in full is taken out;
# everything else still fails.

def instant(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def is_gap(zone, local):
    """True if the naive local time does not exist in the zone."""
    aware = local.replace(tzinfo=zone)
    back = aware.astimezone(dt.timezone.utc).astimezone(zone).replace(tzinfo=None)
    return back != local


def gap_length(zone, local):
    """How far the clocks jump forward over a nonexistent local time."""
    before = local.replace(tzinfo=zone, fold=0).utcoffset()
    after = local.replace(tzinfo=zone, fold=1).utcoffset()
    return abs(after - before)


class Feed:
    """What the quirks need to know of a feed: per UID its master's DTSTART
    (local, with TZID), its RRULE, its EXDATEs and RECURRENCE-IDs; which
    DTSTART/DTEND values are written in UTC; X-WR-TIMEZONE."""

    def __init__(self, path):
        self.masters, self.utc_values, self.x_wr_timezone = {}, set(), None
        comp, props = [], {}
        for _, line in unfold(Path(path).read_text(encoding="utf-8")):
            name, params, value = split_line(line)
            if name == "BEGIN":
                comp.append(value.upper())
                props = {}
            elif name == "END":
                if comp and comp[-1] == "VEVENT":
                    self._event(props)
                if comp:
                    comp.pop()
            elif name == "X-WR-TIMEZONE" and not comp[1:]:
                self.x_wr_timezone = value
            elif comp[-1:] == ["VEVENT"]:
                props.setdefault(name, []).append((params, value))

    def _event(self, props):
        uid = props.get("UID", [({}, "")])[0][1]
        for name in ("DTSTART", "DTEND"):
            for _, value in props.get(name, []):
                if value.upper().endswith("Z"):
                    self.utc_values.add((uid, name))
        if "RRULE" in props and "RECURRENCE-ID" not in props:
            params, value = props["DTSTART"][0]
            if "TZID" in params and "T" in value:
                self.masters[uid] = (params["TZID"], dt.datetime.strptime(value, "%Y%m%dT%H%M%S"))


def zone_of(name):
    try:
        return ZoneInfo(name) if ZoneInfo and name else None
    except Exception:
        return None


def libical_gap(feed, missing, extra, expected):
    """libical 3 moves an RRULE instance whose local start falls in a
    spring-forward gap to after the gap (02:30 -> 03:30), so an EXDATE or a
    RECURRENCE-ID at that nominal time matches nothing: the excluded (or
    moved) instance shows up anyway, an hour (the gap) late; and the next
    instance of the series is shifted by the gap too (quirks/gap-exdate.ics).
    """
    explained = []
    if not missing and not extra:
        return explained
    uid = (missing or extra)[0]["uid"]
    if uid not in feed.masters:
        return explained
    tzid, first = feed.masters[uid]
    zone = zone_of(tzid)
    if zone is None:
        return explained
    t = first.time()

    def gap_day(day):
        local = dt.datetime.combine(day, t)
        return is_gap(zone, local), (gap_length(zone, local) if is_gap(zone, local) else None)

    def local_of(o):
        return instant(o["start"]).astimezone(zone).replace(tzinfo=None)

    left = list(extra)
    # 1. The gap instance itself: on a day when the start time does not
    #    exist, at start time + gap.
    for x in list(left):
        if "T" not in x["start"]:
            continue
        local = local_of(x)
        for length in {dt.timedelta(minutes=30), dt.timedelta(hours=1)}:
            nominal = local - length
            if nominal.date() == local.date() and nominal.time() == t:
                gap, glen = gap_day(nominal.date())
                if gap and glen == length:
                    explained.append((None, x))
                    left.remove(x)
                    break
    # 2. The next instance after a gap day, shifted by the gap.
    for m in missing:
        if "T" not in m["start"]:
            continue
        for x in left:
            delta = instant(x["start"]) - instant(m["start"])
            if x["uid"] != m["uid"] or delta <= dt.timedelta(0) or \
                    instant(x["end"]) - instant(m["end"]) != delta:
                continue
            day = local_of(m).date()
            # A gap day between this instance and the one nedetid lists
            # before it (the instance at the gap itself is excluded, so not
            # listed).
            before = [local_of(o).date() for o in expected
                      if o["uid"] == m["uid"] and "T" in o["start"] and o["start"] < m["start"]]
            stop = max(before, default=first.date() - dt.timedelta(days=1))
            found = None
            d = day - dt.timedelta(days=1)
            while d > stop:
                gap, glen = gap_day(d)
                if gap:
                    found = glen
                    break
                d -= dt.timedelta(days=1)
            if found == delta:
                explained.append((m, x))
                left.remove(x)
                break
    return explained


def rie_x_wr_timezone(feed, missing, extra, expected):
    """recurring-ical-events, in a calendar with X-WR-TIMEZONE, converts a
    UTC DTSTART/DTEND to local wall time and loses which reading of a
    repeated hour it was: the second reading becomes the first, one DST step
    early (quirks/x-wr-timezone-utc.ics)."""
    explained = []
    zone = zone_of(feed.x_wr_timezone)
    if zone is None:
        return explained
    left = list(extra)
    for m in missing:
        for x in left:
            if x["uid"] != m["uid"] or x["summary"] != m["summary"]:
                continue
            ok = True
            for field, prop in (("start", "DTSTART"), ("end", "DTEND")):
                if x[field] == m[field]:
                    continue
                if "T" not in m[field] or (m["uid"], prop) not in feed.utc_values:
                    ok = False
                    break
                local = instant(m[field]).astimezone(zone)
                first = local.replace(tzinfo=None).replace(tzinfo=zone, fold=0)
                # m is the second reading; the engine reads the first one.
                if local.fold != 1 or first.astimezone(dt.timezone.utc) != instant(x[field]):
                    ok = False
                    break
            if ok:
                explained.append((m, x))
                left.remove(x)
                break
    return explained


QUIRKS = [
    ("libical-gap-instance", "libical", "quirks/gap-exdate.ics", libical_gap),
    ("rie-x-wr-timezone-utc", "icalendar+recurring-ical-events", "quirks/x-wr-timezone-utc.ics",
     rie_x_wr_timezone),
]


def account_quirks(parser, feed_path, expected, actual):
    """Takes out of (expected, actual) what a known quirk of `parser`
    explains. Returns (expected, actual, Counter of quirk names)."""
    quirks = [q for q in QUIRKS if q[1] == parser]
    counts = Counter()
    if not quirks:
        return expected, actual, counts
    exp, act = Counter(map(key, expected)), Counter(map(key, actual))
    missing = [dict(zip(FIELDS, k)) for k in (exp - act).elements()]
    extra = [dict(zip(FIELDS, k)) for k in (act - exp).elements()]
    if not missing and not extra:
        return expected, actual, counts
    feed = Feed(feed_path)
    drop_exp, drop_act = Counter(), Counter()
    for name, _, _, explain in quirks:
        for uid in sorted({o["uid"] for o in missing + extra}):
            mine = [o for o in missing if o["uid"] == uid and drop_exp[key(o)] < (exp - act)[key(o)]]
            theirs = [o for o in extra if o["uid"] == uid and drop_act[key(o)] < (act - exp)[key(o)]]
            for m, x in explain(feed, mine, theirs, expected):
                if m is not None:
                    drop_exp[key(m)] += 1
                drop_act[key(x)] += 1
                counts[name] += 1
    return ([dict(zip(FIELDS, k)) for k in (exp - drop_exp).elements()],
            [dict(zip(FIELDS, k)) for k in (act - drop_act).elements()], counts)


def check_feed(feed, expected, results, shown, expected_by_parser=None):
    """Lints one feed and compares each parser's reading with `expected`
    (or with expected_by_parser[parser] where given).

    `results` maps a parser's name to its JSON for this file (or None).
    Returns (problems, verdicts, occurrences read per parser, quirk counts
    per parser)."""
    problems = lint(feed, shown)
    verdicts, counts, quirks = [], {}, {}
    all_expected = expected
    for parser, _ in PARSERS:
        expected = (expected_by_parser or {}).get(parser, all_expected)
        r = results.get(parser)
        if r is None:
            problems.append(f"{shown}: {parser} produced no result")
            verdicts.append(f"{parser}: -")
            continue
        if r["errors"]:
            problems.append(capped(f"{shown}: {parser} reports:", [f"  {e}" for e in r["errors"]]))
        exp, act, q = account_quirks(parser, feed, expected, r["occurrences"])
        lines = diff(exp, act)
        if lines:
            problems.append(capped(f"{shown}: {parser} disagrees with `nedetid list`:", lines))
        counts[parser] = len(r["occurrences"])
        quirks[parser] = q
        note = f" ({', '.join(f'{n} {k}' for k, n in sorted(q.items()))})" if q else ""
        verdicts.append(f"{parser.split('+')[0]} {'FAIL' if lines or r['errors'] else 'ok'}{note}")
    return problems, verdicts, counts, quirks


# --- the run ------------------------------------------------------------------

def main(datasets):
    failures = []
    totals = Counter()
    quirk_totals = Counter()
    per_parser = {}  # dataset name -> Counter of occurrences read per parser
    for d in map(Path, datasets):
        name = (d / "name").read_text().strip()
        now = (d / "now").read_text().strip()
        results = {p: read_results(d / f) for p, f in PARSERS}
        feeds = sorted((d / "out").glob("*.ics"), key=lambda p: (p.stem != "all", p.stem))
        all_ics = (d / "out" / "all.ics").read_text(encoding="utf-8")
        zone = next((l[5:] for _, l in unfold(all_ics) if l.startswith("TZID:")), "no VTIMEZONE")
        print(f"{name} ({zone}, --now {now})")
        ds, notes = Counter(), []
        read = per_parser.setdefault(name, Counter())
        for feed in feeds:
            shown = f"{name}/{feed.name}"
            expected = expected_occurrences(d / "expected" / f"{feed.stem}.json")
            mine = {p: results[p].get(str(feed)) for p, _ in PARSERS}
            problems, verdicts, counts, quirks = check_feed(feed, expected, mine, shown)
            read_by_icaljs = mine["ical.js"] or {}
            vevents = read_by_icaljs.get("events", 0)
            if feed.stem == "all":
                ds["events"] = read_by_icaljs.get("uids", 0)
                notes = read_by_icaljs.get("notes", [])
            ds["feeds"] += 1
            ds["vevents"] += vevents
            ds["occurrences"] += len(expected)
            for p, n in counts.items():
                totals[p] += n
                read[p] += n
            for p, q in quirks.items():
                for k, n in q.items():
                    quirk_totals[(p, k)] += n
                    ds[f"quirk {p} {k}"] += n
            icalendar = mine[PARSERS[1][0]] or {}
            totals["vtimezone"] += icalendar.get("vtimezone_checked", 0)
            totals["vtimezone_gap"] += icalendar.get("vtimezone_gap", 0)
            totals["vtimezone_until_quirk"] += icalendar.get("vtimezone_until_quirk", 0)
            print(f"  {feed.name:<22} {vevents:4} VEVENTs {len(expected):4} occurrences  "
                  f"{', '.join(verdicts)}  [{'FAIL' if problems else 'ok'}]")
            failures += problems
        print(f"  = {ds['feeds']} feeds, {ds['events']} events, {ds['vevents']} VEVENTs, "
              f"{ds['occurrences']} occurrences compared per engine; read: "
              + ", ".join(f"{p} {read[p]}" for p, _ in PARSERS))
        for k in sorted(k for k in ds if k.startswith("quirk ")):
            _, p, q = k.split(" ", 2)
            print(f"  known quirk: {ds[k]} occurrence(s) read by {p} as its quirk {q} shows (counted, not failed)")
        if notes:
            # Not failures (see check.mjs): ical.js's expansion ends these an
            # hour off. An RRULE series must not have such a window as DTSTART.
            hint = ":" if VERBOSE else " (INTEROP_VERBOSE=1 lists them)"
            print(f"  note: {len(notes)} single events contain a DST change; ical.js's occurrence "
                  f"expansion would end them an hour off, so none may be a series' DTSTART{hint}")
            if VERBOSE:
                print("\n".join(f"    {n}" for n in notes))
        totals.update({k: v for k, v in ds.items() if not k.startswith("quirk ")})
    print()
    print("interop: occurrences read and compared with `nedetid list` (all feeds of a dataset "
          "added up), per engine, fixture and form:")
    width = max(map(len, per_parser)) if per_parser else 8
    print(f"  {'dataset':<{width}}  " + "  ".join(f"{p.split('+')[0]:>10}" for p, _ in PARSERS))
    for name, read in per_parser.items():
        print(f"  {name:<{width}}  " + "  ".join(f"{read[p]:>10}" for p, _ in PARSERS))
    for (p, q), n in sorted(quirk_totals.items()):
        print(f"interop: known quirk {q} ({p}): {n} occurrence(s) accounted for")
    if failures:
        print(f"interop: {len(failures)} problem(s):")
        print("\n".join(f"- {f}" for f in failures))
        print(f"interop: FAILED: {len(failures)} problem(s) in {totals['feeds']} feeds")
        return 1
    print(f"interop: {len(datasets)} datasets; occurrences read: "
          + ", ".join(f"{totals[p]} by {p}" for p, _ in PARSERS))
    gaps = (f" ({totals['vtimezone_gap']} local times that do not exist, in a spring-forward gap, "
            f"left out: no offset is right for them)") if totals["vtimezone_gap"] else ""
    until = (f"; {totals['vtimezone_until_quirk']} of them only once icalendar's known quirk "
             f"icalendar-to-tz-utc-until (a UTC UNTIL compared as local time, "
             f"quirks/east-utc-until.ics) is put right") if totals["vtimezone_until_quirk"] else ""
    print(f"interop: the VTIMEZONEs, read by icalendar, agree with tzdata at all "
          f"{totals['vtimezone']} local times of the events{gaps}{until}")
    print(f"interop: OK: {totals['feeds']} feeds, {totals['events']} events ({totals['vevents']} VEVENTs), "
          f"{totals['occurrences']} occurrences compared with each of "
          + ", ".join(p for p, _ in PARSERS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
