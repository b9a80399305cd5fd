//! The search loop: the automaton run over the *normalized* byte stream of
//! a text, computed on the fly from the raw text, reporting matches in raw
//! offsets.
//!
//! Normalizing first and searching the copy costs a copy of the text, an
//! offset map and a binary search per match; here the stream is produced as
//! the automaton consumes it. Bytes that normalization never changes (most
//! of any Chinese text, found with the normalizer's byte table) go straight
//! to the automaton. Where the stream differs from the raw text (a deleted
//! whitespace run between CJK characters, a rewritten full-width form) a
//! record `(normalized position, raw - normalized)` is kept; a match start
//! maps back through the last record at or before it. The ASCII boundary
//! rule looks at the raw characters around the match, as normalized.
//!
//! [`normalize`](crate::text::normalize::normalize) stays the reference:
//! the property tests compare this loop's matches with a search of the
//! normalized copy.

use std::collections::VecDeque;

use aho_corasick::Anchored;
use aho_corasick::automaton::Automaton;

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
    /// Normalized offset of the start. A match reported later ends at or
    /// after this one's `end_norm`, so it starts at or after
    /// `end_norm - max_pattern_len`.
    pub(super) at_norm: usize,
    /// Normalized end offset (how far the stream has been fed).
    pub(super) end_norm: usize,
}

/// Runs `aut` over the normalized stream of `text` (or over `text` itself
/// when `normalize` is false), calling `on` for every match that respects
/// the ASCII boundary rule of its pattern.
pub(super) fn search<A: Automaton + ?Sized>(
    aut: &A,
    edges: &[Edges],
    text: &str,
    normalize: bool,
    on: &mut dyn FnMut(Found),
) {
    let bytes = text.as_bytes();
    let Ok(mut sid) = aut.start_state(Anchored::No) else {
        return;
    };
    // Normalized bytes fed so far.
    let mut p: usize = 0;
    // (normalized position, raw - normalized from there on), recent only.
    let mut records: VecDeque<(usize, isize)> = VecDeque::new();
    let max_len = aut.max_pattern_len();
    let mut i = 0;
    let report = |sid,
                  p: usize,
                  raw_end: usize,
                  records: &VecDeque<(usize, isize)>,
                  on: &mut dyn FnMut(Found)| {
        for k in 0..aut.match_len(sid) {
            let pid = aut.match_pattern(sid, k);
            let len = aut.pattern_len(pid);
            let norm_start = p - len;
            let d = records
                .iter()
                .rev()
                .find(|(at, _)| *at <= norm_start)
                .map_or(0, |(_, d)| *d);
            let raw_start = norm_start.wrapping_add_signed(d);
            let e = edges[pid.as_usize()];
            if e.start && before_is_alnum(text, raw_start, normalize) {
                continue;
            }
            if e.end && after_is_alnum(text, raw_end, normalize) {
                continue;
            }
            on(Found {
                start: raw_start,
                end: raw_end,
                pattern: pid.as_usize(),
                at_norm: norm_start,
                end_norm: p,
            });
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        if !normalize || !is_interesting(b) || !needs_care(bytes, i) {
            sid = aut.next_state(Anchored::No, sid, b);
            p += 1;
            i += 1;
            if aut.is_special(sid) {
                if aut.is_dead(sid) {
                    return;
                }
                if aut.is_match(sid) {
                    report(sid, p, i, &records, on);
                }
            }
            continue;
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            // Inside a character (never, for valid starts): feed as is.
            sid = aut.next_state(Anchored::No, sid, b);
            p += 1;
            i += 1;
            continue;
        };
        let width = c.len_utf8();
        if c.is_whitespace() {
            let start = i;
            let (end, deleted) = whitespace_run(text, start);
            if deleted {
                // Deleted: the next normalized byte is raw `end`.
                records.push_back((p, end as isize - p as isize));
                i = end;
                continue;
            }
            // Kept: fed as it is, one byte at a time below.
            for (k, &wb) in bytes.iter().enumerate().take(end).skip(start) {
                sid = aut.next_state(Anchored::No, sid, wb);
                p += 1;
                if aut.is_match(sid) {
                    report(sid, p, k + 1, &records, on);
                }
            }
            i = end;
            continue;
        }
        match canonical(c) {
            Some(r) => {
                let mut buf = [0u8; 4];
                let r = r.encode_utf8(&mut buf).as_bytes();
                // The replacement's bytes all start at raw `i`; after it,
                // raw and normalized move on together again.
                records.push_back((p, i as isize - p as isize));
                for &rb in r {
                    sid = aut.next_state(Anchored::No, sid, rb);
                    p += 1;
                }
                if aut.is_match(sid) {
                    report(sid, p, i + width, &records, on);
                }
                i += width;
                records.push_back((p, i as isize - p as isize));
            }
            None => {
                for &cb in &bytes[i..i + width] {
                    sid = aut.next_state(Anchored::No, sid, cb);
                    p += 1;
                }
                if aut.is_match(sid) {
                    report(sid, p, i + width, &records, on);
                }
                i += width;
            }
        }
        // Forget records no match can reach back to, keeping one as base.
        while records.len() > 1 && records[1].0 + max_len < p {
            records.pop_front();
        }
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
fn before_is_alnum(text: &str, at: usize, normalize: bool) -> bool {
    text.get(..at)
        .and_then(|s| s.chars().next_back())
        .is_some_and(|c| alnum(c, normalize))
}

/// True when the normalized character at raw offset `at` is an ASCII letter
/// or digit.
fn after_is_alnum(text: &str, at: usize, normalize: bool) -> bool {
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
    use crate::scan::Scanner;
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
                   [[entry]]\nid = \"n\"\nterm = \"1333\"\ncategory = \"c\"\ndefinition = \"d\"\n"
                .into(),
        }]])
        .unwrap();
        let scanner = Scanner::new(&lexicon).unwrap();
        let chars = (0x80u32..0xC0)
            .chain(0x1680..0x1681)
            .chain(0x2000..0x2070)
            .chain(0x3000..0x3010)
            .chain(0xFF00..0xFF66)
            .chain([0x20, 0x0A, 0x2C, 0x3A, 0x28, 0x2B])
            .filter_map(char::from_u32);
        for c in chars {
            let text = format!("两队{c}一室{c}专业{c}+机制,大数据{c}1333{c}两队一室");
            let norm = normalize(&text);
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
                .hits(&text)
                .iter()
                .map(|h| (h.start, h.end, h.entry))
                .collect();
            got.sort_unstable();
            assert_eq!(got, want, "{c:?} in {text:?}");
        }
    }
}
