"""The inspector names zero-width and bidi characters beside the value; editing keeps them."""

from __future__ import annotations

from casedesk.domain.models import Record
from casedesk.services.cases import create_case
from casedesk.services.records import AliasIn, RecordIn, create_record


def test_hidden_characters_are_named_beside_the_value_and_kept_when_editing(
    qtbot, sqlite_ws, open_window
):
    with sqlite_ws.write() as s:
        case_id = create_case(s, "Hidden").id
        rid = create_record(s, case_id, RecordIn(
            "party", {"label": "pay\u200bpal Holdings", "website": "https://example.com",
                      "description": "Owner \u202egnp.exe\u202c"},
            aliases=[AliasIn("Pay\u200dPal", "Latn")])).id
        plain = create_record(s, case_id, RecordIn("party", {"label": "Plain Ltd"})).id
    window = open_window(sqlite_ws)
    window.select_record(rid)
    qtbot.waitUntil(window.is_idle)
    inspector = window.inspector
    assert "pay⟨ZWSP⟩pal Holdings" in inspector.title.text()
    assert "U+200B ZERO WIDTH SPACE" in inspector.title.toolTip()
    label = inspector.editor("label")
    assert label.raw() == "pay\u200bpal Holdings"  # the editor holds the real characters
    assert label.hidden_text() == "Invisible characters: pay⟨ZWSP⟩pal Holdings"
    assert "U+200B ZERO WIDTH SPACE (ZWSP) at character 4" in label.hidden.toolTip()
    assert inspector.editor("description").hidden_text().endswith("Owner ⟨RLO⟩gnp.exe⟨PDF⟩")
    assert inspector.editor("website").hidden_text() == ""
    assert any("Pay⟨ZWJ⟩Pal" in w.text() for w in inspector.findChildren(type(inspector.title)))

    # typing updates the note; an edit of another part keeps the hidden character
    label.set_raw("pay\u200bpal Holdings Ltd")
    assert label.hidden_text().endswith("pay⟨ZWSP⟩pal Holdings Ltd")
    label.commit()
    qtbot.waitUntil(window.is_idle)
    with sqlite_ws.read() as s:
        assert s.get(Record, rid).label == "pay\u200bpal Holdings Ltd"
    label.set_raw("paypal Holdings Ltd")
    assert label.hidden_text() == ""

    window.select_record(plain)
    qtbot.waitUntil(window.is_idle)
    assert inspector.editor("label").hidden_text() == ""
    assert inspector.title.text() == "Plain Ltd"
