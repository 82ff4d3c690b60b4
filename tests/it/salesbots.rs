//! list_salesbots, run_salesbot and stop_salesbot through the binary: the exact requests,
//! Kommo's 202 Accepted answered as "requested", a missing lead, a refused bot, and bad
//! arguments sending nothing.

use serde_json::json;

use crate::support::{
    kommo::{assert_failure, requests_to},
    *,
};

#[tokio::test]
async fn list_run_and_stop() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client.call("list_salesbots", json!({})).await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(
        result["structuredContent"]["salesbots"],
        json!([{"id": 401, "name": "Welcome bot"}])
    );
    assert_eq!(first_text(&result), "Salesbots: \"Welcome bot\" (401).");
    assert_eq!(request_lines(&sim), ["GET /api/v4/bots"]);

    let result = client
        .call("run_salesbot", json!({"lead_id": LEAD, "bot_id": 401}))
        .await;
    assert_eq!(
        first_text(&result),
        "Salesbot run requested for the specified lead.",
        "{result}"
    );
    assert_eq!(
        result["structuredContent"],
        json!({"lead_id": LEAD, "bot_id": 401, "requested": true})
    );
    let runs = requests_to(&sim, "POST", "/api/v4/bots/401/run");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, 202);
    assert_eq!(
        runs[0].body,
        Some(json!({"entity_id": LEAD, "entity_type": "leads"}))
    );

    let result = client
        .call("stop_salesbot", json!({"lead_id": LEAD, "bot_id": 401}))
        .await;
    assert_eq!(
        first_text(&result),
        "Salesbot stop requested for the specified lead.",
        "{result}"
    );
    let stops = requests_to(&sim, "POST", "/api/v4/bots/401/stop");
    assert_eq!((stops.len(), stops[0].status), (1, 202));
    let actions = sim.state().bot_actions(SUBDOMAIN);
    assert_eq!(
        actions,
        [
            json!({"action": "run", "bot_id": 401, "entity_id": LEAD, "entity_type": "leads"}),
            json!({"action": "stop", "bot_id": 401, "entity_id": LEAD, "entity_type": "leads"}),
        ]
    );
}

#[tokio::test]
async fn missing_lead_unknown_bot_and_bad_arguments() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "run_salesbot",
            json!({"lead_id": MISSING_LEAD, "bot_id": 401}),
        )
        .await;
    assert_failure(
        &result,
        "Failed to run Salesbot: the specified lead does not exist in Kommo.",
        "9999",
    );
    assert!(writes(&sim).is_empty());
    let result = client
        .call("stop_salesbot", json!({"lead_id": LEAD, "bot_id": 999}))
        .await;
    assert_failure(
        &result,
        "Failed to stop Salesbot: Kommo did not accept the request.",
        "bot_id",
    );
    assert!(sim.state().bot_actions(SUBDOMAIN).is_empty());
    sim.state().clear_requests();
    for (tool, args, reason) in [
        (
            "run_salesbot",
            json!({"lead_id": LEAD}),
            "bot_id is required",
        ),
        (
            "run_salesbot",
            json!({"bot_id": 401}),
            "lead_id is required",
        ),
        (
            "stop_salesbot",
            json!({"lead_id": LEAD, "bot_id": 0}),
            "bot_id must be greater than 0",
        ),
    ] {
        let result = client.call(tool, args).await;
        assert!(is_error(&result), "{result}");
        assert!(all_text(&result).contains(reason), "{result}");
    }
    assert!(
        sim.state().requests().is_empty(),
        "{:?}",
        request_lines(&sim)
    );
}

#[tokio::test]
async fn the_token_never_shows_at_trace_level_in_the_new_tools() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = crate::support::kommo::traced_server(&sim, &env, &[]).await;
    for (tool, args) in [
        ("find_leads", json!({"phone": "+54 9 11 5555-0101"})),
        ("find_leads", json!({"query": "Acme"})),
        ("get_lead", json!({"lead_id": LEAD})),
        (
            "create_task",
            json!({"lead_id": LEAD, "text": "x", "due": 2_000_000_000}),
        ),
        ("list_salesbots", json!({})),
        ("run_salesbot", json!({"lead_id": LEAD, "bot_id": 401})),
        ("stop_salesbot", json!({"lead_id": LEAD, "bot_id": 999})),
    ] {
        let result = client.call(tool, args).await;
        assert!(!all_text(&result).contains(TOKEN), "{tool}");
    }
    let read = client
        .request("resources/read", json!({"uri": "kommo://leads/9001"}))
        .await;
    assert!(!read.to_string().contains(TOKEN));
    crate::support::kommo::finish_redacted(client).await;
}

#[tokio::test]
async fn dry_runs_from_the_argument_the_flag_and_the_header_send_nothing() {
    let sim = simulator().await;
    let env = Isolated::new();
    let check = |result: &serde_json::Value, action: &str| {
        assert!(!is_error(result), "{result}");
        assert_eq!(first_text(result), "Dry run: nothing was sent to Kommo.");
        assert_eq!(result["structuredContent"]["dry_run"], true);
        assert_eq!(
            result["structuredContent"]["request"],
            json!({"method": "POST", "path": format!("/api/v4/bots/401/{action}"), "body": {"entity_id": LEAD, "entity_type": "leads"}})
        );
    };
    let mut client = client_for(&sim, &env).await;
    for (tool, action) in [("run_salesbot", "run"), ("stop_salesbot", "stop")] {
        let result = client
            .call(
                tool,
                json!({"lead_id": LEAD, "bot_id": 401, "dry_run": true}),
            )
            .await;
        check(&result, action);
    }
    let mut command = env.command();
    command.args(account_args(&sim)).arg("--dry-run");
    let mut flagged = StdioClient::start(command).await;
    for (tool, action) in [("run_salesbot", "run"), ("stop_salesbot", "stop")] {
        let result = flagged
            .call(
                tool,
                json!({"lead_id": LEAD, "bot_id": 401, "dry_run": false}),
            )
            .await;
        check(&result, action);
    }
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    for (tool, action) in [("run_salesbot", "run"), ("stop_salesbot", "stop")] {
        let answer = server
            .bare_call(
                tool,
                json!({"lead_id": LEAD, "bot_id": 401}),
                &[("x-kommo-dry-run", "true")],
            )
            .await;
        check(&answer["result"], action);
    }
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
    assert!(sim.state().bot_actions(SUBDOMAIN).is_empty());
    // A failing check fails as in a real call, still sending nothing.
    let result = client
        .call(
            "run_salesbot",
            json!({"lead_id": MISSING_LEAD, "bot_id": 401, "dry_run": true}),
        )
        .await;
    assert!(is_error(&result), "{result}");
    assert!(writes(&sim).is_empty());
}
