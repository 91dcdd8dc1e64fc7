"""Both recurrence forms must give the same occurrences, in every engine.

Reads $work/<dataset>-expand and $work/<dataset>-rrule as written by run.sh
and compares, per feed and per engine, the (summary, start, end) of every
occurrence; UIDs differ by design (a series shares one UID in RRULE form).
An engine's known quirk (verify.QUIRKS) may make the two forms differ: the
differences it explains against `nedetid list` are taken out by name and
counted, as in verify.py.
"""
import pathlib
import sys

import verify

work = pathlib.Path(sys.argv[1])


def corrected(engine, dataset, feed, got):
    """The engine's reading with what its known quirks explain put right."""
    expected = verify.expected_occurrences(dataset / "expected" / f"{pathlib.Path(feed).stem}.json")
    exp_left, act_left, quirks = verify.account_quirks(engine, feed, expected, got["occurrences"])
    if not quirks:
        return got["occurrences"]
    explained = verify.Counter(map(verify.key, expected)) - verify.Counter(map(verify.key, exp_left))
    return act_left + [dict(zip(verify.FIELDS, k)) for k in explained.elements()]


failures = []
compared = 0
series_feeds = 0
for expand in sorted(work.glob("*-expand")):
    rrule = expand.with_name(expand.name[: -len("-expand")] + "-rrule")
    if not (expand / "ical.js.json").exists() or not (rrule / "ical.js.json").exists():
        continue  # nedetid refused the schedules (run.sh reports it)
    for engine, parser in verify.PARSERS:
        a = verify.read_results(expand / parser)
        b = verify.read_results(rrule / parser)
        for feed_a, got_a in a.items():
            name = pathlib.Path(feed_a).name
            feed_b = next(k for k in b if pathlib.Path(k).name == name)
            got_b = b[feed_b]
            key = lambda o: (o["start"], o["end"], o["summary"])  # noqa: E731
            occ_a = sorted(map(key, corrected(engine, expand, feed_a, got_a)))
            occ_b = sorted(map(key, corrected(engine, rrule, feed_b, got_b)))
            compared += len(occ_a)
            if got_b["events"] < got_a["events"]:
                series_feeds += 1
            if occ_a != occ_b:
                only_a = [o for o in occ_a if o not in occ_b][:3]
                only_b = [o for o in occ_b if o not in occ_a][:3]
                failures.append(f"{expand.name[:-7]}/{name} ({engine}): expand only {only_a}, rrule only {only_b}")
for f in failures:
    print(f"interop: FORMS DIFFER: {f}")
print(
    f"interop: forms: {compared} occurrences compared between --recurrence expand and rrule "
    f"(each of {len(verify.PARSERS)} engines); {series_feeds} feed readings used fewer VEVENTs in rrule form"
)
sys.exit(1 if failures else 0)
