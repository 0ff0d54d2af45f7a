"""Docks and geometry saved, restored and reset; closing the window"""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QCloseEvent


class WindowState:
    """MainWindow's part: Docks and geometry saved, restored and reset; closing the window."""

    # ==== window state ===============================================================================
    def _restore_layout(self) -> None:
        # The splitters between the docks and the chart were a hairline nobody found (the bottom
        # one especially): a 6-px bar in a grip colour, blue under the pointer.
        self.setStyleSheet("QMainWindow::separator { background: #D3D8DD; width: 6px; height: 6px; }"
                           "QMainWindow::separator:hover { background: #8AB4F8; }")
        self._default_state = self.saveState()
        geometry = self.settings.value("main_window/geometry")
        state = self.settings.value("main_window/state")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def save_layout(self) -> None:
        """Remember dock and toolbar layout and window geometry."""
        self.settings.setValue("main_window/geometry", self.saveGeometry())
        self.settings.setValue("main_window/state", self.saveState())
        self.settings.sync()

    def reset_layout(self) -> None:
        """Put docks and toolbars back where they started."""
        self.restoreState(self._default_state)
        for dock in (self.dock_navigator, self.dock_inspector, self.dock_bottom):
            dock.show()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.live.stop()
        self.save_layout()
        if self._own_runner:
            self.runner.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the runner this window started (tests and embedders that never close the window)."""
        self.live.stop()
        if self._own_runner:
            self.runner.shutdown()
