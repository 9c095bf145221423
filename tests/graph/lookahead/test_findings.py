"""Data-quality findings on both engines: for each kind a family where it is found and one just
on the other side of its boundary, and nothing else found in either (each test asks for every
kind: a finding names only the persons it is about)."""
from __future__ import annotations

import datetime as dt
import json
from itertools import count

import pytest

from familycard.graph.flow.orders import issue_orders
from familycard.graph.ingest import ingest_lines
from familycard.graph.lookahead import FINDING_KINDS, DataFinding, findings
from familycard.graph.lookahead.findings import FATHER_DAYS, kin_groups
from feedmaker import fact, iban, lines, link
from feedmaker import person as _person

# The Neo4j half runs with the scenarios (CI runs both): the default run keeps its 15 minutes.
pytestmark = pytest.mark.scenario_on_neo4j

D = dt.date(2026, 11, 25)
_names = count(1)


def person(born: str, sex: str, **kw) -> dict:
    """A person with a name of their own: the feedmaker's one name for all would make everyone
    born on one day a possible duplicate."""
    n = next(_names)
    return _person(born, sex, **{"surname": f"Тест{n}", "given_name": f"Адам{n}", **kw})


def _ingest(store, *records) -> None:
    summary = ingest_lines(store, lines(*records), "test", D)
    assert summary.rejected == 0, summary


def _found(store, day: dt.date = D) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.kind, f.iins) for f in findings(store, day)]


def _one(store, kind: str) -> DataFinding:
    (f,) = findings(store, D, [kind])
    return f


def ids(*people: dict) -> tuple[str, ...]:
    return tuple(sorted(p["iin"] for p in people))


def test_two_open_spouses_counts_links_open_on_the_day_to_living_spouses(store):
    a, b, c = person("1980-01-01", "M"), person("1982-01-01", "F"), person("1984-01-01", "F")
    # until = the day: no longer counts that day (records.md)
    a2, b2, c2 = person("1980-02-01", "M"), person("1982-02-01", "F"), person("1984-02-01", "F")
    # until = the day after: still open on the day
    a3, b3, c3 = person("1980-03-01", "M"), person("1982-03-01", "F"), person("1984-03-01", "F")
    # one wife dead (widower, link not closed), one wedding in the future
    a4, b4, c4, d4 = (person("1980-04-01", "M"), person("1982-04-01", "F", death_date="2020-01-01"),
                      person("1984-04-01", "F"), person("1986-04-01", "F"))
    _ingest(store, a, b, c, a2, b2, c2, a3, b3, c3, a4, b4, c4, d4,
            link("SPOUSE_OF", a, b, since="2005-06-01"), link("SPOUSE_OF", c, a, since="2015-07-01"),
            link("SPOUSE_OF", a2, b2, since="2005-06-01", until="2026-11-25"), link("SPOUSE_OF", a2, c2),
            link("SPOUSE_OF", a3, b3, since="2005-06-01", until="2026-11-26"), link("SPOUSE_OF", a3, c3),
            link("SPOUSE_OF", a4, b4), link("SPOUSE_OF", a4, c4), link("SPOUSE_OF", a4, d4, since="2026-11-26"))
    assert _found(store) == sorted([("two_open_spouses", ids(a, b, c)), ("two_open_spouses", ids(a3, b3, c3))])
    f = next(f for f in findings(store, D) if a["iin"] in f.iins)
    assert f.detail == (f"{a['iin']} has 2 SPOUSE_OF links open on 2026-11-25: with {b['iin']} since 2005-06-01 "
                        f"(ZAGS); with {c['iin']} since 2015-07-01 (ZAGS)")
    # the day the first marriage ends it is no longer a finding; the day before a3's, a2's still was
    assert ("two_open_spouses", ids(a3, b3, c3)) not in _found(store, dt.date(2026, 11, 26))
    assert ("two_open_spouses", ids(a2, b2, c2)) in _found(store, dt.date(2026, 11, 24))


def test_dead_receiving_is_a_benefit_fact_covering_a_day_after_death(store):
    p = person("1950-01-01", "F", death_date="2026-06-30")
    q = person("1951-01-01", "F", death_date="2026-06-30")
    r = person("1952-01-01", "F", death_date="2026-06-30")
    _ingest(store, p, q, r,
            fact(p, "benefit", "2025-01-01", source="MIO", benefit="large_family"),
            fact(q, "benefit", "2025-01-01", source="MIO", benefit="large_family", valid_to="2026-06-30"),
            fact(r, "benefit", "2025-01-01", source="MIO", benefit="disability", valid_to="2026-07-01"))
    assert _found(store) == [("dead_receiving", ids(p)), ("dead_receiving", ids(r))]
    assert findings(store, D, ["dead_receiving"])[0].detail in (
        "died 2026-06-30; benefit fact 'large_family' (MIO) from 2025-01-01 to open-ended",
        "died 2026-06-30; benefit fact 'disability' (MIO) from 2025-01-01 to 2026-07-01")
    # a death after the day asked about is not known that day
    assert _found(store, dt.date(2026, 6, 29)) == []


def test_income_after_death_is_for_a_month_after_the_month_of_death(store):
    r = person("1960-01-01", "M", death_date="2026-06-30")
    s = person("1961-01-01", "M", death_date="2026-06-01")

    def income(p, month):
        return fact(p, "income", f"{month}-01", source="KGD", month=month, amount_kzt=100_000)

    _ingest(store, r, s, income(r, "2026-06"), income(r, "2026-07"), income(r, "2026-08"), income(s, "2026-06"),
            # a contribution after death is no income
            fact(s, "contribution", "2026-07-01", source="GFSS", month="2026-07", amount_kzt=5_000))
    assert _found(store) == [("income_after_death", ids(r))]
    assert _one(store, "income_after_death").detail == (
        "died 2026-06-30; income reported for 2 months, 2026-07 to 2026-08 (KGD)")


def test_possible_duplicates_share_the_whole_name_and_birth_date(store):
    a = person("1990-05-05", "F", surname="Ахметова", given_name="Дана", patronymic="Серікқызы")
    b = person("1990-05-05", "F", surname="Ахметова", given_name="Дана", patronymic="Серікқызы")
    c = person("1990-05-06", "F", surname="Ахметова", given_name="Дана", patronymic="Серікқызы")  # a day apart
    d = person("1990-05-05", "F", surname="Ахметова", given_name="Дана")  # no patronymic
    e = person("1991-01-01", "M", surname="Омаров", given_name="Ерлан")
    f = person("1991-01-01", "M", surname="Омаров", given_name="Ерлан")  # neither has a patronymic
    _ingest(store, a, b, c, d, e, f)
    assert _found(store) == sorted([("possible_duplicate_person", ids(a, b)), ("possible_duplicate_person", ids(e, f))])
    dup = next(x for x in findings(store, D) if a["iin"] in x.iins)
    assert dup.detail == "2 IINs with the same surname, given name, patronymic and birth date 1990-05-05"
    assert "Ахметова" not in dup.detail


def test_a_child_alone_is_under_18_where_no_living_adult_is_registered(store):
    alone = person("2015-01-01", "F", address_id="C1\nкорпус 2")  # a feed's free text: escaped when shown
    # exactly 18 on the day: an adult, so the child beside her is not alone
    eighteen = person("2008-11-25", "F", address_id="C2")
    kid2 = person("2016-01-01", "M", address_id="C2")
    # 18 tomorrow: still a child, and both are alone
    seventeen = person("2008-11-26", "M", address_id="C3")
    kid3 = person("2017-01-01", "M", address_id="C3")
    # the only adult registered there is dead
    dead = person("1980-01-01", "M", address_id="C4", death_date="2026-01-01")
    kid4 = person("2018-01-01", "F", address_id="C4")
    # a dead child is not alone; an unborn one is not there yet
    _ingest(store, alone, eighteen, kid2, seventeen, kid3, dead, kid4,
            person("2014-01-01", "M", address_id="C5", death_date="2020-01-01"))
    assert _found(store) == sorted(("child_alone", ids(p)) for p in (alone, seventeen, kid3, kid4))
    assert next(f for f in findings(store, D) if f.iins == ids(alone)).detail == (
        'born 2015-01-01, registered at address "C1\\nкорпус 2" where no living adult is registered on 2026-11-25')
    f = next(f for f in findings(store, D) if f.iins == ids(kid4))
    assert f.detail == "born 2018-01-01, registered at address \"C4\" where no living adult is registered on 2026-11-25"
    assert f.iins == ids(kid4)  # the child only: not the dead adult, not the other children
    # the day before she turns 18, the adult of C2 is a child too
    assert ("child_alone", ids(eighteen)) in _found(store, dt.date(2026, 11, 24))


def test_a_shared_account_is_a_finding_between_strangers_not_between_kin(store):
    acc = [iban(f"12500000000000{n:02d}") for n in range(5)]
    x, y = person("1980-01-01", "M", bank_account=acc[0]), person("1981-01-01", "F", bank_account=acc[0])
    mother, kid = person("1970-01-01", "F", bank_account=acc[1]), person("2000-01-01", "M", bank_account=acc[1])
    # siblings (one parent between them); a grandmother and her grandchild (one parent between them)
    par = person("1960-01-01", "F", bank_account=acc[3])
    s1, s2 = person("1985-01-01", "F", bank_account=acc[2]), person("1987-01-01", "M", bank_account=acc[2])
    grandkid = person("2010-01-01", "F", bank_account=acc[3])
    # kin and a stranger on one account: all three named, in two groups
    g_mother, g_kid = person("1975-01-01", "F", bank_account=acc[4]), person("2001-01-01", "F", bank_account=acc[4])
    stranger = person("1990-01-01", "M", bank_account=acc[4])
    _ingest(store, x, y, mother, kid, par, s1, s2, grandkid, g_mother, g_kid, stranger,
            link("PARENT_OF", mother, kid), link("PARENT_OF", par, s1), link("PARENT_OF", par, s2),
            link("PARENT_OF", s1, grandkid), link("PARENT_OF", g_mother, g_kid))
    assert _found(store) == sorted([("shared_bank_account", ids(x, y)),
                                    ("shared_bank_account", ids(g_mother, g_kid, stranger))])
    for f in findings(store, D):
        assert f.detail == ("one bank account is registered for 2 persons in 2 groups with no kinship between "
                            "them (no parent, child, spouse, guardian or ward link, nor one person between)"
                            if len(f.iins) == 2 else
                            "one bank account is registered for 3 persons in 2 groups with no kinship between "
                            "them (no parent, child, spouse, guardian or ward link, nor one person between)")
        assert not any(a in f.detail or a[-4:] in f.detail for a in acc)


def test_kin_groups_join_through_a_shared_relative():
    kin = {"a": {"p"}, "b": {"p"}, "c": set(), "d": {"c"}}
    assert sorted(map(sorted, kin_groups(["a", "b", "c", "d"], kin))) == [["a", "b"], ["c", "d"]]


def test_a_parent_died_before_the_birth(store):
    def before(born: str, days: int) -> str:
        return (dt.date.fromisoformat(born) - dt.timedelta(days=days)).isoformat()

    born = "2026-05-01"
    f301, c1 = person("1980-01-01", "M", death_date=before(born, FATHER_DAYS + 1)), person(born, "F")
    f300, c2 = person("1980-01-02", "M", death_date=before(born, FATHER_DAYS)), person(born, "M")
    m1, c3 = person("1990-01-01", "F", death_date=before(born, 1)), person(born, "F")
    m0, c4 = person("1990-01-02", "F", death_date=born), person(born, "M")
    _ingest(store, f301, c1, f300, c2, m1, c3, m0, c4, *(link("PARENT_OF", p, c) for p, c in
                                                        ((f301, c1), (f300, c2), (m1, c3), (m0, c4))))
    assert _found(store) == sorted([("parent_died_before_birth", ids(f301, c1)),
                                    ("parent_died_before_birth", ids(m1, c3))])
    details = {f.iins: f.detail for f in findings(store, D)}
    assert details[ids(f301, c1)] == (f"father {f301['iin']} died 2025-07-04, 301 days before the birth of "
                                      f"{c1['iin']} on 2026-05-01")
    assert details[ids(m1, c3)].startswith(f"mother {m1['iin']} died 2026-04-30, 1 days before")


def test_employed_and_unemployed_on_the_same_day(store):
    e1, e2, e3 = person("1985-01-01", "M"), person("1986-01-01", "F"), person("1987-01-01", "M")
    _ingest(store, e1, e2, e3,
            fact(e1, "employment", "2026-01-01", source="ESP", employer_bin="123456789012"),
            fact(e1, "unemployed", "2026-10-01", source="ESP"),
            # employment ended the day before (valid_to is inclusive): no finding
            fact(e2, "employment", "2026-01-01", source="ESP", employer_bin="123456789012", valid_to="2026-11-24"),
            fact(e2, "unemployed", "2026-11-25", source="ESP"),
            # unemployed registration from tomorrow: no finding today
            fact(e3, "employment", "2026-01-01", source="ESP", employer_bin="123456789012"),
            fact(e3, "unemployed", "2026-11-26", source="ESP"))
    assert _found(store) == [("employed_and_unemployed", ids(e1))]
    assert _one(store, "employed_and_unemployed").detail == (
        "on 2026-11-25: registered unemployed since 2026-10-01 (ESP); employed since 2026-01-01 (ESP)")
    assert ("employed_and_unemployed", ids(e3)) in _found(store, dt.date(2026, 11, 26))


def test_an_order_for_a_month_after_the_recipients_death(store):
    o1 = person("1980-01-01", "F", death_date="2026-09-14", bank_account=iban("1250000000000101"))
    o2 = person("1981-01-01", "F", death_date="2026-09-30", bank_account=iban("1250000000000102"))
    _ingest(store, o1, o2)

    def wanted(p: dict) -> dict:
        return {"key": f"childcare_1_5|{p['iin']}", "code": "childcare_1_5", "iin": p["iin"], "subject": None,
                "periodicity": "monthly", "amount_kzt": 45000}

    at = dt.datetime(2026, 11, 5, 4, 0)
    for month in ("2026-09", "2026-10"):
        store.transaction(lambda tx, m=month: issue_orders(tx, [wanted(o1)], m, at, "test"))
    store.transaction(lambda tx: issue_orders(tx, [wanted(o2)], "2026-09", at, "test"))
    assert _found(store) == [("order_after_death", ids(o1))]
    f = _one(store, "order_after_death")
    assert f.detail.startswith("died 2026-09-14; 1 payment order for a later month: FC")
    assert f.detail.endswith(" (childcare_1_5, 2026-10)")
    assert o1["bank_account"] not in f.detail and o1["bank_account"][-4:] not in f.detail


def test_kinds_are_documented_and_an_unknown_kind_is_an_error(store):
    assert list(FINDING_KINDS) == ["two_open_spouses", "dead_receiving", "income_after_death",
                                   "possible_duplicate_person", "child_alone", "shared_bank_account",
                                   "parent_died_before_birth", "employed_and_unemployed", "order_after_death"]
    for code, k in FINDING_KINDS.items():
        assert k.code == code and k.title and k.why.endswith(".") and k.clears.endswith(".")
    with pytest.raises(ValueError, match="^unknown finding kind 'nope' \\(known: two_open_spouses, "):
        findings(store, D, ["nope"])
    assert findings(store, D) == []


# ------------------------------------------------------------------------------- the CLI

@pytest.fixture
def cli_env(request, store) -> dict:
    """The CLI's environment for the engine `store` runs on (its data left to the test's folder)."""
    if store.engine == "neo4j":
        return {"FAMILYCARD_STORE": "neo4j", "FAMILYCARD_NEO4J_URI": request.getfixturevalue("neo4j_clean")}
    return {}


def test_the_cli_prints_json_lines_and_refuses_an_unknown_kind(tmp_path, cli_env, store):
    from cli.test_main import feed_file, run

    x = person("1980-01-01", "M", bank_account=iban("1250000000000201"), phone="+77011112233")
    y = person("1981-01-01", "F", bank_account=iban("1250000000000201"), phone="+77014445566")
    kid = person("2015-01-01", "F", address_id="K1", phone="+77017778899")
    path = feed_file(tmp_path, x, y, kid)
    assert run(["ingest", str(path), "--today", "2026-11-25"], tmp_path, **cli_env).returncode == 0
    r = run(["findings", "--as-of", "2026-11-25", "--json"], tmp_path, **cli_env)
    assert r.returncode == 0, r.stderr
    got = [json.loads(ln) for ln in r.stdout.decode().splitlines()]
    assert [(g["kind"], g["iins"]) for g in got] == [("child_alone", [kid["iin"]]),
                                                     ("shared_bank_account", sorted([x["iin"], y["iin"]]))]
    assert all(set(g) == {"kind", "iins", "detail"} for g in got)
    out = r.stdout.decode()
    for p in (x, y, kid):  # no phone, no account, in any line
        assert p["phone"] not in out and p["phone"][-4:] not in out
        assert not p.get("bank_account") or p["bank_account"][-6:] not in out
    assert "findings as of 2026-11-25: 2 in " in r.stderr.decode()
    r = run(["findings", "--as-of", "2026-11-25", "--json", "--kind", "child_alone"], tmp_path, **cli_env)
    assert [json.loads(ln)["kind"] for ln in r.stdout.decode().splitlines()] == ["child_alone"]
    r = run(["findings", "--kind", "child_alone", "--kind", "ghosts"], tmp_path, **cli_env)
    assert r.returncode == 2
    assert r.stderr.decode().startswith("familycard findings: unknown kind 'ghosts' (known: two_open_spouses, ")
