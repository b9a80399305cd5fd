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

/// True when `command` is on the PATH.
pub fn installed(command: &str) -> bool {
    std::process::Command::new("which")
        .arg(command)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// LibreOffice's command, where it is installed.
pub fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"]
        .into_iter()
        .find(|c| installed(c))
}

/// Converts `input` with LibreOffice (`--headless --convert-to to`, a
/// profile of its own in `dir`, three minutes at most) into `dir`, and
/// returns the converted file's path; fails the test with LibreOffice's
/// message when it cannot.
pub fn soffice_convert(
    soffice: &str,
    to: &str,
    input: &std::path::Path,
    dir: &std::path::Path,
) -> std::path::PathBuf {
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.display());
    let made = std::process::Command::new("timeout")
        .args([
            "180",
            soffice,
            &profile,
            "--headless",
            "--convert-to",
            to,
            "--outdir",
        ])
        .arg(dir)
        .arg(input)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let ext = to.split(':').next().unwrap_or(to);
    let stem = input.file_stem().unwrap().to_string_lossy();
    dir.join(format!("{stem}.{ext}"))
}

/// The arguments that select the small test lexicon.
pub const FIXTURE_LEXICON: [&str; 3] = [
    "--no-default-lexicon",
    "--lexicon",
    "tests/fixtures/lexicon.toml",
];
