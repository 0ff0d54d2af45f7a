"""The editable fields of each record kind, and how a raw value becomes a clean stored one.

One table serves the inspector, the importer, the CLI and the services, so a value is checked
the same way wherever it is entered.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from casedesk.domain.countries import resolve_country
from casedesk.domain.dates import parse_partial_date
from casedesk.domain.errors import ValidationError, VocabularyError
from casedesk.domain.transactions import validate_tx_hash
from casedesk.domain.transfers import clean_amount, clean_asset, clean_transfer_time


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: name, label, value type and (for choices) the vocabulary list."""

    name: str
    label: str
    type: str = "text"  # text, longtext, country, date, int, float, decimal, bool, choice, list,
    #                     tx_hash, amount, asset, datetime
    choices: str | None = None  # vocabulary list for type "choice"
    required: bool = False
    # Inclusive bounds of a number field and where they come from (resources/field_bounds.yaml).
    minimum: int | float | None = None
    maximum: int | float | None = None
    why: str = ""


COMMON_FIELDS = (
    FieldSpec("label", "Label", required=True),
    FieldSpec("notes", "Notes", "longtext"),
    FieldSpec("tags", "Tags", "list"),
    FieldSpec("sensitive", "Sensitive", "bool"),
)

KIND_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "party": (
        FieldSpec("party_kind", "Party kind", "choice", "party_kinds"),
        FieldSpec("country", "Jurisdiction", "country"),
        FieldSpec("hq_country", "Headquarters country", "country"),
        FieldSpec("website", "Website"),
        FieldSpec("description", "Description", "longtext"),
    ),
    "wallet": (
        FieldSpec("chain", "Chain", "choice", "chains", required=True),
        FieldSpec("address", "Address", required=True),
        FieldSpec("custodian", "Exchange / custodian"),
        FieldSpec("illustrative", "Illustrative (not a real wallet)", "bool"),
    ),
    "datacenter": (
        FieldSpec("operator_name", "Operator (as stated)"),
        FieldSpec("address", "Address"),
        FieldSpec("city", "City"),
        FieldSpec("country", "Country", "country"),
        FieldSpec("latitude", "Latitude", "float"),
        FieldSpec("longitude", "Longitude", "float"),
        FieldSpec("tier", "Tier"),
        FieldSpec("power_mw", "Power (MW)", "float"),
    ),
    "server": (
        FieldSpec("vendor_model", "Server vendor / model"),
        FieldSpec("accelerator_model", "Accelerator model", "accelerator"),
        FieldSpec("accelerators_per_server", "Accelerators per server", "int"),
        FieldSpec("server_count", "Server count", "int"),
        FieldSpec("count_qualifier", "Count qualifier", "choice", "count_qualifiers"),
        FieldSpec("serials", "Serials / asset tags", "longtext"),
        FieldSpec("status", "Status", "choice", "fleet_statuses"),
        FieldSpec("installed_on", "Installed", "date"),
        FieldSpec("in_service_on", "In service", "date"),
        FieldSpec("days_to_service", "Days from installation to service (as stated)", "int"),
        FieldSpec("decommissioned_on", "Decommissioned", "date"),
    ),
    "contract": (
        FieldSpec("contract_type", "Contract type", "choice", "contract_types"),
        FieldSpec("value_amount", "Value", "decimal"),
        FieldSpec("currency", "Currency"),
        FieldSpec("start_on", "Start", "date"),
        FieldSpec("end_on", "End", "date"),
        FieldSpec("chain", "Chain", "choice", "chains"),
        FieldSpec("contract_address", "On-chain contract address"),
        FieldSpec("tx_hashes", "Transaction hashes", "list"),
        FieldSpec("accelerator_count", "Accelerators contracted", "int"),
    ),
}

LINK_FIELDS = (
    FieldSpec("role", "Role"),
    FieldSpec("share_pct", "Share %", "float"),
    FieldSpec("start_on", "From", "date"),
    FieldSpec("end_on", "Until", "date"),
    FieldSpec("grade", "Grade", "grade"),
    FieldSpec("notes", "Notes", "longtext"),
    # The facts of a transfer or payment (link types with `transfer: true` in the vocabulary).
    FieldSpec("tx_hash", "Transaction hash", "tx_hash"),
    FieldSpec("value", "Value", "amount"),
    FieldSpec("asset", "Asset / token", "asset"),
    FieldSpec("tx_time", "Time (UTC)", "datetime"),
)
TRANSFER_FIELDS = ("tx_hash", "value", "asset", "tx_time")

_GRADE = re.compile(r"^[A-F][1-6]$")


def fields_of(kind: str) -> tuple[FieldSpec, ...]:
    """Every field of a record kind, common ones first."""
    if kind not in KIND_FIELDS:
        raise ValidationError("kind", f"unknown record kind {kind!r} (one of {', '.join(KIND_FIELDS)})")
    return COMMON_FIELDS + KIND_FIELDS[kind]


def _fold(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def choice_codes(vocab: Any, list_name: str) -> list[str]:
    """The codes of a vocabulary list a choice field draws from."""
    return list(getattr(vocab, list_name))


@functools.lru_cache(maxsize=8192)
def lookup_choice(vocab: Any, list_name: str, text: str) -> str | None:
    """The code a text denotes in a vocabulary list (by code or label, any case), or None."""
    if list_name == "chains":
        chain = vocab.find_chain(text)
        return chain.code if chain else None
    key = _fold(text)
    for code, term in getattr(vocab, list_name).items():
        if key in (_fold(code), _fold(term.label), *(_fold(a) for a in getattr(term, "aliases", ()))):
            return code
    return None


def clean_value(spec: FieldSpec, value: Any, vocab: Any) -> Any:
    """Turn one raw value (text from a form or a file, or a typed value) into its stored form."""
    if isinstance(value, str) and spec.type not in ("text", "longtext"):
        value = value.strip()
    empty = value is None or value == "" or value == []
    if empty:
        if spec.required:
            raise ValidationError(spec.name, f"{spec.label} is required")
        return {"list": [], "bool": False, "text": "", "longtext": ""}.get(spec.type)
    t = spec.type
    if t in ("text", "longtext"):
        if not isinstance(value, str):
            raise ValidationError(spec.name, f"expected text, got {type(value).__name__}")
        if spec.required and not value.strip():
            raise ValidationError(spec.name, f"{spec.label} is required (only spaces given)")
        return value
    if t == "country":
        return resolve_country(str(value))
    if t == "date":
        return str(parse_partial_date(str(value)))
    if t == "int":
        number = _bounded(spec, _whole_number(spec, value))
        if abs(number) > _INT64:
            raise ValidationError(spec.name, f"{number:,} is too large to store")
        return number
    if t == "float":
        try:
            number = float(str(value).replace(",", "")) if not isinstance(value, (int, float)) else float(value)
        except (ValueError, OverflowError):
            raise ValidationError(spec.name, f"{value!r} is not a number") from None
        if not math.isfinite(number):
            raise ValidationError(spec.name, f"{value!r} is not a finite number")
        return _bounded(spec, number)
    if t == "decimal":
        try:
            number = Decimal(str(value).replace(",", "").strip())
        except InvalidOperation:
            raise ValidationError(spec.name, f"{value!r} is not a number") from None
        if not number.is_finite():
            raise ValidationError(spec.name, f"{value!r} is not a finite number")
        return format(number, "f")
    if t == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in ("1", "true", "yes", "y"):
            return True
        if text in ("0", "false", "no", "n"):
            return False
        raise ValidationError(spec.name, f"{value!r} is not yes/no")
    if t == "list":
        items = value if isinstance(value, list) else str(value).split(";")
        return [str(v).strip() for v in items if str(v).strip()]
    if t == "choice":
        text = str(value).strip()
        code = lookup_choice(vocab, spec.choices or "", text)
        if code is None:
            codes = choice_codes(vocab, spec.choices or "")
            raise ValidationError(spec.name, f"{text[:80]!r} is not one of {', '.join(codes)}")
        return code
    if t == "accelerator":
        # The catalog's spelling (a system keeps its own name: "HGX H100" counts 8 GPUs, "H100 SXM"
        # one); unknown models are kept as given and the analysis says it cannot classify them.
        return vocab.accelerators.canonical_name(str(value))
    if t == "grade":
        text = str(value).strip().upper()
        if not _GRADE.match(text):
            raise ValidationError(spec.name, f"{value!r} is not an Admiralty grade like B2 (A–F, 1–6)")
        return text
    if t == "tx_hash":
        # Any known shape here; add_link and update_link check it again for the wallet's chain.
        return validate_tx_hash(None, str(value), field=spec.name)
    if t == "amount":
        return clean_amount(value, field=spec.name)
    if t == "asset":
        return clean_asset(value, field=spec.name)
    if t == "datetime":
        return clean_transfer_time(value, field=spec.name)
    raise AssertionError(f"unhandled field type {t}")


_INT64 = 2**63 - 1  # the largest integer SQLite and PostgreSQL BIGINT store


def _whole_number(spec: FieldSpec, value: Any) -> int:
    """A whole number from text or a number; never through float, so big values stay exact."""
    if isinstance(value, bool):
        raise ValidationError(spec.name, f"{value!r} is not a whole number")
    if isinstance(value, float):
        # JSON and FtM may write 8.0; beyond 2**53 a float is no longer the number written
        if not value.is_integer() or abs(value) > 2**53:
            raise ValidationError(spec.name, f"{value!r} is not a whole number")
        value = int(value)
    if not isinstance(value, int):
        text = str(value).replace(",", "").replace("_", "").strip()
        try:
            value = int(text)
        except ValueError:
            value = _scaled_whole(text)
            if value is None:
                raise ValidationError(spec.name, f"{text[:80]!r} is not a whole number") from None
    if value < 0 and spec.minimum is None:
        raise ValidationError(spec.name, f"{spec.label} cannot be negative ({value:,})")
    return value


# Cluster lists and press write counts as "10k", "2.5k", "1.2 million": a whole number once scaled.
_SCALED = re.compile(r"(\d+(?:\.\d+)?)\s*(k|thousand|m|mn|million)", re.IGNORECASE)
_SCALES = {"k": 1000, "thousand": 1000, "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000}


def _scaled_whole(text: str) -> int | None:
    """'10k' → 10000, '2.5k' → 2500, '1.2 million' → 1200000; None if not such a whole number."""
    m = _SCALED.fullmatch(text)
    if m is None:
        return None
    number = Decimal(m.group(1)) * _SCALES[m.group(2).lower()]
    return int(number) if number == number.to_integral_value() else None


def _bounded(spec: FieldSpec, number: int | float) -> int | float:
    """The number, or a ValidationError naming the field's bounds and why they are what they are."""
    low, high = spec.minimum, spec.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        shown = f"{number:,}" if isinstance(number, int) else f"{number:g}"
        if low == 0 and number < 0:
            raise ValidationError(spec.name, f"{spec.label} cannot be negative ({shown})")
        span = f"{_num(low) if low is not None else '…'}–{_num(high) if high is not None else '…'}"
        why = f": {spec.why}" if spec.why else ""
        raise ValidationError(spec.name, f"{shown} is outside {span}{why}")
    return number


def _num(bound: int | float) -> str:
    return f"{bound:,}" if isinstance(bound, int) else f"{bound:g}"


def _read_bounds() -> dict[str, Any]:
    """resources/field_bounds.yaml as {'records': {kind: {field: bounds}}, 'links': {...}}."""
    import yaml  # noqa: PLC0415 - only here, once per process

    from casedesk.paths import resources_dir  # noqa: PLC0415

    path = resources_dir() / "field_bounds.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError("field_bounds.yaml", "-", "-", f"cannot be read: {exc}") from None
    return raw if isinstance(raw, dict) else {}


def _with_bounds(specs: tuple[FieldSpec, ...], bounds: Any, where: str) -> tuple[FieldSpec, ...]:
    """The specs with their bounds from the file; a VocabularyError for a bound on no number field."""
    bounds = dict(bounds or {})
    by_name = {s.name: s for s in specs}
    for name, b in bounds.items():
        spec = by_name.get(name)
        ok = isinstance(b, dict) and all(
            isinstance(b.get(k), (int, float, type(None))) and not isinstance(b.get(k), bool)
            for k in ("min", "max")
        )
        if spec is None or spec.type not in ("int", "float") or not ok:
            raise VocabularyError("field_bounds.yaml", where, name, "is not a number field with min/max")
    return tuple(
        replace(s, minimum=bounds[s.name].get("min"), maximum=bounds[s.name].get("max"),
                why=str(bounds[s.name].get("why") or ""))
        if s.name in bounds else s
        for s in specs
    )


def _bound_kind_fields(raw: dict[str, Any]) -> None:
    """Put the file's record bounds on KIND_FIELDS (once, when this module loads)."""
    for kind, bounds in (raw.get("records") or {}).items():
        if kind not in KIND_FIELDS:
            raise VocabularyError("field_bounds.yaml", "records", str(kind), "is not a record kind")
        KIND_FIELDS[kind] = _with_bounds(KIND_FIELDS[kind], bounds, kind)


_BOUNDS = _read_bounds()
_bound_kind_fields(_BOUNDS)
LINK_FIELDS = _with_bounds(LINK_FIELDS, _BOUNDS.get("links"), "links")
_LINK_SPECS = {s.name: s for s in LINK_FIELDS}  # built once, not per link (imports check 300k)


@functools.cache
def _spec_map(kind: str) -> tuple[dict[str, FieldSpec], tuple[str, ...]]:
    specs = {s.name: s for s in fields_of(kind)}
    return specs, tuple(n for n, s in specs.items() if s.required)


def clean_fields(kind: str, raw: dict[str, Any], vocab: Any, *, partial: bool = False) -> dict[str, Any]:
    """Check and convert a record's fields; with partial=True only the given ones are checked."""
    specs, required = _spec_map(kind)
    out: dict[str, Any] = {}
    for name, value in raw.items():
        spec = specs.get(name)
        if spec is None:
            raise ValidationError(name, f"{kind} records have no field {name!r}")
        out[name] = clean_value(spec, value, vocab)
    if not partial:
        for name in required:
            if name not in out:
                raise ValidationError(name, f"{specs[name].label} is required")
    return out


def clean_link_fields(raw: dict[str, Any], vocab: Any) -> dict[str, Any]:
    """Check and convert a link's optional fields."""
    specs = _LINK_SPECS
    unknown = raw.keys() - specs.keys()
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError(name, f"links have no field {name!r}")
    return {name: clean_value(specs[name], value, vocab) for name, value in raw.items()}
