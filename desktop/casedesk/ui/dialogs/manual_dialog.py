"""Help › Manual (F1): the manual's pages in a help browser, with find and the keyboard shortcuts"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.manual import ManualPage, manual_pages


class ManualDialog(QDialog):
    """A page list beside a QTextBrowser showing the chosen page's Markdown; Find searches the page."""

    def __init__(self, shortcuts_markdown: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("manual_dialog")
        self.setWindowTitle("CaseDesk manual")
        self.pages: list[ManualPage] = manual_pages()
        if shortcuts_markdown:
            self.pages.append(ManualPage("shortcuts", "Keyboard shortcuts", shortcuts_markdown))
        self.contents = QListWidget(self)
        self.contents.setObjectName("manual_contents")
        self.contents.addItems([p.title for p in self.pages])
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("manual_browser")
        self.browser.setOpenLinks(False)  # offline: links between pages are followed here, no others
        self.browser.anchorClicked.connect(self._follow)
        self.find = QLineEdit(self)
        self.find.setObjectName("manual_find")
        self.find.setPlaceholderText("Find on this page (Enter: next)")
        self.find.setClearButtonEnabled(True)
        self.find.returnPressed.connect(self.find_next)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.contents)
        right = QWidget(split)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.find)
        column.addLayout(bar)
        column.addWidget(self.browser, 1)
        split.addWidget(right)
        split.setSizes([270, 730])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.contents.currentRowChanged.connect(self.show_page)
        self.contents.setCurrentRow(0)
        self.resize(1000, 700)

    def show_page(self, row: int) -> None:
        """Show the n-th page."""
        if 0 <= row < len(self.pages):
            self.browser.setMarkdown(self.pages[row].markdown)
            if self.contents.currentRow() != row:
                self.contents.setCurrentRow(row)

    def page_named(self, name: str) -> int:
        """The row of a page by its file stem (-1 when there is none)."""
        return next((n for n, p in enumerate(self.pages) if p.name == name), -1)

    def find_next(self) -> bool:
        """Select the next occurrence of the find text on the page (wrapping once)."""
        text = self.find.text()
        if not text:
            return False
        if self.browser.find(text):
            return True
        cursor = self.browser.textCursor()
        cursor.movePosition(cursor.MoveOperation.Start)
        self.browser.setTextCursor(cursor)
        return self.browser.find(text, QTextDocument.FindFlag(0))

    def _follow(self, url) -> None:  # noqa: ANN001 - a QUrl
        # Links between the manual's pages (importing.md, docs/analysis.md) open here; others do nothing.
        name = url.fileName().removesuffix(".md")
        row = self.page_named(name)
        if row >= 0:
            self.show_page(row)
