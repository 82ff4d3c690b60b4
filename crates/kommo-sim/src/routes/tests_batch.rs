//! The batch forms of notes and tasks, with Kommo's rate limit on: arrays for many leads,
//! each element's `request_id` echoed, each rejected element named by its `request_id`
//! (nothing stored then), and the 250 cap.

use serde_json::{Value, json};

use crate::SimulatorOptions;
use crate::testkit::*;

fn note(lead: i64, text: &str, request_id: &str) -> Value {
    json!({"entity_id": lead, "note_type": "common", "params": {"text": text}, "request_id": request_id})
}

fn task(lead: i64, text: &str, request_id: &str) -> Value {
    json!({"entity_type": "leads", "entity_id": lead, "text": text, "complete_till": 1_900_000_000, "request_id": request_id})
}

#[tokio::test]
async fn notes_for_many_leads_echo_each_request_id() {
    let (sim, client) = start(SimulatorOptions::default()).await;
    let body = json!([note(9001, "first", "a"), note(9002, "second", "b")]);
    let (status, _, answer) = parts(client.post("/api/v4/leads/notes", &body).await).await;
    assert_eq!(status, 200, "{answer}");
    let created = answer["_embedded"]["notes"].as_array().unwrap();
    let echoed: Vec<(&Value, &Value)> = created
        .iter()
        .map(|n| (&n["request_id"], &n["entity_id"]))
        .collect();
    assert_eq!(
        echoed,
        [(&json!("a"), &json!(9001)), (&json!("b"), &json!(9002))]
    );
    assert_eq!(
        sim.state().notes(SUB, 9002).last().unwrap()["params"]["text"],
        "second"
    );
    assert_eq!(sim.state().count_429(), 0);
}

#[tokio::test]
async fn a_rejected_note_is_named_by_its_request_id_and_nothing_is_stored() {
    let (sim, client) = start(SimulatorOptions::default()).await;
    let before = sim.state().notes(SUB, 9001).len();
    let mut blank = note(9002, " ", "b");
    blank["params"]["text"] = json!(" ");
    let body = json!([
        note(9001, "kept back", "a"),
        blank,
        note(999_999, "nobody", "c")
    ]);
    let (status, _, answer) = parts(client.post("/api/v4/leads/notes", &body).await).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["validation-errors"],
        json!([
            {"request_id": "b", "errors": [{"code": "NotBlank", "path": "params.text", "detail": "This value should not be blank."}]},
            {"request_id": "c", "errors": [{"code": "NotSupportedChoice", "path": "entity_id", "detail": "The value you selected is not a valid choice."}]},
        ])
    );
    assert_eq!(sim.state().notes(SUB, 9001).len(), before, "all or none");
}

#[tokio::test]
async fn tasks_for_many_leads_echo_each_request_id_or_name_the_rejected() {
    let (sim, client) = start(SimulatorOptions::default()).await;
    let before = sim.state().tasks(SUB).len();
    let good = json!([task(9001, "Call", "x"), task(9003, "Visit", "y")]);
    let (status, _, answer) = parts(client.post("/api/v4/tasks", &good).await).await;
    assert_eq!(status, 200, "{answer}");
    let ids: Vec<&Value> = answer["_embedded"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["request_id"])
        .collect();
    assert_eq!(ids, [&json!("x"), &json!("y")]);
    assert_eq!(sim.state().tasks(SUB).len(), before + 2);
    let bad = json!([task(9001, "Call", "x"), task(1, "Nobody", "y")]);
    let (status, _, answer) = parts(client.post("/api/v4/tasks", &bad).await).await;
    assert_eq!(status, 400, "{answer}");
    let groups = answer["validation-errors"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{answer}");
    assert_eq!(groups[0]["request_id"], "y");
    assert_eq!(groups[0]["errors"][0]["path"], "entity_id");
    assert_eq!(sim.state().tasks(SUB).len(), before + 2, "all or none");
}

#[tokio::test]
async fn more_than_250_notes_or_tasks_are_refused() {
    let (sim, client) = start(SimulatorOptions::default()).await;
    let notes: Vec<Value> = (0..251).map(|i| note(9001, "n", &i.to_string())).collect();
    let tasks: Vec<Value> = (0..251).map(|i| task(9001, "t", &i.to_string())).collect();
    let before = sim.state().tasks(SUB).len();
    for (path, body) in [("/api/v4/leads/notes", notes), ("/api/v4/tasks", tasks)] {
        let (status, _, answer) = parts(client.post(path, &Value::Array(body)).await).await;
        assert_eq!(status, 400, "{path}: {answer}");
        assert!(
            answer["detail"].as_str().unwrap().contains("250"),
            "{answer}"
        );
    }
    assert_eq!(sim.state().tasks(SUB).len(), before);
    let at_cap: Vec<Value> = (0..250).map(|i| note(9004, "n", &i.to_string())).collect();
    let (status, _, _) = parts(
        client
            .post("/api/v4/leads/notes", &Value::Array(at_cap))
            .await,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn added_leads_are_read_and_noted_in_one_batch() {
    let (sim, client) = start(SimulatorOptions::default()).await;
    let ids = sim.state().add_leads(SUB, 300);
    assert_eq!(ids.len(), 300);
    let (status, _, lead) = parts(client.get(&format!("/api/v4/leads/{}", ids[299])).await).await;
    assert_eq!(status, 200, "{lead}");
    assert_eq!(lead["name"], format!("Load lead {}", ids[299]));
    let notes: Vec<Value> = ids[..250]
        .iter()
        .map(|&id| note(id, "hello", &id.to_string()))
        .collect();
    let (status, _, answer) = parts(
        client
            .post("/api/v4/leads/notes", &Value::Array(notes))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["_embedded"]["notes"].as_array().map(Vec::len),
        Some(250)
    );
    assert_eq!(sim.state().notes(SUB, ids[249]).len(), 1);
}
