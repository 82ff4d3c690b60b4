//! Protocol details on `/mcp` (issue 24, item 6): a failed `initialize` opens no session, a
//! second `initialize` in a session is refused, batches are answered only in sessions that
//! negotiated 2025-03-26 and refused with a JSON-RPC error (400, `"id": null`) elsewhere,
//! every error answer carries `"id"`, completions are not advertised and not answered, and
//! `ping` answers alike on every path.

use kommo_sim::Simulator;
use reqwest::Response;
use serde_json::{Value, json};

use crate::support::{http::messages, *};

async fn server_for(sim: &Simulator, env: &Isolated) -> HttpServer {
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

fn initialize(version: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": version, "capabilities": {},
        "clientInfo": {"name": "protocol-tests", "version": "1"}}})
}

/// A session opened with protocol `version`.
async fn session_with<'a>(server: &'a HttpServer, version: &str) -> McpClient<'a> {
    let mut client = McpClient::new(server);
    let response = client.post(&initialize(version), &[]).await;
    assert_eq!(response.status(), 200);
    client.session = response
        .headers()
        .get("mcp-session-id")
        .map(|v| v.to_str().unwrap().to_owned());
    assert!(client.session.is_some(), "a session was opened");
    let answer = messages(response).await;
    assert_eq!(answer[0]["result"]["protocolVersion"], version);
    client
}

/// The JSON-RPC error answer of a 400.
async fn refusal(response: Response) -> Value {
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["content-type"], "application/json");
    let answer: Value = response.json().await.unwrap();
    assert!(
        answer.get("id").is_some(),
        "an error answer carries id: {answer}"
    );
    assert_eq!(answer["jsonrpc"], "2.0");
    answer
}

#[tokio::test]
async fn a_failed_initialize_opens_no_session() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server_for(&sim, &env).await;
    let client = McpClient::new(&server);
    let broken = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25"}});
    let response = client.post(&broken, &[]).await;
    assert!(response.headers().get("mcp-session-id").is_none());
    let answer = messages(response).await;
    assert!(answer[0]["error"].is_object(), "{answer:?}");
    let health = server.health().await;
    assert_eq!(health["mcp_sessions"], 0, "{health}");
}

#[tokio::test]
async fn a_second_initialize_in_a_session_is_refused_with_its_id() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server_for(&sim, &env).await;
    let client = McpClient::initialize(&server).await;
    let mut again = initialize("2025-11-25");
    again["id"] = json!(41);
    let answer = refusal(client.post(&again, &[]).await).await;
    assert_eq!(answer["id"], 41);
    assert_eq!(answer["error"]["code"], -32600);
}

#[tokio::test]
async fn batches_are_answered_in_a_2025_03_26_session_only() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server_for(&sim, &env).await;
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "id": "two", "method": "tools/list"},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
    ]);

    let old = session_with(&server, "2025-03-26").await;
    let response = old
        .post(&batch, &[("mcp-protocol-version", "2025-03-26")])
        .await;
    assert_eq!(response.status(), 200);
    let answers: Vec<Value> = response.json().await.unwrap();
    assert_eq!(
        answers.len(),
        2,
        "one answer per request, none for the notification"
    );
    assert_eq!(answers[0]["id"], 1);
    assert_eq!(answers[0]["result"], json!({}));
    assert_eq!(answers[1]["id"], "two");
    assert_eq!(
        tool_names(&answers[1]).len(),
        all_tools().len(),
        "{answers:?}"
    );
    let only_notifications = json!([{"jsonrpc": "2.0", "method": "notifications/initialized"}]);
    let response = old.post(&only_notifications, &[]).await;
    assert_eq!(response.status(), 202);

    let new = McpClient::initialize(&server).await;
    let answer = refusal(new.post(&batch, &[]).await).await;
    assert_eq!(answer["id"], Value::Null);
    assert_eq!(answer["error"]["code"], -32600);
    let answer = refusal(server.bare_post(&batch, &[]).await).await;
    assert_eq!(answer["id"], Value::Null);
    assert!(sim.state().requests().is_empty(), "nothing reached Kommo");
}

#[tokio::test]
async fn every_error_answer_carries_an_id() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server_for(&sim, &env).await;
    let send = |body: &'static str| {
        server
            .http
            .post(server.url("/mcp"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let answer = refusal(send("{not json").await.unwrap()).await;
    assert_eq!(answer["id"], Value::Null);
    assert_eq!(answer["error"]["code"], -32700);
    let answer = refusal(send(r#"{"id":5,"method":7}"#).await.unwrap()).await;
    assert_eq!(answer["id"], 5);
    assert_eq!(answer["error"]["code"], -32600);
    let answer = refusal(send(r#"{"jsonrpc":"2.0","id":0.5}"#).await.unwrap()).await;
    assert_eq!(answer["id"], Value::Null);

    let client = McpClient::initialize(&server).await;
    let response = client
        .post(&json!({"id": "s", "nonsense": true}), &[])
        .await;
    assert_eq!(refusal(response).await["id"], "s");
}

#[tokio::test]
async fn completions_are_neither_advertised_nor_answered() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server_for(&sim, &env).await;
    let client = McpClient::new(&server);
    let response = client.post(&initialize("2025-11-25"), &[]).await;
    let answer = messages(response).await;
    let capabilities = &answer[0]["result"]["capabilities"];
    assert!(capabilities.get("completions").is_none(), "{capabilities}");
    let complete = json!({"jsonrpc": "2.0", "id": 3, "method": "completion/complete", "params": {
        "ref": {"type": "ref/prompt", "name": "any"}, "argument": {"name": "a", "value": "b"}}});
    let answer: Value = server.bare_post(&complete, &[]).await.json().await.unwrap();
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    assert_eq!(answer["id"], 3);
}

#[tokio::test]
async fn ping_answers_alike_in_a_session_bare_and_over_sse() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server_for(&sim, &env).await;
    let mut client = McpClient::initialize(&server).await;
    let in_session = client.request("ping", json!({}), &[]).await;
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    let bare: Value = server.bare_post(&ping, &[]).await.json().await.unwrap();
    let mut sse = SseClient::connect(&server, &[]).await;
    sse.initialize().await;
    let over_sse = sse.request("ping", json!({}), &[]).await;
    for answer in [&in_session, &bare, &over_sse] {
        assert_eq!(answer["result"], json!({}), "{answer}");
    }
}

#[tokio::test]
async fn an_in_session_tools_list_is_the_full_answer_of_every_other_path() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server_for(&sim, &env).await;
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let bare: Value = server.bare_post(&list, &[]).await.json().await.unwrap();
    for version in ["2025-03-26", "2025-06-18", "2025-11-25"] {
        let client = session_with(&server, version).await;
        let response = client
            .post(&list, &[("mcp-protocol-version", version)])
            .await;
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        assert_eq!(messages(response).await, vec![bare.clone()], "{version}");
    }
    let mut client = McpClient::initialize(&server).await;
    let narrowed = client.tool_names(&[("x-kommo-tools", "get_lead")]).await;
    assert_eq!(narrowed, vec!["get_lead"]);
    let paged = client
        .request("tools/list", json!({"cursor": "x"}), &[])
        .await;
    assert!(paged.get("id").is_some(), "{paged}");
}
