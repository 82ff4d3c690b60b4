//! Every way Kommo can fail, mapped to the tool's first sentence plus a reason an agent can
//! act on — never a panic, never the token — and the one pooled connection with kommo-mcp's
//! User-Agent.

use kommo_sim::{Fault, FaultBody, MissingLead};
use serde_json::{Value, json};

use crate::support::{kommo::*, *};

const LEAD_PATH: &str = "/api/v4/leads/9001";
const MOVE_FAILED: &str = "Failed to move lead: Kommo did not accept the update request.";
const MOVE_MISSING: &str = "Failed to move lead: the specified lead does not exist in Kommo.";
const GET_FAILED: &str = "Failed to get lead: Kommo did not return it.";
const GET_MISSING: &str = "Failed to get lead: the specified lead does not exist in Kommo.";
const PAUSE_FAILED: &str = "Failed to pause agent: Kommo did not accept the update request.";
const NOTE_FAILED: &str = "Error adding the note.";

fn fault(method: &str, path: &str, status: u16, body: FaultBody) -> Fault {
    Fault {
        method: Some(method.into()),
        path_contains: Some(path.into()),
        status: Some(status),
        body,
        ..Fault::default()
    }
}

fn validation_body() -> FaultBody {
    FaultBody::Json(json!({
        "validation-errors": [{"request_id": "0", "errors": [{"code": "NotSupportedChoice", "path": "status_id", "detail": "The value you selected is not a valid choice."}]}],
        "title": "Bad Request", "type": "https://httpstatus.es/400", "status": 400, "detail": "Request validation failed"
    }))
}

struct Case {
    fault: Fault,
    tool: &'static str,
    args: Value,
    sentence: &'static str,
    reason: &'static str,
    /// The requests Kommo received for this call, as "METHOD PATH STATUS".
    requests: Vec<&'static str>,
}

fn moving() -> Value {
    json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2004})
}

fn cases() -> Vec<Case> {
    use FaultBody::*;
    let get = |status, body| fault("GET", LEAD_PATH, status, body);
    vec![
        Case {
            fault: get(401, Problem),
            tool: "move_lead",
            args: moving(),
            sentence: MOVE_FAILED,
            reason: "Kommo rejected the token (401 Unauthorized): it is invalid, expired or revoked",
            requests: vec!["GET /api/v4/leads/9001 401"],
        },
        Case {
            fault: get(402, Problem),
            tool: "add_note",
            args: json!({"lead_id": LEAD, "note": "x"}),
            sentence: NOTE_FAILED,
            reason: "the Kommo account's subscription has lapsed (402 Payment Required)",
            requests: vec!["GET /api/v4/leads/9001 402"],
        },
        Case {
            fault: fault("PATCH", LEAD_PATH, 403, Empty),
            tool: "pause_agent",
            args: json!({"lead_id": LEAD}),
            sentence: PAUSE_FAILED,
            reason: "Kommo refused access (403 Forbidden): the token's user lacks the rights for this, or the account or IP is blocked",
            requests: vec!["GET /api/v4/leads/9001 200", "PATCH /api/v4/leads/9001 403"],
        },
        Case {
            fault: fault("PATCH", LEAD_PATH, 400, validation_body()),
            tool: "move_lead",
            args: moving(),
            sentence: MOVE_FAILED,
            reason: "Kommo rejected the request (400 Bad Request): status_id: The value you selected is not a valid choice (NotSupportedChoice)",
            requests: vec!["GET /api/v4/leads/9001 200", "PATCH /api/v4/leads/9001 400"],
        },
        Case {
            fault: fault("POST", "/notes", 404, Problem),
            tool: "add_note",
            args: json!({"lead_id": LEAD, "note": "x"}),
            sentence: NOTE_FAILED,
            reason: "Kommo could not find the notes of lead 9001 (404 Not Found)",
            requests: vec![
                "GET /api/v4/leads/9001 200",
                "POST /api/v4/leads/9001/notes 404",
            ],
        },
        Case {
            fault: get(500, Problem),
            tool: "get_lead",
            args: json!({"lead_id": LEAD}),
            sentence: GET_FAILED,
            reason: "Kommo failed with 500",
            requests: vec!["GET /api/v4/leads/9001 500"],
        },
        Case {
            fault: fault("PATCH", LEAD_PATH, 500, Html),
            tool: "move_lead",
            args: moving(),
            sentence: MOVE_FAILED,
            reason: "Kommo failed with 500: Kommo sent an HTML page instead of JSON; this is on Kommo's side",
            requests: vec!["GET /api/v4/leads/9001 200", "PATCH /api/v4/leads/9001 500"],
        },
        Case {
            fault: get(204, Empty),
            tool: "get_lead",
            args: json!({"lead_id": LEAD}),
            sentence: GET_MISSING,
            reason: "9001",
            requests: vec!["GET /api/v4/leads/9001 204"],
        },
        Case {
            fault: get(404, Problem),
            tool: "move_lead",
            args: moving(),
            sentence: MOVE_MISSING,
            reason: "9001",
            requests: vec!["GET /api/v4/leads/9001 404"],
        },
        Case {
            fault: fault("PATCH", LEAD_PATH, 404, Problem),
            tool: "move_lead",
            args: moving(),
            sentence: MOVE_MISSING,
            reason: "Kommo has no lead with id 9001",
            requests: vec!["GET /api/v4/leads/9001 200", "PATCH /api/v4/leads/9001 404"],
        },
        Case {
            fault: get(200, Html),
            tool: "get_lead",
            args: json!({"lead_id": LEAD}),
            sentence: GET_FAILED,
            reason: "Kommo's answer could not be read (the lead: Kommo sent an HTML page instead of JSON)",
            requests: vec!["GET /api/v4/leads/9001 200"],
        },
        Case {
            fault: get(200, TruncatedJson),
            tool: "move_lead",
            args: moving(),
            sentence: MOVE_FAILED,
            reason: "Kommo's answer could not be read (the lead: the JSON was cut off)",
            requests: vec!["GET /api/v4/leads/9001 200"],
        },
        Case {
            fault: get(200, Empty),
            tool: "add_note",
            args: json!({"lead_id": LEAD, "note": "x"}),
            sentence: NOTE_FAILED,
            reason: "Kommo's answer could not be read (the lead: Kommo answered with an empty body)",
            requests: vec!["GET /api/v4/leads/9001 200"],
        },
        Case {
            fault: fault("PATCH", LEAD_PATH, 200, Empty),
            tool: "move_lead",
            args: moving(),
            sentence: MOVE_FAILED,
            reason: "Kommo's answer could not be read (the update confirmation: Kommo answered with an empty body)",
            requests: vec!["GET /api/v4/leads/9001 200", "PATCH /api/v4/leads/9001 200"],
        },
        Case {
            fault: fault(
                "POST",
                "/notes",
                200,
                Json(json!({"_embedded": {"notes": []}})),
            ),
            tool: "add_note",
            args: json!({"lead_id": LEAD, "note": "x"}),
            sentence: NOTE_FAILED,
            reason: "the note confirmation lists no note",
            requests: vec![
                "GET /api/v4/leads/9001 200",
                "POST /api/v4/leads/9001/notes 200",
            ],
        },
    ]
}

#[tokio::test]
async fn each_kommo_failure_gets_the_tools_sentence_and_an_actionable_reason() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    // Warm the pipeline cache so every case sends exactly the requests it lists.
    assert!(!is_error(&client.call("list_pipelines", json!({})).await));
    for case in cases() {
        sim.state().clear_faults();
        sim.state().clear_requests();
        let label = format!(
            "{} {:?} {:?}",
            case.tool, case.fault.status, case.fault.body
        );
        sim.state().push_fault(case.fault);
        let result = client.call(case.tool, case.args).await;
        assert!(is_error(&result), "{label}: {result}");
        assert_eq!(first_text(&result), case.sentence, "{label}");
        let text = all_text(&result);
        assert!(
            text.contains(case.reason),
            "{label}: expected {:?} in {text:?}",
            case.reason
        );
        // (The pipeline cache is dropped after Kommo refuses a move, so a later move may
        // re-read the pipelines; that read is not part of the case.)
        let seen: Vec<String> = sim
            .state()
            .requests()
            .iter()
            .filter(|r| r.path != "/api/v4/leads/pipelines")
            .map(|r| format!("{} {} {}", r.method, r.path, r.status))
            .collect();
        assert_eq!(seen, case.requests, "{label}");
    }
    assert_eq!(
        sim.state().notes(SUBDOMAIN, LEAD).len(),
        0,
        "no failed add_note wrote a note"
    );
    finish_redacted(client).await;
}

#[tokio::test]
async fn a_missing_lead_is_the_does_not_exist_sentence_in_both_modes() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    for mode in [MissingLead::NoContent, MissingLead::NotFound] {
        sim.state().set_missing_lead(mode);
        let result = client
            .call("get_lead", json!({"lead_id": MISSING_LEAD}))
            .await;
        assert_failure(&result, GET_MISSING, "9999");
        assert_eq!(
            result["structuredContent"]["error"]["kind"], "lead_missing",
            "{mode:?}"
        );
    }
    assert_eq!(
        count(&sim, "GET", "/api/v4/leads/9999"),
        2,
        "a missing lead is not retried"
    );
    finish_redacted(client).await;
}

#[tokio::test]
async fn consecutive_calls_reuse_one_connection_with_kommo_mcps_user_agent() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = traced_server(&sim, &env, &[]).await;
    assert!(!is_error(
        &client.call("get_lead", json!({"lead_id": LEAD})).await
    ));
    assert!(!is_error(
        &client
            .call(
                "move_lead",
                json!({"lead_id": 9002, "pipeline_id": 1001, "status_id": 2004})
            )
            .await
    ));
    assert!(!is_error(
        &client
            .call("add_note", json!({"lead_id": 9003, "note": "hello"}))
            .await
    ));
    assert!(!is_error(
        &client.call("pause_agent", json!({"lead_id": 9003})).await
    ));
    let requests = sim.state().requests();
    assert!(requests.len() >= 7, "{:?}", request_lines(&sim));
    assert_eq!(
        sim.state().connections_accepted(),
        1,
        "every request went over one kept-alive connection"
    );
    let agent = format!("kommo-mcp/{}", env!("CARGO_PKG_VERSION"));
    for request in &requests {
        assert_eq!(
            request.user_agent.as_deref(),
            Some(agent.as_str()),
            "{} {}",
            request.method,
            request.path
        );
    }
    finish_redacted(client).await;
}
