"""Analysis › Accelerator catalog: find a model, add one the catalog lacks, see the analysis count it."""

from __future__ import annotations

from casedesk.services.analysis.compute_views import case_totals
from casedesk.services.records import RecordIn, create_record


def _open_catalog(driver, qtbot):
    driver.action("accelerator_catalog").trigger()
    dialog = driver.window.dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_the_catalog_lists_shipped_models_and_finds_chinese_spellings(driver, qtbot):
    dialog = _open_catalog(driver, qtbot)
    assert dialog.objectName() == "catalog_dialog"
    shipped = dialog.proxy.rowCount()
    assert shipped > 150 and "0 added to this workspace" in dialog.count.text()
    dialog.filter.setText("Ascend")
    assert f"of {shipped:,} models shown" in dialog.count.text()
    dialog.filter.setText("昇腾910B")
    names = {dialog.proxy.index(r, 0).data() for r in range(dialog.proxy.rowCount())}
    assert names == {"Ascend 910B"}
    dialog.close()


def test_adding_a_model_refuses_absurd_figures_then_counts_the_fleet(driver, qtbot):
    w = driver.window
    with driver.ws.write() as s:  # a fleet of a chip the shipped catalog does not know
        create_record(s, driver.case_id, RecordIn("server", {
            "label": "Shenzhen cluster", "accelerator_model": "Ascend 910D", "server_count": 100,
            "accelerators_per_server": 8}))
    with driver.ws.read() as s:
        before = case_totals(s, driver.case_id)
    dialog = _open_catalog(driver, qtbot)
    dialog.name.setText("Ascend 910D")
    dialog.vendor.setText("Huawei")
    dialog.source.setText("vendor briefing, p. 2")
    dialog.add_button.click()  # no TPP given
    driver.idle()
    assert dialog.error.isVisible() and dialog.error.text().startswith("TPP: needed to classify")
    assert "0 added" in dialog.count.text()  # nothing written

    dialog.tpp.setValue(20_000)
    dialog.aliases.setText("昇腾910D")
    dialog.prc_made.setChecked(True)
    dialog.add_button.click()
    driver.idle()
    assert not dialog.error.isVisible()
    assert "1 added to this workspace" in dialog.count.text()
    rows = {dialog.proxy.index(r, 0).data(): dialog.proxy.index(r, 5).data() for r in range(dialog.proxy.rowCount())}
    assert rows.get("Ascend 910D") == "this workspace"
    assert w.ops.vocab.accelerators.find("昇腾910D").name == "Ascend 910D"  # views speak it at once
    with driver.ws.read() as s:
        after = case_totals(s, driver.case_id)
    assert after.total_tpp == before.total_tpp + 800 * 20_000
    dialog.close()
