"""Converting rows: repeated records are converted once, constants cleaned once, with the same
outcome as converting every row on its own."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import Citation, Link, Record, Wallet
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.cases import create_case
from casedesk.services.importing import ImportOptions, load_preset, run_import
from casedesk.services.importing.converting import RowConverter
from casedesk.services.importing.drafts import Reject
from casedesk.services.importing.mapping import mapping_from_data
from casedesk.services.progress import run_to_end

A = "0x" + "a1" * 20
B = "0x" + "b2" * 20
C = "0x" + "c3" * 20
HEADER = ["Txhash", "DateTime (UTC)", "From", "To", "Method"]


@pytest.fixture
def case(sqlite_ws):
    with sqlite_ws.write() as s:
        return create_case(s, "Converting case").id


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _import(ws, case_id, path, mapping, **params):
    return run_to_end(
        run_import(ws, case_id, path, mapping, options=ImportOptions(params=params))
    )


def test_a_wallet_on_many_rows_is_one_record_citing_every_row(sqlite_ws, case, tmp_path):
    path = _csv(
        tmp_path / "tx.csv",
        [
            HEADER,
            ["0x" + "1" * 64, "2024-03-01 10:00:00", A, B, "Transfer"],
            ["0x" + "2" * 64, "2024-03-01 11:00:00", A, C, "Transfer"],
            ["0x" + "3" * 64, "2024-03-02 09:00:00", C, A.upper().replace("0X", "0x"), "Transfer"],
            ["0x" + "4" * 64, "2024-03-03 09:00:00", B, A, "Transfer"],
        ],
    )
    result = _import(sqlite_ws, case, path, load_preset("transactions"))
    assert (result.created, result.links, result.rejected) == (3, 4, 0)
    with sqlite_ws.read() as s:
        wallets = dict(s.execute(select(Wallet.match_key, Wallet.id)).all())
        assert sorted(wallets) == sorted(a.lower() for a in (A, B, C))
        cited = dict(
            s.execute(
                select(Citation.record_id, Citation.locator).where(Citation.record_id.is_not(None))
            ).all()
        )
        assert cited[wallets[A.lower()]] == "rows 2–5"  # sender, sender, receiver, receiver
        assert cited[wallets[C.lower()]] == "rows 3–4"
        assert [r for (r,) in s.execute(select(Link.start_on).order_by(Link.id))] == [
            "2024-03-01",
            "2024-03-01",
            "2024-03-02",
            "2024-03-03",
        ]


def test_notes_of_a_repeated_record_stay_with_their_own_row(sqlite_ws, case, tmp_path):
    # The wallet keeps the unmapped column as notes; the same wallet on the next rows must not
    # carry the first row's notes (its draft is shared with them, so notes go on a copy).
    mapping = mapping_from_data(
        {
            "name": "wallet notes",
            "parameters": {"chain": {"default": "ETH"}},
            "records": [
                {
                    "key": "wallet",
                    "kind": "wallet",
                    "required": True,
                    "fields": {"label": "address", "address": "address", "chain": {"parameter": "chain"}},
                }
            ],
            "notes_on": "wallet",
        }
    )
    path = _csv(
        tmp_path / "w.csv",
        [["address", "memo"], [A, "first"], [A, ""], [A, "third"], [B, "other"]],
    )
    result = _import(sqlite_ws, case, path, mapping)
    assert result.created == 2
    with sqlite_ws.read() as s:
        notes = dict(
            s.execute(select(Wallet.match_key, Wallet.notes)).all()
        )
    assert notes[B.lower()] == "memo: other"
    lines = notes[A.lower()].splitlines()
    assert lines[0] == "memo: first" and lines[-1] == "row 4: memo: third"
    assert "other" not in notes[A.lower()] and notes[A.lower()].count("first") == 1


def test_a_bad_parameter_rejects_every_row_with_its_reason(sqlite_ws, case, tmp_path):
    mapping = load_preset("transactions")
    converter = RowConverter(mapping, tuple(HEADER), default_vocabulary(), {"chain": "NOPE-CHAIN"})
    rows = [["0x" + "1" * 64, "2024-03-01", A, B, "T"], ["0x02", "2024-03-01", B, A, "T"]]
    outcomes = [converter.convert(n, row) for n, row in enumerate(rows, start=2)]
    assert all(isinstance(o, Reject) for o in outcomes)
    assert all("chain" in o.reason for o in outcomes)
    # the chain was given, only not a known one: no misleading "no chain given" beside it
    assert not any("no chain given" in o.reason for o in outcomes)
    path = _csv(tmp_path / "tx.csv", [HEADER, *rows])
    with pytest.raises(ValidationError, match="none of the 2 rows"):
        _import(sqlite_ws, case, path, mapping, chain="NOPE-CHAIN")


def test_a_constant_link_value_is_kept_even_when_it_is_zero(sqlite_ws, case, tmp_path):
    mapping = mapping_from_data(
        {
            "name": "zero shares",
            "records": [
                {"key": "owner", "kind": "party", "required": True, "fields": {"label": "owner"}},
                {"key": "owned", "kind": "party", "required": True, "fields": {"label": "owned"}},
            ],
            "links": [
                {
                    "key": "ownership",
                    "type": "owns",
                    "source": "owner",
                    "target": "owned",
                    "fields": {"share_pct": {"constant": "0"}, "role": {"constant": "nominee"}},
                }
            ],
        }
    )
    path = _csv(tmp_path / "o.csv", [["owner", "owned"], ["Alpha Ltd", "Beta Ltd"], ["Alpha Ltd", "Gamma Ltd"]])
    result = _import(sqlite_ws, case, path, mapping)
    assert result.links == 2
    with sqlite_ws.read() as s:
        assert s.execute(select(Link.share_pct, Link.role)).all() == [(0.0, "nominee")] * 2


def test_a_party_cited_as_it_was_inserted_gets_all_its_rows_when_it_recurs(
    sqlite_ws, case, tmp_path
):
    # 26,000 distinct companies switch the repeat memo off (so records are cited as they are
    # inserted, chunk by chunk); the 20,050th company comes back on the last row, a chunk later.
    rows = [["name", "country"]] + [[f"Company {i} Ltd", "SG"] for i in range(26_000)]
    rows.append(["Company 20049 Ltd", "SG"])
    path = _csv(tmp_path / "parties.csv", rows)
    result = _import(sqlite_ws, case, path, load_preset("parties"))
    assert (result.rows, result.created) == (26_001, 26_000)
    with sqlite_ws.read() as s:
        located = dict(
            s.execute(
                select(Record.label, Citation.locator).join(
                    Citation, Citation.record_id == Record.id
                )
            ).all()
        )
    assert len(located) == 26_000 and result.citations == 26_000
    assert located["Company 20049 Ltd"] == "rows 20051, 26002"
    assert located["Company 0 Ltd"] == "row 2" and located["Company 25999 Ltd"] == "row 26001"


def test_names_scored_while_the_file_is_read_become_the_same_suggestions(
    sqlite_ws, case, tmp_path, monkeypatch
):
    # 12,000 rows: the first two chunks of names are scored on the background thread, the rest
    # at the end; the analysis (preview) and the import must agree on every suggestion.
    from casedesk.services.importing import analyse_import, engine

    monkeypatch.setattr(engine, "_FUZZY_BATCH", 4_000)  # each 5,000-row chunk goes aside
    from casedesk.services.records import RecordIn, create_record

    with sqlite_ws.write() as s:
        similar = create_record(
            s, case, RecordIn("party", {"label": "Aurora Compute Holdings Limited"})
        ).id
    rows = [["name", "country"]] + [[f"Filler {i} Ltd", "SG"] for i in range(12_000)]
    for at in (100, 7_000, 11_500):  # in the first, second and last chunk
        rows[at] = ["Auroras Compute Holdings Ltd " + "x" * (at // 5000), "KY"]
    path = _csv(tmp_path / "many.csv", rows)
    plan = run_to_end(analyse_import(sqlite_ws, case, path, load_preset("parties")))
    result = _import(sqlite_ws, case, path, load_preset("parties"))
    for found in (plan.suggestions, result.suggestions):
        fuzzy = sorted((s.first_row, s.candidates[0].record_id) for s in found)
        assert fuzzy == [(101, similar), (7001, similar), (11501, similar)]
        assert all(88 <= s.candidates[0].score < 100 for s in found)


def test_the_ascii_shortcut_of_the_name_normaliser_changes_nothing():
    import re
    import unicodedata

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from casedesk.services.importing.fuzzy_names import simple_normalize

    def by_regex(name: str) -> str:
        return " ".join(re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", name).casefold()).split())

    @settings(max_examples=500, deadline=None)
    @given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
    def check(name: str) -> None:
        assert simple_normalize(name) == by_regex(name)

    check()
    assert simple_normalize("ACME-Holdings_Ltd. (Singapore)") == "acme holdings ltd singapore"
    assert simple_normalize("Ｈｕａｗｅｉ　Technologies") == "huawei technologies"  # full width
