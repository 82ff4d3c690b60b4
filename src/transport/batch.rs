//! JSON-RPC batches on `/mcp`, for sessions that negotiated 2025-03-26 (the one revision
//! of streamable HTTP that has them): each message is answered as if posted alone, the
//! answers come back together as one JSON array, and a batch of only notifications and
//! responses gets 202.

use axum::{
    Json,
    body::{Body, Bytes},
    extract::Request,
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use futures::future::join_all;
use serde_json::{Value, value::RawValue};

use super::{malformed, reply::code};

/// Protocol revisions whose sessions may send batches.
pub(super) fn revision_has_batches(version: &str) -> bool {
    matches!(version, "2024-11-05" | "2025-03-26")
}

/// Answers the batch `body`: each element goes through `answer_one` (which answers one
/// message with JSON, as the bare path does).
pub(super) async fn answer<F, Fut>(parts: &Parts, body: &Bytes, answer_one: F) -> Response
where
    F: Fn(Request) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let elements = match serde_json::from_slice::<Vec<Box<RawValue>>>(body) {
        Ok(elements) if !elements.is_empty() => elements,
        Ok(_) => return malformed::refusal(b"", code::INVALID_REQUEST, "the batch is empty"),
        Err(_) => return malformed::not_a_message(body),
    };
    let answers = join_all(elements.iter().map(|element| {
        let mut head = Request::new(Body::empty());
        *head.method_mut() = parts.method.clone();
        *head.uri_mut() = parts.uri.clone();
        *head.headers_mut() = parts.headers.clone();
        *head.extensions_mut() = parts.extensions.clone();
        let (head, _) = head.into_parts();
        let message = Bytes::copy_from_slice(element.get().as_bytes());
        let future = answer_one(Request::from_parts(head, Body::from(message)));
        async move { one_answer(future.await, element.get().as_bytes()).await }
    }))
    .await;
    let answers: Vec<Value> = answers.into_iter().flatten().collect();
    if answers.is_empty() {
        return StatusCode::ACCEPTED.into_response();
    }
    Json(Value::Array(answers)).into_response()
}

/// The JSON answer in `response` to `message`, if it has one (a notification has none).
async fn one_answer(response: Response, message: &[u8]) -> Option<Value> {
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .ok()?;
    if status == StatusCode::ACCEPTED || bytes.is_empty() {
        return None;
    }
    serde_json::from_slice(&bytes).ok().or_else(|| {
        Some(super::reply::error_body(
            malformed::id_of(message),
            code::INVALID_REQUEST,
            String::from_utf8_lossy(&bytes).into_owned(),
        ))
    })
}
