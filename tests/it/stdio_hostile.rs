//! Hostile and careless clients over stdio: the server never exits on input, answers every
//! line JSON-RPC 2.0 says to answer (with an `id` member, `null` when unknown), bounds the
//! line length, never drops a tool result, and finishes calls in flight on a signal.

use kommo_sim::Fault;
use serde_json::{Value, json};

use crate::support::*;

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"hostile","version":"1"}}}"#;

/// The answer's error code, checking that it has an `id` member.
fn code(answer: &Value) -> i64 {
    assert!(answer.get("id").is_some(), "no id member: {answer}");
    answer["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
}

async fn session(env: &Isolated, sim: &kommo_sim::Simulator, extra: &[&str]) -> StdioClient {
    let mut command = env.command();
    command.args(account_args(sim)).args(extra);
    StdioClient::start(command).await
}

#[tokio::test]
async fn a_first_message_that_is_not_a_request_does_not_end_the_server() {
    let sim = simulator().await;
    let env = Isolated::new();
    for opener in [
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/whatever","params":{}}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":{}}"#,
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"no"}}"#,
        r#"{"jsonrpc":"2.0","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}"#,
    ] {
        let mut command = env.command();
        command.args(account_args(&sim));
        let mut client = StdioClient::spawn(command);
        client.send_line(opener).await;
        client.send_line(INITIALIZE).await;
        let init = client.read_message().await;
        assert_eq!(init["id"], "init", "after {opener}: {init}");
        assert_eq!(
            init["result"]["serverInfo"]["name"], "kommo-mcp",
            "after {opener}"
        );
        client.notify("notifications/initialized", json!({})).await;
        let names = client.tool_names().await;
        assert!(names.contains(&"add_note".to_owned()), "after {opener}");
        let finished = client.finish().await;
        assert!(
            finished.status.success(),
            "after {opener}: {}",
            finished.stderr
        );
    }
}

#[tokio::test]
async fn unreadable_lines_get_a_parse_error_with_a_null_id() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = session(&env, &sim, &[]).await;
    let deep = format!(
        r#"{{"jsonrpc":"2.0","id":3,"method":"ping","params":{{"x":{}1{}}}}}"#,
        "[".repeat(300),
        "]".repeat(300)
    );
    let lines: Vec<Vec<u8>> = vec![
        br#"{"jsonrpc":"2.0","id":"\udfff","method":"ping"}"#.to_vec(),
        br#"{"jsonrpc":"2.0","id":-1e400,"method":"ping"}"#.to_vec(),
        deep.into_bytes(),
        b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"\xff\xfe\"}".to_vec(),
        b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":".to_vec(),
        b"not json".to_vec(),
    ];
    for line in &lines {
        client.send_bytes(line).await;
        let answer = client.read_message().await;
        assert_eq!(
            code(&answer),
            -32700,
            "{}: {answer}",
            String::from_utf8_lossy(line)
        );
        assert_eq!(answer["id"], Value::Null);
    }
    let ping = client.request("ping", json!({})).await;
    assert_eq!(ping["result"], json!({}), "{ping}");
    let finished = client.finish().await;
    assert!(finished.status.success());
    assert!(!finished.stderr.contains("panicked"), "{}", finished.stderr);
    assert!(
        sim.state().requests().is_empty(),
        "{:?}",
        request_lines(&sim)
    );
}

#[tokio::test]
async fn invalid_requests_are_answered_with_their_id_or_null() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = session(&env, &sim, &[]).await;
    for (line, want_code, want_id) in [
        (
            r#"{"jsonrpc":"2.0","id":4,"method":"notifications/unknown","params":[]}"#,
            -32601,
            json!(4),
        ),
        (r#"{"jsonrpc":"2.0"}"#, -32600, Value::Null),
        (
            r#"{"jsonrpc":"1.0","id":9,"method":"ping"}"#,
            -32600,
            json!(9),
        ),
        (
            r#"{"jsonrpc":"2.0","id":0.5,"method":"ping"}"#,
            -32600,
            Value::Null,
        ),
        (
            r#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#,
            -32600,
            Value::Null,
        ),
        (
            r#"{"jsonrpc":"2.0","id":"m","method":17}"#,
            -32600,
            json!("m"),
        ),
        ("42", -32600, Value::Null),
        ("[]", -32600, Value::Null),
    ] {
        client.send_line(line).await;
        let answer = client.read_message().await;
        assert_eq!(
            (code(&answer), &answer["id"]),
            (want_code, &want_id),
            "{line}: {answer}"
        );
    }
    // A batch: one answer per request in it, none for its notification.
    client
        .send_line(r#"[{"jsonrpc":"2.0","id":11,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":12,"method":"tools/list"}]"#)
        .await;
    let batch = client.read_message().await;
    let ids: Vec<&Value> = batch
        .as_array()
        .expect("a batch answer")
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert_eq!(ids, [&json!(11), &json!(12)], "{batch}");
    let finished = client.finish().await;
    assert!(finished.status.success());
    assert!(
        sim.state().requests().is_empty(),
        "{:?}",
        request_lines(&sim)
    );
}

#[tokio::test]
async fn a_line_over_the_limit_is_answered_and_the_next_one_is_served() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = session(&env, &sim, &["--max-line-bytes", "4096"]).await;
    let long = format!(
        r#"{{"jsonrpc":"2.0","id":5,"method":"ping","params":{{"pad":"{}"}}}}"#,
        "x".repeat(10_000)
    );
    client.send_line(&long).await;
    let answer = client.read_message().await;
    assert_eq!(code(&answer), -32700, "{answer}");
    assert_eq!(answer["id"], Value::Null);
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("4096") && message.contains("--max-line-bytes"),
        "{message}"
    );
    let ping = client.request("ping", json!({})).await;
    assert_eq!(ping["result"], json!({}), "{ping}");
    client.finish().await;

    // The default is 4 MiB: a 5 MiB line is refused, and a 17 MiB one too (rmcp dropped
    // those silently).
    let mut client = session(&env, &sim, &[]).await;
    for size in [5 * 1024 * 1024, 17 * 1024 * 1024] {
        let long = format!(
            r#"{{"jsonrpc":"2.0","id":6,"method":"ping","params":{{"pad":"{}"}}}}"#,
            "x".repeat(size)
        );
        client.send_line(&long).await;
        let answer = client.read_message().await;
        assert_eq!(code(&answer), -32700, "{answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("4194304")
        );
    }
    let ping = client.request("ping", json!({})).await;
    assert_eq!(ping["result"], json!({}), "{ping}");
    let finished = client.finish().await;
    assert!(finished.status.success());
}

#[tokio::test]
async fn a_bad_max_line_bytes_is_a_usage_error() {
    let env = Isolated::new();
    let output = env
        .command()
        .args(["--max-line-bytes", "12"])
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("max line bytes") && stderr.contains("1024"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_reused_id_never_drops_the_tool_result() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        delay_ms: 800,
        path_contains: Some("/notes".into()),
        ..Fault::default()
    });
    let env = Isolated::new();
    let mut client = session(&env, &sim, &[]).await;
    client
        .send_line(r#"{"jsonrpc":"2.0","id":50,"method":"tools/call","params":{"name":"add_note","arguments":{"lead_id":9001,"note":"slow"}}}"#)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    client
        .send_line(r#"{"jsonrpc":"2.0","id":50,"method":"ping"}"#)
        .await;
    let mut answers = Vec::new();
    while answers.len() < 2 {
        let answer = client.read_message().await;
        assert_eq!(answer["id"], 50, "{answer}");
        answers.push(answer);
    }
    assert_eq!(
        code(&answers[0]),
        -32600,
        "the reused id is refused: {answers:?}"
    );
    assert!(
        answers[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in progress"),
        "{answers:?}"
    );
    assert_eq!(
        first_text(&answers[1]["result"]),
        "Note added succesfully.",
        "{answers:?}"
    );
    // Once answered, the id is free again.
    client
        .send_line(r#"{"jsonrpc":"2.0","id":50,"method":"ping"}"#)
        .await;
    assert_eq!(client.read_message().await["result"], json!({}));
    let finished = client.finish().await;
    assert!(finished.status.success());
}

#[tokio::test]
async fn a_signal_finishes_the_call_in_flight_and_exits_zero() {
    for signal in ["TERM", "INT"] {
        let sim = simulator().await;
        sim.state().push_fault(Fault {
            delay_ms: 1500,
            path_contains: Some("/notes".into()),
            ..Fault::default()
        });
        let env = Isolated::new();
        let mut client = session(&env, &sim, &[]).await;
        client
            .send_line(r#"{"jsonrpc":"2.0","id":70,"method":"tools/call","params":{"name":"add_note","arguments":{"lead_id":9001,"note":"in flight"}}}"#)
            .await;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while !writes(&sim).iter().any(|r| r.path.contains("/notes")) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the note never reached Kommo"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        client.signal(signal);
        let finished = client.wait_exit().await;
        assert_eq!(
            finished.status.code(),
            Some(0),
            "SIG{signal}: {}",
            finished.stderr
        );
        let answer = finished
            .stdout_lines
            .iter()
            .find(|line| line.contains(r#""id":70"#))
            .unwrap_or_else(|| panic!("SIG{signal}: the call in flight was not answered"));
        assert!(answer.contains("Note added succesfully."), "{answer}");
    }
}
