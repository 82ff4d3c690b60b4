//! The JSON error answers the HTTP layer gives before a request reaches MCP (refused
//! headers, authentication, Host/Origin, unknown SSE session), shaped as JSON-RPC errors
//! so MCP clients can show the message.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

/// JSON-RPC error codes used in those answers.
pub(super) mod code {
    pub(crate) const PARSE_ERROR: i64 = -32700;
    pub(crate) const INVALID_REQUEST: i64 = -32600;
    pub(crate) const INVALID_PARAMS: i64 = -32602;
    /// What the MCP SDKs use for "session not found".
    pub(crate) const SESSION_NOT_FOUND: i64 = -32001;
    /// An inbound rate limit refused the request (implementation-defined server error).
    pub(crate) const RATE_LIMITED: i64 = -32029;
}

/// A JSON-RPC error message answering `id` (`null` when the request's id is unknown).
pub(super) fn error_body(id: Value, code: i64, message: impl Into<String>) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message.into() },
    })
}

/// `status` with a JSON-RPC error body (`id: null`) carrying `message`.
pub(super) fn json_error(status: StatusCode, code: i64, message: impl Into<String>) -> Response {
    (status, Json(error_body(Value::Null, code, message))).into_response()
}

/// 401 with `WWW-Authenticate: Bearer`.
pub(super) fn unauthorized(message: &str) -> Response {
    let mut response = json_error(StatusCode::UNAUTHORIZED, code::INVALID_REQUEST, message);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"kommo-mcp\""),
    );
    response
}
