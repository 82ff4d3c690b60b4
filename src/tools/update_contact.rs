//! `update_contact`: renames a contact, adds a phone or an e-mail, keeping the ones it has
//! (Kommo replaces a field's whole value list on PATCH, so the contact is read and the full
//! list written), and sets its custom fields by name, code or id (checked by type with the
//! lead fields' code, `field_values.rs`). A phone already there in another format
//! (`phone.rs`), an e-mail in another case, or a field that has the value is not sent again;
//! nothing to change sends nothing.

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Call, Target,
    args::{Bounded, Id, Object, ToolArgs, exactly_one, tool_args},
    contact_match,
    field_values::{self, CONTACT_FIELDS, Planned},
    outcome::{self, ErrorInfo},
    readable,
    spec::{Sentences, ToolSpec},
    update_fields::FieldChange,
    write::{Write, Written},
};
use crate::kommo::{AccountZone, KommoError, models::Contact};

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Update contact",
    summary: "Rename a contact, add a phone or e-mail to it (keeping the ones it has), or set its custom fields.",
    description: "Update a contact in Kommo CRM when the customer gives a new e-mail, a second \
         phone, their name or other details: add_phone and add_email are added to the contact's \
         phones and e-mails, which are all kept; name renames it; fields sets the contact's \
         custom fields (e.g. position, preferred channel, birthday) by name, code or id, each \
         value checked against its field's type as update_lead_fields does (an unknown key is \
         refused with the contact fields the account has). Name the contact by contact_id, or \
         by lead_id for the lead's main contact (find_leads and get_lead show contacts). The \
         phone and e-mail formats are checked before anything is sent; a phone the contact \
         already has in another format (country code, punctuation), an e-mail it has in \
         another case or a field that already has the value is not sent again, and if nothing \
         changes, nothing is sent and the call succeeds.",
    idempotent: true,
    sentences: Sentences {
        success: Some("Contact successfully updated."),
        missing: Some("Failed to update contact: the specified contact does not exist in Kommo."),
        failed: "Failed to update contact: Kommo did not accept the update request.",
    },
    definition: super::define::<UpdateContactArgs, UpdateContactOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

/// The kinds Kommo gives phones, and e-mails.
const PHONE_KINDS: &[&str] = &["WORK", "WORKDD", "MOB", "FAX", "HOME", "OTHER"];
const EMAIL_KINDS: &[&str] = &["WORK", "PRIV", "OTHER"];

tool_args! {
    /// Arguments of update_contact (contact_id or lead_id; at least one change).
    struct UpdateContactArgs {
        /// The Kommo contact id.
        contact_id: Option<Id>,
        /// A lead id: its main contact is updated.
        lead_id: Option<Id>,
        /// The contact's new name.
        name: Option<Bounded<255>>,
        /// A phone number to add (any format: +54 9 11 5555-0101); kept with the contact's other phones.
        add_phone: Option<Bounded<64>>,
        /// The added phone's kind: WORK (default), WORKDD, MOB, FAX, HOME or OTHER.
        phone_kind: Option<Bounded<8>>,
        /// An e-mail address to add; kept with the contact's other e-mails.
        add_email: Option<Bounded<254>>,
        /// The added e-mail's kind: WORK (default), PRIV or OTHER.
        email_kind: Option<Bounded<8>>,
        /// Contact custom fields to set: keys are a field's name, code or id (names match in any case, and without accents when only one does); values by the field's type exactly as update_lead_fields takes them (text a text, select an option's text or enum id, date/birthday 2026-12-24, checkbox true/false, null clears). Phones and e-mails go in add_phone and add_email. Example: {"Cargo": "Gerente", "Canal preferido": "WhatsApp"}.
        fields: Option<Object>,
        /// true: check everything but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// What update_contact did.
#[derive(Serialize, JsonSchema)]
pub(super) struct UpdateContactOutput {
    /// The contact updated.
    pub contact_id: i64,
    /// Its name after the call.
    pub name: String,
    /// Its phones after the call, as written in Kommo.
    pub phones: Vec<String>,
    /// Its e-mails after the call.
    pub emails: Vec<String>,
    /// The custom fields sent, with their new values (fields that already had them are left out).
    pub fields: Vec<FieldChange>,
    /// What was sent: "name", "phone", "email", "fields" (empty when nothing changed).
    pub updated: Vec<String>,
    /// False when the contact already had everything (nothing was sent).
    pub changed: bool,
}

/// A kind argument checked against `kinds` (any case), or the problem.
fn kind(name: &str, given: Option<&Bounded<8>>, kinds: &[&str]) -> Result<String, String> {
    let Some(given) = given else {
        return Ok("WORK".to_owned());
    };
    let upper = given.0.trim().to_uppercase();
    if kinds.contains(&upper.as_str()) {
        Ok(upper)
    } else {
        Err(format!(
            "{name} must be one of {}, got {:?}",
            kinds.join(", "),
            given.0
        ))
    }
}

/// The contact's `code` field item with `added` appended: every value kept with its kind.
fn full_list(contact: &Contact, code: &str, added: &str, kind: &str) -> Value {
    let mut values: Vec<Value> = contact
        .kinded_values(code)
        .into_iter()
        .map(|(value, kind)| match kind {
            Some(kind) => json!({"value": value, "enum_code": kind}),
            None => json!({"value": value}),
        })
        .collect();
    values.push(json!({"value": added, "enum_code": kind}));
    let field_id = contact
        .custom_fields_values
        .iter()
        .flatten()
        .find(|f| f.field_code.as_deref() == Some(code))
        .map(|f| f.field_id);
    match field_id {
        Some(id) => json!({"field_id": id, "values": values}),
        None => json!({"field_code": code, "values": values}),
    }
}

pub(super) async fn run(call: Call<'_>, args_json: &JsonObject) -> CallToolResult {
    let failed = SPEC.sentences.failed;
    let mut more: Vec<String> = exactly_one(args_json, &["contact_id", "lead_id"])
        .into_iter()
        .collect();
    if ["name", "add_phone", "add_email", "fields"]
        .iter()
        .all(|key| args_json.get(*key).is_none_or(Value::is_null))
    {
        more.push("give at least one of name, add_phone, add_email or fields".to_owned());
    }
    if let Some(Value::String(p)) = args_json.get("add_phone") {
        more.extend(contact_match::phone_problem("add_phone", p));
    }
    if let Some(Value::String(e)) = args_json.get("add_email") {
        more.extend(contact_match::email_problem("add_email", e));
    }
    let args = match UpdateContactArgs::parse_with(args_json, more) {
        Ok(args) => args,
        Err(problem) => return outcome::invalid_arguments(failed, problem),
    };
    let kinds = (
        kind("phone_kind", args.phone_kind.as_ref(), PHONE_KINDS),
        kind("email_kind", args.email_kind.as_ref(), EMAIL_KINDS),
    );
    let (phone_kind, email_kind) = match kinds {
        (Ok(p), Ok(e)) => (p, e),
        (p, e) => {
            let problems: Vec<String> = [p.err(), e.err()].into_iter().flatten().collect();
            return outcome::invalid_arguments(failed, super::args::invalid(&problems));
        }
    };
    let dry_run = call.is_dry_run(args.dry_run);
    let asked = json!({
        "contact_id": args.contact_id.as_ref().map(|id| id.0),
        "lead_id": args.lead_id.as_ref().map(|id| id.0),
    });
    let target = match call.target_or_answer(failed, &asked) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    let contact = match find(
        &call,
        &target,
        args.contact_id.map(|i| i.0),
        args.lead_id.map(|i| i.0),
    )
    .await
    {
        Ok(contact) => contact,
        Err(Found::Missing(reason, error)) => {
            return outcome::failure(
                SPEC.sentences.when_missing(),
                format!("{reason} Nothing was changed."),
                asked,
                error,
            );
        }
        Err(Found::Failed(err)) => return outcome::kommo_failure(failed, &err, asked),
    };
    let ids = json!({ "contact_id": contact.id });
    let planned = match &args.fields {
        Some(wanted) => match plan_fields(&call, &target, &wanted.0).await {
            Ok(planned) => planned,
            Err(answer) => return answer.into_result(failed, ids),
        },
        None => Vec::new(),
    };
    // Only a date needs the account's time zone (cached like the pipelines).
    let zone = if planned.iter().any(Planned::needs_zone) {
        call.client().account_zone(&target.account).await
    } else {
        AccountZone::utc()
    };
    let current = |field_id: i64| {
        contact
            .custom_fields_values
            .iter()
            .flatten()
            .find(|value| value.field_id == field_id)
    };
    let to_send: Vec<&Planned> = planned
        .iter()
        .filter(|p| !p.is_set(current(p.field_id), &zone))
        .collect();
    let mut body = serde_json::Map::new();
    let mut fields = Vec::new();
    let mut updated = Vec::new();
    let mut name = contact.name.clone().unwrap_or_default();
    let mut phones = contact.values("PHONE");
    let mut emails = contact.values("EMAIL");
    if let Some(new_name) = &args.name
        && new_name.0.trim() != name
    {
        name = new_name.0.trim().to_owned();
        body.insert("name".to_owned(), json!(name));
        updated.push("name".to_owned());
    }
    if let Some(phone) = &args.add_phone
        && !contact_match::has_phone(&contact, &phone.0)
    {
        let phone = phone.0.trim();
        fields.push(full_list(&contact, "PHONE", phone, &phone_kind));
        phones.push(phone.to_owned());
        updated.push("phone".to_owned());
    }
    if let Some(email) = &args.add_email
        && !contact_match::has_email(&contact, &email.0)
    {
        let email = email.0.trim();
        fields.push(full_list(&contact, "EMAIL", email, &email_kind));
        emails.push(email.to_owned());
        updated.push("email".to_owned());
    }
    if !to_send.is_empty() {
        fields.extend(to_send.iter().map(|p| p.item(&zone)));
        updated.push("fields".to_owned());
    }
    if !fields.is_empty() {
        body.insert("custom_fields_values".to_owned(), Value::Array(fields));
    }
    let shown_fields = |planned: &[&Planned]| -> Value {
        Value::Array(
            planned
                .iter()
                .map(|p| json!({ "field_id": p.field_id, "name": p.name, "value": p.shown(&zone) }))
                .collect(),
        )
    };
    let output = UpdateContactOutput {
        contact_id: contact.id,
        name: name.clone(),
        phones: phones.clone(),
        emails: emails.clone(),
        fields: to_send.iter().map(|p| FieldChange::new(p, &zone)).collect(),
        changed: !updated.is_empty(),
        updated,
    };
    if body.is_empty() {
        return outcome::success(SPEC.sentences.when_done(), &output);
    }
    crate::observe::call::describe(|change| {
        change.lead_id = args.lead_id.as_ref().map(|id| id.0);
        change.before = Some(json!({
            "contact_id": contact.id,
            "name": contact.name,
            "phones": contact.values("PHONE"),
            "emails": contact.values("EMAIL"),
            "fields": to_send
                .iter()
                .map(|p| json!({ "field_id": p.field_id, "name": p.name, "value": current(p.field_id).map_or(Value::Null, |c| readable::value(c, &zone)) }))
                .collect::<Vec<_>>(),
        }));
        change.after = Some(json!({
            "contact_id": contact.id,
            "name": name,
            "phones": phones,
            "emails": emails,
            "fields": shown_fields(&to_send),
        }));
    });
    let write = Write::UpdateContact {
        contact_id: contact.id,
        body: Value::Object(body),
    };
    match call.write(&target, write, dry_run, &ids).await {
        Ok(Written::NotSent(answer)) => answer,
        Ok(_) => outcome::success(SPEC.sentences.when_done(), &output),
        Err(KommoError::NotFound { .. }) => outcome::failure(
            SPEC.sentences.when_missing(),
            format!(
                "Kommo has no contact with id {} in account {} (it was deleted before the \
                 update). Nothing was changed.",
                contact.id,
                target.account.subdomain()
            ),
            ids,
            ErrorInfo::CONTACT_MISSING,
        ),
        Err(err) => outcome::kommo_failure(failed, &err, ids),
    }
}

/// Why the `fields` could not be planned.
enum FieldsProblem {
    /// Keys or values refused, each problem.
    Invalid(Vec<String>),
    Failed(KommoError),
}

impl FieldsProblem {
    fn into_result(self, failed: &str, ids: Value) -> CallToolResult {
        match self {
            FieldsProblem::Invalid(problems) => outcome::failure(
                failed,
                format!("{}. Nothing was sent to Kommo.", problems.join("; ")),
                ids,
                ErrorInfo::INVALID_ARGUMENTS,
            ),
            FieldsProblem::Failed(err) => outcome::kommo_failure(failed, &err, ids),
        }
    }
}

/// The contact fields `wanted` sets, checked against the account's contact fields (cached).
async fn plan_fields(
    call: &Call<'_>,
    target: &Target,
    wanted: &serde_json::Map<String, Value>,
) -> Result<Vec<Planned>, FieldsProblem> {
    let defined = call
        .client()
        .contact_fields(&target.account)
        .await
        .map_err(FieldsProblem::Failed)?;
    let subdomain = target.account.subdomain().as_str().to_owned();
    field_values::plan_for(&defined, wanted, &subdomain, &CONTACT_FIELDS)
        .map_err(FieldsProblem::Invalid)
}

/// Why the contact was not found.
enum Found {
    /// No such lead, no contact on it, or no such contact: the reason and its kind.
    Missing(String, ErrorInfo),
    Failed(KommoError),
}

/// The contact by id, or the lead's main contact (its first when none is marked main).
async fn find(
    call: &Call<'_>,
    target: &Target,
    contact_id: Option<i64>,
    lead_id: Option<i64>,
) -> Result<Contact, Found> {
    let client = call.client();
    let account = target.account.subdomain();
    let contact_id = match (contact_id, lead_id) {
        (Some(id), _) => id,
        (None, Some(lead_id)) => {
            let lead = client
                .get_lead_with_contacts(&target.account, lead_id)
                .await
                .map_err(Found::Failed)?
                .ok_or_else(|| {
                    Found::Missing(
                        format!("Kommo has no lead with id {lead_id} in account {account}."),
                        ErrorInfo::LEAD_MISSING,
                    )
                })?;
            let contacts: Vec<_> = lead.embedded.iter().flat_map(|e| &e.contacts).collect();
            contacts
                .iter()
                .find(|c| c.is_main)
                .or(contacts.first())
                .map(|c| c.id)
                .ok_or_else(|| {
                    Found::Missing(
                        format!("Lead {lead_id} has no contact in account {account}."),
                        ErrorInfo::CONTACT_MISSING,
                    )
                })?
        }
        (None, None) => {
            return Err(Found::Missing(
                "No contact was named.".to_owned(),
                ErrorInfo::INVALID_ARGUMENTS,
            ));
        }
    };
    client
        .get_contact(&target.account, contact_id)
        .await
        .map_err(Found::Failed)?
        .ok_or_else(|| {
            Found::Missing(
                format!("Kommo has no contact with id {contact_id} in account {account}."),
                ErrorInfo::CONTACT_MISSING,
            )
        })
}
