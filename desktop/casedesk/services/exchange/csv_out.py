"""CSV out: one UTF-8 file (with a BOM, for Excel) per record kind plus links.csv, ids joining them.

Written into a new folder, or into one zip when the target ends in `.zip`. Every text cell a
spreadsheet would run as a formula (leading = + - @ tab or carriage return, OWASP's list) gets a
leading apostrophe; numbers are written as numbers and left alone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

from casedesk.domain.models import RECORD_KINDS
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.services.exchange.case_rows import CaseRows
from casedesk.services.exchange.output import AtomicFile, AtomicFolder, check_output, folder_digest
from casedesk.services.exchange.result import ExportResult
from casedesk.services.fields import LINK_FIELDS, fields_of
from casedesk.services.importing.provenance import neutralise_cell
from casedesk.services.progress import Job, Progress

FILE_NAMES = {"party": "parties.csv", "wallet": "wallets.csv", "datacenter": "datacenters.csv",
              "server": "servers.csv", "contract": "contracts.csv"}
LINKS_FILE = "links.csv"
BOM = "\ufeff"


def cell(value: Any) -> Any:
    """One cell: numbers as they are, lists joined with '; ', text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, list):
        value = "; ".join(map(str, value))
    return neutralise_cell(str(value))


def record_header(kind: str) -> list[str]:
    """The columns of one kind's file."""
    own = [s.name for s in fields_of(kind) if s.name not in ("label", "notes", "tags", "sensitive")]
    return ["id", "kind", "label", *own, "aliases", "identifiers", "addresses", "notes", "tags",
            "sensitive", "created_at", "updated_at"] + (["contract_parties"] if kind == "contract" else [])


LINK_HEADER = ["id", "type", "type_label", "source_id", "source_kind", "source_label", "target_id",
               "target_kind", "target_label", *[s.name for s in LINK_FIELDS]]


class _Sink:
    """Where the files go: a folder or a zip, each file hashed as it is finished."""

    def __init__(self, target: Path):
        self.zipped = target.suffix.lower() == ".zip"
        self.hashes: dict[str, str] = {}
        if self.zipped:
            self.atomic: Any = AtomicFile(target)
            self.zip = zipfile.ZipFile(self.atomic.out, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        else:
            self.atomic = AtomicFolder(target)

    def add(self, name: str, text: str) -> None:
        data = (BOM + text).encode("utf-8", "surrogatepass")
        self.hashes[name] = hashlib.sha256(data).hexdigest()
        if self.zipped:
            self.zip.writestr(name, data)
        else:
            (self.atomic.temp / name).write_bytes(data)

    def commit(self) -> str:
        if self.zipped:
            self.zip.close()
            return self.atomic.commit()
        self.atomic.hashes = self.hashes
        return self.atomic.commit()

    def discard(self) -> None:
        self.atomic.__exit__(None, None, None)


def _writer() -> tuple[io.StringIO, Any]:
    buf = io.StringIO(newline="")
    return buf, csv.writer(buf, lineterminator="\r\n")


def export_csv(rows: CaseRows, out_path: str | Path, vocab: Vocabulary | None = None) -> Job[ExportResult]:
    """Write one CSV per record kind and links.csv into a folder or a zip; returns the ExportResult."""
    vocab = vocab or default_vocabulary()
    target = Path(out_path)
    target = check_output(out_path, folder=target.suffix.lower() != ".zip")
    total = rows.count_records()
    yield Progress(0, total, "Writing CSV files…")
    sink = _Sink(target)
    labels: dict[int, tuple[str, str]] = {}
    records = links = 0
    try:
        for kind in RECORD_KINDS:
            header = record_header(kind)
            buf, w = _writer()
            w.writerow(header)
            own = header[3:header.index("aliases")]
            for rec in rows.records((kind,)):
                records += 1
                labels[rec["id"]] = (kind, rec["label"])
                line = [rec["id"], kind, cell(rec["label"]), *[cell(rec.get(c)) for c in own],
                        cell([a["name"] for a in rec["aliases"]]),
                        cell([f"{i['scheme']}:{i['value']}" for i in rec["identifiers"]]),
                        cell([a["full"] for a in rec["addresses"]]), cell(rec["notes"]),
                        cell(rec["tags"]), cell(rec["sensitive"]), rec["created_at"], rec["updated_at"]]
                if kind == "contract":
                    line.append(cell([f"{p['party_id']}:{p['role']}" for p in rec.get("parties", ())]))
                w.writerow(line)
                if records % 5000 == 0:
                    yield Progress(records, total, f"Writing CSV files: {records:,} records")
            sink.add(FILE_NAMES[kind], buf.getvalue())
        buf, w = _writer()
        w.writerow(LINK_HEADER)
        for link in rows.links():
            links += 1
            lt = link["link_type"]
            term = vocab.link_types.get(lt)
            src = labels.get(link["source_id"], ("", ""))
            tgt = labels.get(link["target_id"], ("", ""))
            w.writerow([link["id"], lt, cell(term.label if term else lt), link["source_id"], src[0],
                        cell(src[1]), link["target_id"], tgt[0], cell(tgt[1]),
                        *[cell(link.get(s.name)) for s in LINK_FIELDS]])
            if links % 20000 == 0:
                yield Progress(total, total, f"Writing CSV files: {links:,} links")
        sink.add(LINKS_FILE, buf.getvalue())
        sha = sink.commit()
    finally:
        sink.discard()
    return ExportResult("csv", rows.scope.case_id, rows.scope.describe(), str(target), sha, records,
                        links, {"files": sorted(sink.hashes), "file_sha256": dict(sink.hashes),
                                "digest": "zip file" if sink.zipped else "sha256sum lines of the files"})


__all__ = ["export_csv", "cell", "record_header", "LINK_HEADER", "FILE_NAMES", "folder_digest"]
