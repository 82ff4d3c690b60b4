//! How every tool answers: the fixed first sentence, the reason as a further block, and
//! `structuredContent` with the ids involved.

use std::{any::Any, fmt::Display, sync::Arc};

use rmcp::{
    handler::server::common::schema_for_output,
    model::{CallToolResult, ContentBlock, JsonObject},
    schemars::JsonSchema,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::kommo::KommoError;

/// A successful result: the sentence (or listing) first, then the structured data.
pub(crate) fn success(text: impl Into<String>, structured: &impl Serialize) -> CallToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(text.into())]);
    result.structured_content = serde_json::to_value(structured).ok();
    result
}

/// A failed result: the sentence first, the reason in a second block, and the ids
/// involved plus a machine-readable error in `structuredContent`.
pub(crate) fn failure(
    sentence: &str,
    reason: impl Display,
    ids: Value,
    error: ErrorInfo,
) -> CallToolResult {
    let reason = reason.to_string();
    let mut structured = match ids {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    structured.insert(
        "error".to_owned(),
        json!({ "kind": error.kind, "status": error.status, "message": reason }),
    );
    let mut result = CallToolResult::error(vec![
        ContentBlock::text(sentence),
        ContentBlock::text(reason),
    ]);
    result.structured_content = Some(Value::Object(structured));
    result
}

/// A tool's output schema that admits its failure results too: the success shape's required
/// fields become one `anyOf` branch and `error` the other. Clients that check
/// `structuredContent` against the schema even when `isError` is set (the TypeScript SDK,
/// so the MCP Inspector and many desktop clients) would otherwise reject every failure and
/// never show its sentence.
///
/// A write tool's schema also admits a dry run's answer (`dry_run` and `request`).
pub(crate) fn output_schema<T: JsonSchema + Any>(writes: bool) -> Arc<JsonObject> {
    let mut schema = (*schema_for_output::<T>()).clone();
    let required = schema.remove("required").unwrap_or_else(|| json!([]));
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        properties.insert("error".to_owned(), error_schema());
        if writes {
            properties.insert(
                "dry_run".to_owned(),
                json!({ "type": "boolean", "description": "Present (true) only in a dry run's answer: nothing was sent to Kommo." }),
            );
            properties.insert("request".to_owned(), request_schema());
        }
    }
    let mut branches = vec![
        json!({ "required": required }),
        json!({ "required": ["error"] }),
    ];
    if writes {
        branches.push(json!({ "required": ["dry_run", "request"] }));
    }
    schema.insert("anyOf".to_owned(), Value::Array(branches));
    Arc::new(schema)
}

/// The `request` object of a dry run's `structuredContent`.
fn request_schema() -> Value {
    json!({
        "description": "Present only in a dry run: the write that would have been sent.",
        "type": "object",
        "properties": {
            "method": { "type": "string" },
            "path": { "type": "string" },
            "body": {}
        },
        "required": ["method", "path", "body"]
    })
}

/// The first text block of a dry run's answer.
pub(crate) const DRY_RUN: &str = "Dry run: nothing was sent to Kommo.";

/// A dry run's answer: not the success sentence, then what would have been sent;
/// `structuredContent` has the ids, `dry_run: true` and the request.
pub(crate) fn dry_run(method: &str, path: &str, body: &Value, ids: &Value) -> CallToolResult {
    let mut structured = match ids {
        Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    structured.insert("dry_run".to_owned(), Value::Bool(true));
    structured.insert(
        "request".to_owned(),
        super::write::request_json(method, path, body),
    );
    let mut result = CallToolResult::success(vec![
        ContentBlock::text(DRY_RUN),
        ContentBlock::text(format!(
            "It would have sent {method} {path} with the JSON body {body}"
        )),
    ]);
    result.structured_content = Some(Value::Object(structured));
    result
}

/// The `error` object of a failure's `structuredContent`.
fn error_schema() -> Value {
    json!({
        "description": "Present only when the call failed (isError is true).",
        "type": "object",
        "properties": {
            "kind": { "type": "string", "description": "What kind of failure, e.g. lead_missing, invalid_arguments, not_configured, rate_limited." },
            "status": { "type": ["integer", "null"], "description": "Kommo's HTTP status, when Kommo answered." },
            "message": { "type": "string", "description": "The reason, as in the second text block." }
        },
        "required": ["kind", "status", "message"]
    })
}

/// What kind of failure it was, for programs reading `structuredContent.error`.
pub(crate) struct ErrorInfo {
    pub kind: &'static str,
    pub status: Option<u16>,
}

impl ErrorInfo {
    pub(crate) const INVALID_ARGUMENTS: ErrorInfo = ErrorInfo {
        kind: "invalid_arguments",
        status: None,
    };
    pub(crate) const NOT_CONFIGURED: ErrorInfo = ErrorInfo {
        kind: "not_configured",
        status: None,
    };
    pub(crate) const LEAD_MISSING: ErrorInfo = ErrorInfo {
        kind: "lead_missing",
        status: None,
    };
    pub(crate) const CONTACT_MISSING: ErrorInfo = ErrorInfo {
        kind: "contact_missing",
        status: None,
    };
    pub(crate) const AUDIT_UNAVAILABLE: ErrorInfo = ErrorInfo {
        kind: "audit_unavailable",
        status: None,
    };
    pub(crate) const INVALID_MOVE: ErrorInfo = ErrorInfo {
        kind: "invalid_move",
        status: None,
    };
}

impl From<&KommoError> for ErrorInfo {
    fn from(error: &KommoError) -> Self {
        ErrorInfo {
            kind: error.kind(),
            status: error.status(),
        }
    }
}

/// The answer to wrong arguments: the tool's failure sentence, then every problem.
pub(crate) fn invalid_arguments(sentence: &str, problems: String) -> CallToolResult {
    failure(sentence, problems, json!({}), ErrorInfo::INVALID_ARGUMENTS)
}

/// Shorthand: a Kommo error after the tool's failure sentence.
pub(crate) fn kommo_failure(sentence: &str, error: &KommoError, ids: Value) -> CallToolResult {
    failure(sentence, error, ids, ErrorInfo::from(error))
}
