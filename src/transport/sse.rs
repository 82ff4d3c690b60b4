//! The legacy HTTP+SSE transport (protocol 2024-11-05), which rmcp no longer ships:
//! `GET /sse` opens a session whose first event names `/sse/message?sessionId=…`; each
//! `POST` there is answered by rmcp's stateless service, and the answer goes out on the
//! stream. A session is a sender into its stream, not a running service, so an open idle
//! stream costs its connection and little more. A session is removed as soon as its stream
//! closes.
//!
//! A session belongs to the caller that opened it: a `POST` naming another caller's
//! session is answered exactly as one naming no session (404). The headers of the `GET
//! /sse` only narrow what the poster's own key allows (see [`scope_layer::session_scope`]).
//! Bounds: each stream counts as a session and a stream of its caller, each message being
//! answered as one of its calls; a stream that sees no `POST` for `--session-idle-timeout`
//! is closed; and a client that does not read its stream is disconnected once
//! [`MAX_WAITING_ANSWERS`] answers wait for it. A call's requests to the client
//! (elicitation) go out on the session's stream too, and the client's answers, posted like
//! any message, reach the call that waits ([`super::client_requests`]).

use std::{
    collections::HashMap,
    convert::Infallible,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Extension, Router,
    body::Body,
    extract::{Query, Request, State},
    http::Extensions,
    http::{HeaderValue, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::{get, post},
};
use futures::{Stream, StreamExt, stream};
use rmcp::{
    model::{ClientJsonRpcMessage, ClientRequest, RequestId},
    transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::never::NeverSessionManager,
    },
};
use serde::Deserialize;
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::Observed;
use super::{
    bare,
    caller::{Caller, name_of, owner_of},
    caller_share::{CallerShares, Kind, Slot},
    cancel_map::{self, CancelMap, Cancelling, Registered},
    client_requests::{HttpLink, PendingRequests},
    idle_sweep,
    reply::{code, json_error},
    scope_layer::{self, ScopeRules},
    session_cap::SessionCap,
    sse_answer,
};
use crate::{cancellation::CallCancel, client_link::ClientFacts};
use crate::{
    observe::{metrics, otel},
    scope::RequestScope,
    server::KommoMcp,
};

/// The path of the message endpoint the `endpoint` event names.
pub(crate) const MESSAGE_PATH: &str = "/sse/message";
/// Answers that may wait for a client that does not read its stream (beyond what the
/// connection's buffers hold); one more and the client is disconnected. Answers are never
/// buffered without limit.
pub(crate) const MAX_WAITING_ANSWERS: usize = 64;
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// What the stateless service needs to hear to answer a message (legacy clients may send
/// neither header).
const ACCEPT_BOTH: &str = "application/json, text/event-stream";
const JSON: &str = "application/json";

/// One open session: where its answers go, who owns it, and the headers of the `GET /sse`
/// that opened it (they apply to every message unless the `POST` narrows them further).
struct Session {
    outbound: mpsc::Sender<String>,
    connect_scope: RequestScope,
    owner: Arc<str>,
    last_used: Instant,
    /// Cancelled to end the stream (idle, or a client that does not read).
    ended: CancellationToken,
    /// The session's requests being answered, for `notifications/cancelled`.
    calls: Arc<CancelMap>,
    /// What the client declared in its `initialize` (posted like any message).
    client: ClientFacts,
    /// The server's requests to the client that wait for its answer.
    pending: Arc<PendingRequests>,
}

/// The open sessions, and the messages being answered for them.
pub(crate) struct SseSessions {
    open: Mutex<HashMap<String, Session>>,
    answering: AtomicUsize,
    /// A stream without a `POST` for this long is closed.
    idle: Duration,
}

impl SseSessions {
    pub(crate) fn new(idle: Duration) -> Self {
        Self {
            open: Mutex::new(HashMap::new()),
            answering: AtomicUsize::new(0),
            idle,
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.lock().len()
    }

    /// Messages being answered now (no service runs between them; `/healthz` still calls
    /// this `sse_services`).
    pub(crate) fn answering(&self) -> usize {
        self.answering.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn remove(&self, id: &str) {
        let removed = self.lock().remove(id);
        drop(removed);
    }

    /// Keeps what session `id`'s client declared in its `initialize`.
    fn declare(&self, id: &str, params: &rmcp::model::InitializeRequestParams) {
        if let Some(session) = self.lock().get_mut(id) {
            session.client = ClientFacts::of(params);
        }
    }

    /// What session `id`'s client declared, if the session is open.
    fn client(&self, id: &str) -> Option<ClientFacts> {
        self.lock().get(id).map(|session| session.client)
    }

    /// Ends session `id`'s stream now and forgets it.
    fn end(&self, id: &str) {
        if let Some(session) = self.lock().remove(id) {
            session.ended.cancel();
        }
    }

    /// Ends the streams that saw no message for the idle timeout; returns how many.
    pub(crate) fn expire_idle(&self) -> usize {
        let now = Instant::now();
        let mut open = self.lock();
        let before = open.len();
        open.retain(|_, session| {
            let alive = now.saturating_duration_since(session.last_used) < self.idle;
            if !alive {
                session.ended.cancel();
            }
            alive
        });
        before - open.len()
    }

    /// Ends idle streams every [`idle_sweep::period`] until `shutdown` (the server's task for
    /// it).
    pub(crate) async fn expire_until(self: Arc<Self>, shutdown: CancellationToken) {
        let idle = self.idle;
        let expire = move || self.expire_idle();
        idle_sweep::sweep_until(idle, shutdown, expire, "idle SSE stream(s) closed").await;
    }

    /// Drops every session (server shutdown): each stream ends once its answers are out.
    pub(crate) fn close_all(&self) {
        let sessions = std::mem::take(&mut *self.lock());
        drop(sessions);
    }
}

#[derive(Clone)]
pub(crate) struct SseState {
    sessions: Arc<SseSessions>,
    /// Answers each message, as for a stateless `POST /mcp`.
    answers: Arc<StreamableHttpService<Observed, NeverSessionManager>>,
    /// Cancelled when the server stops; ends every stream.
    shutdown: CancellationToken,
    /// The cap on open sessions (both kinds).
    cap: Arc<SessionCap>,
    /// Each caller's share of sessions, streams and requests in flight.
    shares: Arc<CallerShares>,
    /// What a message's scope is narrowed by.
    rules: ScopeRules,
    /// `--max-body-bytes` (the body guard has already enforced it).
    max_body: usize,
}

impl SseState {
    pub(crate) fn new(
        handler: KommoMcp,
        sessions: Arc<SseSessions>,
        shutdown: CancellationToken,
        (cap, shares): (Arc<SessionCap>, Arc<CallerShares>),
        max_body: usize,
    ) -> Self {
        let rules = ScopeRules {
            server_tools: handler.server_tools(),
            own_subdomain: handler.own_subdomain(),
            audit: handler.toolkit().audit().cloned(),
        };
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
            shares,
            rules,
            max_body,
        }
    }

    pub(crate) fn sessions(&self) -> &Arc<SseSessions> {
        &self.sessions
    }
}

pub(crate) fn router(state: SseState) -> Router {
    Router::new()
        .route("/sse", get(open_stream))
        .route(MESSAGE_PATH, post(receive_message))
        .with_state(state)
}

/// Removes the session when the event stream is dropped (the client hung up, or the
/// server stopped), and holds its caller's session and stream slots until then.
struct SessionGuard {
    sessions: Arc<SseSessions>,
    id: String,
    _slots: [Slot; 2],
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
    extensions: Extensions,
) -> Response {
    if let Some(refusal) = state.cap.refusal() {
        return refusal;
    }
    let owner = owner_of(&extensions);
    let slots = state
        .shares
        .try_take(&owner, Kind::Session)
        .and_then(|session| Ok([session, state.shares.try_take(&owner, Kind::Stream)?]));
    match slots {
        Ok(slots) => session_stream(state, scope, slots).into_response(),
        Err(refused) => {
            let client = name_of(&extensions);
            tracing::warn!(%client, "refused an SSE stream: {refused}");
            refused.response()
        }
    }
}

fn session_stream(
    state: SseState,
    scope: Option<Extension<RequestScope>>,
    slots: [Slot; 2],
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (outbound_tx, outbound_rx) = mpsc::channel(MAX_WAITING_ANSWERS);
    let ended = CancellationToken::new();
    state.sessions.lock().insert(
        id.clone(),
        Session {
            outbound: outbound_tx,
            connect_scope: scope.map(|Extension(scope)| scope).unwrap_or_default(),
            owner: Arc::clone(slots[0].owner()),
            last_used: Instant::now(),
            ended: ended.clone(),
            calls: Arc::default(),
            client: ClientFacts::default(),
            pending: Arc::default(),
        },
    );
    tracing::debug!(session = %short(&id), "SSE stream opened");

    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("{MESSAGE_PATH}?sessionId={id}"));
    let guard = SessionGuard {
        sessions: state.sessions,
        id,
        _slots: slots,
    };
    let messages = ReceiverStream::new(outbound_rx).map(move |message| {
        let _alive = &guard;
        Ok(Event::default().event("message").data(message))
    });
    let shutdown = state.shutdown;
    let end = async move {
        tokio::select! {
            () = shutdown.cancelled() => {}
            () = ended.cancelled() => {}
        }
    };
    let events = stream::once(async move { Ok(endpoint) })
        .chain(messages)
        .take_until(end);
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// The first characters of a session id, enough to tell sessions apart in a log without
/// handing a reader the id (it is the only thing guarding a session without auth).
fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
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
    let owner = owner_of(request.extensions());
    let client = name_of(request.extensions());
    let found = state
        .sessions
        .lock()
        .get_mut(&id)
        .filter(|session| session.owner == owner)
        .map(|session| {
            session.last_used = Instant::now();
            (
                session.outbound.clone(),
                session.connect_scope.clone(),
                Arc::clone(&session.calls),
                Arc::clone(&session.pending),
            )
        });
    let Some((outbound, connect_scope, calls, pending)) = found else {
        tracing::debug!(%client, "no SSE session {}… of this caller", short(&id));
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
    // Only a request gets an answer; a notification, or an answer to a server request (it
    // goes to the call that waits for it), leaves nothing to say on the stream.
    // `notifications/cancelled` cancels the request it names, if it is still being answered.
    let request_id = match serde_json::from_slice::<ClientJsonRpcMessage>(&bytes) {
        Ok(ClientJsonRpcMessage::Request(request)) => {
            if let ClientRequest::InitializeRequest(initialize) = &request.request {
                state.sessions.declare(&id, &initialize.params);
            }
            request.id
        }
        Ok(ClientJsonRpcMessage::Response(_) | ClientJsonRpcMessage::Error(_)) => {
            pending.route(&bytes);
            return StatusCode::ACCEPTED.into_response();
        }
        Ok(_) => {
            if let Cancelling::Cancels(request) = cancel_map::read(&bytes) {
                calls.cancel(&request);
            }
            return StatusCode::ACCEPTED.into_response();
        }
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
    let caller = parts.extensions.get::<Caller>();
    let scope = match scope_layer::session_scope(&connect_scope, &post_scope, caller, &state.rules)
    {
        Ok(scope) => scope,
        Err(reason) => {
            tracing::warn!(%client, "refused an SSE message: {reason}");
            return json_error(StatusCode::FORBIDDEN, code::INVALID_REQUEST, reason);
        }
    };
    let call = match state.shares.try_take(&owner, Kind::Call) {
        Ok(slot) => slot,
        Err(refused) => {
            tracing::warn!(%client, "refused an SSE message: {refused}");
            return refused.response();
        }
    };
    parts.extensions.insert(scope);
    let to = Outbound {
        sessions: Arc::clone(&state.sessions),
        id,
        sender: outbound.clone(),
        client,
    };
    // A plain tools/list is answered from the serialized list, as in a /mcp session.
    let started = Instant::now();
    if let Some(answer) = bare::session_tools_list(&parts, &bytes, state.rules.server_tools)
        .and_then(|json| String::from_utf8(json).ok())
    {
        let _span = otel::answered_early("tools/list", "sse", &parts, &bytes).entered();
        let elapsed = started.elapsed();
        metrics::record_operation("tools/list", None, metrics::Outcome::Ok, "sse", elapsed);
        to.deliver(answer);
        drop(call);
        return StatusCode::ACCEPTED.into_response();
    }
    if let Some(facts) = state
        .sessions
        .client(&to.id)
        .filter(|facts| facts.can_elicit())
    {
        let link = HttpLink::for_call(facts, pending, outbound);
        parts.extensions.insert(link);
    }
    let registered = calls.register(&request_id);
    parts
        .extensions
        .insert(CallCancel(registered.token.clone()));
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
        to,
        (answering, call, registered),
    ));
    StatusCode::ACCEPTED.into_response()
}

/// Where one request's answer goes.
struct Outbound {
    sessions: Arc<SseSessions>,
    id: String,
    sender: mpsc::Sender<String>,
    /// The caller's name, for the log.
    client: Arc<str>,
}

impl Outbound {
    /// Puts one message on the stream; false when the stream is gone, or ended because
    /// [`MAX_WAITING_ANSWERS`] already wait (the client is not reading it).
    fn deliver(&self, message: String) -> bool {
        match self.sender.try_send(message) {
            Ok(()) => true,
            Err(TrySendError::Closed(_)) => {
                tracing::debug!("the SSE stream closed before its answer was sent");
                false
            }
            Err(TrySendError::Full(_)) => {
                tracing::warn!(
                    client = %self.client,
                    "disconnected an SSE client that does not read its stream ({MAX_WAITING_ANSWERS} answers waiting)"
                );
                self.sessions.end(&self.id);
                false
            }
        }
    }
}

/// Answers one request and puts what the service said on the session's stream. The
/// request counts among its caller's calls until then (`held`). An answer never waits for
/// room: when [`MAX_WAITING_ANSWERS`] already wait, the client is not reading its stream,
/// and the stream is ended.
async fn answer(
    answers: Arc<StreamableHttpService<Observed, NeverSessionManager>>,
    request: Request,
    id: RequestId,
    to: Outbound,
    held: (Answering, Slot, Registered),
) {
    let response = answers.handle(request).await.map(Body::new);
    let mut messages = std::pin::pin!(sse_answer::messages(response, id));
    while let Some(message) = messages.next().await {
        if !to.deliver(message) {
            return;
        }
    }
    drop(held);
}
