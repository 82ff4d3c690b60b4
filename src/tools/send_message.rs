//! `send_message`: replies to the customer in the lead's own chat through a Salesbot — the
//! text goes into the account's configured text field, then the configured bot, whose step
//! sends that field's value, is run on the lead. Kommo accepts the run (202) and delivers
//! later; the same text to the same lead is sent once however often a client retries.

use rmcp::{
    model::{CallToolResult, ContentBlock, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::{
    Call,
    args::{Bounded, Id, ToolArgs, tool_args},
    outcome::{self, ErrorInfo},
    spec::{Sentences, ToolSpec},
    write::{Write, Written},
};
use crate::observe::call::describe;

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Send message",
    summary: "Send a message to the customer in the lead's chat (through a Salesbot).",
    description: "Send a text message to the customer in the lead's own chat (WhatsApp, Instagram, \
             web chat…), e.g. to reply in the conversation. It goes through the Salesbot the \
             operator configured for the account: the text is written into the configured text \
             lead field, then that bot, whose step sends the field's value, is run on the lead. \
             Kommo accepts the request and delivers the message shortly after, so success means \
             the message was handed to Kommo, not that the customer received it. The same text to \
             the same lead is sent only once within the dedupe window, so a retried call does not \
             send it twice; each different text is a new message. Refused, with how to configure \
             it, when the account has no message field and bot.",
    idempotent: false,
    sentences: Sentences {
        success: Some("Message accepted by Kommo for sending to the lead's chat."),
        missing: Some("Failed to send message: the specified lead does not exist in Kommo."),
        failed: "Failed to send message: it is not configured or Kommo did not accept the request.",
    },
    definition: super::define::<SendMessageArgs, SendMessageOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

tool_args! {
    /// Arguments of send_message.
    struct SendMessageArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// The message to send to the customer, as they will read it.
        text: Bounded<4000>,
        /// true: check everything (lead, configuration, field) but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// What send_message asked Kommo to do.
#[derive(Serialize, JsonSchema)]
pub(super) struct SendMessageOutput {
    pub lead_id: i64,
    /// The text lead field the message was written into.
    pub field_id: i64,
    /// The Salesbot run to send it.
    pub bot_id: i64,
    /// Always true: Kommo accepted the request and delivers asynchronously.
    pub requested: bool,
    /// True when the same text was sent to this lead a moment ago (a retry): nothing was sent again.
    pub deduplicated: bool,
}

const NOT_A_TEXT_FIELD: ErrorInfo = ErrorInfo {
    kind: "invalid_message_field",
    status: None,
};

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let (lead_id, text, dry_run) = match SendMessageArgs::parse(args) {
        Ok(args) => (args.lead_id.0, args.text.0, call.is_dry_run(args.dry_run)),
        Err(problem) => return outcome::invalid_arguments(SPEC.sentences.failed, problem),
    };
    let ids = || json!({ "lead_id": lead_id });
    describe(|change| change.lead_id = Some(lead_id));
    let target = match call.target_or_answer(SPEC.sentences.failed, &ids()) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    let Some(message) = target.message else {
        return outcome::failure(
            SPEC.sentences.failed,
            format!(
                "send_message is not configured for account {subdomain}: set message_field_id (a \
                 text lead field) and message_bot_id (a Salesbot whose step sends that field's \
                 value) — flags --message-field-id and --message-bot-id, environment \
                 KOMMO_MESSAGE_FIELD_ID and KOMMO_MESSAGE_BOT_ID, or the keys message_field_id and \
                 message_bot_id in [accounts.{subdomain}]; docs/tool-behaviour.md says how to \
                 build the bot. Nothing was sent to Kommo.",
                subdomain = target.account.subdomain()
            ),
            ids(),
            ErrorInfo::NOT_CONFIGURED,
        );
    };
    let ids =
        || json!({ "lead_id": lead_id, "field_id": message.field_id, "bot_id": message.bot_id });
    if let Err(answer) = call
        .existing_lead(
            &target,
            lead_id,
            &SPEC.sentences,
            &ids(),
            ". Nothing was sent.",
        )
        .await
    {
        return answer;
    }
    let fields = match call.client().lead_fields(&target.account).await {
        Ok(fields) => fields,
        Err(err) => return outcome::kommo_failure(SPEC.sentences.failed, &err, ids()),
    };
    match fields.iter().find(|field| field.id == message.field_id) {
        Some(field) if matches!(field.kind.as_str(), "text" | "textarea") => {}
        found => {
            let what = match found {
                Some(field) => format!("is {:?}, a {} field", field.name, field.kind),
                None => "is not a lead field of this account".to_owned(),
            };
            return outcome::failure(
                SPEC.sentences.failed,
                format!(
                    "the configured message_field_id {} {what}; it must be a text or textarea \
                     lead field (see list_custom_fields). Nothing was sent to Kommo.",
                    message.field_id
                ),
                ids(),
                NOT_A_TEXT_FIELD,
            );
        }
    }
    describe(|change| {
        change.after = Some(json!({ "message": {
            "field_id": message.field_id,
            "bot_id": message.bot_id,
            "text": crate::audit::note_digest(&text),
        }}));
    });
    let write = Write::Message {
        lead_id,
        field_id: message.field_id,
        bot_id: message.bot_id,
        text: &text,
    };
    let output = |deduplicated| SendMessageOutput {
        lead_id,
        field_id: message.field_id,
        bot_id: message.bot_id,
        requested: true,
        deduplicated,
    };
    match call.write(&target, write, dry_run, &ids()).await {
        Ok(Written::NotSent(mut answer)) => {
            if dry_run {
                answer.content.push(ContentBlock::text(format!(
                    "Then it would have sent POST /api/v4/bots/{}/run with the JSON body {}",
                    message.bot_id,
                    crate::kommo::BotAction::body(lead_id)
                )));
            }
            answer
        }
        Ok(Written::Duplicate(_)) => outcome::success(SPEC.sentences.when_done(), &output(true)),
        Ok(Written::Sent(_)) => outcome::success(SPEC.sentences.when_done(), &output(false)),
        Err(err) => outcome::kommo_failure(SPEC.sentences.failed, &err, ids()),
    }
}
