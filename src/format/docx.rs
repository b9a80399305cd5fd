//! Word `.docx` → text: one line per paragraph.
//!
//! Reads `word/document.xml` (body and tables), then the headers, footers,
//! footnotes and endnotes, joining the text of every run of a paragraph, so
//! a term that Word split into several runs (by formatting, spell-check
//! marks, revisions) is found whole. A tab is `\t`, a line break inside a
//! paragraph is a space (between CJK characters the scanner ignores it).
//! Positions in a .docx are therefore paragraph numbers (the body first,
//! then each other part after an empty paragraph) and character offsets.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

/// Why a .docx could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    /// Not a zip archive, or a broken one.
    #[error("not a readable .docx (zip) file: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The archive has no `word/document.xml`.
    #[error("not a Word document: no word/document.xml inside")]
    NoDocument,
    /// Past a limit that guards against zip bombs: not read at all (a
    /// document read in part would report only some of its findings).
    #[error("{what}: more than the {limit} tifa reads from a .docx uncompressed; not read")]
    TooLarge {
        /// What is too large (a part, or the parts together).
        what: String,
        /// The limit, in words.
        limit: String,
    },
    /// More header, footer and note parts than a document has.
    #[error(
        "{count} header, footer and note parts: more than the {max} tifa reads from a .docx; not read"
    )]
    TooManyParts {
        /// How many there are.
        count: usize,
        /// The most read.
        max: usize,
    },
    /// A part could not be read or is not well-formed XML.
    #[error("broken {part}: {message}")]
    Part {
        /// The part's name in the archive.
        part: String,
        /// What was wrong.
        message: String,
    },
}

/// The parts read after the body, in this order (by name prefix).
const OTHER_PARTS: [&str; 4] = [
    "word/header",
    "word/footer",
    "word/footnotes",
    "word/endnotes",
];

/// Guards against zip bombs: what one .docx may hold, uncompressed.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest part.
    pub part: u64,
    /// All the parts read, together.
    pub total: u64,
    /// Header, footer, footnote and endnote parts.
    pub other_parts: usize,
}

/// The limits `extract` applies: 256 MiB a part and in all, 256 parts
/// besides the body (a document with a header and footer per section has
/// a few dozen).
pub const LIMITS: Limits = Limits {
    part: 256 * 1024 * 1024,
    total: 256 * 1024 * 1024,
    other_parts: 256,
};

fn mib(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{} MiB", n / (1024 * 1024))
    } else {
        format!("{n} bytes")
    }
}

/// Extracts the text of a .docx file.
///
/// # Errors
///
/// When the bytes are not a zip archive with a well-formed
/// `word/document.xml`.
pub fn extract(bytes: &[u8]) -> Result<String, DocxError> {
    extract_with(bytes, LIMITS)
}

/// [`extract`] with other limits.
///
/// # Errors
///
/// As [`extract`], and when a part or all of them are larger than
/// `limits` allow, or there are more parts: the whole document is then not
/// read, and the error says which limit.
pub fn extract_with(bytes: &[u8], limits: Limits) -> Result<String, DocxError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))?;
    let parts = story_parts(&zip, limits)?;
    let mut text = String::new();
    let mut total: u64 = 0;
    for (i, part) in parts.iter().enumerate() {
        let file = zip.by_name(part)?;
        // The sizes an archive declares may lie: the reads are capped too.
        let room = limits.part.min(limits.total - total);
        let mut bytes = Vec::new();
        file.take(room + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| DocxError::Part {
                part: part.clone(),
                message: e.to_string(),
            })?;
        if bytes.len() as u64 > room {
            return Err(if room == limits.part {
                DocxError::TooLarge {
                    what: part.clone(),
                    limit: mib(limits.part),
                }
            } else {
                DocxError::TooLarge {
                    what: "the parts together".into(),
                    limit: mib(limits.total),
                }
            });
        }
        total += bytes.len() as u64;
        let xml = String::from_utf8(bytes).map_err(|e| DocxError::Part {
            part: part.clone(),
            message: format!("not UTF-8 near byte {}", e.utf8_error().valid_up_to()),
        })?;
        if i > 0 {
            text.push('\n');
        }
        walk(&xml, &mut text, None).map_err(|message| DocxError::Part {
            part: part.clone(),
            message,
        })?;
    }
    Ok(text)
}

/// The story parts of a document, in the order their text is read: the
/// body, then headers, footers, footnotes and endnotes (by name).
pub(crate) fn story_parts<R: Read + std::io::Seek>(
    zip: &zip::ZipArchive<R>,
    limits: Limits,
) -> Result<Vec<String>, DocxError> {
    let mut names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(std::borrow::Cow::into_owned)
        .collect();
    names.sort();
    if !names.iter().any(|n| n == "word/document.xml") {
        return Err(DocxError::NoDocument);
    }
    let mut parts = vec!["word/document.xml".to_owned()];
    for prefix in OTHER_PARTS {
        parts.extend(
            names
                .iter()
                .filter(|n| n.starts_with(prefix) && n.ends_with(".xml"))
                .cloned(),
        );
    }
    if parts.len() - 1 > limits.other_parts {
        return Err(DocxError::TooManyParts {
            count: parts.len() - 1,
            max: limits.other_parts,
        });
    }
    Ok(parts)
}

/// The next event of `reader`, with the byte offsets in the part where it
/// begins and ends.
pub(crate) fn next_event<'a>(
    reader: &mut Reader<&'a [u8]>,
) -> Result<(usize, Event<'a>, usize), String> {
    let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
    let event = reader.read_event().map_err(|e| e.to_string())?;
    let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
    Ok((before, event, after))
}

/// Appends the paragraphs of one WordprocessingML part, each ended by `\n`;
/// with `map`, records where each piece of the text comes from (for
/// `review`, which writes back into the part).
///
/// The fallback of markup compatibility (`mc:Fallback`, the VML copy of a
/// text box Word writes beside its DrawingML one) is skipped: it repeats
/// text already read.
pub(crate) fn walk(
    xml: &str,
    out: &mut String,
    mut map: Option<&mut super::review::PartMap>,
) -> Result<(), String> {
    use super::review::{Child, Kind, RunInfo, Seg};
    /// A run open: where, its depth, the child of it open (start, where
    /// in the text).
    struct Open {
        info: RunInfo,
        depth: usize,
        child: Option<(usize, usize)>,
    }
    let base = out.len();
    let mut reader = Reader::from_str(xml);
    let mut in_text = false;
    let mut in_paragraph = false;
    // Element names open, innermost last.
    let mut stack: Vec<String> = Vec::new();
    let mut para = 0usize;
    // Runs open, innermost last (a text box's runs are inside a run).
    let mut runs: Vec<Open> = Vec::new();
    let mut text_at = 0usize;
    // The depth of the `mc:Fallback` being skipped.
    let mut skip: Option<usize> = None;
    loop {
        let (before, event, after) = next_event(&mut reader)?;
        if let Some(d) = skip {
            match event {
                Event::Start(_) => stack.push(String::new()),
                Event::End(_) => {
                    stack.pop();
                    if stack.len() == d {
                        skip = None;
                    }
                }
                Event::Eof => return Ok(()),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                let depth = stack.len();
                if let Some(top) = runs.last_mut()
                    && depth == top.depth + 1
                    && top.child.is_none()
                {
                    top.child = Some((before, out.len() - base));
                }
                match name.as_str() {
                    "Fallback" if e.name().as_ref().starts_with("mc:") => {
                        skip = Some(depth);
                        stack.push(name);
                        continue;
                    }
                    "t" => {
                        in_text = true;
                        text_at = out.len();
                    }
                    "p" => {
                        in_paragraph = true;
                        // A paragraph inside a run (a text box): the run
                        // around it cannot be rewritten.
                        for r in &mut runs {
                            r.info.frozen = true;
                        }
                    }
                    "r" => {
                        let direct = stack.last().is_some_and(|n| n == "p");
                        runs.push(Open {
                            info: RunInfo {
                                raw: before..before,
                                tag: before..after,
                                rpr: None,
                                direct,
                                frozen: false,
                                para,
                                children: Vec::new(),
                            },
                            depth,
                            child: None,
                        });
                    }
                    _ => {}
                }
                stack.push(name);
            }
            Event::Empty(e) => {
                let name = e.local_name();
                let at = out.len() - base;
                let mut kind = Kind::Other;
                match name.as_ref() {
                    "tab" if in_paragraph && stack.last().is_none_or(|n| n != "tabs") => {
                        out.push('\t');
                        kind = Kind::Char;
                    }
                    "br" | "cr" if in_paragraph => {
                        out.push(' ');
                        kind = Kind::Char;
                    }
                    "p" => {
                        out.push('\n');
                        para += 1;
                    }
                    _ => {}
                }
                let Some(map) = map.as_deref_mut() else {
                    continue;
                };
                let top = runs.last_mut().filter(|r| stack.len() == r.depth + 1);
                if matches!(kind, Kind::Char) {
                    map.segs.push(Seg {
                        at,
                        len: 1,
                        run: top.is_some().then_some(map.runs.len()),
                    });
                }
                if let Some(r) = top {
                    if name.as_ref() == "rPr" {
                        r.info.rpr = Some(before..after);
                    } else {
                        r.info.children.push(Child {
                            kind,
                            raw: before..after,
                            at,
                        });
                    }
                }
            }
            Event::End(e) => {
                stack.pop();
                let depth = stack.len();
                let name = e.local_name();
                match name.as_ref() {
                    "t" => in_text = false,
                    "p" => {
                        in_paragraph = false;
                        out.push('\n');
                        para += 1;
                    }
                    _ => {}
                }
                let Some(map) = map.as_deref_mut() else {
                    if name.as_ref() == "r" && runs.last().is_some_and(|r| r.depth == depth) {
                        runs.pop();
                    }
                    continue;
                };
                let in_top = runs.last().is_some_and(|r| depth == r.depth + 1);
                if name.as_ref() == "t" {
                    map.segs.push(Seg {
                        at: text_at - base,
                        len: out.len() - text_at,
                        run: in_top.then_some(map.runs.len()),
                    });
                }
                if in_top {
                    if let Some(top) = runs.last_mut()
                        && let Some((start, at)) = top.child.take()
                    {
                        if name.as_ref() == "rPr" {
                            top.info.rpr = Some(start..after);
                        } else {
                            let kind = if name.as_ref() == "t" {
                                Kind::Text(out[base + at..].to_owned())
                            } else {
                                Kind::Other
                            };
                            top.info.children.push(Child {
                                kind,
                                raw: start..after,
                                at,
                            });
                        }
                    }
                } else if name.as_ref() == "r"
                    && runs.last().is_some_and(|r| r.depth == depth)
                    && let Some(mut r) = runs.pop()
                {
                    r.info.raw = r.info.tag.start..after;
                    map.runs.push(r.info);
                }
            }
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
                    out.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    out.push_str(s);
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;

    /// A minimal .docx with the given body XML (inside `<w:body>`) and an
    /// optional header; used by the tests of other modules too.
    pub(crate) fn docx(body: &str, header: Option<&str>) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default();
            let ns = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
            z.start_file("[Content_Types].xml", opts).unwrap();
            z.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#).unwrap();
            z.start_file("word/document.xml", opts).unwrap();
            write!(z, r#"<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>{body}</w:body></w:document>"#).unwrap();
            if let Some(h) = header {
                z.start_file("word/header1.xml", opts).unwrap();
                write!(
                    z,
                    r#"<?xml version="1.0" encoding="UTF-8"?><w:hdr {ns}>{h}</w:hdr>"#
                )
                .unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn runs_are_joined_and_parts_follow() {
        let body = r#"<w:p><w:r><w:t>推进两</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>队一</w:t></w:r><w:r><w:t xml:space="preserve">室 &amp; 改革</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>表格里的派出所主防</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/>"#;
        let header = r#"<w:p><w:r><w:t>页眉：一标三实</w:t></w:r></w:p>"#;
        let text = extract(&docx(body, Some(header))).unwrap();
        assert_eq!(
            text,
            "推进两队一室 & 改革\n表格里的派出所主防\n\n\n页眉：一标三实\n"
        );
    }

    /// Tab stops defined in a paragraph's properties are not tabs of its
    /// text (they used to be read as `\t`, so a term after them was
    /// reported a column late).
    #[test]
    fn tab_stops_are_not_text() {
        let body = r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t></w:r></w:p>"#;
        assert_eq!(extract(&docx(body, None)).unwrap(), "甲\t乙\n");
    }

    /// A part or the parts together past a limit, or too many parts: an
    /// error that says which, never a document silently cut short.
    #[test]
    fn limits_refuse_the_whole_document() {
        let body = "<w:p><w:r><w:t>两队一室</w:t></w:r></w:p>".repeat(100);
        let header = "<w:p><w:r><w:t>页眉</w:t></w:r></w:p>".repeat(100);
        let doc = docx(&body, Some(&header));
        let open = Limits {
            part: 1 << 20,
            total: 1 << 20,
            other_parts: 8,
        };
        assert!(extract_with(&doc, open).is_ok());
        let e = extract_with(&doc, Limits { part: 2000, ..open }).unwrap_err();
        assert_eq!(
            e.to_string(),
            "word/document.xml: more than the 2000 bytes tifa reads from a .docx uncompressed; not read"
        );
        let body_len = extract_with(&doc, open).unwrap().len() as u64;
        let e = extract_with(
            &doc,
            Limits {
                total: 6000,
                ..open
            },
        )
        .unwrap_err();
        assert!(body_len > 0);
        assert!(
            e.to_string()
                .starts_with("the parts together: more than the 6000 bytes"),
            "{e}"
        );
        let e = extract_with(
            &doc,
            Limits {
                other_parts: 0,
                ..open
            },
        )
        .unwrap_err();
        assert!(
            matches!(e, DocxError::TooManyParts { count: 1, max: 0 }),
            "{e}"
        );
    }

    #[test]
    fn not_a_docx() {
        assert!(matches!(
            extract(b"PK\x03\x04garbage"),
            Err(DocxError::Zip(_))
        ));
        assert!(matches!(extract(b"plain text"), Err(DocxError::Zip(_))));
    }
}
