"""Screenshots of the main window on the demo case, taken in a real X window under Xvfb.

    make screenshots
    # or: xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb \
    #         .venv/bin/python docs/screenshots/take_screenshots.py docs/screenshots

Each shot is grabbed from the X server with ImageMagick's `import -window root` (what a user
would see), falling back to Qt's own grab when `import` is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings


def main(out: Path) -> int:
    from casedesk.services.demo import load_demo_case
    from casedesk.services.findings import add_manual_finding
    from casedesk.services.listings import list_records
    from casedesk.storage.workspace import open_workspace
    from casedesk.ui.application import create_application
    from casedesk.ui.main_window import MainWindow, run_idle

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="casedesk-shots-"))
    ws = open_workspace(str(tmp / "demo.casedesk"))
    with ws.write() as s:
        case_id = load_demo_case(s).id
    with ws.read() as s:
        ids = {r["label"]: r["id"] for r in list_records(s, case_id)}
    with ws.write() as s:  # one finding, so the findings tab and a highlighted path show
        add_manual_finding(
            s, case_id, "H100 compute used by a company headquartered in China", severity="high",
            explanation="Beijing AI company (CN) uses the compute of the Brisbane H100 fleet (at least 2,400 "
                        "H100 SXM, a 3A090 item), operated by Aw's GPU platform company.",
            record_ids=[ids["Beijing AI company (unnamed)"], ids["Brisbane H100 fleet"],
                        ids["Aw's GPU platform company (name not given)"]], link_ids=[5, 3])
    app = create_application(["casedesk"])
    window = MainWindow(ws, settings=QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    window.setGeometry(0, 0, 1600, 1000)
    window.show()
    run_idle(window, app, 30000)

    def shot(name: str) -> None:
        run_idle(window, app, 30000)
        end = time.monotonic() + 0.6
        while time.monotonic() < end:  # let the X server receive every repaint
            app.processEvents()
            time.sleep(0.02)
        path = out / name
        if shutil.which("import"):
            subprocess.run(["import", "-window", "root", str(path)], check=True)
        else:
            window.grab().save(str(path))
        print(f"saved {path}")

    window.select_record(ids["Aw's GPU platform company (name not given)"])
    window.bottom_tabs.setCurrentWidget(window.tables["party"])
    shot("main_window.png")
    window.select_record(ids["Brisbane H100 fleet"])
    window.actions_by_name["show_timeline"].trigger()
    shot("main_window_timeline.png")
    window.actions_by_name["show_findings"].trigger()
    window.findings.view.selectRow(0)
    shot("main_window_finding.png")

    def right_click(view, row: int) -> None:  # the menu a right click on a table row opens
        from PySide6.QtGui import QContextMenuEvent
        from PySide6.QtWidgets import QApplication

        pos = view.visualRect(view.model().index(row, 2)).center()
        QApplication.sendEvent(view.viewport(), QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos)))

    window.actions_by_name["show_findings"].trigger()
    right_click(window.findings.view, 0)  # confirm, dismiss, the subject, the path, copy
    shot("main_window_finding_menu.png")
    window.context_menu.close()

    links = window.links_table
    window.bottom_tabs.setCurrentWidget(links)
    links.filter.setText("type: funds")
    right_click(links.view, 1)
    shot("main_window_links.png")
    window.context_menu.close()
    links.filter.setText("")
    window.bottom_tabs.setCurrentWidget(window.tables["party"])
    right_click(window.tables["party"].view, 2)
    shot("main_window_context_menu.png")
    window.context_menu.close()

    # The import wizard's review page: what Import will write, before anything is written.
    sample = Path(__file__).resolve().parents[2] / "tests" / "data" / "import" / "ownership_aurora.csv"
    if sample.exists():
        wizard = window.import_evidence()
        wizard.move(250, 120)
        wizard.file_page.set_path(sample)
        wizard.next()
        wizard.next()
        run_idle(window, app, 30000)
        while wizard.plan is None:
            app.processEvents()
            time.sleep(0.02)
        for _ in range(3):
            wizard.next()
        shot("import_review.png")
        wizard.reject()

    # Analysis › Accelerator catalog: the models the analysis classifies by, and the form to add one.
    catalog = window.show_catalog()
    catalog.move(250, 100)
    catalog.filter.setText("Ascend")
    catalog.name.setText("Ascend 910D")
    catalog.vendor.setText("Huawei")
    catalog.source.setText("vendor briefing, p. 2")
    shot("catalog.png")
    catalog.close()

    manual = window.show_manual()  # F1
    manual.setGeometry(200, 80, 1150, 800)
    shot("manual.png")
    manual.close()
    window.close()
    ws.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent))
