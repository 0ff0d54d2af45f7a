"""Open questions: what the analysis could not decide, grouped into one item per kind of gap.

A data gap (an owner nobody identified, a fleet of unknown size, a model not in the catalog) is
not a red flag: listing it once per party buries the findings an analyst must act on. Each
group names its records (each can be opened) with the question asked about each one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from casedesk.services.analysis.graph import CaseGraph

# The compute step reports its gaps as sentences (compute.py); these phrases tell which gap.
_COMPUTE_GAPS = (("accelerator count unknown", "count_unknown"),
                 ("not in the catalog", "model_unknown"),
                 ("accelerator model not stated", "model_unknown"),
                 ("3a090 class undecided", "class_undecided"))


def gap_of(item: Mapping[str, Any]) -> str:
    """The gap an undecided item reports: its own, the compute gap its text names, else its rule."""
    if item.get("gap"):
        return str(item["gap"])
    rule = str(item.get("rule") or "other")
    if rule == "compute":
        text = str(item.get("question", "")).lower()
        for phrase, gap in _COMPUTE_GAPS:
            if phrase in text:
                return gap
    return rule


def group_questions(undecided: Iterable[Mapping[str, Any]], graph: CaseGraph,
                    titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """One open question per gap: {rule, gap, title, record_ids, items: [{record_id, label, question}]}.

    Groups come in the order of `titles` (the data file), then the others by name; within a group
    the records keep the order the analysis met them, each once (its questions joined).
    """
    groups: dict[str, dict[str, Any]] = {}
    for item in undecided:
        gap = gap_of(item)
        g = groups.get(gap)
        if g is None:
            rule = str(item.get("rule") or "other")
            g = groups[gap] = {"rule": rule, "gap": gap,
                               "title": titles.get(gap) or titles.get(rule) or f"Could not decide ({gap})",
                               "record_ids": [], "items": {}}
        ids = [int(r) for r in item.get("record_ids", [])]
        subject = ids[0] if ids else None
        entry = g["items"].get(subject)
        label = graph.name(subject) if subject is not None else ""
        question = str(item.get("question", ""))
        if label and question.startswith(f"{label}: "):
            question = question[len(label) + 2:]  # the item names its record already
        if entry is None:
            entry = g["items"][subject] = {"record_id": subject, "label": label,
                                           "question": question, "record_ids": ids}
            if subject is not None:
                g["record_ids"].append(subject)
        elif question and question not in entry["question"]:
            entry["question"] += "; " + question
    order = {k: i for i, k in enumerate(titles)}
    out = sorted(groups.values(), key=lambda g: (order.get(g["gap"], len(order)), g["gap"]))
    for g in out:
        g["items"] = list(g["items"].values())
        g["count"] = len(g["items"])
    return out


def questions_text(groups: Iterable[Mapping[str, Any]], limit: int = 8) -> list[str]:
    """Plain lines for the CLI: a group's title and count, then its first records."""
    lines = []
    for g in groups:
        lines.append(f"  - {g['title']}: {g['count']} record{'s' if g['count'] != 1 else ''}")
        for it in g["items"][:limit]:
            lines.append(f"      {it['label'] or '(case)'}: {it['question']}")
        if g["count"] > limit:
            lines.append(f"      … and {g['count'] - limit} more")
    return lines
