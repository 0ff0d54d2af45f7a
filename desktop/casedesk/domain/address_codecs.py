"""Address encodings without chain rules: base58, bech32/bech32m segwit (BIP-173/350), EIP-55."""

from __future__ import annotations

from Crypto.Hash import keccak

from casedesk.domain.errors import ValidationError

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


def segwit_kind(version: int, program: bytes) -> str:
    """Name the script type of a witness program."""
    if version == 0:
        return "p2wpkh" if len(program) == 20 else "p2wsh"
    if version == 1 and len(program) == 32:
        return "p2tr"
    return f"segwit-v{version}"


# ---------------------------------------------------------------------------------------------
# EIP-55 (Ethereum mixed-case checksum)


def eip55_checksum(hex40: str) -> str:
    """EIP-55 mixed-case form of 40 hex digits: keccak-256 (not SHA3-256) of the lower-case hex."""
    lower = hex40.lower()
    if len(lower) != 40:
        raise ValueError("EIP-55 needs exactly 40 hex digits")
    digest = keccak.new(digest_bits=256, data=lower.encode("ascii")).hexdigest()
    # a letter is upper-cased where its hash nibble is 8 or more (digits have no case)
    return "".join([c.upper() if h in "89abcdef" else c for c, h in zip(lower, digest)])
