//! `notifications/cancelled` on every transport (issue 24, item 3): a cancelled write
//! whose Kommo write has not been sent yet sends nothing (the simulator is slow to answer
//! the lead's read, so the cancel arrives first); the call answers that it was cancelled.

use std::time::Duration;

use kommo_sim::{Fault, Simulator};
use serde_json::{Value, json};

use crate::support::*;

/// Kommo answers reads of the lead after a delay, so a cancel sent meanwhile arrives
/// before the write.
fn slow_lead_reads(sim: &Simulator) {
    sim.state().push_fault(Fault {
        method: Some("GET".to_owned()),
        path_contains: Some(format!("/leads/{LEAD}")),
        delay_ms: 1_500,
        ..Fault::default()
    });
}

fn move_args() -> Value {
    json!({"name": "move_lead", "arguments": {"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}})
}

fn cancel(id: i64) -> Value {
    json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
           "params": {"requestId": id, "reason": "the user changed their mind"}})
}

fn assert_cancelled_and_nothing_written(sim: &Simulator, answer: &Value) {
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(
        answer["result"]["structuredContent"]["error"]["kind"], "cancelled",
        "{answer}"
    );
    assert!(writes(sim).is_empty(), "a cancelled call wrote to Kommo");
}

async fn http_server(sim: &Simulator, env: &Isolated) -> HttpServer {
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

#[tokio::test]
async fn a_cancel_on_mcp_stops_the_write_before_kommo() {
    let (sim, env) = (simulator().await, Isolated::new());
    slow_lead_reads(&sim);
    let server = http_server(&sim, &env).await;
    let client = McpClient::initialize(&server).await;
    let call = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": move_args()});
    let (answer, cancelled) = tokio::join!(
        async { http::messages(client.post(&call, &[]).await).await },
        async {
            tokio::time::sleep(Duration::from_millis(400)).await;
            client.post(&cancel(5), &[]).await.status()
        }
    );
    assert_eq!(cancelled, 202);
    let answer = answer
        .into_iter()
        .find(|m| m["id"] == 5)
        .expect("an answer");
    assert_cancelled_and_nothing_written(&sim, &answer);

    // Afterwards (the id is no longer in flight) a cancel is harmless and a write goes out.
    assert_eq!(client.post(&cancel(5), &[]).await.status(), 202);
    let mut client = client;
    let answer = client.request("tools/call", move_args(), &[]).await;
    assert_ne!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(writes(&sim).len(), 1);
}

#[tokio::test]
async fn a_cancel_on_sse_stops_the_write_before_kommo() {
    let (sim, env) = (simulator().await, Isolated::new());
    slow_lead_reads(&sim);
    let server = http_server(&sim, &env).await;
    let mut sse = SseClient::connect(&server, &[]).await;
    sse.initialize().await;
    let call = json!({"jsonrpc": "2.0", "id": 77, "method": "tools/call", "params": move_args()});
    assert_eq!(sse.post(&call, &[]).await.status(), 202);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(sse.post(&cancel(77), &[]).await.status(), 202);
    let answer = loop {
        let (_, data) = sse.next_event().await;
        let message: Value = serde_json::from_str(&data).unwrap();
        if message["id"] == 77 {
            break message;
        }
    };
    assert_cancelled_and_nothing_written(&sim, &answer);
}

#[tokio::test]
async fn a_cancel_on_stdio_stops_the_write_before_kommo() {
    let (sim, env) = (simulator().await, Isolated::new());
    slow_lead_reads(&sim);
    let mut client = client_for(&sim, &env).await;
    let id = client.send_request("tools/call", move_args()).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    client
        .notify("notifications/cancelled", json!({"requestId": id}))
        .await;
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    assert!(writes(&sim).is_empty(), "a cancelled call wrote to Kommo");
}
