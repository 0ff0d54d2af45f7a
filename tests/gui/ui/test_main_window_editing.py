"""Editing as a user does it: create, edit with a refused value, link by drag, merge, delete, undo/redo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from casedesk.domain.models import AuditEntry, Link, Record


@pytest.fixture
def driver(driver_each):  # noqa: ANN001, ANN201
    """Every editing test runs on SQLite and, when CASEDESK_TEST_PG_URL is set, on PostgreSQL."""
    return driver_each


def _undo_text(driver) -> str:
    return driver.action("undo").text().replace("&", "")


def _count(ws, model) -> int:
    with ws.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_create_a_record_from_the_toolbar_refusing_a_bad_value_then_undo_and_redo(driver, qtbot):
    w = driver.window
    before = _count(driver.ws, Record)
    driver.action("new_wallet").trigger()
    dialog = w.dialog
    assert dialog.isVisible() and dialog.kind == "wallet"
    dialog.editor("label").set_raw("Mixer wallet")
    dialog.editor("chain").set_raw("ETH")
    dialog.editor("address").set_raw("0x4Ee67B258521feC0A065Fa935278b299836f576b")  # bad checksum
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.isVisible(), "an invalid address must keep the dialog open"
    assert "checksum" in dialog.editor("address").error_text().lower()
    assert _count(driver.ws, Record) == before
    dialog.editor("address").set_raw("0x52908400098527886E0F7030069857D2E4169EE7")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    driver.idle()
    new_id = driver.ids()["Mixer wallet"]
    assert w.selection.current_record_id() == new_id
    assert new_id in w.chart.scene.nodes
    assert w.tables["wallet"].model.row_of(new_id) is not None
    assert w.inspector.current() == ("record", new_id)
    assert _undo_text(driver) == "Undo Create wallet ‘Mixer wallet’"
    driver.action("undo").trigger()
    driver.idle()
    assert driver.record(new_id) is None
    assert new_id not in w.chart.scene.nodes
    assert w.tables["wallet"].model.row_of(new_id) is None
    driver.action("redo").trigger()
    driver.idle()
    assert driver.record(new_id)["label"] == "Mixer wallet"  # back under the same id
    assert new_id in w.chart.scene.nodes


def test_create_from_the_chart_context_menu_places_the_record_there(driver, qtbot):
    w = driver.window
    view = w.chart.view
    empty = view.mapToScene(QPoint(5, 5))
    w._on_chart_context(None, None, empty, view.mapToGlobal(QPoint(5, 5)))
    menu = w.context_menu
    action = next(a for a in menu.actions() if a.objectName() == "context_new_datacenter")
    action.trigger()
    menu.close()
    dialog = w.dialog
    dialog.editor("label").set_raw("Johor data center")
    dialog.editor("country").set_raw("Malaysia")
    assert dialog.try_accept()
    driver.idle()
    rid = driver.ids()["Johor data center"]
    assert driver.record(rid)["fields"][7][2] == "MY" or any(v == "MY" for _, _, v in driver.record(rid)["fields"])
    pos = w.chart.scene.nodes[rid].pos()
    assert abs(pos.x() - empty.x()) < 400 and abs(pos.y() - empty.y()) < 400


def test_edit_a_field_shows_the_services_reason_next_to_it_and_undoes(driver, qtbot):
    w = driver.window
    rid = driver.ids()["Derek Aw"]
    w.select_record(rid)
    editor = w.inspector.editor("country")
    editor.set_raw("Atlantis")
    editor.commit()
    assert "Atlantis" in editor.error_text()
    driver.idle()
    assert dict((n, v) for n, _, v in driver.record(rid)["fields"])["country"] is None
    audit_before = _count(driver.ws, AuditEntry)
    editor.set_raw("Singapore")
    editor.commit()
    driver.idle()
    assert editor.error_text() == ""
    assert dict((n, v) for n, _, v in driver.record(rid)["fields"])["country"] == "SG"
    assert _count(driver.ws, AuditEntry) == audit_before + 1
    assert _undo_text(driver) == "Undo Edit Jurisdiction of ‘Derek Aw’"
    driver.action("undo").trigger()
    driver.idle()
    assert dict((n, v) for n, _, v in driver.record(rid)["fields"])["country"] is None
    assert w.inspector.editor("country").raw() == ""
    driver.action("redo").trigger()
    driver.idle()
    assert w.inspector.editor("country").raw() == "SG"


def test_a_bad_date_and_a_bad_number_never_reach_the_database(driver):
    w = driver.window
    fleet = driver.ids()["Brisbane H100 fleet"]
    w.select_record(fleet)
    for field, bad, word in (("installed_on", "2024-13", "month"), ("server_count", "three hundred", "whole number"),
                             ("server_count", "-5", "negative")):
        editor = w.inspector.editor(field)
        editor.set_raw(bad)
        editor.commit()
        assert word in editor.error_text(), (field, editor.error_text())
    driver.idle()
    values = dict((n, v) for n, _, v in driver.record(fleet)["fields"])
    assert values["installed_on"] == "2024-06" and values["server_count"] == 300
    assert w.undo_stack.count() == 0


def test_edits_typed_quickly_one_after_another_are_not_taken_for_a_conflict(driver):
    w = driver.window
    rid = driver.ids()["Derek Aw"]
    w.select_record(rid)
    w.inspector.editor("website").set_raw("https://example.org")
    w.inspector.editor("website").commit()
    w.inspector.editor("description").set_raw("Runs the platform")  # before the first edit is saved
    w.inspector.editor("description").commit()
    driver.idle()
    values = dict((n, v) for n, _, v in driver.record(rid)["fields"])
    assert values["website"] == "https://example.org" and values["description"] == "Runs the platform"
    assert w.undo_stack.count() == 2


def test_a_concurrent_edit_says_who_changed_what_and_offers_reload(driver, qtbot):
    from casedesk.services.records import update_record

    w = driver.window
    rid = driver.ids()["Derek Aw"]
    w.select_record(rid)
    with driver.ws.write() as s:  # a colleague saves first
        s.info["actor"] = "colleague"
        update_record(s, rid, {"notes": "Colleague's note"}, expected_version=1)
    editor = w.inspector.editor("website")
    editor.set_raw("https://aw.example")
    editor.commit()
    driver.idle()
    box = w.dialog
    assert box.objectName() == "conflict_dialog"
    assert "colleague" in box.text()
    assert "notes" in box.informativeText()
    assert dict((n, v) for n, _, v in driver.record(rid)["fields"])["website"] == ""
    qtbot.mouseClick(box.reload_button, Qt.MouseButton.LeftButton)
    assert w.inspector.editor("notes").raw() == "Colleague's note"
    assert w.inspector.data["version"] == driver.record(rid)["version"]


def test_draw_a_link_by_shift_dragging_and_pick_its_type(driver, qtbot):
    w = driver.window
    ids = driver.ids()
    source, target = ids["Joseph Tse"], ids["Decentralised GPU platform used for the California cluster (unnamed)"]
    view = w.chart.view
    start = driver.node_point(source)
    end = view.mapFromScene(w.chart.scene.nodes[target].scenePos())
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, start)
    QTest.mouseMove(view.viewport(), (start + end) / 2)
    QTest.mouseMove(view.viewport(), end)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, end)
    menu = w.link_menu
    assert menu is not None and menu.isVisible()
    offered = {a.objectName() for a in menu.actions() if a.objectName().startswith("link_type_")}
    # a person may be an officer or employee of a platform, or its customer; never "hosted at"
    assert {"link_type_officer_of", "link_type_employed_by", "link_type_customer_of"} <= offered
    assert "link_type_hosted_at" not in offered and "link_type_owns_asset" not in offered
    links_before = _count(driver.ws, Link)
    next(a for a in menu.actions() if a.objectName() == "link_type_customer_of").trigger()
    menu.close()
    driver.idle()
    assert _count(driver.ws, Link) == links_before + 1
    link_id = w.selection.current_link_id()
    assert f"link:{link_id}" in w.chart.scene.edges
    assert w.inspector.current() == ("link", link_id)
    assert "customer of" in _undo_text(driver)
    driver.action("undo").trigger()
    driver.idle()
    assert _count(driver.ws, Link) == links_before
    assert f"link:{link_id}" not in w.chart.scene.edges


def test_link_tool_onto_a_contract_offers_the_contract_roles(driver, qtbot):
    w = driver.window
    ids = driver.ids()
    party, contract = ids["Joseph Tse"], ids["Planned compute rental: Blackwell cluster for the Singapore company"]
    driver.action("link_tool").trigger()
    view = w.chart.view
    start = driver.node_point(party)
    end = view.mapFromScene(w.chart.scene.nodes[contract].scenePos())
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(view.viewport(), end)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    menu = w.link_menu
    roles = {a.objectName() for a in menu.actions() if a.objectName().startswith("contract_role_")}
    assert roles == {"contract_role_provider", "contract_role_customer", "contract_role_payer",
                     "contract_role_payee", "contract_role_guarantor", "contract_role_broker"}
    next(a for a in menu.actions() if a.objectName() == "contract_role_broker").trigger()
    menu.close()
    driver.idle()
    edges = [e for e in w.chart.scene.edges.values()
             if e.link_type == "contract_party" and e.edge.source_id == party and e.edge.target_id == contract]
    assert len(edges) == 1 and edges[0].edge.label == "broker"
    driver.action("link_tool").trigger()
    assert not w.chart.view.link_mode


def test_merge_two_selected_records_and_undo_the_merge(driver, qtbot):
    w = driver.window
    ids = driver.ids()
    keep, drop = ids["Amazon Web Services"], ids["Google"]
    w.selection.select_records([keep, drop])
    driver.action("merge").trigger()
    box = w.dialog
    assert box.objectName() == "merge_dialog"
    qtbot.mouseClick(box.keep_buttons[keep], Qt.MouseButton.LeftButton)
    driver.idle()
    assert driver.record(drop) is None
    assert any("Google" in a for a in driver.record(keep)["aliases"])
    assert drop not in w.chart.scene.nodes
    assert _undo_text(driver) == "Undo Merge ‘Google’ into ‘Amazon Web Services’"
    driver.action("undo").trigger()
    driver.idle()
    assert driver.record(drop)["label"] == "Google"
    assert driver.record(keep)["aliases"] == []
    assert drop in w.chart.scene.nodes


def test_delete_asks_first_and_undo_brings_everything_back(driver, qtbot):
    w = driver.window
    ids = driver.ids()
    rid = ids["Aw's GPU platform company (name not given)"]
    links_before = _count(driver.ws, Link)
    edges_before = set(w.chart.scene.edges)
    w.select_record(rid)
    driver.action("delete").trigger()
    box = w.dialog
    assert box.objectName() == "delete_dialog"
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    driver.idle()
    assert driver.record(rid) is not None
    driver.action("delete").trigger()
    box = w.dialog
    delete_button = next(b for b in box.buttons() if b.text() == "Delete")
    qtbot.mouseClick(delete_button, Qt.MouseButton.LeftButton)
    driver.idle()
    assert driver.record(rid) is None
    assert rid not in w.chart.scene.nodes
    assert _count(driver.ws, Link) < links_before
    assert w.inspector.current() is None
    driver.action("undo").trigger()
    driver.idle()
    assert driver.record(rid) is not None
    assert _count(driver.ws, Link) == links_before
    assert set(w.chart.scene.edges) == edges_before


def test_names_identifiers_and_events_are_edited_in_the_inspector(driver, qtbot):
    from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton

    w = driver.window
    rid = driver.ids()["Singapore company with a Chinese parent (unnamed)"]
    w.select_record(rid)
    ins = w.inspector
    ins.findChild(QLineEdit, "alias_name").setText("新加坡子公司")
    ins.findChild(QLineEdit, "alias_name").returnPressed.emit()
    driver.idle()
    assert any(a.startswith("新加坡子公司") for a in driver.record(rid)["aliases"])
    # a UEN with a bad check letter is refused next to the form
    scheme = ins.findChild(QComboBox, "identifier_scheme")
    scheme.setCurrentIndex(scheme.findData("SG_UEN"))
    ins.findChild(QLineEdit, "identifier_value").setText("201912345X")
    ins.findChild(QLineEdit, "identifier_value").returnPressed.emit()
    assert ins.findChild(type(ins.title), "identifier_error").text()
    driver.idle()
    assert driver.record(rid)["identifiers"] == []
    ins.findChild(QLineEdit, "event_on").setText("2024-13")
    ins.findChild(QLineEdit, "event_title").setText("Incorporated")
    ins.findChild(QLineEdit, "event_title").returnPressed.emit()
    assert "month" in ins.findChild(type(ins.title), "event_error").text()
    ins.findChild(QLineEdit, "event_on").setText("~2023-05")
    ins.findChild(QLineEdit, "event_title").returnPressed.emit()
    driver.idle()
    assert "~2023-05: Incorporated" in driver.record(rid)["events"]
    assert _undo_text(driver) == "Undo Add event ‘Incorporated’"
    driver.action("undo").trigger()
    driver.idle()
    assert driver.record(rid)["events"] == []
    assert QApplication.instance() is not None and QPushButton is not None


def test_ctrl_z_in_a_field_with_nothing_typed_undoes_the_last_step(driver, qtbot):
    from PySide6.QtCore import Qt

    w = driver.window
    rid = driver.ids()["Derek Aw"]
    w.select_record(rid)
    editor = w.inspector.editor("country")
    editor.set_raw("Singapore")
    editor.commit()
    driver.idle()
    assert dict((n, v) for n, _, v in driver.record(rid)["fields"])["country"] == "SG"
    field = w.inspector.editor("country").input
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    driver.idle()
    assert dict((n, v) for n, _, v in driver.record(rid)["fields"])["country"] is None


def test_the_inspector_shows_transfer_facts_only_on_transfer_links(driver):
    from casedesk.services.links import update_link

    with driver.ws.read() as s:
        links = {lk.link_type: (lk.id, lk.version) for lk in s.scalars(select(Link)
                                                                     .where(Link.case_id == driver.case_id))}
    paid_id, version = links["paid"]
    tx = "0x" + "9f" * 32
    with driver.ws.write() as s:
        update_link(s, paid_id, {"tx_hash": tx, "value": "12.5", "asset": "USDT"}, expected_version=version)
    inspector = driver.window.inspector
    inspector.show_link(paid_id)
    assert inspector.editor("tx_hash").isVisibleTo(inspector)
    assert inspector.editor("tx_hash").raw() == tx and inspector.editor("value").raw() == "12.5"
    inspector.show_link(links["subsidiary_of"][0])
    assert not inspector.editor("tx_hash").isVisibleTo(inspector)
    assert not inspector.editor("tx_time").isVisibleTo(inspector)
    assert inspector.editor("role").isVisibleTo(inspector)
