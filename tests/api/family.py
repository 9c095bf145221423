"""The family most API tests read: ``Family`` (its records), its phone and account; the
``family`` fixture (tests/api/conftest.py) ingests it into the test's store."""
from __future__ import annotations

import datetime as dt

from feedmaker import fact, iban, link, person

AS_OF = dt.date(2026, 11, 25)
PHONE = "+77011234567"
ACCOUNT = iban("1250000000000000")


class Family:
    """A mother with a phone and an account, her husband, three children (a newborn, a
    schoolgirl, a student of 19), her own mother at another address; and a small family."""

    def __init__(self):
        self.mother = person("1990-03-01", "F", phone=PHONE, bank_account=ACCOUNT, address_id="A1")
        self.father = person("1988-07-12", "M", address_id="A1")
        self.baby = person("2026-11-01", "M", address_id="A1")
        self.girl = person("2015-09-09", "F", address_id="A1")
        self.student = person("2007-02-02", "M", address_id="A1")
        self.granny = person("1960-05-05", "F", address_id="A2")
        self.small_mother = person("1992-01-01", "F", address_id="B1")
        self.small_child = person("2020-01-01", "F", address_id="B1")
        kids = (self.baby, self.girl, self.student)
        self.records = [self.mother, self.father, *kids, self.granny, self.small_mother, self.small_child,
                        link("SPOUSE_OF", self.father, self.mother, since="2010-06-01"),
                        link("PARENT_OF", self.granny, self.mother),
                        *(link("PARENT_OF", p, c) for p in (self.mother, self.father) for c in kids),
                        link("PARENT_OF", self.small_mother, self.small_child),
                        fact(self.student, "student", "2025-09-01", source="NOBD", valid_to="2029-06-30")]
        for m in range(1, 4):
            self.records.append(fact(self.mother, "income", f"2026-{m:02d}-01", source="KGD",
                                     month=f"2026-{m:02d}", amount_kzt=300_000 + m))
