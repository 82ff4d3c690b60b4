//! `get_lead_history`, `list_users` and `list_loss_reasons` through the built binary against
//! the simulator's demo account (lead 9005's seeded history: chat messages, stage moves by
//! users and by the robot, a tag, a note): pages with the cursor, type filters, names
//! resolved, the robot and the contact, at most three Kommo requests a page once the users
//! and pipelines are cached, a missing lead, and the resources that read the same data.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::support::{
    kommo::{assert_failure, requests_to},
    *,
};

const HISTORY_LEAD: i64 = 9005;
const MISSING: &str = "Failed to get lead history: the specified lead does not exist in Kommo.";
const FAILED: &str = "Failed to get lead history: Kommo did not return it.";

fn entries(result: &Value) -> Vec<Value> {
    result["structuredContent"]["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn texts(result: &Value) -> Vec<String> {
    entries(result)
        .iter()
        .map(|entry| entry["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_newest_first_with_names_resolved_and_the_cursor() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let first = client
        .call(
            "get_lead_history",
            json!({"lead_id": HISTORY_LEAD, "limit": 4}),
        )
        .await;
    assert!(!is_error(&first), "{first}");
    assert!(
        first_text(&first).starts_with(
            "Lead 9005: 4 entries, newest first (times in America/Argentina/Buenos_Aires)."
        ),
        "{first}"
    );
    assert_eq!(
        texts(&first),
        [
            "Moved from Negotiation to Closed - won in Sales by Ana Souza",
            "Chat message sent (via com.amocrm.amocrmwa) by robot",
            "Moved from Contacted to Negotiation in Sales by Bruno Lima",
            "Chat message received from the contact (via com.amocrm.amocrmwa)",
        ]
    );
    let newest = &entries(&first)[0];
    assert_eq!(newest["kind"], "lead_status_changed");
    assert_eq!(newest["who"], "Ana Souza");
    assert!(
        newest["time"].as_str().unwrap().ends_with("-03:00"),
        "{newest}"
    );
    assert_eq!(newest["raw"]["created_by"], 7_000_001);
    assert_eq!(
        newest["raw"]["value_after"],
        json!([{"lead_status": {"id": 142, "pipeline_id": 1001}}])
    );
    let robot = &entries(&first)[1];
    assert_eq!(
        (robot["who"].as_str(), robot["raw"]["created_by"].as_i64()),
        (Some("robot"), Some(0))
    );
    assert_eq!(entries(&first)[3]["who"], "the contact");

    // Once the users, pipelines and time zone are cached: at most three Kommo requests a
    // page (here the events page and the notes its note event names).
    sim.state().clear_requests();
    let cursor = first["structuredContent"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = client
        .call(
            "get_lead_history",
            json!({"lead_id": HISTORY_LEAD, "cursor": cursor}),
        )
        .await;
    assert_eq!(
        request_lines(&sim),
        ["GET /api/v4/events", "GET /api/v4/leads/9005/notes"],
        "{second}"
    );
    let events = requests_to(&sim, "GET", "/api/v4/events");
    let query = events[0].query.clone().unwrap_or_default();
    assert!(
        query.contains("filter%5Bentity%5D=lead")
            && query.contains("filter%5Bentity_id%5D%5B%5D=9005")
            && query.contains("page=2")
            && query.contains("limit=4"),
        "{query}"
    );
    assert_eq!(
        texts(&second),
        [
            "Note by Ana Souza: Wants the annual plan; send the invoice to purchasing.",
            "Tag vip added by Ana Souza",
            "Chat message sent (via com.amocrm.amocrmwa) by Ana Souza",
            "Moved from Incoming leads to Contacted in Sales by robot",
        ]
    );
    assert_eq!(
        entries(&second)[0]["note"],
        "Wants the annual plan; send the invoice to purchasing."
    );
    assert_eq!(entries(&second)[0]["raw"]["note_id"], 69_001);

    sim.state().clear_requests();
    let cursor = second["structuredContent"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let third = client
        .call(
            "get_lead_history",
            json!({"lead_id": HISTORY_LEAD, "cursor": cursor, "limit": 4}),
        )
        .await;
    assert_eq!(request_lines(&sim), ["GET /api/v4/events"]);
    assert_eq!(
        texts(&third),
        [
            "Chat message received from the contact (via com.amocrm.amocrmwa)",
            "Lead created by robot",
        ]
    );
    assert!(
        third["structuredContent"].get("next_cursor").is_none(),
        "{third}"
    );
    assert!(first_text(&third).ends_with("That is the whole history Kommo keeps."));
    let ids: HashSet<String> = [&first, &second, &third]
        .iter()
        .flat_map(|page| entries(page))
        .map(|entry| entry["raw"]["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 10, "every event once");

    // A cursor belongs to its lead and its limit.
    let wrong = client
        .call(
            "get_lead_history",
            json!({"lead_id": LEAD, "cursor": cursor}),
        )
        .await;
    assert_failure(&wrong, FAILED, "not lead 9001");
    let other_limit = client
        .call(
            "get_lead_history",
            json!({"lead_id": HISTORY_LEAD, "cursor": cursor, "limit": 5}),
        )
        .await;
    assert_failure(&other_limit, FAILED, "another limit");
}

#[tokio::test]
async fn types_narrow_the_history_and_a_new_note_shows_up_with_its_author() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let moves = client
        .call(
            "get_lead_history",
            json!({"lead_id": HISTORY_LEAD, "types": ["lead_status_changed"]}),
        )
        .await;
    assert_eq!(
        texts(&moves),
        [
            "Moved from Negotiation to Closed - won in Sales by Ana Souza",
            "Moved from Contacted to Negotiation in Sales by Bruno Lima",
            "Moved from Incoming leads to Contacted in Sales by robot",
        ]
    );
    let query = requests_to(&sim, "GET", "/api/v4/events")[0]
        .query
        .clone()
        .unwrap_or_default();
    assert!(
        query.contains("filter%5Btype%5D%5B%5D=lead_status_changed"),
        "{query}"
    );
    let chats = client
        .call(
            "get_lead_history",
            json!({"lead_id": HISTORY_LEAD, "types": ["incoming_chat_message", "outgoing_chat_message"]}),
        )
        .await;
    assert_eq!(entries(&chats).len(), 4, "{chats}");

    // Lead 9001 has no history yet; a note written through add_note appears with its text.
    let empty = client
        .call("get_lead_history", json!({"lead_id": LEAD}))
        .await;
    assert!(!is_error(&empty), "{empty}");
    assert_eq!(
        first_text(&empty),
        "Lead 9001 has no history entries (of the types asked)."
    );
    let added = client
        .call(
            "add_note",
            json!({"lead_id": LEAD, "note": "Asked for a demo on Friday"}),
        )
        .await;
    assert!(!is_error(&added), "{added}");
    let after = client
        .call("get_lead_history", json!({"lead_id": LEAD}))
        .await;
    assert_eq!(
        texts(&after),
        ["Note by Ana Souza: Asked for a demo on Friday"]
    );
    // The simulator records what the write tools change, as Kommo does.
    let moved = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2003}),
        )
        .await;
    assert!(!is_error(&moved), "{moved}");
    let tagged = client
        .call("add_tag", json!({"lead_id": LEAD, "tag_name": "vip"}))
        .await;
    assert!(!is_error(&tagged), "{tagged}");
    let later = client
        .call("get_lead_history", json!({"lead_id": LEAD}))
        .await;
    assert_eq!(
        texts(&later),
        [
            "Tag vip added by Ana Souza",
            "Moved from Contacted to Negotiation in Sales by Ana Souza",
            "Note by Ana Souza: Asked for a demo on Friday",
        ]
    );
}

#[tokio::test]
async fn a_missing_lead_is_named_and_bad_arguments_send_nothing() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let missing = client
        .call("get_lead_history", json!({"lead_id": MISSING_LEAD}))
        .await;
    assert_failure(&missing, MISSING, "Kommo has no lead with id 9999");
    assert_eq!(
        missing["structuredContent"]["error"]["kind"],
        "lead_missing"
    );
    assert_eq!(
        request_lines(&sim),
        ["GET /api/v4/events", "GET /api/v4/leads/9999"]
    );
    sim.state().clear_requests();
    for bad in [
        json!({"lead_id": HISTORY_LEAD, "limit": 0}),
        json!({"lead_id": HISTORY_LEAD, "limit": 101}),
        json!({"lead_id": HISTORY_LEAD, "types": "lead_status_changed"}),
        json!({"lead_id": HISTORY_LEAD, "cursor": "not-a-cursor"}),
    ] {
        let answer = client.call("get_lead_history", bad.clone()).await;
        assert_eq!(first_text(&answer), FAILED, "{bad}: {answer}");
        assert_eq!(
            answer["structuredContent"]["error"]["kind"],
            "invalid_arguments"
        );
    }
    assert!(request_lines(&sim).is_empty(), "{:?}", request_lines(&sim));
}

#[tokio::test]
async fn users_and_loss_reasons_are_listed_and_cached() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let users = client.call("list_users", json!({})).await;
    assert!(!is_error(&users), "{users}");
    assert_eq!(
        users["structuredContent"]["users"],
        json!([
            {"id": 7_000_001, "name": "Ana Souza", "email": "ana@demo.example", "active": true, "admin": true, "group": {"id": 1, "name": "Sales"}},
            {"id": 7_000_002, "name": "Bruno Lima", "email": "bruno@demo.example", "active": true, "admin": false, "group": {"id": 1, "name": "Sales"}},
            {"id": 7_000_003, "name": "Carla Ruiz", "email": "carla@demo.example", "active": false, "admin": false},
        ])
    );
    assert!(
        first_text(&users).contains("\"Carla Ruiz\" (id 7000003, carla@demo.example, inactive)."),
        "{users}"
    );
    let query = requests_to(&sim, "GET", "/api/v4/users")[0]
        .query
        .clone()
        .unwrap_or_default();
    assert!(query.contains("with=group"), "{query}");
    let reasons = client.call("list_loss_reasons", json!({})).await;
    assert_eq!(
        first_text(&reasons),
        "3 loss reasons: \"Price too high\" (4203748), \"No longer needed\" (4203750), \"Chose a competitor\" (4203752)."
    );
    assert_eq!(
        reasons["structuredContent"]["loss_reasons"][0],
        json!({"id": 4_203_748, "name": "Price too high"})
    );
    sim.state().clear_requests();
    let again = client.call("list_users", json!({})).await;
    let reasons_again = client.call("list_loss_reasons", json!({})).await;
    assert_eq!(again["structuredContent"], users["structuredContent"]);
    assert_eq!(
        reasons_again["structuredContent"],
        reasons["structuredContent"]
    );
    assert!(
        request_lines(&sim).is_empty(),
        "cached: {:?}",
        request_lines(&sim)
    );
}

#[tokio::test]
async fn resources_read_the_history_and_the_users_and_are_narrowed() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    let mut client = McpClient::initialize(&server).await;
    let read = client
        .request(
            "resources/read",
            json!({"uri": "kommo://leads/9005/history"}),
            &[],
        )
        .await;
    let contents = &read["result"]["contents"][0];
    assert_eq!(contents["uri"], "kommo://leads/9005/history", "{read}");
    let history: Value = serde_json::from_str(contents["text"].as_str().unwrap()).unwrap();
    let tool = client
        .call("get_lead_history", json!({"lead_id": HISTORY_LEAD}), &[])
        .await;
    assert_eq!(history, tool["result"]["structuredContent"]);
    assert_eq!(history["entries"].as_array().unwrap().len(), 10);
    let users = client
        .request("resources/read", json!({"uri": "kommo://users"}), &[])
        .await;
    let listed: Value =
        serde_json::from_str(users["result"]["contents"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(listed["users"].as_array().unwrap().len(), 3, "{users}");
    let missing = client
        .request(
            "resources/read",
            json!({"uri": "kommo://leads/9999/history"}),
            &[],
        )
        .await;
    let message = missing["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("does not exist"), "{missing}");

    let only_lead = [("x-kommo-tools", "get_lead")];
    let templates = client
        .request("resources/templates/list", json!({}), &only_lead)
        .await;
    assert_eq!(
        templates["result"]["resourceTemplates"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "{templates}"
    );
    for uri in ["kommo://leads/9005/history", "kommo://users"] {
        let refused = client
            .request("resources/read", json!({"uri": uri}), &only_lead)
            .await;
        let message = refused["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("is not enabled"), "{uri}: {refused}");
    }
}
