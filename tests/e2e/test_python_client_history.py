"""The Python `mcp` client over stdio for get_lead_history, list_users and list_loss_reasons:
lead 9005's seeded history paged with the cursor (names resolved, the robot, the contact, the
note's text), a type filter, at most three Kommo requests a page once users and pipelines are
cached, a missing lead, and the kommo://leads/{id}/history and kommo://users resources."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from support import MISSING_LEAD, SimulatorProcess, account_args
from test_python_client_stdio import CALL_TIMEOUT, call, connect, texts

pytestmark = pytest.mark.anyio

HISTORY_LEAD = 9005


@pytest.fixture
def server_log(tmp_path: Path) -> Path:
    return tmp_path / "server.log"


def entry_texts(result) -> list[str]:
    return [entry["text"] for entry in result.structured_content["entries"]]


async def test_history_pages_with_names_resolved_and_few_requests(kommo_bin, env, simulator,
                                                                   server_log):
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        first = await call(session, "get_lead_history", {"lead_id": HISTORY_LEAD, "limit": 4})
        assert first.is_error is not True, texts(first)
        assert texts(first)[0].startswith("Lead 9005: 4 entries, newest first")
        assert entry_texts(first) == [
            "Moved from Negotiation to Closed - won in Sales by Ana Souza",
            "Chat message sent (via com.amocrm.amocrmwa) by robot",
            "Moved from Contacted to Negotiation in Sales by Bruno Lima",
            "Chat message received from the contact (via com.amocrm.amocrmwa)",
        ]
        assert first.structured_content["entries"][1]["raw"]["created_by"] == 0
        seen = [e["raw"]["event_id"] for e in first.structured_content["entries"]]
        cursor = first.structured_content["next_cursor"]
        pages = 1
        while cursor:
            simulator.clear_requests()
            page = await call(session, "get_lead_history", {"lead_id": HISTORY_LEAD, "cursor": cursor})
            assert page.is_error is not True, texts(page)
            assert len(simulator.requests()) <= 3, simulator.request_lines()
            assert all(line.startswith("GET ") for line in simulator.request_lines())
            if pages == 1:
                assert entry_texts(page)[:2] == [
                    "Note by Ana Souza: Wants the annual plan; send the invoice to purchasing.",
                    "Tag vip added by Ana Souza",
                ]
                assert simulator.request_lines() == ["GET /api/v4/events", "GET /api/v4/leads/9005/notes"]
            seen += [e["raw"]["event_id"] for e in page.structured_content["entries"]]
            cursor = page.structured_content.get("next_cursor")
            pages += 1
        assert pages == 3 and len(seen) == len(set(seen)) == 10

        moves = await call(session, "get_lead_history",
                           {"lead_id": HISTORY_LEAD, "types": ["lead_status_changed"]})
        assert [e["kind"] for e in moves.structured_content["entries"]] == ["lead_status_changed"] * 3
        assert moves.structured_content["entries"][2]["who"] == "robot"

        missing = await call(session, "get_lead_history", {"lead_id": MISSING_LEAD})
        assert missing.is_error
        assert texts(missing)[0] == "Failed to get lead history: the specified lead does not exist in Kommo."
        assert missing.structured_content["error"]["kind"] == "lead_missing"

        with anyio.fail_after(CALL_TIMEOUT):
            resource = await session.read_resource(f"kommo://leads/{HISTORY_LEAD}/history")
        data = json.loads(resource.contents[0].text)
        assert data["lead_id"] == HISTORY_LEAD and len(data["entries"]) == 10


async def test_users_and_loss_reasons(kommo_bin, env, simulator: SimulatorProcess, server_log):
    async with connect(kommo_bin, account_args(simulator), env, server_log) as session:
        users = await call(session, "list_users", {})
        assert users.is_error is not True, texts(users)
        listed = {u["name"]: u for u in users.structured_content["users"]}
        assert sorted(listed) == ["Ana Souza", "Bruno Lima", "Carla Ruiz"]
        assert listed["Carla Ruiz"]["active"] is False
        assert listed["Bruno Lima"]["group"] == {"id": 1, "name": "Sales"}
        reasons = await call(session, "list_loss_reasons", {})
        assert [r["name"] for r in reasons.structured_content["loss_reasons"]] == [
            "Price too high", "No longer needed", "Chose a competitor"]
        simulator.clear_requests()
        with anyio.fail_after(CALL_TIMEOUT):
            resource = await session.read_resource("kommo://users")
        assert json.loads(resource.contents[0].text) == users.structured_content
        assert simulator.requests() == [], "users are cached"
