"""FollowTheMoney out: a case as FtM entity JSON, one entity a line (the mappings: ftm_mapping).

Ids are made from the workspace's uuid and the record's or link's id, so two exports of the same
workspace give the same entity the same id (Aleph and OpenSanctions tooling merge on ids).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
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
from casedesk.services.fields import FieldSpec, fields_of
from casedesk.services.progress import Job, Progress

_PROGRESS_EVERY = 5000
# fields that go to FtM properties of their own, not into a datacenter/server summary
_OWN_PROPERTY = frozenset({"label", "notes", "tags", "sensitive", "address", "country", "city",
                           "latitude", "longitude"})
# the link columns FtM carries, link_entity's tuple (grade, times and version have no property)
FTM_LINK_COLUMNS = ("id", "link_type", "source_id", "target_id", "role", "share_pct", "start_on",
                     "end_on", "notes")


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


Props = dict[str, Any]


def _values(value: Any) -> list[str]:
    """A property's value as FtM strings: None, blank and repeated values left out."""
    if type(value) is str:
        return [value] if value.strip() else []
    out: list[str] = []
    for v in (value if isinstance(value, (list, tuple)) else (value,)):
        if v is None:
            continue
        text = v if type(v) is str else _text(v)
        if text.strip() and text not in out:
            out.append(text)
    return out


def entity(eid: str, schema: str, props: Props) -> dict[str, Any]:
    """An FtM entity dict: every value a string in a list, empty ones and repeats left out."""
    clean: dict[str, list[str]] = {}
    for name, value in props.items():
        if value is None or value == "" or value == []:
            continue
        out = _values(value)
        if out:
            clean[name] = out
    return {"id": eid, "schema": schema, "properties": clean}


def entity_line(eid: str, schema: str, props: Props, _q: Any = encode_basestring) -> str:
    """canonical_json(entity(eid, schema, props)), written directly: the export's hot loop.

    Sorted keys, no spaces, Unicode kept, as audit.canonical_json (_q is its string encoder);
    building the text here skips the dict per entity and the general encoder, about half the
    time (a test holds the two equal). Property names are FtM's (letters only), so sorting the
    written '"name":[…]' pairs sorts them by name.
    """
    parts: list[str] = []
    for name, value in props.items():
        if type(value) is str:  # the common case (about 8 properties per entity) goes first
            if value.strip():
                parts.append(f"{_q(name)}:[{_q(value)}]")
            continue
        if value is None or value == []:
            continue
        out = _values(value)
        if out:
            parts.append(f"{_q(name)}:[{','.join(map(_q, out))}]")
    parts.sort()
    return f'{{"id":{_q(eid)},"properties":{{{",".join(parts)}}},"schema":{_q(schema)}}}'


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def facts_summary(kind: str, rec: dict[str, Any]) -> str:
    """The compute facts FtM has no property for, one 'Label: value' line each (read back on import)."""
    lines = []
    for spec in _summary_fields(kind):
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


@cache
def _summary_fields(kind: str) -> tuple[FieldSpec, ...]:
    """The fields of a kind that facts_summary writes (those without an FtM property)."""
    return tuple(spec for spec in fields_of(kind) if spec.name not in _OWN_PROPERTY)


class FtmWriter:
    """Turns a case's rows into FtM entities (records first, then their addresses, then links)."""

    def __init__(self, rows: CaseRows, vocab: Vocabulary):
        self.rows = rows
        self.vocab = vocab
        self.ids = FtmIds(rows.workspace_uuid)
        self.labels: dict[str, str] = {}

    def record_entities(self, rec: dict[str, Any]) -> Iterator[tuple[str, str, Props]]:
        """The entities one record becomes, as (id, schema, properties) for entity or entity_line:
        itself, its addresses, identifications, contract awards."""
        kind = rec["kind"]
        rid = rec["id"]
        eid = self.ids.record(rid)
        props: dict[str, Any] = {"notes": rec.get("notes"), "keywords": list(rec.get("tags") or [])}
        names: dict[str, list[str]] = {"alias": [], "previousName": [], "weakAlias": []}
        for a in rec.get("aliases", ()):
            names[ALIAS_PROPERTY.get(a["alias_kind"], "alias")].append(a["name"])
        addresses = rec.get("addresses", ())
        props["addressEntity"] = [self.ids.address(a["id"]) for a in addresses]
        props["address"] = [a["full"] for a in addresses]
        extra: list[tuple[str, str, Props]] = []
        for a in addresses:
            extra.append((self.ids.address(a["id"]), "Address", {
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
                    extra.append((self.ids.identification(ident["id"]), "Identification", {
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
                extra.append((self.ids.award(p["id"]), "ContractAward", {
                    "supplier": self.ids.record(p["party_id"]), "contract": eid,
                    "role": p["role"]}))
        yield eid, schema, props
        yield from extra

    def link_entity(self, row: Sequence[Any]) -> tuple[str, str, Props]:
        """The FtM interval entity of one link (a row of FTM_LINK_COLUMNS): (id, schema, properties)."""
        lid, lt, source, target, role, share, start, end, notes = row
        prefix = self.ids.prefix
        src, tgt = f"{prefix}-r{source}", f"{prefix}-r{target}"
        role = role or ""
        if lt == "associate_of":
            schema, sp, tp = ("Family", "person", "relative") if is_family(role) else \
                ("Associate", "person", "associate")
            props = {sp: src, tp: tgt, "relationship": role, "startDate": start, "endDate": end,
                     "description": notes}
        elif lt in LINK_EDGE:
            schema, sp, tp = LINK_EDGE[lt]
            props = {sp: src, tp: tgt, "startDate": start, "endDate": end, "description": notes}
            if schema == "Payment":
                props["purpose"] = role
                props["date"] = start
                props["summary"] = self._label(lt)
            else:
                props["role"] = role
            if schema == "Ownership" and share is not None:
                props["percentage"] = _text(share)
        else:
            schema, sp, tp = UNKNOWN_EDGE
            label = self._label(lt)
            props = {sp: src, tp: tgt, "role": f"{label}: {role}" if role else label,
                     "startDate": start, "endDate": end, "description": notes}
            if share is not None:
                props["status"] = f"share {_text(share)}%"
        return f"{prefix}-l{lid}", schema, props

    def _label(self, link_type: str) -> str:
        """A link type's label (its code when the vocabulary does not know it), looked up once."""
        label = self.labels.get(link_type)
        if label is None:
            lt = self.vocab.link_types.get(link_type)
            label = self.labels[link_type] = lt.label if lt is not None else link_type
        return label


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
                buf.append(entity_line(*ent))
                entities += 1
            records += 1
            if records % _PROGRESS_EVERY == 0:
                out.out.write(("\n".join(buf) + "\n").encode("utf-8", "surrogatepass"))
                buf = []
                yield Progress(records, total, f"Writing FollowTheMoney entities: {records:,} records")
        for link in rows.link_rows(FTM_LINK_COLUMNS):
            buf.append(entity_line(*writer.link_entity(link)))
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


__all__ = ["ExportScope", "FtmIds", "FtmWriter", "export_ftm", "entity", "entity_line", "facts_summary",
           "kind_columns"]
