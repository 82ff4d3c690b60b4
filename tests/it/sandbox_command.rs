//! `kommo-mcp sandbox`: a long-running demo account whose state outlives one-shot commands,
//! found through the export lines it prints.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::Isolated;

/// Starts `kommo-mcp sandbox` on a free port and returns it with the variables it printed.
async fn start_sandbox(env: &Isolated) -> (tokio::process::Child, Vec<(String, String)>) {
    let mut command = env.command();
    command.args(["sandbox", "--listen", "127.0.0.1:0"]);
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut vars = Vec::new();
    while vars.len() < 4 {
        let line = tokio::time::timeout(Duration::from_secs(60), stdout.next_line())
            .await
            .expect("the sandbox prints its settings")
            .unwrap()
            .expect("four export lines");
        let assignment = line.strip_prefix("export ").expect("an export line");
        let (name, value) = assignment.split_once('=').unwrap();
        vars.push((name.to_owned(), value.trim_matches('\'').to_owned()));
    }
    (child, vars)
}

#[tokio::test]
async fn the_sandbox_keeps_state_between_one_shot_commands() {
    let env = Isolated::new();
    let (mut sandbox, vars) = start_sandbox(&env).await;
    let names: Vec<&str> = vars.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "KOMMO_BASE_URL",
            "KOMMO_ACCOUNT_SUBDOMAIN",
            "KOMMO_LONG_DURATION_TOKEN",
            "KOMMO_PAUSE_FIELD_ID"
        ]
    );
    let run = |args: &'static [&'static str]| {
        let mut command = env.command();
        command.envs(vars.iter().cloned()).args(args);
        async move { command.output().await.unwrap() }
    };
    let paused = run(&["call", "pause_agent", "lead_id=9001"]).await;
    assert_eq!(paused.status.code(), Some(0), "{paused:?}");
    assert_eq!(
        String::from_utf8_lossy(&paused.stdout).trim(),
        "Agent successfully paused for the specified lead."
    );
    let lead = run(&["call", "get_lead", "lead_id=9001", "--output", "json"]).await;
    assert_eq!(lead.status.code(), Some(0), "{lead:?}");
    let result: serde_json::Value = serde_json::from_slice(&lead.stdout).unwrap();
    assert_eq!(
        result["structuredContent"]["agent_paused"], true,
        "{result}"
    );
    let resumed = run(&["call", "resume_agent", "lead_id=9001"]).await;
    assert_eq!(resumed.status.code(), Some(0), "{resumed:?}");
    let lead = run(&["call", "get_lead", "lead_id=9001", "--output", "json"]).await;
    let result: serde_json::Value = serde_json::from_slice(&lead.stdout).unwrap();
    assert_eq!(
        result["structuredContent"]["agent_paused"], false,
        "{result}"
    );
    sandbox.kill().await.unwrap();
}

#[tokio::test]
async fn the_sandbox_explains_itself_on_stderr_and_stops_on_sigterm() {
    let env = Isolated::new();
    let (sandbox, _vars) = start_sandbox(&env).await;
    let pid = sandbox.id().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = tokio::time::timeout(Duration::from_secs(20), sandbox.wait_with_output())
        .await
        .expect("the sandbox stops on SIGTERM")
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("until you stop it"), "{stderr}");
    assert!(stderr.contains("lead 9001"), "{stderr}");
    // Every seeded field is named in the summary.
    for field in [
        "\"AI agent paused\"",
        "\"Source\"",
        "\"Budget note\"",
        "\"Follow-up date\"",
        "\"Interests\" (multiselect, code INTERESTS): Pricing 6011",
        "\"Priority\" (radiobutton): Low 6021",
        "lead tags: 1 \"whatsapp\", 2 \"vip\"",
    ] {
        assert!(stderr.contains(field), "{field} missing: {stderr}");
    }
}

#[tokio::test]
async fn a_busy_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let env = Isolated::new();
    let mut command = env.command();
    command.args(["sandbox", "--listen", &addr]);
    let output = tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(output.status.code(), Some(0), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_sandbox_control_routes_answer_only_a_local_host_and_origin() {
    let env = Isolated::new();
    let (mut sandbox, vars) = start_sandbox(&env).await;
    let base = &vars[0].1;
    let root = base.split("/{subdomain}").next().unwrap().to_owned();
    let authority = root.strip_prefix("http://").unwrap().to_owned();
    let http = reqwest::Client::new();
    let get = |host: String, origin: Option<&'static str>| {
        let mut request = http
            .get(format!("{root}/__sim/requests"))
            .header("host", host);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let port = authority.rsplit(':').next().unwrap().to_owned();
    assert_eq!(get(authority.clone(), None).await, 200);
    assert_eq!(get(format!("localhost:{port}"), None).await, 200);
    assert_eq!(
        get(authority.clone(), Some("http://localhost:5173")).await,
        200
    );
    // DNS rebinding: a page of another site reaching the loopback port.
    assert_eq!(get(format!("evil.example:{port}"), None).await, 403);
    assert_eq!(
        get(authority.clone(), Some("https://evil.example")).await,
        403
    );
    sandbox.kill().await.unwrap();
}
