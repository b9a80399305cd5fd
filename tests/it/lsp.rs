//! `tifa lsp` driven through its protocol: the built binary is spawned,
//! Content-Length framed JSON-RPC is written to it and its replies are read
//! with a timeout (a reader thread and `recv_timeout`), then compared with
//! what a client must see: exact ranges, codes, messages and edits.
//!
//! The last test runs the server under a real client, headless Neovim,
//! when `nvim` is installed (`.ci/run` installs it), and says why not
//! otherwise.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const LEXICON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lexicon.toml");
const TIMEOUT: Duration = Duration::from_secs(20);

/// A running `tifa lsp`, killed when dropped.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    replies: Receiver<Value>,
    /// Messages read while waiting for another one.
    queue: VecDeque<Value>,
    next_id: i64,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

impl Server {
    /// `tifa ARGS… lsp` in folder `cwd`.
    fn start(args: &[&str], cwd: &Path) -> Server {
        Server::start_with(args, cwd, &[])
    }

    fn start_with(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tifa"))
            .args(args)
            .arg("lsp")
            .current_dir(cwd)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tifa starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, replies) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    let (name, value) = line.split_once(": ").expect("a header");
                    assert_eq!(name, "Content-Length", "only Content-Length is sent");
                    length = Some(value.parse::<usize>().unwrap());
                }
                let mut body = vec![0; length.expect("Content-Length")];
                reader.read_exact(&mut body).unwrap();
                let value: Value = serde_json::from_slice(&body).expect("replies are JSON");
                assert_eq!(value["jsonrpc"], "2.0");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        Server {
            stdin: child.stdin.take(),
            child,
            replies,
            queue: VecDeque::new(),
            next_id: 0,
        }
    }

    fn write_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn write(&mut self, message: &Value) {
        let body = message.to_string();
        self.write_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.write(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message for which `wanted` holds; the others stay queued.
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.queue.iter().position(&wanted) {
            return self.queue.remove(i).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.replies.recv_timeout(left) {
                Ok(v) if wanted(&v) => return v,
                Ok(v) => self.queue.push_back(v),
                Err(e) => panic!(
                    "no {what} within {TIMEOUT:?} ({e}); read: {:#?}",
                    self.queue
                ),
            }
        }
    }

    /// Sends a request and returns the whole response.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.write(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(&format!("reply to {method}"), |v| {
            v["id"] == id && v.get("method").is_none()
        })
    }

    /// Sends a request and returns its result, which must not be an error.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let reply = self.call(method, params);
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    fn notification(&mut self, method: &str) -> Value {
        let m = method.to_owned();
        self.wait_for(method, |v| v["method"] == m && v.get("id").is_none())["params"].clone()
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        let u = uri.to_owned();
        self.wait_for(&format!("diagnostics of {uri}"), |v| {
            v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == u
        })["params"]
            .clone()
    }

    fn initialize(&mut self, capabilities: Value, options: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({"capabilities": capabilities, "initializationOptions": options}),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    /// shutdown, exit, and the exit status.
    fn finish(mut self) -> i32 {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        self.exit_code()
    }

    fn exit_code(&mut self) -> i32 {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().expect("exited, not killed");
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The values of `key` in each object of the array `list`.
fn each<'v>(list: &'v Value, key: &str) -> Vec<&'v Value> {
    list.as_array().unwrap().iter().map(|v| &v[key]).collect()
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

fn at(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

/// A folder with no tifa.toml, and the URI of a document in it.
fn workspace(name: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join(name));
    (dir, uri)
}

const FIXTURE: [&str; 3] = ["--no-default-lexicon", "--lexicon", LEXICON];

/// A server with the fixture lexicon, initialized with `options`, that has
/// document `name` of `language` open with `text`: the server, the
/// document's URI, its first diagnostics and its folder.
fn opened(
    name: &str,
    language: &str,
    text: &str,
    options: Value,
) -> (Server, String, Value, tempfile::TempDir) {
    let (dir, uri) = workspace(name);
    let mut s = Server::start(&FIXTURE, dir.path());
    s.initialize(json!({}), options);
    s.open(&uri, language, text);
    let first = s.diagnostics(&uri);
    (s, uri, first, dir)
}

/// The text of the main session: an emoji (two UTF-16 units) and CJK
/// before the terms on the same line.
const DRAFT: &str = "# 周报\n\n😀本所推行两队一所，深化专业＋机制＋大数据。\n";

#[test]
fn a_whole_session() {
    let (dir, uri) = workspace("周报.md");
    let mut s = Server::start(&FIXTURE, dir.path());
    let init = s.initialize(json!({}), Value::Null);
    assert_eq!(
        init,
        json!({
            "capabilities": {
                "positionEncoding": "utf-16",
                "textDocumentSync": {"openClose": true, "change": 2, "save": {"includeText": false}},
                "hoverProvider": true,
                "codeActionProvider": true,
                "executeCommandProvider": {"commands": ["tifa.lookup"]}
            },
            "serverInfo": {"name": "tifa", "version": env!("CARGO_PKG_VERSION")}
        })
    );
    s.open(&uri, "markdown", DRAFT);
    // 😀 is 2 units, 本所推行 4: 两队一所 starts at 6 on line 2.
    let wrong = json!({
        "range": range(2, 6, 2, 10),
        "severity": 1,
        "code": "wrong-form",
        "source": "tifa",
        "message": "“两队一所”是“两队一室”的误写（改字）",
        "data": {"id": "liangdui-yishi", "term": "两队一室", "matched": "两队一所",
                 "suggestion": "两队一室", "fixable": true}
    });
    let full_width = json!({
        "range": range(2, 13, 2, 22),
        "severity": 2,
        "code": "non-canonical",
        "source": "tifa",
        "message": "“专业＋机制＋大数据”含全角字符，规范写法为“专业+机制+大数据”",
        "data": {"id": "zhuanye-jizhi-dashuju", "term": "专业+机制+大数据",
                 "matched": "专业＋机制＋大数据", "suggestion": "专业+机制+大数据", "fixable": true}
    });
    assert_eq!(
        s.diagnostics(&uri),
        json!({"uri": uri, "version": 1, "diagnostics": [wrong, full_width]})
    );

    // The same findings as `tifa check`, message for message.
    let path = dir.path().join("周报.md");
    std::fs::write(&path, DRAFT).unwrap();
    let (_, out, _) = crate::tifa(
        &[
            &FIXTURE[..],
            &["check", "--format", "json", path.to_str().unwrap()],
        ]
        .concat(),
    );
    let check: Value = serde_json::from_str(&out).unwrap();
    let messages = each(&check["findings"], "message");
    assert_eq!(messages, [&wrong["message"], &full_width["message"]]);

    // Hover on 所 of the wrong form: the finding, then the entry.
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at(2, 9)}),
    );
    assert_eq!(
        hover,
        json!({
            "contents": {"kind": "markdown", "value": "⛔ `wrong-form`：“两队一所”是“两队一室”的误写（改字）\n\n\
                **两队一室** · 警务模式\n\n\
                派出所内设社区警务队、案件办理队和综合指挥室的警务运行模式。\n\n\
                - 编号：`liangdui-yishi`\n\
                - 组成：社区警务队、案件办理队、综合指挥室\n\
                - 变体：一室两队\n\
                - 误写：两队一所（改字）\n\
                - 英文：two teams and one office\n\
                - 出处：测试用\n\
                - 相关：派出所"},
            "range": range(2, 6, 2, 10)
        })
    );
    // Nothing to say on the emoji.
    let none = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at(2, 1)}),
    );
    assert_eq!(none, Value::Null);

    // Code actions at the wrong form: the fix, preferred, and a look-up.
    let actions = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(2, 7, 2, 7),
               "context": {"diagnostics": []}}),
    );
    assert_eq!(
        actions,
        json!([
            {
                "title": "替换为规范提法：两队一室",
                "kind": "quickfix",
                "diagnostics": [wrong],
                "edit": {"changes": {uri.as_str(): [{"range": range(2, 6, 2, 10), "newText": "两队一室"}]}},
                "isPreferred": true
            },
            {
                "title": "查看词条：两队一室",
                "command": {"title": "查看词条：两队一室", "command": "tifa.lookup",
                            "arguments": ["两队一室", uri]}
            }
        ])
    );

    // The look-up command shows the card of `tifa lookup` and returns its JSON.
    let found = s.request(
        "workspace/executeCommand",
        json!({"command": "tifa.lookup", "arguments": ["两队一室", uri]}),
    );
    assert_eq!(found["entries"][0]["id"], "liangdui-yishi");
    assert_eq!(found["entries"][0]["match"], "term");
    let shown = s.notification("window/showMessage");
    assert_eq!(shown["type"], 3);
    let (_, card, _) = crate::tifa(&[&FIXTURE[..], &["lookup", "两队一室"]].concat());
    assert_eq!(shown["message"], card.trim_end());

    // Apply the fix the way a client does: an incremental change.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": range(2, 6, 2, 10), "text": "两队一室"}]}),
    );
    assert_eq!(
        s.diagnostics(&uri),
        json!({"uri": uri, "version": 2, "diagnostics": [full_width]})
    );
    // A whole-text change too.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3},
               "contentChanges": [{"text": "深化专业+机制+大数据。\n"}]}),
    );
    assert_eq!(
        s.diagnostics(&uri),
        json!({"uri": uri, "version": 3, "diagnostics": []})
    );
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(s.diagnostics(&uri), json!({"uri": uri, "diagnostics": []}));
    assert_eq!(s.finish(), 0);
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let (dir, uri) = workspace("a.txt");
    let mut s = Server::start(&FIXTURE, dir.path());
    let init = s.initialize(
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
        Value::Null,
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    s.open(&uri, "plaintext", "😀两队一所");
    let d = s.diagnostics(&uri);
    assert_eq!(d["diagnostics"][0]["range"], range(0, 4, 0, 16));
    assert_eq!(s.finish(), 0);
}

#[test]
fn changes_in_quick_succession_are_checked_once() {
    let (dir, uri) = workspace("a.md");
    let mut s = Server::start_with(&FIXTURE, dir.path(), &[("TIFA_LSP_DEBOUNCE_MS", "300")]);
    s.initialize(json!({}), Value::Null);
    s.open(&uri, "markdown", "");
    assert_eq!(s.diagnostics(&uri)["diagnostics"], json!([]));
    for (version, text) in [(2, "两"), (3, "两队一"), (4, "两队一所")] {
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"text": text}]}),
        );
    }
    // Requests are answered at once, on the latest text …
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at(0, 0)}),
    );
    assert_eq!(hover["range"], range(0, 0, 0, 4));
    // … and no diagnostics came before that answer.
    assert!(s.queue.is_empty(), "{:?}", s.queue);
    // Then one check, of version 4.
    let d = s.diagnostics(&uri);
    assert_eq!(d["version"], 4);
    assert_eq!(d["diagnostics"][0]["code"], "wrong-form");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        s.replies.try_recv().is_err(),
        "versions 2 and 3 are never checked"
    );
    assert_eq!(s.finish(), 0);
}

#[test]
fn html_positions_are_in_the_source() {
    let html = "<p>😀推行两队一所</p>\n<p>推行两队<b>一所</b>，&ldquo;两队一所&rdquo;</p>\n";
    let (mut s, uri, d, _dir) = opened("page.html", "html", html, Value::Null);
    let ranges = each(&d["diagnostics"], "range");
    assert_eq!(
        ranges,
        [
            &range(0, 7, 0, 11),
            // Across the <b> tag: the whole source span.
            &range(1, 5, 1, 12),
            &range(1, 24, 1, 28)
        ]
    );
    // A fix in plain source text edits the source …
    let actions = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(0, 8, 0, 8), "context": {"diagnostics": []}}),
    );
    assert_eq!(
        actions[0]["edit"]["changes"][uri.as_str()],
        json!([{"range": range(0, 7, 0, 11), "newText": "两队一室"}])
    );
    // … one with markup inside is left to the writer (as `check --fix`
    // does): only the look-up is offered.
    let actions = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(1, 8, 1, 8), "context": {"diagnostics": []}}),
    );
    let titles = each(&actions, "title");
    assert_eq!(titles, [&json!("查看词条：两队一室")]);
    assert_eq!(s.finish(), 0);
}

#[test]
fn hover_on_a_nested_term_shows_both_entries() {
    let text = "坚持省级主责、市县主战、派出所主防。";
    let (mut s, uri, _, _dir) = opened("a.md", "markdown", text, Value::Null);
    // On 战 of 市县主战 inside the slogan.
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at(0, 10)}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("**市县主战** · 口号提法\n\n市县公安机关是打击犯罪的主力。"),
        "{text}"
    );
    let second = text.split("\n---\n\n").nth(1).unwrap();
    assert!(
        second.starts_with("**省级主责、市县主战、派出所主防** · 口号提法"),
        "{text}"
    );
    assert_eq!(hover["range"], range(0, 7, 0, 11));
    assert_eq!(s.finish(), 0);
}

#[test]
fn suppression_comments_work_as_in_check() {
    let text = "<!-- tifa-ignore-next-line -->\n两队一所\n两队一所\n<!-- tifa-disable: wrong-form -->\n两队一所\n<!-- tifa-disable: no-such-rule -->\n";
    let (s, _, d, _dir) = opened("a.md", "markdown", text, Value::Null);
    let found: Vec<(String, u64)> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("wrong-form".to_owned(), 2),
            ("bad-directive".to_owned(), 5)
        ]
    );
    assert_eq!(s.finish(), 0);
}

#[test]
fn english_messages_and_titles() {
    let (mut s, uri, d, _dir) = opened("a.md", "markdown", "两队一所", json!({"lang": "en"}));
    assert_eq!(
        d["diagnostics"][0]["message"],
        "“两队一所” is a misquote of “两队一室” (改字)"
    );
    let actions = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(0, 0, 0, 4), "context": {"diagnostics": []}}),
    );
    assert_eq!(
        actions[0]["title"],
        "Replace with the canonical form: 两队一室"
    );
    assert_eq!(actions[1]["title"], "Look up: 两队一室");
    // Nothing found: a warning, and a null result.
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "tifa.lookup", "arguments": ["没有这个词"]}),
    );
    assert_eq!(r, Value::Null);
    assert_eq!(
        s.notification("window/showMessage"),
        json!({"type": 2, "message": "“没有这个词” is not in the lexicon"})
    );
    assert_eq!(s.finish(), 0);
}

/// Waits for the next diagnostics of `uri` whose list satisfies `ok`.
fn diagnostics_until(s: &mut Server, uri: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let d = s.diagnostics(uri);
        if ok(&d["diagnostics"]) {
            return d["diagnostics"].clone();
        }
        assert!(Instant::now() < deadline, "last: {d}");
    }
}

#[test]
fn the_workspace_config_is_used_and_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let config = root.join("tifa.toml");
    std::fs::write(&config, "[rules]\nwrong-form = \"warning\"\n").unwrap();
    std::fs::create_dir(root.join("docs")).unwrap();
    let uri = file_uri(&root.join("docs/a.md"));
    let config_uri = file_uri(&config);
    // Started elsewhere: the config is found from the document's folder.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut s = Server::start(&FIXTURE, elsewhere.path());
    let init_caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    s.initialize(init_caps, Value::Null);
    s.open(&uri, "markdown", "两队一所");
    let severity = |d: &Value| d[0]["severity"].clone();
    assert_eq!(severity(&s.diagnostics(&uri)["diagnostics"]), 2);

    // The server asks to watch tifa.toml files.
    let register = s.wait_for("registerCapability", |v| {
        v["method"] == "client/registerCapability"
    });
    let watchers = &register["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert_eq!(watchers[0]["globPattern"], "**/tifa.toml");
    let id = register["id"].clone();
    s.write(&json!({"jsonrpc": "2.0", "id": id, "result": null}));

    // A broken config: its error on the file, the last good one still in use.
    std::fs::write(&config, "[rules]\nwrong-form = \"loud\"\n").unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config_uri, "type": 2}]}),
    );
    let problems = s.diagnostics(&config_uri);
    assert_eq!(
        problems["diagnostics"],
        json!([{
            "range": range(1, 13, 1, 19),
            "severity": 1,
            "source": "tifa",
            "message": "invalid severity `loud`\nuse \"off\", \"info\", \"warning\" or \"error\""
        }])
    );
    assert_eq!(severity(&s.diagnostics(&uri)["diagnostics"]), 2);

    // Fixed (and saved in the editor): the problems go, the new rules apply.
    std::fs::write(&config, "[rules]\nnon-canonical = \"off\"\n").unwrap();
    s.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": config_uri}}),
    );
    assert_eq!(s.diagnostics(&config_uri)["diagnostics"], json!([]));
    assert_eq!(severity(&s.diagnostics(&uri)["diagnostics"]), 1);

    // Even without a notice from the client, the next check sees a change.
    std::fs::write(&config, "allow = [\"两队一所\"]\n").unwrap();
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"text": "两队一所。"}]}),
    );
    assert_eq!(s.diagnostics(&uri)["diagnostics"], json!([]));
    assert_eq!(s.finish(), 0);
}

#[test]
fn excluded_files_and_a_config_broken_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("drafts")).unwrap();
    std::fs::write(root.join("tifa.toml"), "exclude = [\"drafts/**\"]\n").unwrap();
    let mut s = Server::start(&FIXTURE, root);
    s.initialize(json!({}), Value::Null);
    // Left out by `exclude`, as `tifa check` leaves it out: no findings,
    // but hover still explains the term.
    let draft = file_uri(&root.join("drafts/a.md"));
    s.open(&draft, "markdown", "两队一所");
    assert_eq!(s.diagnostics(&draft)["diagnostics"], json!([]));
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": draft}, "position": at(0, 1)}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**两队一室**")
    );

    // A config that never loaded: its problem on the file, and documents
    // checked without it meanwhile.
    let other = root.join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("tifa.toml"), "fail-on = [\n").unwrap();
    let uri = file_uri(&other.join("a.md"));
    s.open(&uri, "markdown", "两队一所");
    assert_eq!(s.diagnostics(&uri)["diagnostics"][0]["severity"], 1);
    let problems = s.diagnostics(&file_uri(&other.join("tifa.toml")));
    assert_eq!(problems["diagnostics"][0]["range"]["start"]["line"], 0);
    assert_eq!(problems["diagnostics"][0]["source"], "tifa");
    assert_eq!(s.finish(), 0);
}

#[test]
fn lexicon_folders_are_watched_and_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let terms = dir.path().join("terms");
    std::fs::create_dir(&terms).unwrap();
    let entry = "[[entry]]\nid = \"shiyan\"\nterm = \"试验提法\"\ncategory = \"基础术语\"\ndefinition = \"测试用。\"\nsources = [\"测试用\"]\n";
    std::fs::write(terms.join("a.toml"), entry).unwrap();
    let terms_arg = terms.to_str().unwrap();
    let args = [
        "--no-default-lexicon",
        "--lexicon",
        LEXICON,
        "--lexicon",
        terms_arg,
    ];
    let mut s = Server::start(&args, dir.path());
    s.initialize(
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true,
                                                       "relativePatternSupport": true}}}),
        Value::Null,
    );
    let uri = file_uri(&dir.path().join("a.md"));
    s.open(&uri, "markdown", "试验题法");
    assert_eq!(s.diagnostics(&uri)["diagnostics"], json!([]));
    let register = s.wait_for("registerCapability", |v| {
        v["method"] == "client/registerCapability"
    });
    let watchers = &register["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert_eq!(
        watchers[2],
        json!({"globPattern": {"baseUri": file_uri(&terms), "pattern": "**/*.toml"}})
    );

    // A wrong form added to the lexicon is found once the client reports it.
    let wrong = format!("{entry}\n[[entry.wrong]]\nform = \"试验题法\"\n");
    std::fs::write(terms.join("a.toml"), wrong).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&terms.join("a.toml")), "type": 2}]}),
    );
    let d = diagnostics_until(&mut s, &uri, |d| d != &json!([]));
    assert_eq!(d[0]["message"], "“试验题法”是“试验提法”的误写");

    // A broken lexicon file: located problems, last good lexicon kept.
    std::fs::write(
        terms.join("a.toml"),
        "[[entry]]\nid = \"shiyan\"\nterm = 3\n",
    )
    .unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&terms.join("a.toml")), "type": 2}]}),
    );
    let problems = s.diagnostics(&file_uri(&terms.join("a.toml")));
    assert_eq!(problems["diagnostics"][0]["range"]["start"], at(2, 7));
    assert_eq!(s.diagnostics(&uri)["diagnostics"][0]["code"], "wrong-form");
    assert_eq!(s.finish(), 0);
}

#[test]
fn protocol_errors_are_answered_and_never_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(&FIXTURE, dir.path());
    let code = |reply: &Value| reply["error"]["code"].as_i64().unwrap();
    // Before initialize.
    let r = s.call("textDocument/hover", json!({}));
    assert_eq!(code(&r), -32002);
    s.initialize(json!({}), Value::Null);
    // Not JSON: a parse error with a null id.
    s.write_raw(b"Content-Length: 9\r\n\r\n{\"id\": 1,");
    let r = s.wait_for("parse error", |v| v.get("error").is_some());
    assert_eq!((code(&r), r["id"].clone()), (-32700, Value::Null));
    // JSON that is no request.
    s.write(&json!([1, 2]));
    let r = s.wait_for("invalid request", |v| v.get("error").is_some());
    assert_eq!(code(&r), -32600);
    s.write(&json!({"jsonrpc": "2.0", "id": 7, "params": {}}));
    let r = s.wait_for("invalid request", |v| v.get("error").is_some());
    assert_eq!((code(&r), r["id"].clone()), (-32600, json!(7)));
    // Unknown method, bad params, unknown document, bytes that are no UTF-8.
    assert_eq!(code(&s.call("textDocument/definition", json!({}))), -32601);
    assert_eq!(code(&s.call("textDocument/hover", json!({"x": 1}))), -32602);
    let unknown = json!({"textDocument": {"uri": "file:///nowhere.md"}, "position": at(0, 0)});
    assert_eq!(s.request("textDocument/hover", unknown), Value::Null);
    s.write_raw(b"Content-Length: 2\r\n\r\n\xff\xfe");
    let r = s.wait_for("parse error", |v| v.get("error").is_some());
    assert_eq!(code(&r), -32700);
    // Positions past the end of the text, a document in another language.
    let (_, uri) = workspace("a.md");
    s.open(&uri, "markdown", "两队一所");
    s.diagnostics(&uri);
    let far = json!({"textDocument": {"uri": uri}, "position": at(99, 99)});
    assert_eq!(s.request("textDocument/hover", far), Value::Null);
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": range(0, 3, 9, 9), "text": "室"}]}),
    );
    assert_eq!(s.diagnostics(&uri)["diagnostics"], json!([]));
    s.open("file:///x/main.rs", "rust", "两队一所");
    // Still alive and answering; after shutdown, requests are refused.
    assert_eq!(s.request("shutdown", Value::Null), Value::Null);
    assert_eq!(code(&s.call("textDocument/hover", json!({}))), -32600);
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(), 0);
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(&FIXTURE, dir.path());
    s.initialize(json!({}), Value::Null);
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(), 1);
    // The input closing without exit is the same.
    let mut s = Server::start(&FIXTURE, dir.path());
    s.initialize(json!({}), Value::Null);
    s.stdin = None;
    assert_eq!(s.exit_code(), 1);
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The Neovim client script: opens a document, waits for tifa's
/// diagnostics, hovers, applies the preferred code action and writes what
/// it saw as JSON.
const NVIM_SCRIPT: &str = r#"
local result = {}
local function finish(ok)
  result.ok = ok
  vim.fn.writefile({ vim.fn.json_encode(result) }, os.getenv('TIFA_RESULT'))
  vim.cmd(ok and 'qall!' or 'cquit!')
end
local ok, err = pcall(function()
  vim.cmd('filetype on')
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('TIFA_DOC')))
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo.filetype
  local id = vim.lsp.start_client({
    name = 'tifa',
    cmd = { os.getenv('TIFA_BIN'), '--no-default-lexicon', '--lexicon', os.getenv('TIFA_LEXICON'), 'lsp' },
    root_dir = vim.fn.fnamemodify(os.getenv('TIFA_DOC'), ':h'),
  })
  vim.lsp.buf_attach_client(buf, id)
  assert(vim.wait(15000, function() return #vim.diagnostic.get(buf) == 2 end, 20), 'no diagnostics')
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, {
      lnum = d.lnum, col = d.col, end_col = d.end_col, severity = d.severity,
      message = d.message, source = d.source, code = d.code,
    })
  end
  -- The cursor on 队 (byte column 8 after the emoji and 两).
  vim.api.nvim_win_set_cursor(0, { 1, 8 })
  local client = vim.lsp.get_client_by_id(id)
  result.offset_encoding = client.offset_encoding
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 10000)
  result.hover = hover[id].result.contents.value
  local actions = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', {
    textDocument = params.textDocument,
    range = { start = params.position, ['end'] = params.position },
    context = { diagnostics = {} },
  }, 10000)
  result.titles = {}
  for _, a in ipairs(actions[id].result) do
    table.insert(result.titles, a.title)
    if a.isPreferred then
      vim.lsp.util.apply_workspace_edit(a.edit, client.offset_encoding)
    end
  end
  result.line = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]
  -- The edit reaches the server as a change; one finding is left.
  assert(vim.wait(15000, function() return #vim.diagnostic.get(buf) == 1 end, 20), 'no new diagnostics')
  result.left = vim.diagnostic.get(buf)[1].message
  vim.lsp.stop_client(id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(id) == nil end, 20)
end)
if not ok then result.error = tostring(err) end
finish(ok)
"#;

#[test]
fn under_neovim() {
    let Some(nvim) = find_program("nvim") else {
        println!("skipped: nvim is not installed (apt-get install neovim; .ci/run installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("draft.md");
    std::fs::write(&doc, "😀两队一所，深化专业＋机制＋大数据。\n").unwrap();
    let script = dir.path().join("client.lua");
    std::fs::write(&script, NVIM_SCRIPT).unwrap();
    let result = dir.path().join("result.json");
    let mut child = Command::new(nvim)
        .args([
            "--headless",
            "--clean",
            "-n",
            "-i",
            "NONE",
            "-u",
            "NONE",
            "-S",
        ])
        .arg(&script)
        .current_dir(dir.path())
        .env("TIFA_BIN", env!("CARGO_BIN_EXE_tifa"))
        .env("TIFA_LEXICON", LEXICON)
        .env("TIFA_DOC", &doc)
        .env("TIFA_RESULT", &result)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let text = std::fs::read_to_string(&result)
        .unwrap_or_else(|e| panic!("no result from nvim ({e}, {status}): {stderr}"));
    let seen: Value = serde_json::from_str(&text).unwrap();
    println!("neovim saw: {seen:#}");
    assert_eq!(seen["ok"], true, "{seen:#}\n{stderr}");
    assert_eq!(seen["filetype"], "markdown");
    assert_eq!(seen["offset_encoding"], "utf-16");
    // Neovim's columns are bytes: its own conversion from tifa's UTF-16
    // positions lands on the term after the 4-byte emoji.
    assert_eq!(
        seen["diagnostics"],
        json!([
            {"lnum": 0, "col": 4, "end_col": 16, "severity": 1, "source": "tifa",
             "code": "wrong-form", "message": "“两队一所”是“两队一室”的误写（改字）"},
            {"lnum": 0, "col": 25, "end_col": 52, "severity": 2, "source": "tifa",
             "code": "non-canonical",
             "message": "“专业＋机制＋大数据”含全角字符，规范写法为“专业+机制+大数据”"}
        ])
    );
    assert!(
        seen["hover"]
            .as_str()
            .unwrap()
            .contains("**两队一室** · 警务模式"),
        "{seen}"
    );
    assert_eq!(
        seen["titles"],
        json!(["替换为规范提法：两队一室", "查看词条：两队一室"])
    );
    assert_eq!(seen["line"], "😀两队一室，深化专业＋机制＋大数据。");
    assert_eq!(
        seen["left"],
        "“专业＋机制＋大数据”含全角字符，规范写法为“专业+机制+大数据”"
    );
}

/// The ceilings on the server's peak resident size in the tests below: far
/// above what it needs (for 100,000 diagnostics, about 220 MB in a debug
/// build; for input it refuses, 16 MB), far below what unbounded input
/// took (GB).
#[cfg(target_os = "linux")]
const LSP_CEILING_KB: u64 = 100 * 1024;
#[cfg(target_os = "linux")]
const DIAGNOSTICS_CEILING_KB: u64 = 500 * 1024;

/// Diagnostics of a document of 80,000 lines with a finding on each, and of
/// one line of 240 KB with 20,000 findings (which aborted: a copy of the
/// line per finding, and positions counted from the line's start for each).
/// Only counts are asserted, no time.
#[cfg(target_os = "linux")]
#[test]
fn diagnostics_of_many_findings_in_bounded_memory() {
    let (dir, uri) = workspace("long.md");
    let mut s = Server::start(&FIXTURE, dir.path());
    let watch = crate::bounds::Watch::start(&s.child, DIAGNOSTICS_CEILING_KB);
    s.initialize(json!({}), Value::Null);
    s.open(&uri, "markdown", &"两队一所\n".repeat(80_000));
    let d = s.diagnostics(&uri);
    let list = d["diagnostics"].as_array().unwrap();
    assert_eq!(list.len(), 80_000);
    assert_eq!(list[79_999]["range"], range(79_999, 0, 79_999, 4));
    let (_, one) = workspace("one.md");
    s.open(&one, "markdown", &"两队一所".repeat(20_000));
    let d = s.diagnostics(&one);
    let list = d["diagnostics"].as_array().unwrap();
    assert_eq!(list.len(), 20_000);
    assert_eq!(list[19_999]["range"], range(0, 79_996, 0, 80_000));
    assert_eq!(s.request("shutdown", Value::Null), Value::Null);
    s.notify("exit", Value::Null);
    watch.peak_kb("tifa lsp with 100,000 findings");
    assert_eq!(s.exit_code(), 0);
}

/// Writes `head`, then `fill` up to `total` bytes in all, to the server's
/// input from a thread, until written or the server stops reading; how much
/// was written, and the input, still open, to go on with.
fn feed(
    s: &mut Server,
    head: Vec<u8>,
    fill: u8,
    total: usize,
) -> std::thread::JoinHandle<(usize, ChildStdin)> {
    let mut stdin = s.stdin.take().unwrap();
    std::thread::spawn(move || {
        if stdin.write_all(&head).is_err() {
            return (0, stdin);
        }
        let mut written = head.len();
        let chunk = vec![fill; 64 * 1024];
        while written < total {
            let n = chunk.len().min(total - written);
            if stdin.write_all(&chunk[..n]).is_err() {
                break;
            }
            written += n;
        }
        (written, stdin)
    })
}

/// A header line without a line end, 10 MB and more (up to 256 MB while
/// the server reads), the input held open: an error, and the server
/// closes the connection instead of buffering it (exit status 1: no
/// shutdown came).
#[cfg(target_os = "linux")]
#[test]
fn an_endless_header_line_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(&FIXTURE, dir.path());
    let watch = crate::bounds::Watch::start(&s.child, LSP_CEILING_KB);
    s.initialize(json!({}), Value::Null);
    let writer = feed(&mut s, b"Content-Length: 1".to_vec(), b'0', 256 << 20);
    let r = s.wait_for("an error", |v| v.get("error").is_some());
    assert_eq!(r["error"]["code"], -32700);
    assert!(
        r["error"]["message"].as_str().unwrap().contains("8192"),
        "{r}"
    );
    watch.peak_kb("tifa lsp fed an endless header line");
    assert_eq!(s.exit_code(), 1);
    let (written, _input) = writer.join().unwrap();
    assert!(written < 256 << 20, "the server read it all");
}

/// A Content-Length past 64 MiB (300 MB, all sent): answered with an
/// error, the body skipped without being kept, and the next message
/// answered.
#[cfg(target_os = "linux")]
#[test]
fn a_huge_content_length_is_answered_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(&FIXTURE, dir.path());
    let watch = crate::bounds::Watch::start(&s.child, LSP_CEILING_KB);
    s.initialize(json!({}), Value::Null);
    let length = 300_000_000;
    let head = format!("Content-Length: {length}\r\n\r\n").into_bytes();
    let total = head.len() + length;
    let writer = feed(&mut s, head, b' ', total);
    let r = s.wait_for("an error", |v| v.get("error").is_some());
    assert_eq!(
        (r["error"]["code"].clone(), r["id"].clone()),
        (json!(-32600), Value::Null)
    );
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("300000000 bytes"),
        "{r}"
    );
    let (written, input) = writer.join().unwrap();
    assert_eq!(written, total);
    s.stdin = Some(input);
    assert_eq!(s.request("shutdown", Value::Null), Value::Null);
    s.notify("exit", Value::Null);
    watch.peak_kb("tifa lsp fed a body of 300 MB");
    assert_eq!(s.exit_code(), 0);
}
