"""Fixtures for dossier tests: the demo case with findings and hits, and a case of hostile names.

Findings and screening hits are written as plain rows, the way the analysis and screening
modules (built in parallel) store them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casedesk.domain.clock import now_iso
from casedesk.domain.models import Finding, Link, Record
from casedesk.domain.watchlists import ScreeningHit

HOSTILE_NAMES = {
    "font": "<font name='Courier' size=40>Big</font> Trading Ltd",
    "para": "<para>Evil</para> & Sons",
    "unbalanced": "Unbalanced < & > &amp; &#x41; Ltd",
    "nul": "Nul\x00Byte GmbH",
    "rlo": "Override \u202egnp.exe\u202c Corp",
    "emoji": "Emoji 😀 Holdings",
    "fox": "Fox 🦊 Compute 𝐁𝐨𝐥𝐝 Ltd",
    "arabic": "شركة الحوسبة السحابية",
    "hebrew": "חברת מחשוב ענן 2024 בע\"מ",
    "cjk": "北京算力科技有限公司",
    "mixed": "Mixed 上海 Shanghai Ltd",
}
LONG_NOTES_TAIL = "END-OF-LONG-NOTES-7f3a"
# A made-up description of a server-renting company in Dubai (no digits: they read left to
# right inside the line, which would spoil reading the drawn words back by reversing them).
ARABIC_PARAGRAPH = (
    "تقوم شركة الحوسبة السحابية في دبي بتأجير الخوادم لعملاء من خارج البلاد منذ سنوات عدة. "
    "وتملك الشركة مركز بيانات صغيرا في منطقة جبل علي يضم أكثر من مئتي خادم مزودة بمعالجات رسومية حديثة. "
    "ويقول موقعها الإلكتروني إنها تقدم خدماتها لشركات الذكاء الاصطناعي والبحث العلمي، "
    "لكن سجلاتها التجارية لا تذكر أسماء المالكين الحقيقيين، وقد غيرت عنوانها ثلاث مرات خلال عامين."
)


def pdf_text(data: bytes) -> str:
    """All text pypdf extracts from a PDF, page after page."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def pdf_outline_titles(data: bytes) -> list[str]:
    """Every bookmark title, depth first."""
    from pypdf import PdfReader

    out: list[str] = []

    def walk(items: Any) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(str(item.title))

    walk(PdfReader(io.BytesIO(data)).outline)
    return out


def ids_by_label(ws: Any, case_id: int) -> dict[str, int]:
    """Record ids of a case keyed by label."""
    with ws.read() as s:
        return {label: rid for rid, label in s.execute(
            select(Record.id, Record.label).where(Record.case_id == case_id))}


def link_id(ws: Any, source: int, link_type: str, target: int) -> int:
    """The id of the link of a type between two records."""
    with ws.read() as s:
        return s.scalar(select(Link.id).where(Link.source_id == source, Link.target_id == target,
                                              Link.link_type == link_type))


def add_finding_row(ws: Any, case_id: int, **fields: Any) -> int:
    """Write a Finding row directly, as the analysis module does."""
    now = now_iso()
    values = {"rule": "test_rule", "subject_key": fields.get("title", ""), "severity": "high",
              "explanation": "", "record_ids": [], "link_ids": [], "status": "open",
              "created_at": now, "updated_at": now} | fields
    with ws.write() as s:
        f = Finding(case_id=case_id, **values)
        s.add(f)
        s.flush()
        return f.id


def add_hit_row(ws: Any, case_id: int, record_id: int, **fields: Any) -> int:
    """Write a ScreeningHit row directly, as the screening module does."""
    now = now_iso()
    values = {"list_name": "Consolidated Screening List", "entry_key": "E-1", "entry_name": "Listed Co",
              "entry_hash": "0" * 64, "score": 91.0, "explanation": {"summary": "name matches"},
              "status": "open", "created_at": now, "updated_at": now} | fields
    with ws.write() as s:
        h = ScreeningHit(case_id=case_id, record_id=record_id, **values)
        s.add(h)
        s.flush()
        return h.id


@dataclass
class Demo:
    """The demo workspace with a finding and a screening hit added."""

    ws: Any
    case_id: int
    ids: dict[str, int]
    finding_id: int
    hit_id: int


@pytest.fixture
def demo(demo_ws) -> Demo:  # noqa: ANN001
    """The demo case plus one finding (with its explaining path) and one decided screening hit."""
    ws, case_id = demo_ws
    ids = ids_by_label(ws, case_id)
    beijing = ids["Beijing AI company (unnamed)"]
    fleet = ids["Brisbane H100 fleet"]
    uses = link_id(ws, beijing, "uses_compute_of", fleet)
    finding = add_finding_row(
        ws, case_id, rule="controlled_compute_d5", subject_key="beijing-brisbane", severity="critical",
        title="Controlled H100 accelerators used by a party headquartered in China",
        explanation="The Beijing company uses the compute of the Brisbane H100 fleet (3A090.a).",
        record_ids=[beijing, fleet], link_ids=[uses])
    hit = add_hit_row(ws, case_id, ids["Derek Aw"], entry_name="AW, Derek (fictitious entry)",
                      status="dismissed", reason="different date of birth", decided_by="analyst",
                      decided_at="2026-11-20T10:00:00Z")
    return Demo(ws, case_id, ids, finding, hit)


@dataclass
class Hostile:
    """A case of hostile names, huge notes, sensitive records and evidence."""

    ws: Any
    case_id: int
    ids: dict[str, int]


def make_hostile(ws: Any) -> Hostile:
    """Create the hostile case in a workspace."""
    from casedesk.services.cases import create_case
    from casedesk.services.evidence import attach_evidence, cite
    from casedesk.services.links import add_link
    from casedesk.services.records import AddressIn, AliasIn, IdentifierIn, RecordIn, create_record

    ids: dict[str, int] = {}
    with ws.write() as s:
        case_id = create_case(s, "Hostile <b>names</b> & 北京").id
        ev = attach_evidence(s, case_id, b"registry extract", title="Registry <i>extract</i>", grade="B2",
                             source="Registry & <Co>")
        secret_ev = attach_evidence(s, case_id, b"informant", title="Informant SOURCE-ZETA report",
                                    grade="C3")
        for key, name in HOSTILE_NAMES.items():
            rec = create_record(s, case_id, RecordIn("party", {"label": name, "party_kind": "company"},
                                                     aliases=[AliasIn("別名 " + key, "Hant", "zh", "aka")]))
            ids[key] = rec.id
            cite(s, ev.id, record_id=rec.id, locator="row <7>")
        notes = ("Long notes " * 10000)[:99_970] + LONG_NOTES_TAIL
        ids["long"] = create_record(s, case_id, RecordIn("party", {"label": "Long notes Ltd", "notes": notes})).id
        ids["person"] = create_record(s, case_id, RecordIn(
            "party", {"label": "Zhang Weiming", "party_kind": "person", "notes": "Met the broker in Macau"},
            aliases=[AliasIn("张伟明", "Hans", "zh", "legal")],
            identifiers=[IdentifierIn("PASSPORT", "E12345678")],
            addresses=[AddressIn("12 Harbour Road, Wan Chai", "Hong Kong", "HK")])).id
        ids["secret"] = create_record(s, case_id, RecordIn(
            "party", {"label": "Covert Procurement Front", "party_kind": "company", "sensitive": True})).id
        ids["wallet"] = create_record(s, case_id, RecordIn(
            "wallet", {"label": "Broker wallet", "chain": "ETH",
                       "address": "0x4Ee67B258521feC0A065Fa935278b299836f576a"})).id
        add_link(s, case_id, "owns", ids["font"], ids["para"], share_pct=51.5, role="<b>majority</b>")
        add_link(s, case_id, "owns", ids["secret"], ids["font"], share_pct=30)
        add_link(s, case_id, "officer_of", ids["person"], ids["cjk"], role="director")
        add_link(s, case_id, "controls_wallet", ids["person"], ids["wallet"])
        cite(s, secret_ev.id, record_id=ids["secret"], locator="para 2")
        secret = s.get(type(ev), secret_ev.id)
        secret.sensitive = True
    add_finding_row(ws, case_id, title="Covert Procurement Front owns Zhang Weiming's company <x>",
                    explanation="Path through Covert Procurement Front \x00 and "
                                "0x4ee67b258521fec0a065fa935278b299836f576a",
                    record_ids=[ids["secret"], ids["font"]], severity="medium")
    return Hostile(ws, case_id, ids)


@pytest.fixture
def hostile(sqlite_ws) -> Hostile:  # noqa: ANN001
    """The hostile case in a SQLite workspace."""
    return make_hostile(sqlite_ws)


@pytest.fixture
def arabic() -> str:
    """About 400 characters of Arabic prose that wraps over several lines."""
    return ARABIC_PARAGRAPH


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """A folder for written dossiers."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def helpers():  # noqa: ANN201
    """The helper functions above, for test modules (conftest cannot be imported directly)."""
    from types import SimpleNamespace

    return SimpleNamespace(pdf_text=pdf_text, outline=pdf_outline_titles, ids_by_label=ids_by_label,
                           link_id=link_id, add_finding=add_finding_row, add_hit=add_hit_row,
                           make_hostile=make_hostile, hostile_names=HOSTILE_NAMES,
                           long_tail=LONG_NOTES_TAIL)
