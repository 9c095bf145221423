"""Feed records in through the API: the same validation and per-record errors as `familycard ingest`."""
from __future__ import annotations

from typing import Annotated

import orjson
import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from familycard.api.errors import InvalidInput
from familycard.api.permissions import ADMIN
from familycard.api.types import JSON
from familycard.dates import local_day, utcnow
from familycard.graph.ingest import ingest_lines

ORIGIN = "records"


@strawberry.type(description="A record that was not stored: its position in `records` (from 0; null for one "
                             "that had waited since an earlier call), the field at fault and why.")
class RecordRejected:
    index: int | None = strawberry.field(description="Its position in `records`, from 0; null for a link or fact "
                                                     "that had waited since an earlier call.")
    field: str | None = strawberry.field(description="The record's field at fault (`iin`, `recorded_at`), if one is.")
    message: str = strawberry.field(description="Why it was not stored.")


@strawberry.type(description="What an ingest did. Valid records landed even when others were rejected.")
class IngestReport:
    read: int = strawberry.field(description="Records read.")
    stored: int = strawberry.field(description="Records stored (new, or newer than what was stored).")
    unchanged: int = strawberry.field(description="Records already stored as they are (or older than what is): "
                                                  "nothing changed.")
    rejected: int = strawberry.field(description="Records refused: see `rejections`.")
    pending: int = strawberry.field(description="Links and facts (of any batch) still waiting for their persons.")
    rejections: list[RecordRejected] = strawberry.field(description="Each record refused, in `records` order.")


IngestResult = Annotated[IngestReport | InvalidInput, strawberry.union(
    "IngestResult", description="What an ingest did, or why the call as a whole was refused.")]


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[ADMIN], description="Store feed records (records.md): persons, "
                                                                "links and facts, in any order.")
    async def ingest_records(self, info: Info, records: Annotated[list[JSON], strawberry.argument(
            description="Feed records as records.md describes them (a person, a link or a fact each), up to "
                        "FAMILYCARD_INGEST_MAX_RECORDS a call.")]) -> IngestResult:
        cap = info.context.settings.ingest_max_records
        if len(records) > cap:
            return InvalidInput(message=f"records: {len(records)} records, at most {cap} a call "
                                        f"(use `familycard ingest` for a whole feed)", field="records")
        lines, rejections = [], []
        for i, r in enumerate(records):
            try:
                lines.append(orjson.dumps(r))
            except orjson.JSONEncodeError as e:  # an integer beyond 64 bits, nesting past 255 levels
                lines.append(b"")  # keeps the numbering: ingest skips a blank line
                rejections.append(RecordRejected(index=i, field=None, message=f"not a feed record ({e})"))
        summary = await run_in_threadpool(ingest_lines, info.context.store, lines, ORIGIN, local_day(utcnow()))
        summary.read += len(rejections)
        summary.rejected += len(rejections)
        for r in summary.rejections:
            # "records:17" is this call's 17th record; a link or fact that waited for its persons
            # since an earlier call has no index here, and its message says where it came from.
            head, _, line = r.origin.partition(":")
            own = head == ORIGIN and line.isdigit()
            rejections.append(RecordRejected(index=int(line) - 1 if own else None, field=r.field,
                                             message=r.reason if own else f"{r.origin}: {r.reason}"))
        rejections.sort(key=lambda r: (r.index is None, r.index or 0))
        return IngestReport(read=summary.read, stored=summary.stored, unchanged=summary.unchanged,
                            rejected=summary.rejected, pending=summary.pending, rejections=rejections)
