"""SMS gateways: a resend must be harmless; HTTP against a real server on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import io
import json
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from familycard.graph.sms.gateways import (
    ConsoleGateway,
    FileGateway,
    Gateway,
    GatewayError,
    HttpGateway,
    OutgoingSms,
    Sent,
    make_gateway,
)

KK = "Құрметті ата-ана! Сізге бала туғанда берілетін жәрдемақы тағайындалды: 140 012 ₸. Өтінім қажет емес."
RU = "Уважаемый родитель! Вам назначено единовременное пособие на рождение ребёнка. Заявление не требуется."


def sms(key: str, text: str = KK, to: str = "+77011234567") -> OutgoingSms:
    return OutgoingSms(key=key, sender="1414", to=to, text=text)


def lines(path) -> list[dict]:
    return [json.loads(s) for s in path.read_text("utf-8").splitlines()]


# ---------------------------------------------------------------------------------------- file

def test_file_writes_one_line_per_message(tmp_path):
    path = tmp_path / "out" / "sms.jsonl"
    with FileGateway(path) as gw:
        assert isinstance(gw, Gateway)
        got = gw.send_many([sms("a"), sms("b", RU, "+77779876543")])
    assert got == [Sent("a", None, False), Sent("b", None, False)]
    recs = lines(path)
    assert [(r["key"], r["from"], r["to"]) for r in recs] == [("a", "1414", "+77011234567"),
                                                              ("b", "1414", "+77779876543")]
    at = dt.datetime.fromisoformat(recs[0]["at"])
    assert at.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.UTC) - at).total_seconds()) < 60


def test_file_dedupes_across_reopen_and_within_a_batch(tmp_path):
    path = tmp_path / "sms.jsonl"
    with FileGateway(path) as gw:
        gw.send_many([sms("a")])
    with FileGateway(path) as gw:  # the sender crashed before marking "a": it comes again
        got = gw.send_many([sms("a"), sms("b"), sms("b")])
    assert got == [Sent("a", None, True), Sent("b", None, False), Sent("b", None, True)]
    assert [r["key"] for r in lines(path)] == ["a", "b"]


def test_file_sees_keys_written_by_another_gateway_since_open(tmp_path):
    path = tmp_path / "sms.jsonl"
    with FileGateway(path) as one, FileGateway(path) as two:
        two.send_many([sms("x")])
        assert one.send_many([sms("x")]) == [Sent("x", None, True)]
    assert len(lines(path)) == 1


@pytest.mark.parametrize("tail", [b'{"key": "b", "from": "1414", "to": "+770', b'{"key": "b"\n', b"\0\0\0\0"])
def test_file_cuts_a_torn_last_line(tmp_path, tail):
    path = tmp_path / "sms.jsonl"
    with FileGateway(path) as gw:
        gw.send_many([sms("a")])
    good = path.read_bytes()
    path.write_bytes(good + tail)  # a crash mid-write: never acknowledged
    with FileGateway(path) as gw:
        assert path.read_bytes() == good
        assert gw.send_many([sms("b"), sms("a")]) == [Sent("b", None, False), Sent("a", None, True)]
    assert [r["key"] for r in lines(path)] == ["a", "b"]


def test_file_refuses_damage_in_the_middle(tmp_path):
    path = tmp_path / "sms.jsonl"
    path.write_bytes(b'{"key": "a"}\nnot json\n{"key": "c"}\n')
    with pytest.raises(GatewayError, match="byte 13") as e:
        FileGateway(path)
    assert e.value.permanent and e.value.key is None
    assert path.read_bytes().endswith(b'{"key": "c"}\n')  # left as it was


def test_file_cyrillic_round_trips(tmp_path):
    path = tmp_path / "sms.jsonl"
    with FileGateway(path) as gw:
        gw.send_many([sms("kk", KK), sms("ru", RU)])
    raw = path.read_bytes()
    assert KK.encode("utf-8") in raw and b"\\u" not in raw  # ensure_ascii=False
    assert [r["text"] for r in lines(path)] == [KK, RU]
    with FileGateway(path) as gw:
        assert gw.send_many([sms("kk", KK)])[0].duplicate


def test_file_concurrent_writers_do_not_interleave(tmp_path):
    path = tmp_path / "sms.jsonl"
    gws = [FileGateway(path) for _ in range(3)]  # separate descriptors: flock excludes them

    def run(i: int) -> None:
        for b in range(15):
            gws[i].send_many([sms(f"{i}-{b}-{n}", KK * 3) for n in range(10)])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = [r["key"] for r in lines(path)]
    assert len(keys) == len(set(keys)) == 3 * 15 * 10
    assert gws[0].send_many([sms("2-14-9")]) == [Sent("2-14-9", None, True)]
    for gw in gws:
        gw.close()


def test_file_bad_message_stops_the_batch_after_the_earlier_ones(tmp_path):
    path = tmp_path / "sms.jsonl"
    with FileGateway(path) as gw, pytest.raises(GatewayError) as e:
        gw.send_many([sms("a"), sms("b", to="87011234567"), sms("c")])
    assert e.value.permanent and e.value.key == "b"
    assert e.value.sent == [Sent("a", None, False)]
    assert [r["key"] for r in lines(path)] == ["a"]


# ------------------------------------------------------------------------------------- console

def test_console_prints_masked_and_dedupes_within_its_life():
    out = io.StringIO()
    gw = ConsoleGateway(out)
    assert gw.send_many([sms("a", "Сәлем\nекінші жол"), sms("a")]) == [Sent("a", None, False),
                                                                     Sent("a", None, True)]
    assert out.getvalue() == "1414 → +7701***4567: Сәлем екінші жол\n"


# ---------------------------------------------------------------------------------------- http

Reply = tuple[int, dict[str, str], object]


class Provider:
    """A scripted SMS provider on 127.0.0.1: ``reply(request, n)`` answers the n-th request."""

    def __init__(self, reply: Callable[[dict, int], Reply]) -> None:
        self.reply = reply
        self.requests: list[dict] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the gateway's pooled client reuses it
            wbufsize = 1 << 16  # head and body in one segment: no Nagle/delayed-ACK stalls

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                req = {"path": self.path, "headers": dict(self.headers), "peer": self.client_address,
                       "json": json.loads(body.decode("utf-8"))}
                provider.requests.append(req)
                status, headers, payload = provider.reply(req, len(provider.requests))
                if isinstance(payload, float):  # "hang" this long: provoke a client timeout
                    time.sleep(payload)
                    payload = {}
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:
                    pass  # the client gave up waiting

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def keys(self) -> list[str]:
        return [r["headers"]["Idempotency-Key"] for r in self.requests]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider() -> Iterator[Callable[[Callable[[dict, int], Reply]], Provider]]:
    started: list[Provider] = []

    def start(reply: Callable[[dict, int], Reply]) -> Provider:
        started.append(Provider(reply))
        return started[-1]

    yield start
    for p in started:
        p.stop()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def gateway(p: Provider, sleeps: list[float], **kw) -> HttpGateway:
    kw.setdefault("timeout", 2.0)
    return HttpGateway(p.url, sleep=sleeps.append, rng=random.Random(7), **kw)


def test_http_retries_503_with_growing_delays_and_the_same_key(provider, sleeps):
    p = provider(lambda req, n: (503, {}, {"error": "busy"}) if n <= 2 else (202, {}, {"id": 991}))
    with gateway(p, sleeps, backoff=0.5) as gw:
        assert gw.send_many([sms("offer-1", KK)]) == [Sent("offer-1", "991", False)]
    assert p.keys() == ["offer-1"] * 3
    assert len({r["peer"] for r in p.requests}) == 1  # one pooled connection
    assert p.requests[0]["json"] == {"from": "1414", "to": "+77011234567", "text": KK,
                                     "idempotency_key": "offer-1"}
    assert len(sleeps) == 2 and 0.25 <= sleeps[0] <= 0.5 <= sleeps[1] <= 1.0
    assert sleeps[0] < sleeps[1]


def test_http_honours_retry_after_capped(provider, sleeps):
    p = provider(lambda req, n: {1: (429, {"Retry-After": "2"}, {}),
                                 2: (503, {"Retry-After": "3600"}, {})}.get(n, (200, {}, {"message_id": "m-7"})))
    with gateway(p, sleeps, max_backoff=10.0) as gw:
        assert gw.send_many([sms("a")]) == [Sent("a", "m-7", False)]
    assert sleeps == [2.0, 10.0]


def test_http_400_is_permanent_and_names_the_key(provider, sleeps):
    p = provider(lambda req, n: (400, {}, {"error": "text too long for one SMS part"})
                 if req["json"]["idempotency_key"] == "b" else (201, {}, {"id": f"p{n}"}))
    with gateway(p, sleeps) as gw, pytest.raises(GatewayError) as e:
        gw.send_many([sms("a"), sms("b"), sms("c")])
    err = e.value
    assert err.permanent and err.key == "b" and err.status == 400
    assert "400" in str(err) and "text too long" in str(err) and "'b'" in str(err)
    assert err.sent == [Sent("a", "p1", False)]
    assert p.keys() == ["a", "b"] and sleeps == []


def test_http_401_blames_the_gateway_not_the_message(provider, sleeps):
    p = provider(lambda req, n: (401, {}, {"error": "bad token"}))
    with gateway(p, sleeps, token="wrong") as gw, pytest.raises(GatewayError) as e:
        gw.send_many([sms("a")])
    assert e.value.permanent and e.value.key is None and e.value.status == 401


def test_http_provider_that_remembers_keys_reports_resends(provider, sleeps):
    seen: dict[str, str] = {}
    lock = threading.Lock()

    def reply(req: dict, n: int) -> Reply:
        key = req["headers"]["Idempotency-Key"]
        with lock:
            if key in seen:
                return 200, {"Idempotent-Replayed": "true"}, {"id": seen[key]}
            seen[key] = f"msg-{len(seen) + 1}"
            return 201, {}, {"id": seen[key]}

    p = provider(reply)
    with gateway(p, sleeps) as gw:
        first = gw.send_many([sms("a"), sms("b")])
    with gateway(p, sleeps) as gw:  # after a crash: a new process, the same keys
        again = gw.send_many([sms("a"), sms("b"), sms("c")])
    assert first == [Sent("a", "msg-1", False), Sent("b", "msg-2", False)]
    assert again == [Sent("a", "msg-1", True), Sent("b", "msg-2", True), Sent("c", "msg-3", False)]


def test_http_duplicate_flag_in_the_body(provider, sleeps):
    p = provider(lambda req, n: (200, {}, {"message_id": "x1", "duplicate": True}))
    with gateway(p, sleeps) as gw:
        assert gw.send_many([sms("a")]) == [Sent("a", "x1", True)]


def test_http_exhausted_attempts_are_transient_and_keep_the_earlier_successes(provider, sleeps):
    p = provider(lambda req, n: (502, {}, b"<html>bad gateway</html>")
                 if req["json"]["idempotency_key"] == "c" else (200, {}, {"id": req["json"]["idempotency_key"]}))
    with gateway(p, sleeps, max_attempts=4) as gw, pytest.raises(GatewayError) as e:
        gw.send_many([sms("a"), sms("b"), sms("c"), sms("d")])
    err = e.value
    assert not err.permanent and err.status == 502 and "bad gateway" in str(err)
    assert err.sent == [Sent("a", "a", False), Sent("b", "b", False)]
    assert p.keys() == ["a", "b", "c", "c", "c", "c"]
    assert len(sleeps) == 3 and sleeps == sorted(sleeps)


def test_http_retries_a_timeout_with_the_same_key(provider, sleeps):
    p = provider(lambda req, n: (200, {}, 0.5) if n == 1 else (200, {}, {"id": "late"}))
    with gateway(p, sleeps, timeout=0.1) as gw:
        assert gw.send_many([sms("a")]) == [Sent("a", "late", False)]
    assert p.keys() == ["a", "a"] and len(sleeps) == 1


def test_http_connection_refused_is_transient(sleeps):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/sms"
    with HttpGateway(url, max_attempts=3, sleep=sleeps.append) as gw, pytest.raises(GatewayError) as e:
        gw.send_many([sms("a")])
    assert not e.value.permanent and e.value.sent == [] and len(sleeps) == 2


def test_http_bearer_token_sent_and_never_shown(provider, sleeps):
    p = provider(lambda req, n: (200, {}, {}))
    with gateway(p, sleeps, token="s3cr3t-t0ken") as gw:
        assert gw.send_many([sms("a")]) == [Sent("a", None, False)]
        assert "s3cr3t" not in repr(gw)
    with gateway(p, sleeps) as gw:
        gw.send_many([sms("b")])
    assert p.requests[0]["headers"]["Authorization"] == "Bearer s3cr3t-t0ken"
    assert "Authorization" not in p.requests[1]["headers"]


def test_http_refuses_a_key_that_cannot_be_a_header(provider, sleeps):
    p = provider(lambda req, n: (200, {}, {}))
    with gateway(p, sleeps) as gw, pytest.raises(GatewayError) as e:
        gw.send_many([sms("a"), sms("ключ")])
    assert e.value.permanent and e.value.key == "ключ" and len(e.value.sent) == 1
    assert p.keys() == ["a"]


# ------------------------------------------------------------------------------------- factory

def test_make_gateway(tmp_path):
    with make_gateway("file", file_path=tmp_path / "s.jsonl", url=None, token=None) as gw:
        assert isinstance(gw, FileGateway)
    assert isinstance(make_gateway("console", file_path=None, url=None, token=None), ConsoleGateway)
    with make_gateway("HTTP", file_path=None, url="http://127.0.0.1:9/sms", token="t") as gw:
        assert isinstance(gw, HttpGateway)
    with pytest.raises(ValueError, match=r"'smpp'.*console, file, http"):
        make_gateway("smpp", file_path=None, url=None, token=None)
    with pytest.raises(ValueError, match="url"):
        make_gateway("http", file_path=None, url=None, token=None)
    with pytest.raises(ValueError, match="file_path"):
        make_gateway("file", file_path=None, url=None, token=None)
