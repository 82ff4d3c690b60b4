//! `add_note`: adds a plain-text note to a lead, after checking the lead exists. Never
//! written twice: a note whose request may have reached Kommo is not sent again.

use rmcp::{
    model::{CallToolResult, JsonObject, Tool},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::{
    Call, Hints,
    args::{Id, Text, ToolArgs, tool_args},
    outcome,
};

pub const SUCCESS: &str = "Note added succesfully.";
pub const FAILED: &str = "Error adding the note.";

tool_args! {
    /// Arguments of add_note.
    struct AddNoteArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// The note's text, shown in the lead's feed to the sales team. Plain text: line breaks are kept, HTML is shown as-is.
        note: Text,
    }
}

/// The note that was created.
#[derive(Serialize, JsonSchema)]
pub struct NoteOutput {
    /// The lead the note was added to.
    pub lead_id: i64,
    /// The id Kommo gave the new note.
    pub note_id: i64,
}

pub fn definition() -> Tool {
    super::define::<AddNoteArgs, NoteOutput>(
        "add_note",
        "Add note",
        "Add a plain-text note to a lead in Kommo CRM, visible to the sales team in the lead's \
             feed: a summary of the conversation, what the customer asked for, or a hand-over \
             message. Checks that the lead exists first. Each call adds one new note (calling it \
             twice adds two).",
        Hints {
            read_only: false,
            idempotent: false,
        },
    )
}

pub async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let (lead_id, note) = match AddNoteArgs::parse(args) {
        Ok(args) => (args.lead_id.0, args.note.0),
        Err(problem) => return outcome::invalid_arguments(FAILED, problem),
    };
    let ids = || json!({ "lead_id": lead_id });
    let target = match call.target_or_answer(FAILED, &ids()) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    let missing = ": the specified lead does not exist. No note was written.";
    if let Err(answer) = call
        .existing_lead(&target, lead_id, (FAILED, FAILED), &ids(), missing)
        .await
    {
        return answer;
    }
    let client = call.client();
    match client.add_note(&target.account, lead_id, &note).await {
        Ok(note_id) => outcome::success(SUCCESS, &NoteOutput { lead_id, note_id }),
        Err(err) => outcome::kommo_failure(FAILED, &err, ids()),
    }
}
