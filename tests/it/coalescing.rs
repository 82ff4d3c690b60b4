//! Coalescing proven by comparison: the same seeded workload of writes and reads (moves,
//! tags, budgets, pauses, notes, tasks; existing and missing leads, invalid statuses,
//! injected 429s and 503s, and whole-batch 400s and 500s on notes and tasks) runs once call
//! after call with coalescing off and once all at once with coalescing on, against Kommo's
//! rate limit; every answer, every lead's final state with its notes and tasks, and the
//! audit of the calls agree, Kommo's batch forms were used, and no second held more than 7
//! requests.

use kommo_sim::{Fault, FaultBody, RecordedRequest, Simulator, SimulatorOptions};
use serde_json::{Value, json};

use crate::support::*;

const EXISTING: [i64; 5] = [9001, 9002, 9003, 9004, 9005];
const MISSING: [i64; 3] = [9999, 9998, 9997];
const ROUNDS: usize = 8;
/// Rounds of notes only, so that they are batched (the later ones meet injected refusals).
const NOTE_ROUNDS: [usize; 2] = [1, 3];
/// Rounds of tasks only, likewise.
const TASK_ROUNDS: [usize; 2] = [2, 4];
/// Rounds that end with the injected faults cleared.
const FAULT_ROUNDS: [usize; 3] = [3, 4, 6];

/// A small deterministic generator (xorshift), so that a failure can be replayed by seed.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }
}

fn note(lead: i64, round: usize, which: usize) -> (&'static str, Value) {
    (
        "add_note",
        json!({"lead_id": lead, "note": format!("round {round} note {which}")}),
    )
}

fn task(lead: i64, round: usize, which: usize) -> (&'static str, Value) {
    (
        "create_task",
        json!({"lead_id": lead, "text": format!("round {round} task {which}"), "due": 1_900_000_000}),
    )
}

/// One call per lead per round, so that the order within a round cannot matter; in the
/// rounds of notes or tasks two per lead (their order does not matter: the texts are compared
/// sorted), so that the round needs more than a second of Kommo's budget and its writes wait
/// for it together, whatever the machine's load.
fn workload(seed: u64) -> Vec<Vec<(&'static str, Value)>> {
    let mut random = Seeded(seed);
    let leads = || EXISTING.iter().chain(MISSING.iter()).copied();
    (0..ROUNDS)
        .map(|round| {
            if NOTE_ROUNDS.contains(&round) {
                return (1..=2).flat_map(|which| leads().map(move |lead| note(lead, round, which))).collect();
            }
            if TASK_ROUNDS.contains(&round) {
                return (1..=2).flat_map(|which| leads().map(move |lead| task(lead, round, which))).collect();
            }
            leads()
                .map(|lead| {
                    let status = [2001, 2002, 2003, 2004, 4242][random.next(5)];
                    match random.next(9) {
                        0 | 1 => (
                            "move_lead",
                            json!({"lead_id": lead, "pipeline_id": 1001, "status_id": status}),
                        ),
                        2 => (
                            "add_budget",
                            json!({"lead_id": lead, "budget_field_value": 100 * round + random.next(50)}),
                        ),
                        3 => ("pause_agent", json!({"lead_id": lead})),
                        4 => ("resume_agent", json!({"lead_id": lead})),
                        5 => ("add_tag", json!({"lead_id": lead, "tag_id": 2})),
                        6 => note(lead, round, 0),
                        7 => task(lead, round, 0),
                        _ => ("get_lead", json!({"lead_id": lead})),
                    }
                })
                .collect()
        })
        .collect()
}

fn faults(sim: &Simulator) {
    for (method, status) in [("GET", 429), ("PATCH", 503), ("GET", 503)] {
        sim.state().push_fault(Fault {
            method: Some(method.into()),
            path_contains: Some("/api/v4/leads".into()),
            status: Some(status),
            retry_after: Some(1),
            ..Fault::default()
        });
    }
}

/// Whole-batch refusals for the notes or tasks of one round, for every request of that
/// round (so that a lone call and a batch meet the same answer): Kommo's 400 naming no
/// element, a 400 naming element "0", or a 500.
fn round_faults(sim: &Simulator, round: usize) {
    let refusal = |path: &str, status: u16, body: FaultBody| Fault {
        method: Some("POST".into()),
        path_contains: Some(path.into()),
        status: Some(status),
        body,
        times: 1000,
        ..Fault::default()
    };
    let names_the_first = FaultBody::Json(json!({
        "validation-errors": [{"request_id": "0", "errors": [{"code": "NotSupportedChoice", "path": "text", "detail": "The value you selected is not a valid choice."}]}],
        "title": "Bad Request", "type": "https://httpstatus.es/400", "status": 400, "detail": "Request validation failed",
    }));
    match round {
        3 => sim
            .state()
            .push_fault(refusal("notes", 400, FaultBody::Problem)),
        4 => sim
            .state()
            .push_fault(refusal("/api/v4/tasks", 500, FaultBody::Problem)),
        6 => {
            sim.state()
                .push_fault(refusal("notes", 500, FaultBody::Problem));
            sim.state()
                .push_fault(refusal("/api/v4/tasks", 400, names_the_first));
        }
        _ => {}
    }
}

/// A lead's state without the moments it was made and changed, nor the simulator's
/// address; with the texts of its notes and tasks (their ids and order follow arrival).
fn state(sim: &Simulator, lead: i64) -> Value {
    let mut state = sim.state().lead(SUBDOMAIN, lead).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut state {
        for key in ["created_at", "updated_at", "closed_at", "_links"] {
            map.remove(key);
        }
    }
    let sorted = |mut texts: Vec<Value>| {
        texts.sort_by_key(Value::to_string);
        texts
    };
    let notes = sorted(
        sim.state()
            .notes(SUBDOMAIN, lead)
            .iter()
            .map(|note| note["params"]["text"].clone())
            .collect(),
    );
    let tasks = sorted(
        sim.state()
            .tasks(SUBDOMAIN)
            .iter()
            .filter(|task| task["entity_id"] == json!(lead))
            // (The seeded tasks are due some time after the seeding: not compared.)
            .map(|task| json!([task["text"], task["task_type_id"]]))
            .collect(),
    );
    json!({"lead": state, "notes": notes, "tasks": tasks})
}

/// The audit lines without their times, durations, Kommo's request numbers and the ids of
/// created notes and tasks (given in arrival order, which concurrency changes), sorted.
fn audit(env: &Isolated) -> Vec<Value> {
    let text = std::fs::read_to_string(env.home.path().join("audit.jsonl")).unwrap_or_default();
    let mut lines: Vec<Value> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .map(|mut line| {
            if let Value::Object(map) = &mut line {
                // Which request it was differs between the runs; that the line names one must not.
                let named = map.get("kommo_request_id").is_some_and(|id| !id.is_null());
                // A created task's id, like a note's, follows arrival order.
                if let Some(Value::Object(task)) =
                    map.get_mut("after").and_then(|a| a.get_mut("task"))
                {
                    task.remove("task_id");
                }
                map.insert("names_a_kommo_request".to_owned(), Value::Bool(named));
                map.retain(|key, _| {
                    !matches!(
                        key.as_str(),
                        "ts" | "time"
                            | "at"
                            | "elapsed_ms"
                            | "duration_ms"
                            | "request_id"
                            | "kommo_request_id"
                            | "created_id"
                            | "session"
                            | "trace_id"
                    )
                });
            }
            line
        })
        .collect();
    lines.sort_by_key(|line| line.to_string());
    lines
}

async fn run(seed: u64, coalesce: bool) -> (Vec<Value>, Vec<Value>, Vec<Value>, Simulator) {
    let sim = simulator_with(SimulatorOptions::default()).await;
    faults(&sim);
    let env = Isolated::new();
    let mut command = env.command();
    let audit_path = env.home.path().join("audit.jsonl");
    command
        .args(account_args(&sim))
        .arg(if coalesce {
            "--coalesce=true"
        } else {
            "--coalesce=false"
        })
        .arg("--audit-log")
        .arg(&audit_path);
    let mut client = StdioClient::start(command).await;
    let mut answers = Vec::new();
    for (index, round) in workload(seed).into_iter().enumerate() {
        round_faults(&sim, index);
        if coalesce {
            answers.extend(client.call_concurrently(&round).await);
        } else {
            for (tool, arguments) in &round {
                answers.push(client.call(tool, arguments.clone()).await);
            }
        }
        if FAULT_ROUNDS.contains(&index) {
            sim.state().clear_faults();
        }
    }
    assert!(client.finish().await.status.success());
    let leads = EXISTING.iter().map(|&lead| state(&sim, lead)).collect();
    let answers = answers
        .iter()
        .map(|answer| {
            // The lead's creation and update moments differ between the two runs.
            let text: Vec<&str> = first_text(answer)
                .lines()
                .filter(|line| !line.starts_with("Created "))
                .collect();
            json!({"error": is_error(answer), "text": text.join("\n")})
        })
        .collect();
    (answers, leads, audit(&env), sim)
}

#[tokio::test]
async fn a_coalesced_concurrent_run_answers_exactly_like_one_call_after_another() {
    compare(0x5eed_0001).await;
}

#[tokio::test]
async fn a_coalesced_concurrent_run_answers_exactly_like_one_call_after_another_second_seed() {
    compare(0x0bad_cafe).await;
}

/// One seed's workload, call after call and then all at once: everything agrees.
async fn compare(seed: u64) {
    let (alone, alone_leads, alone_audit, _) = run(seed, false).await;
    let (together, together_leads, together_audit, sim) = run(seed, true).await;
    assert_eq!(alone, together, "seed {seed:#x}: answers differ");
    assert_eq!(alone_leads, together_leads, "seed {seed:#x}: leads differ");
    let only_in = |a: &[Value], b: &[Value]| -> Vec<Value> {
        a.iter().filter(|line| !b.contains(line)).cloned().collect()
    };
    assert_eq!(
        alone_audit,
        together_audit,
        "seed {seed:#x}: audit differs; only alone: {:?}; only together: {:?}",
        only_in(&alone_audit, &together_audit),
        only_in(&together_audit, &alone_audit)
    );
    assert!(
        alone.iter().any(|a| a["error"] == true) && alone.iter().any(|a| a["error"] == false),
        "the workload has both successes and failures"
    );
    let requests = sim.state().requests();
    let batched = requests
        .iter()
        .filter(|r| {
            r.path == "/api/v4/leads"
                && (r.method == "PATCH"
                    || r.query
                        .as_deref()
                        .is_some_and(|q| q.contains("filter%5Bid%5D")))
        })
        .count();
    assert!(batched > 0, "seed {seed:#x}: no batch request was sent");
    for path in ["/api/v4/leads/notes", "/api/v4/tasks"] {
        let batches = requests
            .iter()
            .filter(|r| r.method == "POST" && r.path == path && r.status == 200)
            .filter(|r| items_sent(r) > 1)
            .count();
        assert!(batches > 0, "seed {seed:#x}: no batch of {path} was stored");
    }
    for status in [400, 500] {
        let whole_batch = requests
            .iter()
            .any(|r| r.method == "POST" && r.status == status && items_sent(r) > 1);
        let posts: Vec<(u16, &str, usize)> = requests
            .iter()
            .filter(|r| r.method == "POST")
            .map(|r| (r.status, r.path.as_str(), items_sent(r)))
            .collect();
        assert!(
            whole_batch,
            "seed {seed:#x}: no batch was refused with {status}: {posts:?}"
        );
    }
    // Only the injected 429 (one per run): the limiter itself never tripped Kommo's.
    assert!(sim.state().count_429() <= 1, "Kommo answered 429");
    let busiest = sim.state().max_requests_in_any_second(SUBDOMAIN);
    assert!(busiest <= 7, "{busiest} requests within one second");
}

/// How many items a request's JSON array body carried (0 for no body or an object): more
/// than one is a coalesced batch.
fn items_sent(request: &RecordedRequest) -> usize {
    request
        .body
        .as_ref()
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}
