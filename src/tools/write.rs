//! The one path every write tool sends its Kommo write through. It decides dry runs (the
//! `dry_run` argument, the `dry_run` setting, the `X-Kommo-Dry-Run` header: any of them
//! turns it on, none turns it off), asks the user first for the tools of `confirm_tools`
//! (see [`super::confirm`]), consults the dedupe memory for writes that must not
//! repeat (notes, tasks), and writes the audit trail's lines around each Kommo write.

use rmcp::model::CallToolResult;
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Call, Target,
    audited::{Audited, Line},
    dedupe::{Claimed, DedupeKey},
    outcome,
};
use crate::audit::Event;
use crate::kommo::{BotAction, CreatedLead, KommoError, NewTask};

/// One Kommo write.
pub(crate) enum Write<'a> {
    /// `PATCH /api/v4/leads/{id}` with `body`.
    UpdateLead { lead_id: i64, body: Value },
    /// `POST /api/v4/leads/{id}/notes` with one common note.
    AddNote { lead_id: i64, text: &'a str },
    /// `POST /api/v4/tasks` with one task.
    CreateTask { task: &'a NewTask },
    /// `POST /api/v4/leads/tags` with one tag (a name the account does not have yet).
    CreateTag { name: &'a str },
    /// `POST /api/v4/bots/{id}/run` or `…/stop` for one lead (Kommo answers 202).
    Salesbot {
        action: BotAction,
        bot_id: i64,
        lead_id: i64,
    },
    /// `POST /api/v4/leads/complex` (`complex`: a new contact or company embedded) or `POST
    /// /api/v4/leads` with one lead. `arguments` is the call's normalized arguments (what a
    /// retry is recognized by); the ids Kommo answers go into `created`.
    CreateLead {
        body: Value,
        complex: bool,
        arguments: String,
        created: &'a std::sync::OnceLock<CreatedLead>,
    },
    /// `PATCH /api/v4/contacts/{id}` with `body`.
    UpdateContact { contact_id: i64, body: Value },
    /// A message through a Salesbot: `PATCH /api/v4/leads/{id}` writing `text` into the
    /// text field `field_id`, then `POST /api/v4/bots/{bot_id}/run` on the lead (the bot
    /// sends the field's value). Remembered against retries: the same text to the same
    /// lead is sent once.
    Message {
        lead_id: i64,
        field_id: i64,
        bot_id: i64,
        text: &'a str,
    },
}

impl Write<'_> {
    pub(crate) fn method(&self) -> &'static str {
        match self {
            Write::UpdateLead { .. } | Write::UpdateContact { .. } | Write::Message { .. } => {
                "PATCH"
            }
            Write::CreateLead { .. }
            | Write::AddNote { .. }
            | Write::CreateTask { .. }
            | Write::CreateTag { .. }
            | Write::Salesbot { .. } => "POST",
        }
    }

    pub(crate) fn path(&self) -> String {
        match self {
            Write::UpdateLead { lead_id, .. } | Write::Message { lead_id, .. } => {
                format!("/api/v4/leads/{lead_id}")
            }
            Write::AddNote { lead_id, .. } => format!("/api/v4/leads/{lead_id}/notes"),
            Write::CreateTask { .. } => "/api/v4/tasks".to_owned(),
            Write::CreateTag { .. } => "/api/v4/leads/tags".to_owned(),
            Write::Salesbot { action, bot_id, .. } => action.path(*bot_id),
            Write::CreateLead { complex: true, .. } => "/api/v4/leads/complex".to_owned(),
            Write::CreateLead { complex: false, .. } => "/api/v4/leads".to_owned(),
            Write::UpdateContact { contact_id, .. } => format!("/api/v4/contacts/{contact_id}"),
        }
    }

    /// The JSON body sent (as the Kommo client sends it).
    pub(crate) fn body(&self) -> Value {
        match self {
            Write::UpdateLead { body, .. }
            | Write::CreateLead { body, .. }
            | Write::UpdateContact { body, .. } => body.clone(),
            Write::AddNote { text, .. } => crate::kommo::note_body(text),
            Write::CreateTask { task } => task.body(),
            Write::CreateTag { name } => json!([{ "name": name.trim() }]),
            Write::Salesbot { lead_id, .. } => BotAction::body(*lead_id),
            Write::Message { field_id, text, .. } => message_body(*field_id, text),
        }
    }

    /// `{"method", "path", "body"}` as the audit trail records it: a note's or a task's
    /// text replaced by its length and SHA-256.
    fn audited_request(&self) -> Value {
        let mut body = self.body();
        match self {
            Write::AddNote { text, .. } => {
                if let Some(params) = body.pointer_mut("/0/params") {
                    params["text"] = crate::audit::note_digest(text);
                }
            }
            Write::CreateTask { task } => {
                if let Some(item) = body.pointer_mut("/0") {
                    item["text"] = crate::audit::note_digest(&task.text);
                }
            }
            Write::Message { text, .. } => {
                if let Some(value) = body.pointer_mut("/custom_fields_values/0/values/0/value") {
                    *value = crate::audit::note_digest(text);
                }
            }
            Write::UpdateLead { .. }
            | Write::CreateTag { .. }
            | Write::Salesbot { .. }
            | Write::CreateLead { .. }
            | Write::UpdateContact { .. } => {}
        }
        request_json(self.method(), &self.path(), &body)
    }

    /// What the write is remembered by against retries, for writes that must not repeat.
    fn dedupe_key(&self, target: &Target) -> Option<DedupeKey> {
        match self {
            Write::UpdateLead { .. }
            | Write::CreateTag { .. }
            | Write::Salesbot { .. }
            | Write::UpdateContact { .. } => None,
            Write::Message { lead_id, text, .. } => Some(DedupeKey::new(
                target.account.subdomain().as_str(),
                "message",
                *lead_id,
                text,
            )),
            // The same arguments in the same account make the same lead.
            Write::CreateLead { arguments, .. } => Some(DedupeKey::new(
                target.account.subdomain().as_str(),
                "lead",
                0,
                arguments,
            )),
            Write::AddNote { lead_id, text } => Some(DedupeKey::new(
                target.account.subdomain().as_str(),
                "note",
                *lead_id,
                text,
            )),
            // The same lead, due time and text make the same task (its type and user do
            // not make it another one). The due time has no ':', so the content is
            // unambiguous.
            Write::CreateTask { task } => Some(DedupeKey::new(
                target.account.subdomain().as_str(),
                "task",
                task.lead_id,
                &format!("{}:{}", task.complete_till, task.text),
            )),
        }
    }
}

/// The answer to a lead update (`PATCH /api/v4/leads/{id}`): the dry run's answer, the
/// success sentence with `output` once Kommo confirmed it, the "does not exist" sentence
/// when the lead was deleted between the check and the write, or the failure sentence.
pub(super) fn lead_update_answer(
    written: Result<Written, KommoError>,
    target: &Target,
    lead_id: i64,
    sentences: &super::Sentences,
    ids: Value,
    output: &impl Serialize,
) -> CallToolResult {
    match written {
        Ok(Written::NotSent(answer)) => answer,
        Ok(_) => outcome::success(sentences.when_done(), output),
        Err(KommoError::NotFound { .. }) => outcome::failure(
            sentences.when_missing(),
            format!(
                "Kommo has no lead with id {lead_id} in account {} (it was deleted before the \
                 update). Nothing was changed.",
                target.account.subdomain()
            ),
            ids,
            outcome::ErrorInfo::LEAD_MISSING,
        ),
        Err(err) => outcome::kommo_failure(sentences.failed, &err, ids),
    }
}

/// What became of a write.
pub(crate) enum Written {
    /// Kommo confirmed it; the id it created, if any (a note's, a task's).
    Sent(Option<i64>),
    /// The same write was confirmed a moment ago (a retry): nothing was sent; its id.
    Duplicate(i64),
    /// Nothing was sent: a dry run, or the audit trail could not record the write. The
    /// answer to give.
    NotSent(CallToolResult),
}

impl Call<'_> {
    /// Whether this call is a dry run: the argument, the setting or the request's header.
    pub(crate) fn is_dry_run(&self, asked: Option<bool>) -> bool {
        asked == Some(true) || self.kit.config.dry_run.value || self.scope.dry_run
    }

    /// Sends `write` to Kommo, unless this is a dry run or a repeat of a confirmed write.
    /// With an audit trail, the `intent` line is on disk before anything is sent (if it
    /// cannot be written, nothing is sent and the answer says why) and the `outcome` line
    /// follows Kommo's answer. `ids` go into a dry run's `structuredContent`.
    pub(crate) async fn write(
        &self,
        target: &Target,
        write: Write<'_>,
        dry_run: bool,
        ids: &Value,
    ) -> Result<Written, KommoError> {
        // The audit trail's record of this write (a note's or a task's text never goes
        // there: only its length and hash).
        crate::observe::call::describe(|change| {
            change.dry_run = dry_run;
            match (&write, &change.after) {
                (Write::UpdateLead { lead_id, body }, None) => {
                    change.lead_id = Some(*lead_id);
                    change.after = Some(body.clone());
                }
                (Write::CreateTask { task }, _) => {
                    change.lead_id = Some(task.lead_id);
                    change.after = Some(task_change(task));
                }
                // The other writes' tools describe their change themselves.
                _ => {}
            }
        });
        let audit = self.audit.map(|audited| AuditTrail {
            audited,
            account: target.account.subdomain().as_str(),
            request: write.audited_request(),
        });
        if dry_run {
            if let Some(trail) = &audit
                && let Err(reason) = trail.line(Event::DryRun, "not_sent", None, None).await
            {
                return Ok(Written::NotSent(self.audit_refusal(&reason)));
            }
            return Ok(Written::NotSent(outcome::dry_run(
                write.method(),
                &write.path(),
                &write.body(),
                ids,
            )));
        }
        if let super::confirm::Confirmation::NotConfirmed(refusal) =
            self.confirmation(target, &write).await
        {
            if let Some(trail) = &audit
                && let Err(reason) = trail
                    .line(Event::NotSent, "not_sent", None, Some("not_confirmed"))
                    .await
            {
                return Ok(Written::NotSent(self.audit_refusal(&reason)));
            }
            let answer = super::confirm::not_confirmed(self.tool, &refusal, ids);
            return Ok(Written::NotSent(answer));
        }
        let claim = match write.dedupe_key(target) {
            Some(key) => match self.kit.dedupe.claim(key).await {
                Claimed::Duplicate(id) => {
                    if let Write::CreateTask { .. } = &write {
                        record_task_id(id, true);
                    }
                    if let Some(trail) = &audit
                        && let Err(reason) = trail
                            .line(Event::Deduplicated, "not_sent", Some(id), None)
                            .await
                    {
                        return Ok(Written::NotSent(self.audit_refusal(&reason)));
                    }
                    return Ok(Written::Duplicate(id));
                }
                Claimed::New(claim) => Some(claim),
            },
            None => None,
        };
        if crate::cancellation::requested() {
            if let Some(claim) = claim {
                claim.forget().await;
            }
            if let Some(trail) = &audit
                && let Err(reason) = trail
                    .line(Event::NotSent, "not_sent", None, Some("cancelled"))
                    .await
            {
                return Ok(Written::NotSent(self.audit_refusal(&reason)));
            }
            return Ok(Written::NotSent(cancelled(self.tool)));
        }
        if let Some(trail) = &audit
            && let Err(reason) = trail.line(Event::Intent, "pending", None, None).await
        {
            if let Some(claim) = claim {
                claim.forget().await;
            }
            return Ok(Written::NotSent(self.audit_refusal(&reason)));
        }
        let sent = self.send(target, &write).await;
        if let (Write::CreateTask { .. }, Ok(Some(task_id))) = (&write, &sent) {
            record_task_id(*task_id, false);
        }
        if let Some(trail) = &audit {
            let (outcome, created, kind) = match &sent {
                Ok(id) => ("confirmed", *id, None),
                Err(err) => (outcome_of(err), None, Some(err.kind())),
            };
            if let Err(reason) = trail.line(Event::Outcome, outcome, created, kind).await {
                crate::observe::call::describe(|change| change.audit_warning = Some(reason));
            }
        }
        let id = match sent {
            Ok(id) => id,
            Err(err) => {
                // A failed write is not remembered: a retry may write it.
                if let Some(claim) = claim {
                    claim.forget().await;
                }
                return Err(err);
            }
        };
        if let (Some(claim), Some(id)) = (claim, id) {
            claim.confirm(id).await;
        }
        Ok(Written::Sent(id))
    }

    /// The one Kommo request of `write`; the id it created, if any.
    async fn send(&self, target: &Target, write: &Write<'_>) -> Result<Option<i64>, KommoError> {
        let client = self.client();
        match write {
            Write::UpdateLead { lead_id, body } => client
                .update_lead(&target.account, *lead_id, body)
                .await
                .map(|()| None),
            Write::AddNote { lead_id, text } => client
                .add_note(&target.account, *lead_id, text)
                .await
                .map(Some),
            Write::CreateTask { task } => client.create_task(&target.account, task).await.map(Some),
            Write::CreateTag { name } => client
                .create_lead_tag(&target.account, name)
                .await
                .map(|tag| tag.id),
            Write::Salesbot {
                action,
                bot_id,
                lead_id,
            } => client
                .bot_action(&target.account, *action, *bot_id, *lead_id)
                .await
                .map(|()| None),
            Write::CreateLead {
                body,
                complex,
                created,
                ..
            } => {
                let answer = if *complex {
                    client.create_lead_complex(&target.account, body).await?
                } else {
                    CreatedLead {
                        lead_id: client.create_lead(&target.account, body).await?,
                        ..CreatedLead::default()
                    }
                };
                let _ = created.set(answer);
                Ok(Some(answer.lead_id))
            }
            Write::UpdateContact { contact_id, body } => client
                .update_contact(&target.account, *contact_id, body)
                .await
                .map(|()| None),
            // The field is written first; the bot then sends what it holds. The lead's id
            // is what a retry is answered with.
            Write::Message {
                lead_id,
                field_id,
                bot_id,
                text,
            } => {
                client
                    .update_lead(&target.account, *lead_id, &message_body(*field_id, text))
                    .await?;
                client
                    .bot_action(&target.account, BotAction::Run, *bot_id, *lead_id)
                    .await
                    .map(|()| Some(*lead_id))
            }
        }
    }

    /// The tool's answer when its audit line cannot be written: nothing was sent.
    fn audit_refusal(&self, reason: &str) -> CallToolResult {
        super::audit_refusal(self.tool, reason)
    }
}

/// The answer to a write the client cancelled before it was sent.
fn cancelled(tool: crate::toolset::ToolName) -> CallToolResult {
    outcome::failure(
        super::spec(tool).sentences.failed,
        "The client cancelled the call (notifications/cancelled) before the write was sent. \
         Nothing was sent to Kommo.",
        json!({}),
        outcome::ErrorInfo {
            kind: "cancelled",
            status: None,
        },
    )
}

/// `unknown` when the write may have reached Kommo without an answer coming back (a
/// timeout, a connection that broke mid-request), else `failed`.
fn outcome_of(err: &KommoError) -> &'static str {
    match err {
        KommoError::Timeout { .. } | KommoError::Transport { .. } => "unknown",
        _ => "failed",
    }
}

/// The audit lines of one write.
struct AuditTrail<'a> {
    audited: &'a Audited,
    account: &'a str,
    request: Value,
}

impl AuditTrail<'_> {
    /// One line about this write, with the change the tool described so far. An `intent`
    /// line is synced to disk before this returns.
    async fn line(
        &self,
        event: Event,
        outcome: &str,
        created_id: Option<i64>,
        failure_kind: Option<&str>,
    ) -> Result<(), String> {
        let change = crate::observe::call::current_change();
        let kommo_request_id = (event != Event::Intent)
            .then(crate::observe::call::last_kommo_request_id)
            .flatten();
        let line = Line {
            event,
            account: Some(self.account),
            lead_id: change.lead_id,
            request: Some(&self.request),
            before: change.before.as_ref(),
            after: change.after.as_ref(),
            note: change.note.as_ref(),
            dry_run: event == Event::DryRun,
            outcome,
            failure_kind,
            created_id,
            kommo_request_id: kommo_request_id.as_deref(),
            ..Line::default()
        };
        // Written or not, this call's audit is the write path's: a failure refuses it.
        crate::observe::call::describe(|change| change.audited = true);
        self.audited.write(&line, event == Event::Intent).await
    }
}

/// Adds the task's id to the audit trail's `after.task` (and whether this call was
/// answered with an earlier identical task instead of creating one).
fn record_task_id(task_id: i64, deduplicated: bool) {
    crate::observe::call::describe(|change| {
        if let Some(task) = change
            .after
            .as_mut()
            .and_then(|after| after.get_mut("task"))
            .and_then(Value::as_object_mut)
        {
            task.insert("task_id".to_owned(), json!(task_id));
            if deduplicated {
                task.insert("deduplicated".to_owned(), json!(true));
            }
        }
    });
}

/// What the audit trail records a task as: its text's length and SHA-256 (never the
/// text), due time, type and user.
fn task_change(task: &NewTask) -> Value {
    json!({
        "task": {
            "text": crate::audit::note_digest(&task.text),
            "complete_till": task.complete_till,
            "task_type_id": task.task_type_id,
            "responsible_user_id": task.responsible_user_id,
        }
    })
}

/// The lead update that puts a message's text into the message field.
fn message_body(field_id: i64, text: &str) -> Value {
    json!({ "custom_fields_values": [{ "field_id": field_id, "values": [{ "value": text }] }] })
}

/// `{"method": …, "path": …, "body": …}` of a write, as a dry run reports it.
pub(super) fn request_json(method: &str, path: &str, body: &Value) -> Value {
    json!({ "method": method, "path": path, "body": body })
}
