//! The scanner: every occurrence of every lexicon form in a text.
//!
//! # One automaton, overlapping search
//!
//! A [`Scanner`] holds **one** Aho-Corasick automaton over the normalized
//! forms of all entries (terms, variants, wrong and outdated forms), built
//! with `MatchKind::Standard`, and reports *every* occurrence with an
//! overlapping search ([`Scanner::hits`]). The two views users see are
//! derived from that list by one greedy rule:
//!
//! - [`outermost`]: leftmost-longest, non-overlapping spans over the chosen
//!   kinds of forms (what `scan` lists and `annotate` marks);
//! - [`per_entry`]: the same rule applied to each entry's forms alone, which
//!   is exactly "as if each entry were searched alone" (what `count`
//!   counts), with each occurrence marked `nested` when it is not one of the
//!   outermost spans.
//!
//! Why not a second, `LeftmostLongest` automaton for the outermost spans:
//! the ASCII boundary rule ([`boundary`]) must be applied *before* choosing
//! the longest match (a form rejected inside `13333` must not hide a shorter
//! valid one), which a leftmost automaton cannot do, and nested counts need
//! the overlapping occurrences anyway. One automaton also halves the build
//! time and memory.
//!
//! # Three ways to run it
//!
//! For lexicons of the seed's size the automaton is a dense table over the
//! *characters* of the forms, with normalization folded into its character
//! classes (module `table`); past the table's size (the embedded lexicon)
//! a sieve over the same classes finds where a form may start and walks
//! the trie from there (module `sieve`); a lexicon with more distinct
//! characters than the classes hold is searched with aho-corasick's
//! contiguous NFA fed the normalized byte stream computed on the fly
//! (module `engine`), which is also the reference of the other two in the
//! tests. Every way, spans come out in offsets of the original text, and
//! [`crate::text::normalize()`] is the reference all are tested against.
//! The table and the NFA report matches by end, the sieve by start;
//! [`Scanner::hits`] puts them in start order through a small window, with
//! no sort of the whole list.
//! This module never prints; [`crate::count`] and the printers in `report`
//! come next.

pub mod boundary;
mod classes;
mod engine;
mod sieve;
pub mod stream;
mod table;

use aho_corasick::MatchKind;
use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;

use crate::lexicon::{Context, FormKind, Lexicon};
use crate::text::{Positions, Span, Unit, normalize};
use boundary::Edges;

/// One pattern of the automaton: a form of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    /// Index of the entry in the lexicon.
    pub entry: usize,
    /// Which kind of form.
    pub kind: FormKind,
    /// Index of the form within its kind.
    pub index: usize,
    edges: Edges,
}

/// An occurrence of a form, in byte offsets of the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hit {
    /// Start byte offset.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
    /// Index of the entry in the lexicon.
    pub entry: usize,
    /// Which kind of form matched.
    pub kind: FormKind,
    /// Index of the form within its kind.
    pub form: usize,
}

/// An occurrence counted for its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// Where and what.
    pub hit: Hit,
    /// True when the occurrence is not one of the outermost spans (it lies
    /// inside or across a longer or earlier span).
    pub nested: bool,
}

/// Finds lexicon forms in text. Built once per run.
#[derive(Debug, Clone)]
pub struct Scanner {
    automaton: Engine,
    patterns: Vec<Pattern>,
    /// The boundary edges of each pattern, by pattern id.
    edges: Vec<Edges>,
    /// The context rule of each pattern's entry, by pattern id: an index
    /// into `contexts`, where 0 is [`Context::Any`].
    context_of: Vec<u32>,
    /// The distinct context rules; the first is [`Context::Any`].
    contexts: Vec<Context>,
    /// The most non-whitespace characters in one form.
    max_form_chars: usize,
}

/// The scanner could not be built (the lexicon is too large for the
/// automaton).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the scanner: {0}")]
pub struct BuildError(#[from] aho_corasick::BuildError);

impl Scanner {
    /// Builds the automaton over every form of every entry.
    ///
    /// # Errors
    ///
    /// When the automaton exceeds aho-corasick's size limits.
    pub fn new(lexicon: &Lexicon) -> Result<Scanner, BuildError> {
        Ok(Scanner::from_forms(forms_of(lexicon, |_| true))?.with_contexts(lexicon))
    }

    /// Builds the automaton over the accepted forms only (terms and
    /// variants): all that [`outermost`] with [`accepted`] and [`Resolver`]
    /// look at, so `scan` and `count` get the same answers from a smaller
    /// automaton with fewer matches to sort out.
    ///
    /// # Errors
    ///
    /// When the automaton exceeds aho-corasick's size limits.
    pub fn accepted_only(lexicon: &Lexicon) -> Result<Scanner, BuildError> {
        Ok(Scanner::from_forms(forms_of(lexicon, FormKind::is_accepted))?.with_contexts(lexicon))
    }

    /// Applies the context rules of the lexicon's entries
    /// ([`Lexicon::context_of`]: `context = "quoted"`, `followed_by`, a
    /// `general` entry only in quotes) to the patterns of those entries, and
    /// keeps enough text after a streamed cut for the longest rule.
    fn with_contexts(mut self, lexicon: &Lexicon) -> Scanner {
        let mut contexts = vec![Context::Any];
        let mut by_entry = vec![0u32; lexicon.len()];
        for (i, e) in lexicon.entries().iter().enumerate() {
            let context = lexicon.context_of(e);
            if *context == Context::Any {
                continue;
            }
            let at = match contexts.iter().position(|c| c == context) {
                Some(at) => at,
                None => {
                    contexts.push(context.clone());
                    contexts.len() - 1
                }
            };
            by_entry[i] = u32::try_from(at).unwrap_or(0);
            self.max_form_chars = self
                .max_form_chars
                .max(e.term.chars().count() + context.chars_after() + 1);
        }
        if contexts.len() > 1 {
            self.context_of = self
                .patterns
                .iter()
                .map(|p| by_entry.get(p.entry).copied().unwrap_or(0))
                .collect();
            self.contexts = contexts;
        }
        self
    }

    /// Builds the automaton over the given `(form, entry, kind, index)`
    /// patterns; forms are normalized here.
    ///
    /// # Errors
    ///
    /// When the automaton exceeds aho-corasick's size limits.
    pub fn from_forms(
        forms: impl IntoIterator<Item = (String, usize, FormKind, usize)>,
    ) -> Result<Scanner, BuildError> {
        Scanner::build(forms, Searches::All)
    }

    /// [`Scanner::from_forms`], with the searches `with` allows: the dense
    /// table where the lexicon is not too large for it, else the sieve,
    /// else the NFA.
    fn build(
        forms: impl IntoIterator<Item = (String, usize, FormKind, usize)>,
        with: Searches,
    ) -> Result<Scanner, BuildError> {
        let (forms, patterns): (Vec<String>, Vec<Pattern>) = forms
            .into_iter()
            .map(|(form, entry, kind, index)| {
                let form = normalize(&form).as_str().to_owned();
                let edges = Edges::of(&form);
                (
                    form,
                    Pattern {
                        entry,
                        kind,
                        index,
                        edges,
                    },
                )
            })
            .unzip();
        // The dense table is quickest to search; the NFA, built only when
        // there is no table, serves very large lexicons.
        let (table, sieve) = match with {
            Searches::All => (true, true),
            #[cfg(test)]
            Searches::Sieve => (false, true),
            #[cfg(test)]
            Searches::Nfa => (false, false),
        };
        let automaton = match table.then(|| table::Table::build(&forms)).flatten() {
            Some(t) => Engine::Table(Box::new(t)),
            None => match sieve.then(|| sieve::Sieve::build(&forms)).flatten() {
                Some(s) => Engine::Sieve(Box::new(s)),
                None => Engine::Nfa(Box::new(
                    NFA::builder()
                        .match_kind(MatchKind::Standard)
                        .build(&forms)?,
                )),
            },
        };
        let edges = patterns.iter().map(|p| p.edges).collect();
        let max_form_chars = forms
            .iter()
            .map(|f| f.chars().filter(|c| !c.is_whitespace()).count())
            .max()
            .unwrap_or(0);
        Ok(Scanner {
            automaton,
            patterns,
            edges,
            context_of: Vec::new(),
            contexts: vec![Context::Any],
            max_form_chars,
        })
    }

    /// True when the scanner searches with the dense table (see `table`).
    #[cfg(test)]
    fn has_table(&self) -> bool {
        matches!(self.automaton, Engine::Table(_))
    }

    /// True when the scanner searches with the sieve (see `sieve`).
    #[cfg(test)]
    fn has_sieve(&self) -> bool {
        matches!(self.automaton, Engine::Sieve(_))
    }

    /// The scanner of [`Scanner::new`] searching with the sieve, or with
    /// the NFA, whatever the lexicon's size.
    #[cfg(test)]
    fn searching_with(lexicon: &Lexicon, with: Searches) -> Scanner {
        Scanner::build(forms_of(lexicon, |_| true), with).expect("the scanner builds")
    }

    /// The most non-whitespace characters in one form: how much text a
    /// streamed scan keeps after a cut.
    pub fn max_form_chars(&self) -> usize {
        self.max_form_chars
    }

    /// The pattern with this id.
    pub fn pattern(&self, id: usize) -> &Pattern {
        &self.patterns[id]
    }

    /// Every occurrence of every form in `text` that respects the ASCII
    /// boundary rule, in original byte offsets, sorted by start, then longest
    /// first.
    pub fn hits(&self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.for_each_hit(text, &mut |h| hits.push(h));
        hits
    }

    /// Calls `on` for every hit [`Scanner::hits`] lists, in the same order,
    /// without collecting them.
    pub fn for_each_hit(&self, text: &str, on: impl FnMut(Hit)) {
        self.search(text, true, on);
    }

    /// Every occurrence in an already normalized text, in offsets of that
    /// text, in [`Scanner::hits`]'s order.
    pub fn normalized_hits(&self, normalized: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.search(normalized, false, &mut |h| hits.push(h));
        hits
    }

    /// Runs the automaton and puts its matches, which it reports by end, in
    /// order of start, longest first. A match reported later ends no
    /// earlier, so it starts at most `max_pattern_len` normalized units
    /// (characters for the table, bytes for the NFA) before the end of the
    /// latest one: matches starting before that are
    /// final. Only the few matches of that window wait, sorted by insertion.
    fn search(&self, text: &str, normalize: bool, mut on: impl FnMut(Hit)) {
        let max_len = self.automaton.max_pattern_len();
        // The waiting matches are `pending[head..]`, in order, with the
        // normalized start of each; the released ones before `head` are
        // dropped when none waits.
        let mut pending: Vec<(usize, Hit)> = Vec::new();
        let mut head = 0;
        let mut each = |f: engine::Found| {
            while let Some((at, h)) = pending.get(head) {
                if at + max_len >= f.end_norm {
                    break;
                }
                on(*h);
                head += 1;
            }
            if head == pending.len() {
                pending.clear();
                head = 0;
            }
            let p = &self.patterns[f.pattern];
            if let Some(&c) = self.context_of.get(f.pattern)
                && c != 0
                && !self.contexts[c as usize].allows(text, f.start, f.end)
            {
                return;
            }
            let hit = Hit {
                start: f.start,
                end: f.end,
                entry: p.entry,
                kind: p.kind,
                form: p.index,
            };
            // Usually last: the automaton reports by end.
            match pending.last() {
                Some((_, last)) if pending.len() > head && order(last) > order(&hit) => {
                    insert_in_order(&mut pending, head, (f.at_norm, hit));
                }
                _ => pending.push((f.at_norm, hit)),
            }
        };
        match &self.automaton {
            Engine::Table(t) => t.search(text, normalize, &mut each),
            Engine::Sieve(s) => s.search(text, normalize, &mut each),
            Engine::Nfa(nfa) => engine::search(
                &engine::Generic {
                    aut: nfa.as_ref(),
                    escape: normalize,
                },
                &self.edges,
                text,
                &mut each,
            ),
        }
        for &(_, h) in &pending[head..] {
            on(h);
        }
    }
}

/// Inserts `item` among the waiting matches `pending[head..]`, in order:
/// the rare case of a match that starts before the last one waiting, so
/// out of the per-match path.
#[cold]
#[inline(never)]
fn insert_in_order(pending: &mut Vec<(usize, Hit)>, head: usize, item: (usize, Hit)) {
    let key = order(&item.1);
    let mut k = pending.len();
    while k > head && pending.get(k - 1).is_some_and(|p| order(&p.1) > key) {
        k -= 1;
    }
    pending.insert(k, item);
}

/// The `(form, entry, kind, index)` patterns of the lexicon's forms whose
/// kind `keep` accepts.
fn forms_of(
    lexicon: &Lexicon,
    keep: fn(FormKind) -> bool,
) -> impl Iterator<Item = (String, usize, FormKind, usize)> + '_ {
    lexicon
        .entries()
        .iter()
        .enumerate()
        .flat_map(move |(entry, e)| {
            e.forms()
                .filter(move |&(kind, _, _)| keep(kind))
                .map(move |(kind, index, form)| (form.to_owned(), entry, kind, index))
        })
}

/// Which searches a scanner may use.
#[derive(Debug, Clone, Copy)]
enum Searches {
    /// The quickest the lexicon allows.
    All,
    /// The sieve (else the NFA).
    #[cfg(test)]
    Sieve,
    /// The NFA.
    #[cfg(test)]
    Nfa,
}

/// The automaton behind a scanner: the dense table, or aho-corasick's
/// contiguous NFA for a lexicon too large for the table.
#[derive(Debug, Clone)]
enum Engine {
    Table(Box<table::Table>),
    Sieve(Box<sieve::Sieve>),
    Nfa(Box<NFA>),
}

impl Engine {
    /// The longest pattern in the unit of [`engine::Found::at_norm`]:
    /// characters for the table, bytes for the NFA.
    fn max_pattern_len(&self) -> usize {
        match self {
            Engine::Table(t) => t.max_pattern_len(),
            // By start: a later match never starts earlier.
            Engine::Sieve(_) => 0,
            Engine::Nfa(nfa) => nfa.max_pattern_len(),
        }
    }
}

/// Sorts hits by start, longest first (the order every function here
/// expects).
pub fn sort(hits: &mut [Hit]) {
    hits.sort_unstable_by_key(order);
}

/// Sort key: by start, longest first, then by entry and form for a stable
/// order.
fn order(h: &Hit) -> (usize, std::cmp::Reverse<usize>, usize, FormKind, usize) {
    (h.start, std::cmp::Reverse(h.end), h.entry, h.kind, h.form)
}

/// Leftmost-longest, non-overlapping selection from hits sorted by
/// [`Scanner::hits`]'s order.
fn leftmost_longest<'a>(hits: impl IntoIterator<Item = &'a Hit>) -> Vec<Hit> {
    leftmost_longest_from(hits, &mut 0)
}

/// [`leftmost_longest`] continuing from an earlier batch that ended at
/// `next_free`, for texts scanned in pieces.
fn leftmost_longest_from<'a>(
    hits: impl IntoIterator<Item = &'a Hit>,
    next_free: &mut usize,
) -> Vec<Hit> {
    let mut out: Vec<Hit> = Vec::new();
    for h in hits {
        if h.start >= *next_free {
            out.push(*h);
            *next_free = h.end;
        }
    }
    out
}

/// The outermost spans and per-entry occurrences of a text that arrives in
/// batches of hits (see [`stream`]): each batch holds every hit that starts
/// in its stretch of the text, in [`Scanner::hits`]'s order, with offsets
/// in the whole text.
///
/// One pass: a hit is an outermost span when it starts after the last one
/// ended, and an occurrence of its entry when it starts after that entry's
/// last occurrence ended; leftmost-longest either way, since hits come by
/// start, longest first.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    next_free: usize,
    /// Per entry, where its last occurrence ended.
    per_entry_next: Vec<usize>,
}

impl Resolver {
    /// The outermost accepted spans and the per-entry occurrences of one
    /// batch, as [`outermost`] and [`per_entry`] give them for a whole text.
    pub fn push(&mut self, hits: &[Hit]) -> (Vec<Hit>, Vec<Occurrence>) {
        let mut spans = Vec::new();
        let mut occurrences = Vec::new();
        for h in hits {
            let step = self.step(h);
            if step.outer {
                spans.push(*h);
            }
            if step.counted {
                occurrences.push(Occurrence {
                    hit: *h,
                    nested: !step.outer,
                });
            }
        }
        (spans, occurrences)
    }

    /// Takes the next hit, in [`Scanner::hits`]'s order: says whether it is
    /// an outermost span and whether it is an occurrence of its entry.
    /// Hits of forms that are not accepted are neither.
    #[inline]
    pub fn step(&mut self, h: &Hit) -> Step {
        if !accepted(h) {
            return Step::default();
        }
        let outer = h.start >= self.next_free;
        if outer {
            self.next_free = h.end;
        }
        if self.per_entry_next.len() <= h.entry {
            self.grow(h.entry);
        }
        let counted = match self.per_entry_next.get_mut(h.entry) {
            Some(next) if h.start >= *next => {
                *next = h.end;
                true
            }
            _ => false,
        };
        Step { outer, counted }
    }

    /// Makes room for `entry`: rare, so out of the per-hit path.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, entry: usize) {
        self.per_entry_next.resize(entry + 1, 0);
    }
}

/// The hits of one piece of a streamed text resolved apart from the
/// pieces before it (on another thread), and joined to them in order with
/// [`Resolver::join`].
///
/// Whether a hit is an outermost span, and whether it is an occurrence of
/// its entry, depends on the hits before it. A piece's first hits may lie
/// inside a span of the piece before; they are kept in `head`, each with
/// what the caller made of it, and resolved when the piece is joined. From
/// the first hit that starts where no earlier hit reaches (nothing of the
/// earlier pieces ends after `settled`, nothing of this piece before it
/// ends after its start), every earlier hit has ended, so a fresh
/// [`Resolver`] says what the one carried through the whole text would.
#[derive(Debug, Clone)]
pub struct Split<T> {
    /// Where the hits so far reach, while the tail has not begun.
    reach: usize,
    /// The first hits, with what was made of each.
    pub head: Vec<(Hit, T)>,
    /// The resolver of the rest, once it has begun.
    tail: Option<Resolver>,
}

impl<T> Split<T> {
    /// The split of a piece such that no hit of an earlier piece ends
    /// after `settled`.
    pub fn new(settled: usize) -> Split<T> {
        Split {
            reach: settled,
            head: Vec::new(),
            tail: None,
        }
    }

    /// Takes the piece's next hit, in [`Scanner::hits`]'s order: what the
    /// resolver makes of it, or `None` when it is one of the head (for the
    /// caller to push to `head`).
    #[inline]
    pub fn step(&mut self, h: &Hit) -> Option<Step> {
        if self.tail.is_none() && h.start < self.reach {
            self.reach = self.reach.max(h.end);
            return None;
        }
        Some(self.tail.get_or_insert_with(Resolver::default).step(h))
    }
}

impl Resolver {
    /// Joins the next piece: resolves its head hits in order, calling `on`
    /// with what each is, then takes the state its tail ended in.
    pub fn join<T>(&mut self, split: Split<T>, mut on: impl FnMut(&Hit, Step, T)) {
        for (h, t) in split.head {
            let step = self.step(&h);
            on(&h, step, t);
        }
        if let Some(tail) = split.tail {
            // Every hit before the tail ended before it began: what the
            // tail's resolver does not know cannot matter to a later hit.
            *self = tail;
        }
    }
}

/// What [`Resolver::step`] made of a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Step {
    /// The hit is an outermost span.
    pub outer: bool,
    /// The hit is an occurrence of its entry (`nested` unless `outer`).
    pub counted: bool,
}

/// The outermost spans among the hits that `keep` accepts: leftmost first,
/// the longest at each start, never overlapping.
pub fn outermost(hits: &[Hit], keep: impl Fn(&Hit) -> bool) -> Vec<Hit> {
    leftmost_longest(hits.iter().filter(|h| keep(h)))
}

/// Occurrences of accepted forms per entry, as if each entry were searched
/// alone, sorted by position; `nested` marks those that are not outermost
/// spans (see [`outermost`]).
pub fn per_entry(hits: &[Hit]) -> Vec<Occurrence> {
    Resolver::default().push(hits).1
}

/// A span with its line and column, ready to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The span, in byte offsets of the scanned text.
    pub hit: Hit,
    /// Where it is, as reported (in the HTML source for HTML).
    pub span: Span,
    /// What line numbers count.
    pub unit: Unit,
    /// The text of the span, as the reader sees it.
    pub matched: String,
}

/// Adds reported positions to spans of the scanned `text`.
pub fn locate(text: &str, positions: &Positions<'_>, spans: &[Hit]) -> Vec<Match> {
    spans
        .iter()
        .map(|h| Match {
            hit: *h,
            span: positions.span(h.start, h.end),
            unit: positions.unit,
            matched: text.get(h.start..h.end).unwrap_or_default().to_owned(),
        })
        .collect()
}

/// Accepted forms only: terms and variants.
pub fn accepted(hit: &Hit) -> bool {
    hit.kind.is_accepted()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::LexiconFile;

    const LEXICON: &str = r#"
[[entry]]
id = "zhuanye"
term = "专业+机制+大数据"
category = "警务模式"
definition = "d"
[[entry]]
id = "liangdui"
term = "两队一室"
category = "警务模式"
definition = "d"
variants = ["一室两队"]
[[entry.wrong]]
form = "两队一所"
[[entry]]
id = "n1333"
term = "1333"
category = "警务模式"
definition = "d"
[[entry]]
id = "sanzhu"
term = "省级主责、市县主战、派出所主防"
category = "口号提法"
definition = "d"
[[entry]]
id = "shixian"
term = "市县主战"
category = "口号提法"
definition = "d"
[[entry]]
id = "paichusuo-zhufang"
term = "派出所主防"
category = "口号提法"
definition = "d"
[[entry]]
id = "paichusuo"
term = "派出所"
category = "基础术语"
definition = "d"
[[entry]]
id = "chengshi"
term = "城市数字公共基础设施"
category = "基础术语"
definition = "d"
[[entry]]
id = "qzx"
term = "情指行一体化"
category = "警务模式"
definition = "d"
variants = ["情指行"]
"#;

    fn scanner() -> (Lexicon, Scanner) {
        let lex = Lexicon::load(&[vec![LexiconFile {
            path: "t.toml".into(),
            text: LEXICON.into(),
        }]])
        .unwrap();
        let s = Scanner::new(&lex).unwrap();
        (lex, s)
    }

    /// `(name, text, outermost spans as (matched text, id), per-entry counts
    /// as (id, count, nested))`
    type Case = (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static [(&'static str, usize, usize)],
    );

    const TABLE: &[Case] = &[
        ("no_terms", "今天天气很好。", &[], &[]),
        (
            "fullwidth_plus",
            "推行专业＋机制＋大数据模式",
            &[("专业＋机制＋大数据", "zhuanye")],
            &[("zhuanye", 1, 0)],
        ),
        (
            "line_break",
            "两队\n一室",
            &[("两队\n一室", "liangdui")],
            &[("liangdui", 1, 0)],
        ),
        (
            "crlf",
            "两队\r\n一室",
            &[("两队\r\n一室", "liangdui")],
            &[("liangdui", 1, 0)],
        ),
        (
            "page_break",
            "城\n\n市数字公共基础设施",
            &[("城\n\n市数字公共基础设施", "chengshi")],
            &[("chengshi", 1, 0)],
        ),
        (
            "number_alone",
            "“1333”布局",
            &[("1333", "n1333")],
            &[("n1333", 1, 0)],
        ),
        ("number_inside_number", "分机13333", &[], &[]),
        ("fullwidth_number_inside_number", "分机１３３３３", &[], &[]),
        (
            "variant",
            "一室两队",
            &[("一室两队", "liangdui")],
            &[("liangdui", 1, 0)],
        ),
        ("wrong_form_not_scanned", "两队一所", &[], &[]),
        (
            "slogan_with_parts",
            "坚持省级主责、市县主战、派出所主防。",
            &[("省级主责、市县主战、派出所主防", "sanzhu")],
            &[
                ("sanzhu", 1, 0),
                ("shixian", 1, 1),
                ("paichusuo-zhufang", 1, 1),
                ("paichusuo", 1, 1),
            ],
        ),
        (
            "part_alone",
            "市县主战，派出所主防",
            &[("市县主战", "shixian"), ("派出所主防", "paichusuo-zhufang")],
            &[
                ("shixian", 1, 0),
                ("paichusuo-zhufang", 1, 0),
                ("paichusuo", 1, 1),
            ],
        ),
        (
            "suffix_variant_longest",
            "情指行一体化与情指行",
            &[("情指行一体化", "qzx"), ("情指行", "qzx")],
            &[("qzx", 2, 0)],
        ),
    ];

    /// Every case, with the scanner over all forms, with the one over
    /// accepted forms only (what `scan` and `count` use) and with the
    /// sieve: same answers.
    #[test]
    fn table() {
        let (lex, all) = scanner();
        let accepted_only = Scanner::accepted_only(&lex).unwrap();
        let sieve = Scanner::searching_with(&lex, Searches::Sieve);
        assert!(all.has_table() && sieve.has_sieve());
        for ((name, text, want_spans, want_counts), s) in TABLE
            .iter()
            .flat_map(|case| [(case, &all), (case, &accepted_only), (case, &sieve)])
        {
            let hits = s.hits(text);
            let spans = outermost(&hits, accepted);
            let got: Vec<_> = spans
                .iter()
                .map(|h| (&text[h.start..h.end], lex.entry(h.entry).id.as_str()))
                .collect();
            assert_eq!(&got, want_spans, "spans of {name}");
            let occ = per_entry(&hits);
            let mut counts: Vec<(&str, usize, usize)> = Vec::new();
            for o in &occ {
                let id = lex.entry(o.hit.entry).id.as_str();
                match counts.iter_mut().find(|c| c.0 == id) {
                    Some(c) => {
                        c.1 += 1;
                        c.2 += usize::from(o.nested);
                    }
                    None => counts.push((id, 1, usize::from(o.nested))),
                }
            }
            let mut want = want_counts.to_vec();
            want.sort();
            counts.sort();
            assert_eq!(counts, want, "counts of {name}");
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
    fn wrong_forms_are_hits() {
        let (lex, s) = scanner();
        let hits = s.hits("两队一所");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].kind, FormKind::Wrong);
        assert_eq!(lex.entry(hits[0].entry).id, "liangdui");
    }
}
