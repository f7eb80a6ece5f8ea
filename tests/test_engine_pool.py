"""Checks in worker processes: same answers as in-process, and a crashed worker is survivable."""

from __future__ import annotations

import os
import random
import threading
from typing import Any

import pytest

from rulesengine.engine import EngineError, RuleEngine
from rulesengine.engine_pool import EnginePool, crash_for_test

RULES: dict[str, dict[str, Any]] = {
    "weaker": {
        "all": [
            {"p": {"$and": [{"type": "target"}, {"level": "province"}]}},
            {
                "c": {
                    "$and": [
                        {"type": "target"},
                        {"level": "county"},
                        {"indicator": {"p": "indicator"}},
                        {"year": {"p": "year"}},
                        {"$lt": {"value": {"p": "value"}}},
                    ]
                }
            },
        ]
    },
    "missing": {
        "all": [
            {"p": {"$and": [{"type": "target"}, {"level": "province"}]}},
            {"nc$not": {"$and": [{"level": "county"}, {"indicator": {"p": "indicator"}}]}},
        ]
    },
}


def target(level: str, indicator: str, value: float, year: int = 2023) -> dict[str, Any]:
    return {"type": "target", "level": level, "indicator": indicator, "value": value, "year": year}


def fact_sets(n: int, seed: int = 1) -> list[list[dict[str, Any]]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        facts = [target("province", f"i{k}", rng.choice([2.0, 5.0, 8.0])) for k in range(10)]
        facts += [
            target("county", f"i{k}", rng.choice([2.0, 5.0, 8.0]))
            for k in rng.sample(range(10), rng.randint(0, 10))
        ]
        rng.shuffle(facts)
        out.append(facts)
    return out


@pytest.fixture(scope="module")
def pool():
    with EnginePool(RULES, workers=2) as pool:
        yield pool


def test_the_pool_returns_the_same_matches_as_an_in_process_engine(pool):
    sets = fact_sets(30)
    local = RuleEngine(RULES)
    expected = [local.run(facts) for facts in sets]
    assert any(expected)
    assert pool.run_many(sets) == expected
    assert pool.run(sets[0]) == expected[0]


def test_the_in_process_mode_gives_the_same_matches(pool):
    sets = fact_sets(5, seed=2)
    with EnginePool(RULES, workers=0) as local:
        assert local.workers == 0
        assert local.run_many(sets) == pool.run_many(sets)


@pytest.mark.parametrize("workers", [0, 2])
def test_facts_prepared_in_this_process_are_checked_by_the_workers(pool, workers):
    """A parent's facts, prepared once here, go with every county's facts to the workers."""
    runner = pool if workers else EnginePool(RULES, workers=0)
    local = RuleEngine(RULES)
    province = [target("province", f"i{k}", 5.0) for k in range(10)]
    counties = [[target("county", f"i{k}", float(k))] for k in range(10)]
    shared = runner.prepare(province)
    assert len(shared) == 10 and local.run([], shared)  # any engine with the same rules takes it
    expected = [local.run([*county, *province]) for county in counties]
    assert runner.run_many(counties, shared=[shared]) == expected
    assert runner.run(counties[3], shared) == expected[3]
    assert runner.run(runner.prepare(counties[3]), shared) == expected[3]


def test_many_threads_can_share_one_pool(pool):
    sets = fact_sets(24, seed=3)
    local = RuleEngine(RULES)
    wanted = [local.run(facts) for facts in sets]
    failures: list[int] = []

    def worker(n: int) -> None:
        for i in range(n, len(sets), 6):
            if pool.run(sets[i]) != wanted[i]:
                failures.append(i)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_a_bad_fact_raises_engine_error_from_the_worker_without_a_restart(pool):
    restarts = pool.restarts
    with pytest.raises(EngineError, match=r"fact #0: key 'x' holds a nested dict") as caught:
        pool.run([{"x": {"y": 1}}])
    assert caught.value.key == "x"
    assert pool.restarts == restarts


def test_bad_rules_fail_in_the_callers_process_before_any_worker_starts():
    with pytest.raises(EngineError, match="rule name 'bad name'"):
        EnginePool({"bad name": {"all": [{"p": {"a": 1}}]}}, workers=1)


def test_the_pool_recovers_from_a_worker_segfault_by_retrying_on_a_fresh_pool(tmp_path):
    marker = tmp_path / "crashed"
    facts = [target("province", "gdp", 5.0)]  # fires "missing", whose hook kills the worker
    with EnginePool(RULES, workers=1, on_match=crash_for_test(str(marker))) as pool:
        matches = pool.run(facts)
        assert marker.exists()  # the first attempt did crash its worker …
        assert int(marker.read_text()) != os.getpid()  # … a worker, not this process
        assert pool.restarts == 1
    assert [m.rule for m in matches] == ["missing"]


def test_a_worker_that_crashes_on_every_attempt_raises_engine_error():
    with EnginePool(RULES, workers=1, on_match=crash_for_test()) as pool:
        with pytest.raises(EngineError, match="died twice"):
            pool.run([target("province", "gdp", 5.0)])
        assert pool.run([]) == []  # the pool itself still works for checks that do not crash


def test_a_closed_pool_refuses_work():
    pool = EnginePool(RULES, workers=0)
    pool.close()
    pool.close()
    with pytest.raises(EngineError, match="closed"):
        pool.run([])


@pytest.mark.parametrize("workers", [0, 2])
def test_a_bad_fact_in_run_many_names_its_fact_set(pool, workers):
    sets = [[target("province", "a", 1.0)], [target("county", "a", 1.0)], [{"x": [1]}]]
    runner = pool if workers else EnginePool(RULES, workers=0)
    with pytest.raises(EngineError, match=r"fact set #2: fact #0: key 'x'") as caught:
        runner.run_many(sets)
    assert (caught.value.fact_set, caught.value.fact_index, caught.value.key) == (2, 0, "x")


def test_threads_hit_by_one_worker_crash_all_recover_with_a_single_restart(tmp_path):
    marker = tmp_path / "crashed"
    sets = fact_sets(16, seed=4)
    local = RuleEngine(RULES)
    wanted = [local.run(facts) for facts in sets]
    got: dict[int, Any] = {}
    with EnginePool(RULES, workers=2, on_match=crash_for_test(str(marker))) as pool:

        def worker(n: int) -> None:
            got[n] = pool.run_many(sets[n::4])

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert marker.exists()
        assert pool.restarts == 1
    assert [got[n] for n in range(4)] == [wanted[n::4] for n in range(4)]
