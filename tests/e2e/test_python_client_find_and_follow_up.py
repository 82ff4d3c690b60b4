"""The Python `mcp` client over stdio for find_leads, create_task, the Salesbot tools and the
MCP resources: sentences, structured_content, and what the simulator received (requests,
stored tasks, Salesbot runs and stops); dry runs send nothing."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from support import LEAD, SUBDOMAIN, SimulatorProcess, account_args
from test_python_client_stdio import CALL_TIMEOUT, call, connect, texts

pytestmark = pytest.mark.anyio


@pytest.fixture
def server_log(tmp_path: Path) -> Path:
    return tmp_path / "server.log"


def paths(simulator: SimulatorProcess) -> list[str]:
    return [f'{r["method"]} {r["path"]}' for r in simulator.requests()]


async def test_find_leads_by_text_each_phone_format_and_email(kommo_bin, env, simulator,
                                                              server_log):
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        await call(session, "list_pipelines", {})
        # and the account's time zone (lead 9004 has no contacts)
        await call(session, "get_lead", {"lead_id": 9004})
        simulator.clear_requests()
        result = await call(session, "find_leads", {"query": "Acme"})
        assert result.is_error is not True, texts(result)
        assert [lead["id"] for lead in result.structured_content["leads"]] == [9002]
        assert texts(result)[0].startswith('Lead 9002 "Acme Corp renewal": Sales (1001)')
        assert paths(simulator) == ["GET /api/v4/leads", "GET /api/v4/contacts"]
        for phone in ["+54 9 11 5555-0101", "5491155550101", "(011) 5555-0101"]:
            simulator.clear_requests()
            result = await call(session, "find_leads", {"phone": phone})
            leads = result.structured_content["leads"]
            assert [lead["id"] for lead in leads] == [LEAD], phone
            assert leads[0]["contacts"][0]["phones"] == [{"value": "+54 9 11 5555-0101", "kind": "MOB"}]
            assert paths(simulator)[:2] == ["GET /api/v4/contacts", "GET /api/v4/leads"], phone
        result = await call(session, "find_leads", {"email": "MARIA@example.com"})
        assert [lead["id"] for lead in result.structured_content["leads"]] == [LEAD]
        simulator.clear_requests()
        result = await call(session, "find_leads", {"query": "no such lead anywhere"})
        assert result.is_error is not True
        assert texts(result)[0] == "No leads match."
        assert result.structured_content["leads"] == []
        assert [r["status"] for r in simulator.requests()] == [204]
        simulator.clear_requests()
        result = await call(session, "find_leads", {"limit": 5})
        assert result.is_error
        assert texts(result)[0] == "Failed to find leads: Kommo did not return them."
        assert "at least one of query, phone or email" in texts(result)[1]
        assert simulator.requests() == []


async def test_create_task_posts_complete_till_and_dedupes(kommo_bin, env, simulator, server_log):
    arguments = {"lead_id": LEAD, "text": "Call Maria back", "due": "2031-03-04T10:30:00-03:00"}
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        first = await call(session, "create_task", arguments)
        second = await call(session, "create_task", arguments)
        past = await call(session, "create_task", {**arguments, "due": "2020-01-01T00:00:00Z"})
    assert texts(first)[0] == "Task created successfully."
    assert first.structured_content["complete_till"] == 1930397400
    assert second.structured_content["task_id"] == first.structured_content["task_id"]
    assert second.structured_content["deduplicated"] is True
    assert past.is_error and "due must be in the future" in texts(past)[1]
    posts = [r for r in simulator.requests() if r["method"] == "POST"]
    assert len(posts) == 1
    assert posts[0]["path"] == "/api/v4/tasks"
    assert posts[0]["body"] == [{"entity_type": "leads", "entity_id": LEAD,
                                 "text": "Call Maria back", "complete_till": 1930397400,
                                 "task_type_id": 1, "responsible_user_id": 7000001}]
    stored = [t for t in simulator.tasks(SUBDOMAIN) if t["id"] == first.structured_content["task_id"]]
    assert stored and stored[0]["text"] == "Call Maria back"


async def test_resources_listed_read_and_narrowed(kommo_bin, env, simulator, server_log):
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        with anyio.fail_after(CALL_TIMEOUT):
            resources = (await session.list_resources()).resources
            templates = (await session.list_resource_templates()).resource_templates
            lead = await session.read_resource(f"kommo://leads/{LEAD}")
            pipelines = await session.read_resource("kommo://pipelines")
            with pytest.raises(Exception) as bad:
                await session.read_resource("kommo://nothing-here")
    assert [str(r.uri) for r in resources] == ["kommo://pipelines", "kommo://custom-fields", "kommo://users"]
    assert [t.uri_template for t in templates] == ["kommo://leads/{lead_id}", "kommo://leads/{lead_id}/history"]
    content = lead.contents[0]
    assert content.mime_type == "application/json"
    data = json.loads(content.text)
    assert data["id"] == LEAD and data["contacts"][0]["name"] == "Maria Gonzalez"
    assert json.loads(pipelines.contents[0].text)["pipelines"][0]["name"] == "Sales"
    assert "kommo://nothing-here" in str(bad.value)
    narrowed = {**env, "TOOLS_TO_USE": "get_lead"}
    async with connect(kommo_bin, account_args(simulator), narrowed, server_log) as session:
        with anyio.fail_after(CALL_TIMEOUT):
            assert (await session.list_resources()).resources == []
            templates = (await session.list_resource_templates()).resource_templates
    assert [t.uri_template for t in templates] == ["kommo://leads/{lead_id}"]


async def test_salesbots_listed_run_and_stopped_as_requests(kommo_bin, env, simulator,
                                                            server_log):
    bot = {"lead_id": LEAD, "bot_id": 401}
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        listed = await call(session, "list_salesbots", {})
        simulator.clear_requests()
        dry_run = await call(session, "run_salesbot", {**bot, "dry_run": True})
        dry_stop = await call(session, "stop_salesbot", {**bot, "dry_run": True})
        assert simulator.writes() == [], "a dry run sends no POST"
        assert simulator.bot_actions() == []
        run = await call(session, "run_salesbot", bot)
        stop = await call(session, "stop_salesbot", bot)
        missing = await call(session, "run_salesbot", {"lead_id": 9999, "bot_id": 401})
    assert listed.is_error is not True, texts(listed)
    assert texts(listed)[0] == 'Salesbots: "Welcome bot" (401).'
    assert listed.structured_content["salesbots"] == [{"id": 401, "name": "Welcome bot"}]
    for answer, action in [(dry_run, "run"), (dry_stop, "stop")]:
        assert answer.is_error is not True, texts(answer)
        assert texts(answer)[0] == "Dry run: nothing was sent to Kommo."
        assert answer.structured_content["dry_run"] is True
        assert answer.structured_content["request"] == {
            "method": "POST", "path": f"/api/v4/bots/401/{action}",
            "body": {"entity_id": LEAD, "entity_type": "leads"}}
    assert texts(run)[0] == "Salesbot run requested for the specified lead."
    assert texts(stop)[0] == "Salesbot stop requested for the specified lead."
    assert run.structured_content == {"lead_id": LEAD, "bot_id": 401, "requested": True}
    assert missing.is_error
    assert texts(missing)[0] == "Failed to run Salesbot: the specified lead does not exist in Kommo."
    posts = [(r["path"], r["status"], r["body"]) for r in simulator.writes()]
    assert posts == [
        ("/api/v4/bots/401/run", 202, {"entity_id": LEAD, "entity_type": "leads"}),
        ("/api/v4/bots/401/stop", 202, {"entity_id": LEAD, "entity_type": "leads"}),
    ]
    assert [a["action"] for a in simulator.bot_actions()] == ["run", "stop"]


async def test_the_dry_run_flag_sends_no_salesbot_or_task(kommo_bin, env, simulator, server_log):
    args = [*account_args(simulator), "--dry-run"]
    async with connect(kommo_bin, args, env, server_log) as session:
        answers = [
            await call(session, "run_salesbot", {"lead_id": LEAD, "bot_id": 401, "dry_run": False}),
            await call(session, "stop_salesbot", {"lead_id": LEAD, "bot_id": 401}),
            await call(session, "create_task",
                       {"lead_id": LEAD, "text": "Call back", "due": 2000000000}),
        ]
    for answer in answers:
        assert answer.is_error is not True, texts(answer)
        assert texts(answer)[0] == "Dry run: nothing was sent to Kommo."
        assert answer.structured_content["dry_run"] is True
    assert simulator.writes() == []
    assert simulator.bot_actions() == []
    assert all(task["text"] != "Call back" for task in simulator.tasks())
