"""The inspector's compute box: accelerators, TPP, H100-equivalents and ECCN class of a record."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from casedesk.domain.errors import CaseDeskError
from casedesk.services.analysis.compute_views import compute_for_record, compute_summary_text
from casedesk.ui.operations.core import Operations


class ComputeSummaryWidget(QGroupBox):
    """Shows compute_summary_text for one record; hides itself when the record has no compute."""

    def __init__(self, ops: Operations, parent: QWidget | None = None):
        super().__init__("Compute", parent)
        self._ops = ops
        self._record_id: int | None = None
        self.label = QLabel()
        # Plain text: labels are user data and may contain markup.
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        ops.analysis_day_changed.connect(lambda _day: self.refresh())
        self.hide()

    def record_id(self) -> int | None:
        """The record shown."""
        return self._record_id

    def set_record(self, record_id: int | None) -> None:
        """Show the compute of a record (None or a record without compute: hidden)."""
        self._record_id = record_id
        if record_id is None:
            self.label.clear()
            self.hide()
            return
        try:
            with self._ops.reading() as s:
                rc = compute_for_record(s, record_id, as_of=self._ops.analysis_day)
        except CaseDeskError as exc:
            self.label.setText(str(exc))
            self.show()
            return
        day = self._ops.analysis_day
        self.setTitle(f"Compute as of {day.isoformat()}" if day else "Compute")
        self.label.setText(compute_summary_text(rc))
        self.setVisible(not rc.empty)

    def refresh(self) -> None:
        """Re-read the shown record (after an edit or an analysis)."""
        self.set_record(self._record_id)
