//! Kommo's rate limit as kommo-mcp must respect it: concurrent calls (over stdio and over
//! HTTP) stay under 7 requests per second, a 429 pauses the whole account for as long as Kommo asks, and a 403 after
//! 429s is reported as a block and never retried.

use std::time::Duration;

use kommo_sim::{Fault, SimulatorOptions};
use serde_json::json;

use crate::support::{kommo::*, *};

const LEAD_PATH: &str = "/api/v4/leads/9001";
const GET_LEAD_FAILED: &str = "Failed to get lead: Kommo did not return it.";

fn lead_429(retry_after: u64) -> Fault {
    Fault {
        method: Some("GET".into()),
        path_contains: Some(LEAD_PATH.into()),
        status: Some(429),
        retry_after: Some(retry_after),
        ..Fault::default()
    }
}

#[tokio::test]
async fn forty_concurrent_moves_through_one_server_never_trip_kommos_limit() {
    // The simulator enforces Kommo's 7 per second (and would answer 429).
    let sim = simulator_with(SimulatorOptions::default()).await;
    let env = Isolated::new();
    let mut command = env.command();
    command.args(account_args(&sim));
    let mut client = StdioClient::start(command).await;
    let results = client.call_concurrently(&concurrent_moves(40)).await;
    assert_moves_respected_the_limit(&sim, SUBDOMAIN, &results, 7);
    assert!(client.finish().await.status.success());
}

#[tokio::test]
async fn forty_concurrent_http_requests_through_one_server_never_trip_kommos_limit() {
    // The simulator enforces Kommo's 7 per second (and would answer 429).
    let sim = simulator_with(SimulatorOptions::default()).await;
    let env = Isolated::new();
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    // Forty separate HTTP requests in flight at once (bare JSON POSTs, no session), so the
    // calls meet only in the server's per-account limiter.
    let calls = concurrent_moves(40);
    let answers = futures::future::join_all(
        calls
            .iter()
            .map(|(tool, arguments)| server.bare_call(tool, arguments.clone(), &[])),
    )
    .await;
    let results: Vec<_> = answers
        .iter()
        .map(|answer| {
            assert!(answer.get("error").is_none(), "protocol error: {answer}");
            answer["result"].clone()
        })
        .collect();
    assert_moves_respected_the_limit(&sim, SUBDOMAIN, &results, 7);
    let (status, stderr) = server.stop().await;
    assert!(status.success(), "{stderr}");
    assert!(!stderr.contains(TOKEN));
}

#[tokio::test]
async fn a_429_with_retry_after_in_the_body_is_retried_after_that_wait() {
    let sim = simulator().await;
    sim.state().push_fault(lead_429(1));
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    let result = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert!(!is_error(&result), "{result}");
    let reads = requests_to(&sim, "GET", LEAD_PATH);
    assert_eq!(
        reads.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![429, 200]
    );
    assert!(
        reads[1].at_ms - reads[0].at_ms >= 999,
        "waited retry_after: {reads:?}"
    );
    finish_redacted(client).await;
}

#[tokio::test]
async fn a_429_with_a_retry_after_header_is_retried_after_that_wait() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        retry_after_header: Some(2),
        ..lead_429(0)
    });
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    let result = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert!(!is_error(&result), "{result}");
    let reads = requests_to(&sim, "GET", LEAD_PATH);
    assert_eq!(
        reads.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![429, 200]
    );
    assert!(
        reads[1].at_ms - reads[0].at_ms >= 1_999,
        "waited the header's 2 s: {reads:?}"
    );
    finish_redacted(client).await;
}

#[tokio::test]
async fn a_429_pauses_every_call_on_the_account() {
    let sim = simulator().await;
    sim.state().push_fault(lead_429(3));
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    let first = client
        .send_request(
            "tools/call",
            json!({"name": "get_lead", "arguments": {"lead_id": LEAD}}),
        )
        .await;
    // Once Kommo has answered the first call with a 429, start a second call on another lead.
    while sim.state().count_429() == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = client
        .send_request(
            "tools/call",
            json!({"name": "get_lead", "arguments": {"lead_id": 9002}}),
        )
        .await;
    for id in [first, second] {
        let answer = client.wait_for(id).await;
        assert!(!is_error(&answer["result"]), "{answer}");
    }
    let requests = sim.state().requests();
    let throttled_at = requests
        .iter()
        .find(|r| r.status == 429)
        .map(|r| r.at_ms)
        .unwrap();
    let other = requests
        .iter()
        .find(|r| r.path == "/api/v4/leads/9002")
        .expect("the second call read its lead");
    assert!(
        other.at_ms - throttled_at >= 2_999,
        "the other call waited out the 3 s pause: {requests:?}"
    );
    assert_eq!(sim.state().count_429(), 1);
    finish_redacted(client).await;
}

#[tokio::test]
async fn a_429_asking_to_wait_past_the_deadline_is_reported_and_holds_the_account() {
    let sim = simulator().await;
    sim.state().push_fault(lead_429(300));
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    let started = std::time::Instant::now();
    let result = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert_failure(
        &result,
        GET_LEAD_FAILED,
        "429 Too Many Requests) and it asks to wait 300 s",
    );
    assert_eq!(result["structuredContent"]["error"]["kind"], "rate_limited");
    // Later calls on the account are refused here, without sending Kommo anything.
    let result = client
        .call(
            "move_lead",
            json!({"lead_id": 9002, "pipeline_id": 1001, "status_id": 2004}),
        )
        .await;
    assert_failure(
        &result,
        "Failed to move lead: Kommo did not accept the update request.",
        "429 Too Many Requests) and it asks to wait ",
    );
    let text = all_text(&result);
    let left: u64 = text
        .split("wait ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        (280..=300).contains(&left),
        "what is left of Kommo's 300 s: {text}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "not waited on: {:?}",
        started.elapsed()
    );
    assert_eq!(request_lines(&sim), vec![format!("GET {LEAD_PATH}")]);
    finish_redacted(client).await;
}

#[tokio::test]
async fn a_403_after_429s_is_the_block_sentence_and_is_not_retried() {
    let sim = simulator().await;
    sim.state().push_fault(lead_429(1));
    sim.state().push_fault(Fault {
        method: Some("GET".into()),
        status: Some(403),
        times: 10,
        ..Fault::default()
    });
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    let result = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert!(is_error(&result), "{result}");
    assert_eq!(first_text(&result), GET_LEAD_FAILED);
    assert_eq!(
        all_text(&result),
        format!(
            "{GET_LEAD_FAILED}\nKommo is refusing requests from this server (too many requests); wait before retrying"
        )
    );
    assert_eq!(result["structuredContent"]["error"]["kind"], "blocked");
    assert_eq!(result["structuredContent"]["error"]["status"], 403);
    let statuses: Vec<u16> = sim.state().requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![429, 403], "the 403 was not retried");
    // A later call meets the block again: still reported as a block, sent once.
    let result = client.call("get_lead", json!({"lead_id": 9002})).await;
    assert!(all_text(&result).ends_with(
        "Kommo is refusing requests from this server (too many requests); wait before retrying"
    ));
    assert_eq!(sim.state().requests().len(), 3);
    finish_redacted(client).await;
}
