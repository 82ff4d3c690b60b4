//! assign_lead, close_lead, send_message and the hand_off_lead prompt through the binary:
//! the exact requests, nothing sent when nothing changes, dry runs, read-only mode, client
//! keys limited to one account, and users or loss reasons that do not resolve.

use kommo_sim::Simulator;
use serde_json::{Value, json};

use crate::support::{
    kommo::{assert_failure, requests_to},
    *,
};

const ANA: i64 = 7_000_001;
const BRUNO: i64 = 7_000_002;

async fn stdio_with(sim: &Simulator, env: &Isolated, extra: &[&str]) -> StdioClient {
    let mut command = env.command();
    command.args(account_args(sim)).args(extra);
    StdioClient::start(command).await
}

#[tokio::test]
async fn assign_lead_by_email_then_again_sends_once() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "assign_lead",
            json!({"lead_id": LEAD, "user": "BRUNO@demo.example"}),
        )
        .await;
    assert_eq!(
        first_text(&result),
        "Lead successfully assigned to the specified user.",
        "{result}"
    );
    assert_eq!(
        result["structuredContent"],
        json!({"lead_id": LEAD, "user_id": BRUNO, "user_name": "Bruno Lima", "changed": true, "previous_user_id": ANA})
    );
    let patches = requests_to(&sim, "PATCH", "/api/v4/leads/9001");
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].body, Some(json!({"responsible_user_id": BRUNO})));

    // Already assigned (by accent-less name this time): success, nothing sent.
    let again = client
        .call(
            "assign_lead",
            json!({"lead_id": LEAD, "user": "BRUNO LIMA"}),
        )
        .await;
    assert!(!is_error(&again), "{again}");
    assert_eq!(again["structuredContent"]["changed"], false);
    assert_eq!(requests_to(&sim, "PATCH", "/api/v4/leads/9001").len(), 1);
    // The users were read once (cached).
    assert_eq!(requests_to(&sim, "GET", "/api/v4/users").len(), 1);
}

#[tokio::test]
async fn ambiguous_inactive_and_unknown_users_are_refused_with_candidates() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let failed =
        "Failed to assign lead: the user could not be resolved or Kommo did not accept the update.";
    // An ambiguous name (two users called the same up to case and accents) is refused with
    // both: agent_day.rs adds two such users to another account.
    let inactive = client
        .call(
            "assign_lead",
            json!({"lead_id": LEAD, "user": "Carla Ruiz"}),
        )
        .await;
    assert_failure(&inactive, failed, "deactivated");
    assert_eq!(
        inactive["structuredContent"]["error"]["kind"],
        "inactive_user"
    );

    let unknown = client
        .call("assign_lead", json!({"lead_id": LEAD, "user": 123}))
        .await;
    assert_failure(
        &unknown,
        failed,
        "user id 123 is not a user of this account",
    );
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
}

#[tokio::test]
async fn close_lead_won_and_lost_with_a_reason_in_its_own_pipeline() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "close_lead",
            json!({"lead_id": LEAD, "outcome": "lost", "loss_reason": "PRICE too high"}),
        )
        .await;
    assert_eq!(
        first_text(&result),
        "Lead successfully closed with the specified outcome.",
        "{result}"
    );
    assert_eq!(result["structuredContent"]["loss_reason"], "Price too high");
    let patches = requests_to(&sim, "PATCH", "/api/v4/leads/9001");
    assert_eq!(
        patches[0].body,
        Some(json!({"status_id": 143, "pipeline_id": 1001, "loss_reason_id": 4203748}))
    );

    let won = client
        .call("close_lead", json!({"lead_id": LEAD, "outcome": "won"}))
        .await;
    assert!(!is_error(&won), "{won}");
    assert_eq!(
        requests_to(&sim, "PATCH", "/api/v4/leads/9001")[1].body,
        Some(json!({"status_id": 142, "pipeline_id": 1001}))
    );
    // Already won: success, nothing sent.
    let again = client
        .call("close_lead", json!({"lead_id": LEAD, "outcome": "won"}))
        .await;
    assert_eq!(again["structuredContent"]["changed"], false, "{again}");
    assert_eq!(requests_to(&sim, "PATCH", "/api/v4/leads/9001").len(), 2);

    let failed =
        "Failed to close lead: the arguments were not valid or Kommo did not accept the update.";
    let unknown = client
        .call(
            "close_lead",
            json!({"lead_id": LEAD, "outcome": "lost", "loss_reason": "Caro"}),
        )
        .await;
    assert_failure(&unknown, failed, "\"No longer needed\" (4203750)");
    let reason_with_won = client
        .call(
            "close_lead",
            json!({"lead_id": LEAD, "outcome": "won", "loss_reason": 4203748}),
        )
        .await;
    assert_failure(
        &reason_with_won,
        failed,
        "loss_reason goes only with outcome \"lost\"",
    );
    assert_eq!(requests_to(&sim, "PATCH", "/api/v4/leads/9001").len(), 2);
}

/// The write calls of this module with arguments that would write.
fn hand_off_writes() -> Vec<(&'static str, Value)> {
    vec![
        ("assign_lead", json!({"lead_id": LEAD, "user": BRUNO})),
        (
            "close_lead",
            json!({"lead_id": LEAD, "outcome": "lost", "loss_reason": "Chose a competitor"}),
        ),
        (
            "send_message",
            json!({"lead_id": LEAD, "text": "Hola, Maria!"}),
        ),
    ]
}

#[tokio::test]
async fn dry_runs_send_nothing_and_read_only_refuses() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = stdio_with(&sim, &env, MESSAGE_ARGS).await;
    for (tool, mut args) in hand_off_writes() {
        args["dry_run"] = json!(true);
        let result = client.call(tool, args).await;
        assert_eq!(
            first_text(&result),
            "Dry run: nothing was sent to Kommo.",
            "{tool}: {result}"
        );
        assert_eq!(
            result["structuredContent"]["request"]["method"], "PATCH",
            "{tool}"
        );
    }
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));

    let mut read_only = stdio_with(&sim, &env, &["--read-only"]).await;
    for (tool, args) in hand_off_writes() {
        let refused = read_only.call_raw(tool, args).await;
        assert!(refused.get("error").is_some(), "{tool}: {refused}");
    }
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
}

const OTHER: &str = "beta";
const OTHER_TOKEN: &str = "beta-token-5a0e-never-print-me";
const PARTNER_KEY: &str = "kmcp_handoff-partner-2c7d-never-print-me";

#[tokio::test]
async fn a_client_key_for_one_account_cannot_write_on_another() {
    let sim = simulator().await;
    sim.state().add_demo_account(OTHER, OTHER_TOKEN);
    let env = Isolated::new();
    env.write_default_config(&format!(
        "[accounts.{OTHER}]\ntoken = \"{OTHER_TOKEN}\"\n\n\
         [clients.partner]\nkey_sha256 = \"{}\"\naccounts = [\"{SUBDOMAIN}\"]\n",
        kommo_mcp::testing::sha256_hex(PARTNER_KEY)
    ));
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    let partner = format!("Bearer {PARTNER_KEY}");
    for (tool, args) in hand_off_writes() {
        let body = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": tool, "arguments": args}});
        let refused = server
            .bare_post(
                &body,
                &[
                    ("authorization", partner.as_str()),
                    ("x-kommo-subdomain", OTHER),
                ],
            )
            .await;
        assert_eq!(refused.status(), 403, "{tool}");
    }
    assert!(
        sim.state().requests().is_empty(),
        "a refused request reached Kommo: {:?}",
        request_lines(&sim)
    );
    // Its own account works.
    let answer = server
        .bare_call(
            "assign_lead",
            json!({"lead_id": LEAD, "user": BRUNO}),
            &[("authorization", partner.as_str())],
        )
        .await;
    assert!(!is_error(&answer["result"]), "{answer}");
    assert!(
        sim.state()
            .requests()
            .iter()
            .all(|r| r.subdomain == SUBDOMAIN)
    );
}

/// The message field (the seed's first "Extra field", a text field) and the bot that sends it.
const MESSAGE_FIELD: i64 = 5023;
const MESSAGE_BOT: i64 = 401;
const MESSAGE_ARGS: &[&str] = &["--message-field-id", "5023", "--message-bot-id", "401"];

#[tokio::test]
async fn send_message_writes_the_field_runs_the_bot_and_sends_a_retry_once() {
    let sim = simulator().await;
    assert!(
        sim.state()
            .set_bot_sends_field(SUBDOMAIN, MESSAGE_BOT, MESSAGE_FIELD)
    );
    let env = Isolated::new();
    let mut client = stdio_with(&sim, &env, MESSAGE_ARGS).await;
    let args = json!({"lead_id": LEAD, "text": "Olá Maria, a proposta segue hoje."});
    let result = client.call("send_message", args.clone()).await;
    assert_eq!(
        first_text(&result),
        "Message accepted by Kommo for sending to the lead's chat.",
        "{result}"
    );
    assert_eq!(
        result["structuredContent"],
        json!({"lead_id": LEAD, "field_id": MESSAGE_FIELD, "bot_id": MESSAGE_BOT, "requested": true, "deduplicated": false})
    );
    let patches = requests_to(&sim, "PATCH", "/api/v4/leads/9001");
    assert_eq!(
        patches[0].body,
        Some(
            json!({"custom_fields_values": [{"field_id": MESSAGE_FIELD, "values": [{"value": "Olá Maria, a proposta segue hoje."}]}]})
        )
    );
    let runs = requests_to(&sim, "POST", "/api/v4/bots/401/run");
    assert_eq!(runs.len(), 1);
    assert_eq!(
        sim.state().sent_messages(SUBDOMAIN),
        [
            json!({"bot_id": MESSAGE_BOT, "lead_id": LEAD, "text": "Olá Maria, a proposta segue hoje."})
        ]
    );

    // A client retry of the same call sends nothing more.
    let retry = client.call("send_message", args).await;
    assert!(!is_error(&retry), "{retry}");
    assert_eq!(retry["structuredContent"]["deduplicated"], true);
    assert_eq!(requests_to(&sim, "PATCH", "/api/v4/leads/9001").len(), 1);
    assert_eq!(requests_to(&sim, "POST", "/api/v4/bots/401/run").len(), 1);

    // Another text is another message.
    let next = client
        .call(
            "send_message",
            json!({"lead_id": LEAD, "text": "Alguma dúvida?"}),
        )
        .await;
    assert_eq!(next["structuredContent"]["deduplicated"], false, "{next}");
    assert_eq!(sim.state().sent_messages(SUBDOMAIN).len(), 2);
}

#[tokio::test]
async fn send_message_unconfigured_or_on_a_non_text_field_is_refused() {
    let sim = simulator().await;
    let env = Isolated::new();
    let failed =
        "Failed to send message: it is not configured or Kommo did not accept the request.";
    let mut unconfigured = client_for(&sim, &env).await;
    let refused = unconfigured
        .call("send_message", json!({"lead_id": LEAD, "text": "hi"}))
        .await;
    assert_failure(
        &refused,
        failed,
        "send_message is not configured for account acme",
    );
    assert!(all_text(&refused).contains("message_bot_id"), "{refused}");
    assert_eq!(
        refused["structuredContent"]["error"]["kind"],
        "not_configured"
    );

    let pause_field = PAUSE_FIELD.to_string();
    let mut checkbox = stdio_with(
        &sim,
        &env,
        &[
            "--message-field-id",
            &pause_field,
            "--message-bot-id",
            "401",
        ],
    )
    .await;
    let refused = checkbox
        .call("send_message", json!({"lead_id": LEAD, "text": "hi"}))
        .await;
    assert_failure(
        &refused,
        failed,
        "a checkbox field; it must be a text or textarea lead field",
    );
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
}

#[tokio::test]
async fn an_accounts_table_configures_send_message_for_that_account() {
    let sim = simulator().await;
    sim.state().add_demo_account(OTHER, OTHER_TOKEN);
    assert!(
        sim.state()
            .set_bot_sends_field(OTHER, MESSAGE_BOT, MESSAGE_FIELD)
    );
    let env = Isolated::new();
    env.write_default_config(&format!(
        "[accounts.{OTHER}]\ntoken = \"{OTHER_TOKEN}\"\nmessage_field_id = {MESSAGE_FIELD}\nmessage_bot_id = {MESSAGE_BOT}\n"
    ));
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    let answer = server
        .bare_call(
            "send_message",
            json!({"lead_id": LEAD, "text": "Hello from beta"}),
            &[("x-kommo-subdomain", OTHER)],
        )
        .await;
    assert!(!is_error(&answer["result"]), "{answer}");
    assert_eq!(sim.state().sent_messages(OTHER).len(), 1);
    // The server's own account has no message settings.
    let own = server
        .bare_call(
            "send_message",
            json!({"lead_id": LEAD, "text": "Hello"}),
            &[],
        )
        .await;
    assert!(is_error(&own["result"]), "{own}");
}

#[tokio::test]
async fn the_hand_off_prompt_is_listed_and_rendered_and_absent_when_read_only() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let listed = client.request("prompts/list", json!({})).await;
    let prompts = listed["result"]["prompts"].as_array().expect("prompts");
    assert_eq!(prompts.len(), 1, "{listed}");
    assert_eq!(prompts[0]["name"], "hand_off_lead");
    let names: Vec<&str> = prompts[0]["arguments"]
        .as_array()
        .expect("arguments")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(names, ["lead_id", "user", "reason"]);

    let rendered = client
        .request(
            "prompts/get",
            json!({"name": "hand_off_lead", "arguments": {"lead_id": "9001", "user": "Bruno Lima", "reason": "asks for a discount"}}),
        )
        .await;
    let text = rendered["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{rendered}"));
    for step in [
        "pause_agent with lead_id 9001",
        "assign_lead with lead_id 9001 and user \"Bruno Lima\"",
        "create_task",
        "asks for a discount",
    ] {
        assert!(text.contains(step), "{step}: {text}");
    }
    let missing = client
        .request(
            "prompts/get",
            json!({"name": "hand_off_lead", "arguments": {"lead_id": "9001"}}),
        )
        .await;
    assert!(missing.get("error").is_some(), "{missing}");

    let mut read_only = stdio_with(&sim, &env, &["--read-only"]).await;
    let none = read_only.request("prompts/list", json!({})).await;
    assert_eq!(none["result"]["prompts"], json!([]), "{none}");
    let refused = read_only
        .request(
            "prompts/get",
            json!({"name": "hand_off_lead", "arguments": {"lead_id": "9001", "user": "x"}}),
        )
        .await;
    assert!(refused.get("error").is_some(), "{refused}");
    assert!(sim.state().requests().is_empty());
}
