//! Names as people read them, through the built binary against the simulator (issue 23):
//! tags and field names in any case and script, accents only when unambiguous, fields
//! sharing a name refused with their ids and codes, the field types written and refused,
//! a new tag created explicitly, and custom fields read across pages without a gap.

use serde_json::{Value, json};

use crate::support::*;

const TAGGED: i64 = 9004; // seeded with the tag "тест" (id 5)
const UNTAGGED: i64 = 9003;

/// Calls `add_tag` or `remove_tag` on `lead` with `tag_name`.
async fn tag(client: &mut StdioClient, tool: &str, lead: i64, tag_name: &str) -> Value {
    client
        .call(tool, json!({"lead_id": lead, "tag_name": tag_name}))
        .await
}

/// Calls `update_lead_fields` on `lead` with `fields`.
async fn update_fields(client: &mut StdioClient, lead: i64, fields: Value) -> Value {
    client
        .call(
            "update_lead_fields",
            json!({"lead_id": lead, "fields": fields}),
        )
        .await
}

fn lead_tags(sim: &kommo_sim::Simulator, lead: i64) -> Vec<String> {
    sim.state().lead(SUBDOMAIN, lead).unwrap()["_embedded"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

fn field_value(sim: &kommo_sim::Simulator, lead: i64, field_id: i64) -> Value {
    sim.state().lead(SUBDOMAIN, lead).unwrap()["custom_fields_values"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["field_id"] == field_id)
        .map(|f| f["values"][0]["value"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn remove_tag_and_add_tag_match_a_cyrillic_tag_in_any_case() {
    let (sim, _env, mut client) = simulator_and_client().await;
    let removed = tag(&mut client, "remove_tag", TAGGED, "ТЕСТ").await;
    assert_eq!(
        first_text(&removed),
        "Tag removed successfully.",
        "{removed}"
    );
    assert_eq!(
        removed["structuredContent"],
        json!({"lead_id": TAGGED, "tag_id": 5, "tag_name": "тест", "tags": [], "changed": true})
    );
    assert_eq!(
        writes(&sim)[0].body,
        Some(json!({"tags_to_delete": [{"id": 5}]}))
    );
    assert!(lead_tags(&sim, TAGGED).is_empty());
    // add_tag finds the account's tag by its name in another case: added by id, no new tag
    sim.state().clear_requests();
    let added = tag(&mut client, "add_tag", UNTAGGED, " Тест ").await;
    assert_eq!(first_text(&added), "Tag added successfully.", "{added}");
    assert_eq!(
        added["structuredContent"],
        json!({"lead_id": UNTAGGED, "tag_id": 5, "tag_name": "тест", "tags": ["тест"], "changed": true})
    );
    assert_eq!(
        request_lines(&sim),
        [
            "GET /api/v4/leads/9003",
            "GET /api/v4/leads/tags",
            "PATCH /api/v4/leads/9003"
        ]
    );
    assert_eq!(
        writes(&sim)[0].body,
        Some(json!({"tags_to_add": [{"id": 5}]}))
    );
    assert_eq!(lead_tags(&sim, UNTAGGED), ["тест"]);
    // the lead has it now, in whatever case it is asked for: nothing is sent
    let again = tag(&mut client, "add_tag", UNTAGGED, "ТЕСТ").await;
    assert_eq!(again["structuredContent"]["changed"], false, "{again}");
    assert_eq!(again["structuredContent"]["tags"], json!(["тест"]));
    assert_eq!(writes(&sim).len(), 1);
    // accents are ignored when one tag matches: "promocao" is the account's "Promoção"
    let accented = tag(&mut client, "add_tag", UNTAGGED, "PROMOCAO").await;
    assert_eq!(
        accented["structuredContent"]["tags"],
        json!(["тест", "Promoção"]),
        "{accented}"
    );
    assert_eq!(
        writes(&sim)[1].body,
        Some(json!({"tags_to_add": [{"id": 6}]}))
    );
}

#[tokio::test]
async fn add_tag_with_a_new_name_creates_the_tag_first_and_adds_it_by_id() {
    let (sim, _env, mut client) = simulator_and_client().await;
    // a dry run sends nothing, and says both requests
    let dry = client
        .call(
            "add_tag",
            json!({"lead_id": UNTAGGED, "tag_name": "Cliente nuevo", "dry_run": true}),
        )
        .await;
    assert!(!is_error(&dry), "{dry}");
    let text = all_text(&dry);
    assert!(
        text.contains("POST /api/v4/leads/tags with the JSON body [{\"name\":\"Cliente nuevo\"}]"),
        "{text}"
    );
    assert!(
        text.contains("Then it would have sent PATCH /api/v4/leads/9003"),
        "{text}"
    );
    assert!(writes(&sim).is_empty());
    sim.state().clear_requests();
    let added = tag(&mut client, "add_tag", UNTAGGED, "  Cliente nuevo ").await;
    assert_eq!(first_text(&added), "Tag added successfully.", "{added}");
    assert_eq!(
        added["structuredContent"],
        json!({"lead_id": UNTAGGED, "tag_id": 101, "tag_name": "Cliente nuevo", "tags": ["Cliente nuevo"], "changed": true})
    );
    let sent: Vec<(String, String, Option<Value>)> = writes(&sim)
        .into_iter()
        .map(|r| (r.method, r.path, r.body))
        .collect();
    assert_eq!(
        sent,
        [
            (
                "POST".to_owned(),
                "/api/v4/leads/tags".to_owned(),
                Some(json!([{"name": "Cliente nuevo"}]))
            ),
            (
                "PATCH".to_owned(),
                "/api/v4/leads/9003".to_owned(),
                Some(json!({"tags_to_add": [{"id": 101}]}))
            ),
        ]
    );
    assert_eq!(lead_tags(&sim, UNTAGGED), ["Cliente nuevo"]);
    // another lead, the same name in capitals: the new tag is found, not created again
    let other = tag(&mut client, "add_tag", LEAD, "CLIENTE NUEVO").await;
    assert_eq!(
        other["structuredContent"]["tags"],
        json!(["whatsapp", "Cliente nuevo"]),
        "{other}"
    );
    let posts = writes(&sim).iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 1);
    assert_eq!(lead_tags(&sim, LEAD), ["whatsapp", "Cliente nuevo"]);
}

#[tokio::test]
async fn tag_lookups_by_name_are_cached_per_account() {
    let (sim, _env, mut client) = simulator_and_client().await;
    for lead in [LEAD, 9002, UNTAGGED] {
        let result = tag(&mut client, "add_tag", lead, "FOLLOW-UP").await;
        assert!(!is_error(&result), "{result}");
    }
    let searches = request_lines(&sim)
        .iter()
        .filter(|line| line.as_str() == "GET /api/v4/leads/tags")
        .count();
    assert_eq!(searches, 1, "{:?}", request_lines(&sim));
    for lead in [LEAD, 9002, UNTAGGED] {
        assert!(lead_tags(&sim, lead).contains(&"follow-up".to_owned()));
    }
}

#[tokio::test]
async fn update_lead_fields_takes_names_and_options_in_any_case_and_script() {
    let (sim, _env, mut client) = simulator_and_client().await;
    let result = update_fields(
        &mut client,
        UNTAGGED,
        json!({"PREÇO": "премиум", "ANIVERSÁRIO": 643_334_400, "preco ": "x"}),
    )
    .await;
    // "preco " is the same field as "PREÇO" (accents ignored, one candidate): refused as a repeat
    assert!(is_error(&result));
    assert!(
        all_text(&result).contains("both name the field \"Preço\" (5013)"),
        "{result}"
    );
    let result = update_fields(
        &mut client,
        UNTAGGED,
        json!({"PREÇO": "премиум", "ANIVERSÁRIO": 643_334_400}),
    )
    .await;
    assert_eq!(
        first_text(&result),
        "Lead fields successfully updated.",
        "{result}"
    );
    let sent = writes(&sim)[0].body.clone().unwrap();
    let items = sent["custom_fields_values"].as_array().unwrap();
    assert_eq!(
        items[0],
        json!({"field_id": 5013, "values": [{"enum_id": 6032}]})
    );
    assert_eq!(items[1]["field_id"], 5014);
    assert_eq!(field_value(&sim, UNTAGGED, 5013), json!("Премиум"));
    // without accents, an option matches when only one does
    let result = update_fields(&mut client, UNTAGGED, json!({"preco": "NANDU"})).await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(field_value(&sim, UNTAGGED, 5013), json!("Ñandú"));
}

#[tokio::test]
async fn a_name_two_fields_share_is_refused_with_both_and_their_id_or_code_is_taken() {
    let (sim, _env, mut client) = simulator_and_client().await;
    let refused = update_fields(&mut client, UNTAGGED, json!({"utm_source": "google"})).await;
    assert!(is_error(&refused));
    assert_eq!(
        refused["structuredContent"]["error"]["kind"],
        "invalid_arguments"
    );
    assert!(
        all_text(&refused).contains(
            "fields key \"utm_source\" is ambiguous: 2 fields match it (\"utm_source\" (id 5015, code UTM_SOURCE, tracking_data), \"utm_source\" (id 5016, no code, text)); use the id or the code instead"
        ),
        "{refused}"
    );
    assert!(writes(&sim).is_empty());
    let taken = update_fields(
        &mut client,
        UNTAGGED,
        json!({"UTM_SOURCE": "google", "5016": "my own"}),
    )
    .await;
    assert!(!is_error(&taken), "{taken}");
    assert_eq!(
        writes(&sim)[0].body,
        Some(json!({"custom_fields_values": [
            {"field_id": 5015, "values": [{"value": "google"}]},
            {"field_id": 5016, "values": [{"value": "my own"}]}
        ]}))
    );
    assert_eq!(field_value(&sim, UNTAGGED, 5015), json!("google"));
    assert_eq!(field_value(&sim, UNTAGGED, 5016), json!("my own"));
}

#[tokio::test]
async fn monetary_tracking_data_and_streetaddress_are_written_and_other_types_refused_by_name() {
    let (sim, _env, mut client) = simulator_and_client().await;
    let result = update_fields(&mut client, UNTAGGED, json!({"Valor do contrato": 1500.5, "UTM_SOURCE": "instagram", "endereco": "Rua das Flores, 10"})).await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(
        writes(&sim)[0].body,
        Some(json!({"custom_fields_values": [
            {"field_id": 5015, "values": [{"value": "instagram"}]},
            {"field_id": 5017, "values": [{"value": 1500.5}]},
            {"field_id": 5018, "values": [{"value": "Rua das Flores, 10"}]}
        ]}))
    );
    assert_eq!(field_value(&sim, UNTAGGED, 5017), json!("1500.5"));
    assert_eq!(
        field_value(&sim, UNTAGGED, 5018),
        json!("Rua das Flores, 10")
    );
    // the same values again: recognised as set, nothing sent
    let again = update_fields(&mut client, UNTAGGED, json!({"Valor do contrato": 1500.5, "UTM_SOURCE": "instagram", "endereco": "Rua das Flores, 10"})).await;
    assert_eq!(again["structuredContent"]["changed"], false, "{again}");
    assert_eq!(writes(&sim).len(), 1);
    let refused = update_fields(
        &mut client,
        UNTAGGED,
        json!({"RAZÃO SOCIAL": "ACME Ltda", "Valor do contrato": "muito"}),
    )
    .await;
    assert!(is_error(&refused));
    let text = all_text(&refused);
    assert!(
        text.contains("\"RAZÃO SOCIAL\" (legal_entity field 5019): update_lead_fields cannot set legal_entity fields: "),
        "{text}"
    );
    assert!(
        text.contains("\"Valor do contrato\" (monetary field 5017) takes a number"),
        "{text}"
    );
    assert_eq!(writes(&sim).len(), 1);
}

#[tokio::test]
async fn custom_fields_are_read_fifty_a_page_with_none_skipped_between_pages() {
    // The simulator gives at most 50 fields a page and starts page 2 of a larger limit past
    // field 250: a client asking for more than 50 a page would miss fields 51-60.
    let (sim, _env, mut client) = simulator_and_client().await;
    let result = client.call("list_custom_fields", json!({})).await;
    assert!(!is_error(&result), "{result}");
    let ids: Vec<i64> = result["structuredContent"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, (5001..=5060).collect::<Vec<_>>());
    let queries: Vec<Option<String>> = sim
        .state()
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/custom_fields"))
        .map(|r| r.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("page=1&limit=50".to_owned()),
            Some("page=2&limit=50".to_owned())
        ]
    );
    // a field of the second page is found by name
    let result = update_fields(&mut client, UNTAGGED, json!({"extra field 41": "last"})).await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(field_value(&sim, UNTAGGED, 5060), json!("last"));
}
