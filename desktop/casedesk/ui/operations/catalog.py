"""Catalog verbs: list the accelerator catalog the analysis uses, add a model to the workspace's own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from casedesk.services.analysis.workspace_catalog import (
    NewModel,
    add_model,
    entry_dict,
    model_row,
    workspace_vocabulary,
)
from casedesk.ui.operations.core import Operations


def catalog_rows(ops: Operations) -> list[dict[str, Any]]:
    """Every model of the merged catalog as plain rows (a short read): shipped, then the workspace's."""
    with ops.reading() as s:
        catalog = workspace_vocabulary(s).accelerators
    return [model_row(m) for m in catalog]


def add_catalog_model(ops: Operations, new: NewModel, *, source_file: Path | None = None,
                      on_done: Callable[[dict[str, Any]], None],
                      on_error: Callable[[Any], None]) -> int:
    """Add a model to the workspace catalog in one transaction; views then speak the merged catalog."""
    def done(entry: dict[str, Any]) -> None:
        ops.refresh_vocab()
        on_done(entry)

    return ops.run(lambda s: entry_dict(add_model(s, new, source_file=source_file, vocab=ops.vocab)),
                   on_done=done, on_error=on_error)
