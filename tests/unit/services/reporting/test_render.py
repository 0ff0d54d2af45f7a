"""The rendered dossier, read back with pypdf: content, fonts, literal text, redaction, reproducibility."""

from __future__ import annotations

import hashlib
import io
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from casedesk.domain.errors import Cancelled, CaseDeskError, ValidationError
from casedesk.services.cases import create_case
from casedesk.services.progress import Progress, run_to_end
from casedesk.services.reporting import DossierOptions, build_dossier, render_dossier, write_report


def _write(ws, case_id, out: Path, **options) -> tuple[dict, bytes]:  # noqa: ANN001
    with ws.read() as s:
        result = run_to_end(write_report(s, case_id, out, DossierOptions(**options)))
    return result, out.read_bytes()


def _squash(text: str) -> str:
    """Text without whitespace, so values wrapped across lines still match."""
    return "".join(text.split())


def _body(data: bytes, title: str, marking: str = "UNCLASSIFIED") -> str:
    """The text of every page without headers and footers, so a value split by a page break joins up."""
    furniture = {marking, title, ""}
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        lines = page.extract_text().splitlines()
        # Headers and footers are drawn before each page's content: marking, case title, footer
        # line, marking, "Page x of" and the page count.
        while lines and (lines[0].strip() in furniture or lines[0].startswith(("CaseDesk dossier ·", "Page "))
                         or lines[0].strip().isdigit()):
            lines.pop(0)
        out.append("\n".join(lines))
    return "\n".join(out)


@pytest.fixture
def demo_pdf(demo, out_dir):  # noqa: ANN001, ANN201
    result, data = _write(demo.ws, demo.case_id, out_dir / "demo.pdf", author="Test Analyst",
                          marking="CONFIDENTIAL")
    return demo, result, data


def test_demo_dossier_holds_chinese_names_hashes_markers_and_the_audit_head(demo_pdf, helpers):
    demo, result, data = demo_pdf
    text = helpers.pdf_text(data)
    flat = _squash(text)
    assert "北京一家公司" in text and "上海AI初創公司" in text and "華爾街日報揭密" in text
    with demo.ws.read() as s:
        d = build_dossier(s, demo.case_id)
    for ev in d.evidence:
        assert ev.sha256 in flat
    assert "[E1]" in text and "[E4]" in text
    assert d.audit.hash in flat
    assert "casedesk" in text and "verify" in text
    assert "CONFIDENTIAL" in text and "Test Analyst" in text
    # The page count is a form drawn when the document is saved: extracted after a line break.
    assert re.search(rf"Page 1 of\s+{result['pages']}\b", text)
    assert re.search(rf"Page {result['pages']} of\s+{result['pages']}\b", text)
    words = " ".join(text.split())  # table cells wrap: compare with line breaks as spaces
    assert "Controlled H100 accelerators used by a party headquartered in China" in words
    assert "AW, Derek (fictitious entry)" in words and "different date of birth" in words
    assert result["sha256"] == hashlib.sha256(data).hexdigest()
    assert result["pages"] == len(PdfReader(io.BytesIO(data)).pages)


def test_every_font_is_embedded_truetype(demo_pdf):
    _demo, _result, data = demo_pdf
    reader = PdfReader(io.BytesIO(data))
    fonts = {}
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert any("WenQuanYiMicroHei" in name for name in fonts)
    assert any("DejaVuSans" in name for name in fonts)
    for name, font in fonts.items():
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{name} is not embedded"


def test_bookmarks_cover_sections_and_profiles(demo_pdf, helpers):
    _demo, _result, data = demo_pdf
    titles = helpers.outline(data)
    for section in ("Contents", "Executive summary", "Findings", "Open questions", "Link chart",
                    "Party profiles",
                    "Compute inventory", "Contracts and payments", "Timeline",
                    "Screening hits and decisions", "Evidence register", "Appendix: verifying this dossier"):
        assert section in titles
    assert "Derek Aw" in titles and "Beijing AI company (unnamed)" in titles


def test_open_questions_section_lists_each_gap_once_with_its_records(demo, out_dir, helpers):
    _result, data = _write(demo.ws, demo.case_id, out_dir / "q.pdf", as_of="2024-05")
    body = _body(data, "Remote H100 access for Chinese AI firms via a decentralised GPU platform (demo)")
    section = body[body.index("What the analysis as of 31 May 2024 could not decide"):]
    assert "Q1. Accelerator count unknown (1)" in section
    assert "Planned Blackwell cluster" in section
    assert "31 May 2024" in helpers.pdf_text(data)   # the cover's As of


def test_contents_page_lists_each_section_with_its_page(demo_pdf):
    _demo, _result, data = demo_pdf
    reader = PdfReader(io.BytesIO(data))
    contents = reader.pages[1].extract_text()
    assert "Executive summary" in contents and "Evidence register" in contents
    outline = {str(item.title): reader.get_destination_page_number(item)
               for item in reader.outline if not isinstance(item, list)}
    lines = [line.strip() for line in contents.splitlines()]
    for title in ("Executive summary", "Timeline", "Evidence register"):
        at = lines.index(title)
        number = next(line for line in lines[at + 1:] if line.isdigit())
        assert int(number) == outline[title] + 1


def test_same_state_and_options_give_identical_bytes(demo, out_dir):
    _r1, first = _write(demo.ws, demo.case_id, out_dir / "a.pdf", redaction="external", author="A")
    _r2, second = _write(demo.ws, demo.case_id, out_dir / "b.pdf", redaction="external", author="A")
    assert first == second
    _r3, other = _write(demo.ws, demo.case_id, out_dir / "c.pdf", redaction="external", author="B")
    assert other != first


def test_creation_date_comes_from_the_audit_head(demo_pdf):
    demo, _result, data = demo_pdf
    with demo.ws.read() as s:
        d = build_dossier(s, demo.case_id)
    stamp = "".join(ch for ch in d.audit.at[:19] if ch.isdigit())
    assert PdfReader(io.BytesIO(data)).metadata["/CreationDate"].startswith(f"D:{stamp}")


def test_hostile_names_appear_literally(hostile, out_dir, helpers):
    _result, data = _write(hostile.ws, hostile.case_id, out_dir / "h.pdf", marking="SECRET <b>&</b> 机密",
                           author="Desk\x00 \u202eEvil\ud800 <i>")
    text = helpers.pdf_text(data)
    names = helpers.hostile_names
    for key in ("font", "para", "unbalanced", "cjk", "mixed"):
        assert names[key] in text, key
    assert "Nul⟨NUL⟩Byte GmbH" in text
    assert "Override ⟨RLO⟩gnp.exe⟨PDF⟩ Corp" in text
    assert "Emoji 😀 Holdings" in text and "Fox 🦊 Compute 𝐁𝐨𝐥𝐝 Ltd" in text  # drawn, and extractable
    assert "⟨U+1F" not in text and "⟨U+1D" not in text
    assert "\x00" not in text and "\u202e" not in text
    assert "SECRET <b>&</b>" in text and "机密" in text
    notes = _squash(helpers.pdf_text(data))
    assert helpers.long_tail in notes and notes.count("Longnotes") >= 9000  # the 100,000-character note
    assert "Hostile <b>names</b> & 北京" in text
    assert "Desk⟨NUL⟩ ⟨RLO⟩Evil⟨U+D800⟩ <i>" in text
    assert PdfReader(io.BytesIO(data)).metadata["/Author"] == "Desk⟨NUL⟩ ⟨RLO⟩Evil⟨U+D800⟩ <i>"


def test_external_redaction_leaves_withheld_text_out_of_the_pdf(demo, out_dir, helpers):
    _result, data = _write(demo.ws, demo.case_id, out_dir / "ext.pdf", redaction="external")
    text = helpers.pdf_text(data)
    flat = _squash(text).lower()
    titles = " ".join(helpers.outline(data))
    meta = str(PdfReader(io.BytesIO(data)).metadata)
    for secret in ("Derek", "Joseph Tse", "Kendler", "Raimondo", "0x4Ee67B258521feC0A065Fa935278b299836f576a",
                   "TK9zNDxUX51UeQZPWSwkCPXv2kULuK6o3F", "bitcoin miner", "different date of birth",
                   "Raffaele Huang"):
        assert _squash(secret).lower() not in flat, secret
        assert secret not in titles and secret not in meta
    assert "Beijing AI company (unnamed)" in text  # companies stay named
    assert "External release" in text


def test_sensitive_redaction_leaves_out_sensitive_records_and_evidence(hostile, out_dir, helpers):
    _result, data = _write(hostile.ws, hostile.case_id, out_dir / "s.pdf", redaction="sensitive")
    text = helpers.pdf_text(data)
    assert "Covert Procurement Front" not in text and "SOURCE-ZETA" not in text
    assert "E12345678" not in text and "Harbour Road" not in text
    assert "Zhang Weiming" in text and "张伟明" in text
    _result, full = _write(hostile.ws, hostile.case_id, out_dir / "n.pdf")
    assert "Covert Procurement Front" in helpers.pdf_text(full)


def test_empty_case_gives_a_short_valid_dossier(sqlite_ws, out_dir, helpers):
    with sqlite_ws.write() as s:
        case_id = create_case(s, "Nothing yet").id
    result, data = _write(sqlite_ws, case_id, out_dir / "empty.pdf")
    text = helpers.pdf_text(data)
    assert result["pages"] <= 8
    assert "No findings are recorded" in text and "No records to chart" in text
    assert "No evidence in this dossier" in text


def test_render_step_needs_no_database(demo, out_dir):
    with demo.ws.read() as s:
        dossier = build_dossier(s, demo.case_id)
    demo.ws.dispose()
    buffer = io.BytesIO()
    seen: list[Progress] = []
    pages = render_dossier(dossier, buffer, seen.append)
    assert pages > 5 and buffer.getvalue().startswith(b"%PDF")
    assert seen and seen[-1].done <= seen[-1].total


def test_missing_folder_is_refused_before_any_work(demo, tmp_path):
    target = tmp_path / "nope" / "d.pdf"
    with demo.ws.read() as s, pytest.raises(ValidationError, match="does not exist"):
        run_to_end(write_report(s, demo.case_id, target))
    assert not target.parent.exists()


def test_unwritable_target_gets_a_clear_message(demo, tmp_path):
    folder = tmp_path / "dir.pdf"
    folder.mkdir()
    with demo.ws.read() as s, pytest.raises(ValidationError, match="is a folder"):
        run_to_end(write_report(s, demo.case_id, folder))
    with demo.ws.read() as s, pytest.raises(CaseDeskError, match="cannot write"):
        run_to_end(write_report(s, demo.case_id, "/proc/dossier.pdf"))
    with demo.ws.read() as s, pytest.raises(ValidationError, match="NUL"):
        run_to_end(write_report(s, demo.case_id, str(tmp_path / "a\x00b.pdf")))


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder_is_refused(demo, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with demo.ws.read() as s, pytest.raises(ValidationError, match="not writable"):
            run_to_end(write_report(s, demo.case_id, folder / "d.pdf"))
    finally:
        folder.chmod(0o700)


def test_cancel_leaves_no_file_and_no_partial_file(demo, out_dir):
    target = out_dir / "cancelled.pdf"
    target.write_bytes(b"previous dossier")
    with demo.ws.read() as s:
        job = write_report(s, demo.case_id, target)
        for step in job:
            if step.message == "Laying out pages" and step.total:
                job.close()  # what the runner does on Cancel
                break
    assert target.read_bytes() == b"previous dossier"
    assert list(out_dir.iterdir()) == [target]


def test_failed_render_leaves_no_partial_file(demo, out_dir, monkeypatch):
    from casedesk.services.reporting import job as job_module

    def broken(dossier, progress=None):  # noqa: ANN001, ANN202
        raise Cancelled("stopped")

    monkeypatch.setattr(job_module, "render_bytes", broken)
    with demo.ws.read() as s, pytest.raises(Cancelled):
        run_to_end(write_report(s, demo.case_id, out_dir / "x.pdf"))
    assert list(out_dir.iterdir()) == []


def test_current_view_dossier_shows_only_the_view(demo, out_dir, helpers):
    ids = demo.ids
    shown = frozenset({ids["Beijing AI company (unnamed)"], ids["Brisbane H100 fleet"]})
    _result, data = _write(demo.ws, demo.case_id, out_dir / "view.pdf", record_ids=shown,
                           positions={ids["Beijing AI company (unnamed)"]: (0.0, 0.0),
                                      ids["Brisbane H100 fleet"]: (200.0, 50.0)})
    text = helpers.pdf_text(data)
    assert "Current view: 2 of 32 records" in text
    assert "Derek Aw" not in text and "Joseph Tse" not in text
    assert "Chart positions come from the current view" in text


def test_long_unbroken_strings_wrap_inside_the_page(sqlite_ws, out_dir, helpers):
    from casedesk.services.links import add_link
    from casedesk.services.records import RecordIn, create_record

    blob = "0x" + "ab" * 2500  # 5,002 characters without a break
    url = "https://example.org/" + "segment/" * 200
    with sqlite_ws.write() as s:
        case_id = create_case(s, "Long strings").id
        a = create_record(s, case_id, RecordIn("party", {"label": "A" * 400, "website": url})).id
        b = create_record(s, case_id, RecordIn("party", {"label": "B Ltd", "notes": blob})).id
        add_link(s, case_id, "owns", a, b, role=blob[:900])
    _result, data = _write(sqlite_ws, case_id, out_dir / "long.pdf")
    flat = _squash(_body(data, "Long strings"))
    assert blob in flat and url in flat and "A" * 400 in flat
    reader = PdfReader(io.BytesIO(data))
    assert all(float(p.mediabox.width) < 900 for p in reader.pages)  # nothing widened a page


def test_long_tables_split_across_pages_with_the_header_repeated(sqlite_ws, out_dir, helpers):
    from casedesk.services.evidence import add_event
    from casedesk.services.records import RecordIn, create_record

    with sqlite_ws.write() as s:
        case_id = create_case(s, "Many events").id
        rid = create_record(s, case_id, RecordIn("party", {"label": "Busy Ltd"})).id
        for i in range(600):
            add_event(s, case_id, f"Event number {i:04d}", f"20{10 + i % 15}-{1 + i % 12:02d}", record_id=rid)
    _result, data = _write(sqlite_ws, case_id, out_dir / "events.pdf")
    reader = PdfReader(io.BytesIO(data))
    pages = [p.extract_text() for p in reader.pages]
    timeline = [t for t in pages if "Event number" in t]
    assert len(timeline) >= 8
    for text in timeline:  # every page of the table starts with its header row
        assert "When\nUntil\nWhat" in text or "When Until What" in text
    everything = "\n".join(pages)
    assert all(f"Event number {i:04d}" in everything for i in range(600))


def test_payments_show_the_transfer_facts_and_external_blacks_out_the_hash(sqlite_ws, out_dir):
    from tests.factories import make_link, make_wallet

    tx = "0x" + "3c" * 32
    with sqlite_ws.write() as s:
        case_id = create_case(s, "Transfers").id
        a = make_wallet(s, case_id, "Buyer wallet", address="0x7db418b5d567a4e0e8c59ad71be1fce48f3e6107")
        b = make_wallet(s, case_id, "Platform wallet", address="0xde709f2102306220921060314715629080e2fb77")
        make_link(s, case_id, "transferred_to", a, b, tx_hash=tx, value="1250.5", asset="USDT",
                  tx_time="2024-06-02T13:05:00Z")
    _result, data = _write(sqlite_ws, case_id, out_dir / "t.pdf")
    text = _squash(_body(data, "Transfers"))
    assert "1250.5USDT" in text and tx in text and "2June2024,13:05:00UTC" in text
    _result, external = _write(sqlite_ws, case_id, out_dir / "x.pdf", redaction="external")
    text = _squash(_body(external, "Transfers"))
    assert tx not in text and "1250.5USDT" in text


def test_right_to_left_names_are_drawn_shaped_in_display_order(hostile, out_dir, helpers):
    import unicodedata

    _result, data = _write(hostile.ws, hostile.case_id, out_dir / "rtl.pdf")
    # pypdf's layout mode keeps the order glyphs are drawn in (its plain mode turns right-to-left
    # runs around again). Drawn left to right: joined Arabic letter forms, so NFKC of the line
    # read backwards is the name; Hebrew letters reversed, the number left to right.
    pages = [p.extract_text(extraction_mode="layout") for p in PdfReader(io.BytesIO(data)).pages]
    drawn = unicodedata.normalize("NFKC", "\n".join(pages))
    arabic, hebrew = helpers.hostile_names["arabic"], helpers.hostile_names["hebrew"]
    assert drawn.count(arabic[::-1]) >= 3  # profile heading, names table, chart
    assert drawn.count('מ"עב 2024 ןנע בושחמ תרבח') >= 3
    assert arabic not in drawn and hebrew not in drawn  # nowhere drawn in stored (logical) order
    raw = "\n".join(pages)
    assert "\ufeb7" in raw and "ش" not in raw  # shaped: presentation forms, no bare letters
    assert arabic in helpers.outline(data)  # bookmarks keep logical order: the viewer lays them out


def test_the_dossier_names_its_subjects_first(demo, out_dir, helpers):
    _result, data = _write(demo.ws, demo.case_id, out_dir / "subjects.pdf")
    text = helpers.pdf_text(data)
    summary = text[text.index("Executive summary", text.index("Contents") + 200):]
    # The summary's first table is the subjects, before the key figures.
    assert summary.index("Subjects") < summary.index("Beijing AI company (unnamed)") < summary.index("Key figures")
    titles = helpers.outline(data)
    profiles = titles[titles.index("Party profiles"):]
    assert profiles[1] == "Subjects" and profiles[2] == "Beijing AI company (unnamed)"
    assert profiles.index("Other parties") < profiles.index("Context") < profiles.index("Amazon Web Services")


def test_a_long_arabic_description_and_notes_read_top_down_in_the_dossier(sqlite_ws, out_dir, arabic):
    import unicodedata

    from casedesk.services.links import add_link
    from casedesk.services.records import RecordIn, create_record

    with sqlite_ws.write() as s:
        case_id = create_case(s, "Dubai servers").id
        a = create_record(s, case_id, RecordIn("party", {
            "label": "شركة الحوسبة السحابية", "party_kind": "company", "description": arabic,
            "notes": "Analyst note: " + arabic})).id
        b = create_record(s, case_id, RecordIn("party", {"label": "Holding Ltd", "party_kind": "company"})).id
        add_link(s, case_id, "owns", b, a, notes=arabic[::-1])
    _result, data = _write(sqlite_ws, case_id, out_dir / "dubai.pdf")
    pages = [p.extract_text(extraction_mode="layout") for p in PdfReader(io.BytesIO(data)).pages]
    page = next(t for t in pages if "Analyst note" in t)
    lines = [line.strip() for line in page.splitlines() if line.strip()]

    def logical(line: str) -> list[str]:  # a right-to-left line read back from the right
        return [unicodedata.normalize("NFKC", w[::-1]) for w in reversed(line.split())]

    words = arabic.split()
    top = next(i for i, line in enumerate(lines) if logical(line)[:2] == words[:2])
    read: list[str] = []
    for line in lines[top:]:
        if len(read) >= len(words):
            break
        read += logical(line)
    assert read == words  # the description: first logical line on top, every line in order
    # The notes start with Latin, so they read from the left; their Arabic wraps in logical order.
    note = next(i for i, line in enumerate(lines) if line.startswith("Analyst note:"))
    assert lines[note].split()[:2] == ["Analyst", "note:"]
    assert logical(" ".join(lines[note].split()[2:]))[:2] == words[:2]
    # A right-to-left link note is a paragraph of its own under its "Note on …" line.
    page = next(t for t in pages if "Note on" in t)
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    head = next(i for i, line in enumerate(lines) if line.startswith("Note on"))
    back = arabic[::-1].split()
    read = []
    for line in lines[head + 1:]:
        if len(read) >= len(back):
            break
        read += logical(line)
    assert read == back
