"""Commands on the link chart: find path, expand, hide, layout, filters, focus"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casedesk.services import chart_graph as chart_svc
from casedesk.ui import text as ui_text
from casedesk.ui.operations import chart as chart_ops

Point = tuple[float, float]  # a scene position


class ChartCommands:
    """MainWindow's part: Commands on the link chart."""

    def highlight_path(self, record_ids: list[int], link_ids: list[int]) -> None:
        """Highlight records and links (a finding's explanation, a path) on the chart."""
        self.chart.highlight_path(list(record_ids), list(link_ids))

    def visible_record_ids(self) -> list[int]:
        """Records shown on the chart (what the dossier renders)."""
        return self.chart.visible_record_ids()

    def visible_link_ids(self) -> list[int]:
        """Links shown on the chart."""
        return self.chart.visible_link_ids()

    def chart_positions(self) -> dict[int, tuple[float, float]]:
        """Chart positions of the shown records."""
        return self.chart.chart_positions()

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.dock_navigator.show()
        self.navigator.search.setFocus()
        self.navigator.search.selectAll()

    def select_all_on_chart(self) -> None:
        """Select every visible record on the chart."""
        ids = self.chart.visible_record_ids()
        if ids:
            self.selection.select_records(ids)

    def place_records(self, positions: Mapping[int, Point], removed: list[int]) -> None:
        """(EditContext) move records on the chart after an undo/redo of a move or layout."""
        self.chart.place_records(positions, removed)

    def focus_record(self, record_id: int) -> None:
        """(EditContext) select a record an edit just made or kept."""
        self.selection.select_record(record_id)
        self.chart.focus_on(record_id)

    def find_path(self) -> None:
        """Highlight the shortest path between the two selected records."""
        records = self.selection.selected_record_ids()
        if len(records) != 2 or self._case_id is None:
            self.statusBar().showMessage("Select two records to find the path between them", 6000)
            return
        with self.ops.reading() as s:
            path = chart_svc.find_path(s, self._case_id, records[0], records[1])
        if path is None:
            self.statusBar().showMessage("These two records are not connected by any chain of links", 8000)
            self.chart.clear_highlight()
            return
        self.chart.highlight_path(path.record_ids, path.link_ids)
        self.statusBar().showMessage(f"Path of {len(path.record_ids) - 1} step(s) highlighted "
                                     "(Esc clears the highlight)", 8000)

    def expand_selection(self) -> None:
        """Bring the neighbours of the selected records onto the chart."""
        self.chart.expand(self.selection.selected_record_ids())

    def hide_selection(self) -> None:
        """Hide the selected records from the chart (this session)."""
        records = self.selection.selected_record_ids()
        if records:
            self.chart.hide_records(records)
            self.selection.clear()

    def run_layout(self) -> None:
        """Lay out the chart automatically (undoable)."""
        self.chart.run_layout()

    def _on_layout_computed(self, before: dict, after: dict) -> None:
        self.chart.place_records(after)
        chart_ops.MoveRecordsCommand(self, self._case_id, before, after, "Automatic layout", reason="layout").execute()
        self.chart.view.fit_all()

    def _on_nodes_moved(self, before: dict, after: dict) -> None:
        n = len(after)
        text = f"Move {ui_text.quoted(self._label(next(iter(after))))}" if n == 1 else f"Move {n} records"
        chart_ops.MoveRecordsCommand(self, self._case_id, before, after, text).execute()

    def _apply_filters(self, *_: Any) -> None:
        hidden_kinds = {k for k, a in self.kind_filters.items() if not a.isChecked()}
        hidden_links = {k for k, a in self.link_filters.items() if not a.isChecked()}
        self.chart.set_filters(hidden_kinds, hidden_links)
