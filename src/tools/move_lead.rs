//! `move_lead`: moves a lead to a pipeline and status, after checking the lead exists and
//! the status belongs to that pipeline.

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::{
    Call,
    args::{Id, ToolArgs, tool_args},
    outcome::{self, ErrorInfo},
    spec::{Sentences, ToolSpec},
    write::{Write, lead_update_answer},
};
use crate::{
    kommo::{KommoError, models::Pipeline},
    observe::call::describe,
};

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Move lead",
    summary: "Move a lead to a pipeline and status (stage).",
    description: "Move a lead in Kommo CRM to a pipeline and status (stage), e.g. when the \
             conversation shows the customer reached a new stage of the sales funnel. Both ids are \
             numbers: use list_pipelines to find them by name. Checks that the lead exists and that \
             the status belongs to the pipeline before changing anything; if the lead is already \
             there, nothing is changed and the call succeeds. Moving a lead may trigger the \
             automations Kommo has on that stage. On failure nothing is changed and the reason says \
             what to fix (e.g. the valid statuses of the pipeline, with names and ids).",
    idempotent: true,
    sentences: Sentences {
        success: Some("Lead successfully moved to the specified pipeline and status."),
        missing: Some("Failed to move lead: the specified lead does not exist in Kommo."),
        failed: "Failed to move lead: Kommo did not accept the update request.",
    },
    definition: super::define::<MoveLeadArgs, MoveLeadOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

tool_args! {
    /// Arguments of move_lead.
    struct MoveLeadArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// The id of the pipeline to move the lead into (see list_pipelines).
        pipeline_id: Id,
        /// The id of the status (stage) inside that pipeline (see list_pipelines). 142 is "Closed - won" and 143 "Closed - lost" in every pipeline.
        status_id: Id,
        /// true: check everything (lead, pipeline, status) but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// What move_lead did.
#[derive(Serialize, JsonSchema)]
pub(super) struct MoveLeadOutput {
    /// The lead that was moved.
    pub lead_id: i64,
    /// The pipeline the lead is now in.
    pub pipeline_id: i64,
    /// The status the lead is now in.
    pub status_id: i64,
    /// False when the lead already was in that pipeline and status (nothing was sent).
    pub changed: bool,
    /// The pipeline the lead was in before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_pipeline_id: Option<i64>,
    /// The status the lead was in before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_status_id: Option<i64>,
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let (lead_id, pipeline_id, status_id, dry_run) = match MoveLeadArgs::parse(args) {
        Ok(args) => (
            args.lead_id.0,
            args.pipeline_id.0,
            args.status_id.0,
            call.is_dry_run(args.dry_run),
        ),
        Err(problem) => return outcome::invalid_arguments(SPEC.sentences.failed, problem),
    };
    let ids = || json!({ "lead_id": lead_id, "pipeline_id": pipeline_id, "status_id": status_id });
    describe(|change| {
        change.lead_id = Some(lead_id);
        change.after = Some(json!({ "pipeline_id": pipeline_id, "status_id": status_id }));
    });
    let (target, lead) = match call.lead_to_change(lead_id, &SPEC.sentences, &ids()).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    describe(|change| {
        change.before =
            Some(json!({ "pipeline_id": lead.pipeline_id, "status_id": lead.status_id }));
    });
    let client = call.client();
    match client.pipelines(&target.account).await {
        Ok(pipelines) => {
            if let Err(reason) = check_move(&pipelines, pipeline_id, status_id) {
                return outcome::failure(
                    SPEC.sentences.failed,
                    reason,
                    ids(),
                    ErrorInfo::INVALID_MOVE,
                );
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, "could not read the pipelines to check a move; sending it unchecked");
        }
    }
    let output = MoveLeadOutput {
        lead_id,
        pipeline_id,
        status_id,
        changed: true,
        previous_pipeline_id: lead.pipeline_id,
        previous_status_id: lead.status_id,
    };
    if lead.pipeline_id == Some(pipeline_id) && lead.status_id == Some(status_id) {
        return outcome::success(
            SPEC.sentences.when_done(),
            &MoveLeadOutput {
                changed: false,
                ..output
            },
        );
    }
    let body = json!({ "pipeline_id": pipeline_id, "status_id": status_id });
    let write = Write::UpdateLead { lead_id, body };
    match call.write(&target, write, dry_run, &ids()).await {
        Err(err)
            if matches!(
                err,
                KommoError::Validation { .. } | KommoError::BadRequest { .. }
            ) =>
        {
            // The cached pipelines allowed a move Kommo refused: they may be stale (a stage
            // was deleted or moved). Re-read them once, now, so that this answer can already
            // list the valid statuses and the next call checks against fresh data.
            client.forget_pipelines(&target.account).await;
            let reason = match client.pipelines(&target.account).await {
                Ok(fresh) => match check_move(&fresh, pipeline_id, status_id) {
                    Err(valid) => format!("{err}. The pipelines were re-read from Kommo: {valid}"),
                    Ok(()) => format!("{err}. Nothing was changed."),
                },
                Err(reread) => {
                    tracing::warn!(error = %reread, "could not re-read the pipelines after Kommo refused a move");
                    format!("{err}. Nothing was changed.")
                }
            };
            outcome::failure(SPEC.sentences.failed, reason, ids(), ErrorInfo::from(&err))
        }
        written => lead_update_answer(written, &target, lead_id, &SPEC.sentences, ids(), &output),
    }
}

/// Whether `status_id` is a status of pipeline `pipeline_id`, with a reason that lists the
/// valid choices (names and ids) when it is not.
pub(super) fn check_move(
    pipelines: &[Pipeline],
    pipeline_id: i64,
    status_id: i64,
) -> Result<(), String> {
    let Some(pipeline) = pipelines.iter().find(|p| p.id == pipeline_id) else {
        let known: Vec<String> = pipelines
            .iter()
            .map(|p| {
                format!(
                    "pipeline {:?} ({}) with statuses {}",
                    p.name,
                    p.id,
                    statuses(p)
                )
            })
            .collect();
        return Err(format!(
            "pipeline_id {pipeline_id} is not a pipeline of this account; {}. Nothing was changed.",
            if known.is_empty() {
                "the account has no pipelines".to_owned()
            } else {
                format!("the valid choices are: {}", known.join("; "))
            }
        ));
    };
    if pipeline.status(status_id).is_some() {
        return Ok(());
    }
    Err(format!(
        "status_id {status_id} is not a status of pipeline {:?} ({pipeline_id}); its statuses are: {}. Nothing was changed.",
        pipeline.name,
        statuses(pipeline)
    ))
}

/// "Incoming leads (2001), Contacted (2002), …" in funnel order.
fn statuses(pipeline: &Pipeline) -> String {
    let mut statuses: Vec<_> = pipeline.statuses().iter().collect();
    statuses.sort_by_key(|status| (status.sort.unwrap_or(i64::MAX), status.id));
    let named: Vec<String> = statuses
        .iter()
        .map(|s| format!("{} ({})", s.name, s.id))
        .collect();
    if named.is_empty() {
        "none".to_owned()
    } else {
        named.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipelines() -> Vec<Pipeline> {
        serde_json::from_value(json!([
            {"id": 1001, "name": "Sales", "is_main": true, "_embedded": {"statuses": [
                {"id": 143, "name": "Closed - lost", "sort": 11000},
                {"id": 2001, "name": "Incoming leads", "sort": 10, "type": 1},
                {"id": 2002, "name": "Contacted", "sort": 20},
                {"id": 142, "name": "Closed - won", "sort": 10000}
            ]}},
            {"id": 1002, "name": "Support", "_embedded": {"statuses": [
                {"id": 3001, "name": "Incoming leads", "sort": 10}
            ]}}
        ]))
        .unwrap()
    }

    #[test]
    fn a_status_of_the_pipeline_passes() {
        assert_eq!(check_move(&pipelines(), 1001, 2002), Ok(()));
        assert_eq!(check_move(&pipelines(), 1002, 3001), Ok(()));
    }

    #[test]
    fn a_status_of_another_pipeline_lists_the_valid_ones_in_funnel_order() {
        let reason = check_move(&pipelines(), 1001, 3001).unwrap_err();
        assert_eq!(
            reason,
            "status_id 3001 is not a status of pipeline \"Sales\" (1001); its statuses are: \
             Incoming leads (2001), Contacted (2002), Closed - won (142), Closed - lost (143). \
             Nothing was changed."
        );
    }

    #[test]
    fn an_unknown_pipeline_lists_every_pipeline_with_its_statuses() {
        let reason = check_move(&pipelines(), 4242, 2002).unwrap_err();
        assert!(reason.starts_with("pipeline_id 4242 is not a pipeline of this account; the valid choices are: pipeline \"Sales\" (1001) with statuses Incoming leads (2001), Contacted (2002)"), "{reason}");
        assert!(
            reason.contains("pipeline \"Support\" (1002) with statuses Incoming leads (3001)"),
            "{reason}"
        );
        let none = check_move(&[], 1, 2).unwrap_err();
        assert!(none.contains("the account has no pipelines"), "{none}");
    }
}
