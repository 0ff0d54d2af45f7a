"""Hostile names are ordinary data: a 1 MB label, a right-to-left override, NUL bytes, markup."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import Qt

from casedesk.services.cases import create_case
from casedesk.services.links import add_link
from casedesk.services.records import AliasIn, RecordIn, create_record
from casedesk.ui import text as ui_text
from casedesk.ui.chart.items import LABEL_WIDTH
from casedesk.ui.models.keyed import KeyedListModel

HUGE = "Shell Company " * 75_000  # about 1 MB
RLO = "Innocent Trading \u202eLLC gnidloH\u202c Ltd"
MARKUP = "<b>Bold</b> & <script>alert(1)</script>"


@pytest.fixture
def hostile(sqlite_ws):
    with sqlite_ws.write() as s:
        case_id = create_case(s, "Hostile names \u202e esac").id
        ids = {
            "huge": create_record(s, case_id, RecordIn("party", {"label": HUGE, "notes": HUGE})).id,
            "rlo": create_record(s, case_id, RecordIn("party", {"label": RLO},
                                                      aliases=[AliasIn("\u202dشركة\u202c", "Arab")])).id,
            "nul": create_record(s, case_id, RecordIn("party", {"label": "Nul\x00Byte\x07 Corp"})).id,
            "markup": create_record(s, case_id, RecordIn("party", {"label": MARKUP})).id,
        }
        add_link(s, case_id, "affiliate_of", ids["huge"], ids["rlo"], role=HUGE[:5000])
    return sqlite_ws, case_id, ids


def test_display_text_is_short_isolated_and_visible():
    assert len(ui_text.display(HUGE)) <= 300
    shown = ui_text.display(RLO)
    assert shown.startswith("\u2068") and shown.endswith("\u2069")
    assert shown.count("\u202c") == RLO.count("\u202c")
    # an unmatched PDI in the name cannot close our isolate early
    assert ui_text.display("a\u2069\u202eb").count("\u2069") == 1
    assert "\x00" not in ui_text.display("a\x00b") and "\u2400" in ui_text.display("a\x00b")
    assert "\u202e" not in ui_text.plain(RLO)


def test_hostile_records_render_in_chart_tables_and_inspector(qtbot, hostile, open_window):
    ws, case_id, ids = hostile
    window = open_window(ws)
    assert window.current_case_id() == case_id
    scene = window.chart.scene
    for rid in ids.values():
        item = scene.nodes[rid]
        assert item.label_rect().width() <= LABEL_WIDTH + 8
        assert item.boundingRect().height() < 120
    assert "\u2068" in scene.nodes[ids["rlo"]]._lines[0]
    edge = next(iter(scene.edges.values()))
    assert edge.label_rect().width() < 200
    table = window.tables["party"]
    row = table.model.row_of(ids["huge"])
    assert len(table.model.index(row, 1).data()) <= 201
    assert table.model.index(table.model.row_of(ids["markup"]), 1).data() == MARKUP  # shown as text
    window.select_record(ids["huge"])
    assert len(window.inspector.title.text()) <= 201
    assert window.inspector.title.textFormat() == Qt.TextFormat.PlainText
    note = window.inspector.editor("notes")
    assert note.input.isReadOnly() and "characters" in note.error.text()
    window.inspector.editor("label").commit()  # leaving a huge field unchanged writes nothing
    qtbot.waitUntil(window.is_idle)
    assert window.undo_stack.count() == 0
    window.select_record(ids["rlo"])
    # the override is named, not obeyed (domain.invisible, as in the dossier)
    assert window.inspector.title.text() == "Innocent Trading ⟨RLO⟩LLC gnidloH⟨PDF⟩ Ltd"
    window.select_record(ids["nul"])
    assert "\x00" not in window.inspector.title.text()
    for widget in (window, window.chart.view.viewport(), table.view.viewport()):
        widget.grab()  # paints without error or hang
    window.chart.view.zoom_by(3.0)
    window.chart.view.viewport().grab()


def test_keyed_list_model_reaches_any_order_with_precise_signals(qapp, qtmodeltester):
    class Model(KeyedListModel):
        columns = ("value",)

        def key_of(self, row):  # noqa: ANN001, ANN202
            return row[0]

        def row_data(self, row, column, role):  # noqa: ANN001, ANN202
            return str(row[1]) if role == Qt.ItemDataRole.DisplayRole else None

    model = Model()
    qtmodeltester.check(model)
    rng = random.Random(3)
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    for _ in range(60):
        keys = rng.sample(range(30), rng.randint(0, 30))
        rows = [(k, rng.randint(0, 2)) for k in keys]
        model.set_rows(rows)
        assert model.rows() == rows
    assert resets == []
