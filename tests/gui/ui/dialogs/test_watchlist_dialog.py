"""The list import dialog says what the reader accepted with a warning: reused ids, odd dates."""

from __future__ import annotations

import pytest
from casedesk.ui.dialogs.watchlist_dialog import WatchlistImportDialog
from casedesk.ui.operations import Operations


@pytest.fixture
def runner(inline_runner):  # noqa: ANN001, ANN201
    return inline_runner


def test_the_check_names_rows_kept_apart_and_a_date_that_is_no_date(qtbot, sqlite_ws, runner, tmp_path):
    path = tmp_path / "un.xml"
    record = "<ENTITY><DATAID>7</DATAID><FIRST_NAME>{}</FIRST_NAME></ENTITY>"
    path.write_text("<CONSOLIDATED_LIST dateGenerated='yesterday'><ENTITIES>"
                    + record.format("Alpha Trading") + record.format("Beta Trading")
                    + "</ENTITIES></CONSOLIDATED_LIST>", encoding="utf-8")
    dialog = WatchlistImportDialog(Operations(sqlite_ws, runner))
    qtbot.addWidget(dialog)
    dialog.set_file(path)
    with qtbot.waitSignal(runner.finished, timeout=30000):
        dialog.check_file()
    text = dialog.summary.text()
    assert ("1 rows use an id an earlier, different row has and are kept apart (first: record 2: "
            "id '7' is already used by an earlier, different row; kept as '7#2')") in text
    assert "dateGenerated 'yesterday' is not a date" in text
