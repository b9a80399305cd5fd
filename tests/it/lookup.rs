//! `tifa lookup` against the default lexicon: every mode, as users type
//! queries, and the listing on a terminal.

use clap::Parser;
use serde_json::Value;
use tifa::cli::{Cli, ExitStatus, Terminal, run_on};

use crate::tifa;

/// `(match, id)` of each entry `lookup --format json QUERY` gives.
fn found(args: &[&str]) -> (ExitStatus, Vec<(String, String)>) {
    let mut all = vec!["lookup", "--format", "json"];
    all.extend_from_slice(args);
    let (status, out, err) = tifa(&all);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let pairs = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["match"].as_str().unwrap().to_owned(),
                e["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (status, pairs)
}

fn has(pairs: &[(String, String)], mode: &str, id: &str) -> bool {
    pairs.iter().any(|(m, i)| m == mode && i == id)
}

#[test]
fn component_finds_the_formula_it_belongs_to() {
    let (status, pairs) = found(&["社区警务队"]);
    assert_eq!(status, ExitStatus::Success);
    assert_eq!(pairs[0], ("term".into(), "shequ-jingwudui".into()));
    assert!(has(&pairs, "component", "liangdui-yishi"), "{pairs:?}");
}

#[test]
fn prefix_finds_every_term_that_starts_so() {
    let (_, pairs) = found(&["枫桥"]);
    assert!(has(&pairs, "prefix", "fengqiao-jingyan"), "{pairs:?}");
    assert!(has(&pairs, "prefix", "fengqiaoshi-paichusuo"), "{pairs:?}");
}

#[test]
fn pinyin_full_toneless_and_initials() {
    let (_, pairs) = found(&["qingzhixing"]);
    assert_eq!(pairs, [("pinyin".into(), "qingzhixing-yitihua".into())]);
    let (_, pairs) = found(&["QING ZHI XING YI TI HUA"]);
    assert_eq!(pairs, [("pinyin".into(), "qingzhixing-yitihua".into())]);
    let (_, pairs) = found(&["ldys"]);
    assert_eq!(pairs, [("initials".into(), "liangdui-yishi".into())]);
    // 行 is read xing in 情指行: its initials are qzx, never qzh.
    let (_, pairs) = found(&["qzx"]);
    assert!(has(&pairs, "initials", "qingzhixing-yitihua"), "{pairs:?}");
    let (_, pairs) = found(&["qzh"]);
    assert!(!pairs.iter().any(|(_, id)| id == "qingzhixing-yitihua"));
}

#[test]
fn misquote_and_fuzzy() {
    let (status, pairs) = found(&["法制润警"]);
    assert_eq!(status, ExitStatus::Success);
    assert_eq!(pairs, [("wrong".into(), "fazhi-runjing".into())]);
    let (status, pairs) = found(&["两队一市"]);
    assert_eq!(status, ExitStatus::Findings);
    assert_eq!(pairs[0], ("fuzzy".into(), "liangdui-yishi".into()));
    let (status, out, _) = tifa(&["lookup", "两队一市"]);
    assert_eq!(status, ExitStatus::Findings);
    assert_eq!(out, "没有找到“两队一市”，是否要找：两队一室？\n");
}

#[test]
fn category_and_all() {
    let (_, pairs) = found(&["--category", "专项行动"]);
    assert!(pairs.len() >= 5);
    assert!(pairs.iter().all(|(m, _)| m == "list"));
    let (_, all) = found(&["--all"]);
    let (_, out, _) = tifa(&["lexicon", "export", "--format", "json"]);
    let export: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(all.len(), export["entries"].as_array().unwrap().len());
    // Only entries of the category, in every mode.
    let (status, pairs) = found(&["--category", "专项行动", "两队一室"]);
    assert_eq!(status, ExitStatus::Findings);
    assert!(pairs.is_empty());
}

#[test]
fn no_query_lists_categories_on_a_terminal_only() {
    let cli = Cli::try_parse_from(["tifa", "lookup"]).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let terminal = Terminal {
        stdout: true,
        width: Some(80),
    };
    let status = run_on(cli, terminal, &mut out, &mut err).unwrap();
    assert_eq!(status, ExitStatus::Success);
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with("警务模式"), "{out}");
    assert!(out.contains("专项行动"), "{out}");
    let (status, out, err) = tifa(&["lookup"]);
    assert_eq!(status, ExitStatus::Error);
    assert_eq!(out, "");
    assert!(err.starts_with("tifa: lookup needs a QUERY"), "{err}");
}
