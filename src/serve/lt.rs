//! LanguageTool's HTTP API, as its clients speak it: `POST` (or `GET`)
//! `/v2/check` and `GET /v2/languages`.
//!
//! A check takes `text`, or `data` (`{"annotation": [{"text": …},
//! {"markup": …, "interpretAs": …}]}`: markup is not checked, but counts in
//! the offsets, as in LanguageTool; `interpretAs` stands in for it in the
//! checked text), `language` (`zh-CN`, `zh`, `auto`; another language is
//! refused with 400, as LanguageTool refuses one it does not know),
//! `enabledRules`, `disabledRules` and `enabledOnly` with tifa's rule ids
//! (`TIFA_WRONG_FORM` as answered, or `wrong-form`; rules are filtered
//! after checking, so `enabledRules` cannot turn on a rule tifa.toml turned
//! off), and tifa's own `offsetUnit`: `utf16` (LanguageTool's unit, the
//! default), `codepoint` or `byte` (UTF-8) for `offset`, `length` and the
//! context's. Other parameters (`motherTongue`, `level`, `username` …) are
//! accepted and ignored; `apiKey` carries `--token`.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{App, Problem, answer, blocking, permit, submission};
use crate::check::{Lang, Located, Rule};

/// Characters of context each side of a match.
const CONTEXT_CHARS: usize = 40;

/// How offsets are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Utf16,
    CodePoint,
    Byte,
}

impl Unit {
    fn parse(s: Option<&str>) -> Result<Unit, Problem> {
        match s.map(str::to_ascii_lowercase).as_deref() {
            None | Some("" | "utf16" | "utf-16") => Ok(Unit::Utf16),
            Some("codepoint" | "codepoints" | "char" | "unicode") => Ok(Unit::CodePoint),
            Some("byte" | "bytes" | "utf8" | "utf-8") => Ok(Unit::Byte),
            Some(other) => Err(Problem::bad(format!(
                "unknown offsetUnit `{other}`: use utf16 (the default), codepoint or byte"
            ))),
        }
    }

    fn of(self, s: &str) -> usize {
        match self {
            Unit::Utf16 => s.encode_utf16().count(),
            Unit::CodePoint => s.chars().count(),
            Unit::Byte => s.len(),
        }
    }
}

/// Byte offsets of one text to offsets in a unit, counted on from the last
/// offset asked for (matches come in text order).
struct Offsets<'a> {
    text: &'a str,
    unit: Unit,
    last: (usize, usize),
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str, unit: Unit) -> Self {
        Offsets {
            text,
            unit,
            last: (0, 0),
        }
    }

    fn at(&mut self, byte: usize) -> usize {
        let byte = floor(self.text, byte);
        let (from, units) = if byte >= self.last.0 {
            self.last
        } else {
            (0, 0)
        };
        let n = units + self.unit.of(&self.text[from..byte]);
        self.last = (byte, n);
        n
    }
}

fn floor(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The text a check reads, and where each piece of it is in the document
/// the client sent (with markup).
#[derive(Debug, Default)]
struct Annotated {
    /// The document as sent: text and markup.
    original: String,
    /// What is checked: text, and `interpretAs` for markup.
    checked: String,
    /// (checked range, original range, is text), in order.
    pieces: Vec<(std::ops::Range<usize>, std::ops::Range<usize>, bool)>,
}

#[derive(Debug, Deserialize)]
struct Data {
    annotation: Vec<Part>,
}

#[derive(Debug, Deserialize)]
struct Part {
    text: Option<String>,
    markup: Option<String>,
    #[serde(rename = "interpretAs")]
    interpret_as: Option<String>,
}

impl Annotated {
    fn plain(text: String) -> Annotated {
        let n = text.len();
        Annotated {
            checked: text.clone(),
            original: text,
            pieces: vec![(0..n, 0..n, true)],
        }
    }

    fn from_data(data: &str) -> Result<Annotated, Problem> {
        let data: Data = serde_json::from_str(data).map_err(|e| {
            Problem::bad(format!(
                "`data` is not LanguageTool's annotation JSON ({{\"annotation\": [{{\"text\": …}}, {{\"markup\": …}}]}}): {e}"
            ))
        })?;
        let mut a = Annotated::default();
        for (i, part) in data.annotation.into_iter().enumerate() {
            let (original, checked, is_text) = match (part.text, part.markup) {
                (Some(t), None) => (t.clone(), t, true),
                (None, Some(m)) => (m, part.interpret_as.unwrap_or_default(), false),
                _ => {
                    return Err(Problem::bad(format!(
                        "`data`: annotation part {} must have either `text` or `markup`",
                        i + 1
                    )));
                }
            };
            let o = a.original.len();
            let c = a.checked.len();
            a.original.push_str(&original);
            a.checked.push_str(&checked);
            a.pieces
                .push((c..a.checked.len(), o..a.original.len(), is_text));
        }
        Ok(a)
    }

    /// The original offset of checked offset `at`: its start when `start`,
    /// else its end (a span ending in an `interpretAs` takes all its markup).
    fn original(&self, at: usize, start: bool) -> usize {
        let i = if start {
            self.pieces.partition_point(|(c, _, _)| c.end <= at)
        } else {
            self.pieces.partition_point(|(c, _, _)| c.end < at)
        };
        match self.pieces.get(i) {
            Some((c, o, true)) => o.start + (at.saturating_sub(c.start)).min(o.len()),
            Some((_, o, false)) => {
                if start {
                    o.start
                } else {
                    o.end
                }
            }
            None => self.original.len(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Software {
    name: &'static str,
    version: &'static str,
    build_date: &'static str,
    api_version: u32,
    premium: bool,
    status: &'static str,
    /// tifa's: the fingerprint of the lexicon that checked.
    lexicon: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LanguageJson {
    name: &'static str,
    code: &'static str,
    detected_language: Detected,
}

#[derive(Serialize)]
struct Detected {
    name: &'static str,
    code: &'static str,
    confidence: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Warnings {
    incomplete_results: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MatchJson {
    message: String,
    short_message: &'static str,
    replacements: Vec<Replacement>,
    offset: usize,
    length: usize,
    context: Context,
    sentence: String,
    #[serde(rename = "type")]
    kind: TypeJson,
    rule: RuleJson,
    ignore_for_incomplete_sentence: bool,
    context_for_sure_match: i32,
}

#[derive(Serialize)]
struct Replacement {
    value: String,
}

#[derive(Serialize)]
struct Context {
    text: String,
    offset: usize,
    length: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TypeJson {
    type_name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleJson {
    id: String,
    description: &'static str,
    issue_type: &'static str,
    category: Category,
}

#[derive(Serialize)]
struct Category {
    id: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct Response_ {
    software: Software,
    warnings: Warnings,
    language: LanguageJson,
    matches: Vec<MatchJson>,
}

/// `TIFA_WRONG_FORM` for `wrong-form`.
fn rule_id(rule: Rule) -> String {
    format!("TIFA_{}", rule.id().to_ascii_uppercase().replace('-', "_"))
}

/// The rule a client names: `TIFA_WRONG_FORM`, `WRONG_FORM` or `wrong-form`.
fn parse_rule(s: &str) -> Option<Rule> {
    let s = s.trim().to_ascii_lowercase().replace('_', "-");
    Rule::from_id(s.strip_prefix("tifa-").unwrap_or(&s))
}

fn rules(list: Option<&str>) -> Vec<Rule> {
    list.unwrap_or_default()
        .split(',')
        .filter_map(parse_rule)
        .collect()
}

/// LanguageTool's issue type (the ITS 2.0 quality issue types) of a rule.
fn issue_type(rule: Rule) -> &'static str {
    match rule {
        Rule::WrongForm | Rule::Superseded | Rule::PartOrder => "terminology",
        Rule::MissingPart => "omission",
        Rule::NonCanonical => "typographical",
        Rule::NearMiss => "misspelling",
        Rule::BadDirective => "other",
    }
}

fn short_message(rule: Rule, lang: Lang) -> &'static str {
    match (rule, lang) {
        (Rule::WrongForm, Lang::Zh) => "提法误写",
        (Rule::WrongForm, Lang::En) => "Wrong form",
        (Rule::Superseded, Lang::Zh) => "旧提法",
        (Rule::Superseded, Lang::En) => "Outdated form",
        (Rule::MissingPart, Lang::Zh) => "缺少一段",
        (Rule::MissingPart, Lang::En) => "Part missing",
        (Rule::PartOrder, Lang::Zh) => "顺序有误",
        (Rule::PartOrder, Lang::En) => "Parts out of order",
        (Rule::NonCanonical, Lang::Zh) => "写法不规范",
        (Rule::NonCanonical, Lang::En) => "Non-canonical form",
        (Rule::NearMiss, Lang::Zh) => "疑似误写",
        (Rule::NearMiss, Lang::En) => "Near miss",
        (Rule::BadDirective, Lang::Zh) => "指令有误",
        (Rule::BadDirective, Lang::En) => "Unknown rule in directive",
    }
}

/// True for a language this server checks.
fn chinese(language: &str) -> bool {
    let l = language.trim().to_ascii_lowercase();
    l == "auto" || l == "zh" || l == "zh-cn" || l.starts_with("zh-hans")
}

/// The sentence around `start..end` of `text`: from after the last
/// sentence end before it to the next one after it, inclusive.
fn sentence(text: &str, start: usize, end: usize) -> String {
    let ends = |c: char| matches!(c, '。' | '！' | '？' | '!' | '?' | '\n' | '；');
    let from = text[..start]
        .char_indices()
        .rev()
        .find(|&(_, c)| ends(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let to = text[end..]
        .char_indices()
        .find(|&(_, c)| ends(c))
        .map_or(text.len(), |(i, c)| {
            end + i + if c == '\n' { 0 } else { c.len_utf8() }
        });
    text[from..to].trim().to_owned()
}

/// The LanguageTool match of one finding of the checked text.
fn to_match(
    item: &Located,
    a: &Annotated,
    original: &mut Offsets<'_>,
    unit: Unit,
    lang: Lang,
) -> MatchJson {
    let text = &a.checked;
    let (start, end) = (
        floor(text, item.finding.start),
        floor(text, item.finding.end.max(item.finding.start)),
    );
    let from = text[..start]
        .char_indices()
        .rev()
        .nth(CONTEXT_CHARS - 1)
        .map_or(0, |(i, _)| i);
    let to = text[end..]
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map_or(text.len(), |(i, _)| end + i);
    let offset = original.at(a.original(start, true));
    let length = original.at(a.original(end, false)).saturating_sub(offset);
    let rule = item.finding.rule;
    MatchJson {
        message: item.message.clone(),
        short_message: short_message(rule, lang),
        replacements: item
            .finding
            .suggestion
            .iter()
            .map(|s| Replacement { value: s.clone() })
            .collect(),
        offset,
        length,
        context: Context {
            // Line breaks as spaces: one unit each in every unit, so the
            // offsets hold.
            text: text[from..to].replace(['\n', '\r'], " "),
            offset: unit.of(&text[from..start]),
            length: unit.of(&text[start..end]),
        },
        sentence: sentence(text, start, end),
        kind: TypeJson { type_name: "Other" },
        rule: RuleJson {
            id: rule_id(rule),
            description: rule.description(lang),
            issue_type: issue_type(rule),
            category: Category {
                id: "TIFA",
                name: match lang {
                    Lang::Zh => "提法",
                    Lang::En => "Formulations (tifa)",
                },
            },
        },
        ignore_for_incomplete_sentence: false,
        context_for_sure_match: 0,
    }
}

/// `POST|GET /v2/check`.
pub(crate) async fn check(State(app): State<App>, req: Request) -> Response {
    let permit = permit(&req);
    let sub = match submission(req).await {
        Ok(s) => s,
        Err(p) => return p.into_response(),
    };
    let done = blocking(permit.as_ref(), move || {
        let language = sub.get("language").unwrap_or("zh-CN");
        if !chinese(language) {
            return Err(Problem::bad(format!(
                "language `{language}` is not supported: tifa checks Chinese (use zh-CN, zh or auto)"
            )));
        }
        let unit = Unit::parse(sub.get("offsetUnit"))?;
        let a = match (sub.get("data"), sub.get("text")) {
            (Some(data), _) => Annotated::from_data(data)?,
            (None, Some(text)) => Annotated::plain(text.to_owned()),
            (None, None) => {
                return Err(Problem::bad("missing `text` or `data` parameter"));
            }
        };
        let lang = super::lang(&sub, app.lang)?;
        let enabled = rules(sub.get("enabledRules"));
        let disabled = rules(sub.get("disabledRules"));
        let only = sub.flag("enabledOnly");
        let items = app.engine.check("<text>", &a.checked, lang);
        let mut original = Offsets::new(&a.original, unit);
        let matches = items
            .iter()
            .filter(|i| {
                let r = i.finding.rule;
                !disabled.contains(&r) && (!only || enabled.contains(&r))
            })
            .map(|i| to_match(i, &a, &mut original, unit, lang))
            .collect();
        let response = Response_ {
            software: Software {
                name: "tifa",
                version: env!("CARGO_PKG_VERSION"),
                build_date: "",
                api_version: 1,
                premium: false,
                status: "",
                lexicon: app.engine.fingerprint().to_owned(),
            },
            warnings: Warnings {
                incomplete_results: false,
            },
            language: LanguageJson {
                name: "Chinese",
                code: "zh-CN",
                detected_language: Detected {
                    name: "Chinese",
                    code: "zh-CN",
                    confidence: 1.0,
                },
            },
            matches,
        };
        serde_json::to_vec(&response)
            .map_err(|e| Problem::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
    })
    .await;
    match done {
        Ok(Ok(body)) => answer("application/json", body),
        Ok(Err(p)) | Err(p) => p.into_response(),
    }
}

/// `GET /v2/languages`.
pub(crate) async fn languages() -> Response {
    answer(
        "application/json",
        br#"[{"name":"Chinese","code":"zh","longCode":"zh-CN"}]"#.to_vec(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        let t = "a😀两";
        let mut o = Offsets::new(t, Unit::Utf16);
        assert_eq!(o.at(1), 1);
        assert_eq!(o.at(5), 3);
        assert_eq!(o.at(8), 4);
        assert_eq!(o.at(0), 0);
        assert_eq!(Offsets::new(t, Unit::CodePoint).at(8), 3);
        assert_eq!(Offsets::new(t, Unit::Byte).at(8), 8);
        // Inside a character: its start.
        assert_eq!(Offsets::new(t, Unit::CodePoint).at(3), 1);
    }

    #[test]
    fn markup_counts_in_offsets() {
        let a = Annotated::from_data(
            r#"{"annotation":[{"text":"甲"},{"markup":"<b>","interpretAs":""},{"text":"两队一所"},{"markup":"</b>"}]}"#,
        )
        .unwrap();
        assert_eq!(a.checked, "甲两队一所");
        assert_eq!(a.original, "甲<b>两队一所</b>");
        // 两 is at byte 3 of the checked text, byte 6 of the original.
        assert_eq!(a.original(3, true), 6);
        assert_eq!(a.original(15, false), 18);
        let bad = Annotated::from_data(r#"{"annotation":[{"text":"a","markup":"b"}]}"#);
        assert!(bad.is_err());
        assert!(Annotated::from_data("{").is_err());
    }

    #[test]
    fn rule_names() {
        assert_eq!(rule_id(Rule::WrongForm), "TIFA_WRONG_FORM");
        for r in Rule::ALL {
            assert_eq!(parse_rule(&rule_id(r)), Some(r));
            assert_eq!(parse_rule(r.id()), Some(r));
        }
        assert_eq!(parse_rule("MORFOLOGIK_RULE_EN_US"), None);
    }

    #[test]
    fn sentences_and_languages() {
        let t = "第一句。全面推行两队一所改革！第三句";
        let s = t.find("两队").unwrap();
        assert_eq!(sentence(t, s, s + 12), "全面推行两队一所改革！");
        assert!(chinese("zh-CN") && chinese("zh") && chinese("auto") && chinese("zh-Hans"));
        assert!(!chinese("en-US") && !chinese("de"));
    }
}
