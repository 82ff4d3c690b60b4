//! `pause_agent` and `resume_agent`: set the account's pause field (a checkbox on the
//! lead that the agent platform reads) to "paused" or back.

use rmcp::{
    model::{CallToolResult, JsonObject, Tool},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::{
    Call, Hints,
    args::{Id, ToolArgs, tool_args},
    outcome::{self, ErrorInfo, Sentences},
};
use crate::{config::settings, kommo::KommoError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Pause,
    Resume,
}

const PAUSE: Sentences = Sentences {
    success: "Agent successfully paused for the specified lead.",
    missing: "Failed to pause agent: the specified lead does not exist in Kommo.",
    failed: "Failed to pause agent: Kommo did not accept the update request.",
};

const RESUME: Sentences = Sentences {
    success: "Agent successfully resumed for the specified lead.",
    missing: "Failed to resume agent: the specified lead does not exist in Kommo.",
    failed: "Failed to resume agent: Kommo did not accept the update request.",
};

impl Direction {
    fn sentences(self) -> &'static Sentences {
        match self {
            Direction::Pause => &PAUSE,
            Direction::Resume => &RESUME,
        }
    }
}

tool_args! {
    /// Arguments of pause_agent and resume_agent.
    struct LeadArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
    }
}

/// What pause_agent or resume_agent wrote.
#[derive(Serialize, JsonSchema)]
pub struct PauseOutput {
    /// The lead whose agent was paused or resumed.
    pub lead_id: i64,
    /// The checkbox custom field that was set.
    pub field_id: i64,
    /// The value written to the field.
    pub value: bool,
    /// Whether the agent is now paused on this lead.
    pub paused: bool,
}

pub fn definition(direction: Direction) -> Tool {
    let (name, title, description, idempotent) = match direction {
        Direction::Pause => (
            "pause_agent",
            "Pause AI agent",
            "Pause the AI agent on one lead in Kommo CRM, so that a human takes over the \
             conversation: sets the account's pause checkbox field on the lead. Use it when the \
             customer asks for a person, is upset, or the conversation needs a human decision. \
             Checks that the lead exists first; fails with a reason if it does not or if no pause \
             field is configured.",
            true,
        ),
        Direction::Resume => (
            "resume_agent",
            "Resume AI agent",
            "Resume the AI agent on one lead in Kommo CRM after a pause (the inverse of \
             pause_agent): sets the account's pause checkbox field back to \"not paused\", so the \
             AI agent answers this lead again. Use it when a human has finished handling the \
             conversation and hands it back. Checks that the lead exists first; fails with a \
             reason if it does not or if no pause field is configured.",
            true,
        ),
    };
    super::define::<LeadArgs, PauseOutput>(
        name,
        title,
        description,
        Hints {
            read_only: false,
            idempotent,
        },
    )
}

pub async fn run(call: Call<'_>, args: &JsonObject, direction: Direction) -> CallToolResult {
    let sentences = direction.sentences();
    let lead_id = match LeadArgs::parse(args) {
        Ok(args) => args.lead_id.0,
        Err(problem) => return outcome::invalid_arguments(sentences.failed, problem),
    };
    let ids = || json!({ "lead_id": lead_id });
    let target = match call.target_or_answer(sentences.failed, &ids()) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    let Some(pause) = target.pause else {
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
    if let Err(answer) = call
        .existing_lead(
            &target,
            lead_id,
            (sentences.missing, sentences.failed),
            &ids(),
            ". Nothing was changed.",
        )
        .await
    {
        return answer;
    }
    let client = call.client();
    let value = match direction {
        Direction::Pause => pause.paused_value,
        Direction::Resume => !pause.paused_value,
    };
    let body = json!({
        "custom_fields_values": [{ "field_id": pause.field_id, "values": [{ "value": value }] }]
    });
    match client.update_lead(&target.account, lead_id, &body).await {
        Ok(()) => outcome::success(
            sentences.success,
            &PauseOutput {
                lead_id,
                field_id: pause.field_id,
                value,
                paused: direction == Direction::Pause,
            },
        ),
        Err(KommoError::NotFound { .. }) => outcome::failure(
            sentences.missing,
            format!(
                "Kommo has no lead with id {lead_id} in account {} (it was deleted before the update). Nothing was changed.",
                target.account.subdomain()
            ),
            ids(),
            ErrorInfo::LEAD_MISSING,
        ),
        Err(err) => outcome::kommo_failure(sentences.failed, &err, ids()),
    }
}
