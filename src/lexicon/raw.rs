//! The serde mirror of a lexicon TOML file, with the byte span of every
//! value so that validation can point at `path:line:column`.
//!
//! Unknown keys are errors (`deny_unknown_fields`). Nothing here checks
//! meaning; that is [`super::validate`].

use serde::Deserialize;
use toml::Spanned;

/// One lexicon file: `[[entry]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    #[serde(default)]
    pub(crate) entry: Vec<RawEntry>,
}

/// One `[[entry]]` table, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntry {
    pub(crate) id: Spanned<String>,
    pub(crate) term: Spanned<String>,
    pub(crate) category: Spanned<String>,
    pub(crate) definition: Spanned<String>,
    #[serde(default)]
    pub(crate) components: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) variants: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) wrong: Vec<RawForm>,
    #[serde(default)]
    pub(crate) outdated: Vec<RawForm>,
    #[serde(default)]
    pub(crate) en: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) sources: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) related: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) examples: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) counterexamples: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) superseded_by: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) scope: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) context: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) followed_by: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) notes: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) en_note: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) not_wrong: Vec<Spanned<String>>,
}

/// A `[[entry.wrong]]` or `[[entry.outdated]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawForm {
    pub(crate) form: Spanned<String>,
    #[serde(default)]
    pub(crate) note: Option<Spanned<String>>,
}
