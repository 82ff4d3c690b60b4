//! MCP resources for clients that attach context (Claude Desktop, VS Code): the same data
//! as the reader tools, as JSON. `kommo://pipelines` is list_pipelines, `kommo://custom-fields`
//! list_custom_fields, `kommo://users` list_users, `kommo://leads/{id}` get_lead,
//! `kommo://leads/{id}/history` get_lead_history (its newest entries); a resource exists only while its reader
//! tool is enabled for the request, and reading one runs that tool (same account, headers,
//! narrowing).

use rmcp::{
    ErrorData as McpError,
    model::{
        CallToolResult, JsonObject, ReadResourceResult, Resource, ResourceContents,
        ResourceTemplate,
    },
};
use serde_json::{Value, json};

use crate::{
    scope::RequestScope,
    tools::Toolkit,
    toolset::{ToolName, ToolSet},
};

const JSON: &str = "application/json";
const PIPELINES: &str = "kommo://pipelines";
const CUSTOM_FIELDS: &str = "kommo://custom-fields";
const LEAD_PREFIX: &str = "kommo://leads/";
const LEAD_TEMPLATE: &str = "kommo://leads/{lead_id}";
const USERS: &str = "kommo://users";
const HISTORY_SUFFIX: &str = "/history";
const HISTORY_TEMPLATE: &str = "kommo://leads/{lead_id}/history";

/// The fixed resources the enabled tools make available.
pub(crate) fn list(enabled: ToolSet) -> Vec<Resource> {
    let mut out = Vec::new();
    if enabled.contains(ToolName::ListPipelines) {
        out.push(
            Resource::new(PIPELINES, "pipelines")
                .with_title("Kommo pipelines")
                .with_description(
                    "Every pipeline of the Kommo account with its statuses (ids, names, kinds), as list_pipelines returns them.",
                )
                .with_mime_type(JSON),
        );
    }
    if enabled.contains(ToolName::ListCustomFields) {
        out.push(
            Resource::new(CUSTOM_FIELDS, "custom-fields")
                .with_title("Kommo lead custom fields")
                .with_description(
                    "Every lead custom field of the Kommo account (id, name, code, type, and the options of select, multiselect and radiobutton fields), as list_custom_fields returns them.",
                )
                .with_mime_type(JSON),
        );
    }
    if enabled.contains(ToolName::ListUsers) {
        out.push(
            Resource::new(USERS, "users")
                .with_title("Kommo users")
                .with_description(
                    "Every user of the Kommo account (id, name, e-mail, active or not, group), as list_users returns them.",
                )
                .with_mime_type(JSON),
        );
    }
    out
}

/// The resource templates the enabled tools make available.
pub(crate) fn templates(enabled: ToolSet) -> Vec<ResourceTemplate> {
    let mut out = Vec::new();
    if enabled.contains(ToolName::GetLead) {
        out.push(
            ResourceTemplate::new(LEAD_TEMPLATE, "lead")
                .with_title("Kommo lead")
                .with_description(
                    "One lead with its pipeline, status, tags, custom fields and contacts, as get_lead returns it.",
                )
                .with_mime_type(JSON),
        );
    }
    if enabled.contains(ToolName::GetLeadHistory) {
        out.push(
            ResourceTemplate::new(HISTORY_TEMPLATE, "lead-history")
                .with_title("Kommo lead history")
                .with_description(
                    "The newest entries of one lead's timeline (stage moves, messages, notes, tags, who did each), as get_lead_history returns its first page.",
                )
                .with_mime_type(JSON),
        );
    }
    out
}

/// The tool (and its arguments) that reads `uri`, or why there is none.
fn reader(uri: &str) -> Result<(ToolName, JsonObject), String> {
    if uri == PIPELINES {
        return Ok((ToolName::ListPipelines, JsonObject::new()));
    }
    if uri == CUSTOM_FIELDS {
        return Ok((ToolName::ListCustomFields, JsonObject::new()));
    }
    if uri == USERS {
        return Ok((ToolName::ListUsers, JsonObject::new()));
    }
    if let Some(id) = uri.strip_prefix(LEAD_PREFIX) {
        let (id, tool, template) = match id.strip_suffix(HISTORY_SUFFIX) {
            Some(id) => (id, ToolName::GetLeadHistory, HISTORY_TEMPLATE),
            None => (id, ToolName::GetLead, LEAD_TEMPLATE),
        };
        let lead_id = (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
            .then(|| id.parse::<i64>().ok())
            .flatten()
            .filter(|id| (1..=i64::from(i32::MAX)).contains(id))
            .ok_or_else(|| {
                format!("resource URI {uri:?} names no lead: {template} takes a lead id from 1 to 2147483647")
            })?;
        let mut args = JsonObject::new();
        args.insert("lead_id".to_owned(), json!(lead_id));
        return Ok((tool, args));
    }
    Err(format!(
        "unknown resource URI {uri:?}: kommo-mcp serves {PIPELINES}, {CUSTOM_FIELDS}, {USERS}, {LEAD_TEMPLATE} and {HISTORY_TEMPLATE}"
    ))
}

/// Reads one resource by running its reader tool.
pub(crate) async fn read(
    kit: &Toolkit,
    uri: &str,
    scope: &RequestScope,
    enabled: ToolSet,
) -> Result<ReadResourceResult, McpError> {
    let not_found =
        |message: String| McpError::resource_not_found(message, Some(json!({ "uri": uri })));
    let (tool, args) = reader(uri).map_err(not_found)?;
    if !enabled.contains(tool) {
        return Err(not_found(format!(
            "resource {uri:?} is not available: its tool {tool} is not enabled for this request (enabled tools: {enabled})"
        )));
    }
    let result = kit.call(tool, &args, scope).await;
    let structured = result.structured_content.clone().unwrap_or(Value::Null);
    if result.is_error == Some(true) {
        let message = texts(&result).join(" ");
        let missing = structured["error"]["kind"] == "lead_missing";
        return Err(if missing {
            not_found(format!("resource {uri:?}: {message}"))
        } else {
            McpError::internal_error(
                format!("resource {uri:?}: {message}"),
                Some(json!({ "uri": uri })),
            )
        });
    }
    let text = serde_json::to_string_pretty(&structured)
        .map_err(|err| McpError::internal_error(err.to_string(), None))?;
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(text, uri).with_mime_type(JSON),
    ]))
}

/// The text blocks of a tool result.
fn texts(result: &CallToolResult) -> Vec<String> {
    let value = serde_json::to_value(result).unwrap_or(Value::Null);
    value["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|block| block["text"].as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_map_to_their_tools() {
        assert_eq!(reader(PIPELINES).map(|r| r.0), Ok(ToolName::ListPipelines));
        assert_eq!(
            reader(CUSTOM_FIELDS).map(|r| r.0),
            Ok(ToolName::ListCustomFields)
        );
        let (tool, args) = reader("kommo://leads/9001").unwrap();
        assert_eq!(
            (tool, args["lead_id"].clone()),
            (ToolName::GetLead, json!(9001))
        );
        let (tool, args) = reader("kommo://leads/9005/history").unwrap();
        assert_eq!(
            (tool, args["lead_id"].clone()),
            (ToolName::GetLeadHistory, json!(9005))
        );
        assert_eq!(reader(USERS).map(|r| r.0), Ok(ToolName::ListUsers));
        for bad in [
            "kommo://leads/",
            "kommo://leads/abc",
            "kommo://leads/0",
            "kommo://leads/history",
            "kommo://leads//history",
            "kommo://leads/9001/notes",
            "kommo://leads/99999999999",
            "kommo://nope",
            "http://x",
        ] {
            let err = reader(bad).unwrap_err();
            assert!(err.contains(bad), "{bad}: {err}");
        }
    }

    #[test]
    fn narrowing_removes_resources() {
        let only_lead = ToolSet::parse("get_lead").unwrap();
        assert!(list(only_lead).is_empty());
        assert_eq!(templates(only_lead).len(), 1);
        let only_pipelines = ToolSet::parse("list_pipelines").unwrap();
        assert_eq!(list(only_pipelines).len(), 1);
        assert!(templates(only_pipelines).is_empty());
        let only_fields = ToolSet::parse("list_custom_fields").unwrap();
        assert_eq!(list(only_fields)[0].uri, CUSTOM_FIELDS);
        assert_eq!(list(ToolSet::all()).len(), 3);
        assert_eq!(templates(ToolSet::all()).len(), 2);
        let only_history = ToolSet::parse("get_lead_history,list_users").unwrap();
        assert_eq!(list(only_history)[0].uri, USERS);
        assert_eq!(templates(only_history)[0].uri_template, HISTORY_TEMPLATE);
    }
}
