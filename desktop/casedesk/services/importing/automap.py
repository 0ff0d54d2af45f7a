"""Guessing a mapping from a file's headers: the best-fitting preset, or fields by header similarity."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from casedesk.domain.errors import ValidationError
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.services.fields import fields_of
from casedesk.services.importing.mapping import (
    CHILD_FIELDS,
    Mapping,
    Parameter,
    RecordMap,
    Source,
    find_column,
)
from casedesk.services.importing.mapping_files import load_preset, preset_names
from casedesk.services.importing.settings import import_settings
from casedesk.services.importing.sniffing import header_key

_CHILD_LABELS = {"aliases": "Aliases", "identifiers": "Identifiers", "addresses": "Addresses"}


@dataclass(frozen=True)
class PresetFit:
    """How well a preset fits a file: the share of its columns the file has."""

    name: str
    found: int
    wanted: int
    usable: bool  # every required record's label column is there

    @property
    def score(self) -> float:
        """found / wanted, 0 when the preset cannot be used."""
        return self.found / self.wanted if self.usable and self.wanted else 0.0


def rank_presets(
    columns: tuple[str, ...] | list[str], *, vocab: Vocabulary | None = None
) -> list[PresetFit]:
    """Every shipped preset with how well it fits these columns, best first."""
    fits = []
    for name in preset_names():
        mapping = load_preset(name, vocab=vocab)
        names = {n for n in mapping.column_names() if "*" not in n}
        found = sum(1 for n in names if find_column(n, columns) is not None)
        usable = all(
            any(_available(s, columns) for s in r.fields["label"])
            for r in mapping.records
            if r.required
        )
        fits.append(PresetFit(name, found, len(names), usable))
    return sorted(fits, key=lambda f: (-f.score, f.name))


def _available(src: Source, columns: tuple[str, ...] | list[str]) -> bool:
    """True when the file has what the source reads (all of a template's, any other column)."""
    if src.constant is not None or src.parameter is not None:
        return True
    found = [find_column(n, columns) is not None for n in src.column_names()]
    return all(found) if src.template is not None else any(found)


def _names_for(kind: str, field: str, label: str) -> list[str]:
    synonyms = import_settings().synonyms
    return [field, label, *synonyms.get(field, ()), *synonyms.get(f"{field}.{kind}", ())]


def auto_map(
    columns: tuple[str, ...] | list[str], kind: str, *, vocab: Vocabulary | None = None
) -> Mapping:
    """A one-record mapping of `kind` with each field taken from the most similar header.

    Header and field names are compared with RapidFuzz (case, spaces, '_' and '-' ignored), each
    column and field used once, best pairs first; columns left over are kept as notes.
    """
    vocab = vocab or default_vocabulary()
    specs = [(s.name, s.label) for s in fields_of(kind) if s.name != "sensitive"]
    specs += [(c, _CHILD_LABELS[c]) for c in CHILD_FIELDS]
    if kind == "wallet":
        specs = [(n, lbl) for n, lbl in specs if n != "chain"]
    threshold = import_settings().automap_threshold
    pairs = []
    for ci, col in enumerate(columns):
        ckey = header_key(col)
        if not ckey:
            continue
        for field, label in specs:
            best = max(fuzz.ratio(ckey, header_key(n)) for n in _names_for(kind, field, label))
            if best >= threshold:
                pairs.append((best, ci, field))
    pairs.sort(key=lambda p: (-p[0], p[1]))
    used_cols: set[int] = set()
    fields: dict[str, tuple[Source, ...]] = {}
    for _, ci, field in pairs:
        if ci in used_cols or field in fields:
            continue
        used_cols.add(ci)
        split = ";" if field in CHILD_FIELDS or field == "tags" else None
        fields[field] = (Source(columns=(columns[ci],), split=split),)
    if kind == "wallet" and "address" in fields and "label" not in fields:
        fields["label"] = fields["address"]
    if "label" not in fields:
        free = [c for i, c in enumerate(columns) if i not in used_cols]
        if not free:
            raise ValidationError("mapping", f"no column of the file can be the {kind}'s name")
        fields["label"] = (Source(columns=(free[0],)),)
    params: tuple[Parameter, ...] = ()
    if kind == "wallet":
        fields["chain"] = (Source(parameter="chain"),)
        params = (Parameter("chain", "Chain", "ETH"),)
        if "address" not in fields:
            fields["address"] = fields["label"]
    label = vocab.record_kinds[kind].label if kind in vocab.record_kinds else kind
    return Mapping(
        name=f"auto_{kind}",
        label=f"{label} (auto-mapped)",
        description="Columns matched to fields by header similarity.",
        records=(RecordMap(key=kind, kind=kind, fields=fields, required=True),),
        parameters=params,
    )
