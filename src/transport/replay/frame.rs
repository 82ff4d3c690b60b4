//! How a resumable stream's events are written: each message as `id:` and `data:`, and, for
//! a client whose revision has SSE polling (2025-11-25 and later), a priming event first
//! (the stream's id 0, empty data, and `retry:`) so that it can reconnect even before the
//! first message. Older clients get the ids without the priming event: some of their SDKs
//! try to parse an empty `data` as a message.

use std::time::Duration;

use axum::{
    body::Bytes,
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};

use super::buffer::EventId;

/// How long a client should wait before reconnecting (the SSE `retry:` field).
pub(crate) const RETRY: Duration = Duration::from_secs(3);

/// The first revision whose clients expect a priming event.
const POLLING_REVISION: &str = "2025-11-25";

/// The `retry` of the priming event a request's stream starts with, if its client's
/// revision (its `MCP-Protocol-Version`, dates compare as text) has SSE polling.
pub(crate) fn priming_for(headers: &HeaderMap) -> Option<Duration> {
    let version = headers.get("mcp-protocol-version")?.to_str().ok()?;
    let is_date = version.len() == POLLING_REVISION.len()
        && version
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'-');
    (is_date && version >= POLLING_REVISION).then_some(RETRY)
}

/// A priming event: the id, `retry`, and empty data.
pub(crate) fn priming(id: EventId, retry: Duration) -> Bytes {
    Bytes::from(format!("id: {id}\nretry: {}\ndata:\n\n", retry.as_millis()))
}

/// One message as the event `id`. A JSON-RPC message is one line; should it hold line
/// breaks, each line is its own `data:` field, which a reader joins back.
pub(crate) fn message(id: EventId, data: &[u8]) -> Bytes {
    let mut event = Vec::with_capacity(data.len() + 32);
    event.extend_from_slice(format!("id: {id}\n").as_bytes());
    for line in data.split(|&byte| byte == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        event.extend_from_slice(b"data: ");
        event.extend_from_slice(line);
        event.push(b'\n');
    }
    event.push(b'\n');
    Bytes::from(event)
}

/// One message as the event `id`, in chunks that share `data` rather than copy it (a
/// `tools/list` answer is ~75 kB).
pub(crate) fn message_chunks(id: EventId, data: Bytes) -> [Bytes; 3] {
    if data.contains(&b'\n') {
        return [message(id, &data), Bytes::new(), Bytes::new()];
    }
    [
        Bytes::from(format!("id: {id}\ndata: ")),
        data,
        Bytes::from_static(b"\n\n"),
    ]
}

/// A keep-alive comment.
pub(crate) const KEEP_ALIVE_COMMENT: &[u8] = b": keep-alive\n\n";

/// Marks `response` as an event stream that must not be cached or buffered.
pub(crate) fn event_stream_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.remove(header::CONTENT_LENGTH);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_version(version: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "mcp-protocol-version",
            HeaderValue::from_str(version).expect("a header value"),
        );
        headers
    }

    #[test]
    fn only_polling_revisions_are_primed() {
        assert_eq!(priming_for(&with_version("2025-11-25")), Some(RETRY));
        assert_eq!(priming_for(&with_version("2026-07-28")), Some(RETRY));
        assert_eq!(priming_for(&with_version("2025-06-18")), None);
        assert_eq!(priming_for(&with_version("2025-03-26")), None);
        assert_eq!(priming_for(&with_version("zzzz")), None);
        assert_eq!(priming_for(&HeaderMap::new()), None);
    }

    #[test]
    fn events_are_written_as_sse() {
        let id = EventId { stream: 2, seq: 0 };
        assert_eq!(&priming(id, RETRY)[..], b"id: 2-0\nretry: 3000\ndata:\n\n");
        let id = EventId { stream: 2, seq: 1 };
        assert_eq!(
            &message(id, br#"{"a":1}"#)[..],
            b"id: 2-1\ndata: {\"a\":1}\n\n"
        );
        assert_eq!(
            &message(id, b"x\r\ny")[..],
            b"id: 2-1\ndata: x\ndata: y\n\n"
        );
        for data in [&br#"{"a":1}"#[..], b"x\r\ny"] {
            let chunks = message_chunks(id, Bytes::copy_from_slice(data));
            assert_eq!(
                chunks.concat(),
                message(id, data),
                "the same event in chunks"
            );
        }
    }
}
