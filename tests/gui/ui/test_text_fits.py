"""No text is cut off at the default window size: labels show every line, one-line texts end in "…"."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QWidget

from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.findings import add_manual_finding
from casedesk.ui.dialogs.records import NewRecordDialog
from casedesk.ui.widgets.text_fit import ElidedButton, ElidedLabel, WrapLabel

pytestmark = pytest.mark.qt_log_ignore(r".*propagateSizeHints.*")


def clipped_texts(root: QWidget) -> list[str]:
    """Every visible label or button whose text does not fit the room it is shown in."""
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible() or w.width() <= 0 or isinstance(w, (ElidedButton, ElidedLabel)):
            continue  # the elided ones end in "…" on purpose, the whole text in their tooltip
        what = f"{type(w).__name__} {w.objectName()!r}"
        if isinstance(w, (QLabel, QAbstractButton, QComboBox)):
            seen = w.visibleRegion().boundingRect()
            if not seen.isEmpty() and seen.left() <= 0 and seen.right() < w.width() - 2:
                out.append(f"{what} cut off on the right by its parent")  # wider than the room shown
        if isinstance(w, QLabel) and w.text() and (w.pixmap() is None or w.pixmap().isNull()):
            if w.wordWrap():
                if w.heightForWidth(w.width()) > w.height() + 1:
                    out.append(f"{what} shows only part of its lines: {w.text()[:60]!r}")
            elif "<" not in w.text():
                room = w.contentsRect().width() - 2 * max(w.margin(), 0) - max(w.indent(), 0)
                widest = max(w.fontMetrics().horizontalAdvance(line) for line in w.text().split("\n"))
                if widest > room + 1:
                    out.append(f"{what} is narrower than its text: {w.text()[:60]!r}")
        elif isinstance(w, QAbstractButton) and w.text() and w.sizePolicy().horizontalPolicy().name != "Ignored":
            if w.sizeHint().width() > w.width() + 1:
                out.append(f"{what} is narrower than its text: {w.text()!r}")
    return out


def _settle(qtbot) -> None:
    for _ in range(5):
        QApplication.processEvents()
        qtbot.wait(10)


def test_no_text_in_the_window_is_cut_off_at_the_default_size(driver, qtbot):
    w = driver.window
    ids = driver.ids()
    seen = []
    for rid in (ids["Aw's GPU platform company (name not given)"], ids["Brisbane H100 fleet"]):
        w.select_record(rid)
        for tab in (*w.tables.values(), w.links_table, w.timeline, w.findings, w.hits, w.duplicates, w.audit):
            w._show_tab(tab)
            _settle(qtbot)
            seen += clipped_texts(w)
    assert not seen, "\n".join(sorted(set(seen)))


def test_the_finding_inspector_fits_the_dock_and_shows_its_whole_rule_line(driver, qtbot):
    w = driver.window
    ids = driver.ids()
    with driver.ws.write() as s:
        finding = add_manual_finding(
            s, driver.case_id, "Shanghai AI start-up (unnamed) uses controlled compute: California H100 fleet",
            severity="critical", explanation="A long explanation " * 20,
            record_ids=[ids["Brisbane H100 fleet"], ids["Smart-contract compute rental: Brisbane H100s for the "
                                                        "Beijing company"]], link_ids=[])
        fid = finding.id
    w.selection.select_finding(fid)
    _settle(qtbot)
    ins = w.inspector
    assert ins.mode == "finding"
    assert ins.widget().width() <= ins.viewport().width()  # nothing is pushed past the dock's edge
    assert "rule manual" in ins.subtitle.text()
    assert ins.subtitle.height() >= ins.subtitle.heightForWidth(ins.subtitle.width())
    rows = [b for b in ins.findChildren(ElidedButton) if b.isVisible()]
    contract = next(b for b in rows if b.text().startswith("Smart-contract compute rental"))
    assert contract.text() == "Smart-contract compute rental: Brisbane H100s for the Beijing company"
    assert contract.toolTip() == contract.text()
    if contract.is_elided():  # it ends in "…", never mid-letter
        assert QAbstractButton.text(contract).endswith("…")
    assert not clipped_texts(ins)


def test_the_inspector_field_names_show_every_line(driver, qtbot):
    w = driver.window
    w.select_record(driver.ids()["Brisbane H100 fleet"])
    _settle(qtbot)
    labels = [lab for lab in w.inspector.findChildren(WrapLabel) if lab.isVisible() and lab.text()]
    names = {lab.text() for lab in labels}
    assert {"Server vendor / model", "Server count", "Accelerators per server"} <= names
    for lab in labels:
        assert lab.height() >= lab.heightForWidth(lab.width()), lab.text()
    one_line = next(lab for lab in labels if lab.text() == "Server count")
    assert one_line.height() < 2 * one_line.fontMetrics().height()  # short names stay on one line


def test_the_new_party_message_shows_every_line_and_clears_once_the_value_is_right(qtbot):
    dialog = NewRecordDialog("party", default_vocabulary())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.editor("label").set_raw("Acme")
    dialog.editor("country").set_raw("Atlantis Federation of Nowhere")
    assert not dialog.try_accept()
    _settle(qtbot)
    error = dialog.editor("country").error
    assert error.text().startswith("unknown country 'Atlantis Federation of Nowhere'")
    assert error.height() >= error.heightForWidth(error.width()) > error.fontMetrics().height()  # 2+ lines
    assert dialog.editor("country").input.geometry().bottom() < error.geometry().top() + error.height()
    assert not clipped_texts(dialog)
    dialog.editor("country").set_raw("Atlantis")  # still wrong: the message stays
    assert dialog.editor("country").error_text()
    dialog.editor("country").set_raw("CN")  # put right: message and red border go at once
    assert dialog.editor("country").error_text() == ""
    assert dialog.editor("country").input.styleSheet() == ""


def test_the_export_dialog_note_never_runs_into_the_date_on_cover(driver, qtbot):
    w = driver.window
    w.actions_by_name["export_dossier"].trigger()
    dialog = w.dialog
    qtbot.waitExposed(dialog)
    for index in range(dialog.redaction.count()):
        dialog.redaction.setCurrentIndex(index)
        dialog.resize(dialog.minimumSizeHint().width(), dialog.height())  # as narrow as it goes
        _settle(qtbot)
        note = dialog.redaction_help
        assert note.height() >= note.heightForWidth(note.width()), dialog.redaction.currentText()
        assert note.geometry().bottom() < dialog.date.geometry().top(), dialog.redaction.currentText()
        assert not clipped_texts(dialog)
    dialog.reject()


def test_a_cut_hit_cell_shows_its_whole_text_in_the_tooltip(qtbot):
    from PySide6.QtCore import Qt

    from casedesk.ui.models.hit_table import HitTableModel

    model = HitTableModel()
    long_name = "Academy of Aerospace Solid Propulsion Technology (AASPT) " * 3
    model.set_hits([{"hit_id": 1, "record_id": 1, "record_label": long_name, "entry_name": "AASPT",
                     "program": "Military End User (MEU) List", "list": "US CSL", "score": 97.0,
                     "status": "open", "features": [], "explanation": "same name, same country"}])
    columns = [key for key, _title in HitTableModel.COLUMNS]
    tip = model.index(0, columns.index("record_label")).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == long_name
    assert model.index(0, columns.index("rule")).data(Qt.ItemDataRole.ToolTipRole) == "same name, same country"
