//! `annotate --format markdown|html` and `report`: what a reader of the
//! page or the Markdown gets, and that markup in documents stays text.

use tifa::cli::ExitStatus;

use crate::{FIXTURE_LEXICON, tifa};

fn with_fixture(args: &[&str]) -> (ExitStatus, String, String) {
    let mut all = FIXTURE_LEXICON.to_vec();
    all.extend_from_slice(args);
    tifa(&all)
}

#[test]
fn markdown_footnotes_are_reused_for_repeated_terms() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.md");
    std::fs::write(&path, "推行两队一室。\n再推两队一室，做实派出所。\n").unwrap();
    let (status, out, err) =
        with_fixture(&["annotate", "--format", "markdown", path.to_str().unwrap()]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    assert_eq!(out.matches("**两队一室**[^1]").count(), 2, "{out}");
    assert!(out.contains("**派出所**[^2]"), "{out}");
    assert_eq!(out.matches("\n[^1]: ").count(), 1, "{out}");
    assert!(out.contains("[^1]: **两队一室**（liangdui-yishi · 警务模式）：派出所内设"));
    assert!(!out.contains("[^3]"));
}

#[test]
fn html_shows_markup_from_documents_as_text() {
    let (status, page, err) = with_fixture(&[
        "annotate",
        "--format",
        "html",
        "tests/fixtures/report/xss.txt",
    ]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    assert!(!page.contains("<script"), "a script element in the page");
    assert!(!page.contains("<img"), "an img element in the page");
    assert!(!page.contains("<a href=\"javascript"));
    assert!(page.contains("&lt;script&gt;document.title=&#39;pwned&#39;"));
    assert!(page.contains("&lt;img src=x onerror=&quot;window.pwned=2"));
    // No script may run, whatever the page holds; nothing is fetched.
    assert!(
        page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"")
    );
    assert!(!page.contains("http://") && !page.contains("https://"));
    assert!(!page.contains("@import") && !page.contains("url("));
}

#[test]
fn html_terms_carry_their_definitions_and_are_focusable() {
    let (_, page, _) = with_fixture(&["report", "tests/fixtures/mixed.txt"]);
    let marks = page.matches("<mark class=\"t k").count();
    assert_eq!(marks, 7);
    // check's findings are flagged too, each focusable with its message.
    let flags = page.matches("<mark class=\"f ").count();
    assert_eq!(page.matches("tabindex=\"0\"").count(), marks + flags);
    assert_eq!(page.matches("role=\"tooltip\"").count(), marks + flags);
    assert!(page.contains(
        "<b>两队一室</b> <span class=\"meta\">liangdui-yishi · 警务模式</span><span class=\"row\">派出所内设社区警务队、案件办理队和综合指挥室的警务运行模式。</span><span class=\"row\"><i>组成</i>社区警务队、案件办理队、综合指挥室</span><span class=\"row\"><i>英文</i>two teams and one office</span>"
    ));
    assert!(page.contains("<svg viewBox="), "no chart");
    assert!(
        page.contains("<dt id=\"g-shixian-zhuzhan\">"),
        "no glossary"
    );
    assert!(page.contains("@media (max-width:56rem)"), "not responsive");
    // One file: no per-file table.
    assert!(!page.contains("<h2>各文件</h2>"));
    let (_, page, _) = with_fixture(&[
        "report",
        "tests/fixtures/mixed.txt",
        "tests/fixtures/report/xss.txt",
    ]);
    assert!(page.contains("<h2>各文件</h2>"));
}

#[test]
fn report_writes_the_file_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    let file = file.to_str().unwrap();
    let (status, out, err) = with_fixture(&["report", "tests/fixtures/mixed.txt", "-o", file]);
    assert_eq!(status, ExitStatus::Success, "{err}");
    assert_eq!(out, format!("wrote {file}: 1 file, 7 spans, 8 entries\n"));
    assert!(
        std::fs::read_to_string(file)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    let missing = dir.path().join("no/such/dir/report.html");
    let (status, _, err) = with_fixture(&[
        "report",
        "tests/fixtures/mixed.txt",
        "-o",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(status, ExitStatus::Error);
    assert!(err.contains("cannot write the report"), "{err}");
}

/// `count` on a terminal: the longest bar fills the line, and no line is
/// wider than the terminal; piped, the bars keep their fixed width.
#[test]
fn count_bars_fit_the_terminal() {
    use clap::Parser;
    use tifa::cli::{Cli, Terminal, run_on};
    use unicode_width::UnicodeWidthStr;
    let table = |width: Option<usize>| {
        let mut args = vec!["tifa", "--color", "never"];
        args.extend_from_slice(&FIXTURE_LEXICON);
        args.extend(["count", "tests/fixtures/mixed.txt"]);
        let cli = Cli::try_parse_from(args).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let terminal = Terminal {
            stdout: width.is_some(),
            width,
        };
        run_on(cli, terminal, &mut out, &mut err).unwrap();
        String::from_utf8(out).unwrap()
    };
    let bar = |line: &str| {
        line.chars()
            .filter(|c| ('\u{2588}'..='\u{258F}').contains(c))
            .count()
    };
    for width in [80, 120, 160] {
        let out = table(Some(width));
        for line in out.lines() {
            assert!(line.width() <= width, "{width}: {line}");
        }
        let first = out.lines().next().unwrap();
        assert!(first.width() >= width - 2, "{width}: {first}");
    }
    let piped = table(None);
    assert_eq!(bar(piped.lines().next().unwrap()), 30);
}

/// `annotate --format markdown` on a folder: each file under its own
/// heading, footnote labels unique across the files (each defined once),
/// plain-text lines that look like Markdown escaped, a Markdown file
/// written as it is, and check's findings as footnotes of their own.
#[test]
fn markdown_of_a_folder_has_unique_labels_and_escaped_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.txt"),
        "# 一、总体要求\n- 推行两队一所，落实两队一室。\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("b.md"), "# 标题\n\n坚持两队一室。\n").unwrap();
    let path = dir.path().to_str().unwrap();
    let (_, out, err) = with_fixture(&["annotate", "--format", "markdown", path]);
    let labels: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("[^"))
        .filter_map(|l| l.split_once("]:").map(|(label, _)| label))
        .collect();
    let unique: std::collections::HashSet<&&str> = labels.iter().collect();
    assert_eq!(unique.len(), labels.len(), "{out}{err}");
    assert!(
        labels.contains(&"1-1") && labels.contains(&"2-1") && labels.contains(&"1-e1"),
        "{out}"
    );
    assert!(
        out.contains("\\# 一、总体要求\n\\- 推行两队一所[^1-e1]"),
        "{out}"
    );
    assert!(
        out.contains("\n# 标题\n"),
        "the Markdown file as it is: {out}"
    );
    assert!(out.contains("两队一所”是“两队一室”的误写"), "{out}");
}
