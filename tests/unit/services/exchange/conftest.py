"""Fixtures the exchange tests share: the zala fixture file, FtM validation with FtM's own model."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

ZALA = Path(__file__).parents[3] / "data" / "ftm" / "zala_cluster.ftm.jsonl"


@pytest.fixture
def zala() -> Path:
    """91 OpenSanctions entities: 11 companies, 6 people, 14 ownerships, 3 directorships…"""
    return ZALA


@pytest.fixture
def ftm_problems() -> Callable[[Path], list[str]]:
    """Check every entity of a file with followthemoney: schema, properties, required, values."""
    ftm = pytest.importorskip("followthemoney")
    from followthemoney.exc import InvalidData

    def check(path: Path) -> list[str]:
        problems = []
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            data = json.loads(line)
            try:
                schema = ftm.model.get(data["schema"])
                if schema is None or schema.abstract:
                    raise InvalidData(f"schema {data['schema']}")
                ftm.model.get_proxy(data, cleaned=False)
                schema.validate(data)
                for prop in schema.required:
                    if not data["properties"].get(prop):
                        raise InvalidData(f"missing required {prop}")
                for name in data["properties"]:
                    if name not in schema.properties:
                        raise InvalidData(f"unknown property {name}")
            except InvalidData as exc:
                problems.append(f"line {n} ({data.get('schema')}): {exc}")
        return problems

    return check
