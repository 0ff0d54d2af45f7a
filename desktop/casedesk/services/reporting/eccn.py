"""The ECCN class shown in the dossier's compute inventory, from the analysis classifier.

One authority classifies accelerators (services/analysis/classify.py: rule versions with their
effective dates, the 2022 I/O test, the datacenter split, the PRC-made flag); the dossier asks it
under the regime in force on the dossier's date.
"""

from __future__ import annotations

from datetime import date

from casedesk.domain.vocabulary import AcceleratorModel
from casedesk.services.analysis.classify import classify_model, default_rules, fleet_eccn


def eccn_class(model: AcceleratorModel, on: date) -> str:
    """'3A090.a (→ 4A090.a)', 'not 3A090', 'undecided: …' or 'no rule' for a model on a day."""
    c = classify_model(model, on)
    if c.status == "controlled":
        fleet = fleet_eccn(c)
        return f"{c.eccn} (fleet {fleet})" if fleet else str(c.eccn)
    if c.status == "undecided":
        return f"undecided: {c.reason}"
    return "not 3A090" if c.status == "not_controlled" else "no rule in force"


def eccn_rule(on: date) -> str:
    """The label and period of the rule applied on a day."""
    regime = default_rules().regime_on(on)
    return f"{regime.label} ({regime.period()})" if regime else "no advanced-computing rule"
