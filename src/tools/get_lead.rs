//! `get_lead`: reads one lead — name, price, pipeline and status by id and name, tags,
//! custom fields by name (values readable, `readable.rs`), whether the agent is paused on
//! it, and its contacts (the lead with contact references, then those contacts by id; the
//! pipelines and the account's time zone come from the per-account cache).

use std::collections::{BTreeMap, HashMap};

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Call, PauseSetting,
    args::{Id, ToolArgs, tool_args},
    contacts::{self, ContactOutput},
    outcome::{self, ErrorInfo},
    readable::{self, RawValues},
    spec::{Sentences, ToolSpec},
};
use crate::kommo::{
    AccountZone,
    models::{Lead, Pipeline},
};

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Get lead",
    summary: "Read one lead: pipeline, status, price, tags, custom fields, contacts and whether the agent is paused.",
    description: "Read one lead from Kommo CRM: its name, price, pipeline and status (ids and names), \
             responsible user, tags, custom field values by field name (dates as YYYY-MM-DD, \
             times as ISO 8601 in the account's time zone, numbers as numbers), whether the AI \
             agent is paused on it, when it was created, updated and closed, and its contacts \
             (name, phones and e-mails with their kind, which one is the main contact). Read-only: changes \
             nothing. Use it to see where a lead stands before moving it, or to answer questions \
             about it. Fails with a reason if the lead does not exist.",
    idempotent: true,
    sentences: Sentences {
        success: None,
        missing: Some("Failed to get lead: the specified lead does not exist in Kommo."),
        failed: "Failed to get lead: Kommo did not return it.",
    },
    definition: super::define::<GetLeadArgs, LeadOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

tool_args! {
    /// Arguments of get_lead.
    struct GetLeadArgs {
        /// The Kommo lead id (the number in the lead's URL, e.g. 12345 in /leads/detail/12345).
        lead_id: Id,
    }
}

/// One lead as get_lead reports it.
#[derive(Serialize, JsonSchema)]
pub(super) struct LeadOutput {
    /// The lead id.
    pub id: i64,
    /// The lead's name (often the customer's name or the deal's subject).
    pub name: String,
    /// The lead's sale value in the account's currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<serde_json::Number>,
    /// The pipeline the lead is in (name absent when it could not be looked up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<NamedId>,
    /// The status (stage) the lead is in (name absent when it could not be looked up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<NamedId>,
    /// The id of the Kommo user responsible for the lead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible_user_id: Option<i64>,
    /// The lead's tags.
    pub tags: Vec<String>,
    /// Custom field values by field name, readable: date and birthday as YYYY-MM-DD,
    /// date_time as ISO 8601 with the account's offset, numbers as numbers, address parts
    /// labelled (street, street_2, city, state, zip, country), a multiselect as the list of
    /// its options, a list when a field holds several values. When several fields share a
    /// name, each is keyed "name (field ID)".
    pub custom_fields: BTreeMap<String, Value>,
    /// Whether the AI agent is paused on this lead (only when a pause field is configured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_paused: Option<bool>,
    /// When the lead was created (ISO 8601 with the account's offset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the lead was last changed (ISO 8601 with the account's offset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// When the lead was closed as won or lost (ISO 8601 with the account's offset);
    /// absent while open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    /// The lead's contacts (people), main contact first, with their phones and e-mails.
    pub contacts: Vec<ContactOutput>,
    /// Kommo's own values beside the readable ones above, where the two differ (times as
    /// Unix seconds; custom fields as Kommo sent them), under the same keys.
    #[serde(skip_serializing_if = "RawValues::is_empty")]
    pub raw: RawValues,
}

/// An id with its name (the name is absent when it could not be resolved).
#[derive(Serialize, JsonSchema)]
pub(super) struct NamedId {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let lead_id = match GetLeadArgs::parse(args) {
        Ok(args) => args.lead_id.0,
        Err(problem) => return outcome::invalid_arguments(SPEC.sentences.failed, problem),
    };
    let ids = || json!({ "lead_id": lead_id });
    let target = match call.target_or_answer(SPEC.sentences.failed, &ids()) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    let client = call.client();
    let lead = match client
        .get_lead_with_contacts(&target.account, lead_id)
        .await
    {
        Ok(Some(lead)) => lead,
        Ok(None) => {
            return outcome::failure(
                SPEC.sentences.when_missing(),
                format!(
                    "Kommo has no lead with id {lead_id} in account {}.",
                    target.account.subdomain()
                ),
                ids(),
                ErrorInfo::LEAD_MISSING,
            );
        }
        Err(err) => return outcome::kommo_failure(SPEC.sentences.failed, &err, ids()),
    };
    let wanted = contacts::referenced(&[&lead]);
    let known: HashMap<_, _> = match client.contacts_by_id(&target.account, &wanted).await {
        Ok(found) => found.into_iter().map(|c| (c.id, c)).collect(),
        Err(err) => {
            tracing::warn!(error = %err, "could not read a lead's contacts; listing their ids only");
            HashMap::new()
        }
    };
    let pipelines = match client.pipelines(&target.account).await {
        Ok(pipelines) => Some(pipelines),
        Err(err) => {
            tracing::warn!(error = %err, "could not read the pipelines to name a lead's status");
            None
        }
    };
    let zone = client.account_zone(&target.account).await;
    let mut output = view(
        &lead,
        pipelines.as_deref().map(Vec::as_slice),
        target.pause,
        &zone,
    );
    output.contacts = contacts::of_lead(&lead, &known);
    outcome::success(describe(&output), &output)
}

pub(super) fn view(
    lead: &Lead,
    pipelines: Option<&[Pipeline]>,
    pause: Option<PauseSetting>,
    zone: &AccountZone,
) -> LeadOutput {
    let pipeline = pipelines.and_then(|all| all.iter().find(|p| Some(p.id) == lead.pipeline_id));
    let status_name = lead.status_id.and_then(|status_id| {
        pipeline
            .and_then(|p| p.status(status_id))
            .map(|status| status.name.clone())
    });
    let values = lead.custom_fields_values.as_deref().unwrap_or_default();
    let agent_paused = pause.map(|pause| {
        values
            .iter()
            .find(|field| field.field_id == pause.field_id)
            .and_then(|field| field.values.as_deref()?.first())
            .is_some_and(|first| first.value == Value::Bool(pause.paused_value))
    });
    let fields = readable::custom_fields(values, zone);
    let time = |at: Option<i64>| at.map(|at| readable::time(zone, at));
    LeadOutput {
        id: lead.id,
        name: lead.name.clone().unwrap_or_default(),
        price: lead.price.clone(),
        pipeline: lead.pipeline_id.map(|id| NamedId {
            id,
            name: pipeline.map(|p| p.name.clone()),
        }),
        status: lead.status_id.map(|id| NamedId {
            id,
            name: status_name,
        }),
        responsible_user_id: lead.responsible_user_id,
        tags: lead
            .embedded
            .iter()
            .flat_map(|embedded| &embedded.tags)
            .filter_map(|tag| tag.name.clone())
            .collect(),
        custom_fields: fields.readable,
        agent_paused,
        created_at: time(lead.created_at),
        updated_at: time(lead.updated_at),
        closed_at: time(lead.closed_at),
        contacts: Vec::new(),
        raw: RawValues {
            created_at: lead.created_at,
            updated_at: lead.updated_at,
            closed_at: lead.closed_at,
            custom_fields: fields.raw,
        },
    }
}

/// A compact description an LLM reads easily.
fn describe(lead: &LeadOutput) -> String {
    let named = |item: &Option<NamedId>| match item {
        Some(NamedId {
            id,
            name: Some(name),
        }) => format!("{name:?} ({id})"),
        Some(NamedId { id, name: None }) => id.to_string(),
        None => "unknown".to_owned(),
    };
    let mut text = format!(
        "Lead {} {:?}: pipeline {}, status {}",
        lead.id,
        lead.name,
        named(&lead.pipeline),
        named(&lead.status)
    );
    if let Some(price) = &lead.price {
        text.push_str(&format!(", price {price}"));
    }
    if let Some(user) = lead.responsible_user_id {
        text.push_str(&format!(", responsible user {user}"));
    }
    match lead.agent_paused {
        Some(true) => text.push_str(", AI agent paused"),
        Some(false) => text.push_str(", AI agent active"),
        None => {}
    }
    text.push('.');
    let times: Vec<String> = [
        ("created", &lead.created_at),
        ("updated", &lead.updated_at),
        ("closed", &lead.closed_at),
    ]
    .into_iter()
    .filter_map(|(what, at)| at.as_ref().map(|at| format!("{what} {at}")))
    .collect();
    if !times.is_empty() {
        text.push_str(&format!("\n{}.", capitalized(&times.join(", "))));
    }
    if !lead.tags.is_empty() {
        text.push_str(&format!("\nTags: {}.", lead.tags.join(", ")));
    }
    if !lead.custom_fields.is_empty() {
        let fields: Vec<String> = lead
            .custom_fields
            .iter()
            .map(|(name, value)| format!("{name} = {value}"))
            .collect();
        text.push_str(&format!("\nCustom fields: {}.", fields.join("; ")));
    }
    if !lead.contacts.is_empty() {
        let people: Vec<String> = lead.contacts.iter().map(contacts::describe).collect();
        text.push_str(&format!("\nContacts: {}.", people.join(", ")));
    }
    text
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
