//! Tests of the simulator's Kommo routes, through HTTP.

use crate::testkit::*;
use crate::{MissingLead, seed};
use serde_json::{Value, json};

const HAL: &str = "application/hal+json";
const PROBLEM: &str = "application/problem+json";

fn unauthorized_body() -> Value {
    json!({"title":"Unauthorized","type":"https://httpstatus.es/401","status":401,"detail":"Invalid user name or password"})
}

#[tokio::test]
async fn missing_wrong_token_and_unknown_account_are_401() {
    let (sim, client) = start(unlimited()).await;
    let url = format!("{}/api/v4/leads/9001", client.base);
    let no_token = client.http.get(&url).send().await.unwrap();
    assert!(no_token.headers().contains_key("x-request-id"));
    let wrong = client
        .http
        .get(&url)
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    let unknown = client
        .http
        .get(format!("{}/other/api/v4/leads/9001", client.root))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    for response in [no_token, wrong, unknown] {
        assert_eq!(
            parts(response).await,
            (401, Some(PROBLEM.into()), unauthorized_body())
        );
    }
    let log = sim.state().requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].authorization, None);
    assert_eq!(log[1].authorization.as_deref(), Some("Bearer nope"));
    assert_eq!(log[2].subdomain, "other");
    assert!(
        log.iter()
            .all(|r| r.status == 401 && r.path == "/api/v4/leads/9001")
    );
}

#[tokio::test]
async fn get_lead_shape() {
    let (sim, client) = start(unlimited()).await;
    let (status, ct, lead) = parts(client.get("/api/v4/leads/9001").await).await;
    assert_eq!((status, ct.as_deref()), (200, Some(HAL)));
    assert_eq!(lead["id"], 9001);
    assert_eq!(lead["name"], "Maria Gonzalez — WhatsApp inquiry");
    assert_eq!(lead["price"], 1500);
    assert_eq!(
        (lead["pipeline_id"].clone(), lead["status_id"].clone()),
        (json!(1001), json!(2002))
    );
    assert_eq!(lead["responsible_user_id"], seed::USER_ID);
    for key in [
        "loss_reason_id",
        "closed_at",
        "closest_task_at",
        "score",
        "labor_cost",
    ] {
        assert!(lead[key].is_null(), "{key}");
    }
    assert_eq!(lead["is_deleted"], false);
    assert_eq!(
        lead["_links"]["self"]["href"],
        format!("{}/api/v4/leads/9001", client.base)
    );
    assert_eq!(
        lead["_embedded"],
        json!({"tags":[{"id":1,"name":"whatsapp","color":null}],"companies":[]})
    );
    assert_eq!(
        lead["custom_fields_values"],
        json!([
            {"field_id":5002,"field_name":"Source","field_code":null,"field_type":"select","values":[{"value":"WhatsApp","enum_id":6001,"enum_code":null}]},
            {"field_id":5001,"field_name":"AI agent paused","field_code":null,"field_type":"checkbox","values":[{"value":false}]}
        ])
    );
    assert_eq!(sim.state().lead(SUB, 9001).unwrap(), lead);
    let (_, _, plain) = parts(client.get("/api/v4/leads/9002").await).await;
    assert!(plain["custom_fields_values"].is_null());
    let (_, _, closed) = parts(client.get("/api/v4/leads/9005").await).await;
    assert!(closed["closed_at"].is_i64());
}

#[tokio::test]
async fn missing_lead_204_or_404_and_bad_ids_404() {
    let (sim, client) = start(unlimited()).await;
    assert_eq!(
        parts(client.get("/api/v4/leads/9006").await).await,
        (204, None, Value::Null)
    );
    sim.state().set_missing_lead(MissingLead::NotFound);
    let (status, ct, body) = parts(client.get("/api/v4/leads/9006").await).await;
    assert_eq!((status, ct.as_deref()), (404, Some(PROBLEM)));
    assert_eq!(
        body,
        json!({"title":"Not Found","type":"https://httpstatus.es/404","status":404,"detail":"Lead not found"})
    );
    for bad in ["abc", "0", "-5"] {
        let (status, ct, _) = parts(client.get(&format!("/api/v4/leads/{bad}")).await).await;
        assert_eq!((status, ct.as_deref()), (404, Some(PROBLEM)), "{bad}");
    }
    let (status, _, body) = parts(client.get("/api/v4/nothing").await).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (404, Some("Cannot GET /api/v4/nothing"))
    );
}

#[tokio::test]
async fn patch_moves_lead_and_get_reflects_it() {
    let (sim, client) = start(unlimited()).await;
    let before = sim.state().lead(SUB, 9003).unwrap();
    let (status, ct, body) = parts(
        client
            .patch(
                "/api/v4/leads/9003",
                &json!({"pipeline_id":1001,"status_id":2004}),
            )
            .await,
    )
    .await;
    assert_eq!((status, ct.as_deref()), (200, Some(HAL)));
    assert_eq!(body["id"], 9003);
    assert!(body["updated_at"].as_i64().unwrap() >= before["updated_at"].as_i64().unwrap());
    assert_eq!(
        body["_links"]["self"]["href"],
        format!("{}/api/v4/leads/9003", client.base)
    );
    let (_, _, lead) = parts(client.get("/api/v4/leads/9003").await).await;
    assert_eq!(
        (lead["status_id"].clone(), lead["updated_by"].clone()),
        (json!(2004), json!(0))
    );
    assert!(lead["closed_at"].is_null());
    // status alone from another pipeline moves the lead there
    assert_eq!(
        client
            .patch("/api/v4/leads/9003", &json!({"status_id":3003}))
            .await
            .status(),
        200
    );
    let lead = sim.state().lead(SUB, 9003).unwrap();
    assert_eq!(
        (lead["pipeline_id"].clone(), lead["status_id"].clone()),
        (json!(1002), json!(3003))
    );
    // closing with pipeline sets closed_at
    assert_eq!(
        client
            .patch(
                "/api/v4/leads/9003",
                &json!({"pipeline_id":1002,"status_id":143})
            )
            .await
            .status(),
        200
    );
    let lead = sim.state().lead(SUB, 9003).unwrap();
    assert_eq!(lead["status_id"], 143);
    assert!(lead["closed_at"].is_i64());
    // recorded with the body
    let last = sim.state().requests().pop().unwrap();
    assert_eq!((last.method.as_str(), last.status), ("PATCH", 200));
    assert_eq!(last.body, Some(json!({"pipeline_id":1002,"status_id":143})));
}

fn validation(code: &str, path: &str) -> Value {
    let detail = match code {
        "NotSupportedChoice" => "The value you selected is not a valid choice.",
        "InvalidType" => "This value should be of type valid.",
        _ => "This value is too long. It should have 256 characters or less.",
    };
    json!({"validation-errors":[{"request_id":"0","errors":[{"code":code,"path":path,"detail":detail}]}],"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Request validation failed"})
}

#[tokio::test]
async fn patch_validation_errors() {
    let (sim, client) = start(unlimited()).await;
    let long = "x".repeat(257);
    let cases = [
        (json!({"status_id":9999}), "NotSupportedChoice", "status_id"),
        (
            json!({"pipeline_id":1001,"status_id":3002}),
            "NotSupportedChoice",
            "status_id",
        ),
        (json!({"status_id":142}), "NotSupportedChoice", "status_id"),
        (
            json!({"pipeline_id":4242,"status_id":2002}),
            "NotSupportedChoice",
            "pipeline_id",
        ),
        (
            json!({"pipeline_id":"1001","status_id":2002}),
            "InvalidType",
            "pipeline_id",
        ),
        (
            json!({"pipeline_id":1001,"status_id":"2002"}),
            "InvalidType",
            "status_id",
        ),
        (
            json!({"custom_fields_values":[{"field_id":1,"values":[{"value":true}]}]}),
            "NotSupportedChoice",
            "custom_fields_values.0.field_id",
        ),
        (
            json!({"custom_fields_values":[{"field_id":5003,"values":[{"value":"ok"}]},{"field_id":5001,"values":[{"value":"true"}]}]}),
            "InvalidType",
            "custom_fields_values.1.values.0.value",
        ),
        (
            json!({"custom_fields_values":[{"field_id":5003,"values":[{"value":long}]}]}),
            "TooLong",
            "custom_fields_values.0.values.0.value",
        ),
        (
            json!({"custom_fields_values":[{"field_id":5002,"values":[{"enum_id":6009}]}]}),
            "NotSupportedChoice",
            "custom_fields_values.0.values.0.enum_id",
        ),
    ];
    for (body, code, path) in cases {
        let (status, ct, answer) = parts(client.patch("/api/v4/leads/9001", &body).await).await;
        assert_eq!((status, ct.as_deref()), (400, Some(PROBLEM)), "{body}");
        assert_eq!(answer, validation(code, path), "{body}");
    }
    let plain = |detail: &str| json!({"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":detail});
    let empty = client
        .req(reqwest::Method::PATCH, "/api/v4/leads/9001")
        .send()
        .await
        .unwrap();
    assert_eq!(parts(empty).await.2, plain("Request data can not be empty"));
    assert_eq!(
        parts(client.patch("/api/v4/leads/9001", &json!({})).await)
            .await
            .2,
        plain("Request data can not be empty")
    );
    let array = client
        .patch("/api/v4/leads/9001", &json!([{"status_id":2003}]))
        .await;
    assert_eq!(parts(array).await.2, plain("Invalid request body"));
    let garbage = client
        .req(reqwest::Method::PATCH, "/api/v4/leads/9001")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(parts(garbage).await.0, 400);
    let missing = client
        .patch("/api/v4/leads/9006", &json!({"status_id":2003}))
        .await;
    assert_eq!(parts(missing).await.2["detail"], "Lead not found");
    // nothing changed, and the text field of the failed batch was not written
    let lead = sim.state().lead(SUB, 9001).unwrap();
    assert_eq!(
        (
            lead["status_id"].clone(),
            lead["custom_fields_values"].as_array().unwrap().len()
        ),
        (json!(2002), 2)
    );
}

#[tokio::test]
async fn checkbox_set_false_and_clear() {
    let (sim, client) = start(unlimited()).await;
    let set = |v: Value| json!({"custom_fields_values":[{"field_id":5001,"values":v}]});
    let paused = |lead: &Value| {
        lead["custom_fields_values"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["field_id"] == 5001).cloned())
    };
    assert_eq!(
        client
            .patch("/api/v4/leads/9003", &set(json!([{"value":true}])))
            .await
            .status(),
        200
    );
    let lead = sim.state().lead(SUB, 9003).unwrap();
    assert_eq!(paused(&lead).unwrap()["values"], json!([{"value":true}]));
    assert_eq!(
        client
            .patch("/api/v4/leads/9003", &set(json!([{"value":false}])))
            .await
            .status(),
        200
    );
    let lead = sim.state().lead(SUB, 9003).unwrap();
    assert_eq!(paused(&lead).unwrap()["values"], json!([{"value":false}]));
    // clearing one field leaves the others alone
    assert_eq!(
        client
            .patch("/api/v4/leads/9001", &set(Value::Null))
            .await
            .status(),
        200
    );
    let lead = sim.state().lead(SUB, 9001).unwrap();
    assert!(paused(&lead).is_none());
    assert_eq!(lead["custom_fields_values"][0]["field_id"], 5002);
    assert_eq!(
        client
            .patch("/api/v4/leads/9004", &set(Value::Null))
            .await
            .status(),
        200
    );
    assert!(sim.state().lead(SUB, 9004).unwrap()["custom_fields_values"].is_null());
}

#[tokio::test]
async fn notes_post_and_get() {
    let (sim, client) = start(unlimited()).await;
    assert_eq!(client.get("/api/v4/leads/9002/notes").await.status(), 204);
    let note = json!([{"note_type":"common","params":{"text":"Called the client"}}]);
    let (status, ct, body) = parts(client.post("/api/v4/leads/9002/notes", &note).await).await;
    assert_eq!((status, ct.as_deref()), (200, Some(HAL)));
    let created = &body["_embedded"]["notes"][0];
    assert_eq!(
        (
            created["id"].clone(),
            created["entity_id"].clone(),
            created["request_id"].clone()
        ),
        (json!(70001), json!(9002), json!("0"))
    );
    assert!(
        body["_links"]["self"]["href"].is_string() && created["_links"]["self"]["href"].is_string()
    );
    let (status, _, list) = parts(client.get("/api/v4/leads/9002/notes").await).await;
    assert_eq!(status, 200);
    let stored = &list["_embedded"]["notes"][0];
    assert_eq!(stored["params"], json!({"text":"Called the client"}));
    assert_eq!(
        (stored["note_type"].clone(), stored["created_by"].clone()),
        (json!("common"), json!(0))
    );
    assert_eq!(stored["responsible_user_id"], seed::USER_ID);
    assert_eq!(sim.state().notes(SUB, 9002), vec![stored.clone()]);
    // refusals
    let text_err = parts(
        client
            .post(
                "/api/v4/leads/9002/notes",
                &json!([{"note_type":"common","text":"top level"}]),
            )
            .await,
    )
    .await;
    assert_eq!(text_err.0, 400);
    assert_eq!(
        text_err.2["validation-errors"][0]["errors"][0]["path"],
        "params.text"
    );
    let type_err = parts(
        client
            .post(
                "/api/v4/leads/9002/notes",
                &json!([{"note_type":"shout","params":{"text":"x"}}]),
            )
            .await,
    )
    .await;
    assert_eq!(
        type_err.2["validation-errors"][0]["errors"][0]["path"],
        "note_type"
    );
    assert_eq!(
        client
            .post("/api/v4/leads/9002/notes", &json!([]))
            .await
            .status(),
        400
    );
    assert_eq!(
        client
            .post("/api/v4/leads/9002/notes", &json!({"note_type":"common"}))
            .await
            .status(),
        400
    );
    let missing = parts(client.post("/api/v4/leads/9006/notes", &note).await).await;
    assert_eq!(
        (missing.0, missing.2["detail"].as_str()),
        (404, Some("Lead not found"))
    );
    assert_eq!(sim.state().notes(SUB, 9002).len(), 1);
    // the entity_id form
    let batch = json!([{"entity_id":9001,"note_type":"common","params":{"text":"a"}}]);
    let (status, _, body) = parts(client.post("/api/v4/leads/notes", &batch).await).await;
    assert_eq!(
        (status, body["_embedded"]["notes"][0]["id"].clone()),
        (200, json!(70002))
    );
    assert_eq!(sim.state().notes(SUB, 9001).len(), 1);
}

#[tokio::test]
async fn custom_fields_pages_follow_next() {
    let (_sim, client) = start(unlimited()).await;
    let (status, ct, first) = parts(client.get("/api/v4/leads/custom_fields").await).await;
    assert_eq!((status, ct.as_deref()), (200, Some(HAL)));
    assert_eq!(
        (first["_total_items"].clone(), first["_page"].clone()),
        (json!(60), json!(1))
    );
    let fields = first["_embedded"]["custom_fields"].as_array().unwrap();
    assert_eq!(fields.len(), 50);
    assert_eq!(fields[0]["type"], "checkbox");
    assert_eq!(
        fields[1]["enums"][0],
        json!({"id":6001,"value":"WhatsApp","sort":500})
    );
    assert!(fields[2]["enums"].is_null());
    assert_eq!(fields[0]["entity_type"], "leads");
    let next = first["_links"]["next"]["href"].as_str().unwrap();
    let second = client
        .http
        .get(next)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let (status, _, second) = parts(second).await;
    assert_eq!(status, 200);
    assert_eq!(
        second["_embedded"]["custom_fields"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    assert!(second["_links"].get("next").is_none());
    assert_eq!(
        client
            .get("/api/v4/leads/custom_fields?page=3")
            .await
            .status(),
        204
    );
    // at most 50 a page; a larger limit still sets where page 2 starts (past the end here)
    let (_, _, big) = parts(client.get("/api/v4/leads/custom_fields?limit=1000").await).await;
    assert_eq!(
        big["_embedded"]["custom_fields"].as_array().unwrap().len(),
        50
    );
    assert!(big["_links"].get("next").is_none());
    assert_eq!(
        client
            .get("/api/v4/leads/custom_fields?page=2&limit=250")
            .await
            .status(),
        204
    );
    assert_eq!(
        client
            .get("/api/v4/leads/custom_fields/5001")
            .await
            .status(),
        200
    );
    assert_eq!(
        client.get("/api/v4/leads/custom_fields/1").await.status(),
        404
    );
}

#[tokio::test]
async fn pipelines_and_account() {
    let (_sim, client) = start(unlimited()).await;
    let (status, ct, body) = parts(client.get("/api/v4/leads/pipelines").await).await;
    assert_eq!((status, ct.as_deref()), (200, Some(HAL)));
    assert_eq!(body["_total_items"], 2);
    for p in body["_embedded"]["pipelines"].as_array().unwrap() {
        let statuses = p["_embedded"]["statuses"].as_array().unwrap();
        assert_eq!(
            (statuses[0]["type"].clone(), statuses[0]["name"].clone()),
            (json!(1), json!("Incoming leads"))
        );
        for (id, name, sort) in [(142, "Closed - won", 10000), (143, "Closed - lost", 11000)] {
            let s = statuses.iter().find(|s| s["id"] == id).unwrap();
            assert_eq!(
                (
                    s["name"].clone(),
                    s["sort"].clone(),
                    s["is_editable"].clone(),
                    s["type"].clone()
                ),
                (json!(name), json!(sort), json!(false), json!(0))
            );
            assert_eq!(s["pipeline_id"], p["id"]);
        }
    }
    let (status, _, support) = parts(client.get("/api/v4/leads/pipelines/1002").await).await;
    assert_eq!(
        (status, support["name"].clone(), support["is_main"].clone()),
        (200, json!("Support"), json!(false))
    );
    let (status, _, missing) = parts(client.get("/api/v4/leads/pipelines/77").await).await;
    assert_eq!(
        (status, missing["detail"].as_str()),
        (404, Some("Pipeline not found"))
    );
    let (status, _, statuses) =
        parts(client.get("/api/v4/leads/pipelines/1001/statuses").await).await;
    assert_eq!((status, statuses["_total_items"].clone()), (200, json!(6)));
    let (status, _, account) = parts(client.get("/api/v4/account").await).await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            account["subdomain"].clone(),
            account["current_user_id"].clone(),
            account["currency"].clone()
        ),
        (json!(SUB), json!(seed::USER_ID), json!("USD"))
    );
    assert_eq!(
        (account["name"].clone(), account["country"].clone()),
        (json!("Demo Company"), json!("AR"))
    );
}

#[tokio::test]
async fn lead_tags_are_searched_filtered_paged_and_created() {
    let (_sim, client) = start(unlimited()).await;
    let names = |body: &Value| -> Vec<String> {
        body["_embedded"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    // query: part of a name, case and accents aside
    let (status, _, found) = parts(
        client
            .get("/api/v4/leads/tags?query=%D0%A2%D0%95%D0%A1")
            .await,
    )
    .await;
    assert_eq!((status, names(&found)), (200, vec!["тест".to_owned()]));
    let (_, _, found) = parts(client.get("/api/v4/leads/tags?query=PROMOCAO").await).await;
    assert_eq!(names(&found), ["Promoção"]);
    // filter[name] is one exact name; filter[id] ids
    let (_, _, found) = parts(client.get("/api/v4/leads/tags?filter%5Bname%5D=vip").await).await;
    assert_eq!(names(&found), ["vip"]);
    assert_eq!(
        client
            .get("/api/v4/leads/tags?filter%5Bname%5D=VIP")
            .await
            .status(),
        204
    );
    let (_, _, found) = parts(
        client
            .get("/api/v4/leads/tags?filter%5Bid%5D%5B%5D=3")
            .await,
    )
    .await;
    assert_eq!(names(&found), ["hot lead"]);
    // pages, with the query kept in the next link
    let (_, _, first) = parts(client.get("/api/v4/leads/tags?limit=2&query=o").await).await;
    assert_eq!(names(&first), ["hot lead", "follow-up"]);
    let next = first["_links"]["next"]["href"].as_str().unwrap();
    assert!(
        next.ends_with("/api/v4/leads/tags?page=2&limit=2&query=o"),
        "{next}"
    );
    let (_, _, second) = parts(
        client
            .get("/api/v4/leads/tags?page=2&limit=2&query=o")
            .await,
    )
    .await;
    assert_eq!(names(&second), ["Promoção"]);
    assert!(second["_links"].get("next").is_none());
    // creation: a new id, or the tag the account already has (case aside)
    let (status, _, created) = parts(
        client
            .post(
                "/api/v4/leads/tags",
                &json!([{"name": " Nuevo "}, {"name": "VIP"}]),
            )
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        created["_embedded"]["tags"],
        json!([{"id": 101, "name": "Nuevo", "color": null, "request_id": "0"}, {"id": 2, "name": "vip", "color": null, "request_id": "1"}])
    );
    let (status, _, refused) = parts(
        client
            .post("/api/v4/leads/tags", &json!([{"name": " "}]))
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["validation-errors"][0]["errors"][0]["code"],
        "NotBlank"
    );
}
