//! Runs a parsed command: loads the lexicon, builds the scanner, reads the
//! inputs (in parallel) and hands values to the printers in `report`.

use std::io::{self, Write};

use std::path::{Path, PathBuf};

use super::write;
use super::{
    AnnotateFormat, CheckFormat, Cli, Command, CountFormat, ExportFormat, FailOn, LexiconCommand,
    LookupFormat, ScanFormat,
};
use crate::annotate::Annotation;
use crate::check::{self, Checker, Lang, Located, Severity};
use crate::config::Config;
use crate::count::{Joined, PieceTally, Tally};
use crate::format::Format;
use crate::input::Loaded;
use crate::input::{self, Input, InputError, Large};
use crate::lexicon::import::{self, Imported};
use crate::lexicon::{Lexicon, LexiconFile};
use crate::lookup;
use crate::lsp;
use crate::report::{csv, github, html, human, json, markdown, patterns, sarif, tbx};
use crate::scan::{self, Scanner, accepted, locate, outermost, per_entry};
use crate::setup::{self, ConfigSource};
use crate::text::encode::encode;
use crate::text::{Positions, Source};

/// How a run ended; the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done, no error.
    Success,
    /// 1: `check` found problems at or above `--fail-on`, `--diff` would
    /// change a file, `lookup` found nothing, lexicon tests failed, or
    /// `lsp` ended without `shutdown`.
    Findings,
    /// 2: an error (bad lexicon, unreadable input, usage).
    Error,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        std::process::ExitCode::from(s.code())
    }
}

impl ExitStatus {
    /// The numeric exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// What tifa knows about where its standard output goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Terminal {
    /// Standard output is a terminal.
    pub stdout: bool,
    /// Its width in columns, when known.
    pub width: Option<usize>,
}

/// What every command shares once arguments are resolved.
struct Ctx {
    lexicon: Lexicon,
    input: input::Options,
    threads: usize,
    config: Config,
    terminal: Terminal,
}

/// Runs `cli`, writing results to `out` and diagnostics to `err`, as if
/// standard output were not a terminal.
///
/// # Errors
///
/// Only when writing to `out` or `err` fails (a closed pipe, say); problems
/// with inputs, configs and lexicons are reported on `err` and give
/// [`ExitStatus::Error`].
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitStatus> {
    run_on(cli, Terminal::default(), out, err)
}

/// [`run`], knowing whether standard output is a `terminal` (which changes
/// the width of `count`'s bars and what `lookup` without a query does).
///
/// # Errors
///
/// As [`run`].
pub fn run_on(
    cli: Cli,
    terminal: Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    // Packaging commands need neither a config nor a lexicon.
    match &cli.command {
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Into a buffer first: clap_complete panics when its writer
            // fails (a closed pipe), and tifa never panics.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command, "tifa", &mut script);
            out.write_all(&script)?;
            return Ok(ExitStatus::Success);
        }
        Command::Man { command, dir } => {
            if let Some(dir) = dir {
                match super::man::write_all(dir) {
                    Ok(written) => {
                        writeln!(err, "wrote {} pages to {}", written.len(), dir.display())?;
                        return Ok(ExitStatus::Success);
                    }
                    Err(e) => {
                        human::error(
                            err,
                            &format!(
                                "cannot write to {}: {}",
                                dir.display(),
                                input::io_message(&e)
                            ),
                        )?;
                        return Ok(ExitStatus::Error);
                    }
                }
            }
            if super::man::print(command, out)? {
                return Ok(ExitStatus::Success);
            }
            human::error(err, &format!("no command `{}`", command.join(" ")))?;
            human::hint(err, "try `tifa man` for the list of commands")?;
            return Ok(ExitStatus::Error);
        }
        Command::Lsp { lang, .. } => {
            let options = lsp::Options {
                lexicon: cli.global.lexicon.clone(),
                default_lexicon: !cli.global.no_default_lexicon,
                config: ConfigSource::new(cli.global.config.as_deref(), cli.global.no_config),
                lang: (*lang).into(),
            };
            let clean = lsp::serve(options, io::stdin(), out)?;
            return Ok(if clean {
                ExitStatus::Success
            } else {
                ExitStatus::Findings
            });
        }
        _ => {}
    }
    let Some(config) = load_config(&cli, err)? else {
        return Ok(ExitStatus::Error);
    };
    let extra = match &cli.command {
        Command::Lexicon(LexiconCommand::Validate { paths }) => paths.clone(),
        _ => Vec::new(),
    };
    let imported = match &cli.command {
        Command::Lexicon(LexiconCommand::Import { path }) => match import_csv(path, err)? {
            Some(i) => Some(i),
            None => return Ok(ExitStatus::Error),
        },
        _ => None,
    };
    let import = match (&cli.command, &imported) {
        (Command::Lexicon(LexiconCommand::Import { path }), Some(i)) => {
            Some((path.display().to_string(), i))
        }
        _ => None,
    };
    let threads = cli.global.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    // tifa's own files are never inputs: the config, and every lexicon
    // file the run loads (`check --fix .` must not rewrite them).
    let own: Vec<&Path> = config
        .path
        .iter()
        .map(PathBuf::as_path)
        .chain(setup::lexicon_paths(&config, &cli.global.lexicon))
        .chain(extra.iter().map(PathBuf::as_path))
        .collect();
    let filter = config.filter().without_own(&own);
    let input_opts = input::Options {
        hidden: cli.global.hidden,
        follow: cli.global.follow,
        globs: cli.global.globs.clone(),
        encoding: cli.global.encoding,
        binary: cli.global.binary,
        stdin_filename: cli.global.stdin_filename.clone(),
    };
    let paths = input_paths(&cli.command);
    // With threads to spare, the inputs are found (a folder walked, on the
    // threads but this one) while this thread loads the lexicon and builds
    // the scanner.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (prepared, found) = std::thread::scope(|s| {
        let walk = paths.as_deref().filter(|_| threads > 1).map(|paths| {
            s.spawn(|| input::collect(paths, &filter, &input_opts, threads - 1, &stop))
        });
        let prepared = prepare(&cli, &config, &extra, import, err);
        if !matches!(prepared, Ok(Some(_))) {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let found = walk.map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        (prepared, found)
    });
    let Some((lexicon, scanner)) = prepared? else {
        return Ok(ExitStatus::Error);
    };
    let found = match (found, &paths) {
        (Some(found), _) => found,
        (None, Some(paths)) => input::collect(paths, &filter, &input_opts, threads, &stop),
        (None, None) => input::Found::default(),
    };
    let ctx = Ctx {
        input: input_opts,
        lexicon,
        threads,
        config,
        terminal,
    };
    let lexicon = &ctx.lexicon;
    if cli.global.files {
        let (inputs, failed) = inputs(found, err)?;
        for i in &inputs {
            writeln!(out, "{}", i.shown(&ctx.input))?;
        }
        return Ok(status(failed));
    }
    match (cli.command, scanner.as_ref()) {
        (Command::Scan { format, .. }, Some(s)) => scan_cmd(&ctx, s, found, format, out, err),
        (
            Command::Count {
                by_file, format, ..
            },
            Some(s),
        ) => count_cmd(&ctx, s, found, by_file, format, out, err),
        (
            Command::Check {
                format,
                fail_on,
                fix,
                diff,
                lang,
                allow,
                disable,
                ..
            },
            Some(s),
        ) => {
            let lang = Lang::from(lang);
            let mode = match (fix, diff) {
                (true, _) => FixMode::Write,
                (_, true) => FixMode::Diff,
                _ => FixMode::Report,
            };
            let fail_on = match fail_on {
                Some(FailOn::Info) => Some(Severity::Info),
                Some(FailOn::Warning) => Some(Severity::Warning),
                Some(FailOn::Error) => Some(Severity::Error),
                Some(FailOn::Never) => None,
                None => Some(ctx.config.fail_on.unwrap_or(Severity::Warning)),
            };
            let opts = CheckOptions {
                format,
                fail_on,
                mode,
                lang,
                allow: allow.clone(),
                disable: disable.clone(),
            };
            check_cmd(&ctx, s, found, &opts, out, err)
        }
        (Command::Annotate { format, .. }, Some(s)) => {
            annotate_cmd(&ctx, s, found, format, out, err)
        }
        (Command::Report { output, .. }, Some(s)) => {
            report_cmd(&ctx, s, found, output.as_deref(), out, err)
        }
        (Command::Lexicon(LexiconCommand::Test), Some(s)) => lexicon_test(lexicon, s, out, err),
        (
            Command::Lookup {
                query,
                category,
                all,
                in_definitions,
                format,
            },
            _,
        ) => {
            let request = LookupRequest {
                query: query.as_deref(),
                category: category.as_deref(),
                all,
                in_definitions,
                format,
            };
            lookup_cmd(&ctx, &request, out, err)
        }
        (Command::Lexicon(LexiconCommand::Validate { .. }), _) => {
            writeln!(out, "lexicon ok: {} entries", lexicon.len())?;
            Ok(ExitStatus::Success)
        }
        (Command::Lexicon(LexiconCommand::Export { format }), _) => {
            match format {
                ExportFormat::Json => json::export(out, lexicon)?,
                ExportFormat::Markdown => markdown::glossary(out, lexicon)?,
                ExportFormat::Csv => csv::export(out, lexicon)?,
                ExportFormat::Tbx => tbx::export(out, lexicon)?,
                ExportFormat::Patterns => patterns::export(out, lexicon)?,
            }
            Ok(ExitStatus::Success)
        }
        (Command::Lexicon(LexiconCommand::Import { .. }), _) => match &imported {
            Some(i) => {
                out.write_all(i.toml.as_bytes())?;
                Ok(ExitStatus::Success)
            }
            None => Ok(ExitStatus::Error),
        },
        // Every command that needs the scanner got one above.
        (_, None)
        | (Command::Completions { .. } | Command::Man { .. } | Command::Lsp { .. }, _) => {
            Ok(ExitStatus::Error)
        }
    }
}

/// Reads `--config`, or the nearest `tifa.toml` above the working
/// directory, unless `--no-config`; prints every problem.
fn load_config(cli: &Cli, err: &mut dyn Write) -> io::Result<Option<Config>> {
    let source = ConfigSource::new(cli.global.config.as_deref(), cli.global.no_config);
    let cwd = std::env::current_dir().ok();
    let path = match (&source, &cwd) {
        (ConfigSource::Discover, Some(d)) => source
            .path(d)
            // Shown relative to the working directory when below it.
            .map(|p| p.strip_prefix(d).map(Path::to_path_buf).unwrap_or(p)),
        (ConfigSource::Discover, None) => None,
        _ => source.path(Path::new(".")),
    };
    let Some(path) = path else {
        return Ok(Some(Config::default()));
    };
    let (config, diags) = Config::load_lenient(&path);
    if diags.is_empty() {
        return Ok(Some(config));
    }
    for d in &diags {
        human::diagnostic(err, d)?;
    }
    // Looking a term up needs no check settings: a broken config is
    // reported and what is valid of it (its lexicon) is used.
    if matches!(cli.command, Command::Lookup { .. }) {
        human::note(
            err,
            &path.display().to_string(),
            "not valid; looking up with what is valid in it",
        )?;
        return Ok(Some(config));
    }
    human::error(err, &format!("{} is not valid", path.display()))?;
    Ok(None)
}

/// Loads the lexicon and, for the commands that match text, builds the
/// scanner; prints every problem and gives `None` after one.
fn prepare(
    cli: &Cli,
    config: &Config,
    extra: &[PathBuf],
    import: Option<(String, &Imported)>,
    err: &mut dyn Write,
) -> io::Result<Option<(Lexicon, Option<Scanner>)>> {
    let Some(mut lexicon) = load_lexicon(cli, config, extra, import, err)? else {
        return Ok(None);
    };
    // An entry's examples test it whatever its scope, in its context.
    if matches!(cli.command, Command::Lexicon(LexiconCommand::Test)) {
        lexicon = lexicon.with_general();
    }
    let needs_scanner = !matches!(
        cli.command,
        Command::Lookup { .. }
            | Command::Lexicon(
                LexiconCommand::Validate { .. }
                    | LexiconCommand::Export { .. }
                    | LexiconCommand::Import { .. }
            )
    );
    if !needs_scanner {
        return Ok(Some((lexicon, None)));
    }
    // `scan` and `count` look at accepted forms only.
    let accepted_only = matches!(cli.command, Command::Scan { .. } | Command::Count { .. });
    let built = if accepted_only {
        Scanner::accepted_only(&lexicon)
    } else {
        Scanner::new(&lexicon)
    };
    match built {
        Ok(scanner) => Ok(Some((lexicon, Some(scanner)))),
        Err(e) => {
            human::error(err, &e.to_string())?;
            Ok(None)
        }
    }
}

/// Loads the embedded lexicon (unless turned off), the config's lexicon
/// paths, each `--lexicon` path and each of `extra` as a layer of its own;
/// prints every problem.
fn load_lexicon(
    cli: &Cli,
    config: &Config,
    extra: &[PathBuf],
    import: Option<(String, &Imported)>,
    err: &mut dyn Write,
) -> io::Result<Option<Lexicon>> {
    let paths = setup::lexicon_paths(config, &cli.global.lexicon);
    let (mut layers, mut diags) =
        setup::read_layers(paths.into_iter().chain(extra.iter().map(PathBuf::as_path)));
    if let Some((path, imported)) = &import {
        layers.push(vec![LexiconFile {
            path: path.clone(),
            text: imported.toml.clone(),
        }]);
    }
    // The files that could be read are loaded even when others could not,
    // so that their problems are reported too.
    let load = if matches!(
        cli.command,
        Command::Lexicon(LexiconCommand::Validate { .. })
    ) {
        setup::validate_lexicon
    } else {
        setup::load_lexicon
    };
    match load(!cli.global.no_default_lexicon, layers) {
        Ok(lexicon) if diags.is_empty() && cli.global.all_terms => {
            return Ok(Some(lexicon.with_all_terms()));
        }
        Ok(lexicon) if diags.is_empty() => return Ok(Some(lexicon)),
        Ok(_) => {}
        Err(d) => diags.extend(d),
    }
    for d in &diags {
        // Problems in imported entries point at their spreadsheet row.
        match &import {
            Some((path, imported)) => {
                let mut d = d.clone();
                d.message = rows_in_message(&d.message, path, imported);
                if d.location.path == *path {
                    let row = imported.row_at_line(d.location.line).unwrap_or(1);
                    human::row_error(err, path, row, &d.message, d.hint.as_deref())?;
                } else {
                    human::diagnostic(err, &d)?;
                }
            }
            None => human::diagnostic(err, d)?,
        }
    }
    human::error(
        err,
        &format!(
            "the lexicon has {} problem{}",
            diags.len(),
            if diags.len() == 1 { "" } else { "s" }
        ),
    )?;
    Ok(None)
}

/// Rewrites `path:LINE:COLUMN` (a place in the TOML made from a
/// spreadsheet) inside a message as `path:ROW`.
fn rows_in_message(message: &str, path: &str, imported: &Imported) -> String {
    let needle = format!("{path}:");
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + needle.len()..];
        let line: String = after.chars().take_while(char::is_ascii_digit).collect();
        let tail = &after[line.len()..];
        let column = tail
            .strip_prefix(':')
            .map(|t| t.chars().take_while(char::is_ascii_digit).count())
            .filter(|&n| n > 0);
        match (
            line.parse().ok().and_then(|l| imported.row_at_line(l)),
            column,
        ) {
            (Some(row), Some(n)) => {
                out.push_str(&rest[..at]);
                out.push_str(&format!("{path}:{row}"));
                rest = &tail[1 + n..];
            }
            _ => {
                out.push_str(&rest[..at + needle.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads a CSV file of terms and makes lexicon TOML of it; reports every
/// bad row and gives `None` when there is one.
fn import_csv(path: &Path, err: &mut dyn Write) -> io::Result<Option<Imported>> {
    let shown = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            human::input_error(
                err,
                &InputError {
                    path: shown,
                    message: input::io_message(&e),
                    hint: None,
                },
            )?;
            return Ok(None);
        }
    };
    match import::from_csv(bytes, &shown) {
        Ok(i) => Ok(Some(i)),
        Err(rows) => {
            for r in &rows {
                human::row_error(err, &shown, r.row, &r.message, None)?;
            }
            human::error(
                err,
                &format!(
                    "{shown} has {} problem{}; nothing was written",
                    rows.len(),
                    if rows.len() == 1 { "" } else { "s" }
                ),
            )?;
            Ok(None)
        }
    }
}

/// The paths a command reads, when it reads inputs (none given means
/// standard input).
fn input_paths(command: &Command) -> Option<Vec<String>> {
    use std::io::IsTerminal as _;
    match command {
        // Nothing to read on a terminal: the current folder, as ripgrep and
        // typos do, instead of waiting for typed text.
        Command::Scan { paths, .. }
        | Command::Count { paths, .. }
        | Command::Check { paths, .. }
            if paths.is_empty() && std::io::stdin().is_terminal() =>
        {
            Some(vec![".".to_owned()])
        }
        Command::Scan { paths, .. }
        | Command::Count { paths, .. }
        | Command::Check { paths, .. }
        | Command::Report { paths, .. } => Some(paths.clone()),
        Command::Annotate { path, .. } => Some(path.iter().cloned().collect()),
        _ => None,
    }
}

/// Reports the paths that could not be expanded; returns the inputs and
/// whether anything failed.
fn inputs(found: input::Found, err: &mut dyn Write) -> io::Result<(Vec<Input>, bool)> {
    for e in &found.errors {
        human::input_error(err, e)?;
    }
    Ok((found.inputs, !found.errors.is_empty()))
}

/// Reports a processed input's note, skip reason or error; returns its
/// value when there is one.
fn take<T>(
    p: input::Processed<T>,
    err: &mut dyn Write,
    failed: &mut bool,
) -> io::Result<Option<(String, T)>> {
    if let Some(note) = &p.note {
        human::note(err, &p.path, note)?;
    }
    match p.result {
        Ok(Loaded::Text(value)) => Ok(Some((p.path, value))),
        Ok(Loaded::Skipped(why)) => {
            human::note(err, &p.path, &why)?;
            Ok(None)
        }
        // Left by `process` for the caller to read in pieces.
        Ok(Loaded::Streams) => Ok(None),
        Err(e) => {
            report_failure(err, &e, failed)?;
            Ok(None)
        }
    }
}

fn report_failure(err: &mut dyn Write, e: &InputError, failed: &mut bool) -> io::Result<()> {
    *failed = true;
    human::input_error(err, e)
}

fn status(failed: bool) -> ExitStatus {
    if failed {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    }
}

fn scan_cmd(
    ctx: &Ctx,
    scanner: &Scanner,
    found: input::Found,
    format: ScanFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let lexicon = &ctx.lexicon;
    let (inputs, mut failed) = inputs(found, err)?;
    let lines = human::ScanLines::new(lexicon);
    let mut printed = ScanOut::begin(format, lexicon, &lines, out)?;
    let results = input::process(&inputs, &ctx.input, ctx.threads, Large::Leave, |src| {
        let hits = scanner.hits(&src.text);
        locate(&src.text, &Positions::of(&src), &outermost(&hits, accepted))
    });
    for (input, p) in inputs.iter().zip(results) {
        let job = Streamed {
            ctx,
            scanner,
            input,
            positions: true,
        };
        if matches!(p.result, Ok(Loaded::Streams)) {
            let mut resolver = scan::Resolver::default();
            // The pieces' output buffers, written and given back: fresh
            // memory for each would be faulted in anew.
            let spare = std::sync::Mutex::new(Vec::new());
            let spare_buffer = || {
                spare
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .pop()
                    .unwrap_or_default()
            };
            stream_pieces(
                job,
                err,
                &mut failed,
                |piece| {
                    let buffer = spare_buffer();
                    Rendered::of(piece, scanner, format, lexicon, &lines, &p.path, buffer)
                },
                |rendered| {
                    let Rendered {
                        split,
                        tail,
                        mut bytes,
                    } = rendered?;
                    let mut written = Ok(());
                    resolver.join(split, |_, step, range| {
                        if step.outer && written.is_ok() {
                            written = printed.put(out, &bytes[range]);
                        }
                    });
                    written?;
                    tail.into_iter()
                        .try_for_each(|range| printed.put(out, &bytes[range]))?;
                    bytes.clear();
                    spare
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push(bytes);
                    Ok(())
                },
            )?;
        } else if let Some((path, matches)) = take(p, err, &mut failed)? {
            printed.matches(out, &path, &mut matches.into_iter())?;
        }
    }
    printed.end(out)?;
    Ok(status(failed))
}

/// `scan`'s output: each match rendered in the format asked for, then
/// written (in a JSON document, with the commas between matches).
struct ScanOut<'a> {
    format: ScanFormat,
    lexicon: &'a Lexicon,
    lines: &'a human::ScanLines<'a>,
    document: Option<json::MatchesWriter>,
    /// One match rendered, reused from match to match.
    buffer: Vec<u8>,
    scratch: Vec<u8>,
}

impl<'a> ScanOut<'a> {
    fn begin(
        format: ScanFormat,
        lexicon: &'a Lexicon,
        lines: &'a human::ScanLines<'a>,
        out: &mut dyn Write,
    ) -> io::Result<Self> {
        Ok(ScanOut {
            format,
            lexicon,
            lines,
            document: match format {
                ScanFormat::Json => Some(json::MatchesWriter::begin(out)?),
                ScanFormat::Human | ScanFormat::Ndjson => None,
            },
            buffer: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// Writes the matches of `path`.
    fn matches(
        &mut self,
        out: &mut dyn Write,
        path: &str,
        matches: &mut dyn Iterator<Item = scan::Match>,
    ) -> io::Result<()> {
        let mut buffer = std::mem::take(&mut self.buffer);
        let mut written = Ok(());
        for m in matches {
            buffer.clear();
            written = render_match(
                self.format,
                self.lexicon,
                self.lines,
                &mut self.scratch,
                &mut buffer,
                path,
                &m,
            )
            .and_then(|()| self.put(out, &buffer));
            if written.is_err() {
                break;
            }
        }
        self.buffer = buffer;
        written
    }

    /// Writes one match as [`render_match`] made it.
    fn put(&mut self, out: &mut dyn Write, rendered: &[u8]) -> io::Result<()> {
        match &mut self.document {
            Some(document) => document.push_rendered(out, rendered),
            None => out.write_all(rendered),
        }
    }

    /// Ends the output.
    fn end(self, out: &mut dyn Write) -> io::Result<()> {
        match self.document {
            Some(document) => document.end(out),
            None => Ok(()),
        }
    }
}

/// Appends the output of one match in `format` to `to` (on any thread);
/// `scratch` is a buffer to reuse.
fn render_match(
    format: ScanFormat,
    lexicon: &Lexicon,
    lines: &human::ScanLines<'_>,
    scratch: &mut Vec<u8>,
    to: &mut Vec<u8>,
    path: &str,
    m: &scan::Match,
) -> io::Result<()> {
    match format {
        ScanFormat::Human => lines.line(to, path, m),
        ScanFormat::Ndjson => json::match_line(to, &json::MatchJson::new(path, m, lexicon)),
        ScanFormat::Json => {
            json::MatchesWriter::render(to, scratch, &json::MatchJson::new(path, m, lexicon))
        }
    }
}

/// The output of the matches of one piece of a streamed scan, rendered on
/// a worker thread; which of the head's hits are outermost spans is known
/// when the piece is joined.
struct Rendered {
    /// The head's hits, with where each one's output lies in `bytes`.
    split: scan::Split<std::ops::Range<usize>>,
    /// Where the outermost spans of the rest lie in `bytes`, in order.
    tail: Vec<std::ops::Range<usize>>,
    bytes: Vec<u8>,
}

impl Rendered {
    /// Renders the matches of `piece` that may be outermost spans into
    /// `bytes` (an empty buffer).
    fn of(
        piece: &scan::stream::Piece<'_>,
        scanner: &Scanner,
        format: ScanFormat,
        lexicon: &Lexicon,
        lines: &human::ScanLines<'_>,
        path: &str,
        bytes: Vec<u8>,
    ) -> io::Result<Rendered> {
        let mut r = Rendered {
            split: scan::Split::new(piece.settled),
            tail: Vec::new(),
            bytes,
        };
        let mut scratch = Vec::new();
        let mut written = Ok(());
        piece.for_each_hit(scanner, |h| {
            let step = r.split.step(&h);
            if step.is_some_and(|s| !s.outer) || written.is_err() {
                return;
            }
            let from = r.bytes.len();
            written = render_match(
                format,
                lexicon,
                lines,
                &mut scratch,
                &mut r.bytes,
                path,
                &piece.to_match(&h),
            );
            let range = from..r.bytes.len();
            match step {
                Some(_) => r.tail.push(range),
                None => r.split.head.push((h, range)),
            }
        });
        written.map(|()| r)
    }
}

/// What a streamed scan does with each piece.
type OnPiece<'a> = dyn FnMut(&scan::stream::Window<'_>) -> io::Result<()> + 'a;

/// One input to scan in pieces, and how.
#[derive(Clone, Copy)]
struct Streamed<'a> {
    ctx: &'a Ctx,
    scanner: &'a Scanner,
    input: &'a Input,
    /// Keep lines and columns (off for counting).
    positions: bool,
}

/// Scans one input in pieces, calling `on` with each piece; reports notes
/// and errors.
fn stream_input(
    job: Streamed<'_>,
    err: &mut dyn Write,
    failed: &mut bool,
    on: &mut OnPiece<'_>,
) -> io::Result<()> {
    let Streamed {
        ctx,
        scanner,
        input,
        positions,
    } = job;
    let path = input.shown(&ctx.input);
    let mut decoder = match input.open_stream(&ctx.input) {
        Ok(Loaded::Text(d)) => d,
        Ok(Loaded::Skipped(why)) => return human::note(err, &path, &why),
        Ok(Loaded::Streams) => return Ok(()),
        Err(e) => return report_failure(err, &e, failed),
    };
    let mut streamer = scan::stream::Streamer::new(scanner, input::piece_bytes());
    if !positions {
        streamer = streamer.without_positions();
    }
    loop {
        let mut more = Ok(true);
        streamer.push_with(|buffer| more = decoder.next_piece_into(buffer), on)?;
        match more {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // What was read so far is reported; the error ends this input.
                streamer.finish(on)?;
                return report_failure(err, &input::io_error(&path, &e), failed);
            }
        }
    }
    streamer.finish(on)?;
    if decoder.replaced() {
        human::note(err, &path, &input::replaced_note(decoder.encoding()))?;
    }
    Ok(())
}

/// Counts one input read in pieces ([`stream_pieces`]).
fn count_stream(
    ctx: &Ctx,
    scanner: &Scanner,
    input: &Input,
    err: &mut dyn Write,
    failed: &mut bool,
) -> io::Result<Tally> {
    let job = Streamed {
        ctx,
        scanner,
        input,
        positions: false,
    };
    let mut joined = Joined::default();
    stream_pieces(
        job,
        err,
        failed,
        |piece| {
            let mut t = PieceTally::new(piece.settled);
            piece.for_each_hit(scanner, |h| t.add(&h));
            t
        },
        |t| {
            joined.join(t);
            Ok(())
        },
    )?;
    Ok(joined.tally)
}

/// [`stream_input`] with the pieces worked on all threads: `work` makes a
/// result of each piece and `join` gets the results in the order of the
/// pieces. This thread reads and decodes, and hands each piece to one of
/// `ctx.threads - 1` worker threads; when [`QUEUED`] pieces per worker
/// already wait (always, with no worker), it works on the piece itself,
/// which is still in its cache. So no more threads than `ctx.threads` are
/// busy, and memory stays bounded.
fn stream_pieces<T: Send>(
    job: Streamed<'_>,
    err: &mut dyn Write,
    failed: &mut bool,
    work: impl Fn(&scan::stream::Piece<'_>) -> T + Sync,
    mut join: impl FnMut(T) -> io::Result<()>,
) -> io::Result<()> {
    use std::sync::{Arc, Mutex, PoisonError, mpsc};
    let workers = job.ctx.threads.saturating_sub(1);
    let queued = workers * QUEUED;
    std::thread::scope(|scope| {
        let (to_workers, pieces) =
            mpsc::sync_channel::<(usize, scan::stream::Piece<'static>)>(queued);
        // Held by the workers only: should they all stop, sending fails
        // instead of waiting for ever.
        let pieces = Arc::new(Mutex::new(pieces));
        // Results come back with the piece's buffer, for the next piece.
        let (to_join, done) = mpsc::channel::<(usize, T, String)>();
        for _ in 0..workers {
            let (pieces, to_join, work) = (Arc::clone(&pieces), to_join.clone(), &work);
            scope.spawn(move || {
                loop {
                    let next = pieces.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok((i, piece)) = next else { break };
                    let t = work(&piece);
                    if to_join.send((i, t, piece.into_buffer())).is_err() {
                        break;
                    }
                }
            });
        }
        drop((pieces, to_join));
        let mut order = InOrder::default();
        let mut buffers = Vec::new();
        let (mut next, mut settled, mut away) = (0, 0, 0);
        let read = stream_input(job, err, failed, &mut |window| {
            for (i, t, buffer) in done.try_iter() {
                away -= 1;
                buffers.push(buffer);
                order.put(i, t, &mut join)?;
            }
            if away < queued {
                let piece = window.to_piece(settled, buffers.pop().unwrap_or_default());
                match to_workers.try_send((next, piece)) {
                    Ok(()) => away += 1,
                    // Not full while fewer than `queued` are away; with no
                    // worker left (one panicked), worked on here.
                    Err(
                        mpsc::TrySendError::Full((i, piece))
                        | mpsc::TrySendError::Disconnected((i, piece)),
                    ) => {
                        order.put(i, work(&piece), &mut join)?;
                        buffers.push(piece.into_buffer());
                    }
                }
            } else {
                order.put(next, work(&window.as_piece(settled)), &mut join)?;
            }
            next += 1;
            settled = window.end();
            Ok(())
        });
        drop(to_workers);
        // After a failed write, the workers' results are dropped.
        let mut joined = Ok(());
        for (i, t, _) in done {
            if joined.is_ok() && read.is_ok() {
                joined = order.put(i, t, &mut join);
            }
        }
        read.and(joined)
    })
}

/// Pieces per worker thread that may wait for it in [`stream_pieces`].
const QUEUED: usize = 4;

/// Results that come in any order, handed on in the order of their
/// numbers.
struct InOrder<T> {
    next: usize,
    waiting: std::collections::BTreeMap<usize, T>,
}

impl<T> Default for InOrder<T> {
    fn default() -> Self {
        InOrder {
            next: 0,
            waiting: std::collections::BTreeMap::new(),
        }
    }
}

impl<T> InOrder<T> {
    /// Takes result `i`; hands on every result now due.
    fn put(&mut self, i: usize, t: T, on: &mut impl FnMut(T) -> io::Result<()>) -> io::Result<()> {
        self.waiting.insert(i, t);
        while let Some(t) = self.waiting.remove(&self.next) {
            self.next += 1;
            on(t)?;
        }
        Ok(())
    }
}

fn count_cmd(
    ctx: &Ctx,
    scanner: &Scanner,
    found: input::Found,
    by_file: bool,
    format: CountFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let lexicon = &ctx.lexicon;
    let (inputs, mut failed) = inputs(found, err)?;
    let mut total = Tally::default();
    let mut files = Vec::new();
    // Without --by-file, each worker thread counts into a tally of its own
    // (one per thread: a tally shared by all would move between the
    // processors' caches at every file), and the file's own is not kept.
    let shards: Vec<std::sync::Mutex<Tally>> = (0..ctx.threads.max(1))
        .map(|_| std::sync::Mutex::default())
        .collect();
    let results = input::process(&inputs, &ctx.input, ctx.threads, Large::Leave, |src| {
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
        if matches!(p.result, Ok(Loaded::Streams)) {
            let t = count_stream(ctx, scanner, input, err, &mut failed)?;
            total.merge(&t);
            files.push((p.path, t));
        } else if let Some((path, t)) = take(p, err, &mut failed)? {
            total.merge(&t);
            files.push((path, t));
        }
    }
    for shard in shards {
        total.merge(
            &shard
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
    }
    let by_file = by_file.then_some(files.as_slice());
    let bar_width = if ctx.terminal.stdout {
        ctx.terminal.width
    } else {
        None
    };
    match format {
        CountFormat::Json => json::count(out, lexicon, &total, by_file)?,
        CountFormat::Csv => csv::count(out, lexicon, &total, by_file)?,
        CountFormat::Human => {
            for (path, t) in by_file.unwrap_or_default() {
                human::file_heading(out, path)?;
                human::count_table(out, lexicon, t, bar_width)?;
                writeln!(out)?;
            }
            if by_file.is_some() {
                human::file_heading(out, "all files")?;
            }
            human::count_table(out, lexicon, &total, bar_width)?;
        }
    }
    Ok(status(failed))
}

/// What `check` does with its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FixMode {
    /// Report them.
    Report,
    /// Apply the fixable ones and report the rest.
    Write,
    /// Print the changes as a diff.
    Diff,
}

struct CheckOptions {
    format: CheckFormat,
    fail_on: Option<Severity>,
    mode: FixMode,
    lang: Lang,
    /// `--allow`: forms not reported in this run, besides tifa.toml's.
    allow: Vec<String>,
    /// `--disable`: rules off in this run.
    disable: Vec<check::Rule>,
}

/// What checking one file gave.
struct Checked {
    /// The findings to report (after fixing, those that remain).
    items: Vec<Located>,
    /// Replacements applied (or that would be, with `--diff`).
    fixed: usize,
    /// The unified diff, with `--diff`, when the file would change.
    diff: Option<String>,
    /// The fixed text of standard input, with `--fix`.
    stdout: Option<String>,
    /// A failure to write the file back.
    write_error: Option<InputError>,
    /// Something to tell the user about this file.
    note: Option<String>,
}

fn check_cmd(
    ctx: &Ctx,
    scanner: &Scanner,
    found: input::Found,
    opts: &CheckOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let lexicon = &ctx.lexicon;
    let mut settings = ctx.config.settings();
    settings.allow.extend(opts.allow.iter().cloned());
    for rule in &opts.disable {
        settings.severities.insert(*rule, None);
    }
    let checker = match Checker::new(lexicon, scanner, settings.clone()) {
        Ok(c) => c,
        Err(e) => {
            human::error(err, &e.to_string())?;
            return Ok(ExitStatus::Error);
        }
    };
    let (inputs, mut failed) = inputs(found, err)?;
    if opts.mode == FixMode::Write {
        // What an earlier run killed by SIGKILL left (#18).
        let dirs: std::collections::BTreeSet<PathBuf> = inputs
            .iter()
            .filter_map(|i| match i {
                Input::File { path, .. } => std::fs::canonicalize(path).ok(),
                Input::Stdin => None,
            })
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .collect();
        for dir in &dirs {
            write::sweep(dir);
        }
    }
    let results = input::process(&inputs, &ctx.input, ctx.threads, Large::Read, |src| {
        check_one(&checker, lexicon, src, opts)
    });
    let mut files: Vec<(String, Vec<Located>)> = Vec::new();
    let mut fixed = 0;
    let mut changed = 0;
    let mut checked = 0;
    for p in results {
        let Some((path, c)) = take(p, err, &mut failed)? else {
            continue;
        };
        if let Some(note) = &c.note {
            human::note(err, &path, note)?;
        }
        checked += 1;
        if let Some(e) = &c.write_error {
            report_failure(err, e, &mut failed)?;
        }
        fixed += c.fixed;
        if let Some(text) = &c.stdout {
            out.write_all(text.as_bytes())?;
        }
        if let Some(diff) = &c.diff {
            changed += 1;
            out.write_all(diff.as_bytes())?;
        }
        if opts.mode == FixMode::Diff {
            continue;
        }
        match opts.format {
            CheckFormat::Human if c.stdout.is_none() => {
                for item in &c.items {
                    human::finding(out, &path, item, opts.lang)?;
                }
            }
            CheckFormat::Human => {
                // The fixed text went to stdout; findings go to stderr.
                for item in &c.items {
                    human::finding(err, &path, item, opts.lang)?;
                }
            }
            CheckFormat::Github => {
                for item in &c.items {
                    github::finding(out, &path, item)?;
                }
            }
            CheckFormat::Json | CheckFormat::Sarif => {}
        }
        files.push((path, c.items));
    }
    let all: Vec<&Located> = files.iter().flat_map(|(_, items)| items).collect();
    match opts.format {
        _ if opts.mode == FixMode::Diff => {}
        CheckFormat::Json => json::findings(out, &files)?,
        CheckFormat::Sarif => sarif::log(out, &files, |r| settings.severity(r), opts.lang)?,
        CheckFormat::Human => {
            let summary: &mut dyn Write =
                if inputs.contains(&Input::Stdin) && opts.mode == FixMode::Write {
                    &mut *err
                } else {
                    &mut *out
                };
            let fixed = (opts.mode == FixMode::Write).then_some(fixed);
            human::check_summary(summary, &all, checked, failed, fixed, opts.lang)?;
        }
        CheckFormat::Github => {}
    }
    if failed {
        return Ok(ExitStatus::Error);
    }
    let failing = match opts.mode {
        FixMode::Diff => changed > 0,
        _ => opts
            .fail_on
            .is_some_and(|t| all.iter().any(|i| i.finding.severity >= t)),
    };
    Ok(if failing {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}

/// Checks one document; with `--fix` writes the file back (or keeps the
/// fixed text of standard input), with `--diff` makes the diff.
///
/// HTML is fixed in its source, and only where the finding's span has no
/// markup or entity inside; Word documents are not written.
fn check_one(
    checker: &Checker<'_>,
    lexicon: &Lexicon,
    src: Source,
    opts: &CheckOptions,
) -> Checked {
    let findings = checker.check_document(&src.path, &src.text);
    let positions = Positions::of(&src);
    let located = |findings: &[check::Finding]| {
        check::locate(&src.text, &positions, findings, lexicon, opts.lang)
    };
    let mut checked = Checked {
        items: Vec::new(),
        fixed: 0,
        diff: None,
        stdout: None,
        write_error: None,
        note: None,
    };
    // What `--fix` would change for this file: nothing in a Word document
    // or in a text read with replacement characters, in HTML only spans
    // with no markup inside (the summary's "fixable" must be true).
    let mut findings = findings;
    for f in &mut findings {
        f.fixable = f.fixable && check::fix::can_apply(&src, &positions, f);
    }
    if opts.mode == FixMode::Report {
        checked.items = located(&findings);
        return checked;
    }
    if src.format == Format::Docx {
        checked.note =
            Some("Word documents are not changed by --fix or --diff; fix them in Word".into());
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
    let (content, fixes) = check::fix::in_source(&src, &positions, &findings);
    let (fixed_content, n, after, remaining) = fix_to_the_end(checker, &src, content, fixes);
    checked.fixed = n;
    if opts.mode == FixMode::Diff {
        if n > 0 {
            let diff = similar::TextDiff::from_lines(content, &fixed_content);
            checked.diff = Some(
                diff.unified_diff()
                    .header(&format!("a/{}", src.path), &format!("b/{}", src.path))
                    .to_string(),
            );
        }
        checked.items = located(&findings);
        return checked;
    }
    if let (Some(file), true) = (&src.file, n > 0) {
        let bytes = encode(&fixed_content, src.encoding);
        if let Err(e) = write::write_fixed(file, &bytes) {
            let (message, hint) = match e {
                write::WriteError::ReadOnly(mode) => (
                    format!("not fixed: the file is read-only (mode {mode:o})"),
                    "--fix does not write a file without write permission, even as root; \
                     make it writable (chmod u+w) to fix it, or see the changes with --diff"
                        .to_owned(),
                ),
                write::WriteError::NotWritable(mode) => (
                    format!("not fixed: you have no write permission for the file (mode {mode:o})"),
                    "ask its owner, or see the changes with --diff".to_owned(),
                ),
                write::WriteError::Io(e) => (
                    format!("cannot write the fixed file: {}", input::io_message(&e)),
                    "the file is unchanged".to_owned(),
                ),
            };
            checked.write_error = Some(InputError {
                path: src.path.clone(),
                message,
                hint: Some(hint),
            });
            checked.items = located(&findings);
            checked.fixed = 0;
            return checked;
        }
    }
    // What is left, in the fixed document.
    checked.items = check::locate(
        &after.text,
        &Positions::of(&after),
        &remaining,
        lexicon,
        opts.lang,
    );
    if src.file.is_none() {
        checked.stdout = Some(fixed_content);
    }
    checked
}

/// The most rounds of fixing one document: a fix can make a new finding
/// (县市主战、派出所主防、全警主练: the order first, then 主练), so one
/// `--fix` fixes the fixed text again until nothing fixable is left.
const FIX_ROUNDS: usize = 8;

/// Applies `fixes` to `content` (the document's source), then checks and
/// fixes the result again, up to [`FIX_ROUNDS`] times, stopping before a
/// text seen already (never oscillating). Returns the fixed source, the
/// replacements made, the fixed document and its findings. See: #18.
fn fix_to_the_end(
    checker: &Checker<'_>,
    src: &Source,
    content: &str,
    mut fixes: Vec<check::Finding>,
) -> (String, usize, Source, Vec<check::Finding>) {
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
        let mut found = checker.check_document(&doc.path, &doc.text);
        let positions = Positions::of(&doc);
        for f in &mut found {
            f.fixable = f.fixable && check::fix::can_apply(&doc, &positions, f);
        }
        fixes = check::fix::in_source(&doc, &positions, &found).1;
        after = Some((doc, found));
    }
    let (doc, found) = after.unwrap_or_else(|| {
        let doc = document(&text);
        let found = checker.check_document(&doc.path, &doc.text);
        (doc, found)
    });
    (text, total, doc, found)
}

/// The arguments of `lookup`.
struct LookupRequest<'a> {
    query: Option<&'a str>,
    category: Option<&'a str>,
    all: bool,
    in_definitions: bool,
    format: LookupFormat,
}

fn lookup_cmd(
    ctx: &Ctx,
    request: &LookupRequest<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let lexicon = &ctx.lexicon;
    if let Some(c) = request.category
        && !lookup::categories(lexicon)
            .iter()
            .any(|(name, _)| *name == c)
    {
        let names: Vec<&str> = lookup::categories(lexicon)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        human::error(err, &format!("no category “{c}” in the lexicon"))?;
        human::hint(err, &format!("the categories are {}", names.join("、")))?;
        return Ok(ExitStatus::Error);
    }
    let query = request.query.filter(|q| !q.trim().is_empty());
    let Some(query) = query else {
        if request.all || request.category.is_some() {
            let found = lookup::list(lexicon, request.category);
            match request.format {
                LookupFormat::Json => json::lookup(out, lexicon, None, &found)?,
                LookupFormat::Human => human::glossary(out, lexicon, &found)?,
            }
            return Ok(ExitStatus::Success);
        }
        if ctx.terminal.stdout && request.format == LookupFormat::Human {
            human::categories(out, &lookup::categories(lexicon))?;
            return Ok(ExitStatus::Success);
        }
        human::error(err, "lookup needs a QUERY, --all or --category NAME")?;
        human::hint(
            err,
            "on a terminal, `tifa lookup` alone lists the categories; try `tifa lookup 两队一室`",
        )?;
        return Ok(ExitStatus::Error);
    };
    let options = lookup::Options {
        category: request.category,
        in_definitions: request.in_definitions,
    };
    let found = lookup::lookup(lexicon, query, options);
    match request.format {
        LookupFormat::Json => json::lookup(out, lexicon, Some(query), &found)?,
        LookupFormat::Human => human::lookup(out, lexicon, query, &found)?,
    }
    Ok(if found.iter().any(|f| f.mode != lookup::Mode::Fuzzy) {
        ExitStatus::Success
    } else {
        ExitStatus::Findings
    })
}

/// One text read and annotated, for `annotate` and `report`.
struct Annotated {
    path: String,
    text: String,
    annotation: Annotation,
    tally: Tally,
    /// Text extracted from HTML: shown without its block marks.
    tidy: bool,
    /// Not Markdown: escaped when written as Markdown.
    plain: bool,
}

/// The checker that `annotate` and `report` flag findings with: the
/// config's settings, as `check` without options has them.
fn annotation_checker<'a>(
    ctx: &'a Ctx,
    scanner: &'a Scanner,
    err: &mut dyn Write,
) -> io::Result<Option<Checker<'a>>> {
    match Checker::new(&ctx.lexicon, scanner, ctx.config.settings()) {
        Ok(c) => Ok(Some(c)),
        Err(e) => {
            human::error(err, &e.to_string())?;
            Ok(None)
        }
    }
}

/// `check`'s findings are flagged in the annotation (so "annotate my
/// draft" shows the misquotes too), except line wraps inside a term; the
/// tally counts the terms.
fn annotated(
    checker: &Checker<'_>,
    lexicon: &Lexicon,
    scanner: &Scanner,
    src: Source,
) -> Annotated {
    let hits = scanner.hits(&src.text);
    let spans = outermost(&hits, accepted);
    let mut findings = checker.check_document(&src.path, &src.text);
    // A term broken by a line wrap is shown whole, as the scanner joins
    // it; that the wrap is there is `check`'s business, not the reader's.
    findings.retain(|f| {
        !(matches!(
            f.detail,
            check::Detail::NonCanonical(check::Why::Whitespace)
        ) && src
            .text
            .get(f.start..f.end)
            .is_some_and(|m| m.contains('\n')))
    });
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

fn html_page(lexicon: &Lexicon, docs: &[Annotated], out: &mut dyn Write) -> io::Result<()> {
    let mut total = Tally::default();
    for d in docs {
        total.merge(&d.tally);
    }
    let documents: Vec<html::Document<'_>> = docs
        .iter()
        .map(|d| html::Document {
            path: &d.path,
            text: &d.text,
            annotation: &d.annotation,
            tally: &d.tally,
        })
        .collect();
    html::report(out, lexicon, &documents, &total)
}

fn annotate_cmd(
    ctx: &Ctx,
    scanner: &Scanner,
    found: input::Found,
    format: AnnotateFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let lexicon = &ctx.lexicon;
    let Some(checker) = annotation_checker(ctx, scanner, err)? else {
        return Ok(ExitStatus::Error);
    };
    let (inputs, mut failed) = inputs(found, err)?;
    let mut docs = Vec::new();
    for p in input::process(&inputs, &ctx.input, 1, Large::Read, |src| {
        annotated(&checker, lexicon, scanner, src)
    }) {
        if let Some((_, d)) = take(p, err, &mut failed)? {
            docs.push(d);
        }
    }
    match format {
        AnnotateFormat::Html => html_page(lexicon, &docs, out)?,
        AnnotateFormat::Human | AnnotateFormat::Markdown => {
            for (i, d) in docs.iter().enumerate() {
                if docs.len() > 1 && format == AnnotateFormat::Markdown {
                    writeln!(out, "## {}\n", markdown::escape(&d.path))?;
                } else if docs.len() > 1 {
                    human::file_heading(out, &d.path)?;
                }
                if format == AnnotateFormat::Markdown {
                    let options = markdown::Options {
                        // Footnote labels unique across the documents.
                        document: (docs.len() > 1).then_some(i + 1),
                        plain: d.plain,
                    };
                    markdown::annotate(out, &d.text, &d.annotation, lexicon, options)?;
                } else {
                    human::annotate(out, &d.text, &d.annotation, lexicon, d.tidy)?;
                }
            }
        }
    }
    Ok(status(failed))
}

fn report_cmd(
    ctx: &Ctx,
    scanner: &Scanner,
    found: input::Found,
    output: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let lexicon = &ctx.lexicon;
    let Some(checker) = annotation_checker(ctx, scanner, err)? else {
        return Ok(ExitStatus::Error);
    };
    let (inputs, mut failed) = inputs(found, err)?;
    let results = input::process(&inputs, &ctx.input, ctx.threads, Large::Read, |src| {
        annotated(&checker, lexicon, scanner, src)
    });
    let mut docs = Vec::new();
    for p in results {
        if let Some((_, d)) = take(p, err, &mut failed)? {
            docs.push(d);
        }
    }
    let Some(file) = output else {
        html_page(lexicon, &docs, out)?;
        return Ok(status(failed));
    };
    let mut page = Vec::new();
    html_page(lexicon, &docs, &mut page)?;
    if let Err(e) = std::fs::write(file, &page) {
        human::input_error(
            err,
            &InputError {
                path: file.display().to_string(),
                message: format!("cannot write the report: {}", input::io_message(&e)),
                hint: None,
            },
        )?;
        return Ok(ExitStatus::Error);
    }
    let spans: usize = docs.iter().map(|d| d.tally.total).sum();
    let mut total = Tally::default();
    for d in &docs {
        total.merge(&d.tally);
    }
    writeln!(
        out,
        "wrote {}: {} file{}, {spans} spans, {} entries",
        file.display(),
        docs.len(),
        if docs.len() == 1 { "" } else { "s" },
        total.ranked().len()
    )?;
    Ok(status(failed))
}

/// Every example must produce an occurrence of its entry; no
/// counterexample may.
fn lexicon_test(
    lexicon: &Lexicon,
    scanner: &Scanner,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let mut failures = 0;
    let mut run = 0;
    for (index, e) in lexicon.entries().iter().enumerate() {
        for (ex, must) in e
            .examples
            .iter()
            .map(|x| (x, true))
            .chain(e.counterexamples.iter().map(|x| (x, false)))
        {
            run += 1;
            let hits = scanner.hits(&ex.text);
            let found = per_entry(&hits).iter().any(|o| o.hit.entry == index);
            if found != must {
                failures += 1;
                let what = if must {
                    "example does not contain"
                } else {
                    "counterexample contains"
                };
                writeln!(err, "{}: {what} entry `{}` ({})", ex.location, e.id, e.term)?;
            }
        }
    }
    writeln!(
        out,
        "{run} examples of {} entries: {} passed, {failures} failed",
        lexicon.len(),
        run - failures
    )?;
    Ok(if failures > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}
