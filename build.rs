//! Lists the files under `lexicon/` so the library can embed them with
//! `include_str!`; the data itself is parsed at run time.

use std::fmt::Write as _;
use std::path::Path;

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
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("lexicon file names are UTF-8");
        writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            format!("lexicon/{name}"),
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_lexicon.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
