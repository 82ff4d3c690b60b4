//! `close_lead`: closes a lead as won or lost in its own pipeline (statuses 142 and 143),
//! a lost lead optionally with one of the account's loss reasons, checked first.

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Call,
    args::{Arg, Id, ToolArgs, describe as describe_value, tool_args},
    id_or_name::IdOrName,
    names::{Pick, pick},
    outcome::{self, ErrorInfo},
    spec::{Sentences, ToolSpec},
    write::{Write, lead_update_answer},
};
use crate::{kommo::LossReason, observe::call::describe};

/// Kommo's "Closed - won" and "Closed - lost" statuses, the same in every pipeline.
const WON: i64 = 142;
const LOST: i64 = 143;

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Close lead",
    summary: "Close a lead as won or lost (with a loss reason).",
    description: "Close a lead in Kommo CRM as won or lost, when the conversation ends in a sale \
             or the customer is lost. outcome is \"won\" or \"lost\"; the lead stays in its own \
             pipeline (Kommo's statuses 142 Closed - won and 143 Closed - lost). loss_reason, only \
             with \"lost\", is one of the account's loss reasons by id or name; it is checked \
             against the account's reasons before anything is sent and the answer lists them when \
             it does not match. If the lead is already closed that way, nothing is changed and the \
             call succeeds. Closing may trigger the automations Kommo has on that stage. On \
             failure nothing is changed.",
    idempotent: true,
    sentences: Sentences {
        success: Some("Lead successfully closed with the specified outcome."),
        missing: Some("Failed to close lead: the specified lead does not exist in Kommo."),
        failed: "Failed to close lead: the arguments were not valid or Kommo did not accept the update.",
    },
    definition: super::define::<CloseLeadArgs, CloseLeadOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

/// `won` or `lost`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum Outcome {
    Won,
    Lost,
}

impl Arg for Outcome {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        match value.and_then(Value::as_str).map(str::trim) {
            Some(text) if text.eq_ignore_ascii_case("won") => Ok(Outcome::Won),
            Some(text) if text.eq_ignore_ascii_case("lost") => Ok(Outcome::Lost),
            _ => Err(match value {
                None | Some(Value::Null) => format!("{name} is required (\"won\" or \"lost\")"),
                Some(other) => format!(
                    "{name} must be \"won\" or \"lost\", got {}",
                    describe_value(other)
                ),
            }),
        }
    }
}

tool_args! {
    /// Arguments of close_lead.
    struct CloseLeadArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// "won" (a sale) or "lost".
        outcome: Outcome,
        /// Only with "lost": one of the account's loss reasons, by id or name (e.g. "Price too high").
        loss_reason: Option<IdOrName>,
        /// true: check everything (lead, loss reason) but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// What close_lead did.
#[derive(Serialize, JsonSchema)]
pub(super) struct CloseLeadOutput {
    pub lead_id: i64,
    pub outcome: Outcome,
    /// The lead's pipeline (unchanged).
    pub pipeline_id: Option<i64>,
    /// 142 (won) or 143 (lost).
    pub status_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_reason_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_reason: Option<String>,
    /// False when the lead already was closed that way (nothing was sent).
    pub changed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_status_id: Option<i64>,
}

const UNKNOWN_LOSS_REASON: ErrorInfo = ErrorInfo {
    kind: "unknown_loss_reason",
    status: None,
};

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let (lead_id, wanted, reason, dry_run) = match CloseLeadArgs::parse(args) {
        Ok(CloseLeadArgs {
            outcome: Outcome::Won,
            loss_reason: Some(_),
            ..
        }) => {
            return outcome::invalid_arguments(
                SPEC.sentences.failed,
                "Invalid arguments: loss_reason goes only with outcome \"lost\".".to_owned(),
            );
        }
        Ok(args) => (
            args.lead_id.0,
            args.outcome,
            args.loss_reason,
            call.is_dry_run(args.dry_run),
        ),
        Err(problem) => return outcome::invalid_arguments(SPEC.sentences.failed, problem),
    };
    let status_id = match wanted {
        Outcome::Won => WON,
        Outcome::Lost => LOST,
    };
    let ids = || json!({ "lead_id": lead_id, "outcome": wanted });
    describe(|change| change.lead_id = Some(lead_id));
    let (target, lead) = match call.lead_to_change(lead_id, &SPEC.sentences, &ids()).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let reason = match reason {
        None => None,
        Some(asked) => match call.client().loss_reasons(&target.account).await {
            Ok(reasons) => match resolve_reason(&reasons, &asked) {
                Ok(found) => Some(found.clone()),
                Err(why) => {
                    return outcome::failure(
                        SPEC.sentences.failed,
                        why,
                        ids(),
                        UNKNOWN_LOSS_REASON,
                    );
                }
            },
            Err(err) => return outcome::kommo_failure(SPEC.sentences.failed, &err, ids()),
        },
    };
    let mut body = json!({ "status_id": status_id });
    if let Some(pipeline_id) = lead.pipeline_id {
        body["pipeline_id"] = json!(pipeline_id);
    }
    if let Some(reason) = &reason {
        body["loss_reason_id"] = json!(reason.id);
    }
    describe(|change| {
        change.before = Some(json!({
            "pipeline_id": lead.pipeline_id,
            "status_id": lead.status_id,
            "loss_reason_id": lead.loss_reason_id,
        }));
        change.after = Some(body.clone());
    });
    let already = lead.status_id == Some(status_id)
        && reason
            .as_ref()
            .is_none_or(|reason| lead.loss_reason_id == Some(reason.id));
    let output = CloseLeadOutput {
        lead_id,
        outcome: wanted,
        pipeline_id: lead.pipeline_id,
        status_id,
        loss_reason_id: reason.as_ref().map(|r| r.id),
        loss_reason: reason.as_ref().map(|r| r.name.clone()),
        changed: !already,
        previous_status_id: lead.status_id,
    };
    if already {
        return outcome::success(SPEC.sentences.when_done(), &output);
    }
    let write = Write::UpdateLead { lead_id, body };
    let written = call.write(&target, write, dry_run, &ids()).await;
    lead_update_answer(written, &target, lead_id, &SPEC.sentences, ids(), &output)
}

/// The loss reason `asked` names, or the reason listing the account's reasons.
fn resolve_reason<'a>(
    reasons: &'a [LossReason],
    asked: &IdOrName,
) -> Result<&'a LossReason, String> {
    let found = match asked {
        IdOrName::Id(id) => reasons
            .iter()
            .find(|reason| reason.id == *id)
            .map_or(Pick::None, Pick::One),
        IdOrName::Name(name) => pick(name, reasons.iter(), |reason| [reason.name.as_str()]),
    };
    let listed = || {
        let named: Vec<String> = reasons
            .iter()
            .map(|reason| format!("{:?} ({})", reason.name, reason.id))
            .collect();
        if named.is_empty() {
            "the account has no loss reasons".to_owned()
        } else {
            format!("the account's loss reasons are: {}", named.join(", "))
        }
    };
    let asked = match asked {
        IdOrName::Id(id) => format!("loss_reason {id}"),
        IdOrName::Name(name) => format!("loss_reason {name:?}"),
    };
    match found {
        Pick::One(reason) => Ok(reason),
        Pick::None => Err(format!(
            "{asked} is not a loss reason of this account; {}. Nothing was changed.",
            listed()
        )),
        Pick::Several(_) => Err(format!(
            "{asked} matches several loss reasons; give its id: {}. Nothing was changed.",
            listed()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons() -> Vec<LossReason> {
        serde_json::from_value(json!([
            {"id": 1, "name": "Preço alto"},
            {"id": 2, "name": "Sin respuesta"}
        ]))
        .unwrap()
    }

    #[test]
    fn reasons_resolve_by_id_or_name_and_unknown_ones_list_the_valid_ones() {
        let reasons = reasons();
        assert_eq!(resolve_reason(&reasons, &IdOrName::Id(2)).unwrap().id, 2);
        assert_eq!(
            resolve_reason(&reasons, &IdOrName::Name("preco alto".into()))
                .unwrap()
                .id,
            1
        );
        let why = resolve_reason(&reasons, &IdOrName::Name("Caro".into())).unwrap_err();
        assert_eq!(
            why,
            "loss_reason \"Caro\" is not a loss reason of this account; the account's loss reasons \
             are: \"Preço alto\" (1), \"Sin respuesta\" (2). Nothing was changed."
        );
    }

    #[test]
    fn the_outcome_is_won_or_lost() {
        assert_eq!(
            Outcome::read("outcome", Some(&json!("WON"))),
            Ok(Outcome::Won)
        );
        assert_eq!(
            Outcome::read("outcome", Some(&json!("lost"))),
            Ok(Outcome::Lost)
        );
        assert!(Outcome::read("outcome", Some(&json!("maybe"))).is_err());
        assert!(Outcome::read("outcome", None).is_err());
    }
}
