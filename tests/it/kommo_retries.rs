//! What kommo-mcp sends again and what it never does: gateway errors, broken connections
//! and timeouts are retried for reads and the idempotent PATCH only; a note that may have
//! reached Kommo is never replayed; a hung Kommo gets the timeout reason in bounded time.

use std::time::{Duration, Instant};

use kommo_sim::{Fault, FaultBody};
use serde_json::json;

use crate::support::{kommo::*, *};

const LEAD_PATH: &str = "/api/v4/leads/9001";
const NOTES_PATH: &str = "/api/v4/leads/9001/notes";
const NOTE_FAILED: &str = "Error adding the note.";
const MOVE_FAILED: &str = "Failed to move lead: Kommo did not accept the update request.";

fn html(method: &str, path: &str, status: u16) -> Fault {
    Fault {
        method: Some(method.into()),
        path_contains: Some(path.into()),
        status: Some(status),
        body: FaultBody::Html,
        ..Fault::default()
    }
}

fn on_the_note(fault: Fault) -> Fault {
    Fault {
        method: Some("POST".into()),
        path_contains: Some("/notes".into()),
        process: true,
        ..fault
    }
}

#[tokio::test]
async fn gateway_errors_on_a_read_are_retried() {
    let sim = simulator().await;
    sim.state().push_fault(html("GET", LEAD_PATH, 502));
    sim.state().push_fault(html("GET", LEAD_PATH, 504));
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    let result = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert!(!is_error(&result), "{result}");
    let statuses: Vec<u16> = requests_to(&sim, "GET", LEAD_PATH)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![502, 504, 200], "two failures + one success");
    finish_redacted(client).await;
}

#[tokio::test]
async fn gateway_errors_and_a_reset_on_the_patch_are_retried() {
    let sim = simulator().await;
    sim.state().push_fault(html("PATCH", LEAD_PATH, 502));
    sim.state().push_fault(Fault {
        method: Some("PATCH".into()),
        reset: true,
        process: true,
        ..Fault::default()
    });
    sim.state().push_fault(html("PATCH", LEAD_PATH, 504));
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    let result = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2004}),
        )
        .await;
    assert!(!is_error(&result), "{result}");
    let statuses: Vec<u16> = requests_to(&sim, "PATCH", LEAD_PATH)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        vec![502, 0, 504, 200],
        "three failures (one a reset) + one success"
    );
    assert_eq!(
        sim.state().lead(SUBDOMAIN, LEAD).unwrap()["status_id"],
        2004
    );
    finish_redacted(client).await;
}

#[tokio::test]
async fn a_500_on_the_note_is_reported_and_never_replayed() {
    let sim = simulator().await;
    sim.state().push_fault(on_the_note(Fault {
        status: Some(500),
        ..Fault::default()
    }));
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    let result = client
        .call("add_note", json!({"lead_id": LEAD, "note": "only once"}))
        .await;
    assert_failure(&result, NOTE_FAILED, "Kommo failed with 500");
    assert_eq!(count(&sim, "POST", NOTES_PATH), 1);
    assert_eq!(
        sim.state().notes(SUBDOMAIN, LEAD).len(),
        1,
        "Kommo did write it; a replay would have doubled it"
    );
    finish_redacted(client).await;
}

#[tokio::test]
async fn a_gateway_error_on_the_note_is_reported_and_never_replayed() {
    let sim = simulator().await;
    sim.state()
        .push_fault(on_the_note(html("POST", "/notes", 502)));
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    let result = client
        .call("add_note", json!({"lead_id": LEAD, "note": "only once"}))
        .await;
    assert_failure(
        &result,
        NOTE_FAILED,
        "Kommo failed with 502: Kommo sent an HTML page instead of JSON",
    );
    assert_eq!(count(&sim, "POST", NOTES_PATH), 1);
    assert_eq!(sim.state().notes(SUBDOMAIN, LEAD).len(), 1);
    finish_redacted(client).await;
}

#[tokio::test]
async fn a_connection_reset_on_the_note_is_reported_and_never_replayed() {
    let sim = simulator().await;
    sim.state().push_fault(on_the_note(Fault {
        reset: true,
        ..Fault::default()
    }));
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    let result = client
        .call("add_note", json!({"lead_id": LEAD, "note": "only once"}))
        .await;
    assert_failure(
        &result,
        NOTE_FAILED,
        "the connection to Kommo broke before an answer arrived",
    );
    assert_eq!(count(&sim, "POST", NOTES_PATH), 1);
    assert_eq!(sim.state().notes(SUBDOMAIN, LEAD).len(), 1);
    finish_redacted(client).await;
}

#[tokio::test]
async fn a_timeout_on_the_note_is_reported_and_never_replayed() {
    let sim = simulator().await;
    sim.state().push_fault(on_the_note(Fault {
        delay_ms: 3_000,
        ..Fault::default()
    }));
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &["--request-timeout", "1"]).await;
    let result = client
        .call("add_note", json!({"lead_id": LEAD, "note": "only once"}))
        .await;
    assert_failure(&result, NOTE_FAILED, "Kommo did not answer in time");
    assert_eq!(result["structuredContent"]["error"]["kind"], "timeout");
    assert_eq!(count(&sim, "POST", NOTES_PATH), 1);
    assert_eq!(
        sim.state().notes(SUBDOMAIN, LEAD).len(),
        1,
        "Kommo did write it; a replay would have doubled it"
    );
    finish_redacted(client).await;
}

#[tokio::test]
async fn a_hung_kommo_gets_the_timeout_reason_in_bounded_time() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        method: Some("GET".into()),
        path_contains: Some(LEAD_PATH.into()),
        delay_ms: 3_000,
        times: 10,
        ..Fault::default()
    });
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &["--request-timeout", "1"]).await;
    let started = Instant::now();
    let result = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2004}),
        )
        .await;
    let took = started.elapsed();
    assert_failure(
        &result,
        MOVE_FAILED,
        "Kommo did not answer in time (no reply within 1 s)",
    );
    // The total deadline is twice the request timeout; allow a busy machine plenty more.
    assert!(took < Duration::from_secs(10), "answered after {took:?}");
    let reads = count(&sim, "GET", LEAD_PATH);
    assert!(
        (1..=2).contains(&reads),
        "a read that timed out is retried within the deadline: {reads}"
    );
    assert!(writes(&sim).is_empty());
    finish_redacted(client).await;
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported_with_the_reason() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args([
            "--base-url",
            &format!("http://127.0.0.1:{port}/{{subdomain}}"),
            "--subdomain",
            SUBDOMAIN,
            "--token",
            TOKEN,
        ])
        .args(["--log-level", "trace"])
        .env("RUST_LOG", "trace");
    let mut client = StdioClient::start(command).await;
    let result = client
        .call("add_note", json!({"lead_id": LEAD, "note": "never sent"}))
        .await;
    assert_failure(
        &result,
        NOTE_FAILED,
        &format!("could not connect to Kommo at 127.0.0.1:{port}: "),
    );
    let text = all_text(&result);
    assert!(text.to_lowercase().contains("connection refused"), "{text}");
    assert_eq!(result["structuredContent"]["error"]["kind"], "connect");
    let finished = finish_redacted(client).await;
    let attempts = finished
        .stderr
        .lines()
        .filter(|l| l.contains("kommo connection failed"))
        .count();
    assert_eq!(attempts, 4, "tried four times before giving up");
}
