//! Output formats. Printers take values from `scan`, `count`, `annotate`,
//! `lookup` and `lexicon` and write bytes; they never match.
//!
//! - `human`: text for people, the only module that uses colour;
//! - `json`: the documented machine-readable contract (wire structs);
//! - `csv`: spreadsheets;
//! - `sarif` and `github`: findings of `check` for CI.

pub mod csv;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
