"""Encoding decided per file with evidence: nearly-valid UTF-8, Big5 and GB18030 never Windows-1252."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casedesk.domain.errors import ValidationError
from casedesk.services.cases import create_case
from casedesk.services.importing import ImportOptions, ReadOptions, load_preset, run_import
from casedesk.services.importing.encodings import detect_encoding, implausibility
from casedesk.services.importing.reading import RowStream, inspect_source
from casedesk.services.listings import list_records
from casedesk.services.progress import run_to_end

TRADITIONAL = [
    "華為技術有限公司",
    "鴻海精密工業股份有限公司",
    "台灣積體電路製造股份有限公司",
    "聯發科技股份有限公司",
    "廣達電腦股份有限公司",
    "緯創資通股份有限公司",
    "英業達股份有限公司",
    "華碩電腦股份有限公司",
]
SIMPLIFIED = [
    "华为技术有限公司",
    "浪潮电子信息产业股份有限公司",
    "中科曙光信息产业股份有限公司",
    "深圳市腾讯计算机系统有限公司",
    "阿里巴巴（中国）有限公司",
    "北京百度网讯科技有限公司",
    "联想（北京）有限公司",
    "中芯国际集成电路制造有限公司",
]


def _table(names: list[str], country: str) -> str:
    return "name,country\n" + "".join(f"{n},{country}\n" for n in names)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "names, codec, expected",
    [
        (TRADITIONAL, "big5", "cp950"),
        (TRADITIONAL[:1], "big5", "cp950"),  # charset-normalizer alone says Shift JIS here
        (TRADITIONAL[:2], "big5", "cp950"),
        (SIMPLIFIED, "gb18030", "gb18030"),
        (SIMPLIFIED[:1], "gb18030", "gb18030"),
        (SIMPLIFIED[:2], "gb18030", "gb18030"),
    ],
)
def test_big5_and_gb18030_are_read_as_such_long_or_short(tmp_path, names, codec, expected):
    path = _write(tmp_path, "cn.csv", _table(names, "TW").encode(codec))
    info = inspect_source(path)
    assert info.encoding == expected
    assert "decodes cleanly as" in info.encoding_how and "Windows-1252" in info.encoding_how
    assert [c[0] for _, c in RowStream(info)] == names


def test_windows_1252_reads_of_chinese_bytes_are_implausible():
    for codec, names in (("big5", TRADITIONAL), ("gb18030", SIMPLIFIED)):
        data = _table(names, "CN").encode(codec)
        assert implausibility(data.decode(codec)) == 0
        assert implausibility(data.decode("cp1252", errors="replace")) > 0.5


def test_western_and_cyrillic_legacy_files_keep_their_encodings():
    assert detect_encoding("name\nMüller GmbH\nSociété Générale\n".encode("cp1252"))[0] == "cp1252"
    assert detect_encoding("name\nГазпром\nСбербанк России\n".encode("cp1251"))[0] == "cp1251"


def _utf8_with_one_bad_byte() -> bytes:
    rows = [f"{n},CN" for n in SIMPLIFIED[:5]]
    rows.insert(5, "Beta\udcff Ltd,DE")  # row 7 of the file: one 0xFF byte
    rows += ["Müller GmbH,DE", "Société Générale,FR"]
    text = "name,country\n" + "\n".join(rows) + "\n"
    return text.encode("utf-8", errors="surrogateescape")


def test_one_bad_byte_in_utf8_is_utf8_with_that_row_rejected(tmp_path):
    data = _utf8_with_one_bad_byte()
    assert b"\xff" in data and data.count(b"\xff") == 1
    info = inspect_source(_write(tmp_path, "one_bad.csv", data))
    assert info.encoding == "utf-8" and "1 byte not valid" in info.encoding_how
    stream = RowStream(info)
    rows = dict(stream)
    assert rows[2] == [SIMPLIFIED[0], "CN"] and rows[8] == ["Müller GmbH", "DE"]
    assert rows[7] == ["Beta\ufffd Ltd", "DE"]  # shown with U+FFFD, never a lone surrogate
    assert list(stream.bad_rows) == [7] and "name: byte 0xFF is not valid UTF-8" in stream.bad_rows[7]
    assert stream.encoding_evidence() == "UTF-8 except 1 invalid byte at row 7 (rejected)"


@pytest.fixture
def case(sqlite_ws):
    with sqlite_ws.write() as s:
        return create_case(s, "Encodings").id


def test_import_rejects_the_row_and_reports_encoding_and_evidence(sqlite_ws, case, tmp_path):
    path = _write(tmp_path, "one_bad.csv", _utf8_with_one_bad_byte())
    rejects = tmp_path / "rejects.csv"
    result = run_to_end(
        run_import(sqlite_ws, case, path, load_preset("parties"),
                   options=ImportOptions(rejects_path=rejects))
    )
    assert (result.created, result.rejected) == (7, 1)
    (reject,) = result.rejects_sample
    assert reject.row == 7 and "0xFF is not valid UTF-8" in reject.reason
    data = json.loads(json.dumps(result.as_json()))
    assert data["encoding"] == "utf-8"
    assert data["encoding_evidence"] == "UTF-8 except 1 invalid byte at row 7 (rejected)"
    assert "Beta\ufffd Ltd" in rejects.read_text("utf-8-sig")
    with sqlite_ws.read() as s:
        labels = {r["label"] for r in list_records(s, case)}
    assert SIMPLIFIED[0] in labels and "Müller GmbH" in labels and "Société Générale" in labels


def test_encoding_option_still_overrides_and_is_read_strictly(tmp_path):
    path = _write(tmp_path, "one_bad.csv", _utf8_with_one_bad_byte())
    with pytest.raises(ValidationError, match="not valid utf-8"):
        inspect_source(path, ReadOptions(encoding="utf-8"))
    info = inspect_source(path, ReadOptions(encoding="latin-1"))
    assert info.encoding == "iso8859-1" and info.encoding_how == "chosen"
    assert dict(RowStream(info))[7] == ["Beta\xff Ltd", "DE"]
    gb = _write(tmp_path, "gb.csv", _table(SIMPLIFIED, "CN").encode("gb18030"))
    assert inspect_source(gb, ReadOptions(encoding="gbk")).encoding == "gb18030"


def test_a_file_that_keeps_failing_utf8_is_stopped_not_rejected_piecemeal(tmp_path):
    good = "".join(f"{SIMPLIFIED[i % 8]} {i},CN\n" for i in range(100)).encode()
    bad = "".join(f"Société {i},FR\n" for i in range(40)).encode("cp1252")
    info = inspect_source(_write(tmp_path, "mixed.csv", b"name,country\n" + good + bad))
    assert info.encoding == "utf-8"
    with pytest.raises(ValidationError) as err:
        list(RowStream(info))
    assert err.value.field == "encoding" and "not UTF-8" in str(err.value) and err.value.row == 102
