"""Automatic chart layout: igraph places the graph, then every node box is moved clear of the others.

igraph lays out each connected component (Kamada–Kawai for small ones, which reads best;
Fruchterman–Reingold on a grid for large ones: 5,000 nodes in about 0.4 s, where networkx takes
close to a minute). Positions are scaled so that links are a few node-widths long, then nodes are
placed most-connected first, each at its spot or the nearest free one, so no two boxes (icon and
label) overlap. Components are packed in rows, single records last. No Qt here: the caller passes
each node's box (relative to its position) as measured with its font.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from casedesk.services.progress import Job, Progress

Box = tuple[float, float, float, float]  # left, top, width, height relative to the node position
Point = tuple[float, float]

GAP = 14.0  # clear space kept around every node box
SMALL_COMPONENT = 200  # up to this size Kamada–Kawai; above it Fruchterman–Reingold (grid)


@dataclass
class _Placed:
    boxes: dict[int, tuple[float, float, float, float]]  # absolute left, top, right, bottom
    buckets: dict[tuple[int, int], list[int]]
    cell: float


class FreeSpace:
    """Boxes already placed, with a spatial hash to test a new box against its neighbours only."""

    def __init__(self, cell: float):
        self._p = _Placed({}, {}, max(cell, 1.0))

    def _keys(self, l: float, t: float, r: float, b: float) -> Iterable[tuple[int, int]]:
        c = self._p.cell
        for i in range(math.floor(l / c), math.floor(r / c) + 1):
            for j in range(math.floor(t / c), math.floor(b / c) + 1):
                yield (i, j)

    def collides(self, rect: tuple[float, float, float, float]) -> bool:
        """True when the rectangle (left, top, right, bottom) touches a placed box (with the gap)."""
        l, t, r, b = rect
        l, t, r, b = l - GAP, t - GAP, r + GAP, b + GAP
        for key in self._keys(l, t, r, b):
            for other in self._p.buckets.get(key, ()):
                ol, ot, orr, ob = self._p.boxes[other]
                if l < orr and ol < r and t < ob and ot < b:
                    return True
        return False

    def add(self, node: int, rect: tuple[float, float, float, float]) -> None:
        """Mark a node's rectangle as taken."""
        self._p.boxes[node] = rect
        for key in self._keys(*rect):
            self._p.buckets.setdefault(key, []).append(node)


def _rect(box: Box, x: float, y: float) -> tuple[float, float, float, float]:
    l, t, w, h = box
    return (x + l, y + t, x + l + w, y + t + h)


def _spiral(x: float, y: float, step_x: float, step_y: float, rings: int) -> Iterable[Point]:
    """Candidate spots around (x, y): the spot itself, then square rings ordered by distance."""
    yield (x, y)
    for k in range(1, rings + 1):
        ring = []
        for i in range(-k, k + 1):
            for j in (-k, k):
                ring.append((i, j))
                if abs(i) != k:
                    ring.append((j, i))
        ring.sort(key=lambda p: (p[0] * step_x) ** 2 + (p[1] * step_y) ** 2)
        for i, j in ring:
            yield (x + i * step_x, y + j * step_y)


def place_free(space: FreeSpace, node: int, box: Box, x: float, y: float, *, step: Point | None = None) -> Point:
    """Put a node at (x, y) or the nearest free spot on a spiral around it; returns where."""
    sx, sy = step or (box[2] / 2 + GAP, box[3] / 2 + GAP)
    for cx, cy in _spiral(x, y, sx, sy, 400):
        rect = _rect(box, cx, cy)
        if not space.collides(rect):
            space.add(node, rect)
            return (cx, cy)
    rect = _rect(box, x, y)  # a pathological pile-up: accept an overlap rather than loop forever
    space.add(node, rect)
    return (x, y)


def _component_layout(n: int, edges: list[tuple[int, int]]) -> list[Point]:
    import igraph  # imported lazily: not needed to start the application

    if n == 1:
        return [(0.0, 0.0)]
    g = igraph.Graph(n=n, edges=edges)
    if n <= SMALL_COMPONENT:
        coords = g.layout_kamada_kawai(maxiter=50 * n)
    else:
        coords = g.layout_fruchterman_reingold(grid="grid")
    return [(float(x), float(y)) for x, y in coords.coords]


def _scale(points: list[Point], edges: list[tuple[int, int]], length: float) -> list[Point]:
    """Scale points so that the median edge is `length` long."""
    lengths = sorted(math.dist(points[a], points[b]) for a, b in edges if a != b)
    median = lengths[len(lengths) // 2] if lengths else 0.0
    factor = length / median if median > 1e-9 else length
    return [(x * factor, y * factor) for x, y in points]


def layout_job(nodes: Sequence[int], edges: Iterable[tuple[int, int]], boxes: Mapping[int, Box], *,
               aspect: float = 1.4) -> Job[dict[int, Point]]:
    """Lay out the whole graph afresh; yields Progress, returns {node: (x, y)} with no box overlaps.

    aspect is the width/height of the window the chart will be seen in: groups are packed to fill it.
    """
    total = len(nodes)
    yield Progress(0, total, "Finding connected groups")
    index = {node: i for i, node in enumerate(nodes)}
    pairs = set()
    for a, b in edges:
        if a in index and b in index and a != b:
            pairs.add((min(index[a], index[b]), max(index[a], index[b])))
    # Connected components by union-find: cheaper than building an igraph just for this.
    parent = list(range(total))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[int, list[int]] = {}
    for i in range(total):
        groups.setdefault(find(i), []).append(i)
    degree = [0] * total
    for a, b in pairs:
        degree[a] += 1
        degree[b] += 1
    widths = [boxes[n][2] for n in nodes] or [100.0]
    heights = [boxes[n][3] for n in nodes] or [60.0]
    mean_w, mean_h = sum(widths) / len(widths), sum(heights) / len(heights)
    # Links about one and a half boxes long: short enough to read a neighbourhood at a glance,
    # long enough that the overlap pass seldom has to push a node far from its spot.
    link_length = 0.95 * max(mean_w, 1.6 * mean_h) + GAP
    components = sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))
    singles = sorted(g[0] for g in groups.values() if len(g) == 1)
    placed_groups: list[tuple[dict[int, Point], tuple[float, float, float, float]]] = []
    done = 0
    by_member: dict[int, list[tuple[int, int]]] = {}
    for a, b in pairs:
        by_member.setdefault(find(a), []).append((a, b))
    cell = (max(widths) + GAP, max(heights) + GAP)
    for members in components:
        local = {g: k for k, g in enumerate(members)}
        local_edges = [(local[a], local[b]) for a, b in by_member.get(find(members[0]), [])]
        raw = _component_layout(len(members), local_edges)
        order = sorted(range(len(members)), key=lambda k: (-degree[members[k]], members[k]))
        spots: dict[int, Point] = {}
        if len(members) <= SMALL_COMPONENT:
            points = _scale(raw, local_edges, link_length)
            space = FreeSpace(max(mean_w, mean_h) * 1.5)
            for k in order:
                node = nodes[members[k]]
                spots[node] = place_free(space, node, boxes[node], *points[k])
        else:
            spots = _snap_to_cells([nodes[members[k]] for k in order], [raw[k] for k in order], cell)
        placed_groups.append((spots, _bounds(spots, boxes)))
        done += len(members)
        yield Progress(done, total, "Laying out")
    if singles:
        columns = max(1, math.ceil(math.sqrt(len(singles) * mean_h / mean_w)))
        spots = {}
        cell_w, cell_h = max(widths) + GAP, max(heights) + GAP
        for k, i in enumerate(singles):
            spots[nodes[i]] = ((k % columns) * cell_w, (k // columns) * cell_h)
        placed_groups.append((spots, _bounds(spots, boxes)))
    yield Progress(total, total, "Packing groups")
    return _pack(placed_groups, GAP * 3, aspect)


def _snap_to_cells(nodes: list[int], points: list[Point], cell: Point, density: float = 0.45) -> dict[int, Point]:
    """Place nodes on a grid of cells each big enough for any box: nearest free cell, in order given.

    For big components: the layout is scaled so boxes fill about `density` of its area, then each
    node takes the free cell nearest its spot (dictionary lookups, no geometry), which rules out
    overlaps by construction and costs a few lookups per node.
    """
    cw, ch = cell
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span_x, span_y = max(xs) - min(xs) or 1.0, max(ys) - min(ys) or 1.0
    target_area = len(nodes) * cw * ch / density
    factor = math.sqrt(target_area / (span_x * span_y))
    taken: set[tuple[int, int]] = set()
    out: dict[int, Point] = {}
    offsets = _ring_offsets(cw, ch)
    for node, (x, y) in zip(nodes, points):
        ci, cj = round(x * factor / cw), round(y * factor / ch)
        for di, dj in offsets:
            key = (ci + di, cj + dj)
            if key not in taken:
                break
        else:  # the neighbourhood is full: go past it
            key = (ci + len(taken), cj)
        taken.add(key)
        out[node] = (key[0] * cw, key[1] * ch)
    return out


@functools.lru_cache(maxsize=8)
def _ring_offsets(cw: float, ch: float, radius: int = 40) -> list[tuple[int, int]]:
    """Cell offsets around (0, 0) nearest first (by distance in pixels)."""
    cells = [(i, j) for i in range(-radius, radius + 1) for j in range(-radius, radius + 1)]
    cells.sort(key=lambda c: ((c[0] * cw) ** 2 + (c[1] * ch) ** 2, c))
    return cells


def _bounds(spots: Mapping[int, Point], boxes: Mapping[int, Box]) -> tuple[float, float, float, float]:
    rects = [_rect(boxes[n], x, y) for n, (x, y) in spots.items()]
    return (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects))


def _pack(groups: list[tuple[dict[int, Point], tuple[float, float, float, float]]], gap: float,
          aspect: float) -> dict[int, Point]:
    """Pack group bounding boxes in shelves so the whole is about `aspect` times as wide as tall.

    Largest groups first; each goes at the end of the shelf (or into a new shelf) that keeps the
    overall box smallest and closest to the aspect, so small groups fill the space beside big ones.
    """
    if not groups:
        return {}
    order = sorted(range(len(groups)), key=lambda i: -(groups[i][1][2] - groups[i][1][0]) * (groups[i][1][3] - groups[i][1][1]))
    shelves: list[list[float]] = []  # [top, height, used width]
    spots: dict[int, tuple[float, float]] = {}

    def extent(candidate: list[list[float]]) -> float:
        width = max(s[2] for s in candidate)
        height = sum(s[1] for s in candidate) + gap * (len(candidate) - 1)
        skew = max(width / (height * aspect), (height * aspect) / width)
        return width * height * skew * skew

    for i in order:
        l, t, r, b = groups[i][1]
        w, h = r - l, b - t
        best = None
        for k in range(len(shelves) + 1):
            trial = [list(s) for s in shelves]
            if k == len(shelves):
                trial.append([0.0, h, w])
                x = 0.0
            else:
                x = trial[k][2] + gap
                trial[k][2] = x + w
                trial[k][1] = max(trial[k][1], h)
            score = extent(trial)
            if best is None or score < best[0]:
                best = (score, k, x)
        _, k, x = best
        if k == len(shelves):
            shelves.append([0.0, h, w])
        else:
            shelves[k][2] = x + w
            shelves[k][1] = max(shelves[k][1], h)
        spots[i] = (k, x)
    tops, y = [], 0.0
    for shelf in shelves:
        tops.append(y)
        y += shelf[1] + gap
    out: dict[int, Point] = {}
    for i, (k, x) in spots.items():
        points, (l, t, _, _) = groups[i]
        dx, dy = x - l, tops[k] - t
        for node, (px, py) in points.items():
            out[node] = (px + dx, py + dy)
    return out


def place_near(new_nodes: Sequence[int], edges: Iterable[tuple[int, int]], positions: Mapping[int, Point],
               boxes: Mapping[int, Box], *, default: Point = (0.0, 0.0)) -> dict[int, Point]:
    """Positions for nodes joining a laid-out chart: near their placed neighbours, clear of every box."""
    sizes = [b[2] for b in boxes.values()] + [b[3] for b in boxes.values()]
    space = FreeSpace(max(sizes) * 1.5 if sizes else 150.0)
    for node, (x, y) in positions.items():
        if node in boxes:
            space.add(node, _rect(boxes[node], x, y))
    adjacent: dict[int, list[int]] = {}
    for a, b in edges:
        adjacent.setdefault(a, []).append(b)
        adjacent.setdefault(b, []).append(a)
    placed = dict(positions)
    out: dict[int, Point] = {}
    # Nodes with placed neighbours go first, so chains grow outwards from the existing chart.
    pending = list(new_nodes)
    while pending:
        pending.sort(key=lambda n: -sum(1 for o in adjacent.get(n, ()) if o in placed))
        node = pending.pop(0)
        anchors = [placed[o] for o in adjacent.get(node, ()) if o in placed]
        if anchors:
            ax = sum(p[0] for p in anchors) / len(anchors)
            ay = sum(p[1] for p in anchors) / len(anchors)
            box = boxes[node]
            # Start one box away from the anchor at an angle that differs per node, so that
            # several new neighbours of one record spread around it instead of queueing.
            angle = (hash(node) % 360) * math.pi / 180
            start = (ax + math.cos(angle) * (box[2] + GAP), ay + math.sin(angle) * (box[3] + GAP) * 1.5)
        else:
            start = default
        out[node] = placed[node] = place_free(space, node, boxes[node], *start)
    return out
