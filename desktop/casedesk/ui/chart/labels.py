"""Link-label placement on the chart: each label slid to the spot that covers the fewest others."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from PySide6.QtCore import QRectF

from casedesk.ui.chart.items import EdgeItem, NodeItem


class ChartScene(Protocol):
    """What label arranging reads of the chart scene (a Protocol, so labels need not import scene)."""

    nodes: dict[int, NodeItem]
    edges: dict[str, EdgeItem]

    def items(self, rect: QRectF) -> list: ...


LABEL_ARRANGE_LIMIT = 2500  # above this many links, labels stay mid-link (placing them all takes seconds)
# Where a link label may go: along the link first (t from the middle outwards), then beside it.
_LABEL_PLACES = [(t, 0.0) for t in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82)] + \
    [(t, s) for s in (1.0, -1.0) for t in (0.5, 0.38, 0.62, 0.26, 0.74)]


class _RectIndex:
    """Rectangles in a coarse grid, to count which a new rectangle overlaps without testing all."""

    CELL = 160.0

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[QRectF]] = {}

    def _keys(self, rect: QRectF) -> Iterable[tuple[int, int]]:
        c = self.CELL
        for i in range(int(rect.left() // c), int(rect.right() // c) + 1):
            for j in range(int(rect.top() // c), int(rect.bottom() // c) + 1):
                yield (i, j)

    def add(self, rect: QRectF) -> None:
        for key in self._keys(rect):
            self._cells.setdefault(key, []).append(rect)

    def hits(self, rect: QRectF) -> int:
        seen: set[int] = set()
        count = 0
        for key in self._keys(rect):
            for other in self._cells.get(key, ()):
                if id(other) not in seen:
                    seen.add(id(other))
                    if other.intersects(rect):
                        count += 1
        return count


def arrange_edge_labels(scene: ChartScene, keys: Iterable[str] | None = None) -> None:
    """Slide link labels along their links to spots that cover no record or other label."""
    blockers, placed = _RectIndex(), _RectIndex()
    if keys is None:
        if len(scene.edges) > LABEL_ARRANGE_LIMIT:
            return
        chosen = list(scene.edges.values())
        nearby_nodes: Iterable[NodeItem] = scene.nodes.values()
        others: list[EdgeItem] = []
    else:
        chosen = [scene.edges[k] for k in dict.fromkeys(keys) if k in scene.edges]
        if not chosen:
            return
        # Only what lies around these links can be in a label's way: ask the scene's index.
        region = QRectF()
        for edge in chosen:
            region = region.united(edge.sceneBoundingRect())
        around = scene.items(region.adjusted(-80, -80, 80, 80))
        nearby_nodes = [i for i in around if isinstance(i, NodeItem)]
        mine = set(chosen)
        others = [i for i in around if isinstance(i, EdgeItem) and i not in mine]
    for item in nearby_nodes:
        if item.isVisible():
            blockers.add(item.mapRectToScene(item.icon_rect()))
            blockers.add(item.mapRectToScene(item.label_rect()))
    for edge in others:
        if edge.isVisible() and edge.label_shown():
            placed.add(edge.label_rect())
    for edge in sorted(chosen, key=lambda e: e.key):
        if not edge.isVisible():
            continue
        best, best_score = (0.5, 0.0), None
        for place in _LABEL_PLACES:
            rect = edge.label_at(*place)
            score = blockers.hits(rect) * 3 + placed.hits(rect)
            if best_score is None or score < best_score:
                best, best_score = place, score
            if score == 0:
                break
        edge.set_label_place(*best)
        edge.label_hidden = bool(best_score)
        if not edge.label_hidden:
            placed.add(edge.label_rect())
        edge.update()
