"""The real plan pairs a rule change is tried on before it is published (`planalign rules impact`).

Two sources in a checkout, both read as they are:

* a folder of plans with ``.meta.yaml`` (``examples/plans``): each county or city plan against
  every plan of the folder that may be its parent (region above, period covering);
* folders of pair keys (``tests/real/pairs``, ``tests/real/pairs_blind``): each names a lower and
  an upper real text (header, a line ``---``, then the document) with their regions and year,
  resolved as the pair scorer (``tests/real/tools/check_pairs.py``) resolves them, so the impact
  is measured on the pairs the checks are scored on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from rulesengine.check import ParentError, PlanFacts, validate_parents
from rulesengine.evaluation import read_corpus_text
from rulesengine.impact import ImpactPair
from rulesengine.ingest import SUPPORTED_EXTENSIONS, IngestError
from rulesengine.plans import PlanError, load_plan, plan_from_text

__all__ = ["folder_pairs", "key_pairs"]

# The scorer's stand-ins for a region the labeller could not name (same province and level).
_STAND_IN = {
    "安徽省": {"city": "合肥市", "county": "肥西县"},
    "浙江省": {"city": "金华市", "county": "新昌县"},
}


def folder_pairs(folder: Path) -> Iterator[ImpactPair]:
    """Each plan of the folder below province level against the plans that may be its parents."""
    plans = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in SUPPORTED_EXTENSIONS and path.with_suffix(".meta.yaml").exists():
            try:
                plans.append(PlanFacts.from_plan(load_plan(path)))
            except (IngestError, PlanError):
                continue
    for county in plans:
        if county.plan.level.value not in ("county", "city"):
            continue
        parents = []
        for other in plans:
            try:
                validate_parents(county, [other])
            except ParentError:
                continue
            parents.append(other)
        if parents:
            name = f"{county.plan.source_name} ← " + "、".join(p.plan.source_name for p in parents)
            yield ImpactPair(name, county, tuple(parents))


def _region(name: Any, level: str, province: str | None) -> str:
    name = re.sub(r"\s*[（(].*?[)）]\s*", "", str(name or "")).strip()
    if not name or "某" in name:
        return _STAND_IN.get(province or "", {}).get(level, province or "")
    return name


def _facts(path: Path, region: str, level: str, period: str) -> PlanFacts:
    head, text = read_corpus_text(path)
    plan = plan_from_text(
        text,
        region=region,
        level=level,
        period=period,
        plan_id=path.stem[:60],
        title=str(head.get("title", "")),
        source_name=path.name,
    )
    return PlanFacts.from_plan(plan)


def key_pairs(keys: Path, texts: Sequence[Path]) -> Iterator[ImpactPair | tuple[str, str]]:
    """The pairs of a folder of keys, or (key, why) for a key whose plans cannot be read."""

    def find(name: str) -> Path:
        for folder in texts:
            if (folder / name).exists():
                return folder / name
        raise FileNotFoundError(f"{name}: 不在 / not in {', '.join(map(str, texts))}")

    for key_file in sorted(keys.glob("*.yaml")):
        key = yaml.safe_load(key_file.read_text(encoding="utf-8")) or {}
        if "lower" not in key:
            continue
        try:
            lower, upper = find(key["lower"]), find(key["upper"])
            lower_head, upper_head = read_corpus_text(lower)[0], read_corpus_text(upper)[0]
            upper_level = upper_head.get("level", "province")
            province = key.get("upper_region") if str(key.get("upper_region", "")).endswith("省") else None
            upper_region = _region(key.get("upper_region") or upper_head.get("region"), upper_level, province)
            lower_level = key.get("lower_level") or lower_head.get("level", "county")
            lower_region = _region(
                key.get("lower_region") or lower_head.get("region"), lower_level, province or upper_region
            )
            period = str(key.get("period") or lower_head.get("year"))
            upper_period = re.sub(r"\s*[（(].*$", "", str(upper_head.get("year", period))).strip() or period
            county = _facts(lower, lower_region, lower_level, period)
            parent = _facts(upper, upper_region, upper_level, upper_period)
        except (OSError, IngestError, PlanError, ValueError) as exc:
            yield key_file.stem, str(exc)
            continue
        yield ImpactPair(key_file.stem, county, (parent,))
