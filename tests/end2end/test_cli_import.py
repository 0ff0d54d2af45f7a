"""`casedesk import` as investigators script it, and a killed import leaving nothing behind."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "import"


@pytest.fixture
def db(run, tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "cli.casedesk"
    out = run("--db", str(path), "cases", "new", "CLI import", "--json")
    assert out.returncode == 0, out.stderr
    return path, json.loads(out.stdout)["id"]


def test_import_prints_the_json_contract_and_writes_rejects(run, db, tmp_path):
    path, case_id = db
    rejects = tmp_path / "rejects.csv"
    out = run(
        "--db",
        str(path),
        "import",
        str(DATA / "ownership_aurora.csv"),
        "--case",
        str(case_id),
        "--preset",
        "ownership",
        "--rejects",
        str(rejects),
        "--grade",
        "B2",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)  # stdout is one JSON document, progress went to stderr
    assert {
        "batch_id",
        "rows",
        "created",
        "merged",
        "rejected",
        "evidence_sha256",
        "suggestions",
    } <= set(payload)
    assert (payload["rows"], payload["created"], payload["merged"], payload["rejected"]) == (
        9,
        6,
        0,
        2,
    )
    assert isinstance(payload["batch_id"], int) and len(payload["evidence_sha256"]) == 64
    assert "Importing" in out.stderr
    rows = list(csv.reader(rejects.open(encoding="utf-8-sig")))
    assert [r[0] for r in rows[1:]] == ["9", "10"]
    records = json.loads(
        run("--db", str(path), "records", "list", "--case", str(case_id), "--json").stdout
    )
    assert len(records) == 6
    # a second run: the same names and countries are linked to the records of the first
    again = run(
        "--db",
        str(path),
        "import",
        str(DATA / "ownership_aurora.csv"),
        "--case",
        str(case_id),
        "--preset",
        "ownership",
        "--json",
    )
    second = json.loads(again.stdout)
    assert second["merged"] == 6 and second["created"] == 0 and second["suggestions"] == []
    assert {m["reason"] for m in second["merges"]} == {"same name and country"}
    kept = json.loads(run("--db", str(path), "import", str(DATA / "ownership_aurora.csv"),
                          "--case", str(case_id), "--preset", "ownership", "--keep-same-names",
                          "--json").stdout)
    assert kept["merged"] == 0 and kept["created"] == 6 and len(kept["suggestions"]) == 6
    verify = run("--db", str(path), "verify", "--json")
    assert verify.returncode == 0 and json.loads(verify.stdout)["ok"] is True


def test_transactions_with_a_chain_and_human_output(run, db):
    path, case_id = db
    out = run(
        "--db",
        str(path),
        "import",
        str(DATA / "transactions_etherscan.csv"),
        "--case",
        str(case_id),
        "--preset",
        "transactions",
        "--chain",
        "ETH",
    )
    assert out.returncode == 0, out.stderr
    assert "7 records created" in out.stdout and "1 rows rejected" in out.stdout
    assert "row 15: From: not a valid Ethereum address" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--preset", "nope"], "no import preset 'nope'"),
        (["--preset", "parties", "--mapping", "x.yaml"], "not allowed with argument"),
        (["--grade", "Z9"], "not an Admiralty grade"),
        (["--preset", "parties", "--chain", "ETH"], "--chain applies to mappings"),
        (["--mapping", "/nonexistent/m.yaml"], "cannot read"),
        (["--preset", "ownership"], "no column 'owner'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_changes_nothing(run, db, args, message):
    path, case_id = db
    out = run(
        "--db",
        str(path),
        "import",
        str(DATA / "parties_taiwan_big5.csv"),
        "--case",
        str(case_id),
        *args,
    )
    assert out.returncode == 2, out.stdout + out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("casedesk: ") and message in last and "Traceback" not in out.stderr
    cases = json.loads(run("--db", str(path), "cases", "list", "--json").stdout)
    assert cases[0]["records"] == 0


def test_unknown_case_and_missing_file(run, db, tmp_path):
    path, _ = db
    out = run("--db", str(path), "import", str(DATA / "parties_taiwan_big5.csv"), "--case", "999")
    assert out.returncode == 2 and "999" in out.stderr
    out = run("--db", str(path), "import", str(tmp_path / "none.csv"), "--case", "1")
    assert out.returncode == 2 and "is not a file" in out.stderr


def test_sigkill_mid_import_leaves_verify_ok_and_no_trace(run, db, tmp_path):
    path, case_id = db
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "country", "notes"])
        for i in range(400_000):
            w.writerow([f"Company {i} Holdings Ltd", "SG" if i % 2 else "China", f"row {i}"])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "casedesk",
            "--db",
            str(path),
            "import",
            str(big),
            "--case",
            str(case_id),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=os.environ.copy(),
    )
    seen = []
    deadline = time.monotonic() + 120
    try:
        for line in proc.stderr:
            seen.append(line)
            # well past the first chunks: rows are in the (uncommitted) transaction
            if "Importing:" in line and " rows" in line:
                done = int(line.split("Importing:")[1].split("rows")[0].replace(",", ""))
                if done >= 30_000:
                    break
            if time.monotonic() > deadline:
                break
        assert proc.poll() is None, "the import finished before it could be killed: " + "".join(
            seen
        )
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    verify = run("--db", str(path), "verify", "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert json.loads(verify.stdout)["ok"] is True
    con = sqlite3.connect(path)
    try:
        counts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("record", "link", "citation", "evidence", "blob", "import_batch")
        }
        audited = con.execute(
            "SELECT count(*) FROM audit_log WHERE entity IN ('record','evidence','import_batch')"
        ).fetchone()[0]
    finally:
        con.close()
    assert counts == dict.fromkeys(counts, 0) and audited == 0


def test_without_a_preset_the_fitting_one_is_used(run, db):
    path, case_id = db
    out = run(
        "--db",
        str(path),
        "import",
        str(DATA / "transactions_etherscan.csv"),
        "--case",
        str(case_id),
        "--json",
    )
    assert out.returncode == 0, out.stderr
    assert "using the transactions preset" in out.stderr
    assert json.loads(out.stdout)["created"] == 7
    # a screening-list file shares only "name" with the parties preset: CaseDesk will not guess
    out = run(
        "--db", str(path), "import", str(DATA / "csl_invalid_2019.csv"), "--case", str(case_id)
    )
    assert out.returncode == 2 and "cannot tell which preset fits" in out.stderr


def test_an_excel_inventory_imports_through_the_servers_preset(run, db, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path, case_id = db
    rows = list(csv.reader((DATA / "servers_inventory.csv").open(encoding="utf-8")))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Inventory"
    for row in rows:
        ws.append([int(c) if c.isdigit() else c for c in row])
    xlsx = tmp_path / "inventory.xlsx"
    wb.save(xlsx)
    out = run(
        "--db",
        str(path),
        "import",
        str(xlsx),
        "--case",
        str(case_id),
        "--preset",
        "servers",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["rows"] == 5 and payload["rejected"] == 1 and payload["created"] == 11
    records = json.loads(
        run(
            "--db",
            str(path),
            "records",
            "list",
            "--case",
            str(case_id),
            "--kind",
            "server",
            "--json",
        ).stdout
    )
    brisbane = next(r for r in records if r["label"] == "Brisbane H100 cluster")
    assert (
        brisbane["fields"]["server_count"] == 300
        and brisbane["fields"]["accelerators_per_server"] == 8
    )


def test_an_ownership_file_then_a_servers_file_make_one_company_and_the_hq_rule_sees_its_parent(
    run, db, tmp_path
):
    # the Singapore company is in both files with the same name and country; its parent is Chinese
    path, case_id = db
    ownership = tmp_path / "ownership.csv"
    ownership.write_text(
        "owner,owned,share,owner_country,owned_country\n"
        "Lingxi Cloud Holdings Co. Ltd.,Lingxi Compute Singapore Pte. Ltd.,100,CN,SG\n",
        encoding="utf-8",
    )
    servers = tmp_path / "servers.csv"
    servers.write_text(
        "label,accelerator,accelerators_per_server,server_count,data_center,city,country,"
        "operator,end_user,end_user_country\n"
        "Jurong H100 pod,H100 SXM,8,40,Jurong DC2,Singapore,SG,Keppel DC Operations,"
        "LINGXI COMPUTE SINGAPORE PTE LTD,SG\n",
        encoding="utf-8",
    )
    for file, preset in ((ownership, "ownership"), (servers, "servers")):
        out = run("--db", str(path), "import", str(file), "--case", str(case_id),
                  "--preset", preset, "--json")
        assert out.returncode == 0, out.stderr
    second = json.loads(out.stdout)
    assert second["merged"] == 1
    assert second["merges"][0]["reason"] == "same name and country"
    records = json.loads(
        run("--db", str(path), "records", "list", "--case", str(case_id), "--json").stdout
    )
    lingxi_sg = [r for r in records if "singapore" in r["label"].lower() and r["kind"] == "party"]
    assert len(lingxi_sg) == 1
    analysis = run("--db", str(path), "analyse", "--case", str(case_id), "--json")
    assert analysis.returncode == 0, analysis.stderr
    findings = json.loads(analysis.stdout)["findings"]
    hq = [f for f in findings if f["rule"] == "hq_controlled_compute"]
    assert hq and lingxi_sg[0]["id"] in hq[0]["record_ids"]
