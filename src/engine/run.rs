//! Work on inputs as users give them: files, folders, standard input.
//!
//! [`Run`] reads and decodes the inputs on worker threads, streams plain
//! text past a size in pieces (worked on all threads, joined in order),
//! and hands what each input gave to the front end in input order: notes
//! and errors through [`Events`], results through a sink or a closure.
//! Nothing here prints; the front end's sinks do.

use std::io;
use std::path::Path;

use super::Engine;
use super::stream::{self, Streamed};
use crate::check::{Checker, Lang, Located};
use crate::count::Tally;
use crate::format::Format;
use crate::input::{self, Input, InputError, Large, Loaded};
use crate::scan::{self, Match};
use crate::text::{Positions, Source};

/// What a run tells the front end about its inputs, in input order.
pub trait Events {
    /// Something the user should know about `path` (read with replacement
    /// characters, skipped as binary …).
    ///
    /// # Errors
    ///
    /// When writing it fails; the run stops.
    fn note(&mut self, path: &str, note: &str) -> io::Result<()>;

    /// An input that failed: unreadable, broken, or not written back.
    ///
    /// # Errors
    ///
    /// When writing it fails; the run stops.
    fn failed(&mut self, e: &InputError) -> io::Result<()>;
}

/// Turns one match into the front end's output; called on worker threads
/// for the pieces of a streamed input, so that printing keeps up with the
/// scan.
pub trait Render: Sync {
    /// Appends the output of `m`, found in `path`, to `to`.
    ///
    /// # Errors
    ///
    /// When rendering fails.
    fn render(&self, to: &mut Vec<u8>, path: &str, m: &Match) -> io::Result<()>;
}

/// Where `scan`'s rendered matches go, in input order and, within an
/// input, in text order.
pub trait ScanSink: Events {
    /// One match, as [`Render::render`] made it.
    ///
    /// # Errors
    ///
    /// When writing fails; the run stops.
    fn put(&mut self, rendered: &[u8]) -> io::Result<()>;
}

/// Where `check`'s results go, in input order.
pub trait CheckSink: Events {
    /// One finding of the input shown as `path`, read in pieces: its
    /// findings come one by one, in order, as they are known, and then
    /// [`CheckSink::checked`] with no items.
    ///
    /// # Errors
    ///
    /// When writing fails; the run stops.
    fn finding(&mut self, path: &str, item: Located) -> io::Result<()>;

    /// What checking the input shown as `path` gave.
    ///
    /// # Errors
    ///
    /// When writing fails; the run stops.
    fn checked(&mut self, path: String, checked: Checked) -> io::Result<()>;
}

/// What `count` gave.
#[derive(Debug, Default)]
pub struct Counted {
    /// The counts over every input.
    pub total: Tally,
    /// Each input's counts, in input order (kept only when asked for).
    pub files: Vec<(String, Tally)>,
    /// An input failed.
    pub failed: bool,
}

/// How `check` treats what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Report the findings.
    Report,
    /// Apply the fixable ones (writing files back) and report the rest.
    Write,
    /// Make the diff of what fixing would change.
    Diff,
}

/// What checking one input gave (by default: nothing found, nothing
/// fixed).
#[derive(Debug, Default)]
pub struct Checked {
    /// The findings to report (after fixing, those that remain).
    pub items: Vec<Located>,
    /// Replacements applied (or that would be, with [`FixMode::Diff`]).
    pub fixed: usize,
    /// The unified diff, with [`FixMode::Diff`], when the input would
    /// change.
    pub diff: Option<String>,
    /// The fixed text of standard input, with [`FixMode::Write`].
    pub stdout: Option<String>,
    /// A failure to write the file back.
    pub write_error: Option<InputError>,
    /// Something to tell the user about this input.
    pub note: Option<String>,
}

/// Writes a fixed file back (the front end's atomic writer): the file and
/// its new bytes; an error says why it was left alone.
pub type WriteBack<'a> = dyn Fn(&Path, &[u8]) -> Result<(), InputError> + Sync + 'a;

/// One run over inputs: the engine, how inputs are read, and how many
/// threads work.
#[derive(Debug, Clone)]
pub struct Run<'e> {
    /// The engine.
    pub engine: &'e Engine,
    /// How inputs are found and read.
    pub input: input::Options,
    /// Worker threads (at least 1).
    pub threads: usize,
}

impl Run<'_> {
    /// Reads each input whole, applies `f` on `threads` worker threads,
    /// and gives `on` the sink and the path and value of each input read,
    /// in input order; notes, skips and errors go to the sink's events.
    /// Returns whether an input failed.
    fn each<T: Send, S: Events + ?Sized>(
        &self,
        inputs: &[Input],
        threads: usize,
        f: impl Fn(Source) -> T + Sync,
        sink: &mut S,
        mut on: impl FnMut(&mut S, String, T) -> io::Result<()>,
    ) -> io::Result<bool> {
        let mut failed = false;
        let results = input::process(inputs, &self.input, threads, Large::Read, f);
        for p in results {
            if let Some(note) = &p.note {
                sink.note(&p.path, note)?;
            }
            match p.result {
                Ok(Loaded::Text(value)) => on(sink, p.path, value)?,
                Ok(Loaded::Skipped(why)) => sink.note(&p.path, &why)?,
                // Only with `Large::Leave`, which `scan` and `count` handle
                // themselves.
                Ok(Loaded::Streams) => {}
                Err(e) => {
                    failed = true;
                    sink.failed(&e)?;
                }
            }
        }
        Ok(failed)
    }

    /// `scan`: every outermost span of every input, rendered by `render`
    /// and put into `sink` in order. Returns whether an input failed.
    ///
    /// # Errors
    ///
    /// When the sink fails.
    pub fn scan(
        &self,
        inputs: &[Input],
        render: &dyn Render,
        sink: &mut dyn ScanSink,
    ) -> io::Result<bool> {
        let engine = self.engine;
        let mut failed = false;
        let results = input::process(inputs, &self.input, self.threads, Large::Leave, |src| {
            engine.scan_source(&src)
        });
        let mut buffer = Vec::new();
        for (input, p) in inputs.iter().zip(results) {
            if let Some(note) = &p.note {
                sink.note(&p.path, note)?;
            }
            match p.result {
                Ok(Loaded::Text(matches)) => {
                    for m in &matches {
                        buffer.clear();
                        render.render(&mut buffer, &p.path, m)?;
                        sink.put(&buffer)?;
                    }
                }
                Ok(Loaded::Skipped(why)) => sink.note(&p.path, &why)?,
                Ok(Loaded::Streams) => {
                    let job = self.streamed(input, true);
                    failed |= stream::scan(job, &p.path, render, sink)?;
                }
                Err(e) => {
                    failed = true;
                    sink.failed(&e)?;
                }
            }
        }
        Ok(failed)
    }

    /// `count`: the counts over every input, and each input's when
    /// `by_file`.
    ///
    /// # Errors
    ///
    /// When `events` fails.
    pub fn count(
        &self,
        inputs: &[Input],
        by_file: bool,
        events: &mut dyn Events,
    ) -> io::Result<Counted> {
        let scanner = self.engine.scanner();
        let mut counted = Counted::default();
        // Without `by_file`, each worker thread counts into a tally of its
        // own (one per thread: a tally shared by all would move between the
        // processors' caches at every file), and the file's own is not kept.
        let shards: Vec<std::sync::Mutex<Tally>> = (0..self.threads.max(1))
            .map(|_| std::sync::Mutex::default())
            .collect();
        let results = input::process(inputs, &self.input, self.threads, Large::Leave, |src| {
            let mut resolver = scan::Resolver::default();
            let mut t = Tally::default();
            if by_file {
                scanner.for_each_hit(&src.text, &mut |h| t.add(&mut resolver, &h));
            } else {
                let shard = rayon::current_thread_index().unwrap_or(0) % shards.len();
                let mut shard = shards[shard]
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                scanner.for_each_hit(&src.text, &mut |h| shard.add(&mut resolver, &h));
            }
            t
        });
        for (input, p) in inputs.iter().zip(results) {
            if let Some(note) = &p.note {
                events.note(&p.path, note)?;
            }
            let t = match p.result {
                Ok(Loaded::Text(t)) => t,
                Ok(Loaded::Skipped(why)) => {
                    events.note(&p.path, &why)?;
                    continue;
                }
                Ok(Loaded::Streams) => {
                    let job = self.streamed(input, false);
                    let (t, failed) = stream::count(job, events)?;
                    counted.failed |= failed;
                    t
                }
                Err(e) => {
                    counted.failed = true;
                    events.failed(&e)?;
                    continue;
                }
            };
            counted.total.merge(&t);
            counted.files.push((p.path, t));
        }
        for shard in shards {
            counted.total.merge(
                &shard
                    .into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
        }
        if !by_file {
            counted.files.clear();
        }
        Ok(counted)
    }

    /// `check`: each input checked (and with `mode`, fixed: written back
    /// through `write`, or diffed) on the worker threads; `sink` gets each
    /// input's path and result in order. Returns whether an input failed
    /// to be read.
    ///
    /// # Errors
    ///
    /// When the sink fails.
    pub fn check(
        &self,
        inputs: &[Input],
        mode: FixMode,
        lang: Lang,
        write: &WriteBack<'_>,
        sink: &mut dyn CheckSink,
    ) -> io::Result<bool> {
        let engine = self.engine;
        let checker = match engine.checker() {
            Ok(c) => c,
            Err(e) => {
                sink.failed(&InputError {
                    path: "lexicon".into(),
                    message: e,
                    hint: None,
                })?;
                return Ok(true);
            }
        };
        // Only a report streams: a fix rewrites the whole text.
        let large = match mode {
            FixMode::Report => Large::LeaveProse,
            FixMode::Write | FixMode::Diff => Large::Read,
        };
        let mut failed = false;
        let results = input::process(inputs, &self.input, self.threads, large, |src| {
            check_one(engine, &checker, src, mode, lang, write)
        });
        for (input, p) in inputs.iter().zip(results) {
            if let Some(note) = &p.note {
                sink.note(&p.path, note)?;
            }
            match p.result {
                Ok(Loaded::Text(c)) => sink.checked(p.path, c)?,
                Ok(Loaded::Skipped(why)) => sink.note(&p.path, &why)?,
                Ok(Loaded::Streams) => {
                    let job = self.streamed(input, true);
                    failed |= super::check_stream::check(job, &checker, &p.path, lang, sink)?;
                    sink.checked(p.path, Checked::default())?;
                }
                Err(e) => {
                    failed = true;
                    sink.failed(&e)?;
                }
            }
        }
        Ok(failed)
    }

    /// `annotate` and `report`: each input annotated ([`Engine::annotate`]),
    /// in order; on one thread when `one_thread` (annotate prints the
    /// documents in a row, and keeps one in memory at a time less).
    ///
    /// # Errors
    ///
    /// When `events` fails.
    pub fn annotate(
        &self,
        inputs: &[Input],
        one_thread: bool,
        events: &mut dyn Events,
    ) -> io::Result<(Vec<super::Annotated>, bool)> {
        let engine = self.engine;
        let mut docs = Vec::new();
        let threads = if one_thread { 1 } else { self.threads };
        let failed = self.each(
            inputs,
            threads,
            |src| engine.annotate(src),
            events,
            |_, _, d| {
                docs.push(d);
                Ok(())
            },
        )?;
        Ok((docs, failed))
    }

    fn streamed<'a>(&'a self, input: &'a Input, positions: bool) -> Streamed<'a> {
        Streamed {
            engine: self.engine,
            input_options: &self.input,
            threads: self.threads,
            input,
            positions,
        }
    }
}

/// Finds the inputs `paths` name (none: nothing to find) while this
/// thread runs `prepare` (loading the lexicon, building the scanner): with
/// threads to spare, a folder is walked on the threads but this one. When
/// `ok` says the preparation failed, the walk stops early.
pub fn find_while<T>(
    paths: Option<&[String]>,
    filter: &input::Filter,
    opts: &input::Options,
    threads: usize,
    prepare: impl FnOnce() -> T,
    ok: impl Fn(&T) -> bool,
) -> (T, input::Found) {
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (prepared, found) = std::thread::scope(|s| {
        let walk = paths
            .filter(|_| threads > 1)
            .map(|paths| s.spawn(|| input::collect(paths, filter, opts, threads - 1, &stop)));
        let prepared = prepare();
        if !ok(&prepared) {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let found = walk.map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        (prepared, found)
    });
    let found = match (found, paths) {
        (Some(found), _) => found,
        (None, Some(paths)) if ok(&prepared) => input::collect(paths, filter, opts, threads, &stop),
        (None, _) => input::Found::default(),
    };
    (prepared, found)
}

/// `check --fix` and `--diff` of a Word document: the fixes go in as
/// tracked changes (by author tifa, to accept or reject in Word), never
/// silently; the diff is of the document's text with them accepted.
fn fix_docx(
    engine: &Engine,
    src: &Source,
    findings: &[crate::check::Finding],
    mode: FixMode,
    lang: Lang,
    write: &WriteBack<'_>,
    mut checked: Checked,
) -> Checked {
    let lexicon = engine.lexicon();
    let located = |text: &str, src: &Source, findings: &[crate::check::Finding]| {
        crate::check::locate(text, &Positions::of(src), findings, lexicon, lang)
    };
    checked.items = located(&src.text, src, findings);
    let Some(file) = &src.file else {
        return checked;
    };
    if !findings.iter().any(|f| f.fixable) {
        return checked;
    }
    let reviewed = std::fs::read(file)
        .map_err(|e| e.to_string())
        .and_then(|bytes| {
            let opts = crate::format::review::Options {
                comments: false,
                changes: true,
                terms: false,
                date: crate::format::review::now(),
                lang,
            };
            crate::format::review::review(engine, &src.path, &bytes, &opts)
                .map_err(|e| e.to_string())
        });
    let reviewed = match reviewed {
        Ok(r) => r,
        Err(e) => {
            checked.note = Some(format!("not fixed: {e}"));
            return checked;
        }
    };
    if reviewed.changes == 0 {
        return checked;
    }
    let after = match crate::input::load_bytes(
        &src.path,
        &reviewed.bytes,
        &crate::input::Options::default(),
    ) {
        Ok(crate::input::Loaded::Text(s)) => s,
        _ => {
            checked.note = Some("not fixed: the reviewed document could not be read back".into());
            return checked;
        }
    };
    if mode == FixMode::Diff {
        let diff = similar::TextDiff::from_lines(&src.text, &after.text);
        checked.diff = Some(
            diff.unified_diff()
                .header(&format!("a/{}", src.path), &format!("b/{}", src.path))
                .to_string(),
        );
        checked.fixed = reviewed.changes;
        return checked;
    }
    if let Err(e) = write(file, &reviewed.bytes) {
        checked.write_error = Some(e);
        return checked;
    }
    checked.fixed = reviewed.changes;
    checked.note = Some(format!(
        "{} fixes written as tracked changes: accept or reject them in Word",
        reviewed.changes
    ));
    if let Ok(checker) = engine.checker() {
        let left = super::fixable_findings(&checker, &after);
        checked.items = located(&after.text, &after, &left);
    }
    checked
}

/// Checks one document; with [`FixMode::Write`] writes the file back
/// through `write` (or keeps the fixed text of standard input), with
/// [`FixMode::Diff`] makes the diff.
///
/// HTML is fixed in its source, and only where the finding's span has no
/// markup or entity inside; Word documents get tracked changes.
fn check_one(
    engine: &Engine,
    checker: &Checker<'_>,
    src: Source,
    mode: FixMode,
    lang: Lang,
    write: &WriteBack<'_>,
) -> Checked {
    let lexicon = engine.lexicon();
    let positions = Positions::of(&src);
    let located = |findings: &[crate::check::Finding]| {
        crate::check::locate(&src.text, &positions, findings, lexicon, lang)
    };
    let mut checked = Checked::default();
    // What a fix would change for this file: nothing in a Word document or
    // in a text read with replacement characters, in HTML only spans with
    // no markup inside (the summary's "fixable" must be true).
    let findings = super::fixable_findings(checker, &src);
    if mode == FixMode::Report {
        checked.items = located(&findings);
        return checked;
    }
    if src.format == Format::Docx {
        return fix_docx(engine, &src, &findings, mode, lang, write, checked);
    }
    if src.format == Format::Pdf {
        checked.note = Some(
            "not changed by --fix or --diff: tifa does not write PDFs; fix the document the PDF was made from"
                .into(),
        );
        checked.items = located(&findings);
        return checked;
    }
    if src.note.is_some() {
        // Written back, the replacement characters would lose bytes.
        checked.note =
            Some("not changed by --fix or --diff: it was read with replacement characters".into());
        checked.items = located(&findings);
        return checked;
    }
    let (content, fixes) = crate::check::fix::in_source(&src, &positions, &findings);
    let fixed = super::fix_to_the_end(checker, &src, content, fixes);
    checked.fixed = fixed.replacements;
    if mode == FixMode::Diff {
        if fixed.replacements > 0 {
            let diff = similar::TextDiff::from_lines(content, &fixed.text);
            checked.diff = Some(
                diff.unified_diff()
                    .header(&format!("a/{}", src.path), &format!("b/{}", src.path))
                    .to_string(),
            );
        }
        checked.items = located(&findings);
        return checked;
    }
    if let (Some(file), true) = (&src.file, fixed.replacements > 0) {
        let bytes = crate::text::encode::encode(&fixed.text, src.encoding);
        if let Err(e) = write(file, &bytes) {
            checked.write_error = Some(e);
            checked.items = located(&findings);
            checked.fixed = 0;
            return checked;
        }
    }
    // What is left, in the fixed document.
    checked.items = crate::check::locate(
        &fixed.document.text,
        &Positions::of(&fixed.document),
        &fixed.remaining,
        lexicon,
        lang,
    );
    if src.file.is_none() {
        checked.stdout = Some(fixed.text);
    }
    checked
}
