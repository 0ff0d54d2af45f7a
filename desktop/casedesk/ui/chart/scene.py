"""The chart's scene: node and edge items by id, filters, highlights, and what the user did to them.

Signals:
    selection_made(list, object): the user selected records (ids, current last) or a link key (object).
    nodes_moved(dict, dict): the user dragged nodes: positions before and after, by record id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSceneMouseEvent,
    QToolTip,
)

from casedesk.services.chart_graph import ChartEdge, ChartNode
from casedesk.ui.chart.items import (
    EdgeItem,
    NodeItem,
    OverviewLayer,
    set_contents_painted,
)
from casedesk.ui.chart.labels import arrange_edge_labels

Point = tuple[float, float]
PARALLEL_SPACING = 26.0


class ChartScene(QGraphicsScene):
    """Nodes by record id and edges by key; visibility filters; path and neighbourhood highlights."""

    selection_made = Signal(object, object)
    nodes_moved = Signal(object, object)

    def __init__(self, parent: object = None):
        super().__init__(parent)
        self.nodes: dict[int, NodeItem] = {}
        self.edges: dict[str, EdgeItem] = {}
        self.hidden_kinds: set[str] = set()
        self.hidden_link_types: set[str] = set()
        self.hidden_records: set[int] = set()
        self._programmatic = 0
        self._press_positions: dict[int, Point] = {}
        self._focus: set[int] | None = None  # neighbourhood shown at full strength, others faded
        self._pairs: dict[frozenset[int], set[str]] = {}
        self._dragging: list[NodeItem] = []
        self._drag_edges: dict[str, EdgeItem] = {}
        self._raised: list[EdgeItem] = []
        self.overview_on = False
        self.interacting = False
        self.overview = self._new_overview()
        self.selectionChanged.connect(self._on_selection_changed)

    def _new_overview(self) -> OverviewLayer:
        layer = OverviewLayer()
        layer.setVisible(False)
        self.addItem(layer)
        layer.track(self.nodes, self.edges)
        return layer

    def set_overview(self, on: bool) -> None:
        """Far-out drawing: one bulk layer instead of thousands of item paints."""
        if on == self.overview_on:
            return
        self.set_interacting(False)
        self.overview_on = on
        self.overview.lines_only = False
        set_contents_painted(list(self.nodes.values()) + list(self.edges.values()), not on)
        if on:
            self.overview.invalidate()
        self.overview.setVisible(on)

    def set_interacting(self, on: bool) -> None:
        """While the user zooms a big chart: links drawn in bulk (no labels or arrowheads) until done."""
        if on == self.interacting or (on and self.overview_on):
            return
        self.interacting = on
        set_contents_painted(list(self.edges.values()), not on)
        self.overview.lines_only = on
        if on:
            self.overview.invalidate()
        self.overview.setVisible(on)

    def _overview_changed(self) -> None:
        if self.overview_on or self.interacting:
            self.overview.invalidate()

    # --- building ---------------------------------------------------------------------------
    def clear_graph(self) -> None:
        """Remove every item."""
        self._programmatic += 1
        try:
            self.clear()
        finally:
            self._programmatic -= 1
        self.nodes.clear()
        self.edges.clear()
        self._pairs.clear()
        self._raised = []
        self._focus = None
        self.overview_on = False
        self.interacting = False
        self.overview = self._new_overview()

    def add_nodes(self, nodes: Iterable[ChartNode], positions: Mapping[int, Point]) -> list[int]:
        """Add nodes (skipping ones shown already) at their positions; returns the ids added."""
        added = []
        for node in nodes:
            if node.id in self.nodes:
                continue
            item = NodeItem(node)
            x, y = positions.get(node.id, (0.0, 0.0))
            item.setPos(x, y)
            if self.overview_on:
                set_contents_painted([item], False)
            self.addItem(item)
            self.nodes[node.id] = item
            self._apply_visibility_node(item)
            added.append(node.id)
        self._overview_changed()
        return added

    def update_nodes(self, nodes: Iterable[ChartNode]) -> None:
        """Show new labels or kinds of shown nodes."""
        for node in nodes:
            item = self.nodes.get(node.id)
            if item is not None:
                item.set_node(node)
                self._apply_visibility_node(item)
                for edge in item.edges:
                    edge.adjust()

    def remove_nodes(self, ids: Iterable[int]) -> None:
        """Remove nodes and the edges at them."""
        self._programmatic += 1
        try:
            for rid in list(ids):
                item = self.nodes.pop(rid, None)
                if item is None:
                    continue
                for edge in list(item.edges):
                    self._remove_edge(edge.key)
                self.removeItem(item)
        finally:
            self._programmatic -= 1
        self._overview_changed()

    def add_edges(self, edges: Iterable[ChartEdge]) -> list[str]:
        """Add (or replace) edges whose both ends are shown; returns the keys added."""
        added, pairs = [], set()
        for edge in edges:
            source, target = self.nodes.get(edge.source_id), self.nodes.get(edge.target_id)
            if source is None or target is None:
                continue
            old = self.edges.get(edge.key)
            if old is not None:
                if (old.source, old.target) == (source, target):
                    old.set_edge(edge)
                    continue
                self._remove_edge(edge.key)
            item = EdgeItem(edge, source, target)
            if self.overview_on or self.interacting:
                set_contents_painted([item], False)
            self.addItem(item)
            self.edges[edge.key] = item
            self._apply_visibility_edge(item)
            added.append(edge.key)
            pair = frozenset((edge.source_id, edge.target_id))
            self._pairs.setdefault(pair, set()).add(edge.key)
            if len(self._pairs[pair]) > 1:
                pairs.add(pair)
        self._bend_parallel(pairs)
        self._overview_changed()
        return added

    def remove_edges(self, keys: Iterable[str]) -> None:
        """Remove edges by key."""
        pairs = set()
        self._programmatic += 1
        try:
            for key in list(keys):
                item = self.edges.get(key)
                if item is not None:
                    pairs.add(frozenset((item.source.record_id, item.target.record_id)))
                    self._remove_edge(key)
        finally:
            self._programmatic -= 1
        self._bend_parallel(pairs)
        self._overview_changed()

    def _remove_edge(self, key: str) -> None:
        item = self.edges.pop(key, None)
        if item is not None:
            pair = frozenset((item.source.record_id, item.target.record_id))
            keys = self._pairs.get(pair)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._pairs[pair]
            item.detach()
            self.removeItem(item)

    def _bend_parallel(self, pairs: set[frozenset[int]]) -> None:
        """Curve links between the same two records apart so each stays visible."""
        for pair in pairs:
            ids = sorted(pair)
            if len(ids) != 2:
                continue
            between = [self.edges[k] for k in sorted(self._pairs.get(pair, ()))]
            n = len(between)
            for i, edge in enumerate(between):
                offset = (i - (n - 1) / 2) * PARALLEL_SPACING
                # The bend is measured from the source's side: flip it for links running the other way.
                bend = offset if edge.source.record_id == ids[0] else -offset
                if bend != edge.bend:
                    edge.bend = bend
                    edge.adjust()

    # --- positions --------------------------------------------------------------------------
    def positions(self, ids: Iterable[int] | None = None) -> dict[int, Point]:
        """Current positions of nodes (all, or the given ids that are shown)."""
        chosen = self.nodes if ids is None else {i: self.nodes[i] for i in ids if i in self.nodes}
        return {rid: (item.pos().x(), item.pos().y()) for rid, item in chosen.items()}

    def set_positions(self, positions: Mapping[int, Point]) -> None:
        """Move nodes (their edges follow, each recomputed once)."""
        moved_edges: dict[str, EdgeItem] = {}
        for rid, (x, y) in positions.items():
            item = self.nodes.get(rid)
            if item is not None and (item.pos().x(), item.pos().y()) != (x, y):
                item.setPos(x, y)
                for edge in item.edges:
                    moved_edges[edge.key] = edge
        for edge in moved_edges.values():
            edge.adjust()
        if moved_edges or positions:
            self._overview_changed()

    def boxes(self, ids: Iterable[int] | None = None) -> dict[int, tuple[float, float, float, float]]:
        """Each node's box (icon and label) relative to its position, for the layout."""
        chosen = self.nodes if ids is None else {i: self.nodes[i] for i in ids if i in self.nodes}
        return {rid: item.box() for rid, item in chosen.items()}

    def arrange_edge_labels(self, keys: Iterable[str] | None = None) -> None:
        """Slide link labels along their links to spots that cover no record or other label."""
        arrange_edge_labels(self, keys)

    # --- visibility ---------------------------------------------------------------------------
    def _node_visible(self, item: NodeItem) -> bool:
        kind_key = f"party/{item.subkind}" if item.kind == "party" else item.kind
        return (item.kind not in self.hidden_kinds and kind_key not in self.hidden_kinds
                and item.record_id not in self.hidden_records)

    def _apply_visibility_node(self, item: NodeItem) -> None:
        visible = self._node_visible(item)
        if item.isVisible() != visible:
            item.setVisible(visible)
        for edge in item.edges:
            self._apply_visibility_edge(edge)
        self._apply_focus_node(item)

    def _apply_visibility_edge(self, edge: EdgeItem) -> None:
        visible = (edge.link_type not in self.hidden_link_types and self._node_visible(edge.source)
                   and self._node_visible(edge.target))
        if edge.isVisible() != visible:
            edge.setVisible(visible)
        self._apply_focus_edge(edge)

    def set_filters(self, hidden_kinds: set[str], hidden_link_types: set[str]) -> None:
        """Hide records of some kinds (or "party/<kind>") and links of some types."""
        self.hidden_kinds, self.hidden_link_types = set(hidden_kinds), set(hidden_link_types)
        self.refresh_visibility()

    def hide_records(self, ids: Iterable[int]) -> None:
        """Hide records from the chart (for this session)."""
        self.hidden_records |= set(ids)
        self.refresh_visibility()

    def unhide_records(self, ids: Iterable[int] | None = None) -> None:
        """Show hidden records again (all, or some)."""
        back = self.hidden_records if ids is None else self.hidden_records & set(ids)
        if not back:
            return
        self.hidden_records = self.hidden_records - back
        self._programmatic += 1
        try:
            for rid in back:
                if rid in self.nodes:
                    self._apply_visibility_node(self.nodes[rid])
        finally:
            self._programmatic -= 1
        self._overview_changed()

    def refresh_visibility(self) -> None:
        """Re-apply filters to every item."""
        self._programmatic += 1
        try:
            for item in self.nodes.values():
                self._apply_visibility_node(item)
        finally:
            self._programmatic -= 1
        self._overview_changed()

    # --- highlights ------------------------------------------------------------------------------
    def mark_path(self, record_ids: Iterable[int], link_keys: Iterable[str]) -> None:
        """Mark a path (records and links) in the highlight colour; others unmarked."""
        records, links = set(record_ids), set(link_keys)
        for rid, item in self.nodes.items():
            item.set_marked(rid in records)
        for key, edge in self.edges.items():
            edge.set_marked(key in links)
        self._overview_changed()

    def marked(self) -> tuple[list[int], list[str]]:
        """The marked records and link keys."""
        return ([r for r, i in self.nodes.items() if i.marked], [k for k, e in self.edges.items() if e.marked])

    def set_focus(self, ids: set[int] | None) -> None:
        """Show only these records (and links among them) at full strength; None shows all."""
        self._focus = None if ids is None else set(ids)
        for item in self.nodes.values():
            self._apply_focus_node(item)
        for edge in self.edges.values():
            self._apply_focus_edge(edge)

    def _apply_focus_node(self, item: NodeItem) -> None:
        item.setOpacity(1.0 if self._focus is None or item.record_id in self._focus else 0.18)

    def _apply_focus_edge(self, edge: EdgeItem) -> None:
        inside = self._focus is None or (edge.source.record_id in self._focus and edge.target.record_id in self._focus)
        edge.setOpacity(1.0 if inside else 0.12)

    # --- selection -------------------------------------------------------------------------------
    def select(self, record_ids: Iterable[int] = (), link_key: str | None = None) -> None:
        """Select items without announcing it as the user's choice."""
        wanted_nodes = {self.nodes[r] for r in record_ids if r in self.nodes}
        wanted_edge = self.edges.get(link_key) if link_key else None
        self._programmatic += 1
        try:
            for item in self.selectedItems():
                if item not in wanted_nodes and item is not wanted_edge:
                    item.setSelected(False)
            for item in wanted_nodes:
                if not item.isSelected():
                    item.setSelected(True)
            if wanted_edge is not None and not wanted_edge.isSelected():
                wanted_edge.setSelected(True)
        finally:
            self._programmatic -= 1

    def selected_record_ids(self) -> list[int]:
        """Selected records (in id order)."""
        return sorted(i.record_id for i in self.selectedItems() if isinstance(i, NodeItem))

    def _on_selection_changed(self) -> None:
        self._overview_changed()
        for edge in self._raised:
            if edge.scene() is self:
                edge.raise_if_chosen()
        self._raised = [i for i in self.selectedItems() if isinstance(i, EdgeItem)]
        for edge in self._raised:
            edge.raise_if_chosen()
        if self._programmatic:
            return
        items = self.selectedItems()
        nodes = [i.record_id for i in items if isinstance(i, NodeItem)]
        edges = [i for i in items if isinstance(i, EdgeItem)]
        if nodes:
            grabber = self.mouseGrabberItem()
            current = grabber.record_id if isinstance(grabber, NodeItem) and grabber.record_id in nodes else nodes[-1]
            self.selection_made.emit([n for n in nodes if n != current] + [current], None)
        elif edges:
            self.selection_made.emit([], edges[-1].key)
        else:
            self.selection_made.emit([], None)

    # --- moves -------------------------------------------------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        super().mousePressEvent(event)
        self._dragging = [i for i in self.selectedItems() if isinstance(i, NodeItem)]
        self._press_positions = {i.record_id: (i.pos().x(), i.pos().y()) for i in self._dragging}
        self._drag_edges = {e.key: e for i in self._dragging for e in i.edges}

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        super().mouseMoveEvent(event)
        if self._dragging and event.buttons() & Qt.MouseButton.LeftButton:
            for edge in self._drag_edges.values():  # links follow the records being dragged
                edge.adjust()
            self._overview_changed()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        for edge in self._drag_edges.values():
            edge.adjust()
        self._dragging, self._drag_edges = [], {}
        before = self._press_positions
        self._press_positions = {}
        after = {rid: (self.nodes[rid].pos().x(), self.nodes[rid].pos().y()) for rid in before if rid in self.nodes}
        moved = {rid: p for rid, p in after.items() if p != before[rid]}
        if moved:
            self.arrange_edge_labels([e.key for rid in moved for e in self.nodes[rid].edges])
            self.nodes_moved.emit({rid: before[rid] for rid in moved}, moved)

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:  # noqa: N802
        # Tooltips are made when asked for, not stored on every item (thousands of them).
        for item in self.items(event.scenePos()):
            if isinstance(item, (NodeItem, EdgeItem)) and item.isVisible():
                QToolTip.showText(event.screenPos(), item.tooltip())
                event.accept()
                return
        QToolTip.hideText()
        event.ignore()

    def node_at(self, pos: QPointF) -> NodeItem | None:
        """The visible node under a scene position."""
        for item in self.items(pos):
            if isinstance(item, NodeItem) and item.isVisible():
                return item
        return None
