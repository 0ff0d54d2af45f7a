"""The in-app manual's pages: in order, current with docs/ in a checkout, from the copies when frozen."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from casedesk.domain.errors import NotFoundError
from casedesk.paths import docs_dir, resources_dir
from casedesk.services.manual import manual_pages

MANUAL = resources_dir() / "manual"


def test_the_manual_starts_with_the_demo_walkthrough_and_reads_the_docs():
    pages = manual_pages()
    assert [p.name for p in pages][:3] == ["walkthrough", "window", "importing"]
    assert pages[0].markdown.startswith("# Getting started: the demo case")
    importing = next(p for p in pages if p.name == "importing")
    # from docs/ in a checkout, without its screenshot lines
    expected = [ln for ln in (docs_dir() / "importing.md").read_text(encoding="utf-8").splitlines()
                if not ln.lstrip().startswith("![")]
    assert importing.markdown.splitlines() == expected
    assert all(p.markdown.strip() for p in pages)


def test_a_frozen_build_without_docs_shows_the_copies_in_resources(tmp_path):
    pages = manual_pages(docs=tmp_path)  # no docs folder: what a frozen build has
    index = yaml.safe_load((MANUAL / "index.yaml").read_text(encoding="utf-8"))
    assert [p.title for p in pages] == [e["title"] for e in index["pages"]]
    for entry in index["pages"]:
        assert (MANUAL / entry["file"]).is_file(), entry["file"]


def test_a_missing_page_is_named(tmp_path):
    (tmp_path / "index.yaml").write_text("pages:\n  - {file: gone.md, title: Gone}\n", encoding="utf-8")
    with pytest.raises(NotFoundError, match="gone.md"):
        manual_pages(tmp_path, docs=tmp_path / "none")
