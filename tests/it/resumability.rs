//! Resumable streams on `/mcp` (issue 24, item 4): every event of a session's streams has
//! an id naming its stream, a 2025-11-25 stream starts with a priming event with `retry`,
//! and a `GET` with `Last-Event-ID` replays what followed on that stream from a bounded
//! per-session buffer, including the answer of a call whose client dropped the stream
//! mid-call; another caller's id finds nothing (404), an id the session cannot replay is
//! 400.

use std::time::Duration;

use kommo_sim::{Fault, Simulator};
use reqwest::Response;
use serde_json::{Value, json};

use crate::support::{http::TIMEOUT, *};

/// One SSE event as a client sees it.
#[derive(Debug, Default, Clone)]
struct Event {
    id: Option<String>,
    retry: Option<u64>,
    data: String,
}

impl Event {
    fn message(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

/// The events in an event-stream text (comments and blank keep-alives skipped).
fn events(text: &str) -> Vec<Event> {
    text.split("\n\n")
        .filter_map(|block| {
            let mut event = Event::default();
            let mut fields = 0;
            for line in block.lines() {
                let Some((name, value)) = line.split_once(':') else {
                    continue;
                };
                let value = value.strip_prefix(' ').unwrap_or(value);
                match name {
                    "id" => event.id = Some(value.to_owned()),
                    "retry" => event.retry = Some(value.parse().expect("a retry in ms")),
                    "data" => event.data.push_str(value),
                    _ => continue,
                }
                fields += 1;
            }
            (fields > 0).then_some(event)
        })
        .collect()
}

/// `<stream>-<seq>` as numbers.
fn place(id: &str) -> (u64, u64) {
    let (stream, seq) = id.split_once('-').expect("an id <stream>-<seq>");
    (stream.parse().unwrap(), seq.parse().unwrap())
}

async fn all_events(response: Response) -> Vec<Event> {
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let text = tokio::time::timeout(TIMEOUT, response.text())
        .await
        .expect("the stream ends")
        .expect("a body");
    events(&text)
}

/// Reads `response` until its first event has arrived and returns it; the rest is left.
async fn first_event(response: &mut Response) -> Event {
    let mut text = String::new();
    loop {
        if let Some(end) = text.find("\n\n") {
            return events(&text[..end]).into_iter().next().expect("an event");
        }
        let chunk = tokio::time::timeout(TIMEOUT, response.chunk())
            .await
            .expect("an event in time")
            .expect("readable")
            .expect("a chunk before the end");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

/// A `GET /mcp` of `client`'s session resuming after `last_event_id`.
async fn resume(client: &McpClient<'_>, last_event_id: &str) -> Response {
    let mut headers = client.headers();
    headers.remove("content-type");
    headers.insert("accept", "text/event-stream".parse().unwrap());
    client
        .server
        .http
        .get(client.server.url("/mcp"))
        .headers(headers)
        .header("last-event-id", last_event_id)
        .send()
        .await
        .expect("GET /mcp")
}

fn get_lead(id: i64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "get_lead", "arguments": {"lead_id": LEAD}}})
}

/// Kommo answers reads of the lead after `delay_ms`.
fn slow_lead_reads(sim: &Simulator, delay_ms: u64) {
    sim.state().push_fault(Fault {
        method: Some("GET".to_owned()),
        path_contains: Some(format!("/leads/{LEAD}")),
        delay_ms,
        ..Fault::default()
    });
}

async fn server(sim: &Simulator, env: &Isolated, extra: &[&str]) -> HttpServer {
    let mut command = http_command(env.command(), extra);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

#[tokio::test]
async fn events_have_increasing_ids_per_stream_and_a_priming_event_with_retry() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server(&sim, &env, &[]).await;
    let client = McpClient::initialize(&server).await;
    let mut streams = Vec::new();
    for (id, request) in [
        (1, get_lead(1)),
        (
            2,
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        ),
        (3, get_lead(3)),
    ] {
        let events = all_events(client.post(&request, &[]).await).await;
        let priming = &events[0];
        assert!(priming.data.is_empty(), "{priming:?}");
        assert_eq!(priming.retry, Some(3_000), "{priming:?}");
        let (stream, seq) = place(priming.id.as_deref().expect("the priming event has an id"));
        assert_eq!(seq, 0);
        let answer = events.last().unwrap();
        assert_eq!(answer.message()["id"], id, "{events:?}");
        let mut last = 0;
        for event in &events[1..] {
            let (its_stream, seq) = place(event.id.as_deref().expect("every event has an id"));
            assert_eq!(its_stream, stream, "one stream per answer");
            assert!(seq > last, "ids increase: {events:?}");
            last = seq;
        }
        streams.push(stream);
    }
    assert!(
        streams.windows(2).all(|pair| pair[0] < pair[1]),
        "each answer is a new stream: {streams:?}"
    );

    // The standalone stream is primed too (stream 0), and stays open.
    let mut headers = client.headers();
    headers.insert("accept", "text/event-stream".parse().unwrap());
    let mut standalone = server
        .http
        .get(server.url("/mcp"))
        .headers(headers)
        .send()
        .await
        .unwrap();
    assert_eq!(standalone.status(), 200);
    let priming = first_event(&mut standalone).await;
    assert_eq!(
        (priming.id.as_deref(), priming.retry, priming.data.as_str()),
        (Some("0-0"), Some(3_000), "")
    );
}

#[tokio::test]
async fn an_answer_on_a_dropped_stream_is_replayed_exactly_once() {
    let (sim, env) = (simulator().await, Isolated::new());
    slow_lead_reads(&sim, 1_500);
    let server = server(&sim, &env, &[]).await;
    let client = McpClient::initialize(&server).await;

    let mut call = client.post(&get_lead(7), &[]).await;
    assert_eq!(call.status(), 200);
    let priming = first_event(&mut call).await;
    let priming_id = priming.id.expect("a priming id");
    drop(call); // the client's connection drops mid-call

    // Resumed while the call still runs: the stream follows it to its answer, then ends.
    let resumed = all_events(resume(&client, &priming_id).await).await;
    let answers: Vec<Value> = resumed.iter().map(Event::message).collect();
    assert_eq!(answers.len(), 1, "{resumed:?}");
    assert_eq!(answers[0]["id"], 7);
    assert_eq!(
        answers[0]["result"]["structuredContent"]["id"], LEAD,
        "{answers:?}"
    );
    let answer_id = resumed[0].id.clone().expect("an id");
    assert_eq!(place(&answer_id).0, place(&priming_id).0, "the same stream");

    // Resumed again later: after the priming event it is the answer again, after the
    // answer nothing; the stream ends either way.
    let again = all_events(resume(&client, &priming_id).await).await;
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0].message(), answers[0]);
    assert!(
        all_events(resume(&client, &answer_id).await)
            .await
            .is_empty()
    );
    assert_eq!(
        sim.state()
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.contains(&format!("/leads/{LEAD}")))
            .count(),
        1,
        "the call ran once"
    );
}

#[tokio::test]
async fn a_call_finishes_after_its_stream_is_dropped_and_waits_in_the_buffer() {
    let (sim, env) = (simulator().await, Isolated::new());
    slow_lead_reads(&sim, 800);
    let server = server(&sim, &env, &[]).await;
    let client = McpClient::initialize(&server).await;
    let mut call = client.post(&get_lead(9), &[]).await;
    let priming_id = first_event(&mut call).await.id.expect("a priming id");
    drop(call);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let resumed = all_events(resume(&client, &priming_id).await).await;
    assert_eq!(resumed.len(), 1, "{resumed:?}");
    assert_eq!(resumed[0].message()["id"], 9);
    assert_ne!(resumed[0].message()["result"]["isError"], true);
}

#[tokio::test]
async fn ids_the_session_cannot_replay_are_refused_and_the_buffer_stays_bounded() {
    let (sim, env) = (simulator().await, Isolated::new());
    let server = server(&sim, &env, &["--replay-events-per-session", "3"]).await;
    let mut client = McpClient::initialize(&server).await;
    let mut primings = Vec::new();
    for id in 1..=10 {
        let events = all_events(client.post(&get_lead(id), &[]).await).await;
        primings.push(events[0].id.clone().expect("a priming id"));
    }
    // Only the last three answers are held.
    for (n, priming) in primings.iter().enumerate() {
        let response = resume(&client, priming).await;
        if n < 7 {
            assert_eq!(response.status(), 400, "answer {n} was evicted");
        } else {
            let replayed = all_events(response).await;
            assert_eq!(replayed.len(), 1);
            assert_eq!(replayed[0].message()["id"], n + 1);
        }
    }
    for unknown in ["99-0", "nonsense", "0-5", ""] {
        assert_eq!(resume(&client, unknown).await.status(), 400, "{unknown:?}");
    }
    // The session is unharmed.
    assert_eq!(client.tool_names(&[]).await.len(), all_tools().len());
}

#[tokio::test]
async fn the_byte_cap_holds_too() {
    let (sim, env) = (simulator().await, Isolated::new());
    // A lead's answer is a few kB: a 20 kB cap holds only the latest few.
    let server = server(&sim, &env, &["--replay-bytes-per-session", "20000"]).await;
    let client = McpClient::initialize(&server).await;
    let mut primings = Vec::new();
    for id in 1..=30 {
        let events = all_events(client.post(&get_lead(id), &[]).await).await;
        let size = events.last().unwrap().data.len();
        assert!(
            size < 10_000,
            "the test needs answers under half the cap ({size} bytes)"
        );
        primings.push(events[0].id.clone().expect("a priming id"));
    }
    let held = {
        let mut held = 0;
        for priming in &primings {
            if resume(&client, priming).await.status() == 200 {
                held += 1;
            }
        }
        held
    };
    assert!((2..20).contains(&held), "{held} of 30 answers held");
    assert_eq!(resume(&client, &primings[29]).await.status(), 200);
    assert_eq!(resume(&client, &primings[0]).await.status(), 400);
}

#[tokio::test]
async fn another_callers_last_event_id_finds_no_session() {
    let (sim, env) = (simulator().await, Isolated::new());
    let hash = kommo_mcp::testing::sha256_hex;
    const ALICE: &str = "kmcp_alice-resume-key-never-print-me";
    const BOB: &str = "kmcp_bob-resume-key-never-print-me";
    env.write_default_config(&format!(
        "[clients.alice]\nkey_sha256 = \"{}\"\naccounts = [\"*\"]\n\n\
         [clients.bob]\nkey_sha256 = \"{}\"\naccounts = [\"*\"]\n",
        hash(ALICE),
        hash(BOB),
    ));
    let server = server(&sim, &env, &[]).await;
    let alice_auth = format!("Bearer {ALICE}");
    let bob_auth = format!("Bearer {BOB}");
    let alice = McpClient::initialize_with(&server, &[("authorization", &alice_auth)]).await;
    let events = all_events(alice.post(&get_lead(1), &[]).await).await;
    let priming = events[0].id.clone().expect("a priming id");

    // Bob, with Alice's session id and event id: exactly as an unknown session.
    let mut bob = McpClient::new(&server);
    bob.session = alice.session.clone();
    let as_bob = |last: &str| {
        let mut headers = bob.headers();
        headers.remove("content-type");
        headers.insert("accept", "text/event-stream".parse().unwrap());
        headers.insert("authorization", bob_auth.parse().unwrap());
        server
            .http
            .get(server.url("/mcp"))
            .headers(headers)
            .header("last-event-id", last.to_owned())
            .send()
    };
    let stolen = as_bob(&priming).await.unwrap();
    assert_eq!(stolen.status(), 404);
    let mut nobody = bob.headers();
    nobody.insert("mcp-session-id", "no-such-session".parse().unwrap());
    let unknown = server
        .http
        .get(server.url("/mcp"))
        .headers(nobody)
        .header("accept", "text/event-stream")
        .header("authorization", bob_auth.clone())
        .header("last-event-id", priming.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        (stolen.text().await.unwrap(), unknown.status().as_u16()),
        (unknown.text().await.unwrap(), 404)
    );
    // Alice still gets her answer.
    let replayed = all_events(resume(&alice, &priming).await).await;
    assert_eq!(replayed[0].message()["id"], 1);
}

#[tokio::test]
async fn a_call_whose_stream_was_dropped_still_counts_until_it_ends() {
    let (sim, env) = (simulator().await, Isolated::new());
    slow_lead_reads(&sim, 1_500);
    let server = server(&sim, &env, &["--max-calls-per-caller", "1"]).await;
    let client = McpClient::initialize(&server).await;
    let mut call = client.post(&get_lead(1), &[]).await;
    let priming_id = first_event(&mut call).await.id.expect("a priming id");
    drop(call);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    assert_eq!(
        client.post(&list, &[]).await.status(),
        429,
        "the running call holds the caller's only call slot"
    );
    let resumed = all_events(resume(&client, &priming_id).await).await;
    assert_eq!(resumed[0].message()["id"], 1);
    // Once the call has ended its slot is back.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while client.post(&list, &[]).await.status() != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "the slot never came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
