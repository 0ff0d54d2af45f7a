"""Crypto wallet addresses: per-chain format and checksum checks, normalisation and match keys."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from casedesk.domain.address_codecs import (
    b58decode,
    decode_segwit,
    eip55_checksum,
    segwit_kind,
)
from casedesk.domain.errors import ValidationError

# Longest address we store; bech32 is at most 90 characters and base58 ones are shorter, so
# this bounds the quadratic big-integer base58 decoding of hostile input.
MAX_LENGTH = 128
_UNCHECKED_MIN = 10

_ALIASES = {"XBT": "BTC", "TRX": "TRON"}
_EVM = {
    "ETH": "Ethereum",
    "ETC": "Ethereum Classic",
    "BSC": "BNB Smart Chain",
    "POLYGON": "Polygon",
    "ARB": "Arbitrum",
    "BASE": "Base",
    "OP": "Optimism",
}
EVM_CHAINS = frozenset(_EVM)
_NAMES = {"BTC": "Bitcoin", "LTC": "Litecoin", "TRON": "TRON", "SOL": "Solana", **_EVM}
_CHAIN_RE = re.compile(r"[A-Z0-9][A-Z0-9_.\-]{0,39}")  # chain codes live in a 40-char column

# Base58check version bytes: (kind, is_testnet) per chain, plus hints for a wrong chain.
_BTC_VERSIONS = {0x00: "p2pkh", 0x05: "p2sh", 0x6F: "p2pkh-testnet", 0xC4: "p2sh-testnet"}
_LTC_VERSIONS = {
    0x30: "p2pkh",
    0x32: "p2sh",
    0x05: "p2sh",
}  # 0x05: old P2SH form shared with Bitcoin
_VERSION_HINTS = {
    0x00: "Bitcoin",
    0x05: "Bitcoin",
    0x30: "Litecoin",
    0x32: "Litecoin",
    0x41: "TRON",
}


@dataclass(frozen=True)
class CheckedAddress:
    """A wallet address after checking; `address` is the normalised form stored and matched."""

    chain: str
    address: str
    kind: str
    checksummed: (
        bool | None
    )  # True: a checksum verified; False: format has/had none; None: not checked
    note: str = ""


def validate_address(chain: str, address: str) -> CheckedAddress:
    """Check and normalise an address for a chain code; raise only ValidationError."""
    code = chain_code(chain)
    text = _token(address)
    if code == "BTC":
        return _check_btc(text)
    if code in _EVM:
        return _check_evm(code, text)
    if code == "TRON":
        return _check_tron(text)
    if code == "LTC":
        return _check_ltc(text)
    if code == "SOL":
        return _check_sol(text)
    if len(text) < _UNCHECKED_MIN:
        raise ValidationError(
            "address",
            f"a {code} address of {len(text)} characters is too short "
            f"(at least {_UNCHECKED_MIN} expected)",
            value=text,
        )
    return CheckedAddress(
        code, text, "unchecked", None, f"the format of {code} addresses is not checked"
    )


def detect_chain(address: str) -> str | None:
    """Best guess of an address's chain from its format (BTC, ETH, TRON, LTC), or None."""
    try:
        text = _token(address)
    except ValidationError:
        return None
    low = text.lower()
    if low.startswith("0x"):
        # Format only: a bad EIP-55 checksum is still an Ethereum-style address, and validating
        # it as ETH then gives the user the precise reason.
        return "ETH" if re.fullmatch(r"0x[0-9a-f]{40}", low) else None
    # Prefixes overlap (3… is BTC or old LTC P2SH; Solana keys can start with 1, L, M, T), so
    # a candidate counts only if its checksum and version byte verify.
    for chain, prefixes in (
        ("BTC", ("bc1", "tb1", "1", "3", "m", "n", "2")),
        ("LTC", ("ltc1", "l", "m", "3")),
        ("TRON", ("t",)),
    ):
        if low.startswith(prefixes):
            try:
                validate_address(chain, text)
                return chain
            except ValidationError:
                pass
    return None


def address_match_key(chain: str, address: str) -> str:
    """Exact-match key: lower-case for EVM chains and bech32, exact for base58 chains."""
    code = chain_code(chain)
    try:
        text = validate_address(code, address).address
    except ValidationError:
        # Sanctions lists contain malformed entries (OFAC lists a 39-digit ETH address); they
        # must still be matchable, so fall back to the bare token rules.
        text = _token(address)
    return checked_match_key(code, text)


def checked_match_key(code: str, address: str) -> str:
    """address_match_key of an address validate_address has already normalised for chain code."""
    if code in _EVM or (
        code in ("BTC", "LTC") and address.lower().startswith(("bc1", "tb1", "ltc1"))
    ):
        return address.lower()
    return address


# ---------------------------------------------------------------------------------------------
# Input hygiene


def chain_code(chain: str) -> str:
    """Upper-case chain code with aliases resolved (XBT→BTC, TRX→TRON)."""
    if not isinstance(chain, str):
        raise ValidationError("chain", "chain must be text", value=chain)
    code = chain.strip().upper()
    if not _CHAIN_RE.fullmatch(code):
        raise ValidationError(
            "chain", f"{chain[:60]!a} is not a chain code (e.g. BTC, ETH, TRON)", value=chain[:200]
        )
    return _ALIASES.get(code, code)


def _token(address: str) -> str:
    """Trim; refuse empty, inner whitespace, non-ASCII, control characters and over-long values."""
    if not isinstance(address, str):
        raise ValidationError("address", "address must be text", value=address)
    text = address.strip()
    if not text:
        raise ValidationError("address", "address is empty")
    if len(text) <= MAX_LENGTH and text.isascii() and text.isprintable() and " " not in text:
        return text  # the usual case, in three C calls; the loops below word the refusals
    clip = text[:200]
    if any(ch.isspace() for ch in text):
        raise ValidationError(
            "address",
            "address contains whitespace (a wallet address is a single token)",
            value=clip,
        )
    for ch in text:
        if ord(ch) > 0x7E:
            what = "non-ASCII" if ord(ch) > 0x7F else "control"
            # Code point, not the character: it may be an invisible or direction-changing one.
            raise ValidationError(
                "address", f"address contains the {what} character U+{ord(ch):04X}", value=clip
            )
        if ord(ch) < 0x21:
            raise ValidationError(
                "address", f"address contains the control character U+{ord(ch):04X}", value=clip
            )
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            "address",
            f"address is {len(text)} characters long; the limit is {MAX_LENGTH}",
            value=clip,
        )
    return text


def _bad(chain: str, reason: str, text: str) -> ValidationError:
    """A ValidationError worded 'not a valid <Chain> address: <reason>'."""
    return ValidationError(
        "address", f"not a valid {_NAMES.get(chain, chain)} address: {reason}", value=text
    )



def _b58check(chain: str, text: str) -> bytes:
    """Decode base58check, verify its double-SHA-256 checksum, return version + data."""
    try:
        raw = b58decode(text)
    except ValidationError as exc:
        raise _bad(chain, exc.reason, text) from None
    if len(raw) < 5:
        raise _bad(chain, "it is too short to be a base58check address", text)
    payload, check = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        raise _bad(
            chain, "base58check checksum does not verify (a character is probably mistyped)", text
        )
    return payload


def _versioned(chain: str, text: str, versions: dict[int, str]) -> str:
    """Check a 25-byte base58check address with a version byte in `versions`; return the kind."""
    payload = _b58check(chain, text)
    if len(payload) != 21:
        raise _bad(chain, f"it decodes to {len(payload) + 4} bytes but should decode to 25", text)
    if payload[0] not in versions:
        hint = _VERSION_HINTS.get(payload[0])
        also = f" (it looks like a {hint} address)" if hint and hint != _NAMES[chain] else ""
        raise _bad(
            chain,
            f"version byte 0x{payload[0]:02x} is not a {_NAMES[chain]} address version{also}",
            text,
        )
    return versions[payload[0]]



# ---------------------------------------------------------------------------------------------
# Chains


def _check_btc(text: str) -> CheckedAddress:
    """Bitcoin: base58check P2PKH/P2SH (mainnet and testnet) or bech32/bech32m segwit (bc, tb)."""
    if _looks_segwit(text, ("bc1", "tb1"), "13mn2"):
        try:
            hrp, version, program = decode_segwit(text, ("bc", "tb"))
        except ValidationError as exc:
            raise _bad("BTC", exc.reason, text) from None
        kind = segwit_kind(version, program) + ("-testnet" if hrp == "tb" else "")
        return CheckedAddress("BTC", text.lower(), kind, True, _testnet_note(kind))
    kind = _versioned("BTC", text, _BTC_VERSIONS)
    return CheckedAddress("BTC", text, kind, True, _testnet_note(kind))


def _looks_segwit(text: str, prefixes: tuple[str, ...], base58_firsts: str) -> bool:
    """Pick the decoder whose error message will make sense: bech32 for 'letters + 1' unless the
    first character is one the chain's base58 versions produce (testnet 'mn1…' is base58)."""
    if text.lower().startswith(prefixes):
        return True
    return text[0] not in base58_firsts and re.match(r"[A-Za-z]{1,83}1", text) is not None


def _testnet_note(kind: str) -> str:
    """Testnet coins are worthless; say so, since a testnet address in a case is unusual."""
    return "Bitcoin testnet address, not mainnet" if kind.endswith("-testnet") else ""


def _check_ltc(text: str) -> CheckedAddress:
    """Litecoin: base58check L/M/3 or bech32/bech32m segwit with hrp ltc (mainnet only)."""
    if _looks_segwit(text, ("ltc1",), "LM3"):
        try:
            _, version, program = decode_segwit(text, ("ltc",))
        except ValidationError as exc:
            raise _bad("LTC", exc.reason, text) from None
        return CheckedAddress("LTC", text.lower(), segwit_kind(version, program), True)
    return CheckedAddress("LTC", text, _versioned("LTC", text, _LTC_VERSIONS), True)


def _check_tron(text: str) -> CheckedAddress:
    """TRON: base58check of 0x41 + 20 bytes, always starting with T."""
    if not text.startswith("T"):
        raise _bad("TRON", "it must start with 'T'", text)
    _versioned("TRON", text, {0x41: "account"})
    return CheckedAddress("TRON", text, "account", True)


def _check_sol(text: str) -> CheckedAddress:
    """Solana: base58 of exactly 32 bytes (ed25519 key or program address); there is no checksum."""
    try:
        raw = b58decode(text)
    except ValidationError as exc:
        raise _bad("SOL", exc.reason, text) from None
    if len(raw) != 32:
        raise _bad("SOL", f"it decodes to {len(raw)} bytes but should decode to 32", text)
    return CheckedAddress(
        "SOL",
        text,
        "account",
        False,
        "Solana addresses carry no checksum; only the 32-byte form was checked",
    )


def _check_evm(chain: str, text: str) -> CheckedAddress:
    """EVM chains: 0x + 40 hex; mixed case must verify EIP-55; one-case input is normalised."""
    if text[:2] not in ("0x", "0X"):
        raise _bad(chain, "it must start with 0x", text)
    hexpart = text[2:]
    if len(hexpart) != 40:
        raise _bad(chain, f"it has {len(hexpart)} hex digits after 0x but should have 40", text)
    if not re.fullmatch(r"[0-9a-fA-F]{40}", hexpart):
        raise _bad(chain, "it contains characters that are not hexadecimal digits", text)
    checksummed = eip55_checksum(hexpart)
    if hexpart in (hexpart.lower(), hexpart.upper()):
        # One-case addresses carry no checksum (EIP-55 leaves them valid), so nothing can be
        # verified; store the checksummed form so equal addresses look equal.
        return CheckedAddress(
            chain,
            "0x" + checksummed,
            "account",
            False,
            "written in one case, so there was no EIP-55 checksum to verify",
        )
    if hexpart != checksummed:
        raise _bad(chain, "mixed-case checksum (EIP-55) does not verify", text)
    return CheckedAddress(chain, "0x" + checksummed, "account", True)
