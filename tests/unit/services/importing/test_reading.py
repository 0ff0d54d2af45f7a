"""Reading import files: encodings, delimiters, headers, odd line endings, and bad files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from casedesk.domain.errors import ValidationError
from casedesk.services.importing.reading import (
    ReadOptions,
    RowStream,
    cell_text,
    inspect_source,
)
from casedesk.services.importing.sniffing import cut_at_line_end, detect_encoding

DATA = Path(__file__).resolve().parents[3] / "data" / "import"
NAMES = ["华为技术有限公司", "深圳市腾讯计算机系统有限公司", "中芯国际集成电路制造有限公司"]
TRAD = ["台灣積體電路製造股份有限公司", "鴻海精密工業股份有限公司", "廣達電腦股份有限公司"]


def _write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def rows(info) -> list[tuple[int, list[str]]]:
    return list(RowStream(info))


@pytest.mark.parametrize(
    "encoding, names, expected",
    [
        ("gb18030", NAMES, "gb18030"),
        ("big5", TRAD, "cp950"),
        (
            "cp1252",
            ["Müller GmbH", "Café Société SA", "São Paulo Ltda", "Ærø Façade ApS"],
            "cp1252",
        ),
        ("utf-8", NAMES + TRAD, "utf-8"),
    ],
)
def test_encoding_is_detected_and_every_character_survives(tmp_path, encoding, names, expected):
    text = "name,country\n" + "".join(f"{n},XX\n" for n in names * 20)
    info = inspect_source(_write(tmp_path, "f.csv", text, encoding))
    assert info.encoding == expected
    assert [r[1][0] for r in rows(info)] == names * 20


def test_byte_order_marks_win(tmp_path):
    for bom_enc, data in (
        ("utf-8-sig", codecs.BOM_UTF8 + "name\nÅsa\n".encode()),
        ("utf-16", "name\nÅsa 华为\n".encode("utf-16")),
    ):
        info = inspect_source(_write(tmp_path, "bom.csv", data))
        assert info.encoding == bom_enc and info.encoding_how == "byte order mark"
        assert info.columns == ("name",)
        assert rows(info)[0][1][0].startswith("Åsa")


def test_big5_sample_cut_at_a_line_end_still_detects(tmp_path):
    # A 64 KB sample cut inside a two-byte character defeats Big5 detection (platform notes):
    # the reader cuts its sample at a line end. Pad the header so byte 65,536 is a lead byte.
    line = "台灣積體電路製造股份有限公司,TW\n".encode("big5")
    for pad in range(64):
        body = b"name,country" + b" " * pad + b"\n" + line * (70_000 // len(line))
        head = body[:65536]
        if (
            head[-1] >= 0x81
            and head[:-1].decode("big5", errors="ignore")
            and len(head.rsplit(b"\n", 1)[1]) % 2 == 1
        ):
            break
    else:
        raise AssertionError("no padding puts the cut inside a character")
    assert detect_encoding(head)[0] == "cp950"
    assert cut_at_line_end(head).endswith(b"\n")
    info = inspect_source(_write(tmp_path, "big.csv", body))
    assert info.encoding == "cp950" and rows(info)[-1][1][0] == "台灣積體電路製造股份有限公司"


def test_cp950_extension_characters_round_trip():
    info = inspect_source(DATA / "parties_taiwan_big5.csv")
    names = [r[1][0] for r in rows(info)]
    assert "宏碁股份有限公司" in names  # 碁 is outside strict Big5


def test_declared_encoding_is_used_and_a_wrong_one_is_explained(tmp_path):
    path = _write(tmp_path, "gb.csv", "name\n" + "\n".join(NAMES) + "\n", "gb18030")
    info = inspect_source(path, ReadOptions(encoding="GB18030"))
    assert info.encoding_how == "chosen" and rows(info)[0][1] == [NAMES[0]]
    with pytest.raises(ValidationError) as err:
        inspect_source(path, ReadOptions(encoding="utf-8"))
    assert "not valid utf-8" in str(err.value) and "encoding" in err.value.field


def test_wrong_encoding_far_into_the_file_fails_whole_and_names_the_row(tmp_path):
    good = "".join(f"Company {i},SG\n" for i in range(30_000))
    data = b"name,country\n" + good.encode() + "Müller GmbH,DE\n".encode("cp1252")
    info = inspect_source(_write(tmp_path, "late.csv", data), ReadOptions(encoding="utf-8"))
    with pytest.raises(ValidationError) as err:
        rows(info)
    assert err.value.field == "encoding" and err.value.row == 30_002


@pytest.mark.parametrize(
    "delimiter, suffix", [(",", ".csv"), (";", ".csv"), ("\t", ".tsv"), ("|", ".txt")]
)
def test_delimiter_is_detected(tmp_path, delimiter, suffix):
    text = (
        delimiter.join(["name", "country", "notes"])
        + "\n"
        + "".join(delimiter.join([f"Co {i}", "SG", '"a, b; c"']) + "\n" for i in range(10))
    )
    info = inspect_source(_write(tmp_path, "d" + suffix, text))
    assert info.delimiter == delimiter and info.columns == ("name", "country", "notes")
    assert rows(info)[0][1] == ["Co 0", "SG", "a, b; c"]


def test_quoted_multiline_cells_and_mixed_line_endings(tmp_path):
    data = b'name,notes\r\nA,"line one\nline two"\nB,plain\rC,"x\r\ny"\r\n'
    info = inspect_source(_write(tmp_path, "m.csv", data))
    got = rows(info)
    assert [r[1] for r in got] == [["A", "line one\nline two"], ["B", "plain"], ["C", "x\r\ny"]]
    assert [r[0] for r in got] == [2, 3, 4]  # a multi-line cell is one row, as a spreadsheet shows


def test_header_below_a_preamble_and_files_without_header(tmp_path):
    text = "Exported from Etherscan on 2024-06-01\n\nTxhash,From,To\n0xabc,0x1,0x2\n"
    info = inspect_source(_write(tmp_path, "p.csv", text), known_columns={"txhash", "from", "to"})
    assert info.header_row == 3 and info.columns == ("Txhash", "From", "To")
    assert rows(info) == [(4, ["0xabc", "0x1", "0x2"])]
    data = "0x52908400098527886e0f7030069857d2e4169ee7,12.5,2024-06-01\n" * 3
    info = inspect_source(_write(tmp_path, "nohead.csv", data))
    assert info.header_row == 0 and info.columns == ("Column 1", "Column 2", "Column 3")
    assert len(rows(info)) == 3


def test_duplicate_and_missing_headers_are_named_and_reported(tmp_path):
    info = inspect_source(_write(tmp_path, "h.csv", "name,,Name,country\nA,x,B,SG\n"))
    assert info.columns == ("name", "Column 2", "Name (2)", "country")
    assert any("appears more than once" in w for w in info.warnings)
    assert any("no header" in w for w in info.warnings)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"\n\n  \n", "no text"),
        (b"name,country\n", "header row but no data rows"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (bytes(range(256)) * 40, "binary"),
        (b"PK\x03\x04" + b"\x00" * 100, "zip"),
    ],
)
def test_unusable_files_get_a_clear_message(tmp_path, content, message):
    with pytest.raises(ValidationError) as err:
        inspect_source(_write(tmp_path, "bad.csv", content))
    assert message in str(err.value)


def test_nul_bytes_inside_cells_are_data(tmp_path):
    info = inspect_source(_write(tmp_path, "nul.csv", b"name,notes\nA\x00B,x\x00y\n"))
    assert rows(info) == [(2, ["A\x00B", "x\x00y"])]


def test_an_unclosed_quote_swallowing_the_file_is_a_clear_error(tmp_path, monkeypatch):
    from casedesk.services.importing import settings

    real = settings.import_settings()
    monkeypatch.setattr(
        settings,
        "import_settings",
        lambda: type(real)(**{**real.__dict__, "max_field_chars": 1000}),
    )
    import casedesk.services.importing.reading as reading

    monkeypatch.setattr(reading, "import_settings", settings.import_settings)
    data = 'name,notes\nA,ok\nB,"never closed\n' + "x" * 5000 + "\n"
    info = inspect_source(_write(tmp_path, "q.csv", data))
    with pytest.raises(ValidationError) as err:
        rows(info)
    assert "longer than 1,000 characters" in str(err.value)


def test_xlsx_sheets_dates_and_numbers(tmp_path):
    import datetime as dt

    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Fleet"
    ws.append(["label", "server_count", "installed", "ratio", "name"])
    ws.append(["A", 300, dt.date(2024, 6, 1), 2.5, "华为技术有限公司"])
    ws.append([None, None, None, None, None])
    ws.append(["B", 1200.0, dt.datetime(2024, 6, 1, 12, 30), 0.1, "鴻海"])
    wb.create_sheet("Other").append(["x"])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    info = inspect_source(path)
    assert info.kind == "sheet" and info.sheets == ("Fleet", "Other") and info.sheet == "Fleet"
    assert rows(info) == [
        (2, ["A", "300", "2024-06-01", "2.5", "华为技术有限公司"]),
        (4, ["B", "1200", "2024-06-01 12:30:00", "0.1", "鴻海"]),
    ]
    other = inspect_source(path, ReadOptions(sheet="Other", header_row=0))
    assert rows(other) == [(1, ["x"])]
    with pytest.raises(ValidationError, match="no sheet"):
        inspect_source(path, ReadOptions(sheet="Nope"))


def test_a_damaged_spreadsheet_is_refused(tmp_path):
    path = _write(tmp_path, "broken.xlsx", b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(ValidationError, match="cannot be read as a spreadsheet"):
        inspect_source(path)


def test_cell_text_shows_values_as_people_see_them():
    assert cell_text(3.0) == "3" and cell_text(2.5) == "2.5" and cell_text(None) == ""
    assert cell_text(True) == "TRUE"
