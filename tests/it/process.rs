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
    // Standard input is scanned in pieces, so tifa meets the closed pipe
    // and stops after the first piece; the rest of this write may then
    // fail, which is what `head` expects of a writer too.
    let _ = stdin.write_all(line.as_bytes());
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// `tifa completions bash`, loaded into bash, completes the subcommands;
/// every other shell's script and the man page are generated.
#[test]
fn completions_and_man_page() {
    let tifa = env!("CARGO_BIN_EXE_tifa");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = Command::new(tifa)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("check"),
            "{shell}"
        );
    }
    let man = Command::new(tifa).arg("man").output().unwrap();
    assert!(man.status.success());
    let man = String::from_utf8(man.stdout).unwrap();
    assert!(
        man.starts_with(".ie") && man.contains(".TH tifa 1"),
        "{man}"
    );
    assert!(
        man.contains(".SH \"EXIT STATUS\"") && man.contains(".SH FILES"),
        "{man}"
    );
    assert_eq!(man.matches(".ie \\n(.g").count(), 1, "one preamble");
    // Every page the SUBCOMMANDS and SEE ALSO sections name is shipped:
    // `tifa man --dir` writes them, `tifa man scan` prints one.
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(tifa)
        .args(["man", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let named: std::collections::BTreeSet<String> = man
        .split("\\fB")
        .filter_map(|s| {
            s.split_once("\\fR(1)")
                .map(|(name, _)| name.replace("\\-", "-"))
        })
        .chain(
            man.lines()
                .filter(|l| l.ends_with("(1)") && l.starts_with("tifa"))
                .map(|l| l.trim_end_matches("(1)").replace("\\-", "-")),
        )
        .collect();
    assert!(
        named.contains("tifa-scan") && named.contains("tifa-lexicon"),
        "{named:?}"
    );
    for page in &named {
        assert!(
            dir.path().join(format!("{page}.1")).is_file(),
            "{page}(1) is named but not written"
        );
    }
    let scan = Command::new(tifa).args(["man", "scan"]).output().unwrap();
    let scan = String::from_utf8(scan.stdout).unwrap();
    assert!(scan.contains(".TH tifa-scan 1"), "{scan}");
    let nope = Command::new(tifa).args(["man", "nope"]).output().unwrap();
    assert_eq!(nope.status.code(), Some(2));

    let Ok(bash) = Command::new("bash").arg("--version").output() else {
        println!("SKIPPED: bash not installed");
        return;
    };
    assert!(bash.status.success());
    // Complete `tifa ch` the way bash does on Tab, and `tifa lexicon ex`.
    let script = format!(
        r#"source <({tifa} completions bash)
COMP_WORDS=(tifa ch); COMP_CWORD=1; COMP_LINE="tifa ch"; COMP_POINT=7
_tifa tifa ch tifa; echo "${{COMPREPLY[@]}}"
COMP_WORDS=(tifa lexicon ex); COMP_CWORD=2; COMP_LINE="tifa lexicon ex"; COMP_POINT=15
_tifa tifa ex lexicon; echo "${{COMPREPLY[@]}}""#
    );
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        lines.first().map(String::as_str),
        Some("check"),
        "{lines:?} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        lines.get(1).map(String::as_str),
        Some("export"),
        "{lines:?}"
    );
}

/// Each worker thread reuses one read buffer from file to file: a small
/// file read after a larger one is counted on its own bytes only.
#[test]
fn a_reused_read_buffer_holds_only_the_file_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "两队一室。".repeat(5_000)).unwrap();
    std::fs::write(dir.path().join("b.txt"), "两队一室").unwrap();
    std::fs::write(dir.path().join("c.txt"), "").unwrap();
    std::fs::write(dir.path().join("d.txt"), "一室").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .args([
            "--no-config",
            "-j",
            "1",
            "count",
            "--by-file",
            "--format",
            "csv",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let file = cells[0].rsplit(['/', '\\']).next().unwrap_or_default();
            format!("{file} {} {}", cells[1], cells[3])
        })
        .collect();
    assert_eq!(
        rows,
        ["a.txt liangdui-yishi 5000", "b.txt liangdui-yishi 1"],
        "{csv}"
    );
}

/// A file whose size says nothing of its length (a named pipe says 0) is
/// read to its end.
#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_to_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.txt");
    let Ok(made) = Command::new("mkfifo").arg(&fifo).status() else {
        println!("SKIPPED: mkfifo not installed");
        return;
    };
    assert!(made.success());
    let text = "派出所主防，两队一室。".repeat(3_000);
    let writer = {
        let (fifo, text) = (fifo.clone(), text.clone());
        std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
    };
    let out = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .args(["--no-config", "count", "--format", "json"])
        .arg(&fifo)
        .output()
        .unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json = String::from_utf8(out.stdout).unwrap();
    assert!(json.contains("\"total\": 6000"), "{json}");
}

/// A file larger than memory can hold, read whole (HTML is not streamed),
/// is an error for that file, exit 2, not an abort.
#[cfg(target_os = "linux")]
#[test]
fn a_file_larger_than_memory_is_an_error_not_an_abort() {
    // With overcommit always on (1), the allocation would succeed and the
    // kernel would kill tifa as it fills it: no test then.
    let overcommit = std::fs::read_to_string("/proc/sys/vm/overcommit_memory").unwrap_or_default();
    if overcommit.trim() == "1" {
        println!("SKIPPED: vm.overcommit_memory is 1");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.html");
    let file = std::fs::File::create(&path).unwrap();
    // A sparse file of 8 TiB: no disk space used.
    if file.set_len(8 << 40).is_err() {
        println!("SKIPPED: the file system does not take sparse files that large");
        return;
    }
    drop(file);
    let out = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .args(["--no-config", "scan"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("huge.html: out of memory"), "{stderr}");
}

/// A text in which slogans, their nested parts and ASCII forms fall across
/// every kind of piece boundary: a fixed sequence of parts that looks
/// random, every part after every other.
fn mixed_text() -> String {
    let parts = [
        "坚持省级主责、市县主战、派出所主防",
        "两队一室",
        "派出所",
        "市县主战、派出所\n\n主防",
        "1333",
        "13333",
        "，",
        "\n",
        "专业＋机制＋大数据",
        "两队",
        "一室",
        "主防主防",
    ];
    let mut text = String::new();
    let mut x: u32 = 7;
    for _ in 0..6_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        text.push_str(parts[(x >> 16) as usize % parts.len()]);
    }
    text
}

/// `tifa -j THREADS ARGS… path` with the streaming settings given; its
/// standard output.
fn run_streamed(
    path: &std::path::Path,
    threads: &str,
    stream_above: &str,
    piece: &str,
    args: &[&str],
) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .args(["--no-config", "--color", "never", "-j", threads])
        .args(args)
        .arg(path)
        .env("TIFA_STREAM_ABOVE", stream_above)
        .env("TIFA_PIECE_BYTES", piece)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A file counted in pieces, on one thread and on several (the pieces
/// counted apart and joined in order), counts what the whole file counts.
#[test]
fn streamed_count_on_threads_equals_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    std::fs::write(&path, mixed_text()).unwrap();
    let count = ["count", "--format", "json"];
    let whole = run_streamed(&path, "1", "100000000", "1", &count);
    // The text has both outermost spans and nested occurrences to count.
    let counted: serde_json::Value = serde_json::from_str(&whole).unwrap();
    let entries = counted["entries"].as_array().unwrap();
    assert!(counted["total"].as_u64().unwrap() > 1_000, "{whole}");
    assert!(
        entries.iter().any(|e| e["nested"].as_u64().unwrap() > 0),
        "{whole}"
    );
    for threads in ["1", "2", "4"] {
        for piece in ["1", "17", "4096"] {
            assert_eq!(
                run_streamed(&path, threads, "0", piece, &count),
                whole,
                "-j {threads}, pieces of {piece} bytes"
            );
        }
    }
}

/// A file scanned in pieces, on one thread and on several (each piece's
/// output made on a worker, joined in order), prints what the whole file
/// prints, in every format.
#[test]
fn streamed_scan_on_threads_equals_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    std::fs::write(&path, mixed_text()).unwrap();
    for format in ["human", "json", "ndjson"] {
        let scan = ["scan", "--format", format];
        let whole = run_streamed(&path, "1", "100000000", "1", &scan);
        assert!(whole.lines().count() > 1_000, "{format}: {whole}");
        for threads in ["1", "2", "4"] {
            for piece in ["1", "17", "4096"] {
                assert!(
                    run_streamed(&path, threads, "0", piece, &scan) == whole,
                    "{format}, -j {threads}, pieces of {piece} bytes"
                );
            }
        }
    }
}

/// With no path and a terminal on standard input, `check` reads the
/// current folder (as ripgrep does) instead of waiting for typed text. The
/// terminal is util-linux's `script`; the test says so and skips without
/// it.
#[test]
fn no_path_on_a_terminal_reads_the_current_folder() {
    let Some(script) = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        println!("skipped: `script` (util-linux) is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("draft.txt"), "推行两队一所。\n").unwrap();
    let tifa = env!("CARGO_BIN_EXE_tifa");
    let out = std::process::Command::new(script)
        .args([
            "-qec",
            &format!("{tifa} --no-config --color never check"),
            "/dev/null",
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("draft.txt:1:3"), "{text}");
    assert!(text.contains("两队一室"), "{text}");
}

/// A broken `tifa.toml` does not stop `lookup` (it needs no check
/// settings): every problem is reported, in the file's order, the valid
/// keys are used (its lexicon), and the look-up answers; `check` refuses
/// it with exit 2.
#[test]
fn broken_config_is_reported_whole_and_lookup_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("terms.toml"),
        std::fs::read_to_string("tests/fixtures/lexicon.toml").unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("tifa.toml"),
        "lexicon = [\"terms.toml\"]\nfail-on = \"loud\"\nunknown = 1\n[rules]\nfoo = \"off\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tifa"))
            .args(["--color", "never"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = run(&["--no-default-lexicon", "lookup", "两队一室"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("两队一室"));
    let at: Vec<usize> = ["tifa.toml:2:11", "tifa.toml:3:1", "tifa.toml:5:1"]
        .iter()
        .map(|l| err.find(l).unwrap_or_else(|| panic!("{l} in {err}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{err}");
    assert!(err.contains("looking up with what is valid"), "{err}");
    let out = run(&["check", "."]);
    assert_eq!(out.status.code(), Some(2));
}

/// A UTF-16LE file with a byte order mark and one lone surrogate is read as
/// UTF-16LE with that unit replaced (a note says so, once), the same way by
/// every command, from a file or standard input, small or past the size
/// read in pieces; `check --fix` leaves it as it is.
#[test]
fn one_bad_unit_in_utf16_is_replaced_everywhere_alike() {
    let dir = tempfile::tempdir().unwrap();
    let line = "推行两队一室，落实一标三实。\n";
    for (name, repeat) in [("small.txt", 3usize), ("large.txt", 60_000)] {
        let mut bytes = vec![0xFF, 0xFE];
        for u in line.repeat(repeat).encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        // A lone high surrogate after the first character.
        bytes.splice(4..4, [0x00, 0xD8]);
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let tifa = env!("CARGO_BIN_EXE_tifa");
        let run = |args: &[&str], stdin: bool| {
            let mut c = std::process::Command::new(tifa);
            c.args(["--no-config", "--color", "never"]).args(args);
            if stdin {
                c.arg("-").stdin(std::fs::File::open(&path).unwrap());
            } else {
                c.arg(&path);
            }
            c.output().unwrap()
        };
        let expected = (2 * repeat).to_string();
        for stdin in [false, true] {
            let count = run(&["count", "--format", "json"], stdin);
            assert_eq!(count.status.code(), Some(0), "{name} stdin={stdin}");
            let v: serde_json::Value = serde_json::from_slice(&count.stdout).unwrap();
            assert_eq!(v["total"].to_string(), expected, "{name} stdin={stdin}");
            let err = String::from_utf8_lossy(&count.stderr);
            assert_eq!(
                err.matches("UTF-16LE in places").count(),
                1,
                "{name}: {err}"
            );
            let scan = run(&["scan", "--format", "ndjson"], stdin);
            assert_eq!(scan.status.code(), Some(0));
            assert_eq!(
                scan.stdout
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    .to_string(),
                expected
            );
        }
        let fix = run(&["check", "--fix"], false);
        assert_ne!(
            fix.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&fix.stderr)
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "--fix left {name} as it was"
        );
    }
}

/// Config and lexicon problems are all reported, each at its place: a
/// tifa.toml that is not UTF-8, a config lexicon path that does not exist
/// (at the config line), a dangling link in a lexicon folder beside a file
/// with problems of its own, and every entry's type error in one file.
#[test]
fn config_and_lexicon_problems_are_all_located() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tifa"))
            .args(["--color", "never"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    std::fs::write(dir.path().join("tifa.toml"), b"allow = [\"\xff\"]\n").unwrap();
    let (code, err) = run(&["check", "."]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("tifa.toml:1:11: config is not valid UTF-8"),
        "{err}"
    );

    std::fs::write(
        dir.path().join("tifa.toml"),
        "lexicon = [\"terms\", \"missing/\"]\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("terms")).unwrap();
    std::fs::write(
        dir.path().join("terms/bad.toml"),
        "[[entry]]\nid = \"x\"\nterm = 3\ncategory = \"a\"\ndefinition = \"b\"\n\n\
         [[entry]]\nid = \"y\"\nterm = \"y\"\ncategory = \"a\"\ndefinition = \"b\"\nbogus = 1\n",
    )
    .unwrap();
    let (code, err) = run(&["check", "."]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("tifa.toml:1:21: no lexicon file or folder `missing/`"),
        "{err}"
    );

    std::fs::write(dir.path().join("tifa.toml"), "lexicon = [\"terms\"]\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        "/nonexistent/x.toml",
        dir.path().join("terms/dangling.toml"),
    )
    .unwrap();
    let (code, err) = run(&["check", "."]);
    assert_eq!(code, Some(2));
    #[cfg(unix)]
    assert!(err.contains("dangling.toml: cannot read lexicon"), "{err}");
    assert!(err.contains("bad.toml:3:8: invalid type"), "{err}");
    assert!(
        err.contains("bad.toml:12:1: unknown field `bogus`"),
        "{err}"
    );
}

/// Escape sequences in scanned text, in a file name and in a user
/// lexicon's fields reach no terminal raw: every human format shows them
/// as `\u{1b}`; with colour on, the only escapes written are tifa's own
/// colours (SGR).
#[test]
fn terminal_escapes_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let name = dir.path().join("a\u{1b}[2J.txt");
    std::fs::write(
        &name,
        "推行两队一所 \u{1b}]0;PWNED\u{7}\u{1b}[2J，落实两队一室。\n",
    )
    .unwrap();
    let lexicon = dir.path().join("terms.toml");
    std::fs::write(
        &lexicon,
        "[[entry]]\nid = \"esc\"\nterm = \"测试词条\"\ncategory = \"基础术语\"\n\
         definition = \"释义\u{1b}]0;PWNED\u{7}里有转义\"\nen = \"test\u{1b}[8m\"\n\
         sources = [\"general knowledge\"]\nexamples = [\"这是测试词条。\"]\n",
    )
    .unwrap();
    let only_sgr = |out: &[u8]| {
        let s = String::from_utf8_lossy(out);
        s.match_indices('\u{1b}').all(|(i, _)| {
            let rest = &s[i + 1..];
            rest.starts_with('[')
                && rest[1..]
                    .chars()
                    .take_while(|c| *c != 'm')
                    .all(|c| c.is_ascii_digit() || c == ';')
        }) && !s.contains("\u{1b}]0;")
            && !s.contains("\u{1b}[2J")
            && !s.contains("\u{1b}[8m")
    };
    let lex = lexicon.to_str().unwrap();
    let file = name.to_str().unwrap();
    for color in ["never", "always"] {
        for args in [
            vec!["scan", file],
            vec!["check", file],
            vec!["annotate", file],
            vec!["count", "--by-file", file],
            vec!["--lexicon", lex, "lookup", "测试词条"],
        ] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_tifa"))
                .args(["--no-config", "--color", color])
                .args(&args)
                .output()
                .unwrap();
            assert!(
                only_sgr(&out.stdout),
                "{color} {args:?}: {:?}",
                String::from_utf8_lossy(&out.stdout)
            );
            assert!(
                only_sgr(&out.stderr),
                "{color} {args:?}: {:?}",
                String::from_utf8_lossy(&out.stderr)
            );
            if color == "never" {
                assert!(!out.stdout.contains(&0x1b), "{args:?}");
            }
        }
    }
}
