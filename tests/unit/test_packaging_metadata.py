"""The Linux desktop entry and AppStream metadata pass their own validators; the icons exist."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
APP_ID = "org.casedesk.CaseDesk"


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: `make setup` installs it (apt packages desktop-file-utils, appstream)"
    return found


def test_desktop_entry_validates():
    out = subprocess.run([_tool("desktop-file-validate"), str(LINUX / f"{APP_ID}.desktop")],
                         capture_output=True, text=True)
    assert out.returncode == 0 and not out.stdout.strip(), out.stdout + out.stderr


def test_appstream_metainfo_validates():
    out = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("side", [16, 22, 24, 32, 48, 64, 128, 256, 512])
def test_icons_at_the_usual_sizes(side):
    png = LINUX / "icons" / "hicolor" / f"{side}x{side}" / "apps" / f"{APP_ID}.png"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # IHDR width and height, big-endian, right after the signature and the chunk header
    assert int.from_bytes(data[16:20], "big") == side and int.from_bytes(data[20:24], "big") == side
