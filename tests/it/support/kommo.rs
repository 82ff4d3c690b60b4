//! Helpers for the Kommo client tests: a server started at trace log level, the redaction
//! check run on everything it printed, and request counting on the simulator's log.

use kommo_sim::{RecordedRequest, Simulator};
use serde_json::{Value, json};

use super::{
    Isolated, StdioClient, TOKEN, account_args, all_text, first_text, is_error, stdio::Finished,
};

/// A stdio server on the simulator's demo account, logging everything it can (`--log-level
/// trace` and `RUST_LOG=trace`), with `extra` arguments.
pub async fn traced_server(simulator: &Simulator, env: &Isolated, extra: &[&str]) -> StdioClient {
    let mut command = env.command();
    command
        .args(account_args(simulator))
        .args(["--log-level", "trace"])
        .args(extra)
        .env("RUST_LOG", "trace");
    StdioClient::start(command).await
}

/// Ends the server and checks what it printed: a clean exit, no panic, trace logging
/// really on, and neither the token nor an `Authorization` value on stdout or stderr.
pub async fn finish_redacted(client: StdioClient) -> Finished {
    let finished = client.finish().await;
    assert!(
        finished.status.success(),
        "exit: {:?}\n{}",
        finished.status,
        finished.stderr
    );
    assert!(!finished.stderr.contains("panicked"), "{}", finished.stderr);
    assert!(finished.stderr.contains("TRACE"), "trace logging is on");
    for (name, text) in [
        ("stdout", finished.stdout_lines.join("\n")),
        ("stderr", finished.stderr.clone()),
    ] {
        assert!(!text.contains(TOKEN), "the token appears on {name}");
        assert!(
            !text.contains("Bearer "),
            "an Authorization value appears on {name}"
        );
    }
    finished
}

/// How many requests with this method reached exactly this path.
pub fn count(simulator: &Simulator, method: &str, path: &str) -> usize {
    simulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// The requests with this method to exactly this path, in order.
pub fn requests_to(simulator: &Simulator, method: &str, path: &str) -> Vec<RecordedRequest> {
    simulator
        .state()
        .requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .collect()
}

/// Asserts a failed tool result: its first sentence, and a reason containing `reason`.
pub fn assert_failure(result: &Value, sentence: &str, reason: &str) {
    assert!(is_error(result), "{result}");
    assert_eq!(first_text(result), sentence, "{result}");
    let text = all_text(result);
    assert!(text.contains(reason), "expected {reason:?} in {text:?}");
}

/// `move_lead` arguments for `count` concurrent calls on the demo account: the four open
/// leads, each moved through the four open Sales statuses, so most calls really PATCH.
pub fn concurrent_moves(count: usize) -> Vec<(&'static str, Value)> {
    let leads = [9001, 9002, 9003, 9004];
    let statuses = [2001, 2002, 2003, 2004];
    (0..count)
        .map(|i| {
            let args = json!({
                "lead_id": leads[i % leads.len()],
                "pipeline_id": 1001,
                "status_id": statuses[(i / leads.len() + i) % statuses.len()],
            });
            ("move_lead", args)
        })
        .collect()
}

/// The proof of the proactive limit, whatever transport carried the calls: every call
/// succeeded, Kommo never answered 429, and never saw more than `limit` requests in one
/// second of the account.
pub fn assert_moves_respected_the_limit(
    simulator: &Simulator,
    subdomain: &str,
    results: &[Value],
    limit: usize,
) {
    for (i, result) in results.iter().enumerate() {
        assert!(!is_error(result), "call {i} failed: {result}");
        assert_eq!(
            first_text(result),
            "Lead successfully moved to the specified pipeline and status."
        );
    }
    let requests = simulator.state().requests();
    assert_eq!(simulator.state().count_429(), 0, "Kommo answered 429");
    assert!(requests.iter().all(|r| r.status == 200), "{requests:?}");
    // Each call checks its lead at most once: alone, or as one id of a coalesced filtered
    // GET (where calls reading the same lead share its one id).
    let lead_reads: usize = requests
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| match r.path.as_str() {
            path if path.starts_with("/api/v4/leads/90") => 1,
            "/api/v4/leads" => r
                .query
                .as_deref()
                .unwrap_or_default()
                .matches("filter%5Bid%5D%5B%5D=")
                .count(),
            _ => 0,
        })
        .sum();
    assert!(
        (1..=results.len()).contains(&lead_reads),
        "{lead_reads} existence checks for {} calls",
        results.len()
    );
    assert!(
        requests.iter().any(|r| r.method == "PATCH"),
        "the calls really moved leads"
    );
    let busiest = simulator.state().max_requests_in_any_second(subdomain);
    assert!(busiest <= limit, "{busiest} requests within one second");
}
