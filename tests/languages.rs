//! `settings: language:` (nb, nn, en): the same schedule
//! (`tests/fixtures/valid/language-*`, the editors' text written in each
//! language) built in each language. The page and `feeds.json` are
//! snapshots here (the feeds' `all.ics` in `tests/cli.rs`); nynorsk and
//! English hold no bokmål-only word; bokmål is what it was.

mod common;

use std::path::Path;

use common::*;

/// Late in 2019, so that the page has upcoming and past events.
const PAGE_NOW: &str = "2019-11-30T12:00:00Z";

/// `index.html`, `feeds.json` and every feed of a language's fixture.
fn outputs(language: &str) -> Vec<(String, String)> {
    let out = tempfile::tempdir().expect("tempdir");
    stdout(
        nedetid()
            .args(["build", "--now", PAGE_NOW, "--schedules"])
            .arg(format!("tests/fixtures/valid/language-{language}"))
            .arg("--out")
            .arg(out.path()),
    );
    let mut files: Vec<(String, String)> = std::fs::read_dir(out.path())
        .expect("read output")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "manifest.json" && !n.starts_with('.'))
        .map(|n| {
            let text = std::fs::read_to_string(out.path().join(&n)).expect("utf-8 output");
            (n, text)
        })
        .collect();
    files.sort();
    files
}

fn file<'a>(files: &'a [(String, String)], name: &str) -> &'a str {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no {name}"))
}

/// The words people read in a file, lowercase: a feed unfolded and
/// unescaped first, and markup left out (see [`ids`] for the page's
/// fragment ids).
fn words(text: &str) -> Vec<String> {
    let text = text
        .replace("\r\n ", "")
        .replace("\\n", " ")
        .replace("\\N", " ")
        .replace("\\,", ",")
        .replace("\\;", ";");
    let mut read = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                read.push(' ');
            }
            c if !in_tag => read.push(c),
            _ => {}
        }
    }
    read.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Bokmål words a nynorsk text has no place for. Not "fra" or "kalendere":
/// the menus of Outlook, Apple's and Google's calendars are named as they
/// show them, in bokmål.
const BOKMAL_ONLY: &[&str] = &[
    "ikke",
    "uke",
    "uken",
    "mandag",
    "tirsdag",
    "lørdag",
    "søndag",
    "berørte",
    "flyttet",
    "være",
    "systemer",
    "systemene",
    "hendelse",
    "hendelser",
    "hendelsene",
    "vedlikehold",
    "vedlikeholdsdatoer",
    "tidligere",
    "kommende",
    "innhold",
    "innholdsfortegnelsen",
    "hovedinnholdet",
    "hovedinnhold",
    "nærmeste",
    "planlagt",
    "planlagte",
    "foreløpig",
    "konsekvenser",
    "mer",
    "fremover",
    "fremgangsmåten",
    "datoer",
    "datoene",
    "måned",
    "månedlig",
    "måneden",
    "noen",
    "nå",
    "siden",
    "hele",
    "bare",
    "velg",
    "adressen",
    "lenkene",
    "gjør",
    "selv",
    "kommer",
    "ett",
    "endrede",
    "tidspunkter",
    "endringer",
    "henter",
    "avbrudd",
    "lages",
    "oppdateres",
    "importeres",
    "ganger",
    "virker",
    "åpne",
    "derfor",
    "bekreft",
    "bedt",
    "skole",
];

/// Nynorsk words English has no place for either.
const NYNORSK: &[&str] = &[
    "ikkje",
    "måndag",
    "tysdag",
    "laurdag",
    "sundag",
    "råka",
    "flytta",
    "vedlikehald",
    "og",
    "kl",
    "alle",
    "avlyst",
    "kalender",
    "kalenderen",
    "abonner",
    "kopier",
    "systema",
];

/// The page's ids and the fragments of its links, which show in the
/// address bar (`index.html#kommende`), as text.
fn ids(page: &str) -> String {
    let mut out = String::new();
    for attr in ["id=\"", "href=\"#", "aria-labelledby=\""] {
        for piece in page.split(attr).skip(1) {
            out.push_str(piece.split('"').next().unwrap_or_default());
            out.push(' ');
        }
    }
    out
}

fn found<'a>(files: &[(String, String)], forbidden: &[&'a str]) -> Vec<(String, &'a str)> {
    let mut hits = Vec::new();
    for (name, text) in files {
        let words = words(text);
        for word in forbidden {
            if words.iter().any(|w| w == word) {
                hits.push((name.clone(), *word));
            }
        }
    }
    hits
}

#[test]
fn the_page_and_feeds_json_in_each_language() {
    for (language, lang) in [("nb", "nb"), ("nn", "nn"), ("en", "en")] {
        let files = outputs(language);
        let page = file(&files, "index.html");
        assert!(
            page.contains(&format!("<html lang=\"{lang}\">")),
            "{language}"
        );
        insta::assert_snapshot!(format!("page-{language}"), page);
        // The events in full are on the systems' pages.
        insta::assert_snapshot!(format!("page-gat-{language}"), file(&files, "gat.html"));
        insta::assert_snapshot!(format!("feeds-json-{language}"), file(&files, "feeds.json"));
    }
}

#[test]
fn nynorsk_and_english_hold_no_bokmal_word() {
    // The check finds what it looks for: bokmål has them.
    let nb = found(&outputs("nb"), BOKMAL_ONLY);
    for word in [
        "ikke",
        "mandag",
        "berørte",
        "flyttet",
        "vedlikehold",
        "systemer",
    ] {
        assert!(nb.iter().any(|(_, w)| *w == word), "{word} not in bokmål");
    }
    let with_ids = |mut files: Vec<(String, String)>| {
        for name in ["index.html", "gat.html"] {
            let page = ids(file(&files, name));
            files.push((format!("{name} ids"), page));
        }
        files
    };
    let nb_ids = found(&with_ids(outputs("nb")), BOKMAL_ONLY);
    assert!(nb_ids.contains(&("index.html ids".to_string(), "systemer")));
    assert!(nb_ids.contains(&("gat.html ids".to_string(), "kommende")));
    let nn = with_ids(outputs("nn"));
    assert_eq!(found(&nn, BOKMAL_ONLY), Vec::new());
    // The index, feeds.json, schema.json (the editors' schema, English
    // whatever the language), each feed as .ics and .atom (all, gat,
    // visma), each system's page (gat, visma), and the ids of two pages.
    assert_eq!(
        nn.len(),
        13,
        "{:?}",
        nn.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    let en = with_ids(outputs("en"));
    assert_eq!(found(&en, BOKMAL_ONLY), Vec::new());
    assert_eq!(found(&en, NYNORSK), Vec::new());
}

#[test]
fn without_a_language_the_output_is_bokmal() {
    // The nb fixture without its `language:` line builds the same bytes.
    let text =
        std::fs::read_to_string("tests/fixtures/valid/language-nb/schedule.yaml").expect("fixture");
    let without: String = text
        .lines()
        .filter(|l| l.trim() != "language: nb")
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(without, text);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("schedule.yaml"), without).expect("write");
    let default = tempfile::tempdir().expect("tempdir");
    stdout(
        nedetid()
            .args(["build", "--now", PAGE_NOW, "--schedules"])
            .arg(dir.path())
            .arg("--out")
            .arg(default.path()),
    );
    for (name, text) in outputs("nb") {
        let built = std::fs::read_to_string(default.path().join(&name)).expect("built");
        assert_eq!(built, text, "{name}");
    }
    assert!(Path::new(default.path()).join("index.html").exists());
}
