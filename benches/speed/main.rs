//! `./scripts/bench`: measures the release binary's speed and memory against the Kommo
//! simulator and writes BENCHMARKS.md. Not a test: it reports figures next to their
//! targets and fails only when something does not work (an error under load).
//!
//! `--quick` runs a few iterations of everything (`./scripts/test` runs it on the debug build,
//! to prove the benchmark works without a release build).

// A measurement harness, not product code: a broken fixture should stop it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// `pub` in the harness's modules is the binary's own business (`unreachable_pub` is for the library).
#![allow(unreachable_pub)]

mod coalesce;
mod direct;
mod focus;
mod load;
mod mcp;
mod otel;
mod paths;
mod peer;
mod redis;
mod report;
mod stdio;
mod util;

use std::{process::ExitCode, time::Duration};

use report::Row;
use util::{Samples, rss_kib};

const SUBDOMAIN: &str = "bench";
const TOKEN: &str = "bench-token-not-a-real-one";

struct Plan {
    quick: bool,
    cold_starts: usize,
    overhead_calls: usize,
    load_seconds: u64,
    streamable_sessions: usize,
    sse_sessions: usize,
}

impl Plan {
    fn new(quick: bool) -> Self {
        if quick {
            Self {
                quick,
                cold_starts: 5,
                overhead_calls: 30,
                load_seconds: 1,
                streamable_sessions: 200,
                sse_sessions: 50,
            }
        } else {
            Self {
                quick,
                cold_starts: 30,
                overhead_calls: 300,
                load_seconds: 10,
                streamable_sessions: 10_000,
                sse_sessions: 1_000,
            }
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| {
            if quick {
                // scripts/bench names the cargo target directory; a quick run's figures are
                // not worth a place in the repository.
                std::env::var("KOMMO_MCP_BENCH_QUICK_OUT")
                    .unwrap_or_else(|_| "target/BENCHMARKS-quick.md".to_owned())
            } else {
                "BENCHMARKS.md".to_owned()
            }
        });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("bench: cannot start a runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let plan = Plan::new(quick);
    if let Some(only) = focus::Only::from_args(&args) {
        // One figure, printed and not written (a quick look while working on it).
        return match runtime.block_on(focus::measure(only, quick)) {
            Ok(rows) => {
                println!("\n{}", report::table(&rows));
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("bench: {err}");
                ExitCode::FAILURE
            }
        };
    }
    if args.iter().any(|a| a == "--coalesce-only") {
        // Only the coalescing section, printed and not written (a quick look while working).
        return match runtime.block_on(coalesce::measure(quick)) {
            Ok(rows) => {
                println!("\n{}", report::table(&rows));
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("bench: {err}");
                ExitCode::FAILURE
            }
        };
    }
    if args.iter().any(|a| a == "--tracing-only") {
        return match runtime.block_on(tracing_only(&plan)) {
            Ok(rows) => {
                println!("\n{}", report::table(&rows));
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("bench: {err}");
                ExitCode::FAILURE
            }
        };
    }
    match runtime.block_on(run(&plan)) {
        Ok((rows, notes)) => {
            let document = report::document(&rows, plan.quick, &notes);
            println!("\n{}", report::table(&rows));
            if let Some(parent) = std::path::Path::new(&out).parent()
                && !parent.as_os_str().is_empty()
            {
                let _ = std::fs::create_dir_all(parent);
            }
            if let Err(err) = std::fs::write(&out, &document) {
                eprintln!("bench: cannot write {out}: {err}");
                return ExitCode::FAILURE;
            }
            println!("written to {out}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("bench: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The flags that point a server at the simulator's bench account (rate limit off).
fn account_args(template: &str) -> Vec<String> {
    [
        "--base-url",
        template,
        "--subdomain",
        SUBDOMAIN,
        "--token",
        TOKEN,
        "--pause-field-id",
        "5001",
        "--rate-limit",
        "0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Only the tracing figure, printed and not written (`--tracing-only`, a quick look).
async fn tracing_only(plan: &Plan) -> Result<Vec<Row>, String> {
    let (mut simulator, template) = util::start_simulator(0).await?;
    let direct = direct::Direct::new(template.replace("{subdomain}", SUBDOMAIN), TOKEN);
    let account_args = account_args(&template);
    let (untraced, _) =
        stdio::move_lead_overhead(&account_args, &[], &direct, plan.overhead_calls).await;
    let (row, note) = otel::figure(&account_args, &direct, plan.overhead_calls, &untraced).await?;
    let _ = simulator.kill().await;
    eprintln!("{note}");
    Ok(vec![row])
}

/// `account_args` plus the HTTP server's limits for the run.
fn http_args(account_args: &[String]) -> Vec<String> {
    // Room for the 1,000 idle sessions (and 1,000 SSE connections) of the memory figures.
    let mut http_args = account_args.to_vec();
    http_args.extend(["--max-sessions", "4000", "--max-connections", "4000"].map(str::to_owned));
    // The load has no auth: every connection is one caller, whose share must hold them all.
    http_args.extend(
        [
            "--max-sessions-per-caller",
            "4000",
            "--max-streams-per-caller",
            "4000",
            "--max-calls-per-caller",
            "4000",
        ]
        .map(str::to_owned),
    );
    http_args
}

pub fn ms(value: f64) -> String {
    format!("{value:.3} ms")
}

fn summary(samples: &Samples) -> String {
    format!(
        "min {} · median {} · p90 {}",
        ms(samples.min()),
        ms(samples.median()),
        ms(samples.percentile(90.0))
    )
}

async fn run(plan: &Plan) -> Result<(Vec<Row>, Vec<String>), String> {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let binary = util::release_binary();
    let size = std::fs::metadata(&binary)
        .map_err(|e| format!("{}: {e}", binary.display()))?
        .len();
    let size_mb = size as f64 / 1_000_000.0;
    rows.push(Row::new(
        "release binary size",
        format!("{size_mb:.2} MB"),
        "≤ 12 MB",
        Some(size_mb <= 12.0),
    ));

    eprintln!("bench: cold start ({} spawns)…", plan.cold_starts);
    let (starts, floor) = stdio::cold_start(plan.cold_starts).await;
    rows.push(Row::new(
        "cold start → `initialize` answer (stdio)",
        summary(&starts),
        "median ≤ 5 ms",
        Some(starts.median() <= 5.0),
    ));
    rows.push(Row::new(
        "spawn floor (`true`), for reference",
        summary(&floor),
        "—",
        None,
    ));

    let (mut simulator, template) = util::start_simulator(0).await?;
    let root = template.replace("{subdomain}", SUBDOMAIN);
    let control = root
        .split(&format!("/{SUBDOMAIN}"))
        .next()
        .unwrap_or_default()
        .to_owned();
    let direct = direct::Direct::new(root.clone(), TOKEN);
    let account_args = account_args(&template);
    let clear_log = || async {
        let _ = reqwest::Client::new()
            .delete(format!("{control}/__sim/requests"))
            .send()
            .await;
    };

    eprintln!(
        "bench: move_lead over stdio ({} calls)…",
        plan.overhead_calls
    );
    let (overhead, raw) =
        stdio::move_lead_overhead(&account_args, &[], &direct, plan.overhead_calls).await;
    rows.push(Row::new(
        "`move_lead` overhead over direct GET+PATCH (stdio)",
        format!(
            "median {} · p90 {} · p99 {}",
            ms(overhead.median()),
            ms(overhead.percentile(90.0)),
            ms(overhead.percentile(99.0))
        ),
        "median ≤ 0.3 ms",
        Some(overhead.median() <= 0.3),
    ));
    notes.push(format!(
        "`move_lead` over stdio took {} per call in all ({} calls).",
        summary(&raw),
        raw.len()
    ));

    let (row, note) = otel::figure(&account_args, &direct, plan.overhead_calls, &overhead).await?;
    rows.push(row);
    notes.push(note);
    notes.push(
        "Overheads are paired per iteration: each tool call is followed by a direct GET+PATCH of another lead \
         on one keep-alive connection, and the figure is call − direct."
            .to_owned(),
    );
    notes.push(
        "HTTP is measured on the three paths clients take: streamable HTTP in a session with each answer \
         streamed as `text/event-stream` (what the MCP SDKs, Claude Code, Cursor and the Inspector do), legacy \
         SSE (POST, the answer on the event stream), and the bare JSON POST with no session that simple \
         platforms such as Horneross send. Each client keeps its own keep-alive connection(s) and sends one \
         request at a time; at 16 connections, 16 such clients run at once."
            .to_owned(),
    );
    notes.push(
        "The TypeScript SDK peer (`benches/peer/server.mjs`) is started by this run on the same machine, against \
         the same simulator, with kommo-mcp's own tool list; its `move_lead` makes the same GET and PATCH. It has \
         no bare JSON path (the SDK's stateful server needs a session)."
            .to_owned(),
    );
    notes.push(
        "The HTTP server runs with `--max-sessions 4000 --max-connections 4000` (defaults 1,000 and 512), so that \
         the memory figures' 1,000 idle sessions and 1,000 open SSE streams fit beside the load's connections."
            .to_owned(),
    );
    notes.push(
        "Memory per idle open session is read on a fresh server process (and a fresh peer) for each path: RSS \
         before, and 1 s after the sessions are open (streamable: initialized, no stream open, over 8 shared \
         connections; SSE: an open, initialized event stream each), divided by their number."
            .to_owned(),
    );
    notes.push(
        "The session-churn figure opens, uses (initialize, one `list_pipelines` call) and closes each session, \
         8 at a time; RSS is read 2 s after the last one closed."
            .to_owned(),
    );

    let idle = stdio::idle_rss(&account_args).await;
    rows.push(Row::new(
        "idle RSS after `initialize` + `tools/list` (stdio)",
        format!("{:.1} MB", idle as f64 * 1024.0 / 1e6),
        "≤ 10 MB",
        Some(idle as f64 * 1024.0 <= 10e6),
    ));
    clear_log().await;

    eprintln!("bench: HTTP…");
    let http_args = http_args(&account_args);
    let (mut server, addr) = util::start_http_server(&http_args).await;
    let base = format!("http://{addr}");
    let duration = Duration::from_secs(plan.load_seconds);
    let ceiling = simulator_ceiling(&root, duration).await;
    clear_log().await;
    rows.push(Row::new(
        "simulator's own GET+PATCH ceiling, 16 connections",
        format!("{:.0} pairs/s", ceiling.per_second),
        "—",
        None,
    ));
    let peer = peer::start(&base, &root, TOKEN).await?;
    notes.push(format!(
        "Peer: @modelcontextprotocol/sdk {} on Node {}.",
        peer.sdk_version,
        peer::node_version().await
    ));

    for path in [mcp::Path::Streamable, mcp::Path::Sse, mcp::Path::Bare] {
        eprintln!("bench: {}…", path.label());
        let figures = paths::measure(path, &base, &direct, plan.overhead_calls, duration).await?;
        clear_log().await;
        let peer_figures = if path == mcp::Path::Bare {
            None
        } else {
            eprintln!("bench: {} (TypeScript SDK peer)…", path.label());
            let measured =
                paths::measure(path, &peer.base, &direct, plan.overhead_calls, duration).await;
            clear_log().await;
            Some(measured)
        };
        path_rows(
            path,
            &figures,
            peer_figures.as_ref(),
            ceiling.per_second,
            &mut rows,
        );
    }
    drop(peer);
    // Each memory figure on a fresh process, so that memory an earlier measurement freed
    // (and the allocator kept) cannot hide what the new sessions cost.
    for path in [mcp::Path::Streamable, mcp::Path::Sse] {
        let count = if plan.quick { 50 } else { 1_000 };
        let (mut fresh, fresh_addr) = util::start_http_server(&http_args).await;
        let fresh_pid = fresh.id().ok_or("server pid")?;
        let per =
            paths::idle_memory(path, &format!("http://{fresh_addr}"), fresh_pid, count).await?;
        let _ = fresh.kill().await;
        let fresh_peer = peer::start(&base, &root, TOKEN).await?;
        let peer_pid = fresh_peer.child.id().ok_or("peer pid")?;
        let peer_per = paths::idle_memory(path, &fresh_peer.base, peer_pid, count)
            .await
            .map_or_else(|e| format!("failed: {e}"), |kb| format!("{kb:.1} kB"));
        drop(fresh_peer);
        rows.push(
            Row::new(
                format!("RSS per idle open session ({}, {count} open)", path.label()),
                format!("{per:.1} kB"),
                "≤ 30 kB",
                Some(per <= 30.0),
            )
            .with_peer(peer_per),
        );
    }
    let pid = server.id().ok_or("server pid")?;

    eprintln!(
        "bench: {} streamable HTTP + {} SSE sessions…",
        plan.streamable_sessions, plan.sse_sessions
    );
    sessions(&base, 50, 10).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kib(pid).unwrap_or(0);
    sessions(&base, plan.streamable_sessions, plan.sse_sessions).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(pid).unwrap_or(0);
    let growth_mb = (after as f64 - before as f64) * 1024.0 / 1e6;
    rows.push(Row::new(
        format!(
            "RSS growth after {} streamable + {} SSE sessions",
            plan.streamable_sessions, plan.sse_sessions
        ),
        format!(
            "{growth_mb:+.2} MB ({:.1} → {:.1} MB)",
            before as f64 * 1024.0 / 1e6,
            after as f64 * 1024.0 / 1e6
        ),
        "< 2 MB",
        Some(growth_mb < 2.0),
    ));

    let _ = server.kill().await;
    clear_log().await;
    eprintln!("bench: Redis…");
    redis::section(plan.quick, duration, &account_args, &mut rows, &mut notes).await?;
    let _ = simulator.kill().await;
    eprintln!("bench: coalescing at Kommo's 7 requests a second…");
    rows.extend(coalesce::measure(plan.quick).await?);
    notes.push(
        "Coalescing is measured against a simulator that enforces 7 requests a second and holds 500 seeded \
         leads, with one server at `--rate-limit 7` (`--note-dedupe 0`); each caller is a streamable-HTTP \
         session with streamed answers, one call at a time, its calls spread over the 500 leads, for 8 s a \
         cell. A call counts as failed when its answer has not come within 10 s (the caller gives up; the \
         server still finishes the call): without coalescing, 500 callers queue for minutes."
            .to_owned(),
    );
    Ok((rows, notes))
}

fn latency(samples: &Samples) -> String {
    format!(
        "median {} · p90 {} · p99 {}",
        ms(samples.median()),
        ms(samples.percentile(90.0)),
        ms(samples.percentile(99.0))
    )
}

/// The four rows of one HTTP path, with the peer's figures beside kommo-mcp's. Targets:
/// issue 10's for the session path, 1.5× looser for legacy SSE; the bare path keeps the
/// stricter throughput targets it has always had.
fn path_rows(
    path: mcp::Path,
    ours: &paths::Figures,
    peer: Option<&Result<paths::Figures, String>>,
    ceiling: f64,
    rows: &mut Vec<Row>,
) {
    let slack = if path == mcp::Path::Sse { 1.5 } else { 1.0 };
    let peer_value = |show: &dyn Fn(&paths::Figures) -> String| match peer {
        None => None,
        Some(Ok(figures)) => Some(show(figures)),
        Some(Err(error)) => Some(format!("failed: {error}")),
    };
    let with_peer = |row: Row, value: Option<String>| match value {
        Some(value) => row.with_peer(value),
        None => row,
    };
    rows.push(with_peer(
        Row::new(
            format!("`tools/list` latency ({}, 1 connection)", path.label()),
            latency(&ours.list),
            format!("median ≤ {slack:.1} ms, p99 ≤ {:.0} ms", 10.0 * slack),
            Some(ours.list.median() <= slack && ours.list.percentile(99.0) <= 10.0 * slack),
        ),
        peer_value(&|f| latency(&f.list)),
    ));
    rows.push(with_peer(
        Row::new(
            format!(
                "`move_lead` overhead over direct GET+PATCH ({}, 1 connection)",
                path.label()
            ),
            latency(&ours.overhead),
            format!("median ≤ {:.2} ms", 0.5 * slack),
            Some(ours.overhead.median() <= 0.5 * slack),
        ),
        peer_value(&|f| latency(&f.overhead)),
    ));
    let (list_target, move_target, rule) = if path == mcp::Path::Bare {
        (10_000.0, (0.75 * ceiling).min(3_000.0), "3,000 or 75 %")
    } else {
        (
            5_000.0 / slack,
            (0.6 * ceiling).min(2_500.0) / slack,
            if slack > 1.0 {
                "2,500 or 60 %, ÷ 1.5"
            } else {
                "2,500 or 60 %"
            },
        )
    };
    rows.push(with_peer(
        Row::new(
            format!("`tools/list` ({}, 16 connections)", path.label()),
            format!("{:.0} req/s", ours.list_rate.per_second),
            format!("≥ {list_target:.0} req/s"),
            Some(ours.list_rate.per_second >= list_target),
        ),
        peer_value(&|f| format!("{:.0} req/s", f.list_rate.per_second)),
    ));
    rows.push(with_peer(
        Row::new(
            format!("`move_lead` ({}, 16 connections)", path.label()),
            format!("{:.0} req/s", ours.move_rate.per_second),
            format!("≥ {move_target:.0} req/s ({rule} of the simulator's ceiling)"),
            Some(ours.move_rate.per_second >= move_target),
        ),
        peer_value(&|f| format!("{:.0} req/s", f.move_rate.per_second)),
    ));
}

async fn simulator_ceiling(root: &str, duration: Duration) -> load::Throughput {
    let directs: std::sync::Arc<Vec<direct::Direct>> = std::sync::Arc::new(
        (0..16)
            .map(|_| direct::Direct::new(root.to_owned(), TOKEN))
            .collect(),
    );
    load::throughput(16, duration, move |connection, i| {
        let directs = directs.clone();
        async move {
            directs[connection]
                .get_and_patch(9003, if i % 2 == 0 { 2002 } else { 2003 })
                .await;
            Ok(())
        }
    })
    .await
}

/// Opens, uses and closes short sessions, 8 at a time.
async fn sessions(base: &str, streamable: usize, sse: usize) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(8)
        .tcp_nodelay(true)
        .build()
        .map_err(|e| e.to_string())?;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..streamable + sse {
        if set.len() >= 8
            && let Some(done) = set.join_next().await
        {
            done.map_err(|e| e.to_string())??;
        }
        let (client, base) = (client.clone(), base.to_owned());
        let path = if i < streamable {
            mcp::Path::Streamable
        } else {
            mcp::Path::Sse
        };
        set.spawn(async move { mcp::short_session(path, &client, &base).await });
    }
    while let Some(done) = set.join_next().await {
        done.map_err(|e| e.to_string())??;
    }
    Ok(())
}
