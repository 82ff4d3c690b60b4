//! The `/__sim/...` JSON control API, so tests and the benchmark running the simulator as a
//! separate process can seed accounts, inject faults and read what it received. Like the
//! server's routes, it answers only a loopback `Host` (or the listen address's own) and a
//! loopback `Origin`, so a web page cannot reach it through DNS rebinding (403 otherwise).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Fault, MissingLead, SimState};

type Sim = State<Arc<SimState>>;

/// The control routes (no auth; not recorded; loopback `Host` and `Origin` only).
pub(crate) fn router(state: &Arc<SimState>) -> Router<Arc<SimState>> {
    Router::new()
        .route("/__sim/requests", get(requests).delete(clear_requests))
        .route("/__sim/faults", post(push_faults).delete(clear_faults))
        .route("/__sim/config", post(config))
        .route("/__sim/accounts", post(add_account))
        .route("/__sim/unblock", post(unblock))
        .route("/__sim/leads/{subdomain}", post(add_leads))
        .route("/__sim/leads/{subdomain}/{id}", get(lead))
        .route("/__sim/notes/{subdomain}/{lead_id}", get(notes))
        .route("/__sim/tasks/{subdomain}", get(tasks))
        .route("/__sim/bot-actions/{subdomain}", get(bot_actions))
        .route(
            "/__sim/bots/{subdomain}/{bot_id}/sends-field",
            post(bot_sends_field),
        )
        .route("/__sim/sent-messages/{subdomain}", get(sent_messages))
        .route("/__sim/contacts/{subdomain}/{id}", get(contact))
        .route("/__sim/users/{subdomain}", post(add_user))
        .route("/__sim/stats/{subdomain}", get(stats))
        .route(
            "/__sim/pipelines/{subdomain}/{pipeline_id}/statuses/{status_id}",
            delete(remove_status),
        )
        .route_layer(from_fn_with_state(Arc::clone(state), local_only))
}

/// 403 unless `Host` names this machine (a loopback name, or the address the simulator
/// listens on) and `Origin`, if any, is a loopback one.
async fn local_only(State(sim): Sim, request: Request, next: Next) -> Response {
    if !is_local(sim.base_url(), request.headers()) {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"error": "the control API answers only loopback Host and Origin headers"})),
        )
            .into_response();
    }
    next.run(request).await
}

/// Whether `Host` and `Origin` (if any) name this machine; `base_url` is `http://<listen address>`.
fn is_local(base_url: &str, headers: &http::HeaderMap) -> bool {
    let listen_host = base_url.strip_prefix("http://").map(host_of);
    let local = |authority: &str| {
        let host = host_of(authority);
        ["localhost", "127.0.0.1", "[::1]"].contains(&host) || Some(host) == listen_host
    };
    let header = |name: http::header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let host_ok = header(http::header::HOST).is_some_and(local);
    let origin_ok = header(http::header::ORIGIN).is_none_or(|origin| {
        origin
            .split_once("://")
            .is_some_and(|(_, authority)| local(authority))
    });
    host_ok && origin_ok
}

/// The host of `host[:port]` (an IPv6 address keeps its brackets).
fn host_of(authority: &str) -> &str {
    let authority = authority.trim();
    match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => &authority[..colon],
        _ => authority,
    }
}

#[derive(Deserialize)]
struct LeadCount {
    count: usize,
}

/// `{"count": N}`: adds N open leads (at most 10 000) and answers their ids.
async fn add_leads(
    State(sim): Sim,
    Path(subdomain): Path<String>,
    Json(body): Json<LeadCount>,
) -> Response {
    if body.count > 10_000 {
        return (StatusCode::BAD_REQUEST, "at most 10000 leads at once").into_response();
    }
    match sim.add_leads(&subdomain, body.count) {
        ids if ids.is_empty() && body.count > 0 => StatusCode::NOT_FOUND.into_response(),
        ids => Json(json!({"ids": ids})).into_response(),
    }
}

async fn requests(State(sim): Sim) -> Response {
    Json(sim.requests()).into_response()
}

async fn clear_requests(State(sim): Sim) -> StatusCode {
    sim.clear_requests();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<Fault>),
    One(Box<Fault>),
}

async fn push_faults(State(sim): Sim, Json(faults): Json<OneOrMany>) -> StatusCode {
    match faults {
        OneOrMany::Many(faults) => faults.into_iter().for_each(|f| sim.push_fault(f)),
        OneOrMany::One(fault) => sim.push_fault(*fault),
    }
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(sim): Sim) -> StatusCode {
    sim.clear_faults();
    StatusCode::NO_CONTENT
}

/// Only keys present in the body change; `"rate_limit": null` turns the limit off.
async fn config(State(sim): Sim, Json(body): Json<serde_json::Map<String, Value>>) -> Response {
    let missing = match body.get("missing_lead") {
        Some(v) => match MissingLead::deserialize(v) {
            Ok(mode) => Some(mode),
            Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        },
        None => None,
    };
    let rate = match body.get("rate_limit") {
        Some(Value::Null) => Some(None),
        Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(Some(n)),
            None => return (StatusCode::BAD_REQUEST, "rate_limit: u32 or null").into_response(),
        },
        None => None,
    };
    if let Some(mode) = missing {
        sim.set_missing_lead(mode);
    }
    if let Some(rate) = rate {
        sim.set_rate_limit(rate);
    }
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct NewAccount {
    subdomain: String,
    token: String,
    /// The account's IANA time zone (default: the demo account's).
    #[serde(default)]
    time_zone: Option<String>,
}

async fn add_account(State(sim): Sim, Json(account): Json<NewAccount>) -> StatusCode {
    sim.add_demo_account(&account.subdomain, &account.token);
    if let Some(zone) = &account.time_zone {
        sim.set_time_zone(&account.subdomain, zone);
    }
    StatusCode::NO_CONTENT
}

async fn unblock(State(sim): Sim) -> StatusCode {
    sim.unblock_all();
    StatusCode::NO_CONTENT
}

async fn lead(State(sim): Sim, Path((subdomain, id)): Path<(String, i64)>) -> Response {
    match sim.lead(&subdomain, id) {
        Some(lead) => Json(lead).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn tasks(State(sim): Sim, Path(subdomain): Path<String>) -> Response {
    Json(sim.tasks(&subdomain)).into_response()
}

/// The Salesbot runs and stops the account was asked for, oldest first.
async fn bot_actions(State(sim): Sim, Path(subdomain): Path<String>) -> Response {
    Json(sim.bot_actions(&subdomain)).into_response()
}

/// `{"field_id": F}`: the Salesbot's send-message step sends lead field F (204), or 404.
async fn bot_sends_field(
    State(sim): Sim,
    Path((subdomain, bot_id)): Path<(String, i64)>,
    Json(body): Json<SendsField>,
) -> StatusCode {
    if sim.set_bot_sends_field(&subdomain, bot_id, body.field_id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

#[derive(Deserialize)]
struct SendsField {
    field_id: i64,
}

/// What the sending Salesbots sent, oldest first.
async fn sent_messages(State(sim): Sim, Path(subdomain): Path<String>) -> Response {
    Json(sim.sent_messages(&subdomain)).into_response()
}

async fn contact(State(sim): Sim, Path((subdomain, id)): Path<(String, i64)>) -> Response {
    match sim.contact(&subdomain, id) {
        Some(contact) => Json(contact).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct NewUser {
    id: i64,
    name: String,
    email: String,
    #[serde(default = "active")]
    is_active: bool,
}

fn active() -> bool {
    true
}

/// Adds a user to the account (204), or 404 when there is no such account.
async fn add_user(
    State(sim): Sim,
    Path(subdomain): Path<String>,
    Json(user): Json<NewUser>,
) -> StatusCode {
    if sim.add_user(&subdomain, user.id, &user.name, &user.email, user.is_active) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn notes(State(sim): Sim, Path((subdomain, lead_id)): Path<(String, i64)>) -> Response {
    Json(sim.notes(&subdomain, lead_id)).into_response()
}

/// Removes a status from a pipeline (204), or 404 when there is no such status.
async fn remove_status(
    State(sim): Sim,
    Path((subdomain, pipeline_id, status_id)): Path<(String, i64, i64)>,
) -> StatusCode {
    if sim.remove_status(&subdomain, pipeline_id, status_id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn stats(State(sim): Sim, Path(subdomain): Path<String>) -> Response {
    let (requests, count_429) = sim.counts(&subdomain);
    Json(json!({
        "max_requests_in_any_second": sim.max_requests_in_any_second(&subdomain),
        "count_429": count_429,
        "requests": requests,
        "connections": sim.connections_accepted(),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::super::RecordedRequest;
    use super::super::testkit::*;
    use serde_json::{Value, json};

    async fn get_json<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: String) -> T {
        http.get(url).send().await.unwrap().json().await.unwrap()
    }

    async fn post_json(http: &reqwest::Client, url: String, body: &Value) -> reqwest::Response {
        http.post(url).json(body).send().await.unwrap()
    }

    #[tokio::test]
    async fn control_api_sets_a_sending_bot_adds_users_and_reads_contacts() {
        let (_sim, client) = start(unlimited()).await;
        let http = &client.http;
        let ctl = |p: &str| format!("{}/__sim/{p}", client.root);
        let sends = http
            .post(ctl("bots/demo/401/sends-field"))
            .json(&json!({"field_id": 5003}))
            .send()
            .await
            .unwrap();
        assert_eq!(sends.status(), 204);
        let unknown_bot = http
            .post(ctl("bots/demo/999/sends-field"))
            .json(&json!({"field_id": 5003}))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown_bot.status(), 404);
        let text =
            json!({"custom_fields_values": [{"field_id": 5003, "values": [{"value": "Hola"}]}]});
        client.patch("/api/v4/leads/9001", &text).await;
        let run = json!({"entity_id": 9001, "entity_type": "leads"});
        client.post("/api/v4/bots/401/run", &run).await;
        let sent: Value = http
            .get(ctl("sent-messages/demo"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            sent,
            json!([{"bot_id": 401, "lead_id": 9001, "text": "Hola"}])
        );

        let user = json!({"id": 7_100_001, "name": "María José", "email": "mj@x.example", "is_active": false});
        let added = http
            .post(ctl("users/demo"))
            .json(&user)
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), 204);
        let nobody = http
            .post(ctl("users/nope"))
            .json(&user)
            .send()
            .await
            .unwrap();
        assert_eq!(nobody.status(), 404);
        let (_, _, users) = parts(client.get("/api/v4/users?limit=250").await).await;
        let names: Vec<&str> = users["_embedded"]["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"María José"), "{names:?}");

        let contact: Value = http
            .get(ctl("contacts/demo/8001"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(contact["name"], "Maria Gonzalez");
        assert_eq!(contact["_embedded"]["leads"][0]["id"], 9001);
        let missing = http.get(ctl("contacts/demo/1")).send().await.unwrap();
        assert_eq!(missing.status(), 404);
    }

    #[tokio::test]
    async fn control_api_round_trip() {
        let (sim, client) = start(unlimited()).await;
        let http = &client.http;
        let ctl = |p: &str| format!("{}/__sim/{p}", client.root);
        let ok = |r: reqwest::Response| assert_eq!(r.status(), 204);
        ok(post_json(
            http,
            ctl("accounts"),
            &json!({"subdomain":"acme","token":"t2"}),
        )
        .await);
        let acme = |p: &str| format!("{}/acme{p}", client.root);
        assert_eq!(
            http.get(acme("/api/v4/account"))
                .bearer_auth("t2")
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        // config: missing leads become 404, then the rate limit is set and lifted
        ok(post_json(http, ctl("config"), &json!({"missing_lead":"not_found"})).await);
        assert_eq!(client.get("/api/v4/leads/9999").await.status(), 404);
        ok(post_json(http, ctl("config"), &json!({"rate_limit":1})).await);
        assert_eq!(sim.state().rate_limit(), Some(1));
        ok(post_json(http, ctl("config"), &json!({"rate_limit":null})).await);
        assert_eq!(sim.state().rate_limit(), None);
        assert_eq!(sim.state().missing_lead(), super::MissingLead::NotFound);
        // faults: one, or an array
        ok(post_json(http, ctl("faults"), &json!({"status":503})).await);
        ok(post_json(
            http,
            ctl("faults"),
            &json!([{"status":502,"body":"html"},{"status":500}]),
        )
        .await);
        assert_eq!(client.get("/api/v4/account").await.status(), 503);
        assert_eq!(client.get("/api/v4/account").await.status(), 502);
        ok(http.delete(ctl("faults")).send().await.unwrap());
        assert_eq!(client.get("/api/v4/account").await.status(), 200);
        // writes visible through the control API
        assert_eq!(
            client
                .patch("/api/v4/leads/9001", &json!({"status_id":2003}))
                .await
                .status(),
            200
        );
        let lead: Value = get_json(http, ctl("leads/demo/9001")).await;
        assert_eq!(lead["status_id"], 2003);
        assert_eq!(
            http.get(ctl("leads/demo/9100"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        client
            .post(
                "/api/v4/leads/9001/notes",
                &json!([{"note_type":"common","params":{"text":"hi"}}]),
            )
            .await;
        let notes: Vec<Value> = get_json(http, ctl("notes/demo/9001")).await;
        assert_eq!(notes[0]["params"]["text"], "hi");
        // the request log and stats
        let log: Vec<RecordedRequest> = get_json(http, ctl("requests")).await;
        assert_eq!(log, sim.state().requests());
        assert_eq!(log.iter().filter(|r| r.subdomain == "demo").count(), 6);
        assert!(log.iter().all(|r| !r.path.starts_with("/__sim")));
        let stats: Value = get_json(http, ctl("stats/demo")).await;
        assert_eq!(
            (stats["requests"].clone(), stats["count_429"].clone()),
            (json!(6), json!(0))
        );
        assert!(stats["max_requests_in_any_second"].as_u64().unwrap() >= 1);
        assert!(stats["connections"].as_u64().unwrap() >= 1);
        ok(http.delete(ctl("requests")).send().await.unwrap());
        assert!(sim.state().requests().is_empty());
        ok(http.post(ctl("unblock")).send().await.unwrap());
        // a status removed through the control API is gone from the pipelines and from moves
        ok(http
            .delete(ctl("pipelines/demo/1001/statuses/2004"))
            .send()
            .await
            .unwrap());
        let gone = http
            .delete(ctl("pipelines/demo/1001/statuses/2004"))
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), 404);
        let pipelines: Value = client
            .get("/api/v4/leads/pipelines")
            .await
            .json()
            .await
            .unwrap();
        let sales: Vec<i64> = pipelines["_embedded"]["pipelines"][0]["_embedded"]["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        assert_eq!(sales, [2001, 2002, 2003, 142, 143]);
        assert_eq!(
            client
                .patch(
                    "/api/v4/leads/9002",
                    &json!({"pipeline_id":1001,"status_id":2004})
                )
                .await
                .status(),
            400
        );
        assert_eq!(
            http.post(ctl("config"))
                .json(&json!({"rate_limit":"x"}))
                .send()
                .await
                .unwrap()
                .status(),
            400
        );
    }
}

#[cfg(test)]
mod local_tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn only_a_local_host_and_origin_reach_the_control_routes() {
        let base = "http://127.0.0.1:8099";
        assert!(is_local(base, &headers(&[("host", "127.0.0.1:8099")])));
        assert!(is_local(base, &headers(&[("host", "localhost")])));
        assert!(is_local(base, &headers(&[("host", "[::1]:8099")])));
        assert!(is_local(
            base,
            &headers(&[
                ("host", "localhost:8099"),
                ("origin", "http://127.0.0.1:3000")
            ])
        ));
        assert!(!is_local(base, &headers(&[])));
        assert!(!is_local(base, &headers(&[("host", "evil.example:8099")])));
        assert!(!is_local(
            base,
            &headers(&[
                ("host", "127.0.0.1:8099"),
                ("origin", "https://evil.example")
            ])
        ));
        assert!(!is_local(
            base,
            &headers(&[("host", "127.0.0.1:8099"), ("origin", "null")])
        ));
        let lan = "http://10.0.0.5:8099";
        assert!(is_local(lan, &headers(&[("host", "10.0.0.5:8099")])));
        assert!(!is_local(lan, &headers(&[("host", "10.0.0.6:8099")])));
    }
}
