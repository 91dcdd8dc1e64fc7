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
    /// The content line being written, before folding (kept for its
    /// allocation).
    line: String,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    /// A writer with room for `octets` before it grows.
    pub fn with_capacity(octets: usize) -> Self {
        Self {
            buf: String::with_capacity(octets),
            line: String::with_capacity(128),
        }
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
        let mut line = self.start(name, params);
        if has_control(value) {
            line.extend(value.chars().filter(|c| !c.is_control() || *c == '\t'));
        } else {
            line.push_str(value);
        }
        self.finish_line(line);
    }

    /// A property of type TEXT: the value is escaped.
    pub fn text(&mut self, name: &str, params: &[(&str, &str)], value: &str) {
        let mut line = self.start(name, params);
        push_escaped(&mut line, value);
        self.finish_line(line);
    }

    /// A multi-valued TEXT property such as CATEGORIES: each item escaped,
    /// items separated by unescaped commas.
    pub fn text_list(&mut self, name: &str, items: &[&str]) {
        let mut line = self.start(name, &[]);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            push_escaped(&mut line, item);
        }
        self.finish_line(line);
    }

    /// The line buffer with `NAME;PARAM=value:` in it.
    fn start(&mut self, name: &str, params: &[(&str, &str)]) -> String {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        line.push_str(name);
        for (key, val) in params {
            line.push(';');
            line.push_str(key);
            line.push('=');
            push_param_value(&mut line, val);
        }
        line.push(':');
        line
    }

    fn finish_line(&mut self, line: String) {
        fold_into(&line, &mut self.buf);
        self.line = line;
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
    push_escaped(&mut out, value);
    out
}

/// [`escape_text`] of `value`, appended to `out`.
fn push_escaped(out: &mut String, value: &str) {
    // Copies runs of plain bytes at once; every special is ASCII but the
    // C1 controls (U+0080..U+009F, `C2 80`..`C2 9F` in UTF-8).
    let bytes = value.as_bytes();
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !MAYBE_SPECIAL[usize::from(b)] {
            i += 1;
            continue;
        }
        let width = match b {
            b'\t' => 0,
            0xc2 if bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)) => 2,
            0xc2 => 0,
            _ => 1,
        };
        if width == 0 {
            i += 1;
            continue;
        }
        out.push_str(&value[plain..i]);
        match b {
            b'\\' => out.push_str("\\\\"),
            b';' => out.push_str("\\;"),
            b',' => out.push_str("\\,"),
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.push_str("\\n");
                i += 1;
            }
            b'\r' | b'\n' => out.push_str("\\n"),
            _ => {} // other control characters are dropped
        }
        i += width;
        plain = i;
    }
    out.push_str(&value[plain..]);
}

/// Bytes that may need escaping or dropping: `\` `;` `,`, the C0 controls
/// and DEL, and 0xC2 (which starts the C1 controls).
const MAYBE_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'\\' as usize] = true;
    table[b';' as usize] = true;
    table[b',' as usize] = true;
    table[0x7f] = true;
    table[0xc2] = true;
    table
};

/// Whether `value` has a control character other than TAB.
fn has_control(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        (b < 0x20 && b != b'\t')
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    })
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
    let bytes = line.as_bytes();
    let mut start = 0;
    // The first physical line has 75 octets; the others a space and 74.
    let mut room = MAX_LINE_OCTETS;
    while bytes.len() - start > room {
        let mut cut = start + room;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        // `start` is a unit boundary, so the backslashes just before `cut`
        // pair up from there: an odd run ends in the `\` of an escape.
        let run = bytes[start..cut]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if run % 2 == 1 {
            cut -= 1;
        }
        out.push_str(&line[start..cut]);
        out.push_str("\r\n ");
        start = cut;
        room = MAX_LINE_OCTETS - 1;
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

    /// The character-by-character versions, as the fast ones' oracle.
    fn escape_reference(value: &str) -> String {
        let mut out = String::new();
        let mut chars = value.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push_str("\\\\"),
                ';' => out.push_str("\\;"),
                ',' => out.push_str("\\,"),
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push_str("\\n");
                }
                '\n' => out.push_str("\\n"),
                c if c.is_control() && c != '\t' => {}
                c => out.push(c),
            }
        }
        out
    }

    fn fold_reference(line: &str) -> String {
        let mut out = String::new();
        let mut width = 0;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            let mut unit = c.to_string();
            if c == '\\'
                && let Some(next) = chars.next()
            {
                unit.push(next);
            }
            if width + unit.len() > MAX_LINE_OCTETS {
                out.push_str("\r\n ");
                width = 1;
            }
            width += unit.len();
            out.push_str(&unit);
        }
        out.push_str("\r\n");
        out
    }

    proptest! {
        #[test]
        fn fast_paths_agree_with_the_reference(
            s in "\\PC*|[\\x00-\\x7f]*|[a\u{80}-\u{a0}æ🛠\\\\,;\r\n\t]*"
        ) {
            prop_assert_eq!(escape_text(&s), escape_reference(&s));
            prop_assert_eq!(has_control(&s), s.chars().any(|c| c.is_control() && c != '\t'));
            let mut folded = String::new();
            fold_into(&s, &mut folded);
            prop_assert_eq!(folded, fold_reference(&s));
            let escaped = escape_text(&s);
            let mut folded = String::new();
            fold_into(&escaped, &mut folded);
            prop_assert_eq!(folded, fold_reference(&escaped));
        }
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
