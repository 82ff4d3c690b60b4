//! `GET /api/v4/contacts` (search by name, phone or e-mail; `filter[id]`; `with=leads`),
//! `GET /api/v4/contacts/{id}`, and the contact references of a lead's `with=contacts`.

use axum::response::Response;
use http::StatusCode;
use serde_json::{Value, json};

use super::query::{first, ids, page_and_limit, pairs, text_matches, with};
use crate::contact_fields::{EMAIL_FIELD_ID, PHONE_FIELD_ID};
use crate::crm::Contact;
use crate::problem;
use crate::state::{Account, AccountData};
use crate::sync::lock;

fn contact_matches(contact: &Contact, query: &str) -> bool {
    text_matches(query, &contact.name, false)
        || contact
            .phones
            .iter()
            .any(|(p, _)| text_matches(query, p, true))
        || contact
            .emails
            .iter()
            .any(|(e, _)| text_matches(query, e, false))
}

fn contact_json(
    account: &Account,
    data: &AccountData,
    contact: &Contact,
    base: &str,
    leads: bool,
) -> Value {
    let multitext = |id: i64, name: &str, code: &str, values: &[(String, &'static str)]| {
        json!({
            "field_id": id,
            "field_name": name,
            "field_code": code,
            "field_type": "multitext",
            "values": values.iter().map(|(v, c)| json!({"value": v, "enum_id": enum_id(c), "enum_code": c})).collect::<Vec<_>>(),
        })
    };
    let mut fields = Vec::new();
    if !contact.phones.is_empty() {
        fields.push(multitext(PHONE_FIELD_ID, "Phone", "PHONE", &contact.phones));
    }
    if !contact.emails.is_empty() {
        fields.push(multitext(EMAIL_FIELD_ID, "Email", "EMAIL", &contact.emails));
    }
    for (field_id, values) in &contact.custom_fields {
        if let Some(field) = account.contact_field(*field_id) {
            fields.push(json!({
                "field_id": field_id,
                "field_name": field.name,
                "field_code": field.code,
                "field_type": field.kind.as_str(),
                "values": values,
            }));
        }
    }
    let mut embedded = json!({"tags": [], "companies": []});
    if leads {
        let linked: Vec<Value> = data
            .crm
            .links
            .iter()
            .filter(|(_, c, _)| *c == contact.id)
            .map(|(l, _, _)| json!({"id": l, "_links": {"self": {"href": format!("{base}/api/v4/leads/{l}")}}}))
            .collect();
        embedded["leads"] = Value::Array(linked);
    }
    json!({
        "id": contact.id,
        "name": contact.name,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "responsible_user_id": contact.responsible_user_id,
        "group_id": 0,
        "created_by": contact.responsible_user_id,
        "updated_by": contact.responsible_user_id,
        "created_at": contact.updated_at - 86_400,
        "updated_at": contact.updated_at,
        "closest_task_at": null,
        "is_deleted": false,
        "is_unsorted": false,
        "custom_fields_values": (!fields.is_empty()).then_some(fields),
        "account_id": account.id,
        "_links": {"self": {"href": format!("{base}/api/v4/contacts/{}", contact.id)}},
        "_embedded": embedded,
    })
}

fn enum_id(code: &str) -> i64 {
    match code {
        "WORK" => 6101,
        "MOB" => 6102,
        "HOME" => 6103,
        _ => 6104,
    }
}

impl crate::SimState {
    /// The stored contact as `GET /api/v4/contacts/{id}?with=leads` renders it.
    pub fn contact(&self, subdomain: &str, id: i64) -> Option<Value> {
        let account = self.account(subdomain)?;
        let base = format!("{}/{}", self.base_url(), subdomain);
        let data = lock(&account.data);
        let contact = data.crm.contacts.iter().find(|c| c.id == id)?;
        Some(contact_json(&account, &data, contact, &base, true))
    }
}

/// `_embedded.contacts` of a lead with `with=contacts`: references only.
pub(super) fn lead_contacts(data: &AccountData, lead_id: i64, base: &str) -> Value {
    Value::Array(
        data.crm
            .links
            .iter()
            .filter(|(l, _, _)| *l == lead_id)
            .map(|(_, c, main)| json!({"id": c, "is_main": main, "_links": {"self": {"href": format!("{base}/api/v4/contacts/{c}")}}}))
            .collect(),
    )
}

/// `GET /api/v4/contacts/{id}`: the contact, or 204 when there is none.
pub(super) fn get(account: &Account, id: i64, query: Option<&str>, base: &str) -> Response {
    let data = lock(&account.data);
    match data.crm.contacts.iter().find(|c| c.id == id) {
        Some(c) => problem::hal(
            StatusCode::OK,
            &contact_json(account, &data, c, base, with(&pairs(query), "leads")),
        ),
        None => problem::no_content(),
    }
}

pub(super) fn list(account: &Account, query: Option<&str>, base: &str) -> Response {
    let pairs = pairs(query);
    let (page, limit) = page_and_limit(&pairs);
    let text = first(&pairs, "query");
    let ids = ids(&pairs, "id");
    let data = lock(&account.data);
    let found: Vec<&Contact> = data
        .crm
        .contacts
        .iter()
        .filter(|c| ids.is_empty() || ids.contains(&c.id))
        .filter(|c| text.is_none_or(|q| contact_matches(c, q)))
        .collect();
    let start = (page - 1).saturating_mul(limit);
    if start >= found.len() {
        return problem::no_content();
    }
    let leads = with(&pairs, "leads");
    let items: Vec<Value> = found[start..found.len().min(start + limit)]
        .iter()
        .map(|c| contact_json(account, &data, c, base, leads))
        .collect();
    problem::hal(
        StatusCode::OK,
        &json!({"_page": page, "_links": {"self": {"href": format!("{base}/api/v4/contacts?page={page}&limit={limit}")}}, "_embedded": {"contacts": items}}),
    )
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use serde_json::json;

    #[tokio::test]
    async fn contacts_by_query_and_id() {
        let (_sim, client) = start(unlimited()).await;
        for q in ["55550101", "5491155550101", "maria@example.com", "gonzalez"] {
            let (status, _, body) = parts(
                client
                    .get(&format!("/api/v4/contacts?query={q}&with=leads"))
                    .await,
            )
            .await;
            assert_eq!(status, 200, "{q}");
            assert_eq!(body["_embedded"]["contacts"][0]["id"], 8001, "{q}");
            assert_eq!(
                body["_embedded"]["contacts"][0]["_embedded"]["leads"][0]["id"],
                9001
            );
        }
        let (_, _, body) = parts(client.get("/api/v4/contacts?query=55550101").await).await;
        let phone = &body["_embedded"]["contacts"][0]["custom_fields_values"][0];
        assert_eq!(phone["field_code"], "PHONE");
        assert_eq!(
            phone["values"][0],
            json!({"value": "+54 9 11 5555-0101", "enum_id": 6102, "enum_code": "MOB"})
        );
        let (status, _, _) = parts(client.get("/api/v4/contacts?query=99999999").await).await;
        assert_eq!(status, 204);
        let (_, _, body) = parts(
            client
                .get("/api/v4/contacts?filter[id][]=8002&filter[id][]=8004")
                .await,
        )
        .await;
        assert_eq!(body["_embedded"]["contacts"].as_array().unwrap().len(), 2);
    }
}
