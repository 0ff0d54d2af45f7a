"""Reading vocabulary YAML strictly: the loader, sections and entries, and typed field readers.

Every failure raises VocabularyError naming the file, the entry and the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import pycountry
import yaml

from casedesk.domain.errors import VocabularyError

LOWER_CODE = re.compile(r"[a-z][a-z0-9_]*")


def lookup_key(text: str) -> str:
    """Fold a name for lookup: NFKC, casefold, letters and digits only ("H100-SXM" -> "h100sxm")."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EXTRA_COUNTRIES = frozenset({"XK"})  # Kosovo: user-assigned code, used by sanctions lists
_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

# libyaml's parser when present: it loads the vocabulary about ten times faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """SafeLoader where dates stay text, only true/false are booleans and duplicate keys fail."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Dates are parsed by opt_date so a bad one is reported with its entry and field (PyYAML would
# raise a bare ValueError); YAML 1.1's yes/no/on/off booleans would turn Norway's "NO" into False.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_file(directory: Path, file: str, *sections: str) -> dict[str, Any]:
    """Parse one file: a mapping of exactly the named sections (plus "_"-prefixed anchor keys)."""
    path = directory / file
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(file, "(file)", "(file)", f"cannot be read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        fail(file, "(file)", "(file)", "is not UTF-8 text")
    try:
        doc = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        fail(file, where, "(yaml)", f"not valid YAML: {getattr(exc, 'problem', None) or exc}")
    if not isinstance(doc, dict):
        fail(file, "(file)", "(file)", f"expected a mapping of sections, got {describe(doc)}")
    for key in doc:
        if not (isinstance(key, str) and (key in sections or key.startswith("_"))):
            fail(file, "(file)", str(key), f"unknown section (expected {', '.join(sections)})")
    return doc


def entries(
    doc: Mapping[str, Any], file: str, section: str, pattern: re.Pattern[str]
) -> list[tuple[str, dict[str, Any]]]:
    """Return a section's entries as (code, raw) pairs; codes must match `pattern` and be unique."""
    items = doc.get(section)
    if not isinstance(items, list) or not items:
        fail(
            file, "(file)", section, f"expected a non-empty list of entries, got {describe(items)}"
        )
    out: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for i, raw in enumerate(items):
        if not isinstance(raw, dict):
            fail(
                file, f"{section}[#{i + 1}]", "(entry)", f"expected a mapping, got {describe(raw)}"
            )
        code = req_str(raw, file, f"{section}[#{i + 1}]", "code")
        if not pattern.fullmatch(code):
            fail(file, code, "code", f"must match {pattern.pattern}")
        if code in seen:
            fail(file, code, "code", "duplicate code")
        seen.add(code)
        out.append((code, raw))
    return out


def lookup_index(file: str, names: Iterable[tuple[str, Iterable[str]]]) -> Mapping[str, str]:
    """Map folded names to codes; a name that folds to another entry's name is an error."""
    index: dict[str, str] = {}
    for code, spellings in names:
        for name in spellings:
            key = lookup_key(name)
            if not key:
                fail(file, code, "aliases", f"{name!r} has no letters or digits")
            if index.setdefault(key, code) != code:
                fail(file, code, "aliases", f"{name!r} already names {index[key]!r}")
    return MappingProxyType(index)


def fail(file: str, entry: str, field_name: str, reason: str) -> NoReturn:
    raise VocabularyError(file, entry, field_name, reason)


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    kind = {str: "text", int: "a number", float: "a number", list: "a list", dict: "a mapping"}
    return f"{kind.get(type(value), type(value).__name__)} ({value!r:.40})"


def check_fields(
    raw: Mapping[str, Any], file: str, entry: str, allowed: set[str], prefix: str = ""
) -> None:
    for key in raw:
        if key not in allowed:
            fail(
                file,
                entry,
                f"{prefix}{key}",
                f"unknown field (expected one of {', '.join(sorted(allowed))})",
            )


def opt_str(
    raw: Mapping[str, Any], file: str, entry: str, name: str, label: str | None = None
) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        fail(file, entry, label or name, f"expected text, got {describe(value)}")
    if not value.strip():
        fail(file, entry, label or name, "must not be empty (use null)")
    return value.strip()


def req_str(
    raw: Mapping[str, Any], file: str, entry: str, name: str, label: str | None = None
) -> str:
    value = opt_str(raw, file, entry, name, label)
    if value is None:
        fail(file, entry, label or name, "required")
    return value


def req_match(
    raw: Mapping[str, Any], file: str, entry: str, name: str, pattern: re.Pattern[str]
) -> str:
    value = req_str(raw, file, entry, name)
    if not pattern.fullmatch(value):
        fail(file, entry, name, f"{value!r} must match {pattern.pattern}")
    return value


def opt_match(
    raw: Mapping[str, Any], file: str, entry: str, name: str, pattern: re.Pattern[str]
) -> str | None:
    return None if raw.get(name) is None else req_match(raw, file, entry, name, pattern)


def req_choice(
    raw: Mapping[str, Any], file: str, entry: str, name: str, choices: tuple[str, ...]
) -> str:
    value = req_str(raw, file, entry, name)
    if value not in choices:
        fail(file, entry, name, f"{value!r} is not one of {', '.join(choices)}")
    return value


def opt_bool(raw: Mapping[str, Any], file: str, entry: str, name: str) -> bool:
    """Read an optional boolean; absent means false."""
    value = raw.get(name, False)
    if not isinstance(value, bool):
        fail(file, entry, name, f"expected true or false, got {describe(value)}")
    return value


def req_bool(raw: Mapping[str, Any], file: str, entry: str, name: str) -> bool:
    if raw.get(name) is None:
        fail(file, entry, name, "required")
    return opt_bool(raw, file, entry, name)


def number(value: Any, file: str, entry: str, label: str) -> float:
    """Check a positive number (bool is not a number here, though Python says it is)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(file, entry, label, f"expected a number, got {describe(value)}")
    if not value > 0:
        fail(file, entry, label, f"must be positive, got {value}")
    return float(value)


def opt_number(raw: Mapping[str, Any], file: str, entry: str, name: str) -> float | None:
    value = raw.get(name)
    return None if value is None else number(value, file, entry, name)


def req_number(raw: Mapping[str, Any], file: str, entry: str, name: str) -> float:
    if raw.get(name) is None:
        fail(file, entry, name, "required")
    return number(raw[name], file, entry, name)


def opt_int(raw: Mapping[str, Any], file: str, entry: str, name: str) -> int | None:
    value = raw.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        fail(file, entry, name, f"expected a whole number, got {describe(value)}")
    return value


def opt_date(
    raw: Mapping[str, Any], file: str, entry: str, name: str, label: str | None = None
) -> date | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, date):  # a mapping built in code rather than read by _Loader
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        fail(file, entry, label or name, f"expected a date YYYY-MM-DD, got {describe(value)}")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        fail(file, entry, label or name, f"bad date {value!r}: {exc}")


def str_list(
    raw: Mapping[str, Any], file: str, entry: str, name: str, *, required: bool = False
) -> tuple[str, ...]:
    """Read a list of non-empty, distinct strings; absent means empty unless required."""
    value = raw.get(name)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (required and not value):
        fail(
            file,
            entry,
            name,
            f"expected a {'non-empty ' if required else ''}list, got {describe(value)}",
        )
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            fail(file, entry, name, f"expected text items, got {describe(item)}")
        if item.strip() in out:
            fail(file, entry, name, f"{item!r} is listed twice")
        out.append(item.strip())
    return tuple(out)


def check_refs(
    values: Iterable[str], known: Mapping[str, Any], file: str, entry: str, name: str, what: str
) -> None:
    for value in values:
        if value not in known:
            fail(file, entry, name, f"unknown {what} {value!r} (known: {', '.join(known)})")


def opt_country(raw: Mapping[str, Any], file: str, entry: str, name: str) -> str | None:
    return None if raw.get(name) is None else req_country(raw, file, entry, name, key=name)


def req_country(raw: Mapping[str, Any], file: str, entry: str, label: str, *, key: str) -> str:
    """Read an upper-case ISO 3166-1 alpha-2 code that pycountry knows (or XK, Kosovo)."""
    value = req_str(raw, file, entry, key, label)
    if not re.fullmatch(r"[A-Z]{2}", value):
        fail(file, entry, label, f"{value!r} is not an upper-case ISO 3166-1 alpha-2 code")
    if value not in _EXTRA_COUNTRIES and pycountry.countries.get(alpha_2=value) is None:
        fail(file, entry, label, f"unknown country code {value!r}")
    return value
