"""SMS gateways for the outbox sender: a JSONL file, the console, or an HTTP provider.

The sender reads queued messages, calls ``send_many`` and then marks them sent in its own
transaction. A crash between the two resends the same messages with the same idempotency keys,
so every gateway must make a resend harmless: the file keeps the keys it has written, the HTTP
provider is told the key (``Idempotency-Key``) and is expected to remember it.

Error contract of ``send_many``: one ``Sent`` per message, in order, or a ``GatewayError`` whose
``.sent`` lists the messages of the batch that did go out before it (the caller marks those).
``permanent=True`` with a ``key``: that message will never go through (mark it failed);
``permanent=True`` without one: the gateway itself is misconfigured (stop); ``permanent=False``:
try again later.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import errno
import fcntl
import json
import logging
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO, runtime_checkable

import httpx

from familycard.dates import aware_utcnow
from familycard.schema.values import mask_phone

__all__ = ["OutgoingSms", "Sent", "GatewayError", "Gateway", "FileGateway", "ConsoleGateway",
           "HttpGateway", "make_gateway", "GATEWAY_KINDS"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingSms:
    key: str     # idempotency key, unique per message (printable ASCII, it travels in a header)
    sender: str  # "1414"
    to: str      # E.164, "+77011234567"
    text: str


@dataclass(frozen=True)
class Sent:
    key: str
    provider_id: str | None  # the provider's message id, if it gave one
    duplicate: bool          # the gateway already had this key: nothing new went out


class GatewayError(Exception):
    """A batch stopped part-way. ``sent``: what went out before; ``key``: the message at fault
    (only for a permanent error about one message); ``status``: the HTTP status, if any."""

    def __init__(self, message: str, *, permanent: bool, key: str | None = None,
                 status: int | None = None, sent: Sequence[Sent] = ()) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.key = key
        self.status = status
        self.sent: list[Sent] = list(sent)


@runtime_checkable
class Gateway(Protocol):
    name: str

    def send_many(self, messages: Sequence[OutgoingSms]) -> list[Sent]: ...

    def close(self) -> None: ...


class _Closing:
    def close(self) -> None:  # pragma: no cover - overridden
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_KEY_MAX = 256


def _check(m: OutgoingSms) -> None:
    """Refuse what some gateway would refuse, in every gateway: a file-backed dev setup should not
    accept a message production will reject. The key goes into an HTTP header, hence ASCII."""
    if not (0 < len(m.key) <= _KEY_MAX and all(" " <= c <= "~" for c in m.key)):
        raise GatewayError(f"idempotency key {m.key!r} must be 1..{_KEY_MAX} printable ASCII "
                           "characters", permanent=True, key=m.key)
    if not _E164.fullmatch(m.to):
        raise GatewayError(f"message {m.key!r}: recipient is not an E.164 number", permanent=True,
                           key=m.key)
    try:
        m.text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no gateway can carry it
        raise GatewayError(f"message {m.key!r}: text is not valid Unicode", permanent=True,
                           key=m.key) from None


# ---------------------------------------------------------------------------------------- file

class FileGateway(_Closing):
    """Appends one JSON object per message to a JSONL file; the file is the record of what was sent.

    Resends are skipped: the keys already in the file come back as ``duplicate=True``, also keys
    written by another process since (the tail is re-read under the lock before each batch). A batch
    is acknowledged only after one ``fsync``; a torn last line (a crash mid-write, never
    acknowledged) is cut off when found.
    """

    name = "file"

    def __init__(self, path: str | os.PathLike[str], *,
                 clock: Callable[[], dt.datetime] = aware_utcnow) -> None:
        self.path = Path(path)
        self._clock = clock
        self._mutex = threading.Lock()  # flock does not exclude threads sharing one descriptor
        self._keys: set[str] = set()
        self._end = 0  # bytes of the file already read into _keys
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC,
                                       0o640)
        if created:  # the new directory entry must survive a power cut too
            _fsync_dir(self.path.parent)
        try:
            with self._locked():
                pass  # reads the keys, trims a torn tail
        except BaseException:
            self.close()
            raise

    def send_many(self, messages: Sequence[OutgoingSms]) -> list[Sent]:
        with self._locked() as fd:
            out: list[Sent] = []
            new: set[str] = set()
            lines: list[str] = []
            failure: GatewayError | None = None
            for m in messages:
                try:
                    _check(m)
                except GatewayError as e:
                    failure = e
                    break
                if m.key in self._keys or m.key in new:
                    out.append(Sent(m.key, None, True))
                    continue
                new.add(m.key)
                at = self._clock().astimezone(dt.UTC).isoformat(timespec="milliseconds")
                lines.append(json.dumps({"key": m.key, "from": m.sender, "to": m.to, "text": m.text,
                                         "at": at}, ensure_ascii=False) + "\n")
                out.append(Sent(m.key, None, False))
            if lines:
                data = "".join(lines).encode("utf-8")
                try:
                    _write_all(fd, data)
                    os.fsync(fd)  # once per batch: the acknowledgement is what costs
                except OSError as e:
                    # Take back the unacknowledged lines (best effort; a torn rest is trimmed later).
                    with suppress(OSError):
                        os.ftruncate(fd, self._end)
                    raise GatewayError(f"file {self.path}: write failed: {e}", permanent=False) from e
                self._end += len(data)
                self._keys |= new
            if failure is not None:
                failure.sent = out
                raise failure
            return out

    def close(self) -> None:
        with self._mutex:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    @contextmanager
    def _locked(self) -> Iterator[int]:
        with self._mutex:
            if self._fd is None:
                raise GatewayError(f"file {self.path}: gateway is closed", permanent=True)
            fd = self._fd
            fcntl.flock(fd, fcntl.LOCK_EX)  # another process's batch is never interleaved with ours
            try:
                self._catch_up(fd)
                yield fd
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _catch_up(self, fd: int) -> None:
        """Read the keys appended since we last looked; cut a torn last line."""
        size = os.fstat(fd).st_size
        if size < self._end:  # someone truncated or rewrote it: trust nothing we read
            self._keys.clear()
            self._end = 0
        if size == self._end:
            return
        pos = self._end
        with open(fd, "rb", closefd=False) as f:
            f.seek(pos)
            for line in f:
                end = pos + len(line)
                key = _key_of(line) if line.endswith(b"\n") else None
                if key is None:
                    if end < size:  # damage in the middle is not a crash: refuse to guess
                        raise GatewayError(f"file {self.path}: byte {pos}: not an SMS record",
                                           permanent=True)
                    break  # the torn tail
                if key:
                    self._keys.add(key)
                pos = end
        if pos < size:
            log.warning("%s: cutting %d bytes of an unfinished write at byte %d", self.path,
                        size - pos, pos)
            os.ftruncate(fd, pos)
            os.fsync(fd)
        self._end = pos


def _key_of(line: bytes) -> str | None:
    """The key of a complete line, "" for a blank one, None if it is not a record."""
    if not line.strip():
        return ""
    try:
        rec = json.loads(line)
    except ValueError:  # also bad UTF-8
        return None
    key = rec.get("key") if isinstance(rec, dict) else None
    return key if isinstance(key, str) and key else None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _fsync_dir(path: Path) -> None:
    dfd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dfd)
    except OSError as e:  # some filesystems cannot fsync a directory; the data fsync still holds
        if e.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(dfd)


# ------------------------------------------------------------------------------------- console

class ConsoleGateway(_Closing):
    """Prints each message as a line: for demos and development only.

    It remembers keys only for its own lifetime, so a resend after a restart is printed again:
    it cannot keep the outbox's exactly-once promise across processes.
    """

    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout  # now, not at import: redirects
        self._keys: set[str] = set()

    def send_many(self, messages: Sequence[OutgoingSms]) -> list[Sent]:
        out: list[Sent] = []
        try:
            for m in messages:
                _check(m)
                if m.key in self._keys:
                    out.append(Sent(m.key, None, True))
                    continue
                text = " ".join(m.text.splitlines())  # one line per message
                print(f"{m.sender} → {mask_phone(m.to, compact=True)}: {text}", file=self._stream)
                self._keys.add(m.key)
                out.append(Sent(m.key, None, False))
        except GatewayError as e:
            e.sent = out
            raise
        finally:
            self._stream.flush()
        return out

    def close(self) -> None:
        self._stream.flush()  # not ours to close


# ---------------------------------------------------------------------------------------- http

_RETRY_STATUS = frozenset({408, 409, 429})  # 409: the provider is still on the same key
# Not the message's fault but the gateway's setup: failing the message would fail them all.
_SETUP_STATUS = frozenset({401, 403, 404, 405, 407})
# Worth another try: the request may not have arrived, or the answer was lost (the key makes it safe).
_RETRY_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class HttpGateway(_Closing):
    """POSTs one JSON request per message to an SMS provider, with the key as ``Idempotency-Key``.

    Retries (exponential backoff with jitter, ``Retry-After`` honoured) on connection errors,
    timeouts, 408, 409, 429 and 5xx; any other 4xx is a permanent error for that message (401, 403,
    404, 405, 407 for the gateway). A client passed in is used but not closed.
    """

    name = "http"

    def __init__(self, url: str, token: str | None = None, timeout: float = 10.0,
                 max_attempts: int = 5, backoff: float = 0.5, max_backoff: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep, client: httpx.Client | None = None,
                 rng: random.Random | None = None) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")
        self.url = url
        self._token = token
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        self._own_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)
        u = httpx.URL(url)
        self._where = f"{u.scheme}://{u.host}{f':{u.port}' if u.port else ''}{u.path}"  # no secrets

    def __repr__(self) -> str:
        return f"HttpGateway({self._where!r}, token={'***' if self._token else None})"

    def send_many(self, messages: Sequence[OutgoingSms]) -> list[Sent]:
        out: list[Sent] = []
        for m in messages:
            try:
                _check(m)
                out.append(self._send_one(m))
            except GatewayError as e:
                e.sent = out
                raise
        return out

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def _send_one(self, m: OutgoingSms) -> Sent:
        body = json.dumps({"from": m.sender, "to": m.to, "text": m.text, "idempotency_key": m.key},
                          ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": m.key}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        why, status = "", None
        for attempt in range(1, self.max_attempts + 1):
            retry_after = None
            try:
                r = self._client.post(self.url, content=body, headers=headers, timeout=self.timeout)
            except _RETRY_ERRORS as e:
                why, status = f"{type(e).__name__}: {e}", None
            except httpx.HTTPError as e:  # a bad URL or scheme: no retry will fix it
                raise GatewayError(f"http {self._where}: {type(e).__name__}: {e}",
                                   permanent=True) from e
            else:
                if r.is_success:
                    return _sent(m.key, r)
                status = r.status_code
                why = f"HTTP {status}: {r.text[:200]}"
                if not (status in _RETRY_STATUS or status >= 500):
                    fault = None if status in _SETUP_STATUS or status < 400 else m.key
                    raise GatewayError(f"http {self._where}: message {m.key!r} refused: {why}",
                                       permanent=True, key=fault, status=status)
                retry_after = _retry_after(r.headers.get("Retry-After"))
            if attempt == self.max_attempts:
                break
            delay = self._delay(attempt, retry_after)
            log.warning("sms %s: %s; attempt %d of %d, next in %.2f s", m.key,
                        (why.splitlines() or [""])[0], attempt, self.max_attempts, delay)
            self._sleep(delay)
        raise GatewayError(f"http {self._where}: message {m.key!r} not sent after "
                           f"{self.max_attempts} attempts: {why}", permanent=False, status=status)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:  # the server knows best, within our patience
            return min(max(retry_after, 0.0), self.max_backoff)
        # "Equal jitter": half fixed so delays keep growing, half random so senders spread out.
        base = min(self.max_backoff, self.backoff * 2.0 ** min(attempt - 1, 60))
        return base / 2 + self._rng.uniform(0, base / 2)


def _sent(key: str, r: httpx.Response) -> Sent:
    try:
        data: Any = r.json()
    except ValueError:  # an empty or non-JSON 2xx is still a success
        data = None
    provider_id, duplicate = None, False
    if isinstance(data, dict):
        for field in ("id", "message_id"):
            if data.get(field) not in (None, ""):
                provider_id = str(data[field])
                break
        duplicate = data.get("duplicate") is True
    if r.status_code == 200 and r.headers.get("Idempotent-Replayed", "").strip().lower() == "true":
        duplicate = True
    return Sent(key, provider_id, duplicate)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return (when - aware_utcnow()).total_seconds()


# ------------------------------------------------------------------------------------- factory

GATEWAY_KINDS = ("console", "file", "http")


def make_gateway(kind: str, *, file_path: str | os.PathLike[str] | None = None,
                 url: str | None = None, token: str | None = None, stream: TextIO | None = None,
                 timeout: float = 10.0, max_attempts: int = 5, backoff: float = 0.5,
                 max_backoff: float = 30.0) -> Gateway:
    """The gateway named by ``kind``; options that do not apply to it are ignored, so settings can
    carry them all."""
    k = kind.strip().lower() if isinstance(kind, str) else kind
    if k == "file":
        if not file_path:
            raise ValueError("SMS gateway 'file' needs file_path")
        return FileGateway(file_path)
    if k == "console":
        return ConsoleGateway(stream)
    if k == "http":
        if not url:
            raise ValueError("SMS gateway 'http' needs url")
        return HttpGateway(url, token=token, timeout=timeout, max_attempts=max_attempts,
                           backoff=backoff, max_backoff=max_backoff)
    raise ValueError(f"unknown SMS gateway kind {kind!r}; expected one of: {', '.join(GATEWAY_KINDS)}")
