"""The accelerator catalog (3A090 figures): the models, lookup by name or alias, and loading accelerators.yaml."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from casedesk.domain.vocabulary.reading import (
    LOWER_CODE,
    check_fields,
    describe,
    entries,
    fail,
    lookup_index,
    lookup_key,
    number,
    opt_int,
    opt_number,
    opt_str,
    read_file,
    req_bool,
    req_number,
    req_str,
    str_list,
)


# eq=False: the mapping field is unhashable, and a catalog entry is identified by its code anyway.
@dataclass(frozen=True, eq=False)
class AcceleratorModel:
    """An accelerator model with the figures 3A090 classifies by (TPP in bit-TOPS, PD per mm²)."""

    code: str
    name: str
    vendor: str
    aliases: tuple[str, ...]
    dense_tops: Mapping[int, float]  # bit length -> dense TOPS
    tpp: float  # as stated by the source
    tpp_computed: float | None  # max(TOPS × bits) over dense_tops
    die_area_mm2: float | None
    performance_density: float | None  # tpp / die_area_mm2
    io_gbps: float | None
    memory: str | None
    datacenter: bool
    prc_made: bool
    announced: int | None
    notes: str | None
    source: str


@dataclass(frozen=True, eq=False)
class AcceleratorCatalog:
    """The accelerator models in file order, looked up by code or by any name or alias."""

    models: Mapping[str, AcceleratorModel]
    _lookup: Mapping[str, str] = field(repr=False)

    def find(self, name_or_alias: str) -> AcceleratorModel | None:
        """Return the model a name or alias denotes (case, space, punctuation ignored), or None."""
        code = self._lookup.get(lookup_key(name_or_alias))
        return None if code is None else self.models[code]

    def __getitem__(self, code: str) -> AcceleratorModel:
        return self.models[code]

    def __iter__(self) -> Iterator[AcceleratorModel]:
        return iter(self.models.values())

    def __len__(self) -> int:
        return len(self.models)


def load_accelerators(directory: Path) -> AcceleratorCatalog:
    file = "accelerators.yaml"
    fields = {
        "code",
        "name",
        "vendor",
        "aliases",
        "dense_tops",
        "tpp",
        "die_area_mm2",
        "io_gbps",
        "memory",
        "datacenter",
        "prc_made",
        "announced",
        "notes",
        "source",
    }
    out = {}
    for code, raw in entries(read_file(directory, file, "accelerators"), file, "accelerators", LOWER_CODE):
        check_fields(raw, file, code, fields)
        tops = _tops(raw, file, code)
        tpp = req_number(raw, file, code, "tpp")
        area = opt_number(raw, file, code, "die_area_mm2")
        announced = opt_int(raw, file, code, "announced")
        if announced is not None and not 1990 <= announced <= 2100:
            fail(file, code, "announced", f"{announced} is not a plausible year")
        out[code] = AcceleratorModel(
            code=code,
            name=req_str(raw, file, code, "name"),
            vendor=req_str(raw, file, code, "vendor"),
            aliases=str_list(raw, file, code, "aliases"),
            dense_tops=tops,
            tpp=tpp,
            # TPP = max over precisions of dense TOPS × bit length (export-controls.md §1.3).
            tpp_computed=max((bits * t for bits, t in tops.items()), default=None),
            die_area_mm2=area,
            performance_density=None if area is None else tpp / area,
            io_gbps=opt_number(raw, file, code, "io_gbps"),
            memory=opt_str(raw, file, code, "memory"),
            datacenter=req_bool(raw, file, code, "datacenter"),
            prc_made=req_bool(raw, file, code, "prc_made"),
            announced=announced,
            notes=opt_str(raw, file, code, "notes"),
            source=req_str(raw, file, code, "source"),
        )
    # Inventories often prefix the vendor ("NVIDIA H100 SXM5"), so index those spellings too.
    lookup = lookup_index(
        file,
        (
            (
                m.code,
                [n for name in (m.code, m.name, *m.aliases) for n in (name, f"{m.vendor} {name}")],
            )
            for m in out.values()
        ),
    )
    return AcceleratorCatalog(MappingProxyType(out), lookup)


def _tops(raw: Mapping[str, Any], file: str, entry: str) -> Mapping[int, float]:
    value = raw.get("dense_tops")
    if not isinstance(value, dict):
        fail(
            file,
            entry,
            "dense_tops",
            f"expected a mapping of bit length to TOPS, got {describe(value)}",
        )
    out = {}
    for bits, tops in value.items():
        if isinstance(bits, bool) or not isinstance(bits, int) or not 1 <= bits <= 64:
            fail(
                file, entry, "dense_tops", f"bit length {bits!r} is not a whole number from 1 to 64"
            )
        out[bits] = number(tops, file, entry, f"dense_tops[{bits}]")
    return MappingProxyType(out)
