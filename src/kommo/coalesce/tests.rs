//! Coalesced calls against the simulator answer exactly as the same calls sent alone:
//! valid, refused (invalid status, negative price) and missing leads in one batch.

use std::{sync::Arc, time::Duration};

use kommo_sim::{Simulator, SimulatorOptions};
use serde_json::{Value, json};

use crate::config::{BaseUrl, Subdomain};
use crate::kommo::{Account, ClientSettings, KommoClient};
use crate::secret::Secret;

async fn client_and_sim(coalesce: Option<usize>) -> (KommoClient, Account, Simulator) {
    let sim = Simulator::start(SimulatorOptions::default()).await.unwrap();
    sim.state().add_demo_account("acme", "tok");
    let base = BaseUrl::parse(&sim.base_url_template()).unwrap();
    let account = Account::new(
        &base,
        Subdomain::parse("acme").unwrap(),
        &Secret::new("tok"),
    )
    .unwrap();
    let client = KommoClient::new(&ClientSettings {
        rate_limit: 2,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(10),
        pipelines_cache: Duration::from_secs(60),
        redis: None,
        coalesce,
    });
    (client, account, sim)
}

fn updates() -> Vec<(i64, Value)> {
    vec![
        (9001, json!({"price": 10})),
        (9002, json!({"pipeline_id": 1001, "status_id": 4242})),
        (9003, json!({"price": -5})),
        (9999, json!({"price": 1})),
        (9004, json!({"price": 40})),
        (9001, json!({"price": 11})),
    ]
}

/// Every answer, the lead reads (existing and missing), and the leads' final prices.
async fn run(coalesce: Option<usize>) -> (Vec<String>, Vec<Value>, Simulator) {
    let (client, account, sim) = client_and_sim(coalesce).await;
    let client = Arc::new(client);
    // Two requests take the first second's budget, so that everything after them waits.
    let _ = client.get_lead(&account, 9005).await;
    let _ = client.get_lead(&account, 9005).await;
    let reads = [9001, 9999, 9002, 9998].map(|id| {
        let client = Arc::clone(&client);
        let account = account.clone();
        tokio::spawn(async move {
            format!(
                "{:?}",
                client.get_lead(&account, id).await.map(|l| l.map(|l| l.id))
            )
        })
    });
    let mut writes = Vec::new();
    for (id, body) in updates() {
        let client = Arc::clone(&client);
        let account = account.clone();
        writes.push(tokio::spawn(async move {
            format!("{:?}", client.update_lead(&account, id, &body).await)
        }));
        // Keeps the spawn order the order the calls queue in.
        tokio::task::yield_now().await;
    }
    let mut answers = Vec::new();
    for task in reads.into_iter().chain(writes) {
        answers.push(task.await.unwrap());
    }
    let prices = [9001, 9002, 9003, 9004]
        .iter()
        .map(|&id| sim.state().lead("acme", id).unwrap()["price"].clone())
        .collect();
    (answers, prices, sim)
}

#[tokio::test]
async fn a_coalesced_batch_answers_every_caller_as_if_alone() {
    let (alone, alone_prices, _) = run(None).await;
    let (together, together_prices, sim) = run(Some(50)).await;
    assert_eq!(alone, together);
    assert_eq!(alone_prices, together_prices);
    assert!(alone.iter().any(|a| a.contains("Validation")), "{alone:?}");
    assert!(alone.iter().any(|a| a.contains("NotFound")), "{alone:?}");
    assert_eq!(
        alone_prices[0],
        json!(11),
        "the later update of 9001 came last"
    );
    let requests = sim.state().requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "PATCH" && r.path == "/api/v4/leads"),
        "no batch PATCH: {requests:?}"
    );
    assert!(
        requests.iter().any(|r| r.method == "GET"
            && r.path == "/api/v4/leads"
            && r.query
                .as_deref()
                .is_some_and(|q| q.matches("filter%5Bid%5D").count() > 1)),
        "no filtered GET"
    );
    assert_eq!(sim.state().count_429(), 0);
    assert!(sim.state().max_requests_in_any_second("acme") <= 2);
}

/// Notes and tasks for existing, missing and refused leads, queued behind a spent budget.
async fn run_creates(coalesce: Option<usize>) -> (Vec<String>, Vec<usize>, Simulator) {
    let (client, account, sim) = client_and_sim(coalesce).await;
    let client = Arc::new(client);
    let _ = client.get_lead(&account, 9005).await;
    let _ = client.get_lead(&account, 9005).await;
    let mut calls = Vec::new();
    for (index, lead) in [9001, 9002, 9999, 9003, 9001, 9004].into_iter().enumerate() {
        let (note_client, note_account) = (Arc::clone(&client), account.clone());
        calls.push(tokio::spawn(async move {
            let (client, account) = (note_client, note_account);
            let note = client
                .add_note(&account, lead, &format!("note {index}"))
                .await;
            format!("{:?}", note.map(|_| ()))
        }));
        tokio::task::yield_now().await;
        let client = Arc::clone(&client);
        let account = account.clone();
        calls.push(tokio::spawn(async move {
            let task = crate::kommo::NewTask {
                lead_id: lead,
                text: format!("task {index}"),
                complete_till: 1_900_000_000,
                // An unknown task type is Kommo's validation error for that element alone.
                task_type_id: if index == 3 { 99 } else { 1 },
                responsible_user_id: None,
            };
            format!(
                "{:?}",
                client.create_task(&account, &task).await.map(|_| ())
            )
        }));
        tokio::task::yield_now().await;
    }
    let mut answers = Vec::new();
    for task in calls {
        answers.push(task.await.unwrap());
    }
    let notes = [9001, 9002, 9003, 9004]
        .iter()
        .map(|&id| sim.state().notes("acme", id).len())
        .collect();
    (answers, notes, sim)
}

#[tokio::test]
async fn coalesced_notes_and_tasks_answer_every_caller_as_if_alone() {
    let (alone, alone_notes, alone_sim) = run_creates(None).await;
    let (together, together_notes, sim) = run_creates(Some(50)).await;
    assert_eq!(alone, together);
    assert_eq!(alone_notes, together_notes);
    let texts = |sim: &Simulator| {
        let mut texts: Vec<Value> = sim
            .state()
            .tasks("acme")
            .iter()
            .map(|t| t["text"].clone())
            .collect();
        texts.sort_by_key(Value::to_string);
        texts
    };
    assert_eq!(texts(&alone_sim), texts(&sim));
    assert!(alone.iter().any(|a| a.contains("Validation")), "{alone:?}");
    assert!(alone.iter().any(|a| a.contains("NotFound")), "{alone:?}");
    assert!(
        alone.iter().filter(|a| a.starts_with("Ok")).count() >= 8,
        "{alone:?}"
    );
    let requests = sim.state().requests();
    let batched = |path: &str| {
        requests.iter().any(|r| {
            r.method == "POST"
                && r.path == path
                && r.body
                    .as_ref()
                    .and_then(Value::as_array)
                    .is_some_and(|items| items.len() > 1)
        })
    };
    assert!(
        batched("/api/v4/leads/notes"),
        "no batch of notes: {requests:?}"
    );
    assert!(batched("/api/v4/tasks"), "no batch of tasks: {requests:?}");
    assert_eq!(sim.state().count_429(), 0);
    assert!(sim.state().max_requests_in_any_second("acme") <= 2);
}

#[tokio::test]
async fn a_batch_of_notes_that_failed_with_a_500_is_never_sent_again() {
    let (client, account, sim) = client_and_sim(Some(50)).await;
    let client = Arc::new(client);
    let _ = client.get_lead(&account, 9005).await;
    let _ = client.get_lead(&account, 9005).await;
    sim.state().push_fault(kommo_sim::Fault {
        method: Some("POST".into()),
        path_contains: Some("/api/v4/leads/notes".into()),
        status: Some(500),
        ..kommo_sim::Fault::default()
    });
    let mut calls = Vec::new();
    for lead in [9001, 9002, 9003] {
        let client = Arc::clone(&client);
        let account = account.clone();
        calls.push(tokio::spawn(async move {
            client.add_note(&account, lead, "maybe stored").await
        }));
        tokio::task::yield_now().await;
    }
    let mut answers = Vec::new();
    for call in calls {
        answers.push(format!("{:?}", call.await.unwrap()));
    }
    let posts: Vec<usize> = sim
        .state()
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| {
            r.body
                .as_ref()
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        })
        .collect();
    assert_eq!(posts, [3], "one batch, not sent again: {answers:?}");
    assert!(answers.iter().all(|a| a.starts_with("Err")), "{answers:?}");
    assert_eq!(
        answers[0], answers[2],
        "every caller got the batch's failure"
    );
}
