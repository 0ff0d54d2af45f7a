"""Edit › Preferences: the name the audit records on a workspace file, shown in the status bar."""

from __future__ import annotations

import json

from sqlalchemy import select

from casedesk.domain.models import AuditEntry
from casedesk.storage.preferences import load_preferences, preferences_path


def test_the_name_set_in_preferences_is_who_the_audit_records(driver, qtbot):
    w = driver.window
    dialog = w.edit_preferences()
    dialog.name.setText("  Jane   Analyst ")
    dialog.organisation.setText("Acme Compliance")
    dialog.save()
    assert json.loads(preferences_path().read_text(encoding="utf-8"))["name"] == "Jane Analyst"
    assert w.findChild(type(w.actor_label), "status_actor").text() == "as Jane Analyst"
    w.load_demo_case()
    driver.idle()
    with driver.ws.read() as s:
        newest = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert newest.actor == "Jane Analyst"
    export = w.export_dossier()
    assert export.author.text() == "Jane Analyst (Acme Compliance)"
    export.close()
    assert load_preferences().organisation == "Acme Compliance"


def test_the_command_line_acts_under_the_same_name(tmp_path):
    from casedesk.storage.preferences import Preferences, save_preferences
    from casedesk.storage.workspace import open_workspace

    save_preferences(Preferences("Sam Reviewer", ""))
    ws = open_workspace(str(tmp_path / "ws.casedesk"))
    try:
        assert ws.actor == "Sam Reviewer"
    finally:
        ws.dispose()
        save_preferences(Preferences("", ""))
