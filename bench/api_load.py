"""API load benchmark: the family-card query against uvicorn on loopback, open loop, on each engine.

    python bench/api_load.py --people 100000 --engines ladybug neo4j --rates 100 300 600 --seconds 20 --runs 3
    python bench/api_load.py --quick          # 5 000 people, 5 s a rate, 1 run: checks it all works

Population: bench/sweep.py's store for (engine, people) (built there once, by `familycard
ingest` of bench/ingest.py's generated feed), COPIED to --work/api/<engine>-<people>: the API
writes an access-log row for every person a card shows (~6 a card, ~0.5 M rows a 100 k-people
run), and the flow step below adds offers and payments; the sweep benchmark's stores stay as
ingested, and every engine's run starts from the same state. (--no-copy works in place and skips
the flow step, for 1 M people where the Neo4j copy is 14 GB: the store then only gains
access rows, which no sweep reads.) Before the server starts, on that copy, as bench/flow.py does:
the day's full sweep with its offers, `sms send`, --replies consents and the next month's
payment run (a few tens of seconds at 100 k people), so that cards show offers, their audit
history, assignments and payments. The card's IIN is drawn at random from --sample persons who
have relatives, --offer-share of them among the offers' recipients (a card opened after the SMS).

`--keep` leaves the working copy (with a FLOWED mark) and `--reuse` starts from it again,
flow step and copy skipped: for trying a change to the server without a minute of set-up.

Server: `python -m uvicorn … --factory` (this file's `app_factory`, i.e. `create_app(Settings())`),
one worker, no reload, no access log, log level warning, on 127.0.0.1 and a free port; Neo4j runs
in-process from its jars (familycard.graph.store.neo4j_local, heap/page cache --neo4j-heap/--neo4j-pagecache)
as in bench/flow.py. `--server cli` runs `familycard serve` instead (uvicorn's access log on).
The load generator runs in this process and shares the machine's cores with the server (and
the JVM): its own CPU is measured and reported.

Before the first rate, --server-warmup s of card requests from 4 closed-loop callers, not
counted: Neo4j's JIT compiles its hot paths over thousands of queries, and a rate that starts
on a cold JVM piles up a backlog it never works off.

Load: open loop at a fixed arrival rate: request i is started at t0 + i/rate whether or not
earlier ones finished, and its latency is measured from that scheduled moment (a client or a
connection pool that falls behind shows as latency, not as a lower rate: no coordinated
omission). Each rate runs --warmup s (not counted) then --seconds s, at most --max-requests
counted requests. An error: HTTP status != 200, `errors` in the JSON, `data` (or the card)
null, or no answer within --timeout s of the scheduled start (then counted at its time so far).
Percentiles are over all counted requests. Per rate: target and achieved rate (answers per
second over the counted window), p50/p90/p99/max, errors by kind, the CPU seconds a request
of this process (the generator), of uvicorn and of the JVM. At the lowest rate also two light
queries as floors: `{ __typename }` (the HTTP + GraphQL stack alone) and `{ benefits { code } }`.
--runs repetitions (each runs every rate once, in order), the table gives medians of the
per-run figures. A self-test first drives a canned-answer asyncio server (another process) at
each rate with this generator (raw asyncio streams; and httpx.AsyncClient, for comparison): the
apparatus' own latency and CPU per request.

If the card's p99 at --target-rate misses --target-ms (or with --profile), one card request is
profiled in-process (cProfile through httpx.ASGITransport, any worker-thread call run inline
so that the profile sees it) and the store calls are timed apart: the top costs go to
the JSON and the console.

Results: bench/results/api-<timestamp>.json (written after every rate); a Markdown table.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CARD_QUERY = """query Card($iin: String!) { familyCard(iin: $iin) {
  person { id iin surname givenName patronymic birthDate sex alive addressId phone bankAccount
           facts(first: 10) { totalCount edges { node { type validFrom validTo month amountKzt source recordedAt } } } }
  relations { relation since until source citizen { id iin surname givenName birthDate sex alive } }
  household { id givenName birthDate }
  dependants { id givenName birthDate }
  offers(first: 10) { totalCount edges { node { id status amountKzt benefit { code title { ru } }
                                               history { kind at } } } }
  assignments { status amountKzt }
  payments(first: 12) { totalCount edges { node { month amountKzt bankAccount status } } } } }"""
TYPENAME_QUERY = "{ __typename }"
BENEFITS_QUERY = "{ benefits { code } }"

API_KEY = "bench-api-load-key-0123456789abcdef"
ID_SECRET = "bench-api-load-id-secret"
LINKS = "PARENT_OF|SPOUSE_OF|GUARDIAN_OF"


def app_factory():
    """uvicorn's --factory target: the app as `familycard serve` builds it (settings from env)."""
    sys.path.insert(0, str(ROOT / "src"))
    from familycard.api.app import create_app
    from familycard.settings import Settings

    return create_app(Settings())


try:
    import orjson

    _loads = orjson.loads
except ImportError:  # pragma: no cover
    _loads = json.loads


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest rank."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(q / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu(pid: int | None) -> float:
    """User + system CPU seconds of a process (0 when there is none)."""
    if not pid:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


# ------------------------------------------------------------------------------------ clients


class StaleConnection(Exception):
    """A kept-alive connection the server had closed: nothing of the answer came back."""


class RawPool:
    """HTTP/1.1 keep-alive connections over asyncio streams, one request at a time each (no
    pipelining), at most ``size``; a request that finds none free waits (and that wait is part
    of its latency)."""

    def __init__(self, host: str, port: int, size: int):
        self.host, self.port, self.size = host, port, size
        self.idle: list = []
        self.open = 0
        self.opened = 0
        self.waiters: deque = deque()

    async def _connect(self):
        try:
            r, w = await asyncio.open_connection(self.host, self.port)
        except BaseException:
            self._gone()
            raise
        self.opened += 1
        return r, w

    async def acquire(self):
        if self.idle:
            return self.idle.pop(), True  # LIFO: the warmest connection
        if self.open < self.size:
            self.open += 1
            return await self._connect(), False
        fut = asyncio.get_running_loop().create_future()
        self.waiters.append(fut)
        try:
            conn = await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():  # handed over just as we were cancelled
                c = fut.result()
                if c is None:
                    self._gone()
                else:
                    self.release(c)
            raise
        if conn is None:  # a slot freed by a closed connection: open our own
            return await self._connect(), False
        return conn, True

    def release(self, conn) -> None:
        while self.waiters:
            w = self.waiters.popleft()
            if not w.done():
                w.set_result(conn)
                return
        self.idle.append(conn)

    def discard(self, conn) -> None:
        conn[1].close()
        self._gone()

    def _gone(self) -> None:
        while self.waiters:
            w = self.waiters.popleft()
            if not w.done():
                w.set_result(None)  # the slot passes to the waiter
                return
        self.open -= 1

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        for attempt in (0, 1):
            conn, reused = await self.acquire()
            try:
                status, body, close = await self._exchange(conn, raw, reused)
            except StaleConnection as e:
                self.discard(conn)
                if attempt == 0:
                    continue
                raise ConnectionError("the server closed the connection without answering") from e
            except BaseException:
                self.discard(conn)  # cancelled (timeout) or broken: the stream's state is unknown
                raise
            if close:
                self.discard(conn)
            else:
                self.release(conn)
            return status, body
        raise AssertionError("unreachable")

    @staticmethod
    async def _exchange(conn, raw: bytes, reused: bool) -> tuple[int, bytes, bool]:
        reader, writer = conn
        writer.write(raw)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as e:
            if reused and (not isinstance(e, asyncio.IncompleteReadError) or not e.partial):
                raise StaleConnection() from None
            raise
        status = int(head[9:12])
        length, chunked, close = None, False, False
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            k = k.strip().lower()
            if k == b"content-length":
                length = int(v)
            elif k == b"transfer-encoding":
                chunked = b"chunked" in v.lower()
            elif k == b"connection":
                close = b"close" in v.lower()
        if chunked:
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(parts)
        elif length is not None:
            body = await reader.readexactly(length)
        else:
            body, close = await reader.read(), True
        return status, body, close

    async def close(self) -> None:
        for _, w in self.idle:
            w.close()
        self.idle.clear()


class HttpxPool:
    """The same through httpx.AsyncClient (for the generator-overhead comparison)."""

    def __init__(self, host: str, port: int, size: int):
        import httpx

        self.base = f"http://{host}:{port}"
        self.client = httpx.AsyncClient(base_url=self.base, timeout=None, limits=httpx.Limits(
            max_connections=size, max_keepalive_connections=size, keepalive_expiry=30))
        self.opened = None

    async def request(self, req: tuple[bytes, dict]) -> tuple[int, bytes]:
        body, headers = req
        r = await self.client.post("/graphql", content=body, headers=headers)
        return r.status_code, r.content

    async def close(self) -> None:
        await self.client.aclose()


def raw_request(host: str, port: int, body: bytes) -> bytes:
    return (f"POST /graphql HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {API_KEY}\r\n"
            f"Content-Type: application/json\r\nAccept: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def build_requests(client: str, host: str, port: int, bodies: list[bytes]) -> list:
    if client == "raw":
        return [raw_request(host, port, b) for b in bodies]
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json",
               "Accept": "application/json"}
    return [(b, headers) for b in bodies]


def classify(status: int, body: bytes, field: str | None, seen: Counter | None) -> str | None:
    """None for a good answer, else the error's kind."""
    if status != 200:
        return f"http_{status}"
    if field is None:  # the self-test's canned answer
        return None
    try:
        doc = _loads(body)
    except ValueError:
        return "bad_json"
    if doc.get("errors"):
        return "graphql_errors"
    data = doc.get("data")
    if data is None:
        return "data_null"
    value = data.get(field)
    if value is None:
        return "field_null"
    if seen is not None and field == "familyCard":  # what the cards showed
        seen["cards"] += 1
        seen["relations"] += bool(value.get("relations"))
        seen["household"] += bool(value.get("household"))
        seen["dependants"] += bool(value.get("dependants"))
        seen["assignments"] += bool(value.get("assignments"))
        for k in ("offers", "payments"):
            seen[k] += bool(value[k]["totalCount"])
        seen["facts"] += bool(value["person"]["facts"]["totalCount"])
        seen["offer_history"] += any(e["node"]["history"] for e in value["offers"]["edges"])
    return None


# ---------------------------------------------------------------------------------- the load


async def open_loop(pool, requests: list, rate: float, warmup: float, seconds: float, max_requests: int,
                    timeout: float, field: str | None, pids: dict[str, int | None],
                    arrivals: str = "uniform", seed: int = 1) -> dict:
    """Start requests on a fixed schedule; latency from the scheduled start."""
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    n_warm = int(round(rate * warmup))
    n_meas = min(int(round(rate * seconds)), max_requests)
    n = n_warm + n_meas
    if arrivals == "poisson":
        offsets, t = [], 0.0
        for _ in range(n):
            offsets.append(t)
            t += rng.expovariate(rate)
    else:
        offsets = [i / rate for i in range(n)]
    picks = [rng.randrange(len(requests)) for _ in range(n)]
    lat = [0.0] * n
    lag = [0.0] * n
    kind: list[str | None] = [None] * n
    done_at = [0.0] * n
    seen: Counter = Counter()
    errors_sample: dict[str, str] = {}
    cpu: dict = {}

    async def one(i: int, t_sched: float) -> None:
        lag[i] = loop.time() - t_sched
        try:
            status, body = await asyncio.wait_for(pool.request(requests[picks[i]]),
                                                  timeout=max(1e-3, t_sched + timeout - loop.time()))
        except TimeoutError:
            k = "timeout"
        except Exception as e:  # noqa: BLE001 - connection refused/reset...: an error of its kind
            k = f"conn_{type(e).__name__}"
            errors_sample.setdefault(k, repr(e)[:300])
        else:
            k = classify(status, body, field, seen if i >= n_warm else None)
            if k is not None and k not in errors_sample:
                errors_sample[k] = body[:500].decode("utf-8", "replace")
        t = loop.time()
        done_at[i] = t
        lat[i] = t - t_sched
        kind[i] = k

    def snapshot() -> dict:
        return {"wall": time.monotonic(), "client": time.process_time(),
                **{name: proc_cpu(pid) for name, pid in pids.items()}}

    tasks = []
    t0 = loop.time() + 0.05
    for i in range(n):
        t_sched = t0 + offsets[i]
        delay = t_sched - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if i == n_warm:
            cpu["start"] = snapshot()
        tasks.append(asyncio.ensure_future(one(i, t_sched)))
    await asyncio.gather(*tasks)
    cpu["end"] = snapshot()

    meas = range(n_warm, n)
    lats = sorted(lat[i] * 1000 for i in meas)
    kinds = Counter(kind[i] for i in meas if kind[i] is not None)
    ok = sum(1 for i in meas if kind[i] is None)
    window = max(done_at[i] for i in meas) - (t0 + offsets[n_warm])
    lags = sorted(lag[i] * 1000 for i in meas)
    wall = cpu["end"]["wall"] - cpu["start"]["wall"]
    cpu_per_req = {name: round((cpu["end"][name] - cpu["start"][name]) / n_meas * 1000, 3)
                   for name in ["client", *pids]}
    return {
        "target_rate": rate, "count": n_meas, "ok": ok,
        "achieved_rate": round(ok / window, 1) if window > 0 else None,
        "sent_rate": round(n_meas / (offsets[n - 1] - offsets[n_warm] + lags[-1] / 1000), 1) if n_meas > 1 else None,
        "errors": sum(kinds.values()), "errors_by_kind": dict(kinds), "error_samples": errors_sample,
        "p50_ms": round(percentile(lats, 50), 2), "p90_ms": round(percentile(lats, 90), 2),
        "p99_ms": round(percentile(lats, 99), 2), "max_ms": round(lats[-1], 2),
        "start_lag_p50_ms": round(percentile(lags, 50), 2), "start_lag_p99_ms": round(percentile(lags, 99), 2),
        "cpu_ms_per_request": cpu_per_req,
        "cpu_cores_busy": {name: round((cpu["end"][name] - cpu["start"][name]) / wall, 2)
                           for name in ["client", *pids]} if wall > 0 else None,
        "connections_opened": getattr(pool, "opened", None),
        "cards_showing": dict(seen) if seen else None,
    }


async def closed_loop(pool, requests: list, concurrency: int, seconds: float, warmup: float, timeout: float,
                      field: str | None, pids: dict[str, int | None], seed: int = 1) -> dict:
    """`concurrency` callers, each sending its next request as soon as the last one answered:
    with 1, the service time of one request alone; with more, the most the server answers a second."""
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    lats: list[float] = []
    kinds: Counter = Counter()
    t_meas = loop.time() + warmup
    t_end = t_meas + seconds
    cpu: dict = {}

    async def caller() -> None:
        while loop.time() < t_end:
            t = loop.time()
            try:
                status, body = await asyncio.wait_for(pool.request(requests[rng.randrange(len(requests))]), timeout)
                k = classify(status, body, field, None)
            except TimeoutError:
                k = "timeout"
            except Exception as e:  # noqa: BLE001
                k = f"conn_{type(e).__name__}"
            if t >= t_meas:
                lats.append((loop.time() - t) * 1000)
                if k:
                    kinds[k] += 1

    async def mark() -> None:
        await asyncio.sleep(max(0.0, t_meas - loop.time()))
        cpu["start"] = {"wall": time.monotonic(), "client": time.process_time(),
                        **{n: proc_cpu(p) for n, p in pids.items()}}

    await asyncio.gather(mark(), *(caller() for _ in range(concurrency)))
    cpu["end"] = {"wall": time.monotonic(), "client": time.process_time(), **{n: proc_cpu(p) for n, p in pids.items()}}
    lats.sort()
    wall = cpu["end"]["wall"] - cpu["start"]["wall"]
    return {"concurrency": concurrency, "count": len(lats), "throughput": round(len(lats) / wall, 1),
            "errors": sum(kinds.values()), "errors_by_kind": dict(kinds),
            "p50_ms": round(percentile(lats, 50), 2), "p99_ms": round(percentile(lats, 99), 2),
            "max_ms": round(lats[-1], 2),
            "cpu_ms_per_request": {n: round((cpu["end"][n] - cpu["start"][n]) / max(1, len(lats)) * 1000, 3)
                                   for n in ["client", *pids]},
            "cpu_cores_busy": {n: round((cpu["end"][n] - cpu["start"][n]) / wall, 2) for n in ["client", *pids]}}


async def run_closed(client: str, host: str, port: int, bodies: list[bytes], **kw) -> dict:
    pool = (RawPool if client == "raw" else HttpxPool)(host, port, kw["concurrency"])
    try:
        return await closed_loop(pool, build_requests(client, host, port, bodies), **kw)
    finally:
        await pool.close()


async def run_rate(client: str, host: str, port: int, bodies: list[bytes], connections: int, **kw) -> dict:
    pool = (RawPool if client == "raw" else HttpxPool)(host, port, connections)
    try:
        return await open_loop(pool, build_requests(client, host, port, bodies), **kw)
    finally:
        await pool.close()


async def quiet(host: str, port: int, limit_s: float = 60) -> float:
    """Wait until the server answers /health quickly again (a saturated rate leaves a backlog
    the server still works through after the client gave up); the seconds it took."""
    t = time.monotonic()
    await asyncio.sleep(1.0)
    while time.monotonic() - t < limit_s:
        s = time.monotonic()
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
            w.write(f"GET /health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            data = await asyncio.wait_for(r.read(), 5)
            w.close()
            if data.startswith(b"HTTP/1.1 200") and time.monotonic() - s < 0.05:
                break
        except (TimeoutError, OSError):
            pass
        await asyncio.sleep(0.5)
    return time.monotonic() - t


# ------------------------------------------------------------------- the canned-answer server


def echo_server(port: int) -> None:
    """A minimal HTTP/1.1 server with one canned JSON answer (the self-test's far end)."""
    body = b'{"data":{"__typename":"Query"}}'
    answer = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
              + str(len(body)).encode() + b"\r\n\r\n" + body)

    class Echo(asyncio.Protocol):
        def connection_made(self, transport):
            self.t, self.buf = transport, b""

        def data_received(self, data):
            self.buf += data
            while True:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = self.buf[:end].lower()
                i = head.find(b"content-length:")
                length = int(head[i + 15:].split(b"\r\n", 1)[0]) if i >= 0 else 0
                if len(self.buf) < end + 4 + length:
                    return
                self.buf = self.buf[end + 4 + length:]
                self.t.write(answer)

    async def main():
        server = await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", port, backlog=2048)
        print("READY", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def self_test(args) -> list[dict]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--echo-server", str(port)], stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"READY"
        out = []
        body = json.dumps({"query": TYPENAME_QUERY}).encode()
        for client in args.selftest_clients:
            for rate in args.rates:
                r = asyncio.run(run_rate(client, "127.0.0.1", port, [body], args.connections, rate=rate,
                                         warmup=1.0, seconds=args.selftest_seconds, max_requests=args.max_requests,
                                         timeout=args.timeout, field=None, pids={"server": proc.pid}))
                r["client"] = client
                out.append(r)
                print(f"  self-test {client:5} {rate:>5} req/s: achieved {r['achieved_rate']}, p50 {r['p50_ms']} ms, "
                      f"p99 {r['p99_ms']} ms, max {r['max_ms']} ms, start lag p99 {r['start_lag_p99_ms']} ms, "
                      f"generator CPU {r['cpu_ms_per_request']['client']} ms/request, errors {r['errors']}",
                      flush=True)
        return out
    finally:
        proc.terminate()
        proc.wait(10)


# ------------------------------------------------------------------------- store and server


def prepare_flow(store, work: Path, replies: int) -> dict:
    """The day's sweep and offers, SMS, consents, next month's payments: as bench/flow.py."""
    from familycard.graph.flow.inbox import receive
    from familycard.graph.flow.outbox import send_outbox
    from familycard.graph.flow.payments import pay_month
    from familycard.graph.sms.gateways import FileGateway
    from familycard.graph.sweep import daily_sweep
    from ingest import AS_OF

    clock = [dt.datetime(2026, 11, 25, 3, 0)]
    now = lambda: clock[0]  # noqa: E731
    res: dict = {}
    t = time.monotonic()
    full = daily_sweep(store, AS_OF, now=now)
    res["offers"] = full.offers.line()
    with FileGateway(work / "sms.jsonl") as gw:
        res["sms"] = send_outbox(store, gw, now=now).line()
    phones = [r["p"] for r in store.read(
        "MATCH (o:Offer) WHERE o.status = 'open' AND o.sent_at IS NOT NULL AND o.amount_kzt IS NOT NULL "
        "RETURN DISTINCT o.phone AS p ORDER BY p LIMIT $n", {"n": replies})]
    clock[0] = dt.datetime(2026, 11, 25, 6, 0)
    orders = sum(receive(store, p, "все иә", at=clock[0] + dt.timedelta(seconds=i)).orders
                 for i, p in enumerate(phones))
    res["replies"] = f"{len(phones)} replies, {orders} orders"
    clock[0] = dt.datetime(2026, 12, 1, 4, 0)
    res["pay"] = pay_month(store, "2026-12", work / "payments", now=now).line()
    res["seconds"] = round(time.monotonic() - t, 1)
    return res


def pick_sample(store, size: int, offer_share: float, seed: int) -> tuple[list[str], dict]:
    """IINs of living persons with at least one kinship link; a share of them offer recipients."""
    kin = [r["iin"] for r in store.read(
        f"MATCH (p:Person)-[:{LINKS}]-(:Person) WHERE p.death_date IS NULL RETURN DISTINCT p.iin AS iin")]
    kin.sort()
    offered = sorted(set(kin) & {r["iin"] for r in store.read("MATCH (o:Offer) RETURN DISTINCT o.iin AS iin")})
    rng = random.Random(seed)
    n_off = min(len(offered), int(round(size * offer_share)))
    chosen = set(rng.sample(offered, n_off))
    rest = [k for k in kin if k not in chosen]
    chosen.update(rng.sample(rest, min(len(rest), size - n_off)))
    return sorted(chosen), {"with_relatives": len(kin), "offer_recipients_with_relatives": len(offered),
                            "sample": len(chosen), "from_offer_recipients": n_off}


def wait_for_health(proc: subprocess.Popen, port: int, log: Path, timeout: float, every: float = 0.2) -> None:
    """Until the server on ``port`` answers /health with 200; its log's tail if it exits first."""
    import urllib.request

    t = time.monotonic()
    while time.monotonic() - t < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"the API server exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(every)
    raise SystemExit(f"the API server did not answer /health within {timeout:.0f} s")


class ApiServer:
    def __init__(self, engine: str, data_dir: Path, neo4j_uri: str | None, mode: str, log: Path):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYCARD_")}
        env.update(FAMILYCARD_STORE="neo4j" if engine == "neo4j" else "embedded",
                   FAMILYCARD_DATA_DIR=str(data_dir),
                   FAMILYCARD_API_KEYS=json.dumps({"bench": {"role": "frontend", "key": API_KEY}}),
                   FAMILYCARD_ID_SECRET=ID_SECRET,
                   PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        if neo4j_uri:
            env["FAMILYCARD_NEO4J_URI"] = neo4j_uri
        if mode == "cli":
            cmd = [sys.executable, "-m", "familycard.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        else:
            cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"), "api_load:app_factory",
                   "--factory", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
                   "--no-access-log", "--log-level", "warning", "--timeout-keep-alive", "30", "--backlog", "2048"]
        self.cmd = cmd
        self.log = open(log, "wb")
        # cwd: a folder without a .env, so that only the variables above configure it
        self.proc = subprocess.Popen(cmd, env=env, cwd=str(data_dir), stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.log_path = log

    def wait_ready(self, timeout: float = 120) -> None:
        wait_for_health(self.proc, self.port, self.log_path, timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def post_once(port: int, query: str, variables: dict | None = None) -> dict:
    import urllib.request

    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql",
                                 data=json.dumps({"query": query, "variables": variables or {}}).encode(),
                                 headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


# ---------------------------------------------------------------------------------- profile


def profile_card(engine: str, data_dir: Path, neo4j_uri: str | None, sample: list[str], n: int) -> dict:
    """One card request at a time through the app in-process: cProfile's top costs, and the
    store calls' share (the API's async store calls, timed). Any worker-thread hop runs inline
    (cProfile sees one thread)."""
    import cProfile
    import io
    import pstats

    import anyio.to_thread
    import httpx

    from familycard.api.app import create_app
    from familycard.graph.store import open_store
    from familycard.settings import Settings

    settings = Settings(_env_file=None, store="neo4j" if engine == "neo4j" else "embedded", data_dir=data_dir,
                        neo4j_uri=neo4j_uri or "bolt://127.0.0.1:7687",
                        api_keys={"bench": {"role": "frontend", "key": API_KEY}}, id_secret=ID_SECRET)
    store = open_store(settings)
    calls: list[tuple[str, float, float]] = []

    def timed(name, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                calls.append((name, t, time.perf_counter()))
        return wrapper

    def busy(intervals) -> float:
        """Seconds covered by the intervals (calls overlap: the loaders run side by side)."""
        total, end = 0.0, float("-inf")
        for _, a, b in sorted(intervals, key=lambda c: c[1]):
            if b > end:
                total += b - max(a, end)
                end = b
        return total

    def atimed(name, fn):
        async def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return await fn(*a, **kw)
            finally:
                calls.append((name, t, time.perf_counter()))
        return wrapper

    # The API reads through the async methods and writes the access log with awrite (the
    # sync read/read_keyed are called inside them: timing those too would count twice).
    for name in ("aread", "aread_keyed", "awrite"):
        setattr(store, name, atimed(name, getattr(store, name)))
    store.transaction = timed("transaction", store.transaction)

    async def inline(func, *args, **kwargs):
        return func(*args)

    real_run_sync = anyio.to_thread.run_sync
    app = create_app(settings, store=store)
    rng = random.Random(7)
    headers = {"Authorization": f"Bearer {API_KEY}"}

    async def drive(count: int, profiler=None) -> list[float]:
        times = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            for _ in range(count):
                body = {"query": CARD_QUERY, "variables": {"iin": rng.choice(sample)}}
                t = time.perf_counter()
                if profiler:
                    profiler.enable()
                r = await c.post("/graphql", json=body, headers=headers)
                if profiler:
                    profiler.disable()
                times.append(time.perf_counter() - t)
                doc = r.json()
                assert r.status_code == 200 and not doc.get("errors"), doc
        return times

    try:
        asyncio.run(drive(50))  # warm
        # 1. real thread hops, no profiler: the in-process time a request and the store's share
        calls.clear()
        wall = asyncio.run(drive(n))
        store_s = busy(calls)
        by_kind = Counter(name for name, _, _ in calls)
        plain = {"requests": n, "ms_per_request_p50": round(statistics.median(wall) * 1000, 2),
                 "ms_per_request_mean": round(statistics.fmean(wall) * 1000, 2),
                 "store_calls_per_request": {k: round(v / n, 2) for k, v in by_kind.items()},
                 "store_ms_per_request": round(store_s / n * 1000, 2),
                 "store_share": round(store_s / sum(wall), 3),
                 "store_calls_ms_sum_per_request": round(sum(b - a for _, a, b in calls) / n * 1000, 2)}
        # 2. cProfile, hops inline
        anyio.to_thread.run_sync = inline
        prof = cProfile.Profile()
        asyncio.run(drive(n, prof))
    finally:
        anyio.to_thread.run_sync = real_run_sync
        store.close()
    out = {}
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(30)
        out[key] = buf.getvalue()
    plain["profile"] = out
    return plain


# -------------------------------------------------------------------------------------- main


def run_engine(engine: str, args, results: dict, save) -> None:
    from flow import _copy, _open
    from ingest import feed_for
    from sweep import prepare

    feed, records = feed_for(args.people, args.seed, args.work)
    base = prepare(engine, args.people, feed, args.work, args.neo4j_heap, args.neo4j_pagecache)
    if args.copy:
        data_dir = args.work / "api" / f"{engine}-{args.people}"
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        if not (args.reuse and (data_dir / "FLOWED").exists()):
            _copy(base, data_dir)
    else:
        data_dir = base
    eng: dict = {"engine": engine, "people": args.people, "records": records, "store": str(data_dir),
                 "copied": args.copy, "runs": [], "floors": []}
    results["engines"].append(eng)
    eng["loadavg_before"] = os.getloadavg()
    t = time.monotonic()
    store, neo = _open(engine, data_dir, args.neo4j_heap, args.neo4j_pagecache)
    api = None
    try:
        try:
            if (data_dir / "FLOWED").exists():
                eng["flow"] = json.loads((data_dir / "FLOWED").read_text())
                print(f"  {engine}: reusing {data_dir} (its flow: {eng['flow']})", flush=True)
            elif args.copy and args.replies >= 0:
                eng["flow"] = prepare_flow(store, data_dir, args.replies)
                (data_dir / "FLOWED").write_text(json.dumps(eng["flow"]))
                print(f"  {engine}: flow before the load: {eng['flow']}", flush=True)
            sample, eng["sample"] = pick_sample(store, args.sample, args.offer_share, args.seed)
            print(f"  {engine}: sample {eng['sample']}", flush=True)
        finally:
            store.close()  # LadybugDB: one process at a time; the server opens its own
        eng["setup_seconds"] = round(time.monotonic() - t, 1)
        api = ApiServer(engine, data_dir, neo.uri if neo else None, args.server,
                        data_dir.parent / f"uvicorn-{engine}-{args.people}.log")
        api.wait_ready()
        eng["server_command"] = " ".join(api.cmd)
        pids = {"server": api.proc.pid, **({"jvm": neo.pid} if neo else {})}
        doc = post_once(api.port, CARD_QUERY, {"iin": sample[0]})
        if doc.get("errors") or not (doc.get("data") or {}).get("familyCard"):
            raise SystemExit(f"the card query failed: {json.dumps(doc)[:2000]}")
        eng["example_response_bytes"] = len(json.dumps(doc))
        card_bodies = [json.dumps({"query": CARD_QUERY, "variables": {"iin": k}, "operationName": "Card"}).encode()
                       for k in sample]
        floors = {"typename": ([json.dumps({"query": TYPENAME_QUERY}).encode()], "__typename"),
                  "benefits": ([json.dumps({"query": BENEFITS_QUERY}).encode()], "benefits")}
        kw = dict(warmup=args.warmup, seconds=args.seconds, max_requests=args.max_requests, timeout=args.timeout,
                  pids=pids, arrivals=args.arrivals)
        if args.server_warmup > 0:
            # A served system is warm: Neo4j's JIT takes thousands of queries to compile its hot
            # paths (a cold JVM spent 9 ms of CPU a card, a warm one 3), and a rate that starts
            # cold piles up a backlog it never works off. Not counted.
            w = asyncio.run(run_closed(args.client, "127.0.0.1", api.port, card_bodies, concurrency=4,
                                       seconds=args.server_warmup, warmup=0, timeout=args.timeout,
                                       field="familyCard", pids=pids))
            eng["server_warmup"] = {k: w[k] for k in ("count", "throughput", "errors", "p50_ms", "p99_ms")}
            print(f"  {engine}: warmed the server with {w['count']} card requests ({w['throughput']} req/s)",
                  flush=True)
            asyncio.run(quiet("127.0.0.1", api.port))

        def measure(bodies, field, rate, seed):
            r = asyncio.run(run_rate(args.client, "127.0.0.1", api.port, bodies, args.connections, rate=rate,
                                     field=field, seed=seed, **kw))
            r["settle_s"] = round(asyncio.run(quiet("127.0.0.1", api.port)), 1)
            return r

        for run in range(args.runs):
            for rate in args.rates:
                r = measure(card_bodies, "familyCard", rate, seed=1000 * run + rate)
                r["run"] = run + 1
                eng["runs"].append(r)
                save()
                print(f"  {engine:8} run {run + 1} card {rate:>5} req/s: achieved {r['achieved_rate']}, "
                      f"p50 {r['p50_ms']} p90 {r['p90_ms']} p99 {r['p99_ms']} max {r['max_ms']} ms, "
                      f"errors {r['errors']} {r['errors_by_kind'] or ''}, start lag p99 {r['start_lag_p99_ms']} ms, "
                      f"CPU ms/req {r['cpu_ms_per_request']}, cores busy {r['cpu_cores_busy']}", flush=True)
            low = min(args.rates)
            for name, (bodies, field) in floors.items():
                r = measure(bodies, field, low, seed=1000 * run + 1)
                r.update(run=run + 1, query=name)
                eng["floors"].append(r)
                save()
                print(f"  {engine:8} run {run + 1} {name:8} {low:>5} req/s: p50 {r['p50_ms']} p99 {r['p99_ms']} "
                      f"max {r['max_ms']} ms, errors {r['errors']}, CPU ms/req {r['cpu_ms_per_request']}", flush=True)
        for c in args.capacity:
            r = asyncio.run(run_closed(args.client, "127.0.0.1", api.port, card_bodies, concurrency=c,
                                       seconds=args.seconds, warmup=args.warmup, timeout=args.timeout,
                                       field="familyCard", pids=pids))
            r["settle_s"] = round(asyncio.run(quiet("127.0.0.1", api.port)), 1)
            eng.setdefault("capacity", []).append(r)
            save()
            print(f"  {engine:8} closed loop, {c} caller(s): {r['throughput']} req/s, p50 {r['p50_ms']} "
                  f"p99 {r['p99_ms']} max {r['max_ms']} ms, errors {r['errors']} {r['errors_by_kind'] or ''}, "
                  f"CPU ms/req {r['cpu_ms_per_request']}, cores busy {r['cpu_cores_busy']}", flush=True)
        eng["loadavg_after"] = os.getloadavg()
        api.stop()
        api = None
        eng["access_rows_after"] = count_access(engine, data_dir, neo.uri if neo else None)
        target = [r["p99_ms"] for r in eng["runs"] if r["target_rate"] == args.target_rate]
        if args.profile or (target and statistics.median(target) >= args.target_ms):
            print(f"  {engine}: profiling one card request in-process ({args.profile_requests} requests) ...",
                  flush=True)
            eng["profile"] = profile_card(engine, data_dir, neo.uri if neo else None, sample, args.profile_requests)
            p = eng["profile"]
            print(f"  {engine}: in-process {p['ms_per_request_p50']} ms/request (p50), store "
                  f"{p['store_ms_per_request']} ms/request ({p['store_share']:.0%}), "
                  f"calls {p['store_calls_per_request']}")
            print(p["profile"]["tottime"][:6000])
            save()
    finally:
        if api:
            api.stop()
        if neo:
            neo.stop()
    if args.copy and not (args.keep or args.reuse):
        shutil.rmtree(data_dir, ignore_errors=True)


def count_access(engine: str, data_dir: Path, neo4j_uri: str | None) -> int:
    """Access-log rows the store holds after the load (the server stopped)."""
    if engine == "neo4j":
        from familycard.graph.store.neo4j import Neo4jStore

        store = Neo4jStore(neo4j_uri)
    else:
        from familycard.graph.store.ladybug import LadybugStore

        store = LadybugStore(data_dir)
    try:
        return store.read("MATCH (a:Access) RETURN count(a) AS n")[0]["n"]
    finally:
        store.close()


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def table(results: dict, args) -> str:
    lines = ["| engine | rate (req/s) | achieved (req/s) | p50 ms | p90 ms | p99 ms | max ms | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for eng in results["engines"]:
        for rate in args.rates:
            rs = [r for r in eng["runs"] if r["target_rate"] == rate]
            if not rs:
                continue
            errs = sum(r["errors"] for r in rs)
            kinds = Counter()
            for r in rs:
                kinds.update(r["errors_by_kind"])
            lines.append(f"| {eng['engine']} | {rate} | {med(r['achieved_rate'] for r in rs):.0f} | "
                         f"{med(r['p50_ms'] for r in rs):.1f} | {med(r['p90_ms'] for r in rs):.1f} | "
                         f"{med(r['p99_ms'] for r in rs):.1f} | {max(r['max_ms'] for r in rs):.0f} | "
                         f"{errs} / {sum(r['count'] for r in rs)}"
                         + (f" ({', '.join(f'{k} {v}' for k, v in kinds.items())})" if kinds else "") + " |")
        for name in ("typename", "benefits"):
            rs = [r for r in eng["floors"] if r["query"] == name]
            if rs:
                q = TYPENAME_QUERY if name == "typename" else BENEFITS_QUERY
                lines.append(f"| {eng['engine']} `{q}` | {rs[0]['target_rate']:.0f} | "
                             f"{med(r['achieved_rate'] for r in rs):.0f} | {med(r['p50_ms'] for r in rs):.1f} | "
                             f"{med(r['p90_ms'] for r in rs):.1f} | {med(r['p99_ms'] for r in rs):.1f} | "
                             f"{max(r['max_ms'] for r in rs):.0f} | {sum(r['errors'] for r in rs)} / "
                             f"{sum(r['count'] for r in rs)} |")
    return "\n".join(lines)


def cpu_table(results: dict, args) -> str:
    lines = ["| engine | rate | CPU ms/request: generator | uvicorn | JVM | cores busy (gen + uvicorn + JVM) |",
             "|---|---:|---:|---:|---:|---:|"]
    for eng in results["engines"]:
        for rate in args.rates:
            rs = [r for r in eng["runs"] if r["target_rate"] == rate]
            if not rs:
                continue
            c = {k: med(r["cpu_ms_per_request"].get(k) for r in rs) for k in ("client", "server", "jvm")}
            busy = {k: med((r["cpu_cores_busy"] or {}).get(k) for r in rs) for k in ("client", "server", "jvm")}
            jvm = "" if c["jvm"] is None else f"{c['jvm']:.2f}"
            lines.append(f"| {eng['engine']} | {rate} | {c['client']:.2f} | {c['server']:.2f} | {jvm} | "
                         f"{busy['client'] or 0:.2f} + {busy['server'] or 0:.2f} + {busy['jvm'] or 0:.2f} |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--echo-server":
        echo_server(int(sys.argv[2]))
        return
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    from ingest import bench_args, machine

    ap = bench_args(neo4j_memory="4g")
    ap.description = __doc__.split("\n\n")[0]
    ap.set_defaults(people=[100_000])
    ap.add_argument("--rates", type=float, nargs="+", default=[100, 300, 600])
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--warmup", type=float, default=3, help="seconds at each rate before it is counted")
    ap.add_argument("--server-warmup", type=float, default=30,
                    help="seconds of card requests (4 callers, closed loop) once before the first rate")
    ap.add_argument("--max-requests", type=int, default=20_000, help="counted requests a rate, at most")
    ap.add_argument("--timeout", type=float, default=2.0, help="client timeout, from the scheduled start (s)")
    ap.add_argument("--connections", type=int, default=256, help="keep-alive connections, at most")
    ap.add_argument("--client", choices=("raw", "httpx"), default="raw")
    ap.add_argument("--capacity", type=int, nargs="*", default=[1, 8],
                    help="closed-loop callers for the capacity probe after the open-loop runs (none: skip)")
    ap.add_argument("--arrivals", choices=("uniform", "poisson"), default="uniform")
    ap.add_argument("--server", choices=("uvicorn", "cli"), default="uvicorn",
                    help="uvicorn: `python -m uvicorn --factory`, no access log; cli: `familycard serve`")
    ap.add_argument("--sample", type=int, default=2000, help="persons with relatives whose cards are asked for")
    ap.add_argument("--offer-share", type=float, default=0.25, help="share of the sample among offer recipients")
    ap.add_argument("--replies", type=int, default=200, help="consents in the flow step (-1: no flow step)")
    ap.add_argument("--no-copy", dest="copy", action="store_false",
                    help="work on bench/sweep.py's store in place (no flow step)")
    ap.add_argument("--keep", action="store_true", help="keep the working copy of the store")
    ap.add_argument("--reuse", action="store_true",
                    help="use the working copy a --keep run left (its flow done), access rows and all")
    ap.add_argument("--target-rate", type=float, default=300)
    ap.add_argument("--target-ms", type=float, default=25)
    ap.add_argument("--profile", action="store_true", help="profile a card request even if the target is met")
    ap.add_argument("--profile-requests", type=int, default=300)
    ap.add_argument("--no-selftest", dest="selftest", action="store_false")
    ap.add_argument("--selftest-seconds", type=float, default=3)
    ap.add_argument("--selftest-clients", nargs="+", choices=("raw", "httpx"), default=["raw", "httpx"])
    ap.add_argument("--quick", action="store_true", help="5 000 people, 5 s a rate, 1 run")
    args = ap.parse_args()
    if args.quick:
        args.people, args.seconds, args.warmup, args.runs = [5_000], min(args.seconds, 5), min(args.warmup, 2), 1
        args.selftest_seconds = 2
        args.server_warmup = min(args.server_warmup, 5)
        args.profile_requests = min(args.profile_requests, 100)
        args.sample = min(args.sample, 500)
    if len(args.people) != 1:
        raise SystemExit("--people: one population a run")
    args.people = args.people[0]
    args.work.mkdir(parents=True, exist_ok=True)

    results = {"machine": machine(), "date": dt.datetime.now().isoformat(timespec="seconds"),
               "command": " ".join([Path(sys.executable).name, *sys.argv]),
               "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
               "query": CARD_QUERY, "selftest": [], "engines": []}
    out = ROOT / "bench" / "results" / f"api-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)

    def save():
        out.write_text(json.dumps(results, indent=1, default=str))

    print(f"machine: {results['machine']}", flush=True)
    if args.selftest:
        print("generator self-test against a canned-answer server:", flush=True)
        results["selftest"] = self_test(args)
        save()
    for engine in args.engines:
        print(f"{engine}, {args.people:,} people", flush=True)
        try:
            run_engine(engine, args, results, save)
        except Exception as e:  # one engine failing must not lose the other's figures
            import traceback

            traceback.print_exc()
            results.setdefault("errors", []).append({"engine": engine, "error": repr(e)})
        save()

    print(f"\nmachine: {results['machine']}")
    print(f"command: {results['command']}")
    samples = "; ".join(f"{e['engine']}: {e.get('sample')}" for e in results["engines"])
    print(f"population: {args.people:,} people (seed {args.seed}); card IINs: {samples}")
    print(f"{args.runs} run(s) a rate, {args.seconds:g} s each after {args.warmup:g} s warm-up, open loop "
          f"({args.arrivals} arrivals), {args.client} HTTP/1.1 client, timeout {args.timeout:g} s; "
          f"medians of the runs (max: the largest of any run; errors: all runs)\n")
    print(table(results, args))
    print()
    print(cpu_table(results, args))
    caps = [(e["engine"], c) for e in results["engines"] for c in e.get("capacity", [])]
    if caps:
        print("\nclosed loop (each caller sends its next card request when the last one answered):\n\n"
              "| engine | callers | req/s | p50 ms | p99 ms | max ms | errors | uvicorn CPU ms/request |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, c in caps:
            print(f"| {name} | {c['concurrency']} | {c['throughput']:.0f} | {c['p50_ms']} | {c['p99_ms']} | "
                  f"{c['max_ms']} | {c['errors']} | {c['cpu_ms_per_request']['server']} |")
    if results["selftest"]:
        print("\ngenerator self-test (canned-answer server):\n\n| client | rate | achieved | p50 ms | p99 ms | "
              "max ms | start lag p99 ms | generator CPU ms/request |\n|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in results["selftest"]:
            print(f"| {r['client']} | {r['target_rate']:.0f} | {r['achieved_rate']:.0f} | {r['p50_ms']} | "
                  f"{r['p99_ms']} | {r['max_ms']} | {r['start_lag_p99_ms']} | {r['cpu_ms_per_request']['client']} |")
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
