//! The Python package's test suite, run from `cargo test`: builds the
//! abi3 wheel with maturin, installs it (no Rust needed to install it) into
//! a virtual environment under `target/`, and runs pytest on
//! `python/tests` against this build's `tifa` binary.
//!
//! The environment is made once and kept (it holds maturin, pytest,
//! pyarrow, polars and pandas from PyPI); the wheel is built and installed
//! afresh on every run. Skipped, with a message, only where Python 3 with
//! `venv` is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The test environment's Python, made when missing.
fn venv() -> Option<PathBuf> {
    let dir = root().join("target").join("python-test-venv");
    let python = dir.join("bin").join("python");
    if python.exists() {
        return Some(python);
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .output()
        .ok()?;
    if !made.status.success() {
        return None;
    }
    run(Command::new(&python).args(["-m", "pip", "install", "-q", "--upgrade", "pip"]));
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "-q",
        "maturin>=1.5,<2",
        "pytest>=7",
        "pyarrow>=14",
        "polars>=1",
        "pandas>=2",
    ]));
    Some(python)
}

fn wheel(dir: &Path) -> PathBuf {
    let mut wheels: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the wheel folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "one wheel: {wheels:?}");
    wheels.remove(0)
}

#[test]
fn the_python_package_passes_its_tests() {
    let Some(python) = venv() else {
        println!("skipped: python3 with venv is not installed (.ci/run installs it)");
        return;
    };
    let bin = python.parent().expect("bin folder").to_path_buf();
    let out = tempfile::tempdir().expect("a temporary folder");
    // One abi3 wheel for every CPython from 3.9.
    run(Command::new(bin.join("maturin"))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(root().join("python").join("Cargo.toml"))
        .arg("--out")
        .arg(out.path()));
    let wheel = wheel(out.path());
    let name = wheel
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    assert!(name.contains("-cp39-abi3-"), "an abi3 wheel: {name}");
    // Installed with no Rust toolchain on the PATH: the wheel holds the
    // compiled engine.
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "-q",
            "--force-reinstall",
            "--no-deps",
        ])
        .arg(&wheel)
        .env("PATH", &bin));
    // Run from elsewhere, so that `tifa` is the installed package and not
    // the source folder.
    // The Spark suite needs Java and pyspark: `.ci/run` runs it.
    let tests = run(Command::new(bin.join("pytest"))
        .args(["-q", "-p", "no:cacheprovider", "--ignore"])
        .arg(root().join("python").join("tests").join("test_spark.py"))
        .arg(root().join("python").join("tests"))
        .current_dir(out.path())
        .env("TIFA_BIN", env!("CARGO_BIN_EXE_tifa")));
    let report = String::from_utf8_lossy(&tests.stdout);
    let summary = report.lines().last().unwrap_or_default();
    println!("pytest: {summary}");
    assert!(
        summary.contains("passed") && !summary.contains("failed") && !summary.contains("skipped"),
        "{report}"
    );
}
