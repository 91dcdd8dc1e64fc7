/* Oracle 3: libical 3, the iCalendar engine of Evolution (and of many Linux
 * and mobile clients).
 *
 * usage: libical_expand --until <UTC instant YYYY-MM-DDTHH:MM:SSZ> FILE.ics...
 *
 * Reads every file with icalparser, resolves each TZID with the file's own
 * VTIMEZONE (icalcomponent_get_dtstart looks the TZID up in the VCALENDAR;
 * a TZID without a VTIMEZONE is reported, not looked up in the system's
 * zones), expands every VEVENT series with libical's RRULE iterator
 * (icalrecur_iterator), drops the instances its EXDATEs exclude
 * (icalproperty_recurrence_is_excluded, as icalcomponent_foreach_recurrence
 * does) and replaces the instance a RECURRENCE-ID override names by the
 * override, as Evolution shows a detached instance. An instance lasts the
 * master's DTEND - DTSTART in real time (as in foreach_recurrence).
 *
 * Prints JSON lines, one object a line:
 *   {"file": F, "events": N, "uids": M}           once per file, first
 *   {"file": F, "uid", "summary", "start", "end"}  one per occurrence (an
 *       RRULE instance also has "rid": the iterator's local wall time)
 *   {"file": F, "error": "..."}                   whatever went wrong
 * Timed values are UTC `YYYY-MM-DDTHH:MM:SSZ`, all-day values `YYYY-MM-DD`
 * (end exclusive); a floating time gets a ` (floating)` suffix so that it
 * never matches. verify.py reads this like check.mjs's JSON.
 */
#define _GNU_SOURCE
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_OCCURRENCES_PER_SERIES 100000

static void json_string(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    fputc('"', out);
    for (; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static const char *current_file = "";

static void error(const char *fmt, const char *a, const char *b)
{
    char msg[1024];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    fputs("{\"file\": ", stdout);
    json_string(stdout, current_file);
    fputs(", \"error\": ", stdout);
    json_string(stdout, msg);
    fputs("}\n", stdout);
}

/* A value as text: a date, a UTC instant, or a floating time. */
static void format_time(char *buf, size_t n, struct icaltimetype t)
{
    if (icaltime_is_date(t)) {
        snprintf(buf, n, "%04d-%02d-%02d", t.year, t.month, t.day);
    } else if (t.zone == NULL && !icaltime_is_utc(t)) {
        snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d (floating)",
                 t.year, t.month, t.day, t.hour, t.minute, t.second);
    } else {
        time_t utc = icaltime_as_timet_with_zone(t, t.zone ? t.zone : icaltimezone_get_utc_timezone());
        struct tm tm;
        gmtime_r(&utc, &tm);
        strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
}

static time_t instant(struct icaltimetype t)
{
    if (icaltime_is_date(t) || (t.zone == NULL && !icaltime_is_utc(t)))
        return icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone());
    return icaltime_as_timet_with_zone(t, t.zone ? t.zone : icaltimezone_get_utc_timezone());
}

static void print_occurrence(const char *uid, const char *summary, const char *start, const char *end,
                             const struct icaltimetype *rid)
{
    fputs("{\"file\": ", stdout);
    json_string(stdout, current_file);
    fputs(", \"uid\": ", stdout);
    json_string(stdout, uid);
    fputs(", \"summary\": ", stdout);
    json_string(stdout, summary);
    fputs(", \"start\": ", stdout);
    json_string(stdout, start);
    fputs(", \"end\": ", stdout);
    json_string(stdout, end);
    if (rid) /* the instance as the RRULE iterator gives it, local wall time */
        printf(", \"rid\": \"%04d-%02d-%02dT%02d:%02d:%02d\"", rid->year, rid->month, rid->day,
               rid->hour, rid->minute, rid->second);
    fputs("}\n", stdout);
}

/* An event as written: its own DTSTART and DTEND (or DURATION). */
static void print_component(icalcomponent *ev)
{
    char s[64], e[64];
    format_time(s, sizeof s, icalcomponent_get_dtstart(ev));
    format_time(e, sizeof e, icalcomponent_get_dtend(ev));
    print_occurrence(icalcomponent_get_uid(ev), icalcomponent_get_summary(ev), s, e, NULL);
}

/* Every TZID parameter of the event must have a VTIMEZONE in the file. One
 * that has none is reported and dropped (the value is then floating), so
 * that libical never looks the name up in its built-in zones (slow, and not
 * what the feed says). */
static void check_zones(icalcomponent *cal, icalcomponent *ev)
{
    icalproperty *p;
    for (p = icalcomponent_get_first_property(ev, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_ANY_PROPERTY)) {
        icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
        if (tz && icalcomponent_get_timezone(cal, icalparameter_get_tzid(tz)) == NULL) {
            error("UID %s: TZID=%s has no VTIMEZONE in this file", icalcomponent_get_uid(ev),
                  icalparameter_get_tzid(tz));
            icalproperty_remove_parameter_by_kind(p, ICAL_TZID_PARAMETER);
        }
    }
}

struct group {
    const char *uid;
    icalcomponent *master;      /* the first VEVENT without RECURRENCE-ID */
    int masters;
    icalcomponent **overrides;
    int *used;
    int n_overrides;
};

static void expand_group(struct group *g, time_t until)
{
    icalcomponent *m = g->master;
    struct icaltimetype dtstart = icalcomponent_get_dtstart(m);
    struct icaltimetype dtend = icalcomponent_get_dtend(m);
    icalproperty *rrule = icalcomponent_get_first_property(m, ICAL_RRULE_PROPERTY);
    int i;

    if (rrule == NULL) {
        if (!icalproperty_recurrence_is_excluded(m, &dtstart, &dtstart) && instant(dtstart) <= until)
            print_component(m);
    }
    for (; rrule; rrule = icalcomponent_get_next_property(m, ICAL_RRULE_PROPERTY)) {
        struct icalrecurrencetype recur = icalproperty_get_rrule(rrule);
        icalrecur_iterator *it = icalrecur_iterator_new(recur, dtstart);
        struct icaltimetype t;
        long n = 0;
        /* foreach_recurrence's duration: DTEND - DTSTART in seconds; for
         * all-day events the number of days. */
        time_t duration = instant(dtend) - instant(dtstart);
        if (it == NULL) {
            error("UID %s: libical cannot iterate RRULE %s", g->uid, icalrecurrencetype_as_string(&recur));
            continue;
        }
        for (t = icalrecur_iterator_next(it); !icaltime_is_null_time(t); t = icalrecur_iterator_next(it)) {
            char s[64], e[64];
            int matched = 0;
            if (instant(t) > until)
                break;
            if (++n > MAX_OCCURRENCES_PER_SERIES) {
                error("UID %s: more than %s occurrences", g->uid, "100000");
                break;
            }
            if (icalproperty_recurrence_is_excluded(m, &dtstart, &t))
                continue;
            for (i = 0; i < g->n_overrides; i++) {
                struct icaltimetype rid = icalcomponent_get_recurrenceid(g->overrides[i]);
                if ((icaltime_is_date(rid) && icaltime_compare_date_only(t, rid) == 0)
                    || icaltime_compare(t, rid) == 0) {
                    matched = 1;
                    if (!g->used[i])
                        print_component(g->overrides[i]);
                    g->used[i] = 1;
                    break;
                }
            }
            if (matched)
                continue;
            format_time(s, sizeof s, t);
            if (icaltime_is_date(t)) {
                struct icaltimetype end = t;
                icaltime_adjust(&end, (int)(duration / 86400), 0, 0, 0);
                format_time(e, sizeof e, end);
            } else {
                time_t end = instant(t) + duration;
                struct tm tm;
                gmtime_r(&end, &tm);
                if (t.zone == NULL && !icaltime_is_utc(t))
                    strftime(e, sizeof e, "%Y-%m-%dT%H:%M:%S (floating)", &tm);
                else
                    strftime(e, sizeof e, "%Y-%m-%dT%H:%M:%SZ", &tm);
            }
            print_occurrence(g->uid, icalcomponent_get_summary(m), s, e, &t);
        }
        icalrecur_iterator_free(it);
    }
    /* Overrides that replace no instance are shown on their own (Evolution
     * keeps every detached instance). */
    for (i = 0; i < g->n_overrides; i++)
        if (!g->used[i] && instant(icalcomponent_get_recurrenceid(g->overrides[i])) <= until)
            print_component(g->overrides[i]);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

static void check_file(const char *path, time_t until)
{
    char *text = read_all(path);
    icalcomponent *root, *cal, *ev;
    struct group *groups = NULL;
    int n_groups = 0, events = 0, i, cals = 0;

    current_file = path;
    if (!text) {
        error("cannot read %s%s", path, "");
        return;
    }
    root = icalparser_parse_string(text);
    free(text);
    if (!root) {
        error("libical could not parse %s%s", path, "");
        return;
    }
    if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
        cal = root;
    else
        cal = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
    for (icalcomponent *c = cal; c; c = (root == cal) ? NULL : icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
        cals++;
    if (cals != 1) {
        char n[16];
        snprintf(n, sizeof n, "%d", cals);
        error("expected one VCALENDAR, found %s%s", n, "");
    }
    if (!cal) {
        icalcomponent_free(root);
        return;
    }
    for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        const char *uid = icalcomponent_get_uid(ev);
        struct group *g = NULL;
        events++;
        check_zones(cal, ev);
        if (!uid)
            uid = "(no UID)";
        for (i = 0; i < n_groups; i++)
            if (strcmp(groups[i].uid, uid) == 0)
                g = &groups[i];
        if (!g) {
            groups = realloc(groups, sizeof *groups * (size_t)(n_groups + 1));
            g = &groups[n_groups++];
            memset(g, 0, sizeof *g);
            g->uid = uid;
        }
        if (icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY)) {
            g->overrides = realloc(g->overrides, sizeof *g->overrides * (size_t)(g->n_overrides + 1));
            g->used = realloc(g->used, sizeof *g->used * (size_t)(g->n_overrides + 1));
            g->overrides[g->n_overrides] = ev;
            g->used[g->n_overrides++] = 0;
        } else {
            if (!g->master)
                g->master = ev;
            g->masters++;
        }
    }
    printf("{\"file\": ");
    json_string(stdout, path);
    printf(", \"events\": %d, \"uids\": %d}\n", events, n_groups);
    for (i = 0; i < n_groups; i++) {
        struct group *g = &groups[i];
        if (g->masters > 1) {
            char n[16];
            snprintf(n, sizeof n, "%d", g->masters);
            error("UID %s: %s VEVENTs without RECURRENCE-ID", g->uid, n);
        }
        if (g->master) {
            expand_group(g, until);
        } else {
            /* Overrides without their series: shown each on its own. */
            for (int j = 0; j < g->n_overrides; j++)
                print_component(g->overrides[j]);
        }
        free(g->overrides);
        free(g->used);
    }
    free(groups);
    icalcomponent_free(root);
}

int main(int argc, char **argv)
{
    time_t until = 0;
    int i = 1;
    if (argc < 3 || strcmp(argv[1], "--until") != 0) {
        fprintf(stderr, "usage: libical_expand --until YYYY-MM-DDTHH:MM:SSZ FILE.ics...\n");
        return 2;
    }
    {
        struct icaltimetype u = icaltime_from_string(argv[2]);
        if (icaltime_is_null_time(u)) {
            /* icaltime_from_string wants the basic form; accept the extended one. */
            char basic[32];
            int y, mo, d, h, mi, s;
            if (sscanf(argv[2], "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s) != 6) {
                fprintf(stderr, "libical_expand: bad --until %s\n", argv[2]);
                return 2;
            }
            snprintf(basic, sizeof basic, "%04d%02d%02dT%02d%02d%02dZ", y, mo, d, h, mi, s);
            u = icaltime_from_string(basic);
        }
        until = icaltime_as_timet_with_zone(u, icaltimezone_get_utc_timezone());
    }
    for (i = 3; i < argc; i++)
        check_file(argv[i], until);
    icaltimezone_free_builtin_timezones();
    return 0;
}
