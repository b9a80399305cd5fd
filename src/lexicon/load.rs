//! Reading lexicon files: the embedded set, user files and folders; parsing
//! and merging layers before [`super::validate`] checks the result.

use std::collections::HashMap;
use std::path::Path;

use super::raw::{RawEntry, RawFile};
use super::{Context, Entry, Example, FormNote, Scope, validate};
use crate::diagnostic::{Diagnostic, Location};
use crate::input::io_message;
use crate::text::LineIndex;

/// A lexicon file's name and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconFile {
    /// The path as shown in diagnostics.
    pub path: String,
    /// The TOML text.
    pub text: String,
}

/// An embedded entry as build.rs digests it: the trimmed values of its
/// TOML, with where its term and examples are written.
struct Digested {
    path: &'static str,
    line: usize,
    column: usize,
    id: &'static str,
    term: &'static str,
    category: &'static str,
    definition: &'static str,
    components: &'static [&'static str],
    variants: &'static [&'static str],
    wrong: &'static [(&'static str, Option<&'static str>)],
    outdated: &'static [(&'static str, Option<&'static str>)],
    en: Option<&'static str>,
    sources: &'static [&'static str],
    related: &'static [&'static str],
    examples: &'static [(&'static str, usize, usize)],
    counterexamples: &'static [(&'static str, usize, usize)],
    superseded_by: Option<&'static str>,
    scope: Option<&'static str>,
    context: Option<&'static str>,
    followed_by: &'static [&'static str],
    notes: Option<&'static str>,
    en_note: Option<&'static str>,
    not_wrong: &'static [&'static str],
}

// `EMBEDDED: &[(&str, &str)]`, the files under `lexicon/`, listed by
// build.rs, and `DIGEST`, their entries.
include!(concat!(env!("OUT_DIR"), "/embedded_lexicon.rs"));

/// The embedded entries from build.rs's digest, as [`load`] would make
/// them from the embedded files; None when a file did not parse at build
/// time (then [`load`] reports why). Not validated here: the test suite
/// validates the embedded files and compares the two paths.
pub(super) fn embedded_entries() -> Option<Vec<Entry>> {
    let digest = DIGEST?;
    let owned = |v: &[&str]| v.iter().map(|&x| x.to_owned()).collect::<Vec<_>>();
    let forms = |v: &[(&str, Option<&str>)]| {
        v.iter()
            .map(|&(form, note)| FormNote {
                form: form.to_owned(),
                note: note.map(str::to_owned),
            })
            .collect()
    };
    Some(
        digest
            .iter()
            .map(|d| {
                let location = |line, column| Location {
                    path: d.path.to_owned(),
                    line,
                    column,
                };
                let examples = |v: &[(&str, usize, usize)]| {
                    v.iter()
                        .map(|&(text, line, column)| Example {
                            text: text.to_owned(),
                            location: location(line, column),
                        })
                        .collect()
                };
                let scope = d.scope.and_then(Scope::parse).unwrap_or_default();
                Entry {
                    id: d.id.to_owned(),
                    term: d.term.to_owned(),
                    category: d.category.to_owned(),
                    definition: d.definition.to_owned(),
                    components: owned(d.components),
                    variants: owned(d.variants),
                    wrong: forms(d.wrong),
                    outdated: forms(d.outdated),
                    en: d.en.map(str::to_owned),
                    sources: owned(d.sources),
                    related: owned(d.related),
                    examples: examples(d.examples),
                    counterexamples: examples(d.counterexamples),
                    superseded_by: d.superseded_by.map(str::to_owned),
                    scope,
                    context: context_of(d.context, owned(d.followed_by)),
                    notes: d.notes.map(str::to_owned),
                    en_note: d.en_note.map(str::to_owned),
                    not_wrong: owned(d.not_wrong),
                    location: location(d.line, d.column),
                }
            })
            .collect(),
    )
}

/// The context rule of an entry's `context` and `followed_by`.
fn context_of(context: Option<&str>, followed_by: Vec<String>) -> Context {
    if !followed_by.is_empty() {
        Context::FollowedBy(followed_by)
    } else if context == Some("quoted") {
        Context::Quoted
    } else {
        Context::Any
    }
}

/// The default lexicon compiled into the binary.
pub fn embedded_files() -> Vec<LexiconFile> {
    EMBEDDED
        .iter()
        .map(|(path, text)| LexiconFile {
            path: (*path).to_owned(),
            text: (*text).to_owned(),
        })
        .collect()
}

/// Reads a lexicon file, or every `*.toml` file under a folder (sorted by
/// path, recursively): the files read, and a diagnostic for each path that
/// could not be (a dangling link, a file that is not UTF-8 …), so that one
/// unreadable file does not hide the problems of the others.
pub fn read_path(path: &Path) -> (Vec<LexiconFile>, Vec<Diagnostic>) {
    let shown = path.display().to_string();
    let fail = |message: String| Diagnostic::whole(&shown, message);
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            return (
                Vec::new(),
                vec![fail(format!("cannot read lexicon: {}", io_message(&e)))],
            );
        }
    };
    let mut paths = Vec::new();
    if meta.is_dir() {
        if let Err(e) = collect_toml(path, &mut paths) {
            return (
                Vec::new(),
                vec![fail(format!(
                    "cannot read lexicon folder: {}",
                    io_message(&e)
                ))],
            );
        }
        paths.sort();
        if paths.is_empty() {
            return (
                Vec::new(),
                vec![
                    fail("lexicon folder holds no .toml file".into())
                        .with_hint("lexicon files end in .toml"),
                ],
            );
        }
    } else {
        paths.push(path.to_path_buf());
    }
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for p in paths {
        match read_file(&p) {
            Ok(file) => files.push(file),
            Err(d) => diags.push(d),
        }
    }
    (files, diags)
}

/// One lexicon file, as UTF-8 without a byte order mark.
fn read_file(p: &Path) -> Result<LexiconFile, Diagnostic> {
    let shown = p.display().to_string();
    let bytes = std::fs::read(p).map_err(|e| {
        let dangling = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
            && std::fs::metadata(p).is_err();
        let d = Diagnostic::whole(&shown, format!("cannot read lexicon: {}", io_message(&e)));
        if dangling {
            d.with_hint("a symbolic link to a file that does not exist")
        } else {
            d
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let valid = String::from_utf8_lossy(&bytes[..at]).into_owned();
        Diagnostic::at(&shown, &valid, at..at, "lexicon is not valid UTF-8".into())
            .with_hint("save the file as UTF-8")
    })?;
    let text = text
        .strip_prefix('\u{FEFF}')
        .map(str::to_owned)
        .unwrap_or(text);
    Ok(LexiconFile { path: shown, text })
}

fn collect_toml(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for item in std::fs::read_dir(dir)? {
        let path = item?.path();
        // `is_dir` follows links; a dangling link is a file that cannot
        // be read, reported as such.
        if path.is_dir() {
            collect_toml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Every problem that keeps a lexicon file from parsing, not only the
/// first: when the whole file fails, each `[[entry]]` is parsed on its
/// own and each one's first problem is reported at its place in the file.
/// A syntax error that spans entries (an unclosed string) may still hide
/// what follows it; then the whole file's first error is what there is.
fn every_parse_error(file: &LexiconFile, whole: &toml::de::Error) -> Vec<Diagnostic> {
    let at = |span: std::ops::Range<usize>, e: &toml::de::Error| {
        Diagnostic::at(&file.path, &file.text, span, e.message().trim().to_owned())
    };
    let text = &file.text;
    let mut starts: Vec<usize> = text
        .match_indices("[[entry]]")
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')
        .collect();
    starts.push(text.len());
    let mut out = Vec::new();
    // What comes before the first entry, then each entry with what follows.
    let mut pieces = vec![(0, starts[0])];
    pieces.extend(starts.windows(2).map(|w| (w[0], w[1])));
    for (from, to) in pieces {
        let piece = &text[from..to];
        if piece.trim().is_empty() {
            continue;
        }
        if let Err(e) = toml::from_str::<RawFile>(piece) {
            let span = e.span().unwrap_or(0..0);
            out.push(at(from + span.start..from + span.end, &e));
        }
    }
    if out.is_empty() {
        out.push(at(whole.span().unwrap_or(0..0), whole));
    }
    out
}

/// A parsed entry with the file it came from.
pub(super) struct Parsed<'a> {
    pub(super) raw: RawEntry,
    pub(super) file: &'a LexiconFile,
}

impl Parsed<'_> {
    /// A diagnostic at `span` in this entry's file.
    pub(super) fn diag(&self, span: std::ops::Range<usize>, message: String) -> Diagnostic {
        Diagnostic::at(&self.file.path, &self.file.text, span, message)
    }
}

/// Parses, merges and validates; see [`super::Lexicon::load`].
pub(super) fn load(layers: &[Vec<LexiconFile>]) -> Result<Vec<Entry>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut merged: Vec<Parsed<'_>> = Vec::new();
    // id → (layer, position in `merged`)
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    for (layer, files) in layers.iter().enumerate() {
        for file in files {
            let raw: RawFile = match toml::from_str(&file.text) {
                Ok(raw) => raw,
                Err(e) => {
                    diags.extend(every_parse_error(file, &e));
                    continue;
                }
            };
            for raw in raw.entry {
                let parsed = Parsed { raw, file };
                let id = parsed.raw.id.get_ref().trim().to_owned();
                match seen.get(&id) {
                    Some(&(l, at)) if l == layer => {
                        let first = &merged[at];
                        let loc = first.diag(first.raw.id.span(), String::new()).location;
                        diags.push(parsed.diag(
                            parsed.raw.id.span(),
                            format!("duplicate id `{id}`, first defined at {loc}"),
                        ));
                        // Still validated, so that its other problems show
                        // now and not after the id is fixed.
                        merged.push(parsed);
                    }
                    Some(&(_, at)) => {
                        seen.insert(id, (layer, at));
                        merged[at] = parsed;
                    }
                    None => {
                        seen.insert(id, (layer, merged.len()));
                        merged.push(parsed);
                    }
                }
            }
        }
    }
    if merged.is_empty() && diags.is_empty() {
        let path = layers
            .iter()
            .flatten()
            .next()
            .map_or("tifa", |f| f.path.as_str());
        diags.push(
            Diagnostic::whole(path, "the lexicon is empty".into())
                .with_hint("add entries with --lexicon PATH, or drop --no-default-lexicon"),
        );
    }
    diags.extend(validate::validate(&merged));
    if !diags.is_empty() {
        diags.sort_by(|a, b| a.location.cmp(&b.location));
        diags.dedup();
        return Err(diags);
    }
    // One line index per file, not per entry: building it scans the whole
    // file, and start-up time is what a look-up costs (see: issue 6).
    let mut indexes: Vec<(&LexiconFile, LineIndex)> = Vec::new();
    let mut entries = Vec::with_capacity(merged.len());
    for p in &merged {
        let at = match indexes.iter().position(|(f, _)| std::ptr::eq(*f, p.file)) {
            Some(at) => at,
            None => {
                indexes.push((p.file, LineIndex::new(&p.file.text)));
                indexes.len() - 1
            }
        };
        entries.push(to_entry(p, &indexes[at].1));
    }
    Ok(entries)
}

fn to_entry(p: &Parsed<'_>, index: &LineIndex) -> Entry {
    let r = &p.raw;
    let text = |s: &toml::Spanned<String>| s.get_ref().trim().to_owned();
    let texts = |v: &[toml::Spanned<String>]| v.iter().map(text).collect::<Vec<_>>();
    let notes = |v: &[super::raw::RawForm]| {
        v.iter()
            .map(|f| FormNote {
                form: text(&f.form),
                note: f.note.as_ref().map(text),
            })
            .collect()
    };
    let locate = |span: std::ops::Range<usize>| {
        let pos = index.position(&p.file.text, span.start);
        Location {
            path: p.file.path.clone(),
            line: pos.line,
            column: pos.column,
        }
    };
    let examples = |v: &[toml::Spanned<String>]| {
        v.iter()
            .map(|s| Example {
                text: s.get_ref().clone(),
                location: locate(s.span()),
            })
            .collect()
    };
    // Validation has ruled out unknown names.
    let scope = r
        .scope
        .as_ref()
        .and_then(|s| Scope::parse(s.get_ref().trim()))
        .unwrap_or_default();
    let context = context_of(
        r.context.as_ref().map(|c| c.get_ref().trim()),
        r.followed_by.iter().map(text).collect(),
    );
    Entry {
        id: text(&r.id),
        term: text(&r.term),
        category: text(&r.category),
        definition: text(&r.definition),
        components: texts(&r.components),
        variants: texts(&r.variants),
        wrong: notes(&r.wrong),
        outdated: notes(&r.outdated),
        en: r.en.as_ref().map(text),
        sources: texts(&r.sources),
        related: texts(&r.related),
        examples: examples(&r.examples),
        counterexamples: examples(&r.counterexamples),
        superseded_by: r.superseded_by.as_ref().map(text),
        scope,
        context,
        notes: r.notes.as_ref().map(text),
        en_note: r.en_note.as_ref().map(text),
        not_wrong: texts(&r.not_wrong),
        location: locate(r.term.span()),
    }
}
