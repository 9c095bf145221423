"""The `familycard` command: parses arguments, builds the settings once, calls functions.

Each command group is a module here that adds its commands' parsers (``add_<command>``) next to
the functions they call (``cmd_<command>``); the graph does the work, the modules only print."""
from __future__ import annotations

import argparse
import contextlib
import sys

from familycard.cli import cards, demo, flow, load, lookahead, neo4j, population, serve, sweep
from familycard.cli._errors import run_command
from familycard.dates import local_today

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse, telling a mistake in one line (what, where, and where help is) with exit code
    2, without the usage block above it."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


class _CommandParser(_Parser):
    """A command's parser: takes --debug after the command too (`familycard card X --debug`),
    without resetting the one given before it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


# The commands in the order `familycard --help` lists them.
_COMMANDS = (population.add_generate, population.add_changes, population.add_ingest, load.add_load, demo.add_demo,
             population.add_stats, cards.add_card, sweep.add_sweep, flow.add_sms, flow.add_pay, flow.add_offers,
             flow.add_worklist, flow.add_history, serve.add_token, serve.add_schema, serve.add_serve,
             cards.add_explain, lookahead.add_forecast, lookahead.add_nearmiss, lookahead.add_whatif,
             lookahead.add_findings, neo4j.add_neo4j)


def build_parser() -> argparse.ArgumentParser:
    # The day in Kazakhstan, as consent and pay count it: the machine's own date made a sweep
    # run at 19:00-24:00 UTC find the rights of the day before while consent dated them the next.
    today = local_today()
    p = _Parser(prog="familycard", description="The Digital Family Card: kinship graph, "
                "registry feed ingest, proactive benefits.")
    p.add_argument("--debug", action="store_true", help="show the trace of an unexpected error")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_CommandParser)
    for add in _COMMANDS:
        add(sub, today)
    return p


def main(argv: list[str] | None = None) -> int:
    import faulthandler
    import signal

    # `kill -USR1 <pid>` prints where a long job is (stacks of all threads) to stderr.
    with contextlib.suppress(ValueError, OSError):  # stderr without a file descriptor (captured)
        faulthandler.register(signal.SIGUSR1, all_threads=True)

    from familycard import settings as config

    args = build_parser().parse_args(argv)
    try:
        settings = config.load()
    except config.SettingsInvalid as e:
        for line in e.lines:
            print(f"familycard: {line}", file=sys.stderr)
        return 2
    for name, close in config.unknown_names_here():
        print(f"familycard: warning: {name} is not a familycard setting and is ignored"
              + (f" (did you mean {close}?)" if close else ""), file=sys.stderr)
    return run_command(args, settings)
