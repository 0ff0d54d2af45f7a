"""Dossier sections about the case: cover, summary, findings, chart, timeline, screening, evidence, appendix"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from casedesk import __version__
from casedesk.services.reporting.chart_drawing import link_chart
from casedesk.services.reporting.entry_helpers import count, show_day, show_time
from casedesk.services.reporting.fingerprint import fingerprint_text
from casedesk.services.reporting.flowables import (
    _Heading,
)
from casedesk.services.reporting.page_style import (
    CHUNK_ROWS,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE,
)
from casedesk.services.reporting.text import markup, plain


class CaseSections:
    """_Story's part: Dossier sections about the case."""

    def cover(self) -> None:
        d, st, c = self.d, self.st, self.d.cover
        banner = Table([[Paragraph(markup(c.marking, self.f.bold), ParagraphStyle(
            "banner", parent=st.h2, alignment=TA_CENTER, textColor=colors.white, spaceBefore=0,
            spaceAfter=0))]], colWidths=[self.width])
        banner.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), self.f.sans, 9),
                                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#8b0000")),
                                    ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        self.out += [
            _Heading("", ParagraphStyle("anchor", parent=st.small, fontSize=1, leading=1), "sec-cover",
                     "Cover", 0),
            banner, Spacer(1, 30 * mm),
            self.p("CASEDESK DOSSIER", ParagraphStyle("kicker", parent=st.small, textColor=colors.HexColor(
                "#5b6670"), fontName=self.f.bold, fontSize=9, spaceAfter=6)),
            self.p(self.t(c.title, 400), st.title),
            Spacer(1, 6 * mm),
        ]
        self.out.append(self.facts([
            ("Classification", markup(c.marking)),
            *((label, self.t(value, 200)) for label, value in c.properties),
            ("Author", markup(c.author) or "—"),
            ("Date", markup(show_day(c.date))),
            ("As of", f"{markup(show_day(d.as_of or c.date))}: compute, ECCN classes and open questions "
                      "describe the case on this day"),
            ("Case", f"case {c.case_id}"),
            ("Workspace", f'{markup(c.workspace_name)} <font face="{self.f.mono}">{markup(c.workspace_uuid)}</font>'),
            ("Scope", markup(c.scope)),
            ("Redaction", f"{markup(c.redaction_label)} (profile <i>{markup(c.redaction)}</i>)"),
            ("Audit-chain head", f'entry {d.audit.entry_id:,} <font face="{self.f.mono}">{d.audit.hash}</font>'),
            ("Produced by", f"CaseDesk {__version__}"),
        ], key_width=100))
        self.out += [Spacer(1, 10 * mm), self.p(
            "Every statement in this dossier is followed by markers such as [E1] that point into the "
            "evidence register, which lists each source with its SHA-256 and its grade (source "
            "reliability A–F, information credibility 1–6). The appendix explains how to verify "
            "the dossier against the workspace it was made from.", st.note),
            NextPageTemplate("portrait"), PageBreak()]

    def sec_summary(self) -> None:
        d, st = self.d, self.st
        fig, comp = d.figures, d.compute
        self.out.append(self.heading("sec-summary", "Executive summary"))
        if d.cover.description:
            self.out.append(self.record_p(d.cover.description))
        findings_open = sum(o + c for _s, o, c, _d in fig.findings_by_severity)
        pairs = [
            ("Scope", markup(d.cover.scope)),
            ("Records", ", ".join(f"{n:,} {markup(k.lower())}" for k, n in fig.records_by_kind) or "none"),
            ("Links", f"{fig.links:,}"),
            ("Parties", f"{fig.parties:,}"),
            ("Parties in countries of concern", ", ".join(fig.countries_of_concern) or "none recorded"),
            ("Server fleets", f"{comp.fleets:,}" + (f" ({comp.unknown_fleets} with unknown count or model)"
                                                    if comp.unknown_fleets else "")),
            ("Accelerators", markup(comp.accelerators_text)),
            ("Controlled accelerators", f"{comp.controlled_accelerators:,} in fleets whose model classifies "
                                        "as 3A090.a"),
            ("Controlled TPP", f"{comp.controlled_tpp:,.0f} TPP in those fleets"),
            ("Total processing performance", f"{comp.total_tpp:,.0f} TPP (≈ {comp.h100_equivalents:,.0f} "
                                             "H100 SXM equivalents)"),
            ("Findings", f"{findings_open:,} open or confirmed, "
                         f"{sum(x[3] for x in fig.findings_by_severity):,} dismissed"),
            ("Open questions", f"{count(len(d.open_questions), 'data gap')} concerning "
                               f"{count(sum(len(q.items) for q in d.open_questions), 'record')}"
                               if d.open_questions else "none"),
            ("Screening hits", ", ".join(f"{n:,} {markup(s)}" for s, n in fig.hits_by_status) or "none"),
            ("Evidence items", f"{fig.evidence:,}"),
        ]
        self._subjects_table()
        self.out.append(self.p("Key figures", st.h3))
        self.out.append(self.facts(pairs, key_width=150))
        if fig.findings_by_severity:
            self.out.append(self.p("Findings by severity", st.h3))
            rows = [[Paragraph(self._severity(s), st.cell), f"{o:,}", f"{c:,}", f"{x:,}"]
                    for s, o, c, x in fig.findings_by_severity]
            self.out += self.table(["Severity", "Open", "Confirmed", "Dismissed"], rows, [110, 60, 60, 60],
                                   extra=[("ALIGN", (1, 1), (-1, -1), "RIGHT")])
            top = [f for f in d.findings if f.status != "dismissed"][:5]
            if top:
                self.out.append(self.p("Most severe findings", st.h3))
                for f in top:
                    self.out.append(self.p(f"{self._severity(f.severity)} {self.t(f.title, 300)} "
                                           f"{self.cites(f.cites)}", st.body))
        if d.notes:
            self.out.append(Spacer(1, 4))
        for note in d.notes:
            self.out.append(self.p(markup(note), st.note))

    def _subjects_table(self) -> None:
        """The parties under investigation, before anything else about the case."""
        subjects = [p for p in self.d.parties if p.group == "subject"]
        if not subjects:
            return
        st, w = self.st, self.width
        self.out.append(self.p("Subjects", st.h3))
        rows = []
        for p in subjects:
            where = p.country + (f" (headquarters {p.hq_country})" if p.hq_country and p.hq_country != p.country
                                 else "")
            rows.append([self.ref_cell(p.id, w - 300), self.cell(p.party_kind, 65), self.cell(where, 75),
                         Paragraph(self._severity(p.severity) if p.severity else "—", st.cell),
                         self.cell(p.findings or "—", 45), self.cell(p.screening or "—", 55)])
        self.out += self.table(["Party", "Kind", "Jurisdiction", "Most severe", "Findings", "Screening"],
                               rows, [w - 300, 65, 75, 60, 45, 55],
                               extra=[("ALIGN", (4, 1), (4, -1), "RIGHT")])

    def sec_findings(self) -> None:
        d, st = self.d, self.st
        self.out.append(self.heading("sec-findings", "Findings"))
        if not d.findings:
            self.out.append(self.p("No findings are recorded for what this dossier covers: either the "
                                   "analysis has not been run, or it raised no red flags."))
            return
        dismissed_header = False
        for n, f in enumerate(d.findings, 1):
            if f.status == "dismissed" and not dismissed_header:
                self.out.append(self.p("Dismissed findings", st.h2))
                dismissed_header = True
            title = f"F{n}. " + plain(f.title, limit=100)
            block: list[Flowable] = [self.heading(
                f"find-{f.id}", title, level=1, style=st.h2,
                text=f'{self._severity(f.severity)} <b>F{n}.</b> {markup(f.title, self.f.bold, limit=600)}')]
            status = f"Status: <b>{markup(f.status)}</b>"
            if f.decided_by or f.decided_at:
                status += (f" by {markup(f.decided_by or 'an unnamed user')}"
                           + (f" on {markup(show_time(f.decided_at))}" if f.decided_at else ""))
            if f.reason:
                status += f" — reason: {self.t(f.reason)}"
            status += f" · red flag: {markup(f.rule_title)}"
            block.append(self.p(status, st.note))
            if f.explanation:
                block.append(self.p(f"{self.t(f.explanation, None)} {self.cites(f.cites)}"))
            elif f.cites:
                block.append(self.p(f"Sources: {self.cites(f.cites)}"))
            if f.path:
                rows = []
                for step in f.path:
                    lk = d.links[step.link_id]
                    arrow = "→" if step.forward else "←"
                    rows.append([self.ref_cell(step.from_id, 120),
                                 Paragraph(f"{arrow} {self.link_text(lk)} {arrow}"
                                           + (f" <font color='#666666'>({self.t(lk.role, 200)})</font>"
                                              if lk.role else ""), st.cell),
                                 self.ref_cell(step.to_id, 120),
                                 self.cell(self.dates(lk.start_on, lk.end_on), 60),
                                 self.cites_cell(lk.cites, self.width - 420)])
                block.append(self.p("Explaining path", st.h3))
                block += self.table(["From", "Link", "To", "When", "Sources"], rows,
                                    [120, 120, 120, 60, self.width - 420])
            if f.other_record_ids:
                block.append(self.p("Also concerns: " + "; ".join(self.ref(r) for r in f.other_record_ids),
                                    st.note))
            if f.outside_view:
                block.append(self.p(f"{count(f.outside_view, 'record or link', 'records or links')} of "
                                    f"this finding {'is' if f.outside_view == 1 else 'are'} outside "
                                    "this dossier's view or withheld.", st.note))
            self.out.append(KeepTogether(block) if len(f.path) < 12 else block[0])
            if len(f.path) >= 12:
                self.out += block[1:]

    def sec_questions(self) -> None:
        """Open questions: one entry per data gap listing its records (never a red flag)."""
        d, st = self.d, self.st
        self.out.append(self.heading("sec-questions", "Open questions"))
        self.out.append(self.p(
            f"What the analysis as of {markup(show_day(d.as_of))} could not decide because data is missing: "
            "each entry is one kind of gap with the records it concerns. These are questions to "
            "research, not red flags.", st.note))
        if d.analysis_as_of and d.analysis_as_of != d.as_of:
            self.out.append(self.p(
                f"The findings above come from the analysis as of {markup(show_day(d.analysis_as_of))}; "
                f"run the analysis as of {markup(show_day(d.as_of))} for findings on this dossier's day.",
                st.note))
        if not d.open_questions:
            self.out.append(self.p("None: every figure and owner the rules need is recorded."))
            return
        for n, q in enumerate(d.open_questions, 1):
            block: list[Flowable] = [self.heading(
                f"question-{n}", f"Q{n}. " + plain(q.title, limit=100), level=1, style=st.h2,
                text=f"<b>Q{n}.</b> {markup(q.title, self.f.bold, limit=600)} ({len(q.items):,})")]
            rows = [[Paragraph(self.ref(rid) if rid is not None else "the case", st.cell),
                     self.cell(question, self.width - 160)] for rid, question in q.items]
            if rows:
                block += self.table(["Record", "Question"], rows, [160, self.width - 160])
            if q.outside_view:
                block.append(self.p(f"{count(q.outside_view, 'more record')} "
                                    f"{'is' if q.outside_view == 1 else 'are'} outside this dossier's "
                                    "view or withheld.", st.note))
            self.out.append(KeepTogether(block) if len(rows) < 12 else block[0])
            if len(rows) >= 12:
                self.out += block[1:]

    def sec_chart(self) -> None:
        d, st = self.d, self.st
        land = landscape(PAGE)
        width = land[0] - 2 * MARGIN_X
        height = land[1] - MARGIN_TOP - MARGIN_BOTTOM - 62
        chart = link_chart(d, width, height)
        caption = (f"{len(d.records):,} records and {len(d.links):,} links. " + markup(d.notes[-1] if d.notes else "")
                   + " Arrows point from source to target and read as the link's label (ownership links "
                   "show the share). Names are shortened on the chart; the profiles give them in full.")
        if chart.labelled_records < len(d.records):
            caption += f" Only the {chart.labelled_records:,} most connected records are named."
        if chart.omitted_link_labels:
            caption += (f" {count(chart.omitted_link_labels, 'link label')} "
                        f"{'is' if chart.omitted_link_labels == 1 else 'are'} left off where they would "
                        "overlap; the colour gives the kind of link.")
        self.out += [NextPageTemplate("landscape"), PageBreak(), self.heading("sec-chart", "Link chart"),
                     chart.drawing, self.p(caption, st.caption), NextPageTemplate("portrait"), PageBreak()]

    def sec_timeline(self) -> None:
        d, st, w = self.d, self.st, self.width
        self.out.append(self.heading("sec-timeline", "Timeline"))
        if not d.timeline:
            self.out.append(self.p("No dated events, links, installations or contract terms."))
            return
        self.out.append(self.p("Events, dated links, fleet installations and contract terms in date order. "
                               "Dates keep the precision the source gives (a year, a month or a day; "
                               "“about” when approximate). Sources of an event are those cited for the "
                               "record it concerns.", st.note))
        rows = [[self.cell(t.when, 78), self.cell(t.until, 62), self.cell(t.title, w - 228),
                 self.cell(t.source, 40), self.cites_cell(t.cites, 48)] for t in d.timeline]
        self.out += self.table(["When", "Until", "What", "Kind", "Sources"], rows,
                               [78, 62, w - 228, 40, 48])

    def sec_screening(self) -> None:
        d, st, w = self.d, self.st, self.width
        self.out.append(self.heading("sec-screening", "Screening hits and decisions"))
        if not d.hits:
            self.out.append(self.p("No screening hits are recorded for what this dossier covers: either "
                                   "screening has not been run, or it found no matches."))
            return
        rows = []
        for h in d.hits:
            decision = f"<b>{markup(h.status)}</b>"
            if h.decided_by or h.decided_at:
                decision += f"<br/>{markup(h.decided_by)} {markup(show_day(h.decided_at))}"
            if h.reason:
                decision += f"<br/>{self.t(h.reason)}"
            # Attributed to the program the entry is listed under and the list snapshot it came from.
            source = f"<b>{self.t(h.program, 200)}</b><br/>" if h.program else ""
            source += self.t(h.list_name, 200)
            if h.list_marker is not None:
                source += f' <a href="#list-{h.list_marker}" color="#1f5fa8">[L{h.list_marker}]</a>'
            rows.append([self.ref_cell(h.record_id, 90), Paragraph(source, st.cell),
                         self.cell(h.entry_name, 90), self.cell(f"{h.score:.0f}", 32),
                         Paragraph(decision, st.cell), self.cell(h.explanation, w - 402)])
        self.out += self.table(["Record", "Program and list", "Listed entry", "Score", "Decision",
                                "Why it matched"], rows, [90, 110, 90, 32, 80, w - 402],
                               extra=[("ALIGN", (3, 1), (3, -1), "RIGHT")])
        if d.screening_note:
            self.out.append(self.p(markup(d.screening_note), st.note))

    def sec_evidence(self) -> None:
        d = self.d
        self.out.append(self.heading("sec-evidence", "Evidence register"))
        if not d.evidence:
            self.out.append(self.p("No evidence in this dossier."))
        else:
            self._evidence_table()
        self._lists_table()

    def _lists_table(self) -> None:
        """The screening-list snapshots the hits come from, each with its hash (markers [L1] …)."""
        d, st, w = self.d, self.st, self.width
        if not d.lists:
            return
        self.out.append(self.p("Screening lists", st.h3))
        self.out.append(self.p("Each list snapshot the case was screened against or a hit comes from, with "
                               "the programs of the matched entries and the SHA-256 of the file loaded.",
                               st.note))
        rows = []
        for x in d.lists:
            programs = "<br/>".join(markup(p) for p in x.programs)
            rows.append([Paragraph(f'<a name="list-{x.marker}"/><b>[L{x.marker}]</b>', st.cell),
                         Paragraph(f"<b>{markup(x.name)}</b>" + (f"<br/>{programs}" if programs else ""),
                                   st.cell),
                         self.cell(x.snapshot_date or "not stated", 80), self.cell(f"{x.entries:,}", 50),
                         self.cell(f"{x.hits:,}", 35)])
            name = f" · {self.t(x.filename, 200)}" if x.filename else ""
            rows.append(["", Paragraph(f'SHA-256 <font face="{self.f.mono}">{x.sha256}</font>{name} · '
                                       f"loaded {markup(x.imported_at)}", st.small), "", "", ""])
        self.out += self._paired_table(["Marker", "List and programs matched", "Snapshot", "Entries", "Hits"],
                                       rows, [40, w - 205, 80, 50, 35])

    def _evidence_table(self) -> None:
        d, st, w = self.d, self.st, self.width
        self.out.append(self.p("Each source once, with the marker used in the text, its grade (source "
                               "reliability A–F; information credibility 1–6) and the SHA-256 of the stored "
                               "content, which <font face='%s'>casedesk verify</font> re-computes." % self.f.mono,
                               st.note))
        rows = []
        for e in d.evidence:
            who = [x for x in (self.t(e.source, 400), self.t(e.author, 200)) if x]
            rows.append([Paragraph(f'<a name="ev-{e.marker}"/><b>[E{e.marker}]</b>', st.cell),
                         Paragraph(f"<b>{self.t(e.title, 600)}</b>" + (f"<br/>{'; '.join(who)}" if who else ""),
                                   st.cell),
                         self.cell(e.kind, 45), self.cell(e.source_date, 70),
                         Paragraph(f"<b>{e.reliability}{e.credibility}</b> {markup(e.grade_text)}", st.cell),
                         self.cell(e.citations, 35)])
            size = f" · {e.size:,} bytes" if e.size is not None else ""
            name = f" · {self.t(e.filename, 200)}" if e.filename else ""
            rows.append(["", Paragraph(f'SHA-256 <font face="{self.f.mono}">{e.sha256}</font>{size}{name}',
                                       st.small), "", "", "", ""])
        self.out += self._paired_table(["Marker", "Title and source", "Kind", "Date", "Grade", "Cited"],
                                       rows, [40, w - 300, 45, 70, 110, 35])

    def _paired_table(self, header: Sequence[str], rows: list[list[Any]], widths: Sequence[float]) -> list[Flowable]:
        """A table of row pairs: each second row spans from the second column on; pairs never split."""
        out: list[Flowable] = []
        step = CHUNK_ROWS - CHUNK_ROWS % 2
        for start in range(0, len(rows), step):
            chunk = rows[start:start + step]
            extra = []
            for i in range(0, len(chunk), 2):
                extra += [("SPAN", (1, i + 2), (-1, i + 2)), ("NOSPLIT", (0, i + 1), (-1, i + 2)),
                          ("LINEBELOW", (0, i + 1), (-1, i + 1), 0.25, colors.white),
                          ("TOPPADDING", (0, i + 2), (-1, i + 2), 0)]
            out += self.table(header, chunk, widths, extra=extra)
        return out

    def sec_appendix(self) -> None:
        d, st, c = self.d, self.st, self.d.cover
        mono = self.f.mono
        self.out.append(self.heading("sec-appendix", "Appendix: verifying this dossier"))
        self.out.append(self.facts([
            ("Audit-chain head", f'entry {d.audit.entry_id:,} of {d.audit.entries:,}, recorded {markup(show_time(d.audit.at))}'),
            ("Head hash", f'<font face="{mono}">{d.audit.hash}</font>'),
            *_receipt_facts(d, mono),
            ("Workspace id", f'<font face="{mono}">{markup(c.workspace_uuid)}</font>'),
            ("Case id", str(c.case_id)),
            ("Scope", markup(c.scope)),
            ("Redaction profile", markup(c.redaction)),
            ("Classification", markup(c.marking)),
            ("Fonts", "DejaVu Sans, DejaVu Sans Mono, WenQuanYi Micro Hei and Symbola, embedded as subsets"),
        ], key_width=110))
        steps = [
            f"Run <font face='{mono}'>casedesk --db WORKSPACE verify --json</font> on the workspace this "
            "dossier names. It re-computes every evidence hash and re-walks the audit chain; "
            "<font face='%s'>\"ok\": true</font> means nothing stored was altered." % mono,
            f"Run <font face='{mono}'>casedesk --db WORKSPACE verify --dossier THIS.pdf</font>. It reads the "
            "fingerprint this dossier carries in its metadata (workspace id, case id, audit entry and head "
            "hash) and checks that the workspace is the same one and that its audit chain still holds entry "
            f"{d.audit.entry_id:,} with the hash above. It also says whether the workspace changed after "
            "the dossier was made (a newer audit head), and checks the head receipt above: its "
            "signature, and that the workspace still holds that many entries up to that one.",
            "The evidence register lists the SHA-256 of every source; the same hash identifies the "
            "stored content in the workspace.",
            f"Re-running <font face='{mono}'>casedesk report</font> with the same options on an unchanged "
            "workspace gives a byte-identical PDF, so comparing the SHA-256 of two files shows whether they "
            "come from the same state.",
        ]
        self.out.append(self.p("How to check it", st.h3))
        for i, text in enumerate(steps, 1):
            self.out.append(Paragraph(text, ParagraphStyle(f"step{i}", parent=st.body, leftIndent=14,
                                                           bulletIndent=0), bulletText=f"{i}."))
        self.out.append(self.p(f'Fingerprint: <font face="{mono}" size=7>{markup(fingerprint_text(d))}</font>',
                               st.small))


def _receipt_facts(d: Any, mono: str) -> list[tuple[str, str]]:
    """The signed head receipt: entry count + head hash signed by the install that made the dossier."""
    r = d.audit.receipt
    if not r:
        return []
    return [("Head receipt", f'{r["entries"]:,} entries up to entry {r["head_id"]:,}, signed by key '
                             f'<font face="{mono}">{r["key_id"]}</font>'),
            ("Public key", f'<font face="{mono}" size=7>{r["public_key"]}</font>'),
            ("Signature", f'<font face="{mono}" size=6>{r["signature"]}</font>')]
