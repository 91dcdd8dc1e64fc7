"""Both recurrence forms must give the same occurrences, in both parsers.

Reads $work/<dataset>-expand and $work/<dataset>-rrule as written by run.sh
and compares, per feed and per parser, the (summary, start, end) of every
occurrence; UIDs differ by design (a series shares one UID in RRULE form).
"""
import json
import pathlib
import sys

work = pathlib.Path(sys.argv[1])
failures = []
compared = 0
series_feeds = 0
for expand in sorted(work.glob("*-expand")):
    rrule = expand.with_name(expand.name[: -len("-expand")] + "-rrule")
    for parser in ("ical.js.json", "icalendar.json"):
        a = json.loads((expand / parser).read_text())
        b = json.loads((rrule / parser).read_text())
        for feed_a, got_a in a.items():
            name = pathlib.Path(feed_a).name
            feed_b = next(k for k in b if pathlib.Path(k).name == name)
            got_b = b[feed_b]
            key = lambda o: (o["start"], o["end"], o["summary"])  # noqa: E731
            occ_a = sorted(map(key, got_a["occurrences"]))
            occ_b = sorted(map(key, got_b["occurrences"]))
            compared += len(occ_a)
            if got_b["events"] < got_a["events"]:
                series_feeds += 1
            if occ_a != occ_b:
                only_a = [o for o in occ_a if o not in occ_b][:3]
                only_b = [o for o in occ_b if o not in occ_a][:3]
                failures.append(f"{expand.name[:-7]}/{name} ({parser[:-5]}): expand only {only_a}, rrule only {only_b}")
for f in failures:
    print(f"interop: FORMS DIFFER: {f}")
print(
    f"interop: forms: {compared} occurrences compared between --recurrence expand and rrule "
    f"(both parsers); {series_feeds} feed readings used fewer VEVENTs in rrule form"
)
sys.exit(1 if failures else 0)
