//! `check --fix` never surprises (#18): it writes through symbolic links,
//! keeps hard links, owner and group, refuses read-only files, reaches the
//! fixed point in one run, keeps what inline directives cover, and leaves
//! no temporary file behind, even when interrupted.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tifa::cli::ExitStatus;

use crate::{FIXTURE_LEXICON, tifa};

fn fix_with(lexicon: &[&str], paths: &[&Path]) -> (ExitStatus, String, String) {
    let mut args = lexicon.to_vec();
    args.extend(["--no-config", "check", "--fix"]);
    let paths: Vec<&str> = paths.iter().map(|p| p.to_str().unwrap()).collect();
    args.extend(paths);
    tifa(&args)
}

fn fix(paths: &[&Path]) -> (ExitStatus, String, String) {
    fix_with(&FIXTURE_LEXICON, paths)
}

/// A file that the test lexicon fixes (两队一所 → 两队一室).
const WRONG: &str = "推行两队一所改革。\n";
const RIGHT: &str = "推行两队一室改革。\n";

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn fix_writes_through_a_symbolic_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.txt");
    let link = dir.path().join("link.txt");
    std::fs::write(&target, WRONG).unwrap();
    std::os::unix::fs::symlink("target.txt", &link).unwrap();
    let (status, out, err) = fix(&[&link]);
    assert_ne!(status, ExitStatus::Error, "{out}{err}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is kept"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), RIGHT);
    assert_eq!(names(dir.path()), ["link.txt", "target.txt"]);
}

#[test]
fn fix_keeps_hard_links() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, WRONG).unwrap();
    std::fs::hard_link(&a, &b).unwrap();
    let inode = std::fs::metadata(&a).unwrap().ino();
    let (status, out, err) = fix(&[&a]);
    assert_ne!(status, ExitStatus::Error, "{out}{err}");
    let meta = std::fs::metadata(&a).unwrap();
    assert_eq!((meta.ino(), meta.nlink()), (inode, 2), "the link is kept");
    assert_eq!(std::fs::read_to_string(&b).unwrap(), RIGHT);
    assert_eq!(names(dir.path()), ["a.txt", "b.txt"]);
}

/// True when the tests run as root (then a file can be given away).
fn root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[test]
fn fix_keeps_owner_and_group() {
    if !root() {
        eprintln!("skipped: giving a file to another user needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("theirs.txt");
    std::fs::write(&path, WRONG).unwrap();
    std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
    let (status, out, err) = fix(&[&path]);
    assert_ne!(status, ExitStatus::Error, "{out}{err}");
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert_eq!(meta.permissions().mode() & 0o7777, 0o664);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), RIGHT);
}

#[test]
fn a_read_only_file_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro.txt");
    std::fs::write(&path, WRONG).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let (status, out, err) = fix(&[&path]);
    assert_eq!(status, ExitStatus::Error, "{out}{err}");
    let shown = path.to_str().unwrap();
    assert!(
        err.contains(&format!(
            "{shown}: not fixed: the file is read-only (mode 444)"
        )),
        "{err}"
    );
    assert!(err.contains("chmod u+w"), "{err}");
    assert!(
        out.contains("两队一所"),
        "the finding is still reported: {out}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), WRONG);
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o444);
    assert_eq!(names(dir.path()), ["ro.txt"]);
}

/// Runs `--fix` twice with the default lexicon; returns the text after each.
/// A file the running user may not write (not its owner, no write bit for
/// others) is refused and left alone: run as `nobody` through util-linux
/// `setpriv` when the tests run as root, else skipped with a message.
#[test]
fn a_file_you_may_not_write_is_refused_and_left_alone() {
    let Some(setpriv) = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        println!("skipped: util-linux setpriv is not installed");
        return;
    };
    if !root() {
        println!("skipped: needs root to run tifa as another user");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = dir.path().join("a.txt");
    std::fs::write(&file, WRONG).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_tifa"))
        .args(["--no-default-lexicon", "--lexicon"])
        .arg(std::fs::canonicalize("tests/fixtures/lexicon.toml").unwrap())
        .args(["--no-config", "--color", "never", "check", "--fix"])
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("Permission denied") && !err.contains("not fixed") {
        println!("skipped: nobody cannot run the test binary here: {err}");
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("not fixed: you have no write permission"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), WRONG);
}

fn default_fix_twice(name: &str, text: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let (status, out, err) = fix_with(&[], &[&path]);
    assert_ne!(status, ExitStatus::Error, "{out}{err}");
    let once = std::fs::read_to_string(&path).unwrap();
    fix_with(&[], &[&path]);
    (once, std::fs::read_to_string(&path).unwrap())
}

#[test]
fn one_fix_reaches_the_fixed_point() {
    // The order first, then 主练 → 主训: two steps, one run.
    let (once, twice) = default_fix_twice("order.txt", "坚持县市主战、派出所主防、全警主练。\n");
    assert_eq!(once, "坚持市县主战、派出所主防、全警主训。\n");
    assert_eq!(once, twice);
}

#[test]
fn a_fix_that_joins_lines_keeps_what_a_directive_covers() {
    // Joining lines 1 and 2 would take line 2's 两队一所 out of the
    // ignored line and put line 3 under the directive.
    let text = "<!-- tifa-ignore-next-line --> 坚持市县主战、派出所\n主防、全警主训，推行两队一所\n推行两队一所。\n";
    let (once, twice) = default_fix_twice("directive.md", text);
    assert_eq!(
        once,
        "<!-- tifa-ignore-next-line --> 坚持市县主战、派出所\n主防、全警主训，推行两队一所\n推行两队一室。\n"
    );
    assert_eq!(once, twice, "a second --fix changes nothing");
    // Without the directive the line break is fixed.
    let (once, twice) = default_fix_twice("plain.md", "坚持市县主战、派出所\n主防、全警主训。\n");
    assert_eq!(once, "坚持市县主战、派出所主防、全警主训。\n");
    assert_eq!(once, twice);
}

fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        // A tifa.toml there would not be read (--no-config) nor fixed.
        if e.file_type().unwrap().is_file() && !name.to_string_lossy().ends_with(".toml") {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    names(dir)
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

#[test]
fn a_second_fix_of_every_fixture_and_sample_changes_nothing() {
    for folder in ["tests/fixtures/check", "tests/fixtures/fix", "samples"] {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(Path::new(folder), dir.path());
        let before = read_tree(dir.path());
        fix_with(&[], &[dir.path()]);
        let once = read_tree(dir.path());
        assert_ne!(before, once, "{folder}: the first --fix changes something");
        fix_with(&[], &[dir.path()]);
        let twice = read_tree(dir.path());
        for ((name, a), (_, b)) in once.iter().zip(&twice) {
            let (x, y) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
            let diff = similar::TextDiff::from_lines(x.as_ref(), y.as_ref());
            assert!(
                a == b,
                "{folder}/{name}: the second --fix changed it:\n{}",
                diff.unified_diff()
            );
        }
        assert_eq!(once.len(), twice.len());
    }
}

#[test]
fn a_superseded_by_cycle_is_an_error_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cycle.toml");
    let entry = |id: &str, term: &str, by: &str| {
        format!(
            "[[entry]]\nid = \"{id}\"\nterm = \"{term}\"\ncategory = \"测试\"\ndefinition = \"测试。\"\nsuperseded_by = \"{by}\"\n\n"
        )
    };
    let text = [
        entry("a", "甲乙丙丁", "b"),
        entry("b", "戊己庚辛", "a"),
        entry("c", "壬癸子丑", "c"),
    ]
    .concat();
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    let (status, out, err) = tifa(&[
        "--no-default-lexicon",
        "--lexicon",
        p,
        "lexicon",
        "validate",
    ]);
    assert_eq!(status, ExitStatus::Error, "{out}{err}");
    for (line, chain) in [(6, "a → b → a"), (13, "b → a → b"), (20, "c → c")] {
        let wanted = format!("{p}:{line}:17: superseded_by forms a cycle: {chain}");
        assert!(err.contains(&wanted), "{wanted} in\n{err}");
    }
    // Loading for any command fails the same way.
    let doc = dir.path().join("doc.txt");
    std::fs::write(&doc, "甲乙丙丁\n").unwrap();
    let (status, _, err) = tifa(&[
        "--no-default-lexicon",
        "--lexicon",
        p,
        "check",
        "--fix",
        doc.to_str().unwrap(),
    ]);
    assert_eq!(status, ExitStatus::Error);
    assert!(
        err.contains(&format!("{p}:20:17: superseded_by forms a cycle")),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&doc).unwrap(), "甲乙丙丁\n");
}

#[test]
fn fix_removes_what_a_killed_run_left() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.txt");
    std::fs::write(&path, WRONG).unwrap();
    // No process has this pid (Linux pids stop at 2^22).
    let stale = dir.path().join(".tifa-fix-999999999-Ab12cd");
    // This test's own process runs: its file is not touched.
    let live = dir
        .path()
        .join(format!(".tifa-fix-{}-Xy34ef", std::process::id()));
    let other = dir.path().join(".tifa-fix-notes.txt");
    for f in [&stale, &live, &other] {
        std::fs::write(f, "x").unwrap();
    }
    let (status, out, err) = fix(&[&path]);
    assert_ne!(status, ExitStatus::Error, "{out}{err}");
    let live_name = live.file_name().unwrap().to_str().unwrap().to_owned();
    let mut wanted = vec![
        ".tifa-fix-notes.txt".to_owned(),
        live_name,
        "a.txt".to_owned(),
    ];
    wanted.sort();
    assert_eq!(names(dir.path()), wanted);
}

fn temporary_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            e.file_name()
                .to_string_lossy()
                .starts_with(".tifa-fix")
                .then(|| e.path())
        })
        .collect()
}

/// A signal while the fixed file is written removes the temporary file;
/// the file is either as it was or wholly fixed.
#[test]
fn an_interrupted_fix_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    // 30 MB with one finding at the end: the write takes a while.
    let line = "派出所民警开展入户走访，核对实有人口信息。\n";
    let mut text = line.repeat(30_000_000 / line.len());
    text.push_str(WRONG);
    std::fs::write(&path, &text).unwrap();
    let fixed = format!("{}{RIGHT}", &text[..text.len() - WRONG.len()]);
    let mut caught = 0;
    for signal in ["TERM", "INT"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tifa"))
            .args(FIXTURE_LEXICON)
            .args(["--no-config", "check", "--fix"])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let mut seen = false;
        while start.elapsed() < Duration::from_secs(120) {
            if !temporary_files(dir.path()).is_empty() {
                seen = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if seen {
            let killed = Command::new("kill")
                .args([format!("-{signal}"), child.id().to_string()])
                .status()
                .unwrap();
            assert!(killed.success());
        }
        let status = child.wait().unwrap();
        assert!(
            temporary_files(dir.path()).is_empty(),
            "{signal}: {status:?}"
        );
        let now = std::fs::read_to_string(&path).unwrap();
        assert!(now == text || now == fixed, "{signal}: the file is torn");
        if seen && now == text {
            use std::os::unix::process::ExitStatusExt;
            caught += 1;
            assert!(status.signal().is_some(), "{signal}: ended by the signal");
        }
        std::fs::write(&path, &text).unwrap();
    }
    eprintln!("{caught} of 2 signals came while the temporary file was written");
    assert!(
        caught > 0,
        "no signal came while the temporary file was written"
    );
}
