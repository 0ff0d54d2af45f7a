"""Case pack in: a pack checked whole (casepack_reading), then its case added as a new case.

Only a pack that passes every check is imported, in one transaction that re-hashes each part as
it reads it again (a file changed in between rolls everything back). Ids are new; every row keeps
its place by a map from the pack's ids to the new ones. Evidence stays content-addressed: a blob
the workspace holds is not stored twice.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import ValidationError
from casedesk.domain.models import (
    Blob,
    ChartPosition,
    ContractParty,
    Event,
    Evidence,
    Finding,
    ImportBatch,
)
from casedesk.domain.origins import CaseOrigin
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.domain.watchlists import DuplicateDecision, ScreeningHit, Watchlist
from casedesk.services.audit import record_audit, record_audit_bulk
from casedesk.services.bulk import (
    CleanRecord,
    allocate_ids,
    bulk_cite,
    insert_clean_links,
    insert_clean_records,
)
from casedesk.services.case_properties import case_properties
from casedesk.services.cases import create_case
from casedesk.services.collector import few_gc_passes
from casedesk.services.exchange.casepack_catalog import CatalogCarry, CatalogOutcome, optional_float
from casedesk.services.exchange.casepack_format import CATALOG_PART, evidence_part, is_evidence_part
from casedesk.services.exchange.casepack_reading import (
    CheckedPack,
    PackRefused,
    PartReader,
    check_pack,
    open_pack_zip,
)
from casedesk.services.exchange.casepack_receipt import receipt_key, signer_known
from casedesk.services.fields import clean_fields, clean_link_fields, fields_of
from casedesk.services.progress import Job, Progress
from casedesk.services.records import AddressIn, AliasIn, IdentifierRow, prepare_wallet
from casedesk.storage.bulkinsert import BackgroundWriter, background_writes, insert_tuples
from casedesk.storage.workspace import Workspace, changes_of

_BATCH = 5000
_LINK_FIELDS = ("role", "share_pct", "start_on", "end_on", "grade", "notes", "tx_hash", "value", "asset", "tx_time")


def previous_imports(session: Any, pack_sha256: str) -> list[CaseOrigin]:
    """Cases already imported from this very pack."""
    return list(session.scalars(select(CaseOrigin).where(CaseOrigin.pack_sha256 == pack_sha256)
                                .order_by(CaseOrigin.id)))


class _Importer:
    """Writes one checked pack into the open transaction, mapping the pack's ids to new ones."""

    def __init__(self, session: Any, zf: zipfile.ZipFile, pack: CheckedPack, vocab: Vocabulary):
        self.s = session
        self.zf = zf
        self.pack = pack
        self.vocab = vocab
        self.records: dict[int, int] = {}
        self.kinds: dict[int, tuple[str, str | None]] = {}
        self.links: dict[int, int] = {}
        self.evidence: dict[int, int] = {}
        self.findings: dict[int, int] = {}
        self.counts: dict[str, int] = {}
        self.case_id = 0
        self.audit_extra = {"case_pack": pack.pack_sha256}
        self.now = now_iso()
        self.writer: BackgroundWriter | None = None  # set while records and links go in

    def lines(self, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
        return PartReader(self.zf, name, self.pack.parts[name]).lines()

    def bad(self, name: str, number: int, reason: str) -> PackRefused:
        return PackRefused(f"part {name}: line {number}: {reason}")

    # case ----------------------------------------------------------------------------------
    def case(self) -> None:
        (_, data), = list(self.lines("case.json"))
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            raise PackRefused("part case.json: the case has no title")
        description = data.get("description") if isinstance(data.get("description"), str) else ""
        props = data.get("properties") if isinstance(data.get("properties"), dict) else {}
        known = {p.name for p in case_properties()}  # a newer CaseDesk's extra properties are left out
        try:
            self.case_id = create_case(self.s, title, description,
                                       properties={k: v for k, v in props.items() if k in known}).id
        except ValidationError as exc:
            raise PackRefused(f"part case.json: {exc}") from None

    # the workspace catalog models the case's fleets use -----------------------------------
    def catalog_plan(self) -> None:
        """Check the carried models and read the case with them (added once evidence is in)."""
        lines = self.lines(CATALOG_PART) if CATALOG_PART in self.pack.parts else iter(())
        self.carry = CatalogCarry(self.s, self.vocab, lines, self.pack.parts)
        self.vocab = self.carry.plan()

    def catalog_write(self) -> None:
        self.carry.write(lambda name: PartReader(self.zf, name, self.pack.parts[name]).content(),
                         self.evidence, self.audit_extra)
        self.counts["catalog_models_added"] = len(self.carry.outcome.added)

    # records -------------------------------------------------------------------------------
    def _record(self, name: str, number: int, rec: dict[str, Any]) -> tuple[CleanRecord, list]:
        kind = rec.get("kind")
        if kind not in ("party", "wallet", "datacenter", "server", "contract"):
            raise self.bad(name, number, f"unknown record kind {kind!r}")
        raw = {s.name: rec[s.name] for s in fields_of(kind) if s.name in rec}
        try:
            fields = {k: v for k, v in clean_fields(kind, raw, self.vocab).items() if v is not None}
            if kind == "wallet":
                fields = prepare_wallet(fields)
        except ValidationError as exc:
            raise self.bad(name, number, f"record {rec.get('id')}: {exc}") from None
        try:
            aliases = [AliasIn(str(a["name"]), str(a.get("script") or ""), str(a.get("language") or ""),
                               str(a.get("alias_kind") or "aka")) for a in rec.get("aliases") or ()]
            idents = [IdentifierRow(str(i["scheme"]), str(i["value"]), str(i.get("status") or "unchecked"),
                                    i.get("country")) for i in rec.get("identifiers") or ()]
            addrs = [AddressIn(str(a["full"]), str(a.get("city") or ""), a.get("country"),
                               optional_float(a.get("latitude")), optional_float(a.get("longitude")))
                     for a in rec.get("addresses") or ()]
        except (KeyError, TypeError, ValueError):
            raise self.bad(name, number, f"record {rec.get('id')}: a malformed alias, identifier "
                           "or address") from None
        parties = [(p.get("party_id"), str(p.get("role") or "")) for p in rec.get("parties") or ()]
        return CleanRecord(kind, fields, aliases, idents, addrs), parties

    def records_part(self) -> Iterator[Progress]:
        name = "records.jsonl"
        batch: list[tuple[int, CleanRecord]] = []
        contract_parties: list[tuple[int, Any, str, int]] = []
        total = self.pack.manifest.get("counts", {}).get("records")

        def flush() -> None:
            ids = insert_clean_records(self.s, self.case_id, [c for _, c in batch],
                                       audit_extra=self.audit_extra, now=self.now)
            for (old, clean), new in zip(batch, ids):
                self.records[old] = new
                self.kinds[new] = (clean.kind, clean.fields.get("party_kind", "company")
                                   if clean.kind == "party" else None)
            batch.clear()
            if self.writer is not None:
                self.writer.dispatch()

        for number, rec in self.lines(name):
            old = rec.get("id")
            if not isinstance(old, int) or old in self.records:
                raise self.bad(name, number, "a record without an id, or with one seen before")
            clean, parties = self._record(name, number, rec)
            batch.append((old, clean))
            for party_id, role in parties:
                contract_parties.append((old, party_id, role, number))
            if len(batch) >= _BATCH:
                flush()
                yield Progress(len(self.records), total, f"Adding records: {len(self.records):,}")
        if batch:
            flush()
        rows = []
        for contract, party, role, number in contract_parties:
            if party not in self.records:
                raise self.bad(name, number, f"contract {contract} names party {party}, "
                               "which the pack does not hold")
            rows.append((self.records[contract], self.records[party], role))
        insert_tuples(self.s, ContractParty.__table__, ["contract_id", "party_id", "role"], rows)
        self.counts["records"] = len(self.records)

    # links ---------------------------------------------------------------------------------
    def links_part(self) -> Iterator[Progress]:
        name = "links.jsonl"
        batch: list[tuple[int, tuple[str, int, int, dict[str, Any]]]] = []
        allowed: dict[tuple[str, str, str | None, str, str | None], bool] = {}  # lt.allows, once per shape

        def flush() -> None:
            ids = insert_clean_links(self.s, self.case_id, [b for _, b in batch],
                                     audit_extra=self.audit_extra, now=self.now)
            for (old, _), new in zip(batch, ids):
                self.links[old] = new
            batch.clear()
            if self.writer is not None:
                self.writer.dispatch()

        for number, link in self.lines(name):
            old = link.get("id")
            if not isinstance(old, int) or old in self.links:
                raise self.bad(name, number, "a link without an id, or with one seen before")
            lt = self.vocab.link_types.get(link.get("link_type"))
            if lt is None:
                raise self.bad(name, number, f"link {old}: unknown link type {link.get('link_type')!r}")
            src, tgt = self.records.get(link.get("source_id")), self.records.get(link.get("target_id"))
            if src is None or tgt is None:
                raise self.bad(name, number, f"link {old}: an end the pack does not hold")
            (sk, sp), (tk, tp) = self.kinds[src], self.kinds[tgt]
            shape = (lt.code, sk, sp, tk, tp)
            ok = allowed.get(shape)
            if ok is None:
                ok = allowed[shape] = lt.allows(sk, sp, tk, tp)
            if src == tgt or not ok:
                raise self.bad(name, number, f"link {old}: a {sp or sk} cannot be linked to a "
                               f"{tp or tk} by {lt.label!r}")
            try:
                clean = clean_link_fields({k: link[k] for k in _LINK_FIELDS
                                           if link.get(k) is not None and link.get(k) != ""}, self.vocab)
            except ValidationError as exc:
                raise self.bad(name, number, f"link {old}: {exc}") from None
            batch.append((old, (lt.code, src, tgt, clean)))
            if len(batch) >= _BATCH * 4:
                flush()
                yield Progress(len(self.links), None, f"Adding links: {len(self.links):,}")
        if batch:
            flush()
        self.counts["links"] = len(self.links)

    # evidence ------------------------------------------------------------------------------
    def evidence_part(self) -> Iterator[Progress]:
        name = "evidence.jsonl"
        cols = ("title", "evidence_kind", "source", "author", "source_date", "filename",
                "media_type", "reliability", "credibility", "sensitive", "created_at")
        stored = reused = 0
        for number, ev in self.lines(name):
            sha = ev.get("sha256")
            part = evidence_part(str(sha))
            if not is_evidence_part(part) or part not in self.pack.parts:
                raise self.bad(name, number, f"evidence {ev.get('id')}: its file {sha} is not in the pack")
            if self.s.get(Blob, sha) is None:
                content = PartReader(self.zf, part, self.pack.parts[part]).content()
                self.s.add(Blob(sha256=sha, size=len(content), content=content))
                self.s.flush()
                stored += 1
            else:
                reused += 1
            values = {c: ev.get(c) for c in cols if ev.get(c) is not None}
            if not isinstance(values.get("title"), str) or not values["title"].strip():
                raise self.bad(name, number, f"evidence {ev.get('id')}: no title")
            if values.get("reliability", "F") not in "ABCDEF" or values.get("credibility", "6") not in "123456":
                raise self.bad(name, number, f"evidence {ev.get('id')}: not an Admiralty grade")
            row = Evidence(case_id=self.case_id, sha256=sha, **values)
            self.s.add(row)
            self.s.flush()
            self.evidence[ev.get("id")] = row.id
            record_audit(self.s, "create", "evidence", row.id, case_id=self.case_id,
                         after={"title": row.title, "sha256": sha, "grade": row.reliability + row.credibility,
                                "filename": row.filename, **self.audit_extra})
            changes_of(self.s).add("created", "evidence", row.id)
        self.counts.update({"evidence": len(self.evidence), "blobs_stored": stored,
                            "blobs_already_held": reused})
        yield Progress(0, None, "Evidence added")

    def citations_part(self) -> Iterator[Progress]:
        name = "citations.jsonl"
        by_ev: dict[int, list[tuple[int | None, int | None, str, str]]] = {}
        for number, c in self.lines(name):
            ev = self.evidence.get(c.get("evidence_id"))
            rid = self.records.get(c.get("record_id")) if c.get("record_id") is not None else None
            lid = self.links.get(c.get("link_id")) if c.get("link_id") is not None else None
            if ev is None or (rid is None) == (lid is None):
                raise self.bad(name, number, f"citation {c.get('id')}: cites evidence or a subject "
                               "the pack does not hold")
            by_ev.setdefault(ev, []).append((rid, lid, str(c.get("locator") or ""), str(c.get("claim") or "")))
        n = 0
        for ev, items in by_ev.items():
            bulk_cite(self.s, self.case_id, ev, items, audit_extra=self.audit_extra)
            n += len(items)
        self.counts["citations"] = n
        yield Progress(0, None, "Citations added")

    # the rest of the case ------------------------------------------------------------------
    def _rows(self, name: str, model: Any, remap: Any) -> int:
        table = model.__table__
        cols = [c.name for c in table.columns if c.name != "id"]
        rows = []
        for number, raw in self.lines(name):
            try:
                row = remap(raw)
            except (KeyError, TypeError, ValueError) as exc:
                raise self.bad(name, number, f"refers to a row the pack does not hold ({exc})") from None
            if row is None:
                continue
            rows.append((raw.get("id"), {c: row.get(c) for c in cols if c in row}))
        if not rows:
            return 0
        entity = table.name
        if "id" in table.c:
            ids = allocate_ids(self.s, table, len(rows))
            values = [{**r, "id": i} for i, (_, r) in zip(ids, rows)]
        else:
            ids = [None] * len(rows)
            values = [r for _, r in rows]
        self.s.execute(insert(table), values)
        if entity == "finding":
            self.findings.update({old: new for (old, _), new in zip(rows, ids)})
        record_audit_bulk(self.s, [("create", entity, i, self.case_id, v.get("record_id"), None,
                                    {**v, **self.audit_extra}) for i, v in zip(ids, values)], at=self.now)
        return len(rows)

    def rest(self) -> None:
        cid = self.case_id
        rec = self.records

        def opt(value: Any, mapping: dict[int, int]) -> int | None:
            return None if value is None else mapping[value]

        def event(r: dict[str, Any]) -> dict[str, Any]:
            return {**r, "case_id": cid, "record_id": opt(r.get("record_id"), rec)}

        def finding(r: dict[str, Any]) -> dict[str, Any]:
            return {**r, "case_id": cid, "record_ids": [rec[i] for i in r.get("record_ids") or []],
                    "link_ids": [self.links[i] for i in r.get("link_ids") or []]}

        lists = {name: lid for lid, name in self.s.execute(select(Watchlist.id, Watchlist.name))}

        def hit(r: dict[str, Any]) -> dict[str, Any]:
            return {**r, "case_id": cid, "record_id": rec[r["record_id"]],
                    "list_id": lists.get(r.get("list_name")), "entry_id": None,
                    "finding_id": opt(r.get("finding_id"), self.findings)}

        def decision(r: dict[str, Any]) -> dict[str, Any]:
            a, b = sorted((rec[r["record_a"]], rec[r["record_b"]]))
            return {**r, "case_id": cid, "record_a": a, "record_b": b}

        def batch(r: dict[str, Any]) -> dict[str, Any]:
            return {**r, "case_id": cid, "evidence_id": opt(r.get("evidence_id"), self.evidence)}

        def position(r: dict[str, Any]) -> dict[str, Any]:
            return {"case_id": cid, "record_id": rec[r["record_id"]], "x": float(r["x"]),
                    "y": float(r["y"])}

        self.counts["events"] = self._rows("events.jsonl", Event, event)
        self.counts["findings"] = self._rows("findings.jsonl", Finding, finding)
        self.counts["screening_hits"] = self._rows("screening_hits.jsonl", ScreeningHit, hit)
        self.counts["duplicate_decisions"] = self._rows("duplicate_decisions.jsonl",
                                                        DuplicateDecision, decision)
        self.counts["import_batches"] = self._rows("import_batches.jsonl", ImportBatch, batch)
        self.counts["chart_positions"] = self._rows("chart_positions.jsonl", ChartPosition, position)

    def origin(self) -> CaseOrigin:
        name = "audit.jsonl"
        meta = self.pack.parts[name]
        content = PartReader(self.zf, name, meta).content()
        entries = content.count(b"\n")
        if self.s.get(Blob, meta["sha256"]) is None:
            self.s.add(Blob(sha256=meta["sha256"], size=len(content), content=content))
            self.s.flush()
        m = self.pack.manifest
        ws, case, head = m["workspace"], m["case"], m["audit_head"]
        origin = CaseOrigin(
            case_id=self.case_id, pack_sha256=self.pack.pack_sha256,
            source_workspace_uuid=str(ws.get("uuid", ""))[:40], source_workspace_name=str(ws.get("name", "")),
            source_case_id=int(case.get("id") or 0), source_case_title=str(case.get("title", "")),
            source_audit_head=str(head.get("hash", ""))[:200], exporter=str(m.get("exporter", ""))[:200],
            exported_at=str(m.get("exported_at", ""))[:40], schema_revision=str(m["schema_revision"])[:200],
            manifest=self.pack.manifest_text, audit_sha256=meta["sha256"], imported_at=now_iso(),
            imported_by=self.s.info.get("actor") or "unknown")
        self.s.add(origin)
        self.s.flush()
        self.counts["source_audit_entries"] = entries
        record_audit(self.s, "import", "case", self.case_id, case_id=self.case_id, after={
            "case_pack": self.pack.pack_sha256, "file": self.pack.path.name,
            "source_workspace": origin.source_workspace_uuid, "source_case_id": origin.source_case_id,
            "exporter": origin.exporter, "exported_at": origin.exported_at,
            "source_audit_head": origin.source_audit_head, "source_receipt_key": receipt_key(m),
            "counts": self.counts, "catalog": self.carry.outcome.as_json()})
        return origin


@dataclass
class PackImport:
    """What importing a pack did."""

    case_id: int
    records: int
    links: int
    evidence: int
    pack_sha256: str
    origin: dict[str, Any]
    counts: dict[str, int]
    earlier_imports: list[int]
    catalog: CatalogOutcome

    def as_json(self) -> dict[str, Any]:
        """cli.md's keys first; `catalog`: the carried models added, reused, or kept as this workspace's."""
        return {"case_id": self.case_id, "records": self.records, "links": self.links,
                "evidence": self.evidence, "pack_sha256": self.pack_sha256, "origin": self.origin,
                "counts": self.counts, "earlier_imports": self.earlier_imports,
                "catalog": self.catalog.as_json()}


def import_casepack(ws: Workspace, path: str | Path, *, again: bool = False,
                    vocab: Vocabulary | None = None) -> Job[PackImport]:
    """Check a pack whole, then add its case as a new case in one transaction."""
    vocab = vocab or default_vocabulary()
    pack = yield from check_pack(path)
    with ws.read() as s:
        earlier = [o.case_id for o in previous_imports(s, pack.pack_sha256)]
    if earlier and not again:
        raise PackRefused(f"this pack was already imported as case {', '.join(map(str, earlier))}; "
                          "import it again only on purpose (--again)")
    zf = open_pack_zip(pack.path)
    with zf, ws.write(defer_checkpoint=True) as s, few_gc_passes():
        known = signer_known(s, pack.manifest)  # before this import's own seal registers our key
        imp = _Importer(s, zf, pack, vocab)
        imp.case()
        imp.catalog_plan()
        yield Progress(0, None, "Adding records…")
        s.flush()
        # SQLite writes each batch of records and links on a second thread while the next is
        # parsed and checked; everything written is waited for when the block ends
        with background_writes(s) as imp.writer:
            yield from imp.records_part()
            yield from imp.links_part()
        imp.writer = None
        yield from imp.evidence_part()
        yield from imp.citations_part()
        imp.catalog_write()
        imp.rest()
        origin = imp.origin()
        yield Progress(1, 1, "Committing…")
        origin_json = {"workspace": origin.source_workspace_uuid,
                       "workspace_name": origin.source_workspace_name,
                       "case_id": origin.source_case_id, "exporter": origin.exporter,
                       "exported_at": origin.exported_at, "audit_head": origin.source_audit_head,
                       "receipt_key": receipt_key(pack.manifest), "receipt_key_known": known}
    return PackImport(imp.case_id, imp.counts["records"], imp.counts["links"], imp.counts["evidence"],
                      pack.pack_sha256, origin_json, imp.counts, earlier, imp.carry.outcome)
