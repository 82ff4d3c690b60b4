//! `list_loss_reasons`: the reasons the account records for a lost lead (id, name), from
//! the per-account cache the pipelines use.

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;

use super::{
    Call,
    args::NoArgs,
    cached_list::{self, Fetch},
    spec::{Sentences, ToolSpec},
};
use crate::kommo::history::LossReason;

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "List loss reasons",
    summary: "List the account's loss reasons (why a lead was lost).",
    description: "List the loss reasons of the Kommo account (id and name), in the order \
             Kommo shows them: the reasons a lead can be closed as lost with. Read-only: changes \
             nothing. Use it to pick the reason that fits before closing a lead as lost, or to \
             name the loss_reason_id of a lost lead. Takes no arguments.",
    idempotent: true,
    sentences: Sentences {
        success: None,
        missing: None,
        failed: "Failed to list loss reasons: Kommo did not return them.",
    },
    definition: super::define::<NoArgs, LossReasonsOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

/// The account's loss reasons.
#[derive(Serialize, JsonSchema)]
pub(super) struct LossReasonsOutput {
    /// Every loss reason, in Kommo's order (empty when the account has none).
    pub loss_reasons: Vec<LossReasonView>,
}

/// One loss reason.
#[derive(Serialize, JsonSchema)]
pub(super) struct LossReasonView {
    pub id: i64,
    pub name: String,
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let fetch: Fetch<LossReason> = |client, account| Box::pin(client.loss_reasons(account));
    cached_list::answer(call, args, SPEC.sentences.failed, fetch, view, listing).await
}

pub(super) fn view(reasons: &[LossReason]) -> LossReasonsOutput {
    let mut sorted: Vec<&LossReason> = reasons.iter().collect();
    sorted.sort_by_key(|reason| (reason.sort.unwrap_or(i64::MAX), reason.id));
    LossReasonsOutput {
        loss_reasons: sorted
            .into_iter()
            .map(|reason| LossReasonView {
                id: reason.id,
                name: reason.name.clone(),
            })
            .collect(),
    }
}

fn listing(output: &LossReasonsOutput) -> String {
    if output.loss_reasons.is_empty() {
        return "The account has no loss reasons.".to_owned();
    }
    let reasons: Vec<String> = output
        .loss_reasons
        .iter()
        .map(|reason| format!("{:?} ({})", reason.name, reason.id))
        .collect();
    format!(
        "{} loss reason{}: {}.",
        reasons.len(),
        if reasons.len() == 1 { "" } else { "s" },
        reasons.join(", ")
    )
}
