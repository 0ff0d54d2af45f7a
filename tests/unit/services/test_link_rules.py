"""The link types and contract roles offered between two records come from the vocabulary."""

from __future__ import annotations

from sqlalchemy import select

from casedesk.domain.models import Contract, Party, ServerFleet
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.link_rules import allowed_links


def test_a_party_onto_a_contract_joins_it_in_the_contract_types_roles(demo_ws):
    ws, case_id = demo_ws
    vocab = default_vocabulary()
    with ws.read() as s:
        party = s.scalars(select(Party).where(Party.case_id == case_id)).first()
        contract = s.scalars(select(Contract).where(Contract.case_id == case_id)).first()
        choices = allowed_links(s, vocab, party.id, contract.id)
        assert choices.roles == tuple(vocab.contract_types[contract.contract_type].roles)
        assert (choices.party_id, choices.contract_id) == (party.id, contract.id)
        # the other way round names the same party and contract
        back = allowed_links(s, vocab, contract.id, party.id)
        assert (back.party_id, back.contract_id) == (party.id, contract.id)


def test_link_types_are_the_vocabularys_for_the_two_kinds_and_a_missing_record_gives_none(demo_ws):
    ws, case_id = demo_ws
    vocab = default_vocabulary()
    with ws.read() as s:
        party = s.scalars(select(Party).where(Party.case_id == case_id)).first()
        server = s.scalars(select(ServerFleet).where(ServerFleet.case_id == case_id)).first()
        choices = allowed_links(s, vocab, party.id, server.id)
        expected = tuple(code for code, lt in vocab.link_types.items()
                         if lt.allows("party", party.party_kind, "server", None))
        assert choices.link_types == expected and choices.roles == ()
        assert allowed_links(s, vocab, party.id, 10**9) is None
