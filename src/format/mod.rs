//! Document formats: which text of a file is read, and how its positions
//! are reported.
//!
//! - plain text and Markdown: the text itself;
//! - HTML ([`html`]): the text a reader sees, positions in the HTML source;
//! - Word `.docx` ([`docx`]): one line per paragraph, positions as
//!   paragraph number and character offset;
//! - PDF ([`pdf`]): the text layer, positions as page, line within the
//!   page and character column.
//!
//! The format comes from the file name (`--stdin-filename` for standard
//! input). Nothing here matches terms.

pub mod docx;
pub mod html;
pub mod pdf;
pub mod review;

use std::path::Path;

/// The format of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Plain text, Markdown and anything else.
    #[default]
    Text,
    /// HTML or XHTML.
    Html,
    /// Word 2007+ `.docx`.
    Docx,
    /// PDF (its text layer).
    Pdf,
}

impl Format {
    /// The format of a file, by its extension.
    pub fn of(path: &Path) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("html" | "htm" | "xhtml") => Format::Html,
            Some("docx") => Format::Docx,
            Some("pdf") => Format::Pdf,
            _ => Format::Text,
        }
    }
}
