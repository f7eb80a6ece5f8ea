"""Per-check latency and memory of the alignment check on the 慈溪/浙江 corpus pair.

Run with `make bench`. Prints p50/p99 of (a) rules only — facts already extracted — and
(b) extraction plus check, over 1,000 repeated checks, and RSS before and after 10,000 checks.
Figures, never assertions: speed is measured here, not in unit tests.
"""

from __future__ import annotations

import json
import statistics
import time

from harness.figures import PLANS, RESULTS, percentile, rss_mib, save
from rulesengine.check import PlanFacts, check_plan
from rulesengine.plans import load_plan


def main(repeats: int = 1000, soak: int = 10_000) -> dict[str, float]:
    county = load_plan(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt")
    parents = [
        load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"),
        load_plan(PLANS / "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt"),
    ]
    county_facts = PlanFacts.from_plan(county)
    parent_facts = [PlanFacts.from_plan(p) for p in parents]
    first = check_plan(county_facts, parent_facts)  # warm: builds the engine once per process

    rules_ms = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        check_plan(county_facts, parent_facts)
        rules_ms.append((time.perf_counter() - t0) * 1000)
    # The same county under a new plan id each time: a plan never seen before, so its facts are
    # built and normalised afresh (the parents' come from the caches), as for each new county of
    # a batch or an upload. (An equal copy would be a cache hit: facts are cached by value.)
    fresh_ms = []
    for i in range(repeats):
        fresh = county_facts.model_copy(update={"plan": county.model_copy(update={"id": f"cixi-{i}"})})
        t0 = time.perf_counter()
        check_plan(fresh, parent_facts)
        fresh_ms.append((time.perf_counter() - t0) * 1000)
    full_ms = []
    for i in range(min(repeats, 200)):
        new_county = county.model_copy(update={"id": f"cixi-full-{i}"})  # new to the caches
        t0 = time.perf_counter()
        check_plan(PlanFacts.from_plan(new_county), [PlanFacts.from_plan(p) for p in parents])
        full_ms.append((time.perf_counter() - t0) * 1000)

    before = rss_mib()
    t0 = time.perf_counter()
    for _ in range(soak):
        check_plan(county_facts, parent_facts)
    soak_s = time.perf_counter() - t0
    after = rss_mib()
    result = {
        "findings": len(first.findings),
        "facts_county": len(county_facts.targets),
        "rules_only_p50_ms": round(statistics.median(rules_ms), 3),
        "rules_only_p99_ms": round(percentile(rules_ms, 0.99), 3),
        "rules_only_new_county_p50_ms": round(statistics.median(fresh_ms), 3),
        "rules_only_new_county_p99_ms": round(percentile(fresh_ms, 0.99), 3),
        "extract_plus_check_p50_ms": round(statistics.median(full_ms), 3),
        "extract_plus_check_p99_ms": round(percentile(full_ms, 0.99), 3),
        "soak_checks": soak,
        "soak_seconds": round(soak_s, 2),
        "rss_before_mib": round(before, 1),
        "rss_after_mib": round(after, 1),
        "rss_growth_mib": round(after - before, 1),
    }
    print(
        f"check 慈溪 2023 vs 浙江 2023 + 2021-2025: {result['findings']} findings\n"
        f"  rules only ({repeats} checks): p50 {result['rules_only_p50_ms']} ms, "
        f"p99 {result['rules_only_p99_ms']} ms; county as a new object: "
        f"p50 {result['rules_only_new_county_p50_ms']} ms, p99 {result['rules_only_new_county_p99_ms']} ms\n"
        f"  extraction + check ({len(full_ms)} checks): p50 {result['extract_plus_check_p50_ms']} ms, "
        f"p99 {result['extract_plus_check_p99_ms']} ms\n"
        f"  RSS over {soak:,} checks: {before:.1f} → {after:.1f} MiB "
        f"(+{after - before:.1f} MiB, {soak / soak_s:,.0f} checks/s)"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "check.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    save("check", result)
    return result


if __name__ == "__main__":
    main()
