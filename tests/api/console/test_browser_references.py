"""In the browser: an entitlement's detail shows the parameters of its amount, each with its
value on the day and the law that set it, in the chosen language (the reference as the rule
files write it)."""
from __future__ import annotations

from api.console.test_browser import as_of, open_person, page, sign_in, site  # noqa: F401 (fixtures)
from api.console.world import AS_OF


def test_an_entitlement_names_the_law_behind_each_parameter_of_its_amount(page, site):  # noqa: F811
    p, w = page.page, site.world
    sign_in(p, site)
    p.locator("#lang").select_option("ru")
    pid = open_person(p, site, w.mother)
    as_of(p, AS_OF.strftime("%d.%m.%Y"))
    api = site.gql("""query($id: ID!, $d: Date) { familyCard(id: $id) { entitlements(asOf: $d, benefit: "birth") {
                      entitled benefit { parameters(asOf: $d, amountOnly: true) { name value since reference } }
                    } } }""",
                   "caseworker", id=pid, d=AS_OF.isoformat())["familyCard"]["entitlements"][0]
    assert api["entitled"]
    birth = p.locator('#rights-list article.right[data-code="birth"]').first
    params = birth.locator("ul.params li")
    assert params.count() == 2 and birth.locator("ul.params").get_attribute("aria-label").startswith("Параметры")
    mci = params.nth(0).inner_text()
    want = next(x for x in api["benefit"]["parameters"] if x["name"] == "mci")
    day = ".".join(reversed(want["since"].split("-")))
    assert mci.startswith(f"mci = {want['value']} (с {day}): ") and mci.endswith(want["reference"])
    assert "No. 239-VIII" in mci or "No. 141-VIII" in mci
    assert "birth_mci = 1: 38, 4: 63" in params.nth(1).inner_text()
    assert "Social Code of the RK of 20 April 2023 No. 224-VII" in params.nth(1).locator("cite").inner_text()
    # not entitled: no amount, no parameters
    for right in p.locator('#rights-list article.right.no').all():
        assert right.locator("ul.params").count() == 0
