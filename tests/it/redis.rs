//! Several replicas on one real Redis: together they stay under Kommo's 7 requests per
//! second (and without Redis they do not), one replica's 429 pauses the others, a session
//! opened on one replica is served by another, and a Redis that dies mid-burst costs
//! speed (the fallback rate), never answers; when it returns, shared limiting resumes.

use std::time::Duration;

use futures::future::join_all;
use kommo_sim::{Fault, Simulator, SimulatorOptions};
use serde_json::{Value, json};

use crate::support::{
    HttpServer, Isolated, LEAD, McpClient, SUBDOMAIN, TOKEN, account_args,
    http::messages,
    http_command, is_error,
    kommo::{assert_moves_respected_the_limit, concurrent_moves},
    redis::{REDIS_PASSWORD, RedisServer},
    simulator, simulator_with,
};

/// `count` replicas of `serve --http` on the simulator's demo account, sharing `redis`
/// (given through the environment variable) when set.
pub(crate) async fn replicas(
    sim: &Simulator,
    env: &Isolated,
    redis: Option<&RedisServer>,
    count: usize,
    extra: &[&str],
) -> Vec<HttpServer> {
    let mut servers = Vec::new();
    for _ in 0..count {
        let mut command = http_command(env.command(), extra);
        command
            .args(account_args(sim))
            .args(["--request-timeout", "60"]);
        if let Some(redis) = redis {
            command.env("KOMMO_MCP_REDIS_URL", redis.url());
        }
        servers.push(HttpServer::start(command).await);
    }
    servers
}

/// One `tools/call` on a session, as its own HTTP request (so many run at once).
pub(crate) async fn session_call(
    client: &McpClient<'_>,
    id: i64,
    tool: &str,
    arguments: Value,
) -> Value {
    let response = client
        .post(
            &json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                    "params": {"name": tool, "arguments": arguments}}),
            &[],
        )
        .await;
    assert_eq!(response.status(), 200);
    messages(response)
        .await
        .into_iter()
        .find(|m| m["id"] == json!(id))
        .expect("the call's answer")
}

/// The tool result of a JSON-RPC answer (a protocol error fails the test).
pub(crate) fn result_of(answer: Value) -> Value {
    assert!(answer.get("error").is_none(), "protocol error: {answer}");
    answer["result"].clone()
}

/// The most timestamps inside any 1000 ms window.
pub(crate) fn busiest_second(times: &[u64]) -> usize {
    let mut times = times.to_vec();
    times.sort_unstable();
    let (mut best, mut start) = (0, 0);
    for end in 0..times.len() {
        while times[end] - times[start] >= 1000 {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}

/// `moves` spread over the replicas: even ones as bare JSON POSTs, odd ones on sessions.
async fn spread_moves(
    servers: &[HttpServer],
    sessions: &[McpClient<'_>],
    moves: &[(&'static str, Value)],
) -> Vec<Value> {
    join_all(moves.iter().enumerate().map(|(i, (tool, arguments))| {
        let replica = i % servers.len();
        async move {
            if i % 2 == 0 {
                servers[replica]
                    .bare_call(tool, arguments.clone(), &[])
                    .await
            } else {
                session_call(&sessions[replica], 100 + i as i64, tool, arguments.clone()).await
            }
        }
    }))
    .await
    .into_iter()
    .map(result_of)
    .collect()
}

pub(crate) async fn stop_all(servers: Vec<HttpServer>) {
    for server in servers {
        let (status, stderr) = server.stop().await;
        assert!(status.success(), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!stderr.contains(TOKEN), "the Kommo token was printed");
        assert!(
            !stderr.contains(REDIS_PASSWORD),
            "the Redis password was printed"
        );
    }
}

#[tokio::test]
async fn three_replicas_on_one_redis_share_kommos_limit() {
    let sim = simulator_with(SimulatorOptions::default()).await;
    let redis = RedisServer::start().await;
    let env = Isolated::new();
    let servers = replicas(&sim, &env, Some(&redis), 3, &[]).await;
    let mut sessions = Vec::new();
    for server in &servers {
        sessions.push(McpClient::initialize(server).await);
    }
    let results = spread_moves(&servers, &sessions, &concurrent_moves(60)).await;
    assert_moves_respected_the_limit(&sim, SUBDOMAIN, &results, 7);
    for server in &servers {
        assert_eq!(server.health().await["redis"], "up");
    }
    drop(sessions);
    stop_all(servers).await;
}

#[tokio::test]
async fn three_replicas_without_redis_exceed_kommos_limit() {
    // The control for the test above: each replica alone allows 7 per second.
    let sim = simulator_with(SimulatorOptions::default()).await;
    let env = Isolated::new();
    let servers = replicas(&sim, &env, None, 3, &[]).await;
    let moves = concurrent_moves(30);
    join_all(
        moves
            .iter()
            .enumerate()
            .map(|(i, (tool, arguments))| servers[i % 3].bare_call(tool, arguments.clone(), &[])),
    )
    .await;
    let busiest = sim.state().max_requests_in_any_second(SUBDOMAIN);
    assert!(busiest > 7, "only {busiest} requests in the busiest second");
    assert_eq!(servers[0].health().await["redis"], "off");
    stop_all(servers).await;
}

#[tokio::test]
async fn a_429_on_one_replica_pauses_the_others() {
    let sim = simulator().await;
    let redis = RedisServer::start().await;
    let env = Isolated::new();
    let servers = replicas(&sim, &env, Some(&redis), 2, &[]).await;
    sim.state().push_fault(Fault {
        method: Some("GET".into()),
        path_contains: Some(format!("/api/v4/leads/{LEAD}")),
        status: Some(429),
        retry_after: Some(3),
        ..Fault::default()
    });
    let first = servers[0].bare_call("get_lead", json!({"lead_id": LEAD}), &[]);
    let second = async {
        while sim.state().count_429() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Give replica A the moment it needs to record the pause after the answer.
        tokio::time::sleep(Duration::from_millis(200)).await;
        servers[1]
            .bare_call("get_lead", json!({"lead_id": 9002}), &[])
            .await
    };
    let (first, second) = tokio::join!(first, second);
    assert!(!is_error(&result_of(first)));
    assert!(!is_error(&result_of(second)));
    let requests = sim.state().requests();
    let throttled_at = requests.iter().find(|r| r.status == 429).unwrap().at_ms;
    let other = requests
        .iter()
        .find(|r| r.path == "/api/v4/leads/9002")
        .unwrap();
    assert!(
        other.at_ms >= throttled_at + 2_950,
        "replica B sent {} ms after replica A's 429 asked for 3 s",
        other.at_ms - throttled_at
    );
    stop_all(servers).await;
}

#[tokio::test]
async fn a_session_opened_on_one_replica_is_served_by_another() {
    let sim = simulator().await;
    let redis = RedisServer::start().await;
    let env = Isolated::new();
    let servers = replicas(&sim, &env, Some(&redis), 2, &["--log-level", "trace"]).await;
    let opened = McpClient::initialize(&servers[0]).await;
    let mut moved = McpClient::new(&servers[1]);
    moved.session = opened.session.clone();
    assert!(moved.session.is_some());
    let answer = moved.call("get_lead", json!({"lead_id": LEAD}), &[]).await;
    assert!(!is_error(&result_of(answer)));
    assert!(
        moved
            .tool_names(&[])
            .await
            .contains(&"move_lead".to_owned())
    );
    // An unknown session is still refused on either replica.
    let mut stranger = McpClient::new(&servers[1]);
    stranger.session = Some("no-such-session".to_owned());
    let response = stranger
        .post(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
            &[],
        )
        .await;
    assert_eq!(response.status(), 404);
    assert!(servers[1].stderr().contains("TRACE"), "trace logging is on");
    drop((opened, moved, stranger));
    stop_all(servers).await;
}

#[tokio::test]
async fn check_says_whether_redis_answers_without_printing_the_password() {
    let sim = simulator().await;
    let mut redis = RedisServer::start().await;
    let env = Isolated::new();
    let url = redis.url();
    let run_check = || {
        let mut command = env.command();
        command
            .args(account_args(&sim))
            .args(["--redis-url", &url, "check"]);
        command.output()
    };
    let output = run_check().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}");
    let shown = format!("Redis at redis://127.0.0.1:{}/0 answers", redis.port);
    assert!(stdout.contains(&shown), "{stdout}");
    assert!(!stdout.contains(REDIS_PASSWORD), "{stdout}");
    redis.kill().await;
    let output = run_check().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("does not answer"), "{stdout}");
    assert!(stderr.contains("KOMMO_MCP_REDIS_URL"), "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains(REDIS_PASSWORD), "{text}");
    }
}

#[tokio::test]
async fn a_bad_redis_url_is_refused_without_repeating_it() {
    let env = Isolated::new();
    let mut command = env.command();
    command.args(["--redis-url", "http://:hunter2-secret@host:6379", "check"]);
    let output = command.output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Redis URL"), "{stderr}");
    assert!(stderr.contains("redis://"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

async fn wait_for(server: &HttpServer, redis: &str, ready: u16) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let health = server.health().await;
        let readyz = server.http.get(server.url("/readyz")).send().await.unwrap();
        let status = readyz.status().as_u16();
        let body: Value = readyz.json().await.unwrap();
        if health["redis"] == redis && status == ready {
            if ready == 503 {
                assert!(
                    body["reason"].as_str().unwrap().contains("does not answer"),
                    "{body}"
                );
            }
            assert!(!body.to_string().contains(REDIS_PASSWORD));
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "after 10 s: /healthz {health}, /readyz {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn redis_dying_mid_burst_slows_replicas_to_the_fallback_rate_and_returning_resumes_sharing() {
    let sim = simulator_with(SimulatorOptions::default()).await;
    let mut redis = RedisServer::start().await;
    let env = Isolated::new();
    // One request per call, so that the burst outlasts Redis (coalesced, it would be over
    // in a few batches).
    let servers = replicas(&sim, &env, Some(&redis), 3, &["--coalesce=false"]).await;
    let mut sessions = Vec::new();
    for server in &servers {
        sessions.push(McpClient::initialize(server).await);
    }
    for server in &servers {
        wait_for(server, "up", 200).await;
    }

    // A burst; Redis is killed once Kommo has seen ten of its requests.
    let moves = concurrent_moves(18);
    let kill = async {
        while sim.state().requests().len() < 10 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let killed_after = sim.state().requests().last().unwrap().at_ms;
        redis.kill().await;
        killed_after
    };
    let (results, killed_after) = tokio::join!(spread_bare(&servers, &moves), kill);
    // Every call answered, none tripped Kommo's limit.
    assert_moves_respected_the_limit(&sim, SUBDOMAIN, &results, 7);
    // Once the fallback has taken over (the moment Redis went down plus one window of
    // slots taken before), each of the three replicas sends at most 1 per second.
    let after: Vec<u64> = sim
        .state()
        .requests()
        .iter()
        .map(|r| r.at_ms)
        .filter(|at| *at > killed_after + 1_500)
        .collect();
    assert!(after.len() >= 10, "the burst went on without Redis");
    assert!(
        busiest_second(&after) <= 3,
        "{} requests in one second at the fallback rate",
        busiest_second(&after)
    );
    for server in &servers {
        wait_for(server, "down", 503).await;
    }

    // Redis returns (empty): within 10 s shared limiting resumes, faster than the fallback.
    redis.restart().await;
    for server in &servers {
        wait_for(server, "up", 200).await;
    }
    let before = sim.state().requests().len();
    let results = spread_moves(&servers, &sessions, &concurrent_moves(24)).await;
    for result in &results {
        assert!(!is_error(result), "{result}");
    }
    let requests = sim.state().requests();
    let resumed: Vec<u64> = requests[before..].iter().map(|r| r.at_ms).collect();
    assert!(busiest_second(&resumed) > 3, "still at the fallback rate");
    assert!(busiest_second(&resumed) <= 7, "over Kommo's limit");
    assert_eq!(sim.state().count_429(), 0);
    assert!(sim.state().max_requests_in_any_second(SUBDOMAIN) <= 7);
    drop(sessions);
    stop_all(servers).await;
}

/// `moves` spread over the replicas as bare JSON POSTs.
async fn spread_bare(servers: &[HttpServer], moves: &[(&'static str, Value)]) -> Vec<Value> {
    join_all(moves.iter().enumerate().map(|(i, (tool, arguments))| {
        servers[i % servers.len()].bare_call(tool, arguments.clone(), &[])
    }))
    .await
    .into_iter()
    .map(result_of)
    .collect()
}

#[tokio::test]
async fn a_403_after_a_429_on_another_replica_is_reported_as_a_block() {
    let sim = simulator().await;
    let redis = RedisServer::start().await;
    let env = Isolated::new();
    let servers = replicas(&sim, &env, Some(&redis), 2, &[]).await;
    let fault = |status: u16| Fault {
        method: Some("GET".into()),
        path_contains: Some(format!("/api/v4/leads/{LEAD}")),
        status: Some(status),
        retry_after: Some(1),
        ..Fault::default()
    };
    sim.state().push_fault(fault(429));
    let first = servers[0]
        .bare_call("get_lead", json!({"lead_id": LEAD}), &[])
        .await;
    assert!(!is_error(&result_of(first)), "retried after the 429");
    sim.state().push_fault(fault(403));
    let second = result_of(
        servers[1]
            .bare_call("get_lead", json!({"lead_id": LEAD}), &[])
            .await,
    );
    assert!(is_error(&second));
    let text = crate::support::all_text(&second);
    assert!(
        text.contains("Kommo is refusing requests from this server (too many requests)"),
        "{text}"
    );
    stop_all(servers).await;
}

#[tokio::test]
async fn the_shared_dedupe_scripts_hold_a_pending_claim_then_the_id() {
    use kommo_mcp::testing::{RedisLink, RedisUrl, SharedDedupe, SharedTurn};
    let redis = RedisServer::start().await;
    let url = || RedisUrl::parse(&redis.url()).unwrap();
    let (one, two) = (
        RedisLink::new(url(), "t:".to_owned()),
        RedisLink::new(url(), "t:".to_owned()),
    );
    let scripts = SharedDedupe::default();
    let window = Duration::from_millis(300);
    let key = "t:dedupe:abc";
    let turn = |link, marker| scripts.claim(link, key, marker, window);
    assert_eq!(turn(&one, "p:a").await.unwrap(), SharedTurn::Claimed);
    assert!(matches!(
        turn(&two, "p:b").await.unwrap(),
        SharedTurn::Pending(left) if left <= window
    ));
    // Only the holder's forget counts.
    scripts.forget(&two, key, "p:b").await.unwrap();
    assert!(matches!(
        turn(&two, "p:b").await.unwrap(),
        SharedTurn::Pending(_)
    ));
    scripts.confirm(&one, key, "p:a", 42, window).await.unwrap();
    assert_eq!(turn(&two, "p:b").await.unwrap(), SharedTurn::Confirmed(42));
    // It expires with the window.
    tokio::time::sleep(window + Duration::from_millis(100)).await;
    assert_eq!(turn(&two, "p:b").await.unwrap(), SharedTurn::Claimed);
    scripts.forget(&two, key, "p:b").await.unwrap();
    assert_eq!(turn(&one, "p:a").await.unwrap(), SharedTurn::Claimed);
}

/// `count` replicas with one client key of `rate_limit` requests a minute, sharing `redis`.
async fn keyed_replicas(
    sim: &Simulator,
    env: &Isolated,
    redis: Option<&RedisServer>,
    count: usize,
) -> Vec<HttpServer> {
    env.write_default_config(&format!(
        "[clients.platform]\nkey_sha256 = \"{}\"\naccounts = [\"*\"]\nrate_limit = 4\n",
        kommo_mcp::testing::sha256_hex(CLIENT_KEY)
    ));
    replicas(sim, env, redis, count, &[]).await
}

const CLIENT_KEY: &str = "kmcp_shared-budget-key-never-print-me";

/// The statuses of `n` bare `tools/list` requests sent in turn to each replica.
async fn statuses(servers: &[HttpServer], n: usize) -> Vec<u16> {
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let mut statuses = Vec::new();
    for i in 0..n {
        let response = servers[i % servers.len()]
            .bare_post(&list, &[("x-api-key", CLIENT_KEY)])
            .await;
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
        }
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn two_replicas_on_one_redis_share_a_clients_per_minute_budget() {
    let sim = simulator().await;
    let mut redis = RedisServer::start().await;
    let env = Isolated::new();
    let servers = keyed_replicas(&sim, &env, Some(&redis), 2).await;
    let shared = statuses(&servers, 8).await;
    assert_eq!(
        shared.iter().filter(|s| **s == 200).count(),
        4,
        "the two replicas together admit the client's 4 a minute: {shared:?}"
    );
    assert_eq!(&shared[..4], &[200; 4]);

    // Redis gone: each replica counts on its own again (answers, never errors).
    redis.kill().await;
    for server in &servers {
        server
            .wait_health("Redis seen down", |h| h["redis"] == "down")
            .await;
    }
    // Each had admitted 2 of its own 4, so about 2 more each (one more per 15 s refills).
    let alone = statuses(&servers, 12).await;
    let admitted = alone.iter().filter(|s| **s == 200).count();
    assert!((4..=6).contains(&admitted), "{alone:?}");
    assert!(alone.iter().all(|s| *s == 200 || *s == 429), "{alone:?}");
    stop_all(servers).await;
}

#[tokio::test]
async fn without_redis_each_replica_counts_a_clients_budget_alone() {
    // The control for the test above.
    let sim = simulator().await;
    let env = Isolated::new();
    let servers = keyed_replicas(&sim, &env, None, 2).await;
    let alone = statuses(&servers, 10).await;
    assert_eq!(alone.iter().filter(|s| **s == 200).count(), 8, "{alone:?}");
    stop_all(servers).await;
}
