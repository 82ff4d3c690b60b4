//! `move_lead`: moves a lead to a pipeline and status, after checking the lead exists and
//! the status belongs to that pipeline.

use rmcp::{
    handler::server::common::schema_for_type,
    model::{CallToolResult, JsonObject, Tool, ToolAnnotations},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::{
    Call,
    args::ArgReader,
    outcome::{self, ErrorInfo, Sentences},
};
use crate::kommo::{KommoError, models::Pipeline};

pub const SENTENCES: Sentences = Sentences {
    success: "Lead successfully moved to the specified pipeline and status.",
    missing: "Failed to move lead: the specified lead does not exist in Kommo.",
    failed: "Failed to move lead: Kommo did not accept the update request.",
};

/// Arguments of move_lead.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct MoveLeadArgs {
    /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
    #[schemars(range(min = 1, max = 2147483647))]
    lead_id: i64,
    /// The id of the pipeline to move the lead into (see list_pipelines).
    #[schemars(range(min = 1, max = 2147483647))]
    pipeline_id: i64,
    /// The id of the status (stage) inside that pipeline. 142 is "Closed - won" and 143
    /// "Closed - lost" in every pipeline.
    #[schemars(range(min = 1, max = 2147483647))]
    status_id: i64,
}

/// What move_lead did.
#[derive(Serialize, JsonSchema)]
pub struct MoveLeadOutput {
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

pub fn definition() -> Tool {
    Tool::new_with_raw(
        "move_lead",
        Some(
            "Move a lead in Kommo CRM to another pipeline and status (stage), e.g. when the \
             conversation shows the customer reached a new stage of the sales funnel. Checks that \
             the lead exists and that the status belongs to the pipeline before changing anything; \
             use list_pipelines to find pipeline and status ids by name. Moving a lead may trigger \
             the automations Kommo has on that stage. On failure nothing is changed and the reason \
             says what to fix (e.g. the valid statuses of the pipeline)."
                .into(),
        ),
        schema_for_type::<MoveLeadArgs>(),
    )
    .with_title("Move lead")
    .with_raw_output_schema(outcome::output_schema::<MoveLeadOutput>())
    .with_annotations(
        ToolAnnotations::with_title("Move lead")
            .read_only(false)
            .destructive(false)
            .idempotent(true)
            .open_world(true),
    )
}

pub async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let mut reader = ArgReader::new(args);
    let lead_id = reader.id("lead_id");
    let pipeline_id = reader.id("pipeline_id");
    let status_id = reader.id("status_id");
    if let Err(problem) = reader.finish() {
        return outcome::failure(
            SENTENCES.failed,
            problem,
            json!({}),
            ErrorInfo::INVALID_ARGUMENTS,
        );
    }
    let ids = || json!({ "lead_id": lead_id, "pipeline_id": pipeline_id, "status_id": status_id });
    let target = match call.target() {
        Ok(target) => target,
        Err(err) => {
            return outcome::failure(SENTENCES.failed, err, ids(), ErrorInfo::NOT_CONFIGURED);
        }
    };
    let client = call.client();
    let lead = match client.get_lead(&target.account, lead_id).await {
        Ok(Some(lead)) => lead,
        Ok(None) => {
            return outcome::failure(
                SENTENCES.missing,
                format!(
                    "Kommo has no lead with id {lead_id} in account {}. Nothing was changed.",
                    target.account.subdomain()
                ),
                ids(),
                ErrorInfo::LEAD_MISSING,
            );
        }
        Err(err) => return outcome::kommo_failure(SENTENCES.failed, &err, ids()),
    };
    match client.pipelines(&target.account).await {
        Ok(pipelines) => {
            if let Err(reason) = check_move(&pipelines, pipeline_id, status_id) {
                return outcome::failure(SENTENCES.failed, reason, ids(), ErrorInfo::INVALID_MOVE);
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
            SENTENCES.success,
            &MoveLeadOutput {
                changed: false,
                ..output
            },
        );
    }
    let body = json!({ "pipeline_id": pipeline_id, "status_id": status_id });
    match client.update_lead(&target.account, lead_id, &body).await {
        Ok(()) => outcome::success(SENTENCES.success, &output),
        Err(err) => {
            if matches!(
                err,
                KommoError::Validation { .. } | KommoError::BadRequest { .. }
            ) {
                // Our pipeline cache allowed a move Kommo refused: it may be stale.
                client.forget_pipelines(&target.account).await;
            }
            outcome::kommo_failure(SENTENCES.failed, &err, ids())
        }
    }
}

/// Whether `status_id` is a status of pipeline `pipeline_id`, with a reason that lists the
/// valid choices when it is not.
pub fn check_move(pipelines: &[Pipeline], pipeline_id: i64, status_id: i64) -> Result<(), String> {
    let Some(pipeline) = pipelines.iter().find(|p| p.id == pipeline_id) else {
        let known: Vec<String> = pipelines
            .iter()
            .map(|p| format!("{} ({})", p.name, p.id))
            .collect();
        return Err(format!(
            "pipeline_id {pipeline_id} is not a pipeline of this account; the pipelines are: {}. Nothing was changed.",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    };
    if pipeline.status(status_id).is_some() {
        return Ok(());
    }
    let valid: Vec<String> = pipeline
        .statuses()
        .iter()
        .map(|s| format!("{} ({})", s.name, s.id))
        .collect();
    Err(format!(
        "status_id {status_id} is not a status of pipeline {:?} ({pipeline_id}); its statuses are: {}. Nothing was changed.",
        pipeline.name,
        valid.join(", ")
    ))
}
