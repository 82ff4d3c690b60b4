"""`GET /metrics` after a known workload, read with the real Prometheus parsers of the
Python `prometheus_client` package (the strict OpenMetrics parser, and the classic text
parser): the Python `mcp` client's session calls (successes and tool errors), a JSON-RPC
error, and a 429 injected through the simulator's fault control; the counts must match."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
from prometheus_client.parser import text_string_to_metric_families as prometheus_text

from support import LEAD, MISSING_LEAD, SimulatorProcess

pytestmark = pytest.mark.anyio

AUTH = "e2e-auth-9c1d-never-print-me"
HEADERS = {"Authorization": f"Bearer {AUTH}"}


def scrape(url: str) -> str:
    request = urllib.request.Request(url, headers=HEADERS)
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert "openmetrics-text" in response.headers["Content-Type"]
        return response.read().decode()


def samples(text: str) -> list[Any]:
    """Every sample, parsed by the OpenMetrics parser; the classic parser must read it too."""
    strict = [s for family in openmetrics(text) for s in family.samples]
    classic = [s for family in prometheus_text(text) for s in family.samples]
    assert len(classic) == len(strict)
    return strict


def value(all_samples: list[Any], name: str, **labels: str) -> float:
    return sum(s.value for s in all_samples
               if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def bare_post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={**HEADERS, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


async def test_metrics_after_a_known_workload(start_http_server, simulator: SimulatorProcess) -> None:
    server = start_http_server("--auth-token", AUTH)
    async with httpx2.AsyncClient(headers=HEADERS, timeout=60) as http:
        async with streamable_http_client(server.url("/mcp"), http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                with anyio.fail_after(60):
                    await session.initialize()
                    await session.list_tools()
                    ok = await session.call_tool("get_lead", {"lead_id": LEAD})
                    assert not ok.is_error
                    moved = await session.call_tool(
                        "move_lead", {"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003})
                    assert not moved.is_error
                    missing = await session.call_tool("get_lead", {"lead_id": MISSING_LEAD})
                    assert missing.is_error
                    invalid = await session.call_tool("move_lead", {"lead_id": "nope"})
                    assert invalid.is_error
                    simulator.inject_faults({"method": "GET", "path_contains": f"/leads/{LEAD}",
                                             "status": 429, "retry_after": 0})
                    retried = await session.call_tool("get_lead", {"lead_id": LEAD})
                    assert not retried.is_error
                    during = samples(scrape(server.url("/metrics")))
                    assert value(during, "mcp_sessions", network_transport="streamable_http") == 1
    answer = bare_post(server.url("/mcp"), {"jsonrpc": "2.0", "id": 5, "method": "no/such/method"})
    assert "error" in answer

    text = scrape(server.url("/metrics"))
    assert AUTH not in text
    all_samples = samples(text)
    op = "mcp_server_operation_duration_seconds_count"
    streamable = {"network_transport": "streamable_http"}
    assert value(all_samples, op, mcp_method_name="initialize", outcome="ok", **streamable) == 1
    assert value(all_samples, op, mcp_method_name="tools/list", outcome="ok", **streamable) == 1
    assert value(all_samples, op, mcp_method_name="tools/call", gen_ai_tool_name="get_lead",
                 outcome="ok", **streamable) == 2
    assert value(all_samples, op, mcp_method_name="tools/call", gen_ai_tool_name="move_lead",
                 outcome="ok", **streamable) == 1
    assert value(all_samples, op, mcp_method_name="tools/call", outcome="tool_error",
                 **streamable) == 2
    assert value(all_samples, op, mcp_method_name="other", outcome="protocol_error",
                 network_transport="bare_json") == 1
    assert value(all_samples, "kommo_rate_limited_total") == 1
    assert value(all_samples, "kommo_blocked_total") == 0
    # Every request the simulator logged is counted once, by endpoint kind and status class.
    logged = simulator.requests()
    lead_gets = [r for r in logged if r["method"] == "GET" and r["path"].endswith(f"/leads/{LEAD}")]
    assert value(all_samples, "kommo_requests_total", endpoint="lead_get") \
        == len(lead_gets) + len([r for r in logged if r["path"].endswith(f"/leads/{MISSING_LEAD}")])
    assert value(all_samples, "kommo_requests_total", endpoint="lead_get", status_class="4xx") == 1
    assert value(all_samples, "kommo_requests_total", method="PATCH", endpoint="lead_patch",
                 status_class="2xx") == 1
    assert value(all_samples, "kommo_request_duration_seconds_count", endpoint="lead_patch") == 1
    assert value(all_samples, "kommo_rate_limit_wait_seconds_count") >= len(logged) - 1
    assert value(all_samples, "mcp_calls_in_flight") == 0
    assert not any(str(LEAD) in v for s in all_samples for v in s.labels.values())
