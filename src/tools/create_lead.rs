//! `create_lead`: creates a lead with its contact and company. The contact is first looked
//! up by phone and e-mail (the rule of `find_leads`, `contact_match.rs`) and linked when it
//! exists; a new contact or company goes in one `POST /api/v4/leads/complex`, a lead for an
//! existing contact in one `POST /api/v4/leads`. A client retry answers the same lead.

use std::sync::OnceLock;

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Call,
    args::{Amount, Arg, Bounded, Id, Object, TagName, ToolArgs, describe, tool_args},
    contact_match, field_values,
    outcome::{self, ErrorInfo},
    spec::{Sentences, ToolSpec},
    write::{Write, Written},
};
use crate::kommo::{AccountZone, CreatedLead, KommoError, models::Pipeline};

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Create lead",
    summary: "Create a lead with its contact (an existing one is linked, not duplicated) and company.",
    description: "Create a lead in Kommo CRM for a new customer, with its contact (contact_name, \
         phone, email) and optionally a company (company_name). Use it when find_leads finds no \
         lead for the customer. Before creating, the contact is looked up by phone (any \
         formatting) and e-mail as find_leads does: an existing contact is linked instead of \
         creating a second one (contact_created says which). The lead goes to pipeline_id / \
         status_id, by default the main pipeline's first open status; responsible_user is a \
         user id (to give the lead to a person by name, use assign_lead after); tags are names \
         (Kommo creates the ones the account does not have); fields are set by name, code or \
         id as update_lead_fields takes them. Not idempotent: each call creates a lead, but a \
         retry of the same call shortly after answers the same lead and creates nothing.",
    idempotent: false,
    sentences: Sentences {
        success: Some("Lead successfully created."),
        missing: None,
        failed: "Failed to create lead: Kommo did not accept the creation request.",
    },
    definition: super::define::<CreateLeadArgs, CreateLeadOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

tool_args! {
    /// Arguments of create_lead.
    struct CreateLeadArgs {
        /// The lead's name, e.g. "Maria Gonzalez — website quote".
        name: Bounded<255>,
        /// The lead's value (sale amount), a whole number.
        price: Option<Amount>,
        /// The pipeline (list_pipelines lists them); default: the main pipeline.
        pipeline_id: Option<Id>,
        /// The status in that pipeline; default: the pipeline's first open status.
        status_id: Option<Id>,
        /// The responsible user's Kommo id; default: the token's user. (By name or e-mail: assign_lead.)
        responsible_user: Option<Id>,
        /// Tag names to put on the lead (names the account does not have yet are created).
        tags: Option<TagNames>,
        /// Lead custom fields by name, code or id, exactly as update_lead_fields takes them. Example: {"Source": "Instagram"}.
        fields: Option<Object>,
        /// The contact's name (for a new contact; default: the lead's name).
        contact_name: Option<Bounded<255>>,
        /// The contact's phone in any format (+54 9 11 5555-0101); an existing contact with this number is linked.
        phone: Option<Bounded<64>>,
        /// The contact's e-mail; an existing contact with this e-mail (any case) is linked.
        email: Option<Bounded<254>>,
        /// A company to create and link to the lead.
        company_name: Option<Bounded<255>>,
        /// true: check everything but send nothing; the answer says what would have been sent.
        dry_run: Option<bool>,
    }
}

/// Tag names: a list of 1 to 20 non-empty names.
pub(super) struct TagNames(pub Vec<String>);

impl Arg for TagNames {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        match value {
            Some(Value::Array(items)) if items.len() <= 20 => items
                .iter()
                .enumerate()
                .map(|(i, item)| TagName::read(&format!("{name}[{i}]"), Some(item)).map(|t| t.0))
                .collect::<Result<Vec<_>, _>>()
                .map(TagNames),
            other => Err(format!(
                "{name} must be a list of at most 20 tag names, got {}",
                other.map_or_else(|| "nothing".to_owned(), describe)
            )),
        }
    }
}

impl JsonSchema for TagNames {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TagNames".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "array", "maxItems": 20, "items": {"type": "string", "minLength": 1, "maxLength": 255}})
    }
}

/// What create_lead did.
#[derive(Serialize, JsonSchema)]
pub(super) struct CreateLeadOutput {
    /// The new lead's id.
    pub lead_id: i64,
    pub pipeline_id: i64,
    pub status_id: i64,
    /// The lead's contact (absent when no contact was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<i64>,
    /// True when a new contact was created; false when an existing one was linked.
    pub contact_created: bool,
    /// The new company (absent when none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_id: Option<i64>,
    /// True when this call repeated an earlier identical one: nothing was created.
    pub deduplicated: bool,
}

/// The pipeline and status: the asked ones checked, or the main pipeline's first open one.
fn stage(
    pipelines: &[Pipeline],
    pipeline_id: Option<i64>,
    status_id: Option<i64>,
) -> Result<(i64, i64), String> {
    let open = |p: &Pipeline| {
        let mut statuses: Vec<_> = p
            .statuses()
            .iter()
            .filter(|s| !matches!(s.id, 142 | 143) && s.kind != Some(1))
            .collect();
        statuses.sort_by_key(|s| s.sort);
        statuses.first().map(|s| s.id)
    };
    let pipeline = match (pipeline_id, status_id) {
        (Some(id), _) => pipelines
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| format!("pipeline_id {id} is not a pipeline of this account"))?,
        (None, Some(s)) => pipelines
            .iter()
            .find(|p| !p.is_archive && p.status(s).is_some())
            .ok_or_else(|| format!("status_id {s} is not a status of this account"))?,
        (None, None) => pipelines
            .iter()
            .find(|p| p.is_main)
            .or(pipelines.first())
            .ok_or("the account has no pipeline")?,
    };
    match status_id {
        Some(s) if matches!(s, 142 | 143) => Err(format!(
            "status_id {s} is a closed status: create the lead open, then close it"
        )),
        Some(s) if pipeline.status(s).is_some() => Ok((pipeline.id, s)),
        Some(s) => Err(format!(
            "status_id {s} is not a status of pipeline {} ({})",
            pipeline.name, pipeline.id
        )),
        None => open(pipeline)
            .map(|s| (pipeline.id, s))
            .ok_or_else(|| format!("pipeline {} has no open status", pipeline.id)),
    }
}

/// The normalized arguments a retry is recognized by (phone by its digits, e-mail in lower
/// case, `dry_run` left out).
fn normalized(args: &JsonObject) -> String {
    let mut copy = args.clone();
    copy.remove("dry_run");
    if let Some(Value::String(phone)) = copy.get("phone") {
        let key = super::phone::key(phone);
        copy.insert("phone".to_owned(), json!(key));
    }
    if let Some(Value::String(email)) = copy.get("email") {
        let lower = email.trim().to_lowercase();
        copy.insert("email".to_owned(), json!(lower));
    }
    // serde_json's map is ordered by key, so equal arguments give equal text.
    Value::Object(copy).to_string()
}

fn multitext(code: &str, value: &str) -> Value {
    json!({"field_code": code, "values": [{"value": value.trim(), "enum_code": "WORK"}]})
}

pub(super) async fn run(call: Call<'_>, args_json: &JsonObject) -> CallToolResult {
    let failed = SPEC.sentences.failed;
    let mut more = Vec::new();
    if let Some(Value::String(p)) = args_json.get("phone") {
        more.extend(contact_match::phone_problem("phone", p));
    }
    if let Some(Value::String(e)) = args_json.get("email") {
        more.extend(contact_match::email_problem("email", e));
    }
    let args = match CreateLeadArgs::parse_with(args_json, more) {
        Ok(args) => args,
        Err(problem) => return outcome::invalid_arguments(failed, problem),
    };
    let dry_run = call.is_dry_run(args.dry_run);
    let target = match call.target_or_answer(failed, &json!({})) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    let client = call.client();
    let refused = |reason: String| {
        outcome::failure(
            failed,
            format!("{reason}. Nothing was sent to Kommo."),
            json!({}),
            ErrorInfo::INVALID_ARGUMENTS,
        )
    };
    let pipelines = match client.pipelines(&target.account).await {
        Ok(pipelines) => pipelines,
        Err(err) => return outcome::kommo_failure(failed, &err, json!({})),
    };
    let (pipeline_id, status_id) = match stage(
        &pipelines,
        args.pipeline_id.map(|id| id.0),
        args.status_id.map(|id| id.0),
    ) {
        Ok(stage) => stage,
        Err(reason) => return refused(reason),
    };
    let mut lead = json!({
        "name": args.name.0.trim(),
        "pipeline_id": pipeline_id,
        "status_id": status_id,
    });
    if let Some(price) = args.price {
        lead["price"] = json!(price.0);
    }
    if let Some(user) = args.responsible_user {
        lead["responsible_user_id"] = json!(user.0);
    }
    if let Some(fields) = args.fields.as_ref().filter(|f| !f.0.is_empty()) {
        let defined = match client.lead_fields(&target.account).await {
            Ok(defined) => defined,
            Err(err) => return outcome::kommo_failure(failed, &err, json!({})),
        };
        let subdomain = target.account.subdomain().as_str().to_owned();
        let planned = match field_values::plan(&defined, &fields.0, &subdomain) {
            Ok(planned) => planned,
            Err(problems) => return refused(problems.join("; ")),
        };
        let zone = if planned.iter().any(field_values::Planned::needs_zone) {
            client.account_zone(&target.account).await
        } else {
            AccountZone::utc()
        };
        lead["custom_fields_values"] = planned.iter().map(|p| p.item(&zone)).collect();
    }
    let mut embedded = serde_json::Map::new();
    if let Some(tags) = &args.tags {
        // Sent as names: Kommo links the account's tag of that name or creates it, in the
        // same request (no separate tag write that could outlive a failed creation).
        let tags: Vec<Value> = tags.0.iter().map(|t| json!({"name": t.trim()})).collect();
        embedded.insert("tags".to_owned(), Value::Array(tags));
    }
    let phone = args.phone.as_ref().map(|p| p.0.trim().to_owned());
    let email = args.email.as_ref().map(|e| e.0.trim().to_owned());
    let wants_contact = phone.is_some() || email.is_some() || args.contact_name.is_some();
    let existing = if phone.is_some() || email.is_some() {
        match contact_match::existing(client, &target.account, phone.as_deref(), email.as_deref())
            .await
        {
            Ok(found) => found,
            Err(err) => return outcome::kommo_failure(failed, &err, json!({})),
        }
    } else {
        None
    };
    let new_contact = wants_contact && existing.is_none();
    if let Some(contact) = &existing {
        embedded.insert(
            "contacts".to_owned(),
            json!([{"id": contact.id, "is_main": true}]),
        );
    } else if new_contact {
        let name = args
            .contact_name
            .as_ref()
            .map_or(args.name.0.trim(), |n| n.0.trim());
        let mut values = Vec::new();
        if let Some(phone) = &phone {
            values.push(multitext("PHONE", phone));
        }
        if let Some(email) = &email {
            values.push(multitext("EMAIL", email));
        }
        let mut contact = json!({"name": name});
        if !values.is_empty() {
            contact["custom_fields_values"] = Value::Array(values);
        }
        embedded.insert("contacts".to_owned(), json!([contact]));
    }
    if let Some(company) = &args.company_name {
        embedded.insert("companies".to_owned(), json!([{"name": company.0.trim()}]));
    }
    if !embedded.is_empty() {
        lead["_embedded"] = Value::Object(embedded);
    }
    let complex = new_contact || args.company_name.is_some();
    let existing_id = existing.as_ref().map(|c| c.id);
    crate::observe::call::describe(|change| {
        change.after = Some(json!({ "lead": lead, "contact_created": new_contact }));
    });
    let created = OnceLock::new();
    let write = Write::CreateLead {
        body: json!([lead]),
        complex,
        arguments: normalized(args_json),
        created: &created,
    };
    let written = call.write(&target, write, dry_run, &json!({})).await;
    let output = |ids: CreatedLead, deduplicated: bool| CreateLeadOutput {
        lead_id: ids.lead_id,
        pipeline_id,
        status_id,
        contact_id: ids.contact_id.or(existing_id),
        contact_created: new_contact,
        company_id: ids.company_id,
        deduplicated,
    };
    match written {
        Ok(Written::NotSent(answer)) => answer,
        Ok(Written::Sent(_)) => match created.get() {
            Some(ids) => {
                crate::observe::call::describe(|change| change.lead_id = Some(ids.lead_id));
                outcome::success(SPEC.sentences.when_done(), &output(*ids, false))
            }
            None => {
                let err = KommoError::Decode {
                    detail: "the lead creation answer names no lead".to_owned(),
                };
                outcome::kommo_failure(failed, &err, json!({}))
            }
        },
        Ok(Written::Duplicate(lead_id)) => {
            // The earlier call's lead: its contact and company as Kommo links them now.
            let lead = client
                .get_lead_with_contacts(&target.account, lead_id)
                .await
                .ok()
                .flatten();
            let embedded = lead.as_ref().and_then(|lead| lead.embedded.as_ref());
            let ids = CreatedLead {
                lead_id,
                contact_id: embedded
                    .and_then(|e| e.contacts.iter().find(|c| c.is_main))
                    .map(|c| c.id),
                company_id: embedded.and_then(|e| e.companies.first()).map(|c| c.id),
            };
            outcome::success(SPEC.sentences.when_done(), &output(ids, true))
        }
        Err(err) => outcome::kommo_failure(failed, &err, json!({})),
    }
}
