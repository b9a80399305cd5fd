//! Near misses: a span one character off a long accepted form (`云眼晴` in
//! `芯大脑+云眼晴+智手脚`, `法制润警`).
//!
//! Every accepted form of at least `min_chars` characters is split into two
//! halves, and the halves are patterns of the checker's automaton. One edit
//! leaves at least one half intact, so every one-edit variant contains a
//! half exactly (the pigeonhole principle): a hit of the left half is tried
//! against the windows of `n - 1`, `n` and `n + 1` characters that start
//! there, a hit of the right half against those that end there, and a
//! window is a near miss when its edit distance to the form is exactly one.
//!
//! What keeps ordinary words out:
//! - the edit must be inside the form, not on its first or last character:
//!   a changed last character is usually another word that shares a prefix
//!   (`社区警务工作` is not `社区警务队` misspelt);
//! - the window must not be a lexicon form, lie inside one, or cut through
//!   one (it may contain whole terms);
//! - forms shorter than `min_chars` are not searched (see
//!   [`super::NEAR_MISS_MIN_CHARS`]).

use super::{Detail, Finding, Rule};
use crate::lexicon::{Context, FormKind, Lexicon};
use crate::scan::Hit;
use crate::text::normalize;

/// The halves of the long forms, and which form each belongs to.
#[derive(Debug, Clone)]
pub(super) struct Pieces {
    /// `(entry, form characters, left half?)`, indexed by the pattern's
    /// `form` field.
    pieces: Vec<(usize, Vec<char>, bool)>,
    /// The normalized `not_wrong` words of each entry, by entry.
    not_wrong: Vec<Vec<String>>,
}

impl Pieces {
    pub(super) fn new(lexicon: &Lexicon, min_chars: usize) -> Pieces {
        let mut pieces = Vec::new();
        for (i, e) in lexicon.entries().iter().enumerate() {
            // An entry only matched in a context has no near misses outside it.
            if !lexicon.scanned(e) || e.context != Context::Any {
                continue;
            }
            for (kind, _, form) in e.forms() {
                if !kind.is_accepted() {
                    continue;
                }
                let chars: Vec<char> = normalize(form).as_str().chars().collect();
                if chars.len() >= min_chars.max(3) {
                    pieces.push((i, chars.clone(), true));
                    pieces.push((i, chars, false));
                }
            }
        }
        let not_wrong = lexicon
            .entries()
            .iter()
            .map(|e| {
                e.not_wrong
                    .iter()
                    .map(|w| normalize(w).as_str().to_owned())
                    .collect()
            })
            .collect();
        Pieces { pieces, not_wrong }
    }

    /// The patterns: `(half, entry, Piece, index into the pieces)`.
    pub(super) fn patterns(&self) -> impl Iterator<Item = (String, usize, FormKind, usize)> + '_ {
        self.pieces
            .iter()
            .enumerate()
            .map(|(k, (entry, chars, left))| {
                let mid = chars.len() / 2;
                let half: String = if *left {
                    chars[..mid].iter().collect()
                } else {
                    chars[mid..].iter().collect()
                };
                (half, *entry, FormKind::Piece, k)
            })
    }

    /// Near misses in normalized `text`, from the checker's `extra` hits and
    /// the outermost lexicon `spans`.
    pub(super) fn findings(&self, text: &str, extra: &[Hit], spans: &[Hit]) -> Vec<Finding> {
        let mut out: Vec<Finding> = Vec::new();
        for h in extra.iter().filter(|h| h.kind == FormKind::Piece) {
            let Some((entry, form, left)) = self.pieces.get(h.form) else {
                continue;
            };
            let n = form.len();
            for len in [n - 1, n, n + 1] {
                let window = if *left {
                    forward(text, h.start, len).map(|end| (h.start, end))
                } else {
                    back(text, h.end, len).map(|start| (start, h.end))
                };
                let Some((start, end)) = window else { continue };
                let w: Vec<char> = text[start..end].chars().collect();
                if !one_interior_edit(&w, form) || clashes(spans, start, end) {
                    continue;
                }
                if self
                    .not_wrong
                    .get(*entry)
                    .is_some_and(|words| words.iter().any(|x| *x == text[start..end]))
                {
                    continue;
                }
                if out.iter().any(|f| f.start == start && f.end == end) {
                    continue;
                }
                let form: String = form.iter().collect();
                out.push(Finding {
                    start,
                    end,
                    rule: Rule::NearMiss,
                    severity: Rule::NearMiss.default_severity(),
                    entry: Some(*entry),
                    suggestion: Some(form.clone()),
                    fixable: false,
                    detail: Detail::NearMiss(form),
                });
            }
        }
        out
    }
}

/// The byte offset `chars` characters after `at`, if the text is that long.
fn forward(text: &str, at: usize, chars: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    if chars == 0 {
        return Some(at);
    }
    let mut it = rest.char_indices();
    let (i, c) = it.nth(chars - 1)?;
    Some(at + i + c.len_utf8())
}

/// The byte offset `chars` characters before `at`.
fn back(text: &str, at: usize, chars: usize) -> Option<usize> {
    let before = text.get(..at)?;
    if chars == 0 {
        return Some(at);
    }
    before.char_indices().rev().nth(chars - 1).map(|(i, _)| i)
}

/// True when the window overlaps a lexicon span without containing it
/// strictly: it is a form, lies inside one, or cuts through one.
fn clashes(spans: &[Hit], start: usize, end: usize) -> bool {
    super::overlapping(spans, start, end).iter().any(|s| {
        let overlaps = s.start < end && start < s.end;
        let strictly_inside = start <= s.start && s.end <= end && (s.start, s.end) != (start, end);
        overlaps && !strictly_inside
    })
}

/// True when `w` is one substitution, insertion or deletion away from `f`,
/// the edit is not on the first or last character of `f`, and the
/// characters involved are letters or ideographs (a quote mark or a comma
/// more or less is punctuation, not a misquote; separators are the parts
/// rule's business).
pub(super) fn one_interior_edit(w: &[char], f: &[char]) -> bool {
    let n = f.len();
    let first_diff = w.iter().zip(f).position(|(a, b)| a != b);
    let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
    match w.len() as isize - n as isize {
        0 => {
            let Some(i) = first_diff else { return false };
            w[i + 1..] == f[i + 1..] && i > 0 && i + 1 < n && word(w.get(i)) && word(f.get(i))
        }
        1 => {
            // An inserted character at w[i], between f[i-1] and f[i].
            let i = first_diff.unwrap_or(n);
            w[i + 1..] == f[i..] && i > 0 && i < n && word(w.get(i))
        }
        -1 => {
            // f[i] deleted.
            let i = first_diff.unwrap_or(n - 1);
            w[i..] == f[i + 1..] && i > 0 && i + 1 < n && word(f.get(i))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::one_interior_edit;

    fn t(w: &str, f: &str) -> bool {
        let w: Vec<char> = w.chars().collect();
        let f: Vec<char> = f.chars().collect();
        one_interior_edit(&w, &f)
    }

    #[test]
    fn edits() {
        assert!(t("法制润警", "法治润警"));
        assert!(t("芯大脑+云眼晴+智手脚", "芯大脑+云眼睛+智手脚"));
        assert!(t("两队一一室", "两队一室"));
        assert!(t("两队室", "两队一室"));
        // Not interior: first or last character.
        assert!(!t("社区警务工", "社区警务队"));
        assert!(!t("新区警务队", "社区警务队"));
        assert!(!t("社区警务", "社区警务队"));
        assert!(!t("社区警务队员", "社区警务队"));
        // Punctuation is not a misquote.
        assert!(!t("1333”总体布局", "1333总体布局"));
        assert!(!t("两队，一室", "两队一室"));
        // Zero or two edits.
        assert!(!t("两队一室", "两队一室"));
        assert!(!t("两对一所", "两队一室"));
    }
}
