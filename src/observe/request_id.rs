//! Request ids on HTTP: an incoming `X-Request-Id` (or the trace id of a W3C `traceparent`)
//! is used as the request's id, otherwise one is generated; the id is put in the request's
//! extensions for the tool-call log line and the audit trail, and echoed on the response as
//! `X-Request-Id`. The remote address is recorded as the caller.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Request},
    http::{HeaderMap, HeaderValue},
    middleware::Next,
    response::Response,
};

/// The id of one HTTP request.
#[derive(Clone, Debug)]
pub(crate) struct RequestId(pub String);

/// Who sent the request (the remote address; access control may put a client name here).
#[derive(Clone, Debug)]
pub(crate) struct Caller(pub String);

const HEADER: &str = "x-request-id";
/// The longest incoming id that is kept.
const MAX_LEN: usize = 128;

/// A new random request id.
pub(crate) fn generate() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The id the client sent, if it is usable: a printable `X-Request-Id` of at most 128
/// characters, else the trace id of a well-formed `traceparent`.
pub(crate) fn incoming(headers: &HeaderMap) -> Option<String> {
    let given = headers
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|id| {
            !id.is_empty()
                && id.len() <= MAX_LEN
                && id
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        });
    if let Some(id) = given {
        return Some(id.to_owned());
    }
    let traceparent = headers.get("traceparent")?.to_str().ok()?.trim();
    let mut parts = traceparent.split('-');
    let (version, trace_id, parent, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |text: &str, len: usize| {
        text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let valid = hex(version, 2)
        && version != "ff"
        && hex(trace_id, 32)
        && trace_id.bytes().any(|b| b != b'0')
        && hex(parent, 16)
        && hex(flags, 2);
    valid.then(|| trace_id.to_owned())
}

/// Middleware: attaches `RequestId` and `Caller`, and echoes the id on the response.
pub(crate) async fn attach(mut request: Request, next: Next) -> Response {
    let id = incoming(request.headers()).unwrap_or_else(generate);
    let caller = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "http".to_owned(), |info| info.0.to_string());
    request.extensions_mut().insert(RequestId(id.clone()));
    request.extensions_mut().insert(Caller(caller));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::headers;

    #[test]
    fn takes_the_request_id_then_the_trace_id() {
        assert_eq!(
            incoming(&headers(&[("x-request-id", "abc-123")])).as_deref(),
            Some("abc-123")
        );
        let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(
            incoming(&headers(&[("traceparent", traceparent)])).as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(
            incoming(&headers(&[("traceparent", "00-0000-00f067aa0ba902b7-01")])),
            None
        );
        let long = "x".repeat(200);
        assert_eq!(incoming(&headers(&[("x-request-id", &long)])), None);
        assert_eq!(incoming(&headers(&[("x-request-id", "a b")])), None);
    }
}
