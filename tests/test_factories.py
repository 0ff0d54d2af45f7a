"""The factories make valid rows of every kind through the services, with overrides taken as given."""

from __future__ import annotations

from factories import (
    make_case,
    make_contract,
    make_datacenter,
    make_evidence,
    make_link,
    make_party,
    make_server,
    make_wallet,
)

from casedesk.domain.models import Citation, Link, Record
from casedesk.services.verify import verify_workspace


def test_every_kind_links_and_cited_evidence_pass_verify(sqlite_ws):
    with sqlite_ws.write() as s:
        case_id = make_case(s)
        owner = make_party(s, case_id, "Owner", country="SG")
        wallet = make_wallet(s, case_id)
        dc = make_datacenter(s, case_id, country="AUS")
        fleet = make_server(s, case_id, accelerator_model="h100", server_count="8")
        contract = make_contract(s, case_id, contract_type="lease", parties=[(owner, "lessor")])
        link = make_link(s, case_id, "owns", owner, make_party(s, case_id, "Subsidiary"), share_pct="51")
        make_link(s, case_id, "controls_wallet", owner, wallet)
        evidence = make_evidence(s, case_id, record_id=owner, locator="p. 1")
    with sqlite_ws.read() as s:
        kinds = {rid: s.get(Record, rid).kind for rid in (owner, wallet, dc, fleet, contract)}
        assert list(kinds.values()) == ["party", "wallet", "datacenter", "server", "contract"]
        assert s.get(Record, owner).country == "SG" and s.get(Record, dc).label == "Data center"
        assert s.get(Link, link).share_pct == 51.0
        citation = s.query(Citation).one()
        assert (citation.evidence_id, citation.record_id, citation.locator) == (evidence, owner, "p. 1")
    assert verify_workspace(sqlite_ws).ok
