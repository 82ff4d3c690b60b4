//! `/mcp`: streamable HTTP, with three adaptations for real clients. A bare JSON `POST`
//! (no session, no `Accept: text/event-stream`, as curl or the Horneross documentation
//! send it) is answered statelessly with plain `application/json`. Sessions are our own
//! small records ([`StreamableSessions`]); each request in one is answered with a streamed
//! answer by rmcp's stateless service, so an idle session holds no task and no channel. A
//! successful `DELETE` answers 204 (the Python client expects 200 or 204).
//!
//! A session belongs to the caller that opened it: a `POST`, `GET` or `DELETE` naming
//! another caller's session is answered exactly as one naming no session (404). Each
//! caller's sessions, standalone streams and requests in flight count against its share
//! ([`CallerShares`]).
//!
//! Every event of a session's streams carries an id, and a dropped stream can be resumed
//! with `Last-Event-ID` (the [`replay`] module frames and keeps the events).

use std::sync::Arc;

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use rmcp::{
    model::{ClientJsonRpcMessage, ClientRequest},
    transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::never::NeverSessionManager,
    },
};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{
    Observed, bare, batch,
    caller::{name_of, owner_of},
    caller_share::{CallerShares, Kind, Slot},
    cancel_map::{self, Cancelling},
    client_requests,
    held_body::Holding,
    malformed, replay,
    session_cap::SessionCap,
    sessions::StreamableSessions,
};
use crate::{
    cancellation::CallCancel,
    observe::{metrics, otel},
    server::KommoMcp,
    toolset::ToolSet,
};

const SESSION_HEADER: &str = "mcp-session-id";
const ACCEPT_BOTH: &str = "application/json, text/event-stream";

/// The `/mcp` endpoint.
pub(super) struct McpEndpoint {
    /// Without a session: rmcp's own answers (a request that needs a session and has none;
    /// the per-request protocol of 2026-07-28). In `--stateless` mode, every request.
    main: StreamableHttpService<Observed, NeverSessionManager>,
    /// `initialize` and every request in a session, answered as an event stream.
    streamed: StreamableHttpService<Observed, NeverSessionManager>,
    bare_json: StreamableHttpService<Observed, NeverSessionManager>,
    cap: Arc<SessionCap>,
    /// Each caller's share of sessions, streams and requests in flight.
    shares: Arc<CallerShares>,
    stateless: bool,
    max_body: usize,
    server_tools: ToolSet,
    /// Ends every standalone stream when the server stops.
    shutdown: CancellationToken,
}

impl McpEndpoint {
    /// `stateless` turns sessions off. Host and Origin are checked by our own guard in
    /// front of every route, so rmcp's own Host check is off here. `cap` holds the sessions
    /// (and the cap on them); bodies are already bounded to `max_body`.
    pub(super) fn new(
        handler: KommoMcp,
        stateless: bool,
        cap: Arc<SessionCap>,
        shares: Arc<CallerShares>,
        max_body: usize,
        shutdown: &CancellationToken,
    ) -> Self {
        let config = |sessions_on: bool, json_response: bool| {
            StreamableHttpServerConfig::default()
                .with_legacy_session_mode(sessions_on)
                .with_json_response(json_response)
                .with_max_request_body_bytes(max_body)
                .disable_allowed_hosts()
                .with_cancellation_token(shutdown.child_token())
        };
        let service = |handler: KommoMcp, transport: &'static str, config| {
            let observed = Observed::new(handler, transport);
            StreamableHttpService::new(
                move || Ok(observed.clone()),
                Arc::new(NeverSessionManager::default()),
                config,
            )
        };
        let server_tools = handler.server_tools();
        Self {
            main: service(
                handler.clone(),
                "streamable_http",
                config(!stateless, stateless),
            ),
            streamed: service(handler.clone(), "streamable_http", config(false, false)),
            bare_json: service(handler, "bare_json", config(false, true)),
            cap,
            shares,
            stateless,
            max_body,
            server_tools,
            shutdown: shutdown.clone(),
        }
    }

    fn sessions(&self) -> &StreamableSessions {
        &self.cap.streamable
    }

    /// Streamable HTTP sessions currently open.
    pub(super) fn session_count(&self) -> usize {
        self.cap.streamable_count()
    }
}

fn session_id(request: &Request) -> Option<String> {
    request
        .headers()
        .get(SESSION_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| id.len() <= 128)
        .map(str::to_owned)
}

/// Whether the request names `text/event-stream` in `Accept` (a streamable HTTP client).
fn accepts_event_stream(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|media| {
            media
                .split(';')
                .next()
                .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/event-stream"))
        })
}

/// Only what routes a message: its method, and whether it answers a server request.
#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(borrow, default)]
    method: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, deserialize_with = "present")]
    result: bool,
    #[serde(default, deserialize_with = "present")]
    error: bool,
}

/// True for a member that is there, whatever its value (`null` included).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}

impl Probe<'_> {
    fn read(body: &[u8]) -> Option<Probe<'_>> {
        serde_json::from_slice(body).ok()
    }

    /// A client's answer to a server request: no method, a result or an error.
    fn is_answer(&self) -> bool {
        self.method.is_none() && (self.result || self.error)
    }

    fn is_initialize(&self) -> bool {
        self.method.as_deref() == Some("initialize")
    }
}

/// The answer to a request naming a session that is not open, or not its caller's (the
/// same, so ids cannot be probed).
fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not Found: Session not found").into_response()
}

/// `response` with `slot` held until its body has been sent or dropped.
fn holding(response: Response, slot: Slot) -> Response {
    response.map(|body| Holding::body(body, slot))
}

/// The `/mcp` handler: a `POST` is counted in its caller's requests in flight until its
/// answer is sent.
pub(super) async fn handle(State(endpoint): State<Arc<McpEndpoint>>, request: Request) -> Response {
    if request.method() != Method::POST {
        return endpoint.route(request).await;
    }
    let owner = owner_of(request.extensions());
    match endpoint.shares.try_take(&owner, Kind::Call) {
        Ok(slot) => replay::hand_over(endpoint.route(request).await, slot, holding),
        Err(refused) => {
            let client = name_of(request.extensions());
            tracing::warn!(%client, "refused a request on /mcp: {refused}");
            refused.response()
        }
    }
}

impl McpEndpoint {
    /// Sends the request down its path: bare JSON, stateless, in a session, or opening one.
    async fn route(&self, request: Request) -> Response {
        let method = request.method().clone();
        let bare = method == Method::POST
            && !request.headers().contains_key(SESSION_HEADER)
            && !accepts_event_stream(&request);
        if bare {
            return self.bare(request).await;
        }
        if self.stateless {
            if method != Method::POST {
                return self.main.handle(request).await.map(Body::new);
            }
            let (parts, body) = match self.read(request).await {
                Ok(read) => read,
                Err(refusal) => return refusal,
            };
            if malformed::is_batch(&body) {
                return malformed::batch_refused();
            }
            return pass(&self.main, parts, body).await;
        }
        if request.headers().contains_key(SESSION_HEADER) {
            return match session_id(&request) {
                Some(id) => self.in_session(id, method, request).await,
                None => not_found(),
            };
        }
        if method == Method::POST {
            self.without_session(request).await
        } else {
            self.main.handle(request).await.map(Body::new)
        }
    }

    /// The request's head and whole body (the body guard has already bounded it; this
    /// bound only backs it up).
    async fn read(&self, request: Request) -> Result<(Parts, Bytes), Response> {
        let (parts, body) = request.into_parts();
        match axum::body::to_bytes(body, self.max_body).await {
            Ok(body) => Ok((parts, body)),
            Err(_) => Err(StatusCode::PAYLOAD_TOO_LARGE.into_response()),
        }
    }

    /// A plain JSON `POST` without a session.
    async fn bare(&self, request: Request) -> Response {
        let (mut parts, body) = match self.read(request).await {
            Ok(read) => read,
            Err(refusal) => return refusal,
        };
        let started = std::time::Instant::now();
        if let Some(answer) = bare::tools_list(&parts, &body, self.server_tools) {
            let _span = otel::answered_early("tools/list", "bare_json", &parts, &body).entered();
            let outcome = metrics::Outcome::Ok;
            metrics::record_operation("tools/list", None, outcome, "bare_json", started.elapsed());
            return answer;
        }
        if malformed::is_batch(&body) {
            return malformed::batch_refused();
        }
        parts
            .headers
            .insert(header::ACCEPT, HeaderValue::from_static(ACCEPT_BOTH));
        pass(&self.bare_json, parts, body).await
    }

    /// A `POST` without a session: an `initialize` opens one; anything else gets rmcp's
    /// answer (a session is required, or the request carries its own protocol version).
    async fn without_session(&self, request: Request) -> Response {
        let (parts, body) = match self.read(request).await {
            Ok(read) => read,
            Err(refusal) => return refusal,
        };
        if malformed::is_batch(&body) {
            return malformed::batch_refused();
        }
        let initialize = Probe::read(&body).is_some_and(|probe| probe.is_initialize());
        if !initialize {
            return pass(&self.main, parts, body).await;
        }
        if let Some(refusal) = self.cap.refusal() {
            return refusal;
        }
        let owner = owner_of(&parts.extensions);
        let slot = match self.shares.try_take(&owner, Kind::Session) {
            Ok(slot) => slot,
            Err(refused) => {
                let client = name_of(&parts.extensions);
                tracing::warn!(%client, "refused a new session: {refused}");
                return refused.response();
            }
        };
        self.initialize(parts, body, slot).await
    }

    /// Answers `initialize` through the stateless service and, if it succeeded (an answer
    /// with a `result`), opens a session in `slot` (its caller's) and names it in
    /// `Mcp-Session-Id`. A failed `initialize` opens nothing.
    async fn initialize(&self, parts: Parts, body: Bytes, slot: Slot) -> Response {
        let params = match serde_json::from_slice::<ClientJsonRpcMessage>(&body) {
            Ok(ClientJsonRpcMessage::Request(request)) => match request.request {
                ClientRequest::InitializeRequest(initialize) => Some(initialize.params),
                _ => None,
            },
            _ => None,
        };
        let response = pass(&self.streamed, parts, body).await;
        if response.status() != StatusCode::OK {
            return response;
        }
        let (head, answer) = response.into_parts();
        let Ok(answer) = axum::body::to_bytes(answer, self.max_body).await else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let mut response = Response::from_parts(head, Body::from(answer.clone()));
        let Some(params) = params.filter(|_| carries_result(&answer)) else {
            return response;
        };
        let id = self.sessions().open(slot, Some(params)).await;
        match HeaderValue::from_str(&id) {
            Ok(value) => {
                response.headers_mut().insert(SESSION_HEADER, value);
                response
            }
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }

    /// A request naming session `id`.
    async fn in_session(&self, id: String, method: Method, request: Request) -> Response {
        if !matches!(method, Method::POST | Method::GET | Method::DELETE) {
            return self.main.handle(request).await.map(Body::new);
        }
        if method == Method::GET && !accepts_event_stream(&request) {
            return (
                StatusCode::NOT_ACCEPTABLE,
                "Not Acceptable: Client must accept text/event-stream",
            )
                .into_response();
        }
        let owner = owner_of(request.extensions());
        if !self.sessions().resume(&id, &owner).await {
            let client = name_of(request.extensions());
            tracing::debug!(%client, %method, "no session {}… of this caller", short(&id));
            return not_found();
        }
        match method {
            Method::DELETE => {
                self.sessions().close(&id).await;
                StatusCode::NO_CONTENT.into_response()
            }
            Method::GET => {
                let (Some(ended), Some(buffer)) =
                    (self.sessions().ended(&id), self.sessions().replay(&id))
                else {
                    return not_found();
                };
                let ends = replay::StreamEnds {
                    session: ended,
                    server: self.shutdown.clone(),
                };
                let headers = request.headers();
                let last_event_id = headers.get(replay::LAST_EVENT_ID);
                match self.shares.try_take(&owner, Kind::Stream) {
                    Ok(slot) => match last_event_id.map(|id| id.to_str().unwrap_or_default()) {
                        Some(id) => replay::resume(buffer, id, ends, slot),
                        None => {
                            replay::standalone(buffer, ends, slot, replay::priming_for(headers))
                        }
                    },
                    Err(refused) => {
                        let client = name_of(request.extensions());
                        tracing::warn!(%client, "refused a standalone stream: {refused}");
                        refused.response()
                    }
                }
            }
            _ => self.session_post(&id, request).await,
        }
    }

    /// A message in open session `id`. Requests and notifications go to the stateless
    /// service (requests are answered on their own event stream, which also carries the
    /// call's requests to the client); a client's answer to a server request goes to the
    /// call that waits for it ([`client_requests`]). A second
    /// `initialize` is refused; a batch is answered only if the session's revision has them.
    async fn session_post(&self, id: &str, request: Request) -> Response {
        let (mut parts, body) = match self.read(request).await {
            Ok(read) => read,
            Err(refusal) => return refusal,
        };
        if malformed::is_batch(&body) {
            if !self.sessions().accepts_batches(id) {
                return malformed::batch_refused();
            }
            parts
                .headers
                .insert(header::ACCEPT, HeaderValue::from_static(ACCEPT_BOTH));
            return batch::answer(&parts, &body, |one| async {
                let (parts, body) = match self.read(one).await {
                    Ok(read) => read,
                    Err(refusal) => return refusal,
                };
                self.session_message(id, parts, body, &self.bare_json).await
            })
            .await;
        }
        let Some(buffer) = self.sessions().replay(id) else {
            return not_found();
        };
        // Every answer's events get ids and are kept for a client that resumes the stream.
        let priming = replay::priming_for(&parts.headers);
        // A plain tools/list is answered from the serialized list, as on the bare path.
        let started = std::time::Instant::now();
        if let Some(answer) = bare::session_tools_list(&parts, &body, self.server_tools) {
            let _span =
                otel::answered_early("tools/list", "streamable_http", &parts, &body).entered();
            let outcome = metrics::Outcome::Ok;
            let elapsed = started.elapsed();
            metrics::record_operation("tools/list", None, outcome, "streamable_http", elapsed);
            return replay::whole_answer(Bytes::from(answer), &buffer, priming);
        }
        let answer = self.session_message(id, parts, body, &self.streamed).await;
        replay::resumable(answer, &buffer, priming)
    }

    /// One message of session `id`, answered by `service`. A request can be cancelled
    /// (its token, in the request's extensions, lives as long as its answer); a
    /// `notifications/cancelled` cancels the request it names.
    async fn session_message(
        &self,
        id: &str,
        mut parts: Parts,
        body: Bytes,
        service: &StreamableHttpService<Observed, NeverSessionManager>,
    ) -> Response {
        match Probe::read(&body) {
            Some(probe) if probe.is_answer() => return self.client_answer(id, &body),
            Some(probe) if probe.is_initialize() => return malformed::second_initialize(&body),
            _ => {}
        }
        let Some(calls) = self.sessions().calls(id) else {
            return not_found();
        };
        match cancel_map::read(&body) {
            Cancelling::Cancels(request) => {
                calls.cancel(&request);
                StatusCode::ACCEPTED.into_response()
            }
            Cancelling::Request(request) => {
                let registered = calls.register(&request);
                parts
                    .extensions
                    .insert(CallCancel(registered.token.clone()));
                // Requests to the client go out on the answer's event stream (not on a
                // batch's JSON answer).
                let to_client = std::ptr::eq(service, &self.streamed)
                    .then(|| self.link_client(id, &mut parts))
                    .flatten();
                let response = pass(service, parts, body).await;
                let response = match to_client {
                    Some(requests) => client_requests::with_requests(response, requests),
                    None => response,
                };
                response.map(|answer| Holding::body(answer, registered))
            }
            Cancelling::Neither => pass(service, parts, body).await,
        }
    }

    /// A client's answer to a server request in session `id`: handed to the call that
    /// waits for it (if any), and acknowledged with 202 either way.
    fn client_answer(&self, id: &str, body: &[u8]) -> Response {
        if let Some((_, pending)) = self.sessions().client(id) {
            pending.route(body);
        }
        StatusCode::ACCEPTED.into_response()
    }

    /// Gives the request in `parts` a way back to session `id`'s client, if the server
    /// may ask it anything; the requests it sends come out of the returned queue.
    fn link_client(&self, id: &str, parts: &mut Parts) -> Option<mpsc::Receiver<String>> {
        let (facts, pending) = self
            .sessions()
            .client(id)
            .filter(|(facts, _)| facts.can_elicit())?;
        let (sender, requests) = client_requests::call_queue();
        parts
            .extensions
            .insert(client_requests::HttpLink::for_call(facts, pending, sender));
        Some(requests)
    }
}

/// `service`'s answer to the message `body`; a body rmcp cannot read as one JSON-RPC
/// message (its 415 in plain text) is answered with a JSON-RPC error instead.
async fn pass(
    service: &StreamableHttpService<Observed, NeverSessionManager>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let sent_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"application/json"));
    let request = Request::from_parts(parts, Body::from(body.clone()));
    let response = service.handle(request).await.map(Body::new);
    if sent_json
        && response.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_none_or(|kind| !kind.as_bytes().starts_with(b"application/json"))
    {
        return malformed::not_a_message(&body);
    }
    response
}

/// Whether an event-stream answer carries a JSON-RPC `result` (not an `error`).
fn carries_result(answer: &[u8]) -> bool {
    answer
        .split(|&byte| byte == b'\n')
        .filter_map(|line| line.strip_prefix(b"data:"))
        .filter_map(|data| serde_json::from_slice::<serde_json::Value>(data).ok())
        .any(|message| message.get("result").is_some())
}

/// The first characters of a session id, enough to tell sessions apart in a log without
/// handing a reader the id.
fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
