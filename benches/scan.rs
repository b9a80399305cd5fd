//! Micro-benchmarks of the pipeline (`cargo bench`): normalization, building
//! the automaton (default lexicon and a generated 20,000-entry one),
//! scanning per byte of Chinese text, counting, checking and look-up.
//!
//! Every benchmark first asserts the result it times, so a fast but wrong
//! scanner fails instead of looking good. Whole-program comparisons with
//! ripgrep are in `bench/compare.sh`.

use std::sync::OnceLock;

use divan::{Bencher, black_box, counter::BytesCount};
use tifa::check::{Checker, Settings};
use tifa::lexicon::{Lexicon, LexiconFile};
use tifa::scan::{Scanner, accepted, outermost, per_entry};
use tifa::text::normalize;

fn main() {
    divan::main();
}

fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| Lexicon::embedded().expect("embedded lexicon"))
}

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| Scanner::new(lexicon()).expect("scanner"))
}

/// About 1 MB of the project's samples, repeated.
fn corpus() -> &'static str {
    static C: OnceLock<String> = OnceLock::new();
    C.get_or_init(|| {
        let samples: String = ["briefing.md", "report.txt", "wrapped.txt"]
            .iter()
            .map(|f| std::fs::read_to_string(format!("samples/{f}")).expect("samples"))
            .collect();
        samples.repeat((1 << 20) / samples.len() + 1)
    })
}

/// A lexicon of `n` generated entries: 4 to 8 ideographs each, distinct.
fn generated(n: usize) -> Lexicon {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut toml = String::new();
    let mut seen = std::collections::HashSet::new();
    while seen.len() < n {
        let len = 4 + (next() % 5) as usize;
        let term: String = (0..len)
            .map(|_| char::from_u32(0x4E00 + (next() % 0x5000) as u32).unwrap_or('一'))
            .collect();
        if seen.insert(term.clone()) {
            toml.push_str(&format!(
                "[[entry]]\nid = \"g{}\"\nterm = \"{term}\"\ncategory = \"c\"\ndefinition = \"d\"\n",
                seen.len()
            ));
        }
    }
    Lexicon::load(&[vec![LexiconFile {
        path: "generated.toml".into(),
        text: toml,
    }]])
    .expect("generated lexicon loads")
}

#[divan::bench]
fn normalize_1mb(b: Bencher) {
    let text = corpus();
    assert_ne!(
        normalize(text).as_str().len(),
        text.len(),
        "the corpus has something to fold"
    );
    b.counter(BytesCount::new(text.len()))
        .bench(|| normalize(black_box(text)).as_str().len());
}

#[divan::bench]
fn build_default_lexicon(b: Bencher) {
    assert!(lexicon().len() >= 200);
    b.bench(|| Scanner::new(black_box(lexicon())).expect("scanner"));
}

#[divan::bench(sample_count = 10)]
fn build_20000_entries(b: Bencher) {
    let lexicon = generated(20_000);
    assert_eq!(lexicon.len(), 20_000);
    b.bench(|| Scanner::new(black_box(&lexicon)).expect("scanner"));
}

#[divan::bench]
fn scan_1mb(b: Bencher) {
    let text = corpus();
    let spans = outermost(&scanner().hits(text), accepted).len();
    let samples = ["briefing.md", "report.txt", "wrapped.txt"]
        .iter()
        .map(|f| std::fs::read_to_string(format!("samples/{f}")).expect("samples"))
        .collect::<String>();
    let per_copy = outermost(&scanner().hits(&samples), accepted).len();
    assert!(per_copy > 100, "the samples have terms");
    // Copies joined end to end can only gain spans at the joins.
    assert!(spans >= per_copy * (text.len() / samples.len()));
    b.counter(BytesCount::new(text.len()))
        .bench(|| outermost(&scanner().hits(black_box(text)), accepted).len());
}

#[divan::bench]
fn count_1mb(b: Bencher) {
    let text = corpus();
    b.counter(BytesCount::new(text.len()))
        .bench(|| per_entry(&scanner().hits(black_box(text))).len());
}

#[divan::bench]
fn check_1mb(b: Bencher) {
    let text = corpus();
    let checker = Checker::new(lexicon(), scanner(), Settings::default()).expect("checker");
    assert!(!checker.check(text).is_empty(), "report.txt has misquotes");
    b.counter(BytesCount::new(text.len()))
        .bench(|| checker.check(black_box(text)).len());
}

#[divan::bench]
fn lookup_component(b: Bencher) {
    let found = tifa::lookup::lookup(lexicon(), "社区警务队", Default::default());
    assert!(
        found
            .iter()
            .any(|f| lexicon().entry(f.entry).id == "liangdui-yishi")
    );
    b.bench(|| {
        tifa::lookup::lookup(
            black_box(lexicon()),
            black_box("社区警务队"),
            Default::default(),
        )
        .len()
    });
}

#[divan::bench(sample_count = 20)]
fn load_embedded_lexicon(b: Bencher) {
    b.bench(|| Lexicon::embedded().expect("embedded").len());
}
