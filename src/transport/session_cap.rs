//! The cap on open sessions (`--max-sessions`, streamable HTTP and legacy SSE together). A
//! new session beyond it is refused with 503 and `Retry-After` rather than evicting an
//! idle one: a flood of new sessions must not cut off clients that are working, and the
//! abandoned sessions it left expire by `--session-idle-timeout`.

use std::sync::Arc;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::Response,
};
use tokio_util::sync::CancellationToken;

use super::{
    reply::{code, json_error},
    sessions::StreamableSessions,
    sse::SseSessions,
};

/// Seconds a refused client is asked to wait.
const RETRY_AFTER_SECONDS: &str = "5";

/// Counts the open sessions of both kinds against the cap.
pub(crate) struct SessionCap {
    max: usize,
    pub streamable: Arc<StreamableSessions>,
    pub sse: Arc<SseSessions>,
    /// Cancelled when the server starts stopping: no session opens after that.
    draining: CancellationToken,
}

impl SessionCap {
    pub(crate) fn new(
        max: usize,
        streamable: Arc<StreamableSessions>,
        sse: Arc<SseSessions>,
        draining: CancellationToken,
    ) -> Self {
        Self {
            max,
            streamable,
            sse,
            draining,
        }
    }

    /// Streamable HTTP sessions currently open.
    pub(crate) fn streamable_count(&self) -> usize {
        self.streamable.count()
    }

    /// The refusal when no new session may open, else `None`.
    pub(crate) fn refusal(&self) -> Option<Response> {
        let message = if self.draining.is_cancelled() {
            "the server is shutting down; retry in a moment".to_owned()
        } else {
            let open = self.streamable_count() + self.sse.count();
            if open < self.max {
                return None;
            }
            tracing::warn!(
                "refused a new session: {open} open (--max-sessions {})",
                self.max
            );
            format!(
                "too many open sessions ({}, see --max-sessions); retry later or close unused sessions with DELETE",
                self.max
            )
        };
        let mut response = json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            code::INVALID_REQUEST,
            message,
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
        Some(response)
    }
}
