"""A horizontal, zoomable timeline with one lane per record, drawn to each date's precision.

A month-precision date spans its whole month and a year-precision date its year; a day is a
narrow mark. "About" dates are drawn hatched with a dashed border and a "~". A dated link or
contract term with no end continues as a fading line. Ctrl+wheel zooms about the cursor,
Shift+wheel pans in time, the wheel scrolls lanes.

Signals:
    item_clicked(object): the user clicked a TimelineItem.
    lane_clicked(object): the user clicked a lane's label (record id, or None for the case lane).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from casedesk.services.timeline import TimelineItem
from casedesk.ui import text as ui_text
from casedesk.ui.icons import kind_colour
from casedesk.ui.models.lists import ROW_ROLE, TimelineModel

LABEL_W = 230.0
AXIS_H = 34.0
ROW_H = 22.0
LANE_PAD = 6.0
MIN_ITEM_W = 7.0
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass
class _Placed:
    item: TimelineItem
    lane: int
    row: int
    x0: float  # days from origin
    x1: float


class TimelineView(QAbstractScrollArea):
    """Draws a TimelineModel's items in lanes by record; zoom, pan, click to select."""

    item_clicked = Signal(object)
    lane_clicked = Signal(object)

    def __init__(self, model: TimelineModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.px_per_day = 3.0
        self._origin = date.today()
        self._days = 365
        self._lanes: list[tuple[Any, str, str]] = []  # (lane id, label, kind)
        self._lane_top: list[float] = []
        self._lane_height: list[float] = []
        self._placed: list[_Placed] = []
        self._selected_key: str | None = None
        self._selected_lane: Any = "none"
        self._fitted = False
        self.viewport().setMouseTracking(True)
        self.setMinimumHeight(120)
        for signal in (model.rowsInserted, model.rowsRemoved, model.rowsMoved, model.dataChanged,
                       model.modelReset, model.layoutChanged):
            signal.connect(self._on_model_changed)
        self.horizontalScrollBar().valueChanged.connect(self.viewport().update)
        self.verticalScrollBar().valueChanged.connect(self.viewport().update)
        self._font = QFont()
        self._font.setPointSizeF(8.5)
        self._rebuild()

    # --- layout ---------------------------------------------------------------------------------
    def _on_model_changed(self, *args: Any) -> None:
        self._rebuild()
        self.viewport().update()

    def items(self) -> list[TimelineItem]:
        """Every item shown, in model order."""
        return [self.model.data(self.model.index(r, 0), ROW_ROLE) for r in range(self.model.rowCount())]

    def _rebuild(self) -> None:
        items = self.items()
        if items:
            first = min(i.first_day for i in items)
            last = max(i.last_day for i in items)
            self._origin = date(first.year, first.month, 1) - timedelta(days=15)
            self._days = max(60, (last - self._origin).days + 45)
        lanes: dict[Any, tuple[str, str, date]] = {}
        for item in items:
            if item.lane_id not in lanes:
                lanes[item.lane_id] = (item.lane_label, item.lane_kind, item.first_day)
        order = sorted(lanes, key=lambda k: (lanes[k][2], k is None, k or 0))
        self._lanes = [(k, lanes[k][0], lanes[k][1]) for k in order]
        index = {k: n for n, k in enumerate(order)}
        rows_end: dict[int, list[float]] = {}
        placed = []
        metrics = QFontMetricsF(self._font)
        for item in sorted(items, key=lambda i: (i.first_day, i.key)):
            lane = index[item.lane_id]
            x0 = float((item.first_day - self._origin).days)
            x1 = float((item.last_day - self._origin).days + 1)
            # Leave room for the title so neighbours in a lane don't overprint it.
            text_days = (metrics.horizontalAdvance(ui_text.one_line(item.title, 60)) + 16) / max(self.px_per_day, 0.01)
            ends = rows_end.setdefault(lane, [])
            for row, end in enumerate(ends):
                if end <= x0:
                    break
            else:
                row = len(ends)
                ends.append(0.0)
            ends[row] = max(x1, x0 + text_days)
            placed.append(_Placed(item, lane, row, x0, x1))
        self._placed = placed
        top = 0.0
        self._lane_top, self._lane_height = [], []
        for n in range(len(self._lanes)):
            height = max(1, len(rows_end.get(n, [0]))) * ROW_H + 2 * LANE_PAD
            self._lane_top.append(top)
            self._lane_height.append(height)
            top += height
        self._content_height = top
        self._update_scrollbars()

    def _update_scrollbars(self) -> None:
        width = self._days * self.px_per_day
        visible_w = max(1.0, self.viewport().width() - LABEL_W)
        self.horizontalScrollBar().setRange(0, max(0, int(width - visible_w)))
        self.horizontalScrollBar().setPageStep(int(visible_w))
        visible_h = max(1.0, self.viewport().height() - AXIS_H)
        self.verticalScrollBar().setRange(0, max(0, int(self._content_height - visible_h)))
        self.verticalScrollBar().setPageStep(int(visible_h))

    # --- zoom --------------------------------------------------------------------------------------
    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        """Zoom time by a factor, keeping the day under anchor_x (viewport x) in place."""
        anchor_x = anchor_x if anchor_x is not None else LABEL_W + (self.viewport().width() - LABEL_W) / 2
        day = self._x_to_day(anchor_x)
        self.px_per_day = min(80.0, max(0.02, self.px_per_day * factor))
        self._rebuild()
        self.horizontalScrollBar().setValue(int(day * self.px_per_day - (anchor_x - LABEL_W)))
        self.viewport().update()

    def fit(self) -> None:
        """Fit the whole time range into the width."""
        visible_w = max(100.0, self.viewport().width() - LABEL_W - 10)
        self.px_per_day = max(0.02, visible_w / max(1, self._days))
        self._rebuild()
        self.horizontalScrollBar().setValue(0)
        self.viewport().update()

    def _x_to_day(self, x: float) -> float:
        return (x - LABEL_W + self.horizontalScrollBar().value()) / self.px_per_day

    def _day_to_x(self, day: float) -> float:
        return LABEL_W + day * self.px_per_day - self.horizontalScrollBar().value()

    def _lane_y(self, lane: int) -> float:
        return AXIS_H + self._lane_top[lane] - self.verticalScrollBar().value()

    def item_rect(self, placed: _Placed) -> QRectF:
        """Where an item's bar is drawn, in viewport coordinates."""
        x0, x1 = self._day_to_x(placed.x0), self._day_to_x(placed.x1)
        if x1 - x0 < MIN_ITEM_W:
            centre = (x0 + x1) / 2
            x0, x1 = centre - MIN_ITEM_W / 2, centre + MIN_ITEM_W / 2
        y = self._lane_y(placed.lane) + LANE_PAD + placed.row * ROW_H
        return QRectF(x0, y + 2, x1 - x0, ROW_H - 4)

    def rect_of(self, key: str) -> QRectF | None:
        """The bar of the item with a key, in viewport coordinates."""
        for p in self._placed:
            if p.item.key == key:
                return self.item_rect(p)
        return None

    # --- selection ----------------------------------------------------------------------------------
    def select_record(self, record_id: int | None) -> None:
        """Highlight a record's lane (and scroll it into view)."""
        self._selected_lane = record_id
        self._selected_key = None
        for n, (lane_id, _, _) in enumerate(self._lanes):
            if lane_id == record_id:
                self._scroll_lane_into_view(n)
        self.viewport().update()

    def select_link(self, link_id: int) -> None:
        """Highlight a link's item (if it is dated)."""
        self._selected_key = f"link:{link_id}"
        self._selected_lane = "none"
        for p in self._placed:
            if p.item.key == self._selected_key:
                self._scroll_lane_into_view(p.lane)
                x = self.item_rect(p).center().x()
                if not LABEL_W <= x <= self.viewport().width():
                    self.horizontalScrollBar().setValue(int(p.x0 * self.px_per_day - 40))
        self.viewport().update()

    def clear_selection(self) -> None:
        """Highlight nothing."""
        self._selected_key, self._selected_lane = None, "none"
        self.viewport().update()

    def _scroll_lane_into_view(self, lane: int) -> None:
        top = self._lane_top[lane]
        bar = self.verticalScrollBar()
        visible = self.viewport().height() - AXIS_H
        if top < bar.value() or top + self._lane_height[lane] > bar.value() + visible:
            bar.setValue(int(top - 10))

    # --- events -------------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if not self._fitted and self.viewport().width() > LABEL_W + 50 and self._placed:
            self._fitted = True
            self.fit()
        self._update_scrollbars()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta().y() or event.angleDelta().x()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.0015 ** delta, event.position().x())
            event.accept()
        elif event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - delta)
            event.accept()
        else:
            super().wheelEvent(event)

    def item_at(self, pos: QPointF) -> TimelineItem | None:
        """The item under a viewport position."""
        for p in reversed(self._placed):
            if self.item_rect(p).adjusted(-2, -2, 2, 2).contains(pos):
                return p.item
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        if pos.x() < LABEL_W and pos.y() > AXIS_H:
            for n in range(len(self._lanes)):
                y = self._lane_y(n)
                if y <= pos.y() < y + self._lane_height[n]:
                    self.lane_clicked.emit(self._lanes[n][0])
                    return None
            return None
        item = self.item_at(pos)
        if item is not None:
            self._selected_key = item.key
            self.viewport().update()
            self.item_clicked.emit(item)
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        item = self.item_at(event.position())
        if item is None:
            self.viewport().setToolTip("")
            return
        when = item.start_date.display()
        if item.end:
            when += " – " + item.end_date.display()
        elif item.open_end:
            when += " onwards"
        self.viewport().setToolTip(f"{ui_text.display(item.title, 300)}\n{when}\n{ui_text.display(item.lane_label, 200)}")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(800, 240)

    # --- painting -----------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._font)
        metrics = QFontMetricsF(self._font)
        w, h = self.viewport().width(), self.viewport().height()
        painter.fillRect(0, 0, w, h, QColor("#FFFFFF"))
        if not self._placed:
            painter.setPen(QColor("#5F6368"))
            painter.drawText(QRectF(0, 0, w, h), int(Qt.AlignmentFlag.AlignCenter),
                             "No dated events, links, fleets or contracts in this case yet.")
            return
        painter.save()
        painter.setClipRect(QRectF(0, AXIS_H, w, h - AXIS_H))
        for n, (lane_id, label, kind) in enumerate(self._lanes):
            y = self._lane_y(n)
            lh = self._lane_height[n]
            if y > h or y + lh < AXIS_H:
                continue
            selected = lane_id == self._selected_lane
            painter.fillRect(QRectF(0, y, w, lh), QColor("#E8F0FE") if selected else
                             QColor("#FAFAFB") if n % 2 else QColor("#FFFFFF"))
            painter.setPen(QPen(QColor("#E3E5E8"), 1))
            painter.drawLine(QPointF(0, y + lh), QPointF(w, y + lh))
        self._paint_grid(painter, w, h)
        painter.save()
        painter.setClipRect(QRectF(LABEL_W, AXIS_H, w - LABEL_W, h - AXIS_H))
        visible_lanes = {n for n in range(len(self._lanes))
                         if self._lane_y(n) < h and self._lane_y(n) + self._lane_height[n] > AXIS_H}
        for p in self._placed:
            if p.lane in visible_lanes:  # thousands of items: only the lanes in view are drawn
                self._paint_item(painter, metrics, p, w)
        painter.restore()
        for n, (lane_id, label, kind) in enumerate(self._lanes):
            y = self._lane_y(n)
            lh = self._lane_height[n]
            if y > h or y + lh < AXIS_H:
                continue
            selected = lane_id == self._selected_lane
            painter.fillRect(QRectF(0, y, LABEL_W - 1, lh), QColor("#E8F0FE") if selected else QColor("#F4F5F7"))
            colour = kind_colour(kind) if kind else QColor("#56657A")
            painter.setBrush(colour)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(QRectF(8, y + LANE_PAD + 5, 10, 10))
            painter.setPen(QColor("#1A57B6") if selected else QColor("#202124"))
            text = metrics.elidedText(ui_text.display(label, 200), Qt.TextElideMode.ElideRight, LABEL_W - 30)
            painter.drawText(QRectF(24, y + LANE_PAD, LABEL_W - 30, ROW_H - 2),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
        painter.setPen(QPen(QColor("#D0D3D8"), 1))
        painter.drawLine(QPointF(LABEL_W - 1, AXIS_H), QPointF(LABEL_W - 1, h))
        painter.restore()
        self._paint_axis(painter, metrics, w)
        painter.end()

    def _ticks(self) -> tuple[list[tuple[date, str, bool]], bool]:
        """Tick dates with labels; months when wide enough, else years (major ticks flagged)."""
        first = self._origin
        last = self._origin + timedelta(days=self._days)
        monthly = self.px_per_day * 30 >= 42
        ticks = []
        y, m = first.year, first.month
        while date(y, m, 1) <= last:
            d = date(y, m, 1)
            if monthly:
                ticks.append((d, _MONTHS[m - 1] if m != 1 else f"{y}", m == 1))
            elif m == 1:
                ticks.append((d, str(y), True))
            m += 1
            if m == 13:
                y, m = y + 1, 1
        return ticks, monthly

    def _paint_grid(self, painter: QPainter, w: int, h: int) -> None:
        ticks, _ = self._ticks()
        for d, _, major in ticks:
            x = self._day_to_x((d - self._origin).days)
            if x < LABEL_W or x > w:
                continue
            painter.setPen(QPen(QColor("#D5D8DD") if major else QColor("#EDEEF0"), 1))
            painter.drawLine(QPointF(x, AXIS_H), QPointF(x, h))

    def _paint_axis(self, painter: QPainter, metrics: QFontMetricsF, w: int) -> None:
        painter.fillRect(QRectF(0, 0, w, AXIS_H), QColor("#F4F5F7"))
        painter.setPen(QPen(QColor("#D0D3D8"), 1))
        painter.drawLine(QPointF(0, AXIS_H - 0.5), QPointF(w, AXIS_H - 0.5))
        painter.setPen(QColor("#5F6368"))
        painter.drawText(QRectF(8, 0, LABEL_W - 16, AXIS_H), int(Qt.AlignmentFlag.AlignVCenter), "Record")
        ticks, monthly = self._ticks()
        for d, label, major in ticks:
            x = self._day_to_x((d - self._origin).days)
            if x < LABEL_W or x > w:
                continue
            painter.setPen(QPen(QColor("#9AA0A6"), 1))
            painter.drawLine(QPointF(x, AXIS_H - (12 if major else 6)), QPointF(x, AXIS_H))
            font = QFont(self._font)
            font.setBold(major)
            painter.setFont(font)
            painter.setPen(QColor("#202124") if major else QColor("#5F6368"))
            painter.drawText(QPointF(x + 3, AXIS_H - 14), label)
        painter.setFont(self._font)

    def _paint_item(self, painter: QPainter, metrics: QFontMetricsF, p: _Placed, w: int) -> None:
        rect = self.item_rect(p)
        if rect.right() < LABEL_W - 200 or rect.left() > w:
            return
        item = p.item
        colour = kind_colour(item.lane_kind) if item.lane_kind else QColor("#56657A")
        selected = item.key == self._selected_key
        if item.open_end:
            end_x = min(w, self._day_to_x(self._days))
            gradient = QLinearGradient(rect.right(), 0, end_x, 0)
            gradient.setColorAt(0, QColor(colour.red(), colour.green(), colour.blue(), 140))
            gradient.setColorAt(1, QColor(colour.red(), colour.green(), colour.blue(), 0))
            painter.setPen(QPen(QBrush(gradient), 2))
            mid = rect.center().y()
            painter.drawLine(QPointF(rect.right(), mid), QPointF(end_x, mid))
        fill = QColor(colour)
        fill.setAlpha(70 if item.about else 150)
        border = QPen(QColor("#1565C0") if selected else colour.darker(115), 2.2 if selected else 1.2)
        if item.about:
            border.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(border)
        painter.setBrush(fill)
        if item.kind in ("installed", "in_service", "decommissioned") or (item.precision == "day" and not item.end):
            # A point in time: a diamond, so it reads as a date rather than a span.
            c = rect.center()
            r = min(ROW_H / 2 - 3, max(rect.width() / 2, 5))
            painter.drawPolygon(QPolygonF([QPointF(c.x(), c.y() - r), QPointF(c.x() + r, c.y()),
                                           QPointF(c.x(), c.y() + r), QPointF(c.x() - r, c.y())]))
            if rect.width() > 2 * r + 2:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect, 3, 3)
        else:
            painter.drawRoundedRect(rect, 3, 3)
            if item.about:
                painter.setBrush(QBrush(colour.darker(110), Qt.BrushStyle.BDiagPattern))
                painter.setPen(Qt.PenStyle.NoPen)
                painter.drawRoundedRect(rect, 3, 3)
        title = ("~ " if item.about else "") + ui_text.one_line(item.title, 120)
        text = ui_text.isolate(title)
        painter.setPen(QColor("#1A57B6") if selected else QColor("#202124"))
        inner = rect.adjusted(4, 0, -4, 0)
        width = metrics.horizontalAdvance(text)
        if width <= inner.width():
            painter.drawText(inner, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
        else:
            room = QRectF(rect.right() + 4, rect.top(), 360, rect.height())
            painter.drawText(room, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                             metrics.elidedText(text, Qt.TextElideMode.ElideRight, 360))
