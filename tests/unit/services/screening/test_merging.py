"""Merging records keeps their screening: hits, decisions and the findings confirmed hits raised."""

from __future__ import annotations

from factories import make_case, make_hit, make_party
from sqlalchemy import select

from casedesk.domain.models import Finding
from casedesk.domain.watchlists import DuplicateDecision, ScreeningHit
from casedesk.services.records import merge_records
from casedesk.services.restore import merge_captured, unmerge
from casedesk.services.screening.hits import decide_hit


def _hits(s, record_id):
    return {h.entry_key: (h.status, h.reason, h.score)
            for h in s.scalars(select(ScreeningHit).where(ScreeningHit.record_id == record_id))}


def test_a_confirmed_hit_of_the_dropped_record_moves_to_the_kept_one_with_its_finding(workspace):
    with workspace.write() as s:
        case_id = make_case(s)
        keep, drop = make_party(s, case_id, "Aurora Compute"), make_party(s, case_id, "Aurora Compute Ltd")
        hit = make_hit(s, case_id, drop, "SDN-1")
        decide_hit(s, hit, "confirmed", "same registration number")
    with workspace.write() as s:
        merge_records(s, keep, drop)
    with workspace.read() as s:
        assert _hits(s, keep) == {"SDN-1": ("confirmed", "same registration number", 90.0)}
        finding = s.scalar(select(Finding).where(Finding.rule == "screening_hit"))
        assert finding.record_ids == [keep] and finding.subject_key.startswith(f"{keep}:")


def test_the_same_entry_twice_keeps_the_stronger_decision_and_both_reasons(workspace):
    with workspace.write() as s:
        case_id = make_case(s)
        keep, drop = make_party(s, case_id, "Jade Systems"), make_party(s, case_id, "Jade Systems Inc.")
        decide_hit(s, make_hit(s, case_id, keep, "EL-7", score=80.0), "dismissed", "different city")
        decide_hit(s, make_hit(s, case_id, drop, "EL-7", score=95.0), "confirmed", "address matches")
        make_hit(s, case_id, drop, "EL-8")
    with workspace.write() as s:
        merge_records(s, keep, drop)
    with workspace.read() as s:
        hits = _hits(s, keep)
        assert set(hits) == {"EL-7", "EL-8"}
        status, reason, score = hits["EL-7"]
        assert status == "confirmed" and score == 95.0
        assert "address matches" in reason and "different city" in reason
        assert s.scalar(select(ScreeningHit).where(ScreeningHit.record_id == drop)) is None


def test_not_the_same_decisions_move_and_the_pair_itself_goes(workspace):
    from casedesk.domain.clock import now_iso

    with workspace.write() as s:
        case_id = make_case(s)
        keep, drop, other = (make_party(s, case_id, n) for n in ("A Co", "A Company", "B Co"))
        for a, b in ((keep, drop), (drop, other)):
            s.add(DuplicateDecision(case_id=case_id, record_a=min(a, b), record_b=max(a, b),
                                    reason="checked", decided_at=now_iso()))
    with workspace.write() as s:
        merge_records(s, keep, drop)
    with workspace.read() as s:
        pairs = {(d.record_a, d.record_b) for d in s.scalars(select(DuplicateDecision))}
        assert pairs == {(min(keep, other), max(keep, other))}


def test_undoing_the_merge_gives_each_record_its_hits_and_decisions_back(workspace):
    with workspace.write() as s:
        case_id = make_case(s)
        keep, drop = make_party(s, case_id, "Jade Systems"), make_party(s, case_id, "Jade Systems Inc.")
        decide_hit(s, make_hit(s, case_id, keep, "EL-7", score=80.0), "dismissed", "different city")
        decide_hit(s, make_hit(s, case_id, drop, "EL-7", score=95.0), "confirmed", "address matches")
        make_hit(s, case_id, drop, "EL-8")
    with workspace.read() as s:
        before = (_hits(s, keep), _hits(s, drop))
        subjects = sorted(f.subject_key for f in s.scalars(select(Finding)))
    with workspace.write() as s:
        cap = merge_captured(s, keep, drop)
    with workspace.write() as s:
        unmerge(s, cap)
    with workspace.read() as s:
        assert (_hits(s, keep), _hits(s, drop)) == before
        assert sorted(f.subject_key for f in s.scalars(select(Finding))) == subjects
