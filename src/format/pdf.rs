//! PDF → text: the text layer, page by page.
//!
//! The text of each page comes from `pdf-extract` (on `lopdf`), which maps
//! the glyphs of CID fonts back to characters through their `ToUnicode`
//! maps, as Chinese PDFs need. Pages are joined by a line holding only a
//! form feed (`\n\f\n`), so every page starts on a line of its own;
//! positions in a PDF are page, line within the page and column
//! ([`page_starts`] finds the pages again). A term broken across a page
//! break is still found: the scanner ignores whitespace between CJK
//! characters, and a form feed is whitespace.
//!
//! A PDF with no text layer (a scanned image) gives an empty text: tifa
//! does no OCR. An encrypted PDF is read only when it opens with the empty
//! password (a PDF that restricts editing but not reading).
//!
//! Guards, as for a .docx ([`super::docx::LIMITS`]): the file itself, the
//! Flate-compressed streams uncompressed (each and together; object
//! streams as lopdf unpacks them while it reads the file, the others
//! before any text is extracted) and the extracted text are capped, and
//! past a cap nothing is read. The parser
//! may panic on malformed files; a panic is caught and reported as a PDF
//! it cannot read, with nothing printed by the panic itself.

use std::cell::Cell;
use std::io::Read;

/// Why a PDF could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Not a PDF, or one the parser cannot make sense of.
    #[error("cannot read PDF: {0}")]
    Broken(String),
    /// A password is needed to open it.
    #[error("cannot read PDF: it is encrypted (a password is needed to open it)")]
    Encrypted,
    /// Past a limit that guards against bombs: not read at all.
    #[error("cannot read PDF: {what} is more than the {limit} tifa reads from a PDF; not read")]
    TooLarge {
        /// What is too large.
        what: String,
        /// The limit, in words.
        limit: String,
    },
}

/// What one PDF may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The file itself, in bytes.
    pub file: u64,
    /// One compressed stream, uncompressed.
    pub stream: u64,
    /// All the compressed streams together, uncompressed.
    pub streams: u64,
    /// The extracted text, in bytes.
    pub text: u64,
    /// Pages.
    pub pages: usize,
}

/// The limits `extract` applies: those of a .docx (256 MiB) for the file,
/// each stream, the streams together and the text; 100,000 pages.
pub const LIMITS: Limits = Limits {
    file: super::docx::LIMITS.total,
    stream: super::docx::LIMITS.part,
    streams: super::docx::LIMITS.total,
    text: super::docx::LIMITS.total,
    pages: 100_000,
};

/// The text layer of a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The pages' text, joined by [`PAGE_BREAK`].
    pub text: String,
    /// The number of pages.
    pub pages: usize,
}

impl Extracted {
    /// True when no page has any text: no text layer (a scanned image).
    pub fn is_empty(&self) -> bool {
        self.text.chars().all(char::is_whitespace)
    }
}

/// What joins two pages in the extracted text.
pub const PAGE_BREAK: &str = "\n\u{c}\n";

/// The note for a PDF without a text layer.
pub const NO_TEXT_NOTE: &str =
    "no text layer (a scanned image?): tifa does no OCR, so there is no text to read";

/// The byte offsets where the pages of an extracted text start (the first
/// is 0).
pub fn page_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            memchr::memmem::find_iter(text.as_bytes(), PAGE_BREAK.as_bytes())
                .map(|i| i + PAGE_BREAK.len()),
        )
        .collect()
}

/// True when the bytes start as a PDF does (`%PDF-`, possibly after some
/// junk, as readers accept).
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes.get(..1024).unwrap_or(bytes), b"%PDF-").is_some()
}

fn mib(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{} MiB", n / (1024 * 1024))
    } else {
        format!("{n} bytes")
    }
}

/// Extracts the text layer of a PDF.
///
/// # Errors
///
/// When the bytes are not a PDF the parser reads, it is encrypted, or it
/// is past [`LIMITS`].
pub fn extract(bytes: &[u8]) -> Result<Extracted, PdfError> {
    extract_with(bytes, LIMITS)
}

thread_local! {
    /// Set while this thread parses a PDF: a panic there is caught and
    /// reported as an error, so the panic hook stays silent.
    static PARSING: Cell<bool> = const { Cell::new(false) };
}

/// Installs, once, a panic hook that is silent for panics of a PDF parse
/// and hands every other panic to the hook that was there before.
fn silence_parser_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !PARSING.with(Cell::get) {
                before(info);
            }
        }));
    });
}

/// [`extract`] with other limits.
///
/// # Errors
///
/// As [`extract`].
pub fn extract_with(bytes: &[u8], limits: Limits) -> Result<Extracted, PdfError> {
    if bytes.len() as u64 > limits.file {
        return Err(PdfError::TooLarge {
            what: "the file".into(),
            limit: mib(limits.file),
        });
    }
    if !looks_like_pdf(bytes) {
        return Err(PdfError::Broken("no %PDF- header".into()));
    }
    silence_parser_panics();
    let was = PARSING.with(|p| p.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(bytes, limits)));
    PARSING.with(|p| p.set(was));
    result.unwrap_or_else(|_| {
        Err(PdfError::Broken(
            "the PDF parser failed on it (a damaged or unusual file)".into(),
        ))
    })
}

fn broken(e: impl std::fmt::Display) -> PdfError {
    let message = e.to_string();
    PdfError::Broken(if message.is_empty() {
        "malformed".into()
    } else {
        message
    })
}

thread_local! {
    /// The object streams a parse on this thread may unpack while lopdf
    /// reads the file: (one, all together, unpacked so far, past a limit).
    static OBJECT_STREAMS: Cell<(u64, u64, u64, bool)> = const { Cell::new((0, 0, 0, false)) };
}

/// lopdf's object filter: an object stream (`/Type /ObjStm`, which lopdf
/// unpacks while it reads the file, before [`check_streams`] can see it)
/// past the limits is dropped and the parse marked too large. lopdf keeps
/// a stream it reads whole (the value returned is used only for the
/// objects of an object stream, which are never streams).
fn guard_object_streams(
    id: lopdf::ObjectId,
    object: &mut lopdf::Object,
) -> Option<(lopdf::ObjectId, lopdf::Object)> {
    let lopdf::Object::Stream(stream) = object else {
        return Some((id, object.clone()));
    };
    if stream.dict.has_type(b"ObjStm") && is_flate(&stream.dict) {
        let (one, all, used, over) = OBJECT_STREAMS.with(Cell::get);
        let room = one.min(all.saturating_sub(used));
        let n = inflated(&stream.content, room);
        if over || n > room {
            OBJECT_STREAMS.with(|c| c.set((one, all, used, true)));
            return None;
        }
        OBJECT_STREAMS.with(|c| c.set((one, all, used + n, false)));
    }
    Some((id, lopdf::Object::Null))
}

/// True when a stream's first filter is Flate.
fn is_flate(dict: &lopdf::Dictionary) -> bool {
    match dict.get(b"Filter") {
        Ok(lopdf::Object::Name(n)) => n.as_slice() == b"FlateDecode",
        Ok(lopdf::Object::Array(a)) => a
            .first()
            .and_then(|o| o.as_name().ok())
            .is_some_and(|n| n == b"FlateDecode"),
        _ => false,
    }
}

/// How many bytes `content` inflates to, counted up to `room + 1`. A
/// stream that does not inflate to its end is counted as far as it does:
/// the parser reads no more of it either.
fn inflated(content: &[u8], room: u64) -> u64 {
    std::io::copy(
        &mut flate2::read::ZlibDecoder::new(content).take(room.saturating_add(1)),
        &mut std::io::sink(),
    )
    .unwrap_or(0)
}

fn parse(bytes: &[u8], limits: Limits) -> Result<Extracted, PdfError> {
    OBJECT_STREAMS.with(|c| c.set((limits.stream, limits.streams, 0, false)));
    let options = lopdf::LoadOptions {
        filter: Some(guard_object_streams),
        ..lopdf::LoadOptions::default()
    };
    let loaded = lopdf::Document::load_mem_with_options(bytes, options);
    if OBJECT_STREAMS.with(Cell::get).3 {
        return Err(PdfError::TooLarge {
            what: "an object stream, uncompressed, or all of them,".into(),
            limit: mib(limits.stream.min(limits.streams)),
        });
    }
    let mut doc = loaded.map_err(broken)?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(PdfError::Encrypted);
    }
    check_streams(&doc, limits)?;
    let pages = doc.get_pages();
    if pages.len() > limits.pages {
        return Err(PdfError::TooLarge {
            what: format!("{} pages", pages.len()),
            limit: format!("{} pages", limits.pages),
        });
    }
    let mut text = String::new();
    for (i, &number) in pages.keys().enumerate() {
        let room = limits.text.saturating_sub(text.len() as u64);
        let mut out = Capped {
            bytes: Vec::new(),
            room,
            over: false,
        };
        let done = {
            let mut dev = pdf_extract::PlainTextOutput::new(&mut out as &mut dyn std::io::Write);
            pdf_extract::output_doc_page(&doc, &mut dev, number)
        };
        if out.over {
            return Err(PdfError::TooLarge {
                what: "the text".into(),
                limit: mib(limits.text),
            });
        }
        done.map_err(broken)?;
        let page = String::from_utf8(out.bytes).map_err(broken)?;
        if i > 0 {
            text.push_str(PAGE_BREAK);
        }
        // The text starts with the line breaks the extractor writes
        // before a page's first line; trailing space is no text.
        text.push_str(page.trim_start_matches(['\n', '\r']).trim_end());
    }
    if text.len() as u64 > limits.text {
        return Err(PdfError::TooLarge {
            what: "the text".into(),
            limit: mib(limits.text),
        });
    }
    Ok(Extracted {
        text,
        pages: pages.len(),
    })
}

/// Checks that the Flate-compressed streams the extractor may unpack
/// (all but images) are within the limits, uncompressed.
fn check_streams(doc: &lopdf::Document, limits: Limits) -> Result<(), PdfError> {
    let mut total: u64 = 0;
    for (id, object) in &doc.objects {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        let image = matches!(
            stream.dict.get(b"Subtype"),
            Ok(lopdf::Object::Name(n)) if n.as_slice() == b"Image"
        );
        if image || !is_flate(&stream.dict) {
            continue;
        }
        let room = limits.stream.min(limits.streams - total);
        let n = inflated(&stream.content, room);
        if n > room {
            return Err(PdfError::TooLarge {
                what: if room == limits.stream {
                    format!("stream {} {} uncompressed", id.0, id.1)
                } else {
                    "the streams together, uncompressed,".into()
                },
                limit: mib(if room == limits.stream {
                    limits.stream
                } else {
                    limits.streams
                }),
            });
        }
        total += n;
    }
    Ok(())
}

/// A writer that takes at most `room` bytes, then fails.
struct Capped {
    bytes: Vec<u8>,
    room: u64,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if (self.bytes.len() + buf.len()) as u64 > self.room {
            self.over = true;
            return Err(std::io::Error::other("text limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_start_after_each_break() {
        let text = format!("一{PAGE_BREAK}二{PAGE_BREAK}{PAGE_BREAK}三");
        let starts = page_starts(&text);
        assert_eq!(starts.len(), 4);
        assert_eq!(&text[starts[1]..starts[1] + 3], "二");
        assert_eq!(&text[starts[3]..], "三");
    }

    #[test]
    fn not_a_pdf_and_garbage_are_errors_not_panics() {
        assert!(matches!(extract(b"hello"), Err(PdfError::Broken(_))));
        assert!(matches!(extract(b"%PDF-1.7\n"), Err(PdfError::Broken(_))));
        // A catalog whose page tree is missing: read, no pages, no text
        // (lopdf does without the cross-reference table).
        let no_pages = extract(
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        );
        assert!(no_pages.is_err() || no_pages.is_ok_and(|e| e.is_empty()));
        // A root that is not there: no pages either.
        let no_root = extract(
            b"%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer << /Size 1 /Root 9 0 R >>\nstartxref\n9\n%%EOF",
        );
        assert!(
            no_root.as_ref().is_err() || no_root.as_ref().is_ok_and(|e| e.pages == 0),
            "{no_root:?}"
        );
    }

    #[test]
    fn the_file_limit_is_checked_first() {
        let limits = Limits { file: 4, ..LIMITS };
        assert!(matches!(
            extract_with(b"%PDF-1.7", limits),
            Err(PdfError::TooLarge { .. })
        ));
    }
}
