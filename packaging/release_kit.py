#!/usr/bin/env python3
"""Writes the generated parts of the release kit (scripts/release runs it; standard library
only): the tool list read from the built binary's `tools/list` over stdio, the `.mcpb`
manifest from mcpb/manifest.template.json, and the MCP Registry server.json from
server.template.json.

The names a release publishes under come from the environment, with these defaults:
KOMMO_MCP_REPOSITORY (https://github.com/kommo-mcp/kommo-mcp), KOMMO_MCP_REGISTRY_NAME
(io.github.kommo-mcp/kommo-mcp), KOMMO_MCP_IMAGE (ghcr.io/kommo-mcp/kommo-mcp) and
KOMMO_MCP_DOWNLOAD_URL (<repository>/releases/download/v<version>)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROTOCOL_VERSION = "2025-06-18"
TIMEOUT = 60

# The account settings a desktop host or container gives the server (README, "Configuration").
ACCOUNT_ENV = [
    {"name": "KOMMO_ACCOUNT_SUBDOMAIN", "description": "Kommo account subdomain: \"mycompany\" for mycompany.kommo.com.",
     "isRequired": True},
    {"name": "KOMMO_LONG_DURATION_TOKEN", "description": "Kommo long-lived token of a private integration.",
     "isRequired": True, "isSecret": True},
    {"name": "KOMMO_PAUSE_FIELD_ID", "description": "Id of the checkbox lead field that pauses the AI agent.",
     "format": "number"},
]

# What the image adds: the key callers must send, and Redis for several replicas.
SERVER_ENV = ACCOUNT_ENV + [
    {"name": "KOMMO_MCP_AUTH_TOKEN",
     "description": "Key every caller must send as \"Authorization: Bearer <key>\" (kommo-mcp new-key makes one).",
     "isRequired": True, "isSecret": True},
    {"name": "KOMMO_MCP_REDIS_URL",
     "description": "redis:// or rediss:// URL shared by several replicas (rate limit, sessions, dedupe).",
     "isSecret": True},
    {"name": "OTEL_EXPORTER_OTLP_ENDPOINT",
     "description": "OTLP HTTP collector to send traces to (tracing is off without it)."},
    {"name": "OTEL_SERVICE_NAME", "description": "Service name on the traces (default kommo-mcp)."},
    {"name": "OTEL_EXPORTER_OTLP_HEADERS",
     "description": "Headers for the collector, e.g. its API key: key1=value1,key2=value2.",
     "isSecret": True},
]

# The headers a platform sends to a kommo-mcp it reaches over HTTP (README, "Per-request headers").
REMOTE_HEADERS = [
    {"name": "Authorization", "description": "\"Bearer <key>\": the server's auth token or a client key.",
     "isRequired": True, "isSecret": True},
    {"name": "X-Kommo-Subdomain", "description": "Kommo account subdomain to act on (else the server's own)."},
    {"name": "X-Kommo-Token", "description": "Kommo long-lived token of that account.", "isSecret": True},
    {"name": "X-Kommo-Pause-Field-Id", "description": "Id of that account's pause checkbox field.",
     "format": "number"},
    {"name": "X-Kommo-Tools", "description": "Enabled tools, a JSON array or comma-separated names; only narrows."},
    {"name": "X-Kommo-Read-Only", "description": "\"true\" offers and allows only the read-only tools.",
     "format": "boolean"},
    {"name": "X-Kommo-Dry-Run", "description": "\"true\" makes every write a dry run.", "format": "boolean"},
]


def rpc(process: subprocess.Popen[str], message: dict[str, Any]) -> dict[str, Any] | None:
    """Sends one JSON-RPC message; for a request, reads lines until its answer."""
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(message) + "\n")
    process.stdin.flush()
    if "id" not in message:
        return None
    while True:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the server closed stdout before answering {message['method']}")
        answer = json.loads(line)
        if answer.get("id") == message["id"]:
            if "error" in answer:
                raise RuntimeError(f"{message['method']} failed: {answer['error']}")
            return answer["result"]


def list_tools(binary: Path) -> list[dict[str, str]]:
    """Every tool the binary offers (a demo account, so no setting narrows the list), as
    `tools/list` over stdio answers it: name and description."""
    with tempfile.TemporaryDirectory() as home:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
               "XDG_CONFIG_HOME": str(Path(home) / ".config")}
        process = subprocess.Popen([str(binary), "--sandbox", "serve"], env=env, text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
        try:
            rpc(process, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": PROTOCOL_VERSION, "capabilities": {},
                "clientInfo": {"name": "kommo-mcp-release", "version": "1"}}})
            rpc(process, {"jsonrpc": "2.0", "method": "notifications/initialized"})
            tools: list[dict[str, str]] = []
            cursor = None
            while True:
                params = {"cursor": cursor} if cursor else {}
                result = rpc(process, {"jsonrpc": "2.0", "id": 2 + len(tools), "method": "tools/list",
                                       "params": params})
                assert result is not None
                tools += [{"name": tool["name"], "description": tool.get("description", "")}
                          for tool in result["tools"]]
                cursor = result.get("nextCursor")
                if not cursor:
                    break
        finally:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
    if not tools:
        raise RuntimeError("tools/list returned no tools")
    return tools


def fill(template: Any, values: dict[str, Any]) -> Any:
    """The template with each "{{key}}" string replaced by values[key] (any JSON value) and
    each "{{key}}" inside a longer string by its text."""
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, str):
        if template.startswith("{{") and template.endswith("}}") and template[2:-2] in values:
            return values[template[2:-2]]
        for key, value in values.items():
            if isinstance(value, str):
                template = template.replace("{{" + key + "}}", value)
        if "{{" in template:
            raise ValueError(f"unfilled placeholder in {template!r}")
    return template


def publishing_names(version: str) -> dict[str, str]:
    repository = os.environ.get("KOMMO_MCP_REPOSITORY", "https://github.com/kommo-mcp/kommo-mcp")
    return {
        "version": version,
        "repository_url": repository,
        "registry_name": os.environ.get("KOMMO_MCP_REGISTRY_NAME", "io.github.kommo-mcp/kommo-mcp"),
        "image": os.environ.get("KOMMO_MCP_IMAGE", "ghcr.io/kommo-mcp/kommo-mcp"),
        "download_url": os.environ.get("KOMMO_MCP_DOWNLOAD_URL",
                                       f"{repository}/releases/download/v{version}"),
    }


def write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    manifest = commands.add_parser("manifest", help="write the .mcpb manifest.json")
    manifest.add_argument("--binary", type=Path, required=True)
    manifest.add_argument("--version", required=True)
    manifest.add_argument("--out", type=Path, required=True)
    server = commands.add_parser("server-json", help="write the MCP Registry server.json")
    server.add_argument("--version", required=True)
    server.add_argument("--mcpb", type=Path, required=True)
    server.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    if args.command == "manifest":
        template = json.loads((HERE / "mcpb" / "manifest.template.json").read_text())
        write_json(args.out, fill(template, {"version": args.version,
                                             "tools": list_tools(args.binary)}))
    else:
        template = json.loads((HERE / "server.template.json").read_text())
        values: dict[str, Any] = publishing_names(args.version)
        values.update({
            "mcpb_sha256": hashlib.sha256(args.mcpb.read_bytes()).hexdigest(),
            "account_env": ACCOUNT_ENV,
            "server_env": SERVER_ENV,
            "image_headers": [{"name": "Authorization", "value": "Bearer {KOMMO_MCP_AUTH_TOKEN}",
                               "description": "The key the container was given.", "isSecret": True}],
            "remote_headers": REMOTE_HEADERS,
        })
        write_json(args.out, fill(template, values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
