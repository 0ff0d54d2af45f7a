"""FollowTheMoney node entities as record drafts: names, aliases, kind, fields, identifiers, addresses."""

from __future__ import annotations

from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.services.exchange.ftm_mapping import (
    KEYWORD_KIND,
    PARTY_SCHEMATA,
    PROPERTY_SCHEME,
    SCHEMA_PARTY,
)
from casedesk.services.exchange.ftm_reading import first, note_lines
from casedesk.services.fields import clean_fields, clean_value, fields_of
from casedesk.services.importing.drafts import EntityDraft
from casedesk.services.records import (
    AddressIn,
    AliasIn,
    IdentifierIn,
    checked_identifier,
    prepare_wallet,
)

_COUNTRY = next(s for s in fields_of("party") if s.name == "country")


class NodeDrafter:
    """Drafts of node entities, with the Address and Identification entities attached to them."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.addresses: dict[str, AddressIn] = {}
        self.idents: dict[str, list[IdentifierIn]] = {}  # holder id -> identifications
        self.caption: str | None = None  # the entity's own caption, when the file gives one

    # attached entities -------------------------------------------------------------------
    def attach(self, schema: str, eid: str, props: dict[str, list[str]]) -> None:
        if schema == "Address":
            full = first(props, "full") or ", ".join(
                v for v in (first(props, "street"), first(props, "postalCode"), first(props, "city"),
                            first(props, "region"), first(props, "country")) if v)
            if full:
                self.addresses[eid] = AddressIn(full, first(props, "city") or "", first(props, "country"),
                                                as_float(first(props, "latitude")),
                                                as_float(first(props, "longitude")))
            return
        holder = first(props, "holder")
        number = first(props, "number")
        if holder and number:
            scheme = first(props, "type") or ("PASSPORT" if schema == "Passport" else "OTHER")
            self.idents.setdefault(holder, []).append(IdentifierIn(scheme, number, first(props, "country")))

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
            address = first(props, "publicKey", "cryptoAddress", "accountId")
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
            classification = first(props, "classification")
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
            chain_text = first(props, "currencySymbol", "blockchain")
            chain = self.vocab.find_chain(chain_text) if chain_text else None
            if chain is None and props.get("blockchain"):
                chain = self.vocab.find_chain(props["blockchain"][0])
            if chain is None:
                raise ValueError(f"crypto wallet on an unknown chain {chain_text!r}")
            raw.update({"chain": chain.code, "address": address,
                        "custodian": first(props, "managingExchange") or ""})
            if "illustrative" in keywords:
                raw["illustrative"] = True
            used |= {"publicKey", "cryptoAddress", "accountId", "currencySymbol", "blockchain",
                     "managingExchange"}
        else:
            facts = summary_facts(kind, props.get("summary") or [])
            raw.update(facts)
            used.add("summary")
            if kind == "datacenter" and "country" in props:
                raw["country"] = props["country"][0]
                used.add("country")
            if kind == "contract":
                used |= {"type", "contractDate", "amount", "currency"}
                ctype = first(props, "type")
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
        notes += note_lines(props, used)
        if notes:
            raw["notes"] = "\n".join(notes)
        fields = {k: v for k, v in clean_fields(kind, cleanable(kind, raw), self.vocab).items()
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


def cleanable(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
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


def summary_facts(kind: str, summaries: list[str]) -> dict[str, Any]:
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


def as_float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None
