//! The command line: clap definitions ([`Cli`]) and [`run`], which turns
//! parsed arguments into work and output. Nothing outside `cli` sees clap
//! types.

mod man;
mod run;
mod write;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use run::{ExitStatus, Terminal, run, run_on};
pub use write::clean_up_on_signals;

/// Find, explain, count and check Chinese policing terms and formula slogans.
///
/// tifa (提法) scans text for the terms of its lexicon (两队一室,
/// 专业+机制+大数据, 省级主责、市县主战、派出所主防 …), even when they are
/// broken by line wraps or written with full-width characters.
#[derive(Debug, Parser)]
#[command(name = "tifa", version, max_term_width = 100)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// True when the command may write the files it is given (`check --fix`).
    pub fn writes_files(&self) -> bool {
        matches!(self.command, Command::Check { fix: true, .. })
    }
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Add lexicon entries from a TOML file or a folder of them (repeatable);
    /// an entry with the id of an earlier one replaces it.
    #[arg(
        long = "lexicon",
        value_name = "PATH",
        global = true,
        help_heading = "Lexicon"
    )]
    pub lexicon: Vec<PathBuf>,
    /// Do not load the lexicon built into tifa.
    #[arg(long, global = true, help_heading = "Lexicon")]
    pub no_default_lexicon: bool,
    /// Find every term the lexicon knows, everywhere: also the entries of
    /// scope `general` (ordinary words with a police meaning too, such as
    /// 专班, 网格员, otherwise matched only inside quotation marks), and
    /// entries with a context rule outside their context.
    #[arg(long, global = true, help_heading = "Lexicon")]
    pub all_terms: bool,
    /// When to colour the output (NO_COLOR is respected with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, help_heading = "Output")]
    pub color: ColorChoice,
    /// Read this configuration file instead of the nearest tifa.toml.
    #[arg(long, value_name = "PATH", global = true, help_heading = "Config")]
    pub config: Option<PathBuf>,
    /// Do not read any tifa.toml.
    #[arg(
        long,
        global = true,
        help_heading = "Config",
        conflicts_with = "config"
    )]
    pub no_config: bool,
    /// Walk hidden files and folders too.
    #[arg(long, global = true, help_heading = "Input")]
    pub hidden: bool,
    /// Follow symbolic links while walking folders.
    #[arg(short = 'L', long, global = true, help_heading = "Input")]
    pub follow: bool,
    /// Read only walked files matching GLOB; `!GLOB` excludes (repeatable).
    #[arg(
        short = 'g',
        long = "glob",
        value_name = "GLOB",
        global = true,
        help_heading = "Input"
    )]
    pub globs: Vec<String>,
    /// List the files that would be read, and exit.
    #[arg(long, global = true, help_heading = "Input")]
    pub files: bool,
    /// Read files in this encoding instead of detecting it: utf-8,
    /// utf-16le, utf-16be, gb18030 (gbk).
    #[arg(long, value_name = "ENCODING", global = true, help_heading = "Input")]
    pub encoding: Option<crate::text::Encoding>,
    /// Read binary files (with NUL bytes) as text instead of skipping them.
    #[arg(long, global = true, help_heading = "Input")]
    pub binary: bool,
    /// The name to report standard input as; its extension (.html, .md …)
    /// says how to read it.
    #[arg(long, value_name = "NAME", global = true, help_heading = "Input")]
    pub stdin_filename: Option<String>,
    /// Threads that walk folders and read and scan files [default: all cores].
    #[arg(short = 'j', long = "threads", value_name = "N", global = true,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every term found: path:line:column: matched → term — definition.
    ///
    /// Spans are outermost and leftmost-longest: inside a slogan only the
    /// whole slogan is listed. With no PATH, or `-`, reads standard input.
    /// Folders are walked, respecting .gitignore, .ignore and .tifaignore.
    Scan {
        /// Files or folders to scan; `-` for standard input. With none:
        /// standard input, or the current folder when standard input is a
        /// terminal (as ripgrep).
        #[arg(value_name = "PATH")]
        paths: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ScanFormat::Human)]
        format: ScanFormat,
    },
    /// Count each entry, most frequent first.
    ///
    /// Each entry is counted as if it were searched alone, so the parts of a
    /// slogan count inside it too; those occurrences are marked nested.
    Count {
        /// Files or folders to count; `-` for standard input. With none:
        /// standard input, or the current folder when standard input is a
        /// terminal (as ripgrep).
        #[arg(value_name = "PATH")]
        paths: Vec<String>,
        /// Also count per file.
        #[arg(long)]
        by_file: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CountFormat::Human)]
        format: CountFormat,
    },
    /// Look a term up in the glossary: by term, variant, id, component,
    /// prefix, substring, pinyin or initials; suggest close terms.
    ///
    /// Modes are tried in that order and the first that finds something
    /// answers. With no QUERY on a terminal, lists the categories. Exit
    /// status 1 when nothing matches (even when close terms are suggested).
    Lookup {
        /// The term, a variant, an id, a part (社区警务队 finds 两队一室), the
        /// start or a piece of a term (枫桥), its pinyin (qingzhixing) or
        /// initials (ldys).
        query: Option<String>,
        /// Only entries of this category (with no QUERY: list them all).
        #[arg(long, value_name = "NAME")]
        category: Option<String>,
        /// List the whole glossary, grouped by category.
        #[arg(long, conflicts_with = "query")]
        all: bool,
        /// Also search inside definitions.
        #[arg(long)]
        in_definitions: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = LookupFormat::Human)]
        format: LookupFormat,
    },
    /// Check formulations: misquotes, non-canonical forms, missing or
    /// reordered parts, near misses, outdated forms.
    ///
    /// Exit status 0 when no finding is at or above --fail-on, 1 when one
    /// is, 2 on errors. Inline suppression: `tifa-ignore-next-line`,
    /// `tifa-disable[: rule,…]` and `tifa-enable` inside comments
    /// (`<!-- -->`, `#`, `//`).
    Check {
        /// Files or folders to check; `-` for standard input. With none:
        /// standard input, or the current folder when standard input is a
        /// terminal (as ripgrep).
        #[arg(value_name = "PATH")]
        paths: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Exit with 1 when a finding has at least this severity
        /// [default: warning, or `fail-on` in tifa.toml].
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// Apply every unambiguous suggestion to the files (standard input
        /// is written fixed to standard output).
        #[arg(long, conflicts_with = "diff")]
        fix: bool,
        /// Print the changes --fix would make, as a unified diff, and write
        /// nothing.
        #[arg(long)]
        diff: bool,
        /// Language of the messages.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
        /// Never report this form in this run (repeatable), as `allow` in
        /// tifa.toml: a proper name, an accepted house style.
        #[arg(long, value_name = "FORM")]
        allow: Vec<String>,
        /// Turn this rule off for this run (repeatable), as `RULE = "off"`
        /// under `[rules]` in tifa.toml.
        #[arg(long, value_name = "RULE", value_parser = parse_rule)]
        disable: Vec<crate::check::Rule>,
    },
    /// Write the findings into a .docx as Word comments and tracked changes.
    ///
    /// A comment on each finding (rule, message, suggestion, the entry's
    /// definition) and a tracked change for each fixable one, by author
    /// tifa, to accept or reject in Word, WPS or LibreOffice.
    ///
    /// Only the runs a finding touches are rewritten (split at the span,
    /// formatting kept); every other part of the file is copied as it
    /// was. Reviewing tifa's own output again replaces its earlier
    /// comments and changes; an editor's own are kept. Exit status 0 when
    /// written, 2 on errors (nothing written then).
    Review {
        /// The .docx to review.
        #[arg(value_name = "IN.docx")]
        input: PathBuf,
        /// Where to write the reviewed document.
        #[arg(
            short,
            long,
            value_name = "OUT.docx",
            required_unless_present = "in_place"
        )]
        output: Option<PathBuf>,
        /// Replace IN.docx (atomically, as `check --fix` writes).
        #[arg(long, conflicts_with = "output")]
        in_place: bool,
        /// Comments only, no tracked changes.
        #[arg(long, conflicts_with = "changes_only")]
        comments_only: bool,
        /// Tracked changes only, no comments.
        #[arg(long)]
        changes_only: bool,
        /// Also comment every recognised term with its definition (for
        /// translators and readers).
        #[arg(long, conflicts_with = "changes_only")]
        terms: bool,
        /// The date of the comments and changes (e.g. 2026-12-02T09:00:00Z)
        /// [default: now].
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Language of the messages.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
    /// Print a text with each term marked and numbered, then a glossary.
    ///
    /// `--format markdown` marks each term with a footnote carrying its
    /// definition; `--format html` writes one self-contained page (see
    /// `tifa report`).
    Annotate {
        /// The file to annotate; `-` or nothing for standard input.
        #[arg(value_name = "PATH")]
        path: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = AnnotateFormat::Human)]
        format: AnnotateFormat,
    },
    /// Write one self-contained HTML report of one or more files.
    ///
    /// The texts with their terms highlighted by category (hover, tap or
    /// Tab to a term for its definition, parts and English), a chart of the
    /// most frequent terms, the glossary of the terms found and, for several
    /// files, a table per file. No scripts, no network: the page works
    /// offline and shows any markup in the documents as text.
    Report {
        /// Files or folders; `-` for standard input.
        #[arg(value_name = "PATH")]
        paths: Vec<String>,
        /// Write the page to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Work with the lexicon itself.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
    /// Serve editors: a Language Server Protocol server on standard input
    /// and output.
    ///
    /// Diagnostics are the findings of `tifa check` for each open Markdown,
    /// text or HTML document, with the same tifa.toml and lexicon; hover
    /// shows a term's glossary entry; code actions replace a finding with
    /// the canonical form or look a term up. See README.md for editor
    /// set-ups. Exit status 0 after `shutdown` and `exit`, 1 without.
    Lsp {
        /// Language of the messages and action titles (the client's
        /// `initializationOptions.lang` overrides it).
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
        /// Accepted and ignored: standard input and output is the only
        /// transport (some clients pass `--stdio`).
        #[arg(long)]
        stdio: bool,
    },
    /// Serve a web page to check drafts in, and an HTTP API that
    /// LanguageTool clients speak.
    ///
    /// The page (`/`) takes pasted text or a file. The API: LanguageTool's
    /// `/v2/check` and `/v2/languages`, so LanguageTool clients (LibreOffice,
    /// browser add-ons, language_tool_python) work unchanged; tifa's own
    /// `/api/scan`, `/api/check`, `/api/count`, `/api/annotate`, `/api/fix`
    /// (the JSON and text of those commands) and `/api/lookup`; `/health`
    /// and `/metrics` (Prometheus). The same lexicon and tifa.toml as the other commands; every response
    /// names the lexicon (header `X-Tifa-Lexicon`). Listens on loopback
    /// unless told otherwise; another address needs --token or --public.
    /// Submitted text is never logged or stored. See README.md for the
    /// endpoints and for LibreOffice and other LanguageTool clients.
    Serve {
        /// The address and port to listen on (port 0: any free port; the
        /// address is printed on standard error once listening).
        #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8081")]
        bind: String,
        /// Require this bearer token (`Authorization: Bearer TOKEN`, or the
        /// `apiKey` parameter LanguageTool clients send) on every request
        /// but /health.
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
        /// Allow listening on a non-loopback address without a token.
        #[arg(long)]
        public: bool,
        /// The largest request body, in bytes (suffixes k, M: 512k, 5M);
        /// a larger one is refused with 413.
        #[arg(long, value_name = "SIZE", default_value = "5M", value_parser = parse_size)]
        max_body: usize,
        /// Requests worked on at once; past that, requests are refused at
        /// once with 503 and Retry-After.
        #[arg(long, value_name = "N", default_value_t = 64,
              value_parser = clap::value_parser!(u32).range(1..))]
        max_concurrent: u32,
        /// The longest a request may take (suffixes ms, s, m: 500ms, 30s);
        /// a slower one is answered with 504.
        #[arg(long, value_name = "TIME", default_value = "30s", value_parser = parse_duration)]
        timeout: std::time::Duration,
        /// Language of the messages.
        #[arg(long, value_enum, default_value_t = LangArg::Zh)]
        lang: LangArg,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell,
    /// elvish).
    ///
    /// bash: `tifa completions bash > ~/.local/share/bash-completion/completions/tifa`
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), from the same definitions as --help.
    ///
    /// `tifa man` prints tifa(1), `tifa man scan` prints tifa-scan(1);
    /// `tifa man --dir ~/.local/share/man/man1` writes every page there
    /// (tifa.1, tifa-scan.1, tifa-lexicon-validate.1 …).
    Man {
        /// The command whose page to print (`scan`, `lexicon validate`).
        command: Vec<String>,
        /// Write every page into this folder instead.
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        dir: Option<PathBuf>,
    },
}

/// `tifa lexicon …`
#[derive(Debug, Subcommand)]
pub enum LexiconCommand {
    /// Check the lexicon (and the given files) and report every problem.
    Validate {
        /// Extra lexicon files or folders to check with the lexicon.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Run every entry's examples and counterexamples as tests.
    Test,
    /// Write the whole lexicon: JSON, a Markdown glossary, CSV for
    /// spreadsheets, TBX for CAT tools, or patterns for `rg -F -f`.
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
    },
    /// Turn a spreadsheet of terms (CSV) into lexicon TOML, on standard
    /// output.
    ///
    /// Columns by header name: id, term, category, definition, variants,
    /// components, en, sources, related, wrong, outdated, superseded_by,
    /// examples, counterexamples; term, category and definition are
    /// required. Lists are separated by `;` or `；` (examples: one per
    /// line); a wrong form may end with its note: `两队一所（改字）`. A
    /// missing id is made from the pinyin of the term. When any row is bad,
    /// every problem is reported as `file:ROW: message` and nothing is
    /// written (exit status 2).
    Import {
        /// The CSV file (UTF-8 with or without BOM, UTF-16, GB18030).
        #[arg(value_name = "CSV")]
        path: PathBuf,
    },
}

/// Formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// One line per match, for people.
    Human,
    /// One JSON document: {"matches": [...]}.
    Json,
    /// One JSON object per line, streamed.
    Ndjson,
}

/// Formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// rustc-style diagnostics with the source line and a caret.
    Human,
    /// {"findings": [...]}.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// The threshold of `check --fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any finding.
    Info,
    /// Warnings and errors.
    Warning,
    /// Errors only.
    Error,
    /// Never: exit 0 whatever is found.
    Never,
}

/// Message language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// 中文
    Zh,
    /// English
    En,
}

impl From<LangArg> for crate::check::Lang {
    fn from(lang: LangArg) -> Self {
        match lang {
            LangArg::Zh => crate::check::Lang::Zh,
            LangArg::En => crate::check::Lang::En,
        }
    }
}

/// Formats of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CountFormat {
    /// A table with bars.
    Human,
    /// {"total": N, "entries": [...]}.
    Json,
    /// id,term,count,nested.
    Csv,
}

/// Formats of `annotate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnnotateFormat {
    /// The text with `[n]` marks and a numbered glossary.
    Human,
    /// Markdown with footnotes `[^n]`.
    Markdown,
    /// A self-contained HTML page.
    Html,
}

/// Formats of `lookup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LookupFormat {
    /// The entry as a card.
    Human,
    /// {"entries": [...]}.
    Json,
}

/// Formats of `lexicon export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// {"entries": [...]} with every field of every entry.
    Json,
    /// A glossary grouped by category.
    Markdown,
    /// One row per entry, the columns `lexicon import` reads (UTF-8 with BOM).
    Csv,
    /// TBX-Basic (ISO 30042, TBX v3) for CAT tools.
    Tbx,
    /// Every term and variant, longest first, one per line (`rg -F -f`).
    Patterns,
}

/// A size in bytes: `5000000`, `512k`, `5M` (powers of 1024).
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => t.split_at(at),
        None => (t, ""),
    };
    let factor: usize = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("`{s}` is not a size: write 5000000, 512k or 5M")),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{s}` is not a size: write 5000000, 512k or 5M"))
}

/// A duration: `30s`, `500ms`, `2m`, or seconds alone (`30`).
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => t.split_at(at),
        None => (t, "s"),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a duration: write 30s, 500ms or 2m"))?;
    let d = match unit {
        "ms" => std::time::Duration::from_millis(n),
        "s" => std::time::Duration::from_secs(n),
        "m" | "min" => std::time::Duration::from_secs(n.saturating_mul(60)),
        _ => return Err(format!("`{s}` is not a duration: write 30s, 500ms or 2m")),
    };
    if d.is_zero() {
        return Err(format!("`{s}`: the timeout must be longer than zero"));
    }
    Ok(d)
}

/// A rule id of `check` (`near-miss`), for `--disable`.
fn parse_rule(id: &str) -> Result<crate::check::Rule, String> {
    crate::check::Rule::from_id(id).ok_or_else(|| {
        let ids: Vec<&str> = crate::check::Rule::ALL.iter().map(|r| r.id()).collect();
        format!("unknown rule `{id}`; the rules are: {}", ids.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_and_durations() {
        assert_eq!(parse_size("5M"), Ok(5 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("0").is_err());
        assert!(parse_size("5X").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
        assert_eq!(
            parse_duration("500ms"),
            Ok(std::time::Duration::from_millis(500))
        );
        assert_eq!(
            parse_duration("2m"),
            Ok(std::time::Duration::from_secs(120))
        );
        assert_eq!(parse_duration("30"), Ok(std::time::Duration::from_secs(30)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("1h").is_err());
    }

    #[test]
    fn threads_must_be_positive() {
        assert!(Cli::try_parse_from(["tifa", "-j", "0", "scan"]).is_err());
        let cli = Cli::try_parse_from(["tifa", "scan", "-j", "2", "x"]).unwrap();
        assert_eq!(cli.global.threads, Some(2));
    }
}
