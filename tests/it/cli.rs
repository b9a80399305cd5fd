//! Golden tests of the command line: `tests/cmd/*.toml` (with their
//! `.stdout` / `.stderr` / `.stdin` files) and the console examples of
//! README.md. Refresh with `TRYCMD=overwrite cargo test`, then review the
//! diff like code.

#[test]
fn cmd() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml")
        .case("README.md");
}
