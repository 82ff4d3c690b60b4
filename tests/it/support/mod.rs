//! Test support: an isolated command builder for the binary, a simulator per test, and a
//! small MCP client over stdio.

#![allow(dead_code)]

pub mod http;
pub mod issuer;
pub mod kommo;
pub mod memory;
pub mod redis;
pub mod replay;
pub mod stdio;

use std::{path::PathBuf, process::Stdio};

use kommo_sim::{RecordedRequest, Simulator, SimulatorOptions};
use tokio::process::Command;

pub use http::{HttpServer, McpClient, SseClient, http_command, tool_names};
pub use memory::{peak_rss_mib, rss_mib};
pub use stdio::StdioClient;

/// A token that looks like nothing real; every test asserts it never shows up in output.
pub const TOKEN: &str = "test-token-6f1d2c9a-never-print-me";
pub const SUBDOMAIN: &str = "acme";
pub const PAUSE_FIELD: i64 = 5001;

/// Leads the simulator's demo seed creates.
pub const LEAD: i64 = 9001;
pub const MISSING_LEAD: i64 = 9999;

/// Every tool's name, in `tools/list` order: the crate's own list (`toolset::every_tool!`),
/// never a copy typed into a test.
pub fn all_tools() -> Vec<&'static str> {
    kommo_mcp::testing::ToolName::ALL
        .iter()
        .map(|tool| tool.as_str())
        .collect()
}

pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kommo-mcp"))
}

/// A `kommo-mcp` command with a clean environment: no KOMMO_* or TOOLS_TO_USE from the
/// developer's shell, and HOME / XDG_CONFIG_HOME in an empty temporary directory so no
/// real config file is read.
pub struct Isolated {
    pub home: tempfile::TempDir,
}

impl Isolated {
    pub fn new() -> Self {
        Self {
            home: tempfile::tempdir().expect("temp home"),
        }
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(binary());
        command.env_clear();
        for key in ["PATH", "LANG", "TMPDIR"] {
            if let Some(value) = std::env::var_os(key) {
                command.env(key, value);
            }
        }
        command
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// Writes the default config file (`$XDG_CONFIG_HOME/kommo-mcp/config.toml`).
    pub fn write_default_config(&self, text: &str) -> PathBuf {
        let dir = self.home.path().join(".config").join("kommo-mcp");
        std::fs::create_dir_all(&dir).expect("config dir");
        let path = dir.join("config.toml");
        std::fs::write(&path, text).expect("config file");
        path
    }
}

/// The simulator with one demo account (`SUBDOMAIN` / `TOKEN`) and its rate limit off
/// unless a test turns it on.
pub async fn simulator() -> Simulator {
    simulator_with(SimulatorOptions {
        rate_limit: None,
        ..SimulatorOptions::default()
    })
    .await
}

pub async fn simulator_with(options: SimulatorOptions) -> Simulator {
    let simulator = Simulator::start(options).await.expect("simulator starts");
    simulator.state().add_demo_account(SUBDOMAIN, TOKEN);
    simulator
}

/// The arguments that point the binary at a simulator's demo account.
pub fn account_args(simulator: &Simulator) -> Vec<String> {
    vec![
        "--base-url".into(),
        simulator.base_url_template(),
        "--subdomain".into(),
        SUBDOMAIN.into(),
        "--token".into(),
        TOKEN.into(),
        "--pause-field-id".into(),
        PAUSE_FIELD.to_string(),
    ]
}

/// A stdio MCP session with the binary pointed at a simulator's demo account.
pub async fn client_for(simulator: &Simulator, env: &Isolated) -> StdioClient {
    let mut command = env.command();
    command.args(account_args(simulator));
    StdioClient::start(command).await
}

/// A simulator, a clean environment and a stdio session of the binary pointed at the
/// simulator's demo account: the usual start of a tool test. Keep all three alive (bind the
/// environment to `_env`, not `_`) until the test ends.
pub async fn simulator_and_client() -> (Simulator, Isolated, StdioClient) {
    let simulator = simulator().await;
    let env = Isolated::new();
    let client = client_for(&simulator, &env).await;
    (simulator, env, client)
}

/// The Kommo requests a simulator received, as "METHOD PATH" lines.
pub fn request_lines(simulator: &Simulator) -> Vec<String> {
    simulator
        .state()
        .requests()
        .iter()
        .map(|r: &RecordedRequest| format!("{} {}", r.method, r.path))
        .collect()
}

/// Writes requests whose method is not GET.
pub fn writes(simulator: &Simulator) -> Vec<RecordedRequest> {
    simulator
        .state()
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect()
}

/// The first text block of a tool result.
pub fn first_text(result: &serde_json::Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_default()
}

/// All text blocks of a tool result, joined.
pub fn all_text(result: &serde_json::Value) -> String {
    result["content"]
        .as_array()
        .map(|blocks| {
            blocks
                .iter()
                .filter_map(|b| b["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

pub fn is_error(result: &serde_json::Value) -> bool {
    result["isError"].as_bool().unwrap_or(false)
}
