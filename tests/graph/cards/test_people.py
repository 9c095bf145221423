"""graph/cards/people.py, the API's batched reads, on both engines: a card read at once is the
card read kind by kind, and what the flow made for a person is found through their links."""
from __future__ import annotations

import asyncio
import datetime as dt
import io

import pytest

from familycard.graph import model
from familycard.graph.cards import people
from familycard.graph.flow.inbox import receive
from familycard.graph.flow.outbox import send_outbox
from familycard.graph.flow.payments import pay_month
from familycard.graph.ingest import ingest_lines
from familycard.graph.sms.gateways import FileGateway
from familycard.graph.sweep import daily_sweep
from familycard.synthetic import write_feed

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture
def flowed(store, tmp_path):
    """300 generated people, the day's sweep, its SMS, a consent from every fifth phone, and
    December's payments: offers of every status, events, assignments, payment orders."""
    buf = io.StringIO()
    write_feed(buf, people=300, seed=5, as_of=AS_OF)
    assert ingest_lines(store, buf.getvalue().encode().splitlines(keepends=True), "feed", AS_OF).rejected == 0
    clock = [dt.datetime(2026, 11, 25, 3, 0)]
    daily_sweep(store, AS_OF, now=lambda: clock[0])
    with FileGateway(tmp_path / "sms.jsonl") as gw:
        send_outbox(store, gw, now=lambda: clock[0])
    phones = [r["p"] for r in store.read("MATCH (o:Offer) WHERE o.status = 'open' AND o.sent_at IS NOT NULL "
                                         "RETURN DISTINCT o.phone AS p ORDER BY p")]
    for i, phone in enumerate(phones[::5]):
        receive(store, phone, "все иә", at=dt.datetime(2026, 11, 25, 6, 0, i))
    pay_month(store, "2026-12", tmp_path / "payments", now=lambda: dt.datetime(2026, 12, 1, 4, 0))
    return store


def test_a_card_read_at_once_is_the_card_read_kind_by_kind_and_the_flow_hangs_from_its_person(flowed):
    asyncio.run(_card_checks(flowed))  # one event loop, as in the API (Neo4j's async driver is the loop's)


async def _card_checks(store):
    iins = [r["iin"] for r in store.read("MATCH (p:Person) RETURN p.iin AS iin ORDER BY iin")]
    recipients = {r["iin"] for r in store.read("MATCH (o:Offer) RETURN DISTINCT o.iin AS iin")}
    assert recipients and store.read("MATCH (a:Assignment) RETURN count(a) AS n")[0]["n"] > 0
    seen = {k: 0 for k in people.CARD_PARTS}
    for iin in iins[::7] + sorted(recipients):
        card = await people.card(store, iin, people.CARD_PARTS)
        person = card.pop("person")
        assert person == (await people.persons(store, [iin]))[iin]
        address = person["address_id"]
        assert card == {
            "relations": (await people.relations(store, [iin]))[iin],
            "household": (await people.households(store, [address]))[address] if address else [],
            **{k: (await getattr(people, k)(store, [iin]))[iin]
               for k in ("facts", "offers", "assignments", "payments", "events")}}, iin
        for k, rows in card.items():
            seen[k] += bool(rows)
    assert all(seen.values()), seen  # every part was seen with something in it
    # Only the parts asked for; no card for no one.
    iin = sorted(recipients)[0]
    card = await people.card(store, iin, ["offers"])
    assert set(card) == {"person", "offers"} and card["offers"]
    assert await people.card(store, "000000000000", people.CARD_PARTS) is None
    # Every offer, assignment, payment and event about a stored person hangs from that person.
    for label in ("Offer", "Assignment", "Payment", "Event"):
        link = model.OWNER_LINKS[label].name
        loose = store.read(f"MATCH (x:{label}) WHERE x.iin IS NOT NULL "
                           f"AND NOT EXISTS {{ MATCH (x)<-[:{link}]-(:Person) }} RETURN count(x) AS n")[0]["n"]
        assert loose == 0, label
    iin = store.read("MATCH (o:Offer) WHERE o.status = 'consented' RETURN o.iin AS iin LIMIT 1")[0]["iin"]
    offers = (await people.offers(store, [iin]))[iin]
    by_property = store.read("MATCH (o:Offer) WHERE o.iin = $iin RETURN o.key AS key", {"iin": iin})
    assert sorted(o["key"] for o in offers) == sorted(r["key"] for r in by_property)
    events = (await people.events(store, [iin]))[iin]
    consented = next(o["key"] for o in offers if o["status"] == "consented")
    # (a monthly right the payment run found no longer holding has also "ended")
    assert [e["kind"] for e in events if e["ref"] == consented][:3] == ["offered", "consented", "assigned"]
