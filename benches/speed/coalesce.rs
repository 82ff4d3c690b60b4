//! Coalescing under Kommo's budget: completed tool calls per second for one account with
//! the simulator enforcing 7 requests a second, at 1, 10, 100 and 500 callers at once, for
//! `move_lead`, `add_note` and a mix, with coalescing on and off; p50 and p99 latency.
//!
//! Each caller is what users run: a streamable-HTTP session with streamed answers, one call
//! at a time. The callers spread over 500 leads seeded in the simulator (not the demo's
//! five, where calls on the same lead would wait for each other).

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::mcp::{McpClient, Path};
use crate::report::Row;
use crate::util::{Samples, start_http_server, start_simulator};
use crate::{SUBDOMAIN, TOKEN};

const CONCURRENCY: [usize; 4] = [1, 10, 100, 500];
/// How many leads the simulator is seeded with for the callers to spread over.
const LEADS: usize = 500;

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
            Workload::Mixed => "mixed (move, note, task, budget, get)",
        }
    }

    /// The `tools/call` of caller `caller`'s call `i`, on one of `leads`.
    fn body(self, leads: &[i64], caller: usize, i: u64) -> Vec<u8> {
        let lead = leads[(caller + i as usize * 101) % leads.len()];
        let status = [2002, 2003][(i % 2) as usize];
        let (tool, arguments) = match (self, (caller as u64 + i) % 5) {
            (Workload::Move, _) | (Workload::Mixed, 0) => (
                "move_lead",
                format!(r#"{{"lead_id":{lead},"pipeline_id":1001,"status_id":{status}}}"#),
            ),
            (Workload::Note, _) | (Workload::Mixed, 1) => (
                "add_note",
                format!(r#"{{"lead_id":{lead},"note":"bench {caller} {i}"}}"#),
            ),
            (Workload::Mixed, 2) => (
                "create_task",
                format!(r#"{{"lead_id":{lead},"text":"bench {caller} {i}","due":1900000000}}"#),
            ),
            (Workload::Mixed, 3) => (
                "add_budget",
                format!(r#"{{"lead_id":{lead},"budget_field_value":{}}}"#, 100 + i),
            ),
            (Workload::Mixed, _) => ("get_lead", format!(r#"{{"lead_id":{lead}}}"#)),
        };
        format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"{tool}","arguments":{arguments}}}}}"#
        )
        .into_bytes()
    }
}

/// A simulator process that answers 429 beyond Kommo's 7 requests a second, with
/// `LEADS` more leads on the account; returns it, its base-URL template and the leads.
async fn limited_simulator() -> Result<(tokio::process::Child, String, Vec<i64>), String> {
    let (child, template) = start_simulator(7).await?;
    let root = template.trim_end_matches("/{subdomain}");
    let seeded: Value = reqwest::Client::new()
        .post(format!("{root}/__sim/leads/{SUBDOMAIN}"))
        .json(&serde_json::json!({ "count": LEADS }))
        .send()
        .await
        .map_err(|e| format!("seeding leads: {e}"))?
        .json()
        .await
        .map_err(|e| format!("seeding leads: {e}"))?;
    let leads: Vec<i64> = seeded["ids"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    if leads.len() != LEADS {
        return Err(format!("the simulator seeded {} leads", leads.len()));
    }
    Ok((child, template, leads))
}

/// `callers` sessions, each one call at a time, for `seconds`; calls/s, latencies, failures.
async fn run(
    base: &str,
    leads: &[i64],
    workload: Workload,
    callers: usize,
    seconds: u64,
) -> Result<(f64, Samples, u64), String> {
    let mut clients = Vec::with_capacity(callers);
    for _ in 0..callers {
        clients.push(McpClient::open(Path::Streamable, base).await?);
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(caller, mut client)| {
            let leads = leads.to_vec();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut i = 0;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    if client.call(workload.body(&leads, caller, i)).await.is_err() {
                        errors += 1;
                    }
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                    i += 1;
                }
                (latencies, errors, client)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    let mut open = Vec::new();
    for task in tasks {
        let (latencies, failed, client) = task.await.map_err(|e| e.to_string())?;
        all.extend(latencies);
        errors += failed;
        open.push(client);
    }
    let elapsed = started.elapsed().as_secs_f64();
    for client in open {
        client.close().await;
    }
    Ok((
        (all.len() as u64 - errors) as f64 / elapsed,
        Samples::new(all),
        errors,
    ))
}

pub async fn measure(quick: bool) -> Result<Vec<Row>, String> {
    let seconds = if quick { 2 } else { 8 };
    // The quick run (CI) proves the section works: 100 callers without coalescing take
    // minutes to drain, so it stops at 10.
    let concurrency: &[usize] = if quick {
        &CONCURRENCY[..2]
    } else {
        &CONCURRENCY
    };
    let (mut simulator, template, leads) = limited_simulator().await?;
    let mut rows = Vec::new();
    for coalesce in [true, false] {
        let mut args: Vec<String> = [
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
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Room for 500 sessions of one caller, each with a call streaming.
        for flag in [
            "--max-sessions",
            "--max-sessions-per-caller",
            "--max-streams-per-caller",
            "--max-calls-per-caller",
            "--max-connections",
        ] {
            args.extend([flag.to_owned(), "4000".to_owned()]);
        }
        args.push(format!("--coalesce={coalesce}"));
        let (mut server, addr) = start_http_server(&args).await;
        let base = format!("http://{addr}");
        for workload in [Workload::Move, Workload::Note, Workload::Mixed] {
            for &callers in concurrency {
                eprintln!(
                    "bench: coalescing {} · {} · {callers} callers…",
                    if coalesce { "on" } else { "off" },
                    workload.label()
                );
                let (per_second, latency, errors) =
                    run(&base, &leads, workload, callers, seconds).await?;
                rows.push(Row::new(
                    format!(
                        "{} at 7 req/s, {callers} callers on sessions, coalescing {}",
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
