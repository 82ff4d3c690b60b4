//! The gaps of the agent's-day tools, through the binary: update_contact's custom fields
//! (by name, checked by type, cached, sent once), a lost lead's loss reason in the lead and
//! its history, a send_message's outgoing message and a field change in get_lead_history
//! (named, newest first), and assign_lead refusing a name two users share up to case and
//! accents, and a deactivated user, with the candidates.

use serde_json::{Value, json};

use crate::support::{
    kommo::{assert_failure, requests_to},
    *,
};

const UPDATED: &str = "Contact successfully updated.";

fn texts(result: &Value) -> Vec<String> {
    result["structuredContent"]["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| entry["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn update_contact_sets_contact_fields_by_name_once_and_lists_them_when_unknown() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let args = json!({"contact_id": 8003, "fields": {"cargo": "Jefa de compras", "Canal preferido": "llamada", "data de nascimento": "1990-05-17"}});
    let result = client.call("update_contact", args.clone()).await;
    assert_eq!(first_text(&result), UPDATED, "{result}");
    assert_eq!(result["structuredContent"]["updated"], json!(["fields"]));
    let shown: Vec<(i64, Value)> = result["structuredContent"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field_id"].as_i64().unwrap(), f["value"].clone()))
        .collect();
    assert_eq!(
        shown,
        [
            (5103, json!("Jefa de compras")),
            (5104, json!("Llamada")),
            (5105, json!("1990-05-17")),
        ]
    );
    let patches = requests_to(&sim, "PATCH", "/api/v4/contacts/8003");
    assert_eq!(patches.len(), 1);
    // Phones and e-mails are not part of the write; each field is set by id and type (the
    // birthday as its midnight in the account's zone, UTC-3).
    assert_eq!(
        patches[0].body,
        Some(json!({"custom_fields_values": [
            {"field_id": 5103, "values": [{"value": "Jefa de compras"}]},
            {"field_id": 5104, "values": [{"enum_id": 6202}]},
            {"field_id": 5105, "values": [{"value": 642_913_200}]},
        ]}))
    );

    // Kommo has them now: the same call sends nothing, and the fields were read once.
    let again = client.call("update_contact", args).await;
    assert_eq!(first_text(&again), UPDATED, "{again}");
    assert_eq!(again["structuredContent"]["changed"], false);
    assert_eq!(requests_to(&sim, "PATCH", "/api/v4/contacts/8003").len(), 1);
    assert_eq!(
        requests_to(&sim, "GET", "/api/v4/contacts/custom_fields").len(),
        1
    );

    // An unknown key, a wrong option and a phone field: refused with the contact fields
    // and their options, nothing sent.
    let refused = client
        .call(
            "update_contact",
            json!({"contact_id": 8003, "fields": {"Empresa": "Acme", "Canal preferido": "Fax", "PHONE": "+54 11 5555-0000"}}),
        )
        .await;
    assert_failure(
        &refused,
        "Failed to update contact: Kommo did not accept the update request.",
        "\"Cargo\" (id 5103, code POSITION, text)",
    );
    let reason = all_text(&refused);
    assert!(reason.contains("\"Llamada\" (6202)"), "{reason}");
    assert!(reason.contains("use add_phone or add_email"), "{reason}");
    assert_eq!(requests_to(&sim, "PATCH", "/api/v4/contacts/8003").len(), 1);
}

#[tokio::test]
async fn update_contact_fields_with_a_phone_and_as_a_dry_run() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let dry = client
        .call(
            "update_contact",
            json!({"lead_id": LEAD, "add_email": "compras@example.com", "fields": {"Cliente desde": "2024-03-01"}, "dry_run": true}),
        )
        .await;
    assert!(!is_error(&dry), "{dry}");
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
    let result = client
        .call(
            "update_contact",
            json!({"lead_id": LEAD, "add_email": "compras@example.com", "fields": {"Cliente desde": "2024-03-01"}}),
        )
        .await;
    assert_eq!(first_text(&result), UPDATED, "{result}");
    assert_eq!(
        result["structuredContent"]["updated"],
        json!(["email", "fields"])
    );
    let read = sim.state().requests();
    let patch = read
        .iter()
        .find(|r| r.method == "PATCH")
        .and_then(|r| r.body.clone())
        .unwrap();
    let items = patch["custom_fields_values"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{patch}");
    assert_eq!(
        items[0]["values"].as_array().unwrap().len(),
        2,
        "the e-mail list is kept whole"
    );
    assert_eq!(items[1]["field_id"], 5106);
}

#[tokio::test]
async fn a_lost_lead_keeps_its_reason_and_the_history_names_it() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let closed = client
        .call(
            "close_lead",
            json!({"lead_id": LEAD, "outcome": "lost", "loss_reason": "price too high"}),
        )
        .await;
    assert!(!is_error(&closed), "{closed}");
    let lead = sim.state().lead(SUBDOMAIN, LEAD).unwrap();
    assert_eq!(lead["status_id"], 143);
    assert_eq!(lead["loss_reason_id"], 4_203_748);

    let history = client
        .call("get_lead_history", json!({"lead_id": LEAD, "limit": 5}))
        .await;
    assert!(!is_error(&history), "{history}");
    let texts = texts(&history);
    assert_eq!(
        texts[0],
        "Moved from Contacted to Closed - lost in Sales by Ana Souza (loss reason: Price too high)",
        "{texts:?}"
    );
}

#[tokio::test]
async fn send_message_and_a_field_change_show_in_the_history_newest_first() {
    let sim = simulator().await;
    assert!(sim.state().set_bot_sends_field(SUBDOMAIN, 401, 5023));
    let env = Isolated::new();
    let mut command = env.command();
    command.args(account_args(&sim)).args([
        "--message-field-id",
        "5023",
        "--message-bot-id",
        "401",
    ]);
    let mut client = StdioClient::start(command).await;
    let source = client
        .call(
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {"Source": "Instagram"}}),
        )
        .await;
    assert!(!is_error(&source), "{source}");
    let sent = client
        .call(
            "send_message",
            json!({"lead_id": LEAD, "text": "Hola Maria, ¿seguimos mañana?"}),
        )
        .await;
    assert!(!is_error(&sent), "{sent}");
    let history = client
        .call("get_lead_history", json!({"lead_id": LEAD, "limit": 3}))
        .await;
    assert!(!is_error(&history), "{history}");
    assert_eq!(
        texts(&history),
        [
            "Chat message sent (via com.amocrm.amocrmwa) by robot",
            "Field Extra field 4 set to Hola Maria, ¿seguimos mañana? by Ana Souza",
            "Field Source set to Instagram by Ana Souza",
        ]
    );
    let kinds: Vec<&str> = history["structuredContent"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[0], "outgoing_chat_message");
}

const BETA: &str = "beta";
const BETA_TOKEN: &str = "beta-token-71c2-never-print-me";

#[tokio::test]
async fn assign_lead_refuses_a_name_two_users_share_up_to_case_and_accents() {
    let sim = simulator().await;
    sim.state().add_demo_account(BETA, BETA_TOKEN);
    assert!(
        sim.state()
            .add_user(BETA, 7_100_001, "María José", "mj@beta.example", true)
    );
    assert!(
        sim.state()
            .add_user(BETA, 7_100_002, "maria jose", "mjose@beta.example", true)
    );
    assert!(
        sim.state()
            .add_user(BETA, 7_100_003, "Tomás Díaz", "tomas@beta.example", false)
    );
    let env = Isolated::new();
    env.write_default_config(&format!("[accounts.{BETA}]\ntoken = \"{BETA_TOKEN}\"\n"));
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    let on_beta = [("x-kommo-subdomain", BETA)];
    let failed =
        "Failed to assign lead: the user could not be resolved or Kommo did not accept the update.";

    let ambiguous = server
        .bare_call(
            "assign_lead",
            json!({"lead_id": LEAD, "user": "MARIA JOSÉ"}),
            &on_beta,
        )
        .await;
    let ambiguous = &ambiguous["result"];
    assert_failure(ambiguous, failed, "7100001");
    let reason = all_text(ambiguous);
    assert!(
        reason.contains("María José") && reason.contains("maria jose"),
        "{reason}"
    );
    assert!(reason.contains("7100002"), "{reason}");
    assert_eq!(
        ambiguous["structuredContent"]["error"]["kind"], "ambiguous_user",
        "{ambiguous}"
    );

    let inactive = server
        .bare_call(
            "assign_lead",
            json!({"lead_id": LEAD, "user": "tomas diaz"}),
            &on_beta,
        )
        .await;
    assert_failure(&inactive["result"], failed, "deactivated");

    // The e-mail is unambiguous.
    let by_email = server
        .bare_call(
            "assign_lead",
            json!({"lead_id": LEAD, "user": "MJOSE@beta.example"}),
            &on_beta,
        )
        .await;
    assert!(!is_error(&by_email["result"]), "{by_email}");
    assert_eq!(
        by_email["result"]["structuredContent"]["user_id"],
        7_100_002
    );
    let patches: Vec<_> = writes(&sim);
    assert_eq!(patches.len(), 1, "{:?}", request_lines(&sim));
    assert_eq!(patches[0].subdomain, BETA);
    assert_eq!(
        patches[0].body,
        Some(json!({"responsible_user_id": 7_100_002}))
    );
}
