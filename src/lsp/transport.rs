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

fn read_all(input: &mut impl BufRead, tx: &Sender<Incoming>) {
    loop {
        let incoming = match read_frame(input) {
            Ok(Some(Ok(body))) => parse(&body),
            Ok(Some(Err(problem))) => invalid(None, ErrorCode::ParseError, problem),
            Ok(None) | Err(_) => return,
        };
        let exit =
            matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        if tx.send(incoming).is_err() || exit {
            return;
        }
    }
}

/// Reads one frame: `Ok(None)` at the end of the input, `Ok(Some(Err))`
/// for a header block without a usable `Content-Length`.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Result<Vec<u8>, String>>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line)? == 0 {
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
        Some(Ok(n)) => n,
        Some(Err(e)) => return Ok(Some(Err(e))),
        None => return Ok(Some(Err("a message without Content-Length".into()))),
    };
    let mut body = Vec::new();
    input
        .take(u64::try_from(length).unwrap_or(u64::MAX))
        .read_to_end(&mut body)?;
    if body.len() < length {
        return Ok(None);
    }
    Ok(Some(Ok(body)))
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
