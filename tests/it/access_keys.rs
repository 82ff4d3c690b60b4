//! Who may call an HTTP server and on what: `X-API-Key`, client keys scoped to accounts,
//! tools and read-only, and the per-client / per-address inbound rate limits — against
//! the built binary, with the simulator's request log proving what reached Kommo.

use kommo_sim::Simulator;
use serde_json::{Value, json};

use crate::support::*;

async fn server_for(sim: &Simulator, env: &Isolated, extra: &[&str]) -> HttpServer {
    let mut command = http_command(env.command(), extra);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

fn list() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
}

#[tokio::test]
async fn x_api_key_is_accepted_like_bearer() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &["--auth-token", "let-me-in"]).await;
    let ok = server
        .bare_post(&list(), &[("x-api-key", "let-me-in")])
        .await;
    assert_eq!(ok.status(), 200);
    for wrong in ["let-me-i", "let-me-in-2", "Bearer let-me-in"] {
        let refused = server.bare_post(&list(), &[("x-api-key", wrong)]).await;
        assert_eq!(refused.status(), 401, "{wrong}");
        assert!(
            refused.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
    }
    assert!(!server.stderr().contains("let-me-in"));
}

const OTHER: &str = "beta";
const OTHER_TOKEN: &str = "beta-token-77c1-never-print-me";
const PARTNER_KEY: &str = "kmcp_partner-key-4e1b-never-print-me";
const READER_KEY: &str = "kmcp_reader-key-90af-never-print-me";
const NARROW_KEY: &str = "kmcp_narrow-key-13d2-never-print-me";

/// A config file with three clients: `partner` (account acme only), `reader` (any account,
/// read-only), `narrow` (acme and beta, get_lead only, 2 requests a minute).
fn clients_config(env: &Isolated) {
    let hash = kommo_mcp::testing::sha256_hex;
    env.write_default_config(&format!(
        "[accounts.{OTHER}]\ntoken = \"{OTHER_TOKEN}\"\n\n\
         [clients.partner]\nkey_sha256 = \"{}\"\naccounts = [\"{SUBDOMAIN}\"]\n\n\
         [clients.reader]\nkey_sha256 = \"{}\"\naccounts = [\"*\"]\nread_only = true\n\n\
         [clients.narrow]\nkey_sha256 = \"{}\"\naccounts = [\"{SUBDOMAIN}\", \"{OTHER}\"]\ntools = [\"get_lead\"]\nrate_limit = 2\n",
        hash(PARTNER_KEY),
        hash(READER_KEY),
        hash(NARROW_KEY),
    ));
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

#[tokio::test]
async fn a_client_acts_only_on_its_accounts() {
    let sim = simulator().await;
    sim.state().add_demo_account(OTHER, OTHER_TOKEN);
    let env = Isolated::new();
    clients_config(&env);
    let server = server_for(&sim, &env, &["--log-level", "kommo_mcp=debug"]).await;
    let partner = bearer(PARTNER_KEY);

    // Naming another account — by either header spelling, with or without a token — is 403.
    for headers in [
        vec![("x-kommo-subdomain", OTHER)],
        vec![
            ("kommo_account_subdomain", OTHER),
            ("x-kommo-token", OTHER_TOKEN),
        ],
    ] {
        let mut headers = headers.clone();
        headers.push(("authorization", partner.as_str()));
        let body = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "get_lead", "arguments": {"lead_id": LEAD}}});
        let refused = server.bare_post(&body, &headers).await;
        assert_eq!(refused.status(), 403);
        let answer: Value = refused.json().await.unwrap();
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains("\"beta\""), "{message}");
        assert!(message.contains("partner"), "{message}");
    }
    // The legacy SSE stream is refused the same way before it opens.
    let sse = server
        .http
        .get(server.url("/sse"))
        .header("authorization", &partner)
        .header("x-kommo-subdomain", OTHER)
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), 403);
    assert!(
        sim.state().requests().is_empty(),
        "a refused request reached Kommo: {:?}",
        request_lines(&sim)
    );

    // Its own account works, through the same key as X-API-Key too.
    let answer = server
        .bare_call(
            "get_lead",
            json!({"lead_id": LEAD}),
            &[("x-api-key", PARTNER_KEY)],
        )
        .await;
    assert!(!is_error(&answer["result"]), "{answer}");
    assert!(
        sim.state()
            .requests()
            .iter()
            .all(|r| r.subdomain == SUBDOMAIN)
    );

    // A client with both accounts reaches beta with the operator's [accounts.beta] token.
    let answer = server
        .bare_call(
            "get_lead",
            json!({"lead_id": LEAD}),
            &[
                ("authorization", &bearer(NARROW_KEY)),
                ("x-kommo-subdomain", OTHER),
            ],
        )
        .await;
    assert!(!is_error(&answer["result"]), "{answer}");
    assert!(sim.state().requests().iter().any(|r| r.subdomain == OTHER));

    let stderr = server.stderr();
    assert!(
        stderr.contains("partner"),
        "the client name is not in the logs"
    );
    for secret in [PARTNER_KEY, NARROW_KEY, OTHER_TOKEN, TOKEN] {
        assert!(!stderr.contains(secret), "a secret leaked into stderr");
    }
}

#[tokio::test]
async fn every_request_needs_a_key_once_clients_exist() {
    let sim = simulator().await;
    let env = Isolated::new();
    clients_config(&env);
    let server = server_for(&sim, &env, &[]).await;
    for headers in [
        vec![],
        vec![("authorization", "Bearer kmcp_not-a-client")],
        vec![("x-api-key", "kmcp_not-a-client")],
    ] {
        let refused = server.bare_post(&list(), &headers).await;
        assert_eq!(refused.status(), 401, "{headers:?}");
        assert!(refused.headers().contains_key("www-authenticate"));
    }
    let sse = server.http.get(server.url("/sse")).send().await.unwrap();
    assert_eq!(sse.status(), 401);
    // A key made by `new-key` works once its hash is in the file.
    let output = env.command().arg("new-key").output().await.unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    let key = lines.next().unwrap().to_owned();
    let hash_line = lines.next().unwrap().to_owned();
    assert_eq!(
        hash_line,
        format!("key_sha256 = \"{}\"", kommo_mcp::testing::sha256_hex(&key))
    );
    let again = env.command().arg("new-key").output().await.unwrap();
    assert_ne!(
        String::from_utf8(again.stdout).unwrap(),
        text,
        "keys repeat"
    );
    env.write_default_config(&format!(
        "[clients.fresh]\n{hash_line}\naccounts = [\"{SUBDOMAIN}\"]\n"
    ));
    let fresh = server_for(&sim, &env, &[]).await;
    assert_eq!(fresh.bare_post(&list(), &[]).await.status(), 401);
    let ok = fresh
        .bare_post(&list(), &[("authorization", &bearer(&key))])
        .await;
    assert_eq!(ok.status(), 200);
    assert!(sim.state().requests().is_empty());
}

#[tokio::test]
async fn a_client_sees_and_calls_only_its_tools() {
    let sim = simulator().await;
    let env = Isolated::new();
    clients_config(&env);
    let server = server_for(&sim, &env, &[]).await;

    // The streamable-HTTP session path and the bare path agree.
    let reader = bearer(READER_KEY);
    let mut session = McpClient::initialize_with(&server, &[("authorization", &reader)]).await;
    assert_eq!(
        session.tool_names(&[]).await,
        [
            "find_leads",
            "get_lead",
            "get_lead_history",
            "list_custom_fields",
            "list_loss_reasons",
            "list_pipelines",
            "list_salesbots",
            "list_users"
        ],
        "a read-only client sees only readers"
    );
    let listed: Value = server
        .bare_post(&list(), &[("authorization", &reader)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        tool_names(&listed),
        [
            "find_leads",
            "get_lead",
            "get_lead_history",
            "list_custom_fields",
            "list_loss_reasons",
            "list_pipelines",
            "list_salesbots",
            "list_users"
        ]
    );
    for (tool, args) in [
        (
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}),
        ),
        ("add_note", json!({"lead_id": LEAD, "note": "n"})),
        ("pause_agent", json!({"lead_id": LEAD})),
    ] {
        let answer = session.call(tool, args.clone(), &[]).await;
        assert!(answer.get("error").is_some(), "{tool}: {answer}");
        let answer = server
            .bare_call(tool, args, &[("authorization", &reader)])
            .await;
        assert!(answer.get("error").is_some(), "{tool}: {answer}");
    }
    assert!(writes(&sim).is_empty(), "a read-only client wrote to Kommo");

    let narrow: Value = server
        .bare_post(&list(), &[("authorization", &bearer(NARROW_KEY))])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tool_names(&narrow), ["get_lead"]);
    // The tools header narrows a client's tools further, never widens them.
    let partner: Value = server
        .bare_post(
            &list(),
            &[
                ("authorization", &bearer(PARTNER_KEY)),
                ("x-kommo-tools", "move_lead"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tool_names(&partner), ["move_lead"]);
}

#[tokio::test]
async fn over_its_rate_limit_a_client_gets_429_with_retry_after() {
    let sim = simulator().await;
    let env = Isolated::new();
    clients_config(&env);
    let server = server_for(&sim, &env, &[]).await;
    let narrow = bearer(NARROW_KEY);
    for _ in 0..2 {
        let ok = server
            .bare_post(&list(), &[("authorization", &narrow)])
            .await;
        assert_eq!(ok.status(), 200);
    }
    let refused = server
        .bare_post(&list(), &[("authorization", &narrow)])
        .await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "Retry-After {retry}");
    let answer: Value = refused.json().await.unwrap();
    assert_eq!(answer["jsonrpc"], "2.0");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("narrow"),
        "{answer}"
    );
    // Another client has its own budget (and partner has no limit at all).
    for _ in 0..5 {
        let ok = server
            .bare_post(&list(), &[("authorization", &bearer(PARTNER_KEY))])
            .await;
        assert_eq!(ok.status(), 200);
    }
}

#[tokio::test]
async fn rate_limit_per_ip_applies_to_unauthenticated_use() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &["--rate-limit-per-ip", "3"]).await;
    for _ in 0..3 {
        assert_eq!(server.bare_post(&list(), &[]).await.status(), 200);
    }
    let refused = server.bare_post(&list(), &[]).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // /healthz is never limited.
    assert_eq!(server.health().await["status"], "ok");
}

#[tokio::test]
async fn a_bad_clients_table_is_a_configuration_error_naming_it() {
    let env = Isolated::new();
    for (text, named) in [
        (
            "[clients.bot]\naccounts = [\"acme\"]\n".to_owned(),
            "[clients.bot] key_sha256",
        ),
        (
            "[clients.bot]\nkey_sha256 = \"abc\"\naccounts = [\"acme\"]\n".to_owned(),
            "[clients.bot] key_sha256",
        ),
        (
            format!(
                "[clients.bot]\nkey_sha256 = \"{}\"\n",
                kommo_mcp::testing::sha256_hex("k")
            ),
            "[clients.bot] accounts",
        ),
        (
            format!(
                "[clients.bot]\nkey_sha256 = \"{}\"\naccounts = [\"acme\"]\nkey = \"k\"\n",
                kommo_mcp::testing::sha256_hex("k")
            ),
            "[clients.bot] key",
        ),
    ] {
        env.write_default_config(&text);
        let output = env.command().arg("tools").output().await.unwrap();
        assert_eq!(output.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(named), "{named}: {stderr}");
    }
}
