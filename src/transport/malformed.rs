//! JSON-RPC answers for `/mcp` messages rmcp cannot take as they are: a body that is not
//! a JSON-RPC message (rmcp says 415 in plain text; JSON-RPC wants an error object with
//! `"id"`), a batch where the negotiated revision has none, and a second `initialize`.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::Value;

use super::reply::{code, error_body};

/// The id of `body` if it is a JSON object whose `id` is one JSON-RPC allows (a string or
/// an integer), else `null`.
pub(super) fn id_of(body: &[u8]) -> Value {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut members)) => match members.remove("id") {
            Some(id @ Value::String(_)) => id,
            Some(Value::Number(number)) if number.is_i64() || number.is_u64() => {
                Value::Number(number)
            }
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

/// 400 with a JSON-RPC error answering the request in `body` (or `null`).
pub(super) fn refusal(body: &[u8], code: i64, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(error_body(id_of(body), code, message)),
    )
        .into_response()
}

/// The answer to a body rmcp refused as no JSON-RPC message: a parse error when it is not
/// JSON at all, an invalid request otherwise.
pub(super) fn not_a_message(body: &[u8]) -> Response {
    if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err() {
        return refusal(body, code::PARSE_ERROR, "the body is not JSON");
    }
    refusal(
        body,
        code::INVALID_REQUEST,
        "the body is not a JSON-RPC message",
    )
}

/// Whether `body` is a JSON array (a JSON-RPC batch).
pub(super) fn is_batch(body: &[u8]) -> bool {
    body.iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|&byte| byte == b'[')
}

/// The refusal of a batch where the protocol revision has none (every revision since
/// 2025-06-18, and any request outside a session that negotiated an older one).
pub(super) fn batch_refused() -> Response {
    refusal(
        b"",
        code::INVALID_REQUEST,
        "JSON-RPC batches are accepted only in a session that negotiated protocol 2025-03-26; send one message per request",
    )
}

/// The refusal of an `initialize` inside a session that has already been initialized.
pub(super) fn second_initialize(body: &[u8]) -> Response {
    refusal(
        body,
        code::INVALID_REQUEST,
        "this session is already initialized: send initialize without Mcp-Session-Id to open a new one",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_kept_when_json_rpc_allows_it_and_null_otherwise() {
        assert_eq!(id_of(br#"{"id":7,"method":1}"#), Value::from(7));
        assert_eq!(id_of(br#"{"id":"a"}"#), Value::from("a"));
        assert_eq!(id_of(br#"{"id":0.5}"#), Value::Null);
        assert_eq!(id_of(br#"{"id":[1]}"#), Value::Null);
        assert_eq!(id_of(b"{nope"), Value::Null);
        assert_eq!(id_of(b"[1]"), Value::Null);
    }

    #[test]
    fn a_batch_is_an_array_after_any_whitespace() {
        assert!(is_batch(b" \n[{}]"));
        assert!(!is_batch(br#"{"a":[1]}"#));
        assert!(!is_batch(b""));
    }
}
