"""API latency under load: 50 concurrent clients for 30 s against `planalign serve` on loopback,
on PostgreSQL, with one API process and then with two (``serve --workers 2``), in one run.

Run with `make bench`. Starts a throw-away PostgreSQL cluster (``tools.pgcluster``, as the tests
do), then for each number of API processes: a fresh database, the service as a subprocess on
127.0.0.1 (a free port) with its default engine worker processes (2 per API process), a
reviewer token and one submitter token per client (each client is one user, so the write rate
limit per token is never what is measured), the two 浙江 parent plans and one synthetic county
plan per client, each checked once; then ``CLIENTS`` asyncio clients (one httpx.AsyncClient
each, keep-alive) for ``SECONDS``: a GET-heavy mix of listings, plan, check and finding reads,
plus now and then a new check of the client's own plan. It prints and stores
(bench/results/latest.json, section "api", one entry per process count) p50/p99 per operation
and overall, requests/s, the error count — any answer that is not 2xx, and any transport
failure or timeout, is an error — and where the CPU went: the API processes, their engine
workers, PostgreSQL and the load client, each in CPU seconds and per request. Everything shares
the machine's CPUs (``os.cpu_count()`` is stored with the figures). Bounded: the traffic stops
at the deadline, a request times out after 30 s, the server is stopped (SIGINT, then SIGKILL)
and the cluster removed.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx

from harness.figures import PLANS, children, established, percentile, rss_mib, save, tree_cpu_seconds
from harness.server import HOST, free_port, start_server, stop_server
from tools.pgcluster import PgCluster, start_cluster
from tools.synth import generate

CLIENTS = 50
SECONDS = 30.0
WARMUP_SECONDS = 5.0  # the same load, not measured: each API process loads what it loads lazily
TIMEOUT = 30.0
# operation → weight; "run_check" is the only write (a POST that runs the rules).
MIX = {
    "list_plans": 20,
    "get_plan": 15,
    "list_checks": 10,
    "get_check": 15,
    "list_findings": 20,
    "get_finding": 10,
    "rules": 5,
    "run_check": 5,
}


async def seed(base: str, admin: str) -> dict[str, Any]:
    """Tokens, the parents, one county plan per client and a first check of each."""
    world: dict[str, Any] = {"tokens": [], "plans": [], "checks": [], "findings": []}
    async with httpx.AsyncClient(base_url=base, timeout=120.0) as client:
        boss = {"Authorization": f"Bearer {admin}"}

        async def token(role: str, name: str) -> str:
            made = await client.post("/tokens", json={"name": name, "role": role}, headers=boss)
            made.raise_for_status()
            return str(made.json()["token"])

        world["reviewer"] = await token("reviewer", "压测审核员")
        for i in range(CLIENTS):
            world["tokens"].append(await token("submitter", f"压测用户{i}"))
        first = {"Authorization": f"Bearer {world['tokens'][0]}"}
        for name, pid, period in (
            ("zhejiang-2023-jingxin-gongzuo-yaodian.txt", "zj-2023", "2023"),
            ("zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt", "zj-2021-2025", "2021-2025"),
        ):
            body = {
                "id": pid,
                "region": "浙江省",
                "period": period,
                "text": (PLANS / name).read_text("utf-8"),
            }
            (await client.post("/plans/text", json=body, headers=first)).raise_for_status()
        for i, plan in enumerate(generate(CLIENTS, 17)):
            auth = {"Authorization": f"Bearer {world['tokens'][i]}"}
            body = {"id": plan.id, "region": plan.region, "period": plan.period, "text": plan.text}
            (await client.post("/plans/text", json=body, headers=auth)).raise_for_status()
            checked = await client.post(f"/plans/{plan.id}/checks", headers=auth)
            checked.raise_for_status()
            world["plans"].append(plan.id)
            world["checks"].append(int(checked.json()["id"]))
        review = {"Authorization": f"Bearer {world['reviewer']}"}
        for check_id in world["checks"][:10]:
            page = await client.get(f"/checks/{check_id}/findings?limit=20", headers=review)
            page.raise_for_status()
            world["findings"].extend(int(f["id"]) for f in page.json()["items"])
    return world


def request_for(
    op: str, world: dict[str, Any], index: int, rng: random.Random
) -> tuple[str, str, dict[str, str]]:
    """Method, path and headers of one ``op`` by client ``index`` (a random plan, check, finding)."""
    own_plan = world["plans"][index]
    writer = {"Authorization": f"Bearer {world['tokens'][index]}"}
    reader = {"Authorization": f"Bearer {world['reviewer']}"}
    plan = rng.choice(world["plans"])
    check = rng.choice(world["checks"])
    requests = {
        "list_plans": ("GET", "/plans?limit=50", reader),
        "get_plan": ("GET", f"/plans/{plan}", reader),
        "list_checks": ("GET", "/checks?limit=20", reader),
        "get_check": ("GET", f"/checks/{check}", reader),
        "list_findings": ("GET", f"/checks/{check}/findings?limit=100", reader),
        "get_finding": ("GET", f"/findings/{rng.choice(world['findings'])}", reader),
        "rules": ("GET", "/rules", reader),
        "run_check": ("POST", f"/plans/{own_plan}/checks", writer),
    }
    return requests[op]


SOLO_REQUESTS = 100  # per operation, one after another, for the CPU each costs the server


def solo_cpu(base: str, world: dict[str, Any], api: list[int]) -> dict[str, float]:
    """Server CPU per request of each operation, one client, one request at a time, keep-alive:
    what a request costs the API processes when nothing queues (ms)."""
    costs: dict[str, float] = {}
    rng = random.Random(0)
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        for op in MIX:
            n = SOLO_REQUESTS if op != "run_check" else SOLO_REQUESTS // 5
            before = tree_cpu_seconds(api)
            for _ in range(n):
                method, path, headers = request_for(op, world, rng.randrange(CLIENTS), rng)
                client.request(method, path, headers=headers).raise_for_status()
            costs[op] = round((tree_cpu_seconds(api) - before) / n * 1000, 2)
    return costs


async def client_loop(
    base: str,
    world: dict[str, Any],
    index: int,
    deadline: float,
    results: dict[str, list[float]],
    errors: Counter[str],
    transport: list[int],
) -> None:
    rng = random.Random(index)
    names, weights = list(MIX), list(MIX.values())
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as client:
        while time.monotonic() < deadline:
            op = rng.choices(names, weights)[0]
            method, path, headers = request_for(op, world, index, rng)
            started = time.perf_counter()
            try:
                response = await client.request(method, path, headers=headers)
            except httpx.HTTPError as exc:  # a timeout or a dropped connection: an error, no latency
                errors[f"{op}: {type(exc).__name__}"] += 1
                transport[0] += 1
                continue
            results[op].append((time.perf_counter() - started) * 1000)
            if not 200 <= response.status_code < 300:
                errors[f"{op}: {response.status_code}"] += 1


async def load(
    base: str, world: dict[str, Any], seconds: float = SECONDS
) -> tuple[dict[str, list[float]], Counter[str], int, float]:
    """All clients until the deadline: latencies per operation, errors by kind, transport failures."""
    results: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    transport = [0]
    started = time.monotonic()
    deadline = started + seconds
    tasks = [client_loop(base, world, i, deadline, results, errors, transport) for i in range(CLIENTS)]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + TIMEOUT + 10)
    return results, errors, transport[0], time.monotonic() - started


PROCESS_COUNTS = tuple(int(n) for n in os.environ.get("BENCH_API_PROCESSES", "1,2").split(","))


def _processes(server: int, workers: int) -> tuple[list[int], list[int]]:
    """The API processes and their engine workers. With one process `serve` is the API process
    and its children the engine workers; with ``--workers N`` it is uvicorn's supervisor, its
    children the API processes (those with engine workers of their own), theirs the engine
    workers. (An API process's resource tracker, if one runs, counts with its engine workers; it
    uses next to no CPU.)"""
    # the supervisor's other child, multiprocessing's resource tracker, has no children
    api = [server] if workers == 1 else [pid for pid in children(server) if children(pid)]
    return api, [pid for a in api for pid in children(a)]


def _postgres(cluster: PgCluster) -> list[int]:
    """The cluster's postmaster and its backends (connections, writers)."""
    postmaster = int((cluster.socket_dir / "data" / "postmaster.pid").read_text().split()[0])
    return [postmaster, *children(postmaster)]


def run(cluster: PgCluster, workers: int) -> dict[str, Any]:
    """The load against ``serve --workers {workers}`` on a fresh database of ``cluster``."""
    database = f"load_{workers}"
    cluster.psql(f'CREATE DATABASE "{database}"')
    with tempfile.TemporaryDirectory(prefix="planalign-bench-api-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        server, tokens = start_server(
            workdir,
            port,
            db=cluster.url(database),
            tokens={"admin": "压测管理员"},
            serve=("--workers", str(workers)),
        )
        base = f"http://{HOST}:{port}"
        try:
            world = asyncio.run(seed(base, tokens["admin"]))
            api, engines = _processes(server.pid, workers)
            solo = solo_cpu(base, world, api) if workers == 1 else None
            # Warm-up: a process that has not yet served every kind of request loads regions,
            # compiles statements and builds schemas on its first ones. The seed went through one
            # connection, so with several processes only one of them is warm without this.
            asyncio.run(load(base, world, WARMUP_SECONDS))
            database_pids = _postgres(cluster)
            rss_before = sum(rss_mib(pid) for pid in api)
            before = {pid: tree_cpu_seconds([pid]) for pid in (*api, *engines, *database_pids)}
            spread: dict[int, int] = {}
            sampler = threading.Timer(
                SECONDS / 2, lambda: spread.update({p: established(p, port) for p in api})
            )
            sampler.start()
            client_cpu = time.process_time()
            results, errors, transport, elapsed = asyncio.run(load(base, world))
            sampler.join()
            client_cpu = time.process_time() - client_cpu
            database_pids = _postgres(cluster)  # backends started during the load count from 0

            def spent(pids: list[int]) -> float:
                return sum(tree_cpu_seconds([pid]) - before.get(pid, 0.0) for pid in pids)

            api_cpu, engine_cpu, db_cpu = spent(api), spent(engines), spent(database_pids)
            rss_after = sum(rss_mib(pid) for pid in api)
            answered = {int(httpx.get(f"{base}/health", timeout=5.0).json()["pid"]) for _ in range(20)}
            health = httpx.get(f"{base}/health", timeout=5.0).status_code
        finally:
            stop_server(server)
    every = [ms for values in results.values() for ms in values]
    requests = len(every) + transport
    figures: dict[str, Any] = {
        "api_processes": workers,
        "engine_workers": len(engines),
        "clients": CLIENTS,
        "seconds": round(elapsed, 1),
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "p50_ms": round(statistics.median(every), 1) if every else None,
        "p99_ms": round(percentile(every, 0.99), 1),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "cpu_seconds": {
            "api": round(api_cpu, 1),
            "engine_workers": round(engine_cpu, 1),
            "postgresql": round(db_cpu, 1),
            "load_client": round(client_cpu, 1),
        },
        "api_cpu_ms_per_request": round(api_cpu / max(requests, 1) * 1000, 2),
        "engine_cpu_ms_per_request": round(engine_cpu / max(requests, 1) * 1000, 2),
        "postgresql_cpu_ms_per_request": round(db_cpu / max(requests, 1) * 1000, 2),
        "api_cpu_ms_per_request_alone": solo,
        "api_rss_mib_before": round(rss_before, 1),
        "api_rss_mib_after": round(rss_after, 1),
        "pids_answering_health": len(answered),
        "client_connections_per_api_process": sorted(spread.values(), reverse=True),
        "health_after": health,
        "operations": {
            op: {
                "count": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p99_ms": round(percentile(values, 0.99), 1),
            }
            for op, values in sorted(results.items())
        },
    }
    cpu = figures["cpu_seconds"]
    print(
        f"api, PostgreSQL, {workers} API process(es) + {len(engines)} engine workers, {CLIENTS} clients "
        f"for {figures['seconds']} s: {requests} requests ({figures['requests_per_second']}/s), "
        f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, errors {figures['errors']} "
        f"{dict(errors) or ''}\n  CPU s: API {cpu['api']} "
        f"({figures['api_cpu_ms_per_request']} ms a request), "
        f"engine workers {cpu['engine_workers']}, PostgreSQL {cpu['postgresql']} "
        f"({figures['postgresql_cpu_ms_per_request']} ms a request), load client {cpu['load_client']}; "
        f"API RSS {rss_before:.0f} → {rss_after:.0f} MiB; {len(answered)} pid(s) answered /health; "
        f"client connections per API process {figures['client_connections_per_api_process']}"
    )
    for op, f in figures["operations"].items():
        alone = f"  API CPU {solo[op]:>5} ms a request alone" if solo else ""
        print(f"  {op:<14} {f['count']:>6}  p50 {f['p50_ms']:>7} ms  p99 {f['p99_ms']:>7} ms{alone}")
    return figures


def main() -> dict[str, Any]:
    cluster = start_cluster(max_connections=100)
    try:
        runs = {f"postgresql_{n}_process{'es' if n > 1 else ''}": run(cluster, n) for n in PROCESS_COUNTS}
    finally:
        cluster.stop()
    figures: dict[str, Any] = {"cpus": os.cpu_count(), "mix": MIX, **runs}
    save("api", figures)
    return figures


if __name__ == "__main__":
    main()
