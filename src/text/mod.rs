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
    /// Lines of a page of a PDF's text layer, counted from 1 on every
    /// page; the span says which page ([`Span::page`]).
    PageLine,
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
    /// The 1-based page where it starts, in a PDF ([`Unit::PageLine`]);
    /// 0 elsewhere.
    pub page: usize,
    /// The page where it ends.
    pub end_page: usize,
}

/// Turns offsets of a scanned text into the positions users see: in the
/// text itself, or in the HTML source it came from.
#[derive(Debug)]
pub struct Positions<'a> {
    reported: &'a str,
    map: Option<&'a offsets::OffsetMap>,
    index: LineIndex,
    /// For a PDF: where each page starts (byte offset) and its first line
    /// in the whole text.
    pages: Vec<(usize, usize)>,
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
            pages: Vec::new(),
            unit: Unit::Line,
        }
    }

    /// Positions of a source: in its markup when it has one.
    pub fn of(src: &'a Source) -> Positions<'a> {
        let unit = match src.format {
            crate::format::Format::Docx => Unit::Paragraph,
            crate::format::Format::Pdf => Unit::PageLine,
            _ => Unit::Line,
        };
        let mut positions = match &src.markup {
            Some(m) => Positions {
                reported: &m.source,
                map: Some(&m.map),
                index: LineIndex::new(&m.source),
                pages: Vec::new(),
                unit,
            },
            None => Positions {
                unit,
                ..Positions::plain(&src.text)
            },
        };
        if unit == Unit::PageLine {
            positions.pages = crate::format::pdf::page_starts(positions.reported)
                .into_iter()
                .map(|at| (at, positions.index.position(positions.reported, at).line))
                .collect();
        }
        positions
    }

    /// A position of the whole text as page and position in the page
    /// (page 0 for a text without pages). A page starts at a line's start.
    fn paged(&self, at: usize, p: Position) -> (usize, Position) {
        match self.pages.partition_point(|&(start, _)| start <= at) {
            0 => (0, p),
            page => {
                let first = self.pages[page - 1].1;
                (
                    page,
                    Position {
                        line: p.line + 1 - first,
                        column: p.column,
                    },
                )
            }
        }
    }

    /// The reported span of the scanned range `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let (a, b) = match self.map {
            Some(m) => (m.start_to_original(start), m.end_to_original(end)),
            None => (start, end),
        };
        let (page, start) = self.paged(a, self.index.position(self.reported, a));
        let (end_page, end) = self.paged(b, self.index.position(self.reported, b));
        Span {
            byte_start: a,
            byte_end: b,
            start,
            end,
            page,
            end_page,
        }
    }

    /// The byte range of the reported line holding byte `at`, without its
    /// line ending.
    pub fn line_range_at(&self, at: usize) -> std::ops::Range<usize> {
        let line = self.index.position(self.reported, at).line;
        self.index.line_range(self.reported, line)
    }

    /// The reported text.
    pub fn reported(&self) -> &'a str {
        self.reported
    }
}
