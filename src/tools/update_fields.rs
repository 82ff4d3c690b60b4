//! `update_lead_fields`: sets a lead's custom fields by name, code or id in one PATCH, each
//! value checked against its field's type first (the checks are in `field_values.rs`);
//! dates are days of the account's time zone, read only when a date is set.

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Call,
    args::{Id, Object, ToolArgs, tool_args},
    field_values::{self, Planned},
    outcome::{self, ErrorInfo},
    readable,
    spec::{Sentences, ToolSpec},
    write::{Write, lead_update_answer},
};
use crate::kommo::AccountZone;

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Update lead custom fields",
    summary: "Set one or more custom fields of a lead in one update.",
    description: "Set one or more custom fields of a lead in Kommo CRM in one update, e.g. the lead's \
         source, priority or company size as the customer states them. Name each field by its \
         name, code or id (list_custom_fields lists them with their types and options); each \
         value is checked against the field's type before anything is sent, and every problem \
         is reported at once with the valid options. Checks that the lead exists first; fields \
         that already have the value are skipped, and if none changes, nothing is sent and the \
         call succeeds.",
    idempotent: true,
    sentences: Sentences {
        success: Some("Lead fields successfully updated."),
        missing: Some("Failed to update lead fields: the specified lead does not exist in Kommo."),
        failed: "Failed to update lead fields: Kommo did not accept the update request.",
    },
    definition: super::define::<UpdateFieldsArgs, UpdateFieldsOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

tool_args! {
    /// Arguments of update_lead_fields.
    struct UpdateFieldsArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
        /// The fields to set: keys are a lead custom field's name, code or id (list_custom_fields lists them; names and option texts match in any case, and without accents when only one does; a name several fields share is refused: use the id or code); values by the field's type: text/textarea/url/streetaddress/tracking_data a text; numeric/monetary a number; checkbox true or false; date/birthday an ISO 8601 date (2026-12-24), written as that day in the account's time zone; date_time a date-time (2026-12-24T10:00:00 is read in the account's time zone; an offset or Z is kept) or Unix seconds; select/radiobutton one option's text or enum id; multiselect a list of options; null clears the field. Example: {"Source": "Instagram", "Employees": 40}.
        fields: Object,
        /// true: check everything but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// What update_lead_fields did.
#[derive(Serialize, JsonSchema)]
pub(super) struct UpdateFieldsOutput {
    /// The lead whose fields were set.
    pub lead_id: i64,
    /// The fields sent to Kommo, with their new values.
    pub updated: Vec<FieldChange>,
    /// The fields that already had the value (not sent).
    pub unchanged: Vec<FieldChange>,
    /// False when every field already had its value (nothing was sent).
    pub changed: bool,
}

/// One field and its value (option texts for select-like fields, YYYY-MM-DD for dates,
/// ISO 8601 with the account's offset for date-times, null when cleared).
#[derive(Serialize, JsonSchema)]
pub(super) struct FieldChange {
    pub field_id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub value: Value,
}

impl FieldChange {
    pub(super) fn new(planned: &Planned, zone: &AccountZone) -> Self {
        FieldChange {
            field_id: planned.field_id,
            name: planned.name.clone(),
            kind: planned.kind.clone(),
            value: planned.shown(zone),
        }
    }
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let args = match UpdateFieldsArgs::parse(args) {
        Ok(args) => args,
        Err(problem) => return outcome::invalid_arguments(SPEC.sentences.failed, problem),
    };
    let lead_id = args.lead_id.0;
    let dry_run = call.is_dry_run(args.dry_run);
    let ids = || json!({ "lead_id": lead_id });
    let (target, lead) = match call.lead_to_change(lead_id, &SPEC.sentences, &ids()).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let fields = match call.client().lead_fields(&target.account).await {
        Ok(fields) => fields,
        Err(err) => return outcome::kommo_failure(SPEC.sentences.failed, &err, ids()),
    };
    let subdomain = target.account.subdomain().as_str().to_owned();
    let planned = match field_values::plan(&fields, &args.fields.0, &subdomain) {
        Ok(planned) => planned,
        Err(problems) => {
            return outcome::failure(
                SPEC.sentences.failed,
                format!("{}. Nothing was sent to Kommo.", problems.join("; ")),
                ids(),
                ErrorInfo::INVALID_ARGUMENTS,
            );
        }
    };
    // Only a date needs the account's time zone (cached like the pipelines).
    let zone = if planned.iter().any(Planned::needs_zone) {
        call.client().account_zone(&target.account).await
    } else {
        AccountZone::utc()
    };
    let current = |field_id: i64| {
        lead.custom_fields_values
            .iter()
            .flatten()
            .find(|value| value.field_id == field_id)
    };
    let (to_send, already): (Vec<&Planned>, Vec<&Planned>) = planned
        .iter()
        .partition(|planned| !planned.is_set(current(planned.field_id), &zone));
    let output = UpdateFieldsOutput {
        lead_id,
        updated: to_send.iter().map(|p| FieldChange::new(p, &zone)).collect(),
        unchanged: already.iter().map(|p| FieldChange::new(p, &zone)).collect(),
        changed: !to_send.is_empty(),
    };
    crate::observe::call::describe(|change| {
        change.lead_id = Some(lead_id);
        change.before = Some(Value::Array(
            to_send
                .iter()
                .map(|p| json!({ "field_id": p.field_id, "name": p.name, "value": current(p.field_id).map_or(Value::Null, |c| readable::value(c, &zone)) }))
                .collect(),
        ));
        change.after = Some(Value::Array(
            to_send
                .iter()
                .map(|p| json!({ "field_id": p.field_id, "name": p.name, "value": p.shown(&zone) }))
                .collect(),
        ));
    });
    if to_send.is_empty() {
        return outcome::success(SPEC.sentences.when_done(), &output);
    }
    let body = json!({
        "custom_fields_values": to_send.iter().map(|p| p.item(&zone)).collect::<Vec<_>>()
    });
    let write = Write::UpdateLead { lead_id, body };
    let written = call.write(&target, write, dry_run, &ids()).await;
    lead_update_answer(written, &target, lead_id, &SPEC.sentences, ids(), &output)
}
