"""FollowTheMoney in, pass 3: edge entities (Ownership, Directorship, Payment…) become links.

EdgeLinker is the part of ftm_in.FtmImporter that turns an edge between two entities of pass 2
into a CaseDesk link type, role and fields, and queues it on the importer's writer once.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from casedesk.domain.errors import ValidationError
from casedesk.services.exchange.ftm_drafts import NodeDrafter
from casedesk.services.exchange.ftm_mapping import EDGE_SCHEMATA
from casedesk.services.exchange.ftm_reading import first, note_lines
from casedesk.services.fields import LINK_FIELDS, clean_value, fields_of
from casedesk.services.importing.drafts import EntityDraft
from casedesk.services.importing.entities import LinkState, RowSpans
from casedesk.services.importing.resolve import RowResolver

_SHARE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%?\s*$")


class EdgeLinker(NodeDrafter):
    """Edges to links; the importer (ftm_in.FtmImporter) sets the state these methods share."""

    resolver: RowResolver
    drafts: dict[str, EntityDraft]
    line_ids: dict[int, str]
    missing: list[dict[str, Any]]
    links: int
    link_keys: dict[tuple[Any, ...], Any]
    case_links: dict[tuple[Any, ...], int] | None
    contract_parties: list[tuple[Any, Any, str, int]]
    rejects: list[dict[str, Any]]

    def reject(self, line: int, eid: str, schema: str, reason: str) -> None:
        """Refuse one entity, with its line, id, schema and why."""
        self.rejects.append({"line": line, "id": eid, "schema": schema, "reason": reason})

    def link_type(self, schema: str, props: dict[str, list[str]], src: Any, tgt: Any) -> tuple[str, str]:
        """(link type, role) for an edge between two resolved entities; ValueError with why not."""
        role = first(props, "role", "relationship") or ""
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
            role = first(props, "purpose") or ""
            named = (first(props, "summary") or "").strip().lower()  # a CaseDesk export's type
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
            ref = first(props, prop)
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
        if schema == "Payment" and (first(props, "summary") or "").strip().lower() in _PAYMENT_TYPES:
            used.add("summary")
        share = first(props, "percentage")
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
            value = first(props, *names)
            if value:
                try:
                    raw[field_name] = clean_value(_DATE, value, self.vocab)
                except ValidationError:
                    notes.append(f"{names[0]}: {value}")
        if props.get("amount"):
            cur = first(props, "currency") or ""
            notes.append(f"amount: {props['amount'][0]} {cur}".rstrip())
            used |= {"amount", "currency"}
        notes += note_lines(props, used)
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


_DATE = next(s for s in fields_of("contract") if s.name == "start_on")
_PAYMENT_TYPES = {"paid": "paid", "transferred to": "transferred_to"}
_SIGNATURE = ("role", "share_pct", "start_on", "end_on", "notes")
_SHARE_SPEC = next(s for s in LINK_FIELDS if s.name == "share_pct")
