"""Checks Atom feeds: each must parse with feedparser without its `bozo`
flag (the parser's own judgement of well-formedness and encoding), and keep
the rules of RFC 4287 that a parser does not enforce. The checks are
written out here: no kept RFC 4287 validator installs from PyPI.

usage: check.py FILE.atom...   exit 1 with every problem listed
"""

import re
import sys
import xml.etree.ElementTree as ET

import feedparser

A = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time as RFC 4287 3.3 wants it: uppercase T and Z, seconds.
RFC3339 = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
# An IRI (RFC 3987) in the absolute form atom:id needs: a scheme, then no
# space or character an IRI never holds.
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
TAG = re.compile(r"^tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[^\s#]*$")


def problems_of(path):
    out = []
    say = lambda where, what: out.append(f"{path}: {where}: {what}")
    parsed = feedparser.parse(path)
    if parsed.bozo:
        say("feedparser", f"bozo: {parsed.bozo_exception!r}")
    if parsed.version != "atom10":
        say("feedparser", f"read as {parsed.version!r}, not Atom 1.0")
    root = ET.parse(path).getroot()
    if root.tag != A + "feed":
        say("root", f"{root.tag} is not atom:feed")
        return out

    def one(el, name, where, required=True):
        found = el.findall(A + name)
        if len(found) > 1:
            say(where, f"{len(found)} atom:{name}, at most one allowed")
        if required and not found:
            say(where, f"no atom:{name}")
        return found[0] if found else None

    def check_date(el, where):
        if el is not None and not RFC3339.match((el.text or "").strip()):
            say(where, f"{el.text!r} is not an RFC 3339 date-time")

    def check_id(el, where):
        if el is None:
            return
        text = el.text or ""
        if text != text.strip() or not IRI.match(text):
            say(where, f"atom:id {text!r} is not an absolute IRI")
        if text.startswith("tag:") and not TAG.match(text):
            say(where, f"atom:id {text!r} is not a tag URI (RFC 4151)")

    def check_text(el, where):
        # 3.1: type is text, html or xhtml; text and html hold no elements.
        if el is None:
            return
        kind = el.get("type", "text")
        if kind not in ("text", "html", "xhtml"):
            say(where, f"text construct type {kind!r}")
        if kind in ("text", "html") and len(el):
            say(where, "a text or html construct holds child elements")

    def check_links(el, where):
        # 4.1.1/4.1.2: no two alternate links with the same type and hreflang.
        seen = set()
        for link in el.findall(A + "link"):
            if not link.get("href"):
                say(where, "atom:link without href")
            if link.get("rel", "alternate") == "alternate":
                key = (link.get("type"), link.get("hreflang"))
                if key in seen:
                    say(where, f"two alternate links of type {key}")
                seen.add(key)
        return seen

    feed_where = "feed"
    check_id(one(root, "id", feed_where), feed_where)
    check_text(one(root, "title", feed_where), feed_where + "/title")
    check_text(one(root, "subtitle", feed_where, required=False), feed_where + "/subtitle")
    check_date(one(root, "updated", feed_where), feed_where + "/updated")
    feed_author = root.findall(A + "author")
    for a in feed_author:
        if a.find(A + "name") is None:
            say(feed_where, "atom:author without atom:name")
    check_links(root, feed_where)
    selfs = [l for l in root.findall(A + "link") if l.get("rel") == "self"]
    if len(selfs) > 1:
        say(feed_where, "more than one self link")
    ids = set()
    entries = root.findall(A + "entry")
    for n, entry in enumerate(entries):
        where = f"entry {n + 1}"
        eid = one(entry, "id", where)
        check_id(eid, where)
        if eid is not None:
            if eid.text in ids:
                say(where, f"atom:id {eid.text} twice in one feed")
            ids.add(eid.text)
        check_text(one(entry, "title", where), where + "/title")
        check_date(one(entry, "updated", where), where + "/updated")
        check_date(one(entry, "published", where, required=False), where + "/published")
        if not feed_author and not entry.findall(A + "author") and entry.find(A + "source") is None:
            say(where, "no atom:author, and the feed has none (4.1.1)")
        alternates = check_links(entry, where)
        content = one(entry, "content", where, required=False)
        if content is None and not alternates:
            say(where, "no atom:content and no alternate link (4.1.2)")
        if content is not None:
            kind = content.get("type", "text")
            if content.get("src") is not None and (content.text or len(content)):
                say(where, "atom:content with src is not empty (4.1.3.2)")
            if kind in ("text", "html") and len(content):
                say(where, "text/html content holds elements (4.1.3.3)")
            if kind not in ("text", "html", "xhtml") and "/" not in kind:
                say(where, f"content type {kind!r} is not a MIME type (4.1.3.1)")
            if content.get("src") is not None or (kind not in ("text", "html", "xhtml") and not kind.startswith("text/") and not kind.endswith("+xml") and not kind.endswith("/xml")):
                if one(entry, "summary", where, required=False) is None:
                    say(where, "content with src or of a binary type needs atom:summary (4.1.2)")
    # feedparser must see every entry, with the same ids and titles.
    if len(parsed.entries) != len(entries):
        say("feedparser", f"{len(parsed.entries)} entries, the XML has {len(entries)}")
    for got, entry in zip(parsed.entries, entries):
        if got.get("id") != entry.findtext(A + "id"):
            say("feedparser", f"id {got.get('id')!r} read as not {entry.findtext(A + 'id')!r}")
        if got.get("title") != entry.findtext(A + "title"):
            say("feedparser", f"title {got.get('title')!r} is not {entry.findtext(A + 'title')!r}")
    # Newest change first (nedetid's own rule, not RFC 4287's).
    stamps = [e.findtext(A + "updated") for e in entries]
    if stamps != sorted(stamps, reverse=True):
        say("order", "entries are not newest change first")
    if entries and root.findtext(A + "updated") != max(stamps):
        say("feed/updated", "is not its newest entry's updated")
    return out


def main(paths):
    problems = []
    entries = 0
    for path in paths:
        problems.extend(problems_of(path))
        entries += len(ET.parse(path).getroot().findall(A + "entry"))
    for p in problems:
        print(p, file=sys.stderr)
    print(f"atom: {len(paths)} feeds, {entries} entries, {len(problems)} problems", file=sys.stderr)
    return 1 if problems or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
