//! Text in: decoding, normalization for matching, and line positions.
//!
//! [`mod@decode`] turns bytes into a `String`, [`mod@normalize`] rewrites it for
//! matching with a map back, and [`lines`] turns offsets into lines and
//! columns at the edge. Nothing here knows about the lexicon.

pub mod decode;
pub mod encode;
pub mod lines;
pub mod normalize;

pub use decode::{Decoded, Encoding, decode};
pub use lines::{LineIndex, Position};
pub use normalize::{Normalized, normalize};

/// A decoded input and where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as reported in output (`<stdin>` for standard input).
    pub path: String,
    /// The decoded text.
    pub text: String,
    /// The encoding the text was read from.
    pub encoding: Encoding,
    /// The file it was read from; `None` for standard input.
    pub file: Option<std::path::PathBuf>,
}
