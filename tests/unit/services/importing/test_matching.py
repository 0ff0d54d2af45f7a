"""The background fuzzy scorer: same results as scoring at the end, cancel and errors handled."""

from __future__ import annotations

import pytest

from casedesk.services.importing.case_index import CaseIndex
from casedesk.services.importing.entities import Entity, RowSpans
from casedesk.services.importing.fuzzy_names import FuzzyScorer, name_key


def _case(names: list[str]) -> CaseIndex:
    """A CaseIndex over these party names, without a database."""
    index = CaseIndex.__new__(CaseIndex)
    index.threshold, index.limit, index._sorted = 88.0, 3, {}
    index.labels = dict(enumerate(names, start=1))
    index.name_keys = {"party": [name_key(n) for n in names]}
    index.name_ids = {"party": list(index.labels)}
    return index


def _entities(names: list[str]) -> list[tuple[Entity, str]]:
    return [
        (Entity(f"k{i}", "party", n, "company", RowSpans(i + 2, 5)), name_key(n))
        for i, n in enumerate(names)
    ]


CASE = ["Aurora Compute Holdings Limited", "Lingxi Data Pte Ltd", "华为技术有限公司"]
INCOMING = ["Aurora Compute Holdings Ltd", "Lingxi Data Pte. Ltd", "华为技术有限公司 ", "Nothing Alike"]


def test_batches_scored_aside_give_what_one_pass_at_the_end_gives():
    case = _case(CASE)
    items = _entities(INCOMING * 50)
    scorer = FuzzyScorer(case)
    for start in range(0, len(items), 30):
        scorer.submit(items[start : start + 30])
    aside = {(e.key, tuple(sorted(h))) for e, h in scorer.finish()}
    at_end = {(e.key, tuple(sorted(h))) for e, h in case.fuzzy_scores(items, workers=-1)}
    assert aside == at_end
    # similar and identical-after-normalising names are scored; the unrelated one is not
    assert {key for key, _ in aside} == {f"k{i}" for i in range(200) if i % 4 != 3}


def test_applied_results_become_candidates_below_identical():
    case = _case(CASE)
    items = _entities(INCOMING)
    scorer = FuzzyScorer(case)
    scorer.submit(items)
    case.apply_fuzzy(scorer.finish())
    aurora = items[0][0]
    assert [c.record_id for c in aurora.candidates] == [1]
    assert 88 <= aurora.candidates[0].score < 100 and not aurora.candidates[0].exact
    # identical names are exact-name candidates (match_exact), never fuzzy ones
    assert all(not e.candidates for e, _ in items[1:])


def test_an_error_on_the_scoring_thread_is_raised_by_finish(monkeypatch):
    case = _case(CASE)

    def broken(items, *, workers=-1):  # noqa: ANN001, ANN202
        raise RuntimeError("scoring failed")

    monkeypatch.setattr(case, "fuzzy_scores", broken)
    scorer = FuzzyScorer(case)
    scorer.submit(_entities(INCOMING))
    with pytest.raises(RuntimeError, match="scoring failed"):
        scorer.finish()


def test_cancel_stops_the_thread_and_drops_what_is_queued():
    case = _case(CASE)
    scorer = FuzzyScorer(case)
    scorer.cancel()
    scorer.submit(_entities(INCOMING))  # too late: nothing is scored any more
    assert not scorer._thread.is_alive()
    assert scorer._results == []


def test_each_kind_is_compared_with_its_own_names_only():
    case = _case(CASE)
    case.name_keys["datacenter"] = [name_key("Brisbane Data Centre One")]
    case.name_ids["datacenter"] = [9]
    case.labels[9] = "Brisbane Data Centre One"
    items = _entities(["Aurora Compute Holdings Ltd", "", "Brisbane Data Center One"])
    items[2][0].kind = "datacenter"
    items.append((Entity("k9", "datacenter", "Aurora Compute Holdings Ltd", None, RowSpans(9, 5)),
                  name_key("Aurora Compute Holdings Ltd")))
    found = {e.key: [rid for _, rid in hits] for e, hits in case.fuzzy_scores(items)}
    # the party finds the party; the data centre named like the party finds nothing
    assert found == {"k0": [1], "k2": [9]}
