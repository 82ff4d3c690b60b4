//! `/readyz`: whether this replica can serve as it should — 200 when all is well, 503 with
//! the reason when the shared Redis is down (calls are still answered, at the fallback
//! rate, so `/healthz` stays 200: the process is alive, just degraded).

use std::sync::Arc;

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::redis_link::{RedisLink, RedisState};

/// What `/healthz` and `/readyz` say about Redis: "up", "down", or "off" (not configured).
pub fn redis_state(redis: Option<&Arc<RedisLink>>) -> &'static str {
    redis.map_or("off", |link| link.state().as_str())
}

pub async fn readyz(State(redis): State<Option<Arc<RedisLink>>>) -> Response {
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
