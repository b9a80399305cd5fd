//! `check --fix` on any text: never panics, findings lie on character
//! boundaries and do not overlap, and the fixed text re-checks without new
//! wrong forms.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tifa::check::{Checker, Rule, Settings, fix};
use tifa::lexicon::Lexicon;
use tifa::scan::Scanner;

fn fixture() -> &'static Checker<'static> {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    static CHECKER: OnceLock<Checker<'static>> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let lexicon = LEXICON.get_or_init(|| Lexicon::embedded().expect("embedded lexicon"));
        let scanner = SCANNER.get_or_init(|| Scanner::new(lexicon).expect("scanner"));
        Checker::new(lexicon, scanner, Settings::default()).expect("checker")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let checker = fixture();
    let findings = checker.check(&text);
    for f in &findings {
        assert!(f.start <= f.end && f.end <= text.len());
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
    }
    assert!(findings.windows(2).all(|w| w[0].end <= w[1].start));
    let wrong_before = findings
        .iter()
        .filter(|f| f.rule == Rule::WrongForm && !f.fixable)
        .count();
    let (fixed, _) = fix::apply(&text, &findings);
    let wrong_after = checker
        .check(&fixed)
        .iter()
        .filter(|f| f.rule == Rule::WrongForm)
        .count();
    assert!(
        wrong_after <= wrong_before,
        "fixing {text:?} gave {fixed:?} with new wrong forms"
    );
});
