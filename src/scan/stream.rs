//! Scanning a text that arrives in pieces (a file larger than memory,
//! standard input) with bounded memory, losing no match at a piece
//! boundary.
//!
//! [`Streamer`] keeps a buffer of decoded text. When it is scanned, it is
//! cut at a point after which at least `k + 1` non-whitespace characters
//! remain, where `k` is the largest number of non-whitespace characters in
//! any form: a match that starts before the cut therefore ends inside the
//! buffer, so every hit starting before the cut is final and reported with
//! that piece. The buffer then keeps the text from one character before the
//! cut: that character is context for the ASCII boundary rule and for
//! whitespace folding, and hits starting on it (already reported) are
//! ignored. A single run of whitespace longer than a piece is held whole,
//! the one case where memory grows with the input.

use std::borrow::Cow;
use std::cell::OnceCell;

use super::{Hit, Scanner};
use crate::text::lines;
use crate::text::{LineIndex, Position, Span, Unit};

/// One scanned piece of the text, as the streamer hands it out: a
/// [`Piece`] borrowing the streamer's buffer, and the scanner.
#[derive(Debug)]
pub struct Window<'a> {
    piece: Piece<'a>,
    scanner: &'a Scanner,
}

impl Window<'_> {
    /// Calls `on` for every hit that starts in this piece, in offsets of
    /// the whole text, in [`Scanner::hits`]'s order.
    pub fn for_each_hit(&self, on: impl FnMut(Hit)) {
        self.piece.for_each_hit(self.scanner, on);
    }

    /// Where this window's text ends, in offsets of the whole text: no hit
    /// it reports ends after it.
    pub fn end(&self) -> usize {
        self.piece.offset + self.piece.text.len()
    }

    /// This window's text and bounds, owned, to be scanned on another
    /// thread; `settled` is where the hits of the earlier windows all end
    /// (the [`Window::end`] of the one before). The text is copied into
    /// `buffer` (one given back by [`Piece::into_buffer`], say).
    pub fn to_piece(&self, settled: usize, mut buffer: String) -> Piece<'static> {
        buffer.clear();
        buffer.push_str(&self.piece.text);
        Piece {
            text: Cow::Owned(buffer),
            ..self.as_piece(settled)
        }
    }

    /// The same piece as [`Window::to_piece`], borrowing this window's
    /// text: for one scanned on this thread.
    pub fn as_piece(&self, settled: usize) -> Piece<'_> {
        Piece {
            text: Cow::Borrowed(&self.piece.text),
            settled,
            index: OnceCell::new(),
            ..self.piece
        }
    }

    /// The hits [`Window::for_each_hit`] gives, collected.
    pub fn hits(&self) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.for_each_hit(&mut |h| hits.push(h));
        hits
    }

    /// The reported span of a hit of this window.
    pub fn span(&self, h: &Hit) -> Span {
        self.piece.span(h)
    }

    /// The text of a hit of this window.
    pub fn matched(&self, h: &Hit) -> &str {
        self.piece.matched(h)
    }

    /// The hit as a reportable match.
    pub fn to_match(&self, h: &Hit) -> super::Match {
        self.piece.to_match(h)
    }
}

/// The hits of `text` (which starts at `offset` in the whole text) that
/// start in `skip..cut`, in offsets of the whole text.
fn hits_between(
    scanner: &Scanner,
    text: &str,
    offset: usize,
    skip: usize,
    cut: usize,
    mut on: impl FnMut(Hit),
) {
    scanner.for_each_hit(text, |h: Hit| {
        if h.start >= skip && h.start < cut {
            on(Hit {
                start: h.start + offset,
                end: h.end + offset,
                ..h
            });
        }
    });
}

/// A scanned piece of the text with where it lies in the whole; owned
/// ([`Window::to_piece`]), it outlives the streamer's buffer, so that
/// pieces are scanned on several threads while the text is still being
/// read.
#[derive(Debug, Clone)]
pub struct Piece<'a> {
    /// The text of the piece (its tail is scanned again with the next).
    text: Cow<'a, str>,
    /// Byte offset of `text` in the whole text.
    offset: usize,
    /// Line and column (1-based, characters) where `text` starts; 1:1 for
    /// a streamer without positions.
    start: Position,
    /// Hits starting in `skip..cut` (offsets in `text`) belong to this
    /// piece.
    skip: usize,
    cut: usize,
    /// No hit of an earlier piece ends after this offset of the whole text.
    pub settled: usize,
    /// Built when a position is first asked for.
    index: OnceCell<LineIndex>,
}

impl Piece<'_> {
    /// The hits [`Window::for_each_hit`] gives for the window this piece
    /// was made from.
    pub fn for_each_hit(&self, scanner: &Scanner, on: impl FnMut(Hit)) {
        hits_between(scanner, &self.text, self.offset, self.skip, self.cut, on);
    }

    /// The piece's text buffer, to be used again (empty for a borrowed
    /// piece): a fresh allocation for every piece would be handed back to
    /// the system and faulted in anew.
    pub fn into_buffer(self) -> String {
        match self.text {
            Cow::Owned(text) => text,
            Cow::Borrowed(_) => String::new(),
        }
    }

    /// The position of a whole-text offset inside this piece.
    fn position(&self, at: usize) -> Position {
        let p = self
            .index
            .get_or_init(|| LineIndex::new(&self.text))
            .position(&self.text, at.saturating_sub(self.offset));
        self.shift(p)
    }

    /// A position in `text` as a position in the whole text.
    fn shift(&self, p: Position) -> Position {
        if p.line == 1 {
            Position {
                line: self.start.line,
                column: self.start.column + p.column - 1,
            }
        } else {
            Position {
                line: self.start.line + p.line - 1,
                column: p.column,
            }
        }
    }

    /// The reported span of a hit of this piece.
    pub fn span(&self, h: &Hit) -> Span {
        Span {
            byte_start: h.start,
            byte_end: h.end,
            start: self.position(h.start),
            end: self.position(h.end),
            page: 0,
            end_page: 0,
        }
    }

    /// The text of a hit of this piece.
    pub fn matched(&self, h: &Hit) -> &str {
        self.text
            .get(h.start - self.offset..h.end - self.offset)
            .unwrap_or_default()
    }

    /// The hit as a reportable match.
    pub fn to_match(&self, h: &Hit) -> super::Match {
        super::Match {
            hit: *h,
            span: self.span(h),
            unit: Unit::Line,
            matched: self.matched(h).to_owned(),
        }
    }
}

/// Scans text pushed in pieces; see the module documentation.
#[derive(Debug)]
pub struct Streamer<'s> {
    scanner: &'s Scanner,
    /// Non-whitespace characters kept after a cut.
    keep: usize,
    buffer: String,
    /// Offset of `buffer` in the whole text.
    offset: usize,
    /// Bytes at the start of `buffer` whose hits were already reported.
    skip: usize,
    /// Position of `buffer[0]`.
    start: Position,
    /// Keep `start` up to date (off for callers that only count).
    positions: bool,
    /// Scan when the buffer holds at least this many bytes.
    piece: usize,
}

impl<'s> Streamer<'s> {
    /// A streamer that scans whenever `piece` bytes are buffered.
    pub fn new(scanner: &'s Scanner, piece: usize) -> Streamer<'s> {
        Streamer {
            scanner,
            keep: scanner.max_form_chars() + 1,
            buffer: String::new(),
            offset: 0,
            skip: 0,
            start: Position { line: 1, column: 1 },
            positions: true,
            piece: piece.max(1),
        }
    }

    /// The same streamer for callers that never ask for a line or column
    /// (counting): lines are not counted, and the windows' positions are
    /// all 1:1.
    pub fn without_positions(mut self) -> Streamer<'s> {
        self.positions = false;
        self
    }

    /// Adds decoded text; scans and reports what is final.
    ///
    /// # Errors
    ///
    /// What `on` returns.
    pub fn push<E>(
        &mut self,
        text: &str,
        on: &mut dyn FnMut(&Window<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.push_with(|buffer| buffer.push_str(text), on)
    }

    /// Lets `fill` append decoded text to the buffer (no copy in between);
    /// scans and reports what is final.
    ///
    /// # Errors
    ///
    /// What `on` returns.
    pub fn push_with<E>(
        &mut self,
        fill: impl FnOnce(&mut String),
        on: &mut dyn FnMut(&Window<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        fill(&mut self.buffer);
        if self.buffer.len() < self.piece {
            return Ok(());
        }
        match self.cut() {
            Some(cut) => self.scan(cut, on),
            None => Ok(()),
        }
    }

    /// Scans and reports the rest, at the end of the text.
    ///
    /// # Errors
    ///
    /// What `on` returns.
    pub fn finish<E>(mut self, on: &mut dyn FnMut(&Window<'_>) -> Result<(), E>) -> Result<(), E> {
        let end = self.buffer.len();
        self.scan(end, on)
    }

    /// Where to cut: the start of the `keep`-th non-whitespace character
    /// from the end, if there are that many after `skip`.
    fn cut(&self) -> Option<usize> {
        let mut seen = 0;
        for (i, c) in self.buffer.char_indices().rev() {
            if i < self.skip {
                return None;
            }
            if !c.is_whitespace() {
                seen += 1;
                if seen == self.keep {
                    return (i > self.skip).then_some(i);
                }
            }
        }
        None
    }

    /// Reports the hits that start in `skip..cut`, then keeps the text from
    /// one character before `cut`.
    fn scan<E>(
        &mut self,
        cut: usize,
        on: &mut dyn FnMut(&Window<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let window = Window {
            piece: Piece {
                text: Cow::Borrowed(&self.buffer),
                offset: self.offset,
                start: self.start,
                skip: self.skip,
                cut,
                settled: 0,
                index: OnceCell::new(),
            },
            scanner: self.scanner,
        };
        on(&window)?;
        // Keep one character of context before the cut.
        let context = self.buffer[..cut]
            .char_indices()
            .next_back()
            .map_or(cut, |(i, _)| i);
        let piece = &window.piece;
        let new_start = match piece.index.get() {
            _ if !self.positions => self.start,
            Some(_) => piece.position(self.offset + context),
            None => piece.shift(lines::position(&self.buffer, context)),
        };
        self.buffer.drain(..context);
        self.offset += context;
        self.skip = cut - context;
        self.start = new_start;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::{Lexicon, LexiconFile};
    use crate::scan::{Resolver, accepted, outermost, per_entry};

    fn scanner() -> (Lexicon, Scanner) {
        let lex = Lexicon::load(&[vec![LexiconFile {
            path: "t.toml".into(),
            text: r#"
[[entry]]
id = "a"
term = "两队一室"
category = "c"
definition = "d"
[[entry]]
id = "n"
term = "1333"
category = "c"
definition = "d"
[[entry]]
id = "s"
term = "省级主责、市县主战、派出所主防"
category = "c"
definition = "d"
[[entry]]
id = "p"
term = "派出所主防"
category = "c"
definition = "d"
"#
            .into(),
        }]])
        .unwrap();
        let s = Scanner::new(&lex).unwrap();
        (lex, s)
    }

    /// Streams `text` in pieces of `size` bytes (split on character
    /// boundaries) and returns the spans and occurrences found.
    fn streamed(
        s: &Scanner,
        text: &str,
        size: usize,
    ) -> (Vec<(usize, usize, usize, Position)>, usize) {
        let mut st = Streamer::new(s, size);
        let mut spans = Vec::new();
        let mut occ = 0;
        let mut resolver = Resolver::default();
        let mut on = |w: &Window<'_>| -> Result<(), ()> {
            let (sp, oc) = resolver.push(&w.hits());
            spans.extend(
                sp.iter()
                    .map(|h| (h.start, h.end, h.entry, w.span(h).start)),
            );
            occ += oc.len();
            Ok(())
        };
        let mut rest = text;
        while !rest.is_empty() {
            let mut n = size.min(rest.len());
            while !rest.is_char_boundary(n) {
                n += 1;
            }
            st.push(&rest[..n], &mut on).unwrap();
            rest = &rest[n..];
        }
        st.finish(&mut on).unwrap();
        (spans, occ)
    }

    #[test]
    fn pieces_lose_nothing_at_boundaries() {
        let (_, s) = scanner();
        let text = "开头两队\n一室，然后1333和13333，\r\n坚持省级主责、市县主战、派出所\n\n主防。\n两队一室两队一室";
        let whole = s.hits(text);
        let spans = outermost(&whole, accepted);
        let want: Vec<(usize, usize, usize)> =
            spans.iter().map(|h| (h.start, h.end, h.entry)).collect();
        let index = LineIndex::new(text);
        let want_pos: Vec<Position> = spans
            .iter()
            .map(|h| index.position(text, h.start))
            .collect();
        let want_occ = per_entry(&whole).len();
        for size in 1..=text.len() + 1 {
            let (got, occ) = streamed(&s, text, size);
            let got_spans: Vec<_> = got.iter().map(|g| (g.0, g.1, g.2)).collect();
            let got_pos: Vec<_> = got.iter().map(|g| g.3).collect();
            assert_eq!(got_spans, want, "piece size {size}");
            assert_eq!(got_pos, want_pos, "positions, piece size {size}");
            assert_eq!(occ, want_occ, "occurrences, piece size {size}");
        }
    }
}
