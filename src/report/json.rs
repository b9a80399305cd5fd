//! JSON and NDJSON wire structs: the machine-readable contract of README.md.
//! Renaming a domain field never changes these.

use std::io::{self, Write};

use serde::Serialize;

use crate::check::Located;
use crate::count::{EntryCount, Tally};
use crate::lexicon::{Context, Entry, FormNote, Lexicon, context_name};
use crate::lookup::Found;
use crate::scan::Match;
use crate::text::{Span, Unit};

/// One match of `scan --format json|ndjson`.
#[derive(Debug, Serialize)]
pub struct MatchJson<'a> {
    path: &'a str,
    #[serde(flatten)]
    at: SpanJson,
    matched: &'a str,
    id: &'a str,
    term: &'a str,
    /// `"paragraph"` for Word documents, where lines are paragraphs.
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'static str>,
}

/// The position keys shared by matches and findings; `page` and
/// `end_page` (1-based) only for PDFs, where lines count within a page.
#[derive(Debug, Serialize)]
struct SpanJson {
    #[serde(skip_serializing_if = "is_zero")]
    page: usize,
    #[serde(skip_serializing_if = "is_zero")]
    end_page: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    byte_start: usize,
    byte_end: usize,
}

impl From<&Span> for SpanJson {
    fn from(s: &Span) -> Self {
        SpanJson {
            page: s.page,
            end_page: s.end_page,
            line: s.start.line,
            column: s.start.column,
            end_line: s.end.line,
            end_column: s.end.column,
            byte_start: s.byte_start,
            byte_end: s.byte_end,
        }
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The `unit` key: present only when lines are not lines (in a PDF they
/// are, counted within the page that `page` gives).
fn unit(u: Unit) -> Option<&'static str> {
    match u {
        Unit::Line | Unit::PageLine => None,
        Unit::Paragraph => Some("paragraph"),
    }
}

impl<'a> MatchJson<'a> {
    /// The wire form of a match in `path`.
    pub fn new(path: &'a str, m: &'a Match, lexicon: &'a Lexicon) -> Self {
        let e = lexicon.entry(m.hit.entry);
        MatchJson {
            path,
            at: SpanJson::from(&m.span),
            matched: &m.matched,
            id: &e.id,
            term: &e.term,
            unit: unit(m.unit),
        }
    }
}

/// Writes `{"matches": [...]}` match by match, as they are found, so that
/// a scan of any size is written with bounded memory. The text is that of
/// the whole document pretty-printed at once.
#[derive(Debug)]
pub struct MatchesWriter {
    any: bool,
    /// One match rendered, and its pretty-printed form: reused from match
    /// to match.
    element: Vec<u8>,
    scratch: Vec<u8>,
}

impl MatchesWriter {
    /// Starts the document.
    pub fn begin(out: &mut dyn Write) -> io::Result<MatchesWriter> {
        out.write_all(b"{\n  \"matches\": [")?;
        Ok(MatchesWriter {
            any: false,
            element: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// Writes the next match.
    pub fn push(&mut self, out: &mut dyn Write, m: &MatchJson<'_>) -> io::Result<()> {
        let mut element = std::mem::take(&mut self.element);
        element.clear();
        MatchesWriter::render(&mut element, &mut self.scratch, m)?;
        let written = self.push_rendered(out, &element);
        self.element = element;
        written
    }

    /// Writes the next match, as [`MatchesWriter::render`] made it (on
    /// any thread).
    pub fn push_rendered(&mut self, out: &mut dyn Write, element: &[u8]) -> io::Result<()> {
        out.write_all(if self.any { b",\n" } else { b"\n" })?;
        self.any = true;
        out.write_all(element)
    }

    /// Appends one match to `to` as the document holds it; `scratch` is a
    /// buffer to reuse.
    pub fn render(to: &mut Vec<u8>, scratch: &mut Vec<u8>, m: &MatchJson<'_>) -> io::Result<()> {
        scratch.clear();
        serde_json::to_writer_pretty(&mut *scratch, m).map_err(io::Error::from)?;
        // Two levels in: JSON strings hold no line breaks, so every line
        // break is one of the object's own.
        let mut rest = scratch.as_slice();
        to.extend_from_slice(b"    ");
        while let Some(at) = memchr::memchr(b'\n', rest) {
            to.extend_from_slice(&rest[..=at]);
            to.extend_from_slice(b"    ");
            rest = &rest[at + 1..];
        }
        to.extend_from_slice(rest);
        Ok(())
    }

    /// Ends the document.
    pub fn end(self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(if self.any { b"\n  ]\n}\n" } else { b"]\n}\n" })
    }
}

/// Writes one match as an NDJSON line.
pub fn match_line(out: &mut dyn Write, m: &MatchJson<'_>) -> io::Result<()> {
    serde_json::to_writer(&mut *out, m).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

#[derive(Debug, Serialize)]
struct CountEntryJson<'a> {
    id: &'a str,
    term: &'a str,
    count: usize,
    nested: usize,
}

fn count_entries<'a>(lexicon: &'a Lexicon, ranked: &[EntryCount]) -> Vec<CountEntryJson<'a>> {
    ranked
        .iter()
        .map(|c| {
            let e = lexicon.entry(c.entry);
            CountEntryJson {
                id: &e.id,
                term: &e.term,
                count: c.count,
                nested: c.nested,
            }
        })
        .collect()
}

/// Writes `{"total": N, "entries": [...]}`, with `"files"` when counted by
/// file.
pub fn count(
    out: &mut dyn Write,
    lexicon: &Lexicon,
    total: &Tally,
    by_file: Option<&[(String, Tally)]>,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct FileJson<'a> {
        path: &'a str,
        total: usize,
        entries: Vec<CountEntryJson<'a>>,
    }
    #[derive(Serialize)]
    struct Doc<'a> {
        total: usize,
        entries: Vec<CountEntryJson<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        files: Option<Vec<FileJson<'a>>>,
    }
    let files = by_file.map(|files| {
        files
            .iter()
            .map(|(path, t)| FileJson {
                path,
                total: t.total,
                entries: count_entries(lexicon, &t.ranked()),
            })
            .collect()
    });
    document(
        out,
        &Doc {
            total: total.total,
            entries: count_entries(lexicon, &total.ranked()),
            files,
        },
    )
}

/// The full entry object of `lookup` and `lexicon export`.
#[derive(Debug, Serialize)]
pub struct EntryJson<'a> {
    id: &'a str,
    term: &'a str,
    category: &'a str,
    definition: &'a str,
    components: &'a [String],
    variants: &'a [String],
    wrong: Vec<FormJson<'a>>,
    outdated: Vec<FormJson<'a>>,
    en: Option<&'a str>,
    sources: &'a [String],
    related: &'a [String],
    examples: Vec<&'a str>,
    counterexamples: Vec<&'a str>,
    superseded_by: Option<&'a str>,
    scope: &'a str,
    context: Option<&'a str>,
    followed_by: &'a [String],
    notes: Option<&'a str>,
    en_note: Option<&'a str>,
    not_wrong: &'a [String],
}

#[derive(Debug, Serialize)]
struct FormJson<'a> {
    form: &'a str,
    note: Option<&'a str>,
}

impl<'a> EntryJson<'a> {
    /// The wire form of an entry.
    pub fn new(e: &'a Entry) -> Self {
        let forms = |v: &'a [FormNote]| {
            v.iter()
                .map(|f| FormJson {
                    form: &f.form,
                    note: f.note.as_deref(),
                })
                .collect()
        };
        EntryJson {
            id: &e.id,
            term: &e.term,
            category: &e.category,
            definition: &e.definition,
            components: &e.components,
            variants: &e.variants,
            wrong: forms(&e.wrong),
            outdated: forms(&e.outdated),
            en: e.en.as_deref(),
            sources: &e.sources,
            related: &e.related,
            examples: e.examples.iter().map(|x| x.text.as_str()).collect(),
            counterexamples: e.counterexamples.iter().map(|x| x.text.as_str()).collect(),
            superseded_by: e.superseded_by.as_deref(),
            scope: e.scope.as_str(),
            context: context_name(&e.context),
            followed_by: match &e.context {
                Context::FollowedBy(after) => after,
                _ => &[],
            },
            notes: e.notes.as_deref(),
            en_note: e.en_note.as_deref(),
            not_wrong: &e.not_wrong,
        }
    }
}

/// Writes `{"entries": [...]}` with every entry of the lexicon.
pub fn export(out: &mut dyn Write, lexicon: &Lexicon) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        entries: Vec<EntryJson<'a>>,
    }
    document(
        out,
        &Doc {
            entries: lexicon.entries().iter().map(EntryJson::new).collect(),
        },
    )
}

/// Writes `{"query": ..., "entries": [...]}`, each entry with a `match`
/// key saying how the query matched it (`query` is `null` for a list).
pub fn lookup(
    out: &mut dyn Write,
    lexicon: &Lexicon,
    query: Option<&str>,
    found: &[Found],
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Matched<'a> {
        #[serde(rename = "match")]
        mode: &'a str,
        #[serde(flatten)]
        entry: EntryJson<'a>,
    }
    #[derive(Serialize)]
    struct Doc<'a> {
        query: Option<&'a str>,
        entries: Vec<Matched<'a>>,
    }
    document(
        out,
        &Doc {
            query,
            entries: found
                .iter()
                .map(|f| Matched {
                    mode: f.mode.as_str(),
                    entry: EntryJson::new(lexicon.entry(f.entry)),
                })
                .collect(),
        },
    )
}

fn document(out: &mut dyn Write, doc: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// One finding of `check --format json`.
#[derive(Debug, Serialize)]
struct FindingJson<'a> {
    path: &'a str,
    #[serde(flatten)]
    at: SpanJson,
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    matched: &'a str,
    suggestion: Option<&'a str>,
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'static str>,
}

/// Writes `{"findings": [...]}`.
pub fn findings(out: &mut dyn Write, files: &[(String, Vec<Located>)]) -> io::Result<()> {
    let mut w = findings_writer();
    for (path, items) in files {
        for i in items {
            w.finding(out, path, i)?;
        }
    }
    w.end(out)
}

/// [`findings`] written one finding at a time, as they come.
pub fn findings_writer() -> FindingsWriter {
    FindingsWriter(ArrayWriter::new(
        &serde_json::json!({ "findings": [] }),
        "\"findings\": []",
    ))
}

/// Writes `{"findings": [...]}` one finding at a time.
#[derive(Debug)]
pub struct FindingsWriter(ArrayWriter);

impl FindingsWriter {
    /// Writes one finding of `path`.
    ///
    /// # Errors
    ///
    /// When writing fails.
    pub fn finding(&mut self, out: &mut dyn Write, path: &str, i: &Located) -> io::Result<()> {
        self.0.element(
            out,
            &FindingJson {
                path,
                at: SpanJson::from(&i.span),
                rule: i.finding.rule.id(),
                severity: i.finding.severity.as_str(),
                message: &i.message,
                matched: &i.matched,
                suggestion: i.finding.suggestion.as_deref(),
                id: i.id.as_deref(),
                unit: unit(i.unit),
            },
        )
    }

    /// Ends the document.
    ///
    /// # Errors
    ///
    /// When writing fails.
    pub fn end(self, out: &mut dyn Write) -> io::Result<()> {
        self.0.end(out)
    }
}

/// One array of a pretty-printed JSON document written element by element,
/// byte for byte as `serde_json::to_writer_pretty` writes the whole
/// document (and a line end), with memory for one element.
#[derive(Debug)]
pub struct ArrayWriter {
    /// The document up to the array, the indent of the array's line, the
    /// rest after it.
    head: String,
    indent: String,
    tail: String,
    started: bool,
}

impl ArrayWriter {
    /// The writer of the array that `marker` (the key and an empty array,
    /// `"results": []`) shows in `doc`, serialized with the array empty.
    pub fn new(doc: &impl Serialize, marker: &str) -> ArrayWriter {
        let text = serde_json::to_string_pretty(doc).unwrap_or_default();
        let at = text
            .find(marker)
            .map_or(text.len(), |i| i + marker.len() - 2);
        let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let indent = text[line..at]
            .chars()
            .take_while(|c| *c == ' ')
            .collect::<String>();
        ArrayWriter {
            head: text[..at].to_owned(),
            indent,
            tail: text.get(at + 2..).unwrap_or_default().to_owned(),
            started: false,
        }
    }

    /// Writes one element.
    ///
    /// # Errors
    ///
    /// When writing fails.
    pub fn element(&mut self, out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(io::Error::from)?;
        if self.started {
            out.write_all(b",\n")?;
        } else {
            out.write_all(self.head.as_bytes())?;
            out.write_all(b"[\n")?;
            self.started = true;
        }
        for (k, line) in text.split('\n').enumerate() {
            if k > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(self.indent.as_bytes())?;
            out.write_all(b"  ")?;
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    /// Ends the array and the document.
    ///
    /// # Errors
    ///
    /// When writing fails.
    pub fn end(self, out: &mut dyn Write) -> io::Result<()> {
        if self.started {
            out.write_all(b"\n")?;
            out.write_all(self.indent.as_bytes())?;
            out.write_all(b"]")?;
        } else {
            out.write_all(self.head.as_bytes())?;
            out.write_all(b"[]")?;
        }
        out.write_all(self.tail.as_bytes())?;
        out.write_all(b"\n")
    }
}
