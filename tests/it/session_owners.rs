//! Sessions and streams belong to the caller that opened them (issue 24, item 1): another
//! caller naming a session — on `/mcp` (POST, GET, DELETE) or `/sse/message` — is answered
//! exactly as for an unknown session, with client keys, with OAuth tokens and across
//! replicas sharing Redis; nothing it sends reaches Kommo, and the owner's session is
//! untouched.

use kommo_sim::Simulator;
use reqwest::Response;
use serde_json::{Value, json};

use crate::support::{
    issuer::{Issuer, SigningKey},
    redis::RedisServer,
    *,
};

const OTHER: &str = "beta";
const OTHER_TOKEN: &str = "beta-token-5a1e-never-print-me";
/// May act on the demo account only.
const ALICE_KEY: &str = "kmcp_alice-key-0c3f-never-print-me";
/// May act on any account.
const BOB_KEY: &str = "kmcp_bob-key-7d21-never-print-me";

fn keys_config(env: &Isolated) {
    let hash = kommo_mcp::commands::new_key::sha256_hex;
    env.write_default_config(&format!(
        "[accounts.{OTHER}]\ntoken = \"{OTHER_TOKEN}\"\n\n\
         [clients.alice]\nkey_sha256 = \"{}\"\naccounts = [\"{SUBDOMAIN}\"]\n\n\
         [clients.bob]\nkey_sha256 = \"{}\"\naccounts = [\"*\"]\n",
        hash(ALICE_KEY),
        hash(BOB_KEY),
    ));
}

async fn keyed_server(sim: &Simulator, env: &Isolated, extra: &[&str]) -> HttpServer {
    keys_config(env);
    let mut command = http_command(env.command(), extra);
    command
        .args(account_args(sim))
        .args(["--log-level", "kommo_mcp=debug"]);
    HttpServer::start(command).await
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

fn note_on_lead(id: i64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "add_note", "arguments": {"lead_id": LEAD, "note": "hijacked"}}})
}

/// Status, headers (but the per-request date and id) and body: what a prober could compare.
async fn seen(response: Response) -> (u16, Vec<(String, String)>, String) {
    let status = response.status().as_u16();
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id"))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    (status, headers, response.text().await.unwrap())
}

/// `method` on `/mcp` naming `session` with `key`.
async fn on_session(
    server: &HttpServer,
    method: reqwest::Method,
    session: &str,
    key: &str,
) -> Response {
    let mut request = server
        .http
        .request(method.clone(), server.url("/mcp"))
        .header("authorization", bearer(key))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-session-id", session)
        .header("mcp-protocol-version", "2025-11-25");
    if method == reqwest::Method::POST {
        request = request
            .header("content-type", "application/json")
            .body(note_on_lead(5).to_string());
    }
    request.send().await.unwrap()
}

/// Alice's POST, GET and DELETE naming `session` (Bob's) are answered exactly like the
/// same requests naming a session that does not exist.
async fn assert_foreign_session_is_unknown(server: &HttpServer, session: &str, key: &str) {
    for method in [
        reqwest::Method::POST,
        reqwest::Method::GET,
        reqwest::Method::DELETE,
    ] {
        let foreign = seen(on_session(server, method.clone(), session, key).await).await;
        let unknown = seen(on_session(server, method.clone(), "no-such-session", key).await).await;
        assert_eq!(foreign.0, 404, "{method}: {foreign:?}");
        assert_eq!(foreign, unknown, "{method}");
    }
}

#[tokio::test]
async fn a_client_key_cannot_use_stream_from_or_delete_another_clients_mcp_session() {
    let sim = simulator().await;
    sim.state().add_demo_account(OTHER, OTHER_TOKEN);
    let env = Isolated::new();
    let server = keyed_server(&sim, &env, &[]).await;
    let bob_auth = bearer(BOB_KEY);
    let mut bob =
        McpClient::initialize_with(&server, &[("authorization", bob_auth.as_str())]).await;
    let session = bob.session.clone().expect("a session");

    assert_foreign_session_is_unknown(&server, &session, ALICE_KEY).await;
    assert!(
        sim.state().requests().is_empty(),
        "a foreign session's request reached Kommo: {:?}",
        request_lines(&sim)
    );
    // Alice's DELETE did not close it: Bob's session still works, on any account he may use.
    let answer = bob
        .call(
            "get_lead",
            json!({"lead_id": LEAD}),
            &[("x-kommo-subdomain", OTHER)],
        )
        .await;
    assert!(!is_error(&answer["result"]), "{answer}");
    assert_eq!(server.health().await["mcp_sessions"], 1);
    let log = server.stderr();
    assert!(log.contains("alice"), "the refusals name the client: {log}");
    assert!(!log.contains(&session), "the log holds no whole session id");
}

#[tokio::test]
async fn a_client_holding_another_clients_sse_session_id_cannot_write_on_its_account() {
    let sim = simulator().await;
    sim.state().add_demo_account(OTHER, OTHER_TOKEN);
    let env = Isolated::new();
    let server = keyed_server(&sim, &env, &[]).await;
    // Bob opens a stream on beta, an account Alice may not act on.
    let bob_auth = bearer(BOB_KEY);
    let mut bob = SseClient::connect(
        &server,
        &[
            ("authorization", bob_auth.as_str()),
            ("x-kommo-subdomain", OTHER),
        ],
    )
    .await;
    let alice_auth = bearer(ALICE_KEY);
    let alice = [("authorization", alice_auth.as_str())];
    let foreign = seen(bob.post(&note_on_lead(1), &alice).await).await;
    let unknown = seen(
        server
            .http
            .post(server.url("/sse/message?sessionId=00000000000000000000000000000000"))
            .header("authorization", &alice_auth)
            .header("content-type", "application/json")
            .body(note_on_lead(1).to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(foreign.0, 404, "{foreign:?}");
    assert_eq!(foreign, unknown);
    // Naming her own account on the POST changes nothing: the session is not hers.
    let own_account = [
        ("authorization", alice_auth.as_str()),
        ("x-kommo-subdomain", SUBDOMAIN),
    ];
    assert_eq!(bob.post(&note_on_lead(2), &own_account).await.status(), 404);
    assert!(
        writes(&sim).is_empty(),
        "a foreign session's message reached Kommo: {:?}",
        request_lines(&sim)
    );
    let log = server.stderr();
    assert!(
        log.lines()
            .any(|line| line.contains("no SSE session") && line.contains("alice")),
        "the refusal's log line names the client: {log}"
    );
    // Bob's own stream still works, on beta.
    let bob_only = [("authorization", bob_auth.as_str())];
    let answer = bob
        .call("get_lead", json!({"lead_id": LEAD}), &bob_only)
        .await;
    assert!(!is_error(&answer["result"]), "{answer}");
    let accounts: Vec<String> = sim
        .state()
        .requests()
        .iter()
        .map(|r| r.subdomain.clone())
        .collect();
    assert!(
        !accounts.is_empty() && accounts.iter().all(|account| account == OTHER),
        "{accounts:?}"
    );
}

#[tokio::test]
async fn the_sse_opening_headers_only_narrow_the_posters_own_allowance() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = keyed_server(&sim, &env, &[]).await;
    let alice_auth = bearer(ALICE_KEY);
    let mut alice = SseClient::connect(
        &server,
        &[
            ("authorization", alice_auth.as_str()),
            ("x-kommo-tools", "get_lead,add_note"),
            ("x-kommo-read-only", "true"),
        ],
    )
    .await;
    let auth = [("authorization", alice_auth.as_str())];
    let hello = alice
        .request(
            "initialize",
            json!({"protocolVersion": "2024-11-05", "capabilities": {},
                "clientInfo": {"name": "narrowing", "version": "1"}}),
            &auth,
        )
        .await;
    assert_eq!(hello["result"]["protocolVersion"], "2024-11-05");
    // A POST asking for more tools gets only those the opening allowed, read-only still.
    let wider = [
        ("authorization", alice_auth.as_str()),
        ("x-kommo-tools", "get_lead,add_note,move_lead"),
    ];
    let list = alice.request("tools/list", json!({}), &wider).await;
    assert_eq!(tool_names(&list), vec!["get_lead"]);
    let refused = alice
        .call("add_note", json!({"lead_id": LEAD, "note": "x"}), &auth)
        .await;
    assert!(
        refused.get("error").is_some() || is_error(&refused["result"]),
        "{refused}"
    );
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
}

const PUBLIC: &str = "https://mcp.test.example";

#[tokio::test]
async fn an_oauth_session_belongs_to_its_subject_and_client() {
    let sim = simulator().await;
    let key = SigningKey::ed25519("k1");
    let issuer = Issuer::start(&[&key]).await;
    let env = Isolated::new();
    let mut command = http_command(
        env.command(),
        &["--oauth-issuer", &issuer.url, "--public-url", PUBLIC],
    );
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    let token = |sub: &str, client: &str| {
        let mut claims = issuer.claims(PUBLIC, "kommo:read kommo:write");
        claims["sub"] = json!(sub);
        claims["client_id"] = json!(client);
        key.sign(&claims)
    };
    let owner = bearer(&token("agent-7", "platform"));
    let mut opened =
        McpClient::initialize_with(&server, &[("authorization", owner.as_str())]).await;
    let session = opened.session.clone().expect("a session");
    // Another subject, and the same subject through another client, find no session.
    for stranger in [token("agent-8", "platform"), token("agent-7", "other-app")] {
        assert_foreign_session_is_unknown(&server, &session, &stranger).await;
    }
    // A fresh token of the same subject and client is the same caller.
    let again = bearer(&token("agent-7", "platform"));
    let mut renewed =
        McpClient::initialize_with(&server, &[("authorization", again.as_str())]).await;
    renewed.session = Some(session);
    let every_tool = all_tools().len();
    assert_eq!(renewed.tool_names(&[]).await.len(), every_tool);
    assert_eq!(opened.tool_names(&[]).await.len(), every_tool);
    assert!(sim.state().requests().is_empty());

    // The same on legacy SSE.
    let mut stream = SseClient::connect(&server, &[("authorization", owner.as_str())]).await;
    let stranger = bearer(&token("agent-8", "platform"));
    let refused = stream
        .post(&note_on_lead(3), &[("authorization", stranger.as_str())])
        .await;
    assert_eq!(refused.status(), 404);
    let answer = stream
        .request(
            "tools/list",
            json!({}),
            &[("authorization", again.as_str())],
        )
        .await;
    assert_eq!(tool_names(&answer).len(), all_tools().len());
    assert!(writes(&sim).is_empty());
}

#[tokio::test]
async fn across_replicas_on_one_redis_a_session_still_belongs_to_its_caller() {
    let sim = simulator().await;
    let redis = RedisServer::start().await;
    let env = Isolated::new();
    keys_config(&env);
    let mut servers = Vec::new();
    for _ in 0..2 {
        let mut command = http_command(env.command(), &[]);
        command
            .args(account_args(&sim))
            .env("KOMMO_MCP_REDIS_URL", redis.url());
        servers.push(HttpServer::start(command).await);
    }
    let bob_auth = bearer(BOB_KEY);
    let opened =
        McpClient::initialize_with(&servers[0], &[("authorization", bob_auth.as_str())]).await;
    let session = opened.session.clone().expect("a session");
    // On the replica that never saw it, Alice finds nothing (and adopts nothing) ...
    assert_foreign_session_is_unknown(&servers[1], &session, ALICE_KEY).await;
    assert_eq!(servers[1].health().await["mcp_sessions"], 0);
    // ... and on the one that opened it, neither.
    assert_foreign_session_is_unknown(&servers[0], &session, ALICE_KEY).await;
    // Bob is served on either replica.
    let mut moved = McpClient::new(&servers[1]);
    moved.session = Some(session);
    let answer = moved
        .request(
            "tools/list",
            json!({}),
            &[("authorization", bob_auth.as_str())],
        )
        .await;
    assert_eq!(tool_names(&answer).len(), all_tools().len());
    assert_eq!(servers[1].health().await["mcp_sessions"], 1);
    assert!(sim.state().requests().is_empty());
    drop((opened, moved));
    for server in servers {
        server.stop().await;
    }
}
