//! Lists the files under `lexicon/` so the library can embed them with
//! `include_str!`, and digests them: every entry as a Rust literal, with
//! the line and column of its term and examples, so that the default
//! lexicon loads without parsing TOML at run time (start-up is what a
//! look-up costs). The digest is checked against the TOML path by the
//! test `embedded::digest_equals_toml`; when a file does not parse, no
//! digest is written and the run-time TOML path reports the problem.

use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

fn main() {
    println!("cargo:rerun-if-changed=lexicon");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&root).join("lexicon");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// The embedded lexicon files, by path.\nstatic EMBEDDED: &[(&str, &str)] = &[\n",
    );
    let mut digest = Some(String::new());
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("lexicon file names are UTF-8");
        let shown = format!("lexicon/{name}");
        writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            shown,
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
        digest = digest.and_then(|mut d| {
            digest_file(&shown, text, &mut d)?;
            Some(d)
        });
    }
    out.push_str(
        "];\n\n/// The embedded entries, digested by build.rs (None: a file does not parse).\n",
    );
    match digest {
        Some(d) => {
            out.push_str("static DIGEST: Option<&[Digested]> = Some(&[\n");
            out.push_str(&d);
            out.push_str("]);\n");
        }
        None => out.push_str("static DIGEST: Option<&[Digested]> = None;\n"),
    }
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_lexicon.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    entry: Vec<Raw>,
}

#[derive(Deserialize)]
struct Raw {
    id: String,
    term: Spanned<String>,
    category: String,
    definition: String,
    #[serde(default)]
    components: Vec<String>,
    #[serde(default)]
    variants: Vec<String>,
    #[serde(default)]
    wrong: Vec<Form>,
    #[serde(default)]
    outdated: Vec<Form>,
    en: Option<String>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    examples: Vec<Spanned<String>>,
    #[serde(default)]
    counterexamples: Vec<Spanned<String>>,
    superseded_by: Option<String>,
    scope: Option<String>,
    context: Option<String>,
    #[serde(default)]
    followed_by: Vec<String>,
    notes: Option<String>,
    en_note: Option<String>,
    #[serde(default)]
    not_wrong: Vec<String>,
}

#[derive(Deserialize)]
struct Form {
    form: String,
    note: Option<String>,
}

/// Appends one `Digested { … },` per entry of `text`; None when it does
/// not parse.
fn digest_file(path: &str, text: &str, out: &mut String) -> Option<()> {
    let file: File = toml::from_str(text).ok()?;
    let s = |v: &str| format!("{:?}", v.trim());
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map_or("None".into(), |v| format!("Some({})", s(v)))
    };
    let list = |v: &[String]| {
        let items: Vec<String> = v.iter().map(|x| s(x)).collect();
        format!("&[{}]", items.join(", "))
    };
    let forms = |v: &[Form]| {
        let items: Vec<String> = v
            .iter()
            .map(|f| format!("({}, {})", s(&f.form), opt(&f.note)))
            .collect();
        format!("&[{}]", items.join(", "))
    };
    let at = |span: std::ops::Range<usize>| {
        let before = &text.as_bytes()[..span.start.min(text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = before[start..]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count()
            + 1;
        (line, column)
    };
    let examples = |v: &[Spanned<String>]| {
        let items: Vec<String> = v
            .iter()
            .map(|x| {
                let (l, c) = at(x.span());
                format!("({:?}, {l}, {c})", x.get_ref())
            })
            .collect();
        format!("&[{}]", items.join(", "))
    };
    for e in &file.entry {
        let (line, column) = at(e.term.span());
        writeln!(
            out,
            "    Digested {{ path: {path:?}, line: {line}, column: {column}, id: {}, term: {}, \
             category: {}, definition: {}, components: {}, variants: {}, wrong: {}, \
             outdated: {}, en: {}, sources: {}, related: {}, examples: {}, \
             counterexamples: {}, superseded_by: {}, scope: {}, context: {}, \
             followed_by: {}, notes: {}, en_note: {}, not_wrong: {} }},",
            s(&e.id),
            s(e.term.get_ref()),
            s(&e.category),
            s(&e.definition),
            list(&e.components),
            list(&e.variants),
            forms(&e.wrong),
            forms(&e.outdated),
            opt(&e.en),
            list(&e.sources),
            list(&e.related),
            examples(&e.examples),
            examples(&e.counterexamples),
            opt(&e.superseded_by),
            opt(&e.scope),
            opt(&e.context),
            list(&e.followed_by),
            opt(&e.notes),
            opt(&e.en_note),
            list(&e.not_wrong),
        )
        .ok()?;
    }
    Some(())
}
