"""The Claude Desktop bundle (.mcpb from scripts/release): validated and read by the official
@anthropic-ai/mcpb CLI, its manifest's tools exactly what the binary's tools/list answers,
and, unpacked, the binary inside run through the Python `mcp` client over stdio exactly as
the manifest's server.mcp_config tells a host to (command, args, env with the user_config
values substituted), against the simulator."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from release_support import artifact, kit_dir, mcpb_cli, needs_kit, read_json, run
from support import LEAD, PAUSE_FIELD, SUBDOMAIN, TOKEN, SimulatorProcess

CALL_TIMEOUT = 60

pytestmark = needs_kit


@pytest.fixture(scope="module")
def bundle() -> Path:
    return artifact(kit_dir(), ".mcpb")


@pytest.fixture
def unpacked(bundle: Path, tmp_path: Path) -> Path:
    """The bundle unpacked by the official CLI, as a host installs it."""
    target = tmp_path / "installed-bundle"
    run([mcpb_cli(), "unpack", bundle, target])
    return target


def test_the_official_cli_validates_the_manifest(unpacked: Path) -> None:
    result = run([mcpb_cli(), "validate", unpacked / "manifest.json"])
    assert "valid" in (result.stdout + result.stderr).lower()


def test_the_official_cli_reads_the_bundle(bundle: Path) -> None:
    info = run([mcpb_cli(), "info", bundle]).stdout
    assert "kommo-mcp" in info


def test_the_manifest_asks_for_the_account_and_keeps_the_token_secret(unpacked: Path) -> None:
    manifest = read_json(unpacked / "manifest.json")
    cli_version = read_json(mcpb_cli().parents[1] / "@anthropic-ai" / "mcpb" / "package.json")["version"]
    assert cli_version == "2.1.2"
    assert manifest["manifest_version"] == "0.4", "the CLI's LATEST_MANIFEST_VERSION"
    config = manifest["user_config"]
    assert set(config) == {"subdomain", "token", "pause_field_id"}
    assert config["token"]["sensitive"] is True
    assert not config["subdomain"].get("sensitive") and not config["pause_field_id"].get("sensitive")
    assert manifest["server"]["mcp_config"]["env"] == {
        "KOMMO_ACCOUNT_SUBDOMAIN": "${user_config.subdomain}",
        "KOMMO_LONG_DURATION_TOKEN": "${user_config.token}",
        "KOMMO_PAUSE_FIELD_ID": "${user_config.pause_field_id}",
    }


def host_launch(unpacked: Path, user_config: dict[str, str]) -> StdioServerParameters:
    """What a host runs: mcp_config with ${__dirname} and ${user_config.*} substituted."""
    manifest = read_json(unpacked / "manifest.json")

    def substitute(text: str) -> str:
        text = text.replace("${__dirname}", str(unpacked))
        return re.sub(r"\$\{user_config\.([a-z_]+)\}", lambda m: user_config[m.group(1)], text)

    mcp_config = manifest["server"]["mcp_config"]
    return StdioServerParameters(
        command=substitute(mcp_config["command"]),
        args=[substitute(arg) for arg in mcp_config.get("args", [])],
        env={key: substitute(value) for key, value in mcp_config.get("env", {}).items()},
    )


@pytest.mark.anyio
async def test_the_bundled_binary_serves_as_the_manifest_says(
        unpacked: Path, simulator: SimulatorProcess, home: Path, tmp_path: Path) -> None:
    # The one thing not in the manifest: the simulator's address instead of kommo.com, in the
    # user's config file (HOME is the test's own; the host passes HOME through).
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "kommo-mcp" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'base_url = "{simulator.base_url_template}"\n')
    params = host_launch(unpacked, {"subdomain": SUBDOMAIN, "token": TOKEN,
                                    "pause_field_id": str(PAUSE_FIELD)})
    assert params.command == str(unpacked / "server" / "kommo-mcp")
    assert os.access(params.command, os.X_OK), "the unpacked binary must be executable"
    manifest_tools = read_json(unpacked / "manifest.json")["tools"]

    errlog = tmp_path / "bundle-server.log"
    with open(errlog, "w") as log:
        async with stdio_client(params, errlog=log) as (read, write):
            async with ClientSession(read, write) as session:
                with anyio.fail_after(CALL_TIMEOUT):
                    await session.initialize()
                    tools = (await session.list_tools()).tools
                    lead = await session.call_tool("get_lead", {"lead_id": LEAD})
                    paused = await session.call_tool("pause_agent", {"lead_id": LEAD})
    assert [{"name": t.name, "description": t.description} for t in tools] == manifest_tools, \
        "the manifest's tools are the binary's tools/list"
    assert not lead.is_error, lead
    assert paused.content[0].text == "Agent successfully paused for the specified lead."
    (write,) = simulator.writes()
    assert str(PAUSE_FIELD) in str(write), write
    assert set(simulator.authorizations(SUBDOMAIN)) == {f"Bearer {TOKEN}"}
    assert TOKEN not in errlog.read_text()


def test_the_bundle_holds_only_the_server_and_its_docs(unpacked: Path) -> None:
    files = sorted(str(p.relative_to(unpacked)) for p in unpacked.rglob("*") if p.is_file())
    assert files == ["README.md", "manifest.json", "server/kommo-mcp"]
    kit_binary = next(p for p in kit_dir().iterdir() if p.name.endswith("-x86_64-linux"))
    assert (unpacked / "server" / "kommo-mcp").read_bytes() == kit_binary.read_bytes()
