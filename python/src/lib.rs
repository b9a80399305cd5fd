//! `tifa._tifa`: the Python bindings of tifa's engine.
//!
//! A thin front end on [`tifa::engine::Engine`]: texts come in (as `str`,
//! as the buffers of an Arrow string array, or as the bytes of documents to
//! decode), the engine works on them with the GIL released, and results go
//! back as small frozen classes ([`Match`], [`Finding`]), dicts, or Arrow
//! columns (buffers for `pyarrow.Array.from_buffers`). The Python package
//! `tifa` wraps this module; its docstrings and stubs are the reference.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use tifa::check::{Lang, Located, Settings};
use tifa::engine::{Engine as Core, EngineError, LexiconSource};
use tifa::input::{self, Loaded};
use tifa::lexicon::{LexiconFile, read_path};
use tifa::report::{html, json, markdown};
use tifa::scan::Match as CoreMatch;
use tifa::text::Source;

create_exception!(
    _tifa,
    LexiconError,
    PyValueError,
    "A lexicon that does not load: every problem as `file:line:column: message`."
);

fn lexicon_error(e: &EngineError) -> PyErr {
    LexiconError::new_err(e.to_string())
}

/// An occurrence of a term (an outermost span of an accepted form).
#[pyclass(frozen, get_all, eq, module = "tifa._tifa")]
#[derive(Debug, Clone, PartialEq, Eq)]
struct Match {
    /// Byte offsets into the UTF-8 text.
    byte_start: usize,
    byte_end: usize,
    /// Code point offsets (Python string indices).
    start: usize,
    end: usize,
    /// 1-based line and column (in characters) of the start and end.
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    /// In a PDF, the 1-based pages of the start and end (`line` and
    /// `end_line` count within them); 0 for documents without pages.
    page: usize,
    end_page: usize,
    /// The text of the span as written.
    matched: String,
    /// The entry's id and canonical term.
    id: String,
    term: String,
}

#[pymethods]
impl Match {
    fn __repr__(&self) -> String {
        format!(
            "Match(id={:?}, term={:?}, matched={:?}, start={}, end={}, line={}, column={})",
            self.id, self.term, self.matched, self.start, self.end, self.line, self.column
        )
    }
}

/// A problem `check` reports.
#[pyclass(frozen, get_all, eq, module = "tifa._tifa")]
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    byte_start: usize,
    byte_end: usize,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    /// As [`Match::page`].
    page: usize,
    end_page: usize,
    /// The rule (`wrong-form`, `near-miss` …) and its severity.
    rule: String,
    severity: String,
    message: String,
    matched: String,
    /// The text to put in its place, when there is one.
    suggestion: Option<String>,
    /// The entry concerned.
    id: Option<String>,
}

#[pymethods]
impl Finding {
    fn __repr__(&self) -> String {
        let suggestion = self
            .suggestion
            .as_ref()
            .map_or_else(|| "None".to_owned(), |s| format!("{s:?}"));
        format!(
            "Finding(rule={:?}, matched={:?}, suggestion={suggestion}, line={}, column={}, message={:?})",
            self.rule, self.matched, self.line, self.column, self.message
        )
    }
}

/// Code point offsets of byte offsets that mostly come in order.
struct Chars<'t> {
    text: &'t str,
    byte: usize,
    chars: usize,
}

impl<'t> Chars<'t> {
    fn new(text: &'t str) -> Self {
        Chars {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The code point offset of byte offset `b` (a character boundary).
    fn at(&mut self, b: usize) -> usize {
        if b < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        let b = b.min(self.text.len());
        self.chars += self.text.get(self.byte..b).map_or(0, |s| s.chars().count());
        self.byte = b;
        self.chars
    }

    /// The code point offsets of the byte range `a..b`.
    fn range(&mut self, a: usize, b: usize) -> (usize, usize) {
        let start = self.at(a);
        let end = start + self.text.get(a..b).map_or(0, |s| s.chars().count());
        (start, end)
    }
}

fn to_matches(core: &Core, text: &str, matches: Vec<CoreMatch>) -> Vec<Match> {
    let lexicon = core.lexicon();
    let mut chars = Chars::new(text);
    matches
        .into_iter()
        .map(|m| {
            let (start, end) = chars.range(m.hit.start, m.hit.end);
            let e = lexicon.entry(m.hit.entry);
            Match {
                byte_start: m.span.byte_start,
                byte_end: m.span.byte_end,
                start,
                end,
                line: m.span.start.line,
                column: m.span.start.column,
                end_line: m.span.end.line,
                end_column: m.span.end.column,
                page: m.span.page,
                end_page: m.span.end_page,
                matched: m.matched,
                id: e.id.clone(),
                term: e.term.clone(),
            }
        })
        .collect()
}

fn to_findings(text: &str, located: Vec<Located>) -> Vec<Finding> {
    let mut chars = Chars::new(text);
    located
        .into_iter()
        .map(|l| {
            let (start, end) = chars.range(l.finding.start, l.finding.end);
            Finding {
                byte_start: l.span.byte_start,
                byte_end: l.span.byte_end,
                start,
                end,
                line: l.span.start.line,
                column: l.span.start.column,
                end_line: l.span.end.line,
                end_column: l.span.end.column,
                page: l.span.page,
                end_page: l.span.end_page,
                rule: l.finding.rule.id().to_owned(),
                severity: l.finding.severity.as_str().to_owned(),
                message: l.message,
                matched: l.matched,
                suggestion: l.finding.suggestion,
                id: l.id,
            }
        })
        .collect()
}

fn lang(name: &str) -> PyResult<Lang> {
    match name {
        "zh" => Ok(Lang::Zh),
        "en" => Ok(Lang::En),
        other => Err(PyValueError::new_err(format!(
            "lang must be \"zh\" or \"en\", not {other:?}"
        ))),
    }
}

/// One text of a batch: UTF-8 (checked on the worker; if it is not,
/// read as the bytes of a text document), or the bytes of a document to
/// decode as a file of its name is read.
enum Doc<'a> {
    Text(String),
    Utf8(&'a [u8]),
    Bytes(String, &'a [u8]),
}

/// A document decoded, with the note on how it was read.
struct Read {
    src: Option<Source>,
    note: Option<String>,
}

impl Doc<'_> {
    fn read(self) -> Read {
        match self {
            Doc::Text(text) => Read {
                src: Some(Source::plain("<text>", text)),
                note: None,
            },
            Doc::Utf8(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => Read {
                    src: Some(Source::plain("<text>", text.to_owned())),
                    note: None,
                },
                // Not valid UTF-8 (a binary column): read as a document.
                Err(_) => Doc::Bytes("<text>".into(), bytes).read(),
            },
            Doc::Bytes(name, bytes) => {
                match input::load_bytes(&name, bytes, &input::Options::default()) {
                    Ok(Loaded::Text(src)) => Read {
                        note: src.note.clone(),
                        src: Some(src),
                    },
                    Ok(Loaded::Skipped(why)) => Read {
                        src: None,
                        note: Some(why),
                    },
                    Ok(Loaded::Streams) => Read {
                        src: None,
                        note: None,
                    },
                    Err(e) => Read {
                        src: None,
                        note: Some(e.message),
                    },
                }
            }
        }
    }
}

/// Engines rebuilt from pickles, by fingerprint: one per process.
fn rebuilt() -> &'static Mutex<HashMap<String, Core>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Core>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// The lexicon, its scanner and the checker, shared by every thread.
#[pyclass(frozen, module = "tifa._tifa")]
struct Engine {
    core: Core,
}

type Layers = Vec<Vec<(String, String)>>;

fn source_of(default: bool, layers: Layers) -> LexiconSource {
    LexiconSource {
        default,
        layers: layers
            .into_iter()
            .map(|files| {
                files
                    .into_iter()
                    .map(|(path, text)| LexiconFile { path, text })
                    .collect()
            })
            .collect(),
    }
}

fn build(py: Python<'_>, source: LexiconSource) -> PyResult<Engine> {
    py.detach(|| Core::load(source, Settings::default()))
        .map(|core| Engine { core })
        .map_err(|e| lexicon_error(&e))
}

fn threads(n: Option<usize>) -> usize {
    n.unwrap_or(0)
}

#[pymethods]
impl Engine {
    /// The embedded lexicon.
    #[staticmethod]
    fn embedded(py: Python<'_>) -> PyResult<Engine> {
        build(py, LexiconSource::embedded())
    }

    /// Lexicon files or folders of `.toml` files, each a layer over the
    /// embedded lexicon (unless `default` is false).
    #[staticmethod]
    #[pyo3(signature = (paths, default = true))]
    fn from_paths(
        py: Python<'_>,
        paths: Vec<std::path::PathBuf>,
        default: bool,
    ) -> PyResult<Engine> {
        let mut layers = Vec::new();
        let mut problems = Vec::new();
        for p in &paths {
            let (files, unreadable) = read_path(p);
            if !files.is_empty() {
                layers.push(files);
            }
            problems.extend(unreadable);
        }
        if !problems.is_empty() {
            return Err(lexicon_error(&EngineError {
                diagnostics: problems,
            }));
        }
        build(py, LexiconSource { default, layers })
    }

    /// Layers given as `(name, toml_text)` files.
    #[staticmethod]
    #[pyo3(signature = (layers, default = true))]
    fn from_sources(py: Python<'_>, layers: Layers, default: bool) -> PyResult<Engine> {
        build(py, source_of(default, layers))
    }

    /// The engine of a pickled source, built once per process: a second
    /// engine of the same fingerprint shares the first one's automaton.
    #[staticmethod]
    fn rebuild(
        py: Python<'_>,
        default: bool,
        layers: Layers,
        fingerprint: String,
    ) -> PyResult<Engine> {
        let cached = rebuilt()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&fingerprint)
            .cloned();
        if let Some(core) = cached {
            return Ok(Engine { core });
        }
        let engine = build(py, source_of(default, layers))?;
        rebuilt()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(engine.core.fingerprint().to_owned(), engine.core.clone());
        Ok(engine)
    }

    /// The number of engines [`Engine::rebuild`] built in this process.
    #[staticmethod]
    fn rebuilt_count() -> usize {
        rebuilt()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// `(default, [[(name, text), ...], ...])`: what the engine is built from.
    fn source(&self) -> (bool, Layers) {
        let s = self.core.source();
        (
            s.default,
            s.layers
                .iter()
                .map(|files| {
                    files
                        .iter()
                        .map(|f| (f.path.clone(), f.text.clone()))
                        .collect()
                })
                .collect(),
        )
    }

    #[getter]
    fn version(&self) -> String {
        self.core.fingerprint().to_owned()
    }

    fn __len__(&self) -> usize {
        self.core.lexicon().len()
    }

    /// Every entry, as the JSON objects of `tifa lexicon export`.
    fn entries_json(&self) -> String {
        let entries: Vec<json::EntryJson<'_>> = self
            .core
            .lexicon()
            .entries()
            .iter()
            .map(json::EntryJson::new)
            .collect();
        serde_json::to_string(&entries).unwrap_or_default()
    }

    /// The entries `tifa lookup QUERY` finds, as JSON objects, each with
    /// the way it matched under `match`.
    #[pyo3(signature = (query, category = None, in_definitions = false))]
    fn lookup_json(&self, query: &str, category: Option<&str>, in_definitions: bool) -> String {
        let lexicon = self.core.lexicon();
        let options = tifa::lookup::Options {
            category,
            in_definitions,
        };
        let found = tifa::lookup::lookup(lexicon, query, options);
        let mut out = Vec::new();
        // Written as `tifa lookup --format json` writes it; its entries.
        if json::lookup(&mut out, lexicon, Some(query), &found).is_err() {
            return "[]".into();
        }
        serde_json::from_slice::<serde_json::Value>(&out)
            .ok()
            .and_then(|v| v.get("entries").map(ToString::to_string))
            .unwrap_or_else(|| "[]".into())
    }

    fn scan(&self, py: Python<'_>, text: String) -> Vec<Match> {
        let core = &self.core;
        py.detach(|| to_matches(core, &text, core.scan(&text)))
    }

    /// `{id: count}`, nested occurrences included, most frequent first.
    fn count<'py>(&self, py: Python<'py>, text: String) -> PyResult<Bound<'py, PyDict>> {
        let core = &self.core;
        let counts = py.detach(|| counts(core, &core.count(&text)));
        counts_dict(py, &counts)
    }

    /// `[(id, count, nested)]` of `text`, most frequent first.
    fn count_detail(&self, py: Python<'_>, text: String) -> Vec<(String, usize, usize)> {
        let core = &self.core;
        py.detach(|| counts(core, &core.count(&text)))
    }

    #[pyo3(signature = (text, lang = "zh", path = "<text>"))]
    fn check(
        &self,
        py: Python<'_>,
        text: String,
        lang: &str,
        path: &str,
    ) -> PyResult<Vec<Finding>> {
        let lang = self::lang(lang)?;
        let core = &self.core;
        Ok(py.detach(|| to_findings(&text, core.check(path, &text, lang))))
    }

    /// The text with every fixable finding fixed, as `tifa check --fix`.
    #[pyo3(signature = (text, path = "<text>"))]
    fn fix(&self, py: Python<'_>, text: String, path: &str) -> String {
        let core = &self.core;
        py.detach(|| core.fix(path, &text).text)
    }

    #[pyo3(signature = (text, format = "html", path = "<text>"))]
    fn annotate(&self, py: Python<'_>, text: String, format: &str, path: &str) -> PyResult<String> {
        if format != "html" && format != "markdown" {
            return Err(PyValueError::new_err(format!(
                "format must be \"html\" or \"markdown\", not {format:?}"
            )));
        }
        let core = &self.core;
        let html = format == "html";
        let path = path.to_owned();
        py.detach(move || {
            let d = core.annotate(Source::plain(&path, text));
            let lexicon = core.lexicon();
            let mut out = Vec::new();
            let written = if html {
                let doc = html::Document {
                    path: &d.path,
                    text: &d.text,
                    annotation: &d.annotation,
                    tally: &d.tally,
                };
                html::report(&mut out, lexicon, &[doc], &d.tally)
            } else {
                let options = markdown::Options {
                    document: None,
                    plain: d.plain,
                };
                markdown::annotate(&mut out, &d.text, &d.annotation, lexicon, options)
            };
            written.map_err(|e| PyValueError::new_err(e.to_string()))?;
            String::from_utf8(out).map_err(|e| PyValueError::new_err(e.to_string()))
        })
    }

    /// [`Engine::scan`] of each text: a `str`, or the `bytes` of a
    /// document, decoded as a file is (UTF-8, UTF-16 with a BOM, GB18030),
    /// on the worker threads.
    #[pyo3(signature = (texts, threads = None))]
    fn scan_batch(
        &self,
        py: Python<'_>,
        texts: Vec<Bound<'_, PyAny>>,
        threads: Option<usize>,
    ) -> PyResult<Vec<Vec<Match>>> {
        let core = &self.core;
        let (rows, _) = each_doc(py, Docs::List(&texts), self::threads(threads), |src| {
            to_matches(core, &src.text, core.scan_source(src))
        })?;
        Ok(rows.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// One `{id: count}` per text (as [`Engine::scan_batch`] reads them);
    /// with `total`, one for them all.
    #[pyo3(signature = (texts, threads = None, total = false))]
    fn count_batch<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<Bound<'py, PyAny>>,
        threads: Option<usize>,
        total: bool,
    ) -> PyResult<Py<PyAny>> {
        let core = &self.core;
        let (tallies, _) = each_doc(py, Docs::List(&texts), self::threads(threads), |src| {
            core.count(&src.text)
        })?;
        let tallies: Vec<tifa::count::Tally> =
            tallies.into_iter().map(Option::unwrap_or_default).collect();
        if total {
            let mut all = tifa::count::Tally::default();
            for t in &tallies {
                all.merge(t);
            }
            return Ok(counts_dict(py, &counts(core, &all))?.into_any().unbind());
        }
        let list = pyo3::types::PyList::empty(py);
        for t in &tallies {
            list.append(counts_dict(py, &counts(core, t))?)?;
        }
        Ok(list.into_any().unbind())
    }

    /// [`Engine::check`] of each text (as [`Engine::scan_batch`] reads
    /// them).
    #[pyo3(signature = (texts, threads = None, lang = "zh"))]
    fn check_batch(
        &self,
        py: Python<'_>,
        texts: Vec<Bound<'_, PyAny>>,
        threads: Option<usize>,
        lang: &str,
    ) -> PyResult<Vec<Vec<Finding>>> {
        let lang = self::lang(lang)?;
        let core = &self.core;
        let (rows, _) = each_doc(py, Docs::List(&texts), self::threads(threads), |src| {
            to_findings(&src.text, core.check_source(src, lang))
        })?;
        Ok(rows.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// `what` (`"scan"`, `"check"` or `"count"`) over an Arrow string
    /// array given by its buffers (as `bytes`: the limited API of Python
    /// 3.9 has no buffer protocol), or over documents' bytes in a binary
    /// array, `names` then naming each row as a file (its extension says
    /// its format). With `columns`, a dict of Arrow columns, column name →
    /// `(type, rows, buffers…)` for `pyarrow.Array.from_buffers`, one row
    /// per match, finding or (row, entry) count; without, one list of
    /// matches or findings, or one dict of counts, per row. Also the notes
    /// of rows read with replacement characters or skipped, as
    /// `(row, note)`.
    #[pyo3(signature = (what, offsets, data, offset, length, large, validity = None, names = None, threads = None, lang = "zh", columns = true))]
    #[allow(clippy::too_many_arguments)]
    fn arrow<'py>(
        &self,
        py: Python<'py>,
        what: &str,
        offsets: &[u8],
        data: &[u8],
        offset: usize,
        length: usize,
        large: bool,
        validity: Option<&[u8]>,
        names: Option<Vec<String>>,
        threads: Option<usize>,
        lang: &str,
        columns: bool,
    ) -> PyResult<(Py<PyAny>, Notes)> {
        let lang = self::lang(lang)?;
        let docs = arrow_docs(offsets, data, offset, length, large, validity, names)?;
        let core = &self.core;
        let threads = self::threads(threads);
        match what {
            "scan" => {
                let (rows, notes) = each_doc(py, Docs::Ready(docs), threads, |src| {
                    to_matches(core, &src.text, core.scan_source(src))
                })?;
                Ok((rows_out(py, rows, columns, scan_columns)?, notes))
            }
            "check" => {
                let (rows, notes) = each_doc(py, Docs::Ready(docs), threads, |src| {
                    to_findings(&src.text, core.check_source(src, lang))
                })?;
                Ok((rows_out(py, rows, columns, check_columns)?, notes))
            }
            "count" => {
                let (rows, notes) = each_doc(py, Docs::Ready(docs), threads, |src| {
                    counts(core, &core.count(&src.text))
                })?;
                let rows: Vec<Vec<(String, usize, usize)>> =
                    rows.into_iter().map(Option::unwrap_or_default).collect();
                if columns {
                    let c = py.detach(|| count_columns(core, &rows));
                    return Ok((c.into_py(py)?.into_any().unbind(), notes));
                }
                let list = pyo3::types::PyList::empty(py);
                for r in &rows {
                    list.append(counts_dict(py, r)?)?;
                }
                Ok((list.into_any().unbind(), notes))
            }
            other => Err(PyValueError::new_err(format!(
                "what must be scan, check or count, not {other:?}"
            ))),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Engine({} entries, version {})",
            self.core.lexicon().len(),
            self.core.fingerprint()
        )
    }
}

fn counts(core: &Core, t: &tifa::count::Tally) -> Vec<(String, usize, usize)> {
    let lexicon = core.lexicon();
    t.ranked()
        .into_iter()
        .map(|c| (lexicon.entry(c.entry).id.clone(), c.count, c.nested))
        .collect()
}

fn counts_dict<'py>(
    py: Python<'py>,
    counts: &[(String, usize, usize)],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (id, count, _) in counts {
        d.set_item(id, count)?;
    }
    Ok(d)
}

/// What a batch reads: the objects of a Python list (each `str` copied
/// holding the GIL, each `bytes` borrowed to decode on the worker
/// threads), or documents ready to read (an Arrow array's).
enum Docs<'a, 'py> {
    List(&'a [Bound<'py, PyAny>]),
    Ready(Vec<Option<Doc<'a>>>),
}

/// One object of a batch's list as a document: a `str` copied into a
/// `String` (this needs the GIL; the workers meanwhile work on the
/// documents before), a `bytes` borrowed to decode on a worker.
fn doc_of<'a>(t: &'a Bound<'_, PyAny>) -> PyResult<Doc<'a>> {
    if let Ok(b) = t.cast::<PyBytes>() {
        Ok(Doc::Bytes("<bytes>".into(), b.as_bytes()))
    } else if let Ok(s) = t.cast::<PyString>() {
        Ok(Doc::Text(s.extract()?))
    } else {
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "texts must be str or bytes, not {}",
            t.get_type().name()?
        )))
    }
}

/// The documents of an Arrow string (or binary) array's buffers: `None`
/// for a null row.
fn arrow_docs<'a>(
    offsets: &[u8],
    data: &'a [u8],
    offset: usize,
    length: usize,
    large: bool,
    validity: Option<&[u8]>,
    names: Option<Vec<String>>,
) -> PyResult<Vec<Option<Doc<'a>>>> {
    let width = if large { 8 } else { 4 };
    let at = |i: usize| -> PyResult<usize> {
        let b = offsets
            .get(i * width..(i + 1) * width)
            .ok_or_else(|| PyValueError::new_err("Arrow offsets buffer too short"))?;
        let v = if large {
            i64::from_le_bytes(b.try_into().unwrap_or_default())
        } else {
            i64::from(i32::from_le_bytes(b.try_into().unwrap_or_default()))
        };
        usize::try_from(v).map_err(|_| PyValueError::new_err("negative Arrow offset"))
    };
    if names.as_ref().is_some_and(|n| n.len() != length) {
        return Err(PyValueError::new_err("names must have one name per row"));
    }
    let mut names = names.map(Vec::into_iter);
    let mut docs = Vec::with_capacity(length);
    for row in 0..length {
        let i = offset + row;
        let name = names.as_mut().and_then(Iterator::next);
        let valid = validity.is_none_or(|v| v.get(i / 8).is_some_and(|b| b & (1 << (i % 8)) != 0));
        if !valid {
            docs.push(None);
            continue;
        }
        let (a, b) = (at(i)?, at(i + 1)?);
        let bytes = data
            .get(a..b)
            .ok_or_else(|| PyValueError::new_err("Arrow offsets past the data buffer"))?;
        docs.push(Some(match name {
            Some(name) => Doc::Bytes(name, bytes),
            None => Doc::Utf8(bytes),
        }));
    }
    Ok(docs)
}

/// Arrow columns built in Rust, handed to `pyarrow.Array.from_buffers`.
#[derive(Default)]
struct Columns {
    ints: Vec<(&'static str, Vec<i64>)>,
    strings: Vec<(&'static str, Strings)>,
    rows: usize,
}

#[derive(Default)]
struct Strings {
    offsets: Vec<i64>,
    data: Vec<u8>,
    /// One bit per row; only kept when a row is null.
    validity: Vec<u8>,
    nulls: usize,
}

impl Strings {
    fn push(&mut self, s: Option<&str>) {
        let row = self.offsets.len().saturating_sub(1);
        if row / 8 >= self.validity.len() {
            self.validity.push(0);
        }
        match s {
            Some(s) => {
                self.data.extend_from_slice(s.as_bytes());
                if let Some(b) = self.validity.get_mut(row / 8) {
                    *b |= 1 << (row % 8);
                }
            }
            None => self.nulls += 1,
        }
        self.offsets
            .push(i64::try_from(self.data.len()).unwrap_or(i64::MAX));
    }
}

impl Columns {
    fn new(ints: &[&'static str], strings: &[&'static str]) -> Columns {
        Columns {
            ints: ints.iter().map(|n| (*n, Vec::new())).collect(),
            strings: strings
                .iter()
                .map(|n| {
                    (
                        *n,
                        Strings {
                            offsets: vec![0],
                            ..Strings::default()
                        },
                    )
                })
                .collect(),
            rows: 0,
        }
    }

    fn row(&mut self, ints: &[usize], strings: &[Option<&str>]) {
        for ((_, col), v) in self.ints.iter_mut().zip(ints) {
            col.push(i64::try_from(*v).unwrap_or(i64::MAX));
        }
        for ((_, col), v) in self.strings.iter_mut().zip(strings) {
            col.push(*v);
        }
        self.rows += 1;
    }

    /// `{name: ("int64", n, data) | ("large_string", n, offsets, data,
    /// validity or None, nulls)}`.
    fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let d = PyDict::new(py);
        let le = |v: &[i64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        for (name, col) in &self.ints {
            d.set_item(*name, ("int64", self.rows, PyBytes::new(py, &le(col))))?;
        }
        for (name, col) in &self.strings {
            let validity = (col.nulls > 0).then(|| PyBytes::new(py, &col.validity));
            d.set_item(
                *name,
                (
                    "large_string",
                    self.rows,
                    PyBytes::new(py, &le(&col.offsets)),
                    PyBytes::new(py, &col.data),
                    validity,
                    col.nulls,
                ),
            )?;
        }
        Ok(d)
    }
}

type Notes = Vec<(usize, String)>;

/// Reads each document on the worker threads and applies `f`, the GIL
/// released. The `str` of a list are encoded on this thread, which must
/// hold the GIL for it, while the workers already work on the documents
/// before (with one thread, all are encoded first). A list item that is
/// neither `str` nor `bytes`, or a `str` that cannot be encoded (a lone
/// surrogate), fails the batch.
fn each_doc<'py, T: Send>(
    py: Python<'py>,
    docs: Docs<'_, 'py>,
    threads: usize,
    f: impl Fn(&Source) -> T + Sync,
) -> PyResult<(Vec<Option<T>>, Notes)> {
    let n = match &docs {
        Docs::List(l) => l.len(),
        Docs::Ready(v) => v.len(),
    };
    let mut error = None;
    let results = Core::map_fed(
        threads,
        n,
        |give| match docs {
            Docs::Ready(v) => {
                for (i, d) in v.into_iter().enumerate() {
                    if let Some(d) = d {
                        give(i, d);
                    }
                }
            }
            Docs::List(list) => {
                for (i, t) in list.iter().enumerate() {
                    match doc_of(t) {
                        Ok(d) => give(i, d),
                        Err(e) => {
                            error = Some(e);
                            break;
                        }
                    }
                }
            }
        },
        |work| py.detach(work),
        |_, doc: Doc<'_>| {
            let Read { src, note } = doc.read();
            (src.map(|s| f(&s)), note)
        },
    );
    if let Some(e) = error {
        return Err(e);
    }
    let mut notes = Vec::new();
    let values = results
        .into_iter()
        .enumerate()
        .map(|(row, r)| {
            let (v, note) = r.unwrap_or((None, None));
            if let Some(n) = note {
                notes.push((row, n));
            }
            v
        })
        .collect();
    Ok((values, notes))
}

const POSITIONS: [&str; 11] = [
    "row",
    "byte_start",
    "byte_end",
    "start",
    "end",
    "line",
    "column",
    "end_line",
    "end_column",
    "page",
    "end_page",
];

/// Each row's matches or findings (none for a row not read): as Arrow
/// columns made by `to_columns`, or as lists of objects.
fn rows_out<T>(
    py: Python<'_>,
    rows: Vec<Option<Vec<T>>>,
    columns: bool,
    to_columns: impl FnOnce(&[Vec<T>]) -> Columns + Send,
) -> PyResult<Py<PyAny>>
where
    T: Send + Sync + for<'py> IntoPyObject<'py>,
{
    let rows: Vec<Vec<T>> = rows.into_iter().map(Option::unwrap_or_default).collect();
    if columns {
        let c = py.detach(|| to_columns(&rows));
        return Ok(c.into_py(py)?.into_any().unbind());
    }
    Ok(rows.into_pyobject(py)?.into_any().unbind())
}

fn scan_columns(rows: &[Vec<Match>]) -> Columns {
    let mut c = Columns::new(&POSITIONS, &["matched", "id", "term"]);
    for (row, ms) in rows.iter().enumerate() {
        for m in ms {
            c.row(
                &[
                    row,
                    m.byte_start,
                    m.byte_end,
                    m.start,
                    m.end,
                    m.line,
                    m.column,
                    m.end_line,
                    m.end_column,
                    m.page,
                    m.end_page,
                ],
                &[Some(&m.matched), Some(&m.id), Some(&m.term)],
            );
        }
    }
    c
}

fn check_columns(rows: &[Vec<Finding>]) -> Columns {
    let mut c = Columns::new(
        &POSITIONS,
        &["rule", "severity", "message", "matched", "suggestion", "id"],
    );
    for (row, fs) in rows.iter().enumerate() {
        for f in fs {
            c.row(
                &[
                    row,
                    f.byte_start,
                    f.byte_end,
                    f.start,
                    f.end,
                    f.line,
                    f.column,
                    f.end_line,
                    f.end_column,
                    f.page,
                    f.end_page,
                ],
                &[
                    Some(&f.rule),
                    Some(&f.severity),
                    Some(&f.message),
                    Some(&f.matched),
                    f.suggestion.as_deref(),
                    f.id.as_deref(),
                ],
            );
        }
    }
    c
}

fn count_columns(core: &Core, rows: &[Vec<(String, usize, usize)>]) -> Columns {
    let lexicon = core.lexicon();
    let mut c = Columns::new(&["row", "count", "nested"], &["id", "term", "category"]);
    for (row, counts) in rows.iter().enumerate() {
        for (id, count, nested) in counts {
            let entry = lexicon.get(id);
            c.row(
                &[row, *count, *nested],
                &[
                    Some(id),
                    entry.map(|e| e.term.as_str()),
                    entry.map(|e| e.category.as_str()),
                ],
            );
        }
    }
    c
}

/// The native module of the `tifa` package.
#[pymodule]
fn _tifa(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add_class::<Match>()?;
    m.add_class::<Finding>()?;
    m.add("POSITIONS", POSITIONS.to_vec())?;
    m.add("LexiconError", m.py().get_type::<LexiconError>())?;
    Ok(())
}
