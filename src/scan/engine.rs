//! The search loop: the automaton run over the *normalized* byte stream of
//! a text, computed on the fly from the raw text, reporting matches in raw
//! offsets.
//!
//! Normalizing first and searching the copy costs a copy of the text, an
//! offset map and a binary search per match; here the stream is produced as
//! the automaton consumes it. Bytes that normalization never changes (most
//! of any Chinese text) go straight to the automaton. Where the stream
//! differs from the raw text (a deleted whitespace run between CJK
//! characters, a rewritten full-width form) a record `(normalized position,
//! raw - normalized)` is kept; a match start maps back through the last
//! record at or before it. The ASCII boundary rule looks at the raw
//! characters around the match, as normalized.
//!
//! This byte-level loop runs aho-corasick's NFA, for lexicons too large for
//! the character table of module `table`, and serves as its reference in
//! the tests.
//!
//! [`normalize`](crate::text::normalize::normalize) stays the reference:
//! the property tests compare this loop's matches with a search of the
//! normalized copy.

use std::collections::VecDeque;

use aho_corasick::Anchored;
use aho_corasick::automaton::Automaton;
use aho_corasick::automaton::StateID;

use super::boundary::Edges;
use crate::text::normalize::{canonical, is_interesting, whitespace_run};

/// A match, in raw offsets, in the order the automaton reports them (by
/// end).
#[derive(Debug, Clone, Copy)]
pub(super) struct Found {
    /// Raw start offset.
    pub(super) start: usize,
    /// Raw end offset (exclusive).
    pub(super) end: usize,
    /// Pattern id.
    pub(super) pattern: usize,
    /// Normalized offset of the start, in a count that grows by one for
    /// every character of a match (the table leaves out characters it
    /// skips in its start state). A match reported later ends at or after
    /// this one's `end_norm`, so it starts at or after
    /// `end_norm - max_pattern_len`.
    pub(super) at_norm: usize,
    /// Normalized end offset (how far the stream has been counted).
    pub(super) end_norm: usize,
}

/// An aho-corasick automaton searched through its `Automaton` trait.
pub(super) struct Generic<'a, A> {
    pub(super) aut: &'a A,
    /// Escape the bytes the normalizer may act on (raw text).
    pub(super) escape: bool,
}

/// The escape, as a state of a [`Generic`] machine.
const GENERIC_ESCAPE: StateID = StateID::MAX;

impl<A: Automaton> Generic<'_, A> {
    /// The start state.
    fn start(&self) -> StateID {
        self.aut.start_state(Anchored::No).unwrap_or(GENERIC_ESCAPE)
    }

    /// The next state on `b`, or the escape for a byte the normalizer may
    /// act on (raw text).
    fn step(&self, s: StateID, b: u8) -> StateID {
        if self.escape && is_interesting(b) {
            GENERIC_ESCAPE
        } else {
            self.aut.next_state(Anchored::No, s, b)
        }
    }

    /// The real next state on `b`, never the escape.
    fn feed(&self, s: StateID, b: u8) -> StateID {
        self.aut.next_state(Anchored::No, s, b)
    }

    /// True for the escape and the automaton's special states (match and
    /// start states).
    fn is_special(&self, s: StateID) -> bool {
        s == GENERIC_ESCAPE || self.aut.is_special(s)
    }

    /// True for the escape.
    fn is_escape(&self, s: StateID) -> bool {
        s == GENERIC_ESCAPE
    }

    /// True for a match state.
    fn is_match(&self, s: StateID) -> bool {
        s != GENERIC_ESCAPE && self.aut.is_match(s)
    }

    /// Calls `on(pattern, normalized length)` for each pattern matching at
    /// `s`.
    fn matches(&self, s: StateID, on: &mut dyn FnMut(usize, usize)) {
        for k in 0..self.aut.match_len(s) {
            let p = self.aut.match_pattern(s, k);
            on(p.as_usize(), self.aut.pattern_len(p));
        }
    }

    /// Steps from `s` over `bytes[i..]` while the next state is not
    /// special: returns where it stopped, the state there, and the special
    /// state the byte there leads to (the state itself at the end).
    fn run(&self, bytes: &[u8], mut i: usize, mut s: StateID) -> (usize, StateID, StateID) {
        while let Some(&b) = bytes.get(i) {
            let next = self.step(s, b);
            if self.is_special(next) {
                return (i, s, next);
            }
            s = next;
            i += 1;
        }
        (i, s, s)
    }
}

/// Runs `m` over the normalized stream of `text` (or over `text` itself
/// when `m` does not escape: text already normalized), calling `on` for
/// every match that respects the ASCII boundary rule of its pattern.
pub(super) fn search<A: Automaton>(
    m: &Generic<'_, A>,
    edges: &[Edges],
    text: &str,
    on: &mut dyn FnMut(Found),
) {
    let normalize = m.escape;
    let bytes = text.as_bytes();
    let mut s = m.start();
    if m.is_escape(s) {
        return;
    }
    // raw - normalized, from the last record on.
    let mut shift: isize = 0;
    // (normalized position, raw - normalized from there on), recent only.
    let mut records: VecDeque<(usize, isize)> = VecDeque::new();
    let max_len = m.aut.max_pattern_len();
    let mut i = 0;
    let report = |s: StateID,
                  p: usize,
                  raw_end: usize,
                  records: &VecDeque<(usize, isize)>,
                  on: &mut dyn FnMut(Found)| {
        m.matches(s, &mut |pid, len| {
            let norm_start = p - len;
            let d = records
                .iter()
                .rev()
                .find(|(at, _)| *at <= norm_start)
                .map_or(0, |(_, d)| *d);
            let raw_start = norm_start.wrapping_add_signed(d);
            let e = edges[pid];
            if e.start && before_is_alnum(text, raw_start, normalize) {
                return;
            }
            if e.end && after_is_alnum(text, raw_end, normalize) {
                return;
            }
            on(Found {
                start: raw_start,
                end: raw_end,
                pattern: pid,
                at_norm: norm_start,
                end_norm: p,
            });
        });
    };
    let norm = |i: usize, shift: isize| i.wrapping_add_signed(-shift);
    while i < bytes.len() {
        let next;
        (i, s, next) = m.run(bytes, i, s);
        if i == bytes.len() {
            break;
        }
        if !m.is_escape(next) {
            s = next;
            i += 1;
            // The NFA's start states are special too.
            if m.is_match(s) {
                report(s, norm(i, shift), i, &records, on);
            }
            continue;
        }
        if !needs_care(bytes, i) {
            // Fed as it is, the whole character at once (a match ends only
            // at the end of a character).
            let width = utf8_width(bytes[i]).min(bytes.len() - i);
            for &b in &bytes[i..i + width] {
                s = m.feed(s, b);
            }
            i += width;
            if m.is_match(s) {
                report(s, norm(i, shift), i, &records, on);
            }
            continue;
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            // Inside a character (never, for valid starts): feed as is.
            s = m.feed(s, bytes[i]);
            i += 1;
            continue;
        };
        let width = c.len_utf8();
        if c.is_whitespace() {
            let start = i;
            let (end, deleted) = whitespace_run(text, start);
            if deleted {
                // Deleted: the next normalized byte is raw `end`.
                let p = norm(i, shift);
                shift = end as isize - p as isize;
                records.push_back((p, shift));
                i = end;
            } else {
                // Kept: fed as it is.
                for (k, &b) in bytes.iter().enumerate().take(end).skip(start) {
                    s = m.feed(s, b);
                    if m.is_match(s) {
                        report(s, norm(k + 1, shift), k + 1, &records, on);
                    }
                }
                i = end;
            }
        } else {
            match canonical(c) {
                Some(r) => {
                    let mut buf = [0u8; 4];
                    let r = r.encode_utf8(&mut buf).as_bytes();
                    // The replacement's bytes all start at raw `i`; after
                    // it, raw and normalized move on together again.
                    let p = norm(i, shift);
                    records.push_back((p, i as isize - p as isize));
                    for &rb in r {
                        s = m.feed(s, rb);
                    }
                    let p = p + r.len();
                    if m.is_match(s) {
                        report(s, p, i + width, &records, on);
                    }
                    i += width;
                    shift = i as isize - p as isize;
                    records.push_back((p, shift));
                }
                None => {
                    for &cb in &bytes[i..i + width] {
                        s = m.feed(s, cb);
                    }
                    i += width;
                    if m.is_match(s) {
                        report(s, norm(i, shift), i, &records, on);
                    }
                }
            }
        }
        // Forget records no match can reach back to, keeping one as base.
        let p = norm(i, shift);
        while records.len() > 1 && records[1].0 + max_len < p {
            records.pop_front();
        }
    }
}

/// The length of the UTF-8 sequence a lead byte starts (1 for any other
/// byte).
pub(super) fn utf8_width(b: u8) -> usize {
    match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// For a byte the normalizer's table flags: true when the character it
/// starts really is whitespace or rewritten. Most flagged lead bytes start
/// CJK punctuation that is neither (`，。、“”：；（）`), and those are fed to
/// the automaton as they are.
fn needs_care(bytes: &[u8], i: usize) -> bool {
    let b1 = bytes.get(i + 1).copied().unwrap_or(0);
    let b2 = bytes.get(i + 2).copied().unwrap_or(0);
    match bytes[i] {
        // U+0085, U+00A0.
        0xC2 => matches!(b1, 0x85 | 0xA0),
        // U+1680.
        0xE1 => b1 == 0x9A && b2 == 0x80,
        // U+2000..=U+200A, U+2028, U+2029, U+202F, U+205F.
        0xE2 => {
            (b1 == 0x80 && matches!(b2, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF))
                || (b1 == 0x81 && b2 == 0x9F)
        }
        // U+3000.
        0xE3 => b1 == 0x80 && b2 == 0x80,
        // U+FF01..=U+FF5E but for the full-width punctuation kept as is.
        0xEF => {
            let full_width = (b1 == 0xBC && (0x81..=0xBF).contains(&b2))
                || (b1 == 0xBD && (0x80..=0x9E).contains(&b2));
            full_width
                && !(b1 == 0xBC && matches!(b2, 0x8C | 0x9A | 0x9B | 0x81 | 0x9F | 0x88 | 0x89))
        }
        // ASCII whitespace and the punctuation written full-width.
        _ => true,
    }
}

/// True when the normalized character before raw offset `at` is an ASCII
/// letter or digit. Whitespace (kept or deleted) never is.
pub(super) fn before_is_alnum(text: &str, at: usize, normalize: bool) -> bool {
    text.get(..at)
        .and_then(|s| s.chars().next_back())
        .is_some_and(|c| alnum(c, normalize))
}

/// True when the normalized character at raw offset `at` is an ASCII letter
/// or digit.
pub(super) fn after_is_alnum(text: &str, at: usize, normalize: bool) -> bool {
    text.get(at..)
        .and_then(|s| s.chars().next())
        .is_some_and(|c| alnum(c, normalize))
}

fn alnum(c: char, normalize: bool) -> bool {
    let c = if normalize {
        canonical(c).unwrap_or(c)
    } else {
        c
    };
    c.is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use crate::lexicon::{Lexicon, LexiconFile};
    use crate::scan::{Scanner, Searches};
    use crate::text::normalize;

    /// The on-the-fly stream against the reference: normalize, search the
    /// copy, map back. Every character of the ranges the byte tables single
    /// out, between and inside terms.
    #[test]
    fn stream_agrees_with_the_normalized_copy() {
        let lexicon = Lexicon::load(&[vec![LexiconFile {
            path: "t.toml".into(),
            text: "[[entry]]\nid = \"a\"\nterm = \"两队一室\"\ncategory = \"c\"\ndefinition = \"d\"\n\
                   [[entry]]\nid = \"b\"\nterm = \"专业+机制，大数据\"\ncategory = \"c\"\ndefinition = \"d\"\n\
                   [[entry]]\nid = \"n\"\nterm = \"1333\"\ncategory = \"c\"\ndefinition = \"d\"\n\
                   [[entry]]\nid = \"x\"\nterm = \"𠀀𠀁\"\ncategory = \"c\"\ndefinition = \"d\"\n\
                   [[entry]]\nid = \"s\"\nterm = \"AI 警务\"\ncategory = \"c\"\ndefinition = \"d\"\n"
                .into(),
        }]])
        .unwrap();
        let table = Scanner::new(&lexicon).unwrap();
        assert!(table.has_table());
        let sieve = Scanner::searching_with(&lexicon, Searches::Sieve);
        assert!(sieve.has_sieve());
        let generic = Scanner::searching_with(&lexicon, Searches::Nfa);
        assert!(!generic.has_table() && !generic.has_sieve());
        let chars = (0x80u32..0xC0)
            .chain(0x1680..0x1681)
            .chain(0x2000..0x2070)
            .chain(0x3000..0x3010)
            .chain(0xFF00..0xFF66)
            .chain([0x20, 0x0A, 0x2C, 0x3A, 0x28, 0x2B])
            .filter_map(char::from_u32);
        let texts = chars
            .map(|c| {
                format!("两队{c}一室{c}专业{c}+机制,大数据{c}1333{c}两队一室 AI{c}警务{c}AI 警务")
            })
            .chain(
                [
                    "𠀀\n𠀁",
                    "𠀀 \n 𠀁两队\n一室",
                    "a𠀀\n𠀁",
                    "𠀀\n𠀁b",
                    "x1333",
                    "１３３３x",
                    " AI 警务",
                    "AI\n警务 AI 警务",
                    "两队 AI 警务",
                    "专业+机制,\t大数据",
                ]
                .map(str::to_owned),
            );
        for text in texts {
            agrees(&table, &text);
            agrees(&sieve, &text);
            agrees(&generic, &text);
            assert_eq!(table.hits(&text), generic.hits(&text), "{text:?}");
            assert_eq!(sieve.hits(&text), generic.hits(&text), "{text:?}");
            // Text already normalized is searched as it is: whitespace
            // kept there (after a comma made full-width, say) stays.
            let norm = normalize(&text);
            let want = generic.normalized_hits(norm.as_str());
            assert_eq!(table.normalized_hits(norm.as_str()), want, "{text:?}");
            assert_eq!(sieve.normalized_hits(norm.as_str()), want, "{text:?}");
        }
    }

    /// A lexicon of the seed's size (the seed files alone) is searched
    /// with the dense table. The whole embedded lexicon (2,200 entries,
    /// 1,300 characters over 15,000 states) is past the table's size and
    /// is searched with the sieve.
    #[test]
    fn seed_sized_lexicon_gets_the_table() {
        let seed: Vec<LexiconFile> = crate::lexicon::embedded_files()
            .into_iter()
            .filter(|f| {
                [
                    "campaigns",
                    "core",
                    "mechanisms",
                    "platforms",
                    "slogans",
                    "team",
                    "tech",
                    "vocabulary",
                ]
                .iter()
                .any(|n| f.path == format!("lexicon/{n}.toml"))
            })
            .collect();
        // The seed's entries link to later ones; the table does not care.
        let text: String = seed
            .iter()
            .map(|f| f.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let text = text
            .lines()
            .filter(|l| !l.starts_with("related = "))
            .collect::<Vec<_>>()
            .join("\n");
        let lexicon = Lexicon::load(&[vec![LexiconFile {
            path: "seed.toml".into(),
            text,
        }]])
        .unwrap();
        assert!(lexicon.len() >= 250);
        assert!(Scanner::new(&lexicon).unwrap().has_table());
        assert!(
            Scanner::new(&Lexicon::embedded().unwrap())
                .unwrap()
                .has_sieve()
        );
    }

    fn agrees(scanner: &Scanner, text: &str) {
        let norm = normalize(text);
        let mut want: Vec<(usize, usize, usize)> = scanner
            .normalized_hits(norm.as_str())
            .iter()
            .map(|h| {
                (
                    norm.start_to_original(h.start),
                    norm.end_to_original(h.end),
                    h.entry,
                )
            })
            .collect();
        want.sort_unstable();
        let mut got: Vec<(usize, usize, usize)> = scanner
            .hits(text)
            .iter()
            .map(|h| (h.start, h.end, h.entry))
            .collect();
        got.sort_unstable();
        assert_eq!(got, want, "{text:?}");
    }
}
