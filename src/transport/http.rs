//! `serve --http`: one port with streamable HTTP at `/mcp`, legacy SSE at `/sse`, and
//! `/healthz`; the access rules in front of them; and a shutdown that lets tool calls in
//! flight answer before sessions and streams close.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use axum::{
    Json, Router,
    extract::State,
    middleware::{from_fn, from_fn_with_state},
    response::{IntoResponse, Response},
    routing::{any, get},
};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::{
    guard::{self, AccessPolicy},
    inbound_limit::{self, InboundLimits},
    readiness, scope_layer,
    sse::{self, SseSessions, SseState},
    streamable::{self, McpEndpoint},
    tcp,
};
use crate::{
    observe::{metrics, request_id},
    server::KommoMcp,
    shutdown::Signals,
};

/// How long a stopping server waits for tool calls in flight.
const CALLS_GRACE: Duration = Duration::from_secs(20);
/// Time for the last answers to reach their streams once the calls have returned.
const ANSWER_FLUSH: Duration = Duration::from_millis(250);
/// How long a stopping server waits for connections to close after that.
const CONNECTIONS_GRACE: Duration = Duration::from_secs(5);

/// What `serve --http` was asked for.
pub struct HttpOptions {
    pub listen: SocketAddr,
    pub stateless: bool,
    /// Auth token and Host/Origin allowlists.
    pub policy: AccessPolicy,
    /// Inbound requests per minute per remote address, for callers without a limit of their own.
    pub rate_limit_per_ip: Option<u32>,
    /// Serve `/metrics` only here, without auth (else on the main port behind the policy).
    pub metrics_listen: Option<SocketAddr>,
    /// Label Kommo metrics with the account subdomain.
    pub metrics_account_label: bool,
}

/// What `/healthz` reports (counts only; no Kommo request).
#[derive(Clone)]
struct Health {
    handler: KommoMcp,
    mcp: Arc<McpEndpoint>,
    sse: Arc<SseSessions>,
}

async fn healthz(State(health): State<Health>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "mcp_sessions": health.mcp.session_count().await,
        "sse_sessions": health.sse.count(),
        "sse_services": health.sse.services(),
        "calls_in_flight": health.handler.in_flight().count(),
        "redis": readiness::redis_state(health.handler.redis().as_ref()),
    }))
}

/// `/metrics`: the Prometheus text exposition, with the session and in-flight gauges read now.
async fn metrics_text(State(health): State<Health>) -> Response {
    let Some(metrics) = metrics::get() else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    let sessions = [
        ("streamable_http", health.mcp.session_count().await),
        ("sse", health.sse.count()),
    ];
    let text = metrics.render(&sessions, health.handler.in_flight().count());
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// The whole application: `/mcp` and `/sse*` (and `/metrics` unless it has its own
/// address) behind Host/Origin, auth and header checks; `/healthz` open; a request id on
/// every request and response.
fn router(
    handler: &KommoMcp,
    policy: Arc<AccessPolicy>,
    limits: Arc<InboundLimits>,
    mcp: Arc<McpEndpoint>,
    sse: SseState,
    metrics_here: bool,
) -> Router {
    let health = Health {
        handler: handler.clone(),
        mcp: Arc::clone(&mcp),
        sse: Arc::clone(&sse.sessions),
    };
    let mut protected = Router::new()
        .route("/mcp", any(streamable::handle).with_state(mcp))
        .merge(sse::router(sse));
    if metrics_here {
        protected = protected.route("/metrics", get(metrics_text).with_state(health.clone()));
    }
    let protected = protected
        .layer(from_fn_with_state(
            scope_layer::ScopeRules {
                server_tools: handler.server_tools(),
                own_subdomain: handler.own_subdomain(),
            },
            scope_layer::attach_scope,
        ))
        .layer(from_fn_with_state(limits, inbound_limit::enforce))
        .layer(from_fn_with_state(
            Arc::clone(&policy),
            guard::require_auth_token,
        ))
        .layer(from_fn_with_state(policy, guard::check_host_and_origin));
    Router::new()
        .route("/healthz", get(healthz).with_state(health))
        .route(
            "/readyz",
            get(readiness::readyz).with_state(handler.redis()),
        )
        .merge(protected)
        .layer(from_fn(request_id::attach))
}

/// Serves until SIGINT or SIGTERM, then stops gracefully.
pub async fn serve(handler: KommoMcp, options: HttpOptions) -> anyhow::Result<()> {
    let policy = Arc::new(options.policy);
    let mut signals = Signals::install();
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listen address")?;

    if let Some(redis) = handler.redis() {
        redis.start_probe();
    }
    let shutdown = CancellationToken::new();
    let mcp = Arc::new(McpEndpoint::new(
        handler.clone(),
        options.stateless,
        &shutdown,
    ));
    let sse_sessions = Arc::new(SseSessions::default());
    let sse = SseState {
        handler: handler.clone(),
        sessions: Arc::clone(&sse_sessions),
        shutdown: shutdown.clone(),
    };
    let requires_auth = policy.requires_auth();
    metrics::install(options.metrics_account_label);
    let metrics_router = options.metrics_listen.map(|_| {
        Router::new().route(
            "/metrics",
            get(metrics_text).with_state(Health {
                handler: handler.clone(),
                mcp: Arc::clone(&mcp),
                sse: Arc::clone(&sse_sessions),
            }),
        )
    });
    let limits = Arc::new(InboundLimits::new(
        policy.clients(),
        options.rate_limit_per_ip,
    ));
    let app = router(&handler, policy, limits, mcp, sse, metrics_router.is_none());

    let stop_accepting = CancellationToken::new();
    let metrics_addr = match (options.metrics_listen, metrics_router) {
        (Some(at), Some(metrics_app)) => {
            let metrics_listener = tokio::net::TcpListener::bind(at)
                .await
                .with_context(|| format!("cannot listen for metrics on {at}"))?;
            let bound = metrics_listener
                .local_addr()
                .context("cannot read the metrics listen address")?;
            let stop = stop_accepting.clone().cancelled_owned();
            tokio::spawn(async move {
                if let Err(err) = axum::serve(tcp::tuned(metrics_listener), metrics_app)
                    .with_graceful_shutdown(stop)
                    .await
                {
                    tracing::error!("the metrics listener stopped: {err}");
                }
            });
            Some(bound)
        }
        _ => None,
    };
    let server = axum::serve(
        tcp::tuned(listener),
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop_accepting.clone().cancelled_owned());
    let mut server_task = tokio::spawn(async move { server.await });

    tracing::info!("listening on http://{addr}");
    match metrics_addr {
        Some(at) => tracing::info!("metrics: GET http://{at}/metrics (no auth)"),
        None => tracing::info!("metrics: GET /metrics on the main port"),
    }
    tracing::info!(
        "routes: /mcp (streamable HTTP, {}), GET /sse + POST {} (legacy SSE), GET /healthz, GET /readyz; {}",
        if options.stateless {
            "stateless"
        } else {
            "sessions"
        },
        sse::MESSAGE_PATH,
        if requires_auth {
            "bearer auth token required on every route but /healthz"
        } else {
            "no auth token"
        }
    );

    tokio::select! {
        () = signals.recv() => {}
        ended = &mut server_task => {
            return match ended {
                Ok(Ok(())) => Ok(()),
                Ok(Err(err)) => Err(anyhow::anyhow!("the HTTP server stopped: {err}")),
                Err(err) => Err(anyhow::anyhow!("the HTTP server stopped: {err}")),
            };
        }
    }

    let calls = handler.in_flight().count();
    tracing::info!("signal received: accepting no new connections; {calls} tool call(s) in flight");
    stop_accepting.cancel();
    if tokio::time::timeout(CALLS_GRACE, handler.in_flight().idle())
        .await
        .is_err()
    {
        tracing::warn!(
            "{} tool call(s) still running after {}s; stopping anyway",
            handler.in_flight().count(),
            CALLS_GRACE.as_secs()
        );
    }
    tokio::time::sleep(ANSWER_FLUSH).await;
    shutdown.cancel();
    sse_sessions.close_all();
    match tokio::time::timeout(CONNECTIONS_GRACE, &mut server_task).await {
        Ok(_) => {}
        Err(_) => {
            tracing::warn!(
                "connections still open after {}s; closing them",
                CONNECTIONS_GRACE.as_secs()
            );
            server_task.abort();
        }
    }
    tracing::info!("stopped");
    Ok(())
}
