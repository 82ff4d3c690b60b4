//! Coalescing across replicas: three `serve --http` replicas sharing one real Redis, the
//! same account at Kommo's 7 requests per second (the simulator's limit on), and many
//! concurrent `move_lead` and `add_note` callers spread over them on streamable-HTTP
//! sessions: every call succeeds, Kommo never answers 429, no 1-second window holds more
//! than 7 requests, and the replicas' batches carried the calls.

use futures::future::join_all;
use kommo_sim::SimulatorOptions;
use serde_json::{Value, json};

use crate::redis::{busiest_second, replicas, result_of, session_call, stop_all};
use crate::support::{
    Isolated, McpClient, SUBDOMAIN, first_text, is_error, redis::RedisServer, simulator_with,
};

const CALLERS: usize = 150;
const LEADS: usize = 75;

#[tokio::test]
async fn replicas_on_one_redis_coalesce_every_call_within_kommos_limit() {
    let sim = simulator_with(SimulatorOptions::default()).await;
    let leads = sim.state().add_leads(SUBDOMAIN, LEADS);
    let redis = RedisServer::start().await;
    let env = Isolated::new();
    let servers = replicas(&sim, &env, Some(&redis), 3, &["--coalesce=true"]).await;
    let mut sessions = Vec::new();
    for server in &servers {
        sessions.push(McpClient::initialize(server).await);
    }
    let calls: Vec<(&str, Value)> = (0..CALLERS)
        .map(|i| {
            let lead = leads[i % LEADS];
            let status = [2002, 2003][i / LEADS % 2];
            match i % 2 {
                0 => (
                    "move_lead",
                    json!({"lead_id": lead, "pipeline_id": 1001, "status_id": status}),
                ),
                _ => (
                    "add_note",
                    json!({"lead_id": lead, "note": format!("caller {i}")}),
                ),
            }
        })
        .collect();
    let answers: Vec<Value> = join_all(calls.iter().enumerate().map(|(i, (tool, arguments))| {
        let session = &sessions[i % sessions.len()];
        session_call(session, 1000 + i as i64, tool, arguments.clone())
    }))
    .await
    .into_iter()
    .map(result_of)
    .collect();
    for (i, answer) in answers.iter().enumerate() {
        assert!(
            !is_error(answer),
            "call {i} ({}) failed: {answer}",
            calls[i].0
        );
    }
    let noted = answers
        .iter()
        .filter(|a| first_text(a).starts_with("Note added"))
        .count();
    assert_eq!(noted, CALLERS / 2);
    let stored: usize = leads
        .iter()
        .map(|&lead| sim.state().notes(SUBDOMAIN, lead).len())
        .sum();
    assert_eq!(stored, CALLERS / 2, "every note written once");
    let requests = sim.state().requests();
    assert_eq!(sim.state().count_429(), 0, "Kommo answered 429");
    let times: Vec<u64> = requests.iter().map(|r| r.at_ms).collect();
    let busiest = busiest_second(&times);
    assert!(busiest <= 7, "{busiest} requests within one second");
    assert!(sim.state().max_requests_in_any_second(SUBDOMAIN) <= 7);
    let carried = |method: &str, path: &str| {
        requests
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .filter_map(|r| r.body.as_ref().and_then(Value::as_array))
            .map(Vec::len)
            .sum::<usize>()
    };
    assert!(
        carried("POST", "/api/v4/leads/notes") > CALLERS / 4,
        "most notes went in batches: {} of {}",
        carried("POST", "/api/v4/leads/notes"),
        CALLERS / 2
    );
    assert!(
        requests.len() < CALLERS,
        "{} Kommo requests for {CALLERS} calls (each costs two alone)",
        requests.len()
    );
    drop(sessions);
    stop_all(servers).await;
}
