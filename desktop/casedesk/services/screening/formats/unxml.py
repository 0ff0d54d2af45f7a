"""The UN Security Council Consolidated List as published (XML, sc-sanctions.xsd).

Read with defusedxml: a list file may come from anyone, and entity tricks (billion laughs,
external entities) must be refused, not expanded.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from casedesk.domain.vocabulary import Vocabulary
from casedesk.services.screening.formats import (
    ListEntry,
    ListFormatError,
    ParsedList,
    RowProblem,
    add_unique,
    country_code,
    has_identity,
    scheme_code,
)

# UN alias qualities: "Good" and "Low" are a.k.a. of stated reliability; the others say the kind.
_KINDS = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "nka", "good": "aka", "low": "aka"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:$|[T ])")
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_ADDRESS_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")


def _text(el: Any, tag: str) -> str:
    child = el.find(tag)
    return " ".join((child.text or "").split()) if child is not None and child.text else ""


def _values(el: Any, tag: str) -> list[str]:
    return [" ".join(v.text.split()) for block in el.findall(tag) for v in block.findall("VALUE")
            if v.text and v.text.strip()]


def parse_tree(path: Path) -> Any:
    """The XML root of a list file; ListFormatError for malformed XML or entity tricks."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.ElementTree import parse

    try:
        return parse(str(path), forbid_dtd=True).getroot()
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise ListFormatError(f"{path.name}: refused: the XML declares a DTD or entities "
                              f"({type(exc).__name__}), which a published list never needs; "
                              "nothing was imported") from None
    except ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        what = str(exc).split(": line ")[0]  # the message repeats the position
        if what.startswith("not well-formed") and _nul_on_line(path, line):
            what += " (a NUL byte: XML cannot hold one, not even as &#0;)"
        raise ListFormatError(f"{path.name}: malformed XML at line {line}, column {col}: {what}; "
                              "nothing was imported") from None
    except LookupError as exc:  # <?xml encoding="…"?> names an encoding Python does not know
        raise ListFormatError(f"{path.name}: the XML declares an encoding that cannot be read "
                              f"({exc}); nothing was imported") from None
    except OSError as exc:
        raise ListFormatError(f"cannot read {path}: {exc.strerror or exc}") from None


def _nul_on_line(path: Path, line: int) -> bool:
    """Whether line `line` (from 1) of the file holds a NUL byte (why expat stopped there)."""
    try:
        with path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                if number == line:
                    return b"\x00" in raw
    except OSError:
        pass
    return False


def _entry(el: Any, kind: str, line: int, vocab: Vocabulary,
           problems: list[RowProblem]) -> ListEntry | None:
    """One INDIVIDUAL or ENTITY record (line: its position among the records, from 1)."""
    prefix = "INDIVIDUAL" if kind == "person" else "ENTITY"
    key = _text(el, "DATAID")
    name = " ".join(p for p in (_text(el, t) for t in _NAME_PARTS) if p)
    ref = _text(el, "REFERENCE_NUMBER")
    where = f"{prefix} {ref or key or '(no id)'}"
    if not key:
        problems.append(RowProblem(line, f"{where}: field DATAID is empty", "record"))
        return None
    e = ListEntry(key=key, name=name, line=line, entity_type=kind,
                  source_list="UN Security Council Consolidated List")
    original = _text(el, "NAME_ORIGINAL_SCRIPT")
    if original:
        add_unique(e.aliases, (original, "original script"))
    qualities: list[dict[str, str]] = []
    for a in el.findall(f"{prefix}_ALIAS"):
        alias, quality = _text(a, "ALIAS_NAME"), _text(a, "QUALITY")
        if not alias or not any(ch.isalnum() for ch in alias):
            continue
        add_unique(e.aliases, (alias, _KINDS.get(quality.lower(), "aka")))
        qualities.append({"name": alias, "quality": quality})
    if qualities:
        e.data["alias_quality"] = qualities
    if not has_identity(name):
        # The record's own name is unusable; a usable alias (an a.k.a. before the original
        # script) becomes its name, as for the CSV lists. Without one the record is a problem.
        usable = sorted(e.aliases, key=lambda a: a[1] == "original script")
        if not usable:
            shown = f" ({name[:40]!r})" if name else ""
            problems.append(RowProblem(
                line, f"{where}: field FIRST_NAME is empty or only punctuation{shown}, "
                "and no alias can stand in", "record"))
            return None
        e.name = usable[0][0]
        e.aliases.remove(usable[0])
        e.data["name_from_alias"] = e.name
    addresses = []
    for a in el.findall(f"{prefix}_ADDRESS"):
        parts = [_text(a, t) for t in _ADDRESS_PARTS]
        full = ", ".join(p for p in parts if p)
        if full:
            addresses.append(full + (f" ({_text(a, 'NOTE')})" if _text(a, "NOTE") else ""))
        add_unique(e.countries, country_code(_text(a, "COUNTRY")))
    if addresses:
        e.data["addresses"] = addresses
    for nat in _values(el, "NATIONALITY"):
        add_unique(e.countries, country_code(nat))
    for doc in el.findall(f"{prefix}_DOCUMENT"):
        number, label = _text(doc, "NUMBER"), _text(doc, "TYPE_OF_DOCUMENT")
        if number:
            scheme = scheme_code(vocab, label) or "OTHER"
            e.identifiers.append((scheme, number, country_code(_text(doc, "ISSUING_COUNTRY"))))
    e.programs = [p for p in [_text(el, "UN_LIST_TYPE")] if p]
    e.remarks = _text(el, "COMMENTS1")
    for label, value in (("reference_number", ref), ("listed_on", _text(el, "LISTED_ON")),
                         ("list_type", "; ".join(_values(el, "LIST_TYPE"))),
                         ("gender", _text(el, "GENDER")),
                         ("designation", "; ".join(_values(el, "DESIGNATION"))),
                         ("title", "; ".join(_values(el, "TITLE"))),
                         ("last_updated", "; ".join(_values(el, "LAST_DAY_UPDATED")))):
        if value:
            e.data[label] = value
    births = [" ".join(p for p in (_text(b, "DATE"), _text(b, "YEAR"), _text(b, "FROM_YEAR"),
                                   _text(b, "TO_YEAR")) if p)
              for b in el.findall("INDIVIDUAL_DATE_OF_BIRTH")]
    if any(births):
        e.data["dates_of_birth"] = [b for b in births if b]
    return e


def read_un_xml(path: Path, vocab: Vocabulary) -> ParsedList:
    """Read the UN consolidated list; the snapshot date is the root's dateGenerated."""
    root = parse_tree(path)
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(f"{path.name}: not the UN consolidated list: the root element is "
                              f"<{root.tag}>, expected <CONSOLIDATED_LIST>")
    entries: list[ListEntry] = []
    problems: list[RowProblem] = []
    rows = 0
    for block, tag, kind in (("INDIVIDUALS", "INDIVIDUAL", "person"), ("ENTITIES", "ENTITY", "organization")):
        for group in root.findall(block):
            for el in group.findall(tag):
                rows += 1
                e = _entry(el, kind, rows, vocab, problems)
                if e is not None:
                    entries.append(e)
    raw = (root.get("dateGenerated") or "").strip()
    generated = raw[:10] if _ISO_DATE.match(raw) else ""
    parsed = ParsedList("un-xml", entries, problems, snapshot_date=generated or None,
                        default_name="UN Security Council Consolidated List", rows=rows, files=[path],
                        name_field="FIRST_NAME", row_unit="record")
    if raw and not generated:
        parsed.warnings.append(f"dateGenerated {raw[:40]!r} is not a date (YYYY-MM-DD…); the "
                               "snapshot date is taken as if the file gave none (--snapshot-date sets it)")
    return parsed
