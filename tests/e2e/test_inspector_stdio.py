"""The MCP Inspector CLI (`mcp-inspector --cli`, Node 22) driving the built binary over stdio:
the binary's own flags go before `--`, the Inspector's method flags after it. Exit code 0 is a
successful call, 5 a tool error (isError: true)."""

from __future__ import annotations

import json

from support import ALL_TOOLS, LEAD, MISSING_LEAD, SENTENCES, TOKEN, account_args


def server(kommo_bin, simulator, *extra: str) -> list[str]:
    return [str(kommo_bin), *account_args(simulator), *extra]


def test_tools_list_shows_every_tool(kommo_bin, simulator, inspector):
    run = inspector.run(server(kommo_bin, simulator), "--method", "tools/list", "--format", "json")
    assert run.returncode == 0, run.stderr
    tools = run.json()["result"]["tools"]
    assert sorted(t["name"] for t in tools) == ALL_TOOLS
    assert all(t["description"] and t["inputSchema"]["type"] == "object" for t in tools)
    assert simulator.requests() == []


def test_tools_list_honours_the_binarys_tools_flag(kommo_bin, simulator, inspector):
    run = inspector.run(server(kommo_bin, simulator, "--tools", "move_lead,add_note"),
                        "--method", "tools/list", "--format", "json")
    assert run.returncode == 0, run.stderr
    assert sorted(t["name"] for t in run.json()["result"]["tools"]) == ["add_note", "move_lead"]


def test_move_lead_call_succeeds_and_patches_exactly(kommo_bin, simulator, inspector):
    run = inspector.run(server(kommo_bin, simulator), "--method", "tools/call", "--tool-name", "move_lead",
                        "--tool-arg", f"lead_id={LEAD}", "pipeline_id=1002", "status_id=3003")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["isError"] is False
    assert result["content"][0]["text"] == SENTENCES["move_lead"][0]
    assert result["structuredContent"]["lead_id"] == LEAD
    writes = simulator.writes()
    assert [(w["method"], w["path"], w["body"]) for w in writes] == \
        [("PATCH", f"/api/v4/leads/{LEAD}", {"pipeline_id": 1002, "status_id": 3003})]


def test_add_note_text_arrives_verbatim(kommo_bin, simulator, inspector):
    note = "Called back: wants a quote for 3 seats"
    run = inspector.run(server(kommo_bin, simulator), "--method", "tools/call", "--tool-name", "add_note",
                        "--tool-arg", f"lead_id={LEAD}", f"note={note}")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["content"][0]["text"] == SENTENCES["add_note"][0]
    assert simulator.writes()[0]["body"] == [{"note_type": "common", "params": {"text": note}}]


def test_missing_lead_is_a_tool_error_exit_5_with_no_write(kommo_bin, simulator, inspector):
    run = inspector.run(server(kommo_bin, simulator), "--method", "tools/call", "--tool-name", "pause_agent",
                        "--tool-arg", f"lead_id={MISSING_LEAD}")
    assert run.returncode == 5, (run.stdout, run.stderr)
    result = json.loads(run.stdout)
    assert result["isError"] is True
    assert result["content"][0]["text"] == SENTENCES["pause_agent"][1]
    assert result["structuredContent"]["error"]["kind"] == "lead_missing"
    assert json.loads(run.stderr.strip().splitlines()[-1])["error"]["code"] == "tool_is_error"
    assert simulator.request_lines() == [f"GET /api/v4/leads/{MISSING_LEAD}"]
    assert TOKEN not in run.stdout + run.stderr


def test_invalid_argument_is_a_tool_error_naming_it_and_sends_nothing(kommo_bin, simulator, inspector):
    run = inspector.run(server(kommo_bin, simulator), "--method", "tools/call", "--tool-name", "move_lead",
                        "--tool-arg", f"lead_id={LEAD}", "pipeline_id=0", "status_id=3003")
    assert run.returncode == 5, (run.stdout, run.stderr)
    result = json.loads(run.stdout)
    assert result["content"][0]["text"] == "Failed to move lead: Kommo did not accept the update request."
    assert "pipeline_id" in result["content"][1]["text"]
    assert simulator.requests() == []
