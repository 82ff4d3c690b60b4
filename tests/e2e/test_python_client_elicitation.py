"""The Python `mcp` client's `elicitation_callback` answering kommo-mcp's confirmation of a
`confirm_tools` write (issue 24, item 5), over stdio, streamable HTTP and legacy SSE: accept
moves the lead, decline leaves it as it was and sends Kommo nothing."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import anyio
import httpx2
import pytest
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.sse import sse_client
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from support import LEAD, SUBDOMAIN, SimulatorProcess, account_args

pytestmark = pytest.mark.anyio

CALL_TIMEOUT = 60
CONFIRM = ["--confirm-tools", "move_lead"]
WIN = {"lead_id": LEAD, "pipeline_id": 1001, "status_id": 142}


class Answering:
    """An elicitation callback that gives `action` (with `confirm: true` on accept) and keeps
    the messages it was shown."""

    def __init__(self, action: str) -> None:
        self.action = action
        self.messages: list[str] = []

    async def __call__(self, context: Any, params: Any) -> types.ElicitResult:
        self.messages.append(params.message)
        content = {"confirm": True} if self.action == "accept" else None
        return types.ElicitResult(action=self.action, content=content)


Connect = Callable[[Answering], Any]


@contextlib.asynccontextmanager
async def initialized(read: Any, write: Any, answering: Answering) -> AsyncIterator[ClientSession]:
    async with ClientSession(read, write, elicitation_callback=answering) as session:
        with anyio.fail_after(CALL_TIMEOUT):
            await session.initialize()
        yield session


@contextlib.asynccontextmanager
async def over_stdio(kommo_bin: Path, simulator: SimulatorProcess, env: dict[str, str],
                     tmp_path: Path, answering: Answering) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=str(kommo_bin),
                                   args=[*account_args(simulator), *CONFIRM], env=env)
    with open(tmp_path / "stdio.log", "w") as log:
        async with stdio_client(params, errlog=log) as (read, write):
            async with initialized(read, write, answering) as session:
                yield session


@contextlib.asynccontextmanager
async def over_streamable_http(url: str, answering: Answering) -> AsyncIterator[ClientSession]:
    async with httpx2.AsyncClient(timeout=CALL_TIMEOUT) as http:
        async with streamable_http_client(url, http_client=http) as (read, write, *_):
            async with initialized(read, write, answering) as session:
                yield session


@contextlib.asynccontextmanager
async def over_sse(url: str, answering: Answering) -> AsyncIterator[ClientSession]:
    async with sse_client(url, timeout=CALL_TIMEOUT) as (read, write):
        async with initialized(read, write, answering) as session:
            yield session


@pytest.fixture(params=["stdio", "streamable_http", "sse"])
def connect(request: pytest.FixtureRequest, kommo_bin: Path, simulator: SimulatorProcess,
            env: dict[str, str], tmp_path: Path, start_http_server: Any) -> Connect:
    """Opens a session over one transport to a server with `--confirm-tools move_lead`."""
    if request.param == "stdio":
        return lambda answering: over_stdio(kommo_bin, simulator, env, tmp_path, answering)
    server = start_http_server(*CONFIRM)
    if request.param == "streamable_http":
        return lambda answering: over_streamable_http(server.url("/mcp"), answering)
    return lambda answering: over_sse(server.url("/sse"), answering)


async def win(session: ClientSession) -> Any:
    with anyio.fail_after(CALL_TIMEOUT):
        return await session.call_tool("move_lead", WIN)


def assert_asked_about_the_lead(answering: Answering) -> None:
    assert len(answering.messages) == 1, answering.messages
    message = answering.messages[0]
    for part in ("move_lead", f"lead {LEAD}", "(closed)", SUBDOMAIN):
        assert part in message, (part, message)


async def test_accept_moves_the_lead(connect: Connect, simulator: SimulatorProcess) -> None:
    answering = Answering("accept")
    async with connect(answering) as session:
        result = await win(session)
    assert not result.is_error, result
    assert_asked_about_the_lead(answering)
    assert simulator.lead(LEAD)["status_id"] == 142
    assert [(w["method"], w["path"]) for w in simulator.writes()] == [
        ("PATCH", f"/api/v4/leads/{LEAD}")]


async def test_decline_leaves_the_lead_unchanged(connect: Connect,
                                                 simulator: SimulatorProcess) -> None:
    before = simulator.lead(LEAD)["status_id"]
    answering = Answering("decline")
    async with connect(answering) as session:
        result = await win(session)
    assert result.is_error
    assert "not confirmed by the user" in " ".join(block.text for block in result.content)
    assert result.structured_content["error"]["kind"] == "not_confirmed"
    assert_asked_about_the_lead(answering)
    assert simulator.lead(LEAD)["status_id"] == before
    assert simulator.writes() == []
