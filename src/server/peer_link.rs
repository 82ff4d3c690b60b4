//! The way back to a client that rmcp's own long-lived service holds (stdio): requests go
//! out through rmcp's peer, which matches the client's answer to them itself.

use std::{sync::Arc, time::Duration};

use rmcp::{
    RoleServer,
    model::ServerRequest,
    service::{PeerRequestOptions, RequestContext, ServiceError},
};
use serde_json::{Value, json};

use crate::client_link::{AskClient, AskError, Asking, ClientFacts, ClientLink};

/// rmcp's peer of one connection.
struct PeerLink {
    peer: rmcp::Peer<RoleServer>,
}

impl AskClient for PeerLink {
    fn ask(&self, method: &'static str, params: Value, timeout: Duration) -> Asking<'_> {
        Box::pin(async move {
            let request: ServerRequest =
                serde_json::from_value(json!({ "method": method, "params": params }))
                    .map_err(|err| AskError::Unreachable(format!("cannot send {method}: {err}")))?;
            let handle = self
                .peer
                .send_request_with_option(request, PeerRequestOptions::with_timeout(timeout))
                .await
                .map_err(|err| AskError::Unreachable(err.to_string()))?;
            let result = handle.await_response().await.map_err(|err| match err {
                ServiceError::Timeout { timeout } => AskError::TimedOut(timeout),
                ServiceError::McpError(error) => AskError::Refused(error.message.into_owned()),
                other => AskError::Unreachable(other.to_string()),
            })?;
            serde_json::to_value(result).map_err(|err| AskError::Unreachable(err.to_string()))
        })
    }
}

/// The link to the client of a request that rmcp's long-lived service answers, with what
/// the client declared in its `initialize` (none for a short-lived service: its peer never
/// saw one).
pub(super) fn of(context: &RequestContext<RoleServer>) -> Option<ClientLink> {
    let info = context.peer.peer_info()?;
    Some(ClientLink {
        facts: ClientFacts::of(&info),
        channel: Arc::new(PeerLink {
            peer: context.peer.clone(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use rmcp::model::ServerRequest;
    use serde_json::json;

    #[test]
    fn an_elicitation_reads_as_rmcps_request() {
        let request: ServerRequest = serde_json::from_value(json!({
            "method": "elicitation/create",
            "params": {
                "message": "Move lead 1?",
                "requestedSchema": { "type": "object", "properties": {} }
            }
        }))
        .expect("an elicitation request");
        assert!(matches!(request, ServerRequest::ElicitRequest(_)));
    }
}
