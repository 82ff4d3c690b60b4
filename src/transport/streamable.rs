//! `/mcp`: rmcp's streamable HTTP service, plus two adaptations for real clients — a bare
//! JSON `POST` (no session, no `Accept: text/event-stream`, as curl or the Horneross
//! documentation send it) is answered statelessly with plain `application/json`, and a
//! successful `DELETE` answers 204 (the Python client expects 200 or 204).

use std::sync::Arc;

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use rmcp::transport::streamable_http_server::{
    StreamableHttpServerConfig, StreamableHttpService,
    session::{
        SessionStore,
        local::{LocalSessionManager, SessionConfig},
        never::NeverSessionManager,
    },
};
use tokio_util::sync::CancellationToken;

use super::{bare, session_cap::SessionCap};
use crate::{
    observe::{metrics, service::Observed},
    server::KommoMcp,
    shared::sessions::RedisSessions,
    toolset::ToolSet,
};

const SESSION_HEADER: &str = "mcp-session-id";
const ACCEPT_BOTH: &str = "application/json, text/event-stream";

/// The `/mcp` endpoint.
pub struct McpEndpoint {
    main: StreamableHttpService<Observed, LocalSessionManager>,
    bare_json: StreamableHttpService<Observed, NeverSessionManager>,
    cap: Arc<SessionCap>,
    stateless: bool,
    max_body: usize,
    server_tools: ToolSet,
    /// Sessions shared through Redis (any replica serves any session), when configured.
    store: Option<Arc<RedisSessions>>,
}

impl McpEndpoint {
    /// `stateless` turns sessions off. Host and Origin are checked by our own guard in
    /// front of every route, so rmcp's own Host check is off here. `cap` holds the session
    /// manager (and the cap on sessions); bodies are already bounded to `max_body`.
    pub fn new(
        handler: KommoMcp,
        stateless: bool,
        cap: Arc<SessionCap>,
        max_body: usize,
        shutdown: &CancellationToken,
    ) -> Self {
        let sessions = Arc::clone(&cap.streamable);
        let idle = sessions
            .session_config
            .keep_alive
            .unwrap_or(SessionConfig::DEFAULT_KEEP_ALIVE);
        let store = (!stateless)
            .then(|| handler.redis())
            .flatten()
            .map(|link| Arc::new(RedisSessions::new(link, idle)));
        let config = |sessions_on: bool| {
            let mut config = StreamableHttpServerConfig::default();
            if sessions_on && let Some(store) = &store {
                config.session_store = Some(Arc::clone(store) as Arc<dyn SessionStore>);
            }
            config
                .with_legacy_session_mode(sessions_on)
                .with_json_response(!sessions_on)
                .with_max_request_body_bytes(max_body)
                .disable_allowed_hosts()
                .with_cancellation_token(shutdown.child_token())
        };
        let factory = |handler: KommoMcp, transport: &'static str| {
            let service = Observed::new(handler, transport);
            move || Ok(service.clone())
        };
        let server_tools = handler.server_tools();
        Self {
            main: StreamableHttpService::new(
                factory(handler.clone(), "streamable_http"),
                Arc::clone(&sessions),
                config(!stateless),
            ),
            bare_json: StreamableHttpService::new(
                factory(handler, "bare_json"),
                Arc::new(NeverSessionManager::default()),
                config(false),
            ),
            cap,
            stateless,
            max_body,
            server_tools,
            store,
        }
    }

    /// Streamable HTTP sessions currently open.
    pub async fn session_count(&self) -> usize {
        self.cap.streamable_count().await
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

/// The `/mcp` handler.
pub async fn handle(State(endpoint): State<Arc<McpEndpoint>>, request: Request) -> Response {
    let method = request.method().clone();
    let bare = method == Method::POST
        && !request.headers().contains_key(SESSION_HEADER)
        && !accepts_event_stream(&request);
    let response = if bare {
        let (mut parts, body) = request.into_parts();
        let Ok(body) = axum::body::to_bytes(body, endpoint.max_body).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let started = std::time::Instant::now();
        if let Some(answer) = bare::tools_list(&parts, &body, endpoint.server_tools) {
            let outcome = metrics::Outcome::Ok;
            metrics::record_operation("tools/list", None, outcome, "bare_json", started.elapsed());
            return answer;
        }
        parts
            .headers
            .insert(header::ACCEPT, HeaderValue::from_static(ACCEPT_BOTH));
        endpoint
            .bare_json
            .handle(Request::from_parts(parts, Body::from(body)))
            .await
    } else {
        let opens_session = method == Method::POST
            && !endpoint.stateless
            && !request.headers().contains_key(SESSION_HEADER);
        if opens_session && let Some(refusal) = endpoint.cap.refusal().await {
            return refusal;
        }
        if let (Some(store), Some(id)) = (&endpoint.store, session_id(&request)) {
            // The session is in use: its shared entry lives another idle period.
            let store = Arc::clone(store);
            tokio::spawn(async move {
                let _ = store.touch(&id).await;
            });
        }
        endpoint.main.handle(request).await
    };
    let mut response = response.map(Body::new);
    if method == Method::DELETE && response.status() == StatusCode::ACCEPTED {
        *response.status_mut() = StatusCode::NO_CONTENT;
        *response.body_mut() = Body::empty();
    }
    response
}
