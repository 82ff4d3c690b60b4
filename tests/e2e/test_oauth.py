"""OAuth resource-server mode with a real authorization server: `oidc-provider` (Node) on
loopback issues a client-credentials JWT access token for kommo-mcp's public URL (resource
indicator); kommo-mcp accepts it, and the Python `mcp` client connects over streamable HTTP
with it and calls a tool. Tokens the test mints itself with the issuer's own key (pyjwt)
— wrong audience, expired, a bad signature, an unknown kid, alg none, a missing scope —
are refused with 401 / 403 and the right WWW-Authenticate each."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from support import LEAD, PROCESS_TIMEOUT, REPO, TOKEN, HttpServerProcess, account_args
from test_python_client_http import call, sse_session, streamable_session, tool_names

pytestmark = pytest.mark.anyio

PUBLIC = "https://kommo-mcp.e2e.example"
METADATA = f"{PUBLIC}/.well-known/oauth-protected-resource"
CLIENT_ID = "e2e-platform"
CLIENT_SECRET = "e2e-platform-secret-never-print-me"
KID = "e2e-rsa-1"
NODE_MODULES = REPO / ".tools" / "node" / "node_modules"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(RSAAlgorithm.to_jwk(key))
    jwk.update(kid=kid, alg="RS256", use="sig")
    return jwk


class Issuer:
    """oidc-provider as a child process on a free loopback port."""

    def __init__(self, keys_path: Path, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        node = NODE_MODULES / ".bin" / "node"
        env = {**os.environ, "OIDC_PROVIDER_MODULE": str(NODE_MODULES / "oidc-provider" / "lib" / "index.js")}
        self._log = open(log_path, "w")
        self.process = subprocess.Popen(
            [str(node), str(Path(__file__).parent / "issuer" / "oidc_issuer.mjs"),
             str(self.port), PUBLIC, str(keys_path)],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log)
        ready = threading.Event()

        def wait_ready() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                if line.strip() == b"ready":
                    ready.set()
        threading.Thread(target=wait_ready, daemon=True).start()
        if not ready.wait(PROCESS_TIMEOUT):
            self.stop()
            raise RuntimeError(f"oidc-provider did not start:\n{log_path.read_text()}")

    def token(self, scope: str) -> str:
        """A client_credentials access token for kommo-mcp's resource."""
        body = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "scope": scope, "resource": PUBLIC}).encode()
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        request = urllib.request.Request(
            f"{self.url}/token", data=body, method="POST",
            headers={"Authorization": f"Basic {basic}",
                     "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=PROCESS_TIMEOUT) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as err:
            raise AssertionError(f"the token endpoint refused: {err.code} {err.read()!r}") from err
        assert answer["token_type"].lower() == "bearer", answer
        return answer["access_token"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@pytest.fixture
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def issuer(signing_key, tmp_path: Path) -> Iterator[Issuer]:
    keys = tmp_path / "issuer-keys.json"
    keys.write_text(json.dumps({"keys": [private_jwk(signing_key, KID)]}))
    process = Issuer(keys, tmp_path / "issuer.log")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def server(kommo_bin, simulator, env, issuer, tmp_path: Path) -> Iterator[HttpServerProcess]:
    process = HttpServerProcess(
        kommo_bin,
        [*account_args(simulator), "--oauth-issuer", issuer.url, "--public-url", PUBLIC,
         "--log-level", "kommo_mcp=trace,info"],
        env, tmp_path / "server.log")
    try:
        yield process
    finally:
        process.stop()


def bare_post(server: HttpServerProcess, token: str, body: dict[str, Any]) -> tuple[int, Any, Any]:
    request = urllib.request.Request(
        server.url("/mcp"), method="POST", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=PROCESS_TIMEOUT) as response:
            return response.status, response.headers, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, err.headers, json.load(err)


LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}


async def test_a_token_from_a_real_issuer_lets_the_python_client_call_a_tool(server, simulator, issuer):
    token = issuer.token("kommo:read kommo:write")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["kid"] == KID, header
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == PUBLIC and claims["iss"] == issuer.url, claims

    async with streamable_session(server.url("/mcp"), {"Authorization": f"Bearer {token}"}) as session:
        names = await tool_names(session)
        assert "move_lead" in names
        result = await call(session, "get_lead", {"lead_id": LEAD})
        assert not result.is_error, result
        moved = await call(session, "move_lead", {"lead_id": LEAD, "pipeline_id": 1002, "status_id": 3003})
        assert not moved.is_error, moved

    # The legacy SSE transport takes the same token.
    async with sse_session(server.url("/sse"), {"Authorization": f"Bearer {token}"}) as session:
        result = await call(session, "get_lead", {"lead_id": LEAD})
        assert not result.is_error, result

    # A kommo:read token from the same issuer: readers only, and a write is 403.
    reader = issuer.token("kommo:read")
    status, headers, body = bare_post(server, reader, {
        "jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "add_note", "arguments": {"lead_id": LEAD, "note": "n"}}})
    assert status == 403, body
    assert headers["WWW-Authenticate"] == (
        f'Bearer resource_metadata="{METADATA}", error="insufficient_scope", scope="kommo:write"')

    # Kommo saw the server's own Kommo token only, never the OAuth token; the log neither.
    requests = simulator.requests()
    assert requests, "nothing reached the simulator"
    log = server.stderr()
    for t in (token, reader):
        assert t.rsplit(".", 1)[1] not in log
        assert all(t not in json.dumps(r) for r in requests)
    assert TOKEN not in log


def test_protected_resource_metadata_names_the_issuer(server, issuer):
    with urllib.request.urlopen(server.url("/.well-known/oauth-protected-resource"), timeout=30) as r:
        document = json.load(r)
    # Both metadata paths name the /mcp endpoint as the resource.
    assert document["resource"] == f"{PUBLIC}/mcp"
    assert document["authorization_servers"] == [issuer.url]
    assert document["scopes_supported"] == ["kommo:read", "kommo:write"]
    assert document["bearer_methods_supported"] == ["header"]
    request = urllib.request.Request(server.url("/mcp"), method="POST", data=json.dumps(LIST).encode(),
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401
    assert refused.value.headers["WWW-Authenticate"] == f'Bearer resource_metadata="{METADATA}"'


def test_minted_tokens_are_refused_with_the_right_challenge(server, simulator, issuer, signing_key):
    assert bare_post(server, issuer.token("kommo:read"), LIST)[0] == 200
    now = int(time.time())
    good = {"iss": issuer.url, "aud": PUBLIC, "sub": "minted", "client_id": CLIENT_ID,
            "scope": "kommo:read kommo:write", "iat": now, "exp": now + 300}
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def sign(claims: dict[str, Any], key: Any = signing_key, kid: str = KID) -> str:
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    def b64(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    invalid = {
        "wrong audience": sign({**good, "aud": "https://someone-else.example"}),
        "expired": sign({**good, "exp": now - 600, "iat": now - 900}),
        "bad signature": sign(good, key=other_key),
        "unknown kid": sign(good, key=other_key, kid="not-published"),
        "alg none": f'{b64({"alg": "none", "typ": "JWT"})}.{b64(good)}.',
    }
    assert bare_post(server, sign(good), LIST)[0] == 200, "the minted good token"
    for what, token in invalid.items():
        status, headers, body = bare_post(server, token, LIST)
        assert status == 401, (what, body)
        assert headers["WWW-Authenticate"] == (
            f'Bearer resource_metadata="{METADATA}", error="invalid_token"'), what
        assert body["jsonrpc"] == "2.0" and body["error"]["message"], what
    status, headers, body = bare_post(server, sign({**good, "scope": "openid"}), LIST)
    assert status == 403, body
    assert headers["WWW-Authenticate"] == (
        f'Bearer resource_metadata="{METADATA}", error="insufficient_scope", scope="kommo:read"')
    assert simulator.requests() == [], "a refused token reached Kommo"
