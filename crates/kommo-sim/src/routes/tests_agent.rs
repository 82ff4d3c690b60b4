//! What an agent's day leaves in the simulator: contact custom fields (listed, read,
//! patched by type), a lost lead's loss reason, the events a field change records, and the
//! outgoing message a sending Salesbot leaves in the lead's history.

use serde_json::{Value, json};

use crate::testkit::*;

async fn lead_events(client: &Client, lead: i64, filter: &str) -> Vec<Value> {
    let path = format!("/api/v4/events?filter[entity]=lead&filter[entity_id]={lead}{filter}");
    let (status, _, body) = parts(client.get(&path).await).await;
    if status == 204 {
        return Vec::new();
    }
    assert_eq!(status, 200, "{body}");
    body["_embedded"]["events"].as_array().unwrap().clone()
}

#[tokio::test]
async fn contact_fields_are_listed_read_and_patched_by_type() {
    let (_sim, client) = start(unlimited()).await;
    let (status, _, body) = parts(client.get("/api/v4/contacts/custom_fields").await).await;
    assert_eq!(status, 200);
    let fields = body["_embedded"]["custom_fields"].as_array().unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Phone",
            "Email",
            "Cargo",
            "Canal preferido",
            "Data de nascimento",
            "Cliente desde"
        ]
    );
    assert_eq!(fields[0]["type"], "multitext");
    assert_eq!(fields[0]["entity_type"], "contacts");
    assert_eq!(fields[3]["enums"][1]["value"], "Llamada");
    let (status, _, one) = parts(client.get("/api/v4/contacts/custom_fields/5104").await).await;
    assert_eq!(
        (status, one["name"].as_str()),
        (200, Some("Canal preferido"))
    );

    let (_, _, contact) = parts(client.get("/api/v4/contacts/8001").await).await;
    let cargo = contact["custom_fields_values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field_id"] == 5103)
        .unwrap();
    assert_eq!(cargo["values"][0]["value"], "Gerente de compras");

    let patch = json!({"custom_fields_values": [
        {"field_id": 5104, "values": [{"enum_id": 6202}]},
        {"field_id": 5105, "values": [{"value": 642_902_400}]},
        {"field_id": 5103, "values": null},
    ]});
    assert_eq!(
        client.patch("/api/v4/contacts/8001", &patch).await.status(),
        200
    );
    let (_, _, contact) = parts(client.get("/api/v4/contacts/8001").await).await;
    let values: Vec<(i64, Value)> = contact["custom_fields_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field_id"].as_i64().unwrap(), f["values"][0].clone()))
        .collect();
    let channel = values.iter().find(|(id, _)| *id == 5104).unwrap();
    assert_eq!(
        (&channel.1["value"], &channel.1["enum_id"]),
        (&json!("Llamada"), &json!(6202))
    );
    assert!(
        values.contains(&(5105, json!({"value": 642_902_400}))),
        "{values:?}"
    );
    assert!(
        !values.iter().any(|(id, _)| *id == 5103),
        "cleared: {values:?}"
    );
    assert_eq!(
        contact["custom_fields_values"][0]["field_code"], "PHONE",
        "phones kept"
    );

    let bad = json!({"custom_fields_values": [{"field_id": 5104, "values": [{"enum_id": 1}]}, {"field_id": 9999, "values": [{"value": "x"}]}]});
    let (status, _, body) = parts(client.patch("/api/v4/contacts/8001", &bad).await).await;
    assert_eq!(status, 400);
    assert!(
        body.to_string().contains("custom_fields_values.1.field_id"),
        "{body}"
    );
}

#[tokio::test]
async fn a_lost_lead_keeps_its_loss_reason_only_while_lost() {
    let (_sim, client) = start(unlimited()).await;
    let not_lost = json!({"loss_reason_id": 4_203_748});
    let (status, _, body) = parts(client.patch("/api/v4/leads/9001", &not_lost).await).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("loss_reason_id"), "{body}");
    let unknown = json!({"pipeline_id": 1001, "status_id": 143, "loss_reason_id": 1});
    assert_eq!(
        client.patch("/api/v4/leads/9001", &unknown).await.status(),
        400
    );

    let lost = json!({"pipeline_id": 1001, "status_id": 143, "loss_reason_id": 4_203_748});
    assert_eq!(
        client.patch("/api/v4/leads/9001", &lost).await.status(),
        200
    );
    let (_, _, lead) = parts(client.get("/api/v4/leads/9001?with=loss_reason").await).await;
    assert_eq!(
        (lead["status_id"].as_i64(), lead["loss_reason_id"].as_i64()),
        (Some(143), Some(4_203_748))
    );
    assert_eq!(
        lead["_embedded"]["loss_reason"][0]["name"],
        "Price too high"
    );

    let reopened = json!({"pipeline_id": 1001, "status_id": 2002});
    assert_eq!(
        client.patch("/api/v4/leads/9001", &reopened).await.status(),
        200
    );
    let (_, _, lead) = parts(client.get("/api/v4/leads/9001").await).await;
    assert!(lead["loss_reason_id"].is_null(), "{lead}");
}

#[tokio::test]
async fn a_field_change_records_its_event_filterable_per_field() {
    let (_sim, client) = start(unlimited()).await;
    let patch =
        json!({"custom_fields_values": [{"field_id": 5002, "values": [{"enum_id": 6002}]}]});
    assert_eq!(
        client.patch("/api/v4/leads/9002", &patch).await.status(),
        200
    );
    // The same value again records nothing.
    assert_eq!(
        client.patch("/api/v4/leads/9002", &patch).await.status(),
        200
    );
    let changes = lead_events(&client, 9002, "&filter[type]=custom_field_value_changed").await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        changes[0]["value_after"],
        json!([{"custom_field_value": {"field_id": 5002, "enum_id": 6002, "text": "Instagram"}}])
    );
    // A batch PATCH records the same events for each lead it changes.
    let batch = json!([{"id": 9003, "custom_fields_values": [{"field_id": 5002, "values": [{"enum_id": 6003}]}]}]);
    assert_eq!(client.patch("/api/v4/leads", &batch).await.status(), 200);
    let batched = lead_events(
        &client,
        9003,
        "&filter[type]=custom_field_5002_value_changed",
    )
    .await;
    assert_eq!(
        batched[0]["value_after"][0]["custom_field_value"]["text"],
        "Website"
    );
    let per_field = lead_events(
        &client,
        9002,
        "&filter[type]=custom_field_5002_value_changed",
    )
    .await;
    assert_eq!(per_field.len(), 1);
    assert!(
        lead_events(
            &client,
            9002,
            "&filter[type]=custom_field_5003_value_changed"
        )
        .await
        .is_empty()
    );
}

#[tokio::test]
async fn a_sending_bot_leaves_an_outgoing_message_in_the_history() {
    let (sim, client) = start(unlimited()).await;
    let run = json!({"entity_id": 9002, "entity_type": "leads"});
    // A bot that sends nothing leaves no message.
    assert_eq!(
        client.post("/api/v4/bots/401/run", &run).await.status(),
        202
    );
    let outgoing = "&filter[type]=outgoing_chat_message";
    assert!(lead_events(&client, 9002, outgoing).await.is_empty());

    assert!(sim.state().set_bot_sends_field(SUB, 401, 5003));
    let text = json!({"custom_fields_values": [{"field_id": 5003, "values": [{"value": "Hola"}]}]});
    assert_eq!(
        client.patch("/api/v4/leads/9002", &text).await.status(),
        200
    );
    assert_eq!(
        client.post("/api/v4/bots/401/run", &run).await.status(),
        202
    );
    let sent = lead_events(&client, 9002, outgoing).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["created_by"], 0);
    assert_eq!(
        sent[0]["value_after"][0]["message"]["origin"],
        "com.amocrm.amocrmwa"
    );
    assert!(
        !sent[0].to_string().contains("Hola"),
        "Kommo's event never holds the text"
    );
}
