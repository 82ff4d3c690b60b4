"""The Python `mcp` 2.x client (stdio_client + ClientSession) driving the built binary over
stdio against the simulator: every tool's sentence, isError, structuredContent, and the exact
requests Kommo received."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, AsyncIterator

import anyio
import jsonschema
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from support import (ALL_TOOLS, LEAD, MISSING_LEAD, PAUSE_FIELD, SENTENCES, SUBDOMAIN, TOKEN,
                     SimulatorProcess, account_args)

pytestmark = pytest.mark.anyio

CALL_TIMEOUT = 60


@contextlib.asynccontextmanager
async def connect(kommo_bin: Path, args: list[str], env: dict[str, str],
                  errlog: Path) -> AsyncIterator[ClientSession]:
    """An initialized session with the binary; its stderr goes to `errlog`."""
    params = StdioServerParameters(command=str(kommo_bin), args=args, env=env)
    with open(errlog, "w") as log:
        async with stdio_client(params, errlog=log) as (read, write):
            async with ClientSession(read, write) as session:
                with anyio.fail_after(CALL_TIMEOUT):
                    await session.initialize()
                yield session


async def call(session: ClientSession, tool: str, arguments: dict[str, Any]) -> Any:
    with anyio.fail_after(CALL_TIMEOUT):
        return await session.call_tool(tool, arguments)


def texts(result: Any) -> list[str]:
    return [block.text for block in result.content]


@pytest.fixture
def server_log(tmp_path: Path) -> Path:
    return tmp_path / "server.log"


async def test_initialize_lists_every_tool_with_schemas_and_touches_no_kommo(
        kommo_bin, env, simulator: SimulatorProcess, server_log):
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        with anyio.fail_after(CALL_TIMEOUT):
            tools = (await session.list_tools()).tools
    assert sorted(t.name for t in tools) == ALL_TOOLS
    for tool in tools:
        assert tool.description and len(tool.description) > 40, tool.name
        assert tool.input_schema["type"] == "object", tool.name
        assert tool.output_schema["type"] == "object", tool.name
    by_name = {t.name: t for t in tools}
    assert by_name["move_lead"].input_schema["required"] == ["lead_id", "pipeline_id", "status_id"]
    assert sorted(by_name["add_note"].input_schema["required"]) == ["lead_id", "note"]
    assert simulator.requests() == []


async def test_move_lead_reads_then_patches_exactly(kommo_bin, env, simulator, server_log):
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        result = await call(session, "move_lead", {"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003})
    assert result.is_error is not True
    assert texts(result)[0] == SENTENCES["move_lead"][0]
    assert result.structured_content["lead_id"] == LEAD
    assert result.structured_content["pipeline_id"] == 1002
    assert result.structured_content["status_id"] == 3003
    assert result.structured_content["changed"] is True
    assert simulator.request_lines() == [
        f"GET /api/v4/leads/{LEAD}",
        "GET /api/v4/leads/pipelines",
        f"PATCH /api/v4/leads/{LEAD}",
    ]
    patch = simulator.requests()[2]
    assert patch["body"] == {"pipeline_id": 1002, "status_id": 3003}
    assert patch["authorization"] == f"Bearer {TOKEN}"
    assert patch["subdomain"] == SUBDOMAIN
    lead = simulator.lead(LEAD)
    assert (lead["pipeline_id"], lead["status_id"]) == (1002, 3003)


async def test_pause_then_resume_write_the_pause_field(kommo_bin, env, simulator, server_log):
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        paused = await call(session, "pause_agent", {"lead_id": LEAD})
        resumed = await call(session, "resume_agent", {"lead_id": LEAD})
    assert texts(paused)[0] == SENTENCES["pause_agent"][0] and not paused.is_error
    assert texts(resumed)[0] == SENTENCES["resume_agent"][0] and not resumed.is_error
    assert paused.structured_content["lead_id"] == LEAD
    assert paused.structured_content["paused"] is True
    assert resumed.structured_content["paused"] is False
    writes = simulator.writes()
    assert [(w["method"], w["path"]) for w in writes] == [("PATCH", f"/api/v4/leads/{LEAD}")] * 2
    assert [w["body"] for w in writes] == [
        {"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": True}]}]},
        {"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": False}]}]},
    ]


async def test_add_note_posts_one_common_note(kommo_bin, env, simulator, server_log):
    note = "Customer wants a quote — call back at 5pm\nsecond line"
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        result = await call(session, "add_note", {"lead_id": LEAD, "note": note})
    assert texts(result)[0] == SENTENCES["add_note"][0] and not result.is_error
    assert isinstance(result.structured_content["note_id"], int)
    assert simulator.request_lines() == [f"GET /api/v4/leads/{LEAD}", f"POST /api/v4/leads/{LEAD}/notes"]
    assert simulator.writes()[0]["body"] == [{"note_type": "common", "params": {"text": note}}]
    stored = simulator.notes(LEAD)
    assert [n["params"]["text"] for n in stored] == [note]
    assert stored[0]["id"] == result.structured_content["note_id"]


async def test_get_lead_and_list_pipelines_only_read(kommo_bin, env, simulator, server_log):
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        lead = await call(session, "get_lead", {"lead_id": LEAD})
        pipelines = await call(session, "list_pipelines", {})
    assert not lead.is_error and not pipelines.is_error
    assert "Maria Gonzalez" in texts(lead)[0]
    assert lead.structured_content["id"] == LEAD
    assert lead.structured_content["name"] == "Maria Gonzalez — WhatsApp inquiry"
    assert lead.structured_content["pipeline"] == {"id": 1001, "name": "Sales"}
    assert lead.structured_content["status"] == {"id": 2002, "name": "Contacted"}
    assert lead.structured_content["agent_paused"] is False
    assert texts(pipelines)[0].startswith("2 pipelines")
    assert [p["id"] for p in pipelines.structured_content["pipelines"]] == [1001, 1002]
    assert [s["id"] for s in pipelines.structured_content["pipelines"][1]["statuses"]] == [3001, 3002, 3003, 142, 143]
    assert simulator.writes() == []


MISSING_CALLS = [
    ("move_lead", {"lead_id": MISSING_LEAD, "pipeline_id": 1001, "status_id": 2002}),
    ("pause_agent", {"lead_id": MISSING_LEAD}),
    ("resume_agent", {"lead_id": MISSING_LEAD}),
    ("add_note", {"lead_id": MISSING_LEAD, "note": "hello"}),
    ("get_lead", {"lead_id": MISSING_LEAD}),
]


@pytest.mark.parametrize("mode,status", [("no_content", 204), ("not_found", 404)])
async def test_missing_lead_fails_with_the_sentence_and_writes_nothing(
        kommo_bin, env, simulator, server_log, mode, status):
    simulator.configure(missing_lead=mode)
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        results = [(tool, await call(session, tool, args)) for tool, args in MISSING_CALLS]
    for tool, result in results:
        assert result.is_error is True, tool
        assert texts(result)[0] == SENTENCES[tool][1], tool
        assert f"no lead with id {MISSING_LEAD}" in texts(result)[1], (tool, texts(result))
        assert result.structured_content["lead_id"] == MISSING_LEAD, tool
        assert result.structured_content["error"]["kind"] == "lead_missing", tool
    requests = simulator.requests()
    assert [(r["method"], r["path"], r["status"]) for r in requests] == \
        [("GET", f"/api/v4/leads/{MISSING_LEAD}", status)] * len(MISSING_CALLS)


async def test_every_result_matches_its_tools_output_schema(kommo_bin, env, simulator, server_log):
    """structuredContent must match outputSchema on success and on failure: clients built on
    the TypeScript SDK (the Inspector, desktop apps) check it even when isError is set."""
    calls = [
        ("move_lead", {"lead_id": LEAD, "pipeline_id": 1001, "status_id": 2003}),
        ("pause_agent", {"lead_id": LEAD}),
        ("resume_agent", {"lead_id": LEAD}),
        ("add_note", {"lead_id": LEAD, "note": "schema check"}),
        ("get_lead", {"lead_id": LEAD}),
        ("list_pipelines", {}),
        *MISSING_CALLS,
        ("move_lead", {"lead_id": LEAD, "pipeline_id": 1001, "status_id": 3003}),
        ("add_note", {"lead_id": "not a number", "note": ""}),
    ]
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        with anyio.fail_after(CALL_TIMEOUT):
            schemas = {t.name: t.output_schema for t in (await session.list_tools()).tools}
        results = [(tool, args, await call(session, tool, args)) for tool, args in calls]
        simulator.inject_faults({"status": 500})
        results.append(("get_lead", {}, await call(session, "get_lead", {"lead_id": LEAD})))
    assert [r.is_error is True for _, _, r in results].count(True) == len(MISSING_CALLS) + 3
    for tool, args, result in results:
        assert result.structured_content is not None, (tool, args)
        jsonschema.validate(result.structured_content, schemas[tool])


async def test_token_never_reaches_the_client_or_the_logs(kommo_bin, env, simulator, server_log):
    async with connect(kommo_bin, [*account_args(simulator), "--log-level", "trace"], env, server_log) as session:
        results = [await call(session, tool, args) for tool, args in MISSING_CALLS]
        results.append(await call(session, "move_lead", {"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}))
    for result in results:
        assert TOKEN not in result.model_dump_json()
    log = server_log.read_text()
    assert "TRACE" in log or "DEBUG" in log, "trace logging was on"
    assert TOKEN not in log
