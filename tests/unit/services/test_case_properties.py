"""Case properties (reference, client, classification marking): checked, stored, audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import AuditEntry, Case
from casedesk.services.case_properties import case_properties, set_case_properties
from casedesk.services.cases import create_case


def test_the_properties_are_data_in_their_order():
    assert [p.name for p in case_properties()] == ["reference", "client", "marking"]
    assert "CONFIDENTIAL" in next(p for p in case_properties() if p.name == "marking").suggestions


def test_new_case_keeps_its_properties_on_one_line_and_drops_blanks(sqlite_ws):
    with sqlite_ws.write() as s:
        case = create_case(s, "Harbor review", properties={"reference": "  DD-2026 /\n014 ", "client": "",
                                                           "marking": "CLIENT CONFIDENTIAL"})
        case_id = case.id
    with sqlite_ws.read() as s:
        assert s.get(Case, case_id).properties == {"reference": "DD-2026 / 014", "marking": "CLIENT CONFIDENTIAL"}
        entry = s.scalar(select(AuditEntry).where(AuditEntry.entity == "case", AuditEntry.action == "create"))
        assert json.loads(entry.after)["properties"]["reference"] == "DD-2026 / 014"


def test_bad_properties_are_refused_by_name(sqlite_ws):
    with sqlite_ws.write() as s, pytest.raises(ValidationError, match="marking: classification marking is at most 80"):
        create_case(s, "X", properties={"marking": "A" * 81})
    with sqlite_ws.write() as s, pytest.raises(ValidationError, match="cases have no property 'colour'"):
        create_case(s, "X", properties={"colour": "red"})


def test_setting_properties_later_is_audited_and_a_blank_removes_one(sqlite_ws):
    with sqlite_ws.write() as s:
        case_id = create_case(s, "Y", properties={"reference": "R-1", "client": "Acme"}).id
    with sqlite_ws.write() as s:
        assert set_case_properties(s, case_id, {"client": "", "marking": "OFFICIAL"}) == {
            "reference": "R-1", "marking": "OFFICIAL"}
    with sqlite_ws.read() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.entity == "case", AuditEntry.action == "update"))
        assert json.loads(entry.before) == {"properties": {"reference": "R-1", "client": "Acme"}}
