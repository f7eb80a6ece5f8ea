"""Writes synthetic plans as the files a real batch reads: text, metadata and gold.

Why three files: `<stem>.txt` and `<stem>.meta.yaml` are exactly what `planalign batch` and
`load_plan` read for a real plan, so the synthetic set exercises the real input path; and
`<stem>.gold.yaml` has the format of tests/gold/*.yaml, so `rulesengine.evaluation` scores
extraction on it unchanged. Output is byte-for-byte deterministic (no timestamps, fixed
key order), so a committed sample can be compared with a fresh run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from tools.synth.generator import SynthPlan, SynthTarget

__all__ = ["gold_yaml", "meta_yaml", "write"]

_GOLD_HEAD = (
    "# Expected targets of a synthetic plan (planalign synth), in the format of tests/gold/.\n"
    "# Written from the sentence shapes that produced the text (tools/synth/templates.py),\n"
    "# never by running the extractor. `quote` is the first occurrence in the text.\n"
)


def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


# libyaml's dumper when present: writing 3,000 gold files is then seconds, not tens of seconds.
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(data: Any, flow: bool | None = False) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, default_flow_style=flow, allow_unicode=True, sort_keys=False, width=1_000_000
    )


def _entry(t: SynthTarget) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "indicator": t.indicator,
        "value": _number(t.value),
        "unit": t.unit,
        "comparator": t.comparator,
        "kind": t.kind,
        "basis": t.basis,
    }
    if t.value_max is not None:
        entry["value_max"] = _number(t.value_max)
    entry["quote"] = t.quote
    return entry


def meta_yaml(plan: SynthPlan) -> str:
    """The `<stem>.meta.yaml` that `rulesengine.plans.load_plan` reads."""
    data = {
        "id": plan.id,
        "title": plan.title,
        "issuer": plan.issuer,
        "region": plan.region,
        "level": plan.level,
        "period": plan.period,
    }
    return _dump(data)


def gold_yaml(plan: SynthPlan) -> str:
    """The `<stem>.gold.yaml` that `rulesengine.evaluation.load_gold` reads."""
    head = {"plan": plan.id, "region": plan.region, "level": plan.level, "period": plan.period}
    if not plan.targets:
        return _GOLD_HEAD + _dump(head) + "targets: []\n"
    # flow=None: each entry (scalars only) on one line in flow style, as in tests/gold/
    entries = _dump([_entry(t) for t in plan.targets], flow=None)
    return _GOLD_HEAD + _dump(head) + "targets:\n" + "".join(f"  {line}\n" for line in entries.splitlines())


def write(plans: Iterable[SynthPlan], out_dir: Path | str) -> list[Path]:
    """Writes each plan's three files into out_dir (created if missing); returns the .txt paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for plan in plans:
        txt = out / f"{plan.stem}.txt"
        txt.write_text(plan.text, encoding="utf-8", newline="\n")
        (out / f"{plan.stem}.meta.yaml").write_text(meta_yaml(plan), encoding="utf-8", newline="\n")
        (out / f"{plan.stem}.gold.yaml").write_text(gold_yaml(plan), encoding="utf-8", newline="\n")
        written.append(txt)
    return written
