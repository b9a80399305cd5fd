//! `tifa review`: findings back into Word as comments and tracked changes,
//! on documents these tests write.

use std::io::{Cursor, Read, Write};
use std::path::Path;

use crate::tifa;
use tifa::cli::ExitStatus;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const DATE: &str = "2026-12-02T09:00:00Z";

/// A .docx of the given parts (name, XML); the content types, the package
/// relationships and the document's relationships are added.
pub(crate) fn docx(parts: &[(&str, String)]) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default();
    let mut all: Vec<(String, String)> = vec![
        (
            "[Content_Types].xml".into(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.into(),
        ),
        (
            "_rels/.rels".into(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.into(),
        ),
        (
            "word/_rels/document.xml.rels".into(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.into(),
        ),
        (
            "word/styles.xml".into(),
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:styleId="Normal"/></w:styles>"#),
        ),
    ];
    for (name, xml) in parts {
        all.retain(|(n, _)| n != name);
        all.push(((*name).to_owned(), xml.clone()));
    }
    for (name, xml) in &all {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(xml.as_bytes()).unwrap();
    }
    z.finish().unwrap();
    buf.into_inner()
}

pub(crate) fn body(xml: &str) -> (&'static str, String) {
    (
        "word/document.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>{xml}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
        ),
    )
}

fn part(bytes: &[u8], name: &str) -> Option<String> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut f = z.by_name(name).ok()?;
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    Some(s)
}

/// Reviews `doc` (written to a temporary folder) with `args`; returns the
/// status, stderr and the reviewed document.
fn review(doc: &[u8], args: &[&str]) -> (ExitStatus, String, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.docx");
    let output = dir.path().join("out.docx");
    std::fs::write(&input, doc).unwrap();
    let (i, o) = (input.to_str().unwrap(), output.to_str().unwrap());
    let mut all = vec!["--no-config", "review", i, "-o", o, "--date", DATE];
    all.extend_from_slice(args);
    let (status, _, err) = tifa(&all);
    let out = std::fs::read(&output).unwrap_or_default();
    (status, err, out)
}

fn check_json(doc: &[u8]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.docx");
    std::fs::write(&p, doc).unwrap();
    let (_, out, _) = tifa(&[
        "--no-config",
        "check",
        "--format",
        "json",
        p.to_str().unwrap(),
    ]);
    serde_json::from_str(&out).unwrap()
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// A GB/T 9704-style paragraph (first-line indent in characters, 仿宋) with
/// the wrong form split across a plain and a bold run, and a table.
fn official() -> Vec<u8> {
    docx(&[body(concat!(
        r#"<w:p><w:pPr><w:ind w:firstLineChars="200"/></w:pPr>"#,
        r#"<w:r w:rsidR="00A1"><w:rPr><w:rFonts w:eastAsia="仿宋_GB2312"/><w:sz w:val="32"/></w:rPr><w:t>坚持两队</w:t></w:r>"#,
        r#"<w:r><w:rPr><w:b/></w:rPr><w:t>一所改革，</w:t></w:r>"#,
        r#"<w:r><w:t>推进一标三实。</w:t></w:r></w:p>"#,
        r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>表格：两队一所</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
    ))])
}

#[test]
fn comments_and_tracked_changes_split_runs_and_keep_formatting() {
    let doc = official();
    let before = check_json(&doc);
    assert_eq!(before["findings"].as_array().unwrap().len(), 2);
    let (status, err, out) = review(&doc, &[]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    assert!(
        err.contains("2 findings: 2 comments, 2 tracked changes"),
        "{err}"
    );
    let xml = part(&out, "word/document.xml").unwrap();
    // The span's edges split the runs; each piece keeps its run's tag and
    // properties; the insertion takes the first run's.
    assert!(xml.contains(r#"<w:r w:rsidR="00A1"><w:rPr><w:rFonts w:eastAsia="仿宋_GB2312"/><w:sz w:val="32"/></w:rPr><w:t xml:space="preserve">坚持</w:t></w:r>"#), "{xml}");
    assert!(
        xml.contains(r#"<w:rPr><w:b/></w:rPr><w:delText xml:space="preserve">一所</w:delText>"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<w:rPr><w:b/></w:rPr><w:t xml:space="preserve">改革，</w:t>"#),
        "{xml}"
    );
    assert!(xml.contains(&format!(r#"<w:ins w:id="2" w:author="tifa" w:date="{DATE}"><w:r w:rsidR="00A1"><w:rPr><w:rFonts w:eastAsia="仿宋_GB2312"/><w:sz w:val="32"/></w:rPr><w:t xml:space="preserve">两队一室</w:t></w:r></w:ins>"#)) || xml.contains(r#"<w:t xml:space="preserve">两队一室</w:t></w:r></w:ins>"#), "{xml}");
    assert!(xml.contains(r#"<w:ind w:firstLineChars="200"/>"#));
    assert!(xml.contains(r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>"#));
    assert_eq!(count(&xml, "<w:del "), 3, "one per deleted run piece");
    assert_eq!(count(&xml, "<w:ins "), 2);
    assert_eq!(count(&xml, "<w:commentRangeStart "), 2);
    assert_eq!(count(&xml, "<w:commentReference "), 2);
    // The comments: rule, message, suggestion, definition; author tifa.
    let comments = part(&out, "word/comments.xml").unwrap();
    assert_eq!(count(&comments, r#"w:author="tifa""#), 2);
    assert!(comments.contains(r#"w:initials="TF""#));
    assert!(comments.contains("[wrong-form]") && comments.contains("建议：两队一室"));
    assert!(comments.contains("释义（两队一室）："));
    // Made with its relationship and content type.
    assert!(
        part(&out, "word/_rels/document.xml.rels")
            .unwrap()
            .contains(r#"Target="comments.xml""#)
    );
    assert!(
        part(&out, "[Content_Types].xml")
            .unwrap()
            .contains(r#"PartName="/word/comments.xml""#)
    );
    // Untouched parts are as they were.
    assert_eq!(part(&out, "word/styles.xml"), part(&doc, "word/styles.xml"));
    // With the changes accepted (as tifa reads a .docx), nothing is left.
    assert_eq!(check_json(&out)["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn reviewing_again_replaces_tifas_work_and_keeps_the_editors() {
    let ours = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="张编辑" w:initials="ZB"><w:p><w:r><w:t>请核对数字</w:t></w:r></w:p></w:comment></w:comments>"#
    );
    let doc = docx(&[
        body(concat!(
            r#"<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>全年出警三百次</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>"#,
            r#"<w:p><w:ins w:id="5" w:author="张编辑" w:date="2026-11-30T08:00:00Z"><w:r><w:t>新增一句。</w:t></w:r></w:ins><w:r><w:t>落实两队一所。</w:t></w:r></w:p>"#,
        )),
        ("word/comments.xml", ours),
    ]);
    let (status, err, once) = review(&doc, &[]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    let (status, err, twice) = review(&once, &[]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    assert!(
        err.contains("replaced 2 of tifa's earlier comments and changes"),
        "{err}"
    );
    for name in ["word/document.xml", "word/comments.xml"] {
        assert_eq!(part(&once, name), part(&twice, name), "{name} stacked");
    }
    let xml = part(&twice, "word/document.xml").unwrap();
    assert!(xml.contains(r#"<w:ins w:id="5" w:author="张编辑" w:date="2026-11-30T08:00:00Z"><w:r><w:t>新增一句。</w:t></w:r></w:ins>"#));
    assert!(xml.contains(r#"<w:commentRangeStart w:id="0"/>"#));
    assert_eq!(
        count(&xml, r#"w:author="tifa""#),
        2,
        "one deletion, one insertion"
    );
    let comments = part(&twice, "word/comments.xml").unwrap();
    assert!(comments.contains("请核对数字"));
    assert_eq!(count(&comments, "<w:comment "), 2);
    // New ids do not collide with the editor's.
    assert!(!xml.contains(r#"<w:ins w:id="5" w:author="tifa""#));
}

#[test]
fn comments_only_changes_only_and_terms() {
    let doc = official();
    let (_, err, out) = review(&doc, &["--comments-only"]);
    assert!(err.contains("2 comments, 0 tracked changes"), "{err}");
    let xml = part(&out, "word/document.xml").unwrap();
    assert_eq!(count(&xml, "<w:del "), 0);
    assert_eq!(count(&xml, "<w:commentRangeStart "), 2);
    let (_, err, out) = review(&doc, &["--changes-only"]);
    assert!(err.contains("0 comments, 2 tracked changes"), "{err}");
    assert!(part(&out, "word/comments.xml").is_none());
    let (_, err, out) = review(&doc, &["--terms", "--comments-only"]);
    assert!(err.contains("3 comments"), "{err}");
    assert!(
        part(&out, "word/comments.xml")
            .unwrap()
            .contains("【一标三实】")
    );
}

#[test]
fn a_span_across_paragraphs_is_commented_only_and_says_why() {
    let doc = docx(&[body(
        r#"<w:p><w:r><w:t>推行两队</w:t></w:r></w:p><w:p><w:r><w:t>一所。</w:t></w:r></w:p>"#,
    )]);
    let (status, err, out) = review(&doc, &[]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    assert!(err.contains("1 commented only"), "{err}");
    let xml = part(&out, "word/document.xml").unwrap();
    assert_eq!(count(&xml, "<w:del "), 0);
    assert_eq!(count(&xml, "<w:commentRangeStart "), 1);
    assert!(
        part(&out, "word/comments.xml")
            .unwrap()
            .contains("跨越段落")
    );
}

#[test]
fn headers_get_tracked_changes_and_footnotes_comments() {
    let hdr = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:hdr xmlns:w="{W}"><w:p><w:r><w:t>页眉：两队一所</w:t></w:r></w:p></w:hdr>"#
    );
    let notes = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="{W}"><w:footnote w:id="1"><w:p><w:r><w:t>注：两队一所</w:t></w:r></w:p></w:footnote></w:footnotes>"#
    );
    let doc = docx(&[
        body(r#"<w:p><w:r><w:t>正文无误。</w:t></w:r></w:p>"#),
        ("word/header1.xml", hdr),
        ("word/footnotes.xml", notes),
    ]);
    let (status, err, out) = review(&doc, &[]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    let h = part(&out, "word/header1.xml").unwrap();
    assert!(
        h.contains("<w:delText xml:space=\"preserve\">两队一所</w:delText>"),
        "{h}"
    );
    assert_eq!(
        count(&h, "commentRange"),
        0,
        "Word shows no comments in headers"
    );
    let f = part(&out, "word/footnotes.xml").unwrap();
    assert_eq!(count(&f, "<w:commentRangeStart "), 1);
    assert_eq!(count(&f, "<w:del "), 1);
    // The body had nothing: written as it was.
    assert_eq!(
        part(&out, "word/document.xml"),
        part(&doc, "word/document.xml")
    );
}

#[test]
fn bad_documents_are_refused_and_nothing_is_written() {
    for (bytes, says) in [
        (
            b"PK\x03\x04 not really a zip".to_vec(),
            "not a readable .docx",
        ),
        (docx(&[]), "no word/document.xml"),
    ] {
        let mut bytes = bytes;
        if says.contains("document.xml") {
            // A zip without the body.
            let mut buf = Cursor::new(Vec::new());
            let mut z = zip::ZipWriter::new(&mut buf);
            z.start_file("a.txt", zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(b"x").unwrap();
            z.finish().unwrap();
            bytes = buf.into_inner();
        }
        let (status, err, out) = review(&bytes, &[]);
        assert_eq!(status, ExitStatus::Error);
        assert!(err.contains(says), "{err}");
        assert!(err.contains("nothing was written"), "{err}");
        assert!(out.is_empty(), "no output file");
    }
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("a.txt");
    std::fs::write(&txt, "两队一所").unwrap();
    let (status, _, err) = tifa(&["--no-config", "review", txt.to_str().unwrap(), "--in-place"]);
    assert_eq!(status, ExitStatus::Error);
    assert!(err.contains("not a .docx"), "{err}");
    assert_eq!(std::fs::read_to_string(&txt).unwrap(), "两队一所");
}

#[test]
fn in_place_replaces_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("memo.docx");
    std::fs::write(&p, official()).unwrap();
    let (status, _, err) = tifa(&[
        "--no-config",
        "review",
        p.to_str().unwrap(),
        "--in-place",
        "--date",
        DATE,
    ]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    let xml = part(&std::fs::read(&p).unwrap(), "word/document.xml").unwrap();
    assert_eq!(count(&xml, "<w:ins "), 2);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file left");
    assert!(Path::new(&p).exists());
}

#[test]
fn check_fix_writes_tracked_changes_into_a_docx() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("memo.docx");
    std::fs::write(&p, official()).unwrap();
    let path = p.to_str().unwrap();
    let (status, _, err) = tifa(&["--no-config", "check", "--fix", path]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    assert!(err.contains("2 fixes written as tracked changes"), "{err}");
    let fixed = std::fs::read(&p).unwrap();
    let xml = part(&fixed, "word/document.xml").unwrap();
    assert_eq!(count(&xml, r#"<w:ins w:id="#), 2);
    assert!(part(&fixed, "word/comments.xml").is_none(), "no comments");
    // Fixed again: nothing left to fix, nothing stacked.
    let (status, _, _) = tifa(&["--no-config", "check", "--fix", path]);
    assert_eq!(status, ExitStatus::Success);
    assert_eq!(std::fs::read(&p).unwrap(), fixed);
}

/// Any cut of a document's XML: an error or a document, never a panic.
#[test]
fn broken_xml_never_panics() {
    let engine = tifa::engine::Engine::embedded().unwrap();
    let opts = tifa::format::review::Options {
        comments: true,
        changes: true,
        terms: true,
        date: DATE.into(),
        lang: tifa::check::Lang::Zh,
    };
    let (_, xml) = body(concat!(
        r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>坚持两队</w:t><w:tab/><w:t>一所</w:t></w:r>"#,
        r#"<w:hyperlink><w:r><w:t>两队一所</w:t></w:r></w:hyperlink><w:r><w:t>&amp;一标三实&#x4E00;</w:t></w:r></w:p>"#,
    ));
    let mut cuts = 0;
    for (i, _) in xml.char_indices() {
        let doc = docx(&[(
            "word/document.xml",
            xml[..i].to_owned() + &xml[i..].replacen('<', "", 1),
        )]);
        let _ = tifa::format::review::review(&engine, "d.docx", &doc, &opts);
        cuts += 1;
    }
    assert!(cuts > 100);
    let doc = docx(&[("word/document.xml", xml)]);
    let r = tifa::format::review::review(&engine, "d.docx", &doc, &opts).unwrap();
    assert!(r.comments >= 3, "{r:?}");
}

/// A text box, as Word writes it: DrawingML with a VML fallback holding
/// the same text. Read once, marked in the DrawingML copy.
#[test]
fn text_boxes_are_read_once_and_reviewed() {
    let txbx = |inner: &str| {
        format!("<w:txbxContent><w:p><w:r><w:t>{inner}</w:t></w:r></w:p></w:txbxContent>")
    };
    let doc = docx(&[body(&format!(
        concat!(
            r#"<w:p><w:r><w:t>正文。</w:t></w:r><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">"#,
            r#"<mc:Choice Requires="wps"><w:drawing><wps:txbx xmlns:wps="x">{}</wps:txbx></w:drawing></mc:Choice>"#,
            r#"<mc:Fallback><w:pict><v:textbox xmlns:v="y">{}</v:textbox></w:pict></mc:Fallback>"#,
            r#"</mc:AlternateContent></w:r></w:p>"#
        ),
        txbx("框内：两队一所"),
        txbx("框内：两队一所")
    ))]);
    assert_eq!(
        check_json(&doc)["findings"].as_array().unwrap().len(),
        1,
        "read once"
    );
    let (status, err, out) = review(&doc, &[]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    assert!(err.contains("1 comments, 1 tracked changes"), "{err}");
    let xml = part(&out, "word/document.xml").unwrap();
    let choice = &xml[..xml.find("<mc:Fallback>").unwrap()];
    assert_eq!(count(choice, "<w:ins "), 1, "{xml}");
    assert_eq!(count(choice, "<w:commentRangeStart "), 1);
    assert!(xml.contains("<mc:Fallback><w:pict><v:textbox xmlns:v=\"y\"><w:txbxContent><w:p><w:r><w:t>框内：两队一所</w:t>"));
}

/// LibreOffice opens the reviewed document and sees tifa's comments and
/// tracked changes (converted to OpenDocument, whose XML says so). Skips
/// only when LibreOffice is missing; `.ci/run` installs it.
#[test]
fn libreoffice_reads_the_comments_and_tracked_changes() {
    let Some(soffice) = crate::soffice() else {
        eprintln!("skipped: no LibreOffice (apt-get install libreoffice-writer-nogui)");
        return;
    };
    let (_, err, out) = review(&official(), &[]);
    assert!(err.contains("2 comments, 2 tracked changes"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("reviewed.docx");
    std::fs::write(&doc, &out).unwrap();
    let odt = crate::soffice_convert(soffice, "odt", &doc, dir.path());
    let odt = std::fs::read(odt).unwrap();
    let content = part(&odt, "content.xml").unwrap();
    assert_eq!(count(&content, "<text:deletion>"), 2, "{content}");
    assert_eq!(count(&content, "<text:insertion>"), 2);
    assert_eq!(
        count(&content, "<office:annotation"),
        2 + count(&content, "<office:annotation-end")
    );
    assert!(content.contains("<dc:creator>tifa</dc:creator>"));
    assert!(content.contains("建议：两队一室"));
    assert!(content.contains("坚持"), "the text around is kept");
}

/// The compressed bytes of every entry but those tifa changes are those of
/// the input; the changes accepted give the text `check --fix` gives.
#[test]
fn other_parts_are_byte_identical_and_accepting_all_is_the_fix() {
    let doc = official();
    let (_, _, out) = review(&doc, &[]);
    let raw = |bytes: &[u8], name: &str| -> Vec<u8> {
        let mut z = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
        let mut f = z.by_name_raw(name.as_bytes()).unwrap();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        v
    };
    for name in ["word/styles.xml", "_rels/.rels"] {
        assert_eq!(raw(&doc, name), raw(&out, name), "{name}");
    }
    // Accept all, on the XML: drop deletions, unwrap insertions.
    let xml = part(&out, "word/document.xml").unwrap();
    let mut accepted = String::new();
    let mut rest = xml.as_str();
    while let Some(i) = rest.find("<w:del ") {
        accepted.push_str(&rest[..i]);
        let j = rest[i..].find("</w:del>").unwrap() + i + "</w:del>".len();
        rest = &rest[j..];
    }
    accepted.push_str(rest);
    let accepted = without_ins_tags(&accepted);
    let engine = tifa::engine::Engine::embedded().unwrap();
    let original = tifa::format::docx::extract(&doc).unwrap();
    let fixed = engine.fix("memo.docx", &original).text;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("accepted.docx");
    std::fs::write(&p, docx(&[("word/document.xml", accepted)])).unwrap();
    assert_eq!(
        tifa::format::docx::extract(&std::fs::read(&p).unwrap()).unwrap(),
        fixed
    );
}

/// `w:ins` tags removed, their content kept.
fn without_ins_tags(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<w:ins ") {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('>').unwrap() + i + 1;
        rest = &rest[j..];
    }
    out.push_str(rest);
    out.replace("</w:ins>", "")
}

/// A Python with python-docx ≥ 1.2 (which reads comments), in a virtual
/// environment under `target/` made once; `None`, with the reason printed,
/// where Python 3, its `venv` module or pip (the package index) is missing.
fn python_docx() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/python-docx-venv");
    let python = dir.join("bin/python");
    let has = |python: &Path| {
        std::process::Command::new(python)
            .args([
                "-c",
                "import docx, importlib.metadata as m; v = m.version('python-docx').split('.'); assert (int(v[0]), int(v[1])) >= (1, 2)",
            ])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if has(&python) {
        return Some(python);
    }
    let made = std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .output();
    if !made.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: no python3 with venv (apt-get install python3-venv)");
        return None;
    }
    let pip = std::process::Command::new(&python)
        .args(["-m", "pip", "install", "-q", "python-docx>=1.2"])
        .output();
    match pip {
        Ok(o) if o.status.success() && has(&python) => Some(python),
        Ok(o) => {
            eprintln!(
                "skipped: pip cannot install python-docx>=1.2: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            None
        }
        Err(e) => {
            eprintln!("skipped: pip: {e}");
            None
        }
    }
}

/// Every comment python-docx reads in a document: author, initials, text,
/// and the text its range anchors as the document read before the changes
/// (tracked insertions left out, deleted text in).
const READ_COMMENTS: &str = r#"
import json, sys
import docx
from docx.oxml.ns import qn

d = docx.Document(sys.argv[1])
out = []
for c in d.comments:
    cid = str(c.comment_id)
    inside, text = False, []
    for el in d.element.body.iter():
        if el.tag == qn("w:commentRangeStart") and el.get(qn("w:id")) == cid:
            inside = True
        elif el.tag == qn("w:commentRangeEnd") and el.get(qn("w:id")) == cid:
            inside = False
        elif inside and el.tag in (qn("w:t"), qn("w:delText")):
            if not any(a.tag == qn("w:ins") for a in el.iterancestors()):
                text.append(el.text or "")
    out.append({"author": c.author, "initials": c.initials, "text": c.text, "anchored": "".join(text)})
print(json.dumps(out, ensure_ascii=False))
"#;

/// python-docx ≥ 1.2 reads tifa's comments back: author `tifa`, initials
/// `TF`, the rule and message in the text, anchored on the finding's span.
#[test]
fn python_docx_reads_the_comments_back() {
    let Some(python) = python_docx() else {
        return;
    };
    let doc = official();
    let findings = check_json(&doc);
    let findings = findings["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    for args in [&[][..], &["--comments-only"][..]] {
        let (status, err, out) = review(&doc, args);
        assert_eq!(status, ExitStatus::Success, "{err}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("reviewed.docx");
        std::fs::write(&p, &out).unwrap();
        let read = std::process::Command::new(&python)
            .args(["-c", READ_COMMENTS])
            .arg(&p)
            .output()
            .unwrap();
        assert!(
            read.status.success(),
            "{}",
            String::from_utf8_lossy(&read.stderr)
        );
        let comments: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
        let comments = comments.as_array().unwrap();
        assert_eq!(comments.len(), findings.len(), "{args:?}: {comments:?}");
        for (c, f) in comments.iter().zip(findings) {
            assert_eq!(c["author"], "tifa");
            assert_eq!(c["initials"], "TF");
            let text = c["text"].as_str().unwrap();
            let rule = f["rule"].as_str().unwrap();
            let message = f["message"].as_str().unwrap();
            assert!(text.contains(&format!("[{rule}]")), "{text}");
            assert!(text.contains(message), "{text} / {message}");
            assert_eq!(c["anchored"], f["matched"], "{args:?}: {c}");
        }
    }
}

/// The first lines of `samples/report.txt` (a county police report written
/// for this project) as a .docx, one paragraph a line: four findings on
/// page 1 (a separator, a near miss, a full-width `＋`, parts out of order).
fn sample_report() -> Vec<u8> {
    let text = std::fs::read_to_string("samples/report.txt").unwrap();
    let paragraphs: String = text
        .lines()
        .take(22)
        .map(|l| {
            let l = l
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!(r#"<w:p><w:r><w:t xml:space="preserve">{l}</w:t></w:r></w:p>"#)
        })
        .collect();
    docx(&[body(&paragraphs)])
}

/// Runs `scripts/libreoffice-review.py` (Debian's Python, which has
/// LibreOffice's `uno`); `None` where that Python has no `uno` or there
/// is no LibreOffice.
fn libreoffice_review(what: &str, input: &Path, output: &Path) -> Option<std::process::Output> {
    let uno = std::process::Command::new("/usr/bin/python3")
        .args(["-c", "import uno"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !uno || !crate::installed("soffice") {
        eprintln!(
            "skipped: no LibreOffice with its Python bridge (apt-get install libreoffice-writer-nogui python3-uno)"
        );
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/libreoffice-review.py");
    Some(
        std::process::Command::new("timeout")
            .args(["300", "/usr/bin/python3"])
            .arg(script)
            .arg(what)
            .args([input, output])
            .output()
            .unwrap(),
    )
}

/// The editor's round trip: review a report, open it in LibreOffice,
/// Accept All (LibreOffice's own command, over UNO), save; `tifa check`
/// of the result is clean. LibreOffice 7.4's headless build aborts opening
/// a document with comments over UNO (it opens and converts it with
/// `--convert-to`, see above): there the round trip is made with the
/// tracked changes alone (`--changes-only`), and says so.
#[test]
fn accepting_all_in_libreoffice_leaves_nothing_to_check() {
    let doc = sample_report();
    let findings = check_json(&doc)["findings"].as_array().unwrap().len();
    assert!(findings >= 4, "the report has findings to review");
    let dir = tempfile::tempdir().unwrap();
    for args in [&[][..], &["--changes-only"][..]] {
        let (status, err, out) = review(&doc, args);
        assert_eq!(status, ExitStatus::Success, "{err}");
        assert!(
            err.contains(&format!("{findings} tracked changes")),
            "{err}"
        );
        let reviewed = dir.path().join("reviewed.docx");
        let accepted = dir.path().join("accepted.docx");
        std::fs::write(&reviewed, &out).unwrap();
        let Some(run) = libreoffice_review("accept", &reviewed, &accepted) else {
            return;
        };
        if run.status.code() == Some(3) && args.is_empty() {
            eprintln!(
                "note: {}; the round trip is made with --changes-only",
                String::from_utf8_lossy(&run.stderr).trim()
            );
            continue;
        }
        assert!(
            run.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let p = accepted.to_str().unwrap();
        let (status, out, err) = tifa(&["--no-config", "--color", "never", "check", p]);
        assert_eq!(status, ExitStatus::Success, "{args:?}: {out}{err}");
        assert!(out.contains("未发现问题"), "{out}");
        // The text around is kept: the fix of the text is what was saved.
        let saved = tifa::format::docx::extract(&std::fs::read(&accepted).unwrap()).unwrap();
        let engine = tifa::engine::Engine::embedded().unwrap();
        let fixed = engine
            .fix("report.docx", &tifa::format::docx::extract(&doc).unwrap())
            .text;
        assert_eq!(saved.trim_end(), fixed.trim_end(), "{args:?}");
        if args.is_empty() {
            break;
        }
    }
}

/// Page 1 of a reviewed report as LibreOffice exports it to PDF (the
/// comments as PDF notes, and in the margin where its PDF export has
/// "Comments in margin"), rendered by `pdftoppm`: the comments are there,
/// tifa's text in them, and the tracked changes show (the wrong form
/// struck through beside the right one). With `TIFA_REFRESH_SCREENSHOT=1`
/// the render is written to `docs/review-page1.png`, the README's picture.
#[test]
fn libreoffice_renders_page_one_with_the_comments_and_changes() {
    if !crate::installed("soffice") || !crate::installed("pdftoppm") {
        eprintln!(
            "skipped: no LibreOffice or pdftoppm (apt-get install libreoffice-writer-nogui poppler-utils)"
        );
        return;
    }
    let (status, err, out) = review(&sample_report(), &[]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let reviewed = dir.path().join("reviewed.docx");
    std::fs::write(&reviewed, &out).unwrap();
    let filter = r#"pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"},"ExportNotesInMargin":{"type":"boolean","value":"true"}}"#;
    let pdf = crate::soffice_convert("soffice", filter, &reviewed, dir.path());
    // The comments: one note per finding on page 1, by tifa, with the rule.
    let doc = lopdf::Document::load(&pdf).unwrap();
    let page = *doc.get_pages().get(&1).unwrap();
    let notes: Vec<String> = doc
        .get_page_annotations(page)
        .unwrap()
        .into_iter()
        .filter(|a| a.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(b"Text"))
        .filter_map(|a| {
            a.get(b"Contents")
                .ok()
                .and_then(|c| lopdf::decode_text_string(c).ok())
        })
        .collect();
    let comments = count(&part(&out, "word/comments.xml").unwrap(), "<w:comment ");
    assert_eq!(notes.len(), comments, "{notes:?}");
    assert!(
        notes
            .iter()
            .all(|n| n.starts_with('[') && n.contains("建议：")),
        "{notes:?}"
    );
    // The tracked changes: the deleted form is shown beside the inserted.
    let text = std::process::Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("芯大脑+云眼晴+智手脚芯大脑+云眼睛+智手脚"),
        "{text}"
    );
    let png = dir.path().join("page");
    let rendered = std::process::Command::new("pdftoppm")
        // Page 1 down to the last finding, at a size the README shows whole.
        .args([
            "-png", "-r", "80", "-f", "1", "-l", "1", "-x", "40", "-y", "60", "-W", "600", "-H",
            "506",
        ])
        .arg("-singlefile")
        .arg(&pdf)
        .arg(&png)
        .output()
        .unwrap();
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let image = std::fs::read(png.with_extension("png")).unwrap();
    assert!(image.starts_with(b"\x89PNG\r\n\x1a\n") && image.len() > 10_000);
    if std::env::var_os("TIFA_REFRESH_SCREENSHOT").is_some_and(|v| v == "1") {
        let to = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/review-page1.png");
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(&to, &image).unwrap();
        eprintln!("wrote {}", to.display());
    }
}
