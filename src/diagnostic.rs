//! Problems in files the user wrote (lexicons, later configs), located by
//! `path:line:column`.
//!
//! A [`Diagnostic`] is data; `report::human` renders it with the source line
//! and a caret.

use std::fmt;

use crate::text::LineIndex;

/// A place in a named text: 1-based line, 1-based character column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file as the user named it (or `lexicon/<name>.toml` when embedded).
    pub path: String,
    /// Line, from 1; 0 when the problem is with the file as a whole.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.path)
        } else {
            write!(f, "{}:{}:{}", self.path, self.line, self.column)
        }
    }
}

/// One problem in a user's file, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem starts.
    pub location: Location,
    /// What is wrong, lowercase, no final period.
    pub message: String,
    /// What to do about it, when there is something to say.
    pub hint: Option<String>,
    /// The source line the problem is on (without its line ending).
    pub source_line: String,
    /// How many characters of `source_line` to underline, from the column.
    pub width: usize,
}

impl Diagnostic {
    /// A diagnostic for the byte range `span` of `text`, read from `path`.
    pub fn at(path: &str, text: &str, span: std::ops::Range<usize>, message: String) -> Self {
        let index = LineIndex::new(text);
        let start = span.start.min(text.len());
        let pos = index.position(text, start);
        let line = index.line_range(text, pos.line);
        let source_line = text.get(line.clone()).unwrap_or_default().to_owned();
        let end = span.end.clamp(start, line.end.max(start));
        let width = text.get(start..end).map_or(1, |s| s.chars().count()).max(1);
        Diagnostic {
            location: Location {
                path: path.to_owned(),
                line: pos.line,
                column: pos.column,
            },
            message,
            hint: None,
            source_line,
            width,
        }
    }

    /// A problem with a whole file (or with no file at all), shown as
    /// `path: message`.
    pub fn whole(path: &str, message: String) -> Self {
        Diagnostic {
            location: Location {
                path: path.to_owned(),
                line: 0,
                column: 0,
            },
            message,
            hint: None,
            source_line: String::new(),
            width: 0,
        }
    }

    /// The same diagnostic with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}
