"""Stores that misbehave on purpose, around a real one: slow to answer, or failing with a
message that must never reach the caller."""
from __future__ import annotations

import asyncio
import time


class SlowStore:
    def __init__(self, store, seconds):
        self._store, self._seconds = store, seconds

    def read(self, *a, **kw):
        time.sleep(self._seconds)
        return self._store.read(*a, **kw)

    def read_keyed(self, *a, **kw):
        time.sleep(self._seconds)
        return self._store.read_keyed(*a, **kw)

    async def aread(self, *a, **kw):  # a store across a network that is slow to answer
        await asyncio.sleep(self._seconds)
        return await self._store.aread(*a, **kw)

    async def aread_keyed(self, *a, **kw):
        await asyncio.sleep(self._seconds)
        return await self._store.aread_keyed(*a, **kw)

    def __getattr__(self, name):
        return getattr(self._store, name)


class BrokenStore:
    def __init__(self, store):
        self._store = store

    def read(self, query, *a, **kw):
        raise RuntimeError(f"Neo.ClientError: cannot run {query} at line 3 of /srv/secret/path.py")

    read_keyed = read

    async def aread(self, query, *a, **kw):
        self.read(query)

    aread_keyed = aread

    def __getattr__(self, name):
        return getattr(self._store, name)
