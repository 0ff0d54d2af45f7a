"""FollowTheMoney out: a case as FtM entity JSON, one entity a line (the mappings: ftm_mapping).

Ids are made from the workspace's uuid and the record's or link's id, so two exports of the same
workspace give the same entity the same id (Aleph and OpenSanctions tooling merge on ids).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.services.audit import canonical_json
from casedesk.services.exchange.case_rows import CaseRows, ExportScope, kind_columns
from casedesk.services.exchange.ftm_mapping import (
    ALIAS_PROPERTY,
    ASSET_KEYWORD,
    LINK_EDGE,
    PARTY_SCHEMA,
    PERSON_SCHEME_PROPERTY,
    SCHEME_PROPERTY,
    UNKNOWN_EDGE,
    is_family,
)
from casedesk.services.exchange.output import AtomicFile, check_output
from casedesk.services.exchange.result import ExportResult
from casedesk.services.fields import fields_of
from casedesk.services.progress import Job, Progress

_PROGRESS_EVERY = 5000
# fields that go to FtM properties of their own, not into a datacenter/server summary
_OWN_PROPERTY = frozenset({"label", "notes", "tags", "sensitive", "address", "country", "city",
                           "latitude", "longitude"})


class FtmIds:
    """Stable FtM ids: the workspace's uuid (first 12 hex digits) plus the row's id."""

    def __init__(self, workspace_uuid: str):
        self.prefix = "cd-" + workspace_uuid.replace("-", "")[:12]

    def record(self, rid: int) -> str:
        return f"{self.prefix}-r{rid}"

    def link(self, lid: int) -> str:
        return f"{self.prefix}-l{lid}"

    def address(self, aid: int) -> str:
        return f"{self.prefix}-a{aid}"

    def identification(self, iid: int) -> str:
        return f"{self.prefix}-i{iid}"

    def award(self, cpid: int) -> str:
        return f"{self.prefix}-c{cpid}"


def entity(eid: str, schema: str, props: dict[str, Any]) -> dict[str, Any]:
    """An FtM entity dict: every value a string in a list, empty ones and repeats left out."""
    # The export's hot loop (about 8 properties per entity): the plain-string case goes first.
    clean: dict[str, list[str]] = {}
    for name, value in props.items():
        if value is None or value == "" or value == []:
            continue
        if type(value) is str:
            if value.strip():
                clean[name] = [value]
            continue
        out: list[str] = []
        for v in (value if isinstance(value, (list, tuple)) else (value,)):
            if v is None:
                continue
            text = v if type(v) is str else _text(v)
            if text.strip() and text not in out:
                out.append(text)
        if out:
            clean[name] = out
    return {"id": eid, "schema": schema, "properties": clean}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def facts_summary(kind: str, rec: dict[str, Any]) -> str:
    """The compute facts FtM has no property for, one 'Label: value' line each (read back on import)."""
    lines = []
    for spec in fields_of(kind):
        if spec.name in _OWN_PROPERTY:
            continue
        value = rec.get(spec.name)
        if value is None or value == "" or value == []:
            continue
        if spec.name == "count_qualifier" and value == "exact":
            continue
        shown = ", ".join(value) if isinstance(value, list) else _text(value)
        lines.append(f"{spec.label}: {shown}")
    if kind == "server" and rec.get("server_count") and rec.get("accelerators_per_server"):
        total = rec["server_count"] * rec["accelerators_per_server"]
        lines.append(f"Accelerators in total: {total}")
    return "\n".join(lines)


class FtmWriter:
    """Turns a case's rows into FtM entities (records first, then their addresses, then links)."""

    def __init__(self, rows: CaseRows, vocab: Vocabulary):
        self.rows = rows
        self.vocab = vocab
        self.ids = FtmIds(rows.workspace_uuid)
        self.kinds: dict[int, tuple[str, str | None]] = {}  # record id -> (kind, party kind)

    def record_entities(self, rec: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The entities one record becomes: itself, its addresses, identifications, contract awards."""
        kind = rec["kind"]
        rid = rec["id"]
        eid = self.ids.record(rid)
        self.kinds[rid] = (kind, rec.get("party_kind"))
        props: dict[str, Any] = {"notes": rec.get("notes"), "keywords": list(rec.get("tags") or [])}
        names: dict[str, list[str]] = {"alias": [], "previousName": [], "weakAlias": []}
        for a in rec.get("aliases", ()):
            names[ALIAS_PROPERTY.get(a["alias_kind"], "alias")].append(a["name"])
        addresses = rec.get("addresses", ())
        props["addressEntity"] = [self.ids.address(a["id"]) for a in addresses]
        props["address"] = [a["full"] for a in addresses]
        extra: list[dict[str, Any]] = []
        for a in addresses:
            extra.append(entity(self.ids.address(a["id"]), "Address", {
                "full": a["full"], "city": a["city"], "country": _country(a["country"]),
                "latitude": a["latitude"], "longitude": a["longitude"]}))
        if kind == "party":
            party_kind = rec.get("party_kind") or "company"
            schema = PARTY_SCHEMA.get(party_kind, "LegalEntity")
            person = schema == "Person"
            props.update(names)
            props["name"] = rec["label"]
            props["country" if person else "jurisdiction"] = _country(rec.get("country"))
            props["mainCountry"] = _country(rec.get("hq_country"))
            props["website"] = rec.get("website")
            props["description"] = rec.get("description")
            if party_kind not in ("company", "person", "organization", "public_body"):
                props["classification"] = party_kind
            for ident in rec.get("identifiers", ()):
                prop = SCHEME_PROPERTY.get(ident["scheme"])
                if prop is None and person:
                    prop = PERSON_SCHEME_PROPERTY.get(ident["scheme"])
                if prop is not None:
                    props.setdefault(prop, []).append(ident["value"])
                else:
                    extra.append(entity(self.ids.identification(ident["id"]), "Identification", {
                        "holder": eid, "type": ident["scheme"], "number": ident["value"],
                        "country": _country(ident["country"])}))
        elif kind == "wallet":
            schema = "CryptoWallet"
            chain = self.vocab.find_chain(rec["chain"]) if rec.get("chain") else None
            props.update(names)
            props["name"] = rec["label"]
            props["publicKey"] = rec["address"]
            props["currencySymbol"] = rec["chain"]
            props["blockchain"] = chain.label if chain is not None else rec["chain"]
            props["managingExchange"] = rec.get("custodian")
            if rec.get("illustrative"):
                props["keywords"].append("illustrative")
        elif kind in ASSET_KEYWORD:
            schema = "Asset"
            props.update(names)
            props["name"] = rec["label"]
            props["keywords"].append(ASSET_KEYWORD[kind])
            props["country"] = _country(rec.get("country"))
            if kind == "datacenter":
                parts = [rec.get("address") or "", rec.get("city") or ""]
                full = ", ".join(p for p in parts if p)
                if full and not addresses:
                    props["address"] = [full]
            props["summary"] = facts_summary(kind, rec)
        else:  # contract
            schema = "Contract"
            props.update(names)
            props["title"] = rec["label"]
            props["name"] = rec["label"]
            props["type"] = rec.get("contract_type")
            props["contractDate"] = rec.get("start_on")
            props["amount"] = rec.get("value_amount")
            props["currency"] = rec.get("currency")
            props["summary"] = facts_summary(kind, rec)
            for p in rec.get("parties", ()):
                extra.append(entity(self.ids.award(p["id"]), "ContractAward", {
                    "supplier": self.ids.record(p["party_id"]), "contract": eid,
                    "role": p["role"]}))
        yield entity(eid, schema, props)
        yield from extra

    def link_entity(self, link: dict[str, Any]) -> dict[str, Any]:
        """The FtM interval entity one link becomes."""
        lt = link["link_type"]
        src, tgt = self.ids.record(link["source_id"]), self.ids.record(link["target_id"])
        role = link.get("role") or ""
        dates = {"startDate": link.get("start_on"), "endDate": link.get("end_on"),
                 "description": link.get("notes")}
        if lt == "associate_of":
            schema, sp, tp = ("Family", "person", "relative") if is_family(role) else \
                ("Associate", "person", "associate")
            props = {sp: src, tp: tgt, "relationship": role, **dates}
        elif lt in LINK_EDGE:
            schema, sp, tp = LINK_EDGE[lt]
            props = {sp: src, tp: tgt, **dates}
            if schema == "Payment":
                props["purpose"] = role
                props["date"] = link.get("start_on")
                props["summary"] = self.vocab.link_types[lt].label if lt in self.vocab.link_types else lt
            else:
                props["role"] = role
            if schema == "Ownership" and link.get("share_pct") is not None:
                props["percentage"] = _text(link["share_pct"])
        else:
            schema, sp, tp = UNKNOWN_EDGE
            label = self.vocab.link_types[lt].label if lt in self.vocab.link_types else lt
            props = {sp: src, tp: tgt, "role": f"{label}: {role}" if role else label, **dates}
            if link.get("share_pct") is not None:
                props["status"] = f"share {_text(link['share_pct'])}%"
        return entity(self.ids.link(link["id"]), schema, props)


def _country(code: str | None) -> str | None:
    return code.lower() if code else None


def export_ftm(rows: CaseRows, out_path: str | Path, vocab: Vocabulary | None = None) -> Job[ExportResult]:
    """Write the scope's records and links as FtM JSON lines to out_path; returns the ExportResult."""
    target = check_output(out_path)
    writer = FtmWriter(rows, vocab or default_vocabulary())
    total = rows.count_records()
    yield Progress(0, total, "Writing FollowTheMoney entities…")
    records = links = entities = 0
    with AtomicFile(target) as out:
        buf: list[str] = []
        for rec in rows.records():
            for ent in writer.record_entities(rec):
                buf.append(canonical_json(ent))
                entities += 1
            records += 1
            if records % _PROGRESS_EVERY == 0:
                out.out.write(("\n".join(buf) + "\n").encode("utf-8", "surrogatepass"))
                buf = []
                yield Progress(records, total, f"Writing FollowTheMoney entities: {records:,} records")
        for link in rows.links():
            buf.append(canonical_json(writer.link_entity(link)))
            entities += 1
            links += 1
            if links % (_PROGRESS_EVERY * 4) == 0:
                out.out.write(("\n".join(buf) + "\n").encode("utf-8", "surrogatepass"))
                buf = []
                yield Progress(total, total, f"Writing FollowTheMoney entities: {links:,} links")
        if buf:
            out.out.write(("\n".join(buf) + "\n").encode("utf-8", "surrogatepass"))
        yield Progress(total, total, "Finishing the file…")
        sha = out.commit()
    return ExportResult("ftm", rows.scope.case_id, rows.scope.describe(), str(target), sha,
                        records, links, {"entities": entities})


__all__ = ["ExportScope", "FtmIds", "FtmWriter", "export_ftm", "entity", "facts_summary",
           "kind_columns"]
