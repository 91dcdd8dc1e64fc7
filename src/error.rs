//! The one error type. Every problem in the input is a [`Problem`] carrying its
//! location (file, line, column) as data; [`Report`] renders them all in one
//! place, with the offending YAML shown under a caret.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::limits::SHOWN_PER_FILE;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

/// How bad a problem is: errors stop a build, warnings only with `--deny-warnings`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Information that never fails a run.
    Note,
}

/// A place in a schedule file. Line and column are 1-based and count
/// characters; `offset`/`len` are byte positions for the snippet.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Location {
    /// Not serialized: the one serialized form of locations, the cache of
    /// validated items (`FileItems` in `parsed.rs`), keeps only locations
    /// in the file it is about, and names that file when it is read back
    /// (a schedules folder moved elsewhere still finds its items).
    #[serde(skip)]
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub offset: usize,
    pub len: usize,
}

impl Location {
    /// A location that points at a whole file (no line known).
    pub fn file(path: &Path) -> Self {
        Self {
            file: path.to_path_buf(),
            ..Self::default()
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }
}

/// One thing wrong (or suspicious) in the schedules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub severity: Severity,
    pub location: Location,
    /// What is wrong: lowercase, specific, names things in backticks.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Problem {
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            location,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(location, message)
        }
    }

    pub fn note(location: Location, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Note,
            ..Self::error(location, message)
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    fn sort_key(&self) -> (&Path, u32, u32, Severity, &str) {
        (
            &self.location.file,
            self.location.line,
            self.location.column,
            self.severity,
            &self.message,
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, "{kind}: {}: {}", self.location, self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Everything that can stop a run.
#[derive(Debug)]
pub enum Error {
    /// The schedules are invalid; every problem found, errors and warnings.
    Invalid(Report),
    /// A file or folder could not be read or written.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A command-line value that makes no sense.
    Usage(String),
    /// The state file in the output folder cannot be used.
    State { path: PathBuf, message: String },
    /// `build --check`: the output is not what a build would write.
    Stale(Vec<String>),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.write(&mut text)?;
        f.write_str(&terminal_safe(&text))
    }
}

impl Error {
    fn write(&self, f: &mut impl fmt::Write) -> fmt::Result {
        match self {
            Error::Invalid(report) => write!(f, "{report}"),
            Error::Io { path, source } => write!(f, "error: {}: {source}", path.display()),
            Error::Usage(msg) => write!(f, "error: {msg}"),
            Error::State { path, message } => write!(f, "error: {}: {message}", path.display()),
            Error::Stale(changes) => {
                writeln!(
                    f,
                    "error: the output is not up to date; `build` would change:"
                )?;
                for change in changes {
                    writeln!(f, "  {change}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}

/// Problems found in one run, with the source text needed to show them.
#[derive(Debug, Default)]
pub struct Report {
    pub problems: Vec<Problem>,
    sources: BTreeMap<PathBuf, String>,
}

impl Report {
    pub fn new(mut problems: Vec<Problem>, sources: BTreeMap<PathBuf, String>) -> Self {
        problems.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        problems.dedup();
        Self { problems, sources }
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == severity)
            .count()
    }

    /// The report as people read it: one block per problem with the YAML
    /// snippet, then a one-line summary. Control characters from the
    /// schedules are shown escaped, so that no schedule can drive the
    /// terminal or a log viewer.
    pub fn render(&self) -> String {
        terminal_safe(&self.render_raw()).into_owned()
    }

    fn render_raw(&self) -> String {
        let mut theme = GraphicalTheme::unicode_nocolor();
        // The severity in words where miette draws a symbol.
        theme.characters.error = "error:".into();
        theme.characters.warning = "warning:".into();
        theme.characters.advice = "note:".into();
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_context_lines(1)
            .with_width(100)
            .with_wrap_lines(false);
        let mut out = String::new();
        // Sorted by file: the problems of one file are together.
        let mut shown = 0;
        for (i, problem) in self.problems.iter().enumerate() {
            let first_of_file =
                i == 0 || self.problems[i - 1].location.file != problem.location.file;
            if first_of_file {
                shown = 0;
            }
            shown += 1;
            if shown <= SHOWN_PER_FILE {
                out.push_str(&self.shown(problem, &handler));
            }
            let last_of_file = self
                .problems
                .get(i + 1)
                .is_none_or(|next| next.location.file != problem.location.file);
            if last_of_file && shown > SHOWN_PER_FILE {
                let more = shown - SHOWN_PER_FILE;
                out.push_str(&format!(
                    "... and {more} more {} in {} (fix the ones above first)\n",
                    plural(more, "problem", "problems"),
                    problem.location.file.display()
                ));
            }
        }
        let (errors, warnings) = (self.errors(), self.warnings());
        if errors + warnings > 0 {
            out.push_str(&format!(
                "{} {}, {} {}\n",
                errors,
                plural(errors, "error", "errors"),
                warnings,
                plural(warnings, "warning", "warnings")
            ));
        }
        out
    }

    /// One problem as miette renders it: the message with its location,
    /// the YAML it points into, and the help.
    fn shown(&self, problem: &Problem, handler: &GraphicalReportHandler) -> String {
        let loc = &problem.location;
        let snippet = self.sources.get(&loc.file).and_then(|text| {
            let (start, len) = byte_span(text, loc)?;
            Some((
                NamedSource::new(loc.file.display().to_string(), text.clone()),
                LabeledSpan::at(start..start + len, "here"),
            ))
        });
        let diagnostic = Diagnostic { problem, snippet };
        let mut rendered = String::new();
        if handler.render_report(&mut rendered, &diagnostic).is_err() {
            rendered = format!("{problem}\n");
        }
        rendered
    }
}

/// The byte range to underline: from the (character-based) line and column
/// to the end of the token there.
fn byte_span(text: &str, loc: &Location) -> Option<(usize, usize)> {
    if loc.line == 0 {
        return None;
    }
    let line_start = if loc.line == 1 {
        0
    } else {
        text.match_indices('\n').nth(loc.line as usize - 2)?.0 + 1
    };
    let line = text[line_start..].split('\n').next().unwrap_or("");
    let col = loc.column.saturating_sub(1) as usize;
    let offset = line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
    let rest = &line[offset..];
    let token = if loc.len > 0 && loc.len <= rest.len() && rest.is_char_boundary(loc.len) {
        loc.len
    } else {
        rest.find(char::is_whitespace).unwrap_or(rest.len())
    };
    Some((
        line_start + offset,
        token.max(usize::from(!rest.is_empty())),
    ))
}

/// `text` with every control character but line breaks and tabs, and every
/// bidirectional override, written
/// as an escape (`\u{1b}`).
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    // Bidirectional overrides and isolates reorder what a terminal shows.
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if unsafe_char(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render().trim_end())
    }
}

/// A [`Problem`] as miette reads it.
#[derive(Debug)]
struct Diagnostic<'p> {
    problem: &'p Problem,
    snippet: Option<(NamedSource<String>, LabeledSpan)>,
}

impl fmt::Display for Diagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.problem.location, self.problem.message)
    }
}

impl std::error::Error for Diagnostic<'_> {}

impl miette::Diagnostic for Diagnostic<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.problem.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = self.problem.help.as_ref()?;
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.snippet
            .as_ref()
            .map(|(source, _)| source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, label) = self.snippet.as_ref()?;
        Some(Box::new(std::iter::once(label.clone())))
    }
}

/// The closest candidate to `word` by edit distance, if it is close enough to
/// be a plausible typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["title", "systems", "start", "end"];
        assert_eq!(suggest("titel", keys), Some("title"));
        assert_eq!(suggest("system", keys), Some("systems"));
        assert_eq!(suggest("colour", keys), None);
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let file = PathBuf::from("a.yaml");
        let text = "systems: [\"\u{1b}]0;pwned\u{7}\"]\n".to_string();
        let at = Location {
            file: file.clone(),
            line: 1,
            column: 11,
            offset: 10,
            len: 14,
        };
        let problem = Problem::error(at, "unknown system `\u{1b}]0;pwned\u{7}`").help("bell \u{7}");
        let report = Report::new(vec![problem], [(file, text)].into_iter().collect());
        let shown = report.render();
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown}"
        );
        assert!(
            shown.contains("unknown system `\\u{1b}]0;pwned\\u{7}`"),
            "{shown}"
        );
        let reordered = Error::Usage("id \u{202e}cba".into()).to_string();
        assert_eq!(reordered, "error: id \\u{202e}cba");
        let usage = Error::Usage("bad \u{1b}[2J".into()).to_string();
        assert_eq!(usage, "error: bad \\u{1b}[2J");
    }

    #[test]
    fn report_sorts_by_file_and_line_and_shows_the_snippet() {
        let file = PathBuf::from("a.yaml");
        let text = "one: 1\ntwo: 2\n".to_string();
        let at = |line, offset| Location {
            file: file.clone(),
            line,
            column: 1,
            offset,
            len: 3,
        };
        let report = Report::new(
            vec![
                Problem::error(at(2, 7), "second"),
                Problem::warning(at(1, 0), "first"),
            ],
            BTreeMap::from([(file.clone(), text)]),
        );
        let out = report.render();
        let first = out.find("first").unwrap_or(usize::MAX);
        let second = out.find("second").unwrap_or(0);
        assert!(first < second, "{out}");
        assert!(out.contains("warning: a.yaml:1:1: first"), "{out}");
        assert!(out.contains("two: 2"), "{out}");
        assert!(out.ends_with("1 error, 1 warning\n"), "{out}");
    }
}
