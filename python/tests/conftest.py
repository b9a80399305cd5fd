"""Shared fixtures: the repository, the `tifa` binary to compare with."""

import json
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _binary():
    """The `tifa` binary: $TIFA_BIN (the Rust test harness sets it), else a
    build in target/, else one on PATH."""
    env = os.environ.get("TIFA_BIN")
    if env:
        return env
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "tifa"
        if p.exists():
            return str(p)
    return shutil.which("tifa")


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI on arguments (and stdin); returns its stdout parsed as
    JSON, or as NDJSON lines with ndjson=True."""
    binary = _binary()
    if binary is None:
        pytest.skip("no tifa binary: build it (cargo build) or set TIFA_BIN")

    def run(*args, stdin=None, ndjson=False, check=True):
        p = subprocess.run(
            [binary, "--no-config", *args],
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            cwd=ROOT,
        )
        if check and p.returncode not in (0, 1):
            raise AssertionError(p.stderr.decode())
        out = p.stdout.decode()
        if ndjson:
            return [json.loads(line) for line in out.splitlines() if line]
        return json.loads(out)

    return run


@pytest.fixture(scope="session")
def texts(root):
    """The sample documents and check fixtures, as (name, text)."""
    paths = sorted((root / "samples").glob("*.txt")) + sorted((root / "samples").glob("*.md"))
    paths += sorted((root / "tests" / "fixtures" / "check").glob("*.md"))
    return [(str(p.relative_to(root)), p.read_text(encoding="utf-8")) for p in paths]
