//! Tests of a lead PATCH's tags, price and typed custom-field values, through HTTP.

use crate::testkit::*;
use serde_json::{Value, json};

fn tags(lead: &Value) -> Vec<(i64, String)> {
    lead["_embedded"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_i64().unwrap(),
                t["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn named(list: &[(i64, &str)]) -> Vec<(i64, String)> {
    list.iter().map(|(id, n)| (*id, (*n).to_owned())).collect()
}

fn errors(body: &Value) -> Vec<(String, String)> {
    body["validation-errors"][0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap().to_owned(),
                e["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn tags_to_add_and_delete_by_id_and_name_keep_the_others() {
    let (sim, client) = start(unlimited()).await;
    let patch = |body: Value| {
        let client = &client;
        async move { client.patch("/api/v4/leads/9001", &body).await }
    };
    assert_eq!(
        patch(json!({"tags_to_add": [{"id": 2}]})).await.status(),
        200
    );
    // an unknown name creates the tag; a known one (any case) reuses it
    let (status, _, _) =
        parts(patch(json!({"tags_to_add": [{"name": "New Tag"}, {"name": "HOT LEAD"}]})).await)
            .await;
    assert_eq!(status, 200);
    let lead = sim.state().lead(SUB, 9001).unwrap();
    assert_eq!(
        tags(&lead),
        named(&[
            (1, "whatsapp"),
            (2, "vip"),
            (101, "New Tag"),
            (3, "hot lead")
        ])
    );
    // adding again changes nothing; the new tag is in the registry by id now
    assert_eq!(
        patch(json!({"tags_to_add": [{"id": 101}]})).await.status(),
        200
    );
    assert_eq!(tags(&sim.state().lead(SUB, 9001).unwrap()).len(), 4);
    assert_eq!(
        patch(json!({"tags_to_delete": [{"name": "new tag"}, {"id": 1}]}))
            .await
            .status(),
        200
    );
    let lead = sim.state().lead(SUB, 9001).unwrap();
    assert_eq!(tags(&lead), named(&[(2, "vip"), (3, "hot lead")]));
    // _embedded.tags replaces the whole list; null detaches all
    assert_eq!(
        patch(json!({"_embedded": {"tags": [{"name": "follow-up"}]}}))
            .await
            .status(),
        200
    );
    assert_eq!(
        tags(&sim.state().lead(SUB, 9001).unwrap()),
        named(&[(4, "follow-up")])
    );
    assert_eq!(
        patch(json!({"_embedded": {"tags": null}})).await.status(),
        200
    );
    assert!(tags(&sim.state().lead(SUB, 9001).unwrap()).is_empty());
}

#[tokio::test]
async fn bad_tags_and_prices_are_validation_errors_that_change_nothing() {
    let (sim, client) = start(unlimited()).await;
    for (body, expected) in [
        (
            json!({"tags_to_add": [{"id": 999}]}),
            ("NotSupportedChoice", "tags_to_add.0.id"),
        ),
        (
            json!({"tags_to_add": [{"id": "2"}]}),
            ("InvalidType", "tags_to_add.0.id"),
        ),
        (
            json!({"tags_to_add": [{"name": " "}]}),
            ("NotBlank", "tags_to_add.0.name"),
        ),
        (
            json!({"tags_to_add": [{"name": "x".repeat(256)}]}),
            ("TooLong", "tags_to_add.0.name"),
        ),
        (
            json!({"tags_to_delete": {"id": 1}}),
            ("InvalidType", "tags_to_delete"),
        ),
        (
            json!({"tags_to_add": [{}]}),
            ("InvalidType", "tags_to_add.0"),
        ),
        (json!({"price": 12.5}), ("InvalidType", "price")),
        (json!({"price": "100"}), ("InvalidType", "price")),
        (json!({"price": -1}), ("TooLow", "price")),
        (json!({"price": 2_147_483_648u64}), ("InvalidType", "price")),
    ] {
        let (status, _, answer) = parts(client.patch("/api/v4/leads/9001", &body).await).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            errors(&answer),
            [(expected.0.to_owned(), expected.1.to_owned())],
            "{body}"
        );
    }
    let lead = sim.state().lead(SUB, 9001).unwrap();
    assert_eq!(lead["price"], 1500);
    assert_eq!(tags(&lead), named(&[(1, "whatsapp")]));
    assert_eq!(
        client
            .patch("/api/v4/leads/9001", &json!({"price": 2_147_483_647}))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn custom_field_values_by_type() {
    let (sim, client) = start(unlimited()).await;
    let set = |field: i64, values: Value| json!({"custom_fields_values": [{"field_id": field, "values": values}]});
    let good = [
        (
            set(5005, json!([{"enum_id": 6012}, {"value": "Support"}])),
            5005,
            json!([{"value": "Demo", "enum_id": 6012, "enum_code": null}, {"value": "Support", "enum_id": 6013, "enum_code": null}]),
        ),
        (
            set(5006, json!([{"enum_id": 6023}])),
            5006,
            json!([{"value": "High", "enum_id": 6023, "enum_code": null}]),
        ),
        (
            set(5007, json!([{"value": 40}])),
            5007,
            json!([{"value": "40"}]),
        ),
        (
            set(5007, json!([{"value": "12.5"}])),
            5007,
            json!([{"value": "12.5"}]),
        ),
        (
            set(5008, json!([{"value": "https://acme.example"}])),
            5008,
            json!([{"value": "https://acme.example"}]),
        ),
        (
            set(5009, json!([{"value": "y".repeat(300)}])),
            5009,
            json!([{"value": "y".repeat(300)}]),
        ),
        (
            set(5010, json!([{"value": 1_900_000_000}])),
            5010,
            json!([{"value": 1_900_000_000}]),
        ),
        (
            set(5011, json!([{"value": "946684800"}])),
            5011,
            json!([{"value": 946_684_800}]),
        ),
        (
            json!({"custom_fields_values": [{"field_code": "EMPLOYEES", "values": [{"value": 7}]}]}),
            5007,
            json!([{"value": "7"}]),
        ),
    ];
    for (body, field, stored) in good {
        let (status, _, answer) = parts(client.patch("/api/v4/leads/9003", &body).await).await;
        assert_eq!(status, 200, "{body}: {answer}");
        let lead = sim.state().lead(SUB, 9003).unwrap();
        let value = lead["custom_fields_values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field_id"] == field)
            .cloned()
            .unwrap();
        assert_eq!(value["values"], stored, "{body}");
    }
    for (body, path, code) in [
        (
            set(5005, json!([{"enum_id": 6012}, {"enum_id": 6999}])),
            "custom_fields_values.0.values.1.enum_id",
            "NotSupportedChoice",
        ),
        (
            set(5006, json!([{"value": "Urgent"}])),
            "custom_fields_values.0.values.0.enum_id",
            "NotSupportedChoice",
        ),
        (
            set(5007, json!([{"value": "many"}])),
            "custom_fields_values.0.values.0.value",
            "InvalidType",
        ),
        (
            set(5008, json!([{"value": 5}])),
            "custom_fields_values.0.values.0.value",
            "InvalidType",
        ),
        (
            set(5010, json!([{"value": "2026-12-24"}])),
            "custom_fields_values.0.values.0.value",
            "InvalidType",
        ),
        (
            set(5012, json!([{"value": "yes"}])),
            "custom_fields_values.0.values.0.value",
            "InvalidType",
        ),
        (
            json!({"custom_fields_values": [{"field_code": "NOPE", "values": [{"value": 1}]}]}),
            "custom_fields_values.0.field_id",
            "NotSupportedChoice",
        ),
    ] {
        let (status, _, answer) = parts(client.patch("/api/v4/leads/9003", &body).await).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            errors(&answer),
            [(code.to_owned(), path.to_owned())],
            "{body}"
        );
    }
    let (_, _, listed) = parts(client.get("/api/v4/leads/custom_fields?limit=250").await).await;
    let fields = listed["_embedded"]["custom_fields"].as_array().unwrap();
    let interests = fields.iter().find(|f| f["id"] == 5005).unwrap();
    assert_eq!(
        (
            interests["type"].clone(),
            interests["code"].clone(),
            interests["enums"][1].clone()
        ),
        (
            json!("multiselect"),
            json!("INTERESTS"),
            json!({"id": 6012, "value": "Demo", "sort": 2})
        )
    );
    let types: Vec<&str> = fields[..12]
        .iter()
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "checkbox",
            "select",
            "text",
            "date",
            "multiselect",
            "radiobutton",
            "numeric",
            "url",
            "textarea",
            "date_time",
            "birthday",
            "checkbox"
        ]
    );
}

#[tokio::test]
async fn address_parts_files_and_catalog_links_are_stored_as_kommo_answers_them() {
    let (sim, client) = start(unlimited()).await;
    let body = json!({"custom_fields_values": [
        {"field_id": 5020, "values": [
            {"value": "Rua Augusta 500", "enum_code": "address_line_1"},
            {"value": "São Paulo", "enum_id": 3},
        ]},
        {"field_id": 5021, "values": [{"value": {"file_uuid": "u-1", "file_name": "a.pdf"}}]},
        {"field_id": 5022, "values": [{"catalog_id": 1001, "catalog_element_id": 7}]},
    ]});
    let (status, _, _) = parts(client.patch("/api/v4/leads/9001", &body).await).await;
    assert_eq!(status, 200);
    let lead = sim.state().lead(SUB, 9001).unwrap();
    let values = |id: i64| {
        lead["custom_fields_values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field_id"] == id)
            .unwrap()["values"]
            .clone()
    };
    assert_eq!(
        values(5020),
        json!([
            {"value": "Rua Augusta 500", "enum_id": 1, "enum_code": "address_line_1"},
            {"value": "São Paulo", "enum_id": 3, "enum_code": "city"},
        ])
    );
    assert_eq!(
        values(5021),
        json!([{"value": {"file_uuid": "u-1", "file_name": "a.pdf"}}])
    );
    assert_eq!(
        values(5022),
        json!([{"catalog_id": 1001, "catalog_element_id": 7}])
    );

    let bad = json!({"custom_fields_values": [
        {"field_id": 5020, "values": [{"value": "x", "enum_code": "planet"}]},
    ]});
    let (status, _, body) = parts(client.patch("/api/v4/leads/9001", &bad).await).await;
    assert_eq!(status, 400);
    assert_eq!(
        errors(&body),
        [(
            "NotSupportedChoice".to_owned(),
            "custom_fields_values.0.values.0.enum_code".to_owned()
        )]
    );
}
