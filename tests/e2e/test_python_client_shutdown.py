"""Graceful shutdown seen by the Python `mcp` client over streamable HTTP: an `add_note` in
flight when SIGTERM arrives must reach the client as the tool's success, not as a
`ConnectError`. The session's standalone GET stream must stay open until the call has
answered, and the client must still be able to connect meanwhile: after a call it has no
output schema for, this client sends `tools/list` on a new connection before it hands the
result over."""

from __future__ import annotations

import signal
import time

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from support import LEAD, SENTENCES, HttpServerProcess, SimulatorProcess

pytestmark = pytest.mark.anyio

CALL_TIMEOUT = 60
# Long enough that SIGTERM surely arrives while Kommo "works" on the note.
KOMMO_DELAY_MS = 2500


async def wait_for_call_in_flight(server: HttpServerProcess) -> None:
    with anyio.fail_after(CALL_TIMEOUT):
        while server.health()["calls_in_flight"] < 1:
            await anyio.sleep(0.02)


async def test_add_note_in_flight_at_sigterm_is_answered_to_the_python_client(
        start_http_server, simulator: SimulatorProcess) -> None:
    server: HttpServerProcess = start_http_server()
    simulator.inject_faults({"method": "POST", "path_contains": f"/leads/{LEAD}/notes",
                             "delay_ms": KOMMO_DELAY_MS})
    outcome: dict[str, object] = {}
    async with httpx2.AsyncClient(timeout=CALL_TIMEOUT) as http:
        try:
            async with streamable_http_client(server.url("/mcp"), http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    with anyio.fail_after(CALL_TIMEOUT):
                        await session.initialize()
                    # Give the client time to open its standalone GET stream, as a real
                    # long-lived session has.
                    await anyio.sleep(0.5)

                    async def add_note() -> None:
                        with anyio.fail_after(CALL_TIMEOUT):
                            outcome["result"] = await session.call_tool(
                                "add_note", {"lead_id": LEAD, "note": "written during shutdown"})

                    async with anyio.create_task_group() as tasks:
                        tasks.start_soon(add_note)
                        await wait_for_call_in_flight(server)
                        server.process.send_signal(signal.SIGTERM)
        except Exception as err:  # noqa: BLE001 - the failure on today's code is the point
            outcome.setdefault("error", repr(err))

    assert "error" not in outcome, f"the client failed: {outcome['error']}\n{server.stderr()}"
    result = outcome["result"]
    assert not result.is_error, result
    assert result.content[0].text == SENTENCES["add_note"][0], result
    assert [n["params"]["text"] for n in simulator.notes(LEAD)][-1:] == ["written during shutdown"]
    deadline = time.monotonic() + CALL_TIMEOUT
    while server.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.process.returncode == 0, server.stderr()
