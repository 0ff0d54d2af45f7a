"""A case scripted from the command line: add, cite, link, edit (a stale one refused), merge, decide."""

from __future__ import annotations

import json
from pathlib import Path

LISTS = Path(__file__).resolve().parents[1] / "data" / "screening-lists"


def _ok(out) -> dict:  # noqa: ANN001
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_case_edited_end_to_end_from_the_command_line(run, tmp_path):
    db = ["--db", str(tmp_path / "ws.casedesk")]
    case_id = _ok(run(*db, "cases", "new", "Scripted case", "--json"))["id"]
    _ok(run(*db, "watchlist", "import", str(LISTS / "csl" / "consolidated_sample_2024.csv"), "--json"))
    keep = _ok(run(*db, "records", "add", "--case", str(case_id), "--kind", "party", "--label",
                   "Harbor Compute Pte. Ltd.", "--set", "party_kind=company", "--set", "country=SG", "--json"))
    assert keep["version"] == 1
    fleet = _ok(run(*db, "records", "add", "--case", str(case_id), "--kind", "server", "--label",
                    "Brisbane fleet", "--set", "accelerator_model=H100 SXM", "--set", "server_count=300",
                    "--set", "accelerators_per_server=8", "--json"))["id"]
    link = _ok(run(*db, "links", "add", "--case", str(case_id), "--type", "uses_compute_of", "--from", str(keep["id"]),
                   "--to", str(fleet), "--json"))
    assert link["version"] == 1

    evidence_file = tmp_path / "lease.txt"
    evidence_file.write_text("Harbor Compute leases 300 H100 servers in Brisbane.", encoding="utf-8")
    ev = _ok(run(*db, "evidence", "add", str(evidence_file), "--case", str(case_id), "--grade", "B2",
                 "--cite", str(keep["id"]), "--claim", "leases the fleet", "--json"))
    assert len(ev["sha256"]) == 64

    # Two editors start from version 1; the second is refused with who and when, and nothing is written.
    first = _ok(run(*db, "records", "edit", str(keep["id"]), "--set", "notes=seen in the lease",
                    "--expect-version", "1", "--json"))
    assert first["version"] == 2
    stale = run(*db, "records", "edit", str(keep["id"]), "--set", "notes=overwritten", "--expect-version", "1")
    assert stale.returncode == 3
    assert "changed by" in stale.stderr and "version 2" in stale.stderr
    shown = _ok(run(*db, "records", "show", str(keep["id"]), "--json"))
    assert shown["fields"]["notes"] == "seen in the lease" and shown["version"] == 2
    assert set(shown) >= {"id", "kind", "label", "version", "fields", "aliases", "identifiers", "citations",
                          "other_cases"}
    assert [c["evidence_id"] for c in shown["citations"]] == [ev["evidence_id"]]

    # A second record of the same company, screened and confirmed, merged into the first: the hit stays.
    drop = _ok(run(*db, "records", "add", "--case", str(case_id), "--kind", "party", "--label",
                   "Harbor Compute", "--set", "party_kind=company", "--json"))["id"]
    extra = _ok(run(*db, "records", "add", "--case", str(case_id), "--kind", "party", "--label",
                    "Rosneft Trade Limited", "--set", "party_kind=company", "--json"))["id"]
    hits = _ok(run(*db, "screen", "--case", str(case_id), "--json"))["hits"]
    hit = next(h for h in hits if h["record_id"] == extra)
    _ok(run(*db, "hits", "decide", str(hit["hit_id"]), "confirmed", "--reason", "same address", "--json"))
    merged = _ok(run(*db, "records", "merge", str(keep["id"]), str(extra), "--json"))
    assert merged["id"] == keep["id"] and merged["moved"]["screening_hits"] >= 1
    after = _ok(run(*db, "hits", "list", "--case", str(case_id), "--json"))
    kept = next(h for h in after if h["hit_id"] == hit["hit_id"])
    assert kept["record_id"] == keep["id"] and kept["status"] == "confirmed"

    # The confirmed hit raised a finding; decide it. A dismissal needs a reason.
    findings = _ok(run(*db, "findings", "list", "--case", str(case_id), "--json"))
    screening = next(f for f in findings if f["rule"] == "screening_hit")
    assert keep["id"] in screening["record_ids"]
    refused = run(*db, "findings", "decide", str(screening["id"]), "dismissed")
    assert refused.returncode == 2 and "reason" in refused.stderr
    decided = _ok(run(*db, "findings", "decide", str(screening["id"]), "confirmed", "--reason", "checked",
                      "--json"))
    assert decided["status"] == "confirmed"

    # Deletes name their version too; the case still verifies.
    _ok(run(*db, "links", "delete", str(link["id"]), "--expect-version", "1", "--json"))
    gone = run(*db, "records", "delete", str(drop), "--expect-version", "7")
    assert gone.returncode == 3
    _ok(run(*db, "records", "delete", str(drop), "--json"))
    assert _ok(run(*db, "verify", "--json"))["ok"] is True


def test_bad_field_values_name_the_field_and_write_nothing(run, tmp_path):
    db = ["--db", str(tmp_path / "ws.casedesk")]
    case_id = _ok(run(*db, "cases", "new", "Case", "--json"))["id"]
    for args, field in [(["--set", "bogus=1"], "bogus"), (["--set", "server_count=many"], "server_count"),
                        (["--set", "no-equals-sign"], "no-equals-sign")]:
        out = run(*db, "records", "add", "--case", str(case_id), "--kind", "server", "--label", "Fleet", *args)
        assert out.returncode == 2 and field in out.stderr, out.stderr
        assert "Traceback" not in out.stderr
    assert _ok(run(*db, "records", "list", "--case", str(case_id), "--json")) == []
    out = run(*db, "links", "add", "--case", str(case_id), "--type", "uses", "--from", "1", "--to", "2")
    assert out.returncode == 2 and "Traceback" not in out.stderr
