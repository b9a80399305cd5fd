//! Character classes: the alphabet of the character-level searches
//! (modules `table` and `sieve`), with the normalization folded in.
//!
//! The alphabet is the set of characters that occur in the normalized
//! forms. A character maps to its *class entry* through one table lookup:
//! its class (0 for a character in no form) and flags. Full-width and
//! half-width twins share a class; whitespace and CJK characters are
//! flagged for the whitespace rule (a run between two CJK characters is
//! deleted); characters that start a form, or are a whole form, are
//! flagged too, so that the searches skip the rest without a look at any
//! other table.

use std::collections::{HashMap, HashSet};

use crate::text::normalize::{canonical, is_cjk};

/// Flag of a class entry: the character is whitespace.
pub(super) const SPACE: u16 = 0x8000;
/// Flag of a class entry: the character may start a form.
pub(super) const FIRST: u16 = 0x4000;
/// Flag of a class entry: the character is CJK (see [`is_cjk`]), for the
/// whitespace rule.
pub(super) const CJK: u16 = 0x2000;
/// Flag of a class entry: the character alone is a form.
pub(super) const SOLO: u16 = 0x1000;
/// The class bits of a class entry.
pub(super) const CLASS: u16 = 0x0FFF;

/// The flags of a character's class entry ([`SPACE`], [`CJK`]).
const fn flags(c: char) -> u16 {
    let mut e = 0;
    if c.is_whitespace() {
        e |= SPACE;
    }
    if is_cjk(c) {
        e |= CJK;
    }
    e
}

/// [`flags`] of every BMP code point (0 for surrogates), computed at
/// compile time: filling it at start-up took 0.4 ms of every run.
static BMP_FLAGS: [u16; 0x1_0000] = {
    let mut all = [0; 0x1_0000];
    let mut cp = 0;
    while cp < all.len() {
        if let Some(c) = char::from_u32(cp as u32) {
            all[cp] = flags(c);
        }
        cp += 1;
    }
    all
};

/// The class entry of every character.
#[derive(Debug, Clone)]
pub(super) struct Classes {
    /// Class entry (class with flags) of each BMP code point.
    bmp: Box<[u16; 0x1_0000]>,
    /// Class entries of the other code points that occur in forms.
    astral: HashMap<u32, u16>,
    /// The number of classes, 0 included.
    len: usize,
}

impl Classes {
    /// The classes of the characters of the (normalized) `forms`, and the
    /// class of each of those characters; `None` when a form is empty or
    /// there are more than `most` classes.
    ///
    /// Classes are numbered in order of first use: the characters that
    /// follow one another in a form get neighbouring numbers (for the
    /// table, neighbouring columns, so a walk along a form reads
    /// neighbouring cache lines; measured on the benchmark corpus,
    /// ordering by frequency in forms or by code point is slower).
    pub(super) fn build(forms: &[String], most: u16) -> Option<(Classes, HashMap<char, u16>)> {
        let mut classes: HashMap<char, u16> = HashMap::new();
        let mut firsts: HashSet<char> = HashSet::new();
        let mut solos: HashSet<char> = HashSet::new();
        for f in forms {
            let mut chars = f.chars();
            let first = chars.next()?;
            firsts.insert(first);
            if chars.next().is_none() {
                solos.insert(first);
            }
            for c in f.chars() {
                let next = u16::try_from(classes.len() + 1).ok()?;
                classes.entry(c).or_insert(next);
            }
        }
        if classes.len() >= usize::from(most) {
            return None;
        }
        // The flags of every code point (computed when tifa is compiled),
        // then the classes of the characters of the forms and of their
        // full-width or half-width twins (those that `canonical` maps to
        // them), with no hashing per code point.
        let mut bmp: Box<[u16; 0x1_0000]> =
            BMP_FLAGS.to_vec().into_boxed_slice().try_into().ok()?;
        let mut astral: HashMap<u32, u16> = HashMap::new();
        for (&c, &class) in &classes {
            let first = if firsts.contains(&c) { FIRST } else { 0 };
            let solo = if solos.contains(&c) { SOLO } else { 0 };
            let twins = [u32::from(c) + 0xFEE0, u32::from(c).wrapping_sub(0xFEE0)]
                .into_iter()
                .filter_map(char::from_u32)
                .filter(|&t| canonical(t) == Some(c));
            for c in std::iter::once(c).chain(twins) {
                let e = flags(c) | first | solo | class;
                match bmp.get_mut(u32::from(c) as usize) {
                    Some(slot) => *slot = e,
                    None => {
                        astral.insert(u32::from(c), e);
                    }
                }
            }
        }
        let len = classes.len() + 1;
        Some((Classes { bmp, astral, len }, classes))
    }

    /// The number of classes, 0 (characters in no form) included.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The class entry and the length of the character of valid UTF-8
    /// that starts with the byte `b0`, given the three bytes after it: BMP
    /// code points index the table with no bounds check, three-byte
    /// characters (CJK) first.
    #[inline(always)]
    pub(super) fn entry_at(&self, b0: u8, b1: u8, b2: u8, b3: u8) -> (u16, usize) {
        let (b0, b1, b2, b3) = (
            usize::from(b0),
            usize::from(b1),
            usize::from(b2),
            usize::from(b3),
        );
        if b0 & 0xF0 == 0xE0 {
            // The continuation bytes are 0x80 plus six bits each, so the sum
            // of the shifted bytes is the code point plus a constant.
            let cp = ((b0 << 12) + (b1 << 6) + b2).wrapping_sub(0xE_2080) & 0xFFFF;
            (self.bmp[cp], 3)
        } else if b0 < 0x80 {
            (self.bmp[b0], 1)
        } else if b0 < 0xE0 {
            (self.bmp[((b0 & 0x1F) << 6) | (b1 & 0x3F)], 2)
        } else {
            let cp = ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((b2 & 0x3F) << 6) | (b3 & 0x3F);
            (self.entry(cp as u32), 4)
        }
    }

    /// The class entry of a code point.
    #[inline(always)]
    pub(super) fn entry(&self, cp: u32) -> u16 {
        match self.bmp.get(cp as usize) {
            Some(&e) => e,
            None => self.astral_entry(cp),
        }
    }

    /// The class entry of a code point beyond the BMP: rare, and kept out
    /// of the hot loops (whose values then stay in registers).
    #[cold]
    #[inline(never)]
    fn astral_entry(&self, cp: u32) -> u16 {
        self.astral.get(&cp).copied().unwrap_or(0)
    }

    /// The class entry and length of the character at `bytes[i]`; `None`
    /// at the end.
    #[inline(always)]
    pub(super) fn fetch(&self, bytes: &[u8], i: usize) -> Option<(u16, usize)> {
        match bytes.get(i..i + 4) {
            Some(&[b0, b1, b2, b3]) => Some(self.entry_at(b0, b1, b2, b3)),
            _ if i >= bytes.len() => None,
            _ => {
                let (cp, width) = decode_near_end(bytes, i);
                Some((self.entry(cp), width))
            }
        }
    }

    /// The whitespace run that starts at raw offset `i` of `text`: where
    /// it ends, and whether it is deleted (between two CJK characters),
    /// the rule of [`whitespace_run`](crate::text::normalize::whitespace_run)
    /// read from the flags.
    pub(super) fn space_run(&self, text: &str, i: usize) -> (usize, bool) {
        let bytes = text.as_bytes();
        let mut end = i;
        let mut after = None;
        while let Some((e, width)) = self.fetch(bytes, end) {
            if e & SPACE == 0 {
                after = Some((e, width));
                break;
            }
            end += width;
        }
        let cjk = |c: char| self.is_cjk(c);
        let deleted = match after {
            Some((e, width)) if width < 4 => e & CJK != 0,
            Some(_) => text
                .get(end..)
                .and_then(|t| t.chars().next())
                .is_some_and(cjk),
            None => false,
        } && text
            .get(..i)
            .and_then(|t| t.chars().next_back())
            .is_some_and(cjk);
        (end, deleted)
    }

    /// True for a CJK character (see [`is_cjk`]), from the flags where it
    /// can.
    pub(super) fn is_cjk(&self, c: char) -> bool {
        match self.bmp.get(u32::from(c) as usize) {
            Some(e) => e & CJK != 0,
            None => is_cjk(c),
        }
    }
}

/// Children of each trie node, as (class, node).
pub(super) type Children = Vec<Vec<(u16, u32)>>;

/// The trie of the (normalized) `forms` over their classes (`class_of`
/// from [`Classes::build`]), node 0 the root: the children of each node,
/// and the patterns (indices into `forms`) that end at each node.
pub(super) fn trie(
    forms: &[String],
    class_of: &HashMap<char, u16>,
) -> Option<(Children, Vec<Vec<u32>>)> {
    let mut children: Children = vec![Vec::new()];
    let mut outputs: Vec<Vec<u32>> = vec![Vec::new()];
    for (p, f) in forms.iter().enumerate() {
        let mut s = 0usize;
        for c in f.chars() {
            let class = *class_of.get(&c)?;
            s = match children[s].iter().find(|(k, _)| *k == class) {
                Some(&(_, child)) => child as usize,
                None => {
                    let child = children.len();
                    children[s].push((class, u32::try_from(child).ok()?));
                    children.push(Vec::new());
                    outputs.push(Vec::new());
                    child
                }
            };
        }
        outputs[s].push(u32::try_from(p).ok()?);
    }
    Some((children, outputs))
}

/// The code point and length of the character at `bytes[i]`, one of the
/// last three bytes of `bytes` ([`Classes::entry_at`] needs four).
#[cold]
pub(super) fn decode_near_end(bytes: &[u8], i: usize) -> (u32, usize) {
    let at = |k: usize| u32::from(bytes.get(i + k).copied().unwrap_or(0) & 0x3F);
    let b0 = bytes.get(i).copied().unwrap_or(0);
    match b0 {
        0x00..=0x7F => (u32::from(b0), 1),
        0xC0..=0xDF => ((u32::from(b0 & 0x1F) << 6) | at(1), 2),
        0xE0..=0xEF => ((u32::from(b0 & 0x0F) << 12) | (at(1) << 6) | at(2), 3),
        0xF0..=0xF7 => (
            (u32::from(b0 & 0x07) << 18) | (at(1) << 12) | (at(2) << 6) | at(3),
            4,
        ),
        // A continuation byte never starts a character of valid UTF-8.
        _ => (0xFFFD, 1),
    }
}
