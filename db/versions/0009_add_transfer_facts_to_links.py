"""Add a transfer's facts to links (tx_hash, value, asset, tx_time) and move them out of the notes.

Revision ID: 0009_link_transfer_facts
Revises: 0008_case_origin
Create Date: 2026-12-07

Until now a transfer's hash, value and token lived in the link's free-text notes: the
transactions import preset wrote "Txhash: 0x…", "Value_IN(ETH): 1.25", "DateTime (UTC): …" lines,
and investigators typed "tx 0x…", "hash: …", "value 1.5 ETH", "USDT". For "paid" and
"transferred_to" links each line that reads as one of these facts, and checks out (a hash of a
known shape, a value ≥ 0, a symbol or token address, a real date), moves to its column; every
other line stays in the notes, in order. A link already dated (start_on) without a time gets that
date as its time. The parser is frozen here on purpose: a migration must do tomorrow what it does
today, whatever the application's validators become.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from alembic import op


revision = '0009_link_transfer_facts'
down_revision = '0008_case_origin'
branch_labels = None
depends_on = None

_TRANSFER_TYPES = ("paid", "transferred_to")
_HASH = re.compile(r"(?:0x)?[0-9a-fA-F]{64}")
_SYMBOL = re.compile(r"[A-Za-z][A-Za-z0-9.\-_$]{0,19}")
_TOKEN = re.compile(r"0x[0-9a-fA-F]{40}")
_NUMBER = r"[0-9][0-9,_]*(?:\.[0-9]+)?"
# "Txhash: 0x…", "hash: …", "tx hash = …", "tx 0x…", "transaction: …"
_HASH_LINE = re.compile(r"^\s*(?:tx\s*hash|txhash|transaction\s*hash|tx|hash|transaction|txid)"
                        r"\s*[:=#]?\s*(\S+)\s*$", re.I)
# "Value_IN(ETH): 1.25", "Value_OUT(USDT): 0"
_EXPLORER_VALUE = re.compile(r"^\s*value_(?:in|out)\s*\(\s*([^)]+?)\s*\)\s*:\s*(\S+)\s*$", re.I)
# "value 1.5 ETH", "amount: 100 USDT", "value = 3"
_VALUE_LINE = re.compile(rf"^\s*(?:value|amount)\s*[:=]?\s*({_NUMBER})\s*(\S+)?\s*$", re.I)
# "asset: USDT", "token = 0x…", or a bare "USDT"
_ASSET_LINE = re.compile(r"^\s*(?:asset|token|currency)\s*[:=]\s*(\S+)\s*$", re.I)
_BARE_SYMBOLS = {"ETH", "BTC", "USDT", "USDC", "TRX", "BNB", "SOL", "LTC", "DAI", "WETH", "WBTC",
                 "MATIC", "POL", "BUSD", "TUSD", "USD", "EUR", "CNY", "HKD", "SGD", "AUD"}
# "DateTime (UTC): 2024-05-01 00:00:00", "date: 2024-05-01", "time 2024-05-01T10:00Z"
_TIME_LINE = re.compile(r"^\s*(?:datetime\s*\(utc\)|datetime|date|time|timestamp)\s*[:=]?\s*(.+?)\s*$", re.I)


def _amount(text: str) -> str | None:
    try:
        number = Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0:
        return None
    out = format(number, "f")
    return (out.rstrip("0").rstrip(".") if "." in out else out) or "0"


def _asset(text: str) -> str | None:
    if _TOKEN.fullmatch(text):
        return text.lower()
    if _SYMBOL.fullmatch(text) and not text[:2].lower() == "0x":
        return text.upper() if text == text.lower() else text
    return None


def _hash(text: str) -> str | None:
    if not _HASH.fullmatch(text):
        return None
    return ("0x" + text[2:].lower()) if text[:2].lower() == "0x" else text.lower()


def _time(text: str) -> str | None:
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" UTC", ""))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def facts_from_notes(notes: str) -> tuple[dict[str, str], str]:
    """The transfer facts read from notes, and the notes without the lines they came from."""
    facts: dict[str, str] = {}
    kept: list[str] = []
    zero_value: tuple[str, str] | None = None  # an explorer's "0" on the other side
    for line in (notes or "").splitlines():
        used = False
        if (m := _HASH_LINE.match(line)) and "tx_hash" not in facts and (h := _hash(m.group(1))):
            facts["tx_hash"], used = h, True
        elif (m := _EXPLORER_VALUE.match(line)) and "value" not in facts:
            amount, asset = _amount(m.group(2)), _asset(m.group(1))
            if amount is not None and asset is not None:
                used = True
                if Decimal(amount) == 0:
                    zero_value = zero_value or (amount, asset)
                else:
                    facts["value"] = amount
                    facts.setdefault("asset", asset)
        elif (m := _VALUE_LINE.match(line)) and "value" not in facts and (a := _amount(m.group(1))):
            unit = _asset(m.group(2)) if m.group(2) else None
            if m.group(2) is None or unit is not None:
                facts["value"], used = a, True
                if unit is not None:
                    facts.setdefault("asset", unit)
        elif (m := _ASSET_LINE.match(line)) and "asset" not in facts and (a := _asset(m.group(1))):
            facts["asset"], used = a, True
        elif line.strip().upper() in _BARE_SYMBOLS and "asset" not in facts:
            facts["asset"], used = line.strip().upper(), True
        elif (m := _TIME_LINE.match(line)) and "tx_time" not in facts and (t := _time(m.group(1))):
            facts["tx_time"], used = t, True
        if not used:
            kept.append(line)
    if "value" not in facts and zero_value is not None:
        facts["value"] = zero_value[0]
        facts.setdefault("asset", zero_value[1])
    return facts, "\n".join(kept).strip("\n")


def upgrade() -> None:
    with op.batch_alter_table('link') as batch:
        batch.add_column(sa.Column('tx_hash', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('value', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('asset', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('tx_time', sa.String(length=40), nullable=True))
    op.create_index('ix_link_tx_hash', 'link', ['tx_hash'], unique=False)
    conn = op.get_bind()
    link = sa.table('link', sa.column('id'), sa.column('link_type'), sa.column('notes'),
                    sa.column('start_on'), sa.column('tx_hash'), sa.column('value'),
                    sa.column('asset'), sa.column('tx_time'))
    rows = conn.execute(sa.select(link.c.id, link.c.notes, link.c.start_on)
                        .where(link.c.link_type.in_(_TRANSFER_TYPES))).all()
    for link_id, notes, start_on in rows:
        facts, rest = facts_from_notes(notes or "")
        if "tx_time" not in facts and start_on and (t := _time(start_on)):
            facts["tx_time"] = t
        if facts:
            conn.execute(sa.update(link).where(link.c.id == link_id).values(notes=rest, **facts))


def downgrade() -> None:
    # The facts go back into the notes, so a downgrade loses nothing.
    conn = op.get_bind()
    link = sa.table('link', sa.column('id'), sa.column('notes'), sa.column('tx_hash'),
                    sa.column('value'), sa.column('asset'), sa.column('tx_time'))
    rows = conn.execute(sa.select(link.c.id, link.c.notes, link.c.tx_hash, link.c.value,
                                  link.c.asset, link.c.tx_time)
                        .where(sa.or_(link.c.tx_hash.is_not(None), link.c.value.is_not(None),
                                      link.c.asset.is_not(None), link.c.tx_time.is_not(None)))).all()
    for link_id, notes, tx_hash, value, asset, tx_time in rows:
        lines = [f"hash: {tx_hash}"] if tx_hash else []
        if value:
            lines.append(f"value {value} {asset}" if asset else f"value {value}")
        elif asset:
            lines.append(f"asset: {asset}")
        if tx_time:
            lines.append(f"time: {tx_time}")
        text = "\n".join([notes] + lines if notes else lines)
        conn.execute(sa.update(link).where(link.c.id == link_id).values(notes=text))
    op.drop_index('ix_link_tx_hash', table_name='link')
    with op.batch_alter_table('link') as batch:
        batch.drop_column('tx_time')
        batch.drop_column('asset')
        batch.drop_column('value')
        batch.drop_column('tx_hash')
