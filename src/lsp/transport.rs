//! JSON-RPC over a byte stream with `Content-Length` framing.
//!
//! A reader thread turns the input into [`Incoming`] values; the server
//! answers on its own thread. Unlike `lsp_server`'s stdio transport, a
//! malformed message does not end the connection: it becomes
//! [`Incoming::Invalid`], which the server answers with a JSON-RPC error
//! (`ParseError` for bytes that are not JSON, `InvalidRequest` for JSON
//! that is not a message).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::sync::mpsc::{Receiver, Sender, channel};

use lsp_server::{ErrorCode, Message, RequestId, Response, ResponseError};
use serde_json::Value;

/// What the reader thread hands the server.
#[derive(Debug)]
pub(crate) enum Incoming {
    /// A well-formed message.
    Message(Message),
    /// Something that is not a message; answered with this error, for
    /// this id (`null` when unknown).
    Invalid(Option<RequestId>, ResponseError),
    /// The input ended (or could not be read any more).
    Closed,
}

/// Starts a thread that reads messages from `input` until it ends.
pub(crate) fn reader(input: impl Read + Send + 'static) -> Receiver<Incoming> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut input = BufReader::new(input);
        read_all(&mut input, &tx);
        let _ = tx.send(Incoming::Closed);
    });
    rx
}

/// The most a header block may hold (its lines together, line endings
/// included): a header is a line or two of a few dozen bytes.
pub(crate) const MAX_HEADER: usize = 8 * 1024;

/// The largest body read: a document of 64 MiB is far past any text tifa is
/// meant for. A larger message is answered with an error and skipped, in
/// bounded memory.
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;

/// One frame of the input.
#[derive(Debug)]
enum Frame {
    /// A body of the length its header gave.
    Body(Vec<u8>),
    /// A header block without a usable `Content-Length`.
    BadHeader(String),
    /// A `Content-Length` past [`MAX_BODY`]: the body is skipped.
    TooLarge(usize),
    /// A header block longer than [`MAX_HEADER`]: the stream cannot be
    /// followed any more.
    HeaderTooLong,
}

fn read_all(input: &mut impl BufRead, tx: &Sender<Incoming>) {
    loop {
        let incoming = match read_frame(input) {
            Ok(Some(Frame::Body(body))) => parse(&body),
            Ok(Some(Frame::BadHeader(problem))) => invalid(None, ErrorCode::ParseError, problem),
            Ok(Some(Frame::TooLarge(length))) => {
                let problem = format!(
                    "a message of {length} bytes is larger than the limit of {MAX_BODY} bytes \
                     (64 MiB); it is skipped"
                );
                if tx
                    .send(invalid(None, ErrorCode::InvalidRequest, problem))
                    .is_err()
                {
                    return;
                }
                // Read past the body without keeping it.
                let skip = u64::try_from(length).unwrap_or(u64::MAX);
                match io::copy(&mut input.take(skip), &mut io::sink()) {
                    Ok(n) if n == skip => continue,
                    _ => return,
                }
            }
            Ok(Some(Frame::HeaderTooLong)) => {
                let problem = format!(
                    "a header longer than the limit of {MAX_HEADER} bytes; closing the connection"
                );
                let _ = tx.send(invalid(None, ErrorCode::ParseError, problem));
                return;
            }
            Ok(None) | Err(_) => return,
        };
        let exit =
            matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        if tx.send(incoming).is_err() || exit {
            return;
        }
    }
}

/// Reads one frame: `Ok(None)` at the end of the input. Never holds more
/// than [`MAX_HEADER`] bytes of header or [`MAX_BODY`] bytes of body.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    let mut header = 0;
    loop {
        let mut line = Vec::new();
        let left = u64::try_from(MAX_HEADER - header).unwrap_or(u64::MAX);
        let n = input.take(left).read_until(b'\n', &mut line)?;
        if n == 0 && header < MAX_HEADER {
            return Ok(None);
        }
        if !line.ends_with(b"\n") {
            if header + n >= MAX_HEADER {
                return Ok(Some(Frame::HeaderTooLong));
            }
            // The input ended inside a header line.
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between messages are tolerated.
            continue;
        }
        header += n;
        saw_header = true;
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value
                    .trim()
                    .parse()
                    .map_err(|_| format!("invalid Content-Length `{}`", value.trim())),
            );
        }
    }
    let length = match length {
        Some(Ok(n)) if n > MAX_BODY => return Ok(Some(Frame::TooLarge(n))),
        Some(Ok(n)) => n,
        Some(Err(e)) => return Ok(Some(Frame::BadHeader(e))),
        None => {
            return Ok(Some(Frame::BadHeader(
                "a message without Content-Length".into(),
            )));
        }
    };
    let mut body = Vec::new();
    input
        .take(u64::try_from(length).unwrap_or(u64::MAX))
        .read_to_end(&mut body)?;
    if body.len() < length {
        return Ok(None);
    }
    Ok(Some(Frame::Body(body)))
}

/// A body as a message, or the error that answers it.
fn parse(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return invalid(None, ErrorCode::ParseError, e.to_string()),
    };
    let id = value
        .get("id")
        .and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
    let shaped = value.is_object()
        && (value.get("method").is_some_and(Value::is_string)
            || value.get("result").is_some()
            || value.get("error").is_some());
    match shaped.then(|| serde_json::from_value::<Message>(value)) {
        Some(Ok(m)) => Incoming::Message(m),
        Some(Err(e)) => invalid(id, ErrorCode::InvalidRequest, e.to_string()),
        None => invalid(
            id,
            ErrorCode::InvalidRequest,
            "not a JSON-RPC request, response or notification".into(),
        ),
    }
}

fn invalid(id: Option<RequestId>, code: ErrorCode, message: String) -> Incoming {
    Incoming::Invalid(id, response_error(code, message))
}

/// An error of a JSON-RPC response.
pub(crate) fn response_error(code: ErrorCode, message: String) -> ResponseError {
    ResponseError {
        code: code as i32,
        message,
        data: None,
    }
}

/// An error response.
pub(crate) fn error(id: RequestId, code: ErrorCode, message: String) -> Response {
    Response {
        id,
        response_result: Err(response_error(code, message)),
    }
}

/// Writes one message with its header and flushes.
pub(crate) fn send(out: &mut dyn Write, message: impl Into<Message>) -> io::Result<()> {
    let value = serde_json::to_value(message.into()).map_err(io::Error::other)?;
    write_value(out, value)
}

/// Writes a notification whose parameters are serialized straight into its
/// body, without a tree of values in between: the same bytes as [`send`]
/// when `params` serializes its maps with their keys in order.
pub(crate) fn send_notification(
    out: &mut dyn Write,
    method: &str,
    params: &impl serde::Serialize,
) -> io::Result<()> {
    let method = serde_json::to_string(method).map_err(io::Error::other)?;
    let params = serde_json::to_string(params).map_err(io::Error::other)?;
    let body = format!(r#"{{"jsonrpc":"2.0","method":{method},"params":{params}}}"#);
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

/// Writes the answer to something that was not a message: an error with
/// the id, or `"id": null` when the id is unknown.
pub(crate) fn send_invalid(
    out: &mut dyn Write,
    id: Option<RequestId>,
    error: ResponseError,
) -> io::Result<()> {
    let value = serde_json::json!({ "id": id, "error": error });
    write_value(out, value)
}

fn write_value(out: &mut dyn Write, mut value: Value) -> io::Result<()> {
    if let Some(map) = value.as_object_mut() {
        map.insert("jsonrpc".into(), Value::from("2.0"));
    }
    let body = serde_json::to_string(&value).map_err(io::Error::other)?;
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Incoming> {
        let (tx, rx) = channel();
        read_all(&mut io::Cursor::new(input.as_bytes().to_vec()), &tx);
        drop(tx);
        rx.into_iter().collect()
    }

    #[test]
    fn malformed_input_is_answered_and_reading_goes_on() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let input = format!(
            "Content-Length: 5\r\n\r\n{{oops\
             Content-Length: 2\r\n\r\n[]\
             X-Other: 1\r\n\r\n\
             Content-Length: {}\r\n\r\n{ok}",
            ok.len()
        );
        let got = frames(&input);
        assert_eq!(got.len(), 4, "{got:?}");
        let code = |i: &Incoming| match i {
            Incoming::Invalid(_, e) => Some(e.code),
            _ => None,
        };
        assert_eq!(code(&got[0]), Some(ErrorCode::ParseError as i32));
        assert_eq!(code(&got[1]), Some(ErrorCode::InvalidRequest as i32));
        assert_eq!(code(&got[2]), Some(ErrorCode::ParseError as i32));
        assert!(
            matches!(&got[3], Incoming::Message(Message::Request(r)) if r.method == "shutdown")
        );
    }

    /// A `Content-Length` past the limit is answered and its body skipped;
    /// the next message is read. A header line past the limit ends the
    /// connection after an error.
    #[test]
    fn limits() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let big = MAX_BODY + 1;
        let input = format!(
            "Content-Length: {big}\r\n\r\n{}Content-Length: {}\r\n\r\n{ok}",
            " ".repeat(big),
            ok.len()
        );
        let got = frames(&input);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            matches!(&got[0], Incoming::Invalid(None, e) if e.code == ErrorCode::InvalidRequest as i32
                && e.message.contains("67108865 bytes")),
            "{got:?}"
        );
        assert!(
            matches!(&got[1], Incoming::Message(Message::Request(r)) if r.method == "shutdown")
        );
        // A header line of the limit without a line end; a header block
        // of many short lines past the limit.
        let long = "x".repeat(MAX_HEADER);
        let many = "X-Other: 1\r\n".repeat(MAX_HEADER / 10);
        for input in [long, many] {
            let got = frames(&format!("{input}\r\n\r\n{ok}"));
            assert_eq!(got.len(), 1, "{got:?}");
            assert!(
                matches!(&got[0], Incoming::Invalid(None, e) if e.code == ErrorCode::ParseError as i32
                    && e.message.contains("8192 bytes")),
                "{got:?}"
            );
        }
        // A block of the limit, its blank line included, is read; one byte
        // more is not.
        let header = format!("Content-Length: {}\r\n", ok.len());
        for (extra, read) in [(0, true), (1, false)] {
            let filler = "y".repeat(MAX_HEADER - header.len() - 7 + extra);
            let block = format!("X: {filler}\r\n{header}\r\n");
            assert_eq!(block.len(), MAX_HEADER + extra);
            let got = frames(&format!("{block}{ok}"));
            assert_eq!(matches!(&got[..], [Incoming::Message(_)]), read, "{got:?}");
        }
    }

    #[test]
    fn unknown_id_is_null() {
        let mut out = Vec::new();
        let e = response_error(ErrorCode::ParseError, "x".into());
        send_invalid(&mut out, None, e).unwrap();
        let text = String::from_utf8(out).unwrap();
        let body: Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        assert_eq!(body["id"], Value::Null);
        assert_eq!(body["error"]["code"], -32700);
        assert_eq!(body["jsonrpc"], "2.0");
    }
}
