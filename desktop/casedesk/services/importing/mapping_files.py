"""Mappings kept in files: the shipped presets, and mappings users load, save and list.

Presets ship as YAML files in resources/import_presets/; users save their own as YAML or JSON.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from casedesk.domain.errors import ValidationError
from casedesk.domain.vocabulary import Vocabulary
from casedesk.paths import resources_dir
from casedesk.services.importing.mapping import Mapping, mapping_from_data


def presets_dir() -> Path:
    """Where the shipped presets live."""
    return resources_dir() / "import_presets"


def preset_names() -> list[str]:
    """The names of the shipped presets, in file-name order."""
    return sorted(p.stem for p in presets_dir().glob("*.yaml"))


def load_preset(name: str, *, vocab: Vocabulary | None = None) -> Mapping:
    """A shipped preset by name (parties, ownership, servers, transactions)."""
    path = presets_dir() / f"{name}.yaml"
    if not re.fullmatch(r"[a-z0-9_]+", name or "") or not path.is_file():
        raise ValidationError(
            "preset", f"no import preset {name!r} (one of {', '.join(preset_names())})"
        )
    return load_mapping_file(path, vocab=vocab)


def load_mapping_file(path: str | Path, *, vocab: Vocabulary | None = None) -> Mapping:
    """Read a mapping saved as YAML or JSON; ValidationError naming what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError("mapping", f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ValidationError("mapping", f"{path.name} is not a UTF-8 text file") from None
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ValidationError(
            "mapping",
            f"{path.name} is not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: "
            f"{str(exc).splitlines()[0][:160]}",
        ) from None
    return mapping_from_data(raw, vocab=vocab, origin=path.name)


def save_mapping_file(mapping: Mapping, path: str | Path) -> Path:
    """Write a mapping as YAML (or JSON when the name ends in .json); returns the path."""
    path = Path(path)
    data = mapping.to_data()
    if path.suffix.lower() == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ValidationError("mapping", f"cannot write {path}: {exc.strerror}") from None
    return path


def saved_mappings_dir() -> Path:
    """The folder where the wizard keeps the user's saved mappings."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("CaseDesk", appauthor=False)) / "import_mappings"


def list_saved_mappings(folder: Path | None = None) -> list[Path]:
    """The user's saved mapping files (YAML and JSON), by name."""
    folder = folder or saved_mappings_dir()
    if not folder.is_dir():
        return []
    return sorted(
        [p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json")],
        key=lambda p: p.name.casefold(),
    )
