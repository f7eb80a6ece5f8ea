"""A per-token rate limit on writes: an in-memory token bucket, answered with 429 + Retry-After.

Reviewers click; scripts loop. A loop that uploads or re-checks as fast as it can would hold
the single check worker and the database's write lock for everyone else, so each API token
may make ``burst`` writes (POST, PUT, PATCH, DELETE) at once and then ``rate_per_minute``
more per minute. Reads are not limited. The bucket is keyed by a hash of the presented
credential and checked before the token is looked up, so a flood costs no database work;
requests without one go on to be refused by authentication. The state is per process, which
is what a single-server deployment needs (behind several workers, each limits on its own).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from api.errors import Problem

__all__ = ["WRITE_METHODS", "WriteRateLimiter", "limit_writes"]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_MAX_KEYS = 10_000  # beyond this many tokens in memory, full (idle) buckets are forgotten


@dataclass
class _Bucket:
    tokens: float
    at: float


class WriteRateLimiter:
    """Token buckets per key: ``burst`` writes at once, refilled at ``rate_per_minute``."""

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


def limit_writes(request: Request) -> None:
    """App-wide dependency: refuse a write over its token's budget with 429 and Retry-After."""
    limiter: WriteRateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    credential = request.headers.get("authorization")
    if limiter is None or request.method not in WRITE_METHODS or not credential:
        return
    wait = limiter.take(hashlib.sha256(credential.encode("utf-8")).hexdigest())
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
