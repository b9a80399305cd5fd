//! The `tifa` binary: parse arguments, decide colour, run, exit.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use tifa::cli::{Cli, ColorChoice, Terminal, run_on};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.writes_files() {
        // An interrupted --fix leaves no temporary file (#18).
        if let Err(e) = tifa::cli::clean_up_on_signals() {
            let _ = writeln!(io::stderr(), "tifa: cannot handle signals: {e}");
        }
    }
    let color = match cli.global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    colored::control::set_override(color);
    let stdout = io::stdout();
    let is_terminal = stdout.is_terminal();
    let terminal = Terminal {
        stdout: is_terminal,
        width: is_terminal
            .then(|| {
                std::env::var("COLUMNS")
                    .ok()
                    .and_then(|c| c.parse().ok())
                    .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
            })
            .flatten(),
    };
    let mut out = io::BufWriter::new(stdout.lock());
    // Not locked for the whole run: a thread that panics prints its
    // message to standard error, and would wait for the lock for ever.
    let mut err = io::stderr();
    let result =
        run_on(cli, terminal, &mut out, &mut err).and_then(|status| out.flush().map(|()| status));
    match result {
        Ok(status) => status.into(),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "tifa: {e}");
            ExitCode::from(2)
        }
    }
}
