"""On-chain transaction hashes: the shape each chain gives them, checked and normalised.

EVM chains write a transaction hash as 0x and 64 hex digits (Keccak-256); Bitcoin, Litecoin and
TRON as 64 hex digits (a double SHA-256 for Bitcoin, a SHA-256 for TRON); Solana as a base58
signature of 64 bytes (87 or 88 characters). Hex is stored lower-case, so one hash matches itself
however it was pasted.
"""

from __future__ import annotations

import re

from casedesk.domain.errors import ValidationError
from casedesk.domain.wallets import EVM_CHAINS, chain_code

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_BASE58_SIG = re.compile(r"[1-9A-HJ-NP-Za-km-z]{86,88}")


def validate_tx_hash(chain: str | None, value: str, *, field: str = "tx_hashes") -> str:
    """The normalised transaction hash for this chain (None: any known shape), or ValidationError."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError(field, "a transaction hash is empty")
    shown = text[:80]
    code = chain_code(chain) if chain else None
    body = text[2:] if text[:2].lower() == "0x" else None
    if code in EVM_CHAINS or (code is None and body is not None):
        if body is None or not _HEX64.fullmatch(body):
            raise ValidationError(field, f"{shown!a} is not an {code or 'EVM'} transaction hash "
                                         "(0x and 64 hex digits)")
        return "0x" + body.lower()
    if code in ("BTC", "LTC", "TRON") or (code is None and _HEX64.fullmatch(text)):
        if not _HEX64.fullmatch(text):
            raise ValidationError(field, f"{shown!a} is not a {code} transaction hash (64 hex digits)")
        return text.lower()
    if code == "SOL" or (code is None and _BASE58_SIG.fullmatch(text)):
        if not _BASE58_SIG.fullmatch(text):
            raise ValidationError(field, f"{shown!a} is not a Solana transaction signature (base58)")
        return text
    if code is None:
        raise ValidationError(field, f"{shown!a} is not a transaction hash (0x and 64 hex digits for "
                                     "EVM chains, 64 hex digits for Bitcoin and TRON)")
    raise ValidationError(field, f"transaction hashes on {code} are not checked here; "
                                 "record the hash in the notes")
