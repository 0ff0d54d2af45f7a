"""This install's Ed25519 signing key, kept under the user's data directory, never in a workspace.

The key signs audit seals and head receipts; the workspace holds only its public half, so a copy
of the workspace file cannot re-sign a rewritten history. pycryptodome (already a dependency for
Keccak) provides Ed25519; a signature costs ~0.1 ms and is made once per write transaction.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa
from platformdirs import user_data_dir

from casedesk.domain.errors import WorkspaceError

_KEY_FILE = "ed25519-signing-key.pem"
_lock = threading.Lock()
_cache: dict[Path, "SigningKey"] = {}


def data_dir() -> Path:
    """CaseDesk's per-user data folder ($CASEDESK_DATA_DIR overrides it, for tests and portable use)."""
    return Path(os.environ.get("CASEDESK_DATA_DIR") or user_data_dir("CaseDesk", appauthor=False))


def key_id_of(public_key: bytes) -> str:
    """A key's short, stable name: the first 16 hex digits of SHA-256 over its raw public bytes."""
    return hashlib.sha256(public_key).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    """A private key and its public half (raw 32 bytes) and key id."""

    _key: ECC.EccKey
    public_key: bytes
    key_id: str

    def sign(self, message: bytes) -> str:
        """The hex Ed25519 signature (RFC 8032) of message."""
        return eddsa.new(self._key, "rfc8032").sign(message).hex()


def verify_signature(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    """True when signature_hex is a valid Ed25519 signature of message by that public key."""
    try:
        key = eddsa.import_public_key(bytes.fromhex(public_key_hex))
        eddsa.new(key, "rfc8032").verify(message, bytes.fromhex(signature_hex))
        return True
    except (ValueError, TypeError):
        return False


def install_key() -> SigningKey:
    """This install's key, made (mode 0600) on first use."""
    path = data_dir() / "keys" / _KEY_FILE
    with _lock:
        cached = _cache.get(path)
        if cached is not None:
            return cached
        try:
            if path.exists():
                key = ECC.import_key(path.read_text(encoding="ascii"))
            else:
                key = ECC.generate(curve="ed25519")
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="ascii") as fh:
                    fh.write(key.export_key(format="PEM"))
                os.replace(tmp, path)
        except (OSError, ValueError) as exc:
            raise WorkspaceError(f"cannot use the signing key {path}: {exc}") from None
        public = key.public_key().export_key(format="raw")
        signing = SigningKey(key, public, key_id_of(public))
        _cache[path] = signing
        return signing
