"""The rule registry: every rule function by id, and the rule data (red_flags.yaml) checked against it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from casedesk.domain.errors import VocabularyError
from casedesk.paths import resources_dir
from casedesk.services.analysis.datafile import read_data_file
from casedesk.services.analysis.rules import crypto, fleets, ownership_chains, watchlist_hits
from casedesk.services.analysis.rules.context import RuleFunction

_FILE = "red_flags.yaml"
SEVERITIES = ("critical", "high", "medium", "low", "info")
# the modules whose RULES tuples make up the registry
_RULE_MODULES = (fleets, ownership_chains, crypto, watchlist_hits)


@dataclass(frozen=True)
class RuleSpec:
    """A rule's data: id, title, severity, description, source and parameters."""

    id: str
    title: str
    severity: str
    description: str
    source: str
    params: dict[str, Any]
    in_force_from: date | None = None  # the rule applies to analyses as of this day or later

    def in_force(self, on: date) -> bool:
        """True if the rule applies to an analysis as of `on`."""
        return self.in_force_from is None or self.in_force_from <= on


@dataclass(frozen=True)
class RuleBook:
    """Every rule's data, in file order, the ownership walk settings and open-question titles."""

    rules: tuple[RuleSpec, ...]
    ownership: dict[str, Any]
    questions: dict[str, str] = field(default_factory=dict)  # gap or rule id -> title

    def get(self, rule_id: str) -> RuleSpec:
        """The spec of a rule (KeyError if unknown)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def registered_rules() -> dict[str, RuleFunction]:
    """The registered rule functions by id (ValueError if two modules register the same id)."""
    functions: dict[str, RuleFunction] = {}
    for module in _RULE_MODULES:
        for rule_id, fn in module.RULES:
            if rule_id in functions:
                raise ValueError(f"rule {rule_id!r} registered twice")
            functions[rule_id] = fn
    return functions


@functools.cache
def default_rulebook() -> RuleBook:
    """The shipped rule data (resources/analysis/red_flags.yaml), loaded once."""
    return load_rulebook(resources_dir() / "analysis" / _FILE)


def rule_title(rule_id: str) -> str:
    """The red flag's title as the rule data gives it ("entered by hand" for a manual finding; the
    id in words for a rule this version no longer has)."""
    if rule_id == "manual":
        return "entered by hand"
    try:
        return default_rulebook().get(rule_id).title
    except KeyError:
        return rule_id.replace("_", " ")


def load_rulebook(path: Path) -> RuleBook:
    """Load and check a rules file against the registry (VocabularyError names entry and field)."""
    functions = registered_rules()
    doc = read_data_file(path, _FILE)
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise VocabularyError(_FILE, "(file)", "rules", "expected a list of rules")
    specs = []
    for i, raw in enumerate(doc["rules"]):
        if not isinstance(raw, dict):
            raise VocabularyError(_FILE, f"rules[#{i + 1}]", "(entry)", "expected a mapping")
        rid = str(raw.get("id") or f"rules[#{i + 1}]")
        for name in ("id", "title", "severity", "description", "source"):
            if not isinstance(raw.get(name), str) or not raw[name].strip():
                raise VocabularyError(_FILE, rid, name, "is required text")
        unknown = set(raw) - {"id", "title", "severity", "description", "source", "params",
                              "in_force_from"}
        if unknown:
            raise VocabularyError(_FILE, rid, sorted(unknown)[0], "unknown field")
        if raw["severity"] not in SEVERITIES:
            raise VocabularyError(_FILE, rid, "severity", f"one of {', '.join(SEVERITIES)}")
        params = raw.get("params") or {}
        if not isinstance(params, dict):
            raise VocabularyError(_FILE, rid, "params", "expected a mapping")
        for key, value in params.items():
            if key.startswith("severity") and value not in SEVERITIES:
                raise VocabularyError(_FILE, rid, f"params.{key}", f"one of {', '.join(SEVERITIES)}")
            if key.endswith("_from"):
                try:
                    date.fromisoformat(str(value))
                except ValueError:
                    raise VocabularyError(_FILE, rid, f"params.{key}", "a YYYY-MM-DD date") from None
        if rid not in functions:
            raise VocabularyError(_FILE, rid, "id", "no rule function is registered under this id")
        since = raw.get("in_force_from")
        if since is not None:
            try:
                since = date.fromisoformat(str(since))
            except ValueError:
                raise VocabularyError(_FILE, rid, "in_force_from", f"{since!r} is not a YYYY-MM-DD date") from None
        specs.append(RuleSpec(rid, raw["title"], raw["severity"], raw["description"], raw["source"],
                              params, since))
    missing = set(functions) - {s.id for s in specs}
    if missing:
        raise VocabularyError(_FILE, sorted(missing)[0], "id", "registered rule has no entry")
    questions = doc.get("open_questions") or {}
    if not isinstance(questions, dict) or not all(isinstance(v, str) and v.strip()
                                                  for v in questions.values()):
        raise VocabularyError(_FILE, "open_questions", "(entry)", "expected gap: title text")
    return RuleBook(tuple(specs), dict(doc.get("ownership") or {}),
                    {str(k): v.strip() for k, v in questions.items()})
