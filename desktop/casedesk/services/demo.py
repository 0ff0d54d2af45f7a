"""The built-in demo case, loaded from resources/demo/demo_case.yaml through the ordinary services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import Case
from casedesk.paths import resources_dir
from casedesk.services.cases import create_case
from casedesk.services.evidence import add_event, attach_evidence, cite
from casedesk.services.links import add_link
from casedesk.services.records import AliasIn, RecordIn, add_contract_party, create_record


def demo_case_path() -> Path:
    """Where the demo case file lives."""
    return resources_dir() / "demo" / "demo_case.yaml"


def load_demo_case(session: Session, path: Path | None = None) -> Case:
    """Create the demo case (records, links, evidence, citations, events) in the caller's transaction."""
    data: dict[str, Any] = yaml.safe_load((path or demo_case_path()).read_text(encoding="utf-8"))
    case = create_case(session, data["case"]["title"], data["case"].get("description", ""))
    evidence: dict[str, int] = {}
    for key, ev in data["evidence"].items():
        evidence[key] = attach_evidence(
            session, case.id, ev["content"].encode("utf-8"), title=ev["title"], grade=ev["grade"],
            kind=ev.get("kind", "report"), source=ev.get("source", ""), author=ev.get("author", ""),
            source_date=ev.get("date"), filename=f"{key}.txt", media_type="text/plain").id
    records: dict[str, int] = {}
    for key, rec in data["records"].items():
        fields = {"label": rec["label"], **rec.get("fields", {})}
        for name in ("notes", "tags"):
            if name in rec:
                fields[name] = rec[name]
        try:
            created = create_record(session, case.id, RecordIn(
                kind=rec["kind"], fields=fields,
                aliases=[AliasIn(a["name"], a.get("script", ""), a.get("language", ""), a.get("kind", "aka"))
                         for a in rec.get("aliases", [])]))
        except ValidationError as exc:
            raise ValidationError(exc.field, f"demo record {key}: {exc.reason}") from None
        records[key] = created.id
        for party_key, role in rec.get("parties", []):
            add_contract_party(session, created.id, records[party_key], role)
        for ev_key, locator in rec.get("cite", []):
            cite(session, evidence[ev_key], record_id=created.id, locator=locator)
    for source, link_type, target, fields, (ev_key, locator) in data["links"]:
        link = add_link(session, case.id, link_type, records[source], records[target], **fields)
        cite(session, evidence[ev_key], link_id=link.id, locator=locator)
    for ev in data.get("events", []):
        add_event(session, case.id, ev["title"], str(ev["date"]),
                  record_id=records[ev["record"]] if ev.get("record") else None,
                  description=f"Source: {data['evidence'][ev['evidence']]['title']}" if ev.get("evidence") else "")
    return case
