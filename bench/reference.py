"""durable-rules against the plain-Python reference evaluator, on the same facts, in one run.

Run with `make bench`. Builds the facts of (a) the 慈溪 2023 / 浙江 2023 + 2021-2025 check and
(b) 200 synthetic county plans against the same parents, then times RuleEngine.run and
ReferenceEngine.run on each fact list, alternately, and prints and stores
(bench/results/latest.json, section "reference") p50/p99 of each and the ratio durable/reference.
Both see the same facts, as a check hands them over: the parents' facts prepared once by each
engine (``prepare``: the durable-rules adapter validates, normalises, sieves and serialises them;
the reference copies them), the county's facts given raw to every call. Every match list is
compared too: the figure "mismatches" must be 0. Figures, never assertions.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from harness.figures import PLANS, percentile, save
from rulesengine.check import INT_FIELDS, PlanFacts, engine_for
from rulesengine.facts import build_facts
from rulesengine.plans import load_plan, plan_from_text
from rulesengine.rulebook import default_rulebook
from tools.reference import ReferenceEngine
from tools.synth import generate

REPEATS = 200
SYNTHETIC = 200

Facts = list[dict[str, Any]]


def content(matches: Sequence[Any]) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    return sorted((m.rule, tuple(sorted((p, str(f["ref"])) for p, f in m.facts.items()))) for m in matches)


def race(
    fact_lists: Sequence[Facts], engines: Mapping[str, Callable[[Facts], Sequence[Any]]]
) -> tuple[dict[str, list[float]], int]:
    """Each engine on each fact list, alternately; milliseconds per call and result mismatches."""
    times: dict[str, list[float]] = {name: [] for name in engines}
    mismatches = 0
    for facts in fact_lists:
        results = []
        for name, run in engines.items():
            started = time.perf_counter()
            found = run(facts)
            times[name].append((time.perf_counter() - started) * 1000)
            results.append(content(found))
        mismatches += any(r != results[0] for r in results[1:])
    return times, mismatches


def summary(times: dict[str, list[float]], mismatches: int, facts: float) -> dict[str, Any]:
    durable, reference = times["durable"], times["reference"]
    return {
        "checks": len(durable),
        "facts_per_check": round(facts, 1),
        "durable_p50_ms": round(statistics.median(durable), 3),
        "durable_p99_ms": round(percentile(durable, 0.99), 3),
        "reference_p50_ms": round(statistics.median(reference), 3),
        "reference_p99_ms": round(percentile(reference, 0.99), 3),
        "ratio_durable_to_reference_p50": round(statistics.median(durable) / statistics.median(reference), 3),
        "ratio_durable_to_reference_total": round(sum(durable) / sum(reference), 3),
        "mismatches": mismatches,
    }


def main() -> dict[str, Any]:
    rulebook = default_rulebook()
    durable = engine_for(rulebook)
    reference = ReferenceEngine(rulebook.engine_rules(), int_fields=INT_FIELDS)
    parents = [
        PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt")),
        PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt")),
    ]

    def built(county: PlanFacts) -> Facts:
        made = build_facts(county, parents, catalog=rulebook.catalog, headline_cues=rulebook.headline_cues)
        return list(made.facts)

    def facts_of(county: PlanFacts) -> Facts:
        return [f for f in built(county) if f["role"] != "parent"]

    county = PlanFacts.from_plan(load_plan(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt"))
    parent_facts = [f for f in built(county) if f["role"] == "parent"]  # the same in every check
    from_durable, from_reference = durable.prepare(parent_facts), reference.prepare(parent_facts)
    engines: dict[str, Callable[[Facts], Sequence[Any]]] = {
        "durable": lambda facts: durable.run(facts, from_durable),
        "reference": lambda facts: reference.run(facts, from_reference),
    }

    cixi = facts_of(county)
    synthetic = [
        facts_of(PlanFacts.from_plan(plan_from_text(p.text, region=p.region, period=p.period, plan_id=p.id)))
        for p in generate(SYNTHETIC, 31)
    ]
    race([cixi] * 5, engines)  # warm both
    figures = {
        "corpus_pair": summary(*race([cixi] * REPEATS, engines), len(cixi) + len(parent_facts)),
        "synthetic": summary(
            *race(synthetic, engines), statistics.mean(map(len, synthetic)) + len(parent_facts)
        ),
    }
    for name, f in figures.items():
        print(
            f"reference vs durable-rules, {name} ({f['checks']} checks, {f['facts_per_check']} facts): "
            f"durable p50 {f['durable_p50_ms']} ms p99 {f['durable_p99_ms']} ms; "
            f"reference p50 {f['reference_p50_ms']} ms p99 {f['reference_p99_ms']} ms; "
            f"durable/reference {f['ratio_durable_to_reference_p50']} (p50), "
            f"{f['ratio_durable_to_reference_total']} (total); mismatches {f['mismatches']}"
        )
    save("reference", figures)
    return figures


if __name__ == "__main__":
    main()
