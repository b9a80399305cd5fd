//! `tifa serve` on a free loopback port, through raw HTTP/1.1 on
//! `TcpStream` (std only, so that broken requests can be sent too): every
//! endpoint against the command line's output on the same files, the
//! LanguageTool API's shape and offsets, the limits (413, 503, 504), bad
//! inputs (400, and the server goes on), the token, the metrics and the
//! page.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{FIXTURE_LEXICON, tifa};

/// A running `tifa serve`, killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `tifa serve --bind 127.0.0.1:0 ARGS…` and reads the port it
    /// prints.
    pub(crate) fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tifa"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tifa serve starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut line = String::new();
        BufReader::new(stderr)
            .read_line(&mut line)
            .expect("tifa serve prints its address");
        let port = line
            .trim()
            .strip_prefix("tifa serve: listening on http://127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        Server { child, port }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s
    }

    /// Sends `head` (request line and headers, without the blank line)
    /// and `body`, with `Content-Length` and `Connection: close`.
    fn send(&self, head: &str, body: &[u8]) -> Answer {
        let mut s = self.connect();
        write!(
            s,
            "{head}\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .unwrap();
        s.write_all(body).unwrap();
        read_answer(&mut s)
    }

    fn get(&self, path: &str) -> Answer {
        self.send(&format!("GET {path} HTTP/1.1"), b"")
    }

    fn post(&self, path: &str, content_type: &str, body: &[u8]) -> Answer {
        self.send(
            &format!("POST {path} HTTP/1.1\r\nContent-Type: {content_type}"),
            body,
        )
    }

    /// A form post of `fields`.
    fn form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.post(
            path,
            "application/x-www-form-urlencoded",
            form(fields).as_bytes(),
        )
    }

    /// A file's bytes as the body, named by `?name=`.
    fn file(&self, path: &str, file: &str) -> Answer {
        let bytes = std::fs::read(file).unwrap();
        let sep = if path.contains('?') { '&' } else { '?' };
        self.post(
            &format!("{path}{sep}name={}", encode(file)),
            "application/octet-stream",
            &bytes,
        )
    }
}

/// An HTTP answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("the body is UTF-8")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

fn read_answer(s: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("reads the answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    assert!(!chunked, "the server answers with Content-Length");
    Answer {
        status,
        headers,
        body,
    }
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A multipart body with `file` uploaded as `name` and text `fields`.
fn multipart(name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "tifa-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        )
        .unwrap();
    }
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The files every endpoint is compared on: plain text, Markdown, the
/// encodings the command line detects, HTML and Word.
const FILES: [&str; 9] = [
    "samples/report.txt",
    "samples/wrapped.txt",
    "tests/fixtures/check/misquotes.md",
    "tests/fixtures/inputs/gb18030.txt",
    "tests/fixtures/inputs/utf16le.txt",
    "tests/fixtures/inputs/utf8-bom.txt",
    "tests/fixtures/inputs/page.html",
    "tests/fixtures/inputs/report.docx",
    "tests/fixtures/pdf/report.pdf",
];

/// The command line's standard output for `args`.
fn cli(args: &[&str]) -> String {
    tifa(args).1
}

/// What every response carries.
fn names_the_lexicon(a: &Answer) {
    let v = a.header("x-tifa-lexicon").expect("X-Tifa-Lexicon");
    assert_eq!(v.len(), 16, "{v}");
}

#[test]
fn every_endpoint_answers_what_the_command_line_prints() {
    let server = Server::start(&[]);
    for file in FILES {
        for (endpoint, args) in [
            ("/api/scan", vec!["scan", "--format", "json"]),
            ("/api/check", vec!["check", "--format", "json"]),
            (
                "/api/check?lang=en",
                vec!["check", "--format", "json", "--lang", "en"],
            ),
            ("/api/count", vec!["count", "--format", "json"]),
            (
                "/api/count?by_file=true",
                vec!["count", "--format", "json", "--by-file"],
            ),
            ("/api/annotate", vec!["annotate", "--format", "markdown"]),
            (
                "/api/annotate?format=html",
                vec!["annotate", "--format", "html"],
            ),
            ("/api/annotate?format=text", vec!["annotate"]),
        ] {
            let a = server.file(endpoint, file);
            assert_eq!(a.status, 200, "{endpoint} {file}: {}", a.text());
            names_the_lexicon(&a);
            let mut args = args.clone();
            args.push(file);
            assert_eq!(a.text(), cli(&args), "{endpoint} on {file}");
        }
    }
    // The form's `text` and a multipart upload give the same.
    let text = std::fs::read_to_string("tests/fixtures/check/misquotes.md").unwrap();
    let a = server.form(
        "/api/check",
        &[
            ("text", &text),
            ("name", "tests/fixtures/check/misquotes.md"),
        ],
    );
    assert_eq!(
        a.text(),
        cli(&[
            "check",
            "--format",
            "json",
            "tests/fixtures/check/misquotes.md"
        ])
    );
    let (kind, body) = multipart(
        "tests/fixtures/inputs/report.docx",
        &std::fs::read("tests/fixtures/inputs/report.docx").unwrap(),
        &[],
    );
    let a = server.post("/api/scan", &kind, &body);
    assert_eq!(
        a.text(),
        cli(&[
            "scan",
            "--format",
            "json",
            "tests/fixtures/inputs/report.docx"
        ])
    );
    // Fixing: what `check --fix` writes.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("misquotes.md");
    std::fs::write(&copy, &text).unwrap();
    let a = server.form("/api/fix", &[("text", &text), ("name", "misquotes.md")]);
    assert_eq!(a.status, 200);
    let (status, _, _) = tifa(&["check", "--fix", copy.to_str().unwrap()]);
    assert_ne!(status, tifa::cli::ExitStatus::Error);
    assert_eq!(a.text(), std::fs::read_to_string(&copy).unwrap());
    let n: usize = a.header("x-tifa-replacements").unwrap().parse().unwrap();
    assert!(n >= 3, "{n} replacements");
    let a = server.form(
        "/api/fix",
        &[
            ("text", &text),
            ("name", "misquotes.md"),
            ("download", "true"),
        ],
    );
    assert_eq!(
        a.header("content-disposition"),
        Some("attachment; filename=\"fixed-misquotes.md\"")
    );
    // Lookup.
    for q in ["两队一室", "社区警务队", "ldys"] {
        let a = server.get(&format!("/api/lookup?q={}", encode(q)));
        assert_eq!(a.status, 200);
        assert_eq!(a.text(), cli(&["lookup", "--format", "json", q]));
    }
    let a = server.get(&format!("/api/lookup?q={}", encode("完全不存在的词语啊")));
    assert_eq!(a.status, 404);
    assert!(a.json()["entries"].is_array());
    // Health.
    let a = server.get("/health");
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["status"], "ok");
    assert_eq!(
        a.json()["lexicon"].as_str(),
        a.header("x-tifa-lexicon"),
        "the header and /health name the same lexicon"
    );
}

#[test]
fn lexicon_and_config_as_on_the_command_line() {
    let mut args: Vec<&str> = FIXTURE_LEXICON.to_vec();
    args.extend(["--config", "tests/fixtures/check/tifa.toml"]);
    let server = Server::start(&args);
    let file = "tests/fixtures/check/misquotes.md";
    for (endpoint, command) in [
        ("/api/check", vec!["check", "--format", "json"]),
        ("/api/scan", vec!["scan", "--format", "json"]),
        ("/api/count", vec!["count", "--format", "json"]),
    ] {
        let mut cli_args = args.clone();
        cli_args.extend(command);
        cli_args.push(file);
        assert_eq!(
            server.file(endpoint, file).text(),
            cli(&cli_args),
            "{endpoint}"
        );
    }
    // The fixture lexicon has its own fingerprint.
    let default = Server::start(&[]);
    assert_ne!(
        server.get("/health").json()["lexicon"],
        default.get("/health").json()["lexicon"]
    );
    assert_eq!(server.get("/health").json()["entries"], 10);
}

/// UTF-16 offsets of `byte` in `text`.
fn utf16(text: &str, byte: usize) -> usize {
    text[..byte].encode_utf16().count()
}

#[test]
fn languagetool_check_has_its_shape_and_offsets() {
    let server = Server::start(&[]);
    let a = server.get("/v2/languages");
    assert_eq!(a.status, 200);
    let langs = a.json();
    assert_eq!(langs[0]["longCode"], "zh-CN");
    // Astral characters before the findings: UTF-16 offsets count two.
    let text = "𠮷𠮷 全面推行“两队一所”改革，坚持省级主责、市县主战、派出所主防。\n深化专业＋机制＋大数据。";
    let a = server.form("/v2/check", &[("text", text), ("language", "zh-CN")]);
    assert_eq!(a.status, 200, "{}", a.text());
    names_the_lexicon(&a);
    let lt = a.json();
    assert_eq!(lt["software"]["name"], "tifa");
    assert_eq!(lt["software"]["apiVersion"], 1);
    assert_eq!(lt["language"]["code"], "zh-CN");
    assert_eq!(
        lt["software"]["lexicon"].as_str(),
        a.header("x-tifa-lexicon")
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.txt");
    std::fs::write(&file, text).unwrap();
    let findings: Value =
        serde_json::from_str(&cli(&["check", "--format", "json", file.to_str().unwrap()])).unwrap();
    let findings = findings["findings"].as_array().unwrap();
    let matches = lt["matches"].as_array().unwrap();
    assert!(findings.len() >= 2, "{findings:?}");
    assert_eq!(matches.len(), findings.len());
    for (m, f) in matches.iter().zip(findings) {
        let (s, e) = (
            f["byte_start"].as_u64().unwrap() as usize,
            f["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(m["offset"].as_u64().unwrap() as usize, utf16(text, s));
        assert_eq!(
            m["length"].as_u64().unwrap() as usize,
            utf16(text, e) - utf16(text, s)
        );
        assert_eq!(m["message"], f["message"]);
        let rule = f["rule"].as_str().unwrap().to_uppercase().replace('-', "_");
        assert_eq!(m["rule"]["id"], format!("TIFA_{rule}"));
        assert_eq!(m["rule"]["category"]["id"], "TIFA");
        assert!(m["rule"]["issueType"].is_string());
        match f["suggestion"].as_str() {
            Some(s) => assert_eq!(m["replacements"][0]["value"], s),
            None => assert_eq!(m["replacements"], serde_json::json!([])),
        }
        // The context holds the match where it says.
        let ctx: Vec<u16> = m["context"]["text"]
            .as_str()
            .unwrap()
            .encode_utf16()
            .collect();
        let (o, l) = (
            m["context"]["offset"].as_u64().unwrap() as usize,
            m["context"]["length"].as_u64().unwrap() as usize,
        );
        let matched: Vec<u16> = f["matched"]
            .as_str()
            .unwrap()
            .replace('\n', " ")
            .encode_utf16()
            .collect();
        assert_eq!(&ctx[o..o + l], &matched[..]);
        assert!(!m["sentence"].as_str().unwrap().is_empty());
    }
    // The same in code points and in bytes.
    let first = findings[0]["byte_start"].as_u64().unwrap() as usize;
    let cp = server.form("/v2/check", &[("text", text), ("offsetUnit", "codepoint")]);
    assert_eq!(
        cp.json()["matches"][0]["offset"],
        text[..first].chars().count()
    );
    let bytes = server.form("/v2/check", &[("text", text), ("offsetUnit", "byte")]);
    assert_eq!(bytes.json()["matches"][0]["offset"], first);
    // GET with a query works as POST does.
    let get = server.get(&format!("/v2/check?language=zh&text={}", encode(text)));
    assert_eq!(get.json()["matches"], lt["matches"]);
    // Rules on and off.
    let off = server.form(
        "/v2/check",
        &[("text", text), ("disabledRules", "TIFA_WRONG_FORM")],
    );
    let off = off.json();
    assert!(
        off["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["rule"]["id"] != "TIFA_WRONG_FORM")
    );
    assert_eq!(off["matches"].as_array().unwrap().len(), matches.len() - 1);
    let only = server.form(
        "/v2/check",
        &[
            ("text", text),
            ("enabledRules", "wrong-form"),
            ("enabledOnly", "true"),
        ],
    );
    let only = only.json();
    assert_eq!(only["matches"].as_array().unwrap().len(), 1);
    assert_eq!(only["matches"][0]["rule"]["id"], "TIFA_WRONG_FORM");
}

#[test]
fn languagetool_annotation_skips_markup_but_counts_it() {
    let server = Server::start(&[]);
    let data = r#"{"annotation":[{"markup":"<p>"},{"text":"全面推行"},{"markup":"<b class=\"x\">","interpretAs":""},{"text":"两队一所"},{"markup":"</b>"},{"text":"改革。"},{"markup":"<两队一所>","interpretAs":"\n"}]}"#;
    let a = server.form("/v2/check", &[("data", data), ("language", "auto")]);
    assert_eq!(a.status, 200, "{}", a.text());
    let m = &a.json()["matches"];
    assert_eq!(m.as_array().unwrap().len(), 1, "markup is not checked: {m}");
    let original = "<p>全面推行<b class=\"x\">两队一所</b>改革。<两队一所>";
    let at = original.find("两队一所").unwrap();
    assert_eq!(
        m[0]["offset"].as_u64().unwrap() as usize,
        utf16(original, at)
    );
    assert_eq!(m[0]["length"], 4);
    assert_eq!(m[0]["replacements"][0]["value"], "两队一室");
}

#[test]
fn limits_hold() {
    // 413: declared, and streamed without a length.
    let server = Server::start(&["--max-body", "1k", "--timeout", "300ms"]);
    let big = "两队一所。".repeat(200);
    let a = server.form("/api/check", &[("text", &big)]);
    assert_eq!(a.status, 413, "{}", a.text());
    assert!(a.text().contains("1024 bytes"), "{}", a.text());
    names_the_lexicon(&a);
    let mut s = server.connect();
    write!(
        s,
        "POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    for _ in 0..4 {
        write!(s, "200\r\n{}\r\n", "a".repeat(0x200)).unwrap();
    }
    s.write_all(b"0\r\n\r\n").unwrap();
    assert_eq!(read_answer(&mut s).status, 413);
    // 504: a body that never comes, past the timeout.
    let started = Instant::now();
    let mut s = server.connect();
    write!(
        s,
        "POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n两队"
    )
    .unwrap();
    let a = read_answer(&mut s);
    assert_eq!(a.status, 504, "{}", a.text());
    assert!(started.elapsed() < Duration::from_secs(10));
    // The server goes on.
    assert_eq!(
        server.form("/api/check", &[("text", "两队一所")]).status,
        200
    );
    let metrics = server.get("/metrics").text();
    assert!(
        metrics.contains("tifa_http_rejections_total{reason=\"too_large\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tifa_http_rejections_total{reason=\"timeout\"} 1"),
        "{metrics}"
    );
}

#[test]
fn one_limit_for_the_whole_server_sheds_load() {
    let server = Server::start(&["--max-concurrent", "1"]);
    // The one permit, held: a request whose body is still coming.
    let body = "text=%E4%B8%A4%E9%98%9F%E4%B8%80%E6%89%80";
    let mut held = server.connect();
    write!(
        held,
        "POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..5]
    )
    .unwrap();
    held.flush().unwrap();
    // Every other endpoint, on other connections, is refused until then
    // (the first requests may come before the held one is admitted).
    let deadline = Instant::now() + Duration::from_secs(20);
    let refused = loop {
        let a = server.form("/v2/check", &[("text", "两队一所")]);
        if a.status == 503 {
            break a;
        }
        assert_eq!(a.status, 200);
        assert!(Instant::now() < deadline, "never refused");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(refused.header("retry-after"), Some("1"));
    names_the_lexicon(&refused);
    for path in ["/", "/api/scan", "/api/lookup?q=x"] {
        let a = if path == "/api/scan" {
            server.form(path, &[("text", "两队一所")])
        } else {
            server.get(path)
        };
        assert_eq!(a.status, 503, "{path}");
    }
    // Health and metrics are not limited.
    assert_eq!(server.get("/health").status, 200);
    assert!(
        server
            .get("/metrics")
            .text()
            .contains("tifa_http_requests_total{endpoint=\"/v2/check\",status=\"503\"}")
    );
    // The held request ends well, and frees its permit.
    held.write_all(&body.as_bytes()[5..]).unwrap();
    let a = read_answer(&mut held);
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["findings"][0]["suggestion"], "两队一室");
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.form("/v2/check", &[("text", "两队一所")]).status != 200 {
        assert!(Instant::now() < deadline, "the permit was not freed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn bad_inputs_are_400_and_the_server_goes_on() {
    let server = Server::start(&[]);
    let bad: Vec<(&str, Answer)> = vec![
        (
            "invalid UTF-8 in a form",
            server.post(
                "/v2/check",
                "application/x-www-form-urlencoded",
                b"language=zh-CN&text=%FF%FE%E4%B8",
            ),
        ),
        (
            "invalid UTF-8 declared UTF-8",
            server.post("/api/check", "text/plain; charset=utf-8", b"\xff\xfe\xe4\xb8"),
        ),
        (
            "a broken multipart form",
            server.post(
                "/api/check",
                "multipart/form-data; boundary=xyz",
                b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nno end",
            ),
        ),
        (
            "a corrupt .docx",
            server.file("/api/check", "tests/fixtures/inputs/not-a.docx"),
        ),
        (
            "a binary file",
            server.file("/api/scan", "tests/fixtures/inputs/random.bin"),
        ),
        (
            "broken annotation JSON",
            server.form("/v2/check", &[("data", "{\"annotation\": [")]),
        ),
        ("no text", server.form("/v2/check", &[("language", "zh-CN")])),
        (
            "another language",
            server.form("/v2/check", &[("text", "x"), ("language", "en-US")]),
        ),
        (
            "an unknown offset unit",
            server.form("/v2/check", &[("text", "x"), ("offsetUnit", "furlong")]),
        ),
        ("nothing to check", server.post("/api/check", "text/plain", b"")),
        (
            "an unknown annotate format",
            server.form("/api/annotate?format=pdf", &[("text", "x")]),
        ),
        (
            "an encrypted PDF",
            server.file("/api/check", "tests/fixtures/pdf/encrypted.pdf"),
        ),
        (
            "a PDF without a text layer",
            server.file("/api/scan", "tests/fixtures/pdf/no-text.pdf"),
        ),
    ];
    for (what, a) in &bad {
        assert_eq!(a.status, 400, "{what}: {}", a.text());
        names_the_lexicon(a);
        let text = a.text();
        assert!(
            text.starts_with("error: ") && text.len() > 20,
            "{what}: {text}"
        );
    }
    assert!(
        bad[3].1.text().contains("not-a.docx"),
        "{}",
        bad[3].1.text()
    );
    assert!(bad[7].1.text().contains("en-US"));
    assert!(
        bad[11]
            .1
            .text()
            .contains("encrypted.pdf: cannot read PDF: it is encrypted")
    );
    assert!(
        bad[12].1.text().contains("no text layer"),
        "{}",
        bad[12].1.text()
    );
    // A corrupt .docx on the page: the page, with the message.
    let (kind, body) = multipart(
        "not-a.docx",
        &std::fs::read("tests/fixtures/inputs/not-a.docx").unwrap(),
        &[],
    );
    let a = server.post("/", &kind, &body);
    assert_eq!(a.status, 400);
    assert!(a.text().contains("class=\"error\""));
    assert_eq!(server.get("/nowhere").status, 404);
    // Still serving.
    assert_eq!(server.get("/health").status, 200);
    let a = server.form("/v2/check", &[("text", "两队一所")]);
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json()["matches"][0]["replacements"][0]["value"],
        "两队一室"
    );
}

#[test]
fn other_addresses_need_a_token_or_public() {
    let out = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .args(["serve", "--bind", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a loopback address") && err.contains("--token"),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .args(["serve", "--bind", "not an address"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let server = Server::start(&["--token", "s3cret"]);
    let a = server.form("/v2/check", &[("text", "两队一所")]);
    assert_eq!(a.status, 401);
    assert_eq!(a.header("www-authenticate"), Some("Bearer"));
    let a = server.form("/v2/check", &[("text", "两队一所"), ("apiKey", "wrong")]);
    assert_eq!(a.status, 401);
    let a = server.form("/v2/check", &[("text", "两队一所"), ("apiKey", "s3cret")]);
    assert_eq!(a.status, 200);
    let a = server.send(
        "POST /api/check HTTP/1.1\r\nAuthorization: Bearer s3cret\r\nContent-Type: text/plain",
        "两队一所".as_bytes(),
    );
    assert_eq!(a.status, 200);
    assert_eq!(server.get("/health").status, 200);
    // The page carries the token into its forms.
    let page = server.get("/?apiKey=s3cret&text=x").text();
    assert!(page.contains("<input type=\"hidden\" name=\"apiKey\" value=\"s3cret\">"));
    assert!(page.contains("action=\"/?apiKey=s3cret\""));
    let (kind, body) = multipart("t.txt", "两队一所".as_bytes(), &[]);
    let a = server.post("/?apiKey=s3cret", &kind, &body);
    assert_eq!(a.status, 200);
    assert!(a.text().contains("<td class=\"sugg\">两队一室</td>"));
    assert_eq!(server.post("/", &kind, &body).status, 401);
}

#[test]
fn the_page_renders_without_script_and_escapes_everything() {
    let server = Server::start(&[]);
    let a = server.get("/");
    assert_eq!(a.status, 200);
    assert!(
        !a.text().contains("id=\"checks\""),
        "no results before a text"
    );
    let csp = a.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
    assert!(a.text().contains("<form class=\"input\""));
    // GET /?text= renders the findings, the fix and the annotated text.
    let text = "全面推行“两队一所”改革，落实两队一室。<script>alert(1)</script>";
    let page = server.get(&format!("/?text={}", encode(text))).text();
    assert!(page.contains("<td class=\"sugg\">两队一室</td>"), "{page}");
    assert!(page.contains("id=\"fixed\""));
    assert!(page.contains("全面推行“两队一室”改革"));
    assert!(page.contains("<mark class=\"t "));
    assert!(page.contains("role=\"tooltip\""));
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(page.matches("<script").count(), 1, "only /page.js");
    // An upload in GB18030, posted as the form does.
    let (kind, body) = multipart(
        "gb18030.txt",
        &std::fs::read("tests/fixtures/inputs/gb18030.txt").unwrap(),
        &[("text", "")],
    );
    let a = server.post("/", &kind, &body);
    assert_eq!(a.status, 200);
    assert!(a.text().contains("<h2>gb18030.txt</h2>"));
    // The fragment the script fetches.
    let a = server.form("/", &[("text", "两队一所"), ("fragment", "true")]);
    assert!(!a.text().contains("<html"));
    assert!(a.text().contains("id=\"checks\""));
    let js = server.get("/page.js");
    assert_eq!(js.status, 200);
    assert!(
        js.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
}

#[test]
fn a_timed_out_request_keeps_its_permit_until_its_work_ends() {
    // Checking 4 MB (1.4 million characters) takes far longer than 100 ms (about 0.7 s in a release
    // build, seconds in a debug one); the answer is 504 at 100 ms, but the
    // work goes on on its blocking thread, and the one permit with it.
    let server = Server::start(&[
        "--max-concurrent",
        "1",
        "--timeout",
        "100ms",
        "--max-body",
        "8M",
    ]);
    let report = std::fs::read_to_string("samples/report.txt").unwrap();
    let big: String = report.chars().cycle().take(1_400_000).collect();
    assert!(big.len() < 8 << 20);
    let a = server.post("/api/check", "text/plain; charset=utf-8", big.as_bytes());
    assert_eq!(a.status, 504, "{}", a.text());
    let a = server.form("/api/check", &[("text", "两队一所")]);
    assert_eq!(
        a.status, 503,
        "the work of the timed-out request still runs"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let a = server.form("/api/check", &[("text", "两队一所")]);
        if a.status == 200 {
            break;
        }
        assert_eq!(a.status, 503);
        assert!(Instant::now() < deadline, "the permit was never freed");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn review_gives_the_docx_back_with_comments_and_tracked_changes() {
    let server = Server::start(&[]);
    let docx = std::fs::read("tests/fixtures/inputs/report.docx").unwrap();
    let (kind, body) = multipart("report.docx", &docx, &[]);
    let a = server.post("/api/review", &kind, &body);
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    names_the_lexicon(&a);
    assert_eq!(a.header("x-tifa-changes"), Some("1"));
    assert_eq!(a.header("x-tifa-comments"), Some("1"));
    assert!(
        a.header("content-disposition")
            .unwrap()
            .contains("reviewed-report.docx")
    );
    // What `tifa review` writes (but for the date).
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(a.body.clone())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    assert_eq!(xml.matches("w:author=\"tifa\"").count(), 2, "{xml}");
    // The page offers it for a .docx with findings.
    let page = server.post("/", &kind, &body);
    assert!(page.text().contains("action=\"/api/review\""));
    // Not a .docx, or a broken one: 400, and the server goes on.
    let (kind, body) = multipart("a.txt", "两队一所".as_bytes(), &[]);
    assert_eq!(server.post("/api/review", &kind, &body).status, 400);
    let (kind, body) = multipart("b.docx", b"PK\x03\x04junk", &[]);
    let a = server.post("/api/review", &kind, &body);
    assert_eq!(a.status, 400);
    assert!(a.text().contains("not a readable .docx"), "{}", a.text());
    assert_eq!(server.get("/health").status, 200);
}
