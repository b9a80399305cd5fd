//! The fast search: a dense Aho-Corasick table over *characters*, with the
//! normalization folded into the character classes.
//!
//! The byte automata of aho-corasick take one dependent memory load per
//! byte, three per Chinese character, and need a look at every byte the
//! normalizer may act on. Here the alphabet is the set of characters that
//! occur in the normalized forms: a character maps to its class through
//! one table lookup (not on the chain of state loads, so the processor runs
//! it ahead), full-width and half-width twins share a class, and only
//! whitespace is flagged for a look (a run between two CJK characters is
//! deleted). In the start state, a character that starts no form leaves
//! the state unchanged, so such characters (most of any text, whitespace
//! included) are skipped without touching the table at all.
//!
//! The table is built here (trie, failure links, dense rows: the textbook
//! construction) because aho-corasick does not expose its transitions;
//! lexicons whose table would be too large are searched with
//! aho-corasick's NFA instead (module `engine`). Offsets: the raw byte
//! offset of each of the last normalized characters is kept in a ring, so a
//! match of `n` characters maps back to the raw offset where it starts.

use super::boundary::Edges;
use super::classes::{CLASS, Classes, FIRST, SPACE, decode_near_end, trie};
use super::engine::{Found, after_is_alnum, before_is_alnum};

/// Tables larger than this many transitions are not built (8 MiB).
const MAX_TABLE: usize = 1 << 22;

/// A transition holds its state id shifted right by this much: rows are
/// padded to a multiple of `1 << ID_SHIFT` columns, so ids (premultiplied
/// by the row length) have these low bits clear, and ids below
/// `MAX_TABLE` fit in 16 bits. Half the memory of 32-bit transitions: half
/// the page faults while the rows are written, half the cache lines.
const ID_SHIFT: u32 = 6;

/// A dense character-level transition table; see the module documentation.
#[derive(Debug, Clone)]
pub(super) struct Table {
    /// The class entry of every character.
    classes: Classes,
    /// `trans[state + class]`; state ids are premultiplied by the number
    /// of classes (the stride of a row).
    /// Each transition is a state id shifted right by [`ID_SHIFT`].
    trans: Box<[u16; MAX_TABLE]>,
    /// States from this id on are match states.
    first_match: u32,
    /// Per match state, its first (longest) output, and the range of the
    /// others in `outputs`: one cache line to read for most matches.
    match_heads: Box<[Head]>,
    /// The patterns a match state reports after its first, longest first,
    /// with what the report needs of each, side by side.
    outputs: Box<[Output]>,
    /// `2^32 / stride + 1`: a match state's number is its id times this,
    /// shifted right by 32 (exact for ids below 2^32), with no division.
    recip: u64,
    max_chars: usize,
}

impl Table {
    /// Builds the table of the (normalized) `forms`, pattern `i` being
    /// `forms[i]`; `None` when it would be too large or a form is empty.
    pub(super) fn build(forms: &[String]) -> Option<Table> {
        let (classes, class_of) = Classes::build(forms, CLASS)?;
        if forms.iter().any(|f| f.chars().count() >= RING) {
            return None;
        }
        let stride = classes.len().next_multiple_of(1 << ID_SHIFT);
        let most_states = forms.iter().map(|f| f.chars().count()).sum::<usize>() + 1;
        if most_states.saturating_mul(stride) > MAX_TABLE {
            return None;
        }

        let (children, mut outputs) = trie(forms, &class_of)?;
        let n = children.len();

        // Failure links, breadth first, by walking the trie; a state's
        // outputs include those of its failure.
        let mut fail = vec![0usize; n];
        let mut bfs = Vec::with_capacity(n);
        bfs.push(0usize);
        let mut next = 0;
        while let Some(&s) = bfs.get(next) {
            next += 1;
            if s != 0 {
                let inherited = outputs[fail[s]].clone();
                outputs[s].extend(inherited);
            }
            for &(class, child) in &children[s] {
                let child = child as usize;
                if s != 0 {
                    let mut f = fail[s];
                    fail[child] = loop {
                        if let Some(&(_, t)) = children[f].iter().find(|(k, _)| *k == class) {
                            break t as usize;
                        }
                        if f == 0 {
                            break 0;
                        }
                        f = fail[f];
                    };
                }
                bfs.push(child);
            }
        }

        // Match states last, so one comparison finds them.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&s| !outputs[s].is_empty());
        if order.first() != Some(&0) {
            return None;
        }
        let mut id = vec![0usize; n];
        for (rank, &s) in order.iter().enumerate() {
            id[s] = rank * stride;
        }
        let first_match = order
            .iter()
            .position(|&s| !outputs[s].is_empty())
            .map_or(u32::MAX, |rank| (rank * stride) as u32);
        u32::try_from(n * stride).ok()?;

        // Dense rows, breadth first: a state's row is its failure's row
        // (complete already) with its own children written over it.
        // Allocated at the largest size, so that an index masked to it
        // needs no bounds check in the hot loop; the pages past the rows
        // are never touched (zeroed memory comes from the kernel as needed).
        let mut trans: Box<[u16; MAX_TABLE]> =
            vec![0u16; MAX_TABLE].into_boxed_slice().try_into().ok()?;
        for &s in &bfs {
            let row = id[s];
            if s != 0 {
                let from = id[fail[s]];
                trans.copy_within(from..from + stride, row);
            }
            for &(class, child) in &children[s] {
                trans[row + usize::from(class)] =
                    u16::try_from(id[child as usize] >> ID_SHIFT).ok()?;
            }
        }
        let output = |p: u32| -> Option<Output> {
            let form = forms.get(p as usize)?;
            Some(Output {
                pattern: p,
                chars: u32::try_from(form.chars().count()).ok()?,
                edges: Edges::of(form),
            })
        };
        let mut match_heads = Vec::new();
        let mut all_outputs = Vec::new();
        for &s in order.iter().filter(|&&s| !outputs[s].is_empty()) {
            let (&first, rest) = outputs[s].split_first()?;
            let from = all_outputs.len() as u32;
            for &p in rest {
                all_outputs.push(output(p)?);
            }
            match_heads.push(Head {
                first: output(first)?,
                rest: (from, all_outputs.len() as u32),
            });
        }
        Some(Table {
            classes,
            trans,
            first_match,
            match_heads: match_heads.into_boxed_slice(),
            outputs: all_outputs.into_boxed_slice(),
            recip: (1u64 << 32) / stride as u64 + 1,
            max_chars: forms.iter().map(|f| f.chars().count()).max().unwrap_or(0),
        })
    }

    /// The longest form, in characters: the unit of `Found::at_norm`.
    pub(super) fn max_pattern_len(&self) -> usize {
        self.max_chars
    }

    /// Runs the table over the normalized character stream of `text`
    /// (with `normalize` false, text already normalized: its own stream,
    /// whitespace kept), calling `on` for every match that respects the
    /// ASCII boundary rule of its pattern.
    pub(super) fn search(&self, text: &str, normalize: bool, mut on: impl FnMut(Found)) {
        let bytes = text.as_bytes();
        let mut at = At {
            i: 0,
            k: 0,
            s: 0,
            ring: [0; RING],
        };
        let mut report = |at: &At| {
            let m = ((u64::from(at.s - self.first_match) * self.recip) >> 32) as usize;
            let Some(head) = self.match_heads.get(m) else {
                return;
            };
            let mut emit = |o: &Output| {
                let start = at.k - o.chars as usize;
                let raw_start = at.ring[start % RING];
                if o.edges.start && before_is_alnum(text, raw_start, normalize)
                    || o.edges.end && after_is_alnum(text, at.i, normalize)
                {
                    return;
                }
                on(Found {
                    start: raw_start,
                    end: at.i,
                    pattern: o.pattern as usize,
                    at_norm: start,
                    end_norm: at.k,
                });
            };
            emit(&head.first);
            let (from, to) = head.rest;
            for o in self
                .outputs
                .get(from as usize..to as usize)
                .unwrap_or_default()
            {
                emit(o);
            }
        };
        loop {
            match self.run(bytes, &mut at) {
                Stop::End => return,
                Stop::Match => report(&at),
                Stop::Space => {
                    let (end, deleted) = self.classes.space_run(text, at.i);
                    let deleted = normalize && deleted;
                    if deleted {
                        at.i = end;
                        continue;
                    }
                    // Kept: fed as it is.
                    while at.i < end {
                        let Some((e, width)) = self.classes.fetch(bytes, at.i) else {
                            break;
                        };
                        at.ring[at.k % RING] = at.i;
                        at.k += 1;
                        at.i += width;
                        at.s = self.next(at.s, e);
                        if at.s >= self.first_match {
                            report(&at);
                        }
                    }
                }
            }
        }
    }

    /// The next state on a character of class entry `e`.
    #[inline(always)]
    fn next(&self, s: u32, e: u16) -> u32 {
        u32::from(self.trans[(s as usize + usize::from(e & CLASS)) & (MAX_TABLE - 1)]) << ID_SHIFT
    }

    /// The hot loop: feeds characters until a match state, whitespace or
    /// the end. Its own function, so that its few values stay in
    /// registers. It walks the rest of the text as a slice, so that one
    /// length check covers the four bytes a character is decoded from; the
    /// three-byte characters (CJK) are decoded first. In the start state, a
    /// character that starts no form (most characters of any text,
    /// whitespace included) only moves on: its offset is never the start of
    /// a match, so it is not kept in the ring.
    #[inline(never)]
    fn run(&self, bytes: &[u8], at: &mut At) -> Stop {
        let (mut k, mut s) = (at.k, at.s);
        let len = bytes.len();
        let mut rest = bytes.get(at.i..).unwrap_or_default();
        let ring = &mut at.ring;
        let stop = 'scan: {
            while let [b0, b1, b2, b3, ..] = *rest {
                let (e, width) = self.classes.entry_at(b0, b1, b2, b3);
                if let Some(stop) = self.feed(e, width, &mut rest, len, &mut s, &mut k, ring) {
                    break 'scan stop;
                }
            }
            // The last three bytes or fewer.
            while !rest.is_empty() {
                let (cp, width) = decode_near_end(rest, 0);
                let e = self.classes.entry(cp);
                if let Some(stop) = self.feed(e, width, &mut rest, len, &mut s, &mut k, ring) {
                    break 'scan stop;
                }
            }
            Stop::End
        };
        (at.i, at.k, at.s) = (len - rest.len(), k, s);
        stop
    }

    /// Feeds the character of class entry `e` and length `width` that
    /// starts `rest` (the text from raw offset `len - rest.len()` on), and
    /// moves `rest` past it; says why the hot loop stops, before the
    /// character (whitespace: `rest` stays) or after it (a match state).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn feed(
        &self,
        e: u16,
        width: usize,
        rest: &mut &[u8],
        len: usize,
        s: &mut u32,
        k: &mut usize,
        ring: &mut [usize; RING],
    ) -> Option<Stop> {
        if *s == 0 && e & FIRST == 0 {
            // The start state stays. Not counted: the characters of a
            // match are all fed past this point (its first one starts a
            // form, the others come in a deeper state), so they still have
            // consecutive counts.
            *rest = rest.get(width..).unwrap_or_default();
            return None;
        }
        if e & SPACE != 0 {
            return Some(Stop::Space);
        }
        ring[*k % RING] = len - rest.len();
        *k += 1;
        *rest = rest.get(width..).unwrap_or_default();
        *s = self.next(*s, e);
        (*s >= self.first_match).then_some(Stop::Match)
    }
}

/// What a match state reports: its first output, and where the others
/// are.
#[derive(Debug, Clone, Copy)]
struct Head {
    first: Output,
    rest: (u32, u32),
}

/// A pattern reported by a match state.
#[derive(Debug, Clone, Copy)]
struct Output {
    pattern: u32,
    /// Its length in characters.
    chars: u32,
    edges: Edges,
}

/// Ring of the raw offsets of the last normalized characters; longer forms
/// are searched with the NFA.
const RING: usize = 256;

/// Where a search is.
struct At {
    /// Raw offset of the next character.
    i: usize,
    /// Normalized characters fed so far, but for those skipped in the
    /// start state.
    k: usize,
    /// The state.
    s: u32,
    /// Raw offset of normalized character `k` at `ring[k % RING]`.
    ring: [usize; RING],
}

/// Why the hot loop stopped.
enum Stop {
    End,
    Match,
    Space,
}
