"""`casedesk import undo` takes an import back from the command line, as the review page's Undo does."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "import"


def _import(run, path: Path, case_id: int) -> dict:
    out = run("--db", str(path), "import", str(DATA / "ownership_aurora.csv"), "--case", str(case_id),
              "--preset", "ownership", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _records(run, path: Path, case_id: int) -> int:
    out = run("--db", str(path), "cases", "list", "--json")
    assert out.returncode == 0, out.stderr
    return next(c["records"] for c in json.loads(out.stdout) if c["id"] == case_id)


def test_import_undo_removes_what_the_import_added_and_refuses_twice(run, tmp_path: Path):
    path = tmp_path / "undo.casedesk"
    out = run("--db", str(path), "cases", "new", "Undo case", "--json")
    assert out.returncode == 0, out.stderr
    case_id = json.loads(out.stdout)["id"]
    before = _records(run, path, case_id)
    batch = _import(run, path, case_id)["batch_id"]
    assert _records(run, path, case_id) > before

    out = run("--db", str(path), "import", "undo", str(batch), "--case", str(case_id), "--json")
    assert out.returncode == 0, out.stderr
    done = json.loads(out.stdout)
    assert done["batch_id"] == batch and done["records_removed"] > 0
    assert _records(run, path, case_id) == before

    again = run("--db", str(path), "import", "undo", str(batch), "--case", str(case_id))
    assert again.returncode == 2
    assert "already undone" in again.stderr and "Traceback" not in again.stderr


def test_import_undo_last_and_bad_ids_get_one_line(run, tmp_path: Path):
    path = tmp_path / "undo-last.casedesk"
    out = run("--db", str(path), "cases", "new", "Undo last", "--json")
    case_id = json.loads(out.stdout)["id"]
    none_yet = run("--db", str(path), "import", "undo", "--last", "--case", str(case_id))
    assert none_yet.returncode == 2 and "no import left to undo" in none_yet.stderr
    batch = _import(run, path, case_id)["batch_id"]
    out = run("--db", str(path), "import", "undo", "--last", "--case", str(case_id), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["batch_id"] == batch
    for bad, says in ((["abc"], "must be a number"), (["999"], "never imported"), ([], "IMPORT-ID")):
        res = run("--db", str(path), "import", "undo", *bad, "--case", str(case_id))
        assert res.returncode == 2, (bad, res.stderr)
        assert says in res.stderr and "Traceback" not in res.stderr
