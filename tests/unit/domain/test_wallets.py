"""Tests of casedesk.domain.wallets: BIP-173/350, Bitcoin Core base58, EIP-55 and OFAC vectors.

Bech32 vector policy: VALID_ADDRESS/INVALID_ADDRESS are used whole under chain BTC, because BTC
accepts mainnet "bc" and testnet "tb" (as it accepts testnet base58 m/n/2), with the kind marked
"-testnet". Any other HRP is refused for BTC.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from casedesk.domain.address_codecs import (
    BECH32,
    BECH32M,
    b58decode,
    b58encode,
    bech32_decode,
    bech32_encode,
    decode_segwit,
    eip55_checksum,
)
from casedesk.domain.errors import ValidationError
from casedesk.domain.wallets import (
    CheckedAddress,
    address_match_key,
    detect_chain,
    validate_address,
)
from hypothesis import given, settings
from hypothesis import strategies as st

DATA = Path(__file__).resolve().parents[2] / "data" / "address-test-vectors"
BECH = json.loads((DATA / "bech32_bip173_bip350_vectors.json").read_text(encoding="utf-8"))
BASE58 = json.loads((DATA / "bitcoin_base58_encode_decode.json").read_text(encoding="utf-8"))
EIP55 = list(csv.DictReader((DATA / "eip55_vectors.csv").open(encoding="utf-8", newline="")))
OFAC = list(
    csv.DictReader(
        (DATA / "ofac_sdn_2021_digital_currency_addresses.csv").open(encoding="utf-8", newline="")
    )
)
# OFAC's own record (ent_num 29702) has a 39-hex-digit ETH address; it cannot be valid.
OFAC_BAD_ETH = "0xa7e5d5a720f06526557c513402f2e6b5fa20b00"


def script_pubkey(version: int, program: bytes) -> str:
    """BIP-173's reference scriptPubKey: OP_n (0x50+n, or 0 for v0), push length, program."""
    return bytes([version + 0x50 if version else 0, len(program)]).hex() + program.hex()


# ---- base58 ---------------------------------------------------------------------------------


def test_base58_vector_count():
    assert len(BASE58) == 21


@pytest.mark.parametrize(
    "hexdata,text", BASE58, ids=lambda v: v[:20] if isinstance(v, str) else None
)
def test_base58_encode_decode(hexdata, text):
    assert b58encode(bytes.fromhex(hexdata)) == text
    assert b58decode(text) == bytes.fromhex(hexdata)


@pytest.mark.parametrize("text", ["0", "O", "I", "l", "3SEo3LWLoPntC0"])
def test_base58_refuses_characters_outside_alphabet(text):
    with pytest.raises(ValidationError, match="not used in base58"):
        b58decode(text)


# ---- bech32 / bech32m codec -----------------------------------------------------------------


@pytest.mark.parametrize("text", BECH["VALID_BECH32"])
def test_valid_bech32(text):
    hrp, data, encoding = bech32_decode(text)
    assert encoding == BECH32
    assert bech32_encode(hrp, data, encoding) == text.lower()


@pytest.mark.parametrize("text", BECH["VALID_BECH32M"])
def test_valid_bech32m(text):
    hrp, data, encoding = bech32_decode(text)
    assert encoding == BECH32M
    assert bech32_encode(hrp, data, encoding) == text.lower()


@pytest.mark.parametrize("text,why", BECH["INVALID_BECH32"] + BECH["INVALID_BECH32M"])
def test_invalid_bech32_and_bech32m(text, why):
    # Either refused outright, or (not the case for any vector) decoded with the wrong constant.
    with pytest.raises(ValidationError):
        bech32_decode(text)


@pytest.mark.parametrize("text", BECH["VALID_BECH32M"])
def test_bech32m_strings_are_not_bech32(text):
    # The two constants differ, so a string can never verify as both.
    assert bech32_decode(text)[2] != BECH32


# ---- segwit addresses (BIP-173/350) ---------------------------------------------------------


@pytest.mark.parametrize("address,script", BECH["VALID_ADDRESS"])
def test_valid_segwit_addresses(address, script):
    hrp, version, program = decode_segwit(address, ("bc", "tb"))
    assert script_pubkey(version, program) == script
    result = validate_address("BTC", address)
    assert result.address == address.lower()
    assert result.checksummed is True
    assert result.kind.endswith("-testnet") == (hrp == "tb")


@pytest.mark.parametrize("address,why", BECH["INVALID_ADDRESS"])
def test_invalid_segwit_addresses(address, why):
    with pytest.raises(ValidationError) as err:
        validate_address("BTC", address)
    assert err.value.reason.startswith("not a valid Bitcoin address: ")


def test_segwit_kinds():
    assert validate_address("BTC", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4").kind == "p2wpkh"
    assert (
        validate_address(
            "BTC", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"
        ).kind
        == "p2wsh-testnet"
    )
    taproot = validate_address(
        "btc", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
    )
    assert (taproot.kind, taproot.note) == ("p2tr", "")
    assert validate_address("BTC", "BC1SW50QGDZ25J").kind == "segwit-v16"


@pytest.mark.parametrize(
    "address,fragment",
    [
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
            "witness version 1 must use the bech32m checksum, not bech32",
        ),
        (
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
            "witness version 0 must use the bech32 checksum",
        ),
        (
            "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
            "mixes upper and lower case",
        ),
        (
            "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
            "prefix 'tc' is not 'bc' or 'tb'",
        ),
        ("xyz", "too short to be a base58check address"),
        ("1I1", "character 'I' is not used in base58"),
        ("bc1pw5dgrnzv", "witness program is 1 bytes"),
        (
            "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
            "version 0 witness program must be 20 or 32 bytes",
        ),
    ],
)
def test_segwit_reasons(address, fragment):
    with pytest.raises(ValidationError) as err:
        validate_address("BTC", address)
    assert fragment in err.value.reason


def test_regtest_and_litecoin_hrps_are_not_bitcoin():
    ltc = bech32_encode("ltc", [0] + [0] * 32, BECH32)  # v0, 20 zero bytes
    assert validate_address("LTC", ltc).kind == "p2wpkh"
    with pytest.raises(ValidationError):
        validate_address("BTC", ltc)
    with pytest.raises(ValidationError):
        validate_address("BTC", bech32_encode("bcrt", [0] + [0] * 32, BECH32))


# ---- base58check Bitcoin, Litecoin, TRON ----------------------------------------------------

XBT = [r["address"] for r in OFAC if r["currency"] == "XBT"]


def test_ofac_counts():
    assert len(XBT) == 65
    assert len([r for r in OFAC if r["currency"] == "ETH"]) == 10


@pytest.mark.parametrize("address", XBT)
def test_ofac_xbt_addresses_valid(address):
    result = validate_address("XBT", address)
    assert result == CheckedAddress("BTC", address, "p2pkh" if address[0] == "1" else "p2sh", True)


@pytest.mark.parametrize("address", XBT)
def test_ofac_xbt_addresses_with_one_character_changed_refused(address):
    i = len(address) // 2
    swapped = address[:i] + ("2" if address[i] != "2" else "3") + address[i + 1 :]
    with pytest.raises(ValidationError, match="checksum does not verify"):
        validate_address("BTC", swapped)


def test_the_split_ofac_address_is_whole():
    # SOURCE.txt: ent_num 30518 has one XBT address split across Remarks and Remarks_Extended.
    assert "1GqChmWqGtsaLrGbHfgdrV5Nkvahtjjuxr" in XBT


@pytest.mark.parametrize("address", [r["address"] for r in OFAC if r["currency"] == "LTC"])
def test_ofac_ltc_addresses_valid(address):
    result = validate_address("ltc", address)
    assert (result.chain, result.address, result.kind, result.checksummed) == (
        "LTC",
        address,
        "p2pkh",
        True,
    )
    assert detect_chain(address) == "LTC"


@pytest.mark.parametrize("chain", ["BCH", "BSV"])
def test_ofac_bch_bsv_legacy_addresses_are_bitcoin_format(chain):
    # BCH and BSV are not checked per chain, but their legacy addresses are Bitcoin base58check.
    for row in (r for r in OFAC if r["currency"] == chain and r["address"][0] == "1"):
        assert validate_address("BTC", row["address"]).kind == "p2pkh"


def test_testnet_base58():
    # Hash160 of zero bytes under testnet version bytes: kind and note flag testnet.
    import hashlib

    for version, kind, first in ((0x6F, "p2pkh-testnet", "mn"), (0xC4, "p2sh-testnet", "2")):
        payload = bytes([version]) + bytes(20)
        text = b58encode(payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4])
        assert text[0] in first
        result = validate_address("BTC", text)
        assert (result.kind, result.note) == (kind, "Bitcoin testnet address, not mainnet")


def test_wrong_chain_version_byte_is_explained():
    with pytest.raises(ValidationError) as err:
        validate_address("BTC", "LaizKtS5DUhPuP1nTQcc83MS7HwK6vk85z")
    assert err.value.reason == (
        "not a valid Bitcoin address: version byte 0x30 is not a Bitcoin address "
        "version (it looks like a Litecoin address)"
    )
    with pytest.raises(ValidationError, match="looks like a TRON address"):
        validate_address("LTC", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")


def test_tron():
    for chain in ("TRON", "trx", "Tron"):
        result = validate_address(chain, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
        assert result == CheckedAddress(
            "TRON", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "account", True
        )
    with pytest.raises(ValidationError, match="checksum does not verify"):
        validate_address("TRON", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u")
    with pytest.raises(ValidationError, match="must start with 'T'"):
        validate_address("TRON", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")
    with pytest.raises(ValidationError):
        validate_address("TRON", "tr7nhqjekqxgtci8q8zy4pl8otszgjlj6t")  # base58 is case-sensitive


def test_solana():
    system_program = "11111111111111111111111111111111"
    assert validate_address("SOL", system_program).checksummed is False
    token_program = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
    assert validate_address("sol", token_program).address == token_program
    with pytest.raises(ValidationError, match="decodes to 25 bytes but should decode to 32"):
        validate_address("SOL", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")


# ---- EIP-55 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("row", EIP55, ids=lambda r: r["address"])
def test_eip55_rows(row):
    address, kind = row["address"], row["kind"]
    hexpart = address[2:]
    mixed = hexpart not in (hexpart.lower(), hexpart.upper())
    if row["eip55_valid"] == "false":
        with pytest.raises(ValidationError) as err:
            validate_address("ETH", address)
        assert (
            err.value.reason
            == "not a valid Ethereum address: mixed-case checksum (EIP-55) does not verify"
        )
        return
    result = validate_address("ETH", address)
    assert result.checksummed is mixed
    assert result.address == "0x" + eip55_checksum(hexpart)
    if row["eip55_valid"] == "true":
        # Verified vectors are already in checksummed form, including the one-case ones.
        assert result.address == address
    else:  # the all-lower form of vector 1 normalises to vector 1
        assert result.address == EIP55[0]["address"]
    assert kind  # every row documents what it is


def test_eip55_all_upper_and_lower_normalise():
    first = EIP55[0]["address"]
    for variant in ("0x" + first[2:].lower(), "0x" + first[2:].upper(), "0X" + first[2:].upper()):
        result = validate_address("ETH", variant)
        assert (result.address, result.checksummed) == (first, False)


def test_eip55_uses_keccak_not_sha3():
    # SHA3-256 (FIPS 202) gives a different case pattern; this pins the right hash.
    import hashlib

    lower = EIP55[0]["address"][2:].lower()
    sha3 = hashlib.sha3_256(lower.encode()).hexdigest()
    wrong = "".join(
        c.upper() if c.isalpha() and int(h, 16) >= 8 else c
        for c, h in zip(lower, sha3[:40], strict=True)
    )
    assert eip55_checksum(lower) == EIP55[0]["address"][2:] != wrong


@pytest.mark.parametrize("chain", ["ETC", "BSC", "POLYGON", "ARB", "BASE", "OP"])
def test_other_evm_chains(chain):
    result = validate_address(chain.lower(), EIP55[0]["address"])
    assert (result.chain, result.checksummed) == (chain, True)
    with pytest.raises(ValidationError, match="EIP-55"):
        validate_address(chain, EIP55[8]["address"])


@pytest.mark.parametrize(
    "row", [r for r in OFAC if r["currency"] in ("ETH", "ETC")], ids=lambda r: r["address"]
)
def test_ofac_eth_addresses(row):
    address = row["address"]
    if address == OFAC_BAD_ETH:
        with pytest.raises(ValidationError) as err:
            validate_address(row["currency"], address)
        assert "39 hex digits after 0x but should have 40" in err.value.reason
        return
    result = validate_address(row["currency"], address)
    assert result.address.lower() == address.lower()
    assert result.checksummed is (row["our_check"] == "EIP-55 checksummed")


@pytest.mark.parametrize(
    "address,fragment",
    [
        ("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "must start with 0x"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "39 hex digits"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd", "41 hex digits"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", "not hexadecimal"),
    ],
)
def test_evm_shape_errors(address, fragment):
    with pytest.raises(ValidationError, match=fragment):
        validate_address("ETH", address)


# ---- unchecked chains, input hygiene --------------------------------------------------------


@pytest.mark.parametrize(
    "row",
    [r for r in OFAC if r["currency"] not in ("XBT", "ETH", "ETC", "LTC")],
    ids=lambda r: r["currency"] + ":" + r["address"],
)
def test_ofac_other_chains_unchecked(row):
    result = validate_address(row["currency"], row["address"])
    assert (result.chain, result.address, result.kind, result.checksummed) == (
        row["currency"],
        row["address"],
        "unchecked",
        None,
    )
    assert "not checked" in result.note


@pytest.mark.parametrize("chain", ["XRP", "DOGE", "DASH", "ZEC", "XMR", "bch", "NEWCOIN"])
def test_unchecked_length_bounds(chain):
    assert validate_address(chain, "A" * 10).chain == chain.upper()
    assert validate_address(chain, "A" * 128).checksummed is None
    with pytest.raises(ValidationError, match="too short"):
        validate_address(chain, "A" * 9)
    with pytest.raises(ValidationError, match="the limit is 128"):
        validate_address(chain, "A" * 129)


@pytest.mark.parametrize(
    "address,fragment",
    [
        ("", "address is empty"),
        ("   ", "address is empty"),
        ("12QtD5BF wRsdNsAZY76UVE1xyCGNTojH9h", "whitespace"),
        ("12QtD5BF\u00a0wRsdNsAZY76UVE1xyCGNTojH9h", "whitespace"),
        ("12QtD5BF\u202ewRsdNsAZY76UVE1xyCGNTojH9h", "non-ASCII character U+202E"),
        ("12QtD5BF\x00wRsdNsAZY76UVE1xyCGNTojH9h", "control character U+0000"),
        ("12QtD5BF\x7fwRsdNsAZY76UVE1xyCGNTojH9h", "control character U+007F"),
        ("12QtD5BF🙂wRsdNsAZY76UVE1xyCGNTojH9h", "non-ASCII character U+1F642"),
        ("1" * 1_000_000, "the limit is 128"),
    ],
)
@pytest.mark.parametrize("chain", ["BTC", "ETH", "XMR"])
def test_hostile_input(chain, address, fragment):
    with pytest.raises(ValidationError) as err:
        validate_address(chain, address)
    assert fragment in err.value.reason


def test_surrounding_whitespace_trimmed():
    assert validate_address(" xbt ", "  12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h\n").address == XBT[0]


@pytest.mark.parametrize("chain", ["", " ", "B T C", "₿", "x" * 41])
def test_bad_chain_codes(chain):
    with pytest.raises(ValidationError) as err:
        validate_address(chain, XBT[0])
    assert err.value.field == "chain"


# ---- detect_chain and address_match_key -----------------------------------------------------


@pytest.mark.parametrize(
    "address,chain",
    [
        (XBT[0], "BTC"),
        ("3MkUNScqf21EcfWq6T4x2MFgBeSTqhB5t6", "BTC"),
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "BTC"),
        ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "BTC"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "ETH"),
        ("0xd882cfc20f52f2599d84b8e8d58c7fb62cfe344b", "ETH"),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TRON"),
        ("LaizKtS5DUhPuP1nTQcc83MS7HwK6vk85z", "LTC"),
        (OFAC_BAD_ETH, None),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", None),
        ("hello world", None),
        ("", None),
        ("11111111111111111111111111111111", None),
        ("qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq", None),
        ("XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2", None),
        ("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9i", None),
    ],
)
def test_detect_chain(address, chain):
    assert detect_chain(address) == chain


def test_match_keys():
    first = EIP55[0]["address"]
    assert (
        address_match_key("ETH", first) == first.lower() == address_match_key("eth", first.upper())
    )
    assert address_match_key("BSC", first) == first.lower()
    assert (
        address_match_key("XBT", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
        == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    )
    assert address_match_key("BTC", XBT[0]) == XBT[0]  # base58: exact
    assert (
        address_match_key("TRON", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
        == "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    )
    assert address_match_key("XMR", "4AbCdEfGhIjK") == "4AbCdEfGhIjK"


def test_match_key_of_malformed_list_entry():
    # Screening must still find OFAC's malformed address, written in either case.
    assert address_match_key("ETH", OFAC_BAD_ETH.upper().replace("0X", "0x")) == OFAC_BAD_ETH
    with pytest.raises(ValidationError):
        address_match_key("ETH", "0x12 34")
    with pytest.raises(ValidationError):
        address_match_key("ETH", "")


# ---- property -------------------------------------------------------------------------------

CHAINS = st.sampled_from(
    ["BTC", "XBT", "ETH", "BSC", "TRON", "TRX", "LTC", "SOL", "XMR", "BCH", "", "b t c"]
)
ADDRESSES = st.one_of(
    st.text(max_size=130),
    st.text(alphabet="123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl", max_size=60),
    st.text(alphabet="qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY1bcBCtlLTC", max_size=95).map(
        lambda s: "bc1" + s
    ),
    st.text(alphabet="0123456789abcdefABCDEFxX", max_size=44).map(lambda s: "0x" + s),
)


@settings(max_examples=500, deadline=None)
@given(chain=CHAINS, address=ADDRESSES)
def test_property_only_validation_errors(chain, address):
    try:
        result = validate_address(chain, address)
    except ValidationError:
        pass
    else:
        assert result.address and result.address.isascii() and " " not in result.address
        # Normalising is idempotent and the match key is stable under it.
        assert validate_address(result.chain, result.address).address == result.address
        assert address_match_key(chain, address) == address_match_key(result.chain, result.address)
    assert detect_chain(address) in (None, "BTC", "ETH", "TRON", "LTC")
