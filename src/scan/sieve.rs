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
use super::engine::{Found, after_is_alnum, before_is_alnum, utf8_width};

/// Bits of the set's word index: 2^12 words of 64 bits, 32 KiB.
const SET_BITS: u32 = 12;

/// The sieve; see the module documentation.
#[derive(Debug, Clone)]
pub(super) struct Sieve {
    /// The class entry of every character.
    classes: Classes,
    /// One word per hashed pair of classes, one bit of it per hashed third
    /// class: the bit is set for the first three characters of every form
    /// of three or more, and the whole word for the two of a form of two
    /// (whatever follows, the walk has a form to find). One load per
    /// character.
    set: Box<[u64; 1 << SET_BITS]>,
    /// The root's child on each class ([`Node::is_none`]: none).
    root: Box<[Node]>,
    /// The children of the trie's nodes, each node's side by side, sorted
    /// by class: a step of a walk reads the child it goes to along with
    /// its class, no second load.
    kids: Box<[Kid]>,
    /// The patterns ending at the nodes.
    outputs: Box<[Output]>,
}

/// A trie node other than the root: where its children and its patterns
/// are.
#[derive(Debug, Clone, Copy, Default)]
struct Node {
    /// Its children: `kids[kids_from..kids_from + kids_len]`.
    kids_from: u32,
    kids_len: u32,
    /// The patterns ending here: `outputs[out_from..out_from + out_len]`.
    out_from: u32,
    out_len: u32,
}

impl Node {
    /// True for no node: every node has children or patterns.
    fn is_none(self) -> bool {
        self.kids_len == 0 && self.out_len == 0
    }
}

/// A child: its class and the node.
#[derive(Debug, Clone, Copy)]
struct Kid {
    class: u16,
    node: Node,
}

/// A pattern ending at a node.
#[derive(Debug, Clone, Copy)]
struct Output {
    pattern: u32,
    edges: Edges,
}

/// The word of the sieve's set for a form's first two classes `a`, `b`.
#[inline(always)]
fn word(a: u16, b: u16) -> usize {
    let key = (u64::from(a & CLASS) << 12) | u64::from(b & CLASS);
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SET_BITS)) as usize
}

/// The bit, in its word, of a form's third class `c`.
#[inline(always)]
fn bit(c: u16) -> u64 {
    u64::from(c & CLASS).wrapping_mul(0xC2B2_AE3D_27D4_EB4F) >> 58
}

/// The previous two normalized characters: class entry and raw offset of
/// each, the earlier first (entry 0: none, or one that starts no form).
type Window = [(u16, usize); 2];

impl Sieve {
    /// The sieve of the (normalized) `forms`, pattern `i` being
    /// `forms[i]`; `None` when a form is empty or the forms have more
    /// characters than the classes hold.
    pub(super) fn build(forms: &[String]) -> Option<Sieve> {
        let (classes, class_of) = Classes::build(forms, CLASS)?;
        let (children, outputs) = trie(forms, &class_of)?;
        let mut set: Box<[u64; 1 << SET_BITS]> = vec![0u64; 1 << SET_BITS]
            .into_boxed_slice()
            .try_into()
            .ok()?;
        for f in forms {
            let c: Vec<u16> = f.chars().take(3).map(|c| class_of[&c]).collect();
            match *c.as_slice() {
                [a, b] => set[word(a, b)] = u64::MAX,
                [a, b, c] => set[word(a, b)] |= 1 << bit(c),
                _ => {}
            }
        }
        // The nodes, then each node's children with them copied in.
        let mut nodes = vec![Node::default(); children.len()];
        let mut all = Vec::new();
        let mut from = 0;
        for ((node, c), o) in nodes.iter_mut().zip(&children).zip(&outputs) {
            node.kids_from = u32::try_from(from).ok()?;
            node.kids_len = u32::try_from(c.len()).ok()?;
            from += c.len();
            node.out_from = u32::try_from(all.len()).ok()?;
            node.out_len = u32::try_from(o.len()).ok()?;
            for &p in o {
                all.push(Output {
                    pattern: p,
                    edges: Edges::of(forms.get(p as usize)?),
                });
            }
        }
        let mut kids = Vec::with_capacity(from);
        for c in &children {
            let mut c = c.clone();
            c.sort_unstable();
            kids.extend(c.iter().map(|&(class, child)| Kid {
                class,
                node: nodes[child as usize],
            }));
        }
        let mut root = vec![Node::default(); classes.len()].into_boxed_slice();
        for &(class, child) in &children[0] {
            root[usize::from(class)] = nodes[child as usize];
        }
        Some(Sieve {
            classes,
            set,
            root,
            kids: kids.into_boxed_slice(),
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
        let mut prev: Window = [(0, 0); 2];
        let mut i = 0;
        loop {
            let candidate;
            (i, candidate) = self.run(bytes, i, &mut prev);
            if let Some((at, e)) = candidate {
                self.walk(text, normalize, at, e, &mut walk, &mut on);
                continue;
            }
            let Some((e, w)) = self.classes.fetch(bytes, i) else {
                break;
            };
            if normalize && e & SPACE != 0 {
                let (end, deleted) = self.classes.space_run(text, i);
                if deleted {
                    i = end;
                    continue;
                }
            }
            // Kept whitespace, or one of the last three bytes: a character
            // like any other.
            let [(e2, i2), one] = prev;
            if self.starts(e2, one.0, e) {
                self.walk(text, normalize, i2, e2, &mut walk, &mut on);
            }
            prev = [one, (e, i)];
            i += w;
        }
        // At the end, forms of two characters and of one.
        let [(e2, i2), (e1, i1)] = prev;
        if e2 & SOLO != 0 || e2 & FIRST != 0 && self.set[word(e2, e1)] == u64::MAX {
            self.walk(text, normalize, i2, e2, &mut walk, &mut on);
        }
        if e1 & SOLO != 0 {
            self.walk(text, normalize, i1, e1, &mut walk, &mut on);
        }
    }

    /// True when a form may start with the character of class entry `a`
    /// followed by those of entries `b` and `c`: `a` alone is a form, or
    /// it starts one and the set has the bit of `c` in the word of `a`,
    /// `b`.
    #[inline(always)]
    fn starts(&self, a: u16, b: u16, c: u16) -> bool {
        let w = self.set[word(a, b)];
        let first = u64::from((a & FIRST) >> FIRST.trailing_zeros());
        let solo = u64::from((a & SOLO) >> SOLO.trailing_zeros());
        (((w >> bit(c)) & first) | solo) & 1 != 0
    }

    /// The hot loop: from raw offset `i`, while four bytes remain and the
    /// character is not whitespace, checks each character with the two
    /// before (`prev`). Returns where it stopped, and the raw offset and
    /// entry of the earliest of the three where a form may start there
    /// (`None`: it stopped before whitespace or the last three bytes). No
    /// call inside, so that its values stay in registers.
    #[inline(never)]
    fn run(&self, bytes: &[u8], mut i: usize, prev: &mut Window) -> (usize, Option<(usize, u16)>) {
        let [(mut e2, mut i2), (mut e1, mut i1)] = *prev;
        let mut candidate = None;
        while let Some(&[b0, b1, b2, b3]) = bytes.get(i..i + 4) {
            let (e, w) = self.classes.entry_at(b0, b1, b2, b3);
            if e & SPACE != 0 {
                break;
            }
            let starts = self.starts(e2, e1, e);
            if starts {
                candidate = Some((i2, e2));
            }
            (e2, i2, e1, i1) = (e1, i1, e, i);
            i += w;
            if starts {
                break;
            }
        }
        *prev = [(e2, i2), (e1, i1)];
        (i, candidate)
    }

    /// The child of `node` on class entry `e`, if any.
    #[inline(always)]
    fn child(&self, node: Node, e: u16) -> Option<Node> {
        let from = node.kids_from as usize;
        let kids = self.kids.get(from..from + node.kids_len as usize)?;
        kids.iter().find(|k| k.class == e & CLASS).map(|k| k.node)
    }

    /// The patterns ending at `node`.
    fn outputs(&self, node: Node) -> &[Output] {
        let from = node.out_from as usize;
        self.outputs
            .get(from..from + node.out_len as usize)
            .unwrap_or_default()
    }

    /// Walks the trie from the character of class entry `e` at raw offset
    /// `start`, calling `on` for every form that starts
    /// there, longest first; `ends` is scratch space.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn walk(
        &self,
        text: &str,
        normalize: bool,
        start: usize,
        e: u16,
        ends: &mut Vec<(Node, usize)>,
        on: &mut impl FnMut(Found),
    ) {
        let bytes = text.as_bytes();
        ends.clear();
        let mut node = self
            .root
            .get(usize::from(e & CLASS))
            .copied()
            .unwrap_or_default();
        if node.is_none() {
            return;
        }
        let mut i = start + bytes.get(start).map_or(1, |&b| utf8_width(b));
        'walk: loop {
            if node.out_len != 0 {
                ends.push((node, i));
            }
            // The next normalized character.
            let (e, w) = loop {
                let Some((e, w)) = self.classes.fetch(bytes, i) else {
                    break 'walk;
                };
                if normalize && e & SPACE != 0 {
                    let (end, deleted) = self.classes.space_run(text, i);
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
