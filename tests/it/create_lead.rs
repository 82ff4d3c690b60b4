//! create_lead through the binary: a new contact and company in one complex POST, an
//! existing contact found by a phone written in another format and linked (no new
//! contact), retries that create once, dry runs and read-only mode that send nothing, and a
//! client key limited to one account that cannot create on another.

use serde_json::{Value, json};

use crate::support::{kommo::requests_to, *};

const CREATED: &str = "Lead successfully created.";

fn posted(sim: &kommo_sim::Simulator, path: &str) -> Vec<Value> {
    requests_to(sim, "POST", path)
        .into_iter()
        .filter_map(|r| r.body)
        .collect()
}

#[tokio::test]
async fn a_new_contact_and_company_go_in_one_complex_post() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "create_lead",
            json!({
                "name": "Ana Lopez — quote", "price": 1200, "contact_name": "Ana Lopez",
                "phone": "+54 9 11 4321-0000", "email": "Ana@Example.com",
                "company_name": "Lopez SRL", "tags": ["whatsapp", "brand new"],
                "fields": {"Source": "Instagram"}
            }),
        )
        .await;
    assert_eq!(first_text(&result), CREATED, "{result}");
    let out = &result["structuredContent"];
    assert_eq!(out["contact_created"], true);
    assert_eq!(out["deduplicated"], false);
    let lead_id = out["lead_id"].as_i64().unwrap();
    assert!(out["contact_id"].as_i64().is_some() && out["company_id"].as_i64().is_some());
    assert_eq!(writes(&sim).len(), 1, "{:?}", request_lines(&sim));
    let body = &posted(&sim, "/api/v4/leads/complex")[0][0];
    assert_eq!(body["name"], "Ana Lopez — quote");
    assert_eq!(body["price"], 1200);
    assert_eq!(
        (body["pipeline_id"].as_i64(), body["status_id"].as_i64()),
        (out["pipeline_id"].as_i64(), out["status_id"].as_i64())
    );
    assert_eq!(
        body["_embedded"]["contacts"][0]["custom_fields_values"],
        json!([
            {"field_code": "PHONE", "values": [{"value": "+54 9 11 4321-0000", "enum_code": "WORK"}]},
            {"field_code": "EMAIL", "values": [{"value": "Ana@Example.com", "enum_code": "WORK"}]}
        ])
    );
    assert_eq!(
        body["_embedded"]["companies"],
        json!([{"name": "Lopez SRL"}])
    );
    assert_eq!(
        body["_embedded"]["tags"],
        json!([{"name": "whatsapp"}, {"name": "brand new"}])
    );
    assert_eq!(
        body["custom_fields_values"][0]["values"][0]["enum_id"],
        6002
    );
    let lead = sim.state().lead(SUBDOMAIN, lead_id).unwrap();
    assert_eq!(lead["name"], "Ana Lopez — quote");
    // The new contact is found by find_leads under another formatting.
    let found = client
        .call("find_leads", json!({"phone": "011 4321 0000"}))
        .await;
    assert_eq!(
        found["structuredContent"]["leads"][0]["id"], lead_id,
        "{found}"
    );
}

#[tokio::test]
async fn an_existing_contact_found_by_another_phone_format_is_linked_not_duplicated() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    // Maria (8001) has "+54 9 11 5555-0101".
    let result = client
        .call(
            "create_lead",
            json!({"name": "Maria again", "contact_name": "Maria", "phone": "(011) 5555-0101"}),
        )
        .await;
    assert_eq!(first_text(&result), CREATED, "{result}");
    assert_eq!(result["structuredContent"]["contact_created"], false);
    assert_eq!(result["structuredContent"]["contact_id"], 8001);
    assert!(posted(&sim, "/api/v4/leads/complex").is_empty());
    let sent = posted(&sim, "/api/v4/leads");
    assert_eq!(sent.len(), 1, "{:?}", request_lines(&sim));
    assert_eq!(
        sent[0][0]["_embedded"]["contacts"],
        json!([{"id": 8001, "is_main": true}])
    );
    // By e-mail in another case, too.
    let by_email = client
        .call(
            "create_lead",
            json!({"name": "Maria by mail", "email": "MARIA@example.com"}),
        )
        .await;
    assert_eq!(
        by_email["structuredContent"]["contact_id"], 8001,
        "{by_email}"
    );
    assert_eq!(by_email["structuredContent"]["contact_created"], false);
    assert!(posted(&sim, "/api/v4/leads/complex").is_empty());
}

#[tokio::test]
async fn a_retry_answers_the_same_lead_and_creates_nothing() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let args = json!({"name": "Retry me", "contact_name": "Rita", "phone": "+1 415 555 0199"});
    let first = client.call("create_lead", args.clone()).await;
    // The same call, the phone written another way: the same lead.
    let mut again = args.clone();
    again["phone"] = json!("(415) 555-0199");
    let second = client.call("create_lead", again).await;
    assert_eq!(first_text(&second), CREATED, "{second}");
    assert_eq!(
        first["structuredContent"]["lead_id"],
        second["structuredContent"]["lead_id"]
    );
    assert_eq!(second["structuredContent"]["deduplicated"], true);
    assert_eq!(
        second["structuredContent"]["contact_id"],
        first["structuredContent"]["contact_id"]
    );
    let twins = client
        .call_concurrently(&[("create_lead", args.clone()), ("create_lead", args.clone())])
        .await;
    assert!(
        twins
            .iter()
            .all(|r| r["structuredContent"]["lead_id"] == first["structuredContent"]["lead_id"])
    );
    assert_eq!(writes(&sim).len(), 1, "{:?}", request_lines(&sim));
    // Another name is another lead (for the contact now found by its phone).
    let other = client
        .call(
            "create_lead",
            json!({"name": "Another", "phone": "+1 415 555 0199"}),
        )
        .await;
    assert_ne!(
        other["structuredContent"]["lead_id"],
        first["structuredContent"]["lead_id"]
    );
    assert_eq!(other["structuredContent"]["contact_created"], false);
    assert_eq!(writes(&sim).len(), 2);
}

#[tokio::test]
async fn dry_run_sends_nothing_and_bad_arguments_are_named() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let dry = client
        .call(
            "create_lead",
            json!({"name": "Dry", "contact_name": "D", "phone": "+54 9 11 1234-5678", "dry_run": true}),
        )
        .await;
    assert_eq!(
        first_text(&dry),
        "Dry run: nothing was sent to Kommo.",
        "{dry}"
    );
    assert_eq!(
        dry["structuredContent"]["request"]["path"],
        "/api/v4/leads/complex"
    );
    for (args, wanted) in [
        (
            json!({"name": "x", "phone": "call me"}),
            "phone must be a phone number",
        ),
        (
            json!({"name": "x", "email": "ana@"}),
            "email must be an e-mail address",
        ),
        (json!({"name": "x", "status_id": 143}), "closed status"),
        (json!({"name": "x", "pipeline_id": 77}), "pipeline_id 77"),
        (json!({"name": "x", "fields": {"Nope": 1}}), "Nope"),
        (json!({"price": 3}), "name is required"),
    ] {
        let refused = client.call("create_lead", args.clone()).await;
        assert!(is_error(&refused), "{args}");
        let text = refused["content"][1]["text"].as_str().unwrap_or_default();
        assert!(text.contains(wanted), "{args}: {text}");
    }
    assert!(writes(&sim).is_empty(), "{:?}", request_lines(&sim));
}

#[tokio::test]
async fn read_only_mode_refuses_create_lead() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = env.command();
    command.args(account_args(&sim)).arg("--read-only");
    let mut client = StdioClient::start(command).await;
    assert!(
        !client
            .tool_names()
            .await
            .contains(&"create_lead".to_owned())
    );
    let refused = client
        .call_raw(
            "create_lead",
            json!({"name": "No", "phone": "+54 9 11 1234-5678"}),
        )
        .await;
    assert!(refused.get("error").is_some(), "{refused}");
    assert!(sim.state().requests().is_empty());
}

#[tokio::test]
async fn a_client_key_limited_to_one_account_cannot_create_on_another() {
    const OTHER: &str = "beta";
    const OTHER_TOKEN: &str = "beta-token-5a0e-never-print-me";
    const KEY: &str = "kmcp_creator-key-77aa-never-print-me";
    let sim = simulator().await;
    sim.state().add_demo_account(OTHER, OTHER_TOKEN);
    let env = Isolated::new();
    env.write_default_config(&format!(
        "[accounts.{OTHER}]\ntoken = \"{OTHER_TOKEN}\"\n\n\
         [clients.creator]\nkey_sha256 = \"{}\"\naccounts = [\"{SUBDOMAIN}\"]\n",
        kommo_mcp::testing::sha256_hex(KEY),
    ));
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(&sim));
    let server = HttpServer::start(command).await;
    let args = json!({"name": "Elsewhere", "contact_name": "E", "phone": "+54 9 11 2222-3333"});
    let body = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "create_lead", "arguments": args}});
    let refused = server
        .bare_post(&body, &[("x-api-key", KEY), ("x-kommo-subdomain", OTHER)])
        .await;
    assert_eq!(refused.status(), 403);
    assert!(
        sim.state().requests().is_empty(),
        "{:?}",
        request_lines(&sim)
    );
    // On its own account it creates.
    let answer = server
        .bare_call("create_lead", args, &[("x-api-key", KEY)])
        .await;
    assert_eq!(first_text(&answer["result"]), CREATED, "{answer}");
    assert!(
        sim.state()
            .requests()
            .iter()
            .all(|r| r.subdomain == SUBDOMAIN)
    );
}
