# One module over 450 lines on purpose: the chart items (nodes, edges, labels) paint and hit-test together; splitting would split one drawing.
"""Chart items: a record as its kind's icon with a two-line label, a link as a labelled arrow.

Labels are laid out once, from at most a few hundred characters, bidi-isolated and elided, so a
1 MB label or a right-to-left override cannot stretch or scramble the chart. Painting is kept
cheap for scenes of thousands: geometry is computed when something moves (not per paint), text
layouts are cached (QStaticText), and far out the OverviewLayer draws every record and link in a
handful of bulk calls while the individual items stop painting (they stay clickable).
"""

from __future__ import annotations

import functools
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
    QStaticText,
    QTextOption,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from casedesk.services.chart_graph import ChartEdge, ChartNode
from casedesk.ui import text as ui_text
from casedesk.ui.icons import icon_name, kind_colour, pixmap

ICON = 36.0
LABEL_WIDTH = 128.0
EDGE_LABEL_WIDTH = 120.0
SELECT_COLOUR = QColor("#1565C0")
PATH_COLOUR = QColor("#EF6C00")
# Screening badges: a confirmed list match must stand out on the chart, as in Maltego and i2.
BADGE_COLOURS = {"confirmed": QColor("#C62828"), "open": QColor("#F9A825")}
BADGE_MARKS = {"confirmed": "!", "open": "?"}
BADGE = 15.0
EDGE_COLOUR = QColor("#8A94A6")
PARTY_EDGE_COLOUR = QColor("#A1887F")
OWNERSHIP_COLOUR = QColor("#5C6B82")
TEXT_COLOUR = QColor("#202124")
EDGE_TEXT_COLOUR = QColor("#455064")
LOW_DETAIL = 0.3  # below this zoom, records are dots and links bare lines
LABEL_DETAIL = 0.5  # below this zoom, record labels are not drawn (under 4 pt: unreadable anyway)
EDGE_LABEL_DETAIL = 0.6  # the same for the smaller link labels
_HAS_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


@functools.lru_cache(maxsize=1)
def label_font() -> QFont:
    """The font of record labels on the chart."""
    font = QFont()
    font.setPointSizeF(8.0)
    return font


@functools.lru_cache(maxsize=1)
def badge_font() -> QFont:
    """The font of the mark in a screening badge."""
    font = QFont()
    font.setPointSizeF(7.5)
    font.setBold(True)
    return font


@functools.lru_cache(maxsize=1)
def edge_font() -> QFont:
    """The font of link labels on the chart."""
    font = QFont()
    font.setPointSizeF(7.0)
    return font


@functools.lru_cache(maxsize=1)
def _label_metrics() -> QFontMetricsF:
    return QFontMetricsF(label_font())


@functools.lru_cache(maxsize=1)
def _edge_metrics() -> QFontMetricsF:
    return QFontMetricsF(edge_font())


def _static(text: str, font: QFont, width: float) -> QStaticText:
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    option = QTextOption(Qt.AlignmentFlag.AlignHCenter)
    option.setWrapMode(QTextOption.WrapMode.NoWrap)
    static.setTextOption(option)
    static.setTextWidth(width)
    static.prepare(font=font)
    return static


@functools.lru_cache(maxsize=4096)
def _edge_label(label: str) -> tuple[str, float, float, QStaticText]:
    """Elided text, width, height and cached layout of a link label (labels repeat a lot)."""
    metrics = _edge_metrics()
    text = ui_text.isolate(metrics.elidedText(ui_text.one_line(label, 120), Qt.TextElideMode.ElideRight,
                                              EDGE_LABEL_WIDTH))
    width = min(EDGE_LABEL_WIDTH, metrics.horizontalAdvance(text)) + 8
    return text, width, metrics.height() + 2, _static(text, edge_font(), width)


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
    """A record on the chart: icon, label below it, selection and path marks.

    The scene moves a node's edges along when it moves the node (set_positions, drags), rather
    than every node reporting every geometry change: that costs a callback per change.
    """

    def __init__(self, node: ChartNode):
        super().__init__()
        self.record_id = node.id
        self.kind, self.subkind = node.kind, node.subkind
        self.edges: list[EdgeItem] = []
        self.marked = False
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable | QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setZValue(2)
        self.set_node(node)

    def set_node(self, node: ChartNode) -> None:
        """Show (new) label and kind."""
        self.prepareGeometryChange()
        self.kind, self.subkind = node.kind, node.subkind
        self.colour = kind_colour(node.kind, node.subkind)
        self.icon = icon_name(node.kind, node.subkind)
        self.label = node.label
        self.screening = node.screening
        metrics = _label_metrics()
        self._lines = wrap_label(ui_text.one_line(node.label, 240), metrics, LABEL_WIDTH)
        width = min(LABEL_WIDTH, max((metrics.horizontalAdvance(line) for line in self._lines), default=0.0)) + 8
        self._line_height = metrics.height()
        height = self._line_height * len(self._lines) + 4
        self._label_rect = QRectF(-width / 2, ICON / 2 + 3, width, height)
        self._statics = [_static(line, label_font(), width) for line in self._lines]
        self._icon_rect = QRectF(-ICON / 2, -ICON / 2, ICON, ICON)
        self._badge_rect = QRectF(ICON / 2 - BADGE * 0.7, -ICON / 2 - BADGE * 0.3, BADGE, BADGE)
        self._bounds = (self._icon_rect.adjusted(-5, -5, 5, 5).united(self._label_rect.adjusted(-2, -2, 2, 2))
                        .united(self._badge_rect.adjusted(-1, -1, 1, 1)))
        self.update()

    def set_screening(self, status: str) -> None:
        """Show a new screening status (badge: red ! confirmed, amber ? to review)."""
        if status != self.screening:
            self.screening = status
            self.update()

    def badge(self) -> str:
        """The badge drawn on the record: "confirmed", "open" or "" (none)."""
        return self.screening if self.screening in BADGE_COLOURS else ""

    def tooltip(self) -> str:
        """The hover text: the full (shortened, isolated) label and screening status (shown on demand)."""
        text = ui_text.display(self.label, 500)
        if self.badge() == "confirmed":
            return f"{text}\nScreening: confirmed list match"
        if self.badge() == "open":
            return f"{text}\nScreening: possible list match to review"
        return text

    def label_rect(self) -> QRectF:
        """Where the label is drawn, in item coordinates."""
        return QRectF(self._label_rect)

    def icon_rect(self) -> QRectF:
        """Where the icon is drawn, in item coordinates."""
        return QRectF(self._icon_rect)

    def box(self) -> tuple[float, float, float, float]:
        """(left, top, width, height) of icon and label together, relative to the position."""
        rect = self._icon_rect.united(self._label_rect)
        return (rect.left(), rect.top(), rect.width(), rect.height())

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self._icon_rect)
        path.addRect(self._label_rect)
        return path

    def set_marked(self, marked: bool) -> None:
        """Mark (or unmark) the node as part of a highlighted path."""
        if marked != self.marked:
            self.marked = marked
            self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = self.isSelected()
        if lod < LOW_DETAIL:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(SELECT_COLOUR if selected else PATH_COLOUR if self.marked else self.colour)
            painter.drawEllipse(self._icon_rect)
            if self.badge():
                painter.setPen(QPen(BADGE_COLOURS[self.badge()], 8))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(self._icon_rect.adjusted(-6, -6, 6, 6))
            return
        if selected or self.marked:
            painter.setPen(QPen(SELECT_COLOUR if selected else PATH_COLOUR, 3.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(self._icon_rect.adjusted(-3, -3, 3, 3))
        scale = min(4.0, max(1.0, lod)) * (widget.devicePixelRatioF() if widget is not None else 1.0)
        painter.drawPixmap(self._icon_rect.topLeft(), pixmap(self.icon, int(ICON), round(scale * 2) / 2))
        if self.badge():
            painter.setPen(QPen(QColor("white"), 1.5))
            painter.setBrush(BADGE_COLOURS[self.badge()])
            painter.drawEllipse(self._badge_rect)
            painter.setFont(badge_font())
            painter.drawText(self._badge_rect, Qt.AlignmentFlag.AlignCenter, BADGE_MARKS[self.badge()])
        if lod < LABEL_DETAIL:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(232, 240, 254, 235) if selected else QColor(255, 255, 255, 215))
        painter.drawRoundedRect(self._label_rect, 3, 3)
        painter.setFont(label_font())
        painter.setPen(SELECT_COLOUR.darker(130) if selected else TEXT_COLOUR)
        top = self._label_rect.top() + 2
        left = self._label_rect.left()
        for n, static in enumerate(self._statics):
            painter.drawStaticText(QPointF(left, top + n * self._line_height), static)


def _pen(colour: QColor, width: float, dashed: bool = False) -> QPen:
    pen = QPen(colour, width)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


_PENS = {"selected": _pen(SELECT_COLOUR, 2.6), "marked": _pen(PATH_COLOUR, 2.6),
         "ownership": _pen(OWNERSHIP_COLOUR, 1.8), "party": _pen(PARTY_EDGE_COLOUR, 1.3, True),
         "link": _pen(EDGE_COLOUR, 1.3)}
_LABEL_FILL = QBrush(QColor(255, 255, 255, 230))


def _clip(p1: tuple[float, float], p2: tuple[float, float], rect: QRectF) -> QLineF | None:
    """The part of segment p1–p2 inside rect (Liang–Barsky), or None."""
    x1, y1 = p1
    dx, dy = p2[0] - x1, p2[1] - y1
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x1 - rect.left()), (dx, rect.right() - x1), (-dy, y1 - rect.top()), (dy, rect.bottom() - y1)):
        if p == 0:
            if q < 0:
                return None
            continue
        r = q / p
        if p < 0:
            if r > t1:
                return None
            t0 = max(t0, r)
        else:
            if r < t0:
                return None
            t1 = min(t1, r)
    return QLineF(x1 + t0 * dx, y1 + t0 * dy, x1 + t1 * dx, y1 + t1 * dy)


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
        # Set when no spot along the link is clear: the label then shows only when the link is
        # selected or highlighted (and always in its tooltip), rather than printing over another.
        self.label_hidden = False
        self.marked = False
        # The extended option carries the exposed rectangle: a long link crossing the view paints
        # its line but not a label or arrowhead that lie off screen.
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setZValue(1)
        self.set_edge(edge)
        source.edges.append(self)
        target.edges.append(self)

    def set_edge(self, edge: ChartEdge) -> None:
        """Show (new) label and detail."""
        self.edge = edge
        self._text, w, h, self._static = _edge_label(edge.label)
        self._text_size = (w, h)
        self.adjust()

    def tooltip(self) -> str:
        """The hover text: type, share, role, dates and grade."""
        return ui_text.display(self.edge.detail, 500)

    def detach(self) -> None:
        """Forget the end nodes (before removal)."""
        for node in (self.source, self.target):
            if self in node.edges:
                node.edges.remove(self)

    def adjust(self) -> None:
        """Recompute the geometry after an end moved or the bend changed (plain float math: it runs a lot)."""
        self.prepareGeometryChange()
        a, b = self.source.pos(), self.target.pos()
        ax, ay, bx, by = a.x(), a.y(), b.x(), b.y()
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        if length < 1e-6:
            self._p1 = self._p2 = self._c = (ax, ay)
            self._normal = (0.0, 1.0)
            self._arrow = QPolygonF()
            self._line_rect = QRectF(ax, ay, 0, 0)
            self._label_rect = QRectF()
            self._bounds = QRectF(ax - 6, ay - 6, 12, 12)
            return
        nx, ny = -dy / length, dx / length
        bend = self.bend
        cx, cy = (ax + bx) / 2 + nx * bend, (ay + by) / 2 + ny * bend
        radius = ICON / 2 + 4
        # Clip at the icons' rims, along the curve's tangents at each end.
        sx, sy = (cx, cy) if bend else (bx, by)
        ex, ey = (cx, cy) if bend else (ax, ay)
        d1 = max(math.hypot(sx - ax, sy - ay), 1e-6)
        d2 = max(math.hypot(ex - bx, ey - by), 1e-6)
        f1, f2 = min(0.45, radius / d1), min(0.45, radius / d2)
        p1 = (ax + (sx - ax) * f1, ay + (sy - ay) * f1)
        p2 = (bx + (ex - bx) * f2, by + (ey - by) * f2)
        self._p1, self._p2 = p1, p2
        self._c = (cx, cy) if bend else ((p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2)
        self._normal = (nx, ny)
        angle = math.atan2(p2[1] - self._c[1], p2[0] - self._c[0]) if bend else math.atan2(p2[1] - p1[1], p2[0] - p1[0])
        size = 9.0
        self._arrow = QPolygonF([QPointF(*p2),
                                 QPointF(p2[0] - math.cos(angle - 0.42) * size, p2[1] - math.sin(angle - 0.42) * size),
                                 QPointF(p2[0] - math.cos(angle + 0.42) * size, p2[1] - math.sin(angle + 0.42) * size)])
        xs, ys = (p1[0], p2[0], self._c[0]), (p1[1], p2[1], self._c[1])
        self._line_rect = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        self._label_rect = self.label_at(self.label_t, self.label_shift)
        self._bounds = self._line_rect.united(self._label_rect).adjusted(-8, -8, 8, 8)

    def _point(self, t: float) -> tuple[float, float]:
        u = 1 - t
        (x1, y1), (cx, cy), (x2, y2) = self._p1, self._c, self._p2
        return (u * u * x1 + 2 * u * t * cx + t * t * x2, u * u * y1 + 2 * u * t * cy + t * t * y2)

    def label_at(self, t: float, shift: float = 0.0) -> QRectF:
        """Where the label would be drawn at parameter t along the link, shifted sideways."""
        w, h = self._text_size
        x, y = self._point(t)
        x += self._normal[0] * shift * (h + 2)
        y += self._normal[1] * shift * (h + 2)
        return QRectF(x - w / 2, y - h / 2, w, h)

    def label_rect(self) -> QRectF:
        """Where the label is drawn (item coordinates = scene coordinates for edges)."""
        return QRectF(self._label_rect)

    def label_shown(self) -> bool:
        """True when the label is drawn (not decluttered away)."""
        return bool(self._text) and not self.label_hidden

    def line(self) -> QLineF:
        """The link as a straight line between the icon rims (for the overview)."""
        return QLineF(QPointF(*self._p1), QPointF(*self._p2))

    def set_label_place(self, t: float, shift: float = 0.0) -> None:
        """Move the label along the link (0 = source, 1 = target) and sideways (in label heights)."""
        if (t, shift) != (self.label_t, self.label_shift):
            self.label_t, self.label_shift = t, shift
            self.adjust()

    def set_marked(self, marked: bool) -> None:
        """Mark (or unmark) the link as part of a highlighted path."""
        if marked != self.marked:
            self.marked = marked
            self.raise_if_chosen()
            self.update()

    def raise_if_chosen(self) -> None:
        """Selected or highlighted links go over their neighbours, so their labels read clearly."""
        z = 1.5 if self.isSelected() else 1.4 if self.marked else 1.0
        if self.zValue() != z:
            self.setZValue(z)

    def _path(self) -> QPainterPath:
        path = QPainterPath(QPointF(*self._p1))
        if self.bend:
            path.quadTo(QPointF(*self._c), QPointF(*self._p2))
        else:
            path.lineTo(QPointF(*self._p2))
        return path

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        shape = stroker.createStroke(self._path())
        shape.addRect(self._label_rect)
        return shape

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not self._arrow.size():
            return
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = self.isSelected()
        if selected:
            pen = _PENS["selected"]
        elif self.marked:
            pen = _PENS["marked"]
        elif self.link_type in ("owns", "subsidiary_of"):
            pen = _PENS["ownership"]
        elif self.link_type == "contract_party":
            pen = _PENS["party"]
        else:
            pen = _PENS["link"]
        painter.setPen(pen)
        exposed = option.exposedRect
        if self.bend:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self._path())
        else:
            # Draw only the part in view: an antialiased line is stroked over its whole length,
            # and a long link across a big chart is mostly off screen.
            visible = _clip(self._p1, self._p2, exposed.adjusted(-4, -4, 4, 4))
            if visible is not None:
                painter.drawLine(visible)
        if lod < LOW_DETAIL:
            return
        if exposed.contains(self._arrow.first()):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pen.color())
            painter.drawPolygon(self._arrow)
        if lod < EDGE_LABEL_DETAIL or not self._text or not exposed.intersects(self._label_rect):
            return
        if self.label_hidden and not (selected or self.marked):
            return
        painter.setBrush(_LABEL_FILL)
        painter.setPen(QPen(pen.color().lighter(130), 0.8))
        painter.drawRoundedRect(self._label_rect, 3, 3)
        painter.setFont(edge_font())
        painter.setPen(SELECT_COLOUR if selected else EDGE_TEXT_COLOUR)
        painter.drawStaticText(QPointF(self._label_rect.left(), self._label_rect.top() + 1), self._static)


class OverviewLayer(QGraphicsItem):
    """Far out, draws every record as a dot and every link as a line in a few bulk calls.

    While it is on, node and edge items carry ItemHasNoContents (Qt then skips their paint
    calls, tens of thousands of Python calls per frame) but stay selectable and clickable.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(0.5)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._nodes: dict[int, NodeItem] = {}
        self._edges: dict[str, EdgeItem] = {}
        self._bounds = QRectF()
        self._dirty = True
        self._lines: dict[str, list[QLineF]] = {}
        self._dots: dict[str, list[QPointF]] = {}
        self.lines_only = False  # while zooming close up: links in bulk, records as usual

    def track(self, nodes: dict[int, NodeItem], edges: dict[str, EdgeItem]) -> None:
        """Draw these nodes and edges (the scene's own dictionaries)."""
        self._nodes, self._edges = nodes, edges
        self.invalidate()

    def invalidate(self) -> None:
        """Positions, visibility or selection changed: rebuild the bulk geometry on next paint."""
        self._dirty = True
        self.prepareGeometryChange()
        rect = QRectF()
        for item in self._nodes.values():
            rect = rect.united(item.sceneBoundingRect()) if rect.isValid() else item.sceneBoundingRect()
        self._bounds = rect
        self.update()

    def _rebuild(self) -> None:
        lines: dict[str, list[QLineF]] = {}
        for edge in self._edges.values():
            if edge.isVisible():
                key = "sel" if edge.isSelected() or edge.marked else ("party" if edge.link_type == "contract_party"
                                                                       else "link")
                lines.setdefault(key, []).append(edge.line())
        dots: dict[str, list[QPointF]] = {}
        for node in () if self.lines_only else self._nodes.values():
            if node.isVisible():
                key = "sel" if node.isSelected() else "path" if node.marked else node.colour.name()
                dots.setdefault(key, []).append(node.pos())
        self._lines, self._dots, self._dirty = lines, dots, False

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds.adjusted(-ICON, -ICON, ICON, ICON)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self._dirty:
            self._rebuild()
        colours = {"link": EDGE_COLOUR, "party": PARTY_EDGE_COLOUR, "sel": SELECT_COLOUR}
        for key in ("party", "link", "sel"):
            if key in self._lines:
                pen = QPen(colours[key], 1.6 if key == "sel" else 1.0)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.drawLines(self._lines[key])
        for key, points in sorted(self._dots.items(), key=lambda kv: kv[0] in ("sel", "path")):
            colour = SELECT_COLOUR if key == "sel" else PATH_COLOUR if key == "path" else QColor(key)
            pen = QPen(colour, ICON * (1.3 if key in ("sel", "path") else 1.0))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawPoints(points)


def set_contents_painted(items: list[QGraphicsItem], painted: bool) -> None:
    """Let items paint themselves (True) or leave drawing to the overview (False)."""
    for item in items:
        item.setFlag(_HAS_NO_CONTENTS, not painted)
