"""Resumable streams seen by the Python `mcp` client (issue 24, item 4), with the SDK's own
resumption: the client learns the stream's resumption token from the priming event
(`on_resumption_token_update`), drops its connection while the call waits for Kommo, and a
second client of the same session asks for the answer with that token (`resumption_token`:
a `GET /mcp` with `Last-Event-ID`). The call ran once and its answer arrives."""

from __future__ import annotations

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.message import ClientMessageMetadata
from mcp.types import CallToolRequest, CallToolRequestParams, CallToolResult

from support import LEAD, HttpServerProcess, SimulatorProcess

pytestmark = pytest.mark.anyio

CALL_TIMEOUT = 60
# Long enough that the client surely drops its stream before Kommo answers.
KOMMO_DELAY_MS = 2000


def get_lead() -> CallToolRequest:
    return CallToolRequest(params=CallToolRequestParams(name="get_lead", arguments={"lead_id": LEAD}))


def lead_reads(simulator: SimulatorProcess) -> int:
    return sum(1 for r in simulator.requests()
               if r["method"] == "GET" and r["path"].endswith(f"/leads/{LEAD}"))


async def test_an_answer_on_a_dropped_stream_reaches_a_resuming_python_client(
        start_http_server, simulator: SimulatorProcess) -> None:
    server: HttpServerProcess = start_http_server()
    simulator.inject_faults({"method": "GET", "path_contains": f"/leads/{LEAD}",
                             "delay_ms": KOMMO_DELAY_MS})
    seen: dict[str, str] = {}
    got_token = anyio.Event()

    async def remember_session(response: httpx2.Response) -> None:
        if (session := response.headers.get("mcp-session-id")) is not None:
            seen["session"] = session

    async def remember_token(token: str) -> None:
        seen["token"] = token
        got_token.set()

    # The first client starts the call, keeps the token, and goes away mid-call (its session
    # stays: no DELETE).
    async with httpx2.AsyncClient(timeout=CALL_TIMEOUT,
                                  event_hooks={"response": [remember_session]}) as http:
        async with streamable_http_client(server.url("/mcp"), http_client=http,
                                          terminate_on_close=False) as (read, write):
            async with ClientSession(read, write) as session:
                with anyio.fail_after(CALL_TIMEOUT):
                    await session.initialize()

                async def call() -> None:
                    await session.send_request(
                        get_lead(), CallToolResult,
                        metadata=ClientMessageMetadata(on_resumption_token_update=remember_token))

                async with anyio.create_task_group() as tasks:
                    tasks.start_soon(call)
                    with anyio.fail_after(CALL_TIMEOUT):
                        await got_token.wait()
                    tasks.cancel_scope.cancel()
    left_at = anyio.current_time()
    token = seen["token"]
    assert token.endswith("-0"), f"the priming event's id gives the token: {token}"

    # A second client of the same session resumes the stream with the token.
    headers = {"mcp-session-id": seen["session"], "mcp-protocol-version": "2025-11-25"}
    async with httpx2.AsyncClient(timeout=CALL_TIMEOUT, headers=headers) as http:
        async with streamable_http_client(server.url("/mcp"), http_client=http,
                                          terminate_on_close=False) as (read, write):
            async with ClientSession(read, write) as session:
                with anyio.fail_after(CALL_TIMEOUT):
                    result = await session.send_request(
                        get_lead(), CallToolResult,
                        metadata=ClientMessageMetadata(resumption_token=token))
    assert anyio.current_time() - left_at > 0.5, "the answer came after Kommo's delay"
    assert not result.is_error, result
    assert result.structured_content["id"] == LEAD, result
    assert lead_reads(simulator) == 1, "the call ran once, for the first client"
