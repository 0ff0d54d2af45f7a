"""The facts of a transfer or payment link: value, asset and time, checked and normalised.

The hash is checked per chain by casedesk.domain.transactions. A value is kept as exact decimal
text (never a float: 0.1 ETH stays 0.1); an asset is a token symbol (ETH, USDT, USD) or a token
contract address; a time is a date (2024-05-01) or a UTC date and time (2024-05-01T13:05:00Z).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from casedesk.domain.errors import ValidationError

# Symbols as exchanges and explorers write them: USDT, USDC.e, WETH, 1INCH, BTC.b, stETH.
_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_$]{0,19}")
_EVM_TOKEN = re.compile(r"0x[0-9a-fA-F]{40}")
_TRON_TOKEN = re.compile(r"T[1-9A-HJ-NP-Za-km-z]{33}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def clean_amount(value: object, *, field: str = "value") -> str:
    """The amount as exact decimal text (no exponent, no float rounding), ≥ 0; or ValidationError."""
    text = str(value).replace(",", "").replace("_", "").strip() if not isinstance(value, Decimal) else value
    try:
        number = Decimal(text) if not isinstance(text, Decimal) else text
    except InvalidOperation:
        raise ValidationError(field, f"{str(value)[:40]!a} is not a number") from None
    if not number.is_finite():
        raise ValidationError(field, f"{str(value)[:40]!a} is not a finite number")
    if number < 0:
        raise ValidationError(field, f"a transferred value cannot be negative ({number})")
    out = format(number, "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out or "0"


def clean_asset(value: object, *, field: str = "asset") -> str:
    """A token symbol (upper-cased) or a token contract address (EVM lower-cased); or ValidationError."""
    text = str(value).strip()
    if _EVM_TOKEN.fullmatch(text):
        return text.lower()
    if text[:2].lower() == "0x":
        raise ValidationError(field, f"{text[:80]!a} is not a token contract address (0x and 40 hex digits)")
    if _TRON_TOKEN.fullmatch(text):
        return text
    if _SYMBOL.fullmatch(text):
        # usdt is USDT; a symbol written in mixed case (stETH, USDC.e) is kept as its issuer writes it.
        return text.upper() if text == text.lower() else text
    raise ValidationError(field, f"{text[:80]!a} is not a token symbol (like ETH or USDT) "
                                 "or a token contract address")


def clean_transfer_time(value: object, *, field: str = "tx_time") -> str:
    """A date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ); zone offsets are converted to UTC."""
    text = str(value).strip()
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError(field, f"{text!a} is not a calendar date") from None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" UTC", ""))
    except ValueError:
        raise ValidationError(field, f"{text[:40]!a} is not a date or a date and time "
                                     "(2024-05-01 or 2024-05-01T13:05:00Z)") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"
