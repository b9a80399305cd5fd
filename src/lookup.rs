//! Glossary look-up: which entries a query names, and how.
//!
//! Modes, in order: exact term, variant, id, then component (reverse:
//! 社区警务队 → 两队一室). An entry named by the query comes first, followed
//! by the entries the query is a part of, so 社区警务队 shows its own entry
//! and 两队一室. Only when none of those match are wrong and outdated forms
//! tried, so a misquote leads to the entry it misquotes. The query is
//! compared after the same normalization as the text, with surrounding
//! quotes removed.

use crate::lexicon::{Entry, Lexicon};
use crate::text::normalize;

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
        }
    }
}

/// One entry found by a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Index of the entry in the lexicon.
    pub entry: usize,
    /// How it matched.
    pub mode: Mode,
}

/// The forms of an entry that one mode compares with the query.
type FormsOf = fn(&Entry) -> Vec<&str>;

/// Looks `query` up; an empty result means nothing matched.
pub fn lookup(lexicon: &Lexicon, query: &str) -> Vec<Found> {
    let q = key(query);
    if q.is_empty() {
        return Vec::new();
    }
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
    let mut found: Vec<Found> = Vec::new();
    for (i, (mode, forms)) in modes.into_iter().enumerate() {
        // Wrong and outdated forms (the last two modes) only when nothing
        // else matched.
        if i >= 4 && !found.is_empty() {
            break;
        }
        for (entry, e) in lexicon.entries().iter().enumerate() {
            if !found.iter().any(|f| f.entry == entry) && forms(e).into_iter().any(|f| key(f) == q)
            {
                found.push(Found { entry, mode });
            }
        }
    }
    found
}

/// The comparison key: trimmed, unquoted, normalized.
fn key(s: &str) -> String {
    let s = s
        .trim()
        .trim_matches(['“', '”', '"', '\'', '‘', '’', '《', '》', '「', '」'])
        .trim();
    normalize(s).as_str().to_owned()
}
