"""A transfer's hash, value, asset and time set from the command line: typed, checked per chain, exit 2 naming the field."""

from __future__ import annotations

import json

HASH = "0x" + "ab" * 32


def _ok(out) -> dict:
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_links_add_sets_typed_transfer_facts_and_refuses_bad_ones(run, tmp_path):
    db = ["--db", str(tmp_path / "ws.casedesk")]
    case = str(_ok(run(*db, "cases", "new", "Transfers", "--json"))["id"])
    a = _ok(run(*db, "records", "add", "--case", case, "--kind", "wallet", "--label", "A", "--set", "chain=ETH",
                "--set", "address=0xee21d25d3196f4cc70b003d884f869b3c3e9ec89", "--json"))["id"]
    b = _ok(run(*db, "records", "add", "--case", case, "--kind", "wallet", "--label", "B", "--set", "chain=ETH",
                "--set", "address=0x7db418b5d567a4e0e8c59ad71be1fce48f3e6107", "--json"))["id"]
    base = [*db, "links", "add", "--case", case, "--type", "transferred_to", "--from", str(a), "--to", str(b)]
    link = _ok(run(*base, "--set", f"tx_hash={HASH.upper().replace('0X', '0x')}", "--set", "value=0.10",
                   "--set", "asset=usdt", "--set", "tx_time=2024-05-01 10:00", "--json"))
    rows = _ok(run(*db, "links", "list", "--case", case, "--json"))
    row = next(r for r in rows if r["id"] == link["id"])["fields"]
    assert (row["tx_hash"], row["value"], row["asset"], row["tx_time"]) == \
        (HASH, "0.1", "USDT", "2024-05-01T10:00:00Z")
    for setting, field in (("tx_hash=hello world", "tx_hash"), ("tx_hash=" + "ab" * 32, "tx_hash"),
                           ("value=-1", "value"), ("value=lots", "value"), ("asset=0xnotanaddress", "asset"),
                           ("tx_time=yesterday", "tx_time"), ("colour=red", "colour")):
        out = run(*base, "--set", setting)
        assert out.returncode == 2, (setting, out.stderr)
        assert field in out.stderr, (setting, out.stderr)
    # A link type that is no transfer carries no hash.
    p = _ok(run(*db, "records", "add", "--case", case, "--kind", "party", "--label", "Owner", "--json"))["id"]
    out = run(*db, "links", "add", "--case", case, "--type", "controls_wallet", "--from", str(p), "--to", str(a),
              "--set", f"tx_hash={HASH}")
    assert out.returncode == 2 and "tx_hash" in out.stderr
    assert len(_ok(run(*db, "links", "list", "--case", case, "--json"))) == 1
