//! Writes an operator can trust, through the built binary: dry runs (argument, flag,
//! header) send no write; read-only mode lists and allows only readers; note dedupe makes
//! one POST for repeats and concurrent twins and forgets failures; the original's
//! `switch_field_id` / `switch_field_value` pause arguments, checked against the account.

use kommo_sim::{Fault, Simulator};
use serde_json::{Value, json};

use crate::support::*;

const DRY: &str = "Dry run: nothing was sent to Kommo.";

async fn server_for(sim: &Simulator, env: &Isolated, extra: &[&str]) -> HttpServer {
    let mut command = http_command(env.command(), extra);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

async fn stdio_with(sim: &Simulator, env: &Isolated, extra: &[&str]) -> StdioClient {
    let mut command = env.command();
    command.args(account_args(sim)).args(extra);
    StdioClient::start(command).await
}

/// Every write tool with arguments that would write, and the request it would send.
fn write_calls() -> Vec<(&'static str, Value, &'static str, &'static str, Value)> {
    vec![
        (
            "add_budget",
            json!({"lead_id": LEAD, "budget_field_value": 99}),
            "PATCH",
            "/api/v4/leads/9001",
            json!({"price": 99}),
        ),
        (
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2003}),
            "PATCH",
            "/api/v4/leads/9001",
            json!({"pipeline_id": 1001, "status_id": 2003}),
        ),
        (
            "pause_agent",
            json!({"lead_id": LEAD}),
            "PATCH",
            "/api/v4/leads/9001",
            json!({"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": true}]}]}),
        ),
        (
            "resume_agent",
            json!({"lead_id": LEAD}),
            "PATCH",
            "/api/v4/leads/9001",
            json!({"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": false}]}]}),
        ),
        (
            "add_note",
            json!({"lead_id": LEAD, "note": "Customer asked for a call"}),
            "POST",
            "/api/v4/leads/9001/notes",
            json!([{"note_type": "common", "params": {"text": "Customer asked for a call"}}]),
        ),
        (
            "add_tag",
            json!({"lead_id": LEAD, "tag_id": 2}),
            "PATCH",
            "/api/v4/leads/9001",
            json!({"tags_to_add": [{"id": 2}]}),
        ),
        (
            "remove_tag",
            json!({"lead_id": LEAD, "tag_name": "WhatsApp"}),
            "PATCH",
            "/api/v4/leads/9001",
            json!({"tags_to_delete": [{"id": 1}]}),
        ),
        (
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {"Source": "Website", "INTERESTS": ["Demo"]}}),
            "PATCH",
            "/api/v4/leads/9001",
            json!({"custom_fields_values": [
                {"field_id": 5002, "values": [{"enum_id": 6003}]},
                {"field_id": 5005, "values": [{"enum_id": 6012}]}
            ]}),
        ),
    ]
}

fn assert_dry_run(result: &Value, method: &str, path: &str, body: &Value) {
    assert!(!is_error(result), "{result}");
    assert_eq!(first_text(result), DRY, "{result}");
    let second = result["content"][1]["text"].as_str().unwrap();
    assert!(second.contains(method) && second.contains(path), "{second}");
    assert!(second.contains(&body.to_string()), "{second}");
    assert_eq!(result["structuredContent"]["dry_run"], true);
    assert_eq!(
        result["structuredContent"]["request"],
        json!({"method": method, "path": path, "body": body})
    );
}

#[tokio::test]
async fn dry_run_argument_checks_and_sends_no_write_for_every_write_tool() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    for (tool, mut args, method, path, body) in write_calls() {
        args["dry_run"] = json!(true);
        let result = client.call(tool, args).await;
        assert_dry_run(&result, method, path, &body);
    }
    // a failing check fails as in a real call
    let result = client
        .call("move_lead", json!({"lead_id": MISSING_LEAD, "pipeline_id": 1001, "status_id": 2003, "dry_run": true}))
        .await;
    assert!(is_error(&result), "{result}");
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
    // dry_run: false is a real call
    let result = client
        .call(
            "add_note",
            json!({"lead_id": LEAD, "note": "real", "dry_run": false}),
        )
        .await;
    assert_eq!(first_text(&result), "Note added succesfully.");
    assert_eq!(writes(&sim).len(), 1);
}

#[tokio::test]
async fn dry_run_flag_and_env_cannot_be_turned_off_by_the_argument() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = stdio_with(&sim, &env, &["--dry-run"]).await;
    for (tool, mut args, method, path, body) in write_calls() {
        args["dry_run"] = json!(false);
        let result = client.call(tool, args).await;
        assert_dry_run(&result, method, path, &body);
    }
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .env("KOMMO_DRY_RUN", "true");
    let mut client = StdioClient::start(command).await;
    let result = client
        .call("add_note", json!({"lead_id": LEAD, "note": "x"}))
        .await;
    assert_eq!(first_text(&result), DRY);
    assert!(writes(&sim).is_empty());
}

#[tokio::test]
async fn dry_run_header_over_http() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &[]).await;
    for (tool, args, method, path, body) in write_calls() {
        let answer = server
            .bare_call(tool, args, &[("x-kommo-dry-run", "true")])
            .await;
        assert_dry_run(&answer["result"], method, path, &body);
    }
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
}

#[tokio::test]
async fn read_only_mode_lists_and_allows_only_readers() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = stdio_with(&sim, &env, &["--read-only"]).await;
    assert_eq!(
        client.tool_names().await,
        vec![
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
        ("add_note", json!({"lead_id": LEAD, "note": "x"})),
        ("add_tag", json!({"lead_id": LEAD, "tag_id": 2})),
        ("remove_tag", json!({"lead_id": LEAD, "tag_id": 1})),
        (
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {"Source": "Website"}}),
        ),
    ] {
        let refused = client.call_raw(tool, args).await;
        assert!(refused.get("error").is_some(), "{tool}: {refused}");
    }
    let fields = client.call("list_custom_fields", json!({})).await;
    assert!(!is_error(&fields), "{fields}");
    let read = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert!(!is_error(&read), "{read}");
    // TOOLS_TO_USE naming a writer intersects, no error
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .env("KOMMO_READ_ONLY", "1")
        .env("TOOLS_TO_USE", "get_lead,move_lead");
    let mut narrowed = StdioClient::start(command).await;
    assert_eq!(narrowed.tool_names().await, vec!["get_lead"]);
    // call refuses
    let output = env
        .command()
        .args(account_args(&sim))
        .args(["--read-only", "call", "pause_agent", "lead_id=9001"])
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("read-only mode"));
    // header over HTTP
    let server = server_for(&sim, &env, &[]).await;
    let answer = server
        .bare_call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2003}),
            &[("x-kommo-read-only", "true")],
        )
        .await;
    assert!(answer.get("error").is_some(), "{answer}");
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
}

fn note_posts(sim: &Simulator) -> usize {
    writes(sim)
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/notes"))
        .count()
}

#[tokio::test]
async fn a_repeated_note_is_answered_from_memory_without_a_post() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let args = json!({"lead_id": LEAD, "note": "Wants a demo on Friday"});
    let first = client.call("add_note", args.clone()).await;
    let second = client.call("add_note", args.clone()).await;
    assert_eq!(first_text(&second), "Note added succesfully.");
    assert_eq!(second["structuredContent"]["deduplicated"], true);
    assert_eq!(
        second["structuredContent"]["note_id"],
        first["structuredContent"]["note_id"]
    );
    assert!(first["structuredContent"].get("deduplicated").is_none());
    assert_eq!(note_posts(&sim), 1);
    // another text, another lead: new notes
    client
        .call("add_note", json!({"lead_id": LEAD, "note": "Other"}))
        .await;
    client
        .call(
            "add_note",
            json!({"lead_id": 9002, "note": "Wants a demo on Friday"}),
        )
        .await;
    assert_eq!(note_posts(&sim), 3);
    // 0 turns it off
    let mut off = stdio_with(&sim, &env, &["--note-dedupe", "0"]).await;
    off.call("add_note", args.clone()).await;
    off.call("add_note", args).await;
    assert_eq!(note_posts(&sim), 5);
}

#[tokio::test]
async fn two_concurrent_identical_notes_make_one_post() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        method: Some("POST".into()),
        path_contains: Some("/notes".into()),
        delay_ms: 300,
        ..Fault::default()
    });
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let args = json!({"lead_id": LEAD, "note": "Same moment"});
    let results = client
        .call_concurrently(&[("add_note", args.clone()), ("add_note", args)])
        .await;
    for result in &results {
        assert_eq!(first_text(result), "Note added succesfully.", "{result}");
    }
    assert_eq!(note_posts(&sim), 1, "{:?}", request_lines(&sim));
    assert_eq!(sim.state().notes(SUBDOMAIN, LEAD).len(), 1);
}

#[tokio::test]
async fn a_failed_note_is_not_remembered() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        method: Some("POST".into()),
        path_contains: Some("/notes".into()),
        status: Some(500),
        ..Fault::default()
    });
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let args = json!({"lead_id": LEAD, "note": "After a failure"});
    let failed = client.call("add_note", args.clone()).await;
    assert!(is_error(&failed), "{failed}");
    let retried = client.call("add_note", args).await;
    assert_eq!(first_text(&retried), "Note added succesfully.");
    assert!(retried["structuredContent"].get("deduplicated").is_none());
    assert_eq!(note_posts(&sim), 2);
    assert_eq!(sim.state().notes(SUBDOMAIN, LEAD).len(), 1);
}

#[tokio::test]
async fn pause_takes_the_originals_switch_field_arguments() {
    let sim = simulator().await;
    let env = Isolated::new();
    // no configured pause field at all: the arguments are enough
    let mut command = env.command();
    command.args([
        "--base-url",
        &sim.base_url_template(),
        "--subdomain",
        SUBDOMAIN,
        "--token",
        TOKEN,
    ]);
    let mut client = StdioClient::start(command).await;
    let paused = client
        .call(
            "pause_agent",
            json!({"lead_id": LEAD, "switch_field_id": 5001, "switch_field_value": false}),
        )
        .await;
    assert_eq!(
        first_text(&paused),
        "Agent successfully paused for the specified lead.",
        "{paused}"
    );
    let resumed = client
        .call(
            "resume_agent",
            json!({"lead_id": LEAD, "switch_field_id": 5001, "switch_field_value": false}),
        )
        .await;
    assert!(!is_error(&resumed), "{resumed}");
    let bodies: Vec<Value> = writes(&sim).into_iter().map(|r| r.body.unwrap()).collect();
    assert_eq!(
        bodies,
        vec![
            json!({"custom_fields_values": [{"field_id": 5001, "values": [{"value": false}]}]}),
            json!({"custom_fields_values": [{"field_id": 5001, "values": [{"value": true}]}]}),
        ]
    );
    // a field that is not a checkbox, or not a field: refused, nothing sent
    for (field, expected) in [
        (5002, "not a checkbox"),
        (4242, "is not a lead custom field"),
    ] {
        let refused = client
            .call(
                "pause_agent",
                json!({"lead_id": LEAD, "switch_field_id": field}),
            )
            .await;
        assert!(is_error(&refused), "{refused}");
        assert_eq!(
            first_text(&refused),
            "Failed to pause agent: Kommo did not accept the update request."
        );
        let reason = all_text(&refused);
        assert!(
            reason.contains(expected) && reason.contains("(5001)"),
            "{reason}"
        );
    }
    // wrong types are argument errors naming both
    let refused = client
        .call(
            "pause_agent",
            json!({"lead_id": LEAD, "switch_field_id": "x", "switch_field_value": "yes"}),
        )
        .await;
    let reason = all_text(&refused);
    assert!(
        reason.contains("switch_field_id") && reason.contains("switch_field_value"),
        "{reason}"
    );
    assert_eq!(writes(&sim).len(), 2);
    // the custom fields are read once (cached per account): both pages of 50
    let reads = request_lines(&sim)
        .iter()
        .filter(|l| l.starts_with("GET /api/v4/leads/custom_fields"))
        .count();
    assert_eq!(reads, 2);
}
