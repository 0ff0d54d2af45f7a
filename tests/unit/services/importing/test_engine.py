"""The import engine: duplicates against the case, rejects, all-or-nothing, cancel, bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casedesk.domain.errors import CaseDeskError, ValidationError
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
from casedesk.services.importing import (
    ImportOptions,
    analyse_import,
    load_preset,
    run_import,
)
from casedesk.services.importing.cells import normalise_number, unix_time_date
from casedesk.services.importing.provenance import neutralise_cell
from casedesk.services.progress import run_to_end
from casedesk.services.listings import list_links, list_records
from casedesk.services.records import IdentifierIn, RecordIn, create_record
from casedesk.services.verify import verify_workspace

DATA = Path(__file__).resolve().parents[3] / "data" / "import"
SHARED = Path("/work/shared/data/csl-samples/csl_invalid_2019.csv")


@pytest.fixture
def case(sqlite_ws):
    with sqlite_ws.write() as s:
        return create_case(s, "Import case").id


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def counts(ws) -> dict[str, int]:
    with ws.read() as s:
        return {
            m.__name__: s.scalar(select(func.count()).select_from(m))
            for m in (Record, Link, Citation, Evidence, Blob, ImportBatch, AuditEntry, Alias)
        }


def do_import(ws, case_id, path, preset="parties", **options):
    return run_to_end(
        run_import(ws, case_id, path, load_preset(preset), options=ImportOptions(**options))
    )


def test_exact_matches_merge_and_name_matches_are_only_suggested(sqlite_ws, case, tmp_path):
    with sqlite_ws.write() as s:
        lei = create_record(
            s,
            case,
            RecordIn(
                "party",
                {"label": "Acme Holdings Limited"},
                identifiers=[IdentifierIn("LEI", "213800KUD8LAJWSQ9D15")],
            ),
        ).id
        similar = create_record(
            s, case, RecordIn("party", {"label": "Aurora Compute Holdings Limited"})
        ).id
        same = create_record(s, case, RecordIn("party", {"label": "Beijing Widget Co."})).id
        wallet = create_record(
            s,
            case,
            RecordIn(
                "wallet",
                {
                    "label": "known",
                    "chain": "ETH",
                    "address": "0x7db418b5d567a4e0e8c59ad71be1fce48f3e6107",
                },
            ),
        ).id
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["name", "country", "identifiers", "website"],
            [
                "ACME Holdings Ltd (Singapore)",
                "SG",
                "LEI:213800KUD8LAJWSQ9D15",
                "https://acme.example",
            ],
            ["Auroras Compute Holdings Ltd", "KY", "", ""],
            ["beijing widget co", "CN", "", ""],
        ],
    )
    before = counts(sqlite_ws)
    result = do_import(sqlite_ws, case, path)
    assert result.merged == 1 and result.created == 2
    by_key = {s.label: s for s in result.suggestions}
    assert by_key["ACME Holdings Ltd (Singapore)"].decision == lei  # same LEI: merged
    assert (
        by_key["ACME Holdings Ltd (Singapore)"].candidates[0].reason
        == "same LEI 213800KUD8LAJWSQ9D15"
    )
    fuzzy = by_key["Auroras Compute Holdings Ltd"]
    assert fuzzy.decision is None and fuzzy.candidates[0].record_id == similar
    assert 88 <= fuzzy.candidates[0].score < 100
    # same name, another country: a suggestion, never linked
    assert by_key["beijing widget co"].candidates[0].reason == (
        "same name, country CN here, not given in the case"
    )
    assert by_key["beijing widget co"].decision is None
    payload = result.as_json()
    assert {s["label"] for s in payload["suggestions"]} == {
        "Auroras Compute Holdings Ltd",
        "beijing widget co",
    }
    with sqlite_ws.read() as s:
        acme = s.get(Record, lei)
        names = [a.name for a in acme.aliases]
        assert (
            acme.country == "SG" and acme.website == "https://acme.example"
        )  # empty fields filled
        assert names == ["ACME Holdings Ltd (Singapore)"]  # the file's spelling kept as an alias
        locs = s.scalars(select(Citation.locator).where(Citation.record_id == lei)).all()
    assert locs == ["row 2"]
    assert counts(sqlite_ws)["Record"] == before["Record"] + 2
    # The wallet was not in this file: untouched.
    with sqlite_ws.read() as s:
        assert s.get(Record, wallet).version == 1 and s.get(Record, same).version == 1


def test_the_wizards_decisions_merge_a_suggestion_or_keep_an_exact_match_apart(
    sqlite_ws, case, tmp_path
):
    with sqlite_ws.write() as s:
        similar = create_record(
            s, case, RecordIn("party", {"label": "Aurora Compute Holdings Limited"})
        ).id
        lei = create_record(
            s,
            case,
            RecordIn(
                "party",
                {"label": "Acme"},
                identifiers=[IdentifierIn("LEI", "213800KUD8LAJWSQ9D15")],
            ),
        ).id
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["name", "identifiers"],
            ["Auroras Compute Holdings Ltd", ""],
            ["Acme Asia", "LEI:213800KUD8LAJWSQ9D15"],
        ],
    )
    plan = run_to_end(analyse_import(sqlite_ws, case, path, load_preset("parties")))
    decisions = plan.default_decisions()
    assert sorted(decisions.values(), key=str) == [lei, None]
    keys = {s.label: s.entity_key for s in plan.suggestions}
    decisions[keys["Auroras Compute Holdings Ltd"]] = similar
    decisions[keys["Acme Asia"]] = None
    result = run_to_end(
        run_import(sqlite_ws, case, path, load_preset("parties"), decisions=decisions)
    )
    assert result.merged == 1 and result.created == 1
    with sqlite_ws.read() as s:
        labels = sorted(r["label"] for r in list_records(s, case))
        aliases = s.scalars(select(Alias.name).where(Alias.record_id == similar)).all()
    assert labels == ["Acme", "Acme Asia", "Aurora Compute Holdings Limited"]
    assert aliases == ["Auroras Compute Holdings Ltd"]


def test_same_name_and_no_country_merges_by_default(sqlite_ws, case, tmp_path):
    with sqlite_ws.write() as s:
        existing = create_record(s, case, RecordIn("party", {"label": "Beijing Widget Co."})).id
    path = write_csv(tmp_path / "p.csv", [["name"], ["BEIJING WIDGET CO"]])
    result = do_import(sqlite_ws, case, path)
    assert result.merged == 1 and result.created == 0 and result.suggestions[0].decision == existing
    (merge,) = result.as_json()["merges"]
    assert merge["merged_into"] == existing and merge["reason"].startswith("same name and country")


def test_a_server_row_naming_one_party_as_owner_operator_and_end_user_uses_the_end_users_country(
    sqlite_ws, case, tmp_path
):
    # only the end user has a country column; owner and operator of the same name are the same
    # party, so the row matches the case's Singapore company by name and country
    with sqlite_ws.write() as s:
        existing = create_record(
            s, case, RecordIn("party", {"label": "Nimbus Compute Pte. Ltd.", "country": "SG"})
        ).id
    header = ["label", "accelerator", "server_count", "data_center", "country", "owner",
              "operator", "end_user", "end_user_country"]
    same = write_csv(tmp_path / "s.csv", [header, ["Fleet A", "H100 SXM", "8", "SG3", "SG",
                     "NIMBUS COMPUTE PTE LTD", "NIMBUS COMPUTE PTE LTD", "NIMBUS COMPUTE PTE LTD",
                     "Singapore"]])
    result = do_import(sqlite_ws, case, same, preset="servers")
    (merge,) = result.as_json()["merges"]
    assert merge["merged_into"] == existing and merge["reason"] == "same name and country"
    assert result.created_by_kind.get("party", 0) == 0
    other = write_csv(tmp_path / "o.csv", [header, ["Fleet B", "H100 SXM", "8", "KL1", "MY",
                      "Nimbus Compute Pte Ltd", "", "Nimbus Compute Pte Ltd", "MY"]])
    result = do_import(sqlite_ws, case, other, preset="servers")
    assert result.merged == 0 and result.created_by_kind["party"] == 1
    assert "country MY here, SG in the case" in result.suggestions[0].candidates[0].reason


def test_keep_same_names_keeps_them_apart_as_a_suggestion(sqlite_ws, case, tmp_path):
    with sqlite_ws.write() as s:
        existing = create_record(s, case, RecordIn("party", {"label": "Beijing Widget Co."})).id
    path = write_csv(tmp_path / "p.csv", [["name"], ["BEIJING WIDGET CO"]])
    result = do_import(sqlite_ws, case, path, keep_same_names=True)
    assert result.merged == 0 and result.created == 1
    assert result.suggestions[0].decision is None
    assert result.suggestions[0].candidates[0].record_id == existing


def test_same_name_in_another_country_stays_a_suggestion(sqlite_ws, case, tmp_path):
    with sqlite_ws.write() as s:
        create_record(s, case, RecordIn("party", {"label": "Aurora Compute Pte. Ltd.", "country": "SG"}))
    path = write_csv(tmp_path / "p.csv", [["name", "country"], ["Aurora Compute Ltd", "HK"]])
    result = do_import(sqlite_ws, case, path)
    assert result.merged == 0 and result.created == 1
    (sg,) = result.suggestions
    assert sg.decision is None and "HK here, SG in the case" in sg.candidates[0].reason


def test_a_merge_target_whose_kind_breaks_a_link_rejects_the_row(sqlite_ws, case, tmp_path):
    with sqlite_ws.write() as s:
        create_record(s, case, RecordIn("party", {"label": "Tan Wei Ming", "party_kind": "person"}))
    path = write_csv(
        tmp_path / "o.csv",
        [["owner", "owned"], ["Aurora Holdings", "Tan Wei Ming"], ["Aurora Holdings", "Aurora HK"]],
    )
    result = do_import(sqlite_ws, case, path, "ownership")
    assert result.rejected == 1 and "cannot be linked by 'owns'" in result.rejects_sample[0].reason
    assert result.links == 1


def test_reimporting_the_same_ownership_file_matches_its_links(sqlite_ws, case):
    first = do_import(sqlite_ws, case, DATA / "ownership_aurora.csv", "ownership")
    again = do_import(sqlite_ws, case, DATA / "ownership_aurora.csv", "ownership")
    assert again.created == 0 and again.merged == first.created and again.links == 0
    assert again.links_matched == first.links
    with sqlite_ws.read() as s:
        assert len(list_links(s, case)) == first.links
        # the matched links cite the second file too
        assert (
            s.scalar(
                select(func.count()).select_from(Citation).where(Citation.link_id.is_not(None))
            )
            == 2 * first.links
        )
    assert verify_workspace(sqlite_ws).ok


def test_rejects_file_has_row_reason_original_cells_and_neutralised_formulas(
    sqlite_ws, case, tmp_path
):
    evil = "=cmd|' /C calc'!A0"
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["name", "country", "notes"],
            ["Good Co", "SG", evil],
            ["Bad Co", "Narnia", "+SUM(A1)"],
            ["", "SG", "@x"],
            ["-12.5", "CN", "-3"],
        ],
    )
    out = tmp_path / "rejects.csv"
    result = do_import(sqlite_ws, case, path, rejects_path=out)
    assert result.rejected == 2 and result.rejects_path == out
    with out.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == ["rejected_row", "rejected_reason", "name", "country", "notes"]
    assert (
        got[1][:4]
        == [
            "3",
            "country: unknown country 'Narnia' (give an ISO 3166 code or English name)",
            "Bad Co",
            "Narnia",
        ]
        and got[1][4] == "'+SUM(A1)"
    )
    assert got[2][0] == "4" and got[2][4] == "'@x"
    with sqlite_ws.read() as s:
        notes = {r["label"]: r["fields"]["notes"] for r in list_records(s, case)}
    assert notes["Good Co"] == evil  # stored literally, never evaluated or altered
    assert "-12.5" in notes  # a negative number is not a formula
    # a corrected rejects file imports again: its two extra columns are not kept as notes
    fixed = [got[0]] + [[*row[:3], "SG", row[4].lstrip("'")] for row in got[1:]]
    fixed[2][2] = "Named Now"
    result2 = do_import(sqlite_ws, case, write_csv(tmp_path / "fixed.csv", fixed))
    assert result2.created == 2 and result2.rejected == 0
    with sqlite_ws.read() as s:
        bad = next(r for r in list_records(s, case) if r["label"] == "Bad Co")
    assert bad["fields"]["notes"] == "+SUM(A1)"


def test_neutralise_cell():
    assert neutralise_cell("=1+1") == "'=1+1" and neutralise_cell("\tx") == "'\tx"
    assert neutralise_cell("-12.5") == "-12.5" and neutralise_cell("+44") == "+44"
    assert neutralise_cell("-") == "'-" and neutralise_cell("Acme") == "Acme"


def test_a_failure_late_in_the_file_leaves_the_workspace_exactly_as_before(
    sqlite_ws, case, tmp_path
):
    data = "name,country\n" + "".join(f"Company {i},SG\n" for i in range(12_000))
    path = tmp_path / "late.csv"
    path.write_bytes(data.encode() + "Müller GmbH,DE\n".encode("cp1252"))
    before = counts(sqlite_ws)
    rejects = tmp_path / "r.csv"
    from casedesk.services.importing import ReadOptions

    with pytest.raises(ValidationError) as err:
        run_to_end(
            run_import(
                sqlite_ws,
                case,
                path,
                load_preset("parties"),
                read=ReadOptions(encoding="utf-8"),
                options=ImportOptions(rejects_path=rejects),
            )
        )
    assert err.value.row == 12_002 and "not valid utf-8" in str(err.value)
    assert counts(sqlite_ws) == before
    assert not rejects.exists() and not list(tmp_path.glob(".r.csv.part"))
    assert verify_workspace(sqlite_ws).ok


def test_cancel_midway_leaves_nothing(sqlite_ws, case, tmp_path):
    path = write_csv(tmp_path / "big.csv", [["name"]] + [[f"Company {i}"] for i in range(30_000)])
    before = counts(sqlite_ws)
    job = run_import(sqlite_ws, case, path, load_preset("parties"))
    steps = 0
    for step in job:
        steps += 1
        if step.message.startswith("Importing: 20,000"):
            break
    job.close()  # what the runner's Cancel does
    assert steps > 3 and counts(sqlite_ws) == before
    assert verify_workspace(sqlite_ws).ok


def test_when_no_row_is_valid_nothing_is_written_but_the_reasons_are(sqlite_ws, case, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["name", "country"], ["A", "Narnia"], ["", "SG"]])
    out = tmp_path / "rej.csv"
    before = counts(sqlite_ws)
    with pytest.raises(ValidationError, match="none of the 2 rows can be imported"):
        do_import(sqlite_ws, case, path, rejects_path=out)
    assert counts(sqlite_ws) == before and out.exists()


def test_a_long_first_reason_is_shortened_at_a_word(sqlite_ws, case, tmp_path):
    header = ["name", "country", "headquarters_country", "identifiers"]
    row = ["A", "Narnia", "Atlantis", "LEI:5493001KJTIIGC8Y1R12;USCC:91350100M000100Y43;LEI:X"]
    path = write_csv(tmp_path / "p.csv", [header, row])
    with pytest.raises(ValidationError) as caught:
        do_import(sqlite_ws, case, path)
    shown = caught.value.reason.split("(first: row 2: ", 1)[1]
    assert shown.endswith(" …)") and len(shown) <= 202
    full = run_to_end(analyse_import(sqlite_ws, case, path, load_preset("parties")))
    reason = full.rejects_sample[0].reason
    kept = shown[: -len(" …)")]
    # the start of the full reason, cut where a word ends
    assert len(reason) > 200 and reason.startswith(kept) and reason[len(kept)] == " "


def test_mapping_that_does_not_fit_fails_before_anything_is_written(sqlite_ws, case):
    before = counts(sqlite_ws)
    with pytest.raises(ValidationError, match="no column 'owner'"):
        do_import(sqlite_ws, case, DATA / "parties_taiwan_big5.csv", "ownership")
    assert counts(sqlite_ws) == before


BAD = [
    ("empty.csv", b"", "is empty"),
    ("binary.csv", bytes(range(256)) * 64, "binary"),
    ("header_only.csv", b"name,country\r\n", "no data rows"),
    ("pdf.csv", b"%PDF-1.4 garbage", "PDF"),
]


@pytest.mark.parametrize("name, content, message", BAD)
def test_unusable_files_are_refused_with_a_message(
    sqlite_ws, case, tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    before = counts(sqlite_ws)
    with pytest.raises(ValidationError, match=message):
        do_import(sqlite_ws, case, path)
    assert counts(sqlite_ws) == before


def test_odd_rows_are_rejected_one_by_one(sqlite_ws, case, tmp_path):
    huge = "x" * 10_500_000
    data = (
        "name,country,notes\r\n"
        "Fine Co,SG,ok\n"  # LF after CRLF: mixed line endings
        "Short Co,SG\r"  # ragged: too few cells, CR ending
        "Long Co,SG,a,b\r\n"  # ragged: too many
        f"Huge Co,SG,{huge}\n"  # a 10 MB cell
        "Nul\x00Co,SG,with\x00nul\n"  # NULs are data
        '"Multi\nLine Co",HK,"a\nb"\n'
        'Formula Co,SG,=HYPERLINK("http://x")\n'
    )
    path = tmp_path / "odd.csv"
    path.write_text(data, encoding="utf-8", newline="")
    result = do_import(sqlite_ws, case, path)
    reasons = {r.row: r.reason for r in result.rejects_sample}
    assert set(reasons) == {3, 4, 5}
    assert "2 cells but the header has 3 columns" in reasons[3]
    assert "4 cells" in reasons[4] and "10,500,000 characters" in reasons[5]
    with sqlite_ws.read() as s:
        labels = {r["label"]: r for r in list_records(s, case)}
    assert set(labels) == {"Fine Co", "Nul\x00Co", "Multi\nLine Co", "Formula Co"}
    assert labels["Nul\x00Co"]["fields"]["notes"] == "with\x00nul"
    assert labels["Formula Co"]["fields"]["notes"] == '=HYPERLINK("http://x")'
    assert verify_workspace(sqlite_ws).ok


def test_the_malformed_csl_sample_is_rejected_row_by_row(sqlite_ws, case, tmp_path):
    path = tmp_path / "csl_invalid_2019.csv"
    path.write_bytes((DATA.parent / "import" / "csl_invalid_2019.csv").read_bytes())
    result = do_import(sqlite_ws, case, path)
    assert result.rows == 6 and result.rejected == 4
    assert all("but the header has 28 columns" in r.reason for r in result.rejects_sample)
    with sqlite_ws.read() as s:
        labels = sorted(r["label"] for r in list_records(s, case))
    assert labels == [
        "GAZPROMBANK UPRAVLENIE AKTIVAMI",
        "Gulf Eagle Industrial and Metal Profiles (GEIMP)",
    ]
    with sqlite_ws.read() as s:
        notes = next(r for r in list_records(s, case) if r["label"].startswith("GAZ"))["fields"][
            "notes"
        ]
    assert "source: Sectoral Sanctions Identifications List (SSI)" in notes  # nothing dropped


def test_analysis_writes_nothing_and_agrees_with_the_import(sqlite_ws, case):
    before = counts(sqlite_ws)
    plan = run_to_end(
        analyse_import(sqlite_ws, case, DATA / "servers_inventory.csv", load_preset("servers"))
    )
    assert counts(sqlite_ws) == before
    assert (plan.rows, plan.valid, plan.rejected, plan.links) == (5, 4, 1, 11)
    assert plan.new_records == {"server": 4, "datacenter": 3, "party": 4}
    assert (
        plan.valid_sample[0].row == 2
        and ("datacenter", "datacenter", "Brisbane DC1") in plan.valid_sample[0].records
    )
    assert plan.rejects_sample[0].row == 6 and plan.note_columns == ["Asset tag prefix"]
    result = do_import(sqlite_ws, case, DATA / "servers_inventory.csv", "servers")
    assert (result.rows, result.valid, result.rejected, result.links) == (5, 4, 1, 11)
    assert result.created_by_kind == plan.new_records


def test_number_and_date_forms():
    assert normalise_number("1,234,567") == "1234567" and normalise_number("1.234,5") == "1234.5"
    assert normalise_number("12,5") == "12.5" and normalise_number("50 %") == "50"
    assert normalise_number("1'000") == "1000" and normalise_number("0,125") == "0.125"
    assert (
        unix_time_date("1717200000") == "2024-06-01"
        and unix_time_date("1717200000000") == "2024-06-01"
    )
    with pytest.raises(ValidationError):
        unix_time_date("yesterday")


def test_a_hostile_file_never_escapes_as_anything_but_a_user_error(sqlite_ws, case, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"name\n\xff\xfe\x00\x00garbage\n")
    try:
        do_import(sqlite_ws, case, path)
    except CaseDeskError:
        pass
    assert verify_workspace(sqlite_ws).ok
