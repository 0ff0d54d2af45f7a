"""Type-ahead search: records of a case by any name or alias, in any script, as the user types.

On SQLite an FTS5 trigram index (migration 0003) answers queries of three characters or more in
about a millisecond. Trigrams match nothing shorter, and many Chinese names are two characters
(王伟), so one- and two-character queries scan the names instead (about 10 ms over 100,000
records). PostgreSQL, and a SQLite without the index, scan with (I)LIKE. Han queries also try
their simplified and traditional forms, so 中国 finds 中國 and the other way round. A query that
looks like a transaction hash (or its first ten digits or more) also finds the transfers carrying
it: their sending and receiving records, and contracts that list it.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, String, and_, cast, func, literal, or_, select, text, union_all
from sqlalchemy.orm import Session

import re

from casedesk.domain.models import Alias, Contract, Link, Party, Record

SEARCH_TABLE = "record_search"
MAX_QUERY = 200  # longer input is no type-ahead query; the first 200 characters decide
_TRIGRAM = 3
# 0x and at least 10 hex digits, or 10+ bare hex digits (BTC, TRON): a hash or the start of one
_HASH_PREFIX = re.compile(r"(0x)?[0-9a-f]{10,64}")


@dataclass(frozen=True)
class SearchHit:
    """One record found: its id, kind, label, and the name (label or alias) that matched."""

    record_id: int
    kind: str
    party_kind: str | None
    label: str
    matched: str
    via_alias: bool


def _has_han(text_: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text_)


@functools.lru_cache(maxsize=2)
def _converter(config: str) -> Any:
    import opencc  # ~70 ms to load its tables: only when a Han query first needs it

    return opencc.OpenCC(config)


def query_variants(query: str) -> list[str]:
    """The query as typed plus its simplified and traditional forms when it holds Han characters."""
    variants = [query]
    if _has_han(query):
        for config in ("t2s", "s2t"):
            converted = _converter(config).convert(query)
            if converted not in variants:
                variants.append(converted)
    return variants


def warm_up() -> None:
    """Load the script converters now (e.g. at start-up, off the GUI thread) so the first CJK query is fast."""
    query_variants("中國")


_INDEX_PRESENT: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _index_present(engine: Engine) -> bool:
    if engine not in _INDEX_PRESENT:
        present = False
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                present = conn.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                    (SEARCH_TABLE,)).scalar() == 1
        _INDEX_PRESENT[engine] = present
    return _INDEX_PRESENT[engine]


def has_search_index(session: Session) -> bool:
    """True when the workspace has the trigram index (SQLite with FTS5 trigram)."""
    return _index_present(session.get_bind())


def _fts_phrase(term: str) -> str:
    # A double-quoted FTS5 string is matched literally (as a substring under trigram); quotes
    # inside are doubled. No user text ever reaches the query syntax unquoted.
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _rank(hit_name: str, folded_query: list[str]) -> tuple[int, int]:
    name = hit_name.casefold()
    if name in folded_query:
        return (0, len(hit_name))
    if any(name.startswith(q) for q in folded_query):
        return (1, len(hit_name))
    return (2, len(hit_name))


def search_records(session: Session, case_id: int, query: str, *, limit: int = 50) -> list[SearchHit]:
    """Records of a case whose label or an alias contains the query (case-insensitive), best first.

    Names starting with the query come first (an exact name first of all), then names merely
    containing it; shorter names before longer ones. Reading stops once there are enough
    candidates (no sort over every match), so a one-letter query over 100,000 names stays fast;
    the ranking is then among those candidates.
    """
    query = " ".join((query or "").split())[:MAX_QUERY]
    if not query or "\x00" in query:
        return []
    variants = query_variants(query)
    use_index = has_search_index(session) and all(len(v) >= _TRIGRAM for v in variants)
    found: dict[int, tuple[str, bool]] = {}
    # With the index both passes are index lookups. Without it (one or two characters,
    # PostgreSQL) each pass may read every name, so a single substring pass is ranked instead.
    for starting in ((True, False) if use_index else (False,)):
        rows = (_match_index if use_index else _scan_names)(session, case_id, variants, limit * 3, starting)
        for record_id, name, via_alias in rows:
            found.setdefault(record_id, (name, via_alias))
        if len(found) >= limit:
            break
    folded = [v.casefold() for v in variants]
    ordered = sorted(found.items(), key=lambda item: (_rank(item[1][0], folded), item[0]))[:limit]
    seen = {rid for rid, _ in ordered}
    ordered = [*[(rid, m) for rid, m in _transfer_matches(session, case_id, query, limit)
                 if rid not in seen], *ordered][:limit]
    if not ordered:
        return []
    ids = [rid for rid, _ in ordered]
    rows = {r.id: r for r in session.execute(
        select(Record.id, Record.kind, Record.label, Party.party_kind)
        .select_from(Record).outerjoin(Party.__table__, Party.__table__.c.id == Record.id)
        .where(Record.id.in_(ids)))}
    return [SearchHit(rid, rows[rid].kind, rows[rid].party_kind, rows[rid].label, name, via_alias)
            for rid, (name, via_alias) in ordered if rid in rows]


def _transfer_matches(session: Session, case_id: int, query: str,
                      limit: int) -> list[tuple[int, tuple[str, bool]]]:
    """Records a transaction hash (or its start) points to: a transfer's two ends, contracts listing it."""
    key = query.strip().lower()
    if not _HASH_PREFIX.fullmatch(key):
        return []
    out: dict[int, tuple[str, bool]] = {}
    # Hashes are stored lower-case (domain.transactions) and the key is hex only: a plain LIKE.
    for tx_hash, source, target in session.execute(
            select(Link.tx_hash, Link.source_id, Link.target_id)
            .where(Link.case_id == case_id, Link.tx_hash.like(f"{key}%"))
            .limit(limit)):
        out.setdefault(source, (f"sent {tx_hash}", False))
        out.setdefault(target, (f"received {tx_hash}", False))
    for rid, hashes in session.execute(
            select(Contract.id, Contract.tx_hashes)
            .where(Contract.case_id == case_id, cast(Contract.tx_hashes, String).like(f"%{key}%"))
            .limit(limit)):
        match = next((h for h in _hash_list(hashes) if h.lower().startswith(key)), None)
        if match:
            out.setdefault(rid, (f"transaction {match}", False))
    return list(out.items())[:limit]


def _hash_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _match_index(session: Session, case_id: int, variants: list[str], n: int,
                 starting: bool) -> list[tuple[int, str, bool]]:
    match = " OR ".join(_fts_phrase(v) for v in variants)
    params: dict[str, Any] = {"match": match, "case_id": case_id, "n": n}
    where = ""
    if starting:
        # LIKE on the trigram-indexed column is itself answered from the index.
        where = " AND (" + " OR ".join(f"name LIKE :p{i} ESCAPE '\\'" for i in range(len(variants))) + ")"
        params.update({f"p{i}": _like_prefix(v) for i, v in enumerate(variants)})
    sql = text(f"SELECT record_id, name, rowid < 0 FROM {SEARCH_TABLE} "
               f"WHERE {SEARCH_TABLE} MATCH :match AND case_id = :case_id{where} LIMIT :n")
    return [(int(r[0]), r[1], bool(r[2])) for r in session.execute(sql, params)]


def _scan_names_sqlite(session: Session, case_id: int, variants: list[str], n: int,
                       starting: bool) -> list[tuple[int, str, bool]]:
    """The SQLite scan, with its plan spelled out: both tables read straight through.

    `+case_id` keeps SQLite from walking the case index and fetching each row by id (slower
    than reading the table), and CROSS JOIN makes it test alias names first and look up the
    record of the few that match, instead of visiting every alias of every record.
    """
    params: dict[str, Any] = {"case_id": case_id, "n": n}

    def condition(column: str) -> str:
        parts = []
        for i, term in enumerate(variants):
            if term.lower() == term.upper():  # nothing to fold: instr/substr beat LIKE
                params[f"t{i}"] = term
                parts.append(f"substr({column}, 1, {len(term)}) = :t{i}" if starting
                             else f"instr({column}, :t{i}) > 0")
            else:
                params[f"p{i}"] = _like_prefix(term) if starting else _like_pattern(term)
                parts.append(f"{column} LIKE :p{i} ESCAPE '\\'")
        return "(" + " OR ".join(parts) + ")"

    sql = text(
        f"SELECT id, label, 0 FROM record WHERE +case_id = :case_id AND {condition('label')} "
        f"UNION ALL SELECT alias.record_id, alias.name, 1 FROM alias CROSS JOIN record "
        f"ON record.id = alias.record_id WHERE {condition('alias.name')} AND record.case_id = :case_id "
        f"LIMIT :n")
    return [(int(r[0]), r[1], bool(r[2])) for r in session.execute(sql, params)]


def _like_prefix(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _scan_names(session: Session, case_id: int, variants: list[str], n: int,
                starting: bool) -> list[tuple[int, str, bool]]:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return _scan_names_sqlite(session, case_id, variants, n, starting)

    def matches(column: Any, term: str) -> Any:
        if dialect != "postgresql" and term.lower() == term.upper():
            # Nothing to fold (Chinese, digits): SQLite's instr/substr are several times faster
            # than LIKE, which folds case character by character.
            if starting:
                return func.substr(column, 1, len(term)) == term
            return func.instr(column, term) > 0
        pattern = _like_prefix(term) if starting else _like_pattern(term)
        if dialect == "postgresql":
            return column.ilike(pattern, escape="\\")
        return column.like(pattern, escape="\\")  # SQLite LIKE already ignores ASCII case

    labels = select(Record.id.label("rid"), Record.label.label("name"), literal(False).label("alias")) \
        .where(Record.case_id == case_id, or_(*(matches(Record.label, v) for v in variants)))
    aliases = select(Alias.record_id.label("rid"), Alias.name.label("name"), literal(True).label("alias")) \
        .join(Record, Record.id == Alias.record_id) \
        .where(and_(Record.case_id == case_id, or_(*(matches(Alias.name, v) for v in variants))))
    both = union_all(labels, aliases).subquery()
    # No ORDER BY: the scan stops as soon as it has n rows.
    rows = session.execute(select(both.c.rid, both.c.name, both.c.alias).limit(n))
    return [(int(r[0]), r[1], bool(r[2])) for r in rows]
