"""Run leases: one run at a time of a job and its scope, one sender at a time of each SMS.

A lease is a ``Lease`` node keyed by what it guards ("sweep|2026-11-25", "pay|2026-11",
"sms send", or "sms|<message key>" for a message being handed to the gateway), with its owner
(host, pid and a random token), when it was taken and until when it holds. It is claimed in a
write transaction that first writes the node (MERGE on the key: the uniqueness constraint on
Neo4j, the primary key on LadybugDB, so two claimers meet on one node, and the second waits
for the first's transaction to end) and only then reads who holds it: of two runs started
together exactly one gets it. The holder renews it while it runs (a heartbeat thread) and
deletes it at the end. A run killed with kill -9 leaves it behind: it is taken over once it
has expired, or at once by a run on the same host that finds the holder's pid gone.

Expiry compares the claimer's clock with the holder's: hosts that share a store keep NTP time.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from familycard import dates
from familycard.graph.store.base import Store, StoreBusy, Tx

TTL_S = 60.0  # FAMILYCARD_LEASE_TTL_S; renewed every third of it


@dataclass(frozen=True)
class Owner:
    token: str     # host:pid:random, unique per run
    host: str
    pid: int
    command: str
    started_at: dt.datetime


@functools.lru_cache(maxsize=1)
def this_process() -> Owner:
    """This process as an owner (one token for its job lease and its message claims)."""
    host, pid = socket.gethostname(), os.getpid()
    argv = [os.path.basename(sys.argv[0]) if sys.argv else "python"] + sys.argv[1:]
    if argv[0] in ("__main__.py", "-m", "-c"):  # python -m familycard.cli ...
        argv[0] = "familycard"
    return Owner(f"{host}:{pid}:{secrets.token_hex(6)}", host, pid, " ".join(argv)[:500], dates.utcnow())


def alive(host: str | None, pid: int | None) -> bool:
    """False only for a process on this host that is certainly gone."""
    if host != socket.gethostname() or not pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, under another user
        return True
    return True


class LeaseHeld(StoreBusy):
    """Another run holds the lease; the message is one line naming it."""

    def __init__(self, job: str, holder: dict):
        self.job = job
        since = holder["started_at"]
        super().__init__(
            f"the {job} is already running: '{holder['command']}' since {since:%Y-%m-%d %H:%M:%S} UTC "
            f"on host {holder['host']}, pid {holder['pid']} (its lease runs to "
            f"{holder['expires_at']:%H:%M:%S} UTC unless renewed); rerun with --wait SECONDS to wait for it",
            holder=holder)


_COLUMNS = "l.key AS key, l.job AS job, l.owner AS owner, l.host AS host, l.pid AS pid, " \
           "l.command AS command, l.started_at AS started_at, l.expires_at AS expires_at"


def claim_in(tx: Tx, keys: list[str], job: str, owner: Owner, ttl: float, now: dt.datetime,
             still_wanted: Callable[[Tx, list[str]], set[str]] | None = None) -> tuple[list[str], dict[str, dict]]:
    """Claim ``keys`` for ``owner`` in ``tx``: returns (keys claimed, holder of each key held by
    another run). ``still_wanted`` (read after the claims are locked) drops keys that another
    run finished meanwhile."""
    keys = sorted(set(keys))  # the same lock order in every claimer: no deadlock between two
    if not keys:
        return [], {}
    mine = {"job": job, "owner": owner.token, "host": owner.host, "pid": owner.pid, "command": owner.command,
            "now": now, "until": now + dt.timedelta(seconds=ttl)}
    # The write first: it waits for any other claimer of these keys to commit or roll back. A
    # key nobody holds is ours at once; the same values for every key travel as scalar
    # parameters (LadybugDB took 0.7 ms a row to set them from a list of rows).
    tx.run(f"UNWIND $keys AS k MERGE (l:Lease {{key: k}}) ON CREATE SET {_SET} SET l.tried_at = $now",
           {"keys": keys, **mine})
    held, free, taken = {}, [], []
    for r in tx.run(f"UNWIND $keys AS k MATCH (l:Lease {{key: k}}) RETURN {_COLUMNS}", {"keys": keys}):
        if r["owner"] == owner.token:
            free.append(r["key"])
        elif r["expires_at"] <= now or not alive(r["host"], r["pid"]):
            free.append(r["key"])
            taken.append(r["key"])
        else:
            held[r["key"]] = r
    todo = still_wanted(tx, free) if free and still_wanted is not None else set(free)
    done = [k for k in free if k not in todo]
    if taken:
        tx.run(f"UNWIND $keys AS k MATCH (l:Lease {{key: k}}) SET {_SET}", {"keys": taken, **mine})
    if done:  # finished by another run meanwhile: nothing left to hold
        tx.run("UNWIND $keys AS k MATCH (l:Lease {key: k}) DELETE l", {"keys": done})
    return [k for k in free if k in todo], held


_SET = ", ".join(f"l.{c} = ${p}" for c, p in (("job", "job"), ("owner", "owner"), ("host", "host"), ("pid", "pid"),
                                               ("command", "command"), ("started_at", "now"), ("renewed_at", "now"),
                                               ("expires_at", "until")))


def release_in(tx: Tx, owner: Owner, keys: list[str]) -> None:
    if keys:
        tx.run("UNWIND $keys AS k MATCH (l:Lease {key: k}) WHERE l.owner = $owner DELETE l",
               {"keys": sorted(set(keys)), "owner": owner.token})


def renew(store: Store, owner: Owner, ttl: float, now: dt.datetime) -> set[str]:
    """Push back the expiry of every lease ``owner`` holds; returns their keys."""
    return {r["key"] for r in store.transaction(lambda tx: tx.run(
        "MATCH (l:Lease) WHERE l.owner = $owner SET l.renewed_at = $now, l.expires_at = $until RETURN l.key AS key",
        {"owner": owner.token, "now": now, "until": now + dt.timedelta(seconds=ttl)}))}


class Heartbeat:
    """Renews an owner's leases every third of their time to live, in a thread; ``lost`` once
    ``key`` is no longer the owner's (it stalled past expiry and another run took it over)."""

    def __init__(self, store: Store, owner: Owner, ttl: float, key: str | None = None,
                 now: Callable[[], dt.datetime] = dates.utcnow):
        self.store, self.owner, self.ttl, self.key, self.now = store, owner, ttl, key, now
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                mine = renew(self.store, self.owner, self.ttl, self.now())
            except Exception:  # the store is briefly away: try again at the next beat
                continue
            if self.key is not None and self.key not in mine:
                self.lost = True
                return

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@contextlib.contextmanager
def hold(store: Store, key: str, job: str, *, ttl: float = TTL_S, wait: float = 0.0,
         owner: Owner | None = None, now: Callable[[], dt.datetime] = dates.utcnow,
         sleep: Callable[[float], None] = time.sleep) -> Iterator[Heartbeat]:
    """Hold the lease ``key`` while the block runs: waits up to ``wait`` seconds for another
    holder to finish, then raises ``LeaseHeld``. Released at the end, however the block ends."""
    owner = owner or this_process()
    deadline = time.monotonic() + wait
    while True:
        got, held = store.transaction(lambda tx: claim_in(tx, [key], job, owner, ttl, now()))
        if got:
            break
        left = deadline - time.monotonic()
        if left <= 0:
            raise LeaseHeld(job, held[key])
        sleep(min(1.0, left))
    try:
        with Heartbeat(store, owner, ttl, key, now) as beat:
            yield beat
    except BaseException:
        # A failure to let go must not hide the job's own error: the lease then expires.
        with contextlib.suppress(Exception):
            store.transaction(lambda tx: release_in(tx, owner, [key]))
        raise
    store.transaction(lambda tx: release_in(tx, owner, [key]))


def holders(store: Store) -> list[dict]:
    """Every lease held now (for an operator: who runs what)."""
    return store.read(f"MATCH (l:Lease) WHERE l.owner IS NOT NULL RETURN {_COLUMNS} ORDER BY l.key")
