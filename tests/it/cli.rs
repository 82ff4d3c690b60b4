//! `kommo-mcp call`, `tools` and `check` from a shell: exit codes, argument coercion and
//! usage errors, output formats, exact Kommo requests, the sandbox, and secrets.

use std::process::{Output, Stdio};

use kommo_sim::{Fault, FaultBody, Simulator};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::support::*;

/// Runs the binary with `args` (and `stdin`, if any); returns its output.
async fn run(env: &Isolated, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = env.command();
    command.args(args);
    if stdin.is_some() {
        command.stdin(Stdio::piped());
    }
    let mut child = command.spawn().expect("binary starts");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(text.as_bytes()).await.expect("write stdin");
        drop(pipe);
    }
    child.wait_with_output().await.expect("binary ends")
}

/// `call` against the simulator's demo account.
async fn call(sim: &Simulator, env: &Isolated, args: &[&str]) -> Output {
    let mut all: Vec<String> = account_args(sim);
    all.push("call".into());
    all.extend(args.iter().map(|s| (*s).to_owned()));
    run(
        env,
        &all.iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    )
    .await
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

/// Exit 2, nothing on stdout, one error naming `needle`, and nothing sent to Kommo.
fn assert_usage_error(output: &Output, needle: &str) {
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "stdout stays empty: {output:?}");
    let err = stderr(output);
    assert!(err.starts_with("kommo-mcp: error: "), "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
    assert!(!err.contains(TOKEN), "{err}");
}

#[tokio::test]
async fn call_moves_a_lead_with_coerced_integers_and_exact_requests() {
    let sim = simulator().await;
    let env = Isolated::new();
    let output = call(
        &sim,
        &env,
        &[
            "move_lead",
            "lead_id=9001",
            "pipeline_id=1002",
            "status_id=3003",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        stdout(&output),
        "Lead successfully moved to the specified pipeline and status.\n"
    );
    assert_eq!(stderr(&output), "");
    assert_eq!(
        request_lines(&sim),
        vec![
            "GET /api/v4/leads/9001",
            "GET /api/v4/leads/pipelines",
            "PATCH /api/v4/leads/9001"
        ]
    );
    let writes = writes(&sim);
    assert_eq!(
        writes[0].body,
        Some(json!({"pipeline_id": 1002, "status_id": 3003}))
    );
    assert_eq!(
        writes[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn call_keeps_string_arguments_as_text() {
    let sim = simulator().await;
    let env = Isolated::new();
    let output = call(
        &sim,
        &env,
        &["add_note", "lead_id=9001", "note=12345 = a b"],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout(&output), "Note added succesfully.\n");
    let writes = writes(&sim);
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].path, "/api/v4/leads/9001/notes");
    assert_eq!(
        writes[0].body,
        Some(json!([{"note_type": "common", "params": {"text": "12345 = a b"}}]))
    );
}

#[tokio::test]
async fn call_reads_json_arguments_inline_and_from_stdin() {
    let sim = simulator().await;
    let env = Isolated::new();
    let output = call(
        &sim,
        &env,
        &["pause_agent", "--json", "{\"lead_id\": 9001}"],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        stdout(&output),
        "Agent successfully paused for the specified lead.\n"
    );

    let mut args = account_args(&sim);
    args.extend(["call", "resume_agent", "--json", "-"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&env, &args, Some("{\"lead_id\": 9001}\n")).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        stdout(&output),
        "Agent successfully resumed for the specified lead.\n"
    );
    let bodies: Vec<Option<Value>> = writes(&sim).into_iter().map(|w| w.body).collect();
    assert_eq!(
        bodies,
        vec![
            Some(
                json!({"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": true}]}]})
            ),
            Some(
                json!({"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": false}]}]})
            ),
        ]
    );
}

#[tokio::test]
async fn a_failed_tool_exits_1_with_one_line_on_stderr_and_nothing_on_stdout() {
    let sim = simulator().await;
    let env = Isolated::new();
    let output = call(
        &sim,
        &env,
        &["pause_agent", &format!("lead_id={MISSING_LEAD}")],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    assert_eq!(
        stderr(&output),
        format!(
            "kommo-mcp: error: Failed to pause agent: the specified lead does not exist in Kommo. \
             Kommo has no lead with id {MISSING_LEAD} in account {SUBDOMAIN}. Nothing was changed.\n"
        )
    );
    assert!(writes(&sim).is_empty(), "no write after a missing lead");

    // A value the tool itself refuses (not a usage error: it is a whole number).
    let output = call(&sim, &env, &["get_lead", "lead_id=0"]).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(
        err.starts_with("kommo-mcp: error: Failed to get lead: Kommo did not return it. Invalid arguments: lead_id must be greater than 0, got 0."),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    // Kommo refusing the token is a tool failure too; the token is not printed.
    let mut args = account_args(&sim);
    let token_at = args.iter().position(|a| a == TOKEN).unwrap();
    args[token_at] = "wrong-token-xyz".into();
    args.extend(["call", "get_lead", "lead_id=9001"].map(String::from));
    let output = run(
        &env,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let err = stderr(&output);
    assert!(err.contains("401 Unauthorized"), "{err}");
    assert!(!err.contains("wrong-token-xyz"), "{err}");
}

#[tokio::test]
async fn output_json_prints_the_whole_result_on_success_and_failure() {
    let sim = simulator().await;
    let env = Isolated::new();
    let output = call(
        &sim,
        &env,
        &["get_lead", "lead_id=9001", "--output", "json"],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let result: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(result["isError"], false);
    assert_eq!(result["structuredContent"]["id"], 9001);
    assert!(first_text(&result).contains("9001"), "{result}");

    let output = call(
        &sim,
        &env,
        &[
            "get_lead",
            &format!("lead_id={MISSING_LEAD}"),
            "--output",
            "json",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let result: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(result["isError"], true);
    assert_eq!(
        first_text(&result),
        "Failed to get lead: the specified lead does not exist in Kommo."
    );
    assert_eq!(result["structuredContent"]["error"]["kind"], "lead_missing");
    assert_eq!(result["content"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn usage_errors_exit_2_name_the_mistake_and_send_nothing() {
    let sim = simulator().await;
    let env = Isolated::new();
    for (args, needle) in [
        (
            vec!["get_lead", "lead_id=abc"],
            "argument lead_id must be a whole number, got \"abc\" (lead_id=abc)",
        ),
        (
            vec!["get_lead", "lead_id=1", "lead_id=2"],
            "argument lead_id is given twice",
        ),
        (
            vec!["get_lead", "leadid=1"],
            "get_lead takes no argument \"leadid\" (it takes lead_id)",
        ),
        (
            vec!["get_lead", "lead_id"],
            "argument \"lead_id\" is not KEY=VALUE",
        ),
        (
            vec!["get_lead", "lead_id=1", "--json", "{\"lead_id\":1}"],
            "either as KEY=VALUE or with --json, not both",
        ),
        (
            vec!["get_lead", "--json", "{\"lead_id\":1,\"x\":2}"],
            "get_lead takes no argument \"x\"",
        ),
        (vec!["get_lead", "--json", "[1]"], "must be a JSON object"),
        (
            vec!["get_lead", "--json", "{"],
            "--json value is not valid JSON",
        ),
        (
            vec!["drop_leads"],
            "invalid value 'drop_leads' for '<TOOL>'",
        ),
        (
            vec!["get_lead", "--output", "yaml"],
            "invalid value 'yaml' for '--output",
        ),
        (vec![], "<TOOL>"),
    ] {
        let output = call(&sim, &env, &args).await;
        assert_usage_error(&output, needle);
    }
    let output = run(&env, &["call", "get_lead", "--json", "-"], Some("not json")).await;
    assert_usage_error(&output, "--json - (stdin) is not valid JSON");
    // The unknown tool's error lists the known ones.
    let output = call(&sim, &env, &["drop_leads"]).await;
    assert!(stderr(&output).contains("move_lead"), "{}", stderr(&output));
    assert!(sim.state().requests().is_empty(), "nothing reached Kommo");
}

#[tokio::test]
async fn a_tool_not_enabled_by_tools_to_use_is_a_usage_error() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .args([
            "call",
            "move_lead",
            "lead_id=9001",
            "pipeline_id=1",
            "status_id=2",
        ])
        .env("TOOLS_TO_USE", "add_note,get_lead");
    let output = command.output().await.unwrap();
    assert_usage_error(
        &output,
        "tool move_lead is not enabled: TOOLS_TO_USE (--tools) from env TOOLS_TO_USE enables only add_note, get_lead",
    );
    assert!(sim.state().requests().is_empty());
}

#[tokio::test]
async fn configuration_errors_exit_2() {
    let env = Isolated::new();
    let output = run(
        &env,
        &["--rate-limit", "fast", "call", "list_pipelines"],
        None,
    )
    .await;
    assert_usage_error(&output, "rate limit");
    let output = run(&env, &["call", "list_pipelines", "--http"], None).await;
    assert_usage_error(&output, "--http");
    let output = run(&env, &["--http", "call", "list_pipelines"], None).await;
    assert_usage_error(
        &output,
        "--http only applies to serving; it cannot be used with call",
    );
}

#[tokio::test]
async fn no_account_configured_is_a_tool_failure_naming_the_settings() {
    let env = Isolated::new();
    let output = run(&env, &["call", "list_pipelines"], None).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(
        err.contains("KOMMO_LONG_DURATION_TOKEN") && err.contains("KOMMO_ACCOUNT_SUBDOMAIN"),
        "{err}"
    );
}

#[tokio::test]
async fn call_uses_every_source_of_settings() {
    // Environment variables and global flags placed after the subcommand.
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args([
            "call",
            "pause_agent",
            "lead_id=9001",
            "--pause-field-id",
            "5001",
        ])
        .env("KOMMO_BASE_URL", sim.base_url_template())
        .env("KOMMO_ACCOUNT_SUBDOMAIN", SUBDOMAIN)
        .env("KOMMO_LONG_DURATION_TOKEN", TOKEN)
        .env("KOMMO_PAUSE_VALUE", "false");
    let output = command.output().await.unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        writes(&sim)[0].body,
        Some(json!({"custom_fields_values": [{"field_id": 5001, "values": [{"value": false}]}]}))
    );

    // The config file with an [accounts.*] table for another account.
    let sim = simulator().await;
    sim.state().add_demo_account("other", "other-token");
    let env = Isolated::new();
    env.write_default_config(&format!(
        "subdomain = \"other\"\nbase_url = \"{}\"\n\n[accounts.other]\ntoken = \"other-token\"\n",
        sim.base_url_template()
    ));
    let output = run(
        &env,
        &["call", "add_note", "lead_id=9001", "note=from the file"],
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let requests = sim.state().requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(
        |r| r.subdomain == "other" && r.authorization.as_deref() == Some("Bearer other-token")
    ));
}

#[tokio::test]
async fn call_works_against_the_sandbox() {
    let env = Isolated::new();
    let output = run(
        &env,
        &[
            "--sandbox",
            "call",
            "move_lead",
            "lead_id=9001",
            "pipeline_id=1002",
            "status_id=3003",
        ],
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        stdout(&output),
        "Lead successfully moved to the specified pipeline and status.\n"
    );
    let output = run(
        &env,
        &["call", "get_lead", "lead_id=9999", "--sandbox"],
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stderr(&output).starts_with(
        "kommo-mcp: error: Failed to get lead: the specified lead does not exist in Kommo."
    ));
}

#[tokio::test]
async fn tools_lists_the_enabled_tools_and_json_matches_tools_list() {
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args(["tools"])
        .env("TOOLS_TO_USE", "[\"move_lead\",\"add_note\"]");
    let output = command.output().await.unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines,
        [
            "add_note        Add a plain-text note to a lead's feed.",
            "move_lead       Move a lead to a pipeline and status (stage).",
        ],
        "each tool with its one-line summary"
    );

    let mut command = env.command();
    command
        .args(["tools", "--json"])
        .env("TOOLS_TO_USE", "move_lead,add_note");
    let output = command.output().await.unwrap();
    let from_cli: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let mut command = env.command();
    command.env("TOOLS_TO_USE", "move_lead,add_note");
    let mut client = StdioClient::start(command).await;
    let listed = client.request("tools/list", json!({})).await;
    assert_eq!(from_cli, listed["result"]["tools"]);
    assert_eq!(from_cli[0]["name"], "add_note");
    assert!(from_cli[0]["inputSchema"].is_object() && from_cli[0]["annotations"].is_object());
}

async fn check(env: &Isolated, args: &[String]) -> Output {
    let mut all = args.to_vec();
    all.push("check".into());
    run(
        env,
        &all.iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    )
    .await
}

#[tokio::test]
async fn check_with_a_good_token_prints_every_setting_and_exits_0() {
    let sim = simulator().await;
    let env = Isolated::new();
    let config = env.write_default_config(
        "rate_limit = 5\n[accounts.other]\ntoken = \"other-secret-token\"\npause_field_id = 7\n",
    );
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .arg("check")
        .env("KOMMO_REQUEST_TIMEOUT", "9");
    let output = command.output().await.unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stderr(&output), "");
    let text = stdout(&output);
    for expected in [
        format!("<redacted, {} characters>", TOKEN.len()),
        "(env KOMMO_REQUEST_TIMEOUT)".to_owned(),
        format!("(file {})", config.display()),
        "(default)".to_owned(),
        "(flag)".to_owned(),
        "(default)".to_owned(),
        format!("ok    the token is accepted by account \"{SUBDOMAIN}\""),
        format!(
            "ok    pause field {PAUSE_FIELD} \"AI agent paused\" is a checkbox lead field (paused = true)"
        ),
        "Everything is in order.".to_owned(),
    ] {
        assert!(text.contains(&expected), "{expected:?} not in\n{text}");
    }
    for line in [
        "token ",
        "subdomain ",
        "tools ",
        "pause_field_id ",
        "pause_value ",
        "base_url ",
        "rate_limit ",
        "connect_timeout ",
        "request_timeout ",
        "pipelines_cache ",
    ] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(line)),
            "{line} missing:\n{text}"
        );
    }
    assert!(
        text.lines()
            .any(|line| line.split_whitespace().collect::<Vec<_>>().join(" ")
                == "[accounts.other] token <redacted, 18 characters>, pause_field_id 7 (file "
                    .to_owned()
                    + &config.display().to_string()
                    + ")"),
        "{text}"
    );
    let row = |name: &str| {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap();
        line.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    assert_eq!(
        row("rate_limit"),
        format!(
            "rate_limit 5 requests/s per account (file {})",
            config.display()
        )
    );
    assert_eq!(
        row("request_timeout"),
        "request_timeout 9 s (env KOMMO_REQUEST_TIMEOUT)"
    );
    assert_eq!(row("connect_timeout"), "connect_timeout 5 s (default)");
    assert_eq!(row("subdomain"), format!("subdomain {SUBDOMAIN} (flag)"));
    assert_eq!(
        row("token"),
        format!("token <redacted, {} characters> (flag)", TOKEN.len())
    );
    assert_eq!(
        row("config file"),
        format!("config file {}", config.display())
    );
    assert!(
        !text.contains(TOKEN) && !text.contains("other-secret-token"),
        "{text}"
    );
    assert_eq!(
        request_lines(&sim),
        vec![
            "GET /api/v4/account",
            "GET /api/v4/leads/custom_fields",
            "GET /api/v4/leads/custom_fields"
        ],
        "the account, then both pages of its 60 custom fields"
    );
}

#[tokio::test]
async fn check_with_a_wrong_token_exits_1_with_a_sentence_and_never_prints_it() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args([
            "--base-url",
            &sim.base_url_template(),
            "--subdomain",
            SUBDOMAIN,
            "check",
        ])
        .env("KOMMO_LONG_DURATION_TOKEN", "wrong-secret-token-123");
    let output = command.output().await.unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let (out, err) = (stdout(&output), stderr(&output));
    assert!(out.contains("(env KOMMO_LONG_DURATION_TOKEN)"), "{out}");
    assert_eq!(
        err,
        format!(
            "kommo-mcp: error: Kommo did not accept the check of account \"{SUBDOMAIN}\": Kommo rejected the token \
             (401 Unauthorized): it is invalid, expired or revoked; generate a new long-lived token for this account. \
             To fix it, set KOMMO_LONG_DURATION_TOKEN (flag --token, config key token) to a valid long-lived token of \
             account \"{SUBDOMAIN}\", and check that KOMMO_ACCOUNT_SUBDOMAIN names the account the token belongs to.\n"
        )
    );
    assert!(out.contains("FAIL  Kommo did not accept"), "{out}");
    assert!(!out.contains("wrong-secret-token-123") && !err.contains("wrong-secret-token-123"));
    assert_eq!(request_lines(&sim), vec!["GET /api/v4/account"]);
}

#[tokio::test]
async fn check_reports_a_token_of_another_account() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        path_contains: Some("/api/v4/account".into()),
        status: Some(200),
        body: FaultBody::Json(json!({"id": 1, "name": "Elsewhere", "subdomain": "elsewhere"})),
        ..Fault::default()
    });
    let env = Isolated::new();
    let output = check(&env, &account_args(&sim)).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        stderr(&output),
        format!(
            "kommo-mcp: error: the token belongs to account \"elsewhere\", not to the configured subdomain \"{SUBDOMAIN}\": \
             set KOMMO_ACCOUNT_SUBDOMAIN (flag --subdomain, config key subdomain) to \"elsewhere\", or use a token of \
             account \"{SUBDOMAIN}\".\n"
        )
    );
}

#[tokio::test]
async fn check_reports_a_pause_field_that_is_missing_or_not_a_checkbox() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut args = account_args(&sim);
    let at = args.iter().position(|a| a == "--pause-field-id").unwrap() + 1;
    args[at] = "5003".into();
    let output = check(&env, &args).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        stderr(&output),
        "kommo-mcp: error: pause field 5003 \"Budget note\" is a text field, not a checkbox: set KOMMO_PAUSE_FIELD_ID \
         (flag --pause-field-id, config key pause_field_id) to the id of a checkbox lead field (checkbox lead fields: \
         5001 \"AI agent paused\", 5012 \"Callback requested\").\n"
    );
    args[at] = "7777".into();
    let output = check(&env, &args).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        stderr(&output).starts_with(&format!(
            "kommo-mcp: error: pause field 7777 does not exist among the 60 lead custom fields of account \"{SUBDOMAIN}\": \
             set KOMMO_PAUSE_FIELD_ID"
        )),
        "{}",
        stderr(&output)
    );

    // No pause field at all: fine only when the pause tools are not enabled.
    args.truncate(at - 1);
    let output = check(&env, &args).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        stderr(&output)
            .contains("no pause field is configured, so pause_agent and resume_agent cannot work")
    );
    args.extend(["--tools".into(), "move_lead,add_note".into()]);
    let output = check(&env, &args).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(stdout(&output).contains("none is needed"));
}

#[tokio::test]
async fn check_pages_through_the_custom_fields() {
    let sim = simulator().await;
    let next = format!(
        "{}/api/v4/leads/custom_fields?page=2&limit=50",
        sim.base_url_template().replace("{subdomain}", SUBDOMAIN)
    );
    for body in [
        json!({"_links": {"next": {"href": next}}, "_embedded": {"custom_fields": [{"id": 1, "name": "a", "type": "text"}]}}),
        json!({"_embedded": {"custom_fields": [{"id": 8888, "name": "Bot off", "type": "checkbox"}]}}),
    ] {
        sim.state().push_fault(Fault {
            path_contains: Some("/custom_fields".into()),
            status: Some(200),
            body: FaultBody::Json(body),
            ..Fault::default()
        });
    }
    let env = Isolated::new();
    let mut args = account_args(&sim);
    let at = args.iter().position(|a| a == "--pause-field-id").unwrap() + 1;
    args[at] = "8888".into();
    let output = check(&env, &args).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        stdout(&output).contains("ok    pause field 8888 \"Bot off\" is a checkbox lead field")
    );
    let queries: Vec<Option<String>> = sim
        .state()
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/custom_fields"))
        .map(|r| r.query)
        .collect();
    assert_eq!(
        queries,
        vec![
            Some("page=1&limit=50".to_owned()),
            Some("page=2&limit=50".to_owned())
        ]
    );
}

#[tokio::test]
async fn check_without_an_account_names_the_settings() {
    let env = Isolated::new();
    let output = check(&env, &[]).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let err = stderr(&output);
    assert!(err.starts_with("kommo-mcp: error: kommo-mcp has no Kommo account configured: set KOMMO_LONG_DURATION_TOKEN"), "{err}");
    assert!(
        stdout(&output)
            .lines()
            .any(|line| line.split_whitespace().collect::<Vec<_>>().join(" ") == "token (not set)"),
        "{}",
        stdout(&output)
    );
}

#[tokio::test]
async fn help_shows_env_names_but_never_a_secret() {
    let env = Isolated::new();
    for args in [
        vec!["--help"],
        vec!["-h"],
        vec!["call", "--help"],
        vec!["check", "--help"],
        vec!["tools", "--help"],
        vec!["serve", "--help"],
        vec!["help", "call"],
        vec!["completions", "--help"],
        vec!["man", "--help"],
    ] {
        let mut command = env.command();
        command
            .args(&args)
            .env("KOMMO_LONG_DURATION_TOKEN", TOKEN)
            .env("KOMMO_MCP_AUTH_TOKEN", "auth-secret-value-42")
            .env("KOMMO_ACCOUNT_SUBDOMAIN", "visible-subdomain");
        let output = command.output().await.unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
        let text = stdout(&output);
        // completions and man take no settings, so their help names none.
        let takes_settings = !["completions", "man"].contains(&args[0]);
        assert_eq!(
            text.contains("KOMMO_LONG_DURATION_TOKEN"),
            takes_settings,
            "{args:?}:\n{text}"
        );
        assert!(!text.contains(TOKEN), "{args:?} shows the token:\n{text}");
        assert!(
            !text.contains("auth-secret-value-42"),
            "{args:?} shows the auth token"
        );
    }
    let output = run(&env, &["call", "--help"], None).await;
    let text = stdout(&output);
    for expected in [
        "KEY=VALUE",
        "--json",
        "--output",
        "move_lead",
        "Exit status: 0 success, 1",
        "TOOLS_TO_USE",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
}

#[tokio::test]
async fn version_prints_the_crate_version() {
    let env = Isolated::new();
    let output = run(&env, &["--version"], None).await;
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        format!("kommo-mcp {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn completions_and_man_print_what_is_committed() {
    let env = Isolated::new();
    let output = run(&env, &["completions", "bash"], None).await;
    assert_eq!(output.status.code(), Some(0));
    let script = stdout(&output);
    assert!(
        script.contains("list_pipelines"),
        "tool names complete after call"
    );
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/completions/kommo-mcp.bash"
    ))
    .unwrap();
    assert_eq!(script, committed);
    let output = run(&env, &["man", "call"], None).await;
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("\n.TH kommo-mcp-call 1 "),
        "{}",
        stdout(&output)
    );
    let output = run(&env, &["man"], None).await;
    let page = stdout(&output);
    for expected in [
        "KOMMO_LONG_DURATION_TOKEN",
        "config key",
        "EXIT STATUS",
        "EXAMPLES",
        "PRECEDENCE",
    ] {
        assert!(page.contains(expected), "{expected}");
    }
    let output = run(&env, &["completions", "tcsh"], None).await;
    assert_usage_error(&output, "tcsh");
}

#[tokio::test]
async fn man_out_dir_writes_every_page() {
    let env = Isolated::new();
    let dir = env.home.path().join("man1");
    let output = run(&env, &["man", "--out-dir", dir.to_str().unwrap()], None).await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "kommo-mcp-call.1",
            "kommo-mcp-check.1",
            "kommo-mcp-completions.1",
            "kommo-mcp-man.1",
            "kommo-mcp-new-key.1",
            "kommo-mcp-sandbox.1",
            "kommo-mcp-serve.1",
            "kommo-mcp-tools.1",
            "kommo-mcp.1"
        ]
    );
    let committed =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/man/kommo-mcp-call.1")).unwrap();
    assert_eq!(
        std::fs::read(dir.join("kommo-mcp-call.1")).unwrap(),
        committed
    );
}

#[tokio::test]
async fn help_groups_options_under_headings_and_shows_no_empty_env_values() {
    let env = Isolated::new();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["call", "--help"],
    ] {
        let output = run(&env, &args, None).await;
        let text = stdout(&output);
        for heading in [
            "Kommo account:",
            "Kommo limits:",
            "Logging:",
            "Configuration:",
            "Tools:",
        ] {
            assert!(text.contains(heading), "{args:?} lacks {heading}:\n{text}");
        }
        assert!(
            !text.contains("=]"),
            "{args:?} shows an unset variable as if it were set to empty:\n{text}"
        );
        // The generic heading holds only -h/-V, not the settings.
        let generic = text
            .split("Options:")
            .nth(1)
            .and_then(|rest| rest.split("\n\n").next())
            .unwrap_or_default();
        let own_options: &[&str] = if args[0] == "call" {
            &["--json <JSON>", "--output <OUTPUT>"]
        } else {
            &[]
        };
        for option in generic
            .lines()
            .filter(|line| line.trim_start().starts_with('-'))
        {
            let option = option.trim().split("  ").next().unwrap_or_default();
            assert!(
                ["-h, --help", "-V, --version"].contains(&option) || own_options.contains(&option),
                "{args:?}: {option} has no help heading:\n{text}"
            );
        }
    }
    let serve = stdout(&run(&env, &["serve", "--help"], None).await);
    assert!(serve.contains("HTTP server (serve --http):"), "{serve}");
    let call = stdout(&run(&env, &["call", "--help"], None).await);
    assert!(
        !call.contains("HTTP server (serve --http):"),
        "call --help lists serve-only options:\n{call}"
    );
}

#[tokio::test]
async fn a_missing_required_argument_is_a_usage_error() {
    let env = Isolated::new();
    let output = run(&env, &["--sandbox", "call", "get_lead"], None).await;
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert_eq!(
        stderr(&output).trim(),
        "kommo-mcp: error: get_lead needs lead_id (e.g. kommo-mcp call get_lead lead_id=…)"
    );
    assert!(stdout(&output).is_empty());
    let output = run(
        &env,
        &[
            "--sandbox",
            "call",
            "move_lead",
            "--json",
            "{\"lead_id\": 9001}",
        ],
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        stderr(&output).contains("move_lead needs pipeline_id and status_id"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn stdio_mode_says_what_it_serves_on_stderr_at_start() {
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args(["--subdomain", "acme", "--tools", "get_lead,add_note"])
        .env("KOMMO_LONG_DURATION_TOKEN", TOKEN);
    let output = command.output().await.unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stdout.is_empty(), "stdout is for JSON-RPC only");
    let err = stderr(&output);
    let line = err
        .lines()
        .find(|line| line.contains("kommo-mcp starting"))
        .unwrap_or_else(|| panic!("no start line in {err}"));
    for expected in [
        concat!("version=\"", env!("CARGO_PKG_VERSION"), "\""),
        "transport=\"stdio\"",
        "tools=add_note,get_lead",
        "account=acme",
        "config_file=none",
    ] {
        assert!(line.contains(expected), "{expected} missing: {line}");
    }
    assert!(!err.contains(TOKEN));
    let output = env.command().output().await.unwrap();
    assert!(
        stderr(&output).contains("account=not configured"),
        "{}",
        stderr(&output)
    );
}
