"""New case asks for the title and the case's reference, client and marking; the dossier uses them."""

from __future__ import annotations

from casedesk.domain.models import Case
from casedesk.services.cases import list_cases
from casedesk.services.reporting import build_dossier


def test_new_case_with_reference_client_and_marking(driver, qtbot):
    w = driver.window
    dialog = w.new_case()
    assert [dialog.fields[n].objectName() for n in ("reference", "client", "marking")] == [
        "new_case_reference", "new_case_client", "new_case_marking"]
    dialog.accept()  # no title yet: refused, said so, nothing created
    assert dialog.error.isVisible() and "needs a title" in dialog.error.text()
    dialog.title.setText("Harbor Compute review")
    assert not dialog.error.isVisible()  # the message goes once the title is typed
    dialog.fields["reference"].setText("DD-2026-014")
    dialog.fields["client"].setText("Acme Bank compliance")
    marking = dialog.fields["marking"]
    assert marking.findText("CONFIDENTIAL") >= 0
    marking.setCurrentText("CLIENT CONFIDENTIAL")
    dialog.accept()
    driver.idle()
    with driver.ws.read() as s:
        case = next(c for c in list_cases(s) if c.title == "Harbor Compute review")
        props = s.get(Case, case.id).properties
        dossier = build_dossier(s, case.id)
    assert props == {"reference": "DD-2026-014", "client": "Acme Bank compliance", "marking": "CLIENT CONFIDENTIAL"}
    assert w.current_case_id() == case.id
    # the dossier's cover carries them, and its marking is the case's unless the export says otherwise
    assert dossier.cover.marking == "CLIENT CONFIDENTIAL"
    assert [(label, str(value)) for label, value in dossier.cover.properties] == [
        ("Reference", "DD-2026-014"), ("Client", "Acme Bank compliance")]
    export = w.export_dossier()
    assert export.marking.currentText() == "CLIENT CONFIDENTIAL"
    export.close()
