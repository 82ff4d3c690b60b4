//! Legacy HTTP+SSE against the built binary: the endpoint event, 202 and answers on the
//! stream, errors, headers of the GET and of each POST, and session cleanup.

use serde_json::{Value, json};

use crate::support::*;

const OTHER: &str = "beta";
const OTHER_TOKEN: &str = "beta-token-3b8e-never-print-me";
const THIRD: &str = "gamma";
const THIRD_TOKEN: &str = "gamma-token-91c0-never-print-me";

async fn server_for(sim: &kommo_sim::Simulator, env: &Isolated) -> HttpServer {
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

#[tokio::test]
async fn a_plain_tools_list_answers_exactly_what_rmcp_answers_plain_and_narrowed() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env).await;
    let mut client = SseClient::connect(&server, &[]).await;
    client.initialize().await;
    // `{}` takes the shortcut; a `cursor` of null is not plain, so rmcp answers it.
    let cached = client.request("tools/list", json!({}), &[]).await;
    let from_rmcp = client
        .request("tools/list", json!({"cursor": null}), &[])
        .await;
    assert_eq!(cached["result"], from_rmcp["result"]);
    assert_eq!(tool_names(&cached).len(), all_tools().len());
    let narrowed = client
        .request("tools/list", json!({}), &[("x-kommo-read-only", "true")])
        .await;
    let narrowed_by_rmcp = client
        .request(
            "tools/list",
            json!({"cursor": null}),
            &[("x-kommo-read-only", "true")],
        )
        .await;
    assert_eq!(narrowed["result"], narrowed_by_rmcp["result"]);
    let readers: Vec<&str> = kommo_mcp::testing::ToolName::ALL
        .iter()
        .filter(|tool| tool.is_read_only())
        .map(|tool| tool.as_str())
        .collect();
    assert_eq!(tool_names(&narrowed), readers);
}

#[tokio::test]
async fn endpoint_event_then_answers_on_the_stream() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env).await;
    let mut client = SseClient::connect(&server, &[]).await;
    assert!(
        client.endpoint.starts_with("/sse/message?sessionId="),
        "{}",
        client.endpoint
    );
    client.initialize().await;
    let list = client.request("tools/list", json!({}), &[]).await;
    assert_eq!(tool_names(&list).len(), all_tools().len());
    let answer = client
        .call("resume_agent", json!({"lead_id": LEAD}), &[])
        .await;
    assert_eq!(
        first_text(&answer["result"]),
        "Agent successfully resumed for the specified lead."
    );
    assert_eq!(
        writes(&sim)[0].body,
        Some(
            json!({"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": false}]}]})
        )
    );
    // An open session between requests holds no running service: each message is answered
    // on its own, so an idle stream costs its connection and little more.
    let health = server.health().await;
    assert_eq!(
        (
            health["sse_sessions"].as_u64(),
            health["sse_services"].as_u64()
        ),
        (Some(1), Some(0))
    );
}

/// An open SSE stream between requests is its connection and a sender, not a running
/// service: 20 initialized streams add about one task each (their connections).
#[tokio::test]
async fn open_idle_streams_hold_no_service_task() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env).await;
    let tasks = |health: &Value| health["tasks"].as_u64().expect("a task count");
    let before = tasks(&server.health().await);
    let mut clients = Vec::new();
    for _ in 0..20 {
        let mut client = SseClient::connect(&server, &[]).await;
        client.initialize().await;
        clients.push(client);
    }
    let health = server.health().await;
    assert_eq!(health["sse_sessions"], 20);
    assert!(
        tasks(&health) <= before + 20 + 4,
        "tasks grew from {before} to {} with 20 idle streams",
        tasks(&health)
    );
    for client in &mut clients {
        let list = client.request("tools/list", json!({}), &[]).await;
        assert_eq!(tool_names(&list).len(), all_tools().len());
    }
}

#[tokio::test]
async fn unknown_session_is_404_and_a_malformed_body_400() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env).await;
    let unknown = server
        .http
        .post(server.url("/sse/message?sessionId=0000"))
        .header("content-type", "application/json")
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let client = SseClient::connect(&server, &[]).await;
    for body in [json!("not json {"), json!({"hello": "world"})] {
        let text = body
            .as_str()
            .map_or_else(|| body.to_string(), str::to_owned);
        let response = server
            .http
            .post(format!("{}{}", server.base, client.endpoint))
            .header("content-type", "application/json")
            .body(text)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], -32700);
    }
}

#[tokio::test]
async fn get_headers_apply_to_the_session_and_post_headers_override_them() {
    let sim = simulator().await;
    sim.state().add_demo_account(OTHER, OTHER_TOKEN);
    sim.state().add_demo_account(THIRD, THIRD_TOKEN);
    let env = Isolated::new();
    let server = server_for(&sim, &env).await;
    let mut client = SseClient::connect(
        &server,
        &[
            ("KOMMO_ACCOUNT_SUBDOMAIN", OTHER),
            ("KOMMO_LONG_DURATION_TOKEN", OTHER_TOKEN),
            ("TOOLS_TO_USE", "get_lead,add_note"),
        ],
    )
    .await;
    client.initialize().await;
    assert_eq!(
        tool_names(&client.request("tools/list", json!({}), &[]).await),
        vec!["add_note", "get_lead"]
    );
    assert_eq!(
        tool_names(
            &client
                .request("tools/list", json!({}), &[("x-kommo-tools", "add_note")])
                .await
        ),
        vec!["add_note"]
    );
    let on_beta = client.call("get_lead", json!({"lead_id": LEAD}), &[]).await;
    assert!(!is_error(&on_beta["result"]), "{on_beta}");
    let on_gamma = client
        .call(
            "add_note",
            json!({"lead_id": LEAD, "note": "x"}),
            &[("x-kommo-subdomain", THIRD), ("x-kommo-token", THIRD_TOKEN)],
        )
        .await;
    assert_eq!(first_text(&on_gamma["result"]), "Note added succesfully.");
    let back_on_beta = client.call("get_lead", json!({"lead_id": LEAD}), &[]).await;
    assert!(!is_error(&back_on_beta["result"]));
    let seen: Vec<(String, String)> = sim
        .state()
        .requests()
        .iter()
        .map(|r| {
            (
                r.subdomain.clone(),
                r.authorization.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            // get_lead: the lead, its contacts, the pipelines and the time zone
            (OTHER.to_owned(), format!("Bearer {OTHER_TOKEN}")),
            (OTHER.to_owned(), format!("Bearer {OTHER_TOKEN}")),
            (OTHER.to_owned(), format!("Bearer {OTHER_TOKEN}")),
            (OTHER.to_owned(), format!("Bearer {OTHER_TOKEN}")),
            (THIRD.to_owned(), format!("Bearer {THIRD_TOKEN}")),
            (THIRD.to_owned(), format!("Bearer {THIRD_TOKEN}")),
            (OTHER.to_owned(), format!("Bearer {OTHER_TOKEN}")),
            (OTHER.to_owned(), format!("Bearer {OTHER_TOKEN}")),
        ]
    );
    let stderr = server.stderr();
    assert!(
        !stderr.contains(OTHER_TOKEN) && !stderr.contains(THIRD_TOKEN) && !stderr.contains(TOKEN)
    );
}

#[tokio::test]
async fn invalid_headers_on_sse_are_400_and_reach_no_kommo() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env).await;
    let get = server
        .http
        .get(server.url("/sse"))
        .header("x-kommo-tools", "drop_table")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 400);
    let mut client = SseClient::connect(&server, &[]).await;
    client.initialize().await;
    let call = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "get_lead", "arguments": {"lead_id": LEAD}}});
    let response = client
        .post(&call, &[("x-kommo-subdomain", "not/valid")])
        .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("invalid kommo_account_subdomain header"),
        "{body}"
    );
    assert!(sim.state().requests().is_empty());
}

#[tokio::test]
async fn sessions_end_with_their_streams_even_after_a_thousand_cycles() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env).await;
    let client = SseClient::connect(&server, &[]).await;
    let endpoint = client.endpoint.clone();
    assert_eq!(server.health().await["sse_sessions"], 1);
    drop(client);
    server
        .wait_health("the session to go", |h| {
            h["sse_sessions"] == 0 && h["sse_services"] == 0
        })
        .await;
    let stale = server
        .http
        .post(format!("{}{endpoint}", server.base))
        .header("content-type", "application/json")
        .body(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 404);

    for cycle in 0..1000 {
        let mut client = SseClient::connect(&server, &[]).await;
        if cycle % 100 == 0 {
            client.initialize().await;
        }
    }
    let health = server
        .wait_health("every session to go", |h| {
            h["sse_sessions"] == 0 && h["sse_services"] == 0
        })
        .await;
    assert_eq!(health["calls_in_flight"], 0);
    let (status, _) = server.stop().await;
    assert!(status.success());
}
