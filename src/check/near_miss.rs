//! Near misses: a span one character off a long accepted form (`云眼晴` in
//! `芯大脑+云眼晴+智手脚`, `法制润警`).
//!
//! Every accepted form of at least `min_chars` characters is split into
//! two halves, and the halves are patterns of the checker's automaton. One edit
//! leaves at least one half intact, so every one-edit variant contains a
//! half exactly (the pigeonhole principle): a hit of the left half is tried
//! against the windows of `n - 1`, `n` and `n + 1` characters that start
//! there, a hit of the right half against those that end there, and a
//! window is a near miss when its edit distance to the form is exactly one.
//!
//! What keeps ordinary words out:
//! - in running text, the edit must be inside a form of at least
//!   `min_chars` characters, not on its first or last character: a changed
//!   last character is usually another word that shares a prefix
//!   (`社区警务工作` is not `社区警务队` misspelt);
//! - a character replaced by a homophone (the slip of a pinyin keyboard)
//!   counts on the first or last character too, and so in forms of four
//!   characters, where the context says the writer meant the formulation:
//!   clause punctuation, a quotation mark or a line end on that side
//!   (`“风桥经验”`, `推进情指行一体华，`, `一标三室。`), or the window one
//!   part of an enumeration whose neighbour is a lexicon term
//!   (`省级主则、市县主战`). Other changes there are other words
//!   (`派出所主任，` is not `派出所主防`), and so is a character added or
//!   dropped at an edge (`社区警务队员`). A form shorter than `min_chars`
//!   has no near misses inside (`警民联动` is not `警民联调` misspelt); its
//!   patterns are the form without its first or its last character;
//! - a character added or dropped beside the first or last character
//!   counts only with clause punctuation, a quotation mark or a line end on
//!   that side: else the edge character may belong to the next word
//!   (`履行公安机关` is not `行业公安机关` misspelt; `新型发展理念` is not
//!   `新发展理念`);
//! - the window must not be a lexicon form, lie inside one, or cut through
//!   one (it may contain whole terms, but the changed character may not
//!   lie in one: `国家政权安全` holds 政权安全), nor be a `not_wrong` word of the
//!   entry, nor a unit's name: a model's name without its `式`
//!   (`枫桥派出所`, one character off `枫桥式派出所`) is a place and a unit,
//!   the station's name, not a misquote;
//! - forms shorter than four characters are not searched
//!   ([`super::NEAR_MISS_MIN_CHARS`] is `min_chars`' default).

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
    /// Forms shorter than this are only near-missed in context.
    min_chars: usize,
}

/// The shortest form whose near misses are looked for in context.
const EDGE_MIN_CHARS: usize = 4;

/// Words that end a unit's name: a place name before one of them is the
/// unit's proper name.
const UNIT_WORDS: [&str; 22] = [
    "派出所",
    "公安局",
    "公安分局",
    "分局",
    "警务室",
    "警务站",
    "工作站",
    "检查站",
    "大队",
    "中队",
    "支队",
    "总队",
    "交警队",
    "法庭",
    "法院",
    "检察院",
    "司法所",
    "街道",
    "社区",
    "服务站",
    "服务中心",
    "治安队",
];

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
                if chars.len() >= min_chars.max(3) || chars.len() >= EDGE_MIN_CHARS {
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
        Pieces {
            pieces,
            not_wrong,
            min_chars,
        }
    }

    /// The patterns: `(half, entry, Piece, index into the pieces)`.
    pub(super) fn patterns(&self) -> impl Iterator<Item = (String, usize, FormKind, usize)> + '_ {
        self.pieces
            .iter()
            .enumerate()
            .map(|(k, (entry, chars, left))| {
                // A form too short for running text is only near-missed by
                // a changed character at an edge (one inside is another
                // word as often as not: 警民联动, 警民联调), which leaves
                // all but that character intact: those are its pieces, and
                // rarer in text than halves would be.
                let mid = if chars.len() < self.min_chars {
                    if *left { chars.len() - 1 } else { 1 }
                } else {
                    chars.len() / 2
                };
                let half: String = if *left {
                    chars[..mid].iter().collect()
                } else {
                    chars[mid..].iter().collect()
                };
                (half, *entry, FormKind::Piece, k)
            })
    }

    /// The stretch of normalized `text` that the near misses a hit `h` of
    /// a half may give lie in, when it is a half's hit.
    pub(super) fn reach(&self, text: &str, h: &Hit) -> Option<(usize, usize)> {
        let (_, form, left) = self.pieces.get(h.form)?;
        let n = form.len() + 1;
        Some(if *left {
            (h.start, forward(text, h.start, n).unwrap_or(text.len()))
        } else {
            (back(text, h.end, n).unwrap_or(0), h.end)
        })
    }

    /// Near misses in normalized `text`, from the checker's `extra` hits and
    /// the outermost lexicon `spans`.
    pub(super) fn findings(
        &self,
        text: &str,
        extra: &[Hit],
        spans: &[Hit],
        breaks: &dyn Fn(usize) -> bool,
    ) -> Vec<Finding> {
        let mut out: Vec<Finding> = Vec::new();
        let mut windows: std::collections::HashSet<(usize, usize)> = Default::default();
        let mut w: Vec<char> = Vec::new();
        for h in extra.iter().filter(|h| h.kind == FormKind::Piece) {
            let Some((entry, form, left)) = self.pieces.get(h.form) else {
                continue;
            };
            let n = form.len();
            // A short form's one window, once.
            let lens: &[usize] = if n < self.min_chars {
                &[n]
            } else {
                &[n - 1, n, n + 1]
            };
            for &len in lens {
                let window = if *left {
                    forward(text, h.start, len).map(|end| (h.start, end))
                } else {
                    back(text, h.end, len).map(|start| (start, h.end))
                };
                let Some((start, end)) = window else { continue };
                // One buffer for every window: most are no near miss.
                w.clear();
                w.extend(text[start..end].chars());
                let Some(edit) = one_edit(&w, form) else {
                    continue;
                };
                let plain = edit.interior && n >= self.min_chars;
                if !plain && !slip_in_context(text, start, end, spans, breaks, (&w, form), &edit) {
                    continue;
                }
                if next_to_edge(&edit, n)
                    .is_some_and(|left| !edge_bounded(text, start, end, left, breaks))
                {
                    continue;
                }
                if clashes(spans, start, end)
                    || unit_name(&w, form, &edit)
                    || changed_in_a_term(text, start, end, spans, &edit)
                {
                    continue;
                }
                if self
                    .not_wrong
                    .get(*entry)
                    .is_some_and(|words| words.iter().any(|x| *x == text[start..end]))
                {
                    continue;
                }
                if !windows.insert((start, end)) {
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

/// One edit that turns a form into a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edit {
    /// Where, in the form's characters.
    at: usize,
    /// A character changed (not added or dropped).
    substitution: bool,
    /// A character added (between form characters `at - 1` and `at`).
    insertion: bool,
    /// Not on the form's first or last character.
    interior: bool,
}

/// The edit when `w` is one substitution, insertion or deletion away from
/// `f` and the characters involved are letters or ideographs (a quote mark
/// or a comma more or less is punctuation, not a misquote; separators are
/// the parts rule's business). An edit on the first or last character
/// counts only as a substitution of one ideograph by another (a digit one
/// off is another number; a character added at an edge makes another
/// word).
fn one_edit(w: &[char], f: &[char]) -> Option<Edit> {
    let n = f.len();
    let first_diff = w.iter().zip(f).position(|(a, b)| a != b);
    let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
    let ideograph = |c: Option<&char>| c.is_some_and(|c| !c.is_ascii() && c.is_alphabetic());
    let edit = match w.len() as isize - n as isize {
        0 => {
            let i = first_diff?;
            let ok = w[i + 1..] == f[i + 1..] && word(w.get(i)) && word(f.get(i));
            let edge = i == 0 || i + 1 == n;
            let edge_ok = ideograph(w.get(i)) && ideograph(f.get(i));
            (ok && (!edge || edge_ok)).then_some(Edit {
                at: i,
                substitution: true,
                insertion: false,
                interior: !edge,
            })
        }
        1 => {
            // An inserted character at w[i], between f[i-1] and f[i].
            let i = first_diff.unwrap_or(n);
            (w[i + 1..] == f[i..] && i > 0 && i < n && word(w.get(i))).then_some(Edit {
                at: i,
                substitution: false,
                insertion: true,
                interior: true,
            })
        }
        -1 => {
            // f[i] deleted.
            let i = first_diff.unwrap_or(n - 1);
            (w[i..] == f[i + 1..] && i > 0 && i + 1 < n && word(f.get(i))).then_some(Edit {
                at: i,
                substitution: false,
                insertion: false,
                interior: true,
            })
        }
        _ => None,
    }?;
    Some(edit)
}

/// Opening and closing quotation marks.
fn opens(c: char) -> bool {
    matches!(c, '“' | '‘' | '「' | '『' | '《' | '"' | '\'')
}
fn closes(c: char) -> bool {
    matches!(c, '”' | '’' | '」' | '』' | '》' | '"' | '\'')
}

/// Clause punctuation: what ends a clause or separates the parts of an
/// enumeration.
fn clause(c: char) -> bool {
    matches!(
        c,
        '、' | '，'
            | ','
            | '。'
            | '；'
            | ';'
            | '：'
            | ':'
            | '！'
            | '!'
            | '？'
            | '?'
            | '（'
            | '）'
            | '('
            | ')'
            | '\n'
    )
}

/// True when the window `start..end` of `text` is quoted.
fn quoted(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    before.is_some_and(opens) && after.is_some_and(closes)
}

/// True when the context says the writer meant a formulation at
/// `start..end`: it is quoted, stands between clause punctuation (or the
/// text's ends) on both sides, or is bounded on one side and on the other
/// separated by a list separator from a lexicon term.
fn meant(
    text: &str,
    start: usize,
    end: usize,
    spans: &[Hit],
    breaks: &dyn Fn(usize) -> bool,
) -> bool {
    if quoted(text, start, end) {
        return true;
    }
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let bounded = |c: Option<char>| c.is_none_or(|c| clause(c) || opens(c) || closes(c));
    let list = |c: Option<char>| matches!(c, Some('、' | '，' | ',' | '；' | ';'));
    // `spans` are sorted by start and do not overlap, so their ends are in
    // order too: a binary search, not a walk over all of them.
    let term_at = |at: usize, right: bool| {
        if right {
            let i = spans.partition_point(|s| s.start < at);
            spans.get(i).is_some_and(|s| s.start == at)
        } else {
            let i = spans.partition_point(|s| s.end < at);
            spans.get(i).is_some_and(|s| s.end == at)
        }
    };
    let left_part = list(before) && before.is_some_and(|c| term_at(start - c.len_utf8(), false));
    let right_part = list(after) && after.is_some_and(|c| term_at(end + c.len_utf8(), true));
    (bounded(before) || breaks(start) || left_part) && (bounded(after) || breaks(end) || right_part)
}

/// True when a changed first or last character, which running text does
/// not count, counts here: a homophone (the slip of a pinyin keyboard:
/// `风桥经验`, `一标三室`), where the context says a formulation was meant:
/// clause punctuation, a quotation mark or a line end on the edited edge,
/// or the whole window [`meant`].
fn slip_in_context(
    text: &str,
    start: usize,
    end: usize,
    spans: &[Hit],
    breaks: &dyn Fn(usize) -> bool,
    (w, f): (&[char], &[char]),
    edit: &Edit,
) -> bool {
    if !edit.substitution || !crate::pinyin::homophones(w[edit.at], f[edit.at]) {
        return false;
    }
    let bounded = |c: Option<char>| c.is_none_or(|c| clause(c) || opens(c) || closes(c));
    if edit.interior {
        false
    } else if edit.at == 0 {
        bounded(text[..start].chars().next_back())
            || breaks(start)
            || meant(text, start, end, spans, breaks)
    } else {
        bounded(text[end..].chars().next()) || breaks(end) || meant(text, start, end, spans, breaks)
    }
}

/// True when a character added or dropped lies beside the form's first or
/// last character: the edge character may then belong to the word before
/// or after (`履行公安机关` holds `行公安机关`, not `行业公安机关` misspelt)
/// or make a word with the added one (`新型发展理念` is not `新发展理念`).
/// `Some(true)` beside the first character, `Some(false)` beside the last.
fn next_to_edge(edit: &Edit, n: usize) -> Option<bool> {
    if edit.substitution {
        return None;
    }
    // An insertion at `at` lies between form characters `at - 1` and `at`;
    // a deletion removes form character `at`.
    let last = if edit.insertion {
        edit.at + 1 >= n
    } else {
        edit.at + 2 >= n
    };
    if edit.at <= 1 {
        Some(true)
    } else if last {
        Some(false)
    } else {
        None
    }
}

/// True when the window's edge on the `left` (or right) side is clause
/// punctuation, a quotation mark or a line end: nothing there to belong
/// to.
fn edge_bounded(
    text: &str,
    start: usize,
    end: usize,
    left: bool,
    breaks: &dyn Fn(usize) -> bool,
) -> bool {
    let bounded = |c: Option<char>| c.is_none_or(|c| clause(c) || opens(c) || closes(c));
    if left {
        bounded(text[..start].chars().next_back()) || breaks(start)
    } else {
        bounded(text[end..].chars().next()) || breaks(end)
    }
}

/// True when the changed character of a substitution lies in a lexicon
/// term inside the window: the writer wrote that term, not the form
/// misspelt (`国家政权安全` holds 政权安全, one of the parts of 国家政治安全,
/// not 国家政治安全 with one character off).
fn changed_in_a_term(text: &str, start: usize, end: usize, spans: &[Hit], edit: &Edit) -> bool {
    if !edit.substitution {
        return false;
    }
    let Some((at, _)) = text[start..end].char_indices().nth(edit.at) else {
        return false;
    };
    let at = start + at;
    super::overlapping(spans, start, end)
        .iter()
        .any(|s| start <= s.start && s.end <= end && s.start <= at && at < s.end)
}

/// True when the window is a unit's proper name: the form is a model's
/// name, a place followed by `式` (or `型`) and a unit word (`枫桥式派出所`),
/// and the window is the same without that `式`: a place and a unit
/// (`枫桥派出所`, the station in 枫桥), not a misquote.
fn unit_name(w: &[char], f: &[char], edit: &Edit) -> bool {
    !edit.substitution
        && w.len() < f.len()
        && matches!(f[edit.at], '式' | '型')
        && UNIT_WORDS.iter().any(|u| {
            let u: Vec<char> = u.chars().collect();
            w.ends_with(&u) && f[edit.at + 1..].starts_with(&u)
        })
}

/// True when `w` is one interior edit away from `f` (what counts in
/// running text).
#[cfg(test)]
fn one_interior_edit(w: &[char], f: &[char]) -> bool {
    one_edit(w, f).is_some_and(|e| e.interior)
}

#[cfg(test)]
mod tests {
    use super::{one_edit, one_interior_edit};

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

    fn edge(w: &str, f: &str) -> bool {
        let w: Vec<char> = w.chars().collect();
        let f: Vec<char> = f.chars().collect();
        one_edit(&w, &f).is_some_and(|e| !e.interior && e.substitution)
    }

    #[test]
    fn edge_edits_are_changed_ideographs() {
        assert!(edge("风桥经验", "枫桥经验"));
        assert!(edge("一标三室", "一标三实"));
        assert!(edge("情指行一体华", "情指行一体化"));
        // Added or dropped at an edge: another word, never an edge edit.
        assert!(
            one_edit(
                &['社', '区', '警', '务', '队', '员'],
                &['社', '区', '警', '务', '队']
            )
            .is_none()
        );
        assert!(one_edit(&['区', '警', '务', '队'], &['社', '区', '警', '务', '队']).is_none());
        // A digit or letter one off is another number.
        assert!(!edge("2333总体布局", "1333总体布局"));
        assert!(!edge("1+3+N", "1+3+M"));
    }
}
