"""Build step that puts resources/ and db/ into wheels as casedesk/_data/ (see casedesk/paths.py).

Everything else is in pyproject.toml. The folders stay where they are in the repository (the source
checkout and editable installs read them there); only built wheels carry a copy inside the package.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_FOLDERS = ("resources", "db")


class BuildPyWithData(build_py):
    """build_py that also copies the shipped data folders into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the repository's folders directly
            return
        root = Path(__file__).resolve().parent
        for folder in DATA_FOLDERS:
            for path in sorted((root / folder).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                    target = Path(self.build_lib) / "casedesk" / "_data" / path.relative_to(root)
                    self.mkpath(str(target.parent))
                    self.copy_file(str(path), str(target))


setup(cmdclass={"build_py": BuildPyWithData})
