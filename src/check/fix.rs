//! Applying suggestions: pure text in, text out. Writing files back (with
//! their encoding, BOM, line endings and permissions) is `cli`'s job.

use super::Finding;

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
