//! Annotation: which spans of a text to mark, which footnote number each
//! gets, and which of `check`'s findings to flag. Numbers follow the first
//! appearance of each entry; repeated terms reuse their number. Printers in
//! `report` render the result, walking [`Annotation::segments`].

use std::ops::Range;

use crate::check::{self, Finding, Lang, Rule, Severity};
use crate::lexicon::Lexicon;
use crate::scan::Hit;
use crate::text::Positions;

/// A text's spans with their footnote numbers, the glossary order, and
/// the findings flagged in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Each outermost span with its number (from 1).
    pub marks: Vec<(Hit, usize)>,
    /// Entry indexes in number order: `glossary[n - 1]` is footnote `n`.
    pub glossary: Vec<usize>,
    /// `check`'s findings, in text order, numbered from 1 by position.
    pub flags: Vec<Flag>,
}

/// One finding of `check` as an annotated text shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Byte offsets in the text.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
    /// 1-based line (or paragraph, in Word) and column (characters) of the
    /// start, as `check` reports them.
    pub line: usize,
    /// See `line`.
    pub column: usize,
    /// The 1-based page, in a PDF (where `line` counts within the page);
    /// 0 elsewhere.
    pub page: usize,
    /// The rule.
    pub rule: Rule,
    /// Its severity.
    pub severity: Severity,
    /// The message, as `check` words it.
    pub message: String,
    /// What to write instead, if known.
    pub suggestion: Option<String>,
}

impl Flag {
    /// Where it is, as `check` says it: `line:column`, or
    /// `pPAGE:line:column` in a PDF.
    pub fn place(&self) -> String {
        if self.page > 0 {
            format!("p{}:{}:{}", self.page, self.line, self.column)
        } else {
            format!("{}:{}", self.line, self.column)
        }
    }
}

/// A piece of an annotated text, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text as it is.
    Plain(Range<usize>),
    /// A marked term: index into [`Annotation::marks`].
    Mark(usize),
    /// A flag opens: index into [`Annotation::flags`].
    Open(usize),
    /// The flag closes.
    Close(usize),
}

impl Annotation {
    /// Numbers the outermost `spans` (sorted by position).
    pub fn new(spans: &[Hit]) -> Annotation {
        let (marks, glossary) = numbered(spans.iter().copied());
        Annotation {
            marks,
            glossary,
            flags: Vec::new(),
        }
    }

    /// Adds `check`'s `findings` of `text` (sorted, not overlapping, as
    /// [`check::Checker::check`] gives them) as flags worded in `lang`,
    /// placed as `check` places them (`positions`: in the HTML source, by
    /// paragraph in Word). A
    /// marked term that crosses a flag's edge is not marked (the flag is
    /// what the reader must see); terms wholly inside a flag stay marked.
    pub fn with_findings(
        mut self,
        text: &str,
        findings: &[Finding],
        lexicon: &Lexicon,
        lang: Lang,
        positions: &Positions<'_>,
    ) -> Annotation {
        self.flags = findings
            .iter()
            .map(|f| {
                let span = positions.span(f.start, f.end);
                let matched = text.get(f.start..f.end).unwrap_or_default();
                Flag {
                    start: f.start,
                    end: f.end,
                    line: span.start.line,
                    column: span.start.column,
                    page: span.page,
                    rule: f.rule,
                    severity: f.severity,
                    message: check::message(f, lexicon, matched, lang),
                    suggestion: f.suggestion.clone(),
                }
            })
            .collect();
        // Flags are sorted and do not overlap: the first one that ends after
        // a mark's start is the only one it can cross without crossing it.
        let flags = &self.flags;
        let crosses = |h: &Hit| {
            let k = flags.partition_point(|f| f.end <= h.start);
            flags
                .get(k)
                .is_some_and(|f| f.start < h.end && !(f.start <= h.start && h.end <= f.end))
        };
        // A term no longer marked anywhere leaves the glossary.
        let kept = self.marks.iter().map(|(h, _)| *h).filter(|h| !crosses(h));
        (self.marks, self.glossary) = numbered(kept);
        self
    }

    /// The text of length `len` as plain runs, marks and flags, in order;
    /// marks inside a flag come between its `Open` and `Close`.
    pub fn segments(&self, len: usize) -> Vec<Segment> {
        let mut out = Vec::new();
        let mut at = 0;
        let mut marks = self.marks.iter().enumerate().peekable();
        let plain = |out: &mut Vec<Segment>, from: usize, to: usize| {
            if from < to {
                out.push(Segment::Plain(from..to));
            }
        };
        for (k, f) in self.flags.iter().enumerate() {
            while let Some((i, (h, _))) = marks.next_if(|(_, (h, _))| h.end <= f.start) {
                plain(&mut out, at, h.start);
                out.push(Segment::Mark(i));
                at = h.end;
            }
            plain(&mut out, at, f.start);
            out.push(Segment::Open(k));
            at = f.start;
            while let Some((i, (h, _))) = marks.next_if(|(_, (h, _))| h.end <= f.end) {
                plain(&mut out, at, h.start);
                out.push(Segment::Mark(i));
                at = h.end;
            }
            plain(&mut out, at, f.end);
            out.push(Segment::Close(k));
            at = f.end;
        }
        for (i, (h, _)) in marks {
            plain(&mut out, at, h.start);
            out.push(Segment::Mark(i));
            at = h.end;
        }
        plain(&mut out, at, len);
        out
    }
}

/// Numbers spans by the first appearance of their entry; the entries in
/// number order.
fn numbered(spans: impl Iterator<Item = Hit>) -> (Vec<(Hit, usize)>, Vec<usize>) {
    let mut glossary: Vec<usize> = Vec::new();
    let marks = spans
        .map(|h| {
            let n = match glossary.iter().position(|&e| e == h.entry) {
                Some(i) => i + 1,
                None => {
                    glossary.push(h.entry);
                    glossary.len()
                }
            };
            (h, n)
        })
        .collect();
    (marks, glossary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::FormKind;

    fn hit(start: usize, end: usize, entry: usize) -> Hit {
        Hit {
            start,
            end,
            entry,
            kind: FormKind::Term,
            form: 0,
        }
    }

    fn flag(start: usize, end: usize) -> Flag {
        Flag {
            start,
            end,
            line: 1,
            column: 1,
            page: 0,
            rule: Rule::WrongForm,
            severity: Severity::Error,
            message: String::new(),
            suggestion: None,
        }
    }

    #[test]
    fn segments_nest_marks_inside_flags() {
        let mut a = Annotation::new(&[hit(0, 2, 0), hit(4, 6, 1), hit(10, 12, 0)]);
        a.flags = vec![flag(3, 8)];
        assert_eq!(
            a.segments(14),
            [
                Segment::Mark(0),
                Segment::Plain(2..3),
                Segment::Open(0),
                Segment::Plain(3..4),
                Segment::Mark(1),
                Segment::Plain(6..8),
                Segment::Close(0),
                Segment::Plain(8..10),
                Segment::Mark(2),
                Segment::Plain(12..14),
            ]
        );
    }
}
