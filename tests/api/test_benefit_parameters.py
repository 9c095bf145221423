"""`Benefit.parameters(asOf)`: the parameters a benefit reads, their value on the day and the
law that set that value. Public like the rest of the catalogue (no token, nothing personal);
the same through an entitlement, on both engines."""
from __future__ import annotations

import re

from api.conftest import client_for
from servers import gql

Q = """query($asOf: Date, $amountOnly: Boolean!) { benefits { code
         parameters(asOf: $asOf, amountOnly: $amountOnly) { name title unit value entries { key value } since
                                                             reference inAmount } } }"""


def _params(client, code, as_of="2026-11-25", amount_only=False, role=None):
    out = gql(client, Q, role, asOf=as_of, amountOnly=amount_only)
    assert "errors" not in out, out
    return {p["name"]: p for p in next(b for b in out["data"]["benefits"] if b["code"] == code)["parameters"]}


def test_each_value_names_the_law_that_set_it_and_a_bracket_its_entries(store, tmp_path):
    client = client_for(store, tmp_path)
    birth = _params(client, "birth")  # anonymous: the catalogue is public
    assert list(birth) == ["mci", "birth_mci"]
    mci = birth["mci"]
    assert (mci["value"], mci["since"], mci["unit"], mci["entries"], mci["inAmount"]) == ("4325", "2026-01-01", "KZT",
                                                                                          [], True)
    assert "8 December 2025 No. 239-VIII" in mci["reference"] and "republican budget for 2026-2028" in mci["reference"]
    table = birth["birth_mci"]
    assert table["value"] is None and table["entries"] == [{"key": "1", "value": "38"}, {"key": "4", "value": "63"}]
    assert "Social Code of the RK of 20 April 2023 No. 224-VII" in table["reference"]
    # another day, another law
    old = _params(client, "birth", as_of="2025-03-01")["mci"]
    assert (old["value"], old["since"]) == ("3932", "2025-01-01") and "No. 141-VIII" in old["reference"]


def test_amount_only_and_the_rest_a_rule_reads(store, tmp_path):
    client = client_for(store, tmp_path)
    ta = _params(client, "targeted_assistance")
    assert set(ta) == {"poverty_line_share", "pm", "income_months"} and all(p["inAmount"] for p in ta.values())
    assert ta["poverty_line_share"]["value"] == "0.70"
    pension = _params(client, "pension_right")
    assert set(pension) == {"pension_age_men", "pension_age_women"}
    assert not any(p["inAmount"] for p in pension.values())
    assert _params(client, "pension_right", amount_only=True) == {}
    assert _params(client, "birth", as_of="2020-01-01") == {}  # nothing in force yet


def test_every_parameter_has_a_reference_and_nothing_personal(store, tmp_path):
    client = client_for(store, tmp_path)
    out = gql(client, Q, asOf="2026-11-25", amountOnly=False)["data"]["benefits"]
    params = [p for b in out for p in b["parameters"]]
    assert len(params) >= 20 and all(p["reference"].strip() for p in params)
    assert not re.search(r"\b[0-9]{12}\b", str(out))  # no IIN-shaped value anywhere


def test_an_entitlement_shows_the_parameters_of_its_amount(store, family, tmp_path):
    client = client_for(store, tmp_path)
    q = """query($iin: String!) { familyCard(iin: $iin) { entitlements(asOf: "2026-11-25", benefit: "birth") {
             benefit { code parameters(asOf: "2026-11-25", amountOnly: true) { name value reference } }
             entitled amountKzt } } }"""
    rights = gql(client, q, "caseworker", iin=family.mother["iin"])["data"]["familyCard"]["entitlements"]
    birth = next(r for r in rights if r["benefit"]["code"] == "birth" and r["entitled"])
    assert [p["name"] for p in birth["benefit"]["parameters"]] == ["mci", "birth_mci"]
    assert "No. 239-VIII" in birth["benefit"]["parameters"][0]["reference"]
