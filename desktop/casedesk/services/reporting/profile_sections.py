"""Dossier sections about the parties: profiles with their links, compute, contracts"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Flowable,
    Paragraph,
)

from casedesk.services.reporting.entry_helpers import count, show_day, show_time
from casedesk.services.reporting.model import PARTY_GROUPS
from casedesk.services.reporting.rtl_paragraph import holds_rtl
from casedesk.services.reporting.text import markup, plain

GROUP_TITLES = dict(PARTY_GROUPS)
GROUP_NOTES = {
    "subject": "The parties the findings and screening hits are about, most severe first.",
    "other": "Parties of the case that no finding or screening hit concerns.",
    "context": "Parties recorded for context (tagged “context”): officials, providers, publications.",
}


class ProfileSections:
    """_Story's part: Dossier sections about the parties."""

    def sec_parties(self) -> None:
        d, st = self.d, self.st
        self.out.append(self.heading("sec-parties", "Party profiles"))
        if not d.parties:
            self.out.append(self.p("No parties in this dossier."))
            return
        w = self.width
        group_style = ParagraphStyle("group", parent=st.h1, fontSize=13, leading=16, spaceBefore=8,
                                     spaceAfter=2, keepWithNext=1)
        group = None
        for prof in d.parties:
            if prof.group != group:
                group = prof.group
                self.out.append(self.heading(f"parties-{group}", GROUP_TITLES[group], level=1,
                                             style=group_style))
                self.out.append(self.p(GROUP_NOTES[group], st.note))
            head = self.heading(f"rec-{prof.id}", plain(prof.label, limit=100), level=2, style=st.h2,
                                text=markup(prof.label, self.f.bold, limit=300))
            meta = [markup(prof.party_kind)]
            if prof.findings:
                meta.append(f"{prof.findings} finding{'s' if prof.findings > 1 else ''}, most severe "
                            f"{self._severity(prof.severity)}")
            if prof.screening:
                meta.append(f"screening hit <b>{markup(prof.screening)}</b>")
            if prof.country:
                meta.append(f"jurisdiction {markup(prof.country)}")
            if prof.hq_country and prof.hq_country != prof.country:
                meta.append(f"headquarters {markup(prof.hq_country)}")
            if prof.tags:
                meta.append("tags: " + ", ".join(markup(t) for t in prof.tags))
            meta.append(f"record {prof.id}")
            located = any(c.locator for c in prof.cites)
            block: list[Flowable] = [head, self.p(" · ".join(meta) + ("" if located else " " + self.cites(prof.cites)),
                                                  st.note)]
            if located:
                block.append(self.p("Sources: " + self.cites(prof.cites, locators=True), st.small))
            self.out += block
            if isinstance(prof.label, str) and len(prof.label) > 300:
                self.out.append(self.p("Full name: " + self.t(prof.label, None), st.small))
            if prof.website:
                self.out.append(self.p(f"Website: {self.t(prof.website, None)}", st.small))
            if prof.description:
                self.out.append(self.record_p(prof.description, st.body))
            if len(prof.names) > 1:  # a single name is the heading already
                rows = [[self.cell(n.name, w - 240), self.cell(n.script, 90), self.cell(n.language, 50),
                         self.cell(n.kind, 100)] for n in prof.names]
                self.out += self.table(["Name", "Script", "Lang.", "Kind"], rows, [w - 240, 90, 50, 100])
            if prof.identifiers:
                rows = [[self.cell(i.scheme, 150), self.cell(i.value, w - 310, style=st.mono),
                         self.cell(i.status, 90), self.cell(i.country, 70)] for i in prof.identifiers]
                self.out += self.table(["Scheme", "Identifier", "Check", "Country"], rows,
                                       [150, w - 310, 90, 70])
            if prof.addresses:
                rows = [[self.cell(a.full, w - 170), self.cell(a.city, 100), self.cell(a.country, 70)]
                        for a in prof.addresses]
                self.out += self.table(["Address", "City", "Country"], rows, [w - 170, 100, 70])
            self._links_table("Links from this party", prof.links_out, outgoing=True)
            self._links_table("Links to this party", prof.links_in, outgoing=False)
            if prof.notes:
                self.out.append(self.p("Notes", st.h3))
                self.out.append(self.record_p(prof.notes, st.body))
            noted = [lid for lid in prof.links_out if d.links[lid].notes]
            for lid in noted:
                lk = d.links[lid]
                head = f"Note on “{self.link_text(lk)}” → {self.ref(lk.target_id)}:"
                if holds_rtl(lk.notes):
                    # Right-to-left notes are a paragraph of their own, so they wrap in order.
                    self.out += [self.p(head, st.small), self.record_p(lk.notes, st.small)]
                else:
                    self.out.append(self.p(f"{head} {self.t(lk.notes, None)}", st.small))

    def _links_table(self, title: str, link_ids: Sequence[int], *, outgoing: bool) -> None:
        if not link_ids:
            return
        d, st, w = self.d, self.st, self.width
        rows = []
        for lid in link_ids:
            lk = d.links[lid]
            other = lk.target_id if outgoing else lk.source_id
            rows.append([self.link_cell(lk, 95), self.ref_cell(other, w - 345),
                         self.cell(lk.role, 95), self.cell(self.dates(lk.start_on, lk.end_on), 75),
                         self.cell(lk.grade, 32), self.cites_cell(lk.cites, 48)])
        self.out.append(self.p(title, st.h3))
        self.out += self.table(["Link", "From" if not outgoing else "To", "Role", "When", "Grade",
                                "Sources"], rows, [95, w - 345, 95, 75, 32, 48])

    def sec_compute(self) -> None:
        d, st, w = self.d, self.st, self.width
        comp = d.compute
        self.out.append(self.heading("sec-compute", "Compute inventory"))
        self.out.append(self.p(
            f"{count(comp.fleets, 'server fleet')} with {markup(comp.accelerators_text)} accelerators and "
            f"{comp.total_tpp:,.0f} TPP in total (≈ {comp.h100_equivalents:,.0f} H100 SXM equivalents); "
            f"{comp.controlled_accelerators:,} accelerators are of models that classify as 3A090.a."
            + (f" {count(comp.unknown_fleets, 'fleet')} "
               + ("has an unknown count or a model outside the catalog and is" if comp.unknown_fleets == 1
                  else "have an unknown count or a model outside the catalog and are")
               + " not fully counted." if comp.unknown_fleets else "")))
        if d.fleets:
            rows = []
            for f in d.fleets:
                who = []
                for label, ids in (("at", f.datacenters), ("owner", f.owners), ("operator", f.operators),
                                   ("used by", f.users)):
                    if ids:
                        who.append(f"{label} " + ", ".join(self.ref(r) for r in ids))
                model = markup(f.catalog_name or f.accelerator_model or "—")
                if f.accelerator_model and not f.catalog_name:
                    model += " <font color='#8b0000'>(not in catalog)</font>"
                if f.unit:  # a system or superchip: say what one unit counts as
                    model += f"<br/><font size=6.5 color='#666666'>counted as {markup(f.unit)}</font>"
                units = "—"
                word = {"at_least": "≥ ", "about": "≈ ", "at_most": "≤ "}.get(f.qualifier, "")
                if f.accelerators is not None:
                    units = f"{word}{f.accelerators:,}"
                detail = []
                if f.server_count is not None:
                    detail.append(f"{word}{f.server_count:,} servers")
                if f.per_server is not None:
                    detail.append(f"× {f.per_server}")
                if detail:
                    units += f"<br/><font size=6.5 color='#666666'>{' '.join(detail)}</font>"
                tpp = (f"{f.tpp_each:,.0f} each" if f.tpp_each else "—") + (
                    f"<br/>{f.tpp_total:,.0f} total" if f.tpp_total else "")
                status = markup(f.status.replace("_", " ")) if f.status else ""
                for label, value in (("installed", f.installed_on), ("in service from", f.in_service_on),
                                     ("decommissioned", f.decommissioned_on)):
                    if value:
                        status += f"<br/>{label} {markup(show_day(value))}"
                if f.days_to_service is not None:
                    status += f"<br/>{f.days_to_service} days to service"
                rows.append([
                    Paragraph(self.anchor(f.id) + f"<b>{self.t(f.label, 300)}</b>", st.cell),
                    Paragraph(model, st.cell), Paragraph(units, st.cell), Paragraph(tpp, st.cell),
                    self.cell(f"{f.performance_density:.2f}" if f.performance_density else "—", 30),
                    Paragraph(markup(f.eccn), st.cell), Paragraph(status, st.cell),
                    self.cites_cell(f.cites, 48)])
                # The fleet's places and parties on a full-width second row.
                rows.append(["", Paragraph("; ".join(who) if who else "<font color='#777777'>No data center, "
                                           "owner, operator or user linked.</font>", st.small),
                             "", "", "", "", "", ""])
            self.out += self._paired_table(["Fleet", "Accelerator", "Count", "TPP", "PD", "ECCN*", "Status",
                                            "Sources"], rows, [w - 399, 58, 70, 68, 30, 50, 75, 48])
        else:
            self.out.append(self.p("No server fleets in this dossier."))
        self.out.append(self.p("* " + markup(d.eccn_note) + " PD: performance density (TPP per mm² of "
                               "logic die). Counts keep their qualifier: ≥ at least, ≈ about.", st.caption))
        dcs = [r for r in d.records.values() if r.kind == "datacenter"]
        if dcs:
            hosted: dict[int, list[int]] = {}
            for f in d.fleets:
                for dc in f.datacenters:
                    hosted.setdefault(dc, []).append(f.id)
            self.out.append(self.p("Data centers", st.h3))
            rows = [[Paragraph(self.anchor(dc.id) + self.t(dc.label, 300), st.cell),
                     Paragraph("; ".join(self.ref(x) for x in hosted.get(dc.id, [])) or "—", st.cell),
                     self.cites_cell(dc.cites, w * 0.1)] for dc in dcs]
            self.out += self.table(["Data center", "Fleets hosted", "Sources"], rows, [w * 0.45, w * 0.45, w * 0.1])

    def sec_contracts(self) -> None:
        d, st, w = self.d, self.st, self.width
        self.out.append(self.heading("sec-contracts", "Contracts and payments"))
        if not d.contracts and not d.wallets and not d.payments:
            self.out.append(self.p("No contracts, wallets or payments in this dossier."))
            return
        mono = self.f.mono
        for c in d.contracts:
            head = self.heading(f"rec-{c.id}", plain(c.label, limit=100), level=1, style=st.h2,
                                text=markup(c.label, self.f.bold, limit=300))
            if c.value:
                value = markup(c.value) + (f" {self.t(c.currency, 100)}" if c.currency else "")
            else:
                value = "amount not stated" + (f" (currency: {self.t(c.currency, 100)})" if c.currency else "")
            pairs = [
                ("Type", markup(c.contract_type)),
                ("Parties", "<br/>".join(f"{markup(role)}: {self.ref(pid)}" for pid, role in c.parties) or "—"),
                ("Value", value),
                ("Term", markup(self.dates(c.start_on, c.end_on)) or "not stated"),
                ("Chain", markup(c.chain)),
                ("Contract address", f'<font face="{mono}">{self.t(c.contract_address, 300)}</font>'
                 if c.contract_address else ""),
                ("Transaction hashes", "<br/>".join(f'<font face="{mono}">{self.t(h, 300)}</font>'
                                                    for h in c.tx_hashes)),
                ("Accelerators", f"{c.accelerator_count:,}" if c.accelerator_count is not None else ""),
                ("Covers", "; ".join(self.ref(r) for r in c.covers)),
                ("Sources", self.cites(c.cites, locators=True)),
            ]
            self.out += [head, self.facts(pairs, key_width=100)]
            if c.notes:
                self.out.append(self.record_p(c.notes, st.small))
        if d.wallets:
            self.out.append(self.p("Wallets", st.h2))
            rows = [[Paragraph(self.anchor(x.id) + self.t(x.label, 300)
                               + (" <font color='#8b0000'>(illustrative)</font>" if x.illustrative
                                  and "illustrative" not in plain(x.label).lower() else ""),
                               st.cell),
                     self.cell(x.chain, 45), Paragraph(self.t(x.address, 300), st.mono),
                     self.cell(x.custodian, 60), self.cites_cell(x.cites, 48)] for x in d.wallets]
            self.out += self.table(["Wallet", "Chain", "Address", "Custodian", "Sources"], rows,
                                   [w - 368, 45, 215, 60, 48])
        if d.payments:
            self.out.append(self.p("Payments and funding", st.h2))
            rows = []
            for lid in d.payments:
                lk = d.links[lid]
                rows.append([self.ref_cell(lk.source_id, (w - 308) / 2), self.link_cell(lk, 50),
                             self.ref_cell(lk.target_id, (w - 308) / 2), self._transfer_cell(lk),
                             self.cell(show_time(lk.tx_time, seconds=True) if lk.tx_time
                                       else self.dates(lk.start_on, lk.end_on), 60),
                             self.cell(lk.grade, 30), self.cites_cell(lk.cites, 48)])
            self.out += self.table(["From", "Link", "To", "Value · transaction", "When", "Grade", "Sources"],
                                   rows, [(w - 308) / 2, 50, (w - 308) / 2, 120, 60, 30, 48])

    def _transfer_cell(self, lk: Any) -> Flowable:
        """A payment's value and asset, its transaction hash (in full, monospaced) and its role."""
        parts = []
        if lk.value or lk.asset:
            asset = self.t(lk.asset, 100)
            if len(lk.asset or "") > 20:  # a token's contract address, monospaced like other addresses
                asset = f'<font face="{self.f.mono}" size="6">{asset}</font>'
            parts.append(f"<b>{markup(lk.value) or 'amount not stated'}</b> {asset}".strip())
        if lk.tx_hash:
            parts.append(f'<font face="{self.f.mono}" size="6">{self.t(lk.tx_hash, 200)}</font>')
        if lk.role:
            parts.append(f"<font color='#666666'>{self.t(lk.role, 100)}</font>")
        return Paragraph("<br/>".join(parts) or "—", self.st.cell)
