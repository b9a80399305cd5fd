//! Any bytes as a lexicon file: loading never panics, and a lexicon that
//! loads builds a scanner and a checker.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tifa::lexicon::{Lexicon, LexiconFile};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let file = LexiconFile {
        path: "fuzz.toml".into(),
        text,
    };
    match Lexicon::load(&[vec![file]]) {
        Ok(lexicon) => {
            if let Ok(scanner) = tifa::scan::Scanner::new(&lexicon) {
                let settings = tifa::check::Settings::default();
                let _ = tifa::check::Checker::new(&lexicon, &scanner, settings);
            }
        }
        Err(diags) => {
            for d in diags {
                // Every diagnostic points inside its file.
                assert!(d.location.line <= d.source_line.len() + data.len() + 1);
            }
        }
    }
});
