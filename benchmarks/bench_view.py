"""Benchmark of the linked view at real sizes; prints figures (see docs/performance.md).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_view.py [--quick]

Builds (with services/bulk.py) a 10,000-record, 20,000-link case and a 100,000-record case, then
measures: window interactive from launch (fresh process), automatic layout of 5,000 nodes,
selecting a record in every view, search as you type, and frames per second while panning and
zooming a scene of 5,000 nodes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from casedesk.services.bulk import bulk_create_links, bulk_create_records  # noqa: E402
from casedesk.services.cases import create_case  # noqa: E402
from casedesk.services.records import AliasIn, RecordIn  # noqa: E402
from casedesk.storage.workspace import open_workspace  # noqa: E402

SYLLABLES = ["hua", "xin", "long", "tai", "feng", "da", "tong", "sheng", "kai", "yuan", "bo", "rui", "jin", "hai"]
HAN = "华信龙泰丰大通盛凯元博瑞金海科技国际贸易"
SUFFIXES = ["Technology Co., Ltd.", "Holdings", "Trading Pte. Ltd.", "Capital", "Compute", "Cloud", "Logistics"]


def _name(rng: random.Random) -> tuple[str, str]:
    latin = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize() + " " + rng.choice(SUFFIXES)
    han = "".join(rng.choice(HAN) for _ in range(rng.randint(2, 4))) + "有限公司"
    return latin, han


def build_case(ws, n_records: int, n_links: int, seed: int = 1) -> int:  # noqa: ANN001
    """A case of parties, wallets, data centers, fleets and contracts joined by allowed links."""
    rng = random.Random(seed)
    with ws.write() as s:
        case_id = create_case(s, f"Benchmark case ({n_records:,} records)").id
        counts = {"party": int(n_records * 0.6), "wallet": int(n_records * 0.15), "datacenter": int(n_records * 0.03),
                  "server": int(n_records * 0.12)}
        counts["contract"] = n_records - sum(counts.values())
        items = []
        for _ in range(counts["party"]):
            latin, han = _name(rng)
            items.append(RecordIn("party", {"label": latin, "party_kind": "company",
                                            "country": rng.choice(["CN", "SG", "US", "AE", "MY", "HK"])},
                                  aliases=[AliasIn(han, "Hans", "zh", "legal")]))
        for i in range(counts["wallet"]):
            items.append(RecordIn("wallet", {"label": f"Wallet {i}", "chain": "BTC",
                                             "address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                                             "illustrative": True}))
        for i in range(counts["datacenter"]):
            items.append(RecordIn("datacenter", {"label": f"Data center {i}", "country": "MY"}))
        for i in range(counts["server"]):
            items.append(RecordIn("server", {"label": f"Fleet {i}", "accelerator_model": "H100 SXM",
                                             "accelerators_per_server": 8, "server_count": rng.randint(10, 500),
                                             "installed_on": f"2024-{rng.randint(1, 12):02d}"}))
        for i in range(counts["contract"]):
            items.append(RecordIn("contract", {"label": f"Contract {i}", "contract_type": "compute_rental",
                                               "start_on": f"2024-{rng.randint(1, 12):02d}"}))
        ids = bulk_create_records(s, case_id, items)
        by_kind: dict[str, list[int]] = {}
        for rid, item in zip(ids, items):
            by_kind.setdefault(item.kind, []).append(rid)
        plans = [("owns", "party", "party", {"share_pct": 51.0}), ("customer_of", "party", "party", {}),
                 ("controls_wallet", "party", "wallet", {}), ("hosted_at", "server", "datacenter", {}),
                 ("operates", "party", "server", {"start_on": "2024-03"}), ("uses_compute_of", "party", "server", {}),
                 ("transferred_to", "wallet", "wallet", {}), ("covers", "contract", "server", {}),
                 ("funds", "party", "contract", {})]
        links, seen = [], set()
        while len(links) < n_links:
            link_type, a, b, fields = rng.choice(plans)
            source, target = rng.choice(by_kind[a]), rng.choice(by_kind[b])
            if source != target and (link_type, source, target) not in seen:
                seen.add((link_type, source, target))
                links.append((link_type, source, target, dict(fields)))
        bulk_create_links(s, case_id, links)
    return case_id


def measure_launch(db: str, runs: int) -> list[float]:
    """Seconds from starting a fresh process to the main window shown and taking input."""
    script = (
        "import sys, time\n"
        "from casedesk.app import open_for_gui\n"
        "from casedesk.ui.application import create_application\n"
        "from casedesk.ui.main_window import MainWindow\n"
        "from PySide6.QtCore import QSettings\n"
        "ws = open_for_gui(sys.argv[1])\n"
        "app = create_application(['casedesk'])\n"
        "w = MainWindow(ws, settings=QSettings(sys.argv[2], QSettings.Format.IniFormat))\n"
        "w.resize(1600, 1000); w.show(); app.processEvents(); w.repaint()\n"
        "print('READY', flush=True)\n"
        "w.close()\n"
    )
    out = []
    ini = tempfile.mktemp(suffix=".ini")
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", script, db, ini], stdout=subprocess.PIPE, text=True)
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith("READY"):
                out.append(time.perf_counter() - start)
                break
        proc.wait()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller search corpus, fewer runs")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="casedesk-bench-view-"))
    print(f"CaseDesk view benchmark (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}, load average {os.getloadavg()[0]:.1f} at start)")
    ws_path = tmp / "bench10k.casedesk"
    ws = open_workspace(str(ws_path))
    t = time.perf_counter()
    case_id = build_case(ws, 10_000, 20_000)
    print(f"built 10,000 records + 20,000 links with services/bulk.py in {time.perf_counter() - t:.1f} s")
    ws.dispose()

    runs = 3 if args.quick else 5
    launch = measure_launch(str(ws_path), runs)
    print(f"window interactive from launch (fresh process, 10k-record case): median {statistics.median(launch):.2f} s "
          f"(min {min(launch):.2f}, max {max(launch):.2f}, n={len(launch)})")

    from casedesk.services import chart_graph as chart_svc
    from casedesk.services.chart_layout import layout_job
    from casedesk.services.progress import run_to_end
    from casedesk.services.search import search_records, warm_up
    from casedesk.ui.application import create_application
    from casedesk.ui.chart.scene import ChartScene
    from casedesk.ui.chart.view import ChartView
    from casedesk.ui.main_window import MainWindow, run_idle
    from PySide6.QtCore import QSettings

    app = create_application(["bench"])
    ws = open_workspace(str(ws_path))

    # --- layout of 5,000 nodes ------------------------------------------------------------------
    with ws.read() as s:
        ids = chart_svc.most_connected(s, case_id, 5000)
        nodes = chart_svc.chart_nodes(s, case_id, ids)
        edges = chart_svc.chart_edges(s, case_id, set(ids))
    scene = ChartScene()
    t = time.perf_counter()
    scene.add_nodes(nodes, {})
    scene.add_edges(edges)
    build = time.perf_counter() - t
    boxes = scene.boxes()
    pairs = [(e.source.record_id, e.target.record_id) for e in scene.edges.values()]
    timings = []
    for _ in range(3 if args.quick else 5):
        t = time.perf_counter()
        positions = run_to_end(layout_job(ids, pairs, boxes, aspect=1.5))
        timings.append(time.perf_counter() - t)
    t = time.perf_counter()
    scene.set_positions(positions)
    scene.arrange_edge_labels()
    apply = time.perf_counter() - t
    print(f"chart scene of {len(nodes):,} nodes and {len(scene.edges):,} edges built in {build:.2f} s")
    print(f"automatic layout of {len(nodes):,} nodes / {len(pairs):,} edges (igraph + overlap removal): "
          f"median {statistics.median(timings):.2f} s (min {min(timings):.2f}, max {max(timings):.2f}); "
          f"applying positions and placing link labels {apply:.2f} s")

    # --- panning and zooming fps --------------------------------------------------------------
    view = ChartView(scene)
    view.resize(1400, 900)
    view.setTransformationAnchor(view.ViewportAnchor.AnchorViewCenter)  # no mouse offscreen
    view.show()
    app.processEvents()

    def settle() -> None:
        end = time.perf_counter() + 0.4
        while time.perf_counter() < end:
            app.processEvents()

    def rate(step: object, seconds: float = 2.0) -> float:
        frames, t = 0, time.perf_counter()
        while time.perf_counter() - t < seconds:
            step(frames)  # type: ignore[operator]
            frames += 1
        return frames / (time.perf_counter() - t)

    print("frames per second on the 5,000-node scene in a 1400x900 view (offscreen raster):")
    for zoom, label in ((None, "whole chart"), (0.6, "60 %"), (1.0, "100 %")):
        view.fit_all()
        if zoom is not None:
            view.zoom_by(zoom / view.scale_factor())
            view.centerOn(scene.itemsBoundingRect().center())
        settle()
        bar = view.horizontalScrollBar() if view.horizontalScrollBar().maximum() else view.verticalScrollBar()

        def pan(n: int) -> None:
            bar.setValue(bar.value() + (25 if n % 80 < 40 else -25))
            app.processEvents()

        def pan_full(n: int) -> None:
            bar.setValue(bar.value() + (25 if n % 80 < 40 else -25))
            view.viewport().repaint()

        def wheel(n: int) -> None:
            view.zoom_by(1.05 if n % 20 < 10 else 1 / 1.05, interactive=True)
            view.viewport().repaint()

        scale = view.scale_factor()
        scroll_fps = rate(pan) if bar.maximum() else float("nan")
        full_fps = rate(pan_full)
        zoom_fps = rate(wheel)
        settle()
        print(f"  {label:>11} (scale {scale:.2f}): panning {scroll_fps:.0f} fps "
              f"(scrollbar steps, Qt redraws what scrolls in); full redraw every frame {full_fps:.0f} fps; "
              f"zoom gesture {zoom_fps:.0f} fps")
    view.close()

    # --- selection in every view ----------------------------------------------------------------
    settings = QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)
    t = time.perf_counter()
    window = MainWindow(ws, settings=settings)
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    shown = time.perf_counter() - t
    run_idle(window, app, 30000)
    print(f"main window on the 10k case (in-process): constructed and shown in {shown:.2f} s; "
          f"chart shows {len(window.chart.scene.nodes):,} of 10,000 records")
    rng = random.Random(5)
    with ws.read() as s:
        every = [n.id for n in chart_svc.chart_nodes(s, case_id)]
    for rid in rng.sample(every, 10):  # warm up: first use of each query compiles its SQL
        window.select_record(rid)
        run_idle(window, app, 10000)
    on_chart = set(window.chart.scene.nodes)
    for label, pool in (("already on the chart", sorted(on_chart)),
                        ("not yet on the chart (brought onto it)", [r for r in every if r not in on_chart])):
        total, select_only = [], []
        for rid in rng.sample(pool, 30):
            t = time.perf_counter()
            window.select_record(rid)
            t1 = time.perf_counter()
            app.processEvents()  # every view repaints what changed
            total.append((time.perf_counter() - t) * 1000)
            select_only.append((t1 - t) * 1000)
            run_idle(window, app, 10000)
        total.sort()
        print(f"select a record {label}, every view updated and repainted: median {statistics.median(total):.1f} ms, "
              f"90th percentile {total[int(len(total) * 0.9)]:.1f} ms, max {max(total):.1f} ms "
              f"(of which updating the views: median {statistics.median(select_only):.1f} ms; n={len(total)})")
    window.close()
    window.shutdown()
    ws.dispose()

    # --- search as you type over 100,000 records ---------------------------------------------
    n_search = 20_000 if args.quick else 100_000
    ws_big = open_workspace(str(tmp / "bench100k.casedesk"))
    t = time.perf_counter()
    big_case = build_case(ws_big, n_search, 0, seed=2)
    print(f"built {n_search:,} records (each with a Chinese alias) in {time.perf_counter() - t:.1f} s")
    warm_up()
    from opencc import OpenCC

    with ws_big.read() as s:
        from casedesk.domain.models import Alias
        from sqlalchemy import select

        han = s.scalar(select(Alias.name).order_by(Alias.id).offset(777).limit(1))[:4]
        traditional = OpenCC("s2t").convert(han)
        for label, text in (("Latin, typed", "Huaxin Tech"), ("Chinese, typed", han),
                            ("typed in traditional, names simplified", traditional),
                            ("one Chinese character", han[:1]), ("no such name", "Zzqx")):
            per_key = []
            for n in range(1, len(text) + 1):
                t = time.perf_counter()
                hits = search_records(s, big_case, text[:n])
                per_key.append((time.perf_counter() - t) * 1000)
            print(f"search as you type ({label} {text!r}, {len(text)} keystrokes, {len(hits)} shown): "
                  f"median {statistics.median(per_key):.1f} ms, max {max(per_key):.1f} ms per keystroke")
    ws_big.dispose()
    print(f"load average {os.getloadavg()[0]:.1f} at the end (other processes share the CPUs: compare runs at similar load)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
