//! tifa's own API: `/api/scan`, `/api/check`, `/api/count`, `/api/annotate`
//! and `/api/fix` take a document (a form's `text`, an uploaded `file`, or
//! the body) and answer exactly what the command line prints for it read
//! from standard input (`tifa scan --format json -` …), made by the same
//! printers; `/api/lookup?q=` answers `tifa lookup --format json`;
//! `/health` says the server is up and which lexicon it serves.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{App, Problem, Submission, answer, blocking, decode, lang, permit, submission};
use crate::format::Format;
use crate::lookup;
use crate::report::{html, human, json, markdown};
use crate::text::Source;

const JSON: &str = "application/json";

/// Reads the request's document and runs `work` on it on a blocking
/// thread.
async fn with_doc(
    req: Request,
    work: impl FnOnce(&Submission, Source) -> Result<Response, Problem> + Send + 'static,
) -> Response {
    with_bytes(
        req,
        "nothing to read: send the text as the form field `text`, a file as `file`, or the body itself",
        move |sub, doc| work(sub, decode(doc)?),
    )
    .await
}

/// Reads the request's document, undecoded, and runs `work` on it on a
/// blocking thread; without one, 400 saying `missing`.
async fn with_bytes(
    req: Request,
    missing: &'static str,
    work: impl FnOnce(&Submission, &super::Doc) -> Result<Response, Problem> + Send + 'static,
) -> Response {
    let permit = permit(&req);
    let sub = match submission(req).await {
        Ok(s) => s,
        Err(p) => return p.into_response(),
    };
    let done = blocking(permit.as_ref(), move || {
        let Some(doc) = &sub.doc else {
            return Err(Problem::bad(missing));
        };
        work(&sub, doc)
    })
    .await;
    match done {
        Ok(Ok(r)) => r,
        Ok(Err(p)) | Err(p) => p.into_response(),
    }
}

/// Makes `r` a download named `prefix` + the document's file name (when
/// it is ASCII without quotes), else `fallback`.
fn attachment(r: &mut Response, path: &str, prefix: &str, fallback: &str) {
    let file = std::path::Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| *n != crate::input::STDIN_NAME && n.is_ascii() && !n.contains('"'))
        .map_or_else(|| fallback.to_owned(), |n| format!("{prefix}{n}"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
}

fn io_problem(e: &std::io::Error) -> Problem {
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// `POST /api/scan`: `tifa scan --format json`.
pub(crate) async fn scan(State(app): State<App>, req: Request) -> Response {
    with_doc(req, move |_, src| {
        let lexicon = app.engine.lexicon();
        let matches = app.engine.scan_source(&src);
        let mut out = Vec::new();
        let mut doc = json::MatchesWriter::begin(&mut out).map_err(|e| io_problem(&e))?;
        for m in &matches {
            doc.push(&mut out, &json::MatchJson::new(&src.path, m, lexicon))
                .map_err(|e| io_problem(&e))?;
        }
        doc.end(&mut out).map_err(|e| io_problem(&e))?;
        Ok(answer(JSON, out))
    })
    .await
}

/// `POST /api/check` (`lang=en` for English messages): `tifa check
/// --format json`.
pub(crate) async fn check(State(app): State<App>, req: Request) -> Response {
    with_doc(req, move |sub, src| {
        let lang = lang(sub, app.lang)?;
        let items = app.engine.check_source(&src, lang);
        let mut out = Vec::new();
        json::findings(&mut out, &[(src.path.clone(), items)]).map_err(|e| io_problem(&e))?;
        Ok(answer(JSON, out))
    })
    .await
}

/// `POST /api/count` (`by_file=true` adds `files`): `tifa count --format
/// json`.
pub(crate) async fn count(State(app): State<App>, req: Request) -> Response {
    with_doc(req, move |sub, src| {
        let tally = app.engine.count(&src.text);
        let files = [(src.path.clone(), tally.clone())];
        let by_file = sub.flag("by_file").then_some(&files[..]);
        let mut out = Vec::new();
        json::count(&mut out, app.engine.lexicon(), &tally, by_file).map_err(|e| io_problem(&e))?;
        Ok(answer(JSON, out))
    })
    .await
}

/// `POST /api/annotate` (`format=markdown|html|text`, Markdown unless
/// told): `tifa annotate --format …`.
pub(crate) async fn annotate(State(app): State<App>, req: Request) -> Response {
    with_doc(req, move |sub, src| {
        let lexicon = app.engine.lexicon();
        let format = sub.get("format").unwrap_or("markdown");
        let content_type = match format {
            "markdown" => "text/markdown; charset=utf-8",
            "html" => "text/html; charset=utf-8",
            "text" | "human" => "text/plain; charset=utf-8",
            other => {
                return Err(Problem::bad(format!(
                    "unknown format `{other}`: use markdown, html or text"
                )));
            }
        };
        let d = app.engine.annotate(src);
        let mut out = Vec::new();
        let written = match format {
            "markdown" => markdown::annotate(
                &mut out,
                &d.text,
                &d.annotation,
                lexicon,
                markdown::Options {
                    document: None,
                    plain: d.plain,
                },
            ),
            "html" => html::report(&mut out, lexicon, &[d.html()], &d.tally),
            _ => human::annotate(&mut out, &d.text, &d.annotation, lexicon, d.tidy),
        };
        written.map_err(|e| io_problem(&e))?;
        let mut r = answer(content_type, out);
        if format == "html" {
            r.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
                ),
            );
        }
        Ok(r)
    })
    .await
}

/// The fixed text of `src`, as `tifa check --fix -` prints it, and the
/// number of replacements; `None` with the reason when it is not fixed.
pub(crate) fn fixed(app: &App, src: &Source) -> Result<(String, usize), String> {
    if src.format != Format::Text {
        return Err(
            "only plain text and Markdown are fixed here; fix HTML and Word documents with `tifa check --fix`"
                .into(),
        );
    }
    let f = app.engine.fix(&src.path, &src.text);
    Ok((f.text, f.replacements))
}

/// `POST /api/fix`: the text with every unambiguous suggestion applied,
/// as `tifa check --fix -` writes it; `X-Tifa-Replacements` counts them.
/// With `download=true` it comes as an attachment (the page's download
/// button).
pub(crate) async fn fix(State(app): State<App>, req: Request) -> Response {
    with_doc(req, move |sub, src| {
        let (text, n) = fixed(&app, &src).map_err(Problem::bad)?;
        let mut r = answer("text/plain; charset=utf-8", text.into_bytes());
        r.headers_mut()
            .insert("x-tifa-replacements", HeaderValue::from(n));
        if sub.flag("download") {
            attachment(&mut r, &src.path, "fixed-", "fixed.txt");
        }
        Ok(r)
    })
    .await
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// `POST /api/review`: an uploaded .docx (`file`, or the body with
/// `name=….docx`) back with a comment on every finding and a tracked
/// change for every fixable one, as `tifa review` writes it
/// (`comments_only`, `changes_only`, `terms` as its options);
/// `X-Tifa-Comments` and `X-Tifa-Changes` count them.
pub(crate) async fn review(State(app): State<App>, req: Request) -> Response {
    with_bytes(
        req,
        "nothing to review: upload the .docx as the form field `file`, or send it as the body with name=NAME.docx",
        move |sub, doc| {
            let is_docx = std::path::Path::new(&doc.name)
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("docx"));
            if !is_docx {
                return Err(Problem::bad(format!(
                    "{}: not a .docx; review writes into Word documents",
                    doc.name
                )));
            }
            let opts = crate::format::review::Options {
                comments: !sub.flag("changes_only"),
                changes: !sub.flag("comments_only"),
                terms: sub.flag("terms"),
                date: crate::format::review::now(),
                lang: app.lang,
            };
            let r = crate::format::review::review(&app.engine, &doc.name, &doc.bytes, &opts)
                .map_err(|e| Problem::bad(format!("{}: {e}", doc.name)))?;
            let mut resp = answer(DOCX, r.bytes);
            let h = resp.headers_mut();
            h.insert("x-tifa-comments", HeaderValue::from(r.comments));
            h.insert("x-tifa-changes", HeaderValue::from(r.changes));
            attachment(&mut resp, &doc.name, "reviewed-", "reviewed.docx");
            Ok(resp)
        },
    )
    .await
}

/// `GET /api/lookup?q=QUERY` (`category=`, `in_definitions=true`; `all=true`
/// or a category alone lists): `tifa lookup --format json`; 404 when
/// nothing but close terms matched, as the command exits 1.
pub(crate) async fn lookup(State(app): State<App>, req: Request) -> Response {
    let permit = permit(&req);
    let sub = match submission(req).await {
        Ok(s) => s,
        Err(p) => return p.into_response(),
    };
    let done = blocking(permit.as_ref(), move || {
        let lexicon = app.engine.lexicon();
        let category = sub.get("category").filter(|c| !c.is_empty());
        if let Some(c) = category
            && !lookup::categories(lexicon)
                .iter()
                .any(|(name, _)| *name == c)
        {
            let names: Vec<&str> = lookup::categories(lexicon)
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            return Err(Problem::bad(format!(
                "no category “{c}” in the lexicon; the categories are {}",
                names.join("、")
            )));
        }
        let query = sub.get("q").filter(|q| !q.trim().is_empty());
        let mut out = Vec::new();
        let Some(query) = query else {
            if sub.flag("all") || category.is_some() {
                let found = lookup::list(lexicon, category);
                json::lookup(&mut out, lexicon, None, &found).map_err(|e| io_problem(&e))?;
                return Ok(answer(JSON, out));
            }
            return Err(Problem::bad(
                "lookup needs q=QUERY, all=true or category=NAME",
            ));
        };
        let options = lookup::Options {
            category,
            in_definitions: sub.flag("in_definitions"),
        };
        let found = lookup::lookup(lexicon, query, options);
        json::lookup(&mut out, lexicon, Some(query), &found).map_err(|e| io_problem(&e))?;
        let mut r = answer(JSON, out);
        if !found.iter().any(|f| f.mode != lookup::Mode::Fuzzy) {
            *r.status_mut() = StatusCode::NOT_FOUND;
        }
        Ok(r)
    })
    .await;
    match done {
        Ok(Ok(r)) => r,
        Ok(Err(p)) | Err(p) => p.into_response(),
    }
}

/// `GET /health`.
pub(crate) async fn health(State(app): State<App>) -> Response {
    #[derive(Serialize)]
    struct Health<'a> {
        status: &'a str,
        version: &'a str,
        lexicon: &'a str,
        entries: usize,
    }
    let body = serde_json::to_vec_pretty(&Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        lexicon: app.engine.fingerprint(),
        entries: app.engine.lexicon().len(),
    })
    .unwrap_or_default();
    answer(JSON, body)
}
