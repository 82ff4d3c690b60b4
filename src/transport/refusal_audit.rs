//! Audit lines for writes the HTTP layer refuses before MCP sees them (an account the
//! caller may not act on, an OAuth token without `kommo:write`): one `refused` line per
//! `tools/call` of a write tool in the refused body, naming the caller as a tool call would.

use std::sync::Arc;

use axum::http::request::Parts;
use serde_json::Value;

use super::{caller::Caller, sse};
use crate::{
    audit::AuditLog,
    observe::request_id::{self, RequestId},
    tools::audited::Audited,
    toolset::ToolName,
};

/// One `tools/call` of a write tool: the tool and the `lead_id` argument, if any.
pub(super) struct WriteCall {
    pub tool: ToolName,
    pub lead_id: Option<i64>,
}

/// The calls of write tools in a message (or batch).
pub(super) fn write_calls(body: &[u8]) -> Vec<WriteCall> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let messages = match &value {
        Value::Array(items) => items.iter().collect::<Vec<_>>(),
        other => vec![other],
    };
    messages
        .into_iter()
        .filter_map(|message| {
            if message.get("method")?.as_str()? != "tools/call" {
                return None;
            }
            let params = message.get("params")?;
            let tool = ToolName::parse(params.get("name")?.as_str()?)?;
            let lead_id = params
                .get("arguments")
                .and_then(|args| args.get("lead_id"))
                .and_then(Value::as_i64);
            (!tool.is_read_only()).then_some(WriteCall { tool, lead_id })
        })
        .collect()
}

/// Writes a `refused` line for each write tool `body` calls. `kind` names the rule,
/// `reason` says it.
pub(super) async fn record(
    audit: &Arc<AuditLog>,
    parts: &Parts,
    body: &[u8],
    account: Option<&str>,
    kind: &str,
    reason: &str,
) {
    let calls = write_calls(body);
    if calls.is_empty() {
        return;
    }
    let name = parts
        .extensions
        .get::<Caller>()
        .map(|caller| caller.name.to_string());
    let address = parts
        .extensions
        .get::<request_id::Caller>()
        .map_or("http", |caller| caller.0.as_str());
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .map_or_else(request_id::generate, |id| id.0.clone());
    let transport = if parts.uri.path() == sse::MESSAGE_PATH {
        "sse"
    } else {
        "streamable_http"
    };
    for call in calls {
        let audited = Audited::of(
            Arc::clone(audit),
            call.tool,
            name.clone(),
            address,
            transport,
            &request_id,
        );
        audited.refused(account, call.lead_id, kind, reason).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_calls_of_write_tools_are_picked_out_with_their_lead() {
        let call = |name: &str| json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": {"lead_id": 7}}});
        let bytes = |v: Value| serde_json::to_vec(&v).unwrap();
        let calls = write_calls(&bytes(json!([call("get_lead"), call("add_note")])));
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].tool.as_str(), "add_note");
        assert_eq!(calls[0].lead_id, Some(7));
        assert!(write_calls(b"not json").is_empty());
        assert!(
            write_calls(&bytes(
                json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
            ))
            .is_empty()
        );
    }
}
