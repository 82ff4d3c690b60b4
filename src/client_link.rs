//! The way back to the client for the tool call running in this task: what the client
//! declared in `initialize` ([`ClientFacts`]) and a channel that sends it a JSON-RPC
//! request and waits for its answer ([`AskClient`]). Each transport sets it around the call
//! ([`during`]): stdio through rmcp's long-lived peer, `/mcp` and `/sse` through the
//! session's table of pending requests. A call without one (the bare JSON path, stateless
//! requests, the `call` subcommand) cannot ask the client anything.

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use serde_json::Value;

/// What the client said in its `initialize`, as far as the server needs to know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ClientFacts {
    /// The client declared `elicitation` (form mode: an empty object, or one naming
    /// `form`).
    pub elicitation: bool,
    /// The protocol revision it asked for, when it is one rmcp knows.
    pub revision: Option<&'static str>,
}

/// The revisions rmcp speaks, oldest first.
const REVISIONS: [&str; 5] = [
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
    "2026-07-28",
];
/// From this revision on, the server sends the client no requests.
const NO_SERVER_REQUESTS: &str = "2026-07-28";

impl ClientFacts {
    /// The facts of a client whose `initialize` sent `params`.
    pub(crate) fn of(params: &rmcp::model::InitializeRequestParams) -> Self {
        let elicitation = params
            .capabilities
            .elicitation
            .as_ref()
            .is_some_and(|declared| {
                // `{}` means form mode (2025-06-18); a later client names its modes.
                declared.form.is_some() || declared.url.is_none()
            });
        let asked = params.protocol_version.as_str();
        let revision = REVISIONS.into_iter().find(|known| *known == asked);
        Self {
            elicitation,
            revision,
        }
    }

    /// Whether the server may ask this client to elicit (the only thing it asks a client
    /// today): it declared elicitation, on a revision with server-to-client requests. Only
    /// then does a call get a way back to the client.
    pub(crate) fn can_elicit(self) -> bool {
        self.elicitation && self.revision != Some(NO_SERVER_REQUESTS)
    }
}

/// Why a request to the client got no usable answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AskError {
    /// The client answered with a JSON-RPC error.
    #[error("the client answered with an error: {0}")]
    Refused(String),
    /// Too many requests to this client already wait for an answer.
    #[error("{0} requests to the client already wait for an answer")]
    TooMany(usize),
    /// No answer came within the time allowed.
    #[error("the client did not answer within {0:?}")]
    TimedOut(Duration),
    /// The client's stream closed, or the answer could not be read.
    #[error("the client cannot be reached: {0}")]
    Unreachable(String),
}

/// A boxed future, as a trait object can return one.
pub(crate) type Asking<'a> = Pin<Box<dyn Future<Output = Result<Value, AskError>> + Send + 'a>>;

/// Sends one JSON-RPC request to the client and resolves to its `result`, or to
/// [`AskError::TimedOut`] after `timeout`. Dropping the future gives the request up (its
/// answer, if one still comes, is dropped).
pub(crate) trait AskClient: Send + Sync {
    fn ask(&self, method: &'static str, params: Value, timeout: Duration) -> Asking<'_>;
}

/// The client of the call running in this task.
#[derive(Clone)]
pub(crate) struct ClientLink {
    pub facts: ClientFacts,
    pub channel: Arc<dyn AskClient>,
}

tokio::task_local! {
    static LINK: Option<ClientLink>;
}

/// Runs `call` with `link` as its way back to the client.
pub(crate) async fn during<F: Future>(link: Option<ClientLink>, call: F) -> F::Output {
    LINK.scope(link, call).await
}

/// The client of the call running in this task, if it can be asked anything.
pub(crate) fn current() -> Option<ClientLink> {
    LINK.try_with(Clone::clone).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;

    impl AskClient for Echo {
        fn ask(&self, method: &'static str, params: Value, _timeout: Duration) -> Asking<'_> {
            Box::pin(async move { Ok(serde_json::json!({ "method": method, "params": params })) })
        }
    }

    #[tokio::test]
    async fn the_link_is_there_only_inside_the_call() {
        assert!(current().is_none());
        let link = ClientLink {
            facts: ClientFacts {
                elicitation: true,
                revision: Some("2025-11-25"),
            },
            channel: Arc::new(Echo),
        };
        let answer = during(Some(link), async {
            let link = current().expect("set for the call");
            assert!(link.facts.can_elicit());
            link.channel
                .ask("ping", Value::Null, Duration::from_secs(1))
                .await
        })
        .await
        .expect("answered");
        assert_eq!(answer["method"], "ping");
        assert!(current().is_none());
    }

    fn facts(version: &str, capabilities: Value) -> ClientFacts {
        let params: rmcp::model::InitializeRequestParams =
            serde_json::from_value(serde_json::json!({
                "protocolVersion": version,
                "capabilities": capabilities,
                "clientInfo": { "name": "t", "version": "1" }
            }))
            .expect("initialize params");
        ClientFacts::of(&params)
    }

    #[test]
    fn elicitation_is_read_from_the_declared_capabilities_and_revision() {
        let can = |version: &str, json: Value| facts(version, json).can_elicit();
        assert!(can("2025-06-18", serde_json::json!({ "elicitation": {} })));
        assert!(can(
            "2025-11-25",
            serde_json::json!({ "elicitation": { "form": {} } })
        ));
        assert!(!can(
            "2025-11-25",
            serde_json::json!({ "elicitation": { "url": {} } })
        ));
        assert!(!can("2025-11-25", serde_json::json!({ "roots": {} })));
        assert!(!can("2026-07-28", serde_json::json!({ "elicitation": {} })));
        let read = facts("2025-03-26", serde_json::json!({}));
        assert_eq!(read.revision, Some("2025-03-26"));
    }
}
