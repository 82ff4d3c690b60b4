//! The three original tools over stdio: sentences, exact Kommo requests, no write after a
//! missing lead, argument validation, stdout hygiene, secrets and end of input.

use kommo_sim::{Fault, MissingLead, SimulatorOptions};
use serde_json::json;

use crate::support::{self, *};

#[tokio::test]
async fn move_lead_checks_then_patches_exactly() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}),
        )
        .await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(
        first_text(&result),
        "Lead successfully moved to the specified pipeline and status."
    );
    assert_eq!(result["structuredContent"]["lead_id"], LEAD);
    assert_eq!(result["structuredContent"]["pipeline_id"], 1002);
    assert_eq!(result["structuredContent"]["status_id"], 3003);
    let requests = sim.state().requests();
    assert_eq!(
        request_lines(&sim),
        vec![
            format!("GET /api/v4/leads/{LEAD}"),
            "GET /api/v4/leads/pipelines".to_owned(),
            format!("PATCH /api/v4/leads/{LEAD}"),
        ]
    );
    assert_eq!(
        requests[2].body,
        Some(json!({"pipeline_id": 1002, "status_id": 3003}))
    );
    assert_eq!(
        requests[2].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(
        requests[2]
            .user_agent
            .as_deref()
            .unwrap_or_default()
            .starts_with("kommo-mcp/")
    );
    let lead = sim.state().lead(SUBDOMAIN, LEAD).unwrap();
    assert_eq!(
        (lead["pipeline_id"].as_i64(), lead["status_id"].as_i64()),
        (Some(1002), Some(3003))
    );
    let finished = client.finish().await;
    assert!(finished.status.success());
}

#[tokio::test]
async fn pause_agent_sets_the_configured_field() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client.call("pause_agent", json!({"lead_id": LEAD})).await;
    assert_eq!(
        first_text(&result),
        "Agent successfully paused for the specified lead."
    );
    assert!(!is_error(&result));
    assert_eq!(result["structuredContent"]["lead_id"], LEAD);
    let writes = writes(&sim);
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].path, format!("/api/v4/leads/{LEAD}"));
    assert_eq!(
        writes[0].body,
        Some(
            json!({"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": true}]}]})
        )
    );
}

#[tokio::test]
async fn pause_value_can_be_false() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .env("KOMMO_PAUSE_VALUE", "false");
    let mut client = StdioClient::start(command).await;
    let result = client.call("pause_agent", json!({"lead_id": LEAD})).await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(
        writes(&sim)[0].body,
        Some(
            json!({"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": false}]}]})
        )
    );
}

#[tokio::test]
async fn pause_agent_without_a_pause_field_names_the_setting_and_sends_nothing() {
    let sim = simulator().await;
    let env = Isolated::new();
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
    let result = client.call("pause_agent", json!({"lead_id": LEAD})).await;
    assert!(is_error(&result));
    assert_eq!(
        first_text(&result),
        "Failed to pause agent: Kommo did not accept the update request."
    );
    assert!(
        all_text(&result).contains("KOMMO_PAUSE_FIELD_ID"),
        "{result}"
    );
    assert!(sim.state().requests().is_empty());
}

#[tokio::test]
async fn add_note_posts_a_common_note() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let text = "Customer wants a quote — call back at 5pm\nline two";
    let result = client
        .call("add_note", json!({"lead_id": LEAD, "note": text}))
        .await;
    assert_eq!(first_text(&result), "Note added succesfully.");
    assert!(!is_error(&result));
    assert!(
        result["structuredContent"]["note_id"].as_i64().is_some(),
        "{result}"
    );
    let writes = writes(&sim);
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].method, "POST");
    assert_eq!(writes[0].path, format!("/api/v4/leads/{LEAD}/notes"));
    assert_eq!(
        writes[0].body,
        Some(json!([{"note_type": "common", "params": {"text": text}}]))
    );
    let notes = sim.state().notes(SUBDOMAIN, LEAD);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["params"]["text"], text);
}

async fn missing_lead_sends_no_write(mode: MissingLead) {
    let sim = support::simulator_with(SimulatorOptions {
        rate_limit: None,
        missing_lead: mode,
        ..SimulatorOptions::default()
    })
    .await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let cases = [
        (
            "move_lead",
            json!({"lead_id": MISSING_LEAD, "pipeline_id": 1001, "status_id": 2002}),
            "Failed to move lead: the specified lead does not exist in Kommo.",
        ),
        (
            "pause_agent",
            json!({"lead_id": MISSING_LEAD}),
            "Failed to pause agent: the specified lead does not exist in Kommo.",
        ),
        (
            "add_note",
            json!({"lead_id": MISSING_LEAD, "note": "hello"}),
            "Error adding the note.",
        ),
    ];
    for (tool, args, sentence) in cases {
        let result = client.call(tool, args).await;
        assert!(is_error(&result), "{tool}: {result}");
        assert_eq!(first_text(&result), sentence, "{tool}");
        assert!(
            all_text(&result).contains("does not exist"),
            "{tool}: {result}"
        );
        assert_eq!(result["structuredContent"]["lead_id"], MISSING_LEAD);
    }
    let expected_status = if mode == MissingLead::NoContent {
        204
    } else {
        404
    };
    let requests = sim.state().requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    for request in requests {
        assert_eq!(request.method, "GET");
        assert_eq!(request.status, expected_status);
    }
}

#[tokio::test]
async fn missing_lead_204_means_no_write() {
    missing_lead_sends_no_write(MissingLead::NoContent).await;
}

#[tokio::test]
async fn missing_lead_404_means_no_write() {
    missing_lead_sends_no_write(MissingLead::NotFound).await;
}

#[tokio::test]
async fn invalid_arguments_name_the_argument_and_send_nothing() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let cases = [
        (
            "move_lead",
            json!({"pipeline_id": 1, "status_id": 2}),
            "lead_id",
        ),
        (
            "move_lead",
            json!({"lead_id": "12", "pipeline_id": 1, "status_id": 2}),
            "lead_id",
        ),
        (
            "move_lead",
            json!({"lead_id": 1, "pipeline_id": 0, "status_id": 2}),
            "pipeline_id",
        ),
        (
            "move_lead",
            json!({"lead_id": 1, "pipeline_id": 1, "status_id": -7}),
            "status_id",
        ),
        (
            "move_lead",
            json!({"lead_id": 2147483648u64, "pipeline_id": 1, "status_id": 2}),
            "lead_id",
        ),
        ("pause_agent", json!({}), "lead_id"),
        ("pause_agent", json!({"lead_id": 1.5}), "lead_id"),
        ("add_note", json!({"lead_id": LEAD, "note": ""}), "note"),
        ("add_note", json!({"lead_id": LEAD}), "note"),
        ("add_note", json!({"lead_id": LEAD, "note": 42}), "note"),
    ];
    for (tool, args, argument) in cases {
        let result = client.call(tool, args.clone()).await;
        assert!(is_error(&result), "{tool} {args}: {result}");
        let text = all_text(&result);
        assert!(text.contains(argument), "{tool} {args}: {text}");
        assert!(text.contains("Nothing was sent to Kommo"), "{text}");
    }
    assert!(
        sim.state().requests().is_empty(),
        "{:?}",
        request_lines(&sim)
    );
}

#[tokio::test]
async fn tools_to_use_in_json_and_csv_forms() {
    let sim = simulator().await;
    for form in [r#"["move_lead","add_note"]"#, "move_lead, add_note"] {
        let env = Isolated::new();
        let mut command = env.command();
        command.args(account_args(&sim)).env("TOOLS_TO_USE", form);
        let mut client = StdioClient::start(command).await;
        assert_eq!(
            client.tool_names().await,
            vec!["add_note", "move_lead"],
            "{form}"
        );
        let refused = client
            .call_raw("pause_agent", json!({"lead_id": LEAD}))
            .await;
        assert!(refused.get("error").is_some(), "{refused}");
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap()
                .contains("pause_agent")
        );
    }
    assert!(writes(&sim).is_empty());
}

#[tokio::test]
async fn empty_tools_to_use_enables_none_and_unset_enables_all() {
    let env = Isolated::new();
    let mut command = env.command();
    command.env("TOOLS_TO_USE", "");
    let mut client = StdioClient::start(command).await;
    assert!(client.tool_names().await.is_empty());
    let mut client = StdioClient::start(env.command()).await;
    assert_eq!(client.tool_names().await, all_tools());
}

#[tokio::test]
async fn unconfigured_server_starts_and_each_tool_names_the_missing_settings() {
    let env = Isolated::new();
    let mut client = StdioClient::start(env.command()).await;
    let result = client
        .call(
            "move_lead",
            json!({"lead_id": 1, "pipeline_id": 2, "status_id": 3}),
        )
        .await;
    assert!(is_error(&result));
    assert_eq!(
        first_text(&result),
        "Failed to move lead: Kommo did not accept the update request."
    );
    let text = all_text(&result);
    assert!(
        text.contains("KOMMO_LONG_DURATION_TOKEN") && text.contains("KOMMO_ACCOUNT_SUBDOMAIN"),
        "{text}"
    );
    let mut command = env.command();
    command.args(["--subdomain", "acme"]);
    let mut client = StdioClient::start(command).await;
    let text = all_text(
        &client
            .call("add_note", json!({"lead_id": 1, "note": "x"}))
            .await,
    );
    assert!(
        text.contains("KOMMO_LONG_DURATION_TOKEN") && !text.contains("KOMMO_ACCOUNT_SUBDOMAIN"),
        "{text}"
    );
}

#[tokio::test]
async fn stdout_is_json_rpc_only_and_the_token_never_appears_even_at_trace() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        status: Some(500),
        ..Fault::default()
    });
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .args(["--log-level", "trace"])
        .env("RUST_LOG", "trace");
    let mut client = StdioClient::start(command).await;
    client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2003}),
        )
        .await;
    client.call("pause_agent", json!({"lead_id": LEAD})).await;
    client
        .call("add_note", json!({"lead_id": LEAD, "note": "hi"}))
        .await;
    client.call("add_note", json!({"lead_id": "bad"})).await;
    client.tool_names().await;
    let finished = client.finish().await;
    assert!(finished.status.success());
    assert!(!finished.stdout_lines.is_empty());
    for line in &finished.stdout_lines {
        let message: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        assert!(!line.contains(TOKEN), "token on stdout: {line}");
    }
    assert!(
        finished.stderr.contains("TRACE") || finished.stderr.contains("DEBUG"),
        "trace logging is on"
    );
    assert!(!finished.stderr.contains(TOKEN), "token in logs");
}

#[tokio::test]
async fn eof_before_initialize_exits_zero() {
    let env = Isolated::new();
    let client = StdioClient::spawn(env.command());
    let finished = client.finish().await;
    assert!(finished.status.success(), "{}", finished.stderr);
    assert!(finished.stdout_lines.is_empty());
}

#[tokio::test]
async fn eof_after_a_call_answers_it_first() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        delay_ms: 800,
        path_contains: Some("/notes".into()),
        ..Fault::default()
    });
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    client
        .send_line(r#"{"jsonrpc":"2.0","id":77,"method":"tools/call","params":{"name":"add_note","arguments":{"lead_id":9001,"note":"late"}}}"#)
        .await;
    let finished = client.finish().await;
    assert!(finished.status.success());
    let answer = finished
        .stdout_lines
        .iter()
        .find(|line| line.contains("\"id\":77"))
        .expect("the call in flight was answered");
    assert!(answer.contains("Note added succesfully."), "{answer}");
}

#[tokio::test]
async fn garbage_input_never_crashes_the_server() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    for line in [
        "not json at all",
        "{\"jsonrpc\":\"2.0\"}",
        "[]",
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"move_lead\",\"arguments\":[1,2]}}",
        "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"no/such/method\"}",
        "\u{0}\u{1}\u{2}",
    ] {
        client.send_line(line).await;
    }
    let result = client
        .call("add_note", json!({"lead_id": LEAD, "note": "still alive"}))
        .await;
    assert_eq!(first_text(&result), "Note added succesfully.");
    let finished = client.finish().await;
    assert!(finished.status.success());
    assert!(!finished.stderr.contains("panicked"), "{}", finished.stderr);
}
