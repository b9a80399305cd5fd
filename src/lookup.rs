//! Glossary look-up: which entries a query names, and how.
//!
//! Modes are tried in tiers; the first tier that finds an entry (in the
//! chosen category, if any) gives the answer:
//!
//! 1. **named** — the exact term, a variant, the id, then a component
//!    (reverse: 社区警务队 → its own entry and 两队一室). An entry named by
//!    the query comes first, then the entries the query is a part of. Only
//!    when none of those match are wrong and outdated forms tried, so a
//!    misquote leads to the entry it misquotes.
//! 2. **prefix** — a term or variant starting with the query (枫桥 →
//!    枫桥经验, 枫桥式派出所).
//! 3. **substring** — a term or variant containing the query.
//! 4. **pinyin** — the query is the toneless pinyin of a term or variant
//!    (`qingzhixing` → 情指行一体化 through 情指行), or its initials
//!    (`ldys` → 两队一室); see [`crate::pinyin`] for polyphones.
//!
//! With [`Options::in_definitions`], entries whose definition contains the
//! query are added after those. Only when all of that finds nothing is the
//! query compared with every term and variant for a **fuzzy** match (one
//! character off for up to four characters, two beyond): those are "did you
//! mean" suggestions, not answers; and last, a pinyin query against the
//! full readings, one letter off (two from fourteen letters):
//! `liangduyishi` suggests 两队一室.
//!
//! The query is compared after the same normalization as the text, with
//! surrounding quotes removed; prefix, substring and fuzzy comparisons also
//! ignore ASCII case. This module returns data; `report` prints it.

use crate::lexicon::{Entry, Lexicon};
use crate::pinyin;
use crate::text::normalize;

/// The categories of the default lexicon, in the order lists show them
/// (lexicon/README.md); other categories follow in order of appearance.
pub const CATEGORIES: [&str; 8] = [
    "警务模式",
    "工作机制",
    "口号提法",
    "专项行动",
    "机构平台",
    "队伍建设",
    "科技信息化",
    "基础术语",
];

/// How a query matched an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The canonical term.
    Term,
    /// An accepted variant.
    Variant,
    /// The entry's id.
    Id,
    /// One of the entry's components.
    Component,
    /// A known wrong form of the entry.
    Wrong,
    /// An outdated form of the entry.
    Outdated,
    /// A term or variant starts with the query.
    Prefix,
    /// A term or variant contains the query.
    Substring,
    /// The query is the full pinyin of a term or variant.
    Pinyin,
    /// The query is the pinyin initials of a term or variant.
    Initials,
    /// The full pinyin of a term or variant starts with the query
    /// (`fengqiao` for 枫桥经验).
    PinyinPrefix,
    /// The query is, or is a part of, the English rendering.
    English,
    /// The definition contains the query (`--in-definitions`).
    Definition,
    /// A term or variant one or two characters away from the query: a
    /// suggestion, not a match.
    Fuzzy,
    /// Listed by `--all` or `--category`, not matched.
    List,
}

impl Mode {
    /// The lowercase name used in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Term => "term",
            Mode::Variant => "variant",
            Mode::Id => "id",
            Mode::Component => "component",
            Mode::Wrong => "wrong",
            Mode::Outdated => "outdated",
            Mode::Prefix => "prefix",
            Mode::Substring => "substring",
            Mode::Pinyin => "pinyin",
            Mode::Initials => "initials",
            Mode::PinyinPrefix => "pinyin-prefix",
            Mode::English => "english",
            Mode::Definition => "definition",
            Mode::Fuzzy => "fuzzy",
            Mode::List => "list",
        }
    }

    /// True for the modes that name the entry itself or one of its forms:
    /// the answers of the first tier.
    pub fn is_named(self) -> bool {
        matches!(
            self,
            Mode::Term | Mode::Variant | Mode::Id | Mode::Component | Mode::Wrong | Mode::Outdated
        )
    }
}

/// One entry found by a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Index of the entry in the lexicon.
    pub entry: usize,
    /// How it matched.
    pub mode: Mode,
    /// The form of the entry that matched, as the lexicon writes it (the
    /// term, a variant, a component …; the definition for
    /// [`Mode::Definition`]).
    pub form: String,
}

/// What to look up, besides the query.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Only entries of this category.
    pub category: Option<&'a str>,
    /// Also search inside definitions.
    pub in_definitions: bool,
}

/// How many fuzzy suggestions at most.
const MAX_FUZZY: usize = 5;

/// Looks `query` up; an empty result means nothing matched, a result of
/// [`Mode::Fuzzy`] entries only means nothing matched but these are close.
pub fn lookup(lexicon: &Lexicon, query: &str, options: Options<'_>) -> Vec<Found> {
    let q = key(query);
    if q.is_empty() {
        return Vec::new();
    }
    let in_category = |e: &Entry| options.category.is_none_or(|c| e.category == c);
    let entries: Vec<(usize, &Entry)> = lexicon
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| in_category(e))
        .collect();
    let mut found = named(&entries, query, &q);
    if found.is_empty() {
        found = partial(&entries, &q);
    }
    if found.is_empty() {
        found = by_pinyin(&entries, query);
    }
    if found.is_empty() {
        found = by_english(&entries, query);
    }
    if options.in_definitions {
        let lower = q.to_lowercase();
        for &(i, e) in &entries {
            if !found.iter().any(|f| f.entry == i)
                && key(&e.definition).to_lowercase().contains(&lower)
            {
                found.push(Found {
                    entry: i,
                    mode: Mode::Definition,
                    form: e.definition.clone(),
                });
            }
        }
    }
    if found.is_empty() {
        found = fuzzy(&entries, &q);
    }
    if found.is_empty() {
        found = fuzzy_pinyin(&entries, query);
    }
    found
}

/// The term and the variants of an entry.
fn accepted(e: &Entry) -> impl Iterator<Item = (Mode, &str)> {
    std::iter::once((Mode::Term, e.term.as_str()))
        .chain(e.variants.iter().map(|v| (Mode::Variant, v.as_str())))
}

/// Tier 1: term, variant, id, component; then wrong and outdated forms.
fn named(entries: &[(usize, &Entry)], query: &str, q: &str) -> Vec<Found> {
    type FormsOf = fn(&Entry) -> Vec<&str>;
    let modes: [(Mode, FormsOf); 6] = [
        (Mode::Term, |e| vec![e.term.as_str()]),
        (Mode::Variant, |e| {
            e.variants.iter().map(String::as_str).collect()
        }),
        (Mode::Id, |e| vec![e.id.as_str()]),
        (Mode::Component, |e| {
            e.components.iter().map(String::as_str).collect()
        }),
        (Mode::Wrong, |e| {
            e.wrong.iter().map(|w| w.form.as_str()).collect()
        }),
        (Mode::Outdated, |e| {
            e.outdated.iter().map(|w| w.form.as_str()).collect()
        }),
    ];
    let id_query = query.trim().to_ascii_lowercase();
    let mut found: Vec<Found> = Vec::new();
    for (mode, forms) in modes {
        // Wrong and outdated forms only when nothing else matched.
        if matches!(mode, Mode::Wrong) && !found.is_empty() {
            break;
        }
        for &(i, e) in entries {
            if found.iter().any(|f| f.entry == i) {
                continue;
            }
            let hit = forms(e).into_iter().find(|f| match mode {
                Mode::Id => f.to_ascii_lowercase() == id_query,
                _ => key(f) == q,
            });
            if let Some(form) = hit {
                found.push(Found {
                    entry: i,
                    mode,
                    form: form.to_owned(),
                });
            }
        }
    }
    found
}

/// Tiers 2 and 3: terms and variants that start with, then contain, the
/// query.
fn partial(entries: &[(usize, &Entry)], q: &str) -> Vec<Found> {
    let q = q.to_lowercase();
    for mode in [Mode::Prefix, Mode::Substring] {
        let found: Vec<Found> = entries
            .iter()
            .filter_map(|&(i, e)| {
                accepted(e)
                    .find(|(_, f)| {
                        let k = key(f).to_lowercase();
                        k.len() > q.len()
                            && match mode {
                                Mode::Prefix => k.starts_with(&q),
                                _ => k.contains(&q),
                            }
                    })
                    .map(|(_, f)| Found {
                        entry: i,
                        mode,
                        form: f.to_owned(),
                    })
            })
            .collect();
        if !found.is_empty() {
            // The closest first: 派出所 before 派出所主防 for 派.
            let mut found = found;
            found.sort_by_key(|f| (f.form.chars().count(), f.entry));
            return found;
        }
    }
    Vec::new()
}

/// Tier 5: the English rendering, equal to the query (any case), then
/// containing it as whole words; the shortest rendering first.
fn by_english(entries: &[(usize, &Entry)], query: &str) -> Vec<Found> {
    let q = query.trim().to_lowercase();
    if q.chars().count() < 3 || !q.chars().any(|c| c.is_ascii_alphabetic()) {
        return Vec::new();
    }
    let words = |s: &str| -> String {
        let spaced: String = s
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        format!(
            " {} ",
            spaced.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    };
    let wanted = words(&q);
    for exact in [true, false] {
        let mut found: Vec<Found> = entries
            .iter()
            .filter_map(|&(i, e)| {
                let en = e.en.as_deref()?;
                let have = words(&en.to_lowercase());
                let hit = if exact {
                    have == wanted
                } else {
                    have.contains(&wanted)
                };
                hit.then(|| Found {
                    entry: i,
                    mode: Mode::English,
                    form: en.to_owned(),
                })
            })
            .collect();
        if !found.is_empty() {
            found.sort_by_key(|f| (f.form.len(), f.entry));
            return found;
        }
    }
    Vec::new()
}

/// Tier 4: full pinyin, then initials, of terms and variants.
fn by_pinyin(entries: &[(usize, &Entry)], query: &str) -> Vec<Found> {
    let Some(q) = pinyin::query_key(query) else {
        return Vec::new();
    };
    // Each form's syllables once, for both modes.
    let readings: Vec<(usize, &str, String, String)> = entries
        .iter()
        .flat_map(|&(i, e)| accepted(e).map(move |(_, f)| (i, f)))
        .map(|(i, f)| {
            let groups = pinyin::groups(f);
            (i, f, pinyin::full_of(&groups), pinyin::initials_of(&groups))
        })
        .collect();
    let mut found: Vec<Found> = Vec::new();
    for mode in [Mode::Pinyin, Mode::Initials] {
        for (i, form, full, initials) in &readings {
            let key = if mode == Mode::Pinyin { full } else { initials };
            if *key == q && !found.iter().any(|f| f.entry == *i) {
                found.push(Found {
                    entry: *i,
                    mode,
                    form: (*form).to_owned(),
                });
            }
        }
    }
    // No whole reading: readings that start with the query, for a query
    // of more than initials (two syllables or more, `fengqiao`).
    if found.is_empty() && q.len() >= 4 {
        for (i, form, full, _) in &readings {
            if full.starts_with(&q) && !found.iter().any(|f| f.entry == *i) {
                found.push(Found {
                    entry: *i,
                    mode: Mode::PinyinPrefix,
                    form: (*form).to_owned(),
                });
            }
        }
        found.sort_by_key(|f| (f.form.chars().count(), f.entry));
    }
    found
}

/// The last resort: terms and variants within one (up to four characters)
/// or two characters of the query, closest first.
fn fuzzy(entries: &[(usize, &Entry)], q: &str) -> Vec<Found> {
    let q: Vec<char> = q.to_lowercase().chars().collect();
    if q.len() < 2 {
        return Vec::new();
    }
    let max = if q.len() <= 4 { 1 } else { 2 };
    closest(entries, &q, max, |f| {
        key(f).to_lowercase().chars().collect()
    })
}

/// The terms and variants whose `reading` is within `max` edits of `q`,
/// closest first (then in lexicon order), at most [`MAX_FUZZY`], as
/// suggestions.
fn closest(
    entries: &[(usize, &Entry)],
    q: &[char],
    max: usize,
    reading: impl Fn(&str) -> Vec<char>,
) -> Vec<Found> {
    let mut close: Vec<(usize, usize, &str)> = entries
        .iter()
        .filter_map(|&(i, e)| {
            accepted(e)
                .filter_map(|(_, f)| {
                    let k = reading(f);
                    (k.len().abs_diff(q.len()) <= max)
                        .then(|| distance(q, &k))
                        .filter(|&d| d <= max)
                        .map(|d| (d, i, f))
                })
                .min_by_key(|&(d, _, _)| d)
        })
        .collect();
    close.sort_by_key(|&(d, i, _)| (d, i));
    close
        .into_iter()
        .take(MAX_FUZZY)
        .map(|(_, entry, form)| Found {
            entry,
            mode: Mode::Fuzzy,
            form: form.to_owned(),
        })
        .collect()
}

/// Suggestions for a pinyin query that reads no form: full readings one
/// letter off (a letter dropped, added or changed: `liangduyishi`,
/// `fengqiaojinyan`), two for a long query, closest first.
fn fuzzy_pinyin(entries: &[(usize, &Entry)], query: &str) -> Vec<Found> {
    let Some(q) = pinyin::query_key(query) else {
        return Vec::new();
    };
    let q: Vec<char> = q.chars().collect();
    if q.len() < 6 {
        return Vec::new();
    }
    let max = if q.len() >= 14 { 2 } else { 1 };
    closest(entries, &q, max, |f| pinyin::full(f).chars().collect())
}

/// Levenshtein distance between two strings of characters.
fn distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            row[j + 1] = substitute.min(prev[j + 1] + 1).min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

/// Every entry (of `category`, if given), grouped by category: the
/// categories in [`categories`] order, entries in lexicon order.
pub fn list(lexicon: &Lexicon, category: Option<&str>) -> Vec<Found> {
    categories(lexicon)
        .into_iter()
        .filter(|(c, _)| category.is_none_or(|want| want == *c))
        .flat_map(|(c, _)| {
            lexicon
                .entries()
                .iter()
                .enumerate()
                .filter(move |(_, e)| e.category == c)
                .map(|(i, e)| Found {
                    entry: i,
                    mode: Mode::List,
                    form: e.term.clone(),
                })
        })
        .collect()
}

/// The categories of the lexicon with their number of entries: the
/// documented [`CATEGORIES`] first, in that order, then any other in order
/// of first appearance.
pub fn categories(lexicon: &Lexicon) -> Vec<(&str, usize)> {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for e in lexicon.entries() {
        match seen.iter_mut().find(|(c, _)| *c == e.category) {
            Some((_, n)) => *n += 1,
            None => seen.push((&e.category, 1)),
        }
    }
    let rank = |c: &str| {
        CATEGORIES
            .iter()
            .position(|k| *k == c)
            .unwrap_or(CATEGORIES.len())
    };
    // Stable: unknown categories keep their order of appearance.
    seen.sort_by_key(|(c, _)| rank(c));
    seen
}

/// The comparison key: trimmed, unquoted, normalized.
fn key(s: &str) -> String {
    let s = s
        .trim()
        .trim_matches(['“', '”', '"', '\'', '‘', '’', '《', '》', '「', '」'])
        .trim();
    normalize(s).as_str().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::LexiconFile;

    fn lexicon() -> Lexicon {
        let text = r#"
[[entry]]
id = "liangdui-yishi"
term = "两队一室"
category = "警务模式"
definition = "派出所内设社区警务队、案件办理队和综合指挥室。"
components = ["社区警务队", "案件办理队", "综合指挥室"]
variants = ["一室两队"]
[[entry.wrong]]
form = "两队一所"

[[entry]]
id = "shequ-jingwudui"
term = "社区警务队"
category = "警务模式"
definition = "负责社区警务的队伍。"

[[entry]]
id = "fengqiao-jingyan"
term = "枫桥经验"
category = "工作机制"
definition = "依靠群众就地化解矛盾。"

[[entry]]
id = "fengqiao-paichusuo"
term = "枫桥式派出所"
category = "警务模式"
definition = "创建评选所授称号。"

[[entry]]
id = "qingzhixing-yitihua"
term = "情指行一体化"
category = "工作机制"
definition = "情报、指挥、行动一体运行。"
variants = ["情指行"]

[[entry]]
id = "n1333"
term = "1333"
category = "警务模式"
definition = "总体布局。"

[[entry]]
id = "rpa-robot"
term = "RPA机器人"
category = "科技信息化"
definition = "流程自动化。"
"#;
        Lexicon::load(&[vec![LexiconFile {
            path: "t.toml".into(),
            text: text.into(),
        }]])
        .unwrap()
    }

    /// `(query, options) → [(id, mode)]`
    fn t(query: &str, options: Options<'_>) -> Vec<(String, &'static str)> {
        let lexicon = lexicon();
        lookup(&lexicon, query, options)
            .into_iter()
            .map(|f| (lexicon.entry(f.entry).id.clone(), f.mode.as_str()))
            .collect()
    }

    fn ids(pairs: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        pairs.iter().map(|(i, m)| ((*i).to_owned(), *m)).collect()
    }

    #[test]
    fn modes_in_order() {
        let none = Options::default();
        let table: &[(&str, &[(&str, &str)])] = &[
            ("两队一室", &[("liangdui-yishi", "term")]),
            ("“一室两队”", &[("liangdui-yishi", "variant")]),
            ("Liangdui-Yishi", &[("liangdui-yishi", "id")]),
            (
                "社区警务队",
                &[("shequ-jingwudui", "term"), ("liangdui-yishi", "component")],
            ),
            ("两队一所", &[("liangdui-yishi", "wrong")]),
            (
                "枫桥",
                &[
                    ("fengqiao-jingyan", "prefix"),
                    ("fengqiao-paichusuo", "prefix"),
                ],
            ),
            ("指行一", &[("qingzhixing-yitihua", "substring")]),
            ("rpa", &[("rpa-robot", "prefix")]),
            ("qingzhixing", &[("qingzhixing-yitihua", "pinyin")]),
            (
                "qing zhi xing yi ti hua",
                &[("qingzhixing-yitihua", "pinyin")],
            ),
            ("ldys", &[("liangdui-yishi", "initials")]),
            ("qzx", &[("qingzhixing-yitihua", "initials")]),
            ("qzh", &[]),
            ("两队一市", &[("liangdui-yishi", "fuzzy")]),
            ("枫桥经", &[("fengqiao-jingyan", "prefix")]),
            ("枫桥式派出", &[("fengqiao-paichusuo", "prefix")]),
            ("枫桥式派所", &[("fengqiao-paichusuo", "fuzzy")]),
            // A pinyin query one letter short.
            ("liangduyishi", &[("liangdui-yishi", "fuzzy")]),
            ("不存在的词", &[]),
            ("", &[]),
        ];
        for (query, want) in table {
            assert_eq!(t(query, none), ids(want), "query {query}");
        }
    }

    #[test]
    fn category_filters_every_tier() {
        let opts = Options {
            category: Some("工作机制"),
            in_definitions: false,
        };
        assert_eq!(t("枫桥", opts), ids(&[("fengqiao-jingyan", "prefix")]));
        assert_eq!(t("两队一室", opts), ids(&[]));
    }

    #[test]
    fn definitions_are_searched_on_request() {
        let opts = Options {
            category: None,
            in_definitions: true,
        };
        assert_eq!(t("就地化解", Options::default()), ids(&[]));
        assert_eq!(
            t("就地化解", opts),
            ids(&[("fengqiao-jingyan", "definition")])
        );
        // After the named entries, without repeating them.
        assert_eq!(
            t("社区警务队", opts),
            ids(&[("shequ-jingwudui", "term"), ("liangdui-yishi", "component")])
        );
        assert_eq!(
            t("指挥", opts),
            ids(&[
                ("liangdui-yishi", "definition"),
                ("qingzhixing-yitihua", "definition")
            ])
        );
    }

    #[test]
    fn lists_and_categories() {
        let lexicon = lexicon();
        assert_eq!(
            categories(&lexicon),
            [("警务模式", 4), ("工作机制", 2), ("科技信息化", 1)]
        );
        let all: Vec<&str> = list(&lexicon, None)
            .iter()
            .map(|f| lexicon.entry(f.entry).id.as_str())
            .collect();
        assert_eq!(
            all,
            [
                "liangdui-yishi",
                "shequ-jingwudui",
                "fengqiao-paichusuo",
                "n1333",
                "fengqiao-jingyan",
                "qingzhixing-yitihua",
                "rpa-robot"
            ]
        );
        assert_eq!(list(&lexicon, Some("科技信息化")).len(), 1);
        assert!(list(&lexicon, Some("nope")).is_empty());
    }

    #[test]
    fn levenshtein() {
        let d = |a: &str, b: &str| {
            distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("两队一市", "两队一室"), 1);
        assert_eq!(d("两队一室", "两队一室"), 0);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("枫桥式派所", "枫桥式派出所"), 1);
    }
}
