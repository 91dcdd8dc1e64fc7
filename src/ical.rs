//! The iCalendar (RFC 5545) content-line writer: TEXT escaping, parameter
//! quoting, folding at 75 octets on character boundaries, CRLF line ends.
//!
//! It knows nothing about events; `render` decides what to write and in which
//! order, this module only guarantees that what is written is well formed.

use std::fmt::Write as _;

/// Longest physical line, in octets, not counting the CRLF.
pub const MAX_LINE_OCTETS: usize = 75;

/// Accumulates content lines into one iCalendar object.
#[derive(Debug, Default)]
pub struct Writer {
    buf: String,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    /// `BEGIN:<component>`.
    pub fn begin(&mut self, component: &str) {
        self.raw("BEGIN", &[], component);
    }

    /// `END:<component>`.
    pub fn end(&mut self, component: &str) {
        self.raw("END", &[], component);
    }

    /// A property whose value is already in its iCalendar form (dates, rules,
    /// durations, URIs). Control characters other than TAB are dropped so that no input can
    /// break the line structure.
    pub fn raw(&mut self, name: &str, params: &[(&str, &str)], value: &str) {
        let mut line = String::with_capacity(name.len() + value.len() + 16);
        line.push_str(name);
        for (key, val) in params {
            line.push(';');
            line.push_str(key);
            line.push('=');
            push_param_value(&mut line, val);
        }
        line.push(':');
        if value.chars().any(|c| c.is_control() && c != '\t') {
            line.extend(value.chars().filter(|c| !c.is_control() || *c == '\t'));
        } else {
            line.push_str(value);
        }
        fold_into(&line, &mut self.buf);
    }

    /// A property of type TEXT: the value is escaped.
    pub fn text(&mut self, name: &str, params: &[(&str, &str)], value: &str) {
        self.raw(name, params, &escape_text(value));
    }

    /// A multi-valued TEXT property such as CATEGORIES: each item escaped,
    /// items separated by unescaped commas.
    pub fn text_list(&mut self, name: &str, items: &[&str]) {
        let joined = items
            .iter()
            .map(|item| escape_text(item))
            .collect::<Vec<_>>()
            .join(",");
        self.raw(name, &[], &joined);
    }

    /// Appends lines another [`Writer`] produced (already folded, CRLF).
    pub fn append(&mut self, finished: &str) {
        self.buf.push_str(finished);
    }

    /// The finished object.
    pub fn finish(self) -> String {
        self.buf
    }
}

/// RFC 5545 3.3.11 TEXT escaping. Any line break (CRLF, CR or LF) becomes `\n`; other control characters except TAB
/// are dropped, so a value can never break the line structure.
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    // Copies runs of plain characters at once; only specials are handled
    // one by one.
    let mut plain = 0;
    let mut chars = value.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let special = matches!(c, '\\' | ';' | ',' | '\r' | '\n') || (c.is_control() && c != '\t');
        if !special {
            continue;
        }
        out.push_str(&value[plain..i]);
        plain = i + c.len_utf8();
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if let Some(&(j, '\n')) = chars.peek() {
                    chars.next();
                    plain = j + 1;
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            _ => {}
        }
    }
    out.push_str(&value[plain..]);
    out
}

/// Parameter values are quoted when they contain `:` `;` or `,`; a `"` cannot
/// be represented (RFC 5545 3.1) and is replaced by `'`.
fn push_param_value(line: &mut String, value: &str) {
    let clean: String = value
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    if clean.contains([':', ';', ',']) {
        let _ = write!(line, "\"{clean}\"");
    } else {
        line.push_str(&clean);
    }
}

/// Appends `line` folded to at most [`MAX_LINE_OCTETS`] octets per physical
/// line, each ended by CRLF. Never splits a UTF-8 character, and never splits
/// an escape sequence (`\` and the character after it): a physical line that
/// ends in a lone backslash makes some importers drop the event.
pub fn fold_into(line: &str, out: &mut String) {
    if line.len() <= MAX_LINE_OCTETS {
        out.push_str(line);
        out.push_str("\r\n");
        return;
    }
    // Walks the units (a character, or `\` and the character after it) by
    // their UTF-8 lengths and copies whole physical lines at once.
    let bytes = line.as_bytes();
    let len = |b: u8| match b {
        0x00..=0x7f => 1,
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        _ => 2,
    };
    let mut start = 0;
    let mut width = 0;
    let mut i = 0;
    while i < bytes.len() {
        let mut end = i + len(bytes[i]);
        if bytes[i] == b'\\' && end < bytes.len() {
            end += len(bytes[end]);
        }
        if width + (end - i) > MAX_LINE_OCTETS {
            out.push_str(&line[start..i]);
            out.push_str("\r\n ");
            start = i;
            width = 1;
        }
        width += end - i;
        i = end;
    }
    out.push_str(&line[start..]);
    out.push_str("\r\n");
}

/// Undoes [`fold_into`]: joins continuation lines. Used by tests and lints.
pub fn unfold(text: &str) -> String {
    text.replace("\r\n ", "").replace("\r\n\t", "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') | Some('N') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn escapes_specials_and_line_breaks() {
        assert_eq!(escape_text("a,b;c\\d"), "a\\,b\\;c\\\\d");
        assert_eq!(
            escape_text("one\r\ntwo\rthree\nfour"),
            "one\\ntwo\\nthree\\nfour"
        );
        assert_eq!(escape_text("bell\u{7}"), "bell");
        assert_eq!(escape_text("æøå ÆØÅ 🛠️"), "æøå ÆØÅ 🛠️");
    }

    #[test]
    fn short_line_is_not_folded() {
        let mut out = String::new();
        fold_into("SUMMARY:kort", &mut out);
        assert_eq!(out, "SUMMARY:kort\r\n");
    }

    #[test]
    fn folds_exactly_at_75_octets() {
        let mut out = String::new();
        let line = format!("X:{}", "a".repeat(100));
        fold_into(&line, &mut out);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines[0].len(), 75);
        assert!(lines[1].starts_with(' '));
        assert_eq!(unfold(&out), format!("{line}\r\n"));
    }

    #[test]
    fn never_splits_a_multibyte_character() {
        let mut out = String::new();
        fold_into(&format!("X:{}", "ø".repeat(80)), &mut out);
        for physical in out.split("\r\n") {
            assert!(physical.len() <= MAX_LINE_OCTETS);
        }
    }

    #[test]
    fn never_ends_a_physical_line_in_a_lone_backslash() {
        // 73 octets then an escape pair straddling the limit.
        let mut out = String::new();
        fold_into(&format!("X:{}\\,rest", "a".repeat(71)), &mut out);
        let first = out.split("\r\n").next().unwrap_or_default();
        assert!(!first.ends_with('\\'), "{first:?}");
    }

    #[test]
    fn params_with_separators_are_quoted() {
        let mut w = Writer::new();
        w.raw("X-ALT-DESC", &[("FMTTYPE", "text/html")], "<p>");
        w.raw("ATTENDEE", &[("CN", "Doe, \"J\"")], "mailto:x");
        assert_eq!(
            w.finish(),
            "X-ALT-DESC;FMTTYPE=text/html:<p>\r\nATTENDEE;CN=\"Doe, 'J'\":mailto:x\r\n"
        );
    }

    proptest! {
        #[test]
        fn folded_text_round_trips(s in "\\PC*|[\\x00-\\x7f]*|[æøå🛠️\\\\,;\r\n ]*") {
            let mut w = Writer::new();
            w.text("DESCRIPTION", &[], &s);
            let out = w.finish();
            prop_assert!(out.ends_with("\r\n"));
            for physical in out.trim_end_matches("\r\n").split("\r\n") {
                prop_assert!(physical.len() <= MAX_LINE_OCTETS, "{physical:?}");
                prop_assert!(!physical.contains('\r') && !physical.contains('\n'));
                prop_assert!(!physical.ends_with('\\') || physical.ends_with("\\\\"));
            }
            let logical = unfold(&out);
            let value = logical.trim_end_matches("\r\n").strip_prefix("DESCRIPTION:").unwrap_or_default();
            let expected: String = s
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .chars()
                .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
                .collect();
            prop_assert_eq!(unescape(value), expected);
        }
    }
}
