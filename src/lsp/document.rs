//! The documents the client has open: their text as the editor has it,
//! kept in step with each change.

use std::path::{Path, PathBuf};

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::position::{Encoding, Lines, uri_to_path};
use crate::format::{Format, html};
use crate::text::Source;

/// One open document that tifa checks.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) uri: Uri,
    /// Its file, for a `file:` URI.
    pub(crate) path: Option<PathBuf>,
    pub(crate) version: i32,
    pub(crate) text: String,
    pub(crate) format: Format,
}

/// The format tifa reads a document in, or `None` when tifa does not check
/// documents of its language: Markdown and plain text as text, HTML with
/// positions in its source. The language id decides; an unknown one
/// leaves it to the file's extension.
pub(crate) fn format_of(language_id: &str, path: Option<&Path>) -> Option<Format> {
    match language_id.to_ascii_lowercase().as_str() {
        "markdown" | "plaintext" | "text" => return Some(Format::Text),
        "html" => return Some(Format::Html),
        _ => {}
    }
    let ext = path?.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "md" | "markdown" | "txt" | "text" => Some(Format::Text),
        "html" | "htm" | "xhtml" => Some(Format::Html),
        _ => None,
    }
}

impl Document {
    /// A document the client opened, when tifa checks its language.
    pub(crate) fn open(uri: Uri, language_id: &str, version: i32, text: String) -> Option<Self> {
        let path = uri_to_path(&uri);
        let format = format_of(language_id, path.as_deref())?;
        Some(Document {
            uri,
            path,
            version,
            text,
            format,
        })
    }

    /// Applies the client's changes in order: a change with a range
    /// replaces that range, one without replaces the whole text.
    pub(crate) fn change(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) {
        for c in changes {
            match c.range {
                None => self.text = c.text,
                Some(range) => {
                    let lines = Lines::new(&self.text, encoding);
                    let start = lines.offset(range.start);
                    let end = lines.offset(range.end).max(start);
                    self.text.replace_range(start..end, &c.text);
                }
            }
        }
        self.version = version;
    }

    /// The source tifa checks: the text, or for HTML what a reader sees of
    /// it with positions in the HTML.
    pub(crate) fn source(&self) -> Source {
        let name = self
            .path
            .as_ref()
            .map_or_else(|| self.uri.as_str().to_owned(), |p| p.display().to_string());
        match self.format {
            Format::Html => html::source(&name, self.text.clone()),
            _ => Source::plain(&name, self.text.clone()),
        }
    }

    /// The folder its configuration is looked for from: the file's, else
    /// the first workspace folder, else the working directory.
    pub(crate) fn folder(&self, roots: &[PathBuf]) -> PathBuf {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .or_else(|| roots.first().cloned())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    #[test]
    fn incremental_changes_in_utf16() {
        let uri: Uri = "file:///tmp/a.md".parse().unwrap();
        let mut doc = Document::open(uri, "markdown", 1, "😀两队一所\n".into()).unwrap();
        // Replace 所 (after a surrogate pair and three characters).
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(0, 5), Position::new(0, 6))),
            range_length: None,
            text: "室".into(),
        };
        doc.change(2, vec![change], Encoding::Utf16);
        assert_eq!(doc.text, "😀两队一室\n");
        assert_eq!(doc.version, 2);
    }

    #[test]
    fn formats() {
        assert_eq!(format_of("markdown", None), Some(Format::Text));
        assert_eq!(format_of("rust", Some(Path::new("a.rs"))), None);
        assert_eq!(format_of("", Some(Path::new("a.HTM"))), Some(Format::Html));
    }
}
