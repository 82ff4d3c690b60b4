//! `pause_agent` and `resume_agent`: set the account's pause field (a checkbox on the
//! lead that the agent platform reads) to "paused" or back.

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::PauseSetting;
use super::{
    Call,
    args::{Id, ToolArgs, tool_args},
    outcome::{self, ErrorInfo},
    spec::{Sentences, ToolSpec},
    write::{Write, lead_update_answer},
};
use crate::observe::call::describe;
use crate::{config::settings, kommo::models::CustomField};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Pause,
    Resume,
}

pub(super) static PAUSE: ToolSpec = ToolSpec {
    title: "Pause AI agent",
    summary: "Pause the AI agent on a lead, so that a human takes over the conversation.",
    description: "Pause the AI agent on one lead in Kommo CRM, so that a human takes over the \
             conversation: sets the account's pause checkbox field on the lead. Use it when the \
             customer asks for a person, is upset, or the conversation needs a human decision. \
             Checks that the lead exists first; fails with a reason if it does not or if no pause \
             field is configured.",
    idempotent: true,
    sentences: Sentences {
        success: Some("Agent successfully paused for the specified lead."),
        missing: Some("Failed to pause agent: the specified lead does not exist in Kommo."),
        failed: "Failed to pause agent: Kommo did not accept the update request.",
    },
    definition: super::define::<LeadArgs, PauseOutput>,
    run: |call, args| Box::pin(run(call, args, Direction::Pause)),
};

pub(super) static RESUME: ToolSpec = ToolSpec {
    title: "Resume AI agent",
    summary: "Resume the AI agent on a lead after a pause.",
    description: "Resume the AI agent on one lead in Kommo CRM after a pause (the inverse of \
             pause_agent): sets the account's pause checkbox field back to \"not paused\", so the \
             AI agent answers this lead again. Use it when a human has finished handling the \
             conversation and hands it back. Checks that the lead exists first; fails with a \
             reason if it does not or if no pause field is configured.",
    idempotent: true,
    sentences: Sentences {
        success: Some("Agent successfully resumed for the specified lead."),
        missing: Some("Failed to resume agent: the specified lead does not exist in Kommo."),
        failed: "Failed to resume agent: Kommo did not accept the update request.",
    },
    definition: super::define::<LeadArgs, PauseOutput>,
    run: |call, args| Box::pin(run(call, args, Direction::Resume)),
};

impl Direction {
    fn sentences(self) -> &'static Sentences {
        match self {
            Direction::Pause => &PAUSE.sentences,
            Direction::Resume => &RESUME.sentences,
        }
    }
}

tool_args! {
    /// Arguments of pause_agent and resume_agent.
    struct LeadArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// The id of the checkbox lead custom field to set, instead of the configured pause field (the original server's argument).
        switch_field_id: Option<Id>,
        /// The value of that field that means "paused" (the original server's argument): pause_agent writes it, resume_agent its opposite. Default: the configured pause value.
        switch_field_value: Option<bool>,
        /// true: check everything but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// What pause_agent or resume_agent wrote.
#[derive(Serialize, JsonSchema)]
pub(super) struct PauseOutput {
    /// The lead whose agent was paused or resumed.
    pub lead_id: i64,
    /// The checkbox custom field that was set.
    pub field_id: i64,
    /// The value written to the field.
    pub value: bool,
    /// Whether the agent is now paused on this lead.
    pub paused: bool,
}

async fn run(call: Call<'_>, args: &JsonObject, direction: Direction) -> CallToolResult {
    let sentences = direction.sentences();
    let args = match LeadArgs::parse(args) {
        Ok(args) => args,
        Err(problem) => return outcome::invalid_arguments(sentences.failed, problem),
    };
    let lead_id = args.lead_id.0;
    let dry_run = call.is_dry_run(args.dry_run);
    let ids = || json!({ "lead_id": lead_id });
    let target = match call.target_or_answer(sentences.failed, &ids()) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    let switch_field = args.switch_field_id.map(|id| id.0);
    let pause = match (switch_field, target.pause) {
        (Some(field_id), configured) => Some(PauseSetting {
            field_id,
            paused_value: args
                .switch_field_value
                .or(configured.map(|p| p.paused_value))
                .unwrap_or(true),
        }),
        (None, Some(configured)) => Some(PauseSetting {
            paused_value: args.switch_field_value.unwrap_or(configured.paused_value),
            ..configured
        }),
        (None, None) => None,
    };
    let Some(pause) = pause else {
        let subdomain = target.account.subdomain();
        return outcome::failure(
            sentences.failed,
            format!(
                "no pause field is configured for account {subdomain:?}: set {} (flag {}, config key {}, or \
                 pause_field_id in [accounts.{subdomain}]; over HTTP also the KOMMO_PAUSE_FIELD_ID header) to the id \
                 of the checkbox lead field your agent platform reads. Nothing was sent to Kommo.",
                settings::PAUSE_FIELD_ID.env,
                settings::PAUSE_FIELD_ID.flag,
                settings::PAUSE_FIELD_ID.key
            ),
            ids(),
            ErrorInfo::NOT_CONFIGURED,
        );
    };
    let lead = match call
        .existing_lead(
            &target,
            lead_id,
            sentences,
            &ids(),
            ". Nothing was changed.",
        )
        .await
    {
        Ok(lead) => lead,
        Err(answer) => return answer,
    };
    // A field named by this call (the argument, else the request's header) is checked to
    // be a checkbox; the configured one was the operator's choice.
    let named = switch_field.map(|id| (id, "switch_field_id")).or_else(|| {
        call.scope
            .pause_field_id
            .map(|id| (id, "the kommo_pause_field_id header's field"))
    });
    if let Some((field_id, named_by)) = named {
        match call.client().lead_fields(&target.account).await {
            Ok(fields) => {
                if let Err(reason) = check_checkbox(
                    &fields,
                    field_id,
                    named_by,
                    target.account.subdomain().as_str(),
                ) {
                    return outcome::failure(
                        sentences.failed,
                        reason,
                        ids(),
                        ErrorInfo::INVALID_ARGUMENTS,
                    );
                }
            }
            Err(err) => return outcome::kommo_failure(sentences.failed, &err, ids()),
        }
    }
    let value = match direction {
        Direction::Pause => pause.paused_value,
        Direction::Resume => !pause.paused_value,
    };
    let current = lead
        .custom_fields_values
        .iter()
        .flatten()
        .find(|field| field.field_id == pause.field_id)
        .and_then(|field| field.values.as_ref()?.first().map(|v| v.value.clone()));
    describe(|change| {
        change.lead_id = Some(lead_id);
        change.before = Some(json!({ "field_id": pause.field_id, "value": current }));
        change.after = Some(json!({ "field_id": pause.field_id, "value": value }));
    });
    let body = json!({
        "custom_fields_values": [{ "field_id": pause.field_id, "values": [{ "value": value }] }]
    });
    let write = Write::UpdateLead { lead_id, body };
    let written = call.write(&target, write, dry_run, &ids()).await;
    lead_update_answer(
        written,
        &target,
        lead_id,
        sentences,
        ids(),
        &PauseOutput {
            lead_id,
            field_id: pause.field_id,
            value,
            paused: direction == Direction::Pause,
        },
    )
}

/// Whether `field_id` is a checkbox lead custom field of the account; the reason names the
/// field and lists the account's checkbox fields when it is not.
fn check_checkbox(
    fields: &[CustomField],
    field_id: i64,
    named_by: &str,
    subdomain: &str,
) -> Result<(), String> {
    let found = fields.iter().find(|field| field.id == field_id);
    if found.is_some_and(|field| field.kind == "checkbox") {
        return Ok(());
    }
    let what = match found {
        Some(field) => format!(
            "{named_by} {field_id} is the {} field {:?}, not a checkbox",
            field.kind, field.name
        ),
        None => {
            format!("{named_by} {field_id} is not a lead custom field of account {subdomain:?}")
        }
    };
    let checkboxes: Vec<String> = fields
        .iter()
        .filter(|field| field.kind == "checkbox")
        .map(|field| format!("{:?} ({})", field.name, field.id))
        .collect();
    let listing = if checkboxes.is_empty() {
        "the account has no checkbox lead fields".to_owned()
    } else {
        format!("its checkbox lead fields are: {}", checkboxes.join(", "))
    };
    Err(format!("{what}; {listing}. Nothing was sent to Kommo."))
}
