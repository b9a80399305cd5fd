//! The checker: misquoted, non-canonical and outdated formulations.
//!
//! [`Checker::check`] returns [`Finding`]s, in byte offsets of the original
//! text, one per problem, never overlapping; printing is for `report`.
//!
//! | rule | default | what |
//! |---|---|---|
//! | `wrong-form` | error | a form the lexicon lists as wrong (`两队一所`) |
//! | `non-canonical` | warning | an accepted form written otherwise: full-width `＋`, a line break inside it, other separators (`市县主战,派出所主防`) |
//! | `missing-part` | error | a multi-part slogan quoted with one part missing |
//! | `part-order` | error | a multi-part slogan with its parts in another order |
//! | `near-miss` | warning | one character changed, added or removed inside a long form (`云眼晴`) |
//! | `superseded` | warning | an outdated form or entry, with its replacement |
//! | `bad-directive` | warning | an inline `tifa-disable` naming an unknown rule |
//!
//! A wrong form inside a longer accepted form is not a finding: the lexicon
//! forms of every kind are resolved leftmost-longest together first. Where
//! two findings overlap, the more specific rule wins (the order of the
//! table above).

pub mod code;
pub mod fix;
mod near_miss;
mod parts;
pub mod suppress;

use std::collections::{HashMap, HashSet};

use crate::lexicon::{FormKind, Lexicon};
use crate::scan::{BuildError, Hit, Scanner, outermost};
use crate::text::{LineIndex, normalize};

/// A rule of the checker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// A known wrong form.
    WrongForm,
    /// An outdated form or entry.
    Superseded,
    /// A multi-part slogan with a part missing.
    MissingPart,
    /// A multi-part slogan with its parts out of order.
    PartOrder,
    /// An accepted form written in a non-canonical way.
    NonCanonical,
    /// One character off a long form.
    NearMiss,
    /// An inline directive naming an unknown rule.
    BadDirective,
}

impl Rule {
    /// Every rule, in the order of precedence.
    pub const ALL: [Rule; 7] = [
        Rule::WrongForm,
        Rule::Superseded,
        Rule::MissingPart,
        Rule::PartOrder,
        Rule::NonCanonical,
        Rule::NearMiss,
        Rule::BadDirective,
    ];

    /// The ASCII rule id.
    pub fn id(self) -> &'static str {
        match self {
            Rule::WrongForm => "wrong-form",
            Rule::Superseded => "superseded",
            Rule::MissingPart => "missing-part",
            Rule::PartOrder => "part-order",
            Rule::NonCanonical => "non-canonical",
            Rule::NearMiss => "near-miss",
            Rule::BadDirective => "bad-directive",
        }
    }

    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id.trim())
    }

    /// The severity a rule has unless configured otherwise.
    pub fn default_severity(self) -> Severity {
        match self {
            Rule::WrongForm | Rule::MissingPart | Rule::PartOrder => Severity::Error,
            Rule::Superseded | Rule::NonCanonical | Rule::NearMiss | Rule::BadDirective => {
                Severity::Warning
            }
        }
    }

    /// One line on what the rule finds.
    pub fn description(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Rule::WrongForm, Lang::Zh) => "提法误写：词库所列的错误写法",
            (Rule::WrongForm, Lang::En) => "a known wrong form of a formulation",
            (Rule::Superseded, Lang::Zh) => "旧提法：已被取代的写法",
            (Rule::Superseded, Lang::En) => "an outdated formulation that has been replaced",
            (Rule::MissingPart, Lang::Zh) => "多段式提法缺少其中一段",
            (Rule::MissingPart, Lang::En) => "a multi-part slogan quoted with a part missing",
            (Rule::PartOrder, Lang::Zh) => "多段式提法的顺序有误",
            (Rule::PartOrder, Lang::En) => "a multi-part slogan with its parts out of order",
            (Rule::NonCanonical, Lang::Zh) => "写法不规范：全角字符、断行或分隔符与规范提法不同",
            (Rule::NonCanonical, Lang::En) => {
                "a formulation written with full-width characters, a line break or other separators"
            }
            (Rule::NearMiss, Lang::Zh) => "与规范提法相差一个字",
            (Rule::NearMiss, Lang::En) => "one character off a formulation",
            (Rule::BadDirective, Lang::Zh) => "行内指令中的规则名无法识别",
            (Rule::BadDirective, Lang::En) => "an inline directive names an unknown rule",
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Should be fixed.
    Warning,
    /// Must be fixed.
    Error,
}

impl Severity {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `info`, `warning` or `error`.
    pub fn from_name(s: &str) -> Option<Severity> {
        match s.trim() {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// The language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Chinese.
    #[default]
    Zh,
    /// English.
    En,
}

/// Why an accepted form is not written canonically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Full-width ASCII characters.
    FullWidth,
    /// Half-width punctuation where the canonical form has full-width.
    HalfWidth,
    /// A line break or spaces inside.
    Whitespace,
    /// Other separators between its parts.
    Separator,
}

/// What exactly a finding is about, for its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// A wrong form, with the lexicon's note.
    Wrong(Option<String>),
    /// An outdated form, with the lexicon's note.
    Outdated(Option<String>),
    /// A non-canonical writing.
    NonCanonical(Why),
    /// The parts that are missing.
    MissingPart(Vec<String>),
    /// Parts out of order.
    PartOrder,
    /// The form it is one character off.
    NearMiss(String),
    /// The unknown rule named in a directive.
    BadDirective(String),
}

/// One problem in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Start byte offset in the original text.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
    /// Which rule.
    pub rule: Rule,
    /// How serious, after configuration.
    pub severity: Severity,
    /// The entry concerned (for `bad-directive`, none).
    pub entry: Option<usize>,
    /// The text to put in place of the span.
    pub suggestion: Option<String>,
    /// True when `--fix` may apply the suggestion without asking.
    pub fixable: bool,
    /// What the message says.
    pub detail: Detail,
}

/// What the checker is told by the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Severity per rule; `None` turns a rule off. Rules not listed keep
    /// their default.
    pub severities: HashMap<Rule, Option<Severity>>,
    /// Forms that are never reported (compared after normalization).
    pub allow: Vec<String>,
    /// The shortest form, in characters, that near misses are searched for.
    pub near_miss_min_chars: usize,
}

/// The default minimum length for near misses: shorter forms have too many
/// one-character neighbours that are ordinary words (see BENCHMARKS.md and
/// the `near_miss` tests).
pub const NEAR_MISS_MIN_CHARS: usize = 5;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            severities: HashMap::new(),
            allow: Vec::new(),
            near_miss_min_chars: NEAR_MISS_MIN_CHARS,
        }
    }
}

impl Settings {
    /// The severity of `rule`, or `None` when it is off.
    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        self.severities
            .get(&rule)
            .copied()
            .unwrap_or(Some(rule.default_severity()))
    }
}

/// Checks texts against a lexicon. Built once per run.
///
/// The checker's own automaton and tables ([`CheckIndex`]) are shared: a
/// checker is a cheap view of a lexicon, its scanner and an index, so an
/// [`Engine`](crate::engine::Engine) builds the index once and hands out
/// checkers to every thread.
#[derive(Debug)]
pub struct Checker<'a> {
    lexicon: &'a Lexicon,
    scanner: &'a Scanner,
    index: std::sync::Arc<CheckIndex>,
}

/// What a [`Checker`] builds beside the lexicon's scanner: the parts of
/// multi-part terms, the pieces near misses are searched by, and the
/// settings.
#[derive(Debug)]
pub struct CheckIndex {
    /// Parts of multi-part terms and halves of long forms.
    extra: Scanner,
    near_miss: near_miss::Pieces,
    slogans: parts::Slogans,
    settings: Settings,
    allow: HashSet<String>,
}

impl CheckIndex {
    /// Builds the checker's own automaton (parts and pieces) for
    /// `lexicon`.
    ///
    /// # Errors
    ///
    /// When the automaton exceeds aho-corasick's size limits.
    pub fn new(lexicon: &Lexicon, settings: Settings) -> Result<CheckIndex, BuildError> {
        let slogans = parts::Slogans::new(lexicon);
        let near_miss = near_miss::Pieces::new(lexicon, settings.near_miss_min_chars);
        let extra = Scanner::from_forms(slogans.patterns().chain(near_miss.patterns()))?;
        let allow = settings
            .allow
            .iter()
            .map(|a| normalize(a.trim()).as_str().to_owned())
            .collect();
        Ok(CheckIndex {
            extra,
            near_miss,
            slogans,
            settings,
            allow,
        })
    }

    /// The settings it was built with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

impl<'a> Checker<'a> {
    /// Builds the checker's own automaton (parts and pieces) next to the
    /// lexicon's scanner.
    ///
    /// # Errors
    ///
    /// When the automaton exceeds aho-corasick's size limits.
    pub fn new(
        lexicon: &'a Lexicon,
        scanner: &'a Scanner,
        settings: Settings,
    ) -> Result<Checker<'a>, BuildError> {
        let index = CheckIndex::new(lexicon, settings)?;
        Ok(Checker::with_index(
            lexicon,
            scanner,
            std::sync::Arc::new(index),
        ))
    }

    /// A checker on an index built before for `lexicon`.
    pub fn with_index(
        lexicon: &'a Lexicon,
        scanner: &'a Scanner,
        index: std::sync::Arc<CheckIndex>,
    ) -> Checker<'a> {
        Checker {
            lexicon,
            scanner,
            index,
        }
    }

    /// The lexicon it checks against.
    pub fn lexicon(&self) -> &'a Lexicon {
        self.lexicon
    }

    /// The non-whitespace characters that [`Checker::check_window`] looks
    /// at before a zone, as [`Window`] says: more than any pattern, any
    /// near miss and the context they look at.
    pub fn window_margin(&self) -> usize {
        self.scanner
            .max_form_chars()
            .max(self.index.extra.max_form_chars())
            + 8
    }

    /// The settings the checker applies.
    pub fn settings(&self) -> &Settings {
        &self.index.settings
    }

    /// Every finding in `text`, sorted by position, none overlapping, with
    /// inline suppressions applied.
    pub fn check(&self, text: &str) -> Vec<Finding> {
        self.check_in(text, &[])
    }

    /// [`Checker::check`] of a document named `path`: in Markdown, code
    /// spans and code blocks are not checked ([`code`]). What every front
    /// end calls.
    pub fn check_document(&self, path: &str, text: &str) -> Vec<Finding> {
        if code::is_markdown(path) {
            self.check_in(text, &code::code_ranges(text))
        } else {
            self.check_in(text, &[])
        }
    }

    /// [`Checker::check`], dropping findings that overlap a range of `skip`
    /// (byte offsets of `text`).
    pub fn check_in(&self, text: &str, skip: &[std::ops::Range<usize>]) -> Vec<Finding> {
        let directives = suppress::Directives::parse(text);
        let (mut found, _) = self.candidates(text, &[]);
        found.extend(directives.problems());
        let index = LineIndex::new(text);
        self.choose(text, &index, 0, found, skip, &directives)
    }

    /// The findings of one window of a text read in pieces
    /// ([`Window`]), those of the stretch the window owns; `None` when the
    /// window cannot tell where that stretch begins or ends (a stretch of
    /// text too dense with terms to cut): see [`Window`].
    pub fn check_window(&self, w: &Window<'_>) -> Option<Owned> {
        let local = |at: usize| {
            let mut at = at.saturating_sub(w.offset).min(w.text.len());
            while !w.text.is_char_boundary(at) {
                at += 1;
            }
            at
        };
        let g = self.window_margin();
        // Where the hits matter to the cut: around each zone.
        let regions: Vec<(usize, usize)> = [w.left, w.right]
            .iter()
            .flatten()
            .map(|z| {
                let (start, end) = (local(z.start), local(z.end));
                (
                    back_chars(w.text, start, 3 * g),
                    ahead_chars(w.text, end, g),
                )
            })
            .collect();
        let (mut found, mut cover) = self.candidates(w.text, &regions);
        let end = w.offset + w.text.len();
        found.extend(w.directives.problems_in(w.offset, end, w.offset));
        cover.extend(
            found
                .iter()
                .filter(|f| f.rule == Rule::BadDirective)
                .map(|f| (f.start, f.end)),
        );
        cover.sort_unstable();
        let cut = |zone: &Option<Zone>, edge: usize| -> Option<usize> {
            let Some(z) = zone else {
                return Some(edge);
            };
            let start = local(z.start);
            // Spans from before the zone on are as in the whole text once
            // a point before it is free of hits.
            let (a, b) = (
                back_chars(w.text, start, 2 * g),
                back_chars(w.text, start, g),
            );
            if !uncovered(&cover, a, b) {
                return None;
            }
            let limit = local(z.uncertain_from.map_or(z.end, |u| u.min(z.end)));
            barrier(w.text, &cover, start, limit, 2)
        };
        let from = cut(&w.left, 0)?;
        let to = cut(&w.right, w.text.len())?;
        let index = LineIndex::new(w.text);
        let mut chosen = self.choose(w.text, &index, w.first_line - 1, found, &[], w.directives);
        chosen.retain(|f| f.start >= from && f.start < to);
        Some(Owned {
            findings: chosen,
            from,
            to,
        })
    }

    /// The candidate findings of `text` (before suppression, settings and
    /// overlaps are applied), in its offsets, and the stretches that hits
    /// of the lexicon and of the checker's own patterns cover, and where
    /// the near misses of a half's hit may lie, among those that meet a
    /// range of `regions`.
    fn candidates(
        &self,
        text: &str,
        regions: &[(usize, usize)],
    ) -> (Vec<Finding>, Vec<(usize, usize)>) {
        let norm = normalize(text);
        let n = norm.as_str();
        let hits = self.scanner.normalized_hits(n);
        let spans = outermost(&hits, |h| {
            matches!(
                h.kind,
                FormKind::Term | FormKind::Variant | FormKind::Wrong | FormKind::Outdated
            )
        });
        let extra = self.index.extra.normalized_hits(n);

        // Found in normalized offsets; mapped back below.
        let mut found: Vec<Finding> = Vec::new();
        for h in &spans {
            found.extend(self.lexicon_finding(text, &norm, h));
        }
        found.extend(self.index.slogans.findings(self.lexicon, n, &extra, &spans));
        // A line break the normalization removed (between CJK characters)
        // still ends a clause for the near-miss context rules.
        let breaks = |at: usize| {
            let (a, b) = (norm.end_to_original(at), norm.start_to_original(at));
            text.get(a.min(b)..a.max(b))
                .is_some_and(|gap| gap.contains('\n'))
        };
        found.extend(self.index.near_miss.findings(n, &extra, &spans, &breaks));
        for f in &mut found {
            f.start = norm.start_to_original(f.start);
            f.end = norm.end_to_original(f.end);
        }
        let mut cover = Vec::new();
        if !regions.is_empty() {
            for h in hits.iter().chain(&extra) {
                let (s, e) = match h.kind {
                    FormKind::Piece => self.index.near_miss.reach(n, h).unwrap_or((h.start, h.end)),
                    _ => (h.start, h.end),
                };
                let (s, e) = (norm.start_to_original(s), norm.end_to_original(e));
                if regions.iter().any(|&(a, b)| s < b && a < e) {
                    cover.push((s, e));
                }
            }
        }
        (found, cover)
    }

    /// Of the candidates `found` in `text` (whose first line is line
    /// `line_base + 1`), those kept by `skip`, the settings and the
    /// `directives`, and by the overlaps among them.
    fn choose(
        &self,
        text: &str,
        index: &LineIndex,
        line_base: usize,
        found: Vec<Finding>,
        skip: &[std::ops::Range<usize>],
        directives: &suppress::Directives,
    ) -> Vec<Finding> {
        let line = |at: usize| index.position(text, at).line + line_base;
        let skip = Taken::of_ranges(skip);
        let allow = &self.index.allow;
        let mut kept: Vec<Finding> = found
            .into_iter()
            .filter_map(|mut f| {
                if skip.overlaps(f.start, f.end) {
                    return None;
                }
                f.severity = self.index.settings.severity(f.rule)?;
                if !allow.is_empty() {
                    let matched = text.get(f.start..f.end).unwrap_or_default();
                    if allow.contains(normalize(matched).as_str()) {
                        return None;
                    }
                }
                (!directives.suppressed(line(f.start), f.rule)).then_some(f)
            })
            .collect();
        // Exact findings (from lexicon forms and slogan parts) before
        // near misses and directives; among them the longest span first (a
        // reordered slogan over a listed wrong form inside it), then the
        // more specific rule, then leftmost. Drop what overlaps an earlier
        // choice.
        kept.sort_by_key(|f| {
            let guess = matches!(f.rule, Rule::NearMiss | Rule::BadDirective);
            (guess, std::cmp::Reverse(f.end - f.start), f.rule, f.start)
        });
        let mut taken = Taken::default();
        let mut chosen: Vec<Finding> = kept.into_iter().filter(|f| taken.take(f)).collect();
        chosen.sort_by_key(|f| (f.start, f.end));
        // A fix that removes a line break moves the text after it to the
        // line before: it is not made where that changes what a directive
        // covers, so fixing never reveals or hides another finding. See: #18.
        for f in &mut chosen {
            let (Some(suggestion), Some(matched)) = (&f.suggestion, text.get(f.start..f.end))
            else {
                continue;
            };
            if f.fixable
                && matched.matches('\n').count() != suggestion.matches('\n').count()
                && directives.joining_shifts(line(f.start), line(f.end))
            {
                f.fixable = false;
            }
        }
        chosen
    }

    /// The finding, if any, for one outermost span of a lexicon form
    /// (normalized offsets in `h`).
    fn lexicon_finding(
        &self,
        text: &str,
        norm: &crate::text::Normalized<'_>,
        h: &Hit,
    ) -> Option<Finding> {
        let e = self.lexicon.entry(h.entry);
        let finding = |rule, suggestion: Option<String>, detail| Finding {
            start: h.start,
            end: h.end,
            rule,
            severity: rule.default_severity(),
            entry: Some(h.entry),
            fixable: suggestion.is_some(),
            suggestion,
            detail,
        };
        match h.kind {
            FormKind::Wrong => {
                let note = e.wrong.get(h.form).and_then(|w| w.note.clone());
                Some(finding(
                    Rule::WrongForm,
                    Some(e.term.clone()),
                    Detail::Wrong(note),
                ))
            }
            FormKind::Outdated => {
                let note = e.outdated.get(h.form).and_then(|w| w.note.clone());
                Some(finding(
                    Rule::Superseded,
                    Some(e.term.clone()),
                    Detail::Outdated(note),
                ))
            }
            FormKind::Term | FormKind::Variant => {
                if let Some(by) = e
                    .superseded_by
                    .as_deref()
                    .and_then(|id| self.lexicon.get(id))
                {
                    return Some(finding(
                        Rule::Superseded,
                        Some(by.term.clone()),
                        Detail::Outdated(None),
                    ));
                }
                let form = e.form(h.kind, h.form);
                let (a, b) = (norm.start_to_original(h.start), norm.end_to_original(h.end));
                let written = text.get(a..b).unwrap_or_default();
                if written == form {
                    return None;
                }
                let why = if written.chars().any(char::is_whitespace) {
                    Why::Whitespace
                } else if written
                    .chars()
                    .any(|c| crate::text::normalize::fold(c).is_some())
                {
                    Why::FullWidth
                } else {
                    Why::HalfWidth
                };
                Some(finding(
                    Rule::NonCanonical,
                    Some(form.to_owned()),
                    Detail::NonCanonical(why),
                ))
            }
            FormKind::Part | FormKind::Piece => None,
        }
    }
}

/// The spans chosen so far, none overlapping another, in a sorted set: a
/// span is tested against them in logarithmic time, not against each.
#[derive(Debug, Default)]
struct Taken(std::collections::BTreeSet<(usize, usize)>);

impl Taken {
    /// Takes `f`'s span unless it overlaps one taken (`c.start < f.end &&
    /// f.start < c.end`); true when taken.
    ///
    /// Spans that do not overlap, ordered by `(start, end)`, also have
    /// their ends in order (an empty span inside another overlaps it), so
    /// of the spans that start before `f.end`, the last one has the
    /// greatest end: `f` overlaps one of them exactly when it overlaps
    /// that one.
    fn take(&mut self, f: &Finding) -> bool {
        if self.overlaps(f.start, f.end) {
            return false;
        }
        self.0.insert((f.start, f.end));
        true
    }

    /// True when `start..end` overlaps a span taken.
    fn overlaps(&self, start: usize, end: usize) -> bool {
        let last = self.0.range(..(end, 0)).next_back();
        last.is_some_and(|&(_, e)| start < e)
    }

    /// The ranges to skip (code in Markdown), which do not overlap: code
    /// spans and blocks do not nest. Should two overlap, the pair is
    /// merged, so that a finding overlapping either is still skipped.
    fn of_ranges(ranges: &[std::ops::Range<usize>]) -> Taken {
        let mut sorted: Vec<(usize, usize)> = ranges.iter().map(|r| (r.start, r.end)).collect();
        sorted.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(sorted.len());
        for (start, end) in sorted {
            match merged.last_mut() {
                Some(last) if start < last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        Taken(merged.into_iter().collect())
    }
}

/// One window of a text read in pieces, for [`Checker::check_window`].
///
/// The text is cut into stretches, each owned by one window: a window
/// holds its stretch and enough text either side. Where a stretch ends is
/// decided inside a [`Zone`] that the window before and the window after
/// both hold: the first point of the zone with no hit of any pattern (the
/// lexicon's, the slogans' parts, the near misses' halves) nor an unknown
/// directive within `k + 4` characters on either side, where `k` is the
/// longest pattern. No hit, run of slogan parts or finding reaches across
/// such a point, and both windows see the same hits around it, so both
/// choose it, and the findings of each stretch are those of the whole
/// text.
#[derive(Debug, Clone, Copy)]
pub struct Window<'t> {
    /// The window's text.
    pub text: &'t str,
    /// Where it starts in the whole text (bytes).
    pub offset: usize,
    /// The line its first character is on (1-based).
    pub first_line: usize,
    /// Where the stretch begins: `None` at the start of the text.
    pub left: Option<Zone>,
    /// Where it ends: `None` at the end of the text.
    pub right: Option<Zone>,
    /// The directives of the text, at least those of the window's lines
    /// (offsets and lines of the whole text).
    pub directives: &'t suppress::Directives,
}

/// Where two windows' stretches meet: somewhere in `start..end` (offsets
/// of the whole text), before `uncertain_from` when that is set (where an
/// unfinished directive may begin).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone {
    /// The zone's first byte.
    pub start: usize,
    /// Its end.
    pub end: usize,
    /// The start of a line's directive text not yet read whole.
    pub uncertain_from: Option<usize>,
}

/// The findings of the stretch a [`Window`] owns: `from..to` (offsets of
/// the window's text); the findings' offsets are the window's too.
#[derive(Debug, Clone)]
pub struct Owned {
    /// The findings that start in the stretch, in order.
    pub findings: Vec<Finding>,
    /// Where the stretch starts.
    pub from: usize,
    /// Where it ends.
    pub to: usize,
}

/// The first point of `text` in `start..end`, on a character boundary,
/// with at least `margin` non-whitespace characters between it and every
/// span of `cover` (sorted by start; the start of the text counts as a
/// span's end), none of them reaching over it, and `margin` of them after
/// it before `end`.
fn barrier(
    text: &str,
    cover: &[(usize, usize)],
    start: usize,
    end: usize,
    margin: usize,
) -> Option<usize> {
    // The point after the `margin`-th non-whitespace character from `at`.
    let past = |at: usize| -> Option<usize> {
        let mut seen = 0;
        for (i, c) in text.get(at..)?.char_indices() {
            if !c.is_whitespace() {
                seen += 1;
                if seen == margin {
                    return Some(at + i + c.len_utf8());
                }
            }
        }
        None
    };
    let mut p = start.min(text.len());
    while !text.is_char_boundary(p) {
        p += 1;
    }
    let (mut i, mut reach) = (0, 0);
    loop {
        if p >= end {
            return None;
        }
        while i < cover.len() && cover[i].0 < p {
            reach = reach.max(cover[i].1);
            i += 1;
        }
        if reach > p {
            p = reach;
            continue;
        }
        let after_reach = past(reach)?;
        if after_reach > p {
            p = after_reach;
            continue;
        }
        // The next span must start `margin` characters on, inside the
        // zone: what lies past its end is not known alike on both sides.
        let clear = past(p).filter(|&q| q <= end)?;
        match cover.get(i) {
            Some(&(s, _)) if clear > s => {
                p = p.max(s) + 1;
                while !text.is_char_boundary(p) {
                    p += 1;
                }
            }
            _ => return Some(p),
        }
    }
}

/// True when a point of `a..=b` lies inside none of the spans of `cover`
/// (sorted by start).
fn uncovered(cover: &[(usize, usize)], a: usize, b: usize) -> bool {
    let mut x = a;
    for &(s, e) in cover {
        if s >= x {
            break;
        }
        x = x.max(e);
    }
    x <= b
}

/// The start of the `n`-th non-whitespace character before `at` (the
/// start of the text if there are fewer).
fn back_chars(text: &str, at: usize, n: usize) -> usize {
    let mut seen = 0;
    for (i, c) in text[..at].char_indices().rev() {
        if !c.is_whitespace() {
            seen += 1;
            if seen == n {
                return i;
            }
        }
    }
    0
}

/// The end of the `n`-th non-whitespace character from `at` (the end of
/// the text if there are fewer).
fn ahead_chars(text: &str, at: usize, n: usize) -> usize {
    let mut seen = 0;
    for (i, c) in text[at..].char_indices() {
        if !c.is_whitespace() {
            seen += 1;
            if seen == n {
                return at + i + c.len_utf8();
            }
        }
    }
    text.len()
}

/// The spans among `spans` (sorted by start, none overlapping: outermost
/// spans) that overlap `start..end`, found by binary search.
fn overlapping(spans: &[Hit], start: usize, end: usize) -> &[Hit] {
    let from = spans.partition_point(|s| s.end <= start);
    let to = from + spans[from..].partition_point(|s| s.start < end);
    &spans[from..to]
}

/// The message of a finding, in `lang`. `matched` is the text of the span.
pub fn message(f: &Finding, lexicon: &Lexicon, matched: &str, lang: Lang) -> String {
    let matched = matched.replace(['\r', '\n'], "");
    let term = f
        .entry
        .map(|e| lexicon.entry(e).term.as_str())
        .unwrap_or_default();
    let suggestion = f.suggestion.as_deref().unwrap_or(term);
    let with_note = |s: String, note: &Option<String>| match (note, lang) {
        (Some(n), Lang::Zh) => format!("{s}（{n}）"),
        (Some(n), Lang::En) => format!("{s} ({n})"),
        (None, _) => s,
    };
    match (&f.detail, lang) {
        (Detail::Wrong(note), Lang::Zh) => {
            with_note(format!("“{matched}”是“{suggestion}”的误写"), note)
        }
        (Detail::Wrong(note), Lang::En) => {
            with_note(format!("“{matched}” is a misquote of “{suggestion}”"), note)
        }
        (Detail::Outdated(note), Lang::Zh) => {
            with_note(format!("“{matched}”是旧提法，现为“{suggestion}”"), note)
        }
        (Detail::Outdated(note), Lang::En) => with_note(
            format!("“{matched}” is outdated; it is now “{suggestion}”"),
            note,
        ),
        (Detail::NonCanonical(why), Lang::Zh) => {
            let how = match why {
                Why::FullWidth => "含全角字符",
                Why::HalfWidth => "用了半角标点",
                Why::Whitespace => "中间有断行或空格",
                Why::Separator => "分隔符与规范写法不同",
            };
            format!("“{matched}”{how}，规范写法为“{suggestion}”")
        }
        (Detail::NonCanonical(why), Lang::En) => {
            let how = match why {
                Why::FullWidth => "contains full-width characters",
                Why::HalfWidth => "uses half-width punctuation",
                Why::Whitespace => "is broken by a line break or spaces",
                Why::Separator => "uses other separators",
            };
            format!("“{matched}” {how}; the canonical form is “{suggestion}”")
        }
        (Detail::MissingPart(missing), Lang::Zh) => format!(
            "“{matched}”缺少“{}”，完整提法为“{suggestion}”",
            missing.join("、")
        ),
        (Detail::MissingPart(missing), Lang::En) => format!(
            "“{matched}” lacks “{}”; the full slogan is “{suggestion}”",
            missing.join("”, “")
        ),
        (Detail::PartOrder, Lang::Zh) => {
            format!("“{matched}”的顺序有误，应为“{suggestion}”")
        }
        (Detail::PartOrder, Lang::En) => {
            format!("“{matched}” has its parts out of order; it is “{suggestion}”")
        }
        (Detail::NearMiss(form), Lang::Zh) => {
            format!("“{matched}”与提法“{form}”相差一个字，是否应为“{form}”？")
        }
        (Detail::NearMiss(form), Lang::En) => {
            format!("“{matched}” is one character off “{form}”; did you mean “{form}”?")
        }
        (Detail::BadDirective(rule), Lang::Zh) => {
            format!("行内指令中的规则“{rule}”不存在")
        }
        (Detail::BadDirective(rule), Lang::En) => {
            format!("unknown rule `{rule}` in an inline directive")
        }
    }
}

/// A finding with everything a printer needs, so that the text itself can
/// be dropped before printing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The finding (offsets in the scanned text).
    pub finding: Finding,
    /// Where it is, as reported (in the HTML source for HTML).
    pub span: crate::text::Span,
    /// What line numbers count.
    pub unit: crate::text::Unit,
    /// The text of the span, as the reader sees it.
    pub matched: String,
    /// The message, in the chosen language.
    pub message: String,
    /// The entry's id, if any.
    pub id: Option<String>,
    /// The span's first line as printed: the span and a few characters
    /// either side, not the whole line (a finding on a line of a megabyte
    /// keeps a few hundred bytes, not a copy of the line).
    pub snippet: Snippet,
}

/// Characters of context kept on each side of a finding's span, on its
/// first line, for printing.
pub const SNIPPET_CONTEXT: usize = 30;

/// The window of a finding's first line that `check` prints, as rustc cuts
/// a long line: up to [`SNIPPET_CONTEXT`] characters before the span, the
/// span's part on that line, up to as many after it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// The context before the span.
    pub before: String,
    /// The span's part on its first line.
    pub under: String,
    /// The context after it.
    pub after: String,
    /// True when the line goes on before `before`.
    pub cut_before: bool,
    /// True when the line goes on after `after`.
    pub cut_after: bool,
}

impl Snippet {
    /// The window of `span` in `reported`, whose first line spans the
    /// bytes `line`.
    fn new(reported: &str, line: std::ops::Range<usize>, span: &crate::text::Span) -> Snippet {
        // An offset inside a character counts that character (as columns
        // do).
        let ceil = |mut at: usize| {
            while at < reported.len() && !reported.is_char_boundary(at) {
                at += 1;
            }
            at
        };
        let text = reported.get(line.clone()).unwrap_or_default();
        let local = |at: usize| ceil(at.clamp(line.start, line.end)) - line.start;
        let a = local(span.byte_start).min(text.len());
        let b = if span.end.line == span.start.line && span.end_page == span.page {
            local(span.byte_end).clamp(a, text.len())
        } else {
            text.len()
        };
        let from = text[..a]
            .char_indices()
            .rev()
            .nth(SNIPPET_CONTEXT - 1)
            .map_or(0, |(i, _)| i);
        let to = text[b..]
            .char_indices()
            .nth(SNIPPET_CONTEXT)
            .map_or(text.len(), |(i, _)| b + i);
        Snippet {
            before: text[from..a].to_owned(),
            under: text[a..b].to_owned(),
            after: text[b..to].to_owned(),
            cut_before: from > 0,
            cut_after: to < text.len(),
        }
    }
}

/// Adds reported positions, messages and snippets to the findings of
/// the scanned `text`.
pub fn locate(
    text: &str,
    positions: &crate::text::Positions<'_>,
    findings: &[Finding],
    lexicon: &Lexicon,
    lang: Lang,
) -> Vec<Located> {
    findings
        .iter()
        .map(|f| {
            let span = positions.span(f.start, f.end);
            let matched = text.get(f.start..f.end).unwrap_or_default().to_owned();
            let line = positions.line_range_at(span.byte_start);
            Located {
                span,
                unit: positions.unit,
                message: message(f, lexicon, &matched, lang),
                matched,
                id: f.entry.map(|e| lexicon.entry(e).id.clone()),
                snippet: Snippet::new(positions.reported(), line, &span),
                finding: f.clone(),
            }
        })
        .collect()
}

/// [`locate`] of the findings of a window of a plain text read in pieces
/// (offsets of the window's `text`), whose first character is at byte
/// `offset` and position `start` of the whole text: spans, offsets and
/// findings as [`locate`] of the whole text gives them, given that the
/// window holds [`SNIPPET_CONTEXT`] characters either side of each.
pub fn locate_window(
    text: &str,
    offset: usize,
    start: crate::text::Position,
    findings: &[Finding],
    lexicon: &Lexicon,
    lang: Lang,
) -> Vec<Located> {
    let shift = |p: crate::text::Position| {
        if p.line == 1 {
            crate::text::Position {
                line: start.line,
                column: start.column + p.column - 1,
            }
        } else {
            crate::text::Position {
                line: start.line + p.line - 1,
                column: p.column,
            }
        }
    };
    let positions = crate::text::Positions::plain(text);
    locate(text, &positions, findings, lexicon, lang)
        .into_iter()
        .map(|mut l| {
            l.span = crate::text::Span {
                byte_start: l.span.byte_start + offset,
                byte_end: l.span.byte_end + offset,
                start: shift(l.span.start),
                end: shift(l.span.end),
                // Streamed text is plain text: no pages.
                ..l.span
            };
            l.finding.start += offset;
            l.finding.end += offset;
            l
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sorted set takes exactly what a test against every span taken
    /// takes, for every order of a set of spans, empty ones included.
    #[test]
    fn taken_spans_as_by_walking_all() {
        let finding = |start, end| Finding {
            start,
            end,
            rule: Rule::WrongForm,
            severity: Severity::Error,
            entry: None,
            suggestion: None,
            fixable: false,
            detail: Detail::PartOrder,
        };
        let mut x: u32 = 11;
        for _ in 0..2_000 {
            let spans: Vec<Finding> = (0..12)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    let start = (x >> 16) as usize % 20;
                    let len = (x >> 8) as usize % 5;
                    finding(start, start + len)
                })
                .collect();
            let mut walked: Vec<&Finding> = Vec::new();
            for f in &spans {
                if !walked.iter().any(|c| c.start < f.end && f.start < c.end) {
                    walked.push(f);
                }
            }
            let mut taken = Taken::default();
            let sorted: Vec<&Finding> = spans.iter().filter(|f| taken.take(f)).collect();
            assert_eq!(sorted, walked, "{spans:?}");
            // Ranges to skip, overlapping or not, against every span.
            let ranges: Vec<std::ops::Range<usize>> =
                spans[..6].iter().map(|f| f.start..f.end).collect();
            let skip = Taken::of_ranges(&ranges);
            for f in &spans[6..] {
                let want = ranges.iter().any(|r| r.start < f.end && f.start < r.end);
                assert_eq!(skip.overlaps(f.start, f.end), want, "{ranges:?} {f:?}");
            }
        }
    }

    /// The binary search finds exactly the spans a scan of all of them
    /// finds, for every window over and around a row of spans.
    #[test]
    fn overlapping_spans_by_binary_search() {
        let spans: Vec<Hit> = [(2, 5), (5, 6), (8, 12), (14, 15)]
            .iter()
            .map(|&(start, end)| Hit {
                start,
                end,
                entry: 0,
                kind: FormKind::Term,
                form: 0,
            })
            .collect();
        for start in 0..17 {
            for end in start..18 {
                let want: Vec<&Hit> = spans
                    .iter()
                    .filter(|s| s.start < end && start < s.end)
                    .collect();
                let got: Vec<&Hit> = overlapping(&spans, start, end).iter().collect();
                assert_eq!(got, want, "{start}..{end}");
            }
        }
    }
}
