"""The chart's view: zoom (wheel, keys), pan (middle button or Space+drag), rubber-band selection,
drawing a link by dragging from one record to another (Shift, or the link tool), and file drops.

Signals:
    link_drawn(int, int, QPoint): a link was drawn from one record to another (screen position of the drop).
    files_dropped(int, list): files (paths) were dropped onto a record.
    context_requested(object, object, QPointF, QPoint): right click on a record id / link key / nothing.
    zoom_changed(float): the scale changed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsView, QWidget

from casedesk.ui.chart.items import LABEL_DETAIL, LOW_DETAIL, EdgeItem, NodeItem
from casedesk.ui.chart.scene import ChartScene

MIN_SCALE, MAX_SCALE = 0.03, 4.0
OVERVIEW_MIN = 400  # from this many records, far zoom draws through the bulk overview layer
INTERACTIVE_MIN = 1500  # from this many links, zooming draws links in bulk until the wheel rests


class ChartView(QGraphicsView):
    """Shows the chart scene with the interactions of an analyst's link chart."""

    link_drawn = Signal(int, int, QPoint)
    files_dropped = Signal(int, list)
    context_requested = Signal(object, object, QPointF, QPoint)
    zoom_changed = Signal(float)

    def __init__(self, scene: ChartScene, parent: QWidget | None = None):
        super().__init__(scene, parent)
        self.chart = scene
        self.link_mode = False
        self._link_from: NodeItem | None = None
        self._link_line: QGraphicsLineItem | None = None
        self._pan_from: QPoint | None = None
        self._space = False
        self._drop_target: NodeItem | None = None
        # After a fit and until the user zooms or pans, the view keeps fitting as it is resized: a
        # case opened before the window has its final size would otherwise stay a speck.
        self._follow_fit: bool | None = None  # None: not following; else the fit's `readable`
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(220)
        self._settle.timeout.connect(self._end_interaction)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setBackgroundBrush(QColor("#F6F7F9"))
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # --- zoom -------------------------------------------------------------------------------------
    def scale_factor(self) -> float:
        """The current zoom (1.0 = 100 %)."""
        return self.transform().m11()

    def zoom_by(self, factor: float, *, interactive: bool = False) -> None:
        """Zoom in (>1) or out (<1), within limits; interactive=True for a gesture still going on."""
        self._follow_fit = None
        if interactive and len(self.chart.edges) >= INTERACTIVE_MIN:
            self.chart.set_interacting(True)
            self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            self._settle.start()
        self._scale_to(self.scale_factor() * factor)

    def _scale_to(self, target: float) -> None:
        current = self.scale_factor()
        target = min(MAX_SCALE, max(MIN_SCALE, target))
        if abs(target - current) > 1e-9:
            self.scale(target / current, target / current)
            self.update_detail()
            self.zoom_changed.emit(target)

    def ensure_readable(self, item: NodeItem | None = None) -> None:
        """Zoom in to where labels are drawn (centred on item, if given) when the view is further out."""
        if self.scale_factor() < LABEL_DETAIL:
            self._scale_to(LABEL_DETAIL)
            if item is not None:
                self.centerOn(item)

    def _end_interaction(self) -> None:
        self.chart.set_interacting(False)
        self.update_detail()

    def update_detail(self) -> None:
        """Far out on a big chart, draw in bulk and without antialiasing; closer, item by item."""
        far = self.scale_factor() < LOW_DETAIL and len(self.chart.nodes) >= OVERVIEW_MIN
        self.chart.set_overview(far)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, not far and not self.chart.interacting)

    def fit_all(self, rect: QRectF | None = None, *, readable: bool = False) -> None:
        """Fit the visible records (or a rectangle) into the view, at most at 150 %.

        readable=True (opening a case) never goes below the zoom where labels are drawn: a chart
        too big for that is shown around its most connected record instead.
        """
        follow = rect is None
        if rect is None:
            rect = QRectF()
            for item in self.chart.nodes.values():
                if item.isVisible():
                    rect = rect.united(item.sceneBoundingRect())
        if rect.isNull() or rect.isEmpty():
            return
        rect = rect.adjusted(-40, -40, 40, 40)
        self.setSceneRect(self.chart.itemsBoundingRect().united(rect).adjusted(-2000, -2000, 2000, 2000))
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.scale_factor() > 1.5:
            self._scale_to(1.5)
            self.centerOn(rect.center())
        if readable and self.scale_factor() < LABEL_DETAIL:
            self.ensure_readable(self._hub())
        self._follow_fit = readable if follow else None
        self.update_detail()
        self.zoom_changed.emit(self.scale_factor())

    def _hub(self) -> NodeItem | None:
        """The visible record with the most links (where a reader starts)."""
        shown = [item for item in self.chart.nodes.values() if item.isVisible()]
        return max(shown, key=lambda item: (len(item.edges), -item.record_id), default=None)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._follow_fit is not None:
            self.fit_all(readable=self._follow_fit)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        super().scrollContentsBy(dx, dy)
        if self._pan_from is not None:
            self._follow_fit = None  # the user took the view somewhere: stop re-fitting it

    def reveal(self, item: NodeItem | EdgeItem, *, centre: bool = False) -> None:
        """Scroll so the item is in view (centred when asked or when far off)."""
        rect = item.sceneBoundingRect()
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        if centre or not visible.contains(rect):
            self.centerOn(item)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            super().wheelEvent(event)  # Shift+wheel scrolls
            return
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(1.0015 ** delta, interactive=True)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25)
            return
        if event.key() == Qt.Key.Key_Minus:
            self.zoom_by(0.8)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    # --- pan and link drawing ------------------------------------------------------------------
    def _node_at_view(self, pos: QPoint) -> NodeItem | None:
        return self.chart.node_at(self.mapToScene(pos))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position().toPoint()
        if event.button() == Qt.MouseButton.MiddleButton or (
                event.button() == Qt.MouseButton.LeftButton and self._space):
            self._pan_from = pos
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and (
                self.link_mode or event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            node = self._node_at_view(pos)
            if node is not None:
                self._link_from = node
                line = QGraphicsLineItem(QLineF(node.pos(), self.mapToScene(pos)))
                pen = QPen(QColor("#1565C0"), 2, Qt.PenStyle.DashLine)
                pen.setCosmetic(True)
                line.setPen(pen)
                line.setZValue(10)
                self.chart.addItem(line)
                self._link_line = line
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position().toPoint()
        if self._pan_from is not None:
            delta = pos - self._pan_from
            self._pan_from = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        if self._link_line is not None and self._link_from is not None:
            self._link_line.setLine(QLineF(self._link_from.pos(), self.mapToScene(pos)))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position().toPoint()
        if self._pan_from is not None:
            self._pan_from = None
            if self._space:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        if self._link_line is not None:
            self.chart.removeItem(self._link_line)
            self._link_line = None
            source, self._link_from = self._link_from, None
            target = self._node_at_view(pos)
            if source is not None and target is not None and target is not source:
                self.link_drawn.emit(source.record_id, target.record_id, self.viewport().mapToGlobal(pos))
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        scene_pos = self.mapToScene(event.pos())
        record_id = link_key = None
        for item in self.chart.items(scene_pos):
            if isinstance(item, NodeItem) and item.isVisible():
                record_id = item.record_id
                break
            if isinstance(item, EdgeItem) and item.isVisible():
                link_key = item.key
                break
        self.context_requested.emit(record_id, link_key, scene_pos, event.globalPos())
        event.accept()

    # --- file drops ----------------------------------------------------------------------------
    def _drop_node(self, event: QDragMoveEvent | QDropEvent) -> NodeItem | None:
        return self._node_at_view(event.position().toPoint())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        node = self._drop_node(event)
        self._set_drop_target(node)
        if node is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: object) -> None:  # noqa: N802
        self._set_drop_target(None)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        node = self._drop_node(event)
        self._set_drop_target(None)
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if node is None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(node.record_id, paths)

    def _set_drop_target(self, node: NodeItem | None) -> None:
        if node is self._drop_target:
            return
        if self._drop_target is not None and self._drop_target.record_id in self.chart.nodes:
            self._drop_target.set_marked(False)
        self._drop_target = node
        if node is not None:
            node.set_marked(True)
