//! Inputs as the user names them: files, folders (walked with `.gitignore`,
//! `.ignore` and `.tifaignore` respected, hidden files skipped), and `-` for
//! standard input. Reads and decodes; never matches.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::text::{Decoded, Source, decode};

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
pub enum Loaded {
    /// Decoded text.
    Text(Source),
    /// Skipped, with the reason (binary data found while walking a folder).
    Skipped(String),
}

/// Include and exclude globs from `tifa.toml`, matched against paths
/// relative to the folder of that file.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    base: PathBuf,
    include: Option<globset::GlobSet>,
    exclude: Option<globset::GlobSet>,
}

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
        }
    }

    /// True when `path` is to be read.
    pub fn allows(&self, path: &Path) -> bool {
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

/// Expands the paths given on the command line (none means stdin) into
/// inputs, in a stable order: arguments in order, folder contents sorted by
/// path.
pub fn collect(paths: &[String], filter: &Filter) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    if paths.is_empty() {
        inputs.push(Input::Stdin);
    }
    for arg in paths {
        if arg == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = Path::new(arg);
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, filter, &mut inputs, &mut errors),
            Ok(_) => {
                if filter.allows(path) {
                    inputs.push(Input::File {
                        path: path.to_path_buf(),
                        explicit: true,
                    });
                }
            }
            Err(e) => errors.push(io_error(arg, &e)),
        }
    }
    (inputs, errors)
}

fn walk(dir: &Path, filter: &Filter, inputs: &mut Vec<Input>, errors: &mut Vec<InputError>) {
    let walker = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .add_custom_ignore_filename(".tifaignore")
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for item in walker {
        match item {
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_file()) && filter.allows(entry.path()) {
                    inputs.push(Input::File {
                        path: entry.into_path(),
                        explicit: false,
                    });
                }
            }
            Err(e) => errors.push(InputError {
                path: dir.display().to_string(),
                message: e.to_string(),
                hint: None,
            }),
        }
    }
}

impl Input {
    /// The path as shown in output.
    pub fn shown(&self) -> String {
        match self {
            Input::File { path, .. } => path.display().to_string(),
            Input::Stdin => STDIN_NAME.to_owned(),
        }
    }

    /// Reads and decodes the input.
    ///
    /// # Errors
    ///
    /// An unreadable file, a binary file named on the command line, or bytes
    /// that no supported encoding decodes.
    pub fn read(&self) -> Result<Loaded, InputError> {
        let shown = self.shown();
        let bytes = match self {
            Input::File { path, .. } => std::fs::read(path).map_err(|e| io_error(&shown, &e))?,
            Input::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin()
                    .lock()
                    .read_to_end(&mut buf)
                    .map_err(|e| io_error(&shown, &e))?;
                buf
            }
        };
        match decode(bytes) {
            Decoded::Text(text, encoding) => Ok(Loaded::Text(Source {
                path: shown,
                text,
                encoding,
                file: match self {
                    Input::File { path, .. } => Some(path.clone()),
                    Input::Stdin => None,
                },
            })),
            Decoded::Binary => match self {
                Input::File {
                    explicit: false, ..
                } => Ok(Loaded::Skipped("binary file".into())),
                _ => Err(InputError {
                    path: shown,
                    message: "binary file (NUL bytes), not read".into(),
                    hint: Some("tifa reads text: UTF-8, UTF-16 with BOM or GB18030".into()),
                }),
            },
            Decoded::Undecodable => Err(InputError {
                path: shown,
                message: "not valid UTF-8, UTF-16 or GB18030 text".into(),
                hint: Some("convert the file to UTF-8".into()),
            }),
        }
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

fn io_error(path: &str, e: &std::io::Error) -> InputError {
    InputError {
        path: path.to_owned(),
        message: io_message(e),
        hint: None,
    }
}

/// Reads, decodes and processes inputs on `threads` worker threads,
/// returning the results in input order whatever the thread timing.
pub fn process<T: Send>(
    inputs: &[Input],
    threads: usize,
    f: impl Fn(Source) -> T + Sync,
) -> Vec<(String, Result<Option<T>, InputError>)> {
    use rayon::prelude::*;
    let one = |input: &Input| {
        let result = input.read().map(|r| match r {
            Loaded::Text(src) => Some(f(src)),
            Loaded::Skipped(_) => None,
        });
        (input.shown(), result)
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    match pool {
        Ok(pool) if threads != 1 && inputs.len() > 1 => {
            pool.install(|| inputs.par_iter().map(one).collect())
        }
        _ => inputs.iter().map(one).collect(),
    }
}
