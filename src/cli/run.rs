//! Runs a parsed command: loads the lexicon, builds the scanner, reads the
//! inputs (in parallel) and hands values to the printers in `report`.

use std::io::{self, Write};

use std::path::{Path, PathBuf};

use super::write;
use super::{
    AnnotateFormat, CheckFormat, Cli, Command, CountFormat, ExportFormat, FailOn, LexiconCommand,
    LookupFormat, ScanFormat,
};
use crate::check::{Lang, Located, Severity};
use crate::config::Config;
use crate::count::Tally;
use crate::engine::run::{CheckSink, Checked, Events, FixMode, Render, Run, ScanSink};
use crate::engine::{Annotated, Engine, LexiconSource};
use crate::input::{self, Input, InputError};
use crate::lexicon::import::{self, Imported};
use crate::lexicon::{Lexicon, LexiconFile};
use crate::lookup;
use crate::lsp;
use crate::report::{csv, github, html, human, json, markdown, patterns, sarif, tbx};
use crate::scan::{self, Scanner, per_entry};
use crate::setup::{self, ConfigSource};

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
    // The inputs are found while the lexicon loads; not when it fails.
    let (prepared, found) = crate::engine::run::find_while(
        paths.as_deref(),
        &filter,
        &input_opts,
        threads,
        || prepare(&cli, &config, &extra, import, err),
        |prepared| matches!(prepared, Ok(Some(_))),
    );
    let Some(prepared) = prepared? else {
        return Ok(ExitStatus::Error);
    };
    let ctx = Ctx {
        input: input_opts,
        threads,
        config,
        terminal,
    };
    let lexicon = prepared.lexicon();
    if cli.global.files {
        let (inputs, failed) = inputs(found, err)?;
        for i in &inputs {
            writeln!(out, "{}", i.shown(&ctx.input))?;
        }
        return Ok(status(failed));
    }
    let engine = match &prepared {
        Prepared::Engine(e) => Some(e),
        Prepared::Lexicon(_) => None,
    };
    match (cli.command, engine) {
        (Command::Scan { format, .. }, Some(e)) => scan_cmd(&ctx, e, found, format, out, err),
        (
            Command::Count {
                by_file, format, ..
            },
            Some(e),
        ) => count_cmd(&ctx, e, found, by_file, format, out, err),
        (
            Command::Check {
                format,
                fail_on,
                fix,
                diff,
                lang,
                ..
            },
            Some(e),
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
            };
            check_cmd(&ctx, e, found, &opts, out, err)
        }
        (
            Command::Review {
                input,
                output,
                comments_only,
                changes_only,
                terms,
                date,
                lang,
                ..
            },
            Some(e),
        ) => {
            let opts = crate::format::review::Options {
                comments: !changes_only,
                changes: !comments_only,
                terms,
                date: date.unwrap_or_else(crate::format::review::now),
                lang: Lang::from(lang),
            };
            review_cmd(e, &input, output.as_deref(), &opts, err)
        }
        (Command::Annotate { format, .. }, Some(e)) => {
            annotate_cmd(&ctx, e, found, format, out, err)
        }
        (Command::Report { output, .. }, Some(e)) => {
            report_cmd(&ctx, e, found, output.as_deref(), out, err)
        }
        (
            Command::Serve {
                bind,
                token,
                public,
                max_body,
                max_concurrent,
                timeout,
                lang,
            },
            Some(e),
        ) => {
            let options = crate::serve::Options {
                bind,
                token,
                public,
                max_body,
                max_concurrent: max_concurrent as usize,
                timeout,
                lang: lang.into(),
            };
            // The server's own messages (and `annotate`'s text) are never
            // coloured.
            colored::control::set_override(false);
            Ok(if crate::serve::serve(e.clone(), &options, err)? {
                ExitStatus::Success
            } else {
                ExitStatus::Error
            })
        }
        (Command::Lexicon(LexiconCommand::Test), Some(e)) => {
            lexicon_test(lexicon, e.scanner(), out, err)
        }
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
            lookup_cmd(&ctx, lexicon, &request, out, err)
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
        // Every command that needs the engine got one above.
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

/// What a command works with: the lexicon alone, or an engine (the
/// lexicon, its scanner and the checker's settings) for the commands that
/// match text.
enum Prepared {
    Lexicon(Lexicon),
    Engine(Engine),
}

impl Prepared {
    fn lexicon(&self) -> &Lexicon {
        match self {
            Prepared::Lexicon(l) => l,
            Prepared::Engine(e) => e.lexicon(),
        }
    }
}

/// Loads the lexicon and, for the commands that match text, builds the
/// engine; prints every problem and gives `None` after one.
fn prepare(
    cli: &Cli,
    config: &Config,
    extra: &[PathBuf],
    import: Option<(String, &Imported)>,
    err: &mut dyn Write,
) -> io::Result<Option<Prepared>> {
    let Some((mut lexicon, source)) = load_lexicon(cli, config, extra, import, err)? else {
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
        return Ok(Some(Prepared::Lexicon(lexicon)));
    }
    // `scan` and `count` look at accepted forms only.
    let accepted_only = matches!(cli.command, Command::Scan { .. } | Command::Count { .. });
    let built = if accepted_only {
        Scanner::accepted_only(&lexicon)
    } else {
        Scanner::new(&lexicon)
    };
    let mut settings = config.settings();
    if let Command::Check { allow, disable, .. } = &cli.command {
        settings.allow.extend(allow.iter().cloned());
        for rule in disable {
            settings.severities.insert(*rule, None);
        }
    }
    match built {
        Ok(scanner) => Ok(Some(Prepared::Engine(Engine::from_parts(
            source,
            lexicon,
            scanner,
            settings,
            !accepted_only,
        )))),
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
) -> io::Result<Option<(Lexicon, LexiconSource)>> {
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
    let source = LexiconSource {
        default: !cli.global.no_default_lexicon,
        layers: layers.clone(),
    };
    match load(source.default, layers) {
        Ok(lexicon) if diags.is_empty() && cli.global.all_terms => {
            return Ok(Some((lexicon.with_all_terms(), source)));
        }
        Ok(lexicon) if diags.is_empty() => return Ok(Some((lexicon, source))),
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

fn status(failed: bool) -> ExitStatus {
    if failed {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    }
}

/// What prints a run's notes and input errors: on standard error.
trait Stderr {
    fn stderr(&mut self) -> &mut dyn Write;
}

impl<T: Stderr> Events for T {
    fn note(&mut self, path: &str, note: &str) -> io::Result<()> {
        human::note(self.stderr(), path, note)
    }

    fn failed(&mut self, e: &InputError) -> io::Result<()> {
        human::input_error(self.stderr(), e)
    }
}

/// Notes and input errors, printed on standard error.
struct Diagnostics<'a>(&'a mut dyn Write);

impl Stderr for Diagnostics<'_> {
    fn stderr(&mut self) -> &mut dyn Write {
        self.0
    }
}

impl Ctx {
    /// A run of `engine` over inputs, read as the options say.
    fn run<'e>(&self, engine: &'e Engine) -> Run<'e> {
        Run {
            engine,
            input: self.input.clone(),
            threads: self.threads,
        }
    }
}

fn scan_cmd(
    ctx: &Ctx,
    engine: &Engine,
    found: input::Found,
    format: ScanFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let lexicon = engine.lexicon();
    let (inputs, mut failed) = inputs(found, err)?;
    let lines = human::ScanLines::new(lexicon);
    let render = MatchRender {
        format,
        lexicon,
        lines: &lines,
    };
    let mut printed = ScanOut::begin(format, out, err)?;
    failed |= ctx.run(engine).scan(&inputs, &render, &mut printed)?;
    printed.end()?;
    Ok(status(failed))
}

/// `scan`'s matches in the format asked for (on any thread).
struct MatchRender<'a> {
    format: ScanFormat,
    lexicon: &'a Lexicon,
    lines: &'a human::ScanLines<'a>,
}

impl Render for MatchRender<'_> {
    fn render(&self, to: &mut Vec<u8>, path: &str, m: &scan::Match) -> io::Result<()> {
        let json = || json::MatchJson::new(path, m, self.lexicon);
        match self.format {
            ScanFormat::Human => self.lines.line(to, path, m),
            ScanFormat::Ndjson => json::match_line(to, &json()),
            ScanFormat::Json => json::MatchesWriter::render(to, &mut Vec::new(), &json()),
        }
    }
}

/// `scan`'s output: each rendered match written (in a JSON document, with
/// the commas between matches), notes and errors on standard error.
struct ScanOut<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    document: Option<json::MatchesWriter>,
}

impl<'a> ScanOut<'a> {
    fn begin(
        format: ScanFormat,
        out: &'a mut dyn Write,
        err: &'a mut dyn Write,
    ) -> io::Result<Self> {
        let document = match format {
            ScanFormat::Json => Some(json::MatchesWriter::begin(out)?),
            ScanFormat::Human | ScanFormat::Ndjson => None,
        };
        Ok(ScanOut { out, err, document })
    }

    /// Ends the output.
    fn end(self) -> io::Result<()> {
        match self.document {
            Some(document) => document.end(self.out),
            None => Ok(()),
        }
    }
}

impl Stderr for ScanOut<'_> {
    fn stderr(&mut self) -> &mut dyn Write {
        self.err
    }
}

impl ScanSink for ScanOut<'_> {
    fn put(&mut self, rendered: &[u8]) -> io::Result<()> {
        match &mut self.document {
            Some(document) => document.push_rendered(self.out, rendered),
            None => self.out.write_all(rendered),
        }
    }
}

fn count_cmd(
    ctx: &Ctx,
    engine: &Engine,
    found: input::Found,
    by_file: bool,
    format: CountFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let lexicon = engine.lexicon();
    let (inputs, failed) = inputs(found, err)?;
    let counted = ctx
        .run(engine)
        .count(&inputs, by_file, &mut Diagnostics(err))?;
    let total = &counted.total;
    let by_file = by_file.then_some(counted.files.as_slice());
    let bar_width = if ctx.terminal.stdout {
        ctx.terminal.width
    } else {
        None
    };
    match format {
        CountFormat::Json => json::count(out, lexicon, total, by_file)?,
        CountFormat::Csv => csv::count(out, lexicon, total, by_file)?,
        CountFormat::Human => {
            for (path, t) in by_file.unwrap_or_default() {
                human::file_heading(out, path)?;
                human::count_table(out, lexicon, t, bar_width)?;
                writeln!(out)?;
            }
            if by_file.is_some() {
                human::file_heading(out, "all files")?;
            }
            human::count_table(out, lexicon, total, bar_width)?;
        }
    }
    Ok(status(failed || counted.failed))
}

struct CheckOptions {
    format: CheckFormat,
    fail_on: Option<Severity>,
    mode: FixMode,
    lang: Lang,
}

/// `tifa review`: the document with comments and tracked changes,
/// written to `output` or over `input` (atomically).
fn review_cmd(
    engine: &Engine,
    input: &Path,
    output: Option<&Path>,
    opts: &crate::format::review::Options,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let shown = input.display().to_string();
    let fail = |err: &mut dyn Write, message: String, hint: Option<String>| {
        human::input_error(
            err,
            &InputError {
                path: shown.clone(),
                message,
                hint,
            },
        )
        .map(|()| ExitStatus::Error)
    };
    let is_docx = input
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("docx"));
    if !is_docx {
        return fail(
            err,
            "not a .docx: tifa review writes into Word documents".into(),
            Some("for other files, `tifa check --fix` or `--diff`".into()),
        );
    }
    let bytes = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => return fail(err, format!("cannot read: {}", input::io_message(&e)), None),
    };
    let reviewed = match crate::format::review::review(engine, &shown, &bytes, opts) {
        Ok(r) => r,
        Err(e) => {
            return fail(err, e.to_string(), Some("nothing was written".into()));
        }
    };
    let target = output.unwrap_or(input);
    let written = if output.is_some() {
        std::fs::write(target, &reviewed.bytes).map_err(|e| InputError {
            path: target.display().to_string(),
            message: format!("cannot write: {}", input::io_message(&e)),
            hint: None,
        })
    } else {
        write_back(target, &reviewed.bytes)
    };
    if let Err(e) = written {
        human::input_error(err, &e)?;
        return Ok(ExitStatus::Error);
    }
    let mut summary = format!(
        "{} findings: {} comments, {} tracked changes",
        reviewed.findings.len(),
        reviewed.comments,
        reviewed.changes
    );
    if reviewed.comment_only > 0 {
        summary.push_str(&format!(
            ", {} commented only (a change could not be tracked there)",
            reviewed.comment_only
        ));
    }
    if reviewed.not_placed > 0 {
        summary.push_str(&format!(
            ", {} not marked (in a header or footer, or outside a run)",
            reviewed.not_placed
        ));
    }
    if reviewed.replaced > 0 {
        summary.push_str(&format!(
            "; replaced {} of tifa's earlier comments and changes",
            reviewed.replaced
        ));
    }
    writeln!(err, "{shown}: {summary} → {}", target.display())?;
    Ok(ExitStatus::Success)
}

/// `--fix`'s atomic writer, its refusals worded for the user.
fn write_back(file: &Path, bytes: &[u8]) -> Result<(), InputError> {
    write::write_fixed(file, bytes).map_err(|e| {
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
        InputError {
            path: file.display().to_string(),
            message,
            hint: Some(hint),
        }
    })
}

fn check_cmd(
    ctx: &Ctx,
    engine: &Engine,
    found: input::Found,
    opts: &CheckOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let settings = engine.settings();
    if let Err(e) = engine.checker() {
        human::error(err, &e)?;
        return Ok(ExitStatus::Error);
    }
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
    // A report in JSON or SARIF is written as the findings come; with
    // `--fix` the fixed text of standard input comes first, so the
    // findings are kept to the end.
    let stream = match (opts.mode, opts.format) {
        (FixMode::Report, CheckFormat::Json) => Some(Streamed::Json(json::findings_writer())),
        (FixMode::Report, CheckFormat::Sarif) => Some(Streamed::Sarif(sarif::writer(
            |r| settings.severity(r),
            opts.lang,
        ))),
        _ => None,
    };
    let mut sink = CheckOut {
        out: &mut *out,
        err: &mut *err,
        opts,
        files: Vec::new(),
        stream,
        counts: human::CheckCounts::default(),
        fixed: 0,
        changed: 0,
        checked: 0,
        write_failed: false,
    };
    failed |= ctx
        .run(engine)
        .check(&inputs, opts.mode, opts.lang, &write_back, &mut sink)?;
    let CheckOut {
        files,
        stream,
        counts,
        fixed,
        changed,
        checked,
        write_failed,
        ..
    } = sink;
    failed |= write_failed;
    match (stream, opts.format) {
        _ if opts.mode == FixMode::Diff => {}
        (Some(Streamed::Json(w)), _) => w.end(out)?,
        (Some(Streamed::Sarif(w)), _) => w.end(out)?,
        (None, CheckFormat::Json) => json::findings(out, &files)?,
        (None, CheckFormat::Sarif) => {
            sarif::log(out, &files, |r| settings.severity(r), opts.lang)?;
        }
        (None, CheckFormat::Human) => {
            let summary: &mut dyn Write =
                if inputs.contains(&Input::Stdin) && opts.mode == FixMode::Write {
                    &mut *err
                } else {
                    &mut *out
                };
            let fixed = (opts.mode == FixMode::Write).then_some(fixed);
            human::check_summary(summary, &counts, checked, failed, fixed, opts.lang)?;
        }
        (None, CheckFormat::Github) => {}
    }
    if failed {
        return Ok(ExitStatus::Error);
    }
    let failing = match opts.mode {
        FixMode::Diff => changed > 0,
        _ => opts
            .fail_on
            .is_some_and(|t| counts.highest.is_some_and(|h| h >= t)),
    };
    Ok(if failing {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}

/// JSON or SARIF written as the findings come.
enum Streamed {
    Json(json::FindingsWriter),
    Sarif(sarif::LogWriter),
}

/// `check`'s output, file by file; what the summary needs, kept.
struct CheckOut<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    opts: &'a CheckOptions,
    /// The findings, for JSON and SARIF written at the end.
    files: Vec<(String, Vec<Located>)>,
    stream: Option<Streamed>,
    counts: human::CheckCounts,
    fixed: usize,
    changed: usize,
    checked: usize,
    write_failed: bool,
}

impl Stderr for CheckOut<'_> {
    fn stderr(&mut self) -> &mut dyn Write {
        self.err
    }
}

impl CheckOut<'_> {
    /// Prints or keeps one finding of `path`; `to_err` when the fixed text
    /// is on standard output.
    fn item(&mut self, path: &str, item: &Located, to_err: bool) -> io::Result<()> {
        self.counts.add(item);
        match &mut self.stream {
            Some(Streamed::Json(w)) => return w.finding(self.out, path, item),
            Some(Streamed::Sarif(w)) => return w.result(self.out, path, item),
            None => {}
        }
        match self.opts.format {
            CheckFormat::Human => {
                let to: &mut dyn Write = if to_err {
                    &mut *self.err
                } else {
                    &mut *self.out
                };
                human::finding(to, path, item, self.opts.lang)
            }
            CheckFormat::Github => github::finding(self.out, path, item),
            CheckFormat::Json | CheckFormat::Sarif => Ok(()),
        }
    }
}

impl CheckSink for CheckOut<'_> {
    fn finding(&mut self, path: &str, item: Located) -> io::Result<()> {
        if self.opts.mode == FixMode::Diff {
            return Ok(());
        }
        self.item(path, &item, false)?;
        if self.stream.is_none()
            && matches!(self.opts.format, CheckFormat::Json | CheckFormat::Sarif)
        {
            match self.files.last_mut() {
                Some((p, items)) if p == path => items.push(item),
                _ => self.files.push((path.to_owned(), vec![item])),
            }
        }
        Ok(())
    }

    fn checked(&mut self, path: String, c: Checked) -> io::Result<()> {
        let opts = self.opts;
        if let Some(note) = &c.note {
            self.note(&path, note)?;
        }
        self.checked += 1;
        if let Some(e) = &c.write_error {
            self.write_failed = true;
            self.failed(e)?;
        }
        self.fixed += c.fixed;
        if let Some(text) = &c.stdout {
            self.out.write_all(text.as_bytes())?;
        }
        if let Some(diff) = &c.diff {
            self.changed += 1;
            self.out.write_all(diff.as_bytes())?;
        }
        if opts.mode == FixMode::Diff {
            return Ok(());
        }
        // With the fixed text on standard output, the findings go to
        // standard error.
        let to_err = c.stdout.is_some();
        for item in &c.items {
            self.item(&path, item, to_err)?;
        }
        if self.stream.is_none() && matches!(opts.format, CheckFormat::Json | CheckFormat::Sarif) {
            match self.files.last_mut() {
                Some((p, items)) if *p == path => items.extend(c.items),
                _ => self.files.push((path, c.items)),
            }
        }
        Ok(())
    }
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
    lexicon: &Lexicon,
    request: &LookupRequest<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
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

fn html_page(lexicon: &Lexicon, docs: &[Annotated], out: &mut dyn Write) -> io::Result<()> {
    let mut total = Tally::default();
    for d in docs {
        total.merge(&d.tally);
    }
    let documents: Vec<html::Document<'_>> =
        docs.iter().map(crate::engine::Annotated::html).collect();
    html::report(out, lexicon, &documents, &total)
}

/// The annotated inputs of `annotate` and `report`, or `None` when the
/// checker that flags findings cannot be built.
fn annotated_inputs(
    ctx: &Ctx,
    engine: &Engine,
    found: input::Found,
    one_thread: bool,
    err: &mut dyn Write,
) -> io::Result<Option<(Vec<Annotated>, bool)>> {
    if let Err(e) = engine.checker() {
        human::error(err, &e)?;
        return Ok(None);
    }
    let (inputs, failed) = inputs(found, err)?;
    let (docs, read_failed) =
        ctx.run(engine)
            .annotate(&inputs, one_thread, &mut Diagnostics(err))?;
    Ok(Some((docs, failed || read_failed)))
}

fn annotate_cmd(
    ctx: &Ctx,
    engine: &Engine,
    found: input::Found,
    format: AnnotateFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let lexicon = engine.lexicon();
    let Some((docs, failed)) = annotated_inputs(ctx, engine, found, true, err)? else {
        return Ok(ExitStatus::Error);
    };
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
    engine: &Engine,
    found: input::Found,
    output: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let lexicon = engine.lexicon();
    let Some((docs, failed)) = annotated_inputs(ctx, engine, found, false, err)? else {
        return Ok(ExitStatus::Error);
    };
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
