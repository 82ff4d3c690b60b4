//! The contract suite, part one (issue 23, item 8): every tool run by the built binary
//! against a replay of answers real Kommo accounts gave and Kommo documents
//! (`tests/fixtures/kommo/`, see its SOURCES.md), on non-UTC accounts: readable values,
//! the documented write answers, and every recorded error shape as a failure.

use serde_json::{Value, json};

use crate::support::replay::{ReplayServer, SUBDOMAIN, TOKEN, fixture, fixture_text};
use crate::support::{Isolated, StdioClient, all_text, first_text, is_error};

/// The constructed account's lead, pipeline and status (constructed_lead_every_field_type).
const LEAD: i64 = 31_000_101;
const PIPELINE: i64 = 7_700_101;
const STATUS: i64 = 62_000_103;

async fn client_for(replay: &ReplayServer, env: &Isolated) -> StdioClient {
    let mut command = env.command();
    command.args([
        "--base-url",
        &replay.base_url_template(),
        "--subdomain",
        SUBDOMAIN,
        "--token",
        TOKEN,
    ]);
    StdioClient::start(command).await
}

/// docs_pipelines_list.json with its pipeline renumbered to `pipeline` and its second
/// status to `status`, so the documented pipelines hold the lead being replayed.
fn pipelines(pipeline: i64, status: i64) -> Value {
    let mut list = fixture("docs_pipelines_list.json");
    let first = &mut list["_embedded"]["pipelines"][0];
    first["id"] = json!(pipeline);
    let statuses = first["_embedded"]["statuses"].as_array_mut().unwrap();
    for s in statuses.iter_mut() {
        s["pipeline_id"] = json!(pipeline);
    }
    statuses[1]["id"] = json!(status);
    list
}

/// A replay of one account: its time zone (`zone_file`), pipelines holding `pipeline` and
/// `status`, the custom fields in two pages, and the contacts with phone and e-mail kinds.
async fn account(zone_file: &str, pipeline: i64, status: i64) -> ReplayServer {
    let replay = ReplayServer::start().await;
    replay.json("GET", "/api/v4/account", 200, &fixture(zone_file));
    replay.json(
        "GET",
        "/api/v4/leads/pipelines",
        200,
        &pipelines(pipeline, status),
    );
    replay.json_when(
        "GET",
        "/api/v4/leads/custom_fields",
        "page=1",
        &fixture("constructed_leads_custom_fields_page1.json"),
    );
    replay.json_when(
        "GET",
        "/api/v4/leads/custom_fields",
        "page=2",
        &fixture("constructed_leads_custom_fields_page2.json"),
    );
    replay.json(
        "GET",
        "/api/v4/contacts",
        200,
        &fixture("constructed_contacts_list_enum_codes.json"),
    );
    replay
}

/// The constructed account with its lead of every field type.
async fn constructed_account() -> ReplayServer {
    let replay = account(
        "constructed_account_datetime_settings_buenos_aires.json",
        PIPELINE,
        STATUS,
    )
    .await;
    replay.json(
        "GET",
        &format!("/api/v4/leads/{LEAD}"),
        200,
        &fixture("constructed_lead_every_field_type.json"),
    );
    replay
}

fn ok(result: &Value) -> &Value {
    assert!(!is_error(result), "{result}");
    &result["structuredContent"]
}

#[tokio::test]
async fn get_lead_shows_the_recorded_utc_minus_3_lead_by_its_calendar_day() {
    let lead = fixture("rec_lead_utc_minus3_date_field.json");
    let replay = account(
        "constructed_account_datetime_settings_sao_paulo.json",
        lead["pipeline_id"].as_i64().unwrap(),
        lead["status_id"].as_i64().unwrap(),
    )
    .await;
    replay.json("GET", "/api/v4/leads/10542412", 200, &lead);
    let env = Isolated::new();
    let mut client = client_for(&replay, &env).await;
    let result = client.call("get_lead", json!({"lead_id": 10542412})).await;
    let shown = ok(&result);
    // 1717642800 is 2024-06-06 00:00 −03:00, the Thursday the lead's text field names
    assert_eq!(shown["custom_fields"]["DATA"], "2024-06-06", "{result}");
    assert_eq!(shown["custom_fields"]["DIA DA SEMANA"], "Quinta-feira");
    assert_eq!(shown["raw"]["custom_fields"]["DATA"], 1_717_642_800);
    assert_eq!(shown["created_at"], "2024-06-12T09:27:46-03:00");
    assert_eq!(shown["status"]["name"], "Первичный контакт");
    assert!(
        first_text(&result).contains("DATA = \"2024-06-06\""),
        "{result}"
    );
    assert!(replay.writes().is_empty());
}

#[tokio::test]
async fn get_lead_shows_the_recorded_brazilian_birthday_appointment_and_multiselect() {
    let lead = fixture("rec_lead_brazil_birthday_date_time.json");
    let replay = account(
        "constructed_account_datetime_settings_sao_paulo.json",
        lead["pipeline_id"].as_i64().unwrap(),
        lead["status_id"].as_i64().unwrap(),
    )
    .await;
    replay.json("GET", "/api/v4/leads/19030890", 200, &lead);
    let env = Isolated::new();
    let mut client = client_for(&replay, &env).await;
    let result = client.call("get_lead", json!({"lead_id": 19030890})).await;
    let fields = &ok(&result)["custom_fields"];
    // 1047265200 is 2003-03-10 00:00 −03:00: shown as the day Kommo holds (SOURCES.md, 2)
    assert_eq!(fields["Data de Nascimento"], "2003-03-10", "{result}");
    assert_eq!(fields["Data do Agendamento"], "2024-12-12T11:00:00-03:00");
    assert_eq!(fields["Data escolhida"], "12/12/2024 11:00");
    assert_eq!(fields["FUNIL"], json!(["03 - PRÉ-AGENDAMENTO"]));
    assert_eq!(fields["Recebeu Mensagem"], true);
    assert_eq!(fields["Dentista"], "Dra. Beatriz Araújo");
    assert_eq!(
        fields["GPT | Last messages"],
        "Pode ser amanhã?\nPrefiro de manhã\nObrigado"
    );
    assert_eq!(
        fields.as_object().unwrap().len(),
        lead["custom_fields_values"].as_array().unwrap().len(),
        "every field shown"
    );
}

#[tokio::test]
async fn get_lead_shows_every_field_type_and_the_contacts_kinds() {
    let replay = constructed_account().await;
    let env = Isolated::new();
    let mut client = client_for(&replay, &env).await;
    let result = client.call("get_lead", json!({"lead_id": LEAD})).await;
    let shown = ok(&result);
    let fields = &shown["custom_fields"];
    assert_eq!(fields["Cantidad"], 1.5, "{result}");
    assert_eq!(fields["Monto USD"], 2500.5);
    assert_eq!(fields["Pagado"], true);
    assert_eq!(fields["Preço"], "Econômico");
    assert_eq!(fields["Интересы"], json!(["Доставка", "Установка"]));
    assert_eq!(fields["DATA"], "2024-06-06");
    assert_eq!(fields["Reunión"], "2024-06-06T21:30:00-03:00");
    assert_eq!(fields["Observações"], "Linha 1\nLinha 2");
    assert_eq!(fields["utm_campaign"], "invierno_2024");
    // the predefined tracking field and the admin's text field of the same name
    assert_eq!(fields["utm_source (field 501003)"], "google");
    assert_eq!(fields["utm_source (field 501005)"], "feria São Paulo");
    assert_eq!(fields["Dirección"]["city"], "Buenos Aires");
    assert_eq!(fields["Dirección"]["zip"], "C1043");
    assert_eq!(fields["Razón social"]["vat_id"], "30-71234567-9");
    assert_eq!(fields["Contrato"]["file_name"], "contrato_firmado.pdf");
    // a chained_list value has no `value` key: its catalog links are the value
    assert_eq!(
        fields["Producto"],
        json!([
            {"catalog_id": 1001, "catalog_element_id": 12235},
            {"catalog_id": 1007, "catalog_element_id": 12243}
        ])
    );
    assert_eq!(shown["raw"]["custom_fields"]["Cantidad"], "1.5");
    assert_eq!(shown["tags"], json!(["тест", "Atenção"]));
    assert_eq!(shown["status"]["name"], "Первичный контакт");
    let contact = &shown["contacts"][0];
    assert_eq!(contact["name"], "María José Núñez");
    assert_eq!(contact["is_main"], true);
    assert_eq!(
        contact["phones"],
        json!([{"value": "+5491155550142", "kind": "MOB"}, {"value": "+541143210000", "kind": "WORK"}])
    );
    assert_eq!(
        contact["emails"][1],
        json!({"value": "majo.nunez@example.net", "kind": "PRIV"})
    );
}

#[tokio::test]
async fn find_leads_reads_the_recorded_and_constructed_lists() {
    let replay = constructed_account().await;
    replay.json(
        "GET",
        "/api/v4/leads",
        200,
        &fixture("rec_leads_list_numeric_select_tracking.json"),
    );
    let env = Isolated::new();
    let mut client = client_for(&replay, &env).await;
    let result = client
        .call("find_leads", json!({"query": "Фронтенд"}))
        .await;
    let lead = &ok(&result)["leads"][0];
    assert_eq!(lead["id"], 9_228_191, "{result}");
    assert_eq!(lead["price"], 124_000);
    assert_eq!(lead["status"]["id"], 143);
    // 1654014416 in the account's zone (−03:00), Kommo's value beside it
    assert_eq!(lead["updated_at"], "2022-05-31T13:26:56-03:00");
    assert_eq!(lead["raw"]["updated_at"], 1_654_014_416);
    let query = replay
        .seen()
        .into_iter()
        .find(|s| s.path == "/api/v4/leads")
        .and_then(|s| s.query)
        .unwrap();
    assert!(query.contains("with=contacts"), "{query}");

    replay.json(
        "GET",
        "/api/v4/leads",
        200,
        &fixture("constructed_leads_list_with_contacts.json"),
    );
    let result = client.call("find_leads", json!({"query": "Núñez"})).await;
    let mut leads = ok(&result)["leads"].as_array().unwrap().clone();
    assert_eq!(leads.len(), 2, "{result}");
    leads.sort_by_key(|l| l["id"].as_i64());
    assert_eq!(leads[0]["status"]["name"], "Первичный контакт");
    assert_eq!(leads[1]["status"]["id"], 142);
    assert_eq!(
        leads[0]["contacts"][0]["phones"][0],
        json!({"value": "+5491155550142", "kind": "MOB"})
    );
    let kinds: Vec<&str> = leads[1]["contacts"][1]["phones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["WORKDD", "HOME"], "{result}");

    // 204 with an empty body: nothing found, not a failure
    replay.raw(("GET", "/api/v4/leads", None), 204, None, b"");
    let none = client
        .call("find_leads", json!({"query": "no-such-thing"}))
        .await;
    assert_eq!(ok(&none)["leads"], json!([]), "{none}");
}

#[tokio::test]
async fn list_pipelines_and_custom_fields_read_the_documented_answers() {
    let replay = constructed_account().await;
    let env = Isolated::new();
    let mut client = client_for(&replay, &env).await;
    let result = client.call("list_pipelines", json!({})).await;
    let pipeline = &ok(&result)["pipelines"][0];
    assert_eq!(pipeline["name"], "Воронка", "{result}");
    let names: Vec<&str> = pipeline["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Успешно реализовано"), "{names:?}");
    assert!(names.contains(&"Закрыто и не реализовано"), "{names:?}");

    let result = client.call("list_custom_fields", json!({})).await;
    let fields = ok(&result)["fields"].as_array().unwrap().clone();
    let page1 = fixture("constructed_leads_custom_fields_page1.json");
    let page2 = fixture("constructed_leads_custom_fields_page2.json");
    let expected: Vec<i64> = [page1, page2]
        .iter()
        .flat_map(|p| p["_embedded"]["custom_fields"].as_array().unwrap().clone())
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    let mut listed: Vec<i64> = fields.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    listed.sort_unstable();
    let mut wanted = expected.clone();
    wanted.sort_unstable();
    assert_eq!(listed, wanted, "no field skipped between the pages");
    let preco = fields.iter().find(|f| f["name"] == "Preço").unwrap();
    assert_eq!(preco["options"][0]["value"], "Econômico");
    let pages: Vec<String> = replay
        .seen()
        .into_iter()
        .filter(|s| s.path == "/api/v4/leads/custom_fields")
        .filter_map(|s| s.query)
        .collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[1].contains("page=2"), "{pages:?}");
}

/// The documented `PATCH /api/v4/leads` answer, narrowed to the one lead updated.
fn patch_answer(lead_id: i64) -> Value {
    let mut item = fixture("docs_leads_patch_answer.json")["_embedded"]["leads"][0].clone();
    item["id"] = json!(lead_id);
    item["_links"]["self"]["href"] = json!(format!("/api/v4/leads/{lead_id}"));
    item
}

#[tokio::test]
async fn writes_succeed_on_the_documented_answers_and_send_local_days() {
    let replay = constructed_account().await;
    let lead_path = format!("/api/v4/leads/{LEAD}");
    replay.json("PATCH", &lead_path, 200, &patch_answer(LEAD));
    let mut notes = fixture("docs_notes_post_answer.json");
    notes["_embedded"]["notes"][0]["entity_id"] = json!(LEAD);
    replay.json("POST", &format!("{lead_path}/notes"), 200, &notes);
    replay.json(
        "POST",
        "/api/v4/tasks",
        200,
        &fixture("docs_tasks_post_answer.json"),
    );
    let mut tags = fixture("docs_leads_tags_list.json");
    tags["_links"].as_object_mut().unwrap().remove("next");
    replay.json("GET", "/api/v4/leads/tags", 200, &tags);
    let env = Isolated::new();
    let mut client = client_for(&replay, &env).await;

    let result = client
        .call(
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {"DATA": "2024-06-07", "Cantidad": 3, "Preço": "PREMIUM"}}),
        )
        .await;
    assert_eq!(
        first_text(&result),
        "Lead fields successfully updated.",
        "{result}"
    );
    let patch = replay.writes().pop().unwrap();
    let sent = patch.body.unwrap()["custom_fields_values"].clone();
    let value_of = |id: i64| {
        sent.as_array()
            .unwrap()
            .iter()
            .find(|f| f["field_id"] == id)
            .map(|f| f["values"][0].clone())
            .unwrap()
    };
    // 2024-06-07 00:00 in Buenos Aires (−03:00)
    assert_eq!(value_of(501017)["value"], 1_717_729_200, "{sent}");
    assert_eq!(value_of(501013)["enum_id"], 7003, "{sent}");

    // setting the day the lead already holds sends nothing
    let before = replay.writes().len();
    let same = client
        .call(
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {"DATA": "2024-06-06"}}),
        )
        .await;
    assert_eq!(ok(&same)["changed"], false, "{same}");
    assert_eq!(replay.writes().len(), before);

    let moved = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": PIPELINE, "status_id": 32392165}),
        )
        .await;
    assert_eq!(
        first_text(&moved),
        "Lead successfully moved to the specified pipeline and status.",
        "{moved}"
    );

    let note = client
        .call(
            "add_note",
            json!({"lead_id": LEAD, "note": "Llamar el lunes"}),
        )
        .await;
    assert_eq!(first_text(&note), "Note added succesfully.", "{note}");
    assert_eq!(ok(&note)["note_id"], 76_787_983, "{note}");

    let task = client
        .call(
            "create_task",
            json!({"lead_id": LEAD, "text": "Enviar presupuesto", "due": "2030-01-15T10:00:00-03:00"}),
        )
        .await;
    assert_eq!(first_text(&task), "Task created successfully.", "{task}");
    assert_eq!(ok(&task)["task_id"], 4_745_251, "{task}");

    // a tag the account has: added by its id
    let tagged = client
        .call(
            "add_tag",
            json!({"lead_id": LEAD, "tag_name": "ТЕХНИЧЕСКАЯ ПОДДЕРЖКА"}),
        )
        .await;
    assert_eq!(first_text(&tagged), "Tag added successfully.", "{tagged}");
    let patch = replay.writes().pop().unwrap();
    assert_eq!(
        patch.body.unwrap(),
        json!({"tags_to_add": [{"id": 2709}]}),
        "{tagged}"
    );

    // a new tag: created first (the documented answer), then added by the id Kommo gave
    replay.raw(("GET", "/api/v4/leads/tags", None), 204, None, b"");
    let mut created = fixture("docs_leads_tags_post_answer.json");
    created["_embedded"]["tags"] =
        json!([{"id": 263807, "name": "Cliente nuevo", "color": null, "request_id": "0"}]);
    replay.json("POST", "/api/v4/leads/tags", 200, &created);
    let new_tag = client
        .call(
            "add_tag",
            json!({"lead_id": LEAD, "tag_name": "Cliente nuevo"}),
        )
        .await;
    assert_eq!(first_text(&new_tag), "Tag added successfully.", "{new_tag}");
    assert_eq!(ok(&new_tag)["tag_id"], 263_807);
    let patch = replay.writes().pop().unwrap();
    assert_eq!(
        patch.body.unwrap(),
        json!({"tags_to_add": [{"id": 263807}]})
    );
}

/// One recorded error shape: its status, content type and body.
struct Shape {
    file: &'static str,
    status: u16,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

fn error_shapes() -> Vec<Shape> {
    let json_file = |file: &'static str, status: u16| Shape {
        file,
        status,
        content_type: Some("application/problem+json"),
        body: fixture_text(file).into_bytes(),
    };
    vec![
        json_file("rec_error_400_validation_not_supported_choice.json", 400),
        json_file("rec_error_400_code_244.json", 400),
        json_file("docs_error_400_validation.json", 400),
        json_file("rec_error_401_unauthorized.json", 401),
        Shape {
            file: "rec_error_403_blocked_body.txt",
            status: 403,
            content_type: Some("text/html"),
            body: fixture_text("rec_error_403_blocked_body.txt").into_bytes(),
        },
        json_file("rec_error_404_pipeline_not_found.json", 404),
        json_file("rec_error_500_internal.json", 500),
    ]
}

#[tokio::test]
async fn every_recorded_error_shape_is_a_failure_with_its_reason() {
    for shape in error_shapes() {
        let replay = constructed_account().await;
        let lead_path = format!("/api/v4/leads/{LEAD}");
        // a write refused with this answer
        replay.raw(
            ("PATCH", &lead_path, None),
            shape.status,
            shape.content_type,
            &shape.body,
        );
        // and reads answered with it
        replay.raw(
            ("GET", "/api/v4/leads/pipelines", None),
            shape.status,
            shape.content_type,
            &shape.body,
        );
        let env = Isolated::new();
        let mut client = client_for(&replay, &env).await;
        let reason = match shape.status {
            400 => "400 Bad Request",
            401 => "401",
            403 => "403 Forbidden",
            404 => "404 Not Found",
            _ => "Kommo failed with 500",
        };

        let write = client
            .call(
                "update_lead_fields",
                json!({"lead_id": LEAD, "fields": {"Comentario": "otro"}}),
            )
            .await;
        assert!(is_error(&write), "{}: {write}", shape.file);
        // a 404 on the lead's own path means the lead is gone
        let sentence = if shape.status == 404 {
            "Failed to update lead fields: the specified lead does not exist in Kommo."
        } else {
            "Failed to update lead fields: Kommo did not accept the update request."
        };
        assert_eq!(first_text(&write), sentence, "{}", shape.file);
        let text = all_text(&write);
        if shape.status != 404 {
            assert!(text.contains(reason), "{}: {text}", shape.file);
        }
        assert!(!text.contains("successfully"), "{}: {text}", shape.file);

        let read = client.call("list_pipelines", json!({})).await;
        assert!(is_error(&read), "{}: {read}", shape.file);
        assert_eq!(
            first_text(&read),
            "Failed to list pipelines: Kommo did not return them.",
            "{}",
            shape.file
        );
        assert!(all_text(&read).contains(reason), "{}: {read}", shape.file);
        if shape.file.contains("validation") {
            // the field Kommo named is in the reason
            assert!(
                text.contains("custom_fields_values"),
                "{}: {text}",
                shape.file
            );
        }
        if shape.status == 403 {
            assert!(!text.contains("<html"), "{text}");
        }
    }
}

#[tokio::test]
async fn a_missing_lead_answered_204_or_404_is_the_missing_sentence() {
    for (status, content_type, body) in [
        (204, None, Vec::new()),
        (
            404,
            Some("application/problem+json"),
            fixture_text("rec_error_404_pipeline_not_found.json").into_bytes(),
        ),
    ] {
        let replay = constructed_account().await;
        replay.raw(
            ("GET", "/api/v4/leads/31000199", None),
            status,
            content_type,
            &body,
        );
        let env = Isolated::new();
        let mut client = client_for(&replay, &env).await;
        let result = client.call("get_lead", json!({"lead_id": 31000199})).await;
        assert!(is_error(&result), "{status}: {result}");
        assert_eq!(
            first_text(&result),
            "Failed to get lead: the specified lead does not exist in Kommo.",
            "{status}"
        );
        let moved = client
            .call(
                "move_lead",
                json!({"lead_id": 31000199, "pipeline_id": PIPELINE, "status_id": STATUS}),
            )
            .await;
        assert_eq!(
            first_text(&moved),
            "Failed to move lead: the specified lead does not exist in Kommo.",
            "{status}: {moved}"
        );
        assert!(replay.writes().is_empty(), "{status}");
    }
}
