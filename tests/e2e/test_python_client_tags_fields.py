"""The Python `mcp` client driving the built binary: add_tag / remove_tag (the original's
`tag_id` and a tag name), list_custom_fields and the kommo://custom-fields resource,
update_lead_fields, their dry runs (argument and header) and read-only mode — checked against
the simulator's log."""

from __future__ import annotations

import json

import pytest

from support import LEAD, SimulatorProcess, account_args
from test_python_client_http import streamable_session
from test_python_client_stdio import call, connect, texts

pytestmark = pytest.mark.anyio

DRY = "Dry run: nothing was sent to Kommo."


def tag_names(simulator: SimulatorProcess, lead: int) -> list[str]:
    return [t["name"] for t in simulator.lead(lead)["_embedded"]["tags"]]


async def test_add_and_remove_tag_send_tags_to_add_and_tags_to_delete(
        kommo_bin, env, simulator: SimulatorProcess, tmp_path):
    async with connect(kommo_bin, account_args(simulator), env, tmp_path / "s.log") as session:
        added = await call(session, "add_tag", {"lead_id": LEAD, "tag_id": 2})
        again = await call(session, "add_tag", {"lead_id": LEAD, "tag_name": "VIP"})
        named = await call(session, "add_tag", {"lead_id": LEAD, "tag_name": "Call on Monday"})
        removed = await call(session, "remove_tag", {"lead_id": LEAD, "tag_name": "whatsapp"})
        absent = await call(session, "remove_tag", {"lead_id": LEAD, "tag_id": 4})
        both = await call(session, "add_tag", {"lead_id": LEAD, "tag_id": 2, "tag_name": "vip"})
    assert texts(added)[0] == "Tag added successfully." and not added.is_error
    assert added.structured_content["changed"] is True
    assert texts(again)[0] == "Tag added successfully."
    assert again.structured_content["changed"] is False
    assert texts(named)[0] == "Tag added successfully."
    assert texts(removed)[0] == "Tag removed successfully."
    assert absent.structured_content["changed"] is False
    assert both.is_error and texts(both)[0] == "Failed to add tag: Kommo did not accept the update request."
    assert "give only one of tag_id or tag_name" in texts(both)[1]
    assert [(w["method"], w["path"], w["body"]) for w in simulator.writes()] == [
        ("PATCH", f"/api/v4/leads/{LEAD}", {"tags_to_add": [{"id": 2}]}),
        ("POST", "/api/v4/leads/tags", [{"name": "Call on Monday"}]),
        ("PATCH", f"/api/v4/leads/{LEAD}", {"tags_to_add": [{"id": 101}]}),
        ("PATCH", f"/api/v4/leads/{LEAD}", {"tags_to_delete": [{"id": 1}]}),
    ]
    assert tag_names(simulator, LEAD) == ["vip", "Call on Monday"]


async def test_list_custom_fields_and_its_resource_and_update_lead_fields(
        kommo_bin, env, simulator: SimulatorProcess, tmp_path):
    async with connect(kommo_bin, account_args(simulator), env, tmp_path / "s.log") as session:
        listed = await call(session, "list_custom_fields", {})
        resource = await session.read_resource("kommo://custom-fields")
        updated = await call(session, "update_lead_fields", {"lead_id": LEAD, "fields": {
            "Source": "Instagram", "INTERESTS": ["Demo", "Support"], "5007": 25,
            "Follow-up date": "2026-12-24"}})
        same = await call(session, "update_lead_fields",
                          {"lead_id": LEAD, "fields": {"Source": "instagram"}})
        bad = await call(session, "update_lead_fields", {"lead_id": LEAD, "fields": {
            "Source": "Telegram", "Employees": "lots", "Nope": 1}})
    assert not listed.is_error
    fields = listed.structured_content["fields"]
    assert len(fields) == 60
    assert fields[1] == {"id": 5002, "name": "Source", "code": None, "type": "select", "options": [
        {"id": 6001, "value": "WhatsApp"}, {"id": 6002, "value": "Instagram"},
        {"id": 6003, "value": "Website"}]}
    assert resource.contents[0].mime_type == "application/json"
    assert json.loads(resource.contents[0].text) == listed.structured_content
    assert texts(updated)[0] == "Lead fields successfully updated."
    assert texts(same)[0] == "Lead fields successfully updated."
    assert same.structured_content["changed"] is False
    assert bad.is_error
    assert texts(bad)[0] == "Failed to update lead fields: Kommo did not accept the update request."
    for part in ['"Telegram" is not one of its options; they are "WhatsApp" (6001), "Instagram" (6002)',
                 '"Employees" (numeric field 5007) takes a number', '"Nope" names no lead custom field']:
        assert part in texts(bad)[1], texts(bad)[1]
    assert [(w["method"], w["path"], w["body"]) for w in simulator.writes()] == [
        ("PATCH", f"/api/v4/leads/{LEAD}", {"custom_fields_values": [
            {"field_id": 5002, "values": [{"enum_id": 6002}]},
            # 2026-12-24 00:00 in the demo account's zone (America/Argentina/Buenos_Aires)
            {"field_id": 5004, "values": [{"value": 1798081200}]},
            {"field_id": 5005, "values": [{"enum_id": 6012}, {"enum_id": 6013}]},
            {"field_id": 5007, "values": [{"value": 25}]},
        ]}),
    ]
    source = [f for f in simulator.lead(LEAD)["custom_fields_values"] if f["field_id"] == 5002]
    assert source[0]["values"][0]["enum_id"] == 6002


async def test_dry_runs_and_read_only_mode_send_no_write(
        kommo_bin, env, simulator: SimulatorProcess, tmp_path, start_http_server):
    lead = ("PATCH", f"/api/v4/leads/{LEAD}")
    calls = [
        # a name the account lacks: the tag would be created first
        ("add_tag", {"lead_id": LEAD, "tag_name": "new one"},
         ("POST", "/api/v4/leads/tags"), [{"name": "new one"}]),
        ("remove_tag", {"lead_id": LEAD, "tag_id": 1}, lead, {"tags_to_delete": [{"id": 1}]}),
        ("update_lead_fields", {"lead_id": LEAD, "fields": {"Priority": "High"}}, lead,
         {"custom_fields_values": [{"field_id": 5006, "values": [{"enum_id": 6023}]}]}),
    ]
    async with connect(kommo_bin, account_args(simulator), env, tmp_path / "s.log") as session:
        for tool, args, (method, path), body in calls:
            answer = await call(session, tool, {**args, "dry_run": True})
            assert not answer.is_error and texts(answer)[0] == DRY, answer
            assert answer.structured_content["request"] == {
                "method": method, "path": path, "body": body}
    server = start_http_server()
    async with streamable_session(server.url("/mcp"), {"X-Kommo-Dry-Run": "true"}) as session:
        for tool, args, _, body in calls:
            answer = await call(session, tool, args)
            assert texts(answer)[0] == DRY, answer
            assert answer.structured_content["request"]["body"] == body
    async with streamable_session(server.url("/mcp"), {"X-Kommo-Read-Only": "true"}) as session:
        names = [t.name for t in (await session.list_tools()).tools]
        assert "list_custom_fields" in names
        assert not {"add_tag", "remove_tag", "update_lead_fields"} & set(names)
        with pytest.raises(Exception):
            await call(session, "add_tag", {"lead_id": LEAD, "tag_id": 2})
    assert simulator.writes() == []
