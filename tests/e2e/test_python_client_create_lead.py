"""The Python `mcp` client driving the built binary over stdio: create_lead with a new
contact (one complex POST), then the same customer's phone in another format links the
existing contact; update_contact adds an e-mail keeping the contact's phone."""

from __future__ import annotations

import pytest

from support import SimulatorProcess, account_args
from test_python_client_stdio import call, connect, texts

pytestmark = pytest.mark.anyio


async def test_create_lead_then_link_the_same_contact(kommo_bin, env,
                                                      simulator: SimulatorProcess, tmp_path):
    async with connect(kommo_bin, account_args(simulator), env, tmp_path / "s.log") as session:
        first = await call(session, "create_lead", {
            "name": "Lucia — quote", "contact_name": "Lucia", "phone": "+54 9 11 7070-8080",
            "company_name": "Lucia SRL"})
        again = await call(session, "create_lead", {
            "name": "Lucia — second", "phone": "011 7070-8080"})
        added = await call(session, "update_contact", {
            "contact_id": first.structured_content["contact_id"],
            "add_email": "lucia@example.com"})
    assert not first.is_error, texts(first)
    assert texts(first)[0] == "Lead successfully created."
    assert first.structured_content["contact_created"] is True
    assert isinstance(first.structured_content["company_id"], int)
    assert again.structured_content["contact_created"] is False
    assert again.structured_content["contact_id"] == first.structured_content["contact_id"]
    assert texts(added)[0] == "Contact successfully updated."
    assert added.structured_content["phones"] == ["+54 9 11 7070-8080"]
    assert added.structured_content["emails"] == ["lucia@example.com"]
    paths = [(w["method"], w["path"]) for w in simulator.writes()]
    contact_id = first.structured_content["contact_id"]
    assert paths == [("POST", "/api/v4/leads/complex"), ("POST", "/api/v4/leads"),
                     ("PATCH", f"/api/v4/contacts/{contact_id}")]
