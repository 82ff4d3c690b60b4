//! `/readyz`: whether this replica can serve as it should — 200 when all is well, 503 with
//! the reason when every connection slot is taken (`"status": "busy"`) or the shared Redis
//! is down (calls are still answered, at the fallback rate). `/healthz` stays 200 in both
//! cases: the process is alive, just busy or degraded.

use std::sync::Arc;

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::listener::ConnectionSlots;
use crate::redis_link::{RedisLink, RedisState};

/// What `/readyz` looks at.
#[derive(Clone)]
pub(super) struct Readiness {
    pub redis: Option<Arc<RedisLink>>,
    pub slots: ConnectionSlots,
}

/// What `/healthz` and `/readyz` say about Redis: "up", "down", or "off" (not configured).
pub(super) fn redis_state(redis: Option<&Arc<RedisLink>>) -> &'static str {
    redis.map_or("off", |link| link.state().as_str())
}

pub(super) async fn readyz(State(readiness): State<Readiness>) -> Response {
    let redis = readiness.redis;
    if readiness.slots.all_taken() {
        // This request holds the last slot: the next connection would be refused.
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "busy",
                "redis": redis_state(redis.as_ref()),
                "reason": "every connection slot is taken (see --max-connections)",
            })),
        )
            .into_response();
    }
    match &redis {
        Some(link) if link.state() == RedisState::Down => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "degraded",
                "redis": "down",
                "reason": format!(
                    "Redis at {} does not answer ({}); Kommo requests are limited per replica at the fallback rate",
                    link.redacted_url(),
                    link.reason()
                ),
            })),
        )
            .into_response(),
        _ => Json(json!({ "status": "ready", "redis": redis_state(redis.as_ref()) }))
            .into_response(),
    }
}
