"""Rules for bodies (issue #18): when the country decides, and when added words make another body."""

from __future__ import annotations

from pathlib import Path

from casedesk.services.progress import run_to_end
from casedesk.services.records import RecordIn, create_record
from casedesk.services.screening.hits import list_hits
from casedesk.services.screening.screen import screen_case, screen_name
from casedesk.services.screening.watchlist_import import import_watchlist

MAPPING = {"name": "Test list", "columns": {"key": "Ref", "name": "Name", "countries": "Country",
                                            "entity_type": "Type"}}
ROWS = [("1", "INDUSTRIAL BANK", "SY", "entity"), ("2", "Industrial Bank Co., Ltd.", "CN", "entity"),
        ("3", "AGRICULTURAL BANK OF IRAN", "IR", "entity"),
        ("4", "AGRICULTURAL DEVELOPMENT BANK", "KP", "entity"),
        ("5", "SUN PROPERTIES LLC", "VE", "entity"), ("6", "Kong Hong", "CN", "individual"),
        ("7", "Maria Garcia", "ES", "individual")]


def _load(ws, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Ref,Name,Country,Type\n" + "".join(f'{r},"{n}",{c},{t}\n' for r, n, c, t in ROWS),
                    encoding="utf-8")
    with ws.write() as s:
        run_to_end(import_watchlist(s, path, mapping=MAPPING))


def _hits(ws, name: str, country: str | None = None, threshold: float | None = None) -> dict:
    with ws.read() as s:
        return {h["entry_name"]: h for h in screen_name(s, name, country=country, threshold=threshold,
                                                        limit=50)}


def _feature(hit: dict, kind: str) -> dict | None:
    return next((f for f in hit["features"] if f["feature"] == kind), None)


def test_a_generic_named_bank_is_not_the_same_words_bank_of_another_country(workspace, tmp_path):
    _load(workspace, tmp_path)
    hits = _hits(workspace, "Industrial Bank Co., Ltd.", country="CN")
    assert set(hits) == {"Industrial Bank Co., Ltd."}  # the Syrian INDUSTRIAL BANK is no hit
    low = _hits(workspace, "Industrial Bank Co., Ltd.", country="CN", threshold=0)["INDUSTRIAL BANK"]
    country = _feature(low, "country")
    assert low["score"] == 80 and country["adjust"] == -20
    assert "share only generic words" in country["detail"] and "the country decides" in low["explanation"]
    # The true entry in its own country is still a hit, and a Syrian party still meets the Syrian bank.
    assert _hits(workspace, "Industrial Bank", country="SY")["INDUSTRIAL BANK"]["score"] == 100


def test_related_countries_keep_the_ordinary_penalty(workspace, tmp_path):
    # A Hong Kong party against a mainland entry of the same generic name: only -10, still a hit.
    _load(workspace, tmp_path)
    hit = _hits(workspace, "Industrial Bank Co., Ltd.", country="HK")["Industrial Bank Co., Ltd."]
    assert hit["score"] == 90 and _feature(hit, "country")["adjust"] == -10


def test_two_names_that_state_different_countries_are_two_bodies(workspace, tmp_path):
    _load(workspace, tmp_path)
    assert "AGRICULTURAL BANK OF IRAN" not in _hits(workspace, "Agricultural Bank of China Limited")
    low = _hits(workspace, "Agricultural Bank of China Limited", threshold=0)["AGRICULTURAL BANK OF IRAN"]
    assert low["score"] < 80
    assert "the names themselves state CN and IR: two bodies" in _feature(low, "country")["detail"]
    assert _hits(workspace, "Agricultural Bank of Iran")["AGRICULTURAL BANK OF IRAN"]["score"] == 100


def test_a_case_name_stating_its_country_is_not_a_body_of_another(workspace, tmp_path):
    _load(workspace, tmp_path)
    assert "AGRICULTURAL DEVELOPMENT BANK" not in _hits(workspace, "Agricultural Development Bank of China")
    low = _hits(workspace, "Agricultural Development Bank of China", threshold=0)
    detail = _feature(low["AGRICULTURAL DEVELOPMENT BANK"], "country")["detail"]
    assert "the case name itself states CN, the list entry is of KP" in detail
    assert "AGRICULTURAL DEVELOPMENT BANK" in _hits(workspace, "Agricultural Development Bank", country="KP")
    # A listed name's own country does not decide alone: our party may be its office abroad.
    abroad = _hits(workspace, "Agricultural Bank", country="AE")["AGRICULTURAL BANK OF IRAN"]
    assert abroad["score"] >= 85 and _feature(abroad, "country")["adjust"] == -10


def test_two_distinctive_words_more_on_one_side_make_another_body(workspace, tmp_path):
    _load(workspace, tmp_path)
    assert "SUN PROPERTIES LLC" not in _hits(workspace, "Sun Hung Kai Properties Limited")
    low = _hits(workspace, "Sun Hung Kai Properties Limited", threshold=0)["SUN PROPERTIES LLC"]
    words = _feature(low, "words")
    assert words["adjust"] == -5 and "'hung', 'kai' only in the case name" in words["detail"]
    assert "words -5" in low["explanation"]
    # One word more costs nothing extra, and the same name is still a hit.
    one = _hits(workspace, "Sun Kai Properties Limited")["SUN PROPERTIES LLC"]
    assert one["score"] >= 85 and _feature(one, "words") is None
    assert _hits(workspace, "Sun Properties Limited")["SUN PROPERTIES LLC"]["score"] == 100


def test_persons_keep_their_rules(workspace, case_id, tmp_path):
    _load(workspace, tmp_path)
    with workspace.write() as s:
        for label, country in (("Kong Hong", "US"), ("Maria Elena Lopez Garcia", "")):
            fields = {"label": label, "party_kind": "person"}
            if country:
                fields["country"] = country
            create_record(s, case_id, RecordIn("party", fields))
        run_to_end(screen_case(s, case_id, threshold=0))
    with workspace.read() as s:
        hits = {(h["record_label"], h["entry_name"]): h for h in list_hits(s, case_id)}
    # A person of generic-looking words in another country takes only the ordinary penalty …
    kong = hits[("Kong Hong", "Kong Hong")]
    assert kong["score"] == 90 and "the country decides" not in kong["explanation"]
    # … and a person's middle names are not extra words of another body.
    maria = hits[("Maria Elena Lopez Garcia", "Maria Garcia")]
    assert "words" not in {f["feature"] for f in maria["features"]}
