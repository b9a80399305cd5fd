//! Toneless pinyin of lexicon forms: for look-up by pinyin
//! ([`crate::lookup`]) and for the ids of imported entries
//! ([`crate::lexicon::import`]).
//!
//! # Readings of polyphones
//!
//! Each character is read with the `pinyin` crate's first (most common)
//! reading, which is right for nearly every policing term: 行 is `xing`
//! (情指行, 行动, 运行), 重 is `zhong` (重点), 调 is `diao` (调度), 长 is
//! `zhang` (局长). Words where a polyphone is read otherwise are listed in
//! [`WORDS`] (重塑 `chong su`, 调解 `tiao jie`, 银行 `yin hang` …); the
//! longest listed word wins at each position. Tones are dropped, so
//! polyphones that differ only by tone (处 chù/chǔ) need no entry. Add a
//! word to the table, with a test, when a look-up by pinyin misses a term.
//!
//! `ü` is written `v` (率 `lv`), as on pinyin keyboards.
//!
//! Nothing here matches text; the syllables are data for callers.

use pinyin::ToPinyin;

/// Words whose polyphonic characters are not read with the default reading,
/// as `(word, space-separated syllables)`.
pub const WORDS: &[(&str, &str)] = &[
    // 重 chóng: again, anew
    ("重塑", "chong su"),
    ("重建", "chong jian"),
    ("重新", "chong xin"),
    ("重复", "chong fu"),
    ("重组", "chong zu"),
    ("重构", "chong gou"),
    // 调 tiáo: mediate, adjust
    ("调解", "tiao jie"),
    ("调处", "tiao chu"),
    ("联调", "lian tiao"),
    ("协调", "xie tiao"),
    ("调整", "tiao zheng"),
    ("调控", "tiao kong"),
    ("调和", "tiao he"),
    ("调适", "tiao shi"),
    // 行 háng: trade, bank, row
    ("银行", "yin hang"),
    ("行业", "hang ye"),
    ("同行", "tong hang"),
    ("行列", "hang lie"),
    // 长 cháng: long
    ("长效", "chang xiao"),
    ("长期", "chang qi"),
    ("长远", "chang yuan"),
    ("长治", "chang zhi"),
    ("长江", "chang jiang"),
    ("长安", "chang an"),
    ("专长", "zhuan chang"),
    // others
    ("率先", "shuai xian"),
    ("统率", "tong shuai"),
    ("供给", "gong ji"),
    ("反省", "fan xing"),
    ("会计", "kuai ji"),
    ("相似", "xiang si"),
    ("类似", "lei si"),
    ("参差", "cen ci"),
    ("单于", "chan yu"),
    ("省悟", "xing wu"),
    ("还原", "huan yuan"),
    ("归还", "gui huan"),
    ("偿还", "chang huan"),
    ("传记", "zhuan ji"),
    ("宝藏", "bao zang"),
    ("西藏", "xi zang"),
    ("数见不鲜", "shuo jian bu xian"),
];

/// The syllables of `s`, in groups: a run of Chinese characters is one
/// group of one syllable per character, a run of ASCII letters and digits
/// is one group of one lowercase syllable, and anything else (punctuation,
/// spaces, other scripts) separates groups.
///
/// ```
/// let syllables: Vec<Vec<String>> = tifa::pinyin::groups("情指行、RPA机器人")
///     .into_iter()
///     .map(|g| g.syllables)
///     .collect();
/// assert_eq!(syllables, [vec!["qing", "zhi", "xing"], vec!["rpa"], vec!["ji", "qi", "ren"]]);
/// ```
pub fn groups(s: &str) -> Vec<Group> {
    let chars: Vec<char> = s.chars().collect();
    let mut groups: Vec<Group> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let han = |syllables| Group {
        ascii: false,
        syllables,
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                groups.push(han(std::mem::take(&mut current)));
            }
            let mut run = String::new();
            while let Some(&c) = chars.get(i).filter(|c| c.is_ascii_alphanumeric()) {
                run.push(c.to_ascii_lowercase());
                i += 1;
            }
            groups.push(Group {
                ascii: true,
                syllables: vec![run],
            });
            continue;
        }
        if let Some((word, reading)) = word_at(&chars[i..]) {
            current.extend(reading.split(' ').map(str::to_owned));
            i += word;
            continue;
        }
        match c.to_pinyin() {
            Some(p) => current.push(p.plain().replace('ü', "v")),
            None => {
                if !current.is_empty() {
                    groups.push(han(std::mem::take(&mut current)));
                }
            }
        }
        i += 1;
    }
    if !current.is_empty() {
        groups.push(han(current));
    }
    groups
}

/// A run of syllables: Chinese characters (one syllable each) or one run
/// of ASCII letters and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// True for a run of ASCII letters and digits.
    pub ascii: bool,
    /// The syllables, lowercase and toneless.
    pub syllables: Vec<String>,
}

/// The longest word of [`WORDS`] at the start of `chars`: its length in
/// characters and its reading.
fn word_at(chars: &[char]) -> Option<(usize, &'static str)> {
    let first = *chars.first()?;
    let mut best: Option<(usize, &'static str)> = None;
    for (word, reading) in WORDS {
        if !word.starts_with(first) {
            continue;
        }
        let n = word.chars().count();
        if chars.len() >= n
            && word.chars().zip(chars).all(|(a, &b)| a == b)
            && best.is_none_or(|(m, _)| n > m)
        {
            best = Some((n, reading));
        }
    }
    best
}

/// True when two Chinese characters share their toneless (most common)
/// reading: `枫`/`风`, `实`/`室`, the slips a pinyin keyboard makes.
pub fn homophones(a: char, b: char) -> bool {
    match (a.to_pinyin(), b.to_pinyin()) {
        (Some(a), Some(b)) => a.plain() == b.plain(),
        _ => false,
    }
}

/// Full toneless pinyin, without spaces: `情指行` → `qingzhixing`.
pub fn full(s: &str) -> String {
    full_of(&groups(s))
}

/// [`full`] of groups already made.
pub fn full_of(groups: &[Group]) -> String {
    groups
        .iter()
        .flat_map(|g| g.syllables.iter())
        .map(String::as_str)
        .collect()
}

/// Initials: the first letter of each Chinese syllable, ASCII runs whole:
/// `两队一室` → `ldys`, `情指行` → `qzx`.
pub fn initials(s: &str) -> String {
    initials_of(&groups(s))
}

/// [`initials`] of groups already made.
pub fn initials_of(groups: &[Group]) -> String {
    let mut out = String::new();
    for g in groups {
        for syllable in &g.syllables {
            match syllable.chars().next() {
                Some(_) if g.ascii => out.push_str(syllable),
                Some(c) => out.push(c),
                None => {}
            }
        }
    }
    out
}

/// An id made of pinyin: groups joined by `-`, the syllables of a group
/// run together: `两队一室` → `liangduiyishi`, `市县主战、派出所主防` →
/// `shixianzhuzhan-paichusuozhufang`. Empty when `s` has neither Chinese
/// characters nor ASCII letters or digits.
pub fn id(s: &str) -> String {
    groups(s)
        .iter()
        .map(|g| g.syllables.concat())
        .collect::<Vec<_>>()
        .join("-")
}

/// A query as pinyin: lowercase ASCII letters and digits, with spaces,
/// apostrophes and hyphens dropped and `ü`/`u:` written `v`. `None` when
/// the query holds anything else, so it cannot be pinyin.
pub fn query_key(query: &str) -> Option<String> {
    let q = query
        .trim()
        .to_lowercase()
        .replace("u:", "v")
        .replace('ü', "v");
    if q.is_empty() {
        return None;
    }
    let mut key = String::new();
    for c in q.chars() {
        match c {
            'a'..='z' | '0'..='9' => key.push(c),
            ' ' | '\'' | '’' | '-' => {}
            _ => return None,
        }
    }
    (key.chars().any(|c| c.is_ascii_alphabetic())).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homophones_share_a_toneless_reading() {
        assert!(super::homophones('枫', '风'));
        assert!(super::homophones('实', '室'));
        assert!(super::homophones('化', '华'));
        assert!(!super::homophones('防', '任'));
        assert!(!super::homophones('动', '调'));
        assert!(!super::homophones('a', 'a'));
    }

    #[test]
    fn polyphones_in_policing_terms() {
        let cases = [
            ("情指行", "qingzhixing", "qzx"),
            ("两队一室", "liangduiyishi", "ldys"),
            (
                "禁毒工作体系化重塑",
                "jindugongzuotixihuachongsu",
                "jdgztxhcs",
            ),
            ("多元联调机制", "duoyuanliantiaojizhi", "dyltjz"),
            ("重点人员", "zhongdianrenyuan", "zdry"),
            ("调度指挥", "diaoduzhihui", "ddzh"),
            ("局长", "juzhang", "jz"),
            ("长效机制", "changxiaojizhi", "cxjz"),
            ("现案破案率", "xiananpoanlv", "xapal"),
            ("接处警", "jiechujing", "jcj"),
            ("专业+机制+大数据", "zhuanyejizhidashuju", "zyjzdsj"),
            ("1333", "1333", "1333"),
            ("RPA机器人", "rpajiqiren", "rpajqr"),
        ];
        for (form, want_full, want_initials) in cases {
            assert_eq!(full(form), want_full, "{form}");
            assert_eq!(initials(form), want_initials, "{form}");
        }
    }

    #[test]
    fn ids() {
        assert_eq!(id("两队一室"), "liangduiyishi");
        assert_eq!(
            id("市县主战、派出所主防"),
            "shixianzhuzhan-paichusuozhufang"
        );
        assert_eq!(id("RPA机器人"), "rpa-jiqiren");
        assert_eq!(id("、“”"), "");
    }

    #[test]
    fn query_keys() {
        assert_eq!(query_key("qing zhi xing").as_deref(), Some("qingzhixing"));
        assert_eq!(query_key("LDYS").as_deref(), Some("ldys"));
        assert_eq!(query_key("xi'an").as_deref(), Some("xian"));
        assert_eq!(query_key("lü").as_deref(), Some("lv"));
        assert_eq!(query_key("两队"), None);
        assert_eq!(query_key("1333"), None);
        assert_eq!(query_key("  "), None);
    }

    #[test]
    fn every_word_has_one_syllable_per_character() {
        for (word, reading) in WORDS {
            assert_eq!(
                word.chars().count(),
                reading.split(' ').count(),
                "{word} {reading}"
            );
        }
    }
}
