//! One figure alone, for work on it: `--stdio-rss-only` (idle stdio RSS and what it is made
//! of), `--streamable-list-only` or `--sse-list-only` (in-session `tools/list` at 16
//! connections, kommo-mcp and the TypeScript SDK peer in turns), `--latency-only` (the
//! one-connection `tools/list` latency and `move_lead` overhead of every HTTP path, kommo-mcp
//! alone, on one server that carried no load before). Printed, never written to BENCHMARKS.md.

use std::time::Duration;

use crate::{
    account_args,
    direct::Direct,
    http_args, mcp, paths, peer,
    report::Row,
    stdio,
    util::{self, Samples},
};

#[derive(Clone, Copy)]
pub enum Only {
    StdioRss,
    /// `tools/list` at 16 connections on a path with sessions.
    List(mcp::Path),
    /// One connection's latencies on every HTTP path.
    Latency,
}

impl Only {
    pub fn from_args(args: &[String]) -> Option<Self> {
        args.iter().find_map(|arg| match arg.as_str() {
            "--stdio-rss-only" => Some(Self::StdioRss),
            "--streamable-list-only" => Some(Self::List(mcp::Path::Streamable)),
            "--sse-list-only" => Some(Self::List(mcp::Path::Sse)),
            "--latency-only" => Some(Self::Latency),
            _ => None,
        })
    }
}

pub async fn measure(only: Only, quick: bool) -> Result<Vec<Row>, String> {
    let (mut simulator, template) = util::start_simulator(0).await?;
    let account_args = account_args(&template);
    let rows = match only {
        Only::StdioRss => stdio_rss(&account_args, if quick { 2 } else { 7 }).await,
        Only::List(path) => {
            let (rounds, seconds) = if quick { (1, 1) } else { (3, 5) };
            list_at_16(path, &template, &account_args, rounds, seconds).await
        }
        Only::Latency => latencies(&template, &account_args, if quick { 20 } else { 2_000 }).await,
    };
    let _ = simulator.kill().await;
    rows
}

/// The idle RSS of `runs` fresh stdio servers, as the full run reads it once, and its parts.
async fn stdio_rss(account_args: &[String], runs: usize) -> Result<Vec<Row>, String> {
    let mut rss = Vec::new();
    let mut parts = Vec::new();
    for _ in 0..runs {
        let (kib, detail) = stdio::idle_rss_detail(account_args).await;
        rss.push(kib as f64 * 1024.0 / 1e6);
        parts.push(detail);
    }
    let rss = Samples::new(rss);
    let median = rss.median();
    Ok(vec![
        Row::new(
            format!("idle RSS after `initialize` + `tools/list` (stdio), {runs} processes"),
            format!(
                "median {median:.1} MB · min {:.1} · max {:.1}",
                rss.min(),
                rss.percentile(100.0)
            ),
            "≤ 10 MB",
            Some(median <= 10.0),
        ),
        Row::new(
            "… of which (last process)",
            parts.pop().unwrap_or_default(),
            "—",
            None,
        ),
    ])
}

/// In-session `tools/list` at 16 connections on `path`, kommo-mcp and the peer in turns,
/// `rounds` times `seconds` each.
async fn list_at_16(
    path: mcp::Path,
    template: &str,
    account_args: &[String],
    rounds: usize,
    seconds: u64,
) -> Result<Vec<Row>, String> {
    let (mut server, addr) = util::start_http_server(&http_args(account_args)).await;
    let base = format!("http://{addr}");
    let root = template.replace("{subdomain}", crate::SUBDOMAIN);
    let peer = peer::start(&base, &root, crate::TOKEN).await?;
    let duration = Duration::from_secs(seconds);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        ours.push(paths::load(path, &base, duration, None).await?.per_second);
        theirs.push(
            paths::load(path, &peer.base, duration, None)
                .await?
                .per_second,
        );
    }
    drop(peer);
    let _ = server.kill().await;
    let show = |rates: &[f64]| {
        let each: Vec<String> = rates.iter().map(|rate| format!("{rate:.0}")).collect();
        format!("{} req/s", each.join(" · "))
    };
    let median = Samples::new(ours.clone()).median();
    // The full run's targets for these figures.
    let target = if path == mcp::Path::Sse {
        3_333.0
    } else {
        10_000.0
    };
    Ok(vec![
        Row::new(
            format!(
                "`tools/list` ({}, 16 connections), {rounds} × {seconds} s in turns",
                path.label()
            ),
            show(&ours),
            format!("≥ {target:.0} req/s"),
            Some(median >= target),
        )
        .with_peer(show(&theirs)),
    ])
}

/// `tools/list` latency and `move_lead` overhead at one connection, `calls` of each, for every
/// HTTP path in the full run's order, on one fresh server.
async fn latencies(
    template: &str,
    account_args: &[String],
    calls: usize,
) -> Result<Vec<Row>, String> {
    let (mut server, addr) = util::start_http_server(&http_args(account_args)).await;
    let base = format!("http://{addr}");
    let direct = Direct::new(
        template.replace("{subdomain}", crate::SUBDOMAIN),
        crate::TOKEN,
    );
    let mut rows = Vec::new();
    for path in [mcp::Path::Streamable, mcp::Path::Sse, mcp::Path::Bare] {
        let measured = paths::one_connection(path, &base, &direct, calls).await;
        let (list, overhead) = match measured {
            Ok(figures) => figures,
            Err(error) => {
                let _ = server.kill().await;
                return Err(error);
            }
        };
        for (what, samples) in [
            ("`tools/list` latency", list),
            ("`move_lead` overhead", overhead),
        ] {
            rows.push(Row::new(
                format!("{what} ({}, 1 connection, {calls} calls)", path.label()),
                crate::latency(&samples),
                "—",
                None,
            ));
        }
    }
    let _ = server.kill().await;
    Ok(rows)
}
