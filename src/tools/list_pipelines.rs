//! `list_pipelines`: every pipeline of the account with its statuses, so an agent can find
//! the ids `move_lead` needs by name.

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
use crate::kommo::models::{Pipeline, Status};

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "List pipelines",
    summary: "List the account's pipelines with their statuses.",
    description: "List every sales pipeline of the Kommo account with its statuses (stages): ids, \
             names, which pipeline is the main one, and which statuses are the system ones \
             (142 = closed won, 143 = closed lost, in every pipeline). Read-only: changes nothing. \
             Use it to find the pipeline_id and status_id that move_lead needs when you only know \
             a stage's name. Takes no arguments.",
    idempotent: true,
    sentences: Sentences {
        success: None,
        missing: None,
        failed: "Failed to list pipelines: Kommo did not return them.",
    },
    definition: super::define::<NoArgs, PipelinesOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

/// The account's pipelines.
#[derive(Serialize, JsonSchema)]
pub(super) struct PipelinesOutput {
    /// Every pipeline, main pipeline first.
    pub pipelines: Vec<PipelineView>,
}

/// One pipeline and its statuses.
#[derive(Serialize, JsonSchema)]
pub(super) struct PipelineView {
    pub id: i64,
    pub name: String,
    /// The account's main pipeline (where new leads go by default).
    pub is_main: bool,
    /// An archived pipeline.
    pub is_archive: bool,
    /// The statuses (stages) in their order in the funnel.
    pub statuses: Vec<StatusView>,
}

/// One status (stage) of a pipeline.
#[derive(Serialize, JsonSchema)]
pub(super) struct StatusView {
    pub id: i64,
    pub name: String,
    /// "incoming" (unsorted new leads), "won" (142), "lost" (143) or "regular".
    pub kind: StatusKind,
}

#[derive(Serialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(super) enum StatusKind {
    Incoming,
    Regular,
    Won,
    Lost,
}

/// Kommo's system status ids, the same in every pipeline.
pub(super) const WON: i64 = 142;
pub(super) const LOST: i64 = 143;

pub(super) fn status_kind(status: &Status) -> StatusKind {
    match status.id {
        WON => StatusKind::Won,
        LOST => StatusKind::Lost,
        _ if status.kind == Some(1) => StatusKind::Incoming,
        _ => StatusKind::Regular,
    }
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let fetch: Fetch<Pipeline> = |client, account| Box::pin(client.pipelines(account));
    cached_list::answer(call, args, SPEC.sentences.failed, fetch, view, listing).await
}

pub(super) fn view(pipelines: &[Pipeline]) -> PipelinesOutput {
    let mut views: Vec<PipelineView> = pipelines
        .iter()
        .map(|pipeline| {
            let mut statuses: Vec<&Status> = pipeline.statuses().iter().collect();
            statuses.sort_by_key(|status| (status.sort.unwrap_or(i64::MAX), status.id));
            PipelineView {
                id: pipeline.id,
                name: pipeline.name.clone(),
                is_main: pipeline.is_main,
                is_archive: pipeline.is_archive,
                statuses: statuses
                    .into_iter()
                    .map(|status| StatusView {
                        id: status.id,
                        name: status.name.clone(),
                        kind: status_kind(status),
                    })
                    .collect(),
            }
        })
        .collect();
    views.sort_by_key(|pipeline| !pipeline.is_main);
    PipelinesOutput { pipelines: views }
}

/// A compact listing an LLM reads easily: one line per pipeline, each status as
/// `name (id)` in funnel order, in the same form move_lead's reasons use.
fn listing(output: &PipelinesOutput) -> String {
    if output.pipelines.is_empty() {
        return "The account has no pipelines.".to_owned();
    }
    let count = output.pipelines.len();
    let mut text = format!(
        "{count} pipeline{}; move_lead takes the pipeline id and a status id of that pipeline.",
        if count == 1 { "" } else { "s" }
    );
    for pipeline in &output.pipelines {
        let mut facts = vec![format!("id {}", pipeline.id)];
        if pipeline.is_main {
            facts.push("main".to_owned());
        }
        if pipeline.is_archive {
            facts.push("archived".to_owned());
        }
        let statuses: Vec<String> = pipeline
            .statuses
            .iter()
            .map(|status| match status.kind {
                StatusKind::Won => format!("{} ({}, won)", status.name, status.id),
                StatusKind::Lost => format!("{} ({}, lost)", status.name, status.id),
                StatusKind::Incoming => format!("{} ({}, incoming)", status.name, status.id),
                StatusKind::Regular => format!("{} ({})", status.name, status.id),
            })
            .collect();
        text.push_str(&format!(
            "\nPipeline {:?} ({}): {}.",
            pipeline.name,
            facts.join(", "),
            statuses.join(", ")
        ));
    }
    text
}
