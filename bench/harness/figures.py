"""The figures every bench script takes and stores: corpus and results paths, the results file,
percentiles, and the memory and CPU time of a process read from /proc (Linux only).

One copy, so that "p99" and "RSS" mean the same in every section of bench/results/latest.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "examples" / "plans"
RESULTS = ROOT / "bench" / "results"


def save(section: str, figures: dict[str, Any]) -> None:
    """Merge one script's figures into bench/results/latest.json (each bench script owns a section)."""
    path = RESULTS / "latest.json"
    path.parent.mkdir(exist_ok=True)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[section] = figures
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    """The value below which a share ``q`` of ``values`` lies (nearest rank, no interpolation, so it is
    always a time that was measured); 0.0 for no values, so a run with no requests still reports."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def rss_kib(pid: int | None = None) -> int:
    """Resident memory of process ``pid`` (this process by default) in KiB; 0 once it has gone, as
    a worker may between listing and reading. Whole KiB, so that a sum over processes is exact."""
    try:
        with open(f"/proc/{'self' if pid is None else pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mib(pid: int | None = None) -> float:
    """Resident memory of process ``pid`` (this process by default) in MiB, the unit of every report."""
    return rss_kib(pid) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (its own threads, not its children)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc; those that have gone are left out)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.append(int(entry))
    return found


def tree_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (each its own, not its children's)."""
    return sum(cpu_seconds(pid) for pid in pids)


def established(pid: int, port: int) -> int:
    """TCP connections to local ``port`` that process ``pid`` holds open now (IPv4, from /proc):
    with several server processes on one socket, how the kernel spread the clients."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
        with open("/proc/net/tcp") as f:
            rows = [line.split() for line in f.readlines()[1:]]
    except OSError:
        return 0
    return sum(1 for r in rows if r[9] in inodes and r[3] == "01" and int(r[1].split(":")[1], 16) == port)
