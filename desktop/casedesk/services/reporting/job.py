"""write_report: the data step and the render step as one job, written atomically beside the target.

The PDF is first written to a hidden temporary file in the target's folder and renamed over the
target only when complete, so a failed or cancelled export never leaves a partial file. The
render step runs in a helper thread because ReportLab's build loop cannot yield; the job relays
its progress and, when the job is closed (Cancel), stops it at the next step.
"""

from __future__ import annotations

import hashlib
import os
import queue
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from casedesk.domain.errors import Cancelled, CaseDeskError, ValidationError
from casedesk.services.progress import Job, Progress
from casedesk.services.reporting.build import build_dossier
from casedesk.services.reporting.model import Dossier, DossierOptions
from casedesk.services.reporting.render import render_bytes

_DONE = object()


def check_target(out_path: str | os.PathLike[str]) -> Path:
    """The output path made absolute, or a ValidationError saying why it cannot be written."""
    text = os.fspath(out_path)
    if not text.strip():
        raise ValidationError("output", "no output file given")
    if "\x00" in text:
        raise ValidationError("output", "a file name cannot contain a NUL character")
    path = Path(text).expanduser()
    path = path if path.is_absolute() else Path.cwd() / path
    folder = path.parent
    if path.is_dir():
        raise ValidationError("output", f"{path} is a folder; give a file name such as {path / 'dossier.pdf'}")
    if not folder.exists():
        raise ValidationError("output", f"folder {folder} does not exist")
    if not folder.is_dir():
        raise ValidationError("output", f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValidationError("output", f"folder {folder} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValidationError("output", f"{path} exists and is read-only")
    return path


def _temp_beside(path: Path) -> tuple[int, Path]:
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise ValidationError("output", f"cannot write in folder {path.parent}: "
                              f"{exc.strerror or exc}") from None
    return fd, Path(name)


def _render_job(dossier: Dossier) -> Job[tuple[bytes, int]]:
    """Render in a helper thread, yielding its progress; closing the job stops the render."""
    steps: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    outcome: dict[str, Any] = {}
    last = {"done": -1, "at": 0.0}

    def progress(step: Progress) -> None:
        if stop.is_set():
            raise Cancelled("export cancelled")
        now = time.monotonic()
        # Relay about every 1 % or 0.1 s: a long dossier has tens of thousands of flowables.
        if step.total and step.done - last["done"] < step.total / 100 and now - last["at"] < 0.1:
            return
        last["done"], last["at"] = step.done, now
        steps.put(step)

    def run() -> None:
        try:
            outcome["value"] = render_bytes(dossier, progress)
        except BaseException as exc:  # noqa: BLE001 - handed to the job's thread below
            outcome["error"] = exc
        finally:
            steps.put(_DONE)

    worker = threading.Thread(target=run, name="casedesk-render", daemon=True)
    worker.start()
    try:
        while (item := steps.get()) is not _DONE:
            yield item
    finally:
        stop.set()
        worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def write_report(session: Session, case_id: int, out_path: str | os.PathLike[str],
                 options: DossierOptions | None = None) -> Job[dict[str, Any]]:
    """Build and render a case's dossier to out_path; returns {"path", "pages", "sha256"}."""
    target = check_target(out_path)
    yield Progress(0, None, "Reading the case")
    dossier = build_dossier(session, case_id, options)
    yield Progress(0, None, "Laying out pages")
    fd, temp = _temp_beside(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            data, pages = yield from _render_job(dossier)
            yield Progress(1, 1, "Writing the file")
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise CaseDeskError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return {"path": str(target), "pages": pages, "sha256": hashlib.sha256(data).hexdigest()}


def export_report(ws: Any, case_id: int, out_path: str | os.PathLike[str],
                  options: DossierOptions | None = None) -> Job[dict[str, Any]]:
    """write_report in a read session, then its audit entry (format pdf, scope, SHA-256) in a write.

    The audited form of write_report, for the CLI and File → Export alike.
    """
    from casedesk.services.exchange.jobs import record_export

    with ws.read() as session:
        result = yield from write_report(session, case_id, out_path, options)
    redaction = options.redaction if options is not None else "none"
    with ws.write() as session:
        record_export(session, case_id, "pdf", "case", result["path"], result["sha256"],
                      {"pages": result["pages"], "redaction": redaction})
    return result
