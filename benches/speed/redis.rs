//! The Redis section of the benchmark: what the shared limiter adds to each Kommo request
//! (one `EVALSHA` round trip on loopback, measured through the library), and `move_lead`
//! throughput across three replicas sharing one Redis, next to the same three without it.

use std::{process::Stdio, time::Duration};

use kommo_mcp::testing::{RedisLink, RedisUrl, SharedLimiter};
use tokio::time::Instant;

use crate::{
    load,
    mcp::{McpClient, Path},
    report::Row,
    util::{Samples, free_addr, start_http_server},
};

/// Adds the Redis rows; skipped (with a note) when `redis-server` is not installed.
pub async fn section(
    quick: bool,
    duration: Duration,
    account_args: &[String],
    rows: &mut Vec<Row>,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let port = free_addr().port();
    let Ok(mut redis) = tokio::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
    else {
        notes.push("Redis figures skipped: redis-server is not installed.".to_owned());
        return Ok(());
    };
    let url = format!("redis://127.0.0.1:{port}/0");
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    let acquires = limiter_latency(&url, if quick { 200 } else { 5_000 }).await?;
    rows.push(Row::new(
        "Redis limiter: added per Kommo request (acquire, loopback)",
        format!(
            "median {:.3} ms · p99 {:.3} ms",
            acquires.median(),
            acquires.percentile(99.0)
        ),
        "median ≤ 0.3 ms",
        Some(acquires.median() <= 0.3),
    ));
    notes.push(format!(
        "The Redis limiter figure times {} acquire scripts (EVALSHA: TIME, PTTL, ZREMRANGEBYSCORE, ZCARD, ZADD) \
         on one multiplexed connection; the release after each answer runs in the background, off the answer's path.",
        acquires.len()
    ));

    for (label, with_redis) in [
        ("one Redis", true),
        ("no Redis (each its own limiter)", false),
    ] {
        // The account arguments without their --rate-limit (set below).
        let mut args: Vec<String> = account_args
            .chunks(2)
            .filter(|pair| pair[0] != "--rate-limit")
            .flatten()
            .cloned()
            .collect();
        if with_redis {
            args.extend(["--redis-url".to_owned(), url.clone()]);
        }
        // A limit far above what the loop can reach: every request still takes a slot
        // (a Redis round trip with Redis), none waits for one.
        args.extend(["--rate-limit".to_owned(), "1000000".to_owned()]);
        let mut servers = Vec::new();
        for _ in 0..3 {
            servers.push(start_http_server(&args).await);
        }
        let mut clients = Vec::new();
        for i in 0..15 {
            let base = format!("http://{}", servers[i % 3].1);
            clients.push(McpClient::open(Path::Bare, &base).await?);
        }
        let (moves, _clients) = load::throughput_owned(clients, duration, |client, i| {
            Box::pin(async move { client.call(load::move_body(i)).await })
        })
        .await;
        if moves.errors > 0 {
            return Err(format!(
                "move_lead across three replicas ({label}): {} errors; first: {}",
                moves.errors,
                moves.first_error.unwrap_or_default()
            ));
        }
        rows.push(Row::new(
            format!("HTTP `move_lead`, 3 replicas, {label}, 15 connections"),
            format!("{:.0} calls/s", moves.per_second),
            "—",
            None,
        ));
        for (mut server, _) in servers {
            let _ = server.kill().await;
        }
    }
    notes.push(
        "The three-replica figures run with --rate-limit 1000000 against an unlimited simulator, to show what the \
         shared limiter costs; against Kommo the three together send at most 7 requests per second per account \
         (tests/it/redis.rs proves it), about 3.5 `move_lead` calls per second."
            .to_owned(),
    );
    let _ = redis.kill().await;
    Ok(())
}

/// Times `count` acquires (each released, untimed, before the next).
async fn limiter_latency(url: &str, count: usize) -> Result<Samples, String> {
    let url = RedisUrl::parse(url).map_err(|e| e.to_string())?;
    let link = RedisLink::new(url, "kommo-mcp-bench:".to_owned());
    let limiter = SharedLimiter::default();
    let window = Duration::from_millis(1);
    let mut samples = Vec::with_capacity(count);
    for i in 0..count + 50 {
        let member = link.slot_name();
        let started = Instant::now();
        limiter
            .acquire(&link, "bench", 7, Duration::from_secs(40), &member)
            .await
            .map_err(|e| e.to_string())?;
        let took = started.elapsed();
        limiter
            .release(&link, "bench", window, &member)
            .await
            .map_err(|e| e.to_string())?;
        tokio::time::sleep(Duration::from_millis(2)).await;
        if i >= 50 {
            samples.push(took.as_secs_f64() * 1_000.0);
        }
    }
    Ok(Samples::new(samples))
}
