//! Requests from the server to an HTTP client (`elicitation/create` today), and the
//! client's answers routed back to the call that waits for them. A call in a session gets
//! an [`HttpLink`]: its request goes out, under an id the server chose, on that call's own
//! answer stream (`/mcp`: the `POST`'s event stream, see [`with_requests`]; `/sse`: the
//! session's stream). A later `POST` in the same session (its owner's: another caller
//! finds no session) carrying a JSON-RPC response with that id reaches the waiting call
//! ([`PendingRequests::route`]); an answer naming no waiting request is dropped with a
//! debug log. At most [`MAX_PENDING`] requests wait per session; a wait ends with the
//! call's timeout or when the call is dropped (cancelled, or its stream closed).
//!
//! Several replicas: the waiting call lives on the replica that holds its answer stream,
//! and an answer is routed only there. Behind a load balancer, a session's requests must
//! reach one replica (session affinity on `Mcp-Session-Id`, or on `sessionId` for `/sse`);
//! an answer that reaches another replica is dropped, and the call then ends as if the
//! user had declined (after the timeout). The answer is not relayed through Redis on
//! purpose: the call's stream is one TCP connection to one replica anyway, so affinity is
//! needed for it to be read at all.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use axum::{
    body::{Body, Bytes},
    http::header,
    response::Response,
};
use futures::{StreamExt, stream};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{
    mpsc::{self, error::TrySendError},
    oneshot,
};
use tokio_stream::wrappers::ReceiverStream;

use crate::client_link::{AskClient, AskError, Asking, ClientFacts, ClientLink};

/// Requests to one session's client that may wait for an answer at once.
pub(crate) const MAX_PENDING: usize = 8;
/// Requests one `/mcp` call may have queued on its answer stream before it is read.
const CALL_QUEUE: usize = 4;

type Answer = Result<Value, AskError>;

/// One session's requests to its client that wait for an answer, by id.
#[derive(Default)]
pub(crate) struct PendingRequests {
    waiting: Mutex<HashMap<String, oneshot::Sender<Answer>>>,
}

/// A waiting request's place in the table, given up when dropped.
struct Waiting {
    pending: Arc<PendingRequests>,
    key: String,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.pending.lock().remove(&self.key);
    }
}

/// What routing needs of a client's message: its id, and its result or error.
#[derive(Deserialize)]
struct ClientAnswer {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<AnswerError>,
}

#[derive(Deserialize)]
struct AnswerError {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

/// The table key of a JSON-RPC id (its JSON text, so `1` and `"1"` differ).
fn key_of(id: &Value) -> String {
    id.to_string()
}

impl PendingRequests {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, oneshot::Sender<Answer>>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Requests waiting now.
    #[cfg(test)]
    fn count(&self) -> usize {
        self.lock().len()
    }

    /// A new id, entered in the table until the returned guard is dropped.
    fn enter(self: &Arc<Self>) -> Result<(Value, oneshot::Receiver<Answer>, Waiting), AskError> {
        let id = Value::String(format!("kommo-mcp-{}", uuid::Uuid::new_v4().simple()));
        let key = key_of(&id);
        let (sender, receiver) = oneshot::channel();
        let mut waiting = self.lock();
        if waiting.len() >= MAX_PENDING {
            return Err(AskError::TooMany(MAX_PENDING));
        }
        waiting.insert(key.clone(), sender);
        drop(waiting);
        let guard = Waiting {
            pending: Arc::clone(self),
            key,
        };
        Ok((id, receiver, guard))
    }

    /// Hands a client's answer (`body`: a JSON-RPC response or error) to the request that
    /// waits for it. Whether one did; an answer nobody waits for is dropped.
    pub(crate) fn route(&self, body: &[u8]) -> bool {
        let Ok(answer) = serde_json::from_slice::<ClientAnswer>(body) else {
            tracing::debug!("dropped a client answer that cannot be read");
            return false;
        };
        let Some(id) = answer.id else {
            tracing::debug!("dropped a client answer without an id");
            return false;
        };
        let Some(waiter) = self.lock().remove(&key_of(&id)) else {
            tracing::debug!(%id, "dropped a client answer to no waiting request");
            return false;
        };
        let routed = match (answer.result, answer.error) {
            (_, Some(error)) => Err(AskError::Refused(format!(
                "{} ({})",
                error.message.unwrap_or_default(),
                error.code.unwrap_or_default()
            ))),
            (Some(result), None) => Ok(result),
            (None, None) => Err(AskError::Unreachable(
                "the answer has neither result nor error".to_owned(),
            )),
        };
        waiter.send(routed).is_ok()
    }
}

/// The way back to an HTTP client for one call: requests go out on `outgoing` (the call's
/// answer stream) and wait in the session's `pending` table.
pub(crate) struct HttpLink {
    pending: Arc<PendingRequests>,
    outgoing: mpsc::Sender<String>,
}

impl HttpLink {
    /// The [`ClientLink`] of a call in a session whose client declared `facts`.
    pub(crate) fn for_call(
        facts: ClientFacts,
        pending: Arc<PendingRequests>,
        outgoing: mpsc::Sender<String>,
    ) -> ClientLink {
        ClientLink {
            facts,
            channel: Arc::new(Self { pending, outgoing }),
        }
    }
}

impl AskClient for HttpLink {
    fn ask(&self, method: &'static str, params: Value, timeout: Duration) -> Asking<'_> {
        Box::pin(async move {
            let (id, answer, _waiting) = self.pending.enter()?;
            let request = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
            match self.outgoing.try_send(request.to_string()) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    return Err(AskError::Unreachable(
                        "the client does not read its stream".to_owned(),
                    ));
                }
                Err(TrySendError::Closed(_)) => {
                    return Err(AskError::Unreachable("the stream closed".to_owned()));
                }
            }
            match tokio::time::timeout(timeout, answer).await {
                Ok(Ok(answer)) => answer,
                Ok(Err(_)) => Err(AskError::Unreachable("the session closed".to_owned())),
                Err(_) => Err(AskError::TimedOut(timeout)),
            }
        })
    }
}

/// A channel for one `/mcp` call's requests to its client, to give [`HttpLink::for_call`]
/// and [`with_requests`].
pub(crate) fn call_queue() -> (mpsc::Sender<String>, mpsc::Receiver<String>) {
    mpsc::channel(CALL_QUEUE)
}

/// One piece of a merged answer stream.
enum Piece {
    Answer(Result<Bytes, axum::Error>),
    Request(String),
    End,
}

/// `response` (an event stream from rmcp) with the call's requests to the client, from
/// `requests`, put between its events; it ends when rmcp's stream does. Any other
/// response (a JSON answer, a refusal) is left as it is.
pub(crate) fn with_requests(response: Response, requests: mpsc::Receiver<String>) -> Response {
    let is_stream = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/event-stream"));
    if !is_stream {
        return response;
    }
    response.map(|body| {
        let answers = body
            .into_data_stream()
            .map(Piece::Answer)
            .chain(stream::once(async { Piece::End }));
        let requests = ReceiverStream::new(requests).map(Piece::Request);
        let merged = stream::select(answers, requests)
            .take_while(|piece| std::future::ready(!matches!(piece, Piece::End)))
            .map(|piece| match piece {
                Piece::Answer(chunk) => chunk,
                Piece::Request(json) => {
                    Ok(Bytes::from(format!("event: message\ndata: {json}\n\n")))
                }
                Piece::End => Ok(Bytes::new()),
            });
        Body::from_stream(merged)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(pending: &Arc<PendingRequests>) -> (ClientLink, mpsc::Receiver<String>) {
        let (sender, receiver) = call_queue();
        let facts = ClientFacts {
            elicitation: true,
            revision: Some("2025-11-25"),
        };
        (
            HttpLink::for_call(facts, Arc::clone(pending), sender),
            receiver,
        )
    }

    #[tokio::test]
    async fn an_answer_reaches_the_request_with_its_id() {
        let pending = Arc::new(PendingRequests::default());
        let (link, mut sent) = link(&pending);
        let asking = tokio::spawn(async move {
            link.channel
                .ask("ping", json!({}), Duration::from_secs(5))
                .await
        });
        let request: Value = serde_json::from_str(&sent.recv().await.expect("sent")).expect("json");
        assert_eq!(request["method"], "ping");
        assert!(!pending.route(br#"{"jsonrpc":"2.0","id":"other","result":{}}"#));
        let answer = json!({ "jsonrpc": "2.0", "id": request["id"], "result": { "ok": 1 } });
        assert!(pending.route(answer.to_string().as_bytes()));
        let result = asking.await.expect("joined").expect("answered");
        assert_eq!(result["ok"], 1);
        assert_eq!(pending.count(), 0);
        assert!(
            !pending.route(answer.to_string().as_bytes()),
            "a second answer finds nobody"
        );
    }

    #[tokio::test]
    async fn a_wait_ends_at_the_timeout_and_leaves_nothing_behind() {
        let pending = Arc::new(PendingRequests::default());
        let (link, _sent) = link(&pending);
        let answer = link
            .channel
            .ask("ping", json!({}), Duration::from_millis(50))
            .await;
        assert!(matches!(answer, Err(AskError::TimedOut(_))));
        assert_eq!(pending.count(), 0);
    }

    #[tokio::test]
    async fn an_error_answer_is_a_refusal_and_the_table_is_bounded() {
        let pending = Arc::new(PendingRequests::default());
        let mut held = Vec::new();
        for _ in 0..MAX_PENDING {
            held.push(pending.enter().expect("room"));
        }
        assert!(matches!(pending.enter(), Err(AskError::TooMany(_))));
        let (id, answer, _guard) = held.pop().expect("one");
        let error = json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -1, "message": "no" } });
        assert!(pending.route(error.to_string().as_bytes()));
        assert!(matches!(answer.await, Ok(Err(AskError::Refused(_)))));
        drop(held);
        assert_eq!(pending.count(), 0);
    }

    #[tokio::test]
    async fn requests_go_between_the_answers_events_and_the_stream_ends_with_them() {
        let (sender, receiver) = call_queue();
        sender.try_send(r#"{"id":"x"}"#.to_owned()).expect("queued");
        let events = stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(
            b"data: {\"result\":{}}\n\n",
        ))]);
        let response = Response::builder()
            .header(header::CONTENT_TYPE, "text/event-stream")
            .body(Body::from_stream(events))
            .expect("response");
        let merged = with_requests(response, receiver);
        let body = axum::body::to_bytes(merged.into_body(), 1 << 16)
            .await
            .expect("the stream ends although the sender lives");
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains(r#"data: {"result":{}}"#), "{text}");
        drop(sender);
    }
}
