"""FollowTheMoney in: an FtM entity file into a case, through the CSV importer's dedupe and writer.

Three streamed passes over the file, so memory holds an index per entity, never the file:
1. index: every line parsed and checked (JSON, id, schema, properties); the OpenSanctions delta
   form ({"op": ADD|MOD|DEL, "entity": …}) resolved to each id's last word; nested entities
   flattened; Address, Identification and Passport entities kept for the entities they attach to.
2. nodes: people, companies, organizations, public bodies, legal entities, crypto wallets, and the
   assets and contracts CaseDesk exported become record drafts, deduplicated against the file and
   the case by importing.resolve (identifiers and wallet addresses merge, names are suggested).
3. edges: Ownership, Directorship, Employment, Membership, Representation, Payment, Family,
   Associate, UnknownLink and ContractAward become links between the records of pass 2.
The file is evidence; every record and link cites it with its entity id as locator. One
transaction; each entity refused gets its own reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, update

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import Citation
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.paths import resources_dir
from casedesk.services.cases import get_case
from casedesk.services.collector import few_gc_passes
from casedesk.services.evidence import parse_grade
from casedesk.services.exchange.ftm_mapping import (
    ATTACHED_SCHEMATA,
    EDGE_SCHEMATA,
    KEYWORD_KIND,
    PARTY_SCHEMATA,
    PROPERTY_SCHEME,
    SCHEMA_PARTY,
    SKIPPED_SCHEMATA,
)
from casedesk.services.fields import LINK_FIELDS, clean_fields, clean_value, fields_of
from casedesk.services.importing.drafts import EntityDraft, Reject
from casedesk.services.importing.entities import LinkState, RowSpans
from casedesk.services.importing.provenance import (
    add_import_evidence,
    finish_batch,
    hash_file,
    start_batch,
)
from casedesk.services.importing.resolve import RowResolver, merge_later
from casedesk.services.importing.results import ImportOptions, ImportResult
from casedesk.services.importing.settings import import_settings
from casedesk.services.importing.writer import ImportWriter, large_cache
from casedesk.services.progress import Job, Progress
from casedesk.services.records import (
    AddressIn,
    AliasIn,
    IdentifierIn,
    checked_identifier,
    prepare_wallet,
)
from casedesk.storage.workspace import Workspace

_PROGRESS_EVERY = 2000
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
class _Line:
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


def _check(ent: dict[str, Any]) -> tuple[str, str, dict[str, list[str]], list[str]]:
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


def _first(props: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        if props.get(name):
            return props[name][0]
    return None


def _note_lines(props: dict[str, list[str]], used: set[str]) -> list[str]:
    return [f"{name}: {'; '.join(vals)}" for name, vals in sorted(props.items())
            if name not in used and name not in _NOTE_SKIP]


_SHARE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%?\s*$")
_LINES = re.compile(r"(\d+)(?:\s*[–-]\s*(\d+))?")


@dataclass
class FtmImport:
    """What an FtM import did, beside the usual ImportResult."""

    result: ImportResult
    entities: int
    skipped: dict[str, int]
    rejects: list[dict[str, Any]]
    missing_references: list[dict[str, Any]]
    deltas: int
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {**self.result.as_json(), "format": "ftm", "entities": self.entities,
                "skipped": self.skipped, "rejects": self.rejects[:1000],
                "missing_references": self.missing_references[:1000], "delta_lines": self.deltas,
                "warnings": self.warnings[:1000]}


class _NoRule:
    """The converter seam RowResolver keeps; FtM links are checked here, not by a mapping."""

    def allows(self, *args: Any) -> bool:
        return True


class FtmImporter:
    """Turns checked FtM entities into drafts and links, through the importer's resolver."""

    def __init__(self, vocab: Vocabulary, resolver: RowResolver):
        self.vocab = vocab
        self.resolver = resolver
        self.addresses: dict[str, AddressIn] = {}
        self.idents: dict[str, list[IdentifierIn]] = {}  # holder id -> identifications
        self.drafts: dict[str, EntityDraft] = {}
        self.line_ids: dict[int, str] = {}
        self.rejects: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []
        self.missing: list[dict[str, Any]] = []
        self.links = 0
        self.caption: str | None = None  # the entity's own caption, when the file gives one
        self.link_keys: dict[tuple[Any, ...], Any] = {}
        self.case_links: dict[tuple[Any, ...], int] | None = None
        self.contract_parties: list[tuple[Any, Any, str, int]] = []

    def reject(self, line: int, eid: str, schema: str, reason: str) -> None:
        self.rejects.append({"line": line, "id": eid, "schema": schema, "reason": reason})

    # attached entities -------------------------------------------------------------------
    def attach(self, schema: str, eid: str, props: dict[str, list[str]]) -> None:
        if schema == "Address":
            full = _first(props, "full") or ", ".join(
                v for v in (_first(props, "street"), _first(props, "postalCode"), _first(props, "city"),
                            _first(props, "region"), _first(props, "country")) if v)
            if full:
                self.addresses[eid] = AddressIn(full, _first(props, "city") or "", _first(props, "country"),
                                                _float(_first(props, "latitude")),
                                                _float(_first(props, "longitude")))
            return
        holder = _first(props, "holder")
        number = _first(props, "number")
        if holder and number:
            scheme = _first(props, "type") or ("PASSPORT" if schema == "Passport" else "OTHER")
            self.idents.setdefault(holder, []).append(IdentifierIn(scheme, number, _first(props, "country")))

    # nodes -------------------------------------------------------------------------------
    def node_draft(self, eid: str, schema: str, props: dict[str, list[str]]) -> EntityDraft:
        """The record draft of a node entity; ValueError/ValidationError with the reason if it cannot be one."""
        used = {"name", "alias", "weakAlias", "previousName", "abbreviation", "notes", "keywords"}
        names = list(props.get("name") or [])
        if self.caption and self.caption in names:
            names.remove(self.caption)
            names.insert(0, self.caption)
        keywords = props.get("keywords") or []
        kind = "party"
        if schema in PARTY_SCHEMATA:
            kind = "party"
        elif schema == "CryptoWallet":
            kind = "wallet"
        elif schema == "Asset" and any(k in KEYWORD_KIND for k in keywords):
            kind = next(KEYWORD_KIND[k] for k in keywords if k in KEYWORD_KIND)
        elif schema == "Contract":
            kind = "contract"
            names = list(props.get("title") or []) + names
            used.add("title")
        else:
            raise ValueError(f"{schema} entities are not imported")
        aliases: list[AliasIn] = []
        if kind == "wallet":
            address = _first(props, "publicKey", "cryptoAddress", "accountId")
            if not address:
                raise ValueError("a crypto wallet without an address (publicKey/cryptoAddress)")
            label = names[0] if names else address
        else:
            if not names:
                raise ValueError(f"a {schema} without a name")
            label = names[0]
        for prop, kind_code in (("name", "aka"), ("alias", "aka"), ("abbreviation", "aka"),
                                ("weakAlias", "other"), ("previousName", "former")):
            for value in props.get(prop, ()):
                if value != label and all(a.name != value for a in aliases):
                    aliases.append(AliasIn(value, kind=kind_code))
        raw: dict[str, Any] = {"label": label}
        notes = list(props.get("notes") or [])
        if kind == "party":
            party_kind = SCHEMA_PARTY[schema]
            classification = _first(props, "classification")
            if classification and classification.lower().replace(" ", "_") in self.vocab.party_kinds:
                party_kind = classification.lower().replace(" ", "_")
                used.add("classification")
            raw["party_kind"] = party_kind
            countries = [c for p in (("country", "nationality", "citizenship", "jurisdiction")
                                     if party_kind == "person" else ("jurisdiction", "country"))
                         for c in props.get(p, ())]
            used |= {"country", "nationality", "citizenship", "jurisdiction", "mainCountry", "website",
                     "description"}
            if countries:
                raw["country"] = countries[0]
                more = sorted(set(countries[1:]) - {countries[0]})
                if more:
                    notes.append(f"other countries: {', '.join(more)}")
            if props.get("mainCountry"):
                raw["hq_country"] = props["mainCountry"][0]
            if props.get("website"):
                raw["website"] = props["website"][0]
            desc = [*props.get("description", ()), *props.get("summary", ())]
            if desc:
                raw["description"] = "\n".join(desc)
                used.add("summary")
        elif kind == "wallet":
            chain_text = _first(props, "currencySymbol", "blockchain")
            chain = self.vocab.find_chain(chain_text) if chain_text else None
            if chain is None and props.get("blockchain"):
                chain = self.vocab.find_chain(props["blockchain"][0])
            if chain is None:
                raise ValueError(f"crypto wallet on an unknown chain {chain_text!r}")
            raw.update({"chain": chain.code, "address": address,
                        "custodian": _first(props, "managingExchange") or ""})
            if "illustrative" in keywords:
                raw["illustrative"] = True
            used |= {"publicKey", "cryptoAddress", "accountId", "currencySymbol", "blockchain",
                     "managingExchange"}
        else:
            facts = _facts(kind, props.get("summary") or [])
            raw.update(facts)
            used.add("summary")
            if kind == "datacenter" and "country" in props:
                raw["country"] = props["country"][0]
                used.add("country")
            if kind == "contract":
                used |= {"type", "contractDate", "amount", "currency"}
                ctype = _first(props, "type")
                if ctype and ctype.lower().replace(" ", "_") in self.vocab.contract_types:
                    raw["contract_type"] = ctype.lower().replace(" ", "_")
                elif ctype:
                    notes.append(f"type: {ctype}")
                if props.get("contractDate") and "start_on" not in raw:
                    raw["start_on"] = props["contractDate"][0]
                if props.get("amount") and "value_amount" not in raw:
                    raw["value_amount"] = props["amount"][0]
                if props.get("currency") and "currency" not in raw:
                    raw["currency"] = props["currency"][0]
        tags = [k for k in keywords if k not in KEYWORD_KIND and k != "illustrative"]
        if tags:
            raw["tags"] = tags
        # identifiers: by scheme where FtM names it, then Identification/Passport entities
        idents = []
        seen: set[tuple[str, str]] = set()
        wanted = [(PROPERTY_SCHEME[p], v) for p in sorted(props) if p in PROPERTY_SCHEME
                  for v in props[p]] + [(i.scheme, i.value) for i in self.idents.get(eid, ())]
        used |= set(PROPERTY_SCHEME)
        for scheme, value in wanted:
            if kind != "party" and scheme != "OTHER":
                scheme = "OTHER"
            try:
                row = checked_identifier(IdentifierIn(scheme, value), self.vocab)
            except ValidationError:
                row = checked_identifier(IdentifierIn("OTHER", value), self.vocab)
            if (row.scheme, row.value) not in seen:
                seen.add((row.scheme, row.value))
                idents.append(row)
        addresses = [self.addresses[a] for a in props.get("addressEntity", ()) if a in self.addresses]
        known_full = {a.full for a in addresses}
        addresses += [AddressIn(t) for t in props.get("address", ()) if t not in known_full]
        notes += _note_lines(props, used)
        if notes:
            raw["notes"] = "\n".join(notes)
        fields = {k: v for k, v in clean_fields(kind, _cleanable(kind, raw), self.vocab).items()
                  if v is not None}
        if kind == "wallet":
            fields = prepare_wallet(fields)
        # countries of addresses are codes, like every other country (one it cannot read: none)
        addresses = [AddressIn(a.full, a.city, self._country(a.country), a.latitude, a.longitude)
                     for a in addresses]
        return EntityDraft(key="entity", kind=kind, fields=fields, aliases=aliases,
                           identifiers=idents, addresses=addresses, shared=True)

    def _country(self, text: str | None) -> str | None:
        if not text:
            return None
        try:
            return clean_value(_COUNTRY, text, self.vocab)
        except ValidationError:
            return None

    def _keys(self, eid: str, draft: EntityDraft) -> None:
        """The draft's dedupe keys, set before the resolver computes its own (drafts.draft_keys).

        Two differences from a CSV row, both because an FtM id already names one entity: within
        the file, entities merge on a shared identifier but never on a name alone (the name key
        is the entity id); and an OTHER identifier (FtM's KPP, OKPO… codes, shared by many
        companies) is no key at all. Matching against the case still uses the normalised name.
        """
        if draft.kind == "wallet":
            return
        draft.norm = self.resolver.normalize(draft.label)
        draft.name_key = " ".join(sorted(draft.norm.split()))
        draft.keys = ([f"{draft.kind}|id|{i.scheme}|{i.value}" for i in draft.identifiers
                       if i.scheme != "OTHER"], f"{draft.kind}|ftm|{eid}")

    def add_node(self, line: int, eid: str, schema: str, props: dict[str, list[str]]) -> None:
        from casedesk.services.importing.drafts import RowDraft

        try:
            draft = self.node_draft(eid, schema, props)
        except (ValueError, ValidationError) as exc:
            self.reject(line, eid, schema, str(exc))
            return
        earlier = self.drafts.get(eid)
        if earlier is not None and earlier.entity is not None:
            # another fragment of the same entity: what it adds goes to the same record
            merge_later(earlier.entity, draft, line, self.resolver.normalize)
            earlier.entity.spans.add(line)
            self.line_ids[line] = eid
            return
        self._keys(eid, draft)
        count = len(self.resolver.entities)
        self.resolver.resolve(RowDraft(line, {"entity": draft}, []), [])
        if draft.entity is None:  # kinds not matched within the file: the entity just made
            draft.entity = (self.resolver.entities[-1] if len(self.resolver.entities) > count
                            else self.resolver.files.find(draft))
        self.drafts[eid] = draft
        self.line_ids[line] = eid

    # edges -------------------------------------------------------------------------------
    def link_type(self, schema: str, props: dict[str, list[str]], src: Any, tgt: Any) -> tuple[str, str]:
        """(link type, role) for an edge between two resolved entities; ValueError with why not."""
        role = _first(props, "role", "relationship") or ""
        both_parties = src.kind == "party" and tgt.kind == "party"
        s_person = self._party_kind(src) == "person"
        t_person = self._party_kind(tgt) == "person"
        if schema == "Ownership":
            if tgt.kind in ("datacenter", "server", "wallet"):
                return "owns_asset", role
            return "owns", role
        if schema == "Directorship":
            return ("officer_of", role) if s_person else ("affiliate_of", f"director: {role}" if role else "director")
        if schema == "Employment":
            return ("employed_by", role) if s_person else ("affiliate_of", f"employee: {role}" if role else "employee")
        if schema == "Membership":
            return "affiliate_of", f"member: {role}" if role else "member"
        if schema == "Representation":
            return "intermediary_for", role
        if schema == "Payment":
            role = _first(props, "purpose") or ""
            named = (_first(props, "summary") or "").strip().lower()  # a CaseDesk export's type
            if named in _PAYMENT_TYPES:
                return _PAYMENT_TYPES[named], role
            return ("transferred_to" if src.kind == "wallet" and tgt.kind == "wallet" else "paid"), role
        if schema in ("Family", "Associate"):
            if not role:
                role = "family" if schema == "Family" else "associate"
            return ("associate_of", role) if s_person and t_person else ("affiliate_of", role)
        if schema == "ContractAward":
            return "contract_party", role
        # UnknownLink: a CaseDesk export names its link type in the role
        head, _, rest = role.partition(": ")
        for code, lt in self.vocab.link_types.items():
            if head.strip().lower() in (code, lt.label.lower()):
                return code, rest.strip() if _ else ""
        if both_parties:
            return "affiliate_of", role
        raise ValueError(f"no CaseDesk link type for an UnknownLink {role!r} from a {src.kind} "
                         f"to a {tgt.kind}")

    def _party_kind(self, ent: Any) -> str | None:
        if ent.kind != "party":
            return None
        if ent.existing:
            return self.resolver.case.party_kinds.get(ent.record_id)
        return ent.party_kind

    def add_edge(self, line: int, eid: str, schema: str, props: dict[str, list[str]]) -> None:
        sp, tp = EDGE_SCHEMATA[schema]
        ends = []
        for prop in (sp, tp):
            ref = _first(props, prop)
            if ref is None:
                self.reject(line, eid, schema, f"no {prop}")
                return
            draft = self.drafts.get(ref)
            if draft is None or draft.entity is None:
                self.missing.append({"line": line, "id": eid, "schema": schema, "property": prop,
                                     "refers_to": ref})
                self.reject(line, eid, schema, f"its {prop} {ref!r} is not an entity of the file "
                            "that could be imported")
                return
            ends.append(draft.entity)
        src, tgt = ends
        if src is tgt:
            self.reject(line, eid, schema, "both ends are the same record")
            return
        try:
            link_type, role = self.link_type(schema, props, src, tgt)
        except ValueError as exc:
            self.reject(line, eid, schema, str(exc))
            return
        if link_type == "contract_party":
            if tgt.kind != "contract" or src.kind not in ("party", "wallet"):
                self.reject(line, eid, schema, "a contract award joins a party or wallet to a contract")
                return
            self.contract_parties.append((tgt, src, role or "other", line))
            self.line_ids[line] = eid
            return
        lt = self.vocab.link_types[link_type]
        if not lt.allows(src.kind, self._party_kind(src), tgt.kind, self._party_kind(tgt)):
            self.reject(line, eid, schema, f"a {self._party_kind(src) or src.kind} cannot be linked "
                        f"to a {self._party_kind(tgt) or tgt.kind} by {lt.label!r}")
            return
        used = {sp, tp, "role", "relationship", "purpose", "startDate", "endDate", "date",
                "percentage", "description"}
        raw: dict[str, Any] = {"role": role}
        if schema == "Payment" and (_first(props, "summary") or "").strip().lower() in _PAYMENT_TYPES:
            used.add("summary")
        share = _first(props, "percentage")
        notes = list(props.get("description") or [])
        if share is not None:
            m = _SHARE.match(share)
            try:  # bounded as everywhere (resources/field_bounds.yaml); else kept as a note
                raw["share_pct"] = clean_value(_SHARE_SPEC, m.group(1).replace(",", "."), self.vocab) if m else None
            except ValidationError:
                raw["share_pct"] = None
            if raw["share_pct"] is None:
                notes.append(f"percentage: {share}")
        for field_name, names in (("start_on", ("startDate", "date")), ("end_on", ("endDate",))):
            value = _first(props, *names)
            if value:
                try:
                    raw[field_name] = clean_value(_DATE, value, self.vocab)
                except ValidationError:
                    notes.append(f"{names[0]}: {value}")
        if props.get("amount"):
            cur = _first(props, "currency") or ""
            notes.append(f"amount: {props['amount'][0]} {cur}".rstrip())
            used |= {"amount", "currency"}
        notes += _note_lines(props, used)
        if notes:
            raw["notes"] = "\n".join(notes)
        fields = {k: v for k, v in raw.items() if v not in (None, "")}
        self._queue(link_type, src, tgt, fields, line)
        self.links += 1
        self.line_ids[line] = eid

    def _case_links(self) -> dict[tuple[Any, ...], int]:
        """The case's links by (type, ends, role, share, dates), read once when first needed."""
        if self.case_links is None:
            from casedesk.domain.models import Link

            t = Link.__table__.c
            self.case_links = {
                (lt, a, b, *rest): lid for lid, lt, a, b, *rest in self.resolver.writer.session.execute(
                    select(t.id, t.link_type, t.source_id, t.target_id, *[t[k] for k in _SIGNATURE])
                    .where(t.case_id == self.resolver.writer.case_id))}
        return self.case_links

    def _queue(self, link_type: str, src: Any, tgt: Any, fields: dict[str, Any], line: int) -> None:
        """Queue a link on the import's writer; the same edge twice (type, ends, fields) is one link.

        Unlike CSV rows, two FtM edges between the same records with different dates or shares are
        two facts (ownership over time) and stay two links; a plain relation the case already has
        is matched, not added again.
        """
        res = self.resolver
        key = (link_type, id(src), id(tgt), tuple(sorted(fields.items())))
        state = self.link_keys.get(key)
        if state is not None:
            state.spans.add(line)
            return
        state = self.link_keys[key] = res.link_states[key] = LinkState(RowSpans(line, res.files.span_limit))
        if src.existing and tgt.existing:
            existing = self._case_links().get(
                (link_type, src.record_id, tgt.record_id,
                 *(fields.get(k) or "" if k in ("role", "notes") else fields.get(k) for k in _SIGNATURE)))
            if existing is not None:
                state.link_id, state.existing = existing, True
                res.links_matched += 1
                return
        res.links += 1
        res.writer.links.append((link_type, src, tgt, fields, line, state))


_PAYMENT_TYPES = {"paid": "paid", "transferred to": "transferred_to"}
_SIGNATURE = ("role", "share_pct", "start_on", "end_on", "notes")
_DATE = next(s for s in fields_of("contract") if s.name == "start_on")
_COUNTRY = next(s for s in fields_of("party") if s.name == "country")
_SHARE_SPEC = next(s for s in LINK_FIELDS if s.name == "share_pct")


def _cleanable(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Fields whose values fail their check move to the notes instead of refusing the entity."""
    specs = {s.name: s for s in fields_of(kind)}
    out, notes = {}, []
    vocab = default_vocabulary()
    for name, value in raw.items():
        spec = specs.get(name)
        if spec is None:
            continue
        try:
            clean_value(spec, value, vocab)
            out[name] = value
        except ValidationError:
            if spec.required:
                raise
            notes.append(f"{spec.label}: {value}")
    if notes:
        out["notes"] = "\n".join(filter(None, [out.get("notes", ""), *notes]))
    return out


def _facts(kind: str, summaries: list[str]) -> dict[str, Any]:
    """Fields read back from 'Label: value' lines of a CaseDesk export's summary."""
    by_label = {s.label.lower(): s.name for s in fields_of(kind)}
    out: dict[str, Any] = {}
    for text in summaries:
        for line in text.splitlines():
            label, sep, value = line.partition(": ")
            name = by_label.get(label.strip().lower())
            if sep and name and value.strip():
                out[name] = value.strip()
    return out


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _add_contract_parties(session: Any, case_id: int, batch_id: int,
                          items: list[tuple[Any, Any, str, int]]) -> None:
    """ContractAward entities: parties of contracts (a contract's own rows, not links), audited."""
    from casedesk.domain.models import ContractParty
    from casedesk.services.audit import record_audit_bulk
    from casedesk.services.bulk import allocate_ids
    from casedesk.storage.bulkinsert import insert_tuples

    seen: set[tuple[int, int, str]] = set()
    rows = []
    for contract, party, role, _line in items:
        key = (contract.record_id, party.record_id, role)
        if key not in seen:
            seen.add(key)
            rows.append(key)
    if not rows:
        return
    ids = allocate_ids(session, ContractParty.__table__, len(rows))
    insert_tuples(session, ContractParty.__table__, ["id", "contract_id", "party_id", "role"],
                  [(i, *r) for i, r in zip(ids, rows)])
    record_audit_bulk(session, [("create", "contract_party", i, case_id, c, None,
                                 {"contract_id": c, "party_id": p, "role": r, "import_batch": batch_id})
                                for i, (c, p, r) in zip(ids, rows)])


def _relocate(session: Any, evidence_id: int, line_ids: dict[int, str]) -> None:
    """Citations of this import name entity ids (not file lines) as their locators."""
    updates = []
    for cid, locator in session.execute(
            select(Citation.id, Citation.locator).where(Citation.evidence_id == evidence_id)):
        ids: list[str] = []
        for m in _LINES.finditer(locator or ""):
            first = int(m.group(1))
            last = int(m.group(2)) if m.group(2) else first
            for n in range(first, min(last, first + 10000) + 1):
                eid = line_ids.get(n)
                if eid is not None and eid not in ids:
                    ids.append(eid)
        if ids:
            text = ("entity " if len(ids) == 1 else "entities ") + ", ".join(ids[:50])
            if len(ids) > 50:
                text += f" and {len(ids) - 50} more"
            updates.append({"cid": cid, "loc": text})
    if updates:
        session.execute(update(Citation.__table__).where(Citation.__table__.c.id == bindparam("cid"))
                        .values(locator=bindparam("loc")), updates)


def run_ftm_import(ws: Workspace, case_id: int, path: str | Path, *,
                   options: ImportOptions | None = None,
                   vocab: Vocabulary | None = None) -> Job[FtmImport]:
    """Import an FtM entity file into a case in one transaction; returns the FtmImport."""
    options = options or ImportOptions()
    vocab = vocab or default_vocabulary()
    parse_grade(options.grade)
    path = Path(path)
    if not path.is_file():
        raise ValidationError("file", f"{path} is not a file")
    size = path.stat().st_size
    ftm = FtmFile(path)
    # pass 1: the index (each id's final lines; deleted ids), attached entities kept aside
    yield Progress(0, size, f"Reading {path.name}…")
    index: dict[str, _Line | None] = {}
    attached: dict[str, tuple[str, dict[str, list[str]]]] = {}
    skipped: dict[str, int] = {}
    warnings: list[dict[str, Any]] = []
    early_rejects: list[dict[str, Any]] = []
    count = 0
    for n, op, ent in ftm.entities(report=True):
        count += 1
        if ent is None:
            continue
        if op == "DEL":
            index[ent["id"]] = None
            attached.pop(ent["id"], None)
            continue
        try:
            eid, schema, props, dropped = _check(ent)
        except ValueError as exc:
            early_rejects.append({"line": n, "id": ent.get("id") if isinstance(ent.get("id"), str) else "",
                                  "schema": str(ent.get("schema", "")), "reason": str(exc)})
            continue
        for d in dropped:
            warnings.append({"line": n, "id": eid, "warning": d})
        entry = index.get(eid)
        if entry is None or ftm.deltas:  # a delta's later word replaces the earlier one
            index[eid] = _Line(schema, [n])
        else:
            entry.lines.append(n)  # fragments of one entity (flat files): merged
        if schema in ATTACHED_SCHEMATA:
            attached[eid] = (schema, props)
        if count % (_PROGRESS_EVERY * 10) == 0:
            yield Progress(0, size, f"Reading {path.name}: {count:,} entities")
    for line, eid, reason in ftm.problems:
        early_rejects.append({"line": line, "id": eid, "schema": "", "reason": reason})
    if not index:
        raise ValidationError("file", f"{path.name} holds no FollowTheMoney entities"
                              + (f" (line {early_rejects[0]['line']}: {early_rejects[0]['reason']})"
                                 if early_rejects else ""))
    yield Progress(0, size, f"Hashing {path.name}…")
    sha256, fsize = hash_file(path)
    settings = import_settings()
    imp: FtmImporter | None = None
    with ws.write(defer_checkpoint=True) as s, few_gc_passes():
        get_case(s, case_id)
        large_cache(s)
        evidence_id = add_import_evidence(
            s, case_id, path, sha256, fsize, grade=options.grade,
            title=options.title or f"Import of {path.name}",
            source=options.source or f"{path.name}, FollowTheMoney entities")
        batch_id = start_batch(s, case_id, evidence_id, path, sha256,
                               {"format": "ftm", "grade": options.grade.upper(),
                                "delta_lines": ftm.deltas})
        writer = ImportWriter(s, case_id, evidence_id, batch_id, path.name, options.normalize)
        resolver = RowResolver(s, case_id, {"party", "wallet", "datacenter", "server", "contract"},
                               options, {}, vocab, settings, _NoRule(), writer)  # type: ignore[arg-type]
        imp = FtmImporter(vocab, resolver)
        imp.rejects.extend(early_rejects)
        try:
            for eid, (schema, props) in attached.items():
                imp.attach(schema, eid, props)

            def final(n: int, ent: dict[str, Any]) -> tuple[str, str, dict[str, list[str]]] | None:
                eid = ent.get("id")
                entry = index.get(eid) if isinstance(eid, str) else None
                if entry is None or n not in entry.lines:
                    return None
                try:
                    eid, schema, props, _ = _check(ent)
                except ValueError:
                    return None
                return eid, schema, props

            # pass 2: nodes
            for n, op, ent in ftm.entities(report=False):
                if op == "DEL" or ent is None or (item := final(n, ent)) is None:
                    continue
                eid, schema, props = item
                if schema in EDGE_SCHEMATA or schema in ATTACHED_SCHEMATA:
                    continue
                if schema in SKIPPED_SCHEMATA:
                    skipped[schema] = skipped.get(schema, 0) + 1
                    continue
                imp.caption = ent.get("caption") if isinstance(ent.get("caption"), str) else None
                imp.add_node(n, eid, schema, props)
                if len(imp.drafts) % _PROGRESS_EVERY == 0:
                    writer.flush()
                    yield Progress(n, None, f"Importing {path.name}: {len(imp.drafts):,} records")
            writer.flush()
            # pass 3: edges
            for n, op, ent in ftm.entities(report=False):
                if op == "DEL" or ent is None or (item := final(n, ent)) is None:
                    continue
                eid, schema, props = item
                if schema not in EDGE_SCHEMATA:
                    continue
                imp.add_edge(n, eid, schema, props)
                if imp.links % (_PROGRESS_EVERY * 5) == 0:
                    writer.flush()
                    yield Progress(n, None, f"Importing {path.name}: {imp.links:,} links")
            writer.flush()
            if not resolver.entities and not imp.links:
                first = imp.rejects[0] if imp.rejects else None
                where = f" (first: line {first['line']}: {first['reason']})" if first else ""
                raise ValidationError("file", f"none of the entities of {path.name} can be imported, "
                                      f"nothing was written{where}")
            yield Progress(size, size, "Comparing names with the case…")
            resolver.match_queued()
            yield Progress(size, size, "Citing the evidence…")
            writer.finish(resolver.entities, resolver.link_states)
            _add_contract_parties(s, case_id, batch_id, imp.contract_parties)
            _relocate(s, evidence_id, imp.line_ids)
            counts = {"rows": count, "valid": len(imp.line_ids), "rejected": len(imp.rejects),
                      "created": sum(resolver.created.values()), "created_by_kind": dict(resolver.created),
                      "merged": resolver.merged, "links": resolver.links,
                      "links_matched": resolver.links_matched, "citations": writer.citations,
                      "skipped": skipped, "missing_references": len(imp.missing)}
            finish_batch(s, case_id, batch_id, counts)
            yield Progress(size, size, "Committing…")
        finally:
            resolver.close()
    result = ImportResult(
        batch_id=batch_id, case_id=case_id, evidence_id=evidence_id, sha256=sha256,
        filename=path.name, rows=count, valid=len(imp.line_ids), rejected=len(imp.rejects),
        created=sum(resolver.created.values()), created_by_kind=dict(resolver.created),
        merged=resolver.merged, links=resolver.links, links_matched=resolver.links_matched,
        citations=writer.citations, suggestions=resolver.suggestions(), rejects_path=None,
        rejects_sample=[Reject(r["line"], (r["id"],), (f"{r['schema'] or 'entity'} {r['id']}: {r['reason']}",))
                        for r in imp.rejects[:settings.preview_rows]])
    return FtmImport(result, count, skipped, imp.rejects, imp.missing, ftm.deltas, warnings)
