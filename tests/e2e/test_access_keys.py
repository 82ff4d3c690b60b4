"""Client keys with the real Python `mcp` client over streamable HTTP and legacy SSE: a
`[clients.*]` key sent as `X-API-Key` connects; a read-only client lists and calls only the
readers; a client limited to `acme` cannot reach `beta` by header (403, nothing reaches the
simulator); a client over its `rate_limit` gets 429 with `Retry-After`."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from support import LEAD, OTHER_SUBDOMAIN, OTHER_TOKEN, SUBDOMAIN, HttpServerProcess, account_args
from test_python_client_http import TRANSPORTS, call, tool_names

pytestmark = pytest.mark.anyio

PARTNER_KEY = "kmcp_e2e-partner-key-never-print-me"
READER_KEY = "kmcp_e2e-reader-key-never-print-me"


def sha256(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@pytest.fixture
def keyed_server(kommo_bin, simulator, env, tmp_path: Path):
    config = tmp_path / "clients.toml"
    config.write_text(
        f'[accounts.{OTHER_SUBDOMAIN}]\ntoken = "{OTHER_TOKEN}"\n\n'
        f'[clients.partner]\nkey_sha256 = "{sha256(PARTNER_KEY)}"\naccounts = ["{SUBDOMAIN}"]\nrate_limit = 30\n\n'
        f'[clients.reader]\nkey_sha256 = "{sha256(READER_KEY)}"\naccounts = ["*"]\nread_only = true\n')
    server = HttpServerProcess(kommo_bin, [*account_args(simulator), "--config", str(config)],
                               env, tmp_path / "server.log")
    try:
        yield server
    finally:
        server.stop()


def bare_list(server: HttpServerProcess, headers: dict[str, str]) -> tuple[int, Any, dict]:
    request = urllib.request.Request(
        server.url("/mcp"), method="POST",
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode(),
        headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, err.headers, json.load(err)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_client_keys_scope_what_the_python_client_can_do(keyed_server, simulator, transport):
    path, connect = TRANSPORTS[transport]
    url = keyed_server.url(path)
    async with connect(url, {"X-API-Key": PARTNER_KEY}) as partner:
        result = await call(partner, "get_lead", {"lead_id": LEAD})
        assert result.is_error is not True, result
    async with connect(url, {"Authorization": f"Bearer {READER_KEY}"}) as reader:
        assert await tool_names(reader) == ["find_leads", "get_lead", "get_lead_history", "list_custom_fields",
                                          "list_loss_reasons", "list_pipelines", "list_salesbots", "list_users"]
        with pytest.raises(Exception):
            await call(reader, "move_lead", {"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003})
    assert simulator.writes() == []
    assert all(r["subdomain"] == SUBDOMAIN for r in simulator.requests())
    stderr = keyed_server.stderr()
    assert PARTNER_KEY not in stderr and READER_KEY not in stderr and OTHER_TOKEN not in stderr


async def test_another_account_by_header_is_403_and_reaches_nothing(keyed_server, simulator):
    simulator.clear_requests()
    status, _, body = bare_list(keyed_server, {"X-API-Key": PARTNER_KEY,
                                               "KOMMO_ACCOUNT_SUBDOMAIN": OTHER_SUBDOMAIN})
    assert status == 403
    assert f'"{OTHER_SUBDOMAIN}"' in body["error"]["message"]
    status, _, _ = bare_list(keyed_server, {})
    assert status == 401
    assert simulator.requests() == []


async def test_over_the_rate_limit_is_429_with_retry_after(keyed_server):
    statuses = []
    for _ in range(31):
        status, headers, body = bare_list(keyed_server, {"X-API-Key": PARTNER_KEY})
        statuses.append(status)
    assert statuses[:30] == [200] * 30
    assert status == 429
    assert int(headers["Retry-After"]) >= 1
    assert body["jsonrpc"] == "2.0" and "partner" in body["error"]["message"]
