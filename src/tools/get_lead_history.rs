//! `get_lead_history`: a lead's timeline, newest first — its Kommo events (stage moves,
//! chat messages in and out, calls, tags, field and responsible changes, notes, tasks,
//! Kommo's bots) with the text of the notes they name, each entry with its time in the
//! account's zone, who did it and one readable sentence, paged with an opaque cursor.
//!
//! Kommo requests per page, once the users, pipelines and time zone are cached (the
//! per-account cache with the pipelines' time to live): one `GET /api/v4/events` page; one
//! `GET /api/v4/leads/{id}/notes?filter[id][]=…` for the notes that page's events name
//! (none when they name none); and one `GET /api/v4/leads/{id}`, only when the page has no
//! events (to tell "no history" from "no such lead") or when its newest stage move closed
//! the lead as lost (to name the lead's loss reason, which Kommo's events do not carry).
//! So at most three. Custom fields are named from the cached lead fields, read only when
//! the page has a field change.

use std::collections::HashMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    Call,
    args::{Arg, Bounded, Id, ToolArgs, describe, tool_args},
    outcome, readable,
    spec::{Sentences, ToolSpec},
    timeline::{self, Names},
};
use crate::kommo::history::{LeadNote, User};

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Get lead history",
    summary: "Read a lead's timeline, newest first: stage moves, messages, notes, tags, and who did each.",
    description: "Read the history of one lead from Kommo CRM, newest first: stage moves, \
             incoming and outgoing chat messages, calls, tags added and removed, field, sale and \
             responsible-user changes, notes (with their text), tasks, and what Kommo's robots and \
             Salesbots did. Each entry has its time (ISO 8601 in the account's time zone), its kind \
             (Kommo's event type), who did it (a user's name; \"robot\" for Kommo's automations, \
             Salesbots and integrations; \"the contact\" for what the customer sent) and one \
             readable sentence with stages, pipelines, users, tags and custom fields named (the \
             move that lost the lead names its loss reason); structuredContent \
             keeps Kommo's raw ids and values. Read-only: changes nothing. Catch up with it first, \
             before replying to a customer or acting on a lead someone else worked on. Returns \
             limit entries (default 20, at most 100); when there are more, call again with the \
             next_cursor it returns (and the same limit and types). types narrows the history to \
             Kommo event types (e.g. [\"lead_status_changed\"], [\"incoming_chat_message\", \
             \"outgoing_chat_message\"], [\"common_note_added\"]). Kommo's events do not carry \
             the text of chat messages (only their id and channel), nor the content of calls or \
             e-mails, nor the loss reason of earlier moves into Closed - lost; read those in Kommo. A note appears through its event, so notes older than \
             Kommo keeps events for are not listed. Fails with a reason if the lead does not exist.",
    idempotent: true,
    sentences: Sentences {
        success: None,
        missing: Some("Failed to get lead history: the specified lead does not exist in Kommo."),
        failed: "Failed to get lead history: Kommo did not return it.",
    },
    definition: super::define::<HistoryArgs, HistoryOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

/// Entries a page holds unless the call says otherwise, and at most (Kommo's largest
/// events page).
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;
/// Kommo filters by at most this many event types at once.
const MAX_TYPES: usize = 10;

tool_args! {
    /// Arguments of get_lead_history.
    struct HistoryArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// How many entries to return: 1 to 100 (default 20).
        limit: Option<HistoryLimit>,
        /// The next_cursor of the previous page, to read further back; absent for the newest entries.
        cursor: Option<Bounded<400>>,
        /// Only these Kommo event types (at most 10), e.g. lead_status_changed,
        /// incoming_chat_message, outgoing_chat_message, entity_tag_added, common_note_added,
        /// entity_responsible_changed, sale_field_changed; absent for every type.
        types: Option<EventTypes>,
    }
}

/// How many entries: 1 to 100.
pub(super) struct HistoryLimit(pub i64);

impl Arg for HistoryLimit {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        match value.and_then(Value::as_i64) {
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(HistoryLimit(n)),
            _ => Err(format!(
                "{name} must be a whole number from 1 to {MAX_LIMIT}, got {}",
                value.map_or_else(|| "nothing".to_owned(), describe)
            )),
        }
    }
}

impl JsonSchema for HistoryLimit {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HistoryLimit".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT})
    }
}

/// Kommo event types: 1 to 10 names of lowercase letters, digits and `_`.
pub(super) struct EventTypes(pub Vec<String>);

impl Arg for EventTypes {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        let problem = || {
            format!(
                "{name} must be a list of 1 to {MAX_TYPES} Kommo event types (lowercase letters, digits and _), got {}",
                value.map_or_else(|| "nothing".to_owned(), describe)
            )
        };
        let items = value.and_then(Value::as_array).ok_or_else(problem)?;
        let mut types: Vec<String> = Vec::new();
        for item in items {
            let kind = item.as_str().map(str::trim).ok_or_else(problem)?;
            let valid = !kind.is_empty()
                && kind.len() <= 64
                && kind
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(format!(
                    "{name} holds {:?}, which is not a Kommo event type (lowercase letters, digits and _, e.g. lead_status_changed)",
                    kind
                ));
            }
            if !types.iter().any(|known| known == kind) {
                types.push(kind.to_owned());
            }
        }
        if types.is_empty() || types.len() > MAX_TYPES {
            return Err(problem());
        }
        Ok(EventTypes(types))
    }
}

impl JsonSchema for EventTypes {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EventTypes".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z0-9_]{1,64}$"},
            "minItems": 1,
            "maxItems": MAX_TYPES
        })
    }
}

/// Where a further page starts: what the cursor holds (base64url JSON; opaque to callers).
#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Cursor {
    /// The lead it pages.
    lead: i64,
    /// Kommo's events page to read.
    page: u32,
    limit: i64,
    types: Vec<String>,
}

impl Cursor {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        let cursor: Cursor = serde_json::from_slice(&bytes).ok()?;
        (cursor.page >= 2 && (1..=MAX_LIMIT).contains(&cursor.limit)).then_some(cursor)
    }
}

/// The page to read, from the arguments: a cursor fixes the page, limit and types; a limit
/// or types given with it must be the same.
fn plan(args: &HistoryArgs) -> Result<Cursor, String> {
    let lead = args.lead_id.0;
    let limit = args.limit.as_ref().map(|l| l.0);
    let types = args.types.as_ref().map(|t| t.0.clone());
    let Some(text) = &args.cursor else {
        return Ok(Cursor {
            lead,
            page: 1,
            limit: limit.unwrap_or(DEFAULT_LIMIT),
            types: types.unwrap_or_default(),
        });
    };
    let cursor = Cursor::decode(&text.0).ok_or_else(|| {
        "cursor is not a next_cursor get_lead_history returned; leave it out to start from the newest entries".to_owned()
    })?;
    if cursor.lead != lead {
        return Err(format!(
            "cursor pages lead {}, not lead {lead}; leave it out to start from the newest entries",
            cursor.lead
        ));
    }
    if limit.is_some_and(|l| l != cursor.limit)
        || types.as_ref().is_some_and(|t| *t != cursor.types)
    {
        return Err(
            "cursor was returned for another limit or other types; give the same ones, or leave them out with the cursor".to_owned(),
        );
    }
    Ok(cursor)
}

/// A lead's history page.
#[derive(Serialize, JsonSchema)]
pub(super) struct HistoryOutput {
    pub lead_id: i64,
    /// The time zone the entries' times are in (the account's; UTC when Kommo did not say).
    pub time_zone: String,
    /// The entries, newest first.
    pub entries: Vec<HistoryEntry>,
    /// Pass it as cursor to read the older entries; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One thing that happened to the lead.
#[derive(Serialize, JsonSchema)]
pub(super) struct HistoryEntry {
    /// When (ISO 8601 with the account's offset).
    pub time: String,
    /// Kommo's event type, e.g. lead_status_changed, incoming_chat_message, common_note_added.
    pub kind: String,
    /// Who did it: a user's name, "robot" (Kommo's automations, Salesbots, integrations) or
    /// "the contact" (what the customer sent).
    pub who: String,
    /// What happened, in one sentence with names resolved.
    pub text: String,
    /// The note's text, for a note entry whose note Kommo still lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Kommo's own ids and values.
    pub raw: RawEntry,
}

/// An entry as Kommo gave it.
#[derive(Serialize, JsonSchema)]
pub(super) struct RawEntry {
    pub event_id: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The user who did it; 0 is Kommo's robot (or the contact, for incoming messages).
    pub created_by: i64,
    /// The note the event names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_id: Option<i64>,
    pub value_before: Value,
    pub value_after: Value,
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let failed = SPEC.sentences.failed;
    let page = match HistoryArgs::parse(args)
        .and_then(|args| plan(&args).map_err(|problem| super::args::invalid(&[problem])))
    {
        Ok(page) => page,
        Err(problem) => return outcome::invalid_arguments(failed, problem),
    };
    let lead_id = page.lead;
    let ids = || json!({ "lead_id": lead_id });
    let target = match call.target_or_answer(failed, &ids()) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    let client = call.client();
    let account = &target.account;
    let limit = u32::try_from(page.limit).unwrap_or(20);
    let events = match client
        .lead_events(account, lead_id, &page.types, page.page, limit)
        .await
    {
        Ok(events) => events,
        Err(err) => return outcome::kommo_failure(failed, &err, ids()),
    };
    if events.events.is_empty()
        && let Err(answer) = call
            .existing_lead(&target, lead_id, &SPEC.sentences, &ids(), ".")
            .await
    {
        return answer;
    }
    let wanted: Vec<i64> = events.events.iter().flat_map(timeline::note_ids).collect();
    let notes = match client.lead_notes_by_id(account, lead_id, &wanted).await {
        Ok(notes) => notes,
        Err(err) => {
            tracing::warn!(error = %err, "could not read the notes a lead's events name; listing their ids only");
            Vec::new()
        }
    };
    let users = match client.users(account).await {
        Ok(users) => Some(users),
        Err(err) => {
            tracing::warn!(error = %err, "could not read the users to name who changed a lead");
            None
        }
    };
    let pipelines = match client.pipelines(account).await {
        Ok(pipelines) => Some(pipelines),
        Err(err) => {
            tracing::warn!(error = %err, "could not read the pipelines to name a lead's stages");
            None
        }
    };
    let fields = if events
        .events
        .iter()
        .any(|e| timeline::is_field_change(&e.kind))
    {
        match client.lead_fields(account).await {
            Ok(fields) => Some(fields),
            Err(err) => {
                tracing::warn!(error = %err, "could not read the lead fields to name changed fields");
                None
            }
        }
    } else {
        None
    };
    let loss_reason = newest_loss_reason(&call, account, lead_id, &page, &events.events).await;
    let zone = client.account_zone(account).await;
    let users_by_id: HashMap<i64, &User> = users
        .iter()
        .flat_map(|users| users.iter())
        .map(|user| (user.id, user))
        .collect();
    let notes_by_id: HashMap<i64, &LeadNote> = notes.iter().map(|note| (note.id, note)).collect();
    let names = Names {
        users: &users_by_id,
        pipelines: pipelines.as_deref().map_or(&[], Vec::as_slice),
        notes: &notes_by_id,
        fields: fields.as_deref().map_or(&[], Vec::as_slice),
        loss_reason: loss_reason
            .as_ref()
            .map(|(event, reason)| (event.as_str(), reason.as_str())),
    };
    let entries: Vec<HistoryEntry> = events
        .events
        .iter()
        .map(|event| {
            let note_id = timeline::note_ids(event).first().copied();
            HistoryEntry {
                time: readable::time(&zone, event.created_at),
                kind: event.kind.clone(),
                who: timeline::who(event, &users_by_id),
                text: timeline::sentence(event, &names),
                note: note_id
                    .and_then(|id| notes_by_id.get(&id))
                    .map(|note| timeline::note_text(note)),
                raw: RawEntry {
                    event_id: event.id.clone(),
                    created_at: event.created_at,
                    created_by: event.created_by,
                    note_id,
                    value_before: event.value_before.clone(),
                    value_after: event.value_after.clone(),
                },
            }
        })
        .collect();
    let next_cursor = events.has_next.then(|| {
        Cursor {
            page: page.page + 1,
            ..page
        }
        .encode()
    });
    let output = HistoryOutput {
        lead_id,
        time_zone: zone.name().to_owned(),
        entries,
        next_cursor,
    };
    outcome::success(describe_page(&output), &output)
}

/// On the first page, when the newest stage move (the lead's last) closed it as lost: that
/// event's id and the lead's loss reason by name. Kommo's events do not carry the reason,
/// so it is read from the lead (`loss_reason_id`) and the cached loss reasons; older moves
/// into Closed - lost are not given one. `None` when it does not apply or cannot be read.
async fn newest_loss_reason(
    call: &Call<'_>,
    account: &crate::kommo::Account,
    lead_id: i64,
    page: &Cursor,
    events: &[crate::kommo::history::Event],
) -> Option<(String, String)> {
    if page.page != 1 {
        return None;
    }
    let newest_move = events.iter().find(|e| e.kind == "lead_status_changed")?;
    if timeline::moved_to(newest_move) != Some(LOST_STATUS) {
        return None;
    }
    let client = call.client();
    let lead = match client.get_lead(account, lead_id).await {
        Ok(lead) => lead?,
        Err(err) => {
            tracing::warn!(error = %err, "could not read the lead to name its loss reason");
            return None;
        }
    };
    let reason_id = lead
        .loss_reason_id
        .filter(|_| lead.status_id == Some(LOST_STATUS))?;
    let reasons = match client.loss_reasons(account).await {
        Ok(reasons) => reasons,
        Err(err) => {
            tracing::warn!(error = %err, "could not read the loss reasons to name a lead's");
            return None;
        }
    };
    let name = reasons
        .iter()
        .find(|r| r.id == reason_id)
        .map_or_else(|| format!("reason {reason_id}"), |r| r.name.clone());
    Some((newest_move.id.clone(), name))
}

/// Kommo's Closed - lost status, the same id in every pipeline.
const LOST_STATUS: i64 = 143;

/// A compact listing an LLM reads easily: one line per entry.
fn describe_page(output: &HistoryOutput) -> String {
    if output.entries.is_empty() {
        return format!(
            "Lead {} has no history entries{}.",
            output.lead_id,
            if output.next_cursor.is_some() {
                " on this page"
            } else {
                " (of the types asked)"
            }
        );
    }
    let count = output.entries.len();
    let mut text = format!(
        "Lead {}: {count} entr{}, newest first (times in {}).",
        output.lead_id,
        if count == 1 { "y" } else { "ies" },
        output.time_zone
    );
    for entry in &output.entries {
        text.push_str(&format!("\n{}: {}.", entry.time, entry.text));
    }
    match &output.next_cursor {
        Some(cursor) => text.push_str(&format!(
            "\nOlder entries exist: call get_lead_history again with cursor {cursor:?}."
        )),
        None => text.push_str("\nThat is the whole history Kommo keeps."),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(value: Value) -> Result<Cursor, String> {
        let object = value.as_object().unwrap().clone();
        HistoryArgs::parse(&object).and_then(|args| plan(&args))
    }

    #[test]
    fn a_cursor_pages_its_own_lead_limit_and_types_only() {
        let first =
            args(json!({"lead_id": 9005, "limit": 3, "types": ["lead_status_changed"]})).unwrap();
        assert_eq!((first.page, first.limit), (1, 3));
        let next = Cursor { page: 2, ..first }.encode();
        let second = args(json!({"lead_id": 9005, "cursor": next})).unwrap();
        assert_eq!((second.page, second.limit), (2, 3));
        assert_eq!(second.types, ["lead_status_changed"]);
        assert!(args(json!({"lead_id": 9005, "cursor": next, "limit": 3})).is_ok());
        for (bad, says) in [
            (json!({"lead_id": 9001, "cursor": next}), "not lead 9001"),
            (
                json!({"lead_id": 9005, "cursor": next, "limit": 4}),
                "another limit",
            ),
            (
                json!({"lead_id": 9005, "cursor": "nonsense"}),
                "not a next_cursor",
            ),
            (json!({"lead_id": 9005, "limit": 101}), "from 1 to 100"),
            (json!({"lead_id": 9005, "types": []}), "1 to 10"),
            (
                json!({"lead_id": 9005, "types": ["Lead status"]}),
                "not a Kommo event type",
            ),
        ] {
            let err = args(bad.clone()).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
        assert_eq!(args(json!({"lead_id": 9005})).unwrap().limit, DEFAULT_LIMIT);
    }
}
