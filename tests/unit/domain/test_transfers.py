"""Transfer facts: exact values, token symbols or addresses, dates or UTC times."""

import pytest
from casedesk.domain.errors import ValidationError
from casedesk.domain.transfers import clean_amount, clean_asset, clean_transfer_time


def test_values_stay_exact_and_refuse_negatives():
    assert clean_amount("0.1000") == "0.1"
    assert clean_amount("1,234.500000000000000001") == "1234.500000000000000001"
    assert clean_amount("1e3") == "1000"
    with pytest.raises(ValidationError, match="value: .*negative"):
        clean_amount("-1")
    with pytest.raises(ValidationError, match="not a number"):
        clean_amount("lots")


def test_assets_are_symbols_or_token_addresses():
    assert clean_asset("usdt") == "USDT"
    assert clean_asset("stETH") == "stETH"
    assert clean_asset("0xDAC17F958D2ee523a2206206994597C13D831ec7") == "0xdac17f958d2ee523a2206206994597c13d831ec7"
    with pytest.raises(ValidationError, match="asset: .*contract address"):
        clean_asset("0xnotanaddress")
    with pytest.raises(ValidationError, match="asset"):
        clean_asset("hello world")


def test_times_are_dates_or_utc_times():
    assert clean_transfer_time("2024-05-01") == "2024-05-01"
    assert clean_transfer_time("2024-05-01 10:00:00") == "2024-05-01T10:00:00Z"
    assert clean_transfer_time("2024-05-01T12:00:00+02:00") == "2024-05-01T10:00:00Z"
    with pytest.raises(ValidationError, match="tx_time"):
        clean_transfer_time("2024-13-45")
