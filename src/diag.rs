//! Diagnostics: what went wrong in a writer's files, and where.
//!
//! Every stage collects [`Diagnostic`]s instead of stopping at the first one;
//! the pipeline stops after a stage that produced any error. This module only
//! describes and formats problems; it never prints (that is `cli`'s job).

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is: errors fail the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The build fails.
    Error,
    /// The build goes on; the writer is told.
    Warning,
}

/// A position in a file, 1-based, as editors show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line, counting from 1.
    pub line: usize,
    /// Column in characters, counting from 1.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text`, plus `first_line - 1` lines.
    ///
    /// Used to turn byte offsets in a front matter block or a Markdown body
    /// into positions in the whole file.
    ///
    /// Lines end as in [`lines_with_endings`]: at `\n`, `\r\n` or a lone `\r`.
    pub fn of_offset(text: &str, offset: usize, first_line: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let is_lone_cr = |i: usize| text.as_bytes().get(i + 1) != Some(&b'\n');
        let lone_crs = before.match_indices('\r').filter(|&(i, _)| is_lone_cr(i)).count();
        let line = before.matches('\n').count() + lone_crs + first_line;
        let mut line_start = 0;
        let mut search = before;
        while let Some(i) = search.rfind(['\n', '\r']) {
            if before.as_bytes()[i] == b'\n' || is_lone_cr(i) {
                line_start = i + 1;
                break;
            }
            // The `\r` of a `\r\n` cut by `offset`: the line goes on.
            search = &before[..i];
        }
        let column = before[line_start..].chars().count() + 1;
        Position { line, column }
    }
}

/// The lines of `text`, each with its line ending.
///
/// A line ends at `\n`, `\r\n` or a lone `\r`, as YAML, CommonMark and most
/// editors count them, so a line number from the YAML library, from
/// pulldown-cmark or from [`Position::of_offset`] names the same line.
pub fn lines_with_endings(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        // Bytes, not characters: both are ASCII, and memchr2 is vectorized
        // where a search for a set of characters decodes each one.
        let end = match memchr::memchr2(b'\n', b'\r', rest.as_bytes()) {
            Some(i) if rest[i..].starts_with("\r\n") => i + 2,
            Some(i) => i + 1,
            None => rest.len(),
        };
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// A line from [`lines_with_endings`] without its line ending.
pub fn trim_line_ending(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The line of source a diagnostic points at, with the span to underline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The line without its line ending; a long line is cut to a window
    /// around the column, marked with `…`.
    pub line: String,
    /// Width in characters of the underlined span (at least 1).
    pub width: usize,
    /// Characters of the line cut before the window (0 for a whole line).
    pub skipped: usize,
}

/// Lines longer than this are quoted as a window around the column, so an
/// error in a 10,000-entry list does not print the whole list each time.
const MAX_QUOTED_CHARS: usize = 160;

impl Snippet {
    /// The snippet for line `line` (1-based) of `text`, underlining `width` characters.
    pub fn from_line(text: &str, line: usize, width: usize) -> Option<Snippet> {
        let line = lines_with_endings(text).nth(line.checked_sub(1)?)?;
        Some(Snippet {
            line: trim_line_ending(line).to_owned(),
            width: width.max(1),
            skipped: 0,
        })
    }

    /// Cuts a long line to a window around `column` (1-based).
    pub fn around(mut self, column: usize) -> Snippet {
        let count = self.line.chars().count();
        if count <= MAX_QUOTED_CHARS {
            return self;
        }
        let start = column.saturating_sub(1 + MAX_QUOTED_CHARS / 3).min(count);
        let window: String = self.line.chars().skip(start).take(MAX_QUOTED_CHARS).collect();
        let tail = if start + MAX_QUOTED_CHARS < count { "…" } else { "" };
        self.line = if start > 0 {
            format!("…{window}{tail}")
        } else {
            format!("{window}{tail}")
        };
        self.skipped = start.saturating_sub(usize::from(start > 0));
        self.width = self.width.min(MAX_QUOTED_CHARS);
        self
    }
}

/// One problem in a writer's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the site root where possible.
    pub path: PathBuf,
    /// Where in the file; `None` when the whole file is at fault.
    pub position: Option<Position>,
    /// What is wrong and what was expected.
    pub message: String,
    /// The offending line, when known.
    pub snippet: Option<Snippet>,
    /// How to fix it, when we can tell.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error about a whole file.
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            position: None,
            message: message.into(),
            snippet: None,
            help: None,
        }
    }

    /// An error at a position, quoting the line of `text` it falls on.
    pub fn error_at(
        path: impl Into<PathBuf>,
        text: &str,
        position: Position,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(path, message).at(text, position, 1)
    }

    /// Places the diagnostic at `position`, underlining `width` characters of that line of `text`.
    pub fn at(mut self, text: &str, position: Position, width: usize) -> Diagnostic {
        self.snippet = Snippet::from_line(text, position.line, width).map(|s| s.around(position.column));
        self.position = Some(position);
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Turns the diagnostic into a warning.
    pub fn into_warning(mut self) -> Diagnostic {
        self.severity = Severity::Warning;
        self
    }

    /// The same diagnostic as an error (`--strict` makes warnings errors).
    pub fn into_error(mut self) -> Diagnostic {
        self.severity = Severity::Error;
        self
    }

    /// Whether this diagnostic fails the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.path.display())?;
        if let Some(p) = self.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        write!(f, ": {}", self.message)?;
        if let (Some(snippet), Some(p)) = (&self.snippet, self.position) {
            let number = p.line.to_string();
            let pad = " ".repeat(number.len());
            let indent: String = snippet
                .line
                .chars()
                .take((p.column - 1).saturating_sub(snippet.skipped))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{pad} |\n{number} | {}", snippet.line)?;
            write!(f, "\n{pad} | {indent}{}", "^".repeat(snippet.width))?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// The diagnostics of one stage, kept in a stable order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds many.
    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Sorts by file, then position, so parallel stages report deterministically.
    pub fn sort(&mut self) {
        self.items
            .sort_by(|a, b| (&a.path, a.position, &a.message).cmp(&(&b.path, b.position, &b.message)));
    }

    /// All diagnostics.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// The number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// The number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Whether there are none at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Takes the diagnostics out.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics {
            items: iter.into_iter().collect(),
        }
    }
}

/// A failure of the machine or of the command line rather than of the
/// writer's files: an unreadable folder, a full disk, a bad flag. Fails
/// fast, exit status 2. Its message already includes its cause; print it once.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// An I/O operation failed on a path.
    #[error("{action} {path}: {source}")]
    Io {
        /// What dossier was doing ("cannot read", "cannot write", …).
        action: &'static str,
        /// The path involved.
        path: String,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The command line or the folder asked for something impossible.
    #[error("{0}")]
    Usage(String),
}

impl EnvError {
    /// An I/O failure on `path` while doing `action`.
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> EnvError {
        EnvError::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }

    /// A usage problem, explained in `message`.
    pub fn usage(message: impl Into<String>) -> EnvError {
        EnvError::Usage(message.into())
    }
}

/// Finds the candidate closest to `word`, for "did you mean" help lines.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(&word, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "a\nbé c\n";
        assert_eq!(Position::of_offset(text, 0, 1), Position { line: 1, column: 1 });
        assert_eq!(Position::of_offset(text, 5, 1), Position { line: 2, column: 3 });
        assert_eq!(Position::of_offset(text, 5, 10), Position { line: 11, column: 3 });
    }

    #[test]
    fn lone_carriage_returns_break_lines_like_newlines() {
        let text = "a\rb\r\nc\nd\r\re";
        let lines: Vec<&str> = lines_with_endings(text).collect();
        assert_eq!(lines, ["a\r", "b\r\n", "c\n", "d\r", "\r", "e"]);
        assert_eq!(trim_line_ending("b\r\n"), "b");
        assert_eq!(trim_line_ending("d\r"), "d");
        assert_eq!(Position::of_offset(text, 2, 1), Position { line: 2, column: 1 });
        assert_eq!(Position::of_offset(text, 5, 1), Position { line: 3, column: 1 });
        assert_eq!(Position::of_offset(text, 10, 1), Position { line: 6, column: 1 });
        // Between the `\r` and `\n` of a CRLF: still on line 2.
        assert_eq!(Position::of_offset(text, 4, 1), Position { line: 2, column: 3 });
        assert_eq!(Snippet::from_line(text, 4, 1).unwrap().line, "d");
        assert_eq!(Snippet::from_line(text, 5, 1).unwrap().line, "");
        assert!(Snippet::from_line(text, 7, 1).is_none());
        assert_eq!(lines_with_endings("").count(), 0);
    }

    #[test]
    fn display_quotes_the_line_and_help() {
        let d = Diagnostic::error_at(
            "a.md",
            "x\ncompanies: [AWSS]\n",
            Position { line: 2, column: 13 },
            "unknown company",
        )
        .with_help("did you mean 'aws'?");
        let text = d.to_string();
        assert!(text.starts_with("error: a.md:2:13: unknown company"), "{text}");
        assert!(text.contains("2 | companies: [AWSS]"), "{text}");
        assert!(text.contains("= help: did you mean 'aws'?"), "{text}");
    }

    #[test]
    fn long_lines_are_quoted_as_a_window() {
        let line = format!(
            "companies: [{}]",
            (0..2000).map(|i| format!("N{i}")).collect::<Vec<_>>().join(", ")
        );
        let column = line.find("N1500").unwrap() + 1;
        let d = Diagnostic::error_at("a.md", &line, Position { line: 1, column }, "unknown company 'N1500'");
        let text = d.to_string();
        assert!(text.len() < 600, "{}", text.len());
        let quoted = text.lines().nth(2).unwrap();
        let caret = text.lines().nth(3).unwrap();
        let at = caret.find('^').unwrap();
        assert_eq!(
            &quoted[quoted.char_indices().nth(at).unwrap().0..][..5],
            "N1500",
            "{quoted}\n{caret}"
        );
    }

    #[test]
    fn closest_finds_near_misses_only() {
        assert_eq!(closest("awss", ["aws", "microsoft"]), Some("aws"));
        assert_eq!(closest("zzzzzz", ["aws", "microsoft"]), None);
    }
}
