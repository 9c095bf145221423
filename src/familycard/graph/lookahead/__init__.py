"""Looking ahead: what the rules will find, nearly find, would find, and what the registries
contradict. Each reads the store only; none writes a record.

    forecast   the rights that begin, end or change amount on each coming day, by the calendar
    nearmiss   people one missing or blocking record away from a right, and what is missing
    whatif     today's dry run with some dated parameters replaced: who gains, loses, and the cost
    findings   contradictions between registries that a caseworker should clear

It sits above the sweep: the forecast and the what-if compare dry-run sweeps.
"""
from familycard.graph.lookahead.findings import FINDING_KINDS, DataFinding, FindingKind, findings
from familycard.graph.lookahead.forecast import CHANGES, Forecast, ForecastChange, forecast
from familycard.graph.lookahead.nearmiss import MISSING_KINDS, NearMiss, near_misses
from familycard.graph.lookahead.whatif import (
    BenefitCost,
    WhatIf,
    WhatIfChange,
    WhatIfError,
    parse_settings,
    what_if,
)

__all__ = [
    "CHANGES", "FINDING_KINDS", "MISSING_KINDS",
    "BenefitCost", "DataFinding", "FindingKind", "Forecast", "ForecastChange", "NearMiss",
    "WhatIf", "WhatIfChange", "WhatIfError",
    "findings", "forecast", "near_misses", "parse_settings", "what_if",
]
