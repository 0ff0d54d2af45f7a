"""Stored screening hits: storing a run's matches, listing them, the investigator's decisions, side-by-side review.

A hit is (record, list, entry key). Re-screening updates open hits, leaves decided ones alone
while the entry's content hash is unchanged, and re-opens them (saying why) when it changed.
Confirming a hit raises a finding (rule "screening_hit") on the record, through the audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import NotFoundError, ValidationError
from casedesk.domain.models import Finding, Record
from casedesk.domain.watchlists import (
    ScreeningHit,
    Watchlist,
    WatchlistEntry,
    WatchlistIdentifier,
    WatchlistName,
)
from casedesk.services.audit import record_audit
from casedesk.services.cases import get_case
from casedesk.services.screening.entry_facts import entry_facts, facts_sentence, matched_name
from casedesk.services.screening.normalize import normalize_name
from casedesk.services.screening.subjects import Subject
from casedesk.storage.workspace import actor_of, changes_of

HIT_STATUSES = ("open", "confirmed", "dismissed")


@dataclass
class ScreenResult:
    """Hits of one screening run."""

    case_id: int
    threshold: float
    hits: list[dict[str, Any]]
    screened: int
    created: int = 0
    reopened: int = 0

    def as_json(self) -> dict[str, Any]:
        """The CLI's JSON form."""
        return {"case_id": self.case_id, "threshold": self.threshold, "screened": self.screened,
                "created": self.created, "reopened": self.reopened, "hits": self.hits}


def program_of(source_list: str, programs: list[str] | None) -> str:
    """The program an entry is listed under, as investigators name it ("Entity List (EL)", "SDN; CMIC")."""
    return (source_list or "").strip() or "; ".join(p for p in (programs or []) if p)


def entry_programs(session: Session, entry_ids: list[int | None]) -> dict[int, str]:
    """{entry id: program} for list entries (see program_of)."""
    ids = sorted({i for i in entry_ids if i is not None})
    out: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        for eid, source, programs in session.execute(
                select(WatchlistEntry.id, WatchlistEntry.source_list, WatchlistEntry.programs)
                .where(WatchlistEntry.id.in_(ids[start:start + 900]))):
            out[eid] = program_of(source, programs)
    return out


def _joined(summary: str, sentence: str) -> str:
    """The scorer's summary and the entry's sentence, as two sentences."""
    if not sentence:
        return summary
    return f"{summary}{'' if summary.endswith('.') else '.'} {sentence}" if summary else sentence


def hit_dict(hit: ScreeningHit, label: str, program: str | None = None,
             facts: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A stored hit as plain data; program and the entry's facts (entry_facts) are looked up when
    not given. The explanation ends with what the entry says (name met, ref, listing, snapshot)."""
    exp = hit.explanation or {}
    if program is None or facts is None:
        from sqlalchemy.orm import object_session

        session = object_session(hit)
        if program is None:
            program = entry_programs(session, [hit.entry_id]).get(hit.entry_id, "") if session else ""
        if facts is None:
            facts = entry_facts(session, [hit.entry_id]) if session else {}
    entry = facts.get(hit.entry_id) if hit.entry_id is not None else None
    met_name = next((f.get("list_name") for f in exp.get("features", [])
                     if f.get("feature") == "name"), None)
    summary = exp.get("summary", "")
    sentence = facts_sentence(entry, met_name) if entry else ""
    return {"hit_id": hit.id, "record_id": hit.record_id, "record_label": label,
            "list": hit.list_name, "program": program, "list_id": hit.list_id, "entry_id": hit.entry_id,
            "entry_key": hit.entry_key, "entry_name": hit.entry_name, "score": hit.score,
            "explanation": _joined(summary, sentence), "features": exp.get("features", []),
            "steps": exp.get("steps", []), "status": hit.status, "reason": hit.reason,
            "decided_by": hit.decided_by, "decided_at": hit.decided_at,
            "finding_id": hit.finding_id, "entry": _bounded(entry),
            "matched_name": matched_name(entry, met_name) if entry and met_name else None}


_HIT_NAMES = 50  # names of the entry a hit shows (`watchlist entries` shows them all)


def _bounded(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    """The entry's facts for a hit, its names cut to _HIT_NAMES (an entry may have 10,000)."""
    if entry is None or len(entry["names"]) <= _HIT_NAMES:
        return entry
    return {**entry, "names": entry["names"][:_HIT_NAMES], "names_total": len(entry["names"])}


def store_hits(session: Session, case_id: int, subjects: list[Subject], matches: list,
               threshold: float) -> ScreenResult:
    """Store a screening's matches as hits: new ones open, decided ones kept unless the entry changed."""
    still_there = {rid for (rid,) in session.execute(
        select(Record.id).where(Record.case_id == case_id))}
    subjects = [s for s in subjects if s.record_id in still_there]
    matches = [m for m in matches if m[0].record_id in still_there]
    existing = {(h.record_id, h.list_name, h.entry_key): h for h in session.scalars(
        select(ScreeningHit).where(ScreeningHit.case_id == case_id))}
    now = now_iso()
    created = reopened = 0
    current: set[tuple[int, str, str]] = set()
    result_hits: list[ScreeningHit] = []
    labels = {s.record_id: s.label for s in subjects}
    ch = changes_of(session)
    for subject, entry, score, explanation in matches:
        key = (subject.record_id, entry["list_name"], entry["entry_key"])
        if key in current:
            continue
        current.add(key)
        hit = existing.get(key)
        if hit is None:
            hit = ScreeningHit(case_id=case_id, record_id=subject.record_id, list_id=entry["list_id"],
                               entry_id=entry["id"], list_name=entry["list_name"],
                               entry_key=entry["entry_key"], entry_name=entry["name"],
                               entry_hash=entry["content_hash"], score=score,
                               explanation=explanation, status="open", created_at=now,
                               updated_at=now)
            session.add(hit)
            session.flush()
            created += 1
            record_audit(session, "create", "screening_hit", hit.id, case_id=case_id,
                         record_id=subject.record_id,
                         after={"list": hit.list_name, "entry_key": hit.entry_key,
                                "entry_name": hit.entry_name, "score": score})
            ch.add("created", "screening_hit", hit.id)
        else:
            changed = hit.entry_hash != entry["content_hash"]
            if hit.status != "open" and changed:
                before = {"status": hit.status, "reason": hit.reason, "entry_hash": hit.entry_hash}
                hit.reason = (f"re-opened: the list entry changed since the decision "
                              f"(was {hit.status}: {hit.reason})")[:2000]
                hit.status = "open"
                reopened += 1
                record_audit(session, "reopen", "screening_hit", hit.id, case_id=case_id,
                             record_id=subject.record_id, before=before,
                             after={"status": "open", "reason": hit.reason,
                                    "entry_hash": entry["content_hash"]})
            hit.list_id, hit.entry_id, hit.entry_name = entry["list_id"], entry["id"], entry["name"]
            hit.entry_hash, hit.score, hit.explanation, hit.updated_at = \
                entry["content_hash"], score, explanation, now
            ch.add("updated", "screening_hit", hit.id)
        result_hits.append(hit)
    # Open hits of screened records that no longer match (renamed record, delisted entry, higher
    # threshold) are withdrawn; decided ones stay as the record of a decision.
    screened = {s.record_id for s in subjects}
    for key, hit in existing.items():
        if key not in current and hit.status == "open" and hit.record_id in screened:
            record_audit(session, "delete", "screening_hit", hit.id, case_id=case_id,
                         record_id=hit.record_id,
                         before={"list": hit.list_name, "entry_key": hit.entry_key,
                                 "score": hit.score, "reason": "no longer matches"})
            ch.add("deleted", "screening_hit", hit.id)
            session.delete(hit)
    session.flush()
    record_audit(session, "screen", "case", case_id, case_id=case_id,
                 after={"threshold": threshold, "records": len(subjects), "hits": len(result_hits),
                        "created": created, "reopened": reopened,
                        "lists": [r[0] for r in session.execute(
                            select(Watchlist.name).order_by(Watchlist.name))]})
    programs = entry_programs(session, [h.entry_id for h in result_hits])
    facts = entry_facts(session, [h.entry_id for h in result_hits])
    hits = [hit_dict(h, labels.get(h.record_id, ""), programs.get(h.entry_id, ""), facts)
            for h in result_hits]
    return ScreenResult(case_id, threshold, hits, len(subjects), created, reopened)


def list_hits(session: Session, case_id: int, *, status: str | None = None) -> list[dict[str, Any]]:
    """A case's stored hits, best score first."""
    get_case(session, case_id)
    stmt = select(ScreeningHit, Record.label).join(Record, Record.id == ScreeningHit.record_id) \
        .where(ScreeningHit.case_id == case_id)
    if status:
        stmt = stmt.where(ScreeningHit.status == status)
    rows = session.execute(stmt).all()
    programs = entry_programs(session, [h.entry_id for h, _ in rows])
    facts = entry_facts(session, [h.entry_id for h, _ in rows])
    hits = [hit_dict(h, label, programs.get(h.entry_id, ""), facts) for h, label in rows]
    hits.sort(key=lambda h: (-h["score"], h["record_id"], h["list"], h["entry_key"]))
    return hits


def listed_on(session: Session, hit: ScreeningHit) -> str:
    """Where a hit's entry is listed: "Entity List (EL) (US Consolidated Screening List)", or the list's name."""
    program = entry_programs(session, [hit.entry_id]).get(hit.entry_id, "") if hit.entry_id else ""
    name = hit.list_name[:150]
    return f"{program[:150]} ({name})" if program and program.casefold() not in name.casefold() else name


def decide_hit(session: Session, hit_id: int, status: str, reason: str = "") -> ScreeningHit:
    """Confirm (raises a finding), dismiss (reason required) or re-open a hit; audited."""
    hit = session.get(ScreeningHit, hit_id)
    if hit is None:
        raise NotFoundError(f"no screening hit with id {hit_id}")
    if status not in HIT_STATUSES:
        raise ValidationError("status", f"{status!r} is not one of {', '.join(HIT_STATUSES)}")
    reason = (reason or "").strip()
    if status == "dismissed" and not reason:
        raise ValidationError("reason", "say why the hit is dismissed (e.g. different date of birth)")
    before = {"status": hit.status, "reason": hit.reason, "finding_id": hit.finding_id}
    now = now_iso()
    hit.status, hit.reason = status, reason[:4000]
    hit.decided_by, hit.decided_at, hit.updated_at = actor_of(session), now, now
    record = session.get(Record, hit.record_id)
    label = record.label if record is not None else str(hit.record_id)
    subject_key = f"{hit.record_id}:{hit.list_name}:{hit.entry_key}"
    finding = session.scalar(select(Finding).where(
        Finding.case_id == hit.case_id, Finding.rule == "screening_hit",
        Finding.subject_key == subject_key))
    ch = changes_of(session)
    if status == "confirmed":
        summary = (hit.explanation or {}).get("summary", "")
        details = {"hit_id": hit.id, "list": hit.list_name, "entry_key": hit.entry_key,
                   "entry_name": hit.entry_name, "score": hit.score, "reason": reason}
        if finding is None:
            finding = Finding(case_id=hit.case_id, rule="screening_hit", subject_key=subject_key,
                              severity="high", title=f"{label[:150]} is listed on {listed_on(session, hit)} "
                                                     f"as {hit.entry_name[:150]}",
                              explanation=f"Confirmed screening hit. {summary}"
                                          + (f" Investigator: {reason}" if reason else ""),
                              record_ids=[hit.record_id], details=details, status="confirmed",
                              reason=reason, decided_by=actor_of(session), decided_at=now,
                              created_at=now, updated_at=now)
            session.add(finding)
            session.flush()
            from casedesk.services.findings import finding_dict

            record_audit(session, "create", "finding", finding.id, case_id=hit.case_id,
                         record_id=hit.record_id, after=finding_dict(finding))
            ch.add("created", "finding", finding.id)
        else:
            from casedesk.services.findings import decide_finding

            decide_finding(session, finding.id, "confirmed", reason)
        hit.finding_id = finding.id
    elif finding is not None and finding.status != "dismissed":
        from casedesk.services.findings import decide_finding

        decide_finding(session, finding.id, "dismissed",
                       reason or "the screening hit was re-opened for review")
    session.flush()
    record_audit(session, "decide", "screening_hit", hit.id, case_id=hit.case_id,
                 record_id=hit.record_id, before=before,
                 after={"status": hit.status, "reason": hit.reason, "finding_id": hit.finding_id})
    ch.add("updated", "screening_hit", hit.id)
    return hit


def hit_comparison(session: Session, hit_id: int) -> dict[str, Any]:
    """Both sides of a hit for side-by-side review: names in every script, ids, countries."""
    from casedesk.domain.models import Alias, Identifier, Party

    hit = session.get(ScreeningHit, hit_id)
    if hit is None:
        raise NotFoundError(f"no screening hit with id {hit_id}")
    record = session.get(Record, hit.record_id)
    case_side: dict[str, Any] = {"record_id": hit.record_id, "label": record.label if record else "",
                                 "kind": record.kind if record else "", "names": [], "identifiers": [],
                                 "countries": []}
    if record is not None:
        case_side["names"] = [{"name": record.label, "kind": "label"}] + [
            {"name": a.name, "kind": a.alias_kind, "script": a.script}
            for a in session.scalars(select(Alias).where(Alias.record_id == record.id))]
        case_side["identifiers"] = [{"scheme": i.scheme, "value": i.value, "country": i.country}
                                    for i in session.scalars(select(Identifier)
                                                             .where(Identifier.record_id == record.id))]
        if isinstance(record, Party):
            case_side["countries"] = sorted({c for c in (record.country, record.hq_country) if c})
            case_side["party_kind"] = record.party_kind
        if record.kind == "wallet":
            case_side["identifiers"].append({"scheme": f"WALLET_{record.chain}",
                                             "value": record.address, "country": None})
    list_side: dict[str, Any] = {"list": hit.list_name, "entry_key": hit.entry_key,
                                 "name": hit.entry_name, "names": [], "identifiers": [],
                                 "countries": [], "programs": [], "entity_type": "",
                                 "remarks": "", "removed": hit.entry_id is None}
    if hit.entry_id is not None:
        entry = session.get(WatchlistEntry, hit.entry_id)
        if entry is not None:
            list_side.update({"name": entry.name, "countries": list(entry.countries or []),
                              "programs": list(entry.programs or []), "entity_type": entry.entity_type,
                              "remarks": entry.remarks, "source_list": entry.source_list,
                              "changed": entry.content_hash != hit.entry_hash})
            list_side["names"] = [{"name": n.name, "kind": n.name_kind} for n in session.scalars(
                select(WatchlistName).where(WatchlistName.entry_id == entry.id)
                .order_by(WatchlistName.id))]
            list_side["identifiers"] = [{"scheme": i.scheme, "value": i.value, "country": i.country}
                                        for i in session.scalars(select(WatchlistIdentifier).where(
                                            WatchlistIdentifier.entry_id == entry.id))]
    for side in (case_side, list_side):
        for n in side["names"]:
            nn = normalize_name(n["name"])
            n["forms"] = [v.text for v in nn.variants]
    return {"hit": hit_dict(hit, case_side["label"]), "case": case_side, "list": list_side}
