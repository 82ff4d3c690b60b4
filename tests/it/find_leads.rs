//! find_leads and get_lead's contacts through the binary: search by text, by each phone
//! format and by e-mail, with and without matches, counting the Kommo requests.

use serde_json::{Value, json};

use crate::support::{kommo::assert_failure, *};

/// The ids of the leads found.
fn ids(result: &Value) -> Vec<i64> {
    result["structuredContent"]["leads"]
        .as_array()
        .map(|leads| leads.iter().filter_map(|l| l["id"].as_i64()).collect())
        .unwrap_or_default()
}

/// A session whose pipelines are already cached, and the log cleared.
async fn warm(sim: &kommo_sim::Simulator, env: &Isolated) -> StdioClient {
    let mut client = client_for(sim, env).await;
    let result = client.call("list_pipelines", json!({})).await;
    assert!(!is_error(&result), "{result}");
    // and the account's time zone (a lead without contacts reads nothing else)
    let result = client.call("get_lead", json!({"lead_id": 9004})).await;
    assert!(!is_error(&result), "{result}");
    sim.state().clear_requests();
    client
}

#[tokio::test]
async fn by_text_uses_lead_search_with_contacts() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = warm(&sim, &env).await;
    let result = client.call("find_leads", json!({"query": "Acme"})).await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(ids(&result), [9002]);
    let lead = &result["structuredContent"]["leads"][0];
    assert_eq!(lead["pipeline"], json!({"id": 1001, "name": "Sales"}));
    assert_eq!(lead["status"], json!({"id": 2003, "name": "Negotiation"}));
    assert_eq!(lead["price"], 12000);
    assert_eq!(
        lead["contacts"][0],
        json!({"id": 8003, "name": "Acme Purchasing", "is_main": true, "phones": [{"value": "(011) 4444-0303", "kind": "WORK"}, {"value": "+54 9 11 6666-0303", "kind": "MOB"}], "emails": [{"value": "buy@acme.example", "kind": "WORK"}]})
    );
    assert!(
        first_text(&result)
            .starts_with("Lead 9002 \"Acme Corp renewal\": Sales (1001) / Negotiation (2003)"),
        "{}",
        first_text(&result)
    );
    let log = sim.state().requests();
    assert_eq!(log.len(), 2, "{:?}", request_lines(&sim));
    assert_eq!(log[0].path, "/api/v4/leads");
    let query = log[0].query.clone().unwrap_or_default();
    assert!(
        query.contains("query=Acme") && query.contains("with=contacts"),
        "{query}"
    );
    assert_eq!(log[1].path, "/api/v4/contacts");
    assert!(
        log[1]
            .query
            .clone()
            .unwrap_or_default()
            .contains("filter%5Bid%5D%5B%5D=8003")
    );
}

#[tokio::test]
async fn no_match_is_success_with_an_empty_list() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = warm(&sim, &env).await;
    let result = client
        .call("find_leads", json!({"query": "nobody by this name"}))
        .await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(first_text(&result), "No leads match.");
    assert_eq!(result["structuredContent"]["leads"], json!([]));
    assert_eq!(
        request_lines(&sim),
        ["GET /api/v4/leads"],
        "one request, answered 204"
    );
    assert_eq!(sim.state().requests()[0].status, 204);
    let result = client
        .call("find_leads", json!({"phone": "+1 212 555 9999"}))
        .await;
    assert_eq!(first_text(&result), "No leads match.");
    assert_eq!(
        request_lines(&sim).len(),
        2,
        "only the contacts search: {:?}",
        request_lines(&sim)
    );
}

#[tokio::test]
async fn every_phone_format_finds_the_same_lead() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = warm(&sim, &env).await;
    for phone in [
        "+54 9 11 5555-0101",
        "5491155550101",
        "(011) 5555-0101",
        "+54 11 5555 0101",
        "11-5555-0101",
    ] {
        sim.state().clear_requests();
        let result = client.call("find_leads", json!({"phone": phone})).await;
        assert!(!is_error(&result), "{phone}: {result}");
        assert_eq!(ids(&result), [9001], "{phone}");
        let contacts = &result["structuredContent"]["leads"][0]["contacts"];
        assert_eq!(contacts[0]["name"], "Maria Gonzalez", "{phone}");
        assert_eq!(
            contacts[0]["phones"],
            json!([{"value": "+54 9 11 5555-0101", "kind": "MOB"}])
        );
        assert_eq!(
            contacts[1]["name"], "Pedro Gonzalez",
            "the other contact's details too"
        );
        let lines = request_lines(&sim);
        assert_eq!(
            lines,
            [
                "GET /api/v4/contacts",
                "GET /api/v4/leads",
                "GET /api/v4/contacts"
            ],
            "{phone}"
        );
        let search = sim.state().requests()[0].query.clone().unwrap_or_default();
        assert!(search.contains("query=55550101"), "{search}");
    }
    // One digit off: another number.
    let result = client
        .call("find_leads", json!({"phone": "+54 9 11 5555-0109"}))
        .await;
    assert_eq!(first_text(&result), "No leads match.");
}

#[tokio::test]
async fn by_email_and_combined_criteria() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = warm(&sim, &env).await;
    let result = client
        .call("find_leads", json!({"email": "Juan.Perez@example.org"}))
        .await;
    assert_eq!(ids(&result), [9003], "{result}");
    assert_eq!(
        result["structuredContent"]["leads"][0]["contacts"][0]["emails"],
        json!([{"value": "juan.perez@example.org", "kind": "WORK"}])
    );
    let result = client
        .call("find_leads", json!({"email": "perez@example.org"}))
        .await;
    assert_eq!(
        first_text(&result),
        "No leads match.",
        "e-mails match exactly"
    );
    let result = client
        .call(
            "find_leads",
            json!({"email": "maria@example.com", "pipeline_id": 1002}),
        )
        .await;
    assert_eq!(first_text(&result), "No leads match.");
    let result = client
        .call(
            "find_leads",
            json!({"email": "maria@example.com", "pipeline_id": 1001, "status_id": 2002}),
        )
        .await;
    assert_eq!(ids(&result), [9001]);
    let result = client
        .call(
            "find_leads",
            json!({"email": "maria@example.com", "phone": "(011) 4444-0303"}),
        )
        .await;
    assert_eq!(
        first_text(&result),
        "No leads match.",
        "criteria narrow each other"
    );
}

#[tokio::test]
async fn results_are_most_recently_updated_first_and_limited() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = warm(&sim, &env).await;
    let result = client
        .call("find_leads", json!({"query": "e", "limit": 2}))
        .await;
    let found = ids(&result);
    assert_eq!(found.len(), 2, "{result}");
    let updated: Vec<i64> = result["structuredContent"]["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["raw"]["updated_at"].as_i64().unwrap())
        .collect();
    for lead in result["structuredContent"]["leads"].as_array().unwrap() {
        let shown = lead["updated_at"].as_str().unwrap();
        assert!(shown.ends_with("-03:00") && shown.len() == 25, "{shown}");
    }
    assert!(updated[0] >= updated[1], "{updated:?}");
    let query = sim.state().requests()[0].query.clone().unwrap_or_default();
    assert!(
        query.contains("limit=2") && query.contains("order%5Bupdated_at%5D=desc"),
        "{query}"
    );
}

#[tokio::test]
async fn bad_arguments_send_nothing() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    for (args, reason) in [
        (json!({}), "give at least one of query, phone or email"),
        (json!({"pipeline_id": 1001}), "give at least one of"),
        (
            json!({"query": "x", "limit": 0}),
            "limit must be a whole number from 1 to 50",
        ),
        (
            json!({"query": "x", "limit": 51}),
            "limit must be a whole number from 1 to 50",
        ),
        (json!({"phone": "123"}), "phone must have at least 6 digits"),
        (
            json!({"email": "not-an-address"}),
            "email must be an e-mail address",
        ),
        (
            json!({"query": "x", "status_id": 2002}),
            "status_id needs pipeline_id",
        ),
    ] {
        let result = client.call("find_leads", args.clone()).await;
        assert_failure(
            &result,
            "Failed to find leads: Kommo did not return them.",
            reason,
        );
    }
    assert!(
        sim.state().requests().is_empty(),
        "{:?}",
        request_lines(&sim)
    );
}

#[tokio::test]
async fn get_lead_reads_contacts_in_at_most_two_requests() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = warm(&sim, &env).await;
    let result = client.call("get_lead", json!({"lead_id": 9001})).await;
    assert!(!is_error(&result), "{result}");
    let contacts = &result["structuredContent"]["contacts"];
    assert_eq!(contacts.as_array().map(Vec::len), Some(2), "{result}");
    assert_eq!(
        contacts[0],
        json!({"id": 8001, "name": "Maria Gonzalez", "is_main": true, "phones": [{"value": "+54 9 11 5555-0101", "kind": "MOB"}], "emails": [{"value": "maria@example.com", "kind": "WORK"}]})
    );
    assert_eq!(contacts[1]["is_main"], false);
    assert!(
        all_text(&result).contains(
            "Contacts: Maria Gonzalez (main; +54 9 11 5555-0101 (MOB); maria@example.com (WORK))"
        ),
        "{}",
        all_text(&result)
    );
    let log = sim.state().requests();
    assert_eq!(
        request_lines(&sim),
        ["GET /api/v4/leads/9001", "GET /api/v4/contacts"]
    );
    assert_eq!(log[0].query.as_deref(), Some("with=contacts"));
    // A lead without contacts: one request.
    sim.state().clear_requests();
    let result = client.call("get_lead", json!({"lead_id": 9004})).await;
    assert_eq!(result["structuredContent"]["contacts"], json!([]));
    assert_eq!(request_lines(&sim), ["GET /api/v4/leads/9004"]);
}
