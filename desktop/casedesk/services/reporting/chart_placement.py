"""Chart positions for the dossier: the view's, else the saved ones, else a seeded igraph layout.

Coordinates are scene units with y growing downwards (as on screen); the chart scales them to
the page. A computed layout is deterministic: components are laid out one by one (Kamada-Kawai,
which uses no randomness, for small ones; Fruchterman-Reingold with a seeded generator for large
ones) and packed in rows, biggest first, with isolated records on a grid at the end.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Mapping, Sequence

SEED = 7270301
_KK_LIMIT = 150  # Kamada-Kawai is O(n^2) per iteration; above this FR is much faster
_GAP = 1.2  # space between packed components, in layout units (edge length about 1)
ASPECT = 1.7  # width / height of the chart area on a landscape page
_igraph_rng = threading.Lock()

Point = tuple[float, float]


def chart_positions(record_ids: Sequence[int], edges: Sequence[tuple[int, int]],
                    view: Mapping[int, Point] | None = None,
                    saved: Mapping[int, Point] | None = None) -> dict[int, Point]:
    """A position for every record: view positions first, saved ones next, computed for the rest."""
    ids = sorted(set(record_ids))
    known: dict[int, Point] = {}
    for source in (view, saved):
        if source:
            for rid in ids:
                if rid not in known and rid in source:
                    x, y = source[rid]
                    if math.isfinite(x) and math.isfinite(y):
                        known[rid] = (float(x), float(y))
            if len(known) == len(ids):
                return known
    computed = computed_layout(ids, edges)
    if len(known) < 2:
        return computed if not known else {**_fit(computed, known), **known}
    return {**_fit(computed, known), **known}


def _fit(computed: dict[int, Point], known: dict[int, Point]) -> dict[int, Point]:
    """Map computed positions into the known positions' frame (least-squares scale and shift per axis)."""
    common = [rid for rid in known if rid in computed]
    if len(common) < 2:
        # Nothing to fit against: put the computed records beside the known ones.
        kx = [p[0] for p in known.values()] or [0.0]
        ky = [p[1] for p in known.values()] or [0.0]
        span = max(max(kx) - min(kx), max(ky) - min(ky), 100.0)
        cx = [p[0] for p in computed.values()]
        cy = [p[1] for p in computed.values()]
        cspan = max(max(cx) - min(cx), max(cy) - min(cy), 1e-9)
        scale = span / cspan
        return {rid: (max(kx) + span * 0.2 + (x - min(cx)) * scale, min(ky) + (y - min(cy)) * scale)
                for rid, (x, y) in computed.items()}
    out = {}
    axes = []
    for axis in (0, 1):
        c = [computed[r][axis] for r in common]
        k = [known[r][axis] for r in common]
        mc, mk = sum(c) / len(c), sum(k) / len(k)
        var = sum((v - mc) ** 2 for v in c)
        scale = sum((v - mc) * (w - mk) for v, w in zip(c, k)) / var if var > 1e-12 else 1.0
        if not math.isfinite(scale) or abs(scale) < 1e-9:
            scale = 1.0
        axes.append((scale, mk - scale * mc))
    for rid, (x, y) in computed.items():
        out[rid] = (axes[0][0] * x + axes[0][1], axes[1][0] * y + axes[1][1])
    return out


def computed_layout(record_ids: Sequence[int], edges: Sequence[tuple[int, int]]) -> dict[int, Point]:
    """A deterministic layout of the records and links (same input, same output)."""
    import igraph

    ids = sorted(set(record_ids))
    if not ids:
        return {}
    index = {rid: i for i, rid in enumerate(ids)}
    pairs = sorted({(min(index[a], index[b]), max(index[a], index[b]))
                    for a, b in edges if a in index and b in index and a != b})
    graph = igraph.Graph(n=len(ids), edges=pairs)
    components = sorted((sorted(c) for c in graph.connected_components()),
                        key=lambda c: (-len(c), c[0]))
    singles = [c[0] for c in components if len(c) == 1]
    blocks: list[list[tuple[int, float, float]]] = []
    for comp in components:
        if len(comp) == 1:
            continue
        sub = graph.subgraph(comp)
        coords = _component_layout(sub)
        blocks.append([(comp[i], x, y) for i, (x, y) in enumerate(coords)])
    placed = _pack(blocks, singles)
    return {ids[v]: xy for v, xy in placed.items()}


def _component_layout(sub) -> list[Point]:  # noqa: ANN001 - igraph.Graph
    import igraph

    n = sub.vcount()
    if n <= _KK_LIMIT:
        seed = [(math.cos(2 * math.pi * i / n), math.sin(2 * math.pi * i / n)) for i in range(n)]
        coords = sub.layout_kamada_kawai(seed=seed, maxiter=50 * n).coords
    else:
        # igraph's FR draws random numbers even from a seed layout; pin its generator (it is
        # process-wide, hence the lock) and put the default back afterwards.
        with _igraph_rng:
            igraph.set_random_number_generator(random.Random(SEED))
            try:
                coords = sub.layout_fruchterman_reingold(niter=500).coords
            finally:
                igraph.set_random_number_generator(random)
    # Normalise so the mean edge length is about 1 whatever the algorithm.
    lengths = [math.dist(coords[e.source], coords[e.target]) for e in sub.es]
    mean = sum(lengths) / len(lengths) if lengths else 1.0
    scale = 1.0 / mean if mean > 1e-9 else 1.0
    return [(x * scale, y * scale) for x, y in coords]


def _pack(blocks: list[list[tuple[int, float, float]]], singles: list[int]) -> dict[int, Point]:
    """Shelf-pack component layouts in rows about as wide as the chart area's aspect asks.

    Isolated records then fill the rest of the last row and further rows, one step apart.
    """
    step = 1.1
    boxes = []
    for block in blocks:
        xs = [p[1] for p in block]
        ys = [p[2] for p in block]
        boxes.append((block, min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    total_area = sum((w + _GAP) * (h + _GAP) for _, _, _, w, h in boxes) + len(singles) * step * step
    row_width = max(max((w for _, _, _, w, _ in boxes), default=1.0), math.sqrt(total_area * ASPECT),
                    step * 3)
    out: dict[int, Point] = {}
    x = y = row_height = 0.0
    for block, minx, miny, w, h in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + _GAP, 0.0
        for v, px, py in block:
            out[v] = (x + px - minx, y + py - miny)
        x += w + _GAP
        row_height = max(row_height, h)
    if singles:
        if boxes and x + step > row_width:
            x, y, row_height = 0.0, y + row_height + _GAP, 0.0
        # Isolated records go in rows under the last row's top, to its right first.
        line_start, line_y = x, y
        for v in singles:
            if x > line_start and x > row_width:
                x, line_y = (line_start if line_y + step <= y + row_height else 0.0), line_y + step
            out[v] = (x, line_y)
            x += step
    return out
