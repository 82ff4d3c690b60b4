//! `GET /api/v4/bots` and the Salesbot runs and stops (`POST /api/v4/bots/run`,
//! `POST /api/v4/bots/{id}/run|stop`), answered 202 and kept for the tests to read. A run
//! of a bot that sends a field's value leaves the `outgoing_chat_message` event Kommo
//! records for a message the robot sent in the lead's chat.

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::Payload;
use crate::SimState;
use crate::crm::BotAction;
use crate::problem::{self, FieldError};
use crate::state::{Account, AccountData};
use crate::sync::lock;

pub(super) fn list(account: &Account, base: &str) -> Response {
    let data = lock(&account.data);
    let bots: Vec<Value> = data
        .crm
        .bots
        .iter()
        .map(|b| json!({"id": b.id, "name": b.name, "account_id": account.id, "_links": {"self": {"href": format!("{base}/api/v4/bots/{}", b.id)}}}))
        .collect();
    if bots.is_empty() {
        return problem::no_content();
    }
    problem::hal(
        StatusCode::OK,
        &json!({"_total_items": bots.len(), "_links": {"self": {"href": format!("{base}/api/v4/bots")}}, "_embedded": {"items": bots}}),
    )
}

fn too_low(path: String) -> FieldError {
    FieldError {
        code: "TooLow",
        path,
        detail: "This value should be greater than 0.",
    }
}

/// Checks one `{entity_id, entity_type}` (and the bot); errors name `prefix…`.
fn check_action(
    data: &AccountData,
    bot_id: i64,
    item: &Value,
    prefix: &str,
    bot_path: &str,
) -> Result<(i64, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    if bot_id < 1 || !data.crm.bots.iter().any(|b| b.id == bot_id) {
        errors.push(too_low(bot_path.to_owned()));
    }
    let entity_type = item
        .get("entity_type")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !matches!(entity_type, "leads" | "contacts") {
        errors.push(FieldError::not_supported_choice(format!(
            "{prefix}entity_type"
        )));
    }
    let entity_id = item.get("entity_id").and_then(Value::as_i64).unwrap_or(0);
    let exists = match entity_type {
        "leads" => data.leads.contains_key(&entity_id),
        _ => data.crm.contacts.iter().any(|c| c.id == entity_id),
    };
    if !exists {
        errors.push(too_low(format!("{prefix}entity_id")));
    }
    if errors.is_empty() {
        Ok((entity_id, entity_type.to_owned()))
    } else {
        Err(errors)
    }
}

fn accepted() -> Response {
    problem::with_body(StatusCode::ACCEPTED, None, axum::body::Body::empty())
}

/// `POST /api/v4/bots/{id}/run|stop` with `{entity_id, entity_type}` (an array of one is
/// accepted too, as one integration sends stop).
pub(super) fn run_or_stop(
    account: &Account,
    bot_id: i64,
    action: &str,
    payload: &Payload,
) -> Response {
    let item = match payload {
        Payload::Json(v @ Value::Object(_)) => v,
        Payload::Json(Value::Array(items)) if items.len() == 1 => &items[0],
        Payload::Empty => return problem::bad_request("Request data can not be empty"),
        _ => return problem::bad_request("Invalid request body"),
    };
    let mut data = lock(&account.data);
    match check_action(&data, bot_id, item, "", "bot_id") {
        Ok((entity_id, entity_type)) => {
            let action = if action == "stop" { "stop" } else { "run" };
            let sent = (action == "run")
                .then(|| sent_text(&data, bot_id, entity_id))
                .flatten();
            let action = BotAction {
                action,
                bot_id,
                entity_id,
                entity_type,
                sent,
            };
            record_sent(&mut data, &action);
            data.crm.bot_actions.push(action);
            accepted()
        }
        Err(errors) => problem::validation(&errors),
    }
}

/// `POST /api/v4/bots/run` with an array of `{bot_id, entity_id, entity_type}`.
pub(super) fn batch_run(account: &Account, payload: &Payload) -> Response {
    let items = match payload.items() {
        Ok(items) => items,
        Err(detail) => return problem::bad_request(detail),
    };
    let mut data = lock(&account.data);
    let mut errors = Vec::new();
    let mut planned = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let bot_id = item.get("bot_id").and_then(Value::as_i64).unwrap_or(0);
        match check_action(
            &data,
            bot_id,
            item,
            &format!("{i}."),
            &format!("{i}.bot_id"),
        ) {
            Ok((entity_id, entity_type)) => planned.push(BotAction {
                action: "run",
                bot_id,
                entity_id,
                entity_type,
                sent: sent_text(&data, bot_id, entity_id),
            }),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return problem::validation(&errors);
    }
    for action in &planned {
        record_sent(&mut data, action);
    }
    data.crm.bot_actions.extend(planned);
    accepted()
}

/// The robot's outgoing chat message in the lead's history, for a run that sent one
/// (Kommo's event names the message and its channel, never its text).
fn record_sent(data: &mut AccountData, action: &BotAction) {
    if action.sent.is_none() || action.entity_type != "leads" {
        return;
    }
    let n = data.history.next_event;
    let message = json!([{"message": {
        "id": format!("5a0d2c1e-0000-4000-9000-{n:012}"),
        "origin": "com.amocrm.amocrmwa",
        "talk_id": 311,
    }}]);
    data.history.record(
        "outgoing_chat_message",
        action.entity_id,
        0,
        crate::state::unix_now(),
        json!([]),
        message,
    );
}

/// What a run of `bot_id` on lead `lead_id` sends: the value its send-message step's field
/// holds on the lead, for a bot that has such a step.
fn sent_text(data: &AccountData, bot_id: i64, lead_id: i64) -> Option<String> {
    let field = data.crm.bots.iter().find(|b| b.id == bot_id)?.sends_field?;
    let (_, values) = data
        .leads
        .get(&lead_id)?
        .custom_fields
        .iter()
        .find(|(id, _)| *id == field)?;
    values
        .first()
        .and_then(|v| v.get("value"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

impl SimState {
    /// Gives Salesbot `bot_id` of account `subdomain` a send-message step that sends the
    /// lead field `field_id` (what `send_message` needs); false when there is no such bot.
    pub fn set_bot_sends_field(&self, subdomain: &str, bot_id: i64, field_id: i64) -> bool {
        let Some(account) = self.account(subdomain) else {
            return false;
        };
        let mut data = lock(&account.data);
        match data.crm.bots.iter_mut().find(|b| b.id == bot_id) {
            Some(bot) => {
                bot.sends_field = Some(field_id);
                true
            }
            None => false,
        }
    }

    /// The messages sending bots sent on account `subdomain`, oldest first:
    /// `{bot_id, lead_id, text}`.
    pub fn sent_messages(&self, subdomain: &str) -> Vec<Value> {
        let Some(account) = self.account(subdomain) else {
            return Vec::new();
        };
        let data = lock(&account.data);
        data.crm
            .bot_actions
            .iter()
            .filter_map(|a| {
                let text = a.sent.as_ref()?;
                Some(json!({"bot_id": a.bot_id, "lead_id": a.entity_id, "text": text}))
            })
            .collect()
    }

    /// The Salesbot runs and stops accepted on account `subdomain`, oldest first:
    /// `{action, bot_id, entity_id, entity_type}`.
    pub fn bot_actions(&self, subdomain: &str) -> Vec<Value> {
        let Some(account) = self.account(subdomain) else {
            return Vec::new();
        };
        let data = lock(&account.data);
        data.crm
            .bot_actions
            .iter()
            .map(|a| json!({"action": a.action, "bot_id": a.bot_id, "entity_id": a.entity_id, "entity_type": a.entity_type}))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use serde_json::json;

    #[tokio::test]
    async fn bots_list_run_stop() {
        let (sim, client) = start(unlimited()).await;
        let (status, _, body) = parts(client.get("/api/v4/bots").await).await;
        assert_eq!(status, 200);
        assert_eq!(body["_embedded"]["items"][0]["id"], 401);
        let one = json!({"entity_id": 9001, "entity_type": "leads"});
        let (status, ct, body) = parts(client.post("/api/v4/bots/401/run", &one).await).await;
        assert_eq!((status, ct, body), (202, None, serde_json::Value::Null));
        let (status, _, _) = parts(client.post("/api/v4/bots/401/stop", &json!([one])).await).await;
        assert_eq!(status, 202);
        let batch = json!([{"bot_id": 401, "entity_id": 9002, "entity_type": "leads"}]);
        assert_eq!(client.post("/api/v4/bots/run", &batch).await.status(), 202);
        let (status, _, body) = parts(client.post("/api/v4/bots/999/run", &one).await).await;
        assert_eq!(status, 400);
        assert!(body.to_string().contains("TooLow"), "{body}");
        let bad_type = json!({"entity_id": 9001, "entity_type": "deals"});
        let (status, _, body) = parts(client.post("/api/v4/bots/401/stop", &bad_type).await).await;
        assert_eq!(status, 400);
        assert!(body.to_string().contains("NotSupportedChoice"), "{body}");
        let actions = sim.state().bot_actions(SUB);
        let kinds: Vec<&str> = actions
            .iter()
            .map(|a| a["action"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["run", "stop", "run"]);
    }
}
