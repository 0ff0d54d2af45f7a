"""Zero-width and bidi characters are kept in the data and shown by name in the dossier (pypdf)."""

from __future__ import annotations

from pypdf import PdfReader

from casedesk.domain.models import Record
from casedesk.services.cases import create_case
from casedesk.services.progress import run_to_end
from casedesk.services.records import RecordIn, create_record
from casedesk.services.reporting import DossierOptions, write_report

NAMES = {
    "pay\u200bpal Holdings": "pay⟨ZWSP⟩pal Holdings",
    "Zero\u200cWidth\u200dJoin Ltd": "Zero⟨ZWNJ⟩Width⟨ZWJ⟩Join Ltd",
    "Word\u2060Joiner\ufeff Corp": "Word⟨WJ⟩Joiner⟨BOM⟩ Corp",
    "Marks \u200eLRM\u200f RLM Co": "Marks ⟨LRM⟩LRM⟨RLM⟩ RLM Co",
    "Iso \u2066a\u2069 \u2067b\u2069 \u2068c\u2069 Inc": "Iso ⟨LRI⟩a⟨PDI⟩ ⟨RLI⟩b⟨PDI⟩ ⟨FSI⟩c⟨PDI⟩ Inc",
    "Embed \u202aa\u202c \u202bb\u202c \u202dc\u202c Plc": "Embed ⟨LRE⟩a⟨PDF⟩ ⟨RLE⟩b⟨PDF⟩ ⟨LRO⟩c⟨PDF⟩ Plc",
}


def test_hidden_characters_are_shown_by_name_in_the_dossier_and_kept_in_the_data(sqlite_ws, tmp_path):
    with sqlite_ws.write() as s:
        case_id = create_case(s, "Invisible").id
        ids = [create_record(s, case_id, RecordIn("party", {"label": n})).id for n in NAMES]
    out = tmp_path / "d.pdf"
    with sqlite_ws.read() as s:
        run_to_end(write_report(s, case_id, out, DossierOptions()))
        assert [s.get(Record, i).label for i in ids] == list(NAMES)  # stored as given
    text = "\n".join(page.extract_text() or "" for page in PdfReader(out).pages)
    for shown in NAMES.values():
        assert shown in text, shown
    assert "paypal" not in text.replace(" ", "")
    for ch in "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202d\u2066\u2067\u2068":
        assert ch not in text
