"""Batch throughput: 3,000 synthetic county plans read, extracted, checked and reported by
`planalign batch` (rulesengine.batch.run_batch) with 1 and 2 worker processes.

Run with `make bench`. Generates the plans (tools.synth, fixed seed) into a temp folder,
checks them against 浙江 2023 + 浙江 2021-2025, and prints and stores (bench/results/latest.json,
section "batch"): wall seconds and plans/s for each worker count — from discovering the folder to
the written summary.xlsx — the CPU seconds the workers used (a figure other load on the machine
does not inflate), the load average before each run, and extraction recall on the synthetic set.
Figures, never assertions.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.figures import PLANS, save
from rulesengine.batch import run_batch
from rulesengine.evaluation import FileScore, load_gold, score
from rulesengine.extract import extract_targets
from rulesengine.plans import load_plan
from tools.synth import generate, write

PARENTS = [
    PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt",
    PLANS / "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt",
]
COUNTIES = 3000
SEED = 2026


def recall(folder: Path) -> dict[str, float]:
    """Extraction scored against the generated gold files (written from the sentence shapes)."""
    total = FileScore("synthetic")
    for gold_path in sorted(folder.glob("*.gold.yaml")):
        plan = load_plan(folder / gold_path.name.replace(".gold.yaml", ".txt"))
        total += score(plan.id, extract_targets(plan.text, plan.period), load_gold(gold_path, plan.text))
    return {
        "precision": round(total.precision, 4),
        "recall": round(total.recall, 4),
        "f1": round(total.f1, 4),
        "other_recall": round(total.other_recall, 4),
    }


def main() -> dict[str, Any]:
    figures: dict[str, Any] = {"plans": COUNTIES, "seed": SEED, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="planalign-bench-batch-") as tmp:
        folder = Path(tmp) / "plans"
        started = time.perf_counter()
        write(generate(COUNTIES, SEED), folder)
        figures["generate_seconds"] = round(time.perf_counter() - started, 2)
        for workers in (2, 1):
            load = os.getloadavg()[0]
            # the synthetic counties span China: every one is checked against 浙江's plans on
            # purpose (allow region), or most would be refused as not under them
            result = run_batch(
                folder, PARENTS, Path(tmp) / f"out-{workers}", workers=workers, allow=("region", "period")
            )
            used = sum(o.cpu_seconds for o in result.outcomes)  # measured in the workers
            findings = sum(len(o.findings) for o in result.outcomes)
            figures[f"workers_{workers}"] = {
                "seconds": round(result.seconds, 2),
                "plans_per_second": round(COUNTIES / result.seconds, 1),
                "worker_cpu_seconds": round(used, 2),
                "worker_cpu_ms_per_plan": round(used / COUNTIES * 1000, 2),
                "failed": len(result.failed),
                "restarts": result.restarts,
                "findings": findings,
                "load_average_before": round(load, 2),
                "phases_seconds": result.phases,
            }
            print(
                f"batch: {COUNTIES} synthetic plans, {workers} worker(s): {result.seconds:.1f} s "
                f"({COUNTIES / result.seconds:.0f} plans/s), workers' CPU {used:.1f} s "
                f"({used / COUNTIES * 1000:.1f} ms a plan), {len(result.failed)} failed, "
                f"{findings} findings; load average before {load:.2f}; phases {result.phases}"
            )
        started = time.perf_counter()
        figures["extraction"] = recall(folder)
        figures["extraction"]["seconds"] = round(time.perf_counter() - started, 2)
    e = figures["extraction"]
    print(
        f"extraction on the synthetic set: P {e['precision']:.3f} R {e['recall']:.3f} "
        f"F1 {e['f1']:.3f} other: R {e['other_recall']:.3f}"
    )
    save("batch", figures)
    return figures


if __name__ == "__main__":
    main()
    sys.exit(0)
