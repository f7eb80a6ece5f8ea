"""The cross-county check (rulesengine.across.check_across) over 浙江 2023 + 浙江 2021-2025 and
N synthetic county plans (tools.synth, fixed seed): seconds to compute the share, peer and chain
facts and run the `scope: across` rules, with the facts and findings counted.

Run with `make bench`, or `.venv/bin/python bench/across.py 90 900 2843` for other sizes (the
synthetic counties fill 浙江's 90 first, then the rest of China). Extraction happens first and is
not timed: the batch has every plan's targets already when it runs this. Figures, never
assertions; stored in bench/results/latest.json, section "across".
"""

from __future__ import annotations

import sys
import time
from typing import Any

from harness.figures import PLANS, save
from rulesengine.across import check_across
from rulesengine.facts import PlanFacts
from rulesengine.plans import load_plan, plan_from_text
from tools.synth import generate

PARENTS = ["zhejiang-2023-jingxin-gongzuo-yaodian.txt", "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt"]
SEED = 2026


def main(sizes: list[int]) -> dict[str, Any]:
    parents = [PlanFacts.from_plan(load_plan(PLANS / name)) for name in PARENTS]
    counties = [
        PlanFacts.from_plan(
            plan_from_text(s.text, region=s.region, period=s.period, plan_id=s.id, level=s.level)
        )
        for s in generate(max(sizes), SEED)
    ]
    check_across(parents + counties[:5])  # the engine built and warmed, as a batch's workers have it
    figures: dict[str, Any] = {}
    for n in sizes:
        started = time.perf_counter()
        cpu = time.process_time()
        result = check_across(parents + counties[:n])
        wall, used = time.perf_counter() - started, time.process_time() - cpu
        row = {
            "counties": n,
            "seconds": round(wall, 3),
            "cpu_seconds": round(used, 3),
            "shares": len(result.shares),
            "peers": len(result.peers),
            "chains": len(result.chains),
            "findings": len(result.findings),
        }
        figures[str(n)] = row
        print(
            f"{n:>5} 县 counties: {wall:6.2f} s (CPU {used:6.2f} s); 事实 share {row['shares']}, "
            f"peer {row['peers']}, chain {row['chains']}; 发现 {row['findings']}"
        )
    save("across", figures)
    return figures


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [90, 900])
