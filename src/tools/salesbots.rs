//! `list_salesbots`, `run_salesbot`, `stop_salesbot`: the account's Salesbots, and asking
//! Kommo to start or stop one on a lead. Kommo answers run and stop with 202 Accepted and
//! acts later, so the answers say the run or stop was *requested*. Run and stop are writes
//! sent through the one write path (dry runs, audit).

use rmcp::{
    model::{CallToolResult, JsonObject, Tool},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::{
    Call, Hints,
    args::{Id, ToolArgs, tool_args},
    outcome::{self, Sentences},
    write::{Write, Written},
};
use crate::kommo::BotAction;

pub const LIST_FAILED: &str = "Failed to list Salesbots: Kommo did not return them.";

pub const RUN: Sentences = Sentences {
    success: "Salesbot run requested for the specified lead.",
    missing: "Failed to run Salesbot: the specified lead does not exist in Kommo.",
    failed: "Failed to run Salesbot: Kommo did not accept the request.",
};

pub const STOP: Sentences = Sentences {
    success: "Salesbot stop requested for the specified lead.",
    missing: "Failed to stop Salesbot: the specified lead does not exist in Kommo.",
    failed: "Failed to stop Salesbot: Kommo did not accept the request.",
};

tool_args! {
    /// No arguments.
    #[schemars(extend("additionalProperties" = false))]
    struct NoArgs {}
}

/// The account's Salesbots.
#[derive(Serialize, JsonSchema)]
pub struct SalesbotsOutput {
    pub salesbots: Vec<SalesbotView>,
}

/// One Salesbot.
#[derive(Serialize, JsonSchema)]
pub struct SalesbotView {
    /// The bot id run_salesbot and stop_salesbot take.
    pub id: i64,
    pub name: String,
}

tool_args! {
    /// Arguments of run_salesbot and stop_salesbot.
    struct BotArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// The Salesbot's id (see list_salesbots).
        bot_id: Id,
        /// true: check everything (the lead) but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// What was requested.
#[derive(Serialize, JsonSchema)]
pub struct BotActionOutput {
    pub lead_id: i64,
    pub bot_id: i64,
    /// Always true: Kommo accepted the request (202) and acts on it asynchronously.
    pub requested: bool,
}

pub fn list_definition() -> Tool {
    super::define::<NoArgs, SalesbotsOutput>(
        "list_salesbots",
        "List Salesbots",
        "List the Kommo account's Salesbots (ids and names), to find the bot_id that \
             run_salesbot and stop_salesbot take. Read-only. Takes no arguments.",
        Hints {
            read_only: true,
            idempotent: true,
        },
    )
}

pub fn definition(action: BotAction) -> Tool {
    match action {
        BotAction::Run => super::define::<BotArgs, BotActionOutput>(
            "run_salesbot",
            "Run Salesbot",
            "Ask Kommo to start a Salesbot (bot_id, see list_salesbots) on a lead, e.g. to send \
                 an automated sequence. Kommo accepts the request and runs the bot shortly after, \
                 so success means the run was requested, not finished. Checks the lead exists \
                 first. Each call starts the bot again.",
            Hints {
                read_only: false,
                idempotent: false,
            },
        ),
        BotAction::Stop => super::define::<BotArgs, BotActionOutput>(
            "stop_salesbot",
            "Stop Salesbot",
            "Ask Kommo to stop a Salesbot (bot_id) running on a lead. When the account's agent is \
                 a Salesbot, this is how to hand the conversation to a person (when the agent is \
                 an AI agent switched by a lead field, use pause_agent instead). Kommo accepts the \
                 request and stops the bot shortly after, so success means the stop was \
                 requested. Checks the lead exists first. Stopping twice is harmless.",
            Hints {
                read_only: false,
                idempotent: true,
            },
        ),
    }
}

pub async fn list(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    if let Err(problem) = NoArgs::parse(args) {
        return outcome::invalid_arguments(LIST_FAILED, problem);
    }
    let target = match call.target_or_answer(LIST_FAILED, &json!({})) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    match call.client().list_bots(&target.account).await {
        Ok(bots) => {
            let output = SalesbotsOutput {
                salesbots: bots
                    .into_iter()
                    .map(|bot| SalesbotView {
                        id: bot.id,
                        name: bot.name.unwrap_or_default(),
                    })
                    .collect(),
            };
            outcome::success(listing(&output), &output)
        }
        Err(err) => outcome::kommo_failure(LIST_FAILED, &err, json!({})),
    }
}

fn listing(output: &SalesbotsOutput) -> String {
    if output.salesbots.is_empty() {
        return "The account has no Salesbots.".to_owned();
    }
    let bots: Vec<String> = output
        .salesbots
        .iter()
        .map(|bot| format!("{:?} ({})", bot.name, bot.id))
        .collect();
    format!("Salesbots: {}.", bots.join(", "))
}

pub async fn run(call: Call<'_>, args: &JsonObject, action: BotAction) -> CallToolResult {
    let sentences = match action {
        BotAction::Run => RUN,
        BotAction::Stop => STOP,
    };
    let (lead_id, bot_id, dry_run) = match BotArgs::parse(args) {
        Ok(args) => (args.lead_id.0, args.bot_id.0, call.is_dry_run(args.dry_run)),
        Err(problem) => return outcome::invalid_arguments(sentences.failed, problem),
    };
    let ids = || json!({ "lead_id": lead_id, "bot_id": bot_id });
    crate::observe::call::describe(|change| {
        change.lead_id = Some(lead_id);
        change.after = Some(json!({ "salesbot": {
            "bot_id": bot_id,
            "requested": match action {
                BotAction::Run => "run",
                BotAction::Stop => "stop",
            },
        }}));
    });
    let target = match call.target_or_answer(sentences.failed, &ids()) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    if let Err(answer) = call
        .existing_lead(
            &target,
            lead_id,
            (sentences.missing, sentences.failed),
            &ids(),
            ". Nothing was sent.",
        )
        .await
    {
        return answer;
    }
    let write = Write::Salesbot {
        action,
        bot_id,
        lead_id,
    };
    match call.write(&target, write, dry_run, &ids()).await {
        Ok(Written::NotSent(answer)) => answer,
        Ok(_) => outcome::success(
            sentences.success,
            &BotActionOutput {
                lead_id,
                bot_id,
                requested: true,
            },
        ),
        Err(err) => outcome::kommo_failure(sentences.failed, &err, ids()),
    }
}
