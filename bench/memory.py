"""Memory over 10,000 checks of different counties: RSS before and after, in process.

Run with `make bench`. bench/check.py repeats one check (慈溪 vs 浙江), whose sides (each plan's
facts, prepared by the engine) rulesengine.check keeps after the first; this one checks 300
synthetic county plans in turn, each time as a new PlanFacts object (as a batch or the service
sees new plans), against the same two 浙江 parents, so the bounded sides kept per engine fill,
turn over and refill while the parents' stay. Prints and stores (bench/results/latest.json,
section "memory") RSS before, every 2,000 checks, and after. Figures, never assertions.
"""

from __future__ import annotations

import time
from typing import Any

from harness.figures import PLANS, rss_mib, save
from rulesengine.check import PlanFacts, check_plan
from rulesengine.plans import load_plan, plan_from_text
from tools.synth import generate

CHECKS = 10_000
_ANY_PARENT = ("region", "period")
"""The synthetic counties span China and two years: this measures the memory of checks, so every
county is checked against 浙江's plans on purpose instead of being refused as not under them."""
COUNTIES = 300


def main() -> dict[str, Any]:
    parents = [
        PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt")),
        PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt")),
    ]
    counties = [
        PlanFacts.from_plan(plan_from_text(s.text, region=s.region, period=s.period, plan_id=s.id))
        for s in generate(COUNTIES, 5)
    ]
    for county in counties:  # warm: engine, caches, allocator
        check_plan(county.model_copy(), parents, allow=_ANY_PARENT)
    before = rss_mib()
    samples = []
    started = time.perf_counter()
    for i in range(CHECKS):
        check_plan(counties[i % COUNTIES].model_copy(), parents, allow=_ANY_PARENT)
        if (i + 1) % 2000 == 0:
            samples.append(round(rss_mib(), 1))
    seconds = time.perf_counter() - started
    after = rss_mib()
    figures = {
        "checks": CHECKS,
        "counties": COUNTIES,
        "seconds": round(seconds, 1),
        "ms_per_check": round(seconds / CHECKS * 1000, 2),
        "rss_before_mib": round(before, 1),
        "rss_every_2000_mib": samples,
        "rss_after_mib": round(after, 1),
        "rss_growth_mib": round(after - before, 1),
    }
    print(
        f"memory: {CHECKS:,} checks of {COUNTIES} different counties (new objects) vs 浙江: RSS "
        f"{before:.1f} → {after:.1f} MiB (+{after - before:.1f}); every 2,000: {samples}; "
        f"{figures['ms_per_check']} ms a check"
    )
    save("memory", figures)
    return figures


if __name__ == "__main__":
    main()
