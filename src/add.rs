//! `nedetid add`: one outage, skipped date or move added to a schedule file
//! by inserting text where its list ends, so that every comment, blank line
//! and the layout stay as the editors left them (the file is never
//! re-serialised). Where a list ends is found from the locations the YAML
//! parser gives (`Spanned`) and the indentation of the lines after them.
//! Nothing here prints or touches files; the caller checks the whole
//! schedule with the new text before writing it.

use std::fmt::Write as _;

use crate::import::quote;
use crate::raw::{RawFile, Spanned};

/// A new outage, as the flags give it (times as the schedule writes them).
#[derive(Debug, Default, Clone)]
pub struct NewOutage {
    pub id: String,
    pub title: String,
    /// `all`, or ids.
    pub systems: Vec<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    pub description: Option<String>,
    pub consequences: Vec<String>,
    pub still_works: Vec<String>,
    /// `down`, `degraded` or `at-risk`, for every system hit.
    pub impact: Option<String>,
    pub location: Option<String>,
    pub status: Option<String>,
    pub link: Option<String>,
}

/// A new entry of a maintenance item's `skip:` or `moves:`.
#[derive(Debug, Clone)]
pub enum NewException {
    Skip {
        date: String,
        reason: Option<String>,
    },
    Move {
        from: String,
        to: String,
        start_time: Option<String>,
        end_time: Option<String>,
        reason: Option<String>,
    },
}

impl NewException {
    fn key(&self) -> &'static str {
        match self {
            NewException::Skip { .. } => "skip",
            NewException::Move { .. } => "moves",
        }
    }

    /// The entry's lines after `- ` (each `key: value`).
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut f = Vec::new();
        match self {
            NewException::Skip { date, reason } => {
                f.push(("date", quote(date)));
                f.extend(reason.iter().map(|r| ("reason", quote(r))));
            }
            NewException::Move {
                from,
                to,
                start_time,
                end_time,
                reason,
            } => {
                f.push(("from", quote(from)));
                f.push(("to", quote(to)));
                f.extend(start_time.iter().map(|t| ("start-time", quote(t))));
                f.extend(end_time.iter().map(|t| ("end-time", quote(t))));
                f.extend(reason.iter().map(|r| ("reason", quote(r))));
            }
        }
        f
    }
}

impl NewOutage {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut f = vec![("id", quote(&self.id)), ("title", quote(&self.title))];
        let systems = if self.systems.len() == 1 && self.systems[0] == "all" {
            "all".to_string()
        } else {
            format!(
                "[{}]",
                self.systems
                    .iter()
                    .map(|s| quote(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        f.push(("systems", systems));
        for (k, v) in [
            ("start", &self.start),
            ("end", &self.end),
            ("first-day", &self.first_day),
            ("last-day", &self.last_day),
            ("description", &self.description),
        ] {
            f.extend(v.iter().map(|v| (k, quote(v))));
        }
        for (k, list) in [
            ("consequences", &self.consequences),
            ("still-works", &self.still_works),
        ] {
            if !list.is_empty() {
                let items = list.iter().map(|i| quote(i)).collect::<Vec<_>>().join(", ");
                f.push((k, format!("[{items}]")));
            }
        }
        for (k, v) in [
            ("impact", &self.impact),
            ("location", &self.location),
            ("status", &self.status),
            ("link", &self.link),
        ] {
            f.extend(v.iter().map(|v| (k, quote(v))));
        }
        f
    }
}

/// Indentation (spaces) of a line.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// The byte offset of the start of each line (and the text's length).
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    starts
}

/// Where a block list whose last item starts on line `last_line`
/// (1-based) ends: the byte offset after its last line of content, and
/// the columns of the item's `-` and of its keys.
fn list_end(text: &str, last_line: usize) -> Result<(usize, usize, usize), String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let starts = line_starts(text);
    let item = lines
        .get(last_line.saturating_sub(1))
        .ok_or("the list's last item is past the end of the file")?;
    let dash = indent(item);
    let rest = &item[dash..];
    if !rest.starts_with("- ") {
        return Err(format!(
            "line {last_line} does not start a list item with `- `; add the entry by hand"
        ));
    }
    let key = dash + 2 + indent(&rest[2..]);
    let mut last_content = last_line; // 1-based
    for (i, line) in lines.iter().enumerate().skip(last_line) {
        if is_blank_or_comment(line) {
            if line.trim().starts_with('#') && indent(line) > dash {
                last_content = i + 1;
            }
            continue;
        }
        if indent(line) > dash {
            last_content = i + 1;
        } else {
            break;
        }
    }
    let end = starts.get(last_content).copied().unwrap_or(text.len());
    Ok((end, dash, key))
}

/// The text of a new block list item at `dash` (keys at `key`).
fn item_text(fields: &[(&str, String)], dash: usize, key: usize) -> String {
    let mut s = String::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        let lead = if i == 0 {
            format!("{}- {}", " ".repeat(dash), " ".repeat(key - dash - 2))
        } else {
            " ".repeat(key)
        };
        let _ = writeln!(s, "{lead}{k}: {v}");
    }
    s
}

/// Inserts `insert` at byte `at`, making sure it starts on a line of its
/// own.
fn splice(text: &str, at: usize, insert: &str) -> String {
    let mut out = String::with_capacity(text.len() + insert.len() + 1);
    out.push_str(&text[..at]);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(insert);
    out.push_str(&text[at..]);
    out
}

/// `text` (parsed as `raw`) with the outage appended to its `outages:`
/// list, or a new `outages:` section at the end.
pub fn add_outage(text: &str, raw: &RawFile, outage: &NewOutage) -> Result<String, String> {
    let fields = outage.fields();
    match raw.outages.last() {
        Some(last) => {
            let (at, dash, key) = list_end(text, last_item_line(last))?;
            Ok(splice(text, at, &item_text(&fields, dash, key)))
        }
        None => {
            if text
                .lines()
                .any(|l| l.starts_with("outages:") && l.contains('['))
            {
                return Err(
                    "`outages:` is written as a flow list (`[...]`); add the outage by hand".into(),
                );
            }
            let body = item_text(&fields, 2, 4);
            // `outages:` with nothing under it: the item goes after that line.
            let empty = text.split('\n').position(|l| l.trim_end() == "outages:");
            Ok(match empty {
                Some(n) => {
                    let at = line_starts(text).get(n + 1).copied().unwrap_or(text.len());
                    splice(text, at, &body)
                }
                None => splice(text, text.len(), &format!("\noutages:\n{body}")),
            })
        }
    }
}

/// The line (1-based) an item of a list starts on: its first key's line.
fn last_item_line<T>(item: &Spanned<T>) -> usize {
    item.referenced.line() as usize
}

/// `text` with the entry added to the `skip:` or `moves:` of the
/// maintenance item `series`, or a new such key at the end of the item.
pub fn add_exception(
    text: &str,
    raw: &RawFile,
    series: &str,
    entry: &NewException,
) -> Result<String, String> {
    let pos = raw
        .maintenance
        .iter()
        .position(|m| m.value.id.value == series)
        .ok_or_else(|| format!("no maintenance item `{series}` in this file"))?;
    let item = &raw.maintenance[pos];
    let fields = entry.fields();
    let existing = match entry {
        NewException::Skip { .. } => item.value.skip.last().map(last_item_line),
        NewException::Move { .. } => item.value.moves.last().map(last_item_line),
    };
    if let Some(line) = existing {
        let (at, dash, key) = list_end(text, line)?;
        return Ok(splice(text, at, &item_text(&fields, dash, key)));
    }
    // No such key yet: a new one at the end of the maintenance item.
    let (at, _, key) = list_end(text, last_item_line(item))?;
    let mut block = format!("{}{}:\n", " ".repeat(key), entry.key());
    block.push_str(&item_text(&fields, key + 2, key + 4));
    Ok(splice(text, at, &block))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn raw(text: &str) -> RawFile {
        crate::load::parse_str(Path::new("t.yaml"), text).unwrap_or_else(|e| panic!("{e}"))
    }

    const FILE: &str = "# Outages.\noutages:\n  - id: a   # first\n    title: A\n    systems: all\n    first-day: 2026-01-01\n    # a note on a\n\n# The rules.\nmaintenance:\n  - id: m\n    title: M\n    systems: all\n    rule: FREQ=MONTHLY;BYDAY=2TU\n    from: 2026-01-01\n    start-time: \"18:00\"\n    end-time: \"21:00\"\n";

    #[test]
    fn an_outage_goes_after_the_last_one_and_everything_else_stays() {
        let o = NewOutage {
            id: "b".into(),
            title: "B: \"quoted\"".into(),
            systems: vec!["e-post".into()],
            start: Some("2026-02-01 10:00".into()),
            end: Some("2026-02-01 12:00".into()),
            ..NewOutage::default()
        };
        let new = add_outage(FILE, &raw(FILE), &o).unwrap();
        let added = "  - id: \"b\"\n    title: \"B: \\\"quoted\\\"\"\n    systems: [\"e-post\"]\n    start: \"2026-02-01 10:00\"\n    end: \"2026-02-01 12:00\"\n";
        // After the last item's own comment; the blank line and the next
        // section's comment stay where they were.
        let want = FILE.replace(
            "    # a note on a\n",
            &format!("    # a note on a\n{added}"),
        );
        assert_eq!(new, want);
        let parsed = raw(&new);
        assert_eq!(parsed.outages.len(), 2);
        assert_eq!(parsed.outages[1].value.title.value, "B: \"quoted\"");
    }

    #[test]
    fn a_skip_gets_its_own_key_when_the_item_has_none() {
        let entry = NewException::Skip {
            date: "2026-07-14".into(),
            reason: Some("Sommer".into()),
        };
        let new = add_exception(FILE, &raw(FILE), "m", &entry).unwrap();
        assert!(new.starts_with(FILE), "{new}");
        assert_eq!(
            &new[FILE.len()..],
            "    skip:\n      - date: \"2026-07-14\"\n        reason: \"Sommer\"\n"
        );
        let again = NewException::Skip {
            date: "2026-08-11".into(),
            reason: None,
        };
        let newer = add_exception(&new, &raw(&new), "m", &again).unwrap();
        assert_eq!(raw(&newer).maintenance[0].value.skip.len(), 2);
        assert!(add_exception(FILE, &raw(FILE), "x", &again).is_err());
    }
}
