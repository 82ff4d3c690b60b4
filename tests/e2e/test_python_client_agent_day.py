"""An AI sales agent's day with the real Python `mcp` client, over stdio and streamable HTTP,
and through `kommo-mcp call`: get_lead_history, list_users, list_loss_reasons, create_lead,
update_contact, assign_lead, send_message and close_lead give real answers (ids, names) and
change the simulator's lead and contact; retries of create_lead, update_contact and
send_message write once; a phone written in another format finds the existing contact; dry
runs send nothing; read-only mode refuses the writes and allows the reads; a client key
limited to one account cannot assign, close, create or message on another."""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from mcp import ClientSession

from support import (LEAD, OTHER_SUBDOMAIN, OTHER_TOKEN, PROCESS_TIMEOUT, SUBDOMAIN,
                     HttpServerProcess, SimulatorProcess, account_args)
from test_python_client_http import streamable_session
from test_python_client_stdio import call, connect, texts

pytestmark = pytest.mark.anyio

# The sandbox's message field (a text lead field) and the Salesbot whose step sends it.
MESSAGE_FIELD = 5023
MESSAGE_BOT = 401
MESSAGE_ARGS = ["--message-field-id", str(MESSAGE_FIELD), "--message-bot-id", str(MESSAGE_BOT)]

ANA, BRUNO, CARLA = 7000001, 7000002, 7000003
NO_LONGER_NEEDED = 4203750
HISTORY_LEAD = 9005
DRY = "Dry run: nothing was sent to Kommo."

TRANSPORTS = ["stdio", "streamable_http"]
WRITES = {"assign_lead", "close_lead", "create_lead", "update_contact", "send_message"}
READS = {"get_lead_history", "list_users", "list_loss_reasons"}


def sim_control(simulator: SimulatorProcess, method: str, path: str, body: Any = None) -> Any:
    return simulator.control(method, path, body)


def message_bot_sends_its_field(simulator: SimulatorProcess, subdomain: str = SUBDOMAIN) -> None:
    sim_control(simulator, "POST", f"bots/{subdomain}/{MESSAGE_BOT}/sends-field",
                {"field_id": MESSAGE_FIELD})


def contact(simulator: SimulatorProcess, contact_id: int) -> dict[str, Any]:
    return sim_control(simulator, "GET", f"contacts/{SUBDOMAIN}/{contact_id}")


def contact_values(record: dict[str, Any]) -> dict[str, list[Any]]:
    """A contact's values by field name (PHONE/EMAIL as their texts)."""
    return {f["field_name"]: [v.get("value") for v in f["values"]]
            for f in record.get("custom_fields_values") or []}


def entry_texts(result) -> list[str]:
    return [entry["text"] for entry in result.structured_content["entries"]]


def writes_to(simulator: SimulatorProcess, method: str, path: str) -> list[dict[str, Any]]:
    return [w for w in simulator.writes() if w["method"] == method and w["path"] == path]


@contextlib.asynccontextmanager
async def session_over(transport: str, kommo_bin: Path, simulator: SimulatorProcess,
                       env: dict[str, str], tmp_path: Path, start_http_server,
                       extra: list[str], headers: dict[str, str] | None = None
                       ) -> AsyncIterator[ClientSession]:
    """A session with the server on the simulator's `acme` account, over `transport`."""
    if transport == "stdio":
        async with connect(kommo_bin, [*account_args(simulator), *extra], env,
                           tmp_path / "stdio.log") as session:
            yield session
    else:
        server = start_http_server(*extra)
        async with streamable_session(server.url("/mcp"), headers or {}) as session:
            yield session


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_an_agents_day_with_real_answers_and_retries_written_once(
        transport, kommo_bin, env, simulator: SimulatorProcess, tmp_path, start_http_server):
    message_bot_sends_its_field(simulator)
    async with session_over(transport, kommo_bin, simulator, env, tmp_path, start_http_server,
                            MESSAGE_ARGS) as session:
        # Catch up, and learn who and why.
        users = await call(session, "list_users", {})
        reasons = await call(session, "list_loss_reasons", {})
        history = await call(session, "get_lead_history", {"lead_id": HISTORY_LEAD, "limit": 2})

        # A customer already in Kommo writes from another number format: linked, not copied.
        known = await call(session, "create_lead", {
            "name": "Maria — second quote", "phone": "011 5555-0101"})

        # A new customer: the lead with its contact; the client's retry creates nothing more.
        new_lead = {"name": "Lucía Fernández — WhatsApp", "contact_name": "Lucía Fernández",
                    "phone": "+54 9 11 4040-5050", "email": "lucia@example.com", "price": 900}
        created = await call(session, "create_lead", new_lead)
        created_again = await call(session, "create_lead", new_lead)
        lead_id = created.structured_content["lead_id"]
        contact_id = created.structured_content["contact_id"]

        # She gives a second phone and her position; the retry writes nothing more.
        update = {"contact_id": contact_id, "add_phone": "011 15 6060-7070", "phone_kind": "MOB",
                  "fields": {"Cargo": "Dueña", "canal preferido": "whatsapp"}}
        updated = await call(session, "update_contact", update)
        updated_again = await call(session, "update_contact", update)

        # Reply through the Salesbot (a retry sends nothing), hand off, then close it lost.
        message = {"lead_id": lead_id, "text": "¡Hola Lucía! Te paso la propuesta hoy."}
        sent = await call(session, "send_message", message)
        sent_again = await call(session, "send_message", message)
        assigned = await call(session, "assign_lead", {"lead_id": lead_id, "user": "bruno lima"})
        closed = await call(session, "close_lead", {"lead_id": lead_id, "outcome": "lost",
                                                    "loss_reason": "no longer needed"})
        timeline = await call(session, "get_lead_history", {"lead_id": lead_id, "limit": 5})

    for answer in (users, reasons, history, known, created, created_again, updated,
                   updated_again, sent, sent_again, assigned, closed, timeline):
        assert answer.is_error is not True, texts(answer)

    assert [(u["id"], u["name"], u["active"]) for u in users.structured_content["users"]] == [
        (ANA, "Ana Souza", True), (BRUNO, "Bruno Lima", True), (CARLA, "Carla Ruiz", False)]
    assert {r["name"]: r["id"] for r in reasons.structured_content["loss_reasons"]}[
        "No longer needed"] == NO_LONGER_NEEDED
    assert entry_texts(history) == ["Moved from Negotiation to Closed - won in Sales by Ana Souza",
                                    "Chat message sent (via com.amocrm.amocrmwa) by robot"]

    assert known.structured_content["contact_created"] is False
    assert known.structured_content["contact_id"] == 8001

    assert texts(created)[0] == "Lead successfully created."
    assert created.structured_content["contact_created"] is True
    assert created_again.structured_content["lead_id"] == lead_id
    assert created_again.structured_content["deduplicated"] is True
    assert len(writes_to(simulator, "POST", "/api/v4/leads/complex")) == 1

    assert texts(updated)[0] == "Contact successfully updated."
    assert updated.structured_content["updated"] == ["phone", "fields"]
    assert updated_again.structured_content["changed"] is False
    assert len(writes_to(simulator, "PATCH", f"/api/v4/contacts/{contact_id}")) == 1
    stored = contact_values(contact(simulator, contact_id))
    assert stored["Phone"] == ["+54 9 11 4040-5050", "011 15 6060-7070"]
    assert stored["Email"] == ["lucia@example.com"]
    assert stored["Cargo"] == ["Dueña"] and stored["Canal preferido"] == ["WhatsApp"]

    assert texts(sent)[0] == "Message accepted by Kommo for sending to the lead's chat."
    assert sent_again.structured_content["deduplicated"] is True
    assert sim_control(simulator, "GET", f"sent-messages/{SUBDOMAIN}") == [
        {"bot_id": MESSAGE_BOT, "lead_id": lead_id, "text": message["text"]}]

    assert assigned.structured_content["user_id"] == BRUNO
    assert closed.structured_content["loss_reason_id"] == NO_LONGER_NEEDED
    lead = simulator.lead(lead_id)
    assert lead["name"] == new_lead["name"] and lead["price"] == 900
    assert (lead["responsible_user_id"], lead["status_id"], lead["loss_reason_id"]) == (
        BRUNO, 143, NO_LONGER_NEEDED)

    # Newest first: the close (with its reason), the hand-off, the bot's message.
    kinds = [e["kind"] for e in timeline.structured_content["entries"]]
    assert kinds[:3] == ["lead_status_changed", "entity_responsible_changed",
                         "outgoing_chat_message"], kinds
    assert entry_texts(timeline)[0].endswith("to Closed - lost in Sales by Ana Souza "
                                             "(loss reason: No longer needed)")
    assert entry_texts(timeline)[1] == "Responsible user changed from Ana Souza to Bruno Lima by Ana Souza"


def dry_run_calls(lead_id: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("assign_lead", {"lead_id": lead_id, "user": "Bruno Lima"}),
        ("close_lead", {"lead_id": lead_id, "outcome": "won"}),
        ("create_lead", {"name": "Dry", "contact_name": "Dry Run", "phone": "+54 9 11 1212-3434"}),
        ("update_contact", {"lead_id": lead_id, "add_email": "dry@example.com",
                            "fields": {"Cargo": "Dry"}}),
        ("send_message", {"lead_id": lead_id, "text": "never sent"}),
    ]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_dry_runs_send_nothing_and_read_only_refuses_the_writes(
        transport, kommo_bin, env, simulator: SimulatorProcess, tmp_path, start_http_server):
    message_bot_sends_its_field(simulator)
    async with session_over(transport, kommo_bin, simulator, env, tmp_path, start_http_server,
                            MESSAGE_ARGS) as session:
        for tool, args in dry_run_calls(LEAD):
            answer = await call(session, tool, {**args, "dry_run": True})
            assert answer.is_error is not True and texts(answer)[0] == DRY, (tool, texts(answer))
            assert answer.structured_content["dry_run"] is True, tool
    assert simulator.writes() == []

    read_only = ["--read-only=true"] if transport == "stdio" else []
    headers = {} if transport == "stdio" else {"X-Kommo-Read-Only": "true"}
    async with session_over(transport, kommo_bin, simulator, env, tmp_path, start_http_server,
                            [*MESSAGE_ARGS, *read_only], headers) as session:
        names = {t.name for t in (await session.list_tools()).tools}
        assert READS <= names and not WRITES & names, sorted(names)
        for tool, args in dry_run_calls(LEAD):
            try:
                answer = await call(session, tool, args)
            except Exception:  # the SDK raises the JSON-RPC error of a tool not offered
                continue
            assert answer.is_error, (tool, texts(answer))
        users = await call(session, "list_users", {})
        reasons = await call(session, "list_loss_reasons", {})
        history = await call(session, "get_lead_history", {"lead_id": HISTORY_LEAD, "limit": 1})
    assert [u["name"] for u in users.structured_content["users"]][:2] == ["Ana Souza", "Bruno Lima"]
    assert len(reasons.structured_content["loss_reasons"]) == 3
    assert len(history.structured_content["entries"]) == 1
    assert simulator.writes() == []


PARTNER_KEY = "kmcp_e2e-agent-partner-key-never-print-me"


@pytest.fixture
def partner_server(kommo_bin, simulator, env, tmp_path: Path):
    """An HTTP server whose `partner` client key is limited to `acme`; `beta` is configured."""
    config = tmp_path / "clients.toml"
    digest = hashlib.sha256(PARTNER_KEY.encode()).hexdigest()
    config.write_text(
        f'[accounts.{OTHER_SUBDOMAIN}]\ntoken = "{OTHER_TOKEN}"\nmessage_field_id = {MESSAGE_FIELD}\n'
        f'message_bot_id = {MESSAGE_BOT}\n\n'
        f'[clients.partner]\nkey_sha256 = "{digest}"\naccounts = ["{SUBDOMAIN}"]\n')
    server = HttpServerProcess(kommo_bin, [*account_args(simulator), *MESSAGE_ARGS,
                                           "--config", str(config)], env, tmp_path / "server.log")
    try:
        yield server
    finally:
        server.stop()


def bare_call(server: HttpServerProcess, tool: str, arguments: dict[str, Any],
              headers: dict[str, str]) -> int:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}
    request = urllib.request.Request(
        server.url("/mcp"), method="POST", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 "Accept": "application/json, text/event-stream", **headers})
    try:
        with urllib.request.urlopen(request, timeout=PROCESS_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


async def test_a_client_key_for_one_account_cannot_write_on_another(
        partner_server, simulator: SimulatorProcess):
    message_bot_sends_its_field(simulator, OTHER_SUBDOMAIN)
    on_beta = {"X-API-Key": PARTNER_KEY, "KOMMO_ACCOUNT_SUBDOMAIN": OTHER_SUBDOMAIN}
    for tool, args in dry_run_calls(LEAD):
        assert bare_call(partner_server, tool, args, on_beta) == 403, tool
    assert simulator.requests() == []
    with pytest.raises(Exception):
        async with streamable_session(partner_server.url("/mcp"), on_beta) as session:
            await call(session, "assign_lead", {"lead_id": LEAD, "user": BRUNO})
    assert simulator.requests() == []

    # Its own account: the real client assigns.
    async with streamable_session(partner_server.url("/mcp"), {"X-API-Key": PARTNER_KEY}) as session:
        assigned = await call(session, "assign_lead", {"lead_id": LEAD, "user": BRUNO})
    assert assigned.is_error is not True, texts(assigned)
    assert simulator.lead(LEAD)["responsible_user_id"] == BRUNO
    assert {r["subdomain"] for r in simulator.requests()} == {SUBDOMAIN}
    assert PARTNER_KEY not in partner_server.stderr() and OTHER_TOKEN not in partner_server.stderr()


def run_call(kommo_bin: Path, env: dict[str, str], tool: str, *args: str) -> tuple[int, Any, str]:
    """`kommo-mcp call TOOL ARGS... --output json`: exit status, the result, stderr."""
    done = subprocess.run([str(kommo_bin), "call", tool, *args, "--output", "json"], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=PROCESS_TIMEOUT * 2)
    result = json.loads(done.stdout) if done.stdout.strip() else None
    return done.returncode, result, done.stderr


def test_call_runs_every_agent_tool_against_the_simulator(kommo_bin, env,
                                                          simulator: SimulatorProcess):
    message_bot_sends_its_field(simulator)
    on_acme = [*account_args(simulator), *MESSAGE_ARGS]

    def ok(tool: str, *args: str) -> dict[str, Any]:
        status, result, stderr = run_call(kommo_bin, env, tool, *args, *on_acme)
        assert status == 0, (tool, stderr, result)
        assert result["isError"] is False, result
        return result["structuredContent"]

    users = ok("list_users")
    assert [u["name"] for u in users["users"]] == ["Ana Souza", "Bruno Lima", "Carla Ruiz"]
    reasons = ok("list_loss_reasons")
    assert [r["id"] for r in reasons["loss_reasons"]] == [4203748, NO_LONGER_NEEDED, 4203752]
    history = ok("get_lead_history", f"lead_id={HISTORY_LEAD}", "limit=1")
    assert history["entries"][0]["who"] == "Ana Souza"

    created = ok("create_lead", "name=Pedro — call", "phone=+54 9 11 5555-0102")
    assert (created["contact_created"], created["contact_id"]) == (False, 8002)
    lead_id = created["lead_id"]
    assert simulator.lead(lead_id)["name"] == "Pedro — call"

    updated = ok("update_contact", f"lead_id={lead_id}", "add_email=pedro@example.com",
                 'fields={"Cliente desde": "2024-03-01"}')
    assert updated["contact_id"] == 8002 and updated["emails"] == ["pedro@example.com"]
    assert contact_values(contact(simulator, 8002))["Email"] == ["pedro@example.com"]

    assigned = ok("assign_lead", f"lead_id={lead_id}", "user=bruno@demo.example")
    assert assigned["user_id"] == BRUNO
    sent = ok("send_message", f"lead_id={lead_id}", "text=Hola Pedro")
    assert sent["requested"] is True
    closed = ok("close_lead", f"lead_id={lead_id}", "outcome=won")
    assert closed["changed"] is True
    lead = simulator.lead(lead_id)
    assert (lead["responsible_user_id"], lead["status_id"]) == (BRUNO, 142)
    assert sim_control(simulator, "GET", f"sent-messages/{SUBDOMAIN}")[0]["text"] == "Hola Pedro"

    # A dry run from the shell sends nothing; read-only refuses a write and allows a read.
    before = len(simulator.writes())
    dry = ok("close_lead", f"lead_id={LEAD}", "outcome=lost", "dry_run=true")
    assert dry["dry_run"] is True and len(simulator.writes()) == before
    status, _, stderr = run_call(kommo_bin, env, "assign_lead", f"lead_id={LEAD}", "user=Ana Souza",
                                 *on_acme, "--read-only=true")
    assert status == 2, stderr
    assert ok("list_loss_reasons", "--read-only=true")["loss_reasons"]
    assert len(simulator.writes()) == before


def test_call_against_the_sandbox_demo_account(kommo_bin, env):
    status, result, stderr = run_call(kommo_bin, env, "send_message", "lead_id=9001",
                                      "text=Olá!", "--sandbox")
    assert status == 0, stderr
    assert result["structuredContent"] == {"lead_id": LEAD, "field_id": MESSAGE_FIELD,
                                           "bot_id": MESSAGE_BOT, "requested": True,
                                           "deduplicated": False}
    status, result, stderr = run_call(kommo_bin, env, "update_contact", "contact_id=8001",
                                      'fields={"Canal preferido": "Llamada"}', "--sandbox")
    assert status == 0, stderr
    assert result["structuredContent"]["fields"][0]["value"] == "Llamada"
    status, _, stderr = run_call(kommo_bin, env, "close_lead", "lead_id=9001", "outcome=lost",
                                 "loss_reason=Nope", "--sandbox")
    assert status == 1 and "Price too high" in stderr, stderr
