//! The tools described for people, made from the specs and definitions so they cannot drift:
//! the tool lines of the `initialize` instructions and the generated `docs/tools.md`.

use std::fmt::Write as _;

use serde_json::Value;

use super::{definition, spec};
use crate::toolset::ToolName;

/// One line per tool: `- name: summary`.
pub(crate) fn summary_lines() -> String {
    ToolName::ALL
        .iter()
        .map(|tool| format!("- {tool}: {}", spec(*tool).summary))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one-line summary of a tool.
pub(crate) fn summary(tool: ToolName) -> &'static str {
    spec(tool).summary
}

/// `docs/tools.md`: every tool with its summary, description, arguments, sentences, whether
/// it writes and whether it takes `dry_run`.
pub(crate) fn markdown() -> String {
    let mut out = String::from(
        "# Tools\n\n\
         <!-- Generated from the tool specs in src/tools/ (`KOMMO_MCP_UPDATE_GENERATED=1 cargo \
         test --test it generated`); do not edit by hand. -->\n\n",
    );
    let readers = ToolName::ALL.iter().filter(|t| t.is_read_only()).count();
    let _ = writeln!(
        out,
        "kommo-mcp offers {} tools: {readers} read and {} write. `TOOLS_TO_USE` (or `tools` in \
         the config file, or a request header) chooses which ones a client sees; read-only mode \
         keeps only the read tools. Every answer starts with one fixed sentence (or, for a read, \
         what was read); a failure adds a second text block that says why and what to fix, and \
         `structuredContent.error` with its kind. What each tool sends to Kommo, dry runs, \
         deduplication and the MCP resources are described in \
         [tool-behaviour.md](tool-behaviour.md); settings in \
         [configuration.md](configuration.md).\n",
        ToolName::ALL.len(),
        ToolName::ALL.len() - readers,
    );
    out.push_str("| Tool | Kind | What it does |\n|---|---|---|\n");
    for tool in ToolName::ALL {
        let _ = writeln!(
            out,
            "| [`{tool}`](#{tool}) | {} | {} |",
            kind(tool),
            spec(tool).summary
        );
    }
    for tool in ToolName::ALL {
        section(&mut out, tool);
    }
    out
}

fn kind(tool: ToolName) -> &'static str {
    if tool.is_read_only() { "read" } else { "write" }
}

fn section(out: &mut String, tool: ToolName) {
    let spec = spec(tool);
    let schema = &definition(tool).input_schema;
    let properties = schema.get("properties").and_then(Value::as_object);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let dry_run = properties.is_some_and(|p| p.contains_key("dry_run"));
    let _ = writeln!(out, "\n## {tool}\n\n**{}**: {}\n", spec.title, spec.summary);
    let mut traits = vec![if tool.is_read_only() {
        "Read-only.".to_owned()
    } else {
        "Writes to Kommo.".to_owned()
    }];
    traits.push(if spec.idempotent {
        "Idempotent (repeating a call changes nothing more).".to_owned()
    } else {
        "Not idempotent (each call acts again).".to_owned()
    });
    if !tool.is_read_only() {
        traits.push(if dry_run {
            "Supports `dry_run`.".to_owned()
        } else {
            "No `dry_run`.".to_owned()
        });
    }
    let _ = writeln!(out, "{}\n\n{}\n", traits.join(" "), spec.description);
    match properties.filter(|p| !p.is_empty()) {
        None => out.push_str("Takes no arguments.\n"),
        Some(properties) => {
            out.push_str("| Argument | Type | Required | Description |\n|---|---|---|---|\n");
            for (name, property) in properties {
                let description = property
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let _ = writeln!(
                    out,
                    "| `{name}` | {} | {} | {} |",
                    type_of(property),
                    if required.contains(&name.as_str()) {
                        "yes"
                    } else {
                        "no"
                    },
                    description.replace('|', "\\|")
                );
            }
        }
    }
    out.push_str("\nSentences:\n\n");
    let sentences = &spec.sentences;
    let success = sentences.success.map_or_else(
        || "what was read (no fixed sentence)".to_owned(),
        |s| format!("\"{s}\""),
    );
    let _ = writeln!(out, "- success: {success}");
    if let Some(missing) = sentences.missing {
        let _ = writeln!(out, "- lead missing: \"{missing}\"");
    }
    let _ = writeln!(out, "- failed: \"{}\"", sentences.failed);
}

/// An argument's type in words, from its JSON Schema.
fn type_of(schema: &Value) -> String {
    if let Some(choices) = schema.get("anyOf").and_then(Value::as_array) {
        let parts: Vec<String> = choices
            .iter()
            .filter(|choice| choice.get("type").and_then(Value::as_str) != Some("null"))
            .map(type_of)
            .collect();
        return parts.join(" or ");
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        return names.join(" or ");
    }
    let base = match schema.get("type") {
        Some(Value::String(name)) => name.clone(),
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| *name != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_owned(),
    };
    let number = |key: &str| schema.get(key).and_then(Value::as_i64);
    let mut limits = Vec::new();
    if let Some(format) = schema.get("format").and_then(Value::as_str)
        && !format.starts_with("int")
    {
        limits.push(format.to_owned());
    }
    match (number("minimum"), number("maximum")) {
        (Some(min), Some(max)) => limits.push(format!("{min}–{max}")),
        (Some(min), None) => limits.push(format!("≥ {min}")),
        (None, Some(max)) => limits.push(format!("≤ {max}")),
        (None, None) => {}
    }
    match (number("minLength"), number("maxLength")) {
        (Some(min), Some(max)) => limits.push(format!("{min}–{max} characters")),
        (Some(1), None) => limits.push("not empty".to_owned()),
        (Some(min), None) => limits.push(format!("at least {min} characters")),
        (None, Some(max)) => limits.push(format!("at most {max} characters")),
        (None, None) => {}
    }
    if let Some(min) = number("minProperties") {
        limits.push(format!("at least {min} entry"));
    }
    if let Some(default) = schema.get("default") {
        limits.push(format!("default {default}"));
    }
    if limits.is_empty() {
        base
    } else {
        format!("{base} ({})", limits.join(", "))
    }
}
