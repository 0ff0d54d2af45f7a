"""The chart panel's selection: picks made on the chart, selections echoed onto it, path marks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF

if TYPE_CHECKING:
    from casedesk.ui.chart.scene import ChartScene
    from casedesk.ui.chart.view import ChartView


class ChartSelection:
    """ChartPanel's selection and highlight verbs; the panel holds the scene, view and signals."""

    scene: ChartScene
    view: ChartView
    neighbourhood_mode: bool
    _picked_here: list[int] | None

    def _on_scene_selection_made(self, record_ids: list, link_key: object) -> None:
        if record_ids:
            self._picked_here = list(record_ids)
            self.records_selected.emit(record_ids)
            self._apply_neighbourhood(record_ids[-1])
        elif isinstance(link_key, str):
            edge = self.scene.edges[link_key]
            if edge.link_id is not None:
                self.link_selected.emit(edge.link_id)
            else:
                self.contract_selected.emit(edge.edge.target_id)
        else:
            self.cleared.emit()
            self._apply_neighbourhood(None)

    def select_records(self, ids: list[int], *, centre: bool = False) -> None:
        """Select records on the chart (bringing the current one onto it) without echoing."""
        if not ids:
            self.scene.select()
            self._apply_neighbourhood(None)
            return
        current = ids[-1]
        if current not in self.scene.nodes:
            self.ensure_shown([current])
            centre = True
        self.scene.select(ids)
        item = self.scene.nodes.get(current)
        if item is not None:
            if not item.isVisible():
                self.scene.unhide_records([current])
            picked_here, self._picked_here = self._picked_here == list(ids), None
            if centre or not picked_here:
                # A jump from the navigator, a table or a search lands where the label can be read;
                # a click on the chart itself leaves the zoom alone.
                self.view.ensure_readable(item)
            self.view.reveal(item, centre=centre)
        self._apply_neighbourhood(current)

    def select_link(self, link_id: int) -> None:
        """Select a link on the chart (if shown) without echoing."""
        key = f"link:{link_id}"
        self.scene.select([], key)
        edge = self.scene.edges.get(key)
        if edge is not None:
            self.view.reveal(edge)
        self._apply_neighbourhood(None)

    def clear_selection(self) -> None:
        """Select nothing on the chart."""
        self.scene.select()
        self._apply_neighbourhood(None)

    def set_neighbourhood_mode(self, on: bool) -> None:
        """Fade everything but the selected record and its neighbours (on), or nothing (off)."""
        self.neighbourhood_mode = on
        selected = self.scene.selected_record_ids()
        self._apply_neighbourhood(selected[-1] if selected else None)

    def _apply_neighbourhood(self, record_id: int | None) -> None:
        if not self.neighbourhood_mode or record_id is None or record_id not in self.scene.nodes:
            self.scene.set_focus(None)
            return
        item = self.scene.nodes[record_id]
        around = {record_id} | {e.source.record_id for e in item.edges} | {e.target.record_id for e in item.edges}
        self.scene.set_focus(around)

    def highlight_path(self, record_ids: list[int], link_ids: list[int], *, fit: bool = True) -> None:
        """Mark a path (records and links) on the chart, bringing its records onto it."""
        self.ensure_shown(record_ids)
        keys = [f"link:{i}" for i in link_ids]
        linked_pairs = {frozenset((self.scene.edges[k].source.record_id, self.scene.edges[k].target.record_id))
                        for k in keys if k in self.scene.edges}
        # Steps of the path joined by a contract party rather than a link.
        for a, b in zip(record_ids, record_ids[1:]):
            pair = frozenset((a, b))
            if pair in linked_pairs or a not in self.scene.nodes:
                continue
            keys += [e.key for e in self.scene.nodes[a].edges
                     if e.link_type == "contract_party" and {e.source.record_id, e.target.record_id} == pair]
        self.scene.mark_path(record_ids, keys)
        if fit and record_ids:
            rect = QRectF()
            for rid in record_ids:
                if rid in self.scene.nodes:
                    rect = rect.united(self.scene.nodes[rid].sceneBoundingRect())
            visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
            if not visible.contains(rect):
                self.view.fit_all(rect)

    def clear_highlight(self) -> None:
        """Unmark any highlighted path."""
        self.scene.mark_path([], [])
