"""FollowTheMoney entities as JSON lines (OpenSanctions exports, yente fixtures, FtM deltas).

When any line carries OpenSanctions' `target` flag, only targets become entries (the others are
their owners, addresses, sanctions… context); plain FtM files have no flag and every named
party becomes an entry. Sanction, Address, Identification/Passport and CryptoWallet entities
add programs, countries, identifiers and wallets to the party they point at.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from casedesk.domain.vocabulary import Vocabulary
from casedesk.services.screening.formats import (
    ListEntry,
    ParsedList,
    RowProblem,
    add_unique,
    country_code,
    latest_date,
    wallet_identifier,
)

PARTY_SCHEMAS = {
    "Person": "person", "Company": "organization", "Organization": "organization",
    "LegalEntity": "organization", "PublicBody": "organization", "Vessel": "vessel",
    "Airplane": "aircraft", "CryptoWallet": "wallet",
}
NAME_PROPS = (("name", "primary"), ("alias", "aka"), ("previousName", "fka"), ("weakAlias", "weak"))
ID_PROPS = {
    "innCode": "RU_INN", "ogrnCode": "RU_OGRN", "leiCode": "LEI", "uscCode": "CN_USCC",
    "registrationNumber": "COMPANY_NUMBER", "taxNumber": "TAX_NUMBER", "idNumber": "NATIONAL_ID",
    "passportNumber": "PASSPORT", "swiftBic": "BIC", "imoNumber": "IMO", "dunsCode": "DUNS",
    "isinCode": "ISIN",
}
COUNTRY_PROPS = ("country", "jurisdiction", "nationality", "citizenship", "mainCountry")


def read_ftm(path: Path, vocab: Vocabulary) -> ParsedList:
    """Read FtM JSON lines (one entity, or one {op, entity} delta, per line)."""
    problems: list[RowProblem] = []
    entities: dict[str, tuple[int, dict[str, Any]]] = {}
    any_target = False
    rows = 0
    dates: list[str] = []
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            rows += 1
            try:
                obj = json.loads(line)
            except ValueError as exc:
                problems.append(RowProblem(line_no, f"not valid JSON: {getattr(exc, 'msg', exc)}"))
                continue
            except RecursionError:  # [[[[…]]]] thousands deep: no entity is built like that
                problems.append(RowProblem(line_no, "not valid JSON: nested too deeply"))
                continue
            if isinstance(obj, dict) and "op" in obj and "entity" in obj:
                if obj["op"] == "DEL":
                    continue
                obj = obj["entity"]
            if not isinstance(obj, dict) or not isinstance(obj.get("schema"), str) \
                    or not isinstance(obj.get("id"), str):
                problems.append(RowProblem(line_no, "not a FollowTheMoney entity (needs id and schema)"))
                continue
            props = obj.get("properties")
            if not isinstance(props, dict):
                problems.append(RowProblem(line_no, "entity has no properties object"))
                continue
            # values are strings (numbers tolerated); null, objects and lists are no value
            obj["properties"] = {k: [str(v) for v in vals if isinstance(v, (str, int, float))
                                     and not isinstance(v, bool)]
                                 for k, vals in props.items() if isinstance(vals, list)}
            datasets_of = obj.get("datasets")
            obj["datasets"] = [str(d) for d in datasets_of] if isinstance(datasets_of, list) else []
            if "target" in obj:
                any_target = True
            entities[obj["id"]] = (line_no, obj)
            for key in ("last_change", "last_seen"):
                if isinstance(obj.get(key), str) and obj[key][:4].isdigit():
                    dates.append(obj[key][:10])
                    break
    entries: dict[str, ListEntry] = {}
    datasets: dict[str, int] = {}
    for ent_id, (line_no, obj) in entities.items():
        kind = PARTY_SCHEMAS.get(obj["schema"])
        if kind is None or (any_target and not obj.get("target")):
            continue
        props = obj["properties"]
        names = [(n, k) for prop, k in NAME_PROPS for n in props.get(prop, [])]
        if kind == "wallet":
            for addr in props.get("publicKey", []) + props.get("cryptoAddress", []):
                names.append((addr, "address"))
        primary = (obj.get("caption") if isinstance(obj.get("caption"), str) else "") or \
            (names[0][0] if names else "")
        if not primary.strip():
            problems.append(RowProblem(line_no, f"entity {ent_id} has no name"))
            continue
        e = ListEntry(key=ent_id, name=primary.strip(), line=line_no, entity_type=kind,
                      source_list=", ".join(obj.get("datasets", [])[:8]))
        for ds in obj.get("datasets", []):
            datasets[ds] = datasets.get(ds, 0) + 1
        for n, k in names:
            if n.strip() and n.strip() != e.name:
                add_unique(e.aliases, (n.strip(), "aka" if k == "primary" else k))
        for prop in COUNTRY_PROPS:
            for c in props.get(prop, []):
                add_unique(e.countries, country_code(c))
        for prop, scheme in ID_PROPS.items():
            for v in props.get(prop, []):
                add_unique(e.identifiers, (scheme, v, None))
        if kind == "wallet":
            chain = (props.get("currencySymbol") or props.get("blockchain") or ["?"])[0]
            for addr in props.get("publicKey", []) + props.get("cryptoAddress", []):
                add_unique(e.identifiers, wallet_identifier(vocab, chain, addr))
        for pid in props.get("programId", []):
            add_unique(e.programs, pid)
        e.remarks = "\n".join(props.get("notes", [])[:20])
        for prop in ("birthDate", "birthPlace", "address", "topics", "sourceUrl"):
            if props.get(prop):
                e.data[prop] = props[prop][:20]
        entries[ent_id] = e
    # Context entities pointing at an entry add what they know about it.
    for _ent_id, (_line, obj) in entities.items():
        props = obj["properties"]
        schema = obj["schema"]
        if schema == "Sanction":
            for target in props.get("entity", []):
                e = entries.get(target)
                if e is not None:
                    for p in props.get("program", []) + props.get("programId", []):
                        add_unique(e.programs, p)
                    for a in props.get("authority", []):
                        add_unique(e.data.setdefault("authorities", []), a)
        elif schema in ("Passport", "Identification"):
            for holder in props.get("holder", []):
                e = entries.get(holder)
                if e is not None:
                    scheme = "PASSPORT" if schema == "Passport" else "NATIONAL_ID"
                    country = country_code((props.get("country") or [""])[0])
                    for number in props.get("number", []) + props.get("passportNumber", []):
                        add_unique(e.identifiers, (scheme, number, country))
        elif schema == "CryptoWallet":
            chain = (props.get("currencySymbol") or props.get("blockchain") or ["?"])[0]
            for holder in props.get("holder", []):
                e = entries.get(holder)
                if e is not None:
                    for addr in props.get("publicKey", []) + props.get("cryptoAddress", []):
                        add_unique(e.identifiers, wallet_identifier(vocab, chain, addr))
        elif schema == "Address":
            pass  # addressEntity links below
    for e in entries.values():
        obj = entities[e.key][1]
        for addr_id in obj["properties"].get("addressEntity", []):
            addr = entities.get(addr_id)
            if addr is None:
                continue
            aprops = addr[1]["properties"]
            for full in aprops.get("full", []):
                add_unique(e.data.setdefault("addresses", []), full)
            for c in aprops.get("country", []):
                add_unique(e.countries, country_code(c))
    name = path.name.split(".")[0]
    return ParsedList("ftm", list(entries.values()), problems,
                      snapshot_date=latest_date(dates),
                      default_name=f"FtM {name}", rows=rows, files=[path])
