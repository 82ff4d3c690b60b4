//! What an OAuth token's scopes allow: `kommo:read` the read-only tools, `kommo:write`
//! every tool. Read from the space-separated `scope` claim or an `scp` array (either
//! spelling, as issuers differ). A read-only token's `tools/call` of a write tool is
//! answered 403 `insufficient_scope` (RFC 6750) before MCP sees it, and audited as refused.

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::Method,
    middleware::Next,
    response::Response,
};
use serde_json::{Map, Value};

use std::sync::Arc;

use super::challenge::Challenge;
use crate::{
    audit::AuditLog,
    scope::RequestScope,
    toolset::ToolName,
    transport::{
        caller::{Caller, Via},
        refusal_audit,
    },
};

pub(crate) const READ_SCOPE: &str = "kommo:read";
pub(crate) const WRITE_SCOPE: &str = "kommo:write";

/// What a token's scopes grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    /// Neither scope: nothing.
    None,
    Read,
    Write,
}

/// The grant of a token's claims.
pub(crate) fn grant(claims: &Map<String, Value>) -> Grant {
    let mut scopes: Vec<&str> = Vec::new();
    for name in ["scope", "scp"] {
        match claims.get(name) {
            Some(Value::String(text)) => scopes.extend(text.split_ascii_whitespace()),
            Some(Value::Array(items)) => scopes.extend(items.iter().filter_map(Value::as_str)),
            _ => {}
        }
    }
    if scopes.contains(&WRITE_SCOPE) {
        Grant::Write
    } else if scopes.contains(&READ_SCOPE) {
        Grant::Read
    } else {
        Grant::None
    }
}

/// What [`require_write_scope`] needs: the resource-metadata URL its challenge names, and
/// the audit trail its refusals are recorded in (when `--audit-log` is set).
#[derive(Clone)]
pub(crate) struct WriteScopeRule {
    pub metadata_url: Arc<str>,
    pub audit: Option<Arc<AuditLog>>,
}

/// Middleware (after the body is read): 403 `insufficient_scope` for a `tools/call` of a
/// write tool by a token without `kommo:write` (with a `refused` audit line).
pub(crate) async fn require_write_scope(
    State(rule): State<WriteScopeRule>,
    request: Request,
    next: Next,
) -> Response {
    let read_only_token = request
        .extensions()
        .get::<Caller>()
        .is_some_and(|caller| caller.via == Via::OAuth { can_write: false });
    if !read_only_token || request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    // The body was read in full (and bounded) by the body guard before this point.
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => return next.run(Request::from_parts(parts, Body::empty())).await,
    };
    if let Some(tool) = write_tool_called(&bytes) {
        let who = parts
            .extensions
            .get::<Caller>()
            .map_or_else(String::new, |caller| caller.name.to_string());
        tracing::warn!(client = %who, tool = tool.as_str(), "refused: the token lacks {WRITE_SCOPE}");
        let reason = format!(
            "{} changes Kommo and needs the {WRITE_SCOPE} scope; this token has only {READ_SCOPE}. \
             Nothing was sent to Kommo.",
            tool.as_str()
        );
        if let Some(audit) = &rule.audit {
            let account = parts
                .extensions
                .get::<RequestScope>()
                .and_then(|scope| scope.subdomain.as_ref())
                .map(|subdomain| subdomain.as_str().to_owned());
            refusal_audit::record(
                audit,
                &parts,
                &bytes,
                account.as_deref(),
                "insufficient_scope",
                &reason,
            )
            .await;
        }
        return Challenge::InsufficientScope(WRITE_SCOPE).response(&rule.metadata_url, &reason);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The first write tool a message (or batch) calls, if any.
fn write_tool_called(body: &[u8]) -> Option<ToolName> {
    refusal_audit::write_calls(body)
        .first()
        .map(|call| call.tool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn scope_and_scp_both_count() {
        assert_eq!(
            grant(&claims(json!({"scope": "openid kommo:read"}))),
            Grant::Read
        );
        assert_eq!(
            grant(&claims(json!({"scope": "kommo:read kommo:write"}))),
            Grant::Write
        );
        assert_eq!(
            grant(&claims(json!({"scp": ["kommo:write"]}))),
            Grant::Write
        );
        assert_eq!(grant(&claims(json!({"scp": "kommo:read"}))), Grant::Read);
        assert_eq!(grant(&claims(json!({"scope": "kommo:readx"}))), Grant::None);
        assert_eq!(grant(&claims(json!({}))), Grant::None);
    }

    #[test]
    fn only_calls_of_write_tools_are_picked_out() {
        let call = |name: &str| json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name}});
        let bytes = |v: Value| serde_json::to_vec(&v).unwrap();
        assert_eq!(
            write_tool_called(&bytes(call("move_lead"))),
            Some(ToolName::parse("move_lead").unwrap())
        );
        assert_eq!(write_tool_called(&bytes(call("get_lead"))), None);
        assert_eq!(write_tool_called(&bytes(call("no_such_tool"))), None);
        assert!(write_tool_called(&bytes(json!([call("get_lead"), call("add_note")]))).is_some());
        assert_eq!(
            write_tool_called(&bytes(
                json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
            )),
            None
        );
    }
}
