//! The lexicon: entries, their forms, and loading them from TOML.
//!
//! [`Lexicon::load`] takes layers of TOML files (the embedded default set,
//! then each `--lexicon` path), merges them (a later layer's entry replaces
//! an earlier one with the same id) and validates the result, returning
//! every problem as a [`Diagnostic`]. The scanner in [`crate::scan`] is
//! built from a loaded lexicon; nothing here searches text.

pub mod import;
mod load;
mod raw;
mod validate;

use std::collections::HashMap;

pub use load::{LexiconFile, embedded_files, read_path};
pub use validate::MAX_FORM_CHARS;

use crate::diagnostic::{Diagnostic, Location};

/// How a form belongs to its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FormKind {
    /// The canonical form.
    Term,
    /// An accepted variant.
    Variant,
    /// A known wrong form; the term is the correction.
    Wrong,
    /// An outdated form; the term replaces it.
    Outdated,
    /// A part of a multi-part term (`市县主战` of
    /// `省级主责、市县主战、派出所主防`), searched by the checker only.
    Part,
    /// Half of a long accepted form, searched by the checker to find
    /// near misses.
    Piece,
}

impl FormKind {
    /// True for forms a text may use: the term and its variants.
    pub fn is_accepted(self) -> bool {
        matches!(self, FormKind::Term | FormKind::Variant)
    }

    /// The lowercase name used in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Term => "term",
            FormKind::Variant => "variant",
            FormKind::Wrong => "wrong",
            FormKind::Outdated => "outdated",
            FormKind::Part => "part",
            FormKind::Piece => "piece",
        }
    }
}

/// A wrong or outdated form with an optional note on why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormNote {
    /// The form as written in the lexicon.
    pub form: String,
    /// Why it is wrong or outdated.
    pub note: Option<String>,
}

/// How widely an entry may match in arbitrary text: the precision policy
/// of `lexicon/README.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// A national Party or State formulation (`两个维护`): a correct
    /// recognition wherever it appears.
    National,
    /// A term distinctive to public-security work (`两队一室`): matched
    /// everywhere. The default of an entry that does not say.
    #[default]
    Policing,
    /// An ordinary word that also has a police meaning (`专班`): found by
    /// `lookup`; in text only where it is quoted as a formulation
    /// (`“专班”`), or everywhere when asked for (`--all-terms`).
    General,
}

impl Scope {
    /// The names written in the lexicon, in order.
    pub const NAMES: [&'static str; 3] = ["national", "policing", "general"];

    /// The scope written as `name`.
    pub fn parse(name: &str) -> Option<Scope> {
        match name {
            "national" => Some(Scope::National),
            "policing" => Some(Scope::Policing),
            "general" => Some(Scope::General),
            _ => None,
        }
    }

    /// The name written in the lexicon and in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::National => "national",
            Scope::Policing => "policing",
            Scope::General => "general",
        }
    }
}

/// Where a form of an entry counts as the formulation: anywhere, or only
/// in a context that says the writer meant it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Context {
    /// Anywhere.
    #[default]
    Any,
    /// Only as the whole text inside quotation marks: `“专班”`.
    Quoted,
    /// Only when one of these texts follows at once: `一二三四` in
    /// `一二三四总体思路`.
    FollowedBy(Vec<String>),
}

impl Context {
    /// True when a form found at `start..end` of `text` stands in this
    /// context.
    pub fn allows(&self, text: &str, start: usize, end: usize) -> bool {
        match self {
            Context::Any => true,
            Context::Quoted => {
                let before = text.get(..start).and_then(|t| t.chars().next_back());
                let after = text.get(end..).and_then(|t| t.chars().next());
                matches!(
                    (before, after),
                    (Some('“'), Some('”'))
                        | (Some('‘'), Some('’'))
                        | (Some('「'), Some('」'))
                        | (Some('『'), Some('』'))
                        | (Some('"'), Some('"'))
                        | (Some('＂'), Some('＂'))
                        | (Some('\''), Some('\''))
                )
            }
            Context::FollowedBy(after) => text
                .get(end..)
                .is_some_and(|t| after.iter().any(|a| t.starts_with(a.as_str()))),
        }
    }

    /// The most characters of context the rule looks at after a form.
    pub fn chars_after(&self) -> usize {
        match self {
            Context::Any => 0,
            Context::Quoted => 1,
            Context::FollowedBy(after) => {
                after.iter().map(|a| a.chars().count()).max().unwrap_or(0)
            }
        }
    }
}

/// The name of a context rule written as `context = "…"`: `quoted`, or
/// none (anywhere, or `followed_by`, which is written as its list).
pub fn context_name(context: &Context) -> Option<&'static str> {
    match context {
        Context::Quoted => Some("quoted"),
        Context::Any | Context::FollowedBy(_) => None,
    }
}

/// A sentence attached to an entry, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The sentence.
    pub text: String,
    /// Where it stands in its lexicon file.
    pub location: Location,
}

/// One validated lexicon entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable ASCII identifier.
    pub id: String,
    /// The canonical form.
    pub term: String,
    /// One of the documented categories (free text for user lexicons).
    pub category: String,
    /// The definition, in Chinese.
    pub definition: String,
    /// The parts the term stands for.
    pub components: Vec<String>,
    /// Accepted variant forms.
    pub variants: Vec<String>,
    /// Known wrong forms.
    pub wrong: Vec<FormNote>,
    /// Outdated forms.
    pub outdated: Vec<FormNote>,
    /// English rendering.
    pub en: Option<String>,
    /// Where the entry comes from.
    pub sources: Vec<String>,
    /// Ids of related entries.
    pub related: Vec<String>,
    /// Sentences that must match this entry.
    pub examples: Vec<Example>,
    /// Sentences that must not match this entry.
    pub counterexamples: Vec<Example>,
    /// The entry that replaces this one, if it is outdated as a whole.
    pub superseded_by: Option<String>,
    /// How widely the entry may match (the precision policy).
    pub scope: Scope,
    /// Where its forms count as the formulation.
    pub context: Context,
    /// Notes on the term's origin and its use in one place or one source,
    /// kept apart from the general definition.
    pub notes: Option<String>,
    /// An English note for translators, kept apart from the bare `en`.
    pub en_note: Option<String>,
    /// Established words one character away from a form that are not
    /// misquotes of it (`智能安防小区` for `智慧安防小区`): never reported
    /// as its near misses.
    pub not_wrong: Vec<String>,
    /// Where the entry's `term` is written.
    pub location: Location,
}

impl Entry {
    /// Every form of the entry with its kind and its index within the kind.
    pub fn forms(&self) -> impl Iterator<Item = (FormKind, usize, &str)> {
        std::iter::once((FormKind::Term, 0, self.term.as_str()))
            .chain(
                self.variants
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (FormKind::Variant, i, v.as_str())),
            )
            .chain(
                self.wrong
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (FormKind::Wrong, i, w.form.as_str())),
            )
            .chain(
                self.outdated
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (FormKind::Outdated, i, w.form.as_str())),
            )
    }

    /// The form of the given kind and index.
    pub fn form(&self, kind: FormKind, index: usize) -> &str {
        let found = match kind {
            FormKind::Term => Some(self.term.as_str()),
            FormKind::Variant => self.variants.get(index).map(String::as_str),
            FormKind::Wrong => self.wrong.get(index).map(|w| w.form.as_str()),
            FormKind::Outdated => self.outdated.get(index).map(|w| w.form.as_str()),
            FormKind::Part => self.parts().get(index).copied(),
            FormKind::Piece => None,
        };
        found.unwrap_or(&self.term)
    }

    /// The parts of a multi-part term, split at `、`, `+`, `，` and `,`:
    /// `["省级主责", "市县主战", "派出所主防"]`. Empty for a term of one part.
    pub fn parts(&self) -> Vec<&str> {
        let parts: Vec<&str> = self
            .term
            .split(['、', '+', '＋', '，', ','])
            .map(str::trim)
            .collect();
        if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
            Vec::new()
        } else {
            parts
        }
    }

    /// The separator written between the parts of the term (`、` or `+`).
    pub fn separator(&self) -> Option<char> {
        self.term
            .chars()
            .find(|c| matches!(c, '、' | '+' | '＋' | '，' | ','))
    }

    /// The definition's first sentence, at most `max` characters.
    pub fn short_definition(&self, max: usize) -> String {
        let first = self
            .definition
            .split_inclusive(['。', '；'])
            .next()
            .unwrap_or_default()
            .trim_end_matches(['。', '；']);
        if first.chars().count() <= max {
            first.to_owned()
        } else {
            let mut s: String = first.chars().take(max.saturating_sub(1)).collect();
            s.push('…');
            s
        }
    }
}

/// A validated set of entries, in load order.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
    /// `general` entries are matched like the others
    /// ([`Lexicon::with_general`]).
    general: bool,
    /// Every entry is matched everywhere ([`Lexicon::with_all_terms`]).
    all_terms: bool,
}

impl Lexicon {
    /// Loads, merges and validates layers of lexicon files.
    ///
    /// Each layer is a list of files; an entry in a later layer replaces the
    /// entry with the same id from an earlier layer, while the same id twice
    /// in one layer is an error.
    ///
    /// # Errors
    ///
    /// Every problem found, sorted by location: TOML syntax, unknown keys,
    /// duplicate ids and forms, wrong forms equal to accepted ones, empty
    /// fields, unknown `related` ids, an empty lexicon.
    pub fn load(layers: &[Vec<LexiconFile>]) -> Result<Lexicon, Vec<Diagnostic>> {
        Ok(Lexicon::from_entries(load::load(layers)?))
    }

    /// The embedded default lexicon, from the entries build.rs digested
    /// (no TOML parsed at run time), or from its files when they did not
    /// parse at build time.
    ///
    /// # Errors
    ///
    /// Only if the embedded files are broken, which the test suite rules out.
    pub fn embedded() -> Result<Lexicon, Vec<Diagnostic>> {
        match load::embedded_entries() {
            Some(entries) => Ok(Lexicon::from_entries(entries)),
            None => Lexicon::load(&[embedded_files()]),
        }
    }

    /// A lexicon of entries already validated.
    fn from_entries(entries: Vec<Entry>) -> Lexicon {
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        Lexicon {
            entries,
            by_id,
            general: false,
            all_terms: false,
        }
    }

    /// The same lexicon with every entry scanned everywhere: `general`
    /// ones too, and context rules lifted (`--all-terms`: all the lexicon
    /// knows).
    #[must_use]
    pub fn with_all_terms(self) -> Lexicon {
        let mut lexicon = self.with_general();
        lexicon.all_terms = true;
        lexicon
    }

    /// The same lexicon with the `general` entries scanned too, context
    /// rules kept (what `lexicon test` runs examples with).
    #[must_use]
    pub fn with_general(mut self) -> Lexicon {
        self.general = true;
        self
    }

    /// True when scanners search the forms of `e` like any entry's (in its
    /// context rule, if it has one): every entry but a `general` one,
    /// unless [`Lexicon::with_general`] or [`Lexicon::with_all_terms`] asked
    /// for all.
    pub fn scanned(&self, e: &Entry) -> bool {
        e.scope != Scope::General || self.general
    }

    /// Where the forms of `e` count when scanned: everywhere with
    /// [`Lexicon::with_all_terms`]; a `general` entry not asked for only
    /// inside quotation marks; else its own rule.
    pub fn context_of<'e>(&self, e: &'e Entry) -> &'e Context {
        static ANY: Context = Context::Any;
        static QUOTED: Context = Context::Quoted;
        match &e.context {
            _ if self.all_terms => &ANY,
            Context::Any if !self.scanned(e) => &QUOTED,
            c => c,
        }
    }

    /// All entries, in load order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry at `index` in load order.
    pub fn entry(&self, index: usize) -> &Entry {
        &self.entries[index]
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
