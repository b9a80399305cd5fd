//! Frequencies: per-entry counts as if each entry were searched alone, and
//! the number of outermost spans. Pure data; printers in `report`.

use crate::scan::{Hit, Occurrence, Resolver, Split, Step};

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
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// The number of outermost spans (what `scan` lists).
    pub total: usize,
    /// `(count, nested)` by entry index; entries past the end have none.
    counts: Vec<(usize, usize)>,
}

impl Tally {
    /// Counts one text's spans and occurrences.
    pub fn of(spans: &[Hit], occurrences: &[Occurrence]) -> Tally {
        let mut t = Tally {
            total: spans.len(),
            counts: Vec::new(),
        };
        for o in occurrences {
            t.add_occurrence(o.hit.entry, o.nested);
        }
        t
    }

    /// Counts the hits of one text as they come, in
    /// [`Scanner::hits`](crate::scan::Scanner::hits)'s order, through
    /// `resolver` (which carries over from earlier pieces of the same text).
    #[inline]
    pub fn add(&mut self, resolver: &mut Resolver, h: &Hit) {
        self.apply(h, resolver.step(h));
    }

    /// Counts a hit as the resolver's `step` says.
    #[inline]
    fn apply(&mut self, h: &Hit, step: Step) {
        self.total += usize::from(step.outer);
        if step.counted {
            self.add_occurrence(h.entry, !step.outer);
        }
    }

    #[inline]
    fn add_occurrence(&mut self, entry: usize, nested: bool) {
        if self.counts.len() <= entry {
            self.grow(entry);
        }
        if let Some(c) = self.counts.get_mut(entry) {
            c.0 += 1;
            c.1 += usize::from(nested);
        }
    }

    /// Makes room for `entry`: rare, so out of the per-hit path.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, entry: usize) {
        self.counts.resize(entry + 1, (0, 0));
    }

    /// Adds another tally to this one.
    pub fn merge(&mut self, other: &Tally) {
        self.total += other.total;
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), (0, 0));
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
    }

    /// Entries with at least one occurrence, in lexicon order.
    fn entries(&self) -> impl Iterator<Item = EntryCount> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| c.0 > 0)
            .map(|(entry, &(count, nested))| EntryCount {
                entry,
                count,
                nested,
            })
    }

    /// Entries with at least one occurrence, most frequent first, ties in
    /// lexicon order.
    pub fn ranked(&self) -> Vec<EntryCount> {
        let mut v: Vec<EntryCount> = self.entries().collect();
        v.sort_by_key(|c| (std::cmp::Reverse(c.count), c.entry));
        v
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.entries().next().is_none()
    }
}

/// The count of one piece of a streamed text, made apart from the pieces
/// before it (on another thread) and joined to them in order by
/// [`Joined`]; see [`Split`].
#[derive(Debug, Clone)]
pub struct PieceTally {
    split: Split<()>,
    tally: Tally,
}

impl PieceTally {
    /// The count of a piece such that no hit of an earlier piece ends
    /// after `settled`.
    pub fn new(settled: usize) -> PieceTally {
        PieceTally {
            split: Split::new(settled),
            tally: Tally::default(),
        }
    }

    /// Counts the piece's next hit, in
    /// [`Scanner::hits`](crate::scan::Scanner::hits)'s order.
    #[inline]
    pub fn add(&mut self, h: &Hit) {
        match self.split.step(h) {
            Some(step) => self.tally.apply(h, step),
            None => self.split.head.push((*h, ())),
        }
    }
}

/// Piece tallies of one text joined in order: the count of the whole
/// text.
#[derive(Debug, Clone, Default)]
pub struct Joined {
    /// The resolver as it stands after the pieces joined so far.
    resolver: Resolver,
    /// The count so far.
    pub tally: Tally,
}

impl Joined {
    /// Joins the next piece.
    pub fn join(&mut self, piece: PieceTally) {
        let tally = &mut self.tally;
        self.resolver
            .join(piece.split, |h, step, ()| tally.apply(h, step));
        tally.merge(&piece.tally);
    }
}

impl PartialEq for Tally {
    /// Equal when they count the same: trailing entries with no
    /// occurrence do not matter.
    fn eq(&self, other: &Tally) -> bool {
        self.total == other.total && self.entries().eq(other.entries())
    }
}

impl Eq for Tally {}
