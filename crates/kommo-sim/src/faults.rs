//! Misbehaviour on demand: injected faults (error statuses, odd bodies, delays, dropped
//! connections) and Kommo's per-account rate limit with its 403 block.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::StatusCode;
use serde::{Deserialize, Serialize};

use super::problem;
use super::sync::lock;

fn one() -> u32 {
    1
}

/// One injected fault; the field comments say what each does.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fault {
    /// Match only this method (e.g. "POST").
    #[serde(default)]
    pub method: Option<String>,
    /// Match only paths (without the subdomain prefix) containing this.
    #[serde(default)]
    pub path_contains: Option<String>,
    /// How many matching requests it applies to (then it is removed).
    #[serde(default = "one")]
    pub times: u32,
    /// Answer this status instead of the real handler.
    #[serde(default)]
    pub status: Option<u16>,
    /// The body sent with `status`.
    #[serde(default)]
    pub body: FaultBody,
    /// Sleep this long first.
    #[serde(default)]
    pub delay_ms: u64,
    /// Run the real handler (apply the write) before answering with the fault.
    #[serde(default)]
    pub process: bool,
    /// Drop the connection without an HTTP answer.
    #[serde(default)]
    pub reset: bool,
    /// For status 429: the body's `retry_after`.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// For status 429: send a `Retry-After` header with this value.
    #[serde(default)]
    pub retry_after_header: Option<u64>,
}

impl Default for Fault {
    fn default() -> Fault {
        Fault {
            method: None,
            path_contains: None,
            times: 1,
            status: None,
            body: FaultBody::Problem,
            delay_ms: 0,
            process: false,
            reset: false,
            retry_after: None,
            retry_after_header: None,
        }
    }
}

/// The body an injected status comes with.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultBody {
    /// The documented problem+json for that status.
    #[default]
    Problem,
    /// "<html><body><h1>502 Bad Gateway</h1></body></html>" as text/html.
    Html,
    /// No body, no content type.
    Empty,
    /// A JSON document cut short.
    TruncatedJson,
    /// This JSON value.
    Json(serde_json::Value),
}

impl Fault {
    fn matches(&self, method: &str, path: &str) -> bool {
        self.times > 0
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }

    /// Whether this fault replaces the real answer (rather than only delaying it).
    pub(crate) fn replaces_answer(&self) -> bool {
        self.reset || self.status.is_some() || !matches!(self.body, FaultBody::Problem)
    }

    /// The answer this fault sends (for `reset`, a body that errors so the connection drops).
    pub(crate) fn response(&self, retry_after: u64, retry_after_header: bool) -> Response {
        if self.reset {
            let failing = futures::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("simulated connection reset"))
            });
            return Response::new(Body::from_stream(failing));
        }
        let code = self.status.unwrap_or(200);
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match &self.body {
            FaultBody::Problem => {
                let retry = self.retry_after.unwrap_or(retry_after);
                let header = self
                    .retry_after_header
                    .or(retry_after_header.then_some(retry));
                problem::documented(status, retry, header)
            }
            FaultBody::Html => problem::with_body(
                status,
                Some("text/html"),
                Body::from(problem::BAD_GATEWAY_HTML),
            ),
            FaultBody::Empty => problem::with_body(status, None, Body::empty()),
            FaultBody::TruncatedJson => problem::with_body(
                status,
                Some(problem::json_content_type(status)),
                Body::from(r#"{"id":9001,"name":"Maria Gonz"#),
            ),
            FaultBody::Json(value) => match serde_json::to_vec(value) {
                Ok(bytes) => problem::with_body(
                    status,
                    Some(problem::json_content_type(status)),
                    Body::from(bytes),
                ),
                Err(_) => problem::internal_error(),
            },
        }
    }
}

/// The queue of pending faults; `armed` lets the hot path skip the lock when it is empty.
#[derive(Default)]
pub(crate) struct FaultList {
    armed: AtomicUsize,
    faults: Mutex<Vec<Fault>>,
}

impl FaultList {
    pub(crate) fn push(&self, fault: Fault) {
        let mut faults = lock(&self.faults);
        faults.push(fault);
        self.armed.store(faults.len(), Ordering::Release);
    }

    pub(crate) fn clear(&self) {
        let mut faults = lock(&self.faults);
        faults.clear();
        self.armed.store(0, Ordering::Release);
    }

    /// The first fault matching this request, with one use consumed.
    pub(crate) fn take(&self, method: &str, path: &str) -> Option<Fault> {
        if self.armed.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut faults = lock(&self.faults);
        let index = faults.iter().position(|f| f.matches(method, path))?;
        let fault = faults[index].clone();
        faults[index].times -= 1;
        if faults[index].times == 0 {
            faults.remove(index);
        }
        self.armed.store(faults.len(), Ordering::Release);
        Some(fault)
    }
}

/// What the limiter decided for one request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    Allowed,
    Limited,
    Blocked,
}

/// One account's rolling one-second window, consecutive-429 count and block flag.
#[derive(Default)]
pub(crate) struct Limiter {
    window: VecDeque<u64>,
    consecutive_429: u32,
    blocked: bool,
}

impl Limiter {
    /// Counts a request arriving at `at_ms` and decides whether it may proceed.
    pub(crate) fn admit(&mut self, at_ms: u64, limit: Option<u32>) -> Admission {
        while self
            .window
            .front()
            .is_some_and(|&t| at_ms.saturating_sub(t) >= 1000)
        {
            self.window.pop_front();
        }
        self.window.push_back(at_ms);
        if self.blocked {
            return Admission::Blocked;
        }
        match limit {
            Some(limit) if self.window.len() > limit as usize => Admission::Limited,
            _ => Admission::Allowed,
        }
    }

    /// Notes the status actually answered: 429s accumulate towards a block, others reset.
    pub(crate) fn answered(&mut self, status: u16, block_after: Option<u32>) {
        if status == 429 {
            self.consecutive_429 = self.consecutive_429.saturating_add(1);
            if block_after.is_some_and(|n| self.consecutive_429 >= n) {
                self.blocked = true;
            }
        } else {
            self.consecutive_429 = 0;
        }
    }

    pub(crate) fn reset(&mut self) {
        *self = Limiter::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_rolls_and_blocks() {
        let mut l = Limiter::default();
        for i in 0..7 {
            assert_eq!(l.admit(i, Some(7)), Admission::Allowed);
        }
        assert_eq!(l.admit(999, Some(7)), Admission::Limited);
        l.answered(429, Some(2));
        // 1000 ms after the first request it has left the window (but 7 others remain)
        assert_eq!(l.admit(1000, Some(7)), Admission::Limited);
        l.answered(429, Some(2));
        assert_eq!(l.admit(5000, Some(7)), Admission::Blocked);
        l.reset();
        assert_eq!(l.admit(5001, Some(7)), Admission::Allowed);
        assert_eq!(l.admit(5002, None), Admission::Allowed);
    }

    #[test]
    fn non_429_resets_the_streak() {
        let mut l = Limiter::default();
        l.answered(429, Some(2));
        l.answered(200, Some(2));
        l.answered(429, Some(2));
        assert!(!l.blocked);
        l.answered(429, Some(2));
        assert!(l.blocked);
    }

    #[test]
    fn faults_match_in_order_and_expire() {
        let list = FaultList::default();
        list.push(Fault {
            method: Some("POST".into()),
            path_contains: Some("/notes".into()),
            times: 2,
            status: Some(500),
            ..Fault::default()
        });
        list.push(Fault {
            status: Some(502),
            ..Fault::default()
        });
        assert_eq!(
            list.take("post", "/api/v4/leads/1/notes").unwrap().status,
            Some(500)
        );
        assert_eq!(
            list.take("GET", "/api/v4/leads/1").unwrap().status,
            Some(502)
        );
        assert_eq!(
            list.take("POST", "/api/v4/leads/1/notes").unwrap().status,
            Some(500)
        );
        assert!(list.take("POST", "/api/v4/leads/1/notes").is_none());
    }

    #[test]
    fn fault_deserializes_with_defaults() {
        let f: Fault = serde_json::from_str(r#"{"status":429,"body":{"json":{"a":1}}}"#).unwrap();
        assert_eq!(f.times, 1);
        assert!(matches!(f.body, FaultBody::Json(_)));
        let f: Fault = serde_json::from_str(r#"{"reset":true,"body":"truncated_json"}"#).unwrap();
        assert!(f.reset && matches!(f.body, FaultBody::TruncatedJson));
    }
}

#[cfg(test)]
mod http_tests {
    use super::super::SimulatorOptions;
    use super::super::testkit::*;
    use super::*;
    use serde_json::json;
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn status_faults_send_documented_problems() {
        let (sim, client) = start(unlimited()).await;
        let state = sim.state();
        state.push_fault(Fault {
            status: Some(500),
            ..Fault::default()
        });
        let (status, ct, body) = parts(client.get("/api/v4/leads/9001").await).await;
        assert_eq!(
            (status, ct.as_deref()),
            (500, Some("application/problem+json"))
        );
        assert_eq!(body["title"], "ErrInternalServer");
        assert!(body["trace_id"].is_string() && body.get("type").is_none());
        state.push_fault(Fault {
            status: Some(402),
            ..Fault::default()
        });
        assert_eq!(
            parts(client.get("/api/v4/leads/9001").await).await.2["detail"],
            "Payment required"
        );
        state.push_fault(Fault {
            status: Some(429),
            retry_after: Some(300),
            retry_after_header: Some(2),
            ..Fault::default()
        });
        let limited = client.get("/api/v4/account").await;
        assert_eq!(limited.headers()["retry-after"], "2");
        assert_eq!(parts(limited).await.2["retry_after"], 300);
        // used up: the next answer is normal
        assert_eq!(client.get("/api/v4/leads/9001").await.status(), 200);
        let statuses: Vec<u16> = state.requests().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [500, 402, 429, 200]);
        assert_eq!(state.count_429(), 1);
    }

    #[tokio::test]
    async fn body_faults_html_empty_truncated_json() {
        let (sim, client) = start(unlimited()).await;
        let state = sim.state();
        state.push_fault(Fault {
            status: Some(502),
            body: FaultBody::Html,
            ..Fault::default()
        });
        state.push_fault(Fault {
            status: Some(504),
            body: FaultBody::Empty,
            ..Fault::default()
        });
        state.push_fault(Fault {
            status: Some(200),
            body: FaultBody::TruncatedJson,
            ..Fault::default()
        });
        state.push_fault(Fault {
            status: Some(400),
            body: FaultBody::Json(json!({"errors":{"9001":"x"}})),
            ..Fault::default()
        });
        let html = client.get("/api/v4/leads/9001").await;
        assert_eq!(
            (
                html.status().as_u16(),
                html.headers()["content-type"].to_str().unwrap()
            ),
            (502, "text/html")
        );
        assert_eq!(html.text().await.unwrap(), problem::BAD_GATEWAY_HTML);
        let empty = client.get("/api/v4/leads/9001").await;
        assert_eq!(empty.status(), 504);
        assert!(empty.headers().get("content-type").is_none());
        assert!(empty.text().await.unwrap().is_empty());
        let truncated = client.get("/api/v4/leads/9001").await;
        assert_eq!(truncated.status(), 200);
        assert!(
            serde_json::from_str::<serde_json::Value>(&truncated.text().await.unwrap()).is_err()
        );
        let (status, ct, body) = parts(client.get("/api/v4/leads/9001").await).await;
        assert_eq!(
            (status, ct.as_deref(), body),
            (
                400,
                Some("application/problem+json"),
                json!({"errors":{"9001":"x"}})
            )
        );
    }

    #[tokio::test]
    async fn process_fault_applies_the_write_then_fails() {
        let (sim, client) = start(unlimited()).await;
        sim.state().push_fault(Fault {
            method: Some("PATCH".into()),
            status: Some(500),
            process: true,
            ..Fault::default()
        });
        // a GET does not match the PATCH-only fault
        assert_eq!(client.get("/api/v4/leads/9002").await.status(), 200);
        let response = client
            .patch("/api/v4/leads/9002", &json!({"status_id":2004}))
            .await;
        assert_eq!(response.status(), 500);
        assert_eq!(sim.state().lead(SUB, 9002).unwrap()["status_id"], 2004);
    }

    #[tokio::test]
    async fn delay_then_normal_answer() {
        let (sim, client) = start(unlimited()).await;
        sim.state().push_fault(Fault {
            delay_ms: 120,
            ..Fault::default()
        });
        let started = Instant::now();
        assert_eq!(client.get("/api/v4/leads/9001").await.status(), 200);
        assert!(started.elapsed() >= Duration::from_millis(120));
    }

    #[tokio::test]
    async fn a_slow_processed_write_is_applied_even_when_the_client_gives_up() {
        let (sim, client) = start(unlimited()).await;
        sim.state().push_fault(Fault {
            path_contains: Some("/notes".into()),
            delay_ms: 2_000,
            process: true,
            ..Fault::default()
        });
        let note = json!([{"note_type":"common","params":{"text":"slow answer"}}]);
        let result = client
            .req(reqwest::Method::POST, "/api/v4/leads/9001/notes")
            .json(&note)
            .timeout(Duration::from_millis(100))
            .send()
            .await;
        assert!(result.unwrap_err().is_timeout());
        assert_eq!(sim.state().notes(SUB, 9001).len(), 1);
    }

    #[tokio::test]
    async fn reset_is_a_transport_error() {
        let (sim, client) = start(unlimited()).await;
        sim.state().push_fault(Fault {
            path_contains: Some("/notes".into()),
            reset: true,
            process: true,
            ..Fault::default()
        });
        let note = json!([{"note_type":"common","params":{"text":"lost answer"}}]);
        let result = client
            .req(reqwest::Method::POST, "/api/v4/leads/9001/notes")
            .json(&note)
            .send()
            .await;
        assert!(result.is_err(), "{result:?}");
        // processed before the connection dropped; recorded with status 0
        assert_eq!(sim.state().notes(SUB, 9001).len(), 1);
        assert_eq!(sim.state().requests()[0].status, 0);
        assert_eq!(client.get("/api/v4/leads/9001").await.status(), 200);
    }

    #[tokio::test]
    async fn rate_limit_then_block_then_unblock() {
        let options = SimulatorOptions {
            block_after: Some(2),
            ..SimulatorOptions::default()
        };
        let (sim, client) = start(options).await;
        for _ in 0..7 {
            assert_eq!(client.get("/api/v4/leads/9001").await.status(), 200);
        }
        let (status, ct, body) = parts(client.get("/api/v4/leads/9001").await).await;
        assert_eq!(
            (status, ct.as_deref()),
            (429, Some("application/problem+json"))
        );
        assert_eq!(
            body,
            json!({"title":"Too Many Requests","type":"https://httpstatus.es/429","status":429,"detail":"You have sent too many requests in a given amount of time. Please try again later.","retry_after":1})
        );
        assert_eq!(client.get("/api/v4/leads/9001").await.status(), 429);
        let (status, _, body) = parts(client.get("/api/v4/account").await).await;
        assert_eq!(
            (status, body["detail"].as_str()),
            (
                403,
                Some("Your account or IP has been blocked for exceeding the request limit")
            )
        );
        let state = sim.state();
        assert_eq!(state.count_429(), 2);
        assert_eq!(state.max_requests_in_any_second(SUB), 10);
        state.unblock_all();
        assert_eq!(client.get("/api/v4/account").await.status(), 200);
        state.set_rate_limit(None);
        for _ in 0..10 {
            assert_eq!(client.get("/api/v4/account").await.status(), 200);
        }
    }

    #[tokio::test]
    async fn retry_after_header_option() {
        let options = SimulatorOptions {
            rate_limit: Some(1),
            retry_after_secs: 5,
            retry_after_header: true,
            ..SimulatorOptions::default()
        };
        let (_sim, client) = start(options).await;
        assert_eq!(client.get("/api/v4/account").await.status(), 200);
        let limited = client.get("/api/v4/account").await;
        assert_eq!(limited.headers()["retry-after"], "5");
        assert_eq!(parts(limited).await.2["retry_after"], 5);
    }
}
