"""Icons drawn from the SVGs in resources/icons: one per record kind and party kind, plus action icons."""

from __future__ import annotations

import functools

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from casedesk.paths import resources_dir

# The dominant colour of each kind's icon: edges, timeline bars and far-zoom dots use it.
KIND_COLOURS = {
    "person": "#2F6FDE", "company": "#3B4FB8", "organization": "#0F8A8A", "platform": "#7B3FC4",
    "investor_group": "#2E8B3E", "public_body": "#56657A", "party": "#3B4FB8", "wallet": "#D98A00",
    "datacenter": "#0E7490", "server": "#C2410C", "contract": "#7C5A3A",
}


def icon_name(kind: str, subkind: str | None = None) -> str:
    """The icon of a record: its party kind's for parties, else its record kind's."""
    if kind == "party" and subkind in KIND_COLOURS:
        return subkind  # type: ignore[return-value]
    return kind if kind in KIND_COLOURS else "party"


def kind_colour(kind: str, subkind: str | None = None) -> QColor:
    """The colour of a record kind (or party kind)."""
    return QColor(KIND_COLOURS[icon_name(kind, subkind)])


@functools.lru_cache(maxsize=64)
def _renderer(path: str) -> QSvgRenderer:
    return QSvgRenderer(path)


def _path(name: str) -> str:
    base = resources_dir() / "icons"
    found = base / f"{name}.svg"
    return str(found if found.exists() else base / "actions" / f"{name}.svg")


@functools.lru_cache(maxsize=256)
def pixmap(name: str, size: int, ratio: float = 1.0) -> QPixmap:
    """The named icon rendered at size×size logical pixels for a device pixel ratio (cached)."""
    side = max(1, round(size * ratio))
    image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _renderer(_path(name)).render(painter, QRectF(0, 0, side, side))
    painter.end()
    pm = QPixmap.fromImage(image)
    pm.setDevicePixelRatio(ratio)
    return pm


@functools.lru_cache(maxsize=64)
def icon(name: str) -> QIcon:
    """The named icon as a QIcon (record kinds, party kinds or actions)."""
    result = QIcon()
    for size in (16, 24, 32, 48):
        result.addPixmap(pixmap(name, size))
    return result


def kind_icon(kind: str, subkind: str | None = None) -> QIcon:
    """The icon of a record kind or party kind."""
    return icon(icon_name(kind, subkind))


ICON_SIZE = QSize(20, 20)
