//! One readable sentence per Kommo event, with names resolved: who did it (a user's name,
//! "robot" for Kommo's automations, "the contact" for what the customer sent), stages and
//! pipelines by name, tags and custom fields by name, the loss reason of the move that
//! lost the lead, and a note's text (get_lead_history's entries).

use std::collections::HashMap;

use serde_json::Value;

use crate::kommo::{
    history::{Event, LeadNote, User},
    models::{CustomField, Pipeline},
};

/// What an entry names: the account's users, pipelines and lead custom fields, the notes
/// the page's events name, and the loss reason of the move that lost the lead.
pub(super) struct Names<'a> {
    pub users: &'a HashMap<i64, &'a User>,
    pub pipelines: &'a [Pipeline],
    pub notes: &'a HashMap<i64, &'a LeadNote>,
    pub fields: &'a [CustomField],
    /// `(event id, reason name)`: the newest move into Closed - lost and the lead's reason.
    pub loss_reason: Option<(&'a str, &'a str)>,
}

/// Whether an event is a custom field's value change (`custom_field_value_changed`, or
/// Kommo's per-field `custom_field_{id}_value_changed`).
pub(super) fn is_field_change(kind: &str) -> bool {
    kind.starts_with("custom_field") && kind.ends_with("value_changed")
}

/// The field a value-change event is about: `custom_field_value.field_id` of its values,
/// else the id in its type.
pub(super) fn changed_field(event: &Event) -> Option<i64> {
    part(&event.value_after, "custom_field_value")
        .or_else(|| part(&event.value_before, "custom_field_value"))
        .and_then(|v| v.get("field_id"))
        .and_then(|id| id.as_i64().or_else(|| id.as_str()?.parse().ok()))
        .or_else(|| {
            event
                .kind
                .strip_prefix("custom_field_")?
                .strip_suffix("_value_changed")?
                .parse()
                .ok()
        })
}

/// The status a `lead_status_changed` event moved the lead to.
pub(super) fn moved_to(event: &Event) -> Option<i64> {
    part(&event.value_after, "lead_status")
        .and_then(|s| s.get("id"))
        .and_then(Value::as_i64)
}

/// Who did it, as the entry shows it.
pub(super) fn who(event: &Event, users: &HashMap<i64, &User>) -> String {
    match event.created_by {
        0 if is_incoming(&event.kind) => "the contact".to_owned(),
        0 => "robot".to_owned(),
        id => user_name(id, users),
    }
}

fn user_name(id: i64, users: &HashMap<i64, &User>) -> String {
    users
        .get(&id)
        .map_or_else(|| format!("user {id}"), |user| user.name.clone())
}

/// Messages, calls and SMS the customer sent: Kommo records them with no author (0).
fn is_incoming(kind: &str) -> bool {
    kind.starts_with("incoming_")
}

/// The first object under `key` in a `value_before` / `value_after` list.
fn part<'v>(values: &'v Value, key: &str) -> Option<&'v Value> {
    values
        .as_array()?
        .iter()
        .find_map(|item| item.get(key))
        .or_else(|| values.get(key))
}

/// The ids of the notes an event names (`note.id` in its `value_after`).
pub(super) fn note_ids(event: &Event) -> Vec<i64> {
    part(&event.value_after, "note")
        .and_then(|note| note.get("id"))
        .and_then(Value::as_i64)
        .into_iter()
        .collect()
}

/// One sentence saying what happened, ending with who did it.
pub(super) fn sentence(event: &Event, names: &Names<'_>) -> String {
    let who = who(event, names.users);
    let by = format!(" by {who}");
    let kind = event.kind.as_str();
    match kind {
        "lead_added" => format!("Lead created{by}"),
        "lead_deleted" => format!("Lead deleted{by}"),
        "lead_restored" => format!("Lead restored{by}"),
        "lead_status_changed" => {
            let reason = names
                .loss_reason
                .filter(|(id, _)| *id == event.id)
                .map(|(_, reason)| format!(" (loss reason: {reason})"))
                .unwrap_or_default();
            format!("{}{reason}", moved(event, names.pipelines, &by))
        }
        "incoming_chat_message" => {
            format!("Chat message received from the contact{}", origin(event))
        }
        "outgoing_chat_message" => format!("Chat message sent{}{by}", origin(event)),
        "entity_direct_message" => format!("Internal chat message{by}"),
        "incoming_call" | "outgoing_call" => call(event, names.notes, &by),
        "incoming_sms" => "SMS received from the contact".to_owned(),
        "outgoing_sms" => format!("SMS sent{by}"),
        "entity_tag_added" => format!("Tag {} added{by}", tag(&event.value_after)),
        "entity_tag_deleted" => format!("Tag {} removed{by}", tag(&event.value_before)),
        "entity_responsible_changed" => {
            let user = |values: &Value| {
                part(values, "responsible_user")
                    .and_then(|user| user.get("id"))
                    .and_then(Value::as_i64)
                    .map_or_else(|| "nobody".to_owned(), |id| user_name(id, names.users))
            };
            format!(
                "Responsible user changed from {} to {}{by}",
                user(&event.value_before),
                user(&event.value_after)
            )
        }
        "sale_field_changed" => {
            let sale = |values: &Value| {
                part(values, "sale_field_value")
                    .and_then(|v| v.get("sale"))
                    .map_or_else(|| "nothing".to_owned(), scalar)
            };
            format!(
                "Sale value changed from {} to {}{by}",
                sale(&event.value_before),
                sale(&event.value_after)
            )
        }
        "name_field_changed" => {
            let name = part(&event.value_after, "name_field_value")
                .and_then(|v| v.get("name"))
                .map_or_else(|| "?".to_owned(), scalar);
            format!("Lead renamed to {name}{by}")
        }
        "entity_linked" | "entity_unlinked" => {
            let link = part(&event.value_after, "link")
                .or_else(|| part(&event.value_before, "link"))
                .and_then(|link| link.get("entity"));
            let what = link
                .map(|entity| {
                    format!(
                        " {} {}",
                        entity.get("type").map_or_else(String::new, scalar),
                        entity.get("id").map_or_else(String::new, scalar)
                    )
                })
                .unwrap_or_default();
            let verb = if kind == "entity_linked" {
                "Linked"
            } else {
                "Unlinked"
            };
            format!("{verb}{what}{by}")
        }
        _ if is_field_change(kind) => {
            let value = part(&event.value_after, "custom_field_value");
            let field = match changed_field(event) {
                Some(id) => match names.fields.iter().find(|f| f.id == id) {
                    Some(field) => format!("Field {}", field.name),
                    None => format!("Custom field {id}"),
                },
                None => "A custom field".to_owned(),
            };
            match value.and_then(|v| v.get("text")).filter(|t| !t.is_null()) {
                Some(text) => format!("{field} set to {}{by}", scalar(text)),
                None => format!("{field} changed{by}"),
            }
        }
        _ if !note_ids(event).is_empty() => note(event, names.notes, &by),
        _ if kind.starts_with("task_") => {
            format!(
                "Task {}{by}",
                kind.trim_start_matches("task_").replace('_', " ")
            )
        }
        _ => format!("{}{by}", capitalized(&kind.replace('_', " "))),
    }
}

/// "Moved from Contacted to Negotiation in Sales", or across pipelines with both names.
fn moved(event: &Event, pipelines: &[Pipeline], by: &str) -> String {
    let stage = |values: &Value| -> (Option<i64>, String, String) {
        let status = part(values, "lead_status");
        let id = status.and_then(|s| s.get("id")).and_then(Value::as_i64);
        let pipeline_id = status
            .and_then(|s| s.get("pipeline_id"))
            .and_then(Value::as_i64);
        let pipeline = pipeline_id.and_then(|p| pipelines.iter().find(|x| x.id == p));
        let pipeline_name = match (pipeline, pipeline_id) {
            (Some(p), _) => p.name.clone(),
            (None, Some(p)) => format!("pipeline {p}"),
            (None, None) => "its pipeline".to_owned(),
        };
        let status_name = match (pipeline.zip(id).and_then(|(p, id)| p.status(id)), id) {
            (Some(status), _) if !status.name.is_empty() => status.name.clone(),
            (_, Some(id)) => format!("status {id}"),
            (_, None) => "an unknown status".to_owned(),
        };
        (pipeline_id, status_name, pipeline_name)
    };
    let (from_pipeline, from, from_pipeline_name) = stage(&event.value_before);
    let (to_pipeline, to, to_pipeline_name) = stage(&event.value_after);
    if from_pipeline == to_pipeline {
        format!("Moved from {from} to {to} in {to_pipeline_name}{by}")
    } else {
        format!("Moved from {from} in {from_pipeline_name} to {to} in {to_pipeline_name}{by}")
    }
}

/// " (via ORIGIN)" for a chat message whose channel Kommo names.
fn origin(event: &Event) -> String {
    part(&event.value_after, "message")
        .and_then(|m| m.get("origin"))
        .and_then(Value::as_str)
        .filter(|origin| !origin.is_empty())
        .map(|origin| format!(" (via {origin})"))
        .unwrap_or_default()
}

fn tag(values: &Value) -> String {
    part(values, "tag")
        .and_then(|tag| tag.get("name"))
        .and_then(Value::as_str)
        .map_or_else(|| "?".to_owned(), str::to_owned)
}

fn call(event: &Event, notes: &HashMap<i64, &LeadNote>, by: &str) -> String {
    let note = note_ids(event)
        .first()
        .and_then(|id| notes.get(id).copied());
    let duration = note
        .and_then(|n| n.params.get("duration"))
        .and_then(Value::as_i64)
        .map(|seconds| format!(", {seconds} s"))
        .unwrap_or_default();
    if event.kind == "incoming_call" {
        format!("Call from the contact{duration}")
    } else {
        format!("Call to the contact{duration}{by}")
    }
}

fn note(event: &Event, notes: &HashMap<i64, &LeadNote>, by: &str) -> String {
    let id = note_ids(event).first().copied().unwrap_or_default();
    match notes.get(&id) {
        Some(note) => {
            let text = note_text(note);
            match note.note_type.as_str() {
                "attachment" => format!("File {text} attached{by}"),
                "common" | "" => format!("Note{by}: {text}"),
                other => format!("Note ({other}){by}: {text}"),
            }
        }
        None => format!("Note {id} added{by} (Kommo no longer lists its text)"),
    }
}

/// A note's text: `params.text`, else its file name, else its type.
pub(super) fn note_text(note: &LeadNote) -> String {
    ["text", "original_name", "file_name"]
        .iter()
        .find_map(|key| note.params.get(*key).and_then(Value::as_str))
        .filter(|text| !text.trim().is_empty())
        .map_or_else(|| format!("({} note)", note.note_type), str::to_owned)
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, by: i64, before: Value, after: Value) -> Event {
        Event {
            id: "e".into(),
            kind: kind.into(),
            created_by: by,
            created_at: 0,
            value_before: before,
            value_after: after,
        }
    }

    fn fixture<T: serde::de::DeserializeOwned>(name: &str, key: &str) -> Vec<T> {
        let text = std::fs::read_to_string(format!(
            "{}/tests/fixtures/kommo/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        serde_json::from_value(value["_embedded"][key].clone()).unwrap()
    }

    #[test]
    fn sentences_name_stages_users_tags_and_notes() {
        let pipelines: Vec<Pipeline> = fixture("docs_pipelines_list.json", "pipelines");
        let pipeline = &pipelines[0];
        let statuses: Vec<i64> = pipeline.statuses().iter().map(|s| s.id).collect();
        let users: Vec<User> = fixture("docs_users_list.json", "users");
        let notes: Vec<LeadNote> = fixture("docs_lead_notes_list.json", "notes");
        let users_by_id: HashMap<i64, &User> = users.iter().map(|u| (u.id, u)).collect();
        let notes_by_id: HashMap<i64, &LeadNote> = notes.iter().map(|n| (n.id, n)).collect();
        let fields = vec![CustomField {
            id: 5002,
            name: "Source".to_owned(),
            kind: "select".to_owned(),
            code: None,
            enums: None,
        }];
        let names = Names {
            users: &users_by_id,
            pipelines: &pipelines,
            notes: &notes_by_id,
            fields: &fields,
            loss_reason: Some(("lost", "Price too high")),
        };
        let status = |id: i64| json!([{"lead_status": {"id": id, "pipeline_id": pipeline.id}}]);
        let lost = event(
            "lead_status_changed",
            users[0].id,
            status(statuses[0]),
            status(143),
        );
        let moved = event(
            "lead_status_changed",
            users[0].id,
            status(statuses[0]),
            status(statuses[1]),
        );
        assert_eq!(
            sentence(&moved, &names),
            format!(
                "Moved from {} to {} in {} by {}",
                pipeline.statuses()[0].name,
                pipeline.statuses()[1].name,
                pipeline.name,
                users[0].name
            )
        );
        let lost = Event {
            id: "lost".into(),
            ..lost
        };
        assert!(
            sentence(&lost, &names).ends_with("(loss reason: Price too high)"),
            "{}",
            sentence(&lost, &names)
        );
        assert!(!sentence(&moved, &names).contains("loss reason"));
        let source = |id: Value| json!([{"custom_field_value": {"field_id": id, "enum_id": 6002, "text": "Instagram"}}]);
        let known = event(
            "custom_field_value_changed",
            0,
            json!([]),
            source(json!(5002)),
        );
        assert_eq!(
            sentence(&known, &names),
            "Field Source set to Instagram by robot"
        );
        let unknown = event(
            "custom_field_value_changed",
            0,
            json!([]),
            source(json!(77)),
        );
        assert_eq!(
            sentence(&unknown, &names),
            "Custom field 77 set to Instagram by robot"
        );
        let by_type = event("custom_field_5002_value_changed", 0, json!([]), json!([]));
        assert_eq!(sentence(&by_type, &names), "Field Source changed by robot");
        let tagged = event(
            "entity_tag_added",
            0,
            json!([]),
            json!([{"tag": {"name": "vip"}}]),
        );
        assert_eq!(sentence(&tagged, &names), "Tag vip added by robot");
        let noted = event(
            "common_note_added",
            users[0].id,
            json!([]),
            json!([{"note": {"id": notes[0].id}}]),
        );
        assert_eq!(
            sentence(&noted, &names),
            format!("Note by {}: Текст примечания", users[0].name)
        );
        let attached = event(
            "attachment_note_added",
            4242,
            json!([]),
            json!([{"note": {"id": notes[1].id}}]),
        );
        assert!(
            sentence(&attached, &names).starts_with("File Снимок экрана"),
            "{}",
            sentence(&attached, &names)
        );
        assert!(sentence(&attached, &names).ends_with("by user 4242"));
        let incoming = event(
            "incoming_chat_message",
            0,
            json!([]),
            json!([{"message": {"id": "m", "origin": "waba"}}]),
        );
        assert_eq!(
            sentence(&incoming, &names),
            "Chat message received from the contact (via waba)"
        );
        assert_eq!(who(&incoming, &users_by_id), "the contact");
        let unknown = event("robot_replied", 0, json!([]), json!([]));
        assert_eq!(sentence(&unknown, &names), "Robot replied by robot");
        let gone = event(
            "common_note_added",
            0,
            json!([]),
            json!([{"note": {"id": 1}}]),
        );
        assert_eq!(
            sentence(&gone, &names),
            "Note 1 added by robot (Kommo no longer lists its text)"
        );
    }
}
