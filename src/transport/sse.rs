//! The legacy HTTP+SSE transport (protocol 2024-11-05), which rmcp no longer ships:
//! `GET /sse` opens a session whose first event names `/sse/message?sessionId=…`; each
//! `POST` there is answered by rmcp's stateless service, and the answer goes out on the
//! stream. A session is a sender into its stream, not a running service, so an open idle
//! stream costs its connection and little more. A session is removed as soon as its stream
//! closes.

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
    body::Body,
    extract::{Query, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::{get, post},
};
use futures::{Stream, StreamExt, stream};
use rmcp::{
    model::{ClientJsonRpcMessage, RequestId},
    transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::never::NeverSessionManager,
    },
};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::Observed;
use super::{
    reply::{code, json_error},
    session_cap::SessionCap,
    sse_answer,
};
use crate::{scope::RequestScope, server::KommoMcp};

/// The path of the message endpoint the `endpoint` event names.
pub const MESSAGE_PATH: &str = "/sse/message";
/// Answers waiting for a slow reader before a `POST`'s answer waits for room.
const CHANNEL_CAPACITY: usize = 64;
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// What the stateless service needs to hear to answer a message (legacy clients may send
/// neither header).
const ACCEPT_BOTH: &str = "application/json, text/event-stream";
const JSON: &str = "application/json";

/// One open session: where its answers go, and the headers of the `GET /sse` that opened
/// it (they apply to every message unless the `POST` overrides them).
struct Session {
    outbound: mpsc::Sender<String>,
    connect_scope: RequestScope,
}

/// The open sessions, and the messages being answered for them.
#[derive(Default)]
pub struct SseSessions {
    open: Mutex<HashMap<String, Session>>,
    answering: AtomicUsize,
}

impl SseSessions {
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// Messages being answered now (no service runs between them; `/healthz` still calls
    /// this `sse_services`).
    pub fn answering(&self) -> usize {
        self.answering.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn remove(&self, id: &str) {
        let removed = self.lock().remove(id);
        drop(removed);
    }

    /// Drops every session (server shutdown): each stream ends once its answers are out.
    pub fn close_all(&self) {
        let sessions = std::mem::take(&mut *self.lock());
        drop(sessions);
    }
}

#[derive(Clone)]
pub struct SseState {
    sessions: Arc<SseSessions>,
    /// Answers each message, as for a stateless `POST /mcp`.
    answers: Arc<StreamableHttpService<Observed, NeverSessionManager>>,
    /// Cancelled when the server stops; ends every stream.
    shutdown: CancellationToken,
    /// The cap on open sessions (both kinds).
    cap: Arc<SessionCap>,
    /// `--max-body-bytes` (the body guard has already enforced it).
    max_body: usize,
}

impl SseState {
    pub fn new(
        handler: KommoMcp,
        sessions: Arc<SseSessions>,
        shutdown: CancellationToken,
        cap: Arc<SessionCap>,
        max_body: usize,
    ) -> Self {
        let config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true)
            .with_max_request_body_bytes(max_body)
            .disable_allowed_hosts()
            .with_cancellation_token(shutdown.child_token());
        let observed = Observed::new(handler, "sse");
        let answers = StreamableHttpService::new(
            move || Ok(observed.clone()),
            Arc::new(NeverSessionManager::default()),
            config,
        );
        Self {
            sessions,
            answers: Arc::new(answers),
            shutdown,
            cap,
            max_body,
        }
    }

    pub fn sessions(&self) -> &Arc<SseSessions> {
        &self.sessions
    }
}

pub fn router(state: SseState) -> Router {
    Router::new()
        .route("/sse", get(open_stream))
        .route(MESSAGE_PATH, post(receive_message))
        .with_state(state)
}

/// Removes the session when the event stream is dropped (the client hung up, or the
/// server stopped).
struct SessionGuard {
    sessions: Arc<SseSessions>,
    id: String,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.sessions.remove(&self.id);
        tracing::debug!(session = %self.id, "SSE stream closed");
    }
}

/// Counts a message being answered until dropped.
struct Answering(Arc<SseSessions>);

impl Answering {
    fn start(sessions: Arc<SseSessions>) -> Self {
        sessions.answering.fetch_add(1, Ordering::SeqCst);
        Self(sessions)
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.answering.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn open_stream(
    State(state): State<SseState>,
    scope: Option<Extension<RequestScope>>,
) -> Response {
    if let Some(refusal) = state.cap.refusal() {
        return refusal;
    }
    session_stream(state, scope).into_response()
}

fn session_stream(
    state: SseState,
    scope: Option<Extension<RequestScope>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (outbound_tx, outbound_rx) = mpsc::channel(CHANNEL_CAPACITY);
    state.sessions.lock().insert(
        id.clone(),
        Session {
            outbound: outbound_tx,
            connect_scope: scope.map(|Extension(scope)| scope).unwrap_or_default(),
        },
    );
    tracing::debug!(session = %id, "SSE stream opened");

    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("{MESSAGE_PATH}?sessionId={id}"));
    let guard = SessionGuard {
        sessions: state.sessions,
        id,
    };
    let messages = ReceiverStream::new(outbound_rx).map(move |message| {
        let _alive = &guard;
        Ok(Event::default().event("message").data(message))
    });
    let events = stream::once(async move { Ok(endpoint) })
        .chain(messages)
        .take_until(state.shutdown.cancelled_owned());
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
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
        .map(|session| (session.outbound.clone(), session.connect_scope.clone()));
    let Some((outbound, connect_scope)) = found else {
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
    // Only a request gets an answer; a notification, or an answer to a server request (this
    // server sends none), leaves nothing to do and nothing to say on the stream.
    let request_id = match serde_json::from_slice::<ClientJsonRpcMessage>(&bytes) {
        Ok(ClientJsonRpcMessage::Request(request)) => request.id,
        Ok(_) => return StatusCode::ACCEPTED.into_response(),
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
    parts
        .headers
        .insert(header::ACCEPT, HeaderValue::from_static(ACCEPT_BOTH));
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    let request = Request::from_parts(parts, Body::from(bytes));
    let answering = Answering::start(Arc::clone(&state.sessions));
    tokio::spawn(answer(
        state.answers,
        request,
        request_id,
        outbound,
        answering,
    ));
    StatusCode::ACCEPTED.into_response()
}

/// Answers one request and puts what the service said on the session's stream.
async fn answer(
    answers: Arc<StreamableHttpService<Observed, NeverSessionManager>>,
    request: Request,
    id: RequestId,
    outbound: mpsc::Sender<String>,
    _answering: Answering,
) {
    let response = answers.handle(request).await.map(Body::new);
    let mut messages = std::pin::pin!(sse_answer::messages(response, id));
    while let Some(message) = messages.next().await {
        if outbound.send(message).await.is_err() {
            tracing::debug!("the SSE stream closed before its answer was sent");
            return;
        }
    }
}
