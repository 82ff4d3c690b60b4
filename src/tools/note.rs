//! `add_note`: adds a plain-text note to a lead, after checking the lead exists. Never
//! written twice: a note whose request may have reached Kommo is not sent again.

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::json;

use super::{
    Call,
    args::{Id, Text, ToolArgs, tool_args},
    outcome,
    spec::{Sentences, ToolSpec},
    write::{Write, Written},
};
use crate::observe::call::describe;

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Add note",
    summary: "Add a plain-text note to a lead's feed.",
    description: "Add a plain-text note to a lead in Kommo CRM, visible to the sales team in the lead's \
             feed: a summary of the conversation, what the customer asked for, or a hand-over \
             message. Checks that the lead exists first. Each call adds one new note (calling it \
             twice adds two).",
    idempotent: false,
    sentences: Sentences {
        success: Some("Note added succesfully."),
        missing: None,
        failed: "Error adding the note.",
    },
    definition: super::define::<AddNoteArgs, NoteOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

tool_args! {
    /// Arguments of add_note.
    struct AddNoteArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// The note's text, shown in the lead's feed to the sales team. Plain text: line breaks are kept, HTML is shown as-is.
        note: Text,
        /// true: check everything but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// The note that was created.
#[derive(Serialize, JsonSchema)]
pub(super) struct NoteOutput {
    /// The lead the note was added to.
    pub lead_id: i64,
    /// The id Kommo gave the new note.
    pub note_id: i64,
    /// True when the same note for the same lead was added moments ago (a retried call):
    /// this is that note's id and nothing was sent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deduplicated: bool,
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let (lead_id, note, dry_run) = match AddNoteArgs::parse(args) {
        Ok(args) => (args.lead_id.0, args.note.0, call.is_dry_run(args.dry_run)),
        Err(problem) => return outcome::invalid_arguments(SPEC.sentences.failed, problem),
    };
    let ids = || json!({ "lead_id": lead_id });
    describe(|change| {
        change.lead_id = Some(lead_id);
        change.note = Some(crate::audit::note_digest(&note));
    });
    let target = match call.target_or_answer(SPEC.sentences.failed, &ids()) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    let missing = ": the specified lead does not exist. No note was written.";
    if let Err(answer) = call
        .existing_lead(&target, lead_id, &SPEC.sentences, &ids(), missing)
        .await
    {
        return answer;
    }
    let write = Write::AddNote {
        lead_id,
        text: &note,
    };
    match call.write(&target, write, dry_run, &ids()).await {
        Ok(Written::NotSent(answer)) => answer,
        Ok(Written::Duplicate(note_id)) => outcome::success(
            SPEC.sentences.when_done(),
            &NoteOutput {
                lead_id,
                note_id,
                deduplicated: true,
            },
        ),
        Ok(Written::Sent(Some(note_id))) => outcome::success(
            SPEC.sentences.when_done(),
            &NoteOutput {
                lead_id,
                note_id,
                deduplicated: false,
            },
        ),
        Ok(Written::Sent(None)) => outcome::failure(
            SPEC.sentences.failed,
            "Kommo's confirmation named no note",
            ids(),
            outcome::ErrorInfo::from(&crate::kommo::KommoError::Decode {
                detail: String::new(),
            }),
        ),
        Err(err) => outcome::kommo_failure(SPEC.sentences.failed, &err, ids()),
    }
}
