//! Byte offset → 1-based line and character column.
//!
//! The only place where offsets become lines and columns. Lines end at `\n`
//! (a `\r` before it belongs to the line end); columns count Unicode scalar
//! values from 1. Built on demand, only for texts that have something to
//! report.

/// The line and column of byte offset `at` in `text`, as
/// [`LineIndex::position`] gives it, without building an index: for one
/// offset.
pub fn position(text: &str, at: usize) -> Position {
    let at = at.min(text.len());
    let before = text.as_bytes().get(..at).unwrap_or_default();
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    Position {
        line: memchr::memchr_iter(b'\n', before).count() + 1,
        column: column(text, line_start, at),
    }
}

/// The 1-based column of `at` on the line starting at `start`.
fn column(text: &str, start: usize, at: usize) -> usize {
    chars_between(text, start, at) + 1
}

/// The characters that start in `from..at` of `text` (an offset inside a
/// character counts that character).
fn chars_between(text: &str, from: usize, at: usize) -> usize {
    let end = at.min(text.len());
    text.as_bytes()
        .get(from..end)
        .map_or(0, |b| b.iter().filter(|&&b| b & 0xC0 != 0x80).count())
}

/// On lines longer than this many bytes, the column is recorded about every
/// this many bytes, so that a position costs at most this much counting
/// (a whole book on one line would otherwise be counted again for every
/// match).
const MARK_EVERY: usize = 4096;

/// Line starts of one text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// `(offset, characters from its line's start)` on long lines, in
    /// order of offset.
    marks: Vec<(usize, usize)>,
    /// The last position asked for and its offset: positions are mostly
    /// asked for in order of offset (a match's start, its end, the next
    /// match's start), and one on the same line after the last is counted
    /// from it, not from the line's start.
    last: std::cell::Cell<(usize, Position)>,
}

/// A 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Line number, from 1.
    pub line: usize,
    /// Column in Unicode characters, from 1.
    pub column: usize,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut marks = Vec::new();
        let ends = starts.iter().skip(1).copied().chain([text.len()]);
        for (&start, end) in starts.iter().zip(ends) {
            let mut at = start;
            let mut chars = 0;
            while end - at > MARK_EVERY {
                let mut next = at + MARK_EVERY;
                while !text.is_char_boundary(next) {
                    next += 1;
                }
                chars += chars_between(text, at, next);
                marks.push((next, chars));
                at = next;
            }
        }
        LineIndex {
            starts,
            marks,
            last: std::cell::Cell::new((0, Position { line: 1, column: 1 })),
        }
    }

    /// The line and column of byte offset `at` in `text`, which must be the
    /// text this index was built from. An offset inside a character counts
    /// as that character.
    pub fn position(&self, text: &str, at: usize) -> Position {
        let at = at.min(text.len());
        let (last_at, last) = self.last.get();
        // `starts[line]` is where the line after `line` starts.
        if at >= last_at && self.starts.get(last.line).is_none_or(|&next| at < next) {
            let p = Position {
                line: last.line,
                column: last.column + chars_between(text, last_at, at),
            };
            self.last.set((at, p));
            return p;
        }
        let p = self.position_from_line_start(text, at);
        self.last.set((at, p));
        p
    }

    /// [`LineIndex::position`], counted from the line's start or the last
    /// mark before `at`.
    fn position_from_line_start(&self, text: &str, at: usize) -> Position {
        let line = self.starts.partition_point(|&s| s <= at);
        let start = self.starts[line - 1];
        // The last mark at or before `at` on this line, else its start.
        let (from, before) = match self.marks.partition_point(|&(o, _)| o <= at) {
            0 => (start, 0),
            i => match self.marks[i - 1] {
                (o, chars) if o >= start => (o, chars),
                _ => (start, 0),
            },
        };
        Position {
            line,
            column: before + chars_between(text, from, at) + 1,
        }
    }

    /// The byte range of line `line` (1-based) without its line ending.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(text.len());
        let mut end = self.starts.get(line).map_or(text.len(), |&s| s - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let text = "ab\r\n两队一室\n\nx";
        let idx = LineIndex::new(text);
        let pos = |at| {
            let p = idx.position(text, at);
            (p.line, p.column)
        };
        assert_eq!(pos(0), (1, 1));
        assert_eq!(pos(1), (1, 2));
        assert_eq!(pos(4), (2, 1));
        assert_eq!(pos(4 + 3), (2, 2));
        assert_eq!(pos(4 + 12), (2, 5));
        for at in 0..=text.len() + 1 {
            assert_eq!(position(text, at), idx.position(text, at), "at {at}");
        }
        assert_eq!(pos(text.len() - 1), (4, 1));
        assert_eq!(pos(text.len()), (4, 2));
        assert_eq!(&text[idx.line_range(text, 1)], "ab");
        assert_eq!(&text[idx.line_range(text, 2)], "两队一室");
        assert_eq!(&text[idx.line_range(text, 3)], "");
        assert_eq!(&text[idx.line_range(text, 4)], "x");
    }

    /// Positions asked for out of order (backwards, and jumping between
    /// lines) are those of the count from the line's start.
    #[test]
    fn any_order() {
        let text = format!("ab\r\n两队一室\n\nx{}\n短", "专业＋机制".repeat(1000));
        let idx = LineIndex::new(&text);
        let mut order: Vec<usize> = (0..=text.len() + 1).rev().collect();
        order.extend((0..=text.len()).step_by(7));
        order.extend((0..text.len()).rev().step_by(5));
        for at in order {
            assert_eq!(position(&text, at), idx.position(&text, at), "at {at}");
        }
    }

    /// Lines longer than the marks' spacing: every offset, against the
    /// count from the line's start.
    #[test]
    fn long_lines() {
        let text = format!(
            "{}\n{}\n短\n{}",
            "两队一室a".repeat(400),
            "x".repeat(MARK_EVERY * 2 + 1),
            "专业＋机制".repeat(300)
        );
        let idx = LineIndex::new(&text);
        assert!(idx.marks.len() >= 4);
        for at in 0..=text.len() + 1 {
            assert_eq!(position(&text, at), idx.position(&text, at), "at {at}");
        }
        let at = text.find('\n').unwrap();
        assert_eq!(
            idx.position(&text, at),
            Position {
                line: 1,
                column: 2001
            }
        );
    }
}
