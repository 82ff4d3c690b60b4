//! The legacy HTTP+SSE transport (protocol 2024-11-05), which rmcp no longer ships:
//! `GET /sse` opens a session whose first event names `/sse/message?sessionId=…`; each
//! `POST` there is handed to the session's rmcp service and answered on the stream. A
//! session is removed, and its service ends, as soon as its stream closes.

use std::{
    collections::HashMap,
    convert::Infallible,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Extension, Router,
    extract::{Query, Request, State},
    http::StatusCode,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::{get, post},
};
use futures::{Stream, StreamExt, stream};
use rmcp::{ServiceExt, model::ClientJsonRpcMessage};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::{
    channel::{self, ChannelTransport},
    reply::{code, json_error},
    session_cap::SessionCap,
};
use crate::{observe::service::Observed, scope::RequestScope, server::KommoMcp};

/// The path of the message endpoint the `endpoint` event names.
pub const MESSAGE_PATH: &str = "/sse/message";
const CHANNEL_CAPACITY: usize = 64;
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One open session: where its messages go, and the headers of the `GET /sse` that
/// opened it (they apply to every message unless the `POST` overrides them).
struct Session {
    inbound: mpsc::Sender<channel::Inbound>,
    connect_scope: RequestScope,
}

/// The open sessions and the rmcp services still running for them.
#[derive(Default)]
pub struct SseSessions {
    open: Mutex<HashMap<String, Session>>,
    services: AtomicUsize,
}

impl SseSessions {
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    pub fn services(&self) -> usize {
        self.services.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn remove(&self, id: &str) {
        // Dropping the session's sender ends its rmcp service's input.
        let removed = self.lock().remove(id);
        drop(removed);
    }

    /// Drops every session (server shutdown): each service sees the end of its input.
    pub fn close_all(&self) {
        let sessions = std::mem::take(&mut *self.lock());
        drop(sessions);
    }
}

#[derive(Clone)]
pub struct SseState {
    pub handler: KommoMcp,
    pub sessions: Arc<SseSessions>,
    /// Cancelled when the server stops; ends every session.
    pub shutdown: CancellationToken,
    /// The cap on open sessions (both kinds).
    pub cap: Arc<SessionCap>,
    /// `--max-body-bytes` (the body guard has already enforced it).
    pub max_body: usize,
}

pub fn router(state: SseState) -> Router {
    Router::new()
        .route("/sse", get(open_stream))
        .route(MESSAGE_PATH, post(receive_message))
        .with_state(state)
}

/// Removes the session and stops its service when the event stream is dropped (the
/// client hung up, or the service ended and the stream ran out).
struct SessionGuard {
    sessions: Arc<SseSessions>,
    id: String,
    cancel: CancellationToken,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.sessions.remove(&self.id);
        self.cancel.cancel();
        tracing::debug!(session = %self.id, "SSE stream closed");
    }
}

/// Counts a running service until dropped.
struct ServiceCount(Arc<SseSessions>);

impl Drop for ServiceCount {
    fn drop(&mut self) {
        self.0.services.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn open_stream(
    State(state): State<SseState>,
    scope: Option<Extension<RequestScope>>,
) -> Response {
    if let Some(refusal) = state.cap.refusal().await {
        return refusal;
    }
    session_stream(state, scope).into_response()
}

fn session_stream(
    state: SseState,
    scope: Option<Extension<RequestScope>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (inbound_tx, inbound_rx) = mpsc::channel(CHANNEL_CAPACITY);
    let (outbound_tx, outbound_rx) = mpsc::channel(CHANNEL_CAPACITY);
    state.sessions.lock().insert(
        id.clone(),
        Session {
            inbound: inbound_tx,
            connect_scope: scope.map(|Extension(scope)| scope).unwrap_or_default(),
        },
    );
    let cancel = state.shutdown.child_token();
    state.sessions.services.fetch_add(1, Ordering::SeqCst);
    let count = ServiceCount(Arc::clone(&state.sessions));
    let transport = ChannelTransport::new(inbound_rx, outbound_tx);
    tokio::spawn(run_service(
        state.handler.clone(),
        transport,
        cancel.clone(),
        Arc::clone(&state.sessions),
        id.clone(),
        count,
    ));
    tracing::debug!(session = %id, "SSE stream opened");

    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("{MESSAGE_PATH}?sessionId={id}"));
    let guard = SessionGuard {
        sessions: state.sessions,
        id,
        cancel,
    };
    let messages = ReceiverStream::new(outbound_rx).map(move |message| {
        let _alive = &guard;
        let data = serde_json::to_string(&message).unwrap_or_else(|err| {
            tracing::error!("cannot serialize an MCP message: {err}");
            String::from("{}")
        });
        Ok(Event::default().event("message").data(data))
    });
    let events = stream::once(async move { Ok(endpoint) }).chain(messages);
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// Runs one session's rmcp service until its input ends or the server stops.
async fn run_service(
    handler: KommoMcp,
    transport: ChannelTransport,
    cancel: CancellationToken,
    sessions: Arc<SseSessions>,
    id: String,
    _count: ServiceCount,
) {
    // The handshake does not watch the token, so race it.
    let running = tokio::select! {
        running = Observed::new(handler, "sse").serve_with_ct(transport, cancel.clone()) => running,
        () = cancel.cancelled() => {
            sessions.remove(&id);
            return;
        }
    };
    match running {
        Ok(running) => {
            let quit = running.waiting().await;
            tracing::debug!(session = %id, reason = ?quit, "SSE session ended");
        }
        Err(err) => tracing::debug!(session = %id, "SSE session ended before initialize: {err}"),
    }
    sessions.remove(&id);
}

#[derive(Deserialize)]
struct SessionQuery {
    #[serde(rename = "sessionId")]
    session_id: Option<String>,
}

async fn receive_message(
    State(state): State<SseState>,
    Query(query): Query<SessionQuery>,
    request: Request,
) -> Response {
    let Some(id) = query.session_id else {
        return json_error(
            StatusCode::BAD_REQUEST,
            code::INVALID_REQUEST,
            "missing sessionId query parameter: use the URL of the SSE stream's endpoint event",
        );
    };
    let found = state
        .sessions
        .lock()
        .get(&id)
        .map(|session| (session.inbound.clone(), session.connect_scope.clone()));
    let Some((inbound, connect_scope)) = found else {
        return json_error(
            StatusCode::NOT_FOUND,
            code::SESSION_NOT_FOUND,
            "unknown or closed SSE session: open a new stream with GET /sse",
        );
    };
    let (mut parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, state.max_body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                code::INVALID_REQUEST,
                format!(
                    "the message is larger than {} bytes (see --max-body-bytes)",
                    state.max_body
                ),
            );
        }
    };
    let mut message: ClientJsonRpcMessage = match serde_json::from_slice(&bytes) {
        Ok(message) => message,
        Err(err) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                code::PARSE_ERROR,
                format!("the body is not a JSON-RPC message: {err}"),
            );
        }
    };
    let post_scope = parts
        .extensions
        .get::<RequestScope>()
        .cloned()
        .unwrap_or_default();
    parts
        .extensions
        .insert(connect_scope.overlaid_with(&post_scope));
    message.insert_extension(parts);
    if inbound.send(Box::new(message)).await.is_err() {
        return json_error(
            StatusCode::GONE,
            code::SESSION_NOT_FOUND,
            "the SSE session has ended: open a new stream with GET /sse",
        );
    }
    StatusCode::ACCEPTED.into_response()
}
