//! `GET /api/v4/leads` (search, filters, order, paging), `GET` and `PATCH
//! /api/v4/leads/{id}`: the lead view (with `with=contacts`) and the validated change of a lead.

use axum::response::Response;
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::field_values::plan_field;
use super::query::{first, ids, page_and_limit, pairs, text_matches, with};
use super::tags::TagChange;
use super::{Ctx, Payload};
use crate::MissingLead;
use crate::history::LeadSnapshot;
use crate::problem::{self, FieldError};
use crate::state::{Account, AccountData, Lead, unix_now};
use crate::sync::lock;
use crate::views::LeadView;

impl Ctx<'_> {
    pub(super) fn get_lead(&self, account: &Account, id: i64) -> Response {
        let base = self.base();
        let data = lock(&account.data);
        match lead_json(account, &data, id, &base, self.query) {
            Some(lead) => problem::hal(StatusCode::OK, &lead),
            None => match self.sim.missing_lead() {
                MissingLead::NoContent => problem::no_content(),
                MissingLead::NotFound => problem::not_found("Lead not found"),
            },
        }
    }

    pub(super) fn patch_lead(&self, account: &Account, id: i64) -> Response {
        let body = match self.payload {
            Payload::Empty => return problem::bad_request("Request data can not be empty"),
            Payload::Json(Value::Object(map)) if map.is_empty() => {
                return problem::bad_request("Request data can not be empty");
            }
            Payload::Json(Value::Object(map)) => map,
            Payload::Json(_) | Payload::Invalid => {
                return problem::bad_request("Invalid request body");
            }
        };
        let mut guard = lock(&account.data);
        let data = &mut *guard;
        let Some(lead) = data.leads.get(&id) else {
            return problem::not_found("Lead not found");
        };
        let change = match LeadChange::plan(account, data, lead, body) {
            Ok(change) => change,
            Err(errors) => return problem::validation(&errors),
        };
        let now = unix_now();
        if let Some(lead) = data.leads.get_mut(&id) {
            let before = LeadSnapshot::of(lead);
            change
                .tags
                .apply(lead, &mut data.tags, &mut data.next_tag_id);
            change.apply(lead, now);
            data.history
                .record_changes(&before, lead, account.current_user_id, now);
        }
        drop(guard);
        problem::hal(
            StatusCode::OK,
            &json!({
                "id": id,
                "updated_at": now,
                "_links": {"self": {"href": format!("{}/api/v4/leads/{id}", self.base())}},
            }),
        )
    }
}

impl Ctx<'_> {
    /// `PATCH /api/v4/leads` with an array of `{id, request_id?, …}`: all applied, or none
    /// (a 400 naming each rejected element by its `request_id`, index when absent).
    pub(super) fn patch_leads(&self, account: &Account) -> Response {
        let items = match self.payload.items() {
            Ok(items) => items,
            Err(detail) => return problem::bad_request(detail),
        };
        if items.len() > super::MAX_BATCH {
            return problem::bad_request("Too many elements in the request (at most 250)");
        }
        let mut guard = lock(&account.data);
        let data = &mut *guard;
        let mut planned = Vec::new();
        let mut rejected = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let request_id = super::request_id(item, index);
            let Some(body) = item.as_object() else {
                rejected.push((
                    request_id,
                    vec![FieldError::invalid_type(index.to_string())],
                ));
                continue;
            };
            let lead = body
                .get("id")
                .and_then(Value::as_i64)
                .and_then(|id| data.leads.get(&id));
            let Some(lead) = lead else {
                rejected.push((request_id, vec![FieldError::not_supported_choice("id")]));
                continue;
            };
            match LeadChange::plan(account, data, lead, body) {
                Ok(change) => planned.push((lead.id, request_id, change)),
                Err(errors) => rejected.push((request_id, errors)),
            }
        }
        if !rejected.is_empty() {
            return problem::validation_groups(&rejected);
        }
        let now = unix_now();
        let base = self.base();
        let mut updated = Vec::new();
        for (id, request_id, change) in planned {
            if let Some(lead) = data.leads.get_mut(&id) {
                let before = LeadSnapshot::of(lead);
                change
                    .tags
                    .apply(lead, &mut data.tags, &mut data.next_tag_id);
                change.apply(lead, now);
                data.history
                    .record_changes(&before, lead, account.current_user_id, now);
            }
            updated.push(json!({
                "id": id,
                "request_id": request_id,
                "updated_at": now,
                "_links": {"self": {"href": format!("{base}/api/v4/leads/{id}")}},
            }));
        }
        drop(guard);
        problem::hal(
            StatusCode::OK,
            &json!({
                "_links": {"self": {"href": format!("{base}/api/v4/leads")}},
                "_embedded": {"leads": updated},
            }),
        )
    }
}

/// A validated PATCH of one lead.
#[derive(Default)]
struct LeadChange {
    name: Option<String>,
    price: Option<i64>,
    responsible_user_id: Option<i64>,
    /// (pipeline_id, status_id)
    stage: Option<(i64, i64)>,
    /// (field_id, new values; `None` clears)
    fields: Vec<(i64, Option<Vec<Value>>)>,
    tags: TagChange,
    /// One of the account's loss reasons, for a lead lost after the change.
    loss_reason_id: Option<i64>,
}

/// An integer field of the body: absent, present but invalid (error recorded), or a value.
fn int_field(
    body: &Map<String, Value>,
    key: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Option<i64>> {
    let value = body.get(key)?;
    let n = value.as_i64();
    if n.is_none() {
        errors.push(FieldError::invalid_type(key));
    }
    Some(n)
}

fn is_closed(status_id: i64) -> bool {
    matches!(status_id, 142 | 143)
}

impl LeadChange {
    fn plan(
        account: &Account,
        data: &AccountData,
        lead: &Lead,
        body: &Map<String, Value>,
    ) -> Result<LeadChange, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut change = LeadChange::default();
        let pipelines = account.pipelines();
        if let Some(name) = body.get("name") {
            match name.as_str() {
                Some(s) => change.name = Some(s.to_owned()),
                None => errors.push(FieldError::invalid_type("name")),
            }
        }
        change.price = int_field(body, "price", &mut errors).flatten();
        match change.price {
            // Kommo stores the price in 32 bits and refuses a negative one.
            Some(price) if price < 0 => errors.push(FieldError {
                code: "TooLow",
                path: "price".to_owned(),
                detail: "This value should be greater than or equal to 0.",
            }),
            Some(price) if price > i64::from(i32::MAX) => {
                errors.push(FieldError::invalid_type("price"));
            }
            _ => {}
        }
        change.tags = TagChange::plan(data, body, &mut errors);
        change.responsible_user_id = int_field(body, "responsible_user_id", &mut errors).flatten();
        let pipeline = match int_field(body, "pipeline_id", &mut errors) {
            None => Ok(None),
            Some(None) => Err(()),
            Some(Some(id)) => match pipelines.iter().find(|p| p.id == id) {
                Some(p) => Ok(Some(p)),
                None => {
                    errors.push(FieldError::not_supported_choice("pipeline_id"));
                    Err(())
                }
            },
        };
        let status = int_field(body, "status_id", &mut errors);
        change.stage = match (pipeline, status) {
            (Err(()), _) | (_, Some(None)) => None,
            (Ok(Some(p)), Some(Some(s))) if p.has_status(s) => Some((p.id, s)),
            (Ok(None), Some(Some(s))) if !is_closed(s) => {
                match pipelines.iter().find(|p| p.has_status(s)) {
                    Some(p) => Some((p.id, s)),
                    None => {
                        errors.push(FieldError::not_supported_choice("status_id"));
                        None
                    }
                }
            }
            (_, Some(Some(_))) => {
                errors.push(FieldError::not_supported_choice("status_id"));
                None
            }
            (Ok(Some(p)), None) if p.id != lead.pipeline_id => p
                .statuses
                .iter()
                .find(|s| s.kind == 0 && !is_closed(s.id))
                .or(p.statuses.first())
                .map(|s| (p.id, s.id)),
            (Ok(_), None) => None,
        };
        change.loss_reason_id = int_field(body, "loss_reason_id", &mut errors).flatten();
        if let Some(reason) = change.loss_reason_id {
            // Kommo takes a loss reason only for a lead that is (or becomes) lost.
            let lost_after = change.stage.map_or(lead.status_id, |(_, s)| s) == 143;
            let known = data
                .history
                .loss_reasons
                .iter()
                .any(|(id, _, _)| *id == reason);
            if !lost_after || !known {
                errors.push(FieldError::not_supported_choice("loss_reason_id"));
            }
        }
        match body.get("custom_fields_values") {
            None => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    match plan_field(account, item, i) {
                        Ok(field) => change.fields.push(field),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Some(_) => errors.push(FieldError::invalid_type("custom_fields_values")),
        }
        if errors.is_empty() {
            Ok(change)
        } else {
            Err(errors)
        }
    }

    fn apply(self, lead: &mut Lead, now: i64) {
        let LeadChange {
            name,
            price,
            responsible_user_id,
            stage,
            fields,
            tags: _,
            loss_reason_id,
        } = self;
        if let Some(name) = name {
            lead.name = name;
        }
        if let Some(price) = price {
            lead.price = price;
        }
        if let Some(user) = responsible_user_id {
            lead.responsible_user_id = user;
        }
        if let Some((pipeline_id, status_id)) = stage {
            lead.pipeline_id = pipeline_id;
            lead.status_id = status_id;
            lead.closed_at = is_closed(status_id).then_some(now);
            if status_id != 143 {
                lead.loss_reason_id = None;
            }
        }
        if loss_reason_id.is_some() {
            lead.loss_reason_id = loss_reason_id;
        }
        for (field_id, values) in fields {
            let slot = lead
                .custom_fields
                .iter()
                .position(|(id, _)| *id == field_id);
            match (slot, values) {
                (Some(i), None) => {
                    lead.custom_fields.remove(i);
                }
                (None, None) => {}
                (Some(i), Some(values)) => lead.custom_fields[i].1 = values,
                (None, Some(values)) => lead.custom_fields.push((field_id, values)),
            }
        }
        lead.updated_at = now;
        lead.updated_by = 0;
    }
}

/// A lead as Kommo renders it, with `_embedded.contacts` when `with=contacts` is asked for
/// and `_embedded.loss_reason` (its reason, when it has one) with `with=loss_reason`.
pub(super) fn lead_json(
    account: &Account,
    data: &AccountData,
    lead_id: i64,
    base: &str,
    query: Option<&str>,
) -> Option<Value> {
    let lead = data.leads.get(&lead_id)?;
    let mut value = serde_json::to_value(LeadView::new(account, lead, base)).ok()?;
    let companies: Vec<Value> = data
        .crm
        .company_links
        .iter()
        .filter(|(l, _)| *l == lead_id)
        .map(|(_, c)| json!({"id": c, "_links": {"self": {"href": format!("{base}/api/v4/companies/{c}")}}}))
        .collect();
    value["_embedded"]["companies"] = Value::Array(companies);
    if with(&pairs(query), "contacts") {
        value["_embedded"]["contacts"] = super::contacts::lead_contacts(data, lead_id, base);
    }
    if with(&pairs(query), "loss_reason") {
        let reasons: Vec<Value> = data
            .history
            .loss_reasons
            .iter()
            .filter(|(id, _, _)| Some(*id) == lead.loss_reason_id)
            .map(|(id, name, sort)| json!({"id": id, "name": name, "sort": sort, "_links": {"self": {"href": format!("{base}/api/v4/leads/loss_reasons/{id}")}}}))
            .collect();
        value["_embedded"]["loss_reason"] = Value::Array(reasons);
    }
    Some(value)
}

pub(super) fn list(account: &Account, query: Option<&str>, base: &str) -> Response {
    let pairs = pairs(query);
    let (page, limit) = page_and_limit(&pairs);
    let text = first(&pairs, "query").map(str::to_owned);
    let ids = ids(&pairs, "id");
    let pipeline_ids = ids_pipeline(&pairs);
    let statuses = statuses_filter(&pairs);
    let data = lock(&account.data);
    let mut leads: Vec<&Lead> =
        data.leads
            .values()
            .filter(|l| ids.is_empty() || ids.contains(&l.id))
            .filter(|l| pipeline_ids.is_empty() || pipeline_ids.contains(&l.pipeline_id))
            .filter(|l| {
                statuses.is_empty()
                    || statuses
                        .iter()
                        .any(|(p, s)| *p == l.pipeline_id && *s == l.status_id)
            })
            .filter(|l| match &text {
                None => true,
                Some(q) => {
                    text_matches(q, &l.name, false)
                        || l.price.to_string() == q.trim()
                        || l.custom_fields.iter().flat_map(|(_, vs)| vs).any(|v| {
                            match v.get("value") {
                                Some(Value::String(s)) => text_matches(q, s, false),
                                Some(Value::Number(n)) => n.to_string() == q.trim(),
                                _ => false,
                            }
                        })
                }
            })
            .collect();
    match first(&pairs, "order[updated_at]") {
        Some("asc") => leads.sort_by_key(|l| (l.updated_at, l.id)),
        Some("desc") => leads.sort_by_key(|l| std::cmp::Reverse((l.updated_at, l.id))),
        _ => {}
    }
    let start = (page - 1).saturating_mul(limit);
    if start >= leads.len() {
        return problem::no_content();
    }
    let more = start + limit < leads.len();
    let items: Vec<Value> = leads[start..leads.len().min(start + limit)]
        .iter()
        .filter_map(|l| lead_json(account, &data, l.id, base, query))
        .collect();
    let list = format!("{base}/api/v4/leads");
    let mut links = json!({"self": {"href": format!("{list}?page={page}&limit={limit}")}});
    if more {
        links["next"] = json!({"href": format!("{list}?page={}&limit={limit}", page + 1)});
    }
    problem::hal(
        StatusCode::OK,
        &json!({"_page": page, "_links": links, "_embedded": {"leads": items}}),
    )
}

/// `filter[pipeline_id]` (one or a list).
fn ids_pipeline(pairs: &[(String, String)]) -> Vec<i64> {
    ids(pairs, "pipeline_id")
}

/// `filter[statuses][N][pipeline_id]` + `filter[statuses][N][status_id]` pairs.
fn statuses_filter(pairs: &[(String, String)]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for n in 0..50 {
        let p = first(pairs, &format!("filter[statuses][{n}][pipeline_id]"))
            .and_then(|v| v.parse().ok());
        let s =
            first(pairs, &format!("filter[statuses][{n}][status_id]")).and_then(|v| v.parse().ok());
        match (p, s) {
            (Some(p), Some(s)) => out.push((p, s)),
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::testkit::*;
    use serde_json::json;

    #[tokio::test]
    async fn lead_search_by_name_and_field_value_and_204() {
        let (_sim, client) = start(unlimited()).await;
        let (status, _, body) =
            parts(client.get("/api/v4/leads?query=acme&with=contacts").await).await;
        assert_eq!(status, 200);
        let leads = body["_embedded"]["leads"].as_array().unwrap();
        assert_eq!(leads.len(), 1);
        assert_eq!(leads[0]["id"], 9002);
        assert_eq!(leads[0]["_embedded"]["contacts"][0]["id"], 8003);
        let (status, _, body) = parts(client.get("/api/v4/leads?query=WhatsApp").await).await;
        assert_eq!(status, 200, "matches the Source field value and the name");
        assert_eq!(body["_embedded"]["leads"][0]["id"], 9001);
        assert!(
            body["_embedded"]["leads"][0]["_embedded"]
                .get("contacts")
                .is_none()
        );
        let (status, _, body) = parts(client.get("/api/v4/leads?query=nobody%20here").await).await;
        assert_eq!((status, body), (204, serde_json::Value::Null));
        let (status, _, _) = parts(
            client
                .get("/api/v4/leads?query=acme&filter[pipeline_id]=1002")
                .await,
        )
        .await;
        assert_eq!(status, 204);
        let q = "/api/v4/leads?filter[statuses][0][pipeline_id]=1001&filter[statuses][0][status_id]=2003";
        let (_, _, body) = parts(client.get(q).await).await;
        assert_eq!(body["_embedded"]["leads"].as_array().unwrap().len(), 1);
        let (_, _, body) = parts(
            client
                .get("/api/v4/leads?filter[id][]=9001&filter[id][]=9003&order[updated_at]=desc")
                .await,
        )
        .await;
        let ids: Vec<i64> = body["_embedded"]["leads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [9003, 9001]);
    }

    #[tokio::test]
    async fn single_lead_with_contacts() {
        let (_sim, client) = start(unlimited()).await;
        let (_, _, lead) = parts(client.get("/api/v4/leads/9001?with=contacts").await).await;
        let contacts = &lead["_embedded"]["contacts"];
        assert_eq!(contacts.as_array().unwrap().len(), 2);
        assert_eq!(
            (contacts[0]["id"].clone(), contacts[0]["is_main"].clone()),
            (json!(8001), json!(true))
        );
        let (_, _, plain) = parts(client.get("/api/v4/leads/9001").await).await;
        assert!(plain["_embedded"].get("contacts").is_none());
    }
}
