//! The page (`GET /`, `POST /`): a form to paste a draft into or upload a
//! file (.txt, .md, .html, .docx, .pdf; UTF-8, GB18030, UTF-16 as the command
//! line reads them), and under it what tifa makes of it: the counts,
//! `check`'s findings with their suggestions, the text with every fix
//! applied (to copy, or to download through `/api/fix`), and the text
//! annotated as in `tifa report` (definitions on hover, focus or tap).
//!
//! It works without JavaScript: the form posts to `/` and the answer is
//! rendered on the server; `GET /?text=…` renders too. `/page.js` only
//! enhances: it checks as you type (debounced), fetching the results part
//! alone (`fragment=true`). Every text is escaped; the page loads nothing
//! but itself and that script, and its Content-Security-Policy allows no
//! other script, no inline script and no other origin.

use crate::format::Format;
use std::fmt::Write as _;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{App, Problem, Submission, answer, blocking, decode, permit, submission};
use crate::report::html::{self, escape};

/// The page's policy: its own script, inline styles (the report's), forms
/// and fetches to itself only.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The name of pasted text.
const PASTED: &str = "文稿";

const SCRIPT: &str = include_str!("page.js");

const STYLE: &str = "
.input{max-width:84rem;margin:1.25rem auto 0;padding:0 1.25rem}
.input textarea{width:100%;min-height:12rem;font:inherit;padding:.6rem .8rem;border:1px solid var(--line);border-radius:10px;background:var(--card);resize:vertical}
.input .row{display:flex;flex-wrap:wrap;gap:.8rem;align-items:center;margin-top:.6rem}
.input button,.fixed button{font:inherit;padding:.35rem 1.1rem;border-radius:8px;border:1px solid #1f6fb2;background:#1f6fb2;color:#fff;cursor:pointer}
.input .status{color:var(--muted);font-size:.85rem}
.results>.panel{max-width:84rem;margin:1.25rem auto 0;padding:0 1.25rem}
.panel section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem 1.25rem;margin-bottom:1.25rem}
.panel textarea{width:100%;min-height:8rem;font:inherit;padding:.5rem .7rem;border:1px solid var(--line);border-radius:8px}
.error{color:#cf222e;font-weight:600}
.clean{color:#2d8a4e}
td.sugg{color:#2d8a4e;font-weight:600}
";

/// `GET /` and `POST /`.
pub(crate) async fn show(State(app): State<App>, req: Request) -> Response {
    let permit = permit(&req);
    let mut sub = match submission(req).await {
        Ok(s) => s,
        Err(p) => return whole(&app, &Submission::default(), "", Err(&p), p.status()),
    };
    // An empty form is no document; pasted text is shown as 文稿, not as
    // standard input.
    if sub.doc.as_ref().is_some_and(|d| d.bytes.is_empty()) {
        sub.doc = None;
    }
    if let Some(doc) = &mut sub.doc
        && doc.name == super::DEFAULT_NAME
    {
        doc.name = PASTED.to_owned();
    }
    let done = blocking(permit.as_ref(), move || {
        let (text, results, status) = match sub.doc.as_ref().map(decode) {
            None => (String::new(), String::new(), StatusCode::OK),
            Some(Err(p)) => (String::new(), problem(&p), p.status()),
            Some(Ok(src)) => {
                let results = results(&app, &sub, &src);
                (src.text, results, StatusCode::OK)
            }
        };
        if sub.flag("fragment") {
            let mut r = answer("text/html; charset=utf-8", results.into_bytes());
            *r.status_mut() = status;
            return r;
        }
        whole(&app, &sub, &text, Ok(&results), status)
    })
    .await;
    done.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /page.js`.
pub(crate) async fn script() -> Response {
    let mut r = answer("text/javascript; charset=utf-8", SCRIPT.as_bytes().to_vec());
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

fn problem(p: &Problem) -> String {
    format!(
        "<div class=\"panel\"><section><p class=\"error\" role=\"alert\">{}</p></section></div>",
        escape(p.message())
    )
}

/// The whole page: the form with `text` in it, and `results` (or the
/// problem) under it.
fn whole(
    app: &App,
    sub: &Submission,
    text: &str,
    results: Result<&str, &Problem>,
    status: StatusCode,
) -> Response {
    let lexicon = app.engine.lexicon();
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"{POLICY}\">\n\
<meta name=\"generator\" content=\"tifa\">\n<title>tifa 提法检查</title>\n<style>\n{}{STYLE}</style>\n</head>\n<body>\n\
<header><h1>tifa 提法检查</h1><p class=\"summary\">粘贴文稿，或上传文件（.txt、.md、.html、.docx、.pdf），查看其中的提法、释义和检查结果 · 词库 {} · {} 个词条</p></header>\n",
        html::style(),
        escape(app.engine.fingerprint()),
        lexicon.len()
    );
    let key = api_key(sub);
    // A multipart form's fields are not read for the token: it goes in the
    // query.
    let action = sub
        .get("apiKey")
        .map(|k| format!("?apiKey={}", escape(&super::encode(k))))
        .unwrap_or_default();
    let _ = write!(
        page,
        "<form class=\"input\" id=\"input\" method=\"post\" action=\"/{action}\" enctype=\"multipart/form-data\">\n\
<label for=\"text\" class=\"status\">文稿</label>\n\
<textarea name=\"text\" id=\"text\" lang=\"zh-CN\" placeholder=\"在此粘贴文稿，例如：全面推行“两队一所”改革……\">{}</textarea>\n\
<div class=\"row\"><label>或上传文件 <input type=\"file\" name=\"file\" id=\"file\" accept=\".txt,.md,.markdown,.html,.htm,.docx,.pdf,text/plain,text/markdown,text/html\"></label>\
{key}<button type=\"submit\" id=\"submit\">检查</button><span class=\"status\" id=\"status\" aria-live=\"polite\"></span></div>\n</form>\n",
        escape(text)
    );
    page.push_str("<div class=\"results\" id=\"results\">");
    match results {
        Ok(r) => page.push_str(r),
        Err(p) => page.push_str(&problem(p)),
    }
    page.push_str(
        "</div>\n<footer>由 tifa 生成 · 悬停、点按或用 Tab 键选中词语可看释义 · 提交的文本不会被记录或保存</footer>\n<script src=\"/page.js\"></script>\n</body>\n</html>\n",
    );
    let mut r = answer("text/html; charset=utf-8", page.into_bytes());
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    r.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The token of a server started with `--token`, carried from the query
/// into the page's forms.
fn api_key(sub: &Submission) -> String {
    sub.get("apiKey")
        .map(|k| {
            format!(
                "<input type=\"hidden\" name=\"apiKey\" value=\"{}\">",
                escape(k)
            )
        })
        .unwrap_or_default()
}

/// What the page shows of a document.
fn results(app: &App, sub: &Submission, src: &crate::text::Source) -> String {
    let lexicon = app.engine.lexicon();
    let findings = app.engine.check_source(src, app.lang);
    let fixed = super::api::fixed(app, src);
    let d = app.engine.annotate(src.clone());
    let ranked = d.tally.ranked();
    let mut out = String::from("<div class=\"panel\">");
    let _ = write!(
        out,
        "<section class=\"counts\" id=\"counts\"><h2>{}</h2><p class=\"summary\"><b id=\"n-spans\">{}</b> 处提法 · <b id=\"n-entries\">{}</b> 个词条 · <b id=\"n-findings\">{}</b> 个问题</p>",
        escape(&src.path),
        d.tally.total,
        ranked.len(),
        findings.len()
    );
    if !ranked.is_empty() {
        out.push_str("<table><thead><tr><th>提法</th><th class=\"num\">次数</th><th class=\"num\">其中在其他提法内</th></tr></thead><tbody>");
        for c in &ranked {
            let e = lexicon.entry(c.entry);
            let _ = write!(
                out,
                "<tr><td><a href=\"#g-{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&e.id),
                escape(&e.term),
                c.count,
                c.nested
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n<section class=\"checks\" id=\"checks\"><h2>检查结果</h2>");
    if findings.is_empty() {
        out.push_str("<p class=\"clean\">没有发现问题。</p>");
    } else {
        out.push_str("<table><thead><tr><th>位置</th><th>规则</th><th>说明</th><th>建议</th></tr></thead><tbody>");
        for f in &findings {
            let _ = write!(
                out,
                "<tr class=\"{}\"><td>{}{}:{}</td><td>{}</td><td>{}</td><td class=\"sugg\">{}</td></tr>",
                f.finding.severity.as_str(),
                if f.span.page > 0 {
                    format!("p{}:", f.span.page)
                } else {
                    String::new()
                },
                f.span.start.line,
                f.span.start.column,
                escape(f.finding.rule.id()),
                escape(&f.message),
                escape(f.finding.suggestion.as_deref().unwrap_or("—"))
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>\n");
    match fixed {
        Ok((text, n)) if n > 0 => {
            let _ = write!(
                out,
                "<section class=\"fixed\" id=\"fixed-section\"><h2>一键修改：{n} 处</h2>\
<textarea id=\"fixed\" readonly aria-label=\"修改后的文本\">{}</textarea>\
<form method=\"post\" action=\"/api/fix\"><input type=\"hidden\" name=\"download\" value=\"true\">\
<input type=\"hidden\" name=\"name\" value=\"{}\"><input type=\"hidden\" name=\"text\" value=\"{}\">{}\
<button type=\"submit\">下载修改后的文本</button></form></section>",
                escape(&text),
                escape(&src.path),
                escape(&src.text),
                api_key(sub)
            );
        }
        Ok(_) => {}
        Err(_) if src.format == Format::Docx && !findings.is_empty() => {
            // The document's bytes are not kept: the file is chosen again.
            let _ = write!(
                out,
                "<section class=\"fixed\" id=\"review-section\"><h2>审校后的 Word 文档</h2>\
<p>每处问题加批注，可自动修改的加修订标记（作者 tifa），在 Word、WPS 或 LibreOffice 中逐条接受或拒绝。</p>\
<form method=\"post\" action=\"/api/review{}\" enctype=\"multipart/form-data\">\
<label>再次选择该文件 <input type=\"file\" name=\"file\" accept=\".docx\" required></label> \
<button type=\"submit\">下载审校后的文档</button></form></section>",
                // A multipart form's fields are not read for the token.
                sub.get("apiKey")
                    .map(|k| format!("?apiKey={}", escape(&super::encode(k))))
                    .unwrap_or_default()
            );
        }
        Err(why) => {
            if !findings.is_empty() {
                let _ = writeln!(
                    out,
                    "<section class=\"fixed\"><p>{}</p></section>",
                    escape(&why)
                );
            }
        }
    }
    out.push_str("</div>\n");
    html::layout(&mut out, lexicon, &[d.html()], &d.tally);
    out
}
