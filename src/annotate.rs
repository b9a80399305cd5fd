//! Annotation: which spans of a text to mark and which footnote number each
//! gets. Numbers follow the first appearance of each entry; repeated terms
//! reuse their number. Printers in `report` render the result.

use crate::scan::Hit;

/// A text's spans with their footnote numbers, and the glossary order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Each outermost span with its number (from 1).
    pub marks: Vec<(Hit, usize)>,
    /// Entry indexes in number order: `glossary[n - 1]` is footnote `n`.
    pub glossary: Vec<usize>,
}

impl Annotation {
    /// Numbers the outermost `spans` (sorted by position).
    pub fn new(spans: &[Hit]) -> Annotation {
        let mut glossary: Vec<usize> = Vec::new();
        let marks = spans
            .iter()
            .map(|h| {
                let n = match glossary.iter().position(|&e| e == h.entry) {
                    Some(i) => i + 1,
                    None => {
                        glossary.push(h.entry);
                        glossary.len()
                    }
                };
                (*h, n)
            })
            .collect();
        Annotation { marks, glossary }
    }
}
