//! update_contact through the binary: an added phone or e-mail keeps the contact's others
//! (the full list is written, as Kommo replaces it), a phone already there in another
//! format or an e-mail in another case sends nothing, malformed ones are refused before
//! anything is sent, and a lead's main contact is found by lead_id.

use serde_json::{Value, json};

use crate::support::{kommo::requests_to, *};

const UPDATED: &str = "Contact successfully updated.";

fn patches(sim: &kommo_sim::Simulator, contact: i64) -> Vec<Value> {
    requests_to(sim, "PATCH", &format!("/api/v4/contacts/{contact}"))
        .into_iter()
        .filter_map(|r| r.body)
        .collect()
}

#[tokio::test]
async fn an_added_phone_keeps_the_existing_ones() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    // Acme Purchasing (8003, lead 9002) has two phones and one e-mail.
    let result = client
        .call(
            "update_contact",
            json!({"lead_id": 9002, "add_phone": "+54 9 351 555-0707", "phone_kind": "mob"}),
        )
        .await;
    assert_eq!(first_text(&result), UPDATED, "{result}");
    assert_eq!(result["structuredContent"]["contact_id"], 8003);
    assert_eq!(result["structuredContent"]["updated"], json!(["phone"]));
    let sent = patches(&sim, 8003);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["custom_fields_values"][0]["values"],
        json!([
            {"value": "(011) 4444-0303", "enum_code": "WORK"},
            {"value": "+54 9 11 6666-0303", "enum_code": "MOB"},
            {"value": "+54 9 351 555-0707", "enum_code": "MOB"}
        ])
    );
    // Kommo kept all three, and the e-mail untouched.
    let read = client.call("get_lead", json!({"lead_id": 9002})).await;
    let contact = &read["structuredContent"]["contacts"][0];
    assert_eq!(contact["phones"].as_array().unwrap().len(), 3, "{read}");
    assert_eq!(contact["emails"][0]["value"], "buy@acme.example");
}

#[tokio::test]
async fn a_phone_in_another_format_or_an_email_in_another_case_is_not_added_twice() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    for args in [
        json!({"contact_id": 8001, "add_phone": "5491155550101"}),
        json!({"contact_id": 8001, "add_email": "MARIA@example.com"}),
        json!({"contact_id": 8001, "name": "Maria Gonzalez", "add_phone": "(011) 5555-0101"}),
    ] {
        let result = client.call("update_contact", args.clone()).await;
        assert_eq!(first_text(&result), UPDATED, "{args}: {result}");
        assert_eq!(result["structuredContent"]["changed"], false, "{args}");
    }
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
    // A new e-mail is added next to the old one; the name changes too.
    let result = client
        .call(
            "update_contact",
            json!({"contact_id": 8001, "name": "María González", "add_email": "mg@work.example", "email_kind": "PRIV"}),
        )
        .await;
    assert_eq!(
        result["structuredContent"]["updated"],
        json!(["name", "email"])
    );
    let sent = patches(&sim, 8001);
    assert_eq!(sent[0]["name"], "María González");
    assert_eq!(
        sent[0]["custom_fields_values"][0]["values"],
        json!([
            {"value": "maria@example.com", "enum_code": "WORK"},
            {"value": "mg@work.example", "enum_code": "PRIV"}
        ])
    );
}

#[tokio::test]
async fn malformed_phones_emails_and_kinds_are_refused_before_anything_is_sent() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    for (args, wanted) in [
        (
            json!({"contact_id": 8001, "add_email": "maria at example"}),
            "add_email must be an e-mail address",
        ),
        (
            json!({"contact_id": 8001, "add_phone": "12-34"}),
            "add_phone must be a phone number",
        ),
        (
            json!({"contact_id": 8001, "add_phone": "+54 9 11 1234-5678", "phone_kind": "PRIV"}),
            "phone_kind must be one of",
        ),
        (
            json!({"contact_id": 8001}),
            "at least one of name, add_phone, add_email or fields",
        ),
        (
            json!({"contact_id": 8001, "lead_id": LEAD, "name": "x"}),
            "only one of contact_id or lead_id",
        ),
    ] {
        let refused = client.call("update_contact", args.clone()).await;
        assert!(is_error(&refused), "{args}");
        let text = refused["content"][1]["text"].as_str().unwrap_or_default();
        assert!(text.contains(wanted), "{args}: {text}");
    }
    assert!(
        sim.state().requests().is_empty(),
        "{:?}",
        request_lines(&sim)
    );
    let missing = client
        .call("update_contact", json!({"contact_id": 8999, "name": "x"}))
        .await;
    assert_eq!(
        first_text(&missing),
        "Failed to update contact: the specified contact does not exist in Kommo."
    );
    let dry = client
        .call(
            "update_contact",
            json!({"contact_id": 8002, "add_email": "pedro@example.com", "dry_run": true}),
        )
        .await;
    assert_eq!(
        first_text(&dry),
        "Dry run: nothing was sent to Kommo.",
        "{dry}"
    );
    assert!(writes(&sim).is_empty());
}
