//! `add_budget` through the built binary: the exact PATCH with `price`, the no-op on the
//! same price, argument errors naming `budget_field_value` with nothing sent, a missing lead.

use serde_json::json;

use crate::support::*;

const SUCCESS: &str = "Budget successfully added to the specified lead.";
const FAILED: &str = "Failed to add budget: Kommo did not accept the update request.";
const MISSING: &str = "Failed to add budget: the specified lead does not exist in Kommo.";

#[tokio::test]
async fn add_budget_replaces_the_price_with_one_patch() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "add_budget",
            json!({"lead_id": LEAD, "budget_field_value": 2500}),
        )
        .await;
    assert_eq!(first_text(&result), SUCCESS, "{result}");
    assert_eq!(
        result["structuredContent"],
        json!({"lead_id": LEAD, "price": 2500, "previous_price": 1500, "changed": true})
    );
    let sent = writes(&sim);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("PATCH", "/api/v4/leads/9001")
    );
    assert_eq!(sent[0].body, Some(json!({"price": 2500})));
    assert_eq!(sim.state().lead(SUBDOMAIN, LEAD).unwrap()["price"], 2500);
    // the same price: success, unchanged, no PATCH
    let same = client
        .call(
            "add_budget",
            json!({"lead_id": LEAD, "budget_field_value": 2500}),
        )
        .await;
    assert_eq!(first_text(&same), SUCCESS);
    assert_eq!(same["structuredContent"]["changed"], false);
    assert_eq!(writes(&sim).len(), 1);
}

#[tokio::test]
async fn add_budget_refuses_bad_values_and_missing_leads_without_writing() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    for bad in [
        json!(12.5),
        json!(-1),
        json!("abc"),
        json!(2147483648u64),
        json!(null),
    ] {
        let result = client
            .call(
                "add_budget",
                json!({"lead_id": LEAD, "budget_field_value": bad}),
            )
            .await;
        assert!(is_error(&result), "{result}");
        assert_eq!(first_text(&result), FAILED);
        let reason = all_text(&result);
        assert!(reason.contains("budget_field_value"), "{reason}");
        assert!(reason.contains("Nothing was sent to Kommo."), "{reason}");
    }
    assert!(request_lines(&sim).is_empty(), "{:?}", request_lines(&sim));
    let missing = client
        .call(
            "add_budget",
            json!({"lead_id": MISSING_LEAD, "budget_field_value": 1}),
        )
        .await;
    assert_eq!(first_text(&missing), MISSING);
    assert!(writes(&sim).is_empty());
    let dry = client
        .call(
            "add_budget",
            json!({"lead_id": LEAD, "budget_field_value": 7, "dry_run": true}),
        )
        .await;
    assert_eq!(first_text(&dry), "Dry run: nothing was sent to Kommo.");
    assert_eq!(
        dry["structuredContent"]["request"],
        json!({"method": "PATCH", "path": "/api/v4/leads/9001", "body": {"price": 7}})
    );
    assert!(writes(&sim).is_empty());
}
