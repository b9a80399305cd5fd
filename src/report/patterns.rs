//! `lexicon export --format patterns`: every term and variant as written,
//! one per line, longest first, for `rg -F -f patterns` or `grep -F -f`.
//!
//! These are the forms as the lexicon writes them, not normalized: a fixed
//! string search finds `专业+机制+大数据` but not `专业＋机制＋大数据` or a
//! term broken by a line wrap, which `tifa scan` does. Longest first, so
//! that tools that take the first pattern that matches at a position
//! prefer the whole slogan to its parts.

use std::io::{self, Write};

use crate::lexicon::Lexicon;

/// Writes the patterns, without repeats.
pub fn export(out: &mut dyn Write, lexicon: &Lexicon) -> io::Result<()> {
    let mut forms: Vec<&str> = Vec::new();
    for e in lexicon.entries() {
        for f in std::iter::once(&e.term).chain(&e.variants) {
            // A pattern file is line-based; a form never holds a line break,
            // but a user lexicon could.
            if !f.contains(['\n', '\r']) && !forms.contains(&f.as_str()) {
                forms.push(f);
            }
        }
    }
    // Stable: equal lengths keep lexicon order.
    forms.sort_by_key(|f| std::cmp::Reverse(f.chars().count()));
    for f in forms {
        writeln!(out, "{f}")?;
    }
    Ok(())
}
