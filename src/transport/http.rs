//! `serve --http`: one port with streamable HTTP at `/mcp`, legacy SSE at `/sse`, and
//! `/healthz`; the access rules in front of them; and a shutdown that lets tool calls in
//! flight answer before sessions and streams close.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use axum::{
    Json, Router,
    extract::State,
    middleware::from_fn_with_state,
    routing::{any, get},
};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::{
    guard::{self, AccessPolicy},
    scope_layer,
    sse::{self, SseSessions, SseState},
    streamable::{self, McpEndpoint},
    tcp,
};
use crate::{server::KommoMcp, shutdown::Signals};

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
    }))
}

/// The whole application: `/mcp` and `/sse*` behind Host/Origin, auth and header
/// checks; `/healthz` open.
fn router(
    handler: &KommoMcp,
    policy: Arc<AccessPolicy>,
    mcp: Arc<McpEndpoint>,
    sse: SseState,
) -> Router {
    let health = Health {
        handler: handler.clone(),
        mcp: Arc::clone(&mcp),
        sse: Arc::clone(&sse.sessions),
    };
    let protected = Router::new()
        .route("/mcp", any(streamable::handle).with_state(mcp))
        .merge(sse::router(sse))
        .layer(from_fn_with_state(
            handler.server_tools(),
            scope_layer::attach_scope,
        ))
        .layer(from_fn_with_state(
            Arc::clone(&policy),
            guard::require_auth_token,
        ))
        .layer(from_fn_with_state(policy, guard::check_host_and_origin));
    Router::new()
        .route("/healthz", get(healthz).with_state(health))
        .merge(protected)
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
    let app = router(&handler, policy, mcp, sse);

    let stop_accepting = CancellationToken::new();
    let server = axum::serve(tcp::tuned(listener), app)
        .with_graceful_shutdown(stop_accepting.clone().cancelled_owned());
    let mut server_task = tokio::spawn(async move { server.await });

    tracing::info!("listening on http://{addr}");
    tracing::info!(
        "routes: /mcp (streamable HTTP, {}), GET /sse + POST {} (legacy SSE), GET /healthz; {}",
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
