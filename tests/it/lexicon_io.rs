//! `lexicon export` (TBX parsed back, Markdown and CSV escaping, a CSV
//! round trip through `lexicon import`) and `lexicon import` output that
//! `lexicon validate` accepts.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;
use tifa::cli::ExitStatus;

use crate::{FIXTURE_LEXICON, tifa};

const ESCAPE_LEXICON: [&str; 3] = [
    "--no-default-lexicon",
    "--lexicon",
    "tests/fixtures/escape-lexicon.toml",
];

fn export(lexicon: &[&str], format: &str) -> String {
    let mut args = lexicon.to_vec();
    args.extend(["lexicon", "export", "--format", format]);
    let (status, out, err) = tifa(&args);
    assert_eq!(status, ExitStatus::Success, "{err}");
    out
}

/// An element of the parsed TBX: its path from the root, attributes and
/// text.
#[derive(Debug)]
struct Element {
    path: String,
    attrs: BTreeMap<String, String>,
    text: String,
}

fn parse_tbx(xml: &str) -> Vec<Element> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut elements: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        match reader.read_event().expect("the TBX is well-formed XML") {
            Event::Start(e) => {
                let name = e.name().as_ref().to_owned();
                stack.push(name);
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            a.key.as_ref().to_owned(),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned(),
                        )
                    })
                    .collect();
                open.push(elements.len());
                elements.push(Element {
                    path: stack.join("/"),
                    attrs,
                    text: String::new(),
                });
            }
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    elements[i].text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(&i) = open.last() {
                    let name = r.into_inner().into_owned();
                    let c = match name.as_str() {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unexpected entity {other}"),
                    };
                    elements[i].text.push_str(c);
                }
            }
            Event::End(_) => {
                stack.pop();
                open.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty());
    elements
}

#[test]
fn tbx_has_one_concept_per_entry_with_zh_and_en() {
    let xml = export(&FIXTURE_LEXICON, "tbx");
    let elements = parse_tbx(&xml);
    let root = &elements[0];
    assert_eq!(root.path, "tbx");
    assert_eq!(root.attrs["type"], "TBX-Basic");
    assert_eq!(root.attrs["style"], "dca");
    assert_eq!(root.attrs["xmlns"], "urn:iso:std:iso:30042:ed-2");
    let concept = "tbx/text/body/conceptEntry";
    let concepts: Vec<&Element> = elements.iter().filter(|e| e.path == concept).collect();
    assert_eq!(concepts.len(), 10);
    let ids: Vec<&str> = concepts.iter().map(|c| c.attrs["id"].as_str()).collect();
    // Every cross-reference points at a concept of the file.
    for r in elements
        .iter()
        .filter(|e| e.path == format!("{concept}/ref"))
    {
        assert_eq!(r.attrs["type"], "crossReference");
        assert!(ids.contains(&r.attrs["target"].as_str()), "{r:?}");
    }
    let langs: Vec<&str> = elements
        .iter()
        .filter(|e| e.path == format!("{concept}/langSec"))
        .map(|e| e.attrs["xml:lang"].as_str())
        .collect();
    assert_eq!(langs.iter().filter(|l| **l == "zh").count(), 10);
    assert_eq!(langs.iter().filter(|l| **l == "en").count(), 10);
    // 两队一室: preferred term, admitted variant, deprecated wrong form.
    let terms: Vec<(&str, &str)> = elements
        .windows(2)
        .filter(|w| w[0].path == format!("{concept}/langSec/termSec/term"))
        .map(|w| (w[0].text.as_str(), w[1].text.as_str()))
        .collect();
    assert_eq!(terms[0], ("两队一室", "preferredTerm-admn-sts"));
    assert_eq!(terms[1], ("一室两队", "admittedTerm-admn-sts"));
    assert_eq!(terms[2], ("两队一所", "deprecatedTerm-admn-sts"));
    assert!(terms.contains(&("公安消防部队", "supersededTerm-admn-sts")));
    let definitions = elements
        .iter()
        .filter(|e| e.path == format!("{concept}/langSec/descripGrp/descrip"))
        .count();
    assert_eq!(definitions, 10);
}

#[test]
fn tbx_carries_markup_as_text() {
    let elements = parse_tbx(&export(&ESCAPE_LEXICON, "tbx"));
    let text = |path: &str| {
        elements
            .iter()
            .filter(|e| e.path.ends_with(path))
            .map(|e| e.text.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(text("langSec/termSec/term")[0], "A&B<C>");
    assert_eq!(
        text("descripGrp/descrip")[0],
        "含<script>alert(1)</script>、\"引号\"、'单引号'、a,b 与 *星号* 的释义。"
    );
    assert!(text("langSec/termSec/term").contains(&"<b>bold</b> & \"quoted\""));
}

#[test]
fn markdown_escapes_lexicon_text() {
    let md = export(&ESCAPE_LEXICON, "markdown");
    assert!(md.contains("### A\\&B\\<C\\>\n"), "{md}");
    assert!(md.contains("含\\<script\\>alert(1)\\</script\\>"), "{md}");
    assert!(md.contains("- 变体：\\=SUM(A1)\n"), "{md}");
    assert!(!md.contains("<script>"));
}

#[test]
fn csv_is_excel_friendly() {
    let csv = export(&ESCAPE_LEXICON, "csv");
    assert!(csv.starts_with('\u{FEFF}'));
    assert!(csv.contains("\r\n"));
    // A cell a spreadsheet would run as a formula is neutralised.
    assert!(csv.contains(",'=SUM(A1),"), "{csv}");
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{FEFF}').as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[..4], ["id", "term", "category", "definition"]);
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[1], "A&B<C>");
    assert!(row[3].contains("a,b"));
}

fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_owned();
    (dir, path)
}

#[test]
fn csv_export_imports_back_to_the_same_lexicon() {
    for lexicon in [&FIXTURE_LEXICON[..], &ESCAPE_LEXICON[..], &[][..]] {
        let csv = export(lexicon, "csv");
        let (_dir, csv_path) = temp_file("terms.csv", &csv);
        let (status, toml, err) = tifa(&["--no-default-lexicon", "lexicon", "import", &csv_path]);
        assert_eq!(status, ExitStatus::Success, "{err}");
        let (_dir2, toml_path) = temp_file("terms.toml", &toml);
        let again = export(&["--no-default-lexicon", "--lexicon", &toml_path], "json");
        let before: Value = serde_json::from_str(&export(lexicon, "json")).unwrap();
        let after: Value = serde_json::from_str(&again).unwrap();
        assert_eq!(before, after, "{lexicon:?}");
    }
}

#[test]
fn imported_toml_passes_validate() {
    let (status, toml, err) = tifa(&[
        "--no-default-lexicon",
        "lexicon",
        "import",
        "tests/fixtures/import/terms.csv",
    ]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    let (_dir, path) = temp_file("imported.toml", &toml);
    let (status, out, err) = tifa(&["--no-default-lexicon", "lexicon", "validate", &path]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    assert_eq!(out, "lexicon ok: 3 entries\n");
    // Quoted cells with commas, quotes and line breaks survive.
    let v: Value = serde_json::from_str(&export(
        &["--no-default-lexicon", "--lexicon", &path],
        "json",
    ))
    .unwrap();
    let first = &v["entries"][0];
    assert_eq!(first["id"], "xiajixingdong");
    assert_eq!(
        first["definition"],
        "夏季治安打击整治行动的简称，围绕\"打、防、管、控\"集中开展。"
    );
    assert_eq!(first["variants"][1], "夏季攻势");
    assert_eq!(first["examples"].as_array().unwrap().len(), 2);
    assert_eq!(first["wrong"][0]["note"], "改字：“动”误作“为”");
    assert_eq!(v["entries"][2]["term"], "=1+1公式");
}
