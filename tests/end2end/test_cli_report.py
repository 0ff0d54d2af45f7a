"""casedesk report and verify --dossier as investigators script them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest


def test_report_prints_path_pages_and_sha256(run, demo_db, tmp_path):
    db, case_id = demo_db
    target = tmp_path / "dossier.pdf"
    out = run("--db", str(db), "report", "--case", str(case_id), "-o", str(target), "--redact", "external",
              "--marking", "OFFICIAL-SENSITIVE", "--author", "Desk 4", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert {"path", "pages", "sha256"} <= set(result)
    assert Path(result["path"]) == target and result["pages"] > 5
    assert result["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    again = run("--db", str(db), "report", "--case", str(case_id), "-o", str(tmp_path / "again.pdf"),
                "--redact", "external", "--marking", "OFFICIAL-SENSITIVE", "--author", "Desk 4", "--json")
    assert json.loads(again.stdout)["sha256"] == result["sha256"]


def test_report_bad_input_exits_2_with_one_line_and_writes_nothing(run, demo_db, tmp_path):
    db, case_id = demo_db
    missing = tmp_path / "missing" / "d.pdf"
    out = run("--db", str(db), "report", "--case", str(case_id), "-o", str(missing))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "does not exist" in out.stderr
    assert not missing.parent.exists()
    for args, reason in ((["--redact", "nope"], "unknown redaction profile"),
                         (["--date", "yesterday"], "date"), (["--case", "999"], "no case")):
        target = tmp_path / "x.pdf"
        cmd = ["--db", str(db), "report", "--case", str(case_id), "-o", str(target), *args]
        out = run(*cmd)
        assert out.returncode == 2 and reason in out.stderr and "Traceback" not in out.stderr
        assert not target.exists() and not list(tmp_path.glob(".x.pdf*"))


def test_verify_dossier_matches_then_reports_later_changes(run, demo_db, tmp_path):
    db, case_id = demo_db
    target = tmp_path / "v.pdf"
    assert run("--db", str(db), "report", "--case", str(case_id), "-o", str(target)).returncode == 0
    out = run("--db", str(db), "verify", "--dossier", str(target), "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] and report["dossier"]["ok"] and not report["dossier"]["changed_since"]
    assert run("--db", str(db), "cases", "new", "Later case").returncode == 0
    later = json.loads(run("--db", str(db), "verify", "--dossier", str(target), "--json").stdout)
    assert later["ok"] and later["dossier"]["changed_since"] and later["dossier"]["entries_since"] >= 1
    plain = run("--db", str(db), "verify", "--dossier", str(target))
    assert "has changed since" in plain.stdout


def test_verify_dossier_from_another_workspace_fails(run, demo_db, tmp_path):
    db, case_id = demo_db
    target = tmp_path / "w.pdf"
    assert run("--db", str(db), "report", "--case", str(case_id), "-o", str(target)).returncode == 0
    other = tmp_path / "other.casedesk"
    assert run("--db", str(other), "demo").returncode == 0
    out = run("--db", str(other), "verify", "--dossier", str(target), "--json")
    assert out.returncode == 1
    problems = json.loads(out.stdout)["dossier"]["problems"]
    assert any("workspace" in p for p in problems)
    not_pdf = tmp_path / "n.pdf"
    not_pdf.write_text("hello")
    bad = run("--db", str(db), "verify", "--dossier", str(not_pdf))
    assert bad.returncode == 2 and "not a readable PDF" in bad.stderr


def test_demo_dossier_is_under_one_megabyte_with_every_font_subset(run, demo_db, tmp_path):
    """Fonts are embedded as subsets: the 5.2 MB CJK font and the emoji font add only what is drawn."""
    from pypdf import PdfReader

    db, case_id = demo_db
    assert run("--db", str(db), "records", "add", "--case", str(case_id), "--kind", "party",
               "--label", "Fox 🦊 شركة 北京 Ltd").returncode == 0  # every fallback font in use
    target = tmp_path / "demo.pdf"
    out = run("--db", str(db), "report", "--case", str(case_id), "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert target.stat().st_size < 1_000_000, f"{target.stat().st_size:,} bytes"
    fonts = set()
    for page in PdfReader(target).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    names = " ".join(sorted(fonts))
    for family in ("DejaVuSans", "WenQuanYi", "Symbola"):
        assert family in names, names


def test_hits_name_their_program_and_the_register_lists_each_list_snapshot(run, demo_db, tmp_path):
    """Each hit says the program and list snapshot it came from; the snapshot is in the register
    with its date and SHA-256; reasons read as an investigator writes them, with no internal trace."""
    import io

    from pypdf import PdfReader

    db, case_id = demo_db
    csl = Path(__file__).parents[1] / "data" / "screening-lists" / "csl" / "consolidated_sample_2024.csv"
    for args in (["watchlist", "import", str(csl)], ["analyse", "--case", str(case_id)],
                 ["records", "add", "--case", str(case_id), "--kind", "party", "--label", "Atlas Sanatgaran",
                  "--set", "country=AM"], ["screen", "--case", str(case_id)]):
        out = run("--db", str(db), *args)
        assert out.returncode == 0, out.stderr
    target = tmp_path / "hits.pdf"
    assert run("--db", str(db), "report", "--case", str(case_id), "-o", str(target)).returncode == 0
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
    flat = " ".join(text.split())
    hits = flat[flat.index("Screening hits and decisions Record"):flat.index("Evidence register Each")]
    assert "Unverified List (UVL) - Bureau of Industry and Security" in hits and "[L1]" in hits
    assert "Name 100 of 100: “Atlas Sanatgaran” in the case, “Atlas Sanatgaran” on the list" in hits
    register = flat[flat.index("Screening lists Each list snapshot"):]
    assert "[L1] US Consolidated Screening List" in register and "19 July 2023" in register
    assert hashlib.sha256(csl.read_bytes()).hexdigest() in register.replace(" ", "")
    # Investigator wording: no normaliser trace, no rule ids, no None, dates in words.
    for internal in ("compared as", "Normalisation:", "rule hq_", "_id", "None", "2026-", "T00:"):
        assert internal not in flat, internal
    assert "red flag: Controlled accelerators used by a party headquartered in a country of concern" in flat


def test_the_cover_names_the_author_and_organisation_from_preferences(run, demo_db, tmp_path):
    import io
    import json as _json

    from pypdf import PdfReader

    db, case_id = demo_db
    config = tmp_path / "config"
    config.mkdir()
    (config / "preferences.json").write_text(_json.dumps({"name": "Mei Lin", "organisation": "Harbor Compliance"}),
                                            encoding="utf-8")
    target = tmp_path / "author.pdf"
    out = run("--db", str(db), "report", "--case", str(case_id), "-o", str(target),
              env={"CASEDESK_CONFIG": str(config)})
    assert out.returncode == 0, out.stderr
    cover = PdfReader(io.BytesIO(target.read_bytes())).pages[0].extract_text()
    assert "Mei Lin (Harbor Compliance)" in " ".join(cover.split())
