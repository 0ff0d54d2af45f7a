"""Readers of the dossier's case sections: findings, timeline, screening hits, evidence, figures"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from casedesk.domain.models import AuditEntry
from casedesk.domain.watchlists import Watchlist
from casedesk.services.analysis.rules.registry import rule_title as title_of_rule
from casedesk.services.findings import SEVERITIES, severity_rank
from casedesk.services.reporting.entry_helpers import (
    _markers_only,
    _partial,
    _path,
    count,
    hit_reasons,
    join_text,
    show_day,
    show_time,
)
from casedesk.services.reporting.model import (
    Cite,
    ContractEntry,
    EvidenceEntry,
    FindingEntry,
    FleetEntry,
    HitEntry,
    KeyFigures,
    LinkEntry,
    ListSource,
    QuestionEntry,
    RecordEntry,
    Text,
    TimelineEntry,
)
from casedesk.services.screening.hits import entry_programs


def _json(text: str | None) -> dict[str, Any]:
    """An audit entry's after-state as a dict ({} when absent or unreadable)."""
    import json

    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class CaseReaders:
    """_Reader's part: Readers of the dossier's case sections."""

    def finding_entries(self, links: dict[int, LinkEntry]) -> tuple[FindingEntry, ...]:
        out = []
        for f in self.findings:
            rids = [r for r in (f.record_ids or []) if isinstance(r, int)]
            lids = [x for x in (f.link_ids or []) if isinstance(x, int)]
            shown_r = [r for r in rids if r in self.shown]
            shown_l = [x for x in lids if x in links]
            if (rids or lids) and not shown_r and not shown_l:
                continue  # the finding is about nothing this dossier shows
            path = _path(shown_l, links, shown_r)
            on_path = {p.from_id for p in path} | {p.to_id for p in path}
            others = tuple(r for r in dict.fromkeys(shown_r) if r not in on_path)
            cites: list[Cite] = []
            for step in path:
                cites.extend(links[step.link_id].cites)
            for r in sorted(on_path | set(others)):
                cites.extend(self.record_cites.get(r, ()))
            outside = (len(set(rids)) - len(set(shown_r))) + (len(set(lids)) - len(set(shown_l)))
            weight = ((f.details or {}).get("compute_touched") or {}).get("controlled_tpp") or 0.0
            rule_title = title_of_rule(f.rule)
            out.append(FindingEntry(
                f.id, f.severity, f.status, f.rule, self.txt(f.title), self.txt(f.explanation),
                tuple(path), others, outside, self.field(f.reason, "decision_reasons", "reason"),
                f.decided_by or "", f.decided_at or "", _markers_only(cites), float(weight), rule_title))
        status_rank = {"confirmed": 0, "open": 1, "dismissed": 2}
        # As everywhere: severity, then the controlled compute touched (services.findings).
        return tuple(sorted(out, key=lambda e: (status_rank.get(e.status, 1) == 2,
                                                severity_rank(e.severity), -e.controlled_tpp, e.id)))

    def question_entries(self, groups: Sequence[dict[str, Any]]) -> tuple[QuestionEntry, ...]:
        """The open questions about what this dossier shows (records it leaves out are counted)."""
        out = []
        for g in groups:
            items, outside = [], 0
            for it in g.get("items", ()):
                rid = it.get("record_id")
                if rid is not None and rid not in self.shown:
                    outside += 1
                    continue
                items.append((rid, self.txt(it.get("question", ""))))
            if items or outside:
                out.append(QuestionEntry(str(g.get("gap", "")), self.txt(g.get("title", "")),
                                         tuple(items), outside))
        return tuple(out)

    def timeline(self, entries: dict[int, RecordEntry], links: dict[int, LinkEntry],
                 fleets: Sequence[FleetEntry], contracts: Sequence[ContractEntry]) -> tuple[TimelineEntry, ...]:
        items: list[TimelineEntry] = []

        def add(on: str | None, until: str | None, source: str, rank: int, ident: int, title: Text,
                rids: Iterable[int], cites: Iterable[Cite], detail: Text = "") -> None:
            if not on:
                return
            start = _partial(on)
            end = _partial(until) if until else None
            if start is None:
                key = ("9999-12-31", on, rank, ident)
                when = on
            else:
                key = (start.first_day().isoformat(), start.last_day().isoformat(), rank, ident)
                when = start.display()
            shown_until = end.display() if end else (until or "")
            full = join_text(title, " — ", detail) if detail else title
            items.append(TimelineEntry(key, when, shown_until, source, full, tuple(rids),
                                       _markers_only(cites)))

        for ev in self.events:
            if ev.record_id is not None and ev.record_id not in self.shown:
                continue
            rids = (ev.record_id,) if ev.record_id is not None else ()
            add(ev.on, ev.until, "event", 0, ev.id, self.txt(ev.title), rids,
                self.record_cites.get(ev.record_id, ()) if ev.record_id else (),
                self.field(ev.description, "notes", "description"))
        for lid in sorted(links):
            lk = links[lid]
            title = join_text(entries[lk.source_id].label, f" {lk.label} ", entries[lk.target_id].label)
            if lk.start_on:
                add(lk.start_on, lk.end_on, "link", 1, lid, title, (lk.source_id, lk.target_id), lk.cites)
            elif lk.end_on:
                add(lk.end_on, None, "link", 1, lid, join_text(title, " (ended)"),
                    (lk.source_id, lk.target_id), lk.cites)
        for f in fleets:
            add(f.installed_on, None, "fleet", 2, f.id, join_text("Installed: ", f.label), (f.id,), f.cites)
            extra = f" ({f.days_to_service} days after installation)" if f.days_to_service is not None else ""
            add(f.in_service_on, None, "fleet", 2, f.id, join_text("In service: ", f.label, extra),
                (f.id,), f.cites)
            add(f.decommissioned_on, None, "fleet", 2, f.id, join_text("Decommissioned: ", f.label),
                (f.id,), f.cites)
        for c in contracts:
            add(c.start_on, c.end_on, "contract", 3, c.id, join_text("Contract term: ", c.label),
                (c.id,), c.cites)
            if c.end_on and not c.start_on:
                add(c.end_on, None, "contract", 3, c.id, join_text("Contract ends: ", c.label),
                    (c.id,), c.cites)
        return tuple(sorted(items, key=lambda t: t.sort_key))

    def list_sources(self) -> tuple[ListSource, ...]:
        """The screening lists the shown hits cite and those the case was last screened against."""
        hits = [h for h in self.hits if h.record_id in self.shown]
        self.programs = entry_programs(self.s, [h.entry_id for h in hits])
        last = self.s.scalar(select(AuditEntry).where(
            AuditEntry.case_id == self.case_id, AuditEntry.action == "screen", AuditEntry.entity == "case")
            .order_by(AuditEntry.id.desc()).limit(1))
        after = _json(last.after) if last is not None else {}
        names = {str(n) for n in after.get("lists", ()) if isinstance(n, str)}
        lists = list(self.s.scalars(select(Watchlist).where(or_(
            Watchlist.id.in_({h.list_id for h in hits if h.list_id is not None}),
            Watchlist.name.in_(names))).order_by(Watchlist.name, Watchlist.id)))
        self.list_markers = {wl.id: n for n, wl in enumerate(lists, 1)}
        self.screening_note = "" if last is None else (
            f"The case was last screened on {show_time(last.at)} against {count(len(names), 'list')} "
            f"at a threshold of {after.get('threshold', '—')}: {count(int(after.get('records') or 0), 'record')} "
            f"screened, {count(int(after.get('hits') or 0), 'hit')}.")
        out = []
        for wl in lists:
            mine = [h for h in hits if h.list_id == wl.id]
            programs = sorted({self.programs[h.entry_id] for h in mine if self.programs.get(h.entry_id)})
            out.append(ListSource(self.list_markers[wl.id], wl.id, wl.name, wl.format,
                                  self.field(wl.source_filename, "evidence_sources", "file name"),
                                  wl.source_sha256, show_day(wl.snapshot_date), show_time(wl.imported_at),
                                  wl.entry_count, tuple(programs), len(mine)))
        return tuple(out)

    def hit_entries(self) -> tuple[HitEntry, ...]:
        out = []
        for h in self.hits:
            if h.record_id not in self.shown:
                continue
            out.append(HitEntry(h.id, h.record_id, self.txt(h.list_name), self.txt(h.entry_name),
                                float(h.score), h.status or "open",
                                self.field(h.reason, "decision_reasons", "reason"),
                                h.decided_by or "", h.decided_at or "",
                                self.txt(hit_reasons(h.explanation)), self.programs.get(h.entry_id, ""),
                                self.list_markers.get(h.list_id)))
        status_rank = {"confirmed": 0, "open": 1, "dismissed": 2}
        return tuple(sorted(out, key=lambda h: (status_rank.get(h.status, 1), -h.score, h.id)))

    def evidence_entries(self) -> tuple[EvidenceEntry, ...]:
        rel, cred = self.vocab.source_reliability, self.vocab.information_credibility
        out = []
        for eid in self.evidence_ids:
            e = self.all_evidence[eid]
            grade = f"{rel[e.reliability].label if e.reliability in rel else e.reliability}; " \
                    f"{cred[e.credibility].label if e.credibility in cred else e.credibility}"
            when = _partial(e.source_date) if e.source_date else None
            out.append(EvidenceEntry(
                self.markers[eid], eid, self.txt(e.title), e.evidence_kind or "",
                self.field(e.source, "evidence_sources", "source"),
                self.field(e.author, "evidence_sources", "author"),
                when.display() if when else (e.source_date or ""), e.reliability, e.credibility, grade,
                e.sha256, self.blob_sizes.get(e.sha256), self.field(e.filename, "evidence_sources", "file name"),
                self.cite_counts.get(eid, 0)))
        return tuple(out)

    def figures(self, entries: dict[int, RecordEntry], findings: Sequence[FindingEntry],
                hits: Sequence[HitEntry], on: date) -> KeyFigures:
        by_kind = defaultdict(int)
        for e in entries.values():
            by_kind[e.kind] += 1
        kinds = tuple((self.vocab.record_kinds[k].plural if k in self.vocab.record_kinds else k, by_kind[k])
                      for k in self.vocab.record_kinds if by_kind.get(k))
        concern: dict[str, int] = defaultdict(int)
        for rid, e in entries.items():
            if e.kind != "party":
                continue
            r = self.all_records[rid]
            for country in {r.country, r.hq_country} - {None, ""}:
                try:
                    if self.vocab.is_country_of_concern(country, on):
                        concern[country] += 1
                except (KeyError, ValueError):
                    continue
        sev = []
        for s in SEVERITIES + tuple(sorted({f.severity for f in findings} - set(SEVERITIES))):
            counts = [sum(1 for f in findings if f.severity == s and f.status == st)
                      for st in ("open", "confirmed", "dismissed")]
            if any(counts):
                sev.append((s, *counts))
        statuses = sorted({h.status for h in hits})
        return KeyFigures(kinds, len(self.shown_links), by_kind.get("party", 0),
                          tuple(f"{c} ({n} {'party' if n == 1 else 'parties'})" for c, n in sorted(concern.items())),
                          tuple(sev), tuple((st, sum(1 for h in hits if h.status == st)) for st in statuses),
                          len(self.evidence_ids), len(self.omitted), len(self.omitted_evidence))
