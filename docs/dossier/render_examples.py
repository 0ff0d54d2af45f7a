"""Render the demo dossier and save PNGs of its cover, a findings page and the chart page here.

Run: .venv/bin/python docs/dossier/render_examples.py [KEEP.pdf]   (needs pdftoppm, poppler-utils)

The demo case has no findings or screening hits until the analysis and screening modules run,
so this script writes two findings and one hit as plain rows first, shaped as those modules
store them, to show how the dossier presents them.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from casedesk.domain.clock import now_iso
from casedesk.domain.models import Finding, Link, Record
from casedesk.domain.watchlists import ScreeningHit
from casedesk.services.demo import load_demo_case
from casedesk.services.progress import run_to_end
from casedesk.services.reporting import DossierOptions, write_report
from casedesk.storage.workspace import open_workspace

HERE = Path(__file__).resolve().parent


def add_example_rows(ws, case_id: int) -> None:  # noqa: ANN001
    """Two findings with explaining paths and one decided screening hit, as plain rows."""
    now = now_iso()
    with ws.write() as s:
        ids = dict(s.execute(select(Record.label, Record.id).where(Record.case_id == case_id)).all())

        def link(src: str, kind: str, dst: str) -> int:
            return s.scalar(select(Link.id).where(Link.source_id == ids[src], Link.target_id == ids[dst],
                                                  Link.link_type == kind))

        beijing, fleet = "Beijing AI company (unnamed)", "Brisbane H100 fleet"
        sg, parent, blackwell = ("Singapore company with a Chinese parent (unnamed)",
                                 "Chinese parent of the Singapore company (unnamed)", "Planned Blackwell cluster")
        s.add(Finding(
            case_id=case_id, rule="controlled_compute_headquarters", subject_key="beijing", severity="critical",
            title="Controlled H100 compute used by a party headquartered in China (D:5)",
            explanation="The Beijing company uses the compute of the Brisbane fleet of at least 2,400 H100 "
                        "SXM accelerators (3A090.a). Its headquarters are in China, a Country Group D:5 "
                        "country.", record_ids=[ids[beijing], ids[fleet]],
            link_ids=[link(beijing, "uses_compute_of", fleet)], status="open", created_at=now, updated_at=now))
        s.add(Finding(
            case_id=case_id, rule="parent_in_country_of_concern", subject_key="singapore", severity="high",
            title="Blackwell cluster planned for a Singapore company whose parent is Chinese",
            explanation="The headquarters rule looks through the Singapore subsidiary to its Chinese parent.",
            record_ids=[ids[blackwell], ids[sg], ids[parent]],
            link_ids=[link(sg, "uses_compute_of", blackwell), link(sg, "subsidiary_of", parent)],
            status="confirmed", decided_by="demo analyst", decided_at=now, created_at=now, updated_at=now))
        s.add(ScreeningHit(
            case_id=case_id, record_id=ids["Derek Aw"], list_name="Example list (fictitious)",
            entry_key="X-1", entry_name="AW, Derek (fictitious example entry)", entry_hash="0" * 64, score=88.0,
            explanation={"summary": "token-sorted name matches; no date of birth on the list"},
            status="dismissed", reason="fictitious example: different person", decided_by="demo analyst",
            decided_at=now, created_at=now, updated_at=now))


def page_of(data: bytes, title: str) -> int:
    """The 1-based page a top-level bookmark points to."""
    reader = PdfReader(io.BytesIO(data))
    for item in reader.outline:
        if not isinstance(item, list) and str(item.title) == title:
            return reader.get_destination_page_number(item) + 1
    raise LookupError(title)


def main() -> int:
    keep = Path(sys.argv[1]) if len(sys.argv) > 1 else None  # optional: also keep the whole PDF here
    with tempfile.TemporaryDirectory() as tmp:
        ws = open_workspace(str(Path(tmp) / "demo.casedesk"))
        with ws.write() as s:
            case_id = load_demo_case(s).id
        add_example_rows(ws, case_id)
        pdf = Path(tmp) / "demo-dossier.pdf"
        with ws.read() as s:
            result = run_to_end(write_report(s, case_id, pdf, DossierOptions(
                marking="UNCLASSIFIED", author="CaseDesk demo", date="2026-11-25")))
        data = pdf.read_bytes()
        if keep is not None:
            keep.write_bytes(data)
        pages = {"cover": 1, "findings": page_of(data, "Findings"), "chart": page_of(data, "Link chart")}
        for name, page in pages.items():
            stem = HERE / f"demo-{name}"
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                            str(pdf), str(stem)], check=True)
            print(f"{stem}.png: page {page} of {result['pages']}")
        ws.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
