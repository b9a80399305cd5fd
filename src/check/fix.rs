//! Applying suggestions: pure text in, text out. Writing files back (with
//! their encoding, BOM, line endings and permissions) is `cli`'s job.

use super::Finding;
use crate::text::{Positions, Source};

/// Replaces each fixable finding's span by its suggestion. Findings must
/// not overlap (the checker guarantees it). Returns the new text and how
/// many replacements were made.
pub fn apply(text: &str, findings: &[Finding]) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut applied = 0;
    let mut fixes: Vec<&Finding> = findings.iter().filter(|f| f.fixable).collect();
    fixes.sort_by_key(|f| f.start);
    for f in fixes {
        let Some(suggestion) = &f.suggestion else {
            continue;
        };
        if f.start < at || text.get(f.start..f.end).is_none() {
            continue;
        }
        out.push_str(&text[at..f.start]);
        out.push_str(suggestion);
        at = f.end;
        applied += 1;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

/// The text a fix is applied to (the file's own text: for HTML, the
/// source) and the findings that can be fixed in it, in its offsets.
///
/// In HTML only a finding whose span has no markup or entity inside is
/// kept: its source is exactly the text that was checked.
pub fn in_source<'s>(
    src: &'s Source,
    positions: &Positions<'_>,
    findings: &[Finding],
) -> (&'s str, Vec<Finding>) {
    let Some(m) = &src.markup else {
        return (&src.text, findings.to_vec());
    };
    let fixes = findings
        .iter()
        .filter(|f| in_plain_source(src, positions, f))
        .map(|f| {
            let span = positions.span(f.start, f.end);
            Finding {
                start: span.byte_start,
                end: span.byte_end,
                ..f.clone()
            }
        })
        .collect();
    (&m.source, fixes)
}

/// True when the span of `f` reads in the source as in the text: no tag or
/// entity inside (always, for a text without markup).
fn in_plain_source(src: &Source, positions: &Positions<'_>, f: &Finding) -> bool {
    let Some(m) = &src.markup else {
        return true;
    };
    let span = positions.span(f.start, f.end);
    m.source.get(span.byte_start..span.byte_end) == src.text.get(f.start..f.end)
}

/// True when `--fix` can apply the finding `f` to this document: not in a
/// text read with replacement characters, in HTML only where [`in_source`]
/// keeps it, in a Word document (as a tracked change) only within one
/// paragraph, never in a PDF (tifa does not write PDFs).
pub fn can_apply(src: &Source, positions: &Positions<'_>, f: &Finding) -> bool {
    if src.format == crate::format::Format::Pdf {
        return false;
    }
    if src.format == crate::format::Format::Docx {
        // A tracked change in one paragraph (`tifa review`).
        return src.note.is_none()
            && src
                .text
                .get(f.start..f.end)
                .is_some_and(|t| !t.contains('\n'));
    }
    src.note.is_none() && in_plain_source(src, positions, f)
}
