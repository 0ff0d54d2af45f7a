"""The data step: read one case (or the part of it the view shows) into a plain Dossier object.

Reads only; the redaction profile is applied here, so withheld text never reaches the render
step. Every collection is ordered deterministically (by id or by a stable key), so the same
workspace state and options give an equal Dossier and hence the same PDF bytes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, with_polymorphic

from casedesk.domain.dates import PartialDate
from casedesk.domain.errors import ValidationError
from casedesk.domain.models import (
    Address,
    Alias,
    AuditEntry,
    Blob,
    ChartPosition,
    Citation,
    ContractParty,
    Event,
    Evidence,
    Finding,
    Identifier,
    Link,
    Record,
    WorkspaceInfo,
)
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.domain.watchlists import ScreeningHit
from casedesk.services.analysis.compute import fleet_accelerators
from casedesk.services.analysis.compute_views import case_totals
from casedesk.services.audit import chain_head
from casedesk.services.cases import get_case
from casedesk.services.findings import SEVERITIES, severity_rank
from casedesk.services.reporting.eccn import eccn_class, eccn_rule
from casedesk.services.reporting.layout import chart_positions
from casedesk.services.reporting.model import (
    AddressEntry,
    AuditAnchor,
    Cite,
    ComputeTotals,
    ContractEntry,
    Cover,
    Dossier,
    DossierOptions,
    EvidenceEntry,
    FindingEntry,
    FleetEntry,
    HitEntry,
    IdentifierEntry,
    KeyFigures,
    LinkEntry,
    NameEntry,
    PartyProfile,
    PathStep,
    RecordEntry,
    Redacted,
    Scrubbed,
    Text,
    TimelineEntry,
    WalletEntry,
)
from casedesk.services.reporting.redaction import RedactionProfile, Scrubber, get_profile

PAYMENT_LINKS = ("paid", "funds")
_MARKING_LIMIT = 80


def join_text(*parts: Text) -> Text:
    """Concatenate plain, withheld and partly withheld text into one value."""
    flat: list[str | Redacted] = []
    for part in parts:
        items = part.parts if isinstance(part, Scrubbed) else (part,)
        for item in items:
            if isinstance(item, str) and flat and isinstance(flat[-1], str):
                flat[-1] += item
            elif item != "":
                flat.append(item)
    if all(isinstance(p, str) for p in flat):
        return "".join(flat)  # type: ignore[arg-type]
    if len(flat) == 1:
        return flat[0]
    return Scrubbed(tuple(flat))


def clean_marking(text: str) -> str:
    """A classification marking as one line of at most 80 characters (empty means UNCLASSIFIED)."""
    line = " ".join((text or "").split())
    if not line:
        return "UNCLASSIFIED"
    if len(line) > _MARKING_LIMIT:
        raise ValidationError("marking", f"a marking is at most {_MARKING_LIMIT} characters "
                              f"(this one has {len(line)})")
    return line


def _check_date(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ValidationError("date", f"{text!r} is not a date (use YYYY-MM-DD)") from None


class _Reader:
    """Holds what the data step has read and the redaction decisions, while building."""

    def __init__(self, session: Session, case_id: int, options: DossierOptions, vocab: Vocabulary):
        self.s, self.case_id, self.opt, self.vocab = session, case_id, options, vocab
        self.profile: RedactionProfile = get_profile(options.redaction)
        self.on = date.today()  # set to the dossier's date before fleets are classified

    # --- reading ---------------------------------------------------------------------------
    def read(self) -> None:
        s, cid = self.s, self.case_id
        self.case = get_case(s, cid)
        poly = with_polymorphic(Record, "*")
        self.all_records = {r.id: r for r in s.scalars(
            select(poly).where(poly.case_id == cid).order_by(poly.id))}
        self.aliases: dict[int, list[Alias]] = defaultdict(list)
        for a in s.scalars(select(Alias).join(Record, Record.id == Alias.record_id)
                           .where(Record.case_id == cid).order_by(Alias.id)):
            self.aliases[a.record_id].append(a)
        self.identifiers: dict[int, list[Identifier]] = defaultdict(list)
        for i in s.scalars(select(Identifier).join(Record, Record.id == Identifier.record_id)
                           .where(Record.case_id == cid).order_by(Identifier.id)):
            self.identifiers[i.record_id].append(i)
        self.addresses: dict[int, list[Address]] = defaultdict(list)
        for a in s.scalars(select(Address).join(Record, Record.id == Address.record_id)
                           .where(Record.case_id == cid).order_by(Address.id)):
            self.addresses[a.record_id].append(a)
        self.contract_parties: dict[int, list[ContractParty]] = defaultdict(list)
        for cp in s.scalars(select(ContractParty).join(Record, Record.id == ContractParty.contract_id)
                            .where(Record.case_id == cid).order_by(ContractParty.id)):
            self.contract_parties[cp.contract_id].append(cp)
        self.all_links = {lk.id: lk for lk in s.scalars(
            select(Link).where(Link.case_id == cid).order_by(Link.id))}
        self.all_evidence = {e.id: e for e in s.scalars(
            select(Evidence).where(Evidence.case_id == cid).order_by(Evidence.id))}
        self.blob_sizes = dict(s.execute(
            select(Blob.sha256, Blob.size).join(Evidence, Evidence.sha256 == Blob.sha256)
            .where(Evidence.case_id == cid)).all())
        self.citations = list(s.scalars(
            select(Citation).join(Evidence, Evidence.id == Citation.evidence_id)
            .where(Evidence.case_id == cid).order_by(Citation.id)))
        self.events = list(s.scalars(select(Event).where(Event.case_id == cid).order_by(Event.id)))
        self.findings = list(s.scalars(select(Finding).where(Finding.case_id == cid).order_by(Finding.id)))
        self.hits = list(s.scalars(select(ScreeningHit).where(ScreeningHit.case_id == cid)
                                   .order_by(ScreeningHit.id)))
        self.saved_positions = {p.record_id: (p.x, p.y) for p in s.scalars(
            select(ChartPosition).where(ChartPosition.case_id == cid))}
        info = s.scalars(select(WorkspaceInfo).order_by(WorkspaceInfo.id).limit(1)).first()
        self.workspace_uuid = info.uuid if info else ""
        self.workspace_name = info.name if info else ""
        head_id, head_hash = chain_head(s)
        head_at = s.scalar(select(AuditEntry.at).where(AuditEntry.id == head_id)) if head_id else None
        entries = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
        self.audit = AuditAnchor(head_id, head_hash, head_at or "", entries)

    # --- scope and redaction ---------------------------------------------------------------
    def scope(self) -> None:
        view = self.opt.record_ids
        ids = set(self.all_records) if view is None else set(view) & set(self.all_records)
        omit = self.profile.omit_sensitive
        self.omitted = {rid for rid in ids if omit and self.all_records[rid].sensitive}
        self.shown = ids - self.omitted
        links = [lk for lk in self.all_links.values()
                 if lk.source_id in self.shown and lk.target_id in self.shown]
        if self.opt.link_ids is not None:
            links = [lk for lk in links if lk.id in self.opt.link_ids]
        self.shown_links = {lk.id: lk for lk in links}
        self.omitted_evidence = {eid for eid, e in self.all_evidence.items() if omit and e.sensitive}
        cited = {c.evidence_id for c in self.citations
                 if (c.record_id in self.shown) or (c.link_id in self.shown_links)}
        keep = set(self.all_evidence) if view is None else cited
        self.evidence_ids = sorted(keep - self.omitted_evidence)
        self.markers = {eid: i + 1 for i, eid in enumerate(self.evidence_ids)}
        self.scrub = Scrubber(self._withheld_terms())

    def _is_person(self, rid: int) -> bool:
        r = self.all_records[rid]
        return r.kind == "party" and getattr(r, "party_kind", "") == "person"

    def _withheld_terms(self) -> list[str]:
        p, terms = self.profile, []
        # Records left out (sensitive ones, whatever the view) must not be named anywhere.
        hidden = self.omitted | {rid for rid, r in self.all_records.items()
                                 if p.omit_sensitive and r.sensitive}
        for rid in sorted(hidden):
            terms.extend(self._names_of(rid))
            terms.extend(i.value for i in self.identifiers.get(rid, ()))
            terms.extend(a.full for a in self.addresses.get(rid, ()))
        for eid in sorted(self.omitted_evidence):
            terms.append(self.all_evidence[eid].title)
        for rid, r in self.all_records.items():
            if self._is_person(rid):
                if p.hides("person_names"):
                    names = self._names_of(rid)
                    terms.extend(names)
                    # A text may name a person by surname alone ("Sen. Kennedy"): withhold each
                    # capitalised word of the name proper (before any parenthesis or comma) too.
                    for name in names:
                        proper = re.split(r"[(,]", name, maxsplit=1)[0]
                        terms.extend(w for w in re.findall(r"[^\W\d_][\w'-]+", proper)
                                     if len(w) >= 3 and w[0].isupper())
                if p.hides("person_identifiers"):
                    terms.extend(i.value for i in self.identifiers.get(rid, ()))
                if p.hides("person_addresses"):
                    terms.extend(a.full for a in self.addresses.get(rid, ()))
            if p.hides("wallet_addresses"):
                if r.kind == "wallet":
                    terms.append(r.address)
                elif r.kind == "contract" and r.contract_address:
                    terms.append(r.contract_address)
            if p.hides("tx_hashes") and r.kind == "contract":
                terms.extend(r.tx_hashes or ())
        if p.hides("evidence_sources"):
            for e in self.all_evidence.values():
                terms.extend(t for t in (e.author, e.filename) if t)
        return terms

    def _names_of(self, rid: int) -> list[str]:
        return [self.all_records[rid].label] + [a.name for a in self.aliases.get(rid, ())]

    def txt(self, value: str | None) -> Text:
        """Free text with withheld mentions blacked out."""
        return self.scrub.text(value or "")

    def field(self, value: str | None, hidden_by: str, what: str) -> Text:
        """A field value, withheld entirely when the profile blacks out `hidden_by`."""
        if not value:
            return ""
        if self.profile.hides(hidden_by):
            return Redacted(what)
        return self.txt(value)

    # --- building blocks -------------------------------------------------------------------
    def cites_by_subject(self) -> None:
        self.record_cites: dict[int, list[Cite]] = defaultdict(list)
        self.link_cites: dict[int, list[Cite]] = defaultdict(list)
        self.cite_counts: dict[int, int] = defaultdict(int)
        for c in self.citations:
            marker = self.markers.get(c.evidence_id)
            if marker is None:
                continue
            locator = self.field(c.locator, "locators", "locator")
            if c.record_id in self.shown:
                self.record_cites[c.record_id].append(Cite(marker, locator))
            elif c.link_id in self.shown_links:
                self.link_cites[c.link_id].append(Cite(marker, locator))
            else:
                continue
            self.cite_counts[c.evidence_id] += 1

    def record_entries(self) -> dict[int, RecordEntry]:
        out = {}
        kinds, party_kinds = self.vocab.record_kinds, self.vocab.party_kinds
        for rid in sorted(self.shown):
            r = self.all_records[rid]
            sub = getattr(r, "party_kind", None) if r.kind == "party" else None
            kind_label = (party_kinds[sub].label if sub in party_kinds else (sub or "Party")) \
                if r.kind == "party" else (kinds[r.kind].label if r.kind in kinds else r.kind)
            label = (Redacted("person name") if self._is_person(rid) and self.profile.hides("person_names")
                     else self.txt(r.label))
            out[rid] = RecordEntry(rid, r.kind, sub, kind_label, label,
                                   _sorted_cites(self.record_cites.get(rid, ())))
        return out

    def link_entries(self) -> dict[int, LinkEntry]:
        out = {}
        for lid, lk in self.shown_links.items():
            lt = self.vocab.link_types.get(lk.link_type)
            out[lid] = LinkEntry(
                lid, lk.link_type, lt.label if lt else lk.link_type, lk.source_id, lk.target_id,
                self.txt(lk.role), lk.share_pct, lk.start_on, lk.end_on, lk.grade or "",
                self.field(lk.notes, "notes", "notes"), _sorted_cites(self.link_cites.get(lid, ())))
        return out

    def profiles(self, entries: dict[int, RecordEntry], links: dict[int, LinkEntry]) -> tuple[PartyProfile, ...]:
        out_links: dict[int, list[int]] = defaultdict(list)
        in_links: dict[int, list[int]] = defaultdict(list)
        for lid in sorted(links):
            out_links[links[lid].source_id].append(lid)
            in_links[links[lid].target_id].append(lid)
        scripts, alias_kinds = self.vocab.scripts, self.vocab.alias_kinds
        schemes = self.vocab.identifier_schemes
        result = []
        for rid in _by_label([r for r in entries.values() if r.kind == "party"]):
            r = self.all_records[rid]
            person = self._is_person(rid)
            hide_names = person and self.profile.hides("person_names")
            names = [NameEntry(entries[rid].label, "", "", "label")]
            for a in self.aliases.get(rid, ()):
                names.append(NameEntry(Redacted("person name") if hide_names else self.txt(a.name),
                                       scripts[a.script].label if a.script in scripts else a.script,
                                       a.language, alias_kinds[a.alias_kind].label
                                       if a.alias_kind in alias_kinds else a.alias_kind))
            hide_ids = person and self.profile.hides("person_identifiers")
            idents = tuple(IdentifierEntry(
                schemes[i.scheme].label if i.scheme in schemes else i.scheme,
                Redacted("identifier") if hide_ids else self.txt(i.value), i.status or "",
                i.country or "") for i in self.identifiers.get(rid, ()))
            hide_addr = person and self.profile.hides("person_addresses")
            addrs = tuple(AddressEntry(Redacted("address") if hide_addr else self.txt(a.full),
                                       Redacted("address") if hide_addr and a.city else self.txt(a.city),
                                       a.country or "") for a in self.addresses.get(rid, ()))

            def order(ids: list[int], other: str) -> tuple[int, ...]:
                return tuple(sorted(ids, key=lambda lid: (links[lid].type, getattr(links[lid], other), lid)))

            result.append(PartyProfile(
                rid, entries[rid].label, entries[rid].kind_label, r.country or "", r.hq_country or "",
                self.txt(r.website), self.field(r.description, "notes", "description"),
                self.field(r.notes, "notes", "notes"), tuple(r.tags or ()), tuple(names), idents, addrs,
                order(out_links[rid], "target_id"), order(in_links[rid], "source_id"),
                entries[rid].cites))
        return tuple(result)

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
            out.append(FindingEntry(
                f.id, f.severity, f.status, f.rule, self.txt(f.title), self.txt(f.explanation),
                tuple(path), others, outside, self.field(f.reason, "decision_reasons", "reason"),
                f.decided_by or "", f.decided_at or "", _markers_only(cites)))
        status_rank = {"confirmed": 0, "open": 1, "dismissed": 2}
        return tuple(sorted(out, key=lambda e: (status_rank.get(e.status, 1) == 2,
                                                severity_rank(e.severity), e.id)))

    def fleet_entries(self, links: dict[int, LinkEntry]) -> tuple[FleetEntry, ...]:
        related: dict[tuple[int, str], list[int]] = defaultdict(list)
        for lk in links.values():
            if lk.type == "hosted_at":
                related[(lk.source_id, "dc")].append(lk.target_id)
            elif lk.type in ("owns_asset", "operates", "uses_compute_of"):
                related[(lk.target_id, lk.type)].append(lk.source_id)
        out = []
        for rid in sorted(r for r in self.shown if self.all_records[r].kind == "server"):
            f = self.all_records[rid]
            spec = self.vocab.accelerators.find(f.accelerator_model) if f.accelerator_model else None
            count = fleet_accelerators(f.server_count, f.accelerators_per_server)
            tpp = spec.tpp if spec else None
            out.append(FleetEntry(
                rid, self.txt(f.label), f.accelerator_model or "", spec.name if spec else "",
                f.accelerators_per_server, f.server_count, f.count_qualifier or "exact", count, tpp,
                count * tpp if count is not None and tpp is not None else None,
                spec.performance_density if spec else None,
                eccn_class(spec, self.on) if spec else "unknown (model not in catalog)",
                f.status or "", f.installed_on, f.in_service_on, f.days_to_service,
                tuple(sorted(set(related[(rid, "dc")]))), tuple(sorted(set(related[(rid, "owns_asset")]))),
                tuple(sorted(set(related[(rid, "operates")]))),
                tuple(sorted(set(related[(rid, "uses_compute_of")]))),
                _sorted_cites(self.record_cites.get(rid, ()))))
        return tuple(out)

    def compute_totals(self, fleets: Sequence[FleetEntry]) -> ComputeTotals:
        whole = self.shown == set(self.all_records)
        if whole:
            totals = case_totals(self.s, self.case_id, self.vocab)
            count, qualifier, tpp, unknown = (totals.accelerators, totals.accelerators_qualifier,
                                              totals.total_tpp, totals.unknown_fleets)
            text = totals.accelerators_text()
        else:
            # The same arithmetic as compute.case_totals, over the fleets the dossier shows.
            count, tpp, unknown, qualifiers = 0, 0.0, 0, set()
            for f in fleets:
                if f.accelerators is None or not f.catalog_name:
                    unknown += 1
                if f.accelerators is None:
                    continue
                count += f.accelerators
                qualifiers.add(f.qualifier or "exact")
                tpp += f.tpp_total or 0.0
            qualifier = "exact" if qualifiers <= {"exact"} else (
                "at_least" if "at_least" in qualifiers else sorted(qualifiers - {"exact"})[0])
            word = {"at_least": "at least ", "about": "about ", "at_most": "at most "}
            text = f"{word.get(qualifier, '')}{count:,}"
        controlled = [f for f in fleets if f.eccn.startswith("3A090.a")]
        h100 = self.vocab.accelerators.models.get("h100_sxm")
        return ComputeTotals(len(fleets), count, text, tpp, sum(f.accelerators or 0 for f in controlled),
                             sum(f.tpp_total or 0.0 for f in controlled),
                             tpp / h100.tpp if h100 and h100.tpp else 0.0, unknown)

    def contract_entries(self, links: dict[int, LinkEntry]) -> tuple[ContractEntry, ...]:
        covers: dict[int, list[int]] = defaultdict(list)
        for lk in links.values():
            if lk.type == "covers":
                covers[lk.source_id].append(lk.target_id)
        roles, types = self.vocab.contract_roles, self.vocab.contract_types
        out = []
        for rid in sorted(r for r in self.shown if self.all_records[r].kind == "contract"):
            c = self.all_records[rid]
            parties = tuple((cp.party_id, roles[cp.role].label if cp.role in roles else cp.role)
                            for cp in self.contract_parties.get(rid, ()) if cp.party_id in self.shown)
            chain = self.vocab.chains.get(c.chain) if c.chain else None
            out.append(ContractEntry(
                rid, self.txt(c.label), types[c.contract_type].label if c.contract_type in types
                else (c.contract_type or ""), parties, c.value_amount or "", self.txt(c.currency),
                c.start_on, c.end_on, chain.label if chain else (c.chain or ""),
                self.field(c.contract_address, "wallet_addresses", "contract address"),
                tuple(self.field(h, "tx_hashes", "transaction hash") for h in (c.tx_hashes or ())),
                c.accelerator_count, self.field(c.notes, "notes", "notes"),
                tuple(sorted(set(covers[rid]))), _sorted_cites(self.record_cites.get(rid, ()))))
        return tuple(out)

    def wallet_entries(self) -> tuple[WalletEntry, ...]:
        out = []
        for rid in sorted(r for r in self.shown if self.all_records[r].kind == "wallet"):
            w = self.all_records[rid]
            chain = self.vocab.chains.get(w.chain)
            out.append(WalletEntry(rid, self.txt(w.label), chain.label if chain else w.chain,
                                   self.field(w.address, "wallet_addresses", "wallet address"),
                                   self.txt(w.custodian), bool(w.illustrative),
                                   _sorted_cites(self.record_cites.get(rid, ()))))
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
        for c in contracts:
            add(c.start_on, c.end_on, "contract", 3, c.id, join_text("Contract term: ", c.label),
                (c.id,), c.cites)
            if c.end_on and not c.start_on:
                add(c.end_on, None, "contract", 3, c.id, join_text("Contract ends: ", c.label),
                    (c.id,), c.cites)
        return tuple(sorted(items, key=lambda t: t.sort_key))

    def hit_entries(self) -> tuple[HitEntry, ...]:
        out = []
        for h in self.hits:
            if h.record_id not in self.shown:
                continue
            out.append(HitEntry(h.id, h.record_id, self.txt(h.list_name), self.txt(h.entry_name),
                                float(h.score), h.status or "open",
                                self.field(h.reason, "decision_reasons", "reason"),
                                h.decided_by or "", h.decided_at or "",
                                self.txt(_explain(h.explanation))))
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


def build_dossier(session: Session, case_id: int, options: DossierOptions | None = None, *,
                  vocab: Vocabulary | None = None) -> Dossier:
    """Read a case (or the view's part of it) into a Dossier, applying the redaction profile."""
    options = options or DossierOptions()
    marking = clean_marking(options.marking)
    chosen_date = _check_date(options.date)
    r = _Reader(session, case_id, options, vocab or default_vocabulary())
    r.read()
    r.scope()
    r.cites_by_subject()
    entries = r.record_entries()
    links = r.link_entries()
    day = chosen_date or (r.audit.at[:10] if r.audit.at else "2000-01-01")
    on = date.fromisoformat(day)
    r.on = on
    findings = r.finding_entries(links)
    fleets = r.fleet_entries(links)
    contracts = r.contract_entries(links)
    hits = r.hit_entries()
    whole = options.record_ids is None and options.link_ids is None
    scope = "Whole case" if whole else (
        f"Current view: {len(entries):,} of {len(r.all_records):,} records, "
        f"{len(links):,} of {len(r.all_links):,} links")
    cover = Cover(r.txt(r.case.title), r.txt(r.case.description), marking, " ".join(options.author.split()),
                  day, r.workspace_uuid, r.workspace_name, case_id, scope, r.profile.code, r.profile.label)
    edges = [(lk.source_id, lk.target_id) for lk in links.values()]
    positions = chart_positions(list(entries), edges, options.positions, r.saved_positions)
    notes = []
    if r.omitted:
        notes.append(f"{len(r.omitted):,} record(s) marked sensitive are left out "
                     f"(redaction profile '{r.profile.code}').")
    if r.omitted_evidence:
        notes.append(f"{len(r.omitted_evidence):,} evidence item(s) marked sensitive are left out.")
    if r.profile.black_out:
        notes.append("Blacked out: " + ", ".join(sorted(f.replace("_", " ") for f in r.profile.black_out)) + ".")
    positions_source = ("view" if options.positions else
                        "saved" if any(i in r.saved_positions for i in entries) else "computed")
    notes.append("Chart positions come from " + {"view": "the current view.", "saved": "the case's saved chart.",
                                                 "computed": "an automatic layout."}[positions_source])
    return Dossier(
        cover=cover, audit=r.audit, figures=r.figures(entries, findings, hits, on),
        compute=r.compute_totals(fleets), records=entries, links=links, positions=positions,
        positions_source=positions_source,
        findings=findings, parties=r.profiles(entries, links), fleets=fleets, contracts=contracts,
        wallets=r.wallet_entries(),
        payments=tuple(lid for lid in sorted(links) if links[lid].type in PAYMENT_LINKS),
        timeline=r.timeline(entries, links, fleets, contracts), hits=hits,
        evidence=r.evidence_entries(),
        eccn_note=f"ECCN class under the rule in force on {day}: {eccn_rule(on)}.",
        notes=tuple(notes))


# --- helpers ---------------------------------------------------------------------------------

def _sorted_cites(cites: Iterable[Cite]) -> tuple[Cite, ...]:
    seen, out = set(), []
    for c in sorted(cites, key=lambda c: c.marker):
        key = (c.marker, c.locator if isinstance(c.locator, str) else id(c.locator))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return tuple(out)


def _markers_only(cites: Iterable[Cite]) -> tuple[Cite, ...]:
    return tuple(Cite(m) for m in sorted({c.marker for c in cites}))


def _by_label(entries: Iterable[RecordEntry]) -> list[int]:
    def key(e: RecordEntry) -> tuple[int, str, int]:
        if isinstance(e.label, str):
            return (0, e.label.casefold(), e.id)
        return (1, "", e.id)  # withheld names sort by id, so order reveals nothing
    return [e.id for e in sorted(entries, key=key)]


def _partial(text: str | None) -> PartialDate | None:
    if not text:
        return None
    try:
        return PartialDate(text)
    except ValidationError:
        return None


def _explain(explanation: Any) -> str:
    """A screening explanation (whatever shape the screening module stores) as one line."""
    if isinstance(explanation, str):
        return explanation
    if isinstance(explanation, dict):
        for key in ("summary", "text", "why"):
            if isinstance(explanation.get(key), str):
                return explanation[key]
        parts = []
        for key in sorted(explanation):
            value = explanation[key]
            if isinstance(value, (str, int, float, bool)):
                parts.append(f"{key}: {value}")
            elif isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
                parts.append(f"{key}: {', '.join(map(str, value))}")
        return "; ".join(parts)
    return ""


def _path(link_ids: Sequence[int], links: dict[int, LinkEntry], record_ids: Sequence[int]) -> list[PathStep]:
    """Order a finding's links as a walk (depth first from its first record), each oriented."""
    if not link_ids:
        return []
    adjacency: dict[int, list[int]] = defaultdict(list)
    for lid in sorted(set(link_ids)):
        lk = links[lid]
        adjacency[lk.source_id].append(lid)
        adjacency[lk.target_id].append(lid)
    starts = [r for r in record_ids if r in adjacency]
    # Prefer an end of the path (a record with one link) so the walk reads from one end.
    ends = [r for r in starts if len(adjacency[r]) == 1] or starts
    if not ends:
        ends = sorted(r for r in adjacency if len(adjacency[r]) == 1) or sorted(adjacency)
    used: set[int] = set()
    steps: list[PathStep] = []

    for start in ends + sorted(adjacency):
        stack = [start]  # iterative depth-first walk: paths can be thousands of links long
        while stack:
            node = stack[-1]
            for lid in adjacency[node]:
                if lid not in used:
                    used.add(lid)
                    lk = links[lid]
                    other = lk.target_id if lk.source_id == node else lk.source_id
                    steps.append(PathStep(lid, node, other, lk.source_id == node))
                    stack.append(other)
                    break
            else:
                stack.pop()
    return steps
