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
use crate::text::normalize::{canonical, is_cjk, is_interesting};

/// A match in raw offsets: `(start, end, pattern id)`.
pub(super) type RawMatch = (usize, usize, usize);

/// Runs `aut` over the normalized stream of `text` (or over `text` itself
/// when `normalize` is false), calling `on` for every match that respects
/// the ASCII boundary rule of its pattern.
pub(super) fn search<A: Automaton + ?Sized>(
    aut: &A,
    edges: &[Edges],
    text: &str,
    normalize: bool,
    on: &mut dyn FnMut(RawMatch),
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
                  on: &mut dyn FnMut(RawMatch)| {
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
            on((raw_start, raw_end, pid.as_usize()));
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        if !normalize || !is_interesting(b) {
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
            let mut end = i + width;
            let mut next = None;
            for n in text[end..].chars() {
                if !n.is_whitespace() {
                    next = Some(n);
                    break;
                }
                end += n.len_utf8();
            }
            let prev = text[..start].chars().next_back();
            if prev.is_some_and(is_cjk) && next.is_some_and(is_cjk) {
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
