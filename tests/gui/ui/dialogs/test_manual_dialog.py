"""F1 opens the manual: pages listed, Markdown rendered, find on the page, links between pages, shortcuts."""

from __future__ import annotations

from PySide6.QtCore import QUrl

from casedesk.ui.dialogs.manual_dialog import ManualDialog


def test_f1_opens_the_manual_on_the_walkthrough_with_the_shortcuts_last(driver, qtbot):
    w = driver.window
    action = driver.action("manual")
    assert action.shortcut().toString() == "F1"
    action.trigger()
    dialog = w.dialog
    assert isinstance(dialog, ManualDialog) and dialog.isVisible()
    titles = [dialog.contents.item(i).text() for i in range(dialog.contents.count())]
    assert titles[0] == "Getting started: the demo case" and titles[-1] == "Keyboard shortcuts"
    text = dialog.browser.toPlainText()
    assert "Getting started: the demo case" in text and "#" not in text.splitlines()[0]  # rendered, not raw
    dialog.contents.setCurrentRow(len(titles) - 1)
    shortcuts = dialog.browser.toPlainText()
    assert "F1" in shortcuts and "CaseDesk manual" in shortcuts and "Ctrl+Z" in shortcuts
    dialog.close()


def test_find_and_links_between_pages(qtbot):
    dialog = ManualDialog()
    qtbot.addWidget(dialog)
    dialog.find.setText("Undo import")
    assert dialog.find_next()
    assert dialog.browser.textCursor().selectedText() == "Undo import"
    dialog.browser.anchorClicked.emit(QUrl("docs/importing.md"))
    assert dialog.pages[dialog.contents.currentRow()].name == "importing"
    assert "Importing CSV, TSV and Excel evidence" in dialog.browser.toPlainText()
