//! `POST /api/v4/leads` (leads linked to existing contacts by id) and `POST
//! /api/v4/leads/complex` (a lead with a new contact and company embedded; the answer is a
//! bare array of `{id, contact_id, company_id, request_id, merged}`), and `PATCH
//! /api/v4/contacts/{id}`, which replaces a field's whole value list as Kommo does (PHONE and
//! EMAIL, and the other contact fields by type, `field_values.rs`).

use axum::response::Response;
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::field_values::{plan_field, plan_field_of};
use super::{Ctx, Payload};
use crate::contact_fields::{EMAIL_FIELD_ID, PHONE_FIELD_ID};
use crate::crm::Contact;
use crate::problem::{self, FieldError};
use crate::state::{Account, AccountData, Lead, unix_now};
use crate::sync::lock;

/// The kinds (`enum_code`) Kommo gives phones and e-mails.
const KINDS: &[&str] = &["WORK", "WORKDD", "MOB", "FAX", "HOME", "PRIV", "OTHER"];

/// A kind as the simulator stores it, or `None` when Kommo has no such kind.
fn kind(code: Option<&str>) -> Option<&'static str> {
    let code = code.unwrap_or("WORK");
    KINDS.iter().copied().find(|k| *k == code)
}

/// The values of a contact's `PHONE` / `EMAIL` item (by `field_code` or the field ids the
/// contacts carry), or an error naming `path`.
type Kinded = Vec<(String, &'static str)>;

fn multitext(item: &Value, path: &str) -> Result<(&'static str, Kinded), FieldError> {
    let code = match (item.get("field_code"), item.get("field_id")) {
        (Some(code), _) => code.as_str().map(str::to_owned),
        (None, Some(id)) => match id.as_i64() {
            Some(PHONE_FIELD_ID) => Some("PHONE".to_owned()),
            Some(EMAIL_FIELD_ID) => Some("EMAIL".to_owned()),
            _ => None,
        },
        _ => None,
    };
    let code = match code.as_deref() {
        Some("PHONE") => "PHONE",
        Some("EMAIL") => "EMAIL",
        _ => return Err(FieldError::not_supported_choice(format!("{path}.field_id"))),
    };
    let values = match item.get("values") {
        Some(Value::Array(values)) => values,
        Some(Value::Null) => return Ok((code, Vec::new())),
        _ => return Err(FieldError::invalid_type(format!("{path}.values"))),
    };
    let mut out = Vec::new();
    for (j, value) in values.iter().enumerate() {
        let text = value.get("value").and_then(Value::as_str);
        let kind = kind(value.get("enum_code").and_then(Value::as_str));
        match (text, kind) {
            (Some(text), Some(kind)) if !text.trim().is_empty() => {
                out.push((text.to_owned(), kind))
            }
            (_, None) => {
                return Err(FieldError::not_supported_choice(format!(
                    "{path}.values.{j}.enum_code"
                )));
            }
            _ => return Err(FieldError::invalid_type(format!("{path}.values.{j}.value"))),
        }
    }
    Ok((code, out))
}

/// What a contact body's `custom_fields_values` sets: phones and e-mails (`None` where
/// absent), and the other contact fields (`None` values clear one).
#[derive(Default)]
struct ContactValues {
    phones: Option<Kinded>,
    emails: Option<Kinded>,
    others: Vec<(i64, Option<Vec<Value>>)>,
}

/// Whether a `custom_fields_values` item names PHONE or EMAIL (by code or field id).
fn names_multitext(item: &Value) -> bool {
    match (item.get("field_code"), item.get("field_id")) {
        (Some(code), _) => matches!(code.as_str(), Some("PHONE" | "EMAIL")),
        (None, Some(id)) => id.as_i64().is_some_and(crate::contact_fields::is_multitext),
        _ => false,
    }
}

fn contact_fields(
    account: &Account,
    body: &Map<String, Value>,
    path: &str,
    errors: &mut Vec<FieldError>,
) -> ContactValues {
    let mut found = ContactValues::default();
    match body.get("custom_fields_values") {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let item_path = format!("{path}custom_fields_values.{i}");
                if !names_multitext(item) {
                    match plan_field_of(&account.contact_fields, item, &item_path) {
                        Ok(other) => found.others.push(other),
                        Err(e) => errors.push(e),
                    }
                    continue;
                }
                match multitext(item, &item_path) {
                    Ok(("PHONE", values)) => found.phones = Some(values),
                    Ok((_, values)) => found.emails = Some(values),
                    Err(e) => errors.push(e),
                }
            }
        }
        Some(_) => errors.push(FieldError::invalid_type(format!(
            "{path}custom_fields_values"
        ))),
    }
    found
}

impl Contact {
    /// Sets (or, with `None`, clears) other contact field values.
    fn set_fields(&mut self, values: Vec<(i64, Option<Vec<Value>>)>) {
        for (field_id, values) in values {
            let slot = self
                .custom_fields
                .iter()
                .position(|(id, _)| *id == field_id);
            match (slot, values) {
                (Some(i), None) => {
                    self.custom_fields.remove(i);
                }
                (None, None) => {}
                (Some(i), Some(values)) => self.custom_fields[i].1 = values,
                (None, Some(values)) => self.custom_fields.push((field_id, values)),
            }
        }
    }
}

/// A lead's own keys as a creation reads them.
struct NewLead {
    name: String,
    price: i64,
    pipeline_id: i64,
    status_id: i64,
    responsible_user_id: i64,
    fields: Vec<(i64, Vec<Value>)>,
    tags: Vec<String>,
}

fn new_lead(
    account: &Account,
    item: &Map<String, Value>,
    path: &str,
    errors: &mut Vec<FieldError>,
) -> NewLead {
    let pipelines = account.pipelines();
    let main = pipelines.iter().find(|p| p.is_main).or(pipelines.first());
    let int = |key: &str, errors: &mut Vec<FieldError>| match item.get(key) {
        None => None,
        Some(v) => {
            let n = v.as_i64();
            if n.is_none() {
                errors.push(FieldError::invalid_type(format!("{path}{key}")));
            }
            n
        }
    };
    let price = int("price", errors).unwrap_or(0);
    let pipeline_id = int("pipeline_id", errors);
    let status_id = int("status_id", errors);
    let pipeline = match pipeline_id {
        Some(id) => pipelines.iter().find(|p| p.id == id),
        None => main,
    };
    let (pipeline_id, status_id) = match pipeline {
        None => {
            errors.push(FieldError::not_supported_choice(format!(
                "{path}pipeline_id"
            )));
            (0, 0)
        }
        Some(p) => match status_id {
            Some(s) if p.has_status(s) => (p.id, s),
            Some(_) => {
                errors.push(FieldError::not_supported_choice(format!("{path}status_id")));
                (p.id, 0)
            }
            None => (
                p.id,
                p.statuses
                    .iter()
                    .find(|s| s.kind == 0 && !matches!(s.id, 142 | 143))
                    .map_or(0, |s| s.id),
            ),
        },
    };
    let mut fields = Vec::new();
    if let Some(list) = item.get("custom_fields_values") {
        match list.as_array() {
            Some(items) => {
                for (i, field) in items.iter().enumerate() {
                    match plan_field(account, field, i) {
                        Ok((id, Some(values))) => fields.push((id, values)),
                        Ok((_, None)) => {}
                        Err(e) => errors.push(e),
                    }
                }
            }
            None => errors.push(FieldError::invalid_type(format!(
                "{path}custom_fields_values"
            ))),
        }
    }
    let tags = item
        .get("_embedded")
        .and_then(|e| e.get("tags"))
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| t.get("name").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    NewLead {
        name: item
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        price,
        pipeline_id,
        status_id,
        responsible_user_id: int("responsible_user_id", errors).unwrap_or(account.current_user_id),
        fields,
        tags,
    }
}

impl NewLead {
    /// Stores the lead (tags named for the first time are created) and returns its id.
    fn store(self, data: &mut AccountData, now: i64) -> i64 {
        let id = data.leads.keys().max().map_or(1, |max| max + 1);
        let mut tags = Vec::new();
        for name in self.tags {
            let found = data
                .tags
                .iter()
                .find(|(_, n)| n.eq_ignore_ascii_case(&name))
                .cloned();
            let tag = found.unwrap_or_else(|| {
                let tag = (data.next_tag_id, name.clone());
                data.next_tag_id += 1;
                data.tags.push(tag.clone());
                tag
            });
            tags.push(tag);
        }
        data.leads.insert(
            id,
            Lead {
                id,
                name: self.name,
                price: self.price,
                responsible_user_id: self.responsible_user_id,
                group_id: 0,
                status_id: self.status_id,
                pipeline_id: self.pipeline_id,
                created_by: 0,
                updated_by: 0,
                created_at: now,
                updated_at: now,
                closed_at: None,
                loss_reason_id: None,
                custom_fields: self.fields,
                tags,
            },
        );
        id
    }
}

/// The body's lead objects, or the detail of Kommo's 400.
fn objects(payload: &Payload) -> Result<Vec<&Map<String, Value>>, &'static str> {
    payload
        .items()?
        .iter()
        .map(|item| item.as_object())
        .collect::<Option<Vec<_>>>()
        .ok_or("Invalid request body")
}

/// The `_embedded.<key>` list of a lead item.
fn embedded<'a>(item: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    item.get("_embedded")
        .and_then(|e| e.get(key))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

impl Ctx<'_> {
    /// `POST /api/v4/leads`: leads, each linked to the contacts `_embedded.contacts` names
    /// by id (the first is the main one).
    pub(super) fn create_leads(&self, account: &Account) -> Response {
        let items = match objects(self.payload) {
            Ok(items) => items,
            Err(detail) => return problem::bad_request(detail),
        };
        let mut guard = lock(&account.data);
        let data = &mut *guard;
        let mut errors = Vec::new();
        let mut planned = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{i}.");
            let lead = new_lead(account, item, &path, &mut errors);
            let mut contacts = Vec::new();
            for (j, contact) in embedded(item, "contacts").iter().enumerate() {
                match contact.get("id").and_then(Value::as_i64) {
                    Some(id) if data.crm.contacts.iter().any(|c| c.id == id) => contacts.push(id),
                    _ => errors.push(FieldError::not_supported_choice(format!(
                        "{path}_embedded.contacts.{j}.id"
                    ))),
                }
            }
            planned.push((lead, contacts));
        }
        if !errors.is_empty() {
            return problem::validation(&errors);
        }
        let now = unix_now();
        let base = self.base();
        let mut created = Vec::new();
        for (i, (lead, contacts)) in planned.into_iter().enumerate() {
            let id = lead.store(data, now);
            for (j, contact) in contacts.into_iter().enumerate() {
                data.crm.links.push((id, contact, j == 0));
            }
            created.push(json!({"id": id, "request_id": i.to_string(), "_links": {"self": {"href": format!("{base}/api/v4/leads/{id}")}}}));
        }
        problem::hal(
            StatusCode::OK,
            &json!({"_links": {"self": {"href": format!("{base}/api/v4/leads")}}, "_embedded": {"leads": created}}),
        )
    }

    /// `POST /api/v4/leads/complex`: each lead with at most one contact (new, or an
    /// existing one by id) and one new company; the answer is a bare array.
    pub(super) fn create_complex(&self, account: &Account) -> Response {
        let items = match objects(self.payload) {
            Ok(items) => items,
            Err(detail) => return problem::bad_request(detail),
        };
        let mut guard = lock(&account.data);
        let data = &mut *guard;
        let mut errors = Vec::new();
        let mut planned = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{i}.");
            let lead = new_lead(account, item, &path, &mut errors);
            let contact = match embedded(item, "contacts") {
                [] => None,
                [contact] => match contact.as_object() {
                    Some(c) if c.get("id").is_some() => match c.get("id").and_then(Value::as_i64) {
                        Some(id) if data.crm.contacts.iter().any(|k| k.id == id) => Some(Err(id)),
                        _ => {
                            errors.push(FieldError::not_supported_choice(format!(
                                "{path}_embedded.contacts.0.id"
                            )));
                            None
                        }
                    },
                    Some(c) => {
                        let contact_path = format!("{path}_embedded.contacts.0.");
                        let values = contact_fields(account, c, &contact_path, &mut errors);
                        let name = c.get("name").and_then(Value::as_str).unwrap_or_default();
                        Some(Ok((name.to_owned(), values)))
                    }
                    None => {
                        errors.push(FieldError::invalid_type(format!(
                            "{path}_embedded.contacts.0"
                        )));
                        None
                    }
                },
                _ => {
                    errors.push(FieldError::invalid_type(format!(
                        "{path}_embedded.contacts"
                    )));
                    None
                }
            };
            let company = embedded(item, "companies")
                .first()
                .and_then(|c| c.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let request_id = item
                .get("request_id")
                .and_then(Value::as_str)
                .map_or_else(|| i.to_string(), str::to_owned);
            planned.push((lead, contact, company, request_id));
        }
        if !errors.is_empty() {
            return problem::validation(&errors);
        }
        let now = unix_now();
        let mut answer = Vec::new();
        for (lead, contact, company, request_id) in planned {
            let responsible = lead.responsible_user_id;
            let lead_id = lead.store(data, now);
            let contact_id = match contact {
                None => None,
                Some(Err(id)) => Some(id),
                Some(Ok((name, values))) => {
                    let id = data.crm.contacts.iter().map(|c| c.id).max().unwrap_or(8000) + 1;
                    let (first, last) = name.split_once(' ').unwrap_or((name.as_str(), ""));
                    let mut contact = Contact {
                        id,
                        name: name.clone(),
                        first_name: first.to_owned(),
                        last_name: last.to_owned(),
                        responsible_user_id: responsible,
                        updated_at: now,
                        phones: values.phones.unwrap_or_default(),
                        emails: values.emails.unwrap_or_default(),
                        custom_fields: Vec::new(),
                    };
                    contact.set_fields(values.others);
                    data.crm.contacts.push(contact);
                    Some(id)
                }
            };
            if let Some(contact_id) = contact_id {
                data.crm.links.push((lead_id, contact_id, true));
            }
            let company_id = company.map(|name| {
                let id = data
                    .crm
                    .companies
                    .iter()
                    .map(|(id, _)| *id)
                    .max()
                    .unwrap_or(7000)
                    + 1;
                data.crm.companies.push((id, name));
                data.crm.company_links.push((lead_id, id));
                id
            });
            answer.push(json!({
                "id": lead_id,
                "contact_id": contact_id,
                "company_id": company_id,
                "request_id": [request_id],
                "merged": false,
            }));
        }
        problem::hal(StatusCode::OK, &Value::Array(answer))
    }

    /// `PATCH /api/v4/contacts/{id}`: `name`, and `custom_fields_values` whose PHONE or
    /// EMAIL item replaces that field's whole value list.
    pub(super) fn patch_contact(&self, account: &Account, id: i64) -> Response {
        let body = match self.payload {
            Payload::Json(Value::Object(map)) if !map.is_empty() => map,
            Payload::Empty | Payload::Json(Value::Object(_)) => {
                return problem::bad_request("Request data can not be empty");
            }
            Payload::Json(_) | Payload::Invalid => {
                return problem::bad_request("Invalid request body");
            }
        };
        let mut errors = Vec::new();
        let name = match body.get("name") {
            None => None,
            Some(Value::String(name)) => Some(name.clone()),
            Some(_) => {
                errors.push(FieldError::invalid_type("name"));
                None
            }
        };
        let values = contact_fields(account, body, "", &mut errors);
        if !errors.is_empty() {
            return problem::validation(&errors);
        }
        let now = unix_now();
        let mut data = lock(&account.data);
        let Some(contact) = data.crm.contacts.iter_mut().find(|c| c.id == id) else {
            return problem::not_found("Contact not found");
        };
        if let Some(name) = name {
            contact.name = name;
        }
        if let Some(phones) = values.phones {
            contact.phones = phones;
        }
        if let Some(emails) = values.emails {
            contact.emails = emails;
        }
        contact.set_fields(values.others);
        contact.updated_at = now;
        drop(data);
        problem::hal(
            StatusCode::OK,
            &json!({
                "id": id,
                "updated_at": now,
                "_links": {"self": {"href": format!("{}/api/v4/contacts/{id}", self.base())}},
            }),
        )
    }
}
