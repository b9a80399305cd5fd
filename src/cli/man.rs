//! `tifa man`: manual pages from the same definitions as `--help`
//! (clap_mangen), with the sections a manual needs that `--help` has not:
//! EXIT STATUS, FILES (tifa.toml) and SEE ALSO. One page for tifa and one
//! per command (`tifa-scan(1)`, `tifa-lexicon-validate(1)` …), so that the
//! references of the SUBCOMMANDS section exist once installed.

use std::io::{self, Write};
use std::path::Path;

use clap::CommandFactory;

use super::Cli;

/// The exit statuses, as the README's contract gives them.
const EXIT_STATUS: &str = "\
.TP
\\fB0\\fR
Success: nothing to report (check: no finding at or above \\fBfail-on\\fR; lookup: an answer).
.TP
\\fB1\\fR
Findings: check found problems, \\fB--fix\\fR or \\fB--diff\\fR would change a file, lookup found nothing (or only suggestions), lexicon tests failed, or an input could not be read.
.TP
\\fB2\\fR
Error: a bad argument, a lexicon or configuration that does not load (every problem is printed as path:line:column), or an output that cannot be written.
";

/// The configuration file.
const FILES: &str = "\
.TP
\\fItifa.toml\\fR
Found in the working folder or the nearest folder above it (or named with \\fB--config\\fR; \\fB--no-config\\fR reads none). Keys: \\fBlexicon\\fR (extra lexicon files or folders), \\fBinclude\\fR and \\fBexclude\\fR (globs), \\fBallow\\fR (forms never reported), \\fBfail-on\\fR (info, warning, error), \\fBnear-miss-min-chars\\fR, and a \\fB[rules]\\fR table giving each rule off, info, warning or error. Paths are relative to the file. Every problem is reported with its path:line:column; check, scan and the other commands refuse a broken file (exit 2), lookup reports it and goes on with what is valid. tifa never checks nor fixes this file or the lexicon files it loads.
.PP
.nf
lexicon = [\"terms/\"]
exclude = [\"docs/archive/**\"]
allow = [\"两队一所\"]
fail-on = \"error\"
[rules]
near-miss = \"off\"
.fi
";

/// The pages: `(file stem, command)` for tifa and each command under it.
fn pages() -> Vec<(String, clap::Command)> {
    let mut out = Vec::new();
    // Built, so that clap's own `help` command is there too, as the
    // SUBCOMMANDS section lists it.
    let mut root = Cli::command().name("tifa");
    root.build();
    collect("tifa", &root, &mut out);
    out
}

fn collect(stem: &str, command: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
    // A command's page has tifa's version (its VERSION section and title)
    // but no --version flag of its own.
    let page = command
        .clone()
        .name(stem.to_owned())
        .version(env!("CARGO_PKG_VERSION"))
        .disable_version_flag(stem != "tifa");
    out.push((stem.to_owned(), page));
    // `help` names the other commands; their pages are their own.
    if command.get_name() == "help" {
        return;
    }
    for sub in command.get_subcommands() {
        collect(&format!("{stem}-{}", sub.get_name()), sub, out);
    }
}

/// Renders the page of `stem` (`tifa`, `tifa-scan` …): clap_mangen's
/// sections (each starts with the same two-line preamble, kept once) and
/// ours.
fn render(stem: &str, command: clap::Command, out: &mut dyn Write) -> io::Result<()> {
    let mut page = Vec::new();
    sections(stem, command, &mut page)?;
    let page = String::from_utf8_lossy(&page);
    let mut preamble = 0;
    for line in page.lines() {
        let repeated = line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
        if repeated {
            preamble += 1;
            if preamble > 2 {
                continue;
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn sections(stem: &str, command: clap::Command, out: &mut dyn Write) -> io::Result<()> {
    let man = clap_mangen::Man::new(command);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    if stem == "tifa" || stem == "tifa-lexicon" {
        man.render_subcommands_section(out)?;
    }
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    out.write_all(EXIT_STATUS.as_bytes())?;
    writeln!(out, ".SH FILES")?;
    out.write_all(FILES.as_bytes())?;
    writeln!(out, ".SH \"SEE ALSO\"")?;
    let others: Vec<String> = pages()
        .into_iter()
        .map(|(s, _)| s)
        .filter(|s| s != stem)
        .map(|s| format!("\\fB{}\\fR(1)", s.replace('-', "\\-")))
        .collect();
    writeln!(out, "{}", others.join(", "))?;
    man.render_version_section(out)?;
    Ok(())
}

/// Writes the page of `command` (a command path such as `scan` or
/// `lexicon validate`; empty for tifa's own page) to `out`. `Ok(false)`
/// when there is no such command.
pub(super) fn print(command: &[String], out: &mut dyn Write) -> io::Result<bool> {
    let stem = std::iter::once("tifa")
        .chain(command.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("-");
    match pages().into_iter().find(|(s, _)| *s == stem) {
        Some((s, c)) => render(&s, c, out).map(|()| true),
        None => Ok(false),
    }
}

/// Writes every page as `DIR/STEM.1`; returns the files written.
pub(super) fn write_all(dir: &Path) -> io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (stem, command) in pages() {
        let path = dir.join(format!("{stem}.1"));
        let mut page = Vec::new();
        render(&stem, command, &mut page)?;
        std::fs::write(&path, page)?;
        written.push(path);
    }
    Ok(written)
}
