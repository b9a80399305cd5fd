//! The integration tests, in one binary to keep link time down.

mod bounds;
mod browser;
mod check;
mod cli;
mod coverage;
mod embedded;
mod fix;
mod json;
mod lexicon_io;
mod lookup;
mod lsp;
mod pdf;
mod process;
mod props;
mod python;
mod report;
mod review;
mod serve;

use tifa::cli::{Cli, ExitStatus, run};

/// Runs tifa in process with `args` (without the program name); returns the
/// exit status, stdout and stderr.
pub fn tifa(args: &[&str]) -> (ExitStatus, String, String) {
    use clap::Parser;
    let cli = Cli::try_parse_from(std::iter::once("tifa").chain(args.iter().copied()))
        .expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = run(cli, &mut out, &mut err).expect("writing to a Vec cannot fail");
    (
        status,
        String::from_utf8(out).expect("stdout is UTF-8"),
        String::from_utf8(err).expect("stderr is UTF-8"),
    )
}

/// The arguments that select the small test lexicon.
pub const FIXTURE_LEXICON: [&str; 3] = [
    "--no-default-lexicon",
    "--lexicon",
    "tests/fixtures/lexicon.toml",
];
