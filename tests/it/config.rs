//! Configuration: precedence (flag > env > file > default), the config file and its
//! errors, `[accounts.*]` tables, and settings refused before any request.

use serde_json::json;

use crate::support::*;

async fn tool_names_with(env: &Isolated, flag: Option<&str>, var: Option<&str>) -> Vec<String> {
    let mut command = env.command();
    if let Some(flag) = flag {
        command.args(["--tools", flag]);
    }
    if let Some(var) = var {
        command.env("TOOLS_TO_USE", var);
    }
    StdioClient::start(command).await.tool_names().await
}

#[tokio::test]
async fn flag_beats_env_beats_file_beats_default() {
    let env = Isolated::new();
    assert_eq!(
        tool_names_with(&env, None, None).await.len(),
        all_tools().len(),
        "default: every tool"
    );
    env.write_default_config("tools = [\"add_note\"]\n");
    assert_eq!(tool_names_with(&env, None, None).await, vec!["add_note"]);
    assert_eq!(
        tool_names_with(&env, None, Some("move_lead")).await,
        vec!["move_lead"]
    );
    assert_eq!(
        tool_names_with(&env, Some("pause_agent"), Some("move_lead")).await,
        vec!["pause_agent"]
    );
}

#[tokio::test]
async fn account_settings_come_from_the_file_and_env_overrides_them() {
    let sim = simulator().await;
    sim.state().add_demo_account("other", "other-token");
    let env = Isolated::new();
    env.write_default_config(&format!(
        "token = \"{TOKEN}\"\nsubdomain = \"{SUBDOMAIN}\"\nbase_url = \"{}\"\npause_field_id = {PAUSE_FIELD}\n\n[accounts.other]\ntoken = \"other-token\"\n",
        sim.base_url_template()
    ));
    let mut client = StdioClient::start(env.command()).await;
    let result = client.call("pause_agent", json!({"lead_id": LEAD})).await;
    assert!(!is_error(&result), "{result}");
    // The environment names the other account; its token comes from [accounts.other].
    let mut command = env.command();
    command
        .env("KOMMO_ACCOUNT_SUBDOMAIN", "other")
        .env("KOMMO_PAUSE_FIELD_ID", "5001");
    let mut client = StdioClient::start(command).await;
    let result = client
        .call("add_note", json!({"lead_id": LEAD, "note": "x"}))
        .await;
    assert!(!is_error(&result), "{result}");
    let requests = sim.state().requests();
    let last = requests.last().unwrap();
    assert_eq!(last.subdomain, "other");
    assert_eq!(last.authorization.as_deref(), Some("Bearer other-token"));
    assert!(
        requests
            .iter()
            .filter(|r| r.subdomain == "other")
            .all(|r| r.authorization.as_deref() == Some("Bearer other-token"))
    );
}

#[tokio::test]
async fn named_config_file_via_flag_and_env() {
    let env = Isolated::new();
    let path = env.home.path().join("custom.toml");
    std::fs::write(&path, "tools = \"move_lead\"\n").unwrap();
    let mut command = env.command();
    command.args(["--config", path.to_str().unwrap()]);
    assert_eq!(
        StdioClient::start(command).await.tool_names().await,
        vec!["move_lead"]
    );
    let mut command = env.command();
    command.env("KOMMO_MCP_CONFIG", &path);
    assert_eq!(
        StdioClient::start(command).await.tool_names().await,
        vec!["move_lead"]
    );
}

/// Runs the binary expecting a start-up error; returns stderr.
async fn startup_error(env: &Isolated, args: &[&str], vars: &[(&str, &str)]) -> String {
    let mut command = env.command();
    command.args(args);
    for (key, value) in vars {
        command.env(key, value);
    }
    let output = command.output().await.unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{args:?} {vars:?}: {output:?}"
    );
    assert!(output.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("kommo-mcp: error: "), "{stderr}");
    stderr
}

#[tokio::test]
async fn config_file_errors_name_the_file_and_the_key() {
    let env = Isolated::new();
    let missing = env.home.path().join("nope.toml");
    let stderr = startup_error(&env, &["--config", missing.to_str().unwrap()], &[]).await;
    assert!(stderr.contains("nope.toml"), "{stderr}");

    let malformed = env.home.path().join("bad.toml");
    std::fs::write(&malformed, "token = \n").unwrap();
    let stderr = startup_error(&env, &["--config", malformed.to_str().unwrap()], &[]).await;
    assert!(stderr.contains("bad.toml"), "{stderr}");

    let unknown = env.home.path().join("typo.toml");
    std::fs::write(&unknown, "subdomian = \"acme\"\n").unwrap();
    let stderr = startup_error(&env, &["--config", unknown.to_str().unwrap()], &[]).await;
    assert!(
        stderr.contains("typo.toml") && stderr.contains("subdomian"),
        "{stderr}"
    );

    let path = env.write_default_config("[accounts.x]\ntokn = \"t\"\n");
    let stderr = startup_error(&env, &[], &[]).await;
    assert!(
        stderr.contains(path.to_str().unwrap()) && stderr.contains("tokn"),
        "{stderr}"
    );
}

#[tokio::test]
async fn invalid_settings_are_refused_at_start_up() {
    let env = Isolated::new();
    let stderr = startup_error(&env, &["--subdomain", "evil.example.com/x"], &[]).await;
    assert!(stderr.contains("subdomain"), "{stderr}");
    let stderr = startup_error(&env, &[], &[("TOOLS_TO_USE", "move_lead,drop_database")]).await;
    assert!(
        stderr.contains("drop_database") && stderr.contains("TOOLS_TO_USE"),
        "{stderr}"
    );
    let stderr = startup_error(&env, &["--tools", "[\"move_lead\""], &[]).await;
    assert!(stderr.contains("tools"), "{stderr}");
    let stderr = startup_error(&env, &["--pause-field-id", "abc"], &[]).await;
    assert!(stderr.contains("pause field id"), "{stderr}");
    let stderr = startup_error(&env, &["--base-url", "https://fixed.example.com"], &[]).await;
    assert!(stderr.contains("{subdomain}"), "{stderr}");
}

#[tokio::test]
async fn a_header_less_request_for_the_own_account_never_leaks_the_token_elsewhere() {
    // With a subdomain named only in [accounts.*] and no token there, the server's own
    // token is not used for it.
    let sim = simulator().await;
    sim.state().add_demo_account("stranger", "stranger-token");
    let env = Isolated::new();
    env.write_default_config("[accounts.stranger]\npause_field_id = 5001\n");
    let mut command = env.command();
    command
        .args([
            "--base-url",
            &sim.base_url_template(),
            "--token",
            TOKEN,
            "--subdomain",
            SUBDOMAIN,
        ])
        .env("KOMMO_ACCOUNT_SUBDOMAIN", "ignored-because-flag-wins");
    let mut client = StdioClient::start(command).await;
    let result = client
        .call("add_note", json!({"lead_id": LEAD, "note": "x"}))
        .await;
    assert!(!is_error(&result), "{result}");
    assert!(
        sim.state()
            .requests()
            .iter()
            .all(|r| r.subdomain == SUBDOMAIN)
    );
}

#[tokio::test]
async fn read_only_and_dry_run_come_from_the_file_too() {
    let env = Isolated::new();
    env.write_default_config("read_only = true\ndry_run = true\nnote_dedupe = 30\n");
    assert_eq!(
        tool_names_with(&env, None, None).await,
        vec![
            "find_leads",
            "get_lead",
            "list_custom_fields",
            "list_pipelines",
            "list_salesbots"
        ]
    );
    let output = env.command().arg("check").output().await.unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("note_dedupe") && text.contains("30 s"),
        "{text}"
    );
    env.write_default_config("note_dedupe = -1\n");
    let output = env.command().arg("tools").output().await.unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("note dedupe"));
}
