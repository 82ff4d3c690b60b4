//! The Kommo API v4 routes the simulator serves under `/{subdomain}/api/v4/...`: request
//! recording, the check order (block → rate → fault → auth) and the handlers themselves.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::response::Response;
use http::header::{AUTHORIZATION, HOST, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde_json::{Map, Value, json};

use super::MissingLead;
use super::faults::Admission;
use super::problem::{self, FieldError};
use super::state::{
    Account, CustomField, FieldType, Lead, Note, NoteView, Pipeline, RecordedRequest, SimState,
    lock, unix_now,
};

/// Largest request body read (Kommo's own limit is far below this).
const BODY_LIMIT: usize = 4 << 20;
/// Default and maximum page sizes of list endpoints.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 250;
/// Note types Kommo knows.
const NOTE_TYPES: &[&str] = &[
    "common",
    "call_in",
    "call_out",
    "service_message",
    "extended_service_message",
    "message_cashier",
    "geolocation",
    "sms_in",
    "sms_out",
    "attachment",
];

/// The request body as the handlers see it.
pub(crate) enum Payload {
    Empty,
    Invalid,
    Json(Value),
}

impl Payload {
    fn parse(bytes: &[u8]) -> Payload {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Payload::Empty;
        }
        match serde_json::from_slice(bytes) {
            Ok(v) => Payload::Json(v),
            Err(_) => Payload::Invalid,
        }
    }
}

/// Splits "/{subdomain}/rest" into ("subdomain", "/rest").
fn split_subdomain(path: &str) -> (&str, &str) {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    match trimmed.find('/') {
        Some(i) => (&trimmed[..i], &trimmed[i..]),
        None => (trimmed, "/"),
    }
}

fn header(headers: &HeaderMap, name: http::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The fallback handler: everything that is not `/__sim/...`.
pub(crate) async fn kommo(State(sim): State<Arc<SimState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    let (subdomain, path) = split_subdomain(parts.uri.path());
    let payload = Payload::parse(&bytes);
    let authorization = header(&parts.headers, AUTHORIZATION);
    let (seq, at_ms) = sim.record(RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: path.to_owned(),
        query: parts.uri.query().map(str::to_owned),
        subdomain: subdomain.to_owned(),
        authorization: authorization.clone(),
        user_agent: header(&parts.headers, USER_AGENT),
        body: match &payload {
            Payload::Json(v) => Some(v.clone()),
            _ => None,
        },
        status: 0,
        at_ms: 0,
    });
    let account = sim.account(subdomain);
    let ctx = Ctx {
        sim: &sim,
        account: account.as_deref(),
        method: &parts.method,
        subdomain,
        path,
        query: parts.uri.query(),
        host: parts.headers.get(HOST).and_then(|h| h.to_str().ok()),
        authorization: authorization.as_deref(),
        payload: &payload,
    };
    let (mut response, status) = answer(&ctx, at_ms).await;
    sim.set_status(seq, status);
    if let Some(account) = &account {
        lock(&account.limiter).answered(status, sim.block_after);
    }
    response
        .headers_mut()
        .insert("x-request-id", HeaderValue::from(sim.next_request_id()));
    response
}

/// Runs the checks in order and returns the answer with the status to record (0 = reset).
async fn answer(ctx: &Ctx<'_>, at_ms: u64) -> (Response, u16) {
    let sim = ctx.sim;
    if let Some(account) = ctx.account {
        let admission = lock(&account.limiter).admit(at_ms, sim.rate_limit());
        match admission {
            Admission::Blocked => return (problem::blocked(), 403),
            Admission::Limited => {
                let secs = sim.retry_after_secs;
                let header = sim.retry_after_header.then_some(secs);
                return (problem::too_many_requests(secs, header), 429);
            }
            Admission::Allowed => {}
        }
    }
    let fault = sim.faults.take(ctx.method.as_str(), ctx.path);
    // A `process` fault applies the request first, so that a slow or lost answer (delay,
    // status, reset) still leaves Kommo's side done, even if the client gives up waiting.
    let processed = fault.as_ref().filter(|f| f.process).map(|_| ctx.handle());
    if let Some(fault) = &fault
        && fault.delay_ms > 0
    {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    match fault {
        Some(fault) if fault.replaces_answer() => {
            let response = fault.response(sim.retry_after_secs, sim.retry_after_header);
            let status = if fault.reset {
                0
            } else {
                response.status().as_u16()
            };
            (response, status)
        }
        _ => {
            let response = processed.unwrap_or_else(|| ctx.handle());
            let status = response.status().as_u16();
            (response, status)
        }
    }
}

/// Everything a handler needs about one request.
struct Ctx<'a> {
    sim: &'a SimState,
    account: Option<&'a Account>,
    method: &'a Method,
    subdomain: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    host: Option<&'a str>,
    authorization: Option<&'a str>,
    payload: &'a Payload,
}

fn positive_id(segment: &str) -> Option<i64> {
    segment
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| segment.parse::<i64>().ok())
        .flatten()
        .filter(|&id| id > 0)
}

impl Ctx<'_> {
    /// "http://host/{subdomain}" — the prefix of every `_links` href.
    fn base(&self) -> String {
        match self.host {
            Some(host) => format!("http://{host}/{}", self.subdomain),
            None => format!("{}/{}", self.sim.base_url(), self.subdomain),
        }
    }

    fn no_route(&self) -> Response {
        problem::no_route(self.method.as_str(), self.path)
    }

    /// Auth, then routing.
    fn handle(&self) -> Response {
        let Some(account) = self.account else {
            return problem::unauthorized();
        };
        if !account.authorizes(self.authorization) {
            return problem::unauthorized();
        }
        let Some(rest) = self.path.strip_prefix("/api/v4/") else {
            return self.no_route();
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let segments: Vec<&str> = rest.split('/').collect();
        let get = self.method == Method::GET;
        match (self.method, segments.as_slice()) {
            (_, ["account"]) if get => self.account_info(account),
            (_, ["leads", "custom_fields"]) if get => self.custom_fields(account),
            (_, ["leads", "custom_fields", id]) if get => match positive_id(id) {
                Some(id) => match account.field(id) {
                    Some(field) => problem::hal(StatusCode::OK, &self.field_json(field)),
                    None => problem::not_found("Custom field not found"),
                },
                None => self.no_route(),
            },
            (_, ["leads", "pipelines"]) if get => self.pipelines(account),
            (_, ["leads", "pipelines", id]) if get => match positive_id(id) {
                Some(id) => match account.pipelines().iter().find(|p| p.id == id) {
                    Some(p) => problem::hal(StatusCode::OK, &self.pipeline_json(account, p)),
                    None => problem::not_found("Pipeline not found"),
                },
                None => self.no_route(),
            },
            (_, ["leads", "pipelines", id, "statuses"]) if get => match positive_id(id) {
                Some(id) => match account.pipelines().iter().find(|p| p.id == id) {
                    Some(p) => self.statuses(account, p),
                    None => problem::not_found("Pipeline not found"),
                },
                None => self.no_route(),
            },
            (&Method::POST, ["leads", "notes"]) => self.add_notes(account, None),
            (m, ["leads", id]) if get || m == Method::PATCH => match positive_id(id) {
                Some(id) if get => self.get_lead(account, id),
                Some(id) => self.patch_lead(account, id),
                None => self.no_route(),
            },
            (m, ["leads", id, "notes"]) if get || m == Method::POST => match positive_id(id) {
                Some(id) if get => self.list_notes(account, id),
                Some(id) => self.add_notes(account, Some(id)),
                None => self.no_route(),
            },
            _ => super::crm::route(
                account,
                self.method,
                &segments,
                self.query,
                self.payload,
                &self.base(),
            )
            .unwrap_or_else(|| self.no_route()),
        }
    }

    fn account_info(&self, account: &Account) -> Response {
        problem::hal(
            StatusCode::OK,
            &json!({
                "id": account.id,
                "name": account.name,
                "subdomain": account.subdomain,
                "current_user_id": account.current_user_id,
                "country": account.country,
                "currency": account.currency,
                "currency_symbol": account.currency_symbol,
                "_links": {"self": {"href": format!("{}/api/v4/account", self.base())}},
            }),
        )
    }

    fn get_lead(&self, account: &Account, id: i64) -> Response {
        let base = self.base();
        let data = lock(&account.data);
        match super::crm::lead_json(account, &data, id, &base, self.query) {
            Some(lead) => problem::hal(StatusCode::OK, &lead),
            None => match self.sim.missing_lead() {
                MissingLead::NoContent => problem::no_content(),
                MissingLead::NotFound => problem::not_found("Lead not found"),
            },
        }
    }

    fn patch_lead(&self, account: &Account, id: i64) -> Response {
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
        let mut data = lock(&account.data);
        let Some(lead) = data.leads.get_mut(&id) else {
            return problem::not_found("Lead not found");
        };
        let change = match LeadChange::plan(account, lead, body) {
            Ok(change) => change,
            Err(errors) => return problem::validation(&errors),
        };
        let now = unix_now();
        change.apply(lead, now);
        drop(data);
        problem::hal(
            StatusCode::OK,
            &json!({
                "id": id,
                "updated_at": now,
                "_links": {"self": {"href": format!("{}/api/v4/leads/{id}", self.base())}},
            }),
        )
    }

    fn list_notes(&self, account: &Account, lead_id: i64) -> Response {
        let base = self.base();
        let data = lock(&account.data);
        let notes: Vec<NoteView<'_>> = data
            .notes
            .iter()
            .filter(|n| n.entity_id == lead_id)
            .map(|n| NoteView::new(account, n, &base))
            .collect();
        if notes.is_empty() {
            return problem::no_content();
        }
        problem::hal(
            StatusCode::OK,
            &json!({
                "_page": 1,
                "_links": {"self": {"href": format!("{base}/api/v4/leads/{lead_id}/notes?page=1&limit={MAX_LIMIT}")}},
                "_embedded": {"notes": notes},
            }),
        )
    }

    /// `POST /leads/{id}/notes` (`lead_id` given) or `POST /leads/notes` (`entity_id` per item).
    fn add_notes(&self, account: &Account, lead_id: Option<i64>) -> Response {
        let mut data = lock(&account.data);
        if let Some(id) = lead_id
            && !data.leads.contains_key(&id)
        {
            return problem::not_found("Lead not found");
        }
        let items = match self.payload {
            Payload::Json(Value::Array(items)) if !items.is_empty() => items,
            Payload::Empty | Payload::Json(Value::Array(_)) => {
                return problem::bad_request("Request data can not be empty");
            }
            Payload::Json(_) | Payload::Invalid => {
                return problem::bad_request("Invalid request body");
            }
        };
        let mut errors = Vec::new();
        let mut planned = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match plan_note(item, i, lead_id, |id| data.leads.get(&id)) {
                Ok(note) => planned.push(note),
                Err(mut e) => errors.append(&mut e),
            }
        }
        if !errors.is_empty() {
            return problem::validation(&errors);
        }
        let base = self.base();
        let now = unix_now();
        let mut created = Vec::with_capacity(planned.len());
        for note in planned {
            let id = data.next_note_id;
            data.next_note_id += 1;
            created.push(json!({
                "id": id,
                "entity_id": note.entity_id,
                "request_id": note.request_id,
                "_links": {"self": {"href": format!("{base}/api/v4/leads/{}/notes/{id}", note.entity_id)}},
            }));
            data.notes.push(Note {
                id,
                entity_id: note.entity_id,
                note_type: note.note_type,
                params: note.params,
                created_at: now,
                responsible_user_id: note.responsible_user_id,
                group_id: 0,
            });
        }
        drop(data);
        let self_href = match lead_id {
            Some(id) => format!("{base}/api/v4/leads/{id}/notes"),
            None => format!("{base}/api/v4/leads/notes"),
        };
        problem::hal(
            StatusCode::OK,
            &json!({"_links": {"self": {"href": self_href}}, "_embedded": {"notes": created}}),
        )
    }

    fn query_usize(&self, key: &str) -> Option<usize> {
        self.query?
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.parse().ok())
    }

    fn field_json(&self, field: &CustomField) -> Value {
        let enums = (!field.enums.is_empty()).then(|| {
            field
                .enums
                .iter()
                .map(|(id, value, sort)| json!({"id": id, "value": value, "sort": sort}))
                .collect::<Vec<_>>()
        });
        json!({
            "id": field.id,
            "name": field.name,
            "type": field.kind.as_str(),
            "code": null,
            "sort": field.sort,
            "entity_type": "leads",
            "is_api_only": false,
            "enums": enums,
            "required_statuses": [],
            "group_id": null,
            "_links": {"self": {"href": format!("{}/api/v4/leads/custom_fields/{}", self.base(), field.id)}},
        })
    }

    fn custom_fields(&self, account: &Account) -> Response {
        let page = self.query_usize("page").unwrap_or(1).max(1);
        let limit = match self.query_usize("limit").unwrap_or(DEFAULT_LIMIT) {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let total = account.fields.len();
        let start = (page - 1).saturating_mul(limit);
        if start >= total {
            return problem::no_content();
        }
        let fields: Vec<Value> = account.fields[start..total.min(start + limit)]
            .iter()
            .map(|f| self.field_json(f))
            .collect();
        let list = format!("{}/api/v4/leads/custom_fields", self.base());
        let mut links = json!({"self": {"href": format!("{list}?page={page}&limit={limit}")}});
        if start + limit < total {
            links["next"] = json!({"href": format!("{list}?page={}&limit={limit}", page + 1)});
        }
        problem::hal(
            StatusCode::OK,
            &json!({
                "_total_items": total,
                "_page": page,
                "_links": links,
                "_embedded": {"custom_fields": fields},
            }),
        )
    }

    fn status_json(&self, account: &Account, pipeline: &Pipeline) -> Vec<Value> {
        let base = self.base();
        pipeline
            .statuses
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "name": s.name,
                    "sort": s.sort,
                    "is_editable": s.is_editable,
                    "pipeline_id": pipeline.id,
                    "color": s.color,
                    "type": s.kind,
                    "account_id": account.id,
                    "_links": {"self": {"href": format!("{base}/api/v4/leads/pipelines/{}/statuses/{}", pipeline.id, s.id)}},
                })
            })
            .collect()
    }

    fn pipeline_json(&self, account: &Account, pipeline: &Pipeline) -> Value {
        json!({
            "id": pipeline.id,
            "name": pipeline.name,
            "sort": pipeline.sort,
            "is_main": pipeline.is_main,
            "is_unsorted_on": true,
            "is_archive": false,
            "account_id": account.id,
            "_links": {"self": {"href": format!("{}/api/v4/leads/pipelines/{}", self.base(), pipeline.id)}},
            "_embedded": {"statuses": self.status_json(account, pipeline)},
        })
    }

    fn pipelines(&self, account: &Account) -> Response {
        let pipelines: Vec<Value> = account
            .pipelines()
            .iter()
            .map(|p| self.pipeline_json(account, p))
            .collect();
        problem::hal(
            StatusCode::OK,
            &json!({
                "_total_items": pipelines.len(),
                "_links": {"self": {"href": format!("{}/api/v4/leads/pipelines", self.base())}},
                "_embedded": {"pipelines": pipelines},
            }),
        )
    }

    fn statuses(&self, account: &Account, pipeline: &Pipeline) -> Response {
        let statuses = self.status_json(account, pipeline);
        problem::hal(
            StatusCode::OK,
            &json!({
                "_total_items": statuses.len(),
                "_links": {"self": {"href": format!("{}/api/v4/leads/pipelines/{}/statuses", self.base(), pipeline.id)}},
                "_embedded": {"statuses": statuses},
            }),
        )
    }
}

/// A validated note waiting to be stored.
struct PlannedNote {
    entity_id: i64,
    note_type: String,
    params: Value,
    request_id: String,
    responsible_user_id: i64,
}

fn plan_note<'l>(
    item: &Value,
    i: usize,
    lead_id: Option<i64>,
    find_lead: impl Fn(i64) -> Option<&'l Lead>,
) -> Result<PlannedNote, Vec<FieldError>> {
    let Some(item) = item.as_object() else {
        return Err(vec![FieldError::invalid_type(i.to_string())]);
    };
    let mut errors = Vec::new();
    let entity_id = match lead_id {
        Some(id) => Some(id),
        None => match item.get("entity_id").map(Value::as_i64) {
            Some(Some(id)) if find_lead(id).is_some() => Some(id),
            Some(Some(_)) => {
                errors.push(FieldError::not_supported_choice(format!("{i}.entity_id")));
                None
            }
            Some(None) => {
                errors.push(FieldError::invalid_type(format!("{i}.entity_id")));
                None
            }
            None => {
                errors.push(FieldError::not_blank(format!("{i}.entity_id")));
                None
            }
        },
    };
    let note_type = item.get("note_type").and_then(Value::as_str);
    match note_type {
        Some(t) if NOTE_TYPES.contains(&t) => {}
        _ => errors.push(FieldError::not_supported_choice(format!("{i}.note_type"))),
    }
    let params = item.get("params").cloned().unwrap_or_else(|| json!({}));
    if !params.is_object() {
        errors.push(FieldError::invalid_type(format!("{i}.params")));
    } else if matches!(
        note_type,
        Some("common" | "service_message" | "extended_service_message")
    ) {
        let path = format!("{i}.params.text");
        match params.get("text") {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            None | Some(Value::Null) | Some(Value::String(_)) => {
                errors.push(FieldError::not_blank(path))
            }
            Some(_) => errors.push(FieldError::invalid_type(path)),
        }
    }
    let (Some(entity_id), Some(note_type), true) = (entity_id, note_type, errors.is_empty()) else {
        return Err(errors);
    };
    let request_id = match item.get("request_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => i.to_string(),
    };
    Ok(PlannedNote {
        entity_id,
        note_type: note_type.to_owned(),
        params,
        request_id,
        responsible_user_id: find_lead(entity_id).map_or(0, |l| l.responsible_user_id),
    })
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
        if let Some(name) = self.name {
            lead.name = name;
        }
        if let Some(price) = self.price {
            lead.price = price;
        }
        if let Some(user) = self.responsible_user_id {
            lead.responsible_user_id = user;
        }
        if let Some((pipeline_id, status_id)) = self.stage {
            lead.pipeline_id = pipeline_id;
            lead.status_id = status_id;
            lead.closed_at = is_closed(status_id).then_some(now);
        }
        for (field_id, values) in self.fields {
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

/// Validates one `custom_fields_values` item; `values: null` (or `[]`) clears the field.
fn plan_field(
    account: &Account,
    item: &Value,
    i: usize,
) -> Result<(i64, Option<Vec<Value>>), FieldError> {
    let prefix = format!("custom_fields_values.{i}");
    let field = item
        .get("field_id")
        .and_then(Value::as_i64)
        .and_then(|id| account.field(id))
        .ok_or_else(|| FieldError::not_supported_choice(format!("{prefix}.field_id")))?;
    let first = match item.get("values") {
        Some(Value::Null) => return Ok((field.id, None)),
        Some(Value::Array(values)) => match values.first() {
            None => return Ok((field.id, None)),
            Some(first) => first,
        },
        _ => return Err(FieldError::invalid_type(format!("{prefix}.values"))),
    };
    let value_path = || format!("{prefix}.values.0.value");
    let value = first.get("value");
    let stored = match field.kind {
        FieldType::Checkbox => match value {
            Some(Value::Bool(b)) => json!({"value": b}),
            _ => return Err(FieldError::invalid_type(value_path())),
        },
        FieldType::Select => {
            let by_id = first.get("enum_id").and_then(Value::as_i64);
            let found = field.enums.iter().find(|(id, text, _)| match by_id {
                Some(wanted) => *id == wanted,
                None => value.and_then(Value::as_str) == Some(text.as_str()),
            });
            match found {
                Some((id, text, _)) => json!({"value": text, "enum_id": id, "enum_code": null}),
                None => {
                    return Err(FieldError::not_supported_choice(format!(
                        "{prefix}.values.0.enum_id"
                    )));
                }
            }
        }
        FieldType::Text => match value {
            Some(Value::String(s)) if s.chars().count() > 256 => {
                return Err(FieldError::too_long(value_path()));
            }
            Some(Value::String(s)) => json!({"value": s}),
            _ => return Err(FieldError::invalid_type(value_path())),
        },
        FieldType::Date => match value {
            Some(v @ (Value::Number(_) | Value::String(_))) => json!({"value": v}),
            _ => return Err(FieldError::invalid_type(value_path())),
        },
    };
    Ok((field.id, Some(vec![stored])))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{MissingLead, seed};
    use serde_json::{Value, json};

    const HAL: &str = "application/hal+json";
    const PROBLEM: &str = "application/problem+json";

    fn unauthorized_body() -> Value {
        json!({"title":"Unauthorized","type":"https://httpstatus.es/401","status":401,"detail":"Invalid user name or password"})
    }

    #[tokio::test]
    async fn missing_wrong_token_and_unknown_account_are_401() {
        let (sim, client) = start(unlimited()).await;
        let url = format!("{}/api/v4/leads/9001", client.base);
        let no_token = client.http.get(&url).send().await.unwrap();
        assert!(no_token.headers().contains_key("x-request-id"));
        let wrong = client
            .http
            .get(&url)
            .bearer_auth("nope")
            .send()
            .await
            .unwrap();
        let unknown = client
            .http
            .get(format!("{}/other/api/v4/leads/9001", client.root))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        for response in [no_token, wrong, unknown] {
            assert_eq!(
                parts(response).await,
                (401, Some(PROBLEM.into()), unauthorized_body())
            );
        }
        let log = sim.state().requests();
        assert_eq!(log.len(), 3);
        assert_eq!(log[0].authorization, None);
        assert_eq!(log[1].authorization.as_deref(), Some("Bearer nope"));
        assert_eq!(log[2].subdomain, "other");
        assert!(
            log.iter()
                .all(|r| r.status == 401 && r.path == "/api/v4/leads/9001")
        );
    }

    #[tokio::test]
    async fn get_lead_shape() {
        let (sim, client) = start(unlimited()).await;
        let (status, ct, lead) = parts(client.get("/api/v4/leads/9001").await).await;
        assert_eq!((status, ct.as_deref()), (200, Some(HAL)));
        assert_eq!(lead["id"], 9001);
        assert_eq!(lead["name"], "Maria Gonzalez — WhatsApp inquiry");
        assert_eq!(lead["price"], 1500);
        assert_eq!(
            (lead["pipeline_id"].clone(), lead["status_id"].clone()),
            (json!(1001), json!(2002))
        );
        assert_eq!(lead["responsible_user_id"], seed::USER_ID);
        for key in [
            "loss_reason_id",
            "closed_at",
            "closest_task_at",
            "score",
            "labor_cost",
        ] {
            assert!(lead[key].is_null(), "{key}");
        }
        assert_eq!(lead["is_deleted"], false);
        assert_eq!(
            lead["_links"]["self"]["href"],
            format!("{}/api/v4/leads/9001", client.base)
        );
        assert_eq!(
            lead["_embedded"],
            json!({"tags":[{"id":1,"name":"whatsapp","color":null}],"companies":[]})
        );
        assert_eq!(
            lead["custom_fields_values"],
            json!([
                {"field_id":5002,"field_name":"Source","field_code":null,"field_type":"select","values":[{"value":"WhatsApp","enum_id":6001,"enum_code":null}]},
                {"field_id":5001,"field_name":"AI agent paused","field_code":null,"field_type":"checkbox","values":[{"value":false}]}
            ])
        );
        assert_eq!(sim.state().lead(SUB, 9001).unwrap(), lead);
        let (_, _, plain) = parts(client.get("/api/v4/leads/9002").await).await;
        assert!(plain["custom_fields_values"].is_null());
        let (_, _, closed) = parts(client.get("/api/v4/leads/9005").await).await;
        assert!(closed["closed_at"].is_i64());
    }

    #[tokio::test]
    async fn missing_lead_204_or_404_and_bad_ids_404() {
        let (sim, client) = start(unlimited()).await;
        assert_eq!(
            parts(client.get("/api/v4/leads/9006").await).await,
            (204, None, Value::Null)
        );
        sim.state().set_missing_lead(MissingLead::NotFound);
        let (status, ct, body) = parts(client.get("/api/v4/leads/9006").await).await;
        assert_eq!((status, ct.as_deref()), (404, Some(PROBLEM)));
        assert_eq!(
            body,
            json!({"title":"Not Found","type":"https://httpstatus.es/404","status":404,"detail":"Lead not found"})
        );
        for bad in ["abc", "0", "-5"] {
            let (status, ct, _) = parts(client.get(&format!("/api/v4/leads/{bad}")).await).await;
            assert_eq!((status, ct.as_deref()), (404, Some(PROBLEM)), "{bad}");
        }
        let (status, _, body) = parts(client.get("/api/v4/nothing").await).await;
        assert_eq!(
            (status, body["detail"].as_str()),
            (404, Some("Cannot GET /api/v4/nothing"))
        );
    }

    #[tokio::test]
    async fn patch_moves_lead_and_get_reflects_it() {
        let (sim, client) = start(unlimited()).await;
        let before = sim.state().lead(SUB, 9003).unwrap();
        let (status, ct, body) = parts(
            client
                .patch(
                    "/api/v4/leads/9003",
                    &json!({"pipeline_id":1001,"status_id":2004}),
                )
                .await,
        )
        .await;
        assert_eq!((status, ct.as_deref()), (200, Some(HAL)));
        assert_eq!(body["id"], 9003);
        assert!(body["updated_at"].as_i64().unwrap() >= before["updated_at"].as_i64().unwrap());
        assert_eq!(
            body["_links"]["self"]["href"],
            format!("{}/api/v4/leads/9003", client.base)
        );
        let (_, _, lead) = parts(client.get("/api/v4/leads/9003").await).await;
        assert_eq!(
            (lead["status_id"].clone(), lead["updated_by"].clone()),
            (json!(2004), json!(0))
        );
        assert!(lead["closed_at"].is_null());
        // status alone from another pipeline moves the lead there
        assert_eq!(
            client
                .patch("/api/v4/leads/9003", &json!({"status_id":3003}))
                .await
                .status(),
            200
        );
        let lead = sim.state().lead(SUB, 9003).unwrap();
        assert_eq!(
            (lead["pipeline_id"].clone(), lead["status_id"].clone()),
            (json!(1002), json!(3003))
        );
        // closing with pipeline sets closed_at
        assert_eq!(
            client
                .patch(
                    "/api/v4/leads/9003",
                    &json!({"pipeline_id":1002,"status_id":143})
                )
                .await
                .status(),
            200
        );
        let lead = sim.state().lead(SUB, 9003).unwrap();
        assert_eq!(lead["status_id"], 143);
        assert!(lead["closed_at"].is_i64());
        // recorded with the body
        let last = sim.state().requests().pop().unwrap();
        assert_eq!((last.method.as_str(), last.status), ("PATCH", 200));
        assert_eq!(last.body, Some(json!({"pipeline_id":1002,"status_id":143})));
    }

    fn validation(code: &str, path: &str) -> Value {
        let detail = match code {
            "NotSupportedChoice" => "The value you selected is not a valid choice.",
            "InvalidType" => "This value should be of type valid.",
            _ => "This value is too long. It should have 256 characters or less.",
        };
        json!({"validation-errors":[{"request_id":"0","errors":[{"code":code,"path":path,"detail":detail}]}],"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Request validation failed"})
    }

    #[tokio::test]
    async fn patch_validation_errors() {
        let (sim, client) = start(unlimited()).await;
        let long = "x".repeat(257);
        let cases = [
            (json!({"status_id":9999}), "NotSupportedChoice", "status_id"),
            (
                json!({"pipeline_id":1001,"status_id":3002}),
                "NotSupportedChoice",
                "status_id",
            ),
            (json!({"status_id":142}), "NotSupportedChoice", "status_id"),
            (
                json!({"pipeline_id":4242,"status_id":2002}),
                "NotSupportedChoice",
                "pipeline_id",
            ),
            (
                json!({"pipeline_id":"1001","status_id":2002}),
                "InvalidType",
                "pipeline_id",
            ),
            (
                json!({"pipeline_id":1001,"status_id":"2002"}),
                "InvalidType",
                "status_id",
            ),
            (
                json!({"custom_fields_values":[{"field_id":1,"values":[{"value":true}]}]}),
                "NotSupportedChoice",
                "custom_fields_values.0.field_id",
            ),
            (
                json!({"custom_fields_values":[{"field_id":5003,"values":[{"value":"ok"}]},{"field_id":5001,"values":[{"value":"true"}]}]}),
                "InvalidType",
                "custom_fields_values.1.values.0.value",
            ),
            (
                json!({"custom_fields_values":[{"field_id":5003,"values":[{"value":long}]}]}),
                "TooLong",
                "custom_fields_values.0.values.0.value",
            ),
            (
                json!({"custom_fields_values":[{"field_id":5002,"values":[{"enum_id":6009}]}]}),
                "NotSupportedChoice",
                "custom_fields_values.0.values.0.enum_id",
            ),
        ];
        for (body, code, path) in cases {
            let (status, ct, answer) = parts(client.patch("/api/v4/leads/9001", &body).await).await;
            assert_eq!((status, ct.as_deref()), (400, Some(PROBLEM)), "{body}");
            assert_eq!(answer, validation(code, path), "{body}");
        }
        let plain = |detail: &str| json!({"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":detail});
        let empty = client
            .req(reqwest::Method::PATCH, "/api/v4/leads/9001")
            .send()
            .await
            .unwrap();
        assert_eq!(parts(empty).await.2, plain("Request data can not be empty"));
        assert_eq!(
            parts(client.patch("/api/v4/leads/9001", &json!({})).await)
                .await
                .2,
            plain("Request data can not be empty")
        );
        let array = client
            .patch("/api/v4/leads/9001", &json!([{"status_id":2003}]))
            .await;
        assert_eq!(parts(array).await.2, plain("Invalid request body"));
        let garbage = client
            .req(reqwest::Method::PATCH, "/api/v4/leads/9001")
            .body("{nope")
            .send()
            .await
            .unwrap();
        assert_eq!(parts(garbage).await.0, 400);
        let missing = client
            .patch("/api/v4/leads/9006", &json!({"status_id":2003}))
            .await;
        assert_eq!(parts(missing).await.2["detail"], "Lead not found");
        // nothing changed, and the text field of the failed batch was not written
        let lead = sim.state().lead(SUB, 9001).unwrap();
        assert_eq!(
            (
                lead["status_id"].clone(),
                lead["custom_fields_values"].as_array().unwrap().len()
            ),
            (json!(2002), 2)
        );
    }

    #[tokio::test]
    async fn checkbox_set_false_and_clear() {
        let (sim, client) = start(unlimited()).await;
        let set = |v: Value| json!({"custom_fields_values":[{"field_id":5001,"values":v}]});
        let paused = |lead: &Value| {
            lead["custom_fields_values"]
                .as_array()
                .and_then(|a| a.iter().find(|f| f["field_id"] == 5001).cloned())
        };
        assert_eq!(
            client
                .patch("/api/v4/leads/9003", &set(json!([{"value":true}])))
                .await
                .status(),
            200
        );
        let lead = sim.state().lead(SUB, 9003).unwrap();
        assert_eq!(paused(&lead).unwrap()["values"], json!([{"value":true}]));
        assert_eq!(
            client
                .patch("/api/v4/leads/9003", &set(json!([{"value":false}])))
                .await
                .status(),
            200
        );
        let lead = sim.state().lead(SUB, 9003).unwrap();
        assert_eq!(paused(&lead).unwrap()["values"], json!([{"value":false}]));
        // clearing one field leaves the others alone
        assert_eq!(
            client
                .patch("/api/v4/leads/9001", &set(Value::Null))
                .await
                .status(),
            200
        );
        let lead = sim.state().lead(SUB, 9001).unwrap();
        assert!(paused(&lead).is_none());
        assert_eq!(lead["custom_fields_values"][0]["field_id"], 5002);
        assert_eq!(
            client
                .patch("/api/v4/leads/9004", &set(Value::Null))
                .await
                .status(),
            200
        );
        assert!(sim.state().lead(SUB, 9004).unwrap()["custom_fields_values"].is_null());
    }

    #[tokio::test]
    async fn notes_post_and_get() {
        let (sim, client) = start(unlimited()).await;
        assert_eq!(client.get("/api/v4/leads/9002/notes").await.status(), 204);
        let note = json!([{"note_type":"common","params":{"text":"Called the client"}}]);
        let (status, ct, body) = parts(client.post("/api/v4/leads/9002/notes", &note).await).await;
        assert_eq!((status, ct.as_deref()), (200, Some(HAL)));
        let created = &body["_embedded"]["notes"][0];
        assert_eq!(
            (
                created["id"].clone(),
                created["entity_id"].clone(),
                created["request_id"].clone()
            ),
            (json!(70001), json!(9002), json!("0"))
        );
        assert!(
            body["_links"]["self"]["href"].is_string()
                && created["_links"]["self"]["href"].is_string()
        );
        let (status, _, list) = parts(client.get("/api/v4/leads/9002/notes").await).await;
        assert_eq!(status, 200);
        let stored = &list["_embedded"]["notes"][0];
        assert_eq!(stored["params"], json!({"text":"Called the client"}));
        assert_eq!(
            (stored["note_type"].clone(), stored["created_by"].clone()),
            (json!("common"), json!(0))
        );
        assert_eq!(stored["responsible_user_id"], seed::USER_ID);
        assert_eq!(sim.state().notes(SUB, 9002), vec![stored.clone()]);
        // refusals
        let text_err = parts(
            client
                .post(
                    "/api/v4/leads/9002/notes",
                    &json!([{"note_type":"common","text":"top level"}]),
                )
                .await,
        )
        .await;
        assert_eq!(text_err.0, 400);
        assert_eq!(
            text_err.2["validation-errors"][0]["errors"][0]["path"],
            "0.params.text"
        );
        let type_err = parts(
            client
                .post(
                    "/api/v4/leads/9002/notes",
                    &json!([{"note_type":"shout","params":{"text":"x"}}]),
                )
                .await,
        )
        .await;
        assert_eq!(
            type_err.2["validation-errors"][0]["errors"][0]["path"],
            "0.note_type"
        );
        assert_eq!(
            client
                .post("/api/v4/leads/9002/notes", &json!([]))
                .await
                .status(),
            400
        );
        assert_eq!(
            client
                .post("/api/v4/leads/9002/notes", &json!({"note_type":"common"}))
                .await
                .status(),
            400
        );
        let missing = parts(client.post("/api/v4/leads/9006/notes", &note).await).await;
        assert_eq!(
            (missing.0, missing.2["detail"].as_str()),
            (404, Some("Lead not found"))
        );
        assert_eq!(sim.state().notes(SUB, 9002).len(), 1);
        // the entity_id form
        let batch = json!([{"entity_id":9001,"note_type":"common","params":{"text":"a"}}]);
        let (status, _, body) = parts(client.post("/api/v4/leads/notes", &batch).await).await;
        assert_eq!(
            (status, body["_embedded"]["notes"][0]["id"].clone()),
            (200, json!(70002))
        );
        assert_eq!(sim.state().notes(SUB, 9001).len(), 1);
    }

    #[tokio::test]
    async fn custom_fields_pages_follow_next() {
        let (_sim, client) = start(unlimited()).await;
        let (status, ct, first) = parts(client.get("/api/v4/leads/custom_fields").await).await;
        assert_eq!((status, ct.as_deref()), (200, Some(HAL)));
        assert_eq!(
            (first["_total_items"].clone(), first["_page"].clone()),
            (json!(60), json!(1))
        );
        let fields = first["_embedded"]["custom_fields"].as_array().unwrap();
        assert_eq!(fields.len(), 50);
        assert_eq!(fields[0]["type"], "checkbox");
        assert_eq!(
            fields[1]["enums"][0],
            json!({"id":6001,"value":"WhatsApp","sort":500})
        );
        assert!(fields[2]["enums"].is_null());
        assert_eq!(fields[0]["entity_type"], "leads");
        let next = first["_links"]["next"]["href"].as_str().unwrap();
        let second = client
            .http
            .get(next)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        let (status, _, second) = parts(second).await;
        assert_eq!(status, 200);
        assert_eq!(
            second["_embedded"]["custom_fields"]
                .as_array()
                .unwrap()
                .len(),
            10
        );
        assert!(second["_links"].get("next").is_none());
        assert_eq!(
            client
                .get("/api/v4/leads/custom_fields?page=3")
                .await
                .status(),
            204
        );
        let (_, _, big) = parts(client.get("/api/v4/leads/custom_fields?limit=1000").await).await;
        assert_eq!(
            big["_embedded"]["custom_fields"].as_array().unwrap().len(),
            60
        );
        assert_eq!(
            client
                .get("/api/v4/leads/custom_fields/5001")
                .await
                .status(),
            200
        );
        assert_eq!(
            client.get("/api/v4/leads/custom_fields/1").await.status(),
            404
        );
    }

    #[tokio::test]
    async fn pipelines_and_account() {
        let (_sim, client) = start(unlimited()).await;
        let (status, ct, body) = parts(client.get("/api/v4/leads/pipelines").await).await;
        assert_eq!((status, ct.as_deref()), (200, Some(HAL)));
        assert_eq!(body["_total_items"], 2);
        for p in body["_embedded"]["pipelines"].as_array().unwrap() {
            let statuses = p["_embedded"]["statuses"].as_array().unwrap();
            assert_eq!(
                (statuses[0]["type"].clone(), statuses[0]["name"].clone()),
                (json!(1), json!("Incoming leads"))
            );
            for (id, name, sort) in [(142, "Closed - won", 10000), (143, "Closed - lost", 11000)] {
                let s = statuses.iter().find(|s| s["id"] == id).unwrap();
                assert_eq!(
                    (
                        s["name"].clone(),
                        s["sort"].clone(),
                        s["is_editable"].clone(),
                        s["type"].clone()
                    ),
                    (json!(name), json!(sort), json!(false), json!(0))
                );
                assert_eq!(s["pipeline_id"], p["id"]);
            }
        }
        let (status, _, support) = parts(client.get("/api/v4/leads/pipelines/1002").await).await;
        assert_eq!(
            (status, support["name"].clone(), support["is_main"].clone()),
            (200, json!("Support"), json!(false))
        );
        let (status, _, missing) = parts(client.get("/api/v4/leads/pipelines/77").await).await;
        assert_eq!(
            (status, missing["detail"].as_str()),
            (404, Some("Pipeline not found"))
        );
        let (status, _, statuses) =
            parts(client.get("/api/v4/leads/pipelines/1001/statuses").await).await;
        assert_eq!((status, statuses["_total_items"].clone()), (200, json!(6)));
        let (status, _, account) = parts(client.get("/api/v4/account").await).await;
        assert_eq!(status, 200);
        assert_eq!(
            (
                account["subdomain"].clone(),
                account["current_user_id"].clone(),
                account["currency"].clone()
            ),
            (json!(SUB), json!(seed::USER_ID), json!("USD"))
        );
        assert_eq!(
            (account["name"].clone(), account["country"].clone()),
            (json!("Demo Company"), json!("AR"))
        );
    }
}
