"""Small helpers the section readers share: joined text, cite order, sorting by label, partial dates, finding explanations and paths"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from casedesk.domain.dates import PartialDate
from casedesk.domain.errors import ValidationError
from casedesk.services.reporting.model import (
    Cite,
    LinkEntry,
    PathStep,
    RecordEntry,
    Redacted,
    Scrubbed,
    Text,
)


def join_text(*parts: Text) -> Text:
    """Concatenate plain, withheld and partly withheld text into one value."""
    flat: list[str | Redacted] = []
    for part in parts:
        items = part.parts if isinstance(part, Scrubbed) else (part,)
        for item in items:
            if isinstance(item, str) and flat and isinstance(flat[-1], str):
                flat[-1] += item
            elif item != "":
                flat.append(item)
    if all(isinstance(p, str) for p in flat):
        return "".join(flat)  # type: ignore[arg-type]
    if len(flat) == 1:
        return flat[0]
    return Scrubbed(tuple(flat))


def _sorted_cites(cites: Iterable[Cite]) -> tuple[Cite, ...]:
    seen, out = set(), []
    for c in sorted(cites, key=lambda c: c.marker):
        key = (c.marker, c.locator if isinstance(c.locator, str) else id(c.locator))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return tuple(out)


def _markers_only(cites: Iterable[Cite]) -> tuple[Cite, ...]:
    return tuple(Cite(m) for m in sorted({c.marker for c in cites}))


def _by_label(entries: Iterable[RecordEntry]) -> list[int]:
    def key(e: RecordEntry) -> tuple[int, str, int]:
        if isinstance(e.label, str):
            return (0, e.label.casefold(), e.id)
        return (1, "", e.id)  # withheld names sort by id, so order reveals nothing
    return [e.id for e in sorted(entries, key=key)]


def _partial(text: str | None) -> PartialDate | None:
    if not text:
        return None
    try:
        return PartialDate(text)
    except ValidationError:
        return None


def count(n: int, word: str, plural: str | None = None) -> str:
    """'1 record', '3 records', '1,200 entries' (plural given when not word + 's')."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def show_day(text: str | None) -> str:
    """A date as the dossier writes every date: '2024', 'June 2024', '1 June 2024' ('' for none)."""
    if not text:
        return ""
    when = _partial(text[:10] if len(text) > 10 and text[10:11] == "T" else text)
    return when.display() if when else text


def show_time(stamp: str | None, *, seconds: bool = False) -> str:
    """A stored UTC timestamp as '20 November 2026, 10:00 UTC' ('' for none)."""
    if not stamp:
        return ""
    day = show_day(stamp[:10])
    clock = stamp[11:19 if seconds else 16] if len(stamp) >= 16 and stamp[10:11] in ("T", " ") else ""
    return f"{day}, {clock} UTC" if clock else day


def hit_reasons(explanation: Any) -> str:
    """Why a screening hit matched, as an investigator writes it: the score, the two names side by
    side and each reason; not the normaliser's trace (its compared forms and steps)."""
    features = explanation.get("features") if isinstance(explanation, dict) else None
    if not isinstance(features, list) or not features:
        return _explain(explanation)
    out = []
    for f in features:
        if not isinstance(f, dict):
            continue
        kind = str(f.get("feature", ""))
        if kind == "name":
            out.append(f"Name {float(f.get('score') or 0):.0f} of 100: “{f.get('case_name', '')}” in the case, "
                       f"“{f.get('list_name', '')}” on the list ({f.get('rule', '')}).")
        elif kind in ("identifier", "wallet"):
            out.append(f"{kind.capitalize()}: {f.get('case_scheme', '')} {f.get('case_value', '')} equals "
                       f"the list's {f.get('list_scheme', '')} {f.get('list_value', '')}.")
        elif "adjust" in f:
            adjust = float(f.get("adjust") or 0)
            out.append(f"{kind.capitalize()} {adjust:+.0f}: {f.get('detail', '')}.")
    return " ".join(out) or _explain(explanation)


def _explain(explanation: Any) -> str:
    """A screening explanation (whatever shape the screening module stores) as one line."""
    if isinstance(explanation, str):
        return explanation
    if isinstance(explanation, dict):
        for key in ("summary", "text", "why"):
            if isinstance(explanation.get(key), str):
                return explanation[key]
        parts = []
        for key in sorted(explanation):
            value = explanation[key]
            if isinstance(value, (str, int, float, bool)):
                parts.append(f"{key}: {value}")
            elif isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
                parts.append(f"{key}: {', '.join(map(str, value))}")
        return "; ".join(parts)
    return ""


def _path(link_ids: Sequence[int], links: dict[int, LinkEntry], record_ids: Sequence[int]) -> list[PathStep]:
    """Order a finding's links as a walk (depth first from its first record), each oriented."""
    if not link_ids:
        return []
    adjacency: dict[int, list[int]] = defaultdict(list)
    for lid in sorted(set(link_ids)):
        lk = links[lid]
        adjacency[lk.source_id].append(lid)
        adjacency[lk.target_id].append(lid)
    starts = [r for r in record_ids if r in adjacency]
    # Prefer an end of the path (a record with one link) so the walk reads from one end.
    ends = [r for r in starts if len(adjacency[r]) == 1] or starts
    if not ends:
        ends = sorted(r for r in adjacency if len(adjacency[r]) == 1) or sorted(adjacency)
    used: set[int] = set()
    steps: list[PathStep] = []

    for start in ends + sorted(adjacency):
        stack = [start]  # iterative depth-first walk: paths can be thousands of links long
        while stack:
            node = stack[-1]
            for lid in adjacency[node]:
                if lid not in used:
                    used.add(lid)
                    lk = links[lid]
                    other = lk.target_id if lk.source_id == node else lk.source_id
                    steps.append(PathStep(lid, node, other, lk.source_id == node))
                    stack.append(other)
                    break
            else:
                stack.pop()
    return steps
