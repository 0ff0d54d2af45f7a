"""The frozen one-folder bundle (packaging/casedesk.spec) works as an installed program.

Built once per run (reused when dist/CaseDesk is newer than every source file), then copied to
another folder, made read-only and run there with a clean environment: no venv on PATH, no
PYTHONPATH, a fresh HOME. Also: the wheel built from the sdist runs from a plain install.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "casedesk.spec"
DIST = ROOT / "dist" / "CaseDesk"
SOURCES = ("desktop", "resources", "db", "packaging")
BUILD_TIMEOUT = 1800  # a loaded CI machine; a normal build takes one to two minutes
RUN_TIMEOUT = 300
CSV = ROOT / "tests" / "data" / "import" / "parties_cmic_gb18030.csv"


def _newest_source() -> float:
    """The modification time of the newest file the bundle is built from."""
    newest = SPEC.stat().st_mtime
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".md":
                newest = max(newest, path.stat().st_mtime)
    return newest


def build_bundle() -> Path:
    """dist/CaseDesk/casedesk, built with PyInstaller unless an up-to-date one is there."""
    program = DIST / "casedesk"
    if not program.is_file() or program.stat().st_mtime < _newest_source():
        done = subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
             "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "build" / "pyinstaller"), str(SPEC)],
            cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
        assert done.returncode == 0, done.stderr[-4000:]
    return program


def _listing(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*")}


def _make_read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            mode = path.stat().st_mode
            path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The bundle moved to another folder and made read-only, with a fresh HOME for its user."""
    build_bundle()
    base = tmp_path_factory.mktemp("frozen")
    target = base / "opt" / "CaseDesk"
    shutil.copytree(DIST, target, symlinks=True)
    _make_read_only(target)
    home = base / "home"
    home.mkdir()
    before = _listing(target)
    yield {"program": target / "casedesk", "home": home, "base": base, "folder": target,
           "before": before}
    # user data only under the user's folders, never beside the program
    assert _listing(target) == before
    for path in [target, *target.rglob("*")]:  # let pytest clean it up
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment like a fresh login's: no venv, no PYTHONPATH, nothing of this test run."""
    return {"HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **extra}


def frozen(installed: dict, *args: str, home: Path | None = None, **extra: str) -> subprocess.CompletedProcess:
    """Run the installed program with a clean environment (HOME: the fixture's unless given)."""
    return subprocess.run([str(installed["program"]), *args], capture_output=True, text=True,
                          env=clean_env(home or installed["home"], **extra), cwd=installed["base"],
                          timeout=RUN_TIMEOUT)


def _no_traceback(out: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in out.stderr + out.stdout, out.stderr


def test_demo_report_verify_and_import_run_from_the_moved_read_only_bundle(installed):
    out = frozen(installed, "demo", "--json")
    assert out.returncode == 0, out.stderr
    case_id = json.loads(out.stdout)["case_id"]
    # the workspace went to the user's data folder (platformdirs), not beside the program
    assert (installed["home"] / ".local" / "share" / "CaseDesk" / "workspace.casedesk").is_file()

    pdf = installed["base"] / "dossier.pdf"
    out = frozen(installed, "report", "--case", str(case_id), "-o", str(pdf), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["pages"] >= 10
    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 10
    embedded = set()
    for page in reader.pages:
        for ref in (page["/Resources"].get("/Font") or {}).values():
            font = ref.get_object()
            for desc in [font.get("/FontDescriptor"), *[d.get_object().get("/FontDescriptor")
                                                        for d in font.get("/DescendantFonts", [])]]:
                if desc is not None and "/FontFile2" in desc.get_object():
                    embedded.add(str(font["/BaseFont"]))
    assert any("WenQuanYi" in name for name in embedded), embedded  # the CJK font, subset-embedded

    out = frozen(installed, "import", str(CSV), "--case", str(case_id), "--preset", "parties", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["rows"] > 0 and result["created"] + result["merged"] > 0

    out = frozen(installed, "verify", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ok"] is True
    _no_traceback(out)


def test_the_window_opens_and_closes_without_a_traceback(installed):
    home = installed["base"] / "gui-home"
    home.mkdir()
    started = time.monotonic()
    out = frozen(installed, "gui", "--quit-after", "3", home=home, QT_QPA_PLATFORM="offscreen")
    assert out.returncode == 0, out.stderr
    assert "window shown" in out.stderr
    assert time.monotonic() - started >= 3
    _no_traceback(out)


def test_no_argument_opens_the_window_too(installed):
    home = installed["base"] / "gui-home-2"
    home.mkdir()
    # no argument: the window (on the first run seeded with the demo case); closed from outside
    proc = subprocess.Popen([str(installed["program"])], env=clean_env(home, QT_QPA_PLATFORM="offscreen"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=installed["base"])
    time.sleep(6)
    assert proc.poll() is None, proc.communicate()[1]  # still running: the window's event loop
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err
    assert (home / ".local" / "share" / "CaseDesk" / "workspace.casedesk").is_file()


def test_a_home_that_is_not_writable_gets_a_message_naming_the_folder(installed):
    # A HOME below a plain file cannot hold folders, even for root (who ignores permission bits).
    blocker = installed["base"] / "not-a-folder"
    blocker.write_text("x")
    home = blocker / "home"
    for args in (("demo",), ()):
        out = frozen(installed, *args, home=home, QT_QPA_PLATFORM="offscreen")
        assert out.returncode == 2, out.stderr
        assert str(home / ".local" / "share" / "CaseDesk") in out.stderr
        assert "--db" in out.stderr
        _no_traceback(out)


def test_a_second_copy_on_a_busy_workspace_says_so_and_damages_nothing(installed):
    db = installed["base"] / "shared.casedesk"
    assert frozen(installed, "--db", str(db), "demo").returncode == 0
    before = frozen(installed, "--db", str(db), "cases", "list", "--json")
    holding, release = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:  # the first copy, in the middle of a long change
        conn = sqlite3.connect(str(db), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        holding.set()
        release.wait(120)
        conn.execute("ROLLBACK")
        conn.close()

    first = threading.Thread(target=hold_the_write_lock)
    first.start()
    try:
        assert holding.wait(10)
        out = frozen(installed, "--db", str(db), "cases", "new", "Second copy")
    finally:
        release.set()
        first.join()
    assert out.returncode == 2, out.stderr
    assert "busy" in out.stderr and "nothing was written" in out.stderr
    _no_traceback(out)
    assert frozen(installed, "--db", str(db), "cases", "list", "--json").stdout == before.stdout
    check = frozen(installed, "--db", str(db), "verify", "--json")
    assert check.returncode == 0 and json.loads(check.stdout)["ok"] is True


def test_the_wheel_built_from_the_sdist_carries_its_data_and_runs(tmp_path):
    out = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path / "dist"),
                          str(ROOT)], capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert out.returncode == 0, out.stderr[-4000:]
    wheel = next((tmp_path / "dist").glob("casedesk-*.whl"))
    assert next((tmp_path / "dist").glob("casedesk-*.tar.gz"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("casedesk/_data/resources/fonts/wqy-microhei.ttc", "casedesk/_data/db/env.py",
                   "casedesk/_data/resources/demo/demo_case.yaml", "casedesk/_data/resources/vocab/link_types.yaml"):
        assert needed in names
    assert not any(name.startswith("tests/") for name in names)
    # the wheel alone (its dependencies from this venv), shadowing any editable checkout
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                           str(wheel)], capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stderr
    home = tmp_path / "home"
    home.mkdir()
    env = {**clean_env(home), "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import casedesk.paths as p; print(p.resources_dir()); "
                            "print(p.migrations_dir())"], capture_output=True, text=True, env=env)
    assert where.stdout.splitlines() == [str(site / "casedesk" / "_data" / "resources"),
                                         str(site / "casedesk" / "_data" / "db")], where.stderr
    db = tmp_path / "w.casedesk"
    demo = subprocess.run([sys.executable, "-m", "casedesk", "--db", str(db), "demo", "--json"],
                          capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT)
    assert demo.returncode == 0, demo.stderr
    case_id = json.loads(demo.stdout)["case_id"]
    report = subprocess.run([sys.executable, "-m", "casedesk", "--db", str(db), "report", "--case",
                             str(case_id), "-o", str(tmp_path / "r.pdf"), "--json"],
                            capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT)
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["pages"] >= 10
    assert os.path.getsize(tmp_path / "r.pdf") > 0


def test_the_desktop_entry_installs_for_one_user_and_uninstalls(installed):
    home = installed["base"] / "menu-home"
    home.mkdir()
    script = installed["folder"] / "install-desktop-entry.sh"
    env = clean_env(home)
    done = subprocess.run(["sh", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    entry = home / ".local" / "share" / "applications" / "org.casedesk.CaseDesk.desktop"
    assert f'Exec="{installed["program"]}" gui' in entry.read_text()
    assert subprocess.run(["desktop-file-validate", str(entry)], capture_output=True).returncode == 0
    assert (home / ".local" / "share" / "icons" / "hicolor" / "256x256" / "apps"
            / "org.casedesk.CaseDesk.png").is_file()
    # the PATH link runs the bundle (the program finds its files through the link)
    on_path = subprocess.run([str(home / ".local" / "bin" / "casedesk"), "--version"],
                             capture_output=True, text=True, env=env, timeout=60)
    assert on_path.returncode == 0 and on_path.stdout.startswith("casedesk "), on_path.stderr
    done = subprocess.run(["sh", str(script), "--uninstall"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not entry.exists() and not (home / ".local" / "bin" / "casedesk").exists()
    assert not list((home / ".local" / "share" / "icons").rglob("org.casedesk.CaseDesk.*"))


def test_a_big_list_import_starts_its_worker_processes_from_the_bundle(installed):
    # 100k+ distinct names: the import normalises them in worker processes (spawn), which start
    # this same program; without freeze_support() each worker would run the command line instead
    # and complain on stderr, and the import would quietly finish in one process.
    header = ("_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
              "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,"
              "gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,"
              "alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids")
    blank = "," * (header.count(",") - 5)
    path = installed["base"] / "big_csl.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        for i in range(110_000):
            fh.write(f"id{i},Entity List (EL) - Bureau of Industry and Security,,,EAR,Trading House {i:06d}{blank}\n")
    db = installed["base"] / "lists.casedesk"
    out = frozen(installed, "--db", str(db), "watchlist", "import", str(path), "--format", "csl", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["entries"] == 110_000
    assert out.stderr.strip() == "", out.stderr  # no worker ran the command line
