"""Redaction profiles (resources/reporting/redaction_profiles.yaml) and the scrubber that applies them.

A profile says which records are left out (sensitive ones) and which fields are blacked out.
Withheld values never reach the dossier object: a field becomes `Redacted`, and mentions of
withheld names, addresses or identifiers inside other free text become `Scrubbed` parts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from casedesk.domain.errors import ValidationError, VocabularyError
from casedesk.paths import resources_dir
from casedesk.services.reporting.model import Redacted, Scrubbed, Text

FIELDS = ("notes", "person_names", "person_identifiers", "person_addresses", "wallet_addresses",
          "tx_hashes", "evidence_sources", "decision_reasons", "locators")
_MIN_TERM = 2  # a one-character term would black out that character everywhere


@dataclass(frozen=True)
class RedactionProfile:
    """A named profile: whether sensitive material is left out and which fields are blacked out."""

    code: str
    label: str
    description: str
    omit_sensitive: bool
    black_out: frozenset[str]

    def hides(self, field_name: str) -> bool:
        """True if the field is blacked out under this profile."""
        return field_name in self.black_out


def profiles_path() -> Path:
    """Where the profiles file lives."""
    return resources_dir() / "reporting" / "redaction_profiles.yaml"


@functools.cache
def _load(path: Path) -> dict[str, RedactionProfile]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(path.name, "profiles", "-", f"cannot read the file: {exc}") from None
    out: dict[str, RedactionProfile] = {}
    for code, raw in (data.get("profiles") or {}).items():
        if not isinstance(raw, dict):
            raise VocabularyError(path.name, str(code), "-", "a profile must be a mapping")
        black_out = raw.get("black_out") or []
        unknown = sorted(set(black_out) - set(FIELDS))
        if unknown:
            raise VocabularyError(path.name, str(code), "black_out", f"unknown field(s) {', '.join(unknown)}"
                                  f" (known: {', '.join(FIELDS)})")
        out[str(code)] = RedactionProfile(str(code), str(raw.get("label") or code),
                                          " ".join(str(raw.get("description") or "").split()),
                                          bool(raw.get("omit_sensitive")), frozenset(black_out))
    if "none" not in out:
        raise VocabularyError(path.name, "none", "-", "the profile 'none' is required")
    return out


def redaction_profiles() -> dict[str, RedactionProfile]:
    """Every profile, in file order."""
    return dict(_load(profiles_path()))


def get_profile(code: str) -> RedactionProfile:
    """The profile with this code, or a ValidationError naming the known ones."""
    profiles = redaction_profiles()
    if code not in profiles:
        raise ValidationError("redact", f"unknown redaction profile {code!r} "
                              f"(known: {', '.join(profiles)})")
    return profiles[code]


class Scrubber:
    """Blacks out every mention of withheld terms (names, addresses, identifiers) in free text."""

    def __init__(self, terms: Iterable[str]):
        cleaned = sorted({t.strip() for t in terms if t and len(t.strip()) >= _MIN_TERM},
                         key=lambda t: (-len(t), t))
        self._pattern = None
        if cleaned:
            # Word boundaries only where the term starts/ends with a word character, so CJK names
            # (no spaces between words) still match inside a sentence; longest terms first.
            alternatives = []
            for term in cleaned:
                body = re.escape(term)
                if _is_latin_word(term[0]):
                    body = r"(?<!\w)" + body
                if _is_latin_word(term[-1]):
                    body = body + r"(?!\w)"
                alternatives.append(body)
            self._pattern = re.compile("|".join(alternatives), re.IGNORECASE)

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, value: str | None, what: str = "withheld") -> Text:
        """The value with every withheld term replaced by a Redacted part."""
        if not value or self._pattern is None:
            return value or ""
        parts: list[str | Redacted] = []
        last = 0
        for match in self._pattern.finditer(value):
            if match.start() > last:
                parts.append(value[last:match.start()])
            parts.append(Redacted(what))
            last = match.end()
        if not parts:
            return value
        if last < len(value):
            parts.append(value[last:])
        return Scrubbed(tuple(parts))


def _is_latin_word(ch: str) -> bool:
    """True for word characters of scripts that separate words by spaces (not CJK)."""
    return (ch.isalnum() or ch == "_") and ord(ch) < 0x2E80
