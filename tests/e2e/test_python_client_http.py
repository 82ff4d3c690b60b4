"""The Python `mcp` 2.x client driving `kommo-mcp serve --http` against the simulator:
`streamable_http_client` (headers on an `httpx2.AsyncClient`) and `sse_client` listing and
calling every tool, per-request headers choosing the account (the simulator's request log
shows whose token each request carried), the high-level `Client` (2026-07-28, stateless),
the bare curl JSON POST of the Horneross documentation, and `--stateless` mode."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import urllib.request
from typing import Any, AsyncIterator

import anyio
import httpx2
import pytest
from mcp import Client, ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from support import (ALL_TOOLS, LEAD, MISSING_LEAD, OTHER_SUBDOMAIN, OTHER_TOKEN, PAUSE_FIELD,
                     PROCESS_TIMEOUT, SENTENCES, SUBDOMAIN, TOKEN, HttpServerProcess,
                     SimulatorProcess)

pytestmark = pytest.mark.anyio

CALL_TIMEOUT = 60

# The headers of a platform serving the `beta` account through a server configured for `acme`
# (the original's names and the X-Kommo-* aliases are both accepted; mix them).
BETA_HEADERS = {
    "KOMMO_ACCOUNT_SUBDOMAIN": OTHER_SUBDOMAIN,
    "X-Kommo-Token": OTHER_TOKEN,
    "x-kommo-pause-field-id": str(PAUSE_FIELD),
}

OWN_BEARER = f"Bearer {TOKEN}"
BETA_BEARER = f"Bearer {OTHER_TOKEN}"


@contextlib.asynccontextmanager
async def streamable_session(url: str, headers: dict[str, str]) -> AsyncIterator[ClientSession]:
    async with httpx2.AsyncClient(headers=headers, timeout=CALL_TIMEOUT) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                with anyio.fail_after(CALL_TIMEOUT):
                    await session.initialize()
                yield session


@contextlib.asynccontextmanager
async def sse_session(url: str, headers: dict[str, str]) -> AsyncIterator[ClientSession]:
    async with sse_client(url, headers=headers, timeout=CALL_TIMEOUT) as (read, write):
        async with ClientSession(read, write) as session:
            with anyio.fail_after(CALL_TIMEOUT):
                await session.initialize()
            yield session


TRANSPORTS = {"streamable_http": ("/mcp", streamable_session), "sse": ("/sse", sse_session)}


async def call(session: ClientSession, tool: str, arguments: dict[str, Any]) -> Any:
    with anyio.fail_after(CALL_TIMEOUT):
        return await session.call_tool(tool, arguments)


async def tool_names(session: ClientSession) -> list[str]:
    with anyio.fail_after(CALL_TIMEOUT):
        return sorted(t.name for t in (await session.list_tools()).tools)


def first_text(result: Any) -> str:
    return result.content[0].text


# Every tool once, on the lead both demo accounts have; the writes each call must make.
EVERY_TOOL = [
    ("move_lead", {"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003}),
    ("pause_agent", {"lead_id": LEAD}),
    ("resume_agent", {"lead_id": LEAD}),
    ("add_note", {"lead_id": LEAD, "note": "written through HTTP"}),
    ("get_lead", {"lead_id": LEAD}),
    ("list_pipelines", {}),
]
EVERY_TOOL_WRITES = [
    ("PATCH", f"/api/v4/leads/{LEAD}", {"pipeline_id": 1002, "status_id": 3003}),
    ("PATCH", f"/api/v4/leads/{LEAD}",
     {"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": True}]}]}),
    ("PATCH", f"/api/v4/leads/{LEAD}",
     {"custom_fields_values": [{"field_id": PAUSE_FIELD, "values": [{"value": False}]}]}),
    ("POST", f"/api/v4/leads/{LEAD}/notes",
     [{"note_type": "common", "params": {"text": "written through HTTP"}}]),
]


def assert_every_tool_succeeded(results: list[tuple[str, Any]]) -> None:
    for tool, result in results:
        assert result.is_error is not True, (tool, result)
        if SENTENCES.get(tool, (None,))[0]:
            assert first_text(result) == SENTENCES[tool][0], tool
    by_tool = dict(results)
    assert by_tool["get_lead"].structured_content["pipeline"]["id"] == 1002
    assert by_tool["get_lead"].structured_content["status"]["id"] == 3003
    assert [p["id"] for p in by_tool["list_pipelines"].structured_content["pipelines"]] == [1001, 1002]


def writes_on(simulator: SimulatorProcess, subdomain: str) -> list[tuple[str, str, Any]]:
    return [(w["method"], w["path"], w["body"]) for w in simulator.writes() if w["subdomain"] == subdomain]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_every_tool_on_two_accounts_at_once_each_with_its_own_token(
        http_server: HttpServerProcess, simulator: SimulatorProcess, transport: str):
    """One session on the server's own account and one whose headers choose `beta`, open at
    the same time: each lists every tool and calls every tool; the simulator shows each
    account's requests carried its own token, and the server's token never went to `beta`."""
    path, connect = TRANSPORTS[transport]
    url = http_server.url(path)
    async with connect(url, {}) as own, connect(url, BETA_HEADERS) as beta:
        assert await tool_names(own) == ALL_TOOLS
        assert await tool_names(beta) == ALL_TOOLS
        own_results, beta_results = [], []
        for tool, arguments in EVERY_TOOL:
            beta_results.append((tool, await call(beta, tool, arguments)))
            own_results.append((tool, await call(own, tool, arguments)))
    assert_every_tool_succeeded(own_results)
    assert_every_tool_succeeded(beta_results)

    assert writes_on(simulator, OTHER_SUBDOMAIN) == EVERY_TOOL_WRITES
    assert writes_on(simulator, SUBDOMAIN) == EVERY_TOOL_WRITES
    beta_tokens = simulator.authorizations(OTHER_SUBDOMAIN)
    own_tokens = simulator.authorizations(SUBDOMAIN)
    assert len(beta_tokens) >= len(EVERY_TOOL_WRITES) + 4 and set(beta_tokens) == {BETA_BEARER}
    assert len(own_tokens) >= len(EVERY_TOOL_WRITES) + 4 and set(own_tokens) == {OWN_BEARER}
    assert {r["subdomain"] for r in simulator.requests()} == {SUBDOMAIN, OTHER_SUBDOMAIN}
    # Each account's state changed through its own requests only.
    for subdomain in (SUBDOMAIN, OTHER_SUBDOMAIN):
        lead = simulator.lead(LEAD, subdomain)
        assert (lead["pipeline_id"], lead["status_id"]) == (1002, 3003), subdomain
        assert [n["params"]["text"] for n in simulator.notes(LEAD, subdomain)] == ["written through HTTP"]
    assert TOKEN not in http_server.stderr() and OTHER_TOKEN not in http_server.stderr()


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_tools_header_narrows_the_list_and_missing_lead_is_a_tool_error(
        http_server: HttpServerProcess, simulator: SimulatorProcess, transport: str):
    path, connect = TRANSPORTS[transport]
    async with connect(http_server.url(path), {"X-Kommo-Tools": "get_lead,pause_agent"}) as session:
        assert await tool_names(session) == ["get_lead", "pause_agent"]
        missing = await call(session, "pause_agent", {"lead_id": MISSING_LEAD})
    assert missing.is_error is True
    assert first_text(missing) == SENTENCES["pause_agent"][1]
    assert missing.structured_content["error"]["kind"] == "lead_missing"
    assert simulator.request_lines() == [f"GET /api/v4/leads/{MISSING_LEAD}"]


async def test_another_subdomain_without_its_own_token_is_refused_and_sends_nothing(
        http_server: HttpServerProcess, simulator: SimulatorProcess):
    """The server's own token must never be sent to an account a request names."""
    headers = {"X-Kommo-Subdomain": OTHER_SUBDOMAIN}
    async with httpx2.AsyncClient(headers=headers, timeout=CALL_TIMEOUT) as http:
        async with streamable_http_client(http_server.url("/mcp"), http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                with anyio.fail_after(CALL_TIMEOUT):
                    await session.initialize()
                result = await call(session, "get_lead", {"lead_id": LEAD})
    assert result.is_error is True
    assert 'no Kommo token for account "beta"' in " ".join(block.text for block in result.content)
    assert simulator.requests() == []


async def test_high_level_client_speaks_2026_07_28_without_a_session(
        http_server: HttpServerProcess, simulator: SimulatorProcess):
    async with Client(http_server.url("/mcp")) as client:
        assert client.protocol_version == "2026-07-28"
        assert client.server_info is not None and client.server_info.name == "kommo-mcp"
        with anyio.fail_after(CALL_TIMEOUT):
            result = await client.call_tool("move_lead", {"lead_id": LEAD, "pipeline_id": 1002,
                                                          "status_id": 3001})
        assert http_server.health()["mcp_sessions"] == 0
    assert result.is_error is not True
    assert first_text(result) == SENTENCES["move_lead"][0]
    assert writes_on(simulator, SUBDOMAIN) == [
        ("PATCH", f"/api/v4/leads/{LEAD}", {"pipeline_id": 1002, "status_id": 3001})]


async def test_stateless_mode_serves_the_python_client_without_sessions(
        start_http_server, simulator: SimulatorProcess):
    server = start_http_server("--stateless")
    async with streamable_session(server.url("/mcp"), BETA_HEADERS) as session:
        assert await tool_names(session) == ALL_TOOLS
        result = await call(session, "add_note", {"lead_id": LEAD, "note": "stateless note"})
        assert server.health()["mcp_sessions"] == 0
    assert first_text(result) == SENTENCES["add_note"][0]
    assert writes_on(simulator, OTHER_SUBDOMAIN) == [
        ("POST", f"/api/v4/leads/{LEAD}/notes", [{"note_type": "common", "params": {"text": "stateless note"}}])]
    assert set(simulator.authorizations(OTHER_SUBDOMAIN)) == {BETA_BEARER}
    assert simulator.authorizations(SUBDOMAIN) == []


def bare_post(server: HttpServerProcess, body: dict[str, Any]) -> tuple[str, Any]:
    """The Horneross documentation's request: POST /mcp with only `Content-Type:
    application/json`. Real curl when installed, else urllib with the same headers. Returns
    the answer's content type and JSON."""
    data = json.dumps(body)
    curl = shutil.which("curl")
    if curl:
        done = subprocess.run(
            [curl, "-s", "-X", "POST", server.url("/mcp"), "-H", "Content-Type: application/json",
             "-d", data, "-w", "\n%{content_type}"],
            capture_output=True, text=True, timeout=PROCESS_TIMEOUT, check=True)
        payload, content_type = done.stdout.rsplit("\n", 1)
        return content_type, json.loads(payload)
    request = urllib.request.Request(server.url("/mcp"), data=data.encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=PROCESS_TIMEOUT) as response:
        return response.headers["Content-Type"], json.loads(response.read())


def test_bare_curl_post_prints_the_tool_list_and_calls_a_tool(
        http_server: HttpServerProcess, simulator: SimulatorProcess):
    content_type, answer = bare_post(http_server, {"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert content_type == "application/json"
    assert answer["id"] == 1
    assert sorted(t["name"] for t in answer["result"]["tools"]) == ALL_TOOLS
    content_type, answer = bare_post(http_server, {
        "jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "pause_agent", "arguments": {"lead_id": LEAD}}})
    assert content_type == "application/json"
    assert answer["result"]["isError"] is False
    assert answer["result"]["content"][0]["text"] == SENTENCES["pause_agent"][0]
    assert writes_on(simulator, SUBDOMAIN) == [EVERY_TOOL_WRITES[1]]
    assert http_server.health()["mcp_sessions"] == 0
