//! Output formats. Printers take values from `scan`, `count`, `annotate`,
//! `lookup` and `lexicon` and write bytes; they never match.
//!
//! - `human`: text for people, the only module that uses colour;
//! - `json`: the documented machine-readable contract (wire structs);
//! - `csv`: spreadsheets (counts, the lexicon);
//! - `markdown`: the glossary, and annotated text with footnotes;
//! - `html`: the self-contained report page;
//! - `tbx`: the lexicon as a TBX-Basic termbase for translators;
//! - `patterns`: the forms for `rg -F -f`;
//! - `sarif` and `github`: findings of `check` for CI.

pub mod csv;
pub mod github;
pub mod html;
#[cfg(feature = "cli")]
pub mod human;
pub mod json;
pub mod markdown;
pub mod patterns;
pub mod sarif;
pub mod tbx;
pub mod visible;
