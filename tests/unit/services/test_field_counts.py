"""Counts as cluster lists and the press write them: "10k", "2.5k", "1.2 million", "10,000"."""

from __future__ import annotations

import pytest
from casedesk.domain.errors import ValidationError
from casedesk.domain.vocabulary import default_vocabulary
from casedesk.services.fields import clean_fields


@pytest.mark.parametrize("text, number", [
    ("10k", 10_000), ("2.5k", 2_500), ("1.2 million", 1_200_000), ("3M", 3_000_000),
    ("10,000", 10_000), ("4 thousand", 4_000), ("576", 576),
])
def test_scaled_counts_are_whole_numbers(text, number):
    got = clean_fields("server", {"label": "x", "server_count": text}, default_vocabulary(), partial=True)
    assert got["server_count"] == number


@pytest.mark.parametrize("text", ["1.2345k", "ten", "10 kW", "k", "1e4"])
def test_what_is_not_a_whole_count_is_refused_naming_the_field(text):
    with pytest.raises(ValidationError) as err:
        clean_fields("server", {"label": "x", "server_count": text}, default_vocabulary(), partial=True)
    assert err.value.field == "server_count" and "not a whole number" in err.value.reason
