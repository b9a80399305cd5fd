//! The bare `aho-corasick` DFA's count of every match of a list of literals,
//! a peer in `bench/compare.sh`:
//!
//! ```sh
//! cargo build --release --example ac_count
//! target/release/examples/ac_count [--no-prefilter] PATTERNS PATH...
//! ```
//!
//! PATTERNS is a file of literals, one a line (`tifa lexicon export --format
//! patterns`); each PATH is a file or a folder (walked, every regular file).
//! The automaton is `aho_corasick`'s DFA with `MatchKind::Standard`, searched
//! with `find_overlapping_iter`: every match of every literal, overlapping
//! ones and literals inside other literals included, as Hyperscan reports
//! them (`bench/hs_count.c`). Each file is read whole. Prints the number of
//! matches on standard output; the build time, the scan time and the bytes
//! scanned on standard error. The automaton is built on every run, as every
//! tool in the comparison builds its own.

use std::path::Path;
use std::time::Instant;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let prefilter = if args.first().is_some_and(|a| a == "--no-prefilter") {
        args.remove(0);
        false
    } else {
        true
    };
    if args.len() < 2 {
        eprintln!("usage: ac_count [--no-prefilter] PATTERNS PATH...");
        std::process::exit(2);
    }
    let text = std::fs::read(&args[0]).unwrap_or_else(|e| fail(&args[0], &e));
    let patterns: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
        .collect();

    let start = Instant::now();
    let ac = AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::Standard)
        .prefilter(prefilter)
        .build(&patterns)
        .unwrap_or_else(|e| fail("aho-corasick", &e));
    let built = start.elapsed();

    let start = Instant::now();
    let (mut matches, mut bytes) = (0u64, 0u64);
    for path in &args[1..] {
        count(&ac, Path::new(path), &mut matches, &mut bytes);
    }
    let scanned = start.elapsed().as_secs_f64();
    println!("{matches}");
    eprintln!(
        "ac_count: {} literals, DFA, prefilter {prefilter}, {} bytes of automaton, build {:.3} s, scan {scanned:.3} s, {bytes} bytes ({:.0} MB/s)",
        patterns.len(),
        ac.memory_usage(),
        built.as_secs_f64(),
        bytes as f64 / 1e6 / scanned,
    );
}

fn count(ac: &AhoCorasick, path: &Path, matches: &mut u64, bytes: &mut u64) {
    let meta = std::fs::metadata(path).unwrap_or_else(|e| fail(path.display(), &e));
    if meta.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .unwrap_or_else(|e| fail(path.display(), &e))
            .map(|e| e.unwrap_or_else(|e| fail(path.display(), &e)).path())
            .collect();
        entries.sort();
        for entry in entries {
            count(ac, &entry, matches, bytes);
        }
    } else if meta.is_file() {
        let data = std::fs::read(path).unwrap_or_else(|e| fail(path.display(), &e));
        *matches += ac.find_overlapping_iter(&data[..]).count() as u64;
        *bytes += data.len() as u64;
    }
}

fn fail(what: impl std::fmt::Display, e: &dyn std::fmt::Display) -> ! {
    eprintln!("ac_count: {what}: {e}");
    std::process::exit(2);
}
