//! `add_tag` and `remove_tag` through the built binary: the exact PATCH with `tags_to_add` /
//! `tags_to_delete` (by the original's `tag_id` and by `tag_name`), the no-op when the lead
//! already has / lacks the tag, every argument error sending nothing, a missing lead, a
//! refused tag, and the audit line's before → after.

use serde_json::{Value, json};

use crate::support::*;

const ADDED: &str = "Tag added successfully.";
const ADD_FAILED: &str = "Failed to add tag: Kommo did not accept the update request.";
const ADD_MISSING: &str = "Failed to add tag: the specified lead does not exist in Kommo.";
const REMOVED: &str = "Tag removed successfully.";
const REMOVE_FAILED: &str = "Failed to remove tag: Kommo did not accept the update request.";
const REMOVE_MISSING: &str = "Failed to remove tag: the specified lead does not exist in Kommo.";

fn lead_tags(sim: &kommo_sim::Simulator, lead: i64) -> Vec<String> {
    sim.state().lead(SUBDOMAIN, lead).unwrap()["_embedded"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn add_tag_by_the_originals_tag_id_sends_tags_to_add_and_keeps_the_other_tags() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call("add_tag", json!({"lead_id": LEAD, "tag_id": 2}))
        .await;
    assert_eq!(first_text(&result), ADDED, "{result}");
    assert!(!is_error(&result));
    assert_eq!(
        result["structuredContent"],
        json!({"lead_id": LEAD, "tag_id": 2, "tags": ["whatsapp", "#2"], "changed": true})
    );
    assert_eq!(
        request_lines(&sim),
        ["GET /api/v4/leads/9001", "PATCH /api/v4/leads/9001"]
    );
    let sent = writes(&sim);
    assert_eq!(sent[0].body, Some(json!({"tags_to_add": [{"id": 2}]})));
    assert_eq!(lead_tags(&sim, LEAD), ["whatsapp", "vip"]);
    // the lead has it now: success, unchanged, no PATCH
    sim.state().clear_requests();
    for args in [
        json!({"lead_id": LEAD, "tag_id": 2}),
        json!({"lead_id": LEAD, "tag_name": "VIP"}),
    ] {
        let again = client.call("add_tag", args).await;
        assert_eq!(first_text(&again), ADDED);
        assert_eq!(again["structuredContent"]["changed"], false, "{again}");
        assert_eq!(again["structuredContent"]["tag_id"], 2);
    }
    assert_eq!(
        request_lines(&sim),
        ["GET /api/v4/leads/9001", "GET /api/v4/leads/9001"]
    );
}

#[tokio::test]
async fn add_tag_by_a_new_name_creates_the_tag_and_remove_tag_takes_it_off() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let result = client
        .call(
            "add_tag",
            json!({"lead_id": 9003, "tag_name": "  Wants demo "}),
        )
        .await;
    assert_eq!(first_text(&result), ADDED, "{result}");
    assert_eq!(writes(&sim)[0].body, Some(json!([{"name": "Wants demo"}])));
    assert_eq!(
        writes(&sim)[1].body,
        Some(json!({"tags_to_add": [{"id": 101}]}))
    );
    assert_eq!(lead_tags(&sim, 9003), ["Wants demo"]);
    // remove by name (any case): the lead's own tag id is sent
    let removed = client
        .call(
            "remove_tag",
            json!({"lead_id": 9003, "tag_name": "wants DEMO"}),
        )
        .await;
    assert_eq!(first_text(&removed), REMOVED, "{removed}");
    assert_eq!(
        removed["structuredContent"],
        json!({"lead_id": 9003, "tag_id": 101, "tag_name": "Wants demo", "tags": [], "changed": true})
    );
    assert_eq!(
        writes(&sim)[2].body,
        Some(json!({"tags_to_delete": [{"id": 101}]}))
    );
    assert!(lead_tags(&sim, 9003).is_empty());
    // remove by the original's tag id, keeping the other tag
    let removed = client
        .call("remove_tag", json!({"lead_id": 9002, "tag_id": 3}))
        .await;
    assert_eq!(first_text(&removed), REMOVED);
    assert_eq!(
        writes(&sim)[3].body,
        Some(json!({"tags_to_delete": [{"id": 3}]}))
    );
    assert_eq!(lead_tags(&sim, 9002), ["vip"]);
    // a lead without the tag: success, unchanged, no PATCH
    let before = writes(&sim).len();
    for args in [
        json!({"lead_id": 9002, "tag_id": 3}),
        json!({"lead_id": 9002, "tag_name": "never had it"}),
    ] {
        let again = client.call("remove_tag", args).await;
        assert_eq!(first_text(&again), REMOVED);
        assert_eq!(again["structuredContent"]["changed"], false);
    }
    assert_eq!(writes(&sim).len(), before);
}

#[tokio::test]
async fn tag_argument_errors_send_nothing_and_name_the_argument() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    let long = "x".repeat(256);
    for (tool, args, expected) in [
        (
            "add_tag",
            json!({"lead_id": LEAD}),
            "give one of tag_id or tag_name",
        ),
        (
            "add_tag",
            json!({"lead_id": LEAD, "tag_id": 2, "tag_name": "vip"}),
            "give only one of tag_id or tag_name, not both",
        ),
        (
            "add_tag",
            json!({"lead_id": LEAD, "tag_name": " "}),
            "tag_name must not be empty",
        ),
        (
            "add_tag",
            json!({"lead_id": LEAD, "tag_name": long}),
            "tag_name must be at most 255 characters, got 256",
        ),
        (
            "add_tag",
            json!({"lead_id": LEAD, "tag_id": 0}),
            "tag_id must be greater than 0",
        ),
        (
            "remove_tag",
            json!({"lead_id": LEAD, "tag_id": "abc"}),
            "tag_id must be a whole number",
        ),
        ("remove_tag", json!({"tag_id": 1}), "lead_id is required"),
    ] {
        let result = client.call(tool, args.clone()).await;
        assert!(is_error(&result), "{args}");
        let failed = if tool == "add_tag" {
            ADD_FAILED
        } else {
            REMOVE_FAILED
        };
        assert_eq!(first_text(&result), failed, "{args}");
        let reason = all_text(&result);
        assert!(reason.contains(expected), "{args}: {reason}");
        assert!(reason.contains("Nothing was sent to Kommo."), "{reason}");
    }
    // both problems at once
    let result = client.call("add_tag", json!({"lead_id": 0})).await;
    let reason = all_text(&result);
    assert!(
        reason.contains("lead_id must be greater than 0, got 0; give one of tag_id or tag_name"),
        "{reason}"
    );
    assert!(request_lines(&sim).is_empty(), "{:?}", request_lines(&sim));
}

#[tokio::test]
async fn a_missing_lead_or_a_refused_tag_fails_with_its_sentence() {
    let sim = simulator().await;
    let env = Isolated::new();
    let mut client = client_for(&sim, &env).await;
    for (tool, sentence) in [("add_tag", ADD_MISSING), ("remove_tag", REMOVE_MISSING)] {
        let result = client
            .call(tool, json!({"lead_id": MISSING_LEAD, "tag_name": "vip"}))
            .await;
        assert!(is_error(&result));
        assert_eq!(first_text(&result), sentence);
        assert_eq!(result["structuredContent"]["error"]["kind"], "lead_missing");
    }
    assert!(writes(&sim).is_empty());
    // Kommo refuses a tag id the account does not have
    let refused = client
        .call("add_tag", json!({"lead_id": LEAD, "tag_id": 999}))
        .await;
    assert!(is_error(&refused));
    assert_eq!(first_text(&refused), ADD_FAILED);
    assert!(all_text(&refused).contains("tags_to_add.0.id"), "{refused}");
    assert_eq!(lead_tags(&sim, LEAD), ["whatsapp"]);
}

#[tokio::test]
async fn the_audit_line_of_a_tag_write_shows_the_tags_before_and_after() {
    let sim = simulator().await;
    let env = Isolated::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut command = env.command();
    command
        .args(account_args(&sim))
        .args(["--audit-log", path.to_str().unwrap()]);
    let mut client = StdioClient::start(command).await;
    client
        .call("add_tag", json!({"lead_id": LEAD, "tag_name": "vip"}))
        .await;
    client
        .call(
            "remove_tag",
            json!({"lead_id": LEAD, "tag_id": 1, "dry_run": true}),
        )
        .await;
    let lines: Vec<Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        // The write's outcome line (its intent line came before it) and the dry run's line.
        .filter(|line| line["event"] != "intent")
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["event"], "outcome");
    assert_eq!(lines[1]["event"], "dry_run");
    assert_eq!(lines[0]["tool"], "add_tag");
    assert_eq!(lines[0]["before"], json!({"tags": ["whatsapp"]}));
    assert_eq!(lines[0]["after"], json!({"tags": ["whatsapp", "vip"]}));
    assert_eq!(lines[0]["dry_run"], false);
    assert_eq!(lines[1]["tool"], "remove_tag");
    assert_eq!(lines[1]["before"], json!({"tags": ["whatsapp", "vip"]}));
    assert_eq!(lines[1]["after"], json!({"tags": ["vip"]}));
    assert_eq!(lines[1]["dry_run"], true);
    assert_eq!(lead_tags(&sim, LEAD), ["whatsapp", "vip"]);
}
