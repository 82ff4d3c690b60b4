//! Dates, times and values as real accounts hold them, through the built binary: the
//! account's time zone read once (`GET /api/v4/account?with=datetime_settings`) and cached
//! like the pipelines; dates written as local midnight and compared by day in accounts at
//! UTC−3, UTC+3 and UTC+05:45 and across daylight-saving changes; leads shown with readable
//! values beside Kommo's own; same-named fields all kept; an unreadable zone is UTC.

use kommo_sim::{Fault, FaultBody, Simulator};
use serde_json::{Value, json};

use crate::support::{self, *};

const ZONE_READ: &str = "GET /api/v4/account";
const DATE_FIELD: &str = "Follow-up date";
const DATE_TIME_FIELD: &str = "Meeting time";

fn zone_reads(sim: &Simulator) -> usize {
    request_lines(sim)
        .iter()
        .filter(|line| *line == ZONE_READ)
        .count()
}

async fn set_fields(client: &mut StdioClient, fields: Value) -> Value {
    let result = client
        .call(
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": fields}),
        )
        .await;
    assert!(!is_error(&result), "{result}");
    result
}

/// The `value` of `field_id` in the last PATCH the simulator received.
fn last_written(sim: &Simulator, field_id: i64) -> Value {
    let patch = writes(sim).pop().expect("a PATCH");
    patch.body.expect("a body")["custom_fields_values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["field_id"] == field_id)
        .map(|item| item["values"][0]["value"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_date_in_a_utc_minus_3_account_is_its_local_midnight_and_setting_it_again_sends_nothing()
{
    let sim = simulator().await; // the demo account: America/Argentina/Buenos_Aires
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = set_fields(&mut client, json!({ DATE_FIELD: "2024-06-06" })).await;
    assert_eq!(
        last_written(&sim, 5004),
        1_717_642_800,
        "2024-06-06 00:00 −03:00"
    );
    assert_eq!(
        result["structuredContent"]["updated"][0]["value"],
        "2024-06-06"
    );
    assert_eq!(
        sim.state().lead(SUBDOMAIN, LEAD).unwrap()["custom_fields_values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field_id"] == 5004)
            .unwrap()["values"][0]["value"],
        1_717_642_800
    );

    // the same day again (as a date, or as another time of that day): nothing is sent
    for same in [json!("2024-06-06"), json!("2024-06-06T21:00:00")] {
        let again = set_fields(&mut client, json!({ DATE_FIELD: same })).await;
        assert_eq!(again["structuredContent"]["changed"], false, "{again}");
        assert_eq!(
            again["structuredContent"]["unchanged"][0]["value"],
            "2024-06-06"
        );
    }
    assert_eq!(writes(&sim).len(), 1, "{:?}", request_lines(&sim));

    // get_lead shows the day, with Kommo's value beside it
    let lead = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert_eq!(
        lead["structuredContent"]["custom_fields"][DATE_FIELD],
        "2024-06-06"
    );
    assert_eq!(
        lead["structuredContent"]["raw"]["custom_fields"][DATE_FIELD],
        1_717_642_800
    );
    assert!(
        first_text(&lead).contains("Follow-up date = \"2024-06-06\""),
        "{lead}"
    );
    // the zone was read once for all of it, and only when a date needed it
    assert_eq!(zone_reads(&sim), 1, "{:?}", request_lines(&sim));
    let zone_request = sim
        .state()
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/v4/account")
        .unwrap();
    assert_eq!(
        zone_request.query.as_deref(),
        Some("with=datetime_settings")
    );
}

#[tokio::test]
async fn accounts_east_and_west_of_utc_write_and_show_their_own_days() {
    // (zone, local midnight of 2024-06-06, 2024-06-06 23:30 local, its offset)
    let cases = [
        ("America/Sao_Paulo", 1_717_642_800, 1_717_727_400, "-03:00"),
        ("Europe/Moscow", 1_717_621_200, 1_717_705_800, "+03:00"),
        ("Asia/Kathmandu", 1_717_611_300, 1_717_695_900, "+05:45"),
    ];
    for (zone, midnight, late_evening, offset) in cases {
        let sim = simulator().await;
        assert!(sim.state().set_time_zone(SUBDOMAIN, zone));
        let env = Isolated::new();
        let mut client = client_for(&sim, &env).await;
        let result = set_fields(
            &mut client,
            json!({ DATE_FIELD: "2024-06-06", DATE_TIME_FIELD: "2024-06-06T23:30:00" }),
        )
        .await;
        assert_eq!(last_written(&sim, 5004), midnight, "{zone}");
        assert_eq!(last_written(&sim, 5010), late_evening, "{zone}");
        assert_eq!(
            result["structuredContent"]["updated"][1]["value"],
            format!("2024-06-06T23:30:00{offset}"),
            "{zone}"
        );
        let lead = client.call("get_lead", json!({"lead_id": LEAD})).await;
        let fields = &lead["structuredContent"]["custom_fields"];
        assert_eq!(fields[DATE_FIELD], "2024-06-06", "{zone}: {lead}");
        assert_eq!(
            fields[DATE_TIME_FIELD],
            format!("2024-06-06T23:30:00{offset}"),
            "{zone}"
        );
        let created = lead["structuredContent"]["created_at"].as_str().unwrap();
        assert!(created.ends_with(offset), "{zone}: {created}");
        // a minute before local midnight is still the day before
        let before = set_fields(
            &mut client,
            json!({ DATE_TIME_FIELD: late_evening - 86_400 + 29 * 60 }),
        )
        .await;
        assert_eq!(
            before["structuredContent"]["updated"][0]["value"],
            format!("2024-06-05T23:59:00{offset}"),
            "{zone}"
        );
    }
}

#[tokio::test]
async fn dates_across_daylight_saving_changes() {
    let sim = simulator().await;
    assert!(sim.state().set_time_zone(SUBDOMAIN, "Europe/Madrid"));
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    // Madrid moved from +01:00 to +02:00 at 02:00 on 31 March 2024.
    for (local, seconds, shown) in [
        (
            "2024-03-30T23:30:00",
            1_711_837_800,
            "2024-03-30T23:30:00+01:00",
        ),
        (
            "2024-03-31T23:30:00",
            1_711_920_600,
            "2024-03-31T23:30:00+02:00",
        ),
    ] {
        let result = set_fields(&mut client, json!({ DATE_TIME_FIELD: local })).await;
        assert_eq!(last_written(&sim, 5010), seconds, "{local}");
        assert_eq!(result["structuredContent"]["updated"][0]["value"], shown);
    }

    // Santiago's day of 8 September 2024 starts at 01:00 (midnight does not exist).
    let sim = simulator().await;
    assert!(sim.state().set_time_zone(SUBDOMAIN, "America/Santiago"));
    let mut client = client_for(&sim, &env).await;
    set_fields(&mut client, json!({ DATE_FIELD: "2024-09-08" })).await;
    assert_eq!(last_written(&sim, 5004), 1_725_768_000, "04:00 UTC");
    let lead = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert_eq!(
        lead["structuredContent"]["custom_fields"][DATE_FIELD],
        "2024-09-08"
    );
    let again = set_fields(&mut client, json!({ DATE_FIELD: "2024-09-08" })).await;
    assert_eq!(again["structuredContent"]["changed"], false);
}

/// A lead as a real account sends it: a tracking field and an admin's text field both named
/// utm_source, an address in parts, numbers as text, dates near midnight.
fn real_lead() -> Value {
    json!({
        "id": LEAD, "name": "Pedido web", "price": 1500, "status_id": 2002, "pipeline_id": 1001,
        "created_at": 1_717_642_799, "updated_at": 1_717_642_800, "closed_at": null,
        "custom_fields_values": [
            {"field_id": 7001, "field_name": "utm_source", "field_code": "UTM_SOURCE", "field_type": "tracking_data", "values": [{"value": "google"}]},
            {"field_id": 123, "field_name": "utm_source", "field_code": null, "field_type": "text", "values": [{"value": "flyer"}]},
            {"field_id": 5004, "field_name": "DATA", "field_code": null, "field_type": "date", "values": [{"value": 1_717_642_800}]},
            {"field_id": 5011, "field_name": "Aniversário", "field_code": null, "field_type": "birthday", "values": [{"value": 1_717_642_799}]},
            {"field_id": 5007, "field_name": "Employees", "field_code": null, "field_type": "numeric", "values": [{"value": "250"}]},
            {"field_id": 5020, "field_name": "Orçamento", "field_code": null, "field_type": "monetary", "values": [{"value": "1500.50"}]},
            {"field_id": 5005, "field_name": "Interests", "field_code": null, "field_type": "multiselect", "values": [{"value": "Demo", "enum_id": 6012}]},
            {"field_id": 5030, "field_name": "Endereço", "field_code": null, "field_type": "smart_address", "values": [
                {"value": "Av. Paulista 1000", "enum_id": 1, "enum_code": "address_line_1"},
                {"value": "São Paulo", "enum_id": 3, "enum_code": "city"},
                {"value": "SP", "enum_id": 4, "enum_code": "state"},
                {"value": "01310-100", "enum_id": 5, "enum_code": "zip"},
                {"value": "BR", "enum_id": 6, "enum_code": "country"}]}
        ],
        "_embedded": {"tags": [], "contacts": []}
    })
}

#[tokio::test]
async fn get_lead_shows_every_value_as_what_it_is_and_keeps_same_named_fields_apart() {
    let sim = simulator().await;
    assert!(sim.state().set_time_zone(SUBDOMAIN, "America/Sao_Paulo"));
    sim.state().push_fault(Fault {
        method: Some("GET".into()),
        path_contains: Some(format!("/api/v4/leads/{LEAD}")),
        status: Some(200),
        body: FaultBody::Json(real_lead()),
        ..Fault::default()
    });
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert!(!is_error(&result), "{result}");
    let lead = &result["structuredContent"];
    assert_eq!(
        lead["custom_fields"],
        json!({
            "utm_source (field 7001)": "google",
            "utm_source (field 123)": "flyer",
            "DATA": "2024-06-06",
            "Aniversário": "2024-06-05",
            "Employees": 250,
            "Orçamento": 1500.5,
            "Interests": ["Demo"],
            "Endereço": {"street": "Av. Paulista 1000", "city": "São Paulo", "state": "SP", "zip": "01310-100", "country": "BR"}
        })
    );
    assert_eq!(lead["created_at"], "2024-06-05T23:59:59-03:00");
    assert_eq!(lead["updated_at"], "2024-06-06T00:00:00-03:00");
    assert_eq!(
        lead["raw"],
        json!({
            "created_at": 1_717_642_799,
            "updated_at": 1_717_642_800,
            "custom_fields": {
                "DATA": 1_717_642_800,
                "Aniversário": 1_717_642_799,
                "Employees": "250",
                "Orçamento": "1500.50",
                "Interests": "Demo",
                "Endereço": ["Av. Paulista 1000", "São Paulo", "SP", "01310-100", "BR"]
            }
        })
    );
    let text = first_text(&result);
    assert!(
        text.contains("utm_source (field 123) = \"flyer\"; utm_source (field 7001) = \"google\""),
        "{text}"
    );
    assert!(
        text.contains("Created 2024-06-05T23:59:59-03:00, updated 2024-06-06T00:00:00-03:00."),
        "{text}"
    );
    // the output still matches the tool's declared outputSchema
    let listed = client.request("tools/list", json!({})).await;
    let schema = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tool| tool["name"] == "get_lead")
        .map(|tool| tool["outputSchema"].clone())
        .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    assert!(
        validator.is_valid(lead),
        "get_lead's answer does not match its outputSchema"
    );
}

#[tokio::test]
async fn the_zone_costs_no_request_to_calls_that_needed_none() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    // update_lead_fields without a date never reads the zone
    set_fields(&mut client, json!({"Source": "Instagram"})).await;
    assert_eq!(zone_reads(&sim), 0, "{:?}", request_lines(&sim));
    // get_lead reads it once with the pipelines…
    client.call("get_lead", json!({"lead_id": LEAD})).await;
    client.call("find_leads", json!({"query": "Acme"})).await;
    set_fields(&mut client, json!({ DATE_FIELD: "2024-06-06" })).await;
    assert_eq!(zone_reads(&sim), 1, "{:?}", request_lines(&sim));
    // …and calls answered from the caches still send nothing
    sim.state().clear_requests();
    for tool in ["list_pipelines", "list_custom_fields"] {
        let result = client.call(tool, json!({})).await;
        assert!(!is_error(&result), "{result}");
    }
    assert!(request_lines(&sim).is_empty(), "{:?}", request_lines(&sim));
    // a second get_lead reads only the lead and its contacts
    client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert_eq!(
        request_lines(&sim),
        [
            format!("GET /api/v4/leads/{LEAD}"),
            "GET /api/v4/contacts".to_owned()
        ]
    );
}

#[tokio::test]
async fn an_unreadable_zone_is_utc_and_says_so_in_the_log() {
    let sim = simulator().await;
    assert!(sim.state().set_time_zone(SUBDOMAIN, "Nowhere/Special"));
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    set_fields(&mut client, json!({ DATE_FIELD: "2024-06-06" })).await;
    assert_eq!(last_written(&sim, 5004), 1_717_632_000, "midnight UTC");
    let lead = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert!(!is_error(&lead), "{lead}");
    let created = lead["structuredContent"]["created_at"].as_str().unwrap();
    assert!(created.ends_with("+00:00"), "{created}");
    assert_eq!(zone_reads(&sim), 1, "an unknown name is an answer: cached");
    let finished = client.finish().await;
    assert!(
        finished.stderr.contains("Nowhere/Special") && finished.stderr.contains("UTC"),
        "{}",
        finished.stderr
    );

    // Kommo failing to answer is UTC for that call only, and not an error
    let sim = support::simulator().await;
    sim.state().push_fault(Fault {
        path_contains: Some("/api/v4/account".into()),
        status: Some(402),
        ..Fault::default()
    });
    let mut client = client_for(&sim, &env).await;
    let lead = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert!(!is_error(&lead), "{lead}");
    assert!(
        lead["structuredContent"]["created_at"]
            .as_str()
            .unwrap()
            .ends_with("+00:00")
    );
    let lead = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert!(
        lead["structuredContent"]["created_at"]
            .as_str()
            .unwrap()
            .ends_with("-03:00"),
        "read again, now in the account's zone: {lead}"
    );
}

#[tokio::test]
async fn the_zone_lives_as_long_as_the_pipelines() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .env("KOMMO_PIPELINES_CACHE", "0");
    let mut client = StdioClient::start(command).await;
    for _ in 0..2 {
        let lead = client.call("get_lead", json!({"lead_id": 9004})).await;
        assert!(!is_error(&lead), "{lead}");
    }
    assert_eq!(
        request_lines(&sim),
        [
            "GET /api/v4/leads/9004",
            "GET /api/v4/leads/pipelines",
            ZONE_READ,
            "GET /api/v4/leads/9004",
            "GET /api/v4/leads/pipelines",
            ZONE_READ
        ],
        "no cache for the pipelines, none for the zone"
    );
}
