"""FollowTheMoney in: an FtM entity file into a case, through the CSV importer's dedupe and writer.

Three streamed passes over the file, so memory holds an index per entity, never the file:
1. index: every line parsed and checked (JSON, id, schema, properties); the OpenSanctions delta
   form ({"op": ADD|MOD|DEL, "entity": …}) resolved to each id's last word; nested entities
   flattened; Address, Identification and Passport entities kept for the entities they attach to.
2. nodes: people, companies, organizations, public bodies, legal entities, crypto wallets, and the
   assets and contracts CaseDesk exported become record drafts, deduplicated against the file and
   the case by importing.resolve (identifiers and wallet addresses merge, names are suggested).
3. edges: Ownership, Directorship, Employment, Membership, Representation, Payment, Family,
   Associate, UnknownLink and ContractAward become links between the records of pass 2.
The file is evidence; every record and link cites it with its entity id as locator. One
transaction; each entity refused gets its own reason. Reading the file is ftm_reading, node drafts
ftm_drafts, edges to links ftm_edges, the rows written beside the importer's writer ftm_writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casedesk.domain.errors import ValidationError
from casedesk.domain.vocabulary import Vocabulary, default_vocabulary
from casedesk.services.cases import get_case
from casedesk.services.collector import few_gc_passes
from casedesk.services.evidence import parse_grade
from casedesk.services.exchange.ftm_edges import EdgeLinker
from casedesk.services.exchange.ftm_mapping import (
    ATTACHED_SCHEMATA,
    EDGE_SCHEMATA,
    SKIPPED_SCHEMATA,
)
from casedesk.services.exchange.ftm_reading import (
    FtmFile,
    IndexLine,
    check_entity,
)
from casedesk.services.exchange.ftm_writes import (
    add_contract_parties,
    relocate_citations,
)
from casedesk.services.importing.drafts import EntityDraft, Reject
from casedesk.services.importing.provenance import (
    add_import_evidence,
    finish_batch,
    hash_file,
    start_batch,
)
from casedesk.services.importing.resolve import RowResolver, merge_later
from casedesk.services.importing.results import ImportOptions, ImportResult
from casedesk.services.importing.settings import import_settings
from casedesk.services.importing.writer import ImportWriter, large_cache
from casedesk.services.progress import Job, Progress
from casedesk.storage.workspace import Workspace

_PROGRESS_EVERY = 2000


@dataclass
class FtmImport:
    """What an FtM import did, beside the usual ImportResult."""

    result: ImportResult
    entities: int
    skipped: dict[str, int]
    rejects: list[dict[str, Any]]
    missing_references: list[dict[str, Any]]
    deltas: int
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {**self.result.as_json(), "format": "ftm", "entities": self.entities,
                "skipped": self.skipped, "rejects": self.rejects[:1000],
                "missing_references": self.missing_references[:1000], "delta_lines": self.deltas,
                "warnings": self.warnings[:1000]}


class _NoRule:
    """The converter seam RowResolver keeps; FtM links are checked here, not by a mapping."""

    def allows(self, *args: Any) -> bool:
        return True


class FtmImporter(EdgeLinker):
    """Turns checked FtM entities into drafts and links, through the importer's resolver."""

    def __init__(self, vocab: Vocabulary, resolver: RowResolver):
        super().__init__(vocab)
        self.resolver = resolver
        self.drafts: dict[str, EntityDraft] = {}
        self.line_ids: dict[int, str] = {}
        self.rejects: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []
        self.missing: list[dict[str, Any]] = []
        self.links = 0
        self.link_keys: dict[tuple[Any, ...], Any] = {}
        self.case_links: dict[tuple[Any, ...], int] | None = None
        self.contract_parties: list[tuple[Any, Any, str, int]] = []

    def _keys(self, eid: str, draft: EntityDraft) -> None:
        """The draft's dedupe keys, set before the resolver computes its own (drafts.draft_keys).

        Two differences from a CSV row, both because an FtM id already names one entity: within
        the file, entities merge on a shared identifier but never on a name alone (the name key
        is the entity id); and an OTHER identifier (FtM's KPP, OKPO… codes, shared by many
        companies) is no key at all. Matching against the case still uses the normalised name.
        """
        if draft.kind == "wallet":
            return
        draft.norm = self.resolver.normalize(draft.label)
        draft.name_key = " ".join(sorted(draft.norm.split()))
        draft.keys = ([f"{draft.kind}|id|{i.scheme}|{i.value}" for i in draft.identifiers
                       if i.scheme != "OTHER"], f"{draft.kind}|ftm|{eid}")

    def add_node(self, line: int, eid: str, schema: str, props: dict[str, list[str]]) -> None:
        from casedesk.services.importing.drafts import RowDraft

        try:
            draft = self.node_draft(eid, schema, props)
        except (ValueError, ValidationError) as exc:
            self.reject(line, eid, schema, str(exc))
            return
        earlier = self.drafts.get(eid)
        if earlier is not None and earlier.entity is not None:
            # another fragment of the same entity: what it adds goes to the same record
            merge_later(earlier.entity, draft, line, self.resolver.normalize)
            earlier.entity.spans.add(line)
            self.line_ids[line] = eid
            return
        self._keys(eid, draft)
        count = len(self.resolver.entities)
        self.resolver.resolve(RowDraft(line, {"entity": draft}, []), [])
        if draft.entity is None:  # kinds not matched within the file: the entity just made
            draft.entity = (self.resolver.entities[-1] if len(self.resolver.entities) > count
                            else self.resolver.files.find(draft))
        self.drafts[eid] = draft
        self.line_ids[line] = eid


def run_ftm_import(ws: Workspace, case_id: int, path: str | Path, *,
                   options: ImportOptions | None = None,
                   vocab: Vocabulary | None = None) -> Job[FtmImport]:
    """Import an FtM entity file into a case in one transaction; returns the FtmImport."""
    options = options or ImportOptions()
    vocab = vocab or default_vocabulary()
    parse_grade(options.grade)
    path = Path(path)
    if not path.is_file():
        raise ValidationError("file", f"{path} is not a file")
    size = path.stat().st_size
    ftm = FtmFile(path)
    # pass 1: the index (each id's final lines; deleted ids), attached entities kept aside
    yield Progress(0, size, f"Reading {path.name}…")
    index: dict[str, IndexLine | None] = {}
    attached: dict[str, tuple[str, dict[str, list[str]]]] = {}
    skipped: dict[str, int] = {}
    warnings: list[dict[str, Any]] = []
    early_rejects: list[dict[str, Any]] = []
    count = 0
    for n, op, ent in ftm.entities(report=True):
        count += 1
        if ent is None:
            continue
        if op == "DEL":
            index[ent["id"]] = None
            attached.pop(ent["id"], None)
            continue
        try:
            eid, schema, props, dropped = check_entity(ent)
        except ValueError as exc:
            early_rejects.append({"line": n, "id": ent.get("id") if isinstance(ent.get("id"), str) else "",
                                  "schema": str(ent.get("schema", "")), "reason": str(exc)})
            continue
        for d in dropped:
            warnings.append({"line": n, "id": eid, "warning": d})
        entry = index.get(eid)
        if entry is None or ftm.deltas:  # a delta's later word replaces the earlier one
            index[eid] = IndexLine(schema, [n])
        else:
            entry.lines.append(n)  # fragments of one entity (flat files): merged
        if schema in ATTACHED_SCHEMATA:
            attached[eid] = (schema, props)
        if count % (_PROGRESS_EVERY * 10) == 0:
            yield Progress(0, size, f"Reading {path.name}: {count:,} entities")
    for line, eid, reason in ftm.problems:
        early_rejects.append({"line": line, "id": eid, "schema": "", "reason": reason})
    if not index:
        raise ValidationError("file", f"{path.name} holds no FollowTheMoney entities"
                              + (f" (line {early_rejects[0]['line']}: {early_rejects[0]['reason']})"
                                 if early_rejects else ""))
    yield Progress(0, size, f"Hashing {path.name}…")
    sha256, fsize = hash_file(path)
    settings = import_settings()
    imp: FtmImporter | None = None
    with ws.write(defer_checkpoint=True) as s, few_gc_passes():
        get_case(s, case_id)
        large_cache(s)
        evidence_id = add_import_evidence(
            s, case_id, path, sha256, fsize, grade=options.grade,
            title=options.title or f"Import of {path.name}",
            source=options.source or f"{path.name}, FollowTheMoney entities")
        batch_id = start_batch(s, case_id, evidence_id, path, sha256,
                               {"format": "ftm", "grade": options.grade.upper(),
                                "delta_lines": ftm.deltas})
        writer = ImportWriter(s, case_id, evidence_id, batch_id, path.name, options.normalize)
        resolver = RowResolver(s, case_id, {"party", "wallet", "datacenter", "server", "contract"},
                               options, {}, vocab, settings, _NoRule(), writer)  # type: ignore[arg-type]
        imp = FtmImporter(vocab, resolver)
        imp.rejects.extend(early_rejects)
        try:
            for eid, (schema, props) in attached.items():
                imp.attach(schema, eid, props)

            def final(n: int, ent: dict[str, Any]) -> tuple[str, str, dict[str, list[str]]] | None:
                eid = ent.get("id")
                entry = index.get(eid) if isinstance(eid, str) else None
                if entry is None or n not in entry.lines:
                    return None
                try:
                    eid, schema, props, _ = check_entity(ent)
                except ValueError:
                    return None
                return eid, schema, props

            # pass 2: nodes
            for n, op, ent in ftm.entities(report=False):
                if op == "DEL" or ent is None or (item := final(n, ent)) is None:
                    continue
                eid, schema, props = item
                if schema in EDGE_SCHEMATA or schema in ATTACHED_SCHEMATA:
                    continue
                if schema in SKIPPED_SCHEMATA:
                    skipped[schema] = skipped.get(schema, 0) + 1
                    continue
                imp.caption = ent.get("caption") if isinstance(ent.get("caption"), str) else None
                imp.add_node(n, eid, schema, props)
                if len(imp.drafts) % _PROGRESS_EVERY == 0:
                    writer.flush()
                    yield Progress(n, None, f"Importing {path.name}: {len(imp.drafts):,} records")
            writer.flush()
            # pass 3: edges
            for n, op, ent in ftm.entities(report=False):
                if op == "DEL" or ent is None or (item := final(n, ent)) is None:
                    continue
                eid, schema, props = item
                if schema not in EDGE_SCHEMATA:
                    continue
                imp.add_edge(n, eid, schema, props)
                if imp.links % (_PROGRESS_EVERY * 5) == 0:
                    writer.flush()
                    yield Progress(n, None, f"Importing {path.name}: {imp.links:,} links")
            writer.flush()
            if not resolver.entities and not imp.links:
                first = imp.rejects[0] if imp.rejects else None
                where = f" (first: line {first['line']}: {first['reason']})" if first else ""
                raise ValidationError("file", f"none of the entities of {path.name} can be imported, "
                                      f"nothing was written{where}")
            yield Progress(size, size, "Comparing names with the case…")
            resolver.match_queued()
            yield Progress(size, size, "Citing the evidence…")
            writer.finish(resolver.entities, resolver.link_states)
            add_contract_parties(s, case_id, batch_id, imp.contract_parties)
            relocate_citations(s, evidence_id, imp.line_ids)
            counts = {"rows": count, "valid": len(imp.line_ids), "rejected": len(imp.rejects),
                      "created": sum(resolver.created.values()), "created_by_kind": dict(resolver.created),
                      "merged": resolver.merged, "links": resolver.links,
                      "links_matched": resolver.links_matched, "citations": writer.citations,
                      "skipped": skipped, "missing_references": len(imp.missing)}
            finish_batch(s, case_id, batch_id, counts)
            yield Progress(size, size, "Committing…")
        finally:
            resolver.close()
    result = ImportResult(
        batch_id=batch_id, case_id=case_id, evidence_id=evidence_id, sha256=sha256,
        filename=path.name, rows=count, valid=len(imp.line_ids), rejected=len(imp.rejects),
        created=sum(resolver.created.values()), created_by_kind=dict(resolver.created),
        merged=resolver.merged, links=resolver.links, links_matched=resolver.links_matched,
        citations=writer.citations, suggestions=resolver.suggestions(), rejects_path=None,
        rejects_sample=[Reject(r["line"], (r["id"],), (f"{r['schema'] or 'entity'} {r['id']}: {r['reason']}",))
                        for r in imp.rejects[:settings.preview_rows]])
    return FtmImport(result, count, skipped, imp.rejects, imp.missing, ftm.deltas, warnings)
