"""A small case builder for analysis tests: records and links through the ordinary services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from casedesk.services.cases import create_case
from casedesk.services.links import add_link
from casedesk.services.records import RecordIn, add_contract_party, create_record

AS_OF = date(2025, 6, 1)


@dataclass
class CaseBuilder:
    """Creates records and links in one open write session."""

    session: Any
    case_id: int
    _wallets: int = 0

    def _record(self, kind: str, label: str, fields: dict[str, Any]) -> int:
        clean = {k: v for k, v in fields.items() if v is not None}
        return create_record(self.session, self.case_id, RecordIn(kind, {"label": label, **clean})).id

    def party(self, label: str, kind: str = "company", country: str | None = None,
              hq: str | None = None, **fields: Any) -> int:
        return self._record("party", label, {"party_kind": kind, "country": country,
                                             "hq_country": hq, **fields})

    def fleet(self, label: str, model: str | None = "H100 SXM", servers: int | None = 10,
              per: int | None = 8, qualifier: str = "exact", **fields: Any) -> int:
        return self._record("server", label, {"accelerator_model": model, "server_count": servers,
                                              "accelerators_per_server": per,
                                              "count_qualifier": qualifier, **fields})

    def dc(self, label: str, country: str | None = None, **fields: Any) -> int:
        return self._record("datacenter", label, {"country": country, **fields})

    def wallet(self, label: str, chain: str = "ETH") -> int:
        self._wallets += 1
        return self._record("wallet", label, {"chain": chain, "address": f"0x{self._wallets:040x}"})

    def contract(self, label: str, ctype: str = "compute_rental",
                 parties: tuple[tuple[int, str], ...] = (), **fields: Any) -> int:
        cid = self._record("contract", label, {"contract_type": ctype, **fields})
        for pid, role in parties:
            add_contract_party(self.session, cid, pid, role)
        return cid

    def link(self, link_type: str, source: int, target: int, **fields: Any) -> int:
        return add_link(self.session, self.case_id, link_type, source, target, **fields).id


@pytest.fixture
def build(sqlite_ws):  # noqa: ANN001, ANN201
    """build() opens a write transaction on a new case and yields a CaseBuilder."""
    @contextmanager
    def _build() -> Iterator[CaseBuilder]:
        with sqlite_ws.write() as s:
            yield CaseBuilder(s, create_case(s, "analysis test").id)
    return _build


@pytest.fixture
def analyse(sqlite_ws):  # noqa: ANN001, ANN201
    """analyse(case_id, as_of=AS_OF) runs the analysis; returns (result, {rule: [findings]})."""
    from casedesk.services.analysis.engine import run_analysis
    from casedesk.services.findings import list_findings
    from casedesk.services.progress import run_to_end

    def _analyse(case_id: int, as_of: date = AS_OF):  # noqa: ANN202
        with sqlite_ws.write() as s:
            result = run_to_end(run_analysis(s, case_id, as_of=as_of))
        with sqlite_ws.read() as s:
            by_rule: dict[str, list[dict[str, Any]]] = {}
            for f in list_findings(s, case_id):
                if f["status"] != "resolved":
                    by_rule.setdefault(f["rule"], []).append(f)
        return result, by_rule
    return _analyse
