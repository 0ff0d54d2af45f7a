"""The inspector's record sections: names, identifiers, addresses, contract parties, events and citations"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QLabel,
    QWidget,
)

from casedesk.domain.dates import parse_partial_date
from casedesk.domain.errors import CaseDeskError, ValidationError
from casedesk.services import record_details as details
from casedesk.services.records import (
    AddressIn,
    AliasIn,
    IdentifierIn,
    check_address,
    check_alias,
    check_identifier,
)
from casedesk.ui import text as ui_text
from casedesk.ui.icons import icon, kind_icon
from casedesk.ui.operations import duplicates
from casedesk.ui.widgets.fields import ERROR_STYLE
from casedesk.ui.widgets.inspector_rows import InspectorRows


class _ErrorLabel(QLabel):
    def __init__(self, parent: QWidget, name: str):
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.hide()

    def say(self, message: str) -> None:
        self.setText(ui_text.plain(message, 300))
        self.setVisible(bool(message))


class InspectorSections(InspectorRows):
    """InspectorWidget's part: The inspector's record sections."""

    def _build_record_sections(self, d: dict[str, Any]) -> None:
        self._clear_sections()
        rid = d["id"]
        v = self.vocab
        # Names
        box, lay = self._section(f"Names ({len(d['aliases'])})")
        for a in d["aliases"]:
            bits = ", ".join(x for x in (a["script"], a["language"], v.alias_kinds[a["kind"]].label
                                         if a["kind"] in v.alias_kinds else a["kind"]) if x)
            payload = AliasIn(a["name"], a["script"], a["language"], a["kind"])
            lay.addWidget(self._row(a["name"], detail=bits, on_remove=lambda _=False, a=a, p=payload:
                                    self.child_remove_requested.emit(rid, "aliases", a["id"], p),
                                    remove_tip="Remove this name"))
        name = self._line(box, "Another name (any script)", "alias_name")
        script = self._combo(box, [("script…", "")] + [(t.label, c) for c, t in v.scripts.items()], "alias_script")
        kind = self._combo(box, [(t.label, c) for c, t in v.alias_kinds.items()], "alias_kind")
        kind.setCurrentIndex(max(0, kind.findData("aka")))
        row, button = self._add_row(box, name, script, kind)
        error = _ErrorLabel(box, "alias_error")
        lay.addWidget(row)
        lay.addWidget(error)

        def add_alias() -> None:
            alias = AliasIn(name.text(), script.currentData() or "", "", kind.currentData() or "aka")
            try:
                check_alias(alias, v)
            except ValidationError as exc:
                error.say(exc.reason)
                return
            error.say("")
            self.child_add_requested.emit(rid, "aliases", alias)

        button.clicked.connect(add_alias)
        name.returnPressed.connect(add_alias)
        # Identifiers
        schemes = [(s.label, c) for c, s in v.identifier_schemes.items() if s.applies(d["kind"], d["subkind"])]
        if schemes or d["identifiers"]:
            box, lay = self._section(f"Identifiers ({len(d['identifiers'])})")
            for i in d["identifiers"]:
                payload = IdentifierIn(i["scheme"], i["value"], i["country"])
                lay.addWidget(self._row(f"{i['scheme']}: {i['value']}", detail=i["status"],
                                        on_remove=lambda _=False, i=i, p=payload:
                                        self.child_remove_requested.emit(rid, "identifiers", i["id"], p)))
            if schemes:
                scheme = self._combo(box, schemes, "identifier_scheme")
                value = self._line(box, "value", "identifier_value")
                row, button = self._add_row(box, value, scheme)
                ierror = _ErrorLabel(box, "identifier_error")
                lay.addWidget(row)
                lay.addWidget(ierror)

                def add_identifier() -> None:
                    ident = IdentifierIn(scheme.currentData(), value.text())
                    try:
                        check_identifier(ident, v)
                    except ValidationError as exc:
                        ierror.say(exc.reason)
                        return
                    ierror.say("")
                    self.child_add_requested.emit(rid, "identifiers", ident)

                button.clicked.connect(add_identifier)
                value.returnPressed.connect(add_identifier)
        # Addresses
        box, lay = self._section(f"Addresses ({len(d['addresses'])})")
        for a in d["addresses"]:
            payload = AddressIn(a["full"], a["city"], a["country"])
            lay.addWidget(self._row(a["full"], detail=a["country"] or "",
                                    on_remove=lambda _=False, a=a, p=payload:
                                    self.child_remove_requested.emit(rid, "addresses", a["id"], p)))
        full = self._line(box, "Address", "address_full")
        country = self._line(box, "Country (code or name)", "address_country")
        row, button = self._add_row(box, full, country)
        aerror = _ErrorLabel(box, "address_error")
        lay.addWidget(row)
        lay.addWidget(aerror)

        def add_address() -> None:
            addr = AddressIn(full.text(), "", country.text().strip() or None)
            try:
                check_address(addr)
            except ValidationError as exc:
                aerror.say(exc.reason)
                return
            aerror.say("")
            self.child_add_requested.emit(rid, "addresses", addr)

        button.clicked.connect(add_address)
        full.returnPressed.connect(add_address)
        # Contract parties
        if d["kind"] == "contract":
            box, lay = self._section(f"Parties ({len(d['parties'])})")
            contract_type = v.contract_types.get(d["values"].get("contract_type") or "other")
            for p in d["parties"]:
                role_label = v.contract_roles[p["role"]].label if p["role"] in v.contract_roles else p["role"]
                lay.addWidget(self._row(p["label"], kind_icon(p["kind"], p["subkind"]), detail=role_label,
                                        on_click=lambda _=False, pid=p["party_id"]: self.record_clicked.emit(pid),
                                        on_remove=lambda _=False, p=p: self.party_remove_requested.emit(
                                            p["id"], rid, p["party_id"], p["role"]),
                                        remove_tip="Remove this party from the contract"))
            with self._ops.reading() as s:
                choices = details.party_choices(s, d["case_id"])
            party = self._combo(box, [(ui_text.one_line(label, 60), pid) for pid, label, _, _ in choices],
                                "party_choice")
            for n, (_, _, kind_, sub) in enumerate(choices):
                party.setItemIcon(n, kind_icon(kind_, sub))

            roles = contract_type.roles if contract_type else ()
            role = self._combo(box, [(v.contract_roles[r].label, r) for r in roles], "party_role")
            row, button = self._add_row(box, party, role)
            lay.addWidget(row)
            button.clicked.connect(lambda: party.currentData() is not None and role.currentData() and
                                   self.party_add_requested.emit(rid, party.currentData(), role.currentData()))
        if d["memberships"]:
            box, lay = self._section(f"Party to contracts ({len(d['memberships'])})")
            for m in d["memberships"]:
                role_label = v.contract_roles[m["role"]].label if m["role"] in v.contract_roles else m["role"]
                lay.addWidget(self._row(m["label"], kind_icon("contract"), detail=role_label,
                                        on_click=lambda _=False, cid=m["contract_id"]: self.record_clicked.emit(cid)))
        # Links
        box, lay = self._section(f"Links ({len(d['links'])})")
        if not d["links"]:
            hint = QLabel("No links. Shift+drag from this record to another on the chart to link them.", box)
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #5F6368;")
            lay.addWidget(hint)
        for link in d["links"]:
            arrow = "→" if link["outgoing"] else "←"
            lay.addWidget(self._row(f"{arrow} {link['verb']}: {link['other_label']}",
                                    kind_icon(link["other_kind"], link["other_subkind"]),
                                    detail=link["dates"],
                                    on_click=lambda _=False, lid=link["id"]: self.link_clicked.emit(lid)))
        # Events
        box, lay = self._section(f"Events ({len(d['events'])})")
        for e in d["events"]:
            when = parse_partial_date(e["on"]).display()
            if e["until"]:
                when += f" – {parse_partial_date(e['until']).display()}"
            lay.addWidget(self._row(e["title"], detail=when,
                                    on_remove=lambda _=False, e=e: self.event_remove_requested.emit(e["id"], e["title"]),
                                    remove_tip="Delete this event"))
        on = self._line(box, "date, e.g. 2024-06 or ~2023", "event_on")
        title = self._line(box, "What happened", "event_title")
        row, button = self._add_row(box, title, on)
        eerror = _ErrorLabel(box, "event_error")
        lay.addWidget(row)
        lay.addWidget(eerror)

        def add_event() -> None:
            try:
                date_text = str(parse_partial_date(on.text()))
                if not title.text().strip():
                    raise ValidationError("title", "an event needs a title")
            except ValidationError as exc:
                eerror.say(exc.reason)
                return
            eerror.say("")
            self.event_add_requested.emit(rid, title.text(), date_text, None)

        button.clicked.connect(add_event)
        title.returnPressed.connect(add_event)
        self._build_citations(d, record_id=rid, link_id=None)
        if d["findings"]:
            box, lay = self._section(f"Findings ({len(d['findings'])})")
            for f in d["findings"]:
                row = self._row(f["title"], detail=f"{f['severity']} · {f['status']}",
                                on_click=lambda _=False, fid=f["id"]: self.finding_clicked.emit(fid))
                lay.addWidget(row)
        if d["kind"] in ("party", "wallet"):
            self._build_also_in(rid)

    def _build_also_in(self, record_id: int) -> None:
        """Records of other cases that look like this one, each opening its case."""
        try:
            others = duplicates.also_in(self._ops, record_id)
        except CaseDeskError:
            return
        if not others:
            return
        box, lay = self._section(f"Also appears in ({len(others)})")
        for o in others[:20]:
            lay.addWidget(self._row(o["label"], detail=f"case {o['case_id']} {ui_text.one_line(o['case_title'], 40)}"
                                                       f" · {o['score']:.0f}",
                                    on_click=lambda _=False, o=o: self.other_case_chosen.emit(o["case_id"],
                                                                                              o["record_id"])))

    def _build_citations(self, d: dict[str, Any], *, record_id: int | None, link_id: int | None) -> None:
        box, lay = self._section(f"Sources ({len(d['citations'])})")
        for c in d["citations"]:
            text = c["title"] + (f" — {c['locator']}" if c["locator"] else "")
            lay.addWidget(self._row(text, icon("evidence"), detail=f"[{c['grade']}] {c['sha256'][:10]}…",
                                    on_remove=lambda _=False, c=c: self.citation_remove_requested.emit(c["id"], c["title"]),
                                    remove_tip="Remove this citation (the evidence stays in the case)"))
        with self._ops.reading() as s:
            evidence = details.case_evidence(s, d["case_id"])
        if evidence:
            pick = self._combo(box, [(f"[{e['grade']}] {ui_text.one_line(e['title'], 50)}", e["id"]) for e in evidence],
                               "cite_evidence")
            locator = self._line(box, "page, row or quote", "cite_locator")
            row, button = self._add_row(box, pick, locator)
            button.setText("Cite")
            lay.addWidget(row)
            button.clicked.connect(lambda: self.cite_requested.emit(pick.currentData(), record_id, link_id,
                                                                    locator.text()))
        hint = QLabel("Drop a file here or onto the record on the chart to attach it as evidence.", box)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5F6368;")
        lay.addWidget(hint)
