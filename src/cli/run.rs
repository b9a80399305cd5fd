//! Runs a parsed command: loads the lexicon, builds the scanner, reads the
//! inputs (in parallel) and hands values to the printers in `report`.

use std::io::{self, Write};

use super::{Cli, Command, CountFormat, ExportFormat, LexiconCommand, LookupFormat, ScanFormat};
use crate::annotate::Annotation;
use crate::count::Tally;
use crate::input::{self, Input, InputError};
use crate::lexicon::{Lexicon, LexiconFile, embedded_files, read_path};
use crate::lookup::lookup;
use crate::report::{csv, human, json};
use crate::scan::{self, Scanner, accepted, locate, outermost, per_entry};

/// How a run ended; the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done, no error.
    Success,
    /// 1: nothing found where something was asked for (`lookup`), or
    /// failing lexicon tests.
    NotFound,
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
            ExitStatus::NotFound => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Runs `cli`, writing results to `out` and diagnostics to `err`.
///
/// # Errors
///
/// Only when writing to `out` or `err` fails (a closed pipe, say); problems
/// with inputs and lexicons are reported on `err` and give
/// [`ExitStatus::Error`].
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitStatus> {
    let extra = match &cli.command {
        Command::Lexicon(LexiconCommand::Validate { paths }) => paths.clone(),
        _ => Vec::new(),
    };
    let Some(lexicon) = load_lexicon(&cli, &extra, err)? else {
        return Ok(ExitStatus::Error);
    };
    let threads = cli.global.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let needs_scanner = matches!(
        cli.command,
        Command::Scan { .. }
            | Command::Count { .. }
            | Command::Annotate { .. }
            | Command::Lexicon(LexiconCommand::Test)
    );
    let scanner = if needs_scanner {
        match Scanner::new(&lexicon) {
            Ok(s) => Some(s),
            Err(e) => {
                human::error(err, &e.to_string())?;
                return Ok(ExitStatus::Error);
            }
        }
    } else {
        None
    };
    let scanner = scanner.as_ref();
    match (cli.command, scanner) {
        (Command::Scan { paths, format }, Some(s)) => {
            scan_cmd(&lexicon, s, &paths, format, threads, out, err)
        }
        (
            Command::Count {
                paths,
                by_file,
                format,
            },
            Some(s),
        ) => count_cmd(&lexicon, s, &paths, by_file, format, threads, out, err),
        (Command::Annotate { path }, Some(s)) => {
            annotate_cmd(&lexicon, s, path.as_deref(), out, err)
        }
        (Command::Lexicon(LexiconCommand::Test), Some(s)) => lexicon_test(&lexicon, s, out, err),
        (Command::Lookup { query, format }, _) => lookup_cmd(&lexicon, &query, format, out),
        (Command::Lexicon(LexiconCommand::Validate { .. }), _) => {
            writeln!(out, "lexicon ok: {} entries", lexicon.len())?;
            Ok(ExitStatus::Success)
        }
        (Command::Lexicon(LexiconCommand::Export { format }), _) => match format {
            ExportFormat::Json => {
                json::export(out, &lexicon)?;
                Ok(ExitStatus::Success)
            }
        },
        // Every command that needs the scanner got one above.
        (_, None) => Ok(ExitStatus::Error),
    }
}

/// Loads the embedded lexicon (unless turned off), each `--lexicon` path
/// and each of `extra` as a layer of its own; prints every problem.
fn load_lexicon(
    cli: &Cli,
    extra: &[std::path::PathBuf],
    err: &mut dyn Write,
) -> io::Result<Option<Lexicon>> {
    let mut layers: Vec<Vec<LexiconFile>> = Vec::new();
    if !cli.global.no_default_lexicon {
        layers.push(embedded_files());
    }
    let mut diags = Vec::new();
    for path in cli.global.lexicon.iter().chain(extra) {
        match read_path(path) {
            Ok(files) => layers.push(files),
            Err(d) => diags.push(d),
        }
    }
    if diags.is_empty() {
        match Lexicon::load(&layers) {
            Ok(lexicon) => return Ok(Some(lexicon)),
            Err(d) => diags = d,
        }
    }
    for d in &diags {
        human::diagnostic(err, d)?;
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

/// Expands paths, reporting those that do not exist; returns the inputs
/// and whether anything failed.
fn inputs(paths: &[String], err: &mut dyn Write) -> io::Result<(Vec<Input>, bool)> {
    let (inputs, errors) = input::collect(paths);
    for e in &errors {
        human::input_error(err, e)?;
    }
    Ok((inputs, !errors.is_empty()))
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
    lexicon: &Lexicon,
    scanner: &Scanner,
    paths: &[String],
    format: ScanFormat,
    threads: usize,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let (inputs, mut failed) = inputs(paths, err)?;
    let results = input::process(&inputs, threads, |src| {
        let hits = scanner.hits(&src.text);
        locate(&src.text, &outermost(&hits, accepted))
    });
    let mut all: Vec<(String, Vec<scan::Match>)> = Vec::new();
    for (path, result) in results {
        match result {
            Ok(Some(matches)) => match format {
                ScanFormat::Human => {
                    for m in &matches {
                        human::scan_line(out, &path, m, lexicon)?;
                    }
                }
                ScanFormat::Ndjson => {
                    for m in &matches {
                        json::match_line(out, &json::MatchJson::new(&path, m, lexicon))?;
                    }
                }
                ScanFormat::Json => all.push((path, matches)),
            },
            Ok(None) => {}
            Err(e) => report_failure(err, &e, &mut failed)?,
        }
    }
    if format == ScanFormat::Json {
        let wire: Vec<json::MatchJson<'_>> = all
            .iter()
            .flat_map(|(path, ms)| {
                ms.iter()
                    .map(move |m| json::MatchJson::new(path, m, lexicon))
            })
            .collect();
        json::matches(out, &wire)?;
    }
    Ok(status(failed))
}

#[allow(clippy::too_many_arguments)]
fn count_cmd(
    lexicon: &Lexicon,
    scanner: &Scanner,
    paths: &[String],
    by_file: bool,
    format: CountFormat,
    threads: usize,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let (inputs, mut failed) = inputs(paths, err)?;
    let results = input::process(&inputs, threads, |src| {
        let hits = scanner.hits(&src.text);
        let spans = outermost(&hits, accepted);
        Tally::of(&spans, &per_entry(&hits, &spans))
    });
    let mut total = Tally::default();
    let mut files = Vec::new();
    for (path, result) in results {
        match result {
            Ok(Some(t)) => {
                total.merge(&t);
                files.push((path, t));
            }
            Ok(None) => {}
            Err(e) => report_failure(err, &e, &mut failed)?,
        }
    }
    let by_file = by_file.then_some(files.as_slice());
    match format {
        CountFormat::Json => json::count(out, lexicon, &total, by_file)?,
        CountFormat::Csv => csv::count(out, lexicon, &total, by_file)?,
        CountFormat::Human => {
            for (path, t) in by_file.unwrap_or_default() {
                human::file_heading(out, path)?;
                human::count_table(out, lexicon, t)?;
                writeln!(out)?;
            }
            if by_file.is_some() {
                human::file_heading(out, "all files")?;
            }
            human::count_table(out, lexicon, &total)?;
        }
    }
    Ok(status(failed))
}

fn lookup_cmd(
    lexicon: &Lexicon,
    query: &str,
    format: LookupFormat,
    out: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let found = lookup(lexicon, query);
    match format {
        LookupFormat::Json => json::lookup(out, lexicon, query, &found)?,
        LookupFormat::Human => {
            if found.is_empty() {
                writeln!(out, "no entry for “{}”", query.trim())?;
            }
            for (i, f) in found.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                human::entry_card(out, lexicon, f, query)?;
            }
        }
    }
    Ok(if found.is_empty() {
        ExitStatus::NotFound
    } else {
        ExitStatus::Success
    })
}

fn annotate_cmd(
    lexicon: &Lexicon,
    scanner: &Scanner,
    path: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let paths: Vec<String> = path.map(str::to_owned).into_iter().collect();
    let (inputs, mut failed) = inputs(&paths, err)?;
    for input in &inputs {
        match input.read() {
            Ok(input::Loaded::Text(src)) => {
                let hits = scanner.hits(&src.text);
                let annotation = Annotation::new(&outermost(&hits, accepted));
                if inputs.len() > 1 {
                    human::file_heading(out, &src.path)?;
                }
                human::annotate(out, &src.text, &annotation, lexicon)?;
            }
            Ok(input::Loaded::Skipped(_)) => {}
            Err(e) => report_failure(err, &e, &mut failed)?,
        }
    }
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
            let spans = outermost(&hits, accepted);
            let found = per_entry(&hits, &spans)
                .iter()
                .any(|o| o.hit.entry == index);
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
        ExitStatus::NotFound
    } else {
        ExitStatus::Success
    })
}
