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
///
/// One pass over the bytes that skips, with a byte table, everything that
/// cannot need a change (most of any Chinese text); runs without change are
/// copied as slices, and nothing is copied at all until the first change.
pub fn normalize(text: &str) -> Normalized<'_> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut map = OffsetMap::default();
    // Start of the pending run of unchanged text.
    let mut copy_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !INTERESTING[usize::from(bytes[i])] {
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            i += 1;
            continue;
        };
        let width = c.len_utf8();
        if c.is_whitespace() {
            let start = i;
            let (end, deleted) = whitespace_run(text, start);
            if deleted {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                o.push_str(&text[copy_from..start]);
                map.push(o.len(), start, 0, end - start);
                copy_from = end;
            }
            i = end;
            continue;
        }
        if let Some(r) = canonical(c) {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[copy_from..i]);
            map.push(o.len(), i, r.len_utf8(), width);
            o.push(r);
            copy_from = i + width;
        }
        i += width;
    }
    let text = match out {
        Some(mut o) => {
            o.push_str(&text[copy_from..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(text),
    };
    Normalized { text, map }
}

/// The run of whitespace that starts at byte `start` (where a whitespace
/// character is): where it ends, and whether normalization deletes it
/// because the characters on both sides are CJK.
pub fn whitespace_run(text: &str, start: usize) -> (usize, bool) {
    // The character before a maximal run is not whitespace.
    let prev = text.get(..start).and_then(|s| s.chars().next_back());
    if !prev.is_some_and(is_cjk) {
        return (whitespace_end(text, start), false);
    }
    let end = whitespace_end(text, start);
    let next = text.get(end..).and_then(|s| s.chars().next());
    (end, next.is_some_and(is_cjk))
}

/// Where the run of whitespace starting at `start` ends; ASCII whitespace
/// (line breaks, mostly) is skipped byte by byte.
pub fn whitespace_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = start;
    while end < bytes.len() {
        let b = bytes[end];
        if b.is_ascii() {
            if !b.is_ascii_whitespace() && b != 0x0B {
                break;
            }
            end += 1;
            continue;
        }
        match text.get(end..).and_then(|s| s.chars().next()) {
            Some(c) if c.is_whitespace() => end += c.len_utf8(),
            _ => break,
        }
    }
    end
}

/// True for a byte that may start a character the normalizer acts on; any
/// other byte is copied unchanged.
pub fn is_interesting(b: u8) -> bool {
    INTERESTING[usize::from(b)]
}

/// Bytes that may start a character the normalizer acts on: ASCII
/// whitespace, the ASCII punctuation written full-width in normalized text,
/// and the lead bytes of Unicode whitespace (U+0085, U+00A0: C2; U+1680:
/// E1; U+2000.., U+2028.., U+205F: E2; U+3000: E3) and of full-width forms
/// (EF). Every other byte is skipped.
const INTERESTING: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = matches!(
            b,
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF
        ) || is_full_width_punctuation(b);
        i += 1;
    }
    t
};

/// ASCII punctuation whose full-width twin is what Chinese text writes; in
/// normalized text the twin stands for both.
const fn is_full_width_punctuation(b: u8) -> bool {
    matches!(b, b',' | b':' | b';' | b'!' | b'?' | b'(' | b')')
}

/// The character that stands for `c` in normalized text, when it is not
/// `c` itself.
///
/// Full-width ASCII and ASCII are one class each pair; the class is written
/// with the form Chinese text uses most, so that ordinary text needs no
/// rewriting: half-width for letters, digits and most symbols (`４` → `4`,
/// `＋` → `+`), full-width for the sentence punctuation `，：；！？（）`
/// (`,` → `，`). Which twin stands for the pair changes nothing about what
/// matches what.
pub fn canonical(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => {
            let half = char::from_u32(c as u32 - 0xFEE0)?;
            (!is_full_width_punctuation(half as u8)).then_some(half)
        }
        _ if c.is_ascii() && is_full_width_punctuation(c as u8) => {
            char::from_u32(c as u32 + 0xFEE0)
        }
        _ => None,
    }
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
pub const fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'     // unified ideographs, the most common, first
        | '\u{2E80}'..='\u{2FDF}'   // radicals
        | '\u{3001}'..='\u{303F}'   // CJK symbols and punctuation
        | '\u{3040}'..='\u{30FF}'   // kana
        | '\u{3100}'..='\u{312F}'   // bopomofo
        | '\u{31C0}'..='\u{31EF}'   // strokes
        | '\u{3400}'..='\u{4DBF}'   // extension A
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
        ("fullwidth_punct_is_cjk", "主战，\n派出所", "主战，派出所"),
        (
            "ascii_comma_stands_as_fullwidth",
            "主战,派出所",
            "主战，派出所",
        ),
        ("ascii_parens_stand_as_fullwidth", "(一)", "（一）"),
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

    /// The rules, one character at a time, as written in the module
    /// documentation: the fast loop must agree with it.
    fn reference(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        let mut prev: Option<char> = None;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                let next = chars.get(j).copied();
                if !(prev.is_some_and(is_cjk) && next.is_some_and(is_cjk)) {
                    out.extend(&chars[i..j]);
                }
                i = j;
                continue;
            }
            out.push(canonical(c).unwrap_or(c));
            prev = Some(c);
            i += 1;
        }
        out
    }

    #[test]
    fn fast_loop_agrees_with_the_rules() {
        let chars = (0u32..0x3100)
            .chain(0xFE00..0x10000)
            .chain([0x20000, 0x1F600])
            .filter_map(char::from_u32);
        for c in chars {
            for t in [
                format!("字{c}字"),
                format!("a{c}字"),
                format!("字 {c}"),
                format!("{c} a"),
                format!("字\n{c}\n字"),
            ] {
                let n = normalize(&t);
                assert_eq!(n.as_str(), reference(&t), "{c:?} in {t:?}");
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
