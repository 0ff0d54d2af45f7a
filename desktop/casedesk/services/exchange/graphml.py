"""GraphML out: records as nodes with typed attributes, links as edges, for Gephi, yEd and networkx.

Keys Gephi maps by name: `label` (node and edge label), `x`/`y` (positions, when the case's chart
has them), `weight`. yEd reads its own node graphics, so each node also carries a yfiles
ShapeNode with the label (positions stay in x/y: networkx would read a yfiles geometry as text
over them); networkx reads the plain keys with their types.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from casedesk.domain.models import RECORD_KINDS
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.services.exchange.case_rows import CaseRows, kind_columns
from casedesk.services.exchange.output import AtomicFile, check_output
from casedesk.services.exchange.result import ExportResult
from casedesk.services.fields import LINK_FIELDS, fields_of
from casedesk.services.progress import Job, Progress

# XML 1.0 cannot hold these characters at all, escaped or not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TYPES = {"int": "int", "float": "double", "bool": "boolean"}
_NS = ('xmlns="http://graphml.graphdrawing.org/xmlns" '
       'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
       'xmlns:y="http://www.yworks.com/xml/graphml" '
       'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
       'http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd"')


def xml_text(value: Any) -> str:
    """A value as XML character data: escaped, characters XML forbids replaced by U+FFFD."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(_NOT_XML.sub("\ufffd", str(value)))


def node_keys() -> dict[str, str]:
    """Every node attribute and its GraphML type (a name two kinds type differently is a string)."""
    keys: dict[str, str] = {"label": "string", "kind": "string", "country": "string"}
    for kind in RECORD_KINDS:
        for spec in fields_of(kind):
            gtype = _TYPES.get(spec.type, "string")
            if spec.name in keys and keys[spec.name] != gtype:
                gtype = "string"
            keys[spec.name] = gtype
        for col in kind_columns(kind):  # stored columns that are not editable fields (match_key)
            keys.setdefault(col, "string")
    keys.update({"aliases": "string", "identifiers": "string", "addresses": "string",
                 "x": "double", "y": "double"})
    return keys


def edge_keys() -> dict[str, str]:
    """Every edge attribute and its GraphML type."""
    keys = {"label": "string", "type": "string", "weight": "double"}
    for spec in LINK_FIELDS:
        keys[spec.name] = _TYPES.get(spec.type, "string")
    return keys


def _data(key: str, value: Any) -> str:
    return f'<data key="{key}">{xml_text(value)}</data>'


def export_graphml(rows: CaseRows, out_path: str | Path,
                   vocab: Vocabulary | None = None) -> Job[ExportResult]:
    """Write the scope as one directed GraphML graph; returns the ExportResult."""
    vocab = vocab or default_vocabulary()
    target = check_output(out_path)
    nkeys, ekeys = node_keys(), edge_keys()
    positions = rows.positions()
    total = rows.count_records()
    yield Progress(0, total, "Writing GraphML…")
    head = ['<?xml version="1.0" encoding="UTF-8"?>', f"<graphml {_NS}>"]
    for name, gtype in nkeys.items():
        head.append(f'<key id="n_{name}" for="node" attr.name={quoteattr(name)} attr.type="{gtype}"/>')
    head.append('<key id="n_yfiles" for="node" yfiles.type="nodegraphics"/>')
    for name, gtype in ekeys.items():
        head.append(f'<key id="e_{name}" for="edge" attr.name={quoteattr(name)} attr.type="{gtype}"/>')
    head.append(f'<graph id="case{rows.scope.case_id}" edgedefault="directed">')
    records = links = 0
    with AtomicFile(target) as out:
        out.out.write(("\n".join(head) + "\n").encode("utf-8"))
        buf: list[str] = []
        for rec in rows.records():
            records += 1
            rid = rec["id"]
            parts = [f'<node id="r{rid}">']
            for name in nkeys:
                if name in ("aliases", "identifiers", "addresses", "x", "y"):
                    continue
                value = rec.get(name)
                if value is None or value == "" or value == []:
                    continue
                if isinstance(value, list):
                    value = "; ".join(map(str, value))
                parts.append(_data(f"n_{name}", value))
            if rec["aliases"]:
                parts.append(_data("n_aliases", "; ".join(a["name"] for a in rec["aliases"])))
            if rec["identifiers"]:
                parts.append(_data("n_identifiers", "; ".join(
                    f"{i['scheme']}:{i['value']}" for i in rec["identifiers"])))
            if rec["addresses"]:
                parts.append(_data("n_addresses", "; ".join(a["full"] for a in rec["addresses"])))
            pos = positions.get(rid)
            if pos is not None:
                parts.append(_data("n_x", pos[0]))
                parts.append(_data("n_y", pos[1]))
            # no y:Geometry: networkx would read its x/y as text over the typed keys above
            parts.append(f'<data key="n_yfiles"><y:ShapeNode>'
                         f'<y:NodeLabel>{xml_text(rec["label"])}</y:NodeLabel></y:ShapeNode></data>')
            parts.append("</node>")
            buf.append("".join(parts))
            if len(buf) >= 5000:
                out.out.write(("\n".join(buf) + "\n").encode("utf-8", "replace"))
                buf = []
                yield Progress(records, total, f"Writing GraphML: {records:,} nodes")
        for link in rows.links():
            links += 1
            lt = link["link_type"]
            term = vocab.link_types.get(lt)
            parts = [f'<edge id="l{link["id"]}" source="r{link["source_id"]}" target="r{link["target_id"]}">',
                     _data("e_label", term.label if term is not None else lt), _data("e_type", lt)]
            if link.get("share_pct") is not None:
                parts.append(_data("e_weight", link["share_pct"]))
            for spec in LINK_FIELDS:
                value = link.get(spec.name)
                if value is not None and value != "":
                    parts.append(_data(f"e_{spec.name}", value))
            parts.append("</edge>")
            buf.append("".join(parts))
            if len(buf) >= 20000:
                out.out.write(("\n".join(buf) + "\n").encode("utf-8", "replace"))
                buf = []
                yield Progress(total, total, f"Writing GraphML: {links:,} edges")
        buf.append("</graph>\n</graphml>\n")
        out.out.write("\n".join(buf).encode("utf-8", "replace"))
        sha = out.commit()
    return ExportResult("graphml", rows.scope.case_id, rows.scope.describe(), str(target), sha,
                        records, links, {"positions": len(positions)})
