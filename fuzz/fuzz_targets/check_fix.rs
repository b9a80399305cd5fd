//! `check --fix` on any text: never panics, findings lie on character
//! boundaries and do not overlap, and the fixed text holds no new wrong
//! form: its wrong forms are at most those of the text that `--fix` did not
//! replace. (Counted by the scanner, not by `check`: a fix that removes a
//! line break inside a term moves text across lines, which may carry it
//! out of reach of a `tifa-ignore-next-line`; see regressions/check_fix.)
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tifa::check::{Checker, Rule, Settings, fix};
use tifa::lexicon::Lexicon;
use tifa::lexicon::FormKind;
use tifa::scan::{Scanner, outermost};

static LEXICON: OnceLock<Lexicon> = OnceLock::new();
static SCANNER: OnceLock<Scanner> = OnceLock::new();

fn fixture() -> &'static Checker<'static> {
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
    let scanner = SCANNER.get().expect("built with the checker");
    let wrong = |text: &str| {
        let hits = scanner.hits(text);
        outermost(&hits, |h| {
            matches!(h.kind, FormKind::Term | FormKind::Variant | FormKind::Wrong | FormKind::Outdated)
        })
        .iter()
        .filter(|h| h.kind == FormKind::Wrong)
        .count()
    };
    let fixed_wrong = findings
        .iter()
        .filter(|f| f.rule == Rule::WrongForm && f.fixable)
        .count();
    let (fixed, _) = fix::apply(&text, &findings);
    let before = wrong(&text);
    let after = wrong(&fixed);
    assert!(
        after + fixed_wrong <= before,
        "fixing {text:?} gave {fixed:?}: {after} wrong forms left of {before}, {fixed_wrong} fixed"
    );
});
