"""The window's first workspace: asked before a named missing file is created, and for a passphrase."""

from __future__ import annotations

from pathlib import Path

import pytest

from casedesk.app import open_with_questions
from casedesk.services.encryption import encrypt_workspace


def _never(*_args: object) -> None:
    raise AssertionError("not expected to ask")


def test_a_named_missing_file_is_created_only_after_a_yes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CASEDESK_DB", raising=False)
    path = tmp_path / "typo.casedesk"
    asked = []
    assert open_with_questions(str(path), ask_to_create=lambda p: asked.append(p) or False,
                               ask_passphrase=_never) is None
    assert asked == [str(path)] and not path.exists()
    ws = open_with_questions(str(path), ask_to_create=lambda p: True, ask_passphrase=_never)
    assert ws is not None and path.exists()
    ws.dispose()


def test_the_passphrase_is_asked_until_it_opens_or_the_user_gives_up(tmp_path: Path):
    path = tmp_path / "w.casedesk"
    ws = open_with_questions(str(path), ask_to_create=lambda p: True, ask_passphrase=_never)  # seeds the demo
    ws.dispose()
    encrypt_workspace(str(path), "right")
    answers, seen = iter(["wrong", "right"]), []

    def ask(target: str, wrong: bool) -> str:
        seen.append(wrong)
        return next(answers)

    ws = open_with_questions(str(path), ask_to_create=_never, ask_passphrase=ask)
    assert ws is not None and ws.encrypted and seen == [False, True]
    ws.dispose()
    assert open_with_questions(str(path), ask_to_create=_never, ask_passphrase=lambda t, w: None) is None
