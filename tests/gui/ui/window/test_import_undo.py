"""An import from the window lands on the undo stack: Edit › Undo removes it; Redo says why it cannot."""

from __future__ import annotations

import csv

from sqlalchemy import func, select

from casedesk.domain.models import Evidence, ImportBatch, Record


def _count(ws, model, case_id=None) -> int:
    with ws.read() as s:
        q = select(func.count()).select_from(model)
        if case_id is not None:
            q = q.where(model.case_id == case_id)
        return s.scalar(q)


def test_edit_undo_takes_back_an_import_made_with_the_wizard(qtbot, driver, tmp_path):
    w, ws, case_id = driver.window, driver.ws, driver.case_id
    records, evidence = _count(ws, Record, case_id), _count(ws, Evidence, case_id)
    path = tmp_path / "new_parties.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["name", "country"], ["Quokka Holdings Pte. Ltd.", "SG"],
                                  ["Wombat Trading Ltd", "GB"]])
    wizard = w.import_evidence()
    wizard.file_page.set_path(path)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.plan is not None, timeout=20000)
    for _ in range(3):  # duplicates, evidence, review
        wizard.next()
    with qtbot.waitSignal(wizard.import_finished, timeout=30000):
        wizard.next()
    driver.idle()
    wizard.accept()
    assert _count(ws, Record, case_id) == records + 2
    undo = driver.action("undo")
    qtbot.waitUntil(undo.isEnabled, timeout=5000)
    assert "Import of new_parties.csv" in undo.text()
    undo.trigger()
    driver.idle()
    assert _count(ws, Record, case_id) == records and _count(ws, Evidence, case_id) == evidence
    assert _count(ws, ImportBatch, case_id) == 0
    assert "Quokka Holdings Pte. Ltd." not in driver.ids()
    # the party table forgot the removed records too (the ChangeSet reached the views)
    parties = w.tables["party"].model
    assert all(parties.data(parties.index(r, 1)) != "Quokka Holdings Pte. Ltd." for r in range(parties.rowCount()))
    redo = driver.action("redo")
    assert redo.isEnabled()
    redo.trigger()
    driver.idle()
    qtbot.waitUntil(lambda: w.dialog is not None and w.dialog.isVisible(), timeout=5000)
    assert "cannot be redone" in w.dialog.text()
    assert _count(ws, Record, case_id) == records
    w.dialog.close()
