"""What merging two records does to their screening: hits and decisions move to the kept record.

A hit of the dropped record moves to the kept one. When both were matched to the same list entry,
one hit survives with the stronger decision (confirmed over dismissed over open), the higher score
and both reasons, so an investigator's confirmed match is never lost to a merge. The finding a
confirmed hit raised follows it (its subject key names the kept record). "Not the same" decisions
about the dropped record move to the kept one; one about the pair itself goes, as the pair is one
record now.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.models import Finding
from casedesk.domain.watchlists import DuplicateDecision, ScreeningHit
from casedesk.storage.workspace import changes_of

STRENGTH = {"confirmed": 2, "dismissed": 1, "open": 0}  # which decision survives a merge


def _subject_key(record_id: int, hit: ScreeningHit) -> str:
    return f"{record_id}:{hit.list_name}:{hit.entry_key}"


def _combined_reason(stronger: ScreeningHit, weaker: ScreeningHit, drop_label: str) -> str:
    reasons = [r for r in (stronger.reason.strip(), weaker.reason.strip()) if r]
    if weaker.status != "open" and weaker.reason.strip() and weaker.status != stronger.status:
        reasons[-1] = f"{weaker.status} as {drop_label}: {weaker.reason.strip()}"
    return "; ".join(dict.fromkeys(reasons))[:4000]


def move_screening(session: Session, keep_id: int, drop_id: int, drop_label: str) -> dict[str, Any]:
    """Move the dropped record's hits and duplicate decisions to the kept record; what moved."""
    ch = changes_of(session)
    keep_hits = {(h.list_name, h.entry_key): h for h in session.scalars(
        select(ScreeningHit).where(ScreeningHit.record_id == keep_id))}
    moved, combined = [], []
    for hit in session.scalars(select(ScreeningHit).where(ScreeningHit.record_id == drop_id)).all():
        finding = session.scalar(select(Finding).where(
            Finding.case_id == hit.case_id, Finding.rule == "screening_hit",
            Finding.subject_key == _subject_key(drop_id, hit)))
        twin = keep_hits.get((hit.list_name, hit.entry_key))
        if twin is None:
            hit.record_id = keep_id
            moved.append(hit.id)
            ch.add("updated", "screening_hit", hit.id)
        else:
            stronger, weaker = ((hit, twin) if STRENGTH.get(hit.status, 0) > STRENGTH.get(twin.status, 0)
                                else (twin, hit))
            reason = _combined_reason(stronger, weaker, drop_label)
            twin.status, twin.reason = stronger.status, reason
            twin.decided_by, twin.decided_at = stronger.decided_by, stronger.decided_at
            twin.score = max(twin.score, hit.score)
            twin.finding_id = twin.finding_id or hit.finding_id
            twin.updated_at = now_iso()
            combined.append({"kept": twin.id, "dropped": hit.id})
            ch.add("updated", "screening_hit", twin.id)
            ch.add("deleted", "screening_hit", hit.id)
            session.delete(hit)
        if finding is not None:
            key = f"{keep_id}:{finding.subject_key.split(':', 1)[1]}"
            if session.scalar(select(Finding.id).where(Finding.case_id == finding.case_id,
                                                       Finding.rule == "screening_hit",
                                                       Finding.subject_key == key)) is None:
                finding.subject_key = key
                ch.add("updated", "finding", finding.id)
        session.flush()
    decisions = _move_decisions(session, keep_id, drop_id)
    return {"hits": moved, "combined_hits": combined, "duplicate_decisions": decisions}


def _move_decisions(session: Session, keep_id: int, drop_id: int) -> list[int]:
    rows = session.scalars(select(DuplicateDecision).where(
        (DuplicateDecision.record_a == drop_id) | (DuplicateDecision.record_b == drop_id))).all()
    have = {(d.record_a, d.record_b) for d in session.scalars(select(DuplicateDecision).where(
        (DuplicateDecision.record_a == keep_id) | (DuplicateDecision.record_b == keep_id)))}
    moved = []
    for d in rows:
        other = d.record_b if d.record_a == drop_id else d.record_a
        pair = (min(keep_id, other), max(keep_id, other))
        if other == keep_id or pair in have:
            session.execute(delete(DuplicateDecision).where(DuplicateDecision.id == d.id))
            continue
        d.record_a, d.record_b = pair
        have.add(pair)
        moved.append(d.id)
    session.flush()
    return moved
