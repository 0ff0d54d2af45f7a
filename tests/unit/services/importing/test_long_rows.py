"""Rows and cells of any size up to the cell limit (import_settings.yaml max_cell_chars) are read."""

from __future__ import annotations

from pathlib import Path

import pytest

from casedesk.domain.errors import ValidationError
from casedesk.services.cases import create_case
from casedesk.services.importing import ImportOptions, load_preset, run_import
from casedesk.services.importing.reading import RowStream, inspect_source
from casedesk.services.importing.settings import import_settings
from casedesk.services.listings import list_records
from casedesk.services.progress import run_to_end

LIMIT = import_settings().max_cell_chars  # 1,000,000 characters (docs/importing.md)


@pytest.fixture
def case(sqlite_ws):
    with sqlite_ws.write() as s:
        return create_case(s, "Long rows").id


def _csv(tmp_path: Path, notes: str, more: str = "") -> Path:
    path = tmp_path / "long.csv"
    path.write_text(f'name,country,notes\nAcme Ltd,GB,"{notes}"\n{more}', encoding="utf-8")
    return path


def _import(ws, case_id, path, **options):
    return run_to_end(
        run_import(ws, case_id, path, load_preset("parties"), options=ImportOptions(**options))
    )


def test_a_200_kb_first_row_is_data_not_a_header_only_file(tmp_path):
    info = inspect_source(_csv(tmp_path, "x" * 200_000))
    assert info.columns == ("name", "country", "notes")
    assert info.sample[0][0] == 2 and len(info.sample[0][1][2]) == 200_000
    assert [r for r, _ in RowStream(info)] == [2]


def test_a_long_multibyte_first_row_is_read(tmp_path):
    info = inspect_source(_csv(tmp_path, "華" * 300_000, "Beta,FR,short\n"))
    assert [len(c[2]) for _, c in RowStream(info)] == [300_000, 5]


def test_a_cell_at_the_limit_is_imported(sqlite_ws, case, tmp_path):
    result = _import(sqlite_ws, case, _csv(tmp_path, "y" * LIMIT))
    assert (result.created, result.rejected) == (1, 0)
    with sqlite_ws.read() as s:
        (rec,) = list_records(s, case)
    assert rec["label"] == "Acme Ltd"


def test_a_cell_over_the_limit_rejects_its_row_by_row_field_and_reason(
    sqlite_ws, case, tmp_path
):
    result = _import(sqlite_ws, case, _csv(tmp_path, "y" * (LIMIT + 1), "Beta,FR,short\n"))
    assert (result.created, result.rejected) == (1, 1)
    (reject,) = result.rejects_sample
    assert reject.row == 2
    assert reject.reason == f"notes: the cell has {LIMIT + 1:,} characters (the limit is {LIMIT:,})"


def test_a_file_whose_only_row_is_far_over_the_limit_names_that_row(sqlite_ws, case, tmp_path):
    path = _csv(tmp_path, "z" * (5 * LIMIT))
    with pytest.raises(ValidationError) as err:
        _import(sqlite_ws, case, path)
    assert "no data rows" not in str(err.value)
    assert "row 2: notes: the cell has 5,000,000 characters" in str(err.value)
