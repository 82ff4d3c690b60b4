//! The Kommo API v4 routes the simulator serves under `/{subdomain}/api/v4/...`: request
//! recording, the check order (block → rate → fault → auth) and the handlers themselves.

mod account;
mod bots;
mod contacts;
mod create;
mod custom_fields;
mod events;
mod field_values;
mod leads;
mod notes;
mod people;
mod pipelines;
mod query;
mod tag_registry;
mod tags;
mod tasks;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_agent;
#[cfg(test)]
mod tests_batch;
#[cfg(test)]
mod tests_values;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::response::Response;
use http::header::{AUTHORIZATION, HOST, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde_json::Value;

use super::faults::Admission;
use super::problem;
use super::state::{Account, RecordedRequest, SimState};
use super::sync::lock;

/// Largest request body read (Kommo's own limit is far below this).
const BODY_LIMIT: usize = 4 << 20;
/// Default and maximum page sizes of list endpoints.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 250;

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

    /// The body as a non-empty array, or the detail of Kommo's 400.
    fn items(&self) -> Result<&Vec<Value>, &'static str> {
        match self {
            Payload::Json(Value::Array(items)) if !items.is_empty() => Ok(items),
            Payload::Empty | Payload::Json(Value::Array(_)) => Err("Request data can not be empty"),
            Payload::Json(_) | Payload::Invalid => Err("Invalid request body"),
        }
    }
}

/// Kommo's cap on the elements of one batch request (`PATCH /leads`, `POST /leads/notes`,
/// `POST /tasks`).
const MAX_BATCH: usize = 250;

/// A batch element's `request_id`, as Kommo echoes it: the one it carries, else its index.
fn request_id(item: &Value, index: usize) -> String {
    match item.get("request_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => index.to_string(),
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
        traceparent: header(&parts.headers, http::HeaderName::from_static("traceparent")),
        tracestate: header(&parts.headers, http::HeaderName::from_static("tracestate")),
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
            (_, ["leads", "custom_fields"]) if get => self.custom_fields(&account.fields, "leads"),
            (_, ["leads", "custom_fields", id]) if get => match positive_id(id) {
                Some(id) => match account.field(id) {
                    Some(field) => problem::hal(StatusCode::OK, &self.field_json(field, "leads")),
                    None => problem::not_found("Custom field not found"),
                },
                None => self.no_route(),
            },
            (_, ["contacts", "custom_fields"]) if get => {
                self.custom_fields(&account.contact_fields, "contacts")
            }
            (_, ["contacts", "custom_fields", id]) if get => match positive_id(id) {
                Some(id) => match account.contact_field(id) {
                    Some(field) => {
                        problem::hal(StatusCode::OK, &self.field_json(field, "contacts"))
                    }
                    None => problem::not_found("Custom field not found"),
                },
                None => self.no_route(),
            },
            (_, ["leads", "tags"]) if get => self.list_tags(account),
            (_, ["leads", "loss_reasons"]) if get => people::loss_reasons(account, &self.base()),
            (&Method::GET, ["users"]) => people::users(account, self.query, &self.base()),
            (&Method::GET, ["events"]) => events::list(account, self.query, &self.base()),
            (&Method::POST, ["leads", "tags"]) => self.create_tags(account),
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
            (&Method::GET, ["leads"]) => leads::list(account, self.query, &self.base()),
            (&Method::POST, ["leads"]) => self.create_leads(account),
            (&Method::POST, ["leads", "complex"]) => self.create_complex(account),
            (&Method::PATCH, ["contacts", id]) => match positive_id(id) {
                Some(id) => self.patch_contact(account, id),
                None => self.no_route(),
            },
            (&Method::PATCH, ["leads"]) => self.patch_leads(account),
            (&Method::GET, ["contacts"]) => contacts::list(account, self.query, &self.base()),
            (&Method::GET, ["contacts", id]) => match id.parse::<i64>() {
                Ok(id) => contacts::get(account, id, self.query, &self.base()),
                Err(_) => self.no_route(),
            },
            (&Method::GET, ["tasks"]) => tasks::list(account, self.query, &self.base()),
            (&Method::POST, ["tasks"]) => tasks::add(account, self.payload, &self.base()),
            (&Method::GET, ["bots"]) => bots::list(account, &self.base()),
            (&Method::POST, ["bots", "run"]) => bots::batch_run(account, self.payload),
            (&Method::POST, ["bots", id, action @ ("run" | "stop")]) => match id.parse::<i64>() {
                Ok(id) => bots::run_or_stop(account, id, action, self.payload),
                Err(_) => self.no_route(),
            },
            _ => self.no_route(),
        }
    }

    pub(super) fn query_usize(&self, key: &str) -> Option<usize> {
        self.query?
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.parse().ok())
    }
}
