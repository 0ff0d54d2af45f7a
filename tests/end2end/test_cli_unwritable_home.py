"""A HOME that cannot hold CaseDesk's folders gets one clear line naming the folder, exit 2."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("args", [["demo"], ["cases", "new", "Team case"], []])
def test_an_unwritable_home_names_the_folder_it_needs(run, tmp_path, args):
    blocker = tmp_path / "file"
    blocker.write_text("x")  # a HOME below a plain file: no folder can be made there, even by root
    home = blocker / "home"
    # an empty CASEDESK_DB counts as unset; the XDG folders as platformdirs derives them from HOME
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share"),
           "XDG_STATE_HOME": str(home / ".local" / "state"), "XDG_CONFIG_HOME": str(home / ".config"),
           "CASEDESK_DB": "", "QT_QPA_PLATFORM": "offscreen"}
    out = run(*args, env=env)
    assert out.returncode == 2, out.stderr
    assert f"cannot create the folder {home}/.local/share/CaseDesk" in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
