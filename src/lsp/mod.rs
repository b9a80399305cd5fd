//! `tifa lsp`: a Language Server Protocol server over standard input and
//! output, for editors.
//!
//! - **Diagnostics**: the findings of `tifa check` for each open Markdown,
//!   plain-text or HTML document (`code` is the rule id, `source` is
//!   `tifa`, the message is the one `check` prints, `data` carries the
//!   entry id, the canonical term and the suggestion), published when a
//!   document opens and again 200 ms after the last change
//!   (`TIFA_LSP_DEBOUNCE_MS`); pending changes are applied as they come,
//!   and the check runs once on the latest text.
//! - **Hover**: the glossary entry of every term under the cursor (a term
//!   nested in a slogan shows both; a wrong form shows the entry it
//!   misquotes), after the message of a finding there.
//! - **Code actions**: "replace with the canonical form" for each finding
//!   with a suggestion (preferred when `check --fix` would apply it);
//!   "look up" for each term, running the `tifa.lookup` command, which
//!   shows the entry (`window/showMessage`) and returns the JSON of
//!   `tifa lookup --format json`.
//! - **Configuration**: the `tifa.toml` that `tifa check` would use for the
//!   document, and its lexicon, read again when they change (see
//!   `lsp/workspace.rs`); the server asks the client to watch `**/tifa.toml` and
//!   the lexicon paths. A broken file keeps the last good configuration,
//!   and its problems are published on the file.
//!
//! Text is synchronised incrementally. Positions are in UTF-16 code units
//! unless the client offers UTF-8 or UTF-32 (`general.positionEncodings`).
//! Malformed messages get a JSON-RPC error and the server goes on; the
//! process exits with 0 on `exit` after `shutdown`, with 1 otherwise.

mod document;
mod features;
mod position;
mod transport;
mod workspace;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionParams, CodeActionProviderCapability, DidChangeTextDocumentParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, ExecuteCommandOptions,
    ExecuteCommandParams, FileSystemWatcher, GlobPattern, HoverParams, HoverProviderCapability,
    InitializeParams, InitializeResult, MessageType, OneOf, Registration, RegistrationParams,
    RelativePattern, SaveOptions, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};
use serde::Serialize;
use serde_json::Value;

use crate::check::Lang;
use crate::setup::ConfigSource;
use document::Document;
use position::{Encoding, path_to_uri, uri_to_path};
use transport::Incoming;
use workspace::Workspace;

/// How the server is set up from the command line.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--lexicon` paths.
    pub lexicon: Vec<PathBuf>,
    /// False with `--no-default-lexicon`.
    pub default_lexicon: bool,
    /// `--config`, `--no-config`, or discovery.
    pub config: ConfigSource,
    /// The language of messages and titles (`initializationOptions.lang`
    /// overrides it).
    pub lang: Lang,
}

/// The default wait after the last change before a document is checked.
const DEBOUNCE_MS: u64 = 200;

/// Serves one client reading `input` and writing `out`, until `exit` or
/// the end of the input.
///
/// # Errors
///
/// Only when writing to `out` fails.
///
/// Returns true when the client asked for `shutdown` before leaving: the
/// exit status is 0 then, 1 otherwise.
pub fn serve(
    options: Options,
    input: impl Read + Send + 'static,
    out: &mut dyn Write,
) -> io::Result<bool> {
    // Look-up cards go into messages: no terminal colours.
    colored::control::set_override(false);
    let debounce = std::env::var("TIFA_LSP_DEBOUNCE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEBOUNCE_MS);
    let messages = transport::reader(input);
    let mut server = Server {
        out,
        workspace: Workspace::new(
            options.config.clone(),
            options.lexicon.clone(),
            options.default_lexicon,
        ),
        lang: options.lang,
        encoding: Encoding::Utf16,
        state: State::Uninitialized,
        roots: Vec::new(),
        documents: HashMap::new(),
        due: HashMap::new(),
        debounce: Duration::from_millis(debounce),
        watch: Watch::default(),
        problem_uris: HashSet::new(),
        told: HashSet::new(),
        next_id: 0,
    };
    loop {
        let incoming = match server.next_due() {
            Some(at) => match messages.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(i) => Some(i),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => Some(Incoming::Closed),
            },
            None => Some(messages.recv().unwrap_or(Incoming::Closed)),
        };
        match incoming {
            None => {}
            Some(Incoming::Closed) => return Ok(server.state == State::ShutDown),
            Some(Incoming::Invalid(id, error)) => transport::send_invalid(server.out, id, error)?,
            Some(Incoming::Message(Message::Request(r))) => server.request(r)?,
            Some(Incoming::Message(Message::Notification(n))) if n.method == "exit" => {
                return Ok(server.state == State::ShutDown);
            }
            Some(Incoming::Message(Message::Notification(n))) => server.notification(n)?,
            // Answers to the server's own requests (registrations).
            Some(Incoming::Message(Message::Response(_))) => {}
        }
        server.check_due()?;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Uninitialized,
    Running,
    ShutDown,
}

/// What the client lets the server watch, and what is watched.
#[derive(Debug, Default)]
struct Watch {
    dynamic: bool,
    relative: bool,
    /// `initialized` was received: registrations may be sent.
    ready: bool,
    config_files: bool,
    paths: HashSet<PathBuf>,
}

struct Server<'o> {
    out: &'o mut dyn Write,
    workspace: Workspace,
    lang: Lang,
    encoding: Encoding,
    state: State,
    roots: Vec<PathBuf>,
    /// Open documents by URI.
    documents: HashMap<String, Document>,
    /// When each document with changes is to be checked.
    due: HashMap<String, Instant>,
    debounce: Duration,
    watch: Watch,
    /// Files on which configuration problems are published.
    problem_uris: HashSet<String>,
    /// Problems already shown as messages (they belong to no file).
    told: HashSet<String>,
    next_id: u64,
}

/// The parameters of a request or notification, or the error that
/// answers them.
fn params<P: serde::de::DeserializeOwned>(value: Value) -> Result<P, String> {
    serde_json::from_value(value).map_err(|e| format!("invalid params: {e}"))
}

fn ok(id: RequestId, result: impl Serialize) -> Response {
    Response {
        id,
        response_result: Ok(serde_json::to_value(result).unwrap_or(Value::Null)),
    }
}

impl Server<'_> {
    fn send(&mut self, message: impl Into<Message>) -> io::Result<()> {
        transport::send(self.out, message)
    }

    fn notify(&mut self, method: &str, params: impl Serialize) -> io::Result<()> {
        let params = serde_json::to_value(params).unwrap_or(Value::Null);
        self.send(Notification {
            method: method.to_owned(),
            params,
        })
    }

    fn show(&mut self, typ: MessageType, message: String) -> io::Result<()> {
        self.notify("window/showMessage", ShowMessageParams { typ, message })
    }

    fn request(&mut self, r: Request) -> io::Result<()> {
        let id = r.id.clone();
        let answer = match (self.state, r.method.as_str()) {
            (State::Uninitialized, "initialize") => self.initialize(r.id, r.params),
            (_, "initialize") => transport::error(
                id,
                ErrorCode::InvalidRequest,
                "initialize was already received".into(),
            ),
            (State::Uninitialized, _) => transport::error(
                id,
                ErrorCode::ServerNotInitialized,
                "the server is not initialized".into(),
            ),
            (State::ShutDown, _) => transport::error(
                id,
                ErrorCode::InvalidRequest,
                "the server is shutting down".into(),
            ),
            (State::Running, "shutdown") => {
                self.state = State::ShutDown;
                ok(id, Value::Null)
            }
            (State::Running, method) => match self.answer(method, r.params) {
                Ok(value) => ok(id, value),
                Err((code, message)) => transport::error(id, code, message),
            },
        };
        self.send(answer)
    }

    fn initialize(&mut self, id: RequestId, value: Value) -> Response {
        let p: InitializeParams = match params(value) {
            Ok(p) => p,
            Err(e) => return transport::error(id, ErrorCode::InvalidParams, e),
        };
        let caps = &p.capabilities;
        self.encoding = Encoding::negotiate(
            caps.general
                .as_ref()
                .and_then(|g| g.position_encodings.as_deref()),
        );
        let watched = caps
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref());
        self.watch.dynamic = watched.and_then(|w| w.dynamic_registration) == Some(true);
        self.watch.relative = watched.and_then(|w| w.relative_pattern_support) == Some(true);
        #[allow(deprecated)]
        let root = p.root_uri.as_ref().and_then(uri_to_path);
        self.roots = p
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| uri_to_path(&f.uri))
            .chain(root)
            .collect();
        match p
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("lang"))
            .and_then(Value::as_str)
        {
            Some("en") => self.lang = Lang::En,
            Some("zh") => self.lang = Lang::Zh,
            _ => {}
        }
        self.state = State::Running;
        let capabilities = ServerCapabilities {
            position_encoding: Some(self.encoding.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: vec![features::LOOKUP.to_owned()],
                ..ExecuteCommandOptions::default()
            }),
            ..ServerCapabilities::default()
        };
        ok(
            id,
            InitializeResult {
                capabilities,
                server_info: Some(ServerInfo {
                    name: "tifa".to_owned(),
                    version: Some(env!("CARGO_PKG_VERSION").to_owned()),
                }),
            },
        )
    }

    /// The result of a request other than `initialize` and `shutdown`.
    fn answer(&mut self, method: &str, value: Value) -> Result<Value, (ErrorCode, String)> {
        let invalid = |e: String| (ErrorCode::InvalidParams, e);
        match method {
            "textDocument/hover" => {
                let p: HoverParams = params(value).map_err(invalid)?;
                let doc = &p.text_document_position_params;
                let hover = self.with_engine(&doc.text_document.uri, |engine, d, lang, enc| {
                    features::Checked::new(engine, d, lang, enc).hover(doc.position)
                });
                Ok(serde_json::to_value(hover.flatten()).unwrap_or(Value::Null))
            }
            "textDocument/codeAction" => {
                let p: CodeActionParams = params(value).map_err(invalid)?;
                let actions = self.with_engine(&p.text_document.uri, |engine, d, lang, enc| {
                    features::Checked::new(engine, d, lang, enc).code_actions(d, p.range)
                });
                Ok(serde_json::to_value(actions.unwrap_or_default()).unwrap_or(Value::Null))
            }
            "workspace/executeCommand" => {
                let p: ExecuteCommandParams = params(value).map_err(invalid)?;
                if p.command != features::LOOKUP {
                    return Err(invalid(format!("unknown command `{}`", p.command)));
                }
                let query = p.arguments.first().and_then(Value::as_str);
                let Some(query) = query.filter(|q| !q.trim().is_empty()) else {
                    return Err(invalid(format!(
                        "{} takes a query: [\"两队一室\"] or [query, document URI]",
                        features::LOOKUP
                    )));
                };
                let uri = p.arguments.get(1).and_then(Value::as_str);
                self.lookup(query, uri)
                    .map_err(|e| (ErrorCode::InternalError, e.to_string()))
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("tifa does not handle `{method}`"),
            )),
        }
    }

    /// Runs `f` on an open document with its engine; `None` when the
    /// document is not open (or not checked) or has no engine.
    fn with_engine<T>(
        &mut self,
        uri: &Uri,
        f: impl FnOnce(&workspace::Setup, &Document, Lang, Encoding) -> T,
    ) -> Option<T> {
        let folder = self.documents.get(uri.as_str())?.folder(&self.roots);
        let found = self.workspace.engine(&folder);
        if found.rebuilt {
            self.recheck_all();
        }
        let doc = self.documents.get(uri.as_str())?;
        let engine = found.engine?;
        Some(f(&engine, doc, self.lang, self.encoding))
    }

    /// Shows the entries `query` names and returns their JSON (`null`
    /// when nothing matches), with the lexicon of the document `uri`.
    fn lookup(&mut self, query: &str, uri: Option<&str>) -> io::Result<Value> {
        let folder = match uri {
            Some(u) => match self.documents.get(u) {
                Some(d) => Some(d.folder(&self.roots)),
                None => u
                    .parse::<Uri>()
                    .ok()
                    .and_then(|u| uri_to_path(&u))
                    .and_then(|p| p.parent().map(Path::to_path_buf)),
            },
            None => None,
        };
        let folder = folder
            .or_else(|| self.roots.first().cloned())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        let found = self.workspace.engine(&folder);
        let answer = found.engine.and_then(|e| features::lookup(&e, query));
        match answer {
            Some((text, json)) => {
                self.show(MessageType::INFO, text)?;
                Ok(json)
            }
            None => {
                let message = match self.lang {
                    Lang::Zh => format!("词库中没有“{query}”"),
                    Lang::En => format!("“{query}” is not in the lexicon"),
                };
                self.show(MessageType::WARNING, message)?;
                Ok(Value::Null)
            }
        }
    }

    fn notification(&mut self, n: Notification) -> io::Result<()> {
        if self.state == State::Uninitialized {
            // Only `exit` counts before `initialize`.
            return Ok(());
        }
        match n.method.as_str() {
            "initialized" => {
                self.watch.ready = true;
                self.register_watchers()?;
            }
            "textDocument/didOpen" => {
                if let Ok(p) = params::<DidOpenTextDocumentParams>(n.params) {
                    let d = p.text_document;
                    if let Some(doc) = Document::open(d.uri, &d.language_id, d.version, d.text) {
                        let key = doc.uri.as_str().to_owned();
                        self.documents.insert(key.clone(), doc);
                        self.due.insert(key, Instant::now());
                    }
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = params::<DidChangeTextDocumentParams>(n.params) {
                    let key = p.text_document.uri.as_str();
                    if let Some(doc) = self.documents.get_mut(key) {
                        doc.change(p.text_document.version, p.content_changes, self.encoding);
                        self.due
                            .insert(key.to_owned(), Instant::now() + self.debounce);
                    }
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = params::<DidCloseTextDocumentParams>(n.params) {
                    let key = p.text_document.uri.as_str();
                    self.due.remove(key);
                    if self.documents.remove(key).is_some() {
                        self.publish(p.text_document.uri, Vec::new(), None)?;
                    }
                }
            }
            "textDocument/didSave" => {
                if let Ok(p) = params::<DidSaveTextDocumentParams>(n.params)
                    && p.text_document.uri.as_str().ends_with(".toml")
                {
                    self.recheck_all();
                }
            }
            "workspace/didChangeWatchedFiles" => self.recheck_all(),
            // `$/cancelRequest`, `$/setTrace`, configuration changes …
            _ => {}
        }
        Ok(())
    }

    /// Checks every open document now (their configuration or lexicon may
    /// have changed).
    fn recheck_all(&mut self) {
        let now = Instant::now();
        for uri in self.documents.keys() {
            self.due.insert(uri.clone(), now);
        }
    }

    fn next_due(&self) -> Option<Instant> {
        self.due.values().min().copied()
    }

    /// Checks and publishes each document whose time has come.
    fn check_due(&mut self) -> io::Result<()> {
        loop {
            let now = Instant::now();
            let Some(uri) = self
                .due
                .iter()
                .filter(|(_, at)| **at <= now)
                .map(|(u, _)| u.clone())
                .next()
            else {
                return Ok(());
            };
            self.due.remove(&uri);
            let Some(doc) = self.documents.get(&uri) else {
                continue;
            };
            let found = self.workspace.engine(&doc.folder(&self.roots));
            let diagnostics = found
                .engine
                .map(|e| features::Checked::new(&e, doc, self.lang, self.encoding).diagnostics())
                .unwrap_or_default();
            let (target, version) = (doc.uri.clone(), doc.version);
            self.publish(target, diagnostics, Some(version))?;
            if found.rebuilt {
                self.recheck_all();
                self.due.remove(&uri);
                self.publish_problems()?;
                self.register_watchers()?;
            }
        }
    }

    fn publish(
        &mut self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> io::Result<()> {
        // Written as it is serialized, each diagnostic on its own, not as
        // one tree of values of all of them (80,000 diagnostics took
        // hundreds of MB that way); fields in the order the trees sort
        // them in, as every other message.
        #[derive(Serialize)]
        struct Published<'a> {
            diagnostics: Each<'a>,
            uri: &'a Uri,
            #[serde(skip_serializing_if = "Option::is_none")]
            version: Option<i32>,
        }
        struct Each<'a>(&'a [lsp_types::Diagnostic]);
        impl Serialize for Each<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeSeq;
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for d in self.0 {
                    let value = serde_json::to_value(d).map_err(serde::ser::Error::custom)?;
                    seq.serialize_element(&value)?;
                }
                seq.end()
            }
        }
        let params = Published {
            diagnostics: Each(&diagnostics),
            uri: &uri,
            version,
        };
        transport::send_notification(self.out, "textDocument/publishDiagnostics", &params)
    }

    /// Publishes the problems of the configuration and lexicon files on
    /// those files (and clears those that are gone); a problem that
    /// belongs to no file is shown as a message, once.
    fn publish_problems(&mut self) -> io::Result<()> {
        let mut by_file: BTreeMap<String, (Uri, Vec<lsp_types::Diagnostic>)> = BTreeMap::new();
        let mut loose = Vec::new();
        for d in self.workspace.problems() {
            let path = Path::new(&d.location.path);
            match path_to_uri(path).filter(|_| path.is_file()) {
                Some(uri) => by_file
                    .entry(uri.as_str().to_owned())
                    .or_insert_with(|| (uri, Vec::new()))
                    .1
                    .push(problem(d, self.encoding)),
                None => loose.push(d.to_string()),
            }
        }
        let gone: Vec<String> = self
            .problem_uris
            .iter()
            .filter(|u| !by_file.contains_key(*u))
            .cloned()
            .collect();
        for u in gone {
            if let Ok(uri) = u.parse::<Uri>() {
                self.publish(uri, Vec::new(), None)?;
            }
        }
        self.problem_uris = by_file.keys().cloned().collect();
        for (_, (uri, diagnostics)) in by_file {
            self.publish(uri, diagnostics, None)?;
        }
        for message in loose {
            if self.told.insert(message.clone()) {
                self.show(MessageType::ERROR, format!("tifa: {message}"))?;
            }
        }
        Ok(())
    }

    /// Asks the client to watch `tifa.toml` files and the lexicon paths
    /// in use, when it can be asked, once for each.
    fn register_watchers(&mut self) -> io::Result<()> {
        if !(self.watch.dynamic && self.watch.ready && self.state == State::Running) {
            return Ok(());
        }
        let mut watchers = Vec::new();
        if !self.watch.config_files {
            self.watch.config_files = true;
            watchers.push(FileSystemWatcher {
                glob_pattern: GlobPattern::String(format!("**/{}", crate::config::FILE_NAME)),
                kind: None,
            });
        }
        for path in self.workspace.watched() {
            if self.watch.paths.insert(path.clone())
                && let Some(w) = watcher(&path, self.watch.relative)
            {
                watchers.push(w);
            }
        }
        if watchers.is_empty() {
            return Ok(());
        }
        self.next_id += 1;
        let registration = Registration {
            id: format!("tifa-watch-{}", self.next_id),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        let params = RegistrationParams {
            registrations: vec![registration],
        };
        self.send(Request {
            id: RequestId::from(format!("tifa-{}", self.next_id)),
            method: "client/registerCapability".to_owned(),
            params: serde_json::to_value(params).unwrap_or(Value::Null),
        })
    }
}

/// A watcher for a lexicon folder's `.toml` files, or for one file.
fn watcher(path: &Path, relative: bool) -> Option<FileSystemWatcher> {
    let (base, pattern) = if path.is_dir() {
        (path, "**/*.toml".to_owned())
    } else {
        (path.parent()?, path.file_name()?.to_str()?.to_owned())
    };
    let glob_pattern = if relative {
        GlobPattern::Relative(RelativePattern {
            base_uri: OneOf::Right(path_to_uri(base)?),
            pattern,
        })
    } else {
        let base = base.to_str()?.replace('\\', "/");
        GlobPattern::String(format!("{}/{pattern}", base.trim_end_matches('/')))
    };
    Some(FileSystemWatcher {
        glob_pattern,
        kind: None,
    })
}

/// A problem of a configuration or lexicon file as a diagnostic on it.
fn problem(d: &crate::diagnostic::Diagnostic, encoding: Encoding) -> lsp_types::Diagnostic {
    let line = d.location.line.saturating_sub(1);
    let before: String = d
        .source_line
        .chars()
        .take(d.location.column.saturating_sub(1))
        .collect();
    let marked: String = d
        .source_line
        .chars()
        .skip(d.location.column.saturating_sub(1))
        .take(d.width)
        .collect();
    let units = |s: &str| {
        let lines = position::Lines::new(s, encoding);
        lines.position(s.len()).character
    };
    let start = lsp_types::Position::new(u32::try_from(line).unwrap_or(u32::MAX), units(&before));
    let end = lsp_types::Position::new(start.line, start.character.saturating_add(units(&marked)));
    let message = match &d.hint {
        Some(h) => format!("{}\n{h}", d.message),
        None => d.message.clone(),
    };
    lsp_types::Diagnostic {
        range: lsp_types::Range::new(start, end),
        severity: Some(lsp_types::DiagnosticSeverity::ERROR),
        source: Some("tifa".to_owned()),
        message,
        ..lsp_types::Diagnostic::default()
    }
}
