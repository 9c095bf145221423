"""graph/cards/card.py, the family card as `familycard card` prints it, on both engines: read
with the API's reads, the household without the person, each kin with its link's registry."""
from __future__ import annotations

import asyncio

from familycard.graph.cards import family_card, people, render_card
from familycard.graph.ingest import ingest_lines
from feedmaker import fact, lines, link, person

LATER = "2026-02-02T09:00:00Z"


def test_the_clis_card_is_the_apis_card_and_shows_each_kin_with_the_registry_of_their_link(store, today):
    m = person("1985-03-04", "F", address_id="A1")
    c = person("2015-01-01", "M", address_id="A1")
    f = person("1980-01-01", "M", address_id="A1")
    alone = person("1990-06-06", "F")
    recs = [m, c, f, alone, link("PARENT_OF", m, c, recorded_at=LATER),
            link("SPOUSE_OF", f, m, since="2005-01-01", recorded_at=LATER),
            fact(c, "disability", "2020-01-01", group="child", valid_to="2027-01-01")]
    assert ingest_lines(store, lines(*recs), "feed.jsonl", today).rejected == 0

    api = asyncio.run(people.card(store, m["iin"], ("relations", "household", "facts")))
    cli = family_card(store, m["iin"])
    assert {r["iin"] for r in api["household"]} == {m["iin"], c["iin"], f["iin"]}
    assert cli == dict(api, household=[r for r in api["household"] if r["iin"] != m["iin"]])
    # The kin's line names the registry and date of the link (ZAGS), not of the kin's record.
    assert render_card(cli, today).splitlines() == [
        f"Family card: Серікова Айгүл [{m['iin']}] F, 1985-03-04, 41 y",
        "  address A1; phone —; account —  (from GBD_FL, recorded 2026-01-10)",
        f"  child    Серіков Нұрлан [{c['iin']}] M, 2015-01-01, 11 y  (ZAGS, 2026-02-02)",
        f"  spouse   Серіков Нұрлан [{f['iin']}] M, 1980-01-01, 46 y 2005-01-01–  (ZAGS, 2026-02-02)",
        "  household at A1: Нұрлан 1980; Нұрлан 2015"]
    assert render_card(family_card(store, c["iin"]), today).splitlines()[-1] == (
        "  disability   2020-01-01..2027-01-01 disability_group=child  (CBDI, 2026-01-10)")
    # No address: no household; no such person: no card.
    card = family_card(store, alone["iin"])
    assert card["person"]["iin"] == alone["iin"] and (card["relations"], card["household"], card["facts"]) == (
        [], [], [])
    assert "household" not in render_card(card, today)
    assert family_card(store, "000000000000") is None
