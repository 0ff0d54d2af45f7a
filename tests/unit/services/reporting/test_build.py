"""The data step: what build_dossier reads for the whole case, for a view, and under redaction."""

from __future__ import annotations

import pytest

from casedesk.domain.errors import NotFoundError, ValidationError
from casedesk.domain.models import ChartPosition
from casedesk.services.analysis.compute_views import case_totals
from casedesk.services.reporting import DossierOptions, build_dossier
from casedesk.services.reporting.eccn import eccn_class
from casedesk.services.reporting.model import Redacted, Scrubbed, is_withheld


def _build(ws, case_id, **options):  # noqa: ANN001, ANN202
    with ws.read() as s:
        return build_dossier(s, case_id, DossierOptions(**options))


def _all_text(value) -> str:  # noqa: ANN001
    if isinstance(value, Redacted):
        return ""
    if isinstance(value, Scrubbed):
        return "".join(p for p in value.parts if isinstance(p, str))
    return value or ""


def test_whole_case_figures_match_the_compute_service(demo):
    d = _build(demo.ws, demo.case_id)
    with demo.ws.read() as s:
        totals = case_totals(s, demo.case_id)
    assert d.compute.accelerators == totals.accelerators == 5600
    assert d.compute.accelerators_text == "at least 5,600"
    assert d.compute.total_tpp == totals.total_tpp
    assert d.compute.controlled_accelerators == 5600
    assert d.compute.controlled_tpp == 5600 * 15832  # the B200 fleet has no count
    assert dict(d.figures.records_by_kind)["Server fleets"] == 3
    assert d.figures.parties == 19 and d.figures.links == 30
    assert any(c.startswith("CN") for c in d.figures.countries_of_concern)
    assert d.cover.scope == "Whole case" and d.cover.workspace_uuid
    assert d.audit.entry_id > 0 and len(d.audit.hash) == 64


def test_fleets_carry_catalog_tpp_and_eccn_class(demo):
    d = _build(demo.ws, demo.case_id)
    brisbane = next(f for f in d.fleets if f.id == demo.ids["Brisbane H100 fleet"])
    assert (brisbane.accelerators, brisbane.qualifier, brisbane.tpp_each) == (2400, "at_least", 15832)
    assert brisbane.eccn == "3A090.a (fleet 4A090.a)"
    assert brisbane.users == (demo.ids["Beijing AI company (unnamed)"],)
    assert brisbane.datacenters == (demo.ids["Brisbane data center (unnamed)"],)


@pytest.mark.parametrize("model,day,expected", [
    ("H100 SXM", "2024-06-01", "3A090.a (fleet 4A090.a)"),
    ("H20", "2024-06-01", "not 3A090"),
    ("L20", "2024-06-01", "not 3A090"),
    ("A800 SXM", "2023-06-01", "not 3A090"),  # 2022 rule: 400 GB/s I/O passes
    ("A800 SXM", "2024-06-01", "3A090.a (fleet 4A090.a)"),
    ("H100 SXM", "2022-01-01", "no rule in force"),
])
def test_eccn_class_comes_from_the_analysis_classifier_under_the_dossier_date(model, day, expected):
    from datetime import date

    from casedesk.domain.vocabulary import default_vocabulary

    spec = default_vocabulary().accelerators.find(model)
    assert eccn_class(spec, date.fromisoformat(day)) == expected


def test_evidence_markers_follow_evidence_order_and_every_cite_points_into_the_register(demo):
    d = _build(demo.ws, demo.case_id)
    assert [e.marker for e in d.evidence] == [1, 2, 3, 4]
    assert [e.id for e in d.evidence] == sorted(e.id for e in d.evidence)
    markers = {e.marker for e in d.evidence}
    cited = {c.marker for r in d.records.values() for c in r.cites} | \
            {c.marker for lk in d.links.values() for c in lk.cites}
    assert cited <= markers and cited
    assert all(len(e.sha256) == 64 for e in d.evidence)
    assert d.evidence[0].grade_text.startswith("Usually reliable")


def test_finding_path_is_ordered_and_oriented_and_cites_its_sources(demo):
    d = _build(demo.ws, demo.case_id)
    assert len(d.findings) == 1
    f = d.findings[0]
    beijing, fleet = demo.ids["Beijing AI company (unnamed)"], demo.ids["Brisbane H100 fleet"]
    assert [(s.from_id, s.to_id, s.forward) for s in f.path] == [(beijing, fleet, True)]
    assert f.severity == "critical" and f.cites and f.outside_view == 0


def test_screening_hits_come_with_their_decision(demo):
    d = _build(demo.ws, demo.case_id)
    (hit,) = d.hits
    assert hit.record_id == demo.ids["Derek Aw"]
    assert (hit.status, hit.reason, hit.explanation) == ("dismissed", "different date of birth", "name matches")


def test_empty_findings_and_hits_tables_give_empty_sections(demo_ws):
    ws, case_id = demo_ws
    d = _build(ws, case_id)
    assert d.findings == () and d.hits == ()


def test_view_limits_records_links_evidence_and_findings(demo):
    ids = demo.ids
    shown = frozenset({ids["Derek Aw"], ids["Aw's GPU platform company (name not given)"],
                       ids["Brisbane H100 fleet"]})
    d = _build(demo.ws, demo.case_id, record_ids=shown)
    assert set(d.records) == shown
    assert all(lk.source_id in shown and lk.target_id in shown for lk in d.links.values())
    assert {lk.type for lk in d.links.values()} == {"officer_of", "owns_asset", "operates"}
    assert [e.marker for e in d.evidence] == [1, 2]  # only evidence cited by what is shown
    assert d.cover.scope.startswith("Current view: 3 of 32 records")
    # The finding concerns the fleet (shown) and Beijing (not shown): kept, with the rest counted.
    (f,) = d.findings
    assert f.path == () and f.other_record_ids == (ids["Brisbane H100 fleet"],) and f.outside_view == 2
    assert d.hits[0].record_id == ids["Derek Aw"]
    assert d.compute.accelerators == 2400 and d.compute.fleets == 1


def test_view_link_ids_limit_links(demo):
    ids = demo.ids
    shown = frozenset({ids["Aw's GPU platform company (name not given)"], ids["Brisbane H100 fleet"]})
    d_all = _build(demo.ws, demo.case_id, record_ids=shown)
    keep = frozenset(sorted(d_all.links)[:1])
    d = _build(demo.ws, demo.case_id, record_ids=shown, link_ids=keep)
    assert len(d_all.links) == 2 and set(d.links) == keep


def test_positions_come_from_the_view_then_saved_rows_then_a_seeded_layout(demo):
    ws, case_id = demo.ws, demo.case_id
    computed = _build(ws, case_id)
    assert computed.positions_source == "computed"
    assert computed.positions == _build(ws, case_id).positions  # deterministic
    with ws.write() as s:
        for n, rid in enumerate(sorted(computed.records)):
            s.add(ChartPosition(case_id=case_id, record_id=rid, x=float(n * 10), y=float(n % 3)))
    saved = _build(ws, case_id)
    assert saved.positions_source == "saved"
    assert saved.positions[sorted(saved.records)[5]] == (50.0, 2.0)
    view = {rid: (1.0 * rid, -2.0 * rid) for rid in computed.records}
    from_view = _build(ws, case_id, positions=view)
    assert from_view.positions_source == "view" and from_view.positions == view


def test_partial_positions_are_completed_in_the_same_frame(demo):
    d0 = _build(demo.ws, demo.case_id)
    some = dict(list(sorted(d0.positions.items()))[:10])
    d = _build(demo.ws, demo.case_id, positions=some)
    assert set(d.positions) == set(d0.records)
    for rid, xy in some.items():
        assert d.positions[rid] == xy


def test_build_is_deterministic(demo):
    assert _build(demo.ws, demo.case_id, redaction="external") == _build(demo.ws, demo.case_id,
                                                                          redaction="external")


def test_external_profile_withholds_person_names_wallets_and_notes_everywhere(demo):
    d = _build(demo.ws, demo.case_id, redaction="external")
    aw = d.records[demo.ids["Derek Aw"]]
    assert isinstance(aw.label, Redacted)
    assert all(isinstance(w.address, Redacted) for w in d.wallets)
    assert all(isinstance(p.notes, Redacted) for p in d.parties if p.notes)
    # "Aw" (his alias) is blacked out inside other records' names too.
    company = d.records[demo.ids["Aw's GPU platform company (name not given)"]]
    assert is_withheld(company.label) and "Aw" not in _all_text(company.label)
    texts = [_all_text(r.label) for r in d.records.values()] + [_all_text(t.title) for t in d.timeline]
    assert not any("Kendler" in t or "Raimondo" in t or "Derek" in t for t in texts)
    assert all(isinstance(e.source, Redacted) for e in d.evidence if e.source)


def test_sensitive_profile_leaves_out_sensitive_records_and_evidence(hostile):
    d = _build(hostile.ws, hostile.case_id, redaction="sensitive")
    assert hostile.ids["secret"] not in d.records
    assert all(hostile.ids["secret"] not in (lk.source_id, lk.target_id) for lk in d.links.values())
    assert [e.title for e in d.evidence] == ["Registry <i>extract</i>"]
    assert d.figures.withheld_records == 1 and d.figures.withheld_evidence == 1
    (f,) = d.findings
    assert "Covert" not in _all_text(f.title) and is_withheld(f.title)
    person = next(p for p in d.parties if p.id == hostile.ids["person"])
    assert isinstance(person.identifiers[0].value, Redacted)
    assert isinstance(person.addresses[0].full, Redacted)
    assert person.label == "Zhang Weiming"  # names stay under this profile
    everything = _build(hostile.ws, hostile.case_id)
    assert hostile.ids["secret"] in everything.records


def test_bad_options_are_refused_with_the_field_named(demo):
    with pytest.raises(ValidationError, match="redact"):
        _build(demo.ws, demo.case_id, redaction="nope")
    with pytest.raises(ValidationError, match="date"):
        _build(demo.ws, demo.case_id, date="25/11/2026")
    with pytest.raises(ValidationError, match="marking"):
        _build(demo.ws, demo.case_id, marking="X" * 81)
    with pytest.raises(NotFoundError):
        _build(demo.ws, 999)


def test_hostile_names_round_trip_on_every_backend(workspace, helpers):
    h = helpers.make_hostile(workspace)
    d = _build(workspace, h.case_id)
    labels = {r.label for r in d.records.values()}
    assert set(helpers.hostile_names.values()) <= labels  # NUL and overrides kept as data


def test_open_questions_are_grouped_and_the_as_of_day_is_stated(demo):
    d = _build(demo.ws, demo.case_id, date="2026-01-05", as_of="2024-05")
    assert d.as_of == "2024-05-31" and d.cover.date == "2026-01-05"
    assert "31 May 2024" in d.eccn_note
    gaps = [q.gap for q in d.open_questions]
    assert len(gaps) == len(set(gaps)) and "count_unknown" in gaps
    q = next(q for q in d.open_questions if q.gap == "count_unknown")
    assert [rid for rid, _ in q.items] == [demo.ids["Planned Blackwell cluster"]]
    assert _build(demo.ws, demo.case_id, date="2026-01-05").as_of == "2026-01-05"
    with pytest.raises(ValidationError, match="as_of"):
        _build(demo.ws, demo.case_id, as_of="2024-13")


def test_a_decommissioned_fleet_shows_its_date_in_the_fleet_entry_and_timeline(demo):
    from casedesk.services.records import get_record, update_record

    fleet = demo.ids["Brisbane H100 fleet"]
    with demo.ws.write() as s:
        update_record(s, fleet, {"decommissioned_on": "2025-03"},
                      expected_version=get_record(s, fleet).version)
    d = _build(demo.ws, demo.case_id)
    assert next(f for f in d.fleets if f.id == fleet).decommissioned_on == "2025-03"
    assert any("Decommissioned: " in _all_text(t.title) for t in d.timeline)


def test_party_profiles_start_with_the_subjects_and_end_with_context(demo, helpers):
    helpers.add_hit(demo.ws, demo.case_id, demo.ids["Google"], status="confirmed", entry_name="GOOGLE (test)")
    d = _build(demo.ws, demo.case_id)
    groups = [p.group for p in d.parties]
    assert groups == sorted(groups, key=["subject", "other", "context"].index)  # grouped, in order
    by_id = {p.id: p for p in d.parties}
    beijing = by_id[demo.ids["Beijing AI company (unnamed)"]]
    assert beijing.group == "subject" and beijing.severity == "critical" and beijing.findings == 1
    # A confirmed screening hit makes a subject, even of a party tagged context, and comes first.
    assert d.parties[0].id == demo.ids["Google"] and d.parties[0].screening == "confirmed"
    assert by_id[demo.ids["Derek Aw"]].group == "other"  # its only hit is dismissed
    assert by_id[demo.ids["Amazon Web Services"]].group == "context"
    assert d.parties[-1].group == "context"
