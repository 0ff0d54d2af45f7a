# One module over 450 lines on purpose: the wallet-address codecs (base58check, bech32/bech32m, EIP-55, TRON, Solana) share their checks per chain.
"""Crypto wallet addresses: per-chain format and checksum checks, normalisation and match keys."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from Crypto.Hash import keccak

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


# ---------------------------------------------------------------------------------------------
# Base58 / Base58Check (Bitcoin alphabet). Hand-written: stdnum only has a private decoder.

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHABET)}


def b58encode(data: bytes) -> str:
    """Encode bytes as base58; each leading zero byte becomes a leading '1'."""
    n = int.from_bytes(data, "big")
    digits = []
    while n:
        n, r = divmod(n, 58)
        digits.append(B58_ALPHABET[r])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Decode base58 text to bytes; ValidationError on a character outside the alphabet."""
    n = 0
    for ch in text:
        digit = _B58_INDEX.get(ch)
        if digit is None:
            raise ValidationError(
                "address",
                f"character {ch!r} is not used in base58 (0, O, I and l never appear)",
                value=text[:200],
            )
        n = n * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + n.to_bytes((n.bit_length() + 7) // 8, "big")


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
# Bech32 / Bech32m (BIP-173, BIP-350), after sipa/bech32 ref/python/segwit_addr.py (MIT,
# Pieter Wuille). Written here because python-stdnum 2.2 checks every witness version against
# the bech32 constant and so rejects valid bech32m taproot (bc1p…) addresses.

BECH32, BECH32M = "bech32", "bech32m"
_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CONST = {BECH32: 1, BECH32M: 0x2BC830A3}


def _polymod(values: list[int]) -> int:
    """The BCH checksum polynomial over GF(32) (BIP-173)."""
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    """Spread the human-readable part into 5-bit values for the checksum."""
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_encode(hrp: str, data: list[int], encoding: str) -> str:
    """Encode 5-bit data under hrp with a bech32 or bech32m checksum."""
    mod = _polymod(_hrp_expand(hrp) + data + [0] * 6) ^ _CONST[encoding]
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in data + checksum)


def bech32_decode(text: str) -> tuple[str, list[int], str]:
    """Decode bech32/bech32m to (hrp, 5-bit data sans checksum, encoding); else ValidationError."""

    def bad(reason: str) -> ValidationError:
        return ValidationError("address", reason, value=text[:200])

    if any(not 33 <= ord(c) <= 126 for c in text):
        raise bad("it contains a character outside printable ASCII")
    if text.lower() != text and text.upper() != text:
        raise bad("it mixes upper and lower case")
    if len(text) > 90:
        raise bad(f"it is {len(text)} characters long; bech32 allows at most 90")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 0:
        raise bad("it has no '1' separator")
    if pos == 0:
        raise bad("the part before the '1' separator is empty")
    if pos + 7 > len(text):
        raise bad("the bech32 checksum is too short")
    bad_chars = sorted({c for c in text[pos + 1 :] if c not in _CHARSET})
    if bad_chars:
        raise bad(f"character {bad_chars[0]!r} is not in the bech32 alphabet")
    hrp, data = text[:pos], [_CHARSET.find(c) for c in text[pos + 1 :]]
    const = _polymod(_hrp_expand(hrp) + data)
    for encoding, value in _CONST.items():
        if const == value:
            return hrp, data[:-6], encoding
    raise bad("the bech32 checksum does not verify (a character is probably mistyped)")


def _convertbits(data: list[int], frombits: int, tobits: int, pad: bool) -> list[int] | None:
    """Regroup bits (5→8 for witness programs); None on invalid padding."""
    acc = bits = 0
    ret: list[int] = []
    maxv, max_acc = (1 << tobits) - 1, (1 << (frombits + tobits - 1)) - 1
    for value in data:
        acc = ((acc << frombits) | value) & max_acc
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if pad:
        if bits:
            ret.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return ret


def decode_segwit(text: str, hrps: tuple[str, ...]) -> tuple[str, int, bytes]:
    """Decode a segwit address whose hrp is one of `hrps` into (hrp, witness version, program)."""
    hrp, data, encoding = bech32_decode(text)

    def bad(reason: str) -> ValidationError:
        return ValidationError("address", reason, value=text[:200])

    if hrp not in hrps:
        raise bad(f"prefix {hrp!r} is not {' or '.join(repr(h) for h in hrps)}")
    if not data:
        raise bad("the segwit data part is empty")
    version, program = data[0], _convertbits(data[1:], 5, 8, False)
    if version > 16:
        raise bad(f"witness version {version} does not exist (0-16)")
    if program is None:
        raise bad("the witness program has invalid padding")
    if not 2 <= len(program) <= 40:
        raise bad(f"the witness program is {len(program)} bytes; it must be 2 to 40")
    if version == 0 and len(program) not in (20, 32):
        raise bad(f"a version 0 witness program must be 20 or 32 bytes, not {len(program)}")
    # BIP-350: version 0 keeps the bech32 constant, versions 1+ must use bech32m.
    if (version == 0) != (encoding == BECH32):
        want = BECH32 if version == 0 else BECH32M
        raise bad(f"witness version {version} must use the {want} checksum, not {encoding}")
    return hrp, version, bytes(program)


def _segwit_kind(version: int, program: bytes) -> str:
    """Name the script type of a witness program."""
    if version == 0:
        return "p2wpkh" if len(program) == 20 else "p2wsh"
    if version == 1 and len(program) == 32:
        return "p2tr"
    return f"segwit-v{version}"


# ---------------------------------------------------------------------------------------------
# Chains


def _check_btc(text: str) -> CheckedAddress:
    """Bitcoin: base58check P2PKH/P2SH (mainnet and testnet) or bech32/bech32m segwit (bc, tb)."""
    if _looks_segwit(text, ("bc1", "tb1"), "13mn2"):
        try:
            hrp, version, program = decode_segwit(text, ("bc", "tb"))
        except ValidationError as exc:
            raise _bad("BTC", exc.reason, text) from None
        kind = _segwit_kind(version, program) + ("-testnet" if hrp == "tb" else "")
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
        return CheckedAddress("LTC", text.lower(), _segwit_kind(version, program), True)
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


def eip55_checksum(hex40: str) -> str:
    """EIP-55 mixed-case form of 40 hex digits: keccak-256 (not SHA3-256) of the lower-case hex."""
    lower = hex40.lower()
    if len(lower) != 40:
        raise ValueError("EIP-55 needs exactly 40 hex digits")
    digest = keccak.new(digest_bits=256, data=lower.encode("ascii")).hexdigest()
    # a letter is upper-cased where its hash nibble is 8 or more (digits have no case)
    return "".join([c.upper() if h in "89abcdef" else c for c, h in zip(lower, digest)])


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
