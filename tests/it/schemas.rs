//! What `tools/list` promises, checked over stdio: titles and truthful annotations, input
//! schemas that are valid JSON Schema 2020-12 objects, output schemas that every tool's
//! successful `structuredContent` validates against, every name in TOOLS_TO_USE, and a
//! reviewed snapshot of the whole answer.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::*;

const UPDATE_SNAPSHOTS: &str = "KOMMO_MCP_UPDATE_SNAPSHOTS";

async fn tools_list(client: &mut StdioClient) -> Value {
    let answer = client.request("tools/list", json!({})).await;
    assert!(answer.get("error").is_none(), "{answer}");
    answer["result"].clone()
}

fn tool<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["tools"]
        .as_array()
        .and_then(|tools| tools.iter().find(|t| t["name"] == name))
        .unwrap_or_else(|| panic!("{name} is not in tools/list: {list}"))
}

#[tokio::test]
async fn every_tool_has_a_title_and_annotations_that_tell_the_truth() {
    let env = Isolated::new();
    let mut client = StdioClient::start(env.command()).await;
    let list = tools_list(&mut client).await;
    // (name, title, reads only, idempotent)
    let expected = [
        ("add_budget", "Set lead budget", false, true),
        ("add_note", "Add note", false, false),
        ("add_tag", "Add tag to lead", false, true),
        ("create_lead", "Create lead", false, false),
        ("assign_lead", "Assign lead", false, true),
        ("close_lead", "Close lead", false, true),
        ("create_task", "Create task", false, false),
        ("find_leads", "Find leads", true, true),
        ("get_lead", "Get lead", true, true),
        ("get_lead_history", "Get lead history", true, true),
        ("list_custom_fields", "List lead custom fields", true, true),
        ("list_loss_reasons", "List loss reasons", true, true),
        ("list_pipelines", "List pipelines", true, true),
        ("list_salesbots", "List Salesbots", true, true),
        ("list_users", "List users", true, true),
        ("move_lead", "Move lead", false, true),
        ("pause_agent", "Pause AI agent", false, true),
        ("remove_tag", "Remove tag from lead", false, true),
        ("resume_agent", "Resume AI agent", false, true),
        ("run_salesbot", "Run Salesbot", false, false),
        ("send_message", "Send message", false, false),
        ("stop_salesbot", "Stop Salesbot", false, true),
        ("update_contact", "Update contact", false, true),
        (
            "update_lead_fields",
            "Update lead custom fields",
            false,
            true,
        ),
    ];
    assert_eq!(list["tools"].as_array().map(Vec::len), Some(expected.len()));
    for (name, title, read_only, idempotent) in expected {
        let tool = tool(&list, name);
        assert_eq!(tool["title"], title, "{name}");
        assert_eq!(
            tool["annotations"],
            json!({
                "title": title,
                "readOnlyHint": read_only,
                "destructiveHint": false,
                "idempotentHint": idempotent,
                "openWorldHint": true,
            }),
            "{name}"
        );
        let description = tool["description"].as_str().unwrap_or_default();
        assert!(
            description.len() > 80 && description.contains("Kommo"),
            "{name}: {description}"
        );
    }
}

#[tokio::test]
async fn input_schemas_are_valid_2020_12_objects_and_output_schemas_are_objects() {
    let env = Isolated::new();
    let mut client = StdioClient::start(env.command()).await;
    let list = tools_list(&mut client).await;
    for name in all_tools() {
        let tool = tool(&list, name);
        for key in ["inputSchema", "outputSchema"] {
            let schema = &tool[key];
            assert_eq!(schema["type"], "object", "{name} {key}: {schema}");
            assert_eq!(
                schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{name} {key}"
            );
            if let Err(error) = jsonschema::draft202012::meta::validate(schema) {
                panic!("{name} {key} is not a valid 2020-12 schema: {error}\n{schema}");
            }
            jsonschema::draft202012::new(schema).unwrap_or_else(|e| panic!("{name} {key}: {e}"));
        }
    }
    // The meta-schema check is real: a broken schema fails it.
    assert!(jsonschema::draft202012::meta::validate(&json!({"type": "objekt"})).is_err());
    // Arguments: what each tool requires, and nothing for list_pipelines.
    for (name, required) in [
        ("add_note", json!(["lead_id", "note"])),
        ("get_lead", json!(["lead_id"])),
        ("move_lead", json!(["lead_id", "pipeline_id", "status_id"])),
        ("pause_agent", json!(["lead_id"])),
        ("resume_agent", json!(["lead_id"])),
    ] {
        assert_eq!(
            tool(&list, name)["inputSchema"]["required"],
            required,
            "{name}"
        );
    }
    let no_args = &tool(&list, "list_pipelines")["inputSchema"];
    assert_eq!(no_args["additionalProperties"], false, "{no_args}");
    let validator = jsonschema::draft202012::new(no_args).expect("schema");
    assert!(validator.is_valid(&json!({})) && !validator.is_valid(&json!({"lead_id": 1})));
}

/// Validates a successful result's `structuredContent` against the tool's `outputSchema`.
fn assert_conforms(list: &Value, name: &str, result: &Value) {
    assert!(!is_error(result), "{name} failed: {result}");
    let schema = &tool(list, name)["outputSchema"];
    let validator = jsonschema::draft202012::new(schema).unwrap_or_else(|e| panic!("{name}: {e}"));
    let content = &result["structuredContent"];
    assert!(
        content.is_object(),
        "{name} has no structuredContent: {result}"
    );
    let errors: Vec<String> = validator
        .iter_errors(content)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: structuredContent does not match outputSchema: {errors:?}\n{content}"
    );
    // The check can fail: an empty object lacks the required fields of every output.
    assert!(
        !validator.is_valid(&json!({})),
        "{name}: the output schema requires nothing"
    );
}

#[tokio::test]
async fn every_tools_structured_content_validates_against_its_output_schema() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut command = env.command();
    command.args(account_args(&sim)).args([
        "--message-field-id",
        "5023",
        "--message-bot-id",
        "401",
    ]);
    let mut client = StdioClient::start(command).await;
    let list = tools_list(&mut client).await;
    let calls = [
        ("list_pipelines", json!({})),
        ("get_lead", json!({"lead_id": LEAD})),
        ("get_lead", json!({"lead_id": 9002})),
        ("get_lead", json!({"lead_id": 9004})),
        ("get_lead", json!({"lead_id": 9005})),
        ("get_lead_history", json!({"lead_id": 9005, "limit": 3})),
        ("list_users", json!({})),
        ("list_loss_reasons", json!({})),
        (
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2002}),
        ),
        (
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1002, "status_id": 143}),
        ),
        ("pause_agent", json!({"lead_id": LEAD})),
        ("resume_agent", json!({"lead_id": LEAD})),
        (
            "add_budget",
            json!({"lead_id": LEAD, "budget_field_value": 3000}),
        ),
        (
            "add_budget",
            json!({"lead_id": LEAD, "budget_field_value": 3000, "dry_run": true}),
        ),
        (
            "add_note",
            json!({"lead_id": LEAD, "note": "Asked for a quote"}),
        ),
        ("find_leads", json!({"phone": "5491155550101"})),
        ("find_leads", json!({"query": "nobody"})),
        (
            "create_task",
            json!({"lead_id": LEAD, "text": "Call back", "due": 2_000_000_000}),
        ),
        ("list_salesbots", json!({})),
        ("run_salesbot", json!({"lead_id": LEAD, "bot_id": 401})),
        ("stop_salesbot", json!({"lead_id": LEAD, "bot_id": 401})),
        ("list_custom_fields", json!({})),
        ("add_tag", json!({"lead_id": LEAD, "tag_id": 2})),
        ("add_tag", json!({"lead_id": LEAD, "tag_name": "vip"})),
        (
            "add_tag",
            json!({"lead_id": LEAD, "tag_name": "brand new", "dry_run": true}),
        ),
        ("remove_tag", json!({"lead_id": LEAD, "tag_name": "VIP"})),
        ("remove_tag", json!({"lead_id": LEAD, "tag_id": 4})),
        (
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {"Source": "Instagram", "Interests": ["Demo"], "Employees": 12}}),
        ),
        (
            "update_lead_fields",
            json!({"lead_id": LEAD, "fields": {"Source": "Instagram"}}),
        ),
        (
            "create_lead",
            json!({"name": "Quote", "contact_name": "Ana", "phone": "+54 9 11 4321-0000", "company_name": "Ana SRL"}),
        ),
        (
            "create_lead",
            json!({"name": "Again", "phone": "5491155550101"}),
        ),
        (
            "update_contact",
            json!({"contact_id": 8001, "add_email": "maria.g@example.com"}),
        ),
        (
            "update_contact",
            json!({"lead_id": LEAD, "name": "Maria G."}),
        ),
        (
            "assign_lead",
            json!({"lead_id": LEAD, "user": "Bruno Lima"}),
        ),
        ("assign_lead", json!({"lead_id": LEAD, "user": 7_000_002})),
        (
            "close_lead",
            json!({"lead_id": LEAD, "outcome": "lost", "loss_reason": "Chose a competitor"}),
        ),
        ("close_lead", json!({"lead_id": LEAD, "outcome": "won"})),
        ("send_message", json!({"lead_id": LEAD, "text": "Hola"})),
    ];
    let mut covered = std::collections::BTreeSet::new();
    for (name, args) in calls {
        let result = client.call(name, args).await;
        assert_conforms(&list, name, &result);
        covered.insert(name);
    }
    assert_eq!(covered.into_iter().collect::<Vec<_>>(), all_tools());
    // get_lead without a pause field (no agent_paused) conforms too.
    let mut command = env.command();
    command.args([
        "--base-url",
        &sim.base_url_template(),
        "--subdomain",
        SUBDOMAIN,
        "--token",
        TOKEN,
    ]);
    let mut plain = StdioClient::start(command).await;
    let result = plain.call("get_lead", json!({"lead_id": LEAD})).await;
    assert_conforms(&list, "get_lead", &result);
}

#[tokio::test]
async fn every_name_is_valid_in_tools_to_use() {
    // Every name as a JSON array, and as CSV in reverse order with stray spaces.
    let json_form = serde_json::to_string(&all_tools()).unwrap();
    let mut reversed = all_tools();
    reversed.reverse();
    let csv_form = reversed.join(" , ");
    for form in [json_form.as_str(), csv_form.as_str()] {
        let env = Isolated::new();
        let mut command = env.command();
        command.env("TOOLS_TO_USE", form);
        let mut client = StdioClient::start(command).await;
        assert_eq!(client.tool_names().await, all_tools(), "{form}");
    }
    for form in [
        r#"["get_lead","list_pipelines","resume_agent"]"#,
        "get_lead,list_pipelines,resume_agent",
    ] {
        let env = Isolated::new();
        let mut command = env.command();
        command.env("TOOLS_TO_USE", form);
        let mut client = StdioClient::start(command).await;
        assert_eq!(
            client.tool_names().await,
            ["get_lead", "list_pipelines", "resume_agent"],
            "{form}"
        );
        let refused = client
            .call_raw(
                "move_lead",
                json!({"lead_id": 1, "pipeline_id": 2, "status_id": 3}),
            )
            .await;
        assert!(refused.get("error").is_some(), "{refused}");
    }
    let env = Isolated::new();
    let mut client = StdioClient::start(env.command()).await;
    assert_eq!(
        client.tool_names().await,
        all_tools(),
        "unset means every tool"
    );
}

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots/tools_list.json")
}

#[tokio::test]
async fn tools_list_matches_the_reviewed_snapshot() {
    let env = Isolated::new();
    let mut client = StdioClient::start(env.command()).await;
    let list = tools_list(&mut client).await;
    let actual = format!("{}\n", serde_json::to_string_pretty(&list).expect("JSON"));
    let path = snapshot_path();
    if std::env::var_os(UPDATE_SNAPSHOTS).is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("snapshot dir");
        std::fs::write(&path, &actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let first_difference = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "tools/list changed (names, descriptions, schemas or annotations); first difference at line {}:\n  snapshot: {}\n  now:      {}\n\
             Review the change; if it is intended, update {} with:\n  {UPDATE_SNAPSHOTS}=1 cargo test --test it snapshot",
            first_difference + 1,
            expected
                .lines()
                .nth(first_difference)
                .unwrap_or("<end of file>"),
            actual
                .lines()
                .nth(first_difference)
                .unwrap_or("<end of file>"),
            path.display()
        );
    }
}
