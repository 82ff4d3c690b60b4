//! The simulator's timeline and people: Kommo events (what happened to a lead, who did it),
//! the account's users (three, one inactive) and its loss reasons, and the seeded history
//! of lead 9005 (a chat that became a won deal). Their routes are `routes/events.rs` and
//! `routes/people.rs`.
//!
//! The event shapes follow Kommo's events reference
//! (<https://developers.kommo.com/reference/events-list>, <https://developers.kommo.com/reference/events-types>):
//! `created_by` 0 is Kommo's robot (a digital-pipeline trigger or a Salesbot); a status
//! change holds `lead_status` before and after, a tag `tag.name`, a note event `note.id`,
//! a chat message only `message.id`/`origin`/`talk_id` (never its text).

use serde_json::{Value, json};

use super::seed::USER_ID;
use super::state::Note;

/// One Kommo event on an entity.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub id: String,
    pub kind: String,
    pub entity_type: &'static str,
    pub entity_id: i64,
    /// The user who did it; 0 = Kommo's robot.
    pub created_by: i64,
    pub created_at: i64,
    pub value_before: Value,
    pub value_after: Value,
}

/// A user of the account.
pub(crate) struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    pub is_active: bool,
    /// `(group id, group name)`
    pub group: Option<(i64, &'static str)>,
}

/// Events, users and loss reasons of one account.
pub(crate) struct HistoryData {
    pub events: Vec<Event>,
    pub next_event: u64,
    pub users: Vec<User>,
    /// `(id, name, sort)`
    pub loss_reasons: Vec<(i64, &'static str, i64)>,
}

/// The lead with the seeded history.
pub const HISTORY_LEAD: i64 = 9005;
/// The second, active user and the inactive one.
pub const SECOND_USER_ID: i64 = 7_000_002;
pub const INACTIVE_USER_ID: i64 = 7_000_003;
/// The seeded note on [`HISTORY_LEAD`] (below the ids new notes get).
pub const HISTORY_NOTE_ID: i64 = 69_001;

impl HistoryData {
    /// A new event on a lead, stamped with the next id.
    pub(crate) fn record(
        &mut self,
        kind: &str,
        lead_id: i64,
        created_by: i64,
        created_at: i64,
        before: Value,
        after: Value,
    ) {
        let id = event_id(self.next_event);
        self.next_event += 1;
        self.events.push(Event {
            id,
            kind: kind.to_owned(),
            entity_type: "lead",
            entity_id: lead_id,
            created_by,
            created_at,
            value_before: before,
            value_after: after,
        });
    }
}

/// Kommo's event ids are 26 lowercase characters.
fn event_id(n: u64) -> String {
    format!("01sim{n:021}")
}

fn status(id: i64, pipeline_id: i64) -> Value {
    json!([{"lead_status": {"id": id, "pipeline_id": pipeline_id}}])
}

fn message(n: u32) -> Value {
    json!([{"message": {
        "id": format!("5a0d2c1e-0000-4000-8000-{n:012}"),
        "origin": "com.amocrm.amocrmwa",
        "talk_id": 311,
    }}])
}

/// The seeded users, events and loss reasons, and the seeded note of the history lead
/// (lead 9005 was created at `created_at` and closed won an hour later).
pub(crate) fn seed(created_at: i64) -> (HistoryData, Note) {
    let mut data = HistoryData {
        events: Vec::new(),
        next_event: 1,
        users: vec![
            User {
                id: USER_ID,
                name: "Ana Souza".to_owned(),
                email: "ana@demo.example".to_owned(),
                is_admin: true,
                is_active: true,
                group: Some((1, "Sales")),
            },
            User {
                id: SECOND_USER_ID,
                name: "Bruno Lima".to_owned(),
                email: "bruno@demo.example".to_owned(),
                is_admin: false,
                is_active: true,
                group: Some((1, "Sales")),
            },
            User {
                id: INACTIVE_USER_ID,
                name: "Carla Ruiz".to_owned(),
                email: "carla@demo.example".to_owned(),
                is_admin: false,
                is_active: false,
                group: None,
            },
        ],
        loss_reasons: vec![
            (4_203_748, "Price too high", 100_000),
            (4_203_750, "No longer needed", 200_000),
            (4_203_752, "Chose a competitor", 300_000),
        ],
    };
    let lead = HISTORY_LEAD;
    let t = created_at;
    let none = || json!([]);
    data.record("lead_added", lead, 0, t, none(), none());
    data.record("incoming_chat_message", lead, 0, t + 60, none(), message(1));
    data.record(
        "lead_status_changed",
        lead,
        0,
        t + 120,
        status(2001, 1001),
        status(2002, 1001),
    );
    data.record(
        "outgoing_chat_message",
        lead,
        USER_ID,
        t + 300,
        none(),
        message(2),
    );
    data.record(
        "entity_tag_added",
        lead,
        USER_ID,
        t + 600,
        none(),
        json!([{"tag": {"name": "vip"}}]),
    );
    data.record(
        "common_note_added",
        lead,
        USER_ID,
        t + 900,
        none(),
        json!([{"note": {"id": HISTORY_NOTE_ID}}]),
    );
    data.record(
        "incoming_chat_message",
        lead,
        0,
        t + 1_200,
        none(),
        message(3),
    );
    data.record(
        "lead_status_changed",
        lead,
        SECOND_USER_ID,
        t + 1_800,
        status(2002, 1001),
        status(2003, 1001),
    );
    data.record(
        "outgoing_chat_message",
        lead,
        0,
        t + 2_400,
        none(),
        message(4),
    );
    data.record(
        "lead_status_changed",
        lead,
        USER_ID,
        t + 3_600,
        status(2003, 1001),
        status(142, 1001),
    );
    let note = Note {
        id: HISTORY_NOTE_ID,
        entity_id: lead,
        note_type: "common".to_owned(),
        params: json!({"text": "Wants the annual plan; send the invoice to purchasing."}),
        created_at: t + 900,
        responsible_user_id: USER_ID,
        group_id: 0,
    };
    (data, note)
}

impl super::SimState {
    /// Adds an active or deactivated user (no group) to account `subdomain`, e.g. two
    /// whose names differ only in case and accents; false when there is no such account.
    pub fn add_user(
        &self,
        subdomain: &str,
        id: i64,
        name: &str,
        email: &str,
        active: bool,
    ) -> bool {
        let Some(account) = self.account(subdomain) else {
            return false;
        };
        let mut data = super::sync::lock(&account.data);
        data.history.users.push(User {
            id,
            name: name.to_owned(),
            email: email.to_owned(),
            is_admin: false,
            is_active: active,
            group: None,
        });
        true
    }
}

/// What a lead PATCH can change that Kommo records as events.
pub(crate) struct LeadSnapshot {
    stage: (i64, i64),
    responsible_user_id: i64,
    price: i64,
    tags: Vec<String>,
    fields: Vec<(i64, Vec<Value>)>,
}

impl LeadSnapshot {
    pub(crate) fn of(lead: &super::state::Lead) -> LeadSnapshot {
        LeadSnapshot {
            stage: (lead.pipeline_id, lead.status_id),
            responsible_user_id: lead.responsible_user_id,
            price: lead.price,
            tags: lead.tags.iter().map(|(_, name)| name.clone()).collect(),
            fields: lead.custom_fields.clone(),
        }
    }
}

/// The `custom_field_value` Kommo's `custom_field_value_changed` event holds: the field,
/// and its first value's text and option (null when the field was cleared).
fn field_value(field_id: i64, values: Option<&Vec<Value>>) -> Value {
    let first = values.and_then(|values| values.first());
    let text = first.and_then(|v| v.get("value")).map(|v| match v {
        Value::String(text) => Value::String(text.clone()),
        other => Value::String(other.to_string()),
    });
    json!([{"custom_field_value": {
        "field_id": field_id,
        "enum_id": first.and_then(|v| v.get("enum_id")),
        "text": text,
    }}])
}

/// Whether an event of `kind` about field `field_id` is what a `filter[type]` of `wanted`
/// asks for: its own type, or Kommo's per-field `custom_field_{id}_value_changed`.
pub(crate) fn type_matches(wanted: &str, event: &Event) -> bool {
    if wanted == event.kind {
        return true;
    }
    let field = wanted
        .strip_prefix("custom_field_")
        .and_then(|rest| rest.strip_suffix("_value_changed"))
        .and_then(|id| id.parse::<i64>().ok());
    let event_field = event
        .value_after
        .get(0)
        .and_then(|v| v.get("custom_field_value"))
        .and_then(|v| v.get("field_id"))
        .and_then(Value::as_i64);
    event.kind == "custom_field_value_changed" && field.is_some() && field == event_field
}

impl HistoryData {
    /// The events Kommo records for a lead PATCH by user `by`: a stage move, a new
    /// responsible user, a new sale value, each tag added or removed, each custom field
    /// whose value changed.
    pub(crate) fn record_changes(
        &mut self,
        before: &LeadSnapshot,
        lead: &super::state::Lead,
        by: i64,
        now: i64,
    ) {
        let after = LeadSnapshot::of(lead);
        if after.stage != before.stage {
            let (from_pipeline, from) = before.stage;
            let (to_pipeline, to) = after.stage;
            self.record(
                "lead_status_changed",
                lead.id,
                by,
                now,
                status(from, from_pipeline),
                status(to, to_pipeline),
            );
        }
        if after.responsible_user_id != before.responsible_user_id {
            let user = |id: i64| json!([{"responsible_user": {"id": id}}]);
            self.record(
                "entity_responsible_changed",
                lead.id,
                by,
                now,
                user(before.responsible_user_id),
                user(after.responsible_user_id),
            );
        }
        if after.price != before.price {
            let sale = |sale: i64| json!([{"sale_field_value": {"sale": sale}}]);
            self.record(
                "sale_field_changed",
                lead.id,
                by,
                now,
                sale(before.price),
                sale(after.price),
            );
        }
        let tag = |name: &String| json!([{"tag": {"name": name}}]);
        for added in after.tags.iter().filter(|t| !before.tags.contains(t)) {
            self.record("entity_tag_added", lead.id, by, now, json!([]), tag(added));
        }
        for removed in before.tags.iter().filter(|t| !after.tags.contains(t)) {
            self.record(
                "entity_tag_deleted",
                lead.id,
                by,
                now,
                tag(removed),
                json!([]),
            );
        }
        let values = |snapshot: &LeadSnapshot, id: i64| {
            snapshot
                .fields
                .iter()
                .find(|(field, _)| *field == id)
                .map(|(_, values)| values.clone())
        };
        let mut touched: Vec<i64> = before.fields.iter().map(|(id, _)| *id).collect();
        touched.extend(after.fields.iter().map(|(id, _)| *id));
        touched.sort_unstable();
        touched.dedup();
        for id in touched {
            let (old, new) = (values(before, id), values(&after, id));
            if old != new {
                self.record(
                    "custom_field_value_changed",
                    lead.id,
                    by,
                    now,
                    field_value(id, old.as_ref()),
                    field_value(id, new.as_ref()),
                );
            }
        }
    }
}
