"""Batch throughput: 3,000 synthetic county plans read, extracted, checked and reported by
`planalign batch` (rulesengine.batch.run_batch) with 1 and 2 worker processes; then every
county-level unit of China (2,844 synthetic plans) as one batch job of the service.

Run with `make bench`. Generates the plans (tools.synth, fixed seed) into a temp folder,
checks them against 浙江 2023 + 浙江 2021-2025, and prints and stores (bench/results/latest.json,
section "batch"): wall seconds and plans/s for each worker count — from discovering the folder to
the written summary.xlsx — the CPU seconds the workers used (a figure other load on the machine
does not inflate), the load average before each run, and extraction recall on the synthetic set.
Figures, never assertions.

The service part starts a real `planalign serve` (bench/harness/server.py, SQLite, its default
engine workers), uploads the two 浙江 plans, then one zip of the synthetic plans with their
.meta.yaml as a batch checked against them (region check waived: the counties span China), and
polls the job to the end. It prints and stores (section "service_batch"): the upload's size and
seconds, each stage's seconds (reading, checking, across), plans/s, the server's CPU seconds and
peak RSS (its own process and its engine workers, sampled every 0.5 s), and the database's size.
`python bench/batch.py --only service --counties 300` runs that part alone, smaller.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx

from harness.figures import PLANS, children, rss_kib, save, tree_cpu_seconds
from harness.server import HOST, free_port, start_server, stop_server
from rulesengine.batch import run_batch
from rulesengine.evaluation import FileScore, load_gold, score
from rulesengine.extract import extract_targets
from rulesengine.plans import load_plan, meta_path, parse_meta
from tools.synth import generate, write

PARENTS = [
    PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt",
    PLANS / "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt",
]
COUNTIES = 3000
SERVICE_COUNTIES = 2844  # China's county-level units
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


def _tree(pid: int) -> list[int]:
    """The server and every process below it (its engine workers, their helpers)."""
    below = children(pid)
    return [pid, *(p for k in below for p in _tree(k))]


def _zip(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.iterdir()):
            if not p.name.endswith(".gold.yaml"):
                z.write(p, p.name)
    return buf.getvalue()


def service(counties: int) -> dict[str, Any]:
    """Every synthetic county in one batch job of a running service; figures, no assertions."""
    figures: dict[str, Any] = {"plans": counties, "seed": SEED, "cpus": os.cpu_count(), "database": "sqlite"}
    with tempfile.TemporaryDirectory(prefix="planalign-bench-service-batch-") as tmp:
        work = Path(tmp)
        folder = work / "plans"
        write(generate(counties, SEED), folder)
        payload = _zip(folder)
        figures["zip_mib"] = round(len(payload) / 2**20, 2)
        port = free_port()
        server, tokens = start_server(work, port, db="bench.db", tokens={"admin": "压测管理员"})
        base = f"http://{HOST}:{port}"
        auth = {"Authorization": f"Bearer {tokens['admin']}"}
        try:
            with httpx.Client(base_url=base, headers=auth, timeout=600) as client:
                for path in PARENTS:
                    meta = yaml_meta(path)
                    with path.open("rb") as fh:
                        client.post("/plans", data=meta, files={"file": (path.name, fh)}).raise_for_status()
                cpu0 = tree_cpu_seconds(_tree(server.pid))
                started = time.perf_counter()
                answer = client.post(
                    "/batches",
                    files={"files": ("china.zip", payload, "application/zip")},
                    data={
                        "parent_ids": ["zhejiang-2023", "zhejiang-2021-2025"],
                        "allow": ["region", "period"],
                    },
                )
                answer.raise_for_status()
                figures["upload_seconds"] = round(time.perf_counter() - started, 2)
                job_id = answer.json()["id"]
                stages: dict[str, float] = {}
                peak_kib = 0
                job: dict[str, Any] = {}
                while True:
                    pids = _tree(server.pid)
                    peak_kib = max(peak_kib, sum(rss_kib(p) for p in pids))
                    job = client.get(f"/batches/{job_id}").json()
                    stages.setdefault(job["stage"], time.perf_counter() - started)
                    if job["stage"] in ("done", "failed") or server.poll() is not None:
                        break
                    time.sleep(0.5)
                total = time.perf_counter() - started
                cpu = tree_cpu_seconds(_tree(server.pid)) - cpu0
                figures["reads_seconds"] = _reads(client, job_id)
        finally:
            stop_server(server)
        marks = [*sorted(stages.items(), key=lambda kv: kv[1]), ("end", total)]
        figures["stage_seconds"] = {a: round(marks[i + 1][1] - t, 2) for i, (a, t) in enumerate(marks[:-1])}
        figures.update(
            seconds=round(total, 2),
            plans_per_second=round(counties / total, 1),
            counts=job.get("counts"),
            across_findings=job.get("across_findings"),
            error=job.get("error"),
            server_cpu_seconds=round(cpu, 2),
            server_cpu_ms_per_plan=round(cpu / counties * 1000, 2),
            peak_rss_mib=round(peak_kib / 1024, 1),
            database_mib=round((work / "bench.db").stat().st_size / 2**20, 1),
        )
    print(
        f"service batch: {counties} synthetic plans ({figures['zip_mib']} MiB zip, upload "
        f"{figures['upload_seconds']} s): {figures['seconds']} s ({figures['plans_per_second']} plans/s), "
        f"stages {figures['stage_seconds']}, server CPU {figures['server_cpu_seconds']} s "
        f"({figures['server_cpu_ms_per_plan']} ms a plan), peak RSS {figures['peak_rss_mib']} MiB "
        f"(server and engine workers), database {figures['database_mib']} MiB; items {figures['counts']}, "
        f"{figures['across_findings']} findings across counties; reads {figures['reads_seconds']}"
    )
    save("service_batch", figures)
    return figures


def _reads(client: httpx.Client, job_id: int) -> dict[str, float]:
    """Seconds to build what a person opens once the job is done: the Word report, the Markdown
    and the dashboard page (its first 200 rows, and one city of them)."""
    client.post("/web/login", data={"token": client.headers["Authorization"].split()[1]})
    out: dict[str, float] = {}
    for name, url in (
        ("report_docx", f"/batches/{job_id}/report.docx"),
        ("report_md", f"/batches/{job_id}/report.md"),
        ("dashboard_page", f"/web/batches/{job_id}/dashboard"),
        ("dashboard_one_city", f"/web/batches/{job_id}/dashboard?city=3302"),
    ):
        started = time.perf_counter()
        answer = client.get(url)
        out[name] = round(time.perf_counter() - started, 2)
        out[f"{name}_mib"] = round(len(answer.content) / 2**20, 2)
        answer.raise_for_status()
    return out


def yaml_meta(path: Path) -> dict[str, str]:
    """A plan's form fields from its .meta.yaml, read by the project's own reader."""
    meta = parse_meta(meta_path(path).read_text(encoding="utf-8"), str(meta_path(path)))
    return {k: str(v) for k, v in meta.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["cli", "service"])
    parser.add_argument("--counties", type=int, default=SERVICE_COUNTIES, help="plans in the service batch")
    args = parser.parse_args()
    if args.only != "service":
        main()
    if args.only != "cli":
        service(args.counties)
    sys.exit(0)
