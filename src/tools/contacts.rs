//! A lead's contacts as the tools report them (name, phones, e-mails, main contact), from
//! the references `with=contacts` embeds and the contacts read by id in one request.

use std::collections::HashMap;

use rmcp::schemars::{self, JsonSchema};
use serde::Serialize;

use crate::kommo::models::{Contact, Lead};

/// One contact of a lead.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ContactOutput {
    /// The Kommo contact id.
    pub id: i64,
    /// The contact's name (empty when Kommo did not return the contact).
    pub name: String,
    /// Whether this is the lead's main contact.
    pub is_main: bool,
    /// Phone numbers as they were typed in Kommo.
    pub phones: Vec<String>,
    /// E-mail addresses.
    pub emails: Vec<String>,
}

/// The contact ids `with=contacts` embedded on these leads, each once, in order.
pub fn referenced(leads: &[&Lead]) -> Vec<i64> {
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
pub fn of_lead(lead: &Lead, known: &HashMap<i64, Contact>) -> Vec<ContactOutput> {
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
                phones: contact.map(|c| c.values("PHONE")).unwrap_or_default(),
                emails: contact.map(|c| c.values("EMAIL")).unwrap_or_default(),
            }
        })
        .collect();
    out.sort_by_key(|c| !c.is_main);
    out
}

/// `Maria Gonzalez (main; +54 9 11 5555-0101; maria@example.com)`.
pub fn describe(contact: &ContactOutput) -> String {
    let mut parts = Vec::new();
    if contact.is_main {
        parts.push("main".to_owned());
    }
    parts.extend(contact.phones.iter().cloned());
    parts.extend(contact.emails.iter().cloned());
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
