//! Operating the server: `/metrics` behind the auth token or alone on `--metrics-listen`,
//! series counts after a known workload, JSON log lines with the tool-call fields and
//! request ids (and no secret or note text even at trace), and the audit trail (every write
//! tool, before → after, SIGHUP reopen, an unwritable file refusing writes but not reads).

use std::path::Path;

use kommo_sim::{Fault, Simulator};
use serde_json::{Value, json};

use crate::support::*;

const AUTH: &str = "auth-token-77c1e0-never-print-me";
const NOTE: &str = "NOTE-TEXT-a91f-never-log-me";
const HEADER_TOKEN: &str = "header-token-41d2-never-print-me";

async fn server_for(sim: &Simulator, env: &Isolated, extra: &[&str]) -> HttpServer {
    let mut command = http_command(env.command(), extra);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

/// The value of the series `name{labels…}` (labels given as `key="value"` parts that must
/// all appear), summed over the matching series; 0 when none matches.
fn series(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (series_name, rest) = series.split_once('{').unwrap_or((series, ""));
            (series_name == name && labels.iter().all(|label| rest.contains(label)))
                .then(|| value.parse::<f64>().ok())
                .flatten()
        })
        .sum()
}

async fn scrape(server: &HttpServer, url: &str, bearer: Option<&str>) -> (u16, String) {
    let mut request = server.http.get(url);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("GET /metrics");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn metrics_count_a_known_workload_behind_the_auth_token() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &["--auth-token", AUTH]).await;
    let auth = format!("Bearer {AUTH}");
    let headers = [("authorization", auth.as_str())];
    let (status, _) = scrape(&server, &server.url("/metrics"), None).await;
    assert_eq!(status, 401, "/metrics needs the auth token like /mcp");

    // 2 successes, 2 tool errors (a missing lead, invalid arguments), 1 protocol error
    // (an unknown method) and a 429 that the client retries.
    let moved = server
        .bare_call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}),
            &headers,
        )
        .await;
    assert!(!is_error(&moved["result"]), "{moved}");
    let missing = server
        .bare_call("get_lead", json!({"lead_id": MISSING_LEAD}), &headers)
        .await;
    assert!(is_error(&missing["result"]));
    let invalid = server
        .bare_call("get_lead", json!({"lead_id": "x"}), &headers)
        .await;
    assert!(is_error(&invalid["result"]));
    let unknown = server
        .bare_post(
            &json!({"jsonrpc": "2.0", "id": 9, "method": "tools/destroy", "params": {}}),
            &headers,
        )
        .await;
    let unknown: Value = unknown.json().await.unwrap();
    assert!(unknown.get("error").is_some(), "{unknown}");
    sim.state().push_fault(Fault {
        method: Some("GET".into()),
        path_contains: Some(format!("/leads/{LEAD}")),
        status: Some(429),
        retry_after: Some(0),
        ..Fault::default()
    });
    let after_429 = server
        .bare_call("get_lead", json!({"lead_id": LEAD}), &headers)
        .await;
    assert!(!is_error(&after_429["result"]), "{after_429}");

    let (status, text) = scrape(&server, &server.url("/metrics"), Some(AUTH)).await;
    assert_eq!(status, 200);
    let op = "mcp_server_operation_duration_seconds_count";
    let call = "mcp_method_name=\"tools/call\"";
    let bare = "network_transport=\"bare_json\"";
    assert_eq!(
        series(
            &text,
            op,
            &[
                call,
                "gen_ai_tool_name=\"move_lead\"",
                "outcome=\"ok\"",
                bare
            ]
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        series(
            &text,
            op,
            &[call, "gen_ai_tool_name=\"get_lead\"", "outcome=\"ok\""]
        ),
        1.0
    );
    assert_eq!(
        series(
            &text,
            op,
            &[
                call,
                "gen_ai_tool_name=\"get_lead\"",
                "outcome=\"tool_error\""
            ]
        ),
        2.0
    );
    assert_eq!(
        series(
            &text,
            op,
            &["mcp_method_name=\"other\"", "outcome=\"protocol_error\""]
        ),
        1.0
    );
    assert_eq!(series(&text, "kommo_rate_limited_total", &[]), 1.0);
    assert_eq!(series(&text, "kommo_blocked_total", &[]), 0.0);
    let kommo = "kommo_requests_total";
    let gets = sim
        .state()
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with(&format!("/leads/{LEAD}")))
        .count();
    assert_eq!(
        series(&text, kommo, &["endpoint=\"lead_get\""]),
        (gets + 1) as f64,
        "every lead GET (the 429 included, and the missing lead's)"
    );
    assert_eq!(
        series(
            &text,
            kommo,
            &[
                "method=\"PATCH\"",
                "endpoint=\"lead_patch\"",
                "status_class=\"2xx\""
            ]
        ),
        1.0
    );
    assert!(text.contains("mcp_sessions{network_transport=\"streamable_http\"} 0"));
    assert!(text.contains("mcp_calls_in_flight 0"));
    assert!(series(&text, "kommo_rate_limit_wait_seconds_count", &[]) >= 4.0);
    assert!(
        !text.contains("account="),
        "no account label unless asked for"
    );
    let lead = format!("\"{LEAD}\"");
    let labels = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            line.split_once('{')
                .and_then(|(_, rest)| rest.split_once('}'))
        })
        .map(|(labels, _)| labels);
    for labels in labels {
        assert!(!labels.contains(&lead), "no lead id in a label: {labels}");
    }
    assert!(!text.contains(TOKEN) && !text.contains(AUTH));
    server.stop().await;
}

#[tokio::test]
async fn metrics_listen_serves_metrics_only_there_without_auth() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(
        &sim,
        &env,
        &[
            "--auth-token",
            AUTH,
            "--metrics-listen",
            "127.0.0.1:0",
            "--metrics-account-label",
        ],
    )
    .await;
    let auth = format!("Bearer {AUTH}");
    server
        .bare_call(
            "get_lead",
            json!({"lead_id": LEAD}),
            &[("authorization", &auth)],
        )
        .await;
    let stderr = server.stderr();
    let at = stderr
        .split("metrics: GET ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the metrics address is logged")
        .to_owned();
    // A request naming an account no setting names gets no label value of its own.
    server
        .bare_call(
            "get_lead",
            json!({"lead_id": LEAD}),
            &[
                ("authorization", &auth),
                ("x-kommo-subdomain", "stranger-7d1e"),
                ("x-kommo-token", HEADER_TOKEN),
            ],
        )
        .await;
    let (status, text) = scrape(&server, &at, None).await;
    assert_eq!(status, 200, "no auth on the metrics address");
    assert!(text.contains("account=\"acme\""), "{text}");
    assert!(!text.contains("stranger-7d1e"), "{text}");
    assert!(text.contains("account=\"other\""), "{text}");
    let (status, _) = scrape(&server, &server.url("/metrics"), Some(AUTH)).await;
    assert_eq!(status, 404, "not on the main port");
    server.stop().await;
}

/// Every stderr line is one JSON object; returns them.
fn json_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"))
        })
        .collect()
}

#[tokio::test]
async fn json_logs_carry_the_call_fields_and_no_secret_even_at_trace() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = http_command(
        env.command(),
        &[
            "--log-format",
            "json",
            "--log-level",
            "trace",
            "--auth-token",
            AUTH,
        ],
    );
    command.args(account_args(&sim)).env("RUST_LOG", "trace");
    let server = HttpServer::start(command).await;
    let auth = format!("Bearer {AUTH}");
    let response = server
        .bare_post(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add_note", "arguments": {"lead_id": LEAD, "note": NOTE}}}),
            &[("authorization", &auth), ("x-request-id", "req-from-client-1")],
        )
        .await;
    assert_eq!(response.headers()["x-request-id"], "req-from-client-1");
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let response = server
        .bare_post(
            &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "pause_agent", "arguments": {"lead_id": LEAD}}}),
            &[
                ("authorization", &auth),
                ("traceparent", traceparent),
                ("x-kommo-token", HEADER_TOKEN),
            ],
        )
        .await;
    assert_eq!(
        response.headers()["x-request-id"],
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    let generated = server
        .http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert!(generated.headers().contains_key("x-request-id"));
    // A streamable HTTP session with the note in the arguments: rmcp's own debug and trace
    // events would print them.
    let mut client = McpClient::initialize_with(&server, &[("authorization", &auth)]).await;
    client
        .call(
            "add_note",
            json!({"lead_id": LEAD, "note": NOTE}),
            &[("authorization", &auth)],
        )
        .await;
    let (_, stderr) = server.stop().await;
    for secret in [NOTE, TOKEN, AUTH, HEADER_TOKEN] {
        assert!(
            !stderr.contains(secret),
            "{secret} leaked into the log:\n{stderr}"
        );
    }
    let lines = json_lines(&stderr);
    let calls: Vec<&Value> = lines
        .iter()
        .filter(|line| line["message"] == "tool call" && line["level"] == "INFO")
        .collect();
    assert_eq!(calls.len(), 3, "one info line per tool call: {stderr}");
    let note = calls[0];
    assert_eq!(note["level"], "INFO");
    assert_eq!(note["request_id"], "req-from-client-1");
    assert_eq!(note["tool"], "add_note");
    assert_eq!(note["transport"], "bare_json");
    assert_eq!(note["account"], "acme");
    assert_eq!(note["lead_id"], LEAD);
    assert_eq!(note["outcome"], "ok");
    assert!(note["duration_ms"].is_u64());
    assert_eq!(note["kommo_requests"], 2, "the lead GET and the note POST");
    let ids = note["kommo_request_ids"].as_str().unwrap();
    assert_eq!(ids.split(',').count(), 2);
    assert!(
        ids.split(',').all(|id| !id.is_empty() && id != "-"),
        "{ids}"
    );
    assert_eq!(calls[1]["request_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(calls[1]["tool"], "pause_agent");
    assert_eq!(calls[2]["transport"], "streamable_http");
    assert!(
        lines
            .iter()
            .any(|line| line["level"] == "TRACE" || line["level"] == "DEBUG"),
        "trace was really on"
    );
}

fn audit_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).expect("an audit line is JSON"))
        .collect()
}

/// The last line of each call: every line but the `intent` lines (each write's `outcome`
/// line follows its intent).
fn final_lines(path: &Path) -> Vec<Value> {
    audit_lines(path)
        .into_iter()
        .filter(|line| line["event"] != "intent")
        .collect()
}

#[tokio::test]
async fn audit_trail_records_every_write_with_before_and_after_and_reopens_on_sighup() {
    let sim = simulator().await;
    let env = Isolated::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let server = server_for(&sim, &env, &["--audit-log", path.to_str().unwrap()]).await;
    let before = sim.state().requests().len();
    let read = server
        .bare_call("get_lead", json!({"lead_id": LEAD}), &[])
        .await;
    assert!(!is_error(&read["result"]));
    assert!(audit_lines(&path).is_empty(), "reads are not audited");
    server
        .bare_call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}),
            &[("x-request-id", "audit-move-1")],
        )
        .await;
    server
        .bare_call("pause_agent", json!({"lead_id": LEAD}), &[])
        .await;
    server
        .bare_call("resume_agent", json!({"lead_id": LEAD}), &[])
        .await;
    server
        .bare_call("add_note", json!({"lead_id": LEAD, "note": NOTE}), &[])
        .await;
    let failed = server
        .bare_call(
            "move_lead",
            json!({"lead_id": MISSING_LEAD, "pipeline_id": 1002, "status_id": 3003}),
            &[],
        )
        .await;
    assert!(is_error(&failed["result"]));
    assert!(sim.state().requests().len() > before);

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(NOTE),
        "the note text is not in the audit log"
    );
    assert!(!text.contains(TOKEN));
    // Each of the four writes has its intent line, on disk before Kommo was called, and
    // then its outcome; the move of a missing lead stopped before any write.
    let all = audit_lines(&path);
    let events: Vec<&str> = all.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(
        events,
        [
            "intent", "outcome", "intent", "outcome", "intent", "outcome", "intent", "outcome",
            "not_sent"
        ],
        "{text}"
    );
    for pair in all[..8].chunks(2) {
        assert_eq!(pair[0]["request_id"], pair[1]["request_id"]);
        assert_eq!(pair[0]["outcome"], "pending");
        assert!(pair[0]["request"]["path"].is_string(), "{}", pair[0]);
    }
    assert_eq!(
        all[0]["request"],
        json!({"method": "PATCH", "path": format!("/api/v4/leads/{LEAD}"),
            "body": {"pipeline_id": 1002, "status_id": 3003}})
    );
    let note_intent = &all[6]["request"]["body"][0]["params"]["text"];
    assert_eq!(note_intent["length"], NOTE.chars().count(), "{}", all[6]);
    let lines = final_lines(&path);
    assert_eq!(lines.len(), 5, "{text}");
    let tools: Vec<&str> = lines.iter().map(|l| l["tool"].as_str().unwrap()).collect();
    assert_eq!(
        tools,
        [
            "move_lead",
            "pause_agent",
            "resume_agent",
            "add_note",
            "move_lead"
        ]
    );
    let moved = &lines[0];
    assert_eq!(moved["request_id"], "audit-move-1");
    assert_eq!(moved["account"], "acme");
    assert_eq!(moved["lead_id"], LEAD);
    assert_eq!(
        moved["before"],
        json!({"pipeline_id": 1001, "status_id": 2002})
    );
    assert_eq!(
        moved["after"],
        json!({"pipeline_id": 1002, "status_id": 3003})
    );
    assert_eq!(moved["dry_run"], false);
    assert_eq!(moved["outcome"], "confirmed");
    assert!(moved["failure_kind"].is_null());
    assert!(moved["kommo_request_id"].is_string());
    assert!(moved["caller"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert!(moved["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        lines[1]["after"],
        json!({"field_id": PAUSE_FIELD, "value": true})
    );
    assert_eq!(
        lines[2]["before"],
        json!({"field_id": PAUSE_FIELD, "value": true})
    );
    assert_eq!(
        lines[2]["after"],
        json!({"field_id": PAUSE_FIELD, "value": false})
    );
    let note = &lines[3]["note"];
    assert_eq!(note["length"], NOTE.chars().count());
    assert_eq!(note["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(lines[4]["event"], "not_sent");
    assert_eq!(lines[4]["outcome"], "failed");
    assert_eq!(lines[4]["failure_kind"], "lead_missing");

    // Log rotation: rename, SIGHUP, and the next write goes to a new file at the path.
    let rotated = dir.path().join("audit.jsonl.1");
    std::fs::rename(&path, &rotated).unwrap();
    let status = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    server
        .bare_call("pause_agent", json!({"lead_id": LEAD}), &[])
        .await;
    assert_eq!(final_lines(&rotated).len(), 5);
    let fresh = audit_lines(&path);
    assert_eq!(fresh.len(), 2);
    assert_eq!(fresh[0]["tool"], "pause_agent");
    server.stop().await;
}

#[tokio::test]
async fn an_unwritable_audit_log_refuses_writes_but_serves_reads() {
    let sim = simulator().await;
    let env = Isolated::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("audit.jsonl");
    let server = server_for(&sim, &env, &["--audit-log", path.to_str().unwrap()]).await;
    let before = sim.state().requests().len();
    let refused = server
        .bare_call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}),
            &[],
        )
        .await;
    let result = &refused["result"];
    assert!(is_error(result));
    assert_eq!(
        first_text(result),
        "Failed to move lead: Kommo did not accept the update request."
    );
    let reason = all_text(result);
    assert!(reason.contains("audit log"), "{reason}");
    assert!(reason.contains(path.to_str().unwrap()), "{reason}");
    assert_eq!(
        result["structuredContent"]["error"]["kind"],
        "audit_unavailable"
    );
    let note = server
        .bare_call("add_note", json!({"lead_id": LEAD, "note": NOTE}), &[])
        .await;
    assert!(is_error(&note["result"]));
    assert_eq!(
        sim.state().requests().len(),
        before,
        "nothing was sent to Kommo for a refused write"
    );
    let read = server
        .bare_call("get_lead", json!({"lead_id": LEAD}), &[])
        .await;
    assert!(!is_error(&read["result"]), "{read}");

    // Once the directory exists the log opens and writes go ahead.
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let moved = server
        .bare_call("pause_agent", json!({"lead_id": LEAD}), &[])
        .await;
    assert!(!is_error(&moved["result"]), "{moved}");
    assert_eq!(final_lines(&path).len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn an_audit_log_that_cannot_be_written_refuses_the_write_before_kommo_sees_it() {
    // /dev/full opens, but every write to it fails (ENOSPC): the intent line cannot be
    // written, so the write is refused and nothing reaches Kommo.
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env, &["--audit-log", "/dev/full"]).await;
    let answer = server
        .bare_call("pause_agent", json!({"lead_id": LEAD}), &[])
        .await;
    let result = &answer["result"];
    assert!(is_error(result), "{answer}");
    assert_eq!(
        first_text(result),
        "Failed to pause agent: Kommo did not accept the update request."
    );
    let text = all_text(result);
    assert!(
        text.contains("cannot write the audit log /dev/full"),
        "{text}"
    );
    assert!(text.contains("Nothing was sent to Kommo"), "{text}");
    assert!(
        !text.contains("Warning"),
        "one refusal, no second warning: {text}"
    );
    assert_eq!(
        result["structuredContent"]["error"]["kind"],
        "audit_unavailable"
    );
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
    let refused = server
        .bare_call("pause_agent", json!({"lead_id": LEAD}), &[])
        .await;
    assert!(is_error(&refused["result"]), "{refused}");
    assert!(
        all_text(&refused["result"]).contains("audit log"),
        "{refused}"
    );
    assert!(writes(&sim).is_empty(), "no unaudited write follows");
    let (_, stderr) = server.stop().await;
    assert!(
        stderr.contains("cannot write the audit log /dev/full"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_command_line_is_audited_as_cli() {
    let sim = simulator().await;
    let env = Isolated::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .args(["--audit-log", path.to_str().unwrap()])
        .args([
            "call",
            "add_note",
            &format!("lead_id={LEAD}"),
            &format!("note={NOTE}"),
        ]);
    let output = command.output().await.unwrap();
    assert!(output.status.success(), "{output:?}");
    let lines = final_lines(&path);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["caller"], "cli");
    assert_eq!(lines[0]["transport"], "cli");
    assert_eq!(lines[0]["tool"], "add_note");
    assert!(!std::fs::read_to_string(&path).unwrap().contains(NOTE));
}

#[tokio::test]
async fn a_dry_runs_audit_line_says_dry_run_and_what_would_change_and_nothing_is_sent() {
    let sim = simulator().await;
    let env = Isolated::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let server = server_for(&sim, &env, &["--audit-log", path.to_str().unwrap()]).await;
    let moved = server
        .bare_call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003, "dry_run": true}),
            &[],
        )
        .await;
    assert_eq!(
        first_text(&moved["result"]),
        "Dry run: nothing was sent to Kommo."
    );
    let task = server
        .bare_call(
            "create_task",
            json!({"lead_id": LEAD, "text": NOTE, "due": 2_000_000_000}),
            &[("x-kommo-dry-run", "true")],
        )
        .await;
    assert_eq!(
        first_text(&task["result"]),
        "Dry run: nothing was sent to Kommo."
    );
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(NOTE),
        "the task text is not in the audit log"
    );
    let lines = audit_lines(&path);
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines.iter().all(|line| line["event"] == "dry_run"),
        "{text}"
    );
    let moved = &lines[0];
    assert_eq!(moved["tool"], "move_lead");
    assert_eq!(moved["dry_run"], true);
    assert_eq!(moved["outcome"], "not_sent");
    assert_eq!(moved["request"]["method"], "PATCH");
    assert_eq!(
        moved["before"],
        json!({"pipeline_id": 1001, "status_id": 2002})
    );
    assert_eq!(
        moved["after"],
        json!({"pipeline_id": 1002, "status_id": 3003})
    );
    // No write was sent: the Kommo request id is the lead read's.
    assert!(moved["kommo_request_id"].is_string());
    let task = &lines[1];
    assert_eq!(
        (task["tool"].clone(), task["dry_run"].clone()),
        (json!("create_task"), json!(true))
    );
    assert_eq!(task["after"]["task"]["complete_till"], 2_000_000_000);
    assert_eq!(
        task["after"]["task"]["text"]["length"],
        NOTE.chars().count()
    );
    assert!(
        task["after"]["task"].get("task_id").is_none(),
        "no task was created"
    );
    server.stop().await;
}

#[tokio::test]
async fn audit_lines_of_create_task_and_the_salesbots_say_what_changed() {
    use sha2::{Digest, Sha256};
    let sim = simulator().await;
    let env = Isolated::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let server = server_for(&sim, &env, &["--audit-log", path.to_str().unwrap()]).await;
    let args = json!({"lead_id": LEAD, "text": NOTE, "due": "2031-03-04T10:30:00-03:00", "task_type": "meeting"});
    let created = server.bare_call("create_task", args.clone(), &[]).await;
    let task_id = created["result"]["structuredContent"]["task_id"].clone();
    assert!(task_id.is_i64(), "{created}");
    let repeated = server.bare_call("create_task", args, &[]).await;
    assert_eq!(
        repeated["result"]["structuredContent"]["deduplicated"],
        true
    );
    server
        .bare_call("run_salesbot", json!({"lead_id": LEAD, "bot_id": 401}), &[])
        .await;
    server
        .bare_call(
            "stop_salesbot",
            json!({"lead_id": LEAD, "bot_id": 401}),
            &[],
        )
        .await;
    let refused = server
        .bare_call(
            "stop_salesbot",
            json!({"lead_id": LEAD, "bot_id": 999}),
            &[],
        )
        .await;
    assert!(is_error(&refused["result"]));

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(NOTE),
        "the task text is not in the audit log"
    );
    assert!(!text.contains(TOKEN));
    let lines = final_lines(&path);
    let tools: Vec<&str> = lines.iter().map(|l| l["tool"].as_str().unwrap()).collect();
    assert_eq!(
        tools,
        [
            "create_task",
            "create_task",
            "run_salesbot",
            "stop_salesbot",
            "stop_salesbot"
        ]
    );
    let sha256: String = Sha256::digest(NOTE.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let created = &lines[0];
    assert_eq!(created["lead_id"], LEAD);
    assert!(created["before"].is_null(), "a new task has no before");
    assert_eq!(
        created["after"],
        json!({"task": {
            "text": {"length": NOTE.chars().count(), "sha256": sha256},
            "complete_till": 1_930_397_400,
            "task_type_id": 2,
            "responsible_user_id": 7_000_001,
            "task_id": task_id,
        }})
    );
    assert_eq!(
        (created["dry_run"].clone(), created["outcome"].clone()),
        (json!(false), json!("confirmed"))
    );
    assert!(created["kommo_request_id"].is_string());
    assert_ne!(created["kommo_request_id"], lines[2]["kommo_request_id"]);
    assert_eq!(lines[1]["after"]["task"]["task_id"], task_id);
    assert_eq!(lines[1]["after"]["task"]["deduplicated"], true);
    assert_eq!(lines[1]["event"], "deduplicated");
    assert_eq!(lines[1]["deduplicated"], true);
    assert_eq!(lines[1]["created_id"], task_id);
    for (line, requested) in [(&lines[2], "run"), (&lines[3], "stop")] {
        assert_eq!(line["lead_id"], LEAD);
        assert_eq!(
            line["after"],
            json!({"salesbot": {"bot_id": 401, "requested": requested}})
        );
        assert_eq!(line["outcome"], "confirmed");
        assert!(line["kommo_request_id"].is_string());
    }
    assert_eq!(
        lines[4]["after"],
        json!({"salesbot": {"bot_id": 999, "requested": "stop"}})
    );
    assert_eq!(lines[4]["outcome"], "failed");
    assert!(lines[4]["failure_kind"].is_string());
    server.stop().await;
}
