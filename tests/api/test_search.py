"""``searchPeople`` on both engines: staff find a person by whole IIN or whole names (any case,
Cyrillic or Latin as registered), paged and ordered, each person shown logged, masked per role;
never a prefix, a pattern or a list of everyone."""
from __future__ import annotations

import datetime as dt

import pytest
from starlette.testclient import TestClient

from familycard.api.app import create_app
from familycard.graph.cards import name_forms
from familycard.graph.ingest import ingest_lines
from feedmaker import iban, lines, person
from servers import gql, settings_for

AS_OF = dt.date(2026, 11, 25)
PHONE = "+77017778899"


@pytest.fixture
def people(store):
    """Three Айгүл Серікова (two born the same day), one Әлия Абдуллаева-Ким, one John Smith."""
    p = {"a1": person("1990-03-01", "F", phone=PHONE, bank_account=iban("1250000000000042")),
         "a2": person("1985-06-15", "F"), "a3": person("1990-03-01", "F"),
         "hyphen": person("1979-12-31", "F", surname="Абдуллаева-Ким", given_name="Әлия"),
         "latin": person("2000-01-01", "M", surname="Smith", given_name="John"),
         "other": person("1990-03-01", "M")}  # Нұрлан Серіков: another name
    assert ingest_lines(store, lines(*p.values()), "feed", AS_OF).rejected == 0
    return p


@pytest.fixture
def client(store, people, tmp_path):
    with TestClient(create_app(settings_for(tmp_path), store=store)) as c:
        yield c


SEARCH = """query($iin: String, $surname: String, $givenName: String, $birthDate: Date, $first: Int,
                  $after: String) {
  searchPeople(iin: $iin, surname: $surname, givenName: $givenName, birthDate: $birthDate, first: $first,
               after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id iin surname givenName birthDate phone
                                                                bankAccount } } } }"""
LOG = """query($iin: String) { accessLog(iin: $iin) { totalCount edges { node { role operation fields } } } }"""


def _search(client, role="caseworker", **v):
    return gql(client, SEARCH, role, **v)


def _error(client, role="caseworker", **v) -> str:
    out = _search(client, role, **v)
    assert out["data"] is None, out
    return out["errors"][0]["message"]


def test_by_whole_names_in_any_case_ordered_and_paged_and_each_one_shown_is_logged(client, people):
    a1, a2, a3 = people["a1"], people["a2"], people["a3"]
    order = [a2["iin"]] + sorted([a1["iin"], a3["iin"]])  # surname, given name, birth date, IIN
    for surname, given in (("Серікова", "Айгүл"), ("серікова", "АЙГҮЛ"), ("  СЕРІКОВА ", "айгүл")):
        found = _search(client, surname=surname, givenName=given)["data"]["searchPeople"]
        assert found["totalCount"] == 3 and [e["node"]["iin"] for e in found["edges"]] == order, (surname, given)
    first = _search(client, surname="Серікова", givenName="Айгүл", first=2)["data"]["searchPeople"]
    assert [e["node"]["iin"] for e in first["edges"]] == order[:2] and first["pageInfo"]["hasNextPage"]
    rest = _search(client, surname="Серікова", givenName="Айгүл", first=2,
                   after=first["pageInfo"]["endCursor"])["data"]["searchPeople"]
    assert [e["node"]["iin"] for e in rest["edges"]] == order[2:] and not rest["pageInfo"]["hasNextPage"]
    born = _search(client, surname="Серікова", givenName="Айгүл", birthDate="1985-06-15")["data"]["searchPeople"]
    assert [e["node"]["iin"] for e in born["edges"]] == [a2["iin"]]
    # every person a page showed is in the access log under the search, and no one else
    for p in (a1, a2, a3):
        log = gql(client, LOG, "admin", iin=p["iin"])["data"]["accessLog"]
        assert {e["node"]["operation"] for e in log["edges"]} == {"searchPeople"}
        assert "edges.node.phone" in log["edges"][0]["node"]["fields"]
    # three searches showed all three, then one page each, then the one born on the day
    counts = {k: gql(client, LOG, "admin", iin=p["iin"])["data"]["accessLog"]["totalCount"]
              for k, p in people.items()}
    assert counts == {"a1": 4, "a2": 5, "a3": 4, "hyphen": 0, "latin": 0, "other": 0}


def test_hyphenated_and_latin_names_as_registered(client, people):
    for surname, given, who in (("абдуллаева-ким", "әлия", "hyphen"), ("ABDULLAEVA-KIM", "Aliya", None),
                                ("smith", "JOHN", "latin"), ("Смит", "Джон", None)):
        found = _search(client, surname=surname, givenName=given)["data"]["searchPeople"]
        assert [e["node"]["iin"] for e in found["edges"]] == ([people[who]["iin"]] if who else []), surname


def test_by_whole_iin_with_birth_date_narrowing(client, people):
    a1 = people["a1"]
    [edge] = _search(client, iin=a1["iin"])["data"]["searchPeople"]["edges"]
    assert edge["node"]["givenName"] == "Айгүл"
    assert _search(client, iin=a1["iin"], birthDate="1990-03-01")["data"]["searchPeople"]["totalCount"] == 1
    assert _search(client, iin=a1["iin"], birthDate="1990-03-02")["data"]["searchPeople"]["totalCount"] == 0


def test_no_partial_names_no_patterns_no_lists_of_everyone(client, people):
    """Search is for finding a person staff already know, not for listing people."""
    assert _search(client, surname="Сері", givenName="Айгүл")["data"]["searchPeople"]["totalCount"] == 0
    assert _search(client, surname="Серікова", givenName="Ай")["data"]["searchPeople"]["totalCount"] == 0
    assert _error(client, surname="Сері*", givenName="Айгүл") == (
        "surname: '*' at position 5: no wildcards or patterns; give the whole name")
    assert _error(client, surname="Серікова", givenName="%") == (
        "givenName: '%' at position 1: no wildcards or patterns; give the whole name")
    assert _error(client, surname="Серікова", givenName=".*").startswith("givenName: '.' at position 1")
    assert _error(client, surname="Серікова", givenName="Ай\x00гүл") == (
        "givenName: character U+0000 at position 3 is not in a name")
    assert _error(client, surname="1990", givenName="Айгүл").startswith("surname: character U+0031")
    assert _error(client, surname="Серікова") == "give iin, or both surname and givenName (whole names)"
    assert _error(client, birthDate="1990-03-01") == "give iin, or both surname and givenName (whole names)"
    assert _error(client) == "give iin, or both surname and givenName (whole names)"
    assert _error(client, surname="", givenName="Айгүл") == "surname: empty; give the whole name"
    assert _error(client, surname="С" * 101, givenName="Айгүл") == "surname: at most 100 characters"
    assert _error(client, iin="9003014").startswith("iin: ")
    assert _error(client, iin=people["a1"]["iin"][:-1] + "%").startswith("iin: ")
    arabic = people["a1"]["iin"].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))  # digits to str.isdigit
    assert _error(client, iin=arabic).startswith("iin: ")
    assert _error(client, surname="Серікова\u202e", givenName="Айгүл").startswith("surname: character U+202E")
    assert _error(client, iin=people["a1"]["iin"], surname="Серікова", givenName="Айгүл") == (
        "give either iin, or surname and givenName: not both")
    assert _error(client, surname="Серікова", givenName="Айгүл", first=101) == "first: 101 is not between 0 and 100"


@pytest.mark.parametrize("role,iin,phone,account", [
    ("caseworker", "full", PHONE, "••••••••••••••••0042"),
    ("auditor", "full", "+7 701 *** ** 99", "full"),
    ("admin", "full", PHONE, "full"),
])
def test_staff_see_what_their_role_sees(client, people, role, iin, phone, account):
    a1 = people["a1"]
    [node] = [e["node"] for e in _search(client, role, iin=a1["iin"])["data"]["searchPeople"]["edges"]]
    assert node["iin"] == (a1["iin"] if iin == "full" else iin)
    assert node["phone"] == phone
    assert node["bankAccount"] == (a1["bank_account"] if account == "full" else account)
    assert a1["iin"] not in node["id"]


@pytest.mark.parametrize("role,code", [("frontend", "FORBIDDEN"), (None, "UNAUTHENTICATED")])
def test_search_is_for_staff(client, people, role, code):
    out = _search(client, role, iin=people["a1"]["iin"])
    assert out["errors"][0]["extensions"]["code"] == code
    log = gql(client, LOG, "admin", iin=people["a1"]["iin"])["data"]["accessLog"]
    assert log["totalCount"] == 0  # a refused search shows no one


def test_the_forms_of_a_name_are_its_case_variants_only():
    assert name_forms("абдуллаева-ким") == sorted({"абдуллаева-ким", "АБДУЛЛАЕВА-КИМ", "Абдуллаева-Ким",
                                                   "Абдуллаева-ким"})
    assert name_forms("o'brien") == sorted({"o'brien", "O'BRIEN", "O'Brien", "O'brien"})
    assert all(f.casefold() == "серікова" for f in name_forms("сЕРІКОВА"))


def test_searches_count_in_a_query_s_cost(client, people):
    many = "{ " + " ".join(f'a{i}: searchPeople(surname: "Серікова", givenName: "Айгүл") {{ totalCount }}'
                           for i in range(15))
    assert "errors" not in gql(client, many + " }", "caseworker")  # 15 × 2
    out = gql(client, many + f' familyCard(iin: "{people["a1"]["iin"]}") {{ entitlements {{ amountKzt }} }} }}',
              "caseworker")
    assert out["errors"][0]["extensions"]["code"] == "QUERY_TOO_LARGE"
    assert out["errors"][0]["message"].startswith("the query costs 51 (") and "searchPeople 15 × 2" in \
        out["errors"][0]["message"]
