"""The dossier's page: size, margins, limits of shown text, colours, and the run type of styled text."""

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

PAGE = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 18 * mm
CHUNK_ROWS = 250  # long tables are cut into Tables of this many rows (platform-notes §6e)
CELL_LIMIT = 1200  # characters of free text shown in a table cell (full text is shown elsewhere)
REF_LIMIT = 160  # characters of a record's name where it is only referred to
REDACTION_BOX = 34.0  # width in points of a withheld value's black box (never the text's width)
SEVERITY_COLOURS = {"critical": "#7b0d0d", "high": "#c0392b", "medium": "#b7770a",
                    "low": "#2e6fa3", "info": "#667079"}
GRID = colors.HexColor("#c9cdd2")
HEAD_BG = colors.HexColor("#e8ebef")
INK = colors.HexColor("#1a1a1a")

Run = tuple[str | None, str, str, str | None]  # font (None: black box), text, colour, link target
