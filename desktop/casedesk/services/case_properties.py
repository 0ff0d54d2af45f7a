"""A case's properties (reference, client, classification marking): what they are, checked, set.

What the properties are is data, resources/vocab/case_properties.yaml; values are one line of
text each, at most the property's limit, stored in case.properties (a JSON object).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy.orm import Session

from casedesk.domain.clock import now_iso
from casedesk.domain.errors import NotFoundError, ValidationError
from casedesk.domain.models import Case
from casedesk.paths import resources_dir
from casedesk.services.audit import record_audit
from casedesk.storage.workspace import changes_of


@dataclass(frozen=True)
class CaseProperty:
    """One property a case can have."""

    name: str
    label: str
    description: str
    limit: int
    suggestions: tuple[str, ...]


@lru_cache(maxsize=1)
def case_properties() -> tuple[CaseProperty, ...]:
    """The properties, in the order New case asks for them and the dossier cover prints them."""
    data = yaml.safe_load((resources_dir() / "vocab" / "case_properties.yaml").read_text(encoding="utf-8"))
    return tuple(CaseProperty(name, str(p["label"]), str(p.get("description", "")), int(p.get("limit", 200)),
                              tuple(str(x) for x in p.get("suggestions") or ()))
                 for name, p in data["properties"].items())


def clean_properties(raw: dict[str, Any] | None) -> dict[str, str]:
    """Properties checked: known names, one line each (spaces collapsed), within the limit; blanks dropped."""
    specs = {p.name: p for p in case_properties()}
    out: dict[str, str] = {}
    for name, value in (raw or {}).items():
        spec = specs.get(name)
        if spec is None:
            raise ValidationError(name, f"cases have no property {name!r} (one of {', '.join(specs)})")
        line = " ".join(str(value if value is not None else "").split())
        if len(line) > spec.limit:
            raise ValidationError(name, f"{spec.label.lower()} is at most {spec.limit} characters "
                                  f"(this one has {len(line)})")
        if line:
            out[name] = line
    return out


def set_case_properties(session: Session, case_id: int, raw: dict[str, Any]) -> dict[str, str]:
    """Replace the given properties of a case (blank removes one); audited; returns them all."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError(f"no case with id {case_id}")
    cleaned = clean_properties(raw)
    before = dict(case.properties or {})
    after = {k: v for k, v in before.items() if k not in raw} | cleaned
    if after != before:
        case.properties = after
        case.updated_at = now_iso()
        session.flush()
        record_audit(session, "update", "case", case_id, case_id=case_id, before={"properties": before},
                     after={"properties": after})
        changes_of(session).add("updated", "case", case_id)
    return after
