//! The audit trail written before the write: an audit file that fails mid-run stops every
//! write before Kommo (8 concurrent notes, none reaches the simulator), SIGHUP rotation
//! under load loses or tears no line, the caller is the client key's name, and dry runs,
//! repeats and writes refused before the tool get their own line.

use std::{path::Path, time::Duration};

use futures::future::join_all;
use kommo_sim::Simulator;
use serde_json::{Value, json};

use crate::support::*;

const NOTE: &str = "NOTE-TEXT-5c3e-never-log-me";
const OTHER: &str = "beta";
const OTHER_TOKEN: &str = "beta-token-0a7d-never-print-me";
const PARTNER_KEY: &str = "kmcp_partner-key-7f20-never-print-me";

async fn server_for(sim: &Simulator, env: &Isolated, extra: &[&str]) -> HttpServer {
    let mut command = http_command(env.command(), extra);
    command.args(account_args(sim));
    HttpServer::start(command).await
}

/// Every line of the audit files given, each parsed (a torn line fails the test).
fn lines_of(paths: &[&Path]) -> Vec<Value> {
    paths
        .iter()
        .flat_map(|path| {
            std::fs::read_to_string(path)
                .unwrap_or_default()
                .lines()
                .map(|line| {
                    serde_json::from_str::<Value>(line)
                        .unwrap_or_else(|err| panic!("a torn audit line {line:?}: {err}"))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn hangup(server: &HttpServer) {
    let status = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn an_audit_file_that_fails_mid_run_lets_no_write_reach_kommo() {
    let sim = simulator().await;
    let env = Isolated::new();
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("audit-real.jsonl");
    let link = dir.path().join("audit.jsonl");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let server = server_for(&sim, &env, &["--audit-log", link.to_str().unwrap()]).await;
    let first = server
        .bare_call("add_note", json!({"lead_id": LEAD, "note": "before"}), &[])
        .await;
    assert!(!is_error(&first["result"]), "{first}");
    assert_eq!(writes(&sim).len(), 1);

    // The disk "fills": the path now leads to /dev/full, and a rotation reopens it.
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("/dev/full", &link).unwrap();
    hangup(&server);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let calls = (0..8).map(|n| {
        let note = format!("{NOTE}-{n}");
        let server = &server;
        async move {
            server
                .bare_call("add_note", json!({"lead_id": LEAD, "note": note}), &[])
                .await
        }
    });
    for answer in join_all(calls).await {
        let result = &answer["result"];
        assert!(is_error(result), "{answer}");
        assert_eq!(
            result["structuredContent"]["error"]["kind"], "audit_unavailable",
            "{answer}"
        );
        assert!(all_text(result).contains("audit log"), "{answer}");
    }
    assert_eq!(
        writes(&sim).len(),
        1,
        "no note of the 8 reached Kommo: {:?}",
        request_lines(&sim)
    );
    let lines = lines_of(&[&real]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["event"], "intent");
    assert_eq!(lines[1]["outcome"], "confirmed");
    server.stop().await;
}

#[tokio::test]
async fn rotation_under_load_loses_and_tears_no_line() {
    let sim = simulator().await;
    let env = Isolated::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let server = server_for(&sim, &env, &["--audit-log", path.to_str().unwrap()]).await;
    const CALLS: usize = 48;
    let calls = (0..CALLS).map(|n| {
        let server = &server;
        let id = format!("rotation-{n}");
        async move {
            let (tool, args) = if n % 2 == 0 {
                (
                    "add_note",
                    json!({"lead_id": LEAD, "note": format!("note {n}")}),
                )
            } else {
                ("pause_agent", json!({"lead_id": LEAD}))
            };
            let answer = server
                .bare_call(tool, args, &[("x-request-id", id.as_str())])
                .await;
            assert!(!is_error(&answer["result"]), "{answer}");
        }
    });
    let rotations = async {
        let mut rotated = Vec::new();
        for n in 0..6 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let target = dir.path().join(format!("audit.jsonl.{n}"));
            if std::fs::rename(&path, &target).is_ok() {
                rotated.push(target);
            }
            hangup(&server);
        }
        rotated
    };
    let (_, rotated) = tokio::join!(join_all(calls), rotations);
    assert!(!rotated.is_empty());
    let mut paths: Vec<&Path> = rotated.iter().map(|p| p.as_path()).collect();
    paths.push(&path);
    let lines = lines_of(&paths);
    for n in 0..CALLS {
        let id = format!("rotation-{n}");
        let events: Vec<&str> = lines
            .iter()
            .filter(|line| line["request_id"] == id.as_str())
            .map(|line| line["event"].as_str().unwrap())
            .collect();
        assert_eq!(events, ["intent", "outcome"], "{id}");
    }
    assert_eq!(lines.len(), CALLS * 2);
    assert_eq!(writes(&sim).len(), CALLS);
    server.stop().await;
}

/// `partner` may act on acme only; `[accounts.beta]` is configured.
fn partner_config(env: &Isolated) {
    let hash = kommo_mcp::testing::sha256_hex;
    env.write_default_config(&format!(
        "[accounts.{OTHER}]\ntoken = \"{OTHER_TOKEN}\"\n\n\
         [clients.partner]\nkey_sha256 = \"{}\"\naccounts = [\"{SUBDOMAIN}\"]\n",
        hash(PARTNER_KEY),
    ));
}

#[tokio::test]
async fn the_caller_is_the_client_key_and_every_kind_of_call_has_its_own_line() {
    let sim = simulator().await;
    sim.state().add_demo_account(OTHER, OTHER_TOKEN);
    let env = Isolated::new();
    partner_config(&env);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let server = server_for(&sim, &env, &["--audit-log", path.to_str().unwrap()]).await;
    let auth = format!("Bearer {PARTNER_KEY}");
    let key = ("authorization", auth.as_str());
    let call = |tool: &str, args: Value, id: &str| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": args}})
    };

    // A note, then the same note again (a repeat: nothing sent).
    let note = json!({"lead_id": LEAD, "note": NOTE});
    for id in ["note-1", "note-2"] {
        let answer = server
            .bare_call("add_note", note.clone(), &[key, ("x-request-id", id)])
            .await;
        assert!(!is_error(&answer["result"]), "{answer}");
    }
    // A dry run of a move that would change nothing (the lead is already there).
    let answer = server
        .bare_call(
            "move_lead",
            json!({"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2002, "dry_run": true}),
            &[key, ("x-request-id", "dry-1")],
        )
        .await;
    assert!(!is_error(&answer["result"]), "{answer}");
    // Refused before the tool: read-only by header, not enabled by header, and an account
    // the key may not act on (403 before MCP).
    let read_only = server
        .bare_post(
            &call("pause_agent", json!({"lead_id": LEAD}), "ro"),
            &[key, ("x-request-id", "ro-1"), ("x-kommo-read-only", "true")],
        )
        .await;
    assert_eq!(read_only.status(), 200);
    let narrowed = server
        .bare_post(
            &call("add_tag", json!({"lead_id": LEAD, "tag": "vip"}), "tools"),
            &[
                key,
                ("x-request-id", "tools-1"),
                ("x-kommo-tools", "get_lead"),
            ],
        )
        .await;
    assert_eq!(narrowed.status(), 200);
    let other = server
        .bare_post(
            &call("add_note", json!({"lead_id": LEAD, "note": NOTE}), "acct"),
            &[
                key,
                ("x-request-id", "acct-1"),
                ("x-kommo-subdomain", OTHER),
            ],
        )
        .await;
    assert_eq!(other.status(), 403);
    assert_eq!(writes(&sim).len(), 1, "{:?}", request_lines(&sim));

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(NOTE), "no note text in the audit log");
    assert!(!text.contains(PARTNER_KEY) && !text.contains(OTHER_TOKEN));
    let lines = lines_of(&[&path]);
    let by_id = |id: &str| -> Vec<&Value> {
        lines
            .iter()
            .filter(|line| line["request_id"] == id)
            .collect()
    };
    for line in &lines {
        assert_eq!(line["caller"], "partner", "{line}");
        assert!(
            line["address"].as_str().unwrap().starts_with("127.0.0.1:"),
            "{line}"
        );
    }
    let written = by_id("note-1");
    assert_eq!(written.len(), 2);
    assert_eq!(written[0]["event"], "intent");
    assert_eq!(written[0]["account"], SUBDOMAIN);
    assert_eq!(written[0]["lead_id"], LEAD);
    assert_eq!(written[1]["event"], "outcome");
    assert_eq!(written[1]["outcome"], "confirmed");
    let note_id = written[1]["created_id"].clone();
    assert!(note_id.is_i64(), "{}", written[1]);

    let repeat = by_id("note-2");
    assert_eq!(repeat.len(), 1, "a repeat sends nothing: no intent");
    assert_eq!(repeat[0]["event"], "deduplicated");
    assert_eq!(repeat[0]["deduplicated"], true);
    assert_eq!(repeat[0]["created_id"], note_id);

    let dry = by_id("dry-1");
    assert_eq!(dry.len(), 1);
    assert_eq!(dry[0]["event"], "dry_run");
    assert_eq!(dry[0]["dry_run"], true, "a dry run that changes nothing");
    assert_eq!(dry[0]["outcome"], "unchanged");

    for (id, tool, kind) in [
        ("ro-1", "pause_agent", "read_only"),
        ("tools-1", "add_tag", "tool_not_enabled"),
        ("acct-1", "add_note", "account_not_allowed"),
    ] {
        let refused = by_id(id);
        assert_eq!(refused.len(), 1, "{id}: {lines:?}");
        assert_eq!(refused[0]["event"], "refused", "{id}");
        assert_eq!(refused[0]["tool"], tool, "{id}");
        assert_eq!(refused[0]["outcome"], "refused", "{id}");
        assert_eq!(refused[0]["failure_kind"], kind, "{id}");
        assert_eq!(refused[0]["lead_id"], LEAD, "{id}");
        assert!(refused[0]["reason"].is_string(), "{id}");
    }
    assert_eq!(by_id("acct-1")[0]["account"], OTHER);
    server.stop().await;
}
