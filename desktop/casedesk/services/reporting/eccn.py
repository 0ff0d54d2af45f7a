"""PROVISIONAL ECCN 3A090 class of an accelerator model for the dossier's compute inventory.

# PROVISIONAL — switch to services/analysis/classify.py after merging.
The analysis engineer's classifier (rule versions, I/O test, datacenter split, PRC-made flag)
is the authority. Until it lands, the dossier classifies only from the catalog's TPP and
performance density with the 2023 thresholds (resources/reporting/eccn_2023.yaml). To switch,
make `eccn_class` call the analysis module and delete this file's body and the YAML.
"""

from __future__ import annotations

import functools
from typing import Any

import yaml

from casedesk.paths import resources_dir


@functools.cache
def _thresholds() -> dict[str, Any]:
    return yaml.safe_load((resources_dir() / "reporting" / "eccn_2023.yaml").read_text(encoding="utf-8"))


def eccn_rule() -> str:
    """The rule the provisional classification applies (shown in the dossier)."""
    return str(_thresholds()["rule"])


def eccn_class(tpp: float | None, performance_density: float | None) -> str:
    """'3A090.a', '3A090.b', 'not 3A090', or 'unknown' (PROVISIONAL: 2023 thresholds only)."""
    if tpp is None:
        return "unknown"
    t = _thresholds()
    a, b = t["a"], t["b"]
    pd = performance_density
    if tpp >= a["tpp_min"] or (tpp >= a["tpp_min_dense"] and pd is not None and pd >= a["pd_min_dense"]):
        return "3A090.a"
    if tpp < b["tpp_min"]:
        return "not 3A090"
    if pd is None:
        return "unknown (die area not public)"
    in_b1 = b["tpp_band"][0] <= tpp < b["tpp_band"][1] and b["pd_band"][0] <= pd < b["pd_band"][1]
    in_b2 = b["pd_band_2"][0] <= pd < b["pd_band_2"][1]
    return "3A090.b" if in_b1 or in_b2 else "not 3A090"
