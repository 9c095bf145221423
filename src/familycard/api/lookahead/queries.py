"""Looking ahead over GraphQL: `forecast` and `whatIf` (auditors, admins), `nearMisses`,
`findings` and `findingKinds` (staff). Each is computed once per request, off the event loop
(graph/lookahead reads the store synchronously, as a sweep does), then paged; nothing is kept
for the next request."""
from __future__ import annotations

import asyncio
import datetime as dt
import threading
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from familycard.api.access_log import selected_fields
from familycard.api.enums import Periodicity
from familycard.api.errors import InvalidInput, PublicError
from familycard.api.lookahead.types import (
    BenefitCost,
    DataFinding,
    FindingKindInfo,
    ForecastChange,
    ForecastChangeKind,
    ForecastResult,
    NearMiss,
    NearMissKind,
    ParameterSetting,
    ParameterSettingApplied,
    WhatIf,
    WhatIfChange,
    WhatIfChangeKind,
    WhatIfResult,
    tenge,
)
from familycard.api.permissions import AUDIT, STAFF, mask_text
from familycard.api.relay import After, Connection, First, Page, from_list, page
from familycard.api.types import enum_of
from familycard.graph.flow.offers import rules_by_code
from familycard.graph.lookahead import (
    MISSING_KINDS,
    WhatIfError,
    findings,
    forecast,
    near_misses,
    parse_settings,
    what_if,
)
from familycard.schema.iin import IINError, parse_iin

T = TypeVar("T")

MAX_DAYS = 366
MAX_SETTINGS = 50         # parameters in one what-if (the rules have fewer dated ones than that)
MAX_NAME = 200            # characters of a parameter's name
#: Look-aheads computed at once by one server: each is a sweep's order of work, and one whose
#: caller was told it ran past the time limit still runs to its end in its thread.
MAX_RUNNING = 2

BenefitCode = Annotated[str | None, strawberry.argument(
    description="Only this benefit (a `Benefit.code`); every one when left out.")]


def finding_kinds() -> dict:
    """The findings' kinds, read when asked (the table is filled where the findings are made)."""
    from familycard.graph.lookahead import FINDING_KINDS

    return FINDING_KINDS


def _benefit_code(code: str | None, where: str = "benefit") -> str | None:
    if code is not None and code not in rules_by_code():
        raise PublicError(f"{where}: '{code[:40]}' is not one of {', '.join(rules_by_code())}")
    return code


class _Workers:
    """The server's look-ahead threads: MAX_RUNNING at most, each place freed when its work ends
    (or, cancelled before it began, never runs)."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=MAX_RUNNING, thread_name_prefix="lookahead")
        self.places = threading.BoundedSemaphore(MAX_RUNNING)


async def _computed(info: Info, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a worker thread: the event loop serves other requests meanwhile, and the
    caller hears of the server's time limit when it passes (the work runs to its end, holding
    one of MAX_RUNNING places; when all are held, the next is refused at once, not queued)."""
    state = info.context.request.app.state
    workers = getattr(state, "lookahead_workers", None)
    if workers is None:
        workers = state.lookahead_workers = _Workers()
    if not workers.places.acquire(blocking=False):
        raise PublicError(f"the server is computing {MAX_RUNNING} look-aheads already; try again when one has "
                          f"finished", code="BUSY")
    try:
        work = workers.pool.submit(fn, *args)
    except BaseException:
        workers.places.release()
        raise
    work.add_done_callback(lambda _: workers.places.release())  # done, failed, or cancelled unstarted
    return await asyncio.wrap_future(work)


def _note(info: Info, iins: Iterable[str | None], detail: str | None = None) -> None:
    """Log the persons a row shows (as a task's are: what is said of their rights is a card
    read), and any IIN its text quotes."""
    fields = selected_fields(info)
    for iin in iins:
        if iin:
            info.context.access.note(iin, fields)
    for word in (detail or "").split():
        digits = word.strip(".,;:()'\"")
        if len(digits) == 12 and digits.isdigit():
            try:
                parse_iin(digits)
            except IINError:
                continue
            info.context.access.note(digits, fields)


def _paged(info: Info, items: list, p: Page, node: Callable, people: Callable[[Any], Iterable[str | None]]):
    for x in items[p.skip:p.skip + p.limit]:
        _note(info, people(x), getattr(x, "detail", None))
    return from_list(items, p, node)


#: The days a look-ahead judges: the rules' date arithmetic (ages, windows) runs off the
#: calendar's ends for a day near year 1 or 9999, which would be a masked "Unexpected error".
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _judged(day: dt.date, where: str) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PublicError(f"{where}: {day.isoformat()} is not between {FIRST_DAY.isoformat()} and "
                          f"{LAST_DAY.isoformat()}")
    return day


async def _as_of(info: Info, fn: Callable[..., list[T]], as_of: dt.date, only: list[str] | None,
                 first: int | None, after: str | None) -> tuple[list[T], Page]:
    """``fn(store, as_of, only)`` for a day a look-ahead judges, computed as ``_computed``, and the page asked."""
    _judged(as_of, "asOf")
    p = page(info, first, after)
    return await _computed(info, fn, info.context.store, as_of, only), p


def _day(start: dt.date, days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise PublicError(f"days: {days} is not between 1 and {MAX_DAYS}")
    _judged(start, "from")
    if start + dt.timedelta(days=days) > LAST_DAY:
        raise PublicError(f"from: {start.isoformat()} + {days} days is past {LAST_DAY.isoformat()}")


def _clean_name(name: str, i: int) -> str | InvalidInput:
    where = f"set[{i}].name"
    text = name.strip()
    if not text:
        return InvalidInput(message=f"{where}: empty; give a parameter's name", field=where)
    if len(text) > MAX_NAME:
        return InvalidInput(message=f"{where}: at most {MAX_NAME} characters, not {len(text)}", field=where)
    bad = next((c for c in text if c == "=" or c.isspace() or unicodedata.category(c).startswith("C")), None)
    if bad is not None:
        return InvalidInput(message=f"{where}: character U+{ord(bad):04X} in '{text[:40]}' is not in a parameter's "
                                    f"name", field=where)
    return text


def _settings(set: list[ParameterSetting]) -> dict[str, Decimal] | InvalidInput:
    if not set:
        return InvalidInput(message="set: give at least one parameter setting", field="set")
    if len(set) > MAX_SETTINGS:
        return InvalidInput(message=f"set: at most {MAX_SETTINGS} settings, not {len(set)}", field="set")
    items, seen = [], {}
    for i, s in enumerate(set):
        name = _clean_name(s.name, i)
        if isinstance(name, InvalidInput):
            return name
        if name in seen:
            return InvalidInput(message=f"set[{i}].name: '{name[:40]}' is set already (set[{seen[name]}])",
                                field=f"set[{i}].name")
        seen[name] = i
        items.append(f"{name}={format(s.value, 'f')}")
    try:
        return parse_settings(items)  # the CLI's own reading of NAME=VALUE
    except WhatIfError as e:
        return _invalid(e, seen)


def _invalid(e: WhatIfError, index: dict[str, int]) -> InvalidInput:
    where = f"set[{index[e.name]}]" if e.name in index else "set"
    return InvalidInput(message=str(e), field=where)


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[AUDIT],
                      description="The forward calendar (as `familycard forecast`): on the data in the store alone, "
                                  "the rights that begin, end or change amount on each day of (from, from + days]. "
                                  "A sweep's order of work: large populations belong to the CLI (this runs within "
                                  "the request timeout). Each person a page shows is logged as a card read.")
    async def forecast(self, info: Info,
                       from_: Annotated[dt.date, strawberry.argument(
                           name="from", description="The day before the first day forecast.")],
                       days: Annotated[int, strawberry.argument(
                           description=f"Days after `from`, 1 to {MAX_DAYS}.")],
                       benefit: BenefitCode = None, first: First = None, after: After = None) -> ForecastResult:
        _day(from_, days)
        code = _benefit_code(benefit)
        p = page(info, first, after)
        fc = await _computed(info, forecast, info.context.store, from_, days, [code] if code else None)
        changes = _paged(info, fc.changes, p, lambda c: ForecastChange(
            date=c.date, change=ForecastChangeKind(c.change), amount_kzt=tenge(c.amount_kzt), _code=c.benefit,
            _iin=c.iin, _subject=c.subject), lambda c: (c.iin, c.subject))
        return ForecastResult(monthly_until=fc.monthly_until, monthly_rules=list(fc.monthly_rules), changes=changes)

    @strawberry.field(permission_classes=[STAFF],
                      description="People who would be entitled on a day but for one missing or blocking record, "
                                  "and what is missing (as `familycard nearmiss`). Sorted by benefit, kind, "
                                  "recipient. Each person a page shows is logged as a card read.")
    async def near_misses(self, info: Info,
                          as_of: Annotated[dt.date, strawberry.argument(description="The day judged.")],
                          missing: Annotated[NearMissKind | None, strawberry.argument(
                              description="Only this kind; every kind when left out.")] = None,
                          benefit: BenefitCode = None, first: First = None, after: After = None
                          ) -> Connection[NearMiss]:
        code = _benefit_code(benefit)
        found, p = await _as_of(info, near_misses, as_of, [missing.value] if missing is not None else None,
                                first, after)
        if code is not None:
            found = [m for m in found if m.benefit == code]
        role = info.context.role
        return _paged(info, found, p, lambda m: NearMiss(
            missing=NearMissKind(m.missing), missing_text=MISSING_KINDS.get(m.missing, m.missing),
            detail=mask_text(m.detail, role) or "", _code=m.benefit, _iin=m.iin, _subject=m.subject),
            lambda m: (m.iin, m.subject))

    @strawberry.field(permission_classes=[AUDIT],
                      description="Today's dry run with some dated parameters replaced (as `familycard whatif`): "
                                  "every right that differs, paged, and per benefit the gains, losses and cost "
                                  "before and after. Nothing is written. An unknown name or a value that does not "
                                  "fit is `InvalidInput` naming the valid ones. Each person a page shows is logged "
                                  "as a card read.")
    async def what_if(self, info: Info,
                      as_of: Annotated[dt.date, strawberry.argument(description="The day judged.")],
                      set: Annotated[list[ParameterSetting], strawberry.argument(
                          description=f"The parameters replaced, 1 to {MAX_SETTINGS}, each once.")],
                      benefit: BenefitCode = None, first: First = None, after: After = None) -> WhatIfResult:
        code = _benefit_code(benefit)
        _judged(as_of, "asOf")
        p = page(info, first, after)
        values = _settings(set)
        if isinstance(values, InvalidInput):
            return values
        index = {name: i for i, name in enumerate(values)}
        try:
            wi = await _computed(info, what_if, info.context.store, as_of, values, [code] if code else None)
        except WhatIfError as e:
            return _invalid(e, index)
        changes = _paged(info, wi.changes, p, lambda c: WhatIfChange(
            change=WhatIfChangeKind(c.change), before_kzt=tenge(c.before_kzt), after_kzt=tenge(c.after_kzt),
            _code=c.benefit, _iin=c.iin, _subject=c.subject), lambda c: (c.iin, c.subject))
        (mb, ma), (ob, oa) = wi.monthly(), wi.one_off()
        return WhatIf(
            as_of=wi.as_of,
            settings=[ParameterSettingApplied(name=n, value=v, replaced_reference=wi.references.get(n))
                      for n, v in wi.settings.items()],
            costs=[BenefitCost(periodicity=enum_of(Periodicity, c.periodicity), gains=c.gains, losses=c.losses,
                               amount_changes=c.amount_changes, before_kzt=Decimal(c.before_kzt),
                               after_kzt=Decimal(c.after_kzt), difference_kzt=Decimal(c.difference_kzt),
                               _code=c.benefit) for c in wi.costs],
            monthly_before_kzt=Decimal(mb), monthly_after_kzt=Decimal(ma), one_off_before_kzt=Decimal(ob),
            one_off_after_kzt=Decimal(oa), changes=changes)

    @strawberry.field(permission_classes=[STAFF],
                      description="The kinds of data-quality finding: what each is, why it matters, what clears it.")
    def finding_kinds(self) -> list[FindingKindInfo]:
        return [FindingKindInfo(code=k.code, title=k.title, why=k.why, clears=k.clears)
                for k in finding_kinds().values()]

    @strawberry.field(permission_classes=[STAFF],
                      description="Contradictions between registries that a caseworker should clear, with the "
                                  "persons involved (as `familycard findings`), sorted by kind. Each person a page "
                                  "shows is logged as a card read.")
    async def findings(self, info: Info,
                       as_of: Annotated[dt.date, strawberry.argument(description="The day judged.")],
                       kind: Annotated[str | None, strawberry.argument(
                           description="Only this kind (a `FindingKindInfo.code`); every kind when left out.")] = None,
                       first: First = None, after: After = None) -> Connection[DataFinding]:
        kinds = finding_kinds()
        if kind is not None and kind not in kinds:
            raise PublicError(f"kind: '{kind[:40]}' is not one of {', '.join(kinds) or '(none known)'}")
        found, p = await _as_of(info, findings, as_of, [kind] if kind else None, first, after)
        role = info.context.role
        return _paged(info, found, p, lambda f: DataFinding(
            kind=f.kind, title=kinds[f.kind].title if f.kind in kinds else f.kind,
            detail=mask_text(f.detail, role) or "", _iins=tuple(f.iins)), lambda f: f.iins)
