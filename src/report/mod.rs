//! Output formats. Printers take values from `scan`, `count`, `annotate`,
//! `lookup` and `lexicon` and write bytes; they never match.
//!
//! - `human`: text for people, the only module that uses colour;
//! - `json`: the documented machine-readable contract (wire structs);
//! - `csv`: spreadsheets.

pub mod csv;
pub mod human;
pub mod json;
