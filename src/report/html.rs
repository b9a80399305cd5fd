//! One self-contained HTML page: `annotate --format html` and `report`.
//!
//! The page holds each document with its terms highlighted in the colour of
//! their category; hovering, focusing (every term is in the tab order) or
//! tapping a term shows its definition, parts and English in a tooltip made
//! with CSS alone. Beside the text: the categories, a bar chart (inline
//! SVG) of the most frequent terms, the glossary of the terms found, and,
//! for several files, a table per file. `check`'s findings are flagged in
//! the text (a wavy underline, the message on hover or focus) and listed
//! beside it with their counts per rule. On a narrow screen the side column
//! goes below the text and tooltips become a panel at the bottom.
//!
//! **No script at all**: the page has none, and its Content-Security-Policy
//! (`default-src 'none'`) forbids any, so even a mistake in escaping could
//! not run code. Every text from documents and lexicons goes through
//! [`escape`]. Nothing is loaded from the network: no fonts, no images, no
//! style sheets.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::annotate::{Annotation, Segment};
use crate::count::Tally;
use crate::lexicon::{Entry, Lexicon};
use crate::lookup;

/// One document of the report.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// The path as shown.
    pub path: &'a str,
    /// The text.
    pub text: &'a str,
    /// Its spans and footnote numbers.
    pub annotation: &'a Annotation,
    /// Its counts.
    pub tally: &'a Tally,
}

/// How many terms the chart shows.
const CHART_BARS: usize = 15;

/// Colours of the categories, in [`lookup::categories`] order; more
/// categories reuse them.
const PALETTE: [(&str, &str); 8] = [
    // (highlight background, strong colour for bars and borders)
    ("#fde2a7", "#c98a00"),
    ("#cfe8ff", "#1f6fb2"),
    ("#ffd6d6", "#c0392b"),
    ("#d8f3dc", "#2d8a4e"),
    ("#e9d8fd", "#7b4bc4"),
    ("#ffe0c2", "#d9661f"),
    ("#d3f2f2", "#1b8a8a"),
    ("#e6e6e6", "#5f6368"),
];

/// Escapes text for HTML content and attribute values, and drops control
/// characters that have no place in a page.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes the page for `documents`, with `total` their counts together.
pub fn report(
    out: &mut dyn Write,
    lexicon: &Lexicon,
    documents: &[Document<'_>],
    total: &Tally,
) -> io::Result<()> {
    let mut page = String::new();
    head(&mut page, documents);
    let spans: usize = documents.iter().map(|d| d.annotation.marks.len()).sum();
    let flags: usize = documents.iter().map(|d| d.annotation.flags.len()).sum();
    let _ = writeln!(
        page,
        "<header><h1>tifa 提法报告</h1><p class=\"summary\">{} 个文件 · {spans} 处提法 · {} 个词条 · {flags} 个问题</p></header>",
        documents.len(),
        total.ranked().len()
    );
    layout(&mut page, lexicon, documents, total);
    page.push_str(
        "<footer>由 tifa 生成 · 悬停、点按或用 Tab 键选中词语可看释义</footer>\n</body>\n</html>\n",
    );
    out.write_all(page.as_bytes())
}

/// Appends the body of the report to `page`: the documents with their
/// terms and flags marked, and beside them the findings, the categories,
/// the chart, the table per file and the glossary (what `tifa serve`'s
/// page shows of a text, in the report's [`style`]).
pub fn layout(page: &mut String, lexicon: &Lexicon, documents: &[Document<'_>], total: &Tally) {
    let categories: Vec<&str> = lookup::categories(lexicon)
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let colour = |e: &Entry| {
        categories
            .iter()
            .position(|c| *c == e.category)
            .unwrap_or(0)
            % PALETTE.len()
    };
    page.push_str("<div class=\"layout\">\n<main>\n");
    let mut tip = 0;
    for (i, d) in documents.iter().enumerate() {
        let _ = write!(
            page,
            "<section class=\"doc\" id=\"doc-{}\">\n<h2>{}</h2>\n<div class=\"text\">",
            i + 1,
            escape(d.path)
        );
        for segment in d.annotation.segments(d.text.len()) {
            match segment {
                // A PDF's page break (a form feed) as a rule.
                Segment::Plain(r) => page.push_str(
                    &escape(d.text.get(r).unwrap_or_default())
                        .replace('\u{c}', "<hr class=\"page\">"),
                ),
                Segment::Mark(i) => {
                    let (h, n) = &d.annotation.marks[i];
                    let e = lexicon.entry(h.entry);
                    tip += 1;
                    let _ = write!(
                        page,
                        "<mark class=\"t k{}\" tabindex=\"0\" aria-describedby=\"tip{tip}\" data-id=\"{}\">{}<sup>{n}</sup><span class=\"tip\" role=\"tooltip\" id=\"tip{tip}\">",
                        colour(e),
                        escape(&e.id),
                        // A page break inside a term: its line breaks stay.
                        escape(d.text.get(h.start..h.end).unwrap_or_default()).replace('\u{c}', ""),
                    );
                    tooltip(page, e);
                    page.push_str("</span></mark>");
                }
                Segment::Open(k) => {
                    let f = &d.annotation.flags[k];
                    let _ = write!(
                        page,
                        "<mark class=\"f {}\" id=\"f{}-{}\" tabindex=\"0\" aria-describedby=\"ftip{}-{}\" data-rule=\"{}\">",
                        f.severity.as_str(),
                        i + 1,
                        k + 1,
                        i + 1,
                        k + 1,
                        f.rule.id()
                    );
                }
                Segment::Close(k) => {
                    let f = &d.annotation.flags[k];
                    let _ = write!(
                        page,
                        "<sup>!{}</sup><span class=\"tip\" role=\"tooltip\" id=\"ftip{}-{}\"><b>{}</b> <span class=\"meta\">{}</span><span class=\"row\">{}</span></span></mark>",
                        k + 1,
                        i + 1,
                        k + 1,
                        escape(f.severity.as_str()),
                        escape(f.rule.id()),
                        escape(&f.message)
                    );
                }
            }
        }
        page.push_str("</div>\n</section>\n");
    }
    if documents.is_empty() {
        page.push_str("<p class=\"none\">没有可读的文件。</p>\n");
    }
    page.push_str("</main>\n<aside>\n");
    findings(page, documents);
    legend(page, &categories, lexicon, total);
    chart(page, lexicon, total, &colour);
    if documents.len() > 1 {
        per_file(page, lexicon, documents);
    }
    glossary(page, lexicon, total, &colour);
    page.push_str("</aside>\n</div>\n");
}

fn head(page: &mut String, documents: &[Document<'_>]) {
    let title = match documents {
        [one] => format!("{} · tifa 提法报告", escape(one.path)),
        _ => "tifa 提法报告".to_owned(),
    };
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"generator\" content=\"tifa\">\n<title>{title}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        style()
    );
}

/// The report's style sheet (one `<style>` element's content).
pub fn style() -> String {
    let mut css = String::from(
        ":root{--bg:#f6f6f3;--card:#fff;--fg:#1f2328;--muted:#656d76;--line:#e1e1dc}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.75 system-ui,-apple-system,\"Segoe UI\",\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif}
header{background:var(--card);border-bottom:1px solid var(--line);padding:.9rem 1.25rem}
h1{font-size:1.25rem;margin:0}
h2{font-size:1rem;margin:0 0 .6rem;color:var(--muted);font-weight:600;overflow-wrap:anywhere}
.summary{margin:.2rem 0 0;color:var(--muted);font-size:.9rem}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 21rem;gap:1.25rem;max-width:84rem;margin:0 auto;padding:1.25rem}
.doc,aside section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem 1.25rem;margin-bottom:1.25rem}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
mark.t{position:relative;color:inherit;border-radius:3px;border-bottom:2px solid;padding:0 .08em;cursor:help}
mark.t sup{font-size:.65em;color:var(--muted);margin-left:.1em}
mark.t:focus{outline:2px solid #0969da;outline-offset:1px}
.tip{position:absolute;left:0;top:calc(100% + 6px);z-index:10;display:block;width:max-content;max-width:min(24rem,80vw);visibility:hidden;opacity:0;transition:opacity .12s;white-space:normal;background:#24292f;color:#fff;font-size:.875rem;line-height:1.6;font-weight:400;padding:.6rem .8rem;border-radius:8px;box-shadow:0 6px 18px rgba(0,0,0,.25);text-align:left}
.tip b{font-size:1rem}
.tip .meta{color:#b7bdc5;font-size:.8rem}
.tip .row{display:block;margin-top:.3rem}
.tip i{font-style:normal;color:#b7bdc5;margin-right:.4em}
mark.t:hover>.tip,mark.t:focus>.tip{visibility:visible;opacity:1}
mark.f{position:relative;color:inherit;background:none;text-decoration:underline wavy #cf222e;text-underline-offset:3px;cursor:help}
mark.f.warning,mark.f.info{text-decoration-color:#bf8700}
mark.f>sup{font-size:.65em;color:#cf222e;margin-left:.1em}
mark.f:hover>.tip,mark.f:focus>.tip{visibility:visible;opacity:1}
mark.f:focus{outline:2px solid #cf222e;outline-offset:1px}
.flags{margin:.6rem 0 0;padding-left:1.4em;font-size:.85rem}
.flags li{margin:.2rem 0}
.flags li.error::marker{color:#cf222e}
aside h2{margin-bottom:.4rem}
.legend{display:flex;flex-wrap:wrap;gap:.3rem .8rem;font-size:.85rem;margin:0;padding:0;list-style:none}
.sw{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.3em;vertical-align:-.05em}
figure{margin:0}
svg{width:100%;height:auto;display:block}
svg text{font-size:12px;fill:var(--fg)}
svg .n{fill:var(--muted)}
table{width:100%;border-collapse:collapse;font-size:.85rem}
th,td{text-align:left;padding:.25rem .3rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
td.num,th.num{text-align:right;white-space:nowrap}
.files td:first-child{width:40%}
dl{margin:0;font-size:.9rem}
dt{font-weight:600;margin-top:.7rem}
dt small{font-weight:400;color:var(--muted)}
dd{margin:.15rem 0 0 1.1em;color:#3a3f45}
footer{text-align:center;color:var(--muted);font-size:.8rem;padding:0 1rem 2rem}
@media (max-width:56rem){
.layout{grid-template-columns:minmax(0,1fr);padding:.75rem}
.doc,aside section{padding:.8rem .9rem}
.tip{position:fixed;left:.5rem;right:.5rem;bottom:.5rem;top:auto;width:auto;max-width:none;z-index:20}
}
",
    );
    for (i, (light, strong)) in PALETTE.iter().enumerate() {
        let _ = writeln!(
            css,
            ".k{i}{{background:{light};border-color:{strong}}}.sw.k{i}{{background:{strong}}}svg .k{i}{{fill:{strong}}}"
        );
    }
    css
}

/// The tooltip of a term: name, id and category, definition, parts,
/// English.
fn tooltip(page: &mut String, e: &Entry) {
    let _ = write!(
        page,
        "<b>{}</b> <span class=\"meta\">{} · {}</span><span class=\"row\">{}</span>",
        escape(&e.term),
        escape(&e.id),
        escape(&e.category),
        escape(&e.definition)
    );
    if !e.components.is_empty() {
        let _ = write!(
            page,
            "<span class=\"row\"><i>组成</i>{}</span>",
            escape(&e.components.join("、"))
        );
    }
    if let Some(en) = &e.en {
        let _ = write!(page, "<span class=\"row\"><i>英文</i>{}</span>", escape(en));
    }
}

/// `check`'s findings: how many per rule, then each with its place and
/// message, linked to its flag in the text. Nothing when there are none.
fn findings(page: &mut String, documents: &[Document<'_>]) {
    let all: Vec<(usize, usize, &crate::annotate::Flag)> = documents
        .iter()
        .enumerate()
        .flat_map(|(i, d)| {
            d.annotation
                .flags
                .iter()
                .enumerate()
                .map(move |(k, f)| (i, k, f))
        })
        .collect();
    if all.is_empty() {
        return;
    }
    page.push_str("<section class=\"findings\">\n<h2>检查发现的问题</h2>\n<table><thead><tr><th>规则</th><th class=\"num\">处</th></tr></thead><tbody>");
    for rule in crate::check::Rule::ALL {
        let n = all.iter().filter(|(_, _, f)| f.rule == rule).count();
        if n > 0 {
            let _ = write!(
                page,
                "<tr><td>{}</td><td class=\"num\">{n}</td></tr>",
                escape(rule.id())
            );
        }
    }
    page.push_str("</tbody></table>\n<ol class=\"flags\">");
    for (i, k, f) in &all {
        let _ = write!(
            page,
            "<li class=\"{}\"><a href=\"#f{}-{}\">{}:{}</a> {}</li>",
            f.severity.as_str(),
            i + 1,
            k + 1,
            escape(documents[*i].path),
            f.place(),
            escape(&f.message)
        );
    }
    page.push_str("</ol>\n</section>\n");
}

/// The categories of the terms found, with their colours.
fn legend(page: &mut String, categories: &[&str], lexicon: &Lexicon, total: &Tally) {
    let found: Vec<usize> = categories
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            total
                .ranked()
                .iter()
                .any(|r| lexicon.entry(r.entry).category == **c)
        })
        .map(|(i, _)| i)
        .collect();
    if found.is_empty() {
        return;
    }
    page.push_str("<section class=\"categories\">\n<h2>类别</h2>\n<ul class=\"legend\">");
    for i in found {
        let _ = write!(
            page,
            "<li><span class=\"sw k{}\"></span>{}</li>",
            i % PALETTE.len(),
            escape(categories[i])
        );
    }
    page.push_str("</ul>\n</section>\n");
}

/// Shortens a label to `max` characters.
fn label(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Horizontal bars of the most frequent terms.
fn chart(page: &mut String, lexicon: &Lexicon, total: &Tally, colour: &dyn Fn(&Entry) -> usize) {
    let ranked = total.ranked();
    if ranked.is_empty() {
        return;
    }
    let bars = &ranked[..ranked.len().min(CHART_BARS)];
    let max = bars[0].count.max(1);
    let (row, left, width) = (22, 118, 150);
    let height = bars.len() * row + 4;
    let _ = write!(
        page,
        "<section class=\"chart\">\n<h2>出现最多的提法</h2>\n<figure><svg viewBox=\"0 0 310 {height}\" role=\"img\" aria-label=\"出现最多的 {} 个提法及次数\">",
        bars.len()
    );
    for (i, c) in bars.iter().enumerate() {
        let e = lexicon.entry(c.entry);
        let y = i * row + 2;
        let w = (c.count * width).div_ceil(max).max(1);
        let _ = write!(
            page,
            "<g><title>{}：{} 次</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"k{}\" x=\"{left}\" y=\"{}\" width=\"{w}\" height=\"{}\" rx=\"3\"></rect><text class=\"n\" x=\"{}\" y=\"{}\">{}</text></g>",
            escape(&e.term),
            c.count,
            left - 6,
            y + 15,
            escape(&label(&e.term, 8)),
            colour(e),
            y + 3,
            row - 8,
            left + w + 5,
            y + 15,
            c.count
        );
    }
    page.push_str("</svg></figure>\n</section>\n");
}

/// Spans, entries and the most frequent terms of each file.
fn per_file(page: &mut String, lexicon: &Lexicon, documents: &[Document<'_>]) {
    page.push_str("<section class=\"files\">\n<h2>各文件</h2>\n<table><thead><tr><th>文件</th><th class=\"num\">提法</th><th class=\"num\">词条</th><th>最常见</th></tr></thead><tbody>");
    for (i, d) in documents.iter().enumerate() {
        let ranked = d.tally.ranked();
        let top: Vec<String> = ranked
            .iter()
            .take(3)
            .map(|c| format!("{}×{}", escape(&lexicon.entry(c.entry).term), c.count))
            .collect();
        let _ = write!(
            page,
            "<tr><td><a href=\"#doc-{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            i + 1,
            escape(d.path),
            d.tally.total,
            ranked.len(),
            top.join("、")
        );
    }
    page.push_str("</tbody></table>\n</section>\n");
}

/// The terms found, most frequent first, with their definitions.
fn glossary(page: &mut String, lexicon: &Lexicon, total: &Tally, colour: &dyn Fn(&Entry) -> usize) {
    let ranked = total.ranked();
    if ranked.is_empty() {
        page.push_str(
            "<section class=\"glossary\">\n<h2>词条</h2>\n<p>没有找到提法。</p>\n</section>\n",
        );
        return;
    }
    page.push_str("<section class=\"glossary\">\n<h2>词条</h2>\n<dl>");
    for c in ranked {
        let e = lexicon.entry(c.entry);
        let nested = if c.nested > 0 {
            format!("，其中 {} 次在其他提法内", c.nested)
        } else {
            String::new()
        };
        let _ = write!(
            page,
            "<dt id=\"g-{}\"><span class=\"sw k{}\"></span>{} <small>{} 次{nested} · {}</small></dt><dd>{}",
            escape(&e.id),
            colour(e),
            escape(&e.term),
            c.count,
            escape(&e.category),
            escape(&e.definition)
        );
        if !e.components.is_empty() {
            let _ = write!(page, " 组成：{}。", escape(&e.components.join("、")));
        }
        if let Some(en) = &e.en {
            let _ = write!(page, " <i>{}</i>", escape(en));
        }
        page.push_str("</dd>");
    }
    page.push_str("</dl>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escaping() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape("<img src=x onerror=\"alert('1')\">&"),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;"
        );
        assert_eq!(escape("两队\n一室\u{0}\u{1b}"), "两队\n一室");
    }
}
