//! Normalization for matching, with a map back to the original text.
//!
//! Two rewrites, and nothing else (see PRODUCT.md, "Matching semantics"):
//!
//! - full-width ASCII forms `U+FF01..=U+FF5E` fold to their half-width twins
//!   (`＋` → `+`, `４` → `4`, `，` → `,`);
//! - a run of whitespace (spaces, tabs, line breaks, blank lines, `U+3000`)
//!   whose neighbours on both sides are CJK characters is deleted, so
//!   `两队\n一室` and `城\n\n市` read as one word.
//!
//! Lexicon forms and document text go through the same [`normalize`], so a
//! pattern and the text it must match are rewritten identically.
//!
//! The result keeps an [`OffsetMap`] back to the original. A text with
//! nothing to rewrite is borrowed, not copied. This module never searches: the scanner
//! in [`crate::scan`] comes next.

use std::borrow::Cow;

use super::offsets::OffsetMap;

/// A text rewritten for matching, and how to get back to the original.
#[derive(Debug, Clone)]
pub struct Normalized<'a> {
    text: Cow<'a, str>,
    map: OffsetMap,
}

/// Normalizes `text` for matching; see the module documentation.
pub fn normalize(text: &str) -> Normalized<'_> {
    if !needs_work(text) {
        return Normalized {
            text: Cow::Borrowed(text),
            map: OffsetMap::default(),
        };
    }
    rewrite(text)
}

/// The rewrite itself, without the quick test.
fn rewrite(text: &str) -> Normalized<'_> {
    let mut out = String::with_capacity(text.len());
    let mut map = OffsetMap::default();
    // The last non-whitespace character copied, to decide whether a
    // whitespace run sits between two CJK characters.
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c.is_whitespace() {
            let mut end = at + c.len_utf8();
            while let Some(&(next_at, next)) = chars.peek() {
                if !next.is_whitespace() {
                    break;
                }
                end = next_at + next.len_utf8();
                chars.next();
            }
            let next = chars.peek().map(|&(_, n)| n);
            if prev.is_some_and(is_cjk) && next.is_some_and(is_cjk) {
                map.push(out.len(), at, 0, end - at);
            } else {
                out.push_str(&text[at..end]);
            }
            continue;
        }
        prev = Some(c);
        match fold(c) {
            Some(half) => {
                map.push(out.len(), at, 1, c.len_utf8());
                out.push(half);
            }
            None => out.push(c),
        }
    }
    let text = if map.is_identity() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    };
    Normalized { text, map }
}

impl Normalized<'_> {
    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the normalized text is the original text unchanged.
    pub fn is_identity(&self) -> bool {
        self.map.is_identity()
    }

    /// Maps the start of a span in the normalized text to the original text:
    /// the original offset of the character that begins at `n`.
    ///
    /// `n` must be a character boundary of the normalized text (or its end).
    pub fn start_to_original(&self, n: usize) -> usize {
        self.map.start_to_original(n)
    }

    /// Maps the end of a span in the normalized text to the original text:
    /// the original offset just after the character that ends at `n`.
    pub fn end_to_original(&self, n: usize) -> usize {
        self.map.end_to_original(n)
    }

    /// The map back to the original text.
    pub fn map(&self) -> &OffsetMap {
        &self.map
    }
}

/// Quick test for text that normalization leaves unchanged: no full-width
/// ASCII, no Unicode whitespace, and no ASCII whitespace next to a non-ASCII
/// character.
fn needs_work(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.is_ascii() {
        return false;
    }
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => {
                let before = i.checked_sub(1).map(|j| bytes[j]);
                let after = bytes.get(i + 1).copied();
                if before.is_some_and(|b| b >= 0x80) || after.is_some_and(|b| b >= 0x80) {
                    return true;
                }
            }
            // Lead bytes of full-width ASCII (EF BC/BD) and of non-ASCII
            // whitespace (C2 85, C2 A0, E1 9A 80, E2 80 xx, E2 81 9F, E3 80 80).
            0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF => {
                let tail = &bytes[i + 1..];
                let hit = matches!(
                    (b, tail),
                    (0xEF, [0xBC, 0x81..=0xBF, ..] | [0xBD, 0x80..=0x9E, ..])
                        | (0xC2, [0x85 | 0xA0, ..])
                        | (0xE1, [0x9A, 0x80, ..])
                        | (0xE2, [0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..])
                        | (0xE2, [0x81, 0x9F, ..])
                        | (0xE3, [0x80, 0x80, ..])
                );
                if hit {
                    return true;
                }
            }
            _ => {}
        }
    }
    // Whitespace runs between ASCII bytes only are never deleted, and a run
    // between CJK characters has a non-ASCII byte next to its first byte.
    false
}

/// The half-width twin of a full-width ASCII form.
pub fn fold(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        _ => None,
    }
}

/// True for the characters next to which whitespace is ignored: ideographs,
/// kana, CJK and full-width punctuation, and the curly quotes “ ” ‘ ’.
///
/// Full-width letters and digits are not CJK here: they fold to ASCII.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FDF}'     // radicals
        | '\u{3001}'..='\u{303F}'   // CJK symbols and punctuation
        | '\u{3040}'..='\u{30FF}'   // kana
        | '\u{3100}'..='\u{312F}'   // bopomofo
        | '\u{31C0}'..='\u{31EF}'   // strokes
        | '\u{3400}'..='\u{4DBF}'   // extension A
        | '\u{4E00}'..='\u{9FFF}'   // unified ideographs
        | '\u{F900}'..='\u{FAFF}'   // compatibility ideographs
        | '\u{FE10}'..='\u{FE1F}'   // vertical forms
        | '\u{FE30}'..='\u{FE4F}'   // compatibility forms
        | '\u{FF01}'..='\u{FF0F}'   // full-width punctuation
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}'
        | '\u{20000}'..='\u{3FFFF}' // extensions B and later
        | '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}'
        | '\u{2014}' | '\u{2026}' | '\u{00B7}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(name, input, normalized)`
    const TABLE: &[(&str, &str, &str)] = &[
        ("ascii", "abc 1333 x", "abc 1333 x"),
        ("plain_cjk", "两队一室", "两队一室"),
        ("fullwidth_plus", "专业＋机制＋大数据", "专业+机制+大数据"),
        ("fullwidth_digits", "１３３３", "1333"),
        ("fullwidth_percent", "两个４０％", "两个40%"),
        ("line_break", "两队\n一室", "两队一室"),
        ("crlf", "两队\r\n一室", "两队一室"),
        ("page_break", "城\n\n市数字", "城市数字"),
        ("spaces_between_cjk", "派出所  主防", "派出所主防"),
        ("ideographic_space", "派出所\u{3000}主防", "派出所主防"),
        ("quotes_are_cjk", "“两队\n一室”\n推进", "“两队一室”推进"),
        ("dunhao_is_cjk", "主战、\n派出所", "主战、派出所"),
        ("fullwidth_punct_is_cjk", "主战，\n派出所", "主战,派出所"),
        ("cjk_then_ascii_keeps_space", "两个 40%", "两个 40%"),
        ("ascii_then_cjk_keeps_break", "N\n个", "N\n个"),
        ("leading_and_trailing", "\n两队\n", "\n两队\n"),
        ("empty", "", ""),
        ("only_space", " \n ", " \n "),
    ];

    #[test]
    fn table() {
        for (name, input, want) in TABLE {
            assert_eq!(normalize(input).as_str(), *want, "case {name}");
        }
    }

    #[test]
    fn tests_have_unique_names() {
        let mut names: Vec<_> = TABLE.iter().map(|t| t.0).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TABLE.len());
    }

    #[test]
    fn identity_is_borrowed() {
        let n = normalize("两队一室 and text");
        assert!(n.is_identity());
        assert!(matches!(n.text, Cow::Borrowed(_)));
    }

    #[test]
    fn maps_spans_back() {
        let orig = "推进两队\n一室与专业＋机制";
        let n = normalize(orig);
        let s = n.as_str();
        let at = s.find("两队一室").unwrap();
        let (a, b) = (
            n.start_to_original(at),
            n.end_to_original(at + "两队一室".len()),
        );
        assert_eq!(&orig[a..b], "两队\n一室");
        let at = s.find('+').unwrap();
        assert_eq!(
            &orig[n.start_to_original(at)..n.end_to_original(at + 1)],
            "＋"
        );
        let at = s.find("机制").unwrap();
        assert_eq!(
            &orig[n.start_to_original(at)..n.end_to_original(at + 6)],
            "机制"
        );
    }

    #[test]
    fn quick_test_agrees_with_rewrite() {
        // Every character from the planes that matter, between ASCII and CJK
        // neighbours: when the quick test says "nothing to do", the rewrite
        // must agree.
        let chars = (0u32..0x3100)
            .chain(0xFE00..0x10000)
            .filter_map(char::from_u32);
        for c in chars {
            for t in [
                format!("字{c}字"),
                format!("a{c}字"),
                format!("字 {c}"),
                format!("{c} a"),
            ] {
                if !needs_work(&t) {
                    assert_eq!(rewrite(&t).as_str(), t, "{c:?}");
                }
            }
        }
    }

    #[test]
    fn deletion_next_to_fold() {
        // A deleted run directly before a folded character.
        let orig = "队 ＋机";
        let n = normalize(orig);
        assert_eq!(n.as_str(), "队+机");
        assert_eq!(n.start_to_original(3), "队 ".len());
        assert_eq!(n.end_to_original(3), "队".len());
        assert_eq!(n.end_to_original(4), "队 ＋".len());
    }
}
