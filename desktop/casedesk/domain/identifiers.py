"""Identifier checks: scheme + value -> normalised value and check status (only ValidationError)."""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType, ModuleType

from stdnum.exceptions import ValidationError as StdnumError

from casedesk.domain.errors import ValidationError

VALID = "valid"
CHECKSUM_OK_REGION_UNKNOWN = "checksum_ok_region_unknown"
UNCHECKED = "unchecked"

# Real identifiers are short; a cap keeps megabyte pastes out of the database and out of
# stdnum's regular expressions.
MAX_LENGTH = 256

# Scheme codes are stored in a 40-character column and appear in vocabulary files.
_SCHEME_RE = re.compile(r"[A-Z0-9][A-Z0-9_.\-]{0,39}")
# Only dotted lower-case module paths, so "stdnum:<x>" can never import anything outside stdnum.
_STDNUM_MODULE_RE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")

DEFAULT_VALIDATORS: Mapping[str, str] = MappingProxyType(
    {
        "CN_USCC": "stdnum:cn.uscc",
        "USCC": "stdnum:cn.uscc",  # the OFAC-derived vector file writes the bare code
        "SG_UEN": "stdnum:sg.uen",
        "LEI": "stdnum:lei",
        "CN_RIC": "cn_ric",
        "ISIN": "stdnum:isin",
        "BIC": "stdnum:bic",
        "IBAN": "stdnum:iban",
        "RU_INN": "stdnum:ru.inn",
        "RU_OGRN": "stdnum:ru.ogrn",
        "US_EIN": "stdnum:us.ein",
        "EU_VAT": "stdnum:eu.vat",
        "AU_ABN": "stdnum:au.abn",
        "AU_ACN": "stdnum:au.acn",
        "IMO": "stdnum:imo",
    }
)

# stdnum's docstring titles are fine for most schemes; these read better in English messages.
_LABELS = {
    "ru.inn": "INN",
    "ru.ogrn": "OGRN",
    "eu.vat": "EU VAT number",
    "imo": "IMO number",
    "cn.ric": "PRC resident ID number",
}


@dataclass(frozen=True)
class CheckedIdentifier:
    """An identifier after checking: upper-case scheme, normalised value, status, optional note."""

    scheme: str
    value: str
    status: str  # "valid" | "checksum_ok_region_unknown" | "unchecked"
    note: str = ""


def validate_identifier(
    scheme: str, value: str, *, validator: str | None = None
) -> CheckedIdentifier:
    """Check `value` by the named validator (else the scheme default); raises ValidationError."""
    code = _scheme_code(scheme)
    text = _clean_text(value)
    if validator is not None and not isinstance(validator, str):
        raise ValidationError(
            "validator", "identifier validator name must be text", value=validator
        )
    name = DEFAULT_VALIDATORS.get(code) if validator is None else validator.strip()
    if name is None or name.lower() in ("", "none"):
        return CheckedIdentifier(
            code, text, UNCHECKED, f"no format check for {code}; value only trimmed"
        )
    if name.lower() == "cn_ric":
        return _check_cn_ric(code, text)
    if name.lower().startswith("stdnum:"):
        return _check_stdnum(code, text, name[len("stdnum:") :].strip())
    raise ValidationError(
        "validator",
        f"unknown identifier validator {name!r} (use 'stdnum:<module>', 'cn_ric' or 'none')",
        value=name,
    )


def _scheme_code(scheme: str) -> str:
    """Return the scheme code upper-cased, refusing anything that cannot be a code."""
    if not isinstance(scheme, str):
        raise ValidationError("scheme", "identifier scheme must be text", value=scheme)
    code = scheme.strip().upper()
    if not _SCHEME_RE.fullmatch(code):
        raise ValidationError(
            "scheme",
            f"{_show(scheme)} is not a scheme code (letters, digits, "
            "'_', '-' or '.', at most 40 characters)",
            value=_clip(scheme),
        )
    return code


def _clean_text(value: str) -> str:
    """Trim and collapse whitespace; refuse empty, over-long and invisible/control characters."""
    if not isinstance(value, str):
        raise ValidationError("identifier", "identifier value must be text", value=value)
    if len(value) > 4 * MAX_LENGTH:
        # Checked before the per-character scan so a huge paste is refused cheaply.
        raise ValidationError(
            "identifier",
            f"identifier is {len(value)} characters long; the limit is {MAX_LENGTH}",
            value=_clip(value),
        )
    # Printable ASCII has none of the refused categories: only other text is scanned.
    for ch in () if value.isascii() and value.isprintable() else value:
        if ch in "\t\n\r":
            continue  # ordinary whitespace, collapsed below
        # Cc = control (NUL…), Cf = format (RTL override U+202E, zero-width space…),
        # Cs/Co = surrogates/private use: all invisible or spoofable, never part of a real ID.
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            raise ValidationError(
                "identifier",
                f"identifier contains the invisible or control character U+{ord(ch):04X}",
                value=_clip(value),
            )
    text = " ".join(value.split())
    if not text:
        raise ValidationError("identifier", "identifier is empty", value=value)
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            "identifier",
            f"identifier is {len(text)} characters long; the limit is {MAX_LENGTH}",
            value=_clip(value),
        )
    return text


@cache
def _stdnum_module(module: str) -> ModuleType:
    """Import stdnum.<module> once; refuse names that are not stdnum number modules."""
    if not _STDNUM_MODULE_RE.fullmatch(module):
        raise ValidationError(
            "validator", f"{module!r} is not a python-stdnum module name", value=module
        )
    try:
        mod = importlib.import_module(f"stdnum.{module}")
    except ImportError:
        raise ValidationError(
            "validator", f"python-stdnum has no module {module!r}", value=module
        ) from None
    if not (callable(getattr(mod, "validate", None)) and callable(getattr(mod, "compact", None))):
        raise ValidationError(
            "validator",
            f"stdnum.{module} is not an identifier checker (it has no validate/compact)",
            value=module,
        )
    return mod


def _label(module: str, mod: ModuleType) -> str:
    """A short English name of the scheme for messages, e.g. 'USCC' or 'LEI'."""
    if module in _LABELS:
        return _LABELS[module]
    title = (mod.__doc__ or module).strip().splitlines()[0]
    return title.split(" (")[0].rstrip(".") or module


# python-stdnum's LEI check cleans the text character by character twice, then turns it into
# base 10 one character at a time: about 13 µs a number (2.7 µs here), 0.13 s for an import of
# 10,000 LEIs. A number already in compact form (20 upper-case letters and digits) whose ISO 7064
# MOD 97-10 checksum is 1 is exactly what stdnum accepts (lei.validate checks nothing else; a
# hypothesis test holds the two to the same answers), so it is accepted here in two C calls.
# Anything else still goes through stdnum, which also words the reasons.
_BASE36 = {ord(c): str(i) for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_COMPACT_LEI = re.compile(r"[0-9A-Z]{20}")


def _plainly_valid_lei(text: str) -> bool:
    """True for a compact LEI with a correct checksum (False means: ask stdnum)."""
    return _COMPACT_LEI.fullmatch(text) is not None and int(text.translate(_BASE36)) % 97 == 1


# stdnum module -> a quick test that accepts only numbers the module accepts unchanged
_SHORTCUTS: dict[str, Callable[[str], bool]] = {"lei": _plainly_valid_lei}


def _check_stdnum(code: str, text: str, module: str) -> CheckedIdentifier:
    """Validate with a python-stdnum module, translating its exceptions into ValidationError."""
    shortcut = _SHORTCUTS.get(module)
    if shortcut is not None and shortcut(text):
        return CheckedIdentifier(code, text, VALID)
    mod = _stdnum_module(module)
    label = _label(module, mod)
    try:
        compact = str(mod.compact(text)).upper()
        mod.validate(compact)
    except StdnumError as exc:
        raise ValidationError(
            "identifier", _stdnum_reason(module, label, _compact_or(mod, text), exc), value=text
        ) from None
    except Exception as exc:  # noqa: BLE001 - stdnum has raw KeyError/ValueError/IndexError bugs
        raise ValidationError(
            "identifier",
            f"not a valid {label}: the {label} checker failed on this value ({type(exc).__name__})",
            value=text,
        ) from None
    return CheckedIdentifier(code, compact, VALID)


def _compact_or(mod: ModuleType, text: str) -> str:
    """The module's compact form of text, or text itself when compact fails."""
    try:
        return str(mod.compact(text)).upper()
    except Exception:  # noqa: BLE001 - only used to word an error message
        return text


def _stdnum_reason(module: str, label: str, number: str, exc: Exception) -> str:
    """A human sentence for a stdnum validation failure."""
    from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

    if isinstance(exc, InvalidChecksum):
        expected = _expected_check(module, number)
        if expected is not None:
            got = number[-len(expected) :]
            what = "check digits are" if len(expected) > 1 else "check character is"
            return f"{label} {what} {got!r} but should be {expected!r}"
        return f"not a valid {label}: the check digit does not match"
    if isinstance(exc, InvalidLength):  # before InvalidFormat: it is a subclass of it
        return (
            f"not a valid {label}: wrong length "
            f"({len(number)} characters after removing separators)"
        )
    if isinstance(exc, InvalidFormat):
        return f"not a valid {label}: it contains characters or a layout the scheme does not allow"
    if isinstance(exc, InvalidComponent):
        return (
            f"not a valid {label}: one of its parts "
            "(such as a country, region or date code) is unknown"
        )
    return f"not a valid {label}: {str(exc).rstrip('.')}"


# Check-digit calculators whose result is the number's trailing character(s); used only to word
# "is X but should be Y" messages. Each takes the full compact number.
def _lei_check(n: str) -> str:
    from stdnum.iso7064 import mod_97_10

    return mod_97_10.calc_check_digits(n[:-2])


_EXPECTED: dict[str, Callable[[str], str]] = {
    "cn.uscc": lambda n: importlib.import_module("stdnum.cn.uscc").calc_check_digit(n[:-1]),
    "isin": lambda n: importlib.import_module("stdnum.isin").calc_check_digit(n[:-1]),
    "imo": lambda n: importlib.import_module("stdnum.imo").calc_check_digit(n),
    "lei": _lei_check,
}


def _expected_check(module: str, number: str) -> str | None:
    """The check character(s) the number should end with, or None when unknown."""
    calc = _EXPECTED.get(module)
    if calc is None:
        return None
    try:
        return str(calc(number))
    except Exception:  # noqa: BLE001 - message wording only
        return None


def _check_cn_ric(code: str, text: str) -> CheckedIdentifier:
    """PRC resident ID: MOD 11-2 decides validity; stdnum's region/birth lookups only advise."""
    from stdnum.cn import ric

    label = _LABELS["cn.ric"]
    number = "".join(text.split()).upper()
    if len(number) != 18:
        raise ValidationError(
            "identifier",
            f"not a valid {label}: it has {len(number)} characters but should have 18",
            value=text,
        )
    # ASCII test by hand: str.isdigit() and int(…, 13) also accept other scripts' digits.
    if not all("0" <= c <= "9" for c in number[:17]) or not (
        "0" <= number[17] <= "9" or number[17] == "X"
    ):
        raise ValidationError(
            "identifier",
            f"not a valid {label}: it must be 17 digits followed by a digit or X",
            value=text,
        )
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise ValidationError(
            "identifier",
            f"{label} check character is {number[17]!r} but should be {expected!r}",
            value=text,
        )
    try:
        ric.validate(number)
    except Exception as exc:  # noqa: BLE001 - InvalidComponent, or KeyError('county') (stdnum bug)
        # The region table is historical and incomplete, so a failed lookup is not proof of a
        # bad number: OFAC lists real IDs that stdnum cannot place. Keep them, flagged.
        return CheckedIdentifier(code, number, CHECKSUM_OK_REGION_UNKNOWN, _ric_note(number, exc))
    return CheckedIdentifier(code, number, VALID)


def _ric_note(number: str, exc: Exception) -> str:
    """Say which advisory lookup failed for a PRC ID whose check digit is right."""
    import datetime

    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return (
            f"check digit is right, but the birth date part {number[6:14]} is not a real date; "
            "region not verified"
        )
    why = "python-stdnum error" if isinstance(exc, KeyError) else "not in python-stdnum's table"
    return (
        f"check digit is right, but region code {number[:6]} could not be verified for birth "
        f"year {number[6:10]} ({why})"
    )


def _clip(value: str, limit: int = 200) -> str:
    """Shorten a value kept on an error so megabyte inputs are not carried around."""
    return value if len(value) <= limit else value[:limit] + "…"


def _show(value: str) -> str:
    """Quote a user value for a message, escaping invisible characters."""
    return ascii(_clip(value, 60))
