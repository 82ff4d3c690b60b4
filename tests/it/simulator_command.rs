//! The hidden `kommo-mcp simulator` command the end-to-end tests and the benchmark run: it
//! starts, prints its base-URL template first, and serves the seeded account.

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::Isolated;

#[tokio::test]
async fn simulator_command_prints_its_template_and_serves_the_account() {
    let env = Isolated::new();
    let mut command = env.command();
    command.args([
        "simulator",
        "--account",
        "acme:t0k",
        "--requests-per-second",
        "0",
    ]);
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let template = tokio::time::timeout(std::time::Duration::from_secs(60), stdout.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        template.starts_with("http://127.0.0.1:") && template.ends_with("/{subdomain}"),
        "{template}"
    );
    let account = reqwest::Client::new()
        .get(format!(
            "{}/api/v4/account",
            template.replace("{subdomain}", "acme")
        ))
        .bearer_auth("t0k")
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), 200);
    child.kill().await.unwrap();
}
