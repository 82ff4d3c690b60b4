//! MCP resources through the binary: listed, read as JSON (the same data as the reader
//! tools), narrowed by the tools header, and a bad URI answered with an error naming it.

use serde_json::{Value, json};

use crate::support::*;

async fn server_for(sim: &kommo_sim::Simulator, env: &Isolated) -> HttpServer {
    let mut command = http_command(env.command(), &[]);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

fn uris(answer: &Value, key: &str, field: &str) -> Vec<String> {
    answer["result"][key]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|r| r[field].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn listed_read_and_bad_uri_over_stdio() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let list = client.request("resources/list", json!({})).await;
    assert_eq!(
        uris(&list, "resources", "uri"),
        [
            "kommo://pipelines",
            "kommo://custom-fields",
            "kommo://users"
        ],
        "{list}"
    );
    assert_eq!(
        list["result"]["resources"][0]["mimeType"],
        "application/json"
    );
    assert_eq!(
        list["result"]["resources"][1]["mimeType"],
        "application/json"
    );
    let templates = client.request("resources/templates/list", json!({})).await;
    assert_eq!(
        uris(&templates, "resourceTemplates", "uriTemplate"),
        ["kommo://leads/{lead_id}", "kommo://leads/{lead_id}/history"],
        "{templates}"
    );

    let read = client
        .request("resources/read", json!({"uri": "kommo://leads/9001"}))
        .await;
    let contents = &read["result"]["contents"][0];
    assert_eq!(contents["uri"], "kommo://leads/9001", "{read}");
    assert_eq!(contents["mimeType"], "application/json");
    let lead: Value = serde_json::from_str(contents["text"].as_str().unwrap()).unwrap();
    let tool = client.call("get_lead", json!({"lead_id": 9001})).await;
    assert_eq!(lead, tool["structuredContent"], "the same data as get_lead");
    assert_eq!(lead["contacts"][0]["name"], "Maria Gonzalez");

    let read = client
        .request("resources/read", json!({"uri": "kommo://pipelines"}))
        .await;
    let pipelines: Value =
        serde_json::from_str(read["result"]["contents"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(pipelines["pipelines"][0]["name"], "Sales");

    let read = client
        .request("resources/read", json!({"uri": "kommo://custom-fields"}))
        .await;
    let contents = &read["result"]["contents"][0];
    assert_eq!(contents["uri"], "kommo://custom-fields", "{read}");
    assert_eq!(contents["mimeType"], "application/json");
    let fields: Value = serde_json::from_str(contents["text"].as_str().unwrap()).unwrap();
    let tool = client.call("list_custom_fields", json!({})).await;
    assert_eq!(
        fields, tool["structuredContent"],
        "the same data as list_custom_fields"
    );
    assert_eq!(fields["fields"][4]["options"][1]["value"], "Demo");

    for bad in ["kommo://nothing", "kommo://leads/abc", "kommo://leads/0"] {
        sim.state().clear_requests();
        let answer = client.request("resources/read", json!({"uri": bad})).await;
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(bad), "{bad}: {answer}");
        assert!(sim.state().requests().is_empty(), "nothing sent for {bad}");
    }
    let answer = client
        .request("resources/read", json!({"uri": "kommo://leads/9999"}))
        .await;
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("kommo://leads/9999") && message.contains("does not exist"),
        "{answer}"
    );
}

#[tokio::test]
async fn the_tools_header_narrows_resources() {
    let sim = simulator().await;
    let env = Isolated::new();
    let server = server_for(&sim, &env).await;
    let mut client = McpClient::initialize(&server).await;
    let only_lead = [("x-kommo-tools", "get_lead")];
    let list = client
        .request("resources/list", json!({}), &only_lead)
        .await;
    assert_eq!(
        uris(&list, "resources", "uri"),
        Vec::<String>::new(),
        "{list}"
    );
    let templates = client
        .request("resources/templates/list", json!({}), &only_lead)
        .await;
    assert_eq!(
        uris(&templates, "resourceTemplates", "uriTemplate"),
        ["kommo://leads/{lead_id}"]
    );
    let answer = client
        .request(
            "resources/read",
            json!({"uri": "kommo://pipelines"}),
            &only_lead,
        )
        .await;
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("kommo://pipelines") && message.contains("list_pipelines"),
        "{answer}"
    );
    let only_pipelines = [("x-kommo-tools", "list_pipelines")];
    let templates = client
        .request("resources/templates/list", json!({}), &only_pipelines)
        .await;
    assert_eq!(
        uris(&templates, "resourceTemplates", "uriTemplate"),
        Vec::<String>::new()
    );
    let answer = client
        .request(
            "resources/read",
            json!({"uri": "kommo://leads/9001"}),
            &only_pipelines,
        )
        .await;
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("get_lead"),
        "{answer}"
    );
    let answer = client
        .request(
            "resources/read",
            json!({"uri": "kommo://pipelines"}),
            &only_pipelines,
        )
        .await;
    assert!(
        answer["result"]["contents"][0]["text"].as_str().is_some(),
        "{answer}"
    );
    let answer = client
        .request(
            "resources/read",
            json!({"uri": "kommo://custom-fields"}),
            &only_pipelines,
        )
        .await;
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("list_custom_fields"),
        "{answer}"
    );
    let only_fields = [("x-kommo-tools", "list_custom_fields")];
    let list = client
        .request("resources/list", json!({}), &only_fields)
        .await;
    assert_eq!(uris(&list, "resources", "uri"), ["kommo://custom-fields"]);
    let answer = client
        .request(
            "resources/read",
            json!({"uri": "kommo://custom-fields"}),
            &only_fields,
        )
        .await;
    assert!(
        answer["result"]["contents"][0]["text"]
            .as_str()
            .is_some_and(|text| text.contains("\"Interests\"")),
        "{answer}"
    );
    let all = client.request("resources/list", json!({}), &[]).await;
    assert_eq!(
        uris(&all, "resources", "uri"),
        [
            "kommo://pipelines",
            "kommo://custom-fields",
            "kommo://users"
        ]
    );
}
