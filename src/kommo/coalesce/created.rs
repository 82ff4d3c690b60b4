//! Notes and tasks: the single `POST /api/v4/leads/{id}/notes` (or one-task `POST
//! /api/v4/tasks`) of a call that goes alone, and the batch `POST /api/v4/leads/notes` and
//! `POST /api/v4/tasks` arrays that carry many callers' elements, each found in Kommo's
//! answer by its `request_id`.
//!
//! Kommo stores a batch all or none. A 400 whose `validation-errors` name elements by
//! `request_id` stored nothing: the named callers get their own validation error, and the
//! other elements are sent again without them (a note refused only for its `entity_id` is
//! sent alone, for the 404 it would have had). A 400 that names no element stored nothing
//! either: each element is sent alone. Any other failure (a 5xx, a timeout) may have stored
//! some of them, so nothing is sent again: every caller gets that failure, as a note sent
//! alone would have. A confirmation that misses an element is that caller's failure, for
//! the same reason.

use bytes::Bytes;
use serde::Deserialize;
use serde_json::Value;

use super::super::{
    Account, KommoError, decode,
    gate::Slot,
    models::Page,
    send::{Request, Sender},
};
use super::batch::{rejected, reply_all, share_rejections};
use super::{Outcome, Waiting};

/// What a create call makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Entity {
    Note,
    Task,
}

impl Entity {
    fn single_path(self, lead_id: i64) -> String {
        match self {
            Entity::Note => format!("/api/v4/leads/{lead_id}/notes"),
            Entity::Task => "/api/v4/tasks".to_owned(),
        }
    }

    fn batch_path(self) -> &'static str {
        match self {
            Entity::Note => "/api/v4/leads/notes",
            Entity::Task => "/api/v4/tasks",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Entity::Note => "the notes",
            Entity::Task => "the tasks",
        }
    }

    /// Names the resource of one caller in a 404 reason.
    fn what(self, lead_id: i64) -> String {
        match self {
            Entity::Note => format!("the notes of lead {lead_id}"),
            Entity::Task => format!("the tasks of lead {lead_id}"),
        }
    }

    fn confirmation(self) -> &'static str {
        match self {
            Entity::Note => "the note confirmation",
            Entity::Task => "the task confirmation",
        }
    }

    fn none_listed(self) -> KommoError {
        let detail = match self {
            Entity::Note => "the note confirmation lists no note",
            Entity::Task => "the task confirmation lists no task",
        };
        KommoError::Decode {
            detail: detail.to_owned(),
        }
    }

    /// The element field that names the lead in a batch, when a refusal of it alone means
    /// the lead does not exist (a lone note goes to the lead's own path, which answers 404).
    fn lead_field(self) -> Option<&'static str> {
        match self {
            Entity::Note => Some("entity_id"),
            Entity::Task => None,
        }
    }

    /// One batch element: the caller's item with the lead (notes) and its `request_id`.
    fn batch_item(self, item: &Value, lead_id: i64, index: usize) -> Value {
        let mut item = item.clone();
        if let Value::Object(map) = &mut item {
            if self == Entity::Note {
                map.insert("entity_id".to_owned(), Value::from(lead_id));
            }
            map.insert("request_id".to_owned(), Value::from(index.to_string()));
        }
        item
    }
}

#[derive(Deserialize)]
struct Confirmed {
    id: i64,
    #[serde(default)]
    request_id: Option<Value>,
}

#[derive(Deserialize)]
struct ConfirmedItems {
    #[serde(default)]
    notes: Vec<Confirmed>,
    #[serde(default)]
    tasks: Vec<Confirmed>,
}

impl ConfirmedItems {
    fn of(self, entity: Entity) -> Vec<Confirmed> {
        match entity {
            Entity::Note => self.notes,
            Entity::Task => self.tasks,
        }
    }
}

fn to_bytes(body: &Value) -> Result<Bytes, KommoError> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|err| KommoError::Decode {
            detail: err.to_string(),
        })
}

/// One note or task in its own request; returns the id Kommo gave it. Never replayed once
/// Kommo may have received it, so it is never written twice.
pub(crate) async fn create_one(
    sender: &Sender,
    account: &Account,
    entity: Entity,
    lead_id: i64,
    item: &Value,
    slot: Option<Slot>,
) -> Result<i64, KommoError> {
    let payload = to_bytes(&Value::Array(vec![item.clone()]))?;
    let path = entity.single_path(lead_id);
    let what = || entity.what(lead_id);
    let reply = sender
        .send_in(account, Request::post_once(&path, payload, &what), slot)
        .await?;
    let page: Page<ConfirmedItems> = decode(&reply.body, entity.confirmation())?;
    page.embedded
        .of(entity)
        .first()
        .map(|created| created.id)
        .ok_or_else(|| entity.none_listed())
}

/// Creates every waiting element with one batch request (or the single request for one).
pub(super) async fn create(
    sender: &Sender,
    account: &Account,
    entity: Entity,
    batch: Vec<Waiting>,
    slot: Slot,
) {
    let mut pending = batch;
    let mut slot = Some(slot);
    loop {
        if pending.len() <= 1 {
            for waiting in pending {
                let item = waiting.body.clone().unwrap_or(Value::Null);
                let answer =
                    create_one(sender, account, entity, waiting.lead_id, &item, slot.take()).await;
                waiting.reply(answer.map(Outcome::Created));
            }
            return;
        }
        let items: Vec<Value> = pending
            .iter()
            .enumerate()
            .map(|(index, waiting)| {
                let item = waiting.body.clone().unwrap_or(Value::Null);
                entity.batch_item(&item, waiting.lead_id, index)
            })
            .collect();
        let payload = match to_bytes(&Value::Array(items)) {
            Ok(payload) => payload,
            Err(error) => return reply_all(pending, &error),
        };
        let what = || entity.plural().to_owned();
        let request = Request::post_once(entity.batch_path(), payload, &what).accepting(&[400]);
        let reply = match sender.send_in(account, request, slot.take()).await {
            Ok(reply) => reply,
            Err(error) => return reply_all(pending, &error),
        };
        if reply.status != 400 {
            return confirm(entity, pending, &reply.body);
        }
        let Some(groups) = rejected(&reply.body) else {
            return alone(sender, account, entity, pending).await;
        };
        let count = pending.len();
        let (rest, unknown) = share_rejections(
            pending,
            &reply.body,
            &groups,
            entity.lead_field(),
            &|lead_id| entity.what(lead_id),
        );
        alone(sender, account, entity, unknown).await;
        if rest.len() == count {
            // The refusal named none of them: each goes alone, for its own answer.
            return alone(sender, account, entity, rest).await;
        }
        pending = rest;
    }
}

/// Each element Kommo confirmed gets its new id, found by its `request_id` (by position
/// when the answer carries none and lists every element).
fn confirm(entity: Entity, pending: Vec<Waiting>, body: &Bytes) {
    let confirmed = match decode::<Page<ConfirmedItems>>(body, entity.confirmation()) {
        Ok(page) => page.embedded.of(entity),
        Err(error) => return reply_all(pending, &error),
    };
    let by_position =
        confirmed.len() == pending.len() && confirmed.iter().all(|c| c.request_id.is_none());
    for (index, waiting) in pending.into_iter().enumerate() {
        let found = match by_position {
            true => confirmed.get(index),
            false => confirmed.iter().find(|c| match &c.request_id {
                Some(Value::String(text)) => *text == index.to_string(),
                Some(Value::Number(number)) => number.as_u64() == Some(index as u64),
                _ => false,
            }),
        };
        let answer = found
            .map(|created| Outcome::Created(created.id))
            .ok_or_else(|| entity.none_listed());
        waiting.reply(answer);
    }
}

/// Sends each element by itself (each with a slot of its own).
async fn alone(sender: &Sender, account: &Account, entity: Entity, pending: Vec<Waiting>) {
    for waiting in pending {
        let item = waiting.body.clone().unwrap_or(Value::Null);
        let answer = create_one(sender, account, entity, waiting.lead_id, &item, None).await;
        waiting.reply(answer.map(Outcome::Created));
    }
}
