//! HTTP mode against the built binary and the simulator: streamable HTTP sessions and
//! stateless mode, the bare JSON POST, /healthz, per-request account headers and their
//! security rules, auth, Host/Origin, the public-address refusal and graceful shutdown.

use kommo_sim::{Fault, Simulator};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

const OTHER: &str = "beta";
const OTHER_TOKEN: &str = "beta-token-3b8e-never-print-me";

async fn server_for(sim: &Simulator, env: &Isolated, extra: &[&str]) -> HttpServer {
    let mut command = http_command(env.command(), extra);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

/// The `Authorization` headers the simulator saw, per subdomain.
fn tokens_seen(sim: &Simulator, subdomain: &str) -> Vec<String> {
    sim.state()
        .requests()
        .iter()
        .filter(|r| r.subdomain == subdomain)
        .map(|r| r.authorization.clone().unwrap_or_default())
        .collect()
}

fn assert_secret_free(stderr: &str) {
    assert!(
        !stderr.contains(TOKEN),
        "the Kommo token leaked into stderr"
    );
    assert!(
        !stderr.contains(OTHER_TOKEN),
        "a header token leaked into stderr"
    );
}

#[tokio::test]
async fn session_flow_initialize_list_call_delete() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    let mut client = McpClient::initialize(&server).await;
    let session = client.session.clone().expect("a session id");
    assert_eq!(server.health().await["mcp_sessions"], 1);
    assert_eq!(client.tool_names(&[]).await.len(), all_tools().len());
    let answer = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}),
            &[],
        )
        .await;
    assert_eq!(
        first_text(&answer["result"]),
        "Lead successfully moved to the specified pipeline and status."
    );
    assert_eq!(
        request_lines(&sim).last().unwrap(),
        &format!("PATCH /api/v4/leads/{LEAD}")
    );
    assert_eq!(
        tokens_seen(&sim, SUBDOMAIN),
        vec![format!("Bearer {TOKEN}"); 3]
    );

    let deleted = server
        .http
        .delete(server.url("/mcp"))
        .headers(client.headers())
        .send()
        .await
        .unwrap();
    assert!(
        matches!(deleted.status().as_u16(), 200 | 204),
        "DELETE answered {}",
        deleted.status()
    );
    let after = client
        .post(
            &json!({"jsonrpc": "2.0", "id": 99, "method": "tools/list"}),
            &[],
        )
        .await;
    assert_eq!(after.status(), 404, "session {session} should be gone");
    assert_eq!(server.health().await["mcp_sessions"], 0);
    let (status, stderr) = server.stop().await;
    assert!(status.success(), "{stderr}");
    assert_secret_free(&stderr);
}

/// What keeps idle sessions cheap (about 3 kB each, BENCHMARKS.md): a session is a record,
/// not a running service, so opening many holds no task and every one still answers.
#[tokio::test]
async fn open_idle_sessions_hold_no_task_and_still_answer() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    let mut first = McpClient::initialize(&server).await;
    assert_eq!(first.tool_names(&[]).await.len(), all_tools().len());
    let tasks = |health: &Value| health["tasks"].as_u64().expect("a task count");
    let before = tasks(&server.health().await);
    let mut clients = Vec::new();
    for _ in 0..40 {
        clients.push(McpClient::initialize(&server).await);
    }
    let health = server.health().await;
    assert_eq!(health["mcp_sessions"], 41);
    // Connections the client keeps alive are tasks too; 40 sessions with a service each
    // would be 80 more.
    assert!(
        tasks(&health) <= before + 8,
        "tasks grew from {before} to {} with 40 idle sessions",
        tasks(&health)
    );
    for client in &mut clients {
        assert_eq!(client.tool_names(&[]).await.len(), all_tools().len());
    }
}

#[tokio::test]
async fn stateless_mode_answers_without_a_session() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &["--stateless"]).await;
    let mut client = McpClient::new(&server);
    let response = client.post(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}), &[]).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("mcp-session-id").is_none(),
        "stateless mode must not hand out sessions"
    );
    assert_eq!(client.tool_names(&[]).await.len(), all_tools().len());
    let answer = client.call("get_lead", json!({"lead_id": LEAD}), &[]).await;
    assert!(!is_error(&answer["result"]), "{answer}");
    let get = server
        .http
        .get(server.url("/mcp"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
    assert_eq!(server.health().await["mcp_sessions"], 0);
}

#[tokio::test]
async fn bare_json_post_gets_a_plain_json_answer() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    // As curl sends it: Content-Type and curl's own "Accept: */*".
    let response = server
        .bare_post(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
            &[],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["id"], 1);
    assert_eq!(tool_names(&answer), all_tools());
    let answer = server
        .bare_call(
            "add_note",
            json!({"lead_id": LEAD, "note": "Called back"}),
            &[],
        )
        .await;
    assert_eq!(answer["id"], 7);
    assert_eq!(first_text(&answer["result"]), "Note added succesfully.");
    assert_eq!(sim.state().notes(SUBDOMAIN, LEAD).len(), 1);

    // With no Accept header at all (a raw HTTP/1.1 request).
    let body = r#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#;
    let mut tcp = tokio::net::TcpStream::connect(server.authority())
        .await
        .unwrap();
    let raw = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.authority(),
        body.len()
    );
    tcp.write_all(raw.as_bytes()).await.unwrap();
    let mut reply = String::new();
    tcp.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        reply
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{reply}"
    );
    let json_body: Value = serde_json::from_str(reply.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(tool_names(&json_body).len(), all_tools().len());
    assert_eq!(
        server.health().await["mcp_sessions"],
        0,
        "bare requests open no session"
    );
}

#[tokio::test]
async fn healthz_needs_no_auth_and_calls_no_kommo() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &["--auth-token", "let-me-in"]).await;
    let response = server
        .http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let health: Value = response.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert!(sim.state().requests().is_empty(), "healthz reached Kommo");
}

#[tokio::test]
async fn auth_token_guards_every_route_but_healthz() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &["--auth-token", "let-me-in"]).await;
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    for (name, value) in [
        ("x-none", "none"),
        ("authorization", "Bearer wrong"),
        ("authorization", "Bearer let-me-in-2"),
        ("authorization", "Basic let-me-in"),
    ] {
        let response = server.bare_post(&list, &[(name, value)]).await;
        assert_eq!(response.status(), 401, "{name}: {value}");
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
    }
    let sse = server.http.get(server.url("/sse")).send().await.unwrap();
    assert_eq!(sse.status(), 401);
    let message = server
        .http
        .post(server.url("/sse/message?sessionId=x"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(message.status(), 401);
    let ok = server
        .bare_post(&list, &[("authorization", "Bearer let-me-in")])
        .await;
    assert_eq!(ok.status(), 200);
    assert!(sim.state().requests().is_empty());
    assert!(
        !server.stderr().contains("let-me-in"),
        "the auth token leaked into stderr"
    );

    // Without --auth-token the same request needs no Authorization.
    let open = server_for(&sim, &env, &[]).await;
    assert_eq!(open.bare_post(&list, &[]).await.status(), 200);
}

#[tokio::test]
async fn refuses_a_public_address_with_a_kommo_token_and_no_auth_token() {
    let sim = simulator().await;
    let env = Isolated::new();
    let public = |extra: &[&str]| {
        let mut command = env.command();
        command
            .args(["serve", "--http", "--listen", "0.0.0.0:0"])
            .args(extra)
            .args(account_args(&sim));
        command
    };
    let Err((status, stderr)) = HttpServer::try_start(public(&[])).await else {
        panic!("started on 0.0.0.0 with a Kommo token and no auth token");
    };
    assert_eq!(status.and_then(|s| s.code()), Some(2), "{stderr}");
    assert!(
        stderr.contains("--auth-token") && stderr.contains("--allow-unauthenticated"),
        "{stderr}"
    );
    assert_secret_free(&stderr);

    let allowed = HttpServer::start(public(&["--allow-unauthenticated"])).await;
    assert_eq!(allowed.health().await["status"], "ok");
    let with_auth = HttpServer::start(public(&["--auth-token", "let-me-in"])).await;
    assert_eq!(with_auth.health().await["status"], "ok");
    // No Kommo token of its own: nothing to protect.
    let mut command = env.command();
    command.args(["serve", "--http", "--listen", "0.0.0.0:0"]);
    HttpServer::start(command).await;
}

#[tokio::test]
async fn host_and_origin_are_checked_on_mcp_and_sse() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(
        &sim,
        &env,
        &[
            "--allowed-host",
            "mcp.example.com",
            "--allowed-origin",
            "https://app.example.com",
        ],
    )
    .await;
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string();
    let routes = |server: &HttpServer| {
        [
            server
                .http
                .post(server.url("/mcp"))
                .header("content-type", "application/json")
                .body(list.clone()),
            server.http.get(server.url("/sse")),
            server
                .http
                .post(server.url("/sse/message?sessionId=x"))
                .header("content-type", "application/json")
                .body("{}"),
        ]
    };
    for (name, value) in [
        ("host", "evil.example.com"),
        ("host", "evil.example.com:80"),
        ("origin", "http://evil.example.com"),
        ("origin", "null"),
    ] {
        for request in routes(&server) {
            let response = request.header(name, value).send().await.unwrap();
            assert_eq!(response.status(), 403, "{name}: {value}");
        }
    }
    for (name, value) in [
        ("host", "mcp.example.com"),
        ("origin", "https://app.example.com"),
        ("origin", "http://localhost:6274"),
    ] {
        let [mcp, _, message] = routes(&server);
        assert_eq!(
            mcp.header(name, value).send().await.unwrap().status(),
            200,
            "{name}: {value}"
        );
        assert_eq!(
            message.header(name, value).send().await.unwrap().status(),
            404,
            "{name}: {value}"
        );
    }
    assert!(sim.state().requests().is_empty());
}

#[tokio::test]
async fn two_accounts_at_once_each_with_its_own_token() {
    let sim = simulator().await;
    sim.state().add_demo_account(OTHER, OTHER_TOKEN);
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    let mut first = McpClient::initialize(&server).await;
    let mut second = McpClient::initialize(&server).await;
    let beta = [
        ("KOMMO_ACCOUNT_SUBDOMAIN", OTHER),
        ("KOMMO_LONG_DURATION_TOKEN", OTHER_TOKEN),
    ];
    let (own, other, bare) = tokio::join!(
        first.call("pause_agent", json!({"lead_id": LEAD}), &[]),
        second.call(
            "pause_agent",
            json!({"lead_id": LEAD}),
            &[
                ("x-kommo-subdomain", OTHER),
                ("x-kommo-token", OTHER_TOKEN),
                ("x-kommo-pause-field-id", "5001")
            ]
        ),
        server.bare_call(
            "add_note",
            json!({"lead_id": LEAD, "note": "beta note"}),
            &beta
        ),
    );
    for answer in [&own, &other] {
        assert_eq!(
            first_text(&answer["result"]),
            "Agent successfully paused for the specified lead.",
            "{answer}"
        );
    }
    assert_eq!(first_text(&bare["result"]), "Note added succesfully.");
    // The same session without headers is back on the server's own account.
    let again = second.call("get_lead", json!({"lead_id": LEAD}), &[]).await;
    assert!(!is_error(&again["result"]));
    let own_tokens = tokens_seen(&sim, SUBDOMAIN);
    let other_tokens = tokens_seen(&sim, OTHER);
    assert_eq!(
        own_tokens.len(),
        6,
        "pause (GET + PATCH) and get_lead (lead + contacts + pipelines + time zone) on acme"
    );
    assert!(
        own_tokens.iter().all(|t| t == &format!("Bearer {TOKEN}")),
        "{own_tokens:?}"
    );
    assert_eq!(
        other_tokens.len(),
        6,
        "pause (GET, the header's pause field checked against the custom fields — two pages \
         of 50 —, PATCH) and note (GET + POST) on beta"
    );
    assert!(
        other_tokens
            .iter()
            .all(|t| t == &format!("Bearer {OTHER_TOKEN}")),
        "{other_tokens:?}"
    );
    assert_eq!(sim.state().notes(OTHER, LEAD).len(), 1);
    assert!(sim.state().notes(SUBDOMAIN, LEAD).is_empty());
    let (status, stderr) = server.stop().await;
    assert!(status.success());
    assert_secret_free(&stderr);
}

#[tokio::test]
async fn tools_header_narrows_but_never_widens() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &["--tools", "move_lead,add_note"]).await;
    let mut client = McpClient::initialize(&server).await;
    assert_eq!(client.tool_names(&[]).await, vec!["add_note", "move_lead"]);
    assert_eq!(
        client
            .tool_names(&[("TOOLS_TO_USE", "add_note,get_lead")])
            .await,
        vec!["add_note"]
    );
    assert_eq!(
        client
            .tool_names(&[("x-kommo-tools", "[\"get_lead\",\"list_pipelines\"]")])
            .await,
        Vec::<String>::new()
    );
    let refused = client
        .call(
            "get_lead",
            json!({"lead_id": LEAD}),
            &[("x-kommo-tools", "get_lead")],
        )
        .await;
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tool not found"),
        "{refused}"
    );
    let narrowed = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}),
            &[("x-kommo-tools", "add_note")],
        )
        .await;
    assert!(
        narrowed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tool not found"),
        "{narrowed}"
    );
    let bare = server
        .bare_post(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
            &[("tools_to_use", "get_lead,add_note")],
        )
        .await;
    assert_eq!(tool_names(&bare.json().await.unwrap()), vec!["add_note"]);
    assert!(sim.state().requests().is_empty());
}

#[tokio::test]
async fn another_subdomain_without_its_own_token_is_refused() {
    let sim = simulator().await;
    sim.state().add_demo_account(OTHER, OTHER_TOKEN);
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    for headers in [
        vec![("x-kommo-subdomain", OTHER)],
        vec![
            ("KOMMO_ACCOUNT_SUBDOMAIN", OTHER),
            ("x-kommo-pause-field-id", "5001"),
        ],
    ] {
        let answer = server
            .bare_call("pause_agent", json!({"lead_id": LEAD}), &headers)
            .await;
        assert!(is_error(&answer["result"]), "{answer}");
        let text = all_text(&answer["result"]);
        assert!(
            text.contains("no Kommo token for account \"beta\""),
            "{text}"
        );
    }
    assert!(
        sim.state().requests().is_empty(),
        "nothing may reach Kommo: {:?}",
        request_lines(&sim)
    );
    assert!(tokens_seen(&sim, OTHER).is_empty());
}

#[tokio::test]
async fn a_pause_field_header_naming_no_checkbox_is_refused_like_the_argument() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    for (field, expected) in [
        ("5002", "is the select field"),
        ("4242", "is not a lead custom field"),
    ] {
        let answer = server
            .bare_call(
                "pause_agent",
                json!({"lead_id": LEAD}),
                &[("x-kommo-pause-field-id", field)],
            )
            .await;
        let result = &answer["result"];
        assert!(is_error(result), "{answer}");
        assert_eq!(
            first_text(result),
            "Failed to pause agent: Kommo did not accept the update request."
        );
        let reason = all_text(result);
        assert!(
            reason.contains(&format!("kommo_pause_field_id header's field {field}"))
                && reason.contains(expected)
                && reason.contains("(5001)"),
            "{reason}"
        );
    }
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
    let paused = server
        .bare_call(
            "pause_agent",
            json!({"lead_id": LEAD}),
            &[("x-kommo-pause-field-id", "5001")],
        )
        .await;
    assert!(!is_error(&paused["result"]), "{paused}");
    assert_eq!(writes(&sim).len(), 1);
}

#[tokio::test]
async fn accounts_table_token_serves_another_subdomain() {
    let sim = simulator().await;
    sim.state().add_demo_account(OTHER, OTHER_TOKEN);
    let env = Isolated::new();
    env.write_default_config(&format!(
        "[accounts.{OTHER}]\ntoken = \"{OTHER_TOKEN}\"\npause_field_id = 5001\n"
    ));
    let server = server_for(&sim, &env, &[]).await;
    let answer = server
        .bare_call(
            "pause_agent",
            json!({"lead_id": LEAD}),
            &[("x-kommo-subdomain", OTHER)],
        )
        .await;
    assert_eq!(
        first_text(&answer["result"]),
        "Agent successfully paused for the specified lead.",
        "{answer}"
    );
    assert_eq!(
        tokens_seen(&sim, OTHER),
        vec![format!("Bearer {OTHER_TOKEN}"); 2]
    );
    assert!(tokens_seen(&sim, SUBDOMAIN).is_empty());
    assert_secret_free(&server.stderr());
}

#[tokio::test]
async fn the_base_url_never_comes_from_a_request() {
    let sim = simulator().await;
    let decoy = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    let elsewhere = decoy.base_url_template();
    let answer = server
        .bare_call(
            "get_lead",
            json!({"lead_id": LEAD}),
            &[
                ("KOMMO_BASE_URL", &elsewhere),
                ("x-kommo-base-url", &elsewhere),
                ("base_url", &elsewhere),
            ],
        )
        .await;
    assert!(!is_error(&answer["result"]), "{answer}");
    assert_eq!(request_lines(&sim)[0], format!("GET /api/v4/leads/{LEAD}"));
    assert!(
        decoy.state().requests().is_empty(),
        "a request chose the base URL"
    );
}

#[tokio::test]
async fn invalid_header_values_are_400_and_reach_no_kommo() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    let client = McpClient::initialize(&server).await;
    let call = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "move_lead",
        "arguments": {"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}}});
    for (name, value, named) in [
        ("x-kommo-subdomain", "evil.com/x", "kommo_account_subdomain"),
        ("KOMMO_ACCOUNT_SUBDOMAIN", "a b", "kommo_account_subdomain"),
        ("x-kommo-tools", "drop_table", "tools_to_use"),
        ("TOOLS_TO_USE", "[\"move_lead\"", "tools_to_use"),
        ("x-kommo-pause-field-id", "abc", "kommo_pause_field_id"),
    ] {
        for response in [
            server.bare_post(&call, &[(name, value)]).await,
            client.post(&call, &[(name, value)]).await,
        ] {
            assert_eq!(response.status(), 400, "{name}: {value}");
            assert_eq!(response.headers()["content-type"], "application/json");
            let body: Value = response.json().await.unwrap();
            let message = body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains(&format!("invalid {named} header")),
                "{message}"
            );
            assert!(message.contains("Nothing was sent to Kommo"), "{message}");
        }
    }
    assert!(
        sim.state().requests().is_empty(),
        "{:?}",
        request_lines(&sim)
    );
}

#[tokio::test]
async fn sigterm_lets_a_call_in_flight_answer_then_exits_zero() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        path_contains: Some(format!("/leads/{LEAD}")),
        delay_ms: 2500,
        ..Fault::default()
    });
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    let mut client = McpClient::initialize(&server).await;
    let sse_client = SseClient::connect(&server, &[]).await;
    let slow = async { client.call("get_lead", json!({"lead_id": LEAD}), &[]).await };
    let stop = async {
        server
            .wait_health("a call in flight", |h| h["calls_in_flight"] == 1)
            .await;
        server.terminate();
    };
    let (answer, ()) = tokio::join!(slow, stop);
    assert!(!is_error(&answer["result"]), "{answer}");
    assert!(
        first_text(&answer["result"]).starts_with(&format!("Lead {LEAD} ")),
        "{answer}"
    );
    drop(sse_client);
    let (status, stderr) = server.wait().await;
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("1 tool call(s) in flight"), "{stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
}

/// The bare `tools/list` is answered from a cached serialized list; it must be the very
/// answer the MCP service gives (which a protocol-version header still routes to).
#[tokio::test]
async fn cached_bare_tools_list_is_exactly_the_mcp_services_answer() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    for (id, headers) in [
        (json!(1), vec![]),
        (
            json!("req-a"),
            vec![("x-kommo-tools", "add_note,move_lead")],
        ),
        (json!(-3), vec![("tools_to_use", "[]")]),
    ] {
        let list = json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"});
        let fast: Value = server
            .bare_post(&list, &headers)
            .await
            .json()
            .await
            .unwrap();
        let mut via_service = headers.clone();
        via_service.push(("mcp-protocol-version", "2025-03-26"));
        let slow: Value = server
            .bare_post(&list, &via_service)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(fast, slow, "headers {headers:?}");
        assert_eq!(fast["id"], id);
    }
    // A request with `_meta` or another method is not taken for a plain tools/list.
    let with_meta = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/list", "params": {"_meta": {"progressToken": 1}}});
    let answer: Value = server
        .bare_post(&with_meta, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tool_names(&answer).len(), all_tools().len());
    assert!(sim.state().requests().is_empty());
}
