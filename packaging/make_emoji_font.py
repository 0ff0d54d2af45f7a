"""Make resources/fonts/Symbola-subset.ttf: the symbols and emoji DejaVu and WenQuanYi lack.

Run by hand when the font is to change (needs fonttools and the Debian package):

    apt-get download fonts-symbola && dpkg-deb -x fonts-symbola_*.deb /tmp/sym
    pip install --target /tmp/ft fonttools
    PYTHONPATH=/tmp/ft python packaging/make_emoji_font.py /tmp/sym/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf

Symbola is monochrome with TrueType outlines, which ReportLab can embed (colour emoji fonts are
bitmaps or layered glyphs it cannot). The whole font is 3.1 MB; only what the other shipped fonts
cannot draw is kept (arrows, technical and miscellaneous symbols, dingbats, mathematical letters,
emoji and pictographs), without hinting.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FONTS = Path(__file__).resolve().parent.parent / "resources" / "fonts"
RANGES = ((0x2000, 0x2BFF), (0x2E00, 0x2E7F), (0x1D400, 0x1D7FF), (0x1F000, 0x1FAFF))


def main(source: str) -> None:
    from fontTools.ttLib import TTCollection, TTFont

    have = set(TTFont(FONTS / "DejaVuSans.ttf").getBestCmap())
    have |= set(TTCollection(FONTS / "wqy-microhei.ttc").fonts[0].getBestCmap())
    wanted = sorted(cp for cp in TTFont(source).getBestCmap()
                    if cp not in have and any(lo <= cp <= hi for lo, hi in RANGES))
    subprocess.run([sys.executable, "-m", "fontTools.subset", source,
                    "--unicodes=" + ",".join(f"U+{cp:04X}" for cp in wanted), "--no-hinting",
                    "--layout-features=", "--name-IDs=*", "--notdef-outline",
                    f"--output-file={FONTS / 'Symbola-subset.ttf'}"], check=True)
    print(f"{len(wanted):,} characters → {FONTS / 'Symbola-subset.ttf'}")


if __name__ == "__main__":
    main(sys.argv[1])
