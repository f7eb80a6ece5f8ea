"""Soak test: mixed API traffic against a real `planalign serve` on loopback, for a set time.

Starts the service as a subprocess on 127.0.0.1 (a free port) with a fresh SQLite database in a
temp directory, creates one token per role, uploads the two 浙江 parent plans, then drives
uploads, revisions, checks, listings, finding reviews and audit reads from ``--concurrency``
threads until ``--duration`` seconds have passed. Every ``--interval`` seconds it prints the
requests so far, errors, and the resident memory (RSS) of the server and of the server with its
engine worker processes. At the end it stops the server, prints a summary per operation
(count, p50/p95 latency, statuses) and writes it to bench/results/soak.json.

Not part of `make test` nor of `make bench`: run it by hand (`python bench/soak.py --duration 60`)
or with `make soak`. Exit status 1 if any request got a 5xx or failed at the transport level.

What counts as an error: a 5xx or a transport failure. 4xx answers that concurrent use makes
normal (409 when two reviewers race or a revision repeats the text, 404 for a plan deleted …)
are counted per operation but are not errors; any other 4xx is reported as "unexpected".
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from harness.figures import PLANS, RESULTS, percentile, rss_kib
from harness.server import HOST, free_port, start_server, stop_server

COUNTIES = ["慈溪", "余姚", "海宁", "义乌", "诸暨", "乐清", "瑞安", "温岭", "临海", "桐乡", "平湖", "东阳"]
INDICATORS = [
    "规上工业增加值增长{v}%",
    "数字经济核心产业增加值增长{v}%",
    "制造业投资增长{v}%",
    "高新技术产业投资增长{v}%",
    "规上工业亩均税收增长{v}%",
]
# 4xx answers that concurrent, realistic use produces; anything else is "unexpected".
EXPECTED_4XX = {
    "upload": {409},
    "revision": {404, 409},
    "check": {404, 409, 422},
    "review": {404, 409},
    "detail": {404},
    "findings": {404},
}


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (the engine workers and their forkserver)."""
    parents: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents[ppid].append(int(entry))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found.extend(children)
        todo.extend(children)
    return found


@dataclass
class Stats:
    """What the traffic threads record; one lock, since the counts are shared."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    transport_errors: Counter[str] = field(default_factory=Counter)
    samples: list[dict[str, float]] = field(default_factory=list)

    def record(self, op: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies[op].append(seconds)
            self.statuses[op][status] += 1

    def total(self) -> int:
        with self.lock:
            return sum(sum(c.values()) for c in self.statuses.values())

    def errors(self) -> int:
        with self.lock:
            server = sum(n for c in self.statuses.values() for s, n in c.items() if s >= 500)
            return server + sum(self.transport_errors.values())

    def unexpected(self) -> int:
        with self.lock:
            return sum(
                n
                for op, c in self.statuses.items()
                for s, n in c.items()
                if 400 <= s < 500 and s not in EXPECTED_4XX.get(op, set())
            )


@dataclass
class World:
    """What the traffic knows about the server's data, to aim requests at real rows."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    plans: list[str] = field(default_factory=list)
    checks: list[int] = field(default_factory=list)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def plan(self, rng: random.Random) -> str | None:
        with self.lock:
            return rng.choice(self.plans) if self.plans else None

    def check(self, rng: random.Random) -> int | None:
        with self.lock:
            return rng.choice(self.checks[-50:]) if self.checks else None


def county_text(rng: random.Random) -> str:
    """A short county plan: a few headline indicators with random values (some weaker than 浙江's)."""
    picks = rng.sample(INDICATORS, k=rng.randint(2, len(INDICATORS)))
    body = ",".join(p.format(v=rng.choice([3, 5, 6, 7, 8, 9.5, 10, 12, 15])) for p in picks)
    return f"2023年主要预期目标:全市{body}。"


def run_traffic(
    base: str, tokens: dict[str, str], stats: Stats, world: World, deadline: float, seed: int
) -> None:
    """One traffic thread: weighted random operations until the deadline."""
    rng = random.Random(seed)
    cixi = (PLANS / "cixi-2023-jingxin-gongzuo-silu.txt").read_text(encoding="utf-8")
    auth = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}

    def upload(client: httpx.Client) -> httpx.Response:
        n = next(world.counter)
        text = cixi + f"\n附:{county_text(rng)}" if rng.random() < 0.2 else county_text(rng)
        body = {"id": f"soak-{seed}-{n}", "region": rng.choice(COUNTIES), "period": "2023", "text": text}
        response = client.post("/plans/text", json=body, headers=auth["submitter"])
        if response.status_code == 201:
            with world.lock:
                world.plans.append(body["id"])
        return response

    def revision(client: httpx.Client) -> httpx.Response | None:
        plan = world.plan(rng)
        if plan is None:
            return None
        body = {"text": county_text(rng), "comment": "浸泡测试修订"}
        return client.post(f"/plans/{plan}/revisions/text", json=body, headers=auth["submitter"])

    def check(client: httpx.Client) -> httpx.Response | None:
        plan = world.plan(rng)
        if plan is None:
            return None
        response = client.post(f"/plans/{plan}/checks", headers=auth["submitter"])
        if response.status_code == 201:
            with world.lock:
                world.checks.append(int(response.json()["id"]))
        return response

    def listing(client: httpx.Client) -> httpx.Response:
        path = rng.choice(["/plans?limit=50", "/checks?limit=20", "/plans?within=浙江省&limit=20"])
        return client.get(path, headers=auth["reviewer"])

    def detail(client: httpx.Client) -> httpx.Response | None:
        plan = world.plan(rng)
        return None if plan is None else client.get(f"/plans/{plan}", headers=auth["reviewer"])

    def findings(client: httpx.Client) -> httpx.Response | None:
        check_id = world.check(rng)
        if check_id is None:
            return None
        return client.get(f"/checks/{check_id}/findings?limit=100", headers=auth["reviewer"])

    def review(client: httpx.Client) -> httpx.Response | None:
        check_id = world.check(rng)
        if check_id is None:
            return None
        page = client.get(f"/checks/{check_id}/findings?status=open&limit=20", headers=auth["reviewer"])
        items = page.json().get("items", []) if page.status_code == 200 else []
        if not items:
            return None
        finding = rng.choice(items)
        decision = rng.choice(["confirmed", "dismissed", "fixed"])
        body = {"status": decision, "comment": "浸泡测试审核", "version": finding["version"]}
        return client.patch(f"/findings/{finding['id']}", json=body, headers=auth["reviewer"])

    def audit(client: httpx.Client) -> httpx.Response:
        return client.get("/audit?limit=20", headers=auth["admin"])

    operations: list[tuple[str, Callable[[httpx.Client], httpx.Response | None], int]] = [
        ("upload", upload, 10),
        ("revision", revision, 8),
        ("check", check, 15),
        ("listing", listing, 20),
        ("detail", detail, 12),
        ("findings", findings, 15),
        ("review", review, 12),
        ("audit", audit, 8),
    ]
    names = [name for name, _, _ in operations]
    weights = [weight for _, _, weight in operations]
    by_name = {name: fn for name, fn, _ in operations}
    with httpx.Client(base_url=base, timeout=60.0) as client:
        while time.monotonic() < deadline:
            name = rng.choices(names, weights)[0]
            started = time.perf_counter()
            try:
                response = by_name[name](client)
            except httpx.HTTPError as exc:
                with stats.lock:
                    stats.transport_errors[f"{name}: {type(exc).__name__}"] += 1
                continue
            if response is not None:
                stats.record(name, response.status_code, time.perf_counter() - started)


def seed_parents(base: str, tokens: dict[str, str]) -> None:
    auth = {"Authorization": f"Bearer {tokens['submitter']}"}
    for name, pid, period in (
        ("zhejiang-2023-jingxin-gongzuo-yaodian.txt", "zj-2023", "2023"),
        ("zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt", "zj-2021-2025", "2021-2025"),
    ):
        text = (PLANS / name).read_text(encoding="utf-8")
        body = {"id": pid, "region": "浙江省", "period": period, "text": text}
        response = httpx.post(f"{base}/plans/text", json=body, headers=auth, timeout=60.0)
        response.raise_for_status()


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "first": values[0] if values else 0.0,
        "max": max(values, default=0.0),
        "last": values[-1] if values else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of traffic (default 60)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between reports (default 5)")
    parser.add_argument("--engine-workers", type=int, default=None, help="passed to serve (default: its own)")
    parser.add_argument("--write-rate", type=float, default=0, help="writes/min per token; 0: limit off")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (db, server log)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="planalign-soak-"))
    port = free_port()
    server, tokens = start_server(
        workdir,
        port,
        db="soak.db",
        tokens={role: f"浸泡{role}" for role in ("submitter", "reviewer", "admin")},
        env={"PLANALIGN_WRITE_RATE_PER_MINUTE": str(args.write_rate)},
        serve=[] if args.engine_workers is None else ["--engine-workers", str(args.engine_workers)],
    )
    base = f"http://{HOST}:{port}"
    stats, world = Stats(), World()
    try:
        seed_parents(base, tokens)
        started = time.monotonic()
        deadline = started + args.duration
        threads = [
            threading.Thread(target=run_traffic, args=(base, tokens, stats, world, deadline, args.seed + i))
            for i in range(args.concurrency)
        ]
        for thread in threads:
            thread.start()
        print(
            f"soak: {base} pid {server.pid}, {args.concurrency} threads, {args.duration:g} s, data {workdir}"
        )
        columns = ("t/s", 6), ("requests", 9), ("req/s", 7), ("errors", 7), ("unexp.", 7), ("server MiB", 11)
        print(" ".join(f"{name:>{width}}" for name, width in (*columns, ("+workers", 9))))
        last_total, last_t = 0, started
        while any(t.is_alive() for t in threads):
            time.sleep(min(args.interval, max(0.1, deadline - time.monotonic() + 0.5)))
            now, total = time.monotonic(), stats.total()
            own = rss_kib(server.pid) / 1024
            workers = own + sum(rss_kib(p) for p in descendants(server.pid)) / 1024
            sample = {
                "t": round(now - started, 1),
                "requests": total,
                "rate": round((total - last_total) / max(now - last_t, 1e-9), 1),
                "errors": stats.errors(),
                "unexpected": stats.unexpected(),
                "server_rss_mib": round(own, 1),
                "total_rss_mib": round(workers, 1),
            }
            stats.samples.append(sample)
            last_total, last_t = total, now
            print(
                f"{sample['t']:>6.0f} {total:>9} {sample['rate']:>7.1f} {sample['errors']:>7} "
                f"{sample['unexpected']:>7} {own:>11.1f} {workers:>9.1f}"
            )
        for thread in threads:
            thread.join()
        health = httpx.get(f"{base}/health", timeout=5.0).status_code
    finally:
        stop_server(server)
    elapsed = time.monotonic() - started
    summary = report(stats, world, elapsed, health, workdir)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if summary["errors"] else 0


def report(stats: Stats, world: World, elapsed: float, health: int, workdir: Path) -> dict[str, Any]:
    print(f"\n{'operation':<10} {'count':>7} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    operations = {}
    for op in sorted(stats.statuses):
        lat = stats.latencies[op]
        p50, p95 = statistics.median(lat) * 1000, percentile(lat, 0.95) * 1000
        codes = dict(sorted(stats.statuses[op].items()))
        operations[op] = {
            "count": len(lat),
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "statuses": codes,
        }
        print(f"{op:<10} {len(lat):>7} {p50:>8.1f} {p95:>8.1f}  {codes}")
    rss = _spread([s["server_rss_mib"] for s in stats.samples])
    total_rss = _spread([s["total_rss_mib"] for s in stats.samples])
    db_size = (workdir / "soak.db").stat().st_size if (workdir / "soak.db").exists() else 0
    summary: dict[str, Any] = {
        "seconds": round(elapsed, 1),
        "requests": stats.total(),
        "requests_per_second": round(stats.total() / max(elapsed, 1e-9), 1),
        "errors": stats.errors(),
        "transport_errors": dict(stats.transport_errors),
        "unexpected_4xx": stats.unexpected(),
        "plans": len(world.plans),
        "checks": len(world.checks),
        "server_rss_mib": rss,
        "total_rss_mib": total_rss,
        "database_mib": round(db_size / 2**20, 1),
        "health_after": health,
        "operations": operations,
        "samples": stats.samples,
    }
    print(
        f"\n{summary['requests']} requests in {summary['seconds']} s ({summary['requests_per_second']}/s); "
        f"errors (5xx or transport): {summary['errors']}; unexpected 4xx: {summary['unexpected_4xx']}; "
        f"{summary['plans']} plans, {summary['checks']} checks stored; database {summary['database_mib']} MiB"
    )
    print(
        f"server RSS {rss['first']} → {rss['last']} MiB (max {rss['max']}); with engine workers "
        f"{total_rss['first']} → {total_rss['last']} MiB (max {total_rss['max']}); /health after: {health}"
    )
    return summary


if __name__ == "__main__":
    sys.exit(main())
