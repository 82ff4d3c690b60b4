"""The official MCP conformance suite (`@modelcontextprotocol/conformance`, Node 22, newest
release 0.1.16) against `/mcp`: each server scenario that applies to this server run by name,
its exit code and every check in its checks.json must pass. The scenarios left out, and why,
are listed in tests/e2e/README.md."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from support import PROCESS_TIMEOUT

SCENARIOS = [
    "server-initialize",
    "ping",
    "tools-list",
    "resources-list",
    "prompts-list",
    "server-sse-multiple-streams",
    "dns-rebinding-protection",
]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_conformance_scenario_passes(http_server, inspector, tmp_path: Path, scenario: str):
    # The suite's DNS-rebinding scenario insists on a localhost URL.
    url = http_server.url("/mcp", host="localhost")
    output = tmp_path / "conformance"
    done = subprocess.run(
        [str(inspector.node_bin / "conformance"), "server", "--url", url, "--scenario", scenario,
         "-o", str(output)],
        env=inspector.env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=PROCESS_TIMEOUT * 2)
    report = f"exit {done.returncode}\n{done.stdout}\n{done.stderr}\nserver:\n{http_server.stderr()}"
    assert done.returncode == 0, report
    results = list(output.glob(f"server-{scenario}-*/checks.json"))
    assert len(results) == 1, report
    checks = json.loads(results[0].read_text())
    assert checks, report
    failed = [(c["id"], c["status"], c.get("errorMessage")) for c in checks if c["status"] != "SUCCESS"]
    assert failed == [], report
    assert "0 failed" in done.stdout, report
