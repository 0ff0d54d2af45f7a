"""The accelerator catalog: TPP and density pins, and a cross-check against Epoch AI's data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from casedesk.domain.vocabulary import AcceleratorCatalog, default_vocabulary

EPOCH_CSV = (
    Path(__file__).resolve().parents[2] / "data" / "epoch-ai-hardware-clusters" / "ml_hardware.csv"
)
EPOCH_TPP = "Total processing performance (bit-OP/s)"


@pytest.fixture(scope="module")
def catalog() -> AcceleratorCatalog:
    return default_vocabulary().accelerators


@pytest.fixture(scope="module")
def epoch() -> dict[str, dict[str, str]]:
    with EPOCH_CSV.open(encoding="utf-8", newline="") as fh:  # multi-line quoted Notes fields
        return {row["Hardware name"]: row for row in csv.DictReader(fh)}


def test_catalog_has_the_reference_models(catalog):
    assert len(catalog) >= 18
    for code in (
        "h100_sxm",
        "h100_pcie",
        "h800_sxm",
        "h20",
        "h200_sxm",
        "a100_sxm",
        "a800_sxm",
        "l20",
        "l40s",
        "rtx_4090",
        "b100",
        "b200",
        "gb200",
        "mi300x",
        "gaudi2",
        "gaudi3",
        "ascend_910b",
        "ascend_910c",
    ):
        assert catalog[code].source


@pytest.mark.parametrize(
    ("code", "tpp", "pd"),
    [
        ("h100_sxm", 15832, 19.45),
        ("h20", 2368, 2.91),
        ("l20", 1912, 3.14),
        ("a800_sxm", 4989, 6.04),
        ("rtx_4090", 5285, 8.69),
        ("b200", 36000, None),
        ("mi300x", 20919, 20.57),
    ],
)
def test_tpp_and_performance_density_pins(catalog, code, tpp, pd):
    model = catalog[code]
    assert model.tpp == pytest.approx(tpp, abs=0.5)
    if pd is None:
        assert model.performance_density is None
    else:
        assert model.performance_density == pytest.approx(pd, abs=0.005)


def test_datacenter_and_prc_flags(catalog):
    assert not catalog["rtx_4090"].datacenter
    assert catalog["h100_sxm"].datacenter and catalog["b200"].datacenter
    prc = {m.code for m in catalog if m.prc_made}
    assert {"ascend_910b", "ascend_910c", "ascend_920"} <= prc
    assert not any(m.prc_made for m in catalog if m.vendor in ("NVIDIA", "AMD", "Intel", "Google"))


def test_stated_tpp_matches_computed_within_one_percent_or_says_why(catalog):
    checked = 0
    for model in catalog:
        if model.tpp_computed is not None:
            if abs(model.tpp - model.tpp_computed) > 0.01 * model.tpp:
                assert "differs from the highest dense TOPS" in (model.notes or ""), model.code
            checked += 1
    assert checked >= 150


def test_computed_tpp_is_the_highest_precision_product(catalog):
    h100 = catalog["h100_sxm"]
    assert h100.dense_tops == {16: 989.4, 8: 1979}
    assert h100.tpp_computed == pytest.approx(1979 * 8)


@pytest.mark.parametrize(
    ("epoch_name", "code"),
    [
        ("NVIDIA H100 SXM5 80GB", "h100_sxm"),
        ("NVIDIA HGX H20", "h20"),
        ("NVIDIA A100 SXM4 80 GB", "a100_sxm"),
        ("AMD Instinct MI300X", "mi300x"),
    ],
)
def test_cross_check_against_epoch(catalog, epoch, epoch_name, code):
    epoch_tpp = float(epoch[epoch_name][EPOCH_TPP]) / 1e12
    assert catalog[code].tpp == pytest.approx(epoch_tpp, rel=0.001)
    assert catalog.find(epoch_name) is catalog[code]


def test_every_epoch_row_the_catalog_resolves_agrees_on_tpp(catalog, epoch):
    resolved = 0
    for name, row in epoch.items():
        model = catalog.find(name)
        if model is None or not row[EPOCH_TPP]:
            continue
        resolved += 1
        assert model.tpp == pytest.approx(float(row[EPOCH_TPP]) / 1e12, rel=0.01), (
            name,
            model.code,
        )
    assert resolved >= 18


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("h100", "h100_sxm"),
        ("NVIDIA H100 SXM5", "h100_sxm"),
        ("H100-SXM", "h100_sxm"),
        ("  nvidia   h100 sxm5 80gb ", "h100_sxm"),
        ("H100 PCIe", "h100_pcie"),
        ("H20", "h20"),
        ("H200", "h200_sxm"),
        ("A800", "a800_sxm"),
        ("RTX 4090", "rtx_4090"),
        ("HGX B200", "b200"),
        ("B200", "b200"),
        ("Blackwell", "blackwell_unspecified"),
        ("Huawei Ascend 910B", "ascend_910b"),
        ("昇腾910B", "ascend_910b"),
        ("Gaudi2", "gaudi2"),
        ("MI300X", "mi300x"),
    ],
)
def test_find_by_name_or_alias(catalog, name, code):
    assert catalog.find(name) is catalog[code]


def test_find_unknown_returns_none(catalog):
    assert catalog.find("H100X") is None
    assert catalog.find("") is None
    assert catalog.find("---") is None
