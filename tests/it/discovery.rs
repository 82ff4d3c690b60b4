//! The tools beyond the original three over stdio — list_pipelines, get_lead, resume_agent —
//! and move_lead's check against the cached pipelines: refusals without a PATCH, the no-op
//! move, the cache itself and its refresh after Kommo rejects a move.

use kommo_sim::{Fault, MissingLead, SimulatorOptions};
use serde_json::{Value, json};

use crate::support::{self, *};

const PIPELINES: &str = "GET /api/v4/leads/pipelines";
const CONTACTS: &str = "GET /api/v4/contacts";
/// The account's time zone (`?with=datetime_settings`), read once like the pipelines.
const ZONE: &str = "GET /api/v4/account";

fn pipeline_reads(simulator: &kommo_sim::Simulator) -> usize {
    request_lines(simulator)
        .iter()
        .filter(|line| *line == PIPELINES)
        .count()
}

fn lead_read(id: i64) -> String {
    format!("GET /api/v4/leads/{id}")
}

const SALES_STATUSES: &str = "Incoming leads (2001), Contacted (2002), Negotiation (2003), Proposal sent (2004), Closed - won (142), Closed - lost (143)";

#[tokio::test]
async fn list_pipelines_lists_every_pipeline_with_its_statuses() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client.call("list_pipelines", json!({})).await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(
        first_text(&result),
        "2 pipelines; move_lead takes the pipeline id and a status id of that pipeline.\n\
         Pipeline \"Sales\" (id 1001, main): Incoming leads (2001, incoming), Contacted (2002), Negotiation (2003), \
         Proposal sent (2004), Closed - won (142, won), Closed - lost (143, lost).\n\
         Pipeline \"Support\" (id 1002): Incoming leads (3001, incoming), In progress (3002), Waiting for customer (3003), \
         Closed - won (142, won), Closed - lost (143, lost)."
    );
    let status = |id: i64, name: &str, kind: &str| json!({"id": id, "name": name, "kind": kind});
    let closed = [
        status(142, "Closed - won", "won"),
        status(143, "Closed - lost", "lost"),
    ];
    assert_eq!(
        result["structuredContent"],
        json!({"pipelines": [
            {"id": 1001, "name": "Sales", "is_main": true, "is_archive": false, "statuses": [
                status(2001, "Incoming leads", "incoming"), status(2002, "Contacted", "regular"),
                status(2003, "Negotiation", "regular"), status(2004, "Proposal sent", "regular"),
                closed[0], closed[1]]},
            {"id": 1002, "name": "Support", "is_main": false, "is_archive": false, "statuses": [
                status(3001, "Incoming leads", "incoming"), status(3002, "In progress", "regular"),
                status(3003, "Waiting for customer", "regular"), closed[0], closed[1]]},
        ]})
    );
    assert_eq!(request_lines(&sim), vec![PIPELINES]);
}

#[tokio::test]
async fn pipelines_are_read_once_per_account_while_the_cache_is_fresh() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let first = client.call("list_pipelines", json!({})).await;
    let second = client.call("list_pipelines", json!({})).await;
    assert_eq!(first, second);
    // get_lead and move_lead's check use the same cache.
    assert!(!is_error(
        &client.call("get_lead", json!({"lead_id": LEAD})).await
    ));
    let moved = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2003}),
        )
        .await;
    assert!(!is_error(&moved), "{moved}");
    assert_eq!(
        request_lines(&sim),
        vec![
            PIPELINES.to_owned(),
            lead_read(LEAD),
            CONTACTS.to_owned(),
            ZONE.to_owned(),
            lead_read(LEAD),
            format!("PATCH /api/v4/leads/{LEAD}")
        ]
    );
}

#[tokio::test]
async fn a_zero_pipelines_cache_reads_them_on_every_call() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .env("KOMMO_PIPELINES_CACHE", "0");
    let mut client = StdioClient::start(command).await;
    client.call("list_pipelines", json!({})).await;
    client.call("list_pipelines", json!({})).await;
    assert_eq!(request_lines(&sim), vec![PIPELINES, PIPELINES]);
}

#[tokio::test]
async fn list_pipelines_failure_says_why_and_is_not_cached() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        status: Some(402),
        path_contains: Some("/pipelines".into()),
        ..Fault::default()
    });
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let failed = client.call("list_pipelines", json!({})).await;
    assert!(is_error(&failed), "{failed}");
    assert_eq!(
        first_text(&failed),
        "Failed to list pipelines: Kommo did not return them."
    );
    assert!(
        all_text(&failed).contains("402 Payment Required"),
        "{failed}"
    );
    assert_eq!(failed["structuredContent"]["error"]["status"], 402);
    let retried = client.call("list_pipelines", json!({})).await;
    assert!(!is_error(&retried), "{retried}");
    assert_eq!(request_lines(&sim), vec![PIPELINES, PIPELINES]);
}

#[tokio::test]
async fn get_lead_reports_names_tags_fields_pause_and_timestamps() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client.call("get_lead", json!({"lead_id": LEAD})).await;
    assert!(!is_error(&result), "{result}");
    let stored = sim.state().lead(SUBDOMAIN, LEAD).expect("seeded lead");
    assert_eq!(
        result["structuredContent"],
        json!({
            "id": LEAD,
            "name": "Maria Gonzalez — WhatsApp inquiry",
            "price": 1500,
            "pipeline": {"id": 1001, "name": "Sales"},
            "status": {"id": 2002, "name": "Contacted"},
            "responsible_user_id": 7000001,
            "tags": ["whatsapp"],
            "custom_fields": {"Source": "WhatsApp", "AI agent paused": false},
            "agent_paused": false,
            "created_at": local_time(&stored["created_at"]),
            "updated_at": local_time(&stored["updated_at"]),
            "contacts": [
                {"id": 8001, "name": "Maria Gonzalez", "is_main": true,
                 "phones": [{"value": "+54 9 11 5555-0101", "kind": "MOB"}],
                 "emails": [{"value": "maria@example.com", "kind": "WORK"}]},
                {"id": 8002, "name": "Pedro Gonzalez", "is_main": false,
                 "phones": [{"value": "5491155550102", "kind": "WORK"}], "emails": []},
            ],
            "raw": {"created_at": stored["created_at"], "updated_at": stored["updated_at"]},
        })
    );
    let text = first_text(&result);
    assert!(
        text.starts_with(
            "Lead 9001 \"Maria Gonzalez — WhatsApp inquiry\": pipeline \"Sales\" (1001), status \"Contacted\" (2002), \
             price 1500, responsible user 7000001, AI agent active.\nCreated 20"
        ),
        "{text}"
    );
    assert!(text.contains("-03:00, updated 20"), "{text}");
    assert!(
        text.ends_with(
            "\nTags: whatsapp.\nCustom fields: AI agent paused = false; Source = \"WhatsApp\".\nContacts: Maria Gonzalez (main; +54 9 11 5555-0101 (MOB); maria@example.com (WORK)), Pedro Gonzalez (5491155550102 (WORK))."
        ),
        "{text}"
    );
    assert_eq!(
        request_lines(&sim),
        vec![
            lead_read(LEAD),
            CONTACTS.to_owned(),
            PIPELINES.to_owned(),
            ZONE.to_owned()
        ]
    );
    assert_eq!(
        sim.state().requests()[3].query.as_deref(),
        Some("with=datetime_settings")
    );

    let paused = client.call("get_lead", json!({"lead_id": 9004})).await;
    assert_eq!(
        paused["structuredContent"]["agent_paused"], true,
        "{paused}"
    );
    assert_eq!(
        paused["structuredContent"]["pipeline"],
        json!({"id": 1002, "name": "Support"})
    );
    assert_eq!(
        paused["structuredContent"]["status"],
        json!({"id": 3002, "name": "In progress"})
    );
    assert!(first_text(&paused).contains("AI agent paused."), "{paused}");

    let closed = client.call("get_lead", json!({"lead_id": 9005})).await;
    let stored = sim.state().lead(SUBDOMAIN, 9005).expect("seeded lead");
    assert_eq!(
        closed["structuredContent"]["closed_at"],
        local_time(&stored["closed_at"])
    );
    assert_eq!(
        closed["structuredContent"]["raw"]["closed_at"],
        stored["closed_at"]
    );
    assert_eq!(
        closed["structuredContent"]["status"],
        json!({"id": 142, "name": "Closed - won"})
    );
    assert_eq!(
        closed["structuredContent"]["custom_fields"],
        json!({"Employees": 250, "Interests": ["Pricing", "Integrations"]})
    );
    assert_eq!(
        closed["structuredContent"]["raw"]["custom_fields"],
        json!({"Employees": "250"}),
        "Kommo's own value beside the number"
    );
    assert!(
        first_text(&closed).contains("-03:00, closed 20"),
        "{closed}"
    );
    assert!(writes(&sim).is_empty());
}

/// Unix seconds as get_lead shows them in the demo account (America/Argentina/Buenos_Aires,
/// UTC−3 all year).
fn local_time(seconds: &Value) -> String {
    let local = seconds.as_i64().unwrap() - 3 * 3600;
    let (days, of_day) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    format!(
        "{}T{:02}:{:02}:{:02}-03:00",
        civil_day(days),
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil_day(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[tokio::test]
async fn get_lead_without_a_pause_field_leaves_agent_paused_out() {
    let sim = simulator().await;
    let env = Isolated::new();
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
    let result = client.call("get_lead", json!({"lead_id": 9004})).await;
    assert!(!is_error(&result), "{result}");
    assert!(
        result["structuredContent"].get("agent_paused").is_none(),
        "{result}"
    );
    assert_eq!(
        result["structuredContent"]["custom_fields"],
        json!({"AI agent paused": true})
    );
    let first_line = first_text(&result).lines().next().unwrap_or_default();
    assert!(
        first_line.ends_with("responsible user 7000001."),
        "{result}"
    );
}

async fn get_lead_missing(mode: MissingLead) {
    let sim = support::simulator_with(SimulatorOptions {
        rate_limit: None,
        missing_lead: mode,
        ..SimulatorOptions::default()
    })
    .await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call("get_lead", json!({"lead_id": MISSING_LEAD}))
        .await;
    assert!(is_error(&result), "{result}");
    assert_eq!(
        first_text(&result),
        "Failed to get lead: the specified lead does not exist in Kommo."
    );
    assert!(
        all_text(&result).contains("no lead with id 9999 in account acme."),
        "{result}"
    );
    assert_eq!(result["structuredContent"]["lead_id"], MISSING_LEAD);
    assert_eq!(result["structuredContent"]["error"]["kind"], "lead_missing");
    assert_eq!(request_lines(&sim), vec![lead_read(MISSING_LEAD)]);
}

#[tokio::test]
async fn get_lead_missing_204_is_an_error_that_says_it_does_not_exist() {
    get_lead_missing(MissingLead::NoContent).await;
}

#[tokio::test]
async fn get_lead_missing_404_is_an_error_that_says_it_does_not_exist() {
    get_lead_missing(MissingLead::NotFound).await;
}

#[tokio::test]
async fn new_tools_validate_their_arguments_before_any_request() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    for (tool, args, sentence) in [
        (
            "get_lead",
            json!({}),
            "Failed to get lead: Kommo did not return it.",
        ),
        (
            "get_lead",
            json!({"lead_id": 0}),
            "Failed to get lead: Kommo did not return it.",
        ),
        (
            "resume_agent",
            json!({"lead_id": "9001"}),
            "Failed to resume agent: Kommo did not accept the update request.",
        ),
    ] {
        let result = client.call(tool, args.clone()).await;
        assert!(is_error(&result), "{tool} {args}: {result}");
        assert_eq!(first_text(&result), sentence);
        let text = all_text(&result);
        assert!(
            text.contains("lead_id") && text.contains("Nothing was sent to Kommo"),
            "{text}"
        );
    }
    assert!(
        sim.state().requests().is_empty(),
        "{:?}",
        request_lines(&sim)
    );
}

#[tokio::test]
async fn resume_agent_writes_the_opposite_of_the_pause_value() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client.call("resume_agent", json!({"lead_id": 9004})).await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(
        first_text(&result),
        "Agent successfully resumed for the specified lead."
    );
    assert_eq!(
        result["structuredContent"],
        json!({"lead_id": 9004, "field_id": PAUSE_FIELD, "value": false, "paused": false})
    );
    let writes = writes(&sim);
    assert_eq!(writes.len(), 1);
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("PATCH", "/api/v4/leads/9004")
    );
    assert_eq!(
        writes[0].body,
        Some(
            json!({"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": false}]}]})
        )
    );
    let after = client.call("get_lead", json!({"lead_id": 9004})).await;
    assert_eq!(after["structuredContent"]["agent_paused"], false, "{after}");
    // and pause_agent flips it back
    client.call("pause_agent", json!({"lead_id": 9004})).await;
    let again = client.call("get_lead", json!({"lead_id": 9004})).await;
    assert_eq!(again["structuredContent"]["agent_paused"], true, "{again}");
}

#[tokio::test]
async fn resume_agent_with_pause_value_false_writes_true() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .args(["--pause-value", "false"]);
    let mut client = StdioClient::start(command).await;
    let result = client.call("resume_agent", json!({"lead_id": LEAD})).await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(result["structuredContent"]["value"], true);
    assert_eq!(
        writes(&sim)[0].body,
        Some(
            json!({"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": true}]}]})
        )
    );
}

#[tokio::test]
async fn resume_agent_failures_mirror_pause_agent() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    for (tool, verb) in [("pause_agent", "pause"), ("resume_agent", "resume")] {
        let result = client.call(tool, json!({"lead_id": MISSING_LEAD})).await;
        assert!(is_error(&result), "{result}");
        assert_eq!(
            first_text(&result),
            format!("Failed to {verb} agent: the specified lead does not exist in Kommo.")
        );
        assert!(all_text(&result).contains("does not exist"), "{result}");
        assert_eq!(result["structuredContent"]["error"]["kind"], "lead_missing");
    }
    assert_eq!(
        request_lines(&sim),
        vec![lead_read(MISSING_LEAD), lead_read(MISSING_LEAD)]
    );

    let mut command = env.command();
    command.args([
        "--base-url",
        &sim.base_url_template(),
        "--subdomain",
        SUBDOMAIN,
        "--token",
        TOKEN,
    ]);
    let mut unconfigured = StdioClient::start(command).await;
    let mut reasons = Vec::new();
    for (tool, verb) in [("pause_agent", "pause"), ("resume_agent", "resume")] {
        let result = unconfigured.call(tool, json!({"lead_id": LEAD})).await;
        assert!(is_error(&result), "{result}");
        assert_eq!(
            first_text(&result),
            format!("Failed to {verb} agent: Kommo did not accept the update request.")
        );
        assert_eq!(
            result["structuredContent"]["error"]["kind"],
            "not_configured"
        );
        reasons.push(
            result["content"][1]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert!(
        reasons[0].contains("KOMMO_PAUSE_FIELD_ID") && reasons[0].contains("--pause-field-id"),
        "{}",
        reasons[0]
    );
    assert_eq!(reasons[0], reasons[1], "the same reason for both");
    assert_eq!(
        sim.state().requests().len(),
        2,
        "nothing more was sent: {:?}",
        request_lines(&sim)
    );
}

#[tokio::test]
async fn move_lead_refuses_a_status_of_another_pipeline_without_a_patch() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 3002}),
        )
        .await;
    assert!(is_error(&result), "{result}");
    assert_eq!(
        first_text(&result),
        "Failed to move lead: Kommo did not accept the update request."
    );
    assert_eq!(
        result["content"][1]["text"],
        format!(
            "status_id 3002 is not a status of pipeline \"Sales\" (1001); its statuses are: {SALES_STATUSES}. Nothing was changed."
        )
    );
    assert_eq!(result["structuredContent"]["error"]["kind"], "invalid_move");
    assert_eq!(
        (
            result["structuredContent"]["pipeline_id"].clone(),
            result["structuredContent"]["status_id"].clone()
        ),
        (json!(1001), json!(3002))
    );
    assert_eq!(
        request_lines(&sim),
        vec![lead_read(LEAD), PIPELINES.to_owned()]
    );
    let lead = sim.state().lead(SUBDOMAIN, LEAD).expect("lead");
    assert_eq!(
        (lead["pipeline_id"].as_i64(), lead["status_id"].as_i64()),
        (Some(1001), Some(2002))
    );
}

#[tokio::test]
async fn move_lead_refuses_an_unknown_pipeline_listing_every_pipeline() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 4242, "status_id": 2002}),
        )
        .await;
    assert!(is_error(&result), "{result}");
    assert_eq!(
        first_text(&result),
        "Failed to move lead: Kommo did not accept the update request."
    );
    assert_eq!(
        result["content"][1]["text"],
        format!(
            "pipeline_id 4242 is not a pipeline of this account; the valid choices are: \
             pipeline \"Sales\" (1001) with statuses {SALES_STATUSES}; \
             pipeline \"Support\" (1002) with statuses Incoming leads (3001), In progress (3002), Waiting for customer (3003), \
             Closed - won (142), Closed - lost (143). Nothing was changed."
        )
    );
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
}

#[tokio::test]
async fn moving_a_lead_where_it_already_is_changes_nothing_and_succeeds() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2002}),
        )
        .await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(
        first_text(&result),
        "Lead successfully moved to the specified pipeline and status."
    );
    assert_eq!(
        result["structuredContent"],
        json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2002, "changed": false,
               "previous_pipeline_id": 1001, "previous_status_id": 2002})
    );
    assert_eq!(
        request_lines(&sim),
        vec![lead_read(LEAD), PIPELINES.to_owned()]
    );
    let moved = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}),
        )
        .await;
    assert_eq!(moved["structuredContent"]["changed"], true, "{moved}");
    assert_eq!(moved["structuredContent"]["previous_status_id"], 2002);
}

#[tokio::test]
async fn a_stale_cache_is_refreshed_once_after_kommo_rejects_a_move() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    client.call("list_pipelines", json!({})).await;
    // Someone deletes the "Proposal sent" stage in Kommo after the pipelines were cached.
    assert!(sim.state().remove_status(SUBDOMAIN, 1001, 2004));
    let result = client
        .call(
            "move_lead",
            json!({"lead_id": 9002, "pipeline_id": 1001, "status_id": 2004}),
        )
        .await;
    assert!(is_error(&result), "{result}");
    assert_eq!(
        first_text(&result),
        "Failed to move lead: Kommo did not accept the update request."
    );
    let reason = result["content"][1]["text"].as_str().unwrap_or_default();
    assert_eq!(
        reason,
        "Kommo rejected the request (400 Bad Request): status_id: The value you selected is not a valid choice \
         (NotSupportedChoice). The pipelines were re-read from Kommo: status_id 2004 is not a status of pipeline \
         \"Sales\" (1001); its statuses are: Incoming leads (2001), Contacted (2002), Negotiation (2003), \
         Closed - won (142), Closed - lost (143). Nothing was changed."
    );
    assert_eq!(result["structuredContent"]["error"]["kind"], "validation");
    assert_eq!(result["structuredContent"]["error"]["status"], 400);
    let requests = sim.state().requests();
    assert_eq!(
        request_lines(&sim),
        vec![
            PIPELINES.to_owned(),
            lead_read(9002),
            "PATCH /api/v4/leads/9002".to_owned(),
            PIPELINES.to_owned()
        ]
    );
    assert_eq!(requests[2].status, 400);
    // The refreshed pipelines are cached: the next calls read Kommo's pipelines no more,
    // and a second attempt is refused before any PATCH.
    let listed = client.call("list_pipelines", json!({})).await;
    let sales: Vec<Value> = listed["structuredContent"]["pipelines"][0]["statuses"]
        .as_array()
        .expect("statuses")
        .iter()
        .map(|status| status["id"].clone())
        .collect();
    assert_eq!(
        sales,
        [
            json!(2001),
            json!(2002),
            json!(2003),
            json!(142),
            json!(143)
        ]
    );
    let again = client
        .call(
            "move_lead",
            json!({"lead_id": 9002, "pipeline_id": 1001, "status_id": 2004}),
        )
        .await;
    assert_eq!(
        again["structuredContent"]["error"]["kind"], "invalid_move",
        "{again}"
    );
    assert_eq!(pipeline_reads(&sim), 2);
    assert_eq!(writes(&sim).len(), 1);
}

#[tokio::test]
async fn a_rejection_for_another_reason_still_refreshes_only_once() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        method: Some("PATCH".into()),
        status: Some(400),
        ..Fault::default()
    });
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "move_lead",
            json!({"lead_id": 9002, "pipeline_id": 1001, "status_id": 2004}),
        )
        .await;
    assert!(is_error(&result), "{result}");
    let reason = result["content"][1]["text"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("Kommo rejected the request (400 Bad Request)"),
        "{reason}"
    );
    assert!(
        reason.ends_with(". Nothing was changed.") && !reason.contains("re-read"),
        "{reason}"
    );
    assert_eq!(pipeline_reads(&sim), 2, "{:?}", request_lines(&sim));
    let retried = client
        .call(
            "move_lead",
            json!({"lead_id": 9002, "pipeline_id": 1001, "status_id": 2004}),
        )
        .await;
    assert!(!is_error(&retried), "{retried}");
    assert_eq!(pipeline_reads(&sim), 2, "{:?}", request_lines(&sim));
}

#[tokio::test]
async fn a_move_is_sent_unchecked_when_the_pipelines_cannot_be_read() {
    let sim = simulator().await;
    sim.state().push_fault(Fault {
        status: Some(403),
        path_contains: Some("/pipelines".into()),
        ..Fault::default()
    });
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2003}),
        )
        .await;
    assert!(!is_error(&result), "{result}");
    assert_eq!(
        request_lines(&sim),
        vec![
            lead_read(LEAD),
            PIPELINES.to_owned(),
            format!("PATCH /api/v4/leads/{LEAD}")
        ]
    );
}
