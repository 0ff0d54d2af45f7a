"""The one selection of the main window: every view reports to it and follows it.

A view that the user clicks calls select_record/select_link/select_finding; every view listens to
the signals and shows the same thing (without re-announcing it). Several records can be selected
at once (rubber band, Ctrl+click) for merge, path and delete; the current one is the last chosen.

Signals:
    record_selected(int): a record became the current selection.
    link_selected(int): a link became the current selection.
    finding_selected(int): a finding became the current selection.
    cleared(): nothing is selected any more.
    records_changed(list): the set of selected record ids changed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class SelectionModel(QObject):
    """Holds what is selected (record, link or finding) and tells every view when it changes."""

    record_selected = Signal(int)
    link_selected = Signal(int)
    finding_selected = Signal(int)
    cleared = Signal()
    records_changed = Signal(list)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._current: tuple[str, int] | None = None
        self._records: list[int] = []

    def current(self) -> tuple[str, int] | None:
        """("record" | "link" | "finding", id) of the current selection, or None."""
        return self._current

    def current_record_id(self) -> int | None:
        """The current record's id, when a record is current."""
        return self._current[1] if self._current and self._current[0] == "record" else None

    def current_link_id(self) -> int | None:
        """The current link's id, when a link is current."""
        return self._current[1] if self._current and self._current[0] == "link" else None

    def selected_record_ids(self) -> list[int]:
        """Every selected record (the current one last)."""
        return list(self._records)

    def select_record(self, record_id: int, *, also: list[int] | None = None) -> None:
        """Make a record current; `also` lists other records selected with it (multi-selection)."""
        records = [r for r in (also or []) if r != record_id] + [record_id]
        self._set_records(records)
        if self._current == ("record", record_id):
            return
        self._current = ("record", record_id)
        self.record_selected.emit(record_id)

    def select_records(self, record_ids: list[int]) -> None:
        """Select several records; the last becomes current (an empty list clears)."""
        if not record_ids:
            self.clear()
            return
        self.select_record(record_ids[-1], also=record_ids[:-1])

    def select_link(self, link_id: int) -> None:
        """Make a link current."""
        self._set_records([])
        if self._current == ("link", link_id):
            return
        self._current = ("link", link_id)
        self.link_selected.emit(link_id)

    def select_finding(self, finding_id: int) -> None:
        """Make a finding current."""
        self._set_records([])
        if self._current == ("finding", finding_id):
            return
        self._current = ("finding", finding_id)
        self.finding_selected.emit(finding_id)

    def clear(self) -> None:
        """Select nothing."""
        self._set_records([])
        if self._current is None:
            return
        self._current = None
        self.cleared.emit()

    def forget(self, record_ids: set[int] = frozenset(), link_ids: set[int] = frozenset(),  # noqa: B006
               finding_ids: set[int] = frozenset()) -> None:  # noqa: B006
        """Drop deleted objects from the selection (clearing it if the current one went)."""
        if any(r in record_ids for r in self._records):
            self._set_records([r for r in self._records if r not in record_ids])
        if self._current and ((self._current[0] == "record" and self._current[1] in record_ids)
                              or (self._current[0] == "link" and self._current[1] in link_ids)
                              or (self._current[0] == "finding" and self._current[1] in finding_ids)):
            self._current = None
            self.cleared.emit()

    def _set_records(self, records: list[int]) -> None:
        if records != self._records:
            self._records = records
            self.records_changed.emit(list(records))
