"""Case pack reading: every part checked against the manifest without writing anything.

check_pack reads the whole pack: names (nothing climbs out, nothing unlisted), the manifest's
format and schema, each part's size and SHA-256 (read with a cap at the size the manifest gives,
so a zip bomb stops at the first byte too many). PartReader reads a part again the same way
when the pack is written into a workspace (casepack_in), so a file changed in between is caught.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casedesk.domain.errors import CaseDeskError
from casedesk.services.exchange.casepack_format import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MAX_LINE_BYTES,
    MAX_MANIFEST_BYTES,
    TABLE_PARTS,
    content_addressed,
    max_unpacked_bytes,
    unsafe_name,
)
from casedesk.services.exchange.casepack_receipt import receipt_refusal
from casedesk.services.progress import Job, Progress


class PackRefused(CaseDeskError):
    """A case pack failed a check; nothing was written. The message names the part."""


@dataclass
class CheckedPack:
    """A pack that passed every check: its manifest, its bytes' identity and its parts."""

    path: Path
    manifest: dict[str, Any]
    manifest_text: str
    pack_sha256: str
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from casedesk.storage.migrations import RENAMED_REVISIONS, alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    return known | {old for old, _ in RENAMED_REVISIONS}


def open_pack_zip(path: Path) -> zipfile.ZipFile:
    """The pack's zip, or PackRefused saying why it is not one."""
    if not path.is_file():
        raise PackRefused(f"{path} is not a file")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise PackRefused(f"{path.name} is not a case pack: not a readable zip file "
                          f"(truncated or not a pack at all: {exc})") from None


class PartReader:
    """One part read with its size capped at the manifest's and its SHA-256 taken as it goes."""

    def __init__(self, zf: zipfile.ZipFile, name: str, expected: dict[str, Any]):
        self.name = name
        self.expected = expected
        self.limit = int(expected["size"])
        self.sha = hashlib.sha256()
        self.size = 0
        try:
            self.fh = zf.open(name)
        except (KeyError, zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
            raise PackRefused(f"part {name}: cannot be read ({exc})") from None

    def chunks(self, size: int = 1 << 20) -> Iterator[bytes]:
        try:
            while True:
                data = self.fh.read(size)
                if not data:
                    break
                self.size += len(data)
                if self.size > self.limit:
                    raise PackRefused(f"part {self.name}: unpacks to more than the {self.limit:,} "
                                      "bytes the manifest gives (altered pack or zip bomb)")
                self.sha.update(data)
                yield data
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise PackRefused(f"part {self.name}: damaged ({exc})") from None
        finally:
            self.fh.close()
        self.finish()

    def finish(self) -> None:
        if self.size != self.limit:
            raise PackRefused(f"part {self.name}: {self.size:,} bytes, the manifest says {self.limit:,}")
        if self.sha.hexdigest() != self.expected["sha256"]:
            raise PackRefused(f"part {self.name}: SHA-256 does not match the manifest (altered)")

    def lines(self) -> Iterator[tuple[int, dict[str, Any]]]:
        rest = b""
        number = 0
        for chunk in self.chunks():
            rest += chunk
            *complete, rest = rest.split(b"\n")
            if len(rest) > MAX_LINE_BYTES:
                raise PackRefused(f"part {self.name}: a line longer than {MAX_LINE_BYTES:,} bytes")
            for raw in complete:
                number += 1
                yield number, self._parse(number, raw)
        if rest.strip():
            number += 1
            yield number, self._parse(number, rest)

    def _parse(self, number: int, raw: bytes) -> dict[str, Any]:
        try:
            value = _loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise PackRefused(f"part {self.name}: line {number} is not JSON") from None
        if not isinstance(value, dict):
            raise PackRefused(f"part {self.name}: line {number} is not a JSON object")
        return value

    def content(self) -> bytes:
        return b"".join(self.chunks())


_SCAN = json.JSONDecoder().scan_once


def _loads(raw: bytes) -> Any:
    """json.loads(raw), with a shortcut for a line that starts "{" (every line a pack holds).

    Such a line is UTF-8 to json.loads's encoding sniffing, so it is decoded as loads would and
    handed to the C scanner directly; loads adds about half again per line on 800k lines.
    """
    if raw[:1] != b"{" or raw[1:2] == b"\x00":
        return json.loads(raw)
    text = raw.decode("utf-8", "surrogatepass")
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:  # no value starts at 0: loads's own message
        return json.loads(text)
    if end != len(text) and text[end:].strip(" \t\n\r"):
        return json.loads(text)  # extra data after the object: loads raises it
    return value


def _check_names(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    seen: set[str] = set()
    for info in infos:
        why = unsafe_name(info.filename)
        if why is not None:
            raise PackRefused(f"entry {info.filename[:200]!r}: {why}; the pack is refused")
        if info.filename in seen:
            raise PackRefused(f"entry {info.filename}: appears twice")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise PackRefused(f"entry {info.filename}: a symbolic link")
        seen.add(info.filename)
    if MANIFEST not in seen:
        raise PackRefused(f"{MANIFEST} is missing: not a case pack")
    return infos


def _read_manifest(zf: zipfile.ZipFile) -> tuple[dict[str, Any], str]:
    info = zf.getinfo(MANIFEST)
    if info.file_size > MAX_MANIFEST_BYTES:
        raise PackRefused(f"part {MANIFEST}: larger than {MAX_MANIFEST_BYTES:,} bytes")
    try:
        with zf.open(MANIFEST) as fh:
            raw = fh.read(MAX_MANIFEST_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise PackRefused(f"part {MANIFEST}: damaged ({exc})") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise PackRefused(f"part {MANIFEST}: larger than {MAX_MANIFEST_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
        manifest = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise PackRefused(f"part {MANIFEST}: not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackRefused(f"part {MANIFEST}: not a CaseDesk case-pack manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int):
        raise PackRefused(f"part {MANIFEST}: no format_version")
    if version > FORMAT_VERSION:
        raise PackRefused(f"this pack is format {version}, made by a newer CaseDesk "
                          f"({manifest.get('made_by', '?')}); this one reads up to format "
                          f"{FORMAT_VERSION}: upgrade CaseDesk to import it")
    revision = manifest.get("schema_revision")
    if not isinstance(revision, str) or revision not in _known_revisions():
        raise PackRefused(f"this pack comes from a newer workspace schema ({revision!r}, "
                          f"{manifest.get('made_by', '?')}) than this CaseDesk knows: upgrade "
                          "CaseDesk to import it")
    parts = manifest.get("parts")
    if not isinstance(parts, dict):
        raise PackRefused(f"part {MANIFEST}: no list of parts")
    for name, meta in parts.items():
        why = unsafe_name(name) if name != MANIFEST else "the manifest cannot list itself"
        if why is not None:
            raise PackRefused(f"part {str(name)[:200]!r} in the manifest: {why}")
        if not (isinstance(meta, dict) and isinstance(meta.get("size"), int) and meta["size"] >= 0
                and isinstance(meta.get("sha256"), str)):
            raise PackRefused(f"part {name}: the manifest gives no size and SHA-256 for it")
        promised = content_addressed(name)
        if promised is not None and meta["sha256"] != promised:  # stored under that hash here
            raise PackRefused(f"part {name}: named by one SHA-256, the manifest gives another (altered)")
    for name in TABLE_PARTS:
        if name not in parts:
            raise PackRefused(f"part {name}: missing from the manifest")
    for key in ("workspace", "case", "audit_head"):
        if not isinstance(manifest.get(key), dict):
            raise PackRefused(f"part {MANIFEST}: no {key}")
    why = receipt_refusal(manifest)
    if why is not None:
        raise PackRefused(f"part {MANIFEST}: {why}")
    return manifest, text


def check_pack(path: str | Path) -> Job[CheckedPack]:
    """Check a pack whole without writing anything; returns the CheckedPack or raises PackRefused."""
    path = Path(path)
    zf = open_pack_zip(path)
    with zf:
        if MANIFEST not in zf.namelist():
            raise PackRefused(f"{MANIFEST} is missing: not a case pack")
        # the format first: a newer CaseDesk's pack (with parts this one does not know) says "upgrade"
        manifest, text = _read_manifest(zf)
        infos = _check_names(zf)
        parts = manifest["parts"]
        listed = {i.filename for i in infos} - {MANIFEST}
        for name in sorted(listed - set(parts)):
            raise PackRefused(f"part {name}: in the zip but not in the manifest")
        for name in sorted(set(parts) - listed):
            raise PackRefused(f"part {name}: listed in the manifest but missing from the zip "
                              "(renamed or removed)")
        total = sum(int(p["size"]) for p in parts.values())
        cap = max_unpacked_bytes()
        if total > cap:
            raise PackRefused(f"the pack would unpack to {total:,} bytes, more than the "
                              f"{cap:,} allowed (CASEDESK_CASEPACK_MAX_BYTES)")
        for info in infos:
            if info.filename != MANIFEST and info.file_size != parts[info.filename]["size"]:
                raise PackRefused(f"part {info.filename}: the zip says {info.file_size:,} bytes, "
                                  f"the manifest {parts[info.filename]['size']:,}")
        done = 0
        yield Progress(0, total, f"Checking {path.name}…")
        for name in sorted(parts):
            for chunk in PartReader(zf, name, parts[name]).chunks():
                done += len(chunk)
            yield Progress(done, total, f"Checking {path.name}: {name}")
    return CheckedPack(path, manifest, text, hashlib.sha256(text.encode("utf-8")).hexdigest(),
                       dict(parts))
