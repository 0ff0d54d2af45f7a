"""The window title, status-bar totals, bottom tab titles and the busy state"""

from __future__ import annotations

from casedesk.services.analysis.compute_views import case_totals
from casedesk.services.cases import list_cases
from casedesk.services.table_rows import kind_counts
from casedesk.ui import text as ui_text


class StatusTotals:
    """MainWindow's part: The window title, status-bar totals, bottom tab titles and the busy state."""

    def _update_title(self) -> None:
        title = "CaseDesk"
        if self._case_id is not None:
            with self.ops.reading() as s:
                case = next((c for c in list_cases(s) if c.id == self._case_id), None)
            if case is not None:
                title = f"{ui_text.plain(case.title, 80)} — CaseDesk"
        self.setWindowTitle(f"{title} — {ui_text.plain(self.ws.describe(), 80)}")

    def _update_totals(self) -> None:
        if self._case_id is None:
            self.totals_label.setText("No case open")
            return
        with self.ops.reading() as s:
            t = case_totals(s, self._case_id, self.vocab)
        tpp = f"{t.total_tpp / 1e6:,.1f} M TPP" if t.total_tpp >= 1e6 else f"{t.total_tpp:,.0f} TPP"
        text = (f"{t.records:,} records · {t.links:,} links · {t.accelerators_text()} accelerators"
                f" · aggregate {tpp}")
        if t.unknown_fleets:
            text += f" · {t.unknown_fleets} fleet(s) not counted"
        self.totals_label.setText(text)
        self.totals_label.setToolTip("Totals of the open case: accelerators from server fleets "
                                     "(count × per server), counted as GPUs: a system or superchip "
                                     "counts its GPUs (HGX H100 = 8, GB200 NVL72 = 72); TPP from "
                                     "the accelerator catalog (Analysis › Accelerator catalog…)")

    def _update_tab_titles(self) -> None:
        if self._case_id is None:
            return
        with self.ops.reading() as s:
            counts = kind_counts(s, self._case_id)
        for kind, tab in self.tables.items():
            index = self.bottom_tabs.indexOf(tab)
            self.bottom_tabs.setTabText(index, f"{self.vocab.record_kinds[kind].plural} ({counts[kind]:,})")
        n = self.findings.model.rowCount()
        self.bottom_tabs.setTabText(self.bottom_tabs.indexOf(self.findings), f"Findings ({n})" if n else "Findings")

    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 6000)

    def _on_busy_changed(self, busy: bool) -> None:
        self.busy_label.setText("Saving…" if busy else "")
        self._update_action_states()

    def is_idle(self) -> bool:
        """True when no edit or background job is pending."""
        return (not self.ops.busy() and self.runner.pending() == 0 and not self.chart.layout_running
                and not self.chart.layout_pending())
