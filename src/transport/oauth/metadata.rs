//! RFC 9728 protected-resource metadata: what an OAuth client reads to learn which
//! authorization server issues tokens for this server and with which scopes. Served
//! without authentication at `/.well-known/oauth-protected-resource` (the resource is the
//! public URL) and at `/.well-known/oauth-protected-resource/mcp` (the resource is the
//! `/mcp` endpoint, the path-suffixed form clients try first).

use axum::{Json, extract::State};
use serde_json::{Value, json};

use super::scopes::{READ_SCOPE, WRITE_SCOPE};
use crate::config::OAuthSettings;

/// The metadata path for the public URL itself.
pub const PATH: &str = "/.well-known/oauth-protected-resource";
/// The metadata path for the `/mcp` endpoint.
pub const MCP_PATH: &str = "/.well-known/oauth-protected-resource/mcp";

/// Both documents, built once at start.
#[derive(Clone)]
pub struct Documents {
    root: Value,
    mcp: Value,
}

impl Documents {
    pub fn new(settings: &OAuthSettings) -> Self {
        let document = |resource: String| {
            json!({
                "resource": resource,
                "authorization_servers": [settings.issuer.value],
                "scopes_supported": [READ_SCOPE, WRITE_SCOPE],
                "bearer_methods_supported": ["header"],
                "resource_name": "kommo-mcp",
            })
        };
        Self {
            root: document(settings.public_url.value.clone()),
            mcp: document(format!("{}/mcp", settings.public_url.value)),
        }
    }
}

pub async fn root(State(documents): State<Documents>) -> Json<Value> {
    Json(documents.root)
}

pub async fn mcp(State(documents): State<Documents>) -> Json<Value> {
    Json(documents.mcp)
}
