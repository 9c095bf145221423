"""Ingest of the registry feed into the graph (records.md).

A feed is read in batches. Each batch is validated line by line (``schema.records``), then
applied in ONE store transaction: so a crash (even ``kill -9``) leaves every batch either
whole or absent, and a rerun converges on the graph one clean run gives. Within and across
batches, of two records on the same thing the later ``recorded_at`` wins (equal times: the
higher digest, so arrival order never matters); a record equal to what is stored changes
nothing.

Links and facts whose persons have not arrived wait as ``Pending`` nodes and land at the end
of the run in which their persons arrive. Checks that need the graph (a parent's age, a
cycle, a third living parent) run against the stored graph plus the batch.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from familycard import dates
from familycard.dates import add_years
from familycard.graph import model
from familycard.graph.store import Store, Tx, writes
from familycard.schema.records import Record, RecordError, parse_line

MIN_PARENT_AGE_YEARS = 12
# Rejections kept with their details (all are counted): a feed of garbage must not fill memory.
KEEP_REJECTIONS = 10_000
# Records a run may see the store refuse one by one (validation should leave none). Past that,
# the store refuses writes rather than records (a full disk, a read-only replica): the run
# fails, rather than reporting every line of the feed as refused.
MAX_REFUSED_BY_STORE = 10


@dataclass
class Rejection:
    origin: str  # "feed.jsonl:17"
    field: str | None  # the field at fault, where one is
    reason: str  # the whole message, naming the field and the bad value

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass
class IngestSummary:
    read: int = 0
    stored: int = 0
    unchanged: int = 0
    rejected: int = 0
    pending: int = 0  # links and facts still waiting for their persons after the run
    refused_by_store: int = 0  # of the rejected: valid records the store would not take
    stored_by_kind: dict[str, int] = field(default_factory=lambda: {"person": 0, "link": 0, "fact": 0})
    rejections: list[Rejection] = field(default_factory=list)

    def line(self) -> str:
        return (f"read {self.read}, stored {self.stored}, unchanged {self.unchanged}, "
                f"rejected {self.rejected}, pending links {self.pending}")


@dataclass(slots=True)
class _Item:
    origin: str
    rec: Record
    text: str  # the line as it came, kept for a record that has to wait
    pending_key: str | None = None  # the Pending node it waited as (gone once it lands or is refused)


# --- reading ------------------------------------------------------------------------------

def _parse_lines(lines: Iterable[bytes], origin: str, today: dt.date,
                 summary: IngestSummary) -> Iterator[_Item]:
    # Validating in worker processes was measured slower on 2 cores (7.2 s vs 5.7 s for
    # 190 k records): pickling records back costs about what validating them does.
    for n, raw in enumerate(lines, 1):
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        summary.read += 1
        where = f"{origin}:{n}"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            _reject(summary, where, None, f"not UTF-8 (byte {e.start + 1})")
            continue
        try:
            yield _Item(where, parse_line(text, today, n), text)
        except RecordError as e:
            _reject(summary, where, e.field, str(e))


def _reject(summary: IngestSummary, origin: str, fld: str | None, reason: str) -> None:
    summary.rejected += 1
    if len(summary.rejections) < KEEP_REJECTIONS:
        summary.rejections.append(Rejection(origin, fld, reason))


def _batches(items: Iterator[_Item], size: int) -> Iterator[list[_Item]]:
    batch: list[_Item] = []
    for it in items:
        batch.append(it)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- applying one batch ---------------------------------------------------------------------

@dataclass
class _Outcome:
    stored: dict[str, int] = field(default_factory=lambda: {"person": 0, "link": 0, "fact": 0})
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    resolved_pending: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)  # persons whose record, links or facts changed
    left: set[str] = field(default_factory=set)     # addresses someone moved out of


def _dedupe(items: list[_Item], out: _Outcome) -> list[_Item]:
    """Of several records on one thing within a batch, keep the winner (last writer wins)."""
    best: dict[tuple[str, str], _Item] = {}
    for it in items:
        k = (it.rec.kind, it.rec.key)
        cur = best.get(k)
        if cur is None:
            best[k] = it
        elif it.rec.supersedes(cur.rec.recorded_at, cur.rec.digest):
            best[k] = it
            out.unchanged += 1
        else:
            out.unchanged += 1
    return list(best.values())


def _stored_versions(tx: Tx, table: model.Table, keys: list[str], *extra: str) -> dict[str, dict]:
    """What is stored under these keys: its recorded_at and digest (and ``extra`` columns)."""
    cols = "".join(f", n.{c} AS {c}" for c in extra)
    return {r["key"]: r for r in tx.run(
        f"UNWIND $keys AS k MATCH (n:{table.name} {{{table.key}: k}}) "
        f"RETURN n.{table.key} AS key, n.recorded_at AS recorded_at, n.digest AS digest{cols}", {"keys": keys})}


def _sort_out(items: list[_Item], stored: dict, key: Callable[[Record], object],
              row: Callable[[_Item], dict], out: _Outcome) -> tuple[list[dict], list[dict]]:
    """Rows for records not stored yet, and for those that win over the stored version;
    the rest (the same record again, or an older one) change nothing."""
    new, changed = [], []
    for it in items:
        old = stored.get(key(it.rec))
        if old is None:
            new.append(row(it))
        elif it.rec.supersedes(old["recorded_at"], old["digest"]):
            changed.append(row(it))
        else:
            out.unchanged += 1
    return new, changed


def _apply_persons(tx: Tx, persons: list[_Item], out: _Outcome) -> None:
    if not persons:
        return
    stored = _stored_versions(tx, model.PERSON, [it.rec.key for it in persons], "address_id")
    new, changed = _sort_out(persons, stored, lambda r: r.key, lambda it: it.rec.props, out)
    homes = [{"from": p["iin"], "to": p["address_id"]} for p in new if p["address_id"]]
    moved = []
    for p in changed:
        before = stored[p["iin"]]["address_id"]
        if before != p["address_id"]:
            if before:
                moved.append(p["iin"])
            if p["address_id"]:
                homes.append({"from": p["iin"], "to": p["address_id"]})
    tx.insert("Person", new)
    tx.update("Person", changed)
    out.touched.update(p["iin"] for p in new + changed)
    out.left.update(stored[k]["address_id"] for k in moved)
    tx.delete_rels("LIVES_AT", moved)
    _add_homes(tx, homes)
    if moved:
        # An address nobody is registered at any more goes, so the graph does not depend on
        # the order in which moves arrived.
        left = sorted({stored[k]["address_id"] for k in moved})
        occupied = {r["id"] for r in tx.run(
            "UNWIND $keys AS k MATCH (a:Address {id: k})<-[:LIVES_AT]-(:Person) RETURN DISTINCT a.id AS id",
            {"keys": left})}
        tx.delete_nodes("Address", [a for a in left if a not in occupied])
    out.stored["person"] += len(new) + len(changed)


def _add_homes(tx: Tx, homes: list[dict]) -> None:
    """LIVES_AT links (``from`` person, ``to`` address id), creating the addresses not stored yet."""
    if not homes:
        return
    ids = sorted({h["to"] for h in homes})
    known = {r["id"] for r in tx.run("UNWIND $keys AS k MATCH (a:Address {id: k}) RETURN a.id AS id",
                                     {"keys": ids})}
    tx.insert("Address", [{"id": a} for a in ids if a not in known])
    tx.insert("LIVES_AT", homes)


def _person_info(tx: Tx, iins: set[str]) -> dict[str, dict]:
    if not iins:
        return {}
    return {r["iin"]: r for r in tx.run(
        "UNWIND $keys AS k MATCH (p:Person {iin: k}) "
        "RETURN p.iin AS iin, p.birth_date AS birth_date, p.death_date AS death_date",
        {"keys": sorted(iins)})}


def _living_parents(tx: Tx, children: list[str], today: dt.date) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {c: set() for c in children}
    if not children:
        return out
    for r in tx.run(
            "UNWIND $keys AS k MATCH (p:Person)-[l:PARENT_OF]->(c:Person {iin: k}) "
            "RETURN c.iin AS child, p.iin AS parent, p.death_date AS died, l.until AS until",
            {"keys": children}):
        if (r["died"] is None or r["died"] > today) and (r["until"] is None or r["until"] > today):
            out[r["child"]].add(r["parent"])
    return out


def _ancestors(tx: Tx, starts: set[str], extra_parents: dict[str, set[str]]) -> dict[str, set[str]]:
    """All ancestors of each start (stored links plus this batch's), one query a generation."""
    found: dict[str, set[str]] = {s: set() for s in starts}
    frontier: dict[str, set[str]] = {s: {s} for s in starts}
    while frontier:
        nodes = set().union(*frontier.values())
        parents: dict[str, set[str]] = {}
        for r in tx.run("UNWIND $keys AS k MATCH (p:Person)-[:PARENT_OF]->(c:Person {iin: k}) "
                        "RETURN c.iin AS child, p.iin AS parent", {"keys": sorted(nodes)}):
            parents.setdefault(r["child"], set()).add(r["parent"])
        for c in nodes & extra_parents.keys():
            parents.setdefault(c, set()).update(extra_parents[c])
        nxt = {}
        for s, level in frontier.items():
            new = set().union(*(parents.get(n, set()) for n in level)) - found[s] - {s}
            if new:
                found[s] |= new
                nxt[s] = new
        frontier = nxt
    return found


def too_young_reason(parent: str, parent_born: dt.date, child: str, child_born: dt.date, cycle: bool) -> str:
    """Why a PARENT_OF whose parent is not ``MIN_PARENT_AGE_YEARS`` older is refused (the words
    of ingest and of the first load alike): it closes a cycle, the parent is born after the
    child, or simply too close in age."""
    if cycle:
        return f"PARENT_OF '{parent}' -> '{child}' would close a cycle: '{child}' is already an ancestor of '{parent}'"
    if parent_born > child_born:
        return (f"parent '{parent}' (born {parent_born.isoformat()}) is born after "
                f"child '{child}' (born {child_born.isoformat()})")
    return (f"parent '{parent}' (born {parent_born.isoformat()}) is less than {MIN_PARENT_AGE_YEARS} years "
            f"older than child '{child}' (born {child_born.isoformat()})")


def third_parent_reason(child: str, living: Iterable[str], parent: str) -> str:
    """Why a PARENT_OF is refused when the child has two living parents already (``living``)."""
    return (f"child '{child}' already has two living parents ({', '.join(sorted(living))}); "
            f"'{parent}' would be a third")


def _check_links(tx: Tx, links: list[_Item], info: dict[str, dict], today: dt.date,
                 out: _Outcome) -> list[_Item]:
    """Refuse impossible links (records.md); return the acceptable ones in feed order."""
    parent_links = [it for it in links if it.rec.type == "PARENT_OF"]
    too_young = {id(it) for it in parent_links
                 if add_years(info[it.rec.from_iin]["birth_date"], MIN_PARENT_AGE_YEARS)
                 > info[it.rec.to_iin]["birth_date"]}
    # Every stored PARENT_OF has a parent at least 12 years older, so only a link failing
    # that test can close a cycle; for those, say so when it does.
    batch_edges: dict[str, set[str]] = {}
    for it in parent_links:
        if id(it) not in too_young:
            batch_edges.setdefault(it.rec.to_iin, set()).add(it.rec.from_iin)
    ancestors = _ancestors(tx, {it.rec.from_iin for it in parent_links if id(it) in too_young}, batch_edges)
    living = _living_parents(tx, sorted({it.rec.to_iin for it in parent_links}), today)
    batch_parents: dict[str, set[str]] = {}
    ok = []
    for it in links:
        r = it.rec
        if r.type != "PARENT_OF":
            ok.append(it)
            continue
        parent, child = info[r.from_iin], info[r.to_iin]
        pb, cb = parent["birth_date"], child["birth_date"]
        if id(it) in too_young:
            reason = too_young_reason(r.from_iin, pb, r.to_iin, cb, r.to_iin in ancestors[r.from_iin])
            out.rejections.append(Rejection(it.origin, "from", f"from: {reason}"))
            continue
        alive_link = r.props["until"] is None or r.props["until"] > today
        alive_parent = parent["death_date"] is None or parent["death_date"] > today
        others = (living[r.to_iin] | batch_parents.get(r.to_iin, set())) - {r.from_iin}
        if alive_link and alive_parent and len(others) >= 2:
            out.rejections.append(Rejection(
                it.origin, "from", f"from: {third_parent_reason(r.to_iin, others, r.from_iin)}"))
            continue
        if alive_link and alive_parent:
            batch_parents.setdefault(r.to_iin, set()).add(r.from_iin)
        ok.append(it)
    return ok


def _apply_links(tx: Tx, links: list[_Item], out: _Outcome) -> None:
    by_type: dict[str, list[_Item]] = {}
    for it in links:
        by_type.setdefault(it.rec.type, []).append(it)
    for ltype, items in by_type.items():
        froms = sorted({it.rec.from_iin for it in items})
        stored = {(r["f"], r["t"]): r for r in tx.run(
            f"UNWIND $keys AS k MATCH (a:Person {{iin: k}})-[r:{model.LINK_TABLES[ltype].name}]->(b:Person) "
            "RETURN a.iin AS f, b.iin AS t, r.recorded_at AS recorded_at, r.digest AS digest",
            {"keys": froms})}
        new, changed = _sort_out(items, stored, lambda r: (r.from_iin, r.to_iin),
                                 lambda it: {"from": it.rec.from_iin, "to": it.rec.to_iin, **it.rec.props}, out)
        tx.insert(ltype, new)
        tx.update(ltype, changed)
        for r in new + changed:
            out.touched.update((r["from"], r["to"]))
        out.stored["link"] += len(new) + len(changed)


def _apply_facts(tx: Tx, facts: list[_Item], out: _Outcome) -> None:
    if not facts:
        return
    stored = _stored_versions(tx, model.FACT, [it.rec.key for it in facts])
    new, changed = _sort_out(facts, stored, lambda r: r.key, lambda it: it.rec.props, out)
    tx.insert("Fact", new)
    tx.insert("HAS_FACT", [{"from": p["iin"], "to": p["key"]} for p in new])
    tx.update("Fact", changed)
    out.touched.update(p["iin"] for p in new + changed)
    out.stored["fact"] += len(new) + len(changed)


def _park(tx: Tx, waiting: list[_Item], out: _Outcome) -> None:
    """Keep links and facts whose persons have not arrived (last writer wins here too)."""
    if not waiting:
        return
    stored = _stored_versions(tx, model.PENDING, [_pending_key(it.rec) for it in waiting])
    new, changed = _sort_out(waiting, stored, _pending_key, lambda it: {
        "key": _pending_key(it.rec), "kind": it.rec.kind, "from_iin": it.rec.from_iin, "to_iin": it.rec.to_iin,
        "record": it.text, "origin": it.origin, "recorded_at": it.rec.recorded_at, "digest": it.rec.digest}, out)
    tx.insert("Pending", new)
    tx.update("Pending", changed)


def _pending_key(r: Record) -> str:
    return f"{r.kind}|{r.key}"


def _apply_batch(tx: Tx, items: list[_Item], today: dt.date) -> _Outcome:
    out = _Outcome()
    items = _dedupe(items, out)
    persons = [it for it in items if it.rec.kind == "person"]
    rest = [it for it in items if it.rec.kind != "person"]
    _apply_persons(tx, persons, out)

    needed = {it.rec.from_iin for it in rest} | {it.rec.to_iin for it in rest if it.rec.to_iin}
    info = _person_info(tx, needed)
    ready, waiting = [], []
    for it in rest:
        r = it.rec
        (ready if r.from_iin in info and (r.to_iin is None or r.to_iin in info) else waiting).append(it)
    links = _check_links(tx, [it for it in ready if it.rec.kind == "link"], info, today, out)
    _apply_links(tx, links, out)
    _apply_facts(tx, [it for it in ready if it.rec.kind == "fact"], out)
    _park(tx, waiting, out)
    _log_changes(tx, out)
    return out


def _log_changes(tx: Tx, out: _Outcome) -> None:
    """What this batch changed, for the incremental sweep: in the batch's own transaction,
    so a crash loses a change only together with the change itself."""
    if not out.touched and not out.left:
        return
    at = dates.utcnow()
    batch = uuid.uuid4().hex
    rows = [{"key": f"{batch}|p|{i}", "at": at, "iin": i, "address_id": None} for i in sorted(out.touched)]
    rows += [{"key": f"{batch}|a|{a}", "at": at, "iin": None, "address_id": a} for a in sorted(out.left)]
    # Statements, not COPY: see dialect.create_statement (a lost change would hide a right).
    writes.create(tx, "Change", rows)


def _apply_and_unpark(tx: Tx, items: list[_Item], today: dt.date) -> _Outcome:
    out = _apply_batch(tx, items, today)
    # Records that waited, landed or refused, wait no more: removed in the same transaction.
    tx.delete_nodes("Pending", [it.pending_key for it in items if it.pending_key])
    return out


def _store_batch(store: Store, items: list[_Item], today: dt.date, summary: IngestSummary) -> None:
    """Apply a batch in one transaction. Should the store refuse it while it still answers,
    halve the batch until the record at fault is alone: that one is rejected (naming its
    line) and the others land. Validation should leave no such record; this is so that one
    we did not foresee costs its own line, not the batch, and never blocks later runs."""
    try:
        out = store.transaction(lambda tx: _apply_and_unpark(tx, items, today))
    except Exception as e:
        if isinstance(e, MemoryError) or not _store_answers(store):
            raise  # the run failed, not a record: nothing of this batch is lost, a rerun converges
        if len(items) > 1:
            mid = len(items) // 2
            _store_batch(store, items[:mid], today, summary)
            _store_batch(store, items[mid:], today, summary)
            return
        summary.refused_by_store += 1
        if summary.refused_by_store > MAX_REFUSED_BY_STORE:
            raise
        [it] = items
        out = _Outcome(rejections=[Rejection(it.origin, None, f"could not be stored ({type(e).__name__}: "
                                                                f"{str(e)[:200]})")])
        if it.pending_key:
            store.transaction(lambda tx: tx.delete_nodes("Pending", [it.pending_key]))
    _merge(summary, out)


def _store_answers(store: Store) -> bool:
    try:
        store.read("RETURN 1 AS one")
    except Exception:
        return False
    return True


def _merge(summary: IngestSummary, out: _Outcome) -> None:
    for k, v in out.stored.items():
        summary.stored_by_kind[k] += v
        summary.stored += v
    summary.unchanged += out.unchanged
    summary.rejected += len(out.rejections)
    summary.rejections.extend(out.rejections[:max(0, KEEP_REJECTIONS - len(summary.rejections))])


# --- homes ------------------------------------------------------------------------------------

def _reconcile_homes(store: Store) -> int:
    """Make LIVES_AT mirror Person.address_id again, wherever it does not; returns the persons
    repaired. Each batch keeps the two in step in one transaction; this end-of-run check is for
    a store that lost part of a transaction in a crash (seen once with LadybugDB 0.22 under
    kill -9: a rerun found the persons unchanged and never rebuilt their LIVES_AT)."""
    wrong = [r["iin"] for r in store.read(
        "MATCH (p:Person)-[:LIVES_AT]->(a:Address) WITH p, count(a) AS n, min(a.id) AS id "
        "WHERE n > 1 OR p.address_id IS NULL OR id <> p.address_id RETURN p.iin AS iin")]
    missing = store.read(
        "MATCH (p:Person) WHERE p.address_id IS NOT NULL AND p.address_id <> '' "
        "AND NOT EXISTS { MATCH (p)-[:LIVES_AT]->(:Address) } RETURN p.iin AS iin")
    iins = sorted(set(wrong) | {r["iin"] for r in missing})
    orphans = "MATCH (a:Address) WHERE NOT EXISTS { MATCH (a)<-[:LIVES_AT]-(:Person) } RETURN a.id AS id"
    if not iins and not store.read(orphans):
        return 0

    def repair(tx: Tx) -> None:
        tx.delete_rels("LIVES_AT", iins)
        homes = [{"from": r["iin"], "to": r["address_id"]} for r in tx.run(
            "UNWIND $keys AS k MATCH (p:Person {iin: k}) WHERE p.address_id IS NOT NULL AND p.address_id <> '' "
            "RETURN p.iin AS iin, p.address_id AS address_id", {"keys": iins})]
        _add_homes(tx, homes)
        tx.delete_nodes("Address", [r["id"] for r in tx.run(orphans)])

    def repair_and_log(tx: Tx) -> None:
        repair(tx)
        _log_changes(tx, _Outcome(touched=set(iins)))

    store.transaction(repair_and_log)
    return len(iins)


# --- pending ----------------------------------------------------------------------------------

def _resolve_pending(store: Store, today: dt.date, summary: IngestSummary, batch_size: int) -> None:
    """Land the waiting links and facts whose persons are now in the graph; one that cannot
    land is rejected, naming its line, and waits no more (it must never block the others)."""
    rows = store.read("MATCH (q:Pending) RETURN q.key AS key, q.from_iin AS f, q.to_iin AS t, "
                      "q.record AS record, q.origin AS origin ORDER BY q.key")
    if not rows:
        return
    present = {r["iin"] for r in store.read(
        "UNWIND $keys AS k MATCH (p:Person {iin: k}) RETURN p.iin AS iin",
        {"keys": sorted({r["f"] for r in rows} | {r["t"] for r in rows if r["t"]})})}
    ready = [r for r in rows if r["f"] in present and (r["t"] is None or r["t"] in present)]
    items, refused = [], _Outcome()
    for r in ready:
        origin = f"{r['origin']} (waited for its persons)"
        try:
            items.append(_Item(origin, parse_line(r["record"], today), r["record"], r["key"]))
        except RecordError as e:  # parked by an older familycard, whose checks were weaker
            refused.rejections.append(Rejection(origin, e.field, str(e)))
    if refused.rejections:
        kept = {it.pending_key for it in items}
        gone = [r["key"] for r in ready if r["key"] not in kept]
        store.transaction(lambda tx: tx.delete_nodes("Pending", gone))
        _merge(summary, refused)
    for i in range(0, len(items), batch_size):
        # Landing a parked record is not a new read: count its result, not the record twice.
        _store_batch(store, items[i:i + batch_size], today, summary)
        store.after_batch(len(items[i:i + batch_size]))


def pending_count(store: Store) -> int:
    return store.read("MATCH (q:Pending) RETURN count(q) AS n")[0]["n"]


# --- entry points -------------------------------------------------------------------------------

def ingest_lines(store: Store, lines: Iterable[bytes], origin: str, today: dt.date,
                 batch_size: int | None = None, progress: Callable[[int], None] | None = None) -> IngestSummary:
    """Ingest feed lines (bytes, one JSON record each); return the run's summary.

    ``batch_size``: records a transaction (default: what suits the store's engine).
    """
    batch_size = batch_size or store.ingest_batch
    summary = IngestSummary()
    for batch in _batches(_parse_lines(lines, origin, today, summary), batch_size):
        _store_batch(store, batch, today, summary)
        # LadybugDB reopens its database every ~1 M records here: the memory it keeps of each
        # write otherwise grows with the feed (4.8 GB at 1 M people; bench/ladybug_memory.py).
        store.after_batch(len(batch))
        if progress:
            progress(summary.read)
    _resolve_pending(store, today, summary, batch_size)
    _reconcile_homes(store)
    summary.pending = pending_count(store)
    if summary.stored:
        store.after_load(summary.stored)
    return summary


def ingest_stream(store: Store, stream: BinaryIO, origin: str, today: dt.date,
                  batch_size: int | None = None, progress: Callable[[int], None] | None = None) -> IngestSummary:
    return ingest_lines(store, iter(stream.readline, b""), origin, today, batch_size, progress)
