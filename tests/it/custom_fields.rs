//! `list_custom_fields` and `update_lead_fields` through the built binary: the listing
//! (types, codes, options) paged to the end and cached per account; one PATCH with
//! `custom_fields_values` by name, code or id; values already set skipped; every problem
//! listed with nothing written; a missing lead; and the audit line's before → after.

use kommo_sim::{Fault, FaultBody, Simulator};
use serde_json::{Value, json};

use crate::support::*;

const UPDATED: &str = "Lead fields successfully updated.";
const FAILED: &str = "Failed to update lead fields: Kommo did not accept the update request.";
const MISSING: &str = "Failed to update lead fields: the specified lead does not exist in Kommo.";

fn field_queries(sim: &Simulator) -> Vec<Option<String>> {
    sim.state()
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v4/leads/custom_fields")
        .map(|r| r.query)
        .collect()
}

#[tokio::test]
async fn list_custom_fields_lists_types_codes_and_options_once_per_account() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client.call("list_custom_fields", json!({})).await;
    assert!(!is_error(&result), "{result}");
    let fields = result["structuredContent"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 60);
    assert_eq!(
        fields[0],
        json!({"id": 5001, "name": "AI agent paused", "code": null, "type": "checkbox"})
    );
    assert_eq!(
        fields[4],
        json!({"id": 5005, "name": "Interests", "code": "INTERESTS", "type": "multiselect", "options": [
            {"id": 6011, "value": "Pricing"}, {"id": 6012, "value": "Demo"},
            {"id": 6013, "value": "Support"}, {"id": 6014, "value": "Integrations"}]})
    );
    assert_eq!(
        fields[5]["options"][2],
        json!({"id": 6023, "value": "High"})
    );
    let text = first_text(&result);
    assert!(
        text.starts_with("60 lead custom fields; update_lead_fields takes a field's name, code or id.\n\"AI agent paused\" (5001, checkbox)."),
        "{text}"
    );
    assert!(
        text.contains("\n\"Source\" (5002, select): \"WhatsApp\" (6001), \"Instagram\" (6002), \"Website\" (6003)."),
        "{text}"
    );
    assert!(
        text.contains("\n\"Employees\" (5007, numeric, code EMPLOYEES)."),
        "{text}"
    );
    // cached: a second call (and update_lead_fields) reads no fields again
    client.call("list_custom_fields", json!({})).await;
    client
        .call(
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {"Source": "WhatsApp"}}),
        )
        .await;
    assert_eq!(
        field_queries(&sim),
        [
            Some("page=1&limit=50".to_owned()),
            Some("page=2&limit=50".to_owned())
        ]
    );
}

#[tokio::test]
async fn list_custom_fields_follows_the_pages_to_the_end() {
    let sim = simulator().await;
    let next = format!(
        "{}/api/v4/leads/custom_fields?page=2&limit=50",
        sim.base_url_template().replace("{subdomain}", SUBDOMAIN)
    );
    for body in [
        json!({"_links": {"next": {"href": next}}, "_embedded": {"custom_fields": [{"id": 1, "name": "a", "type": "text", "code": null, "enums": null}]}}),
        json!({"_embedded": {"custom_fields": [{"id": 2, "name": "Color", "type": "radiobutton", "enums": [{"id": 7, "value": "Red", "sort": 1}]}]}}),
    ] {
        sim.state().push_fault(Fault {
            path_contains: Some("/custom_fields".into()),
            status: Some(200),
            body: FaultBody::Json(body),
            ..Fault::default()
        });
    }
    let env = Isolated::new();
    // No pause field: nothing reads the fields at start-up.
    let mut command = env.command();
    command.args([
        "--base-url",
        &sim.base_url_template(),
        "--subdomain",
        SUBDOMAIN,
        "--token",
        TOKEN,
    ]);
    let mut client = StdioClient::start(command).await;
    let result = client.call("list_custom_fields", json!({})).await;
    assert_eq!(
        result["structuredContent"]["fields"],
        json!([
            {"id": 1, "name": "a", "code": null, "type": "text"},
            {"id": 2, "name": "Color", "code": null, "type": "radiobutton", "options": [{"id": 7, "value": "Red"}]}
        ]),
        "{:?}",
        sim.state().requests()
    );
    assert_eq!(
        field_queries(&sim),
        [
            Some("page=1&limit=50".to_owned()),
            Some("page=2&limit=50".to_owned())
        ]
    );
    // a failure is the tool's sentence
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        path_contains: Some("/custom_fields".into()),
        status: Some(500),
        ..Fault::default()
    });
    let mut client = client_for(&sim, &env).await;
    let failed = client.call("list_custom_fields", json!({})).await;
    assert!(is_error(&failed));
    assert_eq!(
        first_text(&failed),
        "Failed to list custom fields: Kommo did not return them."
    );
    // and is not cached: the next call reads the fields again
    let listed = client.call("list_custom_fields", json!({})).await;
    assert!(!is_error(&listed), "{listed}");
    assert_eq!(
        field_queries(&sim).len(),
        3,
        "the failed page, then both pages"
    );
}

#[tokio::test]
async fn update_lead_fields_sends_one_patch_by_name_code_and_id_and_skips_what_is_set() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {
                "source": "whatsapp",
                "INTERESTS": ["Demo", 6013],
                "5007": 40,
                "Priority": "High",
                "Follow-up date": "2026-12-24",
                "Meeting time": "2026-12-24T10:00:00-03:00",
                "Company website": "https://maria.example",
                "Callback requested": true
            }}),
        )
        .await;
    assert_eq!(first_text(&result), UPDATED, "{result}");
    let sent = writes(&sim);
    assert_eq!(sent.len(), 1, "{:?}", request_lines(&sim));
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("PATCH", "/api/v4/leads/9001")
    );
    assert_eq!(
        sent[0].body,
        Some(json!({"custom_fields_values": [
            // 2026-12-24 00:00 in the demo account's zone (UTC−3), not midnight UTC
            {"field_id": 5004, "values": [{"value": 1_798_081_200}]},
            {"field_id": 5005, "values": [{"enum_id": 6012}, {"enum_id": 6013}]},
            {"field_id": 5006, "values": [{"enum_id": 6023}]},
            {"field_id": 5007, "values": [{"value": 40}]},
            {"field_id": 5008, "values": [{"value": "https://maria.example"}]},
            {"field_id": 5010, "values": [{"value": 1_798_117_200}]},
            {"field_id": 5012, "values": [{"value": true}]}
        ]}))
    );
    let structured = &result["structuredContent"];
    assert_eq!(structured["changed"], true);
    assert_eq!(
        structured["unchanged"],
        json!([{"field_id": 5002, "name": "Source", "type": "select", "value": "WhatsApp"}])
    );
    assert_eq!(
        structured["updated"][1],
        json!({"field_id": 5005, "name": "Interests", "type": "multiselect", "value": ["Demo", "Support"]})
    );
    let lead = sim.state().lead(SUBDOMAIN, LEAD).unwrap();
    let stored: Vec<i64> = lead["custom_fields_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field_id"].as_i64().unwrap())
        .collect();
    assert!(
        stored.contains(&5005) && stored.contains(&5012),
        "{stored:?}"
    );
    // the same values again: nothing to change, no PATCH
    let again = client
        .call(
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {"Interests": ["Support", "Demo"], "Employees": 40.0, "Callback requested": true}}),
        )
        .await;
    assert_eq!(first_text(&again), UPDATED, "{again}");
    assert_eq!(again["structuredContent"]["changed"], false);
    assert_eq!(writes(&sim).len(), 1);
    // null clears a field
    client
        .call(
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {"Interests": null}}),
        )
        .await;
    assert_eq!(
        writes(&sim)[1].body,
        Some(json!({"custom_fields_values": [{"field_id": 5005, "values": null}]}))
    );
}

#[tokio::test]
async fn update_lead_fields_lists_every_problem_and_writes_nothing() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {
                "Source": "Telegram",
                "Employees": "many",
                "Nope": 1,
                "Callback requested": "yes",
                "Follow-up date": "next week",
                "Interests": ["Demo", "Cooking"]
            }}),
        )
        .await;
    assert!(is_error(&result));
    assert_eq!(first_text(&result), FAILED);
    let reason = all_text(&result);
    for expected in [
        "\"Source\" (select field 5002): the text \"Telegram\" is not one of its options; they are \"WhatsApp\" (6001), \"Instagram\" (6002), \"Website\" (6003)",
        "\"Employees\" (numeric field 5007) takes a number, got the text \"many\"",
        "fields key \"Nope\" names no lead custom field of account \"acme\"",
        "\"Callback requested\" (checkbox field 5012) takes true or false, got the text \"yes\"",
        "\"Follow-up date\" (date field 5004) takes an ISO 8601 date",
        "\"Interests\" (multiselect field 5005): the text \"Cooking\" is not one of its options",
        "Nothing was sent to Kommo.",
    ] {
        assert!(reason.contains(expected), "{expected} missing: {reason}");
    }
    assert_eq!(
        result["structuredContent"]["error"]["kind"],
        "invalid_arguments"
    );
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
    // argument errors send nothing at all
    sim.state().clear_requests();
    for (args, expected) in [
        (json!({"lead_id": LEAD}), "fields is required"),
        (
            json!({"lead_id": LEAD, "fields": {}}),
            "fields must name at least one field",
        ),
        (
            json!({"lead_id": LEAD, "fields": [1]}),
            "fields must be an object",
        ),
        (
            json!({"lead_id": -1, "fields": {"Source": "WhatsApp"}}),
            "lead_id must be greater than 0",
        ),
    ] {
        let result = client.call("update_lead_fields", args.clone()).await;
        assert_eq!(first_text(&result), FAILED, "{args}");
        assert!(all_text(&result).contains(expected), "{args}: {result}");
    }
    assert!(request_lines(&sim).is_empty(), "{:?}", request_lines(&sim));
    let missing = client
        .call(
            "update_lead_fields",
            json!({"lead_id": MISSING_LEAD, "fields": {"Source": "WhatsApp"}}),
        )
        .await;
    assert_eq!(first_text(&missing), MISSING);
    assert!(writes(&sim).is_empty());
}

#[tokio::test]
async fn the_audit_line_of_a_field_update_shows_the_values_before_and_after() {
    let sim = simulator().await;
    let env = Isolated::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .args(["--audit-log", path.to_str().unwrap()]);
    let mut client = StdioClient::start(command).await;
    client
        .call(
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {"Source": "Website", "Employees": 12}}),
        )
        .await;
    let lines: Vec<Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        // Each write's outcome line (its intent line came before it).
        .filter(|line| line["event"] == "outcome")
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["tool"], "update_lead_fields");
    assert_eq!(
        lines[0]["before"],
        json!([{"field_id": 5002, "name": "Source", "value": "WhatsApp"}, {"field_id": 5007, "name": "Employees", "value": null}])
    );
    assert_eq!(
        lines[0]["after"],
        json!([{"field_id": 5002, "name": "Source", "value": "Website"}, {"field_id": 5007, "name": "Employees", "value": 12}])
    );
}
