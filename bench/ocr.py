"""OCR cost on this machine: seconds per scanned A4 page and per screenshot slice.

Run with `make bench` or `.venv/bin/python bench/ocr.py`. Prints figures; asserts nothing.
The 慈溪 plan is typeset onto five A4 pages at 150 dpi (tests/ingest/render.py) and read as a
scan PDF through `read_bytes`, page by page through the progress hook; then the whole plan as
one phone screenshot. Wall time depends on what else the two cores are doing, so the process's
CPU seconds and the load average are printed beside it.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time

from harness.figures import PLANS, RESULTS, ROOT, save

sys.path.insert(0, str(ROOT))

from rulesengine.ingest import read_bytes
from rulesengine.ingest.limits import OcrProgress
from rulesengine.ingest.ocr import _engine
from tests.ingest.render import scan_pdf, screenshot, typeset


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def _read(data: bytes, name: str) -> tuple[list[float], float, float]:
    """Wall seconds of each page (from the progress hook), total wall and CPU seconds."""
    marks: list[float] = []
    started, cpu = time.perf_counter(), _cpu()

    def progress(p: OcrProgress) -> None:
        marks.append(time.perf_counter() - started)

    read_bytes(data, name, progress=progress)
    pages = [b - a for a, b in zip([0.0, *marks], marks, strict=False)]
    return pages, time.perf_counter() - started, _cpu() - cpu


def main() -> None:
    text = (PLANS / "cixi-2023-jingxin-gongzuo-silu.txt").read_text(encoding="utf-8")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    _engine()
    model_load = time.perf_counter() - started

    scan = scan_pdf(typeset(text))
    page_times, scan_wall, scan_cpu = _read(scan, "cixi-scan.pdf")
    shot = io.BytesIO()
    screenshot(text).save(shot, "PNG")
    slice_times, shot_wall, shot_cpu = _read(shot.getvalue(), "cixi-screenshot.png")
    result = {
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "model_load_seconds": round(model_load, 2),
        "scan_pages": len(page_times),
        "scan_seconds_per_page": [round(t, 1) for t in page_times],
        "scan_seconds_per_page_mean": round(scan_wall / len(page_times), 1),
        "scan_cpu_seconds_per_page": round(scan_cpu / len(page_times), 1),
        "screenshot_slices": len(slice_times),
        "screenshot_seconds_per_slice_mean": round(shot_wall / len(slice_times), 1),
        "screenshot_cpu_seconds_per_slice": round(shot_cpu / len(slice_times), 1),
        "characters": len("".join(text.split())),
        "characters_per_second": round(len("".join(text.split())) / scan_wall),
    }
    pages = ", ".join(f"{t:.1f}" for t in page_times)
    print(
        f"ocr: model load {model_load:.2f} s; scan of {len(page_times)} A4 pages at 150 dpi: "
        f"{scan_wall / len(page_times):.1f} s a page (pages {pages} s; "
        f"{scan_cpu / len(page_times):.1f} s CPU a page); "
        f"screenshot 1080 px wide in {len(slice_times)} slices: "
        f"{shot_wall / len(slice_times):.1f} s a slice; "
        f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f}"
    )
    (RESULTS / "ocr.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    save("ocr", result)


if __name__ == "__main__":
    main()
