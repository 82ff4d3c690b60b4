//! OAuth resource-server mode against the built binary: RFC 9728 metadata, the RFC 6750
//! challenges for a missing, invalid or under-scoped token, JWT checks (signature through
//! the JWKS, algorithm, iss, aud, exp/nbf, crit), key rotation, single-flight refetches and
//! a slow issuer, the resource named whatever form --public-url takes, scopes and
//! the accounts claim — with a test issuer on loopback and the simulator's request log
//! proving what reached Kommo.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{EncodingKey, Header};
use kommo_sim::Simulator;
use reqwest::Response;
use serde_json::{Value, json};

use crate::support::{
    issuer::{Issuer, SigningKey, now},
    *,
};

const PUBLIC: &str = "https://mcp.test.example";
const METADATA: &str = "https://mcp.test.example/.well-known/oauth-protected-resource";
const READ_WRITE: &str = "kommo:read kommo:write";

async fn oauth_server(sim: &Simulator, issuer: &Issuer, extra: &[&str]) -> HttpServer {
    let env = Isolated::new();
    let mut command = http_command(
        env.command(),
        &["--oauth-issuer", &issuer.url, "--public-url", PUBLIC],
    );
    command.args(account_args(sim)).args(extra);
    let server = HttpServer::start(command).await;
    // The home directory must outlive the server only until it has started.
    drop(env);
    server
}

fn list() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
}

fn www_authenticate(response: &Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn with_token(server: &HttpServer, token: &str, body: &Value) -> Response {
    server
        .bare_post(body, &[("authorization", &format!("Bearer {token}"))])
        .await
}

#[tokio::test]
async fn metadata_is_public_and_a_request_without_token_is_challenged() {
    let sim = simulator().await;
    let key = SigningKey::ed25519("k1");
    let issuer = Issuer::start(&[&key]).await;
    let server = oauth_server(&sim, &issuer, &[]).await;

    // Both paths name the same resource: the /mcp endpoint.
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let response = server.http.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let document: Value = response.json().await.unwrap();
        assert_eq!(document["resource"], format!("{PUBLIC}/mcp"), "{path}");
        assert_eq!(document["authorization_servers"], json!([issuer.url]));
        assert_eq!(
            document["scopes_supported"],
            json!(["kommo:read", "kommo:write"])
        );
        assert_eq!(document["bearer_methods_supported"], json!(["header"]));
    }

    let refused = server.bare_post(&list(), &[]).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(
        www_authenticate(&refused),
        format!("Bearer resource_metadata=\"{METADATA}\"")
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["jsonrpc"], "2.0");
    assert!(body["error"]["message"].is_string());
    let sse = server.http.get(server.url("/sse")).send().await.unwrap();
    assert_eq!(sse.status(), 401);
    assert!(sim.state().requests().is_empty());
}

#[tokio::test]
async fn good_tokens_are_accepted_and_scopes_bound_the_tools() {
    let sim = simulator().await;
    let ed = SigningKey::ed25519("ed-1");
    let ec = SigningKey::p256("ec-1");
    let issuer = Issuer::start(&[&ed, &ec]).await;
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = audit_dir.path().join("audit.jsonl");
    let server = oauth_server(
        &sim,
        &issuer,
        &[
            "--log-level",
            "trace",
            "--audit-log",
            audit.to_str().unwrap(),
        ],
    )
    .await;

    let writer = ed.sign(&issuer.claims(PUBLIC, READ_WRITE));
    let answer = with_token(&server, &writer, &list()).await;
    assert_eq!(answer.status(), 200);
    let listed: Value = answer.json().await.unwrap();
    assert!(tool_names(&listed).contains(&"move_lead".to_owned()));

    // ES256, an audience array holding the /mcp resource, and a token just past exp
    // (inside the 30 s leeway) are all fine.
    let mut claims = issuer.claims("unused", READ_WRITE);
    claims["aud"] = json!(["someone-else", format!("{PUBLIC}/mcp")]);
    claims["exp"] = json!(now() - 10);
    let es = ec.sign(&claims);
    let moved = server
        .bare_call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}),
            &[("authorization", &format!("Bearer {es}"))],
        )
        .await;
    assert!(!is_error(&moved["result"]), "{moved}");
    assert_eq!(writes(&sim).len(), 1);

    // kommo:read only: the readers are listed, and a write is 403 insufficient_scope.
    let reader = ed.sign(&issuer.claims(PUBLIC, "openid kommo:read"));
    let listed: Value = with_token(&server, &reader, &list())
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
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "add_note", "arguments": {"lead_id": LEAD, "note": "n"}}});
    let refused = with_token(&server, &reader, &call).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        www_authenticate(&refused),
        format!(
            "Bearer resource_metadata=\"{METADATA}\", error=\"insufficient_scope\", scope=\"kommo:write\""
        )
    );
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("kommo:write")
    );
    let read = server
        .bare_call(
            "get_lead",
            json!({"lead_id": LEAD}),
            &[("authorization", &format!("Bearer {reader}"))],
        )
        .await;
    assert!(!is_error(&read["result"]), "{read}");
    assert_eq!(writes(&sim).len(), 1, "the read-only token wrote");

    // No kommo scope at all: 403 naming kommo:read.
    let nothing = ed.sign(&issuer.claims(PUBLIC, "openid profile"));
    let refused = with_token(&server, &nothing, &list()).await;
    assert_eq!(refused.status(), 403);
    assert!(
        www_authenticate(&refused).ends_with("error=\"insufficient_scope\", scope=\"kommo:read\""),
        "{}",
        www_authenticate(&refused)
    );

    // The tokens went neither to Kommo nor into the logs, even at trace; the caller is named.
    for request in sim.state().requests() {
        let sent = request.authorization.unwrap_or_default();
        assert_eq!(sent, format!("Bearer {TOKEN}"));
    }
    let stderr = server.stderr();
    for token in [&writer, &es, &reader, &nothing] {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!stderr.contains(signature), "a token is in the log");
    }
    assert!(
        stderr.contains("agent-7"),
        "the caller is not named in the log"
    );

    // The audit trail names the token's subject: the move (intent, outcome) and the
    // read-only token's refused note.
    let lines: Vec<Value> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let events: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l["event"].as_str().unwrap(), l["tool"].as_str().unwrap()))
        .collect();
    assert_eq!(
        events,
        [
            ("intent", "move_lead"),
            ("outcome", "move_lead"),
            ("refused", "add_note")
        ]
    );
    assert!(
        lines.iter().all(|line| line["caller"] == "agent-7"),
        "{lines:?}"
    );
    assert_eq!(lines[2]["failure_kind"], "insufficient_scope");
    assert_eq!(lines[2]["lead_id"], LEAD);
}

#[tokio::test]
async fn bad_tokens_are_refused_with_invalid_token() {
    let sim = simulator().await;
    let key = SigningKey::ed25519("k1");
    let impostor = SigningKey::ed25519("k1");
    let issuer = Issuer::start(&[&key]).await;
    let server = oauth_server(&sim, &issuer, &[]).await;
    let good = issuer.claims(PUBLIC, READ_WRITE);
    let with = |field: &str, value: Value| {
        let mut claims = good.clone();
        claims[field] = value;
        claims
    };
    let without = |field: &str| {
        let mut claims = good.clone();
        claims.as_object_mut().unwrap().remove(field);
        claims
    };
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let public_x = key.jwk["x"].as_str().unwrap().to_owned();
    let hmac_with_public_key = jsonwebtoken::encode(
        &Header {
            kid: Some("k1".into()),
            ..Header::new(jsonwebtoken::Algorithm::HS256)
        },
        &good,
        &EncodingKey::from_secret(public_x.as_bytes()),
    )
    .unwrap();
    let cases = [
        (
            "audience",
            key.sign(&with("aud", json!("https://other.example"))),
        ),
        ("expired", key.sign(&with("exp", json!(now() - 120)))),
        ("not valid yet", key.sign(&with("nbf", json!(now() + 120)))),
        (
            "issuer",
            key.sign(&with("iss", json!("https://evil.example"))),
        ),
        ("exp claim", key.sign(&without("exp"))),
        ("aud claim", key.sign(&without("aud"))),
        ("signature", impostor.sign(&good)),
        ("does not publish", key.sign_as(Some("k-unknown"), &good)),
        (
            "algorithm none",
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "typ": "JWT"})),
                b64(&good)
            ),
        ),
        ("algorithm HS256", hmac_with_public_key),
        (
            "critical extensions",
            key.sign_with_header(
                &json!({"alg": "EdDSA", "kid": "k1", "typ": "at+jwt", "crit": ["exp"], "exp": 1}),
                &good,
            ),
        ),
        ("not a signed JWT", "kmcp_some-random-key".to_owned()),
    ];
    for (what, token) in cases {
        let refused = with_token(&server, &token, &list()).await;
        assert_eq!(refused.status(), 401, "{what}");
        assert_eq!(
            www_authenticate(&refused),
            format!("Bearer resource_metadata=\"{METADATA}\", error=\"invalid_token\""),
            "{what}"
        );
        let body: Value = refused.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(what), "{what}: {message}");
    }
    assert!(
        sim.state().requests().is_empty(),
        "a refused token reached Kommo"
    );
}

#[tokio::test]
async fn a_rotated_key_is_accepted_at_first_use_and_unknown_kids_share_one_fetch() {
    let sim = simulator().await;
    let old = SigningKey::ed25519("old");
    let issuer = Issuer::start(&[&old]).await;
    let server = oauth_server(&sim, &issuer, &[]).await;
    let claims = issuer.claims(PUBLIC, READ_WRITE);
    assert_eq!(
        with_token(&server, &old.sign(&claims), &list())
            .await
            .status(),
        200
    );
    let fetched = issuer.jwks_fetches();
    assert!(fetched >= 1);

    // The issuer rotates right after the last fetch: the new key's first use waits for
    // the next fetch (at most a second after the last) and is accepted.
    let new = SigningKey::p256("new");
    issuer.publish(&[&new]);
    let started = std::time::Instant::now();
    assert_eq!(
        with_token(&server, &new.sign(&claims), &list())
            .await
            .status(),
        200
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "accepted within about a second: {:?}",
        started.elapsed()
    );
    assert_eq!(issuer.jwks_fetches(), fetched + 1);

    // A flood of 30 made-up kids at once: all refused, with one or two fetches between
    // them (single-flight, at most one a second), not 30.
    let flood = (0..30).map(|n| {
        let token = new.sign_as(Some(&format!("made-up-{n}")), &claims);
        let server = &server;
        async move { with_token(server, &token, &list()).await.status() }
    });
    for status in futures::future::join_all(flood).await {
        assert_eq!(status, 401);
    }
    let after_flood = issuer.jwks_fetches();
    assert!(
        (fetched + 2..=fetched + 3).contains(&after_flood),
        "{} fetches for 30 unknown kids",
        after_flood - fetched - 1
    );
}

#[tokio::test]
async fn a_slow_issuer_stalls_no_caller_whose_key_is_known() {
    let sim = simulator().await;
    let known = SigningKey::ed25519("known");
    let issuer = Issuer::start(&[&known]).await;
    let server = oauth_server(&sim, &issuer, &[]).await;
    let claims = issuer.claims(PUBLIC, READ_WRITE);
    let good = known.sign(&claims);
    assert_eq!(with_token(&server, &good, &list()).await.status(), 200);

    // From now on the issuer takes 4 s to answer a JWKS fetch; tokens with unknown kids
    // start a fetch and wait for it.
    issuer.delay_jwks(std::time::Duration::from_secs(4));
    let late = SigningKey::ed25519("late");
    issuer.publish(&[&known, &late]);
    let waiting = (0..4).map(|_| {
        let token = late.sign(&claims);
        let server = &server;
        async move {
            let started = std::time::Instant::now();
            let status = with_token(server, &token, &list()).await.status();
            (status, started.elapsed())
        }
    });
    let known_callers = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let mut slowest = std::time::Duration::ZERO;
        for _ in 0..20 {
            let started = std::time::Instant::now();
            assert_eq!(with_token(&server, &good, &list()).await.status(), 200);
            slowest = slowest.max(started.elapsed());
        }
        slowest
    };
    let (waited, slowest) = tokio::join!(futures::future::join_all(waiting), known_callers);
    assert!(
        slowest < std::time::Duration::from_secs(1),
        "a caller with a known key waited {slowest:?} for the slow issuer"
    );
    for (status, elapsed) in waited {
        assert_eq!(status, 200, "the late key is accepted once fetched");
        assert!(elapsed >= std::time::Duration::from_secs(3), "{elapsed:?}");
    }
}

#[tokio::test]
async fn a_public_url_ending_in_mcp_names_the_same_resource() {
    let sim = simulator().await;
    let key = SigningKey::ed25519("k1");
    let issuer = Issuer::start(&[&key]).await;
    let env = Isolated::new();
    let mut command = http_command(
        env.command(),
        &[
            "--oauth-issuer",
            &issuer.url,
            "--public-url",
            &format!("{PUBLIC}/mcp/"),
        ],
    );
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let document: Value = server
            .http
            .get(server.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(document["resource"], format!("{PUBLIC}/mcp"), "{path}");
    }
    let refused = server.bare_post(&list(), &[]).await;
    assert_eq!(
        www_authenticate(&refused),
        format!("Bearer resource_metadata=\"{METADATA}\"")
    );
    // Tokens for the root or the endpoint are both for this server.
    for audience in [PUBLIC.to_owned(), format!("{PUBLIC}/mcp")] {
        let token = key.sign(&issuer.claims(&audience, READ_WRITE));
        assert_eq!(
            with_token(&server, &token, &list()).await.status(),
            200,
            "{audience}"
        );
    }
}

#[tokio::test]
async fn the_accounts_claim_limits_the_accounts_a_token_acts_on() {
    let sim = simulator().await;
    sim.state()
        .add_demo_account("beta", "beta-token-never-print");
    let key = SigningKey::ed25519("k1");
    let issuer = Issuer::start(&[&key]).await;
    let server = oauth_server(&sim, &issuer, &["--oauth-accounts-claim", "kommo_accounts"]).await;
    let mut claims = issuer.claims(PUBLIC, READ_WRITE);
    claims["kommo_accounts"] = json!([SUBDOMAIN]);
    let token = key.sign(&claims);
    let auth = format!("Bearer {token}");

    let own = server
        .bare_call(
            "get_lead",
            json!({"lead_id": LEAD}),
            &[("authorization", &auth)],
        )
        .await;
    assert!(!is_error(&own["result"]), "{own}");
    let before = sim.state().requests().len();
    let body = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "get_lead", "arguments": {"lead_id": LEAD}}});
    let refused = server
        .bare_post(
            &body,
            &[
                ("authorization", &auth),
                ("x-kommo-subdomain", "beta"),
                ("x-kommo-token", "beta-token-never-print"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let answer: Value = refused.json().await.unwrap();
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("\"beta\""),
        "{answer}"
    );
    assert_eq!(sim.state().requests().len(), before, "beta was reached");

    // A token without the claim may act on no account.
    let bare = key.sign(&issuer.claims(PUBLIC, READ_WRITE));
    let refused = server
        .bare_post(&body, &[("authorization", &format!("Bearer {bare}"))])
        .await;
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn oauth_settings_are_checked_at_start() {
    let env = Isolated::new();
    for (args, named) in [
        (
            vec!["--oauth-issuer", "https://auth.example.com"],
            "--public-url",
        ),
        (
            vec!["--public-url", "https://mcp.example.com"],
            "--oauth-issuer",
        ),
        (
            vec![
                "--oauth-issuer",
                "http://auth.example.com",
                "--public-url",
                "https://mcp.example.com",
            ],
            "https://",
        ),
    ] {
        let output = http_command(env.command(), &args).output().await.unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(named), "{named}: {stderr}");
    }
    // The file keys work like every setting, and `check` shows them.
    env.write_default_config(
        "oauth_issuer = \"https://auth.example.com\"\npublic_url = \"https://mcp.example.com/\"\n",
    );
    let output = env.command().arg("check").output().await.unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("https://auth.example.com"), "{stdout}");
    assert!(
        stdout.contains("https://mcp.example.com or https://mcp.example.com/mcp"),
        "{stdout}"
    );
}
