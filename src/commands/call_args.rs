//! The arguments of `kommo-mcp call`: KEY=VALUE pairs converted by the tool's input schema,
//! or one JSON object (inline or from stdin), checked against the keys the tool takes.

use rmcp::model::JsonObject;
use serde_json::Value;

use crate::{tools, toolset::ToolName};

/// Why the arguments could not be built; always a usage error (exit 2).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum ArgsError {
    #[error(
        "give the arguments either as KEY=VALUE or with --json, not both (got {pair:?} and --json)"
    )]
    Mixed { pair: String },
    #[error("argument {arg:?} is not KEY=VALUE (e.g. lead_id=12345)")]
    NoEquals { arg: String },
    #[error("argument {arg:?} has an empty key (write KEY=VALUE, e.g. lead_id=12345)")]
    EmptyKey { arg: String },
    #[error("argument {key} is given twice ({first:?} and {second:?})")]
    Repeated {
        key: String,
        first: String,
        second: String,
    },
    #[error("{tool} takes no argument {key:?} ({})", takes(.known))]
    UnknownKey {
        tool: ToolName,
        key: String,
        known: Vec<String>,
    },
    #[error("argument {key} must be {expected}, got {value:?} ({key}={value})")]
    NotConvertible {
        key: String,
        value: String,
        expected: &'static str,
    },
    #[error("{tool} needs {} ({})", .missing.join(" and "), example(*.tool, .missing))]
    MissingRequired {
        tool: ToolName,
        missing: Vec<String>,
    },
    #[error("--json {origin} is not valid JSON: {reason}")]
    BadJson {
        origin: &'static str,
        reason: String,
    },
    #[error("--json {origin} must be a JSON object of arguments, e.g. {{\"lead_id\": 12345}}")]
    NotAnObject { origin: &'static str },
    #[error("cannot read the --json arguments from stdin: {0}")]
    Stdin(String),
}

fn takes(known: &[String]) -> String {
    if known.is_empty() {
        "it takes no arguments".to_owned()
    } else {
        format!("it takes {}", known.join(", "))
    }
}

/// How the missing arguments are written, e.g. `kommo-mcp call get_lead lead_id=…`.
fn example(tool: ToolName, missing: &[String]) -> String {
    let pairs: Vec<String> = missing.iter().map(|key| format!("{key}=…")).collect();
    format!("e.g. kommo-mcp call {tool} {}", pairs.join(" "))
}

/// Builds the arguments object for `tool`. `read_stdin` is called only for `--json -`.
pub(super) fn build(
    tool: ToolName,
    pairs: &[String],
    json: Option<&str>,
    read_stdin: impl FnOnce() -> std::io::Result<String>,
) -> Result<JsonObject, ArgsError> {
    let properties = properties(tool);
    let arguments = match json {
        Some(_) if !pairs.is_empty() => {
            return Err(ArgsError::Mixed {
                pair: pairs[0].clone(),
            });
        }
        Some("-") => {
            let text = read_stdin().map_err(|err| ArgsError::Stdin(err.to_string()))?;
            parse_json(&text, "- (stdin)")?
        }
        Some(text) => parse_json(text, "value")?,
        None => from_pairs(pairs, &properties)?,
    };
    if let Some(key) = arguments.keys().find(|key| !properties.contains_key(*key)) {
        return Err(ArgsError::UnknownKey {
            tool,
            key: key.clone(),
            known: properties.keys().cloned().collect(),
        });
    }
    let missing: Vec<String> = required(tool)
        .into_iter()
        .filter(|key| !arguments.contains_key(key))
        .collect();
    if !missing.is_empty() {
        return Err(ArgsError::MissingRequired { tool, missing });
    }
    Ok(arguments)
}

/// The arguments the tool's input schema marks as required, in schema order.
fn required(tool: ToolName) -> Vec<String> {
    tools::definition(tool)
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|keys| {
            keys.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The tool's input-schema properties (name → schema).
fn properties(tool: ToolName) -> JsonObject {
    tools::definition(tool)
        .input_schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn parse_json(text: &str, origin: &'static str) -> Result<JsonObject, ArgsError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ArgsError::NotAnObject { origin }),
        Err(err) => Err(ArgsError::BadJson {
            origin,
            reason: err.to_string(),
        }),
    }
}

fn from_pairs(pairs: &[String], properties: &JsonObject) -> Result<JsonObject, ArgsError> {
    let mut arguments = JsonObject::new();
    for pair in pairs {
        let Some((key, text)) = pair.split_once('=') else {
            return Err(ArgsError::NoEquals { arg: pair.clone() });
        };
        if key.is_empty() {
            return Err(ArgsError::EmptyKey { arg: pair.clone() });
        }
        if let Some(first) = arguments.get(key) {
            return Err(ArgsError::Repeated {
                key: key.to_owned(),
                first: format!("{key}={}", shown(first)),
                second: pair.clone(),
            });
        }
        // An unknown key is reported by `build` with the keys the tool takes.
        let value = match properties.get(key) {
            Some(schema) => convert(key, text, schema)?,
            None => Value::String(text.to_owned()),
        };
        arguments.insert(key.to_owned(), value);
    }
    Ok(arguments)
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Converts one value by its property schema: integers, numbers, booleans and JSON objects
/// are parsed; everything else stays the text it was.
fn convert(key: &str, text: &str, schema: &Value) -> Result<Value, ArgsError> {
    let not = |expected| ArgsError::NotConvertible {
        key: key.to_owned(),
        value: text.to_owned(),
        expected,
    };
    if has_type(schema, "string") {
        return Ok(Value::String(text.to_owned()));
    }
    if has_type(schema, "integer") {
        return text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| not("a whole number"));
    }
    if has_type(schema, "number") {
        return text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| not("a number"));
    }
    if has_type(schema, "boolean") {
        return crate::config::parse_bool(text)
            .map(Value::Bool)
            .map_err(|_| not("true or false"));
    }
    if has_type(schema, "object") {
        return match serde_json::from_str(text) {
            Ok(object @ Value::Object(_)) => Ok(object),
            _ => Err(not("a JSON object")),
        };
    }
    Ok(Value::String(text.to_owned()))
}

/// Whether a property schema allows `kind` (`"type": "integer"` or `["integer", "null"]`).
fn has_type(schema: &Value, kind: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(name)) => name == kind,
        Some(Value::Array(names)) => names.iter().any(|name| name == kind),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn no_stdin() -> std::io::Result<String> {
        panic!("stdin must not be read")
    }

    #[test]
    fn integers_are_parsed_and_text_stays_text() {
        let args = build(
            ToolName::AddNote,
            &pairs(&["lead_id=12", "note=42"]),
            None,
            no_stdin,
        )
        .unwrap();
        assert_eq!(Value::Object(args), json!({"lead_id": 12, "note": "42"}));
        let args = build(
            ToolName::AddNote,
            &pairs(&["lead_id= 7 ", "note=a = b"]),
            None,
            no_stdin,
        )
        .unwrap();
        assert_eq!(Value::Object(args), json!({"lead_id": 7, "note": "a = b"}));
    }

    #[test]
    fn an_object_argument_is_json() {
        let args = build(
            ToolName::UpdateLeadFields,
            &pairs(&["lead_id=9001", r#"fields={"Source": "Instagram"}"#]),
            None,
            no_stdin,
        )
        .unwrap();
        assert_eq!(
            Value::Object(args),
            json!({"lead_id": 9001, "fields": {"Source": "Instagram"}})
        );
        let err = build(
            ToolName::UpdateLeadFields,
            &pairs(&["lead_id=9001", "fields=Source"]),
            None,
            no_stdin,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "argument fields must be a JSON object, got \"Source\" (fields=Source)"
        );
    }

    #[test]
    fn every_usage_mistake_is_named() {
        let err = |tool, items: &[&str], json: Option<&str>| {
            build(tool, &pairs(items), json, no_stdin)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(ToolName::GetLead, &["lead_id=abc"], None),
            "argument lead_id must be a whole number, got \"abc\" (lead_id=abc)"
        );
        assert_eq!(
            err(ToolName::GetLead, &["lead_id=1", "lead_id=2"], None),
            "argument lead_id is given twice (\"lead_id=1\" and \"lead_id=2\")"
        );
        assert_eq!(
            err(ToolName::GetLead, &["lead=1"], None),
            "get_lead takes no argument \"lead\" (it takes lead_id)"
        );
        assert_eq!(
            err(ToolName::GetLead, &["lead_id"], None),
            "argument \"lead_id\" is not KEY=VALUE (e.g. lead_id=12345)"
        );
        assert_eq!(
            err(ToolName::GetLead, &["=1"], None),
            "argument \"=1\" has an empty key (write KEY=VALUE, e.g. lead_id=12345)"
        );
        assert_eq!(
            err(ToolName::GetLead, &["lead_id=1"], Some("{}")),
            "give the arguments either as KEY=VALUE or with --json, not both (got \"lead_id=1\" and --json)"
        );
        assert!(err(ToolName::GetLead, &[], Some("[1]")).contains("must be a JSON object"));
        assert!(
            err(ToolName::GetLead, &[], Some("{")).starts_with("--json value is not valid JSON")
        );
        assert_eq!(
            err(ToolName::GetLead, &[], None),
            "get_lead needs lead_id (e.g. kommo-mcp call get_lead lead_id=…)"
        );
        assert_eq!(
            err(ToolName::MoveLead, &["lead_id=1"], None),
            "move_lead needs pipeline_id and status_id (e.g. kommo-mcp call move_lead pipeline_id=… status_id=…)"
        );
        assert_eq!(
            err(ToolName::AddNote, &[], Some("{\"lead_id\": 1}")),
            "add_note needs note (e.g. kommo-mcp call add_note note=…)"
        );
        assert_eq!(
            err(ToolName::ListPipelines, &[], Some("{\"x\":1}")),
            "list_pipelines takes no argument \"x\" (it takes no arguments)"
        );
    }

    #[test]
    fn json_passes_through_unchanged_and_reads_stdin_only_for_dash() {
        let args = build(
            ToolName::GetLead,
            &[],
            Some("{\"lead_id\":\"abc\"}"),
            no_stdin,
        )
        .unwrap();
        assert_eq!(args["lead_id"], json!("abc"));
        let args = build(ToolName::GetLead, &[], Some("-"), || {
            Ok("{\"lead_id\": 5}\n".to_owned())
        })
        .unwrap();
        assert_eq!(args["lead_id"], json!(5));
    }
}
