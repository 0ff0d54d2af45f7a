"""The inspector: the selected record, link or finding, with every field editable in place.

It never writes: it validates (with the services' own checks, message under the field) and asks
the window to run the edit as an undoable command. It reads what it shows in one go
(services.record_details) and reloads when a ChangeSet touches it.

Signals:
    record_edit_requested(int, str, object, object, int): record, field, old value, new raw value, version seen.
    link_edit_requested(int, str, object, object, int): the same for a link.
    child_add_requested(int, str, object): record, "aliases"|"identifiers"|"addresses", payload.
    child_remove_requested(int, str, int, object): record, child kind, child id, payload (to re-add).
    party_add_requested(int, int, str): contract, party, role.
    party_remove_requested(int, int, int, str): contract party id, contract, party, role.
    event_add_requested(int, str, str, object): record, title, date, until (or None).
    event_remove_requested(int, str): event id, title.
    cite_requested(int, object, object, str): evidence, record (or None), link (or None), locator.
    citation_remove_requested(int, str): citation id, evidence title.
    record_clicked(int), link_clicked(int), finding_clicked(int): the user opened something listed.
    files_dropped(list): files dropped onto the inspector (attach to what it shows).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.errors import CaseDeskError
from casedesk.domain.invisible import describe_hidden, reveal
from casedesk.services import record_details as details
from casedesk.services.fields import LINK_FIELDS, TRANSFER_FIELDS, fields_of
from casedesk.storage.workspace import ChangeSet
from casedesk.ui import text as ui_text
from casedesk.ui.icons import icon, kind_icon
from casedesk.ui.operations.core import Operations
from casedesk.ui.widgets.change_banner import ChangeBanner
from casedesk.ui.widgets.fields import FieldEditor
from casedesk.ui.widgets.inspector_sections import InspectorSections
from casedesk.ui.widgets.text_fit import WrapLabel


class InspectorWidget(InspectorSections, QScrollArea):
    """Shows and edits one record, link or finding."""

    record_edit_requested = Signal(int, str, object, object, int)
    link_edit_requested = Signal(int, str, object, object, int)
    child_add_requested = Signal(int, str, object)
    child_remove_requested = Signal(int, str, int, object)
    party_add_requested = Signal(int, int, str)
    party_remove_requested = Signal(int, int, int, str)
    event_add_requested = Signal(int, str, str, object)
    event_remove_requested = Signal(int, str)
    cite_requested = Signal(int, object, object, str)
    citation_remove_requested = Signal(int, str)
    record_clicked = Signal(int)
    link_clicked = Signal(int)
    finding_clicked = Signal(int)
    other_case_chosen = Signal(int, int)  # case id, record id ("Also appears in")
    files_dropped = Signal(list)

    def __init__(self, ops: Operations, vocab: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops = ops
        self.vocab = vocab
        self.data: dict[str, Any] | None = None
        self.mode: str | None = None  # "record" | "link" | "finding"
        self.setWidgetResizable(True)
        # Everything inside shrinks to the dock's width (long names elide or wrap): never scroll sideways.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.setMinimumWidth(300)
        body = QWidget(self)
        body.setObjectName("inspector_body")
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(10, 8, 10, 8)
        self._layout.setSpacing(8)
        header = QHBoxLayout()
        self._icon = QLabel(body)
        self._icon.setFixedSize(36, 36)
        header.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        self.title = QLabel(body)
        self.title.setObjectName("inspector_title")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # wraps: a finding's line ("… · rule hq_controlled_compute") must not widen the body past the dock
        self.subtitle = WrapLabel("", body)
        self.subtitle.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.subtitle.setStyleSheet("color: #5F6368;")
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        header.addLayout(titles, 1)
        self._layout.addLayout(header)
        self.banner = ChangeBanner(body)
        self.banner.reload_requested.connect(self._reload_held)
        self._held = False  # a colleague changed the record while a field here was being edited
        self._layout.addWidget(self.banner)
        self._forms: dict[str, tuple[QWidget, dict[str, FieldEditor]]] = {}
        self.read_only = False  # a read-only workspace: fields are shown, not editable
        self._form_host = QVBoxLayout()
        self._layout.addLayout(self._form_host)
        self._sections = QWidget(body)
        self._sections_layout = QVBoxLayout(self._sections)
        self._sections_layout.setContentsMargins(0, 0, 0, 0)
        self._sections_layout.setSpacing(8)
        self._layout.addWidget(self._sections)
        self._layout.addStretch(1)
        self.setWidget(body)
        self.show_nothing()

    # --- what is shown -------------------------------------------------------------------------
    def current(self) -> tuple[str, int] | None:
        """(mode, id) of what is shown."""
        return (self.mode, self.data["id"]) if self.mode and self.data else None

    def show_nothing(self, hint: str = "Select a record or link to inspect it.") -> None:
        """Show a hint instead of an object."""
        self.mode, self.data = None, None
        self._icon.clear()
        self.title.setText("Inspector")
        self.subtitle.setText(hint)
        self._show_form(None)
        self._clear_sections()

    def show_record(self, record_id: int) -> None:
        """Inspect a record."""
        if self.current() != ("record", record_id):
            self._held = False
            self.banner.hide()
        try:
            with self._ops.reading() as s:
                data = details.record_details(s, record_id, vocab=self.vocab)
        except CaseDeskError as exc:
            self.show_nothing(str(exc))
            return
        self.mode, self.data = "record", data
        self._icon.setPixmap(kind_icon(data["kind"], data["subkind"]).pixmap(QSize(36, 36)))
        # hidden characters named (⟨ZWSP⟩), as in the dossier: domain.invisible
        self.title.setText(ui_text.display(reveal(data["label"][:1000]), 200))
        self.title.setToolTip("\n".join([ui_text.display(reveal(data["label"][:2000]), 1000),
                                         *describe_hidden(data["label"][:2000])[:10]]))
        kind_label = self.vocab.record_kinds[data["kind"]].label
        if data["subkind"] in self.vocab.party_kinds:
            kind_label += f" · {self.vocab.party_kinds[data['subkind']].label}"
        self.subtitle.setText(f"{kind_label} · record {data['id']} · version {data['version']}")
        form, editors = self._form_for(data["kind"])
        for name, editor in editors.items():
            editor.set_value(data["values"].get(name))
        self._show_form(form)
        self._build_record_sections(data)

    def show_link(self, link_id: int) -> None:
        """Inspect a link."""
        try:
            with self._ops.reading() as s:
                data = details.link_details(s, link_id, vocab=self.vocab)
        except CaseDeskError as exc:
            self.show_nothing(str(exc))
            return
        self.mode, self.data = "link", data
        self._icon.setPixmap(icon("link").pixmap(QSize(36, 36)))
        self.title.setText(f"{ui_text.display(data['source'][0], 60)} {data['type_label']} "
                           f"{ui_text.display(data['target'][0], 60)}")
        self.title.setToolTip("")
        self.subtitle.setText(f"Link {data['id']} · {data['type_label']} · version {data['version']}")
        form, editors = self._form_for("link")
        for name, editor in editors.items():
            editor.set_value(data["values"].get(name))
            if name == "share_pct":
                editor.setEnabled(data["has_share"] or data["values"].get("share_pct") is not None)
        # a transfer's hash, value, asset and time only on links that are transfers (or hold them)
        transfer = getattr(self.vocab.link_types.get(data["link_type"]), "transfer", False)
        for name in TRANSFER_FIELDS:
            form.layout().setRowVisible(editors[name], transfer or data["values"].get(name) is not None)
        self._show_form(form)
        self._build_link_sections(data)

    def show_finding(self, finding_id: int) -> None:
        """Show a finding: its explanation sentence and the records it names."""
        try:
            with self._ops.reading() as s:
                data = details.finding_details(s, finding_id)
        except CaseDeskError as exc:
            self.show_nothing(str(exc))
            return
        self.mode, self.data = "finding", data
        self._icon.setPixmap(icon("neighbourhood").pixmap(QSize(36, 36)))
        self.title.setText(ui_text.display(data["title"], 300))
        self.subtitle.setText(f"Finding {data['id']} · {data['severity']} · {data['status']} · rule {data['rule']}")
        self._show_form(None)
        self._clear_sections()
        box, lay = self._section("Why")
        explanation = QLabel(ui_text.display(data["explanation"] or "(no explanation recorded)", 5000), box)
        explanation.setObjectName("finding_explanation")
        explanation.setWordWrap(True)
        explanation.setTextFormat(Qt.TextFormat.PlainText)
        explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(explanation)
        if data["status"] == "dismissed" and data["reason"]:
            lay.addWidget(WrapLabel(f"Dismissed: {ui_text.display(data['reason'], 500)}", box))
        if data["records"]:
            box, lay = self._section(f"Records ({len(data['records'])})")
            for r in data["records"]:
                lay.addWidget(self._row(r["label"], kind_icon(r["kind"], r["subkind"]),
                                        on_click=lambda _=False, rid=r["id"]: self.record_clicked.emit(rid)))

    def reload(self) -> None:
        """Read again what is shown (after it changed)."""
        current = self.current()
        if current is None:
            return
        mode, oid = current
        getattr(self, f"show_{mode}")(oid)

    def foreign_changes(self, found: Any) -> None:
        """Someone else changed things (a ForeignChanges): say who changed the shown record and what;
        while one of its fields is being edited, keep the edit and offer Reload instead of reloading."""
        current = self.current()
        if current is None or current[0] != "record" or current[1] not in found.records:
            return
        who, when, fields = found.records[current[1]]
        what = ", ".join(fields) if fields else "this record"
        focus = QApplication.focusWidget()
        self._held = focus is not None and self.isAncestorOf(focus) and isinstance(
            focus, (QLineEdit, QPlainTextEdit, QComboBox))
        if self._held:
            self.banner.show_change(f"{who} changed {what} at {when[:19]}. Your edit is kept; Reload shows "
                                    "their version.", offer_reload=True)
        else:
            self.banner.show_change(f"{who} changed {what} at {when[:19]}; shown as it is now.",
                                    offer_reload=False)

    def _reload_held(self) -> None:
        self._held = False
        self.reload()

    def refresh(self, changes: ChangeSet) -> None:
        """Reload if a change touched what is shown (not while a colleague's change is held)."""
        current = self.current()
        if current is None or (self._held and current[0] == "record"
                               and current[1] not in changes.ids("deleted", "record")):
            return
        mode, oid = current
        if mode == "record":
            if oid in changes.ids("deleted", "record"):
                self.show_nothing("The record was deleted.")
                return
            related = {link["id"] for link in self.data["links"]}
            if (oid in changes.ids("updated", "record") or changes.ids("created", "event")
                    or changes.ids("deleted", "event") or changes.ids("created", "citation")
                    or changes.ids("deleted", "citation") or changes.ids("created", "link")
                    or related & (changes.ids("deleted", "link") | changes.ids("updated", "link"))
                    or changes.ids("updated", "record") & ({p["party_id"] for p in self.data["parties"]}
                                                            | {link["other_id"] for link in self.data["links"]})
                    or changes.ids("deleted", "record")
                    or changes.ids("updated", "finding") or changes.ids("created", "finding")):
                self.reload()
        elif mode == "link":
            if oid in changes.ids("deleted", "link"):
                self.show_nothing("The link was deleted.")
            elif oid in changes.ids("updated", "link") or changes.ids("created", "citation") \
                    or changes.ids("deleted", "citation") or changes.ids("updated", "record"):
                self.reload()
        elif mode == "finding":
            if oid in changes.ids("deleted", "finding"):
                self.show_nothing("The finding was deleted.")
            elif oid in changes.ids("updated", "finding") or changes.ids("updated", "record"):
                self.reload()

    # --- forms -------------------------------------------------------------------------------------
    def _form_for(self, kind: str) -> tuple[QWidget, dict[str, FieldEditor]]:
        if kind not in self._forms:
            host = QWidget(self.widget())
            host.setObjectName(f"form_{kind}")
            form = QFormLayout(host)
            form.setContentsMargins(0, 0, 0, 0)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            specs = LINK_FIELDS if kind == "link" else fields_of(kind)
            editors = {}
            for spec in specs:
                editor = FieldEditor(spec, self.vocab, host)
                editor.committed.connect(self._on_editor_committed)
                label = WrapLabel(spec.label + ("*" if spec.required else ""), host)
                label.setMaximumWidth(130)  # longer names wrap, on as many lines as they need
                label.setMinimumWidth(min(130, label.fontMetrics().horizontalAdvance(label.text()) + 2))
                form.addRow(label, editor)
                editors[spec.name] = editor
            host.hide()
            host.setEnabled(not self.read_only)
            self._form_host.addWidget(host)
            self._forms[kind] = (host, editors)
        return self._forms[kind]

    def set_read_only(self, read_only: bool) -> None:
        """Show fields without letting them be edited (a workspace this user may only read)."""
        self.read_only = read_only
        for host, _ in self._forms.values():
            host.setEnabled(not read_only)

    def _show_form(self, form: QWidget | None) -> None:
        for host, _ in self._forms.values():
            host.setVisible(host is form)

    def editor(self, field: str) -> FieldEditor:
        """The editor of a field of what is shown (record or link)."""
        key = self.data["kind"] if self.mode == "record" else "link"
        return self._forms[key][1][field]

    def show_field_error(self, field: str, message: str) -> bool:
        """Show a refusal under a field of what is shown; False if there is no such field."""
        if self.mode not in ("record", "link"):
            return False
        key = self.data["kind"] if self.mode == "record" else "link"
        editor = self._forms.get(key, (None, {}))[1].get(field)
        if editor is None:
            return False
        editor.show_error(message)
        return True

    def _on_editor_committed(self, field: str, raw: Any) -> None:
        if self.mode == "record":
            self.record_edit_requested.emit(self.data["id"], field, self.data["values"].get(field), raw,
                                            self.data["version"])
        elif self.mode == "link":
            self.link_edit_requested.emit(self.data["id"], field, self.data["values"].get(field), raw,
                                          self.data["version"])

    # --- sections ----------------------------------------------------------------------------------
    def _build_link_sections(self, d: dict[str, Any]) -> None:
        self._clear_sections()
        box, lay = self._section("Ends")
        for role, (label, kind, sub), rid in (("from", d["source"], d["source_id"]), ("to", d["target"], d["target_id"])):
            lay.addWidget(self._row(f"{role}: {label}", kind_icon(kind, sub),
                                    on_click=lambda _=False, rid=rid: self.record_clicked.emit(rid)))
        self._build_citations(d, record_id=None, link_id=d["id"])

    # --- drops ----------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.mode in ("record", "link") and event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        if self.mode in ("record", "link") and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths and self.mode in ("record", "link"):
            event.acceptProposedAction()
            self.files_dropped.emit(paths)

    def sizeHint(self) -> QSize:
        return QSize(360, 600)
