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
    body_guard::{self, BodyLimits},
    caller_share::{CallerShares, ShareLimits},
    guard::{self, AccessPolicy},
    inbound_limit::{self, InboundLimits},
    json_shape::ShapeLimits,
    listener::{self, ConnectionLimits, ConnectionSlots},
    oauth::{metadata, scopes},
    readiness,
    replay::ReplayLimits,
    scope_layer,
    session_cap::SessionCap,
    sessions::StreamableSessions,
    sse::{self, SseSessions, SseState},
    streamable::{self, McpEndpoint},
    tcp,
};
use crate::{
    config::HttpLimits,
    observe::{metrics, request_id},
    server::KommoMcp,
    shutdown::Signals,
    transport::sessions::shared::RedisSessions,
};

/// How long a stopping server waits for tool calls in flight.
const CALLS_GRACE: Duration = Duration::from_secs(20);
/// Time for the last answers to reach their clients once the calls have returned, and for
/// the clients' follow-up requests (e.g. a `tools/list`) to be served.
const ANSWER_FLUSH: Duration = Duration::from_millis(750);
/// How long a stopping server waits for connections to close after that.
const CONNECTIONS_GRACE: Duration = Duration::from_secs(5);

/// What `serve --http` was asked for.
pub(crate) struct HttpOptions {
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
    /// Body, session, connection and timeout limits.
    pub limits: HttpLimits,
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
        "mcp_sessions": health.mcp.session_count(),
        "sse_sessions": health.sse.count(),
        "sse_services": health.sse.answering(),
        "calls_in_flight": health.handler.in_flight().count(),
        // Tasks alive in the runtime: flat while sessions idle (none holds a task of its own).
        "tasks": tokio::runtime::Handle::current().metrics().num_alive_tasks(),
        "redis": readiness::redis_state(health.handler.redis().as_ref()),
    }))
}

/// `/metrics`: the Prometheus text exposition, with the session and in-flight gauges read now.
async fn metrics_text(State(health): State<Health>) -> Response {
    let Some(metrics) = metrics::get() else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    let sessions = [
        ("streamable_http", health.mcp.session_count()),
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
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of the one application, each built once in `serve`"
)]
fn router(
    handler: &KommoMcp,
    policy: Arc<AccessPolicy>,
    limits: Arc<InboundLimits>,
    mcp: Arc<McpEndpoint>,
    sse: SseState,
    metrics_here: bool,
    body_limits: Arc<BodyLimits>,
    slots: ConnectionSlots,
) -> Router {
    let health = Health {
        handler: handler.clone(),
        mcp: Arc::clone(&mcp),
        sse: Arc::clone(sse.sessions()),
    };
    let mut protected = Router::new()
        .route("/mcp", any(streamable::handle).with_state(mcp))
        .merge(sse::router(sse));
    if metrics_here {
        protected = protected.route("/metrics", get(metrics_text).with_state(health.clone()));
    }
    let oauth = policy.oauth().cloned();
    if let Some(oauth) = &oauth {
        protected = protected.layer(from_fn_with_state(
            scopes::WriteScopeRule {
                metadata_url: oauth.metadata_url(),
                audit: handler.toolkit().audit().cloned(),
            },
            scopes::require_write_scope,
        ));
    }
    // The body is read (and bounded) before the scope is checked, so that a write the
    // scope refuses can be audited with its tool and lead.
    let protected = protected
        .layer(from_fn_with_state(
            scope_layer::ScopeRules {
                server_tools: handler.server_tools(),
                own_subdomain: handler.own_subdomain(),
                audit: handler.toolkit().audit().cloned(),
            },
            scope_layer::attach_scope,
        ))
        .layer(from_fn_with_state(body_limits, body_guard::read_body))
        .layer(from_fn_with_state(limits, inbound_limit::enforce))
        .layer(from_fn_with_state(
            Arc::clone(&policy),
            guard::require_auth_token,
        ))
        .layer(from_fn_with_state(policy, guard::check_host_and_origin));
    let mut open = Router::new();
    if let Some(oauth) = &oauth {
        let documents = oauth.documents();
        open = open
            .route(
                metadata::PATH,
                get(metadata::document).with_state(documents.clone()),
            )
            .route(
                metadata::MCP_PATH,
                get(metadata::document).with_state(documents),
            );
    }
    Router::new()
        .merge(open)
        .route("/healthz", get(healthz).with_state(health))
        .route(
            "/readyz",
            get(readiness::readyz).with_state(readiness::Readiness {
                redis: handler.redis(),
                slots,
            }),
        )
        .merge(protected)
        .layer(from_fn(request_id::attach))
}

/// Serves until SIGINT or SIGTERM, then stops gracefully.
pub(crate) async fn serve(handler: KommoMcp, options: HttpOptions) -> anyhow::Result<()> {
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
    if let Some(oauth) = policy.oauth() {
        let oauth = Arc::clone(oauth);
        tokio::spawn(async move { oauth.warm_up().await });
    }
    let limits = &options.limits;
    let shutdown = CancellationToken::new();
    let draining = CancellationToken::new();
    let sse_sessions = Arc::new(SseSessions::new(limits.session_idle_timeout.value));
    tokio::spawn(Arc::clone(&sse_sessions).expire_until(shutdown.clone()));
    let shares = CallerShares::new(ShareLimits {
        sessions: limits.max_sessions_per_caller.value,
        streams: limits.max_streams_per_caller.value,
        calls: limits.max_calls_per_caller.value,
    });
    let session_store = (!options.stateless)
        .then(|| handler.redis())
        .flatten()
        .map(|link| Arc::new(RedisSessions::new(link, limits.session_idle_timeout.value)));
    let streamable_sessions = Arc::new(
        StreamableSessions::new(
            limits.session_idle_timeout.value,
            session_store,
            Arc::clone(&shares),
        )
        .with_replay_limits(ReplayLimits {
            events: limits.replay_events.value,
            bytes: limits.replay_bytes.value,
        }),
    );
    tokio::spawn(Arc::clone(&streamable_sessions).expire_until(shutdown.clone()));
    let cap = Arc::new(SessionCap::new(
        limits.max_sessions.value,
        Arc::clone(&streamable_sessions),
        Arc::clone(&sse_sessions),
        draining.clone(),
    ));
    let max_body = limits.max_body_bytes.value;
    let mcp = Arc::new(McpEndpoint::new(
        handler.clone(),
        options.stateless,
        Arc::clone(&cap),
        Arc::clone(&shares),
        max_body,
        &shutdown,
    ));
    let sse = SseState::new(
        handler.clone(),
        Arc::clone(&sse_sessions),
        shutdown.clone(),
        (cap, shares),
        max_body,
    );
    let body_limits = Arc::new(BodyLimits {
        max_bytes: max_body,
        read_timeout: limits.body_read_timeout.value,
        shape: ShapeLimits {
            max_depth: limits.max_json_depth.value,
            max_values: limits.max_json_values.value,
        },
    });
    let requires_auth = policy.requires_auth();
    let policy_oauth = policy.oauth().is_some();
    metrics::install(
        options
            .metrics_account_label
            .then(|| handler.toolkit().config().configured_accounts()),
    );
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
    let inbound = Arc::new(
        InboundLimits::new(policy.clients(), options.rate_limit_per_ip).with_redis(handler.redis()),
    );
    let slots = ConnectionSlots::new(limits.max_connections.value);
    let app = router(
        &handler,
        policy,
        inbound,
        mcp,
        sse,
        metrics_router.is_none(),
        body_limits,
        slots.clone(),
    );

    // Two steps: on a signal, no new sessions; once the calls in flight have answered,
    // no new connections, and every session and connection closes (streams included).
    let close_connections = CancellationToken::new();
    let stop_accepting = close_connections.clone();
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
    let connection_limits = ConnectionLimits {
        max_connections: limits.max_connections.value,
        header_read_timeout: limits.header_read_timeout.value,
    };
    let mut server_task = tokio::spawn(listener::serve(
        listener,
        app,
        connection_limits,
        slots,
        close_connections.clone(),
    ));

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
        if policy_oauth {
            "OAuth access token (or key) required on every route but /healthz and /.well-known/oauth-protected-resource"
        } else if requires_auth {
            "bearer auth token required on every route but /healthz"
        } else {
            "no auth token"
        }
    );

    tokio::select! {
        () = signals.recv() => {}
        ended = &mut server_task => {
            return match ended {
                Ok(()) => Ok(()),
                Err(err) => Err(anyhow::anyhow!("the HTTP server stopped: {err}")),
            };
        }
    }

    let calls = handler.in_flight().count();
    tracing::info!("signal received: no new sessions; {calls} tool call(s) in flight");
    // Connections are still accepted while calls finish: a client may need one to read
    // its answer or to follow it up (the Python client lists the tools after a call).
    draining.cancel();
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
    tracing::info!("closing sessions and connections");
    close_connections.cancel();
    shutdown.cancel();
    sse_sessions.close_all();
    streamable_sessions.close_all();
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
