//! Machine formats parsed back into values and checked field by field,
//! against the contract in README.md.

use serde_json::Value;

use crate::{FIXTURE_LEXICON, tifa};

fn json(args: &[&str]) -> Value {
    let mut all = FIXTURE_LEXICON.to_vec();
    all.extend_from_slice(args);
    let (_, out, err) = tifa(&all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
}

#[test]
fn scan_json_contract() {
    let v = json(&["scan", "--format", "json", "tests/fixtures/mixed.txt"]);
    let matches = v["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 7);
    let first = &matches[0];
    let mut keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut want = [
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "byte_start",
        "byte_end",
        "matched",
        "id",
        "term",
    ];
    want.sort_unstable();
    assert_eq!(keys, want);
    // 两队\n一室 spans two lines; the end is just after 室.
    assert_eq!(first["matched"], "两队\n一室");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(
        (first["end_line"].as_u64(), first["end_column"].as_u64()),
        (Some(2), Some(3))
    );
    let text = std::fs::read_to_string("tests/fixtures/mixed.txt").unwrap();
    for m in matches {
        let (a, b) = (
            m["byte_start"].as_u64().unwrap(),
            m["byte_end"].as_u64().unwrap(),
        );
        assert_eq!(
            &text[a as usize..b as usize],
            m["matched"].as_str().unwrap()
        );
    }
}

#[test]
fn ndjson_is_json_per_line() {
    let mut args = FIXTURE_LEXICON.to_vec();
    args.extend(["scan", "--format", "ndjson", "tests/fixtures/mixed.txt"]);
    let (_, out, _) = tifa(&args);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(lines[6]["id"], "qingzhixing");
    assert_eq!(lines[6]["matched"], "情指行");
}

#[test]
fn count_json_contract() {
    let v = json(&["count", "--format", "json", "tests/fixtures/mixed.txt"]);
    assert_eq!(v["total"], 7);
    let entries = v["entries"].as_array().unwrap();
    let counts: Vec<(&str, u64, u64)> = entries
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap(),
                e["count"].as_u64().unwrap(),
                e["nested"].as_u64().unwrap(),
            )
        })
        .collect();
    // Most frequent first; the slogan's parts are counted inside it too.
    assert_eq!(counts[0], ("shixian-zhuzhan", 2, 1));
    assert!(counts.contains(&("paichusuo", 2, 2)));
    assert!(counts.contains(&("sanzhu", 1, 0)));
    assert!(counts.windows(2).all(|w| w[0].1 >= w[1].1));
}

#[test]
fn lookup_json_has_full_entries() {
    let v = json(&["lookup", "--format", "json", "社区警务队"]);
    let e = &v["entries"][0];
    assert_eq!(e["match"], "component");
    assert_eq!(e["id"], "liangdui-yishi");
    for key in [
        "id",
        "term",
        "variants",
        "category",
        "definition",
        "components",
        "en",
        "sources",
    ] {
        assert!(e.get(key).is_some(), "missing {key}");
    }
    assert_eq!(e["variants"][0], "一室两队");
}

#[test]
fn export_lists_every_entry() {
    let v = json(&["lexicon", "export", "--format", "json"]);
    assert_eq!(v["entries"].as_array().unwrap().len(), 10);
}
