//! Text in: decoding, normalization for matching, and line positions.
//!
//! [`mod@decode`] turns bytes into a `String`, [`mod@normalize`] rewrites it for
//! matching with a map back, and [`lines`] turns offsets into lines and
//! columns at the edge. Nothing here knows about the lexicon.

pub mod decode;
pub mod encode;
pub mod lines;
pub mod normalize;
pub mod offsets;

pub use decode::{Decoded, Encoding, decode};
pub use lines::{LineIndex, Position};
pub use normalize::{Normalized, normalize};

/// A decoded input and where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as reported in output (`<stdin>` for standard input).
    pub path: String,
    /// The text that is scanned: the file's text, or what a reader sees of
    /// an HTML or Word document.
    pub text: String,
    /// The encoding the file was read in.
    pub encoding: Encoding,
    /// The file it was read from; `None` for standard input.
    pub file: Option<std::path::PathBuf>,
    /// The document format.
    pub format: crate::format::Format,
    /// For HTML: the decoded source, in which positions are reported.
    pub markup: Option<Markup>,
    /// Something the user should know about how the file was read.
    pub note: Option<String>,
}

/// The markup a text was extracted from, and the map back to it.
#[derive(Debug, Clone)]
pub struct Markup {
    /// The decoded source (HTML).
    pub source: String,
    /// Offsets of the extracted text → offsets of `source`.
    pub map: offsets::OffsetMap,
}

impl Source {
    /// A plain-text source (for tests and standard input).
    pub fn plain(path: &str, text: String) -> Source {
        Source {
            path: path.to_owned(),
            text,
            encoding: Encoding::Utf8,
            file: None,
            format: crate::format::Format::Text,
            markup: None,
            note: None,
        }
    }
}

/// What line numbers count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// Lines of a text file (or of an HTML source).
    #[default]
    Line,
    /// Paragraphs of a Word document.
    Paragraph,
}

/// A span as reported: byte offsets and positions in the reported text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Start byte offset in the reported text.
    pub byte_start: usize,
    /// End byte offset (exclusive).
    pub byte_end: usize,
    /// Where it starts.
    pub start: Position,
    /// Just after its last character.
    pub end: Position,
}

/// Turns offsets of a scanned text into the positions users see: in the
/// text itself, or in the HTML source it came from.
#[derive(Debug)]
pub struct Positions<'a> {
    reported: &'a str,
    map: Option<&'a offsets::OffsetMap>,
    index: LineIndex,
    /// What line numbers count.
    pub unit: Unit,
}

impl<'a> Positions<'a> {
    /// Positions in `text` itself.
    pub fn plain(text: &'a str) -> Positions<'a> {
        Positions {
            reported: text,
            map: None,
            index: LineIndex::new(text),
            unit: Unit::Line,
        }
    }

    /// Positions of a source: in its markup when it has one.
    pub fn of(src: &'a Source) -> Positions<'a> {
        let unit = match src.format {
            crate::format::Format::Docx => Unit::Paragraph,
            _ => Unit::Line,
        };
        match &src.markup {
            Some(m) => Positions {
                reported: &m.source,
                map: Some(&m.map),
                index: LineIndex::new(&m.source),
                unit,
            },
            None => Positions {
                unit,
                ..Positions::plain(&src.text)
            },
        }
    }

    /// The reported span of the scanned range `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let (a, b) = match self.map {
            Some(m) => (m.start_to_original(start), m.end_to_original(end)),
            None => (start, end),
        };
        Span {
            byte_start: a,
            byte_end: b,
            start: self.index.position(self.reported, a),
            end: self.index.position(self.reported, b),
        }
    }

    /// The byte range of reported line `line`, without its line ending.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        self.index.line_range(self.reported, line)
    }

    /// The reported text.
    pub fn reported(&self) -> &'a str {
        self.reported
    }
}
