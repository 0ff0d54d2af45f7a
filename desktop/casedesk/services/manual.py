"""The in-app manual: its pages (title and Markdown) from resources/manual/, in the index's order.

Pages marked `docs: true` are read from the repository's docs/ when CaseDesk runs from a checkout
(always current) and from the copy in resources/manual/ otherwise (a frozen build). Image lines
are left out: the help browser shows text, the screenshots live beside the docs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from casedesk.domain.errors import NotFoundError
from casedesk.paths import docs_dir, resources_dir


@dataclass(frozen=True)
class ManualPage:
    """One page of the manual."""

    name: str  # the file's stem, e.g. "walkthrough"
    title: str
    markdown: str


def _text(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("![")) + "\n"


def manual_pages(folder: Path | None = None, docs: Path | None = None) -> list[ManualPage]:
    """Every page of the manual, in order (NotFoundError naming the file when one is missing)."""
    folder = folder or resources_dir() / "manual"
    docs = docs if docs is not None else docs_dir()
    index = yaml.safe_load((folder / "index.yaml").read_text(encoding="utf-8"))
    pages = []
    for entry in index["pages"]:
        name = entry["file"]
        path = docs / name if entry.get("docs") and (docs / name).is_file() else folder / name
        if not path.is_file():
            raise NotFoundError(f"the manual page {name} is missing from {folder}")
        pages.append(ManualPage(Path(name).stem, entry["title"], _text(path)))
    return pages
