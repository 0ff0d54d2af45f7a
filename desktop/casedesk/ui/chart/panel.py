"""The link chart panel: decides what the chart shows, keeps it in step with changes, runs the layout.

What is shown (documented in docs/performance.md): a case of up to SHOW_ALL_LIMIT records
shows every record. A larger case shows the records placed on its chart before (saved positions,
at most OPEN_CAP of them), or on first opening its INITIAL_LARGE most-connected records; the user
grows the chart with Expand neighbours, Find path, search (a found record is brought onto the
chart) or Show all. Items are built only for what is shown. A record's saved position is both
where it sits and the fact that it is on the chart, so the chart reopens as it was left.

Signals:
    records_selected(list): the user selected records on the chart (current last).
    link_selected(int): the user selected a link.
    contract_selected(int): the user selected a contract-party edge (selects the contract).
    cleared(): the user cleared the chart's selection.
    layout_computed(dict, dict): an automatic layout finished: positions before and after.
    message(str): something worth a line in the status bar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from casedesk.services import chart_graph as chart_svc
from casedesk.services.chart_layout import layout_job, place_near
from casedesk.services.screening.status import screening_status
from casedesk.storage.workspace import ChangeSet
from casedesk.ui.chart.scene import ChartScene
from casedesk.ui.chart.selection import ChartSelection
from casedesk.ui.chart.view import ChartView
from casedesk.ui.operations import Operations
from casedesk.ui.operations import chart as chart_ops

SHOW_ALL_LIMIT = 2000
OPEN_CAP = 5000
INITIAL_LARGE = 300
Point = tuple[float, float]


class ChartPanel(QWidget, ChartSelection):
    """The chart with its info bar; the window talks to it by record and link ids."""

    records_selected = Signal(list)
    link_selected = Signal(int)
    contract_selected = Signal(int)
    cleared = Signal()
    layout_computed = Signal(object, object)
    message = Signal(str)

    def __init__(self, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops = ops
        self.case_id: int | None = None
        self._picked_here: list[int] | None = None  # the selection last made on the chart itself
        self.total_records = 0
        self.layout_running = False
        self._layout_pending = False
        self.neighbourhood_mode = False
        self.scene = ChartScene(self)
        self.view = ChartView(self.scene, self)
        self._info = QLabel(self)
        self._info.setObjectName("chart_info")
        self._show_all = QPushButton("Show all records", self)
        self._show_all.clicked.connect(self.show_all)
        bar = QWidget(self)
        bar.setObjectName("chart_info_bar")
        bar.setStyleSheet("#chart_info_bar { background: #FFF8E1; border-bottom: 1px solid #E0D7B8; }")
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 3, 8, 3)
        row.addWidget(self._info, 1)
        row.addWidget(self._show_all)
        self._bar = bar
        bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.view, 1)
        self.scene.selection_made.connect(self._on_scene_selection_made)

    # --- loading ---------------------------------------------------------------------------------
    def load_case(self, case_id: int | None, *, auto_layout: bool = True) -> None:
        """Show a case's chart: saved arrangement, or a fresh automatic layout."""
        self.scene.clear_graph()
        self.scene.hidden_records.clear()
        self._layout_pending = False
        self.case_id = case_id
        self._picked_here: list[int] | None = None
        self.total_records = 0
        self._bar.hide()
        if case_id is None:
            return
        with self._ops.reading() as s:
            self.total_records = chart_svc.count_records(s, case_id)
            saved = chart_svc.load_positions(s, case_id)
            if self.total_records <= SHOW_ALL_LIMIT:
                nodes = chart_svc.chart_nodes(s, case_id)
            elif saved:
                ids = sorted(saved)[:OPEN_CAP]
                nodes = chart_svc.chart_nodes(s, case_id, ids)
            else:
                nodes = chart_svc.chart_nodes(s, case_id, chart_svc.most_connected(s, case_id, INITIAL_LARGE))
            ids = {n.id for n in nodes}
            edges = chart_svc.chart_edges(s, case_id, ids if len(ids) < self.total_records else None)
        self.scene.add_nodes(nodes, saved)
        self.scene.add_edges(edges)
        unplaced = [n.id for n in nodes if n.id not in saved]
        self._update_info()
        if unplaced and len(unplaced) == len(nodes):
            self._provisional_grid(unplaced)
            if auto_layout:
                # Lay out once the view has its real size (the groups are packed to its shape).
                self._layout_pending = True
                QTimer.singleShot(0, self._run_pending_layout)
        elif unplaced:
            self._place_and_save(unplaced, reason="place new records")
        else:
            self.scene.arrange_edge_labels()
        self.view.fit_all(readable=True)

    def layout_pending(self) -> bool:
        """True while a first layout waits for the view to be shown."""
        return self._layout_pending

    def _run_pending_layout(self) -> None:
        if self._layout_pending and (self.isVisible() or not self.window().isVisible()):
            self._layout_pending = False
            self.run_layout(initial=True)

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._layout_pending:
            QTimer.singleShot(0, self._run_pending_layout)

    def _provisional_grid(self, ids: list[int]) -> None:
        """Put nodes on a plain grid while the automatic layout runs."""
        columns = max(1, int(len(ids) ** 0.5))
        self.scene.set_positions({rid: ((i % columns) * 190.0, (i // columns) * 120.0)
                                  for i, rid in enumerate(ids)})

    def _update_info(self) -> None:
        shown = len(self.scene.nodes)
        if self.case_id is not None and shown < self.total_records:
            self._info.setText(f"Showing {shown:,} of {self.total_records:,} records. Expand neighbours, "
                               "find a path or search to bring more onto the chart.")
            self._bar.show()
        else:
            self._bar.hide()

    # --- adding to the chart --------------------------------------------------------------------
    def _edge_pairs(self) -> list[tuple[int, int]]:
        return [(e.source.record_id, e.target.record_id) for e in self.scene.edges.values()]

    def _place_and_save(self, ids: list[int], *, reason: str, near: Point | None = None) -> dict[int, Point]:
        new = set(ids)
        nodes = self.scene.nodes
        pairs = list({(e.source.record_id, e.target.record_id) for r in ids if r in nodes for e in nodes[r].edges})
        anchors = [nodes[o].pos() for a, b in pairs for o in (a, b) if o not in new and o in nodes]
        default = near or self.view_centre()
        centres = [(p.x(), p.y()) for p in anchors[:50]] or [default]
        # Only records near where the new ones will go can be in their way.
        reach = 3000.0
        placed = {r: (item.pos().x(), item.pos().y()) for r, item in nodes.items() if r not in new
                  and any(abs(item.pos().x() - cx) < reach and abs(item.pos().y() - cy) < reach for cx, cy in centres)}
        boxes = self.scene.boxes(list(placed) + [r for r in ids if r in nodes])
        spots = place_near(ids, pairs, placed, boxes, default=default)
        self.scene.set_positions(spots)
        self.scene.arrange_edge_labels([e.key for r in ids if r in nodes for e in nodes[r].edges])
        self.save_positions(spots, reason=reason)
        return spots

    def view_centre(self) -> Point:
        """The scene point at the middle of the view."""
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        return (centre.x(), centre.y())

    def save_positions(self, positions: Mapping[int, Point], *, reason: str) -> None:
        """Store positions of records on the case's chart (audited, not undoable)."""
        case_id = self.case_id
        if case_id is None or not positions:
            return
        chart_ops.keep_positions(self._ops, case_id, positions, reason=reason)

    def ensure_shown(self, ids: Iterable[int]) -> list[int]:
        """Bring records onto the chart (placed near their neighbours); returns those added."""
        missing = [r for r in dict.fromkeys(ids) if r not in self.scene.nodes]
        self.scene.unhide_records(i for i in ids if i in self.scene.hidden_records)
        if not missing or self.case_id is None:
            return []
        with self._ops.reading() as s:
            nodes = chart_svc.chart_nodes(s, self.case_id, missing)
            shown = set(self.scene.nodes) | {n.id for n in nodes}
            edges = chart_svc.chart_edges(s, self.case_id, {n.id for n in nodes}, touching=True)
        added = self.scene.add_nodes(nodes, {})
        self.scene.add_edges(e for e in edges if e.source_id in shown and e.target_id in shown)
        if added:
            self._place_and_save(added, reason="add to chart")
        self._update_info()
        return added

    def expand(self, ids: Iterable[int]) -> list[int]:
        """Bring the neighbours of records onto the chart; returns those added."""
        ids = [i for i in ids if i in self.scene.nodes]
        if not ids or self.case_id is None:
            return []
        with self._ops.reading() as s:
            others = chart_svc.neighbours(s, self.case_id, ids)
        hidden_back = [o for o in others if o in self.scene.hidden_records]
        self.scene.unhide_records(hidden_back)
        added = self.ensure_shown(sorted(others))
        self.message.emit(f"Expanded: {len(added) + len(hidden_back)} neighbour(s) added to the chart"
                          if added or hidden_back else "Every neighbour is already on the chart")
        return added

    def show_all(self) -> None:
        """Put every record of the case on the chart."""
        if self.case_id is None:
            return
        with self._ops.reading() as s:
            every = [n.id for n in chart_svc.chart_nodes(s, self.case_id)]
        self.scene.unhide_records()
        self.ensure_shown(every)

    # --- changes ---------------------------------------------------------------------------------
    def refresh(self, changes: ChangeSet) -> None:
        """Follow a ChangeSet: add, relabel and remove records and links."""
        if self.case_id is None:
            return
        deleted = changes.ids("deleted", "record")
        created = changes.ids("created", "record")
        self.total_records += len(created) - len(deleted)
        if deleted:
            self.scene.remove_nodes(deleted)
        if changes.ids("deleted", "link"):
            self.scene.remove_edges(f"link:{i}" for i in changes.ids("deleted", "link"))
        updated = [r for r in changes.ids("updated", "record") if r in self.scene.nodes]
        touched_edges: list[str] = []
        with self._ops.reading() as s:
            if created:
                saved = chart_svc.load_positions(s, self.case_id)
                new_nodes = [n for n in chart_svc.chart_nodes(s, self.case_id, created)
                             if n.id in saved or self.total_records <= SHOW_ALL_LIMIT]
                added = self.scene.add_nodes(new_nodes, saved)
                ids = set(added)
                edges = chart_svc.chart_edges(s, self.case_id, ids, touching=True) if ids else []
                touched_edges += self.scene.add_edges(edges)
                unplaced = [r for r in added if r not in saved]
            else:
                unplaced = []
            if updated:
                self.scene.update_nodes(chart_svc.chart_nodes(s, self.case_id, updated))
                # An edit can add or drop contract parties, and a merge moves links and parties
                # onto the kept record: re-read every edge at the updated records.
                fresh = chart_svc.chart_edges(s, self.case_id, updated, touching=True)
                keep = {e.key for e in fresh}
                stale = {e.key for r in updated for e in self.scene.nodes[r].edges if e.key not in keep}
                self.scene.remove_edges(stale)
                self.scene.add_edges(fresh)
                touched_edges += [e.key for e in fresh]
            links = changes.ids("created", "link") | changes.ids("updated", "link")
            if links:
                fresh_links = chart_svc.link_edges(s, links)
                gone = [f"link:{e.link_id}" for e in fresh_links
                        if e.source_id not in self.scene.nodes or e.target_id not in self.scene.nodes]
                self.scene.remove_edges(gone)
                self.scene.add_edges(fresh_links)
                touched_edges += [e.key for e in fresh_links]
        if unplaced:
            self._place_and_save(unplaced, reason="place new records")
        if touched_edges:
            self.scene.arrange_edge_labels(touched_edges)
        self._update_info()

    def refresh_screening(self) -> None:
        """Re-read every shown record's screening status (after a screening run or a decision)."""
        if self.case_id is None or not self.scene.nodes:
            return
        with self._ops.reading() as s:
            status = screening_status(s, self.case_id)
        for rid, item in self.scene.nodes.items():
            item.set_screening(status.get(rid, ""))

    def place_records(self, positions: Mapping[int, Point], removed: Iterable[int] = ()) -> None:
        """Move records to positions (undo/redo of moves and layouts)."""
        self.scene.set_positions(positions)
        self.scene.arrange_edge_labels()

    # --- layout ----------------------------------------------------------------------------------
    def run_layout(self, *, initial: bool = False) -> int | None:
        """Lay out the visible records afresh in the background; emits layout_computed when done."""
        if self.layout_running or self.case_id is None:
            return None
        ids = [r for r, item in self.scene.nodes.items() if item.isVisible()]
        if not ids:
            return None
        edges = [(e.source.record_id, e.target.record_id) for e in self.scene.edges.values() if e.isVisible()]
        boxes = self.scene.boxes(ids)
        before = self.scene.positions(ids)
        case_id = self.case_id
        self.layout_running = True
        self.message.emit(f"Laying out {len(ids):,} records…")

        def done(after: dict[int, Point]) -> None:
            self.layout_running = False
            if self.case_id != case_id:
                return
            if initial:
                self.place_records(after)
                self.view.fit_all(readable=True)
                self.save_positions(after, reason="initial layout")
                self.message.emit("Chart laid out")
            else:
                self.layout_computed.emit(before, after)

        def failed(message: str) -> None:
            self.layout_running = False
            self.message.emit(f"Layout failed: {message}")

        size = self.view.viewport().size()
        aspect = max(0.5, min(3.0, size.width() / max(1, size.height())))
        return self._ops.runner.submit(lambda: layout_job(ids, edges, boxes, aspect=aspect), on_done=done,
                                   on_error=failed)

    # --- what the dossier needs --------------------------------------------------------------------
    def visible_record_ids(self) -> list[int]:
        """Records shown (not filtered or hidden), in id order."""
        return sorted(r for r, item in self.scene.nodes.items() if item.isVisible())

    def visible_link_ids(self) -> list[int]:
        """Links shown (both ends visible, type not hidden), in id order."""
        return sorted(e.link_id for e in self.scene.edges.values() if e.link_id is not None and e.isVisible())

    def chart_positions(self) -> dict[int, Point]:
        """Positions of the shown records."""
        return self.scene.positions(self.visible_record_ids())

    def set_filters(self, hidden_kinds: set[str], hidden_link_types: set[str]) -> None:
        """Hide records of some kinds and links of some types."""
        self.scene.set_filters(hidden_kinds, hidden_link_types)

    def hide_records(self, ids: Iterable[int]) -> None:
        """Hide records from the chart for this session."""
        self.scene.hide_records(ids)
        self.message.emit("Hidden from the chart (Chart › Show hidden records brings them back)")

    def focus_on(self, record_id: int) -> None:
        """Centre the view on a record."""
        item = self.scene.nodes.get(record_id)
        if item is not None:
            self.view.reveal(item, centre=True)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.clear_highlight()
        super().keyPressEvent(event)
