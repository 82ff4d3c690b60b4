//! The fast answer to a plain JSON-RPC `tools/list` (bare, as simple platforms and curl
//! send to `POST /mcp`): the tool list is the same for every such request with the same
//! enabled tools, so it is served from the serialized copy `tools::list_result_json` keeps,
//! without a trip through the MCP service. Everything else goes to rmcp.

use axum::{
    body::{Body, Bytes},
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::Response,
};
use rmcp::model::RequestId;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::pieces::Pieces;
use crate::{scope::RequestScope, toolset::ToolSet};

/// Only what decides whether a request is a plain `tools/list`.
#[derive(Deserialize)]
struct Probe<'a> {
    jsonrpc: &'a str,
    #[serde(borrow)]
    id: &'a RawValue,
    method: &'a str,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
}

/// The answer to `body` if it is a plain `tools/list` of the handshake-era protocol (no
/// `MCP-Protocol-Version` header, no params or `{}`, an id rmcp accepts); `None` sends it
/// to rmcp. Anything less plain goes to rmcp too, so both paths answer alike: a request
/// the shortcut takes is one rmcp answers with the full list and the same id.
pub(super) fn tools_list(parts: &Parts, body: &[u8], server_tools: ToolSet) -> Option<Response> {
    if parts.headers.contains_key("mcp-protocol-version") {
        return None;
    }
    let answer = tools_list_answer(parts, body, server_tools)?;
    Some(reply(answer.pieces(b"", b""), "application/json"))
}

/// The same shortcut for a `tools/list` inside a session (whose revision is one of the
/// handshake era, where rmcp's answer is this very list): the JSON-RPC answer, which the
/// session sends as the one event of an event stream, as rmcp answers in a session.
pub(super) fn session_tools_list(
    parts: &Parts,
    body: &[u8],
    server_tools: ToolSet,
) -> Option<Vec<u8>> {
    let handshake_era = parts
        .headers
        .get("mcp-protocol-version")
        .is_none_or(|version| {
            matches!(
                version.as_bytes(),
                b"2024-11-05" | b"2025-03-26" | b"2025-06-18" | b"2025-11-25"
            )
        });
    if !handshake_era {
        return None;
    }
    tools_list_answer(parts, body, server_tools).map(ListAnswer::into_json)
}

fn reply(body: Pieces, content_type: &'static str) -> Response {
    let mut response = Response::new(Body::new(body));
    *response.status_mut() = StatusCode::OK;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A JSON-RPC answer whose `result` is the shared serialized list: its own head (with the
/// request's id), the list, and the closing brace. Sent as those pieces, the list is never
/// copied (it is some 76 kB; copying it three times per answer took 14 % of the server's
/// time under load).
struct ListAnswer {
    head: Vec<u8>,
    result: Bytes,
}

impl ListAnswer {
    /// The answer as one JSON text (the session keeps it for replay as one message, so
    /// here the list is copied once).
    fn into_json(self) -> Vec<u8> {
        let mut json = Vec::with_capacity(self.head.len() + self.result.len() + 1);
        json.extend_from_slice(&self.head);
        json.extend_from_slice(&self.result);
        json.push(b'}');
        json
    }

    /// The answer as a body, with `before` and `after` around it (an event's framing).
    fn pieces(self, before: &'static [u8], after: &'static [u8]) -> Pieces {
        let mut head = Vec::with_capacity(before.len() + self.head.len());
        head.extend_from_slice(before);
        head.extend_from_slice(&self.head);
        let mut tail = Vec::with_capacity(1 + after.len());
        tail.push(b'}');
        tail.extend_from_slice(after);
        Pieces::new([Bytes::from(head), self.result, Bytes::from(tail)])
    }
}

/// The JSON-RPC answer to `body` if it is a plain `tools/list` (no params or `{}`, an id
/// rmcp accepts), from the serialized copy of the list.
fn tools_list_answer(parts: &Parts, body: &[u8], server_tools: ToolSet) -> Option<ListAnswer> {
    let probe: Probe = serde_json::from_slice(body).ok()?;
    if probe.jsonrpc != "2.0" || probe.method != "tools/list" {
        return None;
    }
    // The id as rmcp reads it (a string or an i64; not 0.5, 1e400 or 2^64), written back
    // the way rmcp writes it.
    let id: RequestId = serde_json::from_str(probe.id.get()).ok()?;
    let id = serde_json::to_vec(&id).ok()?;
    let empty_params = probe.params.is_none_or(|params| {
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(params.get())
            .is_ok_and(|members| members.is_empty())
    });
    if !empty_params {
        return None;
    }
    let tools = parts
        .extensions
        .get::<RequestScope>()
        .map_or(server_tools, |scope| scope.tools(server_tools));
    let result = crate::tools::list_result_json(tools)?;
    let mut head = Vec::with_capacity(id.len() + 40);
    head.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    head.extend_from_slice(&id);
    head.extend_from_slice(br#","result":"#);
    Some(ListAnswer {
        head,
        result: Bytes::from_owner(result),
    })
}
