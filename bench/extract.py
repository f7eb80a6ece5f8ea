"""Extraction throughput on the five corpus documents: seconds and characters per second.

Run with `make bench`. Prints figures; asserts nothing (speed is measured here, never in tests).
"""

from __future__ import annotations

import json
import time

from harness.figures import PLANS, RESULTS, save
from rulesengine.extract import extract_targets
from rulesengine.plans import load_plan

ROUNDS = 20


def main() -> None:
    plans = [load_plan(p) for p in sorted(PLANS.glob("*.txt"))]
    chars = sum(len(p.text) for p in plans)
    for p in plans:  # warm caches (catalog, phrasing) outside the timing
        extract_targets(p.text, p.period)
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for p in plans:
            extract_targets(p.text, p.period)
    per_round = (time.perf_counter() - started) / ROUNDS
    result = {
        "documents": len(plans),
        "characters": chars,
        "seconds_all_five": round(per_round, 4),
        "characters_per_second": round(chars / per_round),
    }
    print(
        f"extract: {len(plans)} documents, {chars} characters in {per_round * 1000:.1f} ms "
        f"→ {chars / per_round:,.0f} characters/s (mean of {ROUNDS} rounds)"
    )
    out = RESULTS / "extract.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    save("extract", result)


if __name__ == "__main__":
    main()
