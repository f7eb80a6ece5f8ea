"""The engine end to end (rulesengine.engine.host): right answers, whatever the order or however the
facts are prepared and split, and none of the C core's traps."""

from __future__ import annotations

import os
import pickle
import random
import threading

import pytest

from rulesengine.engine import EngineError, Match, PreparedFacts, RuleEngine, normalise_facts
from tests.engine.conftest import KNOWN, RULES, reference, summary, target


def test_join_and_negation_find_exactly_the_known_weaker_and_missing_targets(engine):
    assert summary(engine.run(KNOWN)) == [
        ("missing", (("p", "province", "rd_intensity"),)),
        ("weaker", (("c", "county", "industrial_va_growth"), ("p", "province", "industrial_va_growth"))),
    ]


def test_matched_facts_are_the_normalised_facts_with_a_fact_id(engine):
    weaker = next(m for m in engine.run(KNOWN) if m.rule == "weaker")
    assert weaker.facts["c"] == {
        "fid": weaker.facts["c"]["fid"],
        "type": "target",
        "plan": "cixi",
        "level": "county",
        "indicator": "industrial_va_growth",
        "kind": "baseline",
        "value": 5.0,
        "year": 2023,
    }
    assert isinstance(weaker.facts["c"]["year"], int)
    assert weaker.facts["c"]["fid"] != weaker.facts["p"]["fid"]
    assert "sid" not in weaker.facts["p"] and "id" not in weaker.facts["p"]


def test_negation_agrees_with_a_python_reference_under_200_random_orders(engine):
    rng = random.Random(20231)
    indicators = [f"ind{i}" for i in range(12)]
    for _ in range(200):
        facts = [target("province", i, rng.choice([3.0, 5.5, 8.0])) for i in indicators]
        facts += [
            target("county", i, rng.choice([3.0, 5.5, 8.0]))
            for i in rng.sample(indicators, rng.randint(0, 12))
        ]
        # A random leading key puts facts into the C core in a random order (the adapter asserts
        # them in canonical order), so province facts often arrive before their county facts.
        for fact in facts:
            fact["a_rank"] = rng.random()
        rng.shuffle(facts)
        assert sorted(summary(engine.run(facts))) == reference(facts)


def test_the_same_facts_in_any_order_give_identical_matches(engine):
    rng = random.Random(7)
    facts = [dict(f) for f in KNOWN]
    first = engine.run(facts)
    for _ in range(50):
        rng.shuffle(facts)
        assert engine.run([dict(reversed(list(f.items()))) for f in facts]) == first


def test_a_clean_plan_with_no_firing_rule_returns_an_empty_list_every_time(engine):
    clean = [target("province", "gdp_growth", 5.0), target("county", "gdp_growth", 6.0)]
    for _ in range(50):  # delete_state on a state where no action ran used to segfault
        assert engine.run(clean) == []


def test_no_facts_at_all_return_an_empty_list(engine):
    assert engine.run([]) == []


def test_a_fact_no_rule_matches_does_not_raise(engine):
    assert engine.run([{"type": "note", "text": "关于印发……的通知"}, {}]) == []


def test_duplicate_facts_in_any_key_order_count_once(engine):
    province = target("province", "industrial_va_growth", 5.5)
    twin = dict(reversed(list(province.items())))
    county = target("county", "industrial_va_growth", 5)
    county_float = dict(county, value=5.0)
    matches = engine.run([province, twin, county, county_float])
    assert summary(matches) == [
        ("weaker", (("c", "county", "industrial_va_growth"), ("p", "province", "industrial_va_growth")))
    ]
    assert len(normalise_facts([province, twin, county, county_float])) == 2


def test_year_2023_and_2023_point_0_join_after_normalisation(engine):
    facts = [
        target("province", "industrial_va_growth", 5.5, year=2023),
        target("county", "industrial_va_growth", 5, year=2023.0),
    ]
    matches = engine.run(facts)
    assert [m.rule for m in matches] == ["weaker"]
    assert matches[0].facts["c"]["year"] == 2023 and isinstance(matches[0].facts["c"]["year"], int)
    assert matches[0].facts["c"]["value"] == 5.0 and isinstance(matches[0].facts["c"]["value"], float)


def test_a_none_value_is_dropped_and_a_missing_join_field_means_no_match(engine):
    facts = [
        target("province", "industrial_va_growth", 5.5, note=None),
        target("county", "industrial_va_growth", None),
    ]
    matches = engine.run(facts)  # the county value is dropped: no join, and no error 311
    assert matches == []
    assert "note" not in normalise_facts(facts)[1][1]


@pytest.mark.parametrize("nested", [{"a": 1}, [1, 2], (1,), {1}])
def test_a_nested_value_raises_engine_error_naming_fact_and_key(engine, nested):
    facts = [target("province", "x", 1.0), target("county", "x", 1.0, detail=nested)]
    with pytest.raises(EngineError, match=r"fact #1: key 'detail' holds a nested") as caught:
        engine.run(facts)
    assert (caught.value.fact_index, caught.value.key) == (1, "detail")


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ({"id": "x"}, "key 'id' is reserved"),
        ({"fid": "x"}, "key 'fid' is reserved"),
        ({"__gate": "eval"}, "key '__gate' is reserved"),
        ({"$s": 1}, "key '\\$s' is reserved"),
        ({1: "x"}, "must be a non-empty string"),
        ({'a"b': 1}, "quotes, backslashes"),
        ({"value": float("nan")}, "not a finite number"),
        ({"year": 2023.5}, "'year' = 2023.5 must be a whole number"),
        ({"when": object()}, "holds a object"),
        ("not a dict", "fact #0 is a str, not a dict"),
    ],
)
def test_bad_facts_raise_engine_error_before_reaching_the_c_core(engine, fact, message):
    with pytest.raises(EngineError, match=message):
        engine.run([fact])
    assert engine.run([]) == []  # the engine is untouched


def test_floats_json_writes_with_an_exponent_are_checked_correctly(engine):
    # json.dumps writes 5e-05 and 1e+20 without a decimal point; the C parser segfaults on them.
    facts = [
        target("province", "tiny", 5e-05),
        target("county", "tiny", 1e-06),
        target("province", "huge", 1e20),
        target("county", "huge", 2e20),
    ]
    assert summary(engine.run(facts)) == [("weaker", (("c", "county", "tiny"), ("p", "province", "tiny")))]


def test_strings_with_quotes_backslashes_and_chinese_round_trip(engine):
    text = '“十四五”规划 "quoted" \\ back\tslash'
    facts = [target("province", text, 5.5), target("county", text, 5.0)]
    matches = engine.run(facts)
    assert [m.facts["c"]["indicator"] for m in matches] == [text]


def test_an_exception_in_an_action_surfaces_as_engine_error_naming_the_rule():
    def explode(match: Match) -> None:
        if match.rule == "missing":
            raise ValueError("boom in the action")

    engine = RuleEngine(RULES, on_match=explode)
    with pytest.raises(EngineError, match=r"rule 'missing': action failed with ValueError") as caught:
        engine.run(KNOWN)
    assert caught.value.rule == "missing"
    assert isinstance(caught.value.__cause__, ValueError)
    assert engine.run(KNOWN[:2]) != []  # and the engine carries on


def test_the_match_hook_sees_every_match():
    seen: list[Match] = []
    hooked = RuleEngine(RULES, on_match=seen.append)
    assert hooked.run(KNOWN) == sorted(seen, key=lambda m: m.rule)


def test_eight_threads_of_fifty_checks_each_get_their_own_results(engine):
    failures: list[str] = []

    def worker(n: int) -> None:
        rng = random.Random(n)
        for i in range(50):
            indicator = f"t{n}_{i}"
            facts = [target("province", indicator, 5.0), target("county", indicator, rng.choice([4.0, 6.0]))]
            facts += [target("province", f"only{n}", 1.0)]
            expected = reference(facts)
            got = sorted(summary(engine.run(facts)))
            if got != expected:
                failures.append(f"thread {n} check {i}: {got} != {expected}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_memory_stays_flat_over_3000_checks(engine):
    def rss_mib() -> float:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    rng = random.Random(3)
    sets = [
        [
            target(rng.choice(["province", "county"]), f"i{rng.randint(0, 30)}", rng.uniform(0, 9))
            for _ in range(40)
        ]
        for _ in range(20)
    ]
    for facts in sets:
        engine.run(facts)
    before = rss_mib()
    for i in range(3000):
        engine.run(sets[i % len(sets)])
    assert rss_mib() - before < 15


def test_fact_ids_depend_on_the_set_of_facts_not_their_order(engine):
    ids = {m.facts["p"]["fid"] for m in engine.run(KNOWN) if m.rule == "missing"}
    assert ids == {m.facts["p"]["fid"] for m in engine.run(list(reversed(KNOWN))) if m.rule == "missing"}


def test_a_join_after_a_nested_or_is_still_evaluated():
    # durable-rules stops evaluating a pattern after a nested group: the adapter moves groups last.
    engine = RuleEngine(
        {
            "below": {
                "all": [
                    {"p": {"level": "province"}},
                    {
                        "c": {
                            "$and": [
                                {"level": "county"},
                                {"$or": [{"kind": "a"}, {"kind": "b"}]},
                                {"$lt": {"value": {"p": "value"}}},
                            ]
                        }
                    },
                ]
            }
        }
    )
    province = {"level": "province", "value": 1.0}
    assert engine.run([province, {"level": "county", "kind": "a", "value": 3.0}]) == []
    assert [m.rule for m in engine.run([province, {"level": "county", "kind": "b", "value": 0.5}])] == [
        "below"
    ]
    assert engine.run([province, {"level": "county", "kind": "c", "value": 0.5}]) == []


def test_a_rule_made_only_of_a_negation_fires_when_nothing_matches_it():
    engine = RuleEngine({"no_county": {"all": [{"c$not": {"level": "county"}}]}})
    assert engine.run([]) == [Match("no_county", {})]
    assert engine.run([{"level": "county"}]) == []


def test_a_missing_own_field_in_arithmetic_means_no_match_not_a_true_comparison():
    # Unguarded, durable-rules treats {"$m": "other"} on a fact without "other" as satisfied.
    engine = RuleEngine(
        {
            "r": {
                "all": [
                    {"p": {"kind": "a"}},
                    {"c": {"$lt": {"value": {"$sub": {"$l": {"$m": "other"}, "$r": 1.0}}}}},
                ]
            }
        }
    )
    assert engine.run([{"kind": "a"}, {"value": 1.0}]) == []
    assert [m.rule for m in engine.run([{"kind": "a"}, {"value": 1.0, "other": 5.0}])] == ["r"]
    assert engine.run([{"kind": "a"}, {"value": 1.0, "other": 1.5}]) == []


def test_a_c_error_code_is_explained_and_the_engine_rebuilds_itself(monkeypatch):
    import durable_rules_engine

    engine = RuleEngine(RULES)
    expected = summary(engine.run(KNOWN))
    real = durable_rules_engine.assert_facts
    calls = []

    def failing(handle, payload):
        calls.append(payload)
        if len(calls) == 1:
            raise durable_rules_engine.error("Could not assert facts, error code: 311")
        return real(handle, payload)

    monkeypatch.setattr(durable_rules_engine, "assert_facts", failing)
    with pytest.raises(EngineError, match=r"error code: 311 \(a join refers to a property") as caught:
        engine.run(KNOWN)
    assert caught.value.code == 311
    assert summary(engine.run(KNOWN)) == expected  # on a rebuilt host
    assert len(calls) == 2


def test_engine_errors_pickle_with_their_details():
    error = EngineError("fact #3: bad", fact_index=3, key="value", rule=None, code=None)
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.fact_index, copy.key) == ("fact #3: bad", 3, "value")


# --------------------------------------------------------------------------------------------
# Prepared facts: made once, run with others, any number of times.


def test_facts_prepared_apart_give_the_matches_of_the_facts_run_together(engine):
    rng = random.Random(5)
    for _ in range(30):
        facts = [dict(f) for f in KNOWN] + [
            target("province", f"x{i}", rng.choice([1.0, 9.0])) for i in range(5)
        ]
        rng.shuffle(facts)
        cut = rng.randint(0, len(facts))
        together = engine.run(facts)
        assert engine.run(facts[:cut], engine.prepare(facts[cut:])) == together
        assert engine.run(engine.prepare(facts[cut:]), engine.prepare(facts[:cut])) == together
        # a fact in both parts counts once, as a duplicate does in one list
        assert engine.run(facts, engine.prepare(facts[:cut])) == together


def test_a_handle_is_reused_by_many_runs_and_threads_and_never_changes(engine):
    parent = engine.prepare([target("province", f"i{k}", 5.0) for k in range(10)])
    before = [(body, dict(fact)) for body, fact in parent.facts]
    failures: list[str] = []

    def worker(n: int) -> None:
        for i in range(30):
            county = [target("county", f"i{(n + i) % 10}", 4.0)]
            expected = reference([*county, *(dict(f) for _, f in before)])
            got = sorted(summary(engine.run(county, parent)))
            if got != expected:
                failures.append(f"thread {n} check {i}: {got} != {expected}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [(body, dict(fact)) for body, fact in parent.facts] == before


def test_a_handle_pickles_and_fits_any_engine_with_the_same_rules_only(engine):
    handle = pickle.loads(pickle.dumps(engine.prepare(KNOWN)))
    assert isinstance(handle, PreparedFacts) and (len(handle), handle.given) == (6, 6)
    assert RuleEngine(RULES).run(handle) == engine.run(KNOWN)
    other = RuleEngine({"any_target": {"all": [{"t": {"type": "target"}}]}})
    with pytest.raises(EngineError, match="prepared for other rules"):
        other.run(handle)
    with pytest.raises(EngineError, match="prepared for other rules"):
        other.run([], handle)


def test_only_the_first_part_of_a_run_may_be_raw_facts(engine):
    with pytest.raises(TypeError, match="only the first argument"):
        engine.run(KNOWN[:1], KNOWN[1:])  # type: ignore[arg-type]


def test_a_bad_fact_is_refused_when_prepared_naming_its_index(engine):
    with pytest.raises(EngineError, match="fact #1") as caught:
        engine.prepare([KNOWN[0], target("county", "x", float("nan"))])
    assert caught.value.fact_index == 1
