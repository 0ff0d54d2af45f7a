"""The catalog generator: the shipped catalog is its output, published TPPs, bad rows, speed."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from casedesk.domain.errors import VocabularyError
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.domain.vocabulary.accelerator_loading import load_accelerators
from casedesk.services.analysis import catalog_build as cb


@pytest.fixture(scope="module")
def built() -> cb.BuildResult:
    return cb.build_catalog()


def test_shipped_catalog_equals_the_generators_output(built):
    shipped = cb.OUTPUT_FILE.read_text(encoding="utf-8")
    assert shipped == cb.render_yaml(built), "resources/vocab/accelerators.yaml is stale: run `make catalog`"


def test_every_row_with_a_tpp_is_a_model_and_the_rest_are_listed(built):
    rows = cb.read_rows(cb.CSV_FILE)
    assert len(rows) == 170 and built.rows == 170
    assert {(i, n) for i, n, _ in built.skipped} == {
        (102, "Intel Habana GAUDI HL-205"), (162, "Huawei Ascend 910B1 (v2)")}
    catalog = default_vocabulary().accelerators
    covered = {r for m in catalog for r in m.source_rows}
    assert covered | {i for i, _, _ in built.skipped} == set(range(1, 171))
    assert built.data_with_pd == 97


@pytest.mark.parametrize(
    ("name", "tpp", "pd"),
    [
        ("NVIDIA H100 SXM5 80GB", 15832, 19.45),
        ("A100", 4992, 6.04),
        ("NVIDIA HGX H20", 2368, 2.91),
        ("昇腾910B", 6016, None),  # Epoch row 63 'Huawei Ascend 910B': 376 TFLOPS FP16 × 16
        ("Huawei Ascend 910B3", 5008, None),
    ],
)
def test_published_tpps(name, tpp, pd):
    model = default_vocabulary().accelerators.find(name)
    assert model is not None
    assert model.tpp == pytest.approx(tpp, abs=0.5)
    if pd is None:
        assert model.performance_density is None
    else:
        assert model.performance_density == pytest.approx(pd, abs=0.005)


def test_entries_carry_source_row_vendor_and_prc_flag():
    catalog = default_vocabulary().accelerators
    h100 = catalog["h100_sxm"]
    assert h100.source_rows == (55, 35)  # 'NVIDIA H100 SXM5 80GB' and its die 'NVIDIA GH100'
    assert "row 55 'NVIDIA H100 SXM5 80GB'" in h100.source and h100.io_gbps == 900
    assert catalog["ascend_910b"].prc_made and catalog["ascend_910b"].vendor == "Huawei"
    assert catalog.find("Cambricon MLU370-X8").prc_made
    assert not catalog.find("GeForce RTX 3090").datacenter


@pytest.mark.parametrize(
    ("name", "code", "gpus"),
    [
        ("HGX H100", "h100_sxm", 8),
        ("NVIDIA DGX H100", "h100_sxm", 8),
        ("GH200", "gh200", 1),
        ("GB200", "gb200", 2),
        ("NVIDIA GB200 NVL72", "gb200", 72),
        ("H100 SXM5 80GB", "h100_sxm", 1),
    ],
)
def test_systems_count_their_gpus(name, code, gpus):
    hit = default_vocabulary().accelerators.resolve(name)
    assert hit is not None and hit.model.code == code and hit.gpus_per_unit == gpus


def test_a_name_fitting_two_models_is_ambiguous_not_guessed():
    catalog = default_vocabulary().accelerators
    assert catalog.find("V100 PCIe") is None
    assert {m.code for m in catalog.ambiguous("V100 PCIe")} == {
        "tesla_v100_pcie_16_gb", "tesla_v100_pcie_32_gb"}


def _bad_csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    with cb.CSV_FILE.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, header)
        w.writeheader()
        for r in rows:
            w.writerow({"Hardware name": r["name"], "Manufacturer": "Acme", **r["cells"]})
    return path


def test_absurd_rows_get_a_reason_never_a_class(tmp_path):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("rows: {}\n", encoding="utf-8")
    path = _bad_csv(tmp_path, [
        {"name": "Acme Huge", "cells": {cb.TPP_COLUMN: "1e24"}},  # TPP 10^12 after ÷ 10^12
        {"name": "Acme Negative", "cells": {cb.TPP_COLUMN: "5e15", cb.DIE_COLUMN: "-300"}},
        {"name": "Acme Blank", "cells": {}},
        {"name": "Acme Fine", "cells": {cb.TPP_COLUMN: "2e15", cb.DIE_COLUMN: "400"}},
    ])
    result = cb.build_catalog(path, overlay)
    reasons = {name: why for _, name, why in result.skipped}
    assert "outside the plausible" in reasons["Acme Huge"] and "10^12" in reasons["Acme Huge"]
    assert "no TPP" in reasons["Acme Blank"]
    by_name = {m["name"]: m for m in result.models}
    neg = by_name["Negative"]
    assert neg["die_area_mm2"] is None and "die area is unusable" in neg["notes"]
    assert by_name["Fine"]["die_area_mm2"] == 400 and "Huge" not in by_name


def test_loader_rejects_absurd_figures_naming_entry_and_field(tmp_path):
    text = cb.OUTPUT_FILE.read_text(encoding="utf-8").replace("  tpp: 15832\n", "  tpp: 1000000000000\n", 1)
    (tmp_path / "accelerators.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError) as info:
        load_accelerators(tmp_path)
    assert (info.value.entry, info.value.field) == ("h100_sxm", "tpp")
    assert "10^12" in str(info.value)
    text = cb.OUTPUT_FILE.read_text(encoding="utf-8").replace("  die_area_mm2: 814\n", "  die_area_mm2: -814\n", 1)
    (tmp_path / "accelerators.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError, match="must be positive"):
        load_accelerators(tmp_path)


def test_overlay_mistakes_are_reported(tmp_path):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("rows:\n  No Such Chip: {code: x}\n", encoding="utf-8")
    with pytest.raises(cb.BuildError, match="No Such Chip"):
        cb.build_catalog(cb.CSV_FILE, overlay)


def test_regenerating_takes_under_two_seconds(tmp_path):
    start = time.perf_counter()
    cb.write_catalog(tmp_path / "accelerators.yaml")
    assert time.perf_counter() - start < 2.0
    assert load_accelerators(tmp_path).find("H100") is not None
