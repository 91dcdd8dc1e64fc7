//! The page people open, `index.html`: upcoming and past downtime, the
//! maintenance dates, and how to subscribe to each feed. Rendered from the
//! same expansion as the feeds, in Norwegian bokmål.
//!
//! One static HTML5 file: no external assets, inline CSS, and a small inline
//! script that only adds the "Kopier" buttons (the page works without it).
//! Pure: `now` comes in as a value and is not printed, so that a rebuild on
//! another day gives the same bytes until an event passes.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::expand::{Expansion, Kind, Occurrence, Skipped, Time};
use crate::render::{Feed, systems_label};
use crate::schedule::{ALL_FEED, Details, Series, Status, SystemNames, Window};
use crate::wording::NB;

/// The last facts (place, status), then the description, consequences and
/// what still works: the same for an outage and a series.
fn place_status_and_text(h: &mut String, d: &Details) {
    if let Some(l) = &d.location {
        fact(h, "Sted", &esc(l), false);
    }
    status_fact(h, d);
    h.push_str("</dl>\n");
    if let Some(text) = &d.description {
        h.push_str(&paragraphs(text));
    }
    list(h, "Konsekvenser", &d.consequences);
    list(h, "Dette vil fungere", &d.still_works);
}

/// The title, struck through when cancelled, with its status tag.
fn status_title(h: &mut String, d: &Details) {
    match d.status {
        Status::Cancelled => {
            let _ = write!(
                h,
                "<span class=\"tag tag-cancelled\">AVLYST</span> <s>{}</s>",
                esc(&d.title)
            );
        }
        Status::Tentative => {
            let _ = write!(
                h,
                "{} <span class=\"tag tag-tentative\">Foreløpig</span>",
                esc(&d.title)
            );
        }
        Status::Confirmed => h.push_str(&esc(&d.title)),
    }
}

/// Renders `index.html` from the same expansion as the feeds.
pub fn render_page(expansion: &Expansion, feeds: &[Feed], now: DateTime<Utc>) -> String {
    let schedule = expansion.schedule;
    let settings = &schedule.settings;
    let names = schedule.system_names();
    // Each series' dates and skipped dates, found once.
    let mut by_series: HashMap<&str, SeriesEntries> = HashMap::new();
    for o in &expansion.occurrences {
        if o.kind == Kind::Maintenance {
            by_series.entry(o.source_id).or_default().dates.push(o);
        }
    }
    for skipped in &expansion.skipped {
        by_series
            .entry(skipped.series.id.as_str())
            .or_default()
            .skipped
            .push(skipped);
    }
    let ctx = Ctx {
        zone: settings.zone,
        names: &names,
        now,
        series: schedule.series.iter().map(|s| (s.id.as_str(), s)).collect(),
        by_series,
    };

    let mut upcoming: Vec<&Occurrence> = Vec::new();
    let mut past: Vec<&Occurrence> = Vec::new();
    for o in &expansion.occurrences {
        let (_, end) = instants(ctx.zone, &o.time);
        if end > now {
            upcoming.push(o);
        } else if o.kind == Kind::Outage {
            past.push(o);
        }
    }
    // Occurrences come sorted by start, then UID: reversed, most recent first.
    past.reverse();

    let title = format!("{} for IKT-systemer", settings.calendar_name);
    let series_heading = if !schedule.series.is_empty()
        && schedule
            .series
            .iter()
            .all(|s| s.rule_text.to_ascii_uppercase().contains("FREQ=MONTHLY"))
    {
        "Månedlig vedlikehold"
    } else {
        "Fast vedlikehold"
    };
    let zone_note = if settings.zone.name() == "Europe/Oslo" {
        "Alle klokkeslett er norsk tid.".to_string()
    } else {
        format!(
            "Alle klokkeslett er oppgitt i tidssonen {}.",
            esc(settings.zone.name())
        )
    };

    let mut h = String::with_capacity(64 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>{}</title>", esc(&title));
    if let Some(d) = &settings.description {
        let _ = writeln!(h, "<meta name=\"description\" content=\"{}\">", esc(d));
    }
    // No favicon request: the page loads nothing but itself.
    h.push_str("<link rel=\"icon\" href=\"data:,\">\n");
    let _ = writeln!(h, "<style>\n{CSS}</style>\n</head>\n<body>");
    h.push_str("<a class=\"skiplink\" href=\"#hovedinnhold\">Hopp til hovedinnholdet</a>\n");

    // Header.
    h.push_str("<header class=\"top\">\n<div class=\"wrap\">\n");
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    if let Some(d) = &settings.description {
        let _ = writeln!(h, "<p class=\"lead\">{}</p>", esc(d));
    }
    let _ = writeln!(
        h,
        "<p>Her står planlagte avbrudd og vedlikehold som gjør at IKT-systemer ikke kan brukes. \
         {zone_note} <a href=\"#abonner\">Abonner på kalenderen</a>, så kommer endringene inn i \
         kalenderen din av seg selv.</p>"
    );
    h.push_str("</div>\n</header>\n");

    // Table of contents.
    h.push_str("<nav class=\"toc\" aria-labelledby=\"innhold\">\n<div class=\"wrap\">\n");
    h.push_str("<h2 id=\"innhold\">Innhold</h2>\n<ul>\n");
    let _ = writeln!(
        h,
        "<li><a href=\"#kommende\">Kommende nedetid ({})</a></li>",
        upcoming.len()
    );
    let _ = writeln!(
        h,
        "<li><a href=\"#tidligere\">Tidligere nedetid ({})</a></li>",
        past.len()
    );
    if !schedule.series.is_empty() {
        let _ = writeln!(h, "<li><a href=\"#vedlikehold\">{series_heading}</a></li>");
    }
    h.push_str("<li><a href=\"#abonner\">Abonner på kalenderen</a></li>\n</ul>\n</div>\n</nav>\n");

    h.push_str("<main id=\"hovedinnhold\" tabindex=\"-1\">\n<div class=\"wrap\">\n");

    // Upcoming.
    h.push_str(
        "<section aria-labelledby=\"kommende\">\n<h2 id=\"kommende\">Kommende nedetid</h2>\n",
    );
    if upcoming.is_empty() {
        h.push_str(
            "<p class=\"empty\">Det er ikke registrert noen planlagt nedetid fremover.</p>\n",
        );
    } else {
        h.push_str("<p>Nærmeste først.</p>\n");
        for o in &upcoming {
            match o.kind {
                Kind::Outage => ctx.outage(&mut h, o),
                Kind::Maintenance => ctx.maintenance_item(&mut h, o),
            }
        }
    }
    h.push_str("</section>\n");

    // Past.
    h.push_str(
        "<section aria-labelledby=\"tidligere\">\n<h2 id=\"tidligere\">Tidligere nedetid</h2>\n",
    );
    if past.is_empty() {
        h.push_str("<p class=\"empty\">Det er ikke registrert noen tidligere nedetid.</p>\n");
    } else {
        h.push_str("<p>Sist først.");
        if !schedule.series.is_empty() {
            let _ = write!(
                h,
                " Datoene for tidligere vedlikehold står under \
                 <a href=\"#vedlikehold\">{series_heading}</a>."
            );
        }
        h.push_str("</p>\n");
        for o in &past {
            ctx.outage(&mut h, o);
        }
    }
    h.push_str("</section>\n");

    // Maintenance series.
    if !schedule.series.is_empty() {
        let _ = writeln!(
            h,
            "<section aria-labelledby=\"vedlikehold\">\n<h2 id=\"vedlikehold\">{series_heading}</h2>"
        );
        for series in &schedule.series {
            ctx.series(&mut h, series, expansion);
        }
        h.push_str("</section>\n");
    }

    // Subscribe.
    subscribe(&mut h, expansion, feeds);

    h.push_str("</div>\n</main>\n");
    h.push_str("<footer class=\"bottom\">\n<div class=\"wrap\">\n");
    let _ = writeln!(
        h,
        "<p>Denne siden og kalenderfilene lages automatisk fra de samme planene. {zone_note}</p>"
    );
    h.push_str("<p><a href=\"#innhold\">Til innholdsfortegnelsen</a></p>\n");
    h.push_str("</div>\n</footer>\n");
    let _ = writeln!(h, "<script>\n{SCRIPT}</script>");
    h.push_str("</body>\n</html>\n");
    h
}

/// A series' dates and skipped dates, in order.
#[derive(Default)]
struct SeriesEntries<'e, 'a> {
    dates: Vec<&'e Occurrence<'a>>,
    skipped: Vec<&'e Skipped<'a>>,
}

struct Ctx<'a> {
    zone: Tz,
    names: &'a SystemNames<'a>,
    now: DateTime<Utc>,
    series: HashMap<&'a str, &'a Series>,
    by_series: HashMap<&'a str, SeriesEntries<'a, 'a>>,
}

impl Ctx<'_> {
    /// One outage in full: title, when, systems, place, status, text, lists.
    fn outage(&self, h: &mut String, o: &Occurrence) {
        let d = o.details;
        let cancelled = d.status == Status::Cancelled;
        let _ = write!(
            h,
            "<article class=\"event{}\" id=\"nedetid-{}\">\n<h3>",
            if cancelled { " cancelled" } else { "" },
            anchor(o.source_id)
        );
        self.title_with_tags(h, o);
        h.push_str("</h3>\n<dl class=\"facts\">\n");
        fact(h, "Når", &self.when(&o.time, true), cancelled);
        fact(
            h,
            "Systemer",
            &esc(&systems_label(&NB, d, self.names)),
            false,
        );
        place_status_and_text(h, d);
        more_link(h, d);
        h.push_str("</article>\n");
    }

    /// One upcoming maintenance occurrence, short: the series has the rest.
    fn maintenance_item(&self, h: &mut String, o: &Occurrence) {
        let d = o.details;
        let cancelled = d.status == Status::Cancelled;
        let _ = write!(
            h,
            "<article class=\"event maint{}\">\n<h3>",
            if cancelled { " cancelled" } else { "" }
        );
        self.title_with_tags(h, o);
        h.push_str("</h3>\n<dl class=\"facts\">\n");
        fact(h, "Når", &self.when(&o.time, true), cancelled);
        fact(
            h,
            "Systemer",
            &esc(&systems_label(&NB, d, self.names)),
            false,
        );
        if let Some(l) = &d.location {
            fact(h, "Sted", &esc(l), false);
        }
        status_fact(h, d);
        if let Some(series) = self.series.get(o.source_id)
            && let Some(change) = change_note(series, o)
        {
            fact(h, "Endring", &capitalise(&change), false);
        }
        h.push_str("</dl>\n");
        let _ = writeln!(
            h,
            "<p><a href=\"#serie-{}\">Alle datoer for {}</a></p>\n</article>",
            anchor(o.source_id),
            esc(&d.title)
        );
    }

    /// The title with its status tags, and "now" while it lasts.
    fn title_with_tags(&self, h: &mut String, o: &Occurrence) {
        let d = o.details;
        status_title(h, d);
        let (start, end) = instants(self.zone, &o.time);
        if start <= self.now && self.now < end && d.status != Status::Cancelled {
            h.push_str(" <span class=\"tag tag-now\">Pågår nå</span>");
        }
    }

    /// A series: what, which systems, the window, then the dates per year
    /// with moves, extras and skipped dates or months.
    fn series(&self, h: &mut String, series: &Series, expansion: &Expansion) {
        let d = &series.details;
        let cancelled = d.status == Status::Cancelled;
        let _ = write!(
            h,
            "<article class=\"series{}\" id=\"serie-{}\">\n<h3>",
            if cancelled { " cancelled" } else { "" },
            anchor(&series.id)
        );
        status_title(h, d);
        h.push_str("</h3>\n<dl class=\"facts\">\n");
        fact(
            h,
            "Systemer",
            &esc(&systems_label(&NB, d, self.names)),
            false,
        );
        fact(h, "Tidsrom", &window_label(series.window), cancelled);
        let period = match series.until {
            Some(u) => format!(
                "{} – {}",
                date_tag(
                    series.from,
                    &day_month(series.from, series.from.year() != u.year())
                ),
                date_tag(u, &day_month(u, true))
            ),
            None => format!(
                "fra {} (datoene under går til {})",
                date_tag(series.from, &day_month(series.from, true)),
                date_tag(expansion.horizon, &day_month(expansion.horizon, true))
            ),
        };
        fact(h, "Periode", &period, false);
        place_status_and_text(h, d);

        // Dates and skipped dates, merged and grouped by year.
        enum Entry<'e, 'a> {
            Date(&'e Occurrence<'a>),
            SkipDate(&'e Skipped<'a>),
            SkipMonth(&'e Skipped<'a>),
        }
        let mut entries: Vec<(NaiveDate, Entry)> = Vec::new();
        let found = self.by_series.get(series.id.as_str());
        let dates = found.map_or(&[][..], |f| f.dates.as_slice());
        let skipped = found.map_or(&[][..], |f| f.skipped.as_slice());
        for o in dates {
            entries.push((local_start_date(&o.time), Entry::Date(o)));
        }
        let mut months_seen: Vec<(i32, u32)> = Vec::new();
        for s in skipped {
            if series.skips.iter().any(|k| k.date == s.date) {
                entries.push((s.date, Entry::SkipDate(s)));
            } else if !months_seen.contains(&(s.date.year(), s.date.month())) {
                months_seen.push((s.date.year(), s.date.month()));
                entries.push((s.date, Entry::SkipMonth(s)));
            }
        }
        entries.sort_by_key(|(date, _)| *date);
        let next = dates
            .iter()
            .find(|o| instants(self.zone, &o.time).1 > self.now)
            .map(|o| o.uid.as_str());

        let mut year = None;
        for (date, entry) in &entries {
            if year != Some(date.year()) {
                if year.is_some() {
                    h.push_str("</ul>\n");
                }
                year = Some(date.year());
                let _ = writeln!(
                    h,
                    "<h4>Vedlikeholdsdatoer for {}</h4>\n<ul class=\"dates\">",
                    date.year()
                );
            }
            match entry {
                Entry::Date(o) => {
                    let is_next = next == Some(o.uid.as_str());
                    let _ = write!(
                        h,
                        "<li{}>{}",
                        if is_next { " class=\"next\"" } else { "" },
                        self.when(&o.time, false)
                    );
                    if is_next {
                        h.push_str(" <span class=\"tag tag-next\">Neste</span>");
                    }
                    if let Some(change) = change_note(series, o) {
                        let _ = write!(h, " <span class=\"change\">– {change}</span>");
                    }
                    h.push_str("</li>\n");
                }
                Entry::SkipDate(s) => {
                    let _ = write!(
                        h,
                        "<li class=\"skipped\">{}: <strong>Ikke vedlikehold</strong>",
                        date_tag(s.date, &date_nb(s.date, false))
                    );
                    if let Some(r) = &s.reason {
                        let _ = write!(h, " – {}", esc(r));
                    }
                    h.push_str("</li>\n");
                }
                Entry::SkipMonth(s) => {
                    let month = format!("{:04}-{:02}", s.date.year(), s.date.month());
                    let _ = write!(
                        h,
                        "<li class=\"skipped\"><strong><time datetime=\"{month}\">{}</time>:</strong> ",
                        capitalise(MONTHS[s.date.month0() as usize])
                    );
                    match &s.reason {
                        Some(r) => h.push_str(&esc(r)),
                        None => h.push_str("Ikke vedlikehold denne måneden."),
                    }
                    h.push_str("</li>\n");
                }
            }
        }
        if year.is_some() {
            h.push_str("</ul>\n");
        } else {
            h.push_str("<p class=\"empty\">Ingen datoer i perioden.</p>\n");
        }
        more_link(h, d);
        h.push_str("</article>\n");
    }

    /// When an occurrence happens, in words, with `<time>` elements.
    fn when(&self, time: &Time, with_year: bool) -> String {
        match *time {
            Time::Timed {
                start,
                end,
                start_local,
                end_local,
            } => {
                let midnight_after = end_local.time() == NaiveTime::MIN
                    && start_local.date().succ_opt() == Some(end_local.date());
                if end_local.date() == start_local.date() || midnight_after {
                    // "onsdag 20. november 2019 kl. 16.00–19.00": the date,
                    // then the two times, kept on one line.
                    let e = if midnight_after {
                        "24.00".to_string()
                    } else {
                        hm(end_local.time())
                    };
                    format!(
                        "{} <span class=\"nw\">kl. <time datetime=\"{}\">{}</time>–<time datetime=\"{}\">{e}</time></span>",
                        date_tag(start_local.date(), &date_nb(start_local.date(), with_year)),
                        self.stamp(start),
                        hm(start_local.time()),
                        self.stamp(end)
                    )
                } else {
                    let point = |t: DateTime<Utc>, local: NaiveDateTime| {
                        format!(
                            "<time datetime=\"{}\">{} <span class=\"nw\">kl. {}</span></time>",
                            self.stamp(t),
                            date_nb(local.date(), with_year),
                            hm(local.time())
                        )
                    };
                    format!("{} – {}", point(start, start_local), point(end, end_local))
                }
            }
            Time::AllDay { start, end } => {
                let last = end.pred_opt().filter(|l| *l > start).unwrap_or(start);
                if last == start {
                    return date_tag(start, &date_nb(start, with_year));
                }
                let first = if start.year() != last.year() {
                    date_nb(start, with_year)
                } else if start.month() != last.month() {
                    date_nb(start, false)
                } else {
                    format!("{} {}.", NB.weekday(start), start.day())
                };
                let joiner = if start.succ_opt() == Some(last) {
                    " og "
                } else {
                    " – "
                };
                format!(
                    "{}{joiner}{}",
                    date_tag(start, &first),
                    date_tag(last, &date_nb(last, with_year))
                )
            }
        }
    }

    /// A valid global date and time string, with the local offset.
    fn stamp(&self, t: DateTime<Utc>) -> String {
        use chrono::Offset as _;
        let local = t.with_timezone(&self.zone);
        let offset = local.offset().fix().local_minus_utc();
        let mut s = crate::stamp::date_time(local.naive_local(), "-");
        s.truncate(s.len() - 3); // no seconds
        let sign = if offset < 0 { '-' } else { '+' };
        let minutes = (offset.unsigned_abs() + 30) / 60; // rounded, as chrono does
        let _ = write!(s, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
        s
    }
}

/// The subscribe section: how-to, then the feed with everything, then one
/// per system.
fn subscribe(h: &mut String, expansion: &Expansion, feeds: &[Feed]) {
    let settings = &expansion.schedule.settings;
    h.push_str(
        "<section aria-labelledby=\"abonner\">\n<h2 id=\"abonner\">Abonner på kalenderen</h2>\n",
    );
    h.push_str(
        "<p>Abonnerer du, kommer nye og endrede tidspunkter inn i kalenderen din av seg selv. \
         Velg hele kalenderen, eller bare systemene du bruker.</p>\n",
    );
    h.push_str(
        "<p class=\"note\"><strong>Merk:</strong> Kalenderprogrammene henter endringer med noen \
         timers mellomrom, ikke med en gang: Outlook etter noen timer, Google Kalender etter 8 til \
         24 timer. Ved hastende endringer bør du derfor også sjekke denne siden.</p>\n",
    );
    h.push_str("<h3 id=\"slik\">Slik legger du til kalenderen</h3>\n<ul class=\"howto\">\n");
    if settings.base_url.is_some() {
        h.push_str(
            "<li><strong>Outlook, jobb eller skole (Microsoft 365):</strong> velg «Legg til i \
             Outlook (jobb/skole – Microsoft 365)» ved kalenderen du vil ha, logg inn om du blir \
             bedt om det, og bekreft.</li>\n\
             <li><strong>Outlook.com (privat):</strong> velg «Legg til i Outlook.com (privat)».</li>\n\
             <li><strong>Outlook-programmet på PC:</strong> kopier adressen, velg \
             <strong>Legg til kalender</strong> › <strong>Fra Internett</strong>, lim inn \
             adressen og velg OK.</li>\n\
             <li><strong>iPhone, iPad og Mac:</strong> velg «Apple Kalender» og bekreft \
             abonnementet.</li>\n",
        );
    } else {
        h.push_str(
            "<li><strong>Outlook:</strong> kopier adressen, velg <strong>Legg til kalender</strong> \
             › <strong>Fra Internett</strong> (eller <strong>Abonner fra nettet</strong> i Outlook \
             på nett), lim inn adressen og bekreft.</li>\n\
             <li><strong>iPhone, iPad og Mac:</strong> kopier adressen, velg \
             <strong>Arkiv</strong> › <strong>Nytt kalenderabonnement</strong> i Kalender på Mac, \
             eller <strong>Legg til kalender</strong> › <strong>Legg til abonnementskalender</strong> \
             på iPhone, og lim inn adressen.</li>\n",
        );
    }
    h.push_str(
        "<li id=\"google\"><strong>Google Kalender:</strong> kopier adressen. Åpne Google Kalender \
         på en datamaskin, gå til <strong>Andre kalendere</strong> › <strong>+</strong> › \
         <strong>Fra URL</strong>, lim inn adressen og velg <strong>Legg til kalender</strong>. \
         Kalenderen kommer da også på telefonen.</li>\n</ul>\n",
    );
    h.push_str(
        "<p class=\"warn\"><strong>Last ned bare for engangsimport.</strong> En nedlastet fil kan \
         importeres én gang, for eksempel i en felles kalender for en avdeling. Den oppdateres ikke \
         når planene endres, og importerer du den to ganger, får du alle hendelsene to ganger. \
         Abonner heller når du kan.</p>\n",
    );

    let all = feeds.iter().filter(|f| f.id == ALL_FEED);
    let systems: Vec<&Feed> = feeds.iter().filter(|f| f.id != ALL_FEED).collect();
    for feed in all {
        let _ = writeln!(h, "<h3 id=\"abonner-{ALL_FEED}\">Hele kalenderen</h3>");
        feed_block(h, expansion, feed);
    }
    if !systems.is_empty() {
        h.push_str("<h3 id=\"abonner-system\">Kalender for ett system</h3>\n");
        h.push_str(
            "<p>Bruker du bare noen av systemene, kan du abonnere på dem hver for seg. \
             Åpne systemet for å se adressen og lenkene.</p>\n",
        );
        for feed in systems {
            let system = expansion.schedule.systems.iter().find(|s| s.id == feed.id);
            let label = system.map_or(feed.name.as_str(), |s| s.name.as_str());
            let _ = writeln!(
                h,
                "<details class=\"system\" id=\"abonner-{}\">\n<summary>{} <span class=\"count\">({})</span></summary>",
                anchor(&feed.id),
                esc(label),
                events_label(feed.events)
            );
            feed_block(h, expansion, feed);
            h.push_str("</details>\n");
        }
    }
    h.push_str("</section>\n");
}

/// The address with its copy button and the links for one feed.
fn feed_block(h: &mut String, expansion: &Expansion, feed: &Feed) {
    let settings = &expansion.schedule.settings;
    let id = anchor(&feed.id);
    let name = esc(&feed.name);
    let description = if feed.id == ALL_FEED {
        Some("Alle systemer i én kalender.".to_string())
    } else {
        expansion
            .schedule
            .systems
            .iter()
            .find(|s| s.id == feed.id)
            .and_then(|s| s.description.clone())
    };
    h.push_str("<div class=\"feed\">\n");
    let _ = writeln!(
        h,
        "<p>{}{}.</p>",
        description.map_or(String::new(), |d| format!("{} ", esc(&d))),
        capitalise(&events_label(feed.events))
    );
    let absolute = settings
        .base_url
        .as_ref()
        .map(|b| format!("{b}{}", feed.file_name));
    let shown = absolute.clone().unwrap_or_else(|| feed.file_name.clone());
    let _ = writeln!(
        h,
        "<label for=\"url-{id}\">Kalenderadresse<span class=\"vh\"> for {name}</span></label>\n\
         <div class=\"copyrow\"><textarea id=\"url-{id}\" readonly rows=\"2\" \
         spellcheck=\"false\"{1}>{0}</textarea>\
         <button type=\"button\" class=\"copy\" data-copy=\"url-{id}\" data-status=\"status-{id}\" \
         hidden>Kopier<span class=\"vh\"> adressen for {name}</span></button></div>\n\
         <p class=\"copy-status\" id=\"status-{id}\" role=\"status\"></p>",
        esc(&shown),
        if absolute.is_none() {
            " data-relative"
        } else {
            ""
        }
    );
    h.push_str("<ul class=\"actions\">\n");
    if let Some(url) = &absolute {
        let query = format!(
            "url={}&name={}",
            percent_encode(url),
            percent_encode(&feed.name)
        );
        let _ = writeln!(
            h,
            "<li><a class=\"btn\" href=\"{}\">Legg til i Outlook (jobb/skole – Microsoft 365)<span class=\"vh\">: {name}</span></a></li>",
            esc(&format!(
                "https://outlook.office.com/calendar/0/addfromweb?{query}"
            ))
        );
        let _ = writeln!(
            h,
            "<li><a class=\"btn\" href=\"{}\">Legg til i Outlook.com (privat)<span class=\"vh\">: {name}</span></a></li>",
            esc(&format!(
                "https://outlook.live.com/calendar/0/addfromweb?{query}"
            ))
        );
        if let Some(webcal) = webcal(url) {
            let _ = writeln!(
                h,
                "<li><a class=\"btn\" href=\"{}\">Apple Kalender (iPhone, iPad, Mac)<span class=\"vh\">: {name}</span></a></li>",
                esc(&webcal)
            );
        }
        let _ = writeln!(
            h,
            "<li class=\"wide\">Google Kalender: lim inn adressen under Andre kalendere › + › Fra URL \
             (se <a href=\"#google\">fremgangsmåten for Google Kalender</a>). Snarvei som ikke alltid \
             virker: <a href=\"{}\">Åpne i Google Kalender<span class=\"vh\">: {name}</span></a>.</li>",
            esc(&format!(
                "https://calendar.google.com/calendar/r?cid={}",
                percent_encode(url)
            ))
        );
    }
    let _ = writeln!(
        h,
        "<li class=\"wide download\"><a class=\"btn btn-plain\" href=\"{file}\" download>Last ned {file}<span class=\"vh\"> ({name})</span></a> \
         <span class=\"hint\">Bare for engangsimport: oppdateres ikke.</span></li>",
        file = esc(&feed.file_name)
    );
    h.push_str("</ul>\n</div>\n");
}

/// How a series occurrence differs from its rule: moved or extra.
fn change_note(series: &Series, o: &Occurrence) -> Option<String> {
    let actual = local_start_date(&o.time);
    match o.rule_date {
        Some(rule_date) if rule_date != actual => {
            let reason = series
                .moves
                .iter()
                .find(|m| m.from == rule_date)
                .and_then(|m| m.reason.as_deref());
            let from = date_tag(rule_date, &rule_date.format("%d.%m.%Y").to_string());
            Some(match reason {
                Some(r) => format!("flyttet fra {from}: {}", esc(r)),
                None => format!("flyttet fra {from}"),
            })
        }
        Some(_) => None,
        None => {
            let reason = series
                .extras
                .iter()
                .find(|e| e.date == actual)
                .and_then(|e| e.reason.as_deref());
            Some(match reason {
                Some(r) => format!("ekstra dato: {}", esc(r)),
                None => "ekstra dato".to_string(),
            })
        }
    }
}

fn fact(h: &mut String, term: &str, value_html: &str, struck: bool) {
    let _ = writeln!(
        h,
        "<div><dt>{term}</dt><dd{}>{value_html}</dd></div>",
        if struck { " class=\"struck\"" } else { "" }
    );
}

fn status_fact(h: &mut String, d: &Details) {
    match d.status {
        Status::Cancelled => fact(h, "Status", "<strong>AVLYST</strong>", false),
        Status::Tentative => fact(
            h,
            "Status",
            "<strong>Foreløpig</strong> – tidspunktet kan endres",
            false,
        ),
        Status::Confirmed => {}
    }
}

fn list(h: &mut String, heading: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(h, "<h4>{heading}</h4>\n<ul>");
    for item in items {
        let _ = writeln!(h, "<li>{}</li>", esc(item));
    }
    h.push_str("</ul>\n");
}

fn more_link(h: &mut String, d: &Details) {
    if let Some(link) = &d.link
        && (link.starts_with("https://") || link.starts_with("http://"))
    {
        let _ = writeln!(
            h,
            "<p><a href=\"{}\">Mer informasjon<span class=\"vh\"> om {}</span></a></p>",
            esc(link),
            esc(&d.title)
        );
    }
}

/// Paragraphs from schedule text: blank lines split paragraphs, single
/// line breaks are kept.
fn paragraphs(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n");
    let mut out = String::new();
    for p in normalised
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let lines: Vec<String> = p.lines().map(esc).collect();
        let _ = writeln!(out, "<p>{}</p>", lines.join("<br>\n"));
    }
    out
}

/// Start and end instants of an occurrence; all-day ones from local
/// midnight to local midnight in `zone`.
fn instants(zone: Tz, time: &Time) -> (DateTime<Utc>, DateTime<Utc>) {
    match *time {
        Time::Timed { start, end, .. } => (start, end),
        Time::AllDay { start, end } => (midnight(zone, start), midnight(zone, end)),
    }
}

fn midnight(zone: Tz, d: NaiveDate) -> DateTime<Utc> {
    let local: NaiveDateTime = d.and_time(NaiveTime::MIN);
    zone.from_local_datetime(&local)
        .earliest()
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

fn local_start_date(time: &Time) -> NaiveDate {
    match *time {
        Time::Timed { start_local, .. } => start_local.date(),
        Time::AllDay { start, .. } => start,
    }
}

const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];

/// "fredag 29. november 2019", or without the year.
fn date_nb(d: NaiveDate, with_year: bool) -> String {
    let mut s = format!(
        "{} {}. {}",
        NB.weekday(d),
        d.day(),
        MONTHS[d.month0() as usize]
    );
    if with_year {
        let _ = write!(s, " {}", d.year());
    }
    s
}

/// "1. februar 2019", without the weekday: for the bounds of a period.
fn day_month(d: NaiveDate, with_year: bool) -> String {
    let mut s = format!("{}. {}", d.day(), MONTHS[d.month0() as usize]);
    if with_year {
        let _ = write!(s, " {}", d.year());
    }
    s
}

fn date_tag(d: NaiveDate, text: &str) -> String {
    format!(
        "<time datetime=\"{}\">{text}</time>",
        crate::stamp::date(d, "-")
    )
}

/// "15.30", the Norwegian way.
fn hm(t: NaiveTime) -> String {
    format!("{:02}.{:02}", t.hour(), t.minute())
}

fn window_label(w: Window) -> String {
    let end = if w.end_next_day && w.end == NaiveTime::MIN {
        "24.00".to_string()
    } else {
        hm(w.end)
    };
    format!("kl. {}–{end}", hm(w.start))
}

fn events_label(n: usize) -> String {
    match n {
        1 => "1 hendelse".to_string(),
        n => format!("{n} hendelser"),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `webcal://` for an http(s) URL.
fn webcal(url: &str) -> Option<String> {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| format!("webcal://{rest}"))
}

/// An id usable in `id` and in a `#fragment`.
fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    // Copies runs without specials at once (all are ASCII).
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&s[plain..]);
    out
}

/// Percent-encodes every byte except the unreserved characters of RFC 3986
/// (`A-Z a-z 0-9 - . _ ~`).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

const CSS: &str = r#":root{color-scheme:light;--text:#1b1f24;--muted:#4a5360;--link:#0a4fa6;--line:#c5ccd6;--panel:#f2f5f9;--head:#0d2b4e}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:1.0625rem;line-height:1.55;color:var(--text);background:#fff;overflow-wrap:break-word}
.wrap{max-width:52rem;margin:0 auto;padding:0 1rem}
a{color:var(--link);text-underline-offset:.15em}
a:hover{text-decoration-thickness:.15em}
:focus-visible{outline:3px solid var(--link);outline-offset:2px}
[hidden]{display:none!important}
.vh{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.skiplink{position:absolute;left:.5rem;top:-10rem;z-index:10;background:#ffd83d;color:#000;padding:.75rem 1rem;font-weight:700;border-radius:0 0 .4rem .4rem}
.skiplink:focus{top:0;outline:3px solid #000;outline-offset:0}
header.top{background:var(--head);color:#fff;padding:1.25rem 0 1rem}
header.top a{color:#fff}
header.top :focus-visible{outline-color:#ffd83d}
h1{font-size:clamp(1.6rem,5.5vw,2.3rem);line-height:1.2;margin:.25rem 0 .75rem}
h2{font-size:1.55rem;line-height:1.25;margin:2.25rem 0 .75rem;padding-bottom:.3rem;border-bottom:3px solid var(--head)}
h3{font-size:1.25rem;line-height:1.3;margin:1.5rem 0 .5rem}
h4{font-size:1.05rem;margin:1rem 0 .35rem}
.event h3,.series h3{margin-top:0}
.event>:last-child,.series>:last-child,.feed>:last-child{margin-bottom:0}
.lead{font-size:1.15rem;margin:.25rem 0 .75rem}
nav.toc{background:var(--panel);border-bottom:1px solid var(--line);padding:.5rem 0}
nav.toc h2{font-size:1rem;margin:.5rem 0 .25rem;border:0;padding:0}
nav.toc ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:0 1.25rem}
nav.toc a{display:inline-flex;align-items:center;min-height:44px;font-weight:600}
main{display:block;padding-bottom:2rem}
main:focus{outline:none}
.event,.series{border:1px solid var(--line);border-left:6px solid var(--link);border-radius:.5rem;padding:1rem;margin:1rem 0;background:#fff}
.event.maint{border-left-color:#5a6676;background:var(--panel)}
.cancelled{border-left-color:#a3000f}
.cancelled s,.struck{text-decoration:line-through;text-decoration-thickness:.1em;text-decoration-color:#a3000f}
.facts{margin:.5rem 0 .75rem}
.facts div{display:flex;flex-wrap:wrap;gap:0 .75rem;padding:.15rem 0}
.facts dt{font-weight:700;min-width:6rem}
.facts dd{margin:0;flex:1 1 15rem;min-width:0}
.tag{display:inline-block;font-size:.8rem;font-weight:700;line-height:1.3;letter-spacing:.03em;padding:.1em .45em;border:2px solid currentColor;border-radius:.3em;vertical-align:.15em;background:#fff}
.tag-cancelled{color:#a3000f}
.tag-tentative{color:#7a4500}
.tag-now{color:#0a6630}
.tag-next{color:var(--link)}
ul.dates{padding-left:1.25rem}
ul.dates li{margin:.2rem 0}
ul.dates li.skipped{list-style-type:"– ";font-style:italic}
.change{font-style:italic}
.nw{white-space:nowrap}
.note,.warn{background:var(--panel);border-left:5px solid var(--link);padding:.75rem 1rem;border-radius:.25rem}
.warn{border-left-color:#7a4500;background:#fff8e6}
.howto li{margin:.4rem 0}
.feed{margin:.5rem 0 1.5rem}
.feed label{display:block;font-weight:700;margin:.5rem 0 .25rem}
.copyrow{display:flex;flex-wrap:wrap;gap:.5rem}
.copyrow textarea{flex:1 1 16rem;min-width:0;min-height:44px;font:inherit;font-size:1rem;line-height:1.4;padding:.6rem;color:var(--text);background:#fff;border:2px solid #5a6676;border-radius:.35rem;resize:none;overflow:auto;word-break:break-all}
@supports (field-sizing:content){.copyrow textarea{field-sizing:content}}
button.copy{min-height:44px;min-width:5.5rem;font:inherit;font-weight:700;padding:.45rem 1rem;color:#fff;background:var(--link);border:2px solid var(--link);border-radius:.35rem;cursor:pointer}
button.copy:hover{background:var(--head)}
.copy-status{min-height:1.55em;margin:.25rem 0;font-weight:600}
.copy-status:empty{min-height:0;margin:0}
ul.actions{list-style:none;margin:.75rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.5rem}
ul.actions li.wide{flex-basis:100%;margin:.25rem 0}
ul.actions li.download{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem .75rem}
a.btn{display:inline-flex;align-items:center;min-height:44px;padding:.4rem .9rem;border:2px solid var(--link);border-radius:.35rem;background:#fff;font-weight:600;text-decoration:none}
a.btn:hover{background:var(--panel);text-decoration:underline}
a.btn-plain{border-style:dashed}
.hint{color:var(--muted)}
details.system{border:1px solid var(--line);border-radius:.5rem;margin:.5rem 0;background:#fff}
details.system>summary{min-height:44px;padding:.6rem 1rem;cursor:pointer;font-weight:700;color:var(--link)}
details.system>summary .count{font-weight:400;color:var(--muted)}
details.system[open]>summary{border-bottom:1px solid var(--line)}
details.system>.feed{padding:0 1rem .75rem;margin:0}
.empty{font-style:italic}
footer.bottom{border-top:1px solid var(--line);background:var(--panel);padding:1rem 0;color:var(--text)}
footer.bottom a{display:inline-flex;align-items:center;min-height:44px}
@media (max-width:30rem){body{font-size:1rem}.event,.series{padding:.85rem}h2{font-size:1.35rem}ul.actions li{flex-basis:100%}a.btn{width:100%}button.copy{flex:1 1 100%}}
@media print{.skiplink,nav.toc,.copyrow,.actions,button{display:none!important}a{color:inherit}}
"#;

const SCRIPT: &str = r#"(function () {
  'use strict';
  var buttons = document.querySelectorAll('button[data-copy]');
  Array.prototype.forEach.call(buttons, function (button) {
    var input = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById(button.getAttribute('data-status'));
    if (!input) { return; }
    if (input.hasAttribute('data-relative') && /^https?:$/.test(location.protocol)) {
      try { input.value = new URL(input.value, document.baseURI).href; } catch (e) { /* keep it */ }
    }
    button.hidden = false;
    function say(text) { if (status) { status.textContent = text; } }
    function fallback() {
      input.focus();
      input.select();
      var copied = false;
      try { copied = document.execCommand('copy'); } catch (e) { copied = false; }
      say(copied ? 'Adressen er kopiert.' : 'Adressen er merket. Kopier den med Ctrl+C (Cmd+C på Mac).');
    }
    button.addEventListener('click', function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(function () {
          say('Adressen er kopiert.');
        }, fallback);
      } else {
        fallback();
      }
    });
  });
})();
"#;

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::pipeline::{Checked, expansion, load};
    use crate::render::feed_list;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test instant")
            .with_timezone(&Utc)
    }

    fn checked() -> Checked {
        load(Path::new("schedules")).expect("default schedules load")
    }

    fn page_for(checked: &Checked, now: DateTime<Utc>) -> String {
        let exp = expansion(checked, now).expect("default schedules expand");
        let feeds = feed_list(&exp);
        render_page(&exp, &feeds, now)
    }

    /// The text of some HTML, tags removed and entities decoded.
    fn text(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    /// The HTML of the section whose heading has `id`.
    fn section<'h>(html: &'h str, id: &str) -> &'h str {
        let start = html
            .find(&format!("<h2 id=\"{id}\">"))
            .unwrap_or_else(|| panic!("section {id}"));
        let end = html[start..]
            .find("</section>")
            .map_or(html.len(), |e| start + e);
        &html[start..end]
    }

    #[test]
    fn schedule_text_is_escaped() {
        let checked = checked();
        let mut schedule = checked.schedule.clone();
        schedule.outages[0].details.title = "<script>alert('x')</script> & \"co\"".into();
        schedule.outages[0].details.consequences = vec!["a < b > c".into()];
        schedule.outages[0].details.location = Some("Rom \"A\" & B".into());
        let now = at("2019-11-01T12:00:00Z");
        let exp = crate::expand::expand(&schedule, now).expect("expands");
        let feeds = feed_list(&exp);
        let html = render_page(&exp, &feeds, now);
        assert!(!html.contains("<script>alert"), "raw script tag in page");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;")
        );
        assert!(html.contains("a &lt; b &gt; c"));
        assert!(html.contains("Rom &quot;A&quot; &amp; B"));
        // The only script element is the page's own.
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn upcoming_and_past_split_at_now() {
        let checked = checked();
        let html = page_for(&checked, at("2019-11-01T12:00:00Z"));
        let upcoming = text(section(&html, "kommende"));
        let past = text(section(&html, "tidligere"));
        for title in [
            "Test av nødstrømsaggregat i Rådhuskvartalet",
            "Vedlikehold på nettverksinfrastruktur i Gjøvik kommune",
            "Gjøvikregionens datautstyr flyttes til ny datahall",
            "Oppgradering av Visma Enterprise til versjon 2019.3",
        ] {
            assert!(upcoming.contains(title), "{title} should be upcoming");
            assert!(!past.contains(title), "{title} should not be past");
        }
        for title in [
            "Bytte av cachebatteri",
            "Omlegging av fiber",
            "versjon 2019.1",
            "versjon 2019.2",
        ] {
            assert!(past.contains(title), "{title} should be past");
            assert!(!upcoming.contains(title), "{title} should not be upcoming");
        }
        // Soonest first; most recent first.
        let pos = |s: &str, t: &str| s.find(t).unwrap_or_else(|| panic!("{t}"));
        assert!(pos(&upcoming, "nødstrømsaggregat") < pos(&upcoming, "nettverksinfrastruktur"));
        assert!(pos(&upcoming, "nettverksinfrastruktur") < pos(&upcoming, "ny datahall"));
        assert!(pos(&upcoming, "ny datahall") < pos(&upcoming, "versjon 2019.3"));
        assert!(pos(&past, "versjon 2019.2") < pos(&past, "versjon 2019.1"));
        assert!(pos(&past, "versjon 2019.1") < pos(&past, "Omlegging av fiber"));
        assert!(pos(&past, "Omlegging av fiber") < pos(&past, "cachebatteri"));
        // Upcoming maintenance is listed briefly, the moved one with its reason.
        assert!(upcoming.contains("onsdag 20. november 2019 kl. 16.00–19.00"));
        assert!(upcoming.contains("onsdag 11. desember 2019 kl. 16.00–19.00"));
        assert!(upcoming.contains("Flyttet fra 18.12.2019"));

        // During the move to the new data hall: it is ongoing, so upcoming.
        let html = page_for(&checked, at("2019-11-30T12:00:00Z"));
        let upcoming = text(section(&html, "kommende"));
        let past = text(section(&html, "tidligere"));
        assert!(upcoming.contains("ny datahall Pågår nå"));
        assert!(past.contains("nettverksinfrastruktur"));
        assert!(!upcoming.contains("nettverksinfrastruktur"));
    }

    #[test]
    fn outlook_links_are_percent_encoded() {
        let html = page_for(&checked(), at("2019-11-01T12:00:00Z"));
        assert!(html.contains(
            "href=\"https://outlook.office.com/calendar/0/addfromweb?url=https%3A%2F%2Fwww.vestre-toten.kommune.no%2Fnedetid%2Fall.ics&amp;name=Planlagt%20nedetid%3A%20alle%20systemer\""
        ));
        assert!(html.contains(
            "href=\"https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2Fwww.vestre-toten.kommune.no%2Fnedetid%2Fe-post.ics&amp;name=Planlagt%20nedetid%3A%20E-post\""
        ));
        assert!(html.contains("href=\"webcal://www.vestre-toten.kommune.no/nedetid/visma.ics\""));
        assert!(html.contains(
            "href=\"https://calendar.google.com/calendar/r?cid=https%3A%2F%2Fwww.vestre-toten.kommune.no%2Fnedetid%2Fgat.ics\""
        ));
        assert!(html.contains("<a class=\"btn btn-plain\" href=\"all.ics\" download>"));
        assert!(html.contains(
            "spellcheck=\"false\">https://www.vestre-toten.kommune.no/nedetid/all.ics</textarea>"
        ));
        assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(
            percent_encode("Omsorgs-PDA og Gerica: æ/ø?&=+"),
            "Omsorgs-PDA%20og%20Gerica%3A%20%C3%A6%2F%C3%B8%3F%26%3D%2B"
        );
    }

    #[test]
    fn without_base_url_links_are_relative_and_web_links_left_out() {
        let checked = checked();
        let mut schedule = checked.schedule.clone();
        schedule.settings.base_url = None;
        let now = at("2019-11-01T12:00:00Z");
        let exp = crate::expand::expand(&schedule, now).expect("expands");
        let feeds = feed_list(&exp);
        let html = render_page(&exp, &feeds, now);
        assert!(html.contains("spellcheck=\"false\" data-relative>all.ics</textarea>"));
        assert!(!html.contains("outlook.office.com"));
        assert!(!html.contains("webcal://"));
        assert!(!html.contains("calendar.google.com"));
        assert!(html.contains("href=\"visma.ics\" download"));
    }

    #[test]
    fn dates_are_norwegian() {
        let checked = checked();
        let html = page_for(&checked, at("2019-11-01T12:00:00Z"));
        let t = text(&html);
        for expected in [
            "fredag 29. november 2019 kl. 15.30 – mandag 2. desember 2019 kl. 06.00",
            "mandag 16. og tirsdag 17. desember 2019",
            "torsdag 14. november 2019 kl. 21.00–24.00",
            "torsdag 3. januar 2019 kl. 16.00–17.30",
            "søndag 3. november 2019",
            "Vedlikeholdsdatoer for 2019",
            "onsdag 24. april kl. 16.00–19.00 – flyttet fra 17.04.2019: Flyttet en uke på grunn av påsken",
            "torsdag 23. mai kl. 16.00–19.00 – ekstra dato: Ekstra vedlikeholdskveld",
            "Juli: Ingen vedlikehold i juli grunnet sommerferie.",
            "onsdag 20. november kl. 16.00–19.00 Neste",
        ] {
            assert!(t.contains(expected), "missing {expected:?}");
        }
        assert!(html.contains(
            "<time datetime=\"2019-11-29T15:30+01:00\">fredag 29. november 2019 <span class=\"nw\">kl. 15.30</span></time>"
        ));
        assert!(html.contains("<time datetime=\"2019-11-15T00:00+01:00\">24.00</time>"));
        assert!(html.contains("<time datetime=\"2019-06-19T16:00+02:00\">"));
        assert!(html.contains(
            "<li class=\"skipped\"><strong><time datetime=\"2019-07\">Juli</time>:</strong>"
        ));
        assert!(t.contains("Periode1. februar – 31. desember 2019"));

        let d = NaiveDate::from_ymd_opt(2019, 12, 31).expect("date");
        assert_eq!(date_nb(d, true), "tirsdag 31. desember 2019");
        let zone = chrono_tz::Europe::Oslo;
        let ctx = Ctx {
            zone,
            names: &SystemNames::new(),
            now: at("2019-01-01T00:00:00Z"),
            series: HashMap::new(),
            by_series: HashMap::new(),
        };
        let span = |a: (i32, u32, u32), b: (i32, u32, u32)| {
            let day = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).expect("date");
            text(&ctx.when(
                &Time::AllDay {
                    start: day(a),
                    end: day(b),
                },
                true,
            ))
        };
        assert_eq!(
            span((2019, 11, 30), (2019, 12, 2)),
            "lørdag 30. november og søndag 1. desember 2019"
        );
        assert_eq!(
            span((2019, 12, 31), (2020, 1, 3)),
            "tirsdag 31. desember 2019 – torsdag 2. januar 2020"
        );
        assert_eq!(
            span((2019, 12, 16), (2019, 12, 21)),
            "mandag 16. – fredag 20. desember 2019"
        );
        let local = |y, m, d, hh, mm| {
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|d| d.and_hms_opt(hh, mm, 0))
                .expect("time")
        };
        let (s, e) = (local(2019, 3, 31, 1, 0), local(2019, 3, 31, 4, 0));
        let timed = Time::Timed {
            start: zone
                .from_local_datetime(&s)
                .single()
                .expect("s")
                .with_timezone(&Utc),
            end: zone
                .from_local_datetime(&e)
                .single()
                .expect("e")
                .with_timezone(&Utc),
            start_local: s,
            end_local: e,
        };
        assert_eq!(
            ctx.when(&timed, true),
            "<time datetime=\"2019-03-31\">søndag 31. mars 2019</time> <span class=\"nw\">kl. <time datetime=\"2019-03-31T01:00+01:00\">01.00</time>–<time datetime=\"2019-03-31T04:00+02:00\">04.00</time></span>"
        );
    }

    #[test]
    fn cancelled_and_tentative_are_said_in_words() {
        let checked = checked();
        let mut schedule = checked.schedule.clone();
        schedule.outages[5].details.status = Status::Cancelled;
        schedule.outages[6].details.status = Status::Tentative;
        let now = at("2019-11-01T12:00:00Z");
        let exp = crate::expand::expand(&schedule, now).expect("expands");
        let feeds = feed_list(&exp);
        let html = render_page(&exp, &feeds, now);
        let t = text(section(&html, "kommende"));
        let cancelled = &schedule.outages[5].details.title;
        let tentative = &schedule.outages[6].details.title;
        assert!(t.contains(&format!("AVLYST {cancelled}")), "{t}");
        assert!(html.contains(&format!("<s>{}</s>", esc(cancelled))));
        assert!(t.contains(&format!("{tentative} Foreløpig")));
        assert!(t.contains("Foreløpig – tidspunktet kan endres"));
    }

    #[test]
    fn page_is_deterministic_and_does_not_print_now() {
        let checked = checked();
        let now = at("2019-11-01T12:00:00Z");
        let a = page_for(&checked, now);
        let b = page_for(&checked, now);
        assert_eq!(a, b);
        // A later `now` that passes no event gives the same bytes.
        assert_eq!(a, page_for(&checked, at("2019-11-02T08:00:00Z")));
        assert!(a.starts_with("<!DOCTYPE html>\n<html lang=\"nb\">"));
        assert!(a.ends_with("</html>\n"));
        // No external assets: the only absolute URLs are the subscribe links.
        for attr in ["src=\"http", "rel=\"stylesheet", "@import", "url(", "<img"] {
            assert!(!a.contains(attr), "{attr}");
        }
        // Every feed has its section, `all` first.
        let exp = expansion(&checked, now).expect("expands");
        let feeds = feed_list(&exp);
        let mut last = 0;
        for f in &feeds {
            let p = a
                .find(&format!("id=\"url-{}\"", f.id))
                .unwrap_or_else(|| panic!("{}", f.id));
            assert!(p > last, "{} out of order", f.id);
            last = p;
        }
    }
}
