"""The console tests' people: a family to draw (three generations, a marriage, a guardian, a
death, two addresses), mothers of newborns whose offers a caseworker works (one with a phone,
two without), and a patronymic that is HTML, which the page must show as text."""
from __future__ import annotations

import datetime as dt

from feedmaker import iban, link, person

AS_OF = dt.date(2026, 11, 25)
HOSTILE = '<img src=x onerror="window.__xss=1">'


class World:
    def __init__(self):
        p = person
        self.mother = p("1990-03-01", "F", surname="Ахметова", given_name="Дана", phone="+77011234567",
                        bank_account=iban("1250000000000101"), address_id="A1")
        self.father = p("1988-07-12", "M", surname="Ахметов", given_name="Ерлан", address_id="A1")
        self.baby = p("2026-11-01", "M", surname="Ахметов", given_name="Алихан", address_id="A1")
        self.girl = p("2015-09-09", "F", surname="Ахметова", given_name="Аружан", address_id="A1")
        self.granny = p("1960-05-05", "F", surname="Омарова", given_name="Гүлнар", patronymic=HOSTILE, address_id="A2")
        self.grandad = p("1955-02-02", "M", surname="Омаров", given_name="Болат", death_date="2020-03-03",
                         address_id="A2")
        self.ward = p("2012-04-04", "F", surname="Сейтқали", given_name="Мадина", address_id="A1")
        # two namesakes, for a search that finds more than one
        self.namesake = p("1990-03-01", "F", surname="Ахметова", given_name="Дана", address_id="Z9")
        # mothers of newborns without a phone: a NO_PHONE task each (one answered in person, one
        # closed with a note, one no test changes)
        self.nophone = p("1994-04-04", "F", surname="Жұмабаева", given_name="Сәуле",
                         bank_account=iban("1250000000000201"), address_id="W1")
        self.nophone_baby = p("2026-11-10", "M", surname="Жұмабаев", given_name="Нұрасыл", address_id="W1")
        self.closing = p("1995-05-05", "F", surname="Қасымова", given_name="Ләззат", address_id="W2")
        self.closing_baby = p("2026-11-12", "F", surname="Қасымова", given_name="Айым", address_id="W2")
        self.untouched = p("1996-06-06", "F", surname="Нұрланова", given_name="Әйгерім", address_id="W3")
        self.untouched_baby = p("2026-11-14", "M", surname="Нұрланов", given_name="Ислам", address_id="W3")
        # a family past the graph's limit (500 people): the API cuts it, the page says so
        self.clan = p("1950-01-01", "F", surname="Бекова", given_name="Зере", address_id="C1")
        self.clan_children = [p(f"19{70 + i % 30}-0{1 + i % 9}-1{i % 10}", "MF"[i % 2], surname="Беков",
                                given_name="Ержан" if i < 25 else f"Бала{i}", address_id="C1" if i % 3 else "C2")
                              for i in range(520)]  # 25 namesakes: a search of two pages
        self.people = [self.mother, self.father, self.baby, self.girl, self.granny, self.grandad, self.ward,
                       self.namesake, self.nophone, self.nophone_baby, self.closing, self.closing_baby,
                       self.untouched, self.untouched_baby]
        self.records = [*self.people,
                        link("SPOUSE_OF", self.father, self.mother, since="2010-06-01"),
                        link("PARENT_OF", self.granny, self.mother), link("PARENT_OF", self.grandad, self.mother),
                        link("SPOUSE_OF", self.grandad, self.granny, since="1985-01-01"),
                        *(link("PARENT_OF", x, c) for x in (self.mother, self.father) for c in (self.baby, self.girl)),
                        link("GUARDIAN_OF", self.mother, self.ward, since="2022-01-01"),
                        link("PARENT_OF", self.nophone, self.nophone_baby),
                        link("PARENT_OF", self.closing, self.closing_baby),
                        link("PARENT_OF", self.untouched, self.untouched_baby),
                        self.clan, *self.clan_children, *(link("PARENT_OF", self.clan, c) for c in self.clan_children)]

        # the mother and everyone one link from her: the graph she is the centre of (2 links add no one)
        self.circle = [self.mother, self.father, self.baby, self.girl, self.granny, self.grandad, self.ward]
