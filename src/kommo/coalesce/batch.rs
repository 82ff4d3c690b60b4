//! The batch requests and how their answer is shared out: a filtered `GET /api/v4/leads`
//! (each reader finds its lead by id; a missing lead is simply not listed) and a `PATCH
//! /api/v4/leads` array (each element found by its `request_id`, else by its lead id).
//!
//! A 400 whose `validation-errors` name elements by `request_id` rejects the whole request
//! at Kommo: the named callers get their own validation error, and the other elements are
//! sent again without them (an element refused only for its `id` is sent alone, for the 404
//! it would have had). A 400 or 404 that names no element, or a confirmation that
//! misses one, is resolved by sending each element alone.

use std::collections::HashMap;

use bytes::Bytes;
use serde::Deserialize;
use serde_json::Value;

use super::super::{
    Account, KommoError, decode,
    gate::Slot,
    models::{LeadsEmbedded, Page},
    problem,
    send::{Request, Sender},
};
use super::{Outcome, Waiting, read_one, update_one};

/// Reads every waiting lead with one filtered GET (or the single GET for one).
pub(super) async fn read(
    sender: &Sender,
    account: &Account,
    with_contacts: bool,
    batch: Vec<Waiting>,
    slot: Slot,
) {
    if let [_] = batch.as_slice() {
        let Some(waiting) = batch.into_iter().next() else {
            return;
        };
        let answer = read_one(sender, account, waiting.lead_id, with_contacts, Some(slot)).await;
        waiting.reply(answer.map(|lead| Outcome::Lead(lead.map(Box::new))));
        return;
    }
    let mut ids: Vec<i64> = batch.iter().map(|w| w.lead_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut path = format!("/api/v4/leads?limit={}", ids.len());
    if with_contacts {
        path.push_str("&with=contacts");
    }
    for id in &ids {
        path.push_str(&format!("&filter%5Bid%5D%5B%5D={id}"));
    }
    let what = || "the leads".to_owned();
    let answer = match sender
        .send_in(account, Request::get(&path, &what), Some(slot))
        .await
    {
        Ok(reply) if reply.status == 204 || reply.body.is_empty() => Ok(Vec::new()),
        Ok(reply) => {
            decode::<Page<LeadsEmbedded>>(&reply.body, "the leads").map(|page| page.embedded.leads)
        }
        Err(error) => Err(error),
    };
    match answer {
        Ok(leads) => {
            for waiting in batch {
                let lead = leads
                    .iter()
                    .find(|l| l.id == waiting.lead_id)
                    .cloned()
                    .map(Box::new);
                waiting.reply(Ok(Outcome::Lead(lead)));
            }
        }
        Err(error) => {
            for waiting in batch {
                waiting.reply(Err(error.clone()));
            }
        }
    }
}

#[derive(Deserialize)]
struct Confirmed {
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    request_id: Option<Value>,
}

#[derive(Deserialize)]
struct ConfirmedLeads {
    #[serde(default)]
    leads: Vec<Confirmed>,
}

/// Updates every waiting lead with one PATCH array (or the single PATCH for one).
pub(super) async fn update(sender: &Sender, account: &Account, batch: Vec<Waiting>, slot: Slot) {
    let mut pending = batch;
    let mut slot = Some(slot);
    loop {
        if pending.len() <= 1 {
            for waiting in pending {
                let body = waiting.body.clone().unwrap_or(Value::Null);
                let answer = update_one(sender, account, waiting.lead_id, &body, slot.take()).await;
                waiting.reply(answer.map(|()| Outcome::Updated));
            }
            return;
        }
        let payload = match batch_body(&pending) {
            Ok(payload) => payload,
            Err(error) => {
                reply_all(pending, &error);
                return;
            }
        };
        let what = || "the leads".to_owned();
        let request = Request::patch("/api/v4/leads", payload, &what).accepting(&[400, 404]);
        let reply = match sender.send_in(account, request, slot.take()).await {
            Ok(reply) => reply,
            Err(error) => {
                reply_all(pending, &error);
                return;
            }
        };
        match reply.status {
            400 => match rejected(&reply.body) {
                Some(groups) => {
                    let count = pending.len();
                    let (rest, unknown) =
                        share_rejections(pending, &reply.body, &groups, Some("id"), &|lead_id| {
                            format!("lead {lead_id}")
                        });
                    alone(sender, account, unknown).await;
                    if rest.len() == count {
                        // The refusal named none of them: each goes alone, for its own answer.
                        return alone(sender, account, rest).await;
                    }
                    pending = rest;
                }
                None => return alone(sender, account, pending).await,
            },
            404 => return alone(sender, account, pending).await,
            _ => return confirm(sender, account, pending, &reply.body).await,
        }
    }
}

/// `[{…body, id, request_id}]`, the request id being the element's index.
fn batch_body(pending: &[Waiting]) -> Result<Bytes, KommoError> {
    let items: Vec<Value> = pending
        .iter()
        .enumerate()
        .map(|(index, waiting)| {
            let mut item = waiting
                .body
                .clone()
                .unwrap_or_else(|| serde_json::json!({}));
            if let Value::Object(map) = &mut item {
                map.insert("id".to_owned(), Value::from(waiting.lead_id));
                map.insert("request_id".to_owned(), Value::from(index.to_string()));
            }
            item
        })
        .collect();
    serde_json::to_vec(&items)
        .map(Bytes::from)
        .map_err(|err| KommoError::Decode {
            detail: err.to_string(),
        })
}

pub(super) fn reply_all(pending: Vec<Waiting>, error: &KommoError) {
    for waiting in pending {
        waiting.reply(Err(error.clone()));
    }
}

/// The `validation-errors` groups by `request_id`, when every group names one.
pub(super) fn rejected(body: &[u8]) -> Option<HashMap<String, Value>> {
    let problem: Value = serde_json::from_slice(body).ok()?;
    let groups = problem.get("validation-errors")?.as_array()?;
    let mut by_id = HashMap::new();
    for group in groups {
        let id = match group.get("request_id")? {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            _ => return None,
        };
        by_id.insert(id, group.clone());
    }
    (!by_id.is_empty()).then_some(by_id)
}

/// The rejected callers get the 400 they would have had alone (the same problem with only
/// their group, named `what` of their lead); the rest are returned, to be sent again. An
/// element refused only for `lead_field` (a lead that does not exist) is returned apart:
/// alone, Kommo answers it with 404.
pub(super) fn share_rejections(
    pending: Vec<Waiting>,
    body: &[u8],
    groups: &HashMap<String, Value>,
    lead_field: Option<&str>,
    what: &dyn Fn(i64) -> String,
) -> (Vec<Waiting>, Vec<Waiting>) {
    let problem: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let mut rest = Vec::new();
    let mut unknown = Vec::new();
    for (index, waiting) in pending.into_iter().enumerate() {
        match groups.get(&index.to_string()) {
            Some(group) if lead_field.is_some_and(|field| only(group, field)) => {
                unknown.push(waiting)
            }
            Some(group) => {
                let mut own = problem.clone();
                if let Value::Object(map) = &mut own {
                    let mut group = group.clone();
                    group["request_id"] = Value::from("0");
                    map.insert("validation-errors".to_owned(), Value::Array(vec![group]));
                }
                let own = serde_json::to_vec(&own).unwrap_or_default();
                let what = what(waiting.lead_id);
                waiting.reply(Err(problem::classify(400, &own, &what)));
            }
            None => rest.push(waiting),
        }
    }
    (rest, unknown)
}

/// Whether every error of the group is about `field`.
fn only(group: &Value, field: &str) -> bool {
    group
        .get("errors")
        .and_then(Value::as_array)
        .is_some_and(|errors| {
            !errors.is_empty()
                && errors
                    .iter()
                    .all(|error| error.get("path").and_then(Value::as_str) == Some(field))
        })
}

/// Each confirmed element succeeds; one Kommo did not confirm is sent again alone.
async fn confirm(sender: &Sender, account: &Account, pending: Vec<Waiting>, body: &Bytes) {
    let confirmed = match decode::<Page<ConfirmedLeads>>(body, "the update confirmation") {
        Ok(page) => page.embedded.leads,
        Err(error) => return reply_all(pending, &error),
    };
    let mut missed = Vec::new();
    for (index, waiting) in pending.into_iter().enumerate() {
        let by_request = confirmed.iter().any(|c| match &c.request_id {
            Some(Value::String(text)) => *text == index.to_string(),
            Some(Value::Number(number)) => number.as_u64() == Some(index as u64),
            _ => false,
        });
        let by_id = confirmed
            .iter()
            .any(|c| c.request_id.is_none() && c.id == Some(waiting.lead_id));
        if by_request || by_id {
            waiting.reply(Ok(Outcome::Updated));
        } else {
            missed.push(waiting);
        }
    }
    alone(sender, account, missed).await;
}

/// Sends each element by itself (each with a slot of its own).
async fn alone(sender: &Sender, account: &Account, pending: Vec<Waiting>) {
    for waiting in pending {
        let body = waiting.body.clone().unwrap_or(Value::Null);
        let answer = update_one(sender, account, waiting.lead_id, &body, None).await;
        waiting.reply(answer.map(|()| Outcome::Updated));
    }
}
