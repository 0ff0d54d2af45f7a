"""Run every red-flag rule on a case and keep its findings up to date (a Progress generator).

Re-running never duplicates: a finding is identified by (rule, subject_key), so a re-run updates
it. Its decision survives re-runs as follows:

* open / confirmed: stay as they are; a confirmed finding whose path changed says so in its
  details (the confirmation still stands: more evidence does not undo a confirmation);
* dismissed: stays dismissed, with its reason, while its explaining path (the sorted record and
  link ids, hashed into path_hash) is unchanged; when the path changes it re-opens, and the
  previous decision is kept in details["reopened"];
* a finding whose condition no longer holds is marked "resolved" (not deleted: its history and
  reason stay readable), with its previous decision in details["before_resolved"]; if the
  condition comes back, a dismissed finding with the same path returns to dismissed, a confirmed
  one to confirmed, anything else to open.

Everything is written in the caller's transaction, with one audit entry per changed finding and
one for the run itself; an unchanged case changes no finding.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Text, cast, insert, select, update
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.models import Finding
from casedesk.domain.watchlists import ScreeningHit
from casedesk.services.analysis.as_of import AsOfCut, restrict_to_day
from casedesk.services.analysis.classify import default_rules
from casedesk.services.analysis.compute import Inventory, compute_inventory
from casedesk.services.analysis.graph import CaseGraph, load_case_graph
from casedesk.services.analysis.ownership import Ownership
from casedesk.services.analysis.questions import group_questions
from casedesk.services.analysis.rules.context import Draft, RuleContext
from casedesk.services.analysis.rules.registry import (
    RuleBook,
    RuleSpec,
    default_rulebook,
    registered_rules,
)
from casedesk.services.analysis.weights import compute_touched
from casedesk.services.analysis.workspace_catalog import workspace_vocabulary
from casedesk.services.audit import record_audit, record_audit_bulk
from casedesk.services.bulk import allocate_ids
from casedesk.services.cases import get_case
from casedesk.services.collector import few_gc_passes
from casedesk.services.progress import Job, Progress
from casedesk.storage.workspace import changes_of

RESOLVED = "resolved"
_WRITE_CHUNK = 2000


@dataclass
class AnalysisResult:
    """What a run found: compute figures, finding counts and what could not be decided."""

    case_id: int
    as_of: date
    inventory: Inventory
    counts: dict[str, int]
    undecided: list[dict[str, Any]]
    rules: list[str]
    finding_ids: list[int] = field(default_factory=list)
    graph: CaseGraph | None = field(default=None, repr=False)
    # What the analysis could not decide, grouped by gap (questions.group_questions).
    open_questions: list[dict[str, Any]] = field(default_factory=list)
    # What the analysis date left out: fleets not installed yet or decommissioned, and
    # rules not in force yet (as_of.restrict_to_day, RuleSpec.in_force_from).
    left_out: dict[str, Any] = field(default_factory=dict)
    _compute: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def compute(self) -> dict[str, Any]:
        """The inventory as plain data (built on first use: it is large for a big case)."""
        if self._compute is None:
            self._compute = self.inventory.as_dict(self.graph or CaseGraph(self.case_id))
        return self._compute

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"case_id": self.case_id, "as_of": self.as_of.isoformat(), "compute": self.compute,
                "counts": dict(self.counts), "undecided": list(self.undecided),
                "open_questions": list(self.open_questions), "left_out": dict(self.left_out),
                "rules": list(self.rules)}


def path_hash(record_ids: list[int], link_ids: list[int], graph: CaseGraph | None = None) -> str:
    """The hash of an explaining path: its records and links (order ignored).

    With the graph, each record counts with its kind and each link with its type and ends, so a
    new link that reuses a deleted link's id (SQLite reuses the highest ids) is still a change.
    """
    if graph is None:
        recs = [str(r) for r in sorted(set(record_ids))]
        links = [str(lk) for lk in sorted(set(link_ids))]
    else:
        kind, all_links = graph.kind, graph.links
        recs = [f"{r}:{kind.get(r, '')}" for r in sorted(set(record_ids))]
        links = []
        for lid in sorted(set(link_ids)):
            lk = all_links.get(lid)
            links.append(f"{lid}:{lk[0]}:{lk[1]}:{lk[2]}" if lk else f"{lid}::")
    body = "r " + " ".join(recs) + "\nl " + " ".join(links)
    return hashlib.sha256(body.encode()).hexdigest()


def load_screening_hits(session: Session, case_id: int) -> list[dict[str, Any]]:
    """A case's screening hits as plain rows."""
    h = ScreeningHit.__table__.c
    return [{"id": r[0], "record_id": r[1], "list_name": r[2], "entry_key": r[3], "entry_name": r[4],
             "score": r[5], "status": r[6]}
            for r in session.execute(select(h.id, h.record_id, h.list_name, h.entry_key, h.entry_name,
                                            h.score, h.status).where(h.case_id == case_id))]


def run_analysis(session: Session, case_id: int, *, as_of: date | None = None, vocab: Any = None,
                 rulebook: RuleBook | None = None) -> Job[AnalysisResult]:
    """Compute the case's inventory, run every rule and upsert its findings (yields Progress)."""
    with few_gc_passes():
        result = yield from _analyse(session, case_id, as_of=as_of, vocab=vocab, rulebook=rulebook)
    return result


def _prepare(session: Session, case_id: int, as_of: date, vocab: Any, book: RuleBook
             ) -> tuple[CaseGraph, AsOfCut, Inventory, Ownership, RuleContext]:
    """Load the case as it stood on `as_of` and build what every rule reads."""
    graph = load_case_graph(session, case_id)
    cut = restrict_to_day(graph, as_of)
    inventory = compute_inventory(graph, as_of=as_of, vocab=vocab, rules=default_rules())
    own_params = {k: book.ownership[k] for k in ("control_threshold_pct", "max_depth", "max_paths",
                                                  "max_total_paths") if k in book.ownership}
    ownership = Ownership(graph, as_of, **own_params)
    ctx = RuleContext(graph, inventory, ownership, vocab, as_of,
                      screening_hits=load_screening_hits(session, case_id))
    return graph, cut, inventory, ownership, ctx


def open_questions_on(session: Session, case_id: int, as_of: date, *, vocab: Any = None,
                      rulebook: RuleBook | None = None) -> list[dict[str, Any]]:
    """The grouped open questions of a case on a day, without saving anything (for the dossier)."""
    get_case(session, case_id)
    vocab = workspace_vocabulary(session, vocab)  # the shipped catalog and the workspace's own
    book = rulebook or default_rulebook()
    functions = registered_rules()
    with few_gc_passes():
        graph, cut, inventory, ownership, ctx = _prepare(session, case_id, as_of, vocab, book)
        for spec in book.rules:
            if spec.in_force(as_of):
                for _ in functions[spec.id](ctx, spec.params):
                    pass
    undecided = _dedupe([*cut.undecided, *inventory.undecided, *ownership.problems,
                         *ctx.undecided_items])
    return group_questions(undecided, graph, book.questions)


def _analyse(session: Session, case_id: int, *, as_of: date | None, vocab: Any,
             rulebook: RuleBook | None) -> Job[AnalysisResult]:
    get_case(session, case_id)
    vocab = workspace_vocabulary(session, vocab)  # the shipped catalog and the workspace's own
    book = rulebook or default_rulebook()
    as_of = as_of or date.today()
    functions = registered_rules()
    total = len(book.rules) + 4
    yield Progress(0, total, "Loading the case and computing accelerators, TPP and ECCN classes")
    graph, cut, inventory, ownership, ctx = _prepare(session, case_id, as_of, vocab, book)
    yield Progress(1, total, "Checking the rules")
    drafts: list[tuple[RuleSpec, Draft]] = []
    not_in_force = []
    for i, spec in enumerate(book.rules):
        yield Progress(2 + i, total, f"Checking: {spec.title}")
        if not spec.in_force(as_of):
            not_in_force.append(spec.id)
            continue
        drafts.extend((spec, d) for d in functions[spec.id](ctx, spec.params))
    undecided = _dedupe([*cut.undecided, *inventory.undecided, *ownership.problems,
                         *ctx.undecided_items])
    _attach_undecided(drafts, undecided)
    for _, d in drafts:
        d.details["compute_touched"] = compute_touched(d.record_ids, graph, inventory)
    questions = group_questions(undecided, graph, book.questions)
    yield Progress(total - 2, total, "Saving findings")
    # A rule not in force on the day raises nothing: its findings resolve like any that no longer
    # hold, and a later run on a day it applies restores them with their decisions.
    counts, ids = _save(session, case_id, book, drafts, graph)
    left_out = {"fleets": [{"record_id": fid, "label": graph.name(fid), "why": why}
                           for fid, why in sorted(cut.fleets_out.items())],
                "contracts": [{"record_id": cid, "label": graph.name(cid), "why": why}
                              for cid, why in sorted(cut.contracts_out.items())],
                "links": cut.links_out, "rules_not_in_force": not_in_force}
    record_audit(session, "analyse", "case", case_id, case_id=case_id, after={
        "as_of": as_of.isoformat(), "rules": [s.id for s in book.rules], "counts": counts,
        "undecided": len(undecided), "open_questions": len(questions),
        "fleets_left_out": len(cut.fleets_out), "rules_not_in_force": not_in_force})
    yield Progress(total - 1, total, "Done")
    return AnalysisResult(case_id, as_of, inventory, counts, undecided, [s.id for s in book.rules],
                          ids, graph, open_questions=questions, left_out=left_out)


def _dedupe(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for item in items:
        key = (item.get("rule"), item.get("question"))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _attach_undecided(drafts: list[tuple[RuleSpec, Draft]], undecided: list[dict[str, Any]]) -> None:
    """Put the open questions about a finding's records into its details."""
    by_record: dict[int, list[str]] = {}
    for item in undecided:
        for rid in item.get("record_ids", []):
            by_record.setdefault(rid, []).append(item["question"])
    for _, d in drafts:
        questions = list(d.details.get("undecided", []))
        for rid in d.record_ids:
            questions += by_record.get(rid, [])
        if questions:
            d.details["undecided"] = list(dict.fromkeys(questions))[:10]


_COLS = ("id", "rule", "subject_key", "severity", "title", "explanation", "record_ids", "link_ids",
         "path_hash", "details", "status", "reason", "decided_by", "decided_at")
_JSON_COLS = ("record_ids", "link_ids", "details")
_CONTENT = ("severity", "title", "explanation", "record_ids", "link_ids", "path_hash", "details",
            "status", "reason", "decided_by", "decided_at")


def _audit_view(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ("id", "rule", "subject_key", "severity", "title", "explanation",
                                    "record_ids", "link_ids", "path_hash", "status", "reason")}


def _save(session: Session, case_id: int, book: RuleBook, drafts: list[tuple[RuleSpec, Draft]],
          graph: CaseGraph) -> tuple[dict[str, int], list[int]]:
    """Insert, update and resolve findings; returns counts and the ids of current findings."""
    f = Finding.__table__.c
    rule_ids = [s.id for s in book.rules]
    existing: dict[tuple[str, str], dict[str, Any]] = {}
    # JSON columns come back as their stored text: most findings are unchanged on a re-run, and
    # comparing text is far cheaper than decoding every row (decoded only when needed).
    cols = [cast(getattr(f, c), Text) if c in _JSON_COLS else getattr(f, c) for c in _COLS]
    for row in session.execute(select(*cols).where(f.case_id == case_id, f.rule.in_(rule_ids))):
        d = dict(zip(_COLS, row))
        d["_json"] = {c: d.pop(c) for c in _JSON_COLS}
        existing[(d["rule"], d["subject_key"])] = d
    now = now_iso()
    counts = {"created": 0, "updated": 0, "unchanged": 0, "reopened": 0, "resolved": 0}
    inserts: list[dict[str, Any]] = []
    updates: list[tuple[dict[str, Any], dict[str, Any], str]] = []  # (before, after, action)
    seen: set[tuple[str, str]] = set()
    current: list[int] = []
    for spec, d in drafts:
        key = (spec.id, d.subject_key)
        if key in seen:
            continue  # a rule named the same subject twice: the first draft stands
        seen.add(key)
        ph = path_hash(d.record_ids, d.link_ids, graph)
        new = {"severity": d.severity or spec.severity, "title": d.title[:2000],
               "explanation": d.explanation, "record_ids": [int(x) for x in d.record_ids],
               "link_ids": [int(x) for x in d.link_ids], "path_hash": ph, "details": dict(d.details)}
        old = existing.get(key)
        if old is None:
            inserts.append({"case_id": case_id, "rule": spec.id, "subject_key": d.subject_key,
                            **new, "status": "open", "reason": "", "decided_by": "",
                            "decided_at": None, "created_at": now, "updated_at": now})
            continue
        current.append(old["id"])
        action = "update"
        status, reason = old["status"], old["reason"]
        decided_by, decided_at = old["decided_by"], old["decided_at"]
        if status == "open" and '"reopened"' in (old["_json"]["details"] or ""):
            reopened = _decoded(old)["details"].get("reopened")
            if reopened:
                new["details"]["reopened"] = reopened
        if status == RESOLVED:
            prev = _decoded(old)["details"].get("before_resolved") or {}
            action = "reopen"
            if prev.get("status") == "dismissed" and prev.get("path_hash") == ph:
                status, reason = "dismissed", prev.get("reason", "")
                decided_by, decided_at = prev.get("decided_by", ""), prev.get("decided_at")
            elif prev.get("status") == "confirmed":
                status, reason = "confirmed", prev.get("reason", "")
                decided_by, decided_at = prev.get("decided_by", ""), prev.get("decided_at")
            else:
                status, reason, decided_by, decided_at = "open", "", "", None
        elif status == "dismissed" and old["path_hash"] != ph:
            new["details"]["reopened"] = {
                "previous_status": "dismissed", "previous_reason": old["reason"],
                "decided_by": old["decided_by"], "decided_at": old["decided_at"],
                "why": "the explaining path changed", "at": now}
            status, reason, decided_by, decided_at = "open", "", "", None
            action = "reopen"
        elif status == "confirmed" and old["path_hash"] != ph:
            new["details"]["path_changed_since_decision"] = True
        elif status == "confirmed" and \
                _decoded(old)["details"].get("path_changed_since_decision"):
            new["details"]["path_changed_since_decision"] = True
        new.update(status=status, reason=reason, decided_by=decided_by, decided_at=decided_at)
        if _unchanged(old, new):
            counts["unchanged"] += 1
            continue
        old = _decoded(old)
        updates.append((old, {**old, **new, "updated_at": now}, action))
        counts["reopened" if action == "reopen" else "updated"] += 1
    for key, old in existing.items():
        if key in seen or old["status"] == RESOLVED:
            continue
        old = _decoded(old)
        details = {**old["details"], "before_resolved": {
            "status": old["status"], "reason": old["reason"], "path_hash": old["path_hash"],
            "decided_by": old["decided_by"], "decided_at": old["decided_at"], "at": now}}
        updates.append((old, {**old, "details": details, "status": RESOLVED, "reason": "",
                              "updated_at": now}, "resolve"))
        counts["resolved"] += 1
    ids = allocate_ids(session, Finding.__table__, len(inserts))
    for fid, row in zip(ids, inserts):
        row["id"] = fid
    for start in range(0, len(inserts), _WRITE_CHUNK):
        session.execute(insert(Finding.__table__), inserts[start:start + _WRITE_CHUNK])
    if updates:
        rows = [{"id": after["id"], **{c: after[c] for c in _CONTENT}, "updated_at": after["updated_at"]}
                for _, after, _ in updates]
        for start in range(0, len(rows), _WRITE_CHUNK):
            session.execute(update(Finding), rows[start:start + _WRITE_CHUNK])
    counts["created"] = len(inserts)
    audit = [("create", "finding", r["id"], case_id, None, None, _audit_view(r)) for r in inserts]
    audit += [(action, "finding", after["id"], case_id, None, _audit_view(before), _audit_view(after))
              for before, after, action in updates]
    if audit:
        record_audit_bulk(session, audit)
    changes = changes_of(session)
    for r in inserts:
        changes.add("created", "finding", r["id"])
    for _, after, _ in updates:
        changes.add("updated", "finding", after["id"])
    return counts, sorted([*current, *ids])


def _decoded(old: dict[str, Any]) -> dict[str, Any]:
    """Decode a fetched row's JSON columns (once) into its record_ids, link_ids and details."""
    if "details" not in old:
        for c in _JSON_COLS:
            text = old["_json"][c]
            value = json.loads(text) if text else None
            old[c] = value if value is not None else ({} if c == "details" else [])
    return old


def _unchanged(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True if storing `new` would change nothing (JSON compared as text, then as values)."""
    for c in _CONTENT:
        if c in _JSON_COLS:
            value = new[c]
            # json.dumps of a list of ints is "[1, 2]": build it directly, it is the common case.
            text = ("[" + ", ".join(map(str, value)) + "]") if c != "details" else json.dumps(value)
            if text == old["_json"][c]:
                continue
            if not _same(_decoded(old)[c], new[c]):
                return False
        elif old[c] != new[c]:
            return False
    return True


def _same(a: Any, b: Any) -> bool:
    """Equality as stored: JSON values compare after a round trip (tuples become lists)."""
    if a == b:
        return True
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)
    return a == b
