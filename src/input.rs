//! Inputs as the user names them: files, folders (walked with `.gitignore`,
//! `.ignore` and `.tifaignore` respected, hidden files skipped), and `-` for
//! standard input. Reads and decodes; never matches.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::format::{Format, docx, html, pdf};
use crate::text::{Decoded, Encoding, Markup, Source, decode, decode::decode_as};

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file; `explicit` when the user named it (not found by walking).
    File {
        /// The path.
        path: PathBuf,
        /// Named on the command line.
        explicit: bool,
    },
    /// Standard input.
    Stdin,
}

/// A problem with one input; the run goes on with the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The path as the user would recognize it.
    pub path: String,
    /// What went wrong, lowercase.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

/// What reading an input gave.
#[derive(Debug)]
pub enum Loaded<T = Source> {
    /// Decoded text (or what was made of it).
    Text(T),
    /// Skipped, with the reason (a binary file).
    Skipped(String),
    /// Not read: the caller reads it in pieces (see [`Large::Leave`]).
    Streams,
}

/// Include and exclude globs from `tifa.toml`, matched against paths
/// relative to the folder of that file.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    base: PathBuf,
    include: Option<globset::GlobSet>,
    exclude: Option<globset::GlobSet>,
    /// tifa's own files, canonical: the lexicon files and folders the run
    /// loads (and the config it reads); never read as inputs.
    own: Vec<PathBuf>,
}

/// The name of tifa's configuration file, never read as an input.
pub const CONFIG_NAME: &str = "tifa.toml";

impl Filter {
    /// A filter from globs (already validated by the config loader);
    /// relative paths are taken from `base`.
    pub fn new(base: &Path, include: &[String], exclude: &[String]) -> Filter {
        let set = |globs: &[String]| {
            if globs.is_empty() {
                return None;
            }
            let mut b = globset::GlobSetBuilder::new();
            for g in globs {
                if let Ok(g) = globset::Glob::new(g) {
                    b.add(g);
                }
            }
            b.build().ok()
        };
        let cwd = std::env::current_dir().unwrap_or_default();
        Filter {
            base: cwd.join(base),
            include: set(include),
            exclude: set(exclude),
            own: Vec::new(),
        }
    }

    /// The same filter, also leaving out tifa's own files: every
    /// `tifa.toml`, and the `.toml` files at or under `paths` (the lexicon
    /// files and folders a run loads), so that `check --fix .` never
    /// rewrites the lexicon it checks with.
    #[must_use]
    pub fn without_own(mut self, paths: &[&Path]) -> Filter {
        self.own = paths
            .iter()
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .collect();
        self
    }

    /// True when `path` is one of tifa's own files (see
    /// [`Filter::without_own`]). Only `.toml` files are looked up on disk.
    fn is_own(&self, path: &Path) -> bool {
        if path.file_name().is_some_and(|n| n == CONFIG_NAME) {
            return true;
        }
        if self.own.is_empty() || path.extension().is_none_or(|e| e != "toml") {
            return false;
        }
        std::fs::canonicalize(path).is_ok_and(|p| self.own.iter().any(|o| p.starts_with(o)))
    }

    /// True when `path` is to be read.
    pub fn allows(&self, path: &Path) -> bool {
        if self.is_own(path) {
            return false;
        }
        if self.include.is_none() && self.exclude.is_none() {
            return true;
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        let abs = cwd.join(path);
        let rel = abs.strip_prefix(&self.base).unwrap_or(path);
        let rel = rel.strip_prefix("./").unwrap_or(rel);
        self.include.as_ref().is_none_or(|s| s.is_match(rel))
            && !self.exclude.as_ref().is_some_and(|s| s.is_match(rel))
    }
}

/// The shown name of standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// How inputs are found and read: the input options of the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Also walk hidden files and folders.
    pub hidden: bool,
    /// Follow symbolic links while walking.
    pub follow: bool,
    /// `--glob` patterns for walked files (`!` excludes), as ripgrep.
    pub globs: Vec<String>,
    /// Read every file in this encoding instead of detecting it.
    pub encoding: Option<Encoding>,
    /// Read binary files as text instead of skipping them.
    pub binary: bool,
    /// The name standard input is reported as (and whose extension says its
    /// format).
    pub stdin_filename: Option<String>,
}

/// The inputs that paths name, and the problems with those paths.
#[derive(Debug, Default)]
pub struct Found {
    /// The inputs, in order.
    pub inputs: Vec<Input>,
    /// Paths that do not exist, invalid globs, unreadable folders.
    pub errors: Vec<InputError>,
}

/// Expands the paths given on the command line (none means stdin) into
/// inputs, in a stable order: arguments in order, folder contents sorted by
/// path. Folders are walked on `threads` threads; the walk ends early once
/// `stop` is set (the run has failed and the inputs are not needed).
pub fn collect(
    paths: &[String],
    filter: &Filter,
    opts: &Options,
    threads: usize,
    stop: &AtomicBool,
) -> Found {
    let mut found = Found::default();
    if paths.is_empty() {
        found.inputs.push(Input::Stdin);
    }
    for arg in paths {
        if arg == "-" {
            found.inputs.push(Input::Stdin);
            continue;
        }
        let path = Path::new(arg);
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                walk(path, filter, opts, threads, stop, &mut found);
            }
            Ok(_) => {
                if filter.allows(path) {
                    found.inputs.push(Input::File {
                        path: path.to_path_buf(),
                        explicit: true,
                    });
                }
            }
            Err(e) => found.errors.push(io_error(arg, &e)),
        }
    }
    found
}

fn walk(
    dir: &Path,
    filter: &Filter,
    opts: &Options,
    threads: usize,
    stop: &AtomicBool,
    found: &mut Found,
) {
    let mut builder = ignore::WalkBuilder::new(dir);
    builder
        .require_git(false)
        .hidden(!opts.hidden)
        .follow_links(opts.follow)
        .add_custom_ignore_filename(".tifaignore")
        .threads(threads);
    if !opts.globs.is_empty() {
        let mut o = ignore::overrides::OverrideBuilder::new(dir);
        for g in &opts.globs {
            if let Err(e) = o.add(g) {
                found.errors.push(InputError {
                    path: g.clone(),
                    message: format!("invalid glob: {e}"),
                    hint: None,
                });
                return;
            }
        }
        match o.build() {
            Ok(o) => {
                builder.overrides(o);
            }
            Err(e) => {
                found.errors.push(InputError {
                    path: dir.display().to_string(),
                    message: format!("invalid glob: {e}"),
                    hint: None,
                });
                return;
            }
        }
    }
    // The order is made stable afterwards.
    let walked = std::sync::Mutex::new((Vec::new(), Vec::new()));
    builder.build_parallel().run(|| {
        Box::new(|item| {
            if stop.load(Ordering::Relaxed) {
                return ignore::WalkState::Quit;
            }
            let mut walked = walked
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match item {
                Ok(entry) => {
                    if entry.file_type().is_some_and(|t| t.is_file()) && filter.allows(entry.path())
                    {
                        walked.0.push(entry.into_path());
                    }
                }
                Err(e) => walked.1.push(InputError {
                    path: dir.display().to_string(),
                    message: walk_message(&e),
                    hint: None,
                }),
            }
            ignore::WalkState::Continue
        })
    });
    let (mut files, errors) = walked
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    files.sort();
    found
        .inputs
        .extend(files.into_iter().map(|path| Input::File {
            path,
            explicit: false,
        }));
    found.errors.extend(errors);
}

/// A walk error as a short message, naming the path involved.
fn walk_message(e: &ignore::Error) -> String {
    match e {
        ignore::Error::WithPath { path, err } => {
            format!("{}: {}", path.display(), walk_message(err))
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_message(err)
        }
        ignore::Error::Loop { child, .. } => format!(
            "{}: directory loop (a symbolic link to a parent folder)",
            child.display()
        ),
        ignore::Error::Io(io) => io_message(io),
        other => other.to_string(),
    }
}

impl Input {
    /// The path as shown in output.
    pub fn shown(&self, opts: &Options) -> String {
        match self {
            Input::File { path, .. } => path.display().to_string(),
            Input::Stdin => opts
                .stdin_filename
                .clone()
                .unwrap_or_else(|| STDIN_NAME.to_owned()),
        }
    }

    /// Reads and decodes the input, extracting the text of HTML and Word
    /// documents; standard input and large plain-text files as `large`
    /// says.
    ///
    /// # Errors
    ///
    /// An unreadable file, a broken .docx, or bytes that the encoding given
    /// with `--encoding` does not decode.
    pub fn read(&self, opts: &Options, large: Large) -> Result<Loaded, InputError> {
        let shown = self.shown(opts);
        let pieces = match large {
            Large::Read => false,
            Large::Leave => Format::of(Path::new(&shown)) == Format::Text,
            Large::LeaveProse => {
                Format::of(Path::new(&shown)) == Format::Text
                    && !crate::check::code::is_markdown(&shown)
            }
        };
        match self {
            Input::File { path, .. } => {
                let opened =
                    std::fs::File::open(path).and_then(|f| f.metadata().map(|m| (f, m.len())));
                let (mut file, size) = opened.map_err(|e| io_error(&shown, &e))?;
                if pieces && size > stream_above() {
                    return Ok(Loaded::Streams);
                }
                READ_BUFFER.with_borrow_mut(|buffer| {
                    let loaded = match read_whole(&mut file, buffer, size) {
                        Ok(n) => self.load(&buffer[..n], shown, opts),
                        Err(e) => Err(io_error(&shown, &e)),
                    };
                    if buffer.len() > KEEP_READ_BUFFER {
                        *buffer = Vec::new();
                    }
                    loaded
                })
            }
            Input::Stdin if pieces => Ok(Loaded::Streams),
            Input::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin()
                    .lock()
                    .read_to_end(&mut buf)
                    .map_err(|e| io_error(&shown, &e))?;
                self.load(&buf, shown, opts)
            }
        }
    }

    /// Decodes the bytes read, extracting the text of HTML and Word
    /// documents.
    fn load(&self, bytes: &[u8], shown: String, opts: &Options) -> Result<Loaded, InputError> {
        let format = Format::of(Path::new(&shown));
        let mut src = Source::plain(&shown, String::new());
        src.format = format;
        src.file = match self {
            Input::File { path, .. } => Some(path.clone()),
            Input::Stdin => None,
        };
        if format == Format::Docx {
            src.text = docx::extract(bytes).map_err(|e| InputError {
                path: shown.clone(),
                message: e.to_string(),
                hint: None,
            })?;
            return Ok(Loaded::Text(src));
        }
        if format == Format::Pdf {
            let extracted = pdf::extract(bytes).map_err(|e| InputError {
                hint: match e {
                    pdf::PdfError::Encrypted => {
                        Some("save a copy without a password (print to PDF) and read that".into())
                    }
                    _ => None,
                },
                path: shown.clone(),
                message: e.to_string(),
            })?;
            if extracted.is_empty() {
                src.note = Some(pdf::NO_TEXT_NOTE.into());
            }
            src.text = extracted.text;
            return Ok(Loaded::Text(src));
        }
        let (text, encoding) = match opts.encoding {
            Some(enc) => match decode_as(bytes, enc) {
                Some(text) => (text, enc),
                None => {
                    return Err(InputError {
                        path: shown,
                        message: format!("not valid {enc}"),
                        hint: Some(
                            "check --encoding, or leave it out to detect the encoding".into(),
                        ),
                    });
                }
            },
            None => match decode(bytes) {
                Decoded::Text(text, encoding) => (text, encoding),
                Decoded::Replaced(text, encoding) => {
                    src.note = Some(replaced_note(encoding));
                    (text, encoding)
                }
                Decoded::Binary if !opts.binary => {
                    return Ok(Loaded::Skipped(binary_skipped(
                        crate::text::decode::utf16_without_bom(bytes),
                    )));
                }
                Decoded::Binary | Decoded::Undecodable => match String::from_utf8_lossy(bytes) {
                    std::borrow::Cow::Borrowed(text) => (text.to_owned(), Encoding::Utf8),
                    std::borrow::Cow::Owned(text) => {
                        src.note = Some(
                            "not valid UTF-8, UTF-16 or GB18030: read as UTF-8 with invalid bytes replaced by U+FFFD"
                                .into(),
                        );
                        (text, Encoding::Utf8)
                    }
                },
            },
        };
        src.encoding = encoding;
        if format == Format::Html {
            let extracted = html::extract(&text);
            src.text = extracted.text;
            src.markup = Some(Markup {
                source: text,
                map: extracted.map,
            });
        } else {
            src.text = text;
        }
        Ok(Loaded::Text(src))
    }
}
/// Decodes the bytes of a document named `name` as a file of that name is
/// read (its encoding detected, or `opts.encoding`; the text of HTML and
/// Word extracted), for front ends that have the bytes already (the Python
/// package, a server). A document that looks binary is skipped unless
/// `opts.binary`.
///
/// # Errors
///
/// A broken .docx, or bytes that `opts.encoding` does not decode.
pub fn load_bytes(name: &str, bytes: &[u8], opts: &Options) -> Result<Loaded, InputError> {
    Input::Stdin.load(bytes, name.to_owned(), opts)
}

/// The note for a text read with bad units replaced, said once per input.
pub fn replaced_note(encoding: Encoding) -> String {
    match encoding {
        Encoding::Utf8 => "not valid UTF-8, UTF-16 or GB18030: read as UTF-8 with invalid bytes replaced by U+FFFD".to_owned(),
        other => format!("not valid {other} in places: read as {other} with the bad units replaced by U+FFFD"),
    }
}

thread_local! {
    /// The bytes of the file a thread reads, reused from file to file: the
    /// memory stays mapped and warm in the cache instead of being handed
    /// back to the system and faulted in again for every file.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads the whole of `file`, whose size is said to be `size`, into the
/// start of `buffer`, and returns how many bytes it read. The buffer's
/// bytes are all initialized and it only grows, so a reused buffer is not
/// cleared for every file; it grows on when the file is longer than said
/// (a growing file, or one of `/proc`, which says 0). One `read` brings a
/// whole file and one more sees its end: no `stat` of the standard
/// library's `read_to_end` on top of the caller's own.
fn read_whole(file: &mut std::fs::File, buffer: &mut Vec<u8>, size: u64) -> std::io::Result<usize> {
    let want = usize::try_from(size)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    grow(buffer, want)?;
    let mut n = 0;
    loop {
        if n == buffer.len() {
            grow(buffer, n.saturating_mul(2).max(8 * 1024))?;
        }
        match file.read(&mut buffer[n..]) {
            Ok(0) => return Ok(n),
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Grows `buffer` to at least `len` bytes, all initialized; a size the
/// memory cannot hold is an error for this input, not an abort.
fn grow(buffer: &mut Vec<u8>, len: usize) -> std::io::Result<()> {
    if buffer.len() < len {
        buffer
            .try_reserve_exact(len - buffer.len())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::OutOfMemory))?;
        buffer.resize(len, 0);
    }
    Ok(())
}

/// A read buffer larger than this (after a large HTML or Word file, say) is
/// not kept.
const KEEP_READ_BUFFER: usize = 4 * 1024 * 1024;

/// Files larger than this are scanned in pieces by `scan` and `count`: the
/// bytes of a piece are read, decoded and scanned while they are in the
/// processor's cache, which is faster than one pass over a whole file per
/// step (measured in BENCHMARKS.md), and memory stays bounded.
pub const STREAM_ABOVE: u64 = 1024 * 1024;

/// The size of one piece of a streamed file: small enough that the raw
/// bytes, the decoded text and the scanner's tables fit in a core's L2
/// cache together.
pub const PIECE_BYTES: usize = 256 * 1024;

/// A setting from the environment (for tests of the streaming path on small
/// files: `TIFA_STREAM_ABOVE`, `TIFA_PIECE_BYTES`).
fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// [`STREAM_ABOVE`], or `TIFA_STREAM_ABOVE` when set, read once.
fn stream_above() -> u64 {
    static ABOVE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *ABOVE.get_or_init(|| env_or("TIFA_STREAM_ABOVE", STREAM_ABOVE))
}

/// The size of one piece of a streamed input.
pub fn piece_bytes() -> usize {
    env_or("TIFA_PIECE_BYTES", PIECE_BYTES).max(1)
}

/// A text opened to be read in pieces.
pub type Stream = crate::text::decode::StreamDecoder<Box<dyn Read + Send>>;

impl Input {
    /// Opens the input to be decoded piece by piece.
    ///
    /// # Errors
    ///
    /// The file cannot be opened or read.
    pub fn open_stream(&self, opts: &Options) -> Result<Loaded<Stream>, InputError> {
        let shown = self.shown(opts);
        let reader: Box<dyn Read + Send> = match self {
            Input::File { path, .. } => {
                Box::new(std::fs::File::open(path).map_err(|e| io_error(&shown, &e))?)
            }
            Input::Stdin => Box::new(std::io::stdin()),
        };
        let piece = piece_bytes();
        match crate::text::decode::StreamDecoder::sniff(reader, opts.encoding, opts.binary, piece) {
            Ok(crate::text::decode::Sniffed::Text(d)) => Ok(Loaded::Text(d)),
            Ok(crate::text::decode::Sniffed::Binary(utf16)) => {
                Ok(Loaded::Skipped(binary_skipped(utf16)))
            }
            Err(e) => Err(io_error(&shown, &e)),
        }
    }
}

/// Why a binary-looking file was skipped, and what reads it: the encoding
/// it looks like (UTF-16 without a BOM), or `--binary`.
fn binary_skipped(utf16: Option<Encoding>) -> String {
    match utf16 {
        Some(enc @ (Encoding::Utf16Le | Encoding::Utf16Be)) => format!(
            "binary file (NUL bytes) skipped; it looks like {enc} without a BOM: --encoding {} reads it",
            if enc == Encoding::Utf16Le {
                "utf-16le"
            } else {
                "utf-16be"
            }
        ),
        Some(_) | None => "binary file (NUL bytes) skipped; --binary reads it".into(),
    }
}

/// An I/O error as a short lowercase message.
pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_owned(),
        _ => e.to_string(),
    }
}

/// An I/O error about `path`.
pub fn io_error(path: &str, e: &std::io::Error) -> InputError {
    InputError {
        path: path.to_owned(),
        message: io_message(e),
        hint: None,
    }
}

/// The outcome of reading and processing one input.
#[derive(Debug)]
pub struct Processed<T> {
    /// The path as shown.
    pub path: String,
    /// A note on how it was read (replacement characters), to show the user.
    pub note: Option<String>,
    /// What processing gave, or why the input was skipped or failed.
    pub result: Result<Loaded<T>, InputError>,
}

/// What [`process`] and [`Input::read`] do with standard input and with
/// plain-text files larger than [`STREAM_ABOVE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Large {
    /// Read them whole, as every other input.
    Read,
    /// Leave them to the caller, to read in pieces
    /// ([`Input::open_stream`]): their results are [`Loaded::Streams`].
    /// The size of each file is taken by the worker that opens it, so the
    /// main thread makes no `stat` per file before the work starts.
    Leave,
    /// As [`Large::Leave`], but for Markdown, read whole: `check` finds its
    /// code blocks with a parser of the whole document.
    LeaveProse,
}

/// Reads, decodes and processes inputs on `threads` worker threads,
/// returning the results in input order whatever the thread timing.
pub fn process<T: Send>(
    inputs: &[Input],
    opts: &Options,
    threads: usize,
    large: Large,
    f: impl Fn(Source) -> T + Sync,
) -> Vec<Processed<T>> {
    use rayon::prelude::*;
    let one = |input: &Input| {
        let mut note = None;
        let result = input.read(opts, large).map(|r| match r {
            Loaded::Text(src) => {
                note.clone_from(&src.note);
                Loaded::Text(f(src))
            }
            Loaded::Skipped(why) => Loaded::Skipped(why),
            Loaded::Streams => Loaded::Streams,
        });
        Processed {
            path: input.shown(opts),
            note,
            result,
        }
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    match pool {
        Ok(pool) if threads != 1 && inputs.len() > 1 => {
            // One input per job: rayon otherwise cuts the list into a few
            // long runs up front, a run once started is not shared, and
            // the last one keeps one thread busy while the other waits
            // (the more so when a neighbour takes a core for a while).
            pool.install(|| inputs.par_iter().with_max_len(1).map(one).collect())
        }
        _ => inputs.iter().map(one).collect(),
    }
}
