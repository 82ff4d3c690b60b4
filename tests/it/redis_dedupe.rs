//! The note, task and lead-creation dedupe memory shared by replicas on one real Redis: a repeat on
//! another replica is answered with the first write's id, concurrent twins on two replicas
//! make one POST, a failed write is not remembered, the keys (under --redis-prefix) hold a
//! hash and an id and expire with the window, and with Redis down each replica's own memory
//! still dedupes.

use futures::future::join_all;
use kommo_sim::{Fault, Simulator};
use serde_json::{Value, json};

use crate::support::{
    HttpServer, Isolated, LEAD, TOKEN, account_args, first_text, http_command, is_error,
    kommo::requests_to,
    redis::{REDIS_PASSWORD, RedisServer},
    simulator,
};

const NOTE: &str = "Customer wants a call at 5pm — shared-dedupe-note";
const PREFIX: &str = "dd-test:";

/// `count` replicas on the demo account sharing `redis_url`, keys under [`PREFIX`].
async fn replicas(
    sim: &Simulator,
    env: &Isolated,
    redis_url: &str,
    count: usize,
    extra: &[&str],
) -> Vec<HttpServer> {
    let mut servers = Vec::new();
    for _ in 0..count {
        let mut command = http_command(env.command(), extra);
        command
            .args(account_args(sim))
            .args(["--redis-prefix", PREFIX])
            .env("KOMMO_MCP_REDIS_URL", redis_url);
        servers.push(HttpServer::start(command).await);
    }
    servers
}

/// The tool result of a bare JSON call.
async fn call(server: &HttpServer, tool: &str, arguments: Value) -> Value {
    let answer = server.bare_call(tool, arguments, &[]).await;
    assert!(answer.get("error").is_none(), "protocol error: {answer}");
    answer["result"].clone()
}

fn note_posts(sim: &Simulator) -> usize {
    requests_to(sim, "POST", &format!("/api/v4/leads/{LEAD}/notes")).len()
}

/// The dedupe keys in Redis with their values and remaining lifetimes (ms).
async fn dedupe_keys(redis: &RedisServer) -> Vec<(String, String, i64)> {
    let client = redis::Client::open(redis.url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{PREFIX}dedupe:*"))
        .query_async(&mut connection)
        .await
        .unwrap();
    let mut found = Vec::new();
    for key in keys {
        let value: String = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .unwrap();
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .unwrap();
        found.push((key, value, ttl));
    }
    found
}

async fn stop_all(servers: Vec<HttpServer>) {
    for server in servers {
        let (status, stderr) = server.stop().await;
        assert!(status.success(), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!stderr.contains(TOKEN));
        assert!(!stderr.contains(REDIS_PASSWORD));
        assert!(!stderr.contains(NOTE), "the note's text was logged");
    }
}

#[tokio::test]
async fn a_note_and_a_task_repeated_on_another_replica_are_written_once() {
    let sim = simulator().await;
    let redis = RedisServer::start().await;
    let env = Isolated::new();
    let servers = replicas(&sim, &env, &redis.url(), 2, &["--note-dedupe", "30"]).await;
    let note = json!({"lead_id": LEAD, "note": NOTE});
    let first = call(&servers[0], "add_note", note.clone()).await;
    let second = call(&servers[1], "add_note", note).await;
    assert_eq!(first_text(&second), "Note added succesfully.", "{second}");
    assert_eq!(
        second["structuredContent"]["deduplicated"], true,
        "{second}"
    );
    assert_eq!(
        first["structuredContent"]["note_id"],
        second["structuredContent"]["note_id"]
    );
    assert_eq!(note_posts(&sim), 1);

    let task = json!({"lead_id": LEAD, "text": "Call back — shared", "due": 2_000_000_000});
    let first_task = call(&servers[1], "create_task", task.clone()).await;
    let second_task = call(&servers[0], "create_task", task).await;
    assert_eq!(
        second_task["structuredContent"]["deduplicated"], true,
        "{second_task}"
    );
    assert_eq!(
        first_task["structuredContent"]["task_id"],
        second_task["structuredContent"]["task_id"]
    );
    assert_eq!(requests_to(&sim, "POST", "/api/v4/tasks").len(), 1);

    // Two keys under the prefix: a SHA-256 name, the id as value, expiring with the 30 s window.
    let keys = dedupe_keys(&redis).await;
    assert_eq!(keys.len(), 2, "{keys:?}");
    let ids = [
        first["structuredContent"]["note_id"].to_string(),
        first_task["structuredContent"]["task_id"].to_string(),
    ];
    for (key, value, ttl) in &keys {
        let name = key.strip_prefix(&format!("{PREFIX}dedupe:")).unwrap();
        assert!(
            name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()),
            "{key}"
        );
        assert!(ids.contains(value), "{value} is not one of {ids:?}");
        assert!((1..=30_000).contains(ttl), "{key} expires in {ttl} ms");
    }
    stop_all(servers).await;
}

#[tokio::test]
async fn concurrent_identical_calls_on_two_replicas_make_one_post() {
    let sim = simulator().await;
    let redis = RedisServer::start().await;
    let env = Isolated::new();
    let servers = replicas(&sim, &env, &redis.url(), 2, &[]).await;
    // A slow Kommo, so the twins overlap while the first POST is in flight.
    sim.state().push_fault(Fault {
        method: Some("POST".into()),
        path_contains: Some("/notes".into()),
        delay_ms: 700,
        ..Fault::default()
    });
    let note = json!({"lead_id": LEAD, "note": NOTE});
    let results = join_all((0..4).map(|i| call(&servers[i % 2], "add_note", note.clone()))).await;
    for result in &results {
        assert_eq!(first_text(result), "Note added succesfully.", "{result}");
    }
    assert_eq!(note_posts(&sim), 1, "{results:?}");
    let ids: Vec<&Value> = results
        .iter()
        .map(|r| &r["structuredContent"]["note_id"])
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let fresh = results
        .iter()
        .filter(|r| r["structuredContent"]["deduplicated"] != true)
        .count();
    assert_eq!(
        fresh, 1,
        "one call wrote, the others were answered as duplicates"
    );
    stop_all(servers).await;
}

#[tokio::test]
async fn a_failed_write_is_not_remembered_on_any_replica() {
    let sim = simulator().await;
    let redis = RedisServer::start().await;
    let env = Isolated::new();
    let servers = replicas(&sim, &env, &redis.url(), 2, &[]).await;
    sim.state().push_fault(Fault {
        method: Some("POST".into()),
        path_contains: Some("/api/v4/tasks".into()),
        status: Some(400),
        ..Fault::default()
    });
    let task = json!({"lead_id": LEAD, "text": "Retry on B", "due": 2_000_000_000});
    let failed = call(&servers[0], "create_task", task.clone()).await;
    assert!(is_error(&failed), "{failed}");
    assert!(
        dedupe_keys(&redis).await.is_empty(),
        "the failure left a key"
    );
    let again = call(&servers[1], "create_task", task).await;
    assert_eq!(first_text(&again), "Task created successfully.", "{again}");
    assert_eq!(again["structuredContent"]["deduplicated"], false);
    assert_eq!(requests_to(&sim, "POST", "/api/v4/tasks").len(), 2);
    stop_all(servers).await;
}

#[tokio::test]
async fn with_redis_down_each_replica_still_dedupes_in_its_own_memory() {
    let sim = simulator().await;
    let mut redis = RedisServer::start().await;
    let url = redis.url();
    redis.kill().await;
    let env = Isolated::new();
    let servers = replicas(&sim, &env, &url, 1, &[]).await;
    let note = json!({"lead_id": LEAD, "note": NOTE});
    let first = call(&servers[0], "add_note", note.clone()).await;
    let second = call(&servers[0], "add_note", note).await;
    assert_eq!(first_text(&first), "Note added succesfully.", "{first}");
    assert_eq!(
        second["structuredContent"]["deduplicated"], true,
        "{second}"
    );
    assert_eq!(note_posts(&sim), 1);
    assert_eq!(servers[0].health().await["redis"], "down");
    stop_all(servers).await;
}

#[tokio::test]
async fn create_lead_repeated_on_another_replica_creates_one_lead() {
    let sim = simulator().await;
    let redis = RedisServer::start().await;
    let env = Isolated::new();
    let servers = replicas(&sim, &env, &redis.url(), 2, &[]).await;
    let args = json!({"name": "Shared create", "contact_name": "Sol", "phone": "+54 9 11 3030-4040", "company_name": "Sol SA"});
    let first = call(&servers[0], "create_lead", args.clone()).await;
    let second = call(&servers[1], "create_lead", args).await;
    assert_eq!(
        first_text(&second),
        "Lead successfully created.",
        "{second}"
    );
    assert_eq!(
        second["structuredContent"]["deduplicated"], true,
        "{second}"
    );
    assert_eq!(
        first["structuredContent"]["lead_id"],
        second["structuredContent"]["lead_id"]
    );
    assert_eq!(
        first["structuredContent"]["contact_id"],
        second["structuredContent"]["contact_id"]
    );
    assert_eq!(
        first["structuredContent"]["company_id"],
        second["structuredContent"]["company_id"]
    );
    assert!(second["structuredContent"]["company_id"].is_i64());
    assert_eq!(requests_to(&sim, "POST", "/api/v4/leads/complex").len(), 1);
    stop_all(servers).await;
}
