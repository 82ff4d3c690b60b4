"""Fixtures for the end-to-end tests: the built binary, an isolated environment per test, the
Kommo simulator as a process, and the MCP Inspector CLI. HTTP tests reuse these too (see
README.md in this folder)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator

import pytest

from support import (OTHER_SUBDOMAIN, OTHER_TOKEN, REPO, HttpServerProcess, Inspector,
                     SimulatorProcess, account_args, binary, isolated_env)


@pytest.fixture
def anyio_backend() -> str:
    """The anyio pytest plugin (installed with `mcp`) runs async tests on asyncio."""
    return "asyncio"


@pytest.fixture(autouse=True)
def clean_runner_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may see the developer's Kommo settings or config file, not even through a
    client library that copies parts of os.environ into the server's environment."""
    for key in list(os.environ):
        if key.startswith("KOMMO_") and key != "KOMMO_MCP_BIN" or key in ("TOOLS_TO_USE", "RUST_LOG"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))


@pytest.fixture(scope="session")
def kommo_bin() -> Path:
    """The binary under test: KOMMO_MCP_BIN, else target/debug/kommo-mcp."""
    return binary()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    """The environment every child process gets: PATH, locale and a temporary HOME."""
    return isolated_env(home)


@pytest.fixture
def simulator(kommo_bin: Path, env: dict[str, str], tmp_path: Path) -> Iterator[SimulatorProcess]:
    """A fresh Kommo simulator with the demo accounts `acme` (the servers' own account) and
    `beta` (reached through per-request headers only); rate limit off."""
    process = SimulatorProcess(kommo_bin, env, tmp_path / "simulator.log",
                               extra_accounts=((OTHER_SUBDOMAIN, OTHER_TOKEN),))
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def node_bin() -> Path:
    """.tools/node/node_modules/.bin (KOMMO_E2E_NODE_BIN), where scripts/install-e2e-tools
    put Node 22, the Inspector and the conformance suite."""
    value = os.environ.get("KOMMO_E2E_NODE_BIN")
    return Path(value) if value else REPO / ".tools" / "node" / "node_modules" / ".bin"


@pytest.fixture
def inspector(node_bin: Path, env: dict[str, str]) -> Inspector:
    """The Inspector CLI, checked to run under Node 22 (it needs >= 22.19)."""
    tool = Inspector(node_bin, env)
    version = tool.node_version()
    assert version.startswith("v22."), f"the Inspector must run under Node 22, got {version}"
    return tool


StartHttpServer = Callable[..., HttpServerProcess]


@pytest.fixture
def start_http_server(kommo_bin: Path, env: dict[str, str], simulator: SimulatorProcess,
                      tmp_path: Path) -> Iterator[StartHttpServer]:
    """Starts `kommo-mcp serve --http --listen 127.0.0.1:0` on the simulator's `acme` account
    with `extra` flags (e.g. "--stateless"), once /healthz answers; every server started is
    stopped at the end of the test."""
    started: list[HttpServerProcess] = []

    def start(*extra: str) -> HttpServerProcess:
        log = tmp_path / f"http-server-{len(started)}.log"
        server = HttpServerProcess(kommo_bin, [*account_args(simulator), *extra], env, log)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def http_server(start_http_server: StartHttpServer) -> HttpServerProcess:
    """An HTTP server with sessions on (the default)."""
    return start_http_server()
