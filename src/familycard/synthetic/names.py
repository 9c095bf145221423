"""Where the synthetic people live and what they are called: the regions (population weights,
wage levels, where kandas settle), surnames and given names, and the numbers they hold (phone
prefixes, banks, employers' BINs). Shared by the population and the day of changes.
"""
from __future__ import annotations

import math
import random

from familycard.schema.iin import check_digit

# Regions: ISO-like code, name, population (thousands, 2024) -> address weighting.
REGIONS = (
    ("AST", "Astana", 1420), ("ALA", "Almaty", 2230), ("SHY", "Shymkent", 1230),
    ("ABA", "Abai", 610), ("AKM", "Akmola", 790), ("AKT", "Aktobe", 930),
    ("ALM", "Almaty region", 1530), ("ATY", "Atyrau", 700), ("ZAP", "West Kazakhstan", 690),
    ("ZHA", "Jambyl", 1220), ("ZHT", "Jetisu", 700), ("KAR", "Karaganda", 1140),
    ("KUS", "Kostanay", 830), ("KZY", "Kyzylorda", 830), ("MAN", "Mangystau", 790),
    ("PAV", "Pavlodar", 750), ("SEV", "North Kazakhstan", 530), ("YUZ", "Turkistan", 2130),
    ("ULY", "Ulytau", 220), ("VOS", "East Kazakhstan", 730),
)
REGION_CODES = tuple(r[0] for r in REGIONS)
REGION_CUM = tuple(math.fsum(r[2] for r in REGIONS[:i + 1]) for i in range(len(REGIONS)))
# Wages relative to the national median.
WAGE = {"AST": 1.35, "ALA": 1.35, "ATY": 1.6, "MAN": 1.4, "ULY": 1.15, "AKT": 1.05, "KAR": 1.05,
        "PAV": 1.0, "SHY": 0.85, "YUZ": 0.75, "ZHA": 0.8, "ZHT": 0.8, "KZY": 0.85}
KANDAS_REGIONS = ("YUZ", "ALM", "MAN", "AKM", "ABA", "KAR", "PAV", "SEV", "KUS", "ZHT")
KANDAS_FROM = ("CN", "MN", "UZ", "TM", "RU", "KG")

# Male surname forms; the female form adds "а" (-ов/-ова, -ев/-ева, -ин/-ина).
SURNAMES = (
    "Ахметов", "Омаров", "Сулейменов", "Нұрланов", "Искаков", "Жумабаев", "Тулегенов", "Касымов",
    "Бекмуханбетов", "Кенжебаев", "Абенов", "Байжанов", "Мухамеджанов", "Ержанов", "Есенов",
    "Садыков", "Турсынов", "Смагулов", "Калиев", "Жаксылыков", "Ибраев", "Маратов", "Серикбаев",
    "Амангельдиев", "Оспанов", "Мусин", "Рахимов", "Байтурсынов", "Жунусов", "Кудайбергенов",
    "Утегенов", "Абдрахманов", "Бейсенов", "Жакупов", "Сарсенбаев", "Нургалиев", "Каримов",
    "Альжанов", "Тасмагамбетов", "Ермеков", "Дюсенов", "Шайхин", "Исин", "Әбдіров",
)
MALE_NAMES = (
    "Нұрлан", "Ерлан", "Асқар", "Серік", "Бауыржан", "Ержан", "Дәурен", "Марат", "Қанат", "Айдос",
    "Әлібек", "Нұрсұлтан", "Дастан", "Ерболат", "Бақытжан", "Жандос", "Арман", "Темірлан",
    "Алихан", "Әлинұр", "Ислам", "Нұрасыл", "Санжар", "Мирас", "Рустем", "Талғат", "Мұрат",
    "Ғалым", "Жомарт", "Ербол", "Азамат", "Ильяс", "Тимур", "Данияр", "Әділет", "Бекзат", "Олжас",
    "Еркебұлан", "Мақсат", "Аян", "Амир", "Медет", "Ринат", "Бекжан",
)
FEMALE_NAMES = (
    "Айгүл", "Гүлнар", "Динара", "Жанар", "Сәуле", "Айжан", "Мәдина", "Әйгерім", "Ақмарал",
    "Назерке", "Аружан", "Жансая", "Дана", "Томирис", "Айша", "Гүлмира", "Раушан", "Баян",
    "Жұлдыз", "Ләззат", "Салтанат", "Камила", "Дариға", "Меруерт", "Әсел", "Ботагөз", "Шолпан",
    "Айнұр", "Ақбота", "Жібек", "Іңкәр", "Әсем", "Анель", "Алина", "Самал", "Зарина", "Гүлжан",
    "Күләш", "Нұргүл", "Мөлдір", "Балжан",
)
PHONE_PREFIXES = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778")
BANK_CODES = ("601", "722", "965", "998", "826", "914", "948", "886", "551", "832")


def iban_check(bban: str) -> int:
    """ISO 13616 check digits of a Kazakh IBAN (K=20, Z=35; digits-only BBAN)."""
    return 98 - int(bban + "203500") % 97


def employer_bin(r: random.Random) -> str:
    """A valid BIN (legal-entity number: a 4 in the fifth digit; the IIN check digit)."""
    while True:
        first11 = f"{r.randint(0, 25):02d}{r.randint(1, 12):02d}4{r.choice('0001')}{r.randrange(100000):05d}"
        d = check_digit(first11)
        if d is not None:
            return first11 + str(d)
