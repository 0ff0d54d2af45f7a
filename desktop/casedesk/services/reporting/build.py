"""The data step: read one case (or the part of it the view shows) into a plain Dossier object.

Reads only; the redaction profile is applied here, so withheld text never reaches the render
step. Every collection is ordered deterministically (by id or by a stable key), so the same
workspace state and options give an equal Dossier and hence the same PDF bytes.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, with_polymorphic

from casedesk.domain.dates import parse_partial_date
from casedesk.domain.errors import ValidationError, WorkspaceError
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
from casedesk.domain.vocabulary import Vocabulary
from casedesk.domain.watchlists import ScreeningHit
from casedesk.services.analysis.engine import open_questions_on
from casedesk.services.analysis.workspace_catalog import workspace_vocabulary
from casedesk.services.audit import content_head
from casedesk.services.cases import get_case
from casedesk.services.reporting.case_readers import CaseReaders
from casedesk.services.reporting.chart_placement import chart_positions
from casedesk.services.reporting.eccn import eccn_rule
from casedesk.services.reporting.entry_helpers import _sorted_cites, count, show_day
from casedesk.services.reporting.model import (
    AuditAnchor,
    Cite,
    Cover,
    Dossier,
    DossierOptions,
    LinkEntry,
    Redacted,
    Text,
)
from casedesk.services.reporting.record_readers import RecordReaders
from casedesk.services.case_properties import case_properties
from casedesk.services.reporting.redaction import RedactionProfile, Scrubber, get_profile
from casedesk.storage.seals import Head, make_receipt

PAYMENT_LINKS = ("funds",)  # and every link type the vocabulary marks as a transfer
_MARKING_LIMIT = 80


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


def _check_as_of(text: str | None) -> str | None:
    """An as-of day: ISO, or a partial date meaning its last day (ValidationError naming the field)."""
    if text is None or not text.strip():
        return None
    try:
        return parse_partial_date(text.strip()).last_day().isoformat()
    except ValidationError as exc:
        raise ValidationError("as_of", f"{text!r} is not a date: {exc.reason}") from None


def _last_analysis_as_of(session: Session, case_id: int) -> str:
    """The as-of day of the case's latest analysis (its audit entry), or '' if never analysed."""
    after = session.scalar(select(AuditEntry.after).where(
        AuditEntry.case_id == case_id, AuditEntry.action == "analyse", AuditEntry.entity == "case")
        .order_by(AuditEntry.id.desc()).limit(1))
    try:
        return str(json.loads(after).get("as_of") or "") if after else ""
    except (ValueError, AttributeError):
        return ""


class _Reader(RecordReaders, CaseReaders):
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
        # exports (this dossier's own earlier runs included) change nothing: not the anchor
        head_id, head_hash = content_head(s)
        head_at = s.scalar(select(AuditEntry.at).where(AuditEntry.id == head_id)) if head_id else None
        entries = s.scalar(select(func.count()).select_from(AuditEntry)
                           .where(AuditEntry.id <= head_id)) or 0
        try:
            receipt = make_receipt(Head(self.workspace_uuid, entries, head_id, head_hash), stamped=False)
        except WorkspaceError:  # no usable signing key here: the dossier goes out without a receipt
            receipt = None
        self.audit = AuditAnchor(head_id, head_hash, head_at or "", entries, receipt)

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


    def link_entries(self) -> dict[int, LinkEntry]:
        out = {}
        for lid, lk in self.shown_links.items():
            lt = self.vocab.link_types.get(lk.link_type)
            out[lid] = LinkEntry(
                lid, lk.link_type, lt.label if lt else lk.link_type, lk.source_id, lk.target_id,
                self.txt(lk.role), lk.share_pct, lk.start_on, lk.end_on, lk.grade or "",
                self.field(lk.notes, "notes", "notes"), _sorted_cites(self.link_cites.get(lid, ())),
                self.field(lk.tx_hash, "tx_hashes", "transaction hash"), lk.value or "",
                # a token named by its contract address is an address like a wallet's; ETH is not
                self.field(lk.asset, "wallet_addresses", "token address") if len(lk.asset or "") > 20
                else self.txt(lk.asset), lk.tx_time or "")
        return out


def build_dossier(session: Session, case_id: int, options: DossierOptions | None = None, *,
                  vocab: Vocabulary | None = None) -> Dossier:
    """Read a case (or the view's part of it) into a Dossier, applying the redaction profile."""
    options = options or DossierOptions()
    chosen_date = _check_date(options.date)
    r = _Reader(session, case_id, options, workspace_vocabulary(session, vocab))
    r.read()
    props = dict(r.case.properties or {})
    marking = clean_marking(options.marking or props.get("marking", ""))
    r.scope()
    r.cites_by_subject()
    entries = r.record_entries()
    links = r.link_entries()
    day = chosen_date or (r.audit.at[:10] if r.audit.at else "2000-01-01")
    as_of = _check_as_of(options.as_of) or day
    on = date.fromisoformat(as_of)
    r.on = on
    findings = r.finding_entries(links)
    questions = r.question_entries(open_questions_on(session, case_id, on, vocab=r.vocab))
    fleets = r.fleet_entries(links)
    contracts = r.contract_entries(links)
    lists = r.list_sources()
    hits = r.hit_entries()
    whole = options.record_ids is None and options.link_ids is None
    scope = "Whole case" if whole else (
        f"Current view: {len(entries):,} of {len(r.all_records):,} records, "
        f"{len(links):,} of {len(r.all_links):,} links")
    cover = Cover(r.txt(r.case.title), r.txt(r.case.description), marking, " ".join(options.author.split()),
                  day, r.workspace_uuid, r.workspace_name, case_id, scope, r.profile.code, r.profile.label,
                  tuple((p.label, r.txt(props[p.name]))
                        for p in case_properties() if p.name != "marking" and props.get(p.name)))
    edges = [(lk.source_id, lk.target_id) for lk in links.values()]
    positions = chart_positions(list(entries), edges, options.positions, r.saved_positions)
    notes = []
    if r.omitted:
        notes.append(f"{count(len(r.omitted), 'record')} marked sensitive "
                     f"{'is' if len(r.omitted) == 1 else 'are'} left out "
                     f"(redaction profile '{r.profile.code}').")
    if r.omitted_evidence:
        notes.append(f"{count(len(r.omitted_evidence), 'evidence item')} marked sensitive "
                     f"{'is' if len(r.omitted_evidence) == 1 else 'are'} left out.")
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
        findings=findings, parties=r.profiles(entries, links, findings, hits), fleets=fleets, contracts=contracts,
        wallets=r.wallet_entries(),
        payments=tuple(lid for lid in sorted(links) if links[lid].type in PAYMENT_LINKS
                       or getattr(r.vocab.link_types.get(links[lid].type), "transfer", False)),
        timeline=r.timeline(entries, links, fleets, contracts), hits=hits,
        evidence=r.evidence_entries(),
        eccn_note=f"ECCN class under the rule in force on {show_day(as_of)}: {eccn_rule(on)}.",
        notes=tuple(notes), as_of=as_of, open_questions=questions,
        analysis_as_of=_last_analysis_as_of(session, case_id), lists=lists,
        screening_note=r.screening_note)
