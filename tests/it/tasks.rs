//! create_task through the binary: the exact POST body (`complete_till` from an ISO
//! date-time with an offset), the defaults, past and unparseable due times refused with
//! nothing sent, a missing lead, a refused POST, and dedupe of repeats.

use kommo_sim::Fault;
use serde_json::{Value, json};

use crate::support::{
    kommo::{assert_failure, requests_to},
    *,
};

const SUCCESS: &str = "Task created successfully.";
const FAILED: &str = "Failed to create task: Kommo did not accept the request.";

fn posts(sim: &kommo_sim::Simulator) -> Vec<Value> {
    requests_to(sim, "POST", "/api/v4/tasks")
        .into_iter()
        .filter_map(|r| r.body)
        .collect()
}

#[tokio::test]
async fn iso_due_with_offset_becomes_unix_seconds() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "create_task",
            json!({"lead_id": LEAD, "text": "Call Maria back about the quote", "due": "2031-03-04T10:30:00-03:00", "task_type": "meeting"}),
        )
        .await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(first_text(&result), SUCCESS);
    // 2031-03-04T13:30:00Z
    let due = 1_930_397_400;
    assert_eq!(result["structuredContent"]["complete_till"], due);
    let task_id = result["structuredContent"]["task_id"]
        .as_i64()
        .expect("task_id");
    assert_eq!(
        posts(&sim),
        [
            json!([{"entity_type": "leads", "entity_id": LEAD, "text": "Call Maria back about the quote", "complete_till": due, "task_type_id": 2, "responsible_user_id": 7_000_001}])
        ]
    );
    assert_eq!(
        request_lines(&sim),
        [
            format!("GET /api/v4/leads/{LEAD}"),
            "POST /api/v4/tasks".to_owned()
        ]
    );
    let stored = sim.state().tasks(SUBDOMAIN);
    let task = stored.iter().find(|t| t["id"] == task_id).expect("stored");
    assert_eq!(
        (task["complete_till"].clone(), task["task_type_id"].clone()),
        (json!(due), json!(2))
    );
}

#[tokio::test]
async fn unix_seconds_default_type_and_explicit_user() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call("create_task", json!({"lead_id": 9002, "text": "Send contract", "due": 2_000_000_000, "responsible_user_id": 42}))
        .await;
    assert_eq!(first_text(&result), SUCCESS, "{result}");
    assert_eq!(
        posts(&sim),
        [
            json!([{"entity_type": "leads", "entity_id": 9002, "text": "Send contract", "complete_till": 2_000_000_000, "task_type_id": 1, "responsible_user_id": 42}])
        ]
    );
}

#[tokio::test]
async fn bad_arguments_send_nothing() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    for (args, reason) in [
        (
            json!({"lead_id": LEAD, "text": "x", "due": "2020-01-01T10:00:00Z"}),
            "due must be in the future",
        ),
        (
            json!({"lead_id": LEAD, "text": "x", "due": 1_000_000_000}),
            "due must be in the future",
        ),
        (
            json!({"lead_id": LEAD, "text": "x", "due": "next tuesday"}),
            "ISO 8601",
        ),
        (
            json!({"lead_id": LEAD, "text": "x", "due": "2031-03-04T10:30:00"}),
            "ISO 8601",
        ),
        (json!({"lead_id": LEAD, "text": "x"}), "due is required"),
        (
            json!({"lead_id": LEAD, "text": " ", "due": 2_000_000_000}),
            "text must not be empty",
        ),
        (
            json!({"lead_id": "9001", "text": "x", "due": 2_000_000_000}),
            "lead_id must be a whole number",
        ),
        (
            json!({"lead_id": LEAD, "text": "x", "due": 2_000_000_000, "task_type": "lunch"}),
            "task_type must be",
        ),
    ] {
        let result = client.call("create_task", args.clone()).await;
        assert_failure(&result, FAILED, reason);
    }
    assert!(
        sim.state().requests().is_empty(),
        "{:?}",
        request_lines(&sim)
    );
}

#[tokio::test]
async fn missing_lead_and_refused_post() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "create_task",
            json!({"lead_id": MISSING_LEAD, "text": "x", "due": 2_000_000_000}),
        )
        .await;
    assert_failure(
        &result,
        "Failed to create task: the specified lead does not exist in Kommo.",
        "9999",
    );
    assert!(writes(&sim).is_empty());
    let result = client
        .call(
            "create_task",
            json!({"lead_id": LEAD, "text": "x", "due": 2_000_000_000, "task_type": 77}),
        )
        .await;
    assert_failure(&result, FAILED, "task_type_id");
    assert_eq!(posts(&sim).len(), 1);
}

#[tokio::test]
async fn repeats_within_the_window_make_one_task() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let args = json!({"lead_id": LEAD, "text": "Call back", "due": "2031-03-04T10:30:00-03:00"});
    let first = client.call("create_task", args.clone()).await;
    let second = client.call("create_task", args.clone()).await;
    assert_eq!(first_text(&second), SUCCESS);
    assert_eq!(
        first["structuredContent"]["task_id"],
        second["structuredContent"]["task_id"]
    );
    assert_eq!(second["structuredContent"]["deduplicated"], true);
    // The same call twice at the same moment: still that one task.
    let twins = client
        .call_concurrently(&[("create_task", args.clone()), ("create_task", args.clone())])
        .await;
    assert!(
        twins
            .iter()
            .all(|r| r["structuredContent"]["task_id"] == first["structuredContent"]["task_id"])
    );
    assert_eq!(posts(&sim).len(), 1);
    // Another text or due time is another task.
    client
        .call(
            "create_task",
            json!({"lead_id": LEAD, "text": "Call back", "due": 2_000_000_000}),
        )
        .await;
    client
        .call(
            "create_task",
            json!({"lead_id": LEAD, "text": "Call back later", "due": "2031-03-04T10:30:00-03:00"}),
        )
        .await;
    assert_eq!(posts(&sim).len(), 3);
}

#[tokio::test]
async fn concurrent_identical_calls_make_one_post() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let args = json!({"lead_id": LEAD, "text": "Twins", "due": 2_000_000_000});
    let results = client
        .call_concurrently(&[
            ("create_task", args.clone()),
            ("create_task", args.clone()),
            ("create_task", args),
        ])
        .await;
    assert!(
        results.iter().all(|r| first_text(r) == SUCCESS),
        "{results:?}"
    );
    let deduplicated = results
        .iter()
        .filter(|r| r["structuredContent"]["deduplicated"] == true)
        .count();
    assert_eq!(deduplicated, 2);
    assert_eq!(posts(&sim).len(), 1);
}

#[tokio::test]
async fn a_failed_post_is_not_remembered_and_not_replayed() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    sim.state().push_fault(Fault {
        method: Some("POST".into()),
        path_contains: Some("/api/v4/tasks".into()),
        status: Some(503),
        ..Fault::default()
    });
    let args = json!({"lead_id": LEAD, "text": "Retry me", "due": 2_000_000_000});
    let failed = client.call("create_task", args.clone()).await;
    assert!(is_error(&failed), "{failed}");
    assert_eq!(
        requests_to(&sim, "POST", "/api/v4/tasks").len(),
        1,
        "a 503 on a task POST is not retried"
    );
    let again = client.call("create_task", args).await;
    assert_eq!(first_text(&again), SUCCESS, "{again}");
    assert_eq!(again["structuredContent"]["deduplicated"], false);
    assert_eq!(requests_to(&sim, "POST", "/api/v4/tasks").len(), 2);
}

#[tokio::test]
async fn dry_runs_of_the_new_writes_send_nothing() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = env.command();
    command.args(account_args(&sim)).arg("--dry-run");
    let mut client = StdioClient::start(command).await;
    for (tool, args) in [
        (
            "create_task",
            json!({"lead_id": LEAD, "text": "x", "due": 2_000_000_000}),
        ),
        ("run_salesbot", json!({"lead_id": LEAD, "bot_id": 401})),
        ("stop_salesbot", json!({"lead_id": LEAD, "bot_id": 401})),
    ] {
        let result = client.call(tool, args).await;
        assert!(!is_error(&result), "{tool}: {result}");
        assert_eq!(
            first_text(&result),
            "Dry run: nothing was sent to Kommo.",
            "{tool}"
        );
        assert_eq!(result["structuredContent"]["dry_run"], true, "{tool}");
    }
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
    assert_eq!(
        request_lines(&sim),
        vec![format!("GET /api/v4/leads/{LEAD}"); 3],
        "the checks still read the lead"
    );
}

/// The dry run create_task answers for `args`: nothing sent, the exact POST it would send.
fn assert_task_dry_run(result: &Value, text: &str) {
    assert!(!is_error(result), "{result}");
    assert_eq!(first_text(result), "Dry run: nothing was sent to Kommo.");
    assert_eq!(result["structuredContent"]["dry_run"], true);
    assert_eq!(
        result["structuredContent"]["request"],
        json!({"method": "POST", "path": "/api/v4/tasks", "body": [{"entity_type": "leads", "entity_id": LEAD, "text": text, "complete_till": 2_000_000_000, "task_type_id": 1, "responsible_user_id": 7_000_001}]})
    );
}

#[tokio::test]
async fn dry_runs_from_the_argument_the_flag_and_the_header_send_no_task() {
    let sim = simulator().await;
    let env = Isolated::new();
    let args = |dry_run: Option<bool>| {
        let mut args = json!({"lead_id": LEAD, "text": "Call back", "due": 2_000_000_000});
        if let Some(dry_run) = dry_run {
            args["dry_run"] = json!(dry_run);
        }
        args
    };
    // The argument.
    let mut client = client_for(&sim, &env).await;
    let result = client.call("create_task", args(Some(true))).await;
    assert_task_dry_run(&result, "Call back");
    // The flag, which the argument cannot turn off.
    let mut command = env.command();
    command.args(account_args(&sim)).arg("--dry-run");
    let mut flagged = StdioClient::start(command).await;
    let result = flagged.call("create_task", args(Some(false))).await;
    assert_task_dry_run(&result, "Call back");
    // The header, over HTTP.
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    let answer = server
        .bare_call("create_task", args(None), &[("x-kommo-dry-run", "true")])
        .await;
    assert_task_dry_run(&answer["result"], "Call back");
    assert!(posts(&sim).is_empty(), "{:?}", request_lines(&sim));
    // A dry run is not remembered: the real call afterwards creates the task.
    let result = client.call("create_task", args(Some(false))).await;
    assert_eq!(first_text(&result), SUCCESS, "{result}");
    assert_eq!(result["structuredContent"]["deduplicated"], false);
    assert_eq!(posts(&sim).len(), 1);
}

#[tokio::test]
async fn the_note_dedupe_window_governs_tasks_and_zero_turns_it_off() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .args(["--note-dedupe", "1"]);
    let mut client = StdioClient::start(command).await;
    let args = json!({"lead_id": LEAD, "text": "Window", "due": 2_000_000_000});
    let first = client.call("create_task", args.clone()).await;
    let second = client.call("create_task", args.clone()).await;
    assert_eq!(
        second["structuredContent"]["deduplicated"], true,
        "{second}"
    );
    assert_eq!(
        first["structuredContent"]["task_id"],
        second["structuredContent"]["task_id"]
    );
    assert_eq!(posts(&sim).len(), 1);
    // Past the 1 s window it is a new task.
    tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
    let third = client.call("create_task", args.clone()).await;
    assert_eq!(third["structuredContent"]["deduplicated"], false, "{third}");
    assert_ne!(
        first["structuredContent"]["task_id"],
        third["structuredContent"]["task_id"]
    );
    assert_eq!(posts(&sim).len(), 2);

    // 0: every call creates a task, even concurrent twins.
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .args(["--note-dedupe", "0"]);
    let mut off = StdioClient::start(command).await;
    let args = json!({"lead_id": LEAD, "text": "No memory", "due": 2_000_000_000});
    off.call("create_task", args.clone()).await;
    let again = off.call("create_task", args.clone()).await;
    assert_eq!(again["structuredContent"]["deduplicated"], false, "{again}");
    off.call_concurrently(&[("create_task", args.clone()), ("create_task", args)])
        .await;
    assert_eq!(posts(&sim).len(), 6);
}

#[tokio::test]
async fn a_tasks_text_never_reaches_the_log_even_at_trace() {
    let sim = simulator().await;
    let env = Isolated::new();
    let text = "TASK-TEXT-5c1e-never-log-me";
    let mut client = crate::support::kommo::traced_server(&sim, &env, &[]).await;
    let args = json!({"lead_id": LEAD, "text": text, "due": 2_000_000_000});
    let created = client.call("create_task", args.clone()).await;
    assert_eq!(first_text(&created), SUCCESS, "{created}");
    let repeated = client.call("create_task", args.clone()).await;
    assert_eq!(repeated["structuredContent"]["deduplicated"], true);
    let mut dry = args;
    dry["dry_run"] = json!(true);
    client.call("create_task", dry).await;
    let finished = crate::support::kommo::finish_redacted(client).await;
    assert!(!finished.stderr.contains(text), "the task text was logged");
    assert_eq!(posts(&sim).len(), 1);
}
