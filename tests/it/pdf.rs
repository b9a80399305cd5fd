//! PDF input: the text layer read as any other input, positions as page,
//! line of the page and column; broken, encrypted and image-only PDFs give
//! clear errors and notes, never a panic.
//!
//! `tests/fixtures/pdf/report.pdf` is read everywhere; where LibreOffice
//! is installed the same document is made again from a .docx this test
//! writes, and where `qpdf` is, a PDF encrypted for its owner only.

use std::process::Command;

use crate::review::{body, docx};
use crate::tifa;
use tifa::cli::ExitStatus;

const REPORT: &str = "tests/fixtures/pdf/report.pdf";

fn json(args: &[&str]) -> (ExitStatus, serde_json::Value, String) {
    let (status, out, err) = tifa(args);
    let value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    (status, value, err)
}

fn with_id<'a>(items: &'a serde_json::Value, key: &str, id: &str) -> &'a serde_json::Value {
    items[key]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {items}"))
}

/// The scan of the report: every term, with its page, its line on that
/// page and its column; a term split by the page break is found and ends
/// on the next page.
fn assert_report_scan(path: &str) {
    let (status, v, err) = json(&["--no-config", "scan", "--format", "json", path]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    assert!(err.is_empty(), "{err}");
    let m = with_id(&v, "matches", "shixian-zhuzhan");
    assert_eq!(
        (&m["page"], &m["line"], &m["column"]),
        (&1.into(), &2.into(), &16.into()),
        "{m}"
    );
    let m = with_id(&v, "matches", "liangdui-yishi");
    assert_eq!(
        (&m["page"], &m["line"], &m["column"]),
        (&1.into(), &3.into(), &12.into())
    );
    assert_eq!(
        (&m["end_page"], &m["end_line"], &m["end_column"]),
        (&2.into(), &1.into(), &3.into())
    );
    assert_eq!(m["matched"], "两队\n\u{c}\n一室");
    let m = with_id(&v, "matches", "zhuanye-jizhi-dashuju");
    assert_eq!(
        (&m["page"], &m["line"], &m["column"]),
        (&2.into(), &2.into(), &5.into())
    );
    assert!(
        v["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["page"].as_u64().is_some_and(|p| (1..=2).contains(&p))),
        "{v}"
    );
}

#[test]
fn the_text_layer_is_read_with_page_line_and_column() {
    assert_report_scan(REPORT);
    // Other inputs have no pages and no `page` key.
    let (_, v, _) = json(&[
        "--no-config",
        "scan",
        "--format",
        "json",
        "samples/report.txt",
    ]);
    assert!(v["matches"][0].get("page").is_none(), "{v}");
    let (_, out, _) = tifa(&["--no-config", "--color", "never", "scan", REPORT]);
    assert!(
        out.contains(&format!("{REPORT}:p1:2:16: 市县主战 → 市县主战")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{REPORT}:p2:2:5: 专业+机制+大数据")),
        "{out}"
    );
}

#[test]
fn check_reports_pages_in_every_format_and_no_fix() {
    let (status, v, _) = json(&["--no-config", "check", "--format", "json", REPORT]);
    assert_eq!(status, ExitStatus::Findings);
    let findings = v["findings"].as_array().unwrap();
    // The term the page break splits is the layout's, not a finding.
    assert_eq!(findings.len(), 2, "{v}");
    let f = with_id(&v, "findings", "liangdui-yishi");
    assert_eq!(
        (&f["page"], &f["line"], &f["column"]),
        (&1.into(), &2.into(), &7.into())
    );
    assert_eq!(
        (f["matched"].as_str(), f["suggestion"].as_str()),
        (Some("两队一所"), Some("两队一室"))
    );
    let f = with_id(&v, "findings", "fazhi-runjing");
    assert_eq!(
        (&f["page"], &f["line"], &f["column"]),
        (&2.into(), &3.into(), &5.into())
    );

    let (_, out, _) = tifa(&["--no-config", "--color", "never", "check", REPORT]);
    assert!(out.contains(&format!("--> {REPORT}:p1:2:7")), "{out}");
    assert!(out.contains(&format!("--> {REPORT}:p2:3:5")), "{out}");
    // Nothing in a PDF is fixable: suggested, never claimed fixable.
    assert!(out.contains("是否应为“两队一室”？"), "{out}");
    assert!(!out.contains("--fix"), "{out}");

    let (_, out, _) = tifa(&["--no-config", "check", "--format", "github", REPORT]);
    assert!(
        out.contains(&format!(
            "::error file={REPORT},title=tifa wrong-form::p1:2:7: "
        )),
        "{out}"
    );

    let (_, v, _) = json(&["--no-config", "check", "--format", "sarif", REPORT]);
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let r = &results[1];
    assert_eq!(r["properties"]["page"], 2, "{r}");
    assert_eq!(r["properties"]["endPage"], 2);
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert!(r.get("fixes").is_none(), "{r}");
}

#[test]
fn fix_and_diff_refuse_pdfs_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("report.pdf");
    let bytes = std::fs::read(REPORT).unwrap();
    std::fs::write(&p, &bytes).unwrap();
    let path = p.to_str().unwrap();
    for mode in ["--fix", "--diff"] {
        let (status, out, err) = tifa(&["--no-config", "--color", "never", "check", mode, path]);
        // --fix: the findings are left; --diff: no file would change.
        let left = if mode == "--fix" {
            ExitStatus::Findings
        } else {
            ExitStatus::Success
        };
        assert_eq!(status, left, "{mode}: {err}");
        assert!(
            err.contains(&format!(
                "{path}: not changed by --fix or --diff: tifa does not write PDFs"
            )),
            "{err}"
        );
        assert!(!out.contains("@@"), "no diff: {out}");
        assert_eq!(std::fs::read(&p).unwrap(), bytes);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no file left"
        );
    }
    let (status, _, err) = tifa(&["--no-config", "review", path, "-o", "/dev/null"]);
    assert_eq!(status, ExitStatus::Error);
    assert!(err.contains("not a .docx"), "{err}");
}

#[test]
fn count_and_annotate_read_pdfs() {
    let (_, v, _) = json(&["--no-config", "count", "--format", "json", REPORT]);
    assert_eq!(with_id(&v, "entries", "liangdui-yishi")["count"], 1, "{v}");
    assert_eq!(v["total"], 8, "{v}");
    let (_, out, _) = tifa(&["--no-config", "annotate", "--format", "markdown", REPORT]);
    assert!(out.contains("\n* * *\n"), "the page break as a rule: {out}");
    assert!(out.contains("（error · wrong-form · p2:3:5）"), "{out}");
    assert!(!out.contains('\u{c}'), "{out}");
    let (_, out, _) = tifa(&["--no-config", "--color", "never", "annotate", REPORT]);
    assert!(out.contains("坚持两队\n── 分页 ──\n一室[5]"), "{out}");
    assert!(out.contains("[!2] error[wrong-form] p2:3:5"), "{out}");
}

#[test]
fn the_library_reads_pdf_bytes() {
    let bytes = std::fs::read(REPORT).unwrap();
    let loaded =
        tifa::input::load_bytes("r.pdf", &bytes, &tifa::input::Options::default()).unwrap();
    let tifa::input::Loaded::Text(src) = loaded else {
        panic!("not read");
    };
    assert_eq!(src.format, tifa::format::Format::Pdf);
    let pages: Vec<&str> = src.text.split(tifa::format::pdf::PAGE_BREAK).collect();
    assert_eq!(pages.len(), 2, "{:?}", src.text);
    assert!(
        pages[0].starts_with("关于推进派出所工作的情况报告\n"),
        "{:?}",
        pages[0]
    );
    assert!(pages[1].starts_with("一室运行机制。\n"), "{:?}", pages[1]);
}

#[test]
fn broken_and_encrypted_pdfs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let report = std::fs::read(REPORT).unwrap();
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "truncated.pdf",
            report[..report.len() / 2].to_vec(),
            "cannot read PDF: ",
        ),
        (
            "garbage.pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Pages 9 0 R >>\ngarbage\x00\xff\n".to_vec(),
            "cannot read PDF: ",
        ),
        (
            "text.pdf",
            "两队一所".as_bytes().to_vec(),
            "cannot read PDF: no %PDF- header",
        ),
        (
            "encrypted.pdf",
            std::fs::read("tests/fixtures/pdf/encrypted.pdf").unwrap(),
            "cannot read PDF: it is encrypted (a password is needed to open it)",
        ),
    ];
    for (name, bytes, message) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let path = p.to_str().unwrap();
        for command in ["scan", "check", "count", "annotate"] {
            let (status, out, err) = tifa(&["--no-config", command, path]);
            assert_eq!(status, ExitStatus::Error, "{name} {command}: {out}{err}");
            assert!(
                err.starts_with(&format!("tifa: {path}: {message}")),
                "{name}: {err}"
            );
        }
    }
    let (_, _, err) = tifa(&["--no-config", "scan", "tests/fixtures/pdf/encrypted.pdf"]);
    assert!(
        err.contains("hint: save a copy without a password"),
        "{err}"
    );
}

#[test]
fn a_pdf_without_text_gets_a_note_and_no_findings() {
    let path = "tests/fixtures/pdf/no-text.pdf";
    let (status, v, err) = json(&["--no-config", "check", "--format", "json", path]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    assert_eq!(v["findings"], serde_json::json!([]));
    assert!(
        err.contains(&format!(
            "{path}: no text layer (a scanned image?): tifa does no OCR"
        )),
        "{err}"
    );
    let (status, out, err) = tifa(&["--no-config", "scan", path]);
    assert_eq!((status, out.as_str()), (ExitStatus::Success, ""), "{err}");
    assert!(err.contains("no text layer"), "{err}");
}

/// Damaged copies of the report (cut short, bytes overwritten) are read
/// or refused, never a panic; the parser does panic on some of them (it
/// unwraps), which the reader turns into an error.
#[test]
fn damaged_pdfs_never_panic() {
    let report = std::fs::read(REPORT).unwrap();
    let mut caught = 0;
    let mut outcomes = 0;
    let mut damaged = Vec::new();
    for cut in (0..report.len()).step_by(487) {
        damaged.push(report[..cut].to_vec());
    }
    for at in (0..report.len()).step_by(211) {
        let mut copy = report.clone();
        for b in copy.iter_mut().skip(at).take(7) {
            *b = b.wrapping_mul(31).wrapping_add(7);
        }
        damaged.push(copy);
    }
    for bytes in &damaged {
        match tifa::format::pdf::extract(bytes) {
            Err(tifa::format::pdf::PdfError::Broken(m)) if m.contains("parser failed") => {
                caught += 1;
            }
            _ => outcomes += 1,
        }
    }
    assert_eq!(caught + outcomes, damaged.len());
    // The panic path is taken (with the parser's version in Cargo.lock).
    assert!(
        caught > 0,
        "no parser panic among {} damaged PDFs",
        damaged.len()
    );
}

#[test]
fn limits_refuse_the_whole_pdf() {
    use tifa::format::pdf::{LIMITS, Limits, PdfError, extract_with};
    let report = std::fs::read(REPORT).unwrap();
    let read = extract_with(&report, LIMITS).unwrap();
    assert_eq!(read.pages, 2);
    for (limits, what) in [
        (Limits { text: 40, ..LIMITS }, "the text"),
        // The fixture's objects are in object streams (qpdf packed them),
        // which lopdf unpacks while it reads the file: checked then.
        (
            Limits {
                stream: 100,
                ..LIMITS
            },
            "an object stream, uncompressed",
        ),
        (
            Limits {
                streams: 300,
                ..LIMITS
            },
            "uncompressed",
        ),
        (Limits { pages: 1, ..LIMITS }, "2 pages"),
        (
            Limits {
                file: 1000,
                ..LIMITS
            },
            "the file",
        ),
    ] {
        match extract_with(&report, limits) {
            Err(e @ PdfError::TooLarge { .. }) => {
                let m = e.to_string();
                assert!(
                    m.contains(what) && m.ends_with("tifa reads from a PDF; not read"),
                    "{m}"
                );
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

/// A PDF that opens without a password but restricts what its reader may
/// do (encrypted for its owner) is read. Needs `qpdf`.
#[test]
fn a_pdf_encrypted_for_its_owner_only_is_read() {
    if !crate::installed("qpdf") {
        eprintln!("skipped: no qpdf (apt-get install qpdf)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("owner.pdf");
    let made = Command::new("qpdf")
        .args(["--encrypt", "", "owner-secret", "256", "--", REPORT])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert_report_scan(out.to_str().unwrap());
}

/// The report written as a .docx here and made a PDF by LibreOffice (Noto
/// CJK fonts, CID-keyed with ToUnicode maps) reads as the fixture does.
#[test]
fn libreoffice_pdfs_of_a_written_document_are_read() {
    let Some(soffice) = crate::soffice() else {
        eprintln!(
            "skipped: no LibreOffice (apt-get install libreoffice-writer-nogui fonts-noto-cjk)"
        );
        return;
    };
    let p = |runs: &[&str]| {
        let runs: String = runs
            .iter()
            .map(|r| match *r {
                "PAGE" => r#"<w:r><w:br w:type="page"/></w:r>"#.to_owned(),
                t => format!("<w:r><w:t>{t}</w:t></w:r>"),
            })
            .collect();
        format!("<w:p>{runs}</w:p>")
    };
    let xml = [
        p(&["关于推进派出所工作的情况报告"]),
        p(&["一、各所推行两队一所改革，落实市县主战、派出所主防要求。"]),
        p(&["二、深化社区警务，坚持两队", "PAGE", "一室运行机制。"]),
        p(&["三、建立专业+机制+大数据新型警务运行模式。"]),
        p(&["四、坚持法制润警，推进一标三实基础工作。"]),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("report.docx");
    std::fs::write(&doc, docx(&[body(&xml)])).unwrap();
    let pdf = crate::soffice_convert(soffice, "pdf", &doc, dir.path());
    assert_report_scan(pdf.to_str().unwrap());
    let (_, v, _) = json(&[
        "--no-config",
        "check",
        "--format",
        "json",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(v["findings"].as_array().unwrap().len(), 2, "{v}");
    // LibreOffice writes no object streams: each stream is checked after
    // reading.
    let limits = tifa::format::pdf::Limits {
        stream: 100,
        ..tifa::format::pdf::LIMITS
    };
    let e = tifa::format::pdf::extract_with(&std::fs::read(&pdf).unwrap(), limits).unwrap_err();
    assert!(
        e.to_string()
            .contains(" 0 uncompressed is more than the 100 bytes"),
        "{e}"
    );
}
