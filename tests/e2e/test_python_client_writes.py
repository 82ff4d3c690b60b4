"""The Python `mcp` client driving the built binary over stdio: add_budget (the original's
tool and argument) and a dry run that sends no write, checked against the simulator's log."""

from __future__ import annotations

import pytest

from support import LEAD, SimulatorProcess, account_args
from test_python_client_stdio import call, connect, texts

pytestmark = pytest.mark.anyio


async def test_add_budget_replaces_the_price(kommo_bin, env, simulator: SimulatorProcess,
                                             tmp_path):
    async with connect(kommo_bin, account_args(simulator), env, tmp_path / "s.log") as session:
        result = await call(session, "add_budget", {"lead_id": LEAD, "budget_field_value": 4200})
        bad = await call(session, "add_budget", {"lead_id": LEAD, "budget_field_value": 12.5})
    assert not result.is_error
    assert texts(result)[0] == "Budget successfully added to the specified lead."
    assert result.structured_content == {"lead_id": LEAD, "price": 4200,
                                         "previous_price": 1500, "changed": True}
    assert bad.is_error and "budget_field_value" in texts(bad)[1]
    writes = simulator.writes()
    assert [(w["method"], w["path"], w["body"]) for w in writes] == [
        ("PATCH", f"/api/v4/leads/{LEAD}", {"price": 4200})]


async def test_a_dry_run_sends_no_write(kommo_bin, env, simulator: SimulatorProcess, tmp_path):
    async with connect(kommo_bin, account_args(simulator), env, tmp_path / "s.log") as session:
        result = await call(session, "move_lead", {"lead_id": LEAD, "pipeline_id": 1001,
                                                   "status_id": 2003, "dry_run": True})
        note = await call(session, "add_note", {"lead_id": LEAD, "note": "x", "dry_run": True})
    for answer in (result, note):
        assert not answer.is_error
        assert texts(answer)[0] == "Dry run: nothing was sent to Kommo."
        assert answer.structured_content["dry_run"] is True
    assert result.structured_content["request"] == {
        "method": "PATCH", "path": f"/api/v4/leads/{LEAD}",
        "body": {"pipeline_id": 1001, "status_id": 2003}}
    assert "PATCH /api/v4/leads/9001" in texts(result)[1]
    assert simulator.writes() == []
