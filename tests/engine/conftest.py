"""What the engine's tests share: a small ruleset shaped like plan checking, facts for it, and the
same two rules in plain Python to hold the engine's answers to."""

from __future__ import annotations

from typing import Any

import pytest

from rulesengine.engine import Match, RuleEngine

# A small ruleset shaped like plan checking: a county target weaker than the province's for
# the same indicator and year, and a province target the county plan does not take up.
RULES: dict[str, dict[str, Any]] = {
    "weaker": {
        "all": [
            {"p": {"$and": [{"type": "target"}, {"level": "province"}, {"kind": "baseline"}]}},
            {
                "c": {
                    "$and": [
                        {"type": "target"},
                        {"level": "county"},
                        {"kind": "baseline"},
                        {"indicator": {"p": "indicator"}},
                        {"year": {"p": "year"}},
                        {"$lt": {"value": {"p": "value"}}},
                    ]
                }
            },
        ],
        "meta": {"reference": "浙江省 2023 经济工作要点", "version": 1},
    },
    "missing": {
        "all": [
            {"p": {"$and": [{"type": "target"}, {"level": "province"}]}},
            {
                "nc$not": {
                    "$and": [
                        {"type": "target"},
                        {"level": "county"},
                        {"indicator": {"p": "indicator"}},
                    ]
                }
            },
        ]
    },
}


def target(level: str, indicator: str, value: float, year: Any = 2023, **extra: Any) -> dict:
    return {
        "type": "target",
        "plan": "zj" if level == "province" else "cixi",
        "level": level,
        "indicator": indicator,
        "kind": "baseline",
        "value": value,
        "year": year,
        **extra,
    }


def summary(matches: list[Match]) -> list[tuple[str, tuple[tuple[str, str, str], ...]]]:
    """Each match as (rule, ((pattern, level, indicator), …)) for readable assertions."""
    return [
        (m.rule, tuple((p, f["level"], f["indicator"]) for p, f in sorted(m.facts.items()))) for m in matches
    ]


def reference(facts: list[dict[str, Any]]) -> list[tuple[str, tuple[tuple[str, str, str], ...]]]:
    """The same two rules in plain Python, as the engine should see them."""
    unique = {tuple(sorted(f.items())): f for f in facts}.values()
    province = [f for f in unique if f["type"] == "target" and f["level"] == "province"]
    county = [f for f in unique if f["type"] == "target" and f["level"] == "county"]
    found = set()
    for p in province:
        for c in county:
            if (
                p["kind"] == c["kind"] == "baseline"
                and c["indicator"] == p["indicator"]
                and float(c["year"]) == float(p["year"])
                and float(c["value"]) < float(p["value"])
            ):
                found.add(("weaker", (("c", "county", c["indicator"]), ("p", "province", p["indicator"]))))
        if not any(c["indicator"] == p["indicator"] for c in county):
            found.add(("missing", (("p", "province", p["indicator"]),)))
    return sorted(found)


KNOWN = [
    target("province", "industrial_va_growth", 5.5),
    target("county", "industrial_va_growth", 5.0),
    target("province", "rd_intensity", 2.9),
    target("province", "gdp_growth", 5.0),
    target("county", "gdp_growth", 6.0),
    target("county", "forest_cover", 60.0),
]


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine(RULES)
