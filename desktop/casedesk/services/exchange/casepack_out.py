"""Case pack out: the whole case, evidence files included, as one zip with a manifest of hashes."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from sqlalchemy import select

from casedesk import __version__ as APP_VERSION
from casedesk.domain.clock import now_iso
from casedesk.domain.models import (
    AuditEntry,
    Blob,
    Citation,
    Event,
    Evidence,
    Finding,
    ImportBatch,
)
from casedesk.domain.watchlists import DuplicateDecision, ScreeningHit
from casedesk.services.audit import chain_head
from casedesk.services.exchange.case_rows import CaseRows
from casedesk.services.exchange.casepack_catalog import carried_entries, carried_rows
from casedesk.services.exchange.casepack_format import (
    CATALOG_PART,
    FORMAT,
    MANIFEST,
    evidence_part,
)
from casedesk.services.exchange.output import AtomicFile, check_output
from casedesk.services.exchange.result import ExportResult
from casedesk.services.progress import Job, Progress
from casedesk.storage.workspace import actor_of

_CHUNK = 1 << 20


# json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str), with its C encoder made
# once: dumps builds a new encoder per call, and a 100k-record case writes 800k rows (rows from
# the database hold no cycles, so no circular check)
_C_ENCODER = (c_make_encoder(None, str, encode_basestring, None, ":", ",", False, False, True)
              if c_make_encoder is not None else None)


def _json_line(row: dict[str, Any]) -> bytes:
    if _C_ENCODER is not None:
        text = "".join(_C_ENCODER(row, 0))
    else:
        text = json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8", "surrogatepass") + b"\n"


class _PackWriter:
    """Writes parts into the zip, hashing each part's uncompressed bytes for the manifest."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.parts: dict[str, dict[str, Any]] = {}

    def part(self, name: str, chunks: Iterable[bytes]) -> int:
        sha = hashlib.sha256()
        size = 0
        info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = 1  # type: ignore[attr-defined] - speed over size (JSON packs well at 1)
        lines = 0
        with self.zf.open(info, "w", force_zip64=True) as fh:
            buf: list[bytes] = []
            held = 0
            for chunk in chunks:
                buf.append(chunk)
                held += len(chunk)
                lines += 1
                if held >= _CHUNK:
                    data = b"".join(buf)
                    sha.update(data)
                    size += len(data)
                    fh.write(data)
                    buf, held = [], 0
            if buf:
                data = b"".join(buf)
                sha.update(data)
                size += len(data)
                fh.write(data)
        self.parts[name] = {"sha256": sha.hexdigest(), "size": size}
        return lines


def _table_rows(session: Any, model: Any, where: Any, batch: int = 20000) -> Iterator[dict[str, Any]]:
    t = model.__table__
    cols = list(t.columns)
    names = [c.name for c in cols]
    at = names.index("id")
    pk = t.c.id
    last = 0
    conn = session.connection()  # Core rows, without the ORM's result machinery
    while True:
        rows = conn.execute(select(*cols).where(where, pk > last).order_by(pk).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            last = row[at]
            yield dict(zip(names, row))


def export_casepack(rows: CaseRows, out_path: str | Path) -> Job[ExportResult]:
    """Write the whole case as a case pack; returns the ExportResult (sha256 of the pack file)."""
    from casedesk.services.exchange.casepack_receipt import pack_receipt
    from casedesk.storage.migrations import head_revision

    target = check_output(out_path)
    s = rows.session
    case = rows.case
    cid = case.id
    total = rows.count_records()
    yield Progress(0, total, "Packing the case…")
    counts: dict[str, int] = {}
    with AtomicFile(target) as out:
        with zipfile.ZipFile(out.out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            pw = _PackWriter(zf)
            pw.part("case.json", [_json_line({
                "id": cid, "title": case.title, "description": case.description,
                "created_at": case.created_at, "updated_at": case.updated_at,
                "created_by": case.created_by, "properties": dict(case.properties or {})})])
            counts["records"] = pw.part("records.jsonl", (_json_line(r) for r in rows.records()))
            yield Progress(total, total, f"Packing the case: {counts['records']:,} records")
            counts["links"] = pw.part("links.jsonl", (_json_line(lk) for lk in rows.links()))
            yield Progress(total, total, f"Packing the case: {counts['links']:,} links")
            evidence = list(_table_rows(s, Evidence, Evidence.case_id == cid))
            counts["evidence"] = pw.part("evidence.jsonl", (_json_line(e) for e in evidence))
            for sha in sorted({e["sha256"] for e in evidence}):
                content = s.scalar(select(Blob.content).where(Blob.sha256 == sha)) or b""
                pw.part(evidence_part(sha), [content])
            yield Progress(total, total, "Packing the case: evidence files")
            ev_ids = select(Evidence.id).where(Evidence.case_id == cid).scalar_subquery()
            counts["citations"] = pw.part("citations.jsonl", (
                _json_line(c) for c in _table_rows(s, Citation, Citation.evidence_id.in_(ev_ids))))
            counts["events"] = pw.part("events.jsonl", (
                _json_line(e) for e in _table_rows(s, Event, Event.case_id == cid)))
            counts["findings"] = pw.part("findings.jsonl", (
                _json_line(f) for f in _table_rows(s, Finding, Finding.case_id == cid)))
            counts["screening_hits"] = pw.part("screening_hits.jsonl", (
                _json_line(h) for h in _table_rows(s, ScreeningHit, ScreeningHit.case_id == cid)))
            counts["duplicate_decisions"] = pw.part("duplicate_decisions.jsonl", (
                _json_line(d) for d in _table_rows(s, DuplicateDecision,
                                                   DuplicateDecision.case_id == cid)))
            counts["import_batches"] = pw.part("import_batches.jsonl", (
                _json_line(b) for b in _table_rows(s, ImportBatch, ImportBatch.case_id == cid)))
            counts["chart_positions"] = pw.part("chart_positions.jsonl", (
                _json_line({"record_id": rid, "x": x, "y": y})
                for rid, (x, y) in sorted(rows.positions().items())))
            # the workspace models the case's fleets use, so the receiver classifies them alike
            models, sources = carried_rows(s, cid, carried_entries(s, cid))
            if models:
                counts["catalog_models"] = pw.part(CATALOG_PART, (_json_line(m) for m in models))
                for name in sorted(sources):
                    pw.part(name, [sources[name]])
            yield Progress(total, total, "Packing the case: audit entries")
            counts["audit_entries"] = pw.part("audit.jsonl", (
                _json_line(a) for a in _table_rows(s, AuditEntry, AuditEntry.case_id == cid)))
            head_id, head_hash = chain_head(s)
            manifest = {
                "format": FORMAT,
                "format_version": 2 if models else 1,  # 1: readable by a CaseDesk before catalogs
                "schema_revision": head_revision(),
                "made_by": f"CaseDesk {APP_VERSION}",
                "workspace": {"uuid": rows.workspace_uuid, "name": rows.workspace_name},
                "exporter": actor_of(s),
                "exported_at": now_iso(),
                "case": {"id": cid, "title": case.title},
                "audit_head": {"id": head_id, "hash": head_hash},
                # the whole history's head, signed by this install (casepack_receipt)
                "receipt": pack_receipt(s),
                "counts": counts,
                "parts": pw.parts,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            info = zipfile.ZipInfo(MANIFEST, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
        sha = out.commit()
    return ExportResult("casepack", cid, "case", str(target), sha, counts["records"],
                        counts["links"], {"evidence": counts["evidence"],
                                          "manifest_sha256": hashlib.sha256(data).hexdigest(),
                                          "counts": counts,
                                          "catalog_models": [m["name"] for m in models]})
