"""Numbers are bounded by what the field means (resources/field_bounds.yaml), wherever entered."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import Case, ServerFleet as Server
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.cases import create_case
from casedesk.services.exchange import export_case
from casedesk.services.exchange.casepack_in import PackRefused, import_casepack
from casedesk.services.fields import LINK_FIELDS, clean_value, fields_of
from casedesk.services.importing import ImportOptions, load_preset, run_import
from casedesk.services.progress import run_to_end
from casedesk.services.records import RecordIn, create_record, update_record

VOCAB = default_vocabulary()
HUGE = 9223372036854775808  # 2**63: stored as a float once, "8.5e37 H100s" in the analysis


def spec(kind: str, name: str):
    specs = LINK_FIELDS if kind == "link" else fields_of(kind)
    return next(s for s in specs if s.name == name)


@pytest.mark.parametrize(
    "kind, name, good, bad",
    [
        ("server", "accelerators_per_server", [1, 8, 72, 1024], [0, 1025, HUGE, -8]),
        ("server", "server_count", [0, 10, 10_000_000], [-1, 10_000_001, HUGE]),
        ("contract", "accelerator_count", [0, 100_000_000], [100_000_001]),
        ("datacenter", "power_mw", [0, 1500.5], [-1, 1e9]),
        ("datacenter", "latitude", [-90, 45.5], [90.1]),
        ("link", "share_pct", [0, 51, 100], [-0.5, 100.01, 150]),
    ],
)
def test_values_inside_their_bounds_pass_and_outside_are_refused_with_the_bounds(
    kind, name, good, bad
):
    s = spec(kind, name)
    for value in good:
        assert clean_value(s, str(value), VOCAB) == value
    for value in bad:
        with pytest.raises(ValidationError) as err:
            clean_value(s, str(value), VOCAB)
        assert err.value.field == name
        if value < 0 and s.minimum == 0:
            assert "cannot be negative" in err.value.reason
        else:  # the bounds and the reason for them
            assert "is outside" in err.value.reason and s.why and s.why in err.value.reason


def test_whole_numbers_stay_exact_integers_and_floats_are_not_whole_numbers():
    s = spec("server", "server_count")
    assert clean_value(s, "9999999", VOCAB) == 9_999_999
    assert type(clean_value(s, "10,000", VOCAB)) is int
    assert type(clean_value(s, 8.0, VOCAB)) is int  # JSON's 8.0
    for value in ("8.5", 8.5, "1e3", 1e300, True):
        with pytest.raises(ValidationError, match="not a whole number"):
            clean_value(s, value, VOCAB)


def test_an_unbounded_integer_beyond_64_bits_is_refused_not_stored_as_a_float():
    s = spec("server", "days_to_service")
    assert s.maximum is not None
    unbounded = type(s)("x", "X", "int")
    with pytest.raises(ValidationError, match="too large to store"):
        clean_value(unbounded, str(HUGE), VOCAB)


@pytest.fixture
def case(sqlite_ws):
    with sqlite_ws.write() as s:
        return create_case(s, "Bounds").id


def test_csv_import_rejects_the_row_naming_row_field_and_reason(sqlite_ws, case, tmp_path):
    path = tmp_path / "fleets.csv"
    path.write_text(
        "label,accelerator,accelerators_per_server,server_count\n"
        "Good fleet,H100 SXM,8,10\n"
        f"Overflow fleet,H100 SXM,{HUGE},10\n"
        "Big fleet,H100 SXM,8,about 50000000\n",
        "utf-8",
    )
    result = run_to_end(
        run_import(sqlite_ws, case, path, load_preset("servers"), options=ImportOptions())
    )
    assert result.rejected == 2
    first, second = result.rejects_sample
    assert first.row == 3 and first.reason.startswith(
        "accelerators_per_server: 9,223,372,036,854,775,808 is outside 1–1,024"
    )
    assert second.row == 4 and second.reason.startswith("server_count: 50,000,000 is outside 0–")
    with sqlite_ws.read() as s:
        assert s.execute(select(Server.accelerators_per_server, Server.server_count)).all() == [(8, 10)]


def test_records_add_and_edit_refuse_out_of_bounds_values(sqlite_ws, case):
    with pytest.raises(ValidationError, match="accelerators_per_server"):
        with sqlite_ws.write() as s:
            create_record(s, case, RecordIn("server", {"label": "F", "accelerators_per_server": HUGE}))
    with sqlite_ws.write() as s:
        rid = create_record(s, case, RecordIn("server", {"label": "F", "server_count": 4})).id
    with pytest.raises(ValidationError, match="is outside 0–10,000,000"):
        with sqlite_ws.write() as s:
            update_record(s, rid, {"server_count": "20000000"}, expected_version=1)


def test_cli_records_add_exits_2_naming_the_field(tmp_path, capsys):
    from casedesk.cli.entry import main

    db = str(tmp_path / "ws.db")
    assert main(["--db", db, "cases", "new", "C"]) == 0
    code = main(["--db", db, "records", "add", "--case", "1", "--kind", "server", "--label", "F",
                 "--set", f"accelerators_per_server={HUGE}"])
    assert code == 2
    assert "accelerators_per_server: 9,223,372,036,854,775,808 is outside" in capsys.readouterr().err


def test_a_case_pack_with_an_out_of_bounds_count_is_refused_whole(demo_ws, tmp_path, sqlite_ws):
    ws, cid = demo_ws
    pack = tmp_path / "demo.casepack"
    run_to_end(export_case(ws, cid, "casepack", pack))
    bad = tmp_path / "bad.casepack"
    with zipfile.ZipFile(pack) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    lines = [json.loads(x) for x in parts["records.jsonl"].decode().splitlines()]
    fleet = next(r for r in lines if r.get("kind") == "server")
    fleet["accelerators_per_server"] = HUGE
    parts["records.jsonl"] = "".join(json.dumps(r) + "\n" for r in lines).encode()
    manifest = json.loads(parts["manifest.json"])
    manifest["parts"]["records.jsonl"].update(
        size=len(parts["records.jsonl"]), sha256=hashlib.sha256(parts["records.jsonl"]).hexdigest()
    )
    parts["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(bad, "w") as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    with pytest.raises(PackRefused, match="accelerators_per_server: 9,223,372,036,854,775,808 is outside"):
        run_to_end(import_casepack(sqlite_ws, bad))
    with sqlite_ws.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_the_bounds_file_is_data(tmp_path):
    text = (Path(__file__).resolve().parents[3] / "resources" / "field_bounds.yaml").read_text("utf-8")
    assert "accelerators_per_server" in text and "share_pct" in text
