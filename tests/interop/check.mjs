// Oracle 1: ical.js, the iCalendar engine inside Thunderbird.
//
// usage: node check.mjs --until <UTC instant> FILE.ics...
//
// Reads every file the way Thunderbird does: registers the file's own
// VTIMEZONEs (ical.js has no built-in zones), expands every VEVENT series
// with its RRULE/EXDATE and its RECURRENCE-ID overrides up to --until, and
// prints JSON: { "<file>": { events, occurrences: [{uid, summary, start,
// end}], errors: [...], notes: [...] } }. Timed instants are UTC
// `YYYY-MM-DDTHH:MM:SSZ`, all-day values `YYYY-MM-DD` (end exclusive); a
// floating time is printed with a `(floating)` suffix so that it never matches.
//
// Occurrences of a series (RRULE, overrides) come from iterator() and
// getOccurrenceDetails(), as in Thunderbird. A single event is read from its
// DTSTART/DTEND, as Thunderbird shows it: getOccurrenceDetails computes the end
// as start + (DTEND - DTSTART in real time) added on the wall clock, which is
// an hour off when a DST change falls inside the event (see `notes`).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const deps = process.env.INTEROP_NODE_DEPS ?? join(here, '.deps', 'node');
const { default: ICAL } = await import(
  pathToFileURL(join(deps, 'node_modules', 'ical.js', 'dist', 'ical.js')).href
);

// A safety net against a rule that never reaches --until.
const MAX_OCCURRENCES_PER_SERIES = 100000;

function parseArgs(argv) {
  const files = [];
  let until = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--until') until = argv[++i];
    else files.push(argv[i]);
  }
  if (!until) throw new Error('--until is required');
  return { until: ICAL.Time.fromDateTimeString(until.replace(/Z$/, '') + 'Z'), files };
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

function normTime(t) {
  if (t.isDate) return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
  if (!t.zone || t.zone.tzid === 'floating') {
    return `${t.toString()} (floating)`;
  }
  const iso = new Date(t.toUnixTime() * 1000).toISOString();
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

function occurrence(details, fallbackUid) {
  const item = details.item;
  return {
    uid: item.uid ?? fallbackUid,
    summary: item.summary ?? '',
    start: normTime(details.startDate),
    end: normTime(details.endDate),
  };
}

function checkFile(path, until) {
  const result = { events: 0, uids: 0, occurrences: [], errors: [], notes: [] };
  const text = readFileSync(path, 'utf8');
  const root = new ICAL.Component(ICAL.parse(text));
  const cals = root.name === 'vcalendar' ? [root] : root.getAllSubcomponents('vcalendar');
  if (cals.length !== 1) result.errors.push(`expected one VCALENDAR, found ${cals.length}`);

  for (const cal of cals) {
    // Zones are per file: forget those of the previous file first. (ical.js
    // 2.x also finds a TZID's VTIMEZONE in the same VCALENDAR by itself;
    // registering them keeps older ical.js and other embedders right too.)
    ICAL.TimezoneService.reset();
    for (const vtz of cal.getAllSubcomponents('vtimezone')) {
      ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
    }

    // Group the VEVENTs: one master (no RECURRENCE-ID) per UID plus overrides.
    const byUid = new Map();
    for (const comp of cal.getAllSubcomponents('vevent')) {
      result.events++;
      const uid = comp.getFirstPropertyValue('uid') ?? '(no UID)';
      if (!byUid.has(uid)) byUid.set(uid, { masters: [], overrides: [] });
      const group = byUid.get(uid);
      (comp.hasProperty('recurrence-id') ? group.overrides : group.masters).push(comp);
    }
    result.uids += byUid.size;

    for (const [uid, { masters, overrides }] of byUid) {
      if (masters.length > 1) result.errors.push(`UID ${uid}: ${masters.length} VEVENTs without RECURRENCE-ID`);
      if (masters.length === 0) {
        // Overrides without their series: clients show each one on its own.
        for (const comp of overrides) {
          const ev = new ICAL.Event(comp);
          result.occurrences.push(occurrence({ item: ev, startDate: ev.startDate, endDate: ev.endDate }, uid));
        }
        continue;
      }
      for (const master of masters) {
        const event = new ICAL.Event(master, { strictExceptions: true, exceptions: [] });
        for (const comp of overrides) event.relateException(comp);
        const it = event.iterator();
        let next;
        let n = 0;
        while ((next = it.next())) {
          // The iterator yields recurrence ids in order; the override for one
          // may have moved, so compare the id, not the new start.
          if (next.compare(until) > 0) break;
          if (++n > MAX_OCCURRENCES_PER_SERIES) {
            result.errors.push(`UID ${uid}: more than ${MAX_OCCURRENCES_PER_SERIES} occurrences`);
            break;
          }
          const details = event.getOccurrenceDetails(next);
          if (!event.isRecurring() && overrides.length === 0) {
            // A single event. Thunderbird shows it from DTSTART/DTEND as
            // written; getOccurrenceDetails would end it at start + the exact
            // duration added on the wall clock, an hour off when a DST change
            // falls inside it. Kept as a note: were it the DTSTART of an RRULE
            // series, ical.js would give that duration to every occurrence.
            const expanded = normTime(details.endDate);
            details.startDate = event.startDate;
            details.endDate = event.endDate;
            if (expanded !== normTime(event.endDate)) {
              result.notes.push(`${uid}: DTEND is ${normTime(event.endDate)}; expanded, ical.js ends it at ${expanded}`);
            }
          }
          // rid: the recurrence id as ical.js iterates it, local wall time
          // (rulecheck.py reads the rule's dates from it).
          result.occurrences.push({ ...occurrence(details, uid), rid: next.toString() });
        }
      }
    }
  }
  return result;
}

const { until, files } = parseArgs(process.argv.slice(2));
const out = {};
for (const file of files) {
  try {
    out[file] = checkFile(file, until);
  } catch (e) {
    out[file] = { events: 0, uids: 0, occurrences: [], errors: [`ical.js failed: ${e.stack ?? e}`] };
  }
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
