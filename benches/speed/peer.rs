//! The peer kommo-mcp must beat, started by the benchmark itself so that both are measured in
//! one run on the same paths: a stateful streamable-HTTP + legacy SSE server on the
//! TypeScript MCP SDK (`benches/peer/server.mjs`), with kommo-mcp's own tool definitions and
//! a `move_lead` that makes the same Kommo requests against the same simulator.

use std::{path::PathBuf, process::Stdio, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// The running peer; killed when dropped.
pub struct Peer {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The SDK version it runs on, read from the installed package.
    pub sdk_version: String,
}

/// Where `scripts/install-e2e-tools` puts Node 22 and the SDK.
fn node_prefix() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/node")
}

/// Starts the peer against the simulator's account root `api_root`, serving the tool list
/// kommo-mcp answered at `kommo_base` (so both list the same bytes' worth of tools).
pub async fn start(kommo_base: &str, api_root: &str, token: &str) -> Result<Peer, String> {
    let prefix = node_prefix();
    let node = prefix.join("node_modules/.bin/node");
    let sdk = prefix.join("node_modules/@modelcontextprotocol/sdk/package.json");
    let sdk_version = std::fs::read_to_string(&sdk)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|package| package["version"].as_str().map(str::to_owned))
        .ok_or_else(|| {
            format!(
                "the TypeScript SDK peer needs {} (run scripts/install-e2e-tools)",
                sdk.display()
            )
        })?;
    // ESM resolves the SDK from the script's own folder, so the script runs from the prefix.
    let script = prefix.join("kommo-peer.mjs");
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/peer/server.mjs");
    std::fs::copy(&source, &script).map_err(|e| format!("{}: {e}", script.display()))?;
    let tools = prefix.join("kommo-peer-tools.json");
    let listed = reqwest::Client::new()
        .post(format!("{kommo_base}/mcp"))
        .header("content-type", "application/json")
        .body(crate::load::TOOLS_LIST)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json::<serde_json::Value>()
        .await
        .map_err(|e| e.to_string())?;
    std::fs::write(&tools, listed["result"].to_string())
        .map_err(|e| format!("{}: {e}", tools.display()))?;
    let mut child = Command::new(&node)
        .arg(&script)
        .arg("--tools")
        .arg(&tools)
        .args(["--kommo", api_root, "--token", token])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{}: {e}", node.display()))?;
    let stdout = child.stdout.take().ok_or("peer stdout")?;
    let line = tokio::time::timeout(
        Duration::from_secs(20),
        BufReader::new(stdout).lines().next_line(),
    )
    .await
    .map_err(|_| "the peer did not start listening within 20 s".to_owned())?
    .map_err(|e| e.to_string())?
    .ok_or("the peer exited before listening")?;
    let base = line
        .strip_prefix("listening ")
        .ok_or_else(|| format!("the peer printed {line:?}"))?
        .to_owned();
    Ok(Peer {
        child,
        base,
        sdk_version,
    })
}

/// The version of the Node the peer runs on.
pub async fn node_version() -> String {
    Command::new(node_prefix().join("node_modules/.bin/node"))
        .arg("--version")
        .output()
        .await
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}
