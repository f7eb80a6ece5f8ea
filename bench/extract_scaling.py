"""Extraction cost against document size: is it linear in time and memory?

Run with `make bench`, or alone (`.venv/bin/python bench/extract_scaling.py [MB ...]`). Real plans
are long: a provincial 规划 with its annexes runs to megabytes, and a cost that grows faster than
the text turns such an upload into a timeout. The document is the real texts (tests/real/texts,
the body after `---`, and examples/plans) repeated and cut at 0.1, 0.3, 1 and 3 MB of UTF-8.
Each size runs in a fresh process: seconds, seconds per MB, the peak of memory allocated during
extraction (tracemalloc, MiB) and MiB per MB, and the 3 MB time over three times the 1 MB time
(1.0 is linear). Then the largest text once more with its stops and line breaks turned into
commas and spaces, as a PDF that lost them gives it: one sentence megabytes long, unless
extraction bounds it. Prints and stores them (bench/results/latest.json, section
"extract_scaling"). Figures, never assertions.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from harness.figures import PLANS, ROOT, rss_mib, save

REAL_TEXTS = ROOT / "tests" / "real" / "texts"
SIZES_MB = (0.1, 0.3, 1.0, 3.0)
MB = 1_000_000
PERIOD = "2023"


def body(path: Path) -> str:
    """A real text without its header: the document is what follows the line `---`."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return "\n".join(lines[lines.index("---") + 1 :]) if "---" in lines else "\n".join(lines)


def sources() -> list[str]:
    """The real documents, in a fixed order, so every run builds the same text."""
    return [body(p) for p in sorted(REAL_TEXTS.glob("*.txt"))] + [
        p.read_text(encoding="utf-8") for p in sorted(PLANS.glob("*.txt"))
    ]


def build(megabytes: float) -> str:
    """The real documents repeated to `megabytes` of UTF-8 and cut there (mid-sentence, as an
    upload may be)."""
    want = int(megabytes * MB)
    docs = sources()
    parts: list[str] = []
    size = 0
    while size < want:
        for doc in docs:
            parts.append(doc)
            size += len(doc.encode("utf-8")) + 1
            if size >= want:
                break
    return "\n".join(parts).encode("utf-8")[:want].decode("utf-8", errors="ignore")


def without_stops(text: str) -> str:
    return re.sub(r"[。！？!?]", "，", text).replace("\n", " ")


def measure_one(megabytes: float, stops: bool) -> dict[str, Any]:
    """One size, timed, then run again under tracemalloc for its peak (tracing slows the run, so
    the two are separate passes); in a fresh process, so that no other size's garbage counts."""
    from rulesengine.extract import extract_targets

    extract_targets(sources()[0], PERIOD)  # load catalog and phrasing outside the figures
    text = build(megabytes) if stops else without_stops(build(megabytes))
    started = time.perf_counter()
    targets = extract_targets(text, PERIOD)
    seconds = time.perf_counter() - started
    del targets
    tracemalloc.start()
    targets = extract_targets(text, PERIOD)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {
        "mb": megabytes,
        "stops": stops,
        "characters": len(text),
        "targets": len(targets),
        "seconds": round(seconds, 3),
        "seconds_per_mb": round(seconds / megabytes, 3),
        "peak_mib": round(peak, 1),
        "mib_per_mb": round(peak / megabytes, 1),
        "rss_mib": round(rss_mib(), 1),
    }


def run(megabytes: float, stops: bool) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", str(megabytes), "stops" if stops else "no-stops"],
        check=True,
        capture_output=True,
        text=True,
    )
    row: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"extract_scaling: {megabytes:>4} MB{'' if stops else ', no stops'} "
        f"({row['characters']:>9,} chars, {row['targets']:>6,} targets): "
        f"{row['seconds']:8.3f} s, {row['seconds_per_mb']:7.3f} s/MB, "
        f"peak {row['peak_mib']:7.1f} MiB, {row['mib_per_mb']:6.1f} MiB/MB",
        flush=True,
    )
    return row


def main(sizes: tuple[float, ...] = SIZES_MB) -> dict[str, Any]:
    rows = [run(mb, stops=True) for mb in sizes]
    figures: dict[str, Any] = {"period": PERIOD, "sizes": rows}
    by_mb = {r["mb"]: r for r in rows}
    if 1.0 in by_mb and 3.0 in by_mb and by_mb[1.0]["seconds"] > 0:
        ratio = by_mb[3.0]["seconds"] / (3 * by_mb[1.0]["seconds"])
        figures["linearity_3mb_over_3x1mb"] = round(ratio, 2)
        print(f"extract_scaling: 3 MB time / (3 × 1 MB time) = {ratio:.2f} (1.0 is linear)")
    figures["no_stops"] = run(max(sizes), stops=False)
    save("extract_scaling", figures)
    return figures


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(measure_one(float(sys.argv[2]), stops=sys.argv[3] == "stops")))
    else:
        main(tuple(float(a) for a in sys.argv[1:]) or SIZES_MB)
