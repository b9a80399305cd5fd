//! `tifa` (提法) finds Chinese policing terms and formula slogans in text,
//! explains them from a TOML lexicon, counts them, and checks that they are
//! quoted correctly.
//!
//! # Pipeline
//!
//! ```text
//! bytes ─ text::decode ─▶ String ─ text::normalize ─▶ normalized + offset map
//!       ─ scan::Scanner ─▶ Hit (original offsets) ─▶ scan::outermost / scan::per_entry
//!       ─ count / lookup / annotate ─▶ values ─ report::* ─▶ bytes out
//! ```
//!
//! The lexicon ([`lexicon::Lexicon`]) is loaded and validated once; the
//! scanner is built once from it. Matching never prints and printers never
//! match: everything before `report` returns data.
//!
//! # One engine, thin front ends
//!
//! [`engine::Engine`] is the lexicon, its scanner and the checker as one
//! value, cheap to clone and share across threads and rebuilt anywhere from
//! its [`engine::LexiconSource`]; [`engine::run::Run`] works on inputs as
//! users give them (reading, decoding, threads, streaming large files in
//! pieces, input order), handing values to sinks. The command line
//! (`cli`), the language server (`lsp`) and the Python package
//! (`python/`, a workspace member) are front ends on it: they parse their
//! requests, build the engine, and print or convert what it gives.
//!
//! The cut between them is the `cli` feature (on by default): it adds the
//! `cli`, `lsp` and `serve` modules and `report::human`, and the crates
//! only they use — clap and its completions and manual pages, colored, the
//! terminal size, lsp-server and lsp-types, signal-hook and tempfile
//! (`--fix`'s atomic writes), axum and tokio (`tifa serve`).
//! `tifa = { path = "..", default-features = false }`
//! is the library alone: the engine, inputs, the lexicon, every printer but
//! the terminal's, with no argument parser or terminal code linked.
//!
//! # Example
//!
//! ```
//! use tifa::lexicon::Lexicon;
//! use tifa::scan::{Scanner, accepted, outermost};
//!
//! let lexicon = Lexicon::embedded().expect("the embedded lexicon is valid");
//! let scanner = Scanner::new(&lexicon).expect("the automaton builds");
//! let text = "全面推行“两队\n一室”改革。";
//! let hits = scanner.hits(text);
//! let spans = outermost(&hits, accepted);
//! assert_eq!(&text[spans[0].start..spans[0].end], "两队\n一室");
//! assert_eq!(lexicon.entry(spans[0].entry).term, "两队一室");
//! ```
//!
//! # Matching semantics
//!
//! - Full-width ASCII forms match their half-width twins (`＋` = `+`,
//!   `％` = `%`, `４` = `4`); whitespace, line breaks and blank lines between
//!   two CJK characters (ideographs, CJK and full-width punctuation, “ ” ‘ ’)
//!   are ignored. Positions are always reported in the original text.
//! - A form that begins or ends with an ASCII letter or digit does not match
//!   inside a longer ASCII word or number (`1333` is not in `13333`).
//! - Spans are outermost, leftmost-longest.
//! - Counts are per entry, as if each entry were searched alone; occurrences
//!   inside another entry's span are counted and marked nested.
//! - Columns are 1-based and count Unicode characters; byte offsets are into
//!   the decoded UTF-8 text.

#![warn(missing_docs)]
#![warn(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used
)]

pub mod annotate;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod count;
pub mod diagnostic;
pub mod engine;
pub mod format;
pub mod input;
pub mod lexicon;
pub mod lookup;
#[cfg(feature = "cli")]
pub mod lsp;
pub mod pinyin;
pub mod report;
pub mod scan;
#[cfg(feature = "cli")]
pub mod serve;
pub mod setup;
pub mod text;
