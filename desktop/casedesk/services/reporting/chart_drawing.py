"""The link chart as vector graphics: records as kind-shaped nodes, links as labelled arrows.

Positions come from the dossier (the view, saved positions or a computed layout) and are scaled
to the area uniformly. Labels must not collide: after scaling, overlapping node boxes (node plus
its label) are pushed apart a few rounds, and each link label takes the first spot along its
link that is free. ReportLab has no label placement of its own, hence the hand-written passes.
Above LABEL_LIMIT records only the most connected records are labelled, so the chart stays
legible; the party profiles name everything.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from casedesk.services.reporting.fonts import dossier_fonts
from casedesk.services.reporting.model import Dossier, RecordEntry, Redacted, Scrubbed, Text
from casedesk.services.reporting.text import display_line, pieces

LABEL_LIMIT = 150  # above this many records, only the LABEL_LIMIT most connected get labels
LINK_LABEL_LIMIT = 120  # above this many links, links carry no text labels
LEGEND_HEIGHT = 22.0

KIND_STYLE = {  # fill colour per record kind (and person parties)
    "party": colors.HexColor("#2f6db5"),
    "person": colors.HexColor("#7a4fb0"),
    "wallet": colors.HexColor("#d08a00"),
    "datacenter": colors.HexColor("#3a8d5a"),
    "server": colors.HexColor("#b8452f"),
    "contract": colors.HexColor("#5f6b73"),
}
KIND_NAMES = (("party", "Company / body"), ("person", "Person"), ("wallet", "Wallet"),
              ("datacenter", "Data center"), ("server", "Server fleet"), ("contract", "Contract"))
LINK_GROUPS = {
    "ownership": ({"owns", "subsidiary_of", "affiliate_of", "same_as"}, colors.HexColor("#1f3f78")),
    "money": ({"paid", "funds", "controls_wallet"}, colors.HexColor("#2d7a3e")),
    "compute": ({"uses_compute_of", "operates", "owns_asset", "hosted_at", "covers", "customer_of"},
                colors.HexColor("#b35c00")),
    "people": ({"officer_of", "employed_by", "associate_of"}, colors.HexColor("#6b3fa0")),
}
OTHER_LINK = colors.HexColor("#777777")


def link_colour(link_type: str) -> colors.Color:
    """The colour of a link type's group."""
    for members, colour in LINK_GROUPS.values():
        if link_type in members:
            return colour
    return OTHER_LINK


@dataclass
class _Node:
    id: int
    kind: str
    x: float
    y: float
    lines: list[list[tuple[str, str, bool]]]  # label lines of (font, text, redacted) runs
    label_w: float
    label_h: float

    def box(self, r: float, pad: float) -> tuple[float, float, float, float]:
        half = max(r, self.label_w / 2)
        return (self.x - half - pad, self.y - r - self.label_h - pad, self.x + half + pad, self.y + r + pad)


def _style_key(entry: RecordEntry) -> str:
    return "person" if entry.kind == "party" and entry.subkind == "person" else entry.kind


def _runs(value: Text) -> list[tuple[str, str, bool]]:
    """Label text as (font, text, redacted) runs; withheld parts are marked for a black box."""
    fonts = dossier_fonts()
    parts = value.parts if isinstance(value, Scrubbed) else (value,)
    out: list[tuple[str, str, bool]] = []
    for part in parts:
        if isinstance(part, Redacted):
            out.append((fonts.sans, "\u2588" * 6, True))
            continue
        # Logical order here: a right-to-left label is shaped and ordered per wrapped line (_merge).
        for font, text, _ph in pieces(part, fonts.sans, display=False):
            out.append((font, " " if text == "\n" else text, False))
    return out


def _wrap(runs: list[tuple[str, str, bool]], size: float, width: float,
          max_lines: int) -> list[list[tuple[str, str, bool]]]:
    """Greedy wrap of runs into lines no wider than width (break at spaces, else anywhere)."""
    # Flatten to characters with their font, keeping redaction boxes atomic.
    atoms: list[tuple[str, str, bool]] = []
    for font, text, red in runs:
        if red:
            atoms.append((font, text, True))
        else:
            atoms.extend((font, ch, False) for ch in text)
    lines: list[list[tuple[str, str, bool]]] = []
    line: list[tuple[str, str, bool]] = []
    line_w = 0.0
    last_space = -1
    i = 0
    while i < len(atoms):
        font, ch, red = atoms[i]
        w = 30.0 * size / 6.0 if red else stringWidth(ch, font, size)
        if line and line_w + w > width:
            if len(lines) + 1 == max_lines:
                # Last allowed line: cut and mark the cut with an ellipsis.
                while line and line_w + stringWidth("…", dossier_fonts().sans, size) > width:
                    f, c, r = line.pop()
                    line_w -= 30.0 * size / 6.0 if r else stringWidth(c, f, size)
                line.append((dossier_fonts().sans, "…", False))
                lines.append(line)
                return [_merge(ln) for ln in lines]
            if last_space > 0:
                rest = line[last_space + 1:]
                line = line[:last_space]
                lines.append(line)
                line = rest
                line_w = sum(30.0 * size / 6.0 if r else stringWidth(c, f, size) for f, c, r in line)
            else:
                lines.append(line)
                line, line_w = [], 0.0
            last_space = -1
            continue
        if ch == " " and not red:
            if not line:
                i += 1
                continue
            last_space = len(line)
        line.append((font, ch, red))
        line_w += w
        i += 1
    if line:
        lines.append(line)
    return [_merge(ln) for ln in lines]


def _merge(line: list[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    """One wrapped line as runs, right-to-left text shaped and in display order."""
    out: list[tuple[str, str, bool]] = []
    for font, text, red in line:
        if out and not red and not out[-1][2] and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + text, False)
        else:
            out.append((font, text, red))
    return display_line(out)


def _line_width(line: list[tuple[str, str, bool]], size: float) -> float:
    return sum(30.0 * size / 6.0 if red else stringWidth(text, font, size) for font, text, red in line)


def _draw_line(group: Group, line: list[tuple[str, str, bool]], cx: float, y: float, size: float,
               colour: colors.Color) -> None:
    x = cx - _line_width(line, size) / 2
    for font, text, red in line:
        if red:
            w = 30.0 * size / 6.0
            group.add(Rect(x, y - size * 0.15, w, size * 0.95, fillColor=colors.black, strokeColor=None))
            x += w
            continue
        group.add(String(x, y, text, fontName=font, fontSize=size, fillColor=colour))
        x += stringWidth(text, font, size)


@dataclass(frozen=True)
class Chart:
    """The chart drawing and what it had to leave out to stay legible."""

    drawing: Drawing
    labelled_records: int
    omitted_link_labels: int
    label_boxes: tuple[tuple[float, float, float, float], ...] = ()  # every name and link label drawn


def link_chart(dossier: Dossier, width: float, height: float) -> Chart:
    """A Drawing of the dossier's records and links, fitted to width × height points."""
    fonts = dossier_fonts()
    drawing = Drawing(width, height)
    drawing.initialFontName = fonts.sans  # else the renderer sets Helvetica, which is never embedded
    records = dossier.records
    ids = [rid for rid in sorted(records) if rid in dossier.positions]
    if not ids:
        drawing.add(String(width / 2, height / 2, "No records to chart.", fontName=fonts.sans,
                           fontSize=10, textAnchor="middle"))
        return Chart(drawing, 0, 0)
    n = len(ids)
    radius = 9.0 if n <= 40 else 6.0 if n <= LABEL_LIMIT else max(1.8, 4.0 - n / 1000)
    size = 6.2 if n <= 40 else 5.2
    degree: dict[int, int] = defaultdict(int)
    for lk in dossier.links.values():
        degree[lk.source_id] += 1
        degree[lk.target_id] += 1
    label_width = 88.0 if n <= 40 else 70.0
    nodes: dict[int, _Node] = {}
    for rid in ids:
        nodes[rid] = _Node(rid, _style_key(records[rid]), *dossier.positions[rid], [], 0.0, 0.0)
    area = (radius + 4, LEGEND_HEIGHT + radius + 4, width - radius - 4, height - radius - 4)
    if n <= LABEL_LIMIT:
        for rid in ids:
            _set_label(nodes[rid], records[rid].label, size, label_width)
    # A computed layout has no meaningful aspect ratio: stretch it to the page (within reason).
    _fit(nodes, area, flip=True, stretch=2.5 if dossier.positions_source == "computed" else 1.0)
    if n <= LABEL_LIMIT:
        for node in nodes.values():
            _clamp(node, radius, area)  # names at the edge stay on the page
        _separate(nodes, radius, area)
    else:
        # Too many records to name them all: name the most connected ones whose names do not
        # collide with a name already placed.
        placed: list[tuple[float, float, float, float]] = []
        for rid in sorted(ids, key=lambda r: (-degree[r], r)):
            if len(placed) >= LABEL_LIMIT // 3:
                break
            node = nodes[rid]
            _set_label(node, records[rid].label, size, label_width)
            box = node.box(0.0, 1.0)
            outside = box[0] < area[0] or box[2] > area[2] or box[1] < area[1]
            if outside or any(_overlap(box, other) for other in placed):
                node.lines, node.label_w, node.label_h = [], 0.0, 0.0
                continue
            placed.append(box)
    labelled = [rid for rid in ids if nodes[rid].lines]
    omitted, link_boxes = _draw_links(drawing, dossier, nodes, radius, size, n)
    for rid in ids:
        _draw_shape(drawing, nodes[rid], radius)
    for rid in labelled:  # names last, so no shape covers a name
        _draw_label(drawing, nodes[rid], radius, size)
    _draw_legend(drawing, fonts.sans, width)
    name_boxes = [(nd.x - nd.label_w / 2, nd.y - radius - nd.label_h, nd.x + nd.label_w / 2, nd.y - radius)
                  for nd in (nodes[rid] for rid in labelled)]
    return Chart(drawing, len(labelled), omitted, tuple(name_boxes + link_boxes))


def _fit(nodes: dict[int, _Node], area: tuple[float, float, float, float], *, flip: bool,
         stretch: float = 1.0) -> None:
    """Scale and shift node centres into the area (scene y grows downwards).

    The two axes get the same scale, except that one may be up to `stretch` times the other.
    """
    x0, y0, x1, y1 = area
    label_room = max((nd.label_h for nd in nodes.values()), default=0.0)
    half_label = max((nd.label_w / 2 for nd in nodes.values()), default=0.0)
    inner = (x0 + half_label * 0.5, y0 + label_room, x1 - half_label * 0.5, y1)
    xs = [nd.x for nd in nodes.values()]
    ys = [nd.y for nd in nodes.values()]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    aw, ah = inner[2] - inner[0], inner[3] - inner[1]
    sx = aw / w if w > 1e-9 else math.inf
    sy = ah / h if h > 1e-9 else math.inf
    scale = min(sx, sy)
    if not math.isfinite(scale):
        scale = 1.0
    sx = min(sx, scale * stretch) if math.isfinite(sx) else scale
    sy = min(sy, scale * stretch) if math.isfinite(sy) else scale
    cx_src, cy_src = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    cx_dst, cy_dst = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    for nd in nodes.values():
        dx, dy = (nd.x - cx_src) * sx, (nd.y - cy_src) * sy
        nd.x = cx_dst + dx
        nd.y = cy_dst - dy if flip else cy_dst + dy


def _separate(nodes: dict[int, _Node], radius: float, area: tuple[float, float, float, float],
              rounds: int = 300) -> None:
    """Push apart nodes whose boxes (node + label) overlap, keeping them inside the area.

    Deterministic: each round finds every overlapping pair with a sweep along x over that
    round's boxes, sums the pushes (each overlap resolved along its shorter axis, half to each
    node), then moves the nodes and keeps them in the area; it stops when nothing overlaps.
    """
    order = sorted(nodes)
    pad = 1.5
    for _ in range(rounds):
        boxes = sorted(((nodes[rid].box(radius, pad), rid) for rid in order), key=lambda b: (b[0][0], b[1]))
        push: dict[int, list[float]] = {}
        for i, ((ax0, ay0, ax1, ay1), a) in enumerate(boxes):
            for (bx0, by0, bx1, by1), b in boxes[i + 1:]:
                if bx0 >= ax1:  # sorted by left edge: nothing further on can overlap a
                    break
                ox = min(ax1, bx1) - max(ax0, bx0)
                oy = min(ay1, by1) - max(ay0, by0)
                if ox <= 0 or oy <= 0:
                    continue
                na, nb = nodes[a], nodes[b]
                pa, pb = push.setdefault(a, [0.0, 0.0]), push.setdefault(b, [0.0, 0.0])
                if ox < oy:
                    sign = -1.0 if (na.x, a) < (nb.x, b) else 1.0
                    pa[0] += sign * (ox / 2 + 0.3)
                    pb[0] -= sign * (ox / 2 + 0.3)
                else:
                    sign = -1.0 if (na.y, a) < (nb.y, b) else 1.0
                    pa[1] += sign * (oy / 2 + 0.3)
                    pb[1] -= sign * (oy / 2 + 0.3)
        if not push:
            return
        for rid in sorted(push):
            node = nodes[rid]
            node.x += push[rid][0]
            node.y += push[rid][1]
            _clamp(node, radius, area)


def _clamp(node: _Node, radius: float, area: tuple[float, float, float, float]) -> None:
    """Keep a node and its label inside the area."""
    x0, y0, x1, y1 = area
    half = max(radius, node.label_w / 2)
    node.x = min(max(node.x, x0 + half), x1 - half)
    node.y = min(max(node.y, y0 + radius + node.label_h), y1 - radius)


def _set_label(node: _Node, label: Text, size: float, width: float) -> None:
    node.lines = _wrap(_runs(label), size, width, 2)
    node.label_w = max((_line_width(ln, size) for ln in node.lines), default=0.0)
    node.label_h = len(node.lines) * size * 1.15 + (2 if node.lines else 0)


def _draw_shape(drawing: Drawing, node: _Node, r: float) -> None:
    fill = KIND_STYLE.get(node.kind, OTHER_LINK)
    x, y = node.x, node.y
    stroke = colors.white
    if node.kind in ("party", "person"):
        shape = Circle(x, y, r, fillColor=fill, strokeColor=stroke, strokeWidth=0.8)
    elif node.kind == "wallet":
        shape = Polygon([x, y + r, x + r, y, x, y - r, x - r, y], fillColor=fill, strokeColor=stroke,
                        strokeWidth=0.8)
    elif node.kind == "datacenter":
        shape = Rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7, fillColor=fill, strokeColor=stroke,
                     strokeWidth=0.8)
    elif node.kind == "server":
        pts = []
        for k in range(6):
            a = math.pi / 6 + k * math.pi / 3
            pts += [x + r * math.cos(a), y + r * math.sin(a)]
        shape = Polygon(pts, fillColor=fill, strokeColor=stroke, strokeWidth=0.8)
    else:  # contract: a page with a folded corner
        w, h, f = r * 1.4, r * 1.8, r * 0.5
        shape = Polygon([x - w / 2, y - h / 2, x + w / 2, y - h / 2, x + w / 2, y + h / 2 - f,
                         x + w / 2 - f, y + h / 2, x - w / 2, y + h / 2], fillColor=fill,
                        strokeColor=stroke, strokeWidth=0.8)
    drawing.add(shape)


def _draw_label(drawing: Drawing, node: _Node, r: float, size: float) -> None:
    x, y = node.x, node.y
    top = y - r - size * 1.0
    if node.lines:
        # A light backing keeps the name readable where links pass under it.
        drawing.add(Rect(x - node.label_w / 2 - 1, top - (len(node.lines) - 1) * size * 1.15 - size * 0.3,
                         node.label_w + 2, len(node.lines) * size * 1.15 + size * 0.1,
                         fillColor=colors.white, fillOpacity=0.8, strokeColor=None))
    for i, line in enumerate(node.lines):
        _draw_line(drawing, line, x, top - i * size * 1.15, size, colors.HexColor("#1a1a1a"))


def _draw_links(drawing: Drawing, dossier: Dossier, nodes: dict[int, _Node], r: float, size: float,
                n: int) -> tuple[int, list[tuple[float, float, float, float]]]:
    """Draw the links as arrows with labels; returns how many labels found no place, and the boxes."""
    fonts = dossier_fonts()
    pairs: dict[tuple[int, int], list[int]] = defaultdict(list)
    for lid in sorted(dossier.links):
        lk = dossier.links[lid]
        if lk.source_id in nodes and lk.target_id in nodes and lk.source_id != lk.target_id:
            pairs[(min(lk.source_id, lk.target_id), max(lk.source_id, lk.target_id))].append(lid)
    show_labels = len(dossier.links) <= LINK_LABEL_LIMIT and n <= LABEL_LIMIT
    taken = [nd.box(r, 0.5) for nd in nodes.values()]
    skipped: list[int] = []
    placed: list[tuple[float, float, float, float]] = []
    label_size = max(4.6, size - 1.0)
    width = 0.7 if n <= LABEL_LIMIT else 0.35
    for (a, _b), lids in sorted(pairs.items()):
        for k, lid in enumerate(lids):
            lk = dossier.links[lid]
            s, t = nodes[lk.source_id], nodes[lk.target_id]
            dx, dy = t.x - s.x, t.y - s.y
            dist = math.hypot(dx, dy) or 1e-6
            ux, uy = dx / dist, dy / dist
            # Several links between the same two records run side by side.
            offset = (k - (len(lids) - 1) / 2) * 4.0
            sign = 1.0 if lk.source_id == a else -1.0
            px, py = -uy * offset * sign, ux * offset * sign
            x0, y0 = s.x + ux * (r + 1) + px, s.y + uy * (r + 1) + py
            x1, y1 = t.x - ux * (r + 1.5) + px, t.y - uy * (r + 1.5) + py
            colour = link_colour(lk.type)
            drawing.add(Line(x0, y0, x1, y1, strokeColor=colour, strokeWidth=width))
            head = 4.2 if n <= LABEL_LIMIT else 2.2
            drawing.add(Polygon([x1, y1, x1 - ux * head - uy * head * 0.45, y1 - uy * head + ux * head * 0.45,
                                 x1 - ux * head + uy * head * 0.45, y1 - uy * head - ux * head * 0.45],
                                fillColor=colour, strokeColor=None))
            if not show_labels:
                continue
            text = lk.label + (f" {lk.share_pct:g}%" if lk.share_pct is not None else "")
            tw = stringWidth(text, fonts.sans, label_size)
            spot = None
            for frac in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82):
                for side in (0.0, 1.0, -1.0):
                    lx = x0 + (x1 - x0) * frac - uy * side * (label_size * 0.9 + 1)
                    ly = y0 + (y1 - y0) * frac + ux * side * (label_size * 0.9 + 1) - label_size * 0.25
                    box = (lx - tw / 2 - 1, ly - label_size * 0.3, lx + tw / 2 + 1, ly + label_size * 0.85)
                    if not any(_overlap(box, other) for other in taken):
                        spot = (lx, ly, box)
                        break
                if spot:
                    break
            if spot is None:
                skipped.append(lid)  # no free place: the profiles name this link
                continue
            lx, ly, box = spot
            taken.append(box)
            placed.append(box)
            drawing.add(Rect(box[0], box[1], box[2] - box[0], box[3] - box[1], fillColor=colors.white,
                             strokeColor=None, fillOpacity=0.85))
            drawing.add(String(lx, ly, text, fontName=fonts.sans, fontSize=label_size,
                               fillColor=colour, textAnchor="middle"))
    return len(skipped), placed


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _draw_legend(drawing: Drawing, font: str, width: float) -> None:
    y = 6.0
    x = 2.0
    drawing.add(Line(0, LEGEND_HEIGHT - 4, width, LEGEND_HEIGHT - 4, strokeColor=colors.HexColor("#dddddd"),
                     strokeWidth=0.5))
    for kind, name in KIND_NAMES:
        node = _Node(0, kind, x + 5, y + 3, [], 0.0, 0.0)
        _draw_shape(drawing, node, 4.0)
        drawing.add(String(x + 12, y, name, fontName=font, fontSize=6.5))
        x += 16 + stringWidth(name, font, 6.5) + 8
    x += 10
    for group, (_members, colour) in LINK_GROUPS.items():
        drawing.add(Line(x, y + 3, x + 16, y + 3, strokeColor=colour, strokeWidth=1.2))
        drawing.add(Polygon([x + 16, y + 3, x + 12, y + 5, x + 12, y + 1], fillColor=colour, strokeColor=None))
        drawing.add(String(x + 20, y, group, fontName=font, fontSize=6.5))
        x += 24 + stringWidth(group, font, 6.5) + 8
