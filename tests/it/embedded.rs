//! The embedded lexicon: loads without a single diagnostic, every entry is
//! complete, and every example and counterexample passes.

use std::collections::HashSet;

use tifa::cli::ExitStatus;
use tifa::lexicon::Lexicon;

use crate::tifa;

/// The categories documented in lexicon/README.md.
const CATEGORIES: [&str; 8] = tifa::lookup::CATEGORIES;

#[test]
fn loads_clean() {
    let lexicon = match Lexicon::embedded() {
        Ok(l) => l,
        Err(diags) => {
            let all: Vec<String> = diags.iter().map(ToString::to_string).collect();
            panic!("embedded lexicon has problems:\n{}", all.join("\n"));
        }
    };
    assert!(lexicon.len() >= 40, "only {} entries", lexicon.len());
}

#[test]
fn entries_are_complete() {
    let lexicon = Lexicon::embedded().unwrap();
    let categories: HashSet<&str> = CATEGORIES.iter().copied().collect();
    let mut problems = Vec::new();
    for e in lexicon.entries() {
        if !categories.contains(e.category.as_str()) {
            problems.push(format!(
                "{}: category {} is not documented",
                e.location, e.category
            ));
        }
        if e.en.is_none() {
            problems.push(format!("{}: `{}` has no en", e.location, e.id));
        }
        if e.sources.is_empty() {
            problems.push(format!("{}: `{}` has no sources", e.location, e.id));
        }
        if e.examples.is_empty() {
            problems.push(format!("{}: `{}` has no examples", e.location, e.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn examples_pass() {
    let (status, out, err) = tifa(&["lexicon", "test"]);
    assert_eq!(status, ExitStatus::Success, "{out}{err}");
}
