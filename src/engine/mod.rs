//! The engine every front end drives: the CLI, the language server, and
//! the Python package.
//!
//! An [`Engine`] is the lexicon, its scanner, the checker's settings and
//! (built on first use) the checker's own index, as one value that is
//! cheap to clone and share across threads, and that can be rebuilt from
//! its [`LexiconSource`] in another process (what pickling needs). Its
//! methods work on one text ([`Engine::scan`], [`Engine::count`],
//! [`Engine::check`], [`Engine::fix`], [`Engine::annotate`]) and on many
//! ([`Engine::map`], in parallel, in order).
//!
//! [`run::Run`] works on inputs as users give them (files, folders,
//! standard input): it reads and decodes them on worker threads, streams
//! large files in pieces, keeps results in input order and merges tallies,
//! handing values to a sink; the front end only picks a printer.
//!
//! ```
//! use tifa::engine::Engine;
//!
//! let engine = Engine::embedded().expect("the embedded lexicon is valid");
//! let matches = engine.scan("全面推行“两队一室”改革。");
//! assert_eq!(matches[0].matched, "两队一室");
//! let counts = engine.count("两队一室");
//! assert_eq!(counts.total, 1);
//! let findings = engine.check("text", "两队一所", tifa::check::Lang::Zh);
//! assert_eq!(findings[0].finding.suggestion.as_deref(), Some("两队一室"));
//! ```

mod check_stream;
pub mod run;
mod stream;

use std::sync::{Arc, OnceLock};

use crate::annotate::Annotation;
use crate::check::{self, CheckIndex, Checker, Lang, Located, Settings};
use crate::count::Tally;
use crate::diagnostic::Diagnostic;
use crate::format::Format;
use crate::lexicon::{Lexicon, LexiconFile, embedded_files};
use crate::scan::{self, Match, Scanner, accepted, outermost, per_entry};
use crate::text::{Positions, Source};

/// What a lexicon is built from: the embedded lexicon or not, and the
/// user's files (their text, not their paths), in the order their layers
/// apply. Enough to build the same [`Engine`] again anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconSource {
    /// The embedded lexicon is the first layer.
    pub default: bool,
    /// The user's layers: each a file, or the files of a folder.
    pub layers: Vec<Vec<LexiconFile>>,
}

impl LexiconSource {
    /// The embedded lexicon alone.
    pub fn embedded() -> LexiconSource {
        LexiconSource {
            default: true,
            layers: Vec::new(),
        }
    }

    /// A fingerprint of the entries this source gives: 16 hexadecimal
    /// digits of a 64-bit FNV-1a hash of the texts of every file it layers
    /// (the embedded files' included), with their lengths, in order. The
    /// same files give the same fingerprint on every machine and in every
    /// process; paths do not count.
    pub fn fingerprint(&self) -> String {
        let mut h = Fnv::default();
        h.write(&[u8::from(self.default)]);
        let embedded = self.default.then(embedded_files);
        for layer in embedded.iter().chain(&self.layers) {
            h.write(&(layer.len() as u64).to_le_bytes());
            for file in layer {
                h.write(&(file.text.len() as u64).to_le_bytes());
                h.write(file.text.as_bytes());
            }
        }
        format!("{:016x}", h.0)
    }
}

/// 64-bit FNV-1a: stable across processes and builds, unlike the standard
/// library's hasher.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Why an engine could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    /// Every problem, located (`file:line:column: message`).
    pub diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for EngineError {}

/// The lexicon, its scanner and the checker's settings, shared: cloning
/// an engine clones a pointer.
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    source: LexiconSource,
    lexicon: Lexicon,
    scanner: Scanner,
    settings: Settings,
    /// The scanner holds every form, not the accepted ones only.
    checks: bool,
    /// The checker's index, built the first time a checker is asked for.
    index: OnceLock<Result<Arc<CheckIndex>, String>>,
    fingerprint: OnceLock<String>,
}

/// One text annotated: its marks and flags, and its counts.
#[derive(Debug, Clone)]
pub struct Annotated {
    /// The path as shown.
    pub path: String,
    /// The text.
    pub text: String,
    /// Marks, footnote numbers and `check`'s flags.
    pub annotation: Annotation,
    /// The counts of the text's terms.
    pub tally: Tally,
    /// Text extracted from HTML: shown without its block marks.
    pub tidy: bool,
    /// Not Markdown: escaped when written as Markdown.
    pub plain: bool,
}

impl Annotated {
    /// The document as the HTML report and page draw it.
    pub fn html(&self) -> crate::report::html::Document<'_> {
        crate::report::html::Document {
            path: &self.path,
            text: &self.text,
            annotation: &self.annotation,
            tally: &self.tally,
        }
    }
}

/// What fixing one text gave.
#[derive(Debug, Clone)]
pub struct Fixed {
    /// The fixed text (the document's source, for HTML).
    pub text: String,
    /// The replacements made.
    pub replacements: usize,
    /// The fixed document.
    pub document: Source,
    /// The findings left in it.
    pub remaining: Vec<check::Finding>,
}

/// The most rounds of fixing one document: a fix can make a new finding
/// (县市主战、派出所主防、全警主练: the order first, then 主练), so one
/// fix fixes the fixed text again until nothing fixable is left.
const FIX_ROUNDS: usize = 8;

impl Engine {
    /// The embedded lexicon with the default settings.
    ///
    /// # Errors
    ///
    /// Never for a released build (the tests load it); the type says what a
    /// broken one would give.
    pub fn embedded() -> Result<Engine, EngineError> {
        Engine::load(LexiconSource::embedded(), Settings::default())
    }

    /// Loads and validates the lexicon of `source` and builds its scanner.
    ///
    /// # Errors
    ///
    /// Every problem of the merged lexicon, located; an automaton past
    /// aho-corasick's limits.
    pub fn load(source: LexiconSource, settings: Settings) -> Result<Engine, EngineError> {
        let lexicon = crate::setup::load_lexicon(source.default, source.layers.clone())
            .map_err(|diagnostics| EngineError { diagnostics })?;
        let scanner = Scanner::new(&lexicon).map_err(|e| EngineError {
            diagnostics: vec![Diagnostic::whole("lexicon", e.to_string())],
        })?;
        Ok(Engine::from_parts(source, lexicon, scanner, settings, true))
    }

    /// An engine of a lexicon and scanner built already from `source`.
    /// `checks` says the scanner holds every form ([`Scanner::new`]); one of
    /// the accepted forms only ([`Scanner::accepted_only`], quicker to
    /// build) scans and counts the same, but gives no checker.
    pub fn from_parts(
        source: LexiconSource,
        lexicon: Lexicon,
        scanner: Scanner,
        settings: Settings,
        checks: bool,
    ) -> Engine {
        Engine {
            inner: Arc::new(Inner {
                source,
                lexicon,
                scanner,
                settings,
                checks,
                index: OnceLock::new(),
                fingerprint: OnceLock::new(),
            }),
        }
    }

    /// The lexicon.
    pub fn lexicon(&self) -> &Lexicon {
        &self.inner.lexicon
    }

    /// The scanner of every form of the lexicon.
    pub fn scanner(&self) -> &Scanner {
        &self.inner.scanner
    }

    /// The checker's settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// What the lexicon was built from.
    pub fn source(&self) -> &LexiconSource {
        &self.inner.source
    }

    /// [`LexiconSource::fingerprint`], computed once.
    pub fn fingerprint(&self) -> &str {
        self.inner
            .fingerprint
            .get_or_init(|| self.inner.source.fingerprint())
    }

    /// The checker; its index is built on the first call and shared by
    /// every later one.
    ///
    /// # Errors
    ///
    /// When the checker's automaton exceeds aho-corasick's size limits, or
    /// the engine was built to scan and count only.
    pub fn checker(&self) -> Result<Checker<'_>, String> {
        if !self.inner.checks {
            return Err("this engine was built to scan and count only".into());
        }
        let index = self.inner.index.get_or_init(|| {
            CheckIndex::new(&self.inner.lexicon, self.inner.settings.clone())
                .map(Arc::new)
                .map_err(|e| e.to_string())
        });
        match index {
            Ok(index) => Ok(Checker::with_index(
                &self.inner.lexicon,
                &self.inner.scanner,
                Arc::clone(index),
            )),
            Err(e) => Err(e.clone()),
        }
    }

    /// The outermost spans of accepted forms in `text`, with lines and
    /// columns: what `tifa scan` lists.
    pub fn scan(&self, text: &str) -> Vec<Match> {
        let hits = self.inner.scanner.hits(text);
        scan::locate(text, &Positions::plain(text), &outermost(&hits, accepted))
    }

    /// [`Engine::scan`] of a decoded document, positions as it reports
    /// them (in the HTML source, by paragraph in Word).
    pub fn scan_source(&self, src: &Source) -> Vec<Match> {
        let hits = self.inner.scanner.hits(&src.text);
        scan::locate(&src.text, &Positions::of(src), &outermost(&hits, accepted))
    }

    /// The counts of `text`: per entry, nested occurrences included, as
    /// `tifa count` gives them.
    pub fn count(&self, text: &str) -> Tally {
        let mut resolver = scan::Resolver::default();
        let mut t = Tally::default();
        self.inner
            .scanner
            .for_each_hit(text, &mut |h| t.add(&mut resolver, &h));
        t
    }

    /// `check`'s findings in `text`, read as a document named `path` (in
    /// Markdown, code is not checked), worded in `lang`. Empty when the
    /// checker cannot be built ([`Engine::checker`] says why).
    pub fn check(&self, path: &str, text: &str, lang: Lang) -> Vec<Located> {
        self.check_source(&Source::plain(path, text.to_owned()), lang)
    }

    /// [`Engine::check`] of a decoded document, each finding marked
    /// fixable only where `--fix` can apply it.
    pub fn check_source(&self, src: &Source, lang: Lang) -> Vec<Located> {
        let Ok(checker) = self.checker() else {
            return Vec::new();
        };
        let findings = fixable_findings(&checker, src);
        check::locate(
            &src.text,
            &Positions::of(src),
            &findings,
            &self.inner.lexicon,
            lang,
        )
    }

    /// `check --fix` of `text` (a document named `path`): the fixable
    /// findings applied, again on the result until nothing fixable is
    /// left.
    pub fn fix(&self, path: &str, text: &str) -> Fixed {
        let src = Source::plain(path, text.to_owned());
        match self.checker() {
            Ok(checker) => {
                let findings = fixable_findings(&checker, &src);
                let positions = Positions::of(&src);
                let (content, fixes) = check::fix::in_source(&src, &positions, &findings);
                fix_to_the_end(&checker, &src, content, fixes)
            }
            Err(_) => Fixed {
                text: text.to_owned(),
                replacements: 0,
                document: src,
                remaining: Vec::new(),
            },
        }
    }

    /// The annotation of a document: its outermost spans numbered, and
    /// `check`'s findings flagged (except line wraps inside a term, which
    /// the reader sees joined), with its counts.
    pub fn annotate(&self, src: Source) -> Annotated {
        let lexicon = &self.inner.lexicon;
        let hits = self.inner.scanner.hits(&src.text);
        let spans = outermost(&hits, accepted);
        let mut findings = match self.checker() {
            Ok(checker) => checker.check_document(&src.path, &src.text),
            Err(_) => Vec::new(),
        };
        // A term broken by a line wrap is shown whole, as the scanner joins
        // it; that the wrap is there is `check`'s business, not the reader's.
        findings.retain(|f| !wrapped(&src, f));
        let markdown = src.format == Format::Text && check::code::is_markdown(&src.path);
        Annotated {
            tally: Tally::of(&spans, &per_entry(&hits)),
            annotation: Annotation::new(&spans).with_findings(
                &src.text,
                &findings,
                lexicon,
                Lang::Zh,
                &Positions::of(&src),
            ),
            tidy: src.format == Format::Html,
            plain: !markdown,
            path: src.path,
            text: src.text,
        }
    }

    /// `f` of each index below `n`, on `threads` threads (all cores for 0;
    /// none of its own for 1), in index order.
    pub fn map<T: Send>(threads: usize, n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
        use rayon::prelude::*;
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            threads
        };
        if threads == 1 || n < 2 {
            return (0..n).map(f).collect();
        }
        match pool(threads) {
            Some(pool) => pool.install(|| (0..n).into_par_iter().with_max_len(1).map(&f).collect()),
            None => (0..n).map(f).collect(),
        }
    }

    /// `f` of each of `n` items that `feed` produces on the calling thread,
    /// applied on `threads` worker threads while `feed` is still producing,
    /// so a producer that must run on one thread (the Python bindings
    /// encode each `str` holding the GIL) overlaps the work instead of
    /// preceding it. `feed` gets a function to hand over item `i`; items
    /// not handed over get `None`. When `feed` returns, the calling thread
    /// calls `idle` with a function that works the rest of the queue
    /// alongside the workers and returns when every item is done (the
    /// bindings release the GIL around it). Results are in index order;
    /// on one thread, `feed` runs first and the items after.
    pub fn map_fed<D: Send, T: Send>(
        threads: usize,
        n: usize,
        feed: impl FnOnce(&mut dyn FnMut(usize, D)),
        idle: impl FnOnce(&(dyn Fn() + Sync)),
        f: impl Fn(usize, D) -> T + Sync,
    ) -> Vec<Option<T>> {
        use std::sync::mpsc;
        use std::sync::{Condvar, Mutex, PoisonError};
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            threads
        };
        let pool = if threads > 1 && n > 1 {
            pool(threads)
        } else {
            None
        };
        let Some(pool) = pool else {
            let mut items: Vec<Option<D>> = (0..n).map(|_| None).collect();
            feed(&mut |i, d| {
                if let Some(slot) = items.get_mut(i) {
                    *slot = Some(d);
                }
            });
            let items = Mutex::new(items);
            let out = Mutex::new(Vec::with_capacity(n));
            idle(&|| {
                let items =
                    std::mem::take(&mut *items.lock().unwrap_or_else(PoisonError::into_inner));
                let mut out = out.lock().unwrap_or_else(PoisonError::into_inner);
                for (i, d) in items.into_iter().enumerate() {
                    out.push(d.map(|d| f(i, d)));
                }
            });
            return out.into_inner().unwrap_or_else(PoisonError::into_inner);
        };
        let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
        let (tx, rx) = mpsc::channel::<(usize, D)>();
        let rx = Mutex::new(rx);
        // Items handed over and items done, to wait for the last ones.
        let progress = (Mutex::new((0usize, 0usize)), Condvar::new());
        let work = || {
            loop {
                let next = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                let Ok((i, d)) = next else { break };
                let value = f(i, d);
                if let Some(slot) = slots.get(i) {
                    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
                }
                let (count, done) = &progress;
                count.lock().unwrap_or_else(PoisonError::into_inner).1 += 1;
                done.notify_all();
            }
        };
        pool.in_place_scope(|s| {
            for _ in 0..threads {
                s.spawn(|_| work());
            }
            feed(&mut |i, d| {
                progress.0.lock().unwrap_or_else(PoisonError::into_inner).0 += 1;
                // The workers outlive the sender, so this cannot fail.
                let _ = tx.send((i, d));
            });
            drop(tx);
            idle(&|| {
                work();
                let (count, done) = &progress;
                let mut c = count.lock().unwrap_or_else(PoisonError::into_inner);
                while c.1 < c.0 {
                    c = done.wait(c).unwrap_or_else(PoisonError::into_inner);
                }
            });
        });
        slots
            .into_iter()
            .map(|s| s.into_inner().unwrap_or_else(PoisonError::into_inner))
            .collect()
    }
}

/// A pool of `threads` worker threads, built once per size and kept.
fn pool(threads: usize) -> Option<Arc<rayon::ThreadPool>> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(p) = pools.get(&threads) {
        return Some(Arc::clone(p));
    }
    let p = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .ok()?,
    );
    pools.insert(threads, Arc::clone(&p));
    Some(p)
}

/// True when `f` is a term broken by a line wrap (a line break inside
/// it, which the scanner joins).
fn wrapped(src: &Source, f: &check::Finding) -> bool {
    matches!(
        f.detail,
        check::Detail::NonCanonical(check::Why::Whitespace)
    ) && src
        .text
        .get(f.start..f.end)
        .is_some_and(|m| m.contains('\n'))
}

/// `checker`'s findings in `src`, each fixable only where a fix can be
/// applied to its source (the summary's "fixable" must be true). In a PDF,
/// a line or page break inside a term is where the layout wrapped it, not
/// something its author wrote: not a finding.
pub(crate) fn fixable_findings(checker: &Checker<'_>, src: &Source) -> Vec<check::Finding> {
    let mut findings = checker.check_document(&src.path, &src.text);
    if src.format == Format::Pdf {
        findings.retain(|f| !wrapped(src, f));
    }
    let positions = Positions::of(src);
    for f in &mut findings {
        f.fixable = f.fixable && check::fix::can_apply(src, &positions, f);
    }
    findings
}

/// Applies `fixes` to `content` (the document's source), then checks and
/// fixes the result again, up to [`FIX_ROUNDS`] times, stopping before a
/// text seen already (never oscillating). See: #18.
pub(crate) fn fix_to_the_end(
    checker: &Checker<'_>,
    src: &Source,
    content: &str,
    mut fixes: Vec<check::Finding>,
) -> Fixed {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let hash = |t: &str| BuildHasherDefault::<DefaultHasher>::default().hash_one(t);
    let mut seen = std::collections::HashSet::from([hash(content)]);
    let mut text = content.to_owned();
    let mut total = 0;
    let document = |text: &str| match &src.markup {
        None => Source::plain(&src.path, text.to_owned()),
        Some(_) => crate::format::html::source(&src.path, text.to_owned()),
    };
    let mut after = None;
    for _ in 0..FIX_ROUNDS {
        let (next, n) = check::fix::apply(&text, &fixes);
        if n == 0 || !seen.insert(hash(&next)) {
            break;
        }
        total += n;
        text = next;
        let doc = document(&text);
        let found = fixable_findings(checker, &doc);
        fixes = check::fix::in_source(&doc, &Positions::of(&doc), &found).1;
        after = Some((doc, found));
    }
    let (document, remaining) = after.unwrap_or_else(|| {
        let doc = document(&text);
        let found = checker.check_document(&doc.path, &doc.text);
        (doc, found)
    });
    Fixed {
        text,
        replacements: total,
        document,
        remaining,
    }
}

#[cfg(test)]
mod tests {
    use super::Engine;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn map_fed_keeps_index_order_and_skips_what_was_not_fed() {
        for threads in [1, 2, 3] {
            let got = Engine::map_fed(
                threads,
                5,
                |give| {
                    for i in [4, 0, 2] {
                        give(i, i * 10);
                    }
                },
                |work| work(),
                |i, d| (i, d + 1),
            );
            assert_eq!(
                got,
                vec![Some((0, 1)), None, Some((2, 21)), None, Some((4, 41))],
                "{threads} threads"
            );
        }
    }

    #[test]
    fn map_fed_works_while_the_feed_is_still_running() {
        // The feed waits for the first item's result before it hands over
        // the second: only a map that works while feeding gets it.
        let (done, seen) = mpsc::channel();
        let mut overlapped = false;
        let got = Engine::map_fed(
            2,
            2,
            |give| {
                give(0, 0);
                overlapped = seen.recv_timeout(Duration::from_secs(30)).is_ok();
                give(1, 1);
            },
            |work| work(),
            |i, d| {
                if i == 0 {
                    let _ = done.send(());
                }
                d
            },
        );
        assert!(overlapped);
        assert_eq!(got, vec![Some(0), Some(1)]);
    }
}
