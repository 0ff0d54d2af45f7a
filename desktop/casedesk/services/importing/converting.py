"""Turning one row of cells into validated record and link drafts, or a rejection with reasons.

The mapping is compiled against the header once (getters per field); each row then goes through
named steps: its shape, its records, its links, the values the mapping does not place. Cells are
cleaned by cells.CellCleaner (cached, as the inspector would clean them).
"""

from __future__ import annotations

from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.domain.models import Address
from casedesk.services.importing.compiling import (
    ADDRESSES,
    ALIASES,
    CLEAN,
    FIXED,
    FIXED_WALLET,
    IDENTIFIERS,
    SERVER_COUNT,
    TEXT,
    WALLET_ADDRESS,
    WALLET_CHAIN,
    CompiledMapping,
)
from casedesk.services.importing.drafts import EntityDraft, LinkDraft, Reject, RowDraft
from casedesk.services.importing.mapping import RecordMap, Source, find_column
from casedesk.services.records import AliasIn


class RowConverter(CompiledMapping):
    """Converts the rows of one file under one mapping; built once per import."""

    def convert(self, row: int, cells: list[str]) -> RowDraft | Reject:
        """The drafts one row describes, or its rejection with every reason found."""
        shaped = self._shaped(row, cells)
        if isinstance(shaped, Reject):
            return shaped
        cells = shaped
        reasons: list[str] = []
        absent: list[str] = []  # keys of the optional records this row does not have
        entities = self._record_drafts(cells, reasons, absent)
        links = self._link_drafts(cells, entities, reasons)
        if reasons:
            return Reject(row, tuple(cells), tuple(reasons))
        self._keep_unplaced(cells, entities, links, absent)
        return RowDraft(row, entities, links)

    def _shaped(self, row: int, cells: list[str]) -> list[str] | Reject:
        """The row's cells, one per column; a Reject when their number or a length is wrong."""
        width = self.width
        if len(cells) != width:
            # A row with more or fewer cells than the header is nearly always broken quoting or a
            # wrong delimiter: importing it would put values into the wrong fields.
            extra = [c for c in cells[width:] if c.strip()]
            if len(cells) < width or extra:
                detail = f" (extra: {extra[0][:40]!r})" if extra else ""
                return Reject(
                    row,
                    tuple(cells),
                    (
                        f"the row has {len(cells)} cell{'s' if len(cells) != 1 else ''} but the header has "
                        f"{width} column{'s' if width != 1 else ''}{detail}; "
                        "check quotes and delimiters",
                    ),
                )
            cells = cells[:width]
        limit = self.settings.max_cell_chars
        if max(map(len, cells)) > limit:
            i = next(i for i, c in enumerate(cells) if len(c) > limit)
            return Reject(
                row,
                tuple(cells),
                (
                    f"{self.columns[i]}: the cell has {len(cells[i]):,} characters (the limit is {limit:,})",
                ),
            )
        return cells

    def _record_drafts(
        self, cells: list[str], reasons: list[str], absent: list[str]
    ) -> dict[str, EntityDraft]:
        """The row's records by mapping key (a repeat of earlier cells gets the same draft)."""
        entities: dict[str, EntityDraft] = {}
        for rec, label_getter, field_getters in self._records:
            label, label_col = label_getter(cells)
            if not label:
                if rec.required:
                    reasons.append(
                        f"{self._where(rec.fields['label'])}: a {rec.kind} name is required "
                        f"(the {rec.key} of the row)"
                    )
                else:
                    absent.append(rec.key)
                continue
            if len(label) > self.settings.max_label_chars:
                reasons.append(
                    f"{label_col or rec.key}: a name of {len(label):,} characters is too long "
                    f"(the limit is {self.settings.max_label_chars:,})"
                )
                continue
            memo = self._memos.get(rec.key)
            if memo is not None:
                memo_key = memo.key(cells)
                hit = memo.drafts.get(memo_key)
                if hit is not None:
                    memo.hits += 1
                    entities[rec.key] = hit
                    continue
                before = len(reasons)
            draft = EntityDraft(rec.key, rec.kind, {"label": label})
            wallet, chain_refused = self._fill_fields(draft, rec, field_getters, cells, reasons)
            if rec.kind == "wallet" and not chain_refused:
                # (a refused chain already has its reason: "no chain given" would be wrong)
                self._check_wallet(draft, rec, wallet, reasons)
            entities[rec.key] = draft
            if memo is not None and len(reasons) == before:
                memo.remember(memo_key, draft)
                if memo.useless():
                    del self._memos[rec.key]
        return entities

    def _fill_fields(
        self,
        draft: EntityDraft,
        rec: RecordMap,
        field_getters: list[Any],
        cells: list[str],
        reasons: list[str],
    ) -> tuple[dict[str, str], bool]:
        """Clean the record's fields into the draft; (wallet parts, whether the chain was refused)."""
        wallet: dict[str, str] = {}
        chain_refused = False  # the file gave a chain, but not one we know
        fields = draft.fields
        for name, _spec, getter, split, clean, code, idx, col in field_getters:
            if code >= FIXED:
                value = getter(cells)
                if isinstance(value, ValidationError):
                    reasons.append(f"{col or name}: {value.reason}")
                    chain_refused = code == FIXED_WALLET
                elif code == FIXED:
                    fields[name] = value
                else:
                    wallet[name] = value
                continue
            if idx >= 0:
                value = cells[idx].strip()
            else:
                try:
                    value, col = getter(cells)
                except ValidationError as exc:
                    reasons.append(f"{rec.key}.{name}: {exc.reason}")
                    continue
            if not value:
                continue
            if code == TEXT:
                fields[name] = value
                continue
            try:
                if code == CLEAN:
                    fields[name] = clean(value)
                elif code == ALIASES:
                    draft.aliases.extend(
                        AliasIn(p.strip()) for p in value.split(split) if p.strip()
                    )
                elif code == IDENTIFIERS:
                    draft.identifiers.extend(
                        self.cells.identifier(p.strip()) for p in value.split(split) if p.strip()
                    )
                elif code == ADDRESSES:
                    draft.addresses.extend(
                        Address(full=p.strip(), city="", country=None)
                        for p in value.split(split)
                        if p.strip()
                    )
                elif code == WALLET_CHAIN:
                    wallet[name] = clean(value)
                elif code == WALLET_ADDRESS:
                    wallet[name] = value
                elif code == SERVER_COUNT:
                    number, qualifier = self.cells.count_with_qualifier(value)
                    fields[name] = clean(number)
                    if qualifier and "count_qualifier" not in rec.fields:
                        fields["count_qualifier"] = qualifier
                else:
                    fields[name] = [p.strip() for p in value.split(split) if p.strip()]
            except ValidationError as exc:
                reasons.append(f"{col or name}: {exc.reason}")
                chain_refused = chain_refused or code == WALLET_CHAIN
        return wallet, chain_refused

    def _check_wallet(
        self, draft: EntityDraft, rec: RecordMap, wallet: dict[str, str], reasons: list[str]
    ) -> None:
        """Check the wallet's chain and address and put its normalised form into the draft."""
        if not wallet.get("chain"):
            reasons.append(
                f"{rec.key}: no chain given for the wallet (choose one, e.g. --chain ETH)"
            )
        elif not wallet.get("address"):
            reasons.append(f"{rec.key}: the wallet address is empty")
        else:
            try:
                checked = self.cells.wallet(wallet["chain"], wallet["address"])
            except ValidationError as exc:
                reasons.append(f"{self._where(rec.fields['address'])}: {exc.reason}")
            else:
                if draft.fields["label"] == wallet["address"]:
                    draft.fields["label"] = checked["address"]
                draft.fields.update(checked)

    def _link_drafts(
        self, cells: list[str], entities: dict[str, EntityDraft], reasons: list[str]
    ) -> list[LinkDraft]:
        """The row's links between its records, each checked against the vocabulary."""
        links: list[LinkDraft] = []
        for lk, field_getters in self._links:
            src, tgt = entities.get(lk.source), entities.get(lk.target)
            if src is None or tgt is None:
                continue
            lt = self.vocab.link_types[lk.type]
            if not self.allows(lk.type, src.kind, src.party_kind, tgt.kind, tgt.party_kind):
                reasons.append(
                    f"{lk.key}: a {src.party_kind or src.kind} ({src.label[:40]!r}) cannot be "
                    f"linked to a {tgt.party_kind or tgt.kind} ({tgt.label[:40]!r}) by {lt.label!r}"
                )
                continue
            fields: dict[str, Any] = {}
            for name, _spec, getter, clean in field_getters:
                col = ""
                try:
                    value, col = getter(cells)
                    if value:
                        fields[name] = clean(value)
                except ValidationError as exc:
                    reasons.append(f"{col or lk.key + '.' + name}: {exc.reason}")
            if "start_on" in fields and "end_on" in fields:
                from casedesk.domain.dates import parse_partial_date

                if (
                    parse_partial_date(fields["end_on"]).last_day()
                    < parse_partial_date(fields["start_on"]).first_day()
                ):
                    reasons.append(
                        f"{lk.key}: ends ({fields['end_on']}) before it starts ({fields['start_on']})"
                    )
            links.append(LinkDraft(lk.key, lk.type, lk.source, lk.target, fields))
        return links

    def _keep_unplaced(
        self,
        cells: list[str],
        entities: dict[str, EntityDraft],
        links: list[LinkDraft],
        absent: list[str],
    ) -> None:
        """Keep every value the mapping does not place: unmapped columns, and the columns of
        optional records this row does not have, become "column: value" notes."""
        notes_lines: list[str] = []
        for key in absent:
            notes_lines.extend(
                f"{self.columns[i]}: {cells[i].strip()}"
                for i in self._own_columns.get(key, ())
                if cells[i].strip()
            )
        if self._note_labels:
            notes_lines += [
                f"{head}{v}" for i, head in self._note_labels if (v := cells[i].strip())
            ]
        if notes_lines:
            self._add_notes(entities, links, "\n".join(notes_lines))

    def _where(self, sources: tuple[Source, ...]) -> str:
        for s in sources:
            for name in s.column_names():
                i = find_column(name, self.columns)
                if i is not None:
                    return self.columns[i]
        names = [n for s in sources for n in s.column_names()]
        return names[0] if names else "value"

    def _add_notes(
        self, entities: dict[str, EntityDraft], links: list[LinkDraft], text: str
    ) -> None:
        target = self.mapping.notes_target
        holder: dict[str, Any] | None = None
        for lk in links:
            if lk.key == target:
                holder = lk.fields
        if holder is None:
            # the notes' record; when it is absent from this row, the first record the row has
            key = target if target in entities else next(iter(entities))
            draft = entities[key]
            if draft.shared:  # other rows hold the same draft: this row gets its own copy
                draft = entities[key] = EntityDraft(
                    draft.key,
                    draft.kind,
                    dict(draft.fields),
                    draft.aliases,
                    draft.identifiers,
                    draft.addresses,
                )
            holder = draft.fields
        old = holder.get("notes") or ""
        holder["notes"] = f"{old}\n{text}" if old else text
