//! RFC 9728 protected-resource metadata: what an OAuth client reads to learn which
//! authorization server issues tokens for this server and with which scopes. Served
//! without authentication at `/.well-known/oauth-protected-resource` and at the
//! path-suffixed `/.well-known/oauth-protected-resource/mcp` that clients try first; both
//! name the same resource, the `/mcp` endpoint's URL (`--public-url` with `/mcp` added
//! unless it already ends so).

use axum::{Json, extract::State};
use serde_json::{Value, json};

use super::scopes::{READ_SCOPE, WRITE_SCOPE};
use crate::config::OAuthSettings;

/// The metadata path for the public URL itself.
pub(crate) const PATH: &str = "/.well-known/oauth-protected-resource";
/// The metadata path for the `/mcp` endpoint.
pub(crate) const MCP_PATH: &str = "/.well-known/oauth-protected-resource/mcp";

/// The document both paths serve, built once at start.
#[derive(Clone)]
pub(crate) struct Documents {
    document: Value,
}

impl Documents {
    pub(crate) fn new(settings: &OAuthSettings) -> Self {
        Self {
            document: json!({
                "resource": settings.resource(),
                "authorization_servers": [settings.issuer.value],
                "scopes_supported": [READ_SCOPE, WRITE_SCOPE],
                "bearer_methods_supported": ["header"],
                "resource_name": "kommo-mcp",
            }),
        }
    }
}

/// Either path's answer.
pub(crate) async fn document(State(documents): State<Documents>) -> Json<Value> {
    Json(documents.document)
}
