"""Random bytes and random well-formed-but-wrong CSVs: a user error or an import, never a crash."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from casedesk.domain.errors import CaseDeskError
from casedesk.domain.models import AuditEntry, Blob, Citation, Evidence, ImportBatch, Link, Record
from casedesk.services.cases import create_case
from casedesk.services.importing import ImportOptions, analyse_import, load_preset, run_import
from casedesk.services.progress import run_to_end
from casedesk.storage.workspace import open_workspace

PRESETS = ["parties", "ownership", "servers", "transactions"]
COLUMNS = [
    "name",
    "kind",
    "country",
    "aliases",
    "identifiers",
    "owner",
    "owned",
    "share",
    "start_date",
    "end_date",
    "label",
    "accelerator",
    "server_count",
    "data_center",
    "end_user",
    "installed",
    "Txhash",
    "From",
    "To",
    "DateTime (UTC)",
    "UnixTimestamp",
    "Value_IN(ETH)",
    "notes",
    "x",
]
CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "SG",
            "China",
            "Narnia",
            "2024-02-30",
            "2024-13",
            "~2021",
            "12,5%",
            "-1",
            "1e400",
            "LEI:213800KUD8LAJWSQ9D15",
            "LEI:213800KUD8LAJWSQ9D16",
            "USCC:nope",
            "nan",
            "0x7db418b5d567a4e0e8c59ad71be1fce48f3e6107",
            "0xZZ",
            "=cmd|' /C calc'!A0",
            "H100 SXM",
            "about 50",
            "person",
            "platform",
            "\x00",
            "\u202e",
            "a;b;;c",
            "1717200000",
        ]
    ),
)


@pytest.fixture(scope="module")
def ws_case():
    folder = tempfile.mkdtemp()
    ws = open_workspace(str(Path(folder) / "fuzz.casedesk"))
    with ws.write() as s:
        case_id = create_case(s, "fuzz").id
    yield ws, case_id, Path(folder)
    ws.dispose()


def _counts(ws):
    with ws.read() as s:
        return [
            s.scalar(select(func.count()).select_from(m))
            for m in (Record, Link, Citation, Evidence, Blob, ImportBatch, AuditEntry)
        ]


def _check(ws, case_id, path: Path, preset: str) -> None:
    before = _counts(ws)
    try:
        plan = run_to_end(analyse_import(ws, case_id, path, load_preset(preset)))
        assert plan.rows == plan.valid + plan.rejected
    except CaseDeskError:
        pass
    assert _counts(ws) == before
    try:
        result = run_to_end(
            run_import(
                ws,
                case_id,
                path,
                load_preset(preset),
                options=ImportOptions(rejects_path=path.with_suffix(".rej")),
            )
        )
    except CaseDeskError as exc:
        assert str(exc)  # a message a person can read
        assert _counts(ws) == before  # nothing partly written
        return
    assert result.rows == result.valid + result.rejected and result.valid > 0
    after = _counts(ws)
    assert after[0] == before[0] + result.created and after[5] == before[5] + 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=3000),
    preset=st.sampled_from(PRESETS),
    suffix=st.sampled_from([".csv", ".tsv", ".xlsx"]),
)
def test_random_bytes(ws_case, data, preset, suffix):
    ws, case_id, folder = ws_case
    path = folder / f"random{suffix}"
    path.write_bytes(data)
    _check(ws, case_id, path, preset)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=9), min_size=0, max_size=12),
    preset=st.sampled_from(PRESETS),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
)
def test_random_well_formed_but_wrong_csv(ws_case, header, rows, preset, delimiter, encoding):
    ws, case_id, folder = ws_case
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path = folder / "wrong.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    _check(ws, case_id, path, preset)
