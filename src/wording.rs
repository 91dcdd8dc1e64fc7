//! The words readers see in the published files: the page, the feeds'
//! SUMMARY, DESCRIPTION, X-ALT-DESC and CATEGORIES, and the summaries and
//! notes of `feeds.json` and `list`. One [`Wording`] table per language:
//! [`NB`] bokmål, [`NN`] nynorsk, [`EN`] British English; the settings
//! choose one (`settings: language:`).
//!
//! A language is a table: the renderers take a `&Wording` for their words,
//! and the formats of dates, times and sentences are in the table too. The
//! tables hold plain text only; where a sentence has markup in it on the
//! page (a date in a `<time>` element, a link, emphasis), it is [`Rich`]
//! text and the templates supply the markup. The command line's own messages (errors,
//! help) are English and are not here.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};

/// A piece of [`Rich`] text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Text(&'static str),
    /// Emphasised (`<strong>` on the page).
    Strong(&'static str),
    /// A value the renderer fills in: a zone note, a date, a link. The
    /// number is the value's position in what the renderer hands over.
    Slot(usize),
}

/// A sentence with emphasis or values in it, in the language's word order.
pub type Rich = &'static [Span];

/// The page's fragment ids, which show in the address bar after a link
/// within the page (`index.html#kommende`). Each is lowercase ASCII; the
/// prefixes are followed by an outage's or a series' id.
pub struct Ids {
    pub main: &'static str,
    pub contents: &'static str,
    pub upcoming: &'static str,
    pub past: &'static str,
    pub maintenance: &'static str,
    /// What is down now.
    pub now: &'static str,
    /// The index's list of systems.
    pub systems: &'static str,
    /// The field that filters the list of systems.
    pub picker: &'static str,
    /// Also the prefix of each feed's block (`abonner-visma`).
    pub subscribe: &'static str,
    pub howto: &'static str,
    pub google: &'static str,
    /// Before an outage's id.
    pub outage: &'static str,
    /// Before a series' id.
    pub series: &'static str,
}

/// Every reader-facing text of one language.
pub struct Wording {
    /// The BCP 47 tag of the language: the page's `lang`.
    pub lang: &'static str,
    pub ids: Ids,

    // Days, dates and times.
    /// Monday first.
    pub weekdays: [&'static str; 7],
    /// January first.
    pub months: [&'static str; 12],
    /// A date with its weekday ("fredag 29. november 2019"); the year only
    /// when asked for.
    pub date: fn(NaiveDate, bool) -> String,
    /// A date without its weekday ("1. februar 2019"), for the bounds of a
    /// period; the year only when asked for.
    pub day_month: fn(NaiveDate, bool) -> String,
    /// The first day of a span of days within one month ("mandag 16.").
    pub weekday_day: fn(NaiveDate) -> String,
    /// A date in figures ("18.12.2019"): the date a move came from.
    pub numeric_date: fn(NaiveDate) -> String,
    /// A time of day ("15.30").
    pub time: fn(NaiveTime) -> String,
    /// Midnight as the end of a day ("24.00").
    pub end_of_day: &'static str,
    /// Before a time or a span of times, with the space after it ("kl. "),
    /// or nothing.
    pub at_time: &'static str,
    /// Between two days that follow each other ("og").
    pub and: &'static str,

    // Feeds and feeds.json.
    /// Instead of the systems' names when every system is hit.
    pub all_systems: &'static str,
    /// A feed's name (NAME, X-WR-CALNAME, the page, feeds.json): the
    /// calendar's name and the system's, or `all_feed`.
    pub feed_name: fn(calendar: &str, system: &str) -> String,
    /// What the feed with every event is about, in its name.
    pub all_feed: &'static str,
    /// The calendar's name when the settings give none.
    pub calendar_name: &'static str,
    /// The SUMMARY: which systems, then what, marked when cancelled; the
    /// impact when less than down.
    pub summary: fn(cancelled: bool, systems: &str, title: &str, impact: Option<&str>) -> String,
    /// The impact levels, least first: at risk, degraded, down.
    pub impacts: [&'static str; 3],
    /// Instead of the systems hit, in the SUMMARY of an event a feed has
    /// through a dependency: "Følge av nedetid på Internett".
    pub via: fn(systems: &str) -> String,
    /// The first paragraph of such an event's description.
    pub via_note: fn(dependants: &str, systems: &str) -> String,
    /// The category of a one-off outage.
    pub outage_category: &'static str,
    /// The category of a maintenance series.
    pub maintenance_category: &'static str,
    /// Said of a tentative event in its description.
    pub tentative_note: &'static str,
    pub consequences: &'static str,
    pub still_works: &'static str,
    pub affected_systems: &'static str,
    pub more_information: &'static str,
    /// The note on an occurrence moved from a rule date, with its reason.
    pub moved_note: fn(from: NaiveDate, reason: Option<&str>) -> String,
    /// The note on an extra occurrence, with its reason.
    pub extra_note: fn(reason: Option<&str>) -> String,
    /// The note on an occurrence cancelled after it was published: the
    /// skip's reason, or none when it was removed from the schedules.
    pub cancelled_note: fn(reason: Option<&str>) -> String,

    // The page: head, header, contents, footer.
    /// The page's title and heading, from the calendar's name.
    pub page_title: fn(calendar: &str) -> String,
    pub skip_to_content: &'static str,
    /// Slot 0: the [`Wording::zone_note`]; slot 1: the link to
    /// [`Wording::subscribe`].
    pub intro: Rich,
    /// In which zone the times are, from the zone's IANA name.
    pub zone_note: fn(zone: &str) -> String,
    pub contents: &'static str,
    pub upcoming: &'static str,
    pub past: &'static str,
    /// The heading of the series when every one is monthly.
    pub monthly_maintenance: &'static str,
    /// The heading of the series otherwise.
    pub regular_maintenance: &'static str,
    pub subscribe: &'static str,
    pub no_upcoming: &'static str,
    pub soonest_first: &'static str,
    pub no_past: &'static str,
    pub latest_first: &'static str,
    /// Slot 0: the link to the series' heading.
    pub past_maintenance_hint: Rich,
    pub footer: &'static str,
    pub to_contents: &'static str,
    /// Said by the copy button's script.
    pub copied: &'static str,
    /// Said by the copy button's script when it could only select.
    pub copy_by_hand: &'static str,

    // The page: outages and series.
    pub when_term: &'static str,
    pub systems_term: &'static str,
    pub place_term: &'static str,
    pub status_term: &'static str,
    pub change_term: &'static str,
    pub window_term: &'static str,
    pub period_term: &'static str,
    /// The tag and status of a cancelled event.
    pub cancelled: &'static str,
    /// The tag and status of a tentative event.
    pub tentative: &'static str,
    /// After the tentative status.
    pub tentative_detail: &'static str,
    pub ongoing: &'static str,
    /// The tag of a series' next date.
    pub next: &'static str,
    /// Hidden after the more-information link: which event it is about.
    pub more_about: fn(title: &str) -> String,
    /// The link from an upcoming maintenance date to its series.
    pub all_dates_for: fn(title: &str) -> String,
    /// The heading over one year of a series' dates.
    pub dates_in_year: fn(year: i32) -> String,
    /// Slot 0: the date moved from. A reason follows after a colon.
    pub moved_from: Rich,
    /// A reason follows after a colon.
    pub extra_date: Rich,
    pub no_maintenance: &'static str,
    /// A skipped month without a reason.
    pub no_maintenance_this_month: &'static str,
    pub no_dates: &'static str,
    /// Slots 0 and 1: the first and the last date.
    pub period: Rich,
    /// Slot 0: the first date; slot 1: how far the dates are listed.
    pub open_period: Rich,

    // The page: subscribing.
    pub subscribe_intro: &'static str,
    pub refresh_note: Rich,
    pub howto_heading: &'static str,
    /// How to subscribe when there are web links to subscribe with.
    pub howto_with_links: &'static [Rich],
    /// How to subscribe when there is only a relative address.
    pub howto_without_links: &'static [Rich],
    pub howto_google: Rich,
    pub download_warning: Rich,
    pub whole_calendar: &'static str,
    /// How many events a feed has ("1 hendelse").
    pub events: fn(usize) -> String,
    /// What the feed with every system is.
    pub all_in_one: &'static str,
    pub calendar_address: &'static str,
    /// Hidden after the address's label: which feed it is.
    pub address_for: fn(feed: &str) -> String,
    pub copy: &'static str,
    /// Hidden after the copy button's text: which address it copies.
    pub copy_address_for: fn(feed: &str) -> String,
    pub add_outlook_work: &'static str,
    pub add_outlook_personal: &'static str,
    pub add_apple: &'static str,
    /// Slot 0: the link to the Google steps; slot 1: the Google link.
    pub google_item: Rich,
    pub google_steps: &'static str,
    pub open_google: &'static str,
    pub download: fn(file: &str) -> String,
    pub download_hint: &'static str,

    // The Atom feeds, and what the page says of them and of the time.
    /// An entry's status when it is first published.
    pub atom_new: &'static str,
    /// An entry's status when it changed since ([`Wording::cancelled`] when
    /// cancelled).
    pub atom_changed: &'static str,
    /// An entry's title: its status, then the [`Wording::summary`] without
    /// the cancelled mark.
    pub atom_title: fn(status: &str, summary: &str) -> String,
    /// The link to a feed's Atom file ("Varsler (Atom)").
    pub atom_link: &'static str,
    /// What the Atom files are, on the page.
    pub atom_intro: &'static str,
    /// Before the time the data last changed.
    pub last_updated: &'static str,
    /// The heading over what is down now ([`Wording::ongoing`] is its tag).
    pub now_heading: &'static str,
    pub nothing_now: &'static str,
    /// A date and time in full, for the last change ("30. november 2026 kl. 16.05").
    pub date_time: fn(chrono::NaiveDateTime) -> String,

    // The index and the systems' pages.
    /// The heading over the index's list of systems.
    pub systems_heading: &'static str,
    pub systems_intro: &'static str,
    /// The label of the field that filters the list.
    pub picker_label: &'static str,
    /// A system without upcoming events, in the list.
    pub nothing_ahead: &'static str,
    /// From a system's page back to the index.
    pub to_index: &'static str,
}

impl Wording {
    /// The name of a date's weekday.
    pub fn weekday(&self, d: NaiveDate) -> &'static str {
        self.weekdays[d.weekday().num_days_from_monday() as usize]
    }

    /// The name of a date's month.
    pub fn month(&self, d: NaiveDate) -> &'static str {
        self.months[d.month0() as usize]
    }
}

use Span::{Slot, Strong, Text};

/// The month names, the same in bokmål and nynorsk.
const NORWEGIAN_MONTHS: [&str; 12] = [
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

/// Norwegian bokmål.
pub static NB: Wording = Wording {
    lang: "nb",
    ids: Ids {
        main: "hovedinnhold",
        contents: "innhold",
        upcoming: "kommende",
        past: "tidligere",
        maintenance: "vedlikehold",
        now: "pagar-na",
        systems: "systemer",
        picker: "finn-system",
        subscribe: "abonner",
        howto: "slik",
        google: "google",
        outage: "nedetid-",
        series: "serie-",
    },

    weekdays: [
        "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
    ],
    months: NORWEGIAN_MONTHS,
    date: |d, with_year| norwegian_date(&NB, d, with_year),
    day_month: |d, with_year| norwegian_day_month(&NB, d, with_year),
    weekday_day: |d| format!("{} {}.", NB.weekday(d), d.day()),
    numeric_date,
    time: |t| format!("{:02}.{:02}", t.hour(), t.minute()),
    end_of_day: "24.00",
    at_time: "kl. ",
    and: "og",

    all_systems: "Alle systemer",
    feed_name: |calendar, system| format!("{calendar}: {system}"),
    all_feed: "alle systemer",
    calendar_name: "Planlagt nedetid",
    summary: |cancelled, systems, title, impact| {
        systems_then_title(cancelled.then_some("AVLYST: "), systems, title, impact)
    },
    impacts: ["Mulige forstyrrelser", "Redusert drift", "Nede"],
    via: |systems| format!("Følge av nedetid på {systems}"),
    via_note: |dependants, systems| {
        format!("{dependants} er avhengig av {systems}, som har planlagt nedetid.")
    },
    outage_category: "Nedetid",
    maintenance_category: "Vedlikehold",
    tentative_note: "Tidspunktet er foreløpig.",
    consequences: "Konsekvenser",
    still_works: "Dette vil fungere",
    affected_systems: "Berørte systemer",
    more_information: "Mer informasjon",
    moved_note: |from, reason| {
        let from = (NB.numeric_date)(from);
        match reason {
            Some(r) => format!("Flyttet fra {from}: {r}"),
            None => format!("Flyttet fra {from}."),
        }
    },
    cancelled_note: |reason| match reason {
        Some(r) => format!("Avlyst: {r}"),
        None => "Avlyst.".to_string(),
    },
    extra_note: |reason| match reason {
        Some(r) => format!("Ekstra vedlikehold: {r}"),
        None => "Ekstra vedlikehold.".to_string(),
    },

    page_title: |calendar| format!("{calendar} for IKT-systemer"),
    skip_to_content: "Hopp til hovedinnholdet",
    intro: &[
        Text(
            "Her står planlagte avbrudd og vedlikehold som gjør at IKT-systemer ikke kan brukes. ",
        ),
        Slot(0),
        Text(" "),
        Slot(1),
        Text(", så kommer endringene inn i kalenderen din av seg selv."),
    ],
    zone_note: |zone| {
        if zone == "Europe/Oslo" {
            "Alle klokkeslett er norsk tid.".to_string()
        } else {
            format!("Alle klokkeslett er oppgitt i tidssonen {zone}.")
        }
    },
    contents: "Innhold",
    upcoming: "Kommende nedetid",
    past: "Tidligere nedetid",
    monthly_maintenance: "Månedlig vedlikehold",
    regular_maintenance: "Fast vedlikehold",
    subscribe: "Abonner på kalenderen",
    no_upcoming: "Det er ikke registrert noen planlagt nedetid fremover.",
    soonest_first: "Nærmeste først.",
    no_past: "Det er ikke registrert noen tidligere nedetid.",
    latest_first: "Sist først.",
    past_maintenance_hint: &[
        Text("Datoene for tidligere vedlikehold står under "),
        Slot(0),
        Text("."),
    ],
    footer: "Denne siden og kalenderfilene lages automatisk fra de samme planene.",
    to_contents: "Til innholdsfortegnelsen",
    copied: "Adressen er kopiert.",
    copy_by_hand: "Adressen er merket. Kopier den med Ctrl+C (Cmd+C på Mac).",

    when_term: "Når",
    systems_term: "Systemer",
    place_term: "Sted",
    status_term: "Status",
    change_term: "Endring",
    window_term: "Tidsrom",
    period_term: "Periode",
    cancelled: "AVLYST",
    tentative: "Foreløpig",
    tentative_detail: "tidspunktet kan endres",
    ongoing: "Pågår nå",
    next: "Neste",
    more_about: |title| format!("om {title}"),
    all_dates_for: |title| format!("Alle datoer for {title}"),
    dates_in_year: |year| format!("Vedlikeholdsdatoer for {year}"),
    moved_from: &[Text("flyttet fra "), Slot(0)],
    extra_date: &[Text("ekstra dato")],
    no_maintenance: "Ikke vedlikehold",
    no_maintenance_this_month: "Ikke vedlikehold denne måneden.",
    no_dates: "Ingen datoer i perioden.",
    period: &[Slot(0), Text(" – "), Slot(1)],
    open_period: &[
        Text("fra "),
        Slot(0),
        Text(" (datoene under går til "),
        Slot(1),
        Text(")"),
    ],

    subscribe_intro: "Abonnerer du, kommer nye og endrede tidspunkter inn i kalenderen din av \
                      seg selv. Velg hele kalenderen, eller bare systemene du bruker.",
    refresh_note: &[
        Strong("Merk:"),
        Text(
            " Kalenderprogrammene henter endringer med noen timers mellomrom, ikke med en gang: \
             Outlook etter noen timer, Google Kalender etter 8 til 24 timer. Ved hastende \
             endringer bør du derfor også sjekke denne siden.",
        ),
    ],
    howto_heading: "Slik legger du til kalenderen",
    howto_with_links: &[
        &[
            Strong("Outlook, jobb eller skole (Microsoft 365):"),
            Text(
                " velg «Legg til i Outlook (jobb/skole – Microsoft 365)» ved kalenderen du vil \
                 ha, logg inn om du blir bedt om det, og bekreft.",
            ),
        ],
        &[
            Strong("Outlook.com (privat):"),
            Text(" velg «Legg til i Outlook.com (privat)»."),
        ],
        &[
            Strong("Outlook-programmet på PC:"),
            Text(" kopier adressen, velg "),
            Strong("Legg til kalender"),
            Text(" › "),
            Strong("Fra Internett"),
            Text(", lim inn adressen og velg OK."),
        ],
        &[
            Strong("iPhone, iPad og Mac:"),
            Text(" velg «Apple Kalender» og bekreft abonnementet."),
        ],
    ],
    howto_without_links: &[
        &[
            Strong("Outlook:"),
            Text(" kopier adressen, velg "),
            Strong("Legg til kalender"),
            Text(" › "),
            Strong("Fra Internett"),
            Text(" (eller "),
            Strong("Abonner fra nettet"),
            Text(" i Outlook på nett), lim inn adressen og bekreft."),
        ],
        &[
            Strong("iPhone, iPad og Mac:"),
            Text(" kopier adressen, velg "),
            Strong("Arkiv"),
            Text(" › "),
            Strong("Nytt kalenderabonnement"),
            Text(" i Kalender på Mac, eller "),
            Strong("Legg til kalender"),
            Text(" › "),
            Strong("Legg til abonnementskalender"),
            Text(" på iPhone, og lim inn adressen."),
        ],
    ],
    howto_google: &[
        Strong("Google Kalender:"),
        Text(" kopier adressen. Åpne Google Kalender på en datamaskin, gå til "),
        Strong("Andre kalendere"),
        Text(" › "),
        Strong("+"),
        Text(" › "),
        Strong("Fra URL"),
        Text(", lim inn adressen og velg "),
        Strong("Legg til kalender"),
        Text(". Kalenderen kommer da også på telefonen."),
    ],
    download_warning: &[
        Strong("Last ned bare for engangsimport."),
        Text(
            " En nedlastet fil kan importeres én gang, for eksempel i en felles kalender for en \
             avdeling. Den oppdateres ikke når planene endres, og importerer du den to ganger, \
             får du alle hendelsene to ganger. Abonner heller når du kan.",
        ),
    ],
    whole_calendar: "Hele kalenderen",
    events: |n| match n {
        1 => "1 hendelse".to_string(),
        n => format!("{n} hendelser"),
    },
    all_in_one: "Alle systemer i én kalender.",
    calendar_address: "Kalenderadresse",
    address_for: |feed| format!("for {feed}"),
    copy: "Kopier",
    copy_address_for: |feed| format!("adressen for {feed}"),
    add_outlook_work: "Legg til i Outlook (jobb/skole – Microsoft 365)",
    add_outlook_personal: "Legg til i Outlook.com (privat)",
    add_apple: "Apple Kalender (iPhone, iPad, Mac)",
    google_item: &[
        Text("Google Kalender: lim inn adressen under Andre kalendere › + › Fra URL (se "),
        Slot(0),
        Text("). Snarvei som ikke alltid virker: "),
        Slot(1),
        Text("."),
    ],
    google_steps: "fremgangsmåten for Google Kalender",
    open_google: "Åpne i Google Kalender",
    download: |file| format!("Last ned {file}"),
    download_hint: "Bare for engangsimport: oppdateres ikke.",

    atom_new: "Ny",
    atom_changed: "Endret",
    atom_title: |status, summary| format!("{status}: {summary}"),
    atom_link: "Varsler (Atom)",
    atom_intro: "Følg endringer som nyhetsstrøm (Atom): én for alle systemer og én per system. Nye, endrede og avlyste hendelser kommer øverst.",
    last_updated: "Sist oppdatert",
    now_heading: "Pågår nå",
    nothing_now: "Ingen planlagt nedetid pågår nå.",
    date_time: |t| {
        format!(
            "{} kl. {}",
            (NB.day_month)(t.date(), true),
            (NB.time)(t.time())
        )
    },
    systems_heading: "Systemer",
    systems_intro: "Velg et system for å se all planlagt nedetid for det og abonnere på kalenderen for bare det systemet.",
    picker_label: "Finn systemet ditt",
    nothing_ahead: "Ingen planlagt nedetid fremover",
    to_index: "Alle systemer",
};

/// Norwegian nynorsk.
pub static NN: Wording = Wording {
    lang: "nn",
    ids: Ids {
        main: "hovudinnhald",
        contents: "innhald",
        upcoming: "komande",
        past: "tidlegare",
        maintenance: "vedlikehald",
        now: "pagar-no",
        systems: "system",
        picker: "finn-system",
        subscribe: "abonner",
        howto: "slik",
        google: "google",
        outage: "nedetid-",
        series: "serie-",
    },

    weekdays: [
        "måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag",
    ],
    months: NORWEGIAN_MONTHS,
    date: |d, with_year| norwegian_date(&NN, d, with_year),
    day_month: |d, with_year| norwegian_day_month(&NN, d, with_year),
    weekday_day: |d| format!("{} {}.", NN.weekday(d), d.day()),
    numeric_date,
    time: |t| format!("{:02}.{:02}", t.hour(), t.minute()),
    end_of_day: "24.00",
    at_time: "kl. ",
    and: "og",

    all_systems: "Alle system",
    feed_name: |calendar, system| format!("{calendar}: {system}"),
    all_feed: "alle system",
    calendar_name: "Planlagd nedetid",
    summary: |cancelled, systems, title, impact| {
        systems_then_title(cancelled.then_some("AVLYST: "), systems, title, impact)
    },
    impacts: ["Moglege forstyrringar", "Redusert drift", "Nede"],
    via: |systems| format!("Følgje av nedetid på {systems}"),
    via_note: |dependants, systems| {
        format!("{dependants} er avhengig av {systems}, som har planlagd nedetid.")
    },
    outage_category: "Nedetid",
    maintenance_category: "Vedlikehald",
    tentative_note: "Tidspunktet er førebels.",
    consequences: "Konsekvensar",
    still_works: "Dette vil fungere",
    affected_systems: "Råka system",
    more_information: "Meir informasjon",
    moved_note: |from, reason| {
        let from = (NN.numeric_date)(from);
        match reason {
            Some(r) => format!("Flytta frå {from}: {r}"),
            None => format!("Flytta frå {from}."),
        }
    },
    cancelled_note: |reason| (NB.cancelled_note)(reason),
    extra_note: |reason| match reason {
        Some(r) => format!("Ekstra vedlikehald: {r}"),
        None => "Ekstra vedlikehald.".to_string(),
    },

    page_title: |calendar| format!("{calendar} for IKT-system"),
    skip_to_content: "Hopp til hovudinnhaldet",
    intro: &[
        Text("Her står planlagde avbrot og vedlikehald som gjer at IKT-system ikkje kan brukast. "),
        Slot(0),
        Text(" "),
        Slot(1),
        Text(", så kjem endringane inn i kalenderen din av seg sjølv."),
    ],
    zone_note: |zone| {
        if zone == "Europe/Oslo" {
            "Alle klokkeslett er norsk tid.".to_string()
        } else {
            format!("Alle klokkeslett er oppgitt i tidssona {zone}.")
        }
    },
    contents: "Innhald",
    upcoming: "Komande nedetid",
    past: "Tidlegare nedetid",
    monthly_maintenance: "Månadleg vedlikehald",
    regular_maintenance: "Fast vedlikehald",
    subscribe: "Abonner på kalenderen",
    no_upcoming: "Det er ikkje registrert nokon planlagd nedetid framover.",
    soonest_first: "Nærmaste først.",
    no_past: "Det er ikkje registrert nokon tidlegare nedetid.",
    latest_first: "Sist først.",
    past_maintenance_hint: &[
        Text("Datoane for tidlegare vedlikehald står under "),
        Slot(0),
        Text("."),
    ],
    footer: "Denne sida og kalenderfilene blir laga automatisk frå dei same planane.",
    to_contents: "Til innhaldslista",
    copied: "Adressa er kopiert.",
    copy_by_hand: "Adressa er merkt. Kopier ho med Ctrl+C (Cmd+C på Mac).",

    when_term: "Når",
    systems_term: "System",
    place_term: "Stad",
    status_term: "Status",
    change_term: "Endring",
    window_term: "Tidsrom",
    period_term: "Periode",
    cancelled: "AVLYST",
    tentative: "Førebels",
    tentative_detail: "tidspunktet kan bli endra",
    ongoing: "Pågår no",
    next: "Neste",
    more_about: |title| format!("om {title}"),
    all_dates_for: |title| format!("Alle datoar for {title}"),
    dates_in_year: |year| format!("Vedlikehaldsdatoar for {year}"),
    moved_from: &[Text("flytta frå "), Slot(0)],
    extra_date: &[Text("ekstra dato")],
    no_maintenance: "Ikkje vedlikehald",
    no_maintenance_this_month: "Ikkje vedlikehald denne månaden.",
    no_dates: "Ingen datoar i perioden.",
    period: &[Slot(0), Text(" – "), Slot(1)],
    open_period: &[
        Text("frå "),
        Slot(0),
        Text(" (datoane under går til "),
        Slot(1),
        Text(")"),
    ],

    subscribe_intro: "Abonnerer du, kjem nye og endra tidspunkt inn i kalenderen din av seg \
                      sjølv. Vel heile kalenderen, eller berre dei systema du brukar.",
    refresh_note: &[
        Strong("Merk:"),
        Text(
            " Kalenderprogramma hentar endringar med nokre timars mellomrom, ikkje med ein gong: \
             Outlook etter nokre timar, Google Kalender etter 8 til 24 timar. Ved hastande \
             endringar bør du difor også sjå på denne sida.",
        ),
    ],
    // The menus of Outlook, Apple Kalender and Google Kalender are named as
    // the programs show them: in bokmål, they have no nynorsk.
    howto_heading: "Slik legg du til kalenderen",
    howto_with_links: &[
        &[
            Strong("Outlook, jobb eller skule (Microsoft 365):"),
            Text(
                " vel «Legg til i Outlook (jobb/skule – Microsoft 365)» ved kalenderen du vil \
                 ha, logg inn om du blir beden om det, og stadfest.",
            ),
        ],
        &[
            Strong("Outlook.com (privat):"),
            Text(" vel «Legg til i Outlook.com (privat)»."),
        ],
        &[
            Strong("Outlook-programmet på PC:"),
            Text(" kopier adressa, vel "),
            Strong("Legg til kalender"),
            Text(" › "),
            Strong("Fra Internett"),
            Text(", lim inn adressa og vel OK."),
        ],
        &[
            Strong("iPhone, iPad og Mac:"),
            Text(" vel «Apple Kalender» og stadfest abonnementet."),
        ],
    ],
    howto_without_links: &[
        &[
            Strong("Outlook:"),
            Text(" kopier adressa, vel "),
            Strong("Legg til kalender"),
            Text(" › "),
            Strong("Fra Internett"),
            Text(" (eller "),
            Strong("Abonner fra nettet"),
            Text(" i Outlook på nett), lim inn adressa og stadfest."),
        ],
        &[
            Strong("iPhone, iPad og Mac:"),
            Text(" kopier adressa, vel "),
            Strong("Arkiv"),
            Text(" › "),
            Strong("Nytt kalenderabonnement"),
            Text(" i Kalender på Mac, eller "),
            Strong("Legg til kalender"),
            Text(" › "),
            Strong("Legg til abonnementskalender"),
            Text(" på iPhone, og lim inn adressa."),
        ],
    ],
    howto_google: &[
        Strong("Google Kalender:"),
        Text(" kopier adressa. Opne Google Kalender på ei datamaskin, gå til "),
        Strong("Andre kalendere"),
        Text(" › "),
        Strong("+"),
        Text(" › "),
        Strong("Fra URL"),
        Text(", lim inn adressa og vel "),
        Strong("Legg til kalender"),
        Text(". Kalenderen kjem då også på telefonen."),
    ],
    download_warning: &[
        Strong("Last ned berre for eingongsimport."),
        Text(
            " Ei nedlasta fil kan importerast éin gong, til dømes i ein felles kalender for ei \
             avdeling. Ho blir ikkje oppdatert når planane blir endra, og importerer du ho to \
             gonger, får du alle hendingane to gonger. Abonner heller når du kan.",
        ),
    ],
    whole_calendar: "Heile kalenderen",
    events: |n| match n {
        1 => "1 hending".to_string(),
        n => format!("{n} hendingar"),
    },
    all_in_one: "Alle system i éin kalender.",
    calendar_address: "Kalenderadresse",
    address_for: |feed| format!("for {feed}"),
    copy: "Kopier",
    copy_address_for: |feed| format!("adressa for {feed}"),
    add_outlook_work: "Legg til i Outlook (jobb/skule – Microsoft 365)",
    add_outlook_personal: "Legg til i Outlook.com (privat)",
    add_apple: "Apple Kalender (iPhone, iPad, Mac)",
    google_item: &[
        Text("Google Kalender: lim inn adressa under Andre kalendere › + › Fra URL (sjå "),
        Slot(0),
        Text("). Snarveg som ikkje alltid verkar: "),
        Slot(1),
        Text("."),
    ],
    google_steps: "framgangsmåten for Google Kalender",
    open_google: "Opne i Google Kalender",
    download: |file| format!("Last ned {file}"),
    download_hint: "Berre for eingongsimport: blir ikkje oppdatert.",

    atom_new: "Ny",
    atom_changed: "Endra",
    atom_title: |status, summary| format!("{status}: {summary}"),
    atom_link: "Varsel (Atom)",
    atom_intro: "Følg endringar som nyheitsstraum (Atom): éin for alle system og éin per system. Nye, endra og avlyste hendingar kjem øvst.",
    last_updated: "Sist oppdatert",
    now_heading: "Pågår no",
    nothing_now: "Ingen planlagd nedetid pågår no.",
    date_time: |t| {
        format!(
            "{} kl. {}",
            (NN.day_month)(t.date(), true),
            (NN.time)(t.time())
        )
    },
    systems_heading: "System",
    systems_intro: "Vel eit system for å sjå all planlagd nedetid for det og abonnere på kalenderen for berre det systemet.",
    picker_label: "Finn systemet ditt",
    nothing_ahead: "Ingen planlagd nedetid framover",
    to_index: "Alle system",
};

/// British English.
pub static EN: Wording = Wording {
    lang: "en",
    ids: Ids {
        main: "main-content",
        contents: "contents",
        upcoming: "upcoming",
        past: "past",
        maintenance: "maintenance",
        now: "now",
        systems: "systems",
        picker: "find-system",
        subscribe: "subscribe",
        howto: "how-to",
        google: "google",
        outage: "downtime-",
        series: "series-",
    },

    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    date: |d, with_year| {
        let day = format!("{} {} {}", EN.weekday(d), d.day(), EN.month(d));
        add_year(day, d, with_year)
    },
    day_month: |d, with_year| add_year(format!("{} {}", d.day(), EN.month(d)), d, with_year),
    weekday_day: |d| format!("{} {}", EN.weekday(d), d.day()),
    numeric_date,
    time: |t| format!("{:02}:{:02}", t.hour(), t.minute()),
    end_of_day: "24:00",
    at_time: "",
    and: "and",

    all_systems: "All systems",
    feed_name: |calendar, system| format!("{calendar}: {system}"),
    all_feed: "all systems",
    calendar_name: "Planned downtime",
    summary: |cancelled, systems, title, impact| {
        systems_then_title(cancelled.then_some("CANCELLED: "), systems, title, impact)
    },
    impacts: ["At risk", "Degraded", "Down"],
    via: |systems| format!("Knock-on from {systems}"),
    via_note: |dependants, systems| {
        format!("{dependants} depends on {systems}, which has planned downtime.")
    },
    outage_category: "Downtime",
    maintenance_category: "Maintenance",
    tentative_note: "The time is provisional.",
    consequences: "Consequences",
    still_works: "What will still work",
    affected_systems: "Systems affected",
    more_information: "More information",
    moved_note: |from, reason| {
        let from = (EN.numeric_date)(from);
        match reason {
            Some(r) => format!("Moved from {from}: {r}"),
            None => format!("Moved from {from}."),
        }
    },
    cancelled_note: |reason| match reason {
        Some(r) => format!("Cancelled: {r}"),
        None => "Cancelled.".to_string(),
    },
    extra_note: |reason| match reason {
        Some(r) => format!("Extra maintenance: {r}"),
        None => "Extra maintenance.".to_string(),
    },

    page_title: |calendar| format!("{calendar} for IT systems"),
    skip_to_content: "Skip to main content",
    intro: &[
        Text(
            "This page lists planned outages and maintenance during which IT systems cannot be \
             used. ",
        ),
        Slot(0),
        Text(" "),
        Slot(1),
        Text(" and changes will appear in your calendar automatically."),
    ],
    zone_note: |zone| {
        if zone == "Europe/Oslo" {
            "All times are Norwegian time.".to_string()
        } else {
            format!("All times are in the {zone} time zone.")
        }
    },
    contents: "Contents",
    upcoming: "Upcoming downtime",
    past: "Past downtime",
    monthly_maintenance: "Monthly maintenance",
    regular_maintenance: "Regular maintenance",
    subscribe: "Subscribe to the calendar",
    no_upcoming: "No planned downtime has been announced.",
    soonest_first: "Soonest first.",
    no_past: "No past downtime has been recorded.",
    latest_first: "Most recent first.",
    past_maintenance_hint: &[
        Text("The dates of past maintenance are listed under "),
        Slot(0),
        Text("."),
    ],
    footer: "This page and the calendar files are produced automatically from the same plans.",
    to_contents: "Back to contents",
    copied: "The address has been copied.",
    copy_by_hand: "The address is selected. Copy it with Ctrl+C (Cmd+C on a Mac).",

    when_term: "When",
    systems_term: "Systems",
    place_term: "Location",
    status_term: "Status",
    change_term: "Change",
    window_term: "Time",
    period_term: "Period",
    cancelled: "CANCELLED",
    tentative: "Provisional",
    tentative_detail: "the time may change",
    ongoing: "In progress",
    next: "Next",
    more_about: |title| format!("about {title}"),
    all_dates_for: |title| format!("All dates for {title}"),
    dates_in_year: |year| format!("Maintenance dates in {year}"),
    moved_from: &[Text("moved from "), Slot(0)],
    extra_date: &[Text("extra date")],
    no_maintenance: "No maintenance",
    no_maintenance_this_month: "No maintenance this month.",
    no_dates: "No dates in this period.",
    period: &[Slot(0), Text(" – "), Slot(1)],
    open_period: &[
        Text("from "),
        Slot(0),
        Text(" (dates listed up to "),
        Slot(1),
        Text(")"),
    ],

    subscribe_intro: "If you subscribe, new and changed times will appear in your calendar \
                      automatically. Choose the whole calendar, or just the systems you use.",
    refresh_note: &[
        Strong("Please note:"),
        Text(
            " calendar apps check for changes every few hours, not straight away: Outlook \
             after a few hours, Google Calendar after 8 to 24 hours. For urgent changes, please \
             check this page as well.",
        ),
    ],
    howto_heading: "How to add the calendar",
    howto_with_links: &[
        &[
            Strong("Outlook, work or school (Microsoft 365):"),
            Text(
                " choose ‘Add to Outlook (work/school – Microsoft 365)’ next to the calendar you \
                 want, sign in if asked, and confirm.",
            ),
        ],
        &[
            Strong("Outlook.com (personal):"),
            Text(" choose ‘Add to Outlook.com (personal)’."),
        ],
        &[
            Strong("The Outlook app on a PC:"),
            Text(" copy the address, choose "),
            Strong("Add Calendar"),
            Text(" › "),
            Strong("From Internet"),
            Text(", paste the address and choose OK."),
        ],
        &[
            Strong("iPhone, iPad and Mac:"),
            Text(" choose ‘Apple Calendar’ and confirm the subscription."),
        ],
    ],
    howto_without_links: &[
        &[
            Strong("Outlook:"),
            Text(" copy the address, choose "),
            Strong("Add Calendar"),
            Text(" › "),
            Strong("From Internet"),
            Text(" (or "),
            Strong("Subscribe from web"),
            Text(" in Outlook on the web), paste the address and confirm."),
        ],
        &[
            Strong("iPhone, iPad and Mac:"),
            Text(" copy the address, choose "),
            Strong("File"),
            Text(" › "),
            Strong("New Calendar Subscription"),
            Text(" in Calendar on a Mac, or "),
            Strong("Add Calendar"),
            Text(" › "),
            Strong("Add Subscription Calendar"),
            Text(" on an iPhone, and paste the address."),
        ],
    ],
    howto_google: &[
        Strong("Google Calendar:"),
        Text(" copy the address. Open Google Calendar on a computer, go to "),
        Strong("Other calendars"),
        Text(" › "),
        Strong("+"),
        Text(" › "),
        Strong("From URL"),
        Text(", paste the address and choose "),
        Strong("Add calendar"),
        Text(". The calendar will then also appear on your phone."),
    ],
    download_warning: &[
        Strong("Download only for a one-off import."),
        Text(
            " A downloaded file can be imported once, for example into a shared calendar for a \
             department. It is not updated when the plans change, and if you import it twice, \
             you get every event twice. Subscribe instead if you can.",
        ),
    ],
    whole_calendar: "The whole calendar",
    events: |n| match n {
        1 => "1 event".to_string(),
        n => format!("{n} events"),
    },
    all_in_one: "All systems in one calendar.",
    calendar_address: "Calendar address",
    address_for: |feed| format!("for {feed}"),
    copy: "Copy",
    copy_address_for: |feed| format!("the address for {feed}"),
    add_outlook_work: "Add to Outlook (work/school – Microsoft 365)",
    add_outlook_personal: "Add to Outlook.com (personal)",
    add_apple: "Apple Calendar (iPhone, iPad, Mac)",
    google_item: &[
        Text("Google Calendar: paste the address under Other calendars › + › From URL (see "),
        Slot(0),
        Text("). A shortcut that does not always work: "),
        Slot(1),
        Text("."),
    ],
    google_steps: "the steps for Google Calendar",
    open_google: "Open in Google Calendar",
    download: |file| format!("Download {file}"),
    download_hint: "Only for a one-off import: not updated.",

    atom_new: "New",
    atom_changed: "Changed",
    atom_title: |status, summary| format!("{status}: {summary}"),
    atom_link: "Notices (Atom)",
    atom_intro: "Follow changes as a news feed (Atom): one for all systems and one per system. New, changed and cancelled events come first.",
    last_updated: "Last updated",
    now_heading: "Happening now",
    nothing_now: "No planned downtime is happening now.",
    date_time: |t| {
        format!(
            "{} at {}",
            (EN.day_month)(t.date(), true),
            (EN.time)(t.time())
        )
    },
    systems_heading: "Systems",
    systems_intro: "Choose a system to see all its planned downtime and to subscribe to the calendar for that system alone.",
    picker_label: "Find your system",
    nothing_ahead: "No planned downtime ahead",
    to_index: "All systems",
};

/// A date, with " 2019" after it when asked for.
/// A date in the Norwegian form, bokmål and nynorsk alike, with `w`'s names:
/// "onsdag 18. desember 2019".
fn norwegian_date(w: &Wording, d: NaiveDate, with_year: bool) -> String {
    let day = format!("{} {}. {}", w.weekday(d), d.day(), w.month(d));
    add_year(day, d, with_year)
}

/// "18. desember 2019".
fn norwegian_day_month(w: &Wording, d: NaiveDate, with_year: bool) -> String {
    add_year(format!("{}. {}", d.day(), w.month(d)), d, with_year)
}

/// "18.12.2019", in every language (as the schedules' own reasons refer to
/// dates).
/// "AVLYST: Visma: Ny versjon (redusert drift)": the marker of a
/// cancelled event, the systems, the title and an impact below down.
fn systems_then_title(
    cancelled: Option<&str>,
    systems: &str,
    title: &str,
    impact: Option<&str>,
) -> String {
    let impact = impact
        .map(|i| format!(" ({})", i.to_lowercase()))
        .unwrap_or_default();
    format!("{}{systems}: {title}{impact}", cancelled.unwrap_or(""))
}

fn numeric_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn add_year(mut day: String, d: NaiveDate, with_year: bool) -> String {
    if with_year {
        day.push(' ');
        day.push_str(&d.year().to_string());
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn bokmal_dates_and_notes() {
        let d = day(2019, 12, 18);
        assert_eq!((NB.date)(d, true), "onsdag 18. desember 2019");
        assert_eq!((NB.date)(d, false), "onsdag 18. desember");
        assert_eq!((NB.day_month)(d, true), "18. desember 2019");
        assert_eq!((NB.weekday_day)(d), "onsdag 18.");
        assert_eq!((NB.numeric_date)(day(2019, 4, 7)), "07.04.2019");
        assert_eq!(NB.weekday(day(2019, 4, 7)), "søndag");
        assert_eq!(
            (NB.moved_note)(d, Some("jul")),
            "Flyttet fra 18.12.2019: jul"
        );
        assert_eq!((NB.moved_note)(d, None), "Flyttet fra 18.12.2019.");
        assert_eq!((NB.extra_note)(None), "Ekstra vedlikehold.");
        assert_eq!(
            (NB.summary)(true, "Visma", "Ny versjon", None),
            "AVLYST: Visma: Ny versjon"
        );
    }

    #[test]
    fn nynorsk_and_english_dates_and_notes() {
        let d = day(2019, 12, 18);
        assert_eq!((NN.date)(d, true), "onsdag 18. desember 2019");
        assert_eq!((NN.weekday_day)(day(2019, 12, 16)), "måndag 16.");
        assert_eq!(NN.weekday(day(2019, 4, 6)), "laurdag");
        assert_eq!(NN.weekday(day(2019, 4, 7)), "sundag");
        assert_eq!(
            (NN.moved_note)(d, Some("jul")),
            "Flytta frå 18.12.2019: jul"
        );
        assert_eq!((NN.extra_note)(None), "Ekstra vedlikehald.");
        assert_eq!((NN.events)(2), "2 hendingar");

        assert_eq!((EN.date)(day(2019, 12, 3), true), "Tuesday 3 December 2019");
        assert_eq!((EN.day_month)(d, false), "18 December");
        assert_eq!((EN.weekday_day)(day(2019, 12, 16)), "Monday 16");
        let t = NaiveTime::from_hms_opt(16, 0, 0).expect("time");
        assert_eq!((EN.time)(t), "16:00");
        assert_eq!((NN.time)(t), "16.00");
        assert_eq!(
            (EN.moved_note)(d, Some("Christmas")),
            "Moved from 18.12.2019: Christmas"
        );
        assert_eq!(
            (EN.summary)(true, "Visma", "New version", None),
            "CANCELLED: Visma: New version"
        );
        assert_eq!((EN.events)(1), "1 event");
    }

    #[test]
    fn rich_text_slots_are_numbered_from_zero() {
        // Every slot a renderer fills is there once, and no other, in
        // every language.
        for w in [&NB, &NN, &EN] {
            slots_of(w);
        }
    }

    fn slots_of(w: &Wording) {
        for (rich, slots) in [
            (w.intro, 2),
            (w.past_maintenance_hint, 1),
            (w.moved_from, 1),
            (w.extra_date, 0),
            (w.period, 2),
            (w.open_period, 2),
            (w.google_item, 2),
            (w.refresh_note, 0),
            (w.howto_google, 0),
            (w.download_warning, 0),
        ] {
            let mut found: Vec<usize> = rich
                .iter()
                .filter_map(|s| match s {
                    Slot(n) => Some(*n),
                    _ => None,
                })
                .collect();
            found.sort_unstable();
            assert_eq!(found, (0..slots).collect::<Vec<_>>(), "{rich:?}");
        }
    }
}
