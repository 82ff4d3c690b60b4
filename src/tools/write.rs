//! The one path every write tool sends its Kommo write through. It decides dry runs (the
//! `dry_run` argument, the `dry_run` setting, the `X-Kommo-Dry-Run` header: any of them
//! turns it on, none turns it off), consults the dedupe memory for writes that must not
//! repeat (notes), and is the single place to hook an audit trail.

use rmcp::model::CallToolResult;
use serde_json::{Value, json};

use super::{
    Call, Target,
    dedupe::{Claimed, DedupeKey},
    outcome,
};
use crate::kommo::KommoError;

/// One Kommo write.
pub enum Write<'a> {
    /// `PATCH /api/v4/leads/{id}` with `body`.
    UpdateLead { lead_id: i64, body: Value },
    /// `POST /api/v4/leads/{id}/notes` with one common note.
    AddNote { lead_id: i64, text: &'a str },
}

impl Write<'_> {
    pub fn method(&self) -> &'static str {
        match self {
            Write::UpdateLead { .. } => "PATCH",
            Write::AddNote { .. } => "POST",
        }
    }

    pub fn path(&self) -> String {
        match self {
            Write::UpdateLead { lead_id, .. } => format!("/api/v4/leads/{lead_id}"),
            Write::AddNote { lead_id, .. } => format!("/api/v4/leads/{lead_id}/notes"),
        }
    }

    /// The JSON body sent (as the Kommo client sends it).
    pub fn body(&self) -> Value {
        match self {
            Write::UpdateLead { body, .. } => body.clone(),
            Write::AddNote { text, .. } => crate::kommo::note_body(text),
        }
    }

    /// What the write is remembered by against retries, for writes that must not repeat.
    fn dedupe_key(&self, target: &Target) -> Option<DedupeKey> {
        match self {
            Write::UpdateLead { .. } => None,
            Write::AddNote { lead_id, text } => Some(DedupeKey::new(
                target.account.subdomain().as_str(),
                "note",
                *lead_id,
                text,
            )),
        }
    }
}

/// What became of a write.
pub enum Written {
    /// Kommo confirmed it; the id it created, if any (a note's).
    Sent(Option<i64>),
    /// The same write was confirmed a moment ago (a retry): nothing was sent; its id.
    Duplicate(i64),
    /// A dry run: nothing was sent; the answer to give.
    DryRun(CallToolResult),
}

impl Call<'_> {
    /// Whether this call is a dry run: the argument, the setting or the request's header.
    pub fn is_dry_run(&self, asked: Option<bool>) -> bool {
        asked == Some(true) || self.kit.config.dry_run.value || self.scope.dry_run
    }

    /// Sends `write` to Kommo, unless this is a dry run or a repeat of a confirmed write.
    /// `ids` go into a dry run's `structuredContent`.
    pub async fn write(
        &self,
        target: &Target,
        write: Write<'_>,
        dry_run: bool,
        ids: &Value,
    ) -> Result<Written, KommoError> {
        if dry_run {
            return Ok(Written::DryRun(outcome::dry_run(
                write.method(),
                &write.path(),
                &write.body(),
                ids,
            )));
        }
        let claim = match write.dedupe_key(target) {
            Some(key) => match self.kit.dedupe.claim(key).await {
                Claimed::Duplicate(id) => return Ok(Written::Duplicate(id)),
                Claimed::New(claim) => Some(claim),
            },
            None => None,
        };
        let client = self.client();
        let sent = match &write {
            Write::UpdateLead { lead_id, body } => client
                .update_lead(&target.account, *lead_id, body)
                .await
                .map(|()| None),
            Write::AddNote { lead_id, text } => client
                .add_note(&target.account, *lead_id, text)
                .await
                .map(Some),
        };
        // A failure drops the claim, so it is not remembered.
        let id = sent?;
        if let (Some(claim), Some(id)) = (claim, id) {
            claim.confirm(id);
        }
        Ok(Written::Sent(id))
    }
}

/// `{"method": …, "path": …, "body": …}` of a write, as a dry run reports it.
pub fn request_json(method: &str, path: &str, body: &Value) -> Value {
    json!({ "method": method, "path": path, "body": body })
}
