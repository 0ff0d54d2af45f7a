"""Loading accelerators.yaml strictly: models, systems and ambiguous names, with plausible figures."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from casedesk.domain.vocabulary.accelerators import (
    AcceleratorCatalog,
    AcceleratorModel,
    AcceleratorSystem,
    figure_problem,
    model_keys,
)
from casedesk.domain.vocabulary.figure_bounds import (
    FigureBounds,
    bounds_dir,
    catalog_figures,
    derive_bounds,
    read_rules,
)
from casedesk.domain.vocabulary.reading import (
    LOWER_CODE,
    check_fields,
    describe,
    entries,
    fail,
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

FILE = "accelerators.yaml"
_MODEL_FIELDS = {
    "code", "name", "vendor", "aliases", "dense_tops", "tpp", "die_area_mm2", "io_gbps", "memory",
    "datacenter", "prc_made", "announced", "notes", "source", "source_rows", "datasheet",
}
_SYSTEM_FIELDS = {"code", "name", "aliases", "gpu", "gpus", "notes"}
_CODE = re.compile(r"[a-z][a-z0-9_]*")


def load_accelerators(directory: Path) -> AcceleratorCatalog:
    """Load the catalog; VocabularyError names the entry and field of any mistake or absurd figure."""
    doc = read_file(directory, FILE, "accelerators", "systems", "ambiguous_names")
    raws = entries(doc, FILE, "accelerators", LOWER_CODE)
    bounds = derive_bounds(catalog_figures(raw for _, raw in raws), read_rules(bounds_dir(directory)))
    models = {code: model_from_raw(code, raw, FILE, bounds) for code, raw in raws}
    lookup: dict[str, tuple[str, str]] = {}

    def index(key: str, hit: tuple[str, str], entry: str, name: str) -> None:
        if not key:
            fail(FILE, entry, "aliases", f"{name!r} has no letters or digits")
        if lookup.setdefault(key, hit) != hit:
            fail(FILE, entry, "aliases", f"{name!r} already names {lookup[key][1]!r}")

    for m in models.values():
        for key in model_keys(m, with_code=False):
            index(key, ("m", m.code), m.code, key)
    systems = {}
    for code, raw in (entries(doc, FILE, "systems", _CODE) if doc.get("systems") else []):
        check_fields(raw, FILE, code, _SYSTEM_FIELDS)
        gpu = req_str(raw, FILE, code, "gpu")
        if gpu not in models:
            fail(FILE, code, "gpu", f"unknown accelerator {gpu!r}")
        gpus = opt_int(raw, FILE, code, "gpus")
        if gpus is None or not 1 <= gpus <= 100_000:
            fail(FILE, code, "gpus", f"expected a whole number of GPUs from 1, got {describe(gpus)}")
        s = AcceleratorSystem(code, req_str(raw, FILE, code, "name"), str_list(raw, FILE, code, "aliases"),
                              gpu, gpus, opt_str(raw, FILE, code, "notes"))
        systems[code] = s
        vendor = models[gpu].vendor
        for n in (s.name, *s.aliases):
            for spelled in (n, f"{vendor} {n}"):
                index(lookup_key(spelled), ("s", code), code, spelled)
    for m in models.values():  # a code is a spelling too, unless a name already claims it
        for key in model_keys(m):
            lookup.setdefault(key, ("m", m.code))
    ambiguous: dict[str, tuple[str, ...]] = {}
    for i, raw in enumerate(doc.get("ambiguous_names") or []):
        entry = f"ambiguous_names[#{i + 1}]"
        if not isinstance(raw, dict):
            fail(FILE, entry, "(entry)", f"expected a mapping, got {describe(raw)}")
        name = req_str(raw, FILE, entry, "name")
        codes = str_list(raw, FILE, entry, "codes", required=True)
        if len(codes) < 2 or any(c not in models for c in codes):
            fail(FILE, entry, "codes", "needs two or more known accelerator codes")
        if lookup_key(name) in lookup:
            fail(FILE, entry, "name", f"{name!r} also names {lookup[lookup_key(name)][1]!r}")
        ambiguous[lookup_key(name)] = codes
    return AcceleratorCatalog(MappingProxyType(models), MappingProxyType(lookup),
                              MappingProxyType(systems), MappingProxyType(ambiguous), bounds)


def model_from_raw(code: str, raw: Mapping[str, Any], file: str, bounds: FigureBounds,
                   **extra: Any) -> AcceleratorModel:
    """One model from a mapping (YAML entry or workspace row); VocabularyError on bad figures."""
    check_fields(raw, file, code, _MODEL_FIELDS)
    tops = _tops(raw, file, code)
    for name in ("tpp", "die_area_mm2", "io_gbps"):
        value = raw.get(name)
        if value is not None and (why := figure_problem(name, value, bounds)):
            fail(file, code, name, why)
    tpp = req_number(raw, file, code, "tpp")
    area = opt_number(raw, file, code, "die_area_mm2")
    if area is not None and (why := figure_problem("performance_density", tpp / area, bounds)):
        fail(file, code, "die_area_mm2", f"gives a performance density that is implausible: {why}")
    announced = opt_int(raw, file, code, "announced")
    if announced is not None and not 1990 <= announced <= 2100:
        fail(file, code, "announced", f"{announced} is not a plausible year")
    rows = raw.get("source_rows") or []
    if not isinstance(rows, list) or not all(isinstance(r, int) and r > 0 for r in rows):
        fail(file, code, "source_rows", f"expected a list of row numbers, got {describe(rows)}")
    return AcceleratorModel(
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
        source_rows=tuple(rows),
        datasheet=opt_str(raw, file, code, "datasheet"),
        **extra,
    )


def _tops(raw: Mapping[str, Any], file: str, entry: str) -> Mapping[int, float]:
    value = raw.get("dense_tops", {})
    if not isinstance(value, dict):
        fail(file, entry, "dense_tops",
             f"expected a mapping of bit length to TOPS, got {describe(value)}")
    out = {}
    for bits, tops in value.items():
        if isinstance(bits, bool) or not isinstance(bits, int) or not 1 <= bits <= 64:
            fail(file, entry, "dense_tops", f"bit length {bits!r} is not a whole number from 1 to 64")
        out[bits] = number(tops, file, entry, f"dense_tops[{bits}]")
    return MappingProxyType(out)
