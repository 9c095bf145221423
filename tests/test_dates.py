"""The clock: the day of a sweep, a consent and a payment is the day in Kazakhstan (UTC+5)."""
import datetime as dt

from familycard.cli import build_parser
from familycard.dates import local_day, local_today


def test_a_moment_before_19_utc_is_the_same_day_in_kazakhstan():
    assert local_day(dt.datetime(2026, 12, 6, 18, 59, 59)) == dt.date(2026, 12, 6)


def test_a_moment_from_19_utc_on_is_already_the_next_day_in_kazakhstan():
    assert local_day(dt.datetime(2026, 12, 6, 19, 0, 0)) == dt.date(2026, 12, 7)
    assert local_day(dt.datetime(2026, 12, 31, 23, 30)) == dt.date(2027, 1, 1)


def test_the_commands_default_day_is_kazakhstans_not_the_machines():
    before = local_today()
    args = build_parser().parse_args(["sweep"])
    assert args.as_of in {before, local_today()}  # a midnight may pass between the two reads
    assert build_parser().parse_args(["ingest", "feed.jsonl"]).today in {before, local_today()}
