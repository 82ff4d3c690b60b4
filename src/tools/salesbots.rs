//! `list_salesbots`, `run_salesbot`, `stop_salesbot`: the account's Salesbots, and asking
//! Kommo to start or stop one on a lead. Kommo answers run and stop with 202 Accepted and
//! acts later, so the answers say the run or stop was *requested*. Run and stop are writes
//! sent through the one write path (dry runs, audit).

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::{
    Call,
    args::{Id, NoArgs, ToolArgs, tool_args},
    outcome,
    spec::{Sentences, ToolSpec},
    write::{Write, Written},
};
use crate::kommo::BotAction;

pub(super) static LIST: ToolSpec = ToolSpec {
    title: "List Salesbots",
    summary: "List the account's Salesbots (ids and names).",
    description: "List the Kommo account's Salesbots (ids and names), to find the bot_id that \
             run_salesbot and stop_salesbot take. Read-only. Takes no arguments.",
    idempotent: true,
    sentences: Sentences {
        success: None,
        missing: None,
        failed: "Failed to list Salesbots: Kommo did not return them.",
    },
    definition: super::define::<NoArgs, SalesbotsOutput>,
    run: |call, args| Box::pin(list(call, args)),
};

pub(super) static RUN: ToolSpec = ToolSpec {
    title: "Run Salesbot",
    summary: "Start a Salesbot on a lead.",
    description: "Ask Kommo to start a Salesbot (bot_id, see list_salesbots) on a lead, e.g. to send \
                 an automated sequence. Kommo accepts the request and runs the bot shortly after, \
                 so success means the run was requested, not finished. Checks the lead exists \
                 first. Each call starts the bot again.",
    idempotent: false,
    sentences: Sentences {
        success: Some("Salesbot run requested for the specified lead."),
        missing: Some("Failed to run Salesbot: the specified lead does not exist in Kommo."),
        failed: "Failed to run Salesbot: Kommo did not accept the request.",
    },
    definition: super::define::<BotArgs, BotActionOutput>,
    run: |call, args| Box::pin(run(call, args, BotAction::Run)),
};

pub(super) static STOP: ToolSpec = ToolSpec {
    title: "Stop Salesbot",
    summary: "Stop a Salesbot running on a lead.",
    description: "Ask Kommo to stop a Salesbot (bot_id) running on a lead. When the account's agent is \
                 a Salesbot, this is how to hand the conversation to a person (when the agent is \
                 an AI agent switched by a lead field, use pause_agent instead). Kommo accepts the \
                 request and stops the bot shortly after, so success means the stop was \
                 requested. Checks the lead exists first. Stopping twice is harmless.",
    idempotent: true,
    sentences: Sentences {
        success: Some("Salesbot stop requested for the specified lead."),
        missing: Some("Failed to stop Salesbot: the specified lead does not exist in Kommo."),
        failed: "Failed to stop Salesbot: Kommo did not accept the request.",
    },
    definition: super::define::<BotArgs, BotActionOutput>,
    run: |call, args| Box::pin(run(call, args, BotAction::Stop)),
};

/// The account's Salesbots.
#[derive(Serialize, JsonSchema)]
pub(super) struct SalesbotsOutput {
    pub salesbots: Vec<SalesbotView>,
}

/// One Salesbot.
#[derive(Serialize, JsonSchema)]
pub(super) struct SalesbotView {
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
pub(super) struct BotActionOutput {
    pub lead_id: i64,
    pub bot_id: i64,
    /// Always true: Kommo accepted the request (202) and acts on it asynchronously.
    pub requested: bool,
}

async fn list(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    if let Err(problem) = NoArgs::parse(args) {
        return outcome::invalid_arguments(LIST.sentences.failed, problem);
    }
    let target = match call.target_or_answer(LIST.sentences.failed, &json!({})) {
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
        Err(err) => outcome::kommo_failure(LIST.sentences.failed, &err, json!({})),
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

async fn run(call: Call<'_>, args: &JsonObject, action: BotAction) -> CallToolResult {
    let sentences = match action {
        BotAction::Run => &RUN.sentences,
        BotAction::Stop => &STOP.sentences,
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
        .existing_lead(&target, lead_id, sentences, &ids(), ". Nothing was sent.")
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
            sentences.when_done(),
            &BotActionOutput {
                lead_id,
                bot_id,
                requested: true,
            },
        ),
        Err(err) => outcome::kommo_failure(sentences.failed, &err, ids()),
    }
}
