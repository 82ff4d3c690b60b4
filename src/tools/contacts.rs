//! A lead's contacts as the tools report them (name, phones, e-mails, main contact), from
//! the references `with=contacts` embeds and the contacts read by id in one request.

use std::collections::HashMap;

use rmcp::schemars::{self, JsonSchema};
use serde::Serialize;

use crate::kommo::models::{Contact, Lead};

/// One contact of a lead.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(super) struct ContactOutput {
    /// The Kommo contact id.
    pub id: i64,
    /// The contact's name (empty when Kommo did not return the contact).
    pub name: String,
    /// Whether this is the lead's main contact.
    pub is_main: bool,
    /// Phone numbers as they were typed in Kommo, each with its kind.
    pub phones: Vec<KindedValue>,
    /// E-mail addresses, each with its kind.
    pub emails: Vec<KindedValue>,
}

/// A phone number or e-mail address with the kind Kommo gives it.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub(super) struct KindedValue {
    pub value: String,
    /// Kommo's kind (`enum_code`): WORK, WORKDD (direct), MOB, FAX, HOME, PRIV, OTHER;
    /// absent when Kommo gives none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

fn kinded(contact: Option<&Contact>, code: &str) -> Vec<KindedValue> {
    contact
        .map(|c| c.kinded_values(code))
        .unwrap_or_default()
        .into_iter()
        .map(|(value, kind)| KindedValue { value, kind })
        .collect()
}

/// The contact ids `with=contacts` embedded on these leads, each once, in order.
pub(super) fn referenced(leads: &[&Lead]) -> Vec<i64> {
    let mut ids = Vec::new();
    for lead in leads {
        for contact in lead.embedded.iter().flat_map(|e| &e.contacts) {
            if !ids.contains(&contact.id) {
                ids.push(contact.id);
            }
        }
    }
    ids
}

/// The lead's contacts, main contact first, with the details of `known` where it has them.
pub(super) fn of_lead(lead: &Lead, known: &HashMap<i64, Contact>) -> Vec<ContactOutput> {
    let mut out: Vec<ContactOutput> = lead
        .embedded
        .iter()
        .flat_map(|e| &e.contacts)
        .map(|reference| {
            let contact = known.get(&reference.id);
            ContactOutput {
                id: reference.id,
                name: contact.and_then(|c| c.name.clone()).unwrap_or_default(),
                is_main: reference.is_main,
                phones: kinded(contact, "PHONE"),
                emails: kinded(contact, "EMAIL"),
            }
        })
        .collect();
    out.sort_by_key(|c| !c.is_main);
    out
}

/// `Maria Gonzalez (main; +54 9 11 5555-0101 (MOB); maria@example.com (WORK))`.
pub(super) fn describe(contact: &ContactOutput) -> String {
    let mut parts = Vec::new();
    if contact.is_main {
        parts.push("main".to_owned());
    }
    parts.extend(
        contact
            .phones
            .iter()
            .chain(&contact.emails)
            .map(|v| match &v.kind {
                Some(kind) => format!("{} ({kind})", v.value),
                None => v.value.clone(),
            }),
    );
    let name = if contact.name.is_empty() {
        format!("contact {}", contact.id)
    } else {
        contact.name.clone()
    };
    if parts.is_empty() {
        name
    } else {
        format!("{name} ({})", parts.join("; "))
    }
}
