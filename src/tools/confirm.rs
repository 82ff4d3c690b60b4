//! Asking the user before a write of `confirm_tools` is sent: when the client declared
//! `elicitation`, the write path sends `elicitation/create` with a message naming the tool,
//! the account, the lead and what will change, and a form of one boolean `confirm`. The
//! write goes ahead only on `accept` with `confirm` true; a decline, a cancel, no answer
//! within `confirm_timeout`, an error from the client or the call being cancelled leave
//! Kommo untouched. Without elicitation in the client, or for a tool not listed, nothing
//! is asked (the write behaves as if the setting were not there). Dry runs never get here.

use std::{fmt, time::Duration};

use rmcp::model::CallToolResult;
use serde_json::{Value, json};

use super::{Call, Target, outcome, write::Write};
use crate::{client_link, kommo::BotAction, toolset::ToolName};

/// Kommo's fixed ids of the two closing statuses, in every pipeline.
const WON: i64 = 142;
const LOST: i64 = 143;
/// The most characters of a note's or message's text the question quotes.
const QUOTED_CHARS: usize = 160;

/// What the user said about a write.
pub(super) enum Confirmation {
    /// Nothing was asked: the tool is not listed, or the client cannot be asked.
    NotAsked,
    /// The user accepted (and ticked `confirm`).
    Accepted,
    /// The write must not be sent, and why.
    NotConfirmed(Refusal),
    /// The call was cancelled while the question was open: the write path's own check
    /// for cancellation answers it.
    CallCancelled,
}

/// Why a write was not confirmed.
#[derive(Debug)]
pub(super) enum Refusal {
    Declined,
    Cancelled,
    /// Accepted without ticking `confirm`.
    Unticked,
    TimedOut(Duration),
    /// The client answered with an error or could not be reached.
    Failed(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Declined => f.write_str("the user declined"),
            Refusal::Cancelled => f.write_str("the user dismissed the question"),
            Refusal::Unticked => f.write_str("the user accepted without ticking confirm"),
            Refusal::TimedOut(after) => write!(f, "no answer came within {}", seconds(*after)),
            Refusal::Failed(reason) => write!(f, "the question could not be asked: {reason}"),
        }
    }
}

fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

impl Call<'_> {
    /// Asks the user about `write` if this tool needs confirmation and the client can be
    /// asked.
    pub(super) async fn confirmation(&self, target: &Target, write: &Write<'_>) -> Confirmation {
        let config = &self.kit.config;
        if !config.confirm_tools.value.contains(self.tool) {
            return Confirmation::NotAsked;
        }
        let Some(link) = client_link::current().filter(|link| link.facts.can_elicit()) else {
            return Confirmation::NotAsked;
        };
        let message = self.question(target, write).await;
        let timeout = config.confirm_timeout.value;
        let asking = link
            .channel
            .ask("elicitation/create", elicitation_params(&message), timeout);
        let answer = tokio::select! {
            answer = asking => answer,
            () = crate::cancellation::cancelled() => {
                return Confirmation::CallCancelled;
            }
        };
        let decision = match answer {
            Ok(result) => decision(&result),
            Err(client_link::AskError::TimedOut(after)) => {
                Confirmation::NotConfirmed(Refusal::TimedOut(after))
            }
            Err(err) => Confirmation::NotConfirmed(Refusal::Failed(err.to_string())),
        };
        let said = match &decision {
            Confirmation::Accepted => "accepted".to_owned(),
            Confirmation::NotConfirmed(refusal) => refusal.to_string(),
            Confirmation::NotAsked | Confirmation::CallCancelled => String::new(),
        };
        tracing::info!(tool = self.tool.as_str(), "confirmation: {said}");
        decision
    }

    /// The question put to the user: the tool, what it will change, on which lead of which
    /// account.
    async fn question(&self, target: &Target, write: &Write<'_>) -> String {
        let change = crate::observe::call::current_change();
        let lead = |lead_id: i64| match change.lead_name.as_deref() {
            Some(name) if !name.trim().is_empty() => format!("lead {lead_id} {name:?}"),
            _ => format!("lead {lead_id}"),
        };
        let what = match write {
            Write::UpdateLead { lead_id, body } => {
                let status = self.status_words(target, body).await;
                update_words(&lead(*lead_id), body, status.as_deref())
            }
            Write::AddNote { lead_id, text } => {
                format!("Add a note to {}: {}", lead(*lead_id), quoted(text))
            }
            Write::CreateTask { task } => format!(
                "Create a task on {}: {}",
                lead(task.lead_id),
                quoted(&task.text)
            ),
            Write::CreateTag { name } => format!("Create the lead tag {:?}", name.trim()),
            Write::Salesbot {
                action,
                bot_id,
                lead_id,
            } => match action {
                BotAction::Run => format!("Run Salesbot {bot_id} on {}", lead(*lead_id)),
                BotAction::Stop => format!("Stop Salesbot {bot_id} on {}", lead(*lead_id)),
            },
            Write::CreateLead { body, .. } => match body.pointer("/0/name").and_then(Value::as_str)
            {
                Some(name) => format!("Create a lead {name:?}"),
                None => "Create a lead".to_owned(),
            },
            Write::UpdateContact { contact_id, body } => format!(
                "Update contact {contact_id} ({})",
                field_names(body).join(", ")
            ),
            Write::Message { lead_id, text, .. } => format!(
                "Send the customer of {} the message {}",
                lead(*lead_id),
                quoted(text)
            ),
        };
        format!(
            "{what} in Kommo account {}? ({} asks before writing; nothing is sent unless you \
             confirm.)",
            target.account.subdomain(),
            self.tool.as_str()
        )
    }

    /// "to Won (closed) in pipeline Sales" for an update that sets a status, read from the
    /// account's pipelines (cached); `None` when the body sets no status.
    async fn status_words(&self, target: &Target, body: &Value) -> Option<String> {
        let status_id = body.get("status_id").and_then(Value::as_i64)?;
        let pipeline_id = body.get("pipeline_id").and_then(Value::as_i64);
        let pipelines = self.client().pipelines(&target.account).await.ok();
        let pipeline = pipelines.as_ref().and_then(|all| {
            all.iter()
                .find(|pipeline| Some(pipeline.id) == pipeline_id)
                .cloned()
        });
        let status_name = pipeline.as_ref().and_then(|pipeline| {
            pipeline
                .statuses()
                .iter()
                .find(|status| status.id == status_id)
                .map(|status| status.name.clone())
        });
        let status = match (status_id, status_name) {
            (WON, name) => format!("{} (closed)", name.unwrap_or_else(|| "Won".to_owned())),
            (LOST, name) => format!("{} (closed)", name.unwrap_or_else(|| "Lost".to_owned())),
            (_, Some(name)) => format!("{name:?}"),
            (id, None) => format!("status {id}"),
        };
        Some(match (pipeline, pipeline_id) {
            (Some(pipeline), _) => format!("to {status} in pipeline {:?}", pipeline.name),
            (None, Some(id)) => format!("to {status} in pipeline {id}"),
            (None, None) => format!("to {status}"),
        })
    }
}

/// What a lead update does to `lead`, in words.
fn update_words(lead: &str, body: &Value, status: Option<&str>) -> String {
    let mut rest: Vec<String> = field_names(body)
        .into_iter()
        .filter(|name| !matches!(name.as_str(), "status_id" | "pipeline_id"))
        .collect();
    if let Some(user) = body.get("responsible_user_id").and_then(Value::as_i64) {
        rest.retain(|name| name != "responsible_user_id");
        rest.push(format!("responsible user {user}"));
    }
    match status {
        Some(status) if rest.is_empty() => format!("Move {lead} {status}"),
        Some(status) => format!("Move {lead} {status} and set {}", rest.join(", ")),
        None => format!("Set {} on {lead}", rest.join(", ")),
    }
}

/// The top-level members a write body sets, by name.
fn field_names(body: &Value) -> Vec<String> {
    body.as_object()
        .map(|members| {
            members
                .iter()
                .map(|(name, value)| match (name.as_str(), value) {
                    ("custom_fields_values", Value::Array(fields)) => {
                        format!("{} custom field(s)", fields.len())
                    }
                    _ => name.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A text in quotes, cut at [`QUOTED_CHARS`] characters.
fn quoted(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= QUOTED_CHARS {
        format!("“{text}”")
    } else {
        let cut: String = text.chars().take(QUOTED_CHARS).collect();
        format!("“{cut}…”")
    }
}

/// The `elicitation/create` parameters: the question and a form of one boolean (no
/// `mode`: absent means a form, which every revision with elicitation reads).
fn elicitation_params(message: &str) -> Value {
    json!({
        "message": message,
        "requestedSchema": {
            "type": "object",
            "properties": {
                "confirm": {
                    "type": "boolean",
                    "title": "Confirm",
                    "description": "Tick to let this change be sent to Kommo",
                    "default": false
                }
            },
            "required": ["confirm"]
        }
    })
}

/// What an `elicitation/create` result says.
fn decision(result: &Value) -> Confirmation {
    match result.get("action").and_then(Value::as_str) {
        Some("accept") => {
            if result.pointer("/content/confirm") == Some(&Value::Bool(true)) {
                Confirmation::Accepted
            } else {
                Confirmation::NotConfirmed(Refusal::Unticked)
            }
        }
        Some("decline") => Confirmation::NotConfirmed(Refusal::Declined),
        Some("cancel") => Confirmation::NotConfirmed(Refusal::Cancelled),
        _ => Confirmation::NotConfirmed(Refusal::Failed(format!(
            "the client's answer has no known action: {result}"
        ))),
    }
}

/// The tool's answer to a write the user did not confirm.
pub(super) fn not_confirmed(tool: ToolName, refusal: &Refusal, ids: &Value) -> CallToolResult {
    outcome::failure(
        super::spec(tool).sentences.failed,
        format!(
            "{} was not confirmed by the user ({refusal}); nothing was changed in Kommo.",
            tool.as_str()
        ),
        ids.clone(),
        outcome::ErrorInfo {
            kind: "not_confirmed",
            status: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_accept_with_confirm_ticked_lets_the_write_through() {
        let accepted = |result: Value| matches!(decision(&result), Confirmation::Accepted);
        assert!(accepted(
            json!({ "action": "accept", "content": { "confirm": true } })
        ));
        assert!(!accepted(
            json!({ "action": "accept", "content": { "confirm": false } })
        ));
        assert!(!accepted(json!({ "action": "accept" })));
        assert!(!accepted(json!({ "action": "decline" })));
        assert!(!accepted(json!({ "action": "cancel" })));
        assert!(!accepted(json!({})));
    }

    #[test]
    fn a_status_move_reads_as_a_move() {
        let body = json!({ "pipeline_id": 1, "status_id": 142 });
        assert_eq!(
            update_words("lead 5 \"Acme\"", &body, Some("to Won (closed)")),
            "Move lead 5 \"Acme\" to Won (closed)"
        );
        let body = json!({ "responsible_user_id": 7 });
        assert_eq!(
            update_words("lead 5", &body, None),
            "Set responsible user 7 on lead 5"
        );
    }

    #[test]
    fn long_texts_are_cut() {
        let long = "a".repeat(500);
        assert_eq!(quoted(&long).chars().count(), QUOTED_CHARS + 3);
        assert_eq!(quoted(" hi "), "“hi”");
    }
}
