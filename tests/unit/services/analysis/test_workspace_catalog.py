"""The workspace's own catalog: a model an analyst adds is checked, audited and used at once."""

from __future__ import annotations

import pytest
from casedesk.domain.errors import NotFoundError, ValidationError
from casedesk.domain.models import AuditEntry
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.analysis.candidates import nearest_models, unknown_model_question
from casedesk.services.analysis.compute_views import compute_for_record
from casedesk.services.analysis.workspace_catalog import (
    NewModel,
    add_model,
    remove_model,
    workspace_models,
    workspace_vocabulary,
)
from sqlalchemy import select

ASCEND_910D = NewModel(name="Ascend 910D", vendor="Huawei", tpp=9000.0, die_area_mm2=700.0,
                       aliases=("昇腾910D",), prc_made=True, source="vendor datasheet, p. 3")


def test_an_added_model_classifies_its_fleet_at_once(sqlite_ws, build, analyse):
    with build() as b:
        fleet = b.fleet("Shenzhen cluster", model="昇腾910D", servers=10, per=8)
        case = b.case_id
    result, _ = analyse(case)
    assert any("not in the catalog" in u["question"] for u in result.undecided)

    with sqlite_ws.write() as s:
        add_model(s, ASCEND_910D)
    result, by_rule = analyse(case)
    f = next(f for f in result.compute["fleets"] if f["fleet_id"] == fleet)
    assert f["model"] == "Ascend 910D" and f["accelerators"] == 80
    assert f["total_tpp"] == pytest.approx(720_000.0)
    assert not any("not in the catalog" in u["question"] for u in result.undecided)
    assert "prc_advanced_ic" in by_rule  # the PRC-made flag the analyst gave is used too
    with sqlite_ws.read() as s:
        assert compute_for_record(s, fleet).fleet.model_name == "Ascend 910D"  # the inspector reads it too


def test_adding_is_audited_and_removing_too(sqlite_ws):
    with sqlite_ws.write() as s:
        entry = add_model(s, ASCEND_910D)
        code = entry.code
    with sqlite_ws.write() as s:
        remove_model(s, code)
    with sqlite_ws.read() as s:
        acts = [(a.action, a.entity) for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert ("create", "catalog_entry") in acts and ("delete", "catalog_entry") in acts
        assert workspace_models(s) == []
    with sqlite_ws.write() as s, pytest.raises(NotFoundError):
        remove_model(s, code)


@pytest.mark.parametrize("change, field", [
    ({"tpp": 1e12}, "tpp"),            # Epoch's bit-OP/s pasted without dividing by 10^12
    ({"tpp": -5.0}, "tpp"),
    ({"die_area_mm2": -3.0}, "die_area_mm2"),
    ({"name": "H100 SXM5"}, "name"),   # already a shipped model's spelling
    ({"name": "  "}, "name"),
    ({"vendor": ""}, "vendor"),
    ({"source": ""}, "source"),
    ({"aliases": ("A100",)}, "aliases"),
])
def test_bad_figures_and_taken_names_are_refused_with_the_field(sqlite_ws, change, field):
    bad = NewModel(**{**ASCEND_910D.__dict__, **change})
    with sqlite_ws.write() as s, pytest.raises(ValidationError) as err:
        add_model(s, bad)
    assert err.value.field == field
    with sqlite_ws.read() as s:
        assert workspace_models(s) == []  # nothing partly written


def test_the_merged_catalog_is_the_same_however_often_it_is_merged(sqlite_ws):
    with sqlite_ws.write() as s:
        add_model(s, ASCEND_910D)
    with sqlite_ws.read() as s:
        once = workspace_vocabulary(s)
        twice = workspace_vocabulary(s, once)
    assert twice is once
    assert once.accelerators.resolve("Huawei Ascend 910D").model.origin == "workspace"
    assert len(once.accelerators) == len(default_vocabulary().accelerators) + 1


def test_two_long_names_that_share_a_prefix_get_distinct_codes(sqlite_ws):
    stem = "Experimental Accelerator Board Revision"  # longer than the 30 characters a code keeps
    with sqlite_ws.write() as s:
        a = add_model(s, NewModel(name=f"{stem} A", vendor="Lab", tpp=100.0, source="lab notes"))
        b = add_model(s, NewModel(name=f"{stem} B", vendor="Lab", tpp=200.0, source="lab notes"))
    assert a.code != b.code and b.code.startswith(a.code)
    with sqlite_ws.read() as s:
        catalog = workspace_vocabulary(s).accelerators
    assert catalog.find(f"{stem} B").tpp == 200.0


def test_unknown_names_get_scored_candidates_and_ties_name_both():
    catalog = default_vocabulary().accelerators
    near = nearest_models(catalog, "Gaudi 3 HL-325")
    assert near and near[0].name == "Gaudi 3" and near[0].score >= 80
    assert "nearest in the catalog: Gaudi 3 (score" in unknown_model_question(catalog, "Gaudi 3 HL-325")
    assert "no catalog model is near" in unknown_model_question(catalog, "qqqq zzzz")
    tied = catalog.ambiguous("Baidu Kunlun R100")  # the generated catalog's ambiguous_names
    assert len(tied) >= 2
    text = unknown_model_question(catalog, "Baidu Kunlun R100")
    assert all(m.name in text for m in tied) and "equally" in text


def test_a_figure_changed_outside_casedesk_is_named_by_verify(sqlite_ws):
    from casedesk.services.verify_rows import row_problems
    from sqlalchemy import text

    with sqlite_ws.write() as s:
        add_model(s, ASCEND_910D)
    with sqlite_ws.read() as s:
        assert list(row_problems(s, set())) == []
    with sqlite_ws.engine.begin() as conn:  # as someone editing the file with sqlite3 would
        conn.execute(text("UPDATE catalog_entry SET tpp = 1 WHERE code = 'ws_ascend_910d'"))
    with sqlite_ws.read() as s:
        problems = list(row_problems(s, set()))
    assert len(problems) == 1
    subject, reason = problems[0]
    assert "ws_ascend_910d" in subject and reason.startswith("tpp is 1.0 here but 9000.0")
