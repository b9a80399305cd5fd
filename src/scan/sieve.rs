//! The sieve: a search whose cost does not grow with the lexicon.
//!
//! A dense table (module `table`) needs a row per trie state and a column
//! per character class; the grown lexicon (15,000 states over 1,300
//! characters) is far past any cache. The sieve needs neither. It reads the
//! text's normalized characters one by one, each through one lookup of its
//! class entry (module `classes`), and asks of each pair of neighbours one
//! question: *could a form start with these two characters?* — one bit of
//! a small set (32 KiB, in the first-level cache) indexed by a hash of the
//! two classes. Only where the answer is yes, or where the character alone
//! is a form, is the trie walked from there (anchored: no failure links)
//! to report every form that starts at that character.
//!
//! Nothing on the way from one character to the next depends on a table
//! load, so the processor overlaps the work of many characters; in Chinese
//! text most characters start some form of a large lexicon (the grown one
//! starts forms with 1,000 characters), but few pairs do, so the walks are
//! rare. Hyperscan's FDR is the same idea over bytes; here the "bytes" are
//! classes, so full-width and half-width twins and whitespace folding come
//! for free.
//!
//! Matches come out by start, longest first at each start.

use super::boundary::Edges;
use super::classes::{CLASS, Classes, FIRST, SOLO, SPACE, trie};
use super::engine::{Found, after_is_alnum, before_is_alnum};
use crate::text::normalize::whitespace_run;

/// Bits of the set's index: 2^18 bits, 32 KiB.
const SET_BITS: u32 = 18;

/// The sieve; see the module documentation.
#[derive(Debug, Clone)]
pub(super) struct Sieve {
    /// The class entry of every character.
    classes: Classes,
    /// One bit per hashed pair of classes, set for the two characters of
    /// every form of two, and one per hashed triple, set for the first
    /// three characters of every longer form.
    set: Box<[u64; 1 << (SET_BITS - 6)]>,
    /// The root's child on each class (0: none; the root is nobody's
    /// child).
    root: Box<[u32]>,
    /// The children of node `n`, as (class, node) sorted by class:
    /// `kids[kid_from[n]..kid_from[n + 1]]`.
    kid_from: Box<[u32]>,
    kids: Box<[(u16, u32)]>,
    /// The patterns ending at node `n`:
    /// `outputs[out_from[n]..out_from[n + 1]]`.
    out_from: Box<[u32]>,
    outputs: Box<[Output]>,
}

/// A pattern ending at a node.
#[derive(Debug, Clone, Copy)]
struct Output {
    pattern: u32,
    edges: Edges,
}

/// The index in the sieve's set of a form's first two classes `a`, `b`
/// (a form of two characters).
#[inline(always)]
fn pair(a: u16, b: u16) -> usize {
    let key = (u64::from(a & CLASS) << 12) | u64::from(b & CLASS);
    (key.wrapping_mul(0xC2B2_AE3D_27D4_EB4F) >> (64 - SET_BITS)) as usize
}

/// The index in the sieve's set of a form's first three classes (a form of
/// three characters or more).
#[inline(always)]
fn triple(a: u16, b: u16, c: u16) -> usize {
    let key = (u64::from(a & CLASS) << 24) | (u64::from(b & CLASS) << 12) | u64::from(c & CLASS);
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SET_BITS)) as usize
}

/// The previous two normalized characters: class entry, raw offset and
/// length of each, the earlier first (entry 0: none, or one that starts no
/// form).
type Window = [(u16, usize, usize); 2];

impl Sieve {
    /// The sieve of the (normalized) `forms`, pattern `i` being
    /// `forms[i]`; `None` when a form is empty or the forms have more
    /// characters than the classes hold.
    pub(super) fn build(forms: &[String]) -> Option<Sieve> {
        let (classes, class_of) = Classes::build(forms, CLASS)?;
        let (children, outputs) = trie(forms, &class_of)?;
        let mut set: Box<[u64; 1 << (SET_BITS - 6)]> = vec![0u64; 1 << (SET_BITS - 6)]
            .into_boxed_slice()
            .try_into()
            .ok()?;
        for f in forms {
            let c: Vec<u16> = f.chars().take(4).map(|c| class_of[&c]).collect();
            let h = match *c.as_slice() {
                [a, b] => pair(a, b),
                [a, b, c, ..] => triple(a, b, c),
                _ => continue,
            };
            set[h >> 6] |= 1 << (h & 63);
        }
        let mut root = vec![0u32; classes.len()].into_boxed_slice();
        for &(class, child) in &children[0] {
            root[usize::from(class)] = child;
        }
        let mut kid_from = Vec::with_capacity(children.len() + 1);
        let mut kids = Vec::new();
        for c in &children {
            kid_from.push(u32::try_from(kids.len()).ok()?);
            let mut c = c.clone();
            c.sort_unstable();
            kids.extend(c);
        }
        kid_from.push(u32::try_from(kids.len()).ok()?);
        let mut out_from = Vec::with_capacity(outputs.len() + 1);
        let mut all = Vec::new();
        for o in &outputs {
            out_from.push(u32::try_from(all.len()).ok()?);
            for &p in o {
                all.push(Output {
                    pattern: p,
                    edges: Edges::of(forms.get(p as usize)?),
                });
            }
        }
        out_from.push(u32::try_from(all.len()).ok()?);
        Some(Sieve {
            classes,
            set,
            root,
            kid_from: kid_from.into_boxed_slice(),
            kids: kids.into_boxed_slice(),
            out_from: out_from.into_boxed_slice(),
            outputs: all.into_boxed_slice(),
        })
    }

    /// Calls `on` for every match in the normalized character stream of
    /// `text` (with `normalize` false, text already normalized: its own
    /// stream, whitespace kept) that respects the ASCII boundary rule of
    /// its pattern, by start, longest first at each start. `Found::at_norm`
    /// and `end_norm` are the raw start.
    pub(super) fn search(&self, text: &str, normalize: bool, mut on: impl FnMut(Found)) {
        let bytes = text.as_bytes();
        let mut walk = Vec::new();
        let mut prev: Window = [(0, 0, 0); 2];
        let mut i = 0;
        loop {
            i = self.run(bytes, i, &mut prev, &mut |at, e, w| {
                self.walk(text, normalize, at, e, w, &mut walk, &mut on);
            });
            let Some((e, w)) = self.classes.fetch(bytes, i) else {
                break;
            };
            if normalize && e & SPACE != 0 {
                let (end, deleted) = whitespace_run(text, i);
                if deleted {
                    i = end;
                    continue;
                }
            }
            // Kept whitespace, or one of the last three bytes: a character
            // like any other.
            let [(e2, i2, w2), one] = prev;
            if self.starts(e2, one.0, e) {
                self.walk(text, normalize, i2, e2, w2, &mut walk, &mut on);
            }
            prev = [one, (e, i, w)];
            i += w;
        }
        // At the end, forms of two characters and of one.
        let [(e2, i2, w2), (e1, i1, w1)] = prev;
        if e2 & SOLO != 0 || e2 & FIRST != 0 && self.has(pair(e2, e1)) {
            self.walk(text, normalize, i2, e2, w2, &mut walk, &mut on);
        }
        if e1 & SOLO != 0 {
            self.walk(text, normalize, i1, e1, w1, &mut walk, &mut on);
        }
    }

    /// True when the set has bit `h`.
    #[inline(always)]
    fn has(&self, h: usize) -> bool {
        (self.set[(h >> 6) & ((1 << (SET_BITS - 6)) - 1)] >> (h & 63)) & 1 != 0
    }

    /// True when a form may start with the character of class entry `a`
    /// followed by those of entries `b` and `c`: `a` alone is a form, or
    /// it starts one and the pair (a form of two) or the triple is in the
    /// set.
    #[inline(always)]
    fn starts(&self, a: u16, b: u16, c: u16) -> bool {
        let mask = (1 << (SET_BITS - 6)) - 1;
        let (h2, h3) = (pair(a, b), triple(a, b, c));
        let two = (self.set[(h2 >> 6) & mask] >> (h2 & 63)) & 1;
        let three = (self.set[(h3 >> 6) & mask] >> (h3 & 63)) & 1;
        let first = u64::from((a & FIRST) >> FIRST.trailing_zeros());
        let solo = u64::from((a & SOLO) >> SOLO.trailing_zeros());
        ((two | three) & first) | solo != 0
    }

    /// The hot loop: from raw offset `i`, while four bytes remain and the
    /// character is not whitespace, checks each character with the two
    /// before (`prev`), calling `walk(raw offset, entry, length)` of the
    /// earliest where a form may start; returns where it stopped.
    #[inline(never)]
    fn run(
        &self,
        bytes: &[u8],
        i: usize,
        prev: &mut Window,
        walk: &mut dyn FnMut(usize, u16, usize),
    ) -> usize {
        let len = bytes.len();
        let mut rest = bytes.get(i..).unwrap_or_default();
        let [mut two, mut one] = *prev;
        while let [b0, b1, b2, b3, ..] = *rest {
            let (e, w) = self.classes.entry_at(b0, b1, b2, b3);
            if e & SPACE != 0 {
                break;
            }
            if self.starts(two.0, one.0, e) {
                walk(two.1, two.0, two.2);
            }
            two = one;
            one = (e, len - rest.len(), w);
            rest = rest.get(w..).unwrap_or_default();
        }
        *prev = [two, one];
        len - rest.len()
    }

    /// The child of `node` on class entry `e`, if any.
    #[inline(always)]
    fn child(&self, node: u32, e: u16) -> Option<u32> {
        let class = e & CLASS;
        if node == 0 {
            return self
                .root
                .get(usize::from(class))
                .copied()
                .filter(|&c| c != 0);
        }
        let from = *self.kid_from.get(node as usize)? as usize;
        let to = *self.kid_from.get(node as usize + 1)? as usize;
        let kids = self.kids.get(from..to)?;
        kids.iter().find(|k| k.0 == class).map(|k| k.1)
    }

    /// The patterns ending at `node`.
    fn outputs(&self, node: u32) -> &[Output] {
        let from = self.out_from.get(node as usize).copied().unwrap_or(0) as usize;
        let to = self.out_from.get(node as usize + 1).copied().unwrap_or(0) as usize;
        self.outputs.get(from..to).unwrap_or_default()
    }

    /// Walks the trie from the character of class entry `e` and length `w`
    /// at raw offset `start`, calling `on` for every form that starts
    /// there, longest first; `ends` is scratch space.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn walk(
        &self,
        text: &str,
        normalize: bool,
        start: usize,
        e: u16,
        w: usize,
        ends: &mut Vec<(u32, usize)>,
        on: &mut impl FnMut(Found),
    ) {
        let bytes = text.as_bytes();
        ends.clear();
        let Some(mut node) = self.child(0, e) else {
            return;
        };
        let mut i = start + w;
        'walk: loop {
            if !self.outputs(node).is_empty() {
                ends.push((node, i));
            }
            // The next normalized character.
            let (e, w) = loop {
                let Some((e, w)) = self.classes.fetch(bytes, i) else {
                    break 'walk;
                };
                if normalize && e & SPACE != 0 {
                    let (end, deleted) = whitespace_run(text, i);
                    if deleted {
                        i = end;
                        continue;
                    }
                }
                break (e, w);
            };
            match self.child(node, e) {
                Some(next) => node = next,
                None => break,
            }
            i += w;
        }
        for &(node, end) in ends.iter().rev() {
            for o in self.outputs(node) {
                if o.edges.start && before_is_alnum(text, start, normalize)
                    || o.edges.end && after_is_alnum(text, end, normalize)
                {
                    continue;
                }
                on(Found {
                    start,
                    end,
                    pattern: o.pattern as usize,
                    at_norm: start,
                    end_norm: start,
                });
            }
        }
    }
}
