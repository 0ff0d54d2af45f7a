"""FollowTheMoney files read: detection, streamed lines, the delta form, nested entities, checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.paths import resources_dir

_MAX_LINE = 64 * 1024 * 1024
_MAX_ARRAY_FILE = 256 * 1024 * 1024
_NOTE_SKIP = frozenset({"indexText", "addressEntity", "address", "holder", "proof", "riskSource"})


@cache
def ftm_schemata() -> dict[str, Any]:
    """FtM's schemata: ancestors, required and inherited properties (resources/exchange)."""
    data = json.loads((resources_dir() / "exchange" / "ftm_schemata.json").read_text("utf-8"))
    data.pop("_source", None)
    return data


def looks_like_ftm(path: Path) -> bool:
    """True for a file `import` should read as FtM: .ftm.json / .jsonl / .ndjson, or JSON entities."""
    name = path.name.lower()
    if name.endswith((".ftm.json", ".ftm.jsonl", ".jsonl", ".ndjson")):
        return True
    if name.endswith(".json"):
        try:
            with path.open("rb") as fh:
                head = fh.read(4096).lstrip()
        except OSError:
            return False
        return head.startswith(b"[") or (head.startswith(b"{") and b'"schema"' in head)
    return False


@dataclass
class IndexLine:
    """What pass 1 keeps of an entity id: its schema and the lines that hold its final word."""

    schema: str
    lines: list[int]


class FtmFile:
    """One FtM file read as (line number, entity) pairs, flat, nested and delta forms alike."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[tuple[int, str, str]] = []  # (line, id, reason) from reading
        self.deltas = 0

    def raw_lines(self) -> Iterator[tuple[int, bytes]]:
        with self.path.open("rb") as fh:
            head = fh.read(64).lstrip()
            fh.seek(0)
            if head.startswith(b"["):
                if self.path.stat().st_size > _MAX_ARRAY_FILE:
                    raise ValidationError("file", f"{self.path.name} is one JSON array larger than "
                                          "256 MB; give it as JSON lines (one entity a line)")
                try:
                    items = json.load(fh)
                except ValueError as exc:
                    raise ValidationError("file", f"{self.path.name} is not JSON: {exc}") from None
                for n, item in enumerate(items if isinstance(items, list) else [items], 1):
                    yield n, json.dumps(item).encode()
                return
            for n, raw in enumerate(fh, 1):
                if len(raw) > _MAX_LINE:
                    yield n, b"\x00too long"
                elif raw.strip():
                    yield n, raw

    def entities(self, *, report: bool) -> Iterator[tuple[int, str, dict[str, Any] | None]]:
        """(line, op, entity) for each entity; op ADD or DEL; nested entities come out flat."""
        for n, raw in self.raw_lines():
            try:
                data = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                if report:
                    self.problems.append((n, "", "not JSON" if raw != b"\x00too long"
                                          else "a line longer than 64 MB"))
                continue
            if not isinstance(data, dict):
                if report:
                    self.problems.append((n, "", "not a JSON object"))
                continue
            op = "ADD"
            if "op" in data and "entity" in data:
                op = str(data.get("op")).upper()
                if report:
                    self.deltas += 1
                if op not in ("ADD", "MOD", "DEL"):
                    if report:
                        self.problems.append((n, "", f"unknown delta operation {data.get('op')!r}"))
                    continue
                data = data["entity"]
                if op == "DEL":
                    eid = data.get("id") if isinstance(data, dict) else data
                    yield n, "DEL", {"id": eid} if isinstance(eid, str) else None
                    continue
                if not isinstance(data, dict):
                    if report:
                        self.problems.append((n, "", "a delta line without an entity"))
                    continue
            for ent in _flatten(data):
                yield n, "ADD", ent


def _flatten(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The entity with nested entities (the nested form) replaced by their ids, then each nested one."""
    props = data.get("properties")
    nested: list[dict[str, Any]] = []
    if isinstance(props, dict):
        flat: dict[str, Any] = {}
        for name, values in props.items():
            vals = values if isinstance(values, list) else [values]
            out = []
            for v in vals:
                if isinstance(v, dict) and "schema" in v:
                    nested.append(v)
                    out.append(v.get("id"))
                else:
                    out.append(v)
            flat[name] = out
        data = {**data, "properties": flat}
    yield data
    for child in nested:
        yield from _flatten(child)


def check_entity(ent: dict[str, Any]) -> tuple[str, str, dict[str, list[str]], list[str]]:
    """(id, schema, properties as lists of text, notes on dropped properties); ValueError if unusable."""
    eid = ent.get("id")
    if not isinstance(eid, str) or not eid.strip():
        raise ValueError("an entity without an id")
    schema = ent.get("schema")
    schemata = ftm_schemata()
    if not isinstance(schema, str) or schema not in schemata:
        raise ValueError(f"unknown FtM schema {schema!r}")
    if schemata[schema]["abstract"]:
        raise ValueError(f"{schema} is an abstract FtM schema (no entity can have it)")
    known = set(schemata[schema]["properties"])
    props: dict[str, list[str]] = {}
    dropped: list[str] = []
    raw = ent.get("properties") or {}
    if not isinstance(raw, dict):
        raise ValueError("properties is not an object")
    for name, values in raw.items():
        vals = values if isinstance(values, list) else [values]
        texts = [str(v).strip() for v in vals if v is not None and not isinstance(v, (dict, list))]
        texts = [t for t in texts if t]
        if name not in known:
            dropped.append(f"unknown property {name!r} of {schema} dropped")
            continue
        if texts:
            props[name] = texts
    return eid, schema, props, dropped


def first(props: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        if props.get(name):
            return props[name][0]
    return None


def note_lines(props: dict[str, list[str]], used: set[str]) -> list[str]:
    return [f"{name}: {'; '.join(vals)}" for name, vals in sorted(props.items())
            if name not in used and name not in _NOTE_SKIP]
