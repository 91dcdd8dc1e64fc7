//! What every HTML template shares: the escapers askama uses for nedetid's
//! templates (`templates/askama.toml`) and rendering a template to text.
//! The templates themselves are under `templates/`; no Rust code writes
//! HTML.

use std::fmt;

use askama::Template;

/// A template's text (the page's, or a feed event's HTML description).
pub fn render(template: &impl Template) -> String {
    match template.render() {
        Ok(text) => text,
        // Rendering into a `String` fails only when a value's `Display`
        // does, and no value in these templates has one that can.
        Err(e) => unreachable!("template: {e}"),
    }
}

/// The templates' escaper for HTML text and attribute values (see
/// `templates/askama.toml`). Named entities, as the published pages have:
/// askama's own escaper writes numeric ones, and a page whose content is
/// unchanged must keep its bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, s: &str) -> fmt::Result {
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
            dest.write_str(&s[plain..i])?;
            dest.write_str(entity)?;
            plain = i + 1;
        }
        dest.write_str(&s[plain..])
    }
}

/// The Atom template's escaper (`templates/feed.atom`): the five XML
/// specials as [`Html`] writes them, and no character XML 1.0 forbids
/// (C0 controls but tab and line breaks, U+FFFE, U+FFFF), which would make
/// the whole feed unreadable to a strict parser.
#[derive(Debug, Clone, Copy, Default)]
pub struct Xml;

impl askama::filters::Escaper for Xml {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, s: &str) -> fmt::Result {
        let allowed = |c: char| !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
        if s.chars().all(allowed) {
            return Html.write_escaped_str(dest, s);
        }
        let kept: String = s.chars().filter(|c| allowed(*c)).collect();
        Html.write_escaped_str(&mut dest, &kept)
    }
}

/// The templates' escaper for text inside a quoted JavaScript string in a
/// `<script>` element (`{{ text|escape("js") }}`): nothing in it can end
/// the string or the element.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsString;

impl askama::filters::Escaper for JsString {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, s: &str) -> fmt::Result {
        for c in s.chars() {
            match c {
                '\\' => dest.write_str("\\\\")?,
                '\'' => dest.write_str("\\'")?,
                '"' => dest.write_str("\\\"")?,
                '<' => dest.write_str("\\x3C")?,
                '\n' => dest.write_str("\\n")?,
                '\r' => dest.write_str("\\r")?,
                '\u{2028}' => dest.write_str("\\u2028")?,
                '\u{2029}' => dest.write_str("\\u2029")?,
                c => dest.write_char(c)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_has_no_character_xml_forbids() {
        let escaped = |s: &str| {
            askama::filters::escape(s, Xml)
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(escaped("a\u{0}b\u{7}\u{1b}c\u{fffe}"), "abc");
        assert_eq!(escaped("tab\tline\nret\r"), "tab\tline\nret\r");
        assert_eq!(
            escaped("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escaped("ÆØÅ – \u{1F600}"), "ÆØÅ – \u{1F600}");
    }
}
