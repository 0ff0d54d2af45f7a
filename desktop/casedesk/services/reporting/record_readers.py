"""Readers of the dossier's record sections: profiles, fleets, compute totals, contracts, wallets"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from casedesk.services.analysis.compute import fleet_accelerators
from casedesk.services.analysis.compute_views import case_totals
from casedesk.services.findings import severity_rank
from casedesk.services.reporting.eccn import eccn_class
from casedesk.services.reporting.entry_helpers import (
    _by_label,
    _sorted_cites,
)
from casedesk.services.reporting.model import (
    PARTY_GROUPS,
    AddressEntry,
    ComputeTotals,
    ContractEntry,
    FindingEntry,
    FleetEntry,
    HitEntry,
    IdentifierEntry,
    LinkEntry,
    NameEntry,
    PartyProfile,
    RecordEntry,
    Redacted,
    WalletEntry,
)


class RecordReaders:
    """_Reader's part: Readers of the dossier's record sections."""

    def record_entries(self) -> dict[int, RecordEntry]:
        out = {}
        kinds, party_kinds = self.vocab.record_kinds, self.vocab.party_kinds
        for rid in sorted(self.shown):
            r = self.all_records[rid]
            sub = getattr(r, "party_kind", None) if r.kind == "party" else None
            kind_label = (party_kinds[sub].label if sub in party_kinds else (sub or "Party")) \
                if r.kind == "party" else (kinds[r.kind].label if r.kind in kinds else r.kind)
            label = (Redacted("person name") if self._is_person(rid) and self.profile.hides("person_names")
                     else self.txt(r.label))
            out[rid] = RecordEntry(rid, r.kind, sub, kind_label, label,
                                   _sorted_cites(self.record_cites.get(rid, ())))
        return out

    def profiles(self, entries: dict[int, RecordEntry], links: dict[int, LinkEntry],
                 findings: Sequence[FindingEntry] = (), hits: Sequence[HitEntry] = ()) -> tuple[PartyProfile, ...]:
        """Party profiles: the subjects (most severe first), then other parties, then context."""
        about: dict[int, list[str]] = defaultdict(list)  # party -> severities of live findings
        for f in findings:
            if f.status == "dismissed":
                continue
            for rid in {s.from_id for s in f.path} | {s.to_id for s in f.path} | set(f.other_record_ids):
                about[rid].append(f.severity)
        screened: dict[int, str] = {}
        for h in hits:
            if h.status in ("confirmed", "open") and screened.get(h.record_id) != "confirmed":
                screened[h.record_id] = h.status
        out = []
        for prof in self._profiles(entries, links):
            sev = sorted(about.get(prof.id, ()), key=severity_rank)
            group = "subject" if sev or prof.id in screened else "context" if "context" in prof.tags else "other"
            out.append(replace(prof, group=group, severity=sev[0] if sev else "", findings=len(sev),
                               screening=screened.get(prof.id, "")))
        rank = {g: i for i, (g, _t) in enumerate(PARTY_GROUPS)}
        # Within the subjects: confirmed hits and the most severe findings first; the label order
        # of _profiles stays within equal keys (sorted() is stable).
        return tuple(sorted(out, key=lambda p: (
            rank[p.group], p.screening != "confirmed" if p.group == "subject" else False,
            severity_rank(p.severity) if p.severity else 99, -p.findings)))

    def _profiles(self, entries: dict[int, RecordEntry], links: dict[int, LinkEntry]) -> tuple[PartyProfile, ...]:
        out_links: dict[int, list[int]] = defaultdict(list)
        in_links: dict[int, list[int]] = defaultdict(list)
        for lid in sorted(links):
            out_links[links[lid].source_id].append(lid)
            in_links[links[lid].target_id].append(lid)
        scripts, alias_kinds = self.vocab.scripts, self.vocab.alias_kinds
        schemes = self.vocab.identifier_schemes
        result = []
        for rid in _by_label([r for r in entries.values() if r.kind == "party"]):
            r = self.all_records[rid]
            person = self._is_person(rid)
            hide_names = person and self.profile.hides("person_names")
            names = [NameEntry(entries[rid].label, "", "", "Name as recorded")]
            for a in self.aliases.get(rid, ()):
                names.append(NameEntry(Redacted("person name") if hide_names else self.txt(a.name),
                                       scripts[a.script].label if a.script in scripts else a.script,
                                       a.language, alias_kinds[a.alias_kind].label
                                       if a.alias_kind in alias_kinds else a.alias_kind))
            hide_ids = person and self.profile.hides("person_identifiers")
            idents = tuple(IdentifierEntry(
                schemes[i.scheme].label if i.scheme in schemes else i.scheme,
                Redacted("identifier") if hide_ids else self.txt(i.value), i.status or "",
                i.country or "") for i in self.identifiers.get(rid, ()))
            hide_addr = person and self.profile.hides("person_addresses")
            addrs = tuple(AddressEntry(Redacted("address") if hide_addr else self.txt(a.full),
                                       Redacted("address") if hide_addr and a.city else self.txt(a.city),
                                       a.country or "") for a in self.addresses.get(rid, ()))

            def order(ids: list[int], other: str) -> tuple[int, ...]:
                return tuple(sorted(ids, key=lambda lid: (links[lid].type, getattr(links[lid], other), lid)))

            result.append(PartyProfile(
                rid, entries[rid].label, entries[rid].kind_label, r.country or "", r.hq_country or "",
                self.txt(r.website), self.field(r.description, "notes", "description"),
                self.field(r.notes, "notes", "notes"), tuple(r.tags or ()), tuple(names), idents, addrs,
                order(out_links[rid], "target_id"), order(in_links[rid], "source_id"),
                entries[rid].cites))
        return tuple(result)

    def fleet_entries(self, links: dict[int, LinkEntry]) -> tuple[FleetEntry, ...]:
        related: dict[tuple[int, str], list[int]] = defaultdict(list)
        for lk in links.values():
            if lk.type == "hosted_at":
                related[(lk.source_id, "dc")].append(lk.target_id)
            elif lk.type in ("owns_asset", "operates", "uses_compute_of"):
                related[(lk.target_id, lk.type)].append(lk.source_id)
        out = []
        for rid in sorted(r for r in self.shown if self.all_records[r].kind == "server"):
            f = self.all_records[rid]
            hit = self.vocab.accelerators.resolve(f.accelerator_model) if f.accelerator_model else None
            spec = hit.model if hit is not None else None
            count = fleet_accelerators(f.server_count, f.accelerators_per_server,
                                       hit.gpus_per_unit if hit else 1)
            tpp = spec.tpp if spec else None
            out.append(FleetEntry(
                rid, self.txt(f.label), f.accelerator_model or "", spec.name if spec else "",
                f.accelerators_per_server, f.server_count, f.count_qualifier or "exact", count, tpp,
                count * tpp if count is not None and tpp is not None else None,
                spec.performance_density if spec else None,
                eccn_class(spec, self.on) if spec else "unknown (model not in catalog)",
                f.status or "", f.installed_on, f.in_service_on, f.days_to_service,
                tuple(sorted(set(related[(rid, "dc")]))), tuple(sorted(set(related[(rid, "owns_asset")]))),
                tuple(sorted(set(related[(rid, "operates")]))),
                tuple(sorted(set(related[(rid, "uses_compute_of")]))),
                _sorted_cites(self.record_cites.get(rid, ())), f.decommissioned_on,
                hit.unit_text() if hit is not None else ""))
        return tuple(out)

    def compute_totals(self, fleets: Sequence[FleetEntry]) -> ComputeTotals:
        whole = self.shown == set(self.all_records)
        if whole:
            totals = case_totals(self.s, self.case_id, self.vocab)
            count, qualifier, tpp, unknown = (totals.accelerators, totals.accelerators_qualifier,
                                              totals.total_tpp, totals.unknown_fleets)
            text = totals.accelerators_text()
        else:
            # The same arithmetic as compute.case_totals, over the fleets the dossier shows.
            count, tpp, unknown, qualifiers = 0, 0.0, 0, set()
            for f in fleets:
                if f.accelerators is None or not f.catalog_name:
                    unknown += 1
                if f.accelerators is None:
                    continue
                count += f.accelerators
                qualifiers.add(f.qualifier or "exact")
                tpp += f.tpp_total or 0.0
            qualifier = "exact" if qualifiers <= {"exact"} else (
                "at_least" if "at_least" in qualifiers else sorted(qualifiers - {"exact"})[0])
            word = {"at_least": "at least ", "about": "about ", "at_most": "at most "}
            text = f"{word.get(qualifier, '')}{count:,}"
        controlled = [f for f in fleets if f.eccn.startswith("3A090.a")]
        h100 = self.vocab.accelerators.models.get("h100_sxm")
        return ComputeTotals(len(fleets), count, text, tpp, sum(f.accelerators or 0 for f in controlled),
                             sum(f.tpp_total or 0.0 for f in controlled),
                             tpp / h100.tpp if h100 and h100.tpp else 0.0, unknown)

    def contract_entries(self, links: dict[int, LinkEntry]) -> tuple[ContractEntry, ...]:
        covers: dict[int, list[int]] = defaultdict(list)
        for lk in links.values():
            if lk.type == "covers":
                covers[lk.source_id].append(lk.target_id)
        roles, types = self.vocab.contract_roles, self.vocab.contract_types
        out = []
        for rid in sorted(r for r in self.shown if self.all_records[r].kind == "contract"):
            c = self.all_records[rid]
            parties = tuple((cp.party_id, roles[cp.role].label if cp.role in roles else cp.role)
                            for cp in self.contract_parties.get(rid, ()) if cp.party_id in self.shown)
            chain = self.vocab.chains.get(c.chain) if c.chain else None
            out.append(ContractEntry(
                rid, self.txt(c.label), types[c.contract_type].label if c.contract_type in types
                else (c.contract_type or ""), parties, c.value_amount or "", self.txt(c.currency),
                c.start_on, c.end_on, chain.label if chain else (c.chain or ""),
                self.field(c.contract_address, "wallet_addresses", "contract address"),
                tuple(self.field(h, "tx_hashes", "transaction hash") for h in (c.tx_hashes or ())),
                c.accelerator_count, self.field(c.notes, "notes", "notes"),
                tuple(sorted(set(covers[rid]))), _sorted_cites(self.record_cites.get(rid, ()))))
        return tuple(out)

    def wallet_entries(self) -> tuple[WalletEntry, ...]:
        out = []
        for rid in sorted(r for r in self.shown if self.all_records[r].kind == "wallet"):
            w = self.all_records[rid]
            chain = self.vocab.chains.get(w.chain)
            out.append(WalletEntry(rid, self.txt(w.label), chain.label if chain else w.chain,
                                   self.field(w.address, "wallet_addresses", "wallet address"),
                                   self.txt(w.custodian), bool(w.illustrative),
                                   _sorted_cites(self.record_cites.get(rid, ()))))
        return tuple(out)
