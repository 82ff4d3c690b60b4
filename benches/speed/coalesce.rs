//! Coalescing under Kommo's budget: completed tool calls per second for one account with
//! the simulator enforcing 7 requests a second, at 1, 10 and 100 callers at once, for
//! `move_lead`, `add_note` and a mix, with coalescing on and off; p50 and p99 latency.

use std::time::{Duration, Instant};

use crate::report::Row;
use crate::util::{Samples, start_http_server, start_simulator};
use crate::{SUBDOMAIN, TOKEN};

const CONCURRENCY: [usize; 3] = [1, 10, 100];
const LEADS: [i64; 5] = [9001, 9002, 9003, 9004, 9005];

#[derive(Clone, Copy)]
enum Workload {
    Move,
    Note,
    Mixed,
}

impl Workload {
    fn label(self) -> &'static str {
        match self {
            Workload::Move => "move_lead",
            Workload::Note => "add_note",
            Workload::Mixed => "mixed (move, budget, get, note)",
        }
    }

    fn body(self, caller: usize, i: u64) -> String {
        let lead = LEADS[(caller + i as usize) % LEADS.len()];
        let status = [2002, 2003][(i % 2) as usize];
        let (tool, arguments) = match (self, (caller as u64 + i) % 4) {
            (Workload::Move, _) | (Workload::Mixed, 0) => (
                "move_lead",
                format!(r#"{{"lead_id":{lead},"pipeline_id":1001,"status_id":{status}}}"#),
            ),
            (Workload::Note, _) | (Workload::Mixed, 1) => (
                "add_note",
                format!(r#"{{"lead_id":{lead},"note":"bench {caller} {i}"}}"#),
            ),
            (Workload::Mixed, 2) => (
                "add_budget",
                format!(r#"{{"lead_id":{lead},"budget_field_value":{}}}"#, 100 + i),
            ),
            (Workload::Mixed, _) => ("get_lead", format!(r#"{{"lead_id":{lead}}}"#)),
        };
        format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"{tool}","arguments":{arguments}}}}}"#
        )
    }
}

/// `callers` loops, each one call at a time over its own connection, for `seconds`.
async fn run(url: &str, workload: Workload, callers: usize, seconds: u64) -> (f64, Samples, u64) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..callers)
        .map(|caller| {
            let url = url.to_owned();
            tokio::spawn(async move {
                let client = crate::mcp::one_connection();
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut i = 0;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let answer = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(workload.body(caller, i))
                        .send()
                        .await;
                    let text = match answer {
                        Ok(response) => response.text().await.unwrap_or_default(),
                        Err(_) => String::new(),
                    };
                    if text.contains("\"isError\":true") || !text.contains("\"result\"") {
                        errors += 1;
                    }
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                    i += 1;
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, failed) = task.await.unwrap();
        all.extend(latencies);
        errors += failed;
    }
    let elapsed = started.elapsed().as_secs_f64();
    (
        (all.len() as u64 - errors) as f64 / elapsed,
        Samples::new(all),
        errors,
    )
}

pub async fn measure(quick: bool) -> Result<Vec<Row>, String> {
    let seconds = if quick { 2 } else { 8 };
    // The quick run (CI) proves the section works: 100 callers without coalescing take
    // tens of seconds to drain, so it stops at 10.
    let concurrency: &[usize] = if quick {
        &CONCURRENCY[..2]
    } else {
        &CONCURRENCY
    };
    let (mut simulator, template) = start_simulator(7).await?;
    let mut rows = Vec::new();
    for coalesce in [true, false] {
        let args: Vec<String> = [
            "--base-url",
            &template,
            "--subdomain",
            SUBDOMAIN,
            "--token",
            TOKEN,
            "--pause-field-id",
            "5001",
            "--rate-limit",
            "7",
            "--note-dedupe",
            "0",
            "--max-calls-per-caller",
            "4000",
            if coalesce {
                "--coalesce=true"
            } else {
                "--coalesce=false"
            },
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (mut server, addr) = start_http_server(&args).await;
        let url = format!("http://{addr}/mcp");
        for workload in [Workload::Move, Workload::Note, Workload::Mixed] {
            for &callers in concurrency {
                eprintln!(
                    "bench: coalescing {} · {} · {callers} callers…",
                    if coalesce { "on" } else { "off" },
                    workload.label()
                );
                let (per_second, latency, errors) = run(&url, workload, callers, seconds).await;
                rows.push(Row::new(
                    format!(
                        "{} at 7 req/s, {callers} callers, coalescing {}",
                        workload.label(),
                        if coalesce { "on" } else { "off" }
                    ),
                    format!(
                        "{per_second:.1} calls/s · p50 {:.0} ms · p99 {:.0} ms · {errors} failed",
                        latency.median(),
                        latency.percentile(99.0)
                    ),
                    "—",
                    None,
                ));
            }
        }
        let _ = server.kill().await;
    }
    let _ = simulator.kill().await;
    Ok(rows)
}
