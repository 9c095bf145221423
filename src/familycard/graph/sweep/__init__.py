"""The sweep: each day, every rule run over the family graph; the rights found become offers.

    run     ``sweep`` (the dry run, reads only) and ``daily_sweep`` (lapses, withdraws, offers)
    scope   the incremental sweep's scope: whom the records ingested since the last sweep concern

It sits above the flow because it writes the flow's first records: each right it finds not
offered yet becomes an offer and a queued SMS (``flow.offers``), and the open offers whose
right it no longer finds are withdrawn (``flow.recheck``).
"""
from familycard.graph.sweep.run import (
    FULL,
    INCREMENTAL,
    MODES,
    PARTIAL,
    DailySweep,
    RuleRun,
    SweepError,
    SweepResult,
    daily_sweep,
    last_sweep,
    sweep,
)
from familycard.graph.sweep.scope import Scope

__all__ = ["FULL", "INCREMENTAL", "MODES", "PARTIAL",
           "DailySweep", "RuleRun", "Scope", "SweepError", "SweepResult", "daily_sweep", "last_sweep", "sweep"]
