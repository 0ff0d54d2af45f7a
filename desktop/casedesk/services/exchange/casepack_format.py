"""The case pack's layout: part names, the manifest, the limits a reader enforces.

A case pack is a zip holding `manifest.json` and one part per kind of row (JSON lines) plus each
evidence file under `evidence/<sha256>`; a case whose fleets use workspace catalog models also
carries them (`catalog.jsonl`, their source files under `catalog/<sha256>`, format 2). The manifest lists every part with its SHA-256 and size
(of the uncompressed bytes) and the exporting workspace's audit head; the pack's own identity is
the SHA-256 of the manifest's bytes. Plain data only: nothing in a pack is ever executed.
"""

from __future__ import annotations

import os
import re

FORMAT = "casedesk-casepack"
FORMAT_VERSION = 2  # 2: may carry catalog.jsonl (1: never does; a pack without models stays 1)
MANIFEST = "manifest.json"
# Parts in the order an importer writes them (each refers only to the ones before it).
TABLE_PARTS = ("case.json", "records.jsonl", "links.jsonl", "evidence.jsonl", "citations.jsonl",
               "events.jsonl", "findings.jsonl", "screening_hits.jsonl",
               "duplicate_decisions.jsonl", "import_batches.jsonl", "chart_positions.jsonl",
               "audit.jsonl")
EVIDENCE_DIR = "evidence/"
# The workspace catalog models the case's fleets use, and their source files (optional parts).
CATALOG_PART = "catalog.jsonl"
CATALOG_DIR = "catalog/"
_SHA = re.compile(r"[0-9a-f]{64}")

# What a reader accepts at most (a zip bomb is refused before it is unpacked).
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024


def max_unpacked_bytes() -> int:
    """The most a pack may unpack to in all (CASEDESK_CASEPACK_MAX_BYTES, default 8 GiB)."""
    try:
        return int(os.environ.get("CASEDESK_CASEPACK_MAX_BYTES", str(8 * 1024 ** 3)))
    except ValueError:
        return 8 * 1024 ** 3


def evidence_part(sha256: str) -> str:
    """The part name of an evidence file."""
    return f"{EVIDENCE_DIR}{sha256}"


def is_evidence_part(name: str) -> bool:
    """True for a well-formed evidence part name."""
    return name.startswith(EVIDENCE_DIR) and bool(_SHA.fullmatch(name[len(EVIDENCE_DIR):]))


def catalog_source_part(sha256: str) -> str:
    """The part name of a catalog model's source file."""
    return f"{CATALOG_DIR}{sha256}"


def is_catalog_source_part(name: str) -> bool:
    """True for a well-formed catalog source part name."""
    return name.startswith(CATALOG_DIR) and bool(_SHA.fullmatch(name[len(CATALOG_DIR):]))


def content_addressed(name: str) -> str | None:
    """The SHA-256 a content-addressed part's name promises (evidence, catalog source), or None."""
    if is_evidence_part(name) or is_catalog_source_part(name):
        return name.rsplit("/", 1)[1]
    return None


def unsafe_name(name: str) -> str | None:
    """Why a name inside the zip cannot be a part (climbs out, absolute, odd), or None."""
    if not name or "\x00" in name:
        return "an empty name or one holding NUL"
    if "\\" in name:
        return "a backslash in the name"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if any(seg in ("..", ".") for seg in name.split("/")):
        return "a path that climbs out of the pack (..)"
    if (name != MANIFEST and name not in TABLE_PARTS and name != CATALOG_PART
            and content_addressed(name) is None):
        return "a name that is not a case-pack part"
    return None
