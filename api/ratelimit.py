"""A per-token rate limit on writes: a token bucket, answered with 429 + Retry-After.

Reviewers click; scripts loop. A loop that uploads or re-checks as fast as it can would hold
the check workers and the database's write lock for everyone else, so each API token may make
``burst`` writes (POST, PUT, PATCH, DELETE) at once and then ``rate_per_minute`` more per
minute. Reads are not limited. The bucket is keyed by a hash of the presented credential and
checked before the token is looked up; requests without one go on to be refused by
authentication.

Where the buckets live follows the database (``make_rate_limiter``): on SQLite the service is
one process (``serve --workers`` refuses more), and the buckets are in its memory, so a flood
costs no database work. On PostgreSQL there may be many API processes (``serve --workers N``,
or several servers behind a load balancer), and a bucket per process would give a token N times
its budget; there the buckets are rows of ``write_bucket``, taken with one atomic upsert on the
database's clock, so every process spends from the same budget.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import anyio
import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.engine import Engine

from api.errors import Problem
from api.settings import Settings

__all__ = [
    "WRITE_METHODS",
    "DatabaseRateLimiter",
    "RateLimiter",
    "WriteRateLimiter",
    "limit_writes",
    "make_rate_limiter",
]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_MAX_KEYS = 10_000  # beyond this many tokens in memory, full (idle) buckets are forgotten


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter(Protocol):
    rate: float
    burst: int

    def take(self, key: str) -> float:
        """Spend one write for ``key``: 0.0 if allowed, else the seconds until one is available."""
        ...


class WriteRateLimiter:
    """Token buckets per key in this process's memory: ``burst`` writes at once, then
    ``rate_per_minute``."""

    def __init__(
        self, rate_per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = max(1, burst)
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one write for ``key``: 0.0 if allowed, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= _MAX_KEYS:
                    self._forget_idle(now)
                bucket = self._buckets[key] = _Bucket(tokens=float(self.burst), at=now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]


_TAKE = sa.text(
    """
    INSERT INTO write_bucket AS b (key, tokens, at) VALUES (:key, :burst - 1, clock_timestamp())
    ON CONFLICT (key) DO UPDATE
       SET tokens = LEAST(:burst, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.at) * :rate) - 1,
           at = clock_timestamp()
     WHERE LEAST(:burst, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.at) * :rate) >= 1
    RETURNING tokens
    """
)
_WAIT = sa.text(
    """
    SELECT (1 - LEAST(:burst, tokens + EXTRACT(EPOCH FROM clock_timestamp() - at) * :rate)) / :rate
      FROM write_bucket WHERE key = :key
    """
)
_FORGET = sa.text(
    "DELETE FROM write_bucket WHERE at < clock_timestamp() - make_interval(secs => :full_after)"
)
_FORGET_EVERY = 1000  # takes of this process between deletions of full (idle) buckets


class DatabaseRateLimiter:
    """Token buckets per key in PostgreSQL's ``write_bucket``, one budget for every process.

    A take is one statement: the upsert refills the row by the database's clock (one clock for
    all processes, unlike their monotonic ones) and spends a write only if one is there; the row
    lock the upsert takes serialises two processes spending from the same bucket. A row idle long
    enough to be full again is the same as no row, so each process now and then deletes those —
    which also bounds the table under a flood of made-up credentials.
    """

    def __init__(self, engine: Engine, rate_per_minute: float, burst: int) -> None:
        self.engine = engine
        self.rate = rate_per_minute / 60.0
        self.burst = max(1, burst)
        self._takes = itertools.count(1)

    def take(self, key: str) -> float:
        params = {"key": key, "burst": float(self.burst), "rate": self.rate}
        with self.engine.begin() as connection:
            if next(self._takes) % _FORGET_EVERY == 0:
                connection.execute(_FORGET, {"full_after": self.burst / self.rate})
            if connection.execute(_TAKE, params).first() is not None:
                return 0.0
            wait = connection.execute(_WAIT, params).scalar()
        return max(float(wait or 0.0), 1e-3)


def make_rate_limiter(settings: Settings, engine: Engine) -> RateLimiter | None:
    """The write limit for this service: none when turned off (rate 0), in the database when it
    may be shared by several processes (PostgreSQL), else in this process's memory."""
    if settings.write_rate_per_minute <= 0:
        return None
    if engine.dialect.name == "postgresql":
        return DatabaseRateLimiter(engine, settings.write_rate_per_minute, settings.write_burst)
    return WriteRateLimiter(settings.write_rate_per_minute, settings.write_burst)


async def limit_writes(request: Request) -> None:
    """App-wide dependency: refuse a write over its token's budget with 429 and Retry-After.

    ``async``, so that a read — most requests — passes on the event loop without a trip through
    the thread pool; a write's take runs on a thread (the database's bucket is I/O)."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    credential = request.headers.get("authorization")
    if limiter is None or request.method not in WRITE_METHODS or not credential:
        return
    key = hashlib.sha256(credential.encode("utf-8")).hexdigest()
    wait = await anyio.to_thread.run_sync(limiter.take, key)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        per_minute = f"{limiter.rate * 60:g}"
        raise Problem(
            429,
            "rate_limited",
            f"写操作过于频繁:每个令牌每分钟最多 {per_minute} 次(可连续 {limiter.burst} 次),"
            f"请 {seconds} 秒后重试",
            f"too many writes: each token may make {per_minute} per minute (bursts of "
            f"{limiter.burst}); retry in {seconds} s",
            field="Authorization",
            headers={"Retry-After": str(seconds)},
            retry_after=seconds,
        )
