"""The container image (Containerfile, FROM scratch with the kit's static binary), built and
run with podman and runc from Debian's packages: its configuration (non-root numeric user,
`serve --http` on 0.0.0.0, a HEALTHCHECK that runs the binary itself), the Python `mcp`
client over streamable HTTP against `--sandbox` through a port published on 127.0.0.1,
a clean exit 0 on SIGTERM (podman stop), and name resolution without glibc's NSS modules:
Kommo requests through `localhost` with and without /etc/hosts, Redis through glibc's
built-in /etc/hosts lookup, and a clear failure with no /etc/resolv.conf at all."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from release_support import kit_dir, needs_kit, run
from support import LEAD, PROCESS_TIMEOUT, SUBDOMAIN, TOKEN, SimulatorProcess

# Podman here needs the runc runtime and explicit limits (the default ones are refused).
PODMAN_RUN = ["podman", "run", "--runtime", "runc", "--ulimit", "nofile=4096:4096",
              "--ulimit", "nproc=4096:4096"]
AUTH_KEY = "kmcp_image-test-key-never-print-me"
CALL_TIMEOUT = 60
# The image holds one static binary; the budget leaves room for growth, not for a base image.
MAX_IMAGE_BYTES = 40 * 1024 * 1024
SANDBOX_LEAD = 9001

pytestmark = needs_kit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    """The image built from the kit's image/ folder (Containerfile + binary) with podman."""
    kit = kit_dir()
    assert shutil.which("podman"), "podman missing: scripts/release-check installs it (apt)"
    tag = f"localhost/kommo-mcp-e2e:{uuid.uuid4().hex[:12]}"
    run(["podman", "build", "--format", "docker", "--tag", tag, kit / "image"], timeout=300)
    try:
        yield tag
    finally:
        run(["podman", "rmi", "--force", tag], check=False)


class Container:
    """A detached container; removed when the test ends."""

    def __init__(self, image: str, options: list[str], args: list[str]) -> None:
        self.name = f"kommo-mcp-e2e-{uuid.uuid4().hex[:12]}"
        run([*PODMAN_RUN, "--detach", "--name", self.name, *options, image, *args])

    def inspect(self, template: str) -> str:
        return run(["podman", "inspect", "--format", template, self.name]).stdout.strip()

    def logs(self) -> str:
        result = run(["podman", "logs", self.name], check=False)
        return result.stdout + result.stderr

    def wait_healthy(self, url: str) -> dict[str, Any]:
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    return json.loads(response.read())
            except (urllib.error.URLError, ConnectionError):
                if self.inspect("{{.State.Running}}") != "true":
                    raise AssertionError(f"the container stopped:\n{self.logs()}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"/healthz never answered:\n{self.logs()}")
                time.sleep(0.2)

    def remove(self) -> None:
        run(["podman", "rm", "--force", "--time", "0", self.name], check=False)


@pytest.fixture
def containers() -> Iterator[list[Container]]:
    started: list[Container] = []
    try:
        yield started
    finally:
        for container in started:
            container.remove()


def test_the_image_is_one_static_binary_run_as_a_numeric_non_root_user(image: str) -> None:
    config = json.loads(run(["podman", "image", "inspect", image]).stdout)[0]
    size = config["Size"]
    print(f"image size: {size} bytes ({size / 1024 / 1024:.1f} MiB)")
    assert size < MAX_IMAGE_BYTES
    assert len(config["RootFS"]["Layers"]) == 1, "FROM scratch plus the binary: one layer"
    user = config["Config"]["User"]
    uid, gid = user.split(":")
    assert uid.isdigit() and int(uid) > 0 and gid.isdigit(), user
    assert config["Config"]["Entrypoint"] == ["/kommo-mcp"]
    assert config["Config"]["Cmd"] == ["serve", "--http"]
    assert "KOMMO_MCP_LISTEN=0.0.0.0:8080" in config["Config"]["Env"]
    health = config["Healthcheck"]
    assert health["Test"] == ["CMD", "/kommo-mcp", "health"], health


@pytest.mark.anyio
async def test_serves_mcp_on_a_published_port_and_stops_cleanly_on_sigterm(
        image: str, containers: list[Container]) -> None:
    port = free_port()
    container = Container(image, ["--publish", f"127.0.0.1:{port}:8080",
                                  "--env", f"KOMMO_MCP_AUTH_TOKEN={AUTH_KEY}"],
                          ["serve", "--http", "--sandbox"])
    containers.append(container)
    health = container.wait_healthy(f"http://127.0.0.1:{port}/healthz")
    assert health["status"] == "ok"
    assert container.inspect("{{.Config.User}}") == "65532:65532"
    uid = run(["podman", "top", container.name, "huser"]).stdout.split()[1:]
    assert uid == ["65532"], uid
    # The image's own HEALTHCHECK, run by podman inside the container.
    assert run(["podman", "healthcheck", "run", container.name], check=False).returncode == 0

    request = urllib.request.Request(f"http://127.0.0.1:{port}/mcp", method="POST", data=b"{}",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=CALL_TIMEOUT)
    assert refused.value.code == 401, "the image requires the auth key"

    headers = {"Authorization": f"Bearer {AUTH_KEY}"}
    async with httpx2.AsyncClient(headers=headers, timeout=CALL_TIMEOUT) as http:
        async with streamable_http_client(f"http://127.0.0.1:{port}/mcp",
                                          http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                with anyio.fail_after(CALL_TIMEOUT):
                    await session.initialize()
                    tools = (await session.list_tools()).tools
                    lead = await session.call_tool("get_lead", {"lead_id": SANDBOX_LEAD})
                    paused = await session.call_tool("pause_agent", {"lead_id": SANDBOX_LEAD})
    assert {"get_lead", "pause_agent", "move_lead"} <= {t.name for t in tools}
    assert not lead.is_error, lead
    assert paused.content[0].text == "Agent successfully paused for the specified lead."

    started = time.monotonic()
    run(["podman", "stop", "--time", "30", container.name], timeout=60)
    took = time.monotonic() - started
    assert container.inspect("{{.State.ExitCode}}") == "0", container.logs()
    assert took < 10, f"podman stop took {took:.1f}s: SIGTERM was not handled"
    logs = container.logs()
    assert AUTH_KEY not in logs
    json_lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert json_lines, "KOMMO_MCP_LOG_FORMAT=json in the image: logs are JSON lines"


def one_shot(image: str, simulator: SimulatorProcess, options: list[str],
             host: str = "localhost") -> subprocess.CompletedProcess[str]:
    """`kommo-mcp call get_lead` in a container on the host's network, with the simulator
    reached through `host` (a name the binary must resolve itself)."""
    base_url = simulator.base_url_template.replace("127.0.0.1", host)
    assert host == "127.0.0.1" or base_url != simulator.base_url_template
    return run([*PODMAN_RUN, "--rm", "--network", "host", *options,
                "--env", f"KOMMO_BASE_URL={base_url}",
                "--env", f"KOMMO_ACCOUNT_SUBDOMAIN={SUBDOMAIN}",
                "--env", f"KOMMO_LONG_DURATION_TOKEN={TOKEN}",
                image, "call", "get_lead", f"lead_id={LEAD}", "--output", "json"],
               check=False, timeout=PROCESS_TIMEOUT)


@pytest.mark.parametrize("options", [[], ["--no-hosts"]], ids=["with-etc-hosts", "no-etc-hosts"])
def test_kommo_requests_resolve_localhost_without_nss(image: str, simulator: SimulatorProcess,
                                                      options: list[str]) -> None:
    simulator.clear_requests()
    result = one_shot(image, simulator, options)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout), result.stdout
    assert set(simulator.authorizations(SUBDOMAIN)) == {f"Bearer {TOKEN}"}
    assert TOKEN not in result.stdout + result.stderr


def test_without_resolv_conf_a_name_fails_clearly_and_an_address_still_works(
        image: str, simulator: SimulatorProcess) -> None:
    no_dns = ["--no-hosts", "--dns", "none"]
    simulator.clear_requests()
    failed = one_shot(image, simulator, no_dns)
    assert failed.returncode == 1, failed
    assert "panic" not in failed.stderr and TOKEN not in failed.stderr
    assert "resolv" in failed.stderr.lower() or "dns" in failed.stderr.lower(), failed.stderr
    assert simulator.requests() == []
    by_address = one_shot(image, simulator, no_dns, host="127.0.0.1")
    assert by_address.returncode == 0, by_address.stderr


@pytest.fixture
def redis_port(tmp_path: Path) -> Iterator[int]:
    """A throwaway redis-server on loopback (Debian's package; scripts/release-check installs it)."""
    server = shutil.which("redis-server")
    assert server, "redis-server missing: scripts/release-check installs it (apt)"
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=PROCESS_TIMEOUT)


def test_redis_by_name_resolves_through_statically_linked_glibc(
        image: str, containers: list[Container], redis_port: int) -> None:
    """The Redis client resolves with getaddrinfo: glibc's own /etc/hosts lookup, no NSS module."""
    port = free_port()
    container = Container(image, ["--network", "host",
                                  "--env", f"KOMMO_MCP_LISTEN=127.0.0.1:{port}",
                                  "--env", f"KOMMO_MCP_REDIS_URL=redis://localhost:{redis_port}"],
                          ["serve", "--http", "--sandbox"])
    containers.append(container)
    deadline = time.monotonic() + PROCESS_TIMEOUT
    while (health := container.wait_healthy(f"http://127.0.0.1:{port}/healthz"))["redis"] != "up":
        assert time.monotonic() < deadline, f"Redis never came up: {health}\n{container.logs()}"
        time.sleep(0.2)
