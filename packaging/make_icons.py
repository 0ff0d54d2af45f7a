"""Render the app icon (resources/icons/app/casedesk.svg) to the PNG sizes desktops ask for, and an ICO.

Run from the repository root: `QT_QPA_PLATFORM=offscreen python packaging/make_icons.py`. The PNGs
are committed, so a build needs no renderer; rerun this after changing the SVG.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "app" / "casedesk.svg"
APP_ID = "org.casedesk.CaseDesk"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
HICOLOR = ROOT / "packaging" / "linux" / "icons" / "hicolor"


def render(renderer: QSvgRenderer, side: int) -> QImage:
    """The SVG drawn on a transparent side×side image."""
    image = QImage(side, side, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    return image


def main() -> int:
    """Write every size; returns 0."""
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - Qt needs one
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        sys.stderr.write(f"cannot read {SVG}\n")
        return 2
    for side in SIZES:
        folder = HICOLOR / f"{side}x{side}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        render(renderer, side).save(str(folder / f"{APP_ID}.png"), "PNG")
    scalable = HICOLOR / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    (scalable / f"{APP_ID}.svg").write_bytes(SVG.read_bytes())
    # Windows wants an .ico for the .exe and the installer (Qt's ico plugin writes one size).
    ico = ROOT / "packaging" / "windows" / "casedesk.ico"
    if not render(renderer, 256).save(str(ico), "ICO"):
        sys.stderr.write("note: this Qt has no ICO writer; packaging/windows/casedesk.ico not written\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
