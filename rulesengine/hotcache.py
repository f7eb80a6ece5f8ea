"""A bounded cache that keeps what is used often: two generations, no clocks, no locks.

Used by rulesengine.check for the sides of checks it keeps per engine (a plan's facts, prepared
once). Why not ``dict.clear()`` when full (what the engine's fact caches did first): in a batch,
each check brings a new county and the same parents, and a cache cleared every few checks drops
the parents with the counties, so each check then prepared them again. Why not
``functools.lru_cache``: the keys are built by the caller, which needs ``get``/``put``, not a
wrapped function; an LRU also pays a linked-list update on every hit.

Here, entries live in a young and an old generation. When the young one is full it becomes the
old one and the previous old one is dropped; a hit in the old generation is copied back to the
young one. So an entry used in every check survives every turnover, one used once is dropped
after at most two, and the size never exceeds twice ``size``. Safe under threads in the sense
that matters here: a race can only lose an entry (a later miss), never return a wrong value.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

__all__ = ["HotCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class HotCache(Generic[K, V]):
    """``get``/``put``/``in`` over at most ``2 * size`` entries, keeping the frequently hit ones."""

    __slots__ = ("_old", "_size", "_young")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._size = size
        self._young: dict[K, V] = {}
        self._old: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        value = self._young.get(key)
        if value is None:
            value = self._old.get(key)
            if value is not None:
                self.put(key, value)
        return value

    def put(self, key: K, value: V) -> None:
        if len(self._young) >= self._size:
            self._old, self._young = self._young, {}
        self._young[key] = value

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None  # type: ignore[arg-type]

    def __len__(self) -> int:
        """Entries held (a key in both generations counts twice; the bound is what matters)."""
        return len(self._young) + len(self._old)

    def __iter__(self) -> Iterator[K]:
        """The keys held, young first, each once (a snapshot: safe to change the cache meanwhile)."""
        return iter([*self._young, *(k for k in self._old if k not in self._young)])
