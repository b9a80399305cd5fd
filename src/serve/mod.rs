//! `tifa serve`: a web page to paste a draft into, LanguageTool's HTTP API
//! (`/v2/check`, `/v2/languages`), tifa's own API (`/api/*`, the JSON of
//! the command line), `/health` and `/metrics`.
//!
//! One [`Engine`] serves every request; the work of a request (decoding,
//! scanning, checking, printing) runs on tokio's blocking threads, never
//! on the async workers. Every request goes through one guard (the
//! `guard` middleware) that holds the limits:
//!
//! - **concurrency** (not counting `/health` and `/metrics`): one
//!   semaphore for the whole server (not a
//!   `ConcurrencyLimitLayer` per route, which a cloned router would copy:
//!   axum#2582). A request that finds no permit is refused at once with
//!   503 and `Retry-After`; the permit is held until the blocking work of
//!   the request ends, even when the client has gone or the request timed
//!   out, so the limit bounds the work really running;
//! - **body size**: `Content-Length` past the limit, or a body that grows
//!   past it, gives 413;
//! - **time**: reading the body and answering together past the timeout
//!   gives 504;
//! - **token**: with `--token`, `Authorization: Bearer TOKEN` or the
//!   `apiKey` parameter (LanguageTool clients' API key field), else 401.
//!
//! Submitted text is never logged or kept: the server writes one line on
//! standard error when it starts, and counts requests in `/metrics`.

mod api;
mod lt;
mod metrics;
mod page;

use std::io::{self, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::check::Lang;
use crate::engine::Engine;
use crate::input::{self, Loaded};
use crate::text::Source;

/// How `tifa serve` runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// `ADDR:PORT` to listen on.
    pub bind: String,
    /// The bearer token every request (but `/health`) must carry.
    pub token: Option<String>,
    /// Allow a non-loopback address without a token.
    pub public: bool,
    /// The largest request body, in bytes.
    pub max_body: usize,
    /// Requests worked on at once.
    pub max_concurrent: usize,
    /// The longest a request may take.
    pub timeout: Duration,
    /// Language of the messages.
    pub lang: Lang,
}

/// What every handler shares.
struct Shared {
    engine: Engine,
    token: Option<String>,
    max_body: usize,
    timeout: Duration,
    lang: Lang,
    permits: Arc<Semaphore>,
    metrics: metrics::Metrics,
    lexicon: HeaderValue,
}

type App = Arc<Shared>;

/// Runs the server until it is interrupted (Ctrl-C, SIGTERM); `err` gets
/// the address it listens on, or why it cannot. Returns false when it
/// could not start.
///
/// # Errors
///
/// When writing to `err` fails.
pub fn serve(engine: Engine, options: &Options, err: &mut dyn Write) -> io::Result<bool> {
    let addr = match options.bind.to_socket_addrs().map(|mut a| a.next()) {
        Ok(Some(addr)) => addr,
        Ok(None) | Err(_) => {
            crate::report::human::error(
                err,
                &format!(
                    "cannot listen on `{}`: not an address and port (try 127.0.0.1:8081)",
                    options.bind
                ),
            )?;
            return Ok(false);
        }
    };
    if !addr.ip().is_loopback() && options.token.is_none() && !options.public {
        crate::report::human::error(
            err,
            &format!(
                "{addr} is not a loopback address: anyone who can reach it could use the server"
            ),
        )?;
        crate::report::human::hint(
            err,
            "require a token with --token TOKEN, or allow it with --public",
        )?;
        return Ok(false);
    }
    if let Err(e) = engine.checker() {
        crate::report::human::error(err, &e)?;
        return Ok(false);
    }
    let lexicon = HeaderValue::from_str(engine.fingerprint())
        .unwrap_or_else(|_| HeaderValue::from_static("unknown"));
    let app: App = Arc::new(Shared {
        engine,
        token: options.token.clone(),
        max_body: options.max_body,
        timeout: options.timeout,
        lang: options.lang,
        permits: Arc::new(Semaphore::new(options.max_concurrent)),
        metrics: metrics::Metrics::default(),
        lexicon,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tifa-serve")
        // The blocking work never needs more threads than permits.
        .max_blocking_threads(options.max_concurrent.saturating_add(2))
        .build()?;
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                crate::report::human::error(
                    err,
                    &format!("cannot listen on {addr}: {}", input::io_message(&e)),
                )?;
                return Ok(false);
            }
        };
        let local = listener.local_addr().unwrap_or(addr);
        writeln!(err, "tifa serve: listening on {}", url(local))?;
        if !local.ip().is_loopback() && app.token.is_none() {
            writeln!(
                err,
                "tifa serve: --public: anyone who can reach {local} can use the server"
            )?;
        }
        err.flush()?;
        axum::serve(listener, router(app))
            .with_graceful_shutdown(shutdown())
            .await?;
        Ok(true)
    })
}

fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

fn router(app: App) -> Router {
    Router::new()
        .route("/", get(page::show).post(page::show))
        .route("/page.js", get(page::script))
        .route("/v2/check", get(lt::check).post(lt::check))
        .route("/v2/languages", get(lt::languages))
        .route("/api/scan", post(api::scan))
        .route("/api/check", post(api::check))
        .route("/api/count", post(api::count))
        .route("/api/annotate", post(api::annotate))
        .route("/api/fix", post(api::fix))
        .route("/api/review", post(api::review))
        .route("/api/lookup", get(api::lookup))
        .route("/health", get(api::health))
        .route("/metrics", get(metrics::show))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&app), guard))
        .with_state(app)
}

async fn not_found(req: Request) -> Response {
    Problem::new(
        StatusCode::NOT_FOUND,
        format!(
            "no such endpoint: {} (see / for the page, /v2/check, /api/check …)",
            req.uri().path()
        ),
    )
    .into_response()
}

/// An error answer: a status and a message for the user, as plain text.
#[derive(Debug)]
pub(crate) struct Problem {
    status: StatusCode,
    message: String,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Problem {
        Problem {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad(message: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, message)
    }

    /// The status.
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// The message.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut r = (self.status, format!("error: {}\n", self.message)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r
    }
}

/// The request's body, read whole by [`guard`] (within the limits).
#[derive(Clone)]
struct Buffered(Bytes);

/// The request's concurrency permit, held by its blocking work too.
#[derive(Clone)]
pub(crate) struct Permit(Option<Arc<OwnedSemaphorePermit>>);

/// Limits, token, metrics and the lexicon header, around every request.
async fn guard(State(app): State<App>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let endpoint = metrics::endpoint(req.uri().path());
    let _in_flight = app.metrics.start();
    let (mut response, bytes_in, rejected) = admit(&app, endpoint, req, next).await;
    let headers = response.headers_mut();
    headers.insert("x-tifa-lexicon", app.lexicon.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let bytes_out = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .unwrap_or(0);
    app.metrics.record(&metrics::Record {
        endpoint,
        status: response.status().as_u16(),
        seconds: started.elapsed().as_secs_f64(),
        bytes_in,
        bytes_out,
        rejected,
    });
    response
}

/// The limits in order: a permit (503), the body's size (413) and time
/// (504), the token (401); then the handler. Gives the answer, the bytes
/// read and why the request was refused, if it was.
async fn admit(
    app: &App,
    endpoint: &'static str,
    req: Request,
    next: Next,
) -> (Response, u64, Option<&'static str>) {
    let exempt = matches!(endpoint, "/health" | "/metrics");
    let permit = if exempt {
        None
    } else {
        match Arc::clone(&app.permits).try_acquire_owned() {
            Ok(p) => Some(Arc::new(p)),
            Err(_) => {
                let mut r = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server is busy: too many requests at once; try again in a second",
                )
                .into_response();
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                return (r, 0, Some("overload"));
            }
        }
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.max_body as u64) {
        return (too_large(app.max_body), 0, Some("too_large"));
    }
    let work = async {
        let (mut parts, body) = req.into_parts();
        let limited = http_body_util::Limited::new(body, app.max_body);
        let bytes = match http_body_util::BodyExt::collect(limited).await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                return (too_large(app.max_body), 0, Some("too_large"));
            }
            Err(_) => {
                return (
                    Problem::bad("the request body could not be read").into_response(),
                    0,
                    Some("bad_request"),
                );
            }
        };
        let read = bytes.len() as u64;
        if let Some(token) = &app.token
            && endpoint != "/health"
            && !authorized(token, &parts.headers, parts.uri.query(), &bytes)
        {
            let mut r = Problem::new(
                StatusCode::UNAUTHORIZED,
                "this server needs a token: send `Authorization: Bearer TOKEN` (or the apiKey parameter)",
            )
            .into_response();
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return (r, read, Some("unauthorized"));
        }
        parts.extensions.insert(Buffered(bytes.clone()));
        parts.extensions.insert(Permit(permit));
        let response = next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
        (response, read, None)
    };
    match tokio::time::timeout(app.timeout, work).await {
        Ok(done) => done,
        Err(_) => (
            Problem::new(
                StatusCode::GATEWAY_TIMEOUT,
                format!(
                    "the request took longer than the server's limit ({} ms); send a shorter text",
                    app.timeout.as_millis()
                ),
            )
            .into_response(),
            0,
            Some("timeout"),
        ),
    }
}

fn too_large(max: usize) -> Response {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request is larger than the server's limit of {max} bytes (--max-body)"),
    )
    .into_response()
}

/// True when the request carries the token: as a bearer token, or as the
/// `apiKey` parameter of its query or form.
fn authorized(token: &str, headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> bool {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| same(t.trim(), token));
    if bearer {
        return true;
    }
    let in_params = |raw: &[u8]| {
        parse_urlencoded(raw)
            .ok()
            .is_some_and(|p| p.iter().any(|(k, v)| k == "apiKey" && same(v, token)))
    };
    query.is_some_and(|q| in_params(q.as_bytes())) || (is_form(headers) && in_params(body))
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn is_form(headers: &HeaderMap) -> bool {
    content_type(headers).starts_with("application/x-www-form-urlencoded")
}

/// Parses `a=1&b=2` (`+` for spaces, percent-encoded UTF-8).
///
/// # Errors
///
/// A name or value that is not UTF-8 once decoded.
pub(crate) fn parse_urlencoded(raw: &[u8]) -> Result<Vec<(String, String)>, String> {
    let decode = |part: &[u8]| {
        let spaced: Vec<u8> = part
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        let bytes: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
        String::from_utf8(bytes).map_err(|_| {
            "the form is not valid UTF-8 once percent-decoded; send text as UTF-8".to_owned()
        })
    };
    raw.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

/// Percent-encodes `s` for a query.
pub(crate) fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A document sent to the server: a file, a form's text, or the body.
#[derive(Debug)]
pub(crate) struct Doc {
    /// The name it is reported as; its extension says how to read it.
    pub(crate) name: String,
    pub(crate) bytes: Bytes,
}

/// What a request sent: its parameters (query and form fields, in that
/// order) and its document, if any.
#[derive(Debug, Default)]
pub(crate) struct Submission {
    pub(crate) params: Vec<(String, String)>,
    pub(crate) doc: Option<Doc>,
}

impl Submission {
    /// The last value of parameter `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when parameter `name` is `true`, `1`, `yes` or `on`.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| matches!(v, "true" | "1" | "yes" | "on"))
    }
}

/// The name a document without one is reported as: the command line's
/// for standard input, so that `/api/*` gives what `tifa … -` prints.
pub(crate) const DEFAULT_NAME: &str = input::STDIN_NAME;

/// Reads what a request sent: query parameters; then a form
/// (`application/x-www-form-urlencoded`: its fields, `text` the
/// document), a `multipart/form-data` upload (`file` the document, other
/// fields parameters) or any other body as the document itself, read as
/// a file is (`Content-Type: …; charset=utf-8` requires UTF-8). `name`
/// names the document.
///
/// # Errors
///
/// A form that is not UTF-8, a broken multipart body, text declared UTF-8
/// that is not.
pub(crate) async fn submission(req: Request) -> Result<Submission, Problem> {
    let mut sub = Submission {
        params: parse_urlencoded(req.uri().query().unwrap_or_default().as_bytes())
            .map_err(Problem::bad)?,
        doc: None,
    };
    let kind = content_type(req.headers());
    let body = req
        .extensions()
        .get::<Buffered>()
        .map(|b| b.0.clone())
        .unwrap_or_default();
    if kind.starts_with("application/x-www-form-urlencoded") {
        sub.params
            .extend(parse_urlencoded(&body).map_err(Problem::bad)?);
    } else if kind.starts_with("multipart/form-data") {
        let mut form = axum::extract::Multipart::from_request(req, &())
            .await
            .map_err(|e| Problem::bad(format!("the upload is not a valid multipart form: {e}")))?;
        loop {
            let field = match form.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    return Err(Problem::bad(format!(
                        "the upload is not a valid multipart form: {e}"
                    )));
                }
            };
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(|e| {
                Problem::bad(format!("the upload is not a valid multipart form: {e}"))
            })?;
            match file_name {
                // A file input left empty still sends a part, with no name.
                Some(f) if name == "file" && !(f.is_empty() && bytes.is_empty()) => {
                    sub.doc = Some(Doc {
                        name: if f.is_empty() {
                            DEFAULT_NAME.to_owned()
                        } else {
                            f
                        },
                        bytes,
                    });
                }
                Some(_) => {}
                None => {
                    let value = String::from_utf8(bytes.to_vec()).map_err(|_| {
                        Problem::bad(format!("the form field `{name}` is not valid UTF-8"))
                    })?;
                    sub.params.push((name, value));
                }
            }
        }
    } else if !body.is_empty() {
        if kind.contains("charset=utf-8") && std::str::from_utf8(&body).is_err() {
            return Err(Problem::bad(
                "the body is declared UTF-8 (charset=utf-8) but is not valid UTF-8",
            ));
        }
        sub.doc = Some(Doc {
            name: DEFAULT_NAME.to_owned(),
            bytes: body,
        });
    }
    if sub.doc.is_none()
        && let Some(text) = sub.get("text")
    {
        sub.doc = Some(Doc {
            name: DEFAULT_NAME.to_owned(),
            bytes: Bytes::from(text.to_owned()),
        });
    }
    if let (Some(doc), Some(name)) = (
        &mut sub.doc,
        sub.params.iter().rev().find(|(k, _)| k == "name"),
    ) && !name.1.trim().is_empty()
    {
        doc.name = name.1.trim().to_owned();
    }
    Ok(sub)
}

/// Decodes a document as the command line reads a file of its name.
///
/// # Errors
///
/// A broken .docx, a binary file, bytes that no encoding decodes
/// without replacement characters: 400 with the reason.
pub(crate) fn decode(doc: &Doc) -> Result<Source, Problem> {
    match input::load_bytes(&doc.name, &doc.bytes, &input::Options::default()) {
        // The command line reads such a file with a note on standard
        // error; an API client would see no note, so it is refused.
        Ok(Loaded::Text(src)) => match &src.note {
            Some(note) if src.format == crate::format::Format::Pdf => {
                Err(Problem::bad(format!("{}: {note}", doc.name)))
            }
            Some(note) => Err(Problem::bad(format!(
                "{}: {note}; send UTF-8, UTF-16 or GB18030",
                doc.name
            ))),
            None => Ok(src),
        },
        Ok(Loaded::Skipped(why)) => Err(Problem::bad(format!("{}: {why}", doc.name))),
        Ok(Loaded::Streams) => Err(Problem::bad(format!("{}: cannot be read", doc.name))),
        Err(e) => {
            let mut message = format!("{}: {}", e.path, e.message);
            if let Some(hint) = e.hint {
                message.push_str(&format!(" ({hint})"));
            }
            Err(Problem::bad(message))
        }
    }
}

/// Runs `work` on a blocking thread, holding the request's permit until it
/// ends.
///
/// # Errors
///
/// 500 when the work panicked (the server goes on).
pub(crate) async fn blocking<T: Send + 'static>(
    req_permit: Option<&Permit>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Problem> {
    let permit = req_permit.and_then(|p| p.0.clone());
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .map_err(|_| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "tifa failed on this request; please report it with the text that caused it",
        )
    })
}

/// The request's permit, for [`blocking`].
pub(crate) fn permit(req: &Request) -> Option<Permit> {
    req.extensions().get::<Permit>().cloned()
}

/// A response of `content_type` with `body`.
pub(crate) fn answer(content_type: &'static str, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// The message language a request asks for (`lang=en|zh`), or the
/// server's.
pub(crate) fn lang(sub: &Submission, default: Lang) -> Result<Lang, Problem> {
    match sub.get("lang") {
        None | Some("") => Ok(default),
        Some("zh") => Ok(Lang::Zh),
        Some("en") => Ok(Lang::En),
        Some(other) => Err(Problem::bad(format!(
            "unknown lang `{other}`: use zh or en"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            parse_urlencoded(b"text=%E4%B8%A4%E9%98%9F+a&x&&language=zh-CN").unwrap(),
            vec![
                ("text".to_owned(), "两队 a".to_owned()),
                ("x".to_owned(), String::new()),
                ("language".to_owned(), "zh-CN".to_owned()),
            ]
        );
        assert!(parse_urlencoded(b"text=%FF%FE").is_err());
    }

    #[test]
    fn tokens() {
        let mut h = HeaderMap::new();
        assert!(!authorized("s3cret", &h, None, b""));
        assert!(authorized("s3cret", &h, Some("apiKey=s3cret"), b""));
        assert!(!authorized("s3cret", &h, Some("apiKey=s3cre"), b""));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        assert!(authorized("s3cret", &h, None, b"text=x&apiKey=s3cret"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer s3cret"),
        );
        assert!(authorized("s3cret", &h, None, b""));
        assert!(!same("a", "ab"));
    }
}
