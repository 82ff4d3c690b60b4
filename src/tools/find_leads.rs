//! `find_leads`: finds leads by text (Kommo's lead search), by a contact's phone (matched
//! whatever its formatting, see `phone.rs`) or e-mail, most recently updated first, with
//! their contacts. Read-only.

use std::collections::{HashMap, HashSet};

use rmcp::{
    model::{CallToolResult, JsonObject},
    schemars::{self, JsonSchema},
};
use serde::Serialize;
use serde_json::{Value, json};

use super::{
    Call,
    args::{Arg, Bounded, Id, ToolArgs, describe, tool_args},
    contacts::{self, ContactOutput},
    get_lead::NamedId,
    outcome, phone,
    readable::{self, RawValues},
    spec::{Sentences, ToolSpec},
};
use crate::kommo::{
    Account, AccountZone, KommoClient, KommoError, LeadQuery,
    models::{Contact, Lead, Pipeline},
};

pub(super) static SPEC: ToolSpec = ToolSpec {
    title: "Find leads",
    summary: "Find leads by text, a contact's phone or e-mail, optionally in one pipeline or status.",
    description: "Find leads in Kommo CRM by text (query: names and field values), by a contact's \
             phone number (any formatting: country code, mobile 9, trunk 0 and punctuation do \
             not matter) or by a contact's e-mail; optionally only in one pipeline_id / \
             status_id. Give at least one of query, phone, email; several narrow the result. \
             Returns up to limit (default 10, at most 50) leads, most recently updated first, \
             with pipeline, status, price and their contacts' names, phones and e-mails. \
             Read-only. Use it to find the lead behind an incoming message before get_lead, \
             move_lead or create_task. No match is not an error.",
    idempotent: true,
    sentences: Sentences {
        success: None,
        missing: None,
        failed: "Failed to find leads: Kommo did not return them.",
    },
    definition: super::define::<FindLeadsArgs, FindLeadsOutput>,
    run: |call, args| Box::pin(run(call, args)),
};

pub(super) const NONE: &str = "No leads match.";
/// Default and largest number of leads returned.
const DEFAULT_LIMIT: i64 = 10;
const MAX_LIMIT: i64 = 50;
/// How many contacts a phone or e-mail search reads (one page).
const CONTACTS_READ: u32 = 100;
/// Digits of a phone sent as Kommo's search text (its last 8): Kommo's match is a
/// substring one, so a shorter tail finds every formatting; `phone.rs` then decides.
const PHONE_QUERY_DIGITS: usize = 8;

tool_args! {
    /// Arguments of find_leads (at least one of query, phone, email).
    struct FindLeadsArgs {
        /// Text to search for in the leads' names and field values (Kommo's lead search).
        query: Option<Bounded<255>>,
        /// A contact's phone number in any format (+54 9 11 5555-0101, 5491155550101, (011) 5555-0101): numbers match when their last 10 digits agree (all digits when shorter; at least 6).
        phone: Option<Bounded<64>>,
        /// A contact's e-mail address (matched exactly, ignoring case).
        email: Option<Bounded<254>>,
        /// Only leads in this pipeline.
        pipeline_id: Option<Id>,
        /// Only leads in this status (needs pipeline_id).
        status_id: Option<Id>,
        /// How many leads to return at most (1–50, default 10).
        limit: Option<Limit>,
    }
}

/// How many leads: 1 to 50.
pub(super) struct Limit(pub i64);

impl Arg for Limit {
    fn read(name: &str, value: Option<&Value>) -> Result<Self, String> {
        match value.and_then(Value::as_i64) {
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(Limit(n)),
            _ => Err(format!(
                "{name} must be a whole number from 1 to {MAX_LIMIT}, got {}",
                value.map_or_else(|| "nothing".to_owned(), describe)
            )),
        }
    }
}

impl JsonSchema for Limit {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Limit".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT})
    }
}

/// The leads found.
#[derive(Serialize, JsonSchema)]
pub(super) struct FindLeadsOutput {
    /// The matching leads, most recently updated first (empty when none match).
    pub leads: Vec<FoundLead>,
}

/// One lead found.
#[derive(Serialize, JsonSchema)]
pub(super) struct FoundLead {
    pub id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<serde_json::Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<NamedId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<NamedId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible_user_id: Option<i64>,
    /// When the lead was last changed (ISO 8601 with the account's offset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The lead's contacts, main contact first, phones and e-mails with their kind.
    pub contacts: Vec<ContactOutput>,
    /// Kommo's own values where the readable ones differ (updated_at as Unix seconds).
    #[serde(skip_serializing_if = "RawValues::is_empty")]
    pub raw: RawValues,
}

/// The checked arguments.
struct Criteria {
    query: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    pipeline_id: Option<i64>,
    status_id: Option<i64>,
    limit: u32,
}

fn read(args: &JsonObject) -> Result<Criteria, String> {
    let args = FindLeadsArgs::parse(args)?;
    let text = |t: Option<Bounded<255>>| t.map(|t| t.0);
    let query = text(args.query);
    let phone = args.phone.map(|t| t.0);
    let email = args.email.map(|t| t.0);
    let pipeline_id = args.pipeline_id.map(|id| id.0);
    let status_id = args.status_id.map(|id| id.0);
    let mut problems = Vec::new();
    if query.is_none() && phone.is_none() && email.is_none() {
        problems.push("give at least one of query, phone or email".to_owned());
    }
    if let Some(phone) = &phone
        && phone::digits(phone).len() < phone::MIN_DIGITS
    {
        problems.push(format!(
            "phone must have at least {} digits, got {phone:?}",
            phone::MIN_DIGITS
        ));
    }
    if let Some(email) = &email
        && !email.contains('@')
    {
        problems.push(format!("email must be an e-mail address, got {email:?}"));
    }
    if status_id.is_some() && pipeline_id.is_none() {
        problems.push("status_id needs pipeline_id (a status belongs to one pipeline)".to_owned());
    }
    if !problems.is_empty() {
        return Err(super::args::invalid(&problems));
    }
    Ok(Criteria {
        query,
        phone,
        email,
        pipeline_id,
        status_id,
        limit: args.limit.map_or(10, |l| u32::try_from(l.0).unwrap_or(10)),
    })
}

pub(super) async fn run(call: Call<'_>, args: &JsonObject) -> CallToolResult {
    let criteria = match read(args) {
        Ok(criteria) => criteria,
        Err(problem) => return outcome::invalid_arguments(SPEC.sentences.failed, problem),
    };
    let target = match call.target_or_answer(SPEC.sentences.failed, &json!({})) {
        Ok(target) => target,
        Err(answer) => return answer,
    };
    let client = call.client();
    let output = match find(client, &target.account, &criteria).await {
        Ok(output) => output,
        Err(err) => return outcome::kommo_failure(SPEC.sentences.failed, &err, json!({})),
    };
    outcome::success(listing(&output), &output)
}

async fn find(
    client: &KommoClient,
    account: &Account,
    criteria: &Criteria,
) -> Result<FindLeadsOutput, KommoError> {
    let mut known: HashMap<i64, Contact> = HashMap::new();
    let mut lead_ids: Option<HashSet<i64>> = None;
    if let Some(wanted) = &criteria.phone {
        let key = phone::key(wanted);
        let tail = &key[key.len().saturating_sub(PHONE_QUERY_DIGITS)..];
        let found = client.search_contacts(account, tail, CONTACTS_READ).await?;
        let matching = found.into_iter().filter(|c| {
            c.values("PHONE")
                .iter()
                .any(|p| phone::same_number(p, wanted))
        });
        lead_ids = Some(narrow(lead_ids, matching, &mut known));
    }
    if let Some(wanted) = &criteria.email
        && lead_ids.as_ref().is_none_or(|ids| !ids.is_empty())
    {
        let wanted = wanted.trim();
        let found = client
            .search_contacts(account, wanted, CONTACTS_READ)
            .await?;
        let matching = found.into_iter().filter(|c| {
            c.values("EMAIL")
                .iter()
                .any(|e| super::names::same(e, wanted))
        });
        lead_ids = Some(narrow(lead_ids, matching, &mut known));
    }
    let ids: Vec<i64> = match &lead_ids {
        Some(ids) if ids.is_empty() => return Ok(FindLeadsOutput { leads: Vec::new() }),
        Some(ids) => {
            let mut ids: Vec<i64> = ids.iter().copied().collect();
            ids.sort_unstable();
            ids.truncate(250);
            ids
        }
        None => Vec::new(),
    };
    let query = LeadQuery {
        text: criteria.query.as_deref(),
        ids: &ids,
        pipeline_id: criteria.pipeline_id,
        status_id: criteria.status_id,
        limit: criteria.limit,
    };
    let mut leads = client.search_leads(account, &query).await?;
    leads.sort_by_key(|lead| std::cmp::Reverse((lead.updated_at, lead.id)));
    leads.truncate(criteria.limit as usize);
    if leads.is_empty() {
        return Ok(FindLeadsOutput { leads: Vec::new() });
    }
    let refs: Vec<&Lead> = leads.iter().collect();
    let missing: Vec<i64> = contacts::referenced(&refs)
        .into_iter()
        .filter(|id| !known.contains_key(id))
        .collect();
    match client.contacts_by_id(account, &missing).await {
        Ok(found) => known.extend(found.into_iter().map(|c| (c.id, c))),
        Err(err) => tracing::warn!(error = %err, "could not read the leads' contacts"),
    }
    let pipelines = match client.pipelines(account).await {
        Ok(pipelines) => Some(pipelines),
        Err(err) => {
            tracing::warn!(error = %err, "could not read the pipelines to name the statuses");
            None
        }
    };
    let pipelines = pipelines.as_deref().map(Vec::as_slice);
    let zone = client.account_zone(account).await;
    Ok(FindLeadsOutput {
        leads: leads
            .iter()
            .map(|lead| found_lead(lead, pipelines, &known, &zone))
            .collect(),
    })
}

/// The leads of `matching` contacts (remembered in `known`), intersected with `so_far`.
fn narrow(
    so_far: Option<HashSet<i64>>,
    matching: impl Iterator<Item = Contact>,
    known: &mut HashMap<i64, Contact>,
) -> HashSet<i64> {
    let mut ids = HashSet::new();
    for contact in matching {
        ids.extend(contact.lead_ids());
        known.insert(contact.id, contact);
    }
    match so_far {
        Some(before) => ids.intersection(&before).copied().collect(),
        None => ids,
    }
}

fn found_lead(
    lead: &Lead,
    pipelines: Option<&[Pipeline]>,
    known: &HashMap<i64, Contact>,
    zone: &AccountZone,
) -> FoundLead {
    let pipeline = pipelines.and_then(|all| all.iter().find(|p| Some(p.id) == lead.pipeline_id));
    FoundLead {
        id: lead.id,
        name: lead.name.clone().unwrap_or_default(),
        price: lead.price.clone(),
        pipeline: lead.pipeline_id.map(|id| NamedId {
            id,
            name: pipeline.map(|p| p.name.clone()),
        }),
        status: lead.status_id.map(|id| NamedId {
            id,
            name: pipeline.and_then(|p| p.status(id)).map(|s| s.name.clone()),
        }),
        responsible_user_id: lead.responsible_user_id,
        updated_at: lead.updated_at.map(|at| readable::time(zone, at)),
        contacts: contacts::of_lead(lead, known),
        raw: RawValues {
            updated_at: lead.updated_at,
            ..RawValues::default()
        },
    }
}

/// One compact line per lead.
fn listing(output: &FindLeadsOutput) -> String {
    if output.leads.is_empty() {
        return NONE.to_owned();
    }
    let named = |item: &Option<NamedId>| match item {
        Some(NamedId {
            id,
            name: Some(name),
        }) if !name.is_empty() => format!("{name} ({id})"),
        Some(NamedId { id, .. }) => id.to_string(),
        None => "?".to_owned(),
    };
    let lines: Vec<String> = output
        .leads
        .iter()
        .map(|lead| {
            let mut line = format!(
                "Lead {} {:?}: {} / {}",
                lead.id,
                lead.name,
                named(&lead.pipeline),
                named(&lead.status)
            );
            if let Some(price) = &lead.price {
                line.push_str(&format!(", price {price}"));
            }
            if let Some(at) = &lead.updated_at {
                line.push_str(&format!(", updated {at}"));
            }
            if !lead.contacts.is_empty() {
                let people: Vec<String> = lead.contacts.iter().map(contacts::describe).collect();
                line.push_str(&format!("; contacts: {}", people.join(", ")));
            }
            line
        })
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(value: Value) -> JsonObject {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn needs_a_criterion_and_a_limit_in_range() {
        for (bad, expected) in [
            (json!({}), "at least one of query, phone or email"),
            (json!({"pipeline_id": 1001}), "at least one of"),
            (
                json!({"query": "x", "limit": 0}),
                "limit must be a whole number from 1 to 50",
            ),
            (json!({"query": "x", "limit": 51}), "limit"),
            (json!({"query": "x", "limit": "5"}), "limit"),
            (json!({"phone": "12-34"}), "at least 6 digits"),
            (json!({"email": "nobody"}), "e-mail address"),
            (
                json!({"query": "x", "status_id": 2002}),
                "status_id needs pipeline_id",
            ),
            (json!({"query": ""}), "query must not be empty"),
        ] {
            let err = read(&args(bad.clone())).err().unwrap_or_default();
            assert!(err.contains(expected), "{bad}: {err}");
        }
        let ok = read(&args(json!({"phone": "+54 9 11 5555-0101"}))).unwrap();
        assert_eq!(ok.limit, 10);
    }
}
