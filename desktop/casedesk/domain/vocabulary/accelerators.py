"""The accelerator catalog (3A090 figures): models, systems that count GPUs, lookup and plausibility."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from casedesk.domain.vocabulary.figure_bounds import UNITS, FigureBounds, figure_text
from casedesk.domain.vocabulary.reading import lookup_key

def figure_problem(name: str, value: object, bounds: FigureBounds) -> str | None:
    """Why a given figure (tpp, performance_density, die_area_mm2, io_gbps) cannot be used, or None.

    bounds come from the catalog (figure_bounds.derive_bounds): a TPP of 10^12 is Epoch's bit-OP/s
    pasted without dividing by 10^12, and would otherwise classify as 3A090.a."""
    unit = UNITS[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return f"{value!r} is not a number"
    if value <= 0:
        return f"{value:g} {unit} must be positive"
    lo, hi = bounds.ranges[name]
    if not lo <= value <= hi:
        hint = " (bit-OP/s must be divided by 10^12)" if name == "tpp" and value >= 1e9 else ""
        return (f"{value:g} {unit} is outside the plausible {figure_text(lo)}–{figure_text(hi)}{hint}: "
                f"{bounds.why[name]}")
    return None


def figure_problems(tpp: float | None, die_area_mm2: float | None, io_gbps: float | None,
                    bounds: FigureBounds) -> list[tuple[str, str]]:
    """(field, reason) for each missing or absurd figure; empty when the figures can be used."""
    out: list[tuple[str, str]] = []
    if tpp is None:
        out.append(("tpp", "missing: TPP is needed to classify"))
    for name, value in (("tpp", tpp), ("die_area_mm2", die_area_mm2), ("io_gbps", io_gbps)):
        if value is not None and (why := figure_problem(name, value, bounds)):
            out.append((name, why))
    if not out and tpp is not None and die_area_mm2 is not None:
        if why := figure_problem("performance_density", tpp / die_area_mm2, bounds):
            out.append(("performance_density", why))
    return out


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
    source_rows: tuple[int, ...] = ()  # data rows of the Epoch CSV the figures come from
    datasheet: str | None = None
    origin: str = "catalog"  # "catalog" (shipped) or "workspace" (added by an analyst)
    evidence_id: int | None = None  # workspace entries citing a piece of evidence


@dataclass(frozen=True)
class AcceleratorSystem:
    """A superchip, board or rack counted by its GPUs (HGX H100 = 8 × H100 SXM)."""

    code: str
    name: str
    aliases: tuple[str, ...]
    gpu: str  # model code of each GPU
    gpus: int
    notes: str | None = None


@dataclass(frozen=True)
class Resolved:
    """What a name in an inventory denotes: a model, counted `gpus_per_unit` times per unit."""

    model: AcceleratorModel
    gpus_per_unit: int = 1
    system: AcceleratorSystem | None = None

    def unit_text(self) -> str:
        """'' for a single accelerator, else 'HGX H100 = 8 × H100 SXM' (what one unit counts as)."""
        if self.system is None:
            return ""
        return f"{self.system.name} = {self.gpus_per_unit} × {self.model.name}"


@dataclass(frozen=True, eq=False)
class AcceleratorCatalog:
    """Models in file order, systems, and lookup by code, name or alias (ambiguous names kept)."""

    models: Mapping[str, AcceleratorModel]
    _lookup: Mapping[str, tuple[str, str]] = field(repr=False)  # key -> ("m"|"s", code)
    systems: Mapping[str, AcceleratorSystem] = field(default_factory=dict)
    _ambiguous: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    bounds: FigureBounds | None = field(default=None, repr=False)  # plausible figures, from this catalog

    def resolve(self, name_or_alias: str) -> Resolved | None:
        """The model (and GPUs per unit) a name denotes, or None if unknown or ambiguous."""
        hit = self._lookup.get(lookup_key(name_or_alias))
        if hit is None:
            return None
        kind, code = hit
        if kind == "s":
            system = self.systems[code]
            return Resolved(self.models[system.gpu], system.gpus, system)
        return Resolved(self.models[code])

    def find(self, name_or_alias: str) -> AcceleratorModel | None:
        """Return the model a name or alias denotes (case, space, punctuation ignored), or None."""
        hit = self.resolve(name_or_alias)
        return None if hit is None else hit.model

    def ambiguous(self, name: str) -> tuple[AcceleratorModel, ...]:
        """The models a name matches equally (empty unless it is one of the ambiguous names)."""
        return tuple(self.models[c] for c in self._ambiguous.get(lookup_key(name), ()))

    def canonical_name(self, text: str) -> str:
        """The catalog spelling to store: the system's name for a system, else the model's."""
        hit = self.resolve(text)
        if hit is None:
            return text.strip()
        return hit.system.name if hit.system else hit.model.name

    def names(self) -> Iterator[tuple[str, str]]:
        """(spelling, model code) for every name and alias of every model and system."""
        for m in self.models.values():
            for n in (m.name, *m.aliases):
                yield n, m.code
        for s in self.systems.values():
            for n in (s.name, *s.aliases):
                yield n, s.gpu

    def with_models(self, extra: Iterable[AcceleratorModel]) -> AcceleratorCatalog:
        """This catalog plus workspace models; their names win over ambiguous shipped names."""
        models = dict(self.models)
        lookup = dict(self._lookup)
        ambiguous = dict(self._ambiguous)
        for m in extra:
            if m.code in models:
                m = replace(m, code=f"ws_{m.code}")
            models[m.code] = m
            for key in model_keys(m):
                ambiguous.pop(key, None)
                lookup[key] = ("m", m.code)
        return AcceleratorCatalog(MappingProxyType(models), MappingProxyType(lookup),
                                  self.systems, MappingProxyType(ambiguous), self.bounds)

    def __getitem__(self, code: str) -> AcceleratorModel:
        return self.models[code]

    def __iter__(self) -> Iterator[AcceleratorModel]:
        return iter(self.models.values())

    def __len__(self) -> int:
        return len(self.models)


def model_keys(m: AcceleratorModel, *, with_code: bool = True) -> list[str]:
    """Folded lookup keys of a model: name, aliases (and code), each also prefixed by the vendor."""
    # Inventories often prefix the vendor ("NVIDIA H100 SXM5"), so index those spellings too.
    names = (m.name, *m.aliases, *((m.code,) if with_code else ()))
    return list(dict.fromkeys(
        k for name in names for n in (name, f"{m.vendor} {name}") if (k := lookup_key(n))))
