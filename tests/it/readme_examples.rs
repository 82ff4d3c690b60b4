//! The README's shell examples run as written against the demo account: every line of a
//! `sh` block that runs `kommo-mcp --sandbox …` is run by bash with the built binary first on
//! `PATH`, and must exit 0. A line that starts a server is run for a moment and must still be
//! serving when it is stopped.

use std::{path::Path, process::Stdio, time::Duration};

use crate::support::{Isolated, binary};

/// The lines of the README's ```sh blocks that run `kommo-mcp --sandbox`.
fn sandbox_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let mut lines = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if let Some(fence) = trimmed.strip_prefix("```") {
            in_sh = !in_sh && (fence == "sh" || fence == "bash" || fence == "console");
            continue;
        }
        if in_sh && trimmed.contains("kommo-mcp --sandbox") && !trimmed.starts_with('#') {
            lines.push(trimmed.trim_start_matches("$ ").to_owned());
        }
    }
    lines
}

/// Whether a line starts a server (stdio with a terminal, or `serve`) rather than a one-shot
/// command.
fn serves(line: &str) -> bool {
    let after = line.split("kommo-mcp --sandbox").nth(1).unwrap_or("");
    let first = after.split_whitespace().next().unwrap_or("");
    first.is_empty() || first == "serve" || first.starts_with("--")
}

#[tokio::test]
async fn every_sandbox_example_in_the_readme_exits_0() {
    let lines = sandbox_lines();
    assert!(
        lines.len() >= 6,
        "expected the README's shell examples, found {lines:?}"
    );
    let bin_dir = binary().parent().unwrap().to_owned();
    for line in &lines {
        let env = Isolated::new();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut bash = tokio::process::Command::new("bash");
        bash.args(["--norc", "--noprofile", "-c", line])
            .env_clear()
            .env("PATH", path)
            .env("HOME", env.home.path())
            .env("XDG_CONFIG_HOME", env.home.path().join(".config"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if serves(line) {
            let mut child = bash.spawn().unwrap();
            tokio::time::sleep(Duration::from_secs(2)).await;
            assert!(
                child.try_wait().unwrap().is_none(),
                "{line:?} stopped serving: {:?}",
                child.wait_with_output().await
            );
            child.kill().await.unwrap();
            continue;
        }
        let output = tokio::time::timeout(Duration::from_secs(60), bash.output())
            .await
            .unwrap_or_else(|_| panic!("{line:?} did not finish"))
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{line:?} failed:\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_readme_uses_only_the_demo_accounts_leads() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    for not_a_demo_lead in ["lead_id=12345", "\"lead_id\": 12345", "\"lead_id\":12345"] {
        assert!(
            !readme.contains(not_a_demo_lead),
            "README examples must use the demo account's leads (9001-9005), found {not_a_demo_lead}"
        );
    }
}
