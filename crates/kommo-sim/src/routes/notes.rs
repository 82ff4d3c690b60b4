//! `GET`/`POST /api/v4/leads/{id}/notes` and `POST /api/v4/leads/notes`.

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::{Ctx, Payload, query};
use crate::problem::{self, FieldError};
use crate::state::{Account, Lead, Note, unix_now};
use crate::sync::lock;
use crate::views::NoteView;

/// Note types Kommo knows.
const NOTE_TYPES: &[&str] = &[
    "common",
    "call_in",
    "call_out",
    "service_message",
    "extended_service_message",
    "message_cashier",
    "geolocation",
    "sms_in",
    "sms_out",
    "attachment",
];

impl Ctx<'_> {
    /// The lead's notes, oldest first; `filter[id][]` narrows them to those ids, and
    /// `page`/`limit` page them.
    pub(super) fn list_notes(&self, account: &Account, lead_id: i64) -> Response {
        let base = self.base();
        let pairs = query::pairs(self.query);
        let wanted = query::ids(&pairs, "id");
        let (page, limit) = query::page_and_limit(&pairs);
        let data = lock(&account.data);
        let all: Vec<&Note> = data
            .notes
            .iter()
            .filter(|n| n.entity_id == lead_id)
            .filter(|n| wanted.is_empty() || wanted.contains(&n.id))
            .collect();
        let start = (page - 1).saturating_mul(limit);
        let notes: Vec<NoteView<'_>> = all
            .iter()
            .skip(start)
            .take(limit)
            .map(|n| NoteView::new(account, n, &base))
            .collect();
        if notes.is_empty() {
            return problem::no_content();
        }
        let href =
            |page: usize| format!("{base}/api/v4/leads/{lead_id}/notes?page={page}&limit={limit}");
        let mut links = json!({"self": {"href": href(page)}});
        if start + limit < all.len() {
            links["next"] = json!({"href": href(page + 1)});
        }
        problem::hal(
            StatusCode::OK,
            &json!({
                "_page": page,
                "_links": links,
                "_embedded": {"notes": notes},
            }),
        )
    }

    /// `POST /leads/{id}/notes` (`lead_id` given) or `POST /leads/notes` (`entity_id` per item).
    pub(super) fn add_notes(&self, account: &Account, lead_id: Option<i64>) -> Response {
        let mut data = lock(&account.data);
        if let Some(id) = lead_id
            && !data.leads.contains_key(&id)
        {
            return problem::not_found("Lead not found");
        }
        let items = match self.payload {
            Payload::Json(Value::Array(items)) if !items.is_empty() => items,
            Payload::Empty | Payload::Json(Value::Array(_)) => {
                return problem::bad_request("Request data can not be empty");
            }
            Payload::Json(_) | Payload::Invalid => {
                return problem::bad_request("Invalid request body");
            }
        };
        if items.len() > super::MAX_BATCH {
            return problem::bad_request("Too many elements in the request (at most 250)");
        }
        let mut rejected = Vec::new();
        let mut planned = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match plan_note(item, i, lead_id, |id| data.leads.get(&id)) {
                Ok(note) => planned.push(note),
                Err(group) => rejected.push(group),
            }
        }
        if !rejected.is_empty() {
            return problem::validation_groups(&rejected);
        }
        let base = self.base();
        let now = unix_now();
        let mut created = Vec::with_capacity(planned.len());
        for note in planned {
            let id = data.next_note_id;
            data.next_note_id += 1;
            created.push(json!({
                "id": id,
                "entity_id": note.entity_id,
                "request_id": note.request_id,
                "_links": {"self": {"href": format!("{base}/api/v4/leads/{}/notes/{id}", note.entity_id)}},
            }));
            let event = note_event(&note.note_type);
            data.history.record(
                event,
                note.entity_id,
                account.current_user_id,
                now,
                json!([]),
                json!([{"note": {"id": id}}]),
            );
            data.notes.push(Note {
                id,
                entity_id: note.entity_id,
                note_type: note.note_type,
                params: note.params,
                created_at: now,
                responsible_user_id: note.responsible_user_id,
                group_id: 0,
            });
        }
        drop(data);
        let self_href = match lead_id {
            Some(id) => format!("{base}/api/v4/leads/{id}/notes"),
            None => format!("{base}/api/v4/leads/notes"),
        };
        problem::hal(
            StatusCode::OK,
            &json!({"_links": {"self": {"href": self_href}}, "_embedded": {"notes": created}}),
        )
    }
}

/// The event Kommo records when a note of this type is added.
fn note_event(note_type: &str) -> &'static str {
    match note_type {
        "call_in" => "incoming_call",
        "call_out" => "outgoing_call",
        "sms_in" => "incoming_sms",
        "sms_out" => "outgoing_sms",
        "attachment" => "attachment_note_added",
        "geolocation" => "geo_note_added",
        "service_message" | "extended_service_message" => "service_note_added",
        "message_cashier" => "message_to_cashier_note_added",
        _ => "common_note_added",
    }
}

/// A validated note waiting to be stored.
struct PlannedNote {
    entity_id: i64,
    note_type: String,
    params: Value,
    request_id: String,
    responsible_user_id: i64,
}

/// A valid note, or its element's `request_id` (its index when it has none) with what is
/// wrong, each path relative to the element as Kommo names them.
fn plan_note<'l>(
    item: &Value,
    i: usize,
    lead_id: Option<i64>,
    find_lead: impl Fn(i64) -> Option<&'l Lead>,
) -> Result<PlannedNote, (String, Vec<FieldError>)> {
    let request_id = super::request_id(item, i);
    let Some(item) = item.as_object() else {
        return Err((request_id, vec![FieldError::invalid_type(i.to_string())]));
    };
    let mut errors = Vec::new();
    let entity_id = match lead_id {
        Some(id) => Some(id),
        None => match item.get("entity_id").map(Value::as_i64) {
            Some(Some(id)) if find_lead(id).is_some() => Some(id),
            Some(Some(_)) => {
                errors.push(FieldError::not_supported_choice("entity_id"));
                None
            }
            Some(None) => {
                errors.push(FieldError::invalid_type("entity_id"));
                None
            }
            None => {
                errors.push(FieldError::not_blank("entity_id"));
                None
            }
        },
    };
    let note_type = item.get("note_type").and_then(Value::as_str);
    match note_type {
        Some(t) if NOTE_TYPES.contains(&t) => {}
        _ => errors.push(FieldError::not_supported_choice("note_type")),
    }
    let params = item.get("params").cloned().unwrap_or_else(|| json!({}));
    if !params.is_object() {
        errors.push(FieldError::invalid_type("params"));
    } else if matches!(
        note_type,
        Some("common" | "service_message" | "extended_service_message")
    ) {
        let path = "params.text";
        match params.get("text") {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            None | Some(Value::Null) | Some(Value::String(_)) => {
                errors.push(FieldError::not_blank(path))
            }
            Some(_) => errors.push(FieldError::invalid_type(path)),
        }
    }
    let (Some(entity_id), Some(note_type), true) = (entity_id, note_type, errors.is_empty()) else {
        return Err((request_id, errors));
    };
    Ok(PlannedNote {
        entity_id,
        note_type: note_type.to_owned(),
        params,
        request_id,
        responsible_user_id: find_lead(entity_id).map_or(0, |l| l.responsible_user_id),
    })
}
