"""A fleet written as a system or superchip counts its GPUs in the analysis and in the dossier."""

from __future__ import annotations

from datetime import date

import pytest

from casedesk.services.analysis.compute import fleet_compute
from casedesk.services.analysis.graph import FleetRow


@pytest.mark.parametrize(("written", "boards", "gpus", "model"), [
    ("GB200 NVL72", 2, 144, "GB200 GPU"),
    ("HGX H100", 10, 80, "H100 SXM"),
    ("DGX H100", 3, 24, "H100 SXM"),
    ("GH200", 5, 5, "GH200"),
    ("H100 SXM", 7, 7, "H100 SXM"),
])
def test_a_system_counts_its_gpus_and_their_tpp(written, boards, gpus, model):
    row = FleetRow(written, 1, boards, "exact", "", None, None, None)
    f = fleet_compute(1, row, "fleet", as_of=date(2026, 1, 1))
    assert f.accelerators == gpus
    assert f.model_name == model
    assert f.total_tpp == pytest.approx(gpus * f.tpp_each)


def test_the_dossier_counts_a_system_fleet_alike_and_says_what_a_unit_is(sqlite_ws, build):
    from casedesk.services.reporting import build_dossier

    with build() as b:
        fleet = b.fleet("Eos", model="NVIDIA DGX H100", servers=576, per=1)
        case = b.case_id
    with sqlite_ws.read() as s:
        d = build_dossier(s, case)
    entry = next(f for f in d.fleets if f.id == fleet)
    assert entry.accelerators == 4608 and entry.catalog_name == "H100 SXM"
    assert entry.unit.endswith("= 8 × H100 SXM")
    assert entry.tpp_total == pytest.approx(4608 * entry.tpp_each)
