"""Entity resolution inside the workspace with the screening engine: duplicates within a case,
and the other cases in which a record's party or wallet appears.

Merging is not done here: a suggestion is accepted through services.records.merge_records
(which keeps every link, citation and the audit), or answered "distinct" with mark_distinct.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import NotFoundError, ValidationError
from casedesk.domain.models import Case, Record
from casedesk.domain.watchlists import DuplicateDecision
from casedesk.services.audit import chain_head, record_audit
from casedesk.services.cases import get_case
from casedesk.services.screening.index import NameIndex
from casedesk.services.screening.name_scoring import Weights, best_name_match, default_weights
from casedesk.services.screening.normalize import (
    NormalizedName,
    identifier_key,
    normalize_name,
    serialize_variants,
)
from casedesk.services.screening.subjects import Subject, load_subjects
from casedesk.storage.workspace import actor_of, changes_of


def _subject_index(subjects: list[Subject]) -> tuple[NameIndex, dict[str, NormalizedName], list[str]]:
    index = NameIndex()
    norms: dict[str, NormalizedName] = {}
    texts: list[str] = []
    for s in subjects:
        for name, _kind in s.names:
            nn = norms.get(name)
            if nn is None:
                nn = norms[name] = normalize_name(name)
            # name_ids: position in `texts`; entry_ids: the record (one "entry" per record)
            index.add(len(texts), s.record_id, serialize_variants(nn), nn.exact_only)
            texts.append(name)
    return index, norms, texts


def _pairs(subjects: list[Subject], queries: list[Subject], w: Weights, threshold: float,
           same_case_only: bool) -> dict[tuple[int, int], dict[str, Any]]:
    """Best evidence per (query record, other record)."""
    index, norms, texts = _subject_index(subjects)
    by_id = {s.record_id: s for s in subjects}
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for q in queries:
        for name, _kind in q.names:
            qn = norms.get(name) or normalize_name(name)
            for cand in index.candidates(qn, w, cutoff=threshold):
                other = cand.entry_id
                if other == q.record_id:
                    continue
                o = by_id[other]
                if same_case_only and o.case_id != q.case_id:
                    continue
                m = best_name_match(qn, cand.variants(), cand.exact_only, w, cand.han)
                if m is None or m.score < threshold:
                    continue
                key = (q.record_id, other)
                if key not in out or m.score > out[key]["score"]:
                    o_name = texts[cand.name_id]
                    out[key] = {"score": m.score, "reason": f"names: {name!r} ~ {o_name!r} ({m.method})"}
    # identical identifiers and wallet addresses
    keyed: dict[tuple[str, str], list[Subject]] = {}
    for s in subjects:
        if s.kind == "wallet" and s.wallet_key:
            keyed.setdefault(("wallet", s.wallet_key), []).append(s)
        for scheme, value in s.identifiers:
            k = identifier_key(scheme, value)
            if len(k) >= 4:
                keyed.setdefault((scheme, k), []).append(s)
    query_ids = {q.record_id for q in queries}
    for (scheme, k), group in keyed.items():
        if len(group) < 2:
            continue
        for a in group:
            if a.record_id not in query_ids:
                continue
            for b in group:
                if b.record_id == a.record_id or b.kind != a.kind:
                    continue
                if same_case_only and a.case_id != b.case_id:
                    continue
                out[(a.record_id, b.record_id)] = {
                    "score": 100.0, "reason": f"same {'wallet address' if scheme == 'wallet' else scheme} {k}"}
    return out


def find_duplicates(session: Session, case_id: int, *, threshold: float | None = None,
                    weights: Weights | None = None) -> list[dict[str, Any]]:
    """Pairs of records of one kind in a case that look like the same party or wallet."""
    get_case(session, case_id)
    w = weights or default_weights()
    threshold = w.duplicate_threshold if threshold is None else float(threshold)
    subjects = load_subjects(session, case_id=case_id)
    distinct = {(a, b) for a, b in session.execute(
        select(DuplicateDecision.record_a, DuplicateDecision.record_b)
        .where(DuplicateDecision.case_id == case_id))}
    by_id = {s.record_id: s for s in subjects}
    seen: dict[tuple[int, int], dict[str, Any]] = {}
    for (a, b), ev in _pairs(subjects, subjects, w, threshold, True).items():
        lo, hi = min(a, b), max(a, b)
        if (lo, hi) in distinct or by_id[a].kind != by_id[b].kind:
            continue
        if (lo, hi) not in seen or ev["score"] > seen[(lo, hi)]["score"]:
            seen[(lo, hi)] = {"record_a": lo, "record_b": hi, "label_a": by_id[lo].label,
                              "label_b": by_id[hi].label, "kind": by_id[lo].kind,
                              "score": ev["score"], "explanation": ev["reason"]}
    return sorted(seen.values(), key=lambda p: (-p["score"], p["record_a"], p["record_b"]))


def mark_distinct(session: Session, record_a: int, record_b: int, reason: str = "") -> DuplicateDecision:
    """Remember that two records are not the same party (no longer suggested); audited."""
    lo, hi = min(record_a, record_b), max(record_a, record_b)
    a, b = session.get(Record, lo), session.get(Record, hi)
    if a is None or b is None:
        raise NotFoundError(f"no record with id {lo if a is None else hi}")
    if lo == hi or a.case_id != b.case_id:
        raise ValidationError("records", "two different records of the same case are needed")
    decision = session.scalar(select(DuplicateDecision).where(
        DuplicateDecision.record_a == lo, DuplicateDecision.record_b == hi))
    if decision is None:
        decision = DuplicateDecision(case_id=a.case_id, record_a=lo, record_b=hi, status="distinct",
                                     reason=reason, decided_by=actor_of(session), decided_at=now_iso())
        session.add(decision)
    else:
        decision.reason, decision.decided_by, decision.decided_at = reason, actor_of(session), now_iso()
    session.flush()
    record_audit(session, "decide", "duplicate", decision.id, case_id=a.case_id,
                 after={"record_a": lo, "record_b": hi, "status": "distinct", "reason": reason})
    changes_of(session).add("created", "duplicate", decision.id)
    return decision


_LOCK = threading.Lock()
_WS_CACHE: dict[str, tuple[Any, list[Subject]]] = {}


def _workspace_subjects(session: Session) -> list[Subject]:
    """Every party and wallet of the workspace, cached until the audit chain moves on."""
    key = str(session.get_bind().url)
    head = chain_head(session)
    with _LOCK:
        cached = _WS_CACHE.get(key)
    if cached is not None and cached[0] == head:
        return cached[1]
    subjects = load_subjects(session)
    with _LOCK:
        _WS_CACHE.clear()
        _WS_CACHE[key] = (head, subjects)
    return subjects


def other_cases_for_record(session: Session, record_id: int, *,
                           threshold: float | None = None) -> list[dict[str, Any]]:
    """Records of other cases that look like this party or wallet: [{case_id, case_title, record_id, …}]."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFoundError(f"no record with id {record_id}")
    if record.kind not in ("party", "wallet"):
        return []
    w = default_weights()
    threshold = w.duplicate_threshold if threshold is None else float(threshold)
    subjects = _workspace_subjects(session)
    query = [s for s in subjects if s.record_id == record_id]
    if not query:
        query = load_subjects(session, record_ids=[record_id])
    others = [s for s in subjects if s.case_id != record.case_id and s.kind == record.kind]
    if not others:
        return []
    pairs = _pairs(others + query, query, w, threshold, False)
    titles = dict(session.execute(select(Case.id, Case.title)).all())
    by_id = {s.record_id: s for s in others}
    out = []
    for (_q, other), ev in pairs.items():
        o = by_id.get(other)
        if o is None:
            continue
        out.append({"case_id": o.case_id, "case_title": titles.get(o.case_id, ""),
                    "record_id": o.record_id, "label": o.label, "kind": o.kind,
                    "score": ev["score"], "explanation": ev["reason"]})
    return sorted(out, key=lambda r: (-r["score"], r["case_id"], r["record_id"]))
