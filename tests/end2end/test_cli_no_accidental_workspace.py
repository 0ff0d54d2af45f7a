"""No workspace appears by accident: commands that only read refuse a missing file and create
nothing; commands that can start a workspace still make one, and leave none behind if they fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CSL = Path(__file__).resolve().parents[1] / "data" / "screening-lists" / "csl" / "consolidated_sample_2024.csv"
PARTIES = Path(__file__).resolve().parents[1] / "data" / "import" / "ownership_aurora.csv"

READERS = [
    ["verify"], ["verify", "--json"], ["cases", "list"], ["records", "list", "--case", "1"],
    ["records", "show", "1"], ["links", "list", "--case", "1"], ["analyse", "--case", "1"],
    ["findings", "list", "--case", "1"], ["watchlist", "list"], ["screen", "--case", "1"],
    ["hits", "list", "--case", "1"], ["dedupe", "--case", "1"], ["report", "--case", "1", "-o", "OUT/r.pdf"],
    ["export", "--case", "1", "--format", "ftm", "-o", "OUT/x.ftm.json"],
    # these change a case, record or finding that must already exist: nothing to create them in
    ["import", str(PARTIES), "--case", "1", "--preset", "ownership"],
    ["records", "add", "--case", "1", "--kind", "party", "--label", "X"],
    ["findings", "decide", "1", "confirmed"], ["encrypt"], ["decrypt"],
]


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
def test_a_command_on_a_missing_workspace_exits_2_and_creates_nothing(run, tmp_path, args):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = [a.replace("OUT", str(out_dir)) for a in args]
    before = _tree(tmp_path)
    for db in (tmp_path / "typo.db", tmp_path / "no" / "such" / "folder" / "typo.db"):
        out = run("--db", str(db), *args, env={"CASEDESK_PASSPHRASE": "x"})
        assert out.returncode == 2, out.stdout + out.stderr
        assert "no workspace at" in out.stderr and str(db.name) in out.stderr, out.stderr
        assert out.stderr.count("\n") == 1 and out.stdout == ""
        assert _tree(tmp_path) == before  # no file, no -wal, no parent folder


def test_the_default_workspace_is_not_created_by_a_read_either(run, tmp_path):
    home = tmp_path / "home"
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "CASEDESK_DB": ""}
    out = run("cases", "list", env=env)
    assert out.returncode == 2 and "no workspace at" in out.stderr
    assert not home.exists()


@pytest.mark.parametrize("args", [
    ["cases", "new", "First case"], ["demo"], ["watchlist", "import", str(CSL)],
], ids=lambda a: " ".join(a[:2]))
def test_commands_that_start_a_workspace_still_create_one(run, tmp_path, args):
    db = tmp_path / "new.casedesk"
    out = run("--db", str(db), *args, "--json")
    assert out.returncode == 0, out.stderr
    assert db.exists()
    assert json.loads(run("--db", str(db), "verify", "--json").stdout)["ok"] is True


def test_a_failed_creating_command_leaves_no_workspace(run, tmp_path):
    db = tmp_path / "new.casedesk"
    bad = tmp_path / "bad.casepack"
    bad.write_bytes(b"not a pack")
    out = run("--db", str(db), "cases", "import", str(bad))
    assert out.returncode == 2 and "not a case pack" in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.casepack"]
