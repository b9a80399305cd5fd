//! Positions as the protocol counts them, and file URIs.
//!
//! LSP positions are a 0-based line and a 0-based character offset in
//! units of the negotiated encoding: UTF-16 code units unless the client
//! offers UTF-8 or UTF-32 (`general.positionEncodings`). Lines end at `\n`
//! (a `\r` before it belongs to the line end), as in [`LineIndex`].

use std::path::{Path, PathBuf};

use lsp_types::{Position, PositionEncodingKind, Range, Uri};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::text::LineIndex;

/// What a position's `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units: the protocol's default.
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

impl Encoding {
    /// The first encoding the client offers that tifa speaks (the client
    /// lists them by preference); UTF-16 when it offers none.
    pub(crate) fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        offered
            .unwrap_or_default()
            .iter()
            .find_map(|k| match k.as_str() {
                "utf-8" => Some(Encoding::Utf8),
                "utf-16" => Some(Encoding::Utf16),
                "utf-32" => Some(Encoding::Utf32),
                _ => None,
            })
            .unwrap_or(Encoding::Utf16)
    }

    /// The protocol's name of the encoding.
    pub(crate) fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }

    /// The units of the character whose first byte is `lead`.
    fn lead_units(self, lead: u8) -> usize {
        let bytes = match lead {
            0xF0.. => 4,
            0xE0.. => 3,
            0xC0.. => 2,
            _ => 1,
        };
        match self {
            Encoding::Utf8 => bytes,
            Encoding::Utf16 if bytes == 4 => 2,
            Encoding::Utf16 | Encoding::Utf32 => 1,
        }
    }
}

/// Byte offsets of one text ⇄ LSP positions.
#[derive(Debug)]
pub(crate) struct Lines<'a> {
    text: &'a str,
    index: LineIndex,
    encoding: Encoding,
    /// The last offset asked for, its line and its character: diagnostics
    /// ask in order of offset, and one further on the same line is counted
    /// from there, not from the line's start (which made a document of one
    /// long line quadratic).
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str, encoding: Encoding) -> Lines<'a> {
        Lines {
            text,
            index: LineIndex::new(text),
            encoding,
            last: std::cell::Cell::new((0, 1, 0)),
        }
    }

    /// The units of the characters that start in `from..at`.
    fn units_between(&self, from: usize, at: usize) -> usize {
        self.text
            .as_bytes()
            .get(from..at)
            .unwrap_or_default()
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .map(|&b| self.encoding.lead_units(b))
            .sum()
    }

    /// The position of byte offset `at` (clamped to the text; an offset
    /// inside a character counts as that character's start).
    pub(crate) fn position(&self, at: usize) -> Position {
        let at = at.min(self.text.len());
        let line = self.index.position(self.text, at).line;
        let (last_at, last_line, last_character) = self.last.get();
        let character = if last_line == line && last_at <= at {
            last_character + self.units_between(last_at, at)
        } else {
            let start = self.index.line_range(self.text, line).start;
            self.units_between(start, at)
        };
        self.last.set((at, line, character));
        Position {
            line: saturate(line - 1),
            character: saturate(character),
        }
    }

    /// The range of bytes `start..end`.
    pub(crate) fn range(&self, start: usize, end: usize) -> Range {
        Range {
            start: self.position(start),
            end: self.position(end),
        }
    }

    /// The byte offset of position `p`. A line past the end is the end of
    /// the text; a character past the end of its line is the line's end
    /// (before its line ending); one inside a character is its start.
    pub(crate) fn offset(&self, p: Position) -> usize {
        let line = usize::try_from(p.line).unwrap_or(usize::MAX);
        if line >= self.line_count() {
            return self.text.len();
        }
        let range = self.index.line_range(self.text, line + 1);
        let want = usize::try_from(p.character).unwrap_or(usize::MAX);
        let mut units = 0;
        for (i, c) in self
            .text
            .get(range.clone())
            .unwrap_or_default()
            .char_indices()
        {
            let next = units + self.encoding.units(c);
            if next > want {
                return range.start + i;
            }
            units = next;
        }
        range.end
    }

    fn line_count(&self) -> usize {
        self.index.position(self.text, self.text.len()).line
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The local path of a `file:` URI.
pub(crate) fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // The authority: empty or `localhost` for a local file.
    let slash = rest.find('/')?;
    let (host, path) = rest.split_at(slash);
    if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    // `file:///C:/x` is `C:/x` on Windows.
    let decoded = if cfg!(windows) {
        decoded.trim_start_matches('/').to_owned()
    } else {
        decoded.into_owned()
    };
    Some(PathBuf::from(decoded))
}

/// Characters of a path kept as they are in a `file:` URI.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The `file:` URI of an absolute path (made absolute against the working
/// directory when relative).
pub(crate) fn path_to_uri(path: &Path) -> Option<Uri> {
    let absolute = std::path::absolute(path).ok()?;
    let text = absolute.to_str()?.replace('\\', "/");
    let lead = if text.starts_with('/') { "" } else { "/" };
    format!("file://{lead}{}", utf8_percent_encode(&text, PATH))
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_both_ways() {
        let text = "ab\r\n😀两队一室\n";
        let lines = Lines::new(text, Encoding::Utf16);
        let at = text.find('两').unwrap();
        assert_eq!(lines.position(at), Position::new(1, 2));
        assert_eq!(lines.offset(Position::new(1, 2)), at);
        // Inside the emoji: its start.
        assert_eq!(lines.offset(Position::new(1, 1)), text.find('😀').unwrap());
        // Past the line's end: before its line ending.
        assert_eq!(lines.offset(Position::new(0, 99)), 2);
        assert_eq!(lines.offset(Position::new(9, 0)), text.len());
        assert_eq!(lines.position(text.len()), Position::new(2, 0));
        let utf8 = Lines::new(text, Encoding::Utf8);
        assert_eq!(utf8.position(at), Position::new(1, 4));
        let utf32 = Lines::new(text, Encoding::Utf32);
        assert_eq!(utf32.position(at), Position::new(1, 1));
    }

    /// Positions asked for in any order, on a long line and across
    /// lines, are those counted from the line's start.
    #[test]
    fn positions_in_any_order() {
        let text = format!("a😀\r\n{}\n\nx两", "两队一所é😀".repeat(700));
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let lines = Lines::new(&text, encoding);
            let want = |at: usize| {
                let index = LineIndex::new(&text);
                let line = index.position(&text, at).line;
                let start = index.line_range(&text, line).start;
                let character: usize = text[start..]
                    .char_indices()
                    .take_while(|&(i, _)| start + i < at)
                    .map(|(_, c)| encoding.units(c))
                    .sum();
                Position::new(saturate(line - 1), saturate(character))
            };
            let mut order: Vec<usize> = (0..=text.len()).step_by(3).collect();
            order.extend((0..text.len()).rev().step_by(7));
            order.extend([5, text.len(), 2, 2, 9000, 40]);
            for at in order {
                assert_eq!(lines.position(at), want(at), "{encoding:?} at {at}");
            }
        }
    }

    #[test]
    fn negotiation() {
        let offered = [PositionEncodingKind::UTF32, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf32);
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        let odd = [PositionEncodingKind::new("latin-1")];
        assert_eq!(Encoding::negotiate(Some(&odd)), Encoding::Utf16);
    }

    #[cfg(unix)]
    #[test]
    fn file_uris() {
        let uri = path_to_uri(Path::new("/tmp/a b/两队.md")).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%E4%B8%A4%E9%98%9F.md");
        assert_eq!(uri_to_path(&uri).unwrap(), Path::new("/tmp/a b/两队.md"));
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(uri_to_path(&untitled), None);
    }
}
