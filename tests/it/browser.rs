//! The HTML report in a real browser: headless Chromium driven through
//! chromedriver's WebDriver HTTP API (a few requests on loopback, written
//! here with std only). Checks through the DOM that a term shows its
//! definition when hovered, focused with Tab or tapped, and that no script
//! or event handler from the documents runs; saves screenshots of the page
//! (desktop and phone width) as target/report-screenshot*.png.
//!
//! Skipped, with a message, only when Chromium is not installed; `.ci/run`
//! installs it, so CI runs this for real.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tifa::cli::ExitStatus;
use tifa::lexicon::Lexicon;

use crate::tifa;

/// The WebDriver name of an element reference in JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// A running chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request to the driver on loopback; the JSON answer and
/// whether the status was 2xx.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> (bool, Value) {
    try_http(port, method, path, body)
        .unwrap_or_else(|e| panic!("{method} {path} to chromedriver: {e}"))
}

/// [`http`], with a connection the driver refuses or resets (while it is
/// still starting) as an error.
fn try_http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> std::io::Result<(bool, Value)> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // chromedriver may keep the connection open: read the head, then as
    // many bytes as it announces.
    let mut raw = Vec::new();
    let mut buf = [0; 8192];
    let split = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = read_some(&mut stream, &mut buf)?;
        if n == 0 {
            return Err(std::io::Error::other("closed the connection"));
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut payload = raw[split + 4..].to_vec();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let done = match length {
            Some(n) => payload.len() >= n,
            None if chunked => payload.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = read_some(&mut stream, &mut buf)?;
        if n == 0 {
            break;
        }
        payload.extend_from_slice(&buf[..n]);
    }
    if chunked {
        payload = unchunk(&payload);
    }
    let ok = head
        .split(' ')
        .nth(1)
        .is_some_and(|code| code.starts_with('2'));
    let value = serde_json::from_slice(&payload).unwrap_or(Value::Null);
    Ok((ok, value))
}

/// One `read`, again when a signal interrupts it (the test harness's
/// other threads start and reap processes).
fn read_some(stream: &mut TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match stream.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            read => return read,
        }
    }
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=' && c != b'\n').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n: u32 = 0;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(value(c)) << (18 - 6 * i);
        }
        let [_, a, b, c] = n.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..chunk.len() - 1]);
    }
    out
}

/// A WebDriver session in headless Chromium.
struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

impl Session<'_> {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (ok, v) = http(
            self.driver.port,
            method,
            &format!("/session/{}{path}", self.id),
            body.as_ref(),
        );
        assert!(ok, "{method} {path}: {v}");
        v["value"].clone()
    }

    fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    fn find(&self, css: &str) -> Value {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        json!({ ELEMENT: v[ELEMENT] })
    }

    fn tip_visibility(&self, mark: &Value) -> String {
        self.script(
            "return getComputedStyle(arguments[0].querySelector('.tip')).visibility",
            json!([mark]),
        )
        .as_str()
        .unwrap()
        .to_owned()
    }

    fn screenshot(&self, width: u32, height: u32, path: &Path) {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        );
        let png = self.call("GET", "/screenshot", None);
        std::fs::write(path, base64_decode(png.as_str().unwrap())).unwrap();
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = http(
            self.driver.port,
            "DELETE",
            &format!("/session/{}", self.id),
            None,
        );
    }
}

/// Chromium and chromedriver, or `None` (with the message printed) when
/// Chromium is not installed.
fn find_browser() -> Option<(PathBuf, PathBuf)> {
    let Some(chromium) = find_program(&["chromium", "chromium-browser"]) else {
        println!("SKIPPED: chromium not installed (apt-get install chromium chromium-driver)");
        return None;
    };
    let Some(chromedriver) = find_program(&["chromedriver"]) else {
        // .ci/run installs both: there, a missing driver is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is installed but chromedriver is not: apt-get install chromium-driver"
        );
        println!(
            "SKIPPED: chromium is installed but chromedriver is not (apt-get install chromium-driver)"
        );
        return None;
    };
    Some((chromium, chromedriver))
}

/// Starts chromedriver on a free port and waits until it is ready.
fn start_driver(chromedriver: &Path) -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver {
        child: Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
        port,
    };
    let start = Instant::now();
    // Listening is not ready: a starting driver may reset the connection.
    while !try_http(port, "GET", "/status", None).is_ok_and(|(_, v)| v["value"]["ready"] == true) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    driver
}

/// A headless Chromium session with its profile in `profile`.
fn new_session<'a>(driver: &'a Driver, chromium: &Path, profile: &Path) -> Session<'a> {
    let (ok, created) = http(
        driver.port,
        "POST",
        "/session",
        Some(&json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}})),
    );
    assert!(ok, "no browser session: {created}");
    Session {
        driver,
        id: created["value"]["sessionId"].as_str().unwrap().to_owned(),
    }
}

#[test]
fn report_in_chromium() {
    let Some((chromium, chromedriver)) = find_browser() else {
        return;
    };

    // The report: a document full of markup, and an ordinary one.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let (status, out, err) = tifa(&[
        "report",
        "tests/fixtures/report/xss.txt",
        "samples/wrapped.txt",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(status, ExitStatus::Success, "{out}{err}");

    let driver = start_driver(&chromedriver);
    let port = driver.port;
    let profile = tempfile::tempdir().unwrap();
    let session = new_session(&driver, &chromium, profile.path());
    let url = format!("file://{}", page.display());
    session.call("POST", "/url", Some(json!({ "url": url })));

    // No script from the documents ran, and their markup shows as text.
    let (ok, alert) = http(
        port,
        "GET",
        &format!("/session/{}/alert/text", session.id),
        None,
    );
    assert!(!ok, "an alert is open: {alert}");
    let state = session.script(
        "return {
            title: document.title,
            pwned: window.pwned === undefined ? null : window.pwned,
            scripts: document.querySelectorAll('script').length,
            injected: document.querySelectorAll('.text img, .text a, .text script').length,
            text: document.querySelector('#doc-1 .text').textContent,
        }",
        json!([]),
    );
    assert_eq!(state["pwned"], Value::Null, "{state}");
    assert_eq!(state["scripts"], 0, "{state}");
    assert_eq!(state["injected"], 0, "{state}");
    assert!(state["title"].as_str().unwrap().contains("tifa"), "{state}");
    let text = state["text"].as_str().unwrap();
    assert!(text.contains("<script>document.title='pwned'"), "{text}");
    assert!(text.contains("<img src=x onerror="), "{text}");

    let lexicon = Lexicon::embedded().unwrap();
    let definition_of = |mark: &Value| {
        let id = session.script("return arguments[0].dataset.id", json!([mark]));
        lexicon
            .get(id.as_str().unwrap())
            .unwrap()
            .definition
            .clone()
    };
    let tip_text = |mark: &Value| {
        session
            .script(
                "return arguments[0].querySelector('.tip').innerText",
                json!([mark]),
            )
            .as_str()
            .unwrap()
            .to_owned()
    };

    // Hover: the first term's tooltip appears with its definition.
    let first = session.find("#doc-1 mark.t");
    assert_eq!(session.tip_visibility(&first), "hidden");
    session.call(
        "POST",
        "/actions",
        Some(json!({"actions": [{"type": "pointer", "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": [{"type": "pointerMove", "duration": 0, "origin": first, "x": 0, "y": 0}]}]})),
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(session.tip_visibility(&first), "visible");
    assert!(tip_text(&first).contains(&definition_of(&first)));

    // Away, then Tab: the first term gets the focus and shows its tooltip.
    session.call(
        "POST",
        "/actions",
        Some(json!({"actions": [{"type": "pointer", "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": [{"type": "pointerMove", "duration": 0, "origin": "viewport", "x": 1, "y": 1}]}]})),
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(session.tip_visibility(&first), "hidden");
    session.call(
        "POST",
        "/actions",
        Some(json!({"actions": [{"type": "key", "id": "keyboard",
            "actions": [{"type": "keyDown", "value": "\u{E004}"}, {"type": "keyUp", "value": "\u{E004}"}]}]})),
    );
    std::thread::sleep(Duration::from_millis(300));
    let focused = session.script(
        "return document.activeElement === arguments[0]",
        json!([first]),
    );
    assert_eq!(focused, true, "Tab does not reach the first term");
    assert_eq!(session.tip_visibility(&first), "visible");

    // Tap (click) another term: it takes the focus and shows its tooltip.
    let other = session.find("#doc-2 mark.t:nth-of-type(3)");
    session.call(
        "POST",
        &format!("/element/{}/click", other[ELEMENT].as_str().unwrap()),
        Some(json!({})),
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(session.tip_visibility(&other), "visible");
    assert!(tip_text(&other).contains(&definition_of(&other)));
    assert_eq!(session.tip_visibility(&first), "hidden");

    // Screenshots to look at, with a tooltip open.
    let target = Path::new(env!("CARGO_BIN_EXE_tifa"))
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf();
    session.screenshot(1280, 1000, &target.join("report-screenshot.png"));
    session.screenshot(390, 844, &target.join("report-screenshot-phone.png"));
    let narrow = session.script(
        "return document.documentElement.scrollWidth <= window.innerWidth",
        json!([]),
    );
    assert_eq!(narrow, true, "the page scrolls sideways on a phone");
}

/// `tifa serve`'s page in Chromium: typed text is checked as you type (the
/// script), the form posts without it, an upload is read, findings show
/// their suggestions, and terms show their definitions on hover and focus.
#[test]
fn serve_page_in_chromium() {
    let Some((chromium, chromedriver)) = find_browser() else {
        return;
    };
    let server = crate::serve::Server::start(&[]);
    let driver = start_driver(&chromedriver);
    let profile = tempfile::tempdir().unwrap();
    let session = new_session(&driver, &chromium, profile.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    session.call("POST", "/url", Some(json!({ "url": format!("{base}/") })));
    let wait_for = |script: &str, what: &str| {
        let start = Instant::now();
        loop {
            if session.script(script, json!([])) == true {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "never: {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };

    // Typing: the script checks the text, with no submit.
    let text = session.find("#text");
    let typed = "全面推行“两队一所”改革，坚持省级主责、市县主战、派出所主防。";
    session.call(
        "POST",
        &format!("/element/{}/value", text[ELEMENT].as_str().unwrap()),
        Some(json!({ "text": typed })),
    );
    wait_for(
        "return !!document.querySelector('#checks td.sugg')",
        "findings after typing",
    );
    let state = session.script(
        "return {
            url: location.pathname,
            suggestion: document.querySelector('#checks td.sugg').textContent,
            fixed: document.querySelector('#fixed').value,
            spans: document.querySelector('#n-spans').textContent,
            scripts: document.querySelectorAll('script').length,
        }",
        json!([]),
    );
    assert_eq!(state["url"], "/", "{state}");
    assert_eq!(state["suggestion"], "两队一室", "{state}");
    assert!(
        state["fixed"].as_str().unwrap().contains("“两队一室”改革"),
        "{state}"
    );
    assert_eq!(state["scripts"], 1, "{state}");

    // Hover and focus show the definition of a term.
    let lexicon = Lexicon::embedded().unwrap();
    let mark = session.find("#doc-1 mark.t");
    let id = session.script("return arguments[0].dataset.id", json!([mark]));
    let definition = lexicon
        .get(id.as_str().unwrap())
        .unwrap()
        .definition
        .clone();
    assert_eq!(session.tip_visibility(&mark), "hidden");
    session.call(
        "POST",
        "/actions",
        Some(json!({"actions": [{"type": "pointer", "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": [{"type": "pointerMove", "duration": 0, "origin": mark, "x": 0, "y": 0}]}]})),
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(session.tip_visibility(&mark), "visible");
    let tip = session.script(
        "return arguments[0].querySelector('.tip').innerText",
        json!([mark]),
    );
    assert!(tip.as_str().unwrap().contains(&definition), "{tip}");
    session.call(
        "POST",
        "/actions",
        Some(json!({"actions": [{"type": "pointer", "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": [{"type": "pointerMove", "duration": 0, "origin": "viewport", "x": 1, "y": 1}]}]})),
    );
    std::thread::sleep(Duration::from_millis(300));
    session.script("arguments[0].focus()", json!([mark]));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(session.tip_visibility(&mark), "visible");

    // Submitting the form: the server renders the same (no script needed).
    let submit = session.find("#submit");
    session.call(
        "POST",
        &format!("/element/{}/click", submit[ELEMENT].as_str().unwrap()),
        Some(json!({})),
    );
    wait_for(
        "return document.readyState === 'complete' && !!document.querySelector('#checks td.sugg') && document.querySelector('#text').value.length > 0",
        "the posted page",
    );
    assert_eq!(
        session.script("return document.querySelector('#text').value", json!([])),
        typed
    );

    // Uploading a Word document.
    session.script("document.querySelector('#text').value = ''", json!([]));
    let file = session.find("#file");
    let docx = std::fs::canonicalize("tests/fixtures/inputs/report.docx").unwrap();
    session.call(
        "POST",
        &format!("/element/{}/value", file[ELEMENT].as_str().unwrap()),
        Some(json!({ "text": docx.to_str().unwrap() })),
    );
    let submit = session.find("#submit");
    session.call(
        "POST",
        &format!("/element/{}/click", submit[ELEMENT].as_str().unwrap()),
        Some(json!({})),
    );
    wait_for(
        "return !!document.querySelector('#counts h2') && document.querySelector('#counts h2').textContent === 'report.docx'",
        "the uploaded document",
    );
    let spans = session.script(
        "return Number(document.querySelector('#n-spans').textContent)",
        json!([]),
    );
    assert!(spans.as_u64().unwrap() > 0, "{spans}");

    let target = Path::new(env!("CARGO_BIN_EXE_tifa"))
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf();
    session.screenshot(1280, 1000, &target.join("serve-screenshot.png"));
}
