//! Synthetic schedules for benchmarks: deterministic (seeded) folders of
//! `small`, `medium` and `national` size that pass `nedetid check`.
//!
//! Shared by `examples/generate.rs` and `benches/pipeline.rs`, each of which
//! includes this file with `#[path = "../bench/gen.rs"] mod datagen;`, so
//! there is one copy (`gen` is a reserved word in Rust 2024).
//!
//! - small: the default `schedules/` folder, copied.
//! - medium: 20 organisations, 600 systems, 4,000 one-off outages,
//!   200 maintenance rules.
//! - national: 100 organisations, 3,000 systems, 20,000 one-off outages,
//!   1,000 maintenance rules.
//!
//! One file per organisation plus `innstillinger.yaml` with the settings.
//! Every outage hits 1-5 systems of its organisation; every rule has one of a
//! few shapes whose dates are computed here (so that skips and moves are
//! occurrences and extras are not, as the validator demands), runs over
//! 2025-2026 with `until`, and has a share of skipped dates, skipped months,
//! moves and extra dates. No start or end falls in the hour the clocks skip
//! or repeat in Europe/Oslo. Text is Norwegian, with æøå, commas and
//! semicolons (escaped in iCalendar) and descriptions long enough to fold.
//!
//! The data are also free of nedetid's warnings, as a curated schedule
//! would be: no two outages or series overlap on a system, maintenance on a
//! public holiday is skipped or moved, and only outages after [`NOW`] are
//! `tentative`. The occurrence count is computed here too
//! ([`Summary::occurrences`]) and checked against nedetid's in the bench.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use nedetid::tz::weekday_code;

/// The data sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Small,
    Medium,
    National,
}

impl Size {
    pub const ALL: [Size; 3] = [Size::Small, Size::Medium, Size::National];

    pub fn parse(s: &str) -> Option<Size> {
        match s {
            "small" => Some(Size::Small),
            "medium" => Some(Size::Medium),
            "national" => Some(Size::National),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::National => "national",
        }
    }

    /// How much to generate; `None` for `small` (a copy of `schedules/`).
    pub fn plan(self) -> Option<Plan> {
        match self {
            Size::Small => None,
            Size::Medium => Some(Plan {
                organisations: 20,
                systems_per_organisation: 30,
                outages: 4_000,
                rules: 200,
            }),
            Size::National => Some(Plan {
                organisations: 100,
                systems_per_organisation: 30,
                outages: 20_000,
                rules: 1_000,
            }),
        }
    }
}

/// Counts of what a generated folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub organisations: usize,
    pub systems_per_organisation: usize,
    pub outages: usize,
    pub rules: usize,
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub bytes: usize,
    pub systems: usize,
    pub outages: usize,
    pub rules: usize,
    /// Occurrences the schedules must expand to (outages, plus rule dates
    /// less skips and skipped months, plus extra dates); `None` for `small`.
    pub occurrences: Option<usize>,
}

/// The `--now` the benchmarks use: inside the generated period, so the page
/// has both upcoming and past events. Rules all have `until`, so it does not
/// change the occurrences.
pub const NOW: &str = "2025-06-01T08:00:00Z";

/// The default schedules folder of this repository.
pub fn default_schedules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schedules")
}

/// The files of a data set as (file name, text), in name order.
pub fn files(size: Size, seed: u64) -> std::io::Result<(Vec<(String, String)>, Summary)> {
    let Some(plan) = size.plan() else {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(default_schedules())? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                out.push((name, std::fs::read_to_string(&path)?));
            }
        }
        out.sort();
        let summary = Summary {
            files: out.len(),
            bytes: out.iter().map(|(_, t)| t.len()).sum(),
            ..Summary::default()
        };
        return Ok((out, summary));
    };
    Ok(generate(plan, seed))
}

/// Writes a data set into `dir` (created if missing; existing `*.yaml`
/// files in it are removed first, so the folder holds exactly the set).
pub fn write(size: Size, seed: u64, dir: &Path) -> std::io::Result<Summary> {
    let (files, summary) = files(size, seed)?;
    std::fs::create_dir_all(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            std::fs::remove_file(path)?;
        }
    }
    for (name, text) in &files {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(summary)
}

/// The files as `pipeline::load_memory` takes them.
pub fn in_memory(size: Size, seed: u64) -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    Ok(files(size, seed)?
        .0
        .into_iter()
        .map(|(name, text)| (PathBuf::from("schedules").join(name), text.into_bytes()))
        .collect())
}

/// splitmix64: small, fast, good enough for test data, and the same
/// sequence on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// `k` distinct indices of `0..n`, sorted.
    pub fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut chosen = BTreeSet::new();
        while chosen.len() < k.min(n) {
            chosen.insert(self.below(n));
        }
        chosen.into_iter().collect()
    }
}

const ORGANISATIONS: [&str; 100] = [
    "Vestre Toten",
    "Østre Toten",
    "Gjøvik",
    "Søndre Land",
    "Nordre Land",
    "Ålesund",
    "Bærum",
    "Tønsberg",
    "Bodø",
    "Tromsø",
    "Skien",
    "Drammen",
    "Fredrikstad",
    "Sarpsborg",
    "Sandefjord",
    "Larvik",
    "Arendal",
    "Kristiansand",
    "Haugesund",
    "Stavanger",
    "Sandnes",
    "Bergen",
    "Molde",
    "Kristiansund",
    "Trondheim",
    "Steinkjer",
    "Levanger",
    "Stjørdal",
    "Namsos",
    "Narvik",
    "Harstad",
    "Alta",
    "Hammerfest",
    "Vadsø",
    "Sør-Varanger",
    "Lillehammer",
    "Hamar",
    "Ringsaker",
    "Elverum",
    "Kongsvinger",
    "Åsnes",
    "Våler",
    "Løten",
    "Stange",
    "Ringerike",
    "Kongsberg",
    "Notodden",
    "Porsgrunn",
    "Bamble",
    "Kragerø",
    "Risør",
    "Grimstad",
    "Lillesand",
    "Flekkefjord",
    "Eigersund",
    "Hå",
    "Klepp",
    "Sola",
    "Randaberg",
    "Karmøy",
    "Tysvær",
    "Stord",
    "Kvinnherad",
    "Voss",
    "Sogndal",
    "Lærdal",
    "Årdal",
    "Luster",
    "Stryn",
    "Ørsta",
    "Volda",
    "Ulstein",
    "Herøy",
    "Giske",
    "Rauma",
    "Averøy",
    "Surnadal",
    "Oppdal",
    "Røros",
    "Melhus",
    "Frøya",
    "Ørland",
    "Verdal",
    "Brønnøy",
    "Vefsn",
    "Rana",
    "Meløy",
    "Fauske",
    "Vågan",
    "Vestvågøy",
    "Målselv",
    "Senja",
    "Nordreisa",
    "Lørenskog",
    "Lillestrøm",
    "Asker",
    "Ås",
    "Nesodden",
    "Ullensaker",
    "Øvre Eiker",
];

/// (id suffix, name, description).
const SYSTEM_KINDS: [(&str, &str, &str); 30] = [
    (
        "visma",
        "Visma Enterprise",
        "Økonomi, lønn og personal; innkjøp og fakturabehandling.",
    ),
    ("gat", "GAT og MinGat", "Turnusplanlegging og timelister."),
    (
        "e-post",
        "E-post og kalender",
        "Exchange, Outlook og delte kalendere.",
    ),
    (
        "telefoni",
        "IP-telefoni",
        "Fasttelefoner på kommunens lokasjoner. Mobiltelefoner er ikke berørt.",
    ),
    (
        "internett",
        "Internett og nettverk",
        "Kablet nett på alle lokasjoner.",
    ),
    (
        "hjemmeside",
        "Hjemmeside",
        "Kommunens nettsted for innbyggere.",
    ),
    (
        "gerica",
        "Gerica og omsorgs-PDA",
        "Fagsystem for pleie og omsorg, arbeidslister.",
    ),
    (
        "varsling",
        "Varsling og beredskap",
        "Varslingstjenester, beredskapstelefoner og trygghetsalarmer.",
    ),
    ("vpn", "VPN", "Fjerntilgang for ansatte og leverandører."),
    ("svarut", "SvarUt og SvarInn", ""),
    (
        "geo",
        "Geointegrasjon og kart",
        "Kartklient, matrikkel og planregister.",
    ),
    ("utskrift", "Utskrift", "Sikker utskrift og skanning."),
    (
        "sak-arkiv",
        "Sak og arkiv (Elements)",
        "Saksbehandling, journalføring og postlister.",
    ),
    (
        "skole",
        "Skoleadministrasjon",
        "Elevregister, fravær og vurdering.",
    ),
    (
        "barnehage",
        "Barnehageopptak",
        "Søknad om barnehageplass og foreldrebetaling.",
    ),
    (
        "byggesak",
        "Byggesak og eByggesak",
        "Søknader om tiltak, ferdigattester.",
    ),
    (
        "helsestasjon",
        "Helsestasjon og skolehelsetjeneste",
        "Journalsystem for helsestasjonen.",
    ),
    (
        "legevakt",
        "Legevakt og journal",
        "Journalsystem og meldingsutveksling for legevakten.",
    ),
    (
        "bibliotek",
        "Bibliotek",
        "Utlån, innlevering og selvbetjening.",
    ),
    (
        "vann-avlop",
        "Vann og avløp – driftskontroll",
        "Driftskontrollanlegg for vannverk og renseanlegg.",
    ),
    ("renovasjon", "Renovasjon", "Tømmekalender og avfallsgebyr."),
    ("parkering", "Parkering", "Parkeringsautomater og kontroll."),
    (
        "tradlost",
        "Trådløst nett",
        "Eduroam, gjestenett og ansattnett.",
    ),
    (
        "filserver",
        "Filområder",
        "Felles filområder og hjemmeområder.",
    ),
    (
        "teams",
        "Teams og SharePoint",
        "Samhandling, møter og dokumentdeling.",
    ),
    (
        "min-side",
        "Min side for innbyggere",
        "Innlogging med ID-porten, innsyn i egne saker.",
    ),
    (
        "eiendomsskatt",
        "Eiendomsskatt og kommunale avgifter",
        "Fakturering av eiendomsskatt, vann og avløp.",
    ),
    (
        "nav-lokal",
        "NAV-kontorets lokale systemer",
        "Lokale fagsystemer for sosialtjenesten.",
    ),
    (
        "adgang",
        "Adgangskontroll",
        "Nøkkelkort, dørmiljø og alarm.",
    ),
    (
        "velferd",
        "Velferdsteknologi",
        "Digitalt tilsyn, medisindispensere og lokaliseringsteknologi.",
    ),
];

const OUTAGE_TITLES: [&str; 12] = [
    "Oppgradering av {sys} til versjon {ver}",
    "Sikkerhetsoppdatering av {sys}",
    "Bytte av maskinvare for {sys}",
    "Flytting av {sys} til ny datahall",
    "Nedetid på {sys} – vedlikehold hos leverandøren",
    "Omlegging av fiber i {org} – brudd på samband",
    "Strømarbeid i rådhuset i {org}",
    "Migrering av {sys} til ny plattform",
    "Test av nødstrømsaggregat i {org}",
    "Feilretting på {sys}; kort nedetid",
    "Utskifting av brannmur, svitsjer og ruter i {org}",
    "Årlig revisjon av {sys}, sikkerhetskopi og gjenoppretting",
];

const SENTENCES: [&str; 14] = [
    "{sys} vil være utilgjengelig i hele tidsrommet.",
    "Arbeidet utføres av leverandøren, og IKT-avdelingen følger med underveis.",
    "Lagre arbeidet ditt og logg ut før arbeidet starter; ulagrede endringer kan gå tapt.",
    "Ta kontakt med brukerstøtte på telefon 61 14 00 00 dersom noe ikke fungerer etterpå.",
    "Vi beklager ulempene dette måtte medføre for ansatte og innbyggere i {org}.",
    "Endringen gjelder alle enheter i {org}, også skoler, barnehager og sykehjem.",
    "Pålogging med BankID og MinID vil ikke være mulig; søknader kan sendes på papir.",
    "Tjenesten blir gradvis tilgjengelig igjen når arbeidet er ferdig.",
    "Oppgraderingen gir nye funksjoner, bedre ytelse og retter flere feil som er meldt inn.",
    "Det kan forekomme korte brudd også etter at vinduet er slutt, særlig på trådløst nett.",
    "Sjekk kommunens hjemmeside for oppdatert status; der står også hvem du kan kontakte.",
    "Planlegg møter, vakter og frister med tanke på nedetiden, og gi beskjed til kolleger.",
    "Systemet går over til reservedrift: utskrifter av arbeidslister ligger på vaktrommet.",
    "Tidspunktet er avtalt med tjenesteområdene, og det er valgt for å berøre færrest mulig.",
];

const CONSEQUENCES: [&str; 8] = [
    "Det vil ikke være mulig å logge på {sys}.",
    "E-post kan bli forsinket, men går ikke tapt.",
    "Innbyggere kan ikke sende skjemaer via Min side i tidsrommet.",
    "Telefoner på rådhuset, skolene og helsehuset vil være nede.",
    "Integrasjoner mot statlige registre (folkeregisteret, matrikkelen) stanser; køen behandles etterpå.",
    "Utskrift og skanning virker ikke.",
    "Trygghetsalarmer går over på mobilnettet; responssenteret er varslet.",
    "Fakturaer og lønnsutbetalinger blir ikke forsinket.",
];

const STILL_WORKS: [&str; 5] = [
    "Mobiltelefoner vil fungere.",
    "Fagsystemer i sikker sone som ikke trenger internett, vil fungere.",
    "Alarmer på mobilt bredbånd (2G/3G/4G) vil fungere.",
    "Nødnummer 110, 112 og 113 er ikke berørt.",
    "Teams på mobil via mobilnettet vil fungere.",
];

const LOCATIONS: [&str; 6] = [
    "Rådhuset i {org}",
    "Datasenteret, 2. etasje",
    "Kulturhuset",
    "Helsehuset, sokkeletasjen",
    "Sentrum skole",
    "Teknisk sentral, Ødegårdsvegen 4",
];

/// Titles by rule shape: monthly, weekly, every other week, quarterly, yearly.
const MAINTENANCE_TITLES: [&[&str]; 5] = [
    &[
        "Månedlig vedlikehold",
        "Patching av {sys}",
        "Sikkerhetsoppdateringer (WSUS) for {org}",
    ],
    &[
        "Ukentlig oppdatering av servere",
        "Ukentlig omstart av {sys}",
    ],
    &["Vedlikehold annenhver uke: {sys}"],
    &[
        "Kvartalsvis vedlikehold av nettverket",
        "Kvartalsvis test av reservestrøm i {org}",
    ],
    &[
        "Årlig vedlikehold av {sys}",
        "Årlig gjenopprettingstest, sikkerhetskopi av {sys}",
    ],
];

/// Maintenance windows: no start or end in 02:00-03:00 local, so no DST gap
/// or overlap can be hit whatever the date.
const WINDOWS: [(&str, &str); 8] = [
    ("16:00", "19:00"),
    ("21:00", "24:00"),
    ("06:00", "08:00"),
    ("22:00", "23:30"),
    ("18:00", "22:00"),
    ("07:00", "09:30"),
    ("20:00", "23:00"),
    ("00:00", "01:30"),
];

const STATUSES: [&str; 3] = ["confirmed", "tentative", "cancelled"];

/// `æøå` and spaces to an id: "Sør-Varanger" -> "sor-varanger".
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'æ' => s.push_str("ae"),
            'ø' => s.push('o'),
            'å' => s.push('a'),
            c if c.is_ascii_alphanumeric() => s.push(c),
            _ => {
                if !s.ends_with('-') {
                    s.push('-')
                }
            }
        }
    }
    s.trim_matches('-').to_string()
}

/// A YAML double-quoted scalar.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn fill(template: &str, sys: &str, org: &str, ver: &str) -> String {
    template
        .replace("{sys}", sys)
        .replace("{org}", org)
        .replace("{ver}", ver)
}

/// The last Sunday of `month`: the days the clocks change in Europe/Oslo
/// (March and October).
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("valid date");
    let mut d = next.pred_opt().expect("valid date");
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt().expect("valid date");
    }
    d
}

/// True when `t` is in the hour that does not exist or happens twice.
fn in_dst_hour(t: NaiveDateTime) -> bool {
    let d = t.date();
    (d == last_sunday(d.year(), 3) || d == last_sunday(d.year(), 10)) && t.hour() == 2
}

fn fmt_dt(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// An end written as `24:00` of the day before when it is midnight, as the
/// 2019 page does, every so often.
fn fmt_end(t: NaiveDateTime, rng: &mut Rng) -> String {
    if t.time() == NaiveTime::MIN && rng.chance(50) {
        let day = t.date().pred_opt().expect("valid date");
        format!("{} 24:00", day.format("%Y-%m-%d"))
    } else {
        fmt_dt(t)
    }
}

const FIRST: (i32, u32, u32) = (2025, 1, 1);
const LAST: (i32, u32, u32) = (2026, 12, 31);

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn first_day() -> NaiveDate {
    ymd(FIRST.0, FIRST.1, FIRST.2)
}

fn last_day() -> NaiveDate {
    ymd(LAST.0, LAST.1, LAST.2)
}

/// A rule shape whose dates this file can compute.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// `FREQ=MONTHLY;BYDAY=WE;BYSETPOS=3` (n > 0) or `BYDAY=-1FR` (n = -1).
    NthWeekday {
        n: i32,
        weekday: Weekday,
        setpos: bool,
    },
    /// The Wednesday after Patch Tuesday: `BYDAY=WE;BYMONTHDAY=16..22`.
    PatchWednesday,
    /// `FREQ=WEEKLY;BYDAY=TU` or with `INTERVAL=2` (`from` on that weekday).
    Weekly { interval: u32, weekday: Weekday },
    /// `FREQ=MONTHLY;BYMONTHDAY=d`.
    MonthDay { day: u32 },
    /// `FREQ=MONTHLY;INTERVAL=3;BYDAY=1SA` (`from` on the 1st of a month).
    Quarterly { weekday: Weekday },
    /// `FREQ=YEARLY;BYMONTH=m;BYDAY=1MO`.
    Yearly { month: u32, weekday: Weekday },
}

impl Shape {
    fn rule(self) -> String {
        match self {
            Shape::NthWeekday {
                n,
                weekday,
                setpos: true,
            } => format!("FREQ=MONTHLY;BYDAY={};BYSETPOS={n}", weekday_code(weekday)),
            Shape::NthWeekday { n, weekday, .. } => {
                format!("FREQ=MONTHLY;BYDAY={n}{}", weekday_code(weekday))
            }
            Shape::PatchWednesday => "FREQ=MONTHLY;BYDAY=WE;BYMONTHDAY=16,17,18,19,20,21,22".into(),
            Shape::Weekly {
                interval: 1,
                weekday,
            } => format!("FREQ=WEEKLY;BYDAY={}", weekday_code(weekday)),
            Shape::Weekly { interval, weekday } => {
                format!(
                    "FREQ=WEEKLY;INTERVAL={interval};BYDAY={}",
                    weekday_code(weekday)
                )
            }
            Shape::MonthDay { day } => format!("FREQ=MONTHLY;BYMONTHDAY={day}"),
            Shape::Quarterly { weekday } => {
                format!("FREQ=MONTHLY;INTERVAL=3;BYDAY=1{}", weekday_code(weekday))
            }
            Shape::Yearly { month, weekday } => {
                format!(
                    "FREQ=YEARLY;BYMONTH={month};BYDAY=1{}",
                    weekday_code(weekday)
                )
            }
        }
    }

    /// The dates the rule gives from `from` to `until`, inclusive.
    fn dates(self, from: NaiveDate, until: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let months = |step: u32| {
            let mut v = Vec::new();
            let mut m = from.with_day(1).expect("valid date");
            while m <= until {
                v.push(m);
                m = m + chrono::Months::new(step);
            }
            v
        };
        let nth = |month: NaiveDate, n: i32, w: Weekday| -> Option<NaiveDate> {
            if n > 0 {
                NaiveDate::from_weekday_of_month_opt(month.year(), month.month(), w, n as u8)
            } else {
                let last = (month + chrono::Months::new(1)).pred_opt()?;
                let back =
                    (7 + last.weekday().num_days_from_monday() - w.num_days_from_monday()) % 7;
                Some(last - Duration::days(i64::from(back)))
            }
        };
        match self {
            Shape::NthWeekday { n, weekday, .. } => {
                out.extend(months(1).into_iter().filter_map(|m| nth(m, n, weekday)));
            }
            Shape::PatchWednesday => {
                for m in months(1) {
                    out.extend(
                        (16..=22)
                            .map(|d| m.with_day(d).expect("valid date"))
                            .filter(|d| d.weekday() == Weekday::Wed),
                    );
                }
            }
            Shape::Weekly { interval, weekday } => {
                debug_assert_eq!(from.weekday(), weekday);
                let mut d = from;
                while d <= until {
                    out.push(d);
                    d += Duration::weeks(i64::from(interval));
                }
            }
            Shape::MonthDay { day } => {
                out.extend(months(1).into_iter().filter_map(|m| m.with_day(day)));
            }
            Shape::Quarterly { weekday } => {
                out.extend(months(3).into_iter().filter_map(|m| nth(m, 1, weekday)));
            }
            Shape::Yearly { month, weekday } => {
                for y in from.year()..=until.year() {
                    out.extend(nth(ymd(y, month, 1), 1, weekday));
                }
            }
        }
        out.retain(|d| *d >= from && *d <= until);
        out
    }
}

/// A local time span `[start, end)`.
type Span = (NaiveDateTime, NaiveDateTime);

/// Longest span generated (outages up to 7 days and 2 hours, all-day ones
/// up to 5 days), with room to spare: the look-back of [`Busy::free`].
const LONGEST_SPAN_DAYS: i64 = 9;

/// What each system of one organisation is already busy with, so that no
/// two outages or series overlap on a system (nedetid warns about that, and
/// a curated national schedule would not have it). Local times are enough:
/// no span starts or ends in a DST hour, so local order is UTC order.
struct Busy(Vec<BTreeMap<NaiveDateTime, NaiveDateTime>>);

impl Busy {
    fn new(systems: usize) -> Self {
        Busy(vec![BTreeMap::new(); systems])
    }

    fn free(&self, system: usize, spans: &[Span]) -> bool {
        spans.iter().all(|&(s, e)| {
            self.0[system]
                .range(s - Duration::days(LONGEST_SPAN_DAYS)..e)
                .all(|(_, &end)| end <= s)
        })
    }

    fn add(&mut self, system: usize, spans: &[Span]) {
        for &(s, e) in spans {
            self.0[system].insert(s, e);
        }
    }

    /// Up to `k` of `candidates` that are free for `spans`, marked busy.
    fn claim(&mut self, candidates: &[usize], k: usize, spans: &[Span]) -> Vec<usize> {
        let mut chosen: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&s| self.free(s, spans))
            .take(k)
            .collect();
        chosen.sort_unstable();
        for &s in &chosen {
            self.add(s, spans);
        }
        chosen
    }
}

/// `n` indices of `0..len` in random order (a partial Fisher-Yates).
fn shuffled(rng: &mut Rng, len: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..len).collect();
    for i in 0..len {
        let j = i + rng.below(len - i);
        v.swap(i, j);
    }
    v
}

/// Norwegian public holidays, as nedetid knows them (it warns about
/// maintenance on one): such dates are skipped or moved. Capitalised, as
/// the reason of a skip.
fn holiday(d: NaiveDate) -> Option<String> {
    let name = nedetid::warn::norwegian_holiday(d)?;
    let mut chars = name.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// The local span of a window on a date (`24:00` ends on the next day).
fn window_span(date: NaiveDate, (start, end): (&str, &str)) -> Span {
    let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").expect("valid time");
    let s = date.and_time(time(start));
    let e = if end == "24:00" {
        date.succ_opt()
            .expect("valid date")
            .and_time(NaiveTime::MIN)
    } else {
        date.and_time(time(end))
    };
    (s, e)
}

/// Generates a folder's files from a plan.
pub fn generate(plan: Plan, seed: u64) -> (Vec<(String, String)>, Summary) {
    let mut rng = Rng::new(seed);
    let mut files = Vec::new();
    let mut summary = Summary::default();
    let mut occurrences = 0usize;

    let settings = "\
# Settings for the synthetic data set (generated by bench/gen.rs).
settings:
  calendar-name: Planlagt nedetid
  description: Planlagt nedetid og vedlikehold av kommunale IKT-systemer i hele landet; generert testsett.
  time-zone: Europe/Oslo
  uid-domain: nedetid.example.kommune.no
  base-url: https://nedetid.example.kommune.no/
  refresh-interval: PT12H
  horizon-months: 13
";
    files.push(("innstillinger.yaml".to_string(), settings.to_string()));

    let orgs = plan.organisations.min(ORGANISATIONS.len());
    for (o, org) in ORGANISATIONS.iter().take(orgs).enumerate() {
        let org_slug = slug(org);
        let mut y = String::new();
        let _ = writeln!(
            y,
            "# {org} kommune: systems, planned outages and maintenance."
        );
        let _ = writeln!(y, "# Generated by bench/gen.rs (seed {seed}); do not edit.");
        y.push_str("systems:\n");
        let kinds: Vec<(String, &str)> = SYSTEM_KINDS
            .iter()
            .cycle()
            .take(plan.systems_per_organisation)
            .enumerate()
            .map(|(i, (id, name, description))| {
                let round = i / SYSTEM_KINDS.len();
                let id = if round == 0 {
                    format!("{org_slug}-{id}")
                } else {
                    format!("{org_slug}-{id}-{}", round + 1)
                };
                let _ = writeln!(y, "  - id: {id}");
                let _ = writeln!(y, "    name: {}", q(name));
                if !description.is_empty() {
                    let _ = writeln!(
                        y,
                        "    description: {}",
                        q(&format!("{description} ({org} kommune)"))
                    );
                }
                (id, *name)
            })
            .collect();
        summary.systems += kinds.len();
        let mut busy = Busy::new(kinds.len());

        // Maintenance first (long series are the hardest to fit), then the
        // outages around them.
        let share = plan.rules / orgs + usize::from(o < plan.rules % orgs);
        let mut maintenance = String::new();
        for n in 0..share {
            occurrences += rule(
                &mut maintenance,
                &mut rng,
                &mut busy,
                &kinds,
                org,
                &org_slug,
                n,
            );
        }
        summary.rules += share;

        let share = plan.outages / orgs + usize::from(o < plan.outages % orgs);
        y.push_str("\noutages:\n");
        for n in 0..share {
            outage(&mut y, &mut rng, &mut busy, &kinds, org, &org_slug, n);
        }
        summary.outages += share;
        occurrences += share;

        if !maintenance.is_empty() {
            y.push_str("\nmaintenance:\n");
            y.push_str(&maintenance);
        }
        files.push((format!("{org_slug}.yaml"), y));
    }
    files.sort();
    summary.files = files.len();
    summary.bytes = files.iter().map(|(_, t)| t.len()).sum();
    summary.occurrences = Some(occurrences);
    (files, summary)
}

/// Writes one outage on 1-5 systems that are free at its time.
fn outage(
    y: &mut String,
    rng: &mut Rng,
    busy: &mut Busy,
    kinds: &[(String, &str)],
    org: &str,
    org_slug: &str,
    n: usize,
) {
    let days = (last_day() - first_day()).num_days();
    loop {
        let day = first_day() + Duration::days(rng.range(0, days));
        let timed = rng.chance(75);
        let (span, when) = if timed {
            let minute = 15 * rng.range(0, 3);
            let mut start =
                day.and_time(NaiveTime::MIN) + Duration::minutes(60 * rng.range(0, 23) + minute);
            if in_dst_hour(start) {
                start += Duration::hours(2);
            }
            let minutes = match rng.below(10) {
                0 => rng.range(24 * 60, 7 * 24 * 60),
                1 | 2 => rng.range(6 * 60, 24 * 60),
                _ => rng.range(2, 16) * 15,
            };
            let mut end = start + Duration::minutes(minutes);
            if in_dst_hour(end) {
                end += Duration::hours(2);
            }
            let when = format!(
                "    start: {}\n    end: {}\n",
                fmt_dt(start),
                fmt_end(end, rng)
            );
            ((start, end), when)
        } else {
            let last = if rng.chance(50) {
                day + Duration::days(rng.range(0, 4))
            } else {
                day
            };
            let mut when = format!("    first-day: {day}\n");
            if last != day || rng.chance(20) {
                let _ = writeln!(when, "    last-day: {last}");
            }
            let span = (
                day.and_time(NaiveTime::MIN),
                last.succ_opt()
                    .expect("valid date")
                    .and_time(NaiveTime::MIN),
            );
            (span, when)
        };
        let k = 1 + rng.below(5);
        let candidates = shuffled(rng, kinds.len());
        let hit = busy.claim(&candidates[..k.max(3)], k, &[span]);
        if hit.is_empty() {
            continue;
        }
        let sys = kinds[hit[rng.below(hit.len())]].1;
        let ver = format!("{}.{}", 2025 + rng.below(2), 1 + rng.below(4));
        let title = fill(rng.pick(&OUTAGE_TITLES), sys, org, &ver);
        let id = format!("{org_slug}-{}-{n}", day.format("%Y%m%d"));
        let _ = writeln!(y, "  - id: {id}");
        let _ = writeln!(y, "    title: {}", q(&title));
        let ids: Vec<&str> = hit.iter().map(|i| kinds[*i].0.as_str()).collect();
        let _ = writeln!(y, "    systems: [{}]", ids.join(", "));
        y.push_str(&when);
        // Tentative only in the future of `NOW` (nedetid warns about a
        // tentative outage that has ended).
        let future = day > ymd(2025, 6, 2);
        details(y, rng, sys, org, org_slug, &id, future);
        return;
    }
}

/// The optional keys every outage and series may have.
fn details(
    y: &mut String,
    rng: &mut Rng,
    sys: &str,
    org: &str,
    org_slug: &str,
    id: &str,
    may_be_tentative: bool,
) {
    if rng.chance(85) {
        let n = 1 + rng.below(4);
        let text: Vec<String> = rng
            .sample(SENTENCES.len(), n)
            .into_iter()
            .map(|i| fill(SENTENCES[i], sys, org, ""))
            .collect();
        let _ = writeln!(y, "    description: {}", q(&text.join(" ")));
    }
    if rng.chance(40) {
        y.push_str("    consequences:\n");
        let k = 1 + rng.below(4);
        for i in rng.sample(CONSEQUENCES.len(), k) {
            let _ = writeln!(y, "      - {}", q(&fill(CONSEQUENCES[i], sys, org, "")));
        }
    }
    if rng.chance(20) {
        y.push_str("    still-works:\n");
        let k = 1 + rng.below(2);
        for i in rng.sample(STILL_WORKS.len(), k) {
            let _ = writeln!(y, "      - {}", q(STILL_WORKS[i]));
        }
    }
    if rng.chance(30) {
        let _ = writeln!(
            y,
            "    location: {}",
            q(&fill(rng.pick(&LOCATIONS), sys, org, ""))
        );
    }
    match rng.below(20) {
        0 => {
            let _ = writeln!(y, "    status: {}", STATUSES[2]);
        }
        1 | 2 if may_be_tentative => {
            let _ = writeln!(y, "    status: {}", STATUSES[1]);
        }
        _ => {}
    }
    if rng.chance(25) {
        let _ = writeln!(
            y,
            "    link: https://www.{org_slug}.kommune.no/nedetid/{id}"
        );
    }
}

const SKIP_REASONS: [&str; 4] = [
    "Kollisjon med valget.",
    "Høstferie; ingen på vakt.",
    "Leverandøren har ferie.",
    "Kommunestyremøte, alle systemer må være oppe.",
];

const MOVE_REASONS: [&str; 3] = [
    "Flyttet en uke fram på grunn av oppgraderingen av Visma.",
    "Flyttet: kollisjon med årsoppgjøret, lønnskjøring og fakturering.",
    "Ønske fra helse og omsorg; ny dato avtalt.",
];

/// A window as written: start and end time.
type WindowText = (&'static str, &'static str);
/// A move: from, to, its own window, reason.
type MoveSpec = (
    NaiveDate,
    NaiveDate,
    Option<WindowText>,
    Option<&'static str>,
);
/// An extra date: date, its own window, reason.
type ExtraSpec = (NaiveDate, Option<WindowText>, Option<&'static str>);

/// Writes one maintenance rule with exceptions on systems that are free at
/// every occurrence; returns its number of occurrences.
fn rule(
    y: &mut String,
    rng: &mut Rng,
    busy: &mut Busy,
    kinds: &[(String, &str)],
    org: &str,
    org_slug: &str,
    n: usize,
) -> usize {
    const WEEKDAYS: [Weekday; 5] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    // From the 1st of a month in 2025, until the end of a month in 2026.
    let from = ymd(2025, 1 + rng.below(6) as u32, 1);
    let until = if rng.chance(70) {
        last_day()
    } else {
        (ymd(2026, 7 + rng.below(6) as u32, 1) + chrono::Months::new(1))
            .pred_opt()
            .expect("valid date")
    };
    let (shape, from) = match rng.below(20) {
        0..=4 => (
            Shape::NthWeekday {
                n: 1 + rng.below(4) as i32,
                weekday: rng.pick(&WEEKDAYS),
                setpos: rng.chance(50),
            },
            from,
        ),
        5 => (
            Shape::NthWeekday {
                n: -1,
                weekday: rng.pick(&WEEKDAYS),
                setpos: false,
            },
            from,
        ),
        6..=8 => (Shape::PatchWednesday, from),
        9..=11 => {
            let weekday = rng.pick(&WEEKDAYS);
            let mut d = from;
            while d.weekday() != weekday {
                d = d.succ_opt().expect("valid date");
            }
            let interval = if rng.chance(50) { 1 } else { 2 };
            (Shape::Weekly { interval, weekday }, d)
        }
        12..=15 => (
            Shape::MonthDay {
                day: 1 + rng.below(28) as u32,
            },
            from,
        ),
        16..=18 => (
            Shape::Quarterly {
                weekday: rng.pick(&[Weekday::Sat, Weekday::Sun, Weekday::Tue]),
            },
            from,
        ),
        _ => (
            Shape::Yearly {
                month: 1 + rng.below(12) as u32,
                weekday: rng.pick(&WEEKDAYS),
            },
            ymd(2025, 1, 1),
        ),
    };
    let dates = shape.dates(from, until);

    // Exceptions. Every date the rule gives and every move target and extra
    // date is "taken", so that no target is an occurrence and no two
    // exceptions collide. Dates on holidays are skipped or moved.
    let mut taken: BTreeSet<NaiveDate> = dates.iter().copied().collect();
    let usable = |d: NaiveDate, taken: &BTreeSet<NaiveDate>| {
        d >= from && d <= until && !taken.contains(&d) && holiday(d).is_none()
    };
    let skip_month = (rng.chance(30) && dates.iter().any(|d| d.month() == 7)).then_some(7);
    let mut free: Vec<NaiveDate> = dates
        .iter()
        .copied()
        .filter(|d| Some(d.month()) != skip_month)
        .collect();
    let mut skips: Vec<(NaiveDate, Option<String>)> = Vec::new();
    // (from, to, window override, reason)
    let mut moves: Vec<MoveSpec> = Vec::new();
    let mut extras: Vec<ExtraSpec> = Vec::new();
    let try_move = |source: NaiveDate,
                    rng: &mut Rng,
                    taken: &mut BTreeSet<NaiveDate>,
                    reason: Option<&'static str>|
     -> Option<MoveSpec> {
        for delta in [1, -1, 7, -7, 2, -2] {
            let to = source + Duration::days(delta);
            if usable(to, taken) {
                taken.insert(to);
                let window = rng.chance(30).then(|| rng.pick(&WINDOWS));
                return Some((source, to, window, reason));
            }
        }
        None
    };
    for d in free.clone() {
        if let Some(name) = holiday(d) {
            free.retain(|x| *x != d);
            let moved = if rng.chance(50) {
                try_move(d, rng, &mut taken, Some("Flyttet på grunn av helligdag."))
            } else {
                None
            };
            match moved {
                Some(m) => moves.push(m),
                None => skips.push((d, Some(name))),
            }
        }
    }
    if free.len() >= 4 {
        if rng.chance(40) {
            for _ in 0..1 + rng.below(2) {
                let d = free.remove(rng.below(free.len()));
                let reason = rng.chance(70).then(|| rng.pick(&SKIP_REASONS));
                skips.push((d, reason.map(String::from)));
            }
        }
        if rng.chance(40) {
            for _ in 0..1 + rng.below(2) {
                let source = free.remove(rng.below(free.len()));
                let reason = rng.chance(80).then(|| rng.pick(&MOVE_REASONS));
                if let Some(m) = try_move(source, rng, &mut taken, reason) {
                    moves.push(m);
                }
            }
        }
        if rng.chance(30) {
            for _ in 0..1 + rng.below(2) {
                let near = free[rng.below(free.len())];
                for delta in [1, 2, 3, -1, -2, -3] {
                    let d = near + Duration::days(delta);
                    if usable(d, &taken) {
                        taken.insert(d);
                        let window = rng.chance(30).then(|| rng.pick(&WINDOWS));
                        let reason = rng.chance(70).then_some(
                            "Ekstra vedlikeholdskveld; kritiske sikkerhetsoppdateringer.",
                        );
                        extras.push((d, window, reason));
                        break;
                    }
                }
            }
        }
    }
    skips.sort();
    moves.sort();
    extras.sort();

    // The window, and systems free at every occurrence in it.
    let candidates = shuffled(rng, kinds.len());
    let k = 1 + rng.below(5);
    let (window, hit) = loop {
        let window = rng.pick(&WINDOWS);
        let mut spans: Vec<Span> = Vec::new();
        for &d in &dates {
            if skips.iter().any(|s| s.0 == d) || Some(d.month()) == skip_month {
                continue;
            }
            spans.push(match moves.iter().find(|m| m.0 == d) {
                Some(&(_, to, w, _)) => window_span(to, w.unwrap_or(window)),
                None => window_span(d, window),
            });
        }
        for &(d, w, _) in &extras {
            spans.push(window_span(d, w.unwrap_or(window)));
        }
        let hit = busy.claim(&candidates, k, &spans);
        if !hit.is_empty() {
            break (window, hit);
        }
    };

    let sys = kinds[hit[rng.below(hit.len())]].1;
    let titles = match shape {
        Shape::Weekly { interval: 1, .. } => MAINTENANCE_TITLES[1],
        Shape::Weekly { .. } => MAINTENANCE_TITLES[2],
        Shape::Quarterly { .. } => MAINTENANCE_TITLES[3],
        Shape::Yearly { .. } => MAINTENANCE_TITLES[4],
        _ => MAINTENANCE_TITLES[0],
    };
    let title = fill(rng.pick(titles), sys, org, "");
    let id = format!("{org_slug}-vedlikehold-{}", n + 1);
    let _ = writeln!(y, "  - id: {id}");
    let _ = writeln!(y, "    title: {}", q(&title));
    let ids: Vec<&str> = hit.iter().map(|i| kinds[*i].0.as_str()).collect();
    let _ = writeln!(y, "    systems: [{}]", ids.join(", "));
    let _ = writeln!(y, "    rule: {}", shape.rule());
    let _ = writeln!(y, "    from: {from}");
    let _ = writeln!(y, "    until: {until}");
    let _ = writeln!(y, "    start-time: \"{}\"", window.0);
    let _ = writeln!(y, "    end-time: \"{}\"", window.1);
    details(y, rng, sys, org, org_slug, &id, false);
    if !skips.is_empty() {
        y.push_str("    skip:\n");
        for (d, reason) in &skips {
            let _ = writeln!(y, "      - date: {d}");
            if let Some(r) = reason {
                let _ = writeln!(y, "        reason: {}", q(r));
            }
        }
    }
    if let Some(m) = skip_month {
        y.push_str("    skip-months:\n");
        let _ = writeln!(y, "      - month: {m}");
        y.push_str("        reason: \"Ingen vedlikehold i juli grunnet sommerferie.\"\n");
    }
    if !moves.is_empty() {
        y.push_str("    moves:\n");
        for (from, to, window, reason) in &moves {
            let _ = writeln!(y, "      - from: {from}");
            let _ = writeln!(y, "        to: {to}");
            if let Some((s, e)) = window {
                let _ = writeln!(y, "        start-time: \"{s}\"");
                let _ = writeln!(y, "        end-time: \"{e}\"");
            }
            if let Some(r) = reason {
                let _ = writeln!(y, "        reason: {}", q(r));
            }
        }
    }
    if !extras.is_empty() {
        y.push_str("    extra:\n");
        for (d, window, reason) in &extras {
            let _ = writeln!(y, "      - date: {d}");
            if let Some((s, e)) = window {
                let _ = writeln!(y, "        start-time: \"{s}\"");
                let _ = writeln!(y, "        end-time: \"{e}\"");
            }
            if let Some(r) = reason {
                let _ = writeln!(y, "        reason: {}", q(r));
            }
        }
    }
    let skipped_by_month = dates
        .iter()
        .filter(|d| Some(d.month()) == skip_month)
        .count();
    dates.len() - skips.len() - skipped_by_month + extras.len()
}
