//! Reads each HTTP request's per-request headers (account, token, tools, pause field) into
//! a `RequestScope` the tool handlers find in the request's extensions; an invalid value
//! is answered with 400 before anything reaches MCP or Kommo.

use axum::{
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::Response,
};

use super::reply::{code, json_error};
use crate::{scope::RequestScope, toolset::ToolSet};

/// Middleware: attaches the request's `RequestScope`, or answers 400.
pub async fn attach_scope(
    State(server_tools): State<ToolSet>,
    mut request: Request,
    next: Next,
) -> Response {
    match RequestScope::from_headers(request.headers(), server_tools) {
        Ok(scope) => {
            request.extensions_mut().insert(scope);
            next.run(request).await
        }
        Err(err) => {
            tracing::warn!(path = %request.uri().path(), "refused: {err}");
            json_error(
                StatusCode::BAD_REQUEST,
                code::INVALID_PARAMS,
                format!("{err}. Nothing was sent to Kommo."),
            )
        }
    }
}
