//! `tifa check`: machine formats parsed back (SARIF validated against the
//! official 2.1.0 schema), and `--fix` round trips on real files in every
//! encoding, with line endings, BOM and permissions kept.

use std::path::Path;

use serde_json::Value;
use tifa::cli::ExitStatus;

use crate::{FIXTURE_LEXICON, tifa};

const MISQUOTES: &str = "tests/fixtures/check/misquotes.md";

fn check(args: &[&str]) -> (ExitStatus, String, String) {
    let mut all = FIXTURE_LEXICON.to_vec();
    all.extend(["--no-config", "check"]);
    all.extend_from_slice(args);
    tifa(&all)
}

#[test]
fn json_findings_contract() {
    let (status, out, _) = check(&["--format", "json", MISQUOTES]);
    assert_eq!(status, ExitStatus::Findings);
    let v: Value = serde_json::from_str(&out).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "wrong-form",
        "non-canonical",
        "part-order",
        "missing-part",
        "near-miss",
        "superseded",
        "bad-directive",
    ] {
        assert!(rules.contains(&rule), "no {rule} in {rules:?}");
    }
    let text = std::fs::read_to_string(MISQUOTES).unwrap();
    for f in findings {
        let mut keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "byte_end",
                "byte_start",
                "column",
                "end_column",
                "end_line",
                "id",
                "line",
                "matched",
                "message",
                "path",
                "rule",
                "severity",
                "suggestion"
            ]
        );
        let (a, b) = (
            f["byte_start"].as_u64().unwrap(),
            f["byte_end"].as_u64().unwrap(),
        );
        assert_eq!(
            &text[a as usize..b as usize],
            f["matched"].as_str().unwrap()
        );
    }
    // The wrong form on line 3, column 5 (characters, not bytes).
    let first = &findings[0];
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(3), Some(5))
    );
    assert_eq!(first["suggestion"], "两队一室");
    assert_eq!(first["id"], "liangdui-yishi");
}

#[test]
fn sarif_is_valid_against_the_schema() {
    let (_, out, _) = check(&["--format", "sarif", MISQUOTES]);
    let log: Value = serde_json::from_str(&out).unwrap();
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/sarif-schema-2.1.0.json").unwrap(),
    )
    .unwrap();
    // The official schema's `language` patterns (of `run` and
    // `toolComponent`) have a stray `]`, which fails the meta-schema's
    // "regex" format; tifa never writes `language`, so they are replaced by
    // the pattern they mean before compiling.
    for def in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(
        !validator.is_valid(&broken),
        "the validator must reject a bad level"
    );
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["tool"]["driver"]["name"], "tifa");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in run["results"].as_array().unwrap() {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn sarif_uri_is_percent_encoded() {
    assert_eq!(
        tifa::report::sarif::uri("报告/a b.md"),
        "%E6%8A%A5%E5%91%8A/a%20b.md"
    );
    assert_eq!(tifa::report::sarif::uri("/tmp/x.md"), "file:///tmp/x.md");
}

/// Writes `bytes` to a file in a fresh folder, runs `check --fix` twice, and
/// returns the bytes after each run.
fn fix_twice(name: &str, bytes: &[u8]) -> (Vec<u8>, Vec<u8>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let p = path.to_str().unwrap();
    let (status, out, err) = check(&["--fix", p]);
    assert_ne!(status, ExitStatus::Error, "{out}{err}");
    let once = std::fs::read(&path).unwrap();
    check(&["--fix", p]);
    let twice = std::fs::read(&path).unwrap();
    (once, twice, dir)
}

const BEFORE: &str = "推行两队一所，\r\n深化专业＋机制＋大数据。\r\n推动专业+机治+大数据落地。\r\n";
const AFTER: &str = "推行两队一室，\r\n深化专业+机制+大数据。\r\n推动专业+机治+大数据落地。\r\n";

#[test]
fn fix_keeps_utf8_and_crlf() {
    let (once, twice, _dir) = fix_twice("a.txt", BEFORE.as_bytes());
    assert_eq!(String::from_utf8(once.clone()).unwrap(), AFTER);
    assert_eq!(once, twice, "a second --fix changes nothing");
}

#[test]
fn fix_keeps_the_bom() {
    let bytes = [b"\xEF\xBB\xBF".as_slice(), BEFORE.as_bytes()].concat();
    let (once, twice, _dir) = fix_twice("bom.md", &bytes);
    assert_eq!(
        once,
        [b"\xEF\xBB\xBF".as_slice(), AFTER.as_bytes()].concat()
    );
    assert_eq!(once, twice);
}

#[test]
fn fix_keeps_gb18030_and_utf16() {
    let gbk = encoding_rs::GB18030.encode(BEFORE).0.into_owned();
    let (once, _, _dir) = fix_twice("gbk.txt", &gbk);
    assert_eq!(once, encoding_rs::GB18030.encode(AFTER).0.into_owned());

    let utf16 = |s: &str| -> Vec<u8> {
        std::iter::once(0xFEFFu16)
            .chain(s.encode_utf16())
            .flat_map(u16::to_le_bytes)
            .collect()
    };
    let (once, twice, _dir) = fix_twice("u16.txt", &utf16(BEFORE));
    assert_eq!(once, utf16(AFTER));
    assert_eq!(once, twice);
}

#[cfg(unix)]
#[test]
fn fix_keeps_permissions_and_leaves_no_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("script.md");
    std::fs::write(&path, BEFORE).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    check(&["--fix", path.to_str().unwrap()]);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["script.md"]);
}

#[test]
fn diff_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.txt");
    std::fs::write(&path, BEFORE).unwrap();
    let (status, out, _) = check(&["--diff", path.to_str().unwrap()]);
    assert_eq!(status, ExitStatus::Findings);
    assert!(out.contains("-推行两队一所，"), "{out}");
    assert!(out.contains("+推行两队一室，"), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), BEFORE);
}

#[test]
fn fixed_text_rescans_without_wrong_forms() {
    // Every wrong form of the default lexicon, fixed, leaves no wrong form.
    let lexicon = tifa::lexicon::Lexicon::embedded().unwrap();
    let scanner = tifa::scan::Scanner::new(&lexicon).unwrap();
    let checker =
        tifa::check::Checker::new(&lexicon, &scanner, tifa::check::Settings::default()).unwrap();
    let text: String = lexicon
        .entries()
        .iter()
        .flat_map(|e| e.wrong.iter().map(|w| format!("文中写作{}。\n", w.form)))
        .collect();
    let findings = checker.check(&text);
    let (fixed, n) = tifa::check::fix::apply(&text, &findings);
    assert!(n > 0);
    let again = checker.check(&fixed);
    let wrong: Vec<_> = again
        .iter()
        .filter(|f| f.rule == tifa::check::Rule::WrongForm)
        .map(|f| &fixed[f.start..f.end])
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
    let _ = Path::new("");
}

/// Every accepted form of at least five characters in the default lexicon
/// (of an entry matched everywhere), with one interior character changed,
/// added or removed, is reported as a near miss of its entry (or, where the
/// lexicon lists that exact misquote, as a wrong form).
#[test]
fn near_misses_of_every_long_form_are_found() {
    use tifa::check::{Checker, NEAR_MISS_MIN_CHARS, Rule, Settings};
    let lexicon = tifa::lexicon::Lexicon::embedded().unwrap();
    let scanner = tifa::scan::Scanner::new(&lexicon).unwrap();
    let checker = Checker::new(&lexicon, &scanner, Settings::default()).unwrap();
    let accepted: std::collections::HashSet<&str> = lexicon
        .entries()
        .iter()
        .flat_map(|e| e.forms().filter(|f| f.0.is_accepted()).map(|f| f.2))
        .collect();
    let mut missed = Vec::new();
    let mut tried = 0;
    for e in lexicon.entries() {
        // An entry matched only in a context (a `general` one: in quotes)
        // has no near misses outside it.
        if !lexicon.scanned(e) || e.context != tifa::lexicon::Context::Any {
            continue;
        }
        for (kind, _, form) in e.forms() {
            let chars: Vec<char> = form.chars().collect();
            if !kind.is_accepted() || chars.len() < NEAR_MISS_MIN_CHARS {
                continue;
            }
            let mid = chars.len() / 2;
            // Digits and Latin letters are not misquoted by one character
            // (a number one digit off is another number).
            if !chars[mid].is_alphanumeric() || chars[mid].is_ascii() {
                continue;
            }
            let edits = [
                [&chars[..mid], &['某'], &chars[mid + 1..]].concat(),
                [&chars[..mid], &['某'], &chars[mid..]].concat(),
                [&chars[..mid], &chars[mid + 1..]].concat(),
            ];
            for edited in edits {
                let edited: String = edited.into_iter().collect();
                if accepted.contains(edited.as_str()) || e.not_wrong.contains(&edited) {
                    // 八小时以外管理 without 以 is its variant 八小时外管理;
                    // 实战练兵 is a word of its own, not 实战大练兵 misquoted.
                    continue;
                }
                let text = format!("据悉，{edited}。");
                tried += 1;
                // Of this entry, or of a sibling as near (一级/二级英雄模范,
                // 电子行驶证/电子驾驶证); a slogan that lost the character
                // between two parts is reported by the parts rule.
                let found = checker.check(&text).iter().any(|f| {
                    f.entry.is_some()
                        && matches!(
                            f.rule,
                            Rule::NearMiss
                                | Rule::WrongForm
                                | Rule::Superseded
                                | Rule::NonCanonical
                        )
                });
                if !found {
                    missed.push(format!("{} ← {edited}", e.id));
                }
            }
        }
    }
    assert!(tried > 300, "only {tried} variants");
    assert!(
        missed.is_empty(),
        "{} of {tried} missed: {missed:#?}",
        missed.len()
    );
}

/// The samples are written correctly apart from the planted misquotes of
/// report.txt, which the lexicon's wrong forms and the part rules report:
/// near misses on them are false positives.
#[test]
fn no_near_misses_on_the_samples() {
    let (_, out, _) = tifa(&["--no-config", "check", "--format", "json", "samples/"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let near: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "near-miss")
        .collect();
    assert!(near.is_empty(), "{near:#?}");
}

/// Misquotes of formulations the field's lexicon added (the 总要求, the
/// 枫桥式公安派出所 standards, the five-level 主责/主战/主防 formula …):
/// order, a missing part, separators, one character off; the correct
/// quotation on the last line is clean.
#[test]
fn misquotes_of_the_field_formulations() {
    let (status, out, _) = tifa(&[
        "--no-config",
        "check",
        "--format",
        "json",
        "tests/fixtures/check/field.md",
    ]);
    assert_eq!(status, ExitStatus::Findings);
    let v: Value = serde_json::from_str(&out).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let on = |line: u64| -> Vec<(&str, &str)> {
        findings
            .iter()
            .filter(|f| f["line"] == line)
            .map(|f| (f["rule"].as_str().unwrap(), f["id"].as_str().unwrap_or("")))
            .collect()
    };
    assert_eq!(
        on(3),
        [("wrong-form", "dui-dang-zhongcheng-zong-yaoqiu")],
        "order, listed"
    );
    assert_eq!(on(5)[0].0, "wrong-form", "a part missing, listed");
    assert_eq!(on(7)[0].0, "non-canonical", "separators");
    assert_eq!(
        on(9)[0].0,
        "missing-part",
        "a part missing, found by the parts rule"
    );
    assert_eq!(on(11)[0].0, "near-miss", "one character off");
    assert_eq!(on(13)[0].0, "wrong-form", "order, listed");
    assert_eq!(on(15)[0].0, "part-order", "order, found by the parts rule");
    assert!(on(17).is_empty(), "the correct quotation: {:?}", on(17));
    assert_eq!(
        on(19),
        [
            ("non-canonical", "shixian-zhuzhan-zhufang-zhuxun"),
            ("non-canonical", "jichu-lao-chushi-shao"),
        ],
        "parts separated by spaces"
    );
    // Three parts of the four-part slogan inside a longer enumeration of
    // their own: another formulation, not a part missing.
    assert!(on(21).is_empty(), "a longer enumeration: {:?}", on(21));
}

/// tifa's own files are never inputs: `check --fix .` in a folder that
/// holds the team's `tifa.toml`, the lexicon folder it names and a lexicon
/// given with `--lexicon` fixes the document and leaves those files as
/// they were (they hold the wrong forms, as data).
#[test]
fn fix_never_touches_tifas_own_files() {
    let dir = tempfile::tempdir().unwrap();
    let lexicon = std::fs::read_to_string("tests/fixtures/lexicon.toml").unwrap();
    std::fs::create_dir(dir.path().join("terms")).unwrap();
    std::fs::write(dir.path().join("terms/team.toml"), &lexicon).unwrap();
    let config = "lexicon = [\"terms/\"]\n";
    std::fs::write(dir.path().join("tifa.toml"), config).unwrap();
    let extra = "[[entry]]\nid = \"x\"\nterm = \"测试提法\"\ncategory = \"口号提法\"\n\
                 definition = \"测试。\"\n\n[[entry.wrong]]\nform = \"两队一室化\"\n";
    std::fs::write(dir.path().join("extra.toml"), extra).unwrap();
    // Not loaded by this run: a TOML file like any other text.
    std::fs::write(dir.path().join("notes.toml"), "a = \"推行两队一所\"\n").unwrap();
    std::fs::write(dir.path().join("draft.txt"), "推行两队一所。\n").unwrap();
    let root = dir.path().to_str().unwrap();
    let config_path = dir.path().join("tifa.toml");
    let extra_path = dir.path().join("extra.toml");
    let (status, out, err) = tifa(&[
        "--no-default-lexicon",
        "--config",
        config_path.to_str().unwrap(),
        "--lexicon",
        extra_path.to_str().unwrap(),
        "check",
        "--fix",
        root,
    ]);
    assert_ne!(status, ExitStatus::Error, "{out}{err}");
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(read("draft.txt"), "推行两队一室。\n");
    assert_eq!(read("notes.toml"), "a = \"推行两队一室\"\n");
    assert_eq!(read("terms/team.toml"), lexicon);
    assert_eq!(read("tifa.toml"), config);
    assert_eq!(read("extra.toml"), extra);
}

/// In Markdown, code spans and code blocks are neither checked nor fixed.
#[test]
fn markdown_code_is_not_checked_nor_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("tests/fixtures/check/code.md").unwrap();
    let path = dir.path().join("doc.md");
    std::fs::write(&path, &text).unwrap();
    let (status, out, err) = check(&["--fix", path.to_str().unwrap()]);
    assert_ne!(status, ExitStatus::Error, "{out}{err}");
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert_eq!(fixed.matches("两队一所").count(), 3, "{fixed}");
    assert!(fixed.contains("正文推行两队一室") && fixed.contains("正文再写一次两队一室"));
    // The same text under another name is plain text: every one is fixed.
    let plain = dir.path().join("doc.txt");
    std::fs::write(&plain, &text).unwrap();
    check(&["--fix", plain.to_str().unwrap()]);
    assert!(
        !std::fs::read_to_string(&plain)
            .unwrap()
            .contains("两队一所")
    );
}

/// The findings of `check --format json` on a fixture, as (line, rule,
/// matched).
fn findings_of(path: &str) -> Vec<(u64, String, String)> {
    let (_, out, _) = tifa(&["--no-config", "check", "--format", "json", path]);
    let v: Value = serde_json::from_str(&out).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_owned(),
                f["matched"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Misquotes of national Party and State formulations, one per line
/// (order, a part missing, separators, spaces, one character off at an
/// edge or inside): every one is reported, once, by the expected rule; the
/// correct quotations after them are clean.
#[test]
fn misquotes_of_national_formulations_are_all_caught() {
    let found = findings_of("tests/fixtures/check/national.md");
    let expected: [(u64, &str); 18] = [
        (3, "wrong-form"),
        (5, "missing-part"),
        (7, "non-canonical"),
        (9, "non-canonical"),
        (11, "near-miss"),
        (13, "near-miss"),
        (15, "near-miss"),
        (17, "part-order"),
        (19, "part-order"),
        (21, "missing-part"),
        (23, "non-canonical"),
        (25, "near-miss"),
        (27, "near-miss"),
        (29, "near-miss"),
        (31, "near-miss"),
        (33, "non-canonical"),
        (35, "non-canonical"),
        (37, "wrong-form"),
    ];
    let got: Vec<(u64, &str)> = found.iter().map(|(l, r, _)| (*l, r.as_str())).collect();
    assert_eq!(got, expected, "{found:#?}");
}

/// A character changed on the first or last character of a form, or in a
/// four-character form, is a misquote where the context says the
/// formulation was meant (quoted, clause punctuation on that side, a part
/// beside other parts) and the change is a homophone; a station's name and
/// ordinary words sharing a prefix are not.
#[test]
fn near_misses_at_the_edges_in_context() {
    let found = findings_of("tests/fixtures/check/edges.md");
    let got: Vec<(u64, &str, &str)> = found
        .iter()
        .map(|(l, r, m)| (*l, r.as_str(), m.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (3, "wrong-form", "风桥经验"),
            (5, "near-miss", "一标三室"),
            (7, "near-miss", "情指行一体华"),
            (9, "wrong-form", "市县主站"),
            // A line end bounds the edge, also where the lines run on.
            (11, "near-miss", "省级主责、市县主战、派出所主仿"),
            (12, "near-miss", "省级主责、市县主战、派出所主仿"),
        ]
    );
}

/// `check` on the real pages of the evaluation sets (their excerpts, the
/// default lexicon, no config) reports exactly the findings listed with
/// their verdicts in tests/eval/check-verdicts.tsv, and every one is true:
/// no false alarm on real outside documents.
#[test]
fn real_pages_have_no_false_finding() {
    use tifa::check::{Checker, Settings};
    let lexicon = tifa::lexicon::Lexicon::embedded().unwrap();
    let scanner = tifa::scan::Scanner::new(&lexicon).unwrap();
    let checker = Checker::new(&lexicon, &scanner, Settings::default()).unwrap();
    let mut pages = Vec::new();
    for dir in ["policing", "general", "set-2/policing", "set-2/general"] {
        let mut files: Vec<_> = std::fs::read_dir(format!("tests/eval/{dir}"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        pages.extend(files.into_iter().map(|p| {
            (
                format!("{dir}/{}", p.file_name().unwrap().to_str().unwrap()),
                p,
            )
        }));
    }
    assert!(pages.len() >= 70, "{} pages", pages.len());
    let mut found = Vec::new();
    for (name, path) in &pages {
        let text = std::fs::read_to_string(path).unwrap();
        let (_, body) = text.split_once("\n---\n").expect("a --- line");
        let index = tifa::text::LineIndex::new(body);
        for f in checker.check(body) {
            let at = index.position(body, f.start);
            found.push(format!(
                "{name}\t{}\t{}\t{}\t{}",
                at.line,
                at.column,
                f.rule.id(),
                &body[f.start..f.end]
            ));
        }
    }
    let verdicts = std::fs::read_to_string("tests/eval/check-verdicts.tsv").unwrap();
    let mut listed = Vec::new();
    for line in verdicts
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 7, "{line}");
        assert_eq!(cols[5], "true", "a false finding is listed: {line}");
        listed.push(cols[..5].join("\t"));
    }
    assert_eq!(
        found, listed,
        "check's findings on the real pages changed: give each a verdict"
    );
}
