//! Frequencies: per-entry counts as if each entry were searched alone, and
//! the number of outermost spans. Pure data; printers in `report`.

use crate::scan::{Hit, Occurrence, Resolver};

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
        let step = resolver.step(h);
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
/// [`Joined`].
///
/// Whether a hit is an outermost span, and whether it is an occurrence of
/// its entry, depends on the hits before it. A piece's first hits may lie
/// inside a span of the piece before; they are kept as they are and
/// resolved when the piece is joined. From the first hit that starts where
/// no earlier hit reaches (nothing of the earlier pieces ends after
/// [`Piece::settled`](crate::scan::stream::Piece), nothing of this piece
/// before it ends after its start), every earlier hit has ended, so a
/// fresh [`Resolver`] says what the one carried through the whole text
/// would: the rest is counted here.
#[derive(Debug, Clone)]
pub struct PieceTally {
    /// Where the hits so far reach, while `tail` has not begun.
    reach: usize,
    head: Vec<Hit>,
    tail: Option<(Tally, Resolver)>,
}

impl PieceTally {
    /// The count of a piece such that no hit of an earlier piece ends
    /// after `settled`.
    pub fn new(settled: usize) -> PieceTally {
        PieceTally {
            reach: settled,
            head: Vec::new(),
            tail: None,
        }
    }

    /// Counts the piece's next hit, in
    /// [`Scanner::hits`](crate::scan::Scanner::hits)'s order.
    #[inline]
    pub fn add(&mut self, h: &Hit) {
        match &mut self.tail {
            Some((tally, resolver)) => tally.add(resolver, h),
            None if h.start >= self.reach => {
                let mut tail = (Tally::default(), Resolver::default());
                tail.0.add(&mut tail.1, h);
                self.tail = Some(tail);
            }
            None => {
                self.reach = self.reach.max(h.end);
                self.head.push(*h);
            }
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
        for h in &piece.head {
            self.tally.add(&mut self.resolver, h);
        }
        if let Some((tally, resolver)) = piece.tail {
            self.tally.merge(&tally);
            // Every hit before the tail ended before it began: what the
            // tail's resolver does not know cannot matter to a later hit.
            self.resolver = resolver;
        }
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
