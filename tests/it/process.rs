//! Behaviour that needs a real process: a closed pipe, exit codes.

use std::io::Write;
use std::process::{Command, Stdio};

/// `tifa scan … | head -1`: when the reader goes away, tifa stops quietly
/// with status 0 and no error message.
#[test]
fn broken_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .args(["--no-config", "--color", "never", "scan", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before tifa writes anything.
    drop(child.stdout.take());
    let line = "推行两队一室，坚持省级主责、市县主战、派出所主防。\n".repeat(20_000);
    let mut stdin = child.stdin.take().unwrap();
    // tifa reads all of stdin before writing; a write error here would mean
    // it died early.
    stdin.write_all(line.as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
