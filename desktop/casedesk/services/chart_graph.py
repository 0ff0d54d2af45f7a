"""What the link chart shows: nodes and edges of a case as plain data, saved positions, neighbours, paths.

Edges are links plus contract parties (a party or wallet joined to a contract in a role), which
the chart draws as edges labelled with the role. Positions live in ChartPosition, one row per
record placed on the case's chart; that set is also what the chart reopens with on a large case.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from casedesk.domain.models import ChartPosition, Contract, ContractParty, Link, Party, Record
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.audit import record_audit
from casedesk.services.cases import get_case
from casedesk.services.in_lists import in_chunks
from casedesk.services.screening.status import screening_status


@dataclass(frozen=True)
class ChartNode:
    """A record as the chart draws it."""

    id: int
    kind: str
    subkind: str | None  # party kind for parties
    label: str
    screening: str = ""  # "confirmed", "open" or "dismissed" when the record has screening hits


@dataclass(frozen=True)
class ChartEdge:
    """A directed, labelled edge: a link, or a contract party (party → contract, labelled by role)."""

    key: str  # "link:<id>" or "party:<contract_party id>"
    link_id: int | None
    source_id: int
    target_id: int
    link_type: str  # link type code, or "contract_party"
    label: str
    detail: str  # role, dates and grade for a tooltip
    share_pct: float | None = None
    grade: str = ""


@dataclass(frozen=True)
class ChartPath:
    """A path through the case graph: records in order and the links between them."""

    record_ids: list[int]
    link_ids: list[int]


def count_records(session: Session, case_id: int) -> int:
    """How many records a case has."""
    return session.scalar(select(func.count()).select_from(Record).where(Record.case_id == case_id)) or 0


def chart_nodes(session: Session, case_id: int, ids: Collection[int] | None = None) -> list[ChartNode]:
    """The chart nodes of a case (all, or the given record ids), in id order."""
    rec, party = Record.__table__.c, Party.__table__.c
    query = (select(rec.id, rec.kind, party.party_kind, rec.label)
             .outerjoin(Party.__table__, party.id == rec.id).where(rec.case_id == case_id))
    if ids is None:
        rows = session.execute(query.order_by(rec.id)).all()
    else:
        rows = [r for chunk in in_chunks(ids) for r in session.execute(query.where(rec.id.in_(chunk)))]
        rows.sort(key=lambda r: r[0])
    status = screening_status(session, case_id, None if ids is None else [r[0] for r in rows])
    return [ChartNode(r[0], r[1], r[2], r[3], status.get(r[0], "")) for r in rows]


def _link_edge(row: Any, vocab: Any) -> ChartEdge:
    lt = vocab.link_types.get(row.link_type)
    label = lt.label if lt is not None else row.link_type.replace("_", " ")
    if row.share_pct is not None:
        label = f"{label} {row.share_pct:g} %"
    detail = [label]
    if row.role:
        detail.append(f"role: {row.role}")
    if row.start_on or row.end_on:
        detail.append(f"{row.start_on or '…'} – {row.end_on or '…'}")
    if row.grade:
        detail.append(f"grade {row.grade}")
    return ChartEdge(f"link:{row.id}", row.id, row.source_id, row.target_id, row.link_type, label,
                     "; ".join(detail), row.share_pct, row.grade or "")


def _party_edge(row: Any, vocab: Any) -> ChartEdge:
    role = vocab.contract_roles.get(row.role)
    label = role.label.lower() if role is not None else row.role
    return ChartEdge(f"party:{row.id}", None, row.party_id, row.contract_id, "contract_party", label,
                     f"{label} of the contract")


_LINK_COLUMNS = (Link.id, Link.link_type, Link.source_id, Link.target_id, Link.share_pct, Link.role,
                 Link.start_on, Link.end_on, Link.grade)


def chart_edges(session: Session, case_id: int, ids: Collection[int] | None = None, *,
                touching: bool = False, vocab: Any = None) -> list[ChartEdge]:
    """Edges of a case: all, those with both ends in `ids`, or (touching=True) any end in `ids`."""
    vocab = vocab if vocab is not None else default_vocabulary()
    cp = ContractParty
    party_cols = (cp.id, cp.contract_id, cp.party_id, cp.role)
    party_base = select(*party_cols).join(Record, Record.id == cp.contract_id).where(Record.case_id == case_id)
    link_base = select(*_LINK_COLUMNS).where(Link.case_id == case_id)
    if ids is None:
        links = session.execute(link_base).all()
        parties = session.execute(party_base).all()
    else:
        wanted = set(ids)
        links, parties, seen_l, seen_p = [], [], set(), set()
        for chunk in in_chunks(wanted):
            for row in session.execute(link_base.where(or_(Link.source_id.in_(chunk), Link.target_id.in_(chunk)))):
                if row.id not in seen_l:
                    seen_l.add(row.id)
                    links.append(row)
            for row in session.execute(party_base.where(or_(cp.contract_id.in_(chunk), cp.party_id.in_(chunk)))):
                if row.id not in seen_p:
                    seen_p.add(row.id)
                    parties.append(row)
        if not touching:
            links = [r for r in links if r.source_id in wanted and r.target_id in wanted]
            parties = [r for r in parties if r.contract_id in wanted and r.party_id in wanted]
    edges = [_link_edge(r, vocab) for r in sorted(links, key=lambda r: r.id)]
    edges += [_party_edge(r, vocab) for r in sorted(parties, key=lambda r: r.id)]
    return edges


def link_edges(session: Session, link_ids: Collection[int], *, vocab: Any = None) -> list[ChartEdge]:
    """The chart edges of the given links (missing ids are skipped)."""
    vocab = vocab if vocab is not None else default_vocabulary()
    out = []
    for chunk in in_chunks(link_ids):
        out += [_link_edge(r, vocab) for r in session.execute(select(*_LINK_COLUMNS).where(Link.id.in_(chunk)))]
    return sorted(out, key=lambda e: e.link_id or 0)


def contract_party_edges(session: Session, contract_ids: Collection[int], *, vocab: Any = None) -> list[ChartEdge]:
    """The party edges of the given contracts."""
    vocab = vocab if vocab is not None else default_vocabulary()
    cp = ContractParty
    out = []
    for chunk in in_chunks(contract_ids):
        out += [_party_edge(r, vocab) for r in session.execute(
            select(cp.id, cp.contract_id, cp.party_id, cp.role).where(cp.contract_id.in_(chunk)))]
    return sorted(out, key=lambda e: e.key)


def _adjacency(session: Session, case_id: int) -> dict[int, list[tuple[int, int | None]]]:
    """Undirected adjacency of a case: record → [(neighbour, link id or None for a contract party)]."""
    adj: dict[int, list[tuple[int, int | None]]] = {}
    for lid, s, t in session.execute(select(Link.id, Link.source_id, Link.target_id)
                                     .where(Link.case_id == case_id).order_by(Link.id)):
        adj.setdefault(s, []).append((t, lid))
        adj.setdefault(t, []).append((s, lid))
    for c, p in session.execute(select(ContractParty.contract_id, ContractParty.party_id)
                                .join(Contract, Contract.id == ContractParty.contract_id)
                                .where(Contract.case_id == case_id).order_by(ContractParty.id)):
        adj.setdefault(c, []).append((p, None))
        adj.setdefault(p, []).append((c, None))
    return adj


def neighbours(session: Session, case_id: int, ids: Collection[int]) -> set[int]:
    """Records linked (or joined by a contract) to any of `ids`, excluding `ids` themselves."""
    found: set[int] = set()
    for e in chart_edges(session, case_id, ids, touching=True):
        found.update((e.source_id, e.target_id))
    return found - set(ids)


def most_connected(session: Session, case_id: int, limit: int) -> list[int]:
    """The `limit` records with the most links and contract parties (ties by id)."""
    degree: dict[int, int] = {}
    for rid, others in _adjacency(session, case_id).items():
        degree[rid] = len(others)
    ranked = sorted(degree, key=lambda r: (-degree[r], r))[:limit]
    if len(ranked) < limit:
        have = set(ranked)
        extra = session.scalars(select(Record.id).where(Record.case_id == case_id).order_by(Record.id)
                                .limit(limit + len(have))).all()
        ranked += [r for r in extra if r not in have][: limit - len(ranked)]
    return ranked


def find_path(session: Session, case_id: int, source_id: int, target_id: int) -> ChartPath | None:
    """The shortest path between two records, following links either way; None when unconnected."""
    if source_id == target_id:
        return ChartPath([source_id], [])
    adj = _adjacency(session, case_id)
    previous: dict[int, tuple[int, int | None]] = {source_id: (source_id, None)}
    queue = deque([source_id])
    while queue:
        node = queue.popleft()
        for other, lid in adj.get(node, ()):
            if other in previous:
                continue
            previous[other] = (node, lid)
            if other == target_id:
                records, links = [target_id], []
                cur = target_id
                while cur != source_id:
                    cur, via = previous[cur]
                    records.append(cur)
                    if via is not None:
                        links.append(via)
                return ChartPath(records[::-1], links[::-1])
            queue.append(other)
    return None


def load_positions(session: Session, case_id: int) -> dict[int, tuple[float, float]]:
    """Saved chart positions of a case's records."""
    return {r: (x, y) for r, x, y in session.execute(
        select(ChartPosition.record_id, ChartPosition.x, ChartPosition.y).where(ChartPosition.case_id == case_id))}


def save_positions(session: Session, case_id: int, positions: Mapping[int, tuple[float, float]], *,
                   reason: str = "move") -> int:
    """Store chart positions of records of a case (replacing earlier ones); one audit entry per call."""
    get_case(session, case_id)
    if not positions:
        return 0
    ids = list(positions)
    valid: set[int] = set()
    for chunk in in_chunks(ids):
        valid.update(session.scalars(select(Record.id).where(Record.case_id == case_id, Record.id.in_(chunk))))
        session.execute(delete(ChartPosition).where(ChartPosition.case_id == case_id,
                                                    ChartPosition.record_id.in_(chunk)))
    rows = [{"case_id": case_id, "record_id": rid, "x": float(x), "y": float(y)}
            for rid, (x, y) in positions.items() if rid in valid]
    for start in range(0, len(rows), 5000):
        session.execute(insert(ChartPosition), rows[start:start + 5000])
    # One entry per arrangement, not per record: a layout of 5,000 nodes is one user action.
    after: dict[str, Any] = {"reason": reason, "count": len(rows)}
    if len(rows) <= 20:
        after["positions"] = {str(r["record_id"]): [round(r["x"], 1), round(r["y"], 1)] for r in rows}
    record_audit(session, "arrange", "chart", case_id, case_id=case_id, after=after)
    return len(rows)


def remove_positions(session: Session, case_id: int, record_ids: Collection[int]) -> int:
    """Take records off a case's saved chart (they stay in the case); audited."""
    removed = 0
    for chunk in in_chunks(record_ids):
        removed += session.execute(delete(ChartPosition).where(
            ChartPosition.case_id == case_id, ChartPosition.record_id.in_(chunk))).rowcount or 0
    if removed:
        record_audit(session, "arrange", "chart", case_id, case_id=case_id,
                     after={"reason": "remove from chart", "count": removed})
    return removed
