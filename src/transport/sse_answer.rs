//! What rmcp's stateless service answered to one legacy-SSE request, as the JSON-RPC
//! messages to put on the session's stream. A JSON body is one message. An event stream
//! (the service said something before its answer) gives one message per `data` event, as
//! each arrives. Any other reply, an HTTP-level refusal, becomes a JSON-RPC error answer
//! to the request, so the client is not left waiting.

use std::collections::VecDeque;

use axum::{
    body::Body,
    http::{StatusCode, header},
    response::Response,
};
use futures::{Stream, StreamExt, stream};
use rmcp::model::RequestId;

use super::reply::{self, code};

/// The messages in `response`, the service's answer to request `id`.
pub(super) fn messages(response: Response, id: RequestId) -> impl Stream<Item = String> + Send {
    let status = response.status();
    let event_stream = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"));
    let body = response.into_body();
    if event_stream {
        events(body).left_stream()
    } else {
        stream::once(whole(body, status, id))
            .filter_map(|message| async move { message })
            .right_stream()
    }
}

/// A body that is one message (or a refusal, or nothing for a 202).
async fn whole(body: Body, status: StatusCode, id: RequestId) -> Option<String> {
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(err) => {
            return Some(refusal(
                &id,
                &format!("the answer could not be read: {err}"),
            ));
        }
    };
    if bytes.is_empty() && status.is_success() {
        return None;
    }
    // rmcp's JSON answers are one compact object; a refusal is usually plain text. Checked
    // without building the value (a `tools/list` answer is ~20 kB).
    let is_object = bytes.trim_ascii_start().first() == Some(&b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok();
    if is_object && let Ok(text) = std::str::from_utf8(&bytes) {
        return Some(text.to_owned());
    }
    let text = String::from_utf8_lossy(&bytes);
    Some(refusal(&id, &format!("{status}: {}", text.trim())))
}

/// A JSON-RPC error answering `id` with `message`.
fn refusal(id: &RequestId, message: &str) -> String {
    let id = serde_json::to_value(id).unwrap_or(serde_json::Value::Null);
    reply::error_body(id, code::INVALID_REQUEST, message).to_string()
}

/// The `data` of each event of an event-stream body, as it arrives.
pub(super) fn events(body: Body) -> impl Stream<Item = String> + Send {
    struct Reading {
        body: axum::body::BodyDataStream,
        buffer: Vec<u8>,
        ready: VecDeque<String>,
        ended: bool,
    }
    let reading = Reading {
        body: body.into_data_stream(),
        buffer: Vec::new(),
        ready: VecDeque::new(),
        ended: false,
    };
    stream::unfold(reading, |mut reading| async move {
        loop {
            if let Some(message) = reading.ready.pop_front() {
                return Some((message, reading));
            }
            if reading.ended {
                return None;
            }
            match reading.body.next().await {
                Some(Ok(chunk)) => {
                    // Line ends may be CR LF; an event ends at an empty line either way.
                    let unix = chunk.iter().copied().filter(|byte| *byte != b'\r');
                    reading.buffer.extend(unix);
                    take_events(&mut reading.buffer, &mut reading.ready, false);
                }
                Some(Err(_)) | None => {
                    reading.ended = true;
                    take_events(&mut reading.buffer, &mut reading.ready, true);
                }
            }
        }
    })
}

/// Moves each complete event in `buffer` (all of it when `at_end`) to `ready`. Events end
/// at an empty line; an event's `data` lines are joined, and events without data
/// (priming, keep-alive comments) are skipped.
fn take_events(buffer: &mut Vec<u8>, ready: &mut VecDeque<String>, at_end: bool) {
    let split = if at_end {
        Some(buffer.len())
    } else {
        buffer.windows(2).rposition(|pair| pair == b"\n\n")
    };
    let Some(split) = split else {
        return;
    };
    let rest = buffer.split_off(split);
    let complete = String::from_utf8_lossy(buffer).into_owned();
    *buffer = rest;
    if !at_end {
        buffer.drain(..2);
    }
    for event in complete.split("\n\n") {
        let data: Vec<&str> = event
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .map(|data| data.strip_prefix(' ').unwrap_or(data))
            .collect();
        let data = data.join("\n");
        if !data.trim().is_empty() {
            ready.push_back(data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(response: Response) -> Vec<String> {
        messages(response, RequestId::Number(7)).collect().await
    }

    fn response(status: StatusCode, content_type: &str, body: &'static str) -> Response {
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("a valid response")
    }

    #[tokio::test]
    async fn a_json_answer_is_one_message() {
        let answer = r#"{"jsonrpc":"2.0","id":7,"result":{}}"#;
        let got = collect(response(StatusCode::OK, "application/json", answer)).await;
        assert_eq!(got, vec![answer.to_owned()]);
    }

    #[tokio::test]
    async fn an_event_stream_gives_each_data_event_and_skips_the_rest() {
        let body = "id: 0\nretry: 3000\ndata:\n\n: keep-alive\n\ndata: {\"a\":1}\n\nevent: message\r\ndata: {\"b\":2}\r\n\r\n";
        let got = collect(response(StatusCode::OK, "text/event-stream", body)).await;
        assert_eq!(got, vec![r#"{"a":1}"#.to_owned(), r#"{"b":2}"#.to_owned()]);
    }

    #[tokio::test]
    async fn a_refusal_becomes_an_error_answer_to_the_request() {
        let got = collect(response(
            StatusCode::BAD_REQUEST,
            "text/plain",
            "Bad Request: Unsupported MCP-Protocol-Version",
        ))
        .await;
        assert_eq!(got.len(), 1);
        let error: serde_json::Value = serde_json::from_str(&got[0]).expect("JSON");
        assert_eq!(error["id"], 7);
        let message = error["error"]["message"].as_str().expect("a message");
        assert!(message.contains("400") && message.contains("Unsupported MCP-Protocol-Version"));
    }

    #[tokio::test]
    async fn an_accepted_notification_says_nothing() {
        let got = collect(response(StatusCode::ACCEPTED, "application/json", "")).await;
        assert!(got.is_empty());
    }
}
