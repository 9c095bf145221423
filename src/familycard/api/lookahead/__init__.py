"""Looking ahead: the forward calendar (`forecast`), near misses (`nearMisses`), what-if
reforms (`whatIf`) and data-quality findings (`findings`, `findingKinds`)."""
from familycard.api.lookahead.queries import Query
from familycard.api.lookahead.types import (
    DataFinding,
    ForecastChange,
    ForecastResult,
    NearMiss,
    ParameterSetting,
    WhatIf,
    WhatIfChange,
)

__all__ = [
    "DataFinding",
    "ForecastChange",
    "ForecastResult",
    "NearMiss",
    "ParameterSetting",
    "Query",
    "WhatIf",
    "WhatIfChange",
]
