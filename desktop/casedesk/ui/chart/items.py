"""Chart items: a record as its kind's icon with a two-line label, a link as a labelled arrow.

Both paint cheaply at low zoom (a coloured dot, a plain line) so a scene of thousands stays fluid.
Labels are laid out once, from at most a few hundred characters, bidi-isolated and elided, so
a 1 MB label or a right-to-left override cannot stretch or scramble the chart.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from casedesk.services.chart import ChartEdge, ChartNode
from casedesk.ui import text as ui_text
from casedesk.ui.icons import icon_name, kind_colour, pixmap

ICON = 36.0
LABEL_WIDTH = 128.0
EDGE_LABEL_WIDTH = 120.0
SELECT_COLOUR = QColor("#1565C0")
PATH_COLOUR = QColor("#EF6C00")
EDGE_COLOUR = QColor("#8A94A6")
TEXT_COLOUR = QColor("#202124")
LOW_DETAIL = 0.3  # below this zoom, nodes are dots and links bare lines


def label_font() -> QFont:
    """The font of record labels on the chart."""
    font = QFont()
    font.setPointSizeF(8.0)
    return font


def edge_font() -> QFont:
    """The font of link labels on the chart."""
    font = QFont()
    font.setPointSizeF(7.0)
    return font


def wrap_label(text: str, metrics: QFontMetricsF, width: float, max_lines: int = 2) -> list[str]:
    """Break a label into at most `max_lines` lines of `width`, eliding the last one."""
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    i = 0
    while i < len(words) and len(lines) < max_lines - 1:
        candidate = f"{current} {words[i]}" if current else words[i]
        if metrics.horizontalAdvance(candidate) <= width:
            current = candidate
            i += 1
            continue
        if not current:  # one word wider than the line: cut it where it fits
            word = words[i]
            cut = len(word)
            while cut > 1 and metrics.horizontalAdvance(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            words[i] = word[cut:]
            continue
        lines.append(current)
        current = ""
    rest = " ".join(([current] if current else []) + words[i:])
    if rest:
        lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return [ui_text.isolate(line) for line in lines] or [""]


class NodeItem(QGraphicsItem):
    """A record on the chart: icon, label below it, selection and path marks."""

    def __init__(self, node: ChartNode):
        super().__init__()
        self.record_id = node.id
        self.kind, self.subkind = node.kind, node.subkind
        self.edges: list[EdgeItem] = []
        self.marked = False
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setZValue(2)
        self._lines: list[str] = []
        self._label_rect = QRectF()
        self._colour = kind_colour(node.kind, node.subkind)
        self.set_node(node)

    def set_node(self, node: ChartNode) -> None:
        """Show (new) label and kind."""
        self.prepareGeometryChange()
        self.kind, self.subkind = node.kind, node.subkind
        self._colour = kind_colour(node.kind, node.subkind)
        self.label = node.label
        metrics = QFontMetricsF(label_font())
        self._lines = wrap_label(ui_text.one_line(node.label, 240), metrics, LABEL_WIDTH)
        width = max((metrics.horizontalAdvance(line) for line in self._lines), default=0.0)
        width = min(LABEL_WIDTH, width) + 8
        height = metrics.height() * len(self._lines) + 4
        self._label_rect = QRectF(-width / 2, ICON / 2 + 3, width, height)
        self._line_height = metrics.height()
        self._ascent = metrics.ascent()
        self.setToolTip(ui_text.display(node.label, 500))

    def label_rect(self) -> QRectF:
        """Where the label is drawn, in item coordinates."""
        return QRectF(self._label_rect)

    def icon_rect(self) -> QRectF:
        """Where the icon is drawn, in item coordinates."""
        return QRectF(-ICON / 2, -ICON / 2, ICON, ICON)

    def box(self) -> tuple[float, float, float, float]:
        """(left, top, width, height) of icon and label together, relative to the position."""
        rect = self.icon_rect().united(self._label_rect)
        return (rect.left(), rect.top(), rect.width(), rect.height())

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.icon_rect().adjusted(-5, -5, 5, 5).united(self._label_rect.adjusted(-2, -2, 2, 2))

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self.icon_rect())
        path.addRect(self._label_rect)
        return path

    def set_marked(self, marked: bool) -> None:
        """Mark (or unmark) the node as part of a highlighted path."""
        if marked != self.marked:
            self.marked = marked
            self.update()

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.adjust()
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = self.isSelected()
        if lod < LOW_DETAIL:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(SELECT_COLOUR if selected else PATH_COLOUR if self.marked else self._colour)
            painter.drawEllipse(self.icon_rect())
            return
        if selected or self.marked:
            painter.setPen(QPen(SELECT_COLOUR if selected else PATH_COLOUR, 3.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(self.icon_rect().adjusted(-3, -3, 3, 3))
        scale = min(4.0, max(1.0, lod)) * (widget.devicePixelRatioF() if widget is not None else 1.0)
        painter.drawPixmap(self.icon_rect().topLeft(), pixmap(icon_name(self.kind, self.subkind), int(ICON),
                                                              round(scale * 2) / 2))
        if lod < 0.45:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(232, 240, 254, 235) if selected else QColor(255, 255, 255, 215))
        painter.drawRoundedRect(self._label_rect, 3, 3)
        painter.setFont(label_font())
        painter.setPen(SELECT_COLOUR.darker(130) if selected else TEXT_COLOUR)
        top = self._label_rect.top() + 2
        for n, line in enumerate(self._lines):
            rect = QRectF(self._label_rect.left(), top + n * self._line_height, self._label_rect.width(),
                          self._line_height)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), line)


class EdgeItem(QGraphicsItem):
    """A link (or contract party) as a directed arrow between two nodes, labelled at a chosen point."""

    def __init__(self, edge: ChartEdge, source: NodeItem, target: NodeItem):
        super().__init__()
        self.key = edge.key
        self.link_id = edge.link_id
        self.link_type = edge.link_type
        self.source, self.target = source, target
        self.bend = 0.0
        self.label_t = 0.5
        self.label_shift = 0.0  # sideways offset of the label from the link, in label heights
        self.marked = False
        self._path = QPainterPath()
        self._arrow = QPolygonF()
        self._label_rect = QRectF()
        self._text = ""
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(1)
        self.set_edge(edge)
        source.edges.append(self)
        target.edges.append(self)

    def set_edge(self, edge: ChartEdge) -> None:
        """Show (new) label and detail."""
        self.edge = edge
        metrics = QFontMetricsF(edge_font())
        self._text = ui_text.isolate(metrics.elidedText(ui_text.one_line(edge.label, 120),
                                                        Qt.TextElideMode.ElideRight, EDGE_LABEL_WIDTH))
        self._text_size = (min(EDGE_LABEL_WIDTH, metrics.horizontalAdvance(self._text)) + 8, metrics.height() + 2)
        self.setToolTip(ui_text.display(edge.detail, 500))
        self.adjust()

    def detach(self) -> None:
        """Forget the end nodes (before removal)."""
        for node in (self.source, self.target):
            if self in node.edges:
                node.edges.remove(self)

    def _point(self, t: float, p1: QPointF, c: QPointF, p2: QPointF) -> QPointF:
        u = 1 - t
        return p1 * (u * u) + c * (2 * u * t) + p2 * (t * t)

    def adjust(self) -> None:
        """Recompute the path after an end moved or the bend changed."""
        self.prepareGeometryChange()
        a, b = self.source.pos(), self.target.pos()
        line = QLineF(a, b)
        length = line.length()
        mid = (a + b) / 2
        if length < 1e-6:
            self._path = QPainterPath()
            self._arrow = QPolygonF()
            self._label_rect = QRectF()
            self._curve = (a, a, a)
            self._normal = QPointF(0, 1)
            return
        nx, ny = -(b.y() - a.y()) / length, (b.x() - a.x()) / length
        control = mid + QPointF(nx, ny) * self.bend
        radius = ICON / 2 + 4
        # Clip at the icons' rims, along the curve's tangents at each end.
        start_dir = QLineF(a, control if self.bend else b)
        end_dir = QLineF(b, control if self.bend else a)
        p1 = start_dir.pointAt(min(0.45, radius / max(start_dir.length(), 1e-6)))
        p2 = end_dir.pointAt(min(0.45, radius / max(end_dir.length(), 1e-6)))
        path = QPainterPath(p1)
        if self.bend:
            path.quadTo(control, p2)
        else:
            path.lineTo(p2)
        self._path = path
        angle = math.atan2(p2.y() - control.y(), p2.x() - control.x()) if self.bend else \
            math.atan2(p2.y() - p1.y(), p2.x() - p1.x())
        size = 9.0
        left = p2 - QPointF(math.cos(angle - 0.42) * size, math.sin(angle - 0.42) * size)
        right = p2 - QPointF(math.cos(angle + 0.42) * size, math.sin(angle + 0.42) * size)
        self._arrow = QPolygonF([p2, left, right])
        self._curve = (p1, control if self.bend else (p1 + p2) / 2, p2)
        self._normal = QPointF(nx, ny)
        self._label_rect = self.label_at(self.label_t, self.label_shift)

    def label_rect(self) -> QRectF:
        """Where the label is drawn (item coordinates = scene coordinates for edges)."""
        return QRectF(self._label_rect)

    def label_at(self, t: float, shift: float = 0.0) -> QRectF:
        """Where the label would be drawn at parameter t along the link, shifted sideways."""
        w, h = self._text_size
        centre = self._point(t, *self._curve) + self._normal * (shift * (h + 2))
        return QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h)

    def set_label_place(self, t: float, shift: float = 0.0) -> None:
        """Move the label along the link (0 = source, 1 = target) and sideways (in label heights)."""
        if (t, shift) != (self.label_t, self.label_shift):
            self.label_t, self.label_shift = t, shift
            self.adjust()

    def set_marked(self, marked: bool) -> None:
        """Mark (or unmark) the link as part of a highlighted path."""
        if marked != self.marked:
            self.marked = marked
            self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._path.boundingRect().united(self._arrow.boundingRect()).united(self._label_rect) \
            .adjusted(-6, -6, 6, 6)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        shape = stroker.createStroke(self._path)
        shape.addRect(self._label_rect)
        return shape

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self._path.isEmpty():
            return
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = self.isSelected()
        colour = SELECT_COLOUR if selected else PATH_COLOUR if self.marked else (
            QColor("#A1887F") if self.link_type == "contract_party" else EDGE_COLOUR)
        width = 2.6 if (selected or self.marked) else 1.3
        pen = QPen(colour, width)
        if self.link_type == "contract_party":
            pen.setStyle(Qt.PenStyle.DashLine)
        if self.link_type in ("owns", "subsidiary_of") and not (selected or self.marked):
            pen.setColor(QColor("#5C6B82"))
            pen.setWidthF(1.8)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        if lod < LOW_DETAIL:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pen.color())
        painter.drawPolygon(self._arrow)
        if lod < 0.45 or not self._text:
            return
        painter.setBrush(QBrush(QColor(255, 255, 255, 230)))
        painter.setPen(QPen(pen.color().lighter(130), 0.8))
        painter.drawRoundedRect(self._label_rect, 3, 3)
        painter.setFont(edge_font())
        painter.setPen(SELECT_COLOUR if selected else QColor("#455064"))
        painter.drawText(self._label_rect, int(Qt.AlignmentFlag.AlignCenter), self._text)
