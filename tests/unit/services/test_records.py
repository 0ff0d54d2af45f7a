"""Records, links, merge, optimistic locking and hostile strings, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casedesk.domain.errors import ConflictError, ValidationError
from casedesk.domain.models import Alias, AuditEntry, Citation, Event, Link, Record
from casedesk.services.evidence import add_event, attach_evidence, cite
from casedesk.services.links import add_link
from casedesk.services.records import (
    AliasIn,
    IdentifierIn,
    RecordIn,
    create_record,
    delete_record,
    get_record,
    merge_records,
    update_record,
)

from factories import make_datacenter, make_party

HOSTILE = [
    "<b>bold</b> & <font color=red>x</font>",
    "100%s %d {0} %(name)s",
    "evil\u202eoverride",
    "nul\x00byte",
    "emoji 🚀🇨🇳 and 华为投资控股有限公司 / Хуавэй / هواوي",
    "x" * (1024 * 1024),
]


def party(ws, case_id: int, label: str, **fields) -> int:  # noqa: ANN001
    with ws.write() as s:
        return make_party(s, case_id, label, **fields)


@pytest.mark.parametrize("text", HOSTILE, ids=["markup", "format", "rlo", "nul", "scripts", "1mb"])
def test_hostile_strings_are_stored_and_returned_exactly(workspace, case_id, text):
    with workspace.write() as s:
        rid = create_record(s, case_id, RecordIn("party", {"label": text, "notes": text},
                                                 aliases=[AliasIn(text[:5000], "Latn")])).id
    with workspace.read() as s:
        r = get_record(s, rid)
        assert r.label == text and r.notes == text
        assert r.aliases[0].name == text[:5000]
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.record_id == rid)) == 1


def test_every_kind_is_created_with_validated_fields(workspace, case_id):
    with workspace.write() as s:
        p = create_record(s, case_id, RecordIn(
            "party", {"label": "Huawei", "party_kind": "company", "country": "China"},
            identifiers=[IdentifierIn("Unified Social Credit Code", "91110000600037341L")]))
        w = create_record(s, case_id, RecordIn(
            "wallet", {"label": "w", "chain": "ETH", "address": "0x52908400098527886e0f7030069857d2e4169ee7"}))
        dc = create_record(s, case_id, RecordIn("datacenter", {"label": "DC", "country": "AUS"}))
        sv = create_record(s, case_id, RecordIn(
            "server", {"label": "fleet", "accelerator_model": "h100", "server_count": "1,200",
                       "count_qualifier": "at_least", "installed_on": "2024-06"}))
        c = create_record(s, case_id, RecordIn("contract", {"label": "c", "contract_type": "lease",
                                                            "value_amount": "1,000.50"}))
        ids = (p.id, w.id, dc.id, sv.id, c.id)
    with workspace.read() as s:
        p, w, dc, sv, c = (get_record(s, i) for i in ids)
        assert p.country == "CN" and p.identifiers[0].scheme == "CN_USCC"
        assert p.identifiers[0].status == "valid"
        # all-lower EIP-55 input is normalised to the checksummed form
        assert w.address == "0x52908400098527886E0F7030069857D2E4169EE7"
        assert dc.country == "AU"
        assert sv.server_count == 1200 and sv.installed_on == "2024-06"
        assert sv.accelerator_model.lower().startswith("h100")
        assert c.value_amount == "1000.50"


@pytest.mark.parametrize("kind,fields,field", [
    ("party", {"label": "  "}, "label"),
    ("party", {"label": "x", "country": "Atlantis"}, "country"),
    ("party", {"label": "x", "party_kind": "spaceship"}, "party_kind"),
    ("wallet", {"label": "w", "chain": "ETH", "address": "0x52908400098527886E0F7030069857D2E4169Ee7"}, "address"),
    ("server", {"label": "s", "server_count": "many"}, "server_count"),
    ("server", {"label": "s", "installed_on": "2024-13"}, "date"),
    ("party", {"label": "x", "colour": "red"}, "colour"),
])
def test_invalid_values_are_refused_and_nothing_is_written(workspace, case_id, kind, fields, field):
    with pytest.raises(ValidationError) as err:
        with workspace.write() as s:
            create_record(s, case_id, RecordIn(kind, fields))
    assert err.value.field in (field, "address", "date", "installed_on")
    assert err.value.reason
    with workspace.read() as s:
        assert s.scalar(select(func.count()).select_from(Record)) == 0


def test_stale_update_raises_conflict_naming_who_and_writes_nothing(workspace, case_id):
    rid = party(workspace, case_id, "Original")
    with workspace.write() as s:
        update_record(s, rid, {"label": "Changed by Alice"}, expected_version=1)
    audit_before = _audit_count(workspace)
    with pytest.raises(ConflictError) as err:
        with workspace.write() as s:
            update_record(s, rid, {"label": "Bob's stale edit"}, expected_version=1)
    assert err.value.actual == 2 and err.value.expected == 1
    assert err.value.changed_by == workspace.actor
    assert "label" in err.value.changes
    with workspace.read() as s:
        assert get_record(s, rid).label == "Changed by Alice"
    assert _audit_count(workspace) == audit_before


def test_a_conflict_names_everyone_who_changed_it_since_the_version_seen_colleagues_first(workspace, case_id):
    rid = party(workspace, case_id, "Original")
    for actor, label, seen in (("alice", "By Alice", 1), ("bob", "By Bob", 2), ("alice", "By Alice again", 3)):
        with workspace.write() as s:
            s.info["actor"] = actor
            update_record(s, rid, {"label": label}, expected_version=seen)
    with pytest.raises(ConflictError) as err, workspace.write() as s:
        s.info["actor"] = "alice"  # Alice's undo of her first edit, based on version 2
        update_record(s, rid, {"label": "Original"}, expected_version=2)
    assert err.value.changed_by == "bob (and you as alice)"
    assert err.value.changes["label"] == ("By Alice", "By Alice again")  # all that changed since version 2
    with pytest.raises(ConflictError) as err, workspace.write() as s:
        s.info["actor"] = "carol"
        update_record(s, rid, {"label": "Carol's"}, expected_version=3)
    assert err.value.changed_by == "alice" and "changed by alice" in str(err.value)


def _audit_count(ws) -> int:  # noqa: ANN001
    with ws.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))


def test_link_endpoints_are_checked_against_the_vocabulary(workspace, case_id):
    a, b = party(workspace, case_id, "A"), party(workspace, case_id, "B")
    with workspace.write() as s:
        dc = make_datacenter(s, case_id, "DC")
    with workspace.write() as s:
        link = add_link(s, case_id, "owns", a, b, share_pct="51")
        assert link.share_pct == 51.0
    with pytest.raises(ValidationError, match="cannot be linked"):
        with workspace.write() as s:
            add_link(s, case_id, "controls_wallet", a, dc)
    with pytest.raises(ValidationError, match="outside 0"):
        with workspace.write() as s:
            add_link(s, case_id, "owns", a, b, share_pct=150)


def test_merge_keeps_every_alias_identifier_link_citation_and_event(workspace, case_id):
    with workspace.write() as s:
        keep = create_record(s, case_id, RecordIn("party", {"label": "华为投资控股有限公司"},
                                                  aliases=[AliasIn("華為投資控股有限公司", "Hant")])).id
        drop = create_record(s, case_id, RecordIn(
            "party", {"label": "Huawei Investment & Holding Co., Ltd.", "country": "CN"},
            aliases=[AliasIn("Hua Wei Tou Zi Kong Gu", "Latn", kind="transliteration")],
            identifiers=[IdentifierIn("CN_USCC", "91110000600037341L")])).id
        other = create_record(s, case_id, RecordIn("party", {"label": "Subsidiary"})).id
        l1 = add_link(s, case_id, "owns", drop, other, share_pct=100).id
        ev = attach_evidence(s, case_id, b"registry extract", title="Registry", grade="B2")
        cite(s, ev.id, record_id=drop, locator="p. 1")
        add_event(s, case_id, "Incorporated", "1987", record_id=drop)
    with workspace.write() as s:
        merge_records(s, keep, drop)
    with workspace.read() as s:
        k = get_record(s, keep)
        names = {a.name for a in k.aliases}
        assert {"華為投資控股有限公司", "Huawei Investment & Holding Co., Ltd.", "Hua Wei Tou Zi Kong Gu"} <= names
        assert [(i.scheme, i.value) for i in k.identifiers] == [("CN_USCC", "91110000600037341L")]
        assert k.country == "CN"  # filled from the merged record
        assert s.get(Link, l1).source_id == keep
        assert s.scalar(select(Citation.record_id)) == keep
        assert s.scalar(select(Event.record_id)) == keep
        assert s.get(Record, drop) is None
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.record_id.in_([keep, drop]))).all()
        assert "merge" in actions


def test_delete_removes_links_and_audits_them(workspace, case_id):
    a, b = party(workspace, case_id, "A"), party(workspace, case_id, "B")
    with workspace.write() as s:
        add_link(s, case_id, "affiliate_of", a, b)
    with workspace.write() as s:
        delete_record(s, a, expected_version=1)
        assert s.info["changes"].ids("deleted", "link")
    with workspace.read() as s:
        assert s.scalar(select(func.count()).select_from(Link)) == 0
        assert s.scalar(select(func.count()).select_from(Alias)) == 0


def test_evidence_blob_is_stored_once(workspace, case_id):
    from casedesk.domain.models import Blob, Evidence

    with workspace.write() as s:
        e1 = attach_evidence(s, case_id, b"same bytes", title="first", grade="A1")
        e2 = attach_evidence(s, case_id, b"same bytes", title="second", grade="C3")
        assert e1.sha256 == e2.sha256
    with workspace.read() as s:
        assert s.scalar(select(func.count()).select_from(Blob)) == 1
        assert s.scalar(select(func.count()).select_from(Evidence)) == 2
    with pytest.raises(ValidationError, match="Admiralty"):
        with workspace.write() as s:
            attach_evidence(s, case_id, b"x", title="bad", grade="G7")


def test_contract_address_and_transaction_hashes_are_checked_against_the_chain(sqlite_ws):
    from factories import make_case, make_contract

    from casedesk.domain.errors import ValidationError

    tx = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
    with sqlite_ws.write() as s:
        case_id = make_case(s)
        for fields, field in [({"chain": "ETH", "contract_address": "0xnotanaddress"}, "contract_address"),
                              ({"chain": "ETH", "tx_hashes": ["hello world"]}, "tx_hashes"),
                              ({"contract_address": "0x52908400098527886E0F7030069857D2E4169EE7"},
                               "contract_address")]:
            with pytest.raises(ValidationError) as info:
                make_contract(s, case_id, "Rental", **fields)
            assert info.value.field == field
        cid = make_contract(s, case_id, "Rental", chain="ETH", tx_hashes=[tx.upper().replace("0X", "0x"), tx],
                            contract_address="0x52908400098527886e0f7030069857d2e4169ee7")
        record = get_record(s, cid)
        assert record.tx_hashes == [tx]
        with pytest.raises(ValidationError) as info:
            update_record(s, cid, {"tx_hashes": ["0x1234"]}, expected_version=record.version)
        assert info.value.field == "tx_hashes"
