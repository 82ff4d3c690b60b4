//! Bounds the work one `POST` can cause before anything parses it: the body must arrive
//! within `--body-read-timeout` (408), be at most `--max-body-bytes` (413), and nest and
//! count within `--max-json-depth` / `--max-json-values` (400), measured by a single pass
//! that allocates nothing. Only then does the buffered body go on to MCP.

use std::{sync::Arc, time::Duration};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{Method, StatusCode, header},
    middleware::Next,
    response::Response,
};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::{
    json_shape::{self, ShapeLimits},
    reply::{code, json_error},
};

/// Bodies larger than this are measured off the async workers.
const BLOCKING_SCAN_FROM: usize = 64 * 1024;

/// The limits on a request body.
#[derive(Clone, Copy, Debug)]
pub(super) struct BodyLimits {
    pub max_bytes: usize,
    pub read_timeout: Duration,
    pub shape: ShapeLimits,
}

/// Middleware: reads a `POST` body under the limits, or answers the refusal.
pub(super) async fn read_body(
    State(limits): State<Arc<BodyLimits>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let too_large = || {
        json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::INVALID_REQUEST,
            format!(
                "the request body is larger than {} bytes (see --max-body-bytes)",
                limits.max_bytes
            ),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_bytes as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    let read = Limited::new(body, limits.max_bytes).collect();
    let bytes = match tokio::time::timeout(limits.read_timeout, read).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(err)) if err.downcast_ref::<LengthLimitError>().is_some() => return too_large(),
        Ok(Err(err)) => {
            tracing::debug!("cannot read a request body: {err}");
            return json_error(
                StatusCode::BAD_REQUEST,
                code::INVALID_REQUEST,
                "the request body could not be read",
            );
        }
        Err(_) => {
            tracing::debug!(path = %parts.uri.path(), "request body timed out");
            return json_error(
                StatusCode::REQUEST_TIMEOUT,
                code::INVALID_REQUEST,
                format!(
                    "the request body did not arrive within {} s (see --body-read-timeout)",
                    limits.read_timeout.as_secs_f64()
                ),
            );
        }
    };
    // A large body is measured on a blocking thread, so the runtime's workers stay free
    // for other requests (and /healthz) meanwhile.
    let shape = limits.shape;
    let checked = if bytes.len() > BLOCKING_SCAN_FROM {
        let body = bytes.clone();
        tokio::task::spawn_blocking(move || json_shape::check(&body, shape))
            .await
            .unwrap_or(Ok(()))
    } else {
        json_shape::check(&bytes, shape)
    };
    if let Err(err) = checked {
        tracing::debug!(path = %parts.uri.path(), "refused: {err}");
        return json_error(
            StatusCode::BAD_REQUEST,
            code::INVALID_REQUEST,
            err.to_string(),
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
