//! The manual's shell examples run as written against the demo account: every line of a
//! `sh` block in README.md or docs/*.md that runs `kommo-mcp --sandbox …` is run by bash with
//! the built binary first on `PATH`, and must exit 0. A line that starts a server is run for
//! a moment and must still be serving when it is stopped.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use crate::support::{Isolated, binary};

/// README.md and every page under docs/, relative to the repository root.
fn manual_pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .map(|path| path.strip_prefix(root).unwrap().to_owned())
        .collect();
    pages.sort();
    pages.insert(0, PathBuf::from("README.md"));
    pages
}

fn read_page(page: &Path) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(page))
        .unwrap_or_else(|err| panic!("{}: {err}", page.display()))
}

/// The lines of a page's ```sh blocks that run `kommo-mcp --sandbox`.
fn sandbox_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
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

/// Every sandbox example of the manual, with the page it comes from.
fn every_sandbox_example() -> Vec<(PathBuf, String)> {
    manual_pages()
        .into_iter()
        .flat_map(|page| {
            let lines = sandbox_lines(&read_page(&page));
            lines.into_iter().map(move |line| (page.clone(), line))
        })
        .collect()
}

/// Whether a line starts a server (stdio with a terminal, or `serve`) rather than a one-shot
/// command.
fn serves(line: &str) -> bool {
    let after = line.split("kommo-mcp --sandbox").nth(1).unwrap_or("");
    let first = after.split_whitespace().next().unwrap_or("");
    first.is_empty() || first == "serve" || first.starts_with("--")
}

#[tokio::test]
async fn every_sandbox_example_in_the_manual_exits_0() {
    let lines = every_sandbox_example();
    assert!(
        lines.len() >= 6,
        "expected the manual's shell examples, found {lines:?}"
    );
    assert!(
        lines.iter().any(|(page, _)| page == Path::new("README.md")),
        "the README shows no sandbox example"
    );
    let bin_dir = binary().parent().unwrap().to_owned();
    for (page, line) in &lines {
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
                "{}: {line:?} stopped serving: {:?}",
                page.display(),
                child.wait_with_output().await
            );
            child.kill().await.unwrap();
            continue;
        }
        let output = tokio::time::timeout(Duration::from_secs(60), bash.output())
            .await
            .unwrap_or_else(|_| panic!("{}: {line:?} did not finish", page.display()))
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}: {line:?} failed:\nstdout: {}\nstderr: {}",
            page.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_manual_uses_only_the_demo_accounts_leads() {
    for page in manual_pages() {
        let text = read_page(&page);
        for not_a_demo_lead in ["lead_id=12345", "\"lead_id\": 12345", "\"lead_id\":12345"] {
            assert!(
                !text.contains(not_a_demo_lead),
                "{}: examples must use the demo account's leads (9001-9005), found {not_a_demo_lead}",
                page.display()
            );
        }
    }
}
