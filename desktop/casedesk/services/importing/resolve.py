"""Deduplication of an import in one place: each row's drafts against the file and the case.

Within the file, the same party, wallet or data center on many rows becomes one record (matched
on identifiers, wallet address or normalised name: FileIndex). Against the case (CaseIndex),
identifiers and wallet addresses match exactly and merge; names match fuzzily and become
suggestions a person decides on. What a later row adds to an entity is kept for the writer
(merge_later).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.domain.vocabulary import Vocabulary
from casedesk.services.importing.case_index import CaseIndex
from casedesk.services.importing.converting import RowConverter
from casedesk.services.importing.drafts import (
    MATCHED_KINDS,
    EntityDraft,
    Reject,
    RowDraft,
    draft_keys,
    draft_norm,
)
from casedesk.services.importing.entities import Entity, LinkState, RowSpans
from casedesk.services.importing.fuzzy_names import FuzzyScorer, NameNormalizer
from casedesk.services.importing.results import ImportOptions, Suggestion
from casedesk.services.importing.settings import ImportSettings
from casedesk.services.importing.writer import ImportWriter

# Links that record events (each row a separate transfer or payment) are never merged, even
# when two rows join the same two records.
EVENT_LINK_TYPES = frozenset({"transferred_to", "paid"})


class FileIndex:
    """The distinct entities seen so far in a file, by identifier, address and name."""

    def __init__(self, normalize: NameNormalizer, span_limit: int):
        self.normalize = normalize
        self.span_limit = span_limit
        self.by_key: dict[str, Entity] = {}

    def find(self, draft: EntityDraft) -> Entity | None:
        """The entity this draft is, if it was seen before (in the file or earlier in this row)."""
        if draft.entity is not None:
            return draft.entity
        if draft.kind not in MATCHED_KINDS:
            return None
        exact, name = draft_keys(draft, self.normalize)
        for k in exact:
            hit = self.by_key.get(k)
            if hit is not None:
                return hit
        if name is not None:
            hit = self.by_key.get(name)
            # Same name but a different value for the same identifier scheme: two bodies.
            if hit is not None and not (
                hit.ident_values
                and any(
                    hit.ident_values.get(i.scheme, i.value) != i.value for i in draft.identifiers
                )
            ):
                return hit
        return None

    def new(self, draft: EntityDraft, row: int) -> Entity:
        """A new entity for a draft (not yet registered)."""
        exact, name = draft_keys(draft, self.normalize)
        key = (
            exact[0]
            if exact
            else (
                name
                if name is not None and draft.kind in MATCHED_KINDS
                else f"{draft.kind}|row|{row}|{draft.key}"
            )
        )
        return Entity(
            key=key,
            kind=draft.kind,
            label=draft.label,
            party_kind=draft.party_kind,
            spans=RowSpans(row, self.span_limit),
            draft=draft,
            norm=draft.norm,
            ident_values={i.scheme: i.value for i in draft.identifiers}
            if draft.identifiers
            else None,
            known=draft.fields,
        )

    def register(self, ent: Entity, draft: EntityDraft) -> None:
        """Make an entity findable by every key of a draft describing it."""
        if ent.kind not in MATCHED_KINDS or draft.entity is not None:
            return
        exact, name = draft_keys(draft, self.normalize)
        for k in exact:
            self.by_key.setdefault(k, ent)
        if name is not None:
            self.by_key.setdefault(name, ent)
        if draft.shared:
            # find() would give this entity for the draft from now on: remember it
            draft.entity = self.find(draft)


_NOT_FILLED = frozenset({"label", "notes", "address", "match_key", "chain"})


def merge_later(ent: Entity, draft: EntityDraft, row: int, normalize: NameNormalizer) -> None:
    """Note what a later row adds to an entity: empty fields it fills, new names and identifiers.

    Conflicting values are kept as a note on the record rather than silently dropped.
    """
    notes = draft.fields.get("notes")
    if ent.kind == "wallet":
        # a wallet's label, chain and address are its key: only notes and custodian can add
        if not notes and len(draft.fields) <= 4 and not draft.aliases and not draft.identifiers:
            return
    extra = ent.extra
    if ent.kind != "wallet":
        norm = draft_norm(draft, normalize)
        if not ent.has_name(norm):
            ent.add_name(norm)
            extra = extra if extra is not None else {}
            extra.setdefault("aliases", []).append(draft.label)
        for alias in draft.aliases:
            n = normalize(alias.name)
            if not ent.has_name(n):
                ent.add_name(n)
                extra = extra if extra is not None else {}
                extra.setdefault("aliases", []).append(alias.name)
    for ident in draft.identifiers:
        if ent.ident_values is None:
            ent.ident_values = {}
        if ident.scheme not in ent.ident_values:
            ent.ident_values[ident.scheme] = ident.value
            extra = extra if extra is not None else {}
            extra.setdefault("identifiers", []).append(ident)
    for addr in draft.addresses:
        extra = extra if extra is not None else {}
        have = extra.setdefault("addresses", [])
        if addr.full not in [a.full for a in have]:
            have.append(addr)
    if draft.fields is not ent.known:
        for name, value in draft.fields.items():
            if name in _NOT_FILLED or value is None or value == "" or value == []:
                continue
            old = ent.known.get(name)
            if old is None or old == "" or old == []:
                if not ent.known_own:
                    ent.known = dict(ent.known)
                    ent.known_own = True
                ent.known[name] = value
                extra = extra if extra is not None else {}
                extra.setdefault("fields", {})[name] = value
            elif old != value:
                extra = extra if extra is not None else {}
                extra.setdefault("notes", []).append(
                    f"row {row} gives {name} {value!s:.80} (kept {old!s:.80})"
                )
    if notes:
        extra = extra if extra is not None else {}
        lines = extra.setdefault("notes", [])
        if len(lines) < 200:
            lines.append(f"row {row}: {notes}")
    ent.extra = extra


class RowResolver:
    """Resolves the valid rows of one import to entities and records, counting what it decides.

    With a writer (run_import) new records and links are queued on it; without one (the
    preview) their drafts are dropped once counted.
    """

    def __init__(
        self,
        session: Any,
        case_id: int,
        kinds: set[str],
        options: ImportOptions,
        decisions: dict[str, int | None],
        vocab: Vocabulary,
        settings: ImportSettings,
        converter: RowConverter,
        writer: ImportWriter | None,
    ):
        self.normalize = options.normalize
        self.keep_same_names = options.keep_same_names
        self.decisions = decisions
        self.vocab = vocab
        self.converter = converter  # its endpoint rule, remembered per combination of kinds
        self.writer = writer
        self.files = FileIndex(self.normalize, settings.locator_ranges)
        self.case = CaseIndex(
            session,
            case_id,
            kinds,
            normalize=self.normalize,
            threshold=options.threshold or settings.fuzzy_threshold,
            limit=settings.fuzzy_limit,
        )
        self.entities: list[Entity] = []
        self.fuzzy_queue: list[tuple[Entity, str]] = []
        self.scorer: FuzzyScorer | None = None  # scores batches of names beside the import
        self.link_states: dict[tuple[str, int, int], LinkState] = {}
        self.created: Counter[str] = Counter()
        self.merged = 0
        self.links = 0
        self.links_matched = 0

    def resolve(self, draft: RowDraft, cells: list[str]) -> RowDraft | Reject:
        """The row's drafts as entities of the file or records of the case, its links queued;
        or its rejection (a link the matched records cannot have)."""
        if len(draft.entities) == 1 and not draft.links:
            (ent_draft,) = draft.entities.values()
            return self._resolve_one(draft, ent_draft)
        row = draft.row
        local: dict[str, Entity] = {}
        fresh: list[tuple[Entity, EntityDraft]] = []
        row_keys: dict[str, Entity] = {}  # keys of the entities this row introduces
        several = len(draft.entities) > 1
        countries = self._row_countries(draft) if several else {}
        for key, ent_draft in draft.entities.items():
            ent = self.files.find(ent_draft)
            keys: list[str] = []
            if ent is None and several and ent_draft.kind in MATCHED_KINDS:
                # the same new party twice in one row (owner and operator): one entity
                exact, name = draft_keys(ent_draft, self.normalize)
                keys = exact + ([name] if name else [])
                ent = next((row_keys[k] for k in keys if k in row_keys), None)
            if ent is None:
                ent = self.files.new(ent_draft, row)
                self._decide(ent, self._with_row_country(ent_draft, countries))
                fresh.append((ent, ent_draft))
                row_keys.update((k, ent) for k in keys)
            local[key] = ent
        reasons = []
        for lk in draft.links:
            src, tgt = local[lk.source], local[lk.target]
            if src is tgt:
                reasons.append(
                    f"{lk.key}: the {lk.source} and the {lk.target} are the same {src.kind} "
                    f"{src.label[:60]!r}"
                )
                continue
            if src.existing or tgt.existing:
                lt = self.vocab.link_types[lk.type]
                s_pk = self.case.party_kinds.get(src.record_id) if src.existing else src.party_kind
                t_pk = self.case.party_kinds.get(tgt.record_id) if tgt.existing else tgt.party_kind
                if not self.converter.allows(lk.type, src.kind, s_pk, tgt.kind, t_pk):
                    which, pk = (src, s_pk) if src.existing else (tgt, t_pk)
                    reasons.append(
                        f"{lk.key}: {which.label[:60]!r} matches record {which.record_id}, "
                        f"a {pk or which.kind}, which cannot be linked by {lt.label!r}"
                    )
        if reasons:
            return Reject(row, tuple(cells), tuple(reasons))
        creating = {id(d) for _, d in fresh}
        for ent, ent_draft in fresh:
            self._take_new(ent, ent_draft, row)
        for key, ent_draft in draft.entities.items():
            ent = local[key]
            if id(ent_draft) not in creating:
                ent.spans.add(row)
                merge_later(ent, ent_draft, row, self.normalize)
            self.files.register(ent, ent_draft)
        for lk in draft.links:
            self._queue_link(lk.type, local[lk.source], local[lk.target], lk.fields, row)
        return draft

    def _row_countries(self, draft: RowDraft) -> dict[str, str]:
        """Name key → the country one of the row's same-named parties or data centers gives."""
        out: dict[str, str] = {}
        for ent_draft in draft.entities.values():
            country = ent_draft.fields.get("country")
            if country and ent_draft.kind in MATCHED_KINDS and ent_draft.kind != "wallet":
                name = draft_keys(ent_draft, self.normalize)[1]
                if name:
                    out.setdefault(name, country)
        return out

    def _with_row_country(self, ent_draft: EntityDraft, countries: dict[str, str]) -> EntityDraft:
        """The draft as matched against the case: with the country a same-named draft of its row gives.

        Owner, operator and end user of one server row with one name are one party; only the end
        user has a country column, and the merged party gets it, so the match with the case
        (same name and country) must see it too.
        """
        if ent_draft.fields.get("country") or not countries:
            return ent_draft
        name = draft_keys(ent_draft, self.normalize)[1]
        if not name or name not in countries:
            return ent_draft
        return replace(ent_draft, fields={**ent_draft.fields, "country": countries[name]})

    def _resolve_one(self, draft: RowDraft, ent_draft: EntityDraft) -> RowDraft:
        """resolve for the usual row of one record and no link, without its bookkeeping."""
        row = draft.row
        ent = self.files.find(ent_draft)
        if ent is None:
            ent = self.files.new(ent_draft, row)
            self._decide(ent, ent_draft)
            self._take_new(ent, ent_draft, row)
        else:
            ent.spans.add(row)
            merge_later(ent, ent_draft, row, self.normalize)
        self.files.register(ent, ent_draft)
        return draft

    def _take_new(self, ent: Entity, ent_draft: EntityDraft, row: int) -> None:
        """Count an entity first met on this row: a new record to insert, or a merge."""
        self.entities.append(ent)
        if ent.existing:
            # What the row says about an existing record is added to it (empty fields
            # filled, new names and identifiers, notes), never overwriting it.
            self.merged += 1
            ent.norm = self.normalize(self.case.labels[ent.record_id])
            ent.names, ent.known, ent.known_own = None, {}, True
            merge_later(ent, ent_draft, row, self.normalize)
            ent.draft = None
        else:
            self.created[ent.kind] += 1
            if (
                ent.kind in MATCHED_KINDS
                and ent_draft.name_key
                and self.case.name_keys.get(ent.kind)
            ):
                self.fuzzy_queue.append((ent, ent_draft.name_key))
            if self.writer is not None:
                self.writer.records.append(ent)
            else:
                ent.draft = None


    def _decide(self, ent: Entity, draft: EntityDraft) -> None:
        """Match a new incoming entity against the case and decide: merge or keep separate."""
        if ent.kind not in MATCHED_KINDS:
            return
        ent.candidates = self.case.match_exact(draft)
        if ent.key in self.decisions:
            target = self.decisions[ent.key]
            if target is not None and self.case.kinds.get(target) != ent.kind:
                raise ValidationError(
                    "merge",
                    f"record {target} is not a {ent.kind} of this case; run the preview again",
                )
        else:
            target = next(
                (
                    c.record_id
                    for c in ent.candidates
                    if c.exact or (c.same_country and not self.keep_same_names)
                ),
                None,
            )
        if target is not None:
            ent.existing = True
            ent.record_id = target

    def _queue_link(
        self, link_type: str, src: Entity, tgt: Entity, fields: dict[str, Any], row: int
    ) -> None:
        state = None
        if link_type not in EVENT_LINK_TYPES:
            key = (link_type, id(src), id(tgt))
            state = self.link_states.get(key)
            if state is not None:
                state.spans.add(row)
                return
            state = self.link_states[key] = LinkState(RowSpans(row, self.files.span_limit))
            if src.existing and tgt.existing:
                if self.writer is not None:
                    self.writer.wait_written()  # the case's links are read from the database
                existing = self.case.existing_link(link_type, src.record_id, tgt.record_id)
                if existing is not None:
                    state.link_id, state.existing = existing, True
                    self.links_matched += 1
                    return
        self.links += 1
        if self.writer is not None:
            self.writer.links.append((link_type, src, tgt, fields, row, state))

    def score_aside(self) -> None:
        """Hand the queued names to the background scorer (started on first use)."""
        if self.scorer is None:
            self.scorer = FuzzyScorer(self.case)
        queued, self.fuzzy_queue = self.fuzzy_queue, []
        self.scorer.submit(queued)

    def match_queued(self) -> None:
        """Score the queued new entities' names against the case (fuzzy suggestions)."""
        if self.scorer is not None:
            self.case.apply_fuzzy(self.scorer.finish())
            self.scorer = None
        queued, self.fuzzy_queue = self.fuzzy_queue, []
        self.case.match_fuzzy(queued)

    def close(self) -> None:
        """Stop background scoring (after a cancel or an error; results are dropped)."""
        if self.scorer is not None:
            self.scorer.cancel()
            self.scorer = None

    def suggestions(self) -> list[Suggestion]:
        """Every incoming entity with candidates in the case, with its decision."""
        self.match_queued()
        return [
            Suggestion(
                e.key,
                e.kind,
                e.label,
                e.spans.first,
                e.spans.count,
                e.candidates,
                e.record_id if e.existing else None,
            )
            for e in self.entities
            if e.candidates
        ]
