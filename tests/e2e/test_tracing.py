"""OpenTelemetry traces (docs/operating.md, "Tracing") checked with a real OTLP/HTTP receiver
(tests/e2e/otlp_receiver.py, decoding with the official `opentelemetry-proto` package): the
Python `mcp` client drives the binary over stdio (trace context in `params._meta`) and over
streamable HTTP, legacy SSE and a bare JSON POST (a `traceparent` header). Checked: span
names and kinds, the server span's parent is the span the test sent, each Kommo request is a
CLIENT child of its MCP span with the rate-limit wait inside it, the attributes, the
`traceparent` arriving at the simulator, trace ids on log lines, and that no secret (the Kommo
token, a client key, the collector's header) appears in any span or in the log at `trace`
level. Also: an unreachable collector never blocks or breaks a call, and
`OTEL_SDK_DISABLED=true` sends nothing."""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any, AsyncIterator

import anyio
import httpx2
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from otlp_receiver import OtlpReceiver
from support import (LEAD, MISSING_LEAD, SUBDOMAIN, TOKEN, HttpServerProcess, SimulatorProcess,
                     account_args)
from test_python_client_http import sse_session, streamable_session

pytestmark = pytest.mark.anyio

CALL_TIMEOUT = 60
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"
TRACESTATE = "e2e=t61rcWkgMzE"
COLLECTOR_SECRET = "otel-collector-secret-never-print-me"
CLIENT_KEY = "kmcp_e2e-traced-key-never-print-me"

SERVER_SPAN = "tools/call move_lead"


@pytest.fixture
def receiver() -> AsyncIterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    try:
        yield receiver
    finally:
        receiver.stop()


def traced_env(env: dict[str, str], endpoint: str) -> dict[str, str]:
    """The standard OTEL_* environment pointing at `endpoint`, logging everything as JSON."""
    return {
        **env,
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_HEADERS": f"x-collector-key={COLLECTOR_SECRET}",
        "OTEL_SERVICE_NAME": "kommo-e2e",
        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=e2e",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "RUST_LOG": "trace",
    }


@contextlib.asynccontextmanager
async def stdio_session(kommo_bin: Path, args: list[str], env: dict[str, str],
                        errlog: Path) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=str(kommo_bin), args=args, env=env)
    with open(errlog, "w") as log:
        async with stdio_client(params, errlog=log) as (read, write):
            async with ClientSession(read, write) as session:
                with anyio.fail_after(CALL_TIMEOUT):
                    await session.initialize()
                yield session


def named(spans: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [span for span in spans if span["name"] == name]


def has(*names: str):
    return lambda spans: all(named(spans, name) for name in names)


def assert_no_secret(receiver: OtlpReceiver, log: str, *secrets: str) -> None:
    dumped = json.dumps(receiver.spans)
    for secret in secrets:
        assert secret not in dumped, f"{secret!r} in a span"
        assert all(secret.encode() not in raw for raw in receiver.raw), f"{secret!r} exported"
        assert secret not in log, f"{secret!r} in the log"


def check_kommo_children(spans: list[dict[str, Any]], server: dict[str, Any]) -> list[dict[str, Any]]:
    """The Kommo CLIENT spans of the MCP request `server`: its children, or children of its
    coalescing waits (a coalesced request is sent by the batch's leader inside the wait of
    the call that started it). Each has a rate-limit wait: inside it, or before it in the
    same coalescing wait."""
    waits = [s["span_id"] for s in named(spans, "kommo coalesce wait")
             if s["parent_span_id"] == server["span_id"]]
    parents = {server["span_id"], *waits}
    kommo = [s for s in spans if s["kind"] == "client" and s["parent_span_id"] in parents]
    tree = "\n".join(f"{s['name']} {s['span_id']} <- {s['parent_span_id']}" for s in spans)
    assert kommo, tree
    for span in kommo:
        attributes = span["attributes"]
        assert span["trace_id"] == server["trace_id"]
        assert attributes["kommo.account"] == SUBDOMAIN
        assert attributes["http.request.method"] in ("GET", "PATCH", "POST")
        assert attributes["url.template"].startswith("/api/v4/")
        assert "?" not in attributes["url.template"] and str(LEAD) not in attributes["url.template"]
        assert span["name"] == f"{attributes['http.request.method']} {attributes['url.template']}"
        assert "http.response.status_code" in attributes
        limited = {s["parent_span_id"] for s in named(spans, "kommo rate limit wait")}
        assert span["span_id"] in limited or (
            span["parent_span_id"] in waits and span["parent_span_id"] in limited), tree
    return kommo


async def test_stdio_meta_traceparent_parents_the_call_and_reaches_kommo(
        kommo_bin, env, simulator: SimulatorProcess, receiver, tmp_path):
    log_path = tmp_path / "server.log"
    started = time.monotonic()
    async with stdio_session(kommo_bin, [*account_args(simulator), "--log-format", "json"],
                             traced_env(env, receiver.endpoint), log_path) as session:
        with anyio.fail_after(CALL_TIMEOUT):
            result = await session.call_tool(
                "move_lead", {"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003},
                meta={"traceparent": TRACEPARENT, "tracestate": TRACESTATE})
        assert result.is_error is not True, result
        spans = receiver.wait_for(has(SERVER_SPAN))
    assert time.monotonic() - started < CALL_TIMEOUT

    [server] = named(spans, SERVER_SPAN)
    assert server["kind"] == "server"
    assert server["trace_id"] == TRACE_ID
    assert server["parent_span_id"] == PARENT_ID
    assert server["trace_state"] == TRACESTATE
    attributes = server["attributes"]
    assert attributes["mcp.method.name"] == "tools/call"
    assert attributes["gen_ai.tool.name"] == "move_lead"
    assert attributes["network.transport"] == "pipe"
    assert attributes["jsonrpc.request.id"]
    assert "mcp.session.id" not in attributes and "error.type" not in attributes
    assert server["resource"]["service.name"] == "kommo-e2e"
    assert server["resource"]["deployment.environment"] == "e2e"

    # initialize came without a traceparent: a trace of its own.
    [initialize] = named(receiver.wait_for(has("initialize")), "initialize")
    assert initialize["parent_span_id"] == "" and initialize["trace_id"] != TRACE_ID

    spans = receiver.wait_for(lambda s: len([x for x in s if x["kind"] == "client"]) >= 3)
    kommo = check_kommo_children(spans, server)
    assert sorted(s["name"] for s in kommo) == [
        "GET /api/v4/leads/pipelines", "GET /api/v4/leads/{id}", "PATCH /api/v4/leads/{id}"]
    kommo_ids = {s["span_id"] for s in kommo}
    requests = simulator.requests()
    assert len(requests) == 3
    for request in requests:
        version, trace_id, parent, _flags = request["traceparent"].split("-")
        assert (version, trace_id) == ("00", TRACE_ID)
        assert parent in kommo_ids
        assert request["tracestate"] == TRACESTATE

    # The collector got its header; nothing secret went anywhere it should not.
    assert receiver.exports[0]["x-collector-key"] == COLLECTOR_SECRET
    log = log_path.read_text()
    assert_no_secret(receiver, log, TOKEN, COLLECTOR_SECRET)
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    [call_line] = [line for line in lines if line.get("message") == "tool call"]
    assert call_line["trace_id"] == TRACE_ID
    assert call_line["span_id"] == server["span_id"]


@pytest.fixture
def keyed_traced_server(kommo_bin, simulator, env, receiver, tmp_path: Path):
    config = tmp_path / "clients.toml"
    digest = hashlib.sha256(CLIENT_KEY.encode()).hexdigest()
    config.write_text(f'[clients.platform]\nkey_sha256 = "{digest}"\naccounts = ["{SUBDOMAIN}"]\n')
    server = HttpServerProcess(kommo_bin, [*account_args(simulator), "--config", str(config)],
                               traced_env(env, receiver.endpoint), tmp_path / "server.log")
    try:
        yield server
    finally:
        server.stop()


async def test_http_traceparent_headers_parent_every_transport(
        keyed_traced_server: HttpServerProcess, simulator, receiver):
    server = keyed_traced_server
    headers = {"X-API-Key": CLIENT_KEY, "traceparent": TRACEPARENT}
    async with streamable_session(server.url("/mcp"), headers) as session:
        with anyio.fail_after(CALL_TIMEOUT):
            await session.list_tools()
            missing = await session.call_tool("get_lead", {"lead_id": MISSING_LEAD})
    assert missing.is_error is True
    sse_parent = "1111111111111111"
    async with sse_session(server.url("/sse"), {**headers, "traceparent": f"00-{TRACE_ID}-{sse_parent}-01"}) as session:
        with anyio.fail_after(CALL_TIMEOUT):
            found = await session.call_tool("get_lead", {"lead_id": LEAD})
    assert found.is_error is not True
    bare_parent = "2222222222222222"
    request = urllib.request.Request(
        server.url("/mcp"), method="POST",
        data=json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/list"}).encode(),
        headers={"Content-Type": "application/json",
                 "X-API-Key": CLIENT_KEY, "traceparent": f"00-{TRACE_ID}-{bare_parent}-01"})
    with urllib.request.urlopen(request, timeout=CALL_TIMEOUT) as response:
        assert response.status == 200

    spans = receiver.wait_for(lambda s: len(named(s, "tools/call get_lead")) >= 2
                              and any(x["parent_span_id"] == bare_parent for x in s))
    by_parent = {}
    for span in spans:
        if span["kind"] == "server":
            by_parent.setdefault(span["parent_span_id"], []).append(span)
    streamed = {s["name"]: s for s in by_parent[PARENT_ID]}
    assert {"initialize", "tools/list", "tools/call get_lead"} <= set(streamed)
    for span in streamed.values():
        assert span["trace_id"] == TRACE_ID
        assert span["attributes"]["network.transport"] == "tcp"
    failed = streamed["tools/call get_lead"]
    assert failed["attributes"]["error.type"] == "tool_error"
    assert failed["status"] == 2  # STATUS_CODE_ERROR
    assert failed["attributes"]["mcp.session.id"]
    [kommo] = check_kommo_children(spans, failed)
    assert kommo["attributes"]["http.response.status_code"] == 204  # Kommo's answer for a missing lead

    sse_call = [s for s in by_parent[sse_parent] if s["name"] == "tools/call get_lead"]
    assert len(sse_call) == 1 and sse_call[0]["attributes"]["mcp.session.id"]
    assert "error.type" not in sse_call[0]["attributes"]
    check_kommo_children(spans, sse_call[0])
    assert [s["name"] for s in by_parent[bare_parent]] == ["tools/list"]
    assert by_parent[bare_parent][0]["attributes"]["jsonrpc.request.id"] == "7"

    for request in simulator.requests():
        assert request["traceparent"].split("-")[1] == TRACE_ID
    server.stop()
    assert_no_secret(receiver, server.stderr(), TOKEN, CLIENT_KEY, COLLECTOR_SECRET)


async def test_an_unreachable_collector_never_blocks_a_call(kommo_bin, env, simulator, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    log_path = tmp_path / "server.log"
    started = time.monotonic()
    async with stdio_session(kommo_bin, account_args(simulator), traced_env(env, closed),
                             log_path) as session:
        with anyio.fail_after(CALL_TIMEOUT):
            result = await session.call_tool("get_lead", {"lead_id": LEAD},
                                             meta={"traceparent": TRACEPARENT})
        assert result.is_error is not True
        await anyio.sleep(0.5)  # a few export attempts fail meanwhile
    # The exit flush is bounded (3 s) even though nothing answers.
    assert time.monotonic() - started < 20
    log = log_path.read_text()
    assert "cannot send traces to the OpenTelemetry collector" in log
    assert COLLECTOR_SECRET not in log and TOKEN not in log


async def test_otel_sdk_disabled_sends_nothing(kommo_bin, env, simulator, receiver, tmp_path):
    log_path = tmp_path / "server.log"
    quiet = {**traced_env(env, receiver.endpoint), "OTEL_SDK_DISABLED": "true"}
    async with stdio_session(kommo_bin, [*account_args(simulator), "--log-format", "json"],
                             quiet, log_path) as session:
        with anyio.fail_after(CALL_TIMEOUT):
            await session.call_tool("get_lead", {"lead_id": LEAD}, meta={"traceparent": TRACEPARENT})
    assert receiver.spans == [] and receiver.exports == []
    assert "trace_id" not in log_path.read_text()
    assert "traceparent" not in json.dumps(simulator.requests()).replace('"traceparent": null', "")


async def test_exit_sends_the_spans_still_queued(kommo_bin, env, simulator, receiver, tmp_path):
    # Batches every minute: only the flush when stdin closes can send these spans.
    slow = {**traced_env(env, receiver.endpoint), "OTEL_BSP_SCHEDULE_DELAY": "60000"}
    async with stdio_session(kommo_bin, account_args(simulator), slow, tmp_path / "server.log") as session:
        with anyio.fail_after(CALL_TIMEOUT):
            await session.call_tool("get_lead", {"lead_id": LEAD}, meta={"traceparent": TRACEPARENT})
        await anyio.sleep(0.3)
        assert receiver.spans == []
    spans = receiver.wait_for(has("tools/call get_lead"), timeout=10)
    [server] = named(spans, "tools/call get_lead")
    assert server["parent_span_id"] == PARENT_ID
    check_kommo_children(spans, server)
    # Text log lines carry the ids at their end.
    lines = (tmp_path / "server.log").read_text().splitlines()
    assert any("tool call" in line and line.endswith(f"trace_id={TRACE_ID} span_id={server['span_id']}")
               for line in lines), lines
