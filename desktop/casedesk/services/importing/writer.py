"""The writing side of an import: records and links inserted in bulk, each citing its row.

Records and links are queued as rows are resolved and inserted a chunk at a time (on SQLite's
background writer thread when there is one); finish() cites what recurred and applies what
later rows add to records met earlier.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, text, update

from casedesk.domain.clock import now_iso
from casedesk.domain.models import Address as AddressRow
from casedesk.domain.models import Alias, Citation, Identifier
from casedesk.services.audit import record_audit
from casedesk.services.bulk import bulk_cite, insert_clean_links, insert_clean_records
from casedesk.services.importing.entities import Entity, LinkState
from casedesk.services.importing.fuzzy_names import NameNormalizer
from casedesk.services.importing.mapping import Mapping
from casedesk.services.importing.reading import SourceInfo
from casedesk.services.snapshot import record_snapshot
from casedesk.storage.workspace import changes_of

# A queued link: (type, source, target, fields, row, its merge state or None for an event)
QueuedLink = tuple[str, Entity, Entity, dict[str, Any], int, LinkState | None]


class ImportWriter:
    """Inserts one import's records and links, with their citations, into the open transaction."""

    def __init__(
        self,
        session: Any,
        case_id: int,
        evidence_id: int,
        batch_id: int,
        filename: str,
        normalize: NameNormalizer,
    ):
        self.session = session
        self.case_id = case_id
        self.evidence_id = evidence_id
        self.batch_id = batch_id
        self.filename = filename
        self.normalize = normalize
        self.records: list[Entity] = []  # queued new records, inserted by flush()
        self.links: list[QueuedLink] = []
        self.citations = 0
        self.background: Any = None  # the SQLite background writer while rows are streamed in
        # One time for every record, link and audit entry the import creates (one transaction);
        # it also keeps the bulk statements' text the same from chunk to chunk (bulkinsert).
        self.now = now_iso()

    def wait_written(self) -> None:
        """Wait until the background writer has written what was dispatched (before a read)."""
        if self.background is not None:
            self.background.wait()

    def dispatch(self) -> None:
        """Hand the flushed chunk to the background writer, when there is one."""
        if self.background is not None:
            self.background.dispatch()

    def _source(self) -> dict[str, Any]:
        """What every audit entry of the import names besides its row: batch and evidence."""
        return {"import_batch": self.batch_id, "evidence_id": self.evidence_id}

    def flush(self) -> None:
        """Insert the queued records, then the queued links with their citations."""
        if self.records:
            ents = self.records
            self.records = []
            ids = insert_clean_records(
                self.session,
                self.case_id,
                [e.draft for e in ents],  # validated drafts: no CleanRecord copy needed
                audit_extra=self._source(),
                source_rows=[e.spans.first for e in ents],
                now=self.now,
            )
            # Records that will probably not recur (their drafts are not shared) are cited now,
            # on the writer thread; finish() corrects the locator of any that did recur.
            cited: list[Entity] = []
            cites = []
            claim = self._claim()
            for e, rid in zip(ents, ids):
                e.record_id = rid
                if not e.draft.shared:
                    cited.append(e)
                    cites.append((rid, None, f"row {e.spans.first}", claim))
                e.draft = None
            if cites:
                cids = bulk_cite(self.session, self.case_id, self.evidence_id, cites, audit=False)
                for e, cid in zip(cited, cids):
                    e.citation_id = cid
                self.citations += len(cites)
        if self.links:
            queued = self.links
            self.links = []
            ids = insert_clean_links(
                self.session,
                self.case_id,
                [(q[0], q[1].record_id, q[2].record_id, q[3]) for q in queued],
                audit_extra=self._source(),
                source_rows=[q[4] for q in queued],
                now=self.now,
            )
            cites = []
            claim = self._claim()
            for lid, q in zip(ids, queued):
                state = q[5]
                if state is None:
                    cites.append((None, lid, f"row {q[4]}", claim))
                else:
                    state.link_id = lid
            if cites:
                bulk_cite(self.session, self.case_id, self.evidence_id, cites, audit=False)
                self.citations += len(cites)

    def _claim(self) -> str:
        return f"import batch {self.batch_id}: {self.filename}"

    def finish(
        self, entities: list[Entity], link_states: dict[tuple[str, int, int], LinkState]
    ) -> None:
        """Cite the records and merged links, apply what later rows add, nothing else."""
        self.flush()
        claim = self._claim()
        new_cites = [
            (e.record_id, None, e.spans.locator(), claim)
            for e in entities
            if not e.existing and e.citation_id is None
        ]
        # cited while the file was read, then met again on later rows: their rows, in full
        recurred = [
            {"cid": e.citation_id, "loc": e.spans.locator()}
            for e in entities
            if e.citation_id is not None and e.spans.count > 1
        ]
        if recurred:
            self.session.execute(
                update(Citation.__table__)
                .where(Citation.__table__.c.id == bindparam("cid"))
                .values(locator=bindparam("loc")),
                recurred,
            )
        old_cites = [
            (e.record_id, None, e.spans.locator(), claim) for e in entities if e.existing
        ]
        new_cites += [
            (None, st.link_id, st.spans.locator(), claim)
            for st in link_states.values()
            if not st.existing
        ]
        old_cites += [
            (None, st.link_id, st.spans.locator(), claim)
            for st in link_states.values()
            if st.existing
        ]
        if new_cites:
            # Their subjects' creation entries already name the evidence and row (audit=False).
            bulk_cite(self.session, self.case_id, self.evidence_id, new_cites, audit=False)
        if old_cites:
            bulk_cite(
                self.session,
                self.case_id,
                self.evidence_id,
                old_cites,
                audit_extra={"import_batch": self.batch_id},
            )
        self.citations += len(new_cites) + len(old_cites)
        for ent in entities:
            if ent.extra:
                self._apply_extra(ent)

    def _apply_extra(self, ent: Entity) -> None:
        """Fill empty fields and add names, identifiers and notes a later row (or a merge) brings."""
        from casedesk.services.records import get_record

        extra = ent.extra or {}
        record = get_record(self.session, ent.record_id)
        before = record_snapshot(record)
        changed = False
        for name, value in (extra.get("fields") or {}).items():
            if hasattr(record, name) and getattr(record, name) in (None, "", []):
                setattr(record, name, value)
                changed = True
        names = {self.normalize(record.label)} | {self.normalize(a.name) for a in record.aliases}
        for alias in extra.get("aliases") or ():
            if self.normalize(alias) not in names:
                record.aliases.append(Alias(name=alias, alias_kind="aka"))
                names.add(self.normalize(alias))
                changed = True
        have = {(i.scheme, i.value) for i in record.identifiers}
        for ident in extra.get("identifiers") or ():
            if (ident.scheme, ident.value) not in have:
                record.identifiers.append(
                    Identifier(
                        scheme=ident.scheme,
                        value=ident.value,
                        status=ident.status,
                        country=ident.country,
                    )
                )
                have.add((ident.scheme, ident.value))
                changed = True
        fulls = {a.full for a in record.addresses}
        for addr in extra.get("addresses") or ():
            if addr.full not in fulls:
                record.addresses.append(
                    AddressRow(full=addr.full, city=addr.city or "", country=addr.country)
                )
                fulls.add(addr.full)
                changed = True
        notes = extra.get("notes") or []
        if notes:
            text = f"From {self.filename} (import batch {self.batch_id}):\n" + "\n".join(
                notes
            )
            record.notes = f"{record.notes}\n{text}" if record.notes else text
            changed = True
        if not changed:
            return
        record.updated_at = now_iso()
        self.session.flush()
        record_audit(
            self.session,
            "update",
            "record",
            record.id,
            case_id=record.case_id,
            record_id=record.id,
            before=before,
            after={**record_snapshot(record), "import_batch": self.batch_id},
        )
        changes_of(self.session).add("updated", "record", record.id)
        self.session.expunge(record)


def large_cache(session: Any) -> None:
    """Give SQLite a bigger page cache for this connection: the link and audit indexes take
    scattered inserts, and a small cache makes their pages spill to disk mid-import."""
    if session.bind.dialect.name == "sqlite":
        session.execute(text("PRAGMA cache_size = -131072"))  # 128 MB, in KiB


def batch_mapping(
    mapping: Mapping,
    info: SourceInfo,
    params: dict[str, str],
    grade: str,
    decisions: dict[str, int | None] | None,
) -> dict[str, Any]:
    """What the import batch records of how the file was read and mapped."""
    return {
        "mapping": mapping.to_data(),
        "parameters": dict(params),
        "read": {
            "format": info.kind,
            "encoding": info.encoding,
            "delimiter": info.delimiter,
            "header_row": info.header_row,
            "sheet": info.sheet,
            "columns": list(info.columns),
        },
        "grade": grade.upper(),
        "decisions": {k: v for k, v in (decisions or {}).items()},
    }
