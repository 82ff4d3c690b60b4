//! `GET` and `PATCH /api/v4/leads/{id}`: the lead view and the validated change of a lead.

use axum::response::Response;
use http::StatusCode;
use serde_json::{Map, Value, json};

use super::field_values::plan_field;
use super::tags::TagChange;
use super::{Ctx, Payload};
use crate::simulator::MissingLead;
use crate::simulator::problem::{self, FieldError};
use crate::simulator::state::{Account, AccountData, Lead, lock, unix_now};

impl Ctx<'_> {
    pub(super) fn get_lead(&self, account: &Account, id: i64) -> Response {
        let base = self.base();
        let data = lock(&account.data);
        match super::super::crm::lead_json(account, &data, id, &base, self.query) {
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
            change
                .tags
                .apply(lead, &mut data.tags, &mut data.next_tag_id);
            change.apply(lead, now);
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
