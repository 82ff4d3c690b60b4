//! The contract suite, part two (issue 23, items 8 and 9): the simulator's own answers
//! (crates/kommo-sim) have the same shape as the answers real Kommo accounts gave or Kommo
//! documents (`tests/fixtures/kommo/`), endpoint by endpoint, with the comparer of
//! `contract_compare.rs`. Where a documentation example is known to be wrong, the reference
//! is the recorded answer (SOURCES.md, "What the checks compare").

use kommo_sim::Simulator;
use serde_json::{Value, json};

use crate::contract_compare::differences;
use crate::support::replay::fixture;
use crate::support::{SUBDOMAIN, TOKEN, simulator};

/// The seeded lead that holds a value of every field type.
const EVERY_TYPE_LEAD: i64 = kommo_sim::seed::EVERY_TYPE_LEAD_ID;

async fn send(sim: &Simulator, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!(
        "{}{path}",
        sim.base_url_template().replace("{subdomain}", SUBDOMAIN)
    );
    let client = reqwest::Client::new();
    let mut request = client
        .request(method.parse().unwrap(), url)
        .bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn get(sim: &Simulator, path: &str) -> Value {
    let (status, body) = send(sim, "GET", path, None).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

fn assert_same_shape(what: &str, reference: &Value, actual: &Value) {
    let found = differences(reference, actual);
    assert!(
        found.is_empty(),
        "{what}: the simulator's answer differs from Kommo's:\n{}\n{actual}",
        found.join("\n")
    );
}

/// The reference lead of a list (its first element).
fn first_lead(list: &Value) -> Value {
    list["_embedded"]["leads"][0].clone()
}

#[tokio::test]
async fn leads_have_the_shape_of_the_recorded_and_documented_leads() {
    let sim = simulator().await;
    let recorded = fixture("rec_leads_list_numeric_select_tracking.json");
    let list = get(&sim, "/api/v4/leads?limit=2&page=1").await;
    assert_same_shape("GET /api/v4/leads", &recorded, &list);
    let with_contacts = get(&sim, "/api/v4/leads?with=contacts&limit=2&page=1").await;
    assert_same_shape(
        "GET /api/v4/leads?with=contacts",
        &fixture("constructed_leads_list_with_contacts.json"),
        &with_contacts,
    );

    // one seeded lead holds every field type; each value has the shape Kommo gives it
    let every_type = fixture("constructed_lead_every_field_type.json");
    let lead = get(
        &sim,
        &format!("/api/v4/leads/{EVERY_TYPE_LEAD}?with=contacts"),
    )
    .await;
    assert_same_shape("GET /api/v4/leads/{id}", &every_type, &lead);
    for recorded_lead in [
        first_lead(&recorded),
        fixture("rec_lead_utc_minus3_date_field.json"),
        fixture("rec_lead_brazil_birthday_date_time.json"),
    ] {
        assert_same_shape("GET /api/v4/leads/{id}", &recorded_lead, &lead);
    }
    let reference_types: Vec<&str> = every_type["custom_fields_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field_type"].as_str().unwrap())
        .collect();
    let seeded_types: Vec<&str> = lead["custom_fields_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field_type"].as_str().unwrap())
        .collect();
    for kind in &reference_types {
        assert!(
            seeded_types.contains(kind),
            "no seeded value of type {kind}: {seeded_types:?}"
        );
    }
    // numbers as strings, as Kommo sends them
    for field in lead["custom_fields_values"].as_array().unwrap() {
        if matches!(field["field_type"].as_str(), Some("numeric" | "monetary")) {
            assert!(field["values"][0]["value"].is_string(), "{field}");
        }
    }
}

#[tokio::test]
async fn contacts_have_phone_and_email_kinds_as_enum_codes() {
    let sim = simulator().await;
    let contacts = get(&sim, "/api/v4/contacts?limit=3&page=1").await;
    assert_same_shape(
        "GET /api/v4/contacts",
        &fixture("constructed_contacts_list_enum_codes.json"),
        &contacts,
    );
    // the recorded MOB phone, not the documentation's "enum" (SOURCES.md, 8)
    let recorded_phone =
        json!({"_embedded": {"contacts": [fixture("rec_contact_phone_field_mob.json")]}});
    assert_same_shape("GET /api/v4/contacts", &recorded_phone, &contacts);
    let one = get(&sim, "/api/v4/contacts/8001").await;
    assert_same_shape(
        "GET /api/v4/contacts/{id}",
        &fixture("constructed_contacts_list_enum_codes.json")["_embedded"]["contacts"][0],
        &one,
    );
}

#[tokio::test]
async fn account_pipelines_fields_and_tags_have_kommos_shapes() {
    let sim = simulator().await;
    assert_same_shape(
        "GET /api/v4/account?with=datetime_settings",
        &fixture("constructed_account_datetime_settings_buenos_aires.json"),
        &get(&sim, "/api/v4/account?with=datetime_settings").await,
    );
    let account = get(&sim, "/api/v4/account?with=datetime_settings").await;
    assert_eq!(
        account["_embedded"]["datetime_settings"]["timezone"],
        "America/Argentina/Buenos_Aires"
    );
    assert_same_shape(
        "GET /api/v4/leads/pipelines",
        &fixture("docs_pipelines_list.json"),
        &get(&sim, "/api/v4/leads/pipelines").await,
    );
    assert_same_shape(
        "GET /api/v4/leads/pipelines/{id}/statuses",
        &fixture("docs_pipeline_statuses_list.json"),
        &get(&sim, "/api/v4/leads/pipelines/1001/statuses").await,
    );
    let fields = get(&sim, "/api/v4/leads/custom_fields?limit=50&page=1").await;
    for reference in [
        "constructed_leads_custom_fields_page1.json",
        "docs_leads_custom_fields_list_paged.json",
    ] {
        assert_same_shape(
            "GET /api/v4/leads/custom_fields",
            &fixture(reference),
            &fields,
        );
    }
    assert!(fields["_links"]["next"]["href"].is_string(), "{fields}");
    let last = get(&sim, "/api/v4/leads/custom_fields?limit=50&page=2").await;
    assert!(last["_links"].get("next").is_none(), "{last}");
    assert_same_shape(
        "GET /api/v4/leads/tags",
        &fixture("docs_leads_tags_list.json"),
        &get(&sim, "/api/v4/leads/tags?page=1&limit=50").await,
    );
    assert_same_shape(
        "GET /api/v4/tasks",
        &fixture("docs_tasks_list.json"),
        &get(&sim, "/api/v4/tasks").await,
    );
}

#[tokio::test]
async fn write_answers_have_the_documented_shapes() {
    let sim = simulator().await;
    let (status, patched) = send(
        &sim,
        "PATCH",
        "/api/v4/leads/9001",
        Some(json!({"price": 1600})),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    let documented = fixture("docs_leads_patch_answer.json");
    assert_same_shape(
        "PATCH /api/v4/leads/{id}",
        &documented["_embedded"]["leads"][0],
        &patched,
    );

    let (status, note) = send(
        &sim,
        "POST",
        "/api/v4/leads/9001/notes",
        Some(json!([{"note_type": "common", "params": {"text": "Olá"}}])),
    )
    .await;
    assert_eq!(status, 200, "{note}");
    assert_same_shape(
        "POST /api/v4/leads/{id}/notes",
        &fixture("docs_notes_post_answer.json"),
        &note,
    );
    let (status, notes) = send(&sim, "GET", "/api/v4/leads/9001/notes", None).await;
    assert_eq!(status, 200, "{notes}");
    assert_same_shape(
        "GET /api/v4/leads/{id}/notes",
        &fixture("docs_lead_notes_by_entity.json"),
        &notes,
    );

    let (status, task) = send(
        &sim,
        "POST",
        "/api/v4/tasks",
        Some(json!([{"text": "Llamar", "complete_till": 1_900_000_000, "entity_id": 9001, "entity_type": "leads"}])),
    )
    .await;
    assert_eq!(status, 200, "{task}");
    assert_same_shape(
        "POST /api/v4/tasks",
        &fixture("docs_tasks_post_answer.json"),
        &task,
    );

    let (status, tag) = send(
        &sim,
        "POST",
        "/api/v4/leads/tags",
        Some(json!([{"name": "Atenção"}])),
    )
    .await;
    assert_eq!(status, 200, "{tag}");
    assert_same_shape(
        "POST /api/v4/leads/tags",
        &fixture("docs_leads_tags_post_answer.json"),
        &tag,
    );
}

#[tokio::test]
async fn errors_have_kommos_problem_shapes() {
    let sim = simulator().await;
    let (status, invalid) = send(
        &sim,
        "PATCH",
        "/api/v4/leads/9001",
        Some(json!({"custom_fields_values": [{"field_id": 5002, "values": [{"enum_id": 1}]}]})),
    )
    .await;
    assert_eq!(status, 400, "{invalid}");
    assert_same_shape(
        "a 400 validation error",
        &fixture("rec_error_400_validation_not_supported_choice.json"),
        &invalid,
    );
    assert_same_shape(
        "a 400 validation error",
        &fixture("docs_error_400_validation.json"),
        &invalid,
    );
    let (status, missing) = send(&sim, "GET", "/api/v4/leads/pipelines/0/statuses", None).await;
    assert_eq!(status, 404, "{missing}");
    assert_same_shape(
        "a 404",
        &fixture("rec_error_404_pipeline_not_found.json"),
        &missing,
    );
    let url = format!(
        "{}/api/v4/account",
        sim.base_url_template().replace("{subdomain}", SUBDOMAIN)
    );
    let unauthorized = reqwest::Client::new()
        .get(url)
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status().as_u16(), 401);
    let body: Value = unauthorized.json().await.unwrap();
    assert_same_shape("a 401", &fixture("rec_error_401_unauthorized.json"), &body);
}

#[tokio::test]
async fn get_lead_reads_every_seeded_field_type_as_it_reads_real_answers() {
    let sim = simulator().await;
    let env = crate::support::Isolated::new();
    let mut client = crate::support::client_for(&sim, &env).await;
    let result = client
        .call("get_lead", json!({"lead_id": EVERY_TYPE_LEAD}))
        .await;
    assert!(!crate::support::is_error(&result), "{result}");
    let fields = &result["structuredContent"]["custom_fields"];
    assert_eq!(fields["Follow-up date"], "2024-06-06", "{result}");
    assert_eq!(fields["Meeting time"], "2024-06-06T21:30:00-03:00");
    assert_eq!(fields["Employees"], 1.5);
    assert_eq!(fields["Valor do contrato"], 2500.5);
    assert_eq!(fields["Interests"], json!(["Demo", "Support"]));
    assert_eq!(fields["Preço"], "Премиум");
    assert_eq!(fields["utm_source (field 5015)"], "google");
    assert_eq!(fields["utm_source (field 5016)"], "feria São Paulo");
    assert_eq!(fields["Dirección"]["city"], "Buenos Aires");
    assert_eq!(fields["Contrato"]["file_name"], "contrato_firmado.pdf");
    assert_eq!(fields["Товары"][1]["catalog_element_id"], 12_243);
    let seeded = sim.state().lead(SUBDOMAIN, EVERY_TYPE_LEAD).unwrap();
    assert_eq!(
        fields.as_object().unwrap().len(),
        seeded["custom_fields_values"].as_array().unwrap().len(),
        "every value shown"
    );
}
