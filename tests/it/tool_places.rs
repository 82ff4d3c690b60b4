//! Every tool appears in every place made from the crate's one tool list: `tools/list`, the
//! `initialize` instructions (which also name every resource), `--help`, the man page, each
//! shell's completions and docs/tools.md. A tool left out of any of them fails here.

use kommo_mcp::testing::generated_files;
use serde_json::json;

use crate::support::*;

/// The names in `tools` that `text` does not contain as `shown(name)`.
fn missing_from(text: &str, shown: impl Fn(&str) -> String) -> Vec<&'static str> {
    all_tools()
        .into_iter()
        .filter(|tool| !text.contains(&shown(tool)))
        .collect()
}

#[tokio::test]
async fn tools_list_and_instructions_name_every_tool_and_resource() {
    let env = Isolated::new();
    let mut client = StdioClient::spawn(env.command());
    let init = client
        .request(
            "initialize",
            json!({
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": { "name": "kommo-mcp-tests", "version": "1" }
            }),
        )
        .await;
    let instructions = init["result"]["instructions"]
        .as_str()
        .expect("initialize sends instructions")
        .to_owned();
    client.notify("notifications/initialized", json!({})).await;
    assert_eq!(client.tool_names().await, all_tools());
    let missing = missing_from(&instructions, |tool| format!("- {tool}: "));
    assert!(missing.is_empty(), "instructions miss {missing:?}");

    let resources = client.request("resources/list", json!({})).await;
    let templates = client.request("resources/templates/list", json!({})).await;
    let uris: Vec<String> = resources["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|resource| resource["uri"].as_str().unwrap().to_owned())
        .chain(
            templates["result"]["resourceTemplates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|template| template["uriTemplate"].as_str().unwrap().to_owned()),
        )
        .collect();
    assert!(uris.len() >= 3, "{resources} {templates}");
    for uri in &uris {
        assert!(
            instructions.contains(uri.as_str()),
            "instructions miss {uri}"
        );
    }
}

#[tokio::test]
async fn help_names_every_tool() {
    let env = Isolated::new();
    let output = env.command().arg("--help").output().await.unwrap();
    assert!(output.status.success(), "{output:?}");
    let help = String::from_utf8(output.stdout).unwrap();
    let missing = missing_from(&help, |tool| format!("{tool},"))
        .into_iter()
        .filter(|tool| !help.contains(&format!("{tool})")))
        .collect::<Vec<_>>();
    assert!(missing.is_empty(), "--help misses {missing:?}");
}

#[test]
fn man_page_completions_and_tool_reference_name_every_tool() {
    let files = generated_files().unwrap();
    let text = |name: &str| {
        let (_, bytes) = files
            .iter()
            .find(|(path, _)| path.to_str() == Some(name))
            .unwrap_or_else(|| panic!("{name} is generated"));
        String::from_utf8(bytes.clone()).unwrap()
    };
    let man = text("man/kommo-mcp.1");
    let tools_section = man
        .split(".SH \"AVAILABLE TOOLS\"")
        .nth(1)
        .and_then(|rest| rest.split(".SH ").next())
        .expect("the man page has an AVAILABLE TOOLS section");
    let missing = missing_from(tools_section, |tool| format!("\\fB{tool}\\fR"));
    assert!(
        missing.is_empty(),
        "man page AVAILABLE TOOLS misses {missing:?}"
    );
    // clap_complete writes a positional argument's values (`call`'s tool) into the bash and
    // zsh scripts only; its fish, PowerShell and elvish scripts complete no positional value.
    for name in ["completions/kommo-mcp.bash", "completions/_kommo-mcp"] {
        let missing = missing_from(&text(name), str::to_owned);
        assert!(missing.is_empty(), "{name} misses {missing:?}");
    }
    let reference = text("docs/tools.md");
    let missing = missing_from(&reference, |tool| format!("\n## {tool}\n"));
    assert!(missing.is_empty(), "docs/tools.md misses {missing:?}");
    let missing = missing_from(&reference, |tool| format!("| [`{tool}`](#{tool}) |"));
    assert!(
        missing.is_empty(),
        "docs/tools.md's table misses {missing:?}"
    );
}
