"""server.json for the official MCP Registry (scripts/release): valid against the registry's
2025-12-11 schema as the PyPI package `skillsaw` ships it byte for byte (scripts/release-check
installs it into .tools/release), its .mcpb package pinned by the bundle's SHA-256, the
environment variables the binary reads (secrets marked), and a streamable-HTTP remote whose
headers a running kommo-mcp accepts: a call with exactly those headers reaches the account
they name."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import anyio
import httpx2
import jsonschema
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from release_support import artifact, kit_dir, needs_kit, read_json, run, static_binary
from support import LEAD, OTHER_SUBDOMAIN, OTHER_TOKEN, PAUSE_FIELD, REPO, TOKEN

SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
SCHEMA = (REPO / ".tools" / "release-schema" / "skillsaw" / "schemas" / "mcp_registry"
          / "v2025_12_11" / "server.schema.json")
CALL_TIMEOUT = 60
AUTH_KEY = "kmcp_release-test-key-never-print-me"

pytestmark = needs_kit


@pytest.fixture(scope="module")
def kit() -> Path:
    return kit_dir()


@pytest.fixture(scope="module")
def server_json(kit: Path) -> dict[str, Any]:
    return read_json(kit / "server.json")


def package(server_json: dict[str, Any], registry_type: str) -> dict[str, Any]:
    found = [p for p in server_json["packages"] if p["registryType"] == registry_type]
    assert len(found) == 1, server_json["packages"]
    return found[0]


def test_server_json_is_valid_against_the_registry_schema(server_json: dict[str, Any]) -> None:
    assert SCHEMA.is_file(), f"{SCHEMA} missing: scripts/release-check installs skillsaw"
    schema = read_json(SCHEMA)
    assert schema["$id"] == SCHEMA_URL
    assert server_json["$schema"] == SCHEMA_URL
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(server_json)]
    assert not errors, errors


def test_the_schema_rejects_what_the_registry_rejects(server_json: dict[str, Any]) -> None:
    """The check has teeth: a long description and a bare name fail it."""
    validator = jsonschema.Draft7Validator(read_json(SCHEMA))
    assert not validator.is_valid({**server_json, "description": "x" * 101})
    assert not validator.is_valid({**server_json, "name": "kommo-mcp"})


def test_versions_and_the_bundle_hash_match_the_kit(kit: Path, server_json: dict[str, Any]) -> None:
    version = run([static_binary(kit), "--version"]).stdout.split()[1]
    assert server_json["version"] == version
    mcpb = package(server_json, "mcpb")
    bundle = artifact(kit, ".mcpb")
    assert mcpb["identifier"].endswith("/" + bundle.name)
    assert mcpb["fileSha256"] == hashlib.sha256(bundle.read_bytes()).hexdigest()
    assert package(server_json, "oci")["identifier"].endswith(":" + version)


def env_names(kit: Path) -> set[str]:
    """Every environment variable the binary's `serve --help` names: its settings', and the
    OpenTelemetry ones its tracing note lists."""
    help_text = run([static_binary(kit), "serve", "--help"]).stdout
    return set(re.findall(r"\[env:\s+([A-Z0-9_]+)", help_text)) | set(
        re.findall(r"\b(OTEL_[A-Z_]+)", help_text))


def test_package_variables_are_ones_the_binary_reads(kit: Path, server_json: dict[str, Any]) -> None:
    known = env_names(kit)
    secrets = {"KOMMO_LONG_DURATION_TOKEN", "KOMMO_MCP_AUTH_TOKEN", "KOMMO_MCP_REDIS_URL",
               "OTEL_EXPORTER_OTLP_HEADERS"}
    for registry_type in ("oci", "mcpb"):
        variables = package(server_json, registry_type)["environmentVariables"]
        names = {v["name"] for v in variables}
        assert {"KOMMO_ACCOUNT_SUBDOMAIN", "KOMMO_LONG_DURATION_TOKEN"} <= names
        assert names <= known, names - known
        for variable in variables:
            assert variable.get("isSecret", False) == (variable["name"] in secrets), variable


def test_the_bundle_package_asks_for_what_the_bundle_maps(kit: Path,
                                                           server_json: dict[str, Any]) -> None:
    """The .mcpb's variables are the ones its manifest's mcp_config sets."""
    with zipfile.ZipFile(artifact(kit, ".mcpb")) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
    mapped = set(manifest["server"]["mcp_config"]["env"])
    assert {v["name"] for v in package(server_json, "mcpb")["environmentVariables"]} == mapped


@pytest.mark.anyio
async def test_the_remote_headers_are_accepted(server_json: dict[str, Any],
                                               start_http_server: Any, simulator: Any) -> None:
    """A server configured for `acme` with an auth key acts on `beta` for a caller that sends
    exactly the remote's headers: the key in Authorization, the account in X-Kommo-*."""
    http_server = start_http_server("--auth-token", AUTH_KEY)
    (remote,) = server_json["remotes"]
    assert remote["type"] == "streamable-http"
    assert remote["url"].endswith("/mcp")
    declared = {h["name"]: h for h in remote["headers"]}
    assert declared["Authorization"]["isSecret"] and declared["X-Kommo-Token"]["isSecret"]
    values = {"Authorization": f"Bearer {AUTH_KEY}", "X-Kommo-Subdomain": OTHER_SUBDOMAIN, "X-Kommo-Token": OTHER_TOKEN,
              "X-Kommo-Pause-Field-Id": str(PAUSE_FIELD), "X-Kommo-Tools": "get_lead,add_note",
              "X-Kommo-Read-Only": "true", "X-Kommo-Dry-Run": "true"}
    assert set(values) == set(declared)
    simulator.clear_requests()
    async with httpx2.AsyncClient(headers=values, timeout=CALL_TIMEOUT) as http:
        async with streamable_http_client(http_server.url("/mcp"), http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                with anyio.fail_after(CALL_TIMEOUT):
                    await session.initialize()
                    tools = await session.list_tools()
                    result = await session.call_tool("get_lead", {"lead_id": LEAD})
    assert [t.name for t in tools.tools] == ["get_lead"], "Tools and Read-Only narrow the list"
    assert not result.is_error, result
    assert set(simulator.authorizations(OTHER_SUBDOMAIN)) == {f"Bearer {OTHER_TOKEN}"}
    assert not simulator.authorizations("acme")
    assert TOKEN not in str(result)
