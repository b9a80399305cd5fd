//! Frequencies: per-entry counts as if each entry were searched alone, and
//! the number of outermost spans. Pure data; printers in `report`.

use std::collections::BTreeMap;

use crate::scan::{Hit, Occurrence};

/// Counts of one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EntryCount {
    /// Index of the entry in the lexicon.
    pub entry: usize,
    /// Occurrences, nested ones included.
    pub count: usize,
    /// How many of those lie inside or across another span.
    pub nested: usize,
}

/// Counts over one or more texts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// The number of outermost spans (what `scan` lists).
    pub total: usize,
    counts: BTreeMap<usize, EntryCount>,
}

impl Tally {
    /// Counts one text's spans and occurrences.
    pub fn of(spans: &[Hit], occurrences: &[Occurrence]) -> Tally {
        let mut t = Tally {
            total: spans.len(),
            counts: BTreeMap::new(),
        };
        for o in occurrences {
            let c = t.counts.entry(o.hit.entry).or_insert(EntryCount {
                entry: o.hit.entry,
                ..EntryCount::default()
            });
            c.count += 1;
            c.nested += usize::from(o.nested);
        }
        t
    }

    /// Adds another tally to this one.
    pub fn merge(&mut self, other: &Tally) {
        self.total += other.total;
        for (&entry, c) in &other.counts {
            let mine = self.counts.entry(entry).or_insert(EntryCount {
                entry,
                ..EntryCount::default()
            });
            mine.count += c.count;
            mine.nested += c.nested;
        }
    }

    /// Entries with at least one occurrence, most frequent first, ties in
    /// lexicon order.
    pub fn ranked(&self) -> Vec<EntryCount> {
        let mut v: Vec<EntryCount> = self.counts.values().copied().collect();
        v.sort_by_key(|c| (std::cmp::Reverse(c.count), c.entry));
        v
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}
