//! Sorting one stdin line into what JSON-RPC 2.0 says to do with it: hand a valid message
//! to rmcp, answer a broken one ourselves (-32700 / -32600 / -32601, with the id when it
//! can be read and `"id": null` otherwise), or ignore it (a notification or response that
//! cannot be used gets no answer).

use rmcp::model::{ClientJsonRpcMessage, ErrorCode, RequestId};
use serde::{Deserialize, Deserializer};
use serde_json::{error::Category, value::RawValue};

/// What to do with one line.
#[derive(Debug)]
pub(super) enum Line {
    /// A valid message for rmcp.
    Forward(Box<ClientJsonRpcMessage>),
    /// An answer to write back ourselves (a serialized JSON-RPC error, or a batch of them).
    Answer(String),
    /// Nothing to answer (blank line, unusable notification or response); the reason is
    /// for the debug log.
    Ignore(&'static str),
}

/// The members that decide what a message is, read without building the document.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    jsonrpc: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    id: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    method: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    result: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    error: Option<&'a RawValue>,
}

/// `Some` for a member that is there, even when it is `null` (plain `Option` folds a
/// `null` into `None`, and `"id": null` is not the same as no id).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(deserializer).map(Some)
}

/// Sorts one line (without its newline).
pub(super) fn classify(line: &[u8]) -> Line {
    let Some(first) = line.iter().find(|b| !b.is_ascii_whitespace()) else {
        return Line::Ignore("blank line");
    };
    if let Err(err) = super::valid::check(line) {
        return parse_error(&err);
    }
    match first {
        b'{' => object(line),
        b'[' => batch(line),
        _ => Line::Answer(error(
            None,
            ErrorCode::INVALID_REQUEST,
            "Invalid request: a JSON-RPC message is an object",
        )),
    }
}

/// The answer to a line that is too long to read.
pub(super) fn too_long(limit: usize) -> String {
    error(
        None,
        ErrorCode::PARSE_ERROR,
        &format!(
            "Parse error: the line is longer than the limit of {limit} bytes \
             (setting max_line_bytes: --max-line-bytes, KOMMO_MCP_MAX_LINE_BYTES)"
        ),
    )
}

fn object(line: &[u8]) -> Line {
    let envelope: Envelope = match serde_json::from_slice(line) {
        Ok(envelope) => envelope,
        Err(err) if err.classify() == Category::Data => {
            return Line::Answer(error(
                None,
                ErrorCode::INVALID_REQUEST,
                &format!("Invalid request: {err}"),
            ));
        }
        Err(err) => return parse_error(&err),
    };
    match check(&envelope) {
        Err(answer) => Line::Answer(answer),
        Ok(Some(reason)) => Line::Ignore(reason),
        Ok(None) => match serde_json::from_slice::<ClientJsonRpcMessage>(line) {
            Ok(message) => Line::Forward(Box::new(message)),
            Err(err) if err.classify() != Category::Data => parse_error(&err),
            Err(err) => match (&envelope.method, readable_id(envelope.id)) {
                (Some(_), Some(id)) => Line::Answer(error(
                    Some(&id),
                    ErrorCode::INVALID_PARAMS,
                    &format!("Invalid params: {err}"),
                )),
                (Some(_), None) => Line::Ignore("a notification that cannot be read"),
                (None, _) => Line::Ignore("a response that cannot be read"),
            },
        },
    }
}

/// The envelope rules JSON-RPC 2.0 states; `Err` is the answer to send, `Ok(Some)` a
/// message to ignore, `Ok(None)` one to parse in full.
fn check(envelope: &Envelope) -> Result<Option<&'static str>, String> {
    let id = readable_id(envelope.id);
    let invalid = |id: Option<&RequestId>, why: &str| {
        error(
            id,
            ErrorCode::INVALID_REQUEST,
            &format!("Invalid request: {why}"),
        )
    };
    if envelope.jsonrpc.map(RawValue::get) != Some(r#""2.0""#) {
        return Err(invalid(id.as_ref(), r#""jsonrpc" must be "2.0""#));
    }
    let Some(method) = envelope.method else {
        return match (envelope.result.is_some(), envelope.error.is_some()) {
            (true, false) | (false, true) if envelope.id.is_some() => Ok(None),
            _ => Err(invalid(
                id.as_ref(),
                r#"a message needs "method" (a request or notification) or one of "result" and "error" with an "id" (a response)"#,
            )),
        };
    };
    let Ok(method) = serde_json::from_str::<&str>(method.get()) else {
        return Err(invalid(id.as_ref(), r#""method" must be a string"#));
    };
    if envelope.result.is_some() || envelope.error.is_some() {
        return Err(invalid(
            id.as_ref(),
            r#"a request has no "result" or "error""#,
        ));
    }
    match (envelope.id, id) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(invalid(None, r#""id" must be a string or an integer"#)),
        (Some(_), Some(id)) if method.starts_with("notifications/") => Err(error(
            Some(&id),
            ErrorCode::METHOD_NOT_FOUND,
            &format!("Method not found: {method} is a notification, and a request with an id"),
        )),
        (Some(_), Some(_)) => Ok(None),
    }
}

fn batch(line: &[u8]) -> Line {
    let items: Vec<&RawValue> = match serde_json::from_slice(line) {
        Ok(items) => items,
        Err(err) => return parse_error(&err),
    };
    if items.is_empty() {
        return Line::Answer(error(
            None,
            ErrorCode::INVALID_REQUEST,
            "Invalid request: an empty batch",
        ));
    }
    // MCP dropped JSON-RPC batches (2025-06-18); each request in one still gets an answer.
    let answers: Vec<String> = items
        .iter()
        .filter_map(|item| {
            let envelope = serde_json::from_str::<Envelope>(item.get()).ok();
            let is_response = envelope
                .as_ref()
                .is_some_and(|e| e.method.is_none() && (e.result.is_some() || e.error.is_some()));
            let is_notification = envelope
                .as_ref()
                .is_some_and(|e| e.method.is_some() && e.id.is_none());
            if is_response || is_notification {
                return None;
            }
            let id = envelope.and_then(|e| readable_id(e.id));
            Some(error(
                id.as_ref(),
                ErrorCode::INVALID_REQUEST,
                "Invalid request: batches are not supported (MCP removed them in 2025-06-18); send each message on its own line",
            ))
        })
        .collect();
    if answers.is_empty() {
        return Line::Ignore("a batch of notifications and responses");
    }
    Line::Answer(format!("[{}]", answers.join(",")))
}

/// The id as rmcp reads it (a string or an integer), if it can be read.
fn readable_id(raw: Option<&RawValue>) -> Option<RequestId> {
    raw.and_then(|raw| serde_json::from_str(raw.get()).ok())
}

fn parse_error(err: &serde_json::Error) -> Line {
    Line::Answer(error(
        None,
        ErrorCode::PARSE_ERROR,
        &format!("Parse error: {err}"),
    ))
}

/// A JSON-RPC error answer; it always has an `id` member (`null` when unknown).
pub(super) fn error(id: Option<&RequestId>, code: ErrorCode, message: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code.0, "message": message },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(line: &str) -> serde_json::Value {
        match classify(line.as_bytes()) {
            Line::Answer(text) => serde_json::from_str(&text).unwrap(),
            other => panic!("{line}: expected an answer, got {other:?}"),
        }
    }

    fn code_and_id(line: &str) -> (i64, serde_json::Value) {
        let value = answer(line);
        assert!(value.get("id").is_some(), "{line}: no id member in {value}");
        (
            value["error"]["code"].as_i64().unwrap(),
            value["id"].clone(),
        )
    }

    #[test]
    fn unreadable_lines_are_parse_errors_with_a_null_id() {
        for line in [
            r#"{"jsonrpc":"2.0","id":"\udfff","method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":-1e400,"method":"ping"}"#,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"",
            "not json",
        ] {
            assert_eq!(
                code_and_id(line),
                (-32700, serde_json::Value::Null),
                "{line}"
            );
        }
        let bad_utf8 = classify(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}");
        assert!(
            matches!(&bad_utf8, Line::Answer(text) if text.contains("-32700")),
            "{bad_utf8:?}"
        );
        let deep = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"x":{}{}}}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        assert_eq!(code_and_id(&deep).0, -32700);
    }

    #[test]
    fn invalid_requests_keep_a_readable_id() {
        assert_eq!(
            code_and_id(r#"{"jsonrpc":"1.0","id":7,"method":"ping"}"#),
            (-32600, serde_json::json!(7))
        );
        assert_eq!(
            code_and_id(r#"{"jsonrpc":"2.0","id":0.5,"method":"ping"}"#),
            (-32600, serde_json::Value::Null)
        );
        assert_eq!(code_and_id("5"), (-32600, serde_json::Value::Null));
        assert_eq!(
            code_and_id(r#"{"jsonrpc":"2.0","id":"a","method":3}"#),
            (-32600, serde_json::json!("a"))
        );
        assert_eq!(
            code_and_id(r#"{"jsonrpc":"2.0","id":4,"method":"notifications/unknown","params":[]}"#),
            (-32601, serde_json::json!(4))
        );
    }

    #[test]
    fn batches_answer_each_request() {
        let value = answer(
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},2]"#,
        );
        let ids: Vec<_> = value
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].clone())
            .collect();
        assert_eq!(ids, [serde_json::json!(1), serde_json::Value::Null]);
        assert_eq!(code_and_id("[]"), (-32600, serde_json::Value::Null));
    }

    #[test]
    fn valid_messages_go_to_rmcp() {
        for line in [
            r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":{}}"#,
        ] {
            assert!(
                matches!(classify(line.as_bytes()), Line::Forward(_)),
                "{line}"
            );
        }
        assert!(matches!(classify(b"  \r"), Line::Ignore(_)));
    }
}
