"""`--sandbox`: the binary starts its own simulator with the demo account, so both clients
can use every tool with no Kommo settings at all."""

from __future__ import annotations

import json

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from support import ALL_TOOLS, LEAD, MISSING_LEAD, SENTENCES


@pytest.mark.anyio
async def test_python_client_uses_every_tool_against_the_sandbox(kommo_bin, env, tmp_path):
    params = StdioServerParameters(command=str(kommo_bin), args=["serve", "--sandbox"], env=env)
    with open(tmp_path / "server.log", "w") as log, anyio.fail_after(120):
        async with stdio_client(params, errlog=log) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                pipelines = await session.call_tool("list_pipelines", {})
                moved = await session.call_tool("move_lead", {"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2004})
                paused = await session.call_tool("pause_agent", {"lead_id": LEAD})
                noted = await session.call_tool("add_note", {"lead_id": LEAD, "note": "sandbox"})
                lead = await session.call_tool("get_lead", {"lead_id": LEAD})
                missing = await session.call_tool("move_lead", {"lead_id": MISSING_LEAD, "pipeline_id": 1001, "status_id": 2004})
    assert [p["name"] for p in pipelines.structured_content["pipelines"]] == ["Sales", "Support"]
    assert moved.content[0].text == SENTENCES["move_lead"][0] and not moved.is_error
    assert paused.content[0].text == SENTENCES["pause_agent"][0] and not paused.is_error
    assert noted.content[0].text == SENTENCES["add_note"][0] and not noted.is_error
    assert (lead.structured_content["status"]["id"], lead.structured_content["agent_paused"]) == (2004, True)
    assert missing.is_error is True and missing.content[0].text == SENTENCES["move_lead"][1]
    assert "sandbox: Kommo simulator at http://127.0.0.1:" in (tmp_path / "server.log").read_text()


def test_inspector_against_the_sandbox(kommo_bin, inspector):
    listed = inspector.run([str(kommo_bin), "--sandbox"], "--method", "tools/list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.json()["result"]["tools"]) == len(ALL_TOOLS)
    resumed = inspector.run([str(kommo_bin), "--sandbox"], "--method", "tools/call",
                            "--tool-name", "resume_agent", "--tool-arg", "lead_id=9004")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["content"][0]["text"] == SENTENCES["resume_agent"][0]
    missing = inspector.run([str(kommo_bin), "--sandbox"], "--method", "tools/call",
                            "--tool-name", "get_lead", "--tool-arg", f"lead_id={MISSING_LEAD}")
    assert missing.returncode == 5, (missing.stdout, missing.stderr)
    assert json.loads(missing.stdout)["content"][0]["text"] == SENTENCES["get_lead"][1]
