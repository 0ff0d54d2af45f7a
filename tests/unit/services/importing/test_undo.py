"""Undoing an import batch: exactly what it added goes, merged records come back, later edits refuse."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casedesk.domain.errors import ValidationError, NotFoundError
from casedesk.domain.models import (
    Alias,
    AuditEntry,
    Blob,
    Citation,
    Evidence,
    ImportBatch,
    Link,
    Record,
)
from casedesk.services.cases import create_case
from casedesk.services.importing import ImportOptions, load_preset, run_import
from casedesk.services.importing.undo import undo_import
from casedesk.services.links import add_link
from casedesk.services.progress import run_to_end
from casedesk.services.records import IdentifierIn, RecordIn, create_record, update_record
from casedesk.services.verify import verify_workspace

DATA = Path(__file__).resolve().parents[3] / "data" / "import"
TABLES = (Record, Link, Citation, Evidence, Blob, ImportBatch, Alias)


def _counts(ws) -> dict[str, int]:
    with ws.read() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in TABLES}


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def case_with_acme(workspace):
    with workspace.write() as s:
        case_id = create_case(s, "Undo case").id
        acme = create_record(s, case_id, RecordIn(
            "party", {"label": "Acme Holdings Limited"},
            identifiers=[IdentifierIn("LEI", "213800KUD8LAJWSQ9D15")])).id
    return case_id, acme


def _import(ws, case_id, path, preset="parties"):
    return run_to_end(run_import(ws, case_id, path, load_preset(preset), options=ImportOptions()))


def test_undo_removes_what_the_import_added_and_restores_the_merged_record(workspace, case_with_acme,
                                                                           tmp_path):
    case_id, acme = case_with_acme
    with workspace.read() as s:
        acme_before = (s.get(Record, acme).country, s.get(Record, acme).website,
                       [a.name for a in s.get(Record, acme).aliases], s.get(Record, acme).version)
    before = _counts(workspace)
    path = _csv(tmp_path / "p.csv", [
        ["name", "country", "identifiers", "website"],
        ["ACME Holdings Ltd (Singapore)", "SG", "LEI:213800KUD8LAJWSQ9D15", "https://acme.example"],
        ["New Co Pte. Ltd.", "SG", "", ""],
        ["Other Co Ltd", "GB", "", ""],
    ])
    result = _import(workspace, case_id, path)
    assert result.merged == 1 and result.created == 2
    with workspace.write() as s:
        undone = undo_import(s, result.batch_id)
    assert (undone.records, undone.links, undone.restored) == (2, 0, 1)
    assert _counts(workspace) == before
    with workspace.read() as s:
        rec = s.get(Record, acme)
        # the merge filled country and website and added the file's spelling: all put back
        assert (rec.country, rec.website, [a.name for a in rec.aliases]) == acme_before[:3]
        entry = s.scalar(select(AuditEntry).where(AuditEntry.entity == "import_batch",
                                                  AuditEntry.action == "undo"))
        assert json.loads(entry.after)["records_removed"] == 2
        deletes = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "delete", AuditEntry.entity == "record"))
        assert deletes == 2
    assert verify_workspace(workspace).ok
    with workspace.write() as s, pytest.raises(NotFoundError, match="already undone"):
        undo_import(s, result.batch_id)


def test_undo_of_an_ownership_import_removes_its_links(workspace, case_with_acme):
    case_id, _ = case_with_acme
    before = _counts(workspace)
    result = _import(workspace, case_id, DATA / "ownership_aurora.csv", "ownership")
    assert result.links > 0
    with workspace.write() as s:
        undone = undo_import(s, result.batch_id)
    assert undone.links == result.links
    assert _counts(workspace) == before


def test_a_record_edited_after_the_import_refuses_the_undo_by_name(workspace, case_with_acme, tmp_path):
    case_id, _ = case_with_acme
    result = _import(workspace, case_id, _csv(tmp_path / "p.csv", [["name"], ["New Co Ltd"]]))
    with workspace.write() as s:
        new = s.scalar(select(Record).where(Record.label == "New Co Ltd"))
        update_record(s, new.id, {"notes": "checked by phone"}, expected_version=new.version)
    after = _counts(workspace)
    with workspace.write() as s, pytest.raises(ValidationError, match=r"New Co Ltd\) was edited"):
        undo_import(s, result.batch_id)
    assert _counts(workspace) == after


def test_a_link_added_to_an_imported_record_refuses_the_undo(workspace, case_with_acme, tmp_path):
    case_id, acme = case_with_acme
    result = _import(workspace, case_id, _csv(tmp_path / "p.csv", [["name"], ["Sub Co Ltd"]]))
    with workspace.write() as s:
        sub = s.scalar(select(Record.id).where(Record.label == "Sub Co Ltd"))
        add_link(s, case_id, "owns", acme, sub)
    with workspace.write() as s, pytest.raises(ValidationError, match="link #.* was added"):
        undo_import(s, result.batch_id)


def test_the_imported_file_cited_later_for_another_record_refuses_the_undo(workspace, case_with_acme, tmp_path):
    from casedesk.services.evidence import cite

    case_id, acme = case_with_acme
    result = _import(workspace, case_id, _csv(tmp_path / "p.csv", [["name"], ["Cited Co Ltd"]]))
    with workspace.write() as s:
        cite(s, result.evidence_id, record_id=acme, locator="row 2")
    with workspace.write() as s, pytest.raises(ValidationError, match=f"file was cited for record #{acme}"):
        undo_import(s, result.batch_id)
