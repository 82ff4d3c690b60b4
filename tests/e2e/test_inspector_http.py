"""The MCP Inspector CLI (`mcp-inspector --cli URL`, Node 22) driving `kommo-mcp serve --http`
over streamable HTTP (`/mcp`) and legacy SSE (`/sse`): tools/list, tools/call with
`--header` choosing the account, and exit code 5 on a tool error."""

from __future__ import annotations

import json

import pytest

from support import (ALL_TOOLS, LEAD, MISSING_LEAD, OTHER_SUBDOMAIN, OTHER_TOKEN, PAUSE_FIELD,
                     SENTENCES, SUBDOMAIN, TOKEN)

PATHS = ["/mcp", "/sse"]


def headers(**values: str) -> list[str]:
    return [arg for name, value in values.items() for arg in ("--header", f"{name.replace('_', '-')}: {value}")]


@pytest.mark.parametrize("path", PATHS)
def test_tools_list_shows_every_tool_and_honours_the_tools_header(http_server, simulator, inspector, path):
    url = http_server.url(path)
    run = inspector.run([url], "--method", "tools/list", "--format", "json")
    assert run.returncode == 0, run.stderr
    tools = run.json()["result"]["tools"]
    assert sorted(t["name"] for t in tools) == ALL_TOOLS
    assert all(t["description"] and t["inputSchema"]["type"] == "object" for t in tools)
    run = inspector.run([url], "--method", "tools/list", "--format", "json",
                        *headers(x_kommo_tools="move_lead,add_note"))
    assert run.returncode == 0, run.stderr
    assert sorted(t["name"] for t in run.json()["result"]["tools"]) == ["add_note", "move_lead"]
    assert simulator.requests() == []


@pytest.mark.parametrize("path", PATHS)
def test_tools_call_with_headers_acts_on_the_named_account_with_its_token(
        http_server, simulator, inspector, path):
    run = inspector.run([http_server.url(path)], "--method", "tools/call", "--tool-name", "move_lead",
                        "--tool-arg", f"lead_id={LEAD}", "pipeline_id=1002", "status_id=3002",
                        *headers(x_kommo_subdomain=OTHER_SUBDOMAIN, x_kommo_token=OTHER_TOKEN,
                                 x_kommo_pause_field_id=str(PAUSE_FIELD)))
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["isError"] is False
    assert result["content"][0]["text"] == SENTENCES["move_lead"][0]
    requests = simulator.requests()
    assert {r["subdomain"] for r in requests} == {OTHER_SUBDOMAIN}
    assert {r["authorization"] for r in requests} == {f"Bearer {OTHER_TOKEN}"}
    assert [(w["method"], w["path"], w["body"]) for w in simulator.writes()] == \
        [("PATCH", f"/api/v4/leads/{LEAD}", {"pipeline_id": 1002, "status_id": 3002})]
    assert (simulator.lead(LEAD, OTHER_SUBDOMAIN)["status_id"], simulator.lead(LEAD)["status_id"]) == (3002, 2002)
    assert TOKEN not in run.stdout + run.stderr and OTHER_TOKEN not in run.stdout


@pytest.mark.parametrize("path", PATHS)
def test_missing_lead_is_a_tool_error_exit_5_with_no_write(http_server, simulator, inspector, path):
    run = inspector.run([http_server.url(path)], "--method", "tools/call", "--tool-name", "add_note",
                        "--tool-arg", f"lead_id={MISSING_LEAD}", "note=hello")
    assert run.returncode == 5, (run.stdout, run.stderr)
    result = json.loads(run.stdout)
    assert result["isError"] is True
    assert result["content"][0]["text"] == SENTENCES["add_note"][1]
    assert json.loads(run.stderr.strip().splitlines()[-1])["error"]["code"] == "tool_is_error"
    assert simulator.request_lines() == [f"GET /api/v4/leads/{MISSING_LEAD}"]
    assert {r["subdomain"] for r in simulator.requests()} == {SUBDOMAIN}
