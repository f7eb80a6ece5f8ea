"""The two-generation cache behind the sides a check keeps per engine (rulesengine.hotcache)."""

from __future__ import annotations

import pytest

from rulesengine.hotcache import HotCache


def test_an_entry_hit_between_turnovers_survives_while_a_one_off_is_dropped() -> None:
    cache: HotCache[str, int] = HotCache(4)
    cache.put("parent", 1)
    for i in range(40):
        cache.put(f"county-{i}", i)
        assert cache.get("parent") == 1  # hit every round, as a parent fact is in every check
    assert cache.get("county-0") is None
    assert cache.get("county-39") == 39


def test_it_never_holds_more_than_twice_its_size() -> None:
    cache: HotCache[int, int] = HotCache(10)
    for i in range(1000):
        cache.put(i, i)
        assert len(cache) <= 20
    assert len(list(cache)) == len(set(cache))


def test_false_is_a_value_not_a_miss() -> None:
    cache: HotCache[str, bool] = HotCache(2)
    cache.put("unwanted", False)
    assert "unwanted" in cache
    assert cache.get("unwanted") is False


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        HotCache(0)
