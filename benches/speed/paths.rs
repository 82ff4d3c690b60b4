//! The figures of one HTTP path on one server (kommo-mcp or the TypeScript SDK peer):
//! `tools/list` latency and `move_lead` overhead at one connection, throughput at 16
//! connections, and memory per idle open session.

use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::{
    direct::Direct,
    load::{self, TOOLS_LIST, Throughput, move_body},
    mcp::{self, McpClient, Path},
    util::{Samples, rss_kib},
};

pub struct Figures {
    pub list: Samples,
    pub overhead: Samples,
    pub list_rate: Throughput,
    pub move_rate: Throughput,
}

/// Warm-up requests before samples are kept.
const WARM_UP: usize = 20;

/// Everything but memory, for `path` on the server at `base`.
pub async fn measure(
    path: Path,
    base: &str,
    direct: &Direct,
    calls: usize,
    duration: Duration,
) -> Result<Figures, String> {
    let (list, overhead) = one_connection(path, base, direct, calls).await?;
    let list_rate = load(path, base, duration, None).await?;
    let move_rate = load(path, base, duration, Some(())).await?;
    Ok(Figures {
        list,
        overhead,
        list_rate,
        move_rate,
    })
}

/// `tools/list` latency and `move_lead` overhead over direct GET+PATCH, `calls` of each on one
/// session over one connection, in milliseconds.
pub async fn one_connection(
    path: Path,
    base: &str,
    direct: &Direct,
    calls: usize,
) -> Result<(Samples, Samples), String> {
    let mut client = McpClient::open(path, base).await?;
    let mut list = Vec::with_capacity(calls);
    for i in 0..calls + WARM_UP {
        let started = Instant::now();
        client.call(TOOLS_LIST).await?;
        if i >= WARM_UP {
            list.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let mut overhead = Vec::with_capacity(calls);
    for i in 0..calls + WARM_UP {
        let started = Instant::now();
        client.call(move_body(i as u64)).await?;
        let call = started.elapsed().as_secs_f64() * 1000.0;
        let direct_ms = direct
            .get_and_patch(9002, if i % 2 == 0 { 2004 } else { 2003 })
            .await;
        if i >= WARM_UP {
            overhead.push(call - direct_ms);
        }
    }
    client.close().await;
    Ok((Samples::new(list), Samples::new(overhead)))
}

/// 16 clients, each on its own connection(s), for `duration`: `tools/list`, or (`moves`)
/// `move_lead` alternating between two statuses.
pub async fn load(
    path: Path,
    base: &str,
    duration: Duration,
    moves: Option<()>,
) -> Result<Throughput, String> {
    let mut clients = Vec::new();
    for _ in 0..16 {
        clients.push(McpClient::open(path, base).await?);
    }
    let (result, clients) = load::throughput_owned(clients, duration, move |client, i| {
        Box::pin(async move {
            let body = if moves.is_some() {
                move_body(i)
            } else {
                TOOLS_LIST
            };
            client.call(body).await
        })
    })
    .await;
    for client in clients {
        client.close().await;
    }
    if result.errors > 0 {
        return Err(format!(
            "{} on {} under load: {} errors (0 required); first: {}",
            if moves.is_some() {
                "move_lead"
            } else {
                "tools/list"
            },
            path.label(),
            result.errors,
            result.first_error.clone().unwrap_or_default()
        ));
    }
    Ok(result)
}

/// kB of RSS per idle open session: `count` sessions (streamable: initialized, no stream
/// open, over 8 shared connections; SSE: an open, initialized event stream each) are
/// opened on the server with process id `pid`, measured 1 s later, then closed.
pub async fn idle_memory(path: Path, base: &str, pid: u32, count: usize) -> Result<f64, String> {
    let shared = reqwest::Client::builder()
        .pool_max_idle_per_host(8)
        .tcp_nodelay(true)
        .build()
        .map_err(|e| e.to_string())?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kib(pid).ok_or("cannot read the server's RSS")?;
    let after;
    match path {
        Path::Streamable => {
            let mut set = JoinSet::new();
            let mut sessions = Vec::with_capacity(count);
            for _ in 0..count {
                if set.len() >= 8
                    && let Some(done) = set.join_next().await
                {
                    sessions.push(done.map_err(|e| e.to_string())??);
                }
                let (client, base) = (shared.clone(), base.to_owned());
                set.spawn(async move {
                    mcp::open_streamable(&client, &base)
                        .await
                        .map(|(session, _)| session)
                });
            }
            while let Some(done) = set.join_next().await {
                sessions.push(done.map_err(|e| e.to_string())??);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            after = rss_kib(pid).ok_or("cannot read the server's RSS")?;
            for session in &sessions {
                mcp::close_streamable(&shared, base, session).await;
            }
        }
        Path::Sse => {
            let streams_client = reqwest::Client::builder()
                .tcp_nodelay(true)
                .build()
                .map_err(|e| e.to_string())?;
            let mut set = JoinSet::new();
            let mut streams = Vec::with_capacity(count);
            for _ in 0..count {
                if set.len() >= 8
                    && let Some(done) = set.join_next().await
                {
                    streams.push(done.map_err(|e| e.to_string())??);
                }
                let (client, stream_client, base) =
                    (shared.clone(), streams_client.clone(), base.to_owned());
                set.spawn(async move {
                    mcp::open_sse(&stream_client, &client, &base)
                        .await
                        .map(|(stream, _, _)| stream)
                });
            }
            while let Some(done) = set.join_next().await {
                streams.push(done.map_err(|e| e.to_string())??);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            after = rss_kib(pid).ok_or("cannot read the server's RSS")?;
            drop(streams);
        }
        Path::Bare => return Err("the bare path has no sessions".to_owned()),
    }
    Ok((after as f64 - before as f64) * 1.024 / count as f64)
}
