//! Checks on the merged entries, each problem a [`Diagnostic`] at the value
//! that causes it. Reports every problem, never stops at the first.

use std::collections::{HashMap, HashSet};

use toml::Spanned;

use super::Scope;
use super::load::Parsed;
use crate::diagnostic::Diagnostic;
use crate::text::normalize;

/// Validates merged entries.
pub(super) fn validate(entries: &[Parsed<'_>]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let ids: HashSet<&str> = entries.iter().map(|p| p.raw.id.get_ref().trim()).collect();

    for p in entries {
        let r = &p.raw;
        let id = r.id.get_ref().trim();
        if id.is_empty() {
            diags.push(p.diag(r.id.span(), "empty id".into()));
        } else if !is_valid_id(id) {
            diags.push(p.diag(r.id.span(), format!("invalid id `{id}`")).with_hint(
                "ids use ASCII letters, digits, '-', '_' and '.', and start with a letter or digit",
            ));
        }
        for (field, value) in [
            ("term", Some(&r.term)),
            ("category", Some(&r.category)),
            ("definition", Some(&r.definition)),
            ("en", r.en.as_ref()),
            ("notes", r.notes.as_ref()),
            ("en_note", r.en_note.as_ref()),
        ] {
            if let Some(v) = value
                && v.get_ref().trim().is_empty()
            {
                diags.push(p.diag(v.span(), format!("empty {field} in entry `{id}`")));
            }
        }
        for (field, list) in [
            ("components", &r.components),
            ("variants", &r.variants),
            ("sources", &r.sources),
            ("examples", &r.examples),
            ("counterexamples", &r.counterexamples),
            ("followed_by", &r.followed_by),
            ("not_wrong", &r.not_wrong),
        ] {
            for v in list {
                if v.get_ref().trim().is_empty() {
                    diags
                        .push(p.diag(v.span(), format!("empty string in {field} of entry `{id}`")));
                }
            }
        }
        for rel in &r.related {
            let target = rel.get_ref().trim();
            if target == id {
                diags.push(p.diag(rel.span(), format!("entry `{id}` lists itself as related")));
            } else if !ids.contains(target) {
                diags.push(unknown_id(p, rel, "related"));
            }
        }
        if let Some(s) = &r.scope
            && Scope::parse(s.get_ref().trim()).is_none()
        {
            diags.push(
                p.diag(s.span(), format!("unknown scope `{}`", s.get_ref().trim()))
                    .with_hint(format!("a scope is one of: {}", Scope::NAMES.join(", "))),
            );
        }
        if let Some(c) = &r.context {
            let name = c.get_ref().trim();
            if name != "quoted" {
                diags.push(
                    p.diag(c.span(), format!("unknown context `{name}`"))
                        .with_hint("the context is \"quoted\"; for a following text use followed_by = [...]"),
                );
            } else if let Some(first) = r.followed_by.first() {
                diags.push(
                    p.diag(
                        first.span(),
                        format!("entry `{id}` has both context and followed_by"),
                    )
                    .with_hint("give one context rule per entry"),
                );
            }
        }
        if let Some(s) = &r.superseded_by
            && !ids.contains(s.get_ref().trim())
        {
            diags.push(unknown_id(p, s, "superseded_by"));
        }
    }

    check_forms(entries, &mut diags);
    check_supersession(entries, &mut diags);
    check_lengths(entries, &mut diags);
    diags
}

/// `superseded_by` chains that come back to where they start (`a → b → a`,
/// `c → c`): `--fix` would swap the forms back and forth. Each entry on a
/// cycle is reported at its own `superseded_by`. See: #18.
fn check_supersession(entries: &[Parsed<'_>], diags: &mut Vec<Diagnostic>) {
    let next: HashMap<&str, &str> = entries
        .iter()
        .filter_map(|p| {
            let s = p.raw.superseded_by.as_ref()?;
            Some((p.raw.id.get_ref().trim(), s.get_ref().trim()))
        })
        .collect();
    for p in entries {
        let Some(s) = &p.raw.superseded_by else {
            continue;
        };
        let id = p.raw.id.get_ref().trim();
        let mut chain = vec![id];
        let mut at = s.get_ref().trim();
        // A chain longer than the entries has met a cycle not through `id`.
        while at != id && chain.len() <= next.len() {
            chain.push(at);
            match next.get(at) {
                Some(n) => at = n,
                None => break,
            }
        }
        if at == id {
            chain.push(id);
            diags.push(
                p.diag(
                    s.span(),
                    format!("superseded_by forms a cycle: {}", chain.join(" → ")),
                )
                .with_hint("an entry is superseded by a newer one that is not itself superseded by it; remove one superseded_by"),
            );
        }
    }
}

/// The most characters a form may have (a term, variant, component, wrong
/// or outdated form, `followed_by` or `not_wrong` text). The embedded
/// lexicon's longest is 62; a scan keeps the longest form's length of text
/// around every cut of a streamed file, so one form of 10,000 characters
/// made a scan of a 1.2 MB file take 5 GB.
pub const MAX_FORM_CHARS: usize = 200;

/// Forms longer than [`MAX_FORM_CHARS`].
fn check_lengths(entries: &[Parsed<'_>], diags: &mut Vec<Diagnostic>) {
    for p in entries {
        let r = &p.raw;
        let id = r.id.get_ref().trim();
        let lists: [(&str, Vec<&Spanned<String>>); 7] = [
            ("term", vec![&r.term]),
            ("variants", r.variants.iter().collect()),
            ("components", r.components.iter().collect()),
            ("wrong", r.wrong.iter().map(|f| &f.form).collect()),
            ("outdated", r.outdated.iter().map(|f| &f.form).collect()),
            ("followed_by", r.followed_by.iter().collect()),
            ("not_wrong", r.not_wrong.iter().collect()),
        ];
        for (field, values) in lists {
            for v in values {
                let chars = v.get_ref().trim().chars().count();
                if chars > MAX_FORM_CHARS {
                    diags.push(
                        p.diag(
                            v.span(),
                            format!(
                                "{field} of entry `{id}` has {chars} characters, more than the limit of {MAX_FORM_CHARS}"
                            ),
                        )
                        .with_hint(format!(
                            "a form is a formulation as it is written, at most {MAX_FORM_CHARS} characters; put longer text in definition, notes or examples"
                        )),
                    );
                }
            }
        }
    }
}

fn unknown_id(p: &Parsed<'_>, value: &Spanned<String>, field: &str) -> Diagnostic {
    p.diag(
        value.span(),
        format!("unknown id `{}` in {field}", value.get_ref().trim()),
    )
    .with_hint("use the `id` of an entry in this lexicon")
}

fn is_valid_id(id: &str) -> bool {
    id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Where a normalized form was first seen.
struct Seen<'a> {
    entry: usize,
    value: &'a Spanned<String>,
    wrong: bool,
}

/// Duplicate forms, wrong forms equal to accepted ones, empty forms.
fn check_forms(entries: &[Parsed<'_>], diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, Seen<'_>> = HashMap::new();
    // Accepted forms first, so a wrong form is compared with all of them
    // whatever the order of the entries.
    let accepted = entries.iter().enumerate().flat_map(|(i, p)| {
        std::iter::once(&p.raw.term)
            .chain(&p.raw.variants)
            .map(move |v| (i, v, false))
    });
    let wrong = entries.iter().enumerate().flat_map(|(i, p)| {
        p.raw
            .wrong
            .iter()
            .chain(&p.raw.outdated)
            .map(move |f| (i, &f.form, true))
    });
    for (i, value, is_wrong) in accepted.chain(wrong) {
        let p = &entries[i];
        let form = value.get_ref().trim();
        if form.is_empty() {
            // Reported as an empty term or string above, except for these.
            if is_wrong {
                diags.push(p.diag(value.span(), "empty form".into()));
            }
            continue;
        }
        let key = normalize(form).as_str().to_owned();
        let Some(first) = seen.get(&key) else {
            seen.insert(
                key,
                Seen {
                    entry: i,
                    value,
                    wrong: is_wrong,
                },
            );
            continue;
        };
        let other = &entries[first.entry];
        let at = other.diag(first.value.span(), String::new()).location;
        let other_id = other.raw.id.get_ref().trim();
        let message = match (is_wrong, first.wrong) {
            (true, false) => {
                format!("wrong form `{form}` is an accepted form of entry `{other_id}` (at {at})")
            }
            _ if first.entry == i => {
                format!("form `{form}` repeats a form of the same entry (at {at})")
            }
            _ => format!("form `{form}` is also a form of entry `{other_id}` (at {at})"),
        };
        let hint = "a form may belong to one entry only; full-width ASCII and whitespace between CJK characters do not make forms different";
        diags.push(p.diag(value.span(), message).with_hint(hint));
    }
}
