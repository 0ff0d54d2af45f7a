"""Transaction hashes checked per chain and stored in one form."""

from __future__ import annotations

import pytest

from casedesk.domain.errors import ValidationError
from casedesk.domain.transactions import validate_tx_hash

# Bitcoin's genesis coinbase transaction and an Ethereum mainnet transaction (public ledgers).
BTC_TX = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
ETH_TX = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"


@pytest.mark.parametrize("chain, value, stored", [
    ("ETH", ETH_TX.upper().replace("0X", "0x"), ETH_TX),
    ("BSC", ETH_TX, ETH_TX),
    (None, ETH_TX, ETH_TX),
    ("BTC", BTC_TX.upper(), BTC_TX),
    ("XBT", BTC_TX, BTC_TX),
    ("TRON", BTC_TX, BTC_TX),
    (None, f"  {BTC_TX} ", BTC_TX),
])
def test_valid_hashes_are_normalised(chain, value, stored):
    assert validate_tx_hash(chain, value) == stored


@pytest.mark.parametrize("chain, value, says", [
    ("ETH", "hello world", "0x and 64 hex"),
    ("ETH", BTC_TX, "0x and 64 hex"),
    ("ETH", ETH_TX[:-1], "0x and 64 hex"),
    ("BTC", ETH_TX, "64 hex digits"),
    (None, "hello world", "not a transaction hash"),
    (None, "", "empty"),
    ("ETH", "0x" + "g" * 64, "0x and 64 hex"),
])
def test_bad_hashes_are_refused_with_the_field_and_the_shape_expected(chain, value, says):
    with pytest.raises(ValidationError) as info:
        validate_tx_hash(chain, value)
    assert info.value.field == "tx_hashes" and says in str(info.value)
