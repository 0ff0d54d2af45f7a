"""Getting a case out and in: FollowTheMoney, GraphML, CSV and the portable case pack.

case_rows        a case read for export as plain rows (records with children, links, positions)
output           atomic files and folders, hashed while written
result           ExportResult
jobs             export_case (any format, then its audit entry) and record_export
ftm_mapping      CaseDesk kinds and link types <-> FtM schemata (both directions read it)
ftm_out          FtM entity JSON lines
ftm_in           FtM entity files (flat, nested, OpenSanctions delta) into a case, streamed
graphml          GraphML for Gephi, yEd and networkx
csv_out          one CSV per record kind plus links.csv, formula cells neutralised
casepack_format  the case pack's parts, manifest and limits
casepack_out     the whole case as one zip with a manifest of SHA-256 hashes
casepack_reading a case pack read and checked whole against its manifest, nothing written
casepack_in      a checked case pack added as a new case

Every export and import is a generator yielding Progress (the GUI's runner and the CLI drive it).
"""

from casedesk.services.exchange.case_rows import ExportScope
from casedesk.services.exchange.jobs import FORMATS, export_case, record_export
from casedesk.services.exchange.result import ExportResult

__all__ = ["FORMATS", "ExportResult", "ExportScope", "export_case", "record_export"]
