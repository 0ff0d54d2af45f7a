"""Migration 0009 moves a transfer's hash, value, asset and time out of link notes into typed fields."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from casedesk.services.demo import load_demo_case
from casedesk.storage import migrations
from casedesk.storage.workspace import open_workspace
from sqlalchemy import text

HASH = "0x95cd603fe577fa9548ec0c9b50b067566fe07c8af6acba45f6196f3a15d511f6"


def test_notes_of_a_workspace_at_0008_become_typed_transfer_fields(tmp_path: Path):
    path = tmp_path / "old.casedesk"
    ws = open_workspace(str(path))
    with ws.write() as s:
        load_demo_case(s)
    command.downgrade(migrations.alembic_config(ws.engine), "0008_case_origin")
    with ws.engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM link WHERE link_type = 'paid' ORDER BY id"))]
        imported = f"Txhash: {HASH.upper().replace('0X', '0x')}\nBlockno: 19700000\nValue_IN(ETH): 0\n" \
                   "Value_OUT(ETH): 2.50\nStatus: ok"
        typed = "paid for March\ntx 0x" + "ab" * 32 + "\nvalue 1.5 USDT\ndate: 2024-05-01"
        conn.execute(text("UPDATE link SET notes = :n, start_on = '2024-05-02' WHERE id = :i"),
                     {"n": imported, "i": ids[0]})
        conn.execute(text("UPDATE link SET notes = :n WHERE id = :i"), {"n": typed, "i": ids[1]})
        other = conn.execute(text("SELECT id FROM link WHERE link_type = 'covers' LIMIT 1")).scalar()
        conn.execute(text("UPDATE link SET notes = 'hash: 0x' || :h WHERE id = :i"),
                     {"h": "cd" * 32, "i": other})
    ws.dispose()
    ws = open_workspace(str(path))  # upgrades to head
    assert migrations.current_revision(ws.engine) == migrations.head_revision()
    with ws.engine.connect() as conn:
        get = "SELECT tx_hash, value, asset, tx_time, notes FROM link WHERE id = :i"
        first = conn.execute(text(get), {"i": ids[0]}).one()
        second = conn.execute(text(get), {"i": ids[1]}).one()
        untouched = conn.execute(text(get), {"i": other}).one()
    assert tuple(first) == (HASH, "2.5", "ETH", "2024-05-02", "Blockno: 19700000\nStatus: ok")
    assert tuple(second) == ("0x" + "ab" * 32, "1.5", "USDT", "2024-05-01", "paid for March")
    assert untouched.tx_hash is None and untouched.notes == "hash: 0x" + "cd" * 32
    ws.dispose()
