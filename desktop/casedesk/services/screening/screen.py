"""Screening a case against every loaded list, storing hits, and the investigator's decisions.

A hit is (record, list, entry key). Re-screening updates open hits, leaves decided ones alone
while the entry's content hash is unchanged, and re-opens them (saying why) when it changed.
Confirming a hit raises a finding (rule "screening_hit") on the record, through the audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
from casedesk.services.progress import Job, Progress, run_to_end
from casedesk.services.screening.index import MultiIndex, get_index
from casedesk.services.screening.name_scoring import NameMatch, Weights, best_name_match, default_weights
from casedesk.services.screening.normalize import NormalizedName, identifier_key, normalize_name
from casedesk.services.screening.subjects import Subject, load_subjects
from casedesk.storage.workspace import actor_of, changes_of

HIT_STATUSES = ("open", "confirmed", "dismissed")


@dataclass
class Evidence:
    """Why one record may be one list entry: the best name pair and the other features."""

    record_id: int
    entry_id: int
    name: NameMatch | None = None
    query_name: str = ""
    query_norm: NormalizedName | None = None
    list_name_id: int | None = None
    identifiers: list[dict[str, Any]] = field(default_factory=list)


def _clamp(x: float) -> float:
    return max(0.0, min(100.0, round(x, 1)))


def _match_names(subject: Subject, index: MultiIndex, w: Weights, threshold: float,
                 norm_cache: dict[str, NormalizedName]) -> dict[int, Evidence]:
    """Best name evidence per entry for one subject's names."""
    found: dict[int, Evidence] = {}
    for name, _kind in subject.names:
        q = norm_cache.get(name)
        if q is None:
            q = norm_cache[name] = normalize_name(name)
        if q.empty:
            continue
        # Country and type can add a few points: look a little below the threshold.
        for cand in index.candidates(q, w, cutoff=threshold - w.country_match_bonus):
            m = best_name_match(q, cand.variants(), cand.exact_only, w, cand.han)
            if m is None or m.score < threshold - w.country_match_bonus:
                continue
            entry_id = cand.entry_id
            ev = found.get(entry_id)
            if ev is None or ev.name is None or m.score > ev.name.score:
                found[entry_id] = Evidence(subject.record_id, entry_id, m, name, q, cand.name_id)
    return found


def _match_identifiers(session: Session, subjects: list[Subject], w: Weights
                       ) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """Exact identifier and wallet-address matches: (record_id, entry_id) → matched ids."""
    wanted: dict[str, list[tuple[int, str, str]]] = {}
    for s in subjects:
        if s.kind == "wallet" and s.wallet_key:
            wanted.setdefault(s.wallet_key, []).append((s.record_id, f"WALLET_{s.chain}", s.address))
        for scheme, value in s.identifiers:
            key = identifier_key(scheme, value)
            if len(key) >= 4:
                wanted.setdefault(key, []).append((s.record_id, scheme, value))
    out: dict[tuple[int, int], list[dict[str, Any]]] = {}
    keys = list(wanted)
    for start in range(0, len(keys), 900):
        chunk = keys[start:start + 900]
        for entry_id, scheme, value, key in session.execute(
                select(WatchlistIdentifier.entry_id, WatchlistIdentifier.scheme,
                       WatchlistIdentifier.value, WatchlistIdentifier.match_key)
                .where(WatchlistIdentifier.match_key.in_(chunk))):
            for record_id, our_scheme, our_value in wanted.get(key, []):
                wallet = scheme.startswith("WALLET_") or our_scheme.startswith("WALLET_")
                if wallet != (scheme.startswith("WALLET_") and our_scheme.startswith("WALLET_")):
                    continue
                if not wallet and scheme != our_scheme and len(key) < w.identifier_any_scheme_min_chars:
                    continue
                out.setdefault((record_id, entry_id), []).append(
                    {"feature": "wallet" if wallet else "identifier", "list_scheme": scheme,
                     "list_value": value, "case_scheme": our_scheme, "case_value": our_value})
    return out


def _steps(norm: NormalizedName | None, variant: int) -> list[str]:
    if norm is None or variant >= len(norm.variants):
        return []
    return list(norm.variants[variant].steps)


def _explain(subject: Subject, entry: dict[str, Any], ev: Evidence, list_norm: NormalizedName | None,
             list_name_text: str, w: Weights) -> tuple[float, dict[str, Any]]:
    """Final score and explanation of one (record, entry) pair."""
    features: list[dict[str, Any]] = []
    steps: list[str] = []
    score = 0.0
    if ev.name is not None:
        score = ev.name.score
        q_steps = _steps(ev.query_norm, ev.name.query_variant)
        l_steps = _steps(list_norm, ev.name.candidate_variant)
        q_text = ev.query_norm.variants[ev.name.query_variant].text if ev.query_norm else ""
        l_text = list_norm.variants[ev.name.candidate_variant].text if list_norm and \
            ev.name.candidate_variant < len(list_norm.variants) else ""
        features.append({"feature": "name", "score": ev.name.score, "rule": ev.name.method,
                         "case_name": ev.query_name, "list_name": list_name_text,
                         "case_form": q_text, "list_form": l_text})
        steps += [f"case name: {s}" for s in q_steps] + [f"list name: {s}" for s in l_steps]
    for ident in ev.identifiers:
        value = w.wallet_match_score if ident["feature"] == "wallet" else w.identifier_match_score
        features.append({**ident, "score": value})
        score = max(score, value)
    ours = set(subject.countries)
    theirs = set(entry.get("countries") or [])
    if ours and theirs and ev.name is not None and not ev.identifiers:
        if ours & theirs:
            features.append({"feature": "country", "adjust": w.country_match_bonus,
                             "detail": f"both in {', '.join(sorted(ours & theirs))}"})
            score += w.country_match_bonus
        else:
            features.append({"feature": "country", "adjust": -w.country_mismatch_penalty,
                             "detail": f"case {', '.join(sorted(ours))} vs list {', '.join(sorted(theirs))}"})
            score -= w.country_mismatch_penalty
    etype, stype = entry.get("entity_type") or "", subject.entity_type
    if etype in ("person", "organization") and stype in ("person", "organization") \
            and etype != stype and not ev.identifiers:
        features.append({"feature": "type", "adjust": -w.type_mismatch_penalty,
                         "detail": f"case {stype} vs list {etype}"})
        score -= w.type_mismatch_penalty
    score = _clamp(score)
    return score, {"summary": _summary(score, features, steps), "features": features, "steps": steps}


def _summary(score: float, features: list[dict[str, Any]], steps: list[str]) -> str:
    parts = []
    for f in features:
        if f["feature"] == "name":
            parts.append(f"name {f['score']:g}: {f['case_name']!r} ~ {f['list_name']!r} ({f['rule']}; "
                         f"compared as {f['case_form']!r} / {f['list_form']!r})")
        elif f["feature"] in ("identifier", "wallet"):
            parts.append(f"{f['feature']} {f['case_scheme']} {f['case_value']} equals list "
                         f"{f['list_scheme']} {f['list_value']}")
        else:
            parts.append(f"{f['feature']} {f['adjust']:+g} ({f['detail']})")
    text = f"score {score:g}: " + "; ".join(parts)
    if steps:
        text += ". Normalisation: " + "; ".join(steps)
    return text


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


def hit_dict(hit: ScreeningHit, label: str) -> dict[str, Any]:
    """A stored hit as plain data."""
    exp = hit.explanation or {}
    return {"hit_id": hit.id, "record_id": hit.record_id, "record_label": label,
            "list": hit.list_name, "list_id": hit.list_id, "entry_id": hit.entry_id,
            "entry_key": hit.entry_key, "entry_name": hit.entry_name, "score": hit.score,
            "explanation": exp.get("summary", ""), "features": exp.get("features", []),
            "steps": exp.get("steps", []), "status": hit.status, "reason": hit.reason,
            "decided_by": hit.decided_by, "decided_at": hit.decided_at,
            "finding_id": hit.finding_id}


def _entries(session: Session, entry_ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(entry_ids), 900):
        chunk = entry_ids[start:start + 900]
        for row in session.execute(
                select(WatchlistEntry.id, WatchlistEntry.list_id, WatchlistEntry.entry_key,
                       WatchlistEntry.name, WatchlistEntry.entity_type, WatchlistEntry.countries,
                       WatchlistEntry.content_hash, Watchlist.name)
                .join(Watchlist, Watchlist.id == WatchlistEntry.list_id)
                .where(WatchlistEntry.id.in_(chunk))):
            out[row[0]] = {"id": row[0], "list_id": row[1], "entry_key": row[2], "name": row[3],
                           "entity_type": row[4], "countries": row[5] or [],
                           "content_hash": row[6], "list_name": row[7]}
    return out


def screen_subjects(session: Session, subjects: list[Subject], *, threshold: float | None = None,
                    weights: Weights | None = None, index: MultiIndex | None = None
                    ) -> Job[list[tuple[Subject, dict[str, Any], float, dict[str, Any]]]]:
    """Score subjects against every list: [(subject, entry, score, explanation)] ≥ threshold."""
    w = weights or default_weights()
    threshold = w.threshold if threshold is None else float(threshold)
    if index is None:
        index = yield from get_index(session)
    total = len(subjects)
    yield Progress(0, total, f"screening {total:,} records against {len(index):,} names")
    evidence: dict[tuple[int, int], Evidence] = {}
    norm_cache: dict[str, NormalizedName] = {}
    for n, s in enumerate(subjects):
        for entry_id, ev in _match_names(s, index, w, threshold, norm_cache).items():
            evidence[(s.record_id, entry_id)] = ev
        if n % 200 == 199:
            yield Progress(n + 1, total, f"screened {n + 1:,} of {total:,} records")
    for (record_id, entry_id), idents in _match_identifiers(session, subjects, w).items():
        ev = evidence.setdefault((record_id, entry_id), Evidence(record_id, entry_id))
        ev.identifiers = idents
    entries = _entries(session, sorted({e for _r, e in evidence}))
    name_ids = sorted({ev.list_name_id for ev in evidence.values() if ev.list_name_id})
    list_names: dict[int, str] = {}
    for start in range(0, len(name_ids), 900):
        list_names.update(session.execute(select(WatchlistName.id, WatchlistName.name)
                                          .where(WatchlistName.id.in_(name_ids[start:start + 900])))
                          .all())
    by_id = {s.record_id: s for s in subjects}
    out = []
    for (record_id, entry_id), ev in evidence.items():
        entry = entries.get(entry_id)
        if entry is None:
            continue
        list_text = list_names.get(ev.list_name_id or -1, entry["name"])
        list_norm = normalize_name(list_text) if ev.name is not None else None
        score, explanation = _explain(by_id[record_id], entry, ev, list_norm, list_text, w)
        if score >= threshold:
            out.append((by_id[record_id], entry, score, explanation))
    out.sort(key=lambda t: (-t[2], t[0].record_id, t[1]["list_name"], t[1]["entry_key"]))
    return out


def screen_case(session: Session, case_id: int, *, threshold: float | None = None,
                weights: Weights | None = None) -> Job[ScreenResult]:
    """Screen every party and wallet of a case against all lists and store the hits; yields Progress."""
    subjects, matches, threshold = yield from match_case(session, case_id, threshold=threshold,
                                                         weights=weights)
    return store_hits(session, case_id, subjects, matches, threshold)


def match_case(session: Session, case_id: int, *, threshold: float | None = None,
               weights: Weights | None = None) -> Job[tuple[list[Subject], list, float]]:
    """The matching half of screening (reads only): (subjects, matches, threshold).

    The GUI runs it in a read session and stores the result with store_hits in a short write
    transaction, so a long screening never holds the workspace's write lock.
    """
    get_case(session, case_id)
    w = weights or default_weights()
    if threshold is not None and not 0 <= float(threshold) <= 100:
        raise ValidationError("threshold", f"{threshold} is not between 0 and 100")
    threshold = w.threshold if threshold is None else float(threshold)
    subjects = load_subjects(session, case_id=case_id)
    matches = yield from screen_subjects(session, subjects, threshold=threshold, weights=w)
    return subjects, matches, threshold


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
    hits = [hit_dict(h, labels.get(h.record_id, "")) for h in result_hits]
    return ScreenResult(case_id, threshold, hits, len(subjects), created, reopened)


def screen_name(session: Session, name: str, *, limit: int = 20, threshold: float | None = None,
                country: str | None = None) -> list[dict[str, Any]]:
    """Type-ahead screening of one name against every list (no hit stored)."""
    w = default_weights()
    subject = Subject(0, 0, "party", name, names=[(name, "label")],
                      countries={country} if country else set())
    idx = run_to_end(get_index(session))
    matches = run_to_end(screen_subjects(session, [subject], threshold=threshold, weights=w,
                                         index=idx))
    return [{"list": e["list_name"], "entry_id": e["id"], "entry_key": e["entry_key"],
             "entry_name": e["name"], "score": score, "explanation": exp["summary"],
             "features": exp["features"], "steps": exp["steps"]}
            for _s, e, score, exp in matches[:limit]]


def list_hits(session: Session, case_id: int, *, status: str | None = None) -> list[dict[str, Any]]:
    """A case's stored hits, best score first."""
    get_case(session, case_id)
    stmt = select(ScreeningHit, Record.label).join(Record, Record.id == ScreeningHit.record_id) \
        .where(ScreeningHit.case_id == case_id)
    if status:
        stmt = stmt.where(ScreeningHit.status == status)
    rows = session.execute(stmt).all()
    hits = [hit_dict(h, label) for h, label in rows]
    hits.sort(key=lambda h: (-h["score"], h["record_id"], h["list"], h["entry_key"]))
    return hits


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
                              severity="high", title=f"{label[:150]} is listed on {hit.list_name[:150]} "
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
